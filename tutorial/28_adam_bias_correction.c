/* 28_adam_bias_correction.c - Adam divides its moving averages by
   1 - beta^t; without that its first steps are 3.2 to 6.6 times too long.

   CLAIMS
      Adam (Kingma & Ba 2015, Algorithm 1), per weight, with gradient g_t:
         m_t = b1 m_{t-1} + (1 - b1) g_t,   v_t = b2 v_{t-1} + (1 - b2) g_t^2,
         m_hat = m_t / (1 - b1^t),  v_hat = v_t / (1 - b2^t),
         w -= lr m_hat / (sqrt(v_hat) + eps),   b1 = 0.9, b2 = 0.999.
      A. The first corrected step moves every weight by lr g / (|g| + eps),
         i.e. by lr whatever the gradient's scale (step 26 builds on this).
         Without the correction it moves by lr (1 - b1) g / (sqrt(1 - b2)
         |g| + eps): (1 - b1) / sqrt(1 - b2) = 0.1 / 0.0316 = 3.162 times
         further. On a net, the ratio of the two first updates is that,
         per layer, up to eps.
      B. With a constant gradient g, m_t = (1 - b1^t) g and
         v_t = (1 - b2^t) g^2 exactly (geometric sums from m_0 = v_0 = 0):
         the averages start biased toward 0, and dividing by 1 - b^t
         removes the bias.
      C. So without the correction the step is lr (1 - b1^t) / sqrt(1 - b2^t)
         (eps aside): 3.16 lr at t = 1, rising to a peak of 6.57 lr at
         t = 12, still 1.26 lr at t = 1000; b2 = 0.999 averages over ~1000
         steps, and for those the uncorrected v is too small.

   DERIVATION
      m_t = (1 - b1) sum_{k=1..t} b1^(t-k) g_k; for g_k = g that is
      (1 - b1) g (1 - b1^t) / (1 - b1) = (1 - b1^t) g. The same for v with
      b2 and g^2. Then m_t / sqrt(v_t) = (1 - b1^t) / sqrt(1 - b2^t) sign(g),
      and m_hat / sqrt(v_hat) = sign(g). At t = 1 with any g:
      m_1 = (1 - b1) g, v_1 = (1 - b2) g^2, which gives A.

   MEASUREMENT AND TOLERANCE
      A: two-moons (256 samples), 2 -> 64 relu -> 64 relu -> softmax(2),
      he_normal, one batch of 64. The gradient g of that batch is taken
      first (initnn_net_forward + initnn_net_backward), then one
      initnn_net_train_batch with initnn_adam(0.01), on two copies of the
      net (same seed): one as the library runs it, one with the
      optimizer's step counter set to 10^9 first, which makes
      1 - b^t = 1 in double, i.e. Adam without the correction. The
      per-layer ratio of the two update_ratio values (initnn_net_diagnose)
      is compared with the ratio predicted from g weight by weight:
      ||lr 0.1 g / (0.0316 |g| + eps)|| / ||lr g / (|g| + eps)||; each
      updated weight is rounded once to float, so the tolerance is
      4 u max|w| / min(layer's update) + 1e-6, u = 2^-24, computed.
      B: the recursions run in float for t = 1..1000 with g = 0.37; the
      float sum has a relative error of at most ~t u: tolerance 1000 u
      on the largest relative deviation from the closed forms.
      C: the peak over t of the loop's uncorrected/corrected step ratio
      and its position, against the closed form (tolerance 1000 u; the
      position exactly). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define HIDDEN 64
#define BATCH 64
#define LEARNING_RATE 0.01f
#define NO_CORRECTION_STEP 1000000000   /* 0.9^1e9 = 0.999^1e9 = 0 in double */
#define UNIT_ROUNDOFF 5.9604644775390625e-8

