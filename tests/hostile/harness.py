"""Harness of the hostile-input catalogue: runs one check through the CLI and compares.

A check builds its input in a fresh temporary folder, runs one `oligoscreen` command with a
time limit (a hang is a failure, never a wait), and compares the exit code and the exact
diagnostic lines (or error-result fields) with the expectation. `probe` mode prints what the
engine does instead of comparing, to write expectations from.
"""
import json
import os
import pathlib
import shutil
import subprocess
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
RULES = ROOT / "rules" / "sarcoma-sbrt"
TIME_LIMIT = 20  # seconds; generous for sanitizer builds ("fails cleanly, quickly")


class Outcome:
    def __init__(self, ok, detail):
        self.ok = ok
        self.detail = detail


def run(cmd, cwd, env=None, stdin=None):
    e = dict(os.environ)
    e.setdefault("LC_ALL", "C")
    if env:
        e.update(env)
    try:
        p = subprocess.run(cmd, cwd=cwd, env=e, input=stdin, capture_output=True, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        return None
    return p


def rules_dir(tmp, edits):
    """Copies the default rule set to tmp/r and applies edits {file: text | callable(old) -> text | None}."""
    d = pathlib.Path(tmp) / "r"
    shutil.copytree(RULES, d, ignore=shutil.ignore_patterns("tests"))
    for name, edit in edits.items():
        p = d / name
        if edit is None:
            p.unlink()
            continue
        old = p.read_bytes() if p.exists() else b""
        new = edit(old.decode("utf-8")) if callable(edit) else edit
        p.write_bytes(new if isinstance(new, bytes) else new.encode("utf-8"))
    return d


def error_lines(text):
    return [l for l in text.splitlines() if ": error: " in l or ": warning: " in l]


def check_rules(cli, edits, rc, lines, probe=False, env=None, extra=None):
    """`rules check r` on the edited copy: exit code and the exact diagnostic lines (in order)."""
    with tempfile.TemporaryDirectory() as tmp:
        rules_dir(tmp, edits)
        if extra:
            extra(pathlib.Path(tmp))
        p = run([cli, "rules", "check", "r"], tmp, env)
        if p is None:
            return Outcome(False, "timed out")
        got = error_lines(p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace"))
        if probe:
            return Outcome(True, f"rc={p.returncode} lines={got!r}")
        if p.returncode != rc:
            return Outcome(False, f"exit {p.returncode}, expected {rc}; {got}")
        if lines and lines[-1] == "...":
            got = got[:len(lines) - 1] + ["..."] if len(got) >= len(lines) else got
        if got != lines:
            return Outcome(False, f"diagnostics {got!r}, expected {lines!r}")
        return Outcome(True, f"exit {rc}; " + "; ".join(lines))


def screen(cli, name, data, env=None, args=()):
    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        p = run([cli, "screen", "--format", "json", *args, name], tmp, env)
        if p is None:
            return None, None, None
        out = p.stdout.decode("utf-8", "replace")
        try:
            doc = json.loads(out) if out.strip() else None
        except json.JSONDecodeError:
            doc = None
        return p.returncode, doc, out + p.stderr.decode("utf-8", "replace")


def error_summary(doc):
    """[(kind, field, line, column, message)] of an error result; None for a result."""
    if not doc or "errors" not in doc:
        return None
    return [(e.get("kind"), e.get("field", ""), e.get("line", 0), e.get("column", 0), e["message"])
            for e in doc["errors"]]


def check_screen_error(cli, name, data, rc, errors, probe=False, env=None, args=()):
    """`screen --format json`: an error result whose errors are exactly `errors`."""
    code, doc, raw = screen(cli, name, data, env, args)
    if code is None:
        return Outcome(False, "timed out")
    got = error_summary(doc)
    if probe:
        return Outcome(True, f"rc={code} errors={got!r}" + ("" if got else f" raw={raw[:300]!r}"))
    if code != rc:
        return Outcome(False, f"exit {code}, expected {rc}; {raw[:300]}")
    if got != errors:
        return Outcome(False, f"errors {got!r}, expected {errors!r}")
    return Outcome(True, f"exit {rc}; " + "; ".join(f"{k} {f} {l}:{c} {m}" for k, f, l, c, m in errors))


def check_screen_result(cli, name, data, rc, expect, probe=False, env=None, args=()):
    """`screen --format json`: a result; `expect(doc)` returns None when it holds, else why not."""
    code, doc, raw = screen(cli, name, data, env, args)
    if code is None:
        return Outcome(False, "timed out")
    if probe:
        return Outcome(True, f"rc={code} doc={raw[:600]!r}")
    if code != rc:
        return Outcome(False, f"exit {code}, expected {rc}; {raw[:300]}")
    why = expect(doc) if doc is not None else "no JSON result"
    if why:
        return Outcome(False, why)
    return Outcome(True, f"exit {rc}; result as expected")


def summary(doc):
    """What a screen outcome asserts: an error result's errors, or a result's verdicts,
    missing fields and warnings (reasons and evidence are covered by the conformance suite)."""
    if doc is None:
        return None
    if "errors" in doc:
        return ["error"] + [[e.get("kind"), e.get("field", ""), e.get("line", 0), e.get("column", 0), e["message"]]
                            for e in doc["errors"]]
    missing = sorted(m["field"] for m in doc.get("missing", []))
    warnings = [[w.get("code"), w.get("field", "")] for w in doc.get("warnings", [])]
    return ["result", doc.get("state"), doc.get("omd_definition"), doc.get("sbrt", {}).get("verdict"),
            missing, warnings]


def check_screen(cli, name, data, rc, expect, probe=False, env=None, args=()):
    """`screen --format json NAME`: exit code and summary(result) exactly."""
    code, doc, raw = screen(cli, name, data, env, args)
    if code is None:
        return Outcome(False, "timed out")
    got = summary(doc)
    if probe:
        return Outcome(True, (code, got if got is not None else raw[:300]))
    prov = (doc or {}).get("provenance", {})
    if doc is not None and not (prov.get("ruleset", {}).get("sha256") and prov.get("ruleset", {}).get("version")
                                and prov.get("ruleset", {}).get("id") and prov.get("engine", {}).get("version")):
        return Outcome(False, "result without complete provenance (SAF-1)")
    if code != rc:
        return Outcome(False, f"exit {code}, expected {rc}; {raw[:300]}")
    if got != expect:
        return Outcome(False, f"got {got!r}, expected {expect!r}")
    return Outcome(True, f"exit {rc}; {got!r}")
