// One patient description, read against a schema: typed facts with unknowns explicit and
// the source position of every value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/source.hpp"
#include "eval/value.hpp"

namespace oligoscreen::detail {

struct PatientWarning {
  std::string code;   // "unknown_field"
  std::string field;  // the key as written ("primray.site")
  std::string message;
  Pos pos;
};

// An input error in the terms of the result format: kind is one of syntax, encoding,
// duplicate_key, type, range, enum, date, contradiction, missing_field, unknown_field,
// limit, missing_id.
struct InputError {
  std::string kind;
  std::string field;  // dotted path with 0-based indices ("lesions[0].site"); may be empty
  Pos pos;            // line/col in the file when known; offset for encoding errors
  bool has_offset = false;
  std::string message;
};

// Storage for the Text values of one patient: copies that stay at their address until clear().
// clear() keeps the memory (up to kKeepBytes), so that a Patient reused record after record
// stops allocating once warm. A copy owns copies of the bytes, but Values that point into the
// original still do (as for every copy of a Patient: relink what the copy must own).
class TextStore {
 public:
  static constexpr size_t kBlockBytes = 4096;
  static constexpr size_t kKeepBytes = 256u << 10;

  TextStore() = default;
  TextStore(const TextStore& other);
  TextStore& operator=(const TextStore& other);
  TextStore(TextStore&&) noexcept = default;
  TextStore& operator=(TextStore&&) noexcept = default;
  ~TextStore() = default;

  // A stable copy of s (empty: a view of a static empty string).
  std::string_view keep(std::string_view s);
  void clear();

 private:
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size;
  };
  std::vector<Block> blocks_;
  size_t cur_ = 0;    // block being filled
  size_t used_ = 0;   // bytes of blocks_[cur_] in use
  size_t bytes_ = 0;  // total size of blocks_
};

static_assert(std::is_trivially_copyable_v<Value> && std::is_trivially_copyable_v<Pos> &&
              static_cast<int>(VKind::Unknown) == 0);  // Patient::reset clears them with memset

struct Patient {
  std::string id;
  bool has_id = false;
  // One Value per top-level schema field (slot). Lists point into `items`.
  std::vector<Value> values;
  std::vector<Pos> value_pos;
  // List items and record subfields (a record of k subfields takes k consecutive Values;
  // the Record item points at its first subfield). Filled while reading, then linked.
  std::vector<Value> items;
  std::vector<Pos> item_pos;
  TextStore texts;  // storage for Text values
  std::vector<PatientWarning> warnings;
  Pos start;  // where the case or record begins

  void reset(size_t slots) {
    id.clear();
    has_id = false;
    if (slots != 0 && values.size() == slots && value_pos.size() == slots) {
      // The common case (a Patient reused for the same schema): Value{} and Pos{} are zero bytes.
      std::memset(static_cast<void*>(values.data()), 0, slots * sizeof(Value));
      std::memset(static_cast<void*>(value_pos.data()), 0, slots * sizeof(Pos));
    } else {
      values.assign(slots, Value{});
      value_pos.assign(slots, Pos{});
    }
    items.clear();
    item_pos.clear();
    texts.clear();
    warnings.clear();
    start = Pos{};
  }

  // After all values are in place: turns List/Record `aux` indices into pointers into
  // `items` (which must not grow afterwards).
  void link();
};

}  // namespace oligoscreen::detail
