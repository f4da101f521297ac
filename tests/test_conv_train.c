/* test_conv_train.c - a small CNN trains, CNN checkpoints round-trip, and the
   arch grammar's conv tokens parse or fail naming the bad token.

   Training data are generated here: 64 single-channel 12 x 12 images, N(0,
   0.1^2) noise plus a bar of 5 pixels of +1 at a random place, whose
   direction is the class: horizontal, vertical, diagonal, anti-diagonal
   (classes interleaved, 16 each). conv:8:3,relu,maxpool:2,flatten,dense:4,
   softmax with Adam(0.01), batches of 16, must classify all 64 after at
   most 40 epochs; over seeds 1-10 it takes 9 to 15. Accuracy is counted
   here from forward passes (argmax against the label).

   Built with OpenMP (the [native] build of tests/run.sh), ten steps of a
   larger CNN on the same images (plain and fused in turn) must give the same
   weights, bit for bit, on 1, 2 and 3 threads: the products split their work by blocks of C and the
   conv layers by samples, never a sum. Without OpenMP the test is a SKIP.

   initnn_net_train runs a ReLU conv layer and the 2 x 2 max pool after it
   one sample at a time (net->fused_steps): such steps must give the plain
   steps' loss, weights, moments and pool outputs bit for bit (on layers of
   few and many rows, windows left over, batches of 1 to 50, with the conv
   layers' unkept buffers filled with NaN first), a step that overflows must
   fail with the plain step's message, and initnn_net_train must reach the
   weights and last-batch diagnostics of its steps taken one by one.

   Temporary files are /tmp/initnn_test_conv_XXXXXX* (mkstemp), removed at
   the end. */

#define _POSIX_C_SOURCE 200809L

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#include <unistd.h>
#ifdef _OPENMP
#include <omp.h>
#endif

/* ---- files ------------------------------------------------------------------------- */

static char temp_base[64];

static const char *temp_path(const char *suffix)
{
    static char paths[4][96];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof paths[0], "%s%s", temp_base, suffix);
    return p;
}

/* ---- the bars ----------------------------------------------------------------------- */

#define IMAGES 64
#define SIDE 12
#define BAR 5
#define CLASSES 4
#define MAX_EPOCHS 40

static void make_bars(float *x, int *labels, uint64_t seed)
{
    initnn_rng rng;
    int i, k, p;
    initnn_rng_seed(&rng, seed);
    for (i = 0; i < IMAGES; i++) {
        float *image = x + (size_t)i * SIDE * SIDE;
        int c = i % CLASSES, top, left;
        for (p = 0; p < SIDE * SIDE; p++) image[p] = 0.1f * initnn_rng_normal(&rng);
        top = (int)initnn_rng_below(&rng, SIDE - BAR + 1);
        left = (int)initnn_rng_below(&rng, SIDE - BAR + 1);
        for (k = 0; k < BAR; k++) {
            int row = c == 0 ? top + BAR / 2 : top + k;
            int col = c == 1 ? left + BAR / 2 : c == 3 ? left + BAR - 1 - k : left + k;
            image[row * SIDE + col] += 1.0f;
        }
        labels[i] = c;
    }
}

static void train_bars(initnn_net *net, const float *x, const int *labels, int *epochs, double *start_accuracy,
                       double *accuracy)
{
    initnn_optimizer adam = initnn_adam(0.01f);
    initnn_train_config cfg = initnn_train_defaults();
    initnn_data data;
    int err;
    memset(&data, 0, sizeof data);
    data.count = IMAGES;
    data.features = SIDE * SIDE;
    data.x = x;
    data.labels = labels;
    data.classes = CLASSES;
    cfg.epochs = 1;
    cfg.batch_size = 16;
    err = initnn_net_set_optimizer(net, &adam);
    CHECK(err == 0, "initnn_net_set_optimizer: %s", initnn_last_error());
    *start_accuracy = *accuracy = ref_accuracy(net, x, labels, IMAGES);
    for (*epochs = 0; *epochs < MAX_EPOCHS && *accuracy < 1.0;) {
        err = initnn_net_train(net, &data, NULL, &cfg, NULL);
        CHECK(err == 0, "epoch %d: %s", *epochs + 1, initnn_last_error());
        ++*epochs;
        *accuracy = ref_accuracy(net, x, labels, IMAGES);
    }
}

