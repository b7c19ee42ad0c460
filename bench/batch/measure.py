#!/usr/bin/env python3
"""Records/s and peak memory of `oligoscreen batch` (issue 5), one table.

usage: measure.py OLIGOSCREEN N [--mem 100000,1000000] [--repeats 3] [--seed 42]

Generates N records with shared/bench/gen.py (JSONL and CSV, same patients) into a temporary
folder, then times `batch FILE -o /dev/null --quiet` with --threads 1 and --threads <cores>
on both (median of --repeats runs, wall time including process start and rule loading),
and measures peak RSS (wait4 ru_maxrss) for each size in --mem on JSONL with all threads.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GEN = os.path.join(os.path.dirname(os.path.dirname(HERE)), "..", "shared", "bench", "gen.py")
GEN = os.environ.get("OLIGOSCREEN_GEN", os.path.normpath(GEN))


def gen(n, fmt, seed, path):
    with open(path, "wb") as f:
        subprocess.run([sys.executable, GEN, str(n), "--seed", str(seed), "--format", fmt], stdout=f, check=True)


def timed(cmd):
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit("failed (%d): %s" % (code, " ".join(cmd)))
    return wall, ru.ru_maxrss / 1024.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("n", type=int)
    ap.add_argument("--mem", default="100000,1000000")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="oligoscreen-batch-bench-") as tmp:
        files = {}
        for fmt in ("jsonl", "csv"):
            files[fmt] = os.path.join(tmp, "r." + fmt)
            gen(a.n, fmt, a.seed, files[fmt])
        for fmt in ("jsonl", "csv"):
            for t in sorted({1, cores}):
                runs = [timed([a.exe, "batch", files[fmt], "-o", "/dev/null", "--quiet", "--threads", str(t)])
                        for _ in range(a.repeats)]
                walls = [w for w, _ in runs]
                rate = [a.n / w for w in walls]
                rows.append(("batch %s --threads %d" % (fmt, t), a.n, statistics.median(rate), min(rate), max(rate),
                             statistics.median(r for _, r in runs)))
        print("| run | records | records/s (median) | min-max | peak RSS MB |")
        print("|---|---:|---:|---:|---:|")
        for name, n, med, lo, hi, rss in rows:
            print("| %s | %s | %s | %s-%s | %.1f |" % (name, f"{n:,}", f"{med:,.0f}", f"{lo:,.0f}", f"{hi:,.0f}", rss))
        one = {r[0]: r[2] for r in rows}
        if cores > 1:
            print("\n%d threads / 1 thread (JSONL): %.2fx" % (cores, one["batch jsonl --threads %d" % cores] /
                                                               one["batch jsonl --threads 1"]))
        print("\n| peak memory | records | peak RSS MB |")
        print("|---|---:|---:|")
        for n in [int(x) for x in a.mem.split(",") if x]:
            path = os.path.join(tmp, "m%d.jsonl" % n)
            gen(n, "jsonl", a.seed, path)
            _, rss = timed([a.exe, "batch", path, "-o", "/dev/null", "--quiet", "--threads", str(cores)])
            print("| batch jsonl --threads %d | %s | %.1f |" % (cores, f"{n:,}", rss))
            os.unlink(path)


if __name__ == "__main__":
    main()
