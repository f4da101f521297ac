/* 24_initial_loss.c - the first number a training run prints is a check of
   the initialization: ln C for C classes, and how far a bad init lands
   from it.

   CLAIMS
      A net ending in softmax over C = 10 classes, labels independent of
      the inputs (any label is as likely as any other before training):
      A. With a zero output kernel every logit is 0, p_j = 1/C, and the
         cross-entropy L = -ln p_y is ln C = 2.3026 for every sample.
      B. With small random logits, z_j ~ N(0, q) independently given the
         hidden layer, the expected loss rises above ln C by
            E[L] - ln C = (C - 1) q / (2 C) + O(q^2 / C)
         (0.45 q for C = 10): a loss a little above ln C is the signature
         of a good init, not of a bug.
      C. With large logits (q >> 1) the softmax is nearly one-hot on the
         largest logit and L ~ max_j z_j - z_y, so
            E[max_j z_j - z_y] = sqrt(q) E[max of C standard normals]
                               = 1.5388 sqrt(q)   (C = 10),
         about 17 for the q ~ 128 of "random_normal:1" on a 128-wide
         hidden layer: the "hockey stick" of a loss curve that starts near
         17 and spends its first steps only shrinking the logits.

   DERIVATION
      L = lse(z) - z_y with lse(z) = ln sum_j e^(z_j) = ln C + ln mean_j e^(z_j).
      Taylor to second order around z = 0: ln mean_j e^(z_j) =
      zbar + s^2 / 2 + O(z^3), zbar = mean_j z_j, s^2 = mean_j (z_j - zbar)^2.
      E[zbar] = E[z_y] = 0 (the label is independent of the logits), the
      odd third-order terms have mean 0 by symmetry, and E[s^2] =
      q (C - 1) / C, which gives B; for C -> infinity E[ln mean e^z] = q/2
      exactly (ln E[e^z] for a normal), so the remainder shrinks with C.
      For C: lse(z) lies between max_j z_j and max_j z_j + ln C, and the
      gap to the second largest logit is of order sqrt(q), so
      lse(z) - max_j z_j -> 0 as q grows; E[max] of 10 standard normals is
      1.538753 (a table value, 1.5387527, and the integral of
      10 u phi(u) Phi(u)^9, which the step evaluates and prints beside it).
      Given the hidden activations h_b of sample b, z_bj = h_b . w_j with
      independent Gaussian columns w_j of variance s^2: the logits of one
      sample are exactly independent N(0, q_b), q_b = s^2 ||h_b||^2.

   MEASUREMENT AND TOLERANCE
      Inputs N(0, 1) of 64 features, one hidden layer of 128 ReLU units
      (he_normal), output kernel "zeros", "random_normal:0.03" (q ~ 0.115)
      and "random_normal:1" (q ~ 128), zero biases, random labels, a batch
      of 512 samples (--fast 256) through K = 64 (--fast 32) independent
      nets (initnn_net_reinit). q_b is computed from each sample's h_b.
      The samples of one net share its 10 output columns, whose norms
      differ by about sqrt(2/128) relative, so the samples are not independent
      draws of the claim; the nets are. Each net gives one mean, and the
      standard error is the K means' spread / sqrt(K).
      A: the loss is computed in float: relative tolerance 1e-6.
      B: per sample, L_b minus its prediction ln C + (C - 1) q_b / (2C) has
      mean 0; the tolerance is 4 standard errors plus the remainder,
      bounded by mean q_b^2 / C.
      C: the mean of (max_j z_bj - z_by) / sqrt(q_b) against 1.538753,
      within 4 standard errors. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define INPUTS 64
#define HIDDEN 128
#define CLASSES 10
#define MAX_OF_10_NORMALS 1.5387527  /* E[max of 10 independent N(0, 1)] */

/* E[max of C independent N(0, 1)] = int C u phi(u) Phi(u)^(C-1) du, by
   composite Simpson on [-12, 12]: the table value's check. */
static double expected_max_of_normals(int count)
{
    const int panels = 24000;
    const double lo = -12.0, h = 24.0 / panels;
    double sum = 0.0;
    int i;
    for (i = 0; i <= panels; i++) {
        double u = lo + i * h, phi = exp(-0.5 * u * u) / sqrt(2.0 * 3.14159265358979323846);
        double f = count * u * phi * pow(0.5 * erfc(-u / sqrt(2.0)), count - 1);
        sum += (i == 0 || i == panels ? 1.0 : (i % 2 ? 4.0 : 2.0)) * f;
    }
    return sum * h / 3.0;
}

typedef struct init_case {
    const char *kernel;
    double loss;          /* mean L over the batch                     */
    double q;             /* mean q_b                                  */
    double b_error_mean, b_error_sd;      /* L_b - prediction_b        */
    double max_mean, max_sd;              /* (max z - z_y) / sqrt(q_b) */
    double remainder;     /* mean q_b^2 / C                            */
} init_case;

