/* 06_he_kaiming.c - He/Kaiming initialization: Var(W) = 2/n_in for ReLU.

   CLAIM
      In a stack of dense layers z_l = phi(z_{l-1}) W_l, W_l (n, n) zero mean
      with variance s, phi = ReLU, the second moment of the pre-activations
      changes by a factor n s / 2 per layer:
         E[z_l^2] = n s E[phi(z_{l-1})^2] = (n s / 2) E[z_{l-1}^2].
      He et al. (2015): s = 2/n makes the factor 1 at any depth. Xavier with
      equal widths, s = 2/(n + n) = 1/n, makes it 1/2: over 30 layers the
      second moment falls by 2^29 = 5.4e8. For leaky ReLU with slope a,
      E[phi(z)^2] = (1 + a^2)/2 E[z^2], so s = 2 / ((1 + a^2) n)
      ("he_normal:a") gives 1 again, and plain He gives (1 + a^2) per layer.

   DERIVATION
      E[z_l^2] = n s E[x^2] for x = phi(z_{l-1}) and W_l zero mean and
      independent of x (step 02; x need not be zero mean). z_{l-1} is
      symmetric about 0 because its weights are (w and -w are equally
      likely), so E[relu(z)^2] = E[z^2]/2 (step 05) and
      E[leaky(z)^2] = (1/2) E[z^2] + (a^2/2) E[z^2]. Note the claim is about
      E[z^2]: Var(relu(z)) is 0.34 Var(z), and a rule built on it would be
      wrong (step 05).

   MEASUREMENT AND TOLERANCE
      30 dense layers of width n (256; --fast 64), batches of 32 N(0, 1)
      inputs, initnn_net_diagnose; the claim compares the per-layer factor
      (E[z_30^2] / E[z_1^2])^(1/29) with its prediction.
      The log of the measured ratio is a sum of 29 matrix steps and 29
      activation steps, each with a small independent error:
      - matrix step (step 02): relative variance 2 tr(G^2) / (n tr(G)^2),
        G the Gram matrix of the layer's input batch;
      - activation step: the fraction rho_j = sum_b phi(z_bj)^2 / sum_b z_bj^2
        that unit j keeps has mean (1 + a^2)/2 (w_j and -w_j are equally
        likely) and is independent across units given the input; the
        layer's factor sum_j rho_j ||z_j||^2 / sum_j ||z_j||^2 then has
        relative variance Var(rho) sum_j ||z_j||^4 / (sum_j ||z_j||^2)^2 /
        E[rho]^2, with Var(rho) the sample variance over the n units. In a
        deep ReLU net the samples of a batch grow correlated, each unit is
        on or off for most of them, rho_j is near 0 or 1 and this term is
        the larger one.
      SE(log ratio) of one net is the root of the sum of all of them
      (printed per case; above the sqrt(2 * 29 / n) of the matrix steps
      alone): too coarse to tell a per-layer error of a few percent,
      compounded over 29 layers, from none. So the
      step averages log(E[z_30^2] / E[z_1^2]) over K independent nets
      (initnn_net_reinit), which divides the SE by sqrt(K). A product of
      noisy factors also has E[log] below log E by half its variance (the
      lognormal drift, variance/2, printed beside the SE), so the tolerance
      on the mean log is 4 SE + drift, printed per layer as
      exp((4 SE + drift) / 29) - 1. The leaky cases use a = 0.5, where the
      uncorrected factor 1.25^29 = 646 is far outside that tolerance. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 30

typedef struct net_case {
    const char *label;
    const char *activation;
    const char *kernel;
    double slope;             /* negative slope a of the activation           */
    double weight_scale;      /* n Var(w)                                     */
} net_case;

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Leaky ReLU with slope a = 0.2: predict the n_in Var(W) that keeps E[z^2] from layer to layer.",
         2.0 / (1.0 + 0.04), 0.005},
        {"ReLU layers with glorot_normal on equal widths halve E[z^2]. Predict log10 of the factor over the 29 steps between layers 1 and 30.",
         29.0 * log10(0.5), 0.005},
        {"Leaky ReLU a = 0.5 with he_normal:0.25 (the gain for the wrong slope): predict the per-layer factor of E[z^2].",
         (2.0 / (1.0 + 0.0625)) * (1.0 + 0.25) / 2.0, 0.005},
        {"Break it: give the \"relu, he_normal\" case the kernel \"lecun_normal\" (Var 1/n_in), keeping its predicted factor. Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const net_case cases[] = {
        {"relu, he_normal", "relu", "he_normal", 0.0, 2.0},
        {"relu, glorot_normal", "relu", "glorot_normal", 0.0, 1.0},
        {"leaky .5, he_normal:0.5", "leaky_relu:0.5", "he_normal:0.5", 0.5, 2.0 / 1.25},
        {"leaky .5, he_normal", "leaky_relu:0.5", "he_normal", 0.5, 2.0},
    };
    enum { CASES = sizeof cases / sizeof cases[0] };
    static const int shown[] = {1, 5, 10, 15, 20, 25, 30};
    enum { SHOWN = sizeof shown / sizeof shown[0] };
    double profile[CASES][DEPTH], mean_log_ratio[CASES], log_se[CASES], drift[CASES];
    tutorial t;
    initnn_rng rng;
    initnn_layer_diag diag[DEPTH];
    float *X;
    int width, batch, nets, k, r, l, i;

    tutorial_start(&t, argc, argv, "06 He/Kaiming: Var(W) = 2/n_in keeps E[z^2] through ReLU layers");

    exercises(&t);
    width = t.fast ? 64 : 256;
    batch = 32;
    nets = 8;
    X = (float *)malloc((size_t)batch * width * sizeof(float));
    if (!X) tutorial_require(INITNN_ERR_MEMORY, "malloc");

    for (k = 0; k < CASES; k++) {
        initnn_net *net;
        double variance_sum = 0.0;
        tutorial_require(initnn_net_create(&net, width, batch, t.seed), "initnn_net_create");
        for (l = 0; l < DEPTH; l++)
            tutorial_require(initnn_net_add_dense(net, width, cases[k].activation, cases[k].kernel, "zeros"),
                             "initnn_net_add_dense");
        /* Every case sees the same inputs and the same normals (scaled). */
        initnn_rng_seed_stream(&rng, t.seed, 1);
        mean_log_ratio[k] = 0.0;
        for (l = 0; l < DEPTH; l++) profile[k][l] = 0.0;
        for (r = 0; r < nets; r++) {
            double variance = 0.0;
            for (i = 0; i < batch * width; i++) X[i] = initnn_rng_normal(&rng);
            tutorial_require(initnn_net_reinit(net, t.seed * 1000 + (uint64_t)r), "initnn_net_reinit");
            tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, batch), "initnn_net_diagnose");
            for (l = 0; l < DEPTH; l++) profile[k][l] += diag[l].pre_activation.second_moment / nets;
            mean_log_ratio[k] += log(diag[DEPTH - 1].pre_activation.second_moment /
                                     diag[0].pre_activation.second_moment) / nets;
            for (l = 1; l < DEPTH; l++) {
                const initnn_layer *below = &net->layers[l - 1];
                variance += tutorial_activation_step_variance(below->z, below->y, batch, width);
                variance += tutorial_factor_variance(below->y, batch, width, width);
            }
            variance_sum += variance;
        }
        log_se[k] = sqrt(variance_sum) / nets;
        drift[k] = 0.5 * variance_sum / nets;
        initnn_net_free(net);
    }

    printf("%d nets of width %d, batch %d; E[z_l^2] at layer l, mean over nets:\n%-24s", nets, width, batch,
           "layer");
    for (i = 0; i < SHOWN; i++) printf(" %7d", shown[i]);
    printf("\n");
    for (k = 0; k < CASES; k++) {
        printf("%-24s", cases[k].label);
        for (i = 0; i < SHOWN; i++) printf(" %7.2g", profile[k][shown[i] - 1]);
        printf("\n");
    }
    printf("%-24s %7s %7s\n", "log(E[z_30^2]/E[z_1^2])", "1 net SE", "drift");
    for (k = 0; k < CASES; k++)
        printf("%-24s %8.2f %7.2f\n", cases[k].label, log_se[k] * sqrt((double)nets), drift[k]);
    tutorial_rule_normal(4.0);
    tutorial_print_heading();
    for (k = 0; k < CASES; k++) {
        double predicted = cases[k].weight_scale * (1.0 + cases[k].slope * cases[k].slope) / 2.0;
        char claim[64];
        snprintf(claim, sizeof claim, "%s: per layer", cases[k].label);
        tutorial_relative(&t, claim, predicted, exp(mean_log_ratio[k] / (DEPTH - 1)),
                          exp((4.0 * log_se[k] + drift[k]) / (DEPTH - 1)) - 1.0);
    }
    printf("over %d layers he keeps E[z^2], glorot loses 2^%d = %.2g, and leaky\n"
           "with the ReLU gain gains 1.25^%d = %.0f\n", DEPTH, DEPTH - 1, pow(2.0, DEPTH - 1), DEPTH - 1,
           pow(1.25, DEPTH - 1));
    {
        double layers[DEPTH];
        initnn_plot_series series[CASES];
        tutorial_index(layers, DEPTH, 1);
        for (k = 0; k < CASES; k++) series[k] = tutorial_series(cases[k].label, layers, profile[k], DEPTH);
        tutorial_plot(&t, "E[z_l^2] through 30 (leaky) ReLU layers, mean of 8 nets", "layer l", "E[z_l^2]", 1,
                      series, CASES);
    }
    free(X);
    return tutorial_finish(&t);
}
