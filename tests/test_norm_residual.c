/* test_norm_residual.c - batch normalization, layer normalization and
   residual blocks against references written here from their formulas.

   1. The plain loops (initnn_batchnorm_*, initnn_layernorm_*) against a
      naive double-precision evaluation of
         xhat = (x - mean) / sqrt(var + eps),  z = gamma xhat + beta
      and PyTorch's running averages (momentum 0.1, unbiased variance), and
      their backward against central differences of that double forward.
   2. Whole nets with bn, ln and res[...] (identity skip, projection, scalar,
      dense and conv) against a double-precision forward of the same
      architecture that shares no code with the net's:

         dL/dp_i ~ (L(p + h e_i) - L(p - h e_i)) / (2 h),  h = 1e-6 (1 + |p_i|)

      in double (truncation ~1e-12, rounding ~1e-10), compared with the
      net's float32 backward as |analytic - numeric| <= 1e-3 max(|a|, |n|)
      + 1e-6, every parameter, no coordinate skipped (smooth activations:
      tanh, sigmoid, identity; no kinks). Each layer's gradient must reach
      1e-4 somewhere, so a zero or halved gradient cannot pass.
   3. Evaluation uses the running statistics; a checkpoint round-trips them;
      the architecture grammar builds blocks and refuses bad brackets. */

#define _POSIX_C_SOURCE 200809L
#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#define GRAD_RTOL 1e-3
#define GRAD_ATOL 1e-6
#define GRAD_MIN_SCALE 1e-4

static void fill_uniform(float *x, size_t n, double lo, double hi, uint64_t seed)
{
    initnn_rng rng;
    size_t i;
    initnn_rng_seed(&rng, seed);
    for (i = 0; i < n; i++) x[i] = (float)(lo + (hi - lo) * initnn_rng_uniform(&rng));
}

/* ---- 1. the plain loops ------------------------------------------------------------------ */

/* Batch normalization in double from its definition: for each channel, the
   N = B HW values, their mean and biased variance. */
static void naive_batchnorm(double *z, double *mean, double *var, const double *x, const double *gamma,
                            const double *beta, int B, int C, int HW, double eps)
{
    int b, c, p;
    for (c = 0; c < C; c++) {
        double s = 0.0, v = 0.0, n = (double)B * HW;
        for (b = 0; b < B; b++) for (p = 0; p < HW; p++) s += x[(b * C + c) * HW + p];
        s /= n;
        for (b = 0; b < B; b++) for (p = 0; p < HW; p++) v += pow(x[(b * C + c) * HW + p] - s, 2.0);
        v /= n;
        if (mean) mean[c] = s;
        if (var) var[c] = v;
        for (b = 0; b < B; b++)
            for (p = 0; p < HW; p++) {
                int at = (b * C + c) * HW + p;
                z[at] = gamma[c] * (x[at] - s) / sqrt(v + eps) + beta[c];
            }
    }
}

static void naive_layernorm(double *z, const double *x, const double *gamma, const double *beta, int B, int D,
                            double eps)
{
    int b, k;
    for (b = 0; b < B; b++) {
        double s = 0.0, v = 0.0;
        for (k = 0; k < D; k++) s += x[b * D + k];
        s /= D;
        for (k = 0; k < D; k++) v += pow(x[b * D + k] - s, 2.0);
        v /= D;
        for (k = 0; k < D; k++) z[b * D + k] = gamma[k] * (x[b * D + k] - s) / sqrt(v + eps) + beta[k];
    }
}

enum { BN_B = 4, BN_C = 3, BN_HW = 5, BN_N = BN_B * BN_C * BN_HW };