static void small_cnn_reaches_100_percent_training_accuracy_with_adam_within_40_epochs(void)
{
    static float x[IMAGES * SIDE * SIDE];
    int labels[IMAGES], seed;
    for (seed = 1; seed <= 2; seed++) {
        initnn_net *net = NULL;
        int epochs = 0, err;
        double before = 0.0, after = 0.0;
        make_bars(x, labels, 100 + (uint64_t)seed);
        err = initnn_net_from_arch(&net, "conv:8:3,relu,maxpool:2,flatten,dense:4,softmax", 1, SIDE, SIDE,
                                   "he_normal", "zeros", 16, (uint64_t)seed);
        CHECK(err == 0, "%s", initnn_last_error());
        train_bars(net, x, labels, &epochs, &before, &after);
        initnn_net_free(net);
        if (TESTING_FAILED) return;
        CHECK(before <= 0.5, "seed %d: %.0f%% right before any training; the task is too easy to show anything",
              seed, 100.0 * before);
        CHECK(after == 1.0, "seed %d: %.1f%% training accuracy after %d epochs", seed, 100.0 * after, epochs);
    }
}

/* ---- threads --------------------------------------------------------------------------- */

#ifdef _OPENMP
/* Ten Adam steps on batches of 64 (every product above the threshold of
   10^6 multiply-adds at which the products go parallel, at least in one
   direction) with the given number of threads, every other one a fused
   step; the weights into params. */
static int train_on_threads(int threads, const float *x, const int *labels, float *params, size_t *count)
{
    initnn_net *net = NULL;
    initnn_optimizer adam = initnn_adam(0.01f);
    int step, err;
    omp_set_num_threads(threads);
    err = initnn_net_from_arch(&net, "conv:16:3,relu,maxpool:2,conv:32:3:1:same,relu,avgpool:2,flatten,"
                               "dense:64,relu,dropout:0.25,dense:4,softmax", 1, SIDE, SIDE, "he_normal", "zeros",
                               IMAGES, 5);
    if (!err) err = initnn_net_set_optimizer(net, &adam);
    for (step = 0; step < 10 && !err; step++) {
        net->fused_steps = step % 2;   /* the first conv layer with its pool per sample, every other step */
        err = initnn_net_train_batch(net, x, labels, NULL, IMAGES, NULL, NULL);
    }
    if (!err) {
        *count = net->param_count;
        memcpy(params, net->params, net->param_count * sizeof(float));
    }
    initnn_net_free(net);
    return err;
}
#endif

#ifdef _OPENMP
static void cnn_training_gives_the_same_bits_on_1_2_and_3_threads(void)
{
    static float x[IMAGES * SIDE * SIDE], one[40000], other[40000];
    int labels[IMAGES], threads, err;
    size_t n1 = 0, n = 0;
    make_bars(x, labels, 77);
    err = train_on_threads(1, x, labels, one, &n1);
    CHECK(err == 0, "1 thread: %s", initnn_last_error());
    CHECK(n1 > 0 && n1 <= sizeof one / sizeof one[0], "%lu parameters", (unsigned long)n1);
    for (threads = 2; threads <= 3; threads++) {
        err = train_on_threads(threads, x, labels, other, &n);
        omp_set_num_threads(1);
        CHECK(err == 0, "%d threads: %s", threads, initnn_last_error());
        CHECK(n == n1 && memcmp(one, other, n * sizeof(float)) == 0,
              "the weights after 10 steps on %d threads differ from those on 1", threads);
    }
}
#endif

/* N(0, 1) pixels and labels in [0, 3) for samples images of features floats. */
static void random_images(float *x, int *labels, int samples, int features, uint64_t seed)
{
    initnn_rng rng;
    int i;
    initnn_rng_seed(&rng, seed);
    for (i = 0; i < samples * features; i++) x[i] = initnn_rng_normal(&rng);
    for (i = 0; i < samples; i++) labels[i] = (int)initnn_rng_below(&rng, 3);
}

/* ---- a conv layer, its ReLU and its max pool in one pass per sample ------------------- */

