/* 14_init_scale_moons.c - the scale of the initial weights decides how a
   small ReLU net on two-moons starts, and how fast it trains.

   CLAIMS
      Net 2 -> 64 ReLU -> 64 ReLU -> softmax(2), every kernel
      "random_normal:s", biases 0, for s = 0.01, 0.1, 0.5, 1.
      A. At initialization (steps 02, 05, 06): E[z_1^2] = s^2 E||x||^2 (two
         inputs), and each ReLU layer after it multiplies the second moment
         by n s^2 / 2 = 32 s^2, so the logits have
            E[z_3^2] = s^2 E||x||^2 (32 s^2)^2,   rms ~ 32 s^3 sqrt(E||x||^2):
         4e-5 for s = 0.01 (the output is constant, p = 1/2 for every input,
         and the loss starts at ln 2 = 0.693) and ~40 for s = 1: confidently
         wrong on a large share of the inputs, where the loss log(1 + e^-d)
         is about |d|, the logit difference. The e = 0 column prints the
         loss at initialization: 32.55 at seed 1 for s = 1, 0.6931 for
         s = 0.01. He's choice for the hidden layers, s = sqrt(2/64) = 0.18,
         is the one that keeps the factor at 1.
      B. ReLU is positively homogeneous (relu(c z) = c relu(z), c > 0) and
         the biases are 0, so with the same seed the four nets are scaled
         copies: the logits scale exactly as s^3 and every unit is on or off
         for the same inputs; the ReLU zero fraction is the same for all s,
         and 1/2 on average (w and -w are equally likely).
      C. Training: the gradient of every kernel is a product of the other
         layers' activations and weights, so at small s it is small: s =
         0.01 has the smallest gradient at initialization (~1e-2), and under
         SGD it sits on the plateau L = ln 2 longest: after the same number
         of epochs its loss is the highest of the four. (With the three
         kernels scaled by s and dL/dlogits of order 1, the backward signal
         is s^2 at layer 1, s at layer 2 and 1 at the output: every kernel
         gradient, a_{l-1}^T delta_l, scales as s^2, while the biases'
         scale as s^2 (b1), s (b2) and 1 (b3).)
         Not claimed, but printed: the largest scale, s = 1, ends with the
         lowest loss (0.0011 after 20 epochs, against 0.215 for s = 0.1),
         not the "moderate scale is best" of deep nets. Its logits start
         large, so its gradients do too (35.9 against 0.203) and the first
         epochs move it fast; three layers multiply E[z^2] by only
         (32 s^2)^2 = 1024, far from overflow (step 08), and on two-moons a
         confident net is a right one once the boundary is found. Depth is
         what makes a large scale fail (steps 06, 08), and Adam's
         normalised steps make the scale matter less (step 26).

   MEASUREMENT AND TOLERANCE
      Two-moons, 512 samples, noise 0.1.
      A: the expectation is over the weights, so it is estimated from
      E[z_3^2] of K independent nets at s = 1 (initnn_net_reinit; K = 256,
      --fast 128). One net's value spreads widely (two output units, and a
      ReLU net's scale is close to lognormal, step 06), and a plain mean of
      lognormal values is skewed, so the estimate is the lognormal mean
      exp(m + v/2), m and v the mean and variance of log E[z_3^2] over the
      nets, within exp(4 sqrt(v/K)) - 1. The same nets give the mean ReLU
      zero fraction, against 1/2 within 4 standard errors of that mean.
      B: the logits' rms ratios against (s/0.01)^3 within 1e-5 (the kernels
      are float(s n_i), so the copies are exact up to one rounding of each
      weight, and the forward pass adds a few more); the zero fractions of
      the four nets must agree within 1e-3 (a unit whose z is within
      rounding of 0 may flip).
      C: initnn_net_diagnose gives the gradient norm at initialization; SGD
      lr 0.1, batches of 32, 20 epochs (--fast 10) by initnn_net_train; the
      final losses are compared. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define HIDDEN 64
#define SCALES 4
#define MAX_EPOCHS 20

static const double scales[SCALES] = {0.01, 0.1, 0.5, 1.0};

static initnn_net *build(double scale, int count, uint64_t seed)
{
    initnn_net *net;
    initnn_optimizer sgd = initnn_sgd(0.1f, 0.0f, 0);
    char spec[64];
    snprintf(spec, sizeof spec, "random_normal:%g", scale);
    tutorial_require(initnn_net_create(&net, 2, count, seed), "initnn_net_create");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, "relu", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, "relu", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, 2, "softmax", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_optimizer(net, &sgd), "initnn_net_set_optimizer");
    return net;
}

/* The fraction of ReLU outputs exactly 0 over both hidden layers. */
static double zero_fraction(const initnn_layer_diag *diag)
{
    return (double)(diag[0].activation.zeros + diag[1].activation.zeros) /
           (double)(diag[0].activation.count + diag[1].activation.count);
}

