#include "patient/json_direct_reader.hpp"

#include <array>
#include <cmath>
#include <cstring>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "json/json_bytes.hpp"
#include "patient/scalar_parse.hpp"
#include "patient/schema_index.hpp"

namespace oligoscreen::detail {

using namespace scalar;  // NOLINT(google-build-using-namespace): the readers' shared toolkit

// One key of a mapping's shape: its bytes as written in compact JSON (`"name":`, plain ASCII,
// zero-padded) and what the general reader resolved it to in that mapping.
struct ShapeKey {
  static constexpr size_t kMaxBytes = 32;
  alignas(16) std::array<char, kMaxBytes> bytes{};
  uint32_t len = 0;                        // bytes used: name + 3
  uint32_t mask = 0;                       // the low len bits
  uint32_t field = 0;                      // a leaf: its field; a group: the field the lookup returned
  uint32_t scope = SchemaIndex::kNoScope;  // a group: the scope of its mapping; a leaf: kNoScope
  bool scalar = false;                     // a leaf whose field is neither a List nor the record id
};

// An enum text met (exact bytes and the closing quote) and the value index enum_value gave it.
struct EnumEntry {
  static constexpr size_t kMaxBytes = 48;
  alignas(16) std::array<char, kMaxBytes> bytes{};
  uint32_t len = 0;  // text + 1 (the quote); 0: empty entry
  uint32_t idx = 0;
};

// Contract (see DirectReadCache): every entry was learned from a record the general direct
// path accepted, for `schema`. A scope's keys are distinct (bytes, fields, scopes), so keys
// matched at increasing positions of it can never repeat.
struct DirectShapes {
  static constexpr size_t kEnumSets = 32;  // per enum, of kEnumWays entries (the newest first)
  static constexpr size_t kEnumWays = 2;
  static constexpr size_t kMaxKeys = 64;
  const Schema* schema = nullptr;
  uint64_t generation = 0;
  std::vector<std::vector<ShapeKey>> scopes;  // by SchemaIndex scope
  std::vector<uint32_t> required;             // slots check_required wants present
  std::vector<EnumEntry> enums;               // by (enum id * kEnumSets + set) * kEnumWays + way
  // Elements of List of Record fields, by slot: keys are subfields (field = subfield index).
  std::vector<std::vector<ShapeKey>> elements;
  std::vector<uint64_t> element_required;  // by slot: the required subfields; ~0: not shaped

  void bind(const Schema& s, const SchemaIndex& index) {
    if (schema == &s && generation == index.generation()) return;
    schema = &s;
    generation = index.generation();
    scopes.assign(index.scope_count(), {});
    required.clear();
    for (const FieldDef& f : s.fields) {
      if ((f.required || f.record_id || static_cast<int>(f.slot) == s.record_id_slot) && f.slot < kMaxSlots) {
        required.push_back(f.slot);
      }
    }
    enums.assign(s.enums.size() * kEnumSets * kEnumWays, EnumEntry{});
    elements.assign(s.fields.size(), {});
    element_required.assign(s.fields.size(), ~uint64_t{0});
    for (size_t i = 0; i < s.fields.size(); ++i) {
      const FieldDef& f = s.fields[i];
      if (f.type != FieldType::List || f.of != ListOf::Record || f.fields.size() > 63) continue;
      uint64_t req = 0;
      for (size_t j = 0; j < f.fields.size(); ++j) req |= f.fields[j].required ? uint64_t{1} << j : 0;
      element_required[i] = req;
    }
  }

