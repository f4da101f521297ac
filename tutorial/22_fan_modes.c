/* 22_fan_modes.c - on a net whose widths change, fan_in keeps the forward
   signal, fan_out keeps the backward one, and fan_avg keeps neither.

   CLAIM
      A 784-2048-64-10 net, ReLU on the two hidden layers, linear output,
      kernels "he_normal:0,MODE": Var(W) = 2 / n_MODE with n_MODE = fan_in,
      fan_out or (fan_in + fan_out) / 2 (PyTorch's kaiming_normal_ mode,
      Keras' VarianceScaling mode). Over the last two layers:
         forward   E[z_3^2] / E[z_1^2]        fan_in 1,       fan_out 204.8,
                                              fan_avg 3.35
         backward  E[delta_1^2] / E[delta_3^2] fan_in 0.0049, fan_out 1,
                                              fan_avg 0.0164
         first layer alone  E[z_2^2] / E[z_1^2]  fan_in 1, fan_out 32,
                                              fan_avg 1.94
      (delta = dL/dz). Only fan_in keeps the activations' scale and only
      fan_out the gradients'; fan_avg lands in between on both.

   DERIVATION
      Forward (step 02, step 05): z_l = W_l relu(z_{l-1}), so
         E[z_l^2] = n_{l-1} Var(W_l) E[z_{l-1}^2] / 2 = (n_{l-1} / n_MODE) E[z_{l-1}^2],
      1 for fan_in; n_{l-1} / n_l for fan_out: 2048/64 = 32 then 64/10 = 6.4,
      product 204.8; 2 n_{l-1} / (n_{l-1} + n_l) for fan_avg: 1.94 * 1.73.
      Backward (step 03): delta_{l-1} = (delta_l W_l^T) relu'(z_{l-1}), so
         E[delta_{l-1}^2] = n_l Var(W_l) E[delta_l^2] / 2 = (n_l / n_MODE) E[delta_l^2],
      1 for fan_out; n_l / n_{l-1} for fan_in: (10/64)(64/2048) = 10/2048;
      2 n_l / (n_{l-1} + n_l) for fan_avg: (20/74)(128/2112).
      (relu' is 0 or 1, E[relu'(z)^2] = 1/2.) initnn_theory_predict gives
      the same from the specs.

   MEASUREMENT AND TOLERANCE
      A batch of 64 (--fast 32) N(0, 1) inputs and N(0, 1000^2) targets
      under MSE; initnn_theory_compare measures E[z_l^2] and E[delta_l^2]
      per layer; K = 32 (--fast 16) nets per mode (initnn_net_reinit). Why such
      targets: the MSE gradient at the output is 2 (y - t) / (B 10), and
      its part 2 y / (B 10) = 2 h W_3 / (B 10) carries W_3, so
      delta_2 = delta_3 W_3^T would contain h W_3 W_3^T, whose second moment
      is not the product the derivation assumes (W_3 independent of
      delta_3). With only 10 outputs that inflates E[delta_2^2] markedly
      with unit targets; with targets 1000 times larger than y the output
      gradient is practically independent of the weights, as assumed (its
      y part has the second moment E[z_3^2] printed in the table, against
      1000^2 for the targets). The 10-unit output
      layer makes single nets noisy (a layer's second moment over n units
      has relative standard error about sqrt(2 / n), n = 10), so each
      claim averages log ratios over the K nets and takes their own spread
      s: standard error s / sqrt(K), tolerance t s / sqrt(K) (t = 3.633 for
      K = 32, 4.073 for K = 16: the two-sided 0.1% point of Student's t with
      K - 1 degrees of freedom) plus the lognormal drift s^2 / 2, shown as
      exp(...) - 1; the modes' predictions differ by large factors (the
      printed rows).
      The forward claims over two layers are the noisy ones: a ReLU output
      keeps a third of its second moment in its mean (E[relu]^2 /
      E[relu^2] = 1/pi), one direction, and the 10 output columns see that
      direction as a chi-square of 10 degrees of freedom; the per-net
      spread in log stays large whatever the batch, and so do their
      tolerances (printed; wider with --fast). The step therefore also
      claims the first forward step alone, E[z_2^2] / E[z_1^2] (fan_in 1,
      fan_out 2048/64 = 32, fan_avg 2 x 2048 / 2112 = 1.94), over 64 units:
      a few % tolerance, enough to catch a 10% error in the ReLU second
      moment (tutorial/mutate.sh).
      All three modes draw the same normals from the same seeds, and the
      specs differ only by a constant factor per layer; ReLU being
      homogeneous, the three nets are scaled copies and their measured
      errors coincide: a paired comparison. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define MAX_NETS 32
#define LAYERS 3
#define TARGET_STD 1000.0      /* output gradient set by the targets alone (see above) */

