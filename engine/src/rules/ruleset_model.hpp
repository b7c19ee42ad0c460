// The compiled rule set: immutable after loading, shared across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/doc.hpp"
#include "core/source.hpp"
#include "eval/value.hpp"
#include "expr/ast.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail {

class Evaluator;

struct Origin {
  std::string file;
  Pos pos;
};

struct EvidenceDef {
  std::string id, citation, doi, registry, pmid, url, design, level, note;
  bool sarcoma_specific = false, metastatic_setting = false, in_review = false, verified = false;
  std::vector<std::string> sites;
  std::vector<std::pair<std::string, std::string>> figures;  // in file order
  Origin origin;
  bool cited = false;  // set by the loader
};

struct ParamDef {
  std::string id, unit, description;
  Type type;
  Value value;                     // lists point into `items`
  std::vector<Value> items;        // list storage (stable after load)
  std::vector<std::string> texts;  // storage for Text values
  std::string source_text;         // the value as written (for docs)
  std::vector<uint32_t> evidence;
  Origin origin;
};

// One expression with its source, for diagnostics and for the trace.
struct ExprRef {
  uint32_t root = kNone;
  std::string source;  // as written in the rules
  Origin origin;       // where the scalar starts
  DocNode where;       // the scalar's style and position (text not kept): maps offsets to line:col
  [[nodiscard]] bool present() const { return root != kNone; }
};

enum class DefKind : uint8_t { Fact, Criterion, Tree, Output };

struct TreeBranch {
  std::string label;
  uint32_t next = kNone;  // node index, or kNone when leaf
  uint32_t leaf = kNone;  // leaf index
  Origin origin;
};

struct TreeNodeDef {
  std::string id, question;
  ExprRef ask;
  TreeBranch yes, no;
  std::vector<uint32_t> evidence;
  Origin origin;
};

struct TreeLeafDef {
  std::string code, label;
  std::vector<uint32_t> evidence;
  Origin origin;
};

struct TreeDef {
  uint32_t root = 0;
  std::vector<TreeNodeDef> nodes;
  std::vector<TreeLeafDef> leaves;  // leaf i has code value i of enum `enum_id`
  uint16_t enum_id = 0;
};

struct DecideRule {
  std::string id;
  bool otherwise = false;
  ExprRef when;
  uint32_t then_code = kNone;       // code index, or kNone when `value` is used
  ExprRef value;                    // expression giving the code (enum of another def: mapped by name)
  std::vector<uint32_t> value_map;  // value's enum index -> this output's code index
  std::vector<uint32_t> evidence;
  Origin origin;
};

struct ReasonDef {
  std::string code, text;
  uint64_t for_mask = ~0ULL;  // verdict codes this reason is shown for
  ExprRef when;
  std::vector<uint32_t> evidence;
  Origin origin;
};

struct SiteEvidenceDef {
  ExprRef when;
  std::vector<uint32_t> evidence;
  Origin origin;
};

enum class OutputForm : uint8_t { Code, Verdict };

// Boolean conditions (reasons, notes, ...) compiled as one fast-tier program in
// RuleSetModel::fast_ops giving the set of those that are true (bit i: the list's condition
// i); len 0 when there is none (a condition without a program, more than kMaxConditions).
struct ConditionsProgram {
  static constexpr size_t kMaxConditions = 52;  // bits a double holds exactly
  uint32_t first = 0, len = 0;
};

struct OutputDef {
  std::string key;  // JSON key, dotted for nesting
  OutputForm form = OutputForm::Code;
  uint16_t enum_id = 0;
  uint32_t unknown_code = 0;
  std::vector<DecideRule> rules;
  // The rules' conditions as one fast-tier program in RuleSetModel::fast_ops giving the index
  // of the first rule that applies (rules.size() when none); length 0 when some condition
  // has no program (eval/fast_compile.cpp).
  uint32_t decision_first = 0, decision_len = 0;
  std::vector<ReasonDef> reasons;
  std::vector<ConditionsProgram> reasons_for_code;  // per code: the reasons shown for it
  ConditionsProgram site_evidence_prog, notes_prog;
  std::vector<SiteEvidenceDef> site_evidence;
  std::vector<ReasonDef> notes;
};

// A named definition: fact, criterion, tree or output. One namespace for all.
struct Def {
  DefKind kind = DefKind::Fact;
  std::string id, title, group;
  ExprRef expr;  // Fact / Criterion
  Type type;
  std::vector<uint32_t> evidence;
  bool derived = false;
  std::vector<uint32_t> presumes;  // field slots
  std::string presumption;
  uint32_t extra = kNone;  // Tree: index in trees; Output: index in outputs
  Origin origin;
  // Filled by the checker:
  std::vector<uint32_t> deps;         // defs referenced directly
  std::vector<uint32_t> field_reads;  // FieldRefs (elem 0) read directly or transitively, sorted
  uint64_t direct_slots = 0;          // slot_bit of the fields its own expressions read (not via deps)
  bool used = false;
};

