/* test_conv_init.c - every initializer spec on convolution kernels, and the
   Dirac kernel.

   A conv kernel of k_h x k_w taps from c_in to c_out channels is the matrix
   W of (c_in k_h k_w, c_out), and its fans are the receptive-field ones
   (Keras, PyTorch):  fan_in = c_in k_h k_w,  fan_out = c_out k_h k_w.
   fan_out is not the matrix's column count c_out, so a kernel filled with
   the dense fans of its matrix fails the fan_out and fan_avg cases below by
   a factor of up to 9 or 25 in the variance.

   For each spec and each of the shapes 3x3x1x32, 3x3x32x64 and 5x5x64x128
   (k_h x k_w x c_in x c_out) the kernel is drawn with
   initnn_init_conv_kernel, the small kernels many times from one generator
   and pooled so that every statistic rests on at least MIN_SAMPLES draws,
   and the sample mean and variance must lie within 6 standard errors of the
   formula's values; the oracle, its standard errors and its sources are in
   tests/reference.h, the fans are computed here from the shape. At N = 2e5,
   6 SE of a normal's variance are 1.9% of it. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#define MIN_SAMPLES 200000

/* k_h, k_w, c_in, c_out */
static const int conv_shapes[][4] = {{3, 3, 1, 32}, {3, 3, 32, 64}, {5, 5, 64, 128}};
#define CONV_SHAPE_COUNT ((int)(sizeof conv_shapes / sizeof conv_shapes[0]))

/* ---- the specs and the laws they claim (tests/reference.h) ---------------------- */

