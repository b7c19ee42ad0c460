// Compact results come from pre-rendered fragments (result/compact_result.cpp); they must be
// byte-identical to what the generic JsonWriter renderer writes, for every rule-test case
// and example, with and without what-if and the trace, with hostile text in every per-record
// string, for error results, and from several threads at once. CSV rows likewise against a
// plain re-statement of result-format.md "CSV".
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "api/screen.hpp"
#include "batch/batch.hpp"
#include "batch/csv_output.hpp"
#include "json/json_reader.hpp"
#include "result/compact_result.hpp"
#include "result/json_result.hpp"
#include "rule_test_cases.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {
namespace {

const RuleSetModel& model() {
  static std::shared_ptr<RuleSetModel> m = [] {
    Diagnostics d;
    return load_embedded_rules(d);
  }();
  return *m;
}

// Every patient of the rule set's own tests and of examples/cases, screened.
std::vector<std::unique_ptr<CaseResult>> all_cases(bool what_if, bool explain) {
  CaseOptions opt;
  opt.what_if = what_if;
  opt.explain = explain;
  std::vector<std::unique_ptr<CaseResult>> out = test_support::rule_test_patients(model(), opt, false);
  for (const auto& e : std::filesystem::directory_iterator(std::string(OLIGOSCREEN_SOURCE_DIR) + "/examples/cases")) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    const std::string text = ss.str();
    const std::string file = e.path().filename().string();
    auto r = std::make_unique<CaseResult>();
    screen_case(model(), file, text, detect_case_format(file, text), opt, *r);
    out.push_back(std::move(r));
  }
  return out;
}

std::string compact(const CaseResult& r, const RenderOptions& ro) {
  std::string s = "prefix";  // rendering appends
  if (r.ok) {
    render_result_json(model(), r.patient, r.assessment, ro, s);
  } else {
    render_error_json(model(), r.patient.has_id ? &r.patient.id : nullptr, 3, r.first_line, r.errors, ro, s);
  }
  return s;
}

std::string generic(const CaseResult& r, const RenderOptions& ro) {
  std::string s = "prefix";
  if (r.ok) {
    render_result_json_generic(model(), r.patient, r.assessment, ro, s);
  } else {
    render_error_json_generic(model(), r.patient.has_id ? &r.patient.id : nullptr, 3, r.first_line, r.errors, ro, s);
  }
  return s;
}

// The results of `rs` rendered one after the other into one buffer with splices (as a batch
// chunk holds them), then joined: "prefix" and each result's bytes. Every splice must point
// into `f`'s joined evidence members or its closing fragment; `splices` counts them.
std::string spliced(const RuleSetModel& m, const ResultFragments& f, const std::vector<const CaseResult*>& rs,
                    const RenderOptions& ro, size_t* splices = nullptr) {
  std::string out = "prefix";
  std::vector<OutSplice> sp;
  for (const CaseResult* r : rs) {
    if (r->ok) {
      render_result_compact_spliced(m, f, r->patient, r->assessment, ro, out, sp);
    } else {
      render_error_json(m, r->patient.has_id ? &r->patient.id : nullptr, 3, r->first_line, r->errors, ro, out);
    }
  }
  auto within = [](const OutSplice& s, const std::string& in) {
    return s.p >= in.data() && s.p + s.n <= in.data() + in.size();
  };
  for (const OutSplice& s : sp) {
    EXPECT_GE(s.n, kMinSplice);
    EXPECT_TRUE(within(s, f.members_joined) || within(s, f.evidence_close));
  }
  if (splices != nullptr) *splices += sp.size();
  std::vector<std::string_view> pieces;
  spliced_pieces(out, sp, pieces);
  std::string joined;
  for (std::string_view piece : pieces) {
    EXPECT_FALSE(piece.empty());
    joined += piece;
  }
  return joined;
}

void expect_valid_json(const std::string& s) {
  Doc doc;
  JsonError err;
  EXPECT_TRUE(read_json(std::string_view(s).substr(6), {}, doc, err)) << err.message << "\n" << s.substr(0, 300);
}