/* Nets whose ReLU conv layers feed 2 x 2 max pools: the first of few rows
   (3 x 3 x 3 = 27) on 3 x 38 x 37 images, whose 36 x 35 output leaves a
   column no window reads and 17 windows a row (16 and one more); the second
   of many (5 x 3 x 3 = 45) with "same" padding on 18 x 17, leaving a row and
   a column; then one that does not qualify (tanh), and dropout. */
#define BLOCK_ARCH "conv:5:3,relu,maxpool:2,conv:7:3:1:same,relu,maxpool:2,conv:4:3:1:same,tanh,maxpool:2," \
                   "flatten,dense:12,relu,dropout:0.3,dense:3,softmax"
#define BLOCK_C 3
#define BLOCK_H 38
#define BLOCK_W 37
#define BLOCK_SAMPLES 50
#define BLOCK_FEATURES (BLOCK_C * BLOCK_H * BLOCK_W)

static int block_net(initnn_net **net, uint64_t seed)
{
    initnn_optimizer adam = initnn_adam(0.01f);
    int err = initnn_net_from_arch(net, BLOCK_ARCH, BLOCK_C, BLOCK_H, BLOCK_W, "he_normal", "random_uniform:-0.1,0.1",
                                   BLOCK_SAMPLES, seed);
    if (!err) err = initnn_net_set_optimizer(*net, &adam);
    return err;
}

static initnn_net *block_fused, *block_plain;

static void block_release(void)
{
    initnn_net_free(block_fused);
    initnn_net_free(block_plain);
    block_fused = block_plain = NULL;
}

static void fused_conv_relu_pool_steps_give_the_plain_steps_bits(void)
{
    static float x[BLOCK_SAMPLES * BLOCK_FEATURES];
    static const int batches[] = {20, 7, 1, 50, 3, 20};
    int labels[BLOCK_SAMPLES], k, i, err;
    random_images(x, labels, BLOCK_SAMPLES, BLOCK_FEATURES, 41);
    err = block_net(&block_fused, 3);
    CHECK(err == 0, "%s", initnn_last_error());
    err = block_net(&block_plain, 3);
    CHECK(err == 0, "%s", initnn_last_error());
    for (k = 0; k < (int)(sizeof batches / sizeof batches[0]); k++) {
        float loss_fused = 0.0f, loss_plain = 0.0f;
        double norm_fused = 0.0, norm_plain = 0.0;
        int batch = batches[k];
        const float *in = x + (size_t)(k * 5 % (BLOCK_SAMPLES - batch + 1)) * BLOCK_FEATURES;
        for (i = 0; i < 4; i += 2) {   /* what a fused step does not keep, it must not read */
            const initnn_layer *conv = &block_fused->layers[i];
            size_t n = (size_t)BLOCK_SAMPLES * conv->out;
            initnn_constant(conv->z, n, NAN);
            initnn_constant(conv->y, n, NAN);
            initnn_constant(conv->dz, n, NAN);
        }
        block_fused->fused_steps = 1;
        err = initnn_net_train_batch(block_fused, in, labels, NULL, batch, &loss_fused, &norm_fused);
        block_fused->fused_steps = 0;
        CHECK(err == 0, "fused step %d: %s", k, initnn_last_error());
        err = initnn_net_train_batch(block_plain, in, labels, NULL, batch, &loss_plain, &norm_plain);
        CHECK(err == 0, "plain step %d: %s", k, initnn_last_error());
        CHECK(memcmp(&loss_fused, &loss_plain, sizeof loss_plain) == 0 && norm_fused == norm_plain,
              "step %d (batch %d): loss %.9g and gradient norm %.17g where the plain step has %.9g and %.17g", k,
              batch, (double)loss_fused, norm_fused, (double)loss_plain, norm_plain);
        CHECK_FLOATS_EQUAL("weights", block_fused->params, block_plain->params, block_plain->param_count);
        CHECK_FLOATS_EQUAL("Adam's first moments", block_fused->opt_m, block_plain->opt_m, block_plain->param_count);
        for (i = 1; i < 4; i += 2) {
            const initnn_layer *pf = &block_fused->layers[i], *pp = &block_plain->layers[i];
            CHECK_FLOATS_EQUAL("a pool's output", pf->y, pp->y, (size_t)batch * pp->out);
            CHECK(memcmp(pf->argmax, pp->argmax, (size_t)batch * pp->out * sizeof(int)) == 0,
                  "step %d: the argmax of layer %d differs", k, i);
        }
    }
#ifndef INITNN_REFERENCE
    /* It ran: the fused net's first conv layer kept no output past the
       first sample of each slot. */
    CHECK(memcmp(block_fused->layers[0].y, block_plain->layers[0].y,
                 (size_t)20 * block_plain->layers[0].out * sizeof(float)) != 0,
          "the first conv layer's y is the plain step's: the fused path did not run");
#endif
}

