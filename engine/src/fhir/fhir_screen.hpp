// Screening a patient read from FHIR: Bundle (or CDS Hooks prefetch) -> patient -> result.
//
// The patient description the FHIR reader writes is read by the ordinary patient reader and
// assessed exactly as a YAML or JSON case, so `screen --from fhir` and the YAML twin of a
// Bundle give the same result, except that (1) the mapping warnings come first in `warnings`
// and (2) `provenance` gains `mapping` {id, version, sha256} (the mapping file is not part of
// the rule-set hash). Errors of the generated description carry its field but no line or
// column (they would point into generated text, not into the Bundle).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "api/screen.hpp"
#include "fhir/bundle_reader.hpp"
#include "fhir/mapping.hpp"

namespace oligoscreen::detail {

// Reads `text` as a FHIR Bundle and screens it. Never throws for bad input.
void screen_fhir(const RuleSetModel& m, const FhirMapping& mapping, std::string_view text, const FhirOptions& fopt,
                 const CaseOptions& copt, FhirPatient& fhir, CaseResult& out);

// Screens resources already parsed (CDS Hooks prefetch). `case_id` as for map_fhir_resources.
void screen_fhir_resources(const RuleSetModel& m, const FhirMapping& mapping, const Doc& doc,
                           const std::vector<uint32_t>& resources, std::string_view case_id, const FhirOptions& fopt,
                           const CaseOptions& copt, FhirPatient& fhir, CaseResult& out);

// Adds provenance.mapping to a result or error result rendered by case_json (compact or
// pretty); the provenance object is the last member of both.
void add_mapping_provenance(const FhirMapping& mapping, bool pretty, std::string& json);

}  // namespace oligoscreen::detail
