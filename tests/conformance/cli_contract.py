#!/usr/bin/env python3
"""Statements of the shared contracts (spec/cli.md, spec/result-format.md) checked against the
built `oligoscreen`, one function per statement, each named after the sentence it checks.

usage: cli_contract.py OLIGOSCREEN SOURCE_DIR   (one line per check; exit 1 on any failure)
"""
import json
import os
import subprocess
import sys
import tempfile


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def run(exe, *args, stdin=None):
    return subprocess.run([exe, *args], input=stdin, capture_output=True, timeout=120)


CASE = "examples/cases/lms-lung-metachronous.yaml"
BAD = "examples/cases/error-duplicate-key.yaml"
RULES = "rules/sarcoma-sbrt"


def log_level_on_every_command(exe):
    """cli.md: `--log-level LEVEL` (all commands) sets the stderr log level."""
    commands = [
        ["screen", CASE],
        ["batch", "-", "--quiet"],
        ["rules", "check"],
        ["rules", "show", "sbrt"],
        ["rules", "doc"],
        ["rules", "eval", "true"],
        ["template"],
    ]
    for c in commands:
        stdin = b'{"id":"A","lesions":[]}\n' if c[0] == "batch" else None
        p = run(exe, *c, "--log-level", "error", stdin=stdin)
        check(p.returncode == 0, f"{' '.join(c)} --log-level error: exit {p.returncode}: {p.stderr.decode()[:200]}")
        p = run(exe, *c, "--log-level", "loud", stdin=stdin)
        check(p.returncode == 2, f"{' '.join(c)} --log-level loud: exit {p.returncode}, want 2 (usage)")


def rules_actions_take_a_folder(exe):
    """cli.md: `oligoscreen rules check|test|show|doc [DIR|ID]`."""
    built_in = run(exe, "rules", "doc")
    p = run(exe, "rules", "doc", RULES)
    check(p.returncode == 0, f"rules doc DIR: exit {p.returncode}: {p.stderr.decode()[:200]}")
    check(p.stdout.startswith(b"# Clinical rules reference: sarcoma-sbrt"), "rules doc DIR: not the reference")
    check(p.stdout.count(b"\n") == built_in.stdout.count(b"\n"), "rules doc DIR and the built-in reference differ in length")
    p = run(exe, "rules", "show", RULES, "sbrt")
    check(p.returncode == 0 and p.stdout.startswith(b"## `sbrt`"), f"rules show DIR ID: exit {p.returncode}")
    p = run(exe, "rules", "show", RULES)
    check(p.returncode == 0 and p.stdout.startswith(b"Rule set sarcoma-sbrt"), f"rules show DIR: exit {p.returncode}")
    p = run(exe, "rules", "show", "no_such_entry")
    check(p.returncode == 2, f"rules show no_such_entry: exit {p.returncode}, want 2")
    # A path (no id has a '/') that is not a rule set is a rules error (3), as for rules check.
    p = run(exe, "rules", "show", "no/such/folder", "sbrt")
    check(p.returncode == 3, f"rules show no/such/folder sbrt: exit {p.returncode}, want 3 (rules error)")
    check(b"manifest.yaml" in p.stderr, f"rules show no/such/folder: {p.stderr.decode()[:200]}")
    for action in ("check", "test"):
        p = run(exe, "rules", action, RULES)
        check(p.returncode == 0, f"rules {action} DIR: exit {p.returncode}")


def several_cases_carry_source(exe):
    """cli.md: with several inputs, results carry `source` (the file name); one case: no `source`."""
    p = run(exe, "screen", CASE, BAD, "--format", "json")
    check(p.returncode == 1, f"screen CASE BAD: exit {p.returncode}, want 1")
    lines = p.stdout.decode().splitlines()
    check(len(lines) == 2, f"screen with two cases: {len(lines)} lines, want one per case")
    first, second = (json.loads(l) for l in lines)
    check(first.get("source") == CASE, f"result without its source: {first.get('source')!r}")
    check(second.get("source") == BAD and "error" in second, f"error result without its source: {lines[1][:200]}")
    check(list(first)[:3] == ["id", "source", "state"], f"key order {list(first)[:3]}")
    one = json.loads(run(exe, "screen", CASE, "--format", "json").stdout)
    check("source" not in one, "one case carries a source")
    # Same bytes as batch with several inputs (result-format.md: same record, same options, same bytes).
    with tempfile.TemporaryDirectory() as tmp:
        a, b = os.path.join(tmp, "a.jsonl"), os.path.join(tmp, "b.jsonl")
        for path in (a, b):
            with open(path, "w") as f:
                f.write(json.dumps({"id": "A", "lesions": []}) + "\n")
        batch = run(exe, "batch", a, b, "--quiet", "--what-if").stdout.decode().splitlines()
        ca, cb = os.path.join(tmp, "a.json"), os.path.join(tmp, "b.json")
        for path in (ca, cb):
            with open(path, "w") as f:
                f.write(json.dumps({"id": "A", "lesions": []}))
        screen = run(exe, "screen", ca, cb, "--format", "json").stdout.decode().splitlines()
        check(batch[0].replace(a, ca) == screen[0], "screen and batch differ for the same record with several inputs")


