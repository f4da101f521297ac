/* 26_adam_forgives_scale.c - why Adam-trained comparisons of initializers
   so often end within the seeds' spread: Adam's step is about lr whatever
   the gradient's scale, so the init scale that decides SGD's fate (step 14)
   barely matters to it.

   CLAIMS
      The net of step 14 (two-moons, 2 -> 64 ReLU -> 64 ReLU -> softmax(2),
      kernels "random_normal:s", zero biases) for s = 0.01, 0.1, 0.5, 1,
      trained once with SGD (lr 0.1) and once with Adam (lr 0.01).
      A. SGD's first step is lr g: its size follows the gradient, which
         spans orders of magnitude over s (step 14: every kernel gradient
         scales as s^2 at small s). Adam's first step is lr g / (|g| + eps)
         per weight (step 28): of size lr for every weight whose |g| >> eps,
         at every s. So the first update's norm varies by a factor of more
         than 1000 over the four scales under SGD and by less than 10%
         under Adam; at s = 1 the first Adam update has exactly the length
         ||lr g / (|g| + eps)|| computed from the batch's gradient g.
      B. SGD at s = 0.01 stays on the ln 2 plateau (step 14): its final
         loss is above 0.6. Adam at s = 0.01 leaves it: its final loss is
         below 0.35, half of ln 2.
      C. Over the four scales, Adam's final losses are closer together than
         SGD's: the ratio of the largest to the smallest final loss is
         smaller with Adam.

   DERIVATION
      A: for SGD, dW = -lr g and ||g|| at s = 0.01 is ~1e-2 against ~36 at
      s = 1 (step 14). For Adam at t = 1, m_hat = g and v_hat = g^2, so
      dW_i = -lr g_i / (|g_i| + eps): each weight moves by lr (minus a
      relative eps / |g_i|), and ||dW|| = lr sqrt(P) for P kernel weights,
      independent of s. Later steps divide by the running rms of g, so a
      gradient uniformly s^2 times smaller gives the same steps: Adam is
      invariant to a rescaling of the loss (not of the weights, whose
      scale s still sets how far lr-sized steps go relative to w, and
      where the ReLU units switch).
      B, C: the small-s net under SGD moves its weights by lr ||g|| (the
      first ||dW|| column: 1.7e-4 in all at s = 0.01) and stays near the
      saddle at W = 0, where the loss is ln 2; under Adam each weight moves
      by ~lr = 0.01 per step, as far as the initial weights' std s = 0.01:
      one step changes the weights by as much as their own size, and the
      net leaves the saddle in the first epoch.

   MEASUREMENT AND TOLERANCE
      Two-moons, 512 samples, noise 0.1, batches of 32, 20 epochs
      (--fast 10), initnn_net_train. A: the first update's norm
      ||w_after - w_before|| over all parameters
      (kernels and biases, against a copy taken before one
      initnn_net_train_batch). The claims
      are inequalities, with margins the derivation gives: a factor 1000
      where s^2 spans 10^4 (SGD), 10% where the eps term is below 1e-3
      for all but the rare weights with |g| < 1e-5 (Adam); 1e-4 for the
      exact step length at s = 1 (each weight is rounded once to float,
      u |w| against lr = 0.01 with |w| ~ 1). B and C are
      inequalities on the outcome of training, with the margin of a
      plateau (0.6 against ln 2 = 0.6931, the loss at s = 0.01 in the
      table) and of half of it (0.35). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define HIDDEN 64
#define SCALES 4
#define MAX_EPOCHS 20

static const double scales[SCALES] = {0.01, 0.1, 0.5, 1.0};

static initnn_net *build(double scale, int adam, int count, uint64_t seed)
{
    initnn_net *net;
    initnn_optimizer opt = adam ? initnn_adam(0.01f) : initnn_sgd(0.1f, 0.0f, 0);
    char spec[64];
    snprintf(spec, sizeof spec, "random_normal:%g", scale);
    tutorial_require(initnn_net_create(&net, 2, count, seed), "initnn_net_create");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, "relu", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, "relu", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, 2, "softmax", spec, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_optimizer(net, &opt), "initnn_net_set_optimizer");
    return net;
}

static void remember_loss(const initnn_epoch_record *record, void *user)
{
    ((double *)user)[record->epoch] = record->train_loss;
}

/* ||W_after - W_before|| over the kernels (the biases aside: the output
   bias's gradient, mean(p - y), does not scale with s) after one step on
   the first 32 samples. */