const char* const kHostile[] = {
    "",
    "plain",
    "quote\" back\\slash",
    "ctl \x01\x1f\b\f\n\r\t end",
    "nul \0 inside",
    "utf8 \xC3\xA9 \xE2\x89\xA5 \xF0\x9F\x98\x80 \xE2\x80\xA8",
    "bad \xFF\xFE \xC3 \xE2\x82 \xED\xA0\x80 \xF4\x90\x80\x80 \xC0\xAF",
    "=cmd,\"x\"",
    "exactly8",
    "a longer text of more than sixteen bytes with a \" late quote",
    "\xE2\x89\xA5\xE2\x89\xA5\xE2\x89\xA5\xE2\x89\xA5\"",
};

std::string hostile(size_t i) {
  const char* s = kHostile[i % std::size(kHostile)];
  // "nul \0 inside" keeps its NUL.
  return i % std::size(kHostile) == 4 ? std::string(s, 12) : std::string(s);
}

TEST(CompactResult, EqualsGenericRendererForEveryCase) {
  size_t results = 0, errors = 0;
  for (bool what_if : {false, true}) {
    for (bool explain : {false, true}) {
      auto cases = all_cases(what_if, explain);
      ASSERT_GT(cases.size(), 50U);
      for (const auto& r : cases) {
        RenderOptions ro;
        ro.what_if = what_if;
        ro.explain = explain;
        for (const char* source : {"", "registry \"2\".jsonl"}) {
          ro.source = source;
          const std::string c = compact(*r, ro);
          ASSERT_EQ(c, generic(*r, ro)) << r->patient.id;
          expect_valid_json(c);
        }
        (r->ok ? results : errors) += 1;
      }
    }
  }
  EXPECT_GT(results, 200U);
  EXPECT_GT(errors, 0U);
}

// The batch writes results as a buffer of the per-record bytes plus splices into the fragments
// (the evidence runs, the closing notice and provenance): joined, a chunk of results (and error
// results between them) must be the generic bytes, for every case, option and source, with
// fragments owned by the caller as the batch owns them.
TEST(CompactResult, SplicedChunksEqualTheGenericRenderer) {
  const RuleSetModel& m = model();
  const ResultFragments owned = make_result_fragments(m);
  size_t splices = 0, results = 0;
  for (bool what_if : {false, true}) {
    for (bool explain : {false, true}) {
      auto cases = all_cases(what_if, explain);
      RenderOptions ro;
      ro.what_if = what_if;
      ro.explain = explain;
      for (const char* source : {"", "registry \"2\".jsonl"}) {
        ro.source = source;
        // Each case alone, then chunks of up to 7 consecutive cases.
        for (const auto& r : cases) {
          ASSERT_EQ(spliced(m, owned, {r.get()}, ro, &splices), generic(*r, ro)) << r->patient.id;
          results += r->ok ? 1 : 0;
        }
        for (size_t at = 0; at < cases.size(); at += 7) {
          std::vector<const CaseResult*> chunk;
          std::string expected = "prefix";
          for (size_t k = at; k < cases.size() && k < at + 7; ++k) {
            chunk.push_back(cases[k].get());
            expected += generic(*cases[k], ro).substr(6);
          }
          ASSERT_EQ(spliced(m, owned, chunk, ro, &splices), expected) << at;
        }
      }
    }
  }
  EXPECT_GT(results, 400U);
  EXPECT_GT(splices, results);  // at least the closing fragment of each result, and runs
}

