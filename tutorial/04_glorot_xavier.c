/* 04_glorot_xavier.c - Glorot & Bengio's compromise, and what tanh does
   with too small and too large weights.

   CLAIMS
   A. Var(W) = 2 / (n_in + n_out), the harmonic-mean compromise between the
      forward condition n_in Var(W) = 1 and the backward condition
      n_out Var(W) = 1 (step 03). Its uniform form is U(-a, a) with
      a = sqrt(6 / (n_in + n_out)), because
         Var(U(-a, a)) = (1/2a) int_{-a}^{a} w^2 dw = a^2 / 3.
   B. Through 10 tanh layers of equal width n, the activation scale follows
      the mean-field recursion (Poole et al. 2016): with q_l = E[z_l^2],
         q_1     = n s E[x^2],
         q_{l+1} = n s E[tanh(sqrt(q_l) u)^2],   u ~ N(0, 1),
      (step 01 applied to a layer whose inputs are tanh outputs; E[tanh] = 0
      by symmetry, and z is close to normal as a sum of n terms), so
         std(y_l) = sqrt(E[tanh(sqrt(q_l) u)^2]),
         saturated fraction = P(|tanh z| > 0.97) = erfc(atanh(0.97) / sqrt(2 q_l)).
      With s = 0.01^2, n s = 0.0256 (n = 256): tanh is linear near 0, so the
      std shrinks by sqrt(0.0256) = 0.16 per layer, to ~1e-8 at layer 10, and
      the gradients with it. With s = 1, q ~ n: almost every unit sits on a
      flat part of tanh (|y| > 0.97, tanh' < 0.06). Xavier (n s = 1) keeps the
      std of order 0.3 and saturates little: 3.7% at layer 1 (q_1 = 1), then
      almost nothing as q falls.

   MEASUREMENT AND TOLERANCE
   A. initnn_init_fill "glorot_uniform" on a (300, 100) matrix, N = 30000
      weights. The sample variance has standard error sqrt(Var(w^2) / N) with
      Var(w^2) = a^4/5 - a^4/9 = 4 a^4 / 45; tolerance 4 SE. No weight may
      exceed a; and the largest |w| must be above a (1 - 10/N), which fails
      only with probability (1 - 10/N)^N, about e^-10.
   B. One net per init, "random_normal:0.01", "random_normal:1" and
      "glorot_uniform", all width n, batch B of N(0, 1) inputs;
      initnn_net_diagnose gives each layer's activation std and
      saturated_fraction. The recursion is evaluated with E[x^2] measured on
      the batch and a 4001-point rule on [-10, 10] for E[.], exact to 1e-9.
      Tolerance: given its input Y, a layer's E[z^2] fluctuates (over the
      weights) with relative variance v_l = 2 tr(G^2) / (n tr(G)^2),
      G = Y^T Y (step 02). An error in log q_l reaches log q_{l+1} multiplied
      by g_l = d log E[tanh(sqrt(q) u)^2] / d log q at q_l: 1 where tanh is
      linear, near 0 where it saturates, so the errors are propagated as
         SE(log q_{l+1})^2 = g_l^2 SE(log q_l)^2 + v_{l+1},
      and std(y_l) = sqrt(E[tanh^2]) inherits g_l SE(log q_l) / 2. The
      B n entries it is measured on add the sampling error of a mean of
      tanh^2, sqrt((E[tanh^4] - E[tanh^2]^2) / (B n)) / E[tanh^2], halved
      for the square root; tolerance 4 times the root sum of squares. (The
      finite width also adds an O(1/n) bias, since each sample has its own
      q; the sweeps over seeds show it well inside.) For
      the saturated fraction p: an error in log q moves p by
      |dp/dlog q| SE(log q), with dp/dlog q = v exp(-v^2)/sqrt(pi),
      v = atanh(0.97)/sqrt(2q); and B n units add sampling noise
      sqrt(p(1-p)/(B n)); tolerance 4 times their root sum of squares. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 10

/* E[tanh(sqrt(q) u)^power] for u ~ N(0, 1), power even. */
static double mean_tanh_power(double q, int power)
{
    const int points = 4001;
    const double lo = -10.0, step = 20.0 / (points - 1);
    double sum = 0.0;
    int i;
    for (i = 0; i < points; i++) {
        double u = lo + i * step, y = tanh(sqrt(q) * u);
        double weight = (i == 0 || i == points - 1) ? 0.5 : 1.0;
        sum += weight * pow(y, power) * exp(-0.5 * u * u);
    }
    return sum * step / sqrt(2.0 * 3.14159265358979323846);
}

