// Assessing one patient: every definition evaluated and traced, the outputs with their
// reasons, notes and evidence, the warnings, and what is missing (counterfactually).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/evaluator.hpp"
#include "patient/patient.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

struct AssessOptions {
  bool explain = false;  // keep the full trace
  bool what_if = true;   // compute what-if answers for the missing fields
  bool missing = true;   // compute what is missing at all (benchmarks of evaluation alone turn it off)
};

struct ReasonOut {
  uint32_t output = 0;
  const ReasonDef* def = nullptr;    // rule-set reason or note
  const Def* presumption = nullptr;  // or: a criterion's presumption
};

struct OutputResult {
  uint32_t code = 0;                 // the code written (the output's unknown code when undecided)
  bool known = false;                // decided (false: unknown on some path)
  uint64_t possible = ~uint64_t{0};  // codes still possible when unknown
  std::vector<FieldRef> why;         // fields that left it unknown
  std::vector<ReasonOut> reasons;
  std::vector<ReasonOut> notes;
  std::vector<uint32_t> evidence;  // site evidence, in rule order, no duplicates
  int32_t decided_rule = -1;
};

struct DefResult {
  Value value;  // copied; unknown sets converted to `why`
  std::vector<FieldRef> why;
  bool presumed = false;  // a presumed field was unknown
};

struct WhatIf {
  std::string when;
  std::vector<std::pair<uint32_t, uint32_t>> changes;  // (output, code)
  // Per change: the codes still possible under `when` when the change leaves the output
  // undecided (its unknown code); ~0 for a decided output.
  std::vector<uint64_t> possible;
};

struct MissingField {
  FieldRef ref = 0;
  std::vector<uint32_t> affects;  // outputs, in declaration order
  std::vector<WhatIf> what_if;
  bool imprecise = false;  // known to the month only
};

struct WarningOut {
  std::string code, field, message;
};

struct Assessment {
  std::vector<OutputResult> outputs;
  std::vector<DefResult> defs;               // per def (explain only)
  std::vector<std::vector<TreeStep>> paths;  // per tree (explain only)
  std::vector<MissingField> missing;
  std::vector<WarningOut> warnings;
  std::vector<uint32_t> cited;             // evidence ids cited, sorted
  std::vector<InputError> contradictions;  // non-empty: the case is an error result
  std::vector<uint64_t> rules_reached;     // coverage
  std::vector<uint64_t> tree_branches_reached;
};

