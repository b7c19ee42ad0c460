// Native fast-tier programs: the bundled rule set's programs translated ahead of time into C++
// (engine/native/progc.cpp writes them at build time) and compiled into the library. Each
// function does exactly what the interpreter (Evaluator::run_ops) does on the same
// instructions: same value, same bail-outs, same side effects (memoized definitions, loop
// bindings, short-circuit probes). A rule set gets them only when its compiled instructions
// are identical, instruction for instruction, to those they were generated from (the
// fingerprint below); any other rule set, or a change in the rules or the compiler, runs on
// the interpreter.
#pragma once

#include <cstdint>
#include <vector>

#include "eval/evaluator.hpp"
#include "expr/ast.hpp"

namespace oligoscreen::detail {

struct RuleSetModel;

using NativeProgram = bool (*)(Evaluator& ev, double& out);

struct NativeProgramTable {
  uint64_t fingerprint = 0;  // of the instructions and definitions (native_fingerprint(m))
  uint32_t op_count = 0;     // fast_ops.size() they were generated from
  struct Entry {
    uint32_t first;  // the program's first instruction in fast_ops
    NativeProgram fn;
  };
  const Entry* entries = nullptr;
  uint32_t count = 0;
};

// The programs compiled into this build (none when it was built without them).
const NativeProgramTable& native_program_table();

// FNV-1a over every byte of every instruction.
uint64_t native_fingerprint(const std::vector<FastOp>& ops);
// The instructions' fingerprint, continued over what the translations take from the rule set
// besides them: per definition, its kind, type and its program's place in the instructions
// (a translation evaluates a definition it reads through that program's translation).
uint64_t native_fingerprint(const RuleSetModel& m);

// Sets m.native_programs from native_program_table() when the fingerprints agree (else
// leaves it empty); called once the rule set's programs are compiled.
void attach_native_programs(RuleSetModel& m);

}  // namespace oligoscreen::detail
