/* 01_variance_of_a_sum.c - the one identity every initialization rule rests on.

   CLAIM
      For z = sum_{i=1..n} w_i x_i with all w_i, x_i independent and zero mean,
         Var(z) = n * Var(w) * Var(x).

   DERIVATION
      One term: Var(w x) = E[w^2 x^2] - E[w x]^2
                         = E[w^2] E[x^2] - (E[w] E[x])^2     (independence)
                         = Var(w) Var(x)                       (zero means)
      n terms: the terms are independent, so their covariances vanish and the
      variances add: Var(z) = n Var(w) Var(x).
      Nothing here needs a normal distribution: w and x may be uniform.

   A DENSE LAYER
      Z = X W with X (B, n), W (n, m) is B*m such sums at once, so the
      variance over all entries of Z is again n Var(w) Var(x). The entries are
      uncorrelated but not independent (a row shares x, a column shares w),
      which the tolerance below accounts for.

   MEASUREMENT AND TOLERANCE
      Part A draws M independent z (fresh w and x for each) and takes their
      sample variance s^2. Its standard error is sqrt((m4 - s^4) / M), m4 the
      sample fourth central moment (sqrt(2/M) relative for a normal z); the
      claim passes within 4 standard errors, which a correct formula misses
      with probability erfc(4 / sqrt 2) = 6.3e-05 (printed above the claims).
      Part B builds one layer with initnn_init_fill and initnn_dense_forward.
      Writing s^2 = (1/(B m)) sum_ik (X^T X)_ik (W W^T)_ik, its relative
      variance is
         2/(B m)                off-diagonal i != k terms (zero mean)
       + kx/(n B) + kw/(n m)    the diagonal: how far sum_b x_bi^2 and
                                sum_j w_ij^2 stray from their means,
      with k = Var(v^2)/Var(v)^2 = 2 for a normal, 0.8 for a uniform v. The
      tolerance is 4 times that standard error. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

enum { NORMAL, UNIFORM };

/* A zero-mean draw with standard deviation std: U(-a, a) has variance a^2/3. */
static double draw(initnn_rng *rng, int distribution, double std)
{
    if (distribution == NORMAL) return std * initnn_rng_normal_double(rng);
    return std * sqrt(3.0) * (2.0 * initnn_rng_uniform_double(rng) - 1.0);
}

/* kurtosis-like factor Var(v^2) / Var(v)^2 of the distribution */
static double square_spread(int distribution)
{
    return distribution == NORMAL ? 2.0 : 0.8;
}

typedef struct sum_case {
    int n;
    int w_distribution;
    double w_std;
    int x_distribution;
    double x_std;
} sum_case;

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"A sum of n = 50 products w x, Var(w) = 0.02, Var(x) = 4, all independent with mean 0. Predict Var(z).",
         50 * 0.02 * 4.0, 0.01},
        {"Part B uses \"random_normal:0.05\" on X (256, 128) with Var(x) = 1. Change the spec to \"random_normal:0.1\". Predict the variance over the entries of Z.",
         128 * 0.1 * 0.1, 0.01},
        {"Break it: in draw(), drop the sqrt(3.0) of the uniform branch (a U(-a, a) draw then has std a/sqrt 3, not a). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const sum_case cases[] = {
        {1, NORMAL, 1.0, UNIFORM, 1.0},
        {10, NORMAL, 0.5, UNIFORM, 2.0},
        {100, UNIFORM, 0.1, NORMAL, 1.0},
        {400, UNIFORM, 0.05, UNIFORM, 3.0},
    };
    static const char *const names[] = {"normal", "uniform"};
    tutorial t;
    initnn_rng rng;
    int c, samples;

    tutorial_start(&t, argc, argv, "01 variance of a sum: Var(z) = n Var(w) Var(x)");

    exercises(&t);
    samples = t.fast ? 20000 : 100000;
    initnn_rng_seed(&rng, t.seed);

    printf("Part A: %d independent sums per row\n", samples);
    tutorial_rule_normal(4.0);
    tutorial_print_heading();
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        const sum_case *k = &cases[c];
        double *z = (double *)malloc((size_t)samples * sizeof(double));
        double mean = 0.0, m2 = 0.0, m4 = 0.0, predicted, standard_error;
        char claim[64];
        int s, i;
        if (!z) tutorial_require(INITNN_ERR_MEMORY, "malloc");
        for (s = 0; s < samples; s++) {
            double sum = 0.0;
            for (i = 0; i < k->n; i++)
                sum += draw(&rng, k->w_distribution, k->w_std) * draw(&rng, k->x_distribution, k->x_std);
            z[s] = sum;
            mean += sum;
        }
        mean /= samples;
        for (s = 0; s < samples; s++) {
            double d = (z[s] - mean) * (z[s] - mean);
            m2 += d;
            m4 += d * d;
        }
        m2 /= samples;
        m4 /= samples;
        free(z);
        predicted = k->n * k->w_std * k->w_std * k->x_std * k->x_std;
        standard_error = sqrt((m4 - m2 * m2) / samples);
        snprintf(claim, sizeof claim, "n=%d w %s(%g) x %s(%g)", k->n, names[k->w_distribution], k->w_std,
                 names[k->x_distribution], k->x_std);
        tutorial_relative(&t, claim, predicted, m2, 4.0 * standard_error / predicted);
    }

    {
        int batch = t.fast ? 256 : 512, n = t.fast ? 128 : 256, m = t.fast ? 128 : 256;
        double w_std = 0.05, x_std = 1.0, predicted, relative_se;
        float *X = (float *)malloc((size_t)batch * n * sizeof(float));
        float *W = (float *)malloc((size_t)n * m * sizeof(float));
        float *Z = (float *)malloc((size_t)batch * m * sizeof(float));
        char spec[64];
        int i;
        if (!X || !W || !Z) tutorial_require(INITNN_ERR_MEMORY, "malloc");
        for (i = 0; i < batch * n; i++) X[i] = (float)draw(&rng, UNIFORM, x_std);
        snprintf(spec, sizeof spec, "random_normal:%g", w_std);
        tutorial_require(initnn_init_fill(W, n, m, spec, &rng), "initnn_init_fill");
        initnn_dense_forward(Z, X, W, NULL, batch, n, m);
        predicted = n * w_std * w_std * x_std * x_std;
        relative_se = sqrt(2.0 / ((double)batch * m) + square_spread(UNIFORM) / ((double)n * batch) +
                           square_spread(NORMAL) / ((double)n * m));
        printf("Part B: Z = X W, X (%d, %d) uniform(%g), W from \"%s\"\n", batch, n, x_std, spec);
        tutorial_print_heading();
        tutorial_relative(&t, "Var over the entries of Z", predicted,
                          initnn_variance(Z, (size_t)batch * m), 4.0 * relative_se);
        free(X);
        free(W);
        free(Z);
    }
    return tutorial_finish(&t);
}
