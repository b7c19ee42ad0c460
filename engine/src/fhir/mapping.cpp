#include "fhir/mapping.hpp"

#include <algorithm>
#include <array>

#include "api/screen.hpp"
#include "core/doc.hpp"
#include "core/sha256.hpp"
#include "patient/scalar_parse.hpp"
#include "rules/loader.hpp"
#include "yaml/yaml_reader.hpp"

namespace oligoscreen::detail {

namespace {

using scalar::DecimalStatus;
using scalar::is_decimal;
using scalar::parse_decimal;

constexpr std::array<std::string_view, static_cast<size_t>(FhirTable::kCount)> kTableNames = {"primary_condition",
                                                                                              "secondary_condition",
                                                                                              "primary_clinical_status",
                                                                                              "lesion_clinical_status",
                                                                                              "histology",
                                                                                              "lesion_site",
                                                                                              "observation",
                                                                                              "size_component",
                                                                                              "ecog",
                                                                                              "grade",
                                                                                              "lesion_status",
                                                                                              "sex",
                                                                                              "imaging",
                                                                                              "imaging_category",
                                                                                              "systemic_therapy"};

// The observation kinds the reader understands (table `observation`).
constexpr std::array<std::string_view, 12> kObservationKinds = {"ecog",
                                                                "life_expectancy_months",
                                                                "grade",
                                                                "primary_controlled",
                                                                "history_polymetastatic",
                                                                "history_oligometastatic",
                                                                "systemic_therapy_active",
                                                                "metastases_diagnosed",
                                                                "metastatic_disease",
                                                                "lesion_status",
                                                                "lesion_size",
                                                                "lesion_treatable"};

enum class ValueType : uint8_t { Bool, Int, Enum, Kind };

struct TableSpec {
  ValueType type;
  int64_t min = 0, max = 0;    // Int
  const EnumDef* e = nullptr;  // Enum
  std::string field;           // for messages
};

class Loader {
 public:
  Loader(std::string_view file, const Doc& doc, const Schema& schema, Diagnostics& diags)
      : file_(file), doc_(doc), schema_(schema), diags_(diags) {}

  bool run(FhirMapping& m) {
    uint32_t root = doc_.root();
    if (doc_.empty() || !doc_.node(root).is_map()) {
      diags_.error(file_, doc_.empty() ? Pos{1, 1, 0} : doc_.node(root).pos, "the FHIR mapping must be a mapping");
      return false;
    }
    static constexpr std::array<std::string_view, 9> kTop = {
        "id", "version", "systems", "parameters", "profiles", "extensions", "units", "tables", "description"};
    for (const auto& e : doc_.entries(root)) {
      std::string_view k = doc_.node(e.key).text;
      if (std::find(kTop.begin(), kTop.end(), k) == kTop.end()) {
        diags_.error(file_, doc_.node(e.key).pos, "unknown key '" + std::string(k) + "' in the FHIR mapping");
      }
    }
    m.id = text_of(doc_.find(root, "id"), "id", root);
    m.version = text_of(doc_.find(root, "version"), "version", root);
    read_systems(doc_.find(root, "systems"));
    if (uint32_t p = doc_.find(root, "parameters")) {
      for (const auto& e : doc_.entries(p)) {
        std::string_view k = doc_.node(e.key).text;
        if (k == "imaging_window_days") {
          int64_t v = 0;
          if (integer(e.value, 0, 3650, v)) m.imaging_window_days = static_cast<int32_t>(v);
        } else {
          diags_.error(file_, doc_.node(e.key).pos, "unknown parameter '" + std::string(k) + "'");
        }
      }
    }
    if (uint32_t p = doc_.find(root, "profiles")) {
      for (const auto& e : doc_.entries(p)) {
        std::string_view k = doc_.node(e.key).text;
        if (k == "primary_cancer_condition") {
          m.primary_profiles = strings(e.value);
        } else if (k == "secondary_cancer_condition") {
          m.secondary_profiles = strings(e.value);
        } else {
          diags_.error(file_, doc_.node(e.key).pos, "unknown profile role '" + std::string(k) + "'");
        }
      }
    }
    if (uint32_t p = doc_.find(root, "extensions")) {
      for (const auto& e : doc_.entries(p)) {
        std::string_view k = doc_.node(e.key).text;
        std::string url = text_of(e.value, std::string(k), e.key);
        if (k == "histology") {
          m.ext_histology = url;
        } else if (k == "lesion_site") {
          m.ext_lesion_site = url;
        } else if (k == "lesion_treatable") {
          m.ext_lesion_treatable = url;
        } else if (k == "primary_treatment_completed") {
          m.ext_primary_treatment_completed = url;
        } else {
          diags_.error(file_, doc_.node(e.key).pos, "unknown extension role '" + std::string(k) + "'");
        }
      }
    }
    if (uint32_t p = doc_.find(root, "units")) {
      for (const auto& e : doc_.entries(p)) {
        std::string_view k = doc_.node(e.key).text;
        auto* target = k == "size_mm"                  ? &m.size_mm_units
                       : k == "life_expectancy_months" ? &m.life_expectancy_units
                                                       : nullptr;
        if (!target) {
          diags_.error(file_, doc_.node(e.key).pos, "unknown unit table '" + std::string(k) + "'");
          continue;
        }
        for (const auto& u : doc_.entries(e.value)) {
          double f = 0;
          const DocNode& n = doc_.node(u.value);
          if (!n.is_scalar() || parse_decimal(n.text, f) != DecimalStatus::Ok || f <= 0) {
            diags_.error(file_, n.pos, "a unit factor must be a positive number");
            continue;
          }
          (*target)[std::string(doc_.node(u.key).text)] = f;
        }
      }
    }
    m.tables.assign(static_cast<size_t>(FhirTable::kCount), {});
    if (uint32_t t = doc_.find(root, "tables")) read_tables(t, m);
    return !diags_.has_errors();
  }

