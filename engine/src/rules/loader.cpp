// Rule-set loader: manifest -> files -> sections -> model, then expression checking and the
// content hash. Every mistake is reported; nothing stops at the first.
#include "rules/loader.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "assess/assessment.hpp"
#include "core/date.hpp"
#include "core/sha256.hpp"
#include "eval/specialize.hpp"
#include "rules/checker.hpp"
#include "rules/doc_access.hpp"

namespace oligoscreen::detail {
namespace {

const std::vector<std::string> kSections = {"enums", "fields",   "constraints", "parameters", "evidence",
                                            "facts", "criteria", "trees",       "outputs",    "warnings"};
const std::vector<std::string> kLevels = {"RCT3", "RCT2", "P2", "RMC", "RSC", "CONS", "REV", "BIO", "TRIAL"};

struct LoadedFile {
  std::string rel;
  std::string name;  // display name
  std::string text;
  std::unique_ptr<Doc> doc;
};

struct SectionRef {
  size_t file;
  uint32_t node;
};

class Loader {
 public:
  Loader(const RuleFiles& files, Diagnostics& d, const LoadLimits& limits)
      : files_(files), d_(d), limits_(limits), m_(std::make_shared<RuleSetModel>()) {}

  std::shared_ptr<RuleSetModel> run() {
    m_->dir = files_.label();
    if (!load_file("manifest.yaml")) return nullptr;
    manifest(0);
    for (size_t i = 0; i < m_->manifest.files.size(); ++i) load_file(m_->manifest.files[i], file_pos_[i]);
    collect_sections();
    for (auto& s : sections_["enums"]) enums(s);
    for (auto& s : sections_["fields"]) fields(s);
    finish_schema();
    for (auto& s : sections_["evidence"]) evidence(s);
    for (auto& s : sections_["parameters"]) parameters(s);
    // Names first (so that bodies may refer to any of them), then bodies.
    for (auto& s : sections_["facts"]) declare_defs(s, DefKind::Fact);
    for (auto& s : sections_["criteria"]) declare_defs(s, DefKind::Criterion);
    for (auto& s : sections_["trees"]) declare_defs(s, DefKind::Tree);
    for (auto& s : sections_["outputs"]) declare_outputs(s);
    for (auto& [def, where] : pending_) define(def, where);
    for (auto& s : sections_["warnings"]) warnings(s);
    for (auto& s : sections_["constraints"]) constraints(s);
    if (m_->outputs.empty() && !d_.has_errors()) {
      d_.error(files_.display("manifest.yaml"), Pos{1, 1, 0}, "the rule set declares no outputs");
    }
    // Expressions are checked unless some names could not be read at all (a file that does not
    // parse, a misspelt section: every reference to them would be a false error). Names whose
    // definitions failed are passed as `broken`, so that references to them are not reported again.
    if (loaded_.size() == m_->manifest.files.size() + 1 && !names_lost_) check_rule_set(*m_, d_, broken_);
    if (!d_.has_errors()) report_unused();
    if (!d_.has_errors()) m_->output_deps = output_dependencies(*m_);
    if (!d_.has_errors()) index_slot_dependants(*m_);
    if (!d_.has_errors()) specialize(*m_);
    m_->sha256 = content_hash();
    if (d_.has_errors()) return nullptr;
    return m_;
  }

 private:
  // ---- files ----
  // `listed_at`: where the manifest names the file (where a read failure is reported).
  bool load_file(const std::string& rel, Pos listed_at = {}) {
    LoadedFile f;
    f.rel = rel;
    f.name = files_.display(rel);
    std::string err;
    if (!files_.read(rel, f.text, err)) {
      d_.error(rel == "manifest.yaml" ? files_.label() : files_.display("manifest.yaml"), listed_at, err);
      return false;
    }
    d_.add_source(f.name, f.text);
    f.doc = std::make_unique<Doc>();
    if (!read_yaml(f.name, f.text, limits_.yaml, *f.doc, d_)) return false;
    if (f.doc->empty()) {
      d_.error(f.name, Pos{1, 1, 0}, "empty rule file");
      return false;
    }
    if (!f.doc->node(f.doc->root()).is_map()) {
      d_.error(f.name, f.doc->node(f.doc->root()).pos, "a rule file must be a mapping of sections");
      return false;
    }
    loaded_.push_back(std::move(f));
    return true;
  }

  DocAccess acc(size_t file) { return DocAccess(*loaded_[file].doc, loaded_[file].name, d_); }

  void manifest(size_t fi) {
    DocAccess a = acc(fi);
    uint32_t root = a.doc().root();
    a.check_keys(root, {"id", "version", "status", "title", "authors", "last_review", "description", "files", "tests"},
                 "the manifest");
    Manifest& mf = m_->manifest;
    if (uint32_t n = a.get(root, "id", true, "manifest")) {
      if (auto v = a.ident(n, "rule set id", true)) mf.id = *v;
    }
    if (uint32_t n = a.get(root, "version", true, "manifest")) {
      if (auto v = a.text(n, "version")) {
        if (!is_semver(*v)) {
          a.error(n, "version '" + *v + "' is not a semantic version (MAJOR.MINOR.PATCH)");
        }
        mf.version = *v;
      }
    }
    if (uint32_t n = a.get(root, "status", true, "manifest")) {
      if (auto v = a.text(n, "status")) {
        static const std::vector<std::string> kStatus = {"draft", "active", "retired"};
        if (std::find(kStatus.begin(), kStatus.end(), *v) == kStatus.end()) {
          a.error(n, "status '" + *v + "' must be draft, active or retired" + did_you_mean(*v, kStatus));
        }
        mf.status = *v;
      }
    }
    if (uint32_t n = a.get(root, "title", true, "manifest")) {
      if (auto v = a.text(n, "title")) mf.title = *v;
    }
    if (uint32_t n = a.get(root, "authors", true, "manifest")) {
      if (auto v = a.text_list(n, "authors")) mf.authors = *v;
    }
    if (uint32_t n = a.get(root, "last_review", true, "manifest")) {
      if (auto v = a.text(n, "last_review")) {
        auto dr = parse_date(*v);
        if (!dr || !dr->precise()) a.error(n, "last_review must be a date YYYY-MM-DD");
        mf.last_review = *v;
      }
    }
    if (uint32_t n = a.get(root, "description")) {
      if (auto v = a.text(n, "description")) mf.description = *v;
    }
    if (uint32_t n = a.get(root, "tests")) {
      if (auto v = a.text(n, "tests")) mf.tests_dir = *v;
    }
    if (uint32_t n = a.get(root, "files", true, "manifest")) {
      if (auto v = a.text_list(n, "files")) {
        auto items = a.doc().items(n);
        for (size_t i = 0; i < v->size(); ++i) {
          const std::string& f = (*v)[i];
          if (std::find(mf.files.begin(), mf.files.end(), f) != mf.files.end()) {
            a.error(items[i], "file '" + f + "' is listed twice");
            continue;
          }
          if (f == "manifest.yaml") {
            a.error(items[i], "the manifest may not list itself");
            continue;
          }
          mf.files.push_back(f);
          file_pos_.push_back(a.pos(items[i]));
        }
      }
    }
  }

