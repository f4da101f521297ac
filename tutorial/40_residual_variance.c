/* 40_residual_variance.c - why a deep residual net needs its own init, and
   why batch normalization forgives the kernel's scale.

   CLAIMS
      1. A residual block adds its branch to its input: x' = x + F(x). With
         the branch's last weights zero-mean and drawn independently of x,
         E[x F(x)] = 0 over the weights, so
            E[x'^2] = E[x^2] + E[F(x)^2] = (1 + c) E[x^2]
         where c = E[F(x)^2] / E[x^2] is the branch's gain. For
         F = dense (He), relu, dense (He): the first layer doubles E[x^2]
         (sigma_w^2 = 2), relu halves it (step 05), the second doubles it:
         c = 2, and L blocks multiply E[x^2] by 3^L -- He's init, right for a
         plain net (step 06), explodes a residual one.
      2. Scaling each branch by alpha = 1/sqrt(L) makes c = 2/L and the
         growth (1 + 2/L)^L < e^2 = 7.389 (printed), bounded at any depth;
         alpha = 0 (SkipInit, ReZero) keeps E[x^2] exactly.
      3. Batch normalization makes the forward pass invariant to the scale
         of the kernel before it: BN(x (cW)) = BN(x W) for c > 0, since
         the mean and standard deviation scale by c too (up to eps).
      4. ... but not the gradient: dL/dW at cW is (1/c) dL/dW at W (the
         loss is constant along the ray cW, so the gradient is orthogonal to
         W and shrinks as 1/|W|); an SGD step changes the direction of W by
         lr |g| / |W|, an effective learning rate lr / c^2.

   MEASUREMENT AND TOLERANCE
      Claims 1, 2: initnn_theory_compare on L pre-activation blocks of
      width n = 256 (L = 30; --fast: L = 20), 256 Gaussian inputs. One draw of finite width fluctuates per block by about
      sqrt(2/n) around the mean, and the log of the product of L factors by
      sqrt(L) times that: the measured growth per block, (q_L / q_1)^(1/(L-1)),
      within 3% of 3 (claim 1); the final E[z^2] within 25% of (1 + 2/L)^L
      (claim 2), and with alpha = 0 within 5% of the input's.
      Claims 3, 4: a dense(64)-BN-tanh-dense(10) net on 64 samples, its
      first kernel multiplied by c = 10: outputs within 1e-4 (eps = 1e-5 is
      negligible beside the variance), gradient norm ratio within 1% of
      1/c (float rounding). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

/* E[z^2] of the first and last block adds of L blocks of res:SCALE[...],
   the last one's prediction, and the largest |log(measured/predicted)|. */
