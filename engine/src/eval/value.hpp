// Runtime values of the rule language: three-valued, with the unknown set of input fields.
#pragma once

#include <bit>
#include <cstdint>
#include <string_view>

namespace oligoscreen::detail {

// Identifies one input fact: a top-level field slot, or a subfield of one element of a
// record list. Encoded as (slot << 24) | (sub << 16) | elem, where sub and elem are
// 1-based (0 = none). Ordered by schema order, then element, then subfield.
using FieldRef = uint32_t;
inline constexpr FieldRef make_ref(uint32_t slot, uint32_t elem1 = 0, uint32_t sub1 = 0) {
  return (slot << 24) | (sub1 << 16) | elem1;
}
inline constexpr uint32_t ref_slot(FieldRef r) {
  return r >> 24;
}
// A slot's bit in a 64-bit slot mask (slots 63 and above share the last bit).
inline constexpr uint64_t slot_bit(uint32_t slot) {
  return uint64_t{1} << (slot < 63 ? slot : 63);
}
inline constexpr uint32_t ref_sub1(FieldRef r) {
  return (r >> 16) & 0xFFU;
}
inline constexpr uint32_t ref_elem1(FieldRef r) {
  return r & 0xFFFFU;
}
// Sort key: slot, element, subfield.
inline constexpr uint64_t ref_order(FieldRef r) {
  return (static_cast<uint64_t>(ref_slot(r)) << 32) | (static_cast<uint64_t>(ref_elem1(r)) << 8) | ref_sub1(r);
}

// A sorted, duplicate-free set of FieldRefs, allocated in an evaluation arena.
struct USet {
  uint32_t size;
  FieldRef refs[1];  // actually `size` entries
};

enum class VKind : uint8_t { Unknown, Bool, Number, Text, Date, Enum, List, Record };

inline constexpr uint8_t kShiftDate = 1;
inline constexpr uint8_t kShiftNumber = 2;
inline constexpr uint8_t kPossibleCodes = 3;

struct Value {
  VKind kind = VKind::Unknown;
  uint8_t hint = 0;      // Unknown: which union member describes it (kShiftDate, ...)
  uint16_t enum_id = 0;  // Enum: which enum
  uint32_t aux = 0;      // List: index of first item in its owner's storage; Record: element ref
  union {
    bool b;
    double num;
    uint32_t e;  // Enum: value index
    struct {
      int32_t lo, hi;
    } date;
    struct {
      const Value* items;
      uint32_t count;
    } list;
    struct {
      const Value* fields;  // the record's subfields, in schema order
    } rec;
    struct {
      const char* p;
      uint32_t n;
    } text;
    // Unknown values only (see `hint`): what is still known about them.
    struct {
      int32_t months, days;  // hint == kShiftDate: value = field + months + days
    } shift;
    double delta;    // hint == kShiftNumber: value = field + delta
    uint64_t codes;  // hint == kPossibleCodes: bit i set when code i is still possible
  };
  // Unknown: the fields that made it unknown. Date with lo != hi: the fields whose
  // imprecision it carries. Otherwise null.
  const USet* why = nullptr;

  Value() : num(0) {}

  static Value unknown(const USet* s = nullptr) {
    Value v;
    v.why = s;
    return v;
  }
  static Value boolean(bool x) {
    Value v;
    v.kind = VKind::Bool;
    v.b = x;
    return v;
  }
  static Value number(double x) {
    Value v;
    v.kind = VKind::Number;
    v.num = x;
    return v;
  }
  static Value enumerated(uint16_t enum_id, uint32_t index) {
    Value v;
    v.kind = VKind::Enum;
    v.enum_id = enum_id;
    v.e = index;
    return v;
  }
  static Value date_range(int32_t lo, int32_t hi, const USet* imprecise = nullptr) {
    Value v;
    v.kind = VKind::Date;
    v.date.lo = lo;
    v.date.hi = hi;
    v.why = imprecise;
    return v;
  }
  static Value string(std::string_view s) {
    Value v;
    v.kind = VKind::Text;
    v.text.p = s.data();
    v.text.n = static_cast<uint32_t>(s.size());
    return v;
  }
  static Value list_of(const Value* items, uint32_t count, uint32_t first_index = 0) {
    Value v;
    v.kind = VKind::List;
    v.list.items = items;
    v.list.count = count;
    v.aux = first_index;
    return v;
  }

  [[nodiscard]] bool is_unknown() const { return kind == VKind::Unknown; }
  [[nodiscard]] bool known() const { return kind != VKind::Unknown; }
  [[nodiscard]] std::string_view str() const { return {text.p, text.n}; }
};

inline bool same_set(const USet* a, const USet* b) {
  if (a == b) return true;
  const uint32_t na = a ? a->size : 0, nb = b ? b->size : 0;
  if (na != nb) return false;
  for (uint32_t i = 0; i < na; ++i) {
    if (a->refs[i] != b->refs[i]) return false;
  }
  return true;
}

// a and b cannot be told apart by any evaluation that reads them: same kind, same payload
// (bit for bit; lists, records and texts at the same address), same unknown set and hint.
// False is always safe (the caller then treats them as different).
inline bool identical(const Value& a, const Value& b) {
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case VKind::Bool:
      return a.b == b.b;
    case VKind::Number:
      return std::bit_cast<uint64_t>(a.num) == std::bit_cast<uint64_t>(b.num);
    case VKind::Enum:
      return a.enum_id == b.enum_id && a.e == b.e;
    case VKind::Date:
      return a.date.lo == b.date.lo && a.date.hi == b.date.hi && same_set(a.why, b.why);
    case VKind::Text:
      return a.text.p == b.text.p && a.text.n == b.text.n;
    case VKind::List:
      return a.list.items == b.list.items && a.list.count == b.list.count && a.aux == b.aux;
    case VKind::Record:
      return a.rec.fields == b.rec.fields && a.aux == b.aux;
    case VKind::Unknown:
      break;
  }
  if (a.hint != b.hint || !same_set(a.why, b.why)) return false;
  switch (a.hint) {
    case 0:
      return true;
    case kShiftDate:
      return a.shift.months == b.shift.months && a.shift.days == b.shift.days;
    case kShiftNumber:
      return std::bit_cast<uint64_t>(a.delta) == std::bit_cast<uint64_t>(b.delta);
    case kPossibleCodes:
      return a.codes == b.codes;
    default:
      return false;
  }
}

}  // namespace oligoscreen::detail