  static bool is_semver(const std::string& v) {
    int parts = 0;
    size_t i = 0;
    while (i < v.size()) {
      size_t j = i;
      while (j < v.size() && v[j] >= '0' && v[j] <= '9') ++j;
      if (j == i || (j - i > 1 && v[i] == '0')) return false;
      ++parts;
      if (j == v.size()) break;
      if (v[j] != '.' || parts == 3) return parts == 3 && (v[j] == '-' || v[j] == '+');
      i = j + 1;
    }
    return parts == 3 && !v.empty() && v.back() != '.';
  }

  void collect_sections() {
    for (size_t fi = 1; fi < loaded_.size(); ++fi) {
      DocAccess a = acc(fi);
      size_t before = d_.error_count();
      a.check_keys(a.doc().root(), kSections, "a rule file (sections are " + join(kSections) + ")");
      if (d_.error_count() != before) names_lost();  // a misspelt section's definitions are unknown
      for (const auto& e : a.doc().entries(a.doc().root())) {
        std::string key(a.doc().node(e.key).text);
        if (a.doc().node(e.value).is_null()) continue;
        sections_[key].push_back({fi, e.value});
      }
    }
  }

  static std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ", ";
      out += v[i];
    }
    return out;
  }

  Origin origin(size_t fi, uint32_t node) { return Origin{loaded_[fi].name, loaded_[fi].doc->node(node).pos}; }

  // One namespace for every id a rule may name.
  bool register_id(const std::string& id, size_t fi, uint32_t node, const char* kind) {
    auto it = ids_.find(id);
    if (it != ids_.end()) {
      acc(fi).error(node, std::string("duplicate id '") + id + "' (" + kind + "; first defined at " +
                              format_location(it->second.file, it->second.pos) + ")");
      return false;
    }
    if (m_->schema.find(id) >= 0 || m_->schema.is_group(id)) {
      acc(fi).error(node, std::string("id '") + id + "' is already the name of a patient field");
      return false;
    }
    ids_[id] = origin(fi, node);
    return true;
  }

  // ---- schema ----
  void enums(const SectionRef& s) {
    DocAccess a = acc(s.file);
    if (!a.expect_map(s.node, "enums")) return;
    for (const auto& e : a.doc().entries(s.node)) {
      auto name = a.ident(e.key, "enum name");
      if (!name || !a.expect_map(e.value, "enum '" + *name + "'")) continue;
      for (const auto& existing : m_->schema.enums) {
        if (existing.name == *name) a.error(e.key, "duplicate enum '" + *name + "'");
      }
      a.check_keys(e.value, {"values", "descriptions"}, "enum '" + *name + "'");
      EnumDef def;
      def.name = *name;
      if (uint32_t v = a.get(e.value, "values", true, "enum '" + *name + "'")) {
        if (auto vals = a.text_list(v, "enum values")) {
          auto items = a.doc().items(v);
          for (size_t i = 0; i < vals->size(); ++i) {
            if (def.index_of((*vals)[i]) >= 0) a.error(items[i], "duplicate value '" + (*vals)[i] + "' in enum");
            def.values.push_back((*vals)[i]);
          }
          if (vals->empty()) a.error(v, "enum '" + *name + "' has no values");
        }
      }
      def.descriptions.assign(def.values.size(), "");
      if (uint32_t ds = a.get(e.value, "descriptions")) {
        if (a.expect_map(ds, "descriptions")) {
          for (const auto& de : a.doc().entries(ds)) {
            std::string key(a.doc().node(de.key).text);
            int idx = def.index_of(key);
            if (idx < 0) {
              a.error(de.key, "'" + key + "' is not a value of enum " + *name + did_you_mean(key, def.values));
            } else if (auto t = a.text(de.value, "description")) {
              def.descriptions[static_cast<size_t>(idx)] = *t;
            }
          }
        }
      }
      m_->schema.enums.push_back(std::move(def));
    }
  }

  int find_enum(const std::string& name) const {
    for (size_t i = 0; i < m_->schema.enums.size(); ++i) {
      if (m_->schema.enums[i].name == name) return static_cast<int>(i);
    }
    return -1;
  }
  std::vector<std::string> enum_names() const {
    std::vector<std::string> out;
    for (const auto& e : m_->schema.enums) {
      if (e.name.find(':') == std::string::npos) out.push_back(e.name);
    }
    return out;
  }

