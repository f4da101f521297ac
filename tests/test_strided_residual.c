/* test_strided_residual.c - residual blocks whose conv branch downsamples,
   and their shortcut: He et al.'s (2016) option B, a 1x1 convolution with
   the branch's stride s (no bias),

      z[b][co][oy][ox] = alpha F[b][co][oy][ox] + sum over ci of x[b][ci][oy s][ox s] P[ci][co].

   1. A double-precision forward of the whole net written here from the
      formulas (conv with its padding, max and average pooling, the strided
      add, dense, softmax cross-entropy) that shares no code with the
      library's; it finds each block's stride itself, as the product of the
      conv and pool strides in the branch. The net's float32 forward must
      equal it to float rounding, and its backward must equal central
      differences of it,

         dL/dp_i ~ (L(p + h e_i) - L(p - h e_i)) / (2 h),  h = 1e-6 (1 + |p_i|),

      as |analytic - numeric| <= 1e-3 max(|a|, |n|) + 1e-6 for every
      parameter, and each layer's gradient must reach 1e-4 somewhere (a
      zero or halved gradient cannot pass).
   2. A checkpoint of a trained strided net loads to the same bits
      (parameters, optimizer moments, outputs, the next step).
   3. Shapes no stride explains are refused, naming them; nothing changes.
   4. Fixup, SkipInit / ReZero and zero-gamma treat the strided shortcut as
      a shortcut: it is no branch layer (Zhang et al. 2019's code draws the
      downsampling 1x1 conv with He's rule, neither scaled nor zeroed). */

#define _POSIX_C_SOURCE 200809L
#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#define GRAD_RTOL 1e-3
#define GRAD_ATOL 1e-6
#define GRAD_MIN_SCALE 1e-4

/* the brief's net of a ResNet stage: a stride-2 block with a 1x1 stride-2
   projection from 8 to 16 channels, then max pooling and the classifier */
#define RESNET_STAGE "conv:8:3:1:same,relu,res[conv:16:3:2:same,relu,conv:16:3:1:same,relu],maxpool:2,dense:10,softmax"

static void fill_uniform(float *x, size_t n, double lo, double hi, uint64_t seed)
{
    initnn_rng rng;
    size_t i;
    initnn_rng_seed(&rng, seed);
    for (i = 0; i < n; i++) x[i] = (float)(lo + (hi - lo) * initnn_rng_uniform(&rng));
}

/* ---- 1. the reference forward -------------------------------------------------------------- */

#define REF_MAXN 4096    /* values of one layer's output for the whole batch */
#define REF_LAYERS 32

/* The shape of layer l's output (l = -1: the net's input). */
static void ref_shape(const initnn_net *net, int l, int *c, int *h, int *w)
{
    if (l < 0) { *c = net->input_c; *h = net->input_h; *w = net->input_w; return; }
    *c = net->layers[l].out_c;
    *h = net->layers[l].out_h;
    *w = net->layers[l].out_w;
}

/* The stride of block r's shortcut, from its branch alone: the product of
   the strides of the conv and pool layers between its input and its add. */
static int ref_block_stride(const initnn_net *net, int r)
{
    int k, s = 1;
    for (k = net->layers[r].skip_from + 1; k < r; k++) {
        int t = net->layers[k].type;
        if (t == INITNN_LAYER_CONV2D || t == INITNN_LAYER_MAXPOOL2D || t == INITNN_LAYER_AVGPOOL2D)
            s *= net->layers[k].stride;
    }
    return s;
}

/* The net's loss with parameters p, in double; the last layer's
   pre-activations (B, out) into logits when not NULL. Reads only the
   architecture (types, shapes, strides, paddings, offsets, activations). */
