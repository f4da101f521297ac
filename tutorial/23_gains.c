/* 23_gains.c - the gain that keeps E[z^2] at 1 through an activation is
   1 / sqrt(E[phi(z)^2]); the table's 5/3 for tanh, 1 for sigmoid and 3/4
   for SELU are other choices, with other fixed points. Keeping E[z^2] is
   not keeping the gradient (see the end of this comment, and step 27).

   CLAIM
      100 dense layers of width 128, zero biases, Var(W) = g^2 / fan_in
      ("variance_scaling:g^2,fan_in,normal"), inputs x = phi(u) with
      u ~ N(0, 1) (the outputs of a layer whose pre-activations had unit
      second moment). With g = initnn_gain_numeric(phi) = 1 / sqrt(E[phi(u)^2])
      (tanh 1.5925, sigmoid 1.8462, SELU 1) the second moment of the
      pre-activations is 1 at every layer. With initnn_gain's table values
      (tanh 5/3, sigmoid 1, SELU 3/4, PyTorch's calculate_gain) it drifts to
      another fixed point: tanh 1.178, sigmoid 0.265, SELU 0.023. The
      mean-field recursion (initnn_theory_predict) predicts every layer.
      The gains themselves are checked against references outside the
      header: initnn_gain_numeric against the step's own quadrature of
      E[phi(u)^2], initnn_gain against PyTorch's calculate_gain values
      (5/3, 1, 3/4), both within 1e-6 (float gains carry 6e-8).

   DERIVATION
      z_l = W_l phi(z_{l-1}), W_l independent of z_{l-1} (step 01):
         q_l = E[z_l^2] = g^2 E[phi(sqrt(q_{l-1}) u)^2],  u ~ N(0, 1).
      q = 1 is a fixed point iff g^2 E[phi(u)^2] = 1, which is how
      initnn_gain_numeric defines g (ReLU: sqrt 2 exactly; tanh:
      1 / sqrt(E[tanh(u)^2]) = 1.5925, printed; SELU: 1, E[selu(u)^2] = 1
      being its design, Klambauer et al. 2017). The first layer sees
      x = phi(u): q_1 = g^2 E[phi(u)^2], 1 for the numeric gain. With another g the recursion settles where
      g^2 E[phi(sqrt q) ^2] = q: for tanh (bounded, concave E[tanh^2] in q)
      and sigmoid (E[sigmoid^2] >= 1/4, so q* >= g^2 / 4) within a few
      layers; for SELU with g = 3/4, q shrinks by ~9/16 per layer while
      q ~ 1 until E[selu(z)^2] / q grows (to 1.9 lambda^2 as q -> 0, the
      negative branch) and balances g^2 at q* = 0.023.

   MEASUREMENT AND TOLERANCE
      K = 8 nets per configuration (--fast: width 64, K = 6), a batch of
      32 inputs, initnn_net_diagnose. Near a fixed point a layer's E[z^2]
      fluctuates by ~sqrt(2 / n) around it (step 02) and the errors of
      successive layers are correlated (damped by d log q_l / d log q_{l-1}
      < 1), so the claim compares the mean of q over layers 51-100 with the
      prediction's mean over the same layers: per net that average is a
      single number, and the K nets' spread s of its log gives the standard
      error s / sqrt(K); tolerance t s / sqrt(K) (t = 5.408 for K = 8, 6.869
      for K = 6: the two-sided 0.1% point of Student's t with K - 1 degrees
      of freedom) plus the lognormal drift s^2 / 2, shown as exp(...) - 1.
      The table gains' fixed points are far from 1 (tanh 1.178, sigmoid
      0.265, SELU 0.023, as printed).

   WHAT THE GAIN DOES NOT KEEP
      1 / sqrt(E[phi^2]) keeps the forward second moment; the gradient is
      multiplied per layer by chi_1 = g^2 E[phi'(sqrt(q*) u)^2] (step 16),
      another expectation. For tanh without bias, g = 1.5925 at q* = 1
      gives chi_1 = 1.178, and 5/3 at its q* = 1.178 gives 1.210: both in
      the chaotic phase, gradients growing about 1.18x (1.21x) per layer
      toward the input; the critical sigma_w^2 of tanh at sigma_b^2 = 0 is
      1 (chi_1 = 1 only as q* -> 0). Step 27 measures it. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 100
#define FIRST_AVERAGED 50      /* layers 51..100 (0-based 50..99) */
#define MAX_NETS 8

/* E[phi(u)^2] for u ~ N(0, 1) by composite Simpson on [-12, 12]: the
   step's own reference for the numeric gains. */
