#include "fhir/bundle_reader.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <unordered_map>

#include "json/json_reader.hpp"
#include "json/json_writer.hpp"
#include "patient/scalar_parse.hpp"

namespace oligoscreen::detail {

namespace {

using scalar::DecimalStatus;
using scalar::is_decimal;
using scalar::parse_decimal;

enum class Tri : uint8_t { No, Yes, Unknown };

// A FHIR date, dateTime or instant as a calendar range. The time of day and the zone are
// dropped (the date as written). A year alone cannot be represented: nullopt, imprecise set.
std::optional<DateRange> fhir_date(std::string_view s, bool* imprecise = nullptr) {
  if (s.size() == 4) {
    if (imprecise) *imprecise = true;
    return std::nullopt;
  }
  if (s.size() == 7 || s.size() == 10) return parse_date(s);
  if (s.size() > 10 && s[10] == 'T') return parse_date(s.substr(0, 10));
  return std::nullopt;
}

// a on or before the day range b (every day of a <= every day of b: Yes; none: No).
Tri on_or_before(DateRange a, DateRange b) {
  if (a.hi <= b.lo) return Tri::Yes;
  if (a.lo > b.hi) return Tri::No;
  return Tri::Unknown;
}

int years_between(int32_t from, int32_t to) {
  int y1, y2;
  unsigned m1, d1, m2, d2;
  civil_from_days(from, y1, m1, d1);
  civil_from_days(to, y2, m2, d2);
  int age = y2 - y1;
  if (m2 < m1 || (m2 == m1 && d2 < d1)) --age;
  return age;
}

// A value read from one observation (or extension) for one field.
struct Val {
  enum class K : uint8_t { None, Bool, Int, Num, Text } k = K::None;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string s;
  bool operator==(const Val& o) const { return k == o.k && b == o.b && i == o.i && d == o.d && s == o.s; }
};

Val vbool(bool b) {
  Val v;
  v.k = Val::K::Bool;
  v.b = b;
  return v;
}
Val vint(int64_t i) {
  Val v;
  v.k = Val::K::Int;
  v.i = i;
  return v;
}
Val vnum(double d) {
  Val v;
  v.k = Val::K::Num;
  v.d = d;
  return v;
}
Val vtext(std::string s) {
  Val v;
  v.k = Val::K::Text;
  v.s = std::move(s);
  return v;
}

Val from_table(const FhirValue& fv) {
  switch (fv.kind) {
    case FhirValue::Kind::Bool:
      return vbool(fv.b);
    case FhirValue::Kind::Int:
      return vint(fv.i);
    case FhirValue::Kind::Text:
      return vtext(fv.text);
    case FhirValue::Kind::Null:
      break;
  }
  return {};
}

// The result of mapping one CodeableConcept (or Coding list) through a table.
struct Mapped {
  enum class S : uint8_t { Absent, Unmapped, Null, Value, Conflict } state = S::Absent;
  Val value;
  std::string first_code;  // "system|code" of the first coding, for messages
};

struct Observed {
  DateRange date;
  std::string ref;  // "Observation/<id>" for messages
};

struct Lesion {
  uint32_t node = 0;
  std::string ref;
  std::optional<DateRange> onset;
  std::optional<std::string> site;
  std::optional<bool> treatable;
};

struct Med {
  uint32_t node = 0;
  std::string ref;
  Mapped anticancer;
  std::string agent;
  std::optional<DateRange> start, end;
  bool open_ended = false;  // status says ongoing
};

class Mapper {
 public:
  Mapper(const FhirMapping& m, const Doc& d, const FhirOptions& opt, FhirPatient& out)
      : m_(m), d_(d), opt_(opt), out_(out) {}

  void run(const std::vector<uint32_t>& resources, std::string_view case_id) {
    index(resources);
    classify();
    read_observations();
    decide_as_of();
    write(case_id);
  }

 private:
  // ---- JSON access -------------------------------------------------------------------------
  uint32_t get(uint32_t n, std::string_view key) const { return n ? d_.find(n, key) : 0; }
  std::optional<std::string_view> str(uint32_t n) const {
    if (!n) return std::nullopt;
    const DocNode& x = d_.node(n);
    if (!x.is_scalar() || x.style != ScalarStyle::Quoted) return std::nullopt;
    return x.text;
  }
  std::optional<std::string_view> str_at(uint32_t n, std::string_view key) const { return str(get(n, key)); }
  std::optional<bool> boolean(uint32_t n) const {
    if (!n) return std::nullopt;
    const DocNode& x = d_.node(n);
    if (!x.is_scalar() || x.style != ScalarStyle::Plain) return std::nullopt;
    if (x.text == "true") return true;
    if (x.text == "false") return false;
    return std::nullopt;
  }
  std::optional<double> number(uint32_t n) const {
    if (!n) return std::nullopt;
    const DocNode& x = d_.node(n);
    double v = 0;
    if (!x.is_scalar() || x.style != ScalarStyle::Plain || parse_decimal(x.text, v) != DecimalStatus::Ok) {
      return std::nullopt;
    }
    return v;
  }
  std::vector<uint32_t> items(uint32_t n) const { return n ? d_.items(n) : std::vector<uint32_t>{}; }
  std::string ref_of(uint32_t res) const {
    std::string r(str_at(res, "resourceType").value_or("Resource"));
    r += "/";
    r += str_at(res, "id").value_or("(no id)");
    return r;
  }
  std::optional<DateRange> date_at(uint32_t n, std::string_view key, const std::string& field, const std::string& ref) {
    auto s = str_at(n, key);
    if (!s) return std::nullopt;
    bool imprecise = false;
    auto r = fhir_date(*s, &imprecise);
    if (!r) {
      warn(imprecise ? "fhir_imprecise_date" : "fhir_unusable_value", field,
           ref + ": " + std::string(key) + " '" + std::string(*s) +
               (imprecise ? "' is known only to the year; left unknown" : "' is not a usable FHIR date; left unknown"));
    }
    return r;
  }

