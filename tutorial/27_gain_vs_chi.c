/* 27_gain_vs_chi.c - the gain that keeps the forward signal (step 23) is
   not the one that keeps the gradient: tanh with 1/sqrt(E[phi^2]) or 5/3
   sits in the chaotic phase, its gradients growing ~1.2x per layer.

   CLAIMS
      A deep tanh net without biases, weights N(0, g^2 / n):
      1. With g = initnn_gain_numeric("tanh") = 1 / sqrt(E[tanh(u)^2]) =
         1.5925 the forward second moment stays at q* = 1 (step 23).
      2. The backward signal is multiplied per layer by
            chi_1 = g^2 E[tanh'(sqrt(q*) u)^2],   u ~ N(0, 1)
         (step 16), which is 1.178 for g = 1.5925 at q* = 1, and 1.210
         for PyTorch's 5/3 at its own fixed point q* = 1.178: both above
         1, the chaotic phase. Over 20 layers E[delta_1^2] / E[delta_20^2]
         = chi_1^19: 22.4 and 37.3.
      3. The edge of chaos for tanh without biases is sigma_w^2 = g^2 = 1
         (initnn_theory_critical_sigma_w2): chi_1 = g^2 tanh'(0)^2 = 1 only
         as q* -> 0, a net whose forward signal dies out. No g keeps both
         the forward second moment and the gradient of a bias-free tanh net;
         sigma_b^2 > 0 moves the critical point to q* > 0 (step 16:
         sigma_w^2 = 1.761 at sigma_b^2 = 0.05).

   DERIVATION
      Forward (step 23): q_l = g^2 E[tanh(sqrt(q_{l-1}) u)^2]; g = 1.5925
      makes q = 1 a fixed point, and 5/3 has its fixed point where
      (25/9) E[tanh(sqrt q u)^2] = q, q* = 1.178.
      Backward (step 16): delta_{l-1} = (W_l^T delta_l) * tanh'(z_{l-1}), so
      E[delta_{l-1}^2] = g^2 E[tanh'(z_{l-1})^2] E[delta_l^2] = chi_1
      E[delta_l^2] at the fixed point. E[tanh'(u)^2] = E[sech(u)^4] = 0.4644
      for u ~ N(0, 1): chi_1 = 2.536 x 0.4644 = 1.178. For 5/3:
      2.778 x E[sech(sqrt(1.178) u)^4] = 2.778 x 0.4355 = 1.210. (The step
      prints both E[sech^4] and both products, from its own quadrature.)
      initnn_theory_fixed_point computes q* and chi_1 for both (the table);
      the claims take their predictions from the step's own quadrature of
      the same integrals, with g = 5/3 and g = 1 / sqrt(E[tanh(u)^2]) from
      that quadrature too, so that an error in the header's gains or theory
      shows as a failed claim rather than moving the prediction with it.
      The forward gain keeps E[tanh^2], the backward factor is set by
      E[tanh'^2]: two different expectations, equal to 1/g^2 only for the
      identity and the positively homogeneous activations: for ReLU,
      E[relu(z)^2] / q = E[relu'(z)^2] = 1/2, so He's sqrt 2 keeps both
      (step 07).

   MEASUREMENT AND TOLERANCE
      20 tanh layers of width 256 (--fast 128), kernels
      "random_normal:g/sqrt(n)", zero biases, a batch of 32 inputs
      N(0, q* / g^2) (so that q_1 = q*) and N(0, 1) targets under MSE;
      initnn_theory_compare measures E[z_l^2] and E[delta_l^2]. K = 16
      (--fast 12) independent nets per gain. As in step 16, the tolerance
      on the mean of log(measured / predicted) over the K nets is
      t s / sqrt(K) + s^2 / 2 (s the nets' spread, t the two-sided 0.1%
      point of Student's t, 4.073 for K = 16 and 4.437 for K = 12), plus 1/n
      per backward step for the O(1/n) bias of the gradient-independence
      assumption (step 07), printed per layer as exp(.../19) - 1. Claim 1
      compares q_20 / q_1 with 1 the same way. Claim 3 is a root found by
      bisection: within 1e-6. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 20
#define MAX_NETS 16

typedef struct gain_case {
    const char *label;
    double gain, q_star, chi_1;
    double reference_gain, reference_chi_1;   /* the step's own quadrature */
    double ratio_log[MAX_NETS];     /* log E[delta_1^2]/E[delta_L^2] per net      */
    double q_log[MAX_NETS];         /* log q_L / q_1 per net                      */
    double mean_q[DEPTH], log_delta[DEPTH];
} gain_case;

