#!/usr/bin/env python3
"""End-to-end tests of `oligoscreen batch` (issue 5): run as `batch_test.py OLIGOSCREEN CASE`.

Each CASE is one ctest test. Registries come from ../shared/bench/gen.py (seeded, so every
run sees the same bytes); corrupted records are made here with a seeded generator.
Exit 0 pass, 1 fail, 77 skipped (a tool this machine lacks).
"""
import csv
import hashlib
import io
import json
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHARED = os.environ.get("OLIGOSCREEN_SHARED", os.path.join(os.path.dirname(ROOT), "shared"))
GEN = os.path.join(SHARED, "bench", "gen.py")
SKIP = 77


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def gen(n, fmt="jsonl", seed=42):
    if not os.path.exists(GEN):
        raise Fail("missing " + GEN + " (set OLIGOSCREEN_SHARED)")
    return subprocess.run([sys.executable, GEN, str(n), "--seed", str(seed), "--format", fmt],
                          check=True, stdout=subprocess.PIPE).stdout


def run(args, stdin=None, **kw):
    return subprocess.run([EXE] + args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def batch(tmp, data, name="in.jsonl", extra=(), stdin=None):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    p = run(["batch", path, "--quiet"] + list(extra), stdin=stdin)
    return p


def rows(out):
    return [json.loads(l) for l in out.decode().splitlines()]


def write(tmp, name, data):
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


# --- cases -----------------------------------------------------------------------------

def case_ordering(tmp):
    data = gen(3000)
    p = batch(tmp, data, extra=["--threads", "4"])
    check(p.returncode == 0, "exit %d: %s" % (p.returncode, p.stderr.decode()))
    ids = [r["id"] for r in rows(p.stdout)]
    want = [json.loads(l)["id"] for l in data.decode().splitlines()]
    check(ids == want, "results are not in input order")


def case_threads(tmp):
    data = gen(4000)
    path = write(tmp, "in.jsonl", data)
    hashes = {}
    for fmt in ("jsonl", "csv"):
        for t in ("1", "2", "8"):
            p = run(["batch", path, "--quiet", "--threads", t, "--format", fmt])
            check(p.returncode == 0, "exit %d" % p.returncode)
            hashes[(fmt, t)] = hashlib.sha256(p.stdout).hexdigest()
        check(len({hashes[(fmt, t)] for t in ("1", "2", "8")}) == 1, "%s output differs between 1, 2, 8 threads" % fmt)
    p = run(["batch", path, "--quiet", "--threads", "8", "--what-if", "--explain"])
    q = run(["batch", path, "--quiet", "--threads", "1", "--what-if", "--explain"])
    check(p.stdout == q.stdout and p.stdout, "--explain --what-if output differs between 1 and 8 threads")


def verdicts(r):
    return (r["id"], r["state"], r["estro_eortc"], r["omd_definition"], r["sbrt"]["verdict"],
            r["trials"]["oligorare"]["verdict"], tuple(m["field"] for m in r["missing"]))


def case_equivalence(tmp):
    n = 300
    jl = gen(n)
    csv = gen(n, "csv")
    a = batch(tmp, jl, "r.jsonl")
    b = batch(tmp, csv, "r.csv")
    check(a.returncode == 0 and b.returncode == 0, "exit codes %d %d: %s" % (a.returncode, b.returncode, b.stderr))
    ra, rb = rows(a.stdout), rows(b.stdout)
    check(len(ra) == n and len(rb) == n, "row counts %d %d" % (len(ra), len(rb)))
    for x, y in zip(ra, rb):
        check(verdicts(x) == verdicts(y), "JSONL and CSV differ for %s: %s vs %s" % (x["id"], verdicts(x), verdicts(y)))
    # The same records as one YAML case each, through `screen`.
    for i, line in enumerate(jl.decode().splitlines()[:40]):
        rec = json.loads(line)
        ypath = os.path.join(tmp, "case%d.yaml" % i)
        with open(ypath, "w") as f:
            f.write(to_yaml(rec))
        p = run(["screen", "--format", "json", "--no-what-if", ypath])
        check(p.returncode == 0, "screen %s: %s" % (ypath, p.stderr.decode()))
        check(verdicts(json.loads(p.stdout)) == verdicts(ra[i]), "YAML and JSONL differ for " + rec["id"])


def to_yaml(v, indent=0):
    pad = " " * indent
    if isinstance(v, dict):
        out = ""
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                out += "%s%s:\n%s" % (pad, k, to_yaml(x, indent + 2))
            else:
                out += "%s%s: %s\n" % (pad, k, scalar(x))
        return out
    out = ""
    for x in v:
        if isinstance(x, dict):
            out += "%s- {%s}\n" % (pad, ", ".join("%s: %s" % (k, scalar(y)) for k, y in x.items()))
        else:
            out += "%s- %s\n" % (pad, scalar(x))
    return out


def scalar(x):
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, (int, float)):
        return json.dumps(x)
    if isinstance(x, list):
        return "[]"
    if isinstance(x, dict):
        return "{}"
    return json.dumps(x)  # a JSON string is a valid double-quoted YAML scalar


