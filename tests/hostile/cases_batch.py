"""Catalogue §5, registry CSV (C1-C11) and JSON Lines (J1-J3), through `oligoscreen batch`:
the exit code, every output row (a result's id, or an error row's record, line and errors:
kind, field, line, column, message) and the summary's counts are asserted exactly
(expect_batch.py). Every run also checks the count invariant records = results + errors."""
import json
import pathlib
import re
import tempfile

from expect_batch import EXPECT
from harness import Outcome, run

HEAD = "id,age,histology,ecog,primary.site,lesions"
ROW = "{id},54,leiomyosarcoma,1,thigh,lung:14:new:true"


def csv(*rows, head=HEAD, end="\n"):
    return (head + end + end.join(rows) + end).encode()


def rowsfor(*ids):
    return [ROW.format(id=i) for i in ids]


def batch_outcome(cli, name, data, args=()):
    """(exit, [row summaries], {summary counts}) or None on timeout."""
    with tempfile.TemporaryDirectory() as tmp:
        t = pathlib.Path(tmp)
        (t / name).write_bytes(data)
        p = run([cli, "batch", name, "--quiet", "-o", "out", "--summary", "s.json", *args], tmp)
        if p is None:
            return None
        out = (t / "out").read_bytes() if (t / "out").exists() else b""
        rows = []
        if "--format" in args:  # the rule-set hash column changes with every rule edit: not asserted here
            rows = [re.sub(r"\b[0-9a-f]{64}\b", "<sha256>", r) for r in out.decode("utf-8", "replace").splitlines()]
        else:
            for line in out.decode("utf-8", "replace").splitlines():
                d = json.loads(line)
                if "errors" in d:
                    rows.append(["error", d.get("record"), d.get("line"),
                                 [[e.get("kind"), e.get("field", ""), e.get("line", 0), e.get("column", 0),
                                   e.get("offset", None), e["message"]] for e in d["errors"]]])
                else:
                    rows.append(["result", d.get("id")])
        s = json.loads((t / "s.json").read_text()) if (t / "s.json").exists() else {}
        counts = {k: s.get(k) for k in ("records", "results", "errors", "records_check", "blank_lines", "complete")
                  if k in s}
        if "duplicate_ids" in s:
            counts["duplicate_ids"] = s["duplicate_ids"]
        stderr = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return p.returncode, rows, counts, stderr


def check_batch(cli, name, data, expect, probe=False, args=()):
    got = batch_outcome(cli, name, data, args)
    if got is None:
        return Outcome(False, "timed out")
    got = list(got)
    if probe:
        return Outcome(True, got)
    rc, rows, counts, _ = got
    if counts and counts.get("records") != (counts.get("results") or 0) + (counts.get("errors") or 0):
        return Outcome(False, f"count invariant broken: {counts}")
    if got != expect:
        return Outcome(False, f"got {got!r}, expected {expect!r}")
    return Outcome(True, f"exit {rc}; {len(rows)} rows; {counts.get('records')} records = "
                         f"{counts.get('results')} results + {counts.get('errors')} errors")


B = {}
B["C1"] = dict(input="Too few / too many columns in row k",
               expected="row error with physical line; the batch continues",
               checks=[("too few", "r.csv", csv(*rowsfor("A"), "B,54", *rowsfor("C"))),
                       ("too many", "r.csv", csv(*rowsfor("A"), ROW.format(id="B") + ",extra", *rowsfor("C")))])
B["C2"] = dict(input="Unterminated quote on line k",
               expected="error naming line k, not one merged record; the record count holds",
               checks=[("unterminated", "r.csv", csv(*rowsfor("A"), 'B,54,leiomyosarcoma,1,"thigh,lung:1:new:true',
                                                      *rowsfor("C", "D")))])
B["C3"] = dict(input="Quoted field with an embedded newline and a doubled quote",
               expected="parsed per RFC 4180; record number and physical line both right",
               checks=[("newline and quote", "r.csv", csv('A,54,leiomyosarcoma,1,"thigh, ""left""\nproximal",none',
                                                          *rowsfor("B"), "C,250,leiomyosarcoma,1,x,none"))])
