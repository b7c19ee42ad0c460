// oligoscreen C++ API: load a rule set once, share it between threads, assess patients (JSON)
// into typed results or the JSON result of the result format. Contracts: docs/cpp-api.md.
//
//   auto rules = oligoscreen::RuleSet::default_rules();           // std::shared_ptr<const RuleSet>
//   oligoscreen::Assessment a = rules->assess(patient_json);
//   if (a.ok()) std::cout << a.verdict("sbrt")->code << "\n";     // "supported", "consider", ...
//
// Only standard-library types appear here; the classes hold a pointer to their implementation
// (pimpl) so that the library can change inside without breaking hosts. Rule sets are immutable
// and safe to use from any number of threads; Assessments are values (cheap to copy, immutable).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "oligoscreen/export.h"
#include "oligoscreen/oligoscreen_version.h"

namespace oligoscreen {

// A failure that stops work: the rule set did not load (code() == OLIGOSCREEN_E_RULES, what()
// holds every diagnostic), or an argument was invalid. Bad patient data is not an exception:
// it gives an Assessment whose ok() is false.
class OLIGOSCREEN_API Error : public std::runtime_error {
 public:
  Error(int code, const std::string& message);
  ~Error() override;
  Error(const Error&) = default;
  Error& operator=(const Error&) = default;
  [[nodiscard]] int code() const noexcept { return code_; }

 private:
  int code_;
};

// What identifies a rule set in every result.
struct RuleSetInfo {
  std::string id;       // "sarcoma-sbrt"
  std::string version;  // "1.0.0"
  std::string sha256;   // of the canonical content, 64 lowercase hex digits
};

// Options of one assessment; the defaults are those of `oligoscreen screen`.
struct AssessOptions {
  bool explain = false;  // JSON: add the trace (criteria, paths)
  bool what_if = true;   // JSON: add what each missing field would change
  bool strict = false;   // unknown fields are errors, not warnings
};

enum class ReportFormat { Text, Markdown, Html };

// One output of the rule set (state, estro_eortc, omd_definition, sbrt, oligorare).
struct Verdict {
  std::string output;                // the output's id ("sbrt")
  std::string key;                   // where it is in the JSON result ("sbrt.verdict")
  std::string code;                  // "supported", "consider", ...; the output's unknown code when undecided
  bool known = false;                // false: undecided, some data it needs is missing
  std::vector<std::string> reasons;  // reason codes, in the result's order
};

// One criterion or fact of the rule set, as evaluated for this patient.
struct Criterion {
  std::string id;
  std::string kind;   // "criterion" or "fact"
  std::string group;  // may be empty
  std::string title;
  std::string result;                        // "true", "false", "unknown", or the value as JSON for non-boolean facts
  std::vector<std::string> unknown_because;  // field paths that left it unknown
};

// An input field that is unknown and whose value could change at least one verdict.
struct MissingField {
  std::string path;                  // "ecog", "lesions[0].size_mm" (0-based)
  std::vector<std::string> affects;  // output ids
};

// Why a patient could not be assessed (kinds of the result format: syntax, encoding, ...).
struct InputError {
  std::string kind;
  std::string field;         // may be empty
  std::uint32_t line = 0;    // 1-based; 0 when unknown
  std::uint32_t column = 0;  // 1-based; 0 when unknown
  std::int64_t offset = -1;  // bytes from the start (encoding errors); -1 when not given
  std::string message;
};

struct Provenance {
  RuleSetInfo ruleset;
  std::string engine_version;
};

// The assessment of one patient: immutable, cheap to copy (shares its data).
class OLIGOSCREEN_API Assessment {
 public:
  Assessment(const Assessment&);
  Assessment(Assessment&&) noexcept;
  Assessment& operator=(const Assessment&);
  Assessment& operator=(Assessment&&) noexcept;
  ~Assessment();

  // False: the patient data could not be read (errors() says why; no verdicts).
  [[nodiscard]] bool ok() const noexcept;
  [[nodiscard]] const std::string& id() const noexcept;                 // the patient id ("" when unread)
  [[nodiscard]] const std::vector<Verdict>& verdicts() const noexcept;  // rule-set order
  // The verdict of output `output` ("sbrt"), or null when there is none.
  [[nodiscard]] const Verdict* verdict(std::string_view output) const noexcept;
  [[nodiscard]] const std::vector<Criterion>& criteria() const noexcept;  // rule-set order
  [[nodiscard]] const std::vector<MissingField>& missing() const noexcept;
  [[nodiscard]] const std::vector<InputError>& errors() const noexcept;
  [[nodiscard]] const Provenance& provenance() const noexcept;
  // The JSON result (or error result) for the options it was assessed with, without newline.
  [[nodiscard]] const std::string& json() const noexcept;

  struct Impl;

 private:
  friend class RuleSet;
  OLIGOSCREEN_LOCAL explicit Assessment(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// A compiled rule set: immutable and thread-safe. Share it as std::shared_ptr<const RuleSet>.
class OLIGOSCREEN_API RuleSet {
 public:
  // The rule set compiled into the library (sarcoma-sbrt).
  static std::shared_ptr<const RuleSet> default_rules();
  // Loads and checks the rule set in folder `dir`. Throws Error (OLIGOSCREEN_E_RULES) listing
  // every mistake as "file:line:col: error: message".
  static std::shared_ptr<const RuleSet> load(const std::string& dir);

  RuleSet(const RuleSet&) = delete;
  RuleSet& operator=(const RuleSet&) = delete;
  ~RuleSet();

  [[nodiscard]] RuleSetInfo info() const;
  // Assesses one patient (JSON). Typed access; criteria() is always filled. Never throws for
  // bad patient data (std::bad_alloc aside).
  [[nodiscard]] Assessment assess(std::string_view patient_json, const AssessOptions& options = {}) const;
  // The JSON result, byte-identical to `oligoscreen screen --format json` (no trailing newline)
  // with the same options; the error result for unreadable data.
  [[nodiscard]] std::string assess_json(std::string_view patient_json, const AssessOptions& options = {}) const;
  // The tumour-board report (as `oligoscreen screen --format ...` writes it to a pipe).
  [[nodiscard]] std::string report(std::string_view patient_json, ReportFormat format,
                                   const AssessOptions& options = {}) const;

  struct Impl;

 private:
  OLIGOSCREEN_LOCAL explicit RuleSet(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The engine version ("0.1.0").
OLIGOSCREEN_API std::string version();

}  // namespace oligoscreen