  void warn(std::string code, std::string field, std::string message) {
    if (quiet_) return;
    out_.warnings.push_back({std::move(code), std::move(field), std::move(message)});
  }

  // Maps every coding of a CodeableConcept (`cc` an object with `coding`); the first
  // mapped value wins unless another coding maps to a different value (conflict).
  Mapped map_cc(FhirTable t, uint32_t cc) const {
    Mapped r;
    if (!cc) return r;
    for (uint32_t c : items(get(cc, "coding"))) map_coding(t, c, r);
    return r;
  }
  void map_coding(FhirTable t, uint32_t coding, Mapped& r) const {
    auto sys = str_at(coding, "system");
    auto code = str_at(coding, "code");
    if (!code) return;
    std::string sc = std::string(sys.value_or("")) + "|" + std::string(*code);
    if (r.first_code.empty()) r.first_code = sc;
    const FhirValue* v = sys ? m_.lookup(t, *sys, *code) : nullptr;
    if (!v) {
      if (r.state == Mapped::S::Absent) r.state = Mapped::S::Unmapped;
      return;
    }
    if (v->kind == FhirValue::Kind::Null) {
      if (r.state == Mapped::S::Absent || r.state == Mapped::S::Unmapped) r.state = Mapped::S::Null;
      return;
    }
    Val val = from_table(*v);
    if (r.state == Mapped::S::Value) {
      if (!(r.value == val)) r.state = Mapped::S::Conflict;
      return;
    }
    if (r.state == Mapped::S::Conflict) return;
    r.state = Mapped::S::Value;
    r.value = std::move(val);
  }
  // Maps a bare code (FHIR `code` elements such as gender and clinicalStatus codes).
  Mapped map_code(FhirTable t, std::string_view system, std::optional<std::string_view> code) const {
    Mapped r;
    if (!code) return r;
    r.first_code = std::string(system) + "|" + std::string(*code);
    const FhirValue* v = m_.lookup(t, system, *code);
    if (!v) {
      r.state = Mapped::S::Unmapped;
    } else if (v->kind == FhirValue::Kind::Null) {
      r.state = Mapped::S::Null;
    } else {
      r.state = Mapped::S::Value;
      r.value = from_table(*v);
    }
    return r;
  }
  // Reports an unusable mapping (unmapped code or conflicting codings) and says whether the
  // mapping gave a value.
  bool usable(const Mapped& r, FhirTable t, const std::string& field, const std::string& ref) {
    if (r.state == Mapped::S::Unmapped) {
      warn("fhir_unmapped_code", field,
           ref + ": code " + r.first_code + " has no entry in the mapping table '" + std::string(table_name(t)) +
               "'; " + field + " left unknown");
    } else if (r.state == Mapped::S::Conflict) {
      warn("fhir_conflict", field,
           ref + ": the codings map to different values in table '" + std::string(table_name(t)) + "'; " + field +
               " left unknown");
    }
    return r.state == Mapped::S::Value;
  }
  bool has_profile(uint32_t res, const std::vector<std::string>& profiles) const {
    for (uint32_t p : items(get(get(res, "meta"), "profile"))) {
      auto s = str(p);
      if (s && std::find(profiles.begin(), profiles.end(), *s) != profiles.end()) return true;
    }
    return false;
  }
  uint32_t extension(uint32_t res, const std::string& url) const {
    if (url.empty()) return 0;
    for (uint32_t e : items(get(res, "extension"))) {
      if (str_at(e, "url") == std::optional<std::string_view>(url)) return e;
    }
    return 0;
  }
  std::string cc_text(uint32_t cc) const {
    if (auto t = str_at(cc, "text")) return std::string(*t);
    for (uint32_t c : items(get(cc, "coding"))) {
      if (auto t = str_at(c, "display")) return std::string(*t);
    }
    for (uint32_t c : items(get(cc, "coding"))) {
      if (auto t = str_at(c, "code")) return std::string(*t);
    }
    return {};
  }

  // ---- Collecting ---------------------------------------------------------------------------
  void index(const std::vector<uint32_t>& resources) {
    for (uint32_t r : resources) {
      auto type = str_at(r, "resourceType");
      auto id = str_at(r, "id");
      if (!type) continue;
      if (id) by_ref_[std::string(*type) + "/" + std::string(*id)] = r;
      by_type_[std::string(*type)].push_back(r);
    }
    for (const auto& [full_url, r] : full_urls_) by_ref_[full_url] = r;
  }

 public:
  void add_full_url(std::string url, uint32_t res) { full_urls_.emplace_back(std::move(url), res); }

 private:
  const std::vector<uint32_t>& of_type(const std::string& t) const {
    static const std::vector<uint32_t> kNone;
    auto it = by_type_.find(t);
    return it == by_type_.end() ? kNone : it->second;
  }
  // Resolves a Reference by fullUrl or "Type/id"; an absolute URL ending in /Type/id (a
  // server's search result) resolves by its last two segments.
  uint32_t resolve(uint32_t reference) const {
    auto s = str_at(reference, "reference");
    if (!s) return 0;
    auto it = by_ref_.find(std::string(*s));
    if (it != by_ref_.end()) return it->second;
    size_t last = s->rfind('/');
    if (last == std::string_view::npos || last == 0) return 0;
    size_t type = s->rfind('/', last - 1);
    if (type == std::string_view::npos) return 0;
    it = by_ref_.find(std::string(s->substr(type + 1)));
    return it == by_ref_.end() ? 0 : it->second;
  }

