/* 13_orthogonal.c - orthogonal kernels preserve every norm exactly; Gaussian
   kernels of the same variance only on average.

   CLAIMS
      A. A square orthogonal matrix Q has Q Q^T = I, so ||x Q|| = ||x|| for
         every x, and a product of them is orthogonal again: a deep linear
         net of "orthogonal" kernels maps every input to an output of the
         same norm, at any depth (Saxe, McClelland & Ganguli 2014, "Exact
         solutions to the nonlinear dynamics of learning in deep linear
         neural networks").
      B. A Gaussian kernel with the same variance 1/n ("lecun_normal") keeps
         E[||x W||^2] = ||x||^2 (step 02) but not the norm of each input.
         For a fixed x, x W / ||x|| ~ N(0, I/n) whatever the direction of x
         (the normal distribution is rotation invariant), so
            ||x W||^2 / ||x||^2 ~ chi^2_n / n,
         independent of the direction x W takes, and over L layers
            log(||y||^2 / ||x||^2) = sum of L independent log(chi^2_n / n),
         with mean L (psi(n/2) - ln(n/2)) and variance L psi'(n/2)
         (psi, psi' the digamma and trigamma functions; for n = 64, L = 50:
         mean -0.79 and standard deviation 1.26 - typical outputs are
         smaller than the inputs, by a factor that varies between nets by
         e^{+-0.6} in norm).
      C. Within one Gaussian net, the output norms of different inputs spread
         out too: x P with P the product of 50 matrices stretches the
         directions of its large singular values, and those are few.

   MEASUREMENT AND TOLERANCE
      A: a net of 50 dense identity layers, width n (64; --fast 32),
      "orthogonal" kernels, 256 unit-norm random inputs. Each layer changes a
      norm by at most (n + sqrt(n)) u (u = 2^-24: the rounding of the kernel
      to float moves its spectral norm by <= u ||Q||_F, and a dot product of
      n terms is off by <= n u), so |ratio - 1| <= 50 (n + sqrt(n)) u.
      B: M independent Gaussian nets (initnn_net_reinit with M seeds; 400,
      --fast 200), one unit-norm input each, against the exact distribution
      above: the sample mean of log(||y||^2/||x||^2) within 4 standard errors
      sqrt(L psi'(n/2) / M); the sample standard deviation within 4 of its
      standard errors, sd / sqrt(2 (M - 1)) (the sum of 50 independent logs
      is close to normal).
      C: one Gaussian net, the same 256 inputs: the largest output norm must
      be at least twice the smallest (a ratio of 1 is what A gives). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 50
#define INPUTS 256
#define EULER_GAMMA 0.57721566490153286061
#define PI 3.14159265358979323846

/* psi(m) and psi'(m) for an integer m >= 1. */
static double digamma(int m)
{
    double sum = -EULER_GAMMA;
    int k;
    for (k = 1; k < m; k++) sum += 1.0 / k;
    return sum;
}

static double trigamma(int m)
{
    double sum = PI * PI / 6.0;
    int k;
    for (k = 1; k < m; k++) sum -= 1.0 / ((double)k * k);
    return sum;
}

static initnn_net *linear_net(int width, const char *kernel, uint64_t seed)
{
    initnn_net *net;
    int l;
    tutorial_require(initnn_net_create(&net, width, INPUTS, seed), "initnn_net_create");
    for (l = 0; l < DEPTH; l++)
        tutorial_require(initnn_net_add_dense(net, width, "identity", kernel, "zeros"), "initnn_net_add_dense");
    return net;
}

static double row_norm(const float *row, int width)
{
    double sum = 0.0;
    int j;
    for (j = 0; j < width; j++) sum += (double)row[j] * row[j];
    return sqrt(sum);
}

