/* test_nonfinite.c - initializers never hand out a non-finite weight, and the
   histogram, the statistics and the plots take any float.

   The lab crashed on `--init random_normal:1e39`: the spec filled +-Inf,
   initnn_init_fill returned 0, the weight histogram then got lo = -Inf and
   hi = +Inf, computed a NaN bin and (int)NaN indexed counts[INT_MIN].
   Here: every spec whose parameter lies beyond the float range is refused
   when parsed; every spec whose draws could leave it on a given matrix
   (|mean| + 12.01 std for a normal draw, the polar method's largest) is
   refused before drawing, with w untouched; a sweep over every kind and
   magnitudes up to FLT_MAX finds no fill that succeeds with a non-finite
   weight (and finds the small ones succeed, so the sweep is not empty).
   initnn_histogram refuses non-finite bounds (the call exactly),
   counts +-Inf into the end bins and NaN nowhere; initnn_stats_compute
   counts non-finite values apart and keeps its fields finite even for
   FLT_MAX; a plot of Inf, NaN and DBL_MAX values is written with no "nan"
   or "inf" in it. */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "initnn.h"
#include "testing.h"

#define SENTINEL 12345.0f

static int untouched(const float *w, int n)
{
    int i;
    for (i = 0; i < n; i++)
        if (w[i] != SENTINEL) return 0;
    return 1;
}

static void specs_beyond_the_float_range_are_refused_when_parsed(void)
{
    static const char *const specs[] = {
        "random_normal:1e39", "orthogonal:1e39", "identity:1e39", "truncated_normal:1e39", "sparse:2,1e39",
        "glorot_normal:1e300", "variance_scaling:1e80,fan_in,normal", "constant:1e39", "random_uniform:-1e39,1",
        "random_normal:0.1,-1e39", "he_normal:1e39", "glorot_uniform:3.5e38,fan_in"
    };
    float w[16];
    initnn_rng rng;
    int i, k, err;
    initnn_init_spec parsed;
    for (i = 0; i < (int)(sizeof specs / sizeof specs[0]); i++) {
        for (k = 0; k < 16; k++) w[k] = SENTINEL;
        initnn_rng_seed(&rng, 1);
        err = initnn_init_parse(&parsed, specs[i]);
        CHECK(err == INITNN_ERR_SPEC, "'%s' parsed (%d)", specs[i], err);
        CHECK(strstr(initnn_last_error(), "beyond the float range") != NULL, "'%s': unclear message '%s'", specs[i],
              initnn_last_error());
        err = initnn_init_fill(w, 4, 4, specs[i], &rng);
        CHECK(err == INITNN_ERR_SPEC, "initnn_init_fill('%s') returned %d", specs[i], err);
        CHECK(untouched(w, 16), "'%s': w was written", specs[i]);
    }
}

static void specs_whose_draws_could_overflow_are_refused_before_drawing(void)
{
    static const struct { const char *spec; int fan_in, fan_out; } cases[] = {
        {"random_normal:1e38", 4, 4},               /* 12.01 x 1e38 */
        {"random_normal:1e37,3.4e38", 4, 4},         /* the mean and 12 std */
        {"truncated_normal:2e38", 4, 4},             /* 2 std */
        {"sparse:1,1e38", 4, 4},
        {"variance_scaling:3e38,fan_in,normal", 1, 4},    /* std sqrt(3e38) = 1.7e19: fine */
        {"variance_scaling:3e38,fan_in,uniform", 1, 4},   /* limit sqrt(9e38) = 3e19: fine */
        {"glorot_normal:3e37", 1, 1},                /* scale 9e74: std 3e37, 12.01 std beyond */
        {"he_uniform:0,fan_in", 1, 1}                /* fine: the control */
    };
    static const int refused[] = {1, 1, 1, 1, 0, 0, 1, 0};
    float w[16];
    initnn_rng rng;
    int i, k, err;
    for (i = 0; i < (int)(sizeof cases / sizeof cases[0]); i++) {
        for (k = 0; k < 16; k++) w[k] = SENTINEL;
        initnn_rng_seed(&rng, 7);
        err = initnn_init_fill(w, cases[i].fan_in, cases[i].fan_out, cases[i].spec, &rng);
        if (refused[i]) {
            CHECK(err == INITNN_ERR_SPEC, "'%s' on %d x %d: returned %d", cases[i].spec, cases[i].fan_in,
                  cases[i].fan_out, err);
            CHECK(strstr(initnn_last_error(), "would not be finite") != NULL, "'%s': unclear message '%s'",
                  cases[i].spec, initnn_last_error());
            CHECK(untouched(w, cases[i].fan_in * cases[i].fan_out), "'%s': w was written", cases[i].spec);
        } else {
            CHECK(err == 0, "'%s' on %d x %d was refused: %s", cases[i].spec, cases[i].fan_in, cases[i].fan_out,
                  initnn_last_error());
            for (k = 0; k < cases[i].fan_in * cases[i].fan_out; k++)
                CHECK(isfinite(w[k]), "'%s': w[%d] = %g", cases[i].spec, k, (double)w[k]);
        }
    }
}

