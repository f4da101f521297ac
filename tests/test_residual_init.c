/* test_residual_init.c - the initializations made for residual and
   convolutional nets, checked against their papers' statements:

   delta orthogonal (Xiao et al. 2018, Algorithm 2): every tap 0 but the
      centre, which is gain H with H H^T = I (c_in <= c_out); a stride-1
      "same" convolution with it preserves each pixel's channel norm.
   Fixup (Zhang, Dauphin & Ma 2019): the last layer of every branch and the
      classification layer 0, the other branch layers He's draw times
      L^(-1/(2m-2)) (variance 2 / fan_in L^(-2/(2m-2)), checked within 6
      standard errors), scalars 1, biases 0.
   SkipInit / ReZero (De & Smith 2020; Bachlechner et al. 2020): alpha = 0,
      so every block's output is its input.
   Zero-gamma (Goyal et al. 2017): the last normalization of each branch
      has gamma = 0, so again every block's output is its input. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

static void delta_orthogonal_is_orthogonal_at_the_centre_tap_and_zero_elsewhere(void)
{
    enum { CI = 4, CO = 6, K = 3 };
    float w[CI * K * K * CO], h[CI * CO];
    initnn_rng rng;
    int c, i, j, o, nonzero_off_centre = 0;
    double sum_sq = 0.0, mean, var;
    initnn_init_spec spec;
    initnn_rng_seed(&rng, 5);
    CHECK(initnn_init_conv_kernel(w, CI, CO, K, K, "delta_orthogonal:1.5", &rng) == 0, "%s", initnn_last_error());
    for (c = 0; c < CI; c++)
        for (i = 0; i < K; i++)
            for (j = 0; j < K; j++)
                for (o = 0; o < CO; o++) {
                    float v = w[((c * K + i) * K + j) * CO + o];
                    sum_sq += (double)v * v;
                    if (i == 1 && j == 1) h[c * CO + o] = v;
                    else nonzero_off_centre += v != 0.0f;
                }
    CHECK(nonzero_off_centre == 0, "%d weights off the centre tap are not 0", nonzero_off_centre);
    ref_check_orthonormal(h, CI, CO, 1.5, "delta_orthogonal centre tap");
    if (TESTING_FAILED) return;
    /* the spec's second moment is the exact one: gain^2 c_in over every entry */
    CHECK(initnn_init_parse(&spec, "delta_orthogonal:1.5") == 0, "%s", initnn_last_error());
    CHECK(initnn_init_spec_moments(&mean, &var, &spec, CI * K * K, CO, CI * K * K, CO * K * K) == 0, "%s",
          initnn_last_error());
    CHECK_NEAR(var, 2.25 * CI / (CI * K * K * CO), 1e-12);
    CHECK_NEAR(sum_sq / (CI * K * K * CO), var, 1e-6);
}

static void delta_orthogonal_same_convolution_preserves_every_pixels_channel_norm(void)
{
    enum { CI = 3, CO = 5, H = 6, W = 6 };
    initnn_net *net = NULL;
    float x[CI * H * W];
    const float *y;
    initnn_rng rng;
    int p, c;
    CHECK(initnn_net_from_arch(&net, "conv:5:3:1:same,conv:5:3:1:same,conv:5:3:1:same", CI, H, W, "delta_orthogonal",
                               "zeros", 1, 3) == 0, "%s", initnn_last_error());
    ref_own(net);
    initnn_rng_seed(&rng, 8);
    for (p = 0; p < CI * H * W; p++) x[p] = initnn_rng_normal(&rng);
    y = initnn_net_forward(net, x, 1, 0);
    CHECK(y != NULL, "%s", initnn_last_error());
    for (p = 0; p < H * W; p++) {
        double in = 0.0, out = 0.0;
        for (c = 0; c < CI; c++) in += (double)x[c * H * W + p] * x[c * H * W + p];
        for (c = 0; c < CO; c++) out += (double)y[c * H * W + p] * y[c * H * W + p];
        CHECK_NEAR(sqrt(out), sqrt(in), 1e-5 * (1.0 + sqrt(in)));
    }
}

