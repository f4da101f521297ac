/* test_rng.c - the PCG32 generator and the distributions drawn from it.

   References, each independent of initnn's code:
     - the published output of the pcg32 demo (pcg32-demo.c of pcg-c-basic):
       pcg32_srandom_r(&rng, 42u, 54u) then pcg32_random_r gives
       0xa15c02b7 0x7b47f409 0xba1d3330 0x83d2f293 0xbfa4784b 0xcbed606e;
     - textbook moments: U(0,1) has mean 1/2, variance 1/12; N(0,1) has mean 0,
       variance 1, kurtosis 3; N(0,1) cut at +-b has variance
       m2 = 1 - 2 b phi(b) / Z and fourth moment m4 = 3 m2 - 2 b^3 phi(b) / Z,
       Z = erf(b / sqrt 2) (integration by parts), computed here with libm.

   Statistical tolerances are 6 standard errors, derived per check:
       SE(mean) = sigma / sqrt(n),  SE(var) = sqrt((m4 - sigma^4) / (n - 1)),
   which for a normal is sigma^2 sqrt(2 / (n - 1)). With fixed seeds every run
   draws the same numbers, so a check either always passes or always fails;
   a correct generator fails a 6-SE check with probability about 2e-9. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#include <stdint.h>

#define SAMPLES 1000000

/* Moments of a sample, accumulated in double around a shift (the first value)
   to keep the sums well conditioned. */
typedef struct {
    double mean, variance, kurtosis, min, max;
    size_t n;
} sample_moments;

static sample_moments moments_of(const double *x, size_t n)
{
    sample_moments m;
    double sum = 0.0, m2 = 0.0, m4 = 0.0;
    size_t i;
    m.min = m.max = x[0];
    for (i = 0; i < n; i++) {
        sum += x[i];
        if (x[i] < m.min) m.min = x[i];
        if (x[i] > m.max) m.max = x[i];
    }
    m.mean = sum / (double)n;
    for (i = 0; i < n; i++) {
        double d = x[i] - m.mean, d2 = d * d;
        m2 += d2;
        m4 += d2 * d2;
    }
    m.variance = m2 / (double)(n - 1);
    m.kurtosis = (m4 / (double)n) / ((m2 / (double)n) * (m2 / (double)n));
    m.n = n;
    return m;
}

/* Second and fourth moments of N(0,1) truncated to [-b, b]. */
static void truncated_normal_moments(double b, double *m2, double *m4)
{
    double z = erf(b / sqrt(2.0));
    *m2 = 1.0 - 2.0 * b * ref_normal_pdf(b) / z;
    *m4 = 3.0 * *m2 - 2.0 * b * b * b * ref_normal_pdf(b) / z;
}

static double *alloc_doubles(size_t n)
{
    return (double *)malloc(n * sizeof(double));
}

/* ---- the bits -------------------------------------------------------------- */

static void seed_42_reproduces_the_pcg32_reference_sequence(void)
{
    static const uint32_t reference[6] = {0xa15c02b7u, 0x7b47f409u, 0xba1d3330u,
                                          0x83d2f293u, 0xbfa4784bu, 0xcbed606eu};
    initnn_rng rng;
    int i;
    initnn_rng_seed(&rng, 42);
    for (i = 0; i < 6; i++) {
        uint32_t got = initnn_rng_u32(&rng);
        CHECK(got == reference[i], "draw %d: got 0x%08lx, pcg32 demo has 0x%08lx", i,
              (unsigned long)got, (unsigned long)reference[i]);
    }
}

static void seed_is_seed_stream_54(void)
{
    initnn_rng a, b;
    int i;
    initnn_rng_seed(&a, 123456789);
    initnn_rng_seed_stream(&b, 123456789, 54);
    for (i = 0; i < 100; i++) {
        uint32_t x = initnn_rng_u32(&a), y = initnn_rng_u32(&b);
        CHECK(x == y, "draw %d: seed gives 0x%08lx, seed_stream(.., 54) 0x%08lx", i,
              (unsigned long)x, (unsigned long)y);
    }
}

