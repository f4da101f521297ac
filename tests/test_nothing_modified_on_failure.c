/* test_nothing_modified_on_failure.c - a failed call changes nothing it was given.

   initnn.h, CONVENTIONS: a function that fails returns a negative
   INITNN_ERR_* code, initnn_last_error() says why, and "on failure nothing
   the caller passed in has been modified". One test per public int-returning
   function that takes something it could modify: every output is pre-filled
   with a sentinel byte pattern, and the generator, the net (its struct, with
   the layers, the optimizer and the generator inside it, and its parameter,
   gradient, optimizer-moment and backup arrays) and the data structs are
   copied before the call; the test calls the function with a bad argument or
   bad input and checks the documented error code, a message, and that every
   byte is as it was. Functions that write files must leave a file already at
   the path as it was, and leave no PATH.tmp behind.

   The exceptions CONVENTIONS lists are tested as documented: a net, array
   or data set the function allocates for the caller is left NULL or all
   zero (initnn_net_from_arch, initnn_net_load, initnn_npy_read, the data
   generators and loaders), so that freeing it is always safe;
   initnn_net_step restores the weights and step count of a step that made
   a weight non-finite; initnn_net_train stops at a NaN mid-run with every
   step before it kept; initnn_lsuv restores the weights but leaves its last
   forward pass as the net's. The allocator below fails on request, so that
   the out-of-memory paths are reached too.

   Skipped, with nothing the caller passed to modify:
     initnn_net_output_dim           takes a const net, returns a width
     initnn_theory_first_bad_layer   takes a const net and table, returns an
                                     index (-1 is "none", not an error)
   The image functions (INITNN_WITH_STB) are in
   test_nothing_modified_on_failure_image.c, which needs stb. */

#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

/* An allocator that fails when told: the allocations after the next
   fail_after (0: the next one) return NULL until fail_after is -1 again. */
static long fail_after = -1;
static void *test_malloc(size_t size)
{
    if (fail_after == 0) return NULL;
    if (fail_after > 0) fail_after--;
    return malloc(size);
}
#define INITNN_MALLOC(size) test_malloc(size)
#define INITNN_FREE(ptr) free(ptr)

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

#include <errno.h>
#include <sys/stat.h>

/* ---- sentinels ------------------------------------------------------------ */

#define CHECK_SENTINEL(p, bytes, what)                                                    \
    do {                                                                                  \
        int changed_ = testing_sentinel_changed((p), (bytes));                                    \
        CHECK(changed_ == 0, "%s: byte %d of %lu was written", (what), changed_ - 1,      \
              (unsigned long)(bytes));                                                    \
    } while (0)

/* For the outputs CONVENTIONS lets a failure empty: all zero bytes (a NULL
   pointer, an initnn_data that initnn_data_free accepts). */
static int all_zero(const void *p, size_t bytes)
{
    const unsigned char *c = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < bytes; i++)
        if (c[i]) return 0;
    return 1;
}

#define CHECK_EMPTY(p, bytes, what) CHECK(all_zero((p), (bytes)), "%s: not left empty (all zero)", (what))

#define CHECK_SAME(now, before, bytes, what)                                              \
    CHECK(memcmp((now), (before), (bytes)) == 0, "%s changed", (what))

/* The call returned want, and said why. */
#define CHECK_FAILED(rc, want, call)                                                      \
    do {                                                                                  \
        CHECK((rc) == (want), "%s returned %d, want %d (%s)", (call), (rc), (want),       \
              initnn_last_error());                                                       \
        CHECK(initnn_last_error()[0] != '\0', "%s set no message", (call));               \
    } while (0)

static void seeded_rng(initnn_rng *rng, uint64_t seed)
{
    memset(rng, 0, sizeof *rng);   /* the padding too: it is compared */
    initnn_rng_seed(rng, seed);
    (void)initnn_rng_normal(rng);  /* has_spare = 1: the spare is state too */
}

/* ---- a net and its snapshot ------------------------------------------------ */

static initnn_net *the_net;
static initnn_net *the_other_net;

typedef struct snapshot {
    initnn_net net;                   /* the struct, with layers, optimizer, rng */
    float *params, *grads, *m, *v, *backup;
    size_t n;
} snapshot;
static snapshot the_snapshot;

static float *copy_floats(const float *p, size_t n)
{
    float *c;
    if (!p || !n) return NULL;
    c = (float *)malloc(n * sizeof(float));
    if (c) memcpy(c, p, n * sizeof(float));
    return c;
}

static void free_snapshot(snapshot *s);

/* Copies net into *s, freeing what *s held (it starts zeroed). */
static void take_snapshot(snapshot *s, const initnn_net *net)
{
    free_snapshot(s);
    memcpy(&s->net, net, sizeof *net);
    s->n = net->param_count;
    s->params = copy_floats(net->params, s->n);
    s->grads = copy_floats(net->grads, s->n);
    s->m = copy_floats(net->opt_m, s->n);
    s->v = copy_floats(net->opt_v, s->n);
    s->backup = copy_floats(net->params_backup, s->n);
}

static void free_snapshot(snapshot *s)
{
    free(s->params);
    free(s->grads);
    free(s->m);
    free(s->v);
    free(s->backup);
    memset(s, 0, sizeof *s);
}

static int floats_same(const float *now, const float *before, size_t n)
{
    if (!before) return 1;
    return now && memcmp(now, before, n * sizeof(float)) == 0;
}

/* Which part of the net differs from the snapshot, or NULL. */
static const char *net_difference(const initnn_net *net, const snapshot *s)
{
    int i;
    if (net->layer_count != s->net.layer_count) return "the layer count";
    if (net->param_count != s->net.param_count) return "the parameter count";
    if (memcmp(&net->opt, &s->net.opt, sizeof net->opt) != 0) return "the optimizer";
    if (memcmp(&net->rng, &s->net.rng, sizeof net->rng) != 0) return "the net's generator";
    if (net->seed != s->net.seed) return "the seed";
    if (net->steps_taken != s->net.steps_taken) return "the step count";
    if (net->loss != s->net.loss) return "the loss";
    for (i = 0; i < INITNN_MAX_LAYERS; i++)
        if (memcmp(&net->layers[i], &s->net.layers[i], sizeof net->layers[i]) != 0) return "a layer struct";
    if (!floats_same(net->params, s->params, s->n)) return "the parameters";
    if (!floats_same(net->grads, s->grads, s->n)) return "the gradients";
    if (!floats_same(net->opt_m, s->m, s->n)) return "the optimizer's first moments";
    if (!floats_same(net->opt_v, s->v, s->n)) return "the optimizer's second moments";
    if (!floats_same(net->params_backup, s->backup, s->n)) return "the weights before the last step";
    if (memcmp(net, &s->net, sizeof *net) != 0) return "another field of the net struct";
    return NULL;
}

/* The same, but for the record of the last forward pass (input, batch,
   training), which CONVENTIONS lets a failure after a forward pass change. */
static const char *net_difference_but_the_last_forward(const initnn_net *net, const snapshot *s)
{
    static snapshot t;
    t = *s;
    t.net.input = net->input;
    t.net.batch = net->batch;
    t.net.training = net->training;
    return net_difference(net, &t);
}

#define CHECK_NET_UNCHANGED(net, snap, call)                                              \
    do {                                                                                  \
        const char *diff_ = net_difference((net), (snap));                                \
        CHECK(diff_ == NULL, "%s changed %s", (call), diff_ ? diff_ : "");               \
    } while (0)

static float net_X[8 * 4];
static int net_labels[8];

/* input 4, dense 8 relu, dense 3 softmax; trained one step with Adam, so that
   the optimizer state, the gradients and the backup are not zero. */
static initnn_net *make_trained_net(void)
{
    initnn_net *net = NULL;
    initnn_rng rng;
    int i;
    initnn_optimizer adam = initnn_adam(0.01f);
    if (initnn_net_create(&net, 4, 8, 7) != 0) return NULL;
    if (initnn_net_add_dense(net, 8, "relu", "he_normal", NULL) != 0 ||
        initnn_net_add_dense(net, 3, "softmax", "glorot_uniform", "random_normal:0.1") != 0 ||
        initnn_net_set_optimizer(net, &adam) != 0) {
        initnn_net_free(net);
        return NULL;
    }
    seeded_rng(&rng, 3);
    for (i = 0; i < 8 * 4; i++) net_X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < 8; i++) net_labels[i] = i % 3;
    if (initnn_net_train_batch(net, net_X, net_labels, NULL, 8, NULL, NULL) != 0) {
        initnn_net_free(net);
        return NULL;
    }
    return net;
}

/* The net every net test starts from, and its snapshot. */
static void start_net_test(void)
{
    initnn_net_free(the_net);
    the_net = make_trained_net();
    CHECK(the_net != NULL, "cannot build the test net: %s", initnn_last_error());
    take_snapshot(&the_snapshot, the_net);
    initnn_clear_error();
}

/* ---- files ------------------------------------------------------------------ */

static int write_file(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    size_t wrote;
    if (!f) return -1;
    wrote = fwrite(bytes, 1, n, f);
    return fclose(f) == 0 && wrote == n ? 0 : -1;
}

static const char existing_text[] = "a file that was here before the call\n";

/* Writes existing_text to path: a failed write must leave it so. */
static int put_existing_file(const char *path)
{
    return write_file(path, existing_text, sizeof existing_text - 1);
}

/* Nonzero if path still holds existing_text and path.tmp does not exist. */
static int existing_file_intact(const char *path)
{
    char buf[256], tmp[600];
    size_t n;
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n != sizeof existing_text - 1 || memcmp(buf, existing_text, n) != 0) return 0;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    return stat(tmp, &st) != 0;
}

