#include <cstdio>

#include "cli_common.hpp"
#include "tools.hpp"

namespace oligoscreen::cli {

int tool_serve(int, char**) {
  std::fprintf(stderr, "oligoscreen serve: not available in this build yet\n");
  return kUsage;
}

}  // namespace oligoscreen::cli