static void fixup_scale_is_L_to_the_minus_one_over_2m_minus_2(void)
{
    CHECK_NEAR(initnn_fixup_scale(16, 2), 0.25, 1e-15);         /* 16^(-1/2) */
    CHECK_NEAR(initnn_fixup_scale(16, 3), 0.5, 1e-15);          /* 16^(-1/4) */
    CHECK_NEAR(initnn_fixup_scale(100, 2), 0.1, 1e-15);
    CHECK_NEAR(initnn_fixup_scale(8, 4), pow(8.0, -1.0 / 6.0), 1e-15);
    CHECK_NEAR(initnn_fixup_scale(8, 1), 1.0, 0.0);             /* one layer: it is the zeroed last one */
}

static void fixup_net_zeroes_last_branch_layers_and_scales_the_others(void)
{
    /* L = 4 blocks of m = 2 dense layers of 200 units: the first of each
       branch has Var = (2 / 200) / 4, the second is 0, the classifier 0. */
    enum { WIDTH = 200 };
    initnn_net *net = NULL;
    const char *arch = "dense:200,relu,res[dense:200,relu,dense:200],relu,res[dense:200,relu,dense:200],relu,"
                       "res[dense:200,relu,dense:200],relu,res[dense:200,relu,dense:200],relu,dense:10,softmax";
    int l, round, firsts = 0;
    for (round = 0; round < 2; round++) {
        if (round == 0) {
            CHECK(initnn_net_from_arch(&net, arch, 1, 1, 20, "fixup", "random_normal:0.1", 2, 21) == 0, "%s",
                  initnn_last_error());
            ref_own(net);
        } else {
            CHECK(initnn_net_reinit(net, 99) == 0, "%s", initnn_last_error());   /* the rule again */
        }
        for (l = 0; l < net->layer_count; l++) {
            const initnn_layer *L = &net->layers[l];
            initnn_stats st;
            if (L->type == INITNN_LAYER_RESIDUAL) {
                CHECK(L->has_scale && L->b[L->projection_count] == 1.0f, "block %d: scalar %d", l, L->has_scale);
                continue;
            }
            if (!L->weight_count) continue;
            initnn_stats_compute(&st, L->W, L->weight_count);
            if (l == 0) {   /* outside every block: He */
                CHECK_NEAR(st.variance, 2.0 / 20, 6.0 * (2.0 / 20) * sqrt(2.0 / (double)L->weight_count));
            } else if (net->layers[l + 1].type == INITNN_LAYER_RESIDUAL || l == net->layer_count - 1) {
                CHECK(st.min == 0.0 && st.max == 0.0, "layer %d (last of a branch or classifier) is not 0", l);
                CHECK(L->b[0] == 0.0f && L->b[L->bias_count - 1] == 0.0f, "layer %d's bias is not 0", l);
            } else {
                double want = 2.0 / WIDTH * 0.25;   /* (L^(-1/2))^2, L = 4, m = 2 */
                CHECK_NEAR(st.variance, want, 6.0 * want * sqrt(2.0 / (double)L->weight_count));
                CHECK(L->b[0] == 0.0f, "branch bias not 0");
                firsts++;
            }
        }
    }
    CHECK(firsts == 8, "checked %d scaled layers", firsts);
}

/* Every block's add returns its input: y of the add == y of the layer the
   block starts from (identity activation after the add). */
static void check_blocks_are_identity(initnn_net *net, int input_dim)
{
    float x[2 * 64];
    int l, i;
    for (i = 0; i < 2 * input_dim; i++) x[i] = (float)sin(1.0 + i);
    CHECK(initnn_net_forward(net, x, 2, 1) != NULL, "%s", initnn_last_error());
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        const float *skip;
        if (L->type != INITNN_LAYER_RESIDUAL) continue;
        skip = L->skip_from < 0 ? x : net->layers[L->skip_from].y;
        CHECK(L->projection_count == 0, "test nets keep widths");
        CHECK_FLOATS_EQUAL("block output vs its input", L->y, skip, (size_t)2 * L->out);
    }
}

