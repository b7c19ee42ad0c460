// Strict YAML reader on yaml-cpp 0.7's event API (never YAML::Node, never LoadAll).
//
// Stages: (1) byte pre-pass over the file as given: size, BOM, UTF-8, NUL/control bytes,
// lone CR, line length, tab indentation; (2) yaml-cpp's Parser over the normalised text
// (BOM dropped, CRLF -> LF, so that columns and scalar text match what a user sees) with
// our EventHandler, which builds the Doc and enforces depth, node, scalar, anchor, tag and
// duplicate-key rules as events arrive; (3) a second HandleNextDocument to require exactly
// one document. Every exception is turned into a diagnostic in read_yaml's one catch site.
#include "yaml/yaml_reader.hpp"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <istream>
#include <new>
#include <optional>
#include <streambuf>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace oligoscreen::detail {
namespace {

constexpr size_t kMaxPrepassErrors = 20;
// yaml-cpp's own guard (DepthGuard<500>) must never be the one that fires: it reports
// "bad file" at 1:1 and needs ~170 KiB of stack.
constexpr uint32_t kDepthCeiling = 256;
// Duplicate detection switches from a linear scan to a hash index past this many keys.
constexpr size_t kLinearKeyScan = 16;

constexpr const char* kAnchorsMsg = "anchors and aliases are not allowed";
constexpr const char* kTagsMsg = "tags are not allowed";
constexpr const char* kTabsMsg = "tabs are not allowed for indentation";
constexpr const char* kOneDocMsg = "exactly one YAML document expected";

// Our own stop signal, thrown from the event handler through yaml-cpp's recursion.
struct Stop {
  Pos pos;
  std::string message;
};

// ---------------------------------------------------------------------------------------
// Source mapping

// The text yaml-cpp parses, and the way back from its offsets to file positions.
class SourceMap {
 public:
  std::string_view norm;              // BOM dropped, CRLF -> LF
  std::vector<uint32_t> norm_starts;  // offset in `norm` of each line start
  std::vector<uint32_t> file_starts;  // offset in the file of each line start

  // Position of norm[off] (off may be norm.size(): end of text).
  [[nodiscard]] Pos at(size_t off) const {
    off = std::min(off, norm.size());
    auto it = std::upper_bound(norm_starts.begin(), norm_starts.end(), static_cast<uint32_t>(off));
    uint32_t line0 = static_cast<uint32_t>(it - norm_starts.begin()) - 1;
    uint32_t col0 = static_cast<uint32_t>(off) - norm_starts[line0];
    return Pos{line0 + 1, col0 + 1, file_starts[line0] + col0};
  }
  [[nodiscard]] Pos at_mark(const YAML::Mark& m) const {
    if (m.pos < 0) return Pos{};
    return at(static_cast<size_t>(m.pos));
  }
  [[nodiscard]] uint32_t line_of(size_t off) const { return at(off).line - 1; }
  // Line `line0` of norm without its '\n'.
  [[nodiscard]] std::string_view line(uint32_t line0) const {
    if (line0 >= norm_starts.size()) return {};
    size_t start = norm_starts[line0];
    size_t end = line0 + 1 < norm_starts.size() ? norm_starts[line0 + 1] - 1 : norm.size();
    return norm.substr(start, end - start);
  }
  [[nodiscard]] char byte(size_t off) const { return off < norm.size() ? norm[off] : '\0'; }
};

// Read-only std::streambuf over memory (yaml-cpp wants an istream).
class MemoryBuf : public std::streambuf {
 public:
  explicit MemoryBuf(std::string_view s) {
    char* p = const_cast<char*>(s.data());  // never written: get area only
    setg(p, p, p + s.size());
  }
};

std::string quote_for_message(std::string_view s) {
  constexpr size_t kMax = 40;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMax; ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
  }
  if (s.size() > kMax) out += "...";
  return out;
}

// ---------------------------------------------------------------------------------------
// Byte pre-pass

struct PrepassError {
  uint32_t line0;
  uint32_t col0;
  uint32_t offset;
  std::string message;
};

// Recognises a line whose last token is a block scalar header ('|', '>', with optional
// chomping/indentation indicators), ignoring a trailing comment.
bool ends_with_block_header(std::string_view rest) {
  size_t end = rest.size();
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '#' && (i == 0 || rest[i - 1] == ' ' || rest[i - 1] == '\t')) {
      end = i;
      break;
    }
  }
  std::string_view s = rest.substr(0, end);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty()) return false;
  size_t ws = s.find_last_of(" \t");
  std::string_view tok = s.substr(ws == std::string_view::npos ? 0 : ws + 1);
  if (tok.empty() || tok.size() > 3 || (tok[0] != '|' && tok[0] != '>')) return false;
  for (char c : tok.substr(1)) {
    if (c != '-' && c != '+' && (c < '1' || c > '9')) return false;
  }
  return true;
}

