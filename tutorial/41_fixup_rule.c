/* 41_fixup_rule.c - Fixup's rule derived: scale each branch's inner layers
   by L^(-1/(2m-2)) and zero its last, and one SGD step moves the net's
   output by Theta(eta) at any depth.

   CLAIMS
      A residual net x_l = x_{l-1} + F_l(x_{l-1}) of L branches, each m
      layers F = W_m relu(... relu(W_1 x)), its output f = x_L. Fixup
      (Zhang, Dauphin & Ma 2019, section 3) asks of the initialization that
      one SGD step of size eta change f by Theta(eta), however deep the net:
         Delta f = f(theta - eta dl/dtheta) - f(theta) = Theta(eta).
      Measured here: D = <Delta f, -G> / (eta |G|), the change of f along
      the direction that lowers the loss (G = dl/df), per unit eta.
      1. The L branches move f in correlated directions, so each must move
         it by Theta(eta / L). With the last layer of every branch zero and
         the others at their standard (He) draw, each branch moves f by
         Theta(eta): D grows as L^1.
      2. Scaling the m - 1 inner layers of every branch by s scales D by
         s^(2m-2) exactly (the derivation below): slope 2m - 2 in s.
      3. So s^(2m-2) L must stay constant: s = L^(-1/(2m-2)), measured as
         -(slope in L) / (slope in s): -1/2 for m = 2, -1/4 for m = 3.
      4. The library's Fixup (initnn_net_fixup: kernel spec "fixup") then
         gives a D independent of L: slope 0.

   DERIVATION (the paper's scalar branch, then the real one)
      A branch as a product of scalars, F(x) = a_1 a_2 ... a_m x: each a_i
      gets the gradient dl/da_i = dl/dF F / a_i, so one step changes F by
         Delta F = sum_i dF/da_i Delta a_i = -eta dl/dF sum_i (F / a_i)^2
      to first order. Fixup takes a_m = 0 and a_i = s for i < m: then
      F / a_i = 0 for i < m, and F / a_m = s^(m-1) x, so
         Delta F = -eta dl/dF s^(2m-2) x^2,
      which is Theta(eta / L) iff s^(2m-2) = 1/L: s = L^(-1/(2m-2)).
      The real branch: with W_m = 0 the gradient reaches only W_m (every
      earlier layer is multiplied by it), every block is the identity
      (x_l = x_0), and dl/dW_m = H^T G with H = relu(... relu(X W_1)) the
      branch's last hidden layer (B, n). The step W_m -= eta H^T G changes
      f by H (-eta H^T G):
         Delta f = -eta (sum over branches of H_l H_l^T) G,
         D = sum over branches of |H_l^T G|^2 / |G| = sum |dl/dW_m|^2 / |G|.
      relu is positively homogeneous, relu(s z) = s relu(z), so scaling
      the m - 1 layers before W_m by s scales H by s^(m-1) and D by
      s^(2m-2) -- exactly, draw by draw (claim 2). The L terms are
      independent draws of one random variable: D = L s^(2m-2) times their
      mean, whose expectation does not depend on L (claims 1, 3, 4). (|Delta
      f| itself is not used: the norm of a mean of L noisy matrices is
      biased upwards by its noise, which falls with L, and its slope would
      measure that.) The derivation has no biases (the paper's branch is
      positively homogeneous), so the step here moves the kernels only.
      Fixup also zeros the classification layer; these nets have none (f is
      the last block's sum, the loss MSE), so that the first step reaches
      the branches. The targets are T = X - Z, Z Gaussian with each column
      centred over the batch, so G is proportional to Z: a relu feature's
      mean (the same for every sample) then does not enter |H^T G|, and
      the part of D that varies from branch to branch is small.

   MEASUREMENT AND TOLERANCE
      Width n = 64, 64 Gaussian inputs, L = 4, 8, 16, 32, 64 blocks
      (--fast: up to 32) of m = 2 and m = 3 dense layers. Delta f by a
      central difference of the real net, (f(theta - eta g) - f(theta +
      eta g)) / 2, which cancels the eta^2 term, eta = 1e-3 / |g| (a step
      of 1e-3 in the kernels). The slopes are least-squares fits of ln D
      on ln L (claims 1, 4), each depth weighted by L (D / L is a mean over
      L branches: its variance falls as 1 / L), or on ln s (claim 2, s =
      1/2, 1, 2 at L = 16, unweighted). Claim 2 is exact up to float
      rounding: within 1e-3. In claims 1 and 4 the mean over the first few
      branches fluctuates (seed 1, m = 3, in the table: D = 0.8986 at
      L = 4, 1.03 at L = 64), which moves the fitted slope by a few
      hundredths: over a sweep of seeds the largest deviation from the
      prediction stayed inside 0.05 (full size) and 0.12 (--fast, without
      the lever of L = 64), so those are the tolerances, and
      claim 3 inherits it divided by 2m - 2. A Fixup exponent 10% off,
      -1.1/(2m-2), makes claim 4's slope -0.1: twice the tolerance. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define MAX_DEPTHS 5
#define BATCH 64

/* The net of L blocks of m dense layers of width n, its kernels from
   kernel_init; for "he_normal" the last layer of each branch is then set to
   0 and the others multiplied by s (Fixup's rule by hand, with any s). */
