/* Assesses each JSON case file given through the C API and writes the results one per line,
 * as `oligoscreen screen --format json` does: compare_with_cli.cmake checks the bytes agree.
 * usage: capi_assess_tool FLAGS CASE.json...   (FLAGS: the OLIGOSCREEN_* flag bits, decimal) */
#include <stdio.h>
#include <stdlib.h>

#include "oligoscreen/oligoscreen.h"

int main(int argc, char **argv) {
  oligoscreen_rules *rules = NULL;
  char *error = NULL;
  unsigned flags;
  int i, status = 0;
  if (argc < 3) {
    fprintf(stderr, "usage: capi_assess_tool FLAGS CASE.json...\n");
    return 2;
  }
  flags = (unsigned)strtoul(argv[1], NULL, 10);
  if (oligoscreen_rules_default(&rules, &error) != OLIGOSCREEN_OK) {
    fprintf(stderr, "%s", error ? error : "no rules\n");
    oligoscreen_string_free(error);
    return 3;
  }
  for (i = 2; i < argc; ++i) {
    FILE *f = fopen(argv[i], "rb");
    char *buf, *result = NULL;
    long n;
    int rc;
    if (!f) return 4;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (char *)malloc(n > 0 ? (size_t)n : 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) return 4;
    fclose(f);
    rc = oligoscreen_assess_with(rules, buf, (size_t)n, flags, &result);
    free(buf);
    if (rc != OLIGOSCREEN_OK && rc != OLIGOSCREEN_E_INPUT) return 5;
    if (rc == OLIGOSCREEN_E_INPUT) status = 1;
    fputs(result, stdout);
    fputc('\n', stdout);
    oligoscreen_string_free(result);
  }
  oligoscreen_rules_free(rules);
  return status;
}
