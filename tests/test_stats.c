/* test_stats.c - array statistics and histograms on arrays small enough to
   work out by hand (the expected values are in the comments). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

static void stats_of_1_2_3_4_are_worked_out_by_hand(void)
{
    /* mean 10/4 = 2.5; deviations -1.5 -0.5 0.5 1.5, squares sum to 5, so the
       population variance is 5/4 = 1.25; second moment (1+4+9+16)/4 = 7.5. */
    static const float x[4] = {1, 2, 3, 4};
    initnn_stats s;
    initnn_stats_compute(&s, x, 4);
    CHECK_NEAR(s.mean, 2.5, 1e-15);
    CHECK_NEAR(s.variance, 1.25, 1e-15);
    CHECK_NEAR(s.second_moment, 7.5, 1e-15);
    CHECK(s.min == 1.0 && s.max == 4.0, "min %g max %g", s.min, s.max);
    CHECK(s.count == 4 && s.zeros == 0 && s.nonfinite == 0, "count %lu zeros %lu nonfinite %lu",
          (unsigned long)s.count, (unsigned long)s.zeros, (unsigned long)s.nonfinite);
    CHECK_NEAR(initnn_mean(x, 4), 2.5, 1e-15);
    CHECK_NEAR(initnn_variance(x, 4), 1.25, 1e-15);
    CHECK_NEAR(initnn_second_moment(x, 4), 7.5, 1e-15);
}

static void stats_skip_nan_and_inf_and_count_zeros(void)
{
    /* The finite values 0, -1, 3, 0: mean 2/4 = 0.5; deviations -0.5 -1.5
       2.5 -0.5, squares 0.25 + 2.25 + 6.25 + 0.25 = 9, variance 9/4 = 2.25;
       second moment (0 + 1 + 9 + 0)/4 = 2.5; two exact zeros (one -0). */
    float x[7];
    initnn_stats s;
    x[0] = 0.0f; x[1] = -1.0f; x[2] = (float)NAN; x[3] = 3.0f;
    x[4] = (float)INFINITY; x[5] = -0.0f; x[6] = -(float)INFINITY;
    initnn_stats_compute(&s, x, 7);
    CHECK(s.count == 4, "count %lu, want 4 finite values", (unsigned long)s.count);
    CHECK(s.nonfinite == 3, "nonfinite %lu, want 3", (unsigned long)s.nonfinite);
    CHECK(s.zeros == 2, "zeros %lu, want 2", (unsigned long)s.zeros);
    CHECK_NEAR(s.mean, 0.5, 1e-15);
    CHECK_NEAR(s.variance, 2.25, 1e-15);
    CHECK_NEAR(s.second_moment, 2.5, 1e-15);
    CHECK(s.min == -1.0 && s.max == 3.0, "min %g max %g", s.min, s.max);
}

static void stats_of_an_empty_or_all_nan_array_are_zero(void)
{
    float x[3];
    initnn_stats s;
    x[0] = x[1] = x[2] = (float)NAN;
    initnn_stats_compute(&s, x, 0);
    CHECK(s.count == 0 && s.mean == 0.0 && s.variance == 0.0 && s.min == 0.0 && s.max == 0.0 &&
              s.nonfinite == 0,
          "n = 0: count %lu mean %g variance %g", (unsigned long)s.count, s.mean, s.variance);
    initnn_stats_compute(&s, x, 3);
    CHECK(s.count == 0 && s.nonfinite == 3, "all NaN: count %lu nonfinite %lu", (unsigned long)s.count,
          (unsigned long)s.nonfinite);
    CHECK(s.mean == 0.0 && s.variance == 0.0 && s.second_moment == 0.0, "all NaN: mean %g variance %g",
          s.mean, s.variance);
}

static void stats_of_negative_values_have_the_right_min_and_max(void)
{
    /* The minimum and maximum start from the first finite element, not from
       0 or a magic sentinel. */
    static const float x[3] = {-5.0f, -2.0f, -3.0f};
    static const float y[3] = {7.0f, 9.0f, 8.0f};
    initnn_stats s;
    initnn_stats_compute(&s, x, 3);
    CHECK(s.min == -5.0 && s.max == -2.0, "min %g max %g, want -5 -2", s.min, s.max);
    initnn_stats_compute(&s, y, 3);
    CHECK(s.min == 7.0 && s.max == 9.0, "min %g max %g, want 7 9", s.min, s.max);
}

static void variance_has_no_cancellation_far_from_0(void)
{
    /* 10^7 and 10^7 + 2 alternating (exact in float): mean 10^7 + 1 and
       variance exactly 1. E[x^2] - E[x]^2 in double would lose about 10^-2
       here (10^14 with 16 digits); the two-pass formula loses nothing. */
    enum { N = 1000 };
    float x[N];
    initnn_stats s;
    int i;
    for (i = 0; i < N; i++) x[i] = i % 2 ? 10000002.0f : 10000000.0f;
    initnn_stats_compute(&s, x, N);
    CHECK_NEAR(s.mean, 10000001.0, 1e-6);
    CHECK_NEAR(s.variance, 1.0, 1e-9);
}

