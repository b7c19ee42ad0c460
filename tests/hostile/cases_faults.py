"""Catalogue §5, batch and I/O faults (B1, B2, B4, B5, B6), through `oligoscreen batch` with
the test-only interposer fault/fault_write.c (LD_PRELOAD): write failures at every k-th
write, short writes, a read failing mid-input, stdout closed early, SIGKILL mid-run. The
input: the example cases (data/forms) repeated with unique ids (2,800 JSON Lines records)."""
import json
import os
import pathlib
import signal
import subprocess
import tempfile
import time

from harness import TIME_LIMIT, Outcome

HERE = pathlib.Path(__file__).resolve().parent
REPEAT = 200


def registry():
    forms = [json.loads(p.read_text()) for p in sorted((HERE / "data" / "forms").glob("*.json"))]
    lines = []
    for i in range(REPEAT):
        for j, f in enumerate(forms):
            d = dict(f)
            d["id"] = f"R{i:04d}-{j:02d}"
            lines.append(json.dumps(d, separators=(",", ":")))
    return ("\n".join(lines) + "\n").encode()


class Batch:
    def __init__(self, cli, shim):
        self.cli, self.shim = cli, shim
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = pathlib.Path(self.tmp.name)
        (self.dir / "in.jsonl").write_bytes(registry())
        self.records = registry().count(b"\n")

    def run(self, env=None, out="out.jsonl", stdout=subprocess.PIPE, threads="2"):
        for f in self.dir.iterdir():
            if f.name != "in.jsonl":
                f.unlink()
        e = dict(os.environ, LC_ALL="C")
        e["ASAN_OPTIONS"] = e.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"
        if env:
            e.update(env)
            e["LD_PRELOAD"] = self.shim
        args = [self.cli, "batch", "in.jsonl", "--quiet", "--threads", threads, "--summary", "s.json"]
        if out:
            args += ["-o", out]
        p = subprocess.run(args, cwd=self.dir, env=e, stdout=stdout, stderr=subprocess.PIPE, timeout=TIME_LIMIT * 6)
        return p

    def output(self, name="out.jsonl"):
        p = self.dir / name
        return p.read_bytes() if p.exists() else None

    def summary(self):
        p = self.dir / "s.json"
        return json.loads(p.read_text()) if p.exists() else None

    def leftovers(self):
        return sorted(f.name for f in self.dir.iterdir() if f.name not in ("in.jsonl", "out.jsonl", "s.json"))


def invariant(s):
    """B6: None when the summary (if written) keeps records = results + errors and does not
    claim completeness wrongly; else why not."""
    if s is None:
        return None
    if s.get("records") != s.get("results", 0) + s.get("errors", 0):
        return f"records {s.get('records')} != results {s.get('results')} + errors {s.get('errors')}"
    return None


