/* test_init.c - every initializer spec against the formula it claims.

   W is (fan_in, fan_out). For each spec and each of the shapes 784x256,
   256x256, 256x10, 3x5 and 1x1 the weights are drawn with initnn_init_fill
   (the tiny shapes many times from one generator, pooled, so that every
   statistic rests on at least MIN_SAMPLES draws and a wrong formula is
   detectable), and the sample mean and variance must lie within 6 standard
   errors of the formula's values (the oracle and its standard errors are in
   tests/reference.h).

   The expected values come from the formulas in the literature (Glorot &
   Bengio 2010, He et al. 2015, LeCun et al. 1998, Keras VarianceScaling,
   Saxe et al. 2014, Martens 2010, and the reset_parameters/defaults of
   PyTorch, Keras and Flax), written out in tests/reference.h and the table
   below, not taken from initnn. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

/* Every statistic pools at least this many weights: 6 SE of the variance of
   a normal are then 1.9% of it. */
#define MIN_SAMPLES 200000

static const int shapes[][2] = {{784, 256}, {256, 256}, {256, 10}, {3, 5}, {1, 1}};
#define SHAPE_COUNT ((int)(sizeof shapes / sizeof shapes[0]))

/* ---- the specs and the laws they claim (tests/reference.h) ---------------- */

