/* 16_edge_of_chaos.c - tanh nets have one sigma_w^2 at which gradients
   neither vanish nor explode, and the mean-field theory finds it.

   CLAIM
      In a deep tanh net of width n with weights N(0, sigma_w^2 / n) and
      biases N(0, sigma_b^2), sigma_b^2 = 0.05, the backward signal
      delta_l = dL/dz_l changes by a factor chi_1 = sigma_w^2 E[tanh'(z)^2]
      per layer, z ~ N(0, q*) at the fixed point q* of the forward map.
      Below the critical sigma_w^2 = 1.761 (the root of chi_1 = 1,
      initnn_theory_critical_sigma_w2) it vanishes: over 50 layers
      E[delta_1^2] / E[delta_50^2] = 0.835^49 = 1.5e-4 at sigma_w^2 =
      1.761 / 1.5; above it explodes, 1.156^49 = 1.2e3 at 1.761 * 1.5; at it
      the ratio stays within a factor 3 of 1. The measured ratios and the
      second moments q_l = E[z_l^2] agree with the mean-field predictions.

   DERIVATION (Poole et al. 2016, Schoenholz et al. 2017)
      Forward: z_l = W_l tanh(z_{l-1}) + b_l, so with q_l = E[z_l^2]
         q_l = sigma_w^2 E[tanh(sqrt(q_{l-1}) u)^2] + sigma_b^2,  u ~ N(0, 1)
      (the variance of a sum, step 01, for each unit; z is near normal as
      a sum of n terms), and q_1 = sigma_w^2 E[x^2] + sigma_b^2. The inputs
      are scaled to E[x^2] = (q* - sigma_b^2) / sigma_w^2, so q_1 = q* and
      every layer sits at the fixed point: q_l = q* for all l.
      Backward: delta_{l-1} = (W_l^T delta_l) * tanh'(z_{l-1}), so, treating
      W_l as independent of delta_l (the gradient-independence assumption),
         E[delta_{l-1}^2] = sigma_w^2 E[tanh'(sqrt(q_{l-1}) u)^2] E[delta_l^2]
                          = chi_1(q_{l-1}) E[delta_l^2],
      and E[delta_1^2] / E[delta_50^2] = prod_{l=1..49} chi_1(q_l)
      = chi_1(q*)^49. (With unit inputs q starts above q*, where chi_1 is
      smaller since tanh' shrinks as z widens; at criticality that transient
      alone makes the ratio well below 1.) initnn_theory_predict evaluates the
      product layer by layer; at the critical point it is exactly 1, and the
      factor 3 allows for the finite-width spread (below).

   MEASUREMENT AND TOLERANCE
      50 tanh layers of width 256 (--fast 128), kernels "random_normal:s"
      with s = sqrt(sigma_w^2 / width), biases "random_normal:sqrt(0.05)",
      a batch of 32 inputs N(0, (q* - sigma_b^2) / sigma_w^2)
      and N(0, 1) targets under
      MSE; initnn_theory_compare measures E[z_l^2] and E[delta_l^2] and
      predicts them from the batch's input second moment and the output
      delta. K = 16 (--fast 12) independent nets per sigma_w^2
      (initnn_net_reinit).
      Each layer multiplies the ratio by a factor whose finite-width error
      is ~sqrt(2 / n) (steps 02 and 06); 49 such factors, their dependence
      on the fluctuating q and the batch's correlations make an a-priori SE
      hard to pin down (summing the per-step variances of step 06
      underestimates the observed spread). The K nets are
      independent draws, so the step uses their own spread s of
      log(measured / predicted): the mean over K nets has standard error
      s / sqrt(K), and the tolerance on the mean log is t s / sqrt(K), t the
      two-sided 0.1% point of Student's t with K - 1 degrees of freedom
      (4.073 for K = 16, 4.437 for K = 12; printed), plus the lognormal
      drift s^2 / 2 (the mean of a log lies below the log of the mean by
      half the variance), printed as a relative tolerance exp(...) - 1. q_50 is
      checked the same way, with 1/n added for the O(1/n) finite-width bias
      of the mean. The per-net spread of the log ratio is small enough
      that a critical mean straying from 1 by a factor 3 (log 3 = 1.1) would
      lie far outside the tolerance printed for the critical ratio, so the
      bound max(ratio, 1/ratio) <= 3 does not fail by chance. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 50
#define MAX_NETS 16
#define SIGMA_B2 0.05

typedef struct phase {
    const char *label;
    double sigma_w2;
    double q_star, chi_1;
    double mean_q[DEPTH];          /* measured E[z_l^2], mean over nets          */
    double predicted_q[DEPTH];     /* from the specs and the input              */
    double log_delta[DEPTH];       /* mean over nets of log E[delta_l^2] / E[delta_L^2], measured */
    double log_delta_predicted[DEPTH];
    double ratio_log[MAX_NETS];    /* log measured / predicted ratio, per net   */
    double q_log[MAX_NETS];        /* log measured / predicted q_50, per net     */
} phase;