// Finds tabs used for indentation, line by line, skipping the content of block scalars
// (approximated from indentation: YAML allows tabs there). Like yaml-cpp, which rejects
// them in block context, comment and blank lines are not exempt; unlike it, neither are
// continuation lines of flow collections and quoted scalars (strictness over leniency).
class IndentChecker {
 public:
  // 0-based column of an indentation tab on this line, or -1.
  int check(std::string_view line) {
    size_t spaces = 0;
    while (spaces < line.size() && line[spaces] == ' ') ++spaces;
    size_t first = line.find_first_not_of(" \t");
    bool blank = first == std::string_view::npos;
    if (in_block_) {
      if (blank) return -1;
      if (block_indent_ < 0) {
        if (static_cast<int>(spaces) > parent_) {
          block_indent_ = static_cast<int>(spaces);
          return -1;
        }
        in_block_ = false;
      } else if (static_cast<int>(spaces) >= block_indent_) {
        return -1;
      } else {
        in_block_ = false;
      }
    }
    if (spaces < line.size() && line[spaces] == '\t') return static_cast<int>(spaces);
    if (blank) return -1;
    if (ends_with_block_header(line.substr(first))) {
      in_block_ = true;
      block_indent_ = -1;
      parent_ = parent_indent(line, first);
    }
    return -1;
  }

 private:
  // Indentation the block scalar's content must exceed (approximate).
  static int parent_indent(std::string_view line, size_t first) {
    if (line.substr(first, 3) == "---") return -1;
    int parent = -1;
    size_t col = first;
    while (col < line.size() && line[col] == '-' && (col + 1 == line.size() || line[col + 1] == ' ')) {
      parent = static_cast<int>(col);
      ++col;
      while (col < line.size() && line[col] == ' ') ++col;
    }
    if (col < line.size() && (line[col] == '|' || line[col] == '>')) return parent;
    return static_cast<int>(col);
  }

  bool in_block_ = false;
  int parent_ = -1;
  int block_indent_ = -1;
};

// Length of the valid UTF-8 sequence starting with a non-ASCII byte at s[i], or 0.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto at = [&](size_t k) -> unsigned { return k < s.size() ? static_cast<unsigned char>(s[k]) : 0u; };
  unsigned b0 = at(i);
  auto cont = [](unsigned b) { return b >= 0x80 && b <= 0xbf; };
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(at(i + 1)) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    unsigned b1 = at(i + 1);
    unsigned lo = b0 == 0xe0 ? 0xa0 : 0x80;  // no overlong forms
    unsigned hi = b0 == 0xed ? 0x9f : 0xbf;  // no surrogates
    return (b1 >= lo && b1 <= hi && cont(at(i + 2))) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    unsigned b1 = at(i + 1);
    unsigned lo = b0 == 0xf0 ? 0x90 : 0x80;  // no overlong forms
    unsigned hi = b0 == 0xf4 ? 0x8f : 0xbf;  // nothing above U+10FFFF
    return (b1 >= lo && b1 <= hi && cont(at(i + 2)) && cont(at(i + 3))) ? 4 : 0;
  }
  return 0;
}