def case_screen_equal(tmp):
    lines = gen(200).decode().splitlines()
    for opts in (["--no-what-if"], ["--what-if"]):
        p = batch(tmp, ("\n".join(lines) + "\n").encode(), extra=opts)
        out = p.stdout.decode().splitlines()
        check(len(out) == len(lines), "row count")
        for i in range(0, len(lines), 7):
            path = write(tmp, "one.json", lines[i].encode())
            s = run(["screen", "--format", "json", path] + opts)
            check(s.stdout.decode() == out[i] + "\n", "batch and screen differ for record %d with %s" % (i + 1, opts))
    # --explain: identical for a record on line 1 (the trace's positions are file lines).
    path = write(tmp, "one.jsonl", (lines[3] + "\n").encode())
    b = run(["batch", path, "--quiet", "--explain"])
    s = run(["screen", "--format", "json", "--explain", "--no-what-if", path.replace(".jsonl", ".json")]
            if False else ["screen", "--format", "json", "--explain", "--no-what-if", write(tmp, "one.json", lines[3].encode())])
    check(b.stdout == s.stdout, "batch --explain and screen --explain differ")


MALFORMED = [
    ("bad_json", b'{"id": "X1", "age": }', "syntax"),
    ("two_objects", b'{"id": "X2"} {"id": "X3"}', "syntax"),
    ("top_level_array", b'[{"id": "X4"}]', "type"),
    ("invalid_utf8", b'{"id": "X5", "primary": {"site": "th\xffigh"}}', "encoding"),
    ("duplicate_key", b'{"id": "X6", "age": 50, "age": 51}', "duplicate_key"),
    ("range", b'{"id": "X7", "ecog": 7}', "range"),
    ("overlong", b'{"id": "X8", "primary": {"site": "' + b"a" * (1100 * 1024) + b'"}}', "limit"),
]