static void batchnorm_forward_matches_naive_double_with_pytorch_running_averages(void)
{
    float x[BN_N], z[BN_N], xhat[BN_N], gamma[BN_C] = {1.5f, -0.5f, 0.0f}, beta[BN_C] = {0.1f, 0.0f, -2.0f};
    float mean[BN_C], inv_std[BN_C], rm[BN_C] = {0.0f, 0.5f, -1.0f}, rv[BN_C] = {1.0f, 2.0f, 0.5f}, tol[BN_N];
    double xd[BN_N], zd[BN_N], gd[BN_C], bd[BN_C], md[BN_C], vd[BN_C];
    float want[BN_N], want_rm[BN_C], want_rv[BN_C], tol_c[BN_C];
    int i, c;
    fill_uniform(x, BN_N, -2.0, 3.0, 1);
    for (i = 0; i < BN_N; i++) xd[i] = x[i];
    for (c = 0; c < BN_C; c++) { gd[c] = gamma[c]; bd[c] = beta[c]; }
    naive_batchnorm(zd, md, vd, xd, gd, bd, BN_B, BN_C, BN_HW, 1e-5);
    for (c = 0; c < BN_C; c++) {
        double n = BN_B * BN_HW;
        want_rm[c] = (float)(0.9 * rm[c] + 0.1 * md[c]);
        want_rv[c] = (float)(0.9 * rv[c] + 0.1 * vd[c] * n / (n - 1.0));   /* PyTorch: unbiased */
        tol_c[c] = 1e-6f * (1.0f + fabsf(want_rv[c]));
    }
    for (i = 0; i < BN_N; i++) { want[i] = (float)zd[i]; tol[i] = 1e-5f * (1.0f + fabsf(want[i])); }
    initnn_batchnorm_forward(z, xhat, mean, inv_std, rm, rv, x, gamma, beta, BN_B, BN_C, BN_HW, 0.1f, 1e-5f, 1);
    CHECK_FLOATS_NEAR("batchnorm z (training)", z, want, BN_N, tol);
    CHECK_FLOATS_NEAR("running mean", rm, want_rm, BN_C, tol_c);
    CHECK_FLOATS_NEAR("running var", rv, want_rv, BN_C, tol_c);
    /* Evaluation: the running statistics are the mean and variance. */
    initnn_batchnorm_forward(z, xhat, mean, inv_std, rm, rv, x, gamma, beta, BN_B, BN_C, BN_HW, 0.1f, 1e-5f, 0);
    for (i = 0; i < BN_N; i++) {
        c = (i / BN_HW) % BN_C;
        want[i] = (float)(gd[c] * (xd[i] - rm[c]) / sqrt((double)rv[c] + 1e-5) + bd[c]);
    }
    CHECK_FLOATS_NEAR("batchnorm z (evaluation)", z, want, BN_N, tol);
    CHECK_FLOATS_NEAR("running mean untouched by evaluation", rm, want_rm, BN_C, tol_c);
}

/* L = sum r z in double, r fixed weights; the gradient of the plain
   backward with dZ = r against central differences in x, gamma and beta. */
static double bn_probe_loss(const double *x, const double *g, const double *b, const double *r, int layer_norm)
{
    double z[BN_N], loss = 0.0;
    int i;
    if (layer_norm) naive_layernorm(z, x, g, b, BN_B, BN_C * BN_HW, 1e-5);
    else naive_batchnorm(z, NULL, NULL, x, g, b, BN_B, BN_C, BN_HW, 1e-5);
    for (i = 0; i < BN_N; i++) loss += r[i] * z[i];
    return loss;
}