/* Mean and sample standard deviation of v[0..k-1]. */
static void mean_and_spread(const double *v, int k, double *mean, double *spread)
{
    double m = 0.0, s = 0.0;
    int i;
    for (i = 0; i < k; i++) m += v[i] / k;
    for (i = 0; i < k; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *spread = sqrt(s / (k - 1));
}

static void run_phase(phase *p, int width, int batch, int nets, uint64_t seed)
{
    static initnn_layer_theory table[DEPTH];
    initnn_net *net;
    initnn_rng rng;
    char kernel[64], bias[64];
    float *X = (float *)malloc((size_t)batch * width * sizeof(float));
    float *targets = (float *)malloc((size_t)batch * width * sizeof(float));
    double input_std;
    int l, r, i;
    if (!X || !targets) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    snprintf(kernel, sizeof kernel, "random_normal:%.9g", sqrt(p->sigma_w2 / width));
    snprintf(bias, sizeof bias, "random_normal:%.9g", sqrt(SIGMA_B2));
    tutorial_require(initnn_theory_fixed_point(&p->q_star, NULL, &p->chi_1, NULL, NULL, INITNN_ACT_TANH,
                                               0.0f, p->sigma_w2, SIGMA_B2), "initnn_theory_fixed_point");
    input_std = sqrt((p->q_star - SIGMA_B2) / p->sigma_w2);
    tutorial_require(initnn_net_create(&net, width, batch, seed), "initnn_net_create");
    for (l = 0; l < DEPTH; l++)
        tutorial_require(initnn_net_add_dense(net, width, "tanh", kernel, bias), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_loss(net, INITNN_LOSS_MSE), "initnn_net_set_loss");
    for (l = 0; l < DEPTH; l++) p->mean_q[l] = p->predicted_q[l] = p->log_delta[l] = p->log_delta_predicted[l] = 0.0;
    initnn_rng_seed_stream(&rng, seed, 16);
    for (r = 0; r < nets; r++) {
        for (i = 0; i < batch * width; i++) {
            X[i] = (float)input_std * initnn_rng_normal(&rng);
            targets[i] = initnn_rng_normal(&rng);
        }
        tutorial_require(initnn_net_reinit(net, seed * 1000 + (uint64_t)r), "initnn_net_reinit");
        tutorial_require(initnn_theory_compare(net, table, X, NULL, targets, batch), "initnn_theory_compare");
        for (l = 0; l < DEPTH; l++) {
            p->mean_q[l] += table[l].q_measured / nets;
            p->predicted_q[l] += table[l].q_predicted / nets;
            p->log_delta[l] += log(table[l].delta_measured / table[DEPTH - 1].delta_measured) / nets;
            p->log_delta_predicted[l] += log(table[l].delta_predicted / table[DEPTH - 1].delta_predicted) / nets;
        }
        p->ratio_log[r] = log(table[0].delta_measured / table[DEPTH - 1].delta_measured) -
                          log(table[0].delta_predicted / table[DEPTH - 1].delta_predicted);
        p->q_log[r] = log(table[DEPTH - 1].q_measured / table[DEPTH - 1].q_predicted);
    }
    initnn_net_free(net);
    free(X);
    free(targets);
}

static void write_plot(const char *path, const phase *phases, int count)
{
    static double x[DEPTH], y[3][2][DEPTH];
    static char labels[3][2][64];
    initnn_plot_series series[6];
    initnn_plot plot;
    int k, l, s = 0;
    for (l = 0; l < DEPTH; l++) x[l] = l + 1;
    for (k = 0; k < count; k++) {
        for (l = 0; l < DEPTH; l++) {
            y[k][0][l] = exp(phases[k].log_delta_predicted[l]);
            y[k][1][l] = exp(phases[k].log_delta[l]);
        }
        snprintf(labels[k][0], sizeof labels[k][0], "%s predicted", phases[k].label);
        snprintf(labels[k][1], sizeof labels[k][1], "%s measured", phases[k].label);
        for (l = 0; l < 2; l++, s++) series[s] = tutorial_series(labels[k][l], x, y[k][l], DEPTH);
    }
    memset(&plot, 0, sizeof plot);
    plot.title = "E[delta_l^2] / E[delta_50^2] in 50 tanh layers, sigma_b^2 = 0.05";
    plot.x_label = "layer l";
    plot.y_label = "backward signal relative to the output layer";
    plot.log_y = 1;
    tutorial_require(initnn_plot_svg(path, &plot, series, s), "initnn_plot_svg");
    printf("figure written to %s\n", path);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"chi_1 = 0.835 per layer: predict E[d_1^2] / E[d_50^2] over 49 layers.",
         pow(0.835, 49), 0.02},
        {"For tanh with sigma_b^2 = 0, predict the critical sigma_w^2 (chi_1 = 1 as q* -> 0).",
         1.0, 0.001},
        {"Break it: draw the biases with twice the variance the theory is given (sqrt(2 * SIGMA_B2) in the bias spec). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         9, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static phase phases[3];
    static const int shown[] = {1, 10, 20, 30, 40, 50};
    enum { SHOWN = sizeof shown / sizeof shown[0] };
    tutorial t;
    double critical;
    double t_quantile;
    int width, batch, nets, k, i;

    tutorial_start(&t, argc, argv, "16 edge of chaos: tanh gradients vanish, explode, or neither at chi_1 = 1");

    exercises(&t);
    width = t.fast ? 128 : 256;
    batch = 32;
    nets = t.fast ? 12 : 16;
    /* Student t, nets - 1 degrees of freedom, two-sided 0.1% point */
    t_quantile = t.fast ? 4.437 : 4.073;
    tutorial_require(initnn_theory_critical_sigma_w2(&critical, INITNN_ACT_TANH, 0.0f, SIGMA_B2),
                     "initnn_theory_critical_sigma_w2");
    phases[0].label = "ordered";
    phases[0].sigma_w2 = critical / 1.5;
    phases[1].label = "critical";
    phases[1].sigma_w2 = critical;
    phases[2].label = "chaotic";
    phases[2].sigma_w2 = critical * 1.5;
    for (k = 0; k < 3; k++) run_phase(&phases[k], width, batch, nets, t.seed);

    printf("critical sigma_w^2 = %.4f at sigma_b^2 = %.2f; width %d, batch %d, %d nets each\n", critical, SIGMA_B2,
           width, batch, nets);
    printf("%-25s", "E[z_l^2] at layer");
    for (i = 0; i < SHOWN; i++) printf(" %7d", shown[i]);
    printf("\n");
    for (k = 0; k < 3; k++) {
        printf("%-8s s_w^2 %.3f pred", phases[k].label, phases[k].sigma_w2);
        for (i = 0; i < SHOWN; i++) printf(" %7.4f", phases[k].predicted_q[shown[i] - 1]);
        printf("\n%-8s chi_1 %.3f meas", "", phases[k].chi_1);
        for (i = 0; i < SHOWN; i++) printf(" %7.4f", phases[k].mean_q[shown[i] - 1]);
        printf("\n");
    }

    tutorial_rule_student(t_quantile, nets);
    tutorial_print_heading();
    for (k = 0; k < 3; k++) {
        const phase *p = &phases[k];
        double mean, spread, tol, predicted = exp(p->log_delta_predicted[0]);
        char claim[64];
        mean_and_spread(p->q_log, nets, &mean, &spread);
        tol = t_quantile * spread / sqrt((double)nets) + 0.5 * spread * spread + 1.0 / width;
        snprintf(claim, sizeof claim, "%s: E[z_50^2]", p->label);
        tutorial_relative(&t, claim, p->predicted_q[DEPTH - 1], p->predicted_q[DEPTH - 1] * exp(mean), exp(tol) - 1.0);
        mean_and_spread(p->ratio_log, nets, &mean, &spread);
        tol = t_quantile * spread / sqrt((double)nets) + 0.5 * spread * spread;
        snprintf(claim, sizeof claim, "%s: E[d_1^2]/E[d_50^2]", p->label);
        tutorial_relative(&t, claim, predicted, predicted * exp(mean), exp(tol) - 1.0);
    }
    tutorial_at_most(&t, "ordered: ratio vanishes", 1e-2, exp(phases[0].log_delta[0]));
    tutorial_at_least(&t, "chaotic: ratio explodes", 1e2, exp(phases[2].log_delta[0]));
    {
        double r = exp(phases[1].log_delta[0]);
        tutorial_at_most(&t, "critical: max(ratio, 1/ratio)", 3.0, r > 1.0 ? r : 1.0 / r);
    }
    printf("chi_1 per layer, over 49 layers: %.3f^49 = %.2g, 1, %.3f^49 = %.2g\n", phases[0].chi_1,
           pow(phases[0].chi_1, DEPTH - 1), phases[2].chi_1, pow(phases[2].chi_1, DEPTH - 1));
    if (t.plot_path) {
        write_plot(t.plot_path, phases, 3);
        t.plotted = 1;   /* its own plot: tutorial_finish need not say there is none */
    }
    return tutorial_finish(&t);
}
