#include "guided.hpp"

#include <cstdio>

#include "cli_common.hpp"

namespace oligoscreen::cli {

int run_guided(const detail::RuleSetModel&, const std::string&, const detail::CaseOptions&) {
  std::fprintf(stderr, "oligoscreen screen --ask: not available in this build yet\n");
  return kUsage;
}

}  // namespace oligoscreen::cli