  bool field(DocAccess& a, uint32_t node, bool in_record, FieldDef& f) {
    static const std::vector<std::string> kTypes = {"boolean", "integer", "number", "text", "date", "enum", "list"};
    std::vector<std::string> keys = {in_record ? "name" : "path",
                                     "type",
                                     "enum",
                                     "of",
                                     "min",
                                     "max",
                                     "min_exclusive",
                                     "max_exclusive",
                                     "unit",
                                     "required",
                                     "record_id",
                                     "min_length",
                                     "max_length",
                                     "max_items",
                                     "fields",
                                     "informational",
                                     "description",
                                     "unknown_means"};
    if (!a.expect_map(node, "a field")) return false;
    a.check_keys(node, keys, "a field");
    const char* path_key = in_record ? "name" : "path";
    uint32_t pn = a.get(node, path_key, true, "field");
    if (!pn) return false;
    auto path = a.text(pn, path_key);
    if (!path) return false;
    f.path = *path;
    f.file = a.file();
    f.pos = a.pos(node);
    size_t start = 0;
    while (true) {
      size_t dot = f.path.find('.', start);
      f.segments.push_back(f.path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    for (const auto& seg : f.segments) {
      bool ok = !seg.empty() && seg[0] >= 'a' && seg[0] <= 'z';
      for (char c : seg) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
      if (!ok) {
        a.error(pn, "field path '" + f.path + "' must be lower-case names joined by '.'");
        return false;
      }
    }
    if (f.segments.size() > 2 || (in_record && f.segments.size() > 1)) {
      a.error(pn, "field path '" + f.path + "' may have at most one group ('group.field')");
      return false;
    }
    uint32_t tn = a.get(node, "type", true, "field '" + f.path + "'");
    if (!tn) return false;
    auto type = a.text(tn, "type");
    if (!type) return false;
    if (*type == "boolean")
      f.type = FieldType::Boolean;
    else if (*type == "integer")
      f.type = FieldType::Integer;
    else if (*type == "number")
      f.type = FieldType::Number;
    else if (*type == "text")
      f.type = FieldType::Text;
    else if (*type == "date")
      f.type = FieldType::Date;
    else if (*type == "enum")
      f.type = FieldType::Enum;
    else if (*type == "list")
      f.type = FieldType::List;
    else {
      a.error(tn, "unknown field type '" + *type + "'" + did_you_mean(*type, kTypes) + "; types are " + join(kTypes));
      return false;
    }
    bool ok = true;
    auto get_enum = [&]() {
      uint32_t en = a.get(node, "enum", true, "field '" + f.path + "'");
      if (!en) return false;
      auto name = a.text(en, "enum");
      if (!name) return false;
      f.enum_id = find_enum(*name);
      if (f.enum_id < 0) {
        a.error(en, "unknown enum '" + *name + "'" + did_you_mean(*name, enum_names()));
        return false;
      }
      return true;
    };
    if (f.type == FieldType::Enum) ok = get_enum() && ok;
    if (f.type == FieldType::List) {
      uint32_t on = a.get(node, "of", true, "list field '" + f.path + "'");
      auto of = on ? a.text(on, "of") : std::nullopt;
      if (of && *of == "enum") {
        f.of = ListOf::Enum;
        ok = get_enum() && ok;
      } else if (of && *of == "record") {
        f.of = ListOf::Record;
        if (in_record) {
          a.error(on, "records may not nest lists of records");
          ok = false;
        }
        uint32_t fs = a.get(node, "fields", true, "list of records '" + f.path + "'");
        if (fs && a.expect_seq(fs, "fields")) {
          for (uint32_t item : a.doc().items(fs)) {
            FieldDef sub;
            bool sub_ok = field(a, item, true, sub);
            if (!sub_ok && !sub.path.empty()) broken_.insert(f.path + "." + sub.path);
            if (sub_ok) {
              for (const auto& other : f.fields) {
                if (other.path == sub.path) a.error(item, "duplicate field '" + sub.path + "' in record");
              }
              sub.slot = static_cast<uint32_t>(f.fields.size());
              f.fields.push_back(std::move(sub));
            }
          }
        }
        if (f.fields.size() > 250) a.error(node, "a record may have at most 250 fields");
      } else if (of) {
        a.error(on, "'of' must be 'enum' or 'record'");
        ok = false;
      } else {
        ok = false;
      }
    }
    auto num = [&](const char* key, std::optional<double>& out) {
      if (uint32_t n = a.get(node, key)) out = a.number(n, key);
    };
    num("min", f.min);
    num("max", f.max);
    auto flag = [&](const char* key, bool& out) {
      if (uint32_t n = a.get(node, key)) {
        if (auto b = a.boolean(n, key)) out = *b;
      }
    };
    flag("min_exclusive", f.min_exclusive);
    flag("max_exclusive", f.max_exclusive);
    flag("required", f.required);
    flag("record_id", f.record_id);
    flag("informational", f.informational);
    auto txt = [&](const char* key, std::string& out) {
      if (uint32_t n = a.get(node, key)) {
        if (auto t = a.text(n, key)) out = *t;
      }
    };
    txt("unit", f.unit);
    txt("description", f.description);
    txt("unknown_means", f.unknown_means);
    auto count = [&](const char* key, uint32_t& out) {
      if (uint32_t n = a.get(node, key)) {
        if (auto v = a.number(n, key)) {
          if (*v < 0 || *v > 1e9 || *v != static_cast<double>(static_cast<uint32_t>(*v))) {
            a.error(n, std::string(key) + " must be a whole number");
          } else {
            out = static_cast<uint32_t>(*v);
          }
        }
      }
    };
    count("min_length", f.min_length);
    count("max_length", f.max_length);
    count("max_items", f.max_items);
    if ((f.min || f.max) && f.type != FieldType::Integer && f.type != FieldType::Number) {
      a.error(node, "field '" + f.path + "': min/max apply to integer and number fields");
    }
    if (f.min && f.max && *f.min > *f.max) a.error(node, "field '" + f.path + "': min is greater than max");
    if (f.record_id && f.type != FieldType::Text) a.error(node, "the record_id field must be text");
    return ok;
  }

  void fields(const SectionRef& s) {
    DocAccess a = acc(s.file);
    if (!a.expect_seq(s.node, "fields")) return names_lost();
    for (uint32_t item : a.doc().items(s.node)) {
      FieldDef f;
      if (!field(a, item, false, f)) {
        if (!f.path.empty()) broken_.insert(f.path);
        continue;
      }
      if (m_->schema.find(f.path) >= 0) {
        a.error(item, "duplicate field '" + f.path + "'");
        continue;
      }
      if (m_->schema.fields.size() >= 250) {
        a.error(item, "too many fields (limit 250)");
        continue;
      }
      f.slot = static_cast<uint32_t>(m_->schema.fields.size());
      if (f.record_id) {
        if (m_->schema.record_id_slot >= 0) a.error(item, "only one field may be the record_id");
        m_->schema.record_id_slot = static_cast<int>(f.slot);
      }
      m_->schema.fields.push_back(std::move(f));
    }
  }

  void finish_schema() {
    auto& sc = m_->schema;
    for (const auto& f : sc.fields) {
      if (f.segments.size() == 2 && !sc.is_group(f.segments[0])) sc.groups.push_back(f.segments[0]);
    }
    for (const auto& f : sc.fields) {
      if (f.segments.size() == 1 && sc.is_group(f.segments[0])) {
        d_.error(f.file, f.pos, "'" + f.path + "' is both a field and a group of fields");
      }
    }
    if (sc.record_id_slot < 0 && !sections_["fields"].empty()) {
      auto& s = sections_["fields"].front();
      acc(s.file).error(s.node, "the schema has no record_id field (the case identifier)");
    }
  }

  // ---- evidence ----
  void evidence(const SectionRef& s) {
    DocAccess a = acc(s.file);
    if (!a.expect_map(s.node, "evidence")) return;
    for (const auto& e : a.doc().entries(s.node)) {
      auto id = a.ident(e.key, "evidence id");
      if (!id || !a.expect_map(e.value, "evidence '" + *id + "'")) continue;
      // Evidence ids have their own namespace: they are named only in `evidence:` lists.
      if (auto it = evidence_ids_.find(*id); it != evidence_ids_.end()) {
        a.error(e.key, "duplicate evidence id '" + *id + "' (first defined at " +
                           format_location(it->second.file, it->second.pos) + ")");
        continue;
      }
      evidence_ids_[*id] = origin(s.file, e.key);
      const std::string what = "evidence '" + *id + "'";
      a.check_keys(e.value,
                   {"citation", "doi", "registry", "pmid", "url", "design", "level", "sarcoma_specific",
                    "metastatic_setting", "in_review", "verified", "sites", "figures", "note"},
                   what);
      EvidenceDef ev;
      ev.id = *id;
      ev.origin = origin(s.file, e.key);
      auto txt = [&](const char* key, std::string& out, bool required) {
        if (uint32_t n = a.get(e.value, key, required, what)) {
          if (auto t = a.text(n, key)) {
            out = *t;
            if (required && out.empty()) a.error(n, what + ": '" + key + "' is empty");
          }
        }
      };
      txt("citation", ev.citation, true);
      txt("design", ev.design, true);
      txt("doi", ev.doi, false);
      txt("registry", ev.registry, false);
      txt("pmid", ev.pmid, false);
      txt("url", ev.url, false);
      txt("note", ev.note, false);
      if (uint32_t n = a.get(e.value, "level", true, what)) {
        if (auto t = a.text(n, "level")) {
          if (std::find(kLevels.begin(), kLevels.end(), *t) == kLevels.end()) {
            a.error(n, what + ": level '" + *t + "' must be one of " + join(kLevels) + did_you_mean(*t, kLevels));
          }
          ev.level = *t;
        }
      }
      auto flag = [&](const char* key, bool& out) {
        if (uint32_t n = a.get(e.value, key, true, what)) {
          if (auto b = a.boolean(n, key)) out = *b;
        }
      };
      flag("sarcoma_specific", ev.sarcoma_specific);
      flag("metastatic_setting", ev.metastatic_setting);
      flag("in_review", ev.in_review);
      flag("verified", ev.verified);
      if (ev.doi.empty() && ev.registry.empty() && ev.pmid.empty() && ev.url.empty()) {
        a.error(e.value, what + ": needs one of doi, registry, pmid or url");
      }
      if (uint32_t n = a.get(e.value, "sites")) {
        if (auto v = a.text_list(n, "sites")) ev.sites = *v;
      }
      if (uint32_t n = a.get(e.value, "figures")) {
        if (a.expect_map(n, "figures")) {
          for (const auto& fe : a.doc().entries(n)) {
            std::string key(a.doc().node(fe.key).text);
            if (auto t = a.text(fe.value, "figure")) ev.figures.emplace_back(key, *t);
          }
        }
      }
      m_->evidence.push_back(std::move(ev));
    }
  }

  // Reads `evidence: [ids]`; reports unknown ids; `required` reports a missing list.
  std::vector<uint32_t> cites(DocAccess& a, uint32_t map, const std::string& what, bool required = true) {
    std::vector<uint32_t> out;
    uint32_t n = a.get(map, "evidence");
    if (!n) {
      if (required) a.error(map, what + " cites no evidence (add 'evidence: [id, ...]')");
      return out;
    }
    if (!a.doc().node(n).is_seq()) {
      a.error(n, "evidence must be a list of evidence ids");
      return out;
    }
    if (a.doc().node(n).count == 0 && required) a.error(n, what + " cites no evidence (the list is empty)");
    for (uint32_t item : a.doc().items(n)) {
      auto id = a.text(item, "evidence id");
      if (!id) continue;
      int idx = m_->find_evidence(*id);
      if (idx < 0) {
        std::vector<std::string> ids;
        for (const auto& ev : m_->evidence) ids.push_back(ev.id);
        a.error(item, "unknown evidence id '" + *id + "'" + did_you_mean(*id, ids));
        continue;
      }
      m_->evidence[static_cast<size_t>(idx)].cited = true;
      out.push_back(static_cast<uint32_t>(idx));
    }
    return out;
  }

  // ---- parameters ----
  bool param_scalar(DocAccess& a, uint32_t n, ParamDef& p, int enum_id, Value& out, Type::Kind& kind) {
    const DocNode& node = a.node(n);
    if (!node.is_scalar()) {
      a.error(n, "parameter '" + p.id + "': value must be a number, true/false, text, or a list of them");
      return false;
    }
    if (enum_id >= 0) {
      const EnumDef& e = m_->schema.enums[static_cast<size_t>(enum_id)];
      int idx = e.index_of(node.text);
      if (idx < 0) {
        a.error(
            n, "'" + std::string(node.text) + "' is not a value of enum " + e.name + did_you_mean(node.text, e.values));
        return false;
      }
      out = Value::enumerated(static_cast<uint16_t>(enum_id), static_cast<uint32_t>(idx));
      kind = Type::Enum;
      return true;
    }
    if (node.style == ScalarStyle::Plain) {
      if (node.text == "true" || node.text == "false") {
        out = Value::boolean(node.text == "true");
        kind = Type::Bool;
        return true;
      }
      if (auto v = parse_decimal(node.text)) {
        out = Value::number(*v);
        kind = Type::Number;
        return true;
      }
      if (auto d = parse_date(node.text)) {
        out = Value::date_range(d->lo, d->hi);
        kind = Type::Date;
        return true;
      }
      if (!node.text.empty() &&
          (node.text[0] == '-' || node.text[0] == '.' || (node.text[0] >= '0' && node.text[0] <= '9'))) {
        a.error(n, "parameter '" + p.id + "': '" + std::string(node.text) +
                       "' is not a plain decimal number (no octal, hex, '+', '.nan' or '.inf')");
        return false;
      }
    }
    p.texts.emplace_back(node.text);
    kind = Type::Text;
    out.kind = VKind::Text;  // text pointer fixed after storage is final
    return true;
  }

  void parameters(const SectionRef& s) {
    DocAccess a = acc(s.file);
    if (!a.expect_map(s.node, "parameters")) return names_lost();
    for (const auto& e : a.doc().entries(s.node)) {
      auto id = a.ident(e.key, "parameter id");
      if (!id) {
        names_lost();
        continue;
      }
      if (!a.expect_map(e.value, "parameter '" + *id + "' (write 'value: ...' under it)")) {
        broken_.insert(*id);
        continue;
      }
      if (!register_id(*id, s.file, e.key, "parameter")) continue;
      broken_.insert(*id);  // until its value is read
      a.check_keys(e.value, {"value", "unit", "description", "evidence", "enum"}, "parameter '" + *id + "'");
      ParamDef p;
      p.id = *id;
      p.origin = origin(s.file, e.key);
      int enum_id = -1;
      if (uint32_t en = a.get(e.value, "enum")) {
        if (auto name = a.text(en, "enum")) {
          enum_id = find_enum(*name);
          if (enum_id < 0) {
            a.error(en, "unknown enum '" + *name + "'" + did_you_mean(*name, enum_names()));
            continue;
          }
        }
      }
      if (uint32_t n = a.get(e.value, "unit")) {
        if (auto t = a.text(n, "unit")) p.unit = *t;
      }
      if (uint32_t n = a.get(e.value, "description")) {
        if (auto t = a.text(n, "description")) p.description = *t;
      }
      p.evidence = cites(a, e.value, "parameter '" + *id + "'");
      uint32_t vn = a.get(e.value, "value", true, "parameter '" + *id + "'");
      if (!vn) continue;
      const DocNode& vnode = a.node(vn);
      p.source_text = vnode.is_scalar() ? std::string(vnode.text) : std::string();
      if (vnode.is_seq()) {
        Type::Kind elem = Type::Any;
        bool ok = true;
        std::string src = "[";
        for (uint32_t item : a.doc().items(vn)) {
          Value v;
          Type::Kind k = Type::Any;
          if (!param_scalar(a, item, p, enum_id, v, k)) {
            ok = false;
            continue;
          }
          if (elem != Type::Any && k != elem) {
            a.error(item, "parameter '" + p.id + "': list items must all have the same type");
            ok = false;
          }
          elem = k;
          p.items.push_back(v);
          if (src.size() > 1) src += ", ";
          src += a.node(item).text;
        }
        p.source_text = src + "]";
        if (!ok) continue;
        size_t ti = 0;
        for (auto& v : p.items) {
          if (v.kind == VKind::Text) v = Value::string(p.texts[ti++]);
        }
        p.type = Type::of(Type::List);
        p.type.elem = elem;
        if (elem == Type::Enum) p.type.enum_id = static_cast<uint16_t>(enum_id);
      } else {
        Type::Kind k = Type::Any;
        if (!param_scalar(a, vn, p, enum_id, p.value, k)) continue;
        p.type = Type::of(k);
        if (k == Type::Enum) p.type.enum_id = static_cast<uint16_t>(enum_id);
      }
      broken_.erase(p.id);
      m_->params.push_back(std::move(p));
    }
    // Pointers into each parameter's own storage, now that the vector will not move them.
    for (auto& p : m_->params) {
      if (p.type.kind == Type::List) p.value = Value::list_of(p.items.data(), static_cast<uint32_t>(p.items.size()));
      if (p.type.kind == Type::Text && !p.texts.empty()) p.value = Value::string(p.texts.front());
    }
  }

  // ---- expressions ----
  ExprRef expression(DocAccess& a, uint32_t n) {
    ExprRef ref;
    const DocNode& node = a.node(n);
    ref.origin = Origin{a.file(), node.pos};
    ref.where = node;
    ref.where.text = {};
    if (!node.is_scalar()) {
      a.error(n, "an expression must be text (quote it, or write it as a '|' block)");
      return ref;
    }
    if (node.style == ScalarStyle::Plain && (node.text == "true" || node.text == "false")) {
      ref.source = std::string(node.text);
    } else {
      ref.source = std::string(node.text);
    }
    ParseIssue issue;
    uint32_t root = parse_expression(ref.source, m_->pool, issue, limits_.expr);
    if (root == kNone) {
      uint32_t off = std::min<uint32_t>(issue.offset, static_cast<uint32_t>(ref.source.size()));
      d_.error(a.file(), scalar_pos_at(node, std::string_view(ref.source).substr(0, off)), issue.message);
      return ref;
    }
    ref.root = root;
    return ref;
  }

  // ---- definitions ----
  struct Where {
    size_t file;
    uint32_t node;
  };

  void declare_defs(const SectionRef& s, DefKind kind) {
    DocAccess a = acc(s.file);
    const char* what = kind == DefKind::Fact ? "facts" : kind == DefKind::Criterion ? "criteria" : "trees";
    if (!a.expect_map(s.node, what)) return names_lost();
    for (const auto& e : a.doc().entries(s.node)) {
      auto id = a.ident(e.key, kind == DefKind::Fact        ? "fact id"
                               : kind == DefKind::Criterion ? "criterion id"
                                                            : "tree id");
      if (!id) {
        names_lost();
        continue;
      }
      if (!register_id(*id, s.file, e.key,
                       kind == DefKind::Fact        ? "fact"
                       : kind == DefKind::Criterion ? "criterion"
                                                    : "tree")) {
        continue;
      }
      Def d;
      d.kind = kind;
      d.id = *id;
      d.origin = origin(s.file, e.key);
      m_->defs.push_back(std::move(d));
      pending_.emplace_back(static_cast<uint32_t>(m_->defs.size() - 1), Where{s.file, e.value});
    }
  }

  void declare_outputs(const SectionRef& s) {
    DocAccess a = acc(s.file);
    if (!a.expect_seq(s.node, "outputs")) return names_lost();
    for (uint32_t item : a.doc().items(s.node)) {
      if (!a.expect_map(item, "an output")) {
        names_lost();
        continue;
      }
      uint32_t idn = a.get(item, "id", true, "output");
      auto id = idn ? a.ident(idn, "output id") : std::nullopt;
      if (!id) names_lost();
      if (!id || !register_id(*id, s.file, idn, "output")) continue;
      Def d;
      d.kind = DefKind::Output;
      d.id = *id;
      d.origin = origin(s.file, idn);
      d.extra = static_cast<uint32_t>(m_->outputs.size());
      m_->outputs.emplace_back();
      m_->defs.push_back(std::move(d));
      m_->output_defs.push_back(static_cast<uint32_t>(m_->defs.size() - 1));
      pending_.emplace_back(static_cast<uint32_t>(m_->defs.size() - 1), Where{s.file, item});
    }
  }

  void define(uint32_t di, const Where& w) {
    DocAccess a = acc(w.file);
    Def& d = m_->defs[di];
    switch (d.kind) {
      case DefKind::Fact:
      case DefKind::Criterion:
        define_expr_def(a, di, w.node);
        break;
      case DefKind::Tree:
        define_tree(a, di, w.node);
        break;
      case DefKind::Output:
        define_output(a, di, w.node);
        break;
    }
  }

  void define_expr_def(DocAccess& a, uint32_t di, uint32_t n) {
    std::string id = m_->defs[di].id;
    bool crit = m_->defs[di].kind == DefKind::Criterion;
    std::string what = std::string(crit ? "criterion '" : "fact '") + id + "'";
    if (!a.expect_map(n, what)) return;
    std::vector<std::string> keys = {"title", "expr", "evidence", "description", "derived", "presumes", "presumption"};
    if (crit) keys.push_back("group");
    a.check_keys(n, keys, what);
    Def d = std::move(m_->defs[di]);
    if (uint32_t t = a.get(n, "title", true, what)) {
      if (auto v = a.text(t, "title")) d.title = *v;
    }
    if (uint32_t g = a.get(n, "group")) {
      if (auto v = a.ident(g, "group")) d.group = *v;
    }
    if (uint32_t e = a.get(n, "expr", true, what)) d.expr = expression(a, e);
    d.evidence = cites(a, n, what);
    if (uint32_t x = a.get(n, "derived")) {
      if (auto v = a.boolean(x, "derived")) d.derived = *v;
    }
    uint32_t pr = a.get(n, "presumes");
    uint32_t pt = a.get(n, "presumption");
    if (pr) {
      if (auto list = a.text_list(pr, "presumes")) {
        auto items = a.doc().items(pr);
        for (size_t i = 0; i < list->size(); ++i) {
          int slot = m_->schema.find((*list)[i]);
          if (slot < 0) {
            std::vector<std::string> names;
            for (const auto& f : m_->schema.fields) names.push_back(f.path);
            a.error(items[i], "unknown field '" + (*list)[i] + "'" + did_you_mean((*list)[i], names));
          } else {
            d.presumes.push_back(static_cast<uint32_t>(slot));
          }
        }
      }
      if (!pt) a.error(pr, what + ": 'presumes' needs a 'presumption' saying it in words");
    }
    if (pt) {
      if (auto v = a.text(pt, "presumption")) d.presumption = *v;
      if (!pr) a.error(pt, what + ": 'presumption' needs 'presumes' naming the fields");
    }
    m_->defs[di] = std::move(d);
  }

  TreeBranch branch(DocAccess& a, uint32_t n, const std::string& what) {
    TreeBranch b;
    if (!a.expect_map(n, what)) return b;
    a.check_keys(n, {"label", "next", "leaf"}, what);
    b.origin = Origin{a.file(), a.pos(n)};
    if (uint32_t l = a.get(n, "label", true, what)) {
      if (auto v = a.text(l, "label")) b.label = *v;
    }
    return b;
  }

  void define_tree(DocAccess& a, uint32_t di, uint32_t n) {
    std::string what = "tree '" + m_->defs[di].id + "'";
    if (!a.expect_map(n, what)) return;
    a.check_keys(n, {"title", "evidence", "root", "nodes", "leaves", "description"}, what);
    TreeDef tree;
    Def& d = m_->defs[di];
    if (uint32_t t = a.get(n, "title", true, what)) {
      if (auto v = a.text(t, "title")) d.title = *v;
    }
    d.evidence = cites(a, n, what);
    // Leaves: their codes form the tree's enum.
    EnumDef codes;
    codes.name = "tree:" + d.id;
    if (uint32_t lv = a.get(n, "leaves", true, what)) {
      if (a.expect_map(lv, "leaves")) {
        for (const auto& e : a.doc().entries(lv)) {
          auto code = a.ident(e.key, "leaf code");
          if (!code) continue;
          std::string lw = "leaf '" + *code + "'";
          TreeLeafDef leaf;
          leaf.code = *code;
          leaf.origin = origin_of(a, e.key);
          if (a.expect_map(e.value, lw)) {
            a.check_keys(e.value, {"label", "evidence"}, lw);
            if (uint32_t l = a.get(e.value, "label", true, lw)) {
              if (auto v = a.text(l, "label")) leaf.label = *v;
            }
            leaf.evidence = cites(a, e.value, lw);
          }
          codes.values.push_back(leaf.code);
          tree.leaves.push_back(std::move(leaf));
        }
      }
    }
    codes.descriptions.assign(codes.values.size(), "");
    tree.enum_id = static_cast<uint16_t>(m_->schema.enums.size());
    m_->schema.enums.push_back(std::move(codes));
    // Nodes.
    std::vector<std::pair<uint32_t, uint32_t>> branch_nodes;  // (yes node, no node) doc nodes per tree node
    std::vector<std::pair<std::string, std::string>> targets;
    uint32_t nodes = a.get(n, "nodes", true, what);
    if (nodes && a.expect_map(nodes, "nodes")) {
      for (const auto& e : a.doc().entries(nodes)) {
        auto id = a.ident(e.key, "node id");
        if (!id) continue;
        std::string nw = "tree node '" + *id + "'";
        TreeNodeDef node;
        node.id = *id;
        node.origin = origin_of(a, e.key);
        for (const auto& other : tree.nodes) {
          if (other.id == *id) a.error(e.key, "duplicate tree node '" + *id + "'");
        }
        if (!a.expect_map(e.value, nw)) continue;
        a.check_keys(e.value, {"question", "ask", "evidence", "yes", "no"}, nw);
        if (uint32_t q = a.get(e.value, "question", true, nw)) {
          if (auto v = a.text(q, "question")) node.question = *v;
        }
        if (uint32_t q = a.get(e.value, "ask", true, nw)) node.ask = expression(a, q);
        node.evidence = cites(a, e.value, nw);
        uint32_t yes = a.get(e.value, "yes", true, nw);
        uint32_t no = a.get(e.value, "no", true, nw);
        if (yes) node.yes = branch(a, yes, nw + " 'yes'");
        if (no) node.no = branch(a, no, nw + " 'no'");
        branch_nodes.emplace_back(yes, no);
        tree.nodes.push_back(std::move(node));
      }
    }
    // Resolve branch targets.
    auto resolve = [&](TreeBranch& b, uint32_t doc_node, const std::string& bw) {
      if (!doc_node || !a.node(doc_node).is_map()) return;
      uint32_t nx = a.get(doc_node, "next");
      uint32_t lf = a.get(doc_node, "leaf");
      if ((nx == 0) == (lf == 0)) {
        a.error(doc_node, bw + ": needs exactly one of 'next' (a node) or 'leaf' (a code)");
        return;
      }
      if (nx) {
        auto id = a.text(nx, "next");
        if (!id) return;
        std::vector<std::string> names;
        for (size_t i = 0; i < tree.nodes.size(); ++i) {
          names.push_back(tree.nodes[i].id);
          if (tree.nodes[i].id == *id) b.next = static_cast<uint32_t>(i);
        }
        if (b.next == kNone) a.error(nx, "unknown tree node '" + *id + "'" + did_you_mean(*id, names));
      } else {
        auto code = a.text(lf, "leaf");
        if (!code) return;
        const EnumDef& e = m_->schema.enums[tree.enum_id];
        int idx = e.index_of(*code);
        if (idx < 0) {
          a.error(lf, "unknown leaf '" + *code + "' (declare it under 'leaves')" + did_you_mean(*code, e.values));
        } else {
          b.leaf = static_cast<uint32_t>(idx);
        }
      }
    };
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      resolve(tree.nodes[i].yes, branch_nodes[i].first, "tree node '" + tree.nodes[i].id + "' yes");
      resolve(tree.nodes[i].no, branch_nodes[i].second, "tree node '" + tree.nodes[i].id + "' no");
    }
    if (uint32_t r = a.get(n, "root", true, what)) {
      if (auto id = a.text(r, "root")) {
        bool found = false;
        for (size_t i = 0; i < tree.nodes.size(); ++i) {
          if (tree.nodes[i].id == *id) {
            tree.root = static_cast<uint32_t>(i);
            found = true;
          }
        }
        if (!found) a.error(r, "unknown root node '" + *id + "'");
        if (found) check_tree_shape(tree, what);
      }
    }
    d.extra = static_cast<uint32_t>(m_->trees.size());
    m_->trees.push_back(std::move(tree));
  }

  Origin origin_of(DocAccess& a, uint32_t node) { return Origin{a.file(), a.pos(node)}; }

  // Every node and leaf reachable from the root; no cycles.
  void check_tree_shape(const TreeDef& tree, const std::string& what) {
    std::vector<uint8_t> state(tree.nodes.size(), 0);
    std::vector<uint8_t> leaf_seen(tree.leaves.size(), 0);
    bool cycle = false;
    // Iterative DFS with an explicit stack.
    std::vector<std::pair<uint32_t, int>> stack{{tree.root, 0}};
    state[tree.root] = 1;
    while (!stack.empty()) {
      auto& [ni, step] = stack.back();
      if (step == 2) {
        state[ni] = 2;
        stack.pop_back();
        continue;
      }
      const TreeBranch& b = step == 0 ? tree.nodes[ni].yes : tree.nodes[ni].no;
      ++step;
      if (b.leaf != kNone) leaf_seen[b.leaf] = 1;
      if (b.next != kNone) {
        if (state[b.next] == 1) {
          cycle = true;
          d_.error(b.origin.file, b.origin.pos, what + ": the tree loops back to node '" + tree.nodes[b.next].id + "'");
        } else if (state[b.next] == 0) {
          state[b.next] = 1;
          stack.emplace_back(b.next, 0);
        }
      }
    }
    if (cycle) return;
    for (size_t i = 0; i < tree.nodes.size(); ++i) {
      if (state[i] == 0) {
        d_.error(tree.nodes[i].origin.file, tree.nodes[i].origin.pos,
                 what + ": node '" + tree.nodes[i].id + "' cannot be reached from the root");
      }
    }
    for (size_t i = 0; i < tree.leaves.size(); ++i) {
      if (!leaf_seen[i]) {
        d_.error(tree.leaves[i].origin.file, tree.leaves[i].origin.pos,
                 what + ": leaf '" + tree.leaves[i].code + "' is never reached");
      }
    }
  }

  uint32_t code_of(DocAccess& a, uint32_t n, const EnumDef& codes, const std::string& what) {
    auto c = a.text(n, what);
    if (!c) return kNone;
    int idx = codes.index_of(*c);
    if (idx < 0) {
      a.error(n, "'" + *c + "' is not a code of this output" + did_you_mean(*c, codes.values) + "; codes are " +
                     join(codes.values));
      return kNone;
    }
    return static_cast<uint32_t>(idx);
  }

  ReasonDef reason(DocAccess& a, uint32_t n, const EnumDef& codes, bool is_note, const std::string& owner) {
    ReasonDef r;
    std::string what = std::string(is_note ? "a note of " : "a reason of ") + owner;
    if (!a.expect_map(n, what)) return r;
    std::vector<std::string> keys = {"code", "when", "text", "evidence"};
    if (!is_note) keys.push_back("for");
    a.check_keys(n, keys, what);
    r.origin = Origin{a.file(), a.pos(n)};
    if (uint32_t c = a.get(n, "code", true, what)) {
      if (auto v = a.ident(c, "reason code")) {
        r.code = *v;
        what = std::string(is_note ? "note '" : "reason '") + *v + "'";
      }
    }
    if (uint32_t w = a.get(n, "when", true, what)) r.when = expression(a, w);
    if (uint32_t t = a.get(n, "text", true, what)) {
      if (auto v = a.text(t, "text")) r.text = *v;
    }
    r.evidence = cites(a, n, what);
    if (uint32_t f = a.get(n, "for")) {
      if (a.expect_seq(f, "for")) {
        r.for_mask = 0;
        for (uint32_t item : a.doc().items(f)) {
          uint32_t c = code_of(a, item, codes, "for");
          if (c != kNone && c < 64) r.for_mask |= uint64_t{1} << c;
        }
      }
    }
    return r;
  }

  void define_output(DocAccess& a, uint32_t di, uint32_t n) {
    Def& d = m_->defs[di];
    OutputDef& out = m_->outputs[d.extra];
    std::string what = "output '" + d.id + "'";
    a.check_keys(n,
                 {"id", "key", "form", "title", "codes", "unknown", "decide", "reasons", "site_evidence", "notes",
                  "evidence", "description"},
                 what);
    if (uint32_t t = a.get(n, "title", true, what)) {
      if (auto v = a.text(t, "title")) d.title = *v;
    }
    out.key = d.id;
    if (uint32_t k = a.get(n, "key")) {
      if (auto v = a.text(k, "key")) {
        out.key = *v;
        for (const auto& other : m_->outputs) {
          if (&other != &out && other.key == *v) a.error(k, "two outputs write the key '" + *v + "'");
        }
        static const std::vector<std::string> kReserved = {"id",       "record",   "line",     "source",     "missing",
                                                           "warnings", "criteria", "evidence", "provenance", "error",
                                                           "errors",   "notice",   "trace"};
        std::string first = v->substr(0, v->find('.'));
        if (std::find(kReserved.begin(), kReserved.end(), first) != kReserved.end()) {
          a.error(k, "key '" + *v + "' is reserved for the engine's own result fields");
        }
      }
    }
    if (uint32_t f = a.get(n, "form", true, what)) {
      if (auto v = a.text(f, "form")) {
        if (*v == "code")
          out.form = OutputForm::Code;
        else if (*v == "verdict")
          out.form = OutputForm::Verdict;
        else
          a.error(f, "form must be 'code' or 'verdict'" + did_you_mean(*v, {"code", "verdict"}));
      }
    }
    EnumDef codes;
    codes.name = "output:" + d.id;
    if (uint32_t c = a.get(n, "codes", true, what)) {
      if (auto list = a.text_list(c, "codes")) {
        auto items = a.doc().items(c);
        for (size_t i = 0; i < list->size(); ++i) {
          if (codes.index_of((*list)[i]) >= 0) a.error(items[i], "duplicate code '" + (*list)[i] + "'");
          codes.values.push_back((*list)[i]);
        }
        if (codes.values.size() > 64) a.error(c, "an output may have at most 64 codes");
      }
    }
    codes.descriptions.assign(codes.values.size(), "");
    out.enum_id = static_cast<uint16_t>(m_->schema.enums.size());
    m_->schema.enums.push_back(codes);
    if (uint32_t u = a.get(n, "unknown", true, what)) {
      uint32_t c = code_of(a, u, codes, "unknown");
      if (c != kNone) out.unknown_code = c;
    }
    d.evidence = cites(a, n, what, false);
    if (uint32_t dec = a.get(n, "decide", true, what)) {
      if (a.expect_seq(dec, "decide")) {
        auto items = a.doc().items(dec);
        for (size_t i = 0; i < items.size(); ++i) {
          uint32_t rn = items[i];
          DecideRule rule;
          rule.id = d.id + "." + std::to_string(i + 1);
          std::string rw = "decision rule " + std::to_string(i + 1) + " of " + what;
          if (!a.expect_map(rn, rw)) continue;
          a.check_keys(rn, {"id", "when", "then", "value", "otherwise", "evidence", "text"}, rw);
          rule.origin = Origin{a.file(), a.pos(rn)};
          if (uint32_t idn = a.get(rn, "id")) {
            if (auto v = a.ident(idn, "rule id")) rule.id = *v;
          }
          uint32_t when = a.get(rn, "when"), then = a.get(rn, "then"), value = a.get(rn, "value"),
                   other = a.get(rn, "otherwise");
          if (other) {
            rule.otherwise = true;
            if (when || then || value) a.error(rn, rw + ": 'otherwise' stands alone (no when/then/value)");
            rule.then_code = code_of(a, other, codes, "otherwise");
            if (i + 1 != items.size()) a.error(rn, rw + ": 'otherwise' must be the last rule");
          } else {
            if (!when)
              a.error(rn, rw + ": needs 'when' (or 'otherwise')");
            else
              rule.when = expression(a, when);
            if ((then == 0) == (value == 0)) a.error(rn, rw + ": needs exactly one of 'then' (a code) or 'value'");
            if (then) rule.then_code = code_of(a, then, codes, "then");
            if (value) rule.value = expression(a, value);
          }
          rule.evidence = cites(a, rn, rw);
          out.rules.push_back(std::move(rule));
        }
        if (out.rules.size() > 64) a.error(dec, "an output may have at most 64 decision rules");
      }
    }
    if (uint32_t rs = a.get(n, "reasons")) {
      if (out.form != OutputForm::Verdict) a.error(rs, "only verdict outputs have reasons");
      if (a.expect_seq(rs, "reasons")) {
        for (uint32_t item : a.doc().items(rs)) out.reasons.push_back(reason(a, item, codes, false, what));
      }
    }
    if (uint32_t ns = a.get(n, "notes")) {
      if (out.form != OutputForm::Verdict) a.error(ns, "only verdict outputs have notes");
      if (a.expect_seq(ns, "notes")) {
        for (uint32_t item : a.doc().items(ns)) out.notes.push_back(reason(a, item, codes, true, what));
      }
    }
    if (uint32_t se = a.get(n, "site_evidence")) {
      if (out.form != OutputForm::Verdict) a.error(se, "only verdict outputs have site evidence");
      if (a.expect_seq(se, "site_evidence")) {
        for (uint32_t item : a.doc().items(se)) {
          SiteEvidenceDef s;
          if (!a.expect_map(item, "site evidence")) continue;
          a.check_keys(item, {"when", "evidence"}, "site evidence");
          s.origin = Origin{a.file(), a.pos(item)};
          if (uint32_t w = a.get(item, "when", true, "site evidence")) s.when = expression(a, w);
          s.evidence = cites(a, item, "site evidence");
          out.site_evidence.push_back(std::move(s));
        }
      }
    }
  }

  void warnings(const SectionRef& s) {
    DocAccess a = acc(s.file);
    if (!a.expect_seq(s.node, "warnings")) return;
    for (uint32_t item : a.doc().items(s.node)) {
      if (!a.expect_map(item, "a warning")) continue;
      a.check_keys(item, {"code", "when", "field", "message", "evidence"}, "a warning");
      WarningDef w;
      w.origin = Origin{a.file(), a.pos(item)};
      std::string what = "warning";
      if (uint32_t c = a.get(item, "code", true, what)) {
        if (auto v = a.ident(c, "warning code")) w.code = *v, what = "warning '" + *v + "'";
      }
      if (uint32_t x = a.get(item, "when", true, what)) w.when = expression(a, x);
      if (uint32_t x = a.get(item, "message", true, what)) {
        if (auto v = a.text(x, "message")) w.message = *v;
      }
      if (uint32_t x = a.get(item, "field")) {
        if (auto v = a.text(x, "field")) {
          if (m_->schema.find(*v) < 0) a.error(x, "unknown field '" + *v + "'");
          w.field = *v;
        }
      }
      w.evidence = cites(a, item, what);
      m_->warnings.push_back(std::move(w));
    }
  }

  void constraints(const SectionRef& s) {
    DocAccess a = acc(s.file);
    if (!a.expect_seq(s.node, "constraints")) return;
    for (uint32_t item : a.doc().items(s.node)) {
      if (!a.expect_map(item, "a constraint")) continue;
      a.check_keys(item, {"id", "when", "field", "message", "evidence"}, "a constraint");
      ConstraintDef c;
      c.origin = Origin{a.file(), a.pos(item)};
      std::string what = "constraint";
      if (uint32_t x = a.get(item, "id", true, what)) {
        if (auto v = a.ident(x, "constraint id")) c.id = *v, what = "constraint '" + *v + "'";
      }
      if (uint32_t x = a.get(item, "when", true, what)) c.when = expression(a, x);
      if (uint32_t x = a.get(item, "message", true, what)) {
        if (auto v = a.text(x, "message")) c.message = *v;
      }
      if (uint32_t x = a.get(item, "field", true, what)) {
        if (auto v = a.text(x, "field")) {
          int slot = m_->schema.find(*v);
          if (slot < 0) {
            a.error(x, "unknown field '" + *v + "'");
          } else {
            c.field_slot = static_cast<uint32_t>(slot);
          }
          c.field = *v;
        }
      }
      cites(a, item, what, false);
      m_->constraints.push_back(std::move(c));
    }
  }

  void report_unused() {
    for (const auto& d : m_->defs) {
      if (d.kind == DefKind::Fact && !d.used) {
        d_.warning(d.origin.file, d.origin.pos, "fact '" + d.id + "' is never used");
      }
    }
    std::vector<uint8_t> param_used(m_->params.size(), 0);
    for (const auto& n : m_->pool) {
      if (n.op == Op::Param) param_used[n.index] = 1;
    }
    for (size_t i = 0; i < m_->params.size(); ++i) {
      if (!param_used[i]) {
        d_.warning(m_->params[i].origin.file, m_->params[i].origin.pos,
                   "parameter '" + m_->params[i].id + "' is never used");
      }
    }
    for (const auto& ev : m_->evidence) {
      if (!ev.cited) d_.warning(ev.origin.file, ev.origin.pos, "evidence '" + ev.id + "' is never cited");
    }
  }

  // ---- hash ----
  static void canonical(const Doc& doc, uint32_t n, std::string& out) {
    const DocNode& node = doc.node(n);
    auto put_text = [&](char tag, std::string_view t) {
      out += tag;
      out += std::to_string(t.size());
      out += ':';
      out += t;
    };
    switch (node.kind) {
      case DocKind::Null:
        out += 'n';
        break;
      case DocKind::Scalar: {
        bool typed = node.style == ScalarStyle::Plain &&
                     (node.text == "true" || node.text == "false" || parse_decimal(node.text).has_value());
        put_text(typed ? 'p' : 's', node.text);
        break;
      }
      case DocKind::Sequence:
        out += '[';
        for (uint32_t item : doc.items(n)) canonical(doc, item, out);
        out += ']';
        break;
      case DocKind::Mapping: {
        auto entries = doc.entries(n);
        std::sort(entries.begin(), entries.end(), [&](const Doc::Entry& x, const Doc::Entry& y) {
          return doc.node(x.key).text < doc.node(y.key).text;
        });
        out += '{';
        for (const auto& e : entries) {
          put_text('k', doc.node(e.key).text);
          canonical(doc, e.value, out);
        }
        out += '}';
        break;
      }
    }
  }

  std::string content_hash() {
    std::string canon = "oligoscreen-rules-v1\n";
    for (const auto& f : loaded_) {
      canon += "file:";
      canon += f.rel;
      canon += '\n';
      canonical(*f.doc, f.doc->root(), canon);
      canon += '\n';
    }
    Sha256 h;
    h.update(canon);
    return to_hex(h.finish());
  }

  const RuleFiles& files_;
  Diagnostics& d_;
  LoadLimits limits_;
  std::shared_ptr<RuleSetModel> m_;
  std::vector<LoadedFile> loaded_;
  std::vector<Pos> file_pos_;     // per manifest file: where it is listed
  std::set<std::string> broken_;  // names (field paths, parameters) declared but not defined
  bool names_lost_ = false;       // some definitions' names could not be read at all
  void names_lost() { names_lost_ = true; }
  std::map<std::string, std::vector<SectionRef>> sections_;
  std::map<std::string, Origin> ids_;
  std::map<std::string, Origin> evidence_ids_;
  std::vector<std::pair<uint32_t, Where>> pending_;
};

}  // namespace

std::shared_ptr<RuleSetModel> load_rule_set(const RuleFiles& files, Diagnostics& diags, const LoadLimits& limits) {
  Loader l(files, diags, limits);
  return l.run();
}

}  // namespace oligoscreen::detail
