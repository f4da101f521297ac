/* test_train_grad.c - backpropagation of initnn_net against finite differences.

   The reference is written here from the formulas and shares no code with
   initnn's forward pass: a double-precision loop over the layers of the net
   (Z = X W + b, Y = phi(Z), inverted dropout with the mask the net drew, then
   softmax cross-entropy or mean squared error). It reads only the net's
   architecture (layer types, sizes, activations, parameter offsets, dropout
   masks) and takes the parameters as a double array, so that

      dL/dp_i  ~  (L(p + h e_i) - L(p - h e_i)) / (2 h),   h = 1e-6 (1 + |p_i|)

   is evaluated entirely in double: the truncation error is O(h^2 L''') ~ 1e-12
   and the rounding error O(1e-16 L / h) ~ 1e-10, both far below the
   tolerance below. The analytic gradient comes from initnn_net_forward +
   initnn_net_backward in float32, whose rounding (a relative 6e-8 per
   operation, over sums of a few terms no larger than O(0.1) here) is ~1e-8
   absolute and ~1e-6 relative; so the comparison is

      |analytic - numeric| <= 1e-3 max(|analytic|, |numeric|) + 1e-6,

   while every layer's gradient must reach 1e-4 somewhere, 100 times the
   absolute floor, so a zero, halved or sign-flipped gradient cannot pass.
   (Stacked sigmoids with an MSE output have gradients of only ~1e-3, which
   sets the floor. The worst difference seen is 3% of its tolerance.)

   Kinks: ReLU, leaky ReLU and SELU have a kink in phi or phi' at z = 0. The
   input batch is redrawn until every pre-activation of such a layer is at
   least 1e-3 away from 0; a perturbation h ~ 1e-6 of one parameter moves a
   pre-activation by at most ~1e-5, so no difference quotient crosses a kink.
   No coordinate is skipped. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#include <float.h>

#define REF_MAX_BATCH 8
#define REF_MAX_WIDTH 16
#define KINK_MARGIN 1e-3
#define GRAD_RTOL 1e-3
#define GRAD_ATOL 1e-6
#define GRAD_MIN_SCALE 1e-4
#define MAX_PARAMS 128

/* ---- the double-precision reference ---------------------------------------- */

static int has_kink(int activation)
{
    return activation == INITNN_ACT_RELU || activation == INITNN_ACT_LEAKY_RELU ||
           activation == INITNN_ACT_SELU;
}

/* The loss of the net with parameters p on X (B, input_dim), computed in
   double from the formulas. z0 (may be NULL) replaces the pre-activation of
   layer 0 (which must be dense), to differentiate with respect to it. The
   output (after the last activation, softmax included) goes to out (may be
   NULL), and *kink_distance (may be NULL) receives the smallest |z| of any
   layer with a kink. Returns NaN if the net is beyond the reference's sizes. */
static double ref_loss(const initnn_net *net, const double *p, const float *X, int B,
                       const int *labels, const float *targets, const double *z0,
                       double *out, double *kink_distance)
{
    double cur[REF_MAX_BATCH * REF_MAX_WIDTH], z[REF_MAX_BATCH * REF_MAX_WIDTH];
    double loss = 0.0, closest = HUGE_VAL;
    int width = net->input_dim, l, i;
    if (B > REF_MAX_BATCH || width > REF_MAX_WIDTH) return NAN;
    for (i = 0; i < B * width; i++) cur[i] = (double)X[i];
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        int last = l == net->layer_count - 1;
        if (L->in != width || L->out > REF_MAX_WIDTH) return NAN;
        if (L->type == INITNN_LAYER_DROPOUT) {
            for (i = 0; i < B * width; i++) cur[i] *= (double)L->mask[i];
            continue;
        }
        ref_dense_forward(z, cur, p + L->param_offset, p + L->param_offset + (size_t)L->in * (size_t)L->out, B, L->in,
                          L->out);
        if (l == 0 && z0)
            for (i = 0; i < B * L->out; i++) z[i] = z0[i];
        if (has_kink(L->activation))
            for (i = 0; i < B * L->out; i++)
                if (fabs(z[i]) < closest) closest = fabs(z[i]);
        width = L->out;
        if (last && net->loss == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY)
            loss = ref_logits_cross_entropy(z, labels, B, width);
        ref_activate(cur, z, L->activation, (double)L->activation_param, B, width);
    }
    if (net->loss == INITNN_LOSS_MSE) {
        for (i = 0; i < B * width; i++) {
            double d = cur[i] - (double)targets[i];
            loss += d * d;
        }
        loss /= (double)(B * width);
    }
    if (out)
        for (i = 0; i < B * width; i++) out[i] = cur[i];
    if (kink_distance) *kink_distance = closest;
    return loss;
}

