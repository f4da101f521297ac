/* test_torch_reference.c - initnn's training, step for step, against PyTorch.

   tests/torch_reference/make_reference.py (run by hand under Debian's
   python3-torch; see its header for the exact command and versions) trained
   four small nets in PyTorch from fixed initial weights on a fixed batch
   sequence, and saved as .npy, for each case (a net and an optimizer):
   the loss of each step, the gradient backward left (before clipping and
   weight decay) and the weights after the step. This test starts initnn's
   net from the same weights, feeds it the same batches (and, for dropout,
   the same masks, through initnn_net's reuse_dropout_mask), takes the same
   steps through the public API (initnn_net_zero_grad, initnn_net_forward,
   initnn_net_backward, initnn_net_step) and requires, at every step, the
   loss, every gradient and every weight to agree with PyTorch's to float32
   rounding.

   THE TOLERANCE

   Both sides compute in float32 the same formulas in different orders (other
   blockings of the products, FMA or not, torch's and initnn's softmax), so
   they differ by rounding only. A sum of n terms rounded in float32 in any
   order is within gamma_n ~ n u of the exact sum, relative to the sum of the
   terms' magnitudes (Higham, Accuracy and Stability of Numerical Algorithms,
   2nd ed., sec. 3.1), u = 2^-24 ~ 6e-8 the unit roundoff. A loss or gradient
   of the nets here comes out of a chain of such sums: the forward's over
   each fan_in (and each average-pooling window, and softmax's over the
   classes), the backward's over each fan_out, and the mean over the batch
   (for a conv kernel, over batch and positions). Each exp, log, tanh or
   sigmoid on the way adds at most 2 u (libm's and torch's are each within
   1 ulp). Adding these up along the longest path gives the net's N
   (net_table below), and, taking the terms no larger than the largest
   element of the tensor compared, the two sides of one step differ by at most

      |initnn - torch| <= 2 N u max|torch|          (elementwise)

   the factor 2 for the roundings of both sides. From step to step a
   difference left in the weights is carried on (and, with momentum and
   Adam's moments, summed again), so the bound at step t, t = 1 .. 8, is t
   times that of one step:

      tol(t) = 2 t N u max|torch(t)|

   for the loss, the gradient and the weights of step t alike. The largest
   difference measured, over every case and step, is 0.9% of tol for the
   loss, 1.1% for the gradients and 5.0% for the weights (gcc -O2, tcc;
   1.9% for the weights with -march=native, whose AVX2/FMA kernels round
   differently; -DTORCH_REFERENCE_REPORT prints the figures per case).

   What the tolerance lets through: with initnn.h altered, Adam without bias
   correction is off by 0.022 in a weight after one step (tol 3.9e-6), SGD
   momentum applied twice by 0.0074, Nesterov ignored by 0.0074, Keras'
   epsilon put where Algorithm 1 has it by 0.0062, RMSProp's epsilon inside
   the square root by 0.0031, SGD's weight decay dropped by 8.7e-4, the clip
   value raised by 1% by 1e-5, Adam's beta2 0.99 for 0.999 by 1.8e-5 after
   two steps (tol 8e-6): every one fails. torch's own clip_grad_norm_
   formula, max_norm / (||g|| + 1e-6), differs from initnn's max_norm / ||g||
   by less than rounding here, and passes.

   Rounding cannot flip a branch between the two sides: the script checks
   that every ReLU pre-activation is at least 1e-5 from 0 and every max-pool
   window's largest value leads the next by 1e-5, far above the differences
   allowed here. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

#define REF_DIR "tests/torch_reference/"
#define UNIT_ROUNDOFF 5.9604644775390625e-8   /* 2^-24 */
#define MAX_BATCH 64

typedef struct net_spec {
    const char *name;          /* the files' prefix                              */
    const char *arch;          /* initnn_net_from_arch, as the script's module list */
    int channels, height, width;
    int loss;                  /* INITNN_LOSS_*                                  */
    int chain;                 /* N: the longest chain of accumulations (above)  */
} net_spec;

/* N, the terms summed along the longest path (see the top of the file):
   forward, backward, the batch (the larger of the loss's mean and the kernel
   gradient's sum) and 2 per transcendental function.
   dense       forward 10+16+12+8 + 5 (softmax), backward 5+8+12, batch 8,
               tanh sigmoid exp log 2*4                                  = 92
   regression  forward 6+16+16, backward 3+16, the loss's mean over
               8 samples x 3 targets 24, tanh 2                          = 83
   conv        forward 2*3*3 + 4*3*2 + 2*2 (average) + 24 + 5 (softmax),
               backward 5 + 6 + 3*2 (the second conv's dX: its C_out and
               col2im's overlapping taps), batch x positions of the first
               conv's kernel gradient 8*12*12, tanh exp log 2*3           = 1250
   dropout     forward 10+16+12 + 5, backward 5+12, batch 8,
               tanh exp log 2*3                                           = 74 */
