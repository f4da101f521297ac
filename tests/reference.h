/* reference.h - the independent references initnn's tests compare against,
   written out once from the formulas; include it after initnn.h and
   testing.h.

   1. The init-law oracle: what a kernel spec's formula says about the
      distribution of one weight (mean, variance, kurtosis, bounds), and the
      check of many draws against it within 6 standard errors:

          SE(mean) = sigma / sqrt(N)
          SE(var)  = sigma^2 sqrt((kurtosis - 1) / (N - 1))

      (the variance of the sample variance is (m4 - sigma^4) / N to first
      order), with the kurtosis of the distribution: 3 for a normal, 9/5 for
      a uniform (m4 = a^4/5, sigma^2 = a^2/3), and for a normal cut at +-2
      std its exact value m4 / m2^2 = 2.366, from m2 = 1 - 2 b phi(b) / Z,
      m4 = 3 m2 - 2 b^3 phi(b) / Z, b = 2, Z = erf(b / sqrt 2); for sparse,
      where a weight is N(0, s^2) with probability p = k / rows and 0
      otherwise, m2 = p s^2, m4 = 3 p s^4, kurtosis 3 / p. Orthogonal
      entries and sparse columns obey exact constraints (unit norms, exactly
      k nonzeros) that make the sample variance vary less than for
      independent draws, so the independent-draw SE is conservative there
      (orthogonal uses kurtosis 3 as a bound); an orthogonal matrix is
      checked exactly besides (its Gram matrix). The values are those of the
      literature (Glorot & Bengio 2010, He et al. 2015, LeCun et al. 1998,
      Keras VarianceScaling, Saxe et al. 2014, Martens 2010, the defaults of
      PyTorch, Keras and Flax), never initnn's. tests/test_init.c (dense
      kernels) and tests/test_conv_init.c (conv kernels, receptive-field
      fans) use it.

   2. The reference nets: the activations, log-sum-exp and accuracy of a
      net computed in double from their formulas, for the tests that compare
      a net's forward pass, loss or training against them; and the nets a
      test owns, freed after every test (testing_after_each) however it
      ended.

   All static inline: a test uses what it needs and compiles warning-free. */

#ifndef REFERENCE_H_INCLUDED
#define REFERENCE_H_INCLUDED

#define REFERENCE__FN static inline

/* ---- 1. the init-law oracle -------------------------------------------------------------- */

REFERENCE__FN double ref_normal_pdf(double z) { return exp(-0.5 * z * z) / sqrt(2.0 * 3.14159265358979323846); }

/* Variance and kurtosis of N(0,1) cut at +-2 (see the top of the file). */
REFERENCE__FN double ref_truncated2_variance(void)
{
    return 1.0 - 4.0 * ref_normal_pdf(2.0) / erf(sqrt(2.0));
}
REFERENCE__FN double ref_truncated2_kurtosis(void)
{
    double m2 = ref_truncated2_variance();
    double m4 = 3.0 * m2 - 16.0 * ref_normal_pdf(2.0) / erf(sqrt(2.0));
    return m4 / (m2 * m2);
}

enum ref_law {
    LAW_CONSTANT,     /* a = the value                                              */
    LAW_NORMAL,       /* FIXED: a = std, b = mean;  else Var = a / n                */
    LAW_UNIFORM,      /* FIXED: U(a, b);  else U(+-sqrt(3 a / n)), Var = a / n      */
    LAW_TRUNCATED,    /* FIXED: N(b, a^2) cut at b +- 2a;  else Var = a / n
                         exactly, the underlying std sqrt(a/n) / 0.8796           */
    LAW_ORTHOGONAL,   /* a = gain: mean 0, Var = gain^2 / max(rows, cols)           */
    LAW_SPARSE        /* a = k, b = std: Var = min(k, rows) / rows std^2            */
};

/* n of variance scaling: Var = scale / n. */
enum ref_fan_rule { FIXED, BY_FAN_IN, BY_FAN_OUT, BY_FAN_AVG };

/* One spec and the law it claims; claim is the test's name. */
typedef struct {
    const char *claim;
    const char *spec;
    int law;
    int rule;
    double a, b;
} spec_case;

/* What a spec's formula says about the distribution of one weight. */
typedef struct {
    double mean, variance, kurtosis;
    int bounded;          /* every weight lies in [lo, hi]                   */
    double lo, hi;
} law_moments;

/* The moments of one weight of a (rows, cols) kernel matrix whose fans are
   fan_in and fan_out (rows and cols for a dense kernel; c_in k_h k_w and
   c_out k_h k_w for a conv kernel of (c_in k_h k_w, c_out)). */