static double reference_second_moment(int activation)
{
    const int panels = 20000;
    const double lo = -12.0, h = 24.0 / panels;
    const double selu_lambda = 1.0507009873554805, selu_alpha = 1.6732632423543772;   /* Klambauer et al. */
    double sum = 0.0;
    int i;
    for (i = 0; i <= panels; i++) {
        double u = lo + i * h, y;
        if (activation == 0) y = tanh(u);
        else if (activation == 1) y = 1.0 / (1.0 + exp(-u));
        else y = u > 0.0 ? selu_lambda * u : selu_lambda * selu_alpha * expm1(u);
        sum += (i == 0 || i == panels ? 1.0 : (i % 2 ? 4.0 : 2.0)) * y * y * exp(-0.5 * u * u);
    }
    return sum * h / 3.0 / sqrt(2.0 * 3.14159265358979323846);
}

static void mean_and_spread(const double *v, int k, double *mean, double *spread)
{
    double m = 0.0, s = 0.0;
    int i;
    for (i = 0; i < k; i++) m += v[i] / k;
    for (i = 0; i < k; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *spread = sqrt(s / (k - 1));
}

typedef struct config {
    const char *activation;
    const char *gain_kind;       /* "table" or "numeric" */
    double gain;
    double predicted[DEPTH];
    double measured[DEPTH];      /* mean over nets */
    double level_log[MAX_NETS];  /* log of the net's mean q over layers 51-100 */
} config;

static void run(config *c, int width, int batch, int nets, uint64_t seed)
{
    static initnn_layer_theory table[DEPTH];
    initnn_layer_diag diag[DEPTH];
    initnn_net *net;
    initnn_rng rng;
    char kernel[64];
    float *U = (float *)malloc((size_t)batch * width * sizeof(float));
    float *X = (float *)malloc((size_t)batch * width * sizeof(float));
    double input_m2;
    int activation, l, r, i;
    float param;
    if (!U || !X) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    tutorial_require(initnn_activation_parse(&activation, &param, c->activation), "initnn_activation_parse");
    snprintf(kernel, sizeof kernel, "variance_scaling:%.12g,fan_in,normal", c->gain * c->gain);
    tutorial_require(initnn_net_create(&net, width, batch, seed), "initnn_net_create");
    for (l = 0; l < DEPTH; l++)
        tutorial_require(initnn_net_add_dense(net, width, c->activation, kernel, "zeros"), "initnn_net_add_dense");
    /* x = phi(u): E[x^2] = E[phi(u)^2] = 1 / g_numeric^2 */
    input_m2 = 1.0 / (initnn_gain_numeric(c->activation, 0.0f) * initnn_gain_numeric(c->activation, 0.0f));
    tutorial_require(initnn_theory_predict(table, net, input_m2), "initnn_theory_predict");
    for (l = 0; l < DEPTH; l++) {
        c->predicted[l] = table[l].q_predicted;
        c->measured[l] = 0.0;
    }
    initnn_rng_seed_stream(&rng, seed, 23);
    for (r = 0; r < nets; r++) {
        double level = 0.0;
        for (i = 0; i < batch * width; i++) U[i] = initnn_rng_normal(&rng);
        initnn_activation_forward(X, U, (size_t)batch * width, width, activation, param);
        tutorial_require(initnn_net_reinit(net, seed * 1000 + (uint64_t)r), "initnn_net_reinit");
        tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, batch), "initnn_net_diagnose");
        for (l = 0; l < DEPTH; l++) c->measured[l] += diag[l].pre_activation.second_moment / nets;
        for (l = FIRST_AVERAGED; l < DEPTH; l++) level += diag[l].pre_activation.second_moment / (DEPTH - FIRST_AVERAGED);
        c->level_log[r] = log(level);
    }
    initnn_net_free(net);
    free(U);
    free(X);
}

