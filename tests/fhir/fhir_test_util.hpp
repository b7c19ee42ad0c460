// Shared helpers of the FHIR and CDS Hooks tests: the built-in rule set and mapping, small
// Bundles built from resource JSON, and reading fields back from the patient JSON.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "api/screen.hpp"
#include "core/doc.hpp"
#include "fhir/bundle_reader.hpp"
#include "fhir/mapping.hpp"
#include "file_bytes.hpp"
#include "json/json_reader.hpp"

namespace oligoscreen::test {

inline std::string source_path(const std::string& rel) {
  return std::string(OLIGOSCREEN_SOURCE_DIR) + "/" + rel;
}

inline const detail::RuleSetModel& rules() {
  static std::shared_ptr<detail::RuleSetModel> m = [] {
    detail::Diagnostics d;
    auto r = detail::load_embedded_rules(d);
    if (!r) ADD_FAILURE() << d.render();
    return r;
  }();
  return *m;
}

inline const detail::FhirMapping& mapping() {
  static std::shared_ptr<const detail::FhirMapping> m = [] {
    detail::Diagnostics d;
    auto r = detail::load_fhir_mapping_for("", rules().schema, d);
    if (!r) ADD_FAILURE() << d.render();
    return r;
  }();
  return *m;
}

// A collection Bundle around resources given as JSON objects.
inline std::string bundle(const std::vector<std::string>& resources, const std::string& id = "CASE-1") {
  std::string b = R"({"resourceType":"Bundle","type":"collection")";
  if (!id.empty()) b += R"(,"identifier":{"value":")" + id + R"("})";
  b += R"(,"entry":[)";
  for (size_t i = 0; i < resources.size(); ++i)
    b += (i ? "," : "") + std::string(R"({"resource":)") + resources[i] + "}";
  return b + "]}";
}

// The patient JSON of a mapped Bundle, parsed, with dotted-path access ("primary.controlled",
// "lesions.0.site"). Absent fields read as "<absent>"; lists and objects as "<list:N>"/"<object>".
struct Mapped {
  detail::FhirPatient fhir;
  detail::Doc doc;
  bool ok = false;

  std::string operator[](const std::string& path) const {
    uint32_t n = doc.root();
    std::string seg;
    std::istringstream s(path);
    while (std::getline(s, seg, '.')) {
      const auto& node = doc.node(n);
      if (node.is_seq()) {
        size_t idx = std::stoul(seg);
        auto items = doc.items(n);
        if (idx >= items.size()) return "<absent>";
        n = items[idx];
      } else {
        n = doc.find(n, seg);
        if (n == 0) return "<absent>";
      }
    }
    const auto& node = doc.node(n);
    if (node.is_seq()) return "<list:" + std::to_string(node.count) + ">";
    if (node.is_map()) return "<object>";
    if (node.is_null()) return "null";
    return std::string(node.text);
  }
  // Whether a warning with this code (and field, when given) was reported.
  [[nodiscard]] bool warned(const std::string& code, const std::string& field = "") const {
    for (const auto& w : fhir.warnings) {
      if (w.code == code && (field.empty() || w.field == field)) return true;
    }
    return false;
  }
  [[nodiscard]] std::string warnings_text() const {
    std::string s;
    for (const auto& w : fhir.warnings) s += w.code + " " + w.field + ": " + w.message + "\n";
    return s;
  }
};

inline std::unique_ptr<Mapped> map_bundle(const std::string& text, const std::string& as_of = "") {
  auto m = std::make_unique<Mapped>();
  detail::FhirOptions opt;
  if (!as_of.empty()) opt.as_of = detail::parse_as_of(as_of);
  m->ok = detail::read_fhir_bundle(mapping(), text, opt, m->fhir);
  if (m->ok) {
    detail::JsonError err;
    EXPECT_TRUE(detail::read_json(m->fhir.json, detail::JsonLimits{}, m->doc, err)) << err.message;
  }
  return m;
}

}  // namespace oligoscreen::test
