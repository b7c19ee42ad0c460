// oligoscreen: screening for oligometastatic disease and SBRT, from the command line.
#include <csignal>
#include <cstdio>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

#include "cli_common.hpp"
#include "oligoscreen/version.hpp"
#include "tools.hpp"

namespace {

struct Tool {
  const char* name;
  const char* summary;
  int (*run)(int, char**);
};

constexpr Tool kTools[] = {
    {"screen", "screen one or more cases (YAML or JSON) and print the tumour-board report",
     oligoscreen::cli::tool_screen},
    {"batch", "screen a registry (CSV or JSON Lines) into JSON Lines or CSV, with a summary",
     oligoscreen::cli::tool_batch},
    {"rules", "check, test, show, document or evaluate a rule set (rules --help)", oligoscreen::cli::tool_rules},
    {"template", "print a blank case to fill in, or one of the bundled examples", oligoscreen::cli::tool_template},
    {"serve", "run the CDS Hooks service (FHIR in, cards out) on a loopback port", oligoscreen::cli::tool_serve},
};

void usage(FILE* out) {
  std::fprintf(out,
               "oligoscreen %s — screening for oligometastatic disease and SBRT eligibility\n"
               "\n"
               "usage: oligoscreen <command> [options] [arguments]\n"
               "       oligoscreen --version | --help\n"
               "\n"
               "commands:\n",
               OLIGOSCREEN_VERSION_STRING);
  for (const auto& t : kTools) std::fprintf(out, "  %-9s %s\n", t.name, t.summary);
  std::fprintf(out,
               "\n"
               "Run 'oligoscreen <command> --help' for the options of a command.\n"
               "\n"
               "examples:\n"
               "  oligoscreen screen examples/cases/lms-lung-metachronous.yaml\n"
               "  oligoscreen batch registry.csv -o results.jsonl --summary summary.json\n"
               "  oligoscreen rules check rules/sarcoma-sbrt\n"
               "\n"
               "exit codes: 0 success, 1 input errors (output complete), 2 usage, 3 rules error,\n"
               "            4 I/O failure, 5 internal error\n"
               "\n"
               "oligoscreen supports, and does not replace, the judgement of a multidisciplinary\n"
               "tumour board.\n");
}

// spec/cli.md: `--log-level LEVEL` is taken by all commands, so it may also come before the
// command (`oligoscreen --log-level debug batch ...`). Such leading options are moved behind the
// command name (for `rules`, behind the action), where the command parses and checks them as its
// own. Returns false when `--log-level` has no value.
bool hoist_log_level(std::vector<char*>& args, std::vector<std::string>& storage) {
  std::vector<std::string> levels;
  size_t i = 1;
  while (i < args.size()) {
    const std::string a = args[i];
    if (a == "--log-level") {
      if (i + 1 >= args.size()) return false;
      levels.push_back(args[i + 1]);
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
    } else if (a.rfind("--log-level=", 0) == 0) {
      levels.push_back(a.substr(12));
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      break;
    }
  }
  if (levels.empty() || args.size() < 2) return true;
  size_t at = 2;  // behind the command; `rules` reads its action first
  if (std::strcmp(args[1], "rules") == 0) {
    if (args.size() == 2) return true;  // no action: the rules usage, whatever the level
    at = 3;
  }
  storage.reserve(levels.size() * 2);
  std::vector<char*> inserted;
  for (const auto& level : levels) {
    storage.emplace_back("--log-level");
    storage.push_back(level);
  }
  for (auto& s : storage) inserted.push_back(s.data());
  args.insert(args.begin() + static_cast<std::ptrdiff_t>(at), inserted.begin(), inserted.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace oligoscreen::cli;
  std::signal(SIGPIPE, SIG_IGN);  // a closed pipe is a write error we report, not a crash
  try {
    std::vector<char*> args(argv, argv + argc);
    std::vector<std::string> storage;
    if (!hoist_log_level(args, storage)) {
      std::fprintf(stderr, "oligoscreen: --log-level needs a LEVEL (trace, debug, info, warn, error, off)\n");
      return kUsage;
    }
    args.push_back(nullptr);  // argv[argc] stays a null pointer, as for main
    argc = static_cast<int>(args.size()) - 1;
    argv = args.data();
    if (argc < 2) {
      usage(stderr);
      return kUsage;
    }
    std::string first = argv[1];
    if (first == "--version" || first == "-V") {
      std::printf("oligoscreen %s\n", OLIGOSCREEN_VERSION_STRING);
      return kOk;
    }
    if (first == "--help" || first == "-h" || first == "help") {
      usage(stdout);
      return kOk;
    }
    for (const auto& t : kTools) {
      if (first == t.name) {
        std::string name = std::string("oligoscreen ") + t.name;
        argv[1] = name.data();
        return t.run(argc - 1, argv + 1);
      }
    }
    std::fprintf(stderr, "oligoscreen: unknown command '%s'\n\n", first.c_str());
    usage(stderr);
    return kUsage;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "oligoscreen: out of memory\n");
    return kInternal;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "oligoscreen: internal error: %s (please report it)\n", e.what());
    return kInternal;
  }
}
