#include <cstdio>

#include "cli_common.hpp"
#include "tools.hpp"

namespace oligoscreen::cli {

int tool_batch(int, char**) {
  std::fprintf(stderr, "oligoscreen batch: not available in this build yet\n");
  return kUsage;
}

}  // namespace oligoscreen::cli
