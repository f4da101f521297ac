/* test_conv_grad.c - backpropagation through conv2d, max and average pooling
   and flatten, against central differences.

   The reference is written here from the definitions and shares no code
   with initnn's forward pass: a double-precision loop over the layers that
   reads only the architecture (types, shapes, kernel sizes, strides, the
   padding mode, activations, parameter offsets) and takes the parameters as
   a double array:
      conv     z[b][o][oy][ox] = bias[o] + sum_{c,i,j} W[(c,i,j)][o]
                                 x[b][c][oy s + i - pad_top][ox s + j - pad_left]
               (x = 0 outside; pad and output size from the documented
               same/valid rules, recomputed here)
      maxpool  the largest value of each k x k window, windows at s steps
      avgpool  their mean
      flatten  the C x H x W values in NCHW order
      dense    z = x W + b
   then softmax cross-entropy or mean squared error. So

      dL/dp_i  ~  (L(p + h e_i) - L(p - h e_i)) / (2 h),   h = 1e-6 (1 + |p_i|)

   is evaluated in double: truncation O(h^2) ~ 1e-12, rounding
   O(1e-16 L / h) ~ 1e-10. The analytic gradient (initnn_net_backward, in
   float32) carries rounding of ~1e-7 relative over sums of at most a few
   dozen terms, so the comparison is

      |analytic - numeric| <= 1e-3 max(|analytic|, |numeric|) + 1e-6,

   and every layer's weight and bias gradients must reach 1e-4 somewhere, 100
   times the absolute floor, so a zero, halved or misplaced gradient fails.

   The input gradient of each conv, pool and flatten layer is checked through
   the layer before it (whose parameter gradients depend on it), and that of
   the first layer's pre-activations, dL/dz_0 (layers[0].dz), directly by
   perturbing z_0 in the reference.

   Kinks: ReLU has one at z = 0 and max pooling one wherever two values of a
   window tie. The input batch is redrawn until every ReLU pre-activation is
   at least 1e-3 from 0 and the largest value of every max-pool window
   exceeds the second largest by at least 1e-3. A perturbation of h ~ 1e-6
   of one parameter moves any value by at most ~1e-5, so no difference
   quotient crosses a kink and no maximum changes place. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#define MARGIN 1e-3
#define GRAD_RTOL 1e-3
#define GRAD_ATOL 1e-6
#define GRAD_MIN_SCALE 1e-4
#define MAX_TRIES 500

/* ---- the double-precision reference ------------------------------------------------- */

static void conv_axis(int in, int k, int stride, int same, int *out, int *pad_before)
{
    if (same) {
        int total;
        *out = (in + stride - 1) / stride;
        total = (*out - 1) * stride + k - in;
        *pad_before = total > 0 ? total / 2 : 0;
    } else {
        *out = (in - k) / stride + 1;
        *pad_before = 0;
    }
}

typedef struct margins {
    double kink;   /* smallest |z| of a ReLU layer                                */
    double gap;    /* smallest (largest - second largest) of a max-pool window    */
} margins;

/* The loss of the net with parameters p on X (B, input_dim). z0 (may be NULL)
   replaces the first layer's pre-activation; z0_out (may be NULL) receives
   it. Returns NaN where the reference and the net disagree on a shape. */
