// The missing-data analysis re-assesses counterfactually and reuses the main evaluation's
// memo for every definition that cannot depend on the field under test. These tests check its
// answers against independent, from-scratch assessments of the patched patient: for every
// rule-test case and every unknown top-level field with a finite value set (booleans, enums,
// small integer ranges), each value is set in a copy of the patient, the copy is assessed
// afresh, and the verdicts that change must be exactly those the what-if entry naming that
// value states; a field that is not listed as missing must change nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "api/screen.hpp"
#include "rules/loader.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {
namespace {

using Changes = std::set<std::pair<uint32_t, uint32_t>>;  // (output, code)

uint32_t outcome_code(const OutputResult& o) {
  return o.code;
}

// Values of a field with a finite, small value set, with the names what-if uses for them.
std::vector<std::pair<Value, std::string>> finite_values(const RuleSetModel& m, const FieldDef& f) {
  std::vector<std::pair<Value, std::string>> out;
  if (f.type == FieldType::Boolean) {
    out.emplace_back(Value::boolean(false), "false");
    out.emplace_back(Value::boolean(true), "true");
  } else if (f.type == FieldType::Enum) {
    const EnumDef& e = m.schema.enums[static_cast<size_t>(f.enum_id)];
    for (uint32_t i = 0; i < e.values.size(); ++i) {
      out.emplace_back(Value::enumerated(static_cast<uint16_t>(f.enum_id), i), e.values[i]);
    }
  }
  return out;
}

// Whether a discrete what-if condition ("x == v" or "x in [a, b]") names `name`.
bool names_value(const std::string& when, const std::string& path, const std::string& name) {
  if (when == path + " == " + name) return true;
  std::string prefix = path + " in [";
  if (when.rfind(prefix, 0) != 0 || when.back() != ']') return false;
  std::string list = when.substr(prefix.size(), when.size() - prefix.size() - 1);
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(", ", start);
    std::string item = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item == name) return true;
    if (comma == std::string::npos) break;
    start = comma + 2;
  }
  return false;
}

struct Tally {
  size_t checked_values = 0, listed_fields = 0;
};

// Assesses `patient` with what-if analysis, then checks every unknown top-level field with a
// finite value set against fresh assessments of the patient with that field set.
void check_against_fresh(const RuleSetModel& m, const Patient& patient, const std::string& case_name, Tally& tally) {
  AssessScratch base_scratch;
  Assessment base;
  AssessOptions with_what_if;
  assess(m, patient, with_what_if, base_scratch, base);
  if (!base.contradictions.empty()) return;
  for (const FieldDef& f : m.schema.fields) {
    if (patient.values[f.slot].kind != VKind::Unknown || f.informational || f.record_id) continue;
    auto values = finite_values(m, f);
    if (values.empty()) continue;
    const MissingField* listed = nullptr;
    for (const auto& mf : base.missing) {
      if (mf.ref == make_ref(f.slot)) listed = &mf;
    }
    tally.listed_fields += listed ? 1 : 0;
    for (const auto& [value, value_name] : values) {
      Patient p = patient;  // list values still point into `patient`'s items: unchanged
      p.values[f.slot] = value;
      AssessScratch scratch;
      Assessment a;
      AssessOptions ao;
      ao.missing = false;
      assess(m, p, ao, scratch, a);
      if (!a.contradictions.empty()) continue;
      Changes fresh;
      for (uint32_t o = 0; o < a.outputs.size(); ++o) {
        if (outcome_code(a.outputs[o]) != outcome_code(base.outputs[o]) ||
            a.outputs[o].known != base.outputs[o].known) {
          fresh.insert({o, a.outputs[o].code});
        }
      }
      std::string what = case_name + ", " + f.path + " = " + value_name;
      ++tally.checked_values;
      if (!listed) {
        EXPECT_TRUE(fresh.empty()) << what << ": changes a verdict, but the field is not listed as missing";
        continue;
      }
      for (const auto& [o, code] : fresh) {
        EXPECT_NE(std::find(listed->affects.begin(), listed->affects.end(), o), listed->affects.end())
            << what << ": changes output " << o << " not in `affects`";
      }
      const WhatIf* entry = nullptr;
      for (const auto& w : listed->what_if) {
        if (names_value(w.when, f.path, value_name)) {
          EXPECT_EQ(entry, nullptr) << what << ": named by two what-if entries";
          entry = &w;
        }
      }
      if (fresh.empty()) {
        EXPECT_EQ(entry, nullptr) << what << ": changes nothing, yet named by '" << (entry ? entry->when : "") << "'";
        continue;
      }
      ASSERT_NE(entry, nullptr) << what << ": changes a verdict, but no what-if entry names it";
      Changes stated(entry->changes.begin(), entry->changes.end());
      EXPECT_EQ(stated, fresh) << what << " (" << entry->when << ")";
    }
  }
}

