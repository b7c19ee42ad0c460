// The rule language's expression tree, stored flat in a pool owned by the rule set.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/source.hpp"
#include "eval/value.hpp"

namespace oligoscreen::detail {

enum class Op : uint8_t {
  Literal,   // lit
  Name,      // unresolved name (parser output); resolved by the checker into one of:
  Field,     // top-level schema field: slot
  SubField,  // a bound record variable's subfield: a = var node, index = subfield
  Var,       // bound variable: index = variable number
  Param,     // index = parameter
  Def,       // named fact / criterion / tree / output: index = def
  Member,    // parser output for `x.name` before resolution: a = object, text = name
  Not,
  Neg,
  And,
  Or,
  Eq,
  Ne,
  Lt,
  Le,
  Gt,
  Ge,
  In,
  Add,
  Sub,
  Mul,
  Div,
  If,        // a ? b : c
  ListLit,   // args
  Call,      // fn, args
  CmpConst,  // HotNode only: `field|subfield <cmp> constant` (eval/specialize.hpp)
};

enum class Fn : uint8_t {
  None,
  Count,
  CountIf,
  All,
  Any,
  Min,
  Max,
  Sum,
  Known,
  IsTrue,
  AddMonths,
  AddDays,
  DaysBetween,
};

// Static types. Enum carries its enum id; List its element type.
struct Type {
  enum Kind : uint8_t { Any, Bool, Number, Text, Date, Enum, List, Record, Error };
  Kind kind = Any;
  Kind elem = Any;           // List: element kind
  uint16_t enum_id = 0;      // Enum, or List of Enum
  uint32_t record_slot = 0;  // Record, or List of Record: the schema field that declares the subfields

