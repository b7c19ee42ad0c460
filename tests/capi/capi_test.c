/* The C API from C (compiled as C99 against the shared library): NULL in every pointer
 * argument, unreadable input, every status code reachable without hooks, rule-set info, the
 * batch call, the report call and the log callback. Fault codes (E_NO_MEMORY, E_INTERNAL)
 * are reached in capi_fault_test.cpp and capi_oom_test.cpp. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oligoscreen/oligoscreen.h"

static int failures = 0;

#define CHECK(cond)                                                  \
  do {                                                               \
    if (!(cond)) {                                                   \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      ++failures;                                                    \
    }                                                                \
  } while (0)

static char *read_file(const char *path, size_t *length) {
  FILE *f = fopen(path, "rb");
  char *buf;
  long n;
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = (char *)malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  buf[n] = '\0';
  *length = (size_t)n;
  return buf;
}

static const char kSmall[] = "{\"id\":\"T-1\",\"age\":40}";

static void test_versions(void) {
  CHECK(strcmp(oligoscreen_version(), OLIGOSCREEN_VERSION_STRING) == 0);
  CHECK(oligoscreen_abi_version() == OLIGOSCREEN_ABI_VERSION);
}

static void test_null_arguments(const oligoscreen_rules *rules) {
  oligoscreen_rules *r = (oligoscreen_rules *)&failures; /* must be reset to NULL */
  char *s = (char *)&failures;
  const char *batch_in[1];
  size_t batch_len[1];
  char *batch_out[1];
  int batch_status[1];
  oligoscreen_ruleset_info info;

  CHECK(oligoscreen_rules_default(NULL, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(s == NULL);
  CHECK(oligoscreen_rules_load(NULL, &r, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(r == NULL && s == NULL);
  CHECK(oligoscreen_rules_load("/nonexistent", NULL, NULL) == OLIGOSCREEN_E_INVALID_ARGUMENT);

  memset(&info, 0, sizeof info);
  info.size = sizeof info;
  CHECK(oligoscreen_rules_info(NULL, &info) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_rules_info(rules, NULL) == OLIGOSCREEN_E_INVALID_ARGUMENT);

  s = (char *)&failures;
  CHECK(oligoscreen_assess(NULL, kSmall, sizeof kSmall - 1, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(s == NULL);
  CHECK(oligoscreen_assess(rules, NULL, 5, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_assess(rules, kSmall, sizeof kSmall - 1, NULL) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_assess_with(NULL, kSmall, sizeof kSmall - 1, 0, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_assess_with(rules, NULL, 1, 0, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_assess_with(rules, kSmall, sizeof kSmall - 1, 0, NULL) == OLIGOSCREEN_E_INVALID_ARGUMENT);

  batch_in[0] = kSmall;
  batch_len[0] = sizeof kSmall - 1;
  CHECK(oligoscreen_assess_batch(NULL, batch_in, batch_len, 1, 0, 1, batch_out, batch_status) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_assess_batch(rules, NULL, batch_len, 1, 0, 1, batch_out, batch_status) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_assess_batch(rules, batch_in, NULL, 1, 0, 1, batch_out, batch_status) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_assess_batch(rules, batch_in, batch_len, 1, 0, 1, NULL, batch_status) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_assess_batch(rules, batch_in, batch_len, 1, 0, 1, batch_out, NULL) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);
  batch_in[0] = NULL;
  CHECK(oligoscreen_assess_batch(rules, batch_in, batch_len, 1, 0, 1, batch_out, batch_status) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(batch_out[0] == NULL);
  CHECK(oligoscreen_assess_batch(rules, NULL, NULL, 0, 0, 0, NULL, NULL) == OLIGOSCREEN_OK);

  CHECK(oligoscreen_report(NULL, kSmall, sizeof kSmall - 1, OLIGOSCREEN_FORMAT_TEXT, 0, &s) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_report(rules, NULL, 1, OLIGOSCREEN_FORMAT_TEXT, 0, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_report(rules, kSmall, sizeof kSmall - 1, OLIGOSCREEN_FORMAT_TEXT, 0, NULL) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);

  /* NULL frees are no-ops; a NULL callback switches logging off. */
  oligoscreen_rules_free(NULL);
  oligoscreen_string_free(NULL);
  CHECK(oligoscreen_set_log_callback(NULL, OLIGOSCREEN_LOG_INFO, NULL) == OLIGOSCREEN_OK);
}

static void test_invalid_arguments(const oligoscreen_rules *rules) {
  char *s = NULL;
  oligoscreen_ruleset_info info;
  CHECK(oligoscreen_assess_with(rules, kSmall, sizeof kSmall - 1, 0x80u, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(s == NULL);
  CHECK(oligoscreen_report(rules, kSmall, sizeof kSmall - 1, 7, 0, &s) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_set_log_callback(NULL, 6, NULL) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  CHECK(oligoscreen_set_log_callback(NULL, -1, NULL) == OLIGOSCREEN_E_INVALID_ARGUMENT);
  info.size = sizeof(size_t); /* too small to hold the fields */
  CHECK(oligoscreen_rules_info(rules, &info) == OLIGOSCREEN_E_INVALID_ARGUMENT);
}

static void test_rules_errors(void) {
  oligoscreen_rules *r = NULL;
  char *error = NULL;
  CHECK(oligoscreen_rules_load("/nonexistent/rules", &r, &error) == OLIGOSCREEN_E_RULES);
  CHECK(r == NULL);
  CHECK(error != NULL && strstr(error, "/nonexistent/rules") != NULL);
  oligoscreen_string_free(error);
  /* error may be NULL: the diagnostics are then dropped. */
  CHECK(oligoscreen_rules_load("/nonexistent/rules", &r, NULL) == OLIGOSCREEN_E_RULES);
  CHECK(r == NULL);
  /* A folder of broken rules: every diagnostic in *error as file:line:col. */
  CHECK(oligoscreen_rules_load(OLIGOSCREEN_TEST_DIR "/broken-rules", &r, &error) == OLIGOSCREEN_E_RULES);
  CHECK(error != NULL && strstr(error, "error:") != NULL);
  oligoscreen_string_free(error);
  /* The rule set in the repository loads like the built-in one. */
  CHECK(oligoscreen_rules_load(OLIGOSCREEN_SOURCE_DIR "/rules/sarcoma-sbrt", &r, &error) == OLIGOSCREEN_OK);
  CHECK(r != NULL && error == NULL);
  oligoscreen_rules_free(r);
}

static void test_info(const oligoscreen_rules *rules) {
  oligoscreen_ruleset_info info;
  char *result = NULL;
  memset(&info, 0, sizeof info);
  info.size = sizeof info;
  CHECK(oligoscreen_rules_info(rules, &info) == OLIGOSCREEN_OK);
  CHECK(strcmp(info.id, "sarcoma-sbrt") == 0);
  CHECK(info.version != NULL && info.version[0] != '\0');
  CHECK(info.sha256 != NULL && strlen(info.sha256) == 64);
  /* Every result names the rule set it came from (provenance). */
  CHECK(oligoscreen_assess(rules, kSmall, sizeof kSmall - 1, &result) == OLIGOSCREEN_OK);
  CHECK(result != NULL && strstr(result, info.sha256) != NULL);
  oligoscreen_string_free(result);
}

static void expect_input_error(const oligoscreen_rules *rules, const char *json, size_t length, const char *needle) {
  char *result = (char *)&failures;
  int rc = oligoscreen_assess(rules, json, length, &result);
  CHECK(rc == OLIGOSCREEN_E_INPUT);
  CHECK(result != NULL);
  if (result && result != (char *)&failures) {
    if (!strstr(result, needle)) fprintf(stderr, "expected %s in %s\n", needle, result);
    CHECK(strstr(result, needle) != NULL);
    CHECK(strstr(result, "\"provenance\"") != NULL);
    oligoscreen_string_free(result);
  }
}

static void test_unreadable_input(const oligoscreen_rules *rules) {
  static const char invalid_utf8[] = "{\"id\":\"\xff\"}";
  static const char overlong[] = "{\"id\":\"T\",\"sex\":\"\xc0\xaf\"}";
  static const char truncated[] = "{\"id\":\"T-1\",\"age\":";
  static const char not_object[] = "[1,2]";
  static const char duplicate[] = "{\"id\":\"T\",\"age\":40,\"age\":41}";
  static const char range[] = "{\"id\":\"T\",\"ecog\":7}";
  expect_input_error(rules, invalid_utf8, sizeof invalid_utf8 - 1, "\"kind\":\"encoding\"");
  expect_input_error(rules, invalid_utf8, sizeof invalid_utf8 - 1, "\"offset\":7");
  expect_input_error(rules, overlong, sizeof overlong - 1, "\"kind\":\"encoding\"");
  expect_input_error(rules, truncated, sizeof truncated - 1, "\"kind\":\"syntax\"");
  expect_input_error(rules, kSmall, 0, "\"kind\":\"syntax\""); /* length 0: empty input */
  expect_input_error(rules, kSmall, 10, "\"kind\":\"syntax\""); /* length shorter than the text */
  expect_input_error(rules, not_object, sizeof not_object - 1, "\"kind\":\"type\"");
  expect_input_error(rules, duplicate, sizeof duplicate - 1, "\"kind\":\"duplicate_key\"");
  expect_input_error(rules, range, sizeof range - 1, "\"kind\":\"range\"");
}

static void test_too_large(const oligoscreen_rules *rules) {
  /* A7: a case over the 1 MiB limit is an error result of kind limit, read no further. */
  size_t n = (size_t)3 << 20;
  char *big = (char *)malloc(n);
  if (!big) return;
  memset(big, ' ', n);
  big[0] = '{';
  expect_input_error(rules, big, n, "\"kind\":\"limit\"");
  free(big);
}

static void test_not_nul_terminated(const oligoscreen_rules *rules) {
  /* The buffer ends exactly at `length` (heap block of that size: ASan catches overreads). */
  size_t n = sizeof kSmall - 1;
  char *exact = (char *)malloc(n);
  char *a = NULL, *b = NULL;
  memcpy(exact, kSmall, n);
  CHECK(oligoscreen_assess(rules, exact, n, &a) == OLIGOSCREEN_OK);
  CHECK(oligoscreen_assess(rules, kSmall, n, &b) == OLIGOSCREEN_OK);
  CHECK(a && b && strcmp(a, b) == 0);
  oligoscreen_string_free(a);
  oligoscreen_string_free(b);
  free(exact);
}

static void test_flags_and_batch(const oligoscreen_rules *rules) {
  size_t length = 0;
  char *json = read_file(OLIGOSCREEN_SOURCE_DIR "/examples/cases/asps-brain-lung.json", &length);
  static const char bad[] = "{\"id\":";
  const char *inputs[3];
  size_t lengths[3];
  char *results[3];
  int statuses[3];
  char *single = NULL, *explained = NULL, *no_what_if = NULL;
  int i;
  CHECK(json != NULL);
  if (!json) return;
  CHECK(oligoscreen_assess(rules, json, length, &single) == OLIGOSCREEN_OK);
  CHECK(oligoscreen_assess_with(rules, json, length, OLIGOSCREEN_EXPLAIN, &explained) == OLIGOSCREEN_OK);
  CHECK(oligoscreen_assess_with(rules, json, length, OLIGOSCREEN_NO_WHAT_IF, &no_what_if) == OLIGOSCREEN_OK);
  CHECK(single && strstr(single, "\"criteria\"") == NULL);
  CHECK(explained && strstr(explained, "\"criteria\"") != NULL);
  CHECK(no_what_if && strstr(no_what_if, "\"what_if\"") == NULL);

  inputs[0] = json;
  lengths[0] = length;
  inputs[1] = bad;
  lengths[1] = sizeof bad - 1;
  inputs[2] = json;
  lengths[2] = length;
  CHECK(oligoscreen_assess_batch(rules, inputs, lengths, 3, 0, 2, results, statuses) == OLIGOSCREEN_E_INPUT);
  CHECK(statuses[0] == OLIGOSCREEN_OK && statuses[1] == OLIGOSCREEN_E_INPUT && statuses[2] == OLIGOSCREEN_OK);
  CHECK(results[0] && single && strcmp(results[0], single) == 0);
  CHECK(results[1] && strstr(results[1], "\"kind\":\"syntax\"") != NULL);
  CHECK(results[2] && single && strcmp(results[2], single) == 0);
  for (i = 0; i < 3; ++i) oligoscreen_string_free(results[i]);
  CHECK(oligoscreen_assess_batch(rules, inputs, lengths, 3, 0x40u, 2, results, statuses) ==
        OLIGOSCREEN_E_INVALID_ARGUMENT);
  inputs[1] = json;
  lengths[1] = length;
  CHECK(oligoscreen_assess_batch(rules, inputs, lengths, 3, OLIGOSCREEN_EXPLAIN, 0, results, statuses) ==
        OLIGOSCREEN_OK);
  for (i = 0; i < 3; ++i) {
    CHECK(results[i] && explained && strcmp(results[i], explained) == 0);
    oligoscreen_string_free(results[i]);
  }
  oligoscreen_string_free(single);
  oligoscreen_string_free(explained);
  oligoscreen_string_free(no_what_if);
  free(json);
}

static void test_report(const oligoscreen_rules *rules) {
  static const char truncated[] = "{\"id\":\"T-1\",";
  char *report = NULL;
  CHECK(oligoscreen_report(rules, kSmall, sizeof kSmall - 1, OLIGOSCREEN_FORMAT_MARKDOWN, 0, &report) ==
        OLIGOSCREEN_OK);
  CHECK(report && strstr(report, "T-1") != NULL);
  oligoscreen_string_free(report);
  CHECK(oligoscreen_report(rules, kSmall, sizeof kSmall - 1, OLIGOSCREEN_FORMAT_HTML, OLIGOSCREEN_EXPLAIN, &report) ==
        OLIGOSCREEN_OK);
  CHECK(report && strstr(report, "<") != NULL);
  oligoscreen_string_free(report);
  CHECK(oligoscreen_report(rules, truncated, sizeof truncated - 1, OLIGOSCREEN_FORMAT_TEXT, 0, &report) ==
        OLIGOSCREEN_E_INPUT);
  CHECK(report != NULL);
  oligoscreen_string_free(report);
}

/* ---- Logging ------------------------------------------------------------------------------ */

#define SENTINEL "PHI-SENTINEL-4711"
static int log_count[6];
static int sentinel_above_debug = 0;
static int sentinel_at_debug = 0;
static int reentry_rc = 0;

static void on_log(int level, const char *message, void *user_data) {
  if (level >= 0 && level < 6) ++log_count[level];
  if (strstr(message, SENTINEL)) {
    if (level > OLIGOSCREEN_LOG_DEBUG) ++sentinel_above_debug;
    else ++sentinel_at_debug;
  }
  if (user_data) reentry_rc = oligoscreen_set_log_callback(NULL, OLIGOSCREEN_LOG_OFF, NULL);
}

static void test_logging(void) {
  /* Before any rule set is loaded; every level, so that a leak would be seen. */
  static const char phi[] = "{\"id\":\"" SENTINEL "\",\"sex\":\"" SENTINEL "\",\"ecog\":\"" SENTINEL "\"}";
  oligoscreen_rules *rules = NULL;
  char *result = NULL;
  int reentry_flag = 1;
  CHECK(oligoscreen_set_log_callback(on_log, OLIGOSCREEN_LOG_TRACE, NULL) == OLIGOSCREEN_OK);
  CHECK(oligoscreen_rules_default(&rules, NULL) == OLIGOSCREEN_OK);
  CHECK(log_count[OLIGOSCREEN_LOG_INFO] >= 1); /* "rule set sarcoma-sbrt ... loaded" */
  CHECK(oligoscreen_assess(rules, phi, sizeof phi - 1, &result) == OLIGOSCREEN_E_INPUT);
  CHECK(result && strstr(result, SENTINEL) != NULL); /* the caller may see the value ... */
  oligoscreen_string_free(result);
  CHECK(sentinel_above_debug == 0); /* ... the log above debug never does */
  CHECK(sentinel_at_debug >= 1);    /* (and the debug message exists: the check can fail) */

  /* min_level filters; NULL switches off. */
  memset(log_count, 0, sizeof log_count);
  CHECK(oligoscreen_set_log_callback(on_log, OLIGOSCREEN_LOG_WARN, NULL) == OLIGOSCREEN_OK);
  CHECK(oligoscreen_assess(rules, phi, sizeof phi - 1, &result) == OLIGOSCREEN_E_INPUT);
  oligoscreen_string_free(result);
  CHECK(log_count[OLIGOSCREEN_LOG_DEBUG] == 0 && log_count[OLIGOSCREEN_LOG_INFO] == 0);

  /* A callback that calls set_log_callback gets E_INVALID_ARGUMENT instead of a deadlock. */
  CHECK(oligoscreen_set_log_callback(on_log, OLIGOSCREEN_LOG_TRACE, &reentry_flag) == OLIGOSCREEN_OK);
  CHECK(oligoscreen_assess(rules, phi, sizeof phi - 1, &result) == OLIGOSCREEN_E_INPUT);
  oligoscreen_string_free(result);
  CHECK(reentry_rc == OLIGOSCREEN_E_INVALID_ARGUMENT);

  CHECK(oligoscreen_set_log_callback(NULL, OLIGOSCREEN_LOG_TRACE, NULL) == OLIGOSCREEN_OK);
  memset(log_count, 0, sizeof log_count);
  CHECK(oligoscreen_assess(rules, phi, sizeof phi - 1, &result) == OLIGOSCREEN_E_INPUT);
  oligoscreen_string_free(result);
  CHECK(log_count[0] + log_count[1] + log_count[2] + log_count[3] + log_count[4] == 0);
  oligoscreen_rules_free(rules);
}

int main(void) {
  oligoscreen_rules *rules = NULL;
  char *error = (char *)&failures;
  test_logging();
  test_versions();
  CHECK(oligoscreen_rules_default(&rules, &error) == OLIGOSCREEN_OK);
  CHECK(rules != NULL && error == NULL);
  if (!rules) return 1;
  test_null_arguments(rules);
  test_invalid_arguments(rules);
  test_rules_errors();
  test_info(rules);
  test_unreadable_input(rules);
  test_not_nul_terminated(rules);
  test_too_large(rules);
  test_flags_and_batch(rules);
  test_report(rules);
  oligoscreen_rules_free(rules);
  if (failures) {
    fprintf(stderr, "%d check(s) failed\n", failures);
    return 1;
  }
  printf("capi_test: all checks passed\n");
  return 0;
}
