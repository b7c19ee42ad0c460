// Hash lookups over a Schema for the patient readers: mapping keys -> fields / groups / record
// subfields, and enum text -> value index.
//
// Contract: a lookup never answers differently from the linear scan it replaces. Every hit is
// verified against the Schema passed in (the text compared with the schema's own string, the
// slot bounds-checked), so a stale index (a Schema changed in place, or a new Schema at the
// address of a freed one) can only miss; on a miss the caller falls back to the linear scan.
// The index holds no pointers into the Schema.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rules/schema.hpp"

namespace oligoscreen::detail {

class SchemaIndex {
 public:
  static constexpr uint32_t kNoScope = 0xFFFFFFFFU;
  static constexpr uint32_t kTopScope = 0;

  explicit SchemaIndex(const Schema& schema);

  // The index of `schema` for the calling thread: built on first use and cached per thread
  // (four schemas; keyed by the Schema's address and the addresses and sizes of its
  // vectors). The reference stays valid until the thread has asked for four other schemas'
  // indexes. Never throws except bad_alloc.
  static const SchemaIndex& of(const Schema& schema);

  // A number no other SchemaIndex of the process has had (never 0): what a cache derived from
  // this index is keyed by (an address can be reused).
  [[nodiscard]] uint64_t generation() const { return generation_; }
  // Number of key scopes (kTopScope, every group's child_scope, and the List of Record scopes
  // are below it).
  [[nodiscard]] size_t scope_count() const { return scopes_.size(); }

  struct KeyHit {
    const FieldDef* field = nullptr;  // a field named by the key (wins over a group)
    const FieldDef* group = nullptr;  // else the first field under the group named by the key
    uint32_t child_scope = kNoScope;  // group: the scope of its mapping
  };
  // Key `key` of a mapping at `scope` (kTopScope, or a group's child_scope), whose keys are
  // segment `depth` of paths under prefix->segments[0..depth). True with `out` set on a
  // verified hit; false when the index does not know the key (scan to be sure).
  bool find_key(const Schema& schema, uint32_t scope, const FieldDef* prefix, size_t depth, std::string_view key,
                KeyHit& out) const {
    if (scope >= scopes_.size()) return false;
    const Slot* s = probe(scopes_[scope], hash(key), [&](const Slot& c) {
      return match_key(schema, c.value & kTargetMask, prefix, depth, key, out) &&
             (out.field != nullptr) == ((c.value >> kKindShift) == kField);
    });
    return s != nullptr;
  }

  // Does key `key` (as in find_key) name field `i` (out.field) or a group whose first field
  // is `i` (out.group, with its child_scope)? The check of a guess: keys often come in schema
  // order. A group is named by any field under it; a field by itself.
  bool match_key(const Schema& schema, size_t i, const FieldDef* prefix, size_t depth, std::string_view key,
                 KeyHit& out) const {
    if (i >= schema.fields.size()) return false;
    const FieldDef& f = schema.fields[i];
    const size_t n = f.segments.size();
    if (n <= depth || !same_text(f.segments[depth], key)) return false;
    for (size_t d = 0; d < depth; ++d) {
      if (!same_text(f.segments[d], prefix->segments[d])) return false;
    }
    if (n == depth + 1) {
      out = KeyHit{&f, nullptr, kNoScope};
    } else {
      const size_t at = i < scope_off_.size() ? scope_off_[i] + depth + 1 : scope_list_.size();
      out = KeyHit{nullptr, &f, at < scope_list_.size() && at < scope_off_[i] + n ? scope_list_[at] : kNoScope};
    }
    return true;
  }

  // Subfield of the List of Record field `list` named `key`: its index, or -1 (scan to be sure).
  [[nodiscard]] int find_sub(const FieldDef& list, std::string_view key) const {
    if (list.slot >= rec_scope_.size() || rec_scope_[list.slot] >= scopes_.size()) return -1;
    const Slot* s = probe(scopes_[rec_scope_[list.slot]], hash(key),
                          [&](const Slot& c) { return match_sub(list, c.value & kTargetMask, key); });
    return s == nullptr ? -1 : static_cast<int>(s->value & kTargetMask);
  }
  // Is subfield i of `list` named `key`?
  static bool match_sub(const FieldDef& list, size_t i, std::string_view key) {
    return i < list.fields.size() && i < kMaxSubfields && same_text(list.fields[i].path, key);
  }