static initnn_net *build(tutorial *t, int L, int m, int n, const char *kernel_init, double s)
{
    static char arch[65536];
    initnn_net *net = NULL;
    int i, k;
    arch[0] = '\0';
    for (i = 0; i < L; i++) {
        strcat(arch, i ? ",res[" : "res[");
        for (k = 0; k < m; k++)
            snprintf(arch + strlen(arch), sizeof arch - strlen(arch), "dense:%d%s", n, k < m - 1 ? ",relu," : "]");
    }
    tutorial_require(initnn_net_from_arch(&net, arch, 1, 1, n, kernel_init, "zeros", BATCH, t->seed),
                     "initnn_net_from_arch");
    tutorial_require(initnn_net_set_loss(net, INITNN_LOSS_MSE), "initnn_net_set_loss");
    if (!strcmp(kernel_init, "he_normal"))
        for (i = 0; i < net->layer_count; i++) {
            const initnn_layer *res = &net->layers[i];
            int last = -1;
            if (res->type != INITNN_LAYER_RESIDUAL) continue;
            for (k = res->skip_from + 1; k < i; k++)
                if (net->layers[k].weight_count) last = k;
            for (k = res->skip_from + 1; k < i; k++) {
                initnn_layer *l = &net->layers[k];
                size_t j;
                for (j = 0; j < l->weight_count; j++) l->W[j] = k == last ? 0.0f : (float)(l->W[j] * s);
            }
        }
    return net;
}

/* Adds step times the kernels' gradient to every kernel. */
static void move_kernels(initnn_net *net, double step)
{
    int i;
    size_t j;
    for (i = 0; i < net->layer_count; i++) {
        initnn_layer *l = &net->layers[i];
        for (j = 0; j < l->weight_count; j++) l->W[j] = (float)(l->W[j] + step * l->dW[j]);
    }
}

/* D = <Delta f, -G> / (eta |G|) of one SGD step on the kernels, Delta f
   by a central difference; G = dl/df, the last layer's dz. */
