/* 08_exploding_gradients.c - norms that grow like c^L, until float32 gives up.

   CLAIMS
      In a stack of linear layers whose matrices all have every singular
      value equal to c (kernel "orthogonal:c", step 13), every signal is
      scaled by exactly c per layer:
         ||z_l|| = c^l ||x||                  (forward, each sample)
         ||delta_{l-1}||_F = c ||delta_l||_F  (backward: delta W^T, the same
                                               singular values)
      A. Over 40 layers with c = 2 both grow by 2^39..2^40 ~ 1e12: the
         measured per-layer factors are c.
      B. Training the 40-layer net with SGD: the first gradient is ~c^39 in
         size, so the first update replaces weights of size ~2 / sqrt(32) by
         lr * 1e12; the second forward pass overflows. initnn does not let
         the NaN in: initnn_net_train_batch returns INITNN_ERR_NONFINITE with
         a message saying where, and makes no update, so the weights stay
         those of the last finite step.
      C. float32 ends at FLT_MAX = 3.4e38. The largest entry of a sample of
         norm r lies between r / sqrt(n) and r (and no partial sum of the
         product exceeds r: |sum_i y_i w_ij| <= ||y|| ||w_j|| = c ||y||), so
         the first Inf appears at the first layer l with
            2^l max_b ||x_b|| > FLT_MAX            (not before), and
            2^l max_b ||x_b|| / sqrt(n) > FLT_MAX  (not after);
         a window of log2(sqrt n) = 2.5 layers for n = 32. From there on the
         loss is NaN.

   MEASUREMENT AND TOLERANCE
      A: a net of 39 dense identity layers and a softmax layer, width n = 32,
      all "orthogonal:2"; batch of N(0, 1) inputs with random labels;
      initnn_net_diagnose gives E[z^2] and E[delta^2] per layer. Each layer's
      factor is exact up to rounding: the kernel's entries are rounded to
      float (spectral norm error <= u ||Q||_F = u sqrt(n), u = 2^-24) and
      each dot product of n terms is off by at most n u relative (the
      classical bound), so the per-layer factor is within (n + sqrt(n)) u
      of c.
      B: the A net, SGD lr 0.01: the step that fails, its return code, and
      a bitwise comparison of the weights with a copy taken before that
      step.
      C: the same with 150 layers; the first layer whose activations have a
      non-finite entry (activation.nonfinite) must fall in the window. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#include <float.h>

#define WIDTH 32
#define GAIN 2.0

static initnn_net *build(int hidden_layers, int batch, uint64_t seed)
{
    initnn_net *net;
    char spec[32];
    int l;
    snprintf(spec, sizeof spec, "orthogonal:%g", GAIN);
    tutorial_require(initnn_net_create(&net, WIDTH, batch, seed), "initnn_net_create");
    for (l = 0; l < hidden_layers; l++)
        tutorial_require(initnn_net_add_dense(net, WIDTH, "identity", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, WIDTH, "softmax", spec, "zeros"), "initnn_net_add_dense");
    return net;
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Kernels \"orthogonal:1.5\" in the 40-layer net of part A: predict rms z_39 / rms z_1.",
         pow(1.5, 38), 0.01},
        {"A norm of 7 doubled once per layer: predict after how many doublings it first exceeds FLT_MAX = 3.4e38 (an integer).",
         ceil(log2(3.4028235e38 / 7.0)), 0.0},
        {"Break it: build the kernels with 1.1 * GAIN in the spec while the predictions keep GAIN. Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    enum { DEPTH = 40, OVERFLOW_DEPTH = 150 };
    static const int shown[] = {1, 10, 20, 30, 39};
    tutorial t;
    initnn_rng rng;
    initnn_layer_diag *diag;
    initnn_net *net;
    float *X, *saved;
    int *labels;
    double layer_index[DEPTH], forward_rms[DEPTH], backward_rms[DEPTH];
    int batch, i, l;
    double rounding = (WIDTH + sqrt((double)WIDTH)) * ldexp(1.0, -24), largest_norm = 0.0;

    tutorial_start(&t, argc, argv, "08 exploding gradients: norms grow like c^L until Inf");

    exercises(&t);
    batch = t.fast ? 32 : 64;
    X = (float *)malloc((size_t)batch * WIDTH * sizeof(float));
    labels = (int *)malloc((size_t)batch * sizeof(int));
    diag = (initnn_layer_diag *)malloc((OVERFLOW_DEPTH + 1) * sizeof *diag);
    if (!X || !labels || !diag) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed_stream(&rng, t.seed, 1);
    for (i = 0; i < batch * WIDTH; i++) X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < batch; i++) labels[i] = (int)initnn_rng_below(&rng, WIDTH);
    for (i = 0; i < batch; i++) {
        double norm = sqrt(initnn_second_moment(X + (size_t)i * WIDTH, WIDTH) * WIDTH);
        if (norm > largest_norm) largest_norm = norm;
    }

    /* A. the growth rate */
    net = build(DEPTH - 1, batch, t.seed);
    tutorial_require(initnn_net_diagnose(net, diag, NULL, X, labels, NULL, batch), "initnn_net_diagnose");
    printf("A. %d layers of width %d, kernels \"orthogonal:%g\", batch %d\n", DEPTH, WIDTH, GAIN, batch);
    printf("%-6s %14s %14s %14s\n", "layer", "rms z_l", "rms delta_l", "grad_norm");
    for (i = 0; i < (int)(sizeof shown / sizeof shown[0]); i++) {
        l = shown[i] - 1;
        printf("%-6d %14.4g %14.4g %14.4g\n", l + 1, sqrt(diag[l].pre_activation.second_moment),
               sqrt(diag[l].delta.second_moment), diag[l].grad_norm);
    }
    for (l = 0; l < DEPTH; l++) {
        layer_index[l] = l + 1;
        forward_rms[l] = sqrt(diag[l].pre_activation.second_moment);
        backward_rms[l] = sqrt(diag[l].delta.second_moment);
    }
    tutorial_print_heading();
    tutorial_relative(&t, "forward factor per layer", GAIN,
                      pow(diag[DEPTH - 2].pre_activation.second_moment / initnn_second_moment(X, (size_t)batch * WIDTH),
                          0.5 / (DEPTH - 1)),
                      rounding);
    tutorial_relative(&t, "backward factor per layer", GAIN,
                      pow(diag[0].delta.second_moment / diag[DEPTH - 1].delta.second_moment, 0.5 / (DEPTH - 1)),
                      rounding);

    /* B. training it: the second step overflows */
    {
        initnn_optimizer sgd = initnn_sgd(0.01f, 0.0f, 0);
        float loss = 0.0f;
        double grad_norm = 0.0;
        int step, failed_step = 0, err = 0, unchanged = 1, finite = 1;
        size_t k;
        saved = (float *)malloc(net->param_count * sizeof(float));
        if (!saved) tutorial_require(INITNN_ERR_MEMORY, "malloc");
        tutorial_require(initnn_net_set_optimizer(net, &sgd), "initnn_net_set_optimizer");
        printf("B. SGD lr 0.01 on the same net\n");
        for (step = 1; step <= 5 && !failed_step; step++) {
            memcpy(saved, net->params, net->param_count * sizeof(float));
            initnn_clear_error();
            err = initnn_net_train_batch(net, X, labels, NULL, batch, &loss, &grad_norm);
            if (err)
                printf("  step %d: loss %s, returns %d\n", step, loss != loss ? "NaN" : "Inf", err);
            else
                printf("  step %d: loss %.4g, gradient norm %.4g, returns 0\n", step, (double)loss, grad_norm);
            if (err) failed_step = step;
        }
        printf("  initnn_last_error():\n");
        tutorial_print_wrapped("    ", initnn_last_error());
        for (k = 0; k < net->param_count; k++) {
            if (net->params[k] != saved[k]) unchanged = 0;
            if (!(net->params[k] - net->params[k] == 0.0f)) finite = 0;
        }
        tutorial_print_heading();
        tutorial_absolute(&t, "step that fails", 2, failed_step, 0);
        tutorial_absolute(&t, "its return code (NONFINITE)", INITNN_ERR_NONFINITE, err, 0);
        tutorial_absolute(&t, "weights changed by the failed step", 0, !unchanged, 0);
        tutorial_absolute(&t, "non-finite weights after it", 0, !finite, 0);
        free(saved);
    }
    initnn_net_free(net);

    /* C. where float32 overflows */
    {
        int first_nonfinite = 0;
        double lowest = ceil(log2(FLT_MAX / largest_norm));
        double highest = ceil(log2(FLT_MAX * sqrt((double)WIDTH) / largest_norm));
        net = build(OVERFLOW_DEPTH - 1, batch, t.seed);
        tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, batch), "initnn_net_diagnose");
        for (l = 0; l < OVERFLOW_DEPTH && !first_nonfinite; l++)
            if (diag[l].activation.nonfinite > 0) first_nonfinite = l + 1;
        printf("C. %d layers; largest input norm %.3f: overflow predicted in layers %.0f..%.0f\n", OVERFLOW_DEPTH,
               largest_norm, lowest, highest);
        printf("   rms z at layer %d: %.3g; non-finite entries at layer %d: %lu of %d\n", first_nonfinite - 1,
               sqrt(diag[first_nonfinite - 2].pre_activation.second_moment), first_nonfinite,
               (unsigned long)diag[first_nonfinite - 1].activation.nonfinite, batch * WIDTH);
        tutorial_print_heading();
        tutorial_at_least(&t, "first Inf layer >= lowest", lowest, first_nonfinite);
        tutorial_at_most(&t, "first Inf layer <= highest", highest, first_nonfinite);
        initnn_net_free(net);
    }
    {
        initnn_plot_series series[2];
        series[0] = tutorial_series("rms z_l (forward)", layer_index, forward_rms, DEPTH);
        series[1] = tutorial_series("rms delta_l = dL/dz_l (backward)", layer_index, backward_rms, DEPTH);
        tutorial_plot(&t, "40 layers of orthogonal:2 kernels: both signals grow by 2 per layer", "layer", "rms", 1,
                      series, 2);
    }
    free(X);
    free(labels);
    free(diag);
    return tutorial_finish(&t);
}
