// Acceptance properties of the default rule set (issue 3): citations are enforced, the hash
// follows every value, results are deterministic, and removing a datum never makes a
// verdict more favourable (the metamorphic safety property of reliability README §6).
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "api/screen.hpp"
#include "file_bytes.hpp"
#include "rules/loader.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

Files embedded_copy() {
  return embedded_rule_files();
}

std::string& file_text(Files& files, const std::string& name) {
  for (auto& [n, t] : files) {
    if (n == name) return t;
  }
  ADD_FAILURE() << "no file " << name;
  static std::string none;
  return none;
}

std::shared_ptr<RuleSetModel> load(const Files& files, Diagnostics& d) {
  MemoryRuleFiles mf("rules/sarcoma-sbrt", files);
  return load_rule_set(mf, d);
}

TEST(RuleSetAcceptance, EmbeddedRuleSetLoadsWithoutWarnings) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m) << d.render();
  EXPECT_EQ(d.warning_count(), 0U) << d.render();
  EXPECT_EQ(m->manifest.id, "sarcoma-sbrt");
  EXPECT_EQ(m->manifest.version, "1.0.1");
  EXPECT_EQ(m->manifest.status, "active");
  EXPECT_EQ(m->sha256.size(), 64U);
}

TEST(RuleSetAcceptance, EveryDefinitionCitesEvidence) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  for (const auto& def : m->defs) {
    if (def.kind == DefKind::Output) continue;  // outputs cite through their rules
    EXPECT_FALSE(def.evidence.empty()) << def.id;
  }
  for (const auto& o : m->outputs) {
    for (const auto& r : o.rules) EXPECT_FALSE(r.evidence.empty()) << r.id;
    for (const auto& r : o.reasons) EXPECT_FALSE(r.evidence.empty()) << r.code;
    for (const auto& r : o.notes) EXPECT_FALSE(r.evidence.empty()) << r.code;
  }
  for (const auto& t : m->trees) {
    for (const auto& n : t.nodes) EXPECT_FALSE(n.evidence.empty()) << n.id;
    for (const auto& l : t.leaves) EXPECT_FALSE(l.evidence.empty()) << l.code;
  }
}

TEST(RuleSetAcceptance, RemovingOneCitationFailsTheCheck) {
  Files files = embedded_copy();
  std::string& def = file_text(files, "definition.yaml");
  size_t at = def.find("    evidence: [lievens2020]\n");
  ASSERT_NE(at, std::string::npos);
  def.erase(at, std::string("    evidence: [lievens2020]\n").size());
  Diagnostics d;
  EXPECT_FALSE(load(files, d));
  EXPECT_NE(d.render_brief().find("cites no evidence"), std::string::npos) << d.render_brief();
}

TEST(RuleSetAcceptance, AnEmptyCitationListFailsTheCheck) {
  Files files = embedded_copy();
  std::string& def = file_text(files, "definition.yaml");
  size_t at = def.find("evidence: [lievens2020]");
  ASSERT_NE(at, std::string::npos);
  def.replace(at, std::string("evidence: [lievens2020]").size(), "evidence: []");
  Diagnostics d;
  EXPECT_FALSE(load(files, d));
  EXPECT_NE(d.render_brief().find("cites no evidence (the list is empty)"), std::string::npos) << d.render_brief();
}

TEST(RuleSetAcceptance, ChangingOneParameterChangesTheHash) {
  Diagnostics d0;
  auto base = load(embedded_copy(), d0);
  ASSERT_TRUE(base);
  Files files = embedded_copy();
  std::string& params = file_text(files, "parameters.yaml");
  size_t at = params.find("synchronous_window_months:\n    value: 6");
  ASSERT_NE(at, std::string::npos);
  params.replace(params.find("value: 6", at), 8, "value: 7");
  Diagnostics d1;
  auto changed = load(files, d1);
  ASSERT_TRUE(changed) << d1.render();
  EXPECT_NE(base->sha256, changed->sha256);
}

