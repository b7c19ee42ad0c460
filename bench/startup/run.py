#!/usr/bin/env python3
"""Startup benchmark: `oligoscreen screen` of one case, process start to exit, against
/bin/true measured in the same run (medians of interleaved runs), and the load of the
embedded rule set on its own (`oligoscreen rules check`, which loads and checks the rules and
screens nothing). Target (issue 4): screen median within 20x that of /bin/true.

Usage: bench/startup/run.py [--bin build/default/cli/oligoscreen] [--runs 200] [--case FILE]
Prints a Markdown table (for docs/performance.md) and exits 1 when the target is missed.
"""
import argparse
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def time_once(argv):
    start = time.perf_counter_ns()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter_ns() - start) / 1e6  # ms


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=os.path.join(ROOT, "build/default/cli/oligoscreen"))
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--case", default=os.path.join(ROOT, "examples/cases/lms-lung-metachronous.yaml"))
    args = ap.parse_args()

    commands = {
        "/bin/true": ["/bin/true"],
        "oligoscreen --version": [args.bin, "--version"],
        "oligoscreen rules check (embedded rules load)": [args.bin, "rules", "check"],
        "oligoscreen screen CASE (text report)": [args.bin, "screen", args.case],
        "oligoscreen screen --format json CASE": [args.bin, "screen", "--format", "json", args.case],
    }
    for argv in commands.values():  # warm the page cache
        for _ in range(5):
            time_once(argv)
    samples = {name: [] for name in commands}
    for _ in range(args.runs):  # interleaved, so that drift affects every command alike
        for name, argv in commands.items():
            samples[name].append(time_once(argv))

    true_ms = statistics.median(samples["/bin/true"])
    print(f"{args.runs} interleaved runs each; median and 90th percentile wall time, process start to exit.\n")
    print("| command | median ms | p90 ms | x /bin/true |")
    print("|---|---|---|---|")
    for name, xs in samples.items():
        xs.sort()
        med = statistics.median(xs)
        p90 = xs[int(len(xs) * 0.9) - 1]
        print(f"| `{name}` | {med:.2f} | {p90:.2f} | {med / true_ms:.1f} |")
    screen = statistics.median(samples["oligoscreen screen CASE (text report)"])
    version = statistics.median(samples["oligoscreen --version"])
    load = statistics.median(samples["oligoscreen rules check (embedded rules load)"])
    print()
    print(f"screen / true = {screen / true_ms:.1f} (target <= 20); rule-set load (rules check - --version) "
          f"~ {load - version:.2f} ms of the screen's {screen - version:.2f} ms above process start")
    return 0 if screen <= 20 * true_ms else 1


if __name__ == "__main__":
    sys.exit(main())
