// Reads one JSON Lines record straight into a Patient, without building a Doc: the batch
// path's fast lane for plain, valid records.
//
// Contract: when it returns Ok, `out` equals, field by field, what
//   read_json(text, limits, doc, err, line) followed by
//   read_patient(schema, doc, doc.root(), ReadOptions{strict, json = true}, out, errors)
// produces (values and Text bytes, value_pos / item_pos, items, id / has_id, warnings, start,
// linked), and that path would have succeeded with no error. Whenever it cannot prove that
// cheaply it returns Fallback, and the caller runs that general path instead, which words
// every error. Fallback is taken for (at least): any JSON syntax error, a byte outside
// printable ASCII or a newline anywhere, string escapes, numbers with an exponent, a key not
// in the schema (warning or strict error), duplicate keys, a value that fails conversion or a
// type mismatch, a missing required field, a list over its limit, and a text near a
// JsonLimits bound (size, depth, nodes, string length). After Fallback `out` is in an
// unspecified (valid) state. Never throws (bad_alloc aside); no allocation once `out` is warm.
#pragma once

#include <cstdint>
#include <string_view>

#include "json/json_reader.hpp"
#include "patient/patient.hpp"
#include "patient/patient_reader.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail {

enum class DirectRead : uint8_t { Ok, Fallback };

// `line` is the record's physical line (read_json's first_line); `opt.json` is implied.
DirectRead read_patient_json_direct(const Schema& schema, std::string_view text, uint32_t line,
                                    const JsonLimits& limits, const ReadOptions& opt, Patient& out);

}  // namespace oligoscreen::detail
