/* 19_conv_fans.c - a convolution's fan_in counts its receptive field.

   CLAIM
      A 3x3 convolution from c_in channels sums n = 9 c_in products per
      output, not c_in. He's rule Var(w) = 2 / fan_in with fan_in = 9 c_in
      (initnn_init_conv_kernel, Keras and PyTorch) keeps the second moment of
      a ReLU conv net constant from layer to layer; with fan_in = c_in it is
      multiplied by 9 at every layer, 9^10 = 3.5e9 over 10 layers:
         E[y_l^2] = (n Var(w) / 2)^l E[x^2] = 1^l E[x^2]   (fan_in = 9 c_in)
                                            = 9^l E[x^2]   (fan_in = c_in)

   DERIVATION
      Output channel j of layer l at position u is z = w_j . p_u, where p_u
      is the patch of 9 c_in inputs the kernel covers (zeros beyond the
      border) and w_j the kernel's column j, with independent N(0, v)
      entries drawn independently of everything before the layer. For a
      fixed patch, w_j . p_u ~ N(0, v |p_u|^2) is symmetric, so
         E[relu(z)^2 | p_u] = v |p_u|^2 / 2.
      Where every patch lies inside the image, |p_u|^2 averages 9 c_in
      E[y_{l-1}^2], so E[y_l^2] = (9 c_in v / 2) E[y_{l-1}^2]: the factor is
      1 for v = 2 / (9 c_in) and 9 for v = 2 / c_in, and the factors of the
      layers multiply: step 06's rule, with n = 9 c_in in place of the dense
      layer's width. (The first layer's input x is not a ReLU output; the
      identity above holds for any fixed patch, so it does not matter.)

   MEASUREMENT AND TOLERANCE
      Nets of 10 conv layers, 16 -> 16 channels, 3x3, stride 1, "same"
      padding, ReLU, zero bias, on standard normal 16 x S x S images. The
      "library" nets are built with initnn_net_add_conv2d and "he_normal"
      (fan_in = 9 c_in); the "c_in only" nets have the same architecture
      with every kernel redrawn by initnn_init_fill_fans with fan_in = 16,
      i.e. he_normal that forgot the 3x3 receptive field.
      The table shows E[y_l^2] / E[x^2] over the pixels at least 10 from
      every border, whose receptive field through all 10 layers lies inside
      the image, so that zero padding does not bias it; averaged over the
      nets. That ratio is a product of 10 random factors (16 channels is a
      small sample of kernels), heavy-tailed, so the claims test the
      per-layer factor instead, measured on the same pixels:
         f_l = mean_{b,j,u} y_l^2 / (mean_{b,u} |p_u|^2 / (9 c_in)),
      whose expectation given the layers before it is exactly 9 c_in v / 2
      by the identity above (with the patches actually used, borders or
      not). Given the layer's input, the 16 output channels are independent
      draws, so the standard error of f_l is the spread of the per-channel
      values over sqrt(16); the deviations f_l - 9 c_in v / 2 of successive
      layers and of independent nets are uncorrelated (each has mean 0 given
      the past), so the mean over all of them has
         SE = sqrt(sum SE_l^2) / (number of factors).
      Each claim passes within 4 SE (a correct formula misses with
      probability erfc(4 / sqrt 2) = 6.3e-05, printed above the claims, if
      the mean were exactly normal; the SE is itself estimated from 16
      skewed per-channel values, which fattens the tails a little: a sweep
      over many seeds with --fast and only a few nets per kind kept every
      deviation inside 4 SE). The per-channel values spread
      widely: a ReLU layer's outputs share a positive mean, which each
      output channel's kernel sees as one random projection, so a channel
      is nearly off or strongly on. K = 96 nets per kind (--fast 48) on
      32 x 32 images, batch 4, bring the tolerance to ~5% of the factor
      (--fast ~7%), enough to catch a 10% error in the conv fan_in
      (tutorial/mutate.sh); 1 and 9 are far further apart. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define DEPTH 10
#define CHANNELS 16
#define MARGIN DEPTH   /* the crop: pixels at least DEPTH from every border */

enum { LIBRARY_FANS, CIN_ONLY_FANS, KINDS };