/* A step whose first conv layer overflows fails with the plain step's message. */
static void a_fused_step_that_overflows_names_the_conv_layer_as_the_plain_step_does(void)
{
    static float x[BLOCK_SAMPLES * BLOCK_FEATURES];
    char plain_message[512];
    int labels[BLOCK_SAMPLES], i, err;
    random_images(x, labels, BLOCK_SAMPLES, BLOCK_FEATURES, 43);
    /* Only the first sample, which a fused step follows by another in its
       slot's rows: the conv layer's y must be made again to be seen. */
    for (i = 0; i < BLOCK_FEATURES; i++) x[i] = x[i] > 0.0f ? 3e38f : -3e38f;
    err = block_net(&block_fused, 4);
    CHECK(err == 0, "%s", initnn_last_error());
    err = block_net(&block_plain, 4);
    CHECK(err == 0, "%s", initnn_last_error());
    err = initnn_net_train_batch(block_plain, x, labels, NULL, 16, NULL, NULL);
    CHECK(err == INITNN_ERR_NONFINITE, "the plain step returned %d: %s", err, initnn_last_error());
    CHECK(strstr(initnn_last_error(), "layer 0") != NULL, "the plain step's message names no layer 0: %s",
          initnn_last_error());
    snprintf(plain_message, sizeof plain_message, "%s", initnn_last_error());
    block_fused->fused_steps = 1;
    err = initnn_net_train_batch(block_fused, x, labels, NULL, 16, NULL, NULL);
    block_fused->fused_steps = 0;
    CHECK(err == INITNN_ERR_NONFINITE, "the fused step returned %d: %s", err, initnn_last_error());
    CHECK(strcmp(initnn_last_error(), plain_message) == 0, "the fused step says '%s' where the plain one said '%s'",
          initnn_last_error(), plain_message);
    CHECK_FLOATS_EQUAL("weights after the refused steps", block_fused->params, block_plain->params,
                       block_plain->param_count);
}

/* initnn_net_train (which fuses every batch of an epoch but the last) trains
   to the bits of initnn_net_train_batch in the same order, and its epoch's
   diagnostics are those of the last batch's plain step. */
static initnn_layer_diag block_epoch_diag[2][INITNN_MAX_LAYERS];

static void block_on_epoch(const initnn_epoch_record *record, void *user)
{
    memcpy(block_epoch_diag[*(int *)user], record->layers, (size_t)record->layer_count * sizeof *record->layers);
}