static void mean_and_spread(const double *v, int k, double *mean, double *spread)
{
    double m = 0.0, s = 0.0;
    int i;
    for (i = 0; i < k; i++) m += v[i] / k;
    for (i = 0; i < k; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *spread = sqrt(s / (k - 1));
}

/* A claim on exp(mean of logs) against predicted; t_quantile is Student's
   t for nets - 1 degrees of freedom. */
static void log_claim(tutorial *t, const char *claim, double predicted, const double *logs, int nets,
                      double t_quantile)
{
    double mean, spread;
    mean_and_spread(logs, nets, &mean, &spread);
    tutorial_relative(t, claim, predicted, exp(mean),
                      exp(t_quantile * spread / sqrt((double)nets) + 0.5 * spread * spread) - 1.0);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"fan_in mode on 784-2048-64-10: predict E[d_1^2]/E[d_3^2] from the backward factors n_out Var(W) (1/2 for each ReLU).",
         (64.0 * 2.0 / 2048.0 / 2.0) * (10.0 * 2.0 / 64.0 / 2.0), 0.005},
        {"fan_out mode: predict the forward ratio E[z_3^2]/E[z_2^2] (layer 3 has n_in 64, n_out 10).",
         64.0 * 2.0 / 10.0 / 2.0, 0.005},
        {"Break it: measure the forward ratio with table[1] instead of table[2] (E[z_2^2]/E[z_1^2]). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         3, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const modes[3] = {"fan_in", "fan_out", "fan_avg"};
    static const int widths[LAYERS] = {2048, 64, 10};
    static const char *const activations[LAYERS] = {"relu", "relu", "identity"};
    static initnn_layer_theory table[LAYERS];
    double predicted_forward[3], predicted_backward[3], forward_log[3][MAX_NETS], backward_log[3][MAX_NETS];
    double predicted_first[3], first_log[3][MAX_NETS];
    double q_mean[3][LAYERS], delta_mean[3][LAYERS];
    tutorial t;
    initnn_rng rng;
    float *X, *targets;
    const int input_dim = 784;
    double t_quantile;
    int batch, nets, m, r, l, i;

    tutorial_start(&t, argc, argv, "22 fan modes: fan_in keeps the forward signal, fan_out the backward");

    exercises(&t);
    batch = t.fast ? 32 : 64;
    nets = t.fast ? 16 : 32;
    t_quantile = t.fast ? 4.073 : 3.633;   /* two-sided 0.1% point, nets - 1 degrees of freedom */
    X = (float *)malloc((size_t)batch * input_dim * sizeof(float));
    targets = (float *)malloc((size_t)batch * 10 * sizeof(float));
    if (!X || !targets) tutorial_require(INITNN_ERR_MEMORY, "malloc");

    for (m = 0; m < 3; m++) {
        initnn_net *net;
        char spec[64];
        snprintf(spec, sizeof spec, "he_normal:0,%s", modes[m]);
        tutorial_require(initnn_net_create(&net, input_dim, batch, t.seed), "initnn_net_create");
        for (l = 0; l < LAYERS; l++)
            tutorial_require(initnn_net_add_dense(net, widths[l], activations[l], spec, "zeros"), "initnn_net_add_dense");
        tutorial_require(initnn_net_set_loss(net, INITNN_LOSS_MSE), "initnn_net_set_loss");
        tutorial_require(initnn_theory_predict(table, net, 1.0), "initnn_theory_predict");
        predicted_forward[m] = table[2].q_predicted / table[0].q_predicted;
        predicted_backward[m] = table[0].delta_predicted / table[2].delta_predicted;
        predicted_first[m] = table[1].q_predicted / table[0].q_predicted;
        for (l = 0; l < LAYERS; l++) q_mean[m][l] = delta_mean[m][l] = 0.0;
        initnn_rng_seed_stream(&rng, t.seed, 22);
        for (r = 0; r < nets; r++) {
            for (i = 0; i < batch * input_dim; i++) X[i] = initnn_rng_normal(&rng);
            for (i = 0; i < batch * 10; i++) targets[i] = TARGET_STD * initnn_rng_normal(&rng);
            tutorial_require(initnn_net_reinit(net, t.seed * 1000 + (uint64_t)r), "initnn_net_reinit");
            tutorial_require(initnn_theory_compare(net, table, X, NULL, targets, batch), "initnn_theory_compare");
            for (l = 0; l < LAYERS; l++) {
                q_mean[m][l] += table[l].q_measured / nets;
                delta_mean[m][l] += table[l].delta_measured / table[2].delta_measured / nets;
            }
            forward_log[m][r] = log(table[2].q_measured / table[0].q_measured);
            backward_log[m][r] = log(table[0].delta_measured / table[2].delta_measured);
            first_log[m][r] = log(table[1].q_measured / table[0].q_measured);
        }
        initnn_net_free(net);
    }
    free(X);
    free(targets);

    printf("784-2048-64-10, relu, relu, linear; batch %d, %d nets per mode (means over nets)\n", batch, nets);
    printf("%-20s %10s %10s %10s   %10s %10s\n", "he_normal:0,MODE", "E[z_1^2]", "E[z_2^2]", "E[z_3^2]",
           "E[d_1^2]", "E[d_2^2]");
    for (m = 0; m < 3; m++)
        printf("%-20s %10.4g %10.4g %10.4g   %10.4g %10.4g\n", modes[m], q_mean[m][0], q_mean[m][1], q_mean[m][2],
               delta_mean[m][0], delta_mean[m][1]);
    printf("(E[d_l^2] relative to the output layer's)\n");
    tutorial_rule_student(t_quantile, nets);
    tutorial_print_heading();
    for (m = 0; m < 3; m++) {
        char claim[64];
        snprintf(claim, sizeof claim, "%s: E[z_3^2]/E[z_1^2]", modes[m]);
        log_claim(&t, claim, predicted_forward[m], forward_log[m], nets, t_quantile);
        snprintf(claim, sizeof claim, "%s: E[d_1^2]/E[d_3^2]", modes[m]);
        log_claim(&t, claim, predicted_backward[m], backward_log[m], nets, t_quantile);
    }
    for (m = 0; m < 3; m++) {
        char claim[64];
        snprintf(claim, sizeof claim, "%s: E[z_2^2]/E[z_1^2]", modes[m]);
        log_claim(&t, claim, predicted_first[m], first_log[m], nets, t_quantile);
    }
    return tutorial_finish(&t);
}