typedef struct measurement {
    double profile[DEPTH + 1];   /* sum over nets of E[y_l^2] / E[x^2] on the crop */
    double factor_sum;           /* sum of f_l over layers and nets                */
    double factor_variance;      /* sum of SE(f_l)^2                              */
    int factors;
} measurement;

/* The second moment of channel plane c of sample b over the crop. */
static double crop_moment(const float *y, int b, int c, int size)
{
    const float *plane = y + ((size_t)b * CHANNELS + (size_t)c) * (size_t)size * (size_t)size;
    double sum = 0.0;
    int r, k;
    for (r = MARGIN; r < size - MARGIN; r++)
        for (k = MARGIN; k < size - MARGIN; k++) sum += (double)plane[r * size + k] * plane[r * size + k];
    return sum / ((double)(size - 2 * MARGIN) * (size - 2 * MARGIN));
}

/* mean over the crop positions u of |p_u|^2 / (9 c_in): the second moment
   the layer's kernels see, for sample b of the layer's input x. */
static double patch_moment(const float *x, int b, int size)
{
    double sum = 0.0;
    int c, r, k, di, dj;
    for (c = 0; c < CHANNELS; c++) {
        const float *plane = x + ((size_t)b * CHANNELS + (size_t)c) * (size_t)size * (size_t)size;
        for (r = MARGIN; r < size - MARGIN; r++)
            for (k = MARGIN; k < size - MARGIN; k++)
                for (di = -1; di <= 1; di++)
                    for (dj = -1; dj <= 1; dj++) {
                        double v = plane[(r + di) * size + k + dj];
                        sum += v * v;
                    }
    }
    return sum / ((double)(size - 2 * MARGIN) * (size - 2 * MARGIN) * 9.0 * CHANNELS);
}

/* Builds one net of the given kind, pushes X through it, and adds its
   profile and factors to *m. */
