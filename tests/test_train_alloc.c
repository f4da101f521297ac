/* test_train_alloc.c - a training step allocates nothing.

   The header promises that initnn_net_create and initnn_net_add_* allocate
   every buffer a step needs, "so forward, backward and step allocate
   nothing". This file builds the library with a counting allocator
   (INITNN_MALLOC / INITNN_FREE, both defined, before the implementation) and
   checks that the count of allocations and of frees stays constant across
   training steps, for each optimizer, with dropout and clipping on. */

#include <stdlib.h>

static long alloc_count, free_count;

static void *counting_malloc(size_t size)
{
    alloc_count++;
    return malloc(size);
}

static void counting_free(void *p)
{
    if (p) free_count++;
    free(p);
}

#define INITNN_MALLOC(size) counting_malloc(size)
#define INITNN_FREE(ptr) counting_free(ptr)
#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

enum { IN = 6, BATCH = 16 };

static float X[BATCH * IN], targets[BATCH * 3];
static int labels[BATCH];

static void build(initnn_net **net, const initnn_optimizer *opt, int loss)
{
    long before = alloc_count;
    int err = initnn_net_create(net, IN, BATCH, 3);
    CHECK(err == 0, "initnn_net_create: %s", initnn_last_error());
    err = initnn_net_add_dense(*net, 16, "relu", "he_normal", NULL);
    if (!err) err = initnn_net_add_dropout(*net, 0.3f);
    if (!err) err = initnn_net_add_dense(*net, 8, "tanh", "orthogonal", NULL);
    if (!err) err = initnn_net_add_dense(*net, 3, loss == INITNN_LOSS_MSE ? "sigmoid" : "softmax", "glorot_uniform", NULL);
    if (!err) err = initnn_net_set_loss(*net, loss);
    if (!err) err = initnn_net_set_optimizer(*net, opt);
    CHECK(err == 0, "building the net: %s", initnn_last_error());
    /* The counter is wired in: building a net allocates through it. */
    CHECK(alloc_count > before, "building a net made no counted allocation: INITNN_MALLOC is not used");
}

static void steps_allocate_nothing(initnn_net *net, const char *name)
{
    long allocs, frees;
    int k, err;
    float l;
    double norm;
    /* One step first, in case something is legitimately set up lazily the
       first time; then none may allocate. */
    err = initnn_net_train_batch(net, X, labels, targets, BATCH, &l, &norm);
    CHECK(err == 0, "%s: first step: %s", name, initnn_last_error());
    allocs = alloc_count;
    frees = free_count;
    for (k = 0; k < 20; k++) {
        err = initnn_net_train_batch(net, X, labels, targets, BATCH - (k % 3), &l, &norm);
        CHECK(err == 0, "%s: step %d: %s", name, k, initnn_last_error());
    }
    CHECK(alloc_count == allocs && free_count == frees,
          "%s: 20 calls of initnn_net_train_batch made %ld allocations and %ld frees", name,
          alloc_count - allocs, free_count - frees);
    /* The pieces on their own. */
    initnn_net_zero_grad(net);
    CHECK(initnn_net_forward(net, X, BATCH, 1) != NULL, "forward: %s", initnn_last_error());
    CHECK(initnn_net_backward(net, labels, targets, &l) == 0, "backward: %s", initnn_last_error());
    CHECK(initnn_net_step(net) == 0, "step: %s", initnn_last_error());
    CHECK(initnn_net_forward(net, X, BATCH, 0) != NULL, "forward: %s", initnn_last_error());
    CHECK(alloc_count == allocs && free_count == frees,
          "%s: forward, backward and step made %ld allocations and %ld frees", name, alloc_count - allocs,
          free_count - frees);
}

static void check_steps_allocate_nothing(const initnn_optimizer *opt, int loss, const char *name)
{
    initnn_net *net = NULL;
    build(&net, opt, loss);
    if (!TESTING_FAILED) steps_allocate_nothing(net, name);
    initnn_net_free(net);
}

static void train_batch_allocates_nothing_with_adam_dropout_and_clipping(void)
{
    initnn_optimizer o = initnn_adam(1e-3f);
    o.clip_norm = 1.0f;
    o.weight_decay = 1e-4f;
    check_steps_allocate_nothing(&o, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, "adam");
}

static void train_batch_allocates_nothing_with_nesterov_sgd_and_mse(void)
{
    initnn_optimizer o = initnn_sgd(0.01f, 0.9f, 1);
    o.clip_value = 0.5f;
    check_steps_allocate_nothing(&o, INITNN_LOSS_MSE, "sgd nesterov");
}

static void train_batch_allocates_nothing_with_rmsprop(void)
{
    initnn_optimizer o = initnn_rmsprop(1e-3f);
    check_steps_allocate_nothing(&o, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY, "rmsprop");
}

static void every_allocation_of_a_net_is_freed(void)
{
    initnn_optimizer o = initnn_adam(1e-3f);
    initnn_net *net = NULL;
    long allocs = alloc_count, frees = free_count;
    float l = 0.0f;
    int err = -1;
    build(&net, &o, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY);
    if (!TESTING_FAILED) err = initnn_net_train_batch(net, X, labels, NULL, BATCH, &l, NULL);
    initnn_net_free(net);
    CHECK(err == 0, "step: %s", initnn_last_error());
    CHECK(alloc_count - allocs == free_count - frees, "%ld allocations, %ld frees", alloc_count - allocs,
          free_count - frees);
}

int main(int argc, char **argv)
{
    initnn_rng rng;
    int i;
    testing_init(argc, argv);
    initnn_rng_seed(&rng, 1);
    for (i = 0; i < BATCH * IN; i++) X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < BATCH; i++) labels[i] = (int)initnn_rng_below(&rng, 3);
    for (i = 0; i < BATCH * 3; i++) targets[i] = initnn_rng_uniform(&rng);
    RUN_TEST(train_batch_allocates_nothing_with_adam_dropout_and_clipping);
    RUN_TEST(train_batch_allocates_nothing_with_nesterov_sgd_and_mse);
    RUN_TEST(train_batch_allocates_nothing_with_rmsprop);
    RUN_TEST(every_allocation_of_a_net_is_freed);
    return testing_finish();
}
