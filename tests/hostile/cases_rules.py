"""Catalogue §5, rule files (R1-R22): each case edits a copy of rules/sarcoma-sbrt and runs
`oligoscreen rules check r`, asserting the exit code (3) and every diagnostic line exactly."""
import os

from expect_rules import EXPECT
from harness import check_rules

FACT = "  lesion_count:\n    title: Number of lesions\n    expr: count(lesions)\n    evidence: [lievens2020]\n"


def facts(body):
    return {"facts.yaml": body}


def sub(old, new, count=1):
    def edit(text):
        assert old in text, old
        return text.replace(old, new, count)
    return edit


def billion_laughs():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghi":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    return "\n".join(lines) + "\n"


def symlink_escape(tmp):
    os.symlink("/etc/hostname", tmp / "r" / "escape.yaml")


# Each check: (label, edits, exit code, unused, extra setup); expectations in expect_rules.py.
R = {}
R["R1"] = dict(
    input="A rule file that is empty, or holds only comments",
    expected="File error at 1:1; no rule set is loaded (exit 3)",
    checks=[("empty", facts(""), 3, ["r/facts.yaml:1:1: error: empty YAML document"]),
            ("comments only", facts("# only a comment\n# and another\n"), 3,
             ["r/facts.yaml:1:1: error: empty YAML document"])])
R["R2"] = dict(
    input="10,000 x '[', 10,000 x '{', a 3,000-level block sequence",
    expected="'nesting too deep (limit N)' where the limit is reached, quickly",
    checks=[("10000 [", facts("[" * 10000), 3, []),
            ("10000 {", facts("{" * 10000), 3, []),
            ("3000-level block sequence", facts("- " * 3000 + "x\n"), 3, [])])
R["R3"] = dict(
    input="'&a [*a]' and 'x: &a {k: *a}'",
    expected="'anchors/aliases not allowed' at the anchor; no walk, no stack overflow",
    checks=[("self alias", facts("&a [*a]\n"), 3, []),
            ("map cycle", facts("x: &a {k: *a}\n"), 3, [])])
R["R4"] = dict(
    input="377-byte billion-laughs document",
    expected="rejected at the first anchor, quickly, memory below the cap",
    checks=[("billion laughs", facts(billion_laughs()), 3, [])])
R["R5"] = dict(
    input="A key twice in one mapping (a threshold; a boolean false then true)",
    expected="'duplicate key ... (first at L)' at the second occurrence",
    checks=[("threshold twice", {"parameters.yaml": sub("    value: 6\n", "    value: 6\n    value: 5\n")}, 3, []),
            ("boolean false then true", {"evidence.yaml": sub("    verified: false\n",
                                                              "    verified: false\n    verified: true\n")}, 3, [])])
R["R6"] = dict(
    input="Two rules sharing an id, in the same file or in different files",
    expected="load error naming both locations",
    checks=[("same file", facts(lambda t: t + FACT), 3, []),
            ("different files", {"definition.yaml": lambda t: t + "facts:\n" + FACT}, 3, [])])
R["R7"] = dict(
    input="'a: 1\\n---\\nb: 2'",
    expected="'exactly one YAML document expected' at the '---'",
    checks=[("two documents", facts(lambda t: t + "---\nb: 2\n"), 3, [])])
R["R8"] = dict(
    input="'\"foo\",', '\"a\" \"b\"', a lone ',', '[[:', '{!\\xdb:', '{# ke\\ny{:'",
    expected="a clear error in milliseconds; LoadAll never called; memory bounded",
    checks=[("trailing comma", facts('"foo",\n'), 3, []),
            ("two scalars", facts('"a" "b"\n'), 3, []),
            ("lone comma", facts(","), 3, []),
            ("[[:", facts("[[:"), 3, []),
            ("{!\\xdb:", facts(b"{!\xdb:"), 3, []),
            ("{# ke y{:", facts("{# ke\ny{:"), 3, [])])
R["R9"] = dict(
    input="Tab-indented line",
    expected="error at that line and column with the hint 'tabs not allowed for indentation'",
    checks=[("tab", facts("facts:\n\tlesion_count:\n\t\texpr: count(lesions)\n"), 3, [])])
R["R10"] = dict(
    input="CR-only line endings; mixed CRLF/LF",
    expected="rejected with a clear message (CR-only), or line numbers correct (CRLF)",
    checks=[("CR only", facts(lambda t: t.replace("\n", "\r")), 3, []),
            ("mixed CRLF/LF, error on line 7", facts(lambda t: t.replace("\n", "\r\n", 5).replace(
                "expr: count(lesions)", "expr: count(lesionz)")), 3, [])])
R["R11"] = dict(
    input="Invalid UTF-8 (\\xff, overlong \\xc0\\xaf, surrogate \\xed\\xa0\\x80), UTF-16 BOM, NUL byte",
    expected="error at the exact line:col, found by our pre-pass",
    checks=[("\\xff", facts(lambda t: t.encode().replace(b"Number of", b"Num\xffber of", 1)), 3, []),
            ("overlong", facts(lambda t: t.encode().replace(b"Number of", b"Num\xc0\xafber of", 1)), 3, []),
            ("surrogate", facts(lambda t: t.encode().replace(b"Number of", b"Num\xed\xa0\x80ber of", 1)), 3, []),
            ("UTF-16 BOM", facts(lambda t: b"\xff\xfe" + t.encode("utf-16-le")), 3, []),
            ("NUL", facts(lambda t: t.encode().replace(b"Number of", b"Num\x00ber of", 1)), 3, [])])
