#include "result/json_result.hpp"

#include "core/date.hpp"
#include "json/json_writer.hpp"
#include "oligoscreen/version.hpp"
#include "result/json_parts.hpp"

namespace oligoscreen::detail {

const char* const kDecisionSupportNotice =
    "Decision support for a multidisciplinary tumour board: it supports, and does not replace, the board's "
    "judgement.";

void write_value_json(const RuleSetModel& m, const Value& v, JsonWriter& w) {
  switch (v.kind) {
    case VKind::Unknown: w.null(); break;
    case VKind::Bool: w.boolean(v.b); break;
    case VKind::Number: w.number(v.num); break;
    case VKind::Text: w.string(v.str()); break;
    case VKind::Date: w.string(format_date(DateRange{v.date.lo, v.date.hi})); break;
    case VKind::Enum: w.string(m.schema.enums[v.enum_id].values[v.e]); break;
    case VKind::List:
      w.begin_array();
      for (uint32_t i = 0; i < v.list.count; ++i) write_value_json(m, v.list.items[i], w);
      w.end_array();
      break;
    case VKind::Record: w.string("(record)"); break;
  }
}

void write_provenance_json(const RuleSetModel& m, JsonWriter& w) {
  w.key("provenance").begin_object();
  w.key("ruleset").begin_object();
  w.key("id").string(m.manifest.id);
  w.key("version").string(m.manifest.version);
  w.key("sha256").string(m.sha256);
  w.end_object();
  w.key("engine").begin_object();
  w.key("version").string(OLIGOSCREEN_VERSION_STRING);
  w.end_object();
  w.end_object();
}

namespace {

void evidence_ids(const RuleSetModel& m, const std::vector<uint32_t>& ids, JsonWriter& w) {
  w.begin_array();
  for (uint32_t e : ids) w.string(m.evidence[e].id);
  w.end_array();
}

}  // namespace

void write_reason_json(const RuleSetModel& m, const ReasonOut& r, JsonWriter& w) {
  w.begin_object();
  if (r.def) {
    w.key("code").string(r.def->code);
    w.key("text").string(r.def->text);
    w.key("evidence");
    evidence_ids(m, r.def->evidence, w);
  } else {
    w.key("code").string("presumption_" + r.presumption->id);
    w.key("text").string(r.presumption->presumption);
    w.key("evidence");
    evidence_ids(m, r.presumption->evidence, w);
  }
  w.end_object();
}

void write_evidence_entry_json(const EvidenceDef& e, JsonWriter& w) {
  w.begin_object();
  w.key("citation").string(e.citation);
  if (!e.doi.empty()) w.key("doi").string(e.doi);
  if (!e.registry.empty()) w.key("registry").string(e.registry);
  if (!e.pmid.empty()) w.key("pmid").string(e.pmid);
  if (!e.url.empty()) w.key("url").string(e.url);
  w.key("design").string(e.design);
  w.key("level").string(e.level);
  w.key("sarcoma_specific").boolean(e.sarcoma_specific);
  w.key("metastatic_setting").boolean(e.metastatic_setting);
  w.key("in_review").boolean(e.in_review);
  w.key("verified").boolean(e.verified);
  if (!e.sites.empty()) {
    w.key("sites").begin_array();
    for (const auto& s : e.sites) w.string(s);
    w.end_array();
  }
  if (!e.figures.empty()) {
    w.key("figures").begin_object();
    for (const auto& [k, v] : e.figures) w.key(k).string(v);
    w.end_object();
  }
  if (!e.note.empty()) w.key("note").string(e.note);
  w.end_object();
}

namespace {

const char* code_name(const RuleSetModel& m, uint32_t output, uint32_t code) {
  return m.schema.enums[m.outputs[output].enum_id].values[code].c_str();
}

// Values a definition read, by field path ("lesions[0].site"), unknown as null.
void values_read(const RuleSetModel& m, const Patient& p, const Def& def, JsonWriter& w, bool positions) {
  w.begin_object();
  for (FieldRef r : def.field_reads) {
    uint32_t slot = ref_slot(r);
    const FieldDef& f = m.schema.fields[slot];
    const Value& v = p.values[slot];
    if (ref_sub1(r) == 0) {
      if (f.type == FieldType::List && f.of == ListOf::Record) {
        // The list itself: its length (items are listed by their subfields).
        w.key(f.path);
        if (v.kind == VKind::List) {
          w.string(std::to_string(v.list.count) + (v.list.count == 1 ? " item" : " items"));
        } else {
          w.null();
        }
        if (positions) {
          // handled below with subfields
        }
        continue;
      }
      w.key(f.path);
      write_value_json(m, v, w);
      continue;
    }
    uint32_t sub = ref_sub1(r) - 1;
    if (v.kind != VKind::List) continue;
    for (uint32_t e = 0; e < v.list.count; ++e) {
      w.key(field_path(m.schema, make_ref(slot, e + 1, sub + 1)));
      write_value_json(m, v.list.items[e].rec.fields[sub], w);
    }
  }
  w.end_object();
}

void positions_read(const RuleSetModel& m, const Patient& p, const Def& def, JsonWriter& w) {
  w.begin_object();
  for (FieldRef r : def.field_reads) {
    uint32_t slot = ref_slot(r);
    const Value& v = p.values[slot];
    if (ref_sub1(r) == 0) {
      Pos pos = p.value_pos[slot];
      if (!pos.valid()) continue;
      w.key(m.schema.fields[slot].path).begin_array().integer(pos.line).integer(pos.col).end_array();
      continue;
    }
    if (v.kind != VKind::List) continue;
    uint32_t sub = ref_sub1(r) - 1;
    for (uint32_t e = 0; e < v.list.count; ++e) {
      const Value* field = v.list.items[e].rec.fields + sub;
      auto idx = static_cast<size_t>(field - p.items.data());
      if (idx >= p.item_pos.size() || !p.item_pos[idx].valid()) continue;
      const Pos& pos = p.item_pos[idx];
      w.key(field_path(m.schema, make_ref(slot, e + 1, sub + 1))).begin_array().integer(pos.line).integer(pos.col).end_array();
    }
  }
  w.end_object();
}

}  // namespace

void write_trace_json(const RuleSetModel& m, const Patient& p, const Assessment& a, JsonWriter& w) {
  w.key("criteria").begin_array();
  for (uint32_t d = 0; d < m.defs.size(); ++d) {
    const Def& def = m.defs[d];
    if (def.kind != DefKind::Criterion && def.kind != DefKind::Fact) continue;
    if (d >= a.defs.size()) break;
    const DefResult& r = a.defs[d];
    w.begin_object();
    w.key("id").string(def.id);
    w.key("kind").string(def.kind == DefKind::Criterion ? "criterion" : "fact");
    if (!def.group.empty()) w.key("group").string(def.group);
    w.key("title").string(def.title);
    w.key("expr").string(def.expr.source);
    w.key("result");
    if (r.value.kind == VKind::Unknown) {
      w.string("unknown");
    } else if (r.value.kind == VKind::Bool) {
      w.string(r.value.b ? "true" : "false");
    } else {
      write_value_json(m, r.value, w);
    }
    if (!r.why.empty()) {
      w.key("unknown").begin_array();
      for (FieldRef f : r.why) w.string(field_path(m.schema, f));
      w.end_array();
    }
    w.key("values");
    values_read(m, p, def, w, false);
    w.key("positions");
    positions_read(m, p, def, w);
    if (def.derived) w.key("derived").boolean(true);
    if (r.presumed) w.key("presumption").string(def.presumption);
    w.key("evidence");
    evidence_ids(m, def.evidence, w);
    w.end_object();
  }
  w.end_array();
  w.key("paths").begin_object();
  for (uint32_t d = 0; d < m.defs.size(); ++d) {
    const Def& def = m.defs[d];
    if (def.kind != DefKind::Tree) continue;
    const TreeDef& tree = m.trees[def.extra];
    w.key(def.id).begin_array();
    if (def.extra < a.paths.size()) {
      for (const auto& step : a.paths[def.extra]) {
        const TreeNodeDef& node = tree.nodes[step.node];
        w.begin_object();
        w.key("node").string(node.id);
        w.key("question").string(node.question);
        w.key("answer").string(step.answer == 1 ? "yes" : step.answer == 0 ? "no" : "unknown");
        if (step.answer != 2) w.key("label").string(step.answer == 1 ? node.yes.label : node.no.label);
        w.end_object();
      }
    }
    w.end_array();
  }
  w.end_object();
  w.key("decisions").begin_object();
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    const auto& r = a.outputs[o];
    w.key(m.defs[m.output_defs[o]].id);
    if (r.decided_rule >= 0) {
      w.string(m.outputs[o].rules[static_cast<size_t>(r.decided_rule)].id);
    } else {
      w.null();
    }
  }
  w.end_object();
}

