#include "patient/schema_index.hpp"

#include <array>
#include <atomic>
#include <memory>
#include <string>

namespace oligoscreen::detail {

namespace {

using Entries = std::vector<std::pair<std::string_view, uint32_t>>;

}  // namespace

void SchemaIndex::build_table(Table& t, std::vector<std::pair<std::string_view, Slot>>& entries) {
  if (entries.empty()) {
    t = Table{};
    return;
  }
  uint32_t cap = 8;
  while (cap < entries.size() * 4) cap *= 2;
  t.off = static_cast<uint32_t>(slots_.size());
  t.mask = cap - 1;
  slots_.resize(slots_.size() + cap);
  for (auto& [text, slot] : entries) {
    const uint64_t h = hash(text);
    slot.tag = static_cast<uint32_t>(h >> 32) | 1U;
    auto i = static_cast<uint32_t>(h) & t.mask;
    while (slots_[t.off + i].tag != 0) i = (i + 1) & t.mask;
    slots_[t.off + i] = slot;
  }
}

SchemaIndex::SchemaIndex(const Schema& schema) {
  static std::atomic<uint64_t> generations{0};
  generation_ = generations.fetch_add(1, std::memory_order_relaxed) + 1;
  // Scopes: 0 = top level; one per group prefix ("primary"); one per List of Record field.
  std::vector<std::string> prefixes{std::string()};
  std::vector<Entries> entries(1);
  std::vector<std::vector<uint32_t>> children(1);
  // Adds (key, value) unless the key is there; a field replaces a group of the same name, as
  // in the linear scan, where a field wins over a group.
  auto add_entry = [](Entries& es, std::vector<uint32_t>& kids, std::string_view key, uint32_t value, uint32_t child) {
    for (size_t i = 0; i < es.size(); ++i) {
      if (es[i].first != key) continue;
      if ((value >> kKindShift) != kGroup && (es[i].second >> kKindShift) == kGroup) {
        es[i].second = value;
        kids[i] = 0;
      }
      return;
    }
    es.emplace_back(key, value);
    kids.push_back(child);
  };
  auto scope_of = [&](const std::string& prefix) {
    for (size_t i = 0; i < prefixes.size(); ++i) {
      if (prefixes[i] == prefix) return static_cast<uint32_t>(i);
    }
    prefixes.push_back(prefix);
    entries.emplace_back();
    children.emplace_back();
    return static_cast<uint32_t>(prefixes.size() - 1);
  };
  for (size_t i = 0; i < schema.fields.size() && i <= kTargetMask; ++i) {
    const FieldDef& f = schema.fields[i];
    std::string prefix;
    uint32_t scope = kTopScope;
    scope_off_.push_back(static_cast<uint32_t>(scope_list_.size()));
    for (size_t d = 0; d < f.segments.size(); ++d) {
      scope_list_.push_back(scope);
      const bool leaf = d + 1 == f.segments.size();
      std::string child_prefix = prefix;
      if (d != 0) child_prefix += '.';
      child_prefix += f.segments[d];
      const uint32_t child = leaf ? 0 : scope_of(child_prefix);
      add_entry(entries[scope], children[scope], f.segments[d],
                ((leaf ? kField : kGroup) << kKindShift) | static_cast<uint32_t>(i), child);
      if (leaf) break;
      prefix = std::move(child_prefix);
      scope = child;
    }
  }
  rec_scope_.assign(schema.fields.size(), kNoScope);
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const FieldDef& f = schema.fields[i];
    if (f.type != FieldType::List || f.of != ListOf::Record) continue;
    rec_scope_[i] = static_cast<uint32_t>(entries.size());
    entries.emplace_back();
    children.emplace_back();
    for (size_t s = 0; s < f.fields.size() && s < kMaxSubfields; ++s) {
      add_entry(entries.back(), children.back(), f.fields[s].path, (kSub << kKindShift) | static_cast<uint32_t>(s), 0);
    }
  }
  std::vector<std::pair<std::string_view, Slot>> table;
  scopes_.resize(entries.size());
  for (size_t sc = 0; sc < entries.size(); ++sc) {
    table.clear();
    for (size_t k = 0; k < entries[sc].size(); ++k) {
      Slot s;
      s.value = entries[sc][k].second;
      s.child = children[sc][k];
      table.emplace_back(entries[sc][k].first, s);
    }
    build_table(scopes_[sc], table);
  }
  enums_.resize(schema.enums.size());
  for (size_t e = 0; e < schema.enums.size(); ++e) {
    const auto& values = schema.enums[e].values;
    table.clear();
    for (size_t v = 0; v < values.size(); ++v) {
      bool seen = false;  // the first of equal values wins, as in EnumDef::index_of
      for (size_t w = 0; w < v && !seen; ++w) seen = values[w] == values[v];
      if (seen) continue;
      Slot s;
      s.value = static_cast<uint32_t>(v);
      table.emplace_back(values[v], s);
    }
    build_table(enums_[e], table);
  }
}

const SchemaIndex& SchemaIndex::of(const Schema& schema) {
  struct Entry {
    const Schema* schema = nullptr;
    const void* fields = nullptr;
    size_t nfields = 0;
    const void* enums = nullptr;
    size_t nenums = 0;
    std::unique_ptr<SchemaIndex> index;
    [[nodiscard]] bool matches(const Schema& s) const {
      return schema == &s && fields == s.fields.data() && nfields == s.fields.size() && enums == s.enums.data() &&
             nenums == s.enums.size();
    }
  };
  thread_local std::array<Entry, 4> cache;
  thread_local size_t next = 0;
  for (const Entry& e : cache) {
    if (e.index != nullptr && e.matches(schema)) return *e.index;
  }
  Entry& e = cache[next];
  next = (next + 1) % cache.size();
  e.index = std::make_unique<SchemaIndex>(schema);
  e.schema = &schema;
  e.fields = schema.fields.data();
  e.nfields = schema.fields.size();
  e.enums = schema.enums.data();
  e.nenums = schema.enums.size();
  return *e.index;
}

}  // namespace oligoscreen::detail