// Every rule-test case as written, and with each of its recorded booleans and enums removed
// in turn.
TEST(MissingCounterfactual, WhatIfAnswersMatchFreshAssessments) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m) << d.render();
  Tally tally;
  for (const auto& [name, text] : embedded_rule_files()) {
    if (name.rfind("tests/", 0) != 0) continue;
    Doc doc;
    Diagnostics yd;
    ASSERT_TRUE(read_yaml(name, text, YamlLimits{}, doc, yd)) << name;
    for (uint32_t c : doc.items(doc.find(doc.root(), "cases"))) {
      uint32_t patient = doc.find(c, "patient");
      if (!patient) continue;
      CaseResult r;
      CaseOptions opt;
      screen_doc(*m, name, doc, patient, false, opt, r);
      if (!r.ok) continue;
      uint32_t nm = doc.find(c, "name");
      std::string case_name = name + ": " + std::string(nm ? doc.node(nm).text : "?");
      check_against_fresh(*m, r.patient, case_name, tally);
      for (const FieldDef& f : m->schema.fields) {
        if (finite_values(*m, f).empty() || r.patient.values[f.slot].kind == VKind::Unknown) continue;
        Patient without = r.patient;
        without.values[f.slot] = Value{};
        check_against_fresh(*m, without, case_name + " without " + f.path, tally);
      }
    }
  }
  EXPECT_GT(tally.checked_values, 2000U);
  EXPECT_GT(tally.listed_fields, 200U);
}

// A field read only behind a `known()` guard ("an unrecorded age does not exclude") must still
// be found missing when a value of it would change a verdict: the main assessment records the
// threshold it is compared with even though the guard decides the expression without it.
TEST(MissingCounterfactual, FieldReadOnlyBehindAKnownGuardIsFound) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(OLIGOSCREEN_TEST_DATA) + "/diagnostics/base")) {
    std::ifstream in(e.path());
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (e.path().filename() == "criteria.yaml") {
      std::string from = "expr: age >= adult_age";
      text.replace(text.find(from), from.size(), "expr: not known(age) or age >= adult_age");
    }
    files.emplace_back(e.path().filename().string(), text);
  }
  MemoryRuleFiles mem("mem", files);
  Diagnostics d;
  auto m = load_rule_set(mem, d);
  ASSERT_TRUE(m) << d.render();
  const char* patient = R"(id: guarded
ecog: 1
on_therapy: false
primary: {diagnosed: 2020-01-10}
metastases: {diagnosed: 2022-03-01}
lesions: [{site: lung, size_mm: 12}]
)";
  for (bool what_if : {false, true}) {
    CaseOptions opt;
    opt.what_if = what_if;
    CaseResult r;
    screen_case(*m, "guarded.yaml", patient, CaseFormat::Yaml, opt, r);
    ASSERT_TRUE(r.ok);
    int elig = m->find_output("eligibility");
    ASSERT_GE(elig, 0);
    const auto& codes = m->schema.enums[m->outputs[static_cast<size_t>(elig)].enum_id].values;
    EXPECT_EQ(codes[r.assessment.outputs[static_cast<size_t>(elig)].code], "eligible");
    ASSERT_EQ(r.assessment.missing.size(), 1U) << "age must be listed: a value under 18 makes the case not eligible";
    const MissingField& mf = r.assessment.missing[0];
    EXPECT_EQ(field_path(m->schema, mf.ref), "age");
    EXPECT_EQ(mf.affects, std::vector<uint32_t>{static_cast<uint32_t>(elig)});
    if (!what_if) continue;
    ASSERT_EQ(mf.what_if.size(), 1U);
    EXPECT_EQ(mf.what_if[0].when, "age < 18");
  }
}

// Policy §5: when conditions of `supported` are unknown and none is false, the verdict is
// `consider` and the unknown fields are listed as what could raise it. With two such
// conditions unknown (the state hinges on systemic therapy, one lesion has no size) neither
// field alone changes the verdict; both must still be listed as affecting `sbrt`, and a fresh
// assessment with both recorded favourably must indeed give `supported`.
TEST(MissingCounterfactual, FieldsThatDecideAVerdictOnlyTogetherAreListed) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m) << d.render();
  std::ifstream in(std::string(OLIGOSCREEN_SOURCE_DIR) + "/examples/cases/lms-lung-metachronous.yaml");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("  active: false", "  active: null");
  replace("{site: lung, size_mm: 9, status: new", "{site: lung, status: new");
  const int sbrt = m->find_output("sbrt");
  ASSERT_GE(sbrt, 0);
  const auto& codes = m->schema.enums[m->outputs[static_cast<size_t>(sbrt)].enum_id].values;
  auto verdict = [&](const std::string& yaml) {
    CaseResult r;
    CaseOptions opt;
    screen_case(*m, "case.yaml", yaml, CaseFormat::Yaml, opt, r);
    EXPECT_TRUE(r.ok) << (r.errors.empty() ? "" : r.errors[0].message);
    return r;
  };
  CaseResult r = verdict(text);
  EXPECT_EQ(codes[r.assessment.outputs[static_cast<size_t>(sbrt)].code], "consider");
  std::set<std::string> listed_for_sbrt;
  for (const auto& mf : r.assessment.missing) {
    if (std::find(mf.affects.begin(), mf.affects.end(), static_cast<uint32_t>(sbrt)) != mf.affects.end()) {
      listed_for_sbrt.insert(field_path(m->schema, mf.ref));
    }
  }
  EXPECT_EQ(listed_for_sbrt, (std::set<std::string>{"lesions[1].size_mm", "systemic_therapy.active"}));
  // Each alone leaves `consider`; together they give `supported`.
  std::string both = text, active_only = text;
  for (std::string* t : {&both, &active_only}) t->replace(t->find("  active: null"), 14, "  active: false");
  both.replace(both.find("{site: lung, status: new"), 24, "{site: lung, size_mm: 9, status: new");
  EXPECT_EQ(codes[verdict(active_only).assessment.outputs[static_cast<size_t>(sbrt)].code], "consider");
  EXPECT_EQ(codes[verdict(both).assessment.outputs[static_cast<size_t>(sbrt)].code], "supported");
}

}  // namespace
}  // namespace oligoscreen::detail