/* ---- comparison ------------------------------------------------------------- */

/* Checks analytic[0..n-1] (float, from initnn) against numeric (double) with
   the tolerance above, and that the numeric gradient is not trivially small. */
static void check_gradient(const char *label, const float *analytic, const double *numeric, size_t n)
{
    float want[MAX_PARAMS], tol[MAX_PARAMS];
    double largest = 0.0;
    size_t i;
    CHECK(n <= MAX_PARAMS, "%s: %lu values, more than the test's %d", label, (unsigned long)n, MAX_PARAMS);
    for (i = 0; i < n; i++) {
        double scale = fabs(numeric[i]) > fabs(analytic[i]) ? fabs(numeric[i]) : fabs(analytic[i]);
        want[i] = (float)numeric[i];
        tol[i] = (float)(GRAD_RTOL * scale + GRAD_ATOL);
        if (fabs(numeric[i]) > largest) largest = fabs(numeric[i]);
    }
    CHECK_FLOATS_NEAR(label, analytic, want, n, tol);
    CHECK(largest >= GRAD_MIN_SCALE,
          "%s: the largest numeric gradient is %.3g < %.3g, too small for the check to mean anything",
          label, largest, GRAD_MIN_SCALE);
}

/* ---- the table of nets -------------------------------------------------------- */

typedef struct {
    const char *hidden;     /* activation spec of both hidden layers  */
    const char *hidden_name;
    const char *output;     /* activation spec of the output layer    */
    int loss;
    const char *output_name;
} grad_case;

static const struct { const char *spec, *name; } hidden_activations[] = {
    {"identity", "identity"}, {"relu", "relu"},       {"leaky_relu:0.1", "leaky_relu_0_1"},
    {"tanh", "tanh"},         {"sigmoid", "sigmoid"}, {"selu", "selu"},
};

static const struct { const char *spec; int loss; const char *name; } outputs[] = {
    {"softmax", INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, "softmax_cross_entropy"},
    {"identity", INITNN_LOSS_MSE, "identity_mse"},
    {"sigmoid", INITNN_LOSS_MSE, "sigmoid_mse"},
    {"softmax", INITNN_LOSS_MSE, "softmax_mse"},
};

enum { IN = 3, H1 = 5, H2 = 4, OUT = 3, B = 4 };

/* Builds 3 -> 5 (hidden) [-> dropout] -> 4 (hidden) [-> dropout] -> 3 (output). */
static int build_net(initnn_net **out, const char *hidden, const char *output, int loss,
                     float dropout, uint64_t seed)
{
    initnn_net *net = NULL;
    int err = initnn_net_create(&net, IN, B, seed);
    if (!err) err = initnn_net_add_dense(net, H1, hidden, "glorot_normal", "random_normal:0.2");
    if (!err && dropout > 0.0f) err = initnn_net_add_dropout(net, dropout);
    if (!err) err = initnn_net_add_dense(net, H2, hidden, "glorot_normal", "random_normal:0.2");
    if (!err && dropout > 0.0f) err = initnn_net_add_dropout(net, dropout);
    if (!err) err = initnn_net_add_dense(net, OUT, output, "glorot_normal", "random_normal:0.2");
    if (!err) err = initnn_net_set_loss(net, loss);
    if (err) {
        initnn_net_free(net);
        net = NULL;
    }
    *out = net;
    return err;
}