def make_checks(cli, shim, probe=False):
    state = {}

    def env():
        if "b" not in state:
            state["b"] = Batch(cli, shim)
            p = state["b"].run()
            state["clean"] = (p.returncode, state["b"].output(), state["b"].summary())
        return state["b"]

    def b1():
        b = env()
        rc0, ref, s0 = state["clean"]
        if rc0 != 0 or ref is None or s0.get("records") != b.records or not s0.get("complete"):
            return Outcome(False, f"clean run: exit {rc0}, summary {s0 and {k: s0.get(k) for k in ('records', 'complete')}}")
        # Every k up to the first k that no longer fails (the number of writes of a clean run).
        bad, k = [], 1
        while k <= 256:
            p = b.run({"OLIGOSCREEN_FAULT_WRITE_AT": str(k)})
            if p.returncode == 0:
                break
            why = invariant(b.summary())
            # The output is absent, or complete when only a later write (the summary) failed.
            if p.returncode != 4 or b.output() not in (None, ref) or b.leftovers() or why:
                bad.append(f"k={k}: exit {p.returncode}, output {'present' if b.output() else 'absent'}, "
                           f"left {b.leftovers()}, {why}")
            k += 1
        shorts = [j for j in range(1, k) if (b.run({"OLIGOSCREEN_FAULT_WRITE_AT": str(j), "OLIGOSCREEN_FAULT_SHORT": "1"})
                                             .returncode != 0 or b.output() != ref)]
        with open("/dev/full", "wb") as full:
            p = b.run(out=None, stdout=full)
        full_ok = p.returncode == 4
        if bad or shorts or not full_ok or k == 1:
            return Outcome(False, f"{'; '.join(bad[:3])} short-write mismatches at {shorts[:5]}; /dev/full exit {p.returncode}")
        return Outcome(True, f"ENOSPC at each of the {k - 1} writes: exit 4, the output absent (or complete when only the "
                             f"summary write failed), no temporary left; "
                             f"short write at each: output identical; stdout on /dev/full: exit 4")

    def b2():
        b = env()
        _, ref, _ = state["clean"]
        bad = []
        for k in (1, 2, 3):
            p = b.run({"OLIGOSCREEN_FAULT_READ_AT": str(k)})
            s, out = b.summary(), b.output() or b""
            rows = out.count(b"\n")
            fe = (s or {}).get("files", [{}])[0].get("file_error", {})
            if (p.returncode != 4 or not s or s.get("complete") is not False or fe.get("kind") != "io"
                    or s.get("records") != rows or invariant(s) or not ref.startswith(out)
                    or b"in.jsonl" not in p.stderr):
                bad.append(f"k={k}: exit {p.returncode}, rows {rows}, summary "
                           f"{s and {x: s.get(x) for x in ('records', 'results', 'errors', 'complete')}}, {fe}")
        if bad:
            return Outcome(False, "; ".join(bad))
        return Outcome(True, "EIO at read 1, 2, 3: exit 4 naming the file; summary complete: false, file_error io; "
                             "the rows written are exactly the records read, in order (a prefix of the clean output)")

    def b4():
        b = env()
        e = dict(os.environ, LC_ALL="C")
        p = subprocess.Popen([cli, "batch", "in.jsonl", "--quiet"], cwd=b.dir, env=e, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        p.stdout.read(100)
        p.stdout.close()
        p.wait(timeout=TIME_LIMIT * 6)
        return Outcome(p.returncode == 4, f"reader stops after 100 bytes: exit {p.returncode} (expected 4, no signal)")

    def b5():
        b = env()
        _, ref, _ = state["clean"]
        outcomes = []
        for delay in (0.05, 0.2, 0.5):
            for f in b.dir.iterdir():
                if f.name != "in.jsonl":
                    f.unlink()
            p = subprocess.Popen([cli, "batch", "in.jsonl", "--quiet", "--threads", "1", "-o", "out.jsonl"],
                                 cwd=b.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            time.sleep(delay)
            p.send_signal(signal.SIGKILL)
            p.wait()
            out = b.output()
            outcomes.append("absent" if out is None else ("complete" if out == ref else "HALF"))
        rerun = b.run()
        ok = "HALF" not in outcomes and rerun.returncode == 0 and b.output() == ref
        return Outcome(ok, f"SIGKILL after 50/200/500 ms: output {outcomes}; re-run identical: {b.output() == ref}")

    def b6():
        # The summaries seen by B1 and B2 are checked there; here: a clean run and one with
        # record errors keep records = results + errors with complete: true.
        b = env()
        _, _, s0 = state["clean"]
        bad_in = registry().replace(b'{"id":"R0000-03"', b'{"id":"R0000-03",,', 1)
        (b.dir / "in.jsonl").write_bytes(bad_in)
        p = b.run()
        s1 = b.summary()
        (b.dir / "in.jsonl").write_bytes(registry())
        ok = (invariant(s0) is None and invariant(s1) is None and s1 and s1.get("errors") == 1 and p.returncode == 1
              and s1.get("complete") is True and s1.get("records") == b.records)
        return Outcome(bool(ok), f"clean: {s0.get('records')} = {s0.get('results')} + {s0.get('errors')}; one bad "
                                 f"record: {s1 and s1.get('records')} = {s1 and s1.get('results')} + "
                                 f"{s1 and s1.get('errors')}, exit {p.returncode}")

    return {"B1": [("write faults", b1)], "B2": [("read fault", b2)], "B4": [("closed stdout", b4)],
            "B5": [("SIGKILL", b5)], "B6": [("count invariant", b6)]}


B = {
    "B1": dict(input="ENOSPC on the k-th write for every k; short writes; stdout on /dev/full",
               expected="non-zero exit; the final file not renamed into place; nothing claims success"),
    "B2": dict(input="EIO on the k-th read mid-input", expected="error naming the file; records read accounted for"),
    "B4": dict(input="stdout closed early (EPIPE)", expected="clean exit with a code, no crash"),
    "B5": dict(input="SIGKILL mid-run, then re-run", expected="old or new output intact; re-run identical"),
    "B6": dict(input="Any of the above", expected="records = results + errors, or complete: false"),
}
