// Engine benchmark (issue 2): assess() on a 30-criterion rule set against a hand-written C++
// function computing the same 30 three-valued criteria and the verdict, in one run; prints
// the ratio. The patients are generated deterministically; 10% have one unknown field.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "api/screen.hpp"
#include "core/date.hpp"
#include "json/json_reader.hpp"
#include "patient/patient_reader.hpp"
#include "rules/loader.hpp"

namespace {

using namespace oligoscreen::detail;

// ---- hand-written reference: Kleene logic on plain structs ----
enum class K : uint8_t { F, T, U };
K kand(K a, K b) {
  return (a == K::F || b == K::F) ? K::F : (a == K::T && b == K::T) ? K::T : K::U;
}
K kor(K a, K b) {
  return (a == K::T || b == K::T) ? K::T : (a == K::F && b == K::F) ? K::F : K::U;
}
K knot(K a) {
  return a == K::U ? K::U : (a == K::T ? K::F : K::T);
}
K kb(bool b) {
  return b ? K::T : K::F;
}

struct Item {
  int kind;  // 0 lung, 1 bone, 2 liver
  double size;
  K ok;
};
struct Plain {
  bool has_age, has_ecog, has_score, has_extra, has_kind, has_first, has_second;
  int age, ecog, kind;
  double score, extra;
  K flag_a, flag_b, flag_c;
  int32_t first, second;
  bool has_items;
  std::vector<Item> items;
};

int hand_written(const Plain& p, K* c) {
  auto num = [](bool has, double v, double t, int op) {
    if (!has) return K::U;
    switch (op) {
      case 0:
        return kb(v >= t);
      case 1:
        return kb(v <= t);
      case 2:
        return kb(v > t);
      default:
        return kb(v < t);
    }
  };
  c[1] = num(p.has_age, p.age, 18, 0);
  c[2] = num(p.has_age, p.age, 80, 1);
  c[3] = num(p.has_ecog, p.ecog, 2, 1);
  c[4] = num(p.has_ecog, p.ecog, 1, 1);
  c[5] = num(p.has_score, p.score, 10, 2);
  c[6] = num(p.has_score, p.score, 50, 1);
  c[7] = p.flag_a;
  c[8] = knot(p.flag_b);
  c[9] = kand(p.flag_a, p.flag_c);
  c[10] = kor(p.flag_b, p.flag_c);
  K all_ok = K::T, any_lung = K::F, all_small = K::T, lung_count = K::T;
  int n = static_cast<int>(p.items.size()), lungs = 0;
  for (const auto& it : p.items) {
    all_ok = kand(all_ok, it.ok);
    if (it.kind == 0) ++lungs, any_lung = K::T;
    all_small = kand(all_small, kb(it.size <= 50));
  }
  lung_count = kb(lungs <= 4);
  c[11] = p.has_items ? kb(n >= 1) : K::U;
  c[12] = p.has_items ? kb(n <= 5) : K::U;
  c[13] = p.has_items ? all_ok : K::U;
  c[14] = p.has_items ? any_lung : K::U;
  c[15] = p.has_items ? all_small : K::U;
  c[16] = p.has_items ? lung_count : K::U;
  c[17] = p.has_kind ? kb(p.kind == 0 || p.kind == 1) : K::U;
  c[18] = p.has_kind ? kb(!(p.kind == 2 || p.kind == 3)) : K::U;
  c[19] = (p.has_first && p.has_second) ? kb(p.second <= add_months_day(p.first, 6)) : K::U;
  c[20] = (p.has_first && p.has_second) ? kb(p.second > add_months_day(p.first, 24)) : K::U;
  c[21] = p.has_extra ? kb(p.extra > 3) : K::F;
  c[22] = p.has_extra ? kb(!(p.extra <= 1)) : K::T;
  c[23] = kand(c[1], c[3]);
  c[24] = kand(kand(c[5], c[6]), c[7]);
  c[25] = kand(kand(c[11], c[12]), c[13]);
  c[26] = kor(c[14], c[17]);
  c[27] = kor(c[19], c[20]);
  c[28] = p.flag_a == K::U
              ? (num(p.has_score, p.score, 20, 2) == num(p.has_score, p.score, 5, 2) ? num(p.has_score, p.score, 20, 2)
                                                                                     : K::U)
              : (p.flag_a == K::T ? num(p.has_score, p.score, 20, 2) : num(p.has_score, p.score, 5, 2));
  c[29] = (p.has_score && p.has_ecog) ? kb(p.score * 2 - p.ecog >= 15) : K::U;
  c[30] = kand(kand(c[23], c[25]), c[28]);
  // verdict: first match over all paths
  K r1 = knot(c[30]);
  K r2 = kand(kand(c[24], c[26]), c[27]);
  if (r1 == K::T) return 2;                         // no
  int rest = r2 == K::T ? 0 : r2 == K::F ? 1 : -1;  // yes / maybe / undecided
  if (r1 == K::F) return rest < 0 ? 3 : rest;
  return 3;  // unknown: "no" vs the rest differ
}

// ---- data ----
struct Data {
  std::shared_ptr<RuleSetModel> m;
  std::vector<std::unique_ptr<Patient>> patients;
  std::vector<Plain> plain;
};

Data& data() {
  static Data d = [] {
    Data out;
    Diagnostics diags;
    DirRuleFiles files(OLIGOSCREEN_BENCH_RULES);
    out.m = load_rule_set(files, diags);
    if (!out.m) {
      std::fprintf(stderr, "%s", diags.render().c_str());
      std::abort();
    }
    std::mt19937 rng(42);
    const char* kinds[] = {"alpha", "beta", "gamma", "delta"};
    const char* item_kinds[] = {"lung", "bone", "liver"};
    for (int i = 0; i < 1000; ++i) {
      Plain p{};
      p.has_age = p.has_ecog = p.has_score = p.has_kind = p.has_first = p.has_second = p.has_items = true;
      p.age = 10 + static_cast<int>(rng() % 80);
      p.ecog = static_cast<int>(rng() % 5);
      p.score = static_cast<double>(rng() % 100);
      p.has_extra = rng() % 2 == 0;
      p.extra = static_cast<double>(rng() % 10);
      p.flag_a = kb(rng() % 2);
      p.flag_b = kb(rng() % 2);
      p.flag_c = kb(rng() % 2);
      p.kind = static_cast<int>(rng() % 4);
      p.first = days_from_civil(2015 + static_cast<int>(rng() % 8), 1 + rng() % 12, 1 + rng() % 28);
      p.second = p.first + static_cast<int32_t>(rng() % 1500);
      int n = static_cast<int>(rng() % 6);
      for (int k = 0; k < n; ++k)
        p.items.push_back({static_cast<int>(rng() % 3), static_cast<double>(1 + rng() % 80), kb(rng() % 5 != 0)});
      int unknown = (i % 10 == 0) ? static_cast<int>(rng() % 4) : -1;  // 10%: one unknown
      if (unknown == 0) p.has_ecog = false;
      if (unknown == 1) p.flag_a = K::U;
      if (unknown == 2) p.has_first = false;
      if (unknown == 3) p.has_score = false;
      std::string j = "{\"id\":\"P" + std::to_string(i) + "\"";
      if (p.has_age) j += ",\"age\":" + std::to_string(p.age);
      if (p.has_ecog) j += ",\"ecog\":" + std::to_string(p.ecog);
      if (p.has_score) j += ",\"score\":" + std::to_string(static_cast<int>(p.score));
      if (p.has_extra) j += ",\"extra\":" + std::to_string(static_cast<int>(p.extra));
      auto flag = [&](const char* name, K v) {
        if (v != K::U) j += std::string(",\"") + name + "\":" + (v == K::T ? "true" : "false");
      };
      flag("flag_a", p.flag_a);
      flag("flag_b", p.flag_b);
      flag("flag_c", p.flag_c);
      j += std::string(",\"kind\":\"") + kinds[p.kind] + "\"";
      if (p.has_first) j += ",\"first\":\"" + format_day(p.first) + "\"";
      if (p.has_second) j += ",\"second\":\"" + format_day(p.second) + "\"";
      j += ",\"items\":[";
      for (size_t k = 0; k < p.items.size(); ++k) {
        j += std::string(k ? "," : "") + "{\"kind\":\"" + item_kinds[p.items[k].kind] +
             "\",\"size\":" + std::to_string(static_cast<int>(p.items[k].size)) +
             ",\"ok\":" + (p.items[k].ok == K::T ? "true" : "false") + "}";
      }
      j += "]}";
      Doc doc;
      JsonError err;
      if (!read_json(j, JsonLimits{}, doc, err)) std::abort();
      auto patient = std::make_unique<Patient>();
      std::vector<InputError> errors;
      ReadOptions ro;
      ro.json = true;
      if (!read_patient(out.m->schema, doc, doc.root(), ro, *patient, errors)) std::abort();
      out.patients.push_back(std::move(patient));
      out.plain.push_back(std::move(p));
    }
    return out;
  }();
  return d;
}

// Both compute the 30 criteria and the verdict; agreement is checked once.
void check_agreement() {
  Data& d = data();
  AssessScratch scratch;
  Assessment a;
  AssessOptions opt;
  opt.what_if = false;
  opt.explain = true;
  int verdict = d.m->find_output("verdict");
  for (size_t i = 0; i < d.patients.size(); ++i) {
    assess(*d.m, *d.patients[i], opt, scratch, a);
    K c[31];
    int hv = hand_written(d.plain[i], c);
    if (static_cast<int>(a.outputs[static_cast<size_t>(verdict)].code) != hv) {
      std::fprintf(stderr, "disagreement on patient %zu: engine %u, hand-written %d\n", i,
                   a.outputs[static_cast<size_t>(verdict)].code, hv);
      std::abort();
    }
    for (int k = 1; k <= 30; ++k) {
      const Value& v = a.defs[static_cast<size_t>(k - 1)].value;
      K e = v.kind == VKind::Unknown ? K::U : (v.b ? K::T : K::F);
      if (e != c[k]) {
        std::fprintf(stderr, "criterion c%02d disagrees on patient %zu\n", k, i);
        std::abort();
      }
    }
  }
}

void BM_HandWritten(benchmark::State& state) {
  Data& d = data();
  K c[31];
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(hand_written(d.plain[i], c));
    benchmark::DoNotOptimize(c);
    i = (i + 1) % d.plain.size();
  }
}

