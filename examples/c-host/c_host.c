/* A C host of liboligoscreen: screens each JSON case given and prints its verdicts.
 *   cc c_host.c $(pkg-config --cflags --libs oligoscreen) -o c-host
 *   ./c-host examples/cases/asps-brain-lung.json
 * Output, one line per case: "<file>: state=<code> sbrt=<verdict> oligorare=<verdict>", or
 * "<file>: error <kind>" when the case cannot be read. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <oligoscreen/oligoscreen.h>

/* Copies the string value that follows the first occurrence of `pattern` (which ends with the
 * value's opening quote). Result keys come in a fixed order (result-format.md), so the first
 * "state":" is the top-level state and the first "sbrt":{"verdict":" is the SBRT verdict. */
static void value_after(const char *json, const char *pattern, char *out, size_t size) {
  const char *p = strstr(json, pattern);
  size_t n = 0;
  if (p) {
    p += strlen(pattern);
    while (p[n] && p[n] != '"' && n + 1 < size) ++n;
    memcpy(out, p, n);
  }
  out[n] = '\0';
}

static char *read_file(const char *path, size_t *length) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  long n;
  if (!f) return NULL;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
    buf = (char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) == (size_t)n) {
      *length = (size_t)n;
    } else {
      free(buf);
      buf = NULL;
    }
  }
  fclose(f);
  return buf;
}

int main(int argc, char **argv) {
  oligoscreen_rules *rules = NULL;
  char *error = NULL;
  int i, status = 0;
  if (oligoscreen_abi_version() != OLIGOSCREEN_ABI_VERSION) {
    fprintf(stderr, "c-host: built for ABI %d, the library has ABI %d\n", OLIGOSCREEN_ABI_VERSION,
            oligoscreen_abi_version());
    return 3;
  }
  if (oligoscreen_rules_default(&rules, &error) != OLIGOSCREEN_OK) {
    fprintf(stderr, "c-host: no rule set:\n%s", error ? error : "");
    oligoscreen_string_free(error);
    return 3;
  }
  for (i = 1; i < argc; ++i) {
    size_t length = 0;
    char *json = read_file(argv[i], &length);
    char *result = NULL;
    const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
    char a[128], b[128], c[128];
    int rc;
    if (!json) {
      fprintf(stderr, "c-host: cannot read %s\n", argv[i]);
      status = 4;
      continue;
    }
    rc = oligoscreen_assess(rules, json, length, &result);
    free(json);
    if (rc == OLIGOSCREEN_OK) {
      value_after(result, "\"state\":\"", a, sizeof a);
      value_after(result, "\"sbrt\":{\"verdict\":\"", b, sizeof b);
      value_after(result, "\"oligorare\":{\"verdict\":\"", c, sizeof c);
      printf("%s: state=%s sbrt=%s oligorare=%s\n", name, a, b, c);
    } else if (rc == OLIGOSCREEN_E_INPUT) {
      value_after(result, "\"kind\":\"", a, sizeof a);
      printf("%s: error %s\n", name, a);
      if (status == 0) status = 1;
    } else {
      fprintf(stderr, "c-host: %s: status %d\n", name, rc);
      status = 5;
    }
    oligoscreen_string_free(result);
  }
  oligoscreen_rules_free(rules);
  return status;
}