static const spec_case spec_cases[] = {
    {"zeros_sets_every_weight_to_0", "zeros", LAW_CONSTANT, FIXED, 0.0, 0},
    {"ones_sets_every_weight_to_1", "ones", LAW_CONSTANT, FIXED, 1.0, 0},
    {"constant_c_sets_every_weight_to_c", "constant:-0.375", LAW_CONSTANT, FIXED, -0.375, 0},
    {"random_normal_defaults_to_mean_0_std_0_05", "random_normal", LAW_NORMAL, FIXED, 0.05, 0.0},
    {"random_normal_std_mean_has_that_std_and_mean", "random_normal:0.3,-1.5", LAW_NORMAL, FIXED, 0.3, -1.5},
    {"random_uniform_defaults_to_minus_0_05_to_0_05", "random_uniform", LAW_UNIFORM, FIXED, -0.05, 0.05},
    {"random_uniform_lo_hi_is_uniform_on_lo_hi", "random_uniform:-0.2,0.6", LAW_UNIFORM, FIXED, -0.2, 0.6},
    {"truncated_normal_defaults_to_std_0_05_cut_at_2_std", "truncated_normal", LAW_TRUNCATED, FIXED, 0.05, 0.0},
    {"truncated_normal_std_has_variance_0_8796_std_squared", "truncated_normal:0.4", LAW_TRUNCATED, FIXED, 0.4, 0.0},
    {"truncated_normal_std_mean_is_centred_on_mean", "truncated_normal:0.4,1", LAW_TRUNCATED, FIXED, 0.4, 1.0},
    {"glorot_normal_variance_is_2_over_fan_in_plus_fan_out", "glorot_normal", LAW_NORMAL, BY_FAN_AVG, 1.0, 0},
    {"xavier_normal_variance_is_2_over_fan_in_plus_fan_out", "xavier_normal", LAW_NORMAL, BY_FAN_AVG, 1.0, 0},
    {"glorot_normal_gain_variance_is_gain_squared_2_over_fan_sum", "glorot_normal:1.5", LAW_NORMAL, BY_FAN_AVG, 2.25, 0},
    {"glorot_uniform_limit_is_sqrt_6_over_fan_in_plus_fan_out", "glorot_uniform", LAW_UNIFORM, BY_FAN_AVG, 1.0, 0},
    {"xavier_uniform_limit_is_sqrt_6_over_fan_in_plus_fan_out", "xavier_uniform", LAW_UNIFORM, BY_FAN_AVG, 1.0, 0},
    {"glorot_uniform_gain_limit_is_gain_sqrt_6_over_fan_sum", "glorot_uniform:0.5", LAW_UNIFORM, BY_FAN_AVG, 0.25, 0},
    {"he_normal_variance_is_2_over_fan_in", "he_normal", LAW_NORMAL, BY_FAN_IN, 2.0, 0},
    {"kaiming_normal_a_variance_is_2_over_1_plus_a2_fan_in", "kaiming_normal:0.2", LAW_NORMAL, BY_FAN_IN, 2.0 / (1.0 + 0.2 * 0.2), 0},
    {"he_uniform_limit_is_sqrt_6_over_fan_in", "he_uniform", LAW_UNIFORM, BY_FAN_IN, 2.0, 0},
    {"kaiming_uniform_a_limit_is_sqrt_6_over_1_plus_a2_fan_in", "kaiming_uniform:0.5", LAW_UNIFORM, BY_FAN_IN, 2.0 / (1.0 + 0.5 * 0.5), 0},
    {"lecun_normal_variance_is_1_over_fan_in", "lecun_normal", LAW_NORMAL, BY_FAN_IN, 1.0, 0},
    {"lecun_uniform_limit_is_sqrt_3_over_fan_in", "lecun_uniform", LAW_UNIFORM, BY_FAN_IN, 1.0, 0},
    {"variance_scaling_fan_in_normal_variance_is_scale_over_fan_in", "variance_scaling:1.7,fan_in,normal", LAW_NORMAL, BY_FAN_IN, 1.7, 0},
    {"variance_scaling_fan_out_normal_variance_is_scale_over_fan_out", "variance_scaling:1.7,fan_out,normal", LAW_NORMAL, BY_FAN_OUT, 1.7, 0},
    {"variance_scaling_fan_avg_normal_variance_is_scale_over_fan_avg", "variance_scaling:1.7,fan_avg,normal", LAW_NORMAL, BY_FAN_AVG, 1.7, 0},
    {"variance_scaling_fan_in_truncated_variance_is_exactly_scale_over_fan_in", "variance_scaling:1.7,fan_in,truncated_normal", LAW_TRUNCATED, BY_FAN_IN, 1.7, 0},
    {"variance_scaling_fan_out_truncated_variance_is_exactly_scale_over_fan_out", "variance_scaling:1.7,fan_out,truncated_normal", LAW_TRUNCATED, BY_FAN_OUT, 1.7, 0},
    {"variance_scaling_fan_avg_truncated_variance_is_exactly_scale_over_fan_avg", "variance_scaling:1.7,fan_avg,truncated_normal", LAW_TRUNCATED, BY_FAN_AVG, 1.7, 0},
    {"variance_scaling_fan_in_uniform_variance_is_scale_over_fan_in", "variance_scaling:1.7,fan_in,uniform", LAW_UNIFORM, BY_FAN_IN, 1.7, 0},
    {"variance_scaling_fan_out_uniform_variance_is_scale_over_fan_out", "variance_scaling:1.7,fan_out,uniform", LAW_UNIFORM, BY_FAN_OUT, 1.7, 0},
    {"variance_scaling_fan_avg_uniform_variance_is_scale_over_fan_avg", "variance_scaling:1.7,fan_avg,uniform", LAW_UNIFORM, BY_FAN_AVG, 1.7, 0},
    {"keras_he_normal_is_variance_scaling_2_fan_in_truncated", "variance_scaling:2,fan_in,truncated_normal", LAW_TRUNCATED, BY_FAN_IN, 2.0, 0},
    {"he_normal_fan_out_variance_is_2_over_fan_out", "he_normal:0,fan_out", LAW_NORMAL, BY_FAN_OUT, 2.0, 0},
    {"he_uniform_fan_out_limit_is_sqrt_6_over_fan_out", "he_uniform:fan_out", LAW_UNIFORM, BY_FAN_OUT, 2.0, 0},
    {"glorot_uniform_fan_in_limit_is_sqrt_3_over_fan_in", "glorot_uniform:1,fan_in", LAW_UNIFORM, BY_FAN_IN, 1.0, 0},
    {"glorot_normal_gain_fan_out_variance_is_gain2_over_fan_out", "glorot_normal:2,fan_out", LAW_NORMAL, BY_FAN_OUT, 4.0, 0},
    {"lecun_normal_fan_avg_variance_is_1_over_fan_avg", "lecun_normal:fan_avg", LAW_NORMAL, BY_FAN_AVG, 1.0, 0},
    /* torch nn.Linear: kaiming_uniform_(a = sqrt 5) = U(+-1/sqrt(fan_in)). */
    {"torch_default_is_uniform_plus_minus_1_over_sqrt_fan_in", "torch_default", LAW_UNIFORM, BY_FAN_IN, 1.0 / 3.0, 0},
    {"keras_default_is_glorot_uniform", "keras_default", LAW_UNIFORM, BY_FAN_AVG, 1.0, 0},
    {"flax_default_is_truncated_normal_with_variance_1_over_fan_in", "flax_default", LAW_TRUNCATED, BY_FAN_IN, 1.0, 0},
    {"orthogonal_entries_have_mean_0_variance_1_over_larger_dim", "orthogonal", LAW_ORTHOGONAL, FIXED, 1.0, 0},
    {"orthogonal_gain_entries_have_variance_gain2_over_larger_dim", "orthogonal:1.3", LAW_ORTHOGONAL, FIXED, 1.3, 0},
    {"sparse_defaults_to_15_nonzero_n_0_1_weights_per_unit", "sparse", LAW_SPARSE, FIXED, 15.0, 1.0},
    {"sparse_k_has_variance_k_over_fan_in", "sparse:4", LAW_SPARSE, FIXED, 4.0, 1.0},
    {"sparse_k_std_has_variance_k_over_fan_in_std2", "sparse:4,0.5", LAW_SPARSE, FIXED, 4.0, 0.5}
};
#define SPEC_CASE_COUNT ((int)(sizeof spec_cases / sizeof spec_cases[0]))

