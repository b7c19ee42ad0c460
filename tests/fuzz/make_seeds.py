#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/seed-*).

Seeds are real inputs: the files of rules/sarcoma-sbrt, the expressions they contain, the
cases of examples/cases (as YAML, JSON, JSON Lines and registry CSV), plus a few hostile
shapes of the reliability catalogue. Crash reproducers (crash-*) are written by hand and
never touched here. Re-run after the rule set or the examples change; output is stable.
Usage: tests/fuzz/make_seeds.py  (from anywhere)
"""
import csv
import io
import json
import pathlib

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "sarcoma-sbrt"
CASES = ROOT / "examples" / "cases"
CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"

CSV_COLUMNS = ["id", "assessed_on", "age", "sex", "histology", "grade", "ecog", "life_expectancy_months",
               "primary.site", "primary.diagnosed", "primary.controlled", "primary.treatment_completed",
               "history.polymetastatic", "history.oligometastatic", "metastases.diagnosed",
               "systemic_therapy.active", "systemic_therapy.agent", "imaging", "lesions"]


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / f"seed-{name}").write_bytes(data if isinstance(data, bytes) else data.encode())


def load_cases():
    cases = {}
    for p in sorted(q for q in CASES.iterdir() if q.is_file()):
        text = p.read_text()
        try:
            doc = json.loads(text) if p.suffix == ".json" else yaml.safe_load(text)
        except yaml.YAMLError:  # the examples that show reader errors
            doc = None
        cases[p.stem] = (p.suffix, text, doc)
    return cases


def jsonable(v):
    if isinstance(v, dict):
        return {k: jsonable(x) for k, x in v.items()}
    if isinstance(v, list):
        return [jsonable(x) for x in v]
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return v


def csv_cell(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(jsonable(v))


def csv_row(doc):
    flat = {}
    for k, v in doc.items():
        if isinstance(v, dict):
            for k2, v2 in v.items():
                flat[f"{k}.{k2}"] = v2
        else:
            flat[k] = v
    row = []
    for c in CSV_COLUMNS:
        v = flat.get(c)
        if c == "imaging" and isinstance(v, list):
            row.append(";".join(v) if v else "none")
        elif c == "lesions" and isinstance(v, list):
            row.append(";".join(":".join(csv_cell(l.get(f)) for f in ("site", "size_mm", "status", "treatable"))
                                for l in v) if v else "none")
        else:
            row.append(csv_cell(v))
    return row


def expressions():
    out = []
    for p in sorted(RULES.glob("*.yaml")):
        def walk(n):
            if isinstance(n, dict):
                for k, v in n.items():
                    if k in ("expr", "when", "ask", "value_expr", "if") and isinstance(v, str):
                        out.append(v)
                    walk(v)
            elif isinstance(n, list):
                for x in n:
                    walk(x)
        walk(yaml.safe_load(p.read_text()))
    return out


def main():
    # Rule loader: each file replacing itself in the embedded set, alone, and a manifest pair.
    for p in sorted(RULES.glob("*.yaml")):
        write("rules", f"replace-{p.stem}", f"#replace: {p.name}\n" + p.read_text())
        if p.name != "manifest.yaml":
            write("rules", f"single-{p.stem}", p.read_text())
    write("rules", "pair-manifest-schema", (RULES / "manifest.yaml").read_text().replace(
        "files: [schema.yaml, parameters.yaml, evidence.yaml, facts.yaml, definition.yaml,\n"
        "        classification.yaml, verdicts.yaml, trials.yaml]", "files: [r.yaml]") + "\n#%%\n" +
        (RULES / "schema.yaml").read_text())
    for name, text in {"deep-flow": "[" * 100, "alias": "x: &a {k: *a}\n", "dup": "a: 1\na: 2\n",
                       "two-docs": "a: 1\n---\nb: 2\n", "tag": "x: !!binary aGk=\n", "comma": ",",
                       "tab": "a:\n\tb: 1\n"}.items():
        write("rules", f"hostile-{name}", text)

    # Expressions: every expression of the rule set, plus the documented examples.
    exprs = expressions() + ["false and unknown", "add_months(@2024-08-31, 6)", "count(lesions) <= 5",
                             "any(lesions, l, l.size_mm > 50)", "age >= 18 or ecog in [0, 1]"]
    for i, e in enumerate(exprs):
        write("expr", f"{i:03d}", e.strip())

    cases = load_cases()
    docs = {k: d for k, (_, _, d) in cases.items() if isinstance(d, dict)}
    for k, (suffix, text, _) in cases.items():
        if suffix == ".yaml":
            write("patient_yaml", k, text)
        else:
            write("patient_json", k, text)
    for k, d in docs.items():
        write("patient_json", k + "-converted", json.dumps(jsonable(d), indent=2, sort_keys=False))
    for i, (k, d) in enumerate(docs.items()):  # C API: a flags byte, then the JSON case
        write("capi", k, bytes([i % 8]) + json.dumps(jsonable(d)).encode())
    write("capi", "truncated", b"\x00" + json.dumps(jsonable(next(iter(docs.values()))))[:40].encode())
    write("capi", "invalid-utf8", b"\x00{\"id\":\"\xff\xfe\"}")
    lines = [json.dumps(jsonable(d), separators=(",", ":")) for d in docs.values()]
    write("jsonl", "examples", "\n".join(lines) + "\n")
    write("jsonl", "mixed-errors", "\n".join(lines[:3] + ["{\"id\":\"x\",", "", "[1,2]", "{\"id\":\"y\",\"age\":01}"] +
                                             lines[3:5]) + "\n")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for d in docs.values():
        w.writerow(csv_row(d))
    write("csv", "examples", buf.getvalue())
    write("csv", "crlf-bom", "\ufeff" + buf.getvalue().replace("\n", "\r\n"))
    write("csv", "broken", "id,age,lesions\nA,54,lung:14:new:true\nB,\"unterminated\nC,1,2,3\nD,-1,none\n")


if __name__ == "__main__":
    main()