def case_malformed(tmp):
    good = gen(20).decode().splitlines()
    lines, expect = [], []
    for i, (name, bad, kind) in enumerate(MALFORMED):
        lines.append(good[i].encode())
        expect.append(("ok", json.loads(good[i])["id"]))
        lines.append(bad)
        expect.append((kind, name))
    lines.append(good[-1].encode())
    expect.append(("ok", json.loads(good[-1])["id"]))
    data = b"\n".join(lines[:3]) + b"\n   \n\n" + b"\n".join(lines[3:]) + b"\n"
    summary = os.path.join(tmp, "s.json")
    p = batch(tmp, data, extra=["--summary", summary])
    check(p.returncode == 1, "exit %d, want 1" % p.returncode)
    out = rows(p.stdout)
    check(len(out) == len(expect), "%d rows for %d records" % (len(out), len(expect)))
    for n, (r, (kind, what)) in enumerate(zip(out, expect), start=1):
        if kind == "ok":
            check("error" not in r and r["id"] == what, "record %d should be the result for %s" % (n, what))
        else:
            check(r.get("error", {}).get("kind") == kind, "%s: kind %s, want %s" % (what, r.get("error"), kind))
            check(r["record"] == n, "%s: record %s, want %d" % (what, r["record"], n))
            check(r["provenance"]["ruleset"]["sha256"], "error rows carry provenance")
    enc = [r for r in out if r.get("error", {}).get("kind") == "encoding"][0]
    check("offset" in enc["error"], "encoding error without offset")
    check(out[3]["line"] == 6, "line numbers count blank lines (got %s)" % out[3]["line"])
    s = json.load(open(summary))
    check(s["records"] == len(expect) and s["records"] == s["results"] + s["errors"], "summary counts")
    check(s["blank_lines"] == 2, "blank lines counted: %s" % s["blank_lines"])
    check(s["errors"] == len(MALFORMED) and s["complete"], "summary errors/complete")

    # CSV: wrong column count, unterminated quote, invalid UTF-8, with good rows after each.
    csv = gen(6, "csv").decode().splitlines()
    hdr, body = csv[0], csv[1:]
    bad = [
        b"Y1,54",                                   # wrong column count
        body[1].encode().replace(b"R0000002", b"Y2\xfe"),  # invalid UTF-8 in the id cell
    ]
    data = "\n".join([hdr, body[0]]).encode() + b"\n" + bad[0] + b"\n" + body[2].encode() + b"\n" + bad[1] + b"\n" + \
        body[3].encode() + b'\n"Y3,unterminated\n' + body[4].encode() + b"\n"
    p = batch(tmp, data, "in.csv")
    out = rows(p.stdout)
    kinds = [r.get("error", {}).get("kind", "ok") for r in out]
    check(p.returncode == 1, "csv exit %d" % p.returncode)
    check(kinds[:5] == ["ok", "syntax", "ok", "encoding", "ok"], "csv kinds %s" % kinds)
    check(kinds[5] == "syntax" and out[-1].get("id") == "R0000005" and kinds[-1] == "ok",
          "an unterminated quote swallowed the rows after it: %s" % kinds)

    # CSV without an id column: a file error (exit 4); the other input is still processed.
    noid = write(tmp, "noid.csv", b"age,ecog\n54,1\n")
    ok = write(tmp, "ok.jsonl", gen(3))
    p = run(["batch", noid, ok, "--quiet", "--summary", summary])
    check(p.returncode == 4, "missing id column: exit %d, want 4" % p.returncode)
    check(len(rows(p.stdout)) == 3 and all(r["source"] == ok for r in rows(p.stdout)), "other input processed")
    s = json.load(open(summary))
    check(s["files"][0]["file_error"]["kind"] == "missing_id" and not s["complete"], "file error in summary")


def case_duplicates(tmp):
    lines = gen(50).decode().splitlines()
    data = "\n".join(lines + [lines[3], lines[7], lines[3]]) + "\n"
    summary = os.path.join(tmp, "s.json")
    p = batch(tmp, data.encode(), extra=["--summary", summary])
    check(p.returncode == 0, "exit %d" % p.returncode)
    s = json.load(open(summary))
    check(s["duplicate_ids"]["count"] == 3, "duplicates %s" % s["duplicate_ids"])
    check(s["duplicate_ids"]["first"] == ["R0000004", "R0000008"], "named %s" % s["duplicate_ids"]["first"])
    check(len(rows(p.stdout)) == 53, "every duplicate still gets its row")
    for key in ("by_state", "by_sbrt", "by_oligorare", "errors_by_kind", "files", "seconds", "records_per_second",
                "provenance"):
        check(key in s, "summary lacks " + key)


def case_output_safety(tmp):
    data = gen(100)
    path = write(tmp, "in.jsonl", data)
    # A device is written directly, never replaced.
    p = run(["batch", path, "--quiet", "-o", "/dev/null"])
    check(p.returncode == 0 and stat.S_ISCHR(os.stat("/dev/null").st_mode), "/dev/null is no longer a device")
    # A regular file: written through a temporary file, nothing left beside it.
    out = os.path.join(tmp, "out.jsonl")
    p = run(["batch", path, "--quiet", "-o", out])
    check(p.returncode == 0 and len(rows(open(out, "rb").read())) == 100, "-o FILE")
    check(sorted(os.listdir(tmp)) == ["in.jsonl", "out.jsonl"], "temporary files left: %s" % os.listdir(tmp))
    # Refuse to overwrite an input (also through another name).
    os.link(path, os.path.join(tmp, "alias.jsonl"))
    for target in (path, os.path.join(tmp, "alias.jsonl")):
        p = run(["batch", path, "--quiet", "-o", target])
        check(p.returncode == 4 and open(path, "rb").read() == data, "overwrote its input via " + target)
    # Disk full: exit 4, no success claimed, the old output untouched.
    if os.path.exists("/dev/full"):
        s = os.path.join(tmp, "s.json")
        p = run(["batch", path, "-o", "/dev/full", "--summary", s])
        check(p.returncode == 4, "/dev/full: exit %d" % p.returncode)
        check(json.load(open(s))["complete"] is False, "summary claims success on /dev/full")
        check(b"cannot write" in p.stderr, "no message on /dev/full")
    # A write error on a regular file leaves the previous output in place (simulated with a FIFO
    # closed early is covered by case_closed_stdout).


