// A C++ host of liboligoscreen (find_package(oligoscreen)): screens each JSON case given and
// prints its verdicts, through the typed C++ API. Same output as the C and Python hosts:
// "<file>: state=<code> sbrt=<verdict> oligorare=<verdict>" or "<file>: error <kind>".
#include <oligoscreen/oligoscreen.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
  std::shared_ptr<const oligoscreen::RuleSet> rules;
  try {
    rules = oligoscreen::RuleSet::default_rules();
  } catch (const oligoscreen::Error& e) {
    std::cerr << "cpp-host: no rule set:\n" << e.what();
    return 3;
  }
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    std::ifstream in(argv[i], std::ios::binary);
    if (!in) {
      std::cerr << "cpp-host: cannot read " << argv[i] << "\n";
      status = 4;
      continue;
    }
    std::stringstream text;
    text << in.rdbuf();
    const std::string name = std::filesystem::path(argv[i]).filename().string();
    const oligoscreen::Assessment a = rules->assess(text.str());
    if (!a.ok()) {
      std::cout << name << ": error " << a.errors().front().kind << "\n";
      if (status == 0) status = 1;
      continue;
    }
    auto code = [&](const char* output) {
      const oligoscreen::Verdict* v = a.verdict(output);
      return v ? v->code : std::string("?");
    };
    std::cout << name << ": state=" << code("state") << " sbrt=" << code("sbrt") << " oligorare=" << code("oligorare")
              << "\n";
  }
  return status;
}
