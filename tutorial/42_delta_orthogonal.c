/* 42_delta_orthogonal.c - delta-orthogonal kernels keep a deep tanh CNN's
   Jacobian an isometry; Gaussian kernels of the same variance do not.

   CLAIMS
      A CNN of L conv layers (C = 32 channels, 1 x 3 kernels on rows of 8
      pixels, stride 1, "same" zero padding), tanh, at the critical point
      of the mean-field theory: sigma_b^2 = 1e-5, sigma_w^2 = 1.0395 from
      initnn_theory_critical_sigma_w2, so chi_1 = sigma_w^2 E[tanh'(z)^2]
      = 1 at the fixed point q* = 0.0203 (steps 16, 18). Its input-output
      Jacobian J (N x N, N = C x 8 = 256) has squared singular values
      lambda = s^2. With delta-orthogonal kernels (Xiao et al. 2018,
      "Dynamical Isometry and a Mean Field Theory of CNNs", Algorithm 2:
      an orthogonal C x C matrix times sqrt(sigma_w^2) at the centre tap,
      zero elsewhere):
      1. the mean of lambda over the spectrum is chi_1^L = 1 at every depth;
      2. its variance is L (mu2 / mu1^2 - 1) = 0.00275 L, mu_k =
         E[tanh'(z)^(2k)] at q* (Pennington et al. 2017; step 18): 0.275 at
         L = 100 -- the singular values stay near 1.
      With Gaussian kernels of the same variance, N(0, sigma_w^2 / (3 C)),
      the same sigma_w^2 and chi_1 = 1 in the mean-field theory:
      3. the mean of lambda falls as the zero padding predicts (below):
         the kernel's outer taps read zeros at the row's ends, so the end
         positions lose signal, and the loss spreads inward one pixel per
         layer;
      4. the spread of lambda relative to its mean, Var(lambda) /
         mean(lambda)^2, is more than 10 times the delta-orthogonal net's:
         L mu2 / mu1^2 = 1.00275 L for Gaussian kernels with circular
         padding (the variance of a product of L Gaussian matrices grows by
         1 per layer even in a linear net; step 18), against 0.00275 L.

   DERIVATION
      J = W_1 D_1 W_2 D_2 ... W_L D_L, W_l the conv as a linear map on the
      C x 8 features, D_l = diag(tanh'(z_l)). A delta-orthogonal kernel
      reads only the centre tap: at every position p the layer is
      z_{l+1}(p) = g H_l^T tanh(z_l(p)) + b with H_l orthogonal, so J is
      block-diagonal, one C x C chain g H_1 D_1(p) g H_2 D_2(p) ... per
      position, each an orthogonal net of width C: step 18's orthogonal
      spectrum, mean chi_1^L, variance L (mu2 / mu1^2 - 1) (the variances
      of free factors of mean 1 add). The zero padding is never read. A
      Gaussian kernel mixes the positions; per position the mean-field
      recursions of Xiao et al. (their section 2, with the sum over the
      kernel's taps restricted to the taps inside the image, which is what
      zero padding does) are
         q_{l+1}(p) = sigma_w^2 / 3  sum over p' in N(p) of E[tanh^2](q_l(p'))
                      + sigma_b^2
         v_{l+1}(p) = sigma_w^2 / 3  E[tanh'^2](q_{l+1}(p))  sum over p' in
                      N(p) of v_l(p')
      N(p) the positions of p's window inside the row (3 inside, 2 at the
      two ends), v_l(p) the expected squared norm at p of J's image of the
      unit inputs (v_0 = 1), and mean(lambda) = the mean over p of v_L(p).
      Inside, that is chi_1 = 1 per layer; at the ends the window loses a
      third of its taps. With circular padding (Xiao et al.'s) every
      position is inside and the mean stays 1, the spread stays the
      Gaussian one. The delta-orthogonal recursion, N(p) = {p} with weight
      sigma_w^2, gives v_L = chi_1^L = 1 (claim 1). Each position's C
      inputs are scaled to E[x^2] = (q* - sigma_b^2) / sigma_w^2 exactly,
      so that q_1 = q* there (the mean square of 32 Gaussian values is
      off by 25% at one standard deviation, and at chi_1 = 1 the fixed
      point is approached only slowly).

   MEASUREMENT AND TOLERANCE
      K = 10 nets of each kind (--fast: 6), depth 100 (--fast: 50); the
      Jacobian of the first L layers at L = 10, 30, 100 (--fast: 10, 50),
      at one Gaussian input per net. J by forward-mode differentiation:
      the N unit vectors pushed through each layer's linear map (the
      library's conv forward on a twin layer with the same kernel, no bias,
      no activation) and multiplied by tanh'(z_l), z_l from the net's own
      forward pass. mean(lambda) = |J|_F^2 / N, mean(lambda^2) =
      |J^T J|_F^2 / N. Each net gives a mean and a variance; their spread
      s over the K nets gives the tolerance t s / sqrt(K), t the two-sided
      0.1% point of Student's t with K - 1 degrees of freedom (4.781 for
      K = 10, 6.869 for K = 6), as in step 18. The chains of claim 2 are 32
      wide: narrow chains spread their spectrum more than the
      free-probability (infinite-width) formula says -- build this program
      with -DCHANNELS=16 or -DCHANNELS=64 and run it with --fast to see the
      excess of var lambda over its prediction at L = 10 grow as the chains
      narrow and shrink as they widen -- so claim 2's tolerance adds 0.25 times
      the prediction to t s / sqrt(K) (printed above the claims). The
      Gaussian spread is heavy-tailed over nets, so claim 4 is a bound, with
      the prediction for circular padding, L mu2 / mu1^2, printed above it.
      A delta-orthogonal gain 10% off puts sigma_w^2 21% above the critical
      point: claim 1 then fails at L = 10 (mean lambda 3.9; the forward q
      grows as well, which holds tanh' and the growth below 1.21^L). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define SIGMA_B2 1e-5
#ifndef CHANNELS
#define CHANNELS 32
#endif
#define ROWS 1
#define COLS 8
#define TAPS 3              /* the kernel is 1 x TAPS */
#define POSITIONS (ROWS * COLS)
#define N (CHANNELS * POSITIONS)
#define MAX_NETS 10
#define MAX_DEPTHS 3
#define WIDTH_ALLOWANCE 0.25   /* the narrow chains' excess variance (comment) */

