// Compact JSON results and error results (spec/result-format.md) assembled from the rule
// set's pre-rendered fragments: byte for byte what render_result_json_generic and
// render_error_json_generic write without `pretty`, with only the per-record text (ids,
// field paths, what-if conditions, warnings, error messages) escaped on the way.
#include <charconv>
#include <cstddef>
#include <cstdint>

#include "json/json_writer.hpp"
#include "result/compact_result.hpp"
#include "result/json_parts.hpp"
#include "result/json_result.hpp"
#include "result/result_fragments.hpp"

namespace oligoscreen::detail {

namespace {

inline void put(std::string& out, const std::string& s) {
  out.append(s.data(), s.size());
}

// A fragment that starts with ',': without it when it is the first item of its list.
inline void put_item(std::string& out, const std::string& s, bool first) {
  const size_t skip = first ? 1 : 0;
  out.append(s.data() + skip, s.size() - skip);
}

// Appends [p, p + n) (a block of pre-rendered fragments). Out of line, so that the copy is
// a call of memcpy (inlined with a known bound on n, GCC copies with `rep movs`). Blocks over
// kMaxCopy bytes go in equal parts of at most kMaxCopy: glibc copies larger ones with `rep
// movsb`, which callgrind counts once per byte, and the parts keep the instruction measure of
// docs/performance.md meaningful (on the hardware both run at about the same speed).
constexpr size_t kMaxCopy = 4032;
[[gnu::noinline]] void append_block(std::string& out, const char* p, size_t n) {
  size_t part = n;
  if (n > kMaxCopy) {
    const size_t parts = (n + kMaxCopy - 1) / kMaxCopy;
    part = (n + parts - 1) / parts;
  }
  for (;;) {
    const size_t k = n < part ? n : part;
    out.append(p, k);
    if (k == n) return;
    p += k;
    n -= k;
  }
}

template <size_t N>
inline void lit(std::string& out, const char (&s)[N]) {
  out.append(s, N - 1);
}

void put_uint(std::string& out, uint64_t v) {
  char buf[24];
  char* end = std::to_chars(buf, buf + sizeof buf, v).ptr;
  out.append(buf, static_cast<size_t>(end - buf));
}

// The reasons (`notes` false) or notes of output `o`.
void reasons(const RuleSetModel& m, const ResultFragments& f, uint32_t o, bool notes, const std::vector<ReasonOut>& rs,
             std::string& out) {
  // The output's own reasons (notes) found by address, as reason_fragment() would; anything
  // else through reason_fragment().
  const std::vector<ReasonDef>& defs = notes ? m.outputs[o].notes : m.outputs[o].reasons;
  const std::vector<std::string>& own = notes ? f.outputs[o].notes : f.outputs[o].reasons;
  const auto base = reinterpret_cast<uintptr_t>(defs.data());
  const uintptr_t span = defs.size() * sizeof(ReasonDef);
  bool first = true;
  for (const ReasonOut& r : rs) {
    const uintptr_t at = reinterpret_cast<uintptr_t>(r.def) - base;  // wraps when below
    const std::string* s =
        r.def != nullptr && r.output == o && at < span ? &own[at / sizeof(ReasonDef)] : reason_fragment(m, f, r);
    if (s != nullptr) {
      put_item(out, *s, first);
    } else {
      if (!first) out += ',';
      JsonWriter w(out);
      write_reason_json(m, r, w);
    }
    first = false;
  }
}

void outputs(const RuleSetModel& m, const ResultFragments& f, const Assessment& a, std::string& out) {
  const auto n = static_cast<uint32_t>(f.outputs.size());
  for (uint32_t o = 0; o < n; ++o) {
    const ResultFragments::Output& fo = f.outputs[o];
    const OutputResult& r = a.outputs[o];
    put(out, fo.head[r.code]);
    if (m.outputs[o].form == OutputForm::Code) continue;
    reasons(m, f, o, false, r.reasons, out);
    if (r.evidence.empty() && r.notes.empty()) {
      lit(out, "],\"evidence\":[]}");
      continue;
    }
    lit(out, "],\"evidence\":[");
    bool first = true;
    for (uint32_t e : r.evidence) {
      put_item(out, f.evidence_ids[e], first);
      first = false;
    }
    if (!r.notes.empty()) {
      lit(out, "],\"notes\":[");
      reasons(m, f, o, true, r.notes, out);
    }
    lit(out, "]}");
  }
}

// The members of the `evidence` object for `cited`: each run of consecutive ids as one block
// of members_joined (the list is sorted, and then has a few runs; any order is written
// correctly).
void evidence_members(const ResultFragments& f, const std::vector<uint32_t>& cited, std::string& out,
                      std::vector<OutSplice>* splices) {
  const char* joined = f.members_joined.data();
  const size_t* at = f.members_at.data();
  const size_t n = cited.size();
  size_t skip = 1;  // the first member's ','
  for (size_t i = 0; i < n;) {
    const uint32_t first = cited[i];
    uint32_t last = first;
    for (++i; i < n && cited[i] == last + 1; ++i) ++last;
    const char* block = joined + at[first] + skip;
    const size_t len = at[last + 1] - at[first] - skip;
    if (splices != nullptr && len >= kMinSplice) {
      splices->push_back(OutSplice{out.size(), block, len});
    } else {
      append_block(out, block, len);
    }
    skip = 0;
  }
}

void missing(const ResultFragments& f, const Assessment& a, bool what_if, std::string& out) {
  bool first = true;
  for (const MissingField& mf : a.missing) {
    if (!first) out += ',';
    first = false;
    lit(out, "{\"field\":\"");
    append_field_path_json(f, mf.ref, out);
    lit(out, "\",\"affects\":[");
    bool first_affect = true;
    for (uint32_t o : mf.affects) {
      put_item(out, f.outputs[o].affects, first_affect);
      first_affect = false;
    }
    out += ']';
    if (mf.imprecise) lit(out, ",\"precision\":\"month\"");
    if (what_if && !mf.what_if.empty()) {
      lit(out, ",\"what_if\":[");
      bool first_wi = true;
      for (const WhatIf& wi : mf.what_if) {
        if (!first_wi) out += ',';
        first_wi = false;
        lit(out, "{\"when\":\"");
        append_json_string_body(out, wi.when);
        out += '"';
        for (const auto& [o, code] : wi.changes) put(out, f.outputs[o].change[code]);
        out += '}';
      }
      out += ']';
    }
    out += '}';
  }
}

void warnings(const Assessment& a, std::string& out) {
  bool first = true;
  for (const WarningOut& wo : a.warnings) {
    if (!first) out += ',';
    first = false;
    lit(out, "{\"code\":\"");
    append_json_string_body(out, wo.code);
    lit(out, "\",\"field\":\"");
    append_json_string_body(out, wo.field);
    lit(out, "\",\"message\":\"");
    append_json_string_body(out, wo.message);
    lit(out, "\"}");
  }
}

void error_object(const InputError& e, std::string& out) {
  lit(out, "{\"kind\":\"");
  append_json_string_body(out, e.kind);
  out += '"';
  if (!e.field.empty()) {
    lit(out, ",\"field\":\"");
    append_json_string_body(out, e.field);
    out += '"';
  }
  if (e.pos.valid() && e.pos.line != 0) {
    lit(out, ",\"line\":");
    put_uint(out, e.pos.line);
    lit(out, ",\"column\":");
    put_uint(out, e.pos.col);
  }
  if (e.has_offset) {
    lit(out, ",\"offset\":");
    put_uint(out, e.pos.offset);
  }
  lit(out, ",\"message\":\"");
  append_json_string_body(out, e.message);
  lit(out, "\"}");
}

void source_member(const RenderOptions& opt, std::string& out) {
  if (opt.source.empty()) return;
  lit(out, ",\"source\":\"");
  append_json_string_body(out, opt.source);
  out += '"';
}

// The fragment `s`, last in the result: a splice when `splices` is given and it is long enough.
void close_with(const std::string& s, std::string& out, std::vector<OutSplice>* splices) {
  if (splices != nullptr && s.size() >= kMinSplice) {
    splices->push_back(OutSplice{out.size(), s.data(), s.size()});
  } else {
    put(out, s);
  }
}

void render(const RuleSetModel& m, const ResultFragments& f, const Patient& p, const Assessment& a,
            const RenderOptions& opt, std::string& out, std::vector<OutSplice>* splices) {
  lit(out, "{\"id\":\"");
  append_json_string_body(out, p.id);
  out += '"';
  source_member(opt, out);
  outputs(m, f, a, out);
  if (a.missing.empty() && a.warnings.empty() && !opt.explain) {
    put(out, f.after_outputs_to_evidence);
    evidence_members(f, a.cited, out, splices);
    close_with(f.evidence_close, out, splices);
    return;
  }
  if (a.missing.empty() && a.warnings.empty()) {
    put(out, f.after_outputs_empty);
  } else {
    put(out, f.after_outputs);
    missing(f, a, opt.what_if, out);
    lit(out, "],\"warnings\":[");
    warnings(a, out);
    out += ']';
  }
  if (opt.explain) {
    JsonWriter w(out);
    w.resume_object();
    write_trace_json(m, p, a, w);
  }
  lit(out, ",\"evidence\":{");
  evidence_members(f, a.cited, out, splices);
  close_with(f.evidence_close, out, splices);
}

}  // namespace

void render_result_compact_with(const RuleSetModel& m, const ResultFragments& f, const Patient& p, const Assessment& a,
                                const RenderOptions& opt, std::string& out) {
  render(m, f, p, a, opt, out, nullptr);
}

void render_result_compact_spliced(const RuleSetModel& m, const ResultFragments& f, const Patient& p,
                                   const Assessment& a, const RenderOptions& opt, std::string& out,
                                   std::vector<OutSplice>& splices) {
  render(m, f, p, a, opt, out, &splices);
}

void spliced_pieces(std::string_view out, const std::vector<OutSplice>& splices,
                    std::vector<std::string_view>& pieces) {
  size_t from = 0;
  for (const OutSplice& s : splices) {
    if (s.at > from) pieces.push_back(out.substr(from, s.at - from));
    if (s.n != 0) pieces.emplace_back(s.p, s.n);
    from = s.at;
  }
  if (out.size() > from) pieces.push_back(out.substr(from));
}

void render_result_compact(const RuleSetModel& m, const Patient& p, const Assessment& a, const RenderOptions& opt,
                           std::string& out) {
  render_result_compact_with(m, result_fragments(m), p, a, opt, out);
}

void render_error_compact(const RuleSetModel& m, const std::string* id, uint32_t record, uint32_t line,
                          const std::vector<InputError>& errors, const RenderOptions& opt, std::string& out) {
  const ResultFragments& f = result_fragments(m);
  out += '{';
  if (id) {
    lit(out, "\"id\":\"");
    append_json_string_body(out, *id);
    lit(out, "\",");
  }
  lit(out, "\"record\":");
  put_uint(out, record);
  lit(out, ",\"line\":");
  put_uint(out, line);
  source_member(opt, out);
  if (!errors.empty()) {
    lit(out, ",\"error\":");
    error_object(errors.front(), out);
  }
  lit(out, ",\"errors\":[");
  bool first = true;
  for (const InputError& e : errors) {
    if (!first) out += ',';
    first = false;
    error_object(e, out);
  }
  out += ']';
  put(out, f.provenance);
}

}  // namespace oligoscreen::detail