/* ---- the moments test, one per spec over every shape ------------------------ */

static void check_spec_on_shape(const spec_case *c, int fan_in, int fan_out)
{
    size_t n = (size_t)fan_in * fan_out;
    size_t fills = (MIN_SAMPLES + n - 1) / n, f;
    law_moments want = ref_expected_moments(c, fan_in, fan_out, fan_in, fan_out);
    float *w = (float *)malloc(n * sizeof(float));
    law_sums sums;
    initnn_init_spec spec;
    initnn_rng rng;
    char what[128];
    int err;

    CHECK(w != NULL, "out of memory");
    memset(&sums, 0, sizeof sums);
    snprintf(what, sizeof what, "'%s' on %dx%d", c->spec, fan_in, fan_out);
    initnn_rng_seed(&rng, 1000 + (uint64_t)fan_in * 7 + (uint64_t)fan_out);
    /* The first fill through the spec string itself; the repeats reuse the
       parsed spec, as initnn_init_fill does internally. */
    err = initnn_init_fill(w, fan_in, fan_out, c->spec, &rng);
    if (!err) err = initnn_init_parse(&spec, c->spec);
    for (f = 0; f < fills && !err && !TESTING_FAILED; f++) {
        if (f > 0) err = initnn_init_fill_fans(w, fan_in, fan_out, fan_in, fan_out, &spec, &rng);
        if (!err) ref_add_draws(&sums, c, &want, w, n, what);
    }
    free(w);
    CHECK(err == 0, "%s: %s", what, initnn_last_error());
    if (TESTING_FAILED) return;
    ref_check_law(&sums, c, &want, what);
}

static void check_spec_on_every_shape(const spec_case *c)
{
    int s;
    for (s = 0; s < SHAPE_COUNT && !TESTING_FAILED; s++)
        check_spec_on_shape(c, shapes[s][0], shapes[s][1]);
}

/* ---- orthogonal ------------------------------------------------------------------ */

