#include "result/result_fragments.hpp"

#include <charconv>
#include <initializer_list>
#include <string_view>

#include "json/json_writer.hpp"
#include "result/json_parts.hpp"
#include "result/json_result.hpp"

namespace oligoscreen::detail {

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p.data(), p.size());
  return out;
}

std::string body(std::string_view s) {
  std::string out;
  append_json_string_body(out, s);
  return out;
}

// ',' + the compact JSON of one reason.
std::string reason_item(const RuleSetModel& m, const ReasonOut& r) {
  std::string out(1, ',');
  JsonWriter w(out);
  write_reason_json(m, r, w);
  return out;
}

void build(const RuleSetModel& m, ResultFragments& f) {
  f.outputs.resize(m.outputs.size());
  std::string open_group;
  for (size_t o = 0; o < m.outputs.size(); ++o) {
    const OutputDef& od = m.outputs[o];
    ResultFragments::Output& fo = f.outputs[o];
    // ',', then '}' closing the previous output's group when this one is in another, then
    // '"group":{' when this one opens a group, then '"leaf":'.
    std::string lead;
    const size_t dot = od.key.find('.');
    const std::string group = dot == std::string::npos ? "" : od.key.substr(0, dot);
    const std::string leaf = dot == std::string::npos ? od.key : od.key.substr(dot + 1);
    if (group != open_group) {
      if (!open_group.empty()) lead += '}';
      if (!group.empty()) lead += cat({",", quoted(group), ":{"});
      open_group = group;
      // The first member of a newly opened group has no comma.
      lead += cat({group.empty() ? "," : "", quoted(leaf), ":"});
    } else {
      lead += cat({",", quoted(leaf), ":"});
    }
    const auto& codes = m.schema.enums[od.enum_id].values;
    const std::string& id = m.defs[m.output_defs[o]].id;
    fo.affects = cat({",", quoted(id)});
    for (const auto& code : codes) {
      fo.head.push_back(od.form == OutputForm::Code ? cat({lead, quoted(code)})
                                                    : cat({lead, "{\"verdict\":", quoted(code), ",\"reasons\":["}));
      fo.change.push_back(cat({",", quoted(id), ":", quoted(code)}));
    }
    for (const auto& rd : od.reasons)
      fo.reasons.push_back(reason_item(m, ReasonOut{static_cast<uint32_t>(o), &rd, nullptr}));
    for (const auto& nd : od.notes)
      fo.notes.push_back(reason_item(m, ReasonOut{static_cast<uint32_t>(o), &nd, nullptr}));
  }
  f.after_outputs = open_group.empty() ? ",\"missing\":[" : "},\"missing\":[";
  f.after_outputs_empty = f.after_outputs + "],\"warnings\":[]";
  f.after_outputs_to_evidence = f.after_outputs_empty + ",\"evidence\":{";

  for (const EvidenceDef& e : m.evidence) {
    f.evidence_ids.push_back(cat({",", quoted(e.id)}));
    std::string member = cat({",", quoted(e.id), ":"});
    JsonWriter w(member);
    write_evidence_entry_json(e, w);
    f.evidence_members.push_back(std::move(member));
  }
  for (const std::string& member : f.evidence_members) {
    f.members_at.push_back(f.members_joined.size());
    f.members_joined += member;
  }
  f.members_at.push_back(f.members_joined.size());
  f.presumptions.resize(m.defs.size());
  for (size_t d = 0; d < m.defs.size(); ++d) {
    if (!m.defs[d].presumes.empty()) f.presumptions[d] = reason_item(m, ReasonOut{0, nullptr, &m.defs[d]});
  }
  for (const FieldDef& fd : m.schema.fields) {
    f.fields.push_back(body(fd.path));
    auto& subs = f.subfields.emplace_back();
    for (const FieldDef& sub : fd.fields) subs.push_back(cat({".", body(sub.path)}));
  }
  {
    JsonWriter w(f.provenance);
    w.resume_object();
    write_provenance_json(m, w);
    w.end_object();
  }
  {
    JsonWriter w(f.tail);
    w.resume_object();
    w.key("notice").string(kDecisionSupportNotice);
    write_provenance_json(m, w);
    w.end_object();
  }
  f.evidence_close = '}' + f.tail;
}

}  // namespace

const ResultFragments& result_fragments(const RuleSetModel& m) {
  thread_local ResultFragments f;
  if (f.model == &m && f.sha256 == m.sha256) return f;
  f = ResultFragments{};
  build(m, f);
  f.model = &m;
  f.sha256 = m.sha256;
  return f;
}

ResultFragments make_result_fragments(const RuleSetModel& m) {
  ResultFragments f;
  build(m, f);
  f.model = &m;
  f.sha256 = m.sha256;
  return f;
}

const std::string* reason_fragment(const RuleSetModel& m, const ResultFragments& f, const ReasonOut& r) {
  if (r.def) {
    if (r.output >= m.outputs.size()) return nullptr;
    const auto& od = m.outputs[r.output];
    if (!od.reasons.empty() && r.def >= od.reasons.data() && r.def < od.reasons.data() + od.reasons.size()) {
      return &f.outputs[r.output].reasons[static_cast<size_t>(r.def - od.reasons.data())];
    }
    if (!od.notes.empty() && r.def >= od.notes.data() && r.def < od.notes.data() + od.notes.size()) {
      return &f.outputs[r.output].notes[static_cast<size_t>(r.def - od.notes.data())];
    }
    return nullptr;
  }
  if (r.presumption && !m.defs.empty() && r.presumption >= m.defs.data() &&
      r.presumption < m.defs.data() + m.defs.size()) {
    const std::string& s = f.presumptions[static_cast<size_t>(r.presumption - m.defs.data())];
    return s.empty() ? nullptr : &s;
  }
  return nullptr;
}

void append_field_path_json(const ResultFragments& f, FieldRef ref, std::string& out) {
  const uint32_t slot = ref_slot(ref);
  if (slot >= f.fields.size()) {
    out += '?';
    return;
  }
  out += f.fields[slot];
  if (const uint32_t elem1 = ref_elem1(ref); elem1 != 0) {
    char buf[16];
    buf[0] = '[';
    char* end = std::to_chars(buf + 1, buf + sizeof buf - 1, elem1 - 1).ptr;
    *end++ = ']';
    out.append(buf, static_cast<size_t>(end - buf));
  }
  if (const uint32_t sub1 = ref_sub1(ref); sub1 != 0) {
    const auto& subs = f.subfields[slot];
    if (sub1 - 1 < subs.size()) {
      out += subs[sub1 - 1];
    } else {
      out.append(".?", 2);
    }
  }
}

}  // namespace oligoscreen::detail
