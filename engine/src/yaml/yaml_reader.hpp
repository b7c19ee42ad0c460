// Strict YAML reader: one untrusted YAML document -> Doc, or diagnostics.
//
// The only place in the engine that talks to yaml-cpp. It accepts the subset of YAML that
// rule and patient files need and rejects everything that yaml-cpp 0.7 would accept
// silently or handle badly (see shared/reliability/README.md §1): anchors/aliases, tags,
// duplicate keys, more than one document, trailing junk, invalid UTF-8, NUL and other
// control characters, lone CR line endings, tab indentation, and inputs over the limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/doc.hpp"
#include "core/source.hpp"

namespace oligoscreen::detail {

struct YamlLimits {
  size_t max_bytes = 4u << 20;  // whole text, BOM included
  uint32_t max_depth = 32;      // nesting of mappings/sequences (root collection = 1); capped at 256
  size_t max_nodes = 200000;    // every key, value and item counts
  size_t max_scalar_bytes = 1u << 20;
  size_t max_line_bytes = 64u << 10;  // bytes of one line, line break and BOM excluded
};

// Parses exactly one YAML document from `text` into `out` (cleared first).
//
// Returns true on success. On failure adds one or more errors to `diags` (file name `file`),
// returns false and leaves `out` empty. Never throws.
//
// Positions: line and column are 1-based; columns count bytes; a leading UTF-8 BOM is not
// counted in line 1's columns; Pos::offset is the byte offset in `text` as given (BOM and
// CRs included). CRLF line breaks are accepted and scalar text never contains the CR.
//
// Output shape (core/doc.hpp): root is node 1; mapping children are key (always a Scalar,
// Plain or Quoted) then value, all linked by `next`; `count` is entries/items. Plain `~`,
// `null`, `Null`, `NULL` and empty values are DocKind::Null; an empty value's position is
// just after the ':' or '-' that introduces it. Block scalars ('|', '>') have `pos` at the
// first content line and `indent` set, so that scalar_pos_at() maps into the file
// (exact for Literal; Folded joins lines so only its first line maps exactly).
//
// Does not register `text` with diags (callers call diags.add_source themselves).
bool read_yaml(std::string_view file, std::string_view text, const YamlLimits& limits, Doc& out, Diagnostics& diags);

}  // namespace oligoscreen::detail