  void classify() {
    // Patient
    const auto& patients = of_type("Patient");
    if (patients.size() == 1) {
      patient_ = patients.front();
    } else if (patients.size() > 1) {
      warn("fhir_ambiguous", "age", "several Patient resources; age and sex left unknown");
    }
    // Conditions
    std::vector<uint32_t> primaries;
    for (uint32_t c : of_type("Condition")) {
      bool void_condition = false;  // entered in error or refuted: not a diagnosis
      for (uint32_t coding : items(get(get(c, "verificationStatus"), "coding"))) {
        auto code = str_at(coding, "code").value_or("");
        void_condition = void_condition || code == "entered-in-error" || code == "refuted";
      }
      if (void_condition) continue;
      Mapped sec = map_cc(FhirTable::SecondaryCondition, get(c, "code"));
      Mapped pri = map_cc(FhirTable::PrimaryCondition, get(c, "code"));
      bool is_sec = has_profile(c, m_.secondary_profiles) || (sec.state == Mapped::S::Value && sec.value.b);
      bool is_pri = has_profile(c, m_.primary_profiles) || (pri.state == Mapped::S::Value && pri.value.b);
      if (is_sec) {
        secondaries_.push_back(c);
      } else if (is_pri) {
        primaries.push_back(c);
      }
    }
    if (primaries.size() == 1) {
      primary_ = primaries.front();
    } else if (primaries.size() > 1) {
      warn("fhir_ambiguous", "histology",
           std::to_string(primaries.size()) + " primary cancer Conditions; the primary's fields left unknown");
    }
  }

  // The observation kind of an Observation, or empty.
  std::string kind_of(uint32_t obs) const {
    Mapped k = map_cc(FhirTable::Observation, get(obs, "code"));
    return k.state == Mapped::S::Value ? k.value.s : std::string();
  }

  void read_observations() {
    for (uint32_t o : of_type("Observation")) {
      std::string kind = kind_of(o);
      if (kind.empty()) continue;
      auto status = str_at(o, "status");
      if (status != std::optional<std::string_view>("final") && status != std::optional<std::string_view>("amended") &&
          status != std::optional<std::string_view>("corrected")) {
        continue;  // registered, preliminary, cancelled, entered-in-error, unknown: not a result
      }
      std::string ref = ref_of(o);
      std::optional<DateRange> date;
      if (str_at(o, "effectiveDateTime")) {
        date = date_at(o, "effectiveDateTime", field_of(kind), ref);
      } else if (str_at(o, "effectiveInstant")) {
        date = date_at(o, "effectiveInstant", field_of(kind), ref);
      } else if (uint32_t p = get(o, "effectivePeriod")) {
        date = date_at(p, "start", field_of(kind), ref);
      } else {
        warn("fhir_unusable_value", field_of(kind), ref + ": no effective date; not used");
        continue;
      }
      if (!date) continue;
      observations_[kind].push_back({o, Observed{*date, ref}});
    }
  }

  static std::string field_of(const std::string& kind) {
    if (kind == "ecog") return "ecog";
    if (kind == "life_expectancy_months") return "life_expectancy_months";
    if (kind == "grade") return "grade";
    if (kind == "primary_controlled") return "primary.controlled";
    if (kind == "history_polymetastatic") return "history.polymetastatic";
    if (kind == "history_oligometastatic") return "history.oligometastatic";
    if (kind == "systemic_therapy_active") return "systemic_therapy.active";
    if (kind == "metastases_diagnosed") return "metastases.diagnosed";
    if (kind == "lesion_size") return "lesions[].size_mm";
    if (kind == "lesion_status") return "lesions[].status";
    if (kind == "lesion_treatable") return "lesions[].treatable";
    return "lesions";
  }

  // The value an observation states for its kind; None (with a warning) when unusable.
  Val value_of(const std::string& kind, uint32_t o, const std::string& ref, const std::string& field) {
    auto unusable = [&](const std::string& why) {
      warn("fhir_unusable_value", field, ref + ": " + why + "; not used");
      return Val{};
    };
    if (kind == "ecog" || kind == "grade") {
      FhirTable t = kind == "ecog" ? FhirTable::Ecog : FhirTable::Grade;
      if (auto n = number(get(o, "valueInteger"))) {
        if (*n != std::floor(*n) || std::fabs(*n) > 1e9) return unusable("valueInteger is not an integer");
        return vint(static_cast<int64_t>(*n));
      }
      if (uint32_t cc = get(o, "valueCodeableConcept")) {
        Mapped r = map_cc(t, cc);
        return usable(r, t, field, ref) ? r.value : Val{};
      }
      for (uint32_t cc : items(get(o, "interpretation"))) {
        Mapped r = map_cc(t, cc);
        if (r.state != Mapped::S::Absent) return usable(r, t, field, ref) ? r.value : Val{};
      }
      return unusable("no valueInteger or coded value");
    }
    if (kind == "life_expectancy_months" || kind == "lesion_size") {
      uint32_t q = get(o, "valueQuantity");
      if (!q && kind == "lesion_size") {
        for (uint32_t comp : items(get(o, "component"))) {
          Mapped r = map_cc(FhirTable::SizeComponent, get(comp, "code"));
          if (r.state == Mapped::S::Value && r.value.b) {
            q = get(comp, "valueQuantity");
            break;
          }
        }
      }
      if (!q) return unusable("no valueQuantity");
      auto v = number(get(q, "value"));
      auto unit = str_at(q, "code");
      if (!unit) unit = str_at(q, "unit");
      if (!v) return unusable("the quantity has no numeric value");
      const auto& units = kind == "lesion_size" ? m_.size_mm_units : m_.life_expectancy_units;
      auto it = unit ? units.find(std::string(*unit)) : units.end();
      if (it == units.end()) {
        return unusable("unit '" + std::string(unit.value_or("")) + "' is not in the mapping's units for " + field);
      }
      // Rounded to 6 decimals so that 1.4 cm reads as 14 mm, not 14.000000000000002.
      return vnum(std::round(*v * it->second * 1e6) / 1e6);
    }
    if (kind == "lesion_status") {
      uint32_t cc = get(o, "valueCodeableConcept");
      if (!cc) return unusable("no valueCodeableConcept");
      Mapped r = map_cc(FhirTable::LesionStatus, cc);
      return usable(r, FhirTable::LesionStatus, field, ref) ? r.value : Val{};
    }
    if (kind == "metastases_diagnosed") {
      auto s = str_at(o, "valueDateTime");
      if (!s) return unusable("no valueDateTime");
      bool imprecise = false;
      auto r = fhir_date(*s, &imprecise);
      if (!r) return unusable(imprecise ? "the date is known only to the year" : "the date is not usable");
      return vtext(format_date(*r));
    }
    // Boolean kinds.
    auto b = boolean(get(o, "valueBoolean"));
    if (!b) return unusable("no valueBoolean");
    return vbool(*b);
  }

