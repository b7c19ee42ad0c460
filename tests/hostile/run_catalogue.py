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
import re
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.dont_write_bytecode = True  # never write into the source tree

import cases_batch  # noqa: E402
import cases_faults  # noqa: E402
import cases_patient  # noqa: E402
import cases_rules  # noqa: E402


# Catalogue cases not driven by cases_*.py: (id, input, expected, kind, detail) where kind is
# "gtest" (detail = test name prefix in the gtest binary), "na" or "pending" (detail = reason).
OTHER = [
    ("R20", "Host set std::locale::global(de_DE.UTF-8) before loading 'threshold: 1.234'",
     "the value is 1.234, not 1234", "gtest", "Hostile.R20_"),
]
OTHER.append(("B3", "Fail the n-th allocation during load and evaluate",
              "success or the out-of-memory code; no leak under LSan", "ctest", "capi.out-of-memory"))
# C API cases: automated by the C API's own suite (tests/capi, tests/concurrency; ctest names
# below, run with --ctest-dir) or here (Hostile.A9_*).
CAPI = [
    ("A1", "NULL for each pointer argument", "an error code, no crash", "ctest", "capi.c"),
    ("A2", "Length 0; wrong length; not NUL-terminated", "as specified; no out-of-bounds read (ASan)", "ctest",
     "capi.c"),
    ("A3", "Invalid UTF-8 in input", "input-error code; error result of kind encoding with the byte offset", "ctest",
     "capi.c"),
    ("A4", "*_free(NULL); double free", "no-op; double free documented as a caller error", "ctest", "capi.c"),
    ("A5", "8 threads against one rule set", "byte-identical to single-threaded; TSan clean (30-tsan step)",
     "ctest", "concurrency.8x10000"),
    ("A6", "Injected bad_alloc or exception inside", "out-of-memory / internal-error code; nothing propagates",
     "ctest", "capi.fault.*|capi.out-of-memory"),
    ("A7", "Very large input", "a limit error in bounded time and memory", "ctest", "capi.c"),
    ("A8", "Host set the de_DE global locale", "same results as the C locale", "ctest",
     "capi.Locale.GermanHostLocaleGivesIdenticalResults"),
    ("A9", "128 KiB-stack thread, maximum-depth inputs", "succeeds or a depth error; no overflow", "gtest",
     "Hostile.A9_"),
    ("A10", "Every result", "rule-set version and hash; the hash changes with one byte of the rules", "ctest",
     "capi.CppApi.HashFollowsTheRuleContent|capi.same-as-cli.*"),
]
OTHER += CAPI

# Failures that are known defects, reported to their owners: they stay FAIL in the report
# (never hidden), but do not fail the ctest run, so that the rest of the suite keeps guarding.
# When one starts to pass, the run fails until it is removed from here.
KNOWN = {}

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


def run_ctest(build, names):
    """(passed, detail) for the ctest tests matching `names` (a |-separated list of names,
    '*' as wildcard) in the build folder `build`; at least one must exist."""
    regex = "^(" + "|".join(n.replace(".", "\\.").replace("*", ".*") for n in names.split("|")) + ")$"
    try:
        p = subprocess.run(["ctest", "--test-dir", build, "-R", regex], capture_output=True, text=True, timeout=1200)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, f"ctest failed to run: {e}"
    m = re.search(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)", p.stdout)
    if not m or int(m.group(3)) == 0:
        return False, f"no ctest test matches {names}"
    if int(m.group(2)) != 0:
        return False, f"ctest {names}: {m.group(2)} of {m.group(3)} failed"
    return True, f"ctest {names}: {m.group(3)} test(s) passed"


def md(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", required=True)
    ap.add_argument("--gtest", action="append", default=[])
    ap.add_argument("--shim", help="the fault interposer (liboligoscreen_fault_write.so)")
    ap.add_argument("--ctest-dir", help="build folder whose ctest results name C API tests")
    ap.add_argument("--report")
    args = ap.parse_args()
    args.cli = str(pathlib.Path(args.cli).resolve())  # checks run in temporary folders
    args.shim = args.shim and str(pathlib.Path(args.shim).resolve())

    rows = []  # (id, input, expected, status, detail)
    defs = {**cases_rules.R, **cases_patient.P, **cases_batch.B, **cases_faults.B}
    checks = {**cases_rules.make_checks(args.cli, False), **cases_patient.make_checks(args.cli, False),
              **cases_batch.make_checks(args.cli, False)}
    if args.shim:
        checks.update(cases_faults.make_checks(args.cli, args.shim))
    else:
        for cid in cases_faults.B:
            OTHER.append((cid, cases_faults.B[cid]["input"], cases_faults.B[cid]["expected"], "pending",
                          "run without --shim (the fault interposer)"))
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
        elif kind == "ctest":
            if not args.ctest_dir:
                rows.append((cid, inp, exp, "PENDING", f"run with --ctest-dir to check ctest {detail}"))
                continue
            ok, why = run_ctest(args.ctest_dir, detail)
            rows.append((cid, inp, exp, "PASS" if ok else "FAIL", why))
        else:
            rows.append((cid, inp, exp, "N/A" if kind == "na" else "PENDING", detail))

    rows.sort(key=lambda r: case_key(r[0]))
    counts = {s: sum(1 for r in rows if r[3] == s) for s in ("PASS", "FAIL", "N/A", "PENDING")}
    total = len(rows)
    print(f"catalogue: {counts['PASS']}/{total} passed, {counts['FAIL']} failed, {counts['N/A']} n/a, "
          f"{counts['PENDING']} pending")
    rows = [(c, i, e, st, (KNOWN[c] + ". " + d) if st == "FAIL" and c in KNOWN else d) for c, i, e, st, d in rows]
    unexpected = [r for r in rows if r[3] == "FAIL" and r[0] not in KNOWN]
    fixed = [c for c in KNOWN if any(r[0] == c and r[3] == "PASS" for r in rows)]
    for r in rows:
        if r[3] == "FAIL":
            print(f"FAIL {r[0]}{' (known)' if r[0] in KNOWN else ''}: {r[4]}")
    for c in fixed:
        print(f"{c} passes now: remove it from KNOWN in run_catalogue.py")
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
    return 1 if unexpected or fixed else 0


if __name__ == "__main__":
    sys.exit(main())
