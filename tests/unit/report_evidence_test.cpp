// policy.md §5: every report lists, per site present, the evidence for SBRT there with its
// local control, survival, dose, toxicity, design and level, in every format.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "api/screen.hpp"
#include "result/report.hpp"

namespace oligoscreen::detail {
namespace {

constexpr const char* kSpineCase = R"(id: EV-1
age: 41
histology: malignant_peripheral_nerve_sheath_tumour
ecog: 1
life_expectancy_months: 24
primary: {diagnosed: 2021-02-01, controlled: true, treatment_completed: 2021-04-01}
history: {polymetastatic: false, oligometastatic: false}
metastases: {diagnosed: 2024-03-01}
systemic_therapy: {active: false}
imaging: [pet_ct]
lesions: [{site: spine, size_mm: 20, status: new, treatable: true}]
)";

std::string report(ReportFormat format) {
  Diagnostics d;
  auto m = load_embedded_rules(d);
  EXPECT_TRUE(m) << d.render();
  if (!m) return "";
  auto r = std::make_unique<CaseResult>();
  CaseOptions opt;
  opt.explain = true;
  screen_case(*m, "ev.yaml", kSpineCase, CaseFormat::Yaml, opt, *r);
  EXPECT_TRUE(r->ok);
  ReportOptions ro;
  ro.format = format;
  return render_report(*m, r->patient, r->assessment, ro);
}

TEST(ReportEvidence, TextTableHasDesignAndLevel) {
  const std::string text = report(ReportFormat::Text);
  const size_t at = text.find("Evidence at the sites present");
  ASSERT_NE(at, std::string::npos) << text;
  const size_t head_start = text.find('\n', at) + 1;
  const std::string head = text.substr(head_start, text.find('\n', head_start) - head_start);
  for (const char* col : {"study", "design", "level", "local control", "survival", "dose", "toxicity"}) {
    EXPECT_NE(head.find(col), std::string::npos) << col << " missing from: " << head;
  }
  EXPECT_LT(head.find("design"), head.find("level")) << head;
  // The spine study's row carries the start of its design ("Retrospective ...").
  const size_t row = text.find("folkert2014", head_start);
  ASSERT_NE(row, std::string::npos) << text;
  const std::string line = text.substr(row, text.find('\n', row) - row);
  EXPECT_NE(line.find("Retrospective"), std::string::npos) << line;
}

TEST(ReportEvidence, MarkdownAndHtmlTablesHaveDesignAndLevel) {
  EXPECT_NE(report(ReportFormat::Markdown).find("| study | design | level |"), std::string::npos);
  EXPECT_NE(report(ReportFormat::Html).find("<th>study</th><th>design</th><th>level</th>"), std::string::npos);
}

}  // namespace
}  // namespace oligoscreen::detail