REFERENCE__FN law_moments ref_expected_moments(const spec_case *c, int rows, int cols, double fan_in,
                                               double fan_out)
{
    law_moments m;
    double n = c->rule == BY_FAN_IN ? fan_in : c->rule == BY_FAN_OUT ? fan_out : 0.5 * (fan_in + fan_out);
    memset(&m, 0, sizeof m);
    m.kurtosis = 3.0;
    switch (c->law) {
    case LAW_CONSTANT:
        m.mean = c->a;
        break;
    case LAW_NORMAL:
        m.mean = c->rule == FIXED ? c->b : 0.0;
        m.variance = c->rule == FIXED ? c->a * c->a : c->a / n;
        break;
    case LAW_UNIFORM: {
        double lo = c->a, hi = c->b;
        if (c->rule != FIXED) { hi = sqrt(3.0 * c->a / n); lo = -hi; }
        m.mean = 0.5 * (lo + hi);
        m.variance = (hi - lo) * (hi - lo) / 12.0;
        m.kurtosis = 1.8;
        m.bounded = 1;
        m.lo = lo;
        m.hi = hi;
        break;
    }
    case LAW_TRUNCATED: {
        double std = c->rule == FIXED ? c->a : sqrt(c->a / n / ref_truncated2_variance());
        m.mean = c->rule == FIXED ? c->b : 0.0;
        m.variance = std * std * ref_truncated2_variance();
        m.kurtosis = ref_truncated2_kurtosis();
        m.bounded = 1;
        m.lo = m.mean - 2.0 * std;
        m.hi = m.mean + 2.0 * std;
        break;
    }
    case LAW_ORTHOGONAL: {
        int larger = rows > cols ? rows : cols;
        m.variance = c->a * c->a / larger;
        break;
    }
    case LAW_SPARSE: {
        double k = c->a < rows ? c->a : rows, p = k / rows;
        m.variance = p * c->b * c->b;
        m.kurtosis = 3.0 / p;
        break;
    }
    }
    return m;
}

/* The draws seen so far: sums of deviations from the expected mean (no
   cancellation), and the smallest and largest draw. */
typedef struct {
    double sum, sum_sq, lo, hi;
    size_t total;
} law_sums;

/* Adds the n weights of one fill to sums, checking each: a constant law
   gives exactly its value, a bounded one stays within its bounds (with
   1e-6 of slack for the float rounding of the bound itself: float(limit),
   float(mean + std z) may lie a few ulps beyond the bound in double).
   what names the spec and shape in a failure. */
REFERENCE__FN void ref_add_draws(law_sums *sums, const spec_case *c, const law_moments *want, const float *w,
                                 size_t n, const char *what)
{
    double slack = 1e-6 * (fabs(want->lo) + fabs(want->hi));
    size_t i;
    for (i = 0; i < n; i++) {
        double x = w[i], d = x - want->mean;
        if (c->law == LAW_CONSTANT)
            CHECK(w[i] == (float)want->mean, "%s: w[%lu] = %.9g, want %.9g", what, (unsigned long)i, x, want->mean);
        if (want->bounded)
            CHECK(x >= want->lo - slack && x <= want->hi + slack, "%s: w[%lu] = %.9g is outside [%.9g, %.9g]", what,
                  (unsigned long)i, x, want->lo, want->hi);
        if (sums->total == 0 && i == 0) sums->lo = sums->hi = x;
        if (x < sums->lo) sums->lo = x;
        if (x > sums->hi) sums->hi = x;
        sums->sum += d;
        sums->sum_sq += d * d;
    }
    sums->total += n;
}

/* The sample mean and variance of all draws within 6 SE of the law's, and
   a bounded law's range reached, not merely respected: with 2e5 draws a
   uniform or a cut normal comes within 1% of the range of each end. */
REFERENCE__FN void ref_check_law(const law_sums *sums, const spec_case *c, const law_moments *want, const char *what)
{
    double total = (double)sums->total, mean, variance, se_mean, se_var;
    if (c->law == LAW_CONSTANT) return;
    mean = want->mean + sums->sum / total;
    variance = (sums->sum_sq - sums->sum * sums->sum / total) / (total - 1.0);
    se_mean = sqrt(want->variance / total);
    se_var = want->variance * sqrt((want->kurtosis - 1.0) / (total - 1.0));
    CHECK(fabs(mean - want->mean) <= 6.0 * se_mean, "%s (%lu draws): mean %.6g, formula %.6g, 6 SE = %.3g", what,
          (unsigned long)sums->total, mean, want->mean, 6.0 * se_mean);
    CHECK(fabs(variance - want->variance) <= 6.0 * se_var,
          "%s (%lu draws): variance %.6g, formula %.6g, 6 SE = %.3g", what, (unsigned long)sums->total, variance,
          want->variance, 6.0 * se_var);
    if (want->bounded) {
        double margin = 0.01 * (want->hi - want->lo);
        CHECK(sums->lo < want->lo + margin && sums->hi > want->hi - margin,
              "%s: draws span [%.6g, %.6g], the bounds are [%.6g, %.6g]", what, sums->lo, sums->hi, want->lo,
              want->hi);
    }
}

