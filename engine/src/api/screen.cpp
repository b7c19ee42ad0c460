#include "api/screen.hpp"

#include "json/json_reader.hpp"
#include "patient/patient_reader.hpp"
#include "result/json_result.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {

std::shared_ptr<RuleSetModel> load_embedded_rules(Diagnostics& diags) {
  MemoryRuleFiles files(embedded_rules_label(), embedded_rule_files());
  return load_rule_set(files, diags);
}

CaseFormat detect_case_format(std::string_view name, std::string_view text) {
  auto ends = [&](std::string_view suffix) {
    return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
  };
  if (ends(".json")) return CaseFormat::Json;
  if (ends(".yaml") || ends(".yml")) return CaseFormat::Yaml;
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
  return i < text.size() && text[i] == '{' ? CaseFormat::Json : CaseFormat::Yaml;
}

// Kind of a YAML reader diagnostic, in the terms of the result format.
static std::string yaml_error_kind(const std::string& msg) {
  if (msg.find("duplicate key") != std::string::npos) return "duplicate_key";
  if (msg.find("UTF-8") != std::string::npos || msg.find("NUL") != std::string::npos ||
      msg.find("UTF-16") != std::string::npos || msg.find("UTF-32") != std::string::npos ||
      msg.find("control character") != std::string::npos) {
    return "encoding";
  }
  if (msg.find("too large") != std::string::npos || msg.find("too deep") != std::string::npos ||
      msg.find("limit") != std::string::npos || msg.find("too long") != std::string::npos) {
    return "limit";
  }
  return "syntax";
}

void screen_doc(const RuleSetModel& m, std::string_view file, const Doc& doc, uint32_t node, bool json,
                const CaseOptions& opt, CaseResult& out) {
  (void)file;
  out.ok = false;
  out.errors.clear();
  const DocNode& root = doc.node(node);
  out.first_line = root.pos.valid() ? root.pos.line : 1;
  if (!root.is_map()) {
    InputError e;
    e.kind = "type";
    e.pos = root.pos;
    e.message = "a case must be a mapping of fields (key: value)";
    out.errors.push_back(std::move(e));
    return;
  }
  ReadOptions ro;
  ro.strict = opt.strict;
  ro.json = json;
  if (!read_patient(m.schema, doc, node, ro, out.patient, out.errors)) return;
  assess_read_patient(m, opt, out);
}

void assess_read_patient(const RuleSetModel& m, const CaseOptions& opt, CaseResult& out) {
  AssessOptions ao;
  ao.explain = opt.explain;
  ao.what_if = opt.what_if;
  assess(m, out.patient, ao, out.scratch, out.assessment);
  if (!out.assessment.contradictions.empty()) {
    out.errors = out.assessment.contradictions;
    return;
  }
  out.ok = true;
}

void screen_case(const RuleSetModel& m, std::string_view file, std::string_view text, CaseFormat format,
                 const CaseOptions& opt, CaseResult& out) {
  out.ok = false;
  out.errors.clear();
  out.first_line = 1;
  out.patient.reset(m.schema.fields.size());
  if (text.size() > opt.max_bytes) {
    InputError e;
    e.kind = "limit";
    e.message = "the case is too large (" + std::to_string(text.size()) + " bytes, limit " +
                std::to_string(opt.max_bytes) + ")";
    out.errors.push_back(std::move(e));
    return;
  }
  if (format == CaseFormat::Json) {
    JsonError err;
    JsonLimits limits;
    limits.max_bytes = opt.max_bytes;
    if (!read_json(text, limits, out.doc, err)) {
      InputError e;
      e.kind = err.kind;
      e.pos = err.pos;
      e.has_offset = err.kind == "encoding";
      e.message = err.message;
      out.errors.push_back(std::move(e));
      return;
    }
    screen_doc(m, file, out.doc, out.doc.root(), true, opt, out);
    return;
  }
  Diagnostics diags;
  YamlLimits limits;
  limits.max_bytes = opt.max_bytes;
  if (!read_yaml(file, text, limits, out.doc, diags)) {
    for (const auto& d : diags.items()) {
      if (d.severity != Severity::Error) continue;
      InputError e;
      e.kind = yaml_error_kind(d.message);
      e.pos = d.pos;
      e.has_offset = e.kind == "encoding";
      e.message = d.message;
      out.errors.push_back(std::move(e));
    }
    if (out.errors.empty()) {
      InputError e;
      e.kind = "syntax";
      e.message = "the case could not be read";
      out.errors.push_back(std::move(e));
    }
    return;
  }
  if (out.doc.empty()) {
    InputError e;
    e.kind = "syntax";
    e.pos = Pos{1, 1, 0};
    e.message = "empty case";
    out.errors.push_back(std::move(e));
    return;
  }
  screen_doc(m, file, out.doc, out.doc.root(), false, opt, out);
}

void case_json(const RuleSetModel& m, const CaseResult& r, const CaseOptions& opt, bool pretty, std::string_view source,
               std::string& out) {
  RenderOptions ro;
  ro.pretty = pretty;
  ro.explain = opt.explain;
  ro.what_if = opt.what_if;
  ro.source = std::string(source);
  if (r.ok) {
    render_result_json(m, r.patient, r.assessment, ro, out);
  } else {
    const std::string* id = r.patient.has_id ? &r.patient.id : nullptr;
    render_error_json(m, id, 1, r.first_line, r.errors, ro, out);
  }
}

}  // namespace oligoscreen::detail