static void check_norm_backward(int layer_norm)
{
    enum { P = BN_C * BN_HW };   /* parameters: layer norm has one per feature */
    float x[BN_N], r[BN_N], z[BN_N], xhat[BN_N], dx[BN_N], gamma[P], beta[P], dgamma[P], dbeta[P];
    float mean[P], inv_std[P], rm[P], rv[P];   /* P >= BN_B: layernorm keeps one per sample */
    double xd[BN_N], rd[BN_N], gd[P], bd[P];
    int i, n_par = layer_norm ? P : BN_C;
    fill_uniform(x, BN_N, -1.0, 2.0, 2);
    fill_uniform(r, BN_N, -1.0, 1.0, 3);
    fill_uniform(gamma, P, 0.5, 1.5, 4);
    fill_uniform(beta, P, -0.5, 0.5, 5);
    memset(dgamma, 0, sizeof dgamma);
    memset(dbeta, 0, sizeof dbeta);
    for (i = 0; i < P; i++) { rm[i] = 0.0f; rv[i] = 1.0f; gd[i] = gamma[i]; bd[i] = beta[i]; }
    for (i = 0; i < BN_N; i++) { xd[i] = x[i]; rd[i] = r[i]; }
    if (layer_norm) {
        initnn_layernorm_forward(z, xhat, inv_std, x, gamma, beta, BN_B, P, 1e-5f);
        initnn_layernorm_backward(dx, dgamma, dbeta, r, xhat, gamma, inv_std, BN_B, P);
    } else {
        initnn_batchnorm_forward(z, xhat, mean, inv_std, rm, rv, x, gamma, beta, BN_B, BN_C, BN_HW, 0.1f, 1e-5f, 1);
        initnn_batchnorm_backward(dx, dgamma, dbeta, r, xhat, gamma, inv_std, BN_B, BN_C, BN_HW, 1);
    }
    for (i = 0; i < BN_N + 2 * n_par; i++) {
        double *v = i < BN_N ? &xd[i] : i < BN_N + n_par ? &gd[i - BN_N] : &bd[i - BN_N - n_par];
        double keep = *v, h = 1e-6 * (1.0 + fabs(keep)), numeric, analytic;
        *v = keep + h;
        numeric = bn_probe_loss(xd, gd, bd, rd, layer_norm);
        *v = keep - h;
        numeric = (numeric - bn_probe_loss(xd, gd, bd, rd, layer_norm)) / (2.0 * h);
        *v = keep;
        analytic = i < BN_N ? dx[i] : i < BN_N + n_par ? dgamma[i - BN_N] : dbeta[i - BN_N - n_par];
        CHECK(fabs(analytic - numeric) <= 1e-3 * fmax(fabs(analytic), fabs(numeric)) + 1e-5,
              "%s gradient %d: analytic %.9g, numeric %.9g", layer_norm ? "layernorm" : "batchnorm", i, analytic,
              numeric);
    }
}

static void batchnorm_backward_matches_central_differences_over_channels_and_positions(void) { check_norm_backward(0); }
static void layernorm_backward_matches_central_differences(void) { check_norm_backward(1); }

static void batchnorm_in_evaluation_is_dx_times_running_inv_std(void)
{
    float x[BN_N], r[BN_N], z[BN_N], xhat[BN_N], dx[BN_N], want[BN_N], tol[BN_N];
    float gamma[BN_C] = {2.0f, 1.0f, -1.0f}, beta[BN_C] = {0}, mean[BN_C], inv_std[BN_C];
    float rm[BN_C] = {0.2f, 0.0f, 1.0f}, rv[BN_C] = {4.0f, 1.0f, 0.25f}, dg[BN_C] = {0}, db[BN_C] = {0};
    int i;
    fill_uniform(x, BN_N, -1.0, 1.0, 6);
    fill_uniform(r, BN_N, -1.0, 1.0, 7);
    initnn_batchnorm_forward(z, xhat, mean, inv_std, rm, rv, x, gamma, beta, BN_B, BN_C, BN_HW, 0.1f, 1e-5f, 0);
    initnn_batchnorm_backward(dx, dg, db, r, xhat, gamma, inv_std, BN_B, BN_C, BN_HW, 0);
    for (i = 0; i < BN_N; i++) {
        int c = (i / BN_HW) % BN_C;
        want[i] = (float)(gamma[c] * r[i] / sqrt((double)rv[c] + 1e-5));
        tol[i] = 1e-6f;
    }
    CHECK_FLOATS_NEAR("dx in evaluation", dx, want, BN_N, tol);
}

/* ---- 2. whole nets against a double forward ----------------------------------------------- */

#define REF_MAXN 4096   /* values of one layer's output for the whole batch */

/* The net's loss with parameters p, in double, from the formulas; reads only
   the architecture (types, shapes, offsets, activations). */
