#include "cds/card.hpp"

#include <array>

#include "core/sha256.hpp"
#include "json/json_writer.hpp"
#include "result/report.hpp"

namespace oligoscreen::detail {

namespace {

constexpr size_t kSummaryMax = 139;  // the specification: "less than 140 characters"

// Index of the output with this id, or -1.
int output_index(const RuleSetModel& m, std::string_view id) {
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    if (m.defs[m.output_defs[o]].id == id) return static_cast<int>(o);
  }
  return -1;
}

std::string code_of(const RuleSetModel& m, const Assessment& a, int o) {
  if (o < 0) return {};
  return m.schema.enums[m.outputs[o].enum_id].values[a.outputs[o].code];
}

void write_source(const RuleSetModel& m, JsonWriter& w, std::string_view topic_code, std::string_view topic_display) {
  w.key("source").begin_object();
  w.key("label").string("oligoscreen " + m.manifest.id + " " + m.manifest.version);
  w.key("topic").begin_object();
  w.key("system").string(kCardTopicSystem);
  w.key("code").string(topic_code);
  w.key("display").string(topic_display);
  w.end_object();
  w.end_object();
}

}  // namespace

std::string cut_chars(std::string_view s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) ++chars;
  }
  if (chars <= max_chars) return std::string(s);
  // Keep max_chars - 1 code points, then the ellipsis.
  size_t kept = 0, i = 0;
  for (; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (kept == max_chars - 1) break;
      ++kept;
    }
  }
  return std::string(s.substr(0, i)) + "\xE2\x80\xA6";
}

std::string hash_uuid(std::string_view name) {
  Sha256 h;
  h.update(name);
  auto d = h.finish();
  d[6] = static_cast<uint8_t>((d[6] & 0x0F) | 0x80);  // version 8
  d[8] = static_cast<uint8_t>((d[8] & 0x3F) | 0x80);  // RFC 9562 variant
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[d[i] >> 4];
    out += kHex[d[i] & 0xF];
  }
  return out;
}

void write_result_card(const RuleSetModel& m, const CaseResult& r, std::string_view hook_instance,
                       std::string_view result_json, JsonWriter& w) {
  std::string name;
  name.append(hook_instance).append("\n").append(m.manifest.id).append("\n").append(result_json);
  ReportOptions ro;
  ro.format = ReportFormat::Markdown;
  ro.case_file = "FHIR prefetch";
  w.begin_object();
  w.key("uuid").string(hash_uuid(name));
  if (!r.ok) {
    std::string summary = "oligoscreen could not screen this patient: " + std::to_string(r.errors.size()) +
                          " data error" + (r.errors.size() == 1 ? "" : "s");
    w.key("summary").string(cut_chars(summary, kSummaryMax));
    w.key("indicator").string("warning");
    w.key("detail").string(render_error_report(m, "FHIR prefetch", r.errors, ro));
    write_source(m, w, "sbrt-screen", "SBRT screen for oligometastatic sarcoma");
    w.end_object();
    return;
  }
  const Assessment& a = r.assessment;
  int sbrt = output_index(m, "sbrt");
  int state = output_index(m, "state");
  int omd = output_index(m, "omd_definition");
  std::string summary;
  if (sbrt >= 0 && state >= 0) {
    summary = "SBRT " + humanize(code_of(m, a, sbrt)) + " \xE2\x80\x94 " + humanize(code_of(m, a, state));
    if (omd >= 0) summary += "; OMD definition " + humanize(code_of(m, a, omd));
  } else {
    for (size_t o = 0; o < m.outputs.size(); ++o) {
      summary += (o ? "; " : "") + m.defs[m.output_defs[o]].id + " " + humanize(code_of(m, a, static_cast<int>(o)));
    }
  }
  if (!a.missing.empty()) {
    summary += " (" + std::to_string(a.missing.size()) + " missing item" + (a.missing.size() == 1 ? "" : "s") + ")";
  }
  bool decided = sbrt >= 0 && a.outputs[sbrt].known && code_of(m, a, sbrt) != "indeterminate";
  w.key("summary").string(cut_chars(summary, kSummaryMax));
  w.key("indicator").string(decided && a.warnings.empty() ? "info" : "warning");
  ro.explain = false;
  w.key("detail").string(render_report(m, r.patient, a, ro));
  write_source(m, w, "sbrt-screen", "SBRT screen for oligometastatic sarcoma");
  bool any_link = false;
  for (uint32_t e : a.cited) {
    if (!m.evidence[e].doi.empty()) any_link = true;
  }
  if (any_link) {
    w.key("links").begin_array();
    for (uint32_t e : a.cited) {
      const EvidenceDef& ev = m.evidence[e];
      if (ev.doi.empty()) continue;
      w.begin_object();
      w.key("label").string(cut_chars(ev.id + ": " + ev.citation, 200));
      w.key("url").string("https://doi.org/" + ev.doi);
      w.key("type").string("absolute");
      w.end_object();
    }
    w.end_array();
  }
  w.end_object();
}

void write_data_needed_card(const RuleSetModel& m, std::string_view hook_instance, std::string_view why,
                            JsonWriter& w) {
  std::string name;
  name.append(hook_instance).append("\n").append(m.manifest.id).append("\ndata-needed\n").append(why);
  w.begin_object();
  w.key("uuid").string(hash_uuid(name));
  w.key("summary").string("oligoscreen needs FHIR data to screen this patient for SBRT");
  w.key("indicator").string("info");
  std::string d;
  d += "**No screen was made.** ";
  d += why;
  d += "\n\nThe service reads only what the EHR sends as prefetch (it does not query the FHIR server). It needs, "
       "for the patient in context:\n\n"
       "- `patient`: the Patient (age, sex)\n"
       "- `conditions`: the primary cancer Condition (histology, onset, clinical status) and one secondary cancer "
       "Condition per metastatic lesion (body site, onset)\n"
       "- `observations`: ECOG (LOINC 89247-1), tumour size (LOINC 21889-1), lesion status, life expectancy, "
       "earlier oligometastatic or polymetastatic disease\n"
       "- `medicationRequests`, `medicationAdministrations`, `medicationStatements`: systemic therapy around the "
       "metastasis diagnosis\n"
       "- `procedures`, `imagingStudies`: the staging imaging\n\n"
       "Field-by-field mapping: docs/fhir-mapping.md. Decision support for a multidisciplinary tumour board, not "
       "an order.\n";
  w.key("detail").string(d);
  write_source(m, w, "data-needed", "Data needed for the SBRT screen");
  w.end_object();
}

}  // namespace oligoscreen::detail