struct WarningDef {
  std::string code, message;
  ExprRef when;
  std::string field;
  std::vector<uint32_t> evidence;
  Origin origin;
};

struct ConstraintDef {
  std::string id, message;
  ExprRef when;
  std::string field;
  uint32_t field_slot = kNone;
  Origin origin;
  // Filled by the checker: the defs `when` references and the fields it reads itself
  // (slot_bit); and after it, every slot it may read, directly or through its defs.
  std::vector<uint32_t> deps;
  uint64_t direct_slots = 0;
  uint64_t slot_mask = ~uint64_t{0};
  // Slots of a condition that is unknown whenever one of them is (assess/assessment.cpp); 0
  // when it is not of that form.
  uint64_t strict_slots = 0;
};

struct Manifest {
  std::string id, version, status, title, description, last_review;
  std::vector<std::string> authors, files;
  std::string tests_dir;
};

struct RuleSetModel {
  Manifest manifest;
  std::string dir;     // where it was loaded from ("<embedded>" for the built-in one)
  std::string sha256;  // of the canonical content
  Schema schema;
  std::vector<ParamDef> params;
  std::vector<EvidenceDef> evidence;
  std::vector<Def> defs;
  std::vector<TreeDef> trees;
  std::vector<OutputDef> outputs;     // declaration order
  std::vector<uint32_t> output_defs;  // output index -> def index
  std::vector<WarningDef> warnings;
  ConditionsProgram warnings_prog;
  std::vector<ConstraintDef> constraints;
  std::vector<ExprNode> pool;      // all expression nodes
  std::vector<HotNode> hot;        // their evaluation form, same indices (eval/specialize.cpp)
  std::vector<uint32_t> hot_args;  // ListLit items and Call arguments of hot nodes
  std::vector<Value> hot_lits;     // literals that do not fit a HotNode (text, dates, unknown)
  std::vector<FastOp> fast_ops;    // fast-tier programs of root expressions (HotNode::prog_first)
  // Per instruction index: the native translation of the program starting there, or null
  // (eval/native_programs.hpp); empty when this rule set has none.
  std::vector<bool (*)(Evaluator&, double&)> native_programs;
  struct DefHot {
    DefKind kind;
    Type::Kind type;   // static type of the value
    uint16_t enum_id;  // Enum: which
    uint32_t root;     // Fact / Criterion: expression root
    uint32_t extra;    // Tree / Output: index
  };
  std::vector<DefHot> def_hot;                    // per def, what evaluation needs
  uint32_t max_vars = 0;                          // bound variables needed by the deepest expression
  std::vector<std::vector<uint8_t>> output_deps;  // [output][def]: the output depends on the def
  // For counterfactual re-assessment: per top-level field slot, the defs whose value may
  // depend on it (transitively), each after the defs it references; and whether any output may.
  std::vector<std::vector<uint32_t>> defs_reading_slot;
  std::vector<std::vector<uint32_t>> def_dependants;  // per def: the defs that reference it directly
  std::vector<uint8_t> slot_affects_outputs;
  // Per def: the top-level slots it may read, transitively, as a bit mask (slot 63 and above
  // share bit 63).
  std::vector<uint64_t> def_slot_mask;
  // Per output: the defs it depends on that presume an unrecorded field (in def order).
  std::vector<std::vector<uint32_t>> output_presuming_defs;
  // The evidence ids of every fact and criterion, sorted, each once: what the trace cites.
  std::vector<uint32_t> defs_evidence;

  [[nodiscard]] int find_def(std::string_view id) const {
    for (size_t i = 0; i < defs.size(); ++i) {
      if (defs[i].id == id) return static_cast<int>(i);
    }
    return -1;
  }
  [[nodiscard]] int find_output(std::string_view id) const {
    for (size_t i = 0; i < output_defs.size(); ++i) {
      if (defs[output_defs[i]].id == id) return static_cast<int>(i);
    }
    return -1;
  }
  [[nodiscard]] int find_evidence(std::string_view id) const {
    for (size_t i = 0; i < evidence.size(); ++i) {
      if (evidence[i].id == id) return static_cast<int>(i);
    }
    return -1;
  }
  [[nodiscard]] int find_param(std::string_view id) const {
    for (size_t i = 0; i < params.size(); ++i) {
      if (params[i].id == id) return static_cast<int>(i);
    }
    return -1;
  }
};

}  // namespace oligoscreen::detail