// assess() over the patients in turn with `opt`.
void run_engine(benchmark::State& state, const AssessOptions& opt) {
  Data& d = data();
  AssessScratch scratch;
  Assessment a;
  size_t i = 0;
  for (auto _ : state) {
    assess(*d.m, *d.patients[i], opt, scratch, a);
    benchmark::DoNotOptimize(a.outputs.data());
    benchmark::DoNotOptimize(a.defs.data());
    i = (i + 1) % d.patients.size();
  }
}

void BM_EngineEvaluate(benchmark::State& state) {
  // assess() without the missing-data analysis: the same work as the hand-written code.
  AssessOptions opt;
  opt.what_if = false;
  opt.missing = false;
  run_engine(state, opt);
}

void BM_EngineEveryCriterion(benchmark::State& state) {
  // assess() with the trace: every one of the 30 criteria evaluated and kept with its value and
  // unknown set (what the hand-written function computes, and more), no missing-data analysis.
  AssessOptions opt;
  opt.what_if = false;
  opt.missing = false;
  opt.explain = true;
  run_engine(state, opt);
}

void BM_EngineAssessFull(benchmark::State& state) {
  // assess() as batch uses it: plus what is missing (counterfactual) for the 10% with an unknown.
  AssessOptions opt;
  opt.what_if = false;
  run_engine(state, opt);
}