  // The most recent observation of `kind` on or before the as-of date (all when the as-of
  // date is unknown), optionally only those whose focus is `focus`. Values are read (and
  // unusable ones reported) only for the observations of that most recent date: an unusable
  // one says nothing, and usable ones that disagree leave the field unknown, with a warning.
  // An older observation never stands in for a newer unusable one.
  Val latest(const std::string& kind, uint32_t focus, const std::string& field) {
    auto it = observations_.find(kind);
    if (it == observations_.end()) return {};
    std::vector<const std::pair<uint32_t, Observed>*> best;
    for (const auto& entry : it->second) {
      const auto& [node, ob] = entry;
      if (focus) {
        bool match = false;
        for (uint32_t f : items(get(node, "focus"))) match = match || resolve(f) == focus;
        if (!match) continue;
      }
      if (as_of_) {
        Tri t = on_or_before(ob.date, *as_of_);
        if (t == Tri::No) continue;
        if (t == Tri::Unknown) {
          warn("fhir_imprecise_date", field,
               ob.ref + ": its date cannot be placed before or after the as-of date; not used");
          continue;
        }
      }
      const DateRange* b = best.empty() ? nullptr : &best.front()->second.date;
      if (!b || ob.date.lo > b->lo || (ob.date.lo == b->lo && ob.date.hi > b->hi)) {
        best.assign(1, &entry);
      } else if (ob.date.lo == b->lo && ob.date.hi == b->hi) {
        best.push_back(&entry);
      }
    }
    Val result;
    bool conflict = false;
    for (const auto* e : best) {
      Val v = value_of(kind, e->first, e->second.ref, field);
      if (v.k == Val::K::None) continue;
      if (result.k == Val::K::None) {
        result = std::move(v);
      } else if (!(result == v)) {
        conflict = true;
      }
    }
    if (conflict) {
      warn("fhir_conflict", field,
           "observations of the same date disagree (" + best.front()->second.ref + "); left unknown");
      return {};
    }
    return result;
  }

  // ---- The as-of date -------------------------------------------------------------------------
  void decide_as_of() {
    // Metastasis diagnosis date: an explicit observation, else the latest onset among the
    // secondary cancers present (the as-of date not yet known: all of them).
    as_of_ = opt_.as_of;
    Val explicit_date = latest("metastases_diagnosed", 0, "metastases.diagnosed");
    if (explicit_date.k == Val::K::Text) mets_diagnosed_ = parse_date(explicit_date.s);
    if (!mets_diagnosed_) {
      quiet_ = true;  // a first look for the onset dates; the second pass reports
      collect_lesions();
      quiet_ = false;
      std::optional<DateRange> latest_onset;
      for (const auto& l : lesions_) {
        if (l.onset && (!latest_onset || l.onset->hi > latest_onset->hi ||
                        (l.onset->hi == latest_onset->hi && l.onset->lo > latest_onset->lo))) {
          latest_onset = l.onset;
        }
      }
      mets_diagnosed_ = latest_onset;
    }
    if (!as_of_) {
      as_of_ = mets_diagnosed_;
      if (!as_of_) {
        warn("fhir_no_as_of_date", "assessed_on",
             "no as-of date given and no metastasis diagnosis date found: the most recent observations count");
      } else if (!as_of_->precise()) {
        warn("fhir_imprecise_date", "assessed_on",
             "the as-of date is known only to the month: observations up to the month's end count");
      }
    }
    lesions_.clear();
    lesions_unknown_ = false;
    collect_lesions();
    out_.as_of = as_of_;
  }

  void collect_lesions() {
    for (uint32_t c : secondaries_) {
      std::string ref = ref_of(c);
      Lesion l;
      l.node = c;
      l.ref = ref;
      if (str_at(c, "onsetDateTime")) {
        l.onset = date_at(c, "onsetDateTime", "metastases.diagnosed", ref);
      } else if (uint32_t p = get(c, "onsetPeriod")) {
        l.onset = date_at(p, "start", "metastases.diagnosed", ref);
      }
      // Present at the as-of date?
      Tri present = Tri::Unknown;
      Mapped cs = map_code(FhirTable::LesionClinicalStatus, clinical_system(c), clinical_code(c));
      if (cs.state == Mapped::S::Value) present = cs.value.b ? Tri::Yes : Tri::No;
      if (as_of_ && l.onset) {
        Tri t = on_or_before(*l.onset, *as_of_);
        if (t == Tri::No) continue;  // diagnosed after the as-of date
        if (t == Tri::Unknown) present = Tri::Unknown;
      }
      if (as_of_ && str_at(c, "abatementDateTime")) {
        auto ab = date_at(c, "abatementDateTime", "lesions", ref);
        if (ab) {
          Tri t = on_or_before(*ab, *as_of_);
          if (t == Tri::Yes) continue;  // gone by the as-of date
          if (t == Tri::No) present = Tri::Yes;
          if (t == Tri::Unknown) present = Tri::Unknown;
        }
      }
      if (present == Tri::No) continue;
      if (present == Tri::Unknown) {
        if (as_of_) {
          usable(cs, FhirTable::LesionClinicalStatus, "lesions", ref);
          warn("fhir_unusable_value", "lesions",
               ref + ": whether this secondary cancer is present at the as-of date is unknown; lesions left unknown");
          lesions_unknown_ = true;
        }
        continue;
      }
      lesions_.push_back(std::move(l));
    }
  }
  static std::string_view clinical_system_url() { return "http://terminology.hl7.org/CodeSystem/condition-clinical"; }
  std::string_view clinical_system(uint32_t c) const {
    for (uint32_t coding : items(get(get(c, "clinicalStatus"), "coding"))) {
      if (auto s = str_at(coding, "system")) return *s;
    }
    return clinical_system_url();
  }
  std::optional<std::string_view> clinical_code(uint32_t c) const {
    for (uint32_t coding : items(get(get(c, "clinicalStatus"), "coding"))) {
      if (auto s = str_at(coding, "code")) return s;
    }
    return std::nullopt;
  }