static void a_fill_that_succeeds_has_only_finite_weights(void)
{
    static const char *const kinds[] = {
        "random_normal:%g", "random_normal:1,%g", "truncated_normal:%g", "truncated_normal:1,%g", "constant:%g",
        "random_uniform:-%g,%g", "orthogonal:%g", "identity:%g", "sparse:2,%g", "glorot_normal:%g",
        "glorot_uniform:%g", "he_normal:%g", "variance_scaling:%g,fan_in,normal",
        "variance_scaling:%g,fan_out,truncated_normal", "variance_scaling:%g,fan_avg,uniform"
    };
    static const double sizes[] = {1e-30, 1.0, 1e10, 1e30, 1e36, 1e37, 2.8e37, 3e37, 1e38, 2e38, 3e38, 3.4e38,
                                   3.4028234e38};
    static const int fans[][2] = {{1, 1}, {3, 5}, {16, 16}};
    static float w[256];
    initnn_rng rng;
    int k, s, f, i, ok = 0, refused = 0;
    char spec[96];
    for (k = 0; k < (int)(sizeof kinds / sizeof kinds[0]); k++)
        for (s = 0; s < (int)(sizeof sizes / sizeof sizes[0]); s++)
            for (f = 0; f < 3; f++) {
                int n = fans[f][0] * fans[f][1];
                snprintf(spec, sizeof spec, kinds[k], sizes[s], sizes[s]);
                initnn_rng_seed(&rng, (uint64_t)(k * 100 + s * 10 + f));
                if (initnn_init_fill(w, fans[f][0], fans[f][1], spec, &rng) != 0) { refused++; continue; }
                ok++;
                for (i = 0; i < n; i++)
                    CHECK(isfinite(w[i]), "'%s' on %d x %d returned 0 with w[%d] = %g", spec, fans[f][0], fans[f][1], i,
                          (double)w[i]);
            }
    /* Not an empty sweep: the small sizes fill, the largest are refused. */
    CHECK(ok >= 15 * 3 * 4 && refused >= 15 * 3, "%d fills succeeded, %d were refused", ok, refused);
}

static void the_histogram_refuses_infinite_or_nan_bounds_and_writes_nothing(void)
{
    size_t counts[10];
    float w[16];
    int i, err;
    for (i = 0; i < 16; i++) w[i] = (float)i - 8.0f;
    for (i = 0; i < 10; i++) counts[i] = 777;
    /* The call exactly: counts[INT_MIN] before. */
    err = initnn_histogram(counts, 8, w, 16, -INFINITY, INFINITY);
    CHECK(err == INITNN_ERR_ARGUMENT, "infinite bounds returned %d", err);
    CHECK(strstr(initnn_last_error(), "finite") != NULL, "unclear message '%s'", initnn_last_error());
    err = initnn_histogram(counts, 8, w, 16, 0.0f, INFINITY);
    CHECK(err == INITNN_ERR_ARGUMENT, "an infinite hi returned %d", err);
    err = initnn_histogram(counts, 8, w, 16, NAN, 1.0f);
    CHECK(err == INITNN_ERR_ARGUMENT, "a NaN lo returned %d", err);
    err = initnn_histogram(counts, 8, w, 16, -1.0f, NAN);
    CHECK(err == INITNN_ERR_ARGUMENT, "a NaN hi returned %d", err);
    for (i = 0; i < 10; i++) CHECK(counts[i] == 777, "counts[%d] was written", i);
}