 private:
  std::string text_of(uint32_t node, const std::string& what, uint32_t parent) {
    if (node == 0) {
      diags_.error(file_, doc_.node(parent).pos, "missing '" + what + "'");
      return {};
    }
    const DocNode& n = doc_.node(node);
    if (!n.is_scalar() || n.text.empty()) {
      diags_.error(file_, n.pos, "'" + what + "' must be a non-empty text");
      return {};
    }
    return std::string(n.text);
  }

  std::vector<std::string> strings(uint32_t node) {
    std::vector<std::string> out;
    const DocNode& n = doc_.node(node);
    if (!n.is_seq()) {
      diags_.error(file_, n.pos, "expected a list of URLs");
      return out;
    }
    for (uint32_t i : doc_.items(node)) out.push_back(text_of(i, "URL", node));
    return out;
  }

  bool integer(uint32_t node, int64_t lo, int64_t hi, int64_t& out) {
    const DocNode& n = doc_.node(node);
    bool integral = false;
    double d = 0;
    if (!n.is_scalar() || n.style != ScalarStyle::Plain || !is_decimal(n.text, &integral) || !integral ||
        parse_decimal(n.text, d) != DecimalStatus::Ok || d < static_cast<double>(lo) || d > static_cast<double>(hi)) {
      diags_.error(file_, n.pos, "expected an integer from " + std::to_string(lo) + " to " + std::to_string(hi));
      return false;
    }
    out = static_cast<int64_t>(d);
    return true;
  }

  void read_systems(uint32_t node) {
    if (node == 0) return;
    for (const auto& e : doc_.entries(node)) {
      systems_[std::string(doc_.node(e.key).text)] = text_of(e.value, "system URL", e.key);
    }
  }

  const EnumDef* enum_of(std::string_view path, std::string_view sub = {}) {
    int slot = schema_.find(path);
    if (slot < 0) return nullptr;
    const FieldDef* f = &schema_.fields[static_cast<size_t>(slot)];
    if (!sub.empty()) {
      const FieldDef* found = nullptr;
      for (const auto& s : f->fields) {
        if (s.path == sub) found = &s;
      }
      f = found;
    }
    if (!f || f->enum_id < 0) return nullptr;
    return &schema_.enums[static_cast<size_t>(f->enum_id)];
  }