static const net_spec net_table[] = {
    {"dense", "dense:16,relu,dense:12,tanh,dense:8,sigmoid,dense:5,softmax", 1, 1, 10,
     INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, 92},
    {"regression", "dense:16,tanh,dense:16,relu,dense:3", 1, 1, 6, INITNN_LOSS_MSE, 83},
    {"conv", "conv:4:3:1:same,relu,maxpool:2,conv:6:3x2,tanh,avgpool:2,flatten,dense:5,softmax", 2, 12, 12,
     INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, 1250},
    {"dropout", "dense:16,relu,dropout:0.25,dense:12,tanh,dense:5,softmax", 1, 1, 10,
     INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, 74},
};

typedef struct case_spec {
    const char *test;          /* the claim                                      */
    const char *name;          /* the files' prefix, as in the script's CASES    */
    const char *net;
    int optimizer;             /* INITNN_OPT_*, or -1 for Adam in Keras' form    */
    float learning_rate, momentum;
    int nesterov;
    float weight_decay, clip_norm, clip_value;
} case_spec;

#define ADAM_KERAS (-1)

static const case_spec case_table[] = {
    {"sgd_steps_match_pytorch_to_float_rounding", "dense_sgd", "dense", INITNN_OPT_SGD, 0.1f, 0, 0, 0, 0, 0},
    {"sgd_momentum_steps_match_pytorch_to_float_rounding", "dense_sgd_momentum", "dense", INITNN_OPT_SGD,
     0.05f, 0.9f, 0, 0, 0, 0},
    {"sgd_nesterov_steps_match_pytorch_to_float_rounding", "dense_sgd_nesterov", "dense", INITNN_OPT_SGD,
     0.05f, 0.9f, 1, 0, 0, 0},
    {"adam_steps_match_pytorch_to_float_rounding", "dense_adam", "dense", INITNN_OPT_ADAM, 1e-2f, 0, 0, 0, 0, 0},
    {"adam_keras_epsilon_steps_match_handwritten_torch_adam_to_float_rounding", "dense_adam_keras", "dense",
     ADAM_KERAS, 1e-2f, 0, 0, 0, 0, 0},
    {"rmsprop_steps_match_pytorch_to_float_rounding", "dense_rmsprop", "dense", INITNN_OPT_RMSPROP, 1e-3f, 0, 0,
     0, 0, 0},
    {"clip_by_norm_steps_match_pytorch_to_float_rounding", "dense_sgd_momentum_clip_norm", "dense",
     INITNN_OPT_SGD, 0.05f, 0.9f, 0, 0, 0.05f, 0},
    {"clip_by_value_steps_match_pytorch_to_float_rounding", "dense_sgd_clip_value", "dense", INITNN_OPT_SGD,
     0.1f, 0, 0, 0, 0, 0.01f},
    {"sgd_momentum_weight_decay_steps_match_pytorch_to_float_rounding", "dense_sgd_momentum_weight_decay",
     "dense", INITNN_OPT_SGD, 0.05f, 0.9f, 0, 0.05f, 0, 0},
    {"adam_weight_decay_steps_match_pytorch_to_float_rounding", "dense_adam_weight_decay", "dense",
     INITNN_OPT_ADAM, 1e-2f, 0, 0, 0.05f, 0, 0},
    {"rmsprop_weight_decay_steps_match_pytorch_to_float_rounding", "dense_rmsprop_weight_decay", "dense",
     INITNN_OPT_RMSPROP, 1e-3f, 0, 0, 0.05f, 0, 0},
    {"mse_regression_sgd_momentum_steps_match_pytorch_to_float_rounding", "regression_sgd_momentum",
     "regression", INITNN_OPT_SGD, 0.02f, 0.9f, 0, 0, 0, 0},
    {"mse_regression_adam_steps_match_pytorch_to_float_rounding", "regression_adam", "regression",
     INITNN_OPT_ADAM, 1e-2f, 0, 0, 0, 0, 0},
    {"conv_pool_flatten_sgd_momentum_steps_match_pytorch_to_float_rounding", "conv_sgd_momentum", "conv",
     INITNN_OPT_SGD, 0.05f, 0.9f, 0, 0, 0, 0},
    {"conv_pool_flatten_adam_steps_match_pytorch_to_float_rounding", "conv_adam", "conv", INITNN_OPT_ADAM, 1e-2f,
     0, 0, 0, 0, 0},
    {"dropout_fixed_mask_sgd_momentum_steps_match_pytorch_to_float_rounding", "dropout_sgd_momentum", "dropout",
     INITNN_OPT_SGD, 0.05f, 0.9f, 0, 0, 0, 0},
    {"dropout_fixed_mask_adam_steps_match_pytorch_to_float_rounding", "dropout_adam", "dropout",
     INITNN_OPT_ADAM, 1e-2f, 0, 0, 0, 0, 0},
};

