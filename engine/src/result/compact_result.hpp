// Compact results for a caller that renders many (the batch worker): the rule set's fragments
// looked up once rather than per result.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "assess/assessment.hpp"
#include "patient/patient.hpp"
#include "result/json_result.hpp"
#include "result/result_fragments.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// render_result_compact with `f` = result_fragments(m) of the calling thread: the same bytes.
void render_result_compact_with(const RuleSetModel& m, const ResultFragments& f, const Patient& p, const Assessment& a,
                                const RenderOptions& opt, std::string& out);

// Constant bytes that belong at byte `at` of a rendered buffer, before the byte there: a
// stretch of fragments, which must outlive every use of the splice.
struct OutSplice {
  size_t at = 0;
  const char* p = nullptr;
  size_t n = 0;
};

// Stretches of fragments of at least this many bytes become splices.
inline constexpr size_t kMinSplice = 256;

// render_result_compact_with, except that the runs of evidence members and the closing
// fragment that are at least kMinSplice bytes long are appended to `splices` (pointing into
// `f`) instead of being copied into `out`: `out` with every splice inserted at its `at`, in the
// order of `splices`, holds the same bytes. Splices already in the list must have `at` <=
// out.size().
void render_result_compact_spliced(const RuleSetModel& m, const ResultFragments& f, const Patient& p,
                                   const Assessment& a, const RenderOptions& opt, std::string& out,
                                   std::vector<OutSplice>& splices);

// `out` with `splices` inserted, in order, as a list of pieces (empty pieces left out).
void spliced_pieces(std::string_view out, const std::vector<OutSplice>& splices, std::vector<std::string_view>& pieces);

}  // namespace oligoscreen::detail