static void orthogonal_gives_orthonormal_columns_or_rows_times_gain(void)
{
    static const int orthogonal_shapes[][2] = {{256, 256}, {784, 256}, {256, 784}, {256, 10},
                                               {10, 256}, {3, 5}, {5, 3}, {1, 1}, {1, 7}, {7, 1}};
    static const double gains[2] = {1.0, 1.7};
    int s, g;
    initnn_rng rng;
    initnn_rng_seed(&rng, 31);
    for (s = 0; s < (int)(sizeof orthogonal_shapes / sizeof orthogonal_shapes[0]); s++) {
        int rows = orthogonal_shapes[s][0], cols = orthogonal_shapes[s][1];
        float *w = (float *)malloc((size_t)rows * cols * sizeof(float));
        CHECK(w != NULL, "out of memory");
        for (g = 0; g < 2; g++) {
            char spec[32];
            int err;
            /* Through the spec string and through the plain function. */
            snprintf(spec, sizeof spec, "orthogonal:%g", gains[g]);
            err = initnn_init_fill(w, rows, cols, spec, &rng);
            CHECK(err == 0, "%s on %dx%d: %s", spec, rows, cols, initnn_last_error());
            ref_check_orthonormal(w, rows, cols, gains[g], spec);
            if (TESTING_FAILED) { free(w); return; }
            err = initnn_orthogonal(w, rows, cols, (float)gains[g], &rng);
            CHECK(err == 0, "initnn_orthogonal %dx%d: %s", rows, cols, initnn_last_error());
            ref_check_orthonormal(w, rows, cols, gains[g], "initnn_orthogonal");
            if (TESTING_FAILED) { free(w); return; }
        }
        free(w);
    }
}

static void orthogonal_is_random_not_a_fixed_matrix(void)
{
    /* The identity and signed permutations are orthogonal too; a random
       orthogonal 64x64 matrix has no entry near +-1 and changes with the seed. */
    enum { N = 64 };
    float a[N * N], b[N * N], largest = 0.0f;
    initnn_rng rng;
    int i, differ = 0;
    initnn_rng_seed(&rng, 32);
    CHECK(initnn_init_fill(a, N, N, "orthogonal", &rng) == 0, "%s", initnn_last_error());
    initnn_rng_seed(&rng, 33);
    CHECK(initnn_init_fill(b, N, N, "orthogonal", &rng) == 0, "%s", initnn_last_error());
    for (i = 0; i < N * N; i++) {
        if (fabsf(a[i]) > largest) largest = fabsf(a[i]);
        if (a[i] != b[i]) differ++;
    }
    CHECK(largest < 0.9f, "an entry of %g: looks like a permutation", largest);
    CHECK(differ > N * N - 10, "seeds 32 and 33 share %d of %d entries", N * N - differ, N * N);
}

/* ---- sparse -------------------------------------------------------------------------- */

static void check_nonzeros_per_column(const float *w, int fan_in, int fan_out, int want, const char *spec)
{
    int i, j;
    for (j = 0; j < fan_out; j++) {
        int nonzero = 0;
        for (i = 0; i < fan_in; i++) nonzero += w[(size_t)i * fan_out + j] != 0.0f;
        CHECK(nonzero == want, "'%s' on %dx%d: column %d has %d nonzeros, want %d", spec, fan_in,
              fan_out, j, nonzero, want);
    }
}

static void sparse_has_exactly_k_nonzeros_per_output_column(void)
{
    static const struct { int fan_in, fan_out; const char *spec; int want; } cases[] = {
        {784, 256, "sparse", 15}, {256, 256, "sparse:1", 1}, {256, 10, "sparse:5", 5},
        {256, 10, "sparse:256", 256}, {3, 5, "sparse:2,0.1", 2}, {1, 1, "sparse:1", 1}
    };
    initnn_rng rng;
    int c;
    initnn_rng_seed(&rng, 41);
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        float *w = (float *)malloc((size_t)cases[c].fan_in * cases[c].fan_out * sizeof(float));
        CHECK(w != NULL, "out of memory");
        CHECK(initnn_init_fill(w, cases[c].fan_in, cases[c].fan_out, cases[c].spec, &rng) == 0, "%s",
              initnn_last_error());
        check_nonzeros_per_column(w, cases[c].fan_in, cases[c].fan_out, cases[c].want, cases[c].spec);
        free(w);
        if (TESTING_FAILED) return;
    }
}

