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
#include <memory>
#include <string_view>

#include "json/json_reader.hpp"
#include "patient/patient.hpp"
#include "patient/patient_reader.hpp"
#include "rules/schema.hpp"

namespace oligoscreen::detail {

enum class DirectRead : uint8_t { Ok, Fallback };

struct DirectShapes;  // json_direct_reader.cpp

// What one caller (a batch worker) remembers between records: the key sequence of each
// mapping (record and groups) of the records read so far, as the exact bytes `"key":` with the
// field each names, and the enum texts met, as exact bytes with their value. Records written
// with the same keys in the same order (absent keys skipped) are then read key by key with one
// compare each; on any difference the record is read the general way (same result).
// Contract: a cache is bound to the first Schema it is used with (by address) and starts over
// when used with another; that Schema must stay alive and unchanged while the cache is used
// with it (a RuleSetModel's schema, for a worker of that model). Not thread-safe: one per
// thread.
class DirectReadCache {
 public:
  DirectReadCache();
  DirectReadCache(const DirectReadCache&) = delete;
  DirectReadCache& operator=(const DirectReadCache&) = delete;
  ~DirectReadCache();
  DirectShapes& shapes() { return *shapes_; }

 private:
  std::unique_ptr<DirectShapes> shapes_;
};

// `line` is the record's physical line (read_json's first_line); `opt.json` is implied.
// `cache` (optional) changes only the cost, never the result.
DirectRead read_patient_json_direct(const Schema& schema, std::string_view text, uint32_t line,
                                    const JsonLimits& limits, const ReadOptions& opt, Patient& out,
                                    DirectReadCache* cache = nullptr);

}  // namespace oligoscreen::detail