static double ref_net_loss(const initnn_net *net, const double *p, const float *X, int B, const int *labels,
                           const float *targets)
{
    static double outs[64][REF_MAXN];
    double z[REF_MAXN], loss = 0.0;
    int l, i;
    if (net->layer_count >= 64 || B * net->input_dim > REF_MAXN) return NAN;
    for (i = 0; i < B * net->input_dim; i++) outs[0][i] = X[i];
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        const double *x = outs[l], *q = p + L->param_offset;
        double *y = outs[l + 1];
        int n = B * L->out, HW = L->out_h * L->out_w;
        if (n > REF_MAXN) return NAN;
        if (L->type == INITNN_LAYER_DENSE) {
            ref_dense_forward(z, x, q, q + (size_t)L->in * L->out, B, L->in, L->out);
        } else if (L->type == INITNN_LAYER_CONV2D) {
            int b, co, ci, oy, ox, a, c, Ci = L->in_c, H = L->in_h, W = L->in_w, Co = L->out_c;
            const double *K = q, *bias = q + L->weight_count;
            for (b = 0; b < B; b++)
                for (co = 0; co < Co; co++)
                    for (oy = 0; oy < L->out_h; oy++)
                        for (ox = 0; ox < L->out_w; ox++) {
                            double s = bias[co];
                            for (ci = 0; ci < Ci; ci++)
                                for (a = 0; a < L->kernel_h; a++)
                                    for (c = 0; c < L->kernel_w; c++) {
                                        int yy = oy * L->stride + a - L->pad_top, xx = ox * L->stride + c - L->pad_left;
                                        if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                                        s += K[((ci * L->kernel_h + a) * L->kernel_w + c) * Co + co] *
                                             x[((b * Ci + ci) * H + yy) * W + xx];
                                    }
                            z[((b * Co + co) * L->out_h + oy) * L->out_w + ox] = s;
                        }
        } else if (L->type == INITNN_LAYER_BATCHNORM) {
            naive_batchnorm(z, NULL, NULL, x, q, q + L->out_c, B, L->out_c, HW, 1e-5);
        } else if (L->type == INITNN_LAYER_LAYERNORM) {
            naive_layernorm(z, x, q, q + L->out, B, L->out, 1e-5);
        } else if (L->type == INITNN_LAYER_RESIDUAL) {
            const double *s = outs[L->skip_from + 1];
            int skip_n = L->skip_from < 0 ? net->input_dim : net->layers[L->skip_from].out, skip_c = skip_n / HW;
            double alpha = L->has_scale ? q[L->projection_count] : 1.0;
            int b, co, ci, pos;
            for (b = 0; b < B; b++)
                for (co = 0; co < L->out_c; co++)
                    for (pos = 0; pos < HW; pos++) {
                        double skip = 0.0;
                        if (L->projection_count)
                            for (ci = 0; ci < skip_c; ci++) skip += s[(b * skip_c + ci) * HW + pos] * q[ci * L->out_c + co];
                        else
                            skip = s[(b * L->out_c + co) * HW + pos];
                        z[(b * L->out_c + co) * HW + pos] = alpha * x[(b * L->out_c + co) * HW + pos] + skip;
                    }
        } else if (L->type == INITNN_LAYER_FLATTEN) {
            for (i = 0; i < n; i++) y[i] = x[i];
            continue;
        } else {
            return NAN;
        }
        if (l == net->layer_count - 1 && net->loss == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY)
            return ref_logits_cross_entropy(z, labels, B, L->out);
        ref_activate(y, z, L->activation, L->activation_param, B, L->out);
    }
    {
        const double *y = outs[net->layer_count];
        int outw = initnn_net_output_dim(net);
        for (i = 0; i < B * outw; i++) loss += (y[i] - targets[i]) * (y[i] - targets[i]);
        return loss / (B * outw);   /* initnn_mse: the mean over every element */
    }
}