TEST(RuleSetAcceptance, CommentsDoNotChangeTheHash) {
  Diagnostics d0;
  auto base = load(embedded_copy(), d0);
  Files files = embedded_copy();
  file_text(files, "parameters.yaml") = "# a comment a centre added\n" + file_text(files, "parameters.yaml");
  Diagnostics d1;
  auto changed = load(files, d1);
  ASSERT_TRUE(base && changed);
  EXPECT_EQ(base->sha256, changed->sha256);
}

TEST(RuleSetAcceptance, ScreenJsonIsByteIdenticalAcrossRuns) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(OLIGOSCREEN_SOURCE_DIR) + "/examples/cases")) {
    std::string path = entry.path().string();
    std::string text = test::file_bytes(path);
    for (bool explain : {false, true}) {
      CaseOptions opt;
      opt.explain = explain;
      std::string first, second;
      CaseResult r1, r2;
      screen_case(*m, path, text, detect_case_format(path, text), opt, r1);
      case_json(*m, r1, opt, false, "", first);
      screen_case(*m, path, text, detect_case_format(path, text), opt, r2);
      case_json(*m, r2, opt, false, "", second);
      EXPECT_EQ(first, second) << path;
      EXPECT_NE(first.find("\"sha256\":\"" + m->sha256 + "\""), std::string::npos) << path;
      EXPECT_NE(first.find("\"id\":\"sarcoma-sbrt\",\"version\":\"1.0.1\""), std::string::npos) << path;
    }
  }
}

// ---- an unsettled subtype is never read as "not metachronous oligorecurrence" ----

// The value of `sbrt_supported_state` ("true", "false" or "unknown") for a leiomyosarcoma
// diagnosed 2021 with metastases in 2024, given its `history`, `systemic_therapy` and
// `lesions` lines (an empty line: not recorded).
std::string supported_state(const RuleSetModel& m, const std::string& history, const std::string& therapy,
                            const std::string& lesions) {
  const std::string text =
      "id: S1\nage: 54\nlife_expectancy_months: 24\nhistology: leiomyosarcoma\necog: 1\n"
      "primary: {site: uterus, diagnosed: 2021-03-10, controlled: true, "
      "treatment_completed: 2021-05-28}\n" +
      history + "\nmetastases: {diagnosed: 2024-05-02}\n" + therapy + "\nimaging: [ct_chest_abdomen_pelvis, pet_ct]\n" +
      lesions + "\n";
  CaseOptions opt;
  opt.explain = true;
  CaseResult r;
  screen_case(m, "s.yaml", text, CaseFormat::Yaml, opt, r);
  EXPECT_TRUE(r.ok) << (r.errors.empty() ? "" : r.errors[0].message);
  if (!r.ok) return "error";
  const Value& v = r.assessment.defs[static_cast<size_t>(m.find_def("sbrt_supported_state"))].value;
  if (v.kind != VKind::Bool) return "unknown";
  return v.b ? "true" : "false";
}

TEST(RuleSetAcceptance, AnUnsettledSubtypeIsNeverReadAsNotMetachronous) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  const std::string lungs =
      "lesions: [{site: lung, size_mm: 14, status: new, treatable: true}, "
      "{site: lung, size_mm: 9, status: new, treatable: true}]";
  const std::string de_novo = "history: {polymetastatic: false, oligometastatic: false}";
  const std::string off = "systemic_therapy: {active: false}";
  // Settled: metachronous oligorecurrence; repeat oligorecurrence.
  EXPECT_EQ(supported_state(*m, de_novo, off, lungs), "true");
  EXPECT_EQ(supported_state(*m, "history: {polymetastatic: false, oligometastatic: true}", off, lungs), "false");
  // oligometastatic_unclassified: earlier polymetastatic disease not recorded, so the subtype
  // may be metachronous oligorecurrence (unknown), not "false".
  EXPECT_EQ(supported_state(*m, "history: {oligometastatic: false}", off, lungs), "unknown");
  // oligometastatic_unclassified, but every open path is induced: false.
  EXPECT_EQ(
      supported_state(*m, "history: {polymetastatic: true, oligometastatic: false}", "systemic_therapy: {}", lungs),
      "false");
  // indeterminate (the lesions are not recorded): at most unknown, even on the metachronous path.
  EXPECT_EQ(supported_state(*m, de_novo, off, ""), "unknown");
  EXPECT_EQ(supported_state(*m, "history: {polymetastatic: true, oligometastatic: false}", off, ""), "false");
}