def case_closed_stdout(tmp):
    path = write(tmp, "in.jsonl", gen(5000))
    p = subprocess.run("'%s' batch '%s' --quiet --threads 2 | head -1 > /dev/null; echo ${PIPESTATUS[0]}" % (EXE, path),
                       shell=True, executable="/bin/bash", stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    rc = int(p.stdout.decode().strip())
    check(rc == 4, "closed stdout: exit %d, want 4" % rc)


def case_csv_output(tmp):
    rec = {"id": "=HYPERLINK(\"x\")", "lesions": []}
    rec2 = {"id": "-12,5", "lesions": []}
    rec3 = {"id": "\tTAB", "lesions": []}
    data = "\n".join(json.dumps(r) for r in (rec, rec2, rec3)) + "\n" + '{"id": "@bad", "ecog": 9}\n'
    p = batch(tmp, data.encode(), extra=["--format", "csv"])
    lines = p.stdout.decode().split("\n")
    check(lines[0] == "id,state,estro_eortc,omd_definition,sbrt,oligorare,missing,error,ruleset_sha256",
          "header: " + lines[0])
    check(lines[1].startswith('"\'=HYPERLINK(""x"")",'), "formula not escaped: " + lines[1])
    check(lines[2].startswith('"\'-12,5",'), "minus not escaped: " + lines[2])
    check(lines[3].startswith('"\'\tTAB",'), "tab not escaped: " + lines[3])
    check(lines[4].startswith("'@bad,,,,,,,range: "), "error row: " + lines[4])
    check(p.returncode == 1, "exit %d" % p.returncode)
    for opt in ("--explain", "--what-if"):
        q = batch(tmp, data.encode(), extra=["--format", "csv", opt])
        check(q.returncode == 2, "%s with CSV: exit %d, want 2" % (opt, q.returncode))


def case_baseline(tmp):
    build = os.path.join(SHARED, "bench", "baseline", "build.sh")
    if not shutil.which("g++"):
        return SKIP
    base = subprocess.run([build, os.path.join(tmp, "b")], check=True, stdout=subprocess.PIPE).stdout.decode().strip()
    data = gen(20000)
    path = write(tmp, "r.jsonl", data)
    ref = subprocess.run([base, path], stdout=subprocess.PIPE, check=True).stdout.decode().splitlines()
    p = run(["batch", path, "--quiet", "--format", "csv"])
    out = p.stdout.decode().splitlines()
    hdr = out[0].split(",")
    i_state, i_sbrt = hdr.index("state"), hdr.index("sbrt")
    check(len(out) - 1 == len(ref), "row counts")
    diff = 0
    for a, b in zip(out[1:], ref):
        c = a.split(",")
        if (c[0], c[i_state], c[i_sbrt]) != tuple(b.split("\t")):
            diff += 1
            if diff < 5:
                print("differs:", c[0], c[i_state], c[i_sbrt], "baseline:", b)
    check(diff == 0, "%d records differ from the baseline" % diff)


def case_sqlite(tmp):
    if not shutil.which("sqlite3"):
        return SKIP
    csv = gen(500, "csv").decode()
    db = os.path.join(tmp, "registry.db")
    import csv as csvmod, io
    reader = csvmod.reader(io.StringIO(csv))
    header = next(reader)
    con = sqlite3.connect(db)
    cols = ", ".join('"%s" TEXT' % h for h in header)
    con.execute("CREATE TABLE patients (%s)" % cols)
    con.executemany("INSERT INTO patients VALUES (%s)" % ",".join("?" * len(header)), list(reader))
    con.commit()
    con.close()
    p = subprocess.run("sqlite3 -csv -header '%s' 'SELECT * FROM patients ORDER BY id' | '%s' batch - --quiet" % (db, EXE),
                       shell=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    check(p.returncode == 0, "sqlite pipe: exit %d %s" % (p.returncode, p.stderr.decode()))
    direct = batch(tmp, csv.encode(), "r.csv")
    a = [verdicts(r) for r in rows(p.stdout)]
    b = [verdicts(r) for r in rows(direct.stdout)]
    check(len(a) == 500 and a == b, "sqlite round trip verdicts differ")


def case_parallel(tmp):
    if not shutil.which("parallel"):
        return SKIP
    lines = gen(3000).decode().splitlines()
    lines[100] = '{"id": "BROKEN", "age": }'
    lines[2500] = '{"id": "R-range", "ecog": 9}'
    path = write(tmp, "r.jsonl", ("\n".join(lines) + "\n").encode())
    single = run(["batch", path, "--quiet"]).stdout.decode().splitlines()
    cmd = "parallel --pipepart -a '%s' --block 200k -k --halt never '%s' batch - --quiet --threads 1" % (path, EXE)
    p = subprocess.run(cmd, shell=True, executable="/bin/bash", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    merged = p.stdout.decode().splitlines()
    check(len(merged) == len(single), "parallel gave %d rows, single run %d" % (len(merged), len(single)))

    def key(l):
        r = json.loads(l)
        if "error" in r:
            return ("error", r.get("id"), r["error"]["kind"], r["error"]["message"])
        return l
    check([key(l) for l in merged] == [key(l) for l in single], "parallel split/merge differs from the single run")
    shas = {json.loads(l)["provenance"]["ruleset"]["sha256"] for l in merged}
    check(len(shas) == 1, "workers applied different rule sets")


def corrupt_registry(n, seed, rate=0.01):
    """gen.py records with `rate` of them corrupted in varied ways; returns (bytes, kinds by
    record, physical line by record, ids by record)."""
    rnd = random.Random(seed)
    lines = gen(n, seed=seed).splitlines()
    out, expect, at, ids = [], [], [], []
    for line in lines:
        ids.append(json.loads(line)["id"])
        if rnd.random() >= rate:
            out.append(line)
            at.append(len(out))
            expect.append(None)
            continue
        k = rnd.randrange(8)
        if k == 0:
            line = line[: rnd.randrange(1, len(line) - 1)]          # truncated: bad JSON
        elif k == 1:
            i = rnd.randrange(1, len(line) - 1)
            line = line[:i] + bytes([rnd.choice([0xff, 0xc0, 0x80, 0xfe])]) + line[i:]  # invalid UTF-8
        elif k == 2:
            line = line + b" " + line                                  # two objects
        elif k == 3:
            line = b"[" + line + b"]"                                  # top-level array
        elif k == 4:
            line = line.replace(b'"ecog": ', b'"ecog": 9, "x_ecog": ', 1) if b'"ecog": ' in line else b"{"
        elif k == 5:
            line = line[:-1] + b', "id": "dup"}'                      # duplicate key
        elif k == 6:
            line = b"{\"id\": 1e999}"                                   # number out of range
        else:
            line = b"{" + line                                        # syntax
        out.append(line)
        at.append(len(out))
        expect.append(k)
        if rnd.random() < 0.2:
            out.append(b"")  # a blank line: skipped and counted, not a record
    return b"\n".join(out) + b"\n", expect, at, ids


def corrupt_csv_registry(n, seed, rate=0.01):
    """The CSV rendering of gen.py records with `rate` of them corrupted in varied ways (one
    physical line each); returns (bytes, kinds by record, physical line by record, ids)."""
    rnd = random.Random(seed)
    lines = gen(n, fmt="csv", seed=seed).splitlines()
    header, rows = lines[0], lines[1:]
    out, expect, at, ids = [header], [], [], []
    for line in rows:
        cells = next(csv.reader([line.decode()]))
        ids.append(cells[0])
        if rnd.random() >= rate:
            out.append(line)
            at.append(len(out))
            expect.append(None)
            continue
        k = rnd.randrange(8)
        def render(cs):
            buf = io.StringIO()
            csv.writer(buf, lineterminator="").writerow(cs)
            return buf.getvalue().encode()
        if k == 0:
            line = render(cells[:-1])                                  # a column missing
        elif k == 1:
            line = render(cells + ["extra"])                           # a column too many
        elif k == 2:
            i = rnd.randrange(1, len(line) - 1)
            line = line[:i] + bytes([rnd.choice([0xff, 0xc0, 0x80, 0xfe])]) + line[i:]  # invalid UTF-8
        elif k == 3:
            line = line.replace(b",", b',x"y,', 1)                     # a quote inside an unquoted cell
        elif k == 4:
            cells[5] = "9"                                             # ecog out of range
            line = render(cells)
        elif k == 5:
            cells[8] = "2024-13-45"                                    # not a date
            line = render(cells)
        elif k == 6:
            cells[1] = "abc"                                           # age not a number
            line = render(cells)
        else:
            cells[0] = ""                                              # no id
            line = render(cells)
        out.append(line)
        at.append(len(out))
        expect.append(k)
    return b"\n".join(out) + b"\n", expect, at, ids


def accounting(tmp, n):
    """Every record of a corrupted registry, JSON Lines and CSV, gives exactly one row: a
    result for an intact record, an error row naming its record and physical line for a
    corrupted one; the ids of the results are exactly those of the intact records."""
    for fmt, make in (("jsonl", corrupt_registry), ("csv", corrupt_csv_registry)):
        data, expect, at, ids = make(n, seed=20261128)
        path = write(tmp, "bad." + fmt, data)
        del data
        summary = os.path.join(tmp, "s.json")
        out = os.path.join(tmp, "out.jsonl")
        p = run(["batch", path, "--quiet", "-o", out, "--summary", summary])
        check(p.returncode == 1, "%s: exit %d, want 1: %s" % (fmt, p.returncode, p.stderr.decode()))
        s = json.load(open(summary))
        bad = sum(1 for e in expect if e is not None)
        check(s["records"] == n and s["records"] == s["results"] + s["errors"], "%s: records %d results %d errors %d, n %d" %
              (fmt, s["records"], s["results"], s["errors"], n))
        check(s["errors"] == bad, "%s: errors %d, corrupted %d" % (fmt, s["errors"], bad))
        count = 0
        result_ids = []
        with open(out, "rb") as f:
            for i, line in enumerate(f):
                count += 1
                row = json.loads(line)
                is_error = "error" in row
                check(is_error == (expect[i] is not None), "%s record %d: error row %s, corrupted %s" %
                      (fmt, i + 1, is_error, expect[i]))
                if is_error:
                    check(row.get("record") == i + 1, "%s record %d: record number %s" % (fmt, i + 1, row.get("record")))
                    check(row.get("line") == at[i], "%s record %d: line %s, want %d" % (fmt, i + 1, row.get("line"), at[i]))
                else:
                    result_ids.append(row["id"])
        check(count == n, "%s: %d output rows for %d records" % (fmt, count, n))
        intact = [ids[i] for i in range(n) if expect[i] is None]
        check(result_ids == intact, "%s: the ids of the results are not those of the intact records, in order" % fmt)


def case_corrupted_100k(tmp):
    accounting(tmp, 100000)


def case_corrupted_1m(tmp):
    # Label `long`: minutes on two cores; runs only when asked (ctest -L long with
    # OLIGOSCREEN_LONG_TESTS=1), so the ordinary suite stays lean.
    if os.environ.get("OLIGOSCREEN_LONG_TESTS") != "1":
        return SKIP
    accounting(tmp, 1000000)


def main():
    global EXE
    EXE = os.path.abspath(sys.argv[1])
    name = sys.argv[2]
    fn = globals().get("case_" + name)
    if fn is None:
        print("unknown case " + name)
        return 1
    with tempfile.TemporaryDirectory(prefix="oligoscreen-batch-") as tmp:
        try:
            rc = fn(tmp)
        except Fail as e:
            print("FAIL:", e)
            return 1
    if rc == SKIP:
        print("skipped")
        return SKIP
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