static const spec_case spec_cases[] = {
    {"conv_zeros_sets_every_tap_to_0", "zeros", LAW_CONSTANT, FIXED, 0.0, 0},
    {"conv_ones_sets_every_tap_to_1", "ones", LAW_CONSTANT, FIXED, 1.0, 0},
    {"conv_constant_c_sets_every_tap_to_c", "constant:-0.375", LAW_CONSTANT, FIXED, -0.375, 0},
    {"conv_random_normal_ignores_the_fans", "random_normal:0.3,-1.5", LAW_NORMAL, FIXED, 0.3, -1.5},
    {"conv_random_normal_defaults_to_std_0_05", "random_normal", LAW_NORMAL, FIXED, 0.05, 0.0},
    {"conv_random_uniform_is_uniform_on_lo_hi", "random_uniform:-0.2,0.6", LAW_UNIFORM, FIXED, -0.2, 0.6},
    {"conv_random_uniform_defaults_to_minus_0_05_to_0_05", "random_uniform", LAW_UNIFORM, FIXED, -0.05, 0.05},
    {"conv_truncated_normal_has_variance_0_7737_std2_within_2_std", "truncated_normal:0.4,1", LAW_TRUNCATED, FIXED, 0.4, 1.0},
    {"conv_glorot_normal_variance_is_2_over_c_in_kk_plus_c_out_kk", "glorot_normal", LAW_NORMAL, BY_FAN_AVG, 1.0, 0},
    {"conv_xavier_normal_gain_variance_is_gain2_2_over_fan_sum", "xavier_normal:1.5", LAW_NORMAL, BY_FAN_AVG, 2.25, 0},
    {"conv_glorot_uniform_limit_is_sqrt_6_over_c_in_kk_plus_c_out_kk", "glorot_uniform", LAW_UNIFORM, BY_FAN_AVG, 1.0, 0},
    {"conv_xavier_uniform_gain_limit_is_gain_sqrt_6_over_fan_sum", "xavier_uniform:0.5", LAW_UNIFORM, BY_FAN_AVG, 0.25, 0},
    {"conv_he_normal_variance_is_2_over_c_in_kk", "he_normal", LAW_NORMAL, BY_FAN_IN, 2.0, 0},
    {"conv_kaiming_normal_a_variance_is_2_over_1_plus_a2_c_in_kk", "kaiming_normal:0.2", LAW_NORMAL, BY_FAN_IN, 2.0 / 1.04, 0},
    {"conv_he_uniform_limit_is_sqrt_6_over_c_in_kk", "he_uniform", LAW_UNIFORM, BY_FAN_IN, 2.0, 0},
    {"conv_kaiming_uniform_a_limit_is_sqrt_6_over_1_plus_a2_c_in_kk", "kaiming_uniform:0.5", LAW_UNIFORM, BY_FAN_IN, 2.0 / 1.25, 0},
    {"conv_lecun_normal_variance_is_1_over_c_in_kk", "lecun_normal", LAW_NORMAL, BY_FAN_IN, 1.0, 0},
    {"conv_lecun_uniform_limit_is_sqrt_3_over_c_in_kk", "lecun_uniform", LAW_UNIFORM, BY_FAN_IN, 1.0, 0},
    {"conv_variance_scaling_fan_in_normal_is_scale_over_c_in_kk", "variance_scaling:1.7,fan_in,normal", LAW_NORMAL, BY_FAN_IN, 1.7, 0},
    {"conv_variance_scaling_fan_out_normal_is_scale_over_c_out_kk", "variance_scaling:1.7,fan_out,normal", LAW_NORMAL, BY_FAN_OUT, 1.7, 0},
    {"conv_variance_scaling_fan_avg_normal_is_scale_over_mean_fan", "variance_scaling:1.7,fan_avg,normal", LAW_NORMAL, BY_FAN_AVG, 1.7, 0},
    {"conv_variance_scaling_fan_in_truncated_is_exactly_scale_over_c_in_kk", "variance_scaling:2,fan_in,truncated_normal", LAW_TRUNCATED, BY_FAN_IN, 2.0, 0},
    {"conv_variance_scaling_fan_out_truncated_is_exactly_scale_over_c_out_kk", "variance_scaling:1.7,fan_out,truncated_normal", LAW_TRUNCATED, BY_FAN_OUT, 1.7, 0},
    {"conv_variance_scaling_fan_avg_truncated_is_exactly_scale_over_mean_fan", "variance_scaling:1.7,fan_avg,truncated_normal", LAW_TRUNCATED, BY_FAN_AVG, 1.7, 0},
    {"conv_variance_scaling_fan_in_uniform_is_scale_over_c_in_kk", "variance_scaling:1.7,fan_in,uniform", LAW_UNIFORM, BY_FAN_IN, 1.7, 0},
    {"conv_variance_scaling_fan_out_uniform_is_scale_over_c_out_kk", "variance_scaling:1.7,fan_out,uniform", LAW_UNIFORM, BY_FAN_OUT, 1.7, 0},
    {"conv_variance_scaling_fan_avg_uniform_is_scale_over_mean_fan", "variance_scaling:1.7,fan_avg,uniform", LAW_UNIFORM, BY_FAN_AVG, 1.7, 0},
    {"conv_orthogonal_entries_have_variance_1_over_larger_dim", "orthogonal", LAW_ORTHOGONAL, FIXED, 1.0, 0},
    {"conv_orthogonal_gain_entries_have_variance_gain2_over_larger_dim", "orthogonal:1.3", LAW_ORTHOGONAL, FIXED, 1.3, 0},
    {"conv_sparse_defaults_to_15_of_c_in_kk_taps_per_filter", "sparse", LAW_SPARSE, FIXED, 15.0, 1.0},
    {"conv_sparse_k_std_has_variance_k_over_c_in_kk_std2", "sparse:4,0.5", LAW_SPARSE, FIXED, 4.0, 0.5}
};
#define SPEC_CASE_COUNT ((int)(sizeof spec_cases / sizeof spec_cases[0]))

/* ---- the moments, one test per spec over every shape ------------------------------ */