/* One .npy file read whole. */
typedef struct array {
    float *data;
    int ndim;
    int shape[8];
    size_t count;
} array;

static int read_array(array *a, const char *prefix, const char *suffix)
{
    char path[256];
    int i, err;
    snprintf(path, sizeof path, REF_DIR "%s_%s.npy", prefix, suffix);
    memset(a, 0, sizeof *a);
    err = initnn_npy_read(&a->data, &a->ndim, a->shape, path);
    if (err) return err;
    a->count = 1;
    for (i = 0; i < a->ndim; i++) a->count *= (size_t)a->shape[i];
    return 0;
}

static const net_spec *find_net(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof net_table / sizeof net_table[0]; i++)
        if (!strcmp(net_table[i].name, name)) return &net_table[i];
    return NULL;
}

static double max_abs(const float *x, size_t n)
{
    double m = 0.0;
    size_t i;
    for (i = 0; i < n; i++)
        if (fabs((double)x[i]) > m) m = fabs((double)x[i]);
    return m;
}

#ifdef TORCH_REFERENCE_REPORT
/* The largest |got - want| / tol for losses, gradients and weights, per case
   and over all: -DTORCH_REFERENCE_REPORT prints them to stderr. */
static double case_ratio[3], worst_ratio[3];
#endif
static const char *const kind_names[3] = {"loss", "gradient", "weights"};

/* Finds the largest |got - want| over n elements and its index; returns the
   tolerance 2 t N u max|want|. */
static double compare(double *worst, size_t *at, const float *got, const float *want, size_t n, int step,
                      int chain, int kind)
{
    double tol = 2.0 * step * chain * UNIT_ROUNDOFF * max_abs(want, n);
    size_t i;
    *worst = 0.0;
    *at = 0;
    for (i = 0; i < n; i++) {
        double diff = fabs((double)got[i] - (double)want[i]);
        if (diff > *worst || diff != diff) {
            *worst = diff;
            *at = i;
            if (diff != diff) break;   /* a NaN fails the comparison, whatever follows */
        }
    }
#ifdef TORCH_REFERENCE_REPORT
    if (tol > 0.0 && *worst / tol > case_ratio[kind]) case_ratio[kind] = *worst / tol;
    if (tol > 0.0 && *worst / tol > worst_ratio[kind]) worst_ratio[kind] = *worst / tol;
#else
    (void)kind;
#endif
    return tol;
}

#define CHECK_AGREES(kind, got, want, n)                                                           \
    do {                                                                                           \
        double worst_, tol_;                                                                       \
        size_t at_;                                                                                \
        tol_ = compare(&worst_, &at_, (got), (want), (n), t + 1, net->chain, (kind));              \
        CHECK(worst_ <= tol_, "%s step %d: %s [%lu] = %.9g, PyTorch %.9g: |diff| %.3g > tol %.3g " \
              "(2 t N u max|torch|, N = %d)", c->name, t + 1, kind_names[kind], (unsigned long)at_, \
              (double)(got)[at_], (double)(want)[at_], worst_, tol_, net->chain);                   \
    } while (0)

/* What one case reads and builds, freed whatever the checks found. */
typedef struct fixture {
    const case_spec *c;
    const net_spec *net;
    array x, y, mask, init, loss, grad, param;
    initnn_net *nn;
} fixture;

static void free_fixture(fixture *f)
{
    initnn_free(f->x.data);
    initnn_free(f->y.data);
    initnn_free(f->mask.data);
    initnn_free(f->init.data);
    initnn_free(f->loss.data);
    initnn_free(f->grad.data);
    initnn_free(f->param.data);
    initnn_net_free(f->nn);
}