// ---- metamorphic: removing one datum never makes the SBRT verdict more favourable ----

int favour(const std::string& verdict) {
  if (verdict == "supported") return 3;
  if (verdict == "consider") return 2;
  return 0;  // indeterminate and not_eligible: no recommendation to treat
}

struct Base {
  std::string name;
  Patient patient;
};

// Patients of the rule tests whose SBRT verdict is supported or consider.
std::vector<std::unique_ptr<CaseResult>> favourable_cases(const RuleSetModel& m, std::vector<std::string>& names) {
  std::vector<std::unique_ptr<CaseResult>> out;
  for (const auto& [name, text] : embedded_rule_files()) {
    if (name.rfind("tests/", 0) != 0) continue;
    auto doc = std::make_unique<Doc>();
    Diagnostics d;
    if (!read_yaml(name, text, YamlLimits{}, *doc, d)) continue;
    uint32_t cases = doc->find(doc->root(), "cases");
    for (uint32_t c : doc->items(cases)) {
      uint32_t patient = doc->find(c, "patient");
      if (!patient) continue;
      auto r = std::make_unique<CaseResult>();
      CaseOptions opt;
      opt.what_if = false;
      screen_doc(m, name, *doc, patient, false, opt, *r);
      if (!r->ok) continue;
      int o = m.find_output("sbrt");
      const auto& codes = m.schema.enums[m.outputs[static_cast<size_t>(o)].enum_id].values;
      std::string v = codes[r->assessment.outputs[static_cast<size_t>(o)].code];
      if (v != "supported" && v != "consider") continue;
      uint32_t nm = doc->find(c, "name");
      names.push_back(name + ": " + std::string(nm ? doc->node(nm).text : "?"));
      out.push_back(std::move(r));
    }
  }
  return out;
}

