/* 15_lsuv.c - layer-sequential unit variance: let the data set the scale.

   CLAIMS
      LSUV (Mishkin & Matas 2016, "All you need is a good init"): start from
      orthogonal kernels, then for each layer in turn forward a batch and
      divide the kernel by sqrt(Var(z)) until |Var(z) - 1| < tol.
      A. Before: an orthogonal kernel preserves norms exactly (step 13). The
         first layer, W (2, 64) with orthonormal rows, maps ||x|| to ||z||,
         spread over 64 units: E[z_1^2] = E||x||^2 / 64, exactly. Each later
         square layer keeps ||y||, and ReLU keeps half of E[z^2] (step 05),
         so E[z_{l+1}^2] = E[z_l^2] / 2: orthogonal at gain 1 is, for ReLU,
         Glorot's factor 1/2 per layer (step 06), and the scale is wrong from
         the first layer on.
      B. After: the biases are 0, so z_l = y_{l-1} W_l is linear in W_l:
         dividing W_l by sqrt(Var(z_l)) makes Var(z_l) = 1 exactly, and the
         loop stops after at most one iteration per layer, since the layers
         below do not change any more (layer l is done before l+1); a layer
         already within the tolerance (the output layer, sometimes, once
         the layers below are normalized) gets none and keeps its
         |Var - 1| < tol. The unit variance
         is a property of the distribution, not of the batch: a held-out
         batch from the same distribution also has Var(z_l) ~ 1. (The
         gains LSUV settles on for ReLU layers come out near sqrt(2), He's
         gain, found from the data.)

   MEASUREMENT AND TOLERANCE
      Two-moons, 512 samples: the first 256 for initnn_lsuv, the other 256
      held out. Net 2 -> 5 x 64 ReLU -> softmax(2), every kernel "lsuv"
      (orthogonal until initnn_lsuv rescales it), biases 0; initnn_lsuv with
      tol 0.1 and at most 10 iterations per layer.
      A: E[z_1^2] against E||x||^2 / 64 within 1e-5 relative (rounding: the
      orthonormal rows are float, each product a few u). The factor
      (E[z_5^2] / E[z_1^2])^(1/4) against 1/2: each ReLU layer keeps a
      fraction rho_j of unit j's ||z_j||^2, mean 1/2, independent across
      units (step 06): for one net the log of the 4-layer ratio has
      variance sum_l Var(rho) sum_j ||z_j||^4 / (sum_j ||z_j||^2)^2 / (1/2)^2
      (printed), too wide to tell 1/2 from the variance rule's 0.34 or
      from a 10% error. So the claim takes K = 64 (--fast 32) independent
      orthogonal nets (initnn_net_reinit) on the same batch: the mean of
      their log ratios has standard error s / sqrt(K), s their spread;
      tolerance t s / sqrt(K) (t the two-sided 0.1% point of Student's t,
      3.452 for K = 64, 3.633 for K = 32, printed with the claims) plus the
      lognormal drift s^2 / (2K) of the mean, per layer (the tol column).
      B: no layer may take more than one iteration; Var(z_l) on the LSUV
      batch must be 1 within 1e-5 for every rescaled layer (the rescaled
      weights are rounded once, relative u, and z is linear in them) and
      within tol = 0.1 for every layer; on the held-out batch Var(z_l) estimates
      the same population variance as the LSUV batch did, each with
      standard error sd_b(s_b)/sqrt(256), s_b the mean of (z_bj - mean z)^2
      over sample b's units (samples are independent, units are not); the
      worst layer must be within 4 times the root sum of both squares. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define HIDDEN_LAYERS 5
#define WIDTH 64
#define LAYERS (HIDDEN_LAYERS + 1)
#define LSUV_TOLERANCE 0.1f
#define MAX_NETS 64

/* Var over all entries of z (batch, units), and its standard error from
   the spread of the per-sample means of (z - mean)^2. */