static void fill_normal(float *x, int n, double scale, initnn_rng *rng)
{
    int i;
    for (i = 0; i < n; i++) x[i] = (float)(scale * initnn_rng_normal_double(rng));
}

/* The checks of one net: forward output and loss against the reference, dW
   and db of every dense layer, and dL/dz of the first layer. */
static void check_net_gradients(initnn_net *net, const char *name, uint64_t seed)
{
    float X[B * IN], targets[B * OUT];
    int labels[B];
    double p[MAX_PARAMS], numeric[MAX_PARAMS], ref_out[B * OUT], kink = HUGE_VAL, ref = NAN;
    double z0[B * H1], num_dz[B * H1];
    const initnn_layer *L0 = &net->layers[0];
    const float *y;
    float loss = 0.0f;
    initnn_rng rng;
    int tries, l, i, j, q, err;
    size_t k, n = net->param_count;
    char label[300];

    CHECK(n <= MAX_PARAMS, "param_count %lu", (unsigned long)n);
    initnn_rng_seed(&rng, seed);
    for (i = 0; i < B; i++) labels[i] = (int)initnn_rng_below(&rng, OUT);
    for (i = 0; i < B * OUT; i++) targets[i] = initnn_rng_uniform(&rng);
    fill_normal(X, B * IN, 1.0, &rng);

    /* The layout the reference relies on: W then b at param_offset. */
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        if (L->type != INITNN_LAYER_DENSE) continue;
        CHECK(L->W == net->params + L->param_offset && L->b == L->W + L->weight_count &&
                  L->dW == net->grads + L->param_offset && L->db == L->dW + L->weight_count,
              "layer %d: W, b, dW, db do not sit at param_offset %lu of params / grads", l,
              (unsigned long)L->param_offset);
        CHECK(L->weight_count == (size_t)L->in * (size_t)L->out && L->bias_count == (size_t)L->out,
              "layer %d: weight_count %lu, bias_count %lu for %d -> %d", l,
              (unsigned long)L->weight_count, (unsigned long)L->bias_count, L->in, L->out);
    }
    CHECK(L0->type == INITNN_LAYER_DENSE && L0->out == H1, "layer 0 is not the dense %d", H1);

    /* One training forward draws the dropout masks; then they are kept. */
    y = initnn_net_forward(net, X, B, 1);
    CHECK(y != NULL, "initnn_net_forward: %s", initnn_last_error());
    net->reuse_dropout_mask = 1;
    {
        int zeros = 0, dropouts = 0;
        for (l = 0; l < net->layer_count; l++) {
            const initnn_layer *L = &net->layers[l];
            float keep = 1.0f / (1.0f - L->rate);
            if (L->type != INITNN_LAYER_DROPOUT) continue;
            dropouts++;
            for (i = 0; i < B * L->out; i++) {
                CHECK(L->mask[i] == 0.0f || fabsf(L->mask[i] - keep) <= 1e-6f * keep,
                      "layer %d: mask [%d] = %.9g, neither 0 nor 1/(1 - %g)", l, i,
                      (double)L->mask[i], (double)L->rate);
                zeros += L->mask[i] == 0.0f;
            }
        }
        CHECK(dropouts == 0 || zeros > 0, "the dropout masks drop nothing, so they are not tested");
    }

    for (k = 0; k < n; k++) p[k] = (double)net->params[k];

    /* Redraw the inputs until no pre-activation is near a kink. */
    for (tries = 0; tries < 200; tries++) {
        ref = ref_loss(net, p, X, B, labels, targets, NULL, ref_out, &kink);
        if (kink >= KINK_MARGIN) break;
        fill_normal(X, B * IN, 1.0, &rng);
    }
    CHECK(kink >= KINK_MARGIN, "no input batch in 200 keeps every pre-activation %g away from 0",
          KINK_MARGIN);
    CHECK(ref == ref, "the reference loss is NaN (the net exceeds the reference's sizes?)");

    initnn_net_zero_grad(net);
    y = initnn_net_forward(net, X, B, 1);
    CHECK(y != NULL, "initnn_net_forward: %s", initnn_last_error());
    err = initnn_net_backward(net, labels, targets, &loss);
    CHECK(err == 0, "initnn_net_backward: %d %s", err, initnn_last_error());

    /* The float forward pass and loss against the double reference. */
    for (i = 0; i < B * OUT; i++)
        CHECK(fabs((double)y[i] - ref_out[i]) <= 1e-5 + 1e-5 * fabs(ref_out[i]),
              "%s: output [%d] = %.9g, reference %.9g", name, i, (double)y[i], ref_out[i]);
    CHECK(fabs((double)loss - ref) <= 1e-5 * fabs(ref) + 1e-6, "%s: loss %.9g, reference %.9g", name,
          (double)loss, ref);

    /* Central differences with respect to every parameter. */
    for (k = 0; k < n; k++) {
        double saved = p[k], h = 1e-6 * (1.0 + fabs(saved)), up, down;
        p[k] = saved + h;
        up = ref_loss(net, p, X, B, labels, targets, NULL, NULL, NULL);
        p[k] = saved - h;
        down = ref_loss(net, p, X, B, labels, targets, NULL, NULL, NULL);
        p[k] = saved;
        numeric[k] = (up - down) / (2.0 * h);
    }
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        if (L->type != INITNN_LAYER_DENSE) continue;
        snprintf(label, sizeof label, "%s: dW of layer %d", name, l);
        check_gradient(label, L->dW, numeric + L->param_offset, L->weight_count);
        if (TESTING_FAILED) return;
        snprintf(label, sizeof label, "%s: db of layer %d", name, l);
        check_gradient(label, L->db, numeric + L->param_offset + L->weight_count, L->bias_count);
        if (TESTING_FAILED) return;
    }

    /* dL/dz of the first layer against differences of its pre-activation,
       z0 = X W + b recomputed in double around the reference's own point. */
    for (i = 0; i < B; i++)
        for (j = 0; j < H1; j++) {
            double s = p[L0->param_offset + L0->weight_count + (size_t)j];
            for (q = 0; q < IN; q++) s += (double)X[i * IN + q] * p[L0->param_offset + (size_t)(q * H1 + j)];
            z0[i * H1 + j] = s;
        }
    for (i = 0; i < B * H1; i++) {
        double saved = z0[i], h = 1e-6 * (1.0 + fabs(saved)), up, down;
        z0[i] = saved + h;
        up = ref_loss(net, p, X, B, labels, targets, z0, NULL, NULL);
        z0[i] = saved - h;
        down = ref_loss(net, p, X, B, labels, targets, z0, NULL, NULL);
        z0[i] = saved;
        num_dz[i] = (up - down) / (2.0 * h);
    }
    snprintf(label, sizeof label, "%s: dz of layer 0", name);
    check_gradient(label, L0->dz, num_dz, (size_t)(B * H1));
}