  bool spec_for(FhirTable t, TableSpec& s) {
    switch (t) {
      case FhirTable::PrimaryCondition:
      case FhirTable::SecondaryCondition:
      case FhirTable::PrimaryClinicalStatus:
      case FhirTable::LesionClinicalStatus:
      case FhirTable::SizeComponent:
      case FhirTable::ImagingCategory:
      case FhirTable::SystemicTherapy:
        s = {ValueType::Bool, 0, 0, nullptr, ""};
        return true;
      case FhirTable::Ecog:
        s = {ValueType::Int, 0, 4, nullptr, "ecog"};
        return true;
      case FhirTable::Grade:
        s = {ValueType::Int, 1, 3, nullptr, "grade"};
        return true;
      case FhirTable::Observation:
        s = {ValueType::Kind, 0, 0, nullptr, ""};
        return true;
      case FhirTable::Histology:
        s = {ValueType::Enum, 0, 0, enum_of("histology"), "histology"};
        break;
      case FhirTable::Sex:
        s = {ValueType::Enum, 0, 0, enum_of("sex"), "sex"};
        break;
      case FhirTable::Imaging:
        s = {ValueType::Enum, 0, 0, enum_of("imaging"), "imaging"};
        break;
      case FhirTable::LesionSite:
        s = {ValueType::Enum, 0, 0, enum_of("lesions", "site"), "lesions[].site"};
        break;
      case FhirTable::LesionStatus:
        s = {ValueType::Enum, 0, 0, enum_of("lesions", "status"), "lesions[].status"};
        break;
      case FhirTable::kCount:
        return false;
    }
    return s.e != nullptr;
  }

