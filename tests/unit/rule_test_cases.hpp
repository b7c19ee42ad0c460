// Test support shared by the unit tests that compare whole results over many patients: the
// patients of the embedded rule set's own tests, and copies of a patient to edit.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api/screen.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail::test_support {

// Every patient of the embedded rule set's tests (tests/*.yaml of the rule set), screened
// with `opt`; with `only_read`, only those that were read without an error.
inline std::vector<std::unique_ptr<CaseResult>> rule_test_patients(const RuleSetModel& m, const CaseOptions& opt = {},
                                                                   bool only_read = true) {
  std::vector<std::unique_ptr<CaseResult>> out;
  for (const auto& [name, text] : embedded_rule_files()) {
    if (name.rfind("tests/", 0) != 0) continue;
    Doc doc;
    Diagnostics yd;
    if (!read_yaml(name, text, YamlLimits{}, doc, yd)) continue;
    for (uint32_t c : doc.items(doc.find(doc.root(), "cases"))) {
      const uint32_t patient = doc.find(c, "patient");
      if (!patient) continue;
      auto r = std::make_unique<CaseResult>();
      screen_doc(m, name, doc, patient, false, opt, *r);
      if (r->ok || !only_read) out.push_back(std::move(r));
    }
  }
  return out;
}

// A copy of `original` whose lists point into the copy's own storage.
inline Patient relinked_copy(const Patient& original) {
  Patient p = original;
  for (auto& v : p.values) {
    if (v.kind == VKind::List) v.list.items = p.items.data() + v.aux;
  }
  for (auto& v : p.items) {
    if (v.kind == VKind::Record) v.rec.fields = p.items.data() + (v.rec.fields - original.items.data());
  }
  return p;
}

// Calls `check` with `original`, then with a copy of it for every known fact i with that fact
// removed, and with fact (i + stride) % n removed as well when that one is known too: the
// one- and two-fact-missing variants that the whole-result comparisons run over.
template <class Check>
void for_each_with_facts_removed(const Patient& original, size_t stride, Check&& check) {
  check(original);
  const size_t n = original.values.size();
  for (size_t i = 0; i < n; ++i) {
    if (original.values[i].kind == VKind::Unknown) continue;
    Patient p = relinked_copy(original);
    p.values[i] = Value{};
    check(p);
    const size_t j = (i + stride) % n;
    if (j != i && p.values[j].kind != VKind::Unknown) {
      p.values[j] = Value{};
      check(p);
    }
  }
}

}  // namespace oligoscreen::detail::test_support
