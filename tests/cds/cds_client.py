"""Shared by serve_test.py and load_test.py: start `oligoscreen serve` on a port the system
chooses, build CDS Hooks requests from the example Bundles, stop the server with SIGTERM."""
import json
import pathlib
import re
import signal
import subprocess
import time

SERVICE = "sarcoma-sbrt"


class Server:
    def __init__(self, cli, *args):
        self.proc = subprocess.Popen([cli, "serve", "--port", "0", *args], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # "listening on http://127.0.0.1:PORT" once bound
        m = re.match(r"listening on http://([0-9.]+):(\d+)$", line.strip())
        if not m:
            self.proc.kill()
            raise SystemExit(f"FAIL: the server did not start: {line!r} {self.proc.stderr.read()}")
        self.host, self.port = m.group(1), int(m.group(2))
        self.url = f"http://{self.host}:{self.port}"

    def stop(self, timeout=30):
        """SIGTERM; returns (exit code, stderr). Fails when the server does not exit in time."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            _, err = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise SystemExit("FAIL: the server did not stop within the timeout after SIGTERM")
        return self.proc.returncode, err


def example_requests(examples_dir):
    """(name, request body bytes) per example Bundle, with the Bundle as the conditions prefetch."""
    out = []
    for b in sorted(pathlib.Path(examples_dir).glob("*.bundle.json")):
        bundle = json.loads(b.read_text())
        req = {"hook": "patient-view", "hookInstance": f"00000000-0000-4000-8000-{len(out):012d}",
               "context": {"userId": "Practitioner/example", "patientId": "p1"},
               "prefetch": {"conditions": bundle}}
        out.append((b.name[: -len(".bundle.json")], json.dumps(req).encode()))
    return out


def has_null(v):
    if v is None:
        return True
    if isinstance(v, dict):
        return any(has_null(x) for x in v.values())
    if isinstance(v, list):
        return any(has_null(x) for x in v)
    return False
