// A parsed YAML or JSON document as a flat, position-carrying tree.
//
// Both readers (yaml/yaml_reader, json/json_reader) produce this one shape, so that the
// rule loader and the patient reader never see yaml-cpp or a JSON library. A Doc can be
// cleared and reused across records without giving its memory back (batch hot path).
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/source.hpp"

namespace oligoscreen::detail {

enum class DocKind : uint8_t { Null, Scalar, Sequence, Mapping };

// How a scalar was written. Readers decide types from this, never from guessing:
//  - Plain:   YAML plain scalar, or a JSON number / true / false token (text as written).
//  - Quoted:  YAML '...' or "..." scalar, or a JSON string (text unescaped).
//  - Literal: YAML block scalar '|' ; Folded: '>' (text as yaml-cpp folds it).
enum class ScalarStyle : uint8_t { Plain, Quoted, Literal, Folded };

struct DocNode {
  DocKind kind = DocKind::Null;
  ScalarStyle style = ScalarStyle::Plain;
  Pos pos;                // where the value starts (block scalars: first content character)
  uint32_t indent = 0;    // block scalars: 1-based column where content lines start
  std::string_view text;  // scalar text (Null: empty); stable for the Doc's lifetime
  uint32_t first = 0;     // Sequence: first item; Mapping: first key (its value follows it)
  uint32_t count = 0;     // Sequence: items; Mapping: entries
  uint32_t next = 0;      // next sibling (Mapping: key -> value -> next key); 0 = none
  bool clean = false;     // Scalar: text known to be valid UTF-8 without NUL bytes (set by the
                          // JSON reader for tokens and escape-free strings; false = unchecked)

  [[nodiscard]] bool is_null() const { return kind == DocKind::Null; }
  [[nodiscard]] bool is_scalar() const { return kind == DocKind::Scalar; }
  [[nodiscard]] bool is_seq() const { return kind == DocKind::Sequence; }
  [[nodiscard]] bool is_map() const { return kind == DocKind::Mapping; }
};

// Node 0 is a sentinel; the root is node 1 (when the document is not empty).
class Doc {
 public:
  Doc() { clear(); }
  // Scalar views point into this Doc's own storage: a copy would alias the original.
  Doc(const Doc&) = delete;
  Doc& operator=(const Doc&) = delete;
  Doc(Doc&&) = default;
  Doc& operator=(Doc&&) = default;

  void clear() {
    nodes_.clear();
    nodes_.emplace_back();
    strings_.clear();
  }

  [[nodiscard]] bool empty() const { return nodes_.size() <= 1; }
  [[nodiscard]] uint32_t root() const { return 1; }
  [[nodiscard]] const DocNode& node(uint32_t i) const { return nodes_[i]; }
  DocNode& node_mut(uint32_t i) { return nodes_[i]; }
  [[nodiscard]] uint32_t size() const { return static_cast<uint32_t>(nodes_.size()); }

  // Appends a node and returns its index (builders link first/next themselves).
  uint32_t add(const DocNode& n) {
    nodes_.push_back(n);
    return static_cast<uint32_t>(nodes_.size() - 1);
  }

  // Keeps a copy of s alive for the Doc's lifetime and returns a view of it.
  std::string_view keep(std::string_view s) {
    strings_.emplace_back(s);
    return strings_.back();
  }

  // Mapping lookup by key (linear: documents are small). Returns 0 when absent.
  [[nodiscard]] uint32_t find(uint32_t map, std::string_view key) const {
    const DocNode& m = nodes_[map];
    if (m.kind != DocKind::Mapping) return 0;
    for (uint32_t k = m.first; k != 0;) {
      const DocNode& key_node = nodes_[k];
      uint32_t v = key_node.next;
      if (key_node.text == key) return v;
      k = nodes_[v].next;
    }
    return 0;
  }

  // Iteration helpers.
  struct Entry {
    uint32_t key;
    uint32_t value;
  };
  [[nodiscard]] std::vector<Entry> entries(uint32_t map) const {
    std::vector<Entry> out;
    const DocNode& m = nodes_[map];
    if (m.kind != DocKind::Mapping) return out;
    out.reserve(m.count);
    for (uint32_t k = m.first; k != 0;) {
      uint32_t v = nodes_[k].next;
      out.push_back({k, v});
      k = nodes_[v].next;
    }
    return out;
  }
  [[nodiscard]] std::vector<uint32_t> items(uint32_t seq) const {
    std::vector<uint32_t> out;
    const DocNode& s = nodes_[seq];
    if (s.kind != DocKind::Sequence) return out;
    out.reserve(s.count);
    for (uint32_t i = s.first; i != 0; i = nodes_[i].next) out.push_back(i);
    return out;
  }

 private:
  std::vector<DocNode> nodes_;
  std::deque<std::string> strings_;  // deque: growth never moves existing strings
};

// Position of byte `offset` of a scalar's text in its source file (expressions in block
// scalars report errors inside the expression, not at the '|').
Pos scalar_pos_at(const DocNode& n, std::string_view offset_text_prefix);

}  // namespace oligoscreen::detail
