/* test_train_loss.c - activations, softmax, the losses and the metrics.

   References, independent of initnn's code: each activation written out from
   its formula in double (libm's tanh and exp), derivatives as central
   differences of those formulas, softmax and log-sum-exp in long double, and
   losses and metrics worked out by hand in the comments.

   Tolerances. A float32 result carries a relative rounding of 6e-8, and
   float libm calls (tanhf, expf) about one ulp more; where the formula
   subtracts nearly equal terms (e^z - 1 near 0, 1 - y for y near 1) the
   error is absolute, about 1e-7. So values are checked to
   1e-6 |ref| + 3e-7 and derivatives, which go through one more product, to
   2e-5 |ref| + 1e-6; a wrong formula is off by far more. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#include <float.h>

/* Points away from the kink at 0 by more than the difference step. */
static const float activation_points[] = {-6.0f, -3.0f, -1.5f, -0.7f, -0.25f, -0.01f, 0.01f,
                                          0.2f,  0.5f,  1.0f,  1.7f,  3.0f,   6.0f};
#define N_POINTS ((int)(sizeof activation_points / sizeof activation_points[0]))

static const struct { const char *spec; int activation; double param; } pointwise[] = {
    {"identity", INITNN_ACT_IDENTITY, 0.0},      {"relu", INITNN_ACT_RELU, 0.0},
    {"leaky_relu:0.1", INITNN_ACT_LEAKY_RELU, 0.1}, {"tanh", INITNN_ACT_TANH, 0.0},
    {"sigmoid", INITNN_ACT_SIGMOID, 0.0},        {"selu", INITNN_ACT_SELU, 0.0},
};
#define N_POINTWISE ((int)(sizeof pointwise / sizeof pointwise[0]))

static void activation_specs_parse_to_their_enum_and_param(void)
{
    int i, act = -1;
    float param = -1.0f;
    for (i = 0; i < N_POINTWISE; i++) {
        int err = initnn_activation_parse(&act, &param, pointwise[i].spec);
        CHECK(err == 0, "'%s': %d %s", pointwise[i].spec, err, initnn_last_error());
        CHECK(act == pointwise[i].activation, "'%s' parses to %d, want %d", pointwise[i].spec, act,
              pointwise[i].activation);
        if (act == INITNN_ACT_LEAKY_RELU)
            CHECK(param == 0.1f, "'%s' parses to slope %.9g", pointwise[i].spec, (double)param);
    }
    CHECK(initnn_activation_parse(&act, &param, "leaky_relu") == 0 && param == 0.01f,
          "leaky_relu's default slope is %.9g, want 0.01", (double)param);
    CHECK(initnn_activation_parse(&act, &param, "softmax") == 0 && act == INITNN_ACT_SOFTMAX,
          "softmax parses to %d", act);
    CHECK(initnn_activation_parse(&act, &param, "linear") == 0 && act == INITNN_ACT_IDENTITY,
          "linear parses to %d", act);
    act = 77;
    CHECK(initnn_activation_parse(&act, &param, "relu6") == INITNN_ERR_SPEC, "'relu6' was accepted");
    CHECK(strlen(initnn_last_error()) > 0, "no message for 'relu6'");
    CHECK(act == 77, "a failed parse changed *activation to %d", act);
}

static void activation_forward_matches_each_formula(void)
{
    float y[N_POINTS], want[N_POINTS], tol[N_POINTS], inplace[N_POINTS];
    int a, i;
    for (a = 0; a < N_POINTWISE; a++) {
        float param = (float)pointwise[a].param;
        for (i = 0; i < N_POINTS; i++) {
            double r = ref_phi(pointwise[a].activation, (double)param, (double)activation_points[i]);
            want[i] = (float)r;
            tol[i] = (float)(1e-6 * fabs(r) + 3e-7);
            inplace[i] = activation_points[i];
        }
        initnn_activation_forward(y, activation_points, N_POINTS, N_POINTS, pointwise[a].activation, param);
        CHECK_FLOATS_NEAR(pointwise[a].spec, y, want, N_POINTS, tol);
        /* y may equal z. */
        initnn_activation_forward(inplace, inplace, N_POINTS, N_POINTS, pointwise[a].activation, param);
        CHECK_FLOATS_EQUAL(pointwise[a].spec, inplace, y, N_POINTS);
    }
}