static void check_net_gradient(const char *arch, int c, int h, int w, int loss_kind, const char *kernel)
{
    enum { B = 4 };
    initnn_net *net = NULL;
    float X[B * 64], targets[B * 16];
    int labels[B] = {0, 2, 1, 2}, l, err;
    size_t i;
    err = initnn_net_from_arch(&net, arch, c, h, w, kernel, "random_normal:0.1", B, 11);
    CHECK(err == 0, "%s: %s", arch, initnn_last_error());
    ref_own(net);
    CHECK(net->input_dim <= 64 && initnn_net_output_dim(net) <= 16, "test sizes");
    initnn_net_set_loss(net, loss_kind);
    fill_uniform(X, (size_t)B * net->input_dim, -1.0, 1.0, 12);
    fill_uniform(targets, (size_t)B * initnn_net_output_dim(net), -0.5, 0.5, 13);
    /* gamma, beta and scales away from their round starts: every term counts */
    for (l = 0; l < net->layer_count; l++)
        if (net->layers[l].type >= INITNN_LAYER_BATCHNORM) {
            for (i = 0; i < net->layers[l].bias_count; i++)
                net->layers[l].b[i] += (float)(0.3 * sin(3.0 * (double)(i + (size_t)l)));
        }
    CHECK(initnn_net_forward(net, X, B, 1) != NULL, "forward: %s", initnn_last_error());
    initnn_net_zero_grad(net);
    CHECK(initnn_net_backward(net, labels, targets, NULL) == 0, "backward: %s", initnn_last_error());
    {
        double scale[INITNN_MAX_LAYERS] = {0};
        char msg[256];
        const char *bad = ref_gradient_check(net, ref_net_loss, X, B, labels, targets, GRAD_RTOL, GRAD_ATOL, scale,
                                             msg, sizeof msg);
        CHECK(!bad, "%s: %s", arch, bad);
        for (l = 0; l < net->layer_count; l++)
            if (net->layers[l].weight_count + net->layers[l].bias_count)
                CHECK(scale[l] >= GRAD_MIN_SCALE, "%s: layer %d's gradient is at most %.3g", arch, l, scale[l]);
    }
}

static void dense_batchnorm_net_gradient_matches_double_differences(void)
{
    check_net_gradient("dense:6,bn,tanh,dense:5,bn:constant:0.7,sigmoid,dense:3,softmax", 1, 1, 5,
                       INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, "glorot_normal");
}

static void dense_layernorm_net_gradient_matches_double_differences(void)
{
    check_net_gradient("dense:6,ln,tanh,dense:4,ln,dense:3", 1, 1, 5, INITNN_LOSS_MSE, "glorot_normal");
}

static void residual_identity_projection_and_scale_gradients_match_double_differences(void)
{
    /* the first block projects 5 -> 6, the second has a scalar alpha, the
       third nests a block and ends in an activation after the add */
    check_net_gradient("res[dense:6,tanh,dense:6],res:constant:0.5[dense:6,tanh,bn,dense:6],"
                       "res[dense:6,res[dense:6,tanh,dense:6]],tanh,dense:3,softmax",
                       1, 1, 5, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, "glorot_normal");
}

static void conv_residual_with_batchnorm_and_projection_gradients_match_double_differences(void)
{
    check_net_gradient("conv:2:3:1:same,bn,tanh,res:ones[conv:3:3:1:same,bn,tanh,conv:3:3:1:same],tanh,"
                       "res[conv:3:3:1:same,ln,tanh,conv:3:3:1:same],flatten,dense:3,softmax",
                       1, 4, 4, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, "he_normal");
}

static void residual_branch_that_flattens_a_map_projects_all_its_features(void)
{
    /* x is 2 x 4 x 4 and the branch flattens it: x counts as a vector of
       its 32 features, and P is a dense (32, 5) map */
    check_net_gradient("conv:2:3:1:same,tanh,res[flatten,dense:5,tanh,dense:5],tanh,dense:3,softmax",
                       1, 4, 4, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, "glorot_normal");
}

/* ---- 3. evaluation, checkpoints, the grammar --------------------------------------------- */