static void sparse_caps_k_at_fan_in(void)
{
    static const struct { int fan_in, fan_out; const char *spec; } cases[] = {
        {3, 5, "sparse"}, {10, 4, "sparse:11"}, {1, 3, "sparse:1000"}, {256, 10, "sparse:300"}
    };
    initnn_rng rng;
    int c;
    initnn_rng_seed(&rng, 42);
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        float *w = (float *)malloc((size_t)cases[c].fan_in * cases[c].fan_out * sizeof(float));
        CHECK(w != NULL, "out of memory");
        CHECK(initnn_init_fill(w, cases[c].fan_in, cases[c].fan_out, cases[c].spec, &rng) == 0, "%s",
              initnn_last_error());
        check_nonzeros_per_column(w, cases[c].fan_in, cases[c].fan_out, cases[c].fan_in, cases[c].spec);
        free(w);
        if (TESTING_FAILED) return;
    }
}

static void sparse_picks_each_input_with_probability_k_over_fan_in(void)
{
    /* Over 20000 columns each of 20 inputs is chosen Binomial(20000, 5/20)
       times; a selection that favours early or late rows fails. */
    enum { FAN_IN = 20, FAN_OUT = 20000, K = 5 };
    float *w = (float *)malloc((size_t)FAN_IN * FAN_OUT * sizeof(float));
    initnn_rng rng;
    int i, j;
    double p = (double)K / FAN_IN, se = sqrt(FAN_OUT * p * (1.0 - p));
    CHECK(w != NULL, "out of memory");
    initnn_rng_seed(&rng, 43);
    CHECK(initnn_init_fill(w, FAN_IN, FAN_OUT, "sparse:5", &rng) == 0, "%s", initnn_last_error());
    for (i = 0; i < FAN_IN; i++) {
        int chosen = 0;
        for (j = 0; j < FAN_OUT; j++) chosen += w[(size_t)i * FAN_OUT + j] != 0.0f;
        CHECK_NEAR((double)chosen, FAN_OUT * p, 6.0 * se);
    }
    free(w);
}

/* ---- identity ------------------------------------------------------------------------- */

static void identity_is_gain_on_the_diagonal_and_0_elsewhere(void)
{
    static const int identity_shapes[][2] = {{5, 5}, {3, 7}, {7, 3}, {1, 1}, {1, 4}, {4, 1}};
    static const struct { const char *spec; float gain; } specs[] = {{"identity", 1.0f}, {"identity:2.5", 2.5f}};
    initnn_rng rng;
    int s, g, i, j;
    initnn_rng_seed(&rng, 51);
    for (s = 0; s < 6; s++)
        for (g = 0; g < 2; g++) {
            int rows = identity_shapes[s][0], cols = identity_shapes[s][1];
            float w[49];
            CHECK(initnn_init_fill(w, rows, cols, specs[g].spec, &rng) == 0, "%s", initnn_last_error());
            for (i = 0; i < rows; i++)
                for (j = 0; j < cols; j++) {
                    float want = i == j ? specs[g].gain : 0.0f;
                    CHECK(w[i * cols + j] == want, "'%s' on %dx%d: W[%d][%d] = %g, want %g", specs[g].spec,
                          rows, cols, i, j, w[i * cols + j], want);
                }
        }
}

/* ---- the plain functions, the parser, the fans ------------------------------------- */