// Checks the raw bytes. Fills file_starts (one entry per line) and reports whether any CR
// (always part of a CRLF when there is no error) was seen.
void prepass(std::string_view text, size_t bom, const YamlLimits& limits, std::vector<uint32_t>& file_starts,
             bool& has_cr, std::vector<PrepassError>& errors) {
  IndentChecker indent;
  size_t line_start = bom;
  uint32_t line0 = 0;
  bool line_flagged = false;  // one byte-level error per line is enough
  file_starts.push_back(static_cast<uint32_t>(bom));

  auto flag = [&](size_t at, std::string message) {
    if (line_flagged) return;
    line_flagged = true;
    errors.push_back({line0, static_cast<uint32_t>(at - line_start), static_cast<uint32_t>(at), std::move(message)});
  };
  auto end_line = [&](size_t end) {  // end: one past the line's last content byte
    std::string_view content = text.substr(line_start, end - line_start);
    if (content.size() > limits.max_line_bytes) {
      errors.push_back({line0, static_cast<uint32_t>(limits.max_line_bytes),
                        static_cast<uint32_t>(line_start + limits.max_line_bytes),
                        "line too long (limit " + std::to_string(limits.max_line_bytes) + " bytes)"});
    }
    int tab = indent.check(content);
    if (tab >= 0) {
      errors.push_back({line0, static_cast<uint32_t>(tab), static_cast<uint32_t>(line_start + tab), kTabsMsg});
    }
  };

  const size_t n = text.size();
  for (size_t i = bom; i < n;) {
    if (errors.size() >= kMaxPrepassErrors) return;
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c == '\n') {
        end_line(i > line_start && text[i - 1] == '\r' ? i - 1 : i);
        ++i;
        ++line0;
        line_start = i;
        line_flagged = false;
        file_starts.push_back(static_cast<uint32_t>(i));
        continue;
      }
      if (c == '\r') {
        if (i + 1 < n && text[i + 1] == '\n') {
          has_cr = true;
        } else {
          flag(i, "carriage return without line feed: use LF or CRLF line endings");
        }
      } else if (c == 0) {
        flag(i, "NUL byte not allowed");
      } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
        static const char* kHex = "0123456789ABCDEF";
        std::string msg = "control character U+00";
        msg += kHex[c >> 4];
        msg += kHex[c & 15];
        msg += " not allowed";
        flag(i, std::move(msg));
      }
      ++i;
      continue;
    }
    size_t len = utf8_sequence(text, i);
    if (len == 0) {
      flag(i, "invalid UTF-8 byte sequence");
      ++i;
      continue;
    }
    i += len;
  }
  end_line(n);
}

// ---------------------------------------------------------------------------------------
// Event handler: builds the Doc

class Builder final : public YAML::EventHandler {
 public:
  Builder(const SourceMap& src, const YamlLimits& limits, Doc& doc, Diagnostics& diags, std::string_view file)
      : src_(src),
        limits_(limits),
        max_depth_(std::min(limits.max_depth, kDepthCeiling)),
        doc_(doc),
        diags_(diags),
        file_(file) {}

  [[nodiscard]] uint32_t max_depth() const { return max_depth_; }
  [[nodiscard]] size_t soft_errors() const { return soft_errors_; }
  [[nodiscard]] size_t last_event_offset() const { return last_offset_; }
  [[nodiscard]] bool root_is_explicit_null() const { return root_explicit_null_; }
  [[nodiscard]] size_t root_offset() const { return root_offset_; }
  // Position of the first mapping key that is a sequence or mapping, if any.
  [[nodiscard]] const std::optional<Pos>& complex_key() const { return complex_key_; }