static void batchnorm_net_in_evaluation_uses_running_statistics_not_the_batch(void)
{
    enum { B = 8 };
    initnn_net *net = NULL;
    float X[B * 4], one[4], y_alone[3], *ys;
    int labels[B] = {0, 1, 2, 0, 1, 2, 0, 1}, s, k;
    CHECK(initnn_net_from_arch(&net, "dense:6,bn,tanh,dense:3,softmax", 1, 1, 4, "he_normal", NULL, B, 3) == 0,
          "%s", initnn_last_error());
    ref_own(net);
    initnn_net_set_loss(net, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY);
    for (s = 0; s < 20; s++) {
        fill_uniform(X, sizeof X / sizeof X[0], 0.0, 3.0, 100 + (uint64_t)s);
        CHECK(initnn_net_train_batch(net, X, labels, NULL, B, NULL, NULL) == 0, "%s", initnn_last_error());
    }
    /* after 20 batches of inputs in [0, 3) the running mean is far from its start 0 */
    CHECK(fabsf(net->layers[1].running_mean[0]) > 1e-2f || fabsf(net->layers[1].running_mean[1]) > 1e-2f,
          "running mean did not move: %g %g", (double)net->layers[1].running_mean[0], (double)net->layers[1].running_mean[1]);
    memcpy(one, X, sizeof one);
    CHECK(initnn_net_forward(net, one, 1, 0) != NULL, "%s", initnn_last_error());
    memcpy(y_alone, net->layers[2].y, sizeof y_alone);
    ys = (float *)initnn_net_forward(net, X, B, 0);
    CHECK(ys != NULL, "%s", initnn_last_error());
    CHECK_FLOATS_EQUAL("sample 0 alone and in its batch (evaluation)", ys, y_alone, 3);
    {
        /* and the value is the formula's with the running statistics */
        const initnn_layer *d = &net->layers[0], *bn = &net->layers[1];
        for (k = 0; k < 6; k++) {
            double zk = d->b[k];
            int i;
            for (i = 0; i < 4; i++) zk += (double)one[i] * d->W[i * 6 + k];
            zk = bn->b[k] * (zk - bn->running_mean[k]) / sqrt((double)bn->running_var[k] + 1e-5) + bn->b[6 + k];
            initnn_net_forward(net, one, 1, 0);
            CHECK_NEAR(bn->z[k], zk, 1e-5 * (1.0 + fabs(zk)));
        }
    }
    /* a batch of one cannot be normalized by its own statistics */
    CHECK(initnn_net_forward(net, one, 1, 1) == NULL, "training forward of one sample through batchnorm passed");
}

static void checkpoint_round_trips_batchnorm_running_statistics_and_blocks(void)
{
    enum { B = 6 };
    initnn_net *net = NULL, *back = NULL;
    float X[B * 5], y1[B * 3];
    int labels[B] = {0, 1, 2, 0, 1, 2}, s, l;
    const char *path;
    path = testing_scratch("net.ckpt");
    CHECK(initnn_net_from_arch(&net, "dense:6,bn,relu,res:zeros[dense:6,bn:zeros,relu,dense:6],ln,dense:3,softmax",
                               1, 1, 5, "he_normal", NULL, B, 9) == 0, "%s", initnn_last_error());
    ref_own(net);
    for (s = 0; s < 5; s++) {
        fill_uniform(X, sizeof X / sizeof X[0], -1.0, 2.0, 200 + (uint64_t)s);
        CHECK(initnn_net_train_batch(net, X, labels, NULL, B, NULL, NULL) == 0, "%s", initnn_last_error());
    }
    CHECK(initnn_net_save(net, path) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_load(&back, path, B) == 0, "%s", initnn_last_error());
    ref_own(back);
    CHECK(back->layer_count == net->layer_count, "layers %d vs %d", back->layer_count, net->layer_count);
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *a = &net->layers[l], *b = &back->layers[l];
        CHECK(a->type == b->type && a->skip_from == b->skip_from && a->has_scale == b->has_scale,
              "layer %d: type %d/%d skip %d/%d", l, a->type, b->type, a->skip_from, b->skip_from);
        if (a->type == INITNN_LAYER_BATCHNORM) {
            CHECK_FLOATS_EQUAL("running mean", b->running_mean, a->running_mean, (size_t)a->out_c);
            CHECK_FLOATS_EQUAL("running var", b->running_var, a->running_var, (size_t)a->out_c);
        }
    }
    CHECK_FLOATS_EQUAL("parameters", back->params, net->params, net->param_count);
    memcpy(y1, initnn_net_forward(net, X, B, 0), sizeof y1);
    CHECK_FLOATS_EQUAL("evaluation outputs", initnn_net_forward(back, X, B, 0), y1, (size_t)B * 3);
    /* load_into an identical architecture takes the statistics too */
    initnn_net_reinit(back, 77);
    CHECK(back->layers[1].running_var[0] == 1.0f, "reinit resets the running variance to 1");
    CHECK(initnn_net_load_into(back, path) == 0, "%s", initnn_last_error());
    CHECK_FLOATS_EQUAL("running mean after load_into", back->layers[1].running_mean, net->layers[1].running_mean, 6);
}

