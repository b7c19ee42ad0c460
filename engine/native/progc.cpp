// oligoscreen_progc OUTPUT: writes the native translation of the bundled rule set's fast-tier
// programs (eval/native_programs.hpp) to OUTPUT, rewriting it only when its content changes.
// A build tool: it runs once per build of the engine.
#include <cstdio>
#include <fstream>
#include <string>

#include "api/screen.hpp"
#include "native_codegen.hpp"

int main(int argc, char** argv) {
  using namespace oligoscreen::detail;
  if (argc != 2) {
    std::fprintf(stderr, "usage: oligoscreen_progc OUTPUT.cpp\n");
    return 2;
  }
  Diagnostics diags;
  std::shared_ptr<RuleSetModel> m = load_embedded_rules(diags);
  if (!m) {
    std::fprintf(stderr, "oligoscreen_progc: the bundled rule set does not load\n");
    return 1;
  }
  uint32_t translated = 0;
  const std::string code = generate_native_programs(*m, &translated);
  std::string old;
  if (std::FILE* f = std::fopen(argv[1], "rb")) {
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) old.append(buf, n);
    std::fclose(f);
  }
  if (old == code) return 0;
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << code;
  out.close();
  if (!out) {
    std::fprintf(stderr, "oligoscreen_progc: cannot write %s\n", argv[1]);
    return 1;
  }
  std::fprintf(stderr, "oligoscreen_progc: %u programs of %zu instructions translated\n", translated,
               m->fast_ops.size());
  return 0;
}
