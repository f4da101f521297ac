/* test_init_errors.c - bad specs and bad sizes are errors, not crashes.

   The contract (initnn.h, CONVENTIONS): a function that fails returns a
   negative INITNN_ERR_* code, initnn_last_error() says what was wrong and
   names the bad value, and nothing the caller passed in has been modified.
   Every case here therefore fills the weights with a sentinel pattern first
   and checks that the pattern, the generator and the parsed spec are all
   unchanged afterwards. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

#define SENTINEL_COUNT 64

/* A pattern no initializer writes: a NaN with a payload. */
static float sentinel(void)
{
    union { uint32_t bits; float value; } u;
    u.bits = 0x7fc0dead;
    return u.value;
}

static void fill_sentinel(float *w)
{
    int i;
    for (i = 0; i < SENTINEL_COUNT; i++) w[i] = sentinel();
}

static void check_sentinel_intact(const float *w, const char *what)
{
    float expected = sentinel();
    int i;
    for (i = 0; i < SENTINEL_COUNT; i++)
        CHECK(memcmp(&w[i], &expected, sizeof expected) == 0, "%s wrote w[%d] = %g", what, i, w[i]);
}

/* Calls initnn_init_fill(w, fan_in, fan_out, spec) on a sentinel buffer
   and checks: the code is want_code, the message is non-empty and contains
   must_mention (if not NULL), and w and the generator are untouched. */
static void check_fill_fails(const char *spec, int fan_in, int fan_out, int want_code,
                             const char *must_mention)
{
    float w[SENTINEL_COUNT];
    initnn_rng rng, before;
    int err;
    char what[160];
    snprintf(what, sizeof what, "initnn_init_fill('%s', %d, %d)", spec ? spec : "(null)", fan_in, fan_out);
    fill_sentinel(w);
    /* memset and memcpy, so that the padding after has_spare is defined
       too: the memcmp below reads it (valgrind in make check). */
    memset(&rng, 0, sizeof rng);
    initnn_rng_seed(&rng, 1);
    memcpy(&before, &rng, sizeof rng);
    initnn_clear_error();
    err = initnn_init_fill(w, fan_in, fan_out, spec, &rng);
    CHECK(err < 0, "%s returned %d, want a negative error code", what, err);
    CHECK(err == want_code, "%s returned %d, want %d", what, err, want_code);
    CHECK(initnn_last_error()[0] != '\0', "%s left no message", what);
    if (must_mention)
        CHECK(strstr(initnn_last_error(), must_mention) != NULL, "%s: message \"%s\" does not mention \"%s\"",
              what, initnn_last_error(), must_mention);
    check_sentinel_intact(w, what);
    if (TESTING_FAILED) return;
    CHECK(memcmp(&rng, &before, sizeof rng) == 0, "%s advanced the generator", what);
}

/* The same spec through initnn_init_parse: an error and *out untouched. */
static void check_parse_fails(const char *spec)
{
    initnn_init_spec out, before;
    int err;
    memset(&out, 0xA5, sizeof out);
    before = out;
    initnn_clear_error();
    err = initnn_init_parse(&out, spec);
    CHECK(err == INITNN_ERR_SPEC, "initnn_init_parse('%s') returned %d, want INITNN_ERR_SPEC", spec ? spec : "(null)", err);
    CHECK(initnn_last_error()[0] != '\0', "initnn_init_parse('%s') left no message", spec ? spec : "(null)");
    CHECK(memcmp(&out, &before, sizeof out) == 0, "initnn_init_parse('%s') wrote to *out", spec ? spec : "(null)");
}