  void read_tables(uint32_t tables, FhirMapping& m) {
    for (const auto& te : doc_.entries(tables)) {
      std::string_view name = doc_.node(te.key).text;
      auto it = std::find(kTableNames.begin(), kTableNames.end(), name);
      if (it == kTableNames.end()) {
        diags_.error(file_, doc_.node(te.key).pos, "unknown table '" + std::string(name) + "'");
        continue;
      }
      auto t = static_cast<FhirTable>(it - kTableNames.begin());
      TableSpec spec;
      if (!spec_for(t, spec)) {
        diags_.error(file_, doc_.node(te.key).pos,
                     "table '" + std::string(name) + "' feeds " + spec.field +
                         ", which the rule set's schema does not "
                         "declare as an enum");
        continue;
      }
      if (!doc_.node(te.value).is_map()) {
        diags_.error(file_, doc_.node(te.value).pos, "a table maps code-system aliases to code: value entries");
        continue;
      }
      auto& by_system = m.tables[static_cast<size_t>(t)];
      for (const auto& se : doc_.entries(te.value)) {
        std::string alias(doc_.node(se.key).text);
        auto sys = systems_.find(alias);
        if (sys == systems_.end()) {
          diags_.error(file_, doc_.node(se.key).pos,
                       "unknown code-system alias '" + alias + "' (declare it under systems)");
          continue;
        }
        auto& st = by_system[sys->second];
        if (!doc_.node(se.value).is_map()) {
          diags_.error(file_, doc_.node(se.value).pos, "expected code: value entries");
          continue;
        }
        for (const auto& ce : doc_.entries(se.value)) {
          std::string code(doc_.node(ce.key).text);
          FhirValue v;
          if (!value(ce.value, spec, v)) continue;
          if (code.size() > 1 && code.back() == '*') {
            st.prefixes.emplace_back(code.substr(0, code.size() - 1), std::move(v));
          } else if (code == "*") {
            st.prefixes.emplace_back(std::string(), std::move(v));
          } else {
            st.exact.emplace(code, std::move(v));
          }
        }
        std::stable_sort(st.prefixes.begin(), st.prefixes.end(),
                         [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
      }
    }
  }

  bool value(uint32_t node, const TableSpec& spec, FhirValue& v) {
    const DocNode& n = doc_.node(node);
    if (n.is_null()) {
      v.kind = FhirValue::Kind::Null;
      return true;
    }
    if (!n.is_scalar()) {
      diags_.error(file_, n.pos, "a table value must be a scalar or null");
      return false;
    }
    switch (spec.type) {
      case ValueType::Bool:
        if (n.style == ScalarStyle::Plain && (n.text == "true" || n.text == "false")) {
          v.kind = FhirValue::Kind::Bool;
          v.b = n.text == "true";
          return true;
        }
        diags_.error(file_, n.pos, "expected true, false or null");
        return false;
      case ValueType::Int: {
        int64_t i = 0;
        if (!integer(node, spec.min, spec.max, i)) return false;
        v.kind = FhirValue::Kind::Int;
        v.i = i;
        return true;
      }
      case ValueType::Enum:
        if (spec.e->index_of(n.text) < 0) {
          diags_.error(file_, n.pos, "'" + std::string(n.text) + "' is not a value of " + spec.field);
          return false;
        }
        v.kind = FhirValue::Kind::Text;
        v.text = std::string(n.text);
        return true;
      case ValueType::Kind:
        if (std::find(kObservationKinds.begin(), kObservationKinds.end(), n.text) == kObservationKinds.end()) {
          diags_.error(file_, n.pos, "'" + std::string(n.text) + "' is not an observation kind the reader knows");
          return false;
        }
        v.kind = FhirValue::Kind::Text;
        v.text = std::string(n.text);
        return true;
    }
    return false;
  }

  std::string_view file_;
  const Doc& doc_;
  const Schema& schema_;
  Diagnostics& diags_;
  std::unordered_map<std::string, std::string> systems_;
};

}  // namespace

std::string_view table_name(FhirTable t) {
  return kTableNames[static_cast<size_t>(t)];
}

const FhirValue* FhirMapping::lookup(FhirTable table, std::string_view system, std::string_view code) const {
  const auto& by_system = tables[static_cast<size_t>(table)];
  auto it = by_system.find(std::string(system));
  if (it == by_system.end()) return nullptr;
  const SystemTable& st = it->second;
  auto e = st.exact.find(std::string(code));
  if (e != st.exact.end()) return &e->second;
  for (const auto& [prefix, v] : st.prefixes) {
    if (code.substr(0, prefix.size()) == prefix) return &v;
  }
  return nullptr;
}

bool FhirMapping::knows_system(FhirTable table, std::string_view system) const {
  const auto& by_system = tables[static_cast<size_t>(table)];
  return by_system.find(std::string(system)) != by_system.end();
}

std::shared_ptr<const FhirMapping> load_fhir_mapping(std::string_view file, std::string_view text, const Schema& schema,
                                                     Diagnostics& diags) {
  Doc doc;
  YamlLimits limits;
  if (!read_yaml(file, text, limits, doc, diags)) return nullptr;
  auto m = std::make_shared<FhirMapping>();
  Loader loader(file, doc, schema, diags);
  if (!loader.run(*m)) return nullptr;
  m->sha256 = sha256_hex(text);
  return m;
}

const std::string* embedded_fhir_mapping_text() {
  for (const auto& [name, content] : embedded_rule_files()) {
    if (name == kFhirMappingPath) return &content;
  }
  return nullptr;
}

std::shared_ptr<const FhirMapping> load_fhir_mapping_for(const std::string& rules_dir, const Schema& schema,
                                                         Diagnostics& diags) {
  if (rules_dir.empty()) {
    const std::string* text = embedded_fhir_mapping_text();
    std::string label = std::string(embedded_rules_label()) + "/" + std::string(kFhirMappingPath);
    if (!text) {
      diags.error(label, Pos{}, "the built-in rule set has no FHIR mapping");
      return nullptr;
    }
    diags.add_source(label, *text);
    return load_fhir_mapping(label, *text, schema, diags);
  }
  DirRuleFiles files(rules_dir);
  std::string text, error;
  std::string label = files.display(kFhirMappingPath);
  if (!files.read(kFhirMappingPath, text, error)) {
    diags.error(label, Pos{}, "no FHIR mapping for this rule set: " + error);
    return nullptr;
  }
  diags.add_source(label, text);
  return load_fhir_mapping(label, text, schema, diags);
}

}  // namespace oligoscreen::detail