  // Innermost open flow collection started by `open` ('[' or '{'), if any.
  [[nodiscard]] std::optional<Pos> open_flow(char open) const {
    for (size_t i = depth_; i-- > 0;) {
      if (frames_[i].open == open) return doc_.node(frames_[i].node).pos;
    }
    return std::nullopt;
  }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (documents_++ == 0) return;
    size_t off = std::min(static_cast<size_t>(std::max(mark.pos, 0)), src_.norm.size());
    bool marker = src_.norm.substr(off, 3) == "---" || src_.byte(off) == '%';
    throw Stop{src_.at(off), marker ? std::string(kOneDocMsg)
                                    : std::string(kOneDocMsg) + ": unexpected text after the end of the document"};
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    size_t off = enter(mark, anchor);
    size_t word = null_word_at(off);
    DocNode n;
    if (expecting_key()) {
      n.kind = DocKind::Scalar;
      n.style = ScalarStyle::Plain;
      n.pos = src_.at(off);
      if (word == 0) {
        soft_error(n.pos, "mapping key is empty");
      } else {
        n.text = doc_.keep(src_.norm.substr(off, word));
        check_block_key_colon(off, off + word);
      }
      attach(n, /*check_duplicate=*/word != 0);
      return;
    }
    n.kind = DocKind::Null;
    n.pos = word != 0 ? src_.at(off) : src_.at(empty_value_offset(off));
    if (word == 0 && depth_ > 0 && frames_[depth_ - 1].open == '[' && src_.byte(off) == ',') {
      // yaml-cpp 0.7 reads `[a, , b]` as three items.
      soft_error(src_.at(off), "empty item in a flow sequence: remove the extra ','");
    }
    if (depth_ == 0) {
      root_explicit_null_ = word != 0;
      root_offset_ = off;
    }
    attach(n, false);
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override {
    throw Stop{src_.at_mark(mark), kAnchorsMsg};
  }
  void OnAnchor(const YAML::Mark& mark, const std::string& /*name*/) override {
    throw Stop{src_.at_mark(mark), kAnchorsMsg};
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    size_t off = enter(mark, anchor);
    size_t start = check_tag(off, tag);
    DocNode n;
    n.kind = DocKind::Scalar;
    n.pos = src_.at(start);
    switch (src_.byte(start)) {
      case '"':
      case '\'':
        n.style = ScalarStyle::Quoted;
        break;
      case '|':
        n.style = ScalarStyle::Literal;
        break;
      case '>':
        n.style = ScalarStyle::Folded;
        break;
      default:
        n.style = ScalarStyle::Plain;
        break;
    }
    if (tag == "?") n.style = ScalarStyle::Plain;
    // yaml-cpp 0.7 accepts a quote left open up to the end of the file (when a line break
    // follows it), swallowing the rest of the document into the string.
    size_t end = start + value.size();
    if (n.style == ScalarStyle::Quoted) {
      end = quote_end(start);
      if (end == std::string_view::npos) throw Stop{n.pos, "unterminated quoted string"};
    }
    if (n.style == ScalarStyle::Literal || n.style == ScalarStyle::Folded) block_position(start, value, n);
    if (value.size() > limits_.max_scalar_bytes) {
      throw Stop{n.pos, "scalar too long (limit " + std::to_string(limits_.max_scalar_bytes) + " bytes)"};
    }
    n.text = doc_.keep(value);
    if (expecting_key() && (n.style == ScalarStyle::Plain || n.style == ScalarStyle::Quoted)) {
      check_block_key_colon(start, end);
    }
    attach(n, expecting_key());
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    open_collection(mark, tag, anchor, DocKind::Sequence, style);
  }
  void OnSequenceEnd() override { close_collection(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    open_collection(mark, tag, anchor, DocKind::Mapping, style);
  }
  void OnMapEnd() override { close_collection(); }

 private:
  struct Frame {
    uint32_t node = 0;
    uint32_t last = 0;  // last linked child (Mapping: last value)
    uint32_t key = 0;   // Mapping: key waiting for its value
    bool is_map = false;
    bool expect_key = true;
    bool block_map = false;                                // Mapping written in block style (not `{...}`, not `[k: v]`)
    char open = 0;                                         // '[' or '{' for flow collections written with brackets
    std::vector<uint32_t> keys;                            // Mapping: key nodes so far
    std::unordered_map<std::string_view, uint32_t> index;  // Mapping: built past kLinearKeyScan
  };

  // Common checks for every node event; returns the node's offset in norm.
  size_t enter(const YAML::Mark& mark, YAML::anchor_t anchor) {
    size_t off = static_cast<size_t>(std::max(mark.pos, 0));
    last_offset_ = off;
    if (anchor != YAML::NullAnchor) throw Stop{src_.at(off), kAnchorsMsg};
    if (++nodes_ > limits_.max_nodes) {
      throw Stop{src_.at(off), "too many nodes (limit " + std::to_string(limits_.max_nodes) + ")"};
    }
    return off;
  }

  [[nodiscard]] bool expecting_key() const {
    return depth_ > 0 && frames_[depth_ - 1].is_map && frames_[depth_ - 1].expect_key;
  }

  // Rejects tags (yaml-cpp reports an explicit '!' exactly like a quoted scalar, so the
  // source is checked too). Returns the offset of the node itself, past any properties.
  size_t check_tag(size_t off, const std::string& tag) {
    size_t p = off;
    bool written = false;
    while (src_.byte(p) == '!') {
      written = true;
      while (p < src_.norm.size() && src_.norm[p] != ' ' && src_.norm[p] != '\n') ++p;
      while (p < src_.norm.size() && (src_.norm[p] == ' ' || src_.norm[p] == '\n')) ++p;
    }
    if (written || (tag != "?" && tag != "!")) soft_error(src_.at(off), kTagsMsg);
    return written ? p : off;
  }

  // Offset just past the closing quote of the quoted scalar opening at `open`, or npos.
  [[nodiscard]] size_t quote_end(size_t open) const {
    std::string_view s = src_.norm;
    const char q = s[open];
    for (size_t j = open + 1; j < s.size(); ++j) {
      if (q == '"' && s[j] == '\\') {
        ++j;
      } else if (s[j] == q) {
        if (q == '\'' && j + 1 < s.size() && s[j + 1] == '\'') {
          ++j;
        } else {
          return j + 1;
        }
      }
    }
    return std::string_view::npos;
  }

  // yaml-cpp 0.7 takes a last line without ':' in a block mapping as a key with no value
  // (`a: 1\nb`). A key of a block mapping must be followed by ':' unless written as `? key`.
  void check_block_key_colon(size_t start, size_t end) {
    if (depth_ == 0 || !frames_[depth_ - 1].block_map || end == std::string_view::npos) return;
    size_t before = start;
    while (before > 0 && (src_.norm[before - 1] == ' ' || src_.norm[before - 1] == '\n')) --before;
    if (before > 0 && src_.norm[before - 1] == '?') return;
    while (end < src_.norm.size() && (src_.norm[end] == ' ' || src_.norm[end] == '\t')) ++end;
    if (src_.byte(end) != ':') soft_error(src_.at(start), "missing ':' after mapping key");
  }

  // Length of a plain null word (~, null, Null, NULL) at off, or 0.
  [[nodiscard]] size_t null_word_at(size_t off) const {
    std::string_view rest = src_.norm.substr(std::min(off, src_.norm.size()));
    size_t len = 0;
    if (rest.substr(0, 1) == "~") {
      len = 1;
    } else if (rest.substr(0, 4) == "null" || rest.substr(0, 4) == "Null" || rest.substr(0, 4) == "NULL") {
      len = 4;
    }
    if (len == 0) return 0;
    if (len < rest.size() && std::string_view(" \t\n,]}:#").find(rest[len]) == std::string_view::npos) return 0;
    return len;
  }

  // yaml-cpp marks an empty value at the next token; point just after the indicator that
  // introduced it instead (the ':' or '-' or ',' before it, skipping blanks and comments).
  [[nodiscard]] size_t empty_value_offset(size_t off) const {
    std::string_view norm = src_.norm;
    off = std::min(off, norm.size());
    uint32_t line0 = src_.line_of(off);
    size_t start = src_.norm_starts[line0];
    size_t q = off;
    while (q > start && (norm[q - 1] == ' ' || norm[q - 1] == '\t')) --q;
    if (q > start) return q;
    while (line0 > 0) {
      --line0;
      std::string_view l = src_.line(line0);
      size_t end = l.size();
      for (size_t i = 0; i < l.size(); ++i) {
        if (l[i] == '#' && (i == 0 || l[i - 1] == ' ' || l[i - 1] == '\t')) {
          end = i;
          break;
        }
      }
      while (end > 0 && (l[end - 1] == ' ' || l[end - 1] == '\t')) --end;
      if (end > 0) return src_.norm_starts[line0] + end;
    }
    return off;
  }

  // Block scalar: position of the first content line at its indentation (lines before it
  // that are empty in the text count back from it), and the content indentation column.
  void block_position(size_t header, const std::string& value, DocNode& n) const {
    size_t leading = value.find_first_not_of('\n');
    if (leading == std::string::npos) return;  // empty scalar: keep the header's position
    size_t extra = 0;                          // spaces beyond the content indentation on the first content line
    while (leading + extra < value.size() && value[leading + extra] == ' ') ++extra;
    std::string_view norm = src_.norm;
    size_t nl = norm.find('\n', header);
    if (nl == std::string_view::npos) return;
    uint32_t line0 = src_.line_of(nl + 1);
    size_t spaces = 0;
    for (;; ++line0) {
      if (line0 >= src_.norm_starts.size()) return;
      std::string_view l = src_.line(line0);
      spaces = 0;
      while (spaces < l.size() && l[spaces] == ' ') ++spaces;
      if (spaces < l.size()) break;
    }
    if (spaces < extra || line0 < leading) return;
    uint32_t indent = static_cast<uint32_t>(spaces - extra + 1);
    uint32_t first0 = line0 - static_cast<uint32_t>(leading);
    size_t line_len = src_.line(first0).size();
    Pos p = src_.at(src_.norm_starts[first0] + std::min<size_t>(indent - 1, line_len));
    p.col = indent;
    n.pos = p;
    n.indent = indent;
  }

  void soft_error(Pos pos, std::string message) {
    diags_.error(file_, pos, std::move(message));
    ++soft_errors_;
  }

  // Links a new node into its parent and returns its index.
  uint32_t attach(const DocNode& n, bool check_duplicate) {
    uint32_t idx = doc_.add(n);
    if (depth_ == 0) return idx;
    Frame& f = frames_[depth_ - 1];
    DocNode& parent = doc_.node_mut(f.node);
    if (!f.is_map) {
      if (f.last == 0) {
        parent.first = idx;
      } else {
        doc_.node_mut(f.last).next = idx;
      }
      f.last = idx;
      ++parent.count;
      return idx;
    }
    if (f.expect_key) {
      if (check_duplicate) check_duplicate_key(f, idx);
      if (f.last == 0) {
        parent.first = idx;
      } else {
        doc_.node_mut(f.last).next = idx;
      }
      f.key = idx;
      f.expect_key = false;
    } else {
      doc_.node_mut(f.key).next = idx;
      f.last = idx;
      f.expect_key = true;
      ++parent.count;
    }
    return idx;
  }

  void check_duplicate_key(Frame& f, uint32_t key) {
    std::string_view text = doc_.node(key).text;
    uint32_t first = 0;
    if (!f.index.empty()) {
      auto it = f.index.find(text);
      if (it != f.index.end()) first = it->second;
    } else {
      for (uint32_t k : f.keys) {
        if (doc_.node(k).text == text) {
          first = k;
          break;
        }
      }
    }
    if (first != 0) {
      soft_error(doc_.node(key).pos, "duplicate key '" + quote_for_message(text) + "' (first at line " +
                                         std::to_string(doc_.node(first).pos.line) + ")");
      return;
    }
    if (!f.index.empty()) {
      f.index.emplace(text, key);
    } else {
      f.keys.push_back(key);
      if (f.keys.size() > kLinearKeyScan) {
        for (uint32_t k : f.keys) f.index.emplace(doc_.node(k).text, k);
      }
    }
  }

  void open_collection(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, DocKind kind,
                       YAML::EmitterStyle::value style) {
    size_t off = static_cast<size_t>(std::max(mark.pos, 0));
    if (depth_ + 1 > max_depth_) {
      throw Stop{src_.at(off), "nesting too deep (limit " + std::to_string(max_depth_) + ")"};
    }
    // Reported only if the parse otherwise succeeds: yaml-cpp also reports an unclosed
    // '[' or '{' at the top level as a collection used as a key.
    if (expecting_key() && !complex_key_) complex_key_ = src_.at(off);
    enter(mark, anchor);
    size_t start = check_tag(off, tag);
    DocNode n;
    n.kind = kind;
    n.pos = src_.at(start);
    uint32_t idx = attach(n, false);
    if (frames_.size() <= depth_) frames_.emplace_back();
    Frame& f = frames_[depth_++];
    f.node = idx;
    f.last = 0;
    f.key = 0;
    f.is_map = kind == DocKind::Mapping;
    f.expect_key = true;
    f.block_map = f.is_map && style == YAML::EmitterStyle::Block;
    char c = src_.byte(start);
    f.open = (c == '[' || c == '{') ? c : 0;
    f.keys.clear();
    f.index.clear();
  }

  void close_collection() {
    if (depth_ > 0) --depth_;
  }

  const SourceMap& src_;
  const YamlLimits& limits_;
  const uint32_t max_depth_;
  Doc& doc_;
  Diagnostics& diags_;
  std::string_view file_;
  std::vector<Frame> frames_;  // frames_[0, depth_) are open; the rest are kept for reuse
  size_t depth_ = 0;
  size_t nodes_ = 0;
  size_t soft_errors_ = 0;
  int documents_ = 0;
  size_t last_offset_ = 0;
  bool root_explicit_null_ = false;
  size_t root_offset_ = 0;
  std::optional<Pos> complex_key_;
};

// ---------------------------------------------------------------------------------------
// Mapping yaml-cpp's exceptions to our wording

bool starts_with(const std::string& s, const char* prefix) {
  return s.rfind(prefix, 0) == 0;
}

bool is_one_of(const std::string& s, std::initializer_list<const char*> prefixes) {
  for (const char* p : prefixes) {
    if (starts_with(s, p)) return true;
  }
  return false;
}

// Where a quoted scalar that never closes begins: the first quote at a token start, after
// the last node yaml-cpp reported, that has no closing quote.
std::optional<size_t> find_unterminated_quote(std::string_view s, size_t from) {
  for (size_t i = from; i < s.size(); ++i) {
    char c = s[i];
    bool token_start = i == 0 || std::string_view(" \t\n[{,:").find(s[i - 1]) != std::string_view::npos;
    if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t' || s[i - 1] == '\n')) {
      size_t nl = s.find('\n', i);
      if (nl == std::string_view::npos) return std::nullopt;
      i = nl;
      continue;
    }
    if ((c != '"' && c != '\'') || !token_start) continue;
    size_t j = i + 1;
    for (; j < s.size(); ++j) {
      if (c == '"' && s[j] == '\\') {
        ++j;
      } else if (s[j] == c) {
        if (c == '\'' && j + 1 < s.size() && s[j + 1] == '\'') {
          ++j;
        } else {
          break;
        }
      }
    }
    if (j >= s.size()) return i;
    i = j;
  }
  return std::nullopt;
}

