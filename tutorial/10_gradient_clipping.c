/* 10_gradient_clipping.c - clipping by the global norm bounds the step and
   keeps its direction.

   CLAIMS
      Clipping by global norm (Pascanu et al. 2013, "On the difficulty of
      training recurrent neural networks"):
         g <- tau g / ||g||   when ||g|| > tau,   g unchanged otherwise.
      A. g is multiplied by the positive number tau/||g||, so its direction
         is kept, cos(g_before, g_after) = 1, and ||g_after|| = tau exactly
         (unlike clipping each element to [-c, c], which turns g). Below the
         threshold nothing changes.
      B. With plain SGD, w <- w - lr g, the step is then
            ||w_after - w_before|| = lr ||g_clipped|| <= lr tau,
         with equality whenever the clip acts, along -g.
      C. A net whose gradients at initialization are far larger than its
         weights (5 ReLU layers, Var(W) = 8/fan_in: by step 06 each layer
         multiplies E[z^2] by n s / 2 = 4, 1024 over the five, and the
         backward pass likewise) diverges under SGD: the first steps
         lr ||g|| overshoot, the weights grow, the next gradient is larger
         (step 08), and within the first epoch the loss is NaN. With
         clip_norm = 5 every step is at most 5 lr = 1 (the weights' norm,
         printed in part B, is 50.43 at seed 1), the weights shrink to a
         trainable scale, and the same run trains.

   MEASUREMENT AND TOLERANCE
      A: initnn_clip_grad_norm on a random vector of 10000 floats. The scale
      tau/||g|| is rounded to float once and each product once, so cos and
      ||g_after|| / tau are 1 within a few units of u = 2^-24 (the norms are
      summed in double); tolerance 1e-6.
      B: one initnn_net_train_batch with SGD (no momentum), lr 0.2,
      clip_norm 5, against the gradient of the same batch computed before it
      (initnn_net_forward + initnn_net_backward). Each updated weight is
      rounded to float, an error of at most u |w_i|, so ||w_after - w_before||
      is within u ||w|| of lr ||g_clipped||: the tolerance relative to lr tau
      is u ||w|| / (lr tau) + 1e-6, computed from the weights.
      C: two-moons, 2 -> 5 x 64 ReLU -> softmax(2), kernel
      "variance_scaling:8,fan_in,normal", SGD lr 0.2, batches of 32, by
      initnn_net_train: without clipping it must return INITNN_ERR_NONFINITE
      in epoch 1; with clip_norm 5 it must finish every epoch (20; --fast
      10) with a training loss below the ln 2 = 0.6931 of guessing. Over a
      sweep of seeds every unclipped run diverged in epoch 1 and every
      clipped one ended far below ln 2 (with 4 hidden layers instead of 5 a
      few unclipped runs survived their first blow-up: divergence is
      likely, not certain, hence 5). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define LEARNING_RATE 0.2f
#define CLIP 5.0f
#define KERNEL "variance_scaling:8,fan_in,normal"
#define HIDDEN_LAYERS 5

static double dot(const float *a, const float *b, size_t n)
{
    double sum = 0.0;
    size_t i;
    for (i = 0; i < n; i++) sum += (double)a[i] * b[i];
    return sum;
}

static initnn_net *build(const initnn_data *moons, float clip, uint64_t seed)
{
    initnn_net *net;
    initnn_optimizer sgd = initnn_sgd(LEARNING_RATE, 0.0f, 0);
    int l;
    sgd.clip_norm = clip;
    tutorial_require(initnn_net_create(&net, 2, moons->count, seed), "initnn_net_create");
    for (l = 0; l < HIDDEN_LAYERS; l++)
        tutorial_require(initnn_net_add_dense(net, 64, "relu", KERNEL, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, 2, "softmax", KERNEL, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_optimizer(net, &sgd), "initnn_net_set_optimizer");
    return net;
}

static void clip_algebra(tutorial *t, initnn_rng *rng)
{
    enum { N = 10000 };
    static float g[N], clipped[N];
    double before, norm_after, cosine;
    int i, changed = 0;
    for (i = 0; i < N; i++) g[i] = 0.37f * initnn_rng_normal(rng);
    memcpy(clipped, g, sizeof g);
    before = initnn_clip_grad_norm(clipped, N, CLIP);
    norm_after = sqrt(dot(clipped, clipped, N));
    cosine = dot(g, clipped, N) / (sqrt(dot(g, g, N)) * norm_after);
    printf("A. initnn_clip_grad_norm on %d floats, ||g|| = %.4g, tau = %g\n", N, before, (double)CLIP);
    tutorial_print_heading();
    tutorial_relative(t, "returns ||g|| before clipping", sqrt(dot(g, g, N)), before, 1e-6);
    tutorial_relative(t, "cos(g, clipped g)", 1.0, cosine, 1e-6);
    tutorial_relative(t, "||clipped g|| = tau", CLIP, norm_after, 1e-6);
    /* a gradient already below tau */
    for (i = 0; i < N; i++) g[i] = clipped[i] * 0.5f;
    memcpy(clipped, g, sizeof g);
    initnn_clip_grad_norm(clipped, N, CLIP);
    for (i = 0; i < N; i++) changed += clipped[i] != g[i];
    tutorial_absolute(t, "||g|| = tau/2: elements changed", 0, changed, 0);
}

