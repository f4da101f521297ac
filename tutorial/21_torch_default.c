/* 21_torch_default.c - PyTorch's default nn.Linear init is not He: it has a
   third of He's variance, and a ReLU net built with it loses E[z^2] by a
   factor 6 per layer until its biases hold it up.

   CLAIMS
   A. nn.Linear.reset_parameters calls kaiming_uniform_(W, a = sqrt 5):
         gain  = sqrt(2 / (1 + a^2)) = sqrt(2 / 6) = sqrt(1/3),
         bound = gain sqrt(3 / fan_in) = sqrt(1 / fan_in),
         Var   = bound^2 / 3 = 1 / (3 fan_in),
      and its bias is U(-1/sqrt(fan_in), 1/sqrt(fan_in)), Var 1/(3 fan_in)
      as well. initnn's "torch_default" draws both (the bias when a layer
      is given none).
   B. In a stack of ReLU layers of width n with these weights,
         q_l = E[z_l^2] = q_{l-1} / 6 + 1 / (3 n),
      so q falls by 1/6 per layer (not the 1 of He) onto the floor the
      biases keep, q* = (1 / (3 n)) / (1 - 1/6) = 2 / (5 n): 0.0016 for
      n = 256, from q_1 = 1/3 + 1/(3n) for unit inputs, within 4 layers.
      "he_uniform" (bound sqrt(6 / n), Var 2/n, zero bias) keeps q = 2.

   DERIVATION
   A. kaiming_uniform_ draws U(-b, b) with b = gain sqrt(3 / fan_in) so
      that Var = b^2 / 3 = gain^2 / fan_in; PyTorch's a = sqrt 5 is the
      leaky-ReLU slope in gain = sqrt(2 / (1 + a^2)) (initnn_gain).
   B. A layer: z_l = W y_{l-1} + b, W and b independent of y, so
      E[z_l^2] = n Var(W) E[y^2] + E[b^2] (step 01 plus the bias), and
      E[relu(z)^2] = E[z^2] / 2 for symmetric z (step 05):
         q_l = (n / (3 n)) q_{l-1} / 2 + 1 / (3 n).
      initnn_theory_predict evaluates the same recursion from the specs.

   MEASUREMENT AND TOLERANCE
   A. The 20 kernels (n^2 weights each) of one net, and the biases of all
      20 layers of all K nets pooled. A sample variance of N draws from a
      uniform has relative standard error sqrt(0.8 / N) (kurtosis 9/5);
      tolerance 4 SE. No |w| or |b| may exceed 1/sqrt(fan_in).
   B. 20 dense ReLU layers of width 256 (--fast 128), a batch of 32 N(0, 1)
      inputs, K = 24 nets (initnn_net_reinit), initnn_net_diagnose. Each
      claim is a log of a measured ratio or level, averaged over the K
      nets; their own spread s gives the standard error s / sqrt(K), and
      the tolerance is t s / sqrt(K) (t = 3.768, the two-sided 0.1% point
      of Student's t with 23 degrees of freedom) plus the lognormal drift
      s^2 / 2 (step 06), shown as a relative tolerance exp(...) - 1. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 20
#define NETS 24
#define T_QUANTILE 3.768       /* Student t, 23 degrees of freedom, two-sided 0.1% */

