#include "patient/patient_reader.hpp"

#include <bitset>
#include <string>
#include <string_view>

#include "patient/scalar_parse.hpp"
#include "patient/schema_index.hpp"

namespace oligoscreen::detail {

using namespace scalar;  // NOLINT(google-build-using-namespace): the readers' shared toolkit

namespace {

struct DocReader {
  const Schema& schema;
  const Doc& doc;
  const ReadOptions& opt;
  Patient& out;
  std::vector<InputError>& errors;
  const SchemaIndex& index;
  SlotSet present;   // top-level field given with a non-null value (valid or not)
  size_t guess = 0;  // the field the next key probably names (keys tend to come in schema order)

  [[nodiscard]] Lexical lexical(const DocNode& n) const {
    if (n.style != ScalarStyle::Plain) return Lexical::Quoted;
    return opt.json ? Lexical::Token : Lexical::Bare;
  }

  // "a list" / "a mapping" / "null" / the scalar as written: what a type error says it got.
  void append_got(std::string& m, const DocNode& n) const {
    m += ", got ";
    switch (n.kind) {
      case DocKind::Null:
        m += "null";
        return;
      case DocKind::Sequence:
        m += "a list";
        return;
      case DocKind::Mapping:
        m += "a mapping";
        return;
      case DocKind::Scalar:
        break;
    }
    const Lexical lex = lexical(n);
    if (lex == Lexical::Token) {
      append_clean(m, n.text, 64);
    } else {
      if (lex == Lexical::Quoted) m += "text ";
      append_quoted(m, n.text);
    }
  }

  void type_error(std::string field, const DocNode& n, std::string_view expected) {
    std::string m(expected);
    append_got(m, n);
    add_error(errors, "type", std::move(field), n.pos, m);
  }

  // Converts scalar node n for field f (a top-level field or a subfield, named by `ref` in an
  // error). On failure appends the error and returns false.
  bool convert(const FieldDef& f, const DocNode& n, FieldRef ref, Value& val) {
    const Lexical lex = lexical(n);
    if (n.clean && convert_clean(schema, index, f, n.text, lex, out.texts, val)) return true;
    return convert_general(f, n, lex, ref, val);
  }

  [[gnu::noinline]] bool convert_general(const FieldDef& f, const DocNode& n, Lexical lex, FieldRef ref, Value& val) {
    ScalarError se;
    if (convert_scalar(schema, f, n.text, lex, BoolSyntax::Strict, out.texts, val, se, &index)) return true;
    scalar_error(field_path(schema, ref), n, se);
    return false;
  }

  void scalar_error(std::string field, const DocNode& n, const ScalarError& se) {
    const uint32_t quote = (n.style == ScalarStyle::Quoted) ? 1U : 0U;
    add_scalar_error(errors, std::move(field), n.pos, se, n.pos.offset + quote);
  }

  // Unknown key: a warning, or an unknown_field error under --strict. `path` is the key as
  // written with its prefix ("primary.sitee"); `suggestion` the full path of the closest
  // field, or empty.
  void unknown_key(std::string_view path, std::string_view suggestion_prefix, std::string_view suggestion, Pos pos) {
    std::string m = unknown_message("field", path, suggestion_prefix, suggestion);
    std::string field;
    append_clean(field, path, 256);
    if (opt.strict) {
      add_error(errors, "unknown_field", std::move(field), pos, m);
      errors.back().message = std::move(m);  // no "<field>: " prefix: the message names it
    } else {
      out.warnings.push_back(PatientWarning{"unknown_field", std::move(field), std::move(m), pos});
    }
  }

  // ---------------------------------------------------------------- mappings and groups

  static std::string group_path(const FieldDef& exemplar, size_t depth) {
    std::string p;
    for (size_t i = 0; i < depth; ++i) {
      if (i != 0) p += '.';
      p += exemplar.segments[i];
    }
    return p;
  }