static void remember_loss(const initnn_epoch_record *record, void *user)
{
    ((double *)user)[record->epoch] = record->train_loss;
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Predict the training loss of the s = 0.01 net at initialization, to three digits.",
         log(2.0), 0.005},
        {"Predict the ratio of the rms logit at s = 0.5 to that at s = 0.1.",
         pow(5.0, 3), 0.002},
        {"Break it: build the nets with 1.1 * scale in the spec (random_normal:1.1 s). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const int shown[] = {0, 1, 5, 10, 20};
    tutorial t;
    initnn_data moons;
    initnn_layer_diag diag[3];
    double input_moment = 0.0, logit_rms[SCALES], zeros[SCALES], grad_norm[SCALES], final_zeros[SCALES];
    double loss[SCALES][MAX_EPOCHS + 1];
    double mean_moment = 0.0, moment_spread = 0.0, mean_zeros = 0.0, zeros_spread = 0.0;
    double *moments, *zero_fractions, worst_scaling = 0.0, worst_zero_difference = 0.0, others_worst = 0.0;
    double smallest_other_norm = HUGE_VAL;
    int count = 512, epochs, nets, k, r, i;

    tutorial_start(&t, argc, argv, "14 init scale on two-moons: random_normal:s for s = 0.01 .. 1");

    exercises(&t);
    epochs = t.fast ? 10 : 20;
    nets = t.fast ? 128 : 256;
    tutorial_require(initnn_make_moons(&moons, count, 0.1f, t.seed), "initnn_make_moons");
    for (i = 0; i < 2 * count; i++) input_moment += (double)moons.x[i] * moons.x[i] / count;
    moments = (double *)malloc((size_t)nets * sizeof(double));
    zero_fractions = (double *)malloc((size_t)nets * sizeof(double));
    if (!moments || !zero_fractions) tutorial_require(INITNN_ERR_MEMORY, "malloc");

    for (k = 0; k < SCALES; k++) {
        initnn_net *net = build(scales[k], count, t.seed);
        initnn_train_config config = initnn_train_defaults();
        tutorial_require(initnn_net_diagnose(net, diag, &grad_norm[k], moons.x, moons.labels, NULL, count),
                         "initnn_net_diagnose");
        logit_rms[k] = sqrt(diag[2].pre_activation.second_moment);
        zeros[k] = zero_fraction(diag);
        loss[k][0] = initnn_net_loss(net, moons.labels, NULL);
        config.epochs = epochs;
        config.batch_size = 32;
        config.on_epoch = remember_loss;
        config.user = loss[k];
        tutorial_require(initnn_net_train(net, &moons, NULL, &config, NULL), "initnn_net_train");
        tutorial_require(initnn_net_diagnose(net, diag, NULL, moons.x, moons.labels, NULL, count),
                         "initnn_net_diagnose");
        final_zeros[k] = zero_fraction(diag);
        if (k == SCALES - 1) {
            /* A: K independent nets at s = 1 for the expectations */
            for (r = 0; r < nets; r++) {
                tutorial_require(initnn_net_reinit(net, t.seed * 1000 + (uint64_t)r + 1), "initnn_net_reinit");
                tutorial_require(initnn_net_diagnose(net, diag, NULL, moons.x, NULL, NULL, count),
                                 "initnn_net_diagnose");
                moments[r] = log(diag[2].pre_activation.second_moment);
                zero_fractions[r] = zero_fraction(diag);
                mean_moment += moments[r] / nets;
                mean_zeros += zero_fractions[r] / nets;
            }
        }
        initnn_net_free(net);
    }
    for (r = 0; r < nets; r++) {
        moment_spread += (moments[r] - mean_moment) * (moments[r] - mean_moment) / (nets - 1);
        zeros_spread += (zero_fractions[r] - mean_zeros) * (zero_fractions[r] - mean_zeros) / (nets - 1);
    }
    for (k = 0; k < SCALES; k++) {
        double expected_ratio = pow(scales[k] / scales[0], 3.0);
        if (fabs(logit_rms[k] / logit_rms[0] / expected_ratio - 1.0) > worst_scaling)
            worst_scaling = fabs(logit_rms[k] / logit_rms[0] / expected_ratio - 1.0);
        if (fabs(zeros[k] - zeros[0]) > worst_zero_difference) worst_zero_difference = fabs(zeros[k] - zeros[0]);
        if (k > 0 && loss[k][epochs] > others_worst) others_worst = loss[k][epochs];
        if (k > 0 && grad_norm[k] < smallest_other_norm) smallest_other_norm = grad_norm[k];
    }

    printf("two-moons (%d), 2 -> %d -> %d -> softmax(2), SGD lr 0.1, E||x||^2 = %.3f\nat initialization:\n",
           count, HIDDEN, HIDDEN, input_moment);
    printf("%-6s %12s %12s %12s %12s\n", "s", "rms logit", "(formula)", "||grad||", "relu zeros");
    for (k = 0; k < SCALES; k++) {
        double s2 = scales[k] * scales[k];
        printf("%-6g %12.3g %12.3g %12.3g %12.3f\n", scales[k], logit_rms[k],
               sqrt(s2 * input_moment * pow(HIDDEN * s2 / 2.0, 2)), grad_norm[k], zeros[k]);
    }
    printf("training loss after e epochs, and the relu zero fraction at the end:\n%-6s", "s");
    for (i = 0; i < (int)(sizeof shown / sizeof shown[0]) && shown[i] <= epochs; i++) printf("   e = %-4d", shown[i]);
    printf(" %12s\n", "relu zeros");
    for (k = 0; k < SCALES; k++) {
        printf("%-6g", scales[k]);
        for (i = 0; i < (int)(sizeof shown / sizeof shown[0]) && shown[i] <= epochs; i++)
            printf(" %10.4f", loss[k][shown[i]]);
        printf(" %12.3f\n", final_zeros[k]);
    }
    tutorial_print_heading();
    /* lognormal: E[X] = exp(E[log X] + Var(log X) / 2) */
    tutorial_relative(&t, "A: E[z_3^2] at s=1, over K nets", input_moment * pow(HIDDEN / 2.0, 2),
                      exp(mean_moment + moment_spread / 2.0), exp(4.0 * sqrt(moment_spread / nets)) - 1.0);
    tutorial_absolute(&t, "A: ReLU zero fraction, mean", 0.5, mean_zeros, 4.0 * sqrt(zeros_spread / nets));
    tutorial_absolute(&t, "B: logit rms / (s/0.01)^3 - 1", 0.0, worst_scaling, 1e-5);
    tutorial_absolute(&t, "B: zero fraction, spread over s", 0.0, worst_zero_difference, 1e-3);
    tutorial_at_most(&t, "C: ||g|| at 0.01 / min other ||g||", 1.0, grad_norm[0] / smallest_other_norm);
    tutorial_at_least(&t, "C: final loss s=0.01 - worst other", 0.0, loss[0][epochs] - others_worst);
    free(moments);
    free(zero_fractions);
    {
        double epoch_index[MAX_EPOCHS + 1];
        initnn_plot_series series[SCALES];
        char names[SCALES][32];
        tutorial_index(epoch_index, epochs + 1, 0);
        for (k = 0; k < SCALES; k++) {
            snprintf(names[k], sizeof names[k], "random_normal:%g", scales[k]);
            series[k] = tutorial_series(names[k], epoch_index, loss[k], epochs + 1);
        }
        tutorial_plot(&t, "Two-moons, SGD lr 0.1: training loss by initial weight scale", "epoch",
                      "training loss", 1, series, SCALES);
    }
    initnn_data_free(&moons);
    return tutorial_finish(&t);
}
