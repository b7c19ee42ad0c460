// The C++ API (oligoscreen/oligoscreen.hpp): thin value types over the engine's assessment.
#include <utility>

#include "capi/capi_internal.hpp"
#include "json/json_writer.hpp"
#include "oligoscreen/oligoscreen.h"
#include "oligoscreen/oligoscreen.hpp"
#include "result/json_result.hpp"
#include "rules/schema.hpp"

namespace oligoscreen {

namespace d = detail;

struct RuleSet::Impl {
  std::shared_ptr<const d::RuleSetModel> model;
};

struct Assessment::Impl {
  bool ok = false;
  std::string id;
  std::vector<Verdict> verdicts;
  std::vector<Criterion> criteria;
  std::vector<MissingField> missing;
  std::vector<InputError> errors;
  Provenance provenance;
  std::string json;
};

Error::Error(int code, const std::string& message) : std::runtime_error(message), code_(code) {}
Error::~Error() = default;

std::string version() {
  return OLIGOSCREEN_VERSION_STRING;
}

namespace {

d::CaseOptions to_case_options(const AssessOptions& o) {
  d::CaseOptions c;
  c.explain = o.explain;
  c.what_if = o.what_if;
  c.strict = o.strict;
  return c;
}

RuleSetInfo info_of(const d::RuleSetModel& m) {
  return RuleSetInfo{m.manifest.id, m.manifest.version, m.sha256};
}

std::string value_text(const d::RuleSetModel& m, const d::Value& v) {
  if (v.kind == d::VKind::Unknown) return "unknown";
  if (v.kind == d::VKind::Bool) return v.b ? "true" : "false";
  std::string out;
  d::JsonWriter w(out, false);
  d::write_value_json(m, v, w);
  return out;
}

void fill_result(const d::RuleSetModel& m, const d::CaseResult& r, Assessment::Impl& a) {
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    const d::OutputResult& res = r.assessment.outputs[o];
    Verdict v;
    v.output = m.defs[m.output_defs[o]].id;
    v.key = m.outputs[o].key;
    v.code = m.schema.enums[m.outputs[o].enum_id].values[res.code];
    v.known = res.known;
    for (const auto& ro : res.reasons) {
      v.reasons.push_back(ro.def ? ro.def->code : "presumption_" + ro.presumption->id);
    }
    a.verdicts.push_back(std::move(v));
  }
  for (uint32_t i = 0; i < m.defs.size() && i < r.assessment.defs.size(); ++i) {
    const d::Def& def = m.defs[i];
    if (def.kind != d::DefKind::Criterion && def.kind != d::DefKind::Fact) continue;
    const d::DefResult& dr = r.assessment.defs[i];
    Criterion c;
    c.id = def.id;
    c.kind = def.kind == d::DefKind::Criterion ? "criterion" : "fact";
    c.group = def.group;
    c.title = def.title;
    c.result = value_text(m, dr.value);
    for (d::FieldRef f : dr.why) c.unknown_because.push_back(d::field_path(m.schema, f));
    a.criteria.push_back(std::move(c));
  }
  for (const auto& mf : r.assessment.missing) {
    MissingField f;
    f.path = d::field_path(m.schema, mf.ref);
    for (uint32_t o : mf.affects) f.affects.push_back(m.defs[m.output_defs[o]].id);
    a.missing.push_back(std::move(f));
  }
}

}  // namespace

// ---- RuleSet ----------------------------------------------------------------------------

