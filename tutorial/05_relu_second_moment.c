/* 05_relu_second_moment.c - what ReLU halves is the second moment, not the
   variance.

   CLAIMS
      For z symmetric about 0 (z and -z have the same distribution):
      1. E[relu(z)^2] = Var(z) / 2.
         z^2 is even, so the half-lines z > 0 and z < 0 carry equal shares of
         E[z^2] = Var(z); relu keeps one share and zeroes the other. Only
         symmetry is used.
      2. Var(relu(z)) = E[relu(z)^2] - E[relu(z)]^2 is smaller than Var(z)/2,
         because relu(z) has a positive mean. For z ~ N(0, s^2),
            E[relu(z)] = s / sqrt(2 pi),
            Var(relu(z)) = (1/2 - 1/(2 pi)) s^2 = 0.3408 s^2,
         and for z ~ U(-a, a) (Var = a^2/3, E[relu] = a/4):
            Var(relu(z)) = (1/2 - 3/16) Var(z) = 0.3125 Var(z).
         So "ReLU halves the variance" is off by a third, and the factor is
         not even universal. For a skewed z, claim 1 fails too: with
         z = e - 1, e ~ Exp(1) (mean 0, variance 1),
            E[relu(z)^2] = int_1^inf (x-1)^2 e^-x dx = 2/e = 0.7358.
      3. The next layer needs the second moment. For z' = x W with W zero
         mean, E[z'^2] = n Var(w) E[x^2] (step 02: E[w] = 0 suffices; x need
         not be zero mean), so with x = relu(z):
            E[z'^2] = n Var(w) Var(z) / 2.
         Using Var(x) instead (the "variance rule") would predict
         n Var(w) 0.34 Var(z). He et al. (2015) track E[x^2] and get
         Var(w) = 2/n (step 06).

   MEASUREMENT AND TOLERANCE
      Claims 1 and 2: M draws of z, relu by initnn_activation_forward,
      moments by initnn_stats_compute. The standard error of a sample mean of
      y^2 is sqrt(Var(y^2)/M), that of a sample variance sqrt((m4 - v^2)/M)
      (m4 the fourth central moment), both estimated from the same sample;
      tolerance 4 SE (a correct formula fails with probability
      erfc(4 / sqrt 2) = 6.3e-05, printed above the claims).
      Claim 3: x = relu(z) for z (B, n) ~ N(0, 1), W (n, m) from
      initnn_init_fill "random_normal:0.05", Z' = x W. As in step 01 part B,
      E[z'^2] over the B m entries has relative variance
         (1 + B mu^4 / m2^2) / (B m) + kx / (n B) + kw / (n m),
      mu = E[x], m2 = E[x^2], kx = Var(x^2)/m2^2 (= 5 for a rectified
      normal), kw = 2: the first term is larger than in step 01 because x has
      a mean, which makes each column sum of W a shared offset of its column
      of Z'. Tolerance 4 SE. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define PI 3.14159265358979323846

enum { NORMAL, UNIFORM, SKEWED };

/* Zero mean, variance 1. */
static float draw(initnn_rng *rng, int distribution)
{
    if (distribution == NORMAL) return initnn_rng_normal(rng);
    if (distribution == UNIFORM) return (float)(sqrt(3.0) * (2.0 * initnn_rng_uniform_double(rng) - 1.0));
    /* Exp(1) by inversion, minus its mean; 1 - u is in (0, 1]. */
    return (float)(-log(1.0 - initnn_rng_uniform_double(rng)) - 1.0);
}

/* The standard errors of the sample second moment and of the sample
   variance of y[0..n-1]. */
