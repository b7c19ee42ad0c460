#!/usr/bin/env python3
"""Load test of `oligoscreen serve` (ctest label `load`): N requests from C concurrent clients
on loopback, each on its own keep-alive connection, a mix of discovery and card requests for
every example Bundle. Every response is checked (status 200, parses, one card whose summary is
the one the same request got first); any failure or lost request fails the test. Prints
requests per second and latency percentiles (figures, not assertions: docs/performance.md).
Usage: load_test.py OLIGOSCREEN EXAMPLES_DIR [--requests N] [--clients C]
"""
import argparse
import http.client
import json
import threading
import time

from cds_client import SERVICE, Server, example_requests


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cli")
    ap.add_argument("examples")
    ap.add_argument("--requests", type=int, default=10000)
    ap.add_argument("--clients", type=int, default=8)
    a = ap.parse_args()
    reqs = example_requests(a.examples)
    work = [("GET", "/cds-services", None)] + [("POST", f"/cds-services/{SERVICE}", body) for _, body in reqs]
    server = Server(a.cli)
    expected = {}  # request index -> first response body
    lock = threading.Lock()
    latencies, errors = [], []
    done = [0]

    def client(k):
        conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
        mine = []
        for i in range(k, a.requests, a.clients):
            method, path, body = work[i % len(work)]
            t0 = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers={"Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conn = http.client.HTTPConnection(server.host, server.port, timeout=60)
                errors.append(f"request {i}: {e!r}")
                continue
            mine.append(time.perf_counter() - t0)
            if status != 200:
                errors.append(f"request {i}: status {status}")
                continue
            try:
                doc = json.loads(data)
                if method == "POST" and len(doc["cards"]) != 1:
                    raise ValueError("not one card")
            except (ValueError, KeyError) as e:
                errors.append(f"request {i}: {e}")
                continue
            with lock:
                first = expected.setdefault(i % len(work), data)
                done[0] += 1
            if first != data:
                errors.append(f"request {i}: a different response to the same request")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    rc, _ = server.stop()
    latencies.sort()

    def pct(p):
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))] * 1000 if latencies else float("nan")

    print(f"{a.requests} requests, {a.clients} clients: {done[0]} ok, {len(errors)} failed, "
          f"{elapsed:.2f} s, {a.requests / elapsed:.0f} requests/s, latency p50 {pct(50):.2f} ms, "
          f"p99 {pct(99):.2f} ms, max {latencies[-1] * 1000 if latencies else 0:.2f} ms")
    for e in errors[:10]:
        print("FAIL", e)
    if errors or done[0] != a.requests or rc != 0:
        raise SystemExit(f"FAIL: {len(errors)} failed, {a.requests - done[0]} not answered, exit code {rc}")


if __name__ == "__main__":
    main()
