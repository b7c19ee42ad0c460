/* oligoscreen C API: screening sarcoma patients with oligometastatic disease for SBRT.
 *
 * Plain C99, usable from C++. The contract of every function is in docs/c-api.md; in short:
 *  - Every function returns OLIGOSCREEN_OK (0) or a negative OLIGOSCREEN_E_* code, except the
 *    version and free functions. No exception, exit, abort or signal crosses this API.
 *  - Strings handed out (char **) are NUL-terminated UTF-8 owned by the caller, who frees them
 *    with oligoscreen_string_free. On failure the output pointers are set to NULL (or to an
 *    error text / error result where a function says so).
 *  - Input buffers are passed with an explicit length and need not be NUL-terminated.
 *  - A rule set is immutable once loaded: one oligoscreen_rules may be used by any number of
 *    threads at once. It must outlive every call that uses it.
 *  - The library never writes to stdout or stderr and never reads or changes the global
 *    locale; its diagnostics go to the log callback, if the host installs one.
 *
 * Example:
 *   oligoscreen_rules *rules = NULL;
 *   char *error = NULL, *result = NULL;
 *   if (oligoscreen_rules_default(&rules, &error) != OLIGOSCREEN_OK) { ... error ...; }
 *   int rc = oligoscreen_assess(rules, json, json_length, &result);  // OK or E_INPUT: result set
 *   ...
 *   oligoscreen_string_free(result);
 *   oligoscreen_rules_free(rules);
 */
#ifndef OLIGOSCREEN_H
#define OLIGOSCREEN_H

#include <stddef.h>

#include "oligoscreen/export.h"
#include "oligoscreen/oligoscreen_version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Status codes ---------------------------------------------------------------------- */

#define OLIGOSCREEN_OK 0
/* A NULL pointer where one is required, an unknown flag or level, a size field too small. */
#define OLIGOSCREEN_E_INVALID_ARGUMENT (-1)
/* The rule set could not be loaded (missing folder, a mistake in a rule file): *error says
 * where, as "file:line:col: error: message" lines. */
#define OLIGOSCREEN_E_RULES (-2)
/* The patient data could not be read or contradicts itself: *result_json holds the error
 * result of the result format (kind, field, line/column or byte offset, message). */
#define OLIGOSCREEN_E_INPUT (-3)
/* Memory ran out. No output was produced; the library stays usable. */
#define OLIGOSCREEN_E_NO_MEMORY (-4)
/* A bug inside the library was caught at the API boundary. No output was produced. */
#define OLIGOSCREEN_E_INTERNAL (-5)

/* ---- Versions -------------------------------------------------------------------------- */

/* The engine version, e.g. "0.1.0" (static storage; never NULL). */
OLIGOSCREEN_API const char* oligoscreen_version(void);
/* The ABI of the loaded library; equals OLIGOSCREEN_ABI_VERSION of the headers it was built
 * with. A host built against another ABI number must not use this library. */
OLIGOSCREEN_API int oligoscreen_abi_version(void);

/* ---- Rule sets ------------------------------------------------------------------------- */

/* A compiled rule set: opaque, immutable, thread-safe. */
typedef struct oligoscreen_rules oligoscreen_rules;

/* Loads the rule set compiled into the library (sarcoma-sbrt). `error` may be NULL; when not,
 * *error is set to NULL on success and to the diagnostics on OLIGOSCREEN_E_RULES. */
OLIGOSCREEN_API int oligoscreen_rules_default(oligoscreen_rules** out, char** error);

/* Loads and checks the rule set in folder `dir` (NUL-terminated path). Same outputs as
 * oligoscreen_rules_default; every mistake in the rule files is listed in *error. */
OLIGOSCREEN_API int oligoscreen_rules_load(const char* dir, oligoscreen_rules** out, char** error);

/* Releases a rule set. NULL: no-op. Freeing twice is a caller error (undefined). */
OLIGOSCREEN_API void oligoscreen_rules_free(oligoscreen_rules* rules);

/* What identifies a rule set in every result. Set `size` to sizeof(oligoscreen_ruleset_info)
 * before the call: later versions may append fields and fill only what `size` covers. */
typedef struct oligoscreen_ruleset_info {
  size_t size;
  const char* id;      /* "sarcoma-sbrt" */
  const char* version; /* "1.0.0" */
  const char* sha256;  /* 64 lowercase hex digits of the canonical content */
} oligoscreen_ruleset_info;

/* Fills *info. The strings belong to the rule set and live as long as it does. */
OLIGOSCREEN_API int oligoscreen_rules_info(const oligoscreen_rules* rules, oligoscreen_ruleset_info* info);