// Working memory of the missing-data analysis (assessment.cpp), reused across records.
struct MissingScratch {
  std::vector<Value> values, items, subs;  // the counterfactual patient (one fact patched)
  std::vector<Value> tested;               // values tested for the current field
  std::vector<uint32_t> codes;             // their outcomes: one code per output, flat
  std::vector<uint64_t> possible;          // and per output the codes still possible, flat
  std::vector<uint32_t> base;              // the outcome of the main assessment
  std::vector<uint64_t> base_possible;     // and per output the codes still possible (~0 when decided)
  std::vector<const USet*> unknown_why;    // per output: the fields that left it unknown
  std::vector<uint8_t> changed;            // per output: some tested value changes it
  std::vector<double> points;
  std::vector<Probe> probes;
  std::vector<Value> single_items;
  // The joint test of fields that change an output only together.
  std::vector<Value> tested_all;      // every candidate's tested values, one candidate after another
  std::vector<uint32_t> tested_from;  // per candidate: its first value in tested_all (and an end)
  std::vector<size_t> suspects, digits;
  std::vector<uint32_t> joint_codes;
  std::vector<std::vector<Value>> joint_copies;  // patched lists and records
  // Early cutoff of the counterfactual re-evaluation: per def, == stamp when a definition it
  // references came out different, under the value being tested, from the main assessment
  // (and in find_sources, under a stamp of its own: when one it references is not fixed).
  std::vector<uint32_t> stale;
  uint32_t stamp = 0;
  // Outcome memo of the current candidate: its sources (the definitions that may depend on its
  // slot and read the slot themselves, in dependency order), and their values under each
  // tested value kept in `tested`, flat (one run of sources per tested value).
  std::vector<uint32_t> sources;
  std::vector<Value> source_values;
  // Per slot (with `monotone`): the outputs that may depend on it, in
  // slot_outputs[slot_outputs_from[s], slot_outputs_from[s + 1]), and the constraints that may
  // read it, in slot_constraints alike.
  std::vector<uint32_t> slot_outputs, slot_outputs_from, slot_constraints, slot_constraints_from;
  uint64_t memo_hits = 0;  // tested values whose outcome the memo gave (tests: the memo ran)
  // Per def: bit 1 when its value is monotone in the facts it reads (a fact or criterion
  // without known() or is_true()): a known value stays the same when an unknown or imprecise
  // fact it reads is given a value; bit 2 when its expression has a condition (if, and, or).
  // Computed once per rule set (`monotone_of`, `monotone_sha`).
  std::vector<uint8_t> monotone;
  const void* monotone_of = nullptr;
  std::string monotone_sha;
  // Per def (computed with `monotone`): slot_bit of the fields its value reads itself. An
  // output's value is its decision, so only its rules' conditions and values count (not its
  // reasons, notes or site evidence); any other definition's is Def::direct_slots.
  std::vector<uint64_t> value_slots;
  // The fields collect() looks at (with `monotone`): per top-level field that may be a
  // candidate, its slot, and for a list of records the subfields that may be, in
  // collect_subs[collect_from[i], collect_from[i + 1]).
  std::vector<uint32_t> collect_slots, collect_from, collect_subs;
  // The same plan by slot: the bits of its slots under 63, each one's index in collect_slots,
  // and the index of its first slot from 63 on (collect_slots.size() when none).
  uint64_t collect_low = 0;
  std::vector<uint32_t> collect_index;
  uint32_t collect_high_from = 0;
  // Per output (with `monotone`): the definitions it depends on (RuleSetModel::output_deps), in
  // id order, in output_deps[output_deps_from[o], output_deps_from[o + 1]).
  std::vector<uint32_t> output_deps, output_deps_from;
  // Per subfield of a list of records (with `monotone`): per output, 1 when its rules read the
  // subfield; the entry of slot s's subfield k for output o at
  // rules_read[rules_read_from[s] + k * outputs + o] (kNone for other slots).
  std::vector<uint8_t> rules_read;
  std::vector<uint32_t> rules_read_from;
  // Per def: == keep_stamp when, for the current candidate, its value reads the candidate
  // itself (value_slots; for a list subfield, an output whose rules read that subfield).
  std::vector<uint32_t> direct;
  // Per def: == keep_stamp when, for the current candidate, it keeps the main assessment's
  // value under every tested value: it reads the candidate only through definitions that do,
  // or keeps its value (`keep`), and every definition it references that may depend on the
  // candidate's slot is fixed too.
  std::vector<uint32_t> fixed;
  // The definitions that may depend on the current candidate's slot and are not fixed, in
  // dependency order: the only ones settle() visits (a fixed definition keeps the main
  // assessment's value, or the one it is evaluated to on demand, under every tested value);
  // every one in the exhaustive reference.
  std::vector<uint32_t> settle_defs;
  // Per def: == keep_stamp when, for the current candidate, it keeps the main assessment's
  // value under every tested value as long as the definitions it references keep theirs.
  std::vector<uint32_t> keep;
  uint32_t keep_stamp = 0;
  std::vector<uint8_t> var_taint;  // per bound variable, while the candidate's reads are traced
  // The walks of keeps_main, per slot or list subfield (key walk_key_from[slot] + subfield,
  // 1-based for a subfield; with `monotone`) and expression node, at walks[walk_block[key] +
  // node] (a block of one entry per node, allocated when the key is first walked, kNone
  // before): 0 until walked; 1 + the node's taint when its walk evaluates nothing; 4 when it
  // would evaluate a condition. A function of the rule set, not of the patient.
  std::vector<uint8_t> walks;
  std::vector<uint32_t> walk_key_from, walk_block;
  size_t walk_pool = 0;    // the expression nodes a block holds (a pool that grew is indexed anew)
  uint64_t kept_defs = 0;  // tests: sources left out because they keep the main value
  // Tests: the reference for the shortcuts of assess(): every dependant re-evaluated (no
  // cutoff), every constraint evaluated.
  bool exhaustive = false;
};

// Per-thread working memory for assess(); reuse it across records.
struct AssessScratch {
  EvalState main;
  EvalState counterfactual;
  MissingScratch missing;
  // The evidence a result may cite, per rule set (`cite_of`, `cite_sha`): bit masks over the
  // evidence ids, `cite_words` words each, in one flat run (`cite_masks`): per output, one per
  // reason (from cite_reason[o]), per note (cite_note[o]) and per site evidence entry
  // (cite_site[o]); one per definition (from cite_def: its presumption's evidence); and the
  // definitions' together (at cite_defs: what the trace cites). `cite_bits`: the marks of one
  // assessment (all zero between calls).
  std::vector<uint64_t> cite_masks, cite_bits;
  std::vector<uint32_t> cite_reason, cite_note, cite_site;
  uint32_t cite_def = 0, cite_defs = 0, cite_words = 0;
  const void* cite_of = nullptr;
  std::string cite_sha;
};

// Never throws for bad patient data (std::bad_alloc aside).
void assess(const RuleSetModel& m, const Patient& p, const AssessOptions& opt, AssessScratch& scratch, Assessment& out);

// Which defs each output depends on (transitively); computed once per rule set.
std::vector<std::vector<uint8_t>> output_dependencies(const RuleSetModel& m);

// Fills m.defs_reading_slot, m.def_dependants, m.slot_affects_outputs and
// m.output_presuming_defs (after the checker and output_dependencies); once per rule set.
void index_slot_dependants(RuleSetModel& m);

}  // namespace oligoscreen::detail
