#include <cstdio>

#include "cli_common.hpp"
#include "guided.hpp"
#include "tools.hpp"

namespace oligoscreen::cli {

int tool_batch(int, char**) {
  std::fprintf(stderr, "oligoscreen batch: not yet available\n");
  return kUsage;
}
int tool_template(int, char**) {
  std::fprintf(stderr, "oligoscreen template: not yet available\n");
  return kUsage;
}
int tool_serve(int, char**) {
  std::fprintf(stderr, "oligoscreen serve: the CDS Hooks service is not part of this build\n");
  return kUsage;
}
int run_guided(const detail::RuleSetModel&, const std::string&, const detail::CaseOptions&) {
  std::fprintf(stderr, "oligoscreen screen --ask: not yet available\n");
  return kUsage;
}

}  // namespace oligoscreen::cli

#include "rules_doc.hpp"
namespace oligoscreen::cli {
int rules_show(int, char**) {
  std::fprintf(stderr, "oligoscreen rules show: not yet available\n");
  return kUsage;
}
int rules_doc(int, char**) {
  std::fprintf(stderr, "oligoscreen rules doc: not yet available\n");
  return kUsage;
}
}  // namespace oligoscreen::cli
