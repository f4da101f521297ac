/* test_reference_build.c - the fast paths (section 16 of initnn.h) compute
   what the lessons' plain loops compute. The same small dense net and conv
   net are trained by the library as this build configures it and by the
   INITNN_REFERENCE build (tests/reference_twin.c, linked in), and their
   losses and final weights must agree to float rounding.

   Tolerance: the two builds sum the same products in different orders (the
   reference in double, the packed GEMM in float blocks, with FMA where the
   CPU has it), a relative difference of a few float epsilons (1.2e-7) per
   layer and step, which training then carries on. After 20 Adam steps and
   10 SGD steps the measured gaps are below 1e-5; 1e-4 relative (1e-5
   absolute for weights near 0) leaves room for other compilers while a
   wrong fast path (a transposed operand, a missing bias, a lost block of K,
   an Adam lane with another formula) moves them by 1e-2 or more. */
/* testing: with tests/reference_twin.c */
#include <string.h>
#include "initnn.h"
#include "testing.h"
#include "small_net.h"

int reference_twin_run(small_net_result *out);

static small_net_result fast, reference;
static int ran, fast_err, reference_err;

/* Both runs, once, whichever test asks first. */
static void run_both(void)
{
    if (ran) return;
    ran = 1;
    fast_err = small_net_run(&fast);
    reference_err = reference_twin_run(&reference);
}

static void fast_and_reference_builds_train_the_small_nets_to_the_same_losses(void)
{
    int step;
    run_both();
    CHECK(fast_err == 0, "this build: %s", initnn_last_error());
    CHECK(reference_err == 0, "reference build failed (%d)", reference_err);
    for (step = 0; step < SMALL_NET_STEPS; step++)
        CHECK_NEAR(fast.losses[step], reference.losses[step], 1e-4 * fabs(reference.losses[step]) + 1e-6);
    /* The nets must have learned something, or agreement says little. */
    CHECK(reference.losses[19] < 0.8f * reference.losses[0], "Adam steps: loss %g -> %g",
          (double)reference.losses[0], (double)reference.losses[19]);
}

static void fast_and_reference_builds_end_with_the_same_weights(void)
{
    int i;
    double worst = 0.0;
    run_both();
    CHECK(fast_err == 0 && reference_err == 0, "a run failed: %d, %d", fast_err, reference_err);
    CHECK(fast.param_count > 0 && fast.param_count == reference.param_count, "parameter counts %d and %d",
          fast.param_count, reference.param_count);
    for (i = 0; i < fast.param_count; i++) {
        double gap = fabs((double)fast.params[i] - reference.params[i]) / (1e-1 + fabs(reference.params[i]));
        if (gap > worst) worst = gap;
    }
    CHECK(worst < 1e-4, "largest weight gap %g (relative, floor 0.1)", worst);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(fast_and_reference_builds_train_the_small_nets_to_the_same_losses);
    RUN_TEST(fast_and_reference_builds_end_with_the_same_weights);
    return testing_finish();
}