TEST(RuleSetAcceptance, RemovingAnyReadFieldNeverImprovesTheSbrtVerdict) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  int sbrt = m->find_output("sbrt");
  ASSERT_GE(sbrt, 0);
  const auto& codes = m->schema.enums[m->outputs[static_cast<size_t>(sbrt)].enum_id].values;
  // Fields the SBRT verdict reads, and those it reads through a documented presumption.
  std::set<uint32_t> read_slots, presumed;
  for (size_t def = 0; def < m->defs.size(); ++def) {
    if (!m->output_deps[static_cast<size_t>(sbrt)][def]) continue;
    for (FieldRef r : m->defs[def].field_reads) read_slots.insert(ref_slot(r));
    for (uint32_t s : m->defs[def].presumes) presumed.insert(s);
  }
  std::vector<std::string> names;
  auto cases = favourable_cases(*m, names);
  ASSERT_GE(cases.size(), 10U) << "too few supported/consider cases to test";
  size_t pairs = 0, needed_pairs = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Patient& original = cases[i]->patient;
    std::string before = codes[cases[i]->assessment.outputs[static_cast<size_t>(sbrt)].code];
    // Every datum: each top-level field, and each subfield of each list item.
    std::vector<std::pair<FieldRef, std::function<void(Patient&)>>> removals;
    for (uint32_t slot = 0; slot < m->schema.fields.size(); ++slot) {
      if (original.values[slot].kind == VKind::Unknown) continue;
      removals.emplace_back(make_ref(slot), [slot](Patient& p) { p.values[slot] = Value{}; });
      const Value& v = original.values[slot];
      if (v.kind == VKind::List && m->schema.fields[slot].of == ListOf::Record) {
        for (uint32_t e = 0; e < v.list.count; ++e) {
          for (uint32_t k = 0; k < m->schema.fields[slot].fields.size(); ++k) {
            size_t idx = static_cast<size_t>(v.list.items[e].rec.fields + k - original.items.data());
            if (original.items[idx].kind == VKind::Unknown) continue;
            removals.emplace_back(make_ref(slot, e + 1, k + 1), [idx](Patient& p) { p.items[idx] = Value{}; });
          }
        }
      }
    }
    for (auto& [ref, remove] : removals) {
      Patient p = original;  // copies: relink the lists to the copy's storage
      for (auto& v : p.values) {
        if (v.kind == VKind::List) v.list.items = p.items.data() + v.aux;
      }
      for (auto& v : p.items) {
        if (v.kind == VKind::Record) {
          v.rec.fields = p.items.data() + (v.rec.fields - original.items.data());
        }
      }
      remove(p);
      AssessScratch scratch;
      Assessment a;
      AssessOptions ao;
      ao.what_if = false;
      assess(*m, p, ao, scratch, a);
      ++pairs;
      if (!a.contradictions.empty()) continue;
      std::string after = codes[a.outputs[static_cast<size_t>(sbrt)].code];
      std::string what = names[i] + " without " + field_path(m->schema, ref);
      EXPECT_LE(favour(after), favour(before)) << what << ": " << before << " -> " << after;
      // "Needed": some value of the removed field would change the SBRT verdict. A verdict
      // of `supported` must never stand on such an unknown (presumptions aside).
      bool needed = false;
      for (const auto& mf : a.missing) {
        bool same_field = ref_slot(mf.ref) == ref_slot(ref) && (ref_sub1(ref) == 0 || (mf.ref == ref));
        bool affects_sbrt =
            std::find(mf.affects.begin(), mf.affects.end(), static_cast<uint32_t>(sbrt)) != mf.affects.end();
        if (same_field && affects_sbrt) needed = true;
      }
      if (needed && !presumed.count(ref_slot(ref))) {
        EXPECT_NE(after, "supported") << what;
        ++needed_pairs;
      }
    }
  }
  EXPECT_GT(pairs, 100U);
  EXPECT_GT(needed_pairs, 20U);
  (void)read_slots;
}

}  // namespace
}  // namespace oligoscreen::detail

namespace oligoscreen::detail {
namespace {

// The fast evaluation tier must agree with the general one on every definition it handles:
// every rule-test patient and example case is assessed with verification on.
TEST(RuleSetAcceptance, FastTierAgreesWithTheGeneralTier) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  size_t assessed = 0;
  for (const auto& [name, text] : embedded_rule_files()) {
    if (name.rfind("tests/", 0) != 0) continue;
    Doc doc;
    Diagnostics yd;
    ASSERT_TRUE(read_yaml(name, text, YamlLimits{}, doc, yd)) << name;
    for (uint32_t c : doc.items(doc.find(doc.root(), "cases"))) {
      uint32_t patient = doc.find(c, "patient");
      if (!patient) continue;
      CaseResult r;
      r.scratch.main.verify_fast = true;
      r.scratch.counterfactual.verify_fast = true;
      CaseOptions opt;
      screen_doc(*m, name, doc, patient, false, opt, r);
      EXPECT_EQ(r.scratch.main.fast_mismatches, 0U) << name;
      EXPECT_EQ(r.scratch.counterfactual.fast_mismatches, 0U) << name;
      ++assessed;
    }
  }
  EXPECT_GT(assessed, 100U);
}

}  // namespace
}  // namespace oligoscreen::detail