static void activation_backward_matches_finite_differences(void)
{
    float y[N_POINTS], dy[N_POINTS], dz[N_POINTS], want[N_POINTS], tol[N_POINTS], inplace[N_POINTS];
    int a, i;
    for (i = 0; i < N_POINTS; i++) dy[i] = 0.5f + 0.25f * (float)(i % 5) - (i % 2 ? 1.5f : 0.0f);
    for (a = 0; a < N_POINTWISE; a++) {
        int act = pointwise[a].activation;
        float param = (float)pointwise[a].param;
        initnn_activation_forward(y, activation_points, N_POINTS, N_POINTS, act, param);
        for (i = 0; i < N_POINTS; i++) {
            double z = (double)activation_points[i], h = 1e-6;
            double slope = (ref_phi(act, param, z + h) - ref_phi(act, param, z - h)) / (2.0 * h);
            double r = (double)dy[i] * slope;
            want[i] = (float)r;
            tol[i] = (float)(2e-5 * fabs(r) + 1e-6);
            inplace[i] = dy[i];
        }
        initnn_activation_backward(dz, dy, activation_points, y, N_POINTS, N_POINTS, act, param);
        CHECK_FLOATS_NEAR(pointwise[a].spec, dz, want, N_POINTS, tol);
        /* dz may equal dy. */
        initnn_activation_backward(inplace, inplace, activation_points, y, N_POINTS, N_POINTS, act, param);
        CHECK_FLOATS_EQUAL(pointwise[a].spec, inplace, dz, N_POINTS);
    }
}

/* Softmax of each row of z (rows, cols) in long double. */
static void ref_softmax(long double *p, const float *z, int rows, int cols)
{
    int r, j;
    for (r = 0; r < rows; r++) {
        long double m = z[r * cols], s = 0.0L;
        for (j = 1; j < cols; j++)
            if (z[r * cols + j] > m) m = z[r * cols + j];
        for (j = 0; j < cols; j++) s += expl((long double)z[r * cols + j] - m);
        for (j = 0; j < cols; j++) p[r * cols + j] = expl((long double)z[r * cols + j] - m) / s;
    }
}

static void softmax_forward_normalizes_each_row_and_survives_logits_near_1000(void)
{
    /* Row 0 ordinary, row 1 near 1000 (e^1000 overflows float and double),
       row 2 near -1000 (underflows), row 3 equal logits (uniform). */
    static const float z[4 * 4] = {0.5f,    -1.0f,   2.0f,   0.0f,    1000.0f, 1001.0f, 999.5f, 990.0f,
                                   -1000.0f, -1003.0f, -999.0f, -1000.5f, 7.0f,    7.0f,    7.0f,   7.0f};
    float y[16], want[16], tol[16];
    long double p[16];
    int i, r;
    ref_softmax(p, z, 4, 4);
    for (i = 0; i < 16; i++) {
        want[i] = (float)p[i];
        tol[i] = (float)(1e-6 * (double)p[i] + 1e-7);
    }
    initnn_activation_forward(y, z, 16, 4, INITNN_ACT_SOFTMAX, 0.0f);
    CHECK_FLOATS_NEAR("softmax", y, want, 16, tol);
    for (r = 0; r < 4; r++) {
        double s = 0.0;
        for (i = 0; i < 4; i++) s += y[r * 4 + i];
        CHECK(fabs(s - 1.0) <= 4e-7, "row %d sums to %.9g", r, s);
    }
}

static void softmax_backward_applies_the_jacobian_diag_p_minus_p_pT(void)
{
    /* Two rows of 5: the Jacobian is per row, J_ij = dp_i/dz_j. With dy = e_i
       the backward returns row i of J; compared with central differences of
       the long double softmax and with diag(p) - p p^T. */
    enum { C = 5 };
    static const float z[2 * C] = {0.3f, -1.2f, 2.0f, 0.7f, -0.4f, 3.0f, 2.5f, -2.0f, 0.0f, 1.0f};
    float y[2 * C], dy[2 * C], dz[2 * C], want[2 * C], tol[2 * C];
    long double p[2 * C];
    int row, i, j;
    initnn_activation_forward(y, z, 2 * C, C, INITNN_ACT_SOFTMAX, 0.0f);
    ref_softmax(p, z, 2, C);
    for (row = 0; row < 2; row++) {
        for (i = 0; i < C; i++) {
            memset(dy, 0, sizeof dy);
            dy[row * C + i] = 1.0f;
            initnn_activation_backward(dz, dy, z, y, 2 * C, C, INITNN_ACT_SOFTMAX, 0.0f);
            for (j = 0; j < 2 * C; j++) {
                want[j] = 0.0f;
                tol[j] = 1e-7f;
            }
            for (j = 0; j < C; j++) {
                long double pp[C], pm[C], h = 1e-6L, fd, exact;
                {
                    /* p_i(z + h e_j) and p_i(z - h e_j) of this row, the
                       step taken in long double. */
                    long double m = z[row * C], sp = 0.0L, sm = 0.0L;
                    int q;
                    for (q = 1; q < C; q++)
                        if (z[row * C + q] > m) m = z[row * C + q];
                    for (q = 0; q < C; q++) {
                        long double zq = (long double)z[row * C + q] - m;
                        pp[q] = expl(zq + (q == j ? h : 0.0L));
                        pm[q] = expl(zq - (q == j ? h : 0.0L));
                        sp += pp[q];
                        sm += pm[q];
                    }
                    fd = (pp[i] / sp - pm[i] / sm) / (2.0L * h);
                }
                exact = (i == j ? p[row * C + i] : 0.0L) - p[row * C + i] * p[row * C + j];
                CHECK(fabsl(fd - exact) <= 1e-8L, "the reference's own FD %.12Lg and formula %.12Lg disagree",
                      fd, exact);
                want[row * C + j] = (float)fd;
                tol[row * C + j] = (float)(2e-5 * fabsl(fd) + 3e-7);
            }
            CHECK_FLOATS_NEAR(row ? "softmax Jacobian row of sample 1" : "softmax Jacobian row of sample 0",
                              dz, want, 2 * C, tol);
        }
    }
    /* A general dy: dz_i = p_i (dy_i - sum_j dy_j p_j). */
    for (i = 0; i < 2 * C; i++) dy[i] = (float)(i % 3) - 0.75f;
    initnn_activation_backward(dz, dy, z, y, 2 * C, C, INITNN_ACT_SOFTMAX, 0.0f);
    for (row = 0; row < 2; row++) {
        long double dot = 0.0L;
        for (j = 0; j < C; j++) dot += (long double)dy[row * C + j] * p[row * C + j];
        for (i = 0; i < C; i++) {
            long double r = p[row * C + i] * ((long double)dy[row * C + i] - dot);
            want[row * C + i] = (float)r;
            tol[row * C + i] = (float)(2e-5 * fabsl(r) + 3e-7);
        }
    }
    CHECK_FLOATS_NEAR("softmax backward, general dy", dz, want, 2 * C, tol);
}