static void moment_errors(const float *y, size_t n, double *second_moment_se, double *variance_se)
{
    double mean = initnn_mean(y, n), square_mean = initnn_second_moment(y, n), variance = initnn_variance(y, n);
    double var_of_square = 0.0, fourth_central = 0.0;
    size_t i;
    for (i = 0; i < n; i++) {
        double square = (double)y[i] * y[i] - square_mean, centered = y[i] - mean;
        var_of_square += square * square;
        fourth_central += centered * centered * centered * centered;
    }
    *second_moment_se = sqrt(var_of_square / n / n);
    *variance_se = sqrt((fourth_central / n - variance * variance) / n);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Predict Var(relu(z)) / Var(z) for z ~ N(0, 1), to four digits.",
         0.5 - 1.0 / (2.0 * 3.14159265358979), 0.002},
        {"Leaky ReLU with slope a = 0.1 on a symmetric z: predict E[leaky(z)^2] / Var(z).",
         (1.0 + 0.01) / 2.0, 0.002},
        {"Break it: in draw(), make the uniform branch sqrt(2.0) * (2u - 1) instead of sqrt(3.0) * (2u - 1). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         3, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const names[] = {"normal", "uniform", "skewed"};
    tutorial t;
    initnn_rng rng;
    size_t samples;
    float *z, *y;
    int d;
    size_t i;

    tutorial_start(&t, argc, argv, "05 ReLU and the second moment: E[relu(z)^2] = Var(z)/2");

    exercises(&t);
    samples = t.fast ? 200000 : 2000000;
    z = (float *)malloc(samples * sizeof(float));
    y = (float *)malloc(samples * sizeof(float));
    if (!z || !y) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed_stream(&rng, t.seed, 1);

    printf("%lu draws of z with mean 0 and Var(z) = 1 per distribution\n", (unsigned long)samples);
    tutorial_rule_normal(4.0);
    tutorial_print_heading();
    for (d = NORMAL; d <= SKEWED; d++) {
        double second_moment_se, variance_se;
        char claim[64];
        initnn_stats stats;
        for (i = 0; i < samples; i++) z[i] = draw(&rng, d);
        initnn_activation_forward(y, z, samples, 1, INITNN_ACT_RELU, 0.0f);
        initnn_stats_compute(&stats, y, samples);
        moment_errors(y, samples, &second_moment_se, &variance_se);
        snprintf(claim, sizeof claim, "%s: E[relu(z)^2]/Var(z)", names[d]);
        tutorial_relative(&t, claim, d == SKEWED ? 2.0 / exp(1.0) : 0.5, stats.second_moment,
                          4.0 * second_moment_se / (d == SKEWED ? 2.0 / exp(1.0) : 0.5));
        if (d != SKEWED) {
            double predicted = d == NORMAL ? 0.5 - 0.5 / PI : 0.5 - 3.0 / 16.0;
            snprintf(claim, sizeof claim, "%s: Var(relu(z))/Var(z)", names[d]);
            tutorial_relative(&t, claim, predicted, stats.variance, 4.0 * variance_se / predicted);
            if (d == NORMAL)
                printf("  (\"relu halves the variance\" would say 0.5: off by %.0f%%)\n",
                       100.0 * (0.5 - stats.variance) / stats.variance);
        }
    }
    free(z);
    free(y);

    {
        int batch = t.fast ? 256 : 512, n = t.fast ? 128 : 256, m = t.fast ? 512 : 1024;
        double w_std = 0.05, mu, m2, kx, relative_se, predicted, variance_rule;
        float *x = (float *)malloc((size_t)batch * n * sizeof(float));
        float *W = (float *)malloc((size_t)n * m * sizeof(float));
        float *Z = (float *)malloc((size_t)batch * m * sizeof(float));
        char spec[64];
        if (!x || !W || !Z) tutorial_require(INITNN_ERR_MEMORY, "malloc");
        for (i = 0; i < (size_t)batch * n; i++) x[i] = initnn_rng_normal(&rng);
        initnn_activation_forward(x, x, (size_t)batch * n, n, INITNN_ACT_RELU, 0.0f);
        snprintf(spec, sizeof spec, "random_normal:%g", w_std);
        tutorial_require(initnn_init_fill(W, n, m, spec, &rng), "initnn_init_fill");
        initnn_dense_forward(Z, x, W, NULL, batch, n, m);
        mu = 1.0 / sqrt(2.0 * PI);
        m2 = 0.5;
        kx = (1.5 - m2 * m2) / (m2 * m2);
        relative_se = sqrt((1.0 + batch * pow(mu, 4) / (m2 * m2)) / ((double)batch * m) +
                           kx / ((double)n * batch) + 2.0 / ((double)n * m));
        predicted = n * w_std * w_std * 0.5;
        variance_rule = n * w_std * w_std * (0.5 - 0.5 / PI);
        printf("next layer x = relu(z), z (%d, %d) ~ N(0, 1), W (%d, %d) %s\n", batch, n, n, m, spec);
        tutorial_print_heading();
        tutorial_relative(&t, "E[z'^2] = n Var(w) Var(z)/2", predicted, initnn_second_moment(Z, (size_t)batch * m),
                          4.0 * relative_se);
        printf("  (the variance rule n Var(w) Var(x) would say %.4g: off by %.0f%%)\n", variance_rule,
               100.0 * fabs(variance_rule - initnn_second_moment(Z, (size_t)batch * m)) /
                   initnn_second_moment(Z, (size_t)batch * m));
        free(x);
        free(W);
        free(Z);
    }
    return tutorial_finish(&t);
}