std::pair<Pos, std::string> map_yaml_error(const YAML::Exception& e, const SourceMap& src, const Builder& b) {
  namespace M = YAML::ErrorMsg;
  const std::string& m = e.msg;
  Pos pos = src.at_mark(e.mark);
  auto unclosed = [&](char open, char close) {
    std::string msg;
    if (std::optional<Pos> at = b.open_flow(open)) {
      msg = std::string("unclosed '") + open + "' at line " + std::to_string(at->line) + ", column " +
            std::to_string(at->col) + " (expected ',' or '" + close + "')";
    } else {
      msg = std::string("expected ',' or '") + close + "'";
    }
    return std::make_pair(pos, msg);
  };

  if (dynamic_cast<const YAML::DeepRecursion*>(&e) != nullptr || m == M::BAD_FILE) {
    return {pos, "nesting too deep (limit " + std::to_string(b.max_depth()) + ")"};
  }
  if (m == M::MAP_VALUE || m == M::TAB_IN_INDENTATION) {
    if (pos.valid()) {
      std::string_view l = src.line(pos.line - 1);
      size_t first = l.find_first_not_of(' ');
      if (first != std::string_view::npos && l[first] == '\t') {
        return {src.at(src.norm_starts[pos.line - 1] + first), kTabsMsg};
      }
    }
    if (m == M::TAB_IN_INDENTATION) return {pos, kTabsMsg};
    return {pos, "unexpected ':' (check the indentation, or quote a value that contains ': ')"};
  }
  if (m == M::END_OF_SEQ_FLOW) return unclosed('[', ']');
  if (m == M::END_OF_MAP_FLOW) return unclosed('{', '}');
  if (m == M::END_OF_MAP) return {pos, "unexpected text in a mapping (check the indentation)"};
  if (m == M::END_OF_SEQ) return {pos, "unexpected text in a sequence (check the indentation)"};
  if (m == M::EOF_IN_SCALAR) {
    if (std::optional<size_t> q = find_unterminated_quote(src.norm, b.last_event_offset())) pos = src.at(*q);
    return {pos, "unterminated quoted string"};
  }
  if (m == M::DOC_IN_SCALAR) return {pos, "document marker ('---' or '...') inside a quoted string"};
  if (m == M::CHAR_IN_SCALAR) return {pos, "unexpected character in a scalar"};
  if (m == M::SINGLE_QUOTED_CHAR) return {pos, "invalid character in a single-quoted string"};
  if (m == M::FLOW_END) return {pos, "unexpected closing bracket"};
  if (m == M::BLOCK_ENTRY) return {pos, "unexpected '-' (a sequence item is not allowed here; check the indentation)"};
  if (m == M::MAP_KEY) return {pos, "unexpected '?' (a mapping key is not allowed here)"};
  if (m == M::UNKNOWN_TOKEN) return {pos, "unexpected character"};
  if (is_one_of(m, {M::INVALID_ESCAPE, M::INVALID_HEX, M::INVALID_UNICODE})) {
    return {pos, "invalid escape sequence in a double-quoted string"};
  }
  if (m == M::CHAR_IN_BLOCK) return {pos, "unexpected text after a block scalar indicator ('|' or '>')"};
  if (m == M::ZERO_INDENT_IN_BLOCK) return {pos, "block scalar indentation indicator must be 1 to 9"};
  if (is_one_of(m, {M::ALIAS_NOT_FOUND, M::ANCHOR_NOT_FOUND, M::CHAR_IN_ALIAS, M::CHAR_IN_ANCHOR, M::MULTIPLE_ANCHORS,
                    M::MULTIPLE_ALIASES, M::ALIAS_CONTENT, M::UNKNOWN_ANCHOR, M::INVALID_ANCHOR, M::INVALID_ALIAS})) {
    return {pos, kAnchorsMsg};
  }
  if (is_one_of(m, {M::MULTIPLE_TAGS, M::TAG_WITH_NO_SUFFIX, M::END_OF_VERBATIM_TAG, M::CHAR_IN_TAG_HANDLE,
                    M::INVALID_TAG})) {
    return {pos, kTagsMsg};
  }
  if (is_one_of(m, {M::YAML_DIRECTIVE_ARGS, M::YAML_VERSION, M::YAML_MAJOR_VERSION, M::REPEATED_YAML_DIRECTIVE,
                    M::TAG_DIRECTIVE_ARGS, M::REPEATED_TAG_DIRECTIVE})) {
    return {pos, "invalid %YAML or %TAG directive"};
  }
  return {pos, "invalid YAML syntax (" + m + ")"};
}

