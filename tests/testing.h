/* testing.h - the tiny test harness of initnn's tests (after minctest.h and
   sheredom/utest.h), C99, header only; include it in one test_*.c file.

   A test is a void function whose name states the claim it checks:

      static void he_normal_variance_is_2_over_fan_in(void)
      {
          ...
          CHECK(err == 0, "initnn_init_fill: %s", initnn_last_error());
          CHECK_NEAR(sample_variance, 2.0 / 784, 6.0 * standard_error);
      }

      int main(int argc, char **argv)
      {
          testing_init(argc, argv);
          RUN_TEST(he_normal_variance_is_2_over_fan_in);
          return testing_finish();
      }

   Every test prints exactly one line, "ok   <name>" or
   "FAIL <name>: <file>:<line>: <reason>", and the program exits with status 1
   if any test failed. tests/run.sh counts those lines. A test that cannot
   run here is reported by testing_skip as "SKIP <name>: <reason>".

   A failed CHECK returns from the function it is in, so the code after it may
   rely on what it checked; a helper that checks should return void, and its
   caller then tests TESTING_FAILED before going on. Only the first failure of
   a test is reported: the later ones usually follow from it.

   A test in which no check ran fails: it would pass whatever the code did.

   Table-driven tests call testing_begin(name) and testing_end() around the
   checks of each row instead of RUN_TEST.

   testing_after_each(release) makes release() run at the end of every test
   (in testing_end, before its line is printed), passed or failed: the one
   place to free what a test that stopped at a failed CHECK left behind.

   The command-line arguments, if any, are substrings: only tests whose name
   contains one of them run (./build/tests/test_init he_normal).

   Compiled with -DTESTING_CONFIG=asan every name gets the suffix " [asan]",
   so that the runs of the same test in different builds stay distinct. */

#ifndef TESTING_H_INCLUDED
#define TESTING_H_INCLUDED

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TESTING__STRINGIFY(x) #x
#define TESTING__STRING(x) TESTING__STRINGIFY(x)
#ifdef TESTING_CONFIG
#define TESTING__SUFFIX " [" TESTING__STRING(TESTING_CONFIG) "]"
#else
#define TESTING__SUFFIX ""
#endif

/* static inline: a test file that uses only some of the helpers still
   compiles warning-free. */
#define TESTING__FN static inline

static struct {
    int argc;
    char **argv;          /* name filters                                     */
    int tests_run;
    int tests_failed;
    const char *name;     /* the running test, NULL between tests             */
    int failed;           /* the running test has failed                      */
    long checks;          /* checks evaluated in the running test             */
    char reason[1024];    /* the first failure of the running test            */
    char scratch[256];    /* testing_scratch_begin's folder, or ""            */
    void (*after_each)(void);   /* testing_after_each's hook, or NULL         */
} testing__state;

/* Nonzero once the running test has failed. */
#define TESTING_FAILED (testing__state.failed)

/* Lets gcc and clang check the printf formats of every CHECK message. */
#if defined(__GNUC__)
#define TESTING__PRINTF(fmt_index) __attribute__((format(printf, fmt_index, fmt_index + 1)))
#else
#define TESTING__PRINTF(fmt_index)
#endif

/* Records the first failure of the running test as "file:line: prefix message".
   The prefix is printed as it is, so a '%' in a checked expression is safe. */
TESTING__FN void testing__fail(const char *file, int line, const char *prefix,
                               const char *format, ...) TESTING__PRINTF(4);
