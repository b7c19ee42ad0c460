// The pieces of a JSON result written through JsonWriter (json_result.cpp): the generic form
// that pretty output, the trace and the pre-rendered fragments (result_fragments.cpp) use.
#pragma once

#include <string>

#include "assess/assessment.hpp"
#include "json/json_writer.hpp"
#include "patient/patient.hpp"
#include "rules/ruleset_model.hpp"

namespace oligoscreen::detail {

// `{code, text, evidence}` of a reason, a note or a presumption.
void write_reason_json(const RuleSetModel& m, const ReasonOut& r, JsonWriter& w);

// The value of one top-level `evidence` member (the entry, without its id).
void write_evidence_entry_json(const EvidenceDef& e, JsonWriter& w);

// The `provenance` member (key and object).
void write_provenance_json(const RuleSetModel& m, JsonWriter& w);

// The `criteria`, `paths` and `decisions` members (--explain).
void write_trace_json(const RuleSetModel& m, const Patient& p, const Assessment& a, JsonWriter& w);

// One object of an error result's `errors`.
void write_error_object_json(const InputError& e, JsonWriter& w);

}  // namespace oligoscreen::detail