static const struct {
    const char *spec;
    const char *must_mention;   /* the bad part the message has to name */
} bad_specs[] = {
    {"he_normall", "did you mean 'he_normal'"},
    {"random_normal:-1", "-1"},
    {"orthogonal:abc", "abc"},
    {"sparse:0", "sparse:0"},
    {"", "empty"},
    {"random_uniform:1,0", "random_uniform:1,0"},
    {"random_uniform:0.1", "random_uniform:0.1"},
    {"constant", "constant"},
    {"zeros:1", "zeros:1"},
    {"variance_scaling:2,fan_sideways,normal", "fan_sideways"},
    {"variance_scaling:2,fan_in,gaussian", "gaussian"},
    {"variance_scaling:-2,fan_in,normal", "-2"},
    {"variance_scaling:2,fan_in", "variance_scaling:2,fan_in"},
    {"variance_scaling", "variance_scaling"},
    {"he_normal:", "he_normal:"},
    {"he_normal:0.1,0.2", "he_normal:0.1,0.2"},
    {"glorot_normal:0", "glorot_normal:0"},
    {"truncated_normal:0", "truncated_normal:0"},
    {"identity:-1", "identity:-1"},
    {"sparse:2.5", "sparse:2.5"},
    {"sparse:3,-1", "sparse:3,-1"},
    {"random_normal:nan", "random_normal:nan"},
    {"random_normal:1e999", "random_normal:1e999"},
    {"random_normal:0.1,0.2,0.3", "random_normal:0.1,0.2,0.3"},
    {":1", ":1"},
    {"orthogonal:fan_in", "orthogonal:fan_in"},
    {"he_normal:0,fan_sideways", "fan_sideways"},
    {"torch_default:1", "torch_default:1"},
    {"HE_NORMAL", "HE_NORMAL"},
    {"a_name_longer_than_the_thirty_two_characters_of_a_spec_name", "a_name_longer"}
};

static void bad_specs_are_errors_that_name_the_bad_part_and_write_nothing(void)
{
    int c;
    for (c = 0; c < (int)(sizeof bad_specs / sizeof bad_specs[0]); c++) {
        check_fill_fails(bad_specs[c].spec, 4, 3, INITNN_ERR_SPEC, bad_specs[c].must_mention);
        if (TESTING_FAILED) return;
        check_parse_fails(bad_specs[c].spec);
        if (TESTING_FAILED) return;
    }
}

static void a_null_spec_is_an_error_that_writes_nothing(void)
{
    check_fill_fails(NULL, 4, 3, INITNN_ERR_SPEC, "NULL");
    if (TESTING_FAILED) return;
    check_parse_fails(NULL);
}

static void bad_fans_are_errors_that_name_the_value_and_write_nothing(void)
{
    /* The message names the value; it may call fan_in "rows", the name it has
       in initnn_init_fill_fans. */
    check_fill_fails("he_normal", 0, 3, INITNN_ERR_ARGUMENT, "0");
    if (TESTING_FAILED) return;
    check_fill_fails("he_normal", 4, -3, INITNN_ERR_ARGUMENT, "-3");
    if (TESTING_FAILED) return;
    check_fill_fails("orthogonal", -1, 3, INITNN_ERR_ARGUMENT, "-1");
    if (TESTING_FAILED) return;
    check_fill_fails("identity", 4, 0, INITNN_ERR_ARGUMENT, "0");
}

static void a_size_beyond_the_element_limit_is_an_overflow_error(void)
{
    /* 65536 x 65536 = 2^32 elements; 46341^2 is the first square above
       INT_MAX. Nothing may be written (the buffer holds 64 floats). */
    check_fill_fails("he_normal", 65536, 65536, INITNN_ERR_OVERFLOW, "65536");
    if (TESTING_FAILED) return;
    check_fill_fails("orthogonal", 46341, 46341, INITNN_ERR_OVERFLOW, "46341");
    if (TESTING_FAILED) return;
    check_fill_fails("zeros", 2147483647, 2, INITNN_ERR_OVERFLOW, "2147483647");
}

