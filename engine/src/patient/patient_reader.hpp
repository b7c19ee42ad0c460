// Reads one patient description (YAML or JSON, already parsed into a Doc) against a schema.
//
// The contract is shared/spec/patient-format.md; the wording of every message is in
// patient/scalar_parse.hpp. Summary:
//  - top-level keys are fields or groups (the first segments of dotted paths, `primary`); a
//    group's value is a mapping or null (null / absent: all its fields unknown);
//  - absent and null are Unknown (never false/0); `[]` is a known empty list;
//  - unknown keys are a PatientWarning {code "unknown_field", field "primary.sitee",
//    message "unknown field 'primary.sitee' (did you mean 'primary.site'?)"} at the key, or
//    with ReadOptions::strict an InputError of kind unknown_field with the same message;
//  - every error's `field` is the dotted path with 0-based indices ("lesions[1].site") and
//    its `pos` the offending node's position; missing required values (missing_id,
//    missing_field) are reported at the enclosing mapping; encoding errors also carry
//    has_offset with pos.offset = byte offset of the bad byte in the Doc's source text;
//  - contradictions between values (dates out of order) are not checked here.
//
// Patient layout (see Patient::link()): values[slot] per top-level field; a List of Enum
// takes `count` consecutive items (the list Value's aux = first item); a List of Record of n
// elements with k subfields takes n consecutive Record items (aux = make_ref(slot, elem + 1),
// e = index of its first subfield), followed by the n * k subfield Values (record by record,
// schema order); positions in value_pos / item_pos (invalid for unknown values).
#pragma once

#include <cstdint>
#include <vector>

#include "core/doc.hpp"
#include "patient/patient.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail {

struct ReadOptions {
  bool strict = false;  // unknown keys / columns are errors (kind unknown_field), not warnings
  bool json = false;    // the Doc came from JSON: Plain scalars are number/true/false tokens
};

// Reads one case from the mapping node `node` of `doc`. Fills `out` (reset to
// schema.fields.size() slots: values, items, positions, warnings for unknown keys, id) and
// appends every error found (never only the first) to `errors`. A non-mapping node is one
// type error (an empty or null node reads as an empty case: missing_id). Returns true when no
// error was appended. Calls out.link() before returning, in every case. Never throws on bad
// data (bad_alloc aside); no allocation beyond the reuse of `out`'s vectors once warm, except
// Text values longer than the small-string buffer and error/warning messages.
bool read_patient(const Schema& schema, const Doc& doc, uint32_t node, const ReadOptions& opt, Patient& out,
                  std::vector<InputError>& errors);

}  // namespace oligoscreen::detail
