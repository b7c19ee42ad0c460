#include "fhir_input.hpp"

#include <cstdio>

#include "cli_common.hpp"
#include "fhir/fhir_screen.hpp"

namespace oligoscreen::cli {

int open_fhir_input(const std::string& from, const std::string& as_of, const std::string& rules_dir,
                    const detail::RuleSetModel& rules, std::optional<FhirInput>& out) {
  out.reset();
  if (from.empty()) {
    if (!as_of.empty()) {
      std::fprintf(stderr, "oligoscreen screen: --as-of applies only with --from fhir\n");
      return kUsage;
    }
    return kOk;
  }
  if (from != "fhir") {
    std::fprintf(stderr, "oligoscreen screen: --from must be fhir (not '%s')\n", from.c_str());
    return kUsage;
  }
  FhirInput in;
  if (!as_of.empty()) {
    in.options.as_of = detail::parse_as_of(as_of);
    if (!in.options.as_of) {
      std::fprintf(stderr, "oligoscreen screen: --as-of must be a date YYYY-MM-DD (not '%s')\n", as_of.c_str());
      return kUsage;
    }
  }
  detail::Diagnostics diags;
  in.mapping = detail::load_fhir_mapping_for(rules_dir, rules.schema, diags);
  if (!in.mapping) {
    std::fprintf(stderr, "%s", diags.render().c_str());
    return kRulesError;
  }
  out = std::move(in);
  return kOk;
}

void screen_input(const detail::RuleSetModel& rules, FhirInput* fhir, std::string_view label, std::string_view text,
                  detail::CaseFormat format, const detail::CaseOptions& opt, detail::CaseResult& out) {
  if (!fhir) {
    detail::screen_case(rules, label, text, format, opt, out);
    return;
  }
  detail::screen_fhir(rules, *fhir->mapping, text, fhir->options, opt, fhir->scratch, out);
}

void finish_json(const FhirInput* fhir, bool pretty, std::string& json) {
  if (fhir) detail::add_mapping_provenance(*fhir->mapping, pretty, json);
}

}  // namespace oligoscreen::cli
