#include <new>
#include <string>

#include "capi/capi_internal.hpp"
#include "core/log.hpp"
#include "oligoscreen/oligoscreen.h"
#include "result/report.hpp"
#include "rules/loader.hpp"

namespace oligoscreen::detail {

std::atomic<void (*)()> g_api_fault_hook{nullptr};

CaseOptions case_options(unsigned flags) {
  CaseOptions o;
  o.explain = (flags & OLIGOSCREEN_EXPLAIN) != 0;
  o.what_if = (flags & OLIGOSCREEN_NO_WHAT_IF) == 0;
  o.strict = (flags & OLIGOSCREEN_STRICT) != 0;
  return o;
}

bool screen_json(const RuleSetModel& m, std::string_view json, const CaseOptions& opt, CaseResult& scratch,
                 std::string& out) {
  screen_case(m, "", json, CaseFormat::Json, opt, scratch);
  out.clear();
  case_json(m, scratch, opt, false, "", out);
  if (!scratch.ok && !scratch.errors.empty()) {
    const InputError& e = scratch.errors.front();
    if (log_enabled(LogLevel::Info)) log(LogLevel::Info, "patient not assessed: input error of kind " + e.kind);
    if (log_enabled(LogLevel::Debug)) log_patient(LogLevel::Debug, "patient input error: " + e.message);
  }
  return scratch.ok;
}

bool report_json(const RuleSetModel& m, std::string_view json, int format, const CaseOptions& opt, std::string& out) {
  CaseOptions sopt = opt;
  sopt.explain = true;  // the report shows paths and checklists (as `screen` does)
  auto r = std::make_unique<CaseResult>();
  screen_case(m, "", json, CaseFormat::Json, sopt, *r);
  ReportOptions ro;
  ro.format = format == OLIGOSCREEN_FORMAT_MARKDOWN ? ReportFormat::Markdown
              : format == OLIGOSCREEN_FORMAT_HTML   ? ReportFormat::Html
                                                    : ReportFormat::Text;
  ro.explain = opt.explain;
  ro.case_file = "<patient>";
  out = r->ok ? render_report(m, r->patient, r->assessment, ro) : render_error_report(m, ro.case_file, r->errors, ro);
  return r->ok;
}

std::shared_ptr<const RuleSetModel> load_rules_for_api(const char* dir, std::string& diagnostics) {
  Diagnostics diags;
  std::shared_ptr<RuleSetModel> m;
  if (dir == nullptr) {
    m = load_embedded_rules(diags);
  } else {
    DirRuleFiles files(dir);
    m = load_rule_set(files, diags);
  }
  if (!m) {
    // The YAML reader reports memory exhaustion as a diagnostic; to the host it is the
    // out-of-memory code, not a mistake in the rule files.
    for (const auto& d : diags.items()) {
      if (d.message.find("out of memory") != std::string::npos) throw std::bad_alloc();
    }
    diagnostics = diags.render();
    if (diagnostics.empty()) diagnostics = "the rule set did not load\n";
    log(LogLevel::Error, "rule set not loaded: " + std::to_string(diags.error_count()) + " error(s)");
    return nullptr;
  }
  if (diags.warning_count() > 0) {
    log(LogLevel::Warn, "rule set " + m->manifest.id + " " + m->manifest.version + " loaded with " +
                            std::to_string(diags.warning_count()) + " warning(s)");
  }
  log(LogLevel::Info, "rule set " + m->manifest.id + " " + m->manifest.version + " loaded (sha256 " + m->sha256 + ")");
  return m;
}

}  // namespace oligoscreen::detail
