/* 17_depth_scales.c - how deep two inputs stay distinguishable: the
   correlation map and its depth scale xi_c.

   CLAIM
      Feed two inputs whose first-layer pre-activations have correlation
      c_1 through a deep tanh net (weights N(0, sigma_w^2 / n), biases
      N(0, sigma_b^2), sigma_b^2 = 0.05). Layer by layer their correlation
      c_l follows the correlation map c_{l+1} = C(c_l) (Poole et al. 2016),
      and it approaches the map's fixed point c* exponentially,
         |c_l - c*| ~ exp(-l / xi_c),   xi_c = -1 / ln chi_c,
      chi_c = sigma_w^2 E[tanh'(u1) tanh'(u2)] at c* (Schoenholz et al. 2017).
      Ordered phase (sigma_w^2 = 1.5): c* = 1, every pair of inputs becomes
      indistinguishable, xi_c = 15.8 layers. Chaotic phase (sigma_w^2 = 2.5):
      c* = 0.447, even identical-looking inputs decorrelate to it,
      xi_c = 11.8. (At the critical sigma_w^2 = 1.761, step 16, chi_c = 1
      and xi_c diverges: correlations then survive for any depth.)

   DERIVATION
      Two inputs give unit j of layer l pre-activations (u1, u2), a pair of
      sums of n terms and so near bivariate normal with second moments
      q_l and correlation c_l. One layer up, for each unit,
         E[z1 z2] = sigma_w^2 E[tanh(u1) tanh(u2)] + sigma_b^2,
      and E[z^2] = q_{l+1}: dividing gives C(c), a 2-D Gaussian integral
      (initnn_theory_correlation_map, with q at the fixed point q*; the
      inputs are scaled so that q_1 = q*). c = 1 is always a fixed point
      (identical inputs stay identical). Linearising C at c*,
         c_{l+1} - c* = C'(c*) (c_l - c*),  C'(c*) = chi_c,
      (differentiate under the integral: d E[phi(u1) phi(u2)] / dc =
      q E[phi'(u1) phi'(u2)], Price's theorem, and q* cancels against
      q_{l+1} = q*), so |c_l - c*| shrinks by chi_c per layer.
      initnn_theory_fixed_point gives c*, chi_c and xi_c.

   MEASUREMENT AND TOLERANCE
      60 tanh layers of width 256 (--fast 128); each batch holds P = 32
      (--fast 16) pairs with input correlation chosen so that c_1 = 0
      (part A) and P pairs with c_1 = 0.99 (part B); K = 12 independent
      nets per phase. The correlation of a pair at layer l is
      c = 1 - |z1/|z1| - z2/|z2||^2 / 2 in double (no cancellation when
      c is near 1), averaged over the P pairs of a net.
      Part A compares those averages with the map iterated from c_1; each
      net has its own finite-width deviation (~1/sqrt(n) in c), shared by
      its pairs, so the step uses the spread s of the K per-net values: the
      mean over nets has standard error s / sqrt(K), and the tolerance is
      t s / sqrt(K) with t = 4.437 (printed), the two-sided 0.1% point of
      Student's t with K - 1 = 11 degrees of freedom. In the chaotic phase
      the mean c over layers 41-60 is compared with c* the same way.
      Part B fits the slope of ln(1 - c_l), c_l pooled over all pairs and
      nets (the log of a mean: a mean of logs would drift by -1/n per layer
      for the same reason as in step 06), by least squares over layers
      1-60, where 1 - c falls by more than a decade (the range is printed)
      and stays far above the rounding floor. xi fitted = -1 / slope. Two
      errors: the map is only linear near c*, so the iterated map's own
      fitted slope over the same layers differs from -1/xi_c (both are
      printed; the difference is added to the tolerance), and the nets'
      spread (per-net fits, t s / sqrt(K) as above). In the chaotic phase
      |c_l - c*| is not fitted: each net's limiting correlation differs
      from c* by about 1/sqrt(n), so it is measurable only while it
      exceeds that several times over, over too few layers and too far from
      c* for the linearisation. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 60
#define NETS 12
#define T_QUANTILE 4.437       /* Student t, 11 degrees of freedom, two-sided 0.1% */
#define SIGMA_B2 0.05