  // ---- Fields ------------------------------------------------------------------------------------
  std::optional<std::string> lesion_site(const Lesion& l, const std::string& field) {
    if (uint32_t e = extension(l.node, m_.ext_lesion_site)) {
      Mapped r;
      if (uint32_t cc = get(e, "valueCodeableConcept")) {
        r = map_cc(FhirTable::LesionSite, cc);
      } else if (uint32_t c = get(e, "valueCoding")) {
        map_coding(FhirTable::LesionSite, c, r);
      }
      if (r.state == Mapped::S::Absent) {
        warn("fhir_unusable_value", field, l.ref + ": the lesion-site extension has no coded value");
        return std::nullopt;
      }
      return usable(r, FhirTable::LesionSite, field, l.ref) ? std::optional<std::string>(r.value.s) : std::nullopt;
    }
    Mapped first_unmapped;
    for (uint32_t cc : items(get(l.node, "bodySite"))) {
      Mapped r = map_cc(FhirTable::LesionSite, cc);
      if (r.state == Mapped::S::Value || r.state == Mapped::S::Conflict) {
        return usable(r, FhirTable::LesionSite, field, l.ref) ? std::optional<std::string>(r.value.s) : std::nullopt;
      }
      if (first_unmapped.state == Mapped::S::Absent) first_unmapped = r;
    }
    Mapped r = map_cc(FhirTable::LesionSite, get(l.node, "code"));
    if (r.state == Mapped::S::Value || r.state == Mapped::S::Conflict) {
      return usable(r, FhirTable::LesionSite, field, l.ref) ? std::optional<std::string>(r.value.s) : std::nullopt;
    }
    if (first_unmapped.state == Mapped::S::Absent) first_unmapped = r;
    if (first_unmapped.state == Mapped::S::Absent || first_unmapped.state == Mapped::S::Null) {
      warn("fhir_unusable_value", field, l.ref + ": no body site that the mapping knows");
    } else {
      usable(first_unmapped, FhirTable::LesionSite, field, l.ref);
    }
    return std::nullopt;
  }

  void write(std::string_view case_id) {
    std::string& j = out_.json;
    j.clear();
    JsonWriter w(j);
    w.begin_object();
    std::string id(case_id);
    if (id.empty() && patient_) id = std::string(str_at(patient_, "id").value_or(""));
    if (!id.empty()) w.key("id").string(id);
    if (as_of_) w.key("assessed_on").string(format_date(*as_of_));

    // Patient: age and sex.
    if (patient_) {
      std::string ref = ref_of(patient_);
      if (auto b = date_at(patient_, "birthDate", "age", ref)) {
        if (as_of_) {
          int lo = years_between(b->hi, as_of_->lo);
          int hi = years_between(b->lo, as_of_->hi);
          if (lo == hi) {
            w.key("age").integer(lo);
          } else {
            warn("fhir_imprecise_date", "age", ref + ": birth date too imprecise for the age at the as-of date");
          }
        }
      }
      Mapped sex = map_code(FhirTable::Sex, "http://hl7.org/fhir/administrative-gender", str_at(patient_, "gender"));
      if (usable(sex, FhirTable::Sex, "sex", ref)) w.key("sex").string(sex.value.s);
    }

    // Primary cancer: histology, site, dates, control.
    std::optional<std::string> histology, psite, pdiag, ptc;
    std::optional<bool> controlled;
    if (primary_) {
      std::string ref = ref_of(primary_);
      if (uint32_t e = extension(primary_, m_.ext_histology)) {
        Mapped r = map_cc(FhirTable::Histology, get(e, "valueCodeableConcept"));
        if (r.state == Mapped::S::Absent) {
          warn("fhir_unusable_value", "histology", ref + ": the histology extension has no coded value");
        } else if (usable(r, FhirTable::Histology, "histology", ref)) {
          histology = r.value.s;
        }
      } else {
        Mapped r = map_cc(FhirTable::Histology, get(primary_, "code"));
        if (r.state == Mapped::S::Value) histology = r.value.s;
      }
      for (uint32_t cc : items(get(primary_, "bodySite"))) {
        std::string t = cc_text(cc);
        if (!t.empty()) {
          psite = t;
          break;
        }
      }
      std::optional<DateRange> onset;
      if (str_at(primary_, "onsetDateTime")) {
        onset = date_at(primary_, "onsetDateTime", "primary.diagnosed", ref);
      } else if (uint32_t p = get(primary_, "onsetPeriod")) {
        onset = date_at(p, "start", "primary.diagnosed", ref);
      }
      if (onset) pdiag = format_date(*onset);
      if (uint32_t e = extension(primary_, m_.ext_primary_treatment_completed)) {
        std::optional<DateRange> tc;
        if (str_at(e, "valueDate")) tc = date_at(e, "valueDate", "primary.treatment_completed", ref);
        if (str_at(e, "valueDateTime")) tc = date_at(e, "valueDateTime", "primary.treatment_completed", ref);
        if (tc) ptc = format_date(*tc);
      }
      Mapped cs = map_code(FhirTable::PrimaryClinicalStatus, clinical_system(primary_), clinical_code(primary_));
      if (usable(cs, FhirTable::PrimaryClinicalStatus, "primary.controlled", ref)) controlled = cs.value.b;
    }
    Val pc = latest("primary_controlled", 0, "primary.controlled");
    if (pc.k == Val::K::Bool) controlled = pc.b;
    if (histology) w.key("histology").string(*histology);
    Val grade = latest("grade", 0, "grade");
    if (grade.k == Val::K::Int) w.key("grade").integer(grade.i);
    Val ecog = latest("ecog", 0, "ecog");
    if (ecog.k == Val::K::Int) w.key("ecog").integer(ecog.i);
    Val life = latest("life_expectancy_months", 0, "life_expectancy_months");
    if (life.k == Val::K::Num) w.key("life_expectancy_months").number(life.d);

    if (psite || pdiag || controlled || ptc) {
      w.key("primary").begin_object();
      if (psite) w.key("site").string(*psite);
      if (pdiag) w.key("diagnosed").string(*pdiag);
      if (controlled) w.key("controlled").boolean(*controlled);
      if (ptc) w.key("treatment_completed").string(*ptc);
      w.end_object();
    }
    Val hp = latest("history_polymetastatic", 0, "history.polymetastatic");
    Val ho = latest("history_oligometastatic", 0, "history.oligometastatic");
    if (hp.k == Val::K::Bool || ho.k == Val::K::Bool) {
      w.key("history").begin_object();
      if (hp.k == Val::K::Bool) w.key("polymetastatic").boolean(hp.b);
      if (ho.k == Val::K::Bool) w.key("oligometastatic").boolean(ho.b);
      w.end_object();
    }
    if (mets_diagnosed_) {
      w.key("metastases").begin_object();
      w.key("diagnosed").string(format_date(*mets_diagnosed_));
      w.end_object();
    }
    write_systemic_therapy(w);
    write_imaging(w);
    write_lesions(w);
    w.end_object();
  }