  // The set of entries an enum text at q (after its opening quote; eight bytes readable)
  // uses: a function of the bytes before the first '"' among those eight, so of the text
  // alone when it is a plain text followed by its closing quote.
  static size_t enum_set(const char* q) {
    uint64_t x;
    std::memcpy(&x, q, 8);
    constexpr uint64_t kOnes = 0x0101010101010101ULL;
    const uint64_t t = x ^ (kOnes * '"');                              // zero bytes: the quotes
    const uint64_t z = (t - kOnes) & ~t & (kOnes * 0x80);              // lowest set bit: the first quote
    const uint64_t keep = z == 0 ? ~uint64_t{0} : (z & (~z + 1)) - 1;  // the bits below it
    return static_cast<size_t>(((x & keep) * 0x9E3779B97F4A7C15ULL) >> 59) % kEnumSets;
  }
};

DirectReadCache::DirectReadCache() : shapes_(std::make_unique<DirectShapes>()) {}
DirectReadCache::~DirectReadCache() = default;

namespace {

static_assert(std::is_trivially_copyable_v<Value> && std::is_trivially_copyable_v<Pos>);  // copied with memcpy

// Bytes a string may hold on the fast lane: printable ASCII (and DEL) but '"' and '\\' (the
// complement of special_bytes()).
constexpr std::array<bool, 256> make_plain_table() {
  std::array<bool, 256> t{};
  for (size_t c = 0x20; c < 0x80; ++c) t[c] = c != '"' && c != '\\';
  return t;
}
constexpr std::array<bool, 256> kPlain = make_plain_table();

inline unsigned char uc(char c) {
  return static_cast<unsigned char>(c);
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// Bytes that continue a word or number token in read_json (letters, digits, '_').
constexpr std::array<bool, 256> make_ident_table() {
  std::array<bool, 256> t{};
  for (size_t c = 0; c < 256; ++c)
    t[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(static_cast<char>(c)) || c == '_';
  return t;
}
constexpr std::array<bool, 256> kIdent = make_ident_table();
inline bool is_ident(char c) {
  return kIdent[static_cast<unsigned char>(c)];
}

// Per-thread state reused from record to record: buffers for the elements of a List of
// Record, and the key memo.
struct Scratch {
  std::vector<Pos> rec_pos;  // where each element's '{' is
  std::vector<Value> recs;   // the elements' Record items
  std::vector<Value> subs;   // the elements' subfields (k each); in use: [0, nsubs)
  std::vector<Pos> subs_pos;
  size_t nsubs = 0;
  std::vector<Value> sub_items;  // items of subfield lists (list Values' aux relative to here)
  std::vector<Pos> sub_pos;

  // Key memo: what the key after a given one named last time, a guess checked like any other
  // (SchemaIndex::match_key / match_sub), so it can only make a lookup cheaper, never change
  // its answer. Learned for the SchemaIndex of generation `memo_for`. Tokens of a mapping:
  // field i (a leaf key) -> i; the start of scope c -> nfields + c; after a group key whose
  // mapping is scope c -> nfields + nscopes + c. A value: the field index named, or kNone.
  uint64_t memo_for = 0;
  size_t nfields = 0;
  size_t nscopes = 0;
  std::vector<uint32_t> next_key;
  // Subfields of List of Record field `slot`: sub_next[sub_base[slot] + prev + 1] (prev = -1
  // at the start of an element) is the subfield the next key named last time.
  std::vector<uint32_t> sub_base;
  std::vector<uint32_t> sub_next;
  // Element plans, by the slot of a List of Record field: the subfields, in the order their
  // keys came, of the last element the general element reader (`record`) accepted. A plan
  // holds distinct subfield indices; the live schema is read for every key and value it
  // reads, so a plan can only make an element cheaper to read, never change its result.
  struct ElementPlan {
    static constexpr size_t kMax = 12;
    std::array<uint8_t, kMax> sub{};
    uint8_t n = 0;  // 0: none learned
  };
  std::vector<ElementPlan> element_plan;
  // By enum id, kEnumWays entries each: the value index last read for a text of that
  // enum_way() (a guess checked against the schema's text).
  std::vector<uint32_t> last_enum;
  static constexpr size_t kEnumWays = 16;

  static constexpr uint32_t kNone = 0xFFFFFFFFU;

  void learn_for(const Schema& schema, const SchemaIndex& index) {
    if (memo_for == index.generation()) return;
    memo_for = index.generation();
    nfields = schema.fields.size();
    nscopes = index.scope_count();
    next_key.assign(nfields + 2 * nscopes, kNone);
    sub_base.assign(nfields, kNone);
    sub_next.clear();
    element_plan.assign(nfields, ElementPlan{});
    for (size_t i = 0; i < nfields; ++i) {
      const FieldDef& f = schema.fields[i];
      if (f.type != FieldType::List || f.of != ListOf::Record) continue;
      sub_base[i] = static_cast<uint32_t>(sub_next.size());
      sub_next.resize(sub_next.size() + f.fields.size() + 1, kNone);
    }
    last_enum.assign(schema.enums.size() * kEnumWays, kNone);
  }
};

Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

// One record. Every parse function takes the position of what it reads and returns the
// position after it, or nullptr: fall back.
class DirectReader {
 public:
  DirectReader(const Schema& schema, const SchemaIndex& index, std::string_view text, uint32_t line,
               const JsonLimits& limits, Patient& out, DirectShapes* shapes)
      : schema_(schema),
        index_(index),
        begin_(text.data()),
        end_(text.data() + text.size()),
        line_(line),
        max_depth_(limits.max_depth),
        out_(out),
        shapes_(shapes) {}

  // Resets the Patient for this record; the record's opening brace, or nullptr when the
  // record does not start with one (or nesting is not allowed at all).
  const char* open_record() {
    memo_.learn_for(schema_, index_);
    out_.reset(schema_.fields.size());
    values_ = out_.values.data();
    value_pos_ = out_.value_pos.data();
    const char* p = ws(begin_);
    if (p == end_ || *p != '{' || max_depth_ == 0) return nullptr;
    out_.start = pos(p);
    open_ = 1;
    return p;
  }

  // The record read by the shapes alone: true (out filled as run() would) when every key is
  // the next expected key of its mapping's shape or a later one, and the record is valid;
  // false at the first difference (out unspecified: run() reads it again).
  bool run_shaped() {
    const char* p = open_record();
    if (p == nullptr) return false;
    p = shaped_mapping(p + 1, SchemaIndex::kTopScope);
    if (p == nullptr || ws(p) != end_) return false;
    for (const uint32_t slot : shapes_->required) {
      if (!present_.test(slot)) return false;
    }
    link();
    return true;
  }

  bool run() {
    const char* p = open_record();
    if (p == nullptr) return false;
    p = mapping(p + 1, nullptr, 0, SchemaIndex::kTopScope);
    if (p == nullptr || ws(p) != end_) return false;
    if (!required_present()) return false;
    link();
    if (shapes_ != nullptr && !log_overflow_) learn();
    return true;
  }

 private:
  // check_required finds nothing missing: every required field and the record id present.
  [[nodiscard]] bool required_present() const {
    for (const FieldDef& f : schema_.fields) {
      if ((f.required || f.record_id || static_cast<int>(f.slot) == schema_.record_id_slot) && f.slot < kMaxSlots &&
          !present_.test(f.slot)) {
        return false;
      }
    }
    return true;
  }

  // Patient::link for what this reader wrote: the List values are those of lists_; the
  // Record items those of record_lists_, and items of kind List only when item_lists_.
  void link() {
    Value* items = out_.items.data();
    for (size_t i = 0; i < lists_seen_; ++i) {
      Value& v = out_.values[lists_[i]];
      v.list.items = items + v.aux;
    }
    if (!item_lists_) {
      for (size_t i = 0; i < record_lists_seen_; ++i) {
        Value* rec = items + out_.values[record_lists_[i]].aux;
        for (Value* const end = rec + out_.values[record_lists_[i]].list.count; rec != end; ++rec) {
          rec->rec.fields = items + rec->e;
        }
      }
      return;
    }
    for (Value& v : out_.items) {
      if (v.kind == VKind::List) {
        v.list.items = items + v.aux;
      } else if (v.kind == VKind::Record) {
        v.rec.fields = items + v.e;
      }
    }
  }

  // read_json's node position: with no newline and only ASCII before `at`, col = offset + 1.
  [[nodiscard]] Pos pos(const char* at) const {
    const auto off = static_cast<uint32_t>(at - begin_);
    return Pos{line_, off + 1, off};
  }

  const char* ws(const char* p) const {
    if (p < end_ && uc(*p) > ' ') return p;  // compact JSON Lines: no whitespace
    while (p < end_ && (*p == ' ' || *p == '\t' || *p == '\r')) ++p;
    return p;
  }

  [[nodiscard]] bool is_null(const char* p) const {
    return *p == 'n' && end_ - p >= 4 && std::memcmp(p, "null", 4) == 0 && (end_ - p == 4 || !is_ident(p[4]));
  }

  // p at '"': the string's bytes (no escapes, all plain) in s.
  const char* string(const char* p, std::string_view& s) const {
    const char* q = p + 1;
#if defined(__SSE2__)
    // 16 bytes at a time: '"', '\\', and (signed) < 0x20, i.e. also >= 0x80.
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end_ - q >= 16) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      const __m128i special =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)), _mm_cmplt_epi8(v, space));
      const auto m = static_cast<unsigned>(_mm_movemask_epi8(special));
      if (m != 0) {
        q += __builtin_ctz(m);
        return close_string(p, q, s);
      }
      q += 16;
    }
#endif
    for (;;) {
      if (end_ - q < 8) {
        while (q < end_ && kPlain[uc(*q)]) ++q;
        break;
      }
      uint64_t v;
      std::memcpy(&v, q, 8);
      const uint64_t m = special_bytes(v);
      if (m != 0) {
        q += __builtin_ctzll(m) / 8;
        break;
      }
      q += 8;
    }
    return close_string(p, q, s);
  }

  // q at the first byte of string p that is not plain: its end, or fall back.
  const char* close_string(const char* p, const char* q, std::string_view& s) const {
    if (q == end_ || *q != '"') return nullptr;
    s = std::string_view(p + 1, static_cast<size_t>(q - p - 1));
    return q + 1;
  }

  // p at '-' or a digit: an RFC 8259 number without exponent, at most 300 bytes before any
  // fraction (so it cannot overflow a double).
  const char* number(const char* p, std::string_view& s) const {
    const char* q = p;
    if (*q == '-') ++q;
    if (q == end_ || !is_digit(*q)) return nullptr;
    if (*q == '0') {
      ++q;
    } else {
      while (q < end_ && is_digit(*q)) ++q;
    }
    if (q - p > 300) return nullptr;
    if (q < end_ && *q == '.') {
      ++q;
      if (q == end_ || !is_digit(*q)) return nullptr;
      while (q < end_ && is_digit(*q)) ++q;
    }
    if (q < end_ && (is_ident(*q) || *q == '.')) return nullptr;  // exponent, leading zero, junk
    s = std::string_view(p, static_cast<size_t>(q - p));
    return q;
  }

  // A string, number, true or false at p: its text as the Doc would hold it, and how it was written.
  const char* token(const char* p, std::string_view& s, Lexical& lex) const {
    const char c = *p;
    if (c == '"') {
      lex = Lexical::Quoted;
      return string(p, s);
    }
    lex = Lexical::Token;
    if (c == '-' || is_digit(c)) return number(p, s);
    const size_t n = c == 't' ? 4 : c == 'f' ? 5 : 0;
    if (n == 0 || static_cast<size_t>(end_ - p) < n) return nullptr;
    s = std::string_view(p, n);
    if (s != (n == 4 ? "true" : "false") || (end_ - p > static_cast<ptrdiff_t>(n) && is_ident(p[n]))) return nullptr;
    return p + n;
  }

  // A scalar value of field f at p, converted as DocReader::convert does (only successes);
  // s: its text. The common cases are read here for the token the field's type needs (the
  // text is printable ASCII: no encoding check, code points = bytes); the rest goes through
  // convert_scalar.
  [[gnu::always_inline]] const char* scalar(const FieldDef& f, const char* p, Value& val, std::string_view& s) {
    if (*p == '"') {
      if (f.type == FieldType::Enum && !f.record_id) {  // (s is read only for the record id)
        const char* q = enum_cached(f.enum_id, p, val);
        if (q != nullptr) return q;
      }
      const char* q = string(p, s);
      if (q == nullptr) return nullptr;
      switch (f.type) {
        case FieldType::Text:
          if (s.size() < f.min_length || (f.max_length != 0 && s.size() > f.max_length)) return nullptr;
          val = Value::string(out_.texts.keep(s));
          return q;
        case FieldType::Date: {
          DateRange d;
          if (fast_date(s, d)) {
            val = Value::date_range(d.lo, d.hi);
            return q;
          }
          break;
        }
        case FieldType::Enum:
          if (enum_value(f.enum_id, s, val)) return q;
          break;
        default:
          return nullptr;  // quoted text where a boolean or number belongs: a type error
      }
      return general(f, s, Lexical::Quoted, val) ? q : nullptr;
    }
    switch (f.type) {
      case FieldType::Boolean:
        if (end_ - p >= 4 && std::memcmp(p, "true", 4) == 0 && (end_ - p == 4 || !is_ident(p[4]))) {
          s = std::string_view(p, 4);
          val = Value::boolean(true);
          return p + 4;
        }
        if (end_ - p >= 5 && std::memcmp(p, "false", 5) == 0 && (end_ - p == 5 || !is_ident(p[5]))) {
          s = std::string_view(p, 5);
          val = Value::boolean(false);
          return p + 5;
        }
        return nullptr;
      case FieldType::Integer:
      case FieldType::Number:
        return number_value(f, p, val, s);
      case FieldType::Text: {  // the record id also takes an integer
        Lexical lex = Lexical::Token;
        p = token(p, s, lex);
        return p != nullptr && general(f, s, lex, val) ? p : nullptr;
      }
      default:
        return nullptr;  // a token where a date, enum value or list belongs: a type error
    }
  }

  // convert_scalar (BoolSyntax::Strict): true on success.
  bool general(const FieldDef& f, std::string_view s, Lexical lex, Value& val) {
    ScalarError se;
    return convert_scalar(schema_, f, s, lex, BoolSyntax::Strict, out_.texts, val, se, &index_);
  }

  // p at a token in an Integer or Number field. A number of at most 15 digits
  // (-?(0|[1-9][0-9]*)(.[0-9]+)?) is converted as it is read: its digits m (< 2^53) and fraction length k (<= 15) are
  // exact doubles, so m / 10^k is the correctly rounded value std::from_chars gives (Clinger's fast path); a fraction
  // in an Integer field that is not a whole number, and other numbers, go to convert_scalar.
  const char* number_value(const FieldDef& f, const char* p, Value& val, std::string_view& s) {
    static constexpr std::array<double, 16> kPow10 = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                      1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char* q = p;
    if (*q == '-') ++q;
    if (q == end_ || !is_digit(*q)) return nullptr;
    const char* digits = q;
    uint64_t v = 0;
    if (*q == '0') {
      ++q;
    } else {
      while (q < end_ && is_digit(*q)) v = v * 10 + static_cast<unsigned>(*q++ - '0');
    }
    if (q - p > 300) return nullptr;
    const auto whole = static_cast<size_t>(q - digits);
    bool exact = whole <= 15;  // v holds the digits so far (< 10^15 < 2^53)
    size_t k = 0;              // fraction digits
    if (q < end_ && *q == '.') {
      ++q;
      if (q == end_ || !is_digit(*q)) return nullptr;
      const char* frac = q;
      while (q < end_ && is_digit(*q)) ++q;
      k = static_cast<size_t>(q - frac);
      exact = whole + k <= 15;
      if (exact) {
        for (const char* d = frac; d < q; ++d) v = v * 10 + static_cast<unsigned>(*d - '0');
      }
    }
    if (q < end_ && (is_ident(*q) || *q == '.')) return nullptr;  // exponent, leading zero, junk
    s = std::string_view(p, static_cast<size_t>(q - p));
    if (exact) {
      const double x = k == 0 ? static_cast<double>(v) : static_cast<double>(v) / kPow10[k];
      const double d = *p == '-' ? -x : x;
      if (k != 0 && f.type == FieldType::Integer && std::floor(d) != d) return nullptr;
      if (!in_range(f, d)) return nullptr;
      val = Value::number(d);
      return q;
    }
    return general(f, s, Lexical::Token, val) ? q : nullptr;
  }

  // Which memo entry of its enum a text uses (any function of the bytes would do).
  static size_t enum_way(std::string_view s) {
    const size_t n = s.size();
    return n == 0 ? 0 : (n + uc(s[0]) + uc(s[n - 1]) * 3U) % Scratch::kEnumWays;
  }

  // Enum `enum_id`'s value named by s (known plain ASCII): the value last read for this enum
  // and a text of the same enum_way() when s is its text, else the index
  // (convert_clean_enum); false: not found there.
  bool enum_value(int enum_id, std::string_view s, Value& val) {
    if (enum_id < 0) return false;
    const auto e = static_cast<size_t>(enum_id);
    const size_t at = e * Scratch::kEnumWays + enum_way(s);
    uint32_t* memo = at < memo_.last_enum.size() ? &memo_.last_enum[at] : nullptr;
    if (memo != nullptr && e < schema_.enums.size()) {
      const auto& values = schema_.enums[e].values;
      if (*memo < values.size() && SchemaIndex::same_text(values[*memo], s)) {
        val = Value::enumerated(static_cast<uint16_t>(enum_id), *memo);
        remember_enum(e, s, *memo);
        return true;
      }
    }
    const int idx = index_.find_enum(schema_, e, s);
    if (idx < 0) return false;
    if (memo != nullptr) *memo = static_cast<uint32_t>(idx);
    val = Value::enumerated(static_cast<uint16_t>(enum_id), static_cast<uint32_t>(idx));
    remember_enum(e, s, static_cast<uint32_t>(idx));
    return true;
  }

  // The enum value of the quoted text at p (at '"') when it is exactly a text the cache holds
  // for enum `enum_id` (then enum_value would give that value: it is a function of the
  // bytes): the position after the closing quote; else nullptr.
  const char* enum_cached(int enum_id, const char* p, Value& val) const {
    if (shapes_ == nullptr || enum_id < 0 || end_ - p < 9) return nullptr;
    const char* q = p + 1;
    const size_t at =
        (static_cast<size_t>(enum_id) * DirectShapes::kEnumSets + DirectShapes::enum_set(q)) * DirectShapes::kEnumWays;
    if (at + DirectShapes::kEnumWays > shapes_->enums.size()) return nullptr;
    const auto room = static_cast<size_t>(end_ - q);
    for (size_t w = 0; w < DirectShapes::kEnumWays; ++w) {
      const EnumEntry& e = shapes_->enums[at + w];
      if (e.len == 0) return nullptr;
      const bool same = room >= EnumEntry::kMaxBytes ? equal_bytes(q, e.bytes.data(), e.len)
                                                     : room >= e.len && std::memcmp(q, e.bytes.data(), e.len) == 0;
      if (same) {
        val = Value::enumerated(static_cast<uint16_t>(enum_id), e.idx);
        return q + e.len;
      }
    }
    return nullptr;
  }

  // Enum e's text s (plain, in the input, followed by its closing quote) has value idx: the
  // newest entry of its set.
  void remember_enum(size_t e, std::string_view s, uint32_t idx) {
    if (shapes_ == nullptr || s.empty() || s.size() + 1 > EnumEntry::kMaxBytes || end_ - s.data() < 8) return;
    const size_t at = (e * DirectShapes::kEnumSets + DirectShapes::enum_set(s.data())) * DirectShapes::kEnumWays;
    if (at + DirectShapes::kEnumWays > shapes_->enums.size()) return;
    EnumEntry* set = &shapes_->enums[at];
    for (size_t w = DirectShapes::kEnumWays - 1; w > 0; --w) set[w] = set[w - 1];
    EnumEntry& entry = set[0];
    entry.bytes.fill(0);
    std::memcpy(entry.bytes.data(), s.data(), s.size());
    entry.bytes[s.size()] = '"';
    entry.len = static_cast<uint32_t>(s.size() + 1);
    entry.idx = idx;
  }

  // Are the n <= 48 bytes at a equal to those at b? 16 * ceil(n / 16) bytes readable at a and
  // at b (b 16-byte aligned).
  static bool equal_bytes(const char* a, const char* b, uint32_t n) {
#if defined(__SSE2__)
    const auto eq = [](const char* x, const char* y) {
      return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(x)), _mm_load_si128(reinterpret_cast<const __m128i*>(y))))));
    };
    const uint64_t mask = (uint64_t{1} << n) - 1;
    uint64_t same = eq(a, b);
    if (n > 16) same |= eq(a + 16, b + 16) << 16;
    if (n > 32) same |= eq(a + 32, b + 32) << 32;
    return (same & mask) == mask;
