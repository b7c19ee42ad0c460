// Guided mode (`screen --ask`): ask for the missing fields that matter, most consequential
// first, re-screening after each answer; then offer to save the completed case.
#pragma once

#include <string>

#include "api/screen.hpp"

namespace oligoscreen::cli {

int run_guided(const detail::RuleSetModel& m, const std::string& file, const detail::CaseOptions& opt);

}  // namespace oligoscreen::cli