static double ref_net_loss(const initnn_net *net, const double *p, const float *X, int B, const int *labels,
                           double *logits)
{
    static double outs[REF_LAYERS + 1][REF_MAXN];
    double z[REF_MAXN];
    int l, i;
    if (net->layer_count > REF_LAYERS || B * net->input_dim > REF_MAXN) return NAN;
    for (i = 0; i < B * net->input_dim; i++) outs[0][i] = X[i];
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        const double *x = outs[l], *q = p + L->param_offset;
        double *y = outs[l + 1];
        int n = B * L->out, Ci, H, W, Co = L->out_c, OH = L->out_h, OW = L->out_w, b, co, ci, oy, ox, a, c;
        if (n > REF_MAXN) return NAN;
        ref_shape(net, l - 1, &Ci, &H, &W);
        if (L->type == INITNN_LAYER_DENSE) {
            ref_dense_forward(z, x, q, q + L->weight_count, B, L->in, L->out);
        } else if (L->type == INITNN_LAYER_CONV2D) {
            const double *K = q, *bias = q + L->weight_count;
            for (b = 0; b < B; b++)
                for (co = 0; co < Co; co++)
                    for (oy = 0; oy < OH; oy++)
                        for (ox = 0; ox < OW; ox++) {
                            double s = bias[co];
                            for (ci = 0; ci < Ci; ci++)
                                for (a = 0; a < L->kernel_h; a++)
                                    for (c = 0; c < L->kernel_w; c++) {
                                        int yy = oy * L->stride + a - L->pad_top, xx = ox * L->stride + c - L->pad_left;
                                        if (yy < 0 || yy >= H || xx < 0 || xx >= W) continue;
                                        s += K[((ci * L->kernel_h + a) * L->kernel_w + c) * Co + co] *
                                             x[((b * Ci + ci) * H + yy) * W + xx];
                                    }
                            z[((b * Co + co) * OH + oy) * OW + ox] = s;
                        }
        } else if (L->type == INITNN_LAYER_MAXPOOL2D || L->type == INITNN_LAYER_AVGPOOL2D) {
            for (b = 0; b < B; b++)
                for (co = 0; co < Co; co++)
                    for (oy = 0; oy < OH; oy++)
                        for (ox = 0; ox < OW; ox++) {
                            double best = -INFINITY, sum = 0.0;
                            for (a = 0; a < L->kernel_h; a++)
                                for (c = 0; c < L->kernel_w; c++) {
                                    double v = x[((b * Co + co) * H + oy * L->stride + a) * W + ox * L->stride + c];
                                    best = v > best ? v : best;
                                    sum += v;
                                }
                            y[((b * Co + co) * OH + oy) * OW + ox] =
                                L->type == INITNN_LAYER_MAXPOOL2D ? best : sum / (L->kernel_h * L->kernel_w);
                        }
            continue;
        } else if (L->type == INITNN_LAYER_RESIDUAL) {
            /* x is the branch's output F; the skip is layer skip_from's output */
            const double *skip = outs[L->skip_from + 1];
            int s = ref_block_stride(net, l), SC, SH, SW;
            double alpha = L->has_scale ? q[L->projection_count] : 1.0;
            ref_shape(net, L->skip_from, &SC, &SH, &SW);
            if (SH == OH && SW == OW) s = 1;   /* a branch that keeps the size */
            for (b = 0; b < B; b++)
                for (co = 0; co < Co; co++)
                    for (oy = 0; oy < OH; oy++)
                        for (ox = 0; ox < OW; ox++) {
                            double sum = 0.0;
                            if (L->projection_count)
                                for (ci = 0; ci < SC; ci++)
                                    sum += skip[((b * SC + ci) * SH + oy * s) * SW + ox * s] * q[ci * Co + co];
                            else
                                sum = skip[((b * Co + co) * SH + oy) * SW + ox];
                            z[((b * Co + co) * OH + oy) * OW + ox] = alpha * x[((b * Co + co) * OH + oy) * OW + ox] + sum;
                        }
        } else if (L->type == INITNN_LAYER_FLATTEN) {
            for (i = 0; i < n; i++) y[i] = x[i];
            continue;
        } else {
            return NAN;
        }
        if (l == net->layer_count - 1) {
            if (logits) for (i = 0; i < n; i++) logits[i] = z[i];
            return ref_logits_cross_entropy(z, labels, B, L->out);
        }
        ref_activate(y, z, L->activation, L->activation_param, B, L->out);
    }
    return NAN;   /* the nets here end in dense + softmax */
}

static initnn_net *build(const char *arch, int c, int h, int w, const char *kernel, int max_batch, uint64_t seed)
{
    initnn_net *net = NULL;
    if (initnn_net_from_arch(&net, arch, c, h, w, kernel, NULL, max_batch, seed) != 0) return NULL;
    ref_own(net);
    return net;
}