#else
    return std::memcmp(a, b, n) == 0;
#endif
  }

  // Is the key at p exactly k's bytes?
  bool key_is(const char* p, const ShapeKey& k) const {
    if (end_ - p >= static_cast<ptrdiff_t>(ShapeKey::kMaxBytes)) return equal_bytes(p, k.bytes.data(), k.len);
    return static_cast<size_t>(end_ - p) >= k.len && std::memcmp(p, k.bytes.data(), k.len) == 0;
  }

  // The first key of [k, last) whose bytes are at p, or last.
  const ShapeKey* find_key(const char* p, const ShapeKey* k, const ShapeKey* const last) const {
#if defined(__SSE2__)
    if (end_ - p >= static_cast<ptrdiff_t>(ShapeKey::kMaxBytes)) {
      static_assert(ShapeKey::kMaxBytes == 32);
      const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
      for (; k != last; ++k) {  // the first 16 bytes, then (keys of more) the rest
        const auto* b = reinterpret_cast<const __m128i*>(k->bytes.data());
        const uint32_t mask = k->mask;
        const auto same_lo = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(lo, _mm_load_si128(b))));
        if ((same_lo & mask & 0xFFFFU) != (mask & 0xFFFFU)) continue;
        if (mask <= 0xFFFFU) return k;
        const auto same_hi = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(hi, _mm_load_si128(b + 1))));
        if (((same_hi << 16) & mask) == (mask & 0xFFFF0000U)) return k;
      }
      return last;
    }