static void plain_functions_give_the_same_bits_as_their_specs(void)
{
    enum { FAN_IN = 37, FAN_OUT = 23, N = FAN_IN * FAN_OUT };
    float by_spec[N], by_function[N];
    int c;
    for (c = 0; c < 16; c++) {
        initnn_rng r1, r2;
        const char *spec = "";
        initnn_rng_seed(&r1, 60 + c);
        initnn_rng_seed(&r2, 60 + c);
        switch (c) {
        case 0: spec = "zeros"; initnn_zeros(by_function, N); break;
        case 1: spec = "constant:0.25"; initnn_constant(by_function, N, 0.25f); break;
        case 2: spec = "random_normal:0.3,0.1"; initnn_random_normal(by_function, N, 0.3f, 0.1f, &r2); break;
        case 3: spec = "random_uniform:-1,2"; initnn_random_uniform(by_function, N, -1.0f, 2.0f, &r2); break;
        case 4: spec = "truncated_normal:0.2,0.5"; initnn_truncated_normal(by_function, N, 0.2f, 0.5f, &r2); break;
        case 5: spec = "glorot_normal"; initnn_glorot_normal(by_function, FAN_IN, FAN_OUT, &r2); break;
        case 6: spec = "glorot_uniform"; initnn_glorot_uniform(by_function, FAN_IN, FAN_OUT, &r2); break;
        case 7: spec = "he_normal"; initnn_he_normal(by_function, FAN_IN, FAN_OUT, 0.0f, &r2); break;
        case 8: spec = "kaiming_normal:0.5"; initnn_he_normal(by_function, FAN_IN, FAN_OUT, 0.5f, &r2); break;
        case 9: spec = "he_uniform:0.25"; initnn_he_uniform(by_function, FAN_IN, FAN_OUT, 0.25f, &r2); break;
        case 10: spec = "lecun_normal"; initnn_lecun_normal(by_function, FAN_IN, FAN_OUT, &r2); break;
        case 11: spec = "lecun_uniform"; initnn_lecun_uniform(by_function, FAN_IN, FAN_OUT, &r2); break;
        case 12:
            spec = "variance_scaling:3,fan_out,truncated_normal";
            initnn_variance_scaling(by_function, N, FAN_IN, FAN_OUT, 3.0, INITNN_FAN_OUT,
                                    INITNN_DIST_TRUNCATED_NORMAL, &r2);
            break;
        case 13: spec = "orthogonal:2"; initnn_orthogonal(by_function, FAN_IN, FAN_OUT, 2.0f, &r2); break;
        case 14: spec = "sparse:3,0.5"; initnn_sparse(by_function, FAN_IN, FAN_OUT, 3, 0.5f, &r2); break;
        case 15: spec = "identity:3"; initnn_identity(by_function, FAN_IN, FAN_OUT, 3.0f); break;
        }
        CHECK(initnn_init_fill(by_spec, FAN_IN, FAN_OUT, spec, &r1) == 0, "'%s': %s", spec, initnn_last_error());
        CHECK_FLOATS_EQUAL(spec, by_spec, by_function, N);
        /* And both left the generators in the same state. */
        CHECK(initnn_rng_u32(&r1) == initnn_rng_u32(&r2), "'%s': the generators diverged", spec);
    }
}

