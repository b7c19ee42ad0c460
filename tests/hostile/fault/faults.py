#!/usr/bin/env python3
"""Fault injection through the CLI (issue 7, Build 3; catalogue B1, B4 for `screen`).

- output to /dev/full: exit 4 and a message, never 0;
- the k-th write failing (ENOSPC, EIO) for every k up to the number of writes a clean run
  makes: exit 4 every time, never a success claim;
- a short write at every k: the output is complete and byte-identical (the writer continues);
- stdout closed early (a reader that stops after a few bytes): exit 4, no crash by signal.
Usage: faults.py CLI SHIM.so   (exit 0 when every check holds; prints one line per check)
"""
import os
import pathlib
import subprocess
import sys

cli, shim = sys.argv[1], sys.argv[2]
root = pathlib.Path(__file__).resolve().parents[3]
cases = sorted(str(p) for p in (root / "examples" / "cases").glob("*.yaml"))[:4]
failures = []


def run(extra_env, stdout=subprocess.PIPE, args=("screen", "--format", "json")):
    env = dict(os.environ, LC_ALL="C", **extra_env)
    env["LD_PRELOAD"] = shim
    # The ASan runtime must come first in the library list; the shim is preloaded before it.
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
    return subprocess.run([cli, *args, *cases], env=env, stdout=stdout, stderr=subprocess.PIPE, timeout=120)


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


clean = run({})
check(clean.returncode == 1 or clean.returncode == 0, f"clean run exits 0/1 (got {clean.returncode})")
reference = clean.stdout

with open("/dev/full", "wb") as full:
    p = run({}, stdout=full)
check(p.returncode == 4 and b"cannot write" in p.stderr, f"/dev/full: exit 4 with a message (got {p.returncode})")

# How many writes does a clean run make? Count by failing at a large k and probing down.
k_max = 1
while k_max < 4096 and run({"OLIGOSCREEN_FAULT_WRITE_AT": str(k_max)}).returncode == 4:
    k_max += 1
check(k_max > 1, f"a clean run makes {k_max - 1} write(s) to stdout")
for errno_name in ("ENOSPC", "EIO", "EPIPE"):
    codes = [run({"OLIGOSCREEN_FAULT_WRITE_AT": str(k), "OLIGOSCREEN_FAULT_ERRNO": errno_name}).returncode
             for k in range(1, k_max)]
    check(all(c == 4 for c in codes), f"{errno_name} at write k=1..{k_max - 1}: exit 4 every time (got {codes})")
shorts = [run({"OLIGOSCREEN_FAULT_WRITE_AT": str(k), "OLIGOSCREEN_FAULT_SHORT": "1"}) for k in range(1, k_max)]
check(all(s.stdout == reference and s.returncode == clean.returncode for s in shorts),
      f"short write at k=1..{k_max - 1}: output complete and identical")

env = dict(os.environ, LC_ALL="C")
reader = subprocess.Popen([cli, "screen", "--format", "json", *(cases * 50)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env)
reader.stdout.read(10)
reader.stdout.close()
reader.wait(timeout=120)
check(reader.returncode == 4, f"stdout closed early: exit 4, no signal (got {reader.returncode})")

print(f"faults: {'all checks passed' if not failures else str(len(failures)) + ' failed'}")
sys.exit(1 if failures else 0)
