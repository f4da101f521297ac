/* 11_softmax.c - softmax that does not overflow, its Jacobian, and the
   gradient of softmax + cross-entropy.

   CLAIMS
      p_i = e^{z_i} / sum_j e^{z_j}.
      A. Shift invariance: for any c, e^{z_i - c} / sum_j e^{z_j - c}
         = e^{-c} e^{z_i} / (e^{-c} sum_j e^{z_j}) = p_i. With c = max_j z_j
         every exponent is <= 0, so nothing overflows and the largest term
         is 1, so the sum is >= 1 and nothing divides by 0. The naive form
         with logits near 1000 computes e^1000 = Inf (float32 overflows above
         88.7, double above 709.8) and Inf / Inf = NaN.
      B. The Jacobian: dp_i/dz_j = p_i (delta_ij - p_j), i.e.
            J = diag(p) - p p^T,
         from the quotient rule: d/dz_j of e^{z_i} / S is
         (delta_ij e^{z_i} S - e^{z_i} e^{z_j}) / S^2.
         A backward pass multiplies by it: dz = J^T dy = p * (dy - p . dy).
      C. Softmax + cross-entropy, L = -log p_y = logsumexp(z) - z_y:
            dL/dz_j = p_j - [j = y],
         since d logsumexp / dz_j = p_j. The gradient is bounded (|p - y| <= 1
         per entry) and sums to 0 over the classes.

   MEASUREMENT AND TOLERANCE (u = 2^-24, float32's unit roundoff)
      A. 1000 rows of 10 logits 1000 + N(0, 2^2). Naive softmax in float:
         every output must be NaN. initnn_activation_forward (softmax): rows
         must sum to 1 and match a double-precision reference within 4u
         relative (one rounding for the exponential, one for the sum of
         rounded terms, one for the quotient, one to spare). And since
         z - 1000 is exact in float (Sterbenz: both near 1000), softmax(z)
         and softmax(z - 1000) subtract the same maxima from the same
         numbers: they must be bitwise equal.
      B. Logits N(0, 1), 5 classes. The naive form must agree with initnn's
         within (5 + 4)u relative (5 roundings in the float sum). The
         Jacobian against central differences of initnn's softmax with
         h = 1e-2: the outputs carry a relative error <= 3u, giving
         3u/h in the difference quotient, and the truncation error
         is h^2/6 max|d^3 p| <= h^2/24 (|d^3 p| <= 1/4 for the logistic-shaped
         p_i(z_j)); tolerance their sum. initnn_activation_backward against
         (diag(p) - p p^T) dy: both round each of ~5 terms once, tolerance
         10u max|dy|.
      C. initnn_softmax_cross_entropy on one sample: the gradient against
         p - onehot(y) in double within 2u; against central differences of
         the loss (float, relative error u) with h = 1e-2 within
         u L / h + h^2/60 (|d^3 L| = |p (1-p) (1-2p)| <= 0.1); its sum
         within 5u; and the loss at logits near 1000 against a double
         reference within 2u relative (initnn sums in double). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define UNIT_ROUNDOFF 5.9604644775390625e-08   /* 2^-24 */

/* The textbook formula, in float, as written. */
static void naive_softmax(float *p, const float *z, int classes)
{
    float sum = 0.0f;
    int j;
    for (j = 0; j < classes; j++) sum += expf(z[j]);
    for (j = 0; j < classes; j++) p[j] = expf(z[j]) / sum;
}

/* Softmax in double with the max subtracted: the reference. */
static void reference_softmax(double *p, const float *z, int classes)
{
    double max = z[0], sum = 0.0;
    int j;
    for (j = 1; j < classes; j++) if (z[j] > max) max = z[j];
    for (j = 0; j < classes; j++) sum += exp((double)z[j] - max);
    for (j = 0; j < classes; j++) p[j] = exp((double)z[j] - max) / sum;
}

