// `screen --from fhir [--as-of DATE]`: the FHIR input of the screen command, kept apart from
// cmd_screen.cpp so that the command's own loop stays as it is (docs/fhir-mapping.md).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/screen.hpp"
#include "fhir/bundle_reader.hpp"
#include "fhir/mapping.hpp"

namespace oligoscreen::cli {

struct FhirInput {
  std::shared_ptr<const detail::FhirMapping> mapping;
  detail::FhirOptions options;
  detail::FhirPatient scratch;
};

// Checks --from and --as-of and loads the rule set's mapping. Prints the reason and returns an
// exit code (usage or rules error) on failure, 0 on success. `from` empty: no FHIR input.
int open_fhir_input(const std::string& from, const std::string& as_of, const std::string& rules_dir,
                    const detail::RuleSetModel& rules, std::optional<FhirInput>& out);

// Screens one input: a FHIR Bundle when `fhir` is set, else a case (detail::screen_case).
void screen_input(const detail::RuleSetModel& rules, FhirInput* fhir, std::string_view label, std::string_view text,
                  detail::CaseFormat format, const detail::CaseOptions& opt, detail::CaseResult& out);

// Adds provenance.mapping to a JSON result when the input was FHIR.
void finish_json(const FhirInput* fhir, bool pretty, std::string& json);

}  // namespace oligoscreen::cli