static double first_update_norm(initnn_net *net, const initnn_data *moons, double *adam_predicted)
{
    float *before = (float *)malloc(net->param_count * sizeof(float));
    double sum = 0.0;
    size_t i;
    int l;
    if (!before) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    memcpy(before, net->params, net->param_count * sizeof(float));
    tutorial_require(initnn_net_train_batch(net, moons->x, moons->labels, NULL, 32, NULL, NULL),
                     "initnn_net_train_batch");
    *adam_predicted = 0.0;
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *layer = &net->layers[l];
        const float *old = before + (layer->W - net->params);
        for (i = 0; i < layer->weight_count; i++) {
            /* the step's gradient is still in dW: Adam's first move is lr |g| / (|g| + eps) */
            double g = fabs((double)layer->dW[i]), step = 0.01 * g / (g + 1e-8);
            sum += ((double)layer->W[i] - old[i]) * ((double)layer->W[i] - old[i]);
            *adam_predicted += step * step;
        }
    }
    *adam_predicted = sqrt(*adam_predicted);
    free(before);
    return sqrt(sum);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Adam's first step on a net with P = 4000 kernel weights, lr 0.001, every |g| >> eps: predict "
         "||W_after - W_before||.",
         0.001 * sqrt(4000.0), 0.002},
        {"Multiply the loss by 100 (every gradient x100). Predict the factor by which Adam's steps change "
         "(eps aside).",
         1.0, 0.001},
        {"Multiply the loss by 100 under SGD with the same lr: predict the factor by which its steps change.",
         100.0, 0.001},
        {"Break it: give the Adam nets the SGD optimizer too (adam ? initnn_sgd(0.1f, 0.0f, 0) : ...). Rerun: "
         "which claim fails first? Answer with its number, counting the claim lines from 1.",
         2, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const int shown[] = {0, 1, 5, 10, 20};
    static const char *const names[2] = {"SGD lr 0.1", "Adam lr 0.01"};
    tutorial t;
    initnn_data moons;
    double loss[2][SCALES][MAX_EPOCHS + 1], update[2][SCALES];
    double smallest[2], largest[2], lowest[2], highest[2];
    double adam_predicted[2][SCALES];
    int count = 512, epochs, o, k, i;

    tutorial_start(&t, argc, argv, "26 Adam forgives the init scale: its steps are ~lr whatever the gradient");
    exercises(&t);
    epochs = t.fast ? 10 : 20;
    tutorial_require(initnn_make_moons(&moons, count, 0.1f, t.seed), "initnn_make_moons");
    for (o = 0; o < 2; o++) {
        smallest[o] = lowest[o] = HUGE_VAL;
        largest[o] = highest[o] = 0.0;
        for (k = 0; k < SCALES; k++) {
            initnn_net *net = build(scales[k], o, count, t.seed);
            initnn_train_config config = initnn_train_defaults();
            update[o][k] = first_update_norm(net, &moons, &adam_predicted[o][k]);
            initnn_net_free(net);
            net = build(scales[k], o, count, t.seed);
            if (!initnn_net_forward(net, moons.x, count, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
            loss[o][k][0] = initnn_net_loss(net, moons.labels, NULL);
            config.epochs = epochs;
            config.batch_size = 32;
            config.on_epoch = remember_loss;
            config.user = loss[o][k];
            tutorial_require(initnn_net_train(net, &moons, NULL, &config, NULL), "initnn_net_train");
            initnn_net_free(net);
            if (update[o][k] < smallest[o]) smallest[o] = update[o][k];
            if (update[o][k] > largest[o]) largest[o] = update[o][k];
            if (loss[o][k][epochs] < lowest[o]) lowest[o] = loss[o][k][epochs];
            if (loss[o][k][epochs] > highest[o]) highest[o] = loss[o][k][epochs];
        }
    }
    printf("two-moons (%d), 2 -> %d -> %d -> softmax(2), kernels random_normal:s, batches of 32\n", count, HIDDEN,
           HIDDEN);
    printf("%-14s %-6s %14s", "optimizer", "s", "first ||dW||");
    for (i = 0; i < (int)(sizeof shown / sizeof shown[0]) && shown[i] <= epochs; i++) printf("  loss e=%-3d", shown[i]);
    printf("\n");
    for (o = 0; o < 2; o++)
        for (k = 0; k < SCALES; k++) {
            printf("%-14s %-6g %14.4g", k == 0 ? names[o] : "", scales[k], update[o][k]);
            for (i = 0; i < (int)(sizeof shown / sizeof shown[0]) && shown[i] <= epochs; i++)
                printf(" %11.4f", loss[o][k][shown[i]]);
            printf("\n");
        }
    tutorial_print_heading();
    tutorial_at_least(&t, "A: SGD first step, max/min over s", 1000.0, largest[0] / smallest[0]);
    tutorial_at_most(&t, "A: Adam first step, max/min over s", 1.1, largest[1] / smallest[1]);
    tutorial_relative(&t, "A: Adam s=1: ||dW||, lr g/(|g|+eps)", adam_predicted[1][SCALES - 1],
                      update[1][SCALES - 1], 1e-4);
    tutorial_at_least(&t, "B: SGD s=0.01 final loss", 0.6, loss[0][0][epochs]);
    tutorial_at_most(&t, "B: Adam s=0.01 final loss", 0.35, loss[1][0][epochs]);
    tutorial_at_least(&t, "C: SGD/Adam of max/min final loss", 1.0, (highest[0] / lowest[0]) / (highest[1] / lowest[1]));
    {
        double epoch_index[MAX_EPOCHS + 1];
        initnn_plot_series series[2 * SCALES];
        static char labels[2 * SCALES][40];
        tutorial_index(epoch_index, epochs + 1, 0);
        for (o = 0; o < 2; o++)
            for (k = 0; k < SCALES; k++) {
                snprintf(labels[o * SCALES + k], sizeof labels[0], "%s, s = %g", o ? "Adam" : "SGD", scales[k]);
                series[o * SCALES + k] = tutorial_series(labels[o * SCALES + k], epoch_index, loss[o][k], epochs + 1);
            }
        tutorial_plot(&t, "Two-moons: training loss by init scale, SGD against Adam", "epoch", "training loss", 1,
                      series, 2 * SCALES);
    }
    initnn_data_free(&moons);
    return tutorial_finish(&t);
}
