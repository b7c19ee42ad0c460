#!/usr/bin/env python3
"""Runs the hostile-input catalogue (shared/reliability/README.md §5) and writes its report.

Every catalogue case appears in the report with one status: PASS (every check of the case
holds), FAIL (one does not: the report says which and why), N/A (does not apply to this
engine: the reason is given) or PENDING (needs a part not yet in the tree: the reason is
given). No case is skipped silently. Cases automated in C++ (hostile_test.cpp, stack_test)
are read from their gtest JSON output.

Usage: run_catalogue.py --cli oligoscreen [--gtest BINARY] [--report REPORT.md]
Exit 0 when no case FAILs; 1 otherwise.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # never write into the source tree

import cases_patient  # noqa: E402
import cases_rules  # noqa: E402

BATCH_PENDING = "needs `oligoscreen batch` (issue 5), not yet committed"
CAPI_PENDING = "needs the C API (issue 6), not yet committed"

# Catalogue cases not driven by cases_*.py: (id, input, expected, kind, detail) where kind is
# "gtest" (detail = test name prefix in the gtest binary), "na" or "pending" (detail = reason).
OTHER = [
    ("R20", "Host set std::locale::global(de_DE.UTF-8) before loading 'threshold: 1.234'",
     "the value is 1.234, not 1234", "gtest", "Hostile.R20_"),
]
for i, (inp, exp) in enumerate([
        ("Too few or too many columns in row k", "row error with physical line number; the batch continues"),
        ("Unterminated quote on line k", "error naming line k, not one merged record; record count holds"),
        ("Quoted field with embedded newline or doubled quote", "RFC 4180; record number and physical line"),
        ("UTF-8 BOM; CRLF; mixed endings; trailing blank lines", "header matched; blank lines not records"),
        ("Missing required column; duplicate header name", "file-level error before any row"),
        ("';' delimiter or decimal comma", "rejected; never read as 1 or 15"),
        ("Same patient id on two rows", "both processed; duplicates counted and named in the summary"),
        ("Text field starting with = + - @ TAB CR", "stored as data; escaped on output; round trip"),
        ("10 MB field; 1 MB line", "row error (limit); the batch continues"),
        ("Latin-1, invalid UTF-8, NUL", "row error with byte offset; output valid UTF-8"),
        ("Last line without newline; truncated last record", "processed if complete, else 'truncated record'"),
], start=1):
    OTHER.append((f"C{i}", inp, exp, "pending", BATCH_PENDING))
for i, (inp, exp) in enumerate([
        ("One malformed line among valid ones", "that line an error with its line number; others processed"),
        ("Blank line; two objects on a line; top-level array or number", "error per line (blank: skipped)"),
        ("Line longer than the limit", "error; reading resumes at the next newline"),
], start=1):
    OTHER.append((f"J{i}", inp, exp, "pending", BATCH_PENDING))
for i, (inp, exp) in enumerate([
        ("ENOSPC or short write on the k-th write; /dev/full", "non-zero exit, incomplete, nothing renamed"),
        ("EIO or short read mid-input", "error naming file and offset; records read accounted for"),
        ("Fail the n-th allocation during load and evaluate", "success or the out-of-memory code; no leak"),
        ("stdout closed early (SIGPIPE / EPIPE)", "clean exit with a code, no crash"),
        ("SIGKILL mid-run, then re-run", "old or new output intact; re-run identical"),
        ("Any of the above", "records = results + errors, or complete: false with the count"),
], start=1):
    OTHER.append((f"B{i}", inp, exp, "pending", CAPI_PENDING if i == 3 else BATCH_PENDING))
for i, (inp, exp) in enumerate([
        ("NULL for each pointer argument", "an error code, no crash"),
        ("Length 0; wrong length; not NUL-terminated", "as specified; no out-of-bounds read"),
        ("Invalid UTF-8 in input", "input-error code; error result of kind encoding with byte offset"),
        ("*_free(NULL); double free", "no-op; double free documented as a caller error"),
        ("8 threads against one rule set", "byte-identical to single-threaded; TSan clean"),
        ("Injected bad_alloc or exception inside", "out-of-memory / internal-error code; nothing propagates"),
        ("Very large input (100 MB JSON)", "a limit error in bounded time and memory"),
        ("Host set the de_DE global locale", "same results as the C locale"),
        ("128 KiB-stack thread, maximum-depth inputs", "succeeds or depth error; no overflow"),
        ("Every result", "carries rule-set version and hash; hash changes with one byte of rules"),
], start=1):
    OTHER.append((f"A{i}", inp, exp, "pending", CAPI_PENDING))

ORDER = {"R": 0, "P": 1, "C": 2, "J": 3, "B": 4, "A": 5}
SECTIONS = {"R": "Rule files", "P": "Patient files", "C": "Registry CSV", "J": "JSON Lines",
            "B": "Batch and I/O faults", "A": "C API"}


def case_key(cid):
    return ORDER[cid[0]], int(cid[1:])


def run_gtest(binary):
    """{test name: (passed, message)} from a gtest binary's JSON report."""
    if not binary:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        out = pathlib.Path(tmp) / "g.json"
        try:
            subprocess.run([binary, f"--gtest_output=json:{out}"], capture_output=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            print(f"catalogue: cannot run {binary}: {e}")
            return {}
        if not out.exists():
            return {}
        data = json.loads(out.read_text())
    res = {}
    for suite in data.get("testsuites", []):
        for t in suite.get("testsuite", []):
            name = f"{suite['name']}.{t['name']}"
            fails = t.get("failures", [])
            res[name] = (not fails and t.get("result", "COMPLETED") == "COMPLETED",
                         "; ".join(f["failure"].splitlines()[0] for f in fails))
    return res


def md(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--gtest", action="append", default=[])
    ap.add_argument("--report")
    args = ap.parse_args()

    rows = []  # (id, input, expected, status, detail)
    defs = {**cases_rules.R, **cases_patient.P}
    checks = {**cases_rules.make_checks(args.cli, False), **cases_patient.make_checks(args.cli, False)}
    for cid, thunks in checks.items():
        fails, passes = [], []
        for label, thunk in thunks:
            start = time.monotonic()
            o = thunk()
            (passes if o.ok else fails).append(f"{label}: {o.detail}" + ("" if o.ok else
                                                                          f" ({time.monotonic() - start:.1f}s)"))
        status = "FAIL" if fails else "PASS"
        detail = f"{len(passes)}/{len(thunks)} checks; " + " · ".join(fails if fails else passes)
        rows.append((cid, defs[cid]["input"], defs[cid]["expected"], status, detail))

    gtests = {}
    for b in args.gtest:
        gtests.update(run_gtest(b))
    for cid, inp, exp, kind, detail in OTHER:
        if kind == "gtest":
            hits = {n: r for n, r in gtests.items() if n.startswith(detail)}
            if not hits:
                rows.append((cid, inp, exp, "FAIL", f"no test named {detail}* ran"))
            else:
                bad = [f"{n}: {r[1]}" for n, r in hits.items() if not r[0]]
                rows.append((cid, inp, exp, "FAIL" if bad else "PASS",
                             "; ".join(bad) if bad else f"{len(hits)} test(s): " + ", ".join(sorted(hits))))
        else:
            rows.append((cid, inp, exp, "N/A" if kind == "na" else "PENDING", detail))

    rows.sort(key=lambda r: case_key(r[0]))
    counts = {s: sum(1 for r in rows if r[3] == s) for s in ("PASS", "FAIL", "N/A", "PENDING")}
    total = len(rows)
    print(f"catalogue: {counts['PASS']}/{total} passed, {counts['FAIL']} failed, {counts['N/A']} n/a, "
          f"{counts['PENDING']} pending")
    for r in rows:
        if r[3] == "FAIL":
            print(f"FAIL {r[0]}: {r[4]}")
    if args.report:
        out = ["# Hostile-input catalogue: results", "",
               "Generated by `tests/hostile/run_catalogue.py` (ctest `hostile.catalogue`); do not edit. "
               "Cases and expectations: `shared/reliability/README.md` §5; the checks: `tests/hostile/cases_*.py` "
               "(exact expectations in `expect_*.py`) and `tests/hostile/hostile_test.cpp`.", "",
               f"**{counts['PASS']}/{total} passed**, {counts['FAIL']} failed, {counts['N/A']} not applicable, "
               f"{counts['PENDING']} pending.", ""]
        section = None
        for cid, inp, exp, status, detail in rows:
            if cid[0] != section:
                section = cid[0]
                out += [f"## {SECTIONS[section]}", "", "| case | input | expected | result | detail |",
                        "|---|---|---|---|---|"]
            out.append(f"| {cid} | {md(inp)} | {md(exp)} | **{status}** | {md(detail)} |")
            nxt = rows.index((cid, inp, exp, status, detail)) + 1
            if nxt == len(rows) or rows[nxt][0][0] != section:
                out.append("")
        pathlib.Path(args.report).write_text("\n".join(out))
    return 1 if counts["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main())
