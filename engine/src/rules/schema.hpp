// The patient schema a rule set declares: fields, types, ranges, enums, constraints.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/source.hpp"

namespace oligoscreen::detail {

struct EnumDef {
  std::string name;
  std::vector<std::string> values;
  std::vector<std::string> descriptions;  // same length as values ("" when none)
  [[nodiscard]] int index_of(std::string_view v) const {
    for (size_t i = 0; i < values.size(); ++i) {
      if (values[i] == v) return static_cast<int>(i);
    }
    return -1;
  }
};

enum class FieldType : uint8_t { Boolean, Integer, Number, Text, Date, Enum, List };
enum class ListOf : uint8_t { None, Enum, Record };

struct FieldDef {
  std::string path;                   // full dotted path; record subfields: their name
  std::vector<std::string> segments;  // path split at '.'
  FieldType type = FieldType::Text;
  ListOf of = ListOf::None;  // List: what the items are
  int enum_id = -1;          // Enum, or List of Enum
  std::optional<double> min, max;
  bool min_exclusive = false, max_exclusive = false;
  std::string unit, description, unknown_means;
  bool required = false, record_id = false, informational = false;
  uint32_t min_length = 0, max_length = 0;  // Text (0 = no limit for max)
  uint32_t max_items = 1000;                // List
  std::vector<FieldDef> fields;             // List of Record: subfields in order
  uint32_t slot = 0;                        // top-level fields: index in Schema::fields
  std::string file;
  Pos pos;
};

struct Schema {
  std::vector<EnumDef> enums;
  std::vector<FieldDef> fields;  // slot = index
  int record_id_slot = -1;
  std::vector<std::string> groups;  // first segments of dotted paths ("primary", ...)

  [[nodiscard]] int find(std::string_view path) const {
    for (size_t i = 0; i < fields.size(); ++i) {
      if (fields[i].path == path) return static_cast<int>(i);
    }
    return -1;
  }
  [[nodiscard]] bool is_group(std::string_view name) const {
    for (const auto& g : groups) {
      if (g == name) return true;
    }
    return false;
  }
};

// Human form of a FieldRef: "ecog", "lesions[1].size_mm" (0-based), "lesions[1]".
std::string field_path(const Schema& schema, uint32_t ref);

}  // namespace oligoscreen::detail