static void the_histogram_counts_infinities_into_the_end_bins_and_nan_nowhere(void)
{
    float x[7];
    size_t counts[4];
    x[0] = -INFINITY; x[1] = INFINITY; x[2] = NAN; x[3] = -FLT_MAX; x[4] = FLT_MAX; x[5] = 0.5f; x[6] = 0.999f;
    CHECK(initnn_histogram(counts, 4, x, 7, 0.0f, 1.0f) == 0, "%s", initnn_last_error());
    CHECK(counts[0] == 2 && counts[1] == 0 && counts[2] == 1 && counts[3] == 3,
          "counts %lu %lu %lu %lu, expected 2 0 1 3", (unsigned long)counts[0], (unsigned long)counts[1],
          (unsigned long)counts[2], (unsigned long)counts[3]);
    /* The widest finite range: width 2 FLT_MAX / bins is a double. */
    x[0] = -1e30f; x[1] = 1e30f; x[2] = INFINITY; x[3] = -FLT_MAX;
    CHECK(initnn_histogram(counts, 2, x, 4, -FLT_MAX, FLT_MAX) == 0, "%s", initnn_last_error());
    CHECK(counts[0] == 2 && counts[1] == 2, "counts %lu %lu, expected 2 2", (unsigned long)counts[0],
          (unsigned long)counts[1]);
}

static void statistics_count_nonfinite_values_apart_and_stay_finite(void)
{
    float x[7], nans[3];
    initnn_stats st;
    x[0] = 1.0f; x[1] = INFINITY; x[2] = NAN; x[3] = -INFINITY; x[4] = 3.0f; x[5] = FLT_MAX; x[6] = -FLT_MAX;
    initnn_stats_compute(&st, x, 7);
    CHECK(st.nonfinite == 3 && st.count == 4, "nonfinite %lu, count %lu", (unsigned long)st.nonfinite,
          (unsigned long)st.count);
    /* The mean of 1, 3, FLT_MAX, -FLT_MAX is 1; in double the sum loses the
       4 to FLT_MAX, so only its range is checked. */
    CHECK(isfinite(st.mean) && fabs(st.mean) <= 1.0 && st.min == -(double)FLT_MAX && st.max == (double)FLT_MAX,
          "mean %g min %g max %g", st.mean, st.min, st.max);
    CHECK(isfinite(st.variance) && isfinite(st.second_moment) && st.variance > 1e76,
          "variance %g, second moment %g", st.variance, st.second_moment);
    initnn_stats_compute(&st, x, 5);   /* 1, Inf, NaN, -Inf, 3 */
    CHECK(st.count == 2 && st.nonfinite == 3 && st.mean == 2.0 && st.variance == 1.0 && st.second_moment == 5.0,
          "1, 3 among non-finite values: count %lu, mean %g, variance %g", (unsigned long)st.count, st.mean,
          st.variance);
    nans[0] = NAN; nans[1] = INFINITY; nans[2] = NAN;
    initnn_stats_compute(&st, nans, 3);
    CHECK(st.count == 0 && st.nonfinite == 3 && st.mean == 0.0 && st.variance == 0.0 && st.min == 0.0 &&
          st.max == 0.0, "all non-finite: count %lu mean %g", (unsigned long)st.count, st.mean);
    CHECK(initnn_mean(nans, 3) == 0.0 && initnn_variance(nans, 3) == 0.0 && initnn_second_moment(nans, 3) == 0.0,
          "the short forms are not 0 without a finite value");
}