static void check_spec_on_conv_shape(const spec_case *c, int kh, int kw, int c_in, int c_out)
{
    int rows = c_in * kh * kw, fan_in = c_in * kh * kw, fan_out = c_out * kh * kw;
    size_t n = (size_t)rows * c_out;
    size_t fills = (MIN_SAMPLES + n - 1) / n, f;
    law_moments want = ref_expected_moments(c, rows, c_out, fan_in, fan_out);
    float *w = (float *)malloc(n * sizeof(float));
    law_sums sums;
    initnn_rng rng;
    char what[160];
    int err = 0;

    CHECK(w != NULL, "out of memory");
    memset(&sums, 0, sizeof sums);
    snprintf(what, sizeof what, "'%s' on %dx%dx%dx%d (fan_in %d, fan_out %d)", c->spec, kh, kw, c_in, c_out, fan_in,
             fan_out);
    initnn_rng_seed(&rng, 2000 + (uint64_t)rows * 7 + (uint64_t)c_out);
    for (f = 0; f < fills && !err && !TESTING_FAILED; f++) {
        err = initnn_init_conv_kernel(w, c_in, c_out, kh, kw, c->spec, &rng);
        if (!err) ref_add_draws(&sums, c, &want, w, n, what);
    }
    free(w);
    CHECK(err == 0, "%s: %s", what, initnn_last_error());
    if (TESTING_FAILED) return;
    ref_check_law(&sums, c, &want, what);
}

static void check_spec_on_every_conv_shape(const spec_case *c)
{
    int s;
    for (s = 0; s < CONV_SHAPE_COUNT && !TESTING_FAILED; s++)
        check_spec_on_conv_shape(c, conv_shapes[s][0], conv_shapes[s][1], conv_shapes[s][2], conv_shapes[s][3]);
}

/* ---- fans, orthogonality, sparsity ------------------------------------------------- */

static void conv_fans_are_c_in_kh_kw_and_c_out_kh_kw(void)
{
    static const int cases[][4] = {{3, 3, 1, 32}, {3, 3, 32, 64}, {5, 5, 64, 128}, {3, 2, 4, 5}, {1, 4, 7, 2}, {1, 1, 3, 3}};
    int c;
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        int kh = cases[c][0], kw = cases[c][1], c_in = cases[c][2], c_out = cases[c][3], fan_in = -1, fan_out = -1;
        initnn_conv_fans(&fan_in, &fan_out, c_in, c_out, kh, kw);
        CHECK(fan_in == c_in * kh * kw && fan_out == c_out * kh * kw,
              "%dx%dx%dx%d: fans %d, %d, want %d, %d", kh, kw, c_in, c_out, fan_in, fan_out, c_in * kh * kw,
              c_out * kh * kw);
    }
}

static void conv_orthogonal_kernel_matrix_is_orthonormal_along_its_smaller_dimension(void)
{
    /* 3x3x1x32 is (9, 32): its 9 rows are orthonormal; the others are tall:
       their c_out columns (filters) are orthonormal. */
    static const double gains[] = {1.0, 1.3};
    initnn_rng rng;
    int s, g;
    initnn_rng_seed(&rng, 2100);
    for (s = 0; s < CONV_SHAPE_COUNT; s++)
        for (g = 0; g < 2; g++) {
            int kh = conv_shapes[s][0], kw = conv_shapes[s][1], c_in = conv_shapes[s][2], c_out = conv_shapes[s][3];
            int rows = c_in * kh * kw;
            float *w = (float *)malloc((size_t)rows * c_out * sizeof(float));
            char spec[32], what[96];
            int err;
            CHECK(w != NULL, "out of memory");
            snprintf(spec, sizeof spec, "orthogonal:%g", gains[g]);
            snprintf(what, sizeof what, "'%s' on %dx%dx%dx%d", spec, kh, kw, c_in, c_out);
            err = initnn_init_conv_kernel(w, c_in, c_out, kh, kw, spec, &rng);
            if (err == 0) ref_check_orthonormal(w, rows, c_out, gains[g], what);
            free(w);
            CHECK(err == 0, "%s: %s", what, initnn_last_error());
            if (TESTING_FAILED) return;
        }
}