TEST(CompactResult, HostileTextInEveryPerRecordString) {
  auto cases = all_cases(true, false);
  const RuleSetModel& m = model();
  size_t i = 0;
  size_t with_missing = 0;
  for (auto& r : cases) {
    if (!r->ok) continue;
    Assessment& a = r->assessment;
    r->patient.id = hostile(i++);
    a.warnings.push_back({hostile(i), hostile(i + 1), hostile(i + 2)});
    a.warnings.push_back({"w", "f", hostile(i + 3)});
    for (auto& mf : a.missing) {
      for (auto& wi : mf.what_if) wi.when += hostile(i++);
      ++with_missing;
    }
    // Field paths: list elements, subfields, and refs outside the schema ("?").
    MissingField mf;
    mf.ref = make_ref(static_cast<uint32_t>(i % m.schema.fields.size()), static_cast<uint32_t>(i % 12),
                      static_cast<uint32_t>(i % 4));
    mf.affects = {0, static_cast<uint32_t>(m.outputs.size() - 1)};
    mf.imprecise = i % 2 == 0;
    mf.what_if.push_back({hostile(i), {{0, 0}}, {~uint64_t{0}}});
    a.missing.push_back(mf);
    mf.ref = make_ref(static_cast<uint32_t>(m.schema.fields.size() + 3), 1, 1);
    mf.what_if.clear();
    a.missing.push_back(mf);
    for (const FieldDef& f : m.schema.fields) {
      if (f.fields.empty()) continue;
      mf.ref = make_ref(f.slot, 1 + static_cast<uint32_t>(i % 300), static_cast<uint32_t>(f.fields.size() + 1));
      a.missing.push_back(mf);
      break;
    }
    RenderOptions ro;
    ro.source = hostile(i + 5);
    for (bool what_if : {false, true}) {
      ro.what_if = what_if;
      const std::string c = compact(*r, ro);
      ASSERT_EQ(c, generic(*r, ro)) << i;
      ASSERT_EQ(spliced(m, result_fragments(m), {r.get()}, ro), c) << i;
      expect_valid_json(c);
    }
  }
  EXPECT_GT(with_missing, 10U);
}

// A reason that is not one of the rule set's own (no fragment) is written the generic way.
TEST(CompactResult, ReasonsWithoutFragments) {
  auto cases = all_cases(false, false);
  ReasonDef foreign;
  foreign.code = "foreign";
  foreign.text = hostile(3);
  foreign.evidence = {0, 1};
  const RuleSetModel& m = model();
  size_t n = 0;
  for (auto& r : cases) {
    if (!r->ok) continue;
    for (uint32_t o = 0; o < m.outputs.size(); ++o) {
      if (m.outputs[o].form != OutputForm::Verdict) continue;
      auto& out = r->assessment.outputs[o];
      out.reasons.insert(out.reasons.begin() + static_cast<long>(n % (out.reasons.size() + 1)),
                         ReasonOut{o, &foreign, nullptr});
      out.notes.push_back(ReasonOut{o + 100, &foreign, nullptr});  // output out of range: no fragment
      bool without = false;
      for (const Def& d : m.defs) {
        if (!d.presumes.empty()) {
          out.notes.push_back(ReasonOut{o, nullptr, &d});
        } else if (!without) {
          out.notes.push_back(ReasonOut{o, nullptr, &d});  // no presumption: no fragment
          without = true;
        }
      }
    }
    RenderOptions ro;
    ASSERT_EQ(compact(*r, ro), generic(*r, ro));
    if (++n == 20) break;
  }
  EXPECT_EQ(n, 20U);
}