typedef struct kind {
    const char *label;
    double mean[MAX_DEPTHS][MAX_NETS], variance[MAX_DEPTHS][MAX_NETS];
} kind;

/* Whether position b lies in the 1 x 3 window of position a. */
static int neighbours(int a, int b)
{
    return abs(a - b) <= 1;
}

/* The zero-padding mean-field prediction of mean(lambda) after each of
   depth layers of Gaussian 3 x 3 kernels (the recursions of the comment). */
static void gaussian_mean_prediction(double *mean_lambda, int depth, double sigma_w2, double q_input)
{
    double q[POSITIONS], v[POSITIONS], q_next[POSITIONS], v_next[POSITIONS];
    int l, p, r;
    for (p = 0; p < POSITIONS; p++) {
        int inside = 0;
        for (r = 0; r < POSITIONS; r++) inside += neighbours(p, r);
        q[p] = sigma_w2 / TAPS * inside * q_input + SIGMA_B2;
        v[p] = 1.0;
    }
    for (l = 0; l < depth; l++) {
        double total = 0.0;
        for (p = 0; p < POSITIONS; p++) {
            initnn_moments mo;
            double sum_v = 0.0, sum_phi2 = 0.0;
            tutorial_require(initnn_activation_moments(&mo, INITNN_ACT_TANH, 0.0f, q[p]), "initnn_activation_moments");
            for (r = 0; r < POSITIONS; r++)
                if (neighbours(p, r)) sum_v += v[r];
            v_next[p] = sigma_w2 / TAPS * mo.slope2 * sum_v;
            total += v_next[p] / POSITIONS;
            for (r = 0; r < POSITIONS; r++)
                if (neighbours(p, r)) {
                    initnn_moments mr;
                    tutorial_require(initnn_activation_moments(&mr, INITNN_ACT_TANH, 0.0f, q[r]),
                                     "initnn_activation_moments");
                    sum_phi2 += mr.second;
                }
            q_next[p] = sigma_w2 / TAPS * sum_phi2 + SIGMA_B2;
        }
        memcpy(v, v_next, sizeof v);
        memcpy(q, q_next, sizeof q);
        mean_lambda[l] = total;
    }
}

/* Builds one net of depth layers from the kernel spec, pushes the N unit
   vectors through it, and records mean(lambda) and Var(lambda) of the
   Jacobian of its first depths[d] layers. */
