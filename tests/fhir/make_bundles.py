#!/usr/bin/env python3
"""Writes examples/fhir/NAME.bundle.json from its YAML twin examples/fhir/NAME.yaml.

A development tool (the Bundles are committed; tests never run this): it encodes each twin
the way a hospital system aligned with mCODE would, using several of the paths the reader
supports (valueQuantity in mm and tumour-size components in cm, SNOMED CT body sites and the
lesion-site extension, clinical status and explicit observations, MedicationStatement and
MedicationRequest, ImagingStudy and Procedure), plus distractors the reader must skip:
an older and a later ECOG, a completed earlier chemotherapy, an unrelated condition and
medication, a preliminary observation. tests/fhir checks that the C++ reader maps every
Bundle back to its twin. Usage: python3 tests/fhir/make_bundles.py (needs PyYAML).
"""
import datetime as dt
import json
import pathlib
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
EX = ROOT / "examples" / "fhir"
SNOMED, LOINC, ICDO3, ICD10 = ("http://snomed.info/sct", "http://loinc.org",
                               "http://terminology.hl7.org/CodeSystem/icd-o-3", "http://hl7.org/fhir/sid/icd-10")
ATC, UCUM = "http://www.whocc.no/atc", "http://unitsofmeasure.org"
OLIGO = "http://oligoscreen.example/fhir/CodeSystem/oligoscreen"
SD = "http://oligoscreen.example/fhir/StructureDefinition/"
MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"

MORPHOLOGY = {"leiomyosarcoma": "8890/3", "undifferentiated_pleomorphic_sarcoma": "8802/3",
              "liposarcoma_dedifferentiated": "8858/3", "ewing_sarcoma": "9364/3",
              "desmoplastic_small_round_cell_tumour": "8806/3", "myxofibrosarcoma": "8811/3"}
SITE_SNOMED = {"lung": "39607008", "liver": "10200004", "bone": "3138006"}
SITE_ICD10 = {"lung": "C78.0", "liver": "C78.7", "bone": "C79.5", "peritoneal_dissemination": "C78.6"}
TREND = {"stable": "359746009", "progressing": "271299001", "responding": "268910001"}
ATC_CODES = {"trabectedin": "L01CX01", "irinotecan": "L01CE02", "temozolomide": "L01AX03",
             "doxorubicin": "L01DB01"}


def cc(system, code, display=None, text=None):
    c = {"system": system, "code": code}
    if display:
        c["display"] = display
    out = {"coding": [c]}
    if text:
        out["text"] = text
    return out


def day(d, delta=0):
    if isinstance(d, str):
        d = dt.date.fromisoformat(d)
    return (d + dt.timedelta(days=delta)).isoformat()


class Builder:
    def __init__(self, name):
        self.name, self.entries, self.n = name, [], 0

    def add(self, resource):
        self.n += 1
        resource.setdefault("id", f"{resource['resourceType'].lower()}-{self.n}")
        resource.setdefault("subject", {"reference": "Patient/p1"}) if resource["resourceType"] != "Patient" else None
        self.entries.append({"fullUrl": f"urn:uuid:{self.name}-{self.n:04d}", "resource": resource})
        return f"{resource['resourceType']}/{resource['id']}"

    def obs(self, code, date, **value):
        r = {"resourceType": "Observation", "status": "final", "code": code, "effectiveDateTime": date}
        r.update(value)
        return self.add(r)