static void measure_net(measurement *m, int kind, const float *X, int batch, int size, uint64_t seed)
{
    initnn_net *net;
    initnn_init_spec he;
    initnn_rng rng;
    double input_moment = 0.0;
    int l, b, c;
    tutorial_require(initnn_net_create(&net, CHANNELS * size * size, batch, seed), "initnn_net_create");
    tutorial_require(initnn_net_set_input_shape(net, CHANNELS, size, size), "initnn_net_set_input_shape");
    for (l = 0; l < DEPTH; l++)
        tutorial_require(initnn_net_add_conv2d(net, CHANNELS, 3, 3, 1, 1, "relu", "he_normal", "zeros"),
                         "initnn_net_add_conv2d");
    if (kind == CIN_ONLY_FANS) {
        /* he_normal with fan_in = c_in: the kernel is still the
           (9 c_in, c_out) matrix, only the fans passed are wrong. */
        tutorial_require(initnn_init_parse(&he, "he_normal"), "initnn_init_parse");
        initnn_rng_seed_stream(&rng, seed, 3);
        for (l = 0; l < DEPTH; l++)
            tutorial_require(initnn_init_fill_fans(net->layers[l].W, 9 * CHANNELS, CHANNELS, CHANNELS, CHANNELS,
                                                   &he, &rng),
                             "initnn_init_fill_fans");
    }
    if (!initnn_net_forward(net, X, batch, 0)) tutorial_require(INITNN_ERR_ARGUMENT, "initnn_net_forward");

    for (b = 0; b < batch; b++)
        for (c = 0; c < CHANNELS; c++) input_moment += crop_moment(X, b, c, size);
    input_moment /= (double)batch * CHANNELS;
    m->profile[0] += 1.0;
    for (l = 0; l < DEPTH; l++) {
        const float *in = l ? net->layers[l - 1].y : X, *y = net->layers[l].y;
        double seen = 0.0, channel[CHANNELS], mean = 0.0, spread = 0.0;
        for (b = 0; b < batch; b++) seen += patch_moment(in, b, size);
        seen /= batch;
        for (c = 0; c < CHANNELS; c++) {
            channel[c] = 0.0;
            for (b = 0; b < batch; b++) channel[c] += crop_moment(y, b, c, size);
            channel[c] /= batch * seen;   /* channel c's share of f_l, times 16 */
            mean += channel[c];
        }
        mean /= CHANNELS;
        for (c = 0; c < CHANNELS; c++) spread += (channel[c] - mean) * (channel[c] - mean);
        m->factor_sum += mean;
        m->factor_variance += spread / (CHANNELS - 1) / CHANNELS;   /* SE(f_l)^2 */
        m->factors++;
        {
            double moment = 0.0;
            for (b = 0; b < batch; b++)
                for (c = 0; c < CHANNELS; c++) moment += crop_moment(y, b, c, size);
            m->profile[l + 1] += moment / ((double)batch * CHANNELS) / input_moment;
        }
    }
    initnn_net_free(net);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"A 3x3 conv from 16 to 32 channels: predict He's Var(W).",
         2.0 / (9.0 * 16.0), 0.002},
        {"A 5x5 conv whose fans forget the receptive field (fan_in = c_in), ReLU, He: predict the per-layer factor of E[y^2].",
         25.0, 0.002},
        {"Break it: give the conv layers \"glorot_normal\" instead of \"he_normal\". Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const kind_names[KINDS] = {"fan_in = 9 c_in", "fan_in = c_in"};
    static const double per_layer[KINDS] = {1.0, 9.0};
    measurement m[KINDS];
    tutorial t;
    initnn_rng rng;
    float *X;
    int size, batch, nets, kind, r, l;
    size_t i, count;

    tutorial_start(&t, argc, argv, "19 conv fans: fan_in = 9 c_in keeps E[y^2] constant, c_in alone grows it 9x a layer");

    exercises(&t);
    size = t.fast ? 32 : 32;
    batch = t.fast ? 4 : 4;
    nets = t.fast ? 48 : 96;
    count = (size_t)batch * CHANNELS * size * size;
    X = (float *)malloc(count * sizeof(float));
    if (!X) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    memset(m, 0, sizeof m);
    initnn_rng_seed_stream(&rng, t.seed, 1);
    for (r = 0; r < nets; r++)
        for (kind = 0; kind < KINDS; kind++) {
            /* Every net gets its own input batch and its own kernels. */
            for (i = 0; i < count; i++) X[i] = initnn_rng_normal(&rng);
            measure_net(&m[kind], kind, X, batch, size, t.seed * 1000 + (uint64_t)(r * KINDS + kind));
        }
    free(X);

    printf("%d nets of each kind: %d conv layers 16 -> 16, 3x3 same, ReLU; input 16 x %d x %d, batch %d\n",
           nets, DEPTH, size, size, batch);
    printf("E[y_l^2] / E[x^2] on the %d x %d pixels at least %d from the borders, mean over the nets:\n",
           size - 2 * MARGIN, size - 2 * MARGIN, MARGIN);
    printf("%-6s %14s %14s   %14s %14s\n", "layer", "predicted", kind_names[LIBRARY_FANS], "predicted",
           kind_names[CIN_ONLY_FANS]);
    for (l = 0; l <= DEPTH; l++)
        printf("%-6d %14.4g %14.4g   %14.4g %14.4g\n", l, 1.0, m[LIBRARY_FANS].profile[l] / nets, pow(9.0, l),
               m[CIN_ONLY_FANS].profile[l] / nets);

    tutorial_rule_normal(4.0);
    tutorial_print_heading();
    for (kind = 0; kind < KINDS; kind++) {
        double factor = m[kind].factor_sum / m[kind].factors;
        double se = sqrt(m[kind].factor_variance) / m[kind].factors;
        char claim[64];
        snprintf(claim, sizeof claim, "%s: per-layer factor", kind_names[kind]);
        tutorial_relative(&t, claim, per_layer[kind], factor, 4.0 * se / per_layer[kind]);
    }
    printf("The library's he_normal (fan_in = 9 c_in) keeps the factor at %.3f, not the 9 of fans that\n"
           "forget the 3x3 receptive field: after %d layers that is %.3g against %.3g.\n",
           m[LIBRARY_FANS].factor_sum / m[LIBRARY_FANS].factors, DEPTH, m[LIBRARY_FANS].profile[DEPTH] / nets,
           m[CIN_ONLY_FANS].profile[DEPTH] / nets);
    return tutorial_finish(&t);
}