  // ---- Systemic therapy ---------------------------------------------------------------------
  void collect_meds() {
    static const char* kTypes[] = {"MedicationRequest", "MedicationAdministration", "MedicationStatement"};
    for (const char* type : kTypes) {
      for (uint32_t r : of_type(type)) {
        auto status = str_at(r, "status").value_or("");
        if (status == "entered-in-error" || status == "cancelled" || status == "not-taken" || status == "draft" ||
            status == "not-done" || status == "unknown") {
          continue;
        }
        Med med;
        med.node = r;
        med.ref = ref_of(r);
        uint32_t cc = get(r, "medicationCodeableConcept");
        if (!cc) {
          if (uint32_t mr = get(r, "medicationReference")) cc = get(resolve(mr), "code");
        }
        med.anticancer = map_cc(FhirTable::SystemicTherapy, cc);
        med.agent = cc_text(cc);
        std::string field = "systemic_therapy.active";
        uint32_t period = 0;
        if (std::string_view(type) == "MedicationRequest") {
          for (uint32_t di : items(get(r, "dosageInstruction"))) {
            if (!period) period = get(get(get(di, "timing"), "repeat"), "boundsPeriod");
          }
          if (!period) period = get(get(r, "dispenseRequest"), "validityPeriod");
          if (period) {
            med.start = date_at(period, "start", field, med.ref);
            if (str_at(period, "end")) med.end = date_at(period, "end", field, med.ref);
          }
          if (!med.start && str_at(r, "authoredOn")) med.start = date_at(r, "authoredOn", field, med.ref);
          med.open_ended = status == "active" || status == "on-hold";
        } else {
          if (str_at(r, "effectiveDateTime")) {
            med.start = date_at(r, "effectiveDateTime", field, med.ref);
            med.end = med.start;
          } else if ((period = get(r, "effectivePeriod")) != 0) {
            med.start = date_at(period, "start", field, med.ref);
            if (str_at(period, "end")) med.end = date_at(period, "end", field, med.ref);
          }
          med.open_ended = status == "active" || status == "in-progress" || status == "intended";
        }
        meds_.push_back(std::move(med));
      }
    }
  }

  // Was `med` being taken on day range `d`? Unknown when its dates cannot say.
  static Tri covers(const Med& med, DateRange d) {
    if (!med.start) return Tri::Unknown;
    Tri started = on_or_before(*med.start, d);
    if (started == Tri::No) return Tri::No;
    Tri not_ended = Tri::Unknown;
    if (med.end) {
      Tri ended_before = on_or_before(*med.end, DateRange{d.lo - 1, d.lo - 1});
      not_ended =
          ended_before == Tri::Yes ? Tri::No : (on_or_before(d, *med.end) == Tri::Yes ? Tri::Yes : Tri::Unknown);
    } else if (med.open_ended) {
      not_ended = Tri::Yes;
    }
    if (not_ended == Tri::No) return Tri::No;
    if (started == Tri::Yes && not_ended == Tri::Yes) return Tri::Yes;
    return Tri::Unknown;
  }

  void write_systemic_therapy(JsonWriter& w) {
    collect_meds();
    const std::string field = "systemic_therapy.active";
    bool any_yes = false, any_maybe = false;
    std::vector<std::string> agents;
    for (const auto& med : meds_) {
      Tri on = mets_diagnosed_ ? covers(med, *mets_diagnosed_) : Tri::Unknown;
      if (on == Tri::No) continue;
      bool anticancer_known = med.anticancer.state == Mapped::S::Value;
      if (!anticancer_known) {
        usable(med.anticancer, FhirTable::SystemicTherapy, field, med.ref);
        if (med.anticancer.state == Mapped::S::Absent) {
          warn("fhir_unusable_value", field, med.ref + ": no medication code");
        }
        any_maybe = true;
        continue;
      }
      if (!med.anticancer.value.b) continue;
      if (on == Tri::Yes) {
        any_yes = true;
        if (!med.agent.empty() && std::find(agents.begin(), agents.end(), med.agent) == agents.end()) {
          agents.push_back(med.agent);
        }
      } else {
        any_maybe = true;
        if (mets_diagnosed_) {
          warn("fhir_imprecise_date", field,
               med.ref + ": whether it was taken on the metastasis diagnosis date cannot be told from its dates");
        }
      }
    }
    Val obs = latest("systemic_therapy_active", 0, field);
    std::optional<bool> active;
    if (any_yes) {
      active = true;
      if (obs.k == Val::K::Bool && !obs.b) {
        warn("fhir_conflict", field,
             "an observation says no systemic therapy, but anticancer medication was active on the metastasis "
             "diagnosis date; left unknown");
        active.reset();
      }
    } else if (obs.k == Val::K::Bool) {
      active = obs.b;
    } else if (any_maybe) {
      active.reset();
    }
    if (!active) return;
    w.key("systemic_therapy").begin_object();
    w.key("active").boolean(*active);
    if (*active && !agents.empty()) {
      std::string a;
      for (size_t i = 0; i < agents.size(); ++i) a += (i ? " and " : "") + agents[i];
      w.key("agent").string(a);
    }
    w.end_object();
  }

