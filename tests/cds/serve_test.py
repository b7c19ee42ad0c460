#!/usr/bin/env python3
"""`oligoscreen serve` over HTTP, called with curl (docs/cds-hooks.md).

Starts the server on a loopback port the system chooses, then checks: discovery; one card per
example Bundle with the expected summary and no nulls; feedback; every 4xx path (400 malformed
JSON and non-CDS requests, 404 unknown service and path, 413 body over the limit, 415 wrong
content type), each with a JSON error body; and finally SIGTERM: a request in flight still
gets its answer, exit code 0, no patient data in the log.
Usage: serve_test.py OLIGOSCREEN EXAMPLES_DIR
"""
import json
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from cds_client import SERVICE, Server, example_requests, has_null

EXPECTED = {  # the summary's start per example (SBRT verdict and state)
    "ddlps-repeat-oligoprogression": "SBRT consider \u2014 repeat oligoprogression",
    "dsrct-peritoneal-not-oligometastatic": "SBRT not eligible \u2014 not oligometastatic",
    "ewing-induced-oligopersistence": "SBRT consider \u2014 induced oligopersistence",
    "lms-lung-metachronous": "SBRT supported \u2014 metachronous oligorecurrence",
    "lms-missing-data": "SBRT indeterminate \u2014 oligometastatic unclassified",
    "no-metastases-restaging": "SBRT not eligible \u2014 no metastatic disease",
    "ups-lung-synchronous": "SBRT consider \u2014 synchronous omd",
    "ups-polymetastatic": "SBRT not eligible \u2014 polymetastatic",
}
failures = []