#define CHECK_FILE_INTACT(path, call)                                                     \
    CHECK(existing_file_intact(path), "%s changed the file already at %s or left %s.tmp", \
          (call), (path), (path))

static void release(void)
{
    fail_after = -1;
    initnn_net_free(the_net);
    the_net = NULL;
    initnn_net_free(the_other_net);
    the_other_net = NULL;
    free_snapshot(&the_snapshot);
}

/* ============================================================================
   3. Arrays
   ========================================================================= */

static void histogram_leaves_counts_untouched_on_an_empty_range(void)
{
    size_t counts[8];
    float x[4] = {0.1f, 0.2f, 0.3f, 0.4f};
    int rc;
    testing_fill_sentinel(counts, sizeof counts);
    rc = initnn_histogram(counts, 8, x, 4, 1.0f, 1.0f);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_histogram(lo = hi)");
    CHECK_SENTINEL(counts, sizeof counts, "initnn_histogram(lo = hi)");
    rc = initnn_histogram(counts, 0, x, 4, 0.0f, 1.0f);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_histogram(bins = 0)");
    CHECK_SENTINEL(counts, sizeof counts, "initnn_histogram(bins = 0)");
}

/* ============================================================================
   4. Initializers
   ========================================================================= */

static void init_parse_leaves_out_untouched_on_a_bad_spec(void)
{
    static const char *const bad[] = {"he_normall", "he_normal:abc", "random_uniform:1,0",
                                      "variance_scaling:2,fan_sideways,normal", "glorot_uniform:1,2,3",
                                      "sparse:-1", ""};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        initnn_init_spec out;
        int rc;
        testing_fill_sentinel(&out, sizeof out);
        initnn_clear_error();
        rc = initnn_init_parse(&out, bad[i]);
        CHECK_FAILED(rc, INITNN_ERR_SPEC, bad[i]);
        CHECK_SENTINEL(&out, sizeof out, bad[i]);
    }
}

static void init_fill_leaves_w_and_the_rng_untouched_on_a_bad_spec_or_size(void)
{
    static const struct { const char *spec; int fan_in, fan_out, code; } bad[] = {
        {"he_normal:abc", 4, 4, INITNN_ERR_SPEC},
        {"orthogonal:1,2", 4, 4, INITNN_ERR_SPEC},
        {"he_normal", 0, 4, INITNN_ERR_ARGUMENT},
        {"he_normal", 65536, 65536, INITNN_ERR_OVERFLOW},
    };
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        float w[16];
        initnn_rng rng, before;
        int rc;
        testing_fill_sentinel(w, sizeof w);
        seeded_rng(&rng, 1);
        before = rng;
        initnn_clear_error();
        rc = initnn_init_fill(w, bad[i].fan_in, bad[i].fan_out, bad[i].spec, &rng);
        CHECK_FAILED(rc, bad[i].code, bad[i].spec);
        CHECK_SENTINEL(w, sizeof w, bad[i].spec);
        CHECK_SAME(&rng, &before, sizeof rng, "the generator");
    }
}

static void init_fill_fans_leaves_w_and_the_rng_untouched_on_a_bad_spec(void)
{
    initnn_init_spec spec;
    float w[16];
    initnn_rng rng, before;
    int rc;
    CHECK(initnn_init_parse(&spec, "he_normal") == 0, "parse: %s", initnn_last_error());
    spec.kind = 99;
    testing_fill_sentinel(w, sizeof w);
    seeded_rng(&rng, 1);
    before = rng;
    rc = initnn_init_fill_fans(w, 4, 4, 4, 4, &spec, &rng);
    CHECK_FAILED(rc, INITNN_ERR_SPEC, "initnn_init_fill_fans(kind 99)");
    CHECK_SENTINEL(w, sizeof w, "initnn_init_fill_fans(kind 99)");
    CHECK_SAME(&rng, &before, sizeof rng, "the generator");
    CHECK(initnn_init_parse(&spec, "he_normal") == 0, "parse: %s", initnn_last_error());
    initnn_clear_error();
    rc = initnn_init_fill_fans(w, 4, 4, 0, 4, &spec, &rng);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_init_fill_fans(fan_in 0)");
    CHECK_SENTINEL(w, sizeof w, "initnn_init_fill_fans(fan_in 0)");
    CHECK_SAME(&rng, &before, sizeof rng, "the generator");
}

static void orthogonal_leaves_w_and_the_rng_untouched_on_a_bad_size_or_no_memory(void)
{
    float w[16];
    initnn_rng rng, before;
    int rc;
    testing_fill_sentinel(w, sizeof w);
    seeded_rng(&rng, 1);
    before = rng;
    rc = initnn_orthogonal(w, 0, 4, 1.0f, &rng);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_orthogonal(rows 0)");
    CHECK_SENTINEL(w, sizeof w, "initnn_orthogonal(rows 0)");
    CHECK_SAME(&rng, &before, sizeof rng, "the generator");
    initnn_clear_error();
    fail_after = 0;
    rc = initnn_orthogonal(w, 4, 4, 1.0f, &rng);
    fail_after = -1;
    CHECK_FAILED(rc, INITNN_ERR_MEMORY, "initnn_orthogonal(no memory)");
    CHECK_SENTINEL(w, sizeof w, "initnn_orthogonal(no memory)");
    CHECK_SAME(&rng, &before, sizeof rng, "the generator");
}

static void init_conv_kernel_leaves_w_and_the_rng_untouched_on_a_bad_spec_or_size(void)
{
    float w[2 * 3 * 3 * 4];
    initnn_rng rng, before;
    int rc;
    testing_fill_sentinel(w, sizeof w);
    seeded_rng(&rng, 1);
    before = rng;
    rc = initnn_init_conv_kernel(w, 2, 4, 3, 3, "he_normal:oops", &rng);
    CHECK_FAILED(rc, INITNN_ERR_SPEC, "initnn_init_conv_kernel(bad spec)");
    CHECK_SENTINEL(w, sizeof w, "initnn_init_conv_kernel(bad spec)");
    CHECK_SAME(&rng, &before, sizeof rng, "the generator");
    initnn_clear_error();
    rc = initnn_init_conv_kernel(w, 2, 4, 0, 3, "he_normal", &rng);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_init_conv_kernel(kernel_h 0)");
    CHECK_SENTINEL(w, sizeof w, "initnn_init_conv_kernel(kernel_h 0)");
    CHECK_SAME(&rng, &before, sizeof rng, "the generator");
    initnn_clear_error();
    rc = initnn_init_conv_kernel(w, 4096, 4096, 16, 16, "he_normal", &rng);
    CHECK_FAILED(rc, INITNN_ERR_OVERFLOW, "initnn_init_conv_kernel(4096 x 16 x 16 x 4096)");
    CHECK_SENTINEL(w, sizeof w, "initnn_init_conv_kernel(overflow)");
    CHECK_SAME(&rng, &before, sizeof rng, "the generator");
}

/* ============================================================================
   5. Activations
   ========================================================================= */

static void activation_parse_leaves_both_outputs_untouched_on_a_bad_spec(void)
{
    static const char *const bad[] = {"relux", "leaky_relu:abc", "leaky_relu:", "tanh:2", ""};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int activation;
        float param;
        int rc;
        testing_fill_sentinel(&activation, sizeof activation);
        testing_fill_sentinel(&param, sizeof param);
        initnn_clear_error();
        rc = initnn_activation_parse(&activation, &param, bad[i]);
        CHECK_FAILED(rc, INITNN_ERR_SPEC, bad[i]);
        CHECK_SENTINEL(&activation, sizeof activation, bad[i]);
        CHECK_SENTINEL(&param, sizeof param, bad[i]);
    }
}

/* ============================================================================
   6. Losses (float-returning, promised in CONVENTIONS' exception list:
   "nothing written")
   ========================================================================= */

static void softmax_cross_entropy_writes_no_gradient_on_a_bad_label_in_a_later_row(void)
{
    float logits[3 * 4], dlogits[3 * 4];
    int labels[3] = {0, 1, 4};
    float loss;
    int i;
    for (i = 0; i < 12; i++) logits[i] = 0.1f * (float)i;
    testing_fill_sentinel(dlogits, sizeof dlogits);
    initnn_clear_error();
    loss = initnn_softmax_cross_entropy(dlogits, logits, labels, 3, 4);
    CHECK(loss != loss, "initnn_softmax_cross_entropy(label 4 of 4 classes) returned %g, want NaN", (double)loss);
    CHECK(initnn_last_error()[0] != '\0', "initnn_softmax_cross_entropy set no message");
    CHECK_SENTINEL(dlogits, sizeof dlogits, "initnn_softmax_cross_entropy(bad label in row 2)");
}

/* ============================================================================
   7. Layers and the network
   ========================================================================= */

