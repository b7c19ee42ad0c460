// Fuzz target: the JSON Lines fast lane (patient/json_direct_reader.hpp) against the general
// path. Whenever read_patient_json_direct says Ok, read_json + read_patient must succeed on
// the same bytes and give the same Patient (values, Text bytes, positions, items, id); and
// with a record shape cache taught by the input's earlier lines, the same answer and Patient.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "json/json_reader.hpp"
#include "patient/json_direct_reader.hpp"
#include "patient/patient_reader.hpp"

namespace {

using namespace oligoscreen::detail;

constexpr size_t kMaxInput = 64u << 10;

bool same_pos(const Pos& a, const Pos& b) {
  return a.line == b.line && a.col == b.col && a.offset == b.offset;
}

// Equal Values of two Patients (list and record pointers compared as indices into items).
bool same_value(const Patient& pa, const Value& a, const Patient& pb, const Value& b) {
  if (a.kind != b.kind || a.hint != b.hint || a.enum_id != b.enum_id || a.aux != b.aux || a.why != b.why) return false;
  switch (a.kind) {
    case VKind::Unknown:
      return true;
    case VKind::Bool:
      return a.b == b.b;
    case VKind::Number:
      return std::memcmp(&a.num, &b.num, sizeof a.num) == 0;
    case VKind::Text:
      return std::string_view(a.text.p, a.text.n) == std::string_view(b.text.p, b.text.n);
    case VKind::Date:
      return a.date.lo == b.date.lo && a.date.hi == b.date.hi;
    case VKind::Enum:
      return a.e == b.e;
    case VKind::List:
      return a.list.count == b.list.count && a.list.items - pa.items.data() == b.list.items - pb.items.data();
    case VKind::Record:
      return a.rec.fields - pa.items.data() == b.rec.fields - pb.items.data();
  }
  return false;
}

bool same_patient(const Patient& a, const Patient& b) {
  if (a.id != b.id || a.has_id != b.has_id || !same_pos(a.start, b.start) || !a.warnings.empty() ||
      !b.warnings.empty() || a.values.size() != b.values.size() || a.items.size() != b.items.size() ||
      a.item_pos.size() != b.item_pos.size()) {
    return false;
  }
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (!same_value(a, a.values[i], b, b.values[i]) || !same_pos(a.value_pos[i], b.value_pos[i])) return false;
  }
  for (size_t i = 0; i < a.items.size(); ++i) {
    if (!same_value(a, a.items[i], b, b.items[i]) || !same_pos(a.item_pos[i], b.item_pos[i])) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput || size == 0) return 0;
  const Schema& schema = oligoscreen::fuzz::embedded_model().schema;
  // The first byte picks strict mode and a small depth limit; the rest is the record.
  const bool strict = (data[0] & 1) != 0;
  JsonLimits limits;
  if ((data[0] & 2) != 0) limits.max_depth = 1 + (data[0] >> 5);
  const std::string_view text = oligoscreen::fuzz::as_text(data + 1, size - 1);
  ReadOptions ro;
  ro.strict = strict;
  ro.json = true;
  static Patient* direct = new Patient();  // reused across runs, as the batch path does
  static Patient* cached = new Patient();
  // Each line is a record (the whole text when it has none), read in turn with one record
  // shape cache (the earlier lines teach it): with or without the cache the same answer and
  // Patient, and whatever the fast lane accepts, the general path gives too.
  DirectReadCache cache;
  for (size_t at = 0; at <= text.size();) {
    size_t nl = text.find('\n', at);
    if (nl == std::string_view::npos) nl = text.size();
    const std::string_view line = text.substr(at, nl - at);
    at = nl + 1;
    const bool ok = read_patient_json_direct(schema, line, 3, limits, ro, *direct) == DirectRead::Ok;
    if (ok != (read_patient_json_direct(schema, line, 3, limits, ro, *cached, &cache) == DirectRead::Ok)) {
      __builtin_trap();  // the cache changed the answer
    }
    if (!ok) continue;
    if (!same_patient(*direct, *cached)) __builtin_trap();
    Doc doc;
    JsonError err;
    Patient general;
    std::vector<InputError> errors;
    if (!read_json(line, limits, doc, err, 3) || !read_patient(schema, doc, doc.root(), ro, general, errors)) {
      __builtin_trap();  // the fast lane accepted what the general path rejects
    }
    if (!same_patient(*direct, general)) __builtin_trap();
  }
  return 0;
}
