// FHIR R4 (mCODE-aligned) -> one patient description (shared/spec/patient-format.md).
//
// The reader turns FHIR resources into the JSON text of a patient description, which the
// ordinary patient reader then reads (so every rule of the patient format, strictness and
// error alike, applies unchanged). Which resource feeds which field, and how, is the contract
// of docs/fhir-mapping.md; every code goes through the rule set's mapping file (fhir/mapping).
//
// Safety contract: a value that cannot be mapped (an unknown code, a missing unit, two
// observations of the same date that disagree, a date that cannot be placed relative to the
// as-of date) leaves its field unknown and adds a warning {code, field, message}; nothing is
// guessed. The absence of a resource is "not recorded", never "none": lesions are a known
// empty list only when an observation says there is no metastatic disease, and systemic
// therapy is false only when an observation says so.
//
// The as-of date (given, or by default the metastasis diagnosis date) decides which
// observations count (the most recent on or before it) and becomes `assessed_on`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "assess/assessment.hpp"
#include "core/date.hpp"
#include "core/doc.hpp"
#include "fhir/mapping.hpp"
#include "patient/patient.hpp"

namespace oligoscreen::detail {

struct FhirOptions {
  std::optional<DateRange> as_of;  // default: metastases.diagnosed as read from the resources
  size_t max_bytes = 8u << 20;     // Bundle text
  uint32_t max_depth = 64;
  size_t max_nodes = 2000000;
  size_t max_string_bytes = 1u << 20;  // FHIR Attachments and narratives can be large
};

struct FhirPatient {
  std::string json;                  // the patient description, compact JSON
  std::vector<WarningOut> warnings;  // in the order found
  std::vector<InputError> errors;    // non-empty: the Bundle itself could not be read
  std::optional<DateRange> as_of;    // the as-of date used (unknown: no date could be found)
};

// Reads `text` as a FHIR R4 Bundle of type collection or searchset and maps its entries'
// resources. Returns false (with out.errors) when the text is not such a Bundle: JSON errors
// keep their kind (syntax, encoding, duplicate_key, limit); a wrong resourceType or Bundle
// type is a `type` error at the offending value. Never throws for bad input.
bool read_fhir_bundle(const FhirMapping& mapping, std::string_view text, const FhirOptions& opt, FhirPatient& out);

// Maps already parsed resources (nodes of `doc`: each a JSON object with a resourceType).
// `case_id`: the patient description's id (the Bundle's identifier, or the CDS Hooks
// patientId); empty: the Patient resource's id.
void map_fhir_resources(const FhirMapping& mapping, const Doc& doc, const std::vector<uint32_t>& resources,
                        std::string_view case_id, const FhirOptions& opt, FhirPatient& out);

// The resources of a Bundle node (entry[].resource), in entry order; appends a type error
// to `errors` and returns false when `bundle` is not a collection or searchset Bundle.
bool bundle_resources(const Doc& doc, uint32_t bundle, std::vector<uint32_t>& resources,
                      std::vector<InputError>& errors);

// Parses an --as-of argument: YYYY-MM-DD only.
std::optional<DateRange> parse_as_of(std::string_view text);

}  // namespace oligoscreen::detail
