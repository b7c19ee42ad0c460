#include "patient/json_direct_reader.hpp"

#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "json/json_bytes.hpp"
#include "patient/scalar_parse.hpp"
#include "patient/schema_index.hpp"

namespace oligoscreen::detail {

using namespace scalar;  // NOLINT(google-build-using-namespace): the readers' shared toolkit

namespace {

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
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
// A byte that continues a word or number token in read_json (letters, digits, '_').
inline bool is_ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

// Per-thread buffers for the elements of a List of Record, reused from record to record.
struct Scratch {
  std::vector<Pos> rec_pos;      // where each element's '{' is
  std::vector<Value> sub_items;  // items of subfield lists (list Values' aux relative to here)
  std::vector<Pos> sub_pos;
};

Scratch& thread_scratch() {
  thread_local Scratch scratch;
  return scratch;
}

// One record. Every parse function takes the position of what it reads and returns the
// position after it, or nullptr: fall back.
class DirectReader {
 public:
  DirectReader(const Schema& schema, std::string_view text, uint32_t line, const JsonLimits& limits, Patient& out)
      : schema_(schema),
        index_(SchemaIndex::of(schema)),
        begin_(text.data()),
        end_(text.data() + text.size()),
        line_(line),
        max_depth_(limits.max_depth),
        out_(out) {}

  bool run() {
    out_.reset(schema_.fields.size());
    const char* p = ws(begin_);
    if (p == end_ || *p != '{' || max_depth_ == 0) return false;
    out_.start = pos(p);
    open_ = 1;
    p = mapping(p + 1, nullptr, 0, SchemaIndex::kTopScope);
    if (p == nullptr || ws(p) != end_) return false;
    std::vector<InputError> missing;  // allocates only when a required field is missing
    check_required(schema_, present_, out_.start, missing);
    if (!missing.empty()) return false;
    out_.link();
    return true;
  }

 private:
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
    return end_ - p >= 4 && std::memcmp(p, "null", 4) == 0 && (end_ - p == 4 || !is_ident(p[4]));
  }

