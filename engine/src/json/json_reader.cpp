#include "json/json_reader.hpp"

#include <array>
#include <charconv>
#include <cstring>
#include <random>
#include <vector>

#include "core/utf8.hpp"
#include "json/json_bytes.hpp"
#include "json/json_writer.hpp"

namespace oligoscreen::detail {

namespace {

// Byte classes inside a string.
enum : uint8_t { kPlain = 0, kQuote, kBackslash, kControl, kHigh };

constexpr std::array<uint8_t, 256> make_string_table() {
  std::array<uint8_t, 256> t{};
  for (size_t c = 0; c < 0x20; ++c) t[c] = kControl;
  t['"'] = kQuote;
  t['\\'] = kBackslash;
  for (size_t c = 0x80; c < 0x100; ++c) t[c] = kHigh;
  return t;
}
constexpr std::array<uint8_t, 256> kStringClass = make_string_table();

constexpr uint32_t kLinearKeys = 16;    // objects up to this many keys: linear duplicate scan
constexpr uint32_t kInlineFrames = 64;  // open containers kept without allocating

inline unsigned char uc(char c) {
  return static_cast<unsigned char>(c);
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_ident(char c) {
  return is_alpha(c) || is_digit(c) || c == '_';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string hex4_upper(uint32_t v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string s(4, '0');
  for (int k = 3; k >= 0; --k) {
    s[static_cast<size_t>(k)] = kHex[v & 0xF];
    v >>= 4;
  }
  return s;
}

// Per-process random seed for the key hash of large objects, so that colliding keys cannot
// be precomputed. Affects speed only, never results.
uint64_t hash_seed() {
  static const uint64_t seed = [] {
    uint64_t s = reinterpret_cast<uintptr_t>(&hash_seed) * 0x9E3779B97F4A7C15ULL;
    try {
      std::random_device rd;
      s ^= (uint64_t{rd()} << 32) ^ rd();
    } catch (...) {  // no entropy source: the address (ASLR) alone
    }
    return s;
  }();
  return seed;
}

inline uint64_t hash_key(std::string_view s, uint64_t seed) {
  uint64_t h = seed ^ (s.size() * 0x9E3779B97F4A7C15ULL);
  for (char c : s) {
    h ^= uc(c);
    h *= 0x100000001B3ULL;
  }
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDULL;
  h ^= h >> 33;
  h *= 0xC4CEB93FE66E9A2BULL;
  h ^= h >> 33;
  return h;
}

// True when a number token (already known to match the RFC grammar) is too large for a
// double. Underflow (1e-400) is not an error: the value is 0 or subnormal.
bool number_overflows(const char* start, const char* end) {
  double d = 0;
  const auto r = std::from_chars(start, end, d);
  if (r.ec != std::errc::result_out_of_range) return false;
  // Out of range either way: decide by the decimal exponent of the first significant digit.
  const char* q = start;
  if (*q == '-') ++q;
  int64_t int_digits = 0;
  int64_t first_int = -1;
  int64_t frac_pos = 0;
  int64_t first_frac = 0;
  bool in_frac = false;
  for (; q < end && *q != 'e' && *q != 'E'; ++q) {
    if (*q == '.') {
      in_frac = true;
      continue;
    }
    if (!in_frac) {
      if (first_int < 0 && *q != '0') first_int = int_digits;
      ++int_digits;
    } else {
      ++frac_pos;
      if (first_int < 0 && first_frac == 0 && *q != '0') first_frac = frac_pos;
    }
  }
  int64_t e10;
  if (first_int >= 0) {
    e10 = int_digits - 1 - first_int;
  } else if (first_frac > 0) {
    e10 = -first_frac;
  } else {
    return false;  // zero
  }
  int64_t ex = 0;
  if (q < end) {
    ++q;  // 'e'
    bool neg = false;
    if (*q == '+' || *q == '-') neg = *q++ == '-';
    for (; q < end; ++q) {
      if (ex < 1000000000) ex = ex * 10 + (*q - '0');
    }
    if (neg) ex = -ex;
  }
  return e10 + ex > 0;
}

struct Frame {          // one open container; trivially constructible on purpose (no zeroing)
  uint32_t node;        // the container's Doc node
  uint32_t last;        // array: last item; object: last value; 0 = none yet
  uint32_t last_key;    // object: last key node
  uint32_t count;       // items / members so far
  uint32_t keys_begin;  // object: its keys are keys_[keys_begin, keys_.size())
  uint32_t table_off;   // object with > kLinearKeys keys: its hash table in key_slots_
  uint32_t table_cap;   // 0 = no table (linear scan)
  bool object;
  uint64_t key_bits;  // object: one bit per key hash; a clear bit proves a new key unique
};

// A key of an open object, for the duplicate check: length and first 8 bytes (zero-padded)
// compared before any memcmp.
struct KeyRef {
  uint64_t head;
  uint32_t len;
  uint32_t node;
};

inline uint64_t key_head(std::string_view s) {
  uint64_t h = 0;
  if (s.size() >= 8) {
    std::memcpy(&h, s.data(), 8);
  } else {
    for (size_t i = 0; i < s.size(); ++i) h |= uint64_t{uc(s[i])} << (8 * i);
  }
  return h;
}

// Per-thread buffers reused from parse to parse, so that a parse allocates nothing once
// they have grown. Contents are meaningless between parses.
struct Scratch {
  std::vector<Frame> big_frames;  // frames beyond kInlineFrames (max_depth > 64 only)
  std::vector<KeyRef> keys;       // keys of the open objects, innermost last
  std::vector<uint32_t> slots;    // hash tables of large objects (0 = empty slot)
  std::string text;               // unescaping buffer

  void reset() {
    keys.clear();
    slots.clear();
  }
  // Gives memory back after an unusually large document.
  void trim() {
    if (keys.capacity() > 4096) std::vector<KeyRef>().swap(keys);
    if (slots.capacity() > 16384) std::vector<uint32_t>().swap(slots);
    if (big_frames.capacity() > 4096) std::vector<Frame>().swap(big_frames);
    if (text.capacity() > 4096) std::string().swap(text);
  }
};

Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

#define OLIGO_INLINE [[gnu::always_inline]] inline
#define OLIGO_COLD [[gnu::cold, gnu::noinline]]

// One parse. Every parse_* function takes the current position and returns the position
// after what it parsed, or nullptr after filling err_ (positions travel in registers, not
// through a member, which matters for speed).
class Parser {
 public:
  Parser(std::string_view text, const JsonLimits& limits, Doc& doc, JsonError& err, uint32_t first_line,
         Scratch& scratch)
      : text_(text),
        begin_(text.data()),
        end_(text.data() + text.size()),
        limits_(limits),
        doc_(doc),
        err_(err),
        first_line_(first_line),
        line_(first_line),
        big_(scratch.big_frames),
        keys_(scratch.keys),
        key_slots_(scratch.slots),
        scratch_(scratch.text) {}

  bool run();

 private:
  OLIGO_INLINE Frame& frame(uint32_t d) { return d < kInlineFrames ? small_[d] : big_[d - kInlineFrames]; }

  // Position of a node starting at `at` (every byte before `at` on its line already scanned).
  OLIGO_INLINE Pos node_pos(const char* at) const {
    const auto off = static_cast<size_t>(at - begin_);
    Pos pos;
    pos.line = line_;
    pos.col = static_cast<uint32_t>(off - line_start_ - cont_ + 1);
    pos.offset = static_cast<uint32_t>(off);
    return pos;
  }

  OLIGO_INLINE const char* skip_ws(const char* p) {
    if (p < end_ && uc(*p) > ' ') return p;  // compact JSON: no whitespace
    return skip_ws_slow(p);
  }

  const char* skip_ws_slow(const char* p) {
    while (p < end_) {
      const char c = *p;
      if (c == ' ' || c == '\t' || c == '\r') {
        ++p;
      } else if (c == '\n') {
        ++p;
        ++line_;
        line_start_ = static_cast<size_t>(p - begin_);
        cont_ = 0;
      } else {
        break;
      }
    }
    return p;
  }

  // Appends a node at `pos` (taken with node_pos() before scanning the token: scanning a
  // string moves the column bookkeeping); false (err_ filled) when max_nodes is reached.
  OLIGO_INLINE bool add_node(DocKind kind, ScalarStyle style, Pos pos, std::string_view text, uint32_t& index,
                             bool clean = false) {
    if (nodes_ >= limits_.max_nodes) return fail_nodes(pos);
    // Append a blank node and fill it in place: building a DocNode on the stack and copying
    // it makes the copy's wide loads wait on the narrow stores (store-forwarding stall).
    static constexpr DocNode kBlank{};
    ++nodes_;
    index = doc_.add(kBlank);
    DocNode& n = doc_.node_mut(index);
    n.kind = kind;
    n.style = style;
    n.pos = pos;
    n.text = text;
    n.clean = clean;
    return true;
  }

  // Links a new value node under the innermost open container (or as the root).
  OLIGO_INLINE void attach_value(uint32_t node) {
    if (depth_ == 0) return;
    Frame& f = frame(depth_ - 1);
    if (f.object) {
      doc_.node_mut(f.last_key).next = node;
    } else {
      if (f.last == 0) {
        doc_.node_mut(f.node).first = node;
      } else {
        doc_.node_mut(f.last).next = node;
      }
      ++f.count;
    }
    f.last = node;
  }

  // --- failures (cold): fill err_ and return nullptr ---

  OLIGO_COLD const char* fail(const char* kind, const char* at, std::string message) {
    err_.kind = kind;
    err_.pos = utf8_position(text_, static_cast<size_t>(at - begin_));
    err_.pos.line += first_line_ - 1;
    err_.message = std::move(message);
    return nullptr;
  }

  OLIGO_COLD bool fail_nodes(Pos pos) {
    fail("limit", begin_ + pos.offset, "too many values (limit " + std::to_string(limits_.max_nodes) + ")");
    return false;
  }

  bool is_comment(const char* at) const { return end_ - at >= 2 && at[0] == '/' && (at[1] == '/' || at[1] == '*'); }

  // An unexpected byte (or the end) at `at` where `expected` was due.
  OLIGO_COLD const char* fail_expected(const char* at, const char* expected) {
    if (is_comment(at)) return fail("syntax", at, "comments are not allowed in JSON");
    return fail("syntax", at, expected);
  }

  // No value at p.
  OLIGO_COLD const char* fail_value(const char* p) {
    if (p < end_) {
      switch (*p) {
        case '\'':
          return fail("syntax", p, "single-quoted strings are not allowed (use double quotes)");
        case '+':
          return fail("syntax", p, "'+' is not allowed before a number");
        case '.':
          return fail("syntax", p, "a number must start with a digit");
        default:
          break;
      }
    }
    return fail_expected(p, "expected a value");
  }

  OLIGO_COLD const char* fail_control(const char* at) {
    return fail("syntax", at, "control character U+" + hex4_upper(uc(*at)) + " in string (must be escaped)");
  }

  OLIGO_COLD const char* fail_encoding(const char* at) {
    const auto off = static_cast<size_t>(at - begin_);
    return fail("encoding", at, "invalid UTF-8 (" + std::string(utf8_error_reason(text_, off)) + ")");
  }

  OLIGO_COLD const char* fail_string_limit(const char* quote) {
    return fail("limit", quote, "string too long (limit " + std::to_string(limits_.max_string_bytes) + " bytes)");
  }

  OLIGO_COLD const char* fail_depth(const char* at) {
    return fail("limit", at, "nesting too deep (limit " + std::to_string(limits_.max_depth) + ")");
  }

  OLIGO_COLD bool fail_duplicate(uint32_t first_key, uint32_t key);

  // p at a non-ASCII byte inside a string: validates and skips one sequence.
  const char* skip_utf8(const char* p) {
    const Utf8Step st = utf8_step(text_, static_cast<size_t>(p - begin_));
    if (!st.valid) return fail_encoding(p);
    cont_ += st.length - 1U;
    return p + st.length;
  }

  bool hex4(const char* q, uint32_t& cp) const {
    if (end_ - q < 4) return false;
    cp = 0;
    for (int k = 0; k < 4; ++k) {
      const int h = hex_value(q[k]);
      if (h < 0) return false;
      cp = cp * 16 + static_cast<uint32_t>(h);
    }
    return true;
  }

  // p at the opening quote. Returns the position past the closing quote; `out` is the
  // unescaped text (a view into the input when there is no escape). Inline: the common
  // case, printable ASCII up to a closing quote that has 8 readable bytes at its word.
  OLIGO_INLINE const char* parse_string(const char* p, std::string_view& out) {
    const char* const quote = p;
    const char* const start = ++p;
    while (end_ - p >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      const uint64_t m = special_bytes(v);
      if (m == 0) {
        p += 8;
        continue;
      }
      p += __builtin_ctzll(m) / 8;
      if (*p != '"') break;
      const auto len = static_cast<size_t>(p - start);
      if (len > limits_.max_string_bytes) return fail_string_limit(quote);
      out = std::string_view(start, len);
      return p + 1;
    }
    return parse_string_slow(quote, start, p, out);
  }
  const char* parse_string_slow(const char* quote, const char* start, const char* p, std::string_view& out);
  const char* parse_string_escaped(const char* quote, const char* start, const char* p, std::string_view& out);
  const char* unescape(const char* quote, const char* p);
  OLIGO_INLINE const char* parse_number(const char* p);
  const char* parse_word(const char* p);
  const char* parse_scalar(const char* p);
  OLIGO_INLINE const char* parse_member_key(const char* p, Frame& f);
  OLIGO_INLINE bool check_duplicate(Frame& f, uint32_t key, bool in_text);
  void table_insert(uint32_t off, uint32_t cap, uint32_t key);

  const std::string_view text_;
  const char* const begin_;
  const char* const end_;
  const JsonLimits& limits_;
  Doc& doc_;
  JsonError& err_;
  const uint32_t first_line_;
  uint32_t line_;          // line being scanned (first_line applied)
  size_t line_start_ = 0;  // offset of the first byte of line_
  size_t cont_ = 0;        // UTF-8 continuation bytes scanned on line_ so far (for columns)
  uint32_t depth_ = 0;     // open containers
  size_t nodes_ = 0;       // nodes added (the Doc's sentinel not counted)
  std::array<Frame, kInlineFrames> small_;
  std::vector<Frame>& big_;           // frames beyond kInlineFrames (max_depth > 64 only)
  std::vector<KeyRef>& keys_;         // keys of the open objects, innermost last
  std::vector<uint32_t>& key_slots_;  // hash tables of large objects (0 = empty slot)
  std::string& scratch_;              // unescaping buffer
};

// The rest of a string from p (after the opening `quote`, content at `start`): the cases the
// inline parse_string leaves, i.e. the last 7 bytes of the text, escapes, non-ASCII bytes,
// control characters, and the errors.
const char* Parser::parse_string_slow(const char* quote, const char* start, const char* p, std::string_view& out) {
  for (;;) {
    if (end_ - p >= 8) {
      uint64_t v;
      std::memcpy(&v, p, 8);
      const uint64_t m = special_bytes(v);
      if (m == 0) {
        p += 8;
        continue;
      }
      p += __builtin_ctzll(m) / 8;
    } else {
      while (p < end_ && kStringClass[uc(*p)] == kPlain) ++p;
      if (p == end_) return fail("syntax", quote, "unterminated string");
    }
    if (*p == '"') {
      const auto len = static_cast<size_t>(p - start);
      if (len > limits_.max_string_bytes) return fail_string_limit(quote);
      out = std::string_view(start, len);
      return p + 1;
    }
    switch (kStringClass[uc(*p)]) {
      case kBackslash:
        return parse_string_escaped(quote, start, p, out);
      case kControl:
        return fail_control(p);
      default:
        p = skip_utf8(p);
        if (p == nullptr) return nullptr;
        break;
    }
  }
}

// p at the first backslash of the string that opened at `quote` with content at `start`.
const char* Parser::parse_string_escaped(const char* quote, const char* start, const char* p, std::string_view& out) {
  scratch_.assign(start, static_cast<size_t>(p - start));
  for (;;) {
    const char* run = p;
    while (p < end_ && kStringClass[uc(*p)] == kPlain) ++p;
    scratch_.append(run, static_cast<size_t>(p - run));
    if (p == end_) return fail("syntax", quote, "unterminated string");
    switch (kStringClass[uc(*p)]) {
      case kQuote:
        if (scratch_.size() > limits_.max_string_bytes) return fail_string_limit(quote);
        out = doc_.keep(scratch_);
        return p + 1;
      case kBackslash:
        p = unescape(quote, p);
        if (p == nullptr) return nullptr;
        break;
      case kControl:
        return fail_control(p);
      default: {
        const char* s = p;
        p = skip_utf8(p);
        if (p == nullptr) return nullptr;
        scratch_.append(s, static_cast<size_t>(p - s));
        break;
      }
    }
  }
}

// p at a backslash: appends the unescaped character to scratch_.
const char* Parser::unescape(const char* quote, const char* p) {
  const char* const bs = p;
  if (end_ - p < 2) return fail("syntax", quote, "unterminated string");
  const char e = p[1];
  char plain = 0;
  switch (e) {
    case '"':
      plain = '"';
      break;
    case '\\':
      plain = '\\';
      break;
    case '/':
      plain = '/';
      break;
    case 'b':
      plain = '\b';
      break;
    case 'f':
      plain = '\f';
      break;
    case 'n':
      plain = '\n';
      break;
    case 'r':
      plain = '\r';
      break;
    case 't':
      plain = '\t';
      break;
    case 'u':
      break;
    default:
      if (e > 0x20 && e < 0x7F) return fail("syntax", bs, std::string("invalid escape '\\") + e + "' in string");
      return fail("syntax", bs, "invalid escape in string");
  }
  if (e != 'u') {
    scratch_.push_back(plain);
    return p + 2;
  }
  uint32_t cp = 0;
  if (!hex4(p + 2, cp)) return fail("syntax", bs, "invalid \\u escape (expected 4 hex digits)");
  p += 6;
  if (cp >= 0xD800 && cp <= 0xDBFF) {
    uint32_t lo = 0;
    if (end_ - p >= 2 && p[0] == '\\' && p[1] == 'u') {
      if (!hex4(p + 2, lo)) return fail("syntax", p, "invalid \\u escape (expected 4 hex digits)");
    }
    if (lo < 0xDC00 || lo > 0xDFFF) return fail("encoding", bs, "unpaired surrogate \\u" + hex4_upper(cp));
    p += 6;
    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
  } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
    return fail("encoding", bs, "unpaired surrogate \\u" + hex4_upper(cp));
  }
  append_utf8(scratch_, cp);
  return p;
}

// p at '-' or a digit.
const char* Parser::parse_number(const char* p) {
  const char* const start = p;
  if (*p == '-') {
    ++p;
    if (p == end_ || !is_digit(*p)) {
      if (p < end_ && is_alpha(*p)) {
        const char* q = p;
        while (q < end_ && is_ident(*q)) ++q;
        const std::string_view w(p, static_cast<size_t>(q - p));
        if (w == "Infinity" || w == "infinity" || w == "inf" || w == "Inf") {
          return fail("syntax", start, "NaN and Infinity are not allowed in JSON");
        }
      }
      return fail("syntax", p, "expected a digit after '-'");
    }
  }
  const char* const int_begin = p;
  if (*p == '0') {
    ++p;
    if (p < end_ && is_digit(*p)) return fail("syntax", start, "leading zeros are not allowed in numbers");
  } else {
    while (p < end_ && is_digit(*p)) ++p;
  }
  const auto int_digits = static_cast<size_t>(p - int_begin);
  if (p < end_ && *p == '.') {
    ++p;
    if (p == end_ || !is_digit(*p)) return fail("syntax", p, "expected a digit after '.'");
    while (p < end_ && is_digit(*p)) ++p;
  }
  bool has_exp = false;
  if (p < end_ && (*p == 'e' || *p == 'E')) {
    has_exp = true;
    ++p;
    if (p < end_ && (*p == '+' || *p == '-')) ++p;
    if (p == end_ || !is_digit(*p)) return fail("syntax", p, "expected a digit in the exponent");
    while (p < end_ && is_digit(*p)) ++p;
  }
  if (p < end_ && (is_ident(*p) || *p == '.')) return fail("syntax", start, "invalid number");
  // Without an exponent, fewer than 309 integer digits cannot exceed DBL_MAX (~1.8e308).
  if ((has_exp || int_digits > 308) && number_overflows(start, p)) {
    return fail("syntax", start, "number out of range");
  }
  uint32_t n = 0;
  if (!add_node(DocKind::Scalar, ScalarStyle::Plain, node_pos(start),
                std::string_view(start, static_cast<size_t>(p - start)), n, true)) {
    return nullptr;
  }
  attach_value(n);
  return p;
}

// p at a letter or '_': true / false / null, or an error naming the word.
const char* Parser::parse_word(const char* p) {
  const char* const start = p;
  while (p < end_ && is_ident(*p)) ++p;
  const std::string_view w(start, static_cast<size_t>(p - start));
  uint32_t n = 0;
  if (w == "true" || w == "false") {
    if (!add_node(DocKind::Scalar, ScalarStyle::Plain, node_pos(start), w, n, true)) return nullptr;
  } else if (w == "null") {
    if (!add_node(DocKind::Null, ScalarStyle::Plain, node_pos(start), {}, n)) return nullptr;
  } else if (w == "NaN" || w == "nan" || w == "Infinity" || w == "infinity" || w == "inf" || w == "Inf") {
    return fail("syntax", start, "NaN and Infinity are not allowed in JSON");
  } else {
    std::string shown(w.substr(0, 32));
    if (w.size() > 32) shown += "...";
    return fail("syntax", start, "invalid literal '" + shown + "'");
  }
  attach_value(n);
  return p;
}

// p at a value that is not an array or object.
const char* Parser::parse_scalar(const char* p) {
  const char c = *p;
  if (c == '"') {
    const Pos pos = node_pos(p);
    const char* const quote = p;
    std::string_view s;
    p = parse_string(p, s);
    if (p == nullptr) return nullptr;
    uint32_t n = 0;
    if (!add_node(DocKind::Scalar, ScalarStyle::Quoted, pos, s, n, s.data() == quote + 1)) return nullptr;
    attach_value(n);
    return p;
  }
  if (c == '-' || is_digit(c)) return parse_number(p);
  if (is_alpha(c) || c == '_') return parse_word(p);
  return fail_value(p);
}

void Parser::table_insert(uint32_t off, uint32_t cap, uint32_t key) {
  const uint32_t mask = cap - 1;
  auto i = static_cast<uint32_t>(hash_key(doc_.node(key).text, hash_seed())) & mask;
  while (key_slots_[off + i] != 0) i = (i + 1) & mask;
  key_slots_[off + i] = key;
}

// `key` is a new key node of the object `f`, not yet in keys_; `in_text` when its text is a
// view into the input (not unescaped). Up to kLinearKeys keys: a linear scan of the
// object's KeyRefs; beyond: an open-addressing hash table in key_slots_.
bool Parser::check_duplicate(Frame& f, uint32_t key, bool in_text) {
  const std::string_view name = doc_.node(key).text;
  uint64_t head;
  if (in_text && end_ - name.data() >= 8) {  // the closing quote follows: reading 8 is safe
    std::memcpy(&head, name.data(), 8);
    if (name.size() < 8) head &= (uint64_t{1} << (8 * name.size())) - 1;
  } else {
    head = key_head(name);
  }
  const KeyRef ref{head, static_cast<uint32_t>(name.size()), key};
  uint32_t dup = 0;
  if (f.count < kLinearKeys) {
    // Most keys are new: a clear bit in the object's 64-bit key filter proves it without a scan.
    const uint64_t bit = uint64_t{1} << (((head ^ name.size()) * 0x9E3779B97F4A7C15ULL) >> 58);
    const bool maybe_seen = (f.key_bits & bit) != 0;
    f.key_bits |= bit;
    for (size_t i = maybe_seen ? f.keys_begin : keys_.size(), n = keys_.size(); i < n; ++i) {
      const KeyRef& r = keys_[i];
      if (r.head == ref.head && r.len == ref.len &&
          (ref.len <= 8 || std::memcmp(doc_.node(r.node).text.data(), name.data(), name.size()) == 0)) {
        dup = r.node;
        break;
      }
    }
  } else {
    if (f.table_cap == 0 || (f.count + 1) * 2 > f.table_cap) {
      // (Re)build a table twice as large at the end of key_slots_ (old regions are left
      // unused; key_slots_ is cleared for each parse).
      const uint32_t cap = f.table_cap == 0 ? 64 : f.table_cap * 2;
      const auto off = static_cast<uint32_t>(key_slots_.size());
      key_slots_.resize(key_slots_.size() + cap, 0);
      for (size_t i = f.keys_begin, n = keys_.size(); i < n; ++i) table_insert(off, cap, keys_[i].node);
      f.table_off = off;
      f.table_cap = cap;
    }
    const uint32_t mask = f.table_cap - 1;
    auto i = static_cast<uint32_t>(hash_key(name, hash_seed())) & mask;
    for (uint32_t q; (q = key_slots_[f.table_off + i]) != 0; i = (i + 1) & mask) {
      if (doc_.node(q).text == name) {
        dup = q;
        break;
      }
    }
    if (dup == 0) key_slots_[f.table_off + i] = key;
  }
  if (dup != 0) return fail_duplicate(dup, key);
  keys_.push_back(ref);
  return true;
}

bool Parser::fail_duplicate(uint32_t first_key, uint32_t key) {
  const std::string_view name = doc_.node(key).text;
  std::string shown = name.size() > 64 ? std::string(name.substr(0, 64)) + "..." : std::string(name);
  std::string message = "duplicate key ";
  append_json_string(message, shown);
  const Pos first = doc_.node(first_key).pos;
  message += " (first at " + std::to_string(first.line) + ":" + std::to_string(first.col) + ")";
  err_.kind = "duplicate_key";
  err_.pos = doc_.node(key).pos;
  err_.message = std::move(message);
  return false;
}

// p where a member key is due (whitespace skipped); parses the key, ':' and the whitespace
// after it, and returns the position of the member's value.
const char* Parser::parse_member_key(const char* p, Frame& f) {
  if (p == end_ || *p != '"') {
    if (p < end_ && *p == '\'') {
      return fail("syntax", p, "single-quoted strings are not allowed (use double quotes)");
    }
    return fail_expected(p, f.count == 0 ? "expected a string key or '}'" : "expected a string key after ','");
  }
  const char* const quote = p;
  const Pos pos = node_pos(p);
  std::string_view name;
  p = parse_string(p, name);
  if (p == nullptr) return nullptr;
  uint32_t k = 0;
  if (!add_node(DocKind::Scalar, ScalarStyle::Quoted, pos, name, k)) return nullptr;
  if (!check_duplicate(f, k, name.data() == quote + 1)) return nullptr;
  if (f.last == 0) {
    doc_.node_mut(f.node).first = k;
  } else {
    doc_.node_mut(f.last).next = k;
  }
  f.last_key = k;
  ++f.count;
  p = skip_ws(p);
  if (p == end_ || *p != ':') return fail_expected(p, "expected ':' after object key");
  return skip_ws(p + 1);
}

bool Parser::run() {
  const char* p = begin_;
  if (end_ - p >= 3 && std::memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
    fail("syntax", p, "byte order mark not allowed");
    return false;
  }
  p = skip_ws(p);
  bool need_value = true;
  for (;;) {
    if (need_value) {
      if (p == end_) {
        fail_value(p);
        return false;
      }
      const char c = *p;
      if (c == '{' || c == '[') {
        if (depth_ >= limits_.max_depth) {
          fail_depth(p);
          return false;
        }
        const bool object = c == '{';
        uint32_t n = 0;
        if (!add_node(object ? DocKind::Mapping : DocKind::Sequence, ScalarStyle::Plain, node_pos(p), {}, n)) {
          return false;
        }
        attach_value(n);
        if (depth_ >= kInlineFrames) big_.resize(depth_ - kInlineFrames + 1);
        Frame& f = frame(depth_++);
        f = Frame{n, 0, 0, 0, static_cast<uint32_t>(keys_.size()), 0, 0, object, 0};
        p = skip_ws(p + 1);
        if (p < end_ && *p == (object ? '}' : ']')) {
          ++p;
          --depth_;
          need_value = false;
        } else if (object) {
          p = parse_member_key(p, f);
          if (p == nullptr) return false;
        }
        continue;
      }
      p = parse_scalar(p);
      if (p == nullptr) return false;
      need_value = false;
    }
    // After a complete value.
    p = skip_ws(p);
    if (depth_ == 0) {
      if (p != end_) {
        fail_expected(p, "unexpected content after the JSON value");
        return false;
      }
      return true;
    }
    Frame& f = frame(depth_ - 1);
    if (p < end_ && *p == ',') {
      const char* const comma = p;
      p = skip_ws(p + 1);
      if (f.object) {
        if (p < end_ && *p == '}') {
          fail("syntax", comma, "trailing comma before '}'");
          return false;
        }
        p = parse_member_key(p, f);
        if (p == nullptr) return false;
      } else if (p < end_ && *p == ']') {
        fail("syntax", comma, "trailing comma before ']'");
        return false;
      }
      need_value = true;
      continue;
    }
    if (p < end_ && *p == (f.object ? '}' : ']')) {
      ++p;
      doc_.node_mut(f.node).count = f.count;
      if (f.object) keys_.resize(f.keys_begin);
      --depth_;
      continue;
    }
    fail_expected(p, f.object ? "expected ',' or '}' after object member" : "expected ',' or ']' after array element");
    return false;
  }
}

}  // namespace

bool read_json(std::string_view text, const JsonLimits& limits, Doc& out, JsonError& err, uint32_t first_line) {
  out.clear();
  if (text.size() > limits.max_bytes || text.size() >= UINT32_MAX) {
    err.kind = "limit";
    err.pos = Pos{first_line, 1, 0};
    err.message = "JSON text too large (" + std::to_string(text.size()) + " bytes, limit " +
                  std::to_string(limits.max_bytes) + ")";
    return false;
  }
  Scratch& scratch = thread_scratch();
  scratch.reset();
  Parser parser(text, limits, out, err, first_line, scratch);
  const bool ok = parser.run();
  scratch.trim();
  if (ok) return true;
  // Invalid UTF-8 anywhere wins over any other error (contract (2) in the header).
  const size_t bad = utf8_invalid_offset(text);
  if (bad != std::string_view::npos) {
    err.kind = "encoding";
    err.pos = utf8_position(text, bad);
    err.pos.line += first_line - 1;
    err.message = "invalid UTF-8 (" + std::string(utf8_error_reason(text, bad)) + ")";
  }
  out.clear();
  return false;
}

}  // namespace oligoscreen::detail
