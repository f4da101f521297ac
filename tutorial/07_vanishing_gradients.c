/* 07_vanishing_gradients.c - why a deep sigmoid net cannot train its first
   layers.

   CLAIMS
      Backpropagation through a dense layer and its activation phi,
         delta_{l-1} = (delta_l W_l^T) * phi'(z_{l-1})   (elementwise),
      multiplies the gradient's second moment by
         chi_l = n_out Var(w) E[phi'(z_{l-1})^2]
      (step 03's backward factor, times E[phi'^2], assuming phi'(z_{l-1}) is
      independent of delta_l W_l^T). For the sigmoid, phi' = s (1 - s) <= 1/4,
      so even with Glorot's n Var(w) = 1, chi <= 1/16: the gradient loses a
      factor of at least 4 in norm per layer on its way to the input.
      1. With z ~ N(0, q_l) (mean field, step 04), chi_l = E[s'(z)^2] is
         computable: 0.0557 per layer from layer 4 on (the "chi m.f."
         column), 0.0543 as the geometric mean over the 9 backward steps.
         The measured per-layer factor of E[delta^2] matches it.
      2. A bound that holds for every net, not only on average: since
         |phi'| <= 1/4 elementwise and ||D W^T||_F <= ||W||_2 ||D||_F,
            ||delta_{l-1}||_F <= ||W_l||_2 ||delta_l||_F / 4.
      3. So every layer's gradient norm is below that of the layer above.
      The control: ReLU with He (step 06) has chi = 2 * 1/2 = 1 and keeps
      E[delta^2], the second moment of dL/dz, through the same depth. It
      does not keep the weight gradients' norms: at full size they rise
      from 1.91 (layer 1) to 8.73 (layer 10). dL/dW_l = y_{l-1}^T delta_l
      sums over the batch, ||dL/dW_l||^2 = tr(G_y G_delta) with G the batch
      Gram matrices, and that trace depends on how alike the samples are,
      not only on E[y^2] E[delta^2]: layer 1's input x is uncorrelated
      across samples, while ReLU outputs have a positive mean and grow more
      correlated with depth (step 17), so the sum over the batch adds up
      more coherently in the deeper layers. Keeping E[delta^2] is not
      keeping every gradient norm.

   DERIVATION (of chi)
      Unit i of layer l-1 gets g_i = sum_j W[i][j] delta_j over n_out terms,
      so E[g^2] = n_out Var(w) E[delta_l^2] (step 01), then
      E[(g phi')^2] = E[g^2] E[phi'^2] by the independence assumed above.
      For the sigmoid nets here q_1 = n Var(w) E[x^2] and
      q_{l+1} = n Var(w) E[s(z_l)^2] (the second moment again: s has mean
      1/2, so E[s^2] > 1/4). initnn_activation_moments gives E[s^2] and
      E[s'^2] for z ~ N(0, q).

   MEASUREMENT AND TOLERANCE
      10 hidden layers of width n (256; --fast 128) and a softmax output of
      10 classes, batch of N(0, 1) inputs with random labels; initnn_net_diagnose
      gives each layer's E[delta^2] (delta.second_moment) and grad_norm.
      Claim 1 compares the per-layer factor (E[delta_1^2]/E[delta_10^2])^(1/9)
      with the geometric mean of the predicted chi_l. Its log-error adds up
      over 9 backward steps, each with two parts (as in step 06):
      - matrix step: relative variance 2 tr(H^2) / (n_in tr(H)^2), H the Gram
        matrix of delta_l;
      - activation step: unit j keeps a fraction rho_j of its ||g_j||^2,
        independent across units; relative variance
        Var(rho) sum_j ||g_j||^4 / (sum_j ||g_j||^2)^2 / E[rho]^2.
      The mean-field q has its own error, but chi moves little over the
      whole range of q met here, far less than the tolerance. SE is the root of
      the summed variances. The independence of phi'(z_{l-1}) and
      delta_l W_l^T holds only up to O(1/n) per layer (both depend on the
      same forward pass): over a sweep of seeds the ReLU factor's log shows
      a bias of about 1/n per layer, and a spread somewhat wider than the SE
      above, because the errors of consecutive steps are slightly correlated
      and the sum leaves that out. The tolerance on the log of the 9-layer
      ratio is therefore 5 SE (4 SE widened for that excess, with a
      margin) + SE^2/2 (the
      lognormal drift of step 06) + 9/n, printed per layer as
      exp((...)/9) - 1.
      Claim 2 needs ||W_l||_2, from 50 power iterations on W^T W. They
      approach ||W||_2 from below, which only makes the check stricter. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define HIDDEN 10
#define CLASSES 10

/* ||W||_2 of W (rows, cols), from below, by power iteration on W^T W. */
static double spectral_norm(const float *W, int rows, int cols, initnn_rng *rng)
{
    double *v = (double *)malloc((size_t)cols * sizeof(double));
    double *u = (double *)malloc((size_t)rows * sizeof(double));
    double norm = 0.0;
    int i, j, iteration;
    if (!v || !u) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    for (j = 0; j < cols; j++) v[j] = initnn_rng_normal_double(rng);
    for (iteration = 0; iteration < 50; iteration++) {
        double length = 0.0;
        for (i = 0; i < rows; i++) {
            u[i] = 0.0;
            for (j = 0; j < cols; j++) u[i] += (double)W[(size_t)i * cols + j] * v[j];
        }
        for (j = 0; j < cols; j++) v[j] = 0.0;
        for (i = 0; i < rows; i++)
            for (j = 0; j < cols; j++) v[j] += (double)W[(size_t)i * cols + j] * u[i];
        for (j = 0; j < cols; j++) length += v[j] * v[j];
        length = sqrt(length);
        norm = sqrt(length);    /* ||W^T W v|| -> ||W||^2 for a unit v */
        for (j = 0; j < cols; j++) v[j] /= length;
    }
    free(v);
    free(u);
    return norm;
}

