// Fuzz target: the rule-set loader (YAML reader, schema, sections, checker, compiler).
//
// Three input shapes, chosen by the first line, so that seeds stay readable rule files:
//  - "#replace: NAME\n" + text: the embedded rule set with file NAME replaced by the text
//    (deep: the checker sees a real rule set around the mutated file);
//  - manifest text + "\n#%%\n" + text: a two-file rule set (manifest.yaml, r.yaml);
//  - anything else: the text as r.yaml under a fixed manifest listing only r.yaml.
// Whatever the input, the loader returns a model or diagnostics, never throws or crashes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_support.hpp"
#include "rules/loader.hpp"

namespace {

constexpr size_t kMaxInput = 256u << 10;

const char* kManifest =
    "id: fuzz\nversion: 1.0.0\nstatus: draft\ntitle: fuzz\nauthors: [fuzz]\nlast_review: 2026-01-01\n"
    "files: [r.yaml]\n";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace oligoscreen::detail;
  if (size > kMaxInput) return 0;
  std::string_view text = oligoscreen::fuzz::as_text(data, size);
  std::vector<std::pair<std::string, std::string>> files;
  constexpr std::string_view kReplace = "#replace: ";
  if (text.substr(0, kReplace.size()) == kReplace && text.find('\n') != std::string_view::npos) {
    size_t eol = text.find('\n');
    std::string name(text.substr(kReplace.size(), eol - kReplace.size()));
    files = embedded_rule_files();
    for (auto& f : files) {
      if (f.first == name) f.second = std::string(text.substr(eol + 1));
    }
  } else if (size_t sep = text.find("\n#%%\n"); sep != std::string_view::npos) {
    files.emplace_back("manifest.yaml", std::string(text.substr(0, sep + 1)));
    files.emplace_back("r.yaml", std::string(text.substr(sep + 5)));
  } else {
    files.emplace_back("manifest.yaml", kManifest);
    files.emplace_back("r.yaml", std::string(text));
  }
  MemoryRuleFiles mem("fuzz", std::move(files));
  Diagnostics diags;
  auto m = load_rule_set(mem, diags);
  // A model exists exactly when there is no error (loader contract).
  if ((m != nullptr) == diags.has_errors()) __builtin_trap();
  (void)diags.render();
  return 0;
}
