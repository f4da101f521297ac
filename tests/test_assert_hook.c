/* test_assert_hook.c - INITNN_ASSERT, the documented hook for the library's
   internal consistency checks, is used: a program that defines it sees it
   evaluated during training, and every check holds. */
#include <stddef.h>
static long assert_evaluations, assert_failures;
#define INITNN_ASSERT(x) ((void)(++assert_evaluations, (x) ? 0 : ++assert_failures))
#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

static void internal_checks_go_through_initnn_assert_and_hold(void)
{
    initnn_data moons;
    initnn_net *net = NULL;
    initnn_train_config config = initnn_train_defaults();
    CHECK(initnn_make_moons(&moons, 64, 0.1f, 1) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_from_arch(&net, "dense:8,relu,dense:2,softmax", 1, 1, 2, "he_normal", "zeros", 16, 3) == 0,
          "%s", initnn_last_error());
    config.epochs = 2;
    config.batch_size = 16;
    CHECK(initnn_net_train(net, &moons, NULL, &config, NULL) == 0, "%s", initnn_last_error());
    initnn_net_free(net);
    initnn_data_free(&moons);
    CHECK(assert_evaluations > 0, "INITNN_ASSERT was never evaluated in a training run");
    CHECK(assert_failures == 0, "%ld of %ld internal checks failed", assert_failures, assert_evaluations);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(internal_checks_go_through_initnn_assert_and_hold);
    return testing_finish();
}
