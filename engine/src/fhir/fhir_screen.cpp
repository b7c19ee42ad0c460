#include "fhir/fhir_screen.hpp"

#include <algorithm>

#include "json/json_writer.hpp"

namespace oligoscreen::detail {

namespace {

// Screens the description in fhir.json (or reports fhir.errors) and puts the mapping
// warnings first.
void finish(const RuleSetModel& m, const CaseOptions& copt, FhirPatient& fhir, CaseResult& out) {
  if (!fhir.errors.empty()) {
    out.ok = false;
    out.patient.reset(m.schema.fields.size());
    out.errors = fhir.errors;
    out.first_line = 1;
    return;
  }
  CaseOptions o = copt;
  o.max_bytes = std::max(o.max_bytes, fhir.json.size());
  screen_case(m, "<fhir>", fhir.json, CaseFormat::Json, o, out);
  if (!out.ok) {
    for (auto& e : out.errors) {
      e.pos = Pos{};
      e.has_offset = false;
    }
    out.first_line = 1;
    return;
  }
  auto& w = out.assessment.warnings;
  w.insert(w.begin(), fhir.warnings.begin(), fhir.warnings.end());
}

}  // namespace

void screen_fhir(const RuleSetModel& m, const FhirMapping& mapping, std::string_view text, const FhirOptions& fopt,
                 const CaseOptions& copt, FhirPatient& fhir, CaseResult& out) {
  read_fhir_bundle(mapping, text, fopt, fhir);
  finish(m, copt, fhir, out);
}

void screen_fhir_resources(const RuleSetModel& m, const FhirMapping& mapping, const Doc& doc,
                           const std::vector<uint32_t>& resources, std::string_view case_id, const FhirOptions& fopt,
                           const CaseOptions& copt, FhirPatient& fhir, CaseResult& out) {
  map_fhir_resources(mapping, doc, resources, case_id, fopt, fhir);
  finish(m, copt, fhir, out);
}

void add_mapping_provenance(const FhirMapping& mapping, bool pretty, std::string& json) {
  size_t result_end = json.find_last_of('}');
  if (result_end == std::string::npos || result_end == 0) return;
  size_t prov_end = json.find_last_of('}', result_end - 1);
  if (prov_end == std::string::npos) return;
  std::string obj;
  JsonWriter w(obj, pretty);
  w.begin_object();
  w.key("id").string(mapping.id);
  w.key("version").string(mapping.version);
  w.key("sha256").string(mapping.sha256);
  w.end_object();
  if (!pretty) {
    json.insert(prov_end, ",\"mapping\":" + obj);
    return;
  }
  // Pretty: provenance members sit at 4 spaces; its closing brace follows "\n  ".
  std::string indented;
  for (char c : obj) {
    indented += c;
    if (c == '\n') indented += "    ";
  }
  size_t nl = json.find_last_of('\n', prov_end);
  if (nl == std::string::npos) return;
  json.insert(nl, ",\n    \"mapping\": " + indented);
}

}  // namespace oligoscreen::detail