static void build_and_check(initnn_net **net, int h, int o, int with_dropout, const char *name)
{
    uint64_t seed = 1000u + (uint64_t)(h * 100 + o * 10 + with_dropout);
    int err = build_net(net, hidden_activations[h].spec, outputs[o].spec, outputs[o].loss,
                        with_dropout ? 0.25f : 0.0f, seed);
    CHECK(err == 0, "building the net: %d %s", err, initnn_last_error());
    check_net_gradients(*net, name, seed);
}

static void gradient_row(int h, int o, int with_dropout)
{
    static char name[200];
    initnn_net *net = NULL;
    snprintf(name, sizeof name, "backprop_matches_finite_differences_%s_hidden_%s_output%s",
             hidden_activations[h].name, outputs[o].name, with_dropout ? "_with_fixed_dropout_mask" : "");
    if (!testing_begin(name)) return;
    build_and_check(&net, h, o, with_dropout, name);
    initnn_net_free(net);
    testing_end();
}

/* ---- dropout on its own ------------------------------------------------------------ */

static void dropout_keeps_each_input_with_probability_1_minus_rate_scaled_by_its_inverse(void)
{
    /* Bernoulli(0.7) over n = 100000: the kept fraction has standard error
       sqrt(0.7 * 0.3 / n) = 0.00145; the tolerance is 6 of them. */
    enum { N = 100000 };
    static float x[N], y[N], mask[N], dy[N], dx[N];
    const float rate = 0.3f, keep = 1.0f / (1.0f - 0.3f);
    initnn_rng rng;
    int i, kept = 0;
    initnn_rng_seed(&rng, 5);
    for (i = 0; i < N; i++) {
        x[i] = initnn_rng_normal(&rng);
        dy[i] = initnn_rng_normal(&rng);
    }
    initnn_dropout_forward(y, mask, x, N, rate, &rng);
    initnn_dropout_backward(dx, dy, mask, N);
    for (i = 0; i < N; i++) {
        CHECK(mask[i] == 0.0f || mask[i] == keep, "mask [%d] = %.9g, neither 0 nor 1/(1 - 0.3) = %.9g", i,
              (double)mask[i], (double)keep);
        CHECK(y[i] == x[i] * mask[i], "y [%d] = %.9g, x * mask = %.9g", i, (double)y[i], (double)(x[i] * mask[i]));
        CHECK(dx[i] == dy[i] * mask[i], "dx [%d] = %.9g, dy * mask = %.9g", i, (double)dx[i],
              (double)(dy[i] * mask[i]));
        kept += mask[i] != 0.0f;
    }
    CHECK_NEAR((double)kept / N, 0.7, 6.0 * sqrt(0.7 * 0.3 / N));
}