/* The forward of the net's float32 loops against the double reference. */
static void check_forward(const char *arch, int c, int h, int w)
{
    enum { B = 4 };
    initnn_net *net = build(arch, c, h, w, "he_normal", B, 21);
    float X[B * 64];
    double *p, logits[B * 16];
    int labels[B] = {0, 1, 2, 1}, l, blocks = 0;
    size_t i;
    CHECK(net != NULL, "%s: %s", arch, initnn_last_error());
    CHECK(net->input_dim <= 64 && initnn_net_output_dim(net) <= 16, "test sizes");
    for (l = 0; l < net->layer_count; l++)
        if (net->layers[l].type == INITNN_LAYER_RESIDUAL && net->layers[l].stride) {
            blocks++;
            CHECK(net->layers[l].stride == ref_block_stride(net, l), "%s: block %d has stride %d, its branch %d", arch, l,
                  net->layers[l].stride, ref_block_stride(net, l));
        }
    CHECK(blocks > 0, "%s: no strided block", arch);
    fill_uniform(X, (size_t)B * net->input_dim, -1.0, 1.0, 22);
    CHECK(initnn_net_forward(net, X, B, 1) != NULL, "%s", initnn_last_error());
    p = (double *)malloc(net->param_count * sizeof(double));
    CHECK(p != NULL, "malloc");
    for (i = 0; i < net->param_count; i++) p[i] = net->params[i];
    (void)ref_net_loss(net, p, X, B, labels, logits);
    free(p);
    {
        const initnn_layer *last = &net->layers[net->layer_count - 1];
        float want[B * 16], tol[B * 16];
        for (i = 0; i < (size_t)B * last->out; i++) {
            want[i] = (float)logits[i];
            tol[i] = (float)(1e-5 * (1.0 + fabs(logits[i])));
        }
        CHECK_FLOATS_NEAR("logits against the double forward", last->z, want, (size_t)B * last->out, tol);
    }
}

/* ref_net_loss as ref_gradient_check takes it (classification: no targets). */
static double ref_loss_only(const initnn_net *net, const double *p, const float *X, int B, const int *labels,
                            const float *targets)
{
    (void)targets;
    return ref_net_loss(net, p, X, B, labels, NULL);
}

static void check_gradient(const char *arch, int c, int h, int w, const char *kernel)
{
    enum { B = 4 };
    initnn_net *net = build(arch, c, h, w, kernel, B, 11);
    float X[B * 64];
    int labels[B] = {0, 2, 1, 2}, l;
    double scale[REF_LAYERS] = {0};
    const char *bad;
    char msg[256];
    CHECK(net != NULL, "%s: %s", arch, initnn_last_error());
    CHECK(net->input_dim <= 64 && net->layer_count <= REF_LAYERS, "test sizes");
    fill_uniform(X, (size_t)B * net->input_dim, -1.0, 1.0, 12);
    /* scales away from their round starts: every term counts */
    for (l = 0; l < net->layer_count; l++)
        if (net->layers[l].type == INITNN_LAYER_RESIDUAL && net->layers[l].has_scale)
            net->layers[l].b[net->layers[l].projection_count] = 0.7f;
    CHECK(initnn_net_forward(net, X, B, 1) != NULL, "forward: %s", initnn_last_error());
    initnn_net_zero_grad(net);
    CHECK(initnn_net_backward(net, labels, NULL, NULL) == 0, "backward: %s", initnn_last_error());
    bad = ref_gradient_check(net, ref_loss_only, X, B, labels, NULL, GRAD_RTOL, GRAD_ATOL, scale, msg, sizeof msg);
    CHECK(!bad, "%s: %s", arch, bad);
    for (l = 0; l < net->layer_count; l++)
        if (net->layers[l].weight_count + net->layers[l].bias_count)
            CHECK(scale[l] >= GRAD_MIN_SCALE, "%s: layer %d's gradient is at most %.3g", arch, l, scale[l]);
}

static void resnet_stage_forward_matches_the_double_reference(void)
{
    check_forward(RESNET_STAGE, 1, 8, 8);
}

static void odd_sizes_pool_branches_and_nested_strided_blocks_forward_match_the_double_reference(void)
{
    /* 7 x 7 -> 4 x 4 by a stride-2 'same' conv (ceil(7 / 2)), a block whose
       stride is its max pool's, nested in one whose branch has no stride
       of its own but the inner block's, and an average pool after */
    check_forward("conv:3:3:1:same,tanh,res:ones[conv:4:3:2:same,tanh,conv:4:3:1:same],tanh,"
                  "res[conv:4:3:1:same,tanh,res[conv:4:3:1:same,tanh,maxpool:2]],avgpool:2,dense:3,softmax", 1, 7, 7);
}

static void resnet_stage_gradient_matches_double_differences(void)
{
    check_gradient(RESNET_STAGE, 1, 8, 8, "he_normal");
}