typedef struct phase {
    const char *label;
    double sigma_w2;
    double q_star, c_star, chi_c, xi_c;
    double predicted_a[DEPTH];       /* the map iterated from c_1 = 0           */
    double predicted_b[DEPTH];       /* ... from c_1 = 0.99                      */
    double net_a[NETS][DEPTH];       /* per net: mean c over its part A pairs   */
    double net_b[NETS][DEPTH];       /* per net: mean 1 - c over its part B pairs */
} phase;

/* Correlation of rows a and b of length n, as 1 - |a/|a| - b/|b||^2 / 2;
   returns 1 - c (accurate when c is near 1). */
static double one_minus_correlation(const float *a, const float *b, int n)
{
    double na = 0.0, nb = 0.0, d = 0.0;
    int i;
    for (i = 0; i < n; i++) {
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
    }
    na = sqrt(na);
    nb = sqrt(nb);
    for (i = 0; i < n; i++) {
        double e = a[i] / na - b[i] / nb;
        d += e * e;
    }
    return d / 2.0;
}

/* Input correlation that gives first-layer correlation c1 when
   sigma_w^2 E[x^2] = q* - sigma_b^2:  c1 = ((q* - s_b) c_in + s_b) / q*. */
static double input_correlation(const phase *p, double c1)
{
    return (c1 * p->q_star - SIGMA_B2) / (p->q_star - SIGMA_B2);
}