static initnn_net *build(uint64_t seed)
{
    initnn_net *net;
    initnn_optimizer adam = initnn_adam(LEARNING_RATE);
    tutorial_require(initnn_net_create(&net, 2, BATCH, seed), "initnn_net_create");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, "relu", "he_normal", "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, "relu", "he_normal", "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, 2, "softmax", "he_normal", "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_optimizer(net, &adam), "initnn_net_set_optimizer");
    return net;
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Adam with b1 = 0.9, b2 = 0.99 and no bias correction: predict its first step in units of lr.",
         0.1 / sqrt(0.01), 0.002},
        {"With b1 = 0.9, b2 = 0.999 and a constant gradient, predict m_t / g at t = 5.", 1.0 - pow(0.9, 5), 0.002},
        {"Predict the uncorrected step, in units of lr, at t = 100 (b1 = 0.9, b2 = 0.999, constant gradient).",
         (1.0 - pow(0.9, 100)) / sqrt(1.0 - pow(0.999, 100)), 0.002},
        {"Break it: in the loop of part B, start m and v at g and g^2 (m_0 = g, v_0 = g^2) instead of 0. "
         "Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         4, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    tutorial t;
    initnn_data moons;
    initnn_net *corrected, *uncorrected;
    initnn_layer_diag diag_c[3], diag_u[3];
    double predicted_ratio[3], tolerance[3];
    int l;

    tutorial_start(&t, argc, argv, "28 Adam's bias correction: m / (1 - b1^t), v / (1 - b2^t)");
    exercises(&t);
    tutorial_require(initnn_make_moons(&moons, 256, 0.1f, t.seed), "initnn_make_moons");
    corrected = build(t.seed);
    uncorrected = build(t.seed);

    /* A: the gradient of the batch, then one step each way */
    if (!initnn_net_forward(corrected, moons.x, BATCH, 1)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
    initnn_net_zero_grad(corrected);
    tutorial_require(initnn_net_backward(corrected, moons.labels, NULL, NULL), "initnn_net_backward");
    for (l = 0; l < 3; l++) {
        const initnn_layer *layer = &corrected->layers[l];
        double with = 0.0, without = 0.0, smallest = HUGE_VAL, largest_w = 0.0, eps = 1e-8;
        size_t i;
        for (i = 0; i < layer->weight_count; i++) {
            double g = layer->dW[i], a = fabs(g);
            double step_with = LEARNING_RATE * a / (a + eps);
            double step_without = LEARNING_RATE * 0.1 * a / (sqrt(0.001) * a + eps);
            with += step_with * step_with;
            without += step_without * step_without;
            if (step_with > 0.0 && step_with < smallest) smallest = step_with;
            if (fabs(layer->W[i]) > largest_w) largest_w = fabs(layer->W[i]);
        }
        predicted_ratio[l] = sqrt(without / with);
        tolerance[l] = 4.0 * UNIT_ROUNDOFF * largest_w / smallest + 1e-6;
    }
    tutorial_require(initnn_net_train_batch(corrected, moons.x, moons.labels, NULL, BATCH, NULL, NULL),
                     "initnn_net_train_batch");
    uncorrected->opt.step = NO_CORRECTION_STEP;
    tutorial_require(initnn_net_train_batch(uncorrected, moons.x, moons.labels, NULL, BATCH, NULL, NULL),
                     "initnn_net_train_batch");
    tutorial_require(initnn_net_diagnose(corrected, diag_c, NULL, moons.x, NULL, NULL, BATCH), "initnn_net_diagnose");
    tutorial_require(initnn_net_diagnose(uncorrected, diag_u, NULL, moons.x, NULL, NULL, BATCH),
                     "initnn_net_diagnose");
    printf("A. first Adam step, lr %g, two-moons 2 -> %d -> %d -> softmax(2), batch %d\n", (double)LEARNING_RATE,
           HIDDEN, HIDDEN, BATCH);
    printf("%-8s %16s %16s %10s\n", "layer", "update ratio", "uncorrected", "ratio");
    for (l = 0; l < 3; l++)
        printf("%-8d %16.4g %16.4g %10.5f\n", l + 1, diag_c[l].update_ratio, diag_u[l].update_ratio,
               diag_u[l].update_ratio / diag_c[l].update_ratio);
    tutorial_print_heading();
    for (l = 0; l < 3; l++) {
        char claim[48];
        snprintf(claim, sizeof claim, "A: layer %d uncorrected/corrected", l + 1);
        tutorial_relative(&t, claim, predicted_ratio[l], diag_u[l].update_ratio / diag_c[l].update_ratio,
                          tolerance[l]);
    }

    /* B and C: the recursions with a constant gradient, in float */
    {
        const float b1 = 0.9f, b2 = 0.999f, g = 0.37f;
        float m = 0.0f, v = 0.0f;
        double worst = 0.0, peak = 0.0, predicted_peak = 0.0;
        int step, peak_step = 0, predicted_peak_step = 0;
        for (step = 1; step <= 1000; step++) {
            double c1 = 1.0 - pow((double)b1, step), c2 = 1.0 - pow((double)b2, step), ratio, closed;
            m = b1 * m + (1.0f - b1) * g;
            v = b2 * v + (1.0f - b2) * g * g;
            if (fabs(m / (c1 * g) - 1.0) > worst) worst = fabs(m / (c1 * g) - 1.0);
            if (fabs(v / (c2 * (double)g * g) - 1.0) > worst) worst = fabs(v / (c2 * (double)g * g) - 1.0);
            /* uncorrected step m / sqrt(v) over the corrected one, m_hat / sqrt(v_hat) */
            ratio = m / sqrt((double)v);   /* g > 0: the corrected step / lr is 1 */
            closed = c1 / sqrt(c2);
            if (ratio > peak) { peak = ratio; peak_step = step; }
            if (closed > predicted_peak) { predicted_peak = closed; predicted_peak_step = step; }
            if (step == 1 || step == 10 || step == 100 || step == 1000)
                printf("%s t = %-5d m/g = %.6f  v/g^2 = %.6f  uncorrected step / lr = %.4f (closed form %.4f)\n",
                       step == 1 ? "B." : "  ", step, m / g, v / ((double)g * g), ratio, closed);
        }
        tutorial_print_heading();
        tutorial_absolute(&t, "B: max |m_t/((1-b^t) g) - 1|, v too", 0.0, worst, 1000.0 * UNIT_ROUNDOFF);
        tutorial_relative(&t, "C: peak uncorrected step / lr", predicted_peak, peak, 1000.0 * UNIT_ROUNDOFF);
        tutorial_absolute(&t, "C: at step t", predicted_peak_step, peak_step, 0.0);
    }
    initnn_net_free(corrected);
    initnn_net_free(uncorrected);
    initnn_data_free(&moons);
    return tutorial_finish(&t);
}