static void odd_sizes_pool_branches_and_nested_strided_blocks_gradient_matches_double_differences(void)
{
    check_gradient("conv:3:3:1:same,tanh,res:ones[conv:4:3:2:same,tanh,conv:4:3:1:same],tanh,"
                   "res[conv:4:3:1:same,tanh,res[conv:4:3:1:same,tanh,maxpool:2]],avgpool:2,dense:3,softmax",
                   1, 7, 7, "glorot_normal");
}

static void strided_block_from_the_input_with_equal_channels_gradient_matches_double_differences(void)
{
    /* the block starts at the net's input and keeps its 2 channels: the
       size alone calls for the projection */
    check_gradient("res[conv:2:3:2:same,tanh,conv:2:3:1:same],tanh,flatten,dense:3,softmax", 2, 5, 5, "glorot_normal");
}

static void two_stride_2_convs_in_one_branch_give_a_stride_4_shortcut_whose_gradient_matches(void)
{
    /* 8 x 8 -> 4 x 4 -> 2 x 2 inside the branch: the shortcut reads rows and columns 0 and 4 */
    check_forward("conv:2:3:1:same,tanh,res[conv:3:3:2:same,tanh,conv:3:3:2:same],tanh,dense:3,softmax", 1, 8, 8);
    if (testing__state.failed) return;
    check_gradient("conv:2:3:1:same,tanh,res[conv:3:3:2:same,tanh,conv:3:3:2:same],tanh,dense:3,softmax", 1, 8, 8,
                   "glorot_normal");
}

static void a_strided_block_down_to_one_pixel_stays_a_map_of_channels(void)
{
    /* 2 x 2 -> 1 x 1: the block's output looks like a dense layer's, yet its
       input is 2 channels of 2 x 2, and the shortcut reads pixel (0, 0) of each */
    check_forward("conv:2:3:1:same,tanh,res[conv:3:3:2:same,tanh],tanh,dense:3,softmax", 1, 2, 2);
    if (testing__state.failed) return;
    check_gradient("conv:2:3:1:same,tanh,res[conv:3:3:2:same,tanh],tanh,dense:3,softmax", 1, 2, 2, "glorot_normal");
    if (testing__state.failed) return;
    /* the same from the net's input: a 1x1 conv of its 2 channels, not a
       dense map of its 8 features */
    check_forward("res[conv:3:3:2:same,tanh],tanh,dense:3,softmax", 2, 2, 2);
    if (testing__state.failed) return;
    check_gradient("res[conv:3:3:2:same,tanh],tanh,dense:3,softmax", 2, 2, 2, "glorot_normal");
    if (testing__state.failed) return;
    {
        initnn_net *net = build("res[conv:3:3:2:same,tanh],tanh,dense:3,softmax", 2, 2, 2, "he_normal", 2, 1);
        CHECK(net != NULL, "%s", initnn_last_error());
        CHECK(net->layers[1].stride == 2 && net->layers[1].projection_count == 2 * 3, "stride %d, projection %lu",
              net->layers[1].stride, (unsigned long)net->layers[1].projection_count);
    }
}

/* The residual theory's add for a strided block: q = sigma_p^2 E[x^2] +
   E[alpha^2] E[F^2], sigma_p^2 = fan_in Var(P) of the 1x1 kernel (fan_in =
   x's channels), as for a block that keeps its size -- the positions a
   stride reads have the second moment of all of them. Predicted from the
   specs, and measured on a batch: the measured add against the same rule
   applied to the measured skip and branch (the cross term E[x P F] is 0
   only on average over the weights: 3% at 64 channels). */