/* Least-squares slope of y against l = 1..n. */
static double slope(const double *y, int n)
{
    double mean_l = (n + 1) / 2.0, mean_y = 0.0, sxy = 0.0, sxx = 0.0;
    int l;
    for (l = 0; l < n; l++) mean_y += y[l] / n;
    for (l = 0; l < n; l++) {
        sxy += (l + 1 - mean_l) * (y[l] - mean_y);
        sxx += (l + 1 - mean_l) * (l + 1 - mean_l);
    }
    return sxy / sxx;
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

static void run_phase(phase *p, int width, int pairs, uint64_t seed)
{
    initnn_net *net;
    initnn_rng rng;
    char kernel[64], bias[64];
    int batch = 4 * pairs, l, r, i, k;
    float *X = (float *)malloc((size_t)batch * width * sizeof(float));
    double input_std, c_in[2];
    if (!X) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    tutorial_require(initnn_theory_fixed_point(&p->q_star, &p->c_star, NULL, &p->chi_c, &p->xi_c,
                                               INITNN_ACT_TANH, 0.0f, p->sigma_w2, SIGMA_B2), "initnn_theory_fixed_point");
    p->predicted_a[0] = 0.0;
    p->predicted_b[0] = 0.99;
    for (l = 1; l < DEPTH; l++) {
        tutorial_require(initnn_theory_correlation_map(&p->predicted_a[l], INITNN_ACT_TANH, 0.0f, p->sigma_w2,
                                                       SIGMA_B2, p->q_star, p->predicted_a[l - 1]),
                         "initnn_theory_correlation_map");
        tutorial_require(initnn_theory_correlation_map(&p->predicted_b[l], INITNN_ACT_TANH, 0.0f, p->sigma_w2,
                                                       SIGMA_B2, p->q_star, p->predicted_b[l - 1]),
                         "initnn_theory_correlation_map");
    }
    input_std = sqrt((p->q_star - SIGMA_B2) / p->sigma_w2);
    c_in[0] = input_correlation(p, 0.0);
    c_in[1] = input_correlation(p, 0.99);
    snprintf(kernel, sizeof kernel, "random_normal:%.9g", sqrt(p->sigma_w2 / width));
    snprintf(bias, sizeof bias, "random_normal:%.9g", sqrt(SIGMA_B2));
    tutorial_require(initnn_net_create(&net, width, batch, seed), "initnn_net_create");
    for (l = 0; l < DEPTH; l++)
        tutorial_require(initnn_net_add_dense(net, width, "tanh", kernel, bias), "initnn_net_add_dense");
    initnn_rng_seed_stream(&rng, seed, 17);
    for (r = 0; r < NETS; r++) {
        /* rows 2k, 2k+1 form pair k; pairs 0..P-1 part A, P..2P-1 part B */
        for (k = 0; k < 2 * pairs; k++) {
            double c = c_in[k < pairs ? 0 : 1];
            for (i = 0; i < width; i++) {
                double a = initnn_rng_normal_double(&rng), b = initnn_rng_normal_double(&rng);
                X[(size_t)(2 * k) * width + i] = (float)(input_std * a);
                X[(size_t)(2 * k + 1) * width + i] = (float)(input_std * (c * a + sqrt(1.0 - c * c) * b));
            }
        }
        tutorial_require(initnn_net_reinit(net, seed * 1000 + (uint64_t)r), "initnn_net_reinit");
        if (!initnn_net_forward(net, X, batch, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
        for (l = 0; l < DEPTH; l++) {
            const float *z = net->layers[l].z;
            double a = 0.0, b = 0.0;
            for (k = 0; k < 2 * pairs; k++) {
                double d = one_minus_correlation(z + (size_t)(2 * k) * width, z + (size_t)(2 * k + 1) * width, width);
                if (k < pairs) a += (1.0 - d) / pairs;
                else b += d / pairs;
            }
            p->net_a[r][l] = a;
            p->net_b[r][l] = b;
        }
    }
    initnn_net_free(net);
    free(X);
}

static void write_plot(const char *path, const phase *ordered)
{
    static double x[DEPTH], pooled[DEPTH], predicted[DEPTH];
    initnn_plot_series series[2];
    initnn_plot plot;
    int l, r;
    for (l = 0; l < DEPTH; l++) {
        x[l] = l + 1;
        pooled[l] = 0.0;
        for (r = 0; r < NETS; r++) pooled[l] += ordered->net_b[r][l] / NETS;
        predicted[l] = 1.0 - ordered->predicted_b[l];
    }
    series[0] = tutorial_series("1 - c_l measured", x, pooled, DEPTH);
    series[1] = tutorial_series("1 - c_l, map", x, predicted, DEPTH);
    memset(&plot, 0, sizeof plot);
    plot.title = "ordered tanh net (sigma_w^2 = 1.5): 1 - c_l falls as exp(-l / 15.8)";
    plot.x_label = "layer l";
    plot.y_label = "1 - correlation of the two pre-activations";
    plot.log_y = 1;
    tutorial_require(initnn_plot_svg(path, &plot, series, 2), "initnn_plot_svg");
    printf("figure written to %s\n", path);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"xi_c = 15.79: predict the factor by which 1 - c_l shrinks over 20 layers in the ordered phase.",
         exp(-20.0 / 15.79), 0.01},
        {"chi_c = 0.9386: predict xi_c = -1 / ln(chi_c).",
         -1.0 / log(0.9386), 0.005},
        {"Break it: draw the biases with twice the variance the theory is given (sqrt(2 * SIGMA_B2) in the bias spec). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static phase phases[2];
    static const int shown[] = {1, 3, 5, 10, 20, 40, 60};
    enum { SHOWN = sizeof shown / sizeof shown[0] };
    tutorial t;
    int width, pairs, k, i, l, r;

    tutorial_start(&t, argc, argv, "17 depth scales: correlations approach c* as exp(-l / xi_c)");

    exercises(&t);
    width = t.fast ? 128 : 256;
    pairs = t.fast ? 16 : 32;
    phases[0].label = "ordered";
    phases[0].sigma_w2 = 1.5;
    phases[1].label = "chaotic";
    phases[1].sigma_w2 = 2.5;
    for (k = 0; k < 2; k++) run_phase(&phases[k], width, pairs, t.seed);

    printf("width %d, %d pairs per net, %d nets; sigma_b^2 = %.2f\n", width, pairs, NETS, SIGMA_B2);
    for (k = 0; k < 2; k++)
        printf("%s sigma_w^2 = %.1f: q* = %.4f, c* = %.4f, chi_c = %.4f, xi_c = %.2f\n", phases[k].label,
               phases[k].sigma_w2, phases[k].q_star, phases[k].c_star, phases[k].chi_c, phases[k].xi_c);
    printf("part A, c_l from c_1 = 0 %7s", "layer");
    for (i = 0; i < SHOWN; i++) printf(" %7d", shown[i]);
    printf("\n");
    for (k = 0; k < 2; k++) {
        printf("%-8s %21s", phases[k].label, "map");
        for (i = 0; i < SHOWN; i++) printf(" %7.4f", phases[k].predicted_a[shown[i] - 1]);
        printf("\n%-8s %21s", "", "measured");
        for (i = 0; i < SHOWN; i++) {
            double m = 0.0;
            for (r = 0; r < NETS; r++) m += phases[k].net_a[r][shown[i] - 1] / NETS;
            printf(" %7.4f", m);
        }
        printf("\n");
    }

    tutorial_rule_student(T_QUANTILE, NETS);
    tutorial_print_heading();
    /* part A: the map against the nets at layers 5 and 20 */
    for (k = 0; k < 2; k++) {
        static const int checked[] = {5, 20};
        for (i = 0; i < 2; i++) {
            double v[NETS], mean, spread;
            char claim[64];
            l = checked[i] - 1;
            for (r = 0; r < NETS; r++) v[r] = phases[k].net_a[r][l];
            mean_and_spread(v, NETS, &mean, &spread);
            snprintf(claim, sizeof claim, "%s: c_%d from c_1 = 0", phases[k].label, checked[i]);
            tutorial_absolute(&t, claim, phases[k].predicted_a[l], mean, T_QUANTILE * spread / sqrt((double)NETS));
        }
    }
    {
        /* chaotic: the limit is c*, not 1 */
        double v[NETS], mean, spread;
        for (r = 0; r < NETS; r++) {
            v[r] = 0.0;
            for (l = 40; l < DEPTH; l++) v[r] += phases[1].net_a[r][l] / (DEPTH - 40);
        }
        mean_and_spread(v, NETS, &mean, &spread);
        tutorial_absolute(&t, "chaotic: mean c_41..60 = c*", phases[1].c_star, mean,
                          T_QUANTILE * spread / sqrt((double)NETS));
    }
    {
        /* part B: the depth scale of the ordered phase from ln(1 - c_l) */
        const phase *p = &phases[0];
        double pooled[DEPTH], y[DEPTH], per_net[NETS], map_slope, measured_slope, mean, spread, tol;
        for (l = 0; l < DEPTH; l++) {
            pooled[l] = 0.0;
            for (r = 0; r < NETS; r++) pooled[l] += p->net_b[r][l] / NETS;
            pooled[l] = log(pooled[l]);
            y[l] = log(1.0 - p->predicted_b[l]);
        }
        measured_slope = slope(pooled, DEPTH);
        map_slope = slope(y, DEPTH);
        for (r = 0; r < NETS; r++) {
            for (l = 0; l < DEPTH; l++) y[l] = log(p->net_b[r][l]);
            per_net[r] = slope(y, DEPTH);
        }
        mean_and_spread(per_net, NETS, &mean, &spread);
        /* relative tolerance on xi = -1/slope: that of the slope */
        tol = (fabs(map_slope * p->xi_c + 1.0) + T_QUANTILE * spread / sqrt((double)NETS) * p->xi_c);
        printf("part B, ordered, c_1 = 0.99: 1 - c_l from %.3g to %.3g (map %.3g); slope of ln(1 - c_l):\n"
               "measured %.5f, map %.5f, -1/xi_c = %.5f\n", exp(pooled[0]), exp(pooled[DEPTH - 1]),
               1.0 - p->predicted_b[DEPTH - 1], measured_slope, map_slope, -1.0 / p->xi_c);
        tutorial_print_heading();
        tutorial_relative(&t, "ordered: xi fitted = xi_c", p->xi_c, -1.0 / measured_slope, tol);
        for (r = 0; r < NETS; r++) per_net[r] = log(p->net_b[r][DEPTH - 1]);
        mean_and_spread(per_net, NETS, &mean, &spread);
        tutorial_relative(&t, "ordered: 1 - c_60 from c_1 = 0.99", 1.0 - p->predicted_b[DEPTH - 1],
                          exp(pooled[DEPTH - 1]), exp(T_QUANTILE * spread / sqrt((double)NETS)) - 1.0);
    }
    if (t.plot_path) {
        write_plot(t.plot_path, &phases[0]);
        t.plotted = 1;   /* its own plot: tutorial_finish need not say there is none */
    }
    return tutorial_finish(&t);
}
