#!/usr/bin/env python3
"""Determinism (issue 7, Build 5): the same input gives byte-identical output
 - across repeated runs and between LC_ALL=C and LC_ALL=de_DE.UTF-8 (every example case, the
   JSON result with and without --explain, and the text report);
 - across the YAML and JSON forms of the same case (data/forms/*.json, written from
   examples/cases/*.yaml), for the JSON result without the trace (whose positions differ).
Compared by SHA-256; the hashes are printed side by side. A missing de_DE locale is a
failure, not a skip (scripts/install-deps.sh generates it).
Usage: determinism.py CLI
"""
import hashlib
import os
import pathlib
import subprocess
import sys

cli = sys.argv[1]
here = pathlib.Path(__file__).resolve().parent
root = here.parents[1]
cases = sorted((root / "examples" / "cases").glob("*.*"))
failures = []


def run(args, locale):
    env = dict(os.environ, LC_ALL=locale, LANG=locale)
    p = subprocess.run([cli, *args], env=env, capture_output=True, timeout=120)
    return hashlib.sha256(p.stdout).hexdigest()[:16], p.returncode, p.stderr


locales = subprocess.run(["locale", "-a"], capture_output=True, text=True).stdout.lower()
if "de_de.utf8" not in locales:
    print("FAIL the de_DE.UTF-8 locale is not installed")
    sys.exit(1)

for variant in (["--format", "json"], ["--format", "json", "--explain"], ["--format", "text"]):
    for case in cases:
        args = ["screen", *variant, str(case)]
        c1, c2, c3 = run(args, "C"), run(args, "C"), run(args, "C")
        de = run(args, "de_DE.UTF-8")
        ok = c1 == c2 == c3 == de and not de[2]
        print(f"{'ok  ' if ok else 'FAIL'} {' '.join(variant):28} {case.name:50} C {c1[0]} x3  de_DE {de[0]}")
        if not ok:
            failures.append(f"{case.name} {variant}")

for form in sorted((here / "data" / "forms").glob("*.json")):
    yaml_case = root / "examples" / "cases" / (form.stem + ".yaml")
    y = run(["screen", "--format", "json", str(yaml_case)], "C")
    j = run(["screen", "--format", "json", str(form)], "C")
    ok = y[:2] == j[:2]
    print(f"{'ok  ' if ok else 'FAIL'} yaml vs json {form.stem:50} yaml {y[0]}  json {j[0]}")
    if not ok:
        failures.append(f"forms {form.stem}")

print(f"determinism: {'all identical' if not failures else str(len(failures)) + ' differ'}")
sys.exit(1 if failures else 0)
