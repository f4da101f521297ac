/* 03_backward_condition.c - the gradient has a variance condition of its own.

   CLAIM
      Backpropagation through a linear layer z_l = z_{l-1} W_l, W_l (n_in, n_out)
      with independent zero-mean entries of variance s_l, multiplies the
      variance of the gradient delta_l = dL/dz_l by n_out s_l on the way down:
         Var(delta_{l-1}) = n_out s_l Var(delta_l),
      while the forward pass multiplies the activation variance by n_in s_l
      (step 02). The forward condition n_in s = 1 and the backward condition
      n_out s = 1 both hold only if n_in = n_out: on a net whose widths change,
      keeping one signal constant makes the other grow or shrink by
      n_in / n_out per layer.

   DERIVATION
      delta_{l-1} = delta_l W_l^T, so unit i of layer l-1 receives
         delta_{l-1,i} = sum_{j=1..n_out} W_l[i][j] delta_{l,j},
      a sum of n_out products of a weight and a gradient. Assume, as Glorot &
      Bengio (2010) do, that W_l is independent of delta_l (delta_l is made
      from the loss and the layers above l) and zero mean; step 01 then gives
      Var(delta_{l-1}) = n_out s_l Var(delta_l). (With an activation phi the
      factor gains E[phi'(z)^2]; here phi is the identity.)
      Over layers 2..L the backward factors multiply, over 1..L the forward.
      Var(W) = 1/n_in (LeCun, "fan_in") keeps the forward signal, 1/n_out
      ("fan_out") the backward one, and Glorot's 2/(n_in + n_out) ("fan_avg",
      step 04) splits the difference: both ratios are off, but less.

   MEASUREMENT AND TOLERANCE
      A net of dense identity layers whose width halves each time (1024 ->
      512 -> 256 -> 128 -> 64; --fast: 512 -> ... -> 32), one per mode,
      "variance_scaling:1,MODE,normal". initnn_net_diagnose with a mean
      squared error gives each layer's pre-activation (forward) and dL/dz
      (backward) second moments. The targets have std 1000, so the output
      gradient 2 (y - t) / (B n) is, to 1e-5 relative, independent noise:
      without that, delta_L would contain y, which depends on the weights,
      and the independence assumption would not hold for the top layer.
      Tolerance as in step 02: a layer's factor ||Y W||^2 / ||Y||^2 (forward;
      Y the layer's input) or ||D W^T||^2 / ||D||^2 (backward; D = delta_l)
      has relative variance 2 tr(G^2) / (m tr(G)^2) for the Gram matrix G of
      Y (or D) and m the number of outputs of the map (n_out forward, n_in
      backward); the log-errors add over the layers and the claim passes
      within 4 standard errors of the log, shown as exp(4 SE) - 1. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define LAYERS 4

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"fan_avg on a layer with n_in = 2 n_out: predict the forward factor n_in Var(W) of one layer.",
         2.0 * 2.0 / 3.0, 0.01},
        {"Make the widths halve over 6 layers instead of 4 (2048 -> ... -> 32) with fan_in. Predict Var(d_1)/Var(d_6) going back through the 5 layers above layer 1.",
         pow(0.5, 5), 0.01},
        {"Break it: spell the first mode \"fan_out\" instead of \"fan_in\" (the modes[] table). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const modes[] = {"fan_in", "fan_out", "fan_avg"};
    tutorial t;
    initnn_rng rng;
    initnn_layer_diag diag[LAYERS];
    int widths[LAYERS + 1];
    float *X, *targets;
    int batch, mode, l, i;

    tutorial_start(&t, argc, argv, "03 the backward condition: Var(delta_{l-1}) = n_out Var(w) Var(delta_l)");

    exercises(&t);
    widths[0] = t.fast ? 512 : 1024;
    for (l = 1; l <= LAYERS; l++) widths[l] = widths[l - 1] / 2;
    batch = t.fast ? 128 : 256;
    X = (float *)malloc((size_t)batch * widths[0] * sizeof(float));
    targets = (float *)malloc((size_t)batch * widths[LAYERS] * sizeof(float));
    if (!X || !targets) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed_stream(&rng, t.seed, 1);
    for (i = 0; i < batch * widths[0]; i++) X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < batch * widths[LAYERS]; i++) targets[i] = 1000.0f * initnn_rng_normal(&rng);

    printf("widths %d", widths[0]);
    for (l = 1; l <= LAYERS; l++) printf(" -> %d", widths[l]);
    printf(", identity activations, batch %d\n", batch);
    tutorial_print_heading();
    for (mode = 0; mode < 3; mode++) {
        initnn_net *net;
        char spec[64], claim[64];
        double forward = 1.0, backward = 1.0, forward_se = 0.0, backward_se = 0.0;
        snprintf(spec, sizeof spec, "variance_scaling:1,%s,normal", modes[mode]);
        tutorial_require(initnn_net_create(&net, widths[0], batch, t.seed), "initnn_net_create");
        for (l = 1; l <= LAYERS; l++)
            tutorial_require(initnn_net_add_dense(net, widths[l], "identity", spec, "zeros"), "initnn_net_add_dense");
        tutorial_require(initnn_net_set_loss(net, INITNN_LOSS_MSE), "initnn_net_set_loss");
        tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, targets, batch), "initnn_net_diagnose");

        for (l = 1; l <= LAYERS; l++) {
            int n_in = widths[l - 1], n_out = widths[l];
            double variance = mode == 0 ? 1.0 / n_in : mode == 1 ? 1.0 / n_out : 2.0 / (n_in + n_out);
            const float *input = l > 1 ? net->layers[l - 2].y : X;
            forward *= n_in * variance;
            forward_se += tutorial_factor_variance(input, batch, n_in, n_out);
            if (l >= 2) {   /* delta_l -> delta_{l-1} through W_l */
                backward *= n_out * variance;
                backward_se += tutorial_factor_variance(net->layers[l - 1].dz, batch, n_out, n_in);
            }
        }
        forward_se = sqrt(forward_se);
        backward_se = sqrt(backward_se);
        snprintf(claim, sizeof claim, "%-7s forward  Var(z_%d)/Var(x)", modes[mode], LAYERS);
        tutorial_relative(&t, claim, forward,
                          diag[LAYERS - 1].pre_activation.second_moment /
                              initnn_second_moment(X, (size_t)batch * widths[0]),
                          exp(4.0 * forward_se) - 1.0);
        snprintf(claim, sizeof claim, "%-7s backward Var(d_1)/Var(d_%d)", modes[mode], LAYERS);
        tutorial_relative(&t, claim, backward,
                          diag[0].delta.second_moment / diag[LAYERS - 1].delta.second_moment,
                          exp(4.0 * backward_se) - 1.0);
        initnn_net_free(net);
    }
    printf("fan_in keeps the forward signal and loses a factor 2 per layer going back;\n"
           "fan_out keeps the gradient and doubles the activations; fan_avg is between.\n");
    free(X);
    free(targets);
    return tutorial_finish(&t);
}