static void residual_stack(tutorial *t, int L, int n, const char *scale, double *first, double *last,
                           double *last_predicted)
{
    static char arch[16384];
    enum { B = 256, D = 64 };
    initnn_net *net = NULL;
    initnn_layer_theory *table;
    float *X = (float *)malloc(sizeof(float) * B * D);
    int labels[B], i, f = -1, l = -1;
    initnn_rng rng;
    snprintf(arch, sizeof arch, "dense:%d,relu", n);
    for (i = 0; i < L; i++)
        snprintf(arch + strlen(arch), sizeof arch - strlen(arch), ",res%s%s[dense:%d,relu,dense:%d]", scale ? ":" : "",
                 scale ? scale : "", n, n);
    strcat(arch, ",dense:10,softmax");
    tutorial_require(initnn_net_from_arch(&net, arch, 1, 1, D, "he_normal", NULL, B, t->seed), "initnn_net_from_arch");
    table = (initnn_layer_theory *)malloc(sizeof *table * (size_t)net->layer_count);
    if (!X || !table) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed(&rng, t->seed + 1000);
    for (i = 0; i < B * D; i++) X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < B; i++) labels[i] = i % 10;
    tutorial_require(initnn_theory_compare(net, table, X, labels, NULL, B), "initnn_theory_compare");
    for (i = 0; i < net->layer_count; i++)
        if (net->layers[i].type == INITNN_LAYER_RESIDUAL) { if (f < 0) f = i; l = i; }
    *first = table[f].q_measured;
    *last = table[l].q_measured;
    *last_predicted = table[l].q_predicted / table[f].q_predicted * table[f].q_measured;
    free(X);
    free(table);
    initnn_net_free(net);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"He branches (c = 2): predict the factor by which 10 residual blocks multiply E[x^2].", pow(3.0, 10), 0.002},
        {"Each branch scaled by alpha = 1/sqrt(L), L = 50: predict the total growth of E[x^2], (1 + c alpha^2)^L "
         "with c = 2.", pow(1.0 + 2.0 / 50.0, 50), 0.002},
        {"A branch dense (He), relu, dense (LeCun: Var(W) = 1/fan_in): predict its gain c = E[F(x)^2] / E[x^2].",
         1.0, 0.002},
        {"Break it: in main, pass NULL instead of scale to the second residual_stack (alpha = 1 instead of "
         "1/sqrt(L)). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         2, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    tutorial t;
    int L, n;
    double first, last, predicted;
    char scale[48];
    tutorial_start(&t, argc, argv, "Residual stacks: (1 + c)^L, the 1/sqrt(L) cure, and batch norm's scale invariance");
    exercises(&t);
    L = t.fast ? 20 : 30;
    n = 256;

    printf("%d blocks res[dense:%d,relu,dense:%d], He kernels, 256 Gaussian inputs\n", L, n, n);
    tutorial_print_heading();
    residual_stack(&t, L, n, NULL, &first, &last, &predicted);
    tutorial_relative(&t, "growth per block, He: 1 + c = 3", 3.0, pow(last / first, 1.0 / (L - 1)), 0.03);
    snprintf(scale, sizeof scale, "constant:%.17g", 1.0 / sqrt((double)L));
    residual_stack(&t, L, n, scale, &first, &last, &predicted);
    tutorial_relative(&t, "alpha=1/sqrt(L): E[z^2] (1+2/L)^L", pow(1.0 + 2.0 / L, L), last / first * (1.0 + 2.0 / L),
                      0.25);
    tutorial_at_most(&t, "  ... bounded: <= 1.25 e^2, any L", 1.25 * exp(2.0), last / first * (1.0 + 2.0 / L));
    printf("  ((1 + 2/L)^L = %.4g < e^2 = %.4g at any L)\n", pow(1.0 + 2.0 / L, L), exp(2.0));
    residual_stack(&t, L, n, "zeros", &first, &last, &predicted);
    tutorial_relative(&t, "alpha = 0: E[z^2] stays the input's", 1.0, last / first, 0.05);

    {
        enum { B = 64, D = 32 };
        initnn_net *net = NULL;
        float X[B * D], y1[B * 10], g1_norm = 0.0f, g2_norm = 0.0f;
        int labels[B], i;
        double max_diff = 0.0;
        initnn_rng rng;
        const float *y;
        size_t k, count;
        tutorial_require(initnn_net_from_arch(&net, "dense:64,bn,tanh,dense:10,softmax", 1, 1, D, "he_normal", NULL, B,
                                              t.seed), "initnn_net_from_arch");
        initnn_rng_seed(&rng, t.seed + 7);
        for (i = 0; i < B * D; i++) X[i] = initnn_rng_normal(&rng);
        for (i = 0; i < B; i++) labels[i] = i % 10;
        count = net->layers[0].weight_count;
        y = initnn_net_forward(net, X, B, 1);
        memcpy(y1, y, sizeof y1);
        initnn_net_zero_grad(net);
        tutorial_require(initnn_net_backward(net, labels, NULL, NULL), "initnn_net_backward");
        for (k = 0; k < count; k++) g1_norm += net->layers[0].dW[k] * net->layers[0].dW[k];
        for (k = 0; k < count; k++) net->layers[0].W[k] *= 10.0f;
        y = initnn_net_forward(net, X, B, 1);
        for (i = 0; i < B * 10; i++) max_diff = fmax(max_diff, fabs((double)y[i] - y1[i]));
        initnn_net_zero_grad(net);
        tutorial_require(initnn_net_backward(net, labels, NULL, NULL), "initnn_net_backward");
        for (k = 0; k < count; k++) g2_norm += net->layers[0].dW[k] * net->layers[0].dW[k];
        printf("\ndense:64,bn,tanh,dense:10,softmax on %d samples; the first kernel times c = 10\n", B);
        tutorial_print_heading();
        tutorial_absolute(&t, "BN: outputs unchanged by W -> 10 W", 0.0, max_diff, 1e-4);
        tutorial_relative(&t, "|dL/dW| ratio = 1/c", 0.1, sqrt((double)g2_norm / g1_norm), 0.01);
        initnn_net_free(net);
    }
    return tutorial_finish(&t);
}