/* L = (1/B) sum_b logsumexp(z_b) - z_b,label, in long double. */
static long double ref_cross_entropy(const float *z, const int *labels, int batch, int classes)
{
    long double sum = 0.0L;
    int b, j;
    for (b = 0; b < batch; b++) {
        long double m = z[b * classes], s = 0.0L;
        for (j = 1; j < classes; j++)
            if (z[b * classes + j] > m) m = z[b * classes + j];
        for (j = 0; j < classes; j++) s += expl((long double)z[b * classes + j] - m);
        sum += m + logl(s) - (long double)z[b * classes + labels[b]];
    }
    return sum / batch;
}

static void cross_entropy_is_log_sum_exp_minus_the_label_logit_even_near_1000(void)
{
    /* Logits near +1000 and -1000: e^1000 is Inf in float and double, so a
       naive log(sum e^z) gives Inf or NaN. Float32 logits near 1000 are
       6.1e-5 apart, and an implementation that forms m + log(sum) in float
       before subtracting z_label may lose up to an ulp of 1000 per sample;
       the tolerance allows 2 such ulps (2.4e-4), still 4 orders below the
       loss of ~1. */
    enum { Bt = 3, C = 4 };
    static const float z[Bt * C] = {1000.0f, 1001.0f, 999.5f, 990.0f, -1000.0f, -1003.0f,
                                    -999.0f, -1000.5f, 1000.0f, -1000.0f, 0.0f, 1000.0f};
    static const int labels[Bt] = {2, 0, 3};
    float d[Bt * C], want[Bt * C], tol[Bt * C], loss, loss_only;
    long double p[Bt * C], ref = ref_cross_entropy(z, labels, Bt, C);
    int i;
    loss = initnn_softmax_cross_entropy(d, z, labels, Bt, C);
    CHECK(isfinite(loss), "loss %.9g is not finite", (double)loss);
    CHECK_NEAR(loss, (double)ref, 2.0 * 1000.0 * FLT_EPSILON + 1e-6);
    /* dz = (p - onehot(label)) / B */
    ref_softmax(p, z, Bt, C);
    for (i = 0; i < Bt * C; i++) {
        long double r = (p[i] - (i % C == labels[i / C] ? 1.0L : 0.0L)) / Bt;
        want[i] = (float)r;
        tol[i] = (float)(1e-6 * fabsl(r) + 1e-7);
    }
    CHECK_FLOATS_NEAR("dlogits", d, want, Bt * C, tol);
    /* dlogits may be NULL. */
    loss_only = initnn_softmax_cross_entropy(NULL, z, labels, Bt, C);
    CHECK(memcmp(&loss, &loss_only, sizeof loss) == 0, "loss %.9g with gradient, %.9g without",
          (double)loss, (double)loss_only);
}