namespace {

// Writes outputs in declaration order, nesting dotted keys ("trials.oligorare").
void outputs(const RuleSetModel& m, const Assessment& a, JsonWriter& w) {
  std::string open_group;
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    const OutputDef& od = m.outputs[o];
    const OutputResult& r = a.outputs[o];
    std::string key = od.key;
    size_t dot = key.find('.');
    std::string group = dot == std::string::npos ? "" : key.substr(0, dot);
    std::string leaf = dot == std::string::npos ? key : key.substr(dot + 1);
    if (group != open_group) {
      if (!open_group.empty()) w.end_object();
      if (!group.empty()) w.key(group).begin_object();
      open_group = group;
    }
    w.key(leaf);
    if (od.form == OutputForm::Code) {
      w.string(code_name(m, o, r.code));
      continue;
    }
    w.begin_object();
    w.key("verdict").string(code_name(m, o, r.code));
    w.key("reasons").begin_array();
    for (const auto& ro : r.reasons) write_reason_json(m, ro, w);
    w.end_array();
    w.key("evidence");
    evidence_ids(m, r.evidence, w);
    if (!r.notes.empty()) {
      w.key("notes").begin_array();
      for (const auto& ro : r.notes) write_reason_json(m, ro, w);
      w.end_array();
    }
    w.end_object();
  }
  if (!open_group.empty()) w.end_object();
}

}  // namespace