  // ---- Imaging ---------------------------------------------------------------------------------
  void write_imaging(JsonWriter& w) {
    const std::string field = "imaging";
    std::optional<DateRange> window;
    if (mets_diagnosed_ && as_of_) {
      window = DateRange{mets_diagnosed_->lo - m_.imaging_window_days, std::max(as_of_->hi, mets_diagnosed_->hi)};
    }
    std::vector<std::string> found;
    bool unknown = false, any = false;
    auto consider = [&](uint32_t res, std::optional<DateRange> date, const std::vector<uint32_t>& ccs) {
      std::string ref = ref_of(res);
      if (window) {
        if (!date) {
          warn("fhir_unusable_value", field, ref + ": no date; cannot tell whether it staged the current state");
          unknown = true;
          return;
        }
        if (date->hi < window->lo || date->lo > window->hi) return;
        if (date->lo < window->lo || date->hi > window->hi) {
          warn("fhir_imprecise_date", field, ref + ": its date cannot be placed in the staging window");
          unknown = true;
          return;
        }
      }
      any = true;
      Mapped best;
      for (uint32_t cc : ccs) {
        Mapped r = map_cc(FhirTable::Imaging, cc);
        if (r.state == Mapped::S::Value || r.state == Mapped::S::Conflict || best.state == Mapped::S::Absent) best = r;
        if (r.state == Mapped::S::Value) break;
      }
      if (best.state == Mapped::S::Absent) {
        warn("fhir_unusable_value", field, ref + ": no procedure code");
        unknown = true;
        return;
      }
      if (!usable(best, FhirTable::Imaging, field, ref)) {
        unknown = true;
        return;
      }
      if (std::find(found.begin(), found.end(), best.value.s) == found.end()) found.push_back(best.value.s);
    };
    for (uint32_t s : of_type("ImagingStudy")) {
      auto status = str_at(s, "status").value_or("");
      if (status == "cancelled" || status == "entered-in-error" || status == "registered") continue;
      std::optional<DateRange> date;
      if (str_at(s, "started")) date = date_at(s, "started", field, ref_of(s));
      consider(s, date, items(get(s, "procedureCode")));
    }
    for (uint32_t p : of_type("Procedure")) {
      Mapped cat = map_cc(FhirTable::ImagingCategory, get(p, "category"));
      Mapped code = map_cc(FhirTable::Imaging, get(p, "code"));
      bool imaging = (cat.state == Mapped::S::Value && cat.value.b) || code.state == Mapped::S::Value;
      if (!imaging) continue;
      if (str_at(p, "status").value_or("") != "completed") continue;
      std::optional<DateRange> date;
      if (str_at(p, "performedDateTime")) {
        date = date_at(p, "performedDateTime", field, ref_of(p));
      } else if (uint32_t per = get(p, "performedPeriod")) {
        date = date_at(per, "start", field, ref_of(p));
      }
      std::vector<uint32_t> ccs;
      if (uint32_t c = get(p, "code")) ccs.push_back(c);
      consider(p, date, ccs);
    }
    if (unknown) {
      if (any || !found.empty()) {
        warn("fhir_incomplete_list", field, "an imaging study could not be mapped or dated; imaging left unknown");
      }
      return;
    }
    if (found.empty()) return;  // no imaging recorded: unknown, not "none"
    // Schema order, so that the same staging always reads the same.
    const std::vector<std::string> order = {
        "ct_chest",  "ct_chest_abdomen_pelvis", "ct_abdomen_pelvis", "pet_ct",    "mri_brain",  "mri_spine",
        "mri_liver", "mri_whole_body",          "mri_local",         "bone_scan", "chest_xray", "ultrasound"};
    std::stable_sort(found.begin(), found.end(), [&](const std::string& a, const std::string& b) {
      auto ia = std::find(order.begin(), order.end(), a) - order.begin();
      auto ib = std::find(order.begin(), order.end(), b) - order.begin();
      return ia < ib;
    });
    w.key("imaging").begin_array();
    for (const auto& f : found) w.string(f);
    w.end_array();
  }

  // ---- Lesions ---------------------------------------------------------------------------------
  void write_lesions(JsonWriter& w) {
    Val none = latest("metastatic_disease", 0, "lesions");
    if (none.k == Val::K::Bool && !none.b) {
      if (!lesions_.empty() || lesions_unknown_) {
        warn("fhir_conflict", "lesions",
             "an observation says no metastatic disease, but secondary cancer Conditions are present; lesions left "
             "unknown");
        return;
      }
      w.key("lesions").begin_array().end_array();
      return;
    }
    if (lesions_unknown_ || lesions_.empty()) return;
    struct Out {
      std::string site;
      Val size, status;
      std::optional<bool> treatable;
    };
    std::vector<Out> outs;
    bool unknown = false;
    for (size_t i = 0; i < lesions_.size(); ++i) {
      const Lesion& l = lesions_[i];
      std::string prefix = "lesions[" + std::to_string(i) + "].";
      auto site = lesion_site(l, prefix + "site");
      if (!site) {
        unknown = true;
        continue;
      }
      Out o;
      o.site = *site;
      o.size = latest("lesion_size", l.node, prefix + "size_mm");
      o.status = latest("lesion_status", l.node, prefix + "status");
      if (uint32_t e = extension(l.node, m_.ext_lesion_treatable)) {
        if (auto b = boolean(get(e, "valueBoolean"))) {
          o.treatable = *b;
        } else {
          warn("fhir_unusable_value", prefix + "treatable",
               l.ref + ": the lesion-treatable extension has no valueBoolean");
        }
      }
      Val t = latest("lesion_treatable", l.node, prefix + "treatable");
      if (t.k == Val::K::Bool) o.treatable = t.b;
      outs.push_back(std::move(o));
    }
    if (unknown) {
      warn("fhir_incomplete_list", "lesions",
           "a lesion's site could not be mapped; a lesion cannot be recorded without its site, so lesions are left "
           "unknown rather than counted short");
      return;
    }
    w.key("lesions").begin_array();
    for (const auto& o : outs) {
      w.begin_object();
      w.key("site").string(o.site);
      if (o.size.k == Val::K::Num) w.key("size_mm").number(o.size.d);
      if (o.status.k == Val::K::Text) w.key("status").string(o.status.s);
      if (o.treatable) w.key("treatable").boolean(*o.treatable);
      w.end_object();
    }
    w.end_array();
  }