R["R12"] = dict(
    input="File over the size cap (5 MiB); a 2 MiB scalar; a 1 MB line",
    expected="rejected before parsing (size) or at the scalar/line (length), quickly",
    checks=[("5 MiB file", facts("# " + "x" * 100 + "\n" * 1 + ("# " + "x" * 1000 + "\n") * 5200), 3, []),
            ("2 MiB scalar", facts("facts:\n  a:\n    title: |\n" + ("      " + "x" * 1000 + "\n") * 2100), 3, []),
            ("1 MB line", facts("facts:\n  a:\n    title: " + "x" * 1000000 + "\n"), 3, [])])
R["R13"] = dict(
    input="Unknown key ('descripton:' for 'description:')",
    expected="error with a did-you-mean suggestion",
    checks=[("misspelt key", {"parameters.yaml": sub("    description: >-\n", "    descripton: >-\n")}, 3, [])])
R["R14"] = dict(
    input="Wrong type: value 'five', '[5]', '{}' for a number",
    expected="type error at the value's position",
    checks=[(v, {"parameters.yaml": sub("    value: 6\n", f"    value: {v}\n")}, 3, []) for v in ("five", "[5]", "{}")])
R["R15"] = dict(
    input="010, 0x10, +5, ' 5', .nan, .inf, 1e999, 5., 1,5 as a number",
    expected="rejected by our grammar; never 8, 16, NaN or inf",
    checks=[(v, {"parameters.yaml": sub("    value: 6\n", f"    value: {v}\n")}, 3, [])
            for v in ("010", "0x10", "+5", "' 5'", ".nan", ".inf", "1e999", "5.", "1,5")])
R["R16"] = dict(
    input="yes/no/on/off/y/n/True in a boolean field",
    expected="rejected (only true/false)",
    checks=[(v, {"evidence.yaml": sub("    verified: false\n", f"    verified: {v}\n")}, 3, [])
            for v in ("yes", "no", "on", "off", "y", "n", "True")])
R["R17"] = dict(
    input="Missing required field (manifest version; evidence citation; schema field type)",
    expected="error at the parent mapping's line:col naming the field",
    checks=[("no version", {"manifest.yaml": sub("version: 1.0.1\n", "")}, 3, []),
            ("no citation", {"evidence.yaml": lambda t: t.replace(t[t.index("    citation:"):t.index("    pmid:")], "", 1)},
             3, []),
            ("field without type", {"schema.yaml": sub("    type: text\n", "", 1)}, 3, [])])
R["R18"] = dict(
    input="A rule referencing an undefined name; two facts referencing each other",
    expected="load error listing the reference or the cycle",
    checks=[("undefined", facts(lambda t: t.replace("expr: count(lesions)", "expr: count(lesionz)", 1)), 3, []),
            ("cycle", facts(lambda t: t + "  cyc_a:\n    title: a\n    expr: cyc_b\n    evidence: [lievens2020]\n"
                            "  cyc_b:\n    title: b\n    expr: cyc_a\n    evidence: [lievens2020]\n"), 3, [])])
R["R19"] = dict(
    input="A rule with an empty citation, an unknown citation, or no evidence; a rule set with no version",
    expected="load error (SAF-3, SAF-5)",
    checks=[("empty citation", {"evidence.yaml": lambda t: t.replace(
        t[t.index("    citation:"):t.index("    pmid:")], '    citation: ""\n', 1)}, 3, []),
            ("unknown evidence id", facts(lambda t: t.replace("evidence: [lievens2020]", "evidence: [lievens2021]", 1)),
             3, []),
            ("no evidence", facts(lambda t: t.replace("    evidence: [lievens2020]\n", "", 1)), 3, []),
            ("version empty", {"manifest.yaml": sub("version: 1.0.1\n", "version: \"\"\n")}, 3, [])])
R["R21"] = dict(
    input="Rule file path '../../etc/passwd', an absolute path, a symlink escaping the root",
    expected="rejected",
    checks=[("dotdot", {"manifest.yaml": sub("files: [schema.yaml,", "files: [../../etc/passwd, schema.yaml,")}, 3, []),
            ("absolute", {"manifest.yaml": sub("files: [schema.yaml,", "files: [/etc/hostname, schema.yaml,")}, 3, []),
            ("symlink", {"manifest.yaml": sub("files: [schema.yaml,", "files: [escape.yaml, schema.yaml,")}, 3, [],
             symlink_escape)])
R["R22"] = dict(
    input="'!!binary', custom '!tag', '!!python/object'",
    expected="rejected ('tags not allowed')",
    checks=[(t, facts(lambda x, t=t: x.replace("expr: count(lesions)", f"expr: {t} count(lesions)", 1)), 3, [])
            for t in ("!!binary", "!custom", "!!python/object:os.system")])


def make_checks(cli, probe):
    """{case id: [(label, thunk -> Outcome)]}."""
    out = {}
    for cid, c in R.items():
        lst = []
        for chk in c["checks"]:
            label, edits = chk[:2]
            rc, lines = EXPECT[(cid, label)]
            extra = chk[4] if len(chk) > 4 else None
            lst.append((label, lambda e=edits, r=rc, l=lines, x=extra: check_rules(cli, e, r, l, probe, extra=x)))
        out[cid] = lst
    return out
