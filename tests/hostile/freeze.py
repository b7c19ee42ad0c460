"""Writes expect_<area>.py from what the engine does now (a starting point that is then
reviewed case by case against shared/reliability/README.md §5; never re-run blindly).
Usage: freeze.py CLI AREA (AREA: patient | ...)."""
import importlib
import sys

cli, area = sys.argv[1], sys.argv[2]
mod = importlib.import_module(f"cases_{area}")
lines = [f'"""Expected outcomes of cases_{area}.py: (exit code, summary), reviewed against the catalogue."""', "",
         "EXPECT = {"]
for cid, checks in mod.make_checks(cli, True).items():
    for label, thunk in checks:
        lines.append(f"    ({cid!r}, {label!r}): {thunk().detail!r},")
lines.append("}")
open(f"expect_{area}.py", "w").write("\n".join(lines) + "\n")
