/* 18_dynamical_isometry.c - at the edge of chaos the average gradient is
   preserved either way, but only orthogonal weights keep every direction.

   CLAIM
      32 tanh layers of width n = 128 at the critical point (sigma_b^2 =
      0.001, sigma_w^2 = 1.189 from initnn_theory_critical_sigma_w2), with
      Gaussian weights N(0, sigma_w^2 / n) or orthogonal weights times
      sqrt(sigma_w^2) (the same sigma_w^2). The input-output Jacobian J has
      squared singular values lambda = s^2 with
         mean over the spectrum  chi_1^L = 1            for both,
         variance                L mu2 / mu1^2 = 33.4   Gaussian,
                                 L (mu2 / mu1^2 - 1) = 1.41  orthogonal,
      mu_k = E[tanh'(z)^(2k)], z ~ N(0, q*) (Pennington, Schoenholz &
      Ganguli 2017). So the orthogonal spectrum is much narrower: the
      Gaussian variance is over 10 times the orthogonal one, and the
      orthogonal net's 5-95% range of s spans under a third as many decades.
      Exact case: a deep linear net of orthogonal layers with gain g has
      J = prod g Q_l, and every singular value equals g^L (Saxe et al. 2014).

   DERIVATION
      J = W_1 D_1 W_2 D_2 ... W_L D_L with D_l = diag(tanh'(z_l)) (the chain
      rule; initnn_net_jacobian). Mean: (1/n) tr(J J^T) multiplies by
      sigma_w^2 E[tanh'(z)^2] = chi_1 per layer (step 16) whatever the
      distribution of W with that variance; chi_1 = 1 at criticality.
      Variance: free probability multiplies the S-transforms of the
      factors: S_{WW^T} = 1 / (sigma_w^2 (1 + z)) for a Gaussian W and
      1 / sigma_w^2 for an orthogonal one; expanding S_{JJ^T} to first
      order gives the variance L (mu2 / mu1^2 - 1 - s1) with s1 = -1
      (Gaussian) or 0 (orthogonal) (Pennington et al. 2017, eq. 16). A
      Gaussian matrix contributes 1 per layer even in a linear net, where
      the orthogonal one contributes 0: orthogonal weights leave only the
      spread of tanh' (mu2 / mu1^2 - 1 = 0.044 at q* = 0.107), which is why
      q* is kept small here with a small sigma_b^2. mu1 is
      initnn_activation_moments' slope2; mu2 is computed here by Simpson's
      rule. The inputs are scaled so that q_1 = q* (as in step 16).

   MEASUREMENT AND TOLERANCE
      K = 16 nets of each kind (--fast: width 64); J at one N(0, (q* -
      sigma_b^2) / sigma_w^2) input per net, its singular values by
      initnn_singular_values. Each net gives a spectrum mean m and
      variance v; their spread over nets s gives the standard error s /
      sqrt(K) of the mean over nets, and the tolerance is t s / sqrt(K) with
      t = 4.073 (printed), the two-sided 0.1% point of Student's t with 15
      degrees of freedom. The Gaussian variance is heavy-tailed over nets
      (a few nets have one huge singular value), so it is only bounded, by
      the 10x claim; its prediction 33.4 is printed beside it. The
      quantiles pool the singular values of all K nets. J is float:
      singular values below ~1e-7 of the largest are rounding noise, and
      the Gaussian net's lower 5% sits there (the pile-up near 1e-7 in the
      --plot histogram; the true values are smaller still), so its measured
      range in decades is an underestimate and the "a third as many
      decades" claim errs on the safe side.
      Exact case: width 128, 32 layers "orthogonal:1.05", identity
      activation, zero biases: every s_i / 1.05^32 - 1 must be below 1e-4
      (each float product rounds each entry by about sqrt(n) u relative,
      u = 2^-24; 32 of them stay more than a decade below the bound). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 32
#define NETS 16
#define T_QUANTILE 4.073       /* Student t, 15 degrees of freedom, two-sided 0.1% */
#define SIGMA_B2 0.001

typedef struct spectrum {
    const char *label;
    double mean[NETS], variance[NETS];   /* of s^2, per net                 */
    double q_last[NETS];                 /* E[z_L^2] at the input, per net  */
    double *values;                      /* all K n singular values         */
    double largest, smallest, s5, s95;   /* pooled                          */
} spectrum;

