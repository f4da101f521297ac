/* 20_truncation_constant.c - where 0.87962566 comes from, and what
   forgetting it costs a deep ReLU net.

   CLAIMS
   A. A standard normal redrawn until it lands in [-2, 2] has standard
      deviation
         sqrt(1 - 2 * 2 phi(2) / (2 Phi(2) - 1)) = 0.87962566103...,
      phi and Phi the normal pdf and cdf, 2 Phi(2) - 1 = erf(sqrt 2). This
      is INITNN_TRUNC2_STD, and initnn_truncated_normal's samples have it.
   B. "truncated_normal" with std sqrt(2 / fan_in), the He std with no
      correction (what one gets by passing He's std to Keras'
      TruncatedNormal, which cuts at 2 stddev; not torch's trunc_normal_,
      whose a = -2, b = 2 are absolute cut-offs: with He's std of about
      0.09 nothing is cut and the variance is He's), has variance
      0.8796^2 * 2 / fan_in = 0.7737 * 2 / fan_in, so a ReLU net loses a
      factor 0.7737 of E[z^2] per layer: 0.7737^29 = 5.9e-4 over 30 layers.
      The corrected "variance_scaling:2,fan_in,truncated_normal" (Keras'
      he_normal) divides the std by 0.8796 first and keeps E[z^2].

   DERIVATION
   A. For z ~ N(0, 1) and a > 0, integrating by parts (phi'(z) = -z phi(z)),
         int_{-a}^{a} z^2 phi(z) dz = [-z phi(z)]_{-a}^{a} + int_{-a}^{a} phi
                                    = -2 a phi(a) + (2 Phi(a) - 1),
      and the truncated law divides by its mass 2 Phi(a) - 1:
         Var = 1 - 2 a phi(a) / (2 Phi(a) - 1),  a = 2: 1 - 0.21596 / 0.95450.
   B. Step 06: E[z_l^2] = n Var(W) E[z_{l-1}^2] / 2 for ReLU layers of
      width n. With Var(W) = 0.7737 * 2 / n the factor is 0.7737; with the
      corrected std sqrt(2/n) / 0.8796 it is 1. initnn_theory_predict gives
      both from the specs (initnn_init_spec_moments knows the truncation).

   MEASUREMENT AND TOLERANCE
   A. N = 10^6 (--fast 2 10^5) draws of initnn_truncated_normal with std 1, mean 0. The
      sample variance has relative standard error sqrt((kurtosis - 1) / N),
      the truncated normal's kurtosis m4 / m2^2 = 2.3655 (m4 = 3 m2 -
      2 a^3 phi(a) / (2 Phi(a) - 1)), halved for the std; tolerance 4 SE.
      The closed form must match INITNN_TRUNC2_STD to 1e-15 (both are
      doubles of the same number). No draw may exceed 2.
   B. 30 dense ReLU layers of width 256 (--fast 128), zero biases, a batch
      of 32 N(0, 1) inputs, K = 12 nets each (initnn_net_reinit). The claim
      compares the per-layer factor (E[z_30^2] / E[z_1^2])^(1/29), from the
      mean over nets of log(E[z_30^2] / E[z_1^2]), with its prediction.
      Each layer adds a small independent error (steps 02 and 06), which
      the K nets' own spread s of that log measures: the mean has standard
      error s / sqrt(K); the tolerance is t s / sqrt(K) (t = 4.437, the
      two-sided 0.1% point of Student's t with 11 degrees of freedom) plus
      the lognormal drift s^2 / 2 (step 06), per layer
      exp((t s / sqrt(K) + s^2 / 2) / 29) - 1. Both inits draw the same
      normals from the same seeds and differ only by a constant factor on
      every weight, so the comparison is paired: their nets are scaled
      copies and their measured factors err alike (ReLU is homogeneous). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 30
#define NETS 12
#define T_QUANTILE 4.437       /* Student t, 11 degrees of freedom, two-sided 0.1% */
#define PI 3.14159265358979323846

static double normal_pdf(double z) { return exp(-0.5 * z * z) / sqrt(2.0 * PI); }