static double variance_with_error(const float *z, int batch, int units, double *standard_error)
{
    double mean = initnn_mean(z, (size_t)batch * units), total = 0.0, square_total = 0.0;
    int b, j;
    for (b = 0; b < batch; b++) {
        double row = 0.0;
        for (j = 0; j < units; j++) {
            double d = z[(size_t)b * units + j] - mean;
            row += d * d / units;
        }
        total += row;
        square_total += row * row;
    }
    total /= batch;
    *standard_error = sqrt((square_total / batch - total * total) / (batch - 1));
    return total;
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"An orthogonal kernel on ReLU layers halves E[z^2] per layer. Predict the gain LSUV puts on such a layer (the one that restores the second moment).",
         sqrt(2.0), 0.005},
        {"LSUV sets Var(z) = 1 on a batch. The pre-activation of layer 1 has E[z^2] = E||x||^2 / 64 = 0.02. Predict the gain on layer 1.",
         sqrt(1.0 / 0.02), 0.005},
        {"Break it: build the hidden layers with \"he_normal\" instead of \"lsuv\" (no data-driven rescaling). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    tutorial t;
    initnn_data moons;
    initnn_net *net;
    initnn_layer_diag diag[LAYERS];
    int iterations[LAYERS];
    double before[LAYERS], after[LAYERS], held_out[LAYERS], after_se[LAYERS], held_se[LAYERS], gain[LAYERS];
    double input_moment = 0.0, log_variance = 0.0, log_se, worst_after = 0.0, worst_rescaled = 0.0, worst_held = 0.0;
    int batch = 256, worst_layer = 0, most_iterations = 0, l, i, nets;
    double factor_log[MAX_NETS], factor_mean_log, factor_spread, t_quantile;
    const float *held;

    tutorial_start(&t, argc, argv, "15 LSUV: scale each layer until Var(z) = 1 on a batch");

    exercises(&t);
    nets = t.fast ? 32 : 64;
    t_quantile = t.fast ? 3.633 : 3.452;   /* two-sided 0.1% point of Student's t, nets - 1 df */
    tutorial_require(initnn_make_moons(&moons, 2 * batch, 0.1f, t.seed), "initnn_make_moons");
    held = moons.x + 2 * batch;
    for (i = 0; i < 2 * batch; i++) input_moment += (double)moons.x[i] * moons.x[i] / batch;

    tutorial_require(initnn_net_create(&net, 2, batch, t.seed), "initnn_net_create");
    for (l = 0; l < HIDDEN_LAYERS; l++)
        tutorial_require(initnn_net_add_dense(net, WIDTH, "relu", "lsuv", "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, 2, "softmax", "lsuv", "zeros"), "initnn_net_add_dense");

    tutorial_require(initnn_net_diagnose(net, diag, NULL, moons.x, NULL, NULL, batch), "initnn_net_diagnose");
    for (l = 0; l < LAYERS; l++) before[l] = diag[l].pre_activation.second_moment;
    for (l = 0; l + 1 < HIDDEN_LAYERS; l++)
        log_variance += tutorial_activation_step_variance(net->layers[l].z, net->layers[l].y, batch, WIDTH);
    log_se = sqrt(log_variance);
    {
        /* the factor over K independent orthogonal nets, before any LSUV */
        initnn_net *probe;
        double mean = 0.0, spread = 0.0;
        int r;
        tutorial_require(initnn_net_create(&probe, 2, batch, t.seed), "initnn_net_create");
        for (l = 0; l < HIDDEN_LAYERS; l++)
            tutorial_require(initnn_net_add_dense(probe, WIDTH, "relu", "lsuv", "zeros"), "initnn_net_add_dense");
        for (r = 0; r < nets; r++) {
            tutorial_require(initnn_net_reinit(probe, t.seed * 1000 + (uint64_t)r), "initnn_net_reinit");
            if (!initnn_net_forward(probe, moons.x, batch, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
            factor_log[r] = log(initnn_second_moment(probe->layers[HIDDEN_LAYERS - 1].z, (size_t)batch * WIDTH) /
                                initnn_second_moment(probe->layers[0].z, (size_t)batch * WIDTH));
            mean += factor_log[r] / nets;
        }
        for (r = 0; r < nets; r++) spread += (factor_log[r] - mean) * (factor_log[r] - mean) / (nets - 1);
        factor_mean_log = mean;
        factor_spread = sqrt(spread);
        initnn_net_free(probe);
    }
    for (l = 0; l < LAYERS; l++) {
        const initnn_layer *layer = &net->layers[l];
        gain[l] = sqrt(initnn_second_moment(layer->W, layer->weight_count) * (double)layer->weight_count /
                       (layer->in < layer->out ? layer->in : layer->out));
    }

    tutorial_require(initnn_lsuv(net, moons.x, batch, LSUV_TOLERANCE, 10, iterations), "initnn_lsuv");

    if (!initnn_net_forward(net, moons.x, batch, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
    for (l = 0; l < LAYERS; l++) {
        after[l] = variance_with_error(net->layers[l].z, batch, net->layers[l].out, &after_se[l]);
        if (iterations[l] > most_iterations) most_iterations = iterations[l];
        if (iterations[l] == 1 && fabs(after[l] - 1.0) > worst_rescaled) worst_rescaled = fabs(after[l] - 1.0);
        if (fabs(after[l] - 1.0) > worst_after) worst_after = fabs(after[l] - 1.0);
    }
    if (!initnn_net_forward(net, held, batch, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
    for (l = 0; l < LAYERS; l++) {
        double ratio;
        held_out[l] = variance_with_error(net->layers[l].z, batch, net->layers[l].out, &held_se[l]);
        ratio = fabs(held_out[l] - 1.0) / sqrt(held_se[l] * held_se[l] + after_se[l] * after_se[l]);
        if (ratio > worst_held) {
            worst_held = ratio;
            worst_layer = l;
        }
    }

    printf("two-moons: %d samples for LSUV, %d held out; 2 -> %d x %d relu -> softmax(2)\n", batch, batch,
           HIDDEN_LAYERS, WIDTH);
    printf("%-6s %12s %12s %6s %10s %10s %12s\n", "layer", "E[z^2] orth", "(predicted)", "iter", "gain",
           "Var after", "Var held-out");
    for (l = 0; l < LAYERS; l++) {
        const initnn_layer *layer = &net->layers[l];
        double final_gain = sqrt(initnn_second_moment(layer->W, layer->weight_count) * (double)layer->weight_count /
                                 (layer->in < layer->out ? layer->in : layer->out));
        printf("%-6d %12.4g ", l + 1, before[l]);
        if (l < HIDDEN_LAYERS) printf("%12.4g", input_moment / WIDTH * pow(0.5, l));
        else printf("%12s", "");
        printf(" %6d %10.4f %10.6f %12.4f\n", iterations[l], final_gain / gain[l], after[l], held_out[l]);
    }
    printf("(gain: the factor LSUV put on the orthogonal kernel)\n");
    tutorial_print_heading();
    tutorial_relative(&t, "before: E[z_1^2] = E||x||^2 / 64", input_moment / WIDTH, before[0], 1e-5);
    printf("this net's relu factor per layer: %.4f (1 SE of its log ratio: %.2f); over %d nets:\n",
           pow(before[HIDDEN_LAYERS - 1] / before[0], 1.0 / (HIDDEN_LAYERS - 1)), log_se, nets);
    tutorial_rule_student(t_quantile, nets);
    tutorial_relative(&t, "before: relu factor per layer", 0.5, exp(factor_mean_log / (HIDDEN_LAYERS - 1)),
                      exp((t_quantile * factor_spread / sqrt((double)nets) + 0.5 * factor_spread * factor_spread /
                           nets) / (HIDDEN_LAYERS - 1)) - 1.0);
    tutorial_at_most(&t, "LSUV: iterations, most per layer", 1, most_iterations);
    tutorial_absolute(&t, "rescaled layers: max |Var(z) - 1|", 0.0, worst_rescaled, 1e-5);
    tutorial_at_most(&t, "all layers: max |Var(z) - 1|", LSUV_TOLERANCE, worst_after);
    {
        char claim[64];
        snprintf(claim, sizeof claim, "after: Var(z_%d) held out (worst)", worst_layer + 1);
        tutorial_rule_normal(4.0);
        tutorial_absolute(&t, claim, 1.0, held_out[worst_layer],
                          4.0 * sqrt(held_se[worst_layer] * held_se[worst_layer] +
                                     after_se[worst_layer] * after_se[worst_layer]));
    }
    {
        double layer_index[LAYERS];
        initnn_plot_series series[3];
        tutorial_index(layer_index, LAYERS, 1);
        series[0] = tutorial_series("orthogonal: E[z^2]", layer_index, before, LAYERS);
        series[1] = tutorial_series("after LSUV: Var(z), its batch", layer_index, after, LAYERS);
        series[2] = tutorial_series("after LSUV: Var(z), held out", layer_index, held_out, LAYERS);
        tutorial_plot(&t, "Pre-activation scale per layer before and after LSUV", "layer", "E[z^2] or Var(z)", 1,
                      series, 3);
    }
    initnn_net_free(net);
    initnn_data_free(&moons);
    return tutorial_finish(&t);
}