typedef struct gradient_profile {
    double delta[HIDDEN];        /* E[delta_l^2]                                  */
    double grad_norm[HIDDEN];
    double predicted_chi[HIDDEN];   /* chi from layer l to l-1 (l >= 1)           */
    double log_se;
    double worst_bound_ratio;    /* max over l of ||delta_{l-1}|| / (||W_l|| ||delta_l|| / 4) */
} gradient_profile;

/* weight_scale is n Var(w) of the kernel spec: 1 for glorot_normal on equal
   widths, 2 for he_normal. */
static void measure(gradient_profile *out, const char *activation, int activation_id, const char *kernel,
                    double weight_scale, const float *X, const int *labels, int batch, int width,
                    const tutorial *t)
{
    initnn_net *net;
    initnn_layer_diag diag[HIDDEN + 1];
    initnn_rng power_rng;
    float *g = (float *)malloc((size_t)batch * width * sizeof(float));
    double q, variance = 0.0;
    int l;
    if (!g) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    tutorial_require(initnn_net_create(&net, width, batch, t->seed), "initnn_net_create");
    for (l = 0; l < HIDDEN; l++)
        tutorial_require(initnn_net_add_dense(net, width, activation, kernel, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, CLASSES, "softmax", "glorot_normal", "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_diagnose(net, diag, NULL, X, labels, NULL, batch), "initnn_net_diagnose");

    /* The mean-field chain: q_l, then chi_l from E[phi'(z_{l-1})^2]. */
    q = weight_scale * initnn_second_moment(X, (size_t)batch * width);
    for (l = 0; l < HIDDEN; l++) {
        initnn_moments moments;
        tutorial_require(initnn_activation_moments(&moments, activation_id, 0.0f, q), "initnn_activation_moments");
        if (l + 1 < HIDDEN) out->predicted_chi[l + 1] = weight_scale * moments.slope2;
        q = weight_scale * moments.second;
    }

    initnn_rng_seed_stream(&power_rng, t->seed, 2);
    out->worst_bound_ratio = 0.0;
    for (l = 0; l < HIDDEN; l++) {
        out->delta[l] = diag[l].delta.second_moment;
        out->grad_norm[l] = diag[l].grad_norm;
    }
    for (l = 1; l < HIDDEN; l++) {
        const initnn_layer *above = &net->layers[l], *below = &net->layers[l - 1];
        double ratio;
        /* g = dL/dy of layer l-1, before its activation's derivative */
        initnn_matmul_nt(g, above->dz, above->W, batch, width, width, 0);
        variance += tutorial_factor_variance(above->dz, batch, width, width);
        variance += tutorial_activation_step_variance(g, below->dz, batch, width);
        ratio = sqrt(out->delta[l - 1] / out->delta[l]) / (spectral_norm(above->W, width, width, &power_rng) / 4.0);
        if (ratio > out->worst_bound_ratio) out->worst_bound_ratio = ratio;
    }
    out->log_se = sqrt(variance);
    free(g);
    initnn_net_free(net);
}

/* The tolerance on the log of the ratio over the HIDDEN - 1 backward steps. */
static double log_tolerance(double log_se, int width)
{
    return 5.0 * log_se + 0.5 * log_se * log_se + (double)(HIDDEN - 1) / width;
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Glorot (n Var(w) = 1) sigmoid layers: predict the largest per-layer factor chi of E[delta^2] the bound s' <= 1/4 allows.",
         1.0 / 16.0, 0.005},
        {"At chi = 0.0557 per layer, predict E[delta_1^2] / E[delta_10^2] over the 9 backward steps.",
         pow(0.0557, 9), 0.02},
        {"Break it: measure the ReLU net with kernel \"glorot_normal\" instead of \"he_normal\" (the measure() call for relu). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         4, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    tutorial t;
    initnn_rng rng;
    gradient_profile sigmoid, relu;
    float *X;
    int *labels;
    int width, batch, l, i;
    double predicted_sigmoid = 1.0, worst_falling = 0.0;

    tutorial_start(&t, argc, argv, "07 vanishing gradients: sigmoid' <= 1/4 at every layer");

    exercises(&t);
    width = t.fast ? 128 : 256;
    batch = t.fast ? 64 : 128;
    X = (float *)malloc((size_t)batch * width * sizeof(float));
    labels = (int *)malloc((size_t)batch * sizeof(int));
    if (!X || !labels) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    initnn_rng_seed_stream(&rng, t.seed, 1);
    for (i = 0; i < batch * width; i++) X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < batch; i++) labels[i] = (int)initnn_rng_below(&rng, CLASSES);

    measure(&sigmoid, "sigmoid", INITNN_ACT_SIGMOID, "glorot_normal", 1.0, X, labels, batch, width, &t);
    measure(&relu, "relu", INITNN_ACT_RELU, "he_normal", 2.0, X, labels, batch, width, &t);

    printf("%d hidden layers of width %d + softmax(%d), batch %d\n", HIDDEN, width, CLASSES, batch);
    printf("%-6s %24s %12s   %s\n", "", "sigmoid, glorot_normal", "", "relu, he_normal");
    printf("%-6s %11s %11s %9s %11s %11s\n", "layer", "grad_norm", "E[delta^2]", "chi m.f.", "grad_norm",
           "E[delta^2]");
    for (l = 0; l < HIDDEN; l++) {
        printf("%-6d %11.3g %11.3g ", l + 1, sigmoid.grad_norm[l], sigmoid.delta[l]);
        if (l > 0) printf("%9.4f", sigmoid.predicted_chi[l]);
        else printf("%9s", "");
        printf(" %11.3g %11.3g\n", relu.grad_norm[l], relu.delta[l]);
        if (l > 0) {
            predicted_sigmoid *= sigmoid.predicted_chi[l];
            if (sigmoid.grad_norm[l - 1] / sigmoid.grad_norm[l] > worst_falling)
                worst_falling = sigmoid.grad_norm[l - 1] / sigmoid.grad_norm[l];
        }
    }
    tutorial_print_heading();
    tutorial_relative(&t, "sigmoid: E[delta^2] factor/layer", pow(predicted_sigmoid, 1.0 / (HIDDEN - 1)),
                      pow(sigmoid.delta[0] / sigmoid.delta[HIDDEN - 1], 1.0 / (HIDDEN - 1)),
                      exp(log_tolerance(sigmoid.log_se, width) / (HIDDEN - 1)) - 1.0);
    tutorial_at_most(&t, "sigmoid: |d_l-1|/(|W_l||d_l|/4)", 1.0, sigmoid.worst_bound_ratio);
    tutorial_at_most(&t, "sigmoid: grad_norm_l/grad_norm_l+1", 1.0, worst_falling);
    tutorial_relative(&t, "relu+he: E[delta^2] factor/layer", 1.0,
                      pow(relu.delta[0] / relu.delta[HIDDEN - 1], 1.0 / (HIDDEN - 1)),
                      exp(log_tolerance(relu.log_se, width) / (HIDDEN - 1)) - 1.0);
    printf("layer 1 gets %.1e of layer %d's gradient norm with sigmoid, %.2f with relu+he\n",
           sigmoid.grad_norm[0] / sigmoid.grad_norm[HIDDEN - 1], HIDDEN,
           relu.grad_norm[0] / relu.grad_norm[HIDDEN - 1]);
    {
        double layers[HIDDEN];
        initnn_plot_series series[2];
        tutorial_index(layers, HIDDEN, 1);
        series[0] = tutorial_series("sigmoid, glorot_normal", layers, sigmoid.grad_norm, HIDDEN);
        series[1] = tutorial_series("relu, he_normal", layers, relu.grad_norm, HIDDEN);
        tutorial_plot(&t, "Gradient norm of each hidden layer's weights at initialization", "layer",
                      "||dL/dW_l||", 1, series, 2);
    }
    free(X);
    free(labels);
    return tutorial_finish(&t);
}