static double ref_loss(const initnn_net *net, const double *p, const float *X, int B, const int *labels,
                       const float *targets, const double *z0, double *z0_out, margins *m)
{
    size_t widest = (size_t)net->input_dim;
    double *cur, *next, *z, loss = 0.0;
    int c = net->input_c, h = net->input_h, w = net->input_w, width = net->input_dim, l, b, i, j;
    margins local = {HUGE_VAL, HUGE_VAL};
    for (l = 0; l < net->layer_count; l++)
        if ((size_t)net->layers[l].out > widest) widest = (size_t)net->layers[l].out;
    cur = (double *)malloc((size_t)B * widest * sizeof(double));
    next = (double *)malloc((size_t)B * widest * sizeof(double));
    z = (double *)malloc((size_t)B * widest * sizeof(double));
    if (!cur || !next || !z) { free(cur); free(next); free(z); return NAN; }
    for (i = 0; i < B * width; i++) cur[i] = X[i];
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        int last = l == net->layer_count - 1, out_c = c, out_h = h, out_w = w, parametric = 0;
        double *swap;
        if (L->type == INITNN_LAYER_CONV2D) {
            int kh = L->kernel_h, kw = L->kernel_w, s = L->stride, pad_top, pad_left, o, oy, ox, ci, ki, kj;
            const double *W = p + L->param_offset, *bias = W + (size_t)c * kh * kw * L->out_c;
            conv_axis(h, kh, s, L->same_padding, &out_h, &pad_top);
            conv_axis(w, kw, s, L->same_padding, &out_w, &pad_left);
            out_c = L->out_c;
            if (L->out != out_c * out_h * out_w) { loss = NAN; break; }
            for (b = 0; b < B; b++)
                for (o = 0; o < out_c; o++)
                    for (oy = 0; oy < out_h; oy++)
                        for (ox = 0; ox < out_w; ox++) {
                            double sum = bias[o];
                            for (ci = 0; ci < c; ci++)
                                for (ki = 0; ki < kh; ki++)
                                    for (kj = 0; kj < kw; kj++) {
                                        int y = oy * s + ki - pad_top, x = ox * s + kj - pad_left;
                                        if (y < 0 || y >= h || x < 0 || x >= w) continue;
                                        sum += W[((ci * kh + ki) * kw + kj) * out_c + o] *
                                               cur[((b * c + ci) * h + y) * w + x];
                                    }
                            z[((b * out_c + o) * out_h + oy) * out_w + ox] = sum;
                        }
            parametric = 1;
        } else if (L->type == INITNN_LAYER_DENSE) {
            const double *W = p + L->param_offset, *bias = W + (size_t)width * L->out;
            out_c = L->out;
            out_h = out_w = 1;
            ref_dense_forward(z, cur, W, bias, B, width, L->out);
            parametric = 1;
        } else if (L->type == INITNN_LAYER_MAXPOOL2D || L->type == INITNN_LAYER_AVGPOOL2D) {
            int k = L->kernel_h, s = L->stride, ci, oy, ox;
            out_h = (h - k) / s + 1;
            out_w = (w - k) / s + 1;
            if (L->out != c * out_h * out_w) { loss = NAN; break; }
            for (b = 0; b < B; b++)
                for (ci = 0; ci < c; ci++)
                    for (oy = 0; oy < out_h; oy++)
                        for (ox = 0; ox < out_w; ox++) {
                            double best = -HUGE_VAL, second = -HUGE_VAL, sum = 0.0;
                            for (i = 0; i < k; i++)
                                for (j = 0; j < k; j++) {
                                    double v = cur[((b * c + ci) * h + oy * s + i) * w + ox * s + j];
                                    sum += v;
                                    if (v > best) { second = best; best = v; }
                                    else if (v > second) second = v;
                                }
                            if (L->type == INITNN_LAYER_MAXPOOL2D && best - second < local.gap) local.gap = best - second;
                            next[((b * c + ci) * out_h + oy) * out_w + ox] =
                                L->type == INITNN_LAYER_MAXPOOL2D ? best : sum / (k * k);
                        }
        } else if (L->type == INITNN_LAYER_FLATTEN) {
            out_c = c * h * w;
            out_h = out_w = 1;
            for (i = 0; i < B * width; i++) next[i] = cur[i];
        } else {
            loss = NAN;
            break;
        }
        if (parametric) {
            int n = B * out_c * out_h * out_w;
            if (l == 0 && z0)
                for (i = 0; i < n; i++) z[i] = z0[i];
            if (l == 0 && z0_out)
                for (i = 0; i < n; i++) z0_out[i] = z[i];
            if (L->activation == INITNN_ACT_RELU)
                for (i = 0; i < n; i++)
                    if (fabs(z[i]) < local.kink) local.kink = fabs(z[i]);
            if (last && net->loss == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY)
                loss = ref_logits_cross_entropy(z, labels, B, out_c);
            /* softmax only ends a dense layer, where n = B out_c */
            ref_activate(next, z, L->activation, (double)L->activation_param, B, n / B);
        }
        c = out_c;
        h = out_h;
        w = out_w;
        width = c * h * w;
        swap = cur;
        cur = next;
        next = swap;
    }
    if (loss == loss && net->loss == INITNN_LOSS_MSE) {
        for (i = 0; i < B * width; i++) {
            double d = cur[i] - (double)targets[i];
            loss += d * d;
        }
        loss /= (double)B * width;
    }
    free(cur);
    free(next);
    free(z);
    if (m) *m = local;
    return loss;
}

/* ---- comparison ----------------------------------------------------------------------- */

#define MAX_VALUES 4096   /* parameters or first-layer pre-activations of a case */

/* analytic[0..n-1] against numeric within the tolerance above; the largest
   numeric value must reach GRAD_MIN_SCALE. */