static void histogram_counts_bins_edges_and_outliers(void)
{
    /* 8 bins over [-1, 1): width 1/4, bin b holds [-1 + b/4, -1 + (b+1)/4).
       A left edge belongs to its bin; below -1 (and -Inf) goes to bin 0; 1 and
       above (and +Inf) to bin 7; NaN nowhere. */
    float x[14];
    size_t counts[8];
    static const size_t want[8] = {3, 1, 0, 0, 2, 1, 0, 3};
    int b, err;
    x[0] = -1.0f;      /* bin 0, the left edge          */
    x[1] = -0.76f;     /* bin 0                         */
    x[2] = -0.75f;     /* bin 1, an inner edge          */
    x[3] = 0.0f;       /* bin 4, an inner edge          */
    x[4] = 0.2f;       /* bin 4                         */
    x[5] = 0.25f;      /* bin 5                         */
    x[6] = 0.99f;      /* bin 7                         */
    x[7] = 1.0f;       /* bin 7: hi itself              */
    x[8] = 5.0f;       /* bin 7: above hi               */
    x[9] = -7.0f;      /* bin 0: below lo               */
    x[10] = (float)NAN;
    x[11] = (float)NAN;
    x[12] = (float)INFINITY;      /* bin 7 */
    x[13] = -(float)INFINITY;     /* bin 0 */
    for (b = 0; b < 8; b++) counts[b] = 999;   /* must be overwritten */
    err = initnn_histogram(counts, 8, x, 14, -1.0f, 1.0f);
    CHECK(err == 0, "initnn_histogram: %s", initnn_last_error());
    /* x[12] and x[13] move the outer bins by one each. */
    for (b = 0; b < 8; b++) {
        size_t expected = want[b] + (b == 0 || b == 7 ? 1 : 0);
        CHECK(counts[b] == expected, "bin %d holds %lu, want %lu", b, (unsigned long)counts[b],
              (unsigned long)expected);
    }
}

static void histogram_of_a_large_sample_adds_up(void)
{
    /* Every non-NaN value lands in exactly one bin. */
    enum { N = 100000, BINS = 37 };
    static float x[N];
    size_t counts[BINS], total = 0;
    initnn_rng rng;
    int i;
    initnn_rng_seed(&rng, 1);
    for (i = 0; i < N; i++) x[i] = i % 1000 == 0 ? (float)NAN : 3.0f * initnn_rng_normal(&rng);
    CHECK(initnn_histogram(counts, BINS, x, N, -2.0f, 2.5f) == 0, "%s", initnn_last_error());
    for (i = 0; i < BINS; i++) total += counts[i];
    CHECK(total == N - N / 1000, "bins hold %lu values, want %d", (unsigned long)total, N - N / 1000);
}

static void histogram_rejects_bad_arguments_without_writing(void)
{
    static const float x[3] = {0.0f, 0.5f, 1.0f};
    size_t counts[4];
    int c, b, err;
    struct { int bins; float lo, hi; int null_counts, null_x; const char *what; } cases[6];
    cases[0].bins = 0;  cases[0].lo = 0.0f; cases[0].hi = 1.0f; cases[0].null_counts = 0; cases[0].null_x = 0; cases[0].what = "bins 0";
    cases[1].bins = -2; cases[1].lo = 0.0f; cases[1].hi = 1.0f; cases[1].null_counts = 0; cases[1].null_x = 0; cases[1].what = "bins -2";
    cases[2].bins = 4;  cases[2].lo = 1.0f; cases[2].hi = 1.0f; cases[2].null_counts = 0; cases[2].null_x = 0; cases[2].what = "lo == hi";
    cases[3].bins = 4;  cases[3].lo = 2.0f; cases[3].hi = 1.0f; cases[3].null_counts = 0; cases[3].null_x = 0; cases[3].what = "lo > hi";
    cases[4].bins = 4;  cases[4].lo = (float)NAN; cases[4].hi = 1.0f; cases[4].null_counts = 0; cases[4].null_x = 0; cases[4].what = "lo NaN";
    cases[5].bins = 4;  cases[5].lo = 0.0f; cases[5].hi = 1.0f; cases[5].null_counts = 0; cases[5].null_x = 1; cases[5].what = "x NULL";
    for (c = 0; c < 6; c++) {
        for (b = 0; b < 4; b++) counts[b] = 777;
        initnn_clear_error();
        err = initnn_histogram(counts, cases[c].bins, cases[c].null_x ? NULL : x, 3, cases[c].lo, cases[c].hi);
        CHECK(err == INITNN_ERR_ARGUMENT, "%s: returned %d", cases[c].what, err);
        CHECK(initnn_last_error()[0] != '\0', "%s: no message", cases[c].what);
        for (b = 0; b < 4; b++) CHECK(counts[b] == 777, "%s: counts[%d] was written", cases[c].what, b);
    }
    initnn_clear_error();
    err = initnn_histogram(NULL, 4, x, 3, 0.0f, 1.0f);
    CHECK(err == INITNN_ERR_ARGUMENT, "NULL counts: returned %d", err);
    CHECK(initnn_last_error()[0] != '\0', "NULL counts: no message");
    /* No values at all is fine: every bin 0. */
    err = initnn_histogram(counts, 4, NULL, 0, 0.0f, 1.0f);
    CHECK(err == 0, "n = 0: %s", initnn_last_error());
    for (b = 0; b < 4; b++) CHECK(counts[b] == 0, "n = 0: counts[%d] = %lu", b, (unsigned long)counts[b]);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(stats_of_1_2_3_4_are_worked_out_by_hand);
    RUN_TEST(stats_skip_nan_and_inf_and_count_zeros);
    RUN_TEST(stats_of_an_empty_or_all_nan_array_are_zero);
    RUN_TEST(stats_of_negative_values_have_the_right_min_and_max);
    RUN_TEST(variance_has_no_cancellation_far_from_0);
    RUN_TEST(histogram_counts_bins_edges_and_outliers);
    RUN_TEST(histogram_of_a_large_sample_adds_up);
    RUN_TEST(histogram_rejects_bad_arguments_without_writing);
    return testing_finish();
}