static void measure(kind *k, int net_index, const char *kernel, int depth, const int *depths, int depth_count,
                    double q_input, uint64_t seed)
{
    static float x[N], tangents[N * N], gram[N * N];
    initnn_net *net, *twin;
    initnn_rng rng;
    char bias[64];
    int l, i, p, c, d = 0;
    snprintf(bias, sizeof bias, "random_normal:%.9g", sqrt(SIGMA_B2));
    tutorial_require(initnn_net_create(&net, N, 1, seed), "initnn_net_create");
    tutorial_require(initnn_net_set_input_shape(net, CHANNELS, ROWS, COLS), "initnn_net_set_input_shape");
    for (l = 0; l < depth; l++)
        tutorial_require(initnn_net_add_conv2d(net, CHANNELS, 1, TAPS, 1, 1, "tanh", kernel, bias), "initnn_net_add_conv2d");
    /* the twin: one conv layer, no bias, no activation: W_l as a linear map */
    tutorial_require(initnn_net_create(&twin, N, N, seed), "initnn_net_create");
    tutorial_require(initnn_net_set_input_shape(twin, CHANNELS, ROWS, COLS), "initnn_net_set_input_shape");
    tutorial_require(initnn_net_add_conv2d(twin, CHANNELS, 1, TAPS, 1, 1, "identity", "zeros", "zeros"),
                     "initnn_net_add_conv2d");
    initnn_rng_seed_stream(&rng, seed, 42);
    for (i = 0; i < N; i++) x[i] = initnn_rng_normal(&rng);
    for (p = 0; p < POSITIONS; p++) {   /* each position's C values on the fixed point exactly */
        double norm2 = 0.0;
        for (c = 0; c < CHANNELS; c++) norm2 += (double)x[c * POSITIONS + p] * x[c * POSITIONS + p];
        for (c = 0; c < CHANNELS; c++) x[c * POSITIONS + p] = (float)(x[c * POSITIONS + p] * sqrt(q_input * CHANNELS / norm2));
    }
    if (!initnn_net_forward(net, x, 1, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
    for (i = 0; i < N * N; i++) tangents[i] = i % (N + 1) == 0 ? 1.0f : 0.0f;
    for (l = 0; l < depth; l++) {
        const float *out;
        const float *z = net->layers[l].z;
        int row;
        memcpy(twin->layers[0].W, net->layers[l].W, net->layers[l].weight_count * sizeof(float));
        out = initnn_net_forward(twin, tangents, N, 0);
        if (!out) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");
        for (row = 0; row < N; row++)
            for (i = 0; i < N; i++) {
                double t = tanh((double)z[i]);
                tangents[(size_t)row * N + i] = (float)(out[(size_t)row * N + i] * (1.0 - t * t));
            }
        if (d < depth_count && l + 1 == depths[d]) {
            double m = 0.0, m2 = 0.0;
            for (i = 0; i < N * N; i++) m += (double)tangents[i] * tangents[i] / N;
            initnn_matmul_tn(gram, tangents, tangents, N, N, N, 0);
            for (i = 0; i < N * N; i++) m2 += (double)gram[i] * gram[i] / N;
            k->mean[d][net_index] = m;
            k->variance[d][net_index] = m2 - m * m;
            d++;
        }
    }
    initnn_net_free(twin);
    initnn_net_free(net);
}

static void mean_and_spread(const double *v, int count, double *mean, double *spread)
{
    double m = 0.0, s = 0.0;
    int i;
    for (i = 0; i < count; i++) m += v[i] / count;
    for (i = 0; i < count; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *spread = sqrt(s / (count - 1));
}

static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"A delta-orthogonal tanh CNN at sigma_b^2 = 1e-5 (mu2 / mu1^2 - 1 = 0.00275): predict the variance of the "
         "squared singular values of its Jacobian at depth L = 1000, L (mu2 / mu1^2 - 1).", 2.75, 0.01},
        {"A linear CNN (identity activation, zero biases) of 50 layers with delta-orthogonal kernels of gain 1.02: "
         "predict its largest singular value.", pow(1.02, 50), 0.001},
        {"Gaussian 1 x 3 kernels, zero padding, in the linear regime (tanh' = 1, sigma_w^2 = 1): one layer on a row "
         "of 8 pixels from v_0 = 1: predict mean(lambda) = the mean over positions of |N(p)| / 3.",
         (6.0 * 3 + 2.0 * 2) / (8.0 * 3.0), 0.001},
        {"Break it: build the delta-orthogonal kernels with gain sqrt(1.1 sigma_w^2) instead of sqrt(sigma_w^2). "
         "Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.", 1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static kind kinds[2];
    tutorial t;
    initnn_moments moments;
    double sigma_w2, q_star, chi_1, mu1, mu2, q_input, t_quantile, predicted_mean[100];
    double mean[2][MAX_DEPTHS], spread_mean[2][MAX_DEPTHS], variance[2][MAX_DEPTHS];
    double spread_variance[2][MAX_DEPTHS], relative[2][MAX_DEPTHS];
    char kernel[64];
    int depths[MAX_DEPTHS], depth_count, depth, nets, d, r, k;

    tutorial_start(&t, argc, argv, "42 delta-orthogonal: a deep tanh CNN's Jacobian stays an isometry");
    exercises(&t);
    nets = t.fast ? 6 : 10;
    t_quantile = t.fast ? 6.869 : 4.781;
    depth_count = t.fast ? 2 : 3;
    depths[0] = 10;
    depths[1] = t.fast ? 50 : 30;
    depths[2] = 100;
    depth = depths[depth_count - 1];
    tutorial_require(initnn_theory_critical_sigma_w2(&sigma_w2, INITNN_ACT_TANH, 0.0f, SIGMA_B2),
                     "initnn_theory_critical_sigma_w2");
    tutorial_require(initnn_theory_fixed_point(&q_star, NULL, &chi_1, NULL, NULL, INITNN_ACT_TANH, 0.0f, sigma_w2,
                                               SIGMA_B2), "initnn_theory_fixed_point");
    tutorial_require(initnn_activation_moments(&moments, INITNN_ACT_TANH, 0.0f, q_star), "initnn_activation_moments");
    mu1 = moments.slope2;
    mu2 = tutorial_tanh_moment(q_star, 0, 2);
    q_input = (q_star - SIGMA_B2) / sigma_w2;
    gaussian_mean_prediction(predicted_mean, depth, sigma_w2, q_input);
    printf("sigma_b^2 = %g: critical sigma_w^2 = %.4f, q* = %.4f, chi_1 = %.6f,\nmu2/mu1^2 - 1 = %.5f\n", SIGMA_B2,
           sigma_w2, q_star, chi_1, mu2 / (mu1 * mu1) - 1.0);

    kinds[0].label = "delta-orthogonal";
    kinds[1].label = "Gaussian";
    for (r = 0; r < nets; r++) {
        snprintf(kernel, sizeof kernel, "delta_orthogonal:%.9g", sqrt(sigma_w2));
        measure(&kinds[0], r, kernel, depth, depths, depth_count, q_input, t.seed * 1000 + (uint64_t)r);
        snprintf(kernel, sizeof kernel, "random_normal:%.9g", sqrt(sigma_w2 / ((double)TAPS * CHANNELS)));
        measure(&kinds[1], r, kernel, depth, depths, depth_count, q_input, t.seed * 1000 + (uint64_t)r);
    }

    printf("%d nets of each kind, %d channels, %dx%d images, 1x%d kernels, zero padding;\n"
           "lambda = s^2 of the Jacobian (%d x %d) of the first L layers\n", nets, CHANNELS, ROWS, COLS, TAPS, N, N);
    printf("%-17s %5s %12s %12s %14s\n", "kernels", "L", "mean lambda", "var lambda", "var / mean^2");
    for (k = 0; k < 2; k++)
        for (d = 0; d < depth_count; d++) {
            double spread, ratio[MAX_NETS];
            for (r = 0; r < nets; r++) ratio[r] = kinds[k].variance[d][r] / pow(kinds[k].mean[d][r], 2.0);
            mean_and_spread(kinds[k].mean[d], nets, &mean[k][d], &spread_mean[k][d]);
            mean_and_spread(kinds[k].variance[d], nets, &variance[k][d], &spread_variance[k][d]);
            mean_and_spread(ratio, nets, &relative[k][d], &spread);
            printf("%-17s %5d %12.4g %12.4g %14.4g\n", kinds[k].label, depths[d], mean[k][d], variance[k][d],
                   relative[k][d]);
        }
    tutorial_rule_student(t_quantile, nets);
    printf("  var lambda: plus %g x its prediction, for chains %d wide\n", WIDTH_ALLOWANCE, CHANNELS);
    tutorial_print_heading();
    for (d = 0; d < depth_count; d++) {
        char claim[64];
        double predicted = depths[d] * (mu2 / (mu1 * mu1) - 1.0);
        snprintf(claim, sizeof claim, "delta-orth L=%d: mean lambda", depths[d]);
        tutorial_absolute(&t, claim, pow(chi_1, depths[d]), mean[0][d], t_quantile * spread_mean[0][d] / sqrt(nets));
        snprintf(claim, sizeof claim, "delta-orth L=%d: var lambda", depths[d]);
        tutorial_absolute(&t, claim, predicted, variance[0][d],
                          WIDTH_ALLOWANCE * predicted + t_quantile * spread_variance[0][d] / sqrt(nets));
    }
    for (d = 0; d < depth_count; d++) {
        char claim[64];
        snprintf(claim, sizeof claim, "Gaussian L=%d: mean lambda", depths[d]);
        tutorial_absolute(&t, claim, predicted_mean[depths[d] - 1], mean[1][d],
                          t_quantile * spread_mean[1][d] / sqrt(nets));
        printf("%-34s %10.4g\n", "  (circular padding: L mu2/mu1^2)", depths[d] * mu2 / (mu1 * mu1));
        snprintf(claim, sizeof claim, "  var/mean^2 >= 10 x delta-orth's");
        tutorial_at_least(&t, claim, 10.0 * relative[0][d], relative[1][d]);
    }
    return tutorial_finish(&t);
}