static void theory_predicts_a_strided_add_as_sigma_p2_skip_plus_branch(void)
{
    enum { B = 16 };
    static initnn_layer_theory table[16];
    initnn_net *net;
    float *X;
    int labels[B] = {0}, seed;
    size_t i;
    for (seed = 1; seed <= 3; seed++) {
        initnn_rng rng;
        double sigma_p2 = 64.0 * 2.0 / 64.0, want;   /* he_normal:0,fan_in on 64 input channels */
        net = build("conv:64:3:1:same,res[conv:64:3:2:same,relu,conv:96:3:1:same],flatten,dense:10,softmax",
                    8, 16, 16, "he_normal", B, (uint64_t)seed);
        CHECK(net != NULL, "%s", initnn_last_error());
        CHECK(net->layers[3].type == INITNN_LAYER_RESIDUAL && net->layers[3].stride == 2, "layer 3 is no strided add");
        CHECK(initnn_theory_predict(table, net, 1.0) == 0, "%s", initnn_last_error());
        want = sigma_p2 * table[0].q_predicted + table[2].q_predicted;
        CHECK_NEAR(table[3].q_predicted, want, 1e-9 * want);
        X = (float *)malloc((size_t)B * net->input_dim * sizeof(float));
        CHECK(X != NULL, "malloc");
        initnn_rng_seed(&rng, 100 + (uint64_t)seed);
        for (i = 0; i < (size_t)B * net->input_dim; i++) X[i] = initnn_rng_normal(&rng);
        if (initnn_theory_compare(net, table, X, labels, NULL, B) != 0) {
            free(X);
            CHECK(0, "%s", initnn_last_error());
        }
        free(X);
        want = sigma_p2 * table[0].q_measured + table[2].q_measured;
        CHECK(fabs(table[3].q_measured / want - 1.0) < 0.03, "seed %d: measured %.4f, sigma_p^2 E[x^2] + E[F^2] = %.4f",
              seed, table[3].q_measured, want);
        ref_release_nets();
    }
}

/* ---- 2. checkpoints ------------------------------------------------------------------------ */

static void checkpoint_of_a_trained_strided_net_loads_to_the_same_bits(void)
{
    enum { B = 6 };
    initnn_net *net = build(RESNET_STAGE, 1, 8, 8, "he_normal", B, 9), *back = NULL, *into = NULL;
    float X[B * 64], y1[B * 10];
    int labels[B] = {0, 1, 2, 3, 4, 5}, s, l;
    const char *path = testing_scratch("strided.ckpt");
    CHECK(net != NULL, "%s", initnn_last_error());
    for (s = 0; s < 4; s++) {
        fill_uniform(X, sizeof X / sizeof X[0], -1.0, 1.0, 300 + (uint64_t)s);
        CHECK(initnn_net_train_batch(net, X, labels, NULL, B, NULL, NULL) == 0, "%s", initnn_last_error());
    }
    CHECK(initnn_net_save(net, path) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_load(&back, path, B) == 0, "%s", initnn_last_error());
    ref_own(back);
    CHECK(back->layer_count == net->layer_count && back->param_count == net->param_count, "layers %d/%d, params %lu/%lu",
          back->layer_count, net->layer_count, (unsigned long)back->param_count, (unsigned long)net->param_count);
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *a = &net->layers[l], *b = &back->layers[l];
        CHECK(a->type == b->type && a->stride == b->stride && a->projection_count == b->projection_count &&
              a->skip_from == b->skip_from, "layer %d: type %d/%d, stride %d/%d, projection %lu/%lu", l, a->type, b->type,
              a->stride, b->stride, (unsigned long)a->projection_count, (unsigned long)b->projection_count);
    }
    CHECK(net->layers[3].type == INITNN_LAYER_RESIDUAL && net->layers[3].stride == 2 &&
          net->layers[3].projection_count == 8 * 16, "layer 3: type %d stride %d projection %lu", net->layers[3].type,
          net->layers[3].stride, (unsigned long)net->layers[3].projection_count);
    CHECK_FLOATS_EQUAL("parameters", back->params, net->params, net->param_count);
    CHECK_FLOATS_EQUAL("Adam's first moments", back->opt_m, net->opt_m, net->param_count);
    CHECK_FLOATS_EQUAL("Adam's second moments", back->opt_v, net->opt_v, net->param_count);
    memcpy(y1, initnn_net_forward(net, X, B, 0), sizeof y1);
    CHECK_FLOATS_EQUAL("evaluation outputs", initnn_net_forward(back, X, B, 0), y1, (size_t)B * 10);
    /* the next step from both: same gradients through the strided shortcut */
    fill_uniform(X, sizeof X / sizeof X[0], -1.0, 1.0, 400);
    CHECK(initnn_net_train_batch(net, X, labels, NULL, B, NULL, NULL) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_train_batch(back, X, labels, NULL, B, NULL, NULL) == 0, "%s", initnn_last_error());
    CHECK_FLOATS_EQUAL("parameters after one more step", back->params, net->params, net->param_count);
    /* and load_into a net built from the same arch with another seed */
    into = build(RESNET_STAGE, 1, 8, 8, "he_normal", B, 1234);
    CHECK(into != NULL, "%s", initnn_last_error());
    CHECK(initnn_net_load_into(into, path) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_forward(into, X, B, 0) != NULL, "%s", initnn_last_error());
    CHECK(initnn_net_load(&back, path, B) == 0, "%s", initnn_last_error());
    ref_own(back);
    CHECK_FLOATS_EQUAL("load_into parameters", into->params, back->params, back->param_count);
}