  const FhirMapping& m_;
  const Doc& d_;
  const FhirOptions& opt_;
  FhirPatient& out_;
  std::unordered_map<std::string, uint32_t> by_ref_;
  std::unordered_map<std::string, std::vector<uint32_t>> by_type_;
  std::vector<std::pair<std::string, uint32_t>> full_urls_;
  std::map<std::string, std::vector<std::pair<uint32_t, Observed>>> observations_;
  uint32_t patient_ = 0, primary_ = 0;
  std::vector<uint32_t> secondaries_;
  std::vector<Lesion> lesions_;
  bool lesions_unknown_ = false;
  bool quiet_ = false;
  std::vector<Med> meds_;
  std::optional<DateRange> as_of_, mets_diagnosed_;
};

InputError type_error(const Doc& d, uint32_t n, std::string field, std::string message) {
  InputError e;
  e.kind = "type";
  e.field = std::move(field);
  e.pos = n ? d.node(n).pos : Pos{};
  e.message = std::move(message);
  return e;
}

}  // namespace

std::optional<DateRange> parse_as_of(std::string_view text) {
  if (text.size() != 10) return std::nullopt;
  auto r = parse_date(text);
  if (!r || !r->precise()) return std::nullopt;
  return r;
}

bool bundle_resources(const Doc& doc, uint32_t bundle, std::vector<uint32_t>& resources,
                      std::vector<InputError>& errors) {
  const DocNode& root = doc.node(bundle);
  if (!root.is_map()) {
    errors.push_back(type_error(doc, bundle, "", "a FHIR Bundle must be a JSON object"));
    return false;
  }
  uint32_t rt = doc.find(bundle, "resourceType");
  if (!rt || doc.node(rt).text != "Bundle" || doc.node(rt).style != ScalarStyle::Quoted) {
    errors.push_back(type_error(doc, rt ? rt : bundle, "resourceType", "resourceType must be \"Bundle\""));
    return false;
  }
  uint32_t type = doc.find(bundle, "type");
  if (!type || (doc.node(type).text != "collection" && doc.node(type).text != "searchset")) {
    errors.push_back(
        type_error(doc, type ? type : bundle, "type", "Bundle.type must be \"collection\" or \"searchset\""));
    return false;
  }
  uint32_t entry = doc.find(bundle, "entry");
  if (entry && !doc.node(entry).is_seq()) {
    errors.push_back(type_error(doc, entry, "entry", "Bundle.entry must be an array"));
    return false;
  }
  if (!entry) return true;
  for (uint32_t e : doc.items(entry)) {
    uint32_t r = doc.find(e, "resource");
    if (r && doc.node(r).is_map()) resources.push_back(r);
  }
  return true;
}

void map_fhir_resources(const FhirMapping& mapping, const Doc& doc, const std::vector<uint32_t>& resources,
                        std::string_view case_id, const FhirOptions& opt, FhirPatient& out) {
  out.json.clear();
  out.warnings.clear();
  out.errors.clear();
  out.as_of.reset();
  Mapper mapper(mapping, doc, opt, out);
  mapper.run(resources, case_id);
}

bool read_fhir_bundle(const FhirMapping& mapping, std::string_view text, const FhirOptions& opt, FhirPatient& out) {
  out.json.clear();
  out.warnings.clear();
  out.errors.clear();
  out.as_of.reset();
  Doc doc;
  JsonLimits limits;
  limits.max_bytes = opt.max_bytes;
  limits.max_depth = opt.max_depth;
  limits.max_nodes = opt.max_nodes;
  limits.max_string_bytes = opt.max_string_bytes;
  JsonError err;
  if (!read_json(text, limits, doc, err)) {
    InputError e;
    e.kind = err.kind;
    e.pos = err.pos;
    e.has_offset = err.kind == "encoding";
    e.message = err.message;
    out.errors.push_back(std::move(e));
    return false;
  }
  std::vector<uint32_t> resources;
  if (!bundle_resources(doc, doc.root(), resources, out.errors)) return false;
  std::string id;
  if (auto ident = doc.find(doc.root(), "identifier")) {
    if (auto v = doc.find(ident, "value"); v && doc.node(v).is_scalar()) id = std::string(doc.node(v).text);
  }
  Mapper mapper(mapping, doc, opt, out);
  // fullUrl references (urn:uuid:...) resolve like Type/id ones.
  if (uint32_t entry = doc.find(doc.root(), "entry")) {
    for (uint32_t e : doc.items(entry)) {
      uint32_t fu = doc.find(e, "fullUrl");
      uint32_t r = doc.find(e, "resource");
      if (fu && r && doc.node(fu).is_scalar()) mapper.add_full_url(std::string(doc.node(fu).text), r);
    }
  }
  mapper.run(resources, id);
  return true;
}

}  // namespace oligoscreen::detail