static double output_change(initnn_net *net, const float *X, const float *T, int n)
{
    static float minus[BATCH * 64];
    const float *y;
    double grad2 = 0.0, eta, change = 0.0;
    int i;
    size_t j;
    if (!initnn_net_forward(net, X, BATCH, 1)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
    initnn_net_zero_grad(net);
    tutorial_require(initnn_net_backward(net, NULL, T, NULL), "initnn_net_backward");
    for (i = 0; i < net->layer_count; i++)
        for (j = 0; j < net->layers[i].weight_count; j++) grad2 += (double)net->layers[i].dW[j] * net->layers[i].dW[j];
    eta = 1e-3 / sqrt(grad2);
    move_kernels(net, -eta);
    y = initnn_net_forward(net, X, BATCH, 1);
    memcpy(minus, y, sizeof(float) * BATCH * (size_t)n);
    move_kernels(net, 2.0 * eta);
    y = initnn_net_forward(net, X, BATCH, 1);
    {
        double g2 = 0.0;
        const float *G = net->layers[net->layer_count - 1].dz;
        for (i = 0; i < BATCH * n; i++) { change += 0.5 * ((double)minus[i] - y[i]) * -G[i]; g2 += (double)G[i] * G[i]; }
        return change / sqrt(g2) / eta;
    }
}

/* The least-squares slope of ln y on ln x, point i weighted by w[i] (NULL:
   all 1). */
static double log_slope(const double *x, const double *y, const double *w, int count)
{
    double mx = 0.0, my = 0.0, sxy = 0.0, sxx = 0.0, total = 0.0;
    int i;
    for (i = 0; i < count; i++) total += w ? w[i] : 1.0;
    for (i = 0; i < count; i++) {
        mx += (w ? w[i] : 1.0) * log(x[i]) / total;
        my += (w ? w[i] : 1.0) * log(y[i]) / total;
    }
    for (i = 0; i < count; i++) {
        sxy += (w ? w[i] : 1.0) * (log(x[i]) - mx) * (log(y[i]) - my);
        sxx += (w ? w[i] : 1.0) * (log(x[i]) - mx) * (log(x[i]) - mx);
    }
    return sxy / sxx;
}

/* The figure (--plot), as tutorial_plot draws it but with whole-number
   ticks on the log2 L axis. */
static void write_plot(tutorial *t, const initnn_plot_series *series, int count)
{
    initnn_plot plot;
    if (!t->plot_path) return;
    memset(&plot, 0, sizeof plot);
    plot.title = "One SGD step's change of the output, D = <Delta f, -G> / (eta |G|)";
    plot.x_label = "log2 L (residual branches)";
    plot.y_label = "D";
    plot.log_y = 1;
    plot.markers = 1;
    plot.integer_x = 1;
    tutorial_require(initnn_plot_svg(t->plot_path, &plot, series, count), "initnn_plot_svg");
    t->plotted = 1;
    printf("figure written to %s\n", t->plot_path);
}

static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Fixup with branches of m = 4 layers in a net of L = 81 branches: predict the scale s of each inner layer, "
         "L^(-1/(2m-2)).", pow(81.0, -1.0 / 6.0), 0.002},
        {"The last layers zero, the inner ones at He's draw (s = 1), m = 2: by what factor does D grow from "
         "L = 10 to L = 1000 branches?", 100.0, 0.002},
        {"m = 3, L = 16: the inner layers scaled by 1/sqrt(L) instead of Fixup's L^(-1/4) (the m = 2 rule applied to "
         "3-layer branches). Predict D as a fraction of Fixup's, s^(2m-2) L.",
         pow(16.0, -2.0) * 16.0, 0.002},
        {"Break it: in build(), multiply by s only the first layer of each branch (s where k == res->skip_from + 1, "
         "else 1), as if the rule were to scale one layer. Rerun: which claim fails first? Answer with its number, "
         "counting the claim lines from 1.", 6, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    tutorial t;
    static const double scales[3] = {0.5, 1.0, 2.0};
    double depth_x[MAX_DEPTHS], unscaled[2][MAX_DEPTHS], fixup[2][MAX_DEPTHS], by_scale[3], log2_depth[MAX_DEPTHS];
    int depths, n, m, d, i, j;
    double slope_tol;
    float *X, *T;
    initnn_rng rng;
    tutorial_start(&t, argc, argv, "41 Fixup's rule: L^(-1/(2m-2)) keeps one SGD step Theta(eta) at any depth");
    exercises(&t);
    depths = t.fast ? 4 : 5;
    n = 64;
    slope_tol = t.fast ? 0.12 : 0.05;
    X = (float *)malloc(sizeof(float) * BATCH * (size_t)n);
    T = (float *)malloc(sizeof(float) * BATCH * (size_t)n);
    if (!X || !T) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed(&rng, t.seed + 1000);
    for (i = 0; i < BATCH * n; i++) X[i] = initnn_rng_normal(&rng);
    /* T = X - Z, Z Gaussian with every column centred over the batch: the
       residual f - T = Z at init (see the comment) */
    for (i = 0; i < BATCH * n; i++) T[i] = initnn_rng_normal(&rng);
    for (j = 0; j < n; j++) {
        double mean = 0.0;
        for (i = 0; i < BATCH; i++) mean += T[i * n + j] / BATCH;
        for (i = 0; i < BATCH; i++) T[i * n + j] = (float)(X[i * n + j] - (T[i * n + j] - mean));
    }
    for (d = 0; d < depths; d++) {
        depth_x[d] = 4 << d;
        log2_depth[d] = 2 + d;
    }

    printf("res[dense:%d,relu,...,dense:%d] x L, MSE, %d samples: D = <Delta f, -G> / (eta |G|)\n", n, n, BATCH);
    printf("%4s %22s %22s\n", "", "m = 2", "m = 3");
    printf("%4s %11s %10s %11s %10s\n", "L", "last zero", "Fixup", "last zero", "Fixup");
    for (d = 0; d < depths; d++) {
        int L = 4 << d;
        for (m = 2; m <= 3; m++) {
            initnn_net *net = build(&t, L, m, n, "he_normal", 1.0);
            unscaled[m - 2][d] = output_change(net, X, T, n);
            initnn_net_free(net);
            net = build(&t, L, m, n, "fixup", 1.0);
            fixup[m - 2][d] = output_change(net, X, T, n);
            initnn_net_free(net);
        }
        printf("%4d %11.4g %10.4g %11.4g %10.4g\n", L, unscaled[0][d], fixup[0][d], unscaled[1][d], fixup[1][d]);
    }
    tutorial_print_heading();
    for (m = 2; m <= 3; m++) {
        double slope_L, slope_s;
        char claim[64];
        for (i = 0; i < 3; i++) {
            initnn_net *net = build(&t, 16, m, n, "he_normal", scales[i]);
            by_scale[i] = output_change(net, X, T, n);
            initnn_net_free(net);
        }
        slope_L = log_slope(depth_x, unscaled[m - 2], depth_x, depths);
        slope_s = log_slope(scales, by_scale, NULL, 3);
        snprintf(claim, sizeof claim, "m=%d: last zero, s=1: slope in L", m);
        tutorial_absolute(&t, claim, 1.0, slope_L, slope_tol);
        snprintf(claim, sizeof claim, "m=%d: slope in s = 2m - 2", m);
        tutorial_absolute(&t, claim, 2.0 * m - 2.0, slope_s, 1e-3);
        snprintf(claim, sizeof claim, "m=%d: exponent -1/(2m-2)", m);
        tutorial_absolute(&t, claim, -1.0 / (2.0 * m - 2.0), -slope_L / slope_s, slope_tol / (2.0 * m - 2.0));
        snprintf(claim, sizeof claim, "m=%d: Fixup net: slope in L", m);
        tutorial_absolute(&t, claim, 0.0, log_slope(depth_x, fixup[m - 2], depth_x, depths), slope_tol);
    }
    {
        initnn_plot_series series[4];
        series[0] = tutorial_series("Fixup, m = 2", log2_depth, fixup[0], depths);
        series[1] = tutorial_series("Fixup, m = 3", log2_depth, fixup[1], depths);
        series[2] = tutorial_series("last layer 0, inner He unscaled, m = 2", log2_depth, unscaled[0], depths);
        series[3] = tutorial_series("last layer 0, inner He unscaled, m = 3", log2_depth, unscaled[1], depths);
        write_plot(&t, series, 4);
    }
    free(X);
    free(T);
    return tutorial_finish(&t);
}