BENCHMARK(BM_HandWritten);
BENCHMARK(BM_EngineEvaluate);
BENCHMARK(BM_EngineEveryCriterion);
BENCHMARK(BM_EngineAssessFull);

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) times_[r.benchmark_name()] = r.GetAdjustedRealTime();
    ConsoleReporter::ReportRuns(runs);
  }
  std::map<std::string, double> times_;
};

}  // namespace

// `assess_bench --loop hand|engine|explain|full N`: N calls and nothing else, for instruction counts
// (perf stat -e instructions:u), which the machine's noise does not move.
int loop_mode(const std::string& what, long n) {
  Data& d = data();
  AssessScratch scratch;
  Assessment a;
  AssessOptions opt;
  opt.what_if = false;
  opt.missing = what == "full";
  opt.explain = what == "explain";
  K c[31];
  long sink = 0;
  for (long i = 0; i < n; ++i) {
    size_t k = static_cast<size_t>(i) % d.patients.size();
    if (what == "hand") {
      sink += hand_written(d.plain[k], c);
    } else if (what != "none") {
      assess(*d.m, *d.patients[k], opt, scratch, a);
      sink += a.outputs[0].code;
    }
  }
  return static_cast<int>(sink & 1);
}

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--loop") return loop_mode(argv[2], std::atol(argv[3])) * 0;
  benchmark::Initialize(&argc, argv);
  check_agreement();
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  double hand = reporter.times_["BM_HandWritten"];
  double eval = reporter.times_["BM_EngineEvaluate"];
  double every = reporter.times_["BM_EngineEveryCriterion"];
  double full = reporter.times_["BM_EngineAssessFull"];
  if (hand > 0) {
    std::printf("\nratio engine evaluate / hand-written: %.2fx (goal: within 5x)\n", eval / hand);
    std::printf("ratio engine with every criterion kept (trace) / hand-written: %.2fx\n", every / hand);
    std::printf("ratio engine assess incl. missing-data analysis / hand-written: %.2fx\n", full / hand);
  }
  return 0;
}