static void check_gradient(const char *label, const float *analytic, const double *numeric, size_t n)
{
    static float want[MAX_VALUES], tol[MAX_VALUES];
    double largest = 0.0;
    size_t i;
    CHECK(n <= MAX_VALUES, "%s: %lu values, more than the test's %d", label, (unsigned long)n, MAX_VALUES);
    for (i = 0; i < n; i++) {
        double scale = fabs(numeric[i]) > fabs(analytic[i]) ? fabs(numeric[i]) : fabs(analytic[i]);
        want[i] = (float)numeric[i];
        tol[i] = (float)(GRAD_RTOL * scale + GRAD_ATOL);
        if (fabs(numeric[i]) > largest) largest = fabs(numeric[i]);
    }
    CHECK_FLOATS_NEAR(label, analytic, want, n, tol);
    CHECK(largest >= GRAD_MIN_SCALE, "%s: the largest numeric gradient is %.3g < %.3g, too small to mean anything",
          label, largest, GRAD_MIN_SCALE);
}

/* ---- the nets ------------------------------------------------------------------------- */

typedef struct grad_case {
    const char *claim;
    const char *arch;
    int c, h, w, batch, loss;
} grad_case;

static const grad_case grad_cases[] = {
    {"conv_tanh_then_conv_stride_2_valid_3x2_then_flatten_dense_softmax_gradients_match_finite_differences",
     "conv:3:3:1:same,tanh,conv:2:3x2:2:valid,tanh,flatten,dense:3,softmax", 2, 5, 6, 3,
     INITNN_LOSS_SOFTMAX_CROSS_ENTROPY},
    {"conv_relu_maxpool_flatten_dense_softmax_gradients_match_finite_differences",
     "conv:3:3:1:same,relu,maxpool:2,flatten,dense:3,softmax", 2, 6, 7, 3, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY},
    {"conv_tanh_overlapping_maxpool_3_stride_2_flatten_dense_mse_gradients_match_finite_differences",
     "conv:2:2x3:1:valid,tanh,maxpool:3:2,flatten,dense:2", 1, 7, 8, 2, INITNN_LOSS_MSE},
    {"conv_stride_2_tanh_avgpool_2_stride_1_flatten_dense_mse_gradients_match_finite_differences",
     "conv:2:3:2:same,tanh,avgpool:2:1,flatten,dense:2,tanh", 3, 6, 7, 2, INITNN_LOSS_MSE},
    {"conv_then_conv_same_stride_2_even_1x4_relu_then_avgpool_dense_softmax_gradients_match_finite_differences",
     "conv:2:3:1:same,tanh,conv:3:1x4:2:same,relu,avgpool:2,flatten,dense:3,softmax", 1, 5, 9, 3,
     INITNN_LOSS_SOFTMAX_CROSS_ENTROPY},
    {"conv_5x5_on_3x4_same_then_maxpool_flatten_dense_mse_gradients_match_finite_differences",
     "conv:2:5:1:same,sigmoid,maxpool:2:1,flatten,dense:2,identity", 2, 3, 4, 2, INITNN_LOSS_MSE},
};

/* What a case allocates; check_case frees it whatever run_case checked. */
typedef struct grad_work {
    initnn_net *net;
    double *p, *numeric, *z0, *num_dz;
    float *X, *targets, *dz0;
    int *labels;
} grad_work;