def curl(url, method="GET", body=None, content_type="application/json", extra=()):
    cmd = ["curl", "-s", "-S", "-o", "-", "-w", "\n%{http_code}", "-X", method, *extra]
    if content_type is not None:
        cmd += ["-H", f"Content-Type: {content_type}"]
    stdin = None
    if body is not None:
        cmd += ["--data-binary", "@-"]
        stdin = body
    p = subprocess.run(cmd + [url], input=stdin, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise SystemExit(f"FAIL: curl {method} {url}: {p.stderr.decode()}")
    text, _, code = p.stdout.decode().rpartition("\n")
    return int(code), text


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def expect_error(name, status, code, text):
    check(code == status, f"{name}: status {code}, expected {status}")
    try:
        body = json.loads(text)
        check(body.get("error", {}).get("status") == status and body["error"].get("message"),
              f"{name}: error body {text!r}")
        check(not has_null(body), f"{name}: null in the error body")
    except ValueError:
        check(False, f"{name}: not JSON: {text[:200]!r}")


def in_flight_after_sigterm(server, body):
    """A request in flight when SIGTERM arrives is finished. The client sends the headers with
    `Expect: 100-continue` and waits for "100 Continue" (the server is now reading this
    request), sends SIGTERM, waits until new connections are refused (no longer accepting),
    then sends the body and expects its card."""
    s = socket.create_connection((server.host, server.port), timeout=30)
    s.sendall((f"POST /cds-services/{SERVICE} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").encode())
    interim = b""
    while not interim.endswith(b"\r\n\r\n"):
        chunk = s.recv(1)
        if not chunk:
            break
        interim += chunk
    check(interim.startswith(b"HTTP/1.1 100"), f"100 Continue before the body: {interim!r}")
    server.proc.send_signal(signal.SIGTERM)
    for _ in range(600):  # up to a minute: a bound, not a timing assertion
        try:
            socket.create_connection((server.host, server.port), timeout=1).close()
            time.sleep(0.1)
        except OSError:
            break
    else:
        check(False, "SIGTERM: the server still accepts connections")
    s.sendall(body)
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    check(data.startswith(b"HTTP/1.1 200"), f"in-flight request finished after SIGTERM: {data[:60]!r}")
    check(b'"cards":[{' in data, "in-flight request got its card")


def main():
    cli, examples = sys.argv[1], sys.argv[2]
    if not shutil.which("curl"):
        raise SystemExit("FAIL: curl is not installed")
    server = Server(cli, "--log-level", "info", "--max-body", str(1 << 20))
    base = server.url
    check(server.host == "127.0.0.1", "binds to loopback by default")
    try:
        code, text = curl(base + "/cds-services")
        d = json.loads(text)
        check(code == 200 and d["services"][0]["hook"] == "patient-view" and d["services"][0]["id"] == SERVICE,
              "discovery")
        check(not has_null(d), "discovery has no null")
        for name, body in example_requests(examples):
            code, text = curl(f"{base}/cds-services/{SERVICE}", "POST", body)
            check(code == 200, f"{name}: status {code}")
            cards = json.loads(text)["cards"]
            check(len(cards) == 1, f"{name}: one card")
            c = cards[0]
            check(c["summary"].startswith(EXPECTED[name]), f"{name}: summary {c['summary']!r}")
            check(len(c["summary"]) < 140, f"{name}: summary length")
            check(c["indicator"] in ("info", "warning"), f"{name}: indicator")
            check(c["source"]["label"].startswith("oligoscreen sarcoma-sbrt "), f"{name}: source")
            check(not has_null(cards), f"{name}: no null")
            again = curl(f"{base}/cds-services/{SERVICE}", "POST", body)[1]
            check(again == text, f"{name}: the same request gives the same bytes")
        code, text = curl(f"{base}/cds-services/{SERVICE}", "POST",
                          b'{"hook":"patient-view","hookInstance":"x","context":{"patientId":"p1"}}')
        check(code == 200 and "needs FHIR data" in json.loads(text)["cards"][0]["summary"], "no prefetch: data card")
        code, text = curl(f"{base}/cds-services/{SERVICE}/feedback", "POST",
                          b'{"feedback":[{"card":"6b0c9c42-5a8e-8f3e-9d11-0a6f2b8a1c2d","outcome":"accepted",'
                          b'"outcomeTimestamp":"2024-05-02T10:00:00Z"}]}')
        check(code == 200 and json.loads(text) == {}, f"feedback: {code} {text!r}")
        # Every 4xx path.
        expect_error("malformed JSON", 400, *curl(f"{base}/cds-services/{SERVICE}", "POST", b'{"hook":'))
        expect_error("wrong hook", 400, *curl(f"{base}/cds-services/{SERVICE}", "POST",
                                              b'{"hook":"order-sign","hookInstance":"x","context":{"patientId":"p"}}'))
        expect_error("feedback without a list", 400,
                     *curl(f"{base}/cds-services/{SERVICE}/feedback", "POST", b'{"card":"x"}'))
        expect_error("unknown service", 404, *curl(f"{base}/cds-services/nope", "POST", b"{}"))
        expect_error("unknown path", 404, *curl(f"{base}/nothing-here"))
        expect_error("wrong method", 404, *curl(f"{base}/cds-services/{SERVICE}"))
        with tempfile.TemporaryFile() as big:
            big.write(b" " * ((1 << 20) + 1))
            big.seek(0)
            expect_error("body over the limit", 413, *curl(f"{base}/cds-services/{SERVICE}", "POST", big.read()))
        expect_error("text/plain", 415, *curl(f"{base}/cds-services/{SERVICE}", "POST", b"{}", "text/plain"))
        expect_error("no content type", 415, *curl(f"{base}/cds-services/{SERVICE}", "POST", b"{}", None,
                                                    ("-H", "Content-Type:")))
        in_flight_after_sigterm(server, example_requests(examples)[0][1])
    finally:
        rc, log = server.stop()
    check(rc == 0, f"SIGTERM: exit code {rc}")
    check("stopped on signal 15" in log, "SIGTERM: logged the stop")
    check("feedback: card 6b0c9c42-5a8e-8f3e-9d11-0a6f2b8a1c2d: accepted" in log, "feedback logged")
    for secret in ("1970-01-01", "leiomyosarcoma", "FHIR-LMS-001", "uterus"):
        check(secret not in log, f"the log holds no patient data ({secret})")
    if failures:
        raise SystemExit(f"{len(failures)} failure(s)")
    print("ok: discovery, cards, feedback, 4xx paths, SIGTERM")


if __name__ == "__main__":
    main()