static void large_logits(tutorial *t, initnn_rng *rng)
{
    enum { ROWS = 1000, CLASSES = 10, N = ROWS * CLASSES };
    static float z[N], shifted[N], p[N], p_shifted[N], naive[N];
    double worst_sum = 0.0, worst_relative = 0.0, reference[CLASSES];
    int i, r, j, nan_count = 0, differ = 0;
    for (i = 0; i < N; i++) z[i] = 1000.0f + 2.0f * initnn_rng_normal(rng);
    for (i = 0; i < N; i++) shifted[i] = z[i] - 1000.0f;
    for (r = 0; r < ROWS; r++) naive_softmax(naive + r * CLASSES, z + r * CLASSES, CLASSES);
    initnn_activation_forward(p, z, N, CLASSES, INITNN_ACT_SOFTMAX, 0.0f);
    initnn_activation_forward(p_shifted, shifted, N, CLASSES, INITNN_ACT_SOFTMAX, 0.0f);
    for (r = 0; r < ROWS; r++) {
        double sum = 0.0;
        reference_softmax(reference, z + r * CLASSES, CLASSES);
        for (j = 0; j < CLASSES; j++) {
            double relative = fabs(p[r * CLASSES + j] - reference[j]) / reference[j];
            if (relative > worst_relative) worst_relative = relative;
            sum += p[r * CLASSES + j];
        }
        if (fabs(sum - 1.0) > worst_sum) worst_sum = fabs(sum - 1.0);
    }
    for (i = 0; i < N; i++) {
        nan_count += naive[i] != naive[i];
        differ += p[i] != p_shifted[i];
    }
    printf("A. %d rows of %d logits 1000 + N(0, 4)\n", ROWS, CLASSES);
    tutorial_print_heading();
    tutorial_absolute(t, "naive e^z / sum e^z: NaN outputs", N, nan_count, 0);
    tutorial_absolute(t, "initnn: max |row sum - 1|", 0.0, worst_sum, 4.0 * UNIT_ROUNDOFF);
    tutorial_absolute(t, "initnn vs double: max rel. error", 0.0, worst_relative, 4.0 * UNIT_ROUNDOFF);
    tutorial_absolute(t, "softmax(z) vs softmax(z-1000): diff", 0, differ, 0);
}

static void jacobian(tutorial *t, initnn_rng *rng)
{
    enum { CLASSES = 5 };
    const double h = 1e-2;
    float z[CLASSES], p[CLASSES], naive[CLASSES], plus[CLASSES], minus[CLASSES], bumped[CLASSES];
    float dy[CLASSES], dz[CLASSES];
    double worst_naive = 0.0, worst_jacobian = 0.0, worst_backward = 0.0, largest_dy = 0.0;
    int i, j;
    for (j = 0; j < CLASSES; j++) z[j] = initnn_rng_normal(rng);
    for (j = 0; j < CLASSES; j++) dy[j] = initnn_rng_normal(rng);
    initnn_activation_forward(p, z, CLASSES, CLASSES, INITNN_ACT_SOFTMAX, 0.0f);
    naive_softmax(naive, z, CLASSES);
    for (j = 0; j < CLASSES; j++)
        if (fabs(naive[j] - p[j]) / p[j] > worst_naive) worst_naive = fabs(naive[j] - p[j]) / p[j];
    for (j = 0; j < CLASSES; j++) {
        memcpy(bumped, z, sizeof z);
        bumped[j] = (float)(z[j] + h);
        initnn_activation_forward(plus, bumped, CLASSES, CLASSES, INITNN_ACT_SOFTMAX, 0.0f);
        bumped[j] = (float)(z[j] - h);
        initnn_activation_forward(minus, bumped, CLASSES, CLASSES, INITNN_ACT_SOFTMAX, 0.0f);
        for (i = 0; i < CLASSES; i++) {
            /* the bump actually applied is the float difference */
            double step = (double)(float)(z[j] + h) - (double)(float)(z[j] - h);
            double numeric = ((double)plus[i] - minus[i]) / step;
            double analytic = (double)p[i] * ((i == j) - (double)p[j]);
            if (fabs(numeric - analytic) > worst_jacobian) worst_jacobian = fabs(numeric - analytic);
        }
    }
    initnn_activation_backward(dz, dy, z, p, CLASSES, CLASSES, INITNN_ACT_SOFTMAX, 0.0f);
    for (i = 0; i < CLASSES; i++) {
        double expected = 0.0;
        for (j = 0; j < CLASSES; j++) expected += (double)p[i] * ((i == j) - (double)p[j]) * dy[j];
        if (fabs(dz[i] - expected) > worst_backward) worst_backward = fabs(dz[i] - expected);
        if (fabs(dy[i]) > largest_dy) largest_dy = fabs(dy[i]);
    }
    printf("B. %d logits N(0, 1); J = diag(p) - p p^T\n", CLASSES);
    tutorial_print_heading();
    tutorial_absolute(t, "naive vs initnn: max rel. diff", 0.0, worst_naive, (CLASSES + 4) * UNIT_ROUNDOFF);
    tutorial_absolute(t, "max |J - finite differences|", 0.0, worst_jacobian,
                      3.0 * UNIT_ROUNDOFF / h + h * h / 24.0);
    tutorial_absolute(t, "backward vs J dy: max |diff|", 0.0, worst_backward, 10.0 * UNIT_ROUNDOFF * largest_dy);
}