void render_result_json_generic(const RuleSetModel& m, const Patient& p, const Assessment& a, const RenderOptions& opt,
                                std::string& out) {
  JsonWriter w(out, opt.pretty);
  w.begin_object();
  w.key("id").string(p.id);
  if (!opt.source.empty()) w.key("source").string(opt.source);
  outputs(m, a, w);
  w.key("missing").begin_array();
  for (const auto& mf : a.missing) {
    w.begin_object();
    w.key("field").string(field_path(m.schema, mf.ref));
    w.key("affects").begin_array();
    for (uint32_t o : mf.affects) w.string(m.defs[m.output_defs[o]].id);
    w.end_array();
    if (mf.imprecise) w.key("precision").string("month");
    if (opt.what_if && !mf.what_if.empty()) {
      w.key("what_if").begin_array();
      for (const auto& wi : mf.what_if) {
        w.begin_object();
        w.key("when").string(wi.when);
        for (const auto& [o, code] : wi.changes) w.key(m.defs[m.output_defs[o]].id).string(code_name(m, o, code));
        w.end_object();
      }
      w.end_array();
    }
    w.end_object();
  }
  w.end_array();
  w.key("warnings").begin_array();
  for (const auto& wo : a.warnings) {
    w.begin_object();
    w.key("code").string(wo.code);
    w.key("field").string(wo.field);
    w.key("message").string(wo.message);
    w.end_object();
  }
  w.end_array();
  if (opt.explain) write_trace_json(m, p, a, w);
  w.key("evidence").begin_object();
  for (uint32_t e : a.cited) {
    w.key(m.evidence[e].id);
    write_evidence_entry_json(m.evidence[e], w);
  }
  w.end_object();
  w.key("notice").string(kDecisionSupportNotice);
  write_provenance_json(m, w);
  w.end_object();
}

void write_error_object_json(const InputError& e, JsonWriter& w) {
  w.begin_object();
  w.key("kind").string(e.kind);
  if (!e.field.empty()) w.key("field").string(e.field);
  if (e.pos.valid() && e.pos.line != 0) {
    w.key("line").integer(e.pos.line);
    w.key("column").integer(e.pos.col);
  }
  if (e.has_offset) w.key("offset").integer(e.pos.offset);
  w.key("message").string(e.message);
  w.end_object();
}

void render_error_json_generic(const RuleSetModel& m, const std::string* id, uint32_t record, uint32_t line,
                               const std::vector<InputError>& errors, const RenderOptions& opt, std::string& out) {
  JsonWriter w(out, opt.pretty);
  w.begin_object();
  if (id) w.key("id").string(*id);
  w.key("record").integer(record);
  w.key("line").integer(line);
  if (!opt.source.empty()) w.key("source").string(opt.source);
  if (!errors.empty()) {
    w.key("error");
    write_error_object_json(errors.front(), w);
  }
  w.key("errors").begin_array();
  for (const auto& e : errors) write_error_object_json(e, w);
  w.end_array();
  write_provenance_json(m, w);
  w.end_object();
}

void render_result_json(const RuleSetModel& m, const Patient& p, const Assessment& a, const RenderOptions& opt,
                        std::string& out) {
  if (opt.pretty) {
    render_result_json_generic(m, p, a, opt, out);
  } else {
    render_result_compact(m, p, a, opt, out);
  }
}

void render_error_json(const RuleSetModel& m, const std::string* id, uint32_t record, uint32_t line,
                       const std::vector<InputError>& errors, const RenderOptions& opt, std::string& out) {
  if (opt.pretty) {
    render_error_json_generic(m, id, record, line, errors, opt, out);
  } else {
    render_error_compact(m, id, record, line, errors, opt, out);
  }
}

}  // namespace oligoscreen::detail
