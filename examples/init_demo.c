/* init_demo.c - every initializer of initnn on one layer, formula against sample.

   What it shows: a 784 -> 256 dense layer (MNIST pixels to a hidden layer,
   W is 784 x 256 = 200704 weights) is filled by each initializer spec in
   turn, and one row per spec prints

     - the spec string, exactly as initnn_init_fill takes it;
     - the formula behind it (fan_in = 784, fan_out = 256);
     - the mean and std the formula predicts;
     - the mean and std measured on the 200704 weights (initnn_stats_compute),
       and the smallest and largest weight.

   Read it column by column (seed 42): the measured std is within 0.5% of
   the formula for every random initializer. He, Glorot and LeCun differ by
   up to 1.4x on this layer (0.0505, 0.0439, 0.0357). Uniform and truncated
   initializers never pass their bound (he_uniform stops at 0.0875,
   variance_scaling:2,fan_in,truncated_normal at 0.1148) while the plain
   normals reach 4.3 to 5 std. Orthogonal and identity have the same std,
   1/sqrt(784) = 0.0357, from matrices that could hardly be more different;
   sparse puts a std of 0.14 into a few large weights. PyTorch's default
   (torch_default) has a third of He's variance: std 0.0206 against 0.0505.

   Build and run:  make init-demo  (or: cc -O2 examples/init_demo.c -lm) */

#define INITNN_IMPLEMENTATION
#include "../initnn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define FAN_IN 784
#define FAN_OUT 256

typedef struct {
    const char *spec;
    const char *formula;
    double mean, std;     /* what the formula predicts for 784 x 256 */
} demo_row;

int main(void)
{
    const double n_in = FAN_IN, n_out = FAN_OUT, n_avg = 0.5 * (FAN_IN + FAN_OUT);
    const double p_identity = (double)FAN_OUT / ((double)FAN_IN * FAN_OUT);
    const double p_sparse = 15.0 / FAN_IN;
    /* The std of N(0, s^2) cut at 2 s is 0.8796 s. */
    const double cut = INITNN_TRUNC2_STD;
    const demo_row rows[] = {
        {"zeros", "0", 0.0, 0.0},
        {"ones", "1", 1.0, 0.0},
        {"constant:0.1", "0.1", 0.1, 0.0},
        {"random_normal", "N(0, 0.05^2)", 0.0, 0.05},
        {"random_normal:0.1,0.5", "N(0.5, 0.1^2)", 0.5, 0.1},
        {"random_uniform", "U(-0.05, 0.05)", 0.0, 0.1 / sqrt(12.0)},
        {"random_uniform:-0.1,0.3", "U(-0.1, 0.3)", 0.1, 0.4 / sqrt(12.0)},
        {"truncated_normal", "N(0, 0.05^2) cut at 2 std", 0.0, 0.05 * cut},
        {"truncated_normal:0.1", "N(0, 0.1^2) cut at 2 std", 0.0, 0.1 * cut},
        {"glorot_normal", "N(0, 2/(in+out))", 0.0, sqrt(2.0 / (n_in + n_out))},
        {"xavier_normal", "N(0, 2/(in+out))", 0.0, sqrt(2.0 / (n_in + n_out))},
        {"glorot_uniform", "U(+-sqrt(6/(in+out)))", 0.0, sqrt(2.0 / (n_in + n_out))},
        {"xavier_uniform", "U(+-sqrt(6/(in+out)))", 0.0, sqrt(2.0 / (n_in + n_out))},
        {"he_normal", "N(0, 2/in)", 0.0, sqrt(2.0 / n_in)},
        {"kaiming_normal:0.1", "N(0, 2/((1+a^2) in))", 0.0, sqrt(2.0 / (1.01 * n_in))},
        {"he_uniform", "U(+-sqrt(6/in))", 0.0, sqrt(2.0 / n_in)},
        {"kaiming_uniform:0.1", "U(+-sqrt(6/((1+a^2) in)))", 0.0, sqrt(2.0 / (1.01 * n_in))},
        {"lecun_normal", "N(0, 1/in)", 0.0, sqrt(1.0 / n_in)},
        {"lecun_uniform", "U(+-sqrt(3/in))", 0.0, sqrt(1.0 / n_in)},
        {"variance_scaling:2,fan_in,truncated_normal", "Var 2/in, cut at 2 std", 0.0, sqrt(2.0 / n_in)},
        {"variance_scaling:1,fan_avg,uniform", "Var 1/avg", 0.0, sqrt(1.0 / n_avg)},
        {"variance_scaling:1,fan_out,normal", "Var 1/out", 0.0, sqrt(1.0 / n_out)},
        {"he_normal:0,fan_out", "N(0, 2/out)", 0.0, sqrt(2.0 / n_out)},
        {"torch_default", "U(+-1/sqrt(in))", 0.0, sqrt(1.0 / (3.0 * n_in))},
        {"keras_default", "U(+-sqrt(6/(in+out)))", 0.0, sqrt(2.0 / (n_in + n_out))},
        {"flax_default", "Var 1/in, cut at 2 std", 0.0, sqrt(1.0 / n_in)},
        {"orthogonal", "Q of QR(Gaussian)", 0.0, 1.0 / sqrt(n_in)},
        {"orthogonal:1.414", "1.414 Q", 0.0, 1.414 / sqrt(n_in)},
        {"sparse", "15 N(0,1) per column", 0.0, sqrt(p_sparse)},
        {"identity", "1 on the diagonal", p_identity, sqrt(p_identity * (1.0 - p_identity))}
    };
    const int row_count = (int)(sizeof rows / sizeof rows[0]);
    float *w = (float *)malloc((size_t)FAN_IN * FAN_OUT * sizeof(float));
    initnn_rng rng;
    int r;

    if (!w) {
        fprintf(stderr, "init_demo: out of memory\n");
        return 1;
    }
    initnn_rng_seed(&rng, 42);
    printf("initnn %s: every initializer on a %d x %d layer (%d weights), seed 42\n\n", INITNN_VERSION,
           FAN_IN, FAN_OUT, FAN_IN * FAN_OUT);
    printf("%-42s %-25s %7s %7s | %7s %7s %7s %7s\n", "spec", "formula", "mean", "std", "mean", "std",
           "min", "max");
    printf("%-42s %-25s %15s | %31s\n", "", "", "-- formula --", "---------- measured ---------");
    for (r = 0; r < row_count; r++) {
        initnn_stats s;
        if (initnn_init_fill(w, FAN_IN, FAN_OUT, rows[r].spec, &rng) != 0) {
            fprintf(stderr, "init_demo: %s\n", initnn_last_error());
            free(w);
            return 1;
        }
        initnn_stats_compute(&s, w, (size_t)FAN_IN * FAN_OUT);
        printf("%-42s %-25s %7.4f %7.4f | %7.4f %7.4f %7.4f %7.4f\n", rows[r].spec, rows[r].formula,
               rows[r].mean, rows[r].std, s.mean, sqrt(s.variance), s.min, s.max);
    }
    printf("\nin = fan_in = %d, out = fan_out = %d, avg = (in + out) / 2; a = negative slope.\n", FAN_IN, FAN_OUT);
    free(w);
    return 0;
}
