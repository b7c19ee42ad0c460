// `rules show` and `rules doc`: the rule set in words.
#pragma once

namespace oligoscreen::cli {
int rules_show(int argc, char** argv);
int rules_doc(int argc, char** argv);
}  // namespace oligoscreen::cli