static void skipinit_and_rezero_start_every_block_as_the_identity(void)
{
    static const char *const specs[] = {"skipinit", "rezero"};
    int s;
    for (s = 0; s < 2; s++) {
        initnn_net *net = NULL;
        CHECK(initnn_net_from_arch(&net, "dense:8,tanh,res[dense:8,relu,dense:8],res[dense:8,relu,dense:8],dense:3",
                                   1, 1, 6, specs[s], NULL, 2, 4) == 0, "%s", initnn_last_error());
        ref_own(net);
        CHECK(net->layers[3].has_scale && net->layers[3].b[0] == 0.0f, "%s: alpha is not 0", specs[s]);
        check_blocks_are_identity(net, 6);
        if (TESTING_FAILED) return;
        /* and the branch weights are He's draw: Var = 2 / 8 */
        {
            initnn_stats st;
            initnn_stats_compute(&st, net->layers[2].W, net->layers[2].weight_count);
            CHECK(st.variance > 0.05, "%s: branch weights look zero (%g)", specs[s], st.variance);
        }
    }
    {
        /* initnn_net_skipinit on a net built with scalars 1, and its refusal without scalars */
        initnn_net *net = NULL, *plain = NULL;
        CHECK(initnn_net_from_arch(&net, "dense:8,tanh,res:ones[dense:8,relu,dense:8],dense:3", 1, 1, 6, "he_normal",
                                   NULL, 2, 4) == 0, "%s", initnn_last_error());
        ref_own(net);
        CHECK(initnn_net_skipinit(net) == 0, "%s", initnn_last_error());
        CHECK(initnn_net_reinit(net, 5) == 0 && net->layers[3].b[0] == 0.0f, "alpha after reinit %g",
              (double)net->layers[3].b[0]);
        check_blocks_are_identity(net, 6);
        if (TESTING_FAILED) return;
        CHECK(initnn_net_from_arch(&plain, "dense:8,tanh,res[dense:8,relu,dense:8],dense:3", 1, 1, 6, "he_normal",
                                   NULL, 2, 4) == 0, "%s", initnn_last_error());
        ref_own(plain);
        CHECK(initnn_net_skipinit(plain) != 0, "skipinit accepted a block without a scalar");
    }
}

static void zero_gamma_starts_every_block_as_the_identity(void)
{
    initnn_net *net = NULL;
    int i;
    CHECK(initnn_net_from_arch(&net, "dense:8,bn,relu,res[dense:8,bn,relu,dense:8,bn],res[dense:8,bn,relu,dense:8,bn],"
                               "dense:3", 1, 1, 6, "he_normal", NULL, 2, 4) == 0, "%s", initnn_last_error());
    ref_own(net);
    CHECK(initnn_net_zero_gamma(net) == 0, "%s", initnn_last_error());
    for (i = 0; i < 8; i++) CHECK(net->layers[5].b[i] == 0.0f, "gamma[%d] = %g", i, (double)net->layers[5].b[i]);
    CHECK(net->layers[6].type == INITNN_LAYER_RESIDUAL, "layer 6 is the first add");
    CHECK(net->layers[3].b[0] == 1.0f, "the branch's first bn keeps gamma 1");
    check_blocks_are_identity(net, 6);
    if (TESTING_FAILED) return;
    {
        initnn_net *nonorm = NULL;
        CHECK(initnn_net_from_arch(&nonorm, "res[dense:6,relu,dense:6]", 1, 1, 6, "he_normal", NULL, 2, 4) == 0, "%s",
              initnn_last_error());
        ref_own(nonorm);
        CHECK(initnn_net_zero_gamma(nonorm) != 0, "zero_gamma accepted a branch without normalization");
    }
}

/* [residual_theory] 100 pre-activation blocks x + F(x), F = dense, relu,
   dense, all He, width 128: each block multiplies E[x^2] by 1 + c with
   c = 2 (the first dense doubles E[x^2], relu halves it, the second doubles
   it), so 3^100. The prediction is exact in expectation over the weights;
   one draw of finite width fluctuates per block by O(sqrt(1/width)) and the
   log of a product of 100 such factors drifts: the measured growth per
   block, (q_100 / q_1)^(1/99), must be within 2% of 3, and every block's
   |log(measured / predicted)| within log 1.5 + 3% of log(predicted growth
   since the first block) (measured: e^-2.1 at a growth of e^110, 57% of its tolerance).
   alpha = 1/sqrt(100) = 0.1: (1 + 2/100)^100 = 7.24, bounded; alpha = 0:
   the input's; both within that tolerance. */