static void initnn_net_train_on_a_cnn_gives_the_bits_of_its_steps_one_by_one(void)
{
    static float x[BLOCK_SAMPLES * BLOCK_FEATURES], batch_x[16 * BLOCK_FEATURES];
    initnn_train_config cfg = initnn_train_defaults();
    initnn_data data;
    int labels[BLOCK_SAMPLES], batch_labels[16], order[BLOCK_SAMPLES], i, epoch, start, err, which = 0;
    random_images(x, labels, BLOCK_SAMPLES, BLOCK_FEATURES, 47);
    memset(&data, 0, sizeof data);
    data.count = BLOCK_SAMPLES;
    data.features = BLOCK_FEATURES;
    data.classes = 3;
    data.x = x;
    data.labels = labels;
    err = block_net(&block_fused, 5);
    CHECK(err == 0, "%s", initnn_last_error());
    err = block_net(&block_plain, 5);
    CHECK(err == 0, "%s", initnn_last_error());
    cfg.epochs = 2;
    cfg.batch_size = 16;   /* 16, 16, 16 and 2 */
    cfg.on_epoch = block_on_epoch;
    cfg.user = &which;
    err = initnn_net_train(block_fused, &data, NULL, &cfg, NULL);
    CHECK(err == 0, "initnn_net_train: %s", initnn_last_error());
    for (i = 0; i < BLOCK_SAMPLES; i++) order[i] = i;
    for (epoch = 0; epoch < 2; epoch++) {
        initnn_rng_shuffle(&block_plain->rng, order, BLOCK_SAMPLES);
        for (start = 0; start < BLOCK_SAMPLES; start += 16) {
            int batch = BLOCK_SAMPLES - start < 16 ? BLOCK_SAMPLES - start : 16;
            initnn_data_batch(batch_x, batch_labels, NULL, &data, order, start, batch);
            err = initnn_net_train_batch(block_plain, batch_x, batch_labels, NULL, batch, NULL, NULL);
            CHECK(err == 0, "step: %s", initnn_last_error());
        }
    }
    CHECK_FLOATS_EQUAL("weights after two epochs", block_fused->params, block_plain->params,
                       block_plain->param_count);
    initnn_net_diag_from_buffers(block_plain, block_epoch_diag[1]);
    for (i = 0; i < block_plain->layer_count; i++) {
        const initnn_layer_diag *a = &block_epoch_diag[0][i], *b = &block_epoch_diag[1][i];
        CHECK(memcmp(&a->pre_activation, &b->pre_activation, sizeof a->pre_activation) == 0 &&
              memcmp(&a->activation, &b->activation, sizeof a->activation) == 0 &&
              memcmp(&a->delta, &b->delta, sizeof a->delta) == 0 && a->zero_fraction == b->zero_fraction &&
              a->grad_norm == b->grad_norm && a->update_ratio == b->update_ratio,
              "layer %d's diagnostics of the last epoch differ from the plain steps'", i);
    }
}

/* ---- checkpoints --------------------------------------------------------------------- */

#define CK_ARCH "conv:4:3x2:1:same,relu,maxpool:2,conv:3:3,tanh,avgpool:2:1,flatten,dense:3,softmax"
#define CK_C 2
#define CK_H 9
#define CK_W 8
#define CK_BATCH 5

static void ck_batch(float *x, int *labels, uint64_t seed)
{
    random_images(x, labels, CK_BATCH, CK_C * CK_H * CK_W, seed);
}

/* The checked net trained a few steps, so that the optimizer state matters. */
static int ck_trained_net(initnn_net **net, const char *arch, uint64_t seed, const float *x, const int *labels)
{
    int err = initnn_net_from_arch(net, arch, CK_C, CK_H, CK_W, "glorot_uniform", "random_normal:0.1", CK_BATCH, seed);
    int step;
    for (step = 0; !err && step < 3; step++) err = initnn_net_train_batch(*net, x, labels, NULL, CK_BATCH, NULL, NULL);
    return err;
}

