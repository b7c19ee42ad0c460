// Native programs (eval/native_programs.hpp): the bundled rule set's fast-tier programs,
// translated to C++ at build time, must do exactly what the interpreter does on the same
// instructions, and only a rule set whose instructions are those they were generated from
// may use them. The translator (engine/native/native_codegen.cpp) must refuse a program whose
// stack depth or loops differ between two paths to one instruction.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "api/screen.hpp"
#include "assess/assessment.hpp"
#include "eval/native_programs.hpp"
#include "native_codegen.hpp"
#include "result/json_result.hpp"
#include "rule_test_cases.hpp"
#include "rules/loader.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {
namespace {

// The first instruction of every program in m.fast_ops (each ends with an End).
std::vector<uint32_t> program_starts(const RuleSetModel& m) {
  std::vector<uint32_t> out;
  uint32_t first = 0;
  for (uint32_t i = 0; i < m.fast_ops.size(); ++i) {
    if (m.fast_ops[i].code != FCode::End) continue;
    out.push_back(first);
    first = i + 1;
  }
  return out;
}

using test_support::for_each_with_facts_removed;
using test_support::rule_test_patients;

struct Screened {
  std::string json;
  uint32_t native_runs = 0, mismatches = 0;
};

// The full result (trace and what-if on) of `p`; with `verify`, every native program run is
// checked against the interpreter.
Screened screen(const RuleSetModel& m, const Patient& p, bool verify) {
  AssessScratch scratch;
  scratch.main.verify_native = verify;
  scratch.counterfactual.verify_native = verify;
  AssessOptions ao;
  ao.what_if = true;
  ao.explain = true;
  Assessment a;
  assess(m, p, ao, scratch, a);
  Screened r;
  r.native_runs = scratch.main.native_runs + scratch.counterfactual.native_runs;
  r.mismatches = scratch.main.native_mismatches + scratch.counterfactual.native_mismatches;
  RenderOptions ro;
  ro.explain = true;
  ro.what_if = true;
  render_result_json(m, p, a, ro, r.json);
  return r;
}

#ifdef OLIGOSCREEN_NATIVE_PROGRAMS_BUILT
TEST(NativePrograms, EveryProgramOfTheBundledRuleSetIsNative) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  ASSERT_EQ(m->native_programs.size(), m->fast_ops.size());
  const std::vector<uint32_t> starts = program_starts(*m);
  ASSERT_GT(starts.size(), 100U);
  for (uint32_t first : starts) EXPECT_NE(m->native_programs[first], nullptr) << "program at " << first;
}
#endif

// Every rule-test patient, and each with one or two facts removed (unknowns, bail-outs, the
// missing-data analysis's tested values): each native run gives the interpreter's value and
// bail-out, and the results equal those of the same rule set without native programs.
TEST(NativePrograms, AgreeWithTheInterpreterOnEveryRuleTestPatient) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  auto interpreted = std::make_shared<RuleSetModel>(*m);
  interpreted->native_programs.clear();
  const auto cases = rule_test_patients(*m);
  ASSERT_GT(cases.size(), 50U);
  uint64_t runs = 0, variants = 0;
  for (const auto& c : cases) {
    auto check = [&](const Patient& p) {
      const Screened native = screen(*m, p, true);
      EXPECT_EQ(native.mismatches, 0U) << p.id;
      runs += native.native_runs;
      EXPECT_EQ(screen(*m, p, false).json, native.json) << p.id;
      EXPECT_EQ(screen(*interpreted, p, false).json, native.json) << p.id;
      ++variants;
    };
    for_each_with_facts_removed(c->patient, 3, check);
  }
  EXPECT_GT(variants, 1000U);
#ifdef OLIGOSCREEN_NATIVE_PROGRAMS_BUILT
  EXPECT_GT(runs, 10000U);  // the native programs did run
#endif
}

// A rule set whose instructions differ (here one parameter's value, folded into a program as
// a constant) runs on the interpreter.
TEST(NativePrograms, ARuleSetWithOtherInstructionsGetsNone) {
  std::vector<std::pair<std::string, std::string>> files = embedded_rule_files();
  bool edited = false;
  for (auto& [name, text] : files) {
    if (name != "parameters.yaml") continue;
    const std::string from = "value: 18\n";
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos);
    text.replace(at, from.size(), "value: 17\n");
    edited = true;
  }
  ASSERT_TRUE(edited);
  MemoryRuleFiles mem("edited", files);
  Diagnostics d;
  auto m = load_rule_set(mem, d);
  ASSERT_TRUE(m) << d.render();
  EXPECT_TRUE(m->native_programs.empty());
  Diagnostics d2;
  auto bundled = load_embedded_rules(d2);
  ASSERT_TRUE(bundled);
  EXPECT_NE(native_fingerprint(m->fast_ops), native_fingerprint(bundled->fast_ops));
}