  // Reads the entries of mapping `map`, whose keys are segment `depth` of the paths under the
  // group named by prefix->segments[0..depth) (top level: depth 0, prefix unused); `scope` is
  // the mapping's SchemaIndex scope (kNoScope: look keys up by scanning only).
  void read_mapping(uint32_t map, const FieldDef* prefix, size_t depth, uint32_t scope) {
    const DocNode& m = doc.node(map);
    for (uint32_t k = m.first; k != 0;) {
      const DocNode& key_node = doc.node(k);
      const uint32_t v = key_node.next;
      const std::string_view key = key_node.text;
      const SchemaIndex::KeyHit hit = lookup_key(schema, index, guess, prefix, depth, scope, key);
      const FieldDef* field = hit.field;
      const FieldDef* group = hit.group;
      if (field != nullptr) {
        guess = static_cast<size_t>(field - schema.fields.data()) + 1;
        read_field(*field, v);
      } else if (group != nullptr) {
        guess = static_cast<size_t>(group - schema.fields.data());
        const DocNode& g = doc.node(v);
        if (g.is_map()) {
          read_mapping(v, group, depth + 1, hit.child_scope);
        } else if (!g.is_null()) {
          type_error(group_path(*group, depth + 1), g, "expected a mapping");
        }
      } else {
        report_unknown(key, prefix, depth, key_node.pos);
      }
      k = v != 0 ? doc.node(v).next : 0;
    }
  }

  void report_unknown(std::string_view key, const FieldDef* prefix, size_t depth, Pos pos) {
    std::string path;
    std::string sugg_prefix;
    if (depth != 0) {
      path = group_path(*prefix, depth);
      path += '.';
      sugg_prefix = path;
    }
    path.append(key);
    DidYouMean dym(key);
    for (const FieldDef& f : schema.fields) {
      if (under_group(f, prefix, depth)) dym.offer(f.segments[depth]);
    }
    unknown_key(path, sugg_prefix, dym.best(), pos);
  }

  // ---------------------------------------------------------------- fields

  void read_field(const FieldDef& f, uint32_t v) {
    const DocNode& n = doc.node(v);
    if (n.is_null()) return;  // unknown
    if (f.slot < kMaxSlots) present.set(f.slot);
    const FieldRef ref = make_ref(f.slot);
    if (f.type == FieldType::List) {
      read_list(f, n, ref);
      return;
    }
    if (!n.is_scalar()) {
      type_error(field_path(schema, ref), n, expected_phrase(f, BoolSyntax::Strict));
      return;
    }
    Value val;
    if (!convert(f, n, ref, val)) return;
    out.values[f.slot] = val;
    out.value_pos[f.slot] = n.pos;
    if (f.record_id) {
      out.id.assign(n.text);
      out.has_id = true;
    }
  }

  // A list field of a top-level slot. `ref` names the list (for paths).
  void read_list(const FieldDef& f, const DocNode& n, FieldRef ref) {
    if (!n.is_seq()) {
      type_error(field_path(schema, ref), n, expected_phrase(f, BoolSyntax::Strict));
      return;
    }
    if (!check_items(f, n, ref)) return;
    if (f.of == ListOf::Record) {
      read_record_list(f, n, ref);
    } else {
      const uint32_t first = read_enum_items(f, n, ref);
      out.values[f.slot] = Value::list_of(nullptr, n.count, first);
      out.value_pos[f.slot] = n.pos;
    }
  }

  bool check_items(const FieldDef& f, const DocNode& n, FieldRef ref) {
    if (!too_many_items(f, n.count)) return true;
    add_limit_error(errors, field_path(schema, ref), n.pos, n.count, f.max_items);
    return false;
  }

  // Appends the items of a List of Enum; returns the index of the first. `ref` names the
  // list; an item's path is ref with its element set (subfield lists: the subfield's path).
  uint32_t read_enum_items(const FieldDef& f, const DocNode& n, FieldRef ref) {
    const auto first = static_cast<uint32_t>(out.items.size());
    const bool elems = ref_elem1(ref) == 0;  // top-level list: items are [i]
    uint32_t i = 0;
    for (uint32_t it = n.first; it != 0; it = doc.node(it).next, ++i) {
      const DocNode& item = doc.node(it);
      Value val;
      Pos pos;
      const FieldRef item_ref = elems ? make_ref(ref_slot(ref), i + 1) : ref;
      if (!item.is_scalar()) {
        type_error(field_path(schema, item_ref), item, "expected one of the allowed values");
      } else if (item.clean && convert_clean_enum(schema, index, f.enum_id, item.text, lexical(item), val)) {
        pos = item.pos;
      } else {
        ScalarError se;
        if (convert_enum_item(schema, f.enum_id, item.text, lexical(item), val, se, &index)) {
          pos = item.pos;
        } else {
          scalar_error(field_path(schema, item_ref), item, se);
        }
      }
      out.items.push_back(val);
      out.item_pos.push_back(pos);
    }
    return first;
  }