/* The Gram matrix of the columns (rows >= cols) or the rows (rows < cols)
   of the (rows, cols) matrix w, in double, must be gain^2 I within 1e-5
   gain^2 elementwise: each entry sums products of floats that are each
   within 2^-24 (relative) of an exactly orthogonal matrix, so the error is
   below ~2^-23 gain^2; 1e-5 leaves room for the rounding of the QR itself. */
REFERENCE__FN void ref_check_orthonormal(const float *w, int rows, int cols, double gain, const char *what)
{
    int tall = rows >= cols, count = tall ? cols : rows, length = tall ? rows : cols, p, q, t;
    double worst = 0.0;
    int worst_p = 0, worst_q = 0;
    for (p = 0; p < count; p++)
        for (q = p; q < count; q++) {
            double dot = 0.0, err;
            for (t = 0; t < length; t++) {
                double x = tall ? w[(size_t)t * cols + p] : w[(size_t)p * cols + t];
                double y = tall ? w[(size_t)t * cols + q] : w[(size_t)q * cols + t];
                dot += x * y;
            }
            err = fabs(dot - (p == q ? gain * gain : 0.0));
            if (err > worst) { worst = err; worst_p = p; worst_q = q; }
        }
    CHECK(worst <= 1e-5 * gain * gain, "%s (%d, %d) gain %g: %s[%d][%d] is off gain^2 I by %.3g", what, rows, cols,
          gain, tall ? "W^T W" : "W W^T", worst_p, worst_q, worst);
}

/* ---- 2. the reference nets ---------------------------------------------------------------- */

/* phi(z) of an activation in double; a is leaky_relu's slope. */
REFERENCE__FN double ref_phi(int activation, double a, double z)
{
    switch (activation) {
    case INITNN_ACT_IDENTITY: return z;
    case INITNN_ACT_RELU: return z > 0.0 ? z : 0.0;
    case INITNN_ACT_LEAKY_RELU: return z > 0.0 ? z : a * z;
    case INITNN_ACT_TANH: return tanh(z);
    case INITNN_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case INITNN_ACT_SELU:
        return INITNN_SELU_LAMBDA * (z > 0.0 ? z : INITNN_SELU_ALPHA * (exp(z) - 1.0));
    default: return NAN;
    }
}

/* log sum_j e^(z_j), shifted by the maximum. */
REFERENCE__FN double ref_logsumexp(const double *z, int n)
{
    double m = z[0], s = 0.0;
    int j;
    for (j = 1; j < n; j++)
        if (z[j] > m) m = z[j];
    for (j = 0; j < n; j++) s += exp(z[j] - m);
    return m + log(s);
}

/* z (B, out) = x (B, in) W (in, out) + b, the dense layer in double. */
REFERENCE__FN void ref_dense_forward(double *z, const double *x, const double *W, const double *bias, int B, int in,
                                     int out)
{
    int b, i, j;
    for (b = 0; b < B; b++)
        for (j = 0; j < out; j++) {
            double sum = bias[j];
            for (i = 0; i < in; i++) sum += x[b * in + i] * W[i * out + j];
            z[b * out + j] = sum;
        }
}

/* y = the activation of the pre-activations z (B rows of width): softmax
   per row, y_j = e^(z_j - logsumexp(z)), or phi elementwise. */
REFERENCE__FN void ref_activate(double *y, const double *z, int activation, double a, int B, int width)
{
    int b, j, i;
    if (activation == INITNN_ACT_SOFTMAX) {
        for (b = 0; b < B; b++) {
            double lse = ref_logsumexp(z + b * width, width);
            for (j = 0; j < width; j++) y[b * width + j] = exp(z[b * width + j] - lse);
        }
    } else {
        for (i = 0; i < B * width; i++) y[i] = ref_phi(activation, a, z[i]);
    }
}

/* The softmax cross-entropy of logits z (B, classes) against labels:
   L = (1/B) sum_b logsumexp(z_b) - z_b,label. */
