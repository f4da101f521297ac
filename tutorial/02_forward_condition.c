/* 02_forward_condition.c - LeCun's forward condition n Var(w) = 1.

   CLAIM
      In a stack of L linear layers z_l = z_{l-1} W_l, each W_l (n, n) with
      independent zero-mean entries of variance c/n, the activation variance
      is multiplied by c at every layer:
         Var(z_L) = c^L Var(x).
      Only c = 1, i.e. n Var(w) = 1 (LeCun et al. 1998), keeps it constant;
      over 50 layers c = 0.5 shrinks it by 0.5^50 = 8.9e-16 and c = 2 grows
      it by 2^50 = 1.1e15 (the table's last column).

   DERIVATION
      Step 01 with Var(w) = c/n, applied to one layer: each unit of z_l sums n
      products of a weight and an input that are independent (W_l is drawn
      after, and independently of, everything that made z_{l-1}), so
         Var(z_l) = n (c/n) Var(z_{l-1}) = c Var(z_{l-1}),
      and the L factors multiply. The inputs need not be independent of each
      other or zero mean: E[w] = 0 is enough (E[z^2] = n Var(w) E[x^2]).

   MEASUREMENT AND TOLERANCE
      One net of 50 dense identity layers per c, kernel spec
      "variance_scaling:c,fan_in,normal" (exactly Var(w) = c/fan_in), a batch
      X of standard normal rows; initnn_net_diagnose gives the second moment
      of every layer's pre-activation. The three nets draw the same normals
      (the seed is the same), scaled by sqrt(c), so measured / c^L is the
      same number for all three.
      The measured ratio Var(z_L)/Var(x) is a product of L per-layer factors
      r_l = ||Y W||^2 / ||Y||^2 (Y the layer's input batch). For a fixed Y and
      m output units, r_l / c has mean 1 and variance
         2 tr(G^2) / (m tr(G)^2),   G = Y^T Y,
      (a sum of m independent quadratic forms of Gaussian columns). tr(G^2) /
      tr(G)^2 is 1/rank for a flat spectrum, but deep products concentrate the
      spectrum on a few directions, so it is measured rather than assumed.
      The log-errors of the layers add up, so
         SE(log ratio) = sqrt(sum_l 2 tr(G_l^2) / (m tr(G_l)^2)),
      and the claim passes if |log(measured/predicted)| <= 4 SE. At depth 50
      that allows a factor exp(4 SE) of a few (printed), wide in absolute
      terms and 30 orders of magnitude narrow against c^L; the claim is
      printed per layer, (Var(z_L)/Var(x))^(1/L) against c, with the
      tolerance exp(4 SE / L) - 1 in the tol column. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 50

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Var(w) = c/n with c = 0.9: predict E[z_50^2] / E[x^2] after 50 linear layers.",
         pow(0.9, 50), 0.01},
        {"Put a ReLU after each of the 50 layers and keep c = 2. Predict the per-layer factor of E[z^2] (step 05 gives the ReLU part).",
         2.0 / 2.0, 0.01},
        {"Break it: build the nets with 1.1 times the c of the spec (\"variance_scaling:%g,fan_in,normal\", 1.1 * scales[c]), a 10% error in Var(w). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const double scales[] = {0.5, 1.0, 2.0};
    enum { SCALE_COUNT = sizeof scales / sizeof scales[0] };
    static const int shown[] = {0, 10, 20, 30, 40, 50};
    double profile[SCALE_COUNT][DEPTH + 1];
    double log_se = 0.0, input_moment;
    tutorial t;
    initnn_rng rng;
    initnn_layer_diag diag[DEPTH];
    float *X;
    int width, batch, c, l, i;

    tutorial_start(&t, argc, argv, "02 the forward condition: Var(z_L) = c^L Var(x) for Var(w) = c/n");

    exercises(&t);
    width = t.fast ? 128 : 256;
    batch = t.fast ? 64 : 128;
    X = (float *)malloc((size_t)batch * width * sizeof(float));
    if (!X) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed_stream(&rng, t.seed, 1);
    for (i = 0; i < batch * width; i++) X[i] = initnn_rng_normal(&rng);
    input_moment = initnn_second_moment(X, (size_t)batch * width);

    for (c = 0; c < SCALE_COUNT; c++) {
        initnn_net *net;
        char spec[64];
        snprintf(spec, sizeof spec, "variance_scaling:%g,fan_in,normal", scales[c]);
        tutorial_require(initnn_net_create(&net, width, batch, t.seed), "initnn_net_create");
        for (l = 0; l < DEPTH; l++)
            tutorial_require(initnn_net_add_dense(net, width, "identity", spec, "zeros"), "initnn_net_add_dense");
        tutorial_require(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, batch), "initnn_net_diagnose");
        profile[c][0] = 1.0;
        for (l = 1; l <= DEPTH; l++) profile[c][l] = diag[l - 1].pre_activation.second_moment / input_moment;
        /* The spectra, hence the standard error, are those of the c = 1 net:
           the others are the same matrices times a constant. */
        if (scales[c] == 1.0)
            for (l = 0; l < DEPTH; l++)
                log_se += tutorial_factor_variance(l ? net->layers[l - 1].y : X, batch, width, width);
        initnn_net_free(net);
    }
    log_se = sqrt(log_se);

    printf("width %d, batch %d; E[z_l^2] / E[x^2] at layer l:\n", width, batch);
    printf("%-8s", "layer");
    for (i = 0; i < (int)(sizeof shown / sizeof shown[0]); i++) printf(" %9d", shown[i]);
    printf("  per layer  c^%d (predicted)\n", DEPTH);
    for (c = 0; c < SCALE_COUNT; c++) {
        printf("c = %-4g", scales[c]);
        for (i = 0; i < (int)(sizeof shown / sizeof shown[0]); i++) printf(" %9.3g", profile[c][shown[i]]);
        printf("  %9.4f  %9.2g\n", pow(profile[c][DEPTH], 1.0 / DEPTH), pow(scales[c], DEPTH));
    }
    printf("SE of log(Var z_%d / (c^%d Var x)) = %.3f: a factor exp(4 SE) = %.2f\n", DEPTH, DEPTH, log_se,
           exp(4.0 * log_se));
    tutorial_print_heading();
    for (c = 0; c < SCALE_COUNT; c++) {
        char claim[64];
        snprintf(claim, sizeof claim, "c=%g: (Var z_%d / Var x)^(1/%d)", scales[c], DEPTH, DEPTH);
        tutorial_relative(&t, claim, scales[c], pow(profile[c][DEPTH], 1.0 / DEPTH),
                          exp(4.0 * log_se / DEPTH) - 1.0);
    }
    {
        double layers[DEPTH + 1];
        initnn_plot_series series[SCALE_COUNT];
        char labels[SCALE_COUNT][32];
        tutorial_index(layers, DEPTH + 1, 0);
        for (c = 0; c < SCALE_COUNT; c++) {
            snprintf(labels[c], sizeof labels[c], "Var(w) = %g/n", scales[c]);
            series[c] = tutorial_series(labels[c], layers, profile[c], DEPTH + 1);
        }
        tutorial_plot(&t, "Forward condition: E[z_l^2] / E[x^2] through 50 linear layers", "layer l",
                      "E[z_l^2] / E[x^2]", 1, series, SCALE_COUNT);
    }
    free(X);
    return tutorial_finish(&t);
}