// The `evidence` object is copied one run of consecutive ids at a time from the joined
// members: every kind of cited list must give the generic bytes, through both the batch entry
// point (fragments given) and the general one, with and without the trace, missing fields and
// warnings (the fused and the general tail).
TEST(CompactResult, EvidenceRunsForEveryKindOfCitedList) {
  auto cases = all_cases(false, false);
  const RuleSetModel& m = model();
  const auto n = static_cast<uint32_t>(m.evidence.size());
  ASSERT_GE(n, 8U);
  std::vector<std::vector<uint32_t>> lists;
  lists.push_back({});
  std::vector<uint32_t> all(n);
  for (uint32_t e = 0; e < n; ++e) all[e] = e;
  lists.push_back(all);  // one run over every member (more than one block of kMaxCopy bytes)
  for (uint32_t e = 0; e < n; ++e) {
    lists.push_back({e});  // single ids, first and last included
    std::vector<uint32_t> without = all;
    without.erase(without.begin() + e);  // all but one: two runs, or one at either end
    lists.push_back(without);
    if (e + 1 < n) lists.push_back({e, e + 1});
  }
  std::vector<uint32_t> evens, odds;
  for (uint32_t e = 0; e < n; ++e) (e % 2 ? odds : evens).push_back(e);
  lists.push_back(evens);  // no two consecutive
  lists.push_back(odds);
  // Out of order, descending, repeated: still written item by item in the order given.
  lists.push_back({2, 1, 0});
  lists.push_back({0, 1, 1, 2});
  lists.push_back({3, 4, 5, 0, 1, 2});
  lists.push_back({n - 1, 0, 1});
  std::vector<uint32_t> desc(all.rbegin(), all.rend());
  lists.push_back(desc);
  // Many random sets, sorted as assess() writes them, and neighbours differing by one id.
  std::mt19937 rng(7);
  for (int k = 0; k < 400; ++k) {
    std::vector<uint32_t> set;
    for (uint32_t e = 0; e < n; ++e) {
      if (rng() % 3 != 0) set.push_back(e);
    }
    lists.push_back(set);
    if (!set.empty()) {
      set.erase(set.begin() + static_cast<long>(rng() % set.size()));
      lists.push_back(set);
    }
    std::shuffle(set.begin(), set.end(), rng);
    lists.push_back(set);
  }
  CaseResult* base = nullptr;
  for (auto& r : cases) {
    if (r->ok && r->assessment.missing.empty() && r->assessment.warnings.empty()) {
      base = r.get();
      break;
    }
  }
  ASSERT_NE(base, nullptr);
  size_t checked = 0;
  CaseResult& r = *base;
  for (const auto& cited : lists) {
    r.assessment.cited = cited;
    r.assessment.warnings.clear();
    for (int variant = 0; variant < 3; ++variant) {
      RenderOptions ro;
      ro.explain = variant == 1;
      if (variant == 2) r.assessment.warnings.push_back({"w", "f", "m"});
      const std::string g = generic(r, ro);
      ASSERT_EQ(compact(r, ro), g) << checked;
      std::string with = "prefix";
      render_result_compact_with(m, result_fragments(m), r.patient, r.assessment, ro, with);
      ASSERT_EQ(with, g) << checked;
      ASSERT_EQ(spliced(m, result_fragments(m), {&r}, ro), g) << checked;
      ++checked;
    }
  }
  EXPECT_GT(checked, 1000U);
}

// The output's own reasons and notes are found by address; a reason of another output, a note
// in the reasons list (and the reverse) or an output number that does not match must come out
// as the generic renderer writes them.
TEST(CompactResult, ReasonsOfOtherListsAndOutputs) {
  auto cases = all_cases(false, false);
  const RuleSetModel& m = model();
  std::vector<uint32_t> verdicts;
  for (uint32_t o = 0; o < m.outputs.size(); ++o) {
    if (m.outputs[o].form == OutputForm::Verdict) verdicts.push_back(o);
  }
  ASSERT_GE(verdicts.size(), 2U);
  size_t n = 0;
  for (auto& r : cases) {
    if (!r->ok) continue;
    for (size_t k = 0; k < verdicts.size(); ++k) {
      const uint32_t o = verdicts[k];
      const uint32_t other = verdicts[(k + 1) % verdicts.size()];
      const OutputDef& od = m.outputs[o];
      const OutputDef& odo = m.outputs[other];
      auto& res = r->assessment.outputs[o];
      res.reasons.push_back(ReasonOut{other, &odo.reasons[n % odo.reasons.size()], nullptr});  // another's
      res.reasons.push_back(ReasonOut{o, &odo.reasons[0], nullptr});         // another's, numbered as this
      res.reasons.push_back(ReasonOut{other, &od.reasons.back(), nullptr});  // this one's, numbered other
      res.reasons.push_back(ReasonOut{o, &od.reasons.back(), nullptr});
      res.reasons.push_back(ReasonOut{o, &od.reasons.front(), nullptr});  // out of order
      if (!od.notes.empty()) {
        res.reasons.push_back(ReasonOut{o, &od.notes.front(), nullptr});  // a note among reasons
        res.notes.push_back(ReasonOut{o, &od.notes.back(), nullptr});
      }
      res.notes.push_back(ReasonOut{o, &od.reasons[n % od.reasons.size()], nullptr});  // a reason among notes
    }
    RenderOptions ro;
    ASSERT_EQ(compact(*r, ro), generic(*r, ro)) << n;
    if (++n == 30) break;
  }
  EXPECT_EQ(n, 30U);
}