/* ---- Assessing patients ---------------------------------------------------------------- */

/* Flags for oligoscreen_assess_with and oligoscreen_assess_batch (0: the defaults). */
#define OLIGOSCREEN_EXPLAIN 0x1u    /* add the trace: every criterion, its values (--explain) */
#define OLIGOSCREEN_NO_WHAT_IF 0x2u /* leave out the what-if answers (--no-what-if) */
#define OLIGOSCREEN_STRICT 0x4u     /* unknown fields are errors, not warnings (--strict) */

/* Assesses one patient given as JSON (patient-format.md; `length` bytes, no NUL needed) and
 * sets *result_json to the result, byte-identical to `oligoscreen screen --format json`
 * without the trailing newline. Returns OLIGOSCREEN_OK, or OLIGOSCREEN_E_INPUT with
 * *result_json set to the error result (invalid UTF-8: kind "encoding" with the byte offset;
 * truncated or malformed JSON: kind "syntax"). Other codes leave *result_json NULL. */
OLIGOSCREEN_API int oligoscreen_assess(const oligoscreen_rules* rules, const char* patient_json, size_t length,
                                       char** result_json);

/* oligoscreen_assess with options: any JSON output of `oligoscreen screen` can be had. */
OLIGOSCREEN_API int oligoscreen_assess_with(const oligoscreen_rules* rules, const char* patient_json, size_t length,
                                            unsigned flags, char** result_json);

/* Assesses `count` patients in parallel on up to `threads` threads (0: one per processor)
 * and writes result i (or error result i) to results_json[i] and its status (OLIGOSCREEN_OK,
 * _E_INPUT, _E_NO_MEMORY, _E_INTERNAL) to statuses[i]: input order, whatever the thread count.
 * The caller provides both arrays (count entries each) and frees every non-NULL result.
 * Returns OLIGOSCREEN_OK when every patient was assessed, OLIGOSCREEN_E_INPUT when some are
 * error results, or the first of _E_NO_MEMORY / _E_INTERNAL when a patient got no result.
 * count 0 is valid (the arrays may then be NULL). */
OLIGOSCREEN_API int oligoscreen_assess_batch(const oligoscreen_rules* rules, const char* const* patients_json,
                                             const size_t* lengths, size_t count, unsigned flags, unsigned threads,
                                             char** results_json, int* statuses);

/* Report formats for oligoscreen_report. */
#define OLIGOSCREEN_FORMAT_TEXT 0
#define OLIGOSCREEN_FORMAT_MARKDOWN 1
#define OLIGOSCREEN_FORMAT_HTML 2

/* The tumour-board report of one patient (JSON input), as `oligoscreen screen --format
 * text|markdown|html` writes it to a pipe (no colour, ASCII symbols). Flags as above
 * (OLIGOSCREEN_EXPLAIN adds the criteria trace). Returns OK, or E_INPUT with the error report. */
OLIGOSCREEN_API int oligoscreen_report(const oligoscreen_rules* rules, const char* patient_json, size_t length,
                                       int format, unsigned flags, char** report);

/* Frees a string the library returned. NULL: no-op. */
OLIGOSCREEN_API void oligoscreen_string_free(char* s);

/* ---- Logging --------------------------------------------------------------------------- */

#define OLIGOSCREEN_LOG_TRACE 0
#define OLIGOSCREEN_LOG_DEBUG 1
#define OLIGOSCREEN_LOG_INFO 2
#define OLIGOSCREEN_LOG_WARN 3
#define OLIGOSCREEN_LOG_ERROR 4
#define OLIGOSCREEN_LOG_OFF 5

typedef void (*oligoscreen_log_fn)(int level, const char* message, void* user_data);

/* Installs the process-wide log callback (NULL: no logging, the default) for messages at
 * min_level and above. Callable at any time, from any thread, before any rule set exists.
 * Calls to the callback are serialized (never two at once); once this function returns, the
 * previous callback is not called again. Messages above OLIGOSCREEN_LOG_DEBUG never contain
 * patient data. The callback must not call oligoscreen_set_log_callback (that call returns
 * OLIGOSCREEN_E_INVALID_ARGUMENT). Unknown min_level: OLIGOSCREEN_E_INVALID_ARGUMENT. */
OLIGOSCREEN_API int oligoscreen_set_log_callback(oligoscreen_log_fn callback, int min_level, void* user_data);

#ifdef __cplusplus
}
#endif

#endif /* OLIGOSCREEN_H */