static void blocks_that_keep_the_size_record_no_stride_as_checkpoints_before_them(void)
{
    /* checkpoints written before strided blocks hold stride 0 in every
       residual record, and the loader checks the rebuilt layer's stride
       against the file's: a block that keeps its size must still have 0 */
    initnn_net *net = build("conv:2:3:1:same,res[conv:3:3:1:same,tanh,conv:3:3:1:same],res[conv:3:3:1:same],"
                            "flatten,dense:2,softmax", 1, 4, 4, "he_normal", 2, 1);
    CHECK(net != NULL, "%s", initnn_last_error());
    CHECK(net->layers[3].type == INITNN_LAYER_RESIDUAL && net->layers[3].stride == 0 &&
          net->layers[3].projection_count == 2 * 3, "projection block: stride %d, projection %lu", net->layers[3].stride,
          (unsigned long)net->layers[3].projection_count);
    CHECK(net->layers[5].type == INITNN_LAYER_RESIDUAL && net->layers[5].stride == 0 &&
          net->layers[5].projection_count == 0, "identity block: stride %d, projection %lu", net->layers[5].stride,
          (unsigned long)net->layers[5].projection_count);
}

/* ---- 3. refusals --------------------------------------------------------------------------- */

static void check_refused(const char *arch, const char *const *phrases)
{
    initnn_net *net = NULL;
    int err = initnn_net_from_arch(&net, arch, 1, 7, 7, "he_normal", NULL, 2, 1);
    const char *message = initnn_last_error();
    ref_own(net);
    CHECK(err == INITNN_ERR_ARGUMENT && net == NULL, "'%s' was accepted or failed otherwise (err %d)", arch, err);
    for (; *phrases; phrases++) CHECK(strstr(message, *phrases) != NULL, "'%s': no '%s' in \"%s\"", arch, *phrases, message);
}

static void a_branch_whose_size_no_stride_gives_is_refused_with_both_shapes(void)
{
    /* 7 -> 3 by a 'valid' stride-2 conv: a 1x1 stride-2 shortcut gives ceil(7 / 2) = 4 */
    static const char *const valid_stride[] = {"3 x 7 x 7", "4 x 3 x 3", "stride 2", "4 x 4 x 4", "'same'", NULL};
    /* 7 -> 3 by a 2 x 2 max pool, which drops the last row and column */
    static const char *const odd_pool[] = {"3 x 7 x 7", "3 x 3 x 3", "stride 2", "3 x 4 x 4", "pooling", NULL};
    /* 7 -> 5 by a 'valid' conv without stride: no shortcut follows it */
    static const char *const no_stride[] = {"3 x 7 x 7", "4 x 5 x 5", "without a stride", "'same'", NULL};
    check_refused("conv:3:3:1:same,tanh,res[conv:4:3:2,tanh],dense:2", valid_stride);
    check_refused("conv:3:3:1:same,tanh,res[conv:3:3:1:same,maxpool:2],dense:2", odd_pool);
    check_refused("conv:3:3:1:same,tanh,res[conv:4:3,tanh],dense:2", no_stride);
}

static void a_refused_strided_block_leaves_the_net_as_it_was(void)
{
    initnn_net *net = NULL;
    size_t params;
    int layers;
    CHECK(initnn_net_create(&net, 49, 2, 5) == 0, "%s", initnn_last_error());
    ref_own(net);
    CHECK(initnn_net_set_input_shape(net, 1, 7, 7) == 0 &&
          initnn_net_add_conv2d(net, 3, 3, 3, 1, 1, "tanh", "he_normal", NULL) == 0 &&
          initnn_net_add_conv2d(net, 4, 3, 3, 2, 0, "tanh", "he_normal", NULL) == 0, "%s", initnn_last_error());
    layers = net->layer_count;
    params = net->param_count;
    CHECK(initnn_net_add_residual(net, 0, "ones", NULL, NULL) == INITNN_ERR_ARGUMENT, "the 7 -> 3 block was accepted");
    CHECK(net->layer_count == layers && net->param_count == params && net->residual_count == 0,
          "layers %d -> %d, params %lu -> %lu", layers, net->layer_count, (unsigned long)params,
          (unsigned long)net->param_count);
    /* the same block with 'same' padding is accepted through the same call */
    ref_release_nets();
    net = NULL;
    CHECK(initnn_net_create(&net, 49, 2, 5) == 0, "%s", initnn_last_error());
    ref_own(net);
    CHECK(initnn_net_set_input_shape(net, 1, 7, 7) == 0 &&
          initnn_net_add_conv2d(net, 3, 3, 3, 1, 1, "tanh", "he_normal", NULL) == 0 &&
          initnn_net_add_conv2d(net, 4, 3, 3, 2, 1, "tanh", "he_normal", NULL) == 0 &&
          initnn_net_add_residual(net, 0, "ones", NULL, NULL) == 0, "%s", initnn_last_error());
    CHECK(net->layers[2].stride == 2 && net->layers[2].projection_count == 12 && net->layers[2].bias_count == 13,
          "stride %d, projection %lu, parameters %lu", net->layers[2].stride,
          (unsigned long)net->layers[2].projection_count, (unsigned long)net->layers[2].bias_count);
}

