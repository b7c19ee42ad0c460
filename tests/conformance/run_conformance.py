#!/usr/bin/env python3
"""Conformance vectors of the rule language, run through `oligoscreen rules eval`.

A vector file (vectors/*.tsv) has one vector per line, fields separated by tabs:

    EXPRESSION <TAB> EXPECTED [<TAB> UNKNOWN-SET]

EXPECTED is the exact first line `rules eval` prints (the value), or `error: TEXT` when the
expression must be rejected (exit 2) with TEXT in the first diagnostic. UNKNOWN-SET, when
given, is the exact `[a, b]` list after "unknown because of:"; `-` means the value must not be
unknown. Lines starting with `#` are comments; `#! rules: DIR` and `#! case: FILE` (relative
to this folder) apply to the vectors after them.

usage: run_conformance.py OLIGOSCREEN VECTOR_FILE...   (prints one line per vector; exit 1 on failure)
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_vector(exe, rules, case, expr, expected, why):
    cmd = [exe, "rules", "eval"]
    if rules:
        cmd += ["--rules", rules]
    if case:
        cmd += ["--case", case]
    cmd += ["--", expr]
    proc = subprocess.run(cmd, capture_output=True, timeout=60)
    out = proc.stdout.decode("utf-8", "replace").splitlines()
    err = proc.stderr.decode("utf-8", "replace").splitlines()
    if expected.startswith("error: "):
        if proc.returncode != 2 or not err or expected[len("error: "):] not in err[0]:
            return "want exit 2 with '%s', got exit %d: %s" % (expected, proc.returncode,
                                                               (err or out or ["(no output)"])[0])
        return None
    if proc.returncode != 0 or not out:
        return "exit %d: %s" % (proc.returncode, (err or ["(no output)"])[0])
    if out[0] != expected:
        return "got %s, want %s" % (out[0], expected)
    if why is not None:
        got = None
        for line in out[1:]:
            if line.startswith("unknown because of: "):
                got = line[len("unknown because of: "):]
        if why == "-":
            if got is not None:
                return "unknown set %s, want none" % got
        elif got != why:
            return "unknown set %s, want %s" % (got, why)
    return None


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    exe = os.path.abspath(argv[1])
    total = failed = 0
    for path in argv[2:]:
        rules = case = None
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        name = os.path.basename(path)
        for no, line in enumerate(lines, 1):
            if line.startswith("#! rules:"):
                rules = os.path.join(HERE, line.split(":", 1)[1].strip())
                continue
            if line.startswith("#! case:"):
                case = os.path.join(HERE, line.split(":", 1)[1].strip())
                continue
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) not in (2, 3):
                print("FAIL %s:%d: malformed vector (want 2 or 3 tab-separated fields)" % (name, no))
                failed += 1
                total += 1
                continue
            expr, expected = fields[0], fields[1]
            why = fields[2] if len(fields) == 3 else None
            problem = run_vector(exe, rules, case, expr, expected, why)
            total += 1
            if problem:
                failed += 1
                print("FAIL %s:%d: %s  ->  %s" % (name, no, expr, problem))
            else:
                print("ok   %s:%d: %s  ->  %s" % (name, no, expr, expected))
    print("%d of %d conformance vectors pass" % (total - failed, total))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
