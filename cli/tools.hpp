// The subcommands of `oligoscreen`, dispatched through one table (as ninja's -t tools).
#pragma once

namespace oligoscreen::cli {

// Each tool gets argv with argv[0] = "oligoscreen <tool>" and returns an exit code.
int tool_screen(int argc, char** argv);
int tool_batch(int argc, char** argv);
int tool_rules(int argc, char** argv);
int tool_template(int argc, char** argv);
int tool_serve(int argc, char** argv);

}  // namespace oligoscreen::cli
