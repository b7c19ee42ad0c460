// The rule set's SHA-256 content hash: it follows every value (a number, a text, a list item,
// an evidence flag, a parameter, an expression) and ignores presentation (comments, key order,
// indentation, flow or block style, quoting of plain text). Edits are textual, on in-memory
// copies of the embedded rule files.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "api/screen.hpp"
#include "rules/loader.hpp"

namespace oligoscreen::detail {
namespace {

using Files = std::vector<std::pair<std::string, std::string>>;

std::string hash_of(const Files& files) {
  MemoryRuleFiles mem("rules/sarcoma-sbrt", files);
  Diagnostics d;
  auto m = load_rule_set(mem, d);
  EXPECT_TRUE(m) << d.render();
  return m ? m->sha256 : std::string();
}

// A copy of the embedded files with `from` replaced by `to` (exactly once) in `file`.
Files edited(const std::string& file, const std::string& from, const std::string& to) {
  Files files = embedded_rule_files();
  bool found = false;
  for (auto& [name, text] : files) {
    if (name != file) continue;
    size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << file << ": no '" << from << "'";
    EXPECT_EQ(text.find(from, at + 1), std::string::npos) << file << ": '" << from << "' is not unique";
    if (at != std::string::npos) text.replace(at, from.size(), to);
    found = true;
  }
  EXPECT_TRUE(found) << "no file " << file;
  return files;
}

const std::string& original() {
  static const std::string h = hash_of(embedded_rule_files());
  return h;
}

struct Edit {
  const char* name;
  const char* file;
  const char* from;
  const char* to;
};

class HashChanges : public ::testing::TestWithParam<Edit> {};

TEST_P(HashChanges, WhenAValueChanges) {
  const Edit& e = GetParam();
  std::string h = hash_of(edited(e.file, e.from, e.to));
  ASSERT_EQ(h.size(), 64U);
  EXPECT_NE(h, original()) << e.name;
}

INSTANTIATE_TEST_SUITE_P(
    Values, HashChanges,
    ::testing::Values(
        Edit{"parameter_number", "parameters.yaml", "  synchronous_window_months:\n    value: 6\n",
             "  synchronous_window_months:\n    value: 7\n"},
        Edit{"parameter_number_same_value_other_spelling", "parameters.yaml",
             "  synchronous_window_months:\n    value: 6\n", "  synchronous_window_months:\n    value: 6.0\n"},
        Edit{"parameter_list_item", "parameters.yaml", "value: [chondrosarcoma, osteosarcoma, chordoma]",
             "value: [chondrosarcoma, chordoma, osteosarcoma]"},
        Edit{"parameter_unit", "parameters.yaml", "  synchronous_window_months:\n    value: 6\n    unit: months\n",
             "  synchronous_window_months:\n    value: 6\n    unit: month\n"},
        Edit{"text", "facts.yaml",
             "title: Number of metastatic lesions or disease patterns (diffuse patterns included)",
             "title: Number of metastatic lesions or disease patterns (diffuse patterns counted)"},
        Edit{"expression", "facts.yaml", "    expr: count(lesions)\n", "    expr: count(lesions) + 0\n"},
        Edit{"evidence_flag", "evidence.yaml", "    verified: true\n    note: >-\n      Abstract verified. The exact",
             "    verified: false\n    note: >-\n      Abstract verified. The exact"},
        Edit{"evidence_list_item", "facts.yaml", "    expr: count(lesions)\n    evidence: [lievens2020]\n",
             "    expr: count(lesions)\n    evidence: [guckenberger2020]\n"},
        Edit{"parameter_description", "parameters.yaml", "Metastases diagnosed on or before the primary's diagnosis",
             "Metastases diagnosed on or before the primary tumour's diagnosis"}));

class HashKeeps : public ::testing::TestWithParam<Edit> {};

TEST_P(HashKeeps, WhenOnlyThePresentationChanges) {
  const Edit& e = GetParam();
  EXPECT_EQ(hash_of(edited(e.file, e.from, e.to)), original()) << e.name;
}

INSTANTIATE_TEST_SUITE_P(
    Presentation, HashKeeps,
    ::testing::Values(
        Edit{"comment_line", "facts.yaml", "facts:\n", "# a new comment\nfacts:\n"},
        Edit{"trailing_comment", "facts.yaml", "    expr: count(lesions)\n", "    expr: count(lesions)   # counted\n"},
        Edit{"key_order", "facts.yaml",
             "    title: Number of metastatic lesions or disease patterns (diffuse patterns included)\n"
             "    expr: count(lesions)\n    evidence: [lievens2020]\n",
             "    evidence: [lievens2020]\n    expr: count(lesions)\n"
             "    title: Number of metastatic lesions or disease patterns (diffuse patterns included)\n"},
        Edit{
            "indentation", "facts.yaml",
            "  lesion_count:\n    title: Number of metastatic lesions or disease patterns (diffuse patterns included)\n"
            "    expr: count(lesions)\n    evidence: [lievens2020]\n",
            "  lesion_count:\n        title: Number of metastatic lesions or disease patterns (diffuse patterns "
            "included)\n"
            "        expr: count(lesions)\n        evidence: [lievens2020]\n"},
        Edit{"whitespace_in_flow", "parameters.yaml", "value: [chondrosarcoma, osteosarcoma, chordoma]",
             "value: [ chondrosarcoma,osteosarcoma ,   chordoma ]"},
        Edit{"flow_to_block_sequence", "parameters.yaml", "    value: [chondrosarcoma, osteosarcoma, chordoma]\n",
             "    value:\n      - chondrosarcoma\n      - osteosarcoma\n      - chordoma\n"},
        Edit{
            "block_to_flow_mapping", "facts.yaml",
            "  lesion_count:\n    title: Number of metastatic lesions or disease patterns (diffuse patterns included)\n"
            "    expr: count(lesions)\n    evidence: [lievens2020]\n",
            "  lesion_count: {title: Number of metastatic lesions or disease patterns (diffuse patterns included),\n"
            "                 expr: count(lesions), evidence: [lievens2020]}\n"},
        Edit{"double_quoted_text", "facts.yaml",
             "title: Number of metastatic lesions or disease patterns (diffuse patterns included)",
             "title: \"Number of metastatic lesions or disease patterns (diffuse patterns included)\""},
        Edit{"single_quoted_text", "facts.yaml",
             "title: Number of metastatic lesions or disease patterns (diffuse patterns included)",
             "title: 'Number of metastatic lesions or disease patterns (diffuse patterns included)'"},
        Edit{"blank_lines", "facts.yaml", "facts:\n", "\n\nfacts:\n\n"},
        Edit{"crlf_free_trailing_spaces", "facts.yaml", "    expr: count(lesions)\n",
             "    expr: count(lesions)    \n"}));

TEST(Hash, IsStableAcrossLoads) {
  EXPECT_EQ(hash_of(embedded_rule_files()), original());
  EXPECT_EQ(original().size(), 64U);
}

}  // namespace
}  // namespace oligoscreen::detail