/* chi_1 = g^2 E[tanh'^2] at the fixed point of q = g^2 E[tanh(sqrt q u)^2],
   the moments by quadrature (tutorial.h), independent of the header's theory. */
static double reference_chi_1(double gain)
{
    double q = 1.0;
    int i;
    for (i = 0; i < 200; i++) q = gain * gain * tutorial_tanh_moment(q, 1, 0);
    return gain * gain * tutorial_tanh_moment(q, 0, 1);
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

static void run_gain(gain_case *c, int width, int batch, int nets, uint64_t seed)
{
    static initnn_layer_theory table[DEPTH];
    initnn_net *net;
    initnn_rng rng;
    char kernel[64];
    float *X = (float *)malloc((size_t)batch * width * sizeof(float));
    float *targets = (float *)malloc((size_t)batch * width * sizeof(float));
    double input_std;
    int l, r, i;
    if (!X || !targets) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    tutorial_require(initnn_theory_fixed_point(&c->q_star, NULL, &c->chi_1, NULL, NULL, INITNN_ACT_TANH,
                                               0.0f, c->gain * c->gain, 0.0), "initnn_theory_fixed_point");
    snprintf(kernel, sizeof kernel, "random_normal:%.9g", c->gain / sqrt((double)width));
    input_std = sqrt(c->q_star) / c->gain;
    tutorial_require(initnn_net_create(&net, width, batch, seed), "initnn_net_create");
    for (l = 0; l < DEPTH; l++)
        tutorial_require(initnn_net_add_dense(net, width, "tanh", kernel, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_loss(net, INITNN_LOSS_MSE), "initnn_net_set_loss");
    for (l = 0; l < DEPTH; l++) c->mean_q[l] = c->log_delta[l] = 0.0;
    initnn_rng_seed_stream(&rng, seed, 27);
    for (r = 0; r < nets; r++) {
        for (i = 0; i < batch * width; i++) {
            X[i] = (float)input_std * initnn_rng_normal(&rng);
            targets[i] = initnn_rng_normal(&rng);
        }
        tutorial_require(initnn_net_reinit(net, seed * 1000 + (uint64_t)r), "initnn_net_reinit");
        tutorial_require(initnn_theory_compare(net, table, X, NULL, targets, batch), "initnn_theory_compare");
        for (l = 0; l < DEPTH; l++) {
            c->mean_q[l] += table[l].q_measured / nets;
            c->log_delta[l] += log(table[l].delta_measured / table[DEPTH - 1].delta_measured) / nets;
        }
        c->ratio_log[r] = log(table[0].delta_measured / table[DEPTH - 1].delta_measured);
        c->q_log[r] = log(table[DEPTH - 1].q_measured / table[0].q_measured);
    }
    initnn_net_free(net);
    free(X);
    free(targets);
}

/* A claim on a per-layer factor from K nets' logs over `steps` layers. */
static void per_layer_claim(tutorial *t, const char *claim, double predicted, const double *logs, int nets,
                            int steps, double t_quantile, double bias)
{
    double mean, spread;
    mean_and_spread(logs, nets, &mean, &spread);
    tutorial_relative(t, claim, predicted, exp(mean / steps),
                      exp((t_quantile * spread / sqrt((double)nets) + spread * spread / 2.0 + bias) / steps) - 1.0);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"chi_1 = 1.178 per layer: predict E[delta_1^2] / E[delta_50^2] in a 50-layer tanh net with the numeric "
         "gain.",
         pow(1.1778, 49), 0.03},
        {"The identity activation with gain g: predict the g that keeps both the forward second moment and "
         "the gradient (chi_1 = g^2 phi'^2).",
         1.0, 0.001},
        {"ReLU with He's gain sqrt 2: predict chi_1 = g^2 E[relu'(u)^2].", 1.0, 0.001},
        {"Break it: build the kernels with g / sqrt(2 n) instead of g / sqrt(n) (random_normal:%.9g of "
         "c->gain / sqrt(2.0 * width)) while the theory keeps g. Rerun: which claim fails first? Answer with "
         "its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static gain_case cases[2];
    static const int shown[] = {1, 5, 10, 15, 20};
    tutorial t;
    int width, batch = 32, nets, k, i;
    double t_quantile, critical;

    tutorial_start(&t, argc, argv, "27 forward gain vs chi_1: tanh's 1.59 and 5/3 keep q, not the gradient");
    exercises(&t);
    width = t.fast ? 128 : 256;
    nets = t.fast ? 12 : 16;
    t_quantile = t.fast ? 4.437 : 4.073;
    cases[0].label = "numeric 1.5925";
    cases[0].gain = initnn_gain_numeric("tanh", 0.0f);
    cases[0].reference_gain = 1.0 / sqrt(tutorial_tanh_moment(1.0, 1, 0));
    cases[1].label = "table 5/3";
    cases[1].gain = initnn_gain("tanh", 0.0f);
    cases[1].reference_gain = 5.0 / 3.0;   /* PyTorch's calculate_gain("tanh") */
    for (k = 0; k < 2; k++) cases[k].reference_chi_1 = reference_chi_1(cases[k].reference_gain);
    for (k = 0; k < 2; k++) run_gain(&cases[k], width, batch, nets, t.seed);
    tutorial_require(initnn_theory_critical_sigma_w2(&critical, INITNN_ACT_TANH, 0.0f, 0.0),
                     "initnn_theory_critical_sigma_w2");

    printf("%d tanh layers of width %d, no biases, batch %d, %d nets per gain (means over nets)\n", DEPTH, width,
           batch, nets);
    printf("%-16s %7s %7s %7s |", "gain", "g^2", "q*", "chi_1");
    for (i = 0; i < 5; i++) printf("  q_%-4d", shown[i]);
    printf(" | d_1^2/d_20^2\n");
    for (k = 0; k < 2; k++) {
        printf("%-16s %7.4f %7.4f %7.4f |", cases[k].label, cases[k].gain * cases[k].gain, cases[k].q_star,
               cases[k].chi_1);
        for (i = 0; i < 5; i++) printf(" %7.4f", cases[k].mean_q[shown[i] - 1]);
        printf(" | %7.3g (chi_1^19 = %.3g)\n", exp(cases[k].log_delta[0]), pow(cases[k].chi_1, DEPTH - 1));
    }
    /* The derivation's E[sech^4], from the step's own quadrature: chi_1 / g^2. */
    printf("E[tanh'(sqrt(q*) u)^2] = E[sech(sqrt(q*) u)^4]: %.4f at q* = 1 (numeric), %.4f at q* = %.4f (5/3);\n"
           "chi_1 = g^2 E[sech^4] = %.4f x %.4f = %.3f and %.4f x %.4f = %.3f\n",
           cases[0].reference_chi_1 / (cases[0].reference_gain * cases[0].reference_gain),
           cases[1].reference_chi_1 / (cases[1].reference_gain * cases[1].reference_gain), cases[1].q_star,
           cases[0].reference_gain * cases[0].reference_gain,
           cases[0].reference_chi_1 / (cases[0].reference_gain * cases[0].reference_gain), cases[0].reference_chi_1,
           cases[1].reference_gain * cases[1].reference_gain,
           cases[1].reference_chi_1 / (cases[1].reference_gain * cases[1].reference_gain), cases[1].reference_chi_1);
    tutorial_rule_student(t_quantile, nets);
    tutorial_print_heading();
    per_layer_claim(&t, "numeric: (q_20/q_1)^(1/19)", 1.0, cases[0].q_log, nets, DEPTH - 1, t_quantile, 0.0);
    per_layer_claim(&t, "numeric: delta factor/layer", cases[0].reference_chi_1, cases[0].ratio_log, nets, DEPTH - 1,
                    t_quantile, (double)(DEPTH - 1) / width);
    per_layer_claim(&t, "5/3: delta factor/layer", cases[1].reference_chi_1, cases[1].ratio_log, nets, DEPTH - 1, t_quantile,
                    (double)(DEPTH - 1) / width);
    tutorial_absolute(&t, "critical sigma_w^2, no bias", 1.0, critical, 1e-6);
    printf("g^2 = %.3f (numeric) and %.3f (5/3) lie %.2fx and %.2fx above the critical %.4g: chaotic\n",
           cases[0].gain * cases[0].gain, cases[1].gain * cases[1].gain, cases[0].gain * cases[0].gain / critical,
           cases[1].gain * cases[1].gain / critical, critical);
    {
        double x[DEPTH], y[2][DEPTH];
        initnn_plot_series series[2];
        int l;
        tutorial_index(x, DEPTH, 1);
        for (k = 0; k < 2; k++) {
            for (l = 0; l < DEPTH; l++) y[k][l] = exp(cases[k].log_delta[l]);
            series[k] = tutorial_series(cases[k].label, x, y[k], DEPTH);
        }
        tutorial_plot(&t, "tanh, no bias: E[delta_l^2] / E[delta_20^2] grows toward the input", "layer l",
                      "backward signal relative to the output layer", 1, series, 2);
    }
    return tutorial_finish(&t);
}