static void arch_grammar_builds_blocks_and_refuses_bad_brackets(void)
{
    initnn_net *net = NULL;
    static const char *const bad[] = {
        "res[dense:4,relu", "dense:4]", "res[]", "res:[dense:4]", "dense:4,res[dense:4]]",
        "conv:2:3,res[conv:2:2]", "bn:no_such_init", "dense:4,bn,softmax"
    };
    int i;
    CHECK(initnn_net_from_arch(&net, "res[dense:4,relu,dense:4],relu,dense:2", 1, 1, 4, "he_normal", NULL, 2, 1) == 0,
          "%s", initnn_last_error());
    ref_own(net);
    CHECK(net->layer_count == 4 && net->layers[2].type == INITNN_LAYER_RESIDUAL && net->layers[2].skip_from == -1 &&
          net->layers[2].activation == INITNN_ACT_RELU && !net->layers[2].has_scale && net->layers[2].bias_count == 0,
          "layers %d, layer 2 type %d from %d", net->layer_count, net->layers[2].type, net->layers[2].skip_from);
    for (i = 0; i < (int)(sizeof bad / sizeof bad[0]); i++) {
        initnn_net *n2 = NULL;
        int err = initnn_net_from_arch(&n2, bad[i], 1, 4, 4, "he_normal", NULL, 2, 1);
        initnn_net_free(n2);
        CHECK(err != 0, "'%s' was accepted", bad[i]);
        CHECK(strlen(initnn_last_error()) > 10, "'%s': no message", bad[i]);
    }
    /* the residual add with a projection: 4 -> 6 gives a (4, 6) matrix */
    CHECK(initnn_net_from_arch(&net, "res:zeros[dense:6,relu,dense:6]", 1, 1, 4, "he_normal", NULL, 2, 1) == 0,
          "%s", initnn_last_error());
    ref_own(net);
    CHECK(net->layers[2].projection_count == 24 && net->layers[2].has_scale && net->layers[2].b[24] == 0.0f,
          "projection %lu, scale %d", (unsigned long)net->layers[2].projection_count, net->layers[2].has_scale);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    testing_after_each(ref_release_nets);
    if (testing_scratch_begin("normres") != 0) return 1;
    RUN_TEST(batchnorm_forward_matches_naive_double_with_pytorch_running_averages);
    RUN_TEST(batchnorm_backward_matches_central_differences_over_channels_and_positions);
    RUN_TEST(layernorm_backward_matches_central_differences);
    RUN_TEST(batchnorm_in_evaluation_is_dx_times_running_inv_std);
    RUN_TEST(dense_batchnorm_net_gradient_matches_double_differences);
    RUN_TEST(dense_layernorm_net_gradient_matches_double_differences);
    RUN_TEST(residual_identity_projection_and_scale_gradients_match_double_differences);
    RUN_TEST(conv_residual_with_batchnorm_and_projection_gradients_match_double_differences);
    RUN_TEST(residual_branch_that_flattens_a_map_projects_all_its_features);
    RUN_TEST(batchnorm_net_in_evaluation_uses_running_statistics_not_the_batch);
    RUN_TEST(checkpoint_round_trips_batchnorm_running_statistics_and_blocks);
    RUN_TEST(arch_grammar_builds_blocks_and_refuses_bad_brackets);
    testing_scratch_end();
    return testing_finish();
}