static void one_step(tutorial *t, const initnn_data *moons)
{
    enum { BATCH = 32 };
    initnn_net *net = build(moons, CLIP, t->seed);
    float *raw = (float *)malloc(net->param_count * sizeof(float));
    float *before = (float *)malloc(net->param_count * sizeof(float));
    float *step = (float *)malloc(net->param_count * sizeof(float));
    double raw_norm, step_norm, weight_norm, cosine;
    size_t k;
    if (!raw || !before || !step) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_net_zero_grad(net);
    if (!initnn_net_forward(net, moons->x, BATCH, 1)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
    tutorial_require(initnn_net_backward(net, moons->labels, NULL, NULL), "initnn_net_backward");
    memcpy(raw, net->grads, net->param_count * sizeof(float));
    memcpy(before, net->params, net->param_count * sizeof(float));
    tutorial_require(initnn_net_train_batch(net, moons->x, moons->labels, NULL, BATCH, NULL, &raw_norm),
                     "initnn_net_train_batch");
    for (k = 0; k < net->param_count; k++) step[k] = net->params[k] - before[k];
    step_norm = sqrt(dot(step, step, net->param_count));
    weight_norm = sqrt(dot(before, before, net->param_count));
    cosine = -dot(step, raw, net->param_count) / (step_norm * sqrt(dot(raw, raw, net->param_count)));
    printf("B. one SGD step, lr %g, clip_norm %g: ||g|| = %.4g, ||w|| = %.4g\n", (double)LEARNING_RATE,
           (double)CLIP, raw_norm, weight_norm);
    tutorial_print_heading();
    tutorial_relative(t, "||w_after - w_before|| = lr tau", (double)LEARNING_RATE * CLIP, step_norm,
                      ldexp(1.0, -24) * weight_norm / ((double)LEARNING_RATE * CLIP) + 1e-6);
    tutorial_relative(t, "cos(step, -g)", 1.0, cosine, ldexp(1.0, -24) * weight_norm / step_norm + 1e-6);
    free(raw);
    free(before);
    free(step);
    initnn_net_free(net);
}

typedef struct epoch_log {
    double loss[64], grad_norm[64];
    int epochs;
} epoch_log;

static void remember_epoch(const initnn_epoch_record *record, void *user)
{
    epoch_log *log = (epoch_log *)user;
    log->loss[record->epoch] = record->train_loss;
    log->grad_norm[record->epoch] = record->grad_norm;
    log->epochs = record->epoch;
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"||g|| = 80, tau = 5, SGD lr 0.1: predict the length of the clipped step ||w_after - w_before||.",
         0.1 * 5.0, 0.002},
        {"||g|| = 3, tau = 5, lr 0.1: predict the length of the step.",
         0.1 * 3.0, 0.002},
        {"Break it: in build(), set sgd.clip_norm to 2 * clip when clip > 0 (the optimizer clips at twice tau). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         5, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const int shown[] = {1, 2, 5, 10, 20};
    tutorial t;
    initnn_rng rng;
    initnn_data moons;
    initnn_train_config config = initnn_train_defaults();
    epoch_log unclipped, clipped;
    int epochs, err_unclipped = 0, err_clipped = 0, run, i;

    tutorial_start(&t, argc, argv, "10 gradient clipping: g <- tau g / ||g|| when ||g|| > tau");

    exercises(&t);
    initnn_rng_seed_stream(&rng, t.seed, 1);
    clip_algebra(&t, &rng);
    tutorial_require(initnn_make_moons(&moons, 512, 0.1f, t.seed), "initnn_make_moons");
    one_step(&t, &moons);

    epochs = t.fast ? 10 : 20;
    config.epochs = epochs;
    config.batch_size = 32;
    config.on_epoch = remember_epoch;
    for (run = 0; run < 2; run++) {
        initnn_net *net = build(&moons, run ? CLIP : 0.0f, t.seed);
        epoch_log *log = run ? &clipped : &unclipped;
        int err;
        memset(log, 0, sizeof *log);
        config.user = log;
        initnn_clear_error();
        err = initnn_net_train(net, &moons, NULL, &config, NULL);
        if (run) err_clipped = err;
        else err_unclipped = err;
        if (run) printf("   clip_norm %g: returns %d after %d epochs\n", (double)CLIP, err, log->epochs);
        else printf("C. no clipping: returns %d after %d epochs; initnn_last_error():\n", err, log->epochs);
        if (err) tutorial_print_wrapped("     ", initnn_last_error());
        initnn_net_free(net);
    }
    printf("   %-6s %12s %14s\n", "epoch", "loss", "mean ||g||");
    for (i = 0; i < (int)(sizeof shown / sizeof shown[0]) && shown[i] <= clipped.epochs; i++)
        printf("   %-6d %12.4g %14.4g\n", shown[i], clipped.loss[shown[i]], clipped.grad_norm[shown[i]]);
    tutorial_print_heading();
    tutorial_absolute(&t, "no clip: INITNN_ERR_NONFINITE", INITNN_ERR_NONFINITE, err_unclipped, 0);
    tutorial_absolute(&t, "no clip: epochs completed", 0, unclipped.epochs, 0);
    tutorial_absolute(&t, "clip: returns 0", 0, err_clipped, 0);
    tutorial_absolute(&t, "clip: epochs completed", epochs, clipped.epochs, 0);
    tutorial_at_most(&t, "clip: final training loss", log(2.0), clipped.loss[clipped.epochs]);
    initnn_data_free(&moons);
    return tutorial_finish(&t);
}
