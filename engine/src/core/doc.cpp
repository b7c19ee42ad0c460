#include "core/doc.hpp"

namespace oligoscreen::detail {

Pos scalar_pos_at(const DocNode& n, std::string_view prefix) {
  Pos p = n.pos;
  if (!p.valid()) return p;
  size_t last_nl = prefix.rfind('\n');
  if (last_nl == std::string_view::npos) {
    uint32_t shift = static_cast<uint32_t>(prefix.size());
    if (n.style == ScalarStyle::Quoted && n.kind == DocKind::Scalar && (n.style != ScalarStyle::Literal)) {
      // pos points at the opening quote
      shift += 1;
    }
    p.col += shift;
    p.offset += shift;
    return p;
  }
  uint32_t lines = 0;
  for (char c : prefix) lines += (c == '\n') ? 1U : 0U;
  p.line += lines;
  uint32_t in_line = static_cast<uint32_t>(prefix.size() - last_nl - 1);
  p.col = (n.indent != 0 ? n.indent : 1) + in_line;
  p.offset = 0;  // unknown for continuation lines of folded text
  return p;
}

}  // namespace oligoscreen::detail