/* The fixed masks must be masks initnn itself could draw: every value 0 or
   exactly the keep value initnn_dropout_forward scales by, 1 / (1 - rate),
   with some of each. So the scaling of initnn's own masks is tested too,
   not only that forward and backward apply a given mask. */
static void check_mask_is_initnns(fixture *f, const initnn_layer *layer)
{
    size_t i, n = (size_t)layer->out, zeros = 0;
    float ones[64], drawn[64], mask_keep = 0.0f;
    initnn_rng rng;
    CHECK(n <= 64, "dropout over %lu units, more than 64", (unsigned long)n);
    for (i = 0; i < n; i++) ones[i] = 1.0f;
    initnn_rng_seed(&rng, 3);
    initnn_dropout_forward(drawn, layer->mask, ones, n, layer->rate, &rng);
    for (i = 0; i < n; i++)
        if (layer->mask[i] != 0.0f) mask_keep = layer->mask[i];
    CHECK(mask_keep > 1.0f, "initnn_dropout_forward kept none of %lu units at rate %g", (unsigned long)n,
          (double)layer->rate);
    for (i = 0; i < f->mask.count; i++) {
        float m = f->mask.data[i];
        CHECK(m == 0.0f || m == mask_keep, "%s_mask.npy [%lu] = %.9g: neither 0 nor initnn's keep value %.9g",
              f->net->name, (unsigned long)i, (double)m, (double)mask_keep);
        zeros += m == 0.0f;
    }
    CHECK(zeros > 0 && zeros < f->mask.count, "%s_mask.npy drops %lu of %lu units", f->net->name,
          (unsigned long)zeros, (unsigned long)f->mask.count);
}

/* Reads the case's files, builds its net from the initial weights and its
   optimizer, and checks that the shapes fit one another. */
static void load_case(fixture *f)
{
    const case_spec *c = f->c;
    const net_spec *net = f->net;
    initnn_optimizer opt;
    int err, steps, batch, l;
    size_t params;
    CHECK(net != NULL, "%s: no net %s", c->name, c->net);
    CHECK(read_array(&f->x, net->name, "x") == 0, "%s", initnn_last_error());
    CHECK(read_array(&f->y, net->name, "y") == 0, "%s", initnn_last_error());
    CHECK(read_array(&f->init, net->name, "init") == 0, "%s", initnn_last_error());
    CHECK(read_array(&f->loss, c->name, "loss") == 0, "%s", initnn_last_error());
    CHECK(read_array(&f->grad, c->name, "grad") == 0, "%s", initnn_last_error());
    CHECK(read_array(&f->param, c->name, "param") == 0, "%s", initnn_last_error());
    CHECK(f->x.ndim == 3, "%s_x.npy has %d dimensions, not 3 (steps, batch, features)", net->name, f->x.ndim);
    steps = f->x.shape[0];
    batch = f->x.shape[1];
    CHECK(batch <= MAX_BATCH, "%s_x.npy: batches of %d, more than %d", net->name, batch, MAX_BATCH);
    CHECK(f->x.shape[2] == net->channels * net->height * net->width, "%s_x.npy: %d features, the net takes %d",
          net->name, f->x.shape[2], net->channels * net->height * net->width);

    err = initnn_net_from_arch(&f->nn, net->arch, net->channels, net->height, net->width, "zeros", "zeros",
                               batch, 1);
    CHECK(err == 0, "initnn_net_from_arch(%s): %s", net->arch, initnn_last_error());
    CHECK(initnn_net_set_loss(f->nn, net->loss) == 0, "%s", initnn_last_error());
    if (c->optimizer == ADAM_KERAS) opt = initnn_adam_keras(c->learning_rate);
    else if (c->optimizer == INITNN_OPT_ADAM) opt = initnn_adam(c->learning_rate);
    else if (c->optimizer == INITNN_OPT_RMSPROP) opt = initnn_rmsprop(c->learning_rate);
    else opt = initnn_sgd(c->learning_rate, c->momentum, c->nesterov);
    opt.weight_decay = c->weight_decay;
    opt.clip_norm = c->clip_norm;
    opt.clip_value = c->clip_value;
    CHECK(initnn_net_set_optimizer(f->nn, &opt) == 0, "%s", initnn_last_error());

    params = f->nn->param_count;
    CHECK(f->init.count == params, "%s_init.npy holds %lu parameters, the net has %lu", net->name,
          (unsigned long)f->init.count, (unsigned long)params);
    CHECK(f->loss.count == (size_t)steps, "%s_loss.npy: %lu losses for %d steps", c->name,
          (unsigned long)f->loss.count, steps);
    CHECK(f->grad.count == (size_t)steps * params && f->param.count == f->grad.count,
          "%s: %lu gradients and %lu weights for %d steps of %lu parameters", c->name,
          (unsigned long)f->grad.count, (unsigned long)f->param.count, steps, (unsigned long)params);
    CHECK(f->y.count == (size_t)steps * batch * (net->loss == INITNN_LOSS_MSE ? initnn_net_output_dim(f->nn) : 1),
          "%s_y.npy: %lu labels or targets for %d steps of %d", net->name, (unsigned long)f->y.count, steps, batch);
    memcpy(f->nn->params, f->init.data, params * sizeof(float));

    for (l = 0; l < f->nn->layer_count; l++) {
        const initnn_layer *layer = &f->nn->layers[l];
        if (layer->type != INITNN_LAYER_DROPOUT) continue;
        CHECK(read_array(&f->mask, net->name, "mask") == 0, "%s", initnn_last_error());
        CHECK(f->mask.count == (size_t)steps * batch * layer->out, "%s_mask.npy: %lu values for %d x %d x %d",
              net->name, (unsigned long)f->mask.count, steps, batch, layer->out);
        check_mask_is_initnns(f, layer);
    }
}