def log_level_before_the_command(exe):
    """cli.md: `--log-level LEVEL` (all commands) also before the command name."""
    commands = [["screen", CASE, "--format", "json"], ["rules", "check"], ["rules", "eval", "true"], ["template"]]
    for c in commands:
        for lead in (["--log-level", "error"], ["--log-level=error"]):
            p = run(exe, *lead, *c)
            check(p.returncode == 0, f"{' '.join(lead + c)}: exit {p.returncode}: {p.stderr.decode()[:200]}")
            check(p.stdout == run(exe, *c).stdout, f"{' '.join(lead + c)}: output differs from {' '.join(c)}")
    p = run(exe, "--log-level", "error", "batch", "-", "--quiet", stdin=b'{"id":"A","lesions":[]}\n')
    check(p.returncode == 0 and p.stdout.startswith(b'{"id":"A"'), f"--log-level error batch -: exit {p.returncode}")
    p = run(exe, "--log-level", "loud", "screen", CASE)
    check(p.returncode == 2, f"--log-level loud screen: exit {p.returncode}, want 2 (usage)")
    p = run(exe, "--log-level")
    check(p.returncode == 2, f"--log-level without a level: exit {p.returncode}, want 2 (usage)")
    p = run(exe, "--log-level", "error", "--version")
    check(p.returncode == 0 and p.stdout.startswith(b"oligoscreen "), f"--log-level error --version: exit {p.returncode}")


def rules_check_and_test_take_one_folder(exe):
    """cli.md: `rules check|test [DIR]`, and the rules help: "Without DIR (or --rules DIR)"; exit 2 is a
    usage error, so a second folder or a stray word is refused instead of silently ignored."""
    for action in ("check", "test"):
        p = run(exe, "rules", action, "--rules", RULES)
        check(p.returncode == 0, f"rules {action} --rules DIR: exit {p.returncode}: {p.stderr.decode()[:200]}")
        p = run(exe, "rules", action, RULES, "extra")
        check(p.returncode == 2, f"rules {action} DIR extra: exit {p.returncode}, want 2 (usage)")
        check(b"unexpected argument 'extra'" in p.stderr, f"rules {action} DIR extra: {p.stderr.decode()[:200]}")
        p = run(exe, "rules", action, RULES, "--rules", RULES)
        check(p.returncode == 2, f"rules {action} DIR --rules DIR: exit {p.returncode}, want 2 (usage)")
    with tempfile.TemporaryDirectory() as tmp:
        p = run(exe, "rules", "check", "--rules", tmp)
        check(p.returncode == 3, f"rules check --rules EMPTY: exit {p.returncode}, want 3 (rules error)")


def serve_refuses_a_stray_argument(exe):
    """cli.md: `serve [--port N] [--bind ADDR] [--rules DIR]`: a positional word is a usage error (exit 2),
    and the service is not started."""
    try:
        p = subprocess.run([exe, "serve", "--port", "0", "8080"], capture_output=True, timeout=10)
    except subprocess.TimeoutExpired:
        raise Fail("serve --port 0 8080 started the service instead of refusing the stray argument")
    check(p.returncode == 2, f"serve --port 0 8080: exit {p.returncode}, want 2 (usage)")
    check(b"unexpected argument '8080'" in p.stderr, f"serve stray argument: {p.stderr.decode()[:200]}")


CHECKS = [
    log_level_on_every_command,
    rules_actions_take_a_folder,
    several_cases_carry_source,
    log_level_before_the_command,
    rules_check_and_test_take_one_folder,
    serve_refuses_a_stray_argument,
]


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    exe, src = os.path.abspath(sys.argv[1]), sys.argv[2]
    os.chdir(src)
    failed = 0
    for c in CHECKS:
        try:
            c(exe)
            print(f"ok   {c.__name__}")
        except Fail as e:
            failed += 1
            print(f"FAIL {c.__name__}: {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