static void same_seed_gives_identical_u32_uniform_and_normal_bits(void)
{
    initnn_rng a, b;
    int i;
    initnn_rng_seed(&a, 7);
    initnn_rng_seed(&b, 7);
    for (i = 0; i < 10000; i++) {
        uint32_t ua = initnn_rng_u32(&a), ub = initnn_rng_u32(&b);
        float fa = initnn_rng_uniform(&a), fb = initnn_rng_uniform(&b);
        double da = initnn_rng_uniform_double(&a), db = initnn_rng_uniform_double(&b);
        float na = initnn_rng_normal(&a), nb = initnn_rng_normal(&b);
        double ea = initnn_rng_normal_double(&a), eb = initnn_rng_normal_double(&b);
        CHECK(ua == ub, "u32 draw %d differs", i);
        CHECK(memcmp(&fa, &fb, sizeof fa) == 0, "uniform draw %d: %.9g vs %.9g", i, fa, fb);
        CHECK(memcmp(&da, &db, sizeof da) == 0, "uniform_double draw %d: %.17g vs %.17g", i, da, db);
        CHECK(memcmp(&na, &nb, sizeof na) == 0, "normal draw %d: %.9g vs %.9g", i, na, nb);
        CHECK(memcmp(&ea, &eb, sizeof ea) == 0, "normal_double draw %d: %.17g vs %.17g", i, ea, eb);
    }
}

static void same_seed_gives_an_identical_he_normal_fill(void)
{
    enum { FAN_IN = 784, FAN_OUT = 256 };
    float *w1 = (float *)malloc(FAN_IN * FAN_OUT * sizeof(float));
    float *w2 = (float *)malloc(FAN_IN * FAN_OUT * sizeof(float));
    initnn_rng a, b;
    int err1, err2;
    CHECK(w1 && w2, "out of memory");
    initnn_rng_seed(&a, 2024);
    initnn_rng_seed(&b, 2024);
    err1 = initnn_init_fill(w1, FAN_IN, FAN_OUT, "he_normal", &a);
    err2 = initnn_init_fill(w2, FAN_IN, FAN_OUT, "he_normal", &b);
    CHECK(err1 == 0 && err2 == 0, "initnn_init_fill: %s", initnn_last_error());
    CHECK(memcmp(w1, w2, FAN_IN * FAN_OUT * sizeof(float)) == 0, "two fills from seed 2024 differ");
    /* Not trivially equal: the fill is random, not constant. */
    CHECK(w1[0] != w1[1] && w1[1] != w1[FAN_IN * FAN_OUT - 1], "the fill looks constant: %g %g",
          w1[0], w1[1]);
    free(w1);
    free(w2);
}

static void reseeding_discards_the_spare_normal(void)
{
    initnn_rng fresh, reused;
    double first, again;
    initnn_rng_seed(&fresh, 99);
    first = initnn_rng_normal_double(&fresh);
    initnn_rng_seed(&reused, 5);
    (void)initnn_rng_normal_double(&reused);   /* leaves the pair's second half */
    initnn_rng_seed(&reused, 99);
    again = initnn_rng_normal_double(&reused);
    CHECK(memcmp(&first, &again, sizeof first) == 0, "after reseeding: %.17g, fresh seed: %.17g",
          again, first);
}

static void different_seeds_give_different_draws(void)
{
    /* Pairs that differ in the low bit, and in the high half only (the whole
       64-bit seed must matter). A collision of two 32-bit draws has
       probability 2^-32, so equal draws mean the seeds were confused. */
    static const uint64_t pairs[3][2] = {{0, 1}, {42, 43}, {1, ((uint64_t)1 << 32) | 1}};
    int p, i;
    for (p = 0; p < 3; p++) {
        initnn_rng a, b;
        initnn_rng_seed(&a, pairs[p][0]);
        initnn_rng_seed(&b, pairs[p][1]);
        for (i = 0; i < 8; i++) {
            uint32_t x = initnn_rng_u32(&a), y = initnn_rng_u32(&b);
            CHECK(x != y, "seeds %llu and %llu give the same draw %d: 0x%08lx",
                  (unsigned long long)pairs[p][0], (unsigned long long)pairs[p][1], i, (unsigned long)x);
        }
    }
}

static void different_streams_give_different_draws(void)
{
    initnn_rng a, b;
    int i;
    initnn_rng_seed_stream(&a, 42, 54);
    initnn_rng_seed_stream(&b, 42, 55);
    for (i = 0; i < 8; i++) {
        uint32_t x = initnn_rng_u32(&a), y = initnn_rng_u32(&b);
        CHECK(x != y, "streams 54 and 55 give the same draw %d: 0x%08lx", i, (unsigned long)x);
    }
}