static void parser_maps_each_name_to_its_scale_mode_and_distribution(void)
{
    static const struct {
        const char *spec;
        int kind;
        double p0, p1;
        int mode, distribution;
    } cases[] = {
        {"zeros", INITNN_INIT_CONSTANT, 0.0, 0.0, 0, 0},
        {"ones", INITNN_INIT_CONSTANT, 1.0, 0.0, 0, 0},
        {"constant:2.5", INITNN_INIT_CONSTANT, 2.5, 0.0, 0, 0},
        {"random_normal", INITNN_INIT_NORMAL, 0.05, 0.0, 0, 0},
        {"random_normal:0.1,2", INITNN_INIT_NORMAL, 0.1, 2.0, 0, 0},
        {"random_uniform:-3,4", INITNN_INIT_UNIFORM, -3.0, 4.0, 0, 0},
        {"truncated_normal:0.7", INITNN_INIT_TRUNCATED_NORMAL, 0.7, 0.0, 0, 0},
        {"glorot_normal", INITNN_INIT_VARIANCE_SCALING, 1.0, 0.0, INITNN_FAN_AVG, INITNN_DIST_NORMAL},
        {"xavier_uniform:2", INITNN_INIT_VARIANCE_SCALING, 4.0, 0.0, INITNN_FAN_AVG, INITNN_DIST_UNIFORM},
        {"he_normal", INITNN_INIT_VARIANCE_SCALING, 2.0, 0.0, INITNN_FAN_IN, INITNN_DIST_NORMAL},
        {"kaiming_uniform:1", INITNN_INIT_VARIANCE_SCALING, 1.0, 1.0, INITNN_FAN_IN, INITNN_DIST_UNIFORM},
        {"lecun_normal", INITNN_INIT_VARIANCE_SCALING, 1.0, 0.0, INITNN_FAN_IN, INITNN_DIST_NORMAL},
        {"lecun_uniform", INITNN_INIT_VARIANCE_SCALING, 1.0, 0.0, INITNN_FAN_IN, INITNN_DIST_UNIFORM},
        {"variance_scaling:0.5,fan_out,truncated_normal", INITNN_INIT_VARIANCE_SCALING, 0.5, 0.0,
         INITNN_FAN_OUT, INITNN_DIST_TRUNCATED_NORMAL},
        {"orthogonal", INITNN_INIT_ORTHOGONAL, 1.0, 0.0, 0, 0},
        {"sparse", INITNN_INIT_SPARSE, 15.0, 1.0, 0, 0},
        {"sparse:3,0.01", INITNN_INIT_SPARSE, 3.0, 0.01, 0, 0},
        {"identity:0.5", INITNN_INIT_IDENTITY, 0.5, 0.0, 0, 0},
        {"he_normal:0,fan_out", INITNN_INIT_VARIANCE_SCALING, 2.0, 0.0, INITNN_FAN_OUT, INITNN_DIST_NORMAL},
        {"glorot_uniform:fan_in", INITNN_INIT_VARIANCE_SCALING, 1.0, 0.0, INITNN_FAN_IN, INITNN_DIST_UNIFORM},
        {"torch_default", INITNN_INIT_VARIANCE_SCALING, 1.0 / 3.0, 0.0, INITNN_FAN_IN, INITNN_DIST_UNIFORM},
        {"keras_default", INITNN_INIT_VARIANCE_SCALING, 1.0, 0.0, INITNN_FAN_AVG, INITNN_DIST_UNIFORM},
        {"flax_default", INITNN_INIT_VARIANCE_SCALING, 1.0, 0.0, INITNN_FAN_IN, INITNN_DIST_TRUNCATED_NORMAL}
    };
    int c;
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        initnn_init_spec s;
        CHECK(initnn_init_parse(&s, cases[c].spec) == 0, "'%s': %s", cases[c].spec, initnn_last_error());
        CHECK(s.kind == cases[c].kind, "'%s': kind %d, want %d", cases[c].spec, s.kind, cases[c].kind);
        CHECK_NEAR(s.param[0], cases[c].p0, 1e-12);
        CHECK_NEAR(s.param[1], cases[c].p1, 1e-12);
        if (s.kind == INITNN_INIT_VARIANCE_SCALING) {
            CHECK(s.mode == cases[c].mode, "'%s': mode %d, want %d", cases[c].spec, s.mode, cases[c].mode);
            CHECK(s.distribution == cases[c].distribution, "'%s': distribution %d, want %d", cases[c].spec,
                  s.distribution, cases[c].distribution);
        }
    }
}

static void default_bias_is_torch_default_only_for_torch_default(void)
{
    /* PyTorch draws the bias of nn.Linear from U(+-1/sqrt(fan_in)) too; Keras
       and Flax start it at zero. */
    static const struct { const char *kernel, *bias; } cases[] = {
        {"torch_default", "torch_default"}, {"keras_default", "zeros"}, {"flax_default", "zeros"},
        {"he_normal", "zeros"}, {"orthogonal:2", "zeros"}
    };
    int c;
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        const char *bias = initnn_default_bias(cases[c].kernel);
        CHECK(bias && !strcmp(bias, cases[c].bias), "default bias of '%s' is '%s', want '%s'", cases[c].kernel,
              bias ? bias : "(null)", cases[c].bias);
    }
    CHECK(initnn_default_bias(NULL) && !strcmp(initnn_default_bias(NULL), "zeros"), "default bias of NULL");
}