static int descending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static void measure(spectrum *sp, const char *kernel, int width, double sigma_w2, double q_star, uint64_t seed)
{
    initnn_net *net;
    initnn_rng rng;
    char bias[64];
    float *x = (float *)malloc((size_t)width * sizeof(float));
    float *J = (float *)malloc((size_t)width * width * sizeof(float));
    size_t total = (size_t)NETS * width;
    int l, r, i;
    sp->values = (double *)malloc(total * sizeof(double));
    if (!x || !J || !sp->values) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    snprintf(bias, sizeof bias, "random_normal:%.9g", sqrt(SIGMA_B2));
    tutorial_require(initnn_net_create(&net, width, 1, seed), "initnn_net_create");
    for (l = 0; l < DEPTH; l++)
        tutorial_require(initnn_net_add_dense(net, width, "tanh", kernel, bias), "initnn_net_add_dense");
    initnn_rng_seed_stream(&rng, seed, 18);
    for (r = 0; r < NETS; r++) {
        double *s = sp->values + (size_t)r * width, m = 0.0, m2 = 0.0;
        tutorial_require(initnn_net_reinit(net, seed * 1000 + (uint64_t)r), "initnn_net_reinit");
        for (i = 0; i < width; i++) x[i] = (float)sqrt((q_star - SIGMA_B2) / sigma_w2) * initnn_rng_normal(&rng);
        if (!initnn_net_forward(net, x, 1, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
        sp->q_last[r] = initnn_second_moment(net->layers[DEPTH - 1].z, (size_t)width);
        tutorial_require(initnn_net_jacobian(net, J, x), "initnn_net_jacobian");
        tutorial_require(initnn_singular_values(s, J, width, width), "initnn_singular_values");
        for (i = 0; i < width; i++) {
            m += s[i] * s[i] / width;
            m2 += s[i] * s[i] * s[i] * s[i] / width;
        }
        sp->mean[r] = m;
        sp->variance[r] = m2 - m * m;
    }
    qsort(sp->values, total, sizeof(double), descending);
    sp->largest = sp->values[0];
    sp->smallest = sp->values[total - 1];
    sp->s95 = sp->values[(size_t)(0.05 * total)];
    sp->s5 = sp->values[(size_t)(0.95 * total)];
    initnn_net_free(net);
    free(x);
    free(J);
}

static void mean_and_spread(const double *v, int k, double *mean, double *spread)
{
    double m = 0.0, s = 0.0;
    int i;
    for (i = 0; i < k; i++) m += v[i] / k;
    for (i = 0; i < k; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *spread = sqrt(s / (k - 1));
}

/* Histogram of log10 s over [-10, 1] in 0.25-decade bins, as a line. */
static void write_plot(const char *path, const spectrum *spectra, int width)
{
    enum { BINS = 44 };
    static double x[BINS], y[2][BINS];
    initnn_plot_series series[2];
    initnn_plot plot;
    size_t total = (size_t)NETS * width, i;
    int k, b;
    for (b = 0; b < BINS; b++) x[b] = -10.0 + 0.25 * (b + 0.5);
    for (k = 0; k < 2; k++) {
        for (b = 0; b < BINS; b++) y[k][b] = 0.0;
        for (i = 0; i < total; i++) {
            double v = spectra[k].values[i] > 0.0 ? log10(spectra[k].values[i]) : -10.0;
            b = (int)floor((v + 10.0) / 0.25);
            if (b < 0) b = 0;
            if (b >= BINS) b = BINS - 1;
            y[k][b] += 1.0 / total;
        }
        series[k] = tutorial_series(spectra[k].label, x, y[k], BINS);
    }
    memset(&plot, 0, sizeof plot);
    plot.title = "singular values of the Jacobian, 32 critical tanh layers";
    plot.x_label = "log10 s";
    plot.y_label = "fraction of singular values per 0.25 decade";
    tutorial_require(initnn_plot_svg(path, &plot, series, 2), "initnn_plot_svg");
    printf("figure written to %s\n", path);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"A linear net of 32 layers with kernels orthogonal:1.05: predict the largest singular value of its Jacobian.",
         pow(1.05, 32), 0.001},
        {"A linear net of 32 orthogonal:0.95 layers: predict the smallest singular value.",
         pow(0.95, 32), 0.001},
        {"Break it: build the orthogonal kernels with 1.1 * sqrt(sigma_w2). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         2, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static spectrum spectra[2];
    tutorial t;
    initnn_moments moments;
    double sigma_w2, q_star, chi_1, mu1, mu2, predicted_var[2], mean, spread, var_mean[2];
    char kernel[64];
    int width, k;

    tutorial_start(&t, argc, argv, "18 dynamical isometry: orthogonal weights keep every singular value near 1");

    exercises(&t);
    width = t.fast ? 64 : 128;
    tutorial_require(initnn_theory_critical_sigma_w2(&sigma_w2, INITNN_ACT_TANH, 0.0f, SIGMA_B2),
                     "initnn_theory_critical_sigma_w2");
    tutorial_require(initnn_theory_fixed_point(&q_star, NULL, &chi_1, NULL, NULL, INITNN_ACT_TANH, 0.0f,
                                               sigma_w2, SIGMA_B2), "initnn_theory_fixed_point");
    tutorial_require(initnn_activation_moments(&moments, INITNN_ACT_TANH, 0.0f, q_star), "initnn_activation_moments");
    mu1 = moments.slope2;
    mu2 = tutorial_tanh_moment(q_star, 0, 2);
    predicted_var[0] = DEPTH * mu2 / (mu1 * mu1);
    predicted_var[1] = DEPTH * (mu2 / (mu1 * mu1) - 1.0);
    printf("sigma_b^2 = %g: critical sigma_w^2 = %.4f, q* = %.4f, chi_1 = %.6f, mu2/mu1^2 = %.4f\n", SIGMA_B2,
           sigma_w2, q_star, chi_1, mu2 / (mu1 * mu1));

    spectra[0].label = "gaussian";
    snprintf(kernel, sizeof kernel, "random_normal:%.9g", sqrt(sigma_w2 / width));
    measure(&spectra[0], kernel, width, sigma_w2, q_star, t.seed);
    spectra[1].label = "orthogonal";
    snprintf(kernel, sizeof kernel, "orthogonal:%.9g", sqrt(sigma_w2));
    measure(&spectra[1], kernel, width, sigma_w2, q_star, t.seed);

    printf("%d nets of %d layers, width %d; s pooled over nets:\n", NETS, DEPTH, width);
    printf("%-11s %9s %9s %10s %9s %9s %13s\n", "weights", "mean s^2", "var s^2", "min s", "s 5%", "s 95%",
           "max s");
    for (k = 0; k < 2; k++) {
        mean_and_spread(spectra[k].variance, NETS, &var_mean[k], &spread);
        mean_and_spread(spectra[k].mean, NETS, &mean, &spread);
        printf("%-11s %9.4f %9.3f %10.2g %9.3g %9.3g %13.4g\n", spectra[k].label, mean, var_mean[k],
               spectra[k].smallest, spectra[k].s5, spectra[k].s95, spectra[k].largest);
    }
    printf("predicted variance of s^2: gaussian %.2f, orthogonal %.3f\n", predicted_var[0], predicted_var[1]);

    tutorial_rule_student(T_QUANTILE, NETS);
    tutorial_print_heading();
    for (k = 0; k < 2; k++) {
        char claim[64];
        mean_and_spread(spectra[k].mean, NETS, &mean, &spread);
        snprintf(claim, sizeof claim, "%s: mean s^2 = chi_1^L", spectra[k].label);
        tutorial_absolute(&t, claim, pow(chi_1, DEPTH), mean, T_QUANTILE * spread / sqrt((double)NETS));
    }
    for (k = 0; k < 2; k++) {
        char claim[64];
        mean_and_spread(spectra[k].q_last, NETS, &mean, &spread);
        snprintf(claim, sizeof claim, "%s: E[z_%d^2] = q*", spectra[k].label, DEPTH);
        tutorial_relative(&t, claim, q_star, mean, (T_QUANTILE * spread / sqrt((double)NETS) + 1.0 / width) / q_star);
    }
    mean_and_spread(spectra[1].variance, NETS, &mean, &spread);
    tutorial_absolute(&t, "orthogonal: var s^2", predicted_var[1], mean, T_QUANTILE * spread / sqrt((double)NETS));
    tutorial_at_least(&t, "var s^2 gaussian / orthogonal", 10.0, var_mean[0] / var_mean[1]);
    tutorial_at_most(&t, "decades s95/s5: orth / gaussian", 1.0 / 3.0,
                     log10(spectra[1].s95 / spectra[1].s5) / log10(spectra[0].s95 / spectra[0].s5));
    {
        /* the exact case: a deep linear orthogonal net */
        const int n = 128;
        const double gain = 1.05, want = pow(gain, DEPTH);
        initnn_net *net;
        float *x = (float *)malloc((size_t)n * sizeof(float)), *J = (float *)malloc((size_t)n * n * sizeof(float));
        double *s = (double *)malloc((size_t)n * sizeof(double)), worst = 0.0;
        int l, i;
        if (!x || !J || !s) tutorial_require(INITNN_ERR_MEMORY, "malloc");
        tutorial_require(initnn_net_create(&net, n, 1, t.seed), "initnn_net_create");
        for (l = 0; l < DEPTH; l++)
            tutorial_require(initnn_net_add_dense(net, n, "identity", "orthogonal:1.05", "zeros"), "initnn_net_add_dense");
        for (i = 0; i < n; i++) x[i] = 1.0f;
        tutorial_require(initnn_net_jacobian(net, J, x), "initnn_net_jacobian");
        tutorial_require(initnn_singular_values(s, J, n, n), "initnn_singular_values");
        for (i = 0; i < n; i++)
            if (fabs(s[i] / want - 1.0) > worst) worst = fabs(s[i] / want - 1.0);
        printf("linear orthogonal:1.05, 32 layers: s from %.7g to %.7g, 1.05^32 = %.7g\n", s[n - 1], s[0], want);
        tutorial_at_most(&t, "linear orth: max |s/g^L - 1|", 1e-4, worst);
        initnn_net_free(net);
        free(x);
        free(J);
        free(s);
    }
    if (t.plot_path) {
        write_plot(t.plot_path, spectra, width);
        t.plotted = 1;   /* its own plot: tutorial_finish need not say there is none */
    }
    free(spectra[0].values);
    free(spectra[1].values);
    return tutorial_finish(&t);
}
