#!/usr/bin/env python3
"""Writes forms/<case>.json: the JSON form of each readable examples/cases/*.yaml (dates as
ISO text), for determinism.py. Needs python3-yaml (a developer tool; the tests do not).
Re-run when the examples change."""
import json
import pathlib
import subprocess

import yaml

here = pathlib.Path(__file__).resolve().parent
cases = here.parents[2] / "examples" / "cases"


def conv(v):
    if isinstance(v, dict):
        return {k: conv(x) for k, x in v.items()}
    if isinstance(v, list):
        return [conv(x) for x in v]
    return v.isoformat() if hasattr(v, "isoformat") else v


tracked = subprocess.run(["git", "ls-files", "*.yaml"], cwd=cases, capture_output=True, text=True).stdout.split()
for p in sorted(cases / t for t in tracked):
    if p.stem.startswith("error-"):
        continue  # cases that exist to show reader errors (positions differ by form)
    d = yaml.safe_load(p.read_text())
    (here / "forms" / (p.stem + ".json")).write_text(json.dumps(conv(d), indent=2) + "\n")