static void cross_entropy_of_ordinary_logits_matches_by_hand(void)
{
    /* One sample, logits (0, ln 3): p = (1/4, 3/4); label 1 gives
       L = -ln(3/4) = 0.28768207245178090, dz = (1/4, -1/4). */
    float z[2], d[2];
    int label = 1;
    float loss;
    z[0] = 0.0f;
    z[1] = (float)log(3.0);
    loss = initnn_softmax_cross_entropy(d, z, &label, 1, 2);
    CHECK_NEAR(loss, (double)ref_cross_entropy(z, &label, 1, 2), 1e-7);
    CHECK_NEAR(loss, 0.28768207245178090, 2e-7);
    CHECK_NEAR(d[0], 0.25, 1e-7);
    CHECK_NEAR(d[1], -0.25, 1e-7);
}

static void cross_entropy_with_a_label_out_of_range_is_nan_with_a_message(void)
{
    static const float z[2 * 3] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f};
    int bad_high[2] = {0, 3}, bad_low[2] = {-1, 0};
    float d[6];
    float loss;
    initnn_clear_error();
    loss = initnn_softmax_cross_entropy(d, z, bad_high, 2, 3);
    CHECK(loss != loss, "label 3 of 3 classes gives loss %.9g, not NaN", (double)loss);
    CHECK(strlen(initnn_last_error()) > 0, "no message for label 3 of 3 classes");
    initnn_clear_error();
    loss = initnn_softmax_cross_entropy(d, z, bad_low, 2, 3);
    CHECK(loss != loss, "label -1 gives loss %.9g, not NaN", (double)loss);
    CHECK(strlen(initnn_last_error()) > 0, "no message for label -1");
}

static void mse_and_its_gradient_match_by_hand(void)
{
    /* pred - target = (0.5, 0, 2 | -0.5, 0, -2): squares sum to 8.5 over
       B D = 6 elements, L = 8.5 / 6; dpred = 2 (pred - target) / 6. */
    static const float pred[6] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
    static const float target[6] = {0.5f, 2.0f, 1.0f, 4.5f, 5.0f, 8.0f};
    float d[6], want[6], tol[6];
    int i;
    float loss = initnn_mse(d, pred, target, 2, 3);
    CHECK_NEAR(loss, 8.5 / 6.0, 2e-7);
    for (i = 0; i < 6; i++) {
        want[i] = (float)(2.0 * ((double)pred[i] - (double)target[i]) / 6.0);
        tol[i] = 1e-7f;
    }
    CHECK_FLOATS_NEAR("dpred", d, want, 6, tol);
    CHECK(initnn_mse(NULL, pred, target, 2, 3) == loss, "the loss changes when dpred is NULL");
}

static void accuracy_counts_rows_whose_first_maximum_is_at_the_label(void)
{
    /* Row 0: max at 1, label 1: right. Row 1: tie between 1 and 2, first wins
       (1), label 2: wrong. Row 2: tie, label 1: right. Row 3: max at 0,
       label 2: wrong. Row 4: max at 2, label 2: right. 3 of 5. */
    static const float scores[5 * 3] = {0.1f, 0.7f, 0.2f, 0.2f, 0.5f, 0.5f, 0.0f, 0.5f,
                                        0.5f, 0.9f, 0.05f, 0.05f, -3.0f, -2.0f, -1.0f};
    static const int labels[5] = {1, 2, 1, 2, 2};
    CHECK_NEAR(initnn_accuracy(scores, labels, 5, 3), 0.6, 1e-7);
    CHECK_NEAR(initnn_accuracy(scores, labels, 1, 3), 1.0, 0.0);
}

static void mean_absolute_error_matches_by_hand(void)
{
    /* |pred - target| = 0.5, 0, 2, 0.5, 0, 2: sum 5 over 6. */
    static const float pred[6] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f};
    static const float target[6] = {0.5f, 2.0f, 1.0f, 4.5f, 5.0f, 8.0f};
    CHECK_NEAR(initnn_mean_absolute_error(pred, target, 2, 3), 5.0 / 6.0, 2e-7);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(activation_specs_parse_to_their_enum_and_param);
    RUN_TEST(activation_forward_matches_each_formula);
    RUN_TEST(activation_backward_matches_finite_differences);
    RUN_TEST(softmax_forward_normalizes_each_row_and_survives_logits_near_1000);
    RUN_TEST(softmax_backward_applies_the_jacobian_diag_p_minus_p_pT);
    RUN_TEST(cross_entropy_is_log_sum_exp_minus_the_label_logit_even_near_1000);
    RUN_TEST(cross_entropy_of_ordinary_logits_matches_by_hand);
    RUN_TEST(cross_entropy_with_a_label_out_of_range_is_nan_with_a_message);
    RUN_TEST(mse_and_its_gradient_match_by_hand);
    RUN_TEST(accuracy_counts_rows_whose_first_maximum_is_at_the_label);
    RUN_TEST(mean_absolute_error_matches_by_hand);
    return testing_finish();
}