B["C4"] = dict(input="UTF-8 BOM before the header; CRLF; mixed line ends; trailing blank lines",
               expected="header matched; blank lines are not records",
               checks=[("BOM CRLF", "r.csv", b"\xef\xbb\xbf" + csv(*rowsfor("A", "B"), end="\r\n")),
                       ("mixed and blank", "r.csv", csv(*rowsfor("A")) + ROW.format(id="B").encode() + b"\r\n\n\r\n\n")])
B["C5"] = dict(input="Missing id column; duplicate header name",
               expected="file-level error before any row",
               checks=[("no id", "r.csv", csv("54,1", head="age,ecog")),
                       ("duplicate column", "r.csv", csv("A,54,55", head="id,age,age"))])
B["C6"] = dict(input="';' delimiter; decimal comma (1,5) from a European export",
               expected="rejected unless configured; never read as 1 or 15",
               checks=[("semicolons", "r.csv", csv("A;54;1", head="id;age;ecog")),
                       ("decimal comma", "r.csv", csv("A,54,lung:1,5:new:true", head="id,age,lesions"))])
B["C7"] = dict(input="The same patient id on two rows",
               expected="both processed; duplicates counted and named in the summary",
               checks=[("duplicate id", "r.csv", csv(*rowsfor("A", "B", "A")))])
B["C8"] = dict(input="Text fields starting with = + - @ TAB CR",
               expected="stored as data; escaped on CSV output (leading ')",
               checks=[("formula ids, CSV output", "r.csv",
                        csv(*rowsfor("=1+1", "+1", "-1", "@SUM(A1)", "\tx", '"\rx"')), ("--format", "csv"))])
B["C9"] = dict(input="10 MB field; 1 MB line",
               expected="row error (limit); the batch continues",
               checks=[("10 MB field", "r.csv", csv(*rowsfor("A"), "B,54,leiomyosarcoma,1," + "x" * 10_000_000 + ",none",
                                                   *rowsfor("C"))),
                       ("1 MB line", "r.csv", csv(*rowsfor("A"), "B,54,leiomyosarcoma,1," + "y" * 1_100_000 + ",none",
                                                  *rowsfor("C")))])
B["C10"] = dict(input="Latin-1 bytes, invalid UTF-8, NUL bytes",
                expected="row error with byte offset; output valid UTF-8",
                checks=[("latin-1", "r.csv", csv(*rowsfor("A")) + b"B,54,leiomyosarcoma,1,K\xf6ln,none\n"),
                        ("NUL", "r.csv", csv(*rowsfor("A")) + b"B,54,leiomyosarcoma,1,th\x00igh,none\n" +
                         ROW.format(id="C").encode() + b"\n")])
B["C11"] = dict(input="Last line without newline; truncated last record",
                expected="processed if complete; otherwise 'truncated record'",
                checks=[("no final newline", "r.csv", csv(*rowsfor("A", "B"))[:-1]),
                        ("truncated", "r.csv", csv(*rowsfor("A")) + b'B,54,leiomyosarcoma,1,"thi')])
JL = '{"id":"%s","age":54,"histology":"leiomyosarcoma","ecog":1,"lesions":[]}'
B["J1"] = dict(input="One malformed line among valid ones",
               expected="that line an error with its line number; all others processed",
               checks=[("malformed", "r.jsonl", ("\n".join([JL % "A", '{"id":"B",', JL % "C"]) + "\n").encode())])
B["J2"] = dict(input="Blank line; a line holding two objects; top level an array or a number",
               expected="error per line; blank lines skipped and counted",
               checks=[("mixed", "r.jsonl", ("\n".join([JL % "A", "", JL % "B" + JL % "C", "[1]", "42", JL % "D"]) +
                                             "\n").encode())])
B["J3"] = dict(input="Line longer than the limit",
               expected="error; reading resumes at the next newline",
               checks=[("2 MB line", "r.jsonl", ("\n".join([JL % "A", '{"id":"B","primary":{"site":"' + "z" * 2_000_000 +
                                                           '"}}', JL % "C"]) + "\n").encode())])


def make_checks(cli, probe):
    out = {}
    for cid, c in B.items():
        out[cid] = [(chk[0], lambda chk=chk, k=(cid, chk[0]): check_batch(
            cli, chk[1], chk[2], EXPECT.get(k), probe, chk[3] if len(chk) > 3 else ())) for chk in c["checks"]]
    return out
