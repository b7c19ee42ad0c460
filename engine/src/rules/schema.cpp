#include "rules/schema.hpp"

#include <charconv>

#include "eval/value.hpp"

namespace oligoscreen::detail {

// "ecog"; "lesions[1]" (element, 0-based, no subfield); "lesions[1].size_mm". A ref that does not
// name a field of `schema` renders with "?" in place of the unknown part (never throws).
std::string field_path(const Schema& schema, uint32_t ref) {
  const uint32_t slot = ref_slot(ref);
  const uint32_t elem1 = ref_elem1(ref);
  const uint32_t sub1 = ref_sub1(ref);
  std::string out;
  if (slot >= schema.fields.size()) {
    out = "?";
    return out;
  }
  const FieldDef& f = schema.fields[slot];
  out.reserve(f.path.size() + 16);
  out = f.path;
  if (elem1 != 0) {
    char buf[16];
    auto res = std::to_chars(buf, buf + sizeof buf, elem1 - 1);
    out += '[';
    out.append(buf, res.ptr);
    out += ']';
  }
  if (sub1 != 0) {
    out += '.';
    if (sub1 - 1 < f.fields.size()) {
      out += f.fields[sub1 - 1].path;
    } else {
      out += '?';
    }
  }
  return out;
}

}  // namespace oligoscreen::detail
