// A rule set's constant parts of a compact JSON result, rendered once per rule set and
// thread: keys with their quotes and colon, codes, reasons, evidence entries, field paths
// and provenance. Compact rendering (compact_result.cpp) then mostly copies them.
//
// Each fragment is exactly what JsonWriter writes for that part in compact mode. Fragments
// that are items of a list or members of an object start with their ',': the first item is
// written from the second byte.
#pragma once

#include <string>
#include <vector>

#include "assess/assessment.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

struct ResultFragments {
  struct Output {
    // Per code: the key (with ',', and the '}' and '"group":{' around nested outputs), then
    // '"code"' (code outputs) or '{"verdict":"code","reasons":[' (verdict outputs).
    std::vector<std::string> head;
    std::vector<std::string> reasons, notes;  // per ReasonDef of the output: ',{…}'
    std::string affects;                      // ',"<output id>"'
    std::vector<std::string> change;          // per code: ',"<output id>":"<code>"'
  };
  std::vector<Output> outputs;
  std::string after_outputs;                  // '}' closing the last group if any, ',"missing":['
  std::string after_outputs_empty;            // after_outputs + '],"warnings":[]'
  std::string after_outputs_to_evidence;      // after_outputs_empty + ',"evidence":{'
  std::vector<std::string> evidence_ids;      // per evidence: ',"<id>"'
  std::vector<std::string> evidence_members;  // per evidence: ',"<id>":{…}'
  // evidence_members concatenated; the members of ids a..b (consecutive) are the bytes from
  // members_at[a] to members_at[b + 1].
  std::string members_joined;
  std::vector<size_t> members_at;
  std::vector<std::string> presumptions;            // per def: ',{…}' when it has a presumption, else ""
  std::vector<std::string> fields;                  // per slot: the path as a JSON string body
  std::vector<std::vector<std::string>> subfields;  // per slot and subfield: '.' + name, escaped
  std::string tail;                                 // ',"notice":"…","provenance":{…}}'
  std::string provenance;                           // ',"provenance":{…}}'
  std::string evidence_close;                       // '}' + tail

  // Identity: the model these were rendered from (its address and content hash).
  const RuleSetModel* model = nullptr;
  std::string sha256;
};

// The fragments of `m` for the calling thread, rendered on first use. A thread keeps those
// of the last model it rendered; a model is never modified after load, so no locking.
const ResultFragments& result_fragments(const RuleSetModel& m);

// The fragments of `m`, owned by the caller (for splices that must outlive a thread).
ResultFragments make_result_fragments(const RuleSetModel& m);

// The ',{…}' fragment of `r`, or null when `r` is not one of the model's own reasons, notes
// or presumptions.
const std::string* reason_fragment(const RuleSetModel& m, const ResultFragments& f, const ReasonOut& r);

// Appends field_path(m.schema, ref) as a JSON string body, without building it.
void append_field_path_json(const ResultFragments& f, FieldRef ref, std::string& out);

}  // namespace oligoscreen::detail
