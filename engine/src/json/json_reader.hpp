// Strict RFC 8259 JSON reader producing the flat Doc tree (core/doc.hpp).
//
// Used for single JSON cases and for every JSON Lines record of a batch, so it is built for
// speed: one pass, no recursion, no allocation per node once the Doc's vector has grown
// (the Doc is cleared and reused), strings without escapes are views into the input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/doc.hpp"
#include "core/source.hpp"

namespace oligoscreen::detail {

struct JsonLimits {
  uint32_t max_depth = 32;              // open arrays/objects at once; the 33rd is an error
  size_t max_bytes = 1u << 20;          // size of `text`, checked before anything else
  size_t max_string_bytes = 64u << 10;  // decoded bytes of one string (keys included)
  size_t max_nodes = 100000;            // Doc nodes: values plus object keys
};

struct JsonError {
  std::string kind;     // "syntax" | "encoding" | "duplicate_key" | "limit"
  Pos pos;              // 1-based line/col within `text` (col counts code points, see
                        // utf8_position), offset = byte offset in `text`
  std::string message;  // e.g. "expected ',' or '}' after object member"
};

// Parses exactly one JSON value (surrounding JSON whitespace allowed, nothing else).
// `first_line` is the line number of text[0] in its file (for JSONL: the record's physical
// line); it is added to every line number, node positions and errors alike.
//
// Mapping to the Doc (root = node 1):
//  - object -> Mapping; each member is a key node (Scalar, Quoted, the unescaped key) whose
//    `next` is the value node; array -> Sequence;
//  - string -> Scalar/Quoted with the unescaped text: a view into `text` when the string
//    has no escapes (the caller keeps `text` alive as long as the Doc), else doc.keep();
//  - number / true / false -> Scalar/Plain with the token exactly as written;
//  - null -> DocKind::Null.
//  Every node's pos is where it starts (strings: the opening quote). Any top-level value is
//  accepted (callers that need an object check the root's kind).
//
// Strictness: no comments, trailing commas, single quotes, NaN/Infinity, leading zeros,
// '+' signs, unquoted keys, byte order mark; numbers follow the RFC grammar and must not
// overflow a double (1e400: "number out of range"; underflow such as 1e-400 is accepted);
// raw control characters (< U+0020) in strings are rejected; \u escapes must pair
// surrogates (a lone surrogate is an "encoding" error); duplicate keys (compared after
// unescaping) are a "duplicate_key" error at the second key; the limits are "limit" errors
// at the value that exceeds them ("nesting too deep (limit 32)" at the 33rd '[' or '{').
//
// Which error is reported: (1) text larger than max_bytes: "limit" at 1:1, nothing read;
// (2) else, if text is not valid UTF-8 anywhere: "encoding" at the first invalid byte,
// whatever else is wrong; (3) else the first error in text order.
//
// Returns true on success. On failure returns false, fills err, and leaves `out` empty.
// `out` is cleared first and keeps its capacity. Thread-safe: the only state besides the
// arguments is per-thread scratch memory (reused across calls; trimmed after huge inputs).
bool read_json(std::string_view text, const JsonLimits& limits, Doc& out, JsonError& err, uint32_t first_line = 1);

}  // namespace oligoscreen::detail