static void fill_fans_scales_by_the_given_fans_not_the_shape(void)
{
    /* A 3x3 convolution from 3 to 16 channels stored as (27, 16): fan_in 27,
       fan_out 16 * 9 = 144, so glorot_normal has Var = 2 / (27 + 144), not
       2 / (27 + 16). Pooled over 500 fills. */
    enum { ROWS = 27, COLS = 16, FAN_IN = 27, FAN_OUT = 144, FILLS = 500 };
    float w[ROWS * COLS];
    initnn_init_spec spec;
    initnn_rng rng;
    double sum = 0.0, sum_sq = 0.0, variance, want = 2.0 / (FAN_IN + FAN_OUT);
    size_t total = (size_t)ROWS * COLS * FILLS;
    int f, i;
    CHECK(initnn_init_parse(&spec, "glorot_normal") == 0, "%s", initnn_last_error());
    initnn_rng_seed(&rng, 70);
    for (f = 0; f < FILLS; f++) {
        CHECK(initnn_init_fill_fans(w, ROWS, COLS, FAN_IN, FAN_OUT, &spec, &rng) == 0, "%s",
              initnn_last_error());
        for (i = 0; i < ROWS * COLS; i++) {
            sum += w[i];
            sum_sq += (double)w[i] * w[i];
        }
    }
    variance = (sum_sq - sum * sum / total) / (total - 1);
    CHECK_NEAR(variance, want, 6.0 * want * sqrt(2.0 / (total - 1)));
}

/* ---- activation gains ---------------------------------------------------------- */

static void gain_table_matches_torch_calculate_gain(void)
{
    static const struct { const char *name; float param; double want; } cases[] = {
        {"linear", 0.0f, 1.0}, {"identity", 0.0f, 1.0}, {"sigmoid", 0.0f, 1.0},
        {"tanh", 0.0f, 5.0 / 3.0}, {"relu", 0.0f, 1.4142135623730951},
        {"leaky_relu", 0.01f, 1.4141428569978354}, /* sqrt(2 / (1 + 0.01^2)) */
        {"leaky_relu", 0.0f, 1.4142135623730951}, {"selu", 0.0f, 0.75}
    };
    int c;
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        float gain = initnn_gain(cases[c].name, cases[c].param);
        /* The gain is a float: within one float rounding of the exact value. */
        CHECK(fabs(gain - cases[c].want) <= 1e-7 * cases[c].want, "gain('%s', %g) = %.9g, want %.9g",
              cases[c].name, cases[c].param, gain, cases[c].want);
    }
}

static void gain_of_an_unknown_activation_is_0_with_a_message(void)
{
    float gain;
    initnn_clear_error();
    gain = initnn_gain("relu6", 0.0f);
    CHECK(gain == 0.0f, "gain('relu6') = %g", gain);
    CHECK(strstr(initnn_last_error(), "relu6") != NULL, "message '%s' does not name 'relu6'", initnn_last_error());
    initnn_clear_error();
    gain = initnn_gain(NULL, 0.0f);
    CHECK(gain == 0.0f, "gain(NULL) = %g", gain);
    CHECK(initnn_last_error()[0] != '\0', "no message for a NULL activation");
}

int main(int argc, char **argv)
{
    int c;
    testing_init(argc, argv);
    for (c = 0; c < SPEC_CASE_COUNT; c++) {
        if (!testing_begin(spec_cases[c].claim)) continue;
        check_spec_on_every_shape(&spec_cases[c]);
        testing_end();
    }
    RUN_TEST(orthogonal_gives_orthonormal_columns_or_rows_times_gain);
    RUN_TEST(orthogonal_is_random_not_a_fixed_matrix);
    RUN_TEST(sparse_has_exactly_k_nonzeros_per_output_column);
    RUN_TEST(sparse_caps_k_at_fan_in);
    RUN_TEST(sparse_picks_each_input_with_probability_k_over_fan_in);
    RUN_TEST(identity_is_gain_on_the_diagonal_and_0_elsewhere);
    RUN_TEST(plain_functions_give_the_same_bits_as_their_specs);
    RUN_TEST(parser_maps_each_name_to_its_scale_mode_and_distribution);
    RUN_TEST(default_bias_is_torch_default_only_for_torch_default);
    RUN_TEST(fill_fans_scales_by_the_given_fans_not_the_shape);
    RUN_TEST(gain_table_matches_torch_calculate_gain);
    RUN_TEST(gain_of_an_unknown_activation_is_0_with_a_message);
    return testing_finish();
}
