#!/usr/bin/env python3
"""`oligoscreen screen --from fhir BUNDLE` prints what `oligoscreen screen TWIN.yaml` prints.

For every examples/fhir/NAME.bundle.json and its twin NAME.yaml, through the command line:
  - JSON: identical once provenance.mapping and the mapping's own warnings (code fhir_*) are
    taken out of the FHIR result; the FHIR result has provenance.mapping with a 64-hex sha256;
  - the text report: identical except the WARNINGS section the mapping's warnings add.
Usage: twins.py OLIGOSCREEN EXAMPLES_DIR
"""
import json
import pathlib
import re
import subprocess
import sys

AS_OF = {"no-metastases-restaging": "2024-07-01"}  # no metastasis date to default to


def run(cli, args):
    p = subprocess.run([cli, "screen", *args], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: {' '.join(args)} exited {p.returncode}: {p.stderr}")
    return p.stdout


def main():
    cli, ex = sys.argv[1], pathlib.Path(sys.argv[2])
    bundles = sorted(ex.glob("*.bundle.json"))
    if len(bundles) < 7:
        raise SystemExit(f"FAIL: expected the example Bundles in {ex}, found {len(bundles)}")
    failures = 0
    for b in bundles:
        name = b.name[: -len(".bundle.json")]
        twin = ex / f"{name}.yaml"
        extra = ["--as-of", AS_OF[name]] if name in AS_OF else []
        fj = json.loads(run(cli, ["--from", "fhir", *extra, "--format", "json", str(b)]))
        yj = json.loads(run(cli, ["--format", "json", str(twin)]))
        mapping = fj["provenance"].pop("mapping", None)
        ok = mapping is not None and re.fullmatch(r"[0-9a-f]{64}", mapping.get("sha256", ""))
        fj["warnings"] = [w for w in fj["warnings"] if not w["code"].startswith("fhir_")]
        if not ok or fj != yj:
            failures += 1
            print(f"FAIL {name}: JSON differs from the twin's (or provenance.mapping is missing)")
        ft = run(cli, ["--from", "fhir", *extra, str(b)])
        yt = run(cli, [str(twin)])
        ft = re.sub(r"\nWARNINGS\n(?:    .*\n)+\n", "\n", ft)
        if ft != yt:
            failures += 1
            print(f"FAIL {name}: the text report differs from the twin's")
        else:
            print(f"ok   {name}: {fj['state']}, sbrt {fj['sbrt']['verdict']}")
    if failures:
        raise SystemExit(f"{failures} failure(s)")


if __name__ == "__main__":
    main()