/* Output norm / input norm for each input row: ratio[INPUTS]. */
static void norm_ratios(double *ratio, initnn_net *net, const float *X, int batch, int width)
{
    const float *Y = initnn_net_forward(net, X, batch, 0);
    int b;
    if (!Y) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
    for (b = 0; b < batch; b++)
        ratio[b] = row_norm(Y + (size_t)b * width, width) / row_norm(X + (size_t)b * width, width);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Gaussian kernels of variance 1/n, width n = 64, one layer: predict E[log(||y||^2/||x||^2)] = digamma(n/2) - log(n/2), to three digits.",
         -1.0 / 64.0 - 1.0 / (3.0 * 64.0 * 64.0), 0.01},
        {"Orthogonal kernels with gain 1.01 over 50 linear layers: predict ||y|| / ||x||.",
         pow(1.01, 50), 0.002},
        {"Break it: build the orthogonal net with \"orthogonal:1.001\". Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    tutorial t;
    initnn_rng rng;
    initnn_net *net;
    float *X;
    double orthogonal[INPUTS], gaussian[INPUTS], worst = 0.0;
    double mean = 0.0, spread = 0.0, predicted_mean, predicted_sd, *logs;
    int width, nets, b, j, r;

    tutorial_start(&t, argc, argv, "13 orthogonal init: every input keeps its norm through 50 layers");

    exercises(&t);
    width = t.fast ? 32 : 64;
    nets = t.fast ? 200 : 400;
    X = (float *)malloc((size_t)INPUTS * width * sizeof(float));
    logs = (double *)malloc((size_t)nets * sizeof(double));
    if (!X || !logs) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed_stream(&rng, t.seed, 1);
    for (b = 0; b < INPUTS; b++) {
        float *x = X + (size_t)b * width;
        double norm;
        for (j = 0; j < width; j++) x[j] = initnn_rng_normal(&rng);
        norm = row_norm(x, width);
        for (j = 0; j < width; j++) x[j] = (float)(x[j] / norm);
    }

    net = linear_net(width, "orthogonal", t.seed);
    norm_ratios(orthogonal, net, X, INPUTS, width);
    initnn_net_free(net);
    for (b = 0; b < INPUTS; b++)
        if (fabs(orthogonal[b] - 1.0) > worst) worst = fabs(orthogonal[b] - 1.0);

    net = linear_net(width, "lecun_normal", t.seed);
    norm_ratios(gaussian, net, X, INPUTS, width);
    for (r = 0; r < nets; r++) {
        double ratio;
        tutorial_require(initnn_net_reinit(net, t.seed * 100000 + (uint64_t)r + 1), "initnn_net_reinit");
        norm_ratios(&ratio, net, X + (size_t)(r % INPUTS) * width, 1, width);
        logs[r] = 2.0 * log(ratio);
        mean += logs[r] / nets;
    }
    for (r = 0; r < nets; r++) spread += (logs[r] - mean) * (logs[r] - mean);
    spread = sqrt(spread / (nets - 1));
    initnn_net_free(net);
    predicted_mean = DEPTH * (digamma(width / 2) - log(width / 2.0));
    predicted_sd = sqrt(DEPTH * trigamma(width / 2));

    qsort(orthogonal, INPUTS, sizeof(double), by_value);
    qsort(gaussian, INPUTS, sizeof(double), by_value);
    printf("%d linear layers of width %d; ||y|| / ||x|| over %d unit inputs:\n", DEPTH, width, INPUTS);
    printf("%-14s %12s %12s %12s %12s\n", "kernels", "min", "median", "max", "max/min");
    printf("%-14s %12.7f %12.7f %12.7f %12.7f\n", "orthogonal", orthogonal[0], orthogonal[INPUTS / 2],
           orthogonal[INPUTS - 1], orthogonal[INPUTS - 1] / orthogonal[0]);
    printf("%-14s %12.4g %12.4g %12.4g %12.4g\n", "lecun_normal", gaussian[0], gaussian[INPUTS / 2],
           gaussian[INPUTS - 1], gaussian[INPUTS - 1] / gaussian[0]);
    printf("log(||y||^2/||x||^2) over %d Gaussian nets: mean %.3f, sd %.3f\n", nets, mean, spread);
    tutorial_print_heading();
    tutorial_absolute(&t, "orthogonal: max |ratio - 1|", 0.0, worst,
                      DEPTH * (width + sqrt((double)width)) * ldexp(1.0, -24));
    tutorial_absolute(&t, "gaussian: mean log ratio^2", predicted_mean, mean, 4.0 * predicted_sd / sqrt((double)nets));
    tutorial_relative(&t, "gaussian: sd of log ratio^2", predicted_sd, spread, 4.0 / sqrt(2.0 * (nets - 1)));
    tutorial_at_least(&t, "one gaussian net: max/min ratio", 2.0, gaussian[INPUTS - 1] / gaussian[0]);
    {
        double rank[INPUTS];
        initnn_plot_series series[2];
        for (b = 0; b < INPUTS; b++) rank[b] = (b + 0.5) / INPUTS;
        series[0] = tutorial_series("orthogonal", rank, orthogonal, INPUTS);
        series[1] = tutorial_series("lecun_normal (same variance)", rank, gaussian, INPUTS);
        tutorial_plot(&t, "||y|| / ||x|| after 50 linear layers, 256 inputs sorted", "fraction of inputs below",
                      "||y|| / ||x||", 1, series, 2);
    }
    free(X);
    free(logs);
    return tutorial_finish(&t);
}