static void conv_sparse_gives_each_filter_exactly_k_nonzero_taps(void)
{
    /* k is capped at c_in k_h k_w: 3x3x1x32 has 9 taps per filter. */
    static const struct { const char *spec; int k; } specs[] = {{"sparse", 15}, {"sparse:4,0.5", 4}, {"sparse:1", 1}, {"sparse:9", 9}};
    initnn_rng rng;
    int s, c, i, j;
    initnn_rng_seed(&rng, 2200);
    for (s = 0; s < CONV_SHAPE_COUNT; s++)
        for (c = 0; c < (int)(sizeof specs / sizeof specs[0]); c++) {
            int kh = conv_shapes[s][0], kw = conv_shapes[s][1], c_in = conv_shapes[s][2], c_out = conv_shapes[s][3];
            int rows = c_in * kh * kw, want = specs[c].k < rows ? specs[c].k : rows, bad = -1, bad_count = 0;
            float *w = (float *)malloc((size_t)rows * c_out * sizeof(float));
            int err;
            CHECK(w != NULL, "out of memory");
            err = initnn_init_conv_kernel(w, c_in, c_out, kh, kw, specs[c].spec, &rng);
            for (j = 0; err == 0 && j < c_out && bad < 0; j++) {
                int nonzero = 0;
                for (i = 0; i < rows; i++) nonzero += w[(size_t)i * c_out + j] != 0.0f;
                if (nonzero != want) { bad = j; bad_count = nonzero; }
            }
            free(w);
            CHECK(err == 0, "'%s': %s", specs[c].spec, initnn_last_error());
            CHECK(bad < 0, "'%s' on %dx%dx%dx%d: filter %d has %d nonzero taps, want %d", specs[c].spec, kh, kw,
                  c_in, c_out, bad, bad_count, want);
        }
}

/* ---- the Dirac kernel ------------------------------------------------------------- */

static void conv_identity_kernel_is_gain_at_the_centre_tap_from_c_to_c(void)
{
    static const int cases[][4] = {{3, 3, 4, 4}, {5, 5, 3, 6}, {3, 5, 6, 3}, {1, 1, 2, 2}, {5, 3, 1, 2}};
    static const struct { const char *spec; float gain; } specs[] = {{"identity", 1.0f}, {"identity:2.5", 2.5f}};
    initnn_rng rng;
    int c, g, ch, i, j, o;
    initnn_rng_seed(&rng, 2300);
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++)
        for (g = 0; g < 2; g++) {
            int kh = cases[c][0], kw = cases[c][1], c_in = cases[c][2], c_out = cases[c][3];
            float w[5 * 5 * 6 * 6];
            CHECK(initnn_init_conv_kernel(w, c_in, c_out, kh, kw, specs[g].spec, &rng) == 0, "%s",
                  initnn_last_error());
            for (ch = 0; ch < c_in; ch++)
                for (i = 0; i < kh; i++)
                    for (j = 0; j < kw; j++)
                        for (o = 0; o < c_out; o++) {
                            float got = w[(((size_t)ch * kh + i) * kw + j) * c_out + o];
                            float want = ch == o && i == kh / 2 && j == kw / 2 ? specs[g].gain : 0.0f;
                            CHECK(got == want, "'%s' %dx%dx%dx%d: W[(%d,%d,%d)][%d] = %g, want %g", specs[g].spec, kh,
                                  kw, c_in, c_out, ch, i, j, o, got, want);
                        }
        }
}

/* A net on a 4 x 7 x 9 input of "same" stride-1 convs, each with the Dirac
   kernel, zero bias and no activation. Each output is 1 * x + sum of 0 * x
   terms + 0, all exact in floating point, so the stack is the identity bit
   for bit. Odd kernels only: an even kernel has no centre tap. */
static void stack_of_same_convs_with_dirac_kernels_is_exactly_the_identity(void)
{
    enum { C = 4, H = 7, W = 9, BATCH = 3, N = C * H * W };
    static const int kernels[][2] = {{3, 3}, {5, 5}, {1, 3}, {3, 1}, {5, 3}, {1, 1}, {7, 7}};
    float x[BATCH * N];
    initnn_net *net = NULL;
    initnn_rng rng;
    const float *y;
    int k, i, err;
    initnn_rng_seed(&rng, 2400);
    for (i = 0; i < BATCH * N; i++) x[i] = initnn_rng_normal(&rng) * 3.0f;
    err = initnn_net_create(&net, N, BATCH, 1);
    if (!err) err = initnn_net_set_input_shape(net, C, H, W);
    for (k = 0; !err && k < (int)(sizeof kernels / sizeof kernels[0]); k++)
        err = initnn_net_add_conv2d(net, C, kernels[k][0], kernels[k][1], 1, 1, "identity", "identity", "zeros");
    if (err) initnn_net_free(net);
    CHECK(err == 0, "building the net: %s", initnn_last_error());
    y = initnn_net_forward(net, x, BATCH, 0);
    if (!y) initnn_net_free(net);
    CHECK(y != NULL, "forward: %s", initnn_last_error());
    {
        float got[BATCH * N];
        memcpy(got, y, sizeof got);
        initnn_net_free(net);
        CHECK_FLOATS_EQUAL("output of 7 Dirac convs vs input", got, x, (size_t)BATCH * N);
    }
}