static void a_plot_of_infinite_and_nan_values_is_written_without_nan_text(void)
{
    double x[8] = {0, 1, 2, 3, 4, 5, 6, 7}, y[8] = {1, 0, 0, 0.5, 0, 1e-300, 2, 0};
    initnn_plot plot;
    initnn_plot_series s;
    int log_y;
    const char *path;
    if (testing_scratch_begin("nonfinite") != 0) CHECK(0, "no scratch folder");
    path = testing_scratch("weird.svg");
    y[1] = INFINITY; y[2] = NAN; y[4] = -DBL_MAX; y[7] = -INFINITY;
    x[5] = NAN;
    for (log_y = 0; log_y < 2; log_y++) {
        FILE *f;
        char line[4096];
        int bad = 0;
        memset(&plot, 0, sizeof plot);
        plot.title = "any numbers";
        plot.x_label = "x";
        plot.y_label = "y";
        plot.log_y = log_y;
        memset(&s, 0, sizeof s);
        s.label = "s";
        s.n = 8;
        s.x = x;
        s.y = y;
        CHECK(initnn_plot_svg(path, &plot, &s, 1) == 0, "log_y %d: %s", log_y, initnn_last_error());
        f = fopen(path, "rb");
        CHECK(f != NULL, "log_y %d: not written", log_y);
        while (fgets(line, sizeof line, f))
            if (strstr(line, "nan") || strstr(line, "inf") || strstr(line, "NaN") || strstr(line, "Inf")) bad = 1;
        fclose(f);
        CHECK(!bad, "log_y %d: the SVG holds a 'nan' or 'inf'", log_y);
    }
    testing_scratch_end();
}

static void an_activation_with_a_bad_parameter_says_what_is_wrong(void)
{
    initnn_net *net = NULL;
    int err = initnn_net_from_arch(&net, "dense:4,leaky_relu:nan,dense:2,softmax", 1, 1, 3, "he_normal", NULL, 2, 1);
    initnn_net_free(net);
    CHECK(err == INITNN_ERR_SPEC, "leaky_relu:nan was accepted (%d)", err);
    CHECK(strstr(initnn_last_error(), "slope") != NULL && strstr(initnn_last_error(), "did you mean") == NULL,
          "the message does not say what is wrong: '%s'", initnn_last_error());
}

/* Found by the checkpoint fuzz target under float-divide-by-zero: a
   checkpoint with Adam's epsilon 0 loaded, and the first step divided
   0 by sqrt(0) + 0 wherever the gradient was 0. */
static void adam_and_rmsprop_refuse_epsilon_0(void)
{
    initnn_net *net = NULL;
    initnn_optimizer adam = initnn_adam(0.01f), rms = initnn_rmsprop(0.01f), sgd = initnn_sgd(0.1f, 0.0f, 0);
    int err_adam, err_rms, err_sgd, err_ok;
    CHECK(initnn_net_from_arch(&net, "dense:2,softmax", 1, 1, 3, "he_normal", NULL, 2, 1) == 0, "%s",
          initnn_last_error());
    adam.epsilon = 0.0f;
    rms.epsilon = 0.0f;
    sgd.epsilon = 0.0f;   /* SGD divides by nothing */
    err_adam = initnn_net_set_optimizer(net, &adam);
    err_rms = initnn_net_set_optimizer(net, &rms);
    err_sgd = initnn_net_set_optimizer(net, &sgd);
    adam.epsilon = 1e-45f;   /* the smallest positive float is enough */
    err_ok = initnn_net_set_optimizer(net, &adam);
    initnn_net_free(net);
    CHECK(err_adam == INITNN_ERR_ARGUMENT && err_rms == INITNN_ERR_ARGUMENT, "epsilon 0 accepted: Adam %d, RMSProp %d",
          err_adam, err_rms);
    CHECK(err_sgd == 0 && err_ok == 0, "SGD without epsilon %d, Adam with 1e-45 %d", err_sgd, err_ok);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(specs_beyond_the_float_range_are_refused_when_parsed);
    RUN_TEST(specs_whose_draws_could_overflow_are_refused_before_drawing);
    RUN_TEST(a_fill_that_succeeds_has_only_finite_weights);
    RUN_TEST(the_histogram_refuses_infinite_or_nan_bounds_and_writes_nothing);
    RUN_TEST(the_histogram_counts_infinities_into_the_end_bins_and_nan_nowhere);
    RUN_TEST(statistics_count_nonfinite_values_apart_and_stay_finite);
    RUN_TEST(a_plot_of_infinite_and_nan_values_is_written_without_nan_text);
    RUN_TEST(an_activation_with_a_bad_parameter_says_what_is_wrong);
    RUN_TEST(adam_and_rmsprop_refuse_epsilon_0);
    return testing_finish();
}