static void cross_entropy(tutorial *t, initnn_rng *rng)
{
    enum { CLASSES = 5 };
    const double h = 1e-2;
    float z[CLASSES], dz[CLASSES], bumped[CLASSES], big[CLASSES];
    double p[CLASSES], worst_formula = 0.0, worst_numeric = 0.0, sum = 0.0, loss, reference_loss;
    int label = (int)initnn_rng_below(rng, CLASSES), j;
    for (j = 0; j < CLASSES; j++) z[j] = 2.0f * initnn_rng_normal(rng);
    loss = initnn_softmax_cross_entropy(dz, z, &label, 1, CLASSES);
    reference_softmax(p, z, CLASSES);
    for (j = 0; j < CLASSES; j++) {
        double step, numeric;
        if (fabs(dz[j] - (p[j] - (j == label))) > worst_formula) worst_formula = fabs(dz[j] - (p[j] - (j == label)));
        memcpy(bumped, z, sizeof z);
        bumped[j] = (float)(z[j] + h);
        numeric = initnn_softmax_cross_entropy(NULL, bumped, &label, 1, CLASSES);
        bumped[j] = (float)(z[j] - h);
        numeric -= initnn_softmax_cross_entropy(NULL, bumped, &label, 1, CLASSES);
        step = (double)(float)(z[j] + h) - (double)(float)(z[j] - h);
        numeric /= step;
        if (fabs(numeric - dz[j]) > worst_numeric) worst_numeric = fabs(numeric - dz[j]);
        sum += dz[j];
    }
    for (j = 0; j < CLASSES; j++) big[j] = 1000.0f + z[j];
    reference_softmax(p, big, CLASSES);
    reference_loss = -log(p[label]);
    printf("C. softmax + cross-entropy, %d logits 2 N(0, 1), label %d, L = %.4f\n", CLASSES, label, loss);
    tutorial_print_heading();
    tutorial_absolute(t, "dL/dz vs p - onehot(y): max |diff|", 0.0, worst_formula, 2.0 * UNIT_ROUNDOFF);
    tutorial_absolute(t, "dL/dz vs finite differences", 0.0, worst_numeric,
                      UNIT_ROUNDOFF * loss / h + h * h / 60.0);
    tutorial_absolute(t, "sum_j dL/dz_j", 0.0, sum, 5.0 * UNIT_ROUNDOFF);
    tutorial_relative(t, "L at logits 1000 + z vs double", reference_loss,
                      initnn_softmax_cross_entropy(NULL, big, &label, 1, CLASSES), 2.0 * UNIT_ROUNDOFF);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"Softmax of the logits (1000, 1000): predict p_1 (the naive formula gives NaN).",
         0.5, 0.001},
        {"Cross-entropy with 10 classes and all logits equal: predict dL/dz for the true class.",
         1.0 / 10.0 - 1.0, 0.001},
        {"Break it: flip the sign of the checked gradient: compare dz with (j == label) - p[j] instead of p[j] - (j == label). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         8, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    tutorial t;
    initnn_rng rng;
    tutorial_start(&t, argc, argv, "11 softmax: subtract the max, J = diag(p) - p p^T, dL/dz = p - y");
    exercises(&t);
    initnn_rng_seed_stream(&rng, t.seed, 1);
    large_logits(&t, &rng);
    jacobian(&t, &rng);
    cross_entropy(&t, &rng);
    return tutorial_finish(&t);
}