RuleSet::RuleSet(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RuleSet::~RuleSet() = default;

std::shared_ptr<const RuleSet> RuleSet::default_rules() {
  std::string diagnostics;
  auto m = d::load_rules_for_api(nullptr, diagnostics);
  if (!m) throw Error(OLIGOSCREEN_E_RULES, diagnostics);
  return std::shared_ptr<const RuleSet>(new RuleSet(std::make_unique<Impl>(Impl{std::move(m)})));
}

std::shared_ptr<const RuleSet> RuleSet::load(const std::string& dir) {
  std::string diagnostics;
  auto m = d::load_rules_for_api(dir.c_str(), diagnostics);
  if (!m) throw Error(OLIGOSCREEN_E_RULES, diagnostics);
  return std::shared_ptr<const RuleSet>(new RuleSet(std::make_unique<Impl>(Impl{std::move(m)})));
}

RuleSetInfo RuleSet::info() const {
  return info_of(*impl_->model);
}

Assessment RuleSet::assess(std::string_view patient_json, const AssessOptions& options) const {
  const d::RuleSetModel& m = *impl_->model;
  auto impl = std::make_shared<Assessment::Impl>();
  auto r = std::make_unique<d::CaseResult>();
  d::CaseOptions copt = to_case_options(options);
  copt.explain = true;  // criteria() is always filled
  d::screen_case(m, "", patient_json, d::CaseFormat::Json, copt, *r);
  impl->ok = r->ok;
  impl->id = r->patient.has_id ? r->patient.id : std::string();
  if (r->ok) {
    fill_result(m, *r, *impl);
  } else {
    for (const auto& e : r->errors) {
      InputError ie;
      ie.kind = e.kind;
      ie.field = e.field;
      if (e.pos.valid() && e.pos.line != 0) {
        ie.line = e.pos.line;
        ie.column = e.pos.col;
      }
      if (e.has_offset) ie.offset = e.pos.offset;
      ie.message = e.message;
      impl->errors.push_back(std::move(ie));
    }
  }
  impl->provenance = Provenance{info_of(m), OLIGOSCREEN_VERSION_STRING};
  // The trace changes the JSON (it cites the criteria's evidence too): without `explain`, the
  // JSON comes from an assessment without it, as `screen` and the C API give it.
  if (options.explain) {
    d::case_json(m, *r, copt, false, "", impl->json);
  } else {
    d::screen_json(m, patient_json, to_case_options(options), *r, impl->json);
  }
  return Assessment(std::move(impl));
}

std::string RuleSet::assess_json(std::string_view patient_json, const AssessOptions& options) const {
  auto r = std::make_unique<d::CaseResult>();
  std::string out;
  d::screen_json(*impl_->model, patient_json, to_case_options(options), *r, out);
  return out;
}

std::string RuleSet::report(std::string_view patient_json, ReportFormat format, const AssessOptions& options) const {
  int f = format == ReportFormat::Markdown ? OLIGOSCREEN_FORMAT_MARKDOWN
          : format == ReportFormat::Html   ? OLIGOSCREEN_FORMAT_HTML
                                           : OLIGOSCREEN_FORMAT_TEXT;
  std::string out;
  d::report_json(*impl_->model, patient_json, f, to_case_options(options), out);
  return out;
}

// ---- Assessment -------------------------------------------------------------------------

Assessment::Assessment(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
Assessment::Assessment(const Assessment&) = default;
Assessment::Assessment(Assessment&&) noexcept = default;
Assessment& Assessment::operator=(const Assessment&) = default;
Assessment& Assessment::operator=(Assessment&&) noexcept = default;
Assessment::~Assessment() = default;

bool Assessment::ok() const noexcept {
  return impl_->ok;
}
const std::string& Assessment::id() const noexcept {
  return impl_->id;
}
const std::vector<Verdict>& Assessment::verdicts() const noexcept {
  return impl_->verdicts;
}
const Verdict* Assessment::verdict(std::string_view output) const noexcept {
  for (const auto& v : impl_->verdicts) {
    if (v.output == output) return &v;
  }
  return nullptr;
}
const std::vector<Criterion>& Assessment::criteria() const noexcept {
  return impl_->criteria;
}
const std::vector<MissingField>& Assessment::missing() const noexcept {
  return impl_->missing;
}
const std::vector<InputError>& Assessment::errors() const noexcept {
  return impl_->errors;
}
const Provenance& Assessment::provenance() const noexcept {
  return impl_->provenance;
}
const std::string& Assessment::json() const noexcept {
  return impl_->json;
}

}  // namespace oligoscreen