  // Index of `text` among the values of enum `enum_id`, or -1 (scan to be sure).
  [[nodiscard]] int find_enum(const Schema& schema, size_t enum_id, std::string_view text) const {
    if (enum_id >= enums_.size() || enum_id >= schema.enums.size()) return -1;
    const auto& values = schema.enums[enum_id].values;
    const Slot* s = probe(enums_[enum_id], hash(text),
                          [&](const Slot& c) { return c.value < values.size() && same_text(values[c.value], text); });
    return s == nullptr ? -1 : static_cast<int>(s->value);
  }

  // Equal bytes (inline: the strings compared here are short).
  static bool same_text(const std::string& a, std::string_view b) {
    const size_t n = b.size();
    if (a.size() != n) return false;
    const char* p = a.data();
    const char* q = b.data();
    if (n >= 8) {
      for (size_t i = 0; i + 8 < n; i += 8) {
        if (load8(p + i) != load8(q + i)) return false;
      }
      return load8(p + n - 8) == load8(q + n - 8);
    }
    if (n >= 4) return load4(p) == load4(q) && load4(p + n - 4) == load4(q + n - 4);
    for (size_t i = 0; i < n; ++i) {
      if (p[i] != q[i]) return false;
    }
    return true;
  }

  // The hash of a lookup's text (any bytes, any length; quality matters for speed only).
  static uint64_t hash(std::string_view s) {
    const char* p = s.data();
    const size_t n = s.size();
    uint64_t a = 0;
    uint64_t b = 0;
    if (n >= 8) {
      a = load8(p);
      b = load8(p + n - 8);
      for (size_t i = 8; i + 8 < n; i += 8) a = (a ^ load8(p + i)) * 0x9FB21C651E98DF25ULL;
    } else if (n >= 4) {
      a = load4(p);
      b = load4(p + n - 4);
    } else if (n > 0) {
      a = uint64_t{static_cast<unsigned char>(p[0])} | uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
          uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
    }
    uint64_t h = ((a ^ 0x9E3779B97F4A7C15ULL) * 0xBF58476D1CE4E5B9ULL) ^ ((b + n) * 0x94D049BB133111EBULL);
    h ^= h >> 29;
    return h;
  }

 private:
  struct Slot {
    uint32_t tag = 0;    // high bits of the hash, never 0 in a used slot
    uint32_t value = 0;  // keys: kind << 28 | slot/sub; enums: value index
    uint32_t child = 0;  // keys of kind Group: the child scope
  };
  struct Table {
    uint32_t off = 0;   // first slot in slots_
    uint32_t mask = 0;  // capacity - 1 (capacity a power of two, >= 2); 0: empty table
  };
  enum : uint32_t { kField = 1, kGroup = 2, kSub = 3 };
  static constexpr uint32_t kKindShift = 28;
  static constexpr uint32_t kTargetMask = (1U << kKindShift) - 1;
  static constexpr size_t kMaxSubfields = 255;  // scalar::kMaxSlots - 1: a FieldRef's sub1 is 8 bits

  static uint64_t load8(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  static uint64_t load4(const char* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  // Slot of the first candidate for hash h in table t (tags equal; text not yet compared).
  template <typename Verify>
  [[nodiscard]] const Slot* probe(const Table& t, uint64_t h, Verify&& verify) const {
    if (t.mask == 0) return nullptr;
    const auto tag = static_cast<uint32_t>(h >> 32) | 1U;
    for (auto i = static_cast<uint32_t>(h) & t.mask;; i = (i + 1) & t.mask) {
      const Slot& s = slots_[t.off + i];
      if (s.tag == 0) return nullptr;
      if (s.tag == tag && verify(s)) return &s;
    }
  }

  void build_table(Table& t, std::vector<std::pair<std::string_view, Slot>>& entries);

  std::vector<Slot> slots_;
  std::vector<Table> scopes_;         // key tables by scope
  std::vector<uint32_t> rec_scope_;   // by top-level slot: scope of its record subfields, or kNoScope
  std::vector<uint32_t> scope_list_;  // field i: the scope of its segment d at scope_list_[scope_off_[i] + d]
  std::vector<uint32_t> scope_off_;
  std::vector<Table> enums_;  // by enum id
  uint64_t generation_ = 0;
};

}  // namespace oligoscreen::detail
