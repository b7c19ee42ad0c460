// Parser for the rule language (grammar: docs/rule-language.md section 5).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "expr/ast.hpp"

namespace oligoscreen::detail {

struct ParseIssue {
  uint32_t offset = 0;  // byte offset in the expression source
  std::string message;
};

struct ExprLimits {
  uint32_t max_length = 4096;  // bytes of one expression
  uint32_t max_depth = 48;     // nesting of sub-expressions
  uint32_t max_height = 32;    // levels of the syntax tree (operator chains count): bounds the
                               // recursion of the checker and the evaluator (stack safety: 64
                               // levels overflowed a 128 KiB stack in the fuzzer's ASan build)
};

// Parses `src` and appends its nodes to `pool`. Returns the root index, or kNone with
// `issue` set (the first syntax error; an expression is short, one error is enough).
uint32_t parse_expression(std::string_view src, std::vector<ExprNode>& pool, ParseIssue& issue,
                          const ExprLimits& limits = {});

}  // namespace oligoscreen::detail