static void measure(init_case *c, const float *X, const int *labels, int batch, int nets, uint64_t seed)
{
    initnn_net *net;
    double spec_std = 0.0;
    int b, j, r;
    tutorial_require(initnn_net_create(&net, INPUTS, batch, seed), "initnn_net_create");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, "relu", "he_normal", "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, CLASSES, "softmax", c->kernel, "zeros"), "initnn_net_add_dense");
    if (strncmp(c->kernel, "random_normal:", 14) == 0) spec_std = atof(c->kernel + 14);
    c->loss = c->q = c->b_error_mean = c->b_error_sd = c->max_mean = c->max_sd = c->remainder = 0.0;
    for (r = 0; r < nets; r++) {
        const float *h, *z;
        double error = 0.0, max = 0.0;
        tutorial_require(initnn_net_reinit(net, seed * 1000 + (uint64_t)r), "initnn_net_reinit");
        if (!initnn_net_forward(net, X, batch, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
        c->loss += initnn_net_loss(net, labels, NULL) / nets;
        h = net->layers[0].y;
        z = net->layers[1].z;
        for (b = 0; b < batch; b++) {
            const float *zb = z + (size_t)b * CLASSES;
            double norm2 = 0.0, top = zb[0], sum = 0.0, q_b, loss_b;
            for (j = 0; j < HIDDEN; j++) norm2 += (double)h[(size_t)b * HIDDEN + j] * h[(size_t)b * HIDDEN + j];
            q_b = spec_std * spec_std * norm2;
            for (j = 1; j < CLASSES; j++) if (zb[j] > top) top = zb[j];
            for (j = 0; j < CLASSES; j++) sum += exp(zb[j] - top);
            loss_b = top + log(sum) - zb[labels[b]];
            error += (loss_b - (log((double)CLASSES) + (CLASSES - 1) * q_b / (2.0 * CLASSES))) / batch;
            max += (q_b > 0.0 ? (top - zb[labels[b]]) / sqrt(q_b) : 0.0) / batch;
            c->q += q_b / batch / nets;
            c->remainder += q_b * q_b / CLASSES / batch / nets;
        }
        /* one number per net: the nets are the independent draws */
        c->b_error_mean += error / nets;
        c->b_error_sd += error * error / nets;
        c->max_mean += max / nets;
        c->max_sd += max * max / nets;
    }
    c->b_error_sd = sqrt((c->b_error_sd - c->b_error_mean * c->b_error_mean) * nets / (nets - 1));
    c->max_sd = sqrt((c->max_sd - c->max_mean * c->max_mean) * nets / (nets - 1));
    initnn_net_free(net);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"A classifier over C = 100 classes starts with all logits 0. Predict its initial loss.",
         log(100.0), 0.002},
        {"C = 10 classes and logits N(0, q) with q = 0.2: predict E[L] - ln C to second order.",
         9.0 * 0.2 / 20.0, 0.01},
        {"With C = 2 and very large logits (q = 400), predict E[max(z_1, z_2) - z_y]: E[max of 2 standard "
         "normals] is 1/sqrt(pi).",
         20.0 / sqrt(3.14159265358979), 0.01},
        {"Break it: in measure(), compute q_b with spec_std instead of spec_std * spec_std (the std taken for "
         "the variance). Rerun: which claim fails first? Answer with its number, counting the claim lines "
         "from 1.",
         2, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    init_case cases[3];
    tutorial t;
    initnn_rng rng;
    float *X;
    int *labels, batch, nets, i, k;
    double sqrt_nets;

    tutorial_start(&t, argc, argv, "24 initial loss: ln C at a zero or small init, ~1.54 sqrt(q) at a large one");
    exercises(&t);
    batch = t.fast ? 256 : 512;
    nets = t.fast ? 32 : 64;
    sqrt_nets = sqrt((double)nets);
    X = (float *)malloc((size_t)batch * INPUTS * sizeof(float));
    labels = (int *)malloc((size_t)batch * sizeof(int));
    if (!X || !labels) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed_stream(&rng, t.seed, 24);
    for (i = 0; i < batch * INPUTS; i++) X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < batch; i++) labels[i] = (int)initnn_rng_below(&rng, CLASSES);
    cases[0].kernel = "zeros";
    cases[1].kernel = "random_normal:0.03";
    cases[2].kernel = "random_normal:1";
    for (k = 0; k < 3; k++) measure(&cases[k], X, labels, batch, nets, t.seed);

    printf("%d nets, %d samples each, %d -> %d relu (he_normal) -> softmax(%d), random labels; ln C = %.4f\n",
           nets, batch, INPUTS, HIDDEN, CLASSES, log((double)CLASSES));
    printf("%-22s %12s %12s %14s\n", "output kernel", "mean q_b", "initial loss", "loss - ln C");
    for (k = 0; k < 3; k++)
        printf("%-22s %12.4g %12.4f %14.4f\n", cases[k].kernel, cases[k].q, cases[k].loss,
               cases[k].loss - log((double)CLASSES));
    printf("E[max of %d N(0, 1)]: table %.6f, quadrature of %d u phi(u) Phi(u)^%d: %.6f\n", CLASSES,
           MAX_OF_10_NORMALS, CLASSES, CLASSES - 1, expected_max_of_normals(CLASSES));
    tutorial_print_heading();
    tutorial_relative(&t, "A: zeros: L = ln C", log((double)CLASSES), cases[0].loss, 1e-6);
    tutorial_relative(&t, "B: small: L - ln C = 0.45 q", (CLASSES - 1) * cases[1].q / (2.0 * CLASSES),
                      cases[1].loss - log((double)CLASSES),
                      (4.0 * cases[1].b_error_sd / sqrt_nets + cases[1].remainder) /
                          ((CLASSES - 1) * cases[1].q / (2.0 * CLASSES)));
    tutorial_relative(&t, "C: large: (max z - z_y)/sqrt(q)", MAX_OF_10_NORMALS, cases[2].max_mean,
                      4.0 * cases[2].max_sd / sqrt_nets / MAX_OF_10_NORMALS);
    printf("the large init starts %.1f times above ln C: its first steps only shrink the logits\n",
           cases[2].loss / log((double)CLASSES));
    free(X);
    free(labels);
    return tutorial_finish(&t);
}