TESTING__FN void testing__fail(const char *file, int line, const char *prefix,
                               const char *format, ...)
{
    va_list args;
    size_t used;
    char *p;
    if (testing__state.failed) return;
    testing__state.failed = 1;
    snprintf(testing__state.reason, sizeof testing__state.reason, "%s:%d: %s", file, line, prefix);
    used = strlen(testing__state.reason);
    va_start(args, format);
    vsnprintf(testing__state.reason + used, sizeof testing__state.reason - used, format, args);
    va_end(args);
    /* One line per test, whatever the message contains. */
    for (p = testing__state.reason; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
}

/* CHECK(condition, printf-format, args...): the message should show the values
   that made the condition false. */
#define CHECK(cond, ...)                                                        \
    do {                                                                        \
        testing__state.checks++;                                                \
        if (!(cond)) {                                                          \
            testing__fail(__FILE__, __LINE__, "CHECK(" #cond ") failed: ", __VA_ARGS__); \
            return;                                                             \
        }                                                                       \
    } while (0)

TESTING__FN int testing__near(const char *file, int line, const char *a_text, double a,
                         const char *b_text, double b, double tol)
{
    double diff = fabs(a - b);
    testing__state.checks++;
    if (diff <= tol) return 1;   /* false for NaN, as it should be */
    testing__fail(file, line, "", "%s = %.9g, %s = %.9g: |diff| = %.3g > tol %.3g",
                  a_text, a, b_text, b, diff, tol);
    return 0;
}

/* CHECK_NEAR(a, b, tol): |a - b| <= tol, compared in double. */
#define CHECK_NEAR(a, b, tol)                                                   \
    do {                                                                        \
        if (!testing__near(__FILE__, __LINE__, #a, (double)(a), #b, (double)(b), (double)(tol))) \
            return;                                                             \
    } while (0)

/* Compares got[0..n-1] with want[0..n-1] elementwise, |got - want| <= tol[i]
   (tol == NULL: bit-exact equality of the values). On a mismatch the message
   is labelled as in llm.c's check_tensor: the label, how many differ, the
   first mismatching elements with their values, and the largest difference. */
TESTING__FN int testing__floats(const char *file, int line, const char *label,
                           const float *got, const float *want, size_t n, const float *tol)
{
    size_t i, bad = 0, worst = 0, shown = 0;
    double max_diff = 0.0;
    char first[384];
    size_t used = 0;
    first[0] = '\0';
    testing__state.checks++;
    for (i = 0; i < n; i++) {
        double diff = fabs((double)got[i] - (double)want[i]);
        int ok = tol ? diff <= (double)tol[i] : got[i] == want[i];
        if (diff > max_diff || diff != diff) { max_diff = diff; worst = i; }
        if (ok) continue;
        bad++;
        if (shown < 3 && used < sizeof first) {
            int wrote = tol
                ? snprintf(first + used, sizeof first - used, " [%lu] got %.9g want %.9g (tol %.3g);",
                           (unsigned long)i, (double)got[i], (double)want[i], (double)tol[i])
                : snprintf(first + used, sizeof first - used, " [%lu] got %.9g want %.9g;",
                           (unsigned long)i, (double)got[i], (double)want[i]);
            if (wrote > 0) used += (size_t)wrote;
            shown++;
        }
    }
    if (bad == 0) return 1;
    testing__fail(file, line, "", "%s: %lu of %lu elements differ;%s max diff %.3g at [%lu]", label,
                  (unsigned long)bad, (unsigned long)n, first, max_diff, (unsigned long)worst);
    return 0;
}

#define CHECK_FLOATS_NEAR(label, got, want, n, tol)                             \
    do {                                                                        \
        if (!testing__floats(__FILE__, __LINE__, (label), (got), (want), (n), (tol))) return; \
    } while (0)

#define CHECK_FLOATS_EQUAL(label, got, want, n)                                 \
    do {                                                                        \
        if (!testing__floats(__FILE__, __LINE__, (label), (got), (want), (n), NULL)) return; \
    } while (0)

TESTING__FN void testing_init(int argc, char **argv)
{
    testing__state.argc = argc - 1;
    testing__state.argv = argv + 1;
}

/* Whether the test called name is selected by the command-line filters. */
TESTING__FN int testing__selected(const char *name)
{
    int i;
    if (testing__state.argc <= 0) return 1;
    for (i = 0; i < testing__state.argc; i++)
        if (strstr(name, testing__state.argv[i])) return 1;
    return 0;
}

/* Starts a test; returns 0 if the filters skip it (then do not call
   testing_end). */
TESTING__FN int testing_begin(const char *name)
{
    if (!testing__selected(name)) return 0;
    testing__state.name = name;
    testing__state.failed = 0;
    testing__state.checks = 0;
    testing__state.reason[0] = '\0';
    return 1;
}

/* Sets the function run at the end of every test (NULL: none). */
TESTING__FN void testing_after_each(void (*release)(void))
{
    testing__state.after_each = release;
}

TESTING__FN void testing_end(void)
{
    if (testing__state.after_each) testing__state.after_each();
    if (!testing__state.failed && testing__state.checks == 0) {
        testing__state.failed = 1;
        snprintf(testing__state.reason, sizeof testing__state.reason,
                 "no check ran, so this test could not have failed");
    }
    testing__state.tests_run++;
    if (testing__state.failed) {
        testing__state.tests_failed++;
        printf("FAIL %s%s: %s\n", testing__state.name, TESTING__SUFFIX, testing__state.reason);
    } else {
        printf("ok   %s%s\n", testing__state.name, TESTING__SUFFIX);
    }
    /* A later crash must not swallow the lines already printed. */
    fflush(stdout);
    testing__state.name = NULL;
}

TESTING__FN void testing_run(const char *name, void (*test)(void))
{
    if (!testing_begin(name)) return;
    test();
    testing_end();
}

#define RUN_TEST(test) testing_run(#test, test)

/* Reports a test that cannot run here (a missing tool, say) as
   "SKIP <name>: <reason>": tests/run.sh counts it as skipped, never as
   passed. Call it instead of RUN_TEST / testing_begin. */
TESTING__FN void testing_skip(const char *name, const char *reason)
{
    if (!testing__selected(name)) return;
    printf("SKIP %s%s: %s\n", name, TESTING__SUFFIX, reason);
    fflush(stdout);
}

/* The exit status: 0 if every test that ran passed. */
TESTING__FN int testing_finish(void)
{
    return testing__state.tests_failed ? 1 : 0;
}

/* ---- a scratch folder (POSIX: the test defines _POSIX_C_SOURCE 200809L) ----

   testing_scratch_begin("image") creates $TMPDIR/initnn_image_XXXXXX (or
   under /tmp) and returns 0, or prints a FAIL line and returns -1;
   testing_scratch("x.png") is a path in it (the last eight are kept);
   testing_scratch_end() removes every file in it, then the folder. */
#if defined(_POSIX_C_SOURCE) && _POSIX_C_SOURCE >= 200809L
#include <dirent.h>
#include <unistd.h>

TESTING__FN int testing_scratch_begin(const char *tag)
{
    const char *base = getenv("TMPDIR");
    snprintf(testing__state.scratch, sizeof testing__state.scratch, "%s/initnn_%s_XXXXXX",
             base && *base ? base : "/tmp", tag);
    if (!mkdtemp(testing__state.scratch)) {
        printf("FAIL test_%s: cannot create a scratch folder %s\n", tag, testing__state.scratch);
        testing__state.scratch[0] = '\0';
        return -1;
    }
    return 0;
}

TESTING__FN const char *testing_scratch(const char *name)
{
    static char paths[8][512];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s/%s", testing__state.scratch, name);
    return p;
}

TESTING__FN void testing_scratch_end(void)
{
    DIR *d;
    struct dirent *e;
    if (!testing__state.scratch[0] || !(d = opendir(testing__state.scratch))) return;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) unlink(testing_scratch(e->d_name));
    closedir(d);
    rmdir(testing__state.scratch);
    testing__state.scratch[0] = '\0';
}

/* Whether a file can be opened for reading at path. */
TESTING__FN int testing_file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f) fclose(f);
    return f != NULL;
}

/* Whether a temporary of a write to path (PATH.tmp-XXXXXXXX, initnn_file) is
   left in path's folder (1 too when the folder cannot be read). */
TESTING__FN int testing_temp_left_beside(const char *path)
{
    char dir[600], prefix[600];
    const char *slash = strrchr(path, '/');
    DIR *d;
    struct dirent *e;
    int left = 0;
    if (slash) snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    else snprintf(dir, sizeof dir, ".");
    snprintf(prefix, sizeof prefix, "%s.tmp", slash ? slash + 1 : path);
    if (!(d = opendir(dir))) return 1;
    while ((e = readdir(d)) != NULL)
        if (!strncmp(e->d_name, prefix, strlen(prefix))) left = 1;
    closedir(d);
    return left;
}
#endif

/* Sentinels for "nothing modified on failure": testing_fill_sentinel fills
   bytes with a pattern that is no plausible output (not 0, no small
   integer, as a float a NaN with a payload where the bytes line up), and
   testing_sentinel_changed returns 0 while it is intact, else 1 + the offset
   of the first byte that changed. */
TESTING__FN void testing_fill_sentinel(void *p, size_t bytes)
{
    unsigned char *c = (unsigned char *)p;
    size_t i;
    for (i = 0; i < bytes; i++) c[i] = (unsigned char)(0xA5 ^ (i * 37));
}

TESTING__FN int testing_sentinel_changed(const void *p, size_t bytes)
{
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < bytes; i++)
        if (c[i] != (unsigned char)(0xA5 ^ (i * 37))) return 1 + (int)(i > 0x7ffffff0 ? 0x7ffffff0 : i);
    return 0;
}

#endif /* TESTING_H_INCLUDED */