static void cnn_checkpoint_round_trip_is_bit_exact_and_training_continues_identically(void)
{
    float x[CK_BATCH * CK_C * CK_H * CK_W], out_a[CK_BATCH * 3], out_b[CK_BATCH * 3];
    int labels[CK_BATCH], err, l, same_layers = 1, bad_layer = -1;
    initnn_net *a = NULL, *b = NULL;
    const char *path = temp_path(".ck");
    const float *y;
    ck_batch(x, labels, 7);
    err = ck_trained_net(&a, CK_ARCH, 21, x, labels);
    if (!err) err = initnn_net_save(a, path);
    if (!err) err = initnn_net_load(&b, path, CK_BATCH);
    remove(path);
    if (err) { initnn_net_free(a); initnn_net_free(b); }
    CHECK(err == 0, "train, save, load: %s", initnn_last_error());
    for (l = 0; l < a->layer_count && a->layer_count == b->layer_count; l++) {
        const initnn_layer *p = &a->layers[l], *q = &b->layers[l];
        if (p->type != q->type || p->in != q->in || p->out != q->out || p->in_c != q->in_c || p->in_h != q->in_h ||
            p->in_w != q->in_w || p->out_c != q->out_c || p->out_h != q->out_h || p->out_w != q->out_w ||
            p->kernel_h != q->kernel_h || p->kernel_w != q->kernel_w || p->stride != q->stride ||
            p->same_padding != q->same_padding || p->pad_top != q->pad_top || p->pad_left != q->pad_left ||
            p->activation != q->activation || p->param_offset != q->param_offset) {
            same_layers = 0;
            bad_layer = l;
            break;
        }
    }
    same_layers = same_layers && a->layer_count == b->layer_count && a->param_count == b->param_count &&
                  a->input_c == b->input_c && a->input_h == b->input_h && a->input_w == b->input_w;
    if (!same_layers) { initnn_net_free(a); initnn_net_free(b); }
    CHECK(same_layers, "the loaded net has another architecture (first difference at layer %d)", bad_layer);
    {
        int params_equal = memcmp(a->params, b->params, a->param_count * sizeof(float)) == 0;
        int moments_equal = memcmp(a->opt_m, b->opt_m, a->param_count * sizeof(float)) == 0 &&
                            memcmp(a->opt_v, b->opt_v, a->param_count * sizeof(float)) == 0 &&
                            a->opt.step == b->opt.step;
        y = initnn_net_forward(a, x, CK_BATCH, 0);
        if (y) memcpy(out_a, y, sizeof out_a);
        y = y ? initnn_net_forward(b, x, CK_BATCH, 0) : NULL;
        if (y) memcpy(out_b, y, sizeof out_b);
        /* one more step on each */
        err = y ? initnn_net_train_batch(a, x, labels, NULL, CK_BATCH, NULL, NULL) : -1;
        if (!err) err = initnn_net_train_batch(b, x, labels, NULL, CK_BATCH, NULL, NULL);
        if (!err && memcmp(a->params, b->params, a->param_count * sizeof(float)) != 0) err = 1;
        initnn_net_free(a);
        initnn_net_free(b);
        CHECK(params_equal, "the loaded parameters differ from the saved ones");
        CHECK(moments_equal, "the loaded Adam state differs from the saved one");
        CHECK(y != NULL, "forward: %s", initnn_last_error());
        CHECK_FLOATS_EQUAL("outputs of the saved and the loaded CNN", out_b, out_a, (size_t)CK_BATCH * 3);
        CHECK(err != 1, "one more step from the saved and from the loaded CNN gives different weights");
        CHECK(err == 0, "one more step: %s", initnn_last_error());
    }
}

static void cnn_load_into_a_net_with_another_kernel_size_or_padding_is_refused_and_changes_nothing(void)
{
    /* The kernel size differs (3x2 against 5x2, both "same", so every
       output shape agrees), or the padding (with the pooling changed to keep
       the shapes as close as possible). */
    static const char *const others[] = {
        "conv:4:5x2:1:same,relu,maxpool:2,conv:3:3,tanh,avgpool:2:1,flatten,dense:3,softmax",
        "conv:4:3x2:1:same,relu,maxpool:2,conv:3:3:1:same,tanh,avgpool:4:1,flatten,dense:3,softmax",
        "conv:4:3x2:1:same,relu,maxpool:2,conv:3:2,tanh,avgpool:3:1,flatten,dense:3,softmax",
    };
    float x[CK_BATCH * CK_C * CK_H * CK_W];
    int labels[CK_BATCH], err, k;
    initnn_net *a = NULL;
    const char *path = temp_path(".ck");
    ck_batch(x, labels, 8);
    err = ck_trained_net(&a, CK_ARCH, 22, x, labels);
    if (!err) err = initnn_net_save(a, path);
    initnn_net_free(a);
    CHECK(err == 0, "train and save: %s", initnn_last_error());
    for (k = 0; k < (int)(sizeof others / sizeof others[0]); k++) {
        initnn_net *b = NULL;
        float *before;
        int changed;
        err = initnn_net_from_arch(&b, others[k], CK_C, CK_H, CK_W, "he_normal", "zeros", CK_BATCH, 23);
        if (err) remove(path);
        CHECK(err == 0, "'%s': %s", others[k], initnn_last_error());
        before = (float *)malloc(b->param_count * sizeof(float));
        if (!before) { initnn_net_free(b); remove(path); }
        CHECK(before != NULL, "out of memory");
        memcpy(before, b->params, b->param_count * sizeof(float));
        initnn_clear_error();
        err = initnn_net_load_into(b, path);
        changed = memcmp(before, b->params, b->param_count * sizeof(float)) != 0;
        free(before);
        initnn_net_free(b);
        if (err != INITNN_ERR_FORMAT || changed) remove(path);
        CHECK(err == INITNN_ERR_FORMAT, "load_into '%s' returned %d (%s), want INITNN_ERR_FORMAT", others[k], err,
              initnn_last_error());
        CHECK(strstr(initnn_last_error(), "differ") != NULL, "load_into '%s': the message '%s' does not say what differs",
              others[k], initnn_last_error());
        CHECK(!changed, "load_into '%s' was refused but changed the net's weights", others[k]);
    }
    {
        /* and the same architecture is accepted */
        initnn_net *b = NULL;
        initnn_net *reference = NULL;
        err = initnn_net_from_arch(&b, CK_ARCH, CK_C, CK_H, CK_W, "he_normal", "zeros", CK_BATCH, 24);
        if (!err) err = initnn_net_load_into(b, path);
        if (!err) err = initnn_net_load(&reference, path, CK_BATCH);
        remove(path);
        if (!err && memcmp(b->params, reference->params, b->param_count * sizeof(float)) != 0) err = 1;
        initnn_net_free(b);
        initnn_net_free(reference);
        CHECK(err != 1, "load_into the same architecture did not restore the saved weights");
        CHECK(err == 0, "load_into the same architecture: %s", initnn_last_error());
    }
}