/* ---- distributions ----------------------------------------------------------- */

static void uniform_is_in_0_1_with_mean_one_half_variance_one_twelfth(void)
{
    double *x = alloc_doubles(SAMPLES);
    initnn_rng rng;
    sample_moments m;
    size_t i;
    /* U(0,1): sigma^2 = 1/12, m4 = 1/80, so SE(var) = sqrt((1/80 - 1/144) / (n - 1)). */
    double se_mean = sqrt(1.0 / 12.0 / SAMPLES);
    double se_var = sqrt((1.0 / 80.0 - 1.0 / 144.0) / (SAMPLES - 1));
    CHECK(x != NULL, "out of memory");
    initnn_rng_seed(&rng, 1);
    for (i = 0; i < SAMPLES; i++) {
        float u = initnn_rng_uniform(&rng);
        CHECK(u >= 0.0f && u < 1.0f, "draw %lu = %.9g is outside [0, 1)", (unsigned long)i, u);
        /* The top 24 bits times 2^-24: every draw is a multiple of 2^-24. */
        CHECK(u * 16777216.0f == floorf(u * 16777216.0f), "draw %lu = %.9g is not a multiple of 2^-24",
              (unsigned long)i, u);
        x[i] = u;
    }
    m = moments_of(x, SAMPLES);
    CHECK_NEAR(m.mean, 0.5, 6.0 * se_mean);
    CHECK_NEAR(m.variance, 1.0 / 12.0, 6.0 * se_var);
    /* The whole interval is covered. */
    CHECK(m.min < 1e-4 && m.max > 1.0 - 1e-4, "range [%g, %g]", m.min, m.max);
    free(x);
}

static void uniform_double_is_in_0_1_with_mean_one_half_variance_one_twelfth(void)
{
    double *x = alloc_doubles(SAMPLES);
    initnn_rng rng;
    sample_moments m;
    size_t i;
    double se_mean = sqrt(1.0 / 12.0 / SAMPLES);
    double se_var = sqrt((1.0 / 80.0 - 1.0 / 144.0) / (SAMPLES - 1));
    int finer_than_float = 0;
    CHECK(x != NULL, "out of memory");
    initnn_rng_seed(&rng, 2);
    for (i = 0; i < SAMPLES; i++) {
        x[i] = initnn_rng_uniform_double(&rng);
        CHECK(x[i] >= 0.0 && x[i] < 1.0, "draw %lu = %.17g is outside [0, 1)", (unsigned long)i, x[i]);
        /* 53 random bits: most draws are not multiples of 2^-24. */
        if (x[i] * 16777216.0 != floor(x[i] * 16777216.0)) finer_than_float++;
    }
    m = moments_of(x, SAMPLES);
    CHECK_NEAR(m.mean, 0.5, 6.0 * se_mean);
    CHECK_NEAR(m.variance, 1.0 / 12.0, 6.0 * se_var);
    CHECK(finer_than_float > SAMPLES / 2, "only %d of %d draws use more than 24 bits", finer_than_float,
          SAMPLES);
    free(x);
}

static void normal_has_mean_0_variance_1_kurtosis_3(void)
{
    double *x = alloc_doubles(SAMPLES);
    initnn_rng rng;
    sample_moments m;
    size_t i;
    /* N(0,1): SE(mean) = 1/sqrt(n), SE(var) = sqrt(2/(n-1)), and the sample
       kurtosis m4/m2^2 has SE sqrt(24/n) (Fisher). */
    double se_mean = 1.0 / sqrt((double)SAMPLES);
    double se_var = sqrt(2.0 / (SAMPLES - 1));
    double se_kurtosis = sqrt(24.0 / SAMPLES);
    CHECK(x != NULL, "out of memory");
    initnn_rng_seed(&rng, 3);
    for (i = 0; i < SAMPLES; i++) x[i] = initnn_rng_normal_double(&rng);
    m = moments_of(x, SAMPLES);
    CHECK_NEAR(m.mean, 0.0, 6.0 * se_mean);
    CHECK_NEAR(m.variance, 1.0, 6.0 * se_var);
    CHECK_NEAR(m.kurtosis, 3.0, 6.0 * se_kurtosis);
    free(x);
}