static double residual_theory_worst(const char *block, const char *kernel, double *growth, double *last_pred,
                                    double *last_meas)
{
    static char arch[8192];
    enum { B = 256, D = 64 };
    initnn_net *net = NULL;
    initnn_layer_theory *t;
    float *X;
    int labels[B], i, first = -1, last = -1;
    double worst = 0.0;
    initnn_rng rng;
    strcpy(arch, "dense:128,relu");
    for (i = 0; i < 100; i++) { strcat(arch, ","); strcat(arch, block); }
    strcat(arch, ",dense:10,softmax");
    if (initnn_net_from_arch(&net, arch, 1, 1, D, kernel, NULL, B, 1)) return NAN;
    X = (float *)malloc(sizeof(float) * B * D);
    t = (initnn_layer_theory *)malloc(sizeof *t * (size_t)net->layer_count);
    initnn_rng_seed(&rng, 3);
    for (i = 0; i < B * D; i++) X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < B; i++) labels[i] = i % 10;
    if (!X || !t || initnn_theory_compare(net, t, X, labels, NULL, B)) worst = NAN;
    for (i = 0; worst == worst && i < net->layer_count; i++) {
        double r;
        if (net->layers[i].type != INITNN_LAYER_RESIDUAL) continue;
        if (first < 0) first = i;
        last = i;
        /* the tolerance: 50%, plus 3% of the log of the growth so far */
        r = fabs(log(t[i].q_measured / t[i].q_predicted)) /
            (log(1.5) + 0.03 * fabs(log(t[i].q_predicted / t[first].q_predicted)));
        if (!(r <= worst)) worst = r;
    }
    if (worst == worst) {
        *growth = pow(t[last].q_measured / t[first].q_measured, 1.0 / 99.0);
        *last_pred = t[last].q_predicted;
        *last_meas = t[last].q_measured;
    }
    free(X);
    free(t);
    initnn_net_free(net);
    return worst;
}

static void residual_stack_second_moment_grows_as_1_plus_c_to_the_L_and_alpha_bounds_it(void)
{
    double growth, pred, meas, worst;
    worst = residual_theory_worst("res[dense:128,relu,dense:128]", "he_normal", &growth, &pred, &meas);
    CHECK(worst == worst, "%s", initnn_last_error());
    CHECK_NEAR(growth, 3.0, 0.02 * 3.0);
    CHECK(worst <= 1.0, "a block's measured/predicted ratio is %.3f of its tolerance", worst);
    CHECK(pred > 1e45, "predicted E[z^2] after 100 blocks %g, not 3^100-like", pred);
    worst = residual_theory_worst("res:constant:0.1[dense:128,relu,dense:128]", "he_normal", &growth, &pred, &meas);
    CHECK(worst <= 1.0, "alpha = 0.1: a block's ratio is %.3f of its tolerance (%s)", worst, initnn_last_error());
    CHECK(pred < 10.0 && meas < 10.0, "alpha = 0.1: E[z^2] %g predicted, %g measured after 100 blocks", pred, meas);
    worst = residual_theory_worst("res[dense:128,relu,dense:128]", "skipinit", &growth, &pred, &meas);
    CHECK(worst <= 1.0, "alpha = 0: a block's ratio is %.3f of its tolerance (%s)", worst, initnn_last_error());
    worst = residual_theory_worst("res[dense:128,relu,dense:128],relu", "he_normal", &growth, &pred, &meas);
    CHECK(worst != worst && strstr(initnn_last_error(), "pre-activation"), "an activation after the add was not refused");
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    testing_after_each(ref_release_nets);
    RUN_TEST(delta_orthogonal_is_orthogonal_at_the_centre_tap_and_zero_elsewhere);
    RUN_TEST(delta_orthogonal_same_convolution_preserves_every_pixels_channel_norm);
    RUN_TEST(fixup_scale_is_L_to_the_minus_one_over_2m_minus_2);
    RUN_TEST(fixup_net_zeroes_last_branch_layers_and_scales_the_others);
    RUN_TEST(skipinit_and_rezero_start_every_block_as_the_identity);
    RUN_TEST(zero_gamma_starts_every_block_as_the_identity);
    RUN_TEST(residual_stack_second_moment_grows_as_1_plus_c_to_the_L_and_alpha_bounds_it);
    return testing_finish();
}