  // p at '"': the string's bytes (no escapes, all plain) in s.
  const char* string(const char* p, std::string_view& s) const {
    const char* q = p + 1;
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

  // A scalar value of field f at p, converted as DocReader::convert does (only successes).
  const char* scalar(const FieldDef& f, const char* p, Value& val, std::string_view& s) {
    Lexical lex = Lexical::Quoted;
    p = token(p, s, lex);
    if (p == nullptr) return nullptr;
    if (convert_clean(schema_, index_, f, s, lex, out_.texts, val)) return p;
    ScalarError se;
    return convert_scalar(schema_, f, s, lex, BoolSyntax::Strict, out_.texts, val, se, &index_) ? p : nullptr;
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

  // After a member or element: p past the ',' and whitespace (more follows), or past `close`
  // with `done` set.
  const char* next(const char* p, char close, bool& done) const {
    p = ws(p);
    if (p == end_) return nullptr;
    if (*p == close) {
      done = true;
      return p + 1;
    }
    if (*p != ',') return nullptr;
    return ws(p + 1);
  }

  // First visit of group `g` at `depth` in this record (a second is a duplicate key).
  bool first_visit(const FieldDef* g, size_t depth) {
    for (size_t i = 0; i < groups_seen_; ++i) {
      if (groups_[i].first == g && groups_[i].second == depth) return false;
    }
    if (groups_seen_ == groups_.size()) return false;
    groups_[groups_seen_++] = {g, depth};
    return true;
  }

  // p after the '{' of the record (depth 0) or of a group mapping (keys: segment `depth` of
  // the paths under prefix->segments[0..depth)).
  const char* mapping(const char* p, const FieldDef* prefix, size_t depth, uint32_t scope) {
    p = ws(p);
    if (p < end_ && *p == '}') return p + 1;
    for (bool done = false; !done;) {
      std::string_view k;
      p = key(p, k);
      if (p == nullptr) return nullptr;
      const SchemaIndex::KeyHit hit = lookup_key(schema_, index_, guess_, prefix, depth, scope, k);
      if (hit.field != nullptr) {
        const auto i = static_cast<size_t>(hit.field - schema_.fields.data());
        if (keys_seen_.test(i)) return nullptr;
        keys_seen_.set(i);
        guess_ = i + 1;
        p = field(*hit.field, p);
      } else if (hit.group != nullptr) {
        guess_ = static_cast<size_t>(hit.group - schema_.fields.data());
        if (!first_visit(hit.group, depth)) return nullptr;
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
  const char* field(const FieldDef& f, const char* p) {
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
      out_.values[f.slot] = Value::list_of(nullptr, count, first);
      out_.value_pos[f.slot] = at;
      return p;
    }
    Value val;
    std::string_view s;
    p = scalar(f, p, val, s);
    if (p == nullptr) return nullptr;
    out_.values[f.slot] = val;
    out_.value_pos[f.slot] = at;
    if (f.record_id) {
      out_.id.assign(s);
      out_.has_id = true;
    }
    return p;
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
      std::string_view s;
      p = string(p, s);
      if (p == nullptr) return nullptr;
      Value val;
      if (!convert_clean_enum(schema_, index_, f.enum_id, s, Lexical::Quoted, val)) {
        ScalarError se;
        if (!convert_enum_item(schema_, f.enum_id, s, Lexical::Quoted, val, se, &index_)) return nullptr;
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
  // (count Record items, then count * k subfields, then the items of subfield lists), built
  // in one pass: the subfields are read in place and the Record items inserted before them.
  const char* record_list(const FieldDef& f, const char* p) {
    const auto k = static_cast<uint32_t>(f.fields.size());
    if (open_ >= max_depth_ || k >= kMaxSlots - 1) return nullptr;
    const Pos at = pos(p);
    const auto base = static_cast<uint32_t>(out_.items.size());
    std::vector<Pos>& rec_pos = scratch_.rec_pos;
    rec_pos.clear();
    scratch_.sub_items.clear();
    scratch_.sub_pos.clear();
    ++open_;
    p = ws(p + 1);
    if (p < end_ && *p == ']') {
      ++p;
    } else {
      for (bool done = false; !done;) {
        if (p == end_ || *p != '{' || open_ >= max_depth_) return nullptr;
        rec_pos.push_back(pos(p));
        const auto subs = static_cast<uint32_t>(out_.items.size());
        out_.items.resize(subs + k);  // unknown until read
        out_.item_pos.resize(subs + k);
        ++open_;
        p = record(f, p + 1, subs);
        --open_;
        if (p == nullptr) return nullptr;
        p = next(p, ']', done);
        if (p == nullptr) return nullptr;
      }
    }
    --open_;
    const auto count = static_cast<uint32_t>(rec_pos.size());
    if (too_many_items(f, count)) return nullptr;
    out_.items.insert(out_.items.begin() + base, count, Value{});
    out_.item_pos.insert(out_.item_pos.begin() + base, rec_pos.begin(), rec_pos.end());
    for (uint32_t i = 0; i < count; ++i) {
      Value& rec = out_.items[base + i];
      rec.kind = VKind::Record;
      rec.aux = make_ref(f.slot, i + 1);
      rec.e = base + count + i * k;
    }
    const auto lists = static_cast<uint32_t>(out_.items.size());  // subfield list items go here
    for (uint32_t j = base + count; j < lists; ++j) {
      if (out_.items[j].kind == VKind::List) out_.items[j].aux += lists;
    }
    out_.items.insert(out_.items.end(), scratch_.sub_items.begin(), scratch_.sub_items.end());
    out_.item_pos.insert(out_.item_pos.end(), scratch_.sub_pos.begin(), scratch_.sub_pos.end());
    out_.values[f.slot] = Value::list_of(nullptr, count, base);
    out_.value_pos[f.slot] = at;
    return p;
  }

  // p after the '{' of one element of List of Record f; its subfields go to out_.items[at..).
  const char* record(const FieldDef& f, const char* p, uint32_t at) {
    SlotSet seen;   // keys met (a second is a duplicate)
    SlotSet given;  // subfields with a non-null value
    size_t guess = 0;
    p = ws(p);
    if (p < end_ && *p == '}') {
      ++p;
    } else {
      for (bool done = false; !done;) {
        std::string_view k;
        p = key(p, k);
        if (p == nullptr) return nullptr;
        const int sub = lookup_sub(index_, f, guess, k);
        if (sub < 0 || seen.test(static_cast<size_t>(sub))) return nullptr;
        const auto s = static_cast<size_t>(sub);
        seen.set(s);
        guess = s + 1;
        p = subfield(f.fields[s], p, at + static_cast<uint32_t>(s), given, s);
        if (p == nullptr) return nullptr;
        p = next(p, '}', done);
        if (p == nullptr) return nullptr;
      }
    }
    for (size_t s = 0; s < f.fields.size(); ++s) {
      if (f.fields[s].required && !given.test(s)) return nullptr;
    }
    return p;
  }

  const char* subfield(const FieldDef& sf, const char* p, uint32_t at, SlotSet& given, size_t s) {
    if (is_null(p)) return p + 4;
    given.set(s);
    const Pos vp = pos(p);
    Value val;
    if (sf.type == FieldType::List) {
      if (*p != '[') return nullptr;
      uint32_t first = 0;
      uint32_t count = 0;
      p = enum_items(sf, p, scratch_.sub_items, scratch_.sub_pos, first, count);  // placed by record_list
      val = Value::list_of(nullptr, count, first);
    } else {
      std::string_view text;
      p = scalar(sf, p, val, text);
    }
    if (p == nullptr) return nullptr;
    out_.items[at] = val;
    out_.item_pos[at] = vp;
    return p;
  }

  const Schema& schema_;
  const SchemaIndex& index_;
  const char* const begin_;
  const char* const end_;
  const uint32_t line_;
  const uint32_t max_depth_;
  Patient& out_;
  uint32_t open_ = 0;  // open arrays and objects
  size_t guess_ = 0;   // the field the next key probably names
  SlotSet keys_seen_;  // top-level fields met, null or not
  SlotSet present_;    // top-level fields with a non-null value
  std::array<std::pair<const FieldDef*, size_t>, 16> groups_{};
  size_t groups_seen_ = 0;
  Scratch& scratch_ = thread_scratch();
};

}  // namespace

DirectRead read_patient_json_direct(const Schema& schema, std::string_view text, uint32_t line,
                                    const JsonLimits& limits, const ReadOptions& opt, Patient& out) {
  (void)opt.strict;  // no difference on the fast lane: unknown keys always fall back
  // Far from every limit: nodes and string bytes cannot exceed the text's size.
  if (text.size() > limits.max_bytes || text.size() >= limits.max_nodes || text.size() > limits.max_string_bytes ||
      schema.fields.size() > kMaxSlots) {
    return DirectRead::Fallback;
  }
  DirectReader r(schema, text, line, limits, out);
  return r.run() ? DirectRead::Ok : DirectRead::Fallback;
}

}  // namespace oligoscreen::detail