TEST(CompactResult, ErrorResults) {
  std::vector<InputError> errors;
  for (size_t i = 0; i < 6; ++i) {
    InputError e;
    e.kind = i == 0 ? "range" : hostile(i);
    e.field = i % 2 ? hostile(i + 1) : "";
    e.pos = Pos{static_cast<uint32_t>(i * 7), static_cast<uint32_t>(i * 100000), static_cast<uint32_t>(i * 3)};
    e.has_offset = i % 3 == 0;
    e.message = hostile(i + 2);
    errors.push_back(e);
  }
  for (size_t n = 0; n <= errors.size(); ++n) {
    std::vector<InputError> some(errors.begin(), errors.begin() + static_cast<long>(n));
    for (const char* source : {"", "in\"put"}) {
      RenderOptions ro;
      ro.source = source;
      for (int with_id = 0; with_id < 2; ++with_id) {
        const std::string id = hostile(n);
        std::string c, g;
        render_error_json(model(), with_id ? &id : nullptr, 4294967295U, static_cast<uint32_t>(n), some, ro, c);
        render_error_json_generic(model(), with_id ? &id : nullptr, 4294967295U, static_cast<uint32_t>(n), some, ro, g);
        ASSERT_EQ(c, g) << n;
        Doc doc;
        JsonError err;
        EXPECT_TRUE(read_json(c, {}, doc, err)) << err.message;
      }
    }
  }
}

// Each thread renders the fragments of the shared model on first use; results must not
// depend on which thread renders them or in which order.
TEST(CompactResult, SameBytesFromSeveralThreads) {
  auto cases = all_cases(true, false);
  RenderOptions ro;
  std::vector<std::string> expected;
  for (const auto& r : cases) expected.push_back(generic(*r, ro));
  std::vector<std::string> got[3];
  std::vector<std::thread> threads;
  for (auto& g : got) {
    threads.emplace_back([&] {
      for (int round = 0; round < 3; ++round) {
        g.clear();
        for (const auto& r : cases) g.push_back(compact(*r, ro));
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& g : got) EXPECT_EQ(g, expected);
}

// result-format.md "CSV", stated plainly: what CsvRowWriter's precomputed cells must equal.
std::string reference_csv_row(const RuleSetModel& m, const CaseResult& r, const std::string& source) {
  std::string out;
  append_csv_cell(r.patient.has_id ? std::string_view(r.patient.id) : std::string_view(), out);
  for (uint32_t o : batch_csv_columns(m)) {
    out += ',';
    if (r.ok) append_csv_cell(m.schema.enums[m.outputs[o].enum_id].values[r.assessment.outputs[o].code], out);
  }
  std::string missing;
  if (r.ok) {
    for (const auto& mf : r.assessment.missing) missing += (missing.empty() ? "" : ";") + field_path(m.schema, mf.ref);
  }
  out += ',';
  append_csv_cell(missing, out);
  out += ',';
  if (!r.ok && !r.errors.empty()) append_csv_cell(r.errors.front().kind + ": " + r.errors.front().message, out);
  out += "," + m.sha256;
  if (!source.empty()) {
    out += ',';
    append_csv_cell(source, out);
  }
  return out + "\n";
}

TEST(CompactResult, CsvRowsEqualTheFormat) {
  auto cases = all_cases(false, false);
  const RuleSetModel& m = model();
  CsvRowWriter w(m);
  size_t i = 0;
  for (auto& r : cases) {
    if (i % 3 == 1) {
      r->patient.id = hostile(i);
      r->patient.has_id = true;
    }
    if (r->ok && i % 4 == 0) {
      MissingField mf;
      mf.ref = make_ref(static_cast<uint32_t>(i % (m.schema.fields.size() + 2)), static_cast<uint32_t>(i % 3),
                        static_cast<uint32_t>(i % 5));
      r->assessment.missing.push_back(mf);
    }
    if (!r->ok && i % 2 == 0) r->errors.front().message = hostile(i);
    const std::string source = i % 5 == 0 ? hostile(i + 7) : std::string();
    w.set_source(source);
    std::string row;
    w.row(r->patient.has_id ? &r->patient.id : nullptr, r->ok ? &r->assessment : nullptr, r->errors, row);
    ASSERT_EQ(row, reference_csv_row(m, *r, source)) << i;
    ++i;
  }
  // An error row without any error.
  CaseResult none;
  std::string row;
  w.set_source("");
  w.row(nullptr, nullptr, none.errors, row);
  EXPECT_EQ(row, reference_csv_row(m, none, ""));
}

}  // namespace
}  // namespace oligoscreen::detail