static void write_plot(const char *path, const config *configs, int count)
{
    static double x[DEPTH];
    static char labels[6][48];
    initnn_plot_series series[6];
    initnn_plot plot;
    int k, l;
    for (l = 0; l < DEPTH; l++) x[l] = l + 1;
    for (k = 0; k < count; k++) {
        snprintf(labels[k], sizeof labels[k], "%s %s %.3g", configs[k].activation, configs[k].gain_kind,
                 configs[k].gain);
        series[k] = tutorial_series(labels[k], x, configs[k].measured, DEPTH);
    }
    memset(&plot, 0, sizeof plot);
    plot.title = "E[z_l^2] through 100 layers, table gain vs numeric gain (measured)";
    plot.x_label = "layer l";
    plot.y_label = "E[z_l^2]";
    plot.log_y = 1;
    tutorial_require(initnn_plot_svg(path, &plot, series, count), "initnn_plot_svg");
    printf("figure written to %s\n", path);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Predict the numeric gain 1/sqrt(E[relu(u)^2]) for ReLU.",
         sqrt(2.0), 0.002},
        {"tanh with g = 1.5925 at q* = 1: predict chi_1 = g^2 E[tanh'(u)^2] (step 27 measures it).",
         1.1778, 0.01},
        {"Break it: average diag[l].activation.second_moment (E[phi(z)^2]) instead of the pre-activation's E[z^2] in level. Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const activations[3] = {"tanh", "sigmoid", "selu"};
    static const int shown[] = {1, 2, 5, 10, 50, 100};
    enum { SHOWN = sizeof shown / sizeof shown[0] };
    static config configs[6];
    tutorial t;
    double t_quantile;
    int width, batch = 32, nets, k, i, l;

    tutorial_start(&t, argc, argv, "23 gains: 1/sqrt(E[phi^2]) holds E[z^2] = 1 through 100 layers");

    exercises(&t);
    width = t.fast ? 64 : 128;
    nets = t.fast ? 6 : 8;
    t_quantile = t.fast ? 6.869 : 5.408;   /* two-sided 0.1% point, nets - 1 degrees of freedom */
    for (k = 0; k < 6; k++) {
        config *c = &configs[k];
        c->activation = activations[k / 2];
        c->gain_kind = k % 2 ? "numeric" : "table";
        c->gain = k % 2 ? initnn_gain_numeric(c->activation, 0.0f) : initnn_gain(c->activation, 0.0f);
        if (!(c->gain > 0.0)) tutorial_require(INITNN_ERR_ARGUMENT, "gain");
        run(c, width, batch, nets, t.seed);
    }

    printf("width %d, batch %d, %d nets each; E[z_l^2] predicted / measured (mean over nets)\n%-24s", width, batch,
           nets, "layer");
    for (i = 0; i < SHOWN; i++) printf(" %8d", shown[i]);
    printf("\n");
    for (k = 0; k < 6; k++) {
        printf("%-7s %-7s %6.4f  ", configs[k].activation, configs[k].gain_kind, configs[k].gain);
        for (i = 0; i < SHOWN; i++) printf(" %8.4g", configs[k].predicted[shown[i] - 1]);
        printf("\n%24s", "measured  ");
        for (i = 0; i < SHOWN; i++) printf(" %8.4g", configs[k].measured[shown[i] - 1]);
        printf("\n");
    }
    tutorial_rule_student(t_quantile, nets);
    tutorial_print_heading();
    for (k = 0; k < 6; k++) {
        const config *c = &configs[k];
        double predicted = 0.0, mean, spread;
        char claim[64];
        for (l = FIRST_AVERAGED; l < DEPTH; l++) predicted += c->predicted[l] / (DEPTH - FIRST_AVERAGED);
        mean_and_spread(c->level_log, nets, &mean, &spread);
        snprintf(claim, sizeof claim, "%s %s %.4g: q_51..100", c->activation, c->gain_kind, c->gain);
        tutorial_relative(&t, claim, predicted, exp(mean),
                          exp(t_quantile * spread / sqrt((double)nets) + 0.5 * spread * spread) - 1.0);
    }
    {
        /* the gains themselves, against references outside the header: the
           step's quadrature, and PyTorch's calculate_gain table */
        static const double table_gains[3] = {5.0 / 3.0, 1.0, 0.75};
        double worst_numeric = 0.0, worst_table = 0.0;
        for (k = 0; k < 3; k++) {
            double numeric = 1.0 / sqrt(reference_second_moment(k));
            double e1 = fabs(initnn_gain_numeric(activations[k], 0.0f) / numeric - 1.0);
            double e2 = fabs(initnn_gain(activations[k], 0.0f) / table_gains[k] - 1.0);
            if (e1 > worst_numeric) worst_numeric = e1;
            if (e2 > worst_table) worst_table = e2;
        }
        tutorial_absolute(&t, "numeric gains vs quadrature, max", 0.0, worst_numeric, 1e-6);
        tutorial_absolute(&t, "table gains vs calculate_gain, max", 0.0, worst_table, 1e-6);
    }
    printf("only the numeric gains hold E[z^2] = 1; the table's settle at other fixed points\n");
    if (t.plot_path) {
        write_plot(t.plot_path, configs, 6);
        t.plotted = 1;   /* its own plot: tutorial_finish need not say there is none */
    }
    return tutorial_finish(&t);
}