/* d log E[tanh(sqrt(q) u)^2] / d log q: how much of a relative error in q
   survives one tanh layer (1 in the linear regime, near 0 when saturated). */
static double tanh_sensitivity(double q)
{
    const double h = 1e-3;
    return (log(mean_tanh_power(q * exp(h), 2)) - log(mean_tanh_power(q * exp(-h), 2))) / (2.0 * h);
}

static double saturated_fraction(double q)
{
    return erfc(atanh(INITNN_SATURATION_THRESHOLD) / sqrt(2.0 * q));
}

/* |dp/dlog q| for p = saturated_fraction(q). */
static double saturation_sensitivity(double q)
{
    double v = atanh(INITNN_SATURATION_THRESHOLD) / sqrt(2.0 * q);
    return v * exp(-v * v) / sqrt(3.14159265358979323846);
}

static void check_glorot_uniform(tutorial *t, initnn_rng *rng)
{
    const int fan_in = 300, fan_out = 100, count = fan_in * fan_out;
    const double bound = sqrt(6.0 / (fan_in + fan_out)), variance = 2.0 / (fan_in + fan_out);
    float *w = (float *)malloc((size_t)count * sizeof(float));
    initnn_stats stats;
    double largest;
    if (!w) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    tutorial_require(initnn_init_fill(w, fan_in, fan_out, "glorot_uniform", rng), "initnn_init_fill");
    initnn_stats_compute(&stats, w, (size_t)count);
    largest = fabs(stats.min) > stats.max ? fabs(stats.min) : stats.max;
    printf("A. \"glorot_uniform\" on (%d, %d): a = sqrt(6/%d) = %.5f\n", fan_in, fan_out, fan_in + fan_out, bound);
    tutorial_print_heading();
    tutorial_relative(t, "Var(W) = 2/(n_in+n_out)", variance, stats.variance,
                      4.0 * sqrt(4.0 * pow(bound, 4) / 45.0 / count) / variance);
    tutorial_at_most(t, "max |w| <= a", bound, largest);
    tutorial_at_least(t, "max |w| >= a (1 - 10/N)", bound * (1.0 - 10.0 / count), largest);
    free(w);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"\"glorot_uniform\" on a (784, 256) kernel: predict the bound a of U(-a, a).",
         sqrt(6.0 / (784 + 256)), 0.005},
        {"The same kernel with \"glorot_normal\": predict its std.",
         sqrt(2.0 / (784 + 256)), 0.005},
        {"Break it: make the predicted variance of part A 1/(n_in + n_out), the misremembered Glorot. Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const specs[] = {"random_normal:0.01", "random_normal:1", "glorot_uniform"};
    static const char *const labels[] = {"std 0.01", "std 1", "xavier"};
    enum { INITS = 3 };
    double measured_std[INITS][DEPTH], predicted_std[INITS][DEPTH];
    double measured_saturated[INITS][DEPTH], predicted_saturated[INITS][DEPTH], q_at[INITS][DEPTH];
    double log_q_se[INITS][DEPTH];   /* SE of log q_l, from layers 1..l */
    tutorial t;
    initnn_rng rng;
    initnn_layer_diag diag[DEPTH];
    float *X;
    int width, batch, k, l, i;

    tutorial_start(&t, argc, argv, "04 Glorot/Xavier: Var(W) = 2/(n_in+n_out), and 10 tanh layers");

    exercises(&t);
    initnn_rng_seed_stream(&rng, t.seed, 1);
    check_glorot_uniform(&t, &rng);

    width = t.fast ? 128 : 256;
    batch = t.fast ? 64 : 128;
    X = (float *)malloc((size_t)batch * width * sizeof(float));
    if (!X) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    for (i = 0; i < batch * width; i++) X[i] = initnn_rng_normal(&rng);

    for (k = 0; k < INITS; k++) {
        initnn_net *net;
        double s, q;
        tutorial_require(initnn_net_create(&net, width, batch, t.seed), "initnn_net_create");
        for (l = 0; l < DEPTH; l++)
            tutorial_require(initnn_net_add_dense(net, width, "tanh", specs[k], "zeros"), "initnn_net_add_dense");
        tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, batch), "initnn_net_diagnose");
        s = k == 0 ? 0.01 * 0.01 : k == 1 ? 1.0 : 2.0 / (2.0 * width);
        q = width * s * initnn_second_moment(X, (size_t)batch * width);
        for (l = 0; l < DEPTH; l++) {
            double e = mean_tanh_power(q, 2);
            predicted_std[k][l] = sqrt(e);
            predicted_saturated[k][l] = saturated_fraction(q);
            measured_std[k][l] = sqrt(diag[l].activation.variance);
            measured_saturated[k][l] = diag[l].saturated_fraction;
            /* The error carried from below, shrunk by tanh, plus this
               layer's own (squared standard errors of log q). */
            log_q_se[k][l] = (l ? pow(tanh_sensitivity(q_at[k][l - 1]), 2) * log_q_se[k][l - 1] : 0.0) +
                             tutorial_factor_variance(l ? net->layers[l - 1].y : X, batch, width, width);
            q_at[k][l] = q;
            q = width * s * e;
        }
        for (l = 0; l < DEPTH; l++) log_q_se[k][l] = sqrt(log_q_se[k][l]);
        initnn_net_free(net);
    }

    printf("B. %d tanh layers of width %d, batch %d: std(y_l) measured (mean field)\n", DEPTH, width, batch);
    printf("%-5s %17s %17s %17s %17s\n", "", labels[0], labels[1], labels[2], "saturated, std 1");
    printf("%-5s", "layer");
    for (k = 0; k <= INITS; k++) printf(" %8s %8s", "measured", "(m.f.)");
    printf("\n");
    for (l = 0; l < DEPTH; l++) {
        printf("%-5d", l + 1);
        for (k = 0; k < INITS; k++) printf(" %8.3g %8.3g", measured_std[k][l], predicted_std[k][l]);
        printf(" %8.3f %8.3f\n", measured_saturated[1][l], predicted_saturated[1][l]);
    }
    tutorial_print_heading();
    for (k = 0; k < INITS; k++) {
        char claim[64];
        double q = q_at[k][DEPTH - 1], f = mean_tanh_power(q, 2);
        double from_weights = tanh_sensitivity(q) * log_q_se[k][DEPTH - 1];
        double from_sampling = sqrt((mean_tanh_power(q, 4) - f * f) / ((double)batch * width)) / f;
        snprintf(claim, sizeof claim, "%s: std(y_%d)", labels[k], DEPTH);
        tutorial_relative(&t, claim, predicted_std[k][DEPTH - 1], measured_std[k][DEPTH - 1],
                          exp(4.0 * 0.5 * sqrt(from_weights * from_weights + from_sampling * from_sampling)) - 1.0);
    }
    {
        /* std 1 saturates most at the last layer, xavier at the first,
           where q_1 = E[x^2] = 1 is largest. */
        static const int init_of[] = {1, 2}, layer_of[] = {DEPTH - 1, 0};
        for (i = 0; i < 2; i++) {
            char claim[64];
            int k2 = init_of[i], l2 = layer_of[i];
            double p = predicted_saturated[k2][l2];
            double se = sqrt(p * (1.0 - p) / ((double)batch * width) +
                             pow(saturation_sensitivity(q_at[k2][l2]) * log_q_se[k2][l2], 2));
            snprintf(claim, sizeof claim, "%s: saturated at layer %d", labels[k2], l2 + 1);
            tutorial_absolute(&t, claim, p, measured_saturated[k2][l2], 4.0 * se);
        }
    }
    {
        static const char *const theory_labels[] = {"std 0.01, mean field", "std 1, mean field", "xavier, mean field"};
        double layers[DEPTH];
        initnn_plot_series series[2 * INITS];
        tutorial_index(layers, DEPTH, 1);
        for (k = 0; k < 2 * INITS; k++)
            series[k] = tutorial_series(k < INITS ? labels[k] : theory_labels[k - INITS], layers,
                                        k < INITS ? measured_std[k] : predicted_std[k - INITS], DEPTH);
        tutorial_plot(&t, "std of tanh activations per layer, measured and mean field", "layer", "std(y_l)", 1,
                      series, 2 * INITS);
    }
    free(X);
    return tutorial_finish(&t);
}