/* The steps, each compared with PyTorch's. */
static void take_steps(fixture *f)
{
    const case_spec *c = f->c;
    const net_spec *net = f->net;
    initnn_net *nn = f->nn;
    initnn_layer *dropout = NULL;
    int t, b, l, steps = f->x.shape[0], batch = f->x.shape[1], features = f->x.shape[2];
    int out = initnn_net_output_dim(nn), labels[MAX_BATCH];
    size_t params = nn->param_count;

    for (l = 0; l < nn->layer_count; l++)
        if (nn->layers[l].type == INITNN_LAYER_DROPOUT) dropout = &nn->layers[l];
    /* The fixed mask: forward multiplies by the layer's mask, which is set
       below before each step, instead of drawing one from the net's generator. */
    if (dropout) nn->reuse_dropout_mask = 1;

    for (t = 0; t < steps; t++) {
        const float *X = f->x.data + (size_t)t * batch * features;
        const float *targets = net->loss == INITNN_LOSS_MSE ? f->y.data + (size_t)t * batch * out : NULL;
        float value;
        int err;
        for (b = 0; b < batch; b++) labels[b] = (int)f->y.data[(size_t)t * batch + b];
        if (dropout)
            memcpy(dropout->mask, f->mask.data + (size_t)t * batch * dropout->out,
                   (size_t)batch * dropout->out * sizeof(float));
        initnn_net_zero_grad(nn);
        CHECK(initnn_net_forward(nn, X, batch, 1) != NULL, "%s step %d: initnn_net_forward: %s", c->name, t + 1,
              initnn_last_error());
        err = initnn_net_backward(nn, targets ? NULL : labels, targets, &value);
        CHECK(err == 0, "%s step %d: initnn_net_backward: %s", c->name, t + 1, initnn_last_error());
        CHECK_AGREES(0, &value, f->loss.data + t, 1);
        CHECK_AGREES(1, nn->grads, f->grad.data + (size_t)t * params, params);
        err = initnn_net_step(nn);
        CHECK(err == 0, "%s step %d: initnn_net_step: %s", c->name, t + 1, initnn_last_error());
        CHECK_AGREES(2, nn->params, f->param.data + (size_t)t * params, params);
    }
}

int main(int argc, char **argv)
{
    size_t i;
    testing_init(argc, argv);
    for (i = 0; i < sizeof case_table / sizeof case_table[0]; i++) {
        fixture f;
        if (!testing_begin(case_table[i].test)) continue;
        memset(&f, 0, sizeof f);
        f.c = &case_table[i];
        f.net = find_net(case_table[i].net);
        load_case(&f);
        if (!TESTING_FAILED) take_steps(&f);
        free_fixture(&f);
        testing_end();
#ifdef TORCH_REFERENCE_REPORT
        fprintf(stderr, "  %-32s worst / tol: loss %.3g, gradient %.3g, weights %.3g\n", case_table[i].name,
                case_ratio[0], case_ratio[1], case_ratio[2]);
        case_ratio[0] = case_ratio[1] = case_ratio[2] = 0.0;
#endif
    }
#ifdef TORCH_REFERENCE_REPORT
    for (i = 0; i < 3; i++) fprintf(stderr, "worst %s difference: %.3g of tol\n", kind_names[i], worst_ratio[i]);
#endif
    return testing_finish();
}
