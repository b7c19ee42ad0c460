// Strict YAML reader: hostile-input catalogue (reliability README §5, R1–R22) and the
// shape and positions of the Doc it builds.
#include "yaml/yaml_reader.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "core/doc.hpp"
#include "core/source.hpp"

namespace oligoscreen::detail {
namespace {

using namespace std::string_literals;

// A Doc must not move after being filled (its texts are views into its own strings).
struct Result {
  bool ok = false;
  std::string brief;
  double ms = 0;
  std::unique_ptr<Doc> doc = std::make_unique<Doc>();
};

Result Read(std::string_view text, const YamlLimits& limits = {}) {
  Result r;
  Diagnostics diags;
  auto start = std::chrono::steady_clock::now();
  r.ok = read_yaml("t.yaml", text, limits, *r.doc, diags);
  r.ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  r.brief = diags.render_brief();
  EXPECT_EQ(r.ok, !diags.has_errors());
  return r;
}

// Exact diagnostics text for an input that must be rejected.
std::string Errors(std::string_view text, const YamlLimits& limits = {}) {
  Result r = Read(text, limits);
  EXPECT_FALSE(r.ok) << text;
  EXPECT_TRUE(r.doc->empty());
  return r.brief;
}

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

std::string At(const Pos& p) {
  return std::to_string(p.line) + ":" + std::to_string(p.col) + "@" + std::to_string(p.offset);
}

// Generous bound for "fails cleanly, quickly" (never a benchmark; sanitizer builds are slow).
constexpr double kQuickMs = 2000;

// ------------------------------------------------------------------------------- R1

TEST(YamlReader, EmptyDocumentsAreRejectedAtOneOne) {
  const std::string expected = "t.yaml:1:1: error: empty YAML document\n";
  EXPECT_EQ(Errors(""), expected);
  EXPECT_EQ(Errors("\n\n  \n"), expected);
  EXPECT_EQ(Errors("# only\n# comments\n"), expected);
  EXPECT_EQ(Errors("---\n"), expected);
  EXPECT_EQ(Errors("--- # c\n...\n"), expected);
}

TEST(YamlReader, ExplicitNullDocumentIsNotEmpty) {
  Result r = Read("~\n");
  ASSERT_TRUE(r.ok) << r.brief;
  EXPECT_TRUE(r.doc->node(r.doc->root()).is_null());
}

// ------------------------------------------------------------------------------- R2

void ExpectDeepInputsFailFast() {
  // Unclosed brackets: yaml-cpp 0.7 turns each pending simple key into a mapping (the
  // outer '[' becomes a key of a block map, every inner '[' a compact map in its parent), so
  // the limit is reached at the 17th '[' (16 sequences + 16 compact maps + the block map).
  Result flow_seq = Read(Repeat("[", 10000));
  EXPECT_EQ(flow_seq.brief, "t.yaml:1:17: error: nesting too deep (limit 32)\n");
  EXPECT_LT(flow_seq.ms, kQuickMs);

  Result flow_map = Read(Repeat("{", 10000));
  EXPECT_EQ(flow_map.brief, "t.yaml:1:32: error: nesting too deep (limit 32)\n");
  EXPECT_LT(flow_map.ms, kQuickMs);

  // Closed brackets nest as written.
  Result closed = Read(Repeat("[", 5000) + Repeat("]", 5000));
  EXPECT_EQ(closed.brief, "t.yaml:1:33: error: nesting too deep (limit 32)\n");
  EXPECT_LT(closed.ms, kQuickMs);
  Result closed_map = Read(Repeat("{a: ", 3000) + "1" + Repeat("}", 3000));
  EXPECT_EQ(closed_map.brief, "t.yaml:1:129: error: nesting too deep (limit 32)\n");
  EXPECT_LT(closed_map.ms, kQuickMs);

  std::string block;
  for (int i = 0; i < 3000; ++i) block += std::string(static_cast<size_t>(i), ' ') + "-\n";
  YamlLimits roomy;  // 3,000 indented lines exceed the default size cap
  roomy.max_bytes = 64u << 20;
  Result block_seq = Read(block, roomy);
  EXPECT_EQ(block_seq.brief, "t.yaml:33:33: error: nesting too deep (limit 32)\n");
  EXPECT_LT(block_seq.ms, kQuickMs);

  Result compact = Read(Repeat("- ", 3000) + "x\n");
  EXPECT_EQ(compact.brief, "t.yaml:1:65: error: nesting too deep (limit 32)\n");
  EXPECT_LT(compact.ms, kQuickMs);

  std::string maps;
  for (int i = 0; i < 3000; ++i) maps += std::string(static_cast<size_t>(i), ' ') + "k:\n";
  EXPECT_EQ(Read(maps, roomy).brief, "t.yaml:33:33: error: nesting too deep (limit 32)\n");
}

TEST(YamlReader, DeepNestingFailsFast) {
  ExpectDeepInputsFailFast();
}

TEST(YamlReader, DeepNestingFailsOnA128KiBStackThread) {
  pthread_attr_t attr;
  ASSERT_EQ(pthread_attr_init(&attr), 0);
  ASSERT_EQ(pthread_attr_setstacksize(&attr, 128 * 1024), 0);
  pthread_t thread;
  auto body = [](void*) -> void* {
    ExpectDeepInputsFailFast();
    // A legal document at the depth limit must also fit.
    Result ok = Read(Repeat("[", 32) + Repeat("]", 32));
    EXPECT_TRUE(ok.ok) << ok.brief;
    return nullptr;
  };
  ASSERT_EQ(pthread_create(&thread, &attr, body, nullptr), 0);
  ASSERT_EQ(pthread_join(thread, nullptr), 0);
  pthread_attr_destroy(&attr);
}

TEST(YamlReader, DepthLimitIsConfigurableAndInclusive) {
  YamlLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(Read("a:\n  b:\n    c: 1\n", limits).ok);
  EXPECT_EQ(Errors("a:\n  b:\n    c:\n      d: 1\n", limits), "t.yaml:4:7: error: nesting too deep (limit 3)\n");
  EXPECT_EQ(Errors("[[[[1]]]]", limits), "t.yaml:1:4: error: nesting too deep (limit 3)\n");
}

// ------------------------------------------------------------------------------- R3, R4

TEST(YamlReader, AnchorsAndAliasesAreRejectedAtTheAnchor) {
  EXPECT_EQ(Errors("&a [*a]"), "t.yaml:1:1: error: anchors and aliases are not allowed\n");
  EXPECT_EQ(Errors("x: &a {k: *a}"), "t.yaml:1:4: error: anchors and aliases are not allowed\n");
  EXPECT_EQ(Errors("x: &a 1\n"), "t.yaml:1:4: error: anchors and aliases are not allowed\n");
  EXPECT_EQ(Errors("x: *a\n"), "t.yaml:1:4: error: anchors and aliases are not allowed\n");
}

TEST(YamlReader, BillionLaughsIsRejectedQuickly) {
  const std::string laughs =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
      "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
  Result r = Read(laughs);
  EXPECT_EQ(r.brief, "t.yaml:1:4: error: anchors and aliases are not allowed\n");
  EXPECT_LT(r.ms, kQuickMs);
}

// ------------------------------------------------------------------------------- R5

TEST(YamlReader, DuplicateKeysAreReportedAtTheSecondKey) {
  EXPECT_EQ(Errors("threshold: 5\nthreshold: 5\n"), "t.yaml:2:1: error: duplicate key 'threshold' (first at line 1)\n");
  EXPECT_EQ(Errors("eligible: false\neligible: true\n"),
            "t.yaml:2:1: error: duplicate key 'eligible' (first at line 1)\n");
  EXPECT_EQ(Errors("{a: 1, b: 2, a: 3}"), "t.yaml:1:14: error: duplicate key 'a' (first at line 1)\n");
  // Quoting does not make a different key; every duplicate is reported.
  EXPECT_EQ(Errors("a: 1\n'a': 2\nb:\n  x: 1\n  \"x\": 2\n"),
            "t.yaml:2:1: error: duplicate key 'a' (first at line 1)\n"
            "t.yaml:5:3: error: duplicate key 'x' (first at line 4)\n");
  // The same key in different mappings is fine.
  EXPECT_TRUE(Read("a: {k: 1}\nb: {k: 2}\n").ok);
}

TEST(YamlReader, DuplicateKeysInLargeMappings) {
  std::string text;
  for (int i = 0; i < 100; ++i) text += "key" + std::to_string(i) + ": " + std::to_string(i) + "\n";
  EXPECT_TRUE(Read(text).ok);
  text += "key42: again\n";
  EXPECT_EQ(Errors(text), "t.yaml:101:1: error: duplicate key 'key42' (first at line 43)\n");
}

// ------------------------------------------------------------------------------- R7, R8

TEST(YamlReader, ExactlyOneDocument) {
  EXPECT_EQ(Errors("a: 1\n---\nb: 2"), "t.yaml:2:1: error: exactly one YAML document expected\n");
  EXPECT_EQ(Errors("a: 1\n...\n---\nb: 2"), "t.yaml:3:1: error: exactly one YAML document expected\n");
  EXPECT_TRUE(Read("---\na: 1\n...\n").ok);
  EXPECT_TRUE(Read("%YAML 1.2\n---\na: 1\n").ok);
}

TEST(YamlReader, TrailingContentIsAnErrorAndFast) {
  const std::string trailing = ": unexpected text after the end of the document\n";
  Result r = Read("\"foo\",");
  EXPECT_EQ(r.brief, "t.yaml:1:6: error: exactly one YAML document expected" + trailing);
  EXPECT_LT(r.ms, kQuickMs);
  r = Read("\"a\" \"b\"");
  EXPECT_EQ(r.brief, "t.yaml:1:5: error: exactly one YAML document expected" + trailing);
  r = Read(",");
  EXPECT_EQ(r.brief, "t.yaml:1:1: error: exactly one YAML document expected" + trailing);
  EXPECT_LT(r.ms, kQuickMs);
  // falcosecurity/falco#3281 style: a list followed by a stray ','.
  r = Read("- a\n- b\n,");
  EXPECT_EQ(r.brief, "t.yaml:3:1: error: exactly one YAML document expected" + trailing);
  EXPECT_LT(r.ms, kQuickMs);
  r = Read("- rule: x\n  enabled: true\n,\n- rule: y\n");
  EXPECT_EQ(r.brief, "t.yaml:3:1: error: exactly one YAML document expected" + trailing);
  // Dedented junk after a sequence.
  EXPECT_EQ(Errors("- a\nb: 1\n"), "t.yaml:2:1: error: exactly one YAML document expected" + trailing);
}

// ------------------------------------------------------------------------------- R9

TEST(YamlReader, TabIndentationIsRejectedAtTheTab) {
  EXPECT_EQ(Errors("a:\n\tb: 1\n"), "t.yaml:2:1: error: tabs are not allowed for indentation\n");
  EXPECT_EQ(Errors("a:\n  \tb: 1\n"), "t.yaml:2:3: error: tabs are not allowed for indentation\n");
  // Like yaml-cpp in block context, tab-indented comments and blank lines are rejected too.
  EXPECT_EQ(Errors("a: 1\n\t# c\nb: 2\n"), "t.yaml:2:1: error: tabs are not allowed for indentation\n");
  EXPECT_EQ(Errors("a: 1\n \t\nb: 2\n"), "t.yaml:2:2: error: tabs are not allowed for indentation\n");
  EXPECT_EQ(Errors("a:\n\tb: 1\n\tc: 2\n"),
            "t.yaml:2:1: error: tabs are not allowed for indentation\n"
            "t.yaml:3:1: error: tabs are not allowed for indentation\n");
}

TEST(YamlReader, TabsOutsideIndentationAreFine) {
  Result r = Read("a: |\n  x\n  \ty\n\n  \t\nb:\t1\nc: \"t\tab\"  \t# comment\n");
  ASSERT_TRUE(r.ok) << r.brief;
  const Doc& d = *r.doc;
  EXPECT_EQ(d.node(d.find(1, "a")).text, "x\n\ty\n\n\t\n");
  EXPECT_EQ(d.node(d.find(1, "b")).text, "1");
  EXPECT_EQ(d.node(d.find(1, "c")).text, "t\tab");
}

// ------------------------------------------------------------------------------- R10

TEST(YamlReader, CrlfIsAcceptedWithFilePositions) {
  Result r = Read("a: 1\r\nb:\r\n  - x\r\n  - |\r\n    l1\r\n    l2\r\n");
  ASSERT_TRUE(r.ok) << r.brief;
  const Doc& d = *r.doc;
  uint32_t b = d.find(1, "b");
  ASSERT_TRUE(d.node(b).is_seq());
  std::vector<uint32_t> items = d.items(b);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(At(d.node(items[0]).pos), "3:5@14");
  EXPECT_EQ(d.node(items[1]).text, "l1\nl2\n");  // no CR in scalar text
  EXPECT_EQ(At(d.node(items[1]).pos), "5:5@28");
  // Mixed CRLF and LF.
  Result mixed = Read("a: 1\r\nb: 2\nc: 3\r\n");
  ASSERT_TRUE(mixed.ok) << mixed.brief;
  EXPECT_EQ(At(mixed.doc->node(mixed.doc->find(1, "c")).pos), "3:4@14");
  // Errors after CRLF lines keep file positions.
  EXPECT_EQ(Errors("a: 1\r\nb: [1\r\n"), "t.yaml:3:1: error: unclosed '[' at line 2, column 4 (expected ',' or ']')\n");
}

TEST(YamlReader, LoneCarriageReturnIsRejected) {
  EXPECT_EQ(Errors("a: 1\rb: 2\r"),
            "t.yaml:1:5: error: carriage return without line feed: use LF or CRLF line endings\n");
  EXPECT_EQ(Errors("a: 1\nb: 2\r"),
            "t.yaml:2:5: error: carriage return without line feed: use LF or CRLF line endings\n");
}

// ------------------------------------------------------------------------------- R11

TEST(YamlReader, InvalidUtf8IsRejectedAtTheByte) {
  const std::string bad = "error: invalid UTF-8 byte sequence\n";
  EXPECT_EQ(Errors("a: \xff\n"), "t.yaml:1:4: " + bad);
  EXPECT_EQ(Errors("a: \"\xc0\xaf\"\n"), "t.yaml:1:5: " + bad);        // overlong '/'
  EXPECT_EQ(Errors("a: x\nb: \xe0\x80\xaf\n"), "t.yaml:2:4: " + bad);  // overlong, 3 bytes
  EXPECT_EQ(Errors("a: \xed\xa0\x80\n"), "t.yaml:1:4: " + bad);        // surrogate U+D800
  EXPECT_EQ(Errors("a: \xf4\x90\x80\x80\n"), "t.yaml:1:4: " + bad);    // U+110000
  EXPECT_EQ(Errors("a: \xe2\x82"), "t.yaml:1:4: " + bad);              // truncated at end
  EXPECT_EQ(Errors("a: \xe2\x82x\n"), "t.yaml:1:4: " + bad);           // truncated mid-line
  EXPECT_EQ(Errors("a: \x80\n"), "t.yaml:1:4: " + bad);                // lone continuation
  // One error per line, every bad line reported.
  EXPECT_EQ(Errors("a: \xff\xff\nb: \xff\n"), "t.yaml:1:4: " + bad + "t.yaml:2:4: " + bad);
}

TEST(YamlReader, ValidUtf8IsAccepted) {
  Result r = Read("name: \"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"\n\xc3\xa9t\xc3\xa9: \xf4\x8f\xbf\xbf\n");
  ASSERT_TRUE(r.ok) << r.brief;
  EXPECT_EQ(r.doc->node(r.doc->find(1, "name")).text, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
  EXPECT_NE(r.doc->find(1, "\xc3\xa9t\xc3\xa9"), 0u);
}

TEST(YamlReader, NulAndControlBytesAreRejected) {
  EXPECT_EQ(Errors("a: b\0c\n"s), "t.yaml:1:5: error: NUL byte not allowed\n");
  EXPECT_EQ(Errors("a: b\x01\n"), "t.yaml:1:5: error: control character U+0001 not allowed\n");
  EXPECT_EQ(Errors("a: b\x7f\n"), "t.yaml:1:5: error: control character U+007F not allowed\n");
}

TEST(YamlReader, Utf16And32AreRejected) {
  const std::string msg = "t.yaml:1:1: error: UTF-16/UTF-32 text is not supported: save the file as UTF-8\n";
  EXPECT_EQ(Errors("\xff\xfe"
                   "a\0:\0 \0001\0"s),
            msg);
  EXPECT_EQ(Errors("\xfe\xff\0a"s), msg);
  EXPECT_EQ(Errors("\0\0\xfe\xff\0\0\0a"s), msg);
  EXPECT_EQ(Errors("\0a\0:"s), "t.yaml:1:1: error: NUL byte not allowed\n");  // BOM-less UTF-16
}

TEST(YamlReader, Utf8BomIsSkippedWithoutShiftingColumns) {
  Result r = Read(
      "\xEF\xBB\xBF"
      "a: 1\nb: x\n");
  ASSERT_TRUE(r.ok) << r.brief;
  const Doc& d = *r.doc;
  std::vector<Doc::Entry> e = d.entries(1);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(At(d.node(e[0].key).pos), "1:1@3");
  EXPECT_EQ(At(d.node(e[0].value).pos), "1:4@6");
  EXPECT_EQ(At(d.node(e[1].key).pos), "2:1@8");
  EXPECT_EQ(Errors("\xEF\xBB\xBF"
                   "a: \xff"),
            "t.yaml:1:4: error: invalid UTF-8 byte sequence\n");
  EXPECT_EQ(Errors("\xEF\xBB\xBF"
                   "a: 1\na: 2"),
            "t.yaml:2:1: error: duplicate key 'a' (first at line 1)\n");
  EXPECT_EQ(Errors("\xEF\xBB\xBF"), "t.yaml:1:1: error: empty YAML document\n");
}

// ------------------------------------------------------------------------------- R12

TEST(YamlReader, SizeLimits) {
  YamlLimits limits;
  limits.max_bytes = 100;
  EXPECT_EQ(Errors(std::string(101, 'a'), limits), "t.yaml: error: file too large (limit 100 bytes)\n");
  EXPECT_TRUE(Read("a: " + std::string(97, 'x'), limits).ok);

  limits = YamlLimits{};
  limits.max_scalar_bytes = 10;
  EXPECT_EQ(Errors("a: \"01234567890\"", limits), "t.yaml:1:4: error: scalar too long (limit 10 bytes)\n");
  EXPECT_TRUE(Read("a: \"0123456789\"", limits).ok);

  // A 1.1 MiB block scalar under the default limits (each line is short).
  std::string big = "a: |\n";
  for (int i = 0; i < 1100; ++i) big += "  " + std::string(1023, 'x') + "\n";
  Result r = Read(big);
  EXPECT_EQ(r.brief, "t.yaml:2:3: error: scalar too long (limit 1048576 bytes)\n");
  EXPECT_LT(r.ms, kQuickMs);

  // A 1 MB line.
  r = Read("a: " + std::string(1000000, 'x') + "\n");
  EXPECT_EQ(r.brief, "t.yaml:1:65537: error: line too long (limit 65536 bytes)\n");
  EXPECT_LT(r.ms, kQuickMs);

  limits = YamlLimits{};
  limits.max_nodes = 5;
  EXPECT_TRUE(Read("[1, 2, 3, 4]", limits).ok);
  EXPECT_EQ(Errors("[1, 2, 3, 4, 5]", limits), "t.yaml:1:14: error: too many nodes (limit 5)\n");
}

// ------------------------------------------------------------------------------- R22

TEST(YamlReader, TagsAreRejected) {
  EXPECT_EQ(Errors("a: !!binary YWJj\n"), "t.yaml:1:4: error: tags are not allowed\n");
  EXPECT_EQ(Errors("a: !custom x\n"), "t.yaml:1:4: error: tags are not allowed\n");
  EXPECT_EQ(Errors("a: !!python/object:os.system x\n"), "t.yaml:1:4: error: tags are not allowed\n");
  EXPECT_EQ(Errors("a: !!python/object/apply:os.system [ls]\n"), "t.yaml:1:4: error: tags are not allowed\n");
  EXPECT_EQ(Errors("a: ! x\n"), "t.yaml:1:4: error: tags are not allowed\n");
  EXPECT_EQ(Errors("a: !!str 5\nb: !!int 6\n"),
            "t.yaml:1:4: error: tags are not allowed\nt.yaml:2:4: error: tags are not allowed\n");
  EXPECT_EQ(Errors("!t\na: 1\n"), "t.yaml:1:1: error: tags are not allowed\n");
}

// ------------------------------------------------------------------------------- structure

TEST(YamlReader, RoundTripShapePositionsAndStyles) {
  const std::string text =
      "rules:\n"                  // 1
      "  - id: r1\n"              // 2
      "    threshold: 5\n"        // 3
      "    name: \"Rule one\"\n"  // 4
      "  - id: r2\n"              // 5
      "    tags: [a, 'b', ~]\n"   // 6
      "empty:\n"                  // 7
      "nothing: ~\n"              // 8
      "quoted_null: 'null'\n"     // 9
      "null: NULL\n"              // 10
      "list:\n"                   // 11
      "  -\n"                     // 12
      "  - x\n";                  // 13
  Result r = Read(text);
  ASSERT_TRUE(r.ok) << r.brief;
  const Doc& d = *r.doc;
  ASSERT_TRUE(d.node(1).is_map());
  EXPECT_EQ(d.node(1).count, 6u);
  EXPECT_EQ(At(d.node(1).pos), "1:1@0");

  std::vector<Doc::Entry> top = d.entries(1);
  ASSERT_EQ(top.size(), 6u);
  EXPECT_EQ(d.node(top[0].key).text, "rules");
  EXPECT_EQ(d.node(top[0].key).kind, DocKind::Scalar);
  EXPECT_EQ(d.node(top[0].key).style, ScalarStyle::Plain);
  EXPECT_EQ(top[0].key, 2u);  // document order: root, key, value...

  const DocNode& rules = d.node(top[0].value);
  ASSERT_TRUE(rules.is_seq());
  EXPECT_EQ(rules.count, 2u);
  EXPECT_EQ(At(rules.pos), "2:3@9");
  std::vector<uint32_t> items = d.items(top[0].value);
  ASSERT_EQ(items.size(), 2u);

  const DocNode& r1 = d.node(items[0]);
  ASSERT_TRUE(r1.is_map());
  EXPECT_EQ(r1.count, 3u);
  EXPECT_EQ(At(r1.pos), "2:5@11");
  uint32_t th = d.find(items[0], "threshold");
  EXPECT_EQ(d.node(th).text, "5");
  EXPECT_EQ(d.node(th).style, ScalarStyle::Plain);
  EXPECT_EQ(At(d.node(th).pos), "3:16@33");
  uint32_t name = d.find(items[0], "name");
  EXPECT_EQ(d.node(name).text, "Rule one");
  EXPECT_EQ(d.node(name).style, ScalarStyle::Quoted);
  EXPECT_EQ(At(d.node(name).pos), "4:11@45");  // at the opening quote

  uint32_t tags = d.find(items[1], "tags");
  std::vector<uint32_t> t = d.items(tags);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(d.node(t[0]).style, ScalarStyle::Plain);
  EXPECT_EQ(d.node(t[1]).style, ScalarStyle::Quoted);
  EXPECT_EQ(d.node(t[1]).text, "b");
  EXPECT_TRUE(d.node(t[2]).is_null());
  EXPECT_EQ(At(d.node(t[2]).pos), "6:20@86");

  // `empty:` is Null, positioned just after its ':'.
  const DocNode& empty = d.node(top[1].value);
  EXPECT_TRUE(empty.is_null());
  EXPECT_EQ(empty.text, "");
  EXPECT_EQ(At(empty.pos), "7:7@95");
  EXPECT_TRUE(d.node(top[2].value).is_null());
  EXPECT_EQ(At(d.node(top[2].value).pos), "8:10@105");
  const DocNode& qn = d.node(top[3].value);
  EXPECT_EQ(qn.kind, DocKind::Scalar);
  EXPECT_EQ(qn.style, ScalarStyle::Quoted);
  EXPECT_EQ(qn.text, "null");
  // A plain `null` key is text, a NULL value is Null.
  EXPECT_EQ(d.node(top[4].key).kind, DocKind::Scalar);
  EXPECT_EQ(d.node(top[4].key).text, "null");
  EXPECT_TRUE(d.node(top[4].value).is_null());

  std::vector<uint32_t> list = d.items(top[5].value);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(d.node(list[0]).is_null());
  EXPECT_EQ(At(d.node(list[0]).pos), "12:4@147");  // just after the '-'
  EXPECT_EQ(d.node(list[1]).text, "x");

  // Every node links forward in document order.
  for (uint32_t i = 1; i < d.size(); ++i) {
    if (d.node(i).next != 0) {
      EXPECT_GT(d.node(i).next, i);
    }
  }
}

TEST(YamlReader, QuotedPlainAndNullScalars) {
  Result r = Read("a: ~\nb: null\nc: Null\nd: NULL\ne: 'null'\nf: \"~\"\ng: nullx\nh: ''\ni:\n");
  ASSERT_TRUE(r.ok) << r.brief;
  const Doc& d = *r.doc;
  for (const char* k : {"a", "b", "c", "d", "i"}) EXPECT_TRUE(d.node(d.find(1, k)).is_null()) << k;
  for (const char* k : {"e", "f", "h"}) {
    EXPECT_EQ(d.node(d.find(1, k)).kind, DocKind::Scalar) << k;
    EXPECT_EQ(d.node(d.find(1, k)).style, ScalarStyle::Quoted) << k;
  }
  EXPECT_EQ(d.node(d.find(1, "g")).style, ScalarStyle::Plain);
  EXPECT_EQ(d.node(d.find(1, "g")).text, "nullx");
  EXPECT_EQ(d.node(d.find(1, "h")).text, "");
}

TEST(YamlReader, BlockScalarPositionsMapBackToTheFile) {
  const std::string text =
      "rule:\n"
      "  when: |\n"
      "    age >= 18 and\n"
      "      psa < 10\n"
      "  note: >-\n"
      "\n"
      "    folded\n"
      "    text\n"
      "  keep: |2\n"
      "      two\n";
  Result r = Read(text);
  ASSERT_TRUE(r.ok) << r.brief;
  const Doc& d = *r.doc;
  uint32_t rule = d.find(1, "rule");

  const DocNode& when = d.node(d.find(rule, "when"));
  EXPECT_EQ(when.style, ScalarStyle::Literal);
  EXPECT_EQ(when.text, "age >= 18 and\n  psa < 10\n");
  EXPECT_EQ(when.indent, 5u);
  EXPECT_EQ(At(when.pos), "3:5@20");
  size_t psa = when.text.find("psa");
  EXPECT_EQ(At(scalar_pos_at(when, when.text.substr(0, psa))).substr(0, 4), "4:7@");
  Pos p18 = scalar_pos_at(when, when.text.substr(0, when.text.find("18")));
  EXPECT_EQ(At(p18), "3:12@27");

  const DocNode& note = d.node(d.find(rule, "note"));
  EXPECT_EQ(note.style, ScalarStyle::Folded);
  EXPECT_EQ(note.text, "\nfolded text");
  EXPECT_EQ(note.indent, 5u);
  EXPECT_EQ(note.pos.line, 6u);  // the empty first line of the text
  EXPECT_EQ(scalar_pos_at(note, "\n").line, 7u);
  EXPECT_EQ(scalar_pos_at(note, "\nfol").col, 8u);

  const DocNode& keep = d.node(d.find(rule, "keep"));
  EXPECT_EQ(keep.text, "  two\n");
  EXPECT_EQ(keep.indent, 5u);
  EXPECT_EQ(scalar_pos_at(keep, "  ").col, 7u);
}

TEST(YamlReader, BlockScalarPositionsWithCrlfAndBom) {
  Result r = Read(
      "\xEF\xBB\xBF"
      "x: |\r\n  ab\r\n  cd\r\n");
  ASSERT_TRUE(r.ok) << r.brief;
  const DocNode& x = r.doc->node(r.doc->find(1, "x"));
  EXPECT_EQ(x.text, "ab\ncd\n");
  EXPECT_EQ(At(x.pos), "2:3@11");
  EXPECT_EQ(scalar_pos_at(x, "ab\nc").line, 3u);
  EXPECT_EQ(scalar_pos_at(x, "ab\nc").col, 4u);
}

TEST(YamlReader, KeysMustBePlainText) {
  EXPECT_EQ(Errors("? [a]\n: 1\n"), "t.yaml:1:3: error: mapping keys must be plain text\n");
  EXPECT_EQ(Errors("{[a]: 1}"), "t.yaml:1:2: error: mapping keys must be plain text\n");
  EXPECT_EQ(Errors("? {a: 1}\n: 1\n"), "t.yaml:1:3: error: mapping keys must be plain text\n");
  EXPECT_EQ(Errors(": x\n"), "t.yaml:1:1: error: mapping key is empty\n");
  Result quoted = Read("\"a b\": 1\n? c\n: 2\n");
  ASSERT_TRUE(quoted.ok) << quoted.brief;
  EXPECT_EQ(quoted.doc->node(quoted.doc->find(1, "a b")).text, "1");
  EXPECT_EQ(quoted.doc->node(quoted.doc->find(1, "c")).text, "2");
}

// ------------------------------------------------------------------------------- syntax errors

TEST(YamlReader, SyntaxErrorsUseOurWording) {
  EXPECT_EQ(Errors("a: 1\nb: \"abc\nc: 2\n"), "t.yaml:2:4: error: unterminated quoted string\n");
  EXPECT_EQ(Errors("a: 'it''s\n"), "t.yaml:1:4: error: unterminated quoted string\n");
  EXPECT_EQ(Errors("a: \"x\" # \"y\nb: it's \"z\"\nc: \"open\nd: 1\n"),
            "t.yaml:3:4: error: unterminated quoted string\n");
  EXPECT_EQ(Errors("a: \"x\\\"\n"), "t.yaml:1:4: error: unterminated quoted string\n");
  EXPECT_EQ(Errors("a: \"open"), "t.yaml:1:4: error: unterminated quoted string\n");  // yaml-cpp's EOF path
  EXPECT_EQ(Errors("b: [1, 2\nc: 3"), "t.yaml:2:2: error: unclosed '[' at line 1, column 4 (expected ',' or ']')\n");
  EXPECT_EQ(Errors("a: {x: 1\n"), "t.yaml:2:1: error: unclosed '{' at line 1, column 4 (expected ',' or '}')\n");
  EXPECT_EQ(Errors("a: b: c\n"),
            "t.yaml:1:5: error: unexpected ':' (check the indentation, or quote a value that contains ': ')\n");
  EXPECT_EQ(Errors("a: 1\n  b: 2\n"),
            "t.yaml:2:4: error: unexpected ':' (check the indentation, or quote a value that contains ': ')\n");
  EXPECT_EQ(Errors("a:\n  - b\n c: 1\n"), "t.yaml:3:2: error: unexpected text in a mapping (check the indentation)\n");
  EXPECT_EQ(Errors("[1, 2]]"), "t.yaml:1:7: error: unexpected closing bracket\n");
  EXPECT_EQ(Errors("a: \"\\q\"\n"), "t.yaml:1:7: error: invalid escape sequence in a double-quoted string\n");
  EXPECT_EQ(Errors("a: |x\n  b\n"), "t.yaml:1:5: error: unexpected text after a block scalar indicator ('|' or '>')\n");
}

TEST(YamlReader, InputsYamlCpp07AcceptsSilently) {
  // A last line without ':' became a key with a null value.
  EXPECT_EQ(Errors("a: 1\nb"), "t.yaml:2:1: error: missing ':' after mapping key\n");
  EXPECT_EQ(Errors("a: 1\n\"b\"\n"), "t.yaml:2:1: error: unexpected text in a mapping (check the indentation)\n");
  EXPECT_EQ(Errors("a: 1\nnull\n"), "t.yaml:2:1: error: missing ':' after mapping key\n");
  // A stray ',' made an extra null item.
  EXPECT_EQ(Errors("a: [x, , y]\n"), "t.yaml:1:8: error: empty item in a flow sequence: remove the extra ','\n");
  // Still fine: explicit keys without values, flow mappings with value-less keys, trailing commas.
  Result r = Read("? a\nb: {c, d: 1}\ne: [x, y, ]\n\"q\" : 1\n");
  ASSERT_TRUE(r.ok) << r.brief;
  const Doc& d = *r.doc;
  EXPECT_TRUE(d.node(d.find(1, "a")).is_null());
  EXPECT_TRUE(d.node(d.find(d.find(1, "b"), "c")).is_null());
  EXPECT_EQ(d.node(d.find(1, "e")).count, 2u);
  EXPECT_EQ(d.node(d.find(1, "q")).text, "1");
}

TEST(YamlReader, OldInfiniteLoopAndOomInputsFailFast) {
  for (std::string_view text : {"[:", "{:", "{# ke\ny{:", "[[:", "{!\xdb:", "!2", "- - ,\n,"}) {
    Result r = Read(text);
    EXPECT_LT(r.ms, kQuickMs) << text;
    EXPECT_EQ(r.ok, !r.brief.size()) << text;
  }
}

TEST(YamlReader, DocIsClearedAndReusable) {
  Doc doc;
  Diagnostics diags;
  ASSERT_TRUE(read_yaml("t.yaml", "a: [1, 2, 3]\nb: x\n", YamlLimits{}, doc, diags));
  uint32_t first_size = doc.size();
  ASSERT_TRUE(read_yaml("t.yaml", "c: 1\n", YamlLimits{}, doc, diags));
  EXPECT_LT(doc.size(), first_size);
  EXPECT_EQ(doc.node(doc.find(1, "c")).text, "1");
  EXPECT_EQ(doc.find(1, "a"), 0u);
  EXPECT_FALSE(read_yaml("t.yaml", "c: [\n", YamlLimits{}, doc, diags));
  EXPECT_TRUE(doc.empty());
  EXPECT_EQ(diags.error_count(), 1u);
}

}  // namespace
}  // namespace oligoscreen::detail
