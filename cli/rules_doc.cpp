#include "rules_doc.hpp"

#include <cstdio>

#include "cli_common.hpp"

namespace oligoscreen::cli {

int rules_show(int, char**) {
  std::fprintf(stderr, "oligoscreen rules show: not available in this build yet\n");
  return kUsage;
}
int rules_doc(int, char**) {
  std::fprintf(stderr, "oligoscreen rules doc: not available in this build yet\n");
  return kUsage;
}

}  // namespace oligoscreen::cli