#endif
    while (k != last && !key_is(p, *k)) ++k;
    return k;
  }

  // p after the '{' of the mapping of `scope`: each key must be one of the scope's shape, at a
  // later position than the previous key (keys absent from the record skipped).
  const char* shaped_mapping(const char* p, uint32_t scope) {
    p = ws(p);
    if (p < end_ && *p == '}') return p + 1;
    if (scope >= shapes_->scopes.size()) return nullptr;
    const std::vector<ShapeKey>& shape = shapes_->scopes[scope];
    const ShapeKey* k = shape.data();
    const ShapeKey* const last = k + shape.size();
    for (bool done = false; !done;) {
      k = find_key(p, k, last);
      if (k == last) return nullptr;
      const ShapeKey& e = *k++;
      p = ws(p + e.len);
      if (p == end_) return nullptr;
      if (e.scope == SchemaIndex::kNoScope) {
        p = e.scalar ? scalar_field(schema_.fields[e.field], p) : field(schema_.fields[e.field], p);
      } else if (*p == '{') {
        if (open_ >= max_depth_) return nullptr;
        ++open_;
        p = shaped_mapping(p + 1, e.scope);
        --open_;
      } else if (is_null(p)) {
        p += 4;
      } else {
        return nullptr;
      }
      if (p == nullptr) return nullptr;
      p = next(p, '}', done);
      if (p == nullptr) return nullptr;
    }
    return p;
  }

  // A key of a mapping the general path resolved, for learn().
  void log_key(uint32_t scope, const SchemaIndex::KeyHit& hit, size_t depth) {
    const FieldDef* named = hit.field != nullptr ? hit.field : hit.group;
    if (named == nullptr || depth >= named->segments.size() || log_n_ == log_.size()) {
      log_overflow_ = true;
      return;
    }
    log_[log_n_++] = KeyLog{scope, static_cast<uint32_t>(named - schema_.fields.data()),
                            hit.field != nullptr ? SchemaIndex::kNoScope : hit.child_scope, &named->segments[depth]};
  }

  // After run() accepted the record: each mapping's key sequence merged into its scope's
  // shape (a sequence that has it as a subsequence; replaced when the order differs).
  void learn() {
    std::vector<ShapeKey> seq;
    std::array<bool, 64> done{};
    for (size_t i = 0; i < log_n_; ++i) {
      if (done[i]) continue;
      const uint32_t scope = log_[i].scope;
      seq.clear();
      bool ok = true;
      for (size_t j = i; j < log_n_; ++j) {
        if (log_[j].scope != scope) continue;
        done[j] = true;
        ShapeKey k;
        if (!make_key(*log_[j].name, k)) {
          ok = false;
          continue;
        }
        k.field = log_[j].field;
        k.scope = log_[j].child;
        const FieldDef& f = schema_.fields[k.field];
        k.scalar = k.scope == SchemaIndex::kNoScope && f.type != FieldType::List && !f.record_id;
        seq.push_back(k);
      }
      if (ok && scope < shapes_->scopes.size()) merge(shapes_->scopes[scope], seq);
    }
  }

  // k's bytes and len for key `name`: false when it cannot be one (too long, not plain).
  static bool make_key(const std::string& name, ShapeKey& k) {
    if (name.size() + 3 > ShapeKey::kMaxBytes) return false;
    for (const char c : name) {
      if (!kPlain[uc(c)]) return false;
    }
    k.bytes.fill(0);
    k.bytes[0] = '"';
    std::memcpy(k.bytes.data() + 1, name.data(), name.size());
    k.bytes[name.size() + 1] = '"';
    k.bytes[name.size() + 2] = ':';
    k.len = static_cast<uint32_t>(name.size() + 3);
    k.mask = static_cast<uint32_t>((uint64_t{1} << k.len) - 1);
    return true;
  }

  static bool same_key(const ShapeKey& a, const ShapeKey& b) {
    return a.len == b.len && a.field == b.field && a.scope == b.scope && a.bytes == b.bytes;
  }

  // Distinct bytes, fields and scopes: keys matched in order cannot repeat.
  static bool distinct(const std::vector<ShapeKey>& v) {
    for (size_t i = 0; i < v.size(); ++i) {
      for (size_t j = i + 1; j < v.size(); ++j) {
        if (v[i].bytes == v[j].bytes || v[i].field == v[j].field ||
            (v[i].scope == v[j].scope && v[i].scope != SchemaIndex::kNoScope)) {
          return false;
        }
      }
    }
    return true;
  }

  // shape := a shortest-effort sequence holding both shape and seq as subsequences, or seq.
  static void merge(std::vector<ShapeKey>& shape, const std::vector<ShapeKey>& seq) {
    if (seq.size() > DirectShapes::kMaxKeys || !distinct(seq)) return;
    std::vector<ShapeKey> out;
    size_t i = 0;
    bool replace = false;
    for (const ShapeKey& k : seq) {
      size_t at = i;
      while (at < shape.size() && !same_key(shape[at], k)) ++at;
      if (at < shape.size()) {
        out.insert(out.end(), shape.begin() + static_cast<ptrdiff_t>(i),
                   shape.begin() + static_cast<ptrdiff_t>(at) + 1);
        i = at + 1;
        continue;
      }
      for (size_t b = 0; b < i && !replace; ++b) replace = same_key(shape[b], k);
      if (replace) break;
      out.push_back(k);
    }
    if (!replace) out.insert(out.end(), shape.begin() + static_cast<ptrdiff_t>(i), shape.end());
    if (replace || out.size() > DirectShapes::kMaxKeys || !distinct(out)) {
      shape = seq;
    } else {
      shape = std::move(out);
    }
  }

  // p at '"': the key, ':' and the whitespace after it; returns the value's position.
  const char* key(const char* p, std::string_view& k) const {
    if (p == end_ || *p != '"') return nullptr;
    p = string(p, k);
    if (p == nullptr) return nullptr;
    p = ws(p);
    if (p == end_ || *p != ':') return nullptr;
    p = ws(p + 1);
    return p == end_ ? nullptr : p;
  }

  // p at a key expected to be `name`: when it is, written "name": with plain bytes, the
  // position after the ':' and the whitespace after it (not the end); else nullptr (read the
  // key the general way).
  const char* quoted_key(const char* p, const std::string& name) const {
    const size_t n = name.size();
    if (static_cast<size_t>(end_ - p) < n + 4 || p[0] != '"' || p[n + 1] != '"' || p[n + 2] != ':') return nullptr;
    if (!equal_key(p + 1, name, n)) return nullptr;
    p = ws(p + n + 3);
    return p == end_ ? nullptr : p;
  }

  // Are the n bytes at a equal to those at b, and plain (kPlain)?
  static bool plain_equal(const char* a, const char* b, size_t n) {
    if (n >= 8) {
      uint64_t bad = 0;
      for (size_t i = 0; i + 8 < n; i += 8) {
        const uint64_t x = load8(a + i);
        if (x != load8(b + i)) return false;
        bad |= special_bytes(x);
      }
      const uint64_t x = load8(a + n - 8);
      return x == load8(b + n - 8) && (bad | special_bytes(x)) == 0;
    }
    for (size_t i = 0; i < n; ++i) {
      if (a[i] != b[i] || !kPlain[uc(a[i])]) return false;
    }
    return true;
  }

  // Are the n bytes at a (n + 3 of them readable) the bytes of `name`, and plain?
  bool equal_key(const char* a, const std::string& name, size_t n) const {
#if defined(__SSE2__)
    // 16 bytes at once where 16 may be read on both sides (a short string's buffer holds 16).
    if (n < 16 && end_ - a >= 16 && name.capacity() >= 15) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(a));
      const __m128i y = _mm_loadu_si128(reinterpret_cast<const __m128i*>(name.data()));
      const __m128i bad =
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                       _mm_cmplt_epi8(x, _mm_set1_epi8(0x20)));
      const auto same = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)));
      const auto special = static_cast<unsigned>(_mm_movemask_epi8(bad));
      const unsigned mask = (1U << n) - 1;
      return (same & mask) == mask && (special & mask) == 0;
    }