static void net_create_leaves_out_untouched_on_a_size_of_0_or_no_memory(void)
{
    initnn_net *out;
    int rc;
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_net_create(&out, 0, 8, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_create(input_dim 0)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_net_create(input_dim 0)");
    initnn_clear_error();
    rc = initnn_net_create(&out, 4, 0, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_create(max_batch 0)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_net_create(max_batch 0)");
    initnn_clear_error();
    fail_after = 0;
    rc = initnn_net_create(&out, 4, 8, 1);
    fail_after = -1;
    CHECK_FAILED(rc, INITNN_ERR_MEMORY, "initnn_net_create(no memory)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_net_create(no memory)");
}

static void net_add_dense_leaves_the_net_unchanged_on_a_bad_spec_size_or_no_memory(void)
{
    static const struct { int units; const char *act, *kernel, *bias; int code; } bad[] = {
        {5, "relu", "he_normal", "random_normal:abc", INITNN_ERR_SPEC},
        {5, "relux", "he_normal", NULL, INITNN_ERR_SPEC},
        {5, "relu", "he_normall", NULL, INITNN_ERR_SPEC},
        {0, "relu", "he_normal", NULL, INITNN_ERR_ARGUMENT},
        {2000000000, "relu", "he_normal", NULL, INITNN_ERR_OVERFLOW},
    };
    size_t i;
    start_net_test();
    if (TESTING_FAILED) return;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        initnn_clear_error();
        rc = initnn_net_add_dense(the_net, bad[i].units, bad[i].act, bad[i].kernel, bad[i].bias);
        CHECK_FAILED(rc, bad[i].code, "initnn_net_add_dense");
        CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_add_dense");
    }
    /* Out of memory at each allocation in turn: growing the arrays, the
       layer's buffers, the orthogonal draw. */
    for (i = 0; i < 40; i++) {
        int rc;
        initnn_clear_error();
        fail_after = (long)i;
        rc = initnn_net_add_dense(the_net, 300, "tanh", "orthogonal", NULL);
        fail_after = -1;
        if (rc == 0) break;   /* enough allocations for this one: done */
        CHECK_FAILED(rc, INITNN_ERR_MEMORY, "initnn_net_add_dense(no memory)");
        CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_add_dense(no memory)");
    }
    CHECK(i > 0 && i < 40, "initnn_net_add_dense never failed or never succeeded (%d)", (int)i);
}

static void net_add_dropout_leaves_the_net_unchanged_on_a_bad_rate(void)
{
    static const float bad[] = {1.0f, -0.1f, 2.0f};
    size_t i;
    start_net_test();
    if (TESTING_FAILED) return;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        initnn_clear_error();
        rc = initnn_net_add_dropout(the_net, bad[i]);
        CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_add_dropout");
        CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_add_dropout");
    }
}

static void net_set_input_shape_leaves_the_net_unchanged_on_a_bad_shape(void)
{
    int rc;
    CHECK(initnn_net_create(&the_net, 12, 4, 1) == 0, "create: %s", initnn_last_error());
    take_snapshot(&the_snapshot, the_net);
    rc = initnn_net_set_input_shape(the_net, 3, 2, 3);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_set_input_shape(3 x 2 x 3 for 12 features)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_set_input_shape");
    initnn_clear_error();
    rc = initnn_net_set_input_shape(the_net, 0, 2, 3);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_set_input_shape(0 channels)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_set_input_shape");
    free_snapshot(&the_snapshot);
    /* Not on a net with layers. */
    start_net_test();
    if (TESTING_FAILED) return;
    rc = initnn_net_set_input_shape(the_net, 1, 2, 2);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_set_input_shape(net with layers)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_set_input_shape");
}

/* A 1 x 6 x 6 image net with one conv layer. */
static void start_conv_net_test(void)
{
    CHECK(initnn_net_create(&the_net, 36, 4, 5) == 0, "create: %s", initnn_last_error());
    CHECK(initnn_net_set_input_shape(the_net, 1, 6, 6) == 0, "shape: %s", initnn_last_error());
    CHECK(initnn_net_add_conv2d(the_net, 2, 3, 3, 1, 1, "relu", "he_normal", NULL) == 0,
          "conv: %s", initnn_last_error());
    take_snapshot(&the_snapshot, the_net);
    initnn_clear_error();
}

static void net_add_conv2d_leaves_the_net_unchanged_on_a_bad_spec_or_size(void)
{
    static const struct { int filters, kh, kw, stride, same; const char *act, *kernel, *bias; int code; } bad[] = {
        {4, 3, 3, 1, 1, "relu", "he_normal", "zeros:1", INITNN_ERR_SPEC},
        {4, 3, 3, 1, 1, "relu", "he_normall", NULL, INITNN_ERR_SPEC},
        {4, 3, 3, 1, 1, "relux", "he_normal", NULL, INITNN_ERR_SPEC},
        {0, 3, 3, 1, 1, "relu", "he_normal", NULL, INITNN_ERR_ARGUMENT},
        {4, 7, 7, 1, 0, "relu", "he_normal", NULL, INITNN_ERR_ARGUMENT},
        {4, 3, 3, 0, 1, "relu", "he_normal", NULL, INITNN_ERR_ARGUMENT},
        {2000000000, 3, 3, 1, 1, "relu", "he_normal", NULL, INITNN_ERR_OVERFLOW},
    };
    size_t i;
    start_conv_net_test();
    if (TESTING_FAILED) return;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        initnn_clear_error();
        rc = initnn_net_add_conv2d(the_net, bad[i].filters, bad[i].kh, bad[i].kw, bad[i].stride, bad[i].same,
                                   bad[i].act, bad[i].kernel, bad[i].bias);
        CHECK_FAILED(rc, bad[i].code, "initnn_net_add_conv2d");
        CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_add_conv2d");
    }
}