def build(name, case, variant):
    b = Builder(name)
    mets = case.get("metastases", {}).get("diagnosed")
    as_of = str(case["assessed_on"])
    mets = str(mets) if mets else None
    prim = case.get("primary", {})
    # Patient
    pat = {"resourceType": "Patient", "id": "p1"}
    if "age" in case:
        pat["birthDate"] = f"{int(as_of[:4]) - case['age']}-01-01"
    if "sex" in case:
        pat["gender"] = case["sex"]
    b.add(pat)
    # Primary cancer
    cond = {"resourceType": "Condition", "id": "primary",
            "meta": {"profile": [MCODE + "mcode-primary-cancer-condition"]},
            "code": {"text": "primary sarcoma"}}
    controlled = prim.get("controlled")
    if controlled is True and variant.get("controlled_by_status", True):
        cond["clinicalStatus"] = cc(CLINICAL, "remission")
    else:
        cond["clinicalStatus"] = cc(CLINICAL, "active")
        if controlled is not None:
            b.obs(cc(OLIGO, "primary-controlled"), as_of, valueBoolean=controlled)
    morph = variant.get("morphology", MORPHOLOGY.get(case.get("histology")))
    if morph:
        cond["extension"] = [{"url": MCODE + "mcode-histology-morphology-behavior",
                              "valueCodeableConcept": cc(ICDO3, morph)}]
    if "site" in prim:
        cond["bodySite"] = [{"text": prim["site"]}]
    if "diagnosed" in prim:
        cond["onsetDateTime"] = str(prim["diagnosed"])
    if "treatment_completed" in prim:
        cond.setdefault("extension", []).append({"url": SD + "primary-treatment-completed",
                                                 "valueDate": str(prim["treatment_completed"])})
    b.add(cond)
    # An unrelated condition the reader must ignore.
    b.add({"resourceType": "Condition", "clinicalStatus": cc(CLINICAL, "active"),
           "code": cc(ICD10, "I10", "Essential hypertension"), "onsetDateTime": "2015-01-01"})
    if "grade" in case:
        b.obs(cc(OLIGO, "fnclcc-grade"), str(prim.get("diagnosed", as_of)), valueInteger=case["grade"])
    if "ecog" in case:
        b.obs(cc(LOINC, "89247-1"), day(as_of, -40), valueInteger=min(case["ecog"] + 1, 4))
        b.obs(cc(LOINC, "89247-1"), day(as_of, -7), valueInteger=case["ecog"])
        b.obs(cc(LOINC, "89247-1"), day(as_of, 41), valueInteger=min(case["ecog"] + 1, 4))
        prelim = {"status": "preliminary"}
        r = {"resourceType": "Observation", "code": cc(LOINC, "89247-1"), "effectiveDateTime": day(as_of, -1),
             "valueInteger": 4}
        r.update(prelim)
        b.add(r)
    if "life_expectancy_months" in case:
        b.obs(cc(OLIGO, "life-expectancy"), day(as_of, -2),
              valueQuantity={"value": case["life_expectancy_months"], "unit": "months", "system": UCUM, "code": "mo"})
    for k in ("polymetastatic", "oligometastatic"):
        v = case.get("history", {}).get(k)
        if v is not None:
            b.obs(cc(OLIGO, f"history-{k}"), as_of, valueBoolean=v)
    if variant.get("explicit_mets_date") and mets:
        b.obs(cc(OLIGO, "metastatic-state-diagnosed"), mets, valueDateTime=mets)
    # Systemic therapy
    st = case.get("systemic_therapy", {})
    b.add({"resourceType": "MedicationStatement", "status": "completed",
           "medicationCodeableConcept": cc(ATC, "L01DB01", "doxorubicin", "doxorubicin"),
           "effectivePeriod": {"start": "2010-01-10", "end": "2010-06-30"}})
    b.add({"resourceType": "MedicationStatement", "status": "active",
           "medicationCodeableConcept": cc(ATC, "C09AA05", "ramipril", "ramipril"),
           "effectivePeriod": {"start": "2015-01-01"}})
    if st.get("active") is True:
        agents = st["agent"].split(" and ")
        for a in agents:
            if variant.get("med_request"):
                b.add({"resourceType": "MedicationRequest", "status": "active", "intent": "order",
                       "medicationCodeableConcept": cc(ATC, ATC_CODES[a], a, a), "authoredOn": day(mets, -120),
                       "dosageInstruction": [{"timing": {"repeat": {"boundsPeriod": {"start": day(mets, -120)}}}}]})
            else:
                b.add({"resourceType": "MedicationStatement", "status": "active",
                       "medicationCodeableConcept": cc(ATC, ATC_CODES[a], a, a),
                       "effectivePeriod": {"start": day(mets, -90)}})
    elif st.get("active") is False:
        b.obs(cc(OLIGO, "systemic-therapy-active"), mets, valueBoolean=False)
    # Imaging
    for i, m in enumerate(case.get("imaging", [])):
        code = cc(LOINC, "24627-2", "CT Chest") if m == "ct_chest" else cc(OLIGO, m)
        when = day(mets or as_of, -3 + i)
        if i % 2 == 1 and variant.get("procedure_imaging", True):
            b.add({"resourceType": "Procedure", "status": "completed", "category": cc(SNOMED, "363679005", "Imaging"),
                   "code": code, "performedDateTime": when})
        else:
            b.add({"resourceType": "ImagingStudy", "status": "available", "started": when + "T09:30:00+01:00",
                   "procedureCode": [code]})
    # Lesions
    lesions = case.get("lesions")
    if lesions == []:
        b.obs(cc(OLIGO, "metastatic-disease"), as_of, valueBoolean=False)
    for i, l in enumerate(lesions or []):
        c = {"resourceType": "Condition", "id": f"met-{i + 1}",
             "meta": {"profile": [MCODE + "mcode-secondary-cancer-condition"]},
             "clinicalStatus": cc(CLINICAL, "active"), "onsetDateTime": mets,
             "code": cc(ICD10, SITE_ICD10.get(l["site"], "C79.8"))}
        if l["site"] in SITE_SNOMED and i % 2 == 0:
            c["bodySite"] = [cc(SNOMED, SITE_SNOMED[l["site"]])]
        else:
            c["extension"] = [{"url": SD + "lesion-site", "valueCodeableConcept": cc(OLIGO, l["site"])}]
        if "treatable" in l:
            c.setdefault("extension", []).append({"url": SD + "lesion-treatable", "valueBoolean": l["treatable"]})
        ref = b.add(c)
        if "size_mm" in l:
            if i % 2 == 0:
                b.obs(cc(LOINC, "21889-1"), mets, focus=[{"reference": ref}],
                      component=[{"code": cc(LOINC, "33728-7"),
                                  "valueQuantity": {"value": l["size_mm"] / 10, "unit": "cm", "system": UCUM,
                                                    "code": "cm"}}])
            else:
                b.obs(cc(LOINC, "21889-1"), mets, focus=[{"reference": ref}],
                      valueQuantity={"value": l["size_mm"], "unit": "mm", "system": UCUM, "code": "mm"})
        if "status" in l:
            if l["status"] == "new":
                b.obs(cc(OLIGO, "lesion-status"), mets, focus=[{"reference": ref}],
                      valueCodeableConcept=cc(OLIGO, "new"))
            else:
                b.obs(cc(LOINC, "97509-4"), mets, focus=[{"reference": ref}],
                      valueCodeableConcept=cc(SNOMED, TREND[l["status"]]))
    bundle = {"resourceType": "Bundle", "type": variant.get("type", "collection"),
              "identifier": {"system": "http://oligoscreen.example/fhir/case-id", "value": case["id"]},
              "entry": b.entries}
    return bundle


VARIANTS = {
    "lms-lung-metachronous": {},
    "ups-lung-synchronous": {"type": "searchset"},
    "ddlps-repeat-oligoprogression": {"explicit_mets_date": True, "med_request": True},
    "ewing-induced-oligopersistence": {"controlled_by_status": False},
    "ups-polymetastatic": {},
    "dsrct-peritoneal-not-oligometastatic": {},
    "no-metastases-restaging": {},
    "lms-missing-data": {"morphology": "8805/3"},
}

if __name__ == "__main__":
    for name, variant in VARIANTS.items():
        case = yaml.safe_load((EX / f"{name}.yaml").read_text())
        bundle = build(name, case, variant)
        (EX / f"{name}.bundle.json").write_text(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote examples/fhir/{name}.bundle.json", file=sys.stderr)