static void normal_beyond_2_has_probability_0_0455(void)
{
    /* P(|z| > 2) = 1 - erf(sqrt 2); the count is binomial. The tail checks the
       shape where the mean and variance say little. */
    initnn_rng rng;
    size_t i, beyond = 0;
    double p = 1.0 - erf(sqrt(2.0)), fraction;
    double se = sqrt(p * (1.0 - p) / SAMPLES);
    initnn_rng_seed(&rng, 4);
    for (i = 0; i < SAMPLES; i++) {
        double z = initnn_rng_normal_double(&rng);
        if (z > 2.0 || z < -2.0) beyond++;
    }
    fraction = (double)beyond / SAMPLES;
    CHECK_NEAR(fraction, p, 6.0 * se);
}

static void normal_float_is_the_double_draw_rounded(void)
{
    initnn_rng a, b;
    int i;
    initnn_rng_seed(&a, 5);
    initnn_rng_seed(&b, 5);
    for (i = 0; i < 1000; i++) {
        float f = initnn_rng_normal(&a);
        float d = (float)initnn_rng_normal_double(&b);
        CHECK(memcmp(&f, &d, sizeof f) == 0, "draw %d: float %.9g, double rounded %.9g", i, f, d);
    }
}

static void truncated_normal_never_exceeds_its_bound(void)
{
    static const float bounds[4] = {0.5f, 1.0f, 2.0f, 3.0f};
    initnn_rng rng;
    int b, i;
    initnn_rng_seed(&rng, 6);
    for (b = 0; b < 4; b++) {
        float largest = 0.0f;
        for (i = 0; i < 200000; i++) {
            float z = initnn_rng_truncated_normal(&rng, bounds[b]);
            CHECK(z >= -bounds[b] && z <= bounds[b], "bound %g: draw %d = %.9g", bounds[b], i, z);
            if (fabsf(z) > largest) largest = fabsf(z);
        }
        /* The bound is reached: the cut is at the bound, not well inside it. */
        CHECK(largest > 0.99f * bounds[b], "bound %g: largest |z| only %g", bounds[b], largest);
    }
}

static void truncated_normal_2_has_std_0_8796(void)
{
    double *x = alloc_doubles(SAMPLES);
    initnn_rng rng;
    sample_moments m;
    size_t i;
    double m2, m4, se_mean, se_var;
    CHECK(x != NULL, "out of memory");
    truncated_normal_moments(2.0, &m2, &m4);
    /* The documented constant against the erf formula. */
    CHECK_NEAR(sqrt(m2), 0.87962566103423978, 1e-12);
    CHECK_NEAR(INITNN_TRUNC2_STD, sqrt(m2), 1e-12);
    se_mean = sqrt(m2 / SAMPLES);
    se_var = sqrt((m4 - m2 * m2) / (SAMPLES - 1));
    initnn_rng_seed(&rng, 7);
    for (i = 0; i < SAMPLES; i++) x[i] = initnn_rng_truncated_normal(&rng, 2.0f);
    m = moments_of(x, SAMPLES);
    CHECK_NEAR(m.mean, 0.0, 6.0 * se_mean);
    CHECK_NEAR(m.variance, m2, 6.0 * se_var);
    /* The std, to first order SE(std) = SE(var) / (2 std). */
    CHECK_NEAR(sqrt(m.variance), 0.87962566103423978, 6.0 * se_var / (2.0 * sqrt(m2)));
    free(x);
}

/* ---- integers and permutations ---------------------------------------------- */

static void below_is_less_than_n_and_uniform_over_0_to_n(void)
{
    enum { N = 7, DRAWS = 700000 };
    initnn_rng rng;
    size_t counts[N] = {0};
    int i;
    /* Each count is Binomial(DRAWS, 1/N). */
    double expected = (double)DRAWS / N, se = sqrt(DRAWS * (1.0 / N) * (1.0 - 1.0 / N));
    initnn_rng_seed(&rng, 8);
    for (i = 0; i < DRAWS; i++) {
        uint32_t r = initnn_rng_below(&rng, N);
        CHECK(r < N, "draw %d = %lu is not below %d", i, (unsigned long)r, N);
        counts[r]++;
    }
    for (i = 0; i < N; i++) CHECK_NEAR((double)counts[i], expected, 6.0 * se);
}