static void net_add_pool2d_leaves_the_net_unchanged_on_a_bad_window(void)
{
    int rc;
    start_conv_net_test();
    if (TESTING_FAILED) return;
    rc = initnn_net_add_pool2d(the_net, 1, 0, 0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_add_pool2d(size 0)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_add_pool2d(size 0)");
    initnn_clear_error();
    rc = initnn_net_add_pool2d(the_net, 0, 7, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_add_pool2d(7 x 7 on 6 x 6)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_add_pool2d(7 x 7 on 6 x 6)");
}

static void net_add_flatten_leaves_the_net_unchanged_when_it_is_full(void)
{
    int i, rc;
    CHECK(initnn_net_create(&the_net, 4, 2, 1) == 0, "create: %s", initnn_last_error());
    for (i = 0; i < INITNN_MAX_LAYERS; i++)
        CHECK(initnn_net_add_flatten(the_net) == 0, "flatten %d: %s", i, initnn_last_error());
    take_snapshot(&the_snapshot, the_net);
    initnn_clear_error();
    rc = initnn_net_add_flatten(the_net);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_add_flatten(a full net)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_add_flatten(a full net)");
}

static void net_from_arch_sets_out_to_null_on_a_bad_arch(void)
{
    static const char *const bad[] = {"dense:8,relu,dens:3", "dense:0", "dense:8,relux", "conv:4:9,relu", ""};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        initnn_net *out;
        int rc;
        testing_fill_sentinel(&out, sizeof out);
        initnn_clear_error();
        rc = initnn_net_from_arch(&out, bad[i], 1, 6, 6, "he_normal", NULL, 4, 1);
        CHECK(rc < 0, "initnn_net_from_arch('%s') returned %d", bad[i], rc);
        CHECK(rc == INITNN_ERR_SPEC || rc == INITNN_ERR_ARGUMENT, "initnn_net_from_arch('%s') returned %d",
              bad[i], rc);
        CHECK(initnn_last_error()[0] != '\0', "no message for '%s'", bad[i]);
        CHECK(out == NULL, "initnn_net_from_arch('%s'): *out is not NULL", bad[i]);
    }
    {
        initnn_net *out;
        int rc;
        testing_fill_sentinel(&out, sizeof out);
        initnn_clear_error();
        rc = initnn_net_from_arch(&out, "dense:8,relu,dense:3,softmax", 1, 1, 4, "he_normall", NULL, 4, 1);
        CHECK_FAILED(rc, INITNN_ERR_SPEC, "initnn_net_from_arch(bad kernel spec)");
        CHECK(out == NULL, "initnn_net_from_arch(bad kernel spec): *out is not NULL");
    }
}

static void net_set_loss_leaves_the_net_unchanged_on_an_unknown_loss(void)
{
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    rc = initnn_net_set_loss(the_net, 7);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_set_loss(7)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_set_loss(7)");
}

static void net_set_optimizer_leaves_the_net_unchanged_on_a_bad_optimizer(void)
{
    initnn_optimizer bad[4];
    size_t i;
    bad[0] = initnn_adam(-1.0f);
    bad[1] = initnn_adam(0.01f);
    bad[1].beta2 = 1.0f;
    bad[2] = initnn_sgd(0.1f, 0.9f, 0);
    bad[2].type = 7;
    bad[3] = initnn_rmsprop(0.01f);
    bad[3].weight_decay = -1.0f;
    start_net_test();
    if (TESTING_FAILED) return;
    for (i = 0; i < 4; i++) {
        int rc;
        initnn_clear_error();
        rc = initnn_net_set_optimizer(the_net, &bad[i]);
        CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_set_optimizer");
        CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_set_optimizer");
    }
}

static void net_reinit_leaves_the_net_unchanged_when_out_of_memory(void)
{
    int rc;
    CHECK(initnn_net_create(&the_net, 4, 8, 7) == 0, "create: %s", initnn_last_error());
    CHECK(initnn_net_add_dense(the_net, 8, "relu", "orthogonal", NULL) == 0, "dense: %s", initnn_last_error());
    CHECK(initnn_net_add_dense(the_net, 3, "softmax", "orthogonal", NULL) == 0, "dense: %s", initnn_last_error());
    {
        int i;
        initnn_rng rng;
        seeded_rng(&rng, 3);
        for (i = 0; i < 8 * 4; i++) net_X[i] = initnn_rng_normal(&rng);
        for (i = 0; i < 8; i++) net_labels[i] = i % 3;
    }
    CHECK(initnn_net_train_batch(the_net, net_X, net_labels, NULL, 8, NULL, NULL) == 0, "train: %s",
          initnn_last_error());
    take_snapshot(&the_snapshot, the_net);
    /* The second layer's orthogonal draw fails, after the first was drawn. */
    initnn_clear_error();
    fail_after = 1;
    rc = initnn_net_reinit(the_net, 99);
    fail_after = -1;
    CHECK_FAILED(rc, INITNN_ERR_MEMORY, "initnn_net_reinit(no memory)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_reinit(no memory)");
}

static void net_backward_leaves_the_net_and_loss_untouched_on_a_bad_label(void)
{
    int labels[8];
    float loss;
    const float *y;
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    memcpy(labels, net_labels, sizeof labels);
    labels[7] = 3;   /* 3 classes: out of range, in the last row */
    y = initnn_net_forward(the_net, net_X, 8, 1);
    CHECK(y != NULL, "forward: %s", initnn_last_error());
    take_snapshot(&the_snapshot, the_net);   /* the forward's own changes are not the backward's */
    testing_fill_sentinel(&loss, sizeof loss);
    initnn_clear_error();
    rc = initnn_net_backward(the_net, labels, NULL, &loss);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_backward(label 3 of 3 classes)");
    CHECK_SENTINEL(&loss, sizeof loss, "initnn_net_backward's loss");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_backward(bad label)");
}

/* ============================================================================
   8. Optimizers
   ========================================================================= */

/* CONVENTIONS' exception: a step that makes a weight non-finite is undone
   -- the weights and the step count -- while the optimizer's moments keep
   the failed update. */
static void net_step_restores_the_weights_and_step_count_when_a_weight_becomes_nonfinite(void)
{
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    free_snapshot(&the_snapshot);
    the_net->grads[3] = (float)HUGE_VAL - (float)HUGE_VAL;   /* NaN */
    take_snapshot(&the_snapshot, the_net);
    rc = initnn_net_step(the_net);
    CHECK_FAILED(rc, INITNN_ERR_NONFINITE, "initnn_net_step(a NaN gradient)");
    CHECK(floats_same(the_net->params, the_snapshot.params, the_snapshot.n), "the weights were not restored");
    CHECK(the_net->opt.step == the_snapshot.net.opt.step, "the optimizer's step count is %lld, was %lld",
          (long long)the_net->opt.step, (long long)the_snapshot.net.opt.step);
    CHECK(the_net->steps_taken == the_snapshot.net.steps_taken, "steps_taken changed");
    CHECK(the_net->layer_count == the_snapshot.net.layer_count, "the layer count changed");
    CHECK_SAME(&the_net->rng, &the_snapshot.net.rng, sizeof the_net->rng, "the net's generator");
    CHECK(memcmp(the_net->layers, the_snapshot.net.layers, sizeof the_net->layers) == 0, "a layer struct changed");
}

/* ============================================================================
   9. Diagnostics
   ========================================================================= */

static void net_diagnose_leaves_out_and_the_net_untouched_on_a_bad_batch_or_label(void)
{
    initnn_layer_diag out[2];
    double norm;
    int labels[8];
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    testing_fill_sentinel(out, sizeof out);
    testing_fill_sentinel(&norm, sizeof norm);
    rc = initnn_net_diagnose(the_net, out, &norm, net_X, net_labels, NULL, 9);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_diagnose(batch 9 > max_batch 8)");
    CHECK_SENTINEL(out, sizeof out, "initnn_net_diagnose(batch 9)");
    CHECK_SENTINEL(&norm, sizeof norm, "initnn_net_diagnose(batch 9)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_diagnose(batch 9)");
    memcpy(labels, net_labels, sizeof labels);
    labels[5] = -1;
    initnn_clear_error();
    rc = initnn_net_diagnose(the_net, out, &norm, net_X, labels, NULL, 8);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_diagnose(label -1)");
    CHECK_SENTINEL(out, sizeof out, "initnn_net_diagnose(label -1)");
    CHECK_SENTINEL(&norm, sizeof norm, "initnn_net_diagnose(label -1)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_diagnose(label -1)");
}

/* ============================================================================
   10. Signal-propagation theory
   ========================================================================= */

static void quadrature_init_leaves_the_rule_untouched_on_a_bad_order(void)
{
    static initnn_quadrature rule;
    int rc;
    testing_fill_sentinel(&rule, sizeof rule);
    rc = initnn_quadrature_init(&rule, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_quadrature_init(order 1)");
    CHECK_SENTINEL(&rule, sizeof rule, "initnn_quadrature_init(order 1)");
    initnn_clear_error();
    rc = initnn_quadrature_init(&rule, INITNN_QUADRATURE_MAX + 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_quadrature_init(order 129)");
    CHECK_SENTINEL(&rule, sizeof rule, "initnn_quadrature_init(order 129)");
}

static void activation_moments_writes_no_output_on_softmax_or_a_negative_q(void)
{
    initnn_moments out;
    int rc;
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_activation_moments(&out, INITNN_ACT_SOFTMAX, 0.0f, 1.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_activation_moments(softmax)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_activation_moments(softmax)");
    initnn_clear_error();
    rc = initnn_activation_moments(&out, INITNN_ACT_TANH, 0.0f, -1.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_activation_moments(q = -1)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_activation_moments(q = -1)");
}

static void activation_moments_numeric_writes_no_output_on_softmax_or_a_negative_q(void)
{
    initnn_moments out;
    int rc;
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_activation_moments_numeric(&out, INITNN_ACT_SOFTMAX, 0.0f, 1.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_activation_moments_numeric(softmax)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_activation_moments_numeric(softmax)");
    initnn_clear_error();
    rc = initnn_activation_moments_numeric(&out, INITNN_ACT_RELU, 0.0f, -1.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_activation_moments_numeric(q = -1)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_activation_moments_numeric(q = -1)");
}

static void activation_moments_gauss_hermite_writes_no_output_on_a_bad_rule_or_q(void)
{
    static initnn_quadrature rule;
    initnn_moments out;
    int rc;
    CHECK(initnn_quadrature_init(&rule, 16) == 0, "rule: %s", initnn_last_error());
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_activation_moments_gauss_hermite(&out, INITNN_ACT_TANH, 0.0f, -1.0, &rule);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_activation_moments_gauss_hermite(q = -1)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_activation_moments_gauss_hermite(q = -1)");
    initnn_clear_error();
    rule.order = 0;
    rc = initnn_activation_moments_gauss_hermite(&out, INITNN_ACT_TANH, 0.0f, 1.0, &rule);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_activation_moments_gauss_hermite(order 0)");
    CHECK_SENTINEL(&out, sizeof out, "initnn_activation_moments_gauss_hermite(order 0)");
}

static void init_spec_moments_writes_no_output_on_a_bad_spec_or_size(void)
{
    initnn_init_spec spec;
    double mean, variance;
    int rc;
    CHECK(initnn_init_parse(&spec, "he_normal") == 0, "parse: %s", initnn_last_error());
    testing_fill_sentinel(&mean, sizeof mean);
    testing_fill_sentinel(&variance, sizeof variance);
    rc = initnn_init_spec_moments(&mean, &variance, &spec, 4, 4, 0, 4);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_init_spec_moments(fan_in 0)");
    CHECK_SENTINEL(&mean, sizeof mean, "initnn_init_spec_moments(fan_in 0)");
    CHECK_SENTINEL(&variance, sizeof variance, "initnn_init_spec_moments(fan_in 0)");
    spec.kind = 99;
    initnn_clear_error();
    rc = initnn_init_spec_moments(&mean, &variance, &spec, 4, 4, 4, 4);
    CHECK_FAILED(rc, INITNN_ERR_SPEC, "initnn_init_spec_moments(kind 99)");
    CHECK_SENTINEL(&mean, sizeof mean, "initnn_init_spec_moments(kind 99)");
    CHECK_SENTINEL(&variance, sizeof variance, "initnn_init_spec_moments(kind 99)");
}

static void theory_predict_writes_no_table_row_on_a_pooling_layer(void)
{
    initnn_layer_theory table[3];
    int rc;
    start_conv_net_test();
    if (TESTING_FAILED) return;
    CHECK(initnn_net_add_pool2d(the_net, 1, 2, 2) == 0, "pool: %s", initnn_last_error());
    testing_fill_sentinel(table, sizeof table);
    initnn_clear_error();
    rc = initnn_theory_predict(table, the_net, 1.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_predict(a pooling layer)");
    CHECK_SENTINEL(table, sizeof table, "initnn_theory_predict(a pooling layer)");
    initnn_net_free(the_net);
    the_net = NULL;
    free_snapshot(&the_snapshot);
    start_net_test();
    if (TESTING_FAILED) return;
    rc = initnn_theory_predict(table, the_net, -1.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_predict(input second moment -1)");
    CHECK_SENTINEL(table, sizeof table, "initnn_theory_predict(input second moment -1)");
}

static void theory_compare_leaves_the_table_and_the_net_untouched_on_a_bad_label(void)
{
    initnn_layer_theory table[2];
    int labels[8];
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    memcpy(labels, net_labels, sizeof labels);
    labels[6] = 3;
    testing_fill_sentinel(table, sizeof table);
    rc = initnn_theory_compare(the_net, table, net_X, labels, NULL, 8);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_compare(label 3 of 3 classes)");
    CHECK_SENTINEL(table, sizeof table, "initnn_theory_compare(bad label)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_theory_compare(bad label)");
    initnn_clear_error();
    rc = initnn_theory_compare(the_net, table, net_X, net_labels, NULL, 0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_compare(batch 0)");
    CHECK_SENTINEL(table, sizeof table, "initnn_theory_compare(batch 0)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_theory_compare(batch 0)");
}

static void theory_correlation_map_writes_no_output_on_a_correlation_above_1(void)
{
    double c_next;
    int rc;
    testing_fill_sentinel(&c_next, sizeof c_next);
    rc = initnn_theory_correlation_map(&c_next, INITNN_ACT_TANH, 0.0f, 1.5, 0.05, 1.0, 1.5);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_correlation_map(c = 1.5)");
    CHECK_SENTINEL(&c_next, sizeof c_next, "initnn_theory_correlation_map(c = 1.5)");
    initnn_clear_error();
    rc = initnn_theory_correlation_map(&c_next, INITNN_ACT_TANH, 0.0f, 1.5, 0.05, -1.0, 0.5);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_correlation_map(q = -1)");
    CHECK_SENTINEL(&c_next, sizeof c_next, "initnn_theory_correlation_map(q = -1)");
}

static void theory_fixed_point_writes_no_output_on_bad_sigma(void)
{
    double out[5];
    int rc;
    testing_fill_sentinel(out, sizeof out);
    rc = initnn_theory_fixed_point(&out[0], &out[1], &out[2], &out[3], &out[4], INITNN_ACT_TANH, 0.0f, -1.0, 0.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_fixed_point(sigma_w2 = -1)");
    CHECK_SENTINEL(out, sizeof out, "initnn_theory_fixed_point(sigma_w2 = -1)");
    initnn_clear_error();
    rc = initnn_theory_fixed_point(&out[0], &out[1], &out[2], &out[3], &out[4], INITNN_ACT_TANH, 0.0f, 1.0, -0.5);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_fixed_point(sigma_b2 = -0.5)");
    CHECK_SENTINEL(out, sizeof out, "initnn_theory_fixed_point(sigma_b2 = -0.5)");
    initnn_clear_error();
    rc = initnn_theory_fixed_point(&out[0], &out[1], &out[2], &out[3], &out[4], INITNN_ACT_SOFTMAX, 0.0f, 1.0,
                                   0.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_fixed_point(softmax)");
    CHECK_SENTINEL(out, sizeof out, "initnn_theory_fixed_point(softmax)");
}

static void theory_critical_sigma_w2_writes_no_output_on_softmax_or_a_negative_sigma_b2(void)
{
    double sigma_w2;
    int rc;
    testing_fill_sentinel(&sigma_w2, sizeof sigma_w2);
    rc = initnn_theory_critical_sigma_w2(&sigma_w2, INITNN_ACT_SOFTMAX, 0.0f, 0.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_critical_sigma_w2(softmax)");
    CHECK_SENTINEL(&sigma_w2, sizeof sigma_w2, "initnn_theory_critical_sigma_w2(softmax)");
    initnn_clear_error();
    rc = initnn_theory_critical_sigma_w2(&sigma_w2, INITNN_ACT_TANH, 0.0f, -1.0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_theory_critical_sigma_w2(sigma_b2 = -1)");
    CHECK_SENTINEL(&sigma_w2, sizeof sigma_w2, "initnn_theory_critical_sigma_w2(sigma_b2 = -1)");
}

static void singular_values_writes_no_value_on_a_bad_size_or_no_memory(void)
{
    double values[4];
    float A[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    int rc;
    testing_fill_sentinel(values, sizeof values);
    rc = initnn_singular_values(values, A, 0, 4);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_singular_values(rows 0)");
    CHECK_SENTINEL(values, sizeof values, "initnn_singular_values(rows 0)");
    initnn_clear_error();
    rc = initnn_singular_values(values, A, 65536, 65536);
    CHECK_FAILED(rc, INITNN_ERR_OVERFLOW, "initnn_singular_values(65536 x 65536)");
    CHECK_SENTINEL(values, sizeof values, "initnn_singular_values(overflow)");
    initnn_clear_error();
    fail_after = 0;
    rc = initnn_singular_values(values, A, 4, 4);
    fail_after = -1;
    CHECK_FAILED(rc, INITNN_ERR_MEMORY, "initnn_singular_values(no memory)");
    CHECK_SENTINEL(values, sizeof values, "initnn_singular_values(no memory)");
}

static void net_jacobian_leaves_j_and_the_net_untouched_on_a_softmax_output(void)
{
    float J[4 * 3];
    int rc;
    start_net_test();   /* its last layer is softmax */
    if (TESTING_FAILED) return;
    testing_fill_sentinel(J, sizeof J);
    rc = initnn_net_jacobian(the_net, J, net_X);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_jacobian(softmax output)");
    CHECK_SENTINEL(J, sizeof J, "initnn_net_jacobian(softmax output)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_jacobian(softmax output)");
}

/* ============================================================================
   11. Training loop
   ========================================================================= */

static float nan_input[8 * 4];
static void net_train_batch_leaves_the_net_and_outputs_untouched_on_a_bad_label_or_batch(void)
{
    int labels[8];
    float loss;
    double norm;
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    memcpy(labels, net_labels, sizeof labels);
    labels[7] = 3;
    testing_fill_sentinel(&loss, sizeof loss);
    testing_fill_sentinel(&norm, sizeof norm);
    rc = initnn_net_train_batch(the_net, net_X, labels, NULL, 8, &loss, &norm);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_train_batch(label 3 of 3 classes)");
    CHECK_SENTINEL(&loss, sizeof loss, "initnn_net_train_batch(bad label)");
    CHECK_SENTINEL(&norm, sizeof norm, "initnn_net_train_batch(bad label)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_train_batch(bad label)");
    initnn_clear_error();
    rc = initnn_net_train_batch(the_net, net_X, net_labels, NULL, 0, &loss, &norm);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_train_batch(batch 0)");
    CHECK_SENTINEL(&loss, sizeof loss, "initnn_net_train_batch(batch 0)");
    CHECK_SENTINEL(&norm, sizeof norm, "initnn_net_train_batch(batch 0)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_train_batch(batch 0)");
    memcpy(nan_input, net_X, sizeof nan_input);
    nan_input[13] = (float)HUGE_VAL;
    initnn_clear_error();
    rc = initnn_net_train_batch(the_net, nan_input, net_labels, NULL, 8, &loss, &norm);
    CHECK_FAILED(rc, INITNN_ERR_NONFINITE, "initnn_net_train_batch(an Inf input)");
    CHECK_SENTINEL(&loss, sizeof loss, "initnn_net_train_batch(batch 0)");
    CHECK_SENTINEL(&norm, sizeof norm, "initnn_net_train_batch(batch 0)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_train_batch(batch 0)");
}

/* A view of the net's 8 samples; labels as given. */
static initnn_data net_data(const int *labels)
{
    initnn_data d;
    memset(&d, 0, sizeof d);
    d.count = 8;
    d.features = 4;
    d.x = net_X;
    d.labels = labels;
    d.classes = 3;
    return d;
}

static void net_evaluate_leaves_outputs_and_the_net_untouched_on_a_bad_label_or_width(void)
{
    int labels[8];
    initnn_data data, before;
    double loss, metric;
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    memcpy(labels, net_labels, sizeof labels);
    labels[7] = 5;
    data = net_data(labels);
    data.classes = 6;
    before = data;
    testing_fill_sentinel(&loss, sizeof loss);
    testing_fill_sentinel(&metric, sizeof metric);
    rc = initnn_net_evaluate(the_net, &loss, &metric, &data);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_evaluate(label 5 of 3 outputs)");
    CHECK_SENTINEL(&loss, sizeof loss, "initnn_net_evaluate(bad label)");
    CHECK_SENTINEL(&metric, sizeof metric, "initnn_net_evaluate(bad label)");
    CHECK_SAME(&data, &before, sizeof data, "the data struct");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_evaluate(bad label)");
    data = net_data(net_labels);
    data.features = 5;
    before = data;
    initnn_clear_error();
    rc = initnn_net_evaluate(the_net, &loss, &metric, &data);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_evaluate(5 features for 4 inputs)");
    CHECK_SENTINEL(&loss, sizeof loss, "initnn_net_evaluate(bad width)");
    CHECK_SENTINEL(&metric, sizeof metric, "initnn_net_evaluate(bad width)");
    CHECK_SAME(&data, &before, sizeof data, "the data struct");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_evaluate(bad width)");
}

static int callback_calls;
static void count_epochs(const initnn_epoch_record *record, void *user)
{
    (void)record;
    (void)user;
    callback_calls++;
}

static void net_train_leaves_the_net_unchanged_on_a_bad_config_or_label(void)
{
    int labels[8];
    initnn_data data, before;
    initnn_train_config cfg;
    int epochs_run;
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    data = net_data(net_labels);
    before = data;
    cfg = initnn_train_defaults();
    cfg.epochs = 2;
    cfg.batch_size = 4;
    cfg.on_epoch = count_epochs;
    callback_calls = 0;
    cfg.validation_split = 1.5f;
    testing_fill_sentinel(&epochs_run, sizeof epochs_run);
    rc = initnn_net_train(the_net, &data, NULL, &cfg, &epochs_run);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_train(validation_split 1.5)");
    CHECK_SENTINEL(&epochs_run, sizeof epochs_run, "initnn_net_train(validation_split 1.5)");
    CHECK_SAME(&data, &before, sizeof data, "the data struct");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_train(validation_split 1.5)");
    /* A label out of range in the last batch: found before any step. */
    memcpy(labels, net_labels, sizeof labels);
    labels[7] = 3;
    data = net_data(labels);
    before = data;
    cfg.validation_split = 0.0f;
    cfg.shuffle = 0;
    initnn_clear_error();
    rc = initnn_net_train(the_net, &data, NULL, &cfg, &epochs_run);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_net_train(label 3 of 3 classes)");
    CHECK_SENTINEL(&epochs_run, sizeof epochs_run, "initnn_net_train(bad label)");
    CHECK_SAME(&data, &before, sizeof data, "the data struct");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_train(bad label)");
    CHECK(callback_calls == 0, "the epoch callback ran %d times", callback_calls);
}

/* CONVENTIONS' exception: a NaN that appears mid-run stops training with the
   weights of the last finite step; epochs_run says how many epochs finished. */
static float nan_X[8 * 4];
static void net_train_keeps_the_last_finite_step_when_a_nan_appears_mid_run(void)
{
    initnn_data data;
    initnn_train_config cfg;
    int epochs_run = -5;
    static snapshot after_first;   /* zeroed: take_snapshot frees what it held */
    const char *diff;
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    memcpy(nan_X, net_X, sizeof nan_X);
    nan_X[4 * 4 + 1] = (float)HUGE_VAL - (float)HUGE_VAL;   /* sample 4: the second batch of 4 */
    data = net_data(net_labels);
    data.x = nan_X;
    cfg = initnn_train_defaults();
    cfg.epochs = 3;
    cfg.batch_size = 4;
    cfg.shuffle = 0;
    rc = initnn_net_train(the_net, &data, NULL, &cfg, &epochs_run);
    CHECK_FAILED(rc, INITNN_ERR_NONFINITE, "initnn_net_train(a NaN in the second batch)");
    CHECK(epochs_run == 0, "epochs_run = %d, want 0 (none completed)", epochs_run);
    /* The weights are those after the first batch's step, as a separate
       train_batch on it gives. */
    the_other_net = make_trained_net();
    CHECK(the_other_net != NULL, "second net: %s", initnn_last_error());
    CHECK(initnn_net_train_batch(the_other_net, net_X, net_labels, NULL, 4, NULL, NULL) == 0, "step: %s",
          initnn_last_error());
    take_snapshot(&after_first, the_other_net);
    CHECK(floats_same(the_net->params, after_first.params, after_first.n),
          "the weights are not those of the last finite step");
    diff = floats_same(the_net->opt_m, after_first.m, after_first.n) ? NULL : "moments";
    free_snapshot(&after_first);
    CHECK(diff == NULL, "the optimizer's moments are not those of the last finite step");
}

static void lsuv_leaves_the_net_and_iterations_untouched_on_a_bad_batch(void)
{
    int iterations[2];
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    testing_fill_sentinel(iterations, sizeof iterations);
    rc = initnn_lsuv(the_net, net_X, 9, 0.1f, 10, iterations);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_lsuv(batch 9 > max_batch 8)");
    CHECK_SENTINEL(iterations, sizeof iterations, "initnn_lsuv(batch 9)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_lsuv(batch 9)");
    initnn_clear_error();
    rc = initnn_lsuv(the_net, NULL, 8, 0.1f, 10, iterations);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_lsuv(X NULL)");
    CHECK_SENTINEL(iterations, sizeof iterations, "initnn_lsuv(X NULL)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_lsuv(X NULL)");
}

static void lsuv_leaves_the_net_unchanged_when_a_later_layer_cannot_be_scaled(void)
{
    int iterations[3];
    int i, rc;
    /* The second dense layer's inputs are all 0 (a ReLU after a layer with
       zero weights and a negative bias): its variance is 0 and cannot be
       scaled to 1, after the first layer was rescaled. */
    CHECK(initnn_net_create(&the_net, 4, 8, 7) == 0, "create: %s", initnn_last_error());
    CHECK(initnn_net_add_dense(the_net, 8, "relu", "lsuv", "constant:-100") == 0, "dense: %s",
          initnn_last_error());
    CHECK(initnn_net_add_dense(the_net, 8, "relu", "zeros", "zeros") == 0, "dense: %s", initnn_last_error());
    CHECK(initnn_net_add_dense(the_net, 3, "softmax", "lsuv", NULL) == 0, "dense: %s", initnn_last_error());
    for (i = 0; i < 8 * 4; i++) net_X[i] = (float)(i % 5) - 2.0f;
    take_snapshot(&the_snapshot, the_net);
    testing_fill_sentinel(iterations, sizeof iterations);
    initnn_clear_error();
    rc = initnn_lsuv(the_net, net_X, 8, 0.1f, 10, iterations);
    CHECK_FAILED(rc, INITNN_ERR_NONFINITE, "initnn_lsuv(a layer of variance 0)");
    CHECK_SENTINEL(iterations, sizeof iterations, "initnn_lsuv(a layer of variance 0)");
    {
        const char *diff = net_difference_but_the_last_forward(the_net, &the_snapshot);
        CHECK(diff == NULL, "initnn_lsuv(a layer of variance 0) changed %s", diff ? diff : "");
    }
}

/* ============================================================================
   12. Data
   ========================================================================= */

static void make_moons_leaves_out_empty_on_a_count_of_0(void)
{
    initnn_data out;
    int rc;
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_make_moons(&out, 0, 0.1f, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_make_moons(count 0)");
    CHECK_EMPTY(&out, sizeof out, "initnn_make_moons(count 0)");
    initnn_clear_error();
    rc = initnn_make_moons(&out, 100, -1.0f, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_make_moons(noise -1)");
    CHECK_EMPTY(&out, sizeof out, "initnn_make_moons(noise -1)");
}

static void make_circles_leaves_out_empty_on_a_bad_factor(void)
{
    initnn_data out;
    int rc;
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_make_circles(&out, 100, 0.1f, 1.5f, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_make_circles(factor 1.5)");
    CHECK_EMPTY(&out, sizeof out, "initnn_make_circles(factor 1.5)");
}

static void make_spirals_leaves_out_empty_on_0_classes(void)
{
    initnn_data out;
    int rc;
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_make_spirals(&out, 100, 0, 0.1f, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_make_spirals(classes 0)");
    CHECK_EMPTY(&out, sizeof out, "initnn_make_spirals(classes 0)");
}

static void make_regression_leaves_out_empty_on_an_overflowing_size(void)
{
    initnn_data out;
    int rc;
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_make_regression(&out, 1000000, 4096, 0.1f, 1);
    CHECK_FAILED(rc, INITNN_ERR_OVERFLOW, "initnn_make_regression(1000000 x 4096)");
    CHECK_EMPTY(&out, sizeof out, "initnn_make_regression(overflow)");
    initnn_clear_error();
    rc = initnn_make_regression(&out, 100, 0, 0.1f, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_make_regression(features 0)");
    CHECK_EMPTY(&out, sizeof out, "initnn_make_regression(features 0)");
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void load_idx_leaves_out_empty_on_a_missing_or_truncated_file(void)
{
    unsigned char images[16 + 2 * 4 * 4], labels[8 + 2];
    initnn_data out;
    int rc;
    memset(images, 7, sizeof images);
    put_be32(images, 0x00000803);
    put_be32(images + 4, 2);
    put_be32(images + 8, 4);
    put_be32(images + 12, 4);
    put_be32(labels, 0x00000801);
    put_be32(labels + 4, 2);
    labels[8] = 1;
    labels[9] = 2;
    CHECK(write_file(testing_scratch("images"), images, sizeof images - 5) == 0, "cannot write");
    CHECK(write_file(testing_scratch("labels"), labels, sizeof labels) == 0, "cannot write");
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_load_idx(&out, testing_scratch("images"), testing_scratch("labels"));
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_load_idx(truncated images)");
    CHECK_EMPTY(&out, sizeof out, "initnn_load_idx(truncated images)");
    CHECK(write_file(testing_scratch("images"), images, sizeof images) == 0, "cannot write");
    initnn_clear_error();
    rc = initnn_load_idx(&out, testing_scratch("images"), testing_scratch("labels-missing"));
    CHECK_FAILED(rc, INITNN_ERR_IO, "initnn_load_idx(missing labels)");
    CHECK_EMPTY(&out, sizeof out, "initnn_load_idx(missing labels)");
    labels[9] = 200;   /* a label beyond what IDX allows */
    CHECK(write_file(testing_scratch("labels"), labels, sizeof labels - 1) == 0, "cannot write");
    initnn_clear_error();
    rc = initnn_load_idx(&out, testing_scratch("images"), testing_scratch("labels"));
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_load_idx(truncated labels)");
    CHECK_EMPTY(&out, sizeof out, "initnn_load_idx(truncated labels)");
}

static void load_csv_leaves_out_empty_on_a_ragged_row_or_a_missing_file(void)
{
    static const char ragged[] = "a,b,y\n1,2,0\n3,4,1\n5,6\n";
    static const char text[] = "a,b,y\n1,2,0\n3,x,1\n";
    initnn_data out;
    int rc;
    CHECK(write_file(testing_scratch("ragged.csv"), ragged, sizeof ragged - 1) == 0, "cannot write");
    CHECK(write_file(testing_scratch("text.csv"), text, sizeof text - 1) == 0, "cannot write");
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_load_csv(&out, testing_scratch("ragged.csv"), "y", 1, 1);
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_load_csv(a ragged row)");
    CHECK_EMPTY(&out, sizeof out, "initnn_load_csv(a ragged row)");
    initnn_clear_error();
    rc = initnn_load_csv(&out, testing_scratch("text.csv"), "y", 1, 1);
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_load_csv(a non-numeric cell)");
    CHECK_EMPTY(&out, sizeof out, "initnn_load_csv(a non-numeric cell)");
    initnn_clear_error();
    rc = initnn_load_csv(&out, testing_scratch("missing.csv"), "y", 1, 1);
    CHECK_FAILED(rc, INITNN_ERR_IO, "initnn_load_csv(a missing file)");
    CHECK_EMPTY(&out, sizeof out, "initnn_load_csv(a missing file)");
}

static void load_cifar_leaves_out_empty_on_a_partial_record(void)
{
    static unsigned char record[3073 + 100];
    const char *paths[2];
    initnn_data out;
    int rc;
    memset(record, 3, sizeof record);
    record[0] = 1;
    CHECK(write_file(testing_scratch("good.bin"), record, 3073) == 0, "cannot write");
    CHECK(write_file(testing_scratch("partial.bin"), record, sizeof record) == 0, "cannot write");
    paths[0] = testing_scratch("good.bin");
    paths[1] = testing_scratch("partial.bin");
    testing_fill_sentinel(&out, sizeof out);
    rc = initnn_load_cifar(&out, paths, 2, 0);
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_load_cifar(a partial record in the second file)");
    CHECK_EMPTY(&out, sizeof out, "initnn_load_cifar(a partial record)");
    paths[1] = testing_scratch("missing.bin");
    initnn_clear_error();
    rc = initnn_load_cifar(&out, paths, 2, 0);
    CHECK_FAILED(rc, INITNN_ERR_IO, "initnn_load_cifar(a missing second file)");
    CHECK_EMPTY(&out, sizeof out, "initnn_load_cifar(a missing file)");
}

static void data_split_leaves_both_views_untouched_on_a_bad_fraction(void)
{
    static const float bad[] = {0.0f, 1.0f, 0.01f, -0.5f};
    initnn_data data = net_data(net_labels), before = data;
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        initnn_data first, second;
        int rc;
        testing_fill_sentinel(&first, sizeof first);
        testing_fill_sentinel(&second, sizeof second);
        initnn_clear_error();
        rc = initnn_data_split(&first, &second, &data, bad[i]);
        CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_data_split");
        CHECK_SENTINEL(&first, sizeof first, "initnn_data_split's first");
        CHECK_SENTINEL(&second, sizeof second, "initnn_data_split's second");
        CHECK_SAME(&data, &before, sizeof data, "the data struct");
    }
}

static void standardize_fit_writes_no_mean_or_std_on_data_without_features(void)
{
    float mean[4], std[4];
    initnn_data data = net_data(net_labels), before;
    int rc;
    data.x = NULL;
    data.x_u8 = NULL;
    before = data;
    testing_fill_sentinel(mean, sizeof mean);
    testing_fill_sentinel(std, sizeof std);
    rc = initnn_standardize_fit(mean, std, &data);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_standardize_fit(no features)");
    CHECK_SENTINEL(mean, sizeof mean, "initnn_standardize_fit's mean");
    CHECK_SENTINEL(std, sizeof std, "initnn_standardize_fit's std");
    CHECK_SAME(&data, &before, sizeof data, "the data struct");
    data = net_data(net_labels);
    data.count = 0;
    initnn_clear_error();
    rc = initnn_standardize_fit(mean, std, &data);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_standardize_fit(count 0)");
    CHECK_SENTINEL(mean, sizeof mean, "initnn_standardize_fit's mean");
    CHECK_SENTINEL(std, sizeof std, "initnn_standardize_fit's std");
}

/* ============================================================================
   13. Checkpoints and .npy
   ========================================================================= */

static void net_save_leaves_an_existing_file_untouched_on_nonfinite_weights(void)
{
    const char *path = testing_scratch("net.ckpt");
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    CHECK(put_existing_file(path) == 0, "cannot write %s", path);
    the_net->params[5] = (float)HUGE_VAL;
    free_snapshot(&the_snapshot);
    take_snapshot(&the_snapshot, the_net);
    rc = initnn_net_save(the_net, path);
    CHECK_FAILED(rc, INITNN_ERR_NONFINITE, "initnn_net_save(an Inf weight)");
    CHECK_FILE_INTACT(path, "initnn_net_save(an Inf weight)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_save");
    the_net->params[5] = the_snapshot.params[5] = 0.5f;
    initnn_clear_error();
    rc = initnn_net_save(the_net, testing_scratch("no-such-folder/net.ckpt"));
    CHECK_FAILED(rc, INITNN_ERR_IO, "initnn_net_save(into a missing folder)");
}

/* Saves the_net to path and reads the file into *bytes (caller frees). */
static long saved_checkpoint(const char *path, unsigned char **bytes)
{
    FILE *f;
    long n;
    *bytes = NULL;
    if (initnn_net_save(the_net, path) != 0 || !(f = fopen(path, "rb"))) return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *bytes = (unsigned char *)malloc((size_t)n);
    if (!*bytes || fread(*bytes, 1, (size_t)n, f) != (size_t)n) n = -1;
    fclose(f);
    return n;
}

static void net_load_sets_out_to_null_on_a_truncated_or_corrupt_file(void)
{
    unsigned char *bytes;
    long n;
    initnn_net *out;
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    n = saved_checkpoint(testing_scratch("net.ckpt"), &bytes);
    CHECK(n > 100, "save: %s", initnn_last_error());
    CHECK(write_file(testing_scratch("truncated.ckpt"), bytes, (size_t)n - 9) == 0, "cannot write");
    bytes[n / 2] ^= 0x40;   /* a weight: only the checksum at the end can tell */
    CHECK(write_file(testing_scratch("corrupt.ckpt"), bytes, (size_t)n) == 0, "cannot write");
    free(bytes);
    testing_fill_sentinel(&out, sizeof out);   /* NULL is what a failure leaves (CONVENTIONS) */
    initnn_clear_error();
    rc = initnn_net_load(&out, testing_scratch("truncated.ckpt"), 8);
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_net_load(truncated)");
    CHECK(out == NULL, "initnn_net_load(truncated): *out is not NULL");
    testing_fill_sentinel(&out, sizeof out);
    initnn_clear_error();
    rc = initnn_net_load(&out, testing_scratch("corrupt.ckpt"), 8);
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_net_load(bad checksum)");
    CHECK(out == NULL, "initnn_net_load(bad checksum): *out is not NULL");
    testing_fill_sentinel(&out, sizeof out);
    initnn_clear_error();
    rc = initnn_net_load(&out, testing_scratch("missing.ckpt"), 8);
    CHECK_FAILED(rc, INITNN_ERR_IO, "initnn_net_load(missing)");
    CHECK(out == NULL, "initnn_net_load(missing): *out is not NULL");
}

static void net_load_into_leaves_the_net_unchanged_on_a_corrupt_or_other_file(void)
{
    unsigned char *bytes;
    long n;
    int rc;
    start_net_test();
    if (TESTING_FAILED) return;
    n = saved_checkpoint(testing_scratch("net.ckpt"), &bytes);
    CHECK(n > 100, "save: %s", initnn_last_error());
    CHECK(write_file(testing_scratch("truncated.ckpt"), bytes, (size_t)n - 9) == 0, "cannot write");
    bytes[n / 2] ^= 0x40;
    CHECK(write_file(testing_scratch("corrupt.ckpt"), bytes, (size_t)n) == 0, "cannot write");
    free(bytes);
    /* Load into a net of the same architecture whose weights differ. */
    CHECK(initnn_net_reinit(the_net, 12345) == 0, "reinit: %s", initnn_last_error());
    CHECK(initnn_net_train_batch(the_net, net_X, net_labels, NULL, 8, NULL, NULL) == 0, "train: %s",
          initnn_last_error());
    free_snapshot(&the_snapshot);
    take_snapshot(&the_snapshot, the_net);
    initnn_clear_error();
    rc = initnn_net_load_into(the_net, testing_scratch("corrupt.ckpt"));
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_net_load_into(bad checksum)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_load_into(bad checksum)");
    initnn_clear_error();
    rc = initnn_net_load_into(the_net, testing_scratch("truncated.ckpt"));
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_net_load_into(truncated)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_load_into(truncated)");
    /* A checkpoint of another architecture. */
    CHECK(initnn_net_from_arch(&the_other_net, "dense:5,relu,dense:3,softmax", 1, 1, 4, "he_normal", NULL, 8, 1) == 0,
          "other: %s", initnn_last_error());
    CHECK(initnn_net_save(the_other_net, testing_scratch("other.ckpt")) == 0, "save: %s", initnn_last_error());
    initnn_clear_error();
    rc = initnn_net_load_into(the_net, testing_scratch("other.ckpt"));
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_net_load_into(another architecture)");
    CHECK_NET_UNCHANGED(the_net, &the_snapshot, "initnn_net_load_into(another architecture)");
}

static void npy_write_leaves_an_existing_file_untouched_on_a_bad_shape(void)
{
    const char *path = testing_scratch("a.npy");
    float data[6] = {1, 2, 3, 4, 5, 6};
    int shape[9] = {2, 3, 1, 1, 1, 1, 1, 1, 1};
    int bad_shape[2] = {2, 0};
    int rc;
    CHECK(put_existing_file(path) == 0, "cannot write %s", path);
    rc = initnn_npy_write(path, data, 0, shape);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_npy_write(ndim 0)");
    CHECK_FILE_INTACT(path, "initnn_npy_write(ndim 0)");
    initnn_clear_error();
    rc = initnn_npy_write(path, data, 9, shape);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_npy_write(ndim 9)");
    CHECK_FILE_INTACT(path, "initnn_npy_write(ndim 9)");
    initnn_clear_error();
    rc = initnn_npy_write(path, data, 2, bad_shape);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_npy_write(a dimension 0)");
    CHECK_FILE_INTACT(path, "initnn_npy_write(a dimension 0)");
}

static void npy_read_leaves_ndim_and_shape_untouched_and_data_null_on_a_malformed_file(void)
{
    static const char bad_header[] = "\x93NUMPY\x01\x00\x20\x00{'descr': '<i4', 'fortran_order'";
    float *data;
    int ndim;
    int shape[8];
    int rc;
    CHECK(initnn_npy_write(testing_scratch("good.npy"), net_X, 1, (const int[]){32}) == 0, "write: %s",
          initnn_last_error());
    CHECK(write_file(testing_scratch("bad.npy"), bad_header, sizeof bad_header - 1) == 0, "cannot write");
    {
        /* The good file cut short in its data. */
        FILE *f = fopen(testing_scratch("good.npy"), "rb");
        unsigned char buf[512];
        size_t n;
        CHECK(f != NULL, "cannot read back");
        n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        CHECK(n > 40, "short file");
        CHECK(write_file(testing_scratch("short.npy"), buf, n - 4) == 0, "cannot write");
    }
    testing_fill_sentinel(&data, sizeof data);
    testing_fill_sentinel(&ndim, sizeof ndim);
    testing_fill_sentinel(shape, sizeof shape);
    rc = initnn_npy_read(&data, &ndim, shape, testing_scratch("bad.npy"));
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_npy_read(a malformed header)");
    CHECK(data == NULL, "initnn_npy_read: *data is not NULL");
    testing_fill_sentinel(&data, sizeof data);
    CHECK_SENTINEL(&ndim, sizeof ndim, "initnn_npy_read's ndim");
    CHECK_SENTINEL(shape, sizeof shape, "initnn_npy_read's shape");
    initnn_clear_error();
    rc = initnn_npy_read(&data, &ndim, shape, testing_scratch("short.npy"));
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_npy_read(data cut short)");
    CHECK(data == NULL, "initnn_npy_read: *data is not NULL");
    testing_fill_sentinel(&data, sizeof data);
    CHECK_SENTINEL(&ndim, sizeof ndim, "initnn_npy_read's ndim");
    CHECK_SENTINEL(shape, sizeof shape, "initnn_npy_read's shape");
    initnn_clear_error();
    rc = initnn_npy_read(&data, &ndim, shape, testing_scratch("missing.npy"));
    CHECK_FAILED(rc, INITNN_ERR_IO, "initnn_npy_read(a missing file)");
    CHECK(data == NULL, "initnn_npy_read: *data is not NULL");
    testing_fill_sentinel(&data, sizeof data);
    CHECK_SENTINEL(&ndim, sizeof ndim, "initnn_npy_read's ndim");
    CHECK_SENTINEL(shape, sizeof shape, "initnn_npy_read's shape");
}

/* ============================================================================
   14. Plots
   ========================================================================= */

static void plot_svg_leaves_an_existing_file_untouched_on_a_bad_y_range(void)
{
    const char *path = testing_scratch("plot.svg");
    double x[3] = {1, 2, 3}, y[3] = {0.5, 0.7, 0.9};
    initnn_plot plot;
    initnn_plot_series s;
    int rc;
    memset(&plot, 0, sizeof plot);
    memset(&s, 0, sizeof s);
    s.label = "a";
    s.x = x;
    s.y = y;
    s.n = 3;
    plot.y_min = 1.0;
    plot.y_max = 0.5;
    CHECK(put_existing_file(path) == 0, "cannot write %s", path);
    rc = initnn_plot_svg(path, &plot, &s, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_plot_svg(y_min > y_max)");
    CHECK_FILE_INTACT(path, "initnn_plot_svg(y_min > y_max)");
    plot.y_min = 0.0;
    plot.y_max = (double)HUGE_VAL;
    initnn_clear_error();
    rc = initnn_plot_svg(path, &plot, &s, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_plot_svg(y_max = Inf)");
    CHECK_FILE_INTACT(path, "initnn_plot_svg(y_max = Inf)");
}

static void plot_svg_styled_leaves_an_existing_file_untouched_on_a_bad_log_range(void)
{
    const char *path = testing_scratch("styled.svg");
    double x[3] = {1, 2, 3}, y[3] = {0.5, 0.7, 0.9};
    initnn_plot plot;
    initnn_plot_series s;
    initnn_plot_style style = {1, 1, 0};
    int rc;
    memset(&plot, 0, sizeof plot);
    memset(&s, 0, sizeof s);
    s.label = "a";
    s.x = x;
    s.y = y;
    s.n = 3;
    plot.log_y = 1;
    plot.y_min = 0.0;
    plot.y_max = 1.0;
    CHECK(put_existing_file(path) == 0, "cannot write %s", path);
    rc = initnn_plot_svg_styled(path, &plot, &s, &style, 1);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_plot_svg_styled(log axis from 0)");
    CHECK_FILE_INTACT(path, "initnn_plot_svg_styled(log axis from 0)");
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    if (testing_scratch_begin("nothing_modified") != 0) return 1;
    testing_after_each(release);
    RUN_TEST(histogram_leaves_counts_untouched_on_an_empty_range);
    RUN_TEST(init_parse_leaves_out_untouched_on_a_bad_spec);
    RUN_TEST(init_fill_leaves_w_and_the_rng_untouched_on_a_bad_spec_or_size);
    RUN_TEST(init_fill_fans_leaves_w_and_the_rng_untouched_on_a_bad_spec);
    RUN_TEST(orthogonal_leaves_w_and_the_rng_untouched_on_a_bad_size_or_no_memory);
    RUN_TEST(init_conv_kernel_leaves_w_and_the_rng_untouched_on_a_bad_spec_or_size);
    RUN_TEST(activation_parse_leaves_both_outputs_untouched_on_a_bad_spec);
    RUN_TEST(softmax_cross_entropy_writes_no_gradient_on_a_bad_label_in_a_later_row);
    RUN_TEST(net_create_leaves_out_untouched_on_a_size_of_0_or_no_memory);
    RUN_TEST(net_add_dense_leaves_the_net_unchanged_on_a_bad_spec_size_or_no_memory);
    RUN_TEST(net_add_dropout_leaves_the_net_unchanged_on_a_bad_rate);
    RUN_TEST(net_set_input_shape_leaves_the_net_unchanged_on_a_bad_shape);
    RUN_TEST(net_add_conv2d_leaves_the_net_unchanged_on_a_bad_spec_or_size);
    RUN_TEST(net_add_pool2d_leaves_the_net_unchanged_on_a_bad_window);
    RUN_TEST(net_add_flatten_leaves_the_net_unchanged_when_it_is_full);
    RUN_TEST(net_from_arch_sets_out_to_null_on_a_bad_arch);
    RUN_TEST(net_set_loss_leaves_the_net_unchanged_on_an_unknown_loss);
    RUN_TEST(net_set_optimizer_leaves_the_net_unchanged_on_a_bad_optimizer);
    RUN_TEST(net_reinit_leaves_the_net_unchanged_when_out_of_memory);
    RUN_TEST(net_backward_leaves_the_net_and_loss_untouched_on_a_bad_label);
    RUN_TEST(net_step_restores_the_weights_and_step_count_when_a_weight_becomes_nonfinite);
    RUN_TEST(net_diagnose_leaves_out_and_the_net_untouched_on_a_bad_batch_or_label);
    RUN_TEST(quadrature_init_leaves_the_rule_untouched_on_a_bad_order);
    RUN_TEST(activation_moments_writes_no_output_on_softmax_or_a_negative_q);
    RUN_TEST(activation_moments_numeric_writes_no_output_on_softmax_or_a_negative_q);
    RUN_TEST(activation_moments_gauss_hermite_writes_no_output_on_a_bad_rule_or_q);
    RUN_TEST(init_spec_moments_writes_no_output_on_a_bad_spec_or_size);
    RUN_TEST(theory_predict_writes_no_table_row_on_a_pooling_layer);
    RUN_TEST(theory_compare_leaves_the_table_and_the_net_untouched_on_a_bad_label);
    RUN_TEST(theory_correlation_map_writes_no_output_on_a_correlation_above_1);
    RUN_TEST(theory_fixed_point_writes_no_output_on_bad_sigma);
    RUN_TEST(theory_critical_sigma_w2_writes_no_output_on_softmax_or_a_negative_sigma_b2);
    RUN_TEST(singular_values_writes_no_value_on_a_bad_size_or_no_memory);
    RUN_TEST(net_jacobian_leaves_j_and_the_net_untouched_on_a_softmax_output);
    RUN_TEST(net_train_batch_leaves_the_net_and_outputs_untouched_on_a_bad_label_or_batch);
    RUN_TEST(net_evaluate_leaves_outputs_and_the_net_untouched_on_a_bad_label_or_width);
    RUN_TEST(net_train_leaves_the_net_unchanged_on_a_bad_config_or_label);
    RUN_TEST(net_train_keeps_the_last_finite_step_when_a_nan_appears_mid_run);
    RUN_TEST(lsuv_leaves_the_net_and_iterations_untouched_on_a_bad_batch);
    RUN_TEST(lsuv_leaves_the_net_unchanged_when_a_later_layer_cannot_be_scaled);
    RUN_TEST(make_moons_leaves_out_empty_on_a_count_of_0);
    RUN_TEST(make_circles_leaves_out_empty_on_a_bad_factor);
    RUN_TEST(make_spirals_leaves_out_empty_on_0_classes);
    RUN_TEST(make_regression_leaves_out_empty_on_an_overflowing_size);
    RUN_TEST(load_idx_leaves_out_empty_on_a_missing_or_truncated_file);
    RUN_TEST(load_csv_leaves_out_empty_on_a_ragged_row_or_a_missing_file);
    RUN_TEST(load_cifar_leaves_out_empty_on_a_partial_record);
    RUN_TEST(data_split_leaves_both_views_untouched_on_a_bad_fraction);
    RUN_TEST(standardize_fit_writes_no_mean_or_std_on_data_without_features);
    RUN_TEST(net_save_leaves_an_existing_file_untouched_on_nonfinite_weights);
    RUN_TEST(net_load_sets_out_to_null_on_a_truncated_or_corrupt_file);
    RUN_TEST(net_load_into_leaves_the_net_unchanged_on_a_corrupt_or_other_file);
    RUN_TEST(npy_write_leaves_an_existing_file_untouched_on_a_bad_shape);
    RUN_TEST(npy_read_leaves_ndim_and_shape_untouched_and_data_null_on_a_malformed_file);
    RUN_TEST(plot_svg_leaves_an_existing_file_untouched_on_a_bad_y_range);
    RUN_TEST(plot_svg_styled_leaves_an_existing_file_untouched_on_a_bad_log_range);
    testing_scratch_end();
    return testing_finish();
}