static void null_weights_or_generator_are_argument_errors(void)
{
    float w[SENTINEL_COUNT];
    initnn_init_spec spec;
    initnn_rng rng;
    int err;
    initnn_rng_seed(&rng, 1);
    initnn_clear_error();
    err = initnn_init_fill(NULL, 4, 3, "he_normal", &rng);
    CHECK(err == INITNN_ERR_ARGUMENT, "NULL w: %d", err);
    CHECK(initnn_last_error()[0] != '\0', "NULL w: no message");
    fill_sentinel(w);
    initnn_clear_error();
    err = initnn_init_fill(w, 4, 3, "he_normal", NULL);
    CHECK(err == INITNN_ERR_ARGUMENT, "NULL rng: %d", err);
    CHECK(initnn_last_error()[0] != '\0', "NULL rng: no message");
    check_sentinel_intact(w, "initnn_init_fill with a NULL rng");
    if (TESTING_FAILED) return;
    initnn_clear_error();
    err = initnn_init_fill_fans(w, 4, 3, 4, 3, NULL, &rng);
    CHECK(err == INITNN_ERR_ARGUMENT, "NULL spec: %d", err);
    check_sentinel_intact(w, "initnn_init_fill_fans with a NULL spec");
    if (TESTING_FAILED) return;
    initnn_clear_error();
    err = initnn_init_parse(NULL, "he_normal");
    CHECK(err == INITNN_ERR_ARGUMENT, "NULL out: %d", err);
    CHECK(initnn_last_error()[0] != '\0', "NULL out: no message");
    /* A spec kind that does not exist (a corrupted struct). */
    CHECK(initnn_init_parse(&spec, "he_normal") == 0, "%s", initnn_last_error());
    spec.kind = 99;
    initnn_clear_error();
    err = initnn_init_fill_fans(w, 4, 3, 4, 3, &spec, &rng);
    CHECK(err < 0, "kind 99: %d", err);
    check_sentinel_intact(w, "initnn_init_fill_fans with kind 99");
}

static void bad_fans_of_fill_fans_are_errors(void)
{
    float w[SENTINEL_COUNT];
    initnn_init_spec spec;
    initnn_rng rng;
    int err;
    CHECK(initnn_init_parse(&spec, "glorot_normal") == 0, "%s", initnn_last_error());
    initnn_rng_seed(&rng, 1);
    fill_sentinel(w);
    initnn_clear_error();
    err = initnn_init_fill_fans(w, 4, 3, 0, 3, &spec, &rng);
    CHECK(err == INITNN_ERR_ARGUMENT, "fan_in 0: %d", err);
    CHECK(strstr(initnn_last_error(), "fan_in") != NULL, "message '%s'", initnn_last_error());
    initnn_clear_error();
    err = initnn_init_fill_fans(w, 4, 3, 4, -7, &spec, &rng);
    CHECK(err == INITNN_ERR_ARGUMENT, "fan_out -7: %d", err);
    CHECK(strstr(initnn_last_error(), "-7") != NULL, "message '%s'", initnn_last_error());
    check_sentinel_intact(w, "initnn_init_fill_fans with bad fans");
}

static void orthogonal_rejects_bad_sizes_without_writing(void)
{
    float w[SENTINEL_COUNT];
    initnn_rng rng;
    int err;
    initnn_rng_seed(&rng, 1);
    fill_sentinel(w);
    initnn_clear_error();
    err = initnn_orthogonal(w, 0, 5, 1.0f, &rng);
    CHECK(err == INITNN_ERR_ARGUMENT, "rows 0: %d", err);
    CHECK(initnn_last_error()[0] != '\0', "rows 0: no message");
    err = initnn_orthogonal(w, 65536, 65536, 1.0f, &rng);
    CHECK(err == INITNN_ERR_OVERFLOW, "65536 x 65536: %d", err);
    err = initnn_orthogonal(NULL, 4, 4, 1.0f, &rng);
    CHECK(err == INITNN_ERR_ARGUMENT, "NULL w: %d", err);
    check_sentinel_intact(w, "initnn_orthogonal with bad sizes");
}

static void clear_error_empties_the_message(void)
{
    float w[4];
    initnn_rng rng;
    initnn_rng_seed(&rng, 1);
    CHECK(initnn_init_fill(w, 2, 2, "nonsense", &rng) < 0, "'nonsense' was accepted");
    CHECK(initnn_last_error()[0] != '\0', "no message");
    initnn_clear_error();
    CHECK(initnn_last_error()[0] == '\0', "message after clearing: '%s'", initnn_last_error());
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(bad_specs_are_errors_that_name_the_bad_part_and_write_nothing);
    RUN_TEST(a_null_spec_is_an_error_that_writes_nothing);
    RUN_TEST(bad_fans_are_errors_that_name_the_value_and_write_nothing);
    RUN_TEST(a_size_beyond_the_element_limit_is_an_overflow_error);
    RUN_TEST(null_weights_or_generator_are_argument_errors);
    RUN_TEST(bad_fans_of_fill_fans_are_errors);
    RUN_TEST(orthogonal_rejects_bad_sizes_without_writing);
    RUN_TEST(clear_error_empties_the_message);
    return testing_finish();
}