static void dirac_conv_with_more_outputs_copies_the_input_channels_and_zeroes_the_rest(void)
{
    /* 3 -> 5 channels: outputs 0..2 are the inputs, 3 and 4 exactly 0; then
       5 -> 2 keeps the first two; gain 2.5 scales exactly by 2.5 (x * 2.5
       rounds once, as the reference does). */
    enum { C = 3, H = 6, W = 5, BATCH = 2, N = C * H * W, P = H * W };
    float x[BATCH * N];
    initnn_net *net = NULL;
    initnn_rng rng;
    int i, b, c, err;
    initnn_rng_seed(&rng, 2500);
    for (i = 0; i < BATCH * N; i++) x[i] = initnn_rng_normal(&rng);
    err = initnn_net_create(&net, N, BATCH, 1);
    if (!err) err = initnn_net_set_input_shape(net, C, H, W);
    if (!err) err = initnn_net_add_conv2d(net, 5, 3, 3, 1, 1, "identity", "identity", "zeros");
    if (!err) err = initnn_net_add_conv2d(net, 2, 5, 3, 1, 1, "identity", "identity:2.5", "zeros");
    if (err) initnn_net_free(net);
    CHECK(err == 0, "building the net: %s", initnn_last_error());
    if (!initnn_net_forward(net, x, BATCH, 0)) {
        initnn_net_free(net);
        CHECK(0, "forward: %s", initnn_last_error());
    }
    for (b = 0; b < BATCH; b++) {
        const float *wide = net->layers[0].y + (size_t)b * 5 * P, *narrow = net->layers[1].y + (size_t)b * 2 * P;
        for (c = 0; c < 5; c++)
            for (i = 0; i < P; i++) {
                float want = c < C ? x[(size_t)b * N + (size_t)c * P + i] : 0.0f;
                if (wide[c * P + i] != want) {
                    float got = wide[c * P + i];
                    initnn_net_free(net);
                    CHECK(0, "3 -> 5 Dirac: sample %d channel %d pixel %d = %.9g, want %.9g", b, c, i, got, want);
                }
            }
        for (c = 0; c < 2; c++)
            for (i = 0; i < P; i++) {
                float want = x[(size_t)b * N + (size_t)c * P + i] * 2.5f;
                if (narrow[c * P + i] != want) {
                    float got = narrow[c * P + i];
                    initnn_net_free(net);
                    CHECK(0, "5 -> 2 Dirac gain 2.5: sample %d channel %d pixel %d = %.9g, want %.9g", b, c, i, got,
                          want);
                }
            }
    }
    initnn_net_free(net);
}

int main(int argc, char **argv)
{
    int c;
    testing_init(argc, argv);
    for (c = 0; c < SPEC_CASE_COUNT; c++) {
        if (!testing_begin(spec_cases[c].claim)) continue;
        check_spec_on_every_conv_shape(&spec_cases[c]);
        testing_end();
    }
    RUN_TEST(conv_fans_are_c_in_kh_kw_and_c_out_kh_kw);
    RUN_TEST(conv_orthogonal_kernel_matrix_is_orthonormal_along_its_smaller_dimension);
    RUN_TEST(conv_sparse_gives_each_filter_exactly_k_nonzero_taps);
    RUN_TEST(conv_identity_kernel_is_gain_at_the_centre_tap_from_c_to_c);
    RUN_TEST(stack_of_same_convs_with_dirac_kernels_is_exactly_the_identity);
    RUN_TEST(dirac_conv_with_more_outputs_copies_the_input_channels_and_zeroes_the_rest);
    return testing_finish();
}