// True when the text holds nothing but blank lines, comments, directives and document markers.
bool only_comments_and_markers(const SourceMap& src) {
  for (uint32_t i = 0; i < src.norm_starts.size(); ++i) {
    std::string_view l = src.line(i);
    size_t first = l.find_first_not_of(" \t");
    if (first == std::string_view::npos || l[first] == '#' || l[0] == '%') continue;
    std::string_view rest = l.substr(first);
    if (first == 0 && (rest.substr(0, 3) == "---" || rest.substr(0, 3) == "...")) {
      size_t after = rest.find_first_not_of(" \t", 3);
      if (after == std::string_view::npos || (after > 3 && rest[after] == '#')) continue;
    }
    return false;
  }
  return true;
}

// Reports without letting an allocation failure escape read_yaml.
void report(Diagnostics& diags, std::string_view file, Pos pos, const char* message) noexcept {
  try {
    diags.error(file, pos, message);
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing left to report with
  }
}

}  // namespace

bool read_yaml(std::string_view file, std::string_view text, const YamlLimits& limits, Doc& out, Diagnostics& diags) {
  out.clear();
  const size_t errors_before = diags.error_count();
  SourceMap src;
  std::string normalised;
  std::optional<Builder> builder;

  // The one place where yaml-cpp's (and our own) exceptions are caught.
  try {
    if (text.size() > limits.max_bytes) {
      diags.error(file, Pos{}, "file too large (limit " + std::to_string(limits.max_bytes) + " bytes)");
      return false;
    }
    auto has_prefix = [&](std::string_view p) { return text.substr(0, p.size()) == p; };
    using namespace std::string_view_literals;
    if (has_prefix("\x00\x00\xFE\xFF"sv) || has_prefix("\xFF\xFE"sv) || has_prefix("\xFE\xFF"sv)) {
      diags.error(file, Pos{1, 1, 0}, "UTF-16/UTF-32 text is not supported: save the file as UTF-8");
      return false;
    }
    const size_t bom = has_prefix("\xEF\xBB\xBF"sv) ? 3 : 0;

    bool has_cr = false;
    std::vector<PrepassError> errors;
    prepass(text, bom, limits, src.file_starts, has_cr, errors);
    if (!errors.empty()) {
      std::stable_sort(errors.begin(), errors.end(),
                       [](const PrepassError& a, const PrepassError& b) { return a.offset < b.offset; });
      for (size_t i = 0; i < errors.size() && i < kMaxPrepassErrors; ++i) {
        const PrepassError& e = errors[i];
        diags.error(file, Pos{e.line0 + 1, e.col0 + 1, e.offset}, e.message);
      }
      return false;
    }

    if (bom == 0 && !has_cr) {
      src.norm = text;
    } else {
      normalised.reserve(text.size() - bom);
      for (size_t i = bom; i < text.size(); ++i) {
        if (text[i] != '\r') normalised += text[i];  // the pre-pass left only CRLF pairs
      }
      src.norm = normalised;
    }
    src.norm_starts.reserve(src.file_starts.size());
    src.norm_starts.push_back(0);
    for (size_t i = 0; i < src.norm.size(); ++i) {
      if (src.norm[i] == '\n') src.norm_starts.push_back(static_cast<uint32_t>(i + 1));
    }

    MemoryBuf buf(src.norm);
    std::istream in(&buf);
    YAML::Parser parser(in);
    builder.emplace(src, limits, out, diags, file);
    if (!parser.HandleNextDocument(*builder)) {
      diags.error(file, src.at(0), "empty YAML document");
      out.clear();
      return false;
    }
    parser.HandleNextDocument(*builder);  // throws Stop when a second document starts
    if (builder->complex_key()) diags.error(file, *builder->complex_key(), "mapping keys must be plain text");
    if (out.node(out.root()).is_null() && !builder->root_is_explicit_null()) {
      if (only_comments_and_markers(src)) {
        diags.error(file, src.at(0), "empty YAML document");
      } else {
        diags.error(file, src.at(builder->root_offset()), "invalid YAML syntax: expected a value");
      }
    }
  } catch (const Stop& stop) {
    report(diags, file, stop.pos, stop.message.c_str());
  } catch (const YAML::Exception& e) {
    try {
      if (builder) {
        auto [pos, message] = map_yaml_error(e, src, *builder);
        diags.error(file, pos, std::move(message));
      } else {
        report(diags, file, Pos{}, "invalid YAML syntax");
      }
    } catch (...) {
      report(diags, file, Pos{}, "invalid YAML syntax");
    }
  } catch (const std::bad_alloc&) {
    report(diags, file, Pos{}, "out of memory while reading YAML");
  } catch (const std::exception&) {
    report(diags, file, Pos{}, "internal error while reading YAML");
  } catch (...) {
    report(diags, file, Pos{}, "internal error while reading YAML");
  }
  if (diags.error_count() == errors_before) return true;
  out.clear();
  return false;
}

}  // namespace oligoscreen::detail
