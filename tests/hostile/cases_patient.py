"""Catalogue §5, patient files (P1-P11): edits of a reference case that is `supported`
(examples/cases/lms-lung-metachronous.yaml), screened with `screen --format json`; the exit
code and the outcome (error kinds, fields, positions, messages; or verdicts, missing fields
and warnings) are asserted exactly (expect_patient.py)."""
import json

from expect_patient import EXPECT
from harness import ROOT, check_screen

REF_YAML = (ROOT / "examples" / "cases" / "lms-lung-metachronous.yaml").read_text()
# The same case as JSON (kept here so that the catalogue needs no YAML library).
REF = {
    "id": "TB-2024-017", "assessed_on": "2024-06-12", "age": 54, "sex": "female", "life_expectancy_months": 24,
    "histology": "leiomyosarcoma", "grade": 3, "ecog": 1,
    "primary": {"site": "uterus", "diagnosed": "2021-03-10", "controlled": True, "treatment_completed": "2021-05-28"},
    "history": {"polymetastatic": False, "oligometastatic": False}, "metastases": {"diagnosed": "2024-05-02"},
    "systemic_therapy": {"active": False}, "imaging": ["ct_chest_abdomen_pelvis", "pet_ct"],
    "lesions": [{"site": "lung", "size_mm": 14, "status": "new", "treatable": True},
                {"site": "lung", "size_mm": 9, "status": "new", "treatable": True}]}


def ref_json():
    return json.loads(json.dumps(REF))


def sub(old, new):
    assert old in REF_YAML, old
    return REF_YAML.replace(old, new, 1)


def js(mutate):
    d = ref_json()
    mutate(d)
    return json.dumps(d, indent=1)


def raw_json(old, new):
    t = json.dumps(ref_json(), indent=1)
    assert old in t, old
    return t.replace(old, new, 1)


# Each check: (label, file name, text, extra CLI args).
P = {}
P["P1"] = dict(
    input="A datum a verdict needs is absent (lesions; ecog; primary.controlled)",
    expected="dependent verdicts indeterminate (or consider per policy §5), the datum listed in `missing`; never supported",
    checks=[("no lesions", "c.yaml", sub("lesions:\n  - {site: lung, size_mm: 14, status: new, treatable: true}\n"
                                         "  - {site: lung, size_mm: 9, status: new, treatable: true}\n", ""), ()),
            ("no ecog", "c.yaml", sub("ecog: 1\n", ""), ()),
            ("no primary.controlled", "c.yaml", sub("  controlled: true\n", ""), ())])
P["P2"] = dict(
    input="The datum present but null or ~; '', 'unknown', 'NA' in typed fields",
    expected="null/~ as P1 (never 0 or false); '', 'unknown', 'NA' are errors",
    checks=[("ecog null", "c.yaml", sub("ecog: 1\n", "ecog: null\n"), ()),
            ("controlled ~", "c.yaml", sub("  controlled: true\n", "  controlled: ~\n"), ()),
            ("ecog ''", "c.yaml", sub("ecog: 1\n", "ecog: ''\n"), ()),
            ("controlled unknown", "c.yaml", sub("  controlled: true\n", "  controlled: unknown\n"), ()),
            ("histology NA", "c.yaml", sub("histology: leiomyosarcoma\n", "histology: NA\n"), ())])
P["P3"] = dict(
    input="Out of range: age -3 and 250, ECOG 7, lesion size 0 and 10^6 mm",
    expected="record error (range) with field and position",
    checks=[("age -3", "c.yaml", sub("age: 54\n", "age: -3\n"), ()),
            ("age 250", "c.yaml", sub("age: 54\n", "age: 250\n"), ()),
            ("ecog 7", "c.yaml", sub("ecog: 1\n", "ecog: 7\n"), ()),
            ("size 0", "c.yaml", sub("size_mm: 14,", "size_mm: 0,"), ()),
            ("size 1e6", "c.yaml", sub("size_mm: 14,", "size_mm: 1000000,"), ())])