static void dropout_is_the_identity_in_evaluation_mode(void)
{
    /* A dropout layer has no parameters, so the same seed draws the same
       weights with or without it; in evaluation mode the outputs must then
       be the same bits. */
    initnn_net *with = NULL, *without = NULL;
    float X[B * IN];
    const float *a, *b;
    initnn_rng rng;
    int err;
    initnn_rng_seed(&rng, 8);
    fill_normal(X, B * IN, 1.0, &rng);
    err = build_net(&with, "tanh", "softmax", INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, 0.5f, 77);
    if (!err) err = build_net(&without, "tanh", "softmax", INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, 0.0f, 77);
    if (!err && with->param_count == without->param_count &&
        memcmp(with->params, without->params, with->param_count * sizeof(float)) == 0) {
        a = initnn_net_forward(with, X, B, 0);
        b = initnn_net_forward(without, X, B, 0);
        err = !a || !b || memcmp(a, b, B * OUT * sizeof(float)) != 0 ? 1 : 0;
    } else {
        err = -100;
    }
    initnn_net_free(with);
    initnn_net_free(without);
    CHECK(err != -100, "the nets with and without dropout do not start with the same weights");
    CHECK(err == 0, "evaluation outputs differ with dropout (%d) %s", err, initnn_last_error());
}

int main(int argc, char **argv)
{
    int h, o, d;
    testing_init(argc, argv);
    for (h = 0; h < (int)(sizeof hidden_activations / sizeof hidden_activations[0]); h++)
        for (o = 0; o < (int)(sizeof outputs / sizeof outputs[0]); o++)
            for (d = 0; d < 2; d++) gradient_row(h, o, d);
    RUN_TEST(dropout_keeps_each_input_with_probability_1_minus_rate_scaled_by_its_inverse);
    RUN_TEST(dropout_is_the_identity_in_evaluation_mode);
    return testing_finish();
}