/* ---- the arch grammar ------------------------------------------------------------------ */

static void arch_conv_tokens_set_filters_kernel_stride_and_padding(void)
{
    initnn_net *net = NULL;
    const initnn_layer *L;
    int err = initnn_net_from_arch(&net, "conv:6:3x2:2:same,relu,conv:5:3,maxpool:2,avgpool:2:1,flatten,dense:2,softmax",
                                   2, 13, 11, "he_normal", "zeros", 4, 1);
    CHECK(err == 0, "%s", initnn_last_error());
    L = net->layers;
    /* conv same stride 2: ceil(13/2) x ceil(11/2) = 7 x 6; conv valid 3x3: 5 x 4;
       maxpool 2: 2 x 2; avgpool 2 stride 1: 1 x 1; flatten 5 */
    err = net->layer_count != 6 ||
          L[0].type != INITNN_LAYER_CONV2D || L[0].out_c != 6 || L[0].kernel_h != 3 || L[0].kernel_w != 2 ||
          L[0].stride != 2 || !L[0].same_padding || L[0].out_h != 7 || L[0].out_w != 6 ||
          L[0].activation != INITNN_ACT_RELU ||
          L[1].type != INITNN_LAYER_CONV2D || L[1].out_c != 5 || L[1].kernel_h != 3 || L[1].kernel_w != 3 ||
          L[1].stride != 1 || L[1].same_padding || L[1].out_h != 5 || L[1].out_w != 4 ||
          L[1].activation != INITNN_ACT_IDENTITY ||
          L[2].type != INITNN_LAYER_MAXPOOL2D || L[2].kernel_h != 2 || L[2].stride != 2 || L[2].out_h != 2 ||
          L[2].out_w != 2 ||
          L[3].type != INITNN_LAYER_AVGPOOL2D || L[3].kernel_h != 2 || L[3].stride != 1 || L[3].out_h != 1 ||
          L[3].out_w != 1 ||
          L[4].type != INITNN_LAYER_FLATTEN || L[4].out != 5 ||
          L[5].type != INITNN_LAYER_DENSE || L[5].in != 5 || L[5].out != 2;
    initnn_net_free(net);
    CHECK(!err, "the layers do not have the sizes the tokens give");
}