static void mean_and_spread(const double *v, int k, double *mean, double *spread)
{
    double m = 0.0, s = 0.0;
    int i;
    for (i = 0; i < k; i++) m += v[i] / k;
    for (i = 0; i < k; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *spread = sqrt(s / (k - 1));
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Predict the std of N(0, 1) truncated to [-1, 1] (1 - 2 phi(1) / (2 Phi(1) - 1), then the root).",
         sqrt(1.0 - 2.0 * exp(-0.5) / sqrt(2.0 * 3.14159265358979) / erf(1.0 / sqrt(2.0))), 0.002},
        {"torch's trunc_normal_(w, std=0.05) keeps its default a = -2, b = 2. Predict the std of w.",
         0.05, 0.002},
        {"Break it: forget the factor a = 2 in the closed form: variance = 1 - 2 phi(2) / mass. Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const labels[2] = {"truncated, uncorrected", "variance_scaling, corrected"};
    tutorial t;
    initnn_rng rng;
    double mass, variance, kurtosis, closed_form;
    int width, batch = 32, k, r, l, i;

    tutorial_start(&t, argc, argv, "20 the truncation constant: std of N(0,1) cut at +-2 is 0.8796");

    exercises(&t);
    width = t.fast ? 128 : 256;

    /* A: the constant */
    mass = erf(sqrt(2.0));                            /* 2 Phi(2) - 1 */
    variance = 1.0 - 2.0 * 2.0 * normal_pdf(2.0) / mass;
    kurtosis = (3.0 * variance - 2.0 * 8.0 * normal_pdf(2.0) / mass) / (variance * variance);
    closed_form = sqrt(variance);
    {
        size_t n = t.fast ? 200000 : 1000000, j;
        float *w = (float *)malloc(n * sizeof(float));
        double std, largest = 0.0, se;
        if (!w) tutorial_require(INITNN_ERR_MEMORY, "malloc");
        initnn_rng_seed(&rng, t.seed);
        initnn_truncated_normal(w, n, 1.0f, 0.0f, &rng);
        std = sqrt(initnn_variance(w, n));
        for (j = 0; j < n; j++)
            if (fabs(w[j]) > largest) largest = fabs(w[j]);
        free(w);
        se = 0.5 * sqrt((kurtosis - 1.0) / (double)n);    /* relative SE of the std */
        printf("Part A: 2 Phi(2) - 1 = %.10f, phi(2) = %.10f, kurtosis %.4f\n"
               "        Var = %.10f, std = %.10f\n", mass, normal_pdf(2.0), kurtosis, variance, closed_form);
        tutorial_rule_normal(4.0);
        tutorial_print_heading();
        tutorial_absolute(&t, "closed form = INITNN_TRUNC2_STD", INITNN_TRUNC2_STD, closed_form, 1e-15);
        tutorial_relative(&t, "std of initnn_truncated_normal", closed_form, std, 4.0 * se);
        tutorial_at_most(&t, "largest |draw|", 2.0, largest);
    }

    /* B: a 30-layer ReLU net with each init */
    {
        static initnn_layer_theory table[DEPTH];
        static double q_mean[2][DEPTH];
        double log_ratio[2][NETS], predicted[2];
        float *X = (float *)malloc((size_t)batch * width * sizeof(float));
        char specs[2][64];
        if (!X) tutorial_require(INITNN_ERR_MEMORY, "malloc");
        snprintf(specs[0], sizeof specs[0], "truncated_normal:%.9g", sqrt(2.0 / width));
        snprintf(specs[1], sizeof specs[1], "variance_scaling:2,fan_in,truncated_normal");
        for (k = 0; k < 2; k++) {
            initnn_net *net;
            initnn_layer_diag diag[DEPTH];
            tutorial_require(initnn_net_create(&net, width, batch, t.seed), "initnn_net_create");
            for (l = 0; l < DEPTH; l++)
                tutorial_require(initnn_net_add_dense(net, width, "relu", specs[k], "zeros"), "initnn_net_add_dense");
            tutorial_require(initnn_theory_predict(table, net, 1.0), "initnn_theory_predict");
            predicted[k] = pow(table[DEPTH - 1].q_predicted / table[0].q_predicted, 1.0 / (DEPTH - 1));
            initnn_rng_seed_stream(&rng, t.seed, 20);
            for (l = 0; l < DEPTH; l++) q_mean[k][l] = 0.0;
            for (r = 0; r < NETS; r++) {
                for (i = 0; i < batch * width; i++) X[i] = initnn_rng_normal(&rng);
                tutorial_require(initnn_net_reinit(net, t.seed * 1000 + (uint64_t)r), "initnn_net_reinit");
                tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, batch), "initnn_net_diagnose");
                for (l = 0; l < DEPTH; l++) q_mean[k][l] += diag[l].pre_activation.second_moment / NETS;
                log_ratio[k][r] = log(diag[DEPTH - 1].pre_activation.second_moment /
                                      diag[0].pre_activation.second_moment);
            }
            initnn_net_free(net);
        }
        free(X);
        printf("Part B: %d ReLU layers of width %d, %d nets; E[z_l^2] (mean over nets) at layer:\n%-28s", DEPTH,
               width, NETS, "");
        for (l = 0; l < DEPTH; l += 5) printf(" %8d", l + 1);
        printf(" %8d\n", DEPTH);
        for (k = 0; k < 2; k++) {
            printf("%-28s", labels[k]);
            for (l = 0; l < DEPTH; l += 5) printf(" %8.3g", q_mean[k][l]);
            printf(" %8.3g\n", q_mean[k][DEPTH - 1]);
        }
        tutorial_rule_student(T_QUANTILE, NETS);
        tutorial_print_heading();
        for (k = 0; k < 2; k++) {
            double mean, spread, tol;
            char claim[64];
            mean_and_spread(log_ratio[k], NETS, &mean, &spread);
            tol = exp((T_QUANTILE * spread / sqrt((double)NETS) + 0.5 * spread * spread) / (DEPTH - 1)) - 1.0;
            snprintf(claim, sizeof claim, "%s: per layer", k == 0 ? "uncorrected" : "corrected");
            tutorial_relative(&t, claim, predicted[k], exp(mean / (DEPTH - 1)), tol);
        }
        printf("predicted: 0.8796^2 = %.4f per layer, %.2g over %d layers; corrected: 1\n",
               INITNN_TRUNC2_STD * INITNN_TRUNC2_STD, pow(INITNN_TRUNC2_STD, 2.0 * (DEPTH - 1)), DEPTH - 1);
    }
    return tutorial_finish(&t);
}