/* ---- 4. the residual inits ------------------------------------------------------------------ */

#define TWO_STAGES "conv:4:3:1:same,relu,res[conv:8:3:2:same,relu,conv:8:3:1:same],relu," \
                   "res[conv:8:3:1:same,relu,conv:8:3:1:same],relu,flatten,dense:5,softmax"

static void fixup_scales_and_zeroes_branches_but_not_the_strided_projection(void)
{
    /* the same draws with he_normal (res:ones gives the blocks Fixup's alpha) */
    initnn_net *he = build("conv:4:3:1:same,relu,res:ones[conv:8:3:2:same,relu,conv:8:3:1:same],relu,"
                           "res:ones[conv:8:3:1:same,relu,conv:8:3:1:same],relu,flatten,dense:5,softmax",
                           1, 8, 8, "he_normal", 2, 7);
    initnn_net *fx = build(TWO_STAGES, 1, 8, 8, "fixup", 2, 7);
    const initnn_layer *proj_he, *proj_fx;
    float scaled[9 * 4 * 8];
    double scale = pow(2.0, -1.0 / (2.0 * 2 - 2.0));   /* L = 2 blocks of m = 2: L^(-1/(2m-2)) */
    size_t i;
    CHECK(he != NULL && fx != NULL, "%s", initnn_last_error());
    CHECK(fx->layers[3].type == INITNN_LAYER_RESIDUAL && fx->layers[3].stride == 2, "layer 3 is not the strided add");
    CHECK_NEAR(initnn_fixup_scale(2, 2), scale, 1e-15);
    /* Rule 2: the first conv of the strided branch is He times the scale */
    CHECK(fx->layers[1].weight_count == 9 * 4 * 8, "weights %lu", (unsigned long)fx->layers[1].weight_count);
    for (i = 0; i < fx->layers[1].weight_count; i++) scaled[i] = (float)(he->layers[1].W[i] * scale);
    CHECK_FLOATS_EQUAL("branch conv 1, scaled", fx->layers[1].W, scaled, fx->layers[1].weight_count);
    /* Rule 1: its last conv and the classifier start at 0 */
    for (i = 0; i < fx->layers[2].weight_count; i++) CHECK(fx->layers[2].W[i] == 0.0f, "branch's last conv [%lu]", (unsigned long)i);
    for (i = 0; i < fx->layers[fx->layer_count - 1].weight_count; i++)
        CHECK(fx->layers[fx->layer_count - 1].W[i] == 0.0f, "classifier [%lu]", (unsigned long)i);
    /* the projection shortcut is no branch layer: He's draw, as drawn */
    proj_he = &he->layers[3];
    proj_fx = &fx->layers[3];
    CHECK(proj_fx->projection_count == 4 * 8 && proj_fx->has_scale && proj_fx->b[proj_fx->projection_count] == 1.0f,
          "projection %lu, alpha %d", (unsigned long)proj_fx->projection_count, proj_fx->has_scale);
    CHECK_FLOATS_EQUAL("strided projection under Fixup", proj_fx->b, proj_he->b, proj_fx->projection_count);
    {
        double m2 = 0.0;   /* and it is a draw, not zeros: E[P^2] near He's 2 / fan_in = 2 / 4 */
        for (i = 0; i < proj_fx->projection_count; i++) m2 += (double)proj_fx->b[i] * proj_fx->b[i];
        m2 /= (double)proj_fx->projection_count;
        CHECK(m2 > 0.2 && m2 < 1.0, "E[P^2] = %g", m2);
    }
}