static void below_has_no_modulo_bias_for_a_large_n(void)
{
    /* n = 3 * 2^30: plain u32 % n would hit [0, 2^30) twice as often as the
       rest, i.e. with probability 1/2 instead of 1/3. */
    const uint32_t n = 3u << 30;
    enum { DRAWS = 300000 };
    initnn_rng rng;
    int i, low = 0;
    double p = 1.0 / 3.0, se = sqrt(p * (1.0 - p) / DRAWS);
    initnn_rng_seed(&rng, 9);
    for (i = 0; i < DRAWS; i++) {
        uint32_t r = initnn_rng_below(&rng, n);
        CHECK(r < n, "draw %d = %lu is not below %lu", i, (unsigned long)r, (unsigned long)n);
        if (r < (1u << 30)) low++;
    }
    CHECK_NEAR((double)low / DRAWS, p, 6.0 * se);
}

static void below_1_is_always_0(void)
{
    initnn_rng rng;
    int i;
    initnn_rng_seed(&rng, 10);
    for (i = 0; i < 100; i++) {
        uint32_t r = initnn_rng_below(&rng, 1);
        CHECK(r == 0, "draw %d = %lu", i, (unsigned long)r);
    }
}

static void shuffle_is_a_permutation(void)
{
    enum { N = 1000 };
    int perm[N], seen[N], i, moved = 0;
    initnn_rng rng;
    for (i = 0; i < N; i++) { perm[i] = i; seen[i] = 0; }
    initnn_rng_seed(&rng, 11);
    initnn_rng_shuffle(&rng, perm, N);
    for (i = 0; i < N; i++) {
        CHECK(perm[i] >= 0 && perm[i] < N, "perm[%d] = %d is out of range", i, perm[i]);
        CHECK(!seen[perm[i]], "%d appears twice", perm[i]);
        seen[perm[i]] = 1;
        if (perm[i] != i) moved++;
    }
    /* A random permutation fixes about one element; it did shuffle. */
    CHECK(moved > N - 20, "only %d of %d elements moved", moved, N);
}

static void shuffle_gives_all_orderings_of_3_equally_often(void)
{
    /* Fisher-Yates makes each of the 3! = 6 orders equally likely; the
       off-by-one variants do not (Sattolo's gives only the 2 cyclic ones). */
    enum { SHUFFLES = 60000 };
    size_t counts[27] = {0};
    initnn_rng rng;
    int s, order;
    double p = 1.0 / 6.0, se = sqrt(SHUFFLES * p * (1.0 - p));
    initnn_rng_seed(&rng, 12);
    for (s = 0; s < SHUFFLES; s++) {
        int perm[3] = {0, 1, 2};
        initnn_rng_shuffle(&rng, perm, 3);
        counts[perm[0] * 9 + perm[1] * 3 + perm[2]]++;
    }
    for (order = 0; order < 27; order++) {
        int a = order / 9, b = order / 3 % 3, c = order % 3;
        int is_permutation = a != b && b != c && a != c;
        if (is_permutation)
            CHECK_NEAR((double)counts[order], SHUFFLES * p, 6.0 * se);
        else
            CHECK(counts[order] == 0, "%d%d%d appeared %lu times", a, b, c, (unsigned long)counts[order]);
    }
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(seed_42_reproduces_the_pcg32_reference_sequence);
    RUN_TEST(seed_is_seed_stream_54);
    RUN_TEST(same_seed_gives_identical_u32_uniform_and_normal_bits);
    RUN_TEST(same_seed_gives_an_identical_he_normal_fill);
    RUN_TEST(reseeding_discards_the_spare_normal);
    RUN_TEST(different_seeds_give_different_draws);
    RUN_TEST(different_streams_give_different_draws);
    RUN_TEST(uniform_is_in_0_1_with_mean_one_half_variance_one_twelfth);
    RUN_TEST(uniform_double_is_in_0_1_with_mean_one_half_variance_one_twelfth);
    RUN_TEST(normal_has_mean_0_variance_1_kurtosis_3);
    RUN_TEST(normal_beyond_2_has_probability_0_0455);
    RUN_TEST(normal_float_is_the_double_draw_rounded);
    RUN_TEST(truncated_normal_never_exceeds_its_bound);
    RUN_TEST(truncated_normal_2_has_std_0_8796);
    RUN_TEST(below_is_less_than_n_and_uniform_over_0_to_n);
    RUN_TEST(below_has_no_modulo_bias_for_a_large_n);
    RUN_TEST(below_1_is_always_0);
    RUN_TEST(shuffle_is_a_permutation);
    RUN_TEST(shuffle_gives_all_orderings_of_3_equally_often);
    return testing_finish();
}
