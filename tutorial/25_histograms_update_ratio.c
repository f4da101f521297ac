/* 25_histograms_update_ratio.c - the two pictures to look at in the first
   steps of any run: each layer's histogram of activations and gradients,
   and each layer's update:data ratio ||dW|| / ||W||.

   CLAIMS
      5 tanh layers of width 64, kernels N(0, g^2 / fan_in) with PyTorch's
      tanh gain g = 5/3, zero biases.
      A. The histogram of a tanh layer's outputs has a saturated tail,
         |y| > 0.97, whose mass the mean-field theory predicts: with
         z ~ N(0, q_l), P(|tanh z| > 0.97) = erfc(atanh(0.97) / sqrt(2 q_l)),
         q_l from initnn_theory_predict (steps 04, 16). On N(0, 1) inputs
         of 64 features, pooled over the 5 layers, the measured fraction
         matches. (Not on two-moons: there each sample's q differs, as
         ||x||^2 does, and the mean of tanh^2 over those is not tanh^2 at
         the mean q, and the pooled tail falls below this prediction.)
      B, C: the same layers on two-moons, 2 -> 5 x 64 tanh -> softmax(2).
      B. The update:data ratio of a plain SGD step is lr ||dL/dW_l|| / ||W_l||:
         it follows the gradient, layer by layer (initnn_net_diagnose's
         update_ratio is exactly that).
      C. Adam's first step moves every weight by lr (step 28), so its
         update:data ratio is lr sqrt(P_l) / ||W_l|| = lr / rms(W_l): set
         by the init alone, lr sqrt(fan_in) / g = 0.048 for the 64-wide
         hidden layers at lr 0.01, whatever the gradient. The usual advice
         "about 1e-3" (Karpathy) is a statement about lr and the init's
         scale before it is one about the data.

   DERIVATION
      A: z = W y over fan_in = 64 terms is near Gaussian (step 01), and
      |tanh z| > t iff |z| > atanh t: P = 2 (1 - Phi(atanh t / sqrt q)) =
      erfc(atanh t / sqrt(2 q)). B: SGD's step is -lr dW. C: at t = 1,
      m_hat = g and v_hat = g^2, so |dW_i| = lr |g_i| / (|g_i| + eps) = lr
      for every weight with |g_i| >> eps = 1e-8; ||dW_l|| = lr sqrt(P_l).
      For N(0, g^2 / fan_in) weights, ||W_l||^2 = P_l g^2 / fan_in up to a
      relative sampling error sqrt(2 / P_l).

   MEASUREMENT AND TOLERANCE
      256 samples (the batch), K = 16 nets (--fast 8, initnn_net_reinit).
      A: the fraction over the 5 layers and all samples, mean over the K
      nets, against the prediction's mean; tolerance 4 standard errors
      from the K nets' spread plus 5% of the prediction for the mean-field
      approximation at width 64 (q_l itself fluctuates by ~sqrt(2/64) per
      layer, step 02, and the tail is steep in q).
      B: float rounding: each updated weight is rounded once, an error of
      u |w| against lr |g|: relative tolerance 1e-4.
      C: per hidden layer, the measured update_ratio against
      lr sqrt(fan_in) / g: 4 sqrt(2 / P_l) for the sampling of ||W_l||
      (one net) plus 1e-3 for eps. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define HIDDEN 64
#define LAYERS 5
#define BATCH 256
#define BINS 20
#define MAX_NETS 16
#define SATURATION 0.97

static initnn_net *build(int adam, int input_dim, uint64_t seed)
{
    initnn_net *net;
    initnn_optimizer opt = adam ? initnn_adam(0.01f) : initnn_sgd(0.1f, 0.0f, 0);
    char spec[64];
    int l;
    snprintf(spec, sizeof spec, "variance_scaling:%.9g,fan_in,normal", 25.0 / 9.0);
    tutorial_require(initnn_net_create(&net, input_dim, BATCH, seed), "initnn_net_create");
    for (l = 0; l < LAYERS; l++)
        tutorial_require(initnn_net_add_dense(net, HIDDEN, "tanh", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, 2, "softmax", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_optimizer(net, &opt), "initnn_net_set_optimizer");
    return net;
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Adam lr 1e-3 on a layer with fan_in 784 and He's std sqrt(2/784): predict its first update:data "
         "ratio.",
         1e-3 * sqrt(784.0 / 2.0), 0.002},
        {"A tanh layer with q = 4: predict the fraction of outputs with |y| > 0.97.",
         erfc(atanh(0.97) / sqrt(8.0)), 0.005},
        {"Break it: in build(), make the kernels' variance 1 / fan_in (variance_scaling:1,fan_in,normal) "
         "while part C still predicts with g = 5/3. Rerun: which claim fails first? Answer with its number, counting the claim lines "
         "from 1.",
         3, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static initnn_layer_theory table[LAYERS + 1];
    static double histogram[LAYERS][BINS], bin_centre[BINS];
    tutorial t;
    initnn_data moons;
    initnn_net *net;
    initnn_rng rng;
    float *X;
    initnn_layer_diag diag[LAYERS + 1], sgd_diag[LAYERS + 1], adam_diag[LAYERS + 1];
    double measured[MAX_NETS], predicted = 0.0, mean = 0.0, spread = 0.0, sgd_predicted[LAYERS + 1];
    double gain = 5.0 / 3.0, lr_adam = 0.01;
    int nets, r, l, b;
    size_t i;

    tutorial_start(&t, argc, argv, "25 histograms and the update:data ratio in the first steps");
    exercises(&t);
    nets = t.fast ? 8 : 16;
    tutorial_require(initnn_make_moons(&moons, BATCH, 0.1f, t.seed), "initnn_make_moons");
    for (b = 0; b < BINS; b++) bin_centre[b] = -1.0 + (b + 0.5) * 2.0 / BINS;
    X = (float *)malloc((size_t)BATCH * HIDDEN * sizeof(float));
    if (!X) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed_stream(&rng, t.seed, 25);
    for (i = 0; i < (size_t)BATCH * HIDDEN; i++) X[i] = initnn_rng_normal(&rng);

    /* A: histograms of the hidden layers at initialization over K nets */
    net = build(0, HIDDEN, t.seed);
    for (r = 0; r < nets; r++) {
        size_t saturated = 0, total = 0;
        tutorial_require(initnn_net_reinit(net, t.seed * 1000 + (uint64_t)r), "initnn_net_reinit");
        tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, BATCH), "initnn_net_diagnose");
        for (l = 0; l < LAYERS; l++) {
            const float *y = net->layers[l].y;
            size_t n = (size_t)BATCH * HIDDEN, counts[BINS];
            tutorial_require(initnn_histogram(counts, BINS, y, n, -1.0f, 1.0f), "initnn_histogram");
            for (b = 0; b < BINS; b++) histogram[l][b] += (double)counts[b] / n / nets;
            for (i = 0; i < n; i++) saturated += fabs(y[i]) > SATURATION;
            total += n;
        }
        measured[r] = (double)saturated / total;
        mean += measured[r] / nets;
    }
    tutorial_require(initnn_theory_predict(table, net, 1.0), "initnn_theory_predict");
    for (l = 0; l < LAYERS; l++) predicted += erfc(atanh(SATURATION) / sqrt(2.0 * table[l].q_predicted)) / LAYERS;
    for (r = 0; r < nets; r++) spread += (measured[r] - mean) * (measured[r] - mean) / (nets - 1);
    printf("A. %d N(0, 1) inputs of %d features -> %d x %d tanh, Var(W) = (5/3)^2 / fan_in, %d nets\n", BATCH,
           HIDDEN, LAYERS, HIDDEN, nets);
    printf("histogram of tanh outputs at init (fraction per bin of width 0.1, mean over nets):\n%-6s", "y");
    for (b = 0; b < BINS; b += 2) printf(" %6.2f", bin_centre[b] - 0.05);
    printf("\n");
    for (l = 0; l < LAYERS; l++) {
        printf("layer %d", l + 1);
        for (b = 0; b < BINS; b += 2) printf(" %6.3f", histogram[l][b] + histogram[l][b + 1]);
        printf("   q_pred %.3f\n", table[l].q_predicted);
    }
    tutorial_print_heading();
    tutorial_relative(&t, "A: saturated |y|>0.97, 5 layers", predicted, mean,
                      (4.0 * sqrt(spread / nets) + 0.05 * predicted) / predicted);

    /* B and C: one step each way, same net, same batch */
    initnn_net_free(net);
    net = build(0, 2, t.seed);
    tutorial_require(initnn_net_diagnose(net, diag, NULL, moons.x, moons.labels, NULL, BATCH), "initnn_net_diagnose");
    for (l = 0; l <= LAYERS; l++) {
        const initnn_layer *layer = &net->layers[l];
        sgd_predicted[l] = 0.1 * sqrt(initnn_second_moment(layer->dW, layer->weight_count)) /
                           sqrt(initnn_second_moment(layer->W, layer->weight_count));
    }
    tutorial_require(initnn_net_train_batch(net, moons.x, moons.labels, NULL, BATCH, NULL, NULL),
                     "initnn_net_train_batch");
    tutorial_require(initnn_net_diagnose(net, sgd_diag, NULL, moons.x, NULL, NULL, BATCH), "initnn_net_diagnose");
    initnn_net_free(net);
    net = build(1, 2, t.seed);
    tutorial_require(initnn_net_train_batch(net, moons.x, moons.labels, NULL, BATCH, NULL, NULL),
                     "initnn_net_train_batch");
    tutorial_require(initnn_net_diagnose(net, adam_diag, NULL, moons.x, NULL, NULL, BATCH), "initnn_net_diagnose");
    printf("B, C. two-moons (%d), 2 -> %d x %d tanh -> softmax(2), the same init: the first step's\n"
           "update:data ratio ||dW|| / ||W|| per layer\n", BATCH, LAYERS, HIDDEN);
    printf("%-8s %12s %12s %12s %14s\n", "layer", "||dL/dW||", "SGD lr 0.1", "Adam lr .01", "lr sqrt(n)/g");
    for (l = 0; l <= LAYERS; l++)
        printf("%-8d %12.4g %12.4g %12.4g %14.4g\n", l + 1, diag[l].grad_norm, sgd_diag[l].update_ratio,
               adam_diag[l].update_ratio, lr_adam * sqrt((double)net->layers[l].in) / gain);
    tutorial_print_heading();
    {
        double worst = 0.0;
        for (l = 0; l <= LAYERS; l++)
            if (fabs(sgd_diag[l].update_ratio / sgd_predicted[l] - 1.0) > worst)
                worst = fabs(sgd_diag[l].update_ratio / sgd_predicted[l] - 1.0);
        tutorial_absolute(&t, "B: SGD ratio/(lr|dW|/|W|) - 1, max", 0.0, worst, 1e-4);
    }
    for (l = 1; l < LAYERS; l++) {
        char claim[48];
        size_t count = net->layers[l].weight_count;
        snprintf(claim, sizeof claim, "C: Adam ratio, layer %d", l + 1);
        tutorial_relative(&t, claim, lr_adam * sqrt((double)net->layers[l].in) / gain, adam_diag[l].update_ratio,
                          4.0 * sqrt(2.0 / count) + 1e-3);
    }
    {
        initnn_plot_series series[LAYERS];
        static char labels[LAYERS][16];
        for (l = 0; l < LAYERS; l++) {
            snprintf(labels[l], sizeof labels[l], "layer %d", l + 1);
            series[l] = tutorial_series(labels[l], bin_centre, histogram[l], BINS);
        }
        tutorial_plot(&t, "tanh outputs at init, gain 5/3: histogram per layer", "y = tanh(z)",
                      "fraction of outputs per bin of 0.1", 0, series, LAYERS);
    }
    initnn_net_free(net);
    initnn_data_free(&moons);
    free(X);
    return tutorial_finish(&t);
}