P["P4"] = dict(
    input="Missing or unknown unit: size written '1.4cm' or '14 mm' where mm are implied",
    expected="error; never a silent assumption",
    checks=[("1.4cm", "c.yaml", sub("size_mm: 14,", "size_mm: 1.4cm,"), ()),
            ("14 mm", "c.yaml", sub("size_mm: 14,", "size_mm: 14 mm,"), ())])
P["P5"] = dict(
    input="Impossible or inconsistent dates: 2023-02-30; treatment before diagnosis; a date after assessed_on",
    expected="record error or indeterminate, with reason",
    checks=[("2023-02-30", "c.yaml", sub("  diagnosed: 2021-03-10\n", "  diagnosed: 2023-02-30\n"), ()),
            ("treatment before diagnosis", "c.yaml", sub("  treatment_completed: 2021-05-28\n",
                                                         "  treatment_completed: 2020-05-28\n"), ()),
            ("after assessed_on", "c.yaml", sub("  diagnosed: 2024-05-02\n", "  diagnosed: 2024-07-02\n"), ())])
P["P6"] = dict(
    input="Contradiction the spec names: metastases diagnosed before the primary",
    expected="error result of kind `contradiction`, never resolved by picking one value",
    checks=[("metastases before primary", "c.yaml", sub("  diagnosed: 2024-05-02\n", "  diagnosed: 2020-05-02\n"), ())])
P["P7"] = dict(
    input="Duplicate key in YAML; {\"a\":1,\"a\":2} in JSON",
    expected="error (duplicate_key) at the second key",
    checks=[("YAML", "c.yaml", sub("ecog: 1\n", "ecog: 1\necog: 0\n"), ()),
            ("JSON", "c.json", raw_json('"ecog": 1,', '"ecog": 1,\n "ecog": 0,'), ())])
P["P8"] = dict(
    input="JSON NaN, Infinity, 01, 1e400, trailing comma, comments",
    expected="error (strict RFC 8259)",
    checks=[(label, "c.json", raw_json('"ecog": 1,', f'"ecog": {v},'), ()) for label, v in
            [("NaN", "NaN"), ("Infinity", "Infinity"), ("01", "01"), ("1e400", "1e400")]] +
           [("trailing comma", "c.json", raw_json('"ecog": 1,', '"ecog": 1,,'), ()),
            ("comment", "c.json", raw_json('"ecog": 1,', '"ecog": 1, // ECOG'), ())])
P["P9"] = dict(
    input="Unknown enum value: misspelt histology; unknown lesion site",
    expected="error; never a default branch",
    checks=[("histology", "c.yaml", sub("histology: leiomyosarcoma\n", "histology: leiomyosarcomma\n"), ()),
            ("lesion site", "c.yaml", sub("{site: lung, size_mm: 14", "{site: lungs, size_mm: 14"), ())])
P["P10"] = dict(
    input="10^6-element lesion array; 10,000-deep JSON nesting",
    expected="limit error in bounded time and memory",
    checks=[("10^6 lesions", "c.json", js(lambda d: d.update(lesions=[{"site": "lung"}] * 1000000)), ()),
            ("150,000 lesions (under the size cap)", "c.json",
             js(lambda d: d.update(lesions=[1] * 150000)), ()),
            ("10k-deep JSON", "c.json", raw_json('"ecog": 1,', '"ecog": ' + "[" * 10000 + "]" * 10000 + ","), ()),
            ("10k-deep YAML flow", "c.yaml", sub("ecog: 1\n", "ecog: " + "[" * 10000 + "]" * 10000 + "\n"), ())])
P["P11"] = dict(
    input="Extra unknown fields (default; --strict)",
    expected="warning in the result (strict: error); never used for a decision",
    checks=[("warning", "c.yaml", sub("ecog: 1\n", "ecog: 1\necgo: 3\n"), ()),
            ("strict", "c.yaml", sub("ecog: 1\n", "ecog: 1\necgo: 3\n"), ("--strict",))])


def make_checks(cli, probe):
    out = {}
    for cid, c in P.items():
        out[cid] = [(label, lambda n=name, t=text, a=args, k=(cid, label): check_screen(
            cli, n, t, *(EXPECT.get(k, (None, None))), probe=probe, args=a)) for label, name, text, args in c["checks"]]
    return out