  static Type of(Kind k) { return Type{k, Any, 0, 0}; }
  bool operator==(const Type&) const = default;
};

constexpr uint32_t kNone = 0xFFFFFFFFU;

// Hot fields first: evaluation touches op..lit only.
struct ExprNode {
  Op op = Op::Literal;
  Fn fn = Fn::None;
  uint32_t a = kNone, b = kNone, c = kNone;  // operands
  uint32_t index = 0;                        // Field slot, Var number, Param, Def, SubField index
  Value lit;                                 // Literal
  std::vector<uint32_t> args;                // ListLit items, Call arguments
  Type type;
  std::string text;             // Name / Member / Literal source (strings)
  uint32_t begin = 0, end = 0;  // byte range in the expression source
  uint32_t at = kNone;          // where to report a type error (default: begin)
};

// One instruction of a fast-tier program (eval/fast_prog.cpp): a root expression compiled to
// postfix form over a stack of doubles (booleans 0/1, enum indices, day numbers, numbers).
// A load bails out (the program gives up) when the value is not a known, precise value of the
// kind it wants. `kind` bit kNegate on FieldB, DefB, KnownField, KnownSub, KnownDef, InMask,
// InField and ListEnum: push the negation of the boolean (`not x` fused into x).
enum class FCode : uint8_t {
  FieldB,  // push boolean / number / enum index / day of field `a`
  FieldN,
  FieldE,
  FieldD,
  Sub,    // push subfield `a` of the record bound to `var`, of kind `kind`
  Var,    // push the item bound to `var`, of kind `kind`
  Param,  // push parameter `a` of kind `kind` (only when it could not be folded to a Const)
  Def,    // push definition `a` of kind `kind` (memoized, else evaluated)
  DefB,   // push boolean definition `a` (`var` 1: 0.5 when its value is unknown; only where the
          // cell reaches the program's boolean value through Not/AndJump/OrJump/Join alone:
          // ExitIf and the callers of a boolean program bail out on 0.5, SetBit skips it)
  Const,  // push k
  FieldCmpK,
  SubCmpK,  // number field / item subfield <cmp> k
  FieldEnumK,
  SubEnumK,   // enum field / item subfield ==|!= k (`var`: enum id; `kind`: Op)
  CmpK,       // top <cmp `kind`> k
  DateCmp,    // date field `a` <cmp `kind`> date field `var`
  CountCmpK,  // length of list field `a` <cmp `kind`> k
  Not,
  Neg,
  Add,
  Sub2,
  Mul,
  Div,
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  InMask,   // enum index in the set `mask`
  InField,  // enum index among the items of enum-list field `a` (bail when the list or an item
            // is not a known enum)
  KnownField,
  KnownSub,
  KnownDef,
  Count,    // list length of field `a` (param when `var` == 1)
  Loop,     // `kind` = Fn over field/param list `a`, body = next `len` ops
  LoopEnd,  // closes a loop body of `a` ops: accumulate, next item or done
  DaysBetween,
  AddMonths,
  AddMonthsK,  // the day on top plus k months
  AddDays,
  JumpIfFalse,
  Jump,       // relative to the next op
  AndJump,    // `x and y`, after x: x false: x is the value, jump `a` ops past y (and its Join)
              // (while y may read a vague slot of `mask`, bail out instead: the general tier
              // records the probes; unless `var` is 1: y is one DefB, evaluated as the
              // general tier would, then the jump); else, `kind` 1: x stays below y and a
              // Join follows y; `kind` 0 (x is 0 or 1): x is popped, y is the value
  OrJump,     // `x or y`, likewise with x true
  Join,       // after y of AndJump/OrJump (`kind`: Op::And/Op::Or): x and y into min/max
              // (Kleene logic on 0, 0.5 unknown, 1)
  DefInline,  // an inlined definition `a` follows (`loop.len` ops): when its
              // value is memoized, push it (bail when not of kind `kind`) and
              // jump past them
  SetBit,     // pop a boolean; true: add k (a power of two) to the bit set below it (an
              // unknown 0.5 does not hold: the condition lists' one-by-one evaluation, which
              // the program replaces, takes only a known true)
  ExitIf,     // pop a boolean; true: the program's value is k (ends the program)
  Bail,       // the literal `unknown`: the general tier evaluates the expression
  ListEnum,   // `any`/`all` (`kind` = Fn) over the records of list field `a & 0xFFFF` of
              // "the item's enum subfield `a >> 16` (of enum `var`) is in `mask`": the loop
              // `any(l, x, x.sub == K)` / `x.sub in [...]` in one instruction (bail when an
              // item is not a record or its subfield not a known value of that enum)
  End,        // after the last instruction of every program (not counted in prog_len)
};
inline constexpr uint8_t kNegate = 0x80;  // FastOp::kind flag (see FCode)

struct FastOp {
  FCode code = FCode::Const;
  uint8_t kind = 0;  // wanted VKind; Op for comparisons; Fn for loops
  uint16_t var = 0;  // bound variable; enum id; Count: 1 when the list is a parameter
  uint32_t a = 0;    // slot / subfield / param / def / jump distance
  union {
    double k;
    uint64_t mask;
    struct {
      uint32_t len;   // Loop: body length; DefInline: length of the inlined definition
      uint32_t list;  // Loop: 1 when the list is a parameter
    } loop;
  };
  FastOp() : k(0) {}
};

// The evaluation form of an expression node: the same index as in the pool, only what
// evaluation reads. Built once after checking (eval/specialize.cpp).
struct HotNode {
  Op op = Op::Literal;
  Fn fn = Fn::None;
  Op cmp = Op::Literal;                      // CmpConst: the comparison
  VKind lit_kind = VKind::Unknown;           // Literal / CmpConst constant: its kind
  Type::Kind type = Type::Any;               // static type of the node
  Type::Kind operand_type = Type::Any;       // comparisons: static type of operand a
  uint32_t a = kNone, b = kNone, c = kNone;  // operands; CmpConst on a subfield: c = variable
  uint32_t index = 0;                        // slot / variable / parameter / def / subfield
  uint32_t args_first = 0, args_count = 0;   // ListLit items, Call arguments (in hot_args)
  union {
    double num;  // Number constant
    struct {
      uint32_t e;
      uint16_t enum_id;
    } en;          // Enum constant
    bool flag;     // Bool constant
    uint32_t lit;  // other literals: index in hot_lits
  };
  // Root expressions: the fast-tier program in RuleSetModel::fast_ops (prog_len 0: none).
  uint32_t prog_first = 0, prog_len = 0;
  HotNode() : num(0) {}
};

}  // namespace oligoscreen::detail