static void mean_and_spread(const double *v, int k, double *mean, double *spread)
{
    double m = 0.0, s = 0.0;
    int i;
    for (i = 0; i < k; i++) m += v[i] / k;
    for (i = 0; i < k; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *spread = sqrt(s / (k - 1));
}

/* A claim on exp(mean of logs) against predicted, tolerance from their spread. */
static void log_claim(tutorial *t, const char *claim, double predicted, const double *logs)
{
    double mean, spread;
    mean_and_spread(logs, NETS, &mean, &spread);
    tutorial_relative(t, claim, predicted, exp(mean),
                      exp(T_QUANTILE * spread / sqrt((double)NETS) + 0.5 * spread * spread) - 1.0);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"PyTorch's kaiming_uniform_ with a = sqrt(5) on fan_in 256: predict Var(W).",
         1.0 / (3.0 * 256.0), 0.002},
        {"Predict the bias floor 2/(5n) of E[z^2] in a deep ReLU torch_default net of width 256.",
         2.0 / (5.0 * 256.0), 0.002},
        {"Break it: measure q_2 / q_1 with the wrong layer: diag[2] instead of diag[1] in ratio_log. Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         5, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const kernels[2] = {"torch_default", "he_uniform"};
    static const int shown[] = {1, 2, 3, 4, 5, 10, 20};
    enum { SHOWN = sizeof shown / sizeof shown[0] };
    static initnn_layer_theory table[2][DEPTH];
    static double q_mean[2][DEPTH];
    double ratio_log[NETS], floor_log[NETS], he_log[NETS];
    double kernel_var = 0.0, kernel_max = 0.0, bias_sum2 = 0.0, bias_max = 0.0;
    size_t kernel_count = 0, bias_count = 0;
    tutorial t;
    initnn_rng rng;
    float *X;
    int width, batch = 32, k, r, l, i;

    tutorial_start(&t, argc, argv, "21 torch_default: Var(W) = 1/(3 fan_in), a sixth of E[z^2] lost per ReLU layer");

    exercises(&t);
    width = t.fast ? 128 : 256;
    X = (float *)malloc((size_t)batch * width * sizeof(float));
    if (!X) tutorial_require(INITNN_ERR_MEMORY, "malloc");

    for (k = 0; k < 2; k++) {
        initnn_net *net;
        initnn_layer_diag diag[DEPTH];
        tutorial_require(initnn_net_create(&net, width, batch, t.seed), "initnn_net_create");
        /* bias NULL: the preset's default bias (torch_default's own, zeros for he_uniform) */
        for (l = 0; l < DEPTH; l++)
            tutorial_require(initnn_net_add_dense(net, width, "relu", kernels[k], NULL), "initnn_net_add_dense");
        tutorial_require(initnn_theory_predict(table[k], net, 1.0), "initnn_theory_predict");
        initnn_rng_seed_stream(&rng, t.seed, 21);
        for (l = 0; l < DEPTH; l++) q_mean[k][l] = 0.0;
        for (r = 0; r < NETS; r++) {
            for (i = 0; i < batch * width; i++) X[i] = initnn_rng_normal(&rng);
            tutorial_require(initnn_net_reinit(net, t.seed * 1000 + (uint64_t)r), "initnn_net_reinit");
            for (l = 0; k == 0 && l < DEPTH; l++) {
                const initnn_layer *layer = &net->layers[l];
                size_t j;
                for (j = 0; j < layer->bias_count; j++) {
                    bias_sum2 += (double)layer->b[j] * layer->b[j];
                    if (fabs(layer->b[j]) > bias_max) bias_max = fabs(layer->b[j]);
                }
                bias_count += layer->bias_count;
                if (r > 0) continue;
                kernel_var += initnn_variance(layer->W, layer->weight_count) * (double)layer->weight_count;
                kernel_count += layer->weight_count;
                for (j = 0; j < layer->weight_count; j++)
                    if (fabs(layer->W[j]) > kernel_max) kernel_max = fabs(layer->W[j]);
            }
            tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, batch), "initnn_net_diagnose");
            for (l = 0; l < DEPTH; l++) q_mean[k][l] += diag[l].pre_activation.second_moment / NETS;
            if (k == 0) {
                ratio_log[r] = log(diag[1].pre_activation.second_moment / diag[0].pre_activation.second_moment);
                floor_log[r] = log(diag[DEPTH - 1].pre_activation.second_moment);
            } else {
                he_log[r] = log(diag[DEPTH - 1].pre_activation.second_moment / diag[0].pre_activation.second_moment);
            }
        }
        initnn_net_free(net);
    }
    free(X);

    {
        double bound = 1.0 / sqrt((double)width), target = 1.0 / (3.0 * width);
        printf("Part A: fan_in %d: a = sqrt 5 gives gain^2 = %.6f, bound 1/sqrt(fan_in) = %.6f, Var = %.4e\n", width,
               (double)initnn_gain("leaky_relu", (float)sqrt(5.0)) * initnn_gain("leaky_relu", (float)sqrt(5.0)),
               bound, target);
        tutorial_rule_normal(4.0);
        tutorial_print_heading();
        tutorial_relative(&t, "kernel Var = 1/(3 fan_in)", target, kernel_var / (double)kernel_count,
                          4.0 * sqrt(0.8 / (double)kernel_count));
        tutorial_at_most(&t, "kernel max |w| sqrt(fan_in)", 1.0, kernel_max / bound);
        tutorial_relative(&t, "bias E[b^2] = 1/(3 fan_in)", target, bias_sum2 / (double)bias_count,
                          4.0 * sqrt(0.8 / (double)bias_count));
        tutorial_at_most(&t, "bias max |b| sqrt(fan_in)", 1.0, bias_max / bound);
    }

    printf("Part B: %d ReLU layers of width %d, %d nets; E[z_l^2] (measured: mean over nets)\n%-24s", DEPTH,
           width, NETS, "layer");
    for (i = 0; i < SHOWN; i++) printf(" %8d", shown[i]);
    printf("\n");
    for (k = 0; k < 2; k++) {
        printf("%-14s predicted", kernels[k]);
        for (i = 0; i < SHOWN; i++) printf(" %8.3g", table[k][shown[i] - 1].q_predicted);
        printf("\n%-14s  measured", "");
        for (i = 0; i < SHOWN; i++) printf(" %8.3g", q_mean[k][shown[i] - 1]);
        printf("\n");
    }
    printf("the recursion q_l = q_{l-1}/6 + 1/(3n) has its floor at 2/(5n) = %.3g\n", 2.0 / (5.0 * width));
    tutorial_rule_student(T_QUANTILE, NETS);
    tutorial_print_heading();
    log_claim(&t, "torch_default: q_2 / q_1", table[0][1].q_predicted / table[0][0].q_predicted, ratio_log);
    log_claim(&t, "torch_default: q_20 = 2/(5n)", table[0][DEPTH - 1].q_predicted, floor_log);
    log_claim(&t, "he_uniform: q_20 / q_1", table[1][DEPTH - 1].q_predicted / table[1][0].q_predicted, he_log);
    return tutorial_finish(&t);
}