static void arch_errors_for_conv_tokens_name_the_bad_token(void)
{
    static const struct {
        const char *arch;
        int c, h, w;
        const char *named;   /* "arch token N 'token'" must appear in the message */
    } cases[] = {
        {"conv:0:3,relu,flatten,dense:2,softmax", 1, 8, 8, "arch token 1 'conv:0:3'"},
        {"conv:4:3,relu,conv:8,flatten,dense:2,softmax", 1, 8, 8, "arch token 3 'conv:8'"},
        {"conv:4:3,relu,maxpool:0,flatten,dense:2,softmax", 1, 8, 8, "arch token 3 'maxpool:0'"},
        {"conv:4:3,flatten:2,dense:2,softmax", 1, 8, 8, "arch token 2 'flatten:2'"},
        {"conv:4:7,relu,flatten,dense:2,softmax", 1, 6, 6, "arch token 1 'conv:4:7'"},
        {"conv:4:3:1:same,conv:2:3x9,flatten", 1, 6, 8, "arch token 2 'conv:2:3x9'"},
        {"conv:4:3:0,flatten", 1, 6, 6, "arch token 1 'conv:4:3:0'"},
        {"conv:4:3:1:full,flatten", 1, 6, 6, "arch token 1 'conv:4:3:1:full'"},
        {"conv:4:3:1:same:more,flatten", 1, 6, 6, "arch token 1 'conv:4:3:1:same:more'"},
        {"conv:4:x3,flatten", 1, 6, 6, "arch token 1 'conv:4:x3'"},
        {"conv:4:3,relu,maxpool:5,flatten", 1, 6, 6, "arch token 3 'maxpool:5'"},
        {"conv:4:3,avgpool:2:0,flatten", 1, 6, 6, "arch token 2 'avgpool:2:0'"},
        {"conv,flatten", 1, 6, 6, "arch token 1 'conv'"},
        {"maxpool,flatten", 1, 6, 6, "arch token 1 'maxpool'"},
    };
    static initnn_net sentinel;   /* *out must be set to NULL, whatever it held */
    int k;
    for (k = 0; k < (int)(sizeof cases / sizeof cases[0]); k++) {
        initnn_net *net = &sentinel;
        int err;
        initnn_clear_error();
        err = initnn_net_from_arch(&net, cases[k].arch, cases[k].c, cases[k].h, cases[k].w, "he_normal", "zeros", 4, 1);
        if (err == 0) initnn_net_free(net);
        CHECK(err < 0, "'%s' on %dx%dx%d was accepted", cases[k].arch, cases[k].c, cases[k].h, cases[k].w);
        CHECK(net == NULL, "'%s': *out is not NULL after an error", cases[k].arch);
        CHECK(strstr(initnn_last_error(), cases[k].named) != NULL, "'%s': the message '%s' does not contain \"%s\"",
              cases[k].arch, initnn_last_error(), cases[k].named);
    }
}

int main(int argc, char **argv)
{
    int fd;
    testing_init(argc, argv);
    strcpy(temp_base, "/tmp/initnn_test_conv_XXXXXX");
    fd = mkstemp(temp_base);
    if (fd < 0) {
        printf("FAIL test_conv_train: mkstemp(%s) failed\n", temp_base);
        return 1;
    }
    close(fd);
    RUN_TEST(small_cnn_reaches_100_percent_training_accuracy_with_adam_within_40_epochs);
#ifdef _OPENMP
    RUN_TEST(cnn_training_gives_the_same_bits_on_1_2_and_3_threads);
#else
    testing_skip("cnn_training_gives_the_same_bits_on_1_2_and_3_threads", "built without OpenMP (the [native] build has it)");
#endif
    testing_after_each(block_release);
    RUN_TEST(fused_conv_relu_pool_steps_give_the_plain_steps_bits);
    RUN_TEST(a_fused_step_that_overflows_names_the_conv_layer_as_the_plain_step_does);
    RUN_TEST(initnn_net_train_on_a_cnn_gives_the_bits_of_its_steps_one_by_one);
    RUN_TEST(cnn_checkpoint_round_trip_is_bit_exact_and_training_continues_identically);
    RUN_TEST(cnn_load_into_a_net_with_another_kernel_size_or_padding_is_refused_and_changes_nothing);
    RUN_TEST(arch_conv_tokens_set_filters_kernel_stride_and_padding);
    RUN_TEST(arch_errors_for_conv_tokens_name_the_bad_token);
    remove(temp_base);
    return testing_finish();
}
