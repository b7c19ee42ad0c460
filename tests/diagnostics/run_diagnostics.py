#!/usr/bin/env python3
"""Golden diagnostics of `oligoscreen rules check`.

Each case is a folder under cases/: the rule files it overlays on base/ (a small, valid rule
set) and `expected.txt`, the exact output of `oligoscreen rules check CASE` (every diagnostic
with file:line:col, message, source line and caret, then the summary) followed by a line
`exit: N`. A file listed in the case's optional `remove.txt` is deleted from the copy.

usage: run_diagnostics.py OLIGOSCREEN CASES_DIR BASE_DIR [--case NAME] [--errors N]

--case runs one case (ctest registers one test per case); --errors N also requires exactly
N errors in the case's summary line. With OLIGOSCREEN_REGENERATE=1 the expected files are
rewritten from the current output instead of compared (review the diff before committing).
"""
import difflib
import os
import re
import shutil
import subprocess
import sys
import tempfile

SPECIAL = {"expected.txt", "remove.txt"}


def build(case_dir, base_dir, work, name):
    dest = os.path.join(work, name)
    shutil.copytree(base_dir, dest)
    for entry in sorted(os.listdir(case_dir)):
        if entry in SPECIAL:
            continue
        src = os.path.join(case_dir, entry)
        if os.path.isdir(src):
            shutil.copytree(src, os.path.join(dest, entry), dirs_exist_ok=True)
        else:
            shutil.copyfile(src, os.path.join(dest, entry))
    remove = os.path.join(case_dir, "remove.txt")
    if os.path.exists(remove):
        with open(remove, encoding="utf-8") as f:
            for rel in f.read().split():
                os.remove(os.path.join(dest, rel))
    return dest


def run_case(exe, cases_dir, base_dir, name, want_errors):
    case_dir = os.path.join(cases_dir, name)
    with tempfile.TemporaryDirectory(prefix="oligoscreen-diag-") as work:
        build(case_dir, base_dir, work, name)
        # Run from the temporary folder with a relative path: the output names `NAME/file.yaml`.
        proc = subprocess.run([exe, "rules", "check", name], cwd=work, capture_output=True, timeout=60)
    actual = proc.stdout.decode("utf-8", "replace") + "exit: %d\n" % proc.returncode
    if proc.stderr:
        actual += "stderr:\n" + proc.stderr.decode("utf-8", "replace")
    expected_path = os.path.join(case_dir, "expected.txt")
    if os.environ.get("OLIGOSCREEN_REGENERATE") == "1":
        with open(expected_path, "w", encoding="utf-8", newline="\n") as f:
            f.write(actual)
        print("regenerated %s" % expected_path)
        return True
    if not os.path.exists(expected_path):
        print("FAIL %s: no expected.txt (run with OLIGOSCREEN_REGENERATE=1)" % name)
        return False
    with open(expected_path, encoding="utf-8", newline="") as f:
        expected = f.read()
    ok = True
    if actual != expected:
        print("FAIL %s: output differs from expected.txt" % name)
        sys.stdout.writelines(
            difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "expected.txt", "actual"))
        ok = False
    # Self-consistency: the summary's count is the number of error lines printed.
    errors = len(re.findall(r"^\S+:\d+:\d+: error: |^\S+: error: ", actual, re.M))
    summary = re.search(r"^%s: (\d+) errors?, \d+ warnings?$" % re.escape(name), actual, re.M)
    if summary and int(summary.group(1)) != errors:
        print("FAIL %s: summary says %s errors, %d printed" % (name, summary.group(1), errors))
        ok = False
    if want_errors is not None:
        if proc.returncode != 3 or not summary or int(summary.group(1)) != want_errors:
            print("FAIL %s: want exactly %d errors and exit 3, got exit %d, %s" %
                  (name, want_errors, proc.returncode, summary.group(0) if summary else "no summary"))
            ok = False
    print("%s %s" % ("ok  " if ok else "FAIL", name))
    return ok


def main(argv):
    if len(argv) < 4:
        print(__doc__)
        return 2
    exe, cases_dir, base_dir = os.path.abspath(argv[1]), argv[2], argv[3]
    names, want_errors, i = None, None, 4
    while i < len(argv):
        if argv[i] == "--case":
            names = [argv[i + 1]]
        elif argv[i] == "--errors":
            want_errors = int(argv[i + 1])
        else:
            print("unknown argument %s" % argv[i])
            return 2
        i += 2
    if names is None:
        names = sorted(d for d in os.listdir(cases_dir) if os.path.isdir(os.path.join(cases_dir, d)))
    failed = [n for n in names if not run_case(exe, cases_dir, base_dir, n, want_errors)]
    print("%d of %d diagnostics cases pass" % (len(names) - len(failed), len(names)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