static void run_case(const grad_case *g, uint64_t seed, grad_work *wk)
{
    initnn_rng rng;
    double ref = NAN;
    float loss = 0.0f;
    int tries, l, err, out, n0;
    size_t n, k, n_in;
    margins mg = {0.0, 0.0};
    char label[400];

    err = initnn_net_from_arch(&wk->net, g->arch, g->c, g->h, g->w, "glorot_normal", "random_normal:0.2", g->batch,
                               seed);
    if (!err) err = initnn_net_set_loss(wk->net, g->loss);
    CHECK(err == 0, "'%s': %s", g->arch, initnn_last_error());
    n = wk->net->param_count;
    n_in = (size_t)g->batch * wk->net->input_dim;
    out = initnn_net_output_dim(wk->net);
    n0 = g->batch * wk->net->layers[0].out;
    wk->p = (double *)malloc(n * sizeof(double));
    wk->numeric = (double *)malloc(n * sizeof(double));
    wk->z0 = (double *)malloc((size_t)n0 * sizeof(double));
    wk->num_dz = (double *)malloc((size_t)n0 * sizeof(double));
    wk->dz0 = (float *)malloc((size_t)n0 * sizeof(float));
    wk->X = (float *)malloc(n_in * sizeof(float));
    wk->targets = (float *)malloc((size_t)g->batch * out * sizeof(float));
    wk->labels = (int *)malloc((size_t)g->batch * sizeof(int));
    CHECK(wk->p && wk->numeric && wk->z0 && wk->num_dz && wk->dz0 && wk->X && wk->targets && wk->labels,
          "out of memory");
    for (k = 0; k < n; k++) wk->p[k] = wk->net->params[k];

    /* Inputs far from every kink (see the top of the file). */
    initnn_rng_seed(&rng, seed);
    for (tries = 0; tries < MAX_TRIES; tries++) {
        for (k = 0; k < n_in; k++) wk->X[k] = initnn_rng_normal(&rng);
        for (k = 0; k < (size_t)g->batch; k++) wk->labels[k] = (int)initnn_rng_below(&rng, (uint32_t)out);
        for (k = 0; k < (size_t)g->batch * out; k++) wk->targets[k] = initnn_rng_uniform(&rng);
        ref = ref_loss(wk->net, wk->p, wk->X, g->batch, wk->labels, wk->targets, NULL, wk->z0, &mg);
        if (!(ref == ref) || (mg.kink >= MARGIN && mg.gap >= MARGIN)) break;
    }
    CHECK(ref == ref, "'%s': the reference cannot evaluate this net (a shape disagrees)", g->arch);
    CHECK(tries < MAX_TRIES, "'%s': no input in %d draws keeps ReLU inputs and max-pool gaps >= %g", g->arch,
          MAX_TRIES, MARGIN);

    initnn_net_zero_grad(wk->net);
    err = initnn_net_forward(wk->net, wk->X, g->batch, 1) == NULL;
    if (!err)
        err = initnn_net_backward(wk->net, g->loss == INITNN_LOSS_MSE ? NULL : wk->labels,
                                  g->loss == INITNN_LOSS_MSE ? wk->targets : NULL, &loss);
    CHECK(err == 0, "'%s': forward/backward: %s", g->arch, initnn_last_error());
    CHECK_NEAR(loss, ref, 1e-5 * (1.0 + fabs(ref)));
    memcpy(wk->dz0, wk->net->layers[0].dz, (size_t)n0 * sizeof(float));

    for (k = 0; k < n; k++) {
        double hk = 1e-6 * (1.0 + fabs(wk->p[k])), keep = wk->p[k], up, down;
        wk->p[k] = keep + hk;
        up = ref_loss(wk->net, wk->p, wk->X, g->batch, wk->labels, wk->targets, NULL, NULL, NULL);
        wk->p[k] = keep - hk;
        down = ref_loss(wk->net, wk->p, wk->X, g->batch, wk->labels, wk->targets, NULL, NULL, NULL);
        wk->p[k] = keep;
        wk->numeric[k] = (up - down) / (2.0 * hk);
    }
    for (k = 0; k < (size_t)n0; k++) {
        double hk = 1e-6 * (1.0 + fabs(wk->z0[k])), keep = wk->z0[k], up, down;
        wk->z0[k] = keep + hk;
        up = ref_loss(wk->net, wk->p, wk->X, g->batch, wk->labels, wk->targets, wk->z0, NULL, NULL);
        wk->z0[k] = keep - hk;
        down = ref_loss(wk->net, wk->p, wk->X, g->batch, wk->labels, wk->targets, wk->z0, NULL, NULL);
        wk->z0[k] = keep;
        wk->num_dz[k] = (up - down) / (2.0 * hk);
    }

    for (l = 0; l < wk->net->layer_count; l++) {
        const initnn_layer *L = &wk->net->layers[l];
        if (!L->weight_count) continue;
        snprintf(label, sizeof label, "%s: layer %d dW", g->arch, l);
        check_gradient(label, L->dW, wk->numeric + L->param_offset, L->weight_count);
        if (TESTING_FAILED) return;
        snprintf(label, sizeof label, "%s: layer %d db", g->arch, l);
        check_gradient(label, L->db, wk->numeric + L->param_offset + L->weight_count, L->bias_count);
        if (TESTING_FAILED) return;
    }
    snprintf(label, sizeof label, "%s: dL/dz of layer 0", g->arch);
    check_gradient(label, wk->dz0, wk->num_dz, (size_t)n0);
}

static void check_case(const grad_case *g, uint64_t seed)
{
    grad_work wk;
    memset(&wk, 0, sizeof wk);
    run_case(g, seed, &wk);
    free(wk.p); free(wk.numeric); free(wk.z0); free(wk.num_dz);
    free(wk.X); free(wk.targets); free(wk.dz0); free(wk.labels);
    initnn_net_free(wk.net);
}

int main(int argc, char **argv)
{
    int c;
    testing_init(argc, argv);
    for (c = 0; c < (int)(sizeof grad_cases / sizeof grad_cases[0]); c++) {
        if (!testing_begin(grad_cases[c].claim)) continue;
        check_case(&grad_cases[c], 4000 + (uint64_t)c);
        testing_end();
    }
    return testing_finish();
}