REFERENCE__FN double ref_logits_cross_entropy(const double *z, const int *labels, int B, int classes)
{
    double loss = 0.0;
    int b;
    for (b = 0; b < B; b++) loss += ref_logsumexp(z + b * classes, classes) - z[b * classes + labels[b]];
    return loss / B;
}

/* The fraction of the n samples of x whose largest output (the first
   maximum) is their label, from forward passes of at most max_batch. -1 if
   a forward pass fails. */
REFERENCE__FN double ref_accuracy(initnn_net *net, const float *x, const int *labels, int n)
{
    int start, right = 0, classes = initnn_net_output_dim(net);
    for (start = 0; start < n; start += net->max_batch) {
        int b = n - start < net->max_batch ? n - start : net->max_batch, i, j;
        const float *y = initnn_net_forward(net, x + (size_t)start * (size_t)net->input_dim, b, 0);
        if (!y) return -1.0;
        for (i = 0; i < b; i++) {
            int best = 0;
            for (j = 1; j < classes; j++)
                if (y[i * classes + j] > y[i * classes + best]) best = j;
            right += best == labels[start + i];
        }
    }
    return (double)right / n;
}

/* ---- gradients against central differences ------------------------------------------------- */

/* The loss of net with its parameters replaced by p, computed in double
   from the formulas by the test (it reads only the architecture). */
typedef double (*ref_loss_fn)(const initnn_net *net, const double *p, const float *X, int B, const int *labels,
                              const float *targets);

/* Compares net->grads (from the last backward on X, labels, targets) with
   central differences of loss at the net's parameters, h = 1e-6 (1 + |p|):
   NULL when every parameter agrees within rtol max(|analytic|, |numeric|) +
   atol, else the first disagreement, written into msg. scale[l] gets layer
   l's largest |numeric| (a layer whose gradient never reaches the test's
   floor is not tested). */
REFERENCE__FN const char *ref_gradient_check(const initnn_net *net, ref_loss_fn loss, const float *X, int B,
                                             const int *labels, const float *targets, double rtol, double atol,
                                             double *scale, char *msg, size_t msg_size)
{
    const char *bad = NULL;
    double *p = (double *)malloc(net->param_count * sizeof(double));
    size_t i;
    int l;
    if (!p) {
        snprintf(msg, msg_size, "out of memory for %lu parameters", (unsigned long)net->param_count);
        return msg;
    }
    for (l = 0; l < net->layer_count; l++) scale[l] = 0.0;
    for (i = 0; i < net->param_count; i++) p[i] = net->params[i];
    for (i = 0; i < net->param_count && !bad; i++) {
        double keep = p[i], hh = 1e-6 * (1.0 + fabs(keep)), numeric, analytic = net->grads[i];
        p[i] = keep + hh;
        numeric = loss(net, p, X, B, labels, targets);
        p[i] = keep - hh;
        numeric = (numeric - loss(net, p, X, B, labels, targets)) / (2.0 * hh);
        p[i] = keep;
        for (l = 0; l < net->layer_count; l++)
            if (i >= net->layers[l].param_offset &&
                i < net->layers[l].param_offset + net->layers[l].weight_count + net->layers[l].bias_count)
                scale[l] = fmax(scale[l], fabs(numeric));
        if (!(fabs(analytic - numeric) <= rtol * fmax(fabs(analytic), fabs(numeric)) + atol)) {
            snprintf(msg, msg_size, "parameter %lu: analytic %.9g, numeric %.9g", (unsigned long)i, analytic, numeric);
            bad = msg;
        }
    }
    free(p);
    return bad;
}

/* The nets a test owns: ref_own(net) hands it over, and
   ref_release_nets, the after-each hook (testing_after_each), frees them,
   so that a test that stops at a failed CHECK leaks nothing. */
static struct {
    initnn_net *nets[8];
    int count;
} ref__owned;

/* Takes net (may be NULL). A ninth net in one test is a failed CHECK (and
   is left to the caller). */
REFERENCE__FN void ref_own(initnn_net *net)
{
    if (!net) return;
    CHECK(ref__owned.count < 8, "a test owns more than 8 nets");
    ref__owned.nets[ref__owned.count++] = net;
}

REFERENCE__FN void ref_release_nets(void)
{
    while (ref__owned.count > 0) {
        ref__owned.count--;
        initnn_net_free(ref__owned.nets[ref__owned.count]);
        ref__owned.nets[ref__owned.count] = NULL;
    }
}

#endif /* REFERENCE_H_INCLUDED */
