// The FHIR code tables of a rule set (rules/<set>/mappings/fhir.yaml), loaded and checked.
//
// The reader (fhir/bundle_reader) knows table names and the patient field each feeds; every
// code lives in the file. Loading checks every value against the rule set's schema (an enum
// value that the schema does not know is an error at its file:line:col), so a typo in the
// tables can never reach a patient. Immutable once loaded; safe to share across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/source.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail {

// The tables the reader consults. The YAML names are those of table_name().
enum class FhirTable : uint8_t {
  PrimaryCondition,       // bool: Condition.code of a primary sarcoma
  SecondaryCondition,     // bool: Condition.code of a secondary cancer
  PrimaryClinicalStatus,  // bool: clinicalStatus -> primary.controlled
  LesionClinicalStatus,   // bool: clinicalStatus -> lesion present now
  Histology,              // enum histology
  LesionSite,             // enum lesions[].site
  Observation,            // observation kind (FhirObservationKind names)
  SizeComponent,          // bool: component holding the largest tumour dimension
  Ecog,                   // integer 0-4
  Grade,                  // integer 1-3
  LesionStatus,           // enum lesions[].status
  Sex,                    // enum sex
  Imaging,                // enum imaging
  ImagingCategory,        // bool: Procedure.category marking an imaging procedure
  SystemicTherapy,        // bool: medication code is systemic anticancer therapy
  kCount
};
std::string_view table_name(FhirTable t);

// What one table entry says. Null: the code is known and says nothing about the field.
struct FhirValue {
  enum class Kind : uint8_t { Null, Bool, Int, Text } kind = Kind::Null;
  bool b = false;
  int64_t i = 0;
  std::string text;  // Text: the enum value or observation kind
};

struct FhirMapping {
  std::string id, version;
  std::string sha256;  // of the file's bytes
  int32_t imaging_window_days = 42;
  std::vector<std::string> primary_profiles, secondary_profiles;
  std::string ext_histology, ext_lesion_site, ext_lesion_treatable, ext_primary_treatment_completed;
  std::unordered_map<std::string, double> size_mm_units, life_expectancy_units;  // UCUM code -> factor

  // Looks `code` up in `table` for the code system `system` (its URL).
  // Returns null when the system has no entries in the table or no entry matches.
  // An exact code beats a prefix entry ("C34*"), and a longer prefix beats a shorter one.
  [[nodiscard]] const FhirValue* lookup(FhirTable table, std::string_view system, std::string_view code) const;
  // Whether `table` has any entry for `system` (an unknown system is not an unmapped code of
  // a known one, but both are reported).
  [[nodiscard]] bool knows_system(FhirTable table, std::string_view system) const;

  struct SystemTable {
    std::unordered_map<std::string, FhirValue> exact;
    std::vector<std::pair<std::string, FhirValue>> prefixes;  // longest first
  };
  std::vector<std::unordered_map<std::string, SystemTable>> tables;  // per FhirTable, by system URL
};

// Parses and checks the mapping file against `schema`. On failure returns null and adds
// every mistake to diags (file `file`). Never throws for bad input.
std::shared_ptr<const FhirMapping> load_fhir_mapping(std::string_view file, std::string_view text, const Schema& schema,
                                                     Diagnostics& diags);

// The mapping file compiled into the binary with the default rule set, or null when the
// embedded rule set has none.
const std::string* embedded_fhir_mapping_text();

// Relative path of the mapping file inside a rule-set folder.
inline constexpr std::string_view kFhirMappingPath = "mappings/fhir.yaml";

// The mapping of the rule set in `rules_dir` (its mappings/fhir.yaml), or of the embedded
// rule set when `rules_dir` is empty. Null, with the reason in diags, when there is none or
// it does not load.
std::shared_ptr<const FhirMapping> load_fhir_mapping_for(const std::string& rules_dir, const Schema& schema,
                                                         Diagnostics& diags);

}  // namespace oligoscreen::detail