#endif
    return n < 8 && end_ - a >= 8 && name.capacity() >= 8 ? short_equal(a, name.data(), n)
                                                          : plain_equal(a, name.data(), n);
  }

  // plain_equal for n < 8 when 8 bytes may be read at a and at b (the rest masked off: a
  // special byte's mark never falls below it).
  static bool short_equal(const char* a, const char* b, size_t n) {
    const uint64_t x = load8(a);
    const uint64_t mask = (uint64_t{1} << (8 * n)) - 1;
    return ((x ^ load8(b)) & mask) == 0 && (special_bytes(x) & mask) == 0;
  }

  static uint64_t load8(const char* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }

  // After a member or element: p past the ',' and whitespace (more follows), or past `close`
  // with `done` set.
  const char* next(const char* p, char close, bool& done) const {
    if (end_ - p > 1 && *p == ',' && uc(p[1]) > ' ') return p + 1;  // compact
    p = ws(p);
    if (p == end_) return nullptr;
    if (*p == close) {
      done = true;
      return p + 1;
    }
    if (*p != ',') return nullptr;
    return ws(p + 1);
  }

  // First visit of the group whose mapping is scope `child` in this record (a second is a
  // duplicate key). The scope names the group whichever of its fields the lookup returned.
  bool first_visit(uint32_t child) {
    if (child == SchemaIndex::kNoScope) return false;
    for (size_t i = 0; i < groups_seen_; ++i) {
      if (groups_[i] == child) return false;
    }
    if (groups_seen_ == groups_.size()) return false;
    groups_[groups_seen_++] = child;
    return true;
  }

  // Key at p of a mapping (as in mapping()): the field or group it names in `hit`, and the
  // position of its value. The memo's guess for the key after `token` is checked first, on
  // the bytes as written (the name of the guessed field, then its group path as
  // SchemaIndex::match_key checks it); else the key is read and looked up with lookup_key
  // (the schema-order guess, the index, a scan), and the answer remembered.
  const char* find(const char* p, size_t token, const FieldDef* prefix, size_t depth, uint32_t scope,
                   SchemaIndex::KeyHit& hit) {
    uint32_t* memo = token < memo_.next_key.size() ? &memo_.next_key[token] : nullptr;
    if (memo != nullptr && *memo < schema_.fields.size()) {
      const FieldDef& f = schema_.fields[*memo];
      const size_t n = f.segments.size();
      const char* q = n > depth ? quoted_key(p, f.segments[depth]) : nullptr;
      if (q != nullptr) {
        if (n == depth + 1) {
          bool same = true;
          for (size_t d = 0; d < depth && same; ++d) same = SchemaIndex::same_text(f.segments[d], prefix->segments[d]);
          if (same) {
            hit = SchemaIndex::KeyHit{&f, nullptr, SchemaIndex::kNoScope};
            return q;
          }
        } else if (index_.match_key(schema_, *memo, prefix, depth, f.segments[depth], hit)) {
          return q;
        }
      }
    }
    std::string_view k;
    p = key(p, k);
    if (p == nullptr) return nullptr;
    hit = lookup_key(schema_, index_, guess_, prefix, depth, scope, k);
    const FieldDef* named = hit.field != nullptr ? hit.field : hit.group;
    if (memo != nullptr && named != nullptr) *memo = static_cast<uint32_t>(named - schema_.fields.data());
    return p;
  }

  // p after the '{' of the record (depth 0) or of a group mapping (keys: segment `depth` of
  // the paths under prefix->segments[0..depth)).
  const char* mapping(const char* p, const FieldDef* prefix, size_t depth, uint32_t scope) {
    p = ws(p);
    if (p < end_ && *p == '}') return p + 1;
    size_t token = memo_.nfields + scope;
    for (bool done = false; !done;) {
      SchemaIndex::KeyHit hit;
      p = find(p, token, prefix, depth, scope, hit);
      if (p == nullptr) return nullptr;
      if (shapes_ != nullptr) log_key(scope, hit, depth);
      if (hit.field != nullptr) {
        const auto i = static_cast<size_t>(hit.field - schema_.fields.data());
        if (keys_seen_.test(i)) return nullptr;
        keys_seen_.set(i);
        guess_ = i + 1;
        token = i;
        p = field(*hit.field, p);
      } else if (hit.group != nullptr) {
        guess_ = static_cast<size_t>(hit.group - schema_.fields.data());
        if (!first_visit(hit.child_scope)) return nullptr;
        token = memo_.nfields + memo_.nscopes + hit.child_scope;
        if (*p == '{') {
          if (open_ >= max_depth_) return nullptr;
          ++open_;
          p = mapping(p + 1, hit.group, depth + 1, hit.child_scope);
          --open_;
        } else if (is_null(p)) {
          p += 4;
        } else {
          return nullptr;
        }
      } else {
        return nullptr;  // unknown key: a warning or a strict error
      }
      if (p == nullptr) return nullptr;
      p = next(p, '}', done);
      if (p == nullptr) return nullptr;
    }
    return p;
  }

  // The value of top-level field f at p.
  [[gnu::always_inline]] const char* field(const FieldDef& f, const char* p) {
    if (is_null(p)) return p + 4;
    present_.set(f.slot);
    const Pos at = pos(p);
    if (f.type == FieldType::List) {
      if (*p != '[') return nullptr;
      if (f.of == ListOf::Record) return record_list(f, p);
      uint32_t first = 0;
      uint32_t count = 0;
      p = enum_items(f, p, out_.items, out_.item_pos, first, count);
      if (p == nullptr) return nullptr;
      values_[f.slot] = Value::list_of(nullptr, count, first);
      value_pos_[f.slot] = at;
      lists_[lists_seen_++] = f.slot;
      return p;
    }
    std::string_view s;
    p = scalar(f, p, values_[f.slot], s);  // (on failure the record is read again or falls back)
    if (p == nullptr) return nullptr;
    value_pos_[f.slot] = at;
    if (f.record_id) {
      out_.id.assign(s);
      out_.has_id = true;
    }
    return p;
  }

  // field(f, p) for a field that is neither a List nor the record id.
  [[gnu::always_inline]] const char* scalar_field(const FieldDef& f, const char* p) {
    if (is_null(p)) return p + 4;
    present_.set(f.slot);
    value_pos_[f.slot] = pos(p);
    std::string_view s;
    return scalar(f, p, values_[f.slot], s);  // (on failure the record is read again)
  }

  // p at the '[' of a List of Enum: appends its items to items / item_pos (first: the index
  // of the first there).
  const char* enum_items(const FieldDef& f, const char* p, std::vector<Value>& items, std::vector<Pos>& item_pos,
                         uint32_t& first, uint32_t& count) {
    if (f.of != ListOf::Enum || open_ >= max_depth_) return nullptr;
    first = static_cast<uint32_t>(items.size());
    count = 0;
    p = ws(p + 1);
    if (p < end_ && *p == ']') return p + 1;
    for (bool done = false; !done;) {
      if (p == end_ || *p != '"') return nullptr;
      const Pos at = pos(p);
      Value val;
      const char* q = enum_cached(f.enum_id, p, val);
      if (q != nullptr) {
        p = q;
      } else {
        std::string_view s;
        p = string(p, s);
        if (p == nullptr) return nullptr;
        if (!enum_value(f.enum_id, s, val)) {
          ScalarError se;
          if (!convert_enum_item(schema_, f.enum_id, s, Lexical::Quoted, val, se, &index_)) return nullptr;
        }
      }
      items.push_back(val);
      item_pos.push_back(at);
      ++count;
      p = next(p, ']', done);
      if (p == nullptr) return nullptr;
    }
    return too_many_items(f, count) ? nullptr : p;
  }

  // p at the '[' of top-level List of Record f: the layout of DocReader::read_record_list
  // (count Record items, then count * k subfields, then the items of subfield lists). The
  // subfields are read into the scratch buffers and appended once the count is known.
  const char* record_list(const FieldDef& f, const char* p) {
    const auto k = static_cast<uint32_t>(f.fields.size());
    if (open_ >= max_depth_ || k >= kMaxSlots - 1) return nullptr;
    const Pos at = pos(p);
    const auto base = static_cast<uint32_t>(out_.items.size());
    std::vector<Pos>& rec_pos = scratch_.rec_pos;
    rec_pos.clear();
    scratch_.nsubs = 0;
    scratch_.sub_items.clear();
    scratch_.sub_pos.clear();
    sub_lists_ = false;
    ++open_;
    p = ws(p + 1);
    if (p < end_ && *p == ']') {
      ++p;
    } else {
      for (bool done = false; !done;) {
        if (p == end_ || *p != '{' || open_ >= max_depth_) return nullptr;
        rec_pos.push_back(pos(p));
        const auto subs = static_cast<uint32_t>(scratch_.nsubs);
        clear_subs(subs, k);  // unknown until read
        scratch_.nsubs += k;
        ++open_;
        const size_t lists_before = scratch_.sub_items.size();
        const bool sub_lists_before = sub_lists_;
        const char* q = shapes_ != nullptr ? shaped_record(f, p + 1, subs) : planned_record(f, p + 1, subs);
        if (q == nullptr) {  // undo what the plan wrote, and read the element the general way
          clear_subs(subs, k);
          scratch_.sub_items.resize(lists_before);
          scratch_.sub_pos.resize(lists_before);
          sub_lists_ = sub_lists_before;
          q = record(f, p + 1, subs);
        }
        p = q;
        --open_;
        if (p == nullptr) return nullptr;
        p = next(p, ']', done);
        if (p == nullptr) return nullptr;
      }
    }
    --open_;
    const auto count = static_cast<uint32_t>(rec_pos.size());
    if (too_many_items(f, count)) return nullptr;
    const auto nsub = static_cast<uint32_t>(scratch_.nsubs);
    const auto lists = base + count + nsub;  // subfield list items go here
    // Appended (copies of trivially copyable values: no element-wise construction).
    std::vector<Value>& recs = scratch_.recs;
    recs.resize(count);
    for (uint32_t i = 0; i < count; ++i) {
      Value& rec = recs[i];
      rec = Value{};
      rec.kind = VKind::Record;
      rec.aux = make_ref(f.slot, i + 1);
      rec.e = base + count + i * k;
    }
    Value* subs = scratch_.subs.data();
    if (sub_lists_) {
      for (uint32_t j = 0; j < nsub; ++j) {
        if (subs[j].kind == VKind::List) subs[j].aux += lists;
      }
    }
    out_.items.insert(out_.items.end(), recs.begin(), recs.end());
    out_.items.insert(out_.items.end(), subs, subs + nsub);
    out_.items.insert(out_.items.end(), scratch_.sub_items.begin(), scratch_.sub_items.end());
    out_.item_pos.insert(out_.item_pos.end(), rec_pos.begin(), rec_pos.end());
    out_.item_pos.insert(out_.item_pos.end(), scratch_.subs_pos.data(), scratch_.subs_pos.data() + nsub);
    out_.item_pos.insert(out_.item_pos.end(), scratch_.sub_pos.begin(), scratch_.sub_pos.end());
    values_[f.slot] = Value::list_of(nullptr, count, base);
    value_pos_[f.slot] = at;
    lists_[lists_seen_++] = f.slot;
    record_lists_[record_lists_seen_++] = f.slot;
    item_lists_ = item_lists_ || sub_lists_;
    return p;
  }

  // Subfields [at, at + k) of scratch_.subs set to unknown (Value{} and Pos{} are zero bytes),
  // the buffers grown as needed.
  void clear_subs(size_t at, size_t k) {
    if (scratch_.subs.size() < at + k) {
      const size_t n = 2 * (at + k) + 16;
      scratch_.subs.resize(n);
      scratch_.subs_pos.resize(n);
    }
    std::memset(static_cast<void*>(scratch_.subs.data() + at), 0, k * sizeof(Value));
    std::memset(static_cast<void*>(scratch_.subs_pos.data() + at), 0, k * sizeof(Pos));
  }

  // p after the '{' of one element of List of Record f: the element read by its plan (the
  // subfields of the last element `record` accepted, in that order), to scratch_.subs[at..).
  // Returns the position after the '}' when the element is exactly those keys, in that
  // order, with values that convert and every required subfield given: then `record` would
  // have read the same keys to the same subfields (a plan holds distinct subfields, and each
  // key is compared with the live schema's name), so the result is the same. Else nullptr,
  // with unspecified subs[at..at+k) and subfield list items appended: the caller undoes them.
  const char* planned_record(const FieldDef& f, const char* p, uint32_t at) {
    if (f.slot >= memo_.element_plan.size()) return nullptr;
    const Scratch::ElementPlan& plan = memo_.element_plan[f.slot];
    const size_t k = f.fields.size();
    if (plan.n == 0) return nullptr;
    SlotSet given;
    p = ws(p);
    for (size_t j = 0;;) {
      const size_t s = plan.sub[j];
      if (s >= k) return nullptr;
      const FieldDef& sf = f.fields[s];
      p = quoted_key(p, sf.path);
      if (p == nullptr) return nullptr;
      bool g = false;
      p = subfield(sf, p, at + static_cast<uint32_t>(s), g);
      if (p == nullptr) return nullptr;
      if (g) given.set(s);
      bool done = false;
      p = next(p, '}', done);
      if (p == nullptr || done != (++j == plan.n)) return nullptr;
      if (done) break;
    }
    for (size_t s = 0; s < k; ++s) {
      if (f.fields[s].required && !given.test(s)) return nullptr;
    }
    return p;
  }

  // p after the '{' of one element of List of Record f; its subfields go to scratch_.subs[at..).
  // On success, the order of its keys becomes f's element plan.
  [[gnu::always_inline]] const char* record(const FieldDef& f, const char* p, uint32_t at) {
    SlotSet seen;                                       // keys met (a second is a duplicate)
    SlotSet given;                                      // subfields with a non-null value
    std::array<uint32_t, DirectShapes::kMaxKeys> keys;  // the subfields named, in order (shapes_)
    size_t nkeys = 0;
    Scratch::ElementPlan order;
    bool plannable = true;
    size_t guess = 0;
    const size_t base = f.slot < memo_.sub_base.size() ? memo_.sub_base[f.slot] : Scratch::kNone;
    size_t token = 0;  // the previous key's subfield + 1
    p = ws(p);
    if (p < end_ && *p == '}') {
      ++p;
    } else {
      for (bool done = false; !done;) {
        uint32_t* memo = base + token < memo_.sub_next.size() ? &memo_.sub_next[base + token] : nullptr;
        int sub = -1;
        const char* q = nullptr;
        if (memo != nullptr && *memo < f.fields.size() && *memo < kMaxSlots - 1) {
          q = quoted_key(p, f.fields[*memo].path);  // SchemaIndex::match_sub on the bytes as written
        }
        if (q != nullptr) {
          sub = static_cast<int>(*memo);
          p = q;
        } else {
          std::string_view k;
          p = key(p, k);
          if (p == nullptr) return nullptr;
          sub = lookup_sub(index_, f, guess, k);
          if (memo != nullptr && sub >= 0) *memo = static_cast<uint32_t>(sub);
        }
        if (sub < 0 || seen.test(static_cast<size_t>(sub))) return nullptr;
        const auto s = static_cast<size_t>(sub);
        seen.set(s);
        if (order.n < Scratch::ElementPlan::kMax && s <= 0xFF) {
          order.sub[order.n++] = static_cast<uint8_t>(s);
        } else {
          plannable = false;
        }
        guess = s + 1;
        token = s + 1;
        bool g = false;
        p = subfield(f.fields[s], p, at + static_cast<uint32_t>(s), g);
        if (p == nullptr) return nullptr;
        if (g) given.set(s);
        if (shapes_ != nullptr && nkeys < keys.size()) keys[nkeys] = static_cast<uint32_t>(s);
        ++nkeys;
        p = next(p, '}', done);
        if (p == nullptr) return nullptr;
      }
    }
    for (size_t s = 0; s < f.fields.size(); ++s) {
      if (f.fields[s].required && !given.test(s)) return nullptr;
    }
    if (plannable && order.n != 0 && f.slot < memo_.element_plan.size()) memo_.element_plan[f.slot] = order;
    if (shapes_ != nullptr && nkeys != 0 && nkeys <= keys.size()) learn_element(f, keys.data(), nkeys);
    return p;
  }

  // Element keys `keys` (subfields of f, distinct) merged into f's element shape.
  void learn_element(const FieldDef& f, const uint32_t* keys, size_t n) {
    if (f.slot >= shapes_->elements.size() || shapes_->element_required[f.slot] == ~uint64_t{0}) return;
    std::vector<ShapeKey> seq(n);
    for (size_t i = 0; i < n; ++i) {
      if (keys[i] >= f.fields.size() || !make_key(f.fields[keys[i]].path, seq[i])) return;
      seq[i].field = keys[i];
    }
    merge(shapes_->elements[f.slot], seq);
  }

  // p after the '{' of one element of List of Record f, read by f's element shape (keys at
  // increasing positions of it, absent ones skipped) to scratch_.subs[at..): as planned_record.
  const char* shaped_record(const FieldDef& f, const char* p, uint32_t at) {
    if (f.slot >= shapes_->elements.size()) return nullptr;
    const std::vector<ShapeKey>& shape = shapes_->elements[f.slot];
    const uint64_t required = shapes_->element_required[f.slot];
    if (shape.empty() || required == ~uint64_t{0}) return nullptr;
    uint64_t given = 0;
    p = ws(p);
    if (p < end_ && *p == '}') return required == 0 ? p + 1 : nullptr;
    const ShapeKey* k = shape.data();
    const ShapeKey* const last = k + shape.size();
    for (bool done = false; !done;) {
      k = find_key(p, k, last);
      if (k == last) return nullptr;
      const ShapeKey& e = *k++;
      p = ws(p + e.len);
      if (p == end_) return nullptr;
      bool g = false;
      p = subfield(f.fields[e.field], p, at + e.field, g);
      if (p == nullptr) return nullptr;
      given |= static_cast<uint64_t>(g) << e.field;
      p = next(p, '}', done);
      if (p == nullptr) return nullptr;
    }
    return (given & required) == required ? p : nullptr;
  }

  [[gnu::always_inline]] const char* subfield(const FieldDef& sf, const char* p, uint32_t at, bool& given) {
    if (is_null(p)) return p + 4;
    given = true;
    scratch_.subs_pos.data()[at] = pos(p);
    Value& val = scratch_.subs.data()[at];  // (on failure the caller clears the element)
    if (sf.type == FieldType::List) {
      if (*p != '[') return nullptr;
      uint32_t first = 0;
      uint32_t count = 0;
      p = enum_items(sf, p, scratch_.sub_items, scratch_.sub_pos, first, count);  // placed by record_list
      val = Value::list_of(nullptr, count, first);
      sub_lists_ = true;
      return p;
    }
    std::string_view text;
    return scalar(sf, p, val, text);
  }

  const Schema& schema_;
  const SchemaIndex& index_;
  const char* const begin_;
  const char* const end_;
  const uint32_t line_;
  const uint32_t max_depth_;
  Patient& out_;
  Value* values_ = nullptr;  // out_.values and value_pos (not resized after reset)
  Pos* value_pos_ = nullptr;
  uint32_t open_ = 0;                  // open arrays and objects
  size_t guess_ = 0;                   // the field the next key probably names
  SlotSet keys_seen_;                  // top-level fields met, null or not
  SlotSet present_;                    // top-level fields with a non-null value
  std::array<uint32_t, 16> groups_{};  // scopes of the groups met
  size_t groups_seen_ = 0;
  std::array<uint32_t, kMaxSlots> lists_;  // slots of the List values written
  size_t lists_seen_ = 0;
  std::array<uint32_t, kMaxSlots> record_lists_;  // slots of the List of Record values written
  size_t record_lists_seen_ = 0;
  bool sub_lists_ = false;      // a subfield list was read (its aux is relative to sub_items)
  bool item_lists_ = false;     // items hold List values (subfield lists)
  DirectShapes* const shapes_;  // null: no cache
  struct KeyLog {
    uint32_t scope;
    uint32_t field;
    uint32_t child;
    const std::string* name;
  };
  std::array<KeyLog, 64> log_;  // the keys run() resolved, for learn()
  size_t log_n_ = 0;
  bool log_overflow_ = false;
  Scratch& scratch_ = thread_scratch();
  Scratch& memo_ = scratch_;
};

}  // namespace

DirectRead read_patient_json_direct(const Schema& schema, std::string_view text, uint32_t line,
                                    const JsonLimits& limits, const ReadOptions& opt, Patient& out,
                                    DirectReadCache* cache) {
  (void)opt.strict;  // no difference on the fast lane: unknown keys always fall back
  // Far from every limit: nodes and string bytes cannot exceed the text's size.
  if (text.size() > limits.max_bytes || text.size() >= limits.max_nodes || text.size() > limits.max_string_bytes ||
      schema.fields.size() > kMaxSlots) {
    return DirectRead::Fallback;
  }
  const SchemaIndex& index = SchemaIndex::of(schema);
  DirectShapes* shapes = nullptr;
  if (cache != nullptr) {
    shapes = &cache->shapes();
    shapes->bind(schema, index);
    DirectReader r(schema, index, text, line, limits, out, shapes);
    if (r.run_shaped()) return DirectRead::Ok;
  }
  DirectReader r(schema, index, text, line, limits, out, shapes);
  return r.run() ? DirectRead::Ok : DirectRead::Fallback;
}

}  // namespace oligoscreen::detail