/* z of the strided add with alpha F = 0: x P read at every second row and column. */
static void check_block_is_its_projection(initnn_net *net, int r, const float *X, int B)
{
    const initnn_layer *l = &net->layers[r], *in = &net->layers[l->skip_from];
    int b, co, ci, oy, ox, s = l->stride;
    CHECK(initnn_net_forward(net, X, B, 1) != NULL, "%s", initnn_last_error());
    CHECK(s == 2 && l->projection_count == (size_t)in->out_c * l->out_c, "stride %d", s);
    for (b = 0; b < B; b++)
        for (co = 0; co < l->out_c; co++)
            for (oy = 0; oy < l->out_h; oy++)
                for (ox = 0; ox < l->out_w; ox++) {
                    double want = 0.0;
                    float got = l->z[((b * l->out_c + co) * l->out_h + oy) * l->out_w + ox];
                    for (ci = 0; ci < in->out_c; ci++)
                        want += (double)in->y[((b * in->out_c + ci) * in->out_h + oy * s) * in->out_w + ox * s] *
                                l->b[ci * l->out_c + co];
                    CHECK_NEAR(got, want, 1e-5 * (1.0 + fabs(want)));
                }
}

static void skipinit_and_zero_gamma_start_a_strided_block_as_its_projection(void)
{
    enum { B = 3 };
    float X[B * 64];
    initnn_net *skip = build(TWO_STAGES, 1, 8, 8, "skipinit", B, 3);
    initnn_net *rezero = build(TWO_STAGES, 1, 8, 8, "rezero", B, 3);
    initnn_net *zg = build("conv:4:3:1:same,relu,res[conv:8:3:2:same,bn,relu,conv:8:3:1:same,bn],relu,flatten,"
                           "dense:5,softmax", 1, 8, 8, "he_normal", B, 3);
    CHECK(skip != NULL && rezero != NULL && zg != NULL, "%s", initnn_last_error());
    fill_uniform(X, sizeof X / sizeof X[0], -1.0, 1.0, 5);
    CHECK(skip->layers[3].has_scale && skip->layers[3].b[skip->layers[3].projection_count] == 0.0f &&
          skip->layers[6].b[skip->layers[6].projection_count] == 0.0f, "SkipInit: alpha is not 0");
    CHECK(rezero->layers[3].b[rezero->layers[3].projection_count] == 0.0f, "ReZero: alpha is not 0");
    check_block_is_its_projection(skip, 3, X, B);
    if (testing__state.failed) return;
    CHECK(initnn_net_zero_gamma(zg) == 0, "%s", initnn_last_error());
    CHECK(zg->layers[5].type == INITNN_LAYER_RESIDUAL && zg->layers[4].type == INITNN_LAYER_BATCHNORM &&
          zg->layers[4].b[0] == 0.0f && zg->layers[2].b[0] == 1.0f, "zero-gamma hit the wrong normalization");
    check_block_is_its_projection(zg, 5, X, B);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    testing_after_each(ref_release_nets);
    if (testing_scratch_begin("strided") != 0) return 1;
    RUN_TEST(resnet_stage_forward_matches_the_double_reference);
    RUN_TEST(odd_sizes_pool_branches_and_nested_strided_blocks_forward_match_the_double_reference);
    RUN_TEST(resnet_stage_gradient_matches_double_differences);
    RUN_TEST(odd_sizes_pool_branches_and_nested_strided_blocks_gradient_matches_double_differences);
    RUN_TEST(strided_block_from_the_input_with_equal_channels_gradient_matches_double_differences);
    RUN_TEST(two_stride_2_convs_in_one_branch_give_a_stride_4_shortcut_whose_gradient_matches);
    RUN_TEST(a_strided_block_down_to_one_pixel_stays_a_map_of_channels);
    RUN_TEST(theory_predicts_a_strided_add_as_sigma_p2_skip_plus_branch);
    RUN_TEST(checkpoint_of_a_trained_strided_net_loads_to_the_same_bits);
    RUN_TEST(blocks_that_keep_the_size_record_no_stride_as_checkpoints_before_them);
    RUN_TEST(a_branch_whose_size_no_stride_gives_is_refused_with_both_shapes);
    RUN_TEST(a_refused_strided_block_leaves_the_net_as_it_was);
    RUN_TEST(fixup_scales_and_zeroes_branches_but_not_the_strided_projection);
    RUN_TEST(skipinit_and_zero_gamma_start_a_strided_block_as_its_projection);
    testing_scratch_end();
    return testing_finish();
}