// A translation reading a definition calls the translation of that definition's program
// (Evaluator::def_native): the fingerprint covers where each definition's program lies, and
// its kind and type, so a rule set with the same instructions but other definitions gets none.
TEST(NativePrograms, TheFingerprintCoversTheDefinitionsPrograms) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  const uint64_t bundled = native_fingerprint(*m);
  EXPECT_NE(bundled, native_fingerprint(m->fast_ops));
  uint32_t moved = 0;
  for (size_t i = 0; i < m->def_hot.size(); ++i) {
    RuleSetModel::DefHot& def = m->def_hot[i];
    if (def.root == kNone || m->hot[def.root].prog_len < 2) continue;
    const RuleSetModel::DefHot kept = def;
    def.type = def.type == Type::Bool ? Type::Number : Type::Bool;
    EXPECT_NE(native_fingerprint(*m), bundled) << "type of definition " << i;
    def = kept;
    HotNode& root = m->hot[def.root];
    ++root.prog_first;
    EXPECT_NE(native_fingerprint(*m), bundled) << "program of definition " << i;
    --root.prog_first;
    ++moved;
  }
  EXPECT_GT(moved, 5U);
  EXPECT_EQ(native_fingerprint(*m), bundled);
}

#ifdef OLIGOSCREEN_NATIVE_PROGRAMS_BUILT
// The translations of the bundled rule set evaluate the definitions they read through the
// definitions' own translated programs (the shortcut AgreeWithTheInterpreterOnEveryRuleTestPatient
// checks against the interpreter, which goes through Evaluator::def).
TEST(NativeCodegen, DefinitionsAreReadThroughTheirTranslatedPrograms) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  const std::string code = generate_native_programs(*m);
  EXPECT_NE(code.find("NativeAccess::def_native(ev, "), std::string::npos);
}
#endif

TEST(NativeCodegen, TranslatesEveryProgramOfTheBundledRuleSet) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  ASSERT_TRUE(m);
  uint32_t translated = 0;
  const std::string code = generate_native_programs(*m, &translated);
  EXPECT_EQ(translated, program_starts(*m).size());
  EXPECT_NE(code.find("native_program_table()"), std::string::npos);
}

FastOp op(FCode code, uint32_t a = 0, double k = 0) {
  FastOp o;
  o.code = code;
  o.a = a;
  o.k = k;
  return o;
}

uint32_t translated(std::vector<FastOp> ops) {
  RuleSetModel m;
  m.fast_ops = std::move(ops);
  uint32_t n = 0;
  generate_native_programs(m, &n);
  return n;
}

TEST(NativeCodegen, RefusesAProgramWhoseStackDepthDiffersBetweenPaths) {
  EXPECT_EQ(translated({op(FCode::Const, 0, 1), op(FCode::End)}), 1U);
  // `if false: jump over a push`: the jump reaches End with nothing pushed, the fall-through
  // with one more cell.
  EXPECT_EQ(translated({op(FCode::Const, 0, 1), op(FCode::JumpIfFalse, 1), op(FCode::Const, 0, 2), op(FCode::End)}),
            0U);
  // A balanced conditional: both paths reach End with one cell.
  EXPECT_EQ(translated({op(FCode::Const, 0, 1), op(FCode::JumpIfFalse, 2), op(FCode::Const, 0, 2), op(FCode::Jump, 1),
                        op(FCode::Const, 0, 3), op(FCode::End)}),
            1U);
  // A pop with nothing on the stack; a jump past the program's End.
  EXPECT_EQ(translated({op(FCode::Not), op(FCode::End)}), 0U);
  EXPECT_EQ(translated({op(FCode::Const, 0, 1), op(FCode::Jump, 5), op(FCode::End)}), 0U);
}

TEST(NativeCodegen, RefusesALoopWithoutItsEnd) {
  FastOp loop = op(FCode::Loop, 0);
  loop.loop.len = 1;
  loop.loop.list = 0;
  FastOp end = op(FCode::LoopEnd, 1);
  // Body of one instruction closed by its LoopEnd: translated.
  EXPECT_EQ(translated({loop, op(FCode::Const, 0, 1), end, op(FCode::End)}), 1U);
  // The LoopEnd names a body of another length; no LoopEnd at all.
  FastOp wrong = op(FCode::LoopEnd, 2);
  EXPECT_EQ(translated({loop, op(FCode::Const, 0, 1), wrong, op(FCode::End)}), 0U);
  EXPECT_EQ(translated({loop, op(FCode::Const, 0, 1), op(FCode::Not), op(FCode::End)}), 0U);
}

}  // namespace
}  // namespace oligoscreen::detail