  void read_record_list(const FieldDef& f, const DocNode& n, FieldRef ref) {
    const uint32_t count = n.count;
    const auto k = static_cast<uint32_t>(f.fields.size());
    const uint32_t base = append_record_items(out, ref_slot(ref), count, k);
    const uint32_t subs = base + count;
    const uint32_t slot = ref_slot(ref);
    uint32_t i = 0;
    for (uint32_t it = n.first; it != 0 && i < count; it = doc.node(it).next, ++i) {
      const DocNode& item = doc.node(it);
      if (!item.is_map()) {
        type_error(field_path(schema, make_ref(slot, i + 1)), item, "expected a mapping");
        continue;
      }
      out.item_pos[base + i] = item.pos;
      read_record(f, it, slot, i, subs + i * k);
    }
    out.values[slot] = Value::list_of(nullptr, count, base);
    out.value_pos[slot] = n.pos;
  }

  // One element of a List of Record: mapping `map`, element index `elem`, subfields at
  // out.items[at .. at + k).
  void read_record(const FieldDef& f, uint32_t map, uint32_t slot, uint32_t elem, uint32_t at) {
    SlotSet given;
    size_t sub_guess = 0;  // as DocReader::guess, for the subfields
    const DocNode& m = doc.node(map);
    for (uint32_t kn = m.first; kn != 0;) {
      const DocNode& key_node = doc.node(kn);
      const uint32_t v = key_node.next;
      const std::string_view key = key_node.text;
      const int sub = lookup_sub(index, f, sub_guess, key);
      if (sub < 0) {
        std::string path = field_path(schema, make_ref(slot, elem + 1));
        path += '.';
        std::string sugg_prefix = path;
        path.append(key);
        DidYouMean dym(key);
        for (const FieldDef& sf : f.fields) dym.offer(sf.path);
        unknown_key(path, sugg_prefix, dym.best(), key_node.pos);
      } else {
        sub_guess = static_cast<size_t>(sub) + 1;
        read_subfield(f.fields[static_cast<size_t>(sub)], v, make_ref(slot, elem + 1, static_cast<uint32_t>(sub) + 1),
                      at + static_cast<uint32_t>(sub), given);
      }
      kn = v != 0 ? doc.node(v).next : 0;
    }
    for (size_t s = 0; s < f.fields.size() && s < kMaxSlots - 1; ++s) {
      if (f.fields[s].required && !given.test(s)) {
        add_error(errors, "missing_field", field_path(schema, make_ref(slot, elem + 1, static_cast<uint32_t>(s) + 1)),
                  m.pos, "missing (required)");
      }
    }
  }

  void read_subfield(const FieldDef& sf, uint32_t v, FieldRef ref, uint32_t at, SlotSet& given) {
    const DocNode& n = doc.node(v);
    if (n.is_null()) return;
    given.set(ref_sub1(ref) - 1);
    if (sf.type == FieldType::List) {
      if (sf.of != ListOf::Enum) {
        add_error(errors, "type", field_path(schema, ref), n.pos, "lists of records inside records are not supported");
        return;
      }
      if (!n.is_seq()) {
        type_error(field_path(schema, ref), n, expected_phrase(sf, BoolSyntax::Strict));
        return;
      }
      if (!check_items(sf, n, ref)) return;
      const uint32_t first = read_enum_items(sf, n, ref);  // appended after all subfields
      out.items[at] = Value::list_of(nullptr, n.count, first);
      out.item_pos[at] = n.pos;
      return;
    }
    if (!n.is_scalar()) {
      type_error(field_path(schema, ref), n, expected_phrase(sf, BoolSyntax::Strict));
      return;
    }
    Value val;
    if (!convert(sf, n, ref, val)) return;
    out.items[at] = val;
    out.item_pos[at] = n.pos;
  }
};

}  // namespace

bool read_patient(const Schema& schema, const Doc& doc, uint32_t node, const ReadOptions& opt, Patient& out,
                  std::vector<InputError>& errors) {
  const size_t errors_before = errors.size();
  out.reset(schema.fields.size());
  DocReader r{schema, doc, opt, out, errors, SchemaIndex::of(schema), {}, 0};
  const bool valid_node = node != 0 && node < doc.size();
  if (valid_node) out.start = doc.node(node).pos;
  if (valid_node && !doc.node(node).is_null() && !doc.node(node).is_map()) {
    r.type_error("", doc.node(node), "expected a mapping of patient fields");
    out.link();
    return false;
  }
  if (valid_node && doc.node(node).is_map()) r.read_mapping(node, nullptr, 0, SchemaIndex::kTopScope);
  check_required(schema, r.present, out.start, errors);
  out.link();
  return errors.size() == errors_before;
}

}  // namespace oligoscreen::detail
