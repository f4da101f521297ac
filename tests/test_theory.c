/* test_theory.c - section 10 (signal-propagation theory) against known
   values and references computed here, independently of the header.

   Quadrature. The Gauss-Hermite rule of order n integrates every polynomial
   of degree <= 2n - 1 exactly against N(0, 1). Monomials are badly
   conditioned beyond degree ~20 (E[z^30] = 29!! ~ 6e15 is a sum of huge
   terms of both signs), so exactness is checked on the orthonormal
   (probabilists') Hermite polynomials h_k, h_0 = 1, h_1 = z,
   h_{k+1} = (z h_k - sqrt(k) h_{k-1}) / sqrt(k + 1), E[h_j h_k] = [j = k]:
   every pair with j + k <= 2n - 1 must come out as the identity matrix.
   The bound is sharp: h_n vanishes at the n nodes, so the rule gives
   E[h_n^2] = 0 instead of 1.

   Moments. The closed forms of the header (identity, ReLU, leaky ReLU, SELU)
   must agree with its composite rule to 1e-10 relative; tanh and sigmoid
   have no closed form and are checked against a composite Simpson rule on
   [-12, 12] with 400000 panels written here (error O(h^4) ~ 1e-15, and the
   tails beyond 12 std weigh 1e-32), and against Monte Carlo within 6
   standard errors.

   Fixed points. Known values from Poole et al. (2016) and Schoenholz et al.
   (2017): with sigma_b^2 = 0 tanh is critical at sigma_w^2 = 1 (the edge
   where q = 0 loses stability, 1 / tanh'(0)^2), ReLU at 2 for every
   sigma_b^2 (chi_1 = sigma_w^2 / 2 whatever q is), and tanh's critical
   sigma_w^2 grows with sigma_b^2 (their figure 1 phase diagram).

   Initializers and presets are checked by sampling: the sample mean and
   variance of N weights lie within 6 standard errors of the formula,
   SE(var) = sigma^2 sqrt((kurtosis - 1) / N) with kurtosis 3 (normal), 9/5
   (uniform) or 2.366 (normal cut at 2 std, see test_init.c). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#define PI 3.14159265358979323846

/* ---- references written here --------------------------------------------- */

/* phi' in double, for the references (phi: tests/reference.h). */
static double ref_phi_prime(int activation, double u)
{
    double f = ref_phi(activation, 0.0, u);
    return activation == INITNN_ACT_TANH ? 1.0 - f * f : f * (1.0 - f);
}

/* E[phi(u)], E[phi(u)^2], E[phi'(u)^2] for u = sqrt(q) z, z ~ N(0, 1), by
   composite Simpson on [-12, 12] with 400000 panels. */
static void simpson_moments(double out[3], int activation, double q)
{
    const int panels = 400000;
    const double lo = -12.0, hi = 12.0, h = (hi - lo) / panels;
    int i, k;
    for (k = 0; k < 3; k++) out[k] = 0.0;
    for (i = 0; i <= panels; i++) {
        double z = lo + i * h, u = sqrt(q) * z, f = ref_phi(activation, 0.0, u), d = ref_phi_prime(activation, u);
        double w = (i == 0 || i == panels ? 1.0 : (i % 2 ? 4.0 : 2.0)) * ref_normal_pdf(z);
        out[0] += w * f;
        out[1] += w * f * f;
        out[2] += w * d * d;
    }
    for (k = 0; k < 3; k++) out[k] *= h / 3.0;
}

/* Relative difference, with an absolute floor for values near 0. */
static double relative_diff(double got, double want, double floor)
{
    double scale = fabs(want) > floor ? fabs(want) : floor;
    return fabs(got - want) / scale;
}

/* Sample mean and variance of w[0..n-1] within 6 SE of (mean, variance),
   for a distribution of the given kurtosis. Reports with label. */
static void check_sample(const char *label, const float *w, size_t n, double mean, double variance,
                         double kurtosis)
{
    double m = initnn_mean(w, n), v = initnn_variance(w, n);
    double se_mean = sqrt(variance / (double)n), se_var = variance * sqrt((kurtosis - 1.0) / (double)n);
    CHECK(fabs(m - mean) <= 6.0 * se_mean + 1e-12, "%s: sample mean %.6g, want %.6g (6 SE = %.3g)", label, m,
          mean, 6.0 * se_mean);
    CHECK(fabs(v - variance) <= 6.0 * se_var + 1e-12, "%s: sample variance %.6g, want %.6g (6 SE = %.3g)", label,
          v, variance, 6.0 * se_var);
}

#define KURTOSIS_NORMAL 3.0
#define KURTOSIS_UNIFORM 1.8

static double max_abs(const float *w, size_t n)
{
    double m = 0.0;
    size_t i;
    for (i = 0; i < n; i++)
        if (fabs(w[i]) > m) m = fabs(w[i]);
    return m;
}

/* ---- Gauss-Hermite ---------------------------------------------------------- */

static void gauss_hermite_weights_sum_to_1_and_moments_are_1_3_15(void)
{
    initnn_quadrature rule;
    int n, i;
    for (n = 8; n <= 128; n++) {
        double s0 = 0.0, s2 = 0.0, s4 = 0.0, s6 = 0.0;
        CHECK(initnn_quadrature_init(&rule, n) == 0, "order %d: %s", n, initnn_last_error());
        CHECK(rule.order == n, "order %d: rule.order = %d", n, rule.order);
        for (i = 0; i < n; i++) {
            double x2 = rule.node[i] * rule.node[i], w = rule.weight[i];
            CHECK(w > 0.0, "order %d: weight %d = %g", n, i, w);
            s0 += w;
            s2 += w * x2;
            s4 += w * x2 * x2;
            s6 += w * x2 * x2 * x2;
        }
        CHECK(fabs(s0 - 1.0) <= 1e-12, "order %d: sum of weights - 1 = %.3g", n, s0 - 1.0);
        CHECK(fabs(s2 - 1.0) <= 1e-12, "order %d: E[z^2] - 1 = %.3g", n, s2 - 1.0);
        CHECK(fabs(s4 - 3.0) <= 1e-12 * 3.0, "order %d: E[z^4] - 3 = %.3g", n, s4 - 3.0);
        CHECK(fabs(s6 - 15.0) <= 1e-12 * 15.0, "order %d: E[z^6] - 15 = %.3g", n, s6 - 15.0);
    }
}

static void gauss_hermite_of_order_n_is_exact_up_to_degree_2n_minus_1(void)
{
    static double h[INITNN_QUADRATURE_MAX + 1][INITNN_QUADRATURE_MAX];
    initnn_quadrature rule;
    int n, i, j, k;
    for (n = 2; n <= INITNN_QUADRATURE_MAX; n++) {
        double worst = 0.0, degree_2n = 0.0;
        int worst_j = 0, worst_k = 0;
        CHECK(initnn_quadrature_init(&rule, n) == 0, "order %d: %s", n, initnn_last_error());
        for (i = 0; i < n; i++) {
            double x = rule.node[i];
            h[0][i] = 1.0;
            h[1][i] = x;
            for (k = 1; k < n; k++) h[k + 1][i] = (x * h[k][i] - sqrt((double)k) * h[k - 1][i]) / sqrt(k + 1.0);
        }
        for (j = 0; j <= n; j++)
            for (k = j; k <= n && j + k <= 2 * n - 1; k++) {
                double s = 0.0;
                for (i = 0; i < n; i++) s += rule.weight[i] * h[j][i] * h[k][i];
                if (fabs(s - (j == k)) > worst) { worst = fabs(s - (j == k)); worst_j = j; worst_k = k; }
            }
        CHECK(worst <= 1e-12, "order %d: E[h_%d h_%d] is off by %.3g", n, worst_j, worst_k, worst);
        /* Degree 2n is beyond it: h_n is 0 at every node. */
        for (i = 0; i < n; i++) degree_2n += rule.weight[i] * h[n][i] * h[n][i];
        CHECK(degree_2n < 1e-6, "order %d: E[h_n^2] by the rule = %.3g, want ~0 (true value 1)", n, degree_2n);
    }
}

static void gauss_hermite_rejects_orders_outside_2_to_128(void)
{
    initnn_quadrature rule;
    rule.order = 7;
    CHECK(initnn_quadrature_init(&rule, 1) == INITNN_ERR_ARGUMENT, "order 1 accepted");
    CHECK(initnn_quadrature_init(&rule, INITNN_QUADRATURE_MAX + 1) == INITNN_ERR_ARGUMENT, "order 129 accepted");
    CHECK(rule.order == 7, "a rejected order wrote the rule (order %d)", rule.order);
    CHECK(initnn_quadrature_init(NULL, 8) == INITNN_ERR_ARGUMENT, "NULL rule accepted");
}

/* Documents why the default rule is composite Gauss-Legendre: at q = 10,
   tanh'(sqrt(q) z)^2 is a bump of width ~0.3 in z that 64 Hermite nodes
   (spacing ~0.4 near 0) do not resolve. */
static void gauss_hermite_64_misses_tanh_slope_at_q_10_by_over_1_percent(void)
{
    initnn_quadrature rule;
    initnn_moments hermite, composite;
    double reference[3], hermite_error, composite_error;
    CHECK(initnn_quadrature_init(&rule, 64) == 0, "%s", initnn_last_error());
    CHECK(initnn_activation_moments_gauss_hermite(&hermite, INITNN_ACT_TANH, 0.0f, 10.0, &rule) == 0, "%s",
          initnn_last_error());
    CHECK(initnn_activation_moments(&composite, INITNN_ACT_TANH, 0.0f, 10.0) == 0, "%s", initnn_last_error());
    simpson_moments(reference, INITNN_ACT_TANH, 10.0);
    hermite_error = fabs(hermite.slope2 / reference[2] - 1.0);
    composite_error = fabs(composite.slope2 / reference[2] - 1.0);
    CHECK(hermite_error > 0.01, "Gauss-Hermite 64 error on E[tanh'^2] at q = 10 is only %.3g", hermite_error);
    CHECK(composite_error < 1e-10, "composite rule error on E[tanh'^2] at q = 10 is %.3g", composite_error);
    /* and where f is smooth on the nodes' scale, Hermite is as good */
    CHECK(initnn_activation_moments_gauss_hermite(&hermite, INITNN_ACT_TANH, 0.0f, 0.1, &rule) == 0, "%s",
          initnn_last_error());
    simpson_moments(reference, INITNN_ACT_TANH, 0.1);
    CHECK(fabs(hermite.slope2 / reference[2] - 1.0) < 1e-10, "Gauss-Hermite 64 at q = 0.1: error %.3g",
          fabs(hermite.slope2 / reference[2] - 1.0));
}

/* The numbers section 10 of the header states, each to the digits it
   states them: Gauss-Hermite of order 64 misses E[tanh'(z)^2] by less than
   1e-12 at q = 0.1, by 2e-7 at q = 1, 3.5e-3 at q = 4 and 9% at q = 10, and
   E[relu(z)] (a kink) by 6e-3 at q = 1; the composite rule's relative error
   stays below 1e-12 for tanh and sigmoid for q from 1e-4 to 1e2 (against a
   Simpson rule that is itself good to about 1e-13). */
static void gauss_hermite_and_composite_errors_are_those_the_header_states(void)
{
    static const struct { double q, lo, hi; } tanh_slope[] = {
        {0.1, 0.0, 1e-12}, {1.0, 1.5e-7, 2.5e-7}, {4.0, 3.45e-3, 3.55e-3}, {10.0, 0.085, 0.095}};
    static const double qs[] = {1e-4, 1e-3, 1e-2, 0.1, 1.0, 4.0, 10.0, 25.0, 100.0};
    static const int activations[] = {INITNN_ACT_TANH, INITNN_ACT_SIGMOID};
    initnn_quadrature rule;
    initnn_moments hermite, composite;
    double reference[3], error;
    int k, a;
    CHECK(initnn_quadrature_init(&rule, 64) == 0, "%s", initnn_last_error());
    for (k = 0; k < 4; k++) {
        CHECK(initnn_activation_moments_gauss_hermite(&hermite, INITNN_ACT_TANH, 0.0f, tanh_slope[k].q, &rule) == 0,
              "%s", initnn_last_error());
        simpson_moments(reference, INITNN_ACT_TANH, tanh_slope[k].q);
        error = fabs(hermite.slope2 / reference[2] - 1.0);
        CHECK(error >= tanh_slope[k].lo && error < tanh_slope[k].hi,
              "Gauss-Hermite 64 on E[tanh'^2] at q = %g: relative error %.3g, the header says [%.3g, %.3g)",
              tanh_slope[k].q, error, tanh_slope[k].lo, tanh_slope[k].hi);
    }
    CHECK(initnn_activation_moments_gauss_hermite(&hermite, INITNN_ACT_RELU, 0.0f, 1.0, &rule) == 0, "%s",
          initnn_last_error());
    error = fabs(hermite.mean * sqrt(2.0 * 3.14159265358979323846) - 1.0);   /* E[relu(z)] = 1/sqrt(2 pi) */
    CHECK(error >= 5.5e-3 && error < 6.5e-3, "Gauss-Hermite 64 on E[relu(z)] at q = 1: relative error %.3g, the "
          "header says 6e-3", error);
    for (a = 0; a < 2; a++)
        for (k = 0; k < (int)(sizeof qs / sizeof qs[0]); k++) {
            CHECK(initnn_activation_moments(&composite, activations[a], 0.0f, qs[k]) == 0, "%s", initnn_last_error());
            simpson_moments(reference, activations[a], qs[k]);
            error = relative_diff(composite.second, reference[1], 0.0);
            if (relative_diff(composite.slope2, reference[2], 0.0) > error)
                error = relative_diff(composite.slope2, reference[2], 0.0);
            if (relative_diff(composite.mean, reference[0], 1.0) > error)
                error = relative_diff(composite.mean, reference[0], 1.0);
            CHECK(error < 1e-12, "%s at q = %g: the composite rule is off by %.3g relative, the header says below "
                  "1e-12", initnn_activation_name(activations[a]), qs[k], error);
        }
}

/* ---- activation moments ------------------------------------------------------- */

static const double moment_qs[] = {1e-3, 0.1, 1.0, 4.0, 25.0};
#define MOMENT_Q_COUNT ((int)(sizeof moment_qs / sizeof moment_qs[0]))

static void closed_form_moments_agree_with_the_composite_rule_to_1e_10(void)
{
    static const struct { const char *spec; } cases[] = {{"identity"}, {"relu"}, {"leaky_relu:0.2"}, {"selu"}};
    int c, k;
    for (c = 0; c < 4; c++) {
        int activation;
        float param;
        CHECK(initnn_activation_parse(&activation, &param, cases[c].spec) == 0, "%s", initnn_last_error());
        for (k = 0; k < MOMENT_Q_COUNT; k++) {
            double q = moment_qs[k];
            initnn_moments closed, numeric;
            CHECK(initnn_activation_moments(&closed, activation, param, q) == 0, "%s", initnn_last_error());
            CHECK(initnn_activation_moments_numeric(&numeric, activation, param, q) == 0, "%s", initnn_last_error());
            /* The mean may be 0 (identity; SELU at q = 1): measure it against sqrt(q), the scale of phi. */
            CHECK(relative_diff(numeric.mean, closed.mean, sqrt(q)) <= 1e-10, "%s q = %g: mean closed %.15g numeric %.15g",
                  cases[c].spec, q, closed.mean, numeric.mean);
            CHECK(relative_diff(numeric.second, closed.second, 0.0) <= 1e-10,
                  "%s q = %g: E[phi^2] closed %.15g numeric %.15g", cases[c].spec, q, closed.second, numeric.second);
            CHECK(relative_diff(numeric.slope2, closed.slope2, 0.0) <= 1e-10,
                  "%s q = %g: E[phi'^2] closed %.15g numeric %.15g", cases[c].spec, q, closed.slope2, numeric.slope2);
        }
    }
}

static void tanh_and_sigmoid_moments_agree_with_a_fine_simpson_rule(void)
{
    static const int activations[] = {INITNN_ACT_TANH, INITNN_ACT_SIGMOID};
    int a, k;
    for (a = 0; a < 2; a++)
        for (k = 0; k < MOMENT_Q_COUNT; k++) {
            double q = moment_qs[k], ref[3];
            initnn_moments got;
            CHECK(initnn_activation_moments(&got, activations[a], 0.0f, q) == 0, "%s", initnn_last_error());
            simpson_moments(ref, activations[a], q);
            CHECK(relative_diff(got.mean, ref[0], 1.0) <= 1e-10, "%s q = %g: mean %.15g, Simpson %.15g",
                  initnn_activation_name(activations[a]), q, got.mean, ref[0]);
            CHECK(relative_diff(got.second, ref[1], 0.0) <= 1e-10, "%s q = %g: E[phi^2] %.15g, Simpson %.15g",
                  initnn_activation_name(activations[a]), q, got.second, ref[1]);
            CHECK(relative_diff(got.slope2, ref[2], 0.0) <= 1e-10, "%s q = %g: E[phi'^2] %.15g, Simpson %.15g",
                  initnn_activation_name(activations[a]), q, got.slope2, ref[2]);
        }
}

static void tanh_and_sigmoid_moments_agree_with_monte_carlo_within_6_se(void)
{
    static const int activations[] = {INITNN_ACT_TANH, INITNN_ACT_SIGMOID};
    const int samples = 400000;
    initnn_rng rng;
    int a, k, s, m;
    initnn_rng_seed(&rng, 2017);
    for (a = 0; a < 2; a++)
        for (k = 0; k < MOMENT_Q_COUNT; k++) {
            double q = moment_qs[k], sum[3] = {0, 0, 0}, sum_sq[3] = {0, 0, 0}, want[3];
            initnn_moments got;
            CHECK(initnn_activation_moments(&got, activations[a], 0.0f, q) == 0, "%s", initnn_last_error());
            want[0] = got.mean;
            want[1] = got.second;
            want[2] = got.slope2;
            for (s = 0; s < samples; s++) {
                double u = sqrt(q) * initnn_rng_normal_double(&rng), f = ref_phi(activations[a], 0.0, u);
                double d = ref_phi_prime(activations[a], u), v[3];
                v[0] = f;
                v[1] = f * f;
                v[2] = d * d;
                for (m = 0; m < 3; m++) { sum[m] += v[m]; sum_sq[m] += v[m] * v[m]; }
            }
            for (m = 0; m < 3; m++) {
                double mean = sum[m] / samples, se = sqrt((sum_sq[m] / samples - mean * mean) / samples);
                CHECK(fabs(mean - want[m]) <= 6.0 * se + 1e-15, "%s q = %g moment %d: Monte Carlo %.8g +- %.2g, got %.8g",
                      initnn_activation_name(activations[a]), q, m, mean, se, want[m]);
            }
        }
}

static void relu_moments_are_sqrt_q_over_2pi_q_over_2_and_one_half(void)
{
    int k;
    for (k = 0; k < MOMENT_Q_COUNT; k++) {
        double q = moment_qs[k];
        initnn_moments m;
        CHECK(initnn_activation_moments(&m, INITNN_ACT_RELU, 0.0f, q) == 0, "%s", initnn_last_error());
        CHECK(relative_diff(m.mean, sqrt(q / (2.0 * PI)), 0.0) <= 1e-15, "q = %g: E[relu] = %.17g", q, m.mean);
        CHECK(relative_diff(m.second, q / 2.0, 0.0) <= 1e-15, "q = %g: E[relu^2] = %.17g", q, m.second);
        CHECK(m.slope2 == 0.5, "q = %g: E[relu'^2] = %.17g", q, m.slope2);
    }
}

static void selu_at_q_1_has_mean_0_and_second_moment_1(void)
{
    initnn_moments closed, numeric;
    CHECK(initnn_activation_moments(&closed, INITNN_ACT_SELU, 0.0f, 1.0) == 0, "%s", initnn_last_error());
    CHECK(initnn_activation_moments_numeric(&numeric, INITNN_ACT_SELU, 0.0f, 1.0) == 0, "%s", initnn_last_error());
    CHECK(fabs(closed.mean) <= 1e-6, "E[selu(z)] = %.3g", closed.mean);
    CHECK(fabs(closed.second - 1.0) <= 1e-6, "E[selu(z)^2] = %.12g", closed.second);
    CHECK(fabs(numeric.mean) <= 1e-6, "numeric E[selu(z)] = %.3g", numeric.mean);
    CHECK(fabs(numeric.second - 1.0) <= 1e-6, "numeric E[selu(z)^2] = %.12g", numeric.second);
}

static void softmax_and_negative_q_have_no_moments(void)
{
    initnn_moments m;
    m.mean = 42.0;
    initnn_clear_error();
    CHECK(initnn_activation_moments(&m, INITNN_ACT_SOFTMAX, 0.0f, 1.0) == INITNN_ERR_ARGUMENT, "softmax accepted");
    CHECK(strstr(initnn_last_error(), "softmax") != NULL, "message '%s'", initnn_last_error());
    CHECK(initnn_activation_moments(&m, INITNN_ACT_TANH, 0.0f, -1.0) == INITNN_ERR_ARGUMENT, "q = -1 accepted");
    CHECK(initnn_activation_moments(&m, INITNN_ACT_TANH, 0.0f, NAN) == INITNN_ERR_ARGUMENT, "q = NaN accepted");
    CHECK(m.mean == 42.0, "a failed call wrote the output");
}

/* A spec like sparse:2,5e29 gives q near 1e60: the composite rule's panel
   count must be clamped before it becomes an int (UBSan found the overflow),
   and the moments must still be the limits: tanh -> sign, so E[tanh^2] -> 1
   and E[tanh'^2] -> 0; sigmoid -> step, E[sigmoid^2] -> 1/2. */
static void moments_at_q_1e60_are_the_saturated_limits(void)
{
    initnn_moments m;
    CHECK(initnn_activation_moments(&m, INITNN_ACT_TANH, 0.0f, 1e60) == 0, "%s", initnn_last_error());
    CHECK(fabs(m.second - 1.0) < 1e-3 && m.slope2 >= 0.0 && m.slope2 < 1e-3 && fabs(m.mean) < 1e-9,
          "tanh at q = 1e60: mean %g, E[phi^2] %g, E[phi'^2] %g", m.mean, m.second, m.slope2);
    CHECK(initnn_activation_moments(&m, INITNN_ACT_SIGMOID, 0.0f, 1e60) == 0, "%s", initnn_last_error());
    CHECK(fabs(m.second - 0.5) < 1e-3 && fabs(m.mean - 0.5) < 1e-3 && m.slope2 < 1e-3,
          "sigmoid at q = 1e60: mean %g, E[phi^2] %g, E[phi'^2] %g", m.mean, m.second, m.slope2);
}

/* ---- spec moments ----------------------------------------------------------------- */

static void init_spec_moments_match_each_kinds_formula(void)
{
    /* rows = fan_in = 300, cols = fan_out = 100 unless the case says otherwise */
    /* truncated: the variance is std^2 times that of N(0, 1) cut at +-2 */
    static const struct {
        const char *spec;
        int rows, cols;
        double mean, variance;
        int truncated;
    } cases[] = {
        {"zeros", 300, 100, 0.0, 0.0, 0},
        {"constant:-0.375", 300, 100, -0.375, 0.0, 0},
        {"random_normal:0.3,-1.5", 300, 100, -1.5, 0.09, 0},
        {"random_uniform:-0.2,0.6", 300, 100, 0.2, 0.64 / 12.0, 0},
        {"truncated_normal:0.4,1", 300, 100, 1.0, 0.16, 1},
        {"glorot_normal", 300, 100, 0.0, 2.0 / 400.0, 0},
        {"glorot_uniform:0.5", 300, 100, 0.0, 0.25 * 2.0 / 400.0, 0},
        {"he_normal", 300, 100, 0.0, 2.0 / 300.0, 0},
        {"he_uniform:0.5", 300, 100, 0.0, 2.0 / (1.25 * 300.0), 0},
        {"lecun_normal", 300, 100, 0.0, 1.0 / 300.0, 0},
        {"lecun_uniform", 300, 100, 0.0, 1.0 / 300.0, 0},
        {"variance_scaling:1.7,fan_out,uniform", 300, 100, 0.0, 1.7 / 100.0, 0},
        {"variance_scaling:1.7,fan_avg,truncated_normal", 300, 100, 0.0, 1.7 / 200.0, 0},
        {"orthogonal", 300, 100, 0.0, 1.0 / 300.0, 0},
        {"orthogonal:1.3", 100, 300, 0.0, 1.69 / 300.0, 0},
        {"orthogonal:2", 64, 64, 0.0, 4.0 / 64.0, 0},
        {"sparse:4,0.5", 300, 100, 0.0, 4.0 * 0.25 / 300.0, 0},
        {"sparse:15", 10, 100, 0.0, 1.0 * 10.0 / 10.0, 0},     /* k capped at rows: every weight N(0, 1) */
        {"identity:2", 300, 100, 2.0 * 100.0 / 30000.0, 4.0 * 100.0 / 30000.0 - (2.0 / 300.0) * (2.0 / 300.0), 0},
        {"torch_default", 300, 100, 0.0, 1.0 / (3.0 * 300.0), 0},
        {"keras_default", 300, 100, 0.0, 2.0 / 400.0, 0},
        {"flax_default", 300, 100, 0.0, 1.0 / 300.0, 0}
    };
    int c;
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        initnn_init_spec spec;
        double mean = -99.0, variance = -99.0;
        double want_var = cases[c].variance * (cases[c].truncated ? ref_truncated2_variance() : 1.0);
        CHECK(initnn_init_parse(&spec, cases[c].spec) == 0, "%s: %s", cases[c].spec, initnn_last_error());
        CHECK(initnn_init_spec_moments(&mean, &variance, &spec, cases[c].rows, cases[c].cols, cases[c].rows,
                                       cases[c].cols) == 0,
              "%s: %s", cases[c].spec, initnn_last_error());
        CHECK(fabs(mean - cases[c].mean) <= 1e-12 * (1.0 + fabs(cases[c].mean)), "%s: mean %.15g, want %.15g",
              cases[c].spec, mean, cases[c].mean);
        CHECK(fabs(variance - want_var) <= 1e-12 * want_var + 1e-300, "%s: variance %.15g, want %.15g", cases[c].spec,
              variance, want_var);
    }
}

/* The spec moments describe what initnn_init_fill draws: checked by
   sampling for the kinds whose formula is not a definition (orthogonal,
   sparse, identity, and the truncated normal's 0.8796^2). */
static void init_spec_moments_describe_what_init_fill_draws(void)
{
    static const char *const specs[] = {"orthogonal:1.3", "sparse:4,0.5", "identity:2", "truncated_normal:0.4,1"};
    static const int shapes[][2] = {{600, 200}, {200, 600}};
    static float w[600 * 200];
    initnn_rng rng;
    int c, s;
    initnn_rng_seed(&rng, 5);
    for (c = 0; c < 4; c++)
        for (s = 0; s < 2; s++) {
            int rows = shapes[s][0], cols = shapes[s][1];
            size_t n = (size_t)rows * cols;
            initnn_init_spec spec;
            double mean, variance, m, v;
            CHECK(initnn_init_parse(&spec, specs[c]) == 0, "%s", initnn_last_error());
            CHECK(initnn_init_spec_moments(&mean, &variance, &spec, rows, cols, rows, cols) == 0, "%s",
                  initnn_last_error());
            CHECK(initnn_init_fill(w, rows, cols, specs[c], &rng) == 0, "%s", initnn_last_error());
            m = initnn_mean(w, n);
            v = initnn_variance(w, n);
            if (spec.kind == INITNN_INIT_IDENTITY) {
                /* deterministic: exact up to float rounding */
                CHECK(fabs(m - mean) <= 1e-9, "%s %dx%d: mean %.9g, spec moments %.9g", specs[c], rows, cols, m, mean);
                CHECK(fabs(v - variance) <= 1e-6 * variance, "%s %dx%d: variance %.9g, spec moments %.9g", specs[c],
                      rows, cols, v, variance);
            } else {
                /* kurtosis bound: normal entries 3; sparse ones are 0 or N(0, std^2),
                   kurtosis 3 / p with p = k / rows the nonzero fraction */
                double kurtosis = spec.kind == INITNN_INIT_SPARSE ? 3.0 * rows / spec.param[0]
                                : spec.kind == INITNN_INIT_TRUNCATED_NORMAL ? ref_truncated2_kurtosis() : KURTOSIS_NORMAL;
                check_sample(specs[c], w, n, mean, variance, kurtosis);
                if (TESTING_FAILED) return;
            }
        }
}

/* ---- fixed points and critical lines -------------------------------------------------- */

static void critical_sigma_w2_of_tanh_without_bias_is_1(void)
{
    double s = 0.0, chi_1 = 0.0;
    CHECK(initnn_theory_critical_sigma_w2(&s, INITNN_ACT_TANH, 0.0f, 0.0) == 0, "%s", initnn_last_error());
    CHECK(fabs(s - 1.0) <= 1e-9, "critical sigma_w^2 = %.15g", s);
    CHECK(initnn_theory_fixed_point(NULL, NULL, &chi_1, NULL, NULL, INITNN_ACT_TANH, 0.0f, s, 0.0) == 0, "%s",
          initnn_last_error());
    CHECK(fabs(chi_1 - 1.0) <= 1e-8, "chi_1 at the critical point = %.15g", chi_1);
}

/* The header's "sigmoid only near 100": 103.0 at sigma_b^2 = 0, where a
   Simpson rule independent of the library finds q* a fixed point of
   q = sigma_w^2 E[s(sqrt(q) z)^2] and chi_1 = sigma_w^2 E[s'(sqrt(q*) z)^2]
   equal to 1. */
static void critical_sigma_w2_of_sigmoid_without_bias_is_103_where_chi_1_is_1(void)
{
    double sigma_w2, q_star, chi_1, ref[3];
    CHECK(initnn_theory_critical_sigma_w2(&sigma_w2, INITNN_ACT_SIGMOID, 0.0f, 0.0) == 0, "%s", initnn_last_error());
    CHECK(sigma_w2 >= 102.95 && sigma_w2 < 103.05, "critical sigma_w^2 of sigmoid %.9g, the header says 103.0",
          sigma_w2);
    CHECK(initnn_theory_fixed_point(&q_star, NULL, &chi_1, NULL, NULL, INITNN_ACT_SIGMOID, 0.0f, sigma_w2, 0.0) == 0,
          "%s", initnn_last_error());
    simpson_moments(ref, INITNN_ACT_SIGMOID, q_star);
    CHECK(fabs(sigma_w2 * ref[1] / q_star - 1.0) <= 1e-6, "q* = %.9g is not a fixed point: sigma_w^2 E[s^2] = %.9g",
          q_star, sigma_w2 * ref[1]);
    CHECK(fabs(sigma_w2 * ref[2] - 1.0) <= 1e-6, "chi_1 by Simpson at the critical point: %.9g", sigma_w2 * ref[2]);
}

static void critical_sigma_w2_of_relu_is_2_with_or_without_bias(void)
{
    static const double biases[] = {0.0, 0.1};
    int i;
    for (i = 0; i < 2; i++) {
        double s = 0.0, chi_1 = 0.0;
        CHECK(initnn_theory_critical_sigma_w2(&s, INITNN_ACT_RELU, 0.0f, biases[i]) == 0, "%s", initnn_last_error());
        CHECK(fabs(s - 2.0) <= 1e-9 * 2.0, "sigma_b^2 = %g: critical sigma_w^2 = %.15g", biases[i], s);
        CHECK(initnn_theory_fixed_point(NULL, NULL, &chi_1, NULL, NULL, INITNN_ACT_RELU, 0.0f, s, biases[i]) == 0,
              "%s", initnn_last_error());
        CHECK(fabs(chi_1 - 1.0) <= 1e-8, "sigma_b^2 = %g: chi_1 = %.15g", biases[i], chi_1);
    }
}

static void critical_sigma_w2_of_tanh_rises_with_sigma_b2_and_chi_1_is_1_there(void)
{
    static const double biases[] = {0.0, 0.05, 0.1, 0.3};
    double critical[4], chi[4], q[4];
    char table[256];
    size_t used = 0;
    int i;
    for (i = 0; i < 4; i++) {
        CHECK(initnn_theory_critical_sigma_w2(&critical[i], INITNN_ACT_TANH, 0.0f, biases[i]) == 0, "%s",
              initnn_last_error());
        CHECK(initnn_theory_fixed_point(&q[i], NULL, &chi[i], NULL, NULL, INITNN_ACT_TANH, 0.0f, critical[i],
                                        biases[i]) == 0,
              "%s", initnn_last_error());
        used += (size_t)snprintf(table + used, sizeof table - used, "%s%.2f -> %.6f (q* %.4f)", i ? ", " : "",
                                 biases[i], critical[i], q[i]);
    }
    /* the diagnostic: the critical line of tanh, sigma_b^2 -> sigma_w^2 */
    printf("     tanh critical line sigma_b^2 -> sigma_w^2: %s\n", table);
    for (i = 0; i < 4; i++) {
        CHECK(fabs(chi[i] - 1.0) <= 1e-8, "sigma_b^2 = %g: chi_1 at the critical sigma_w^2 = %.15g", biases[i], chi[i]);
        if (i) CHECK(critical[i] > critical[i - 1], "not rising: %s", table);
    }
}

static void tanh_chaotic_phase_has_c_star_below_1_and_chi_1_above_1(void)
{
    double q, c, chi_1, chi_c, xi;
    CHECK(initnn_theory_fixed_point(&q, &c, &chi_1, &chi_c, &xi, INITNN_ACT_TANH, 0.0f, 2.5, 0.05) == 0, "%s",
          initnn_last_error());
    CHECK(c < 1.0 - 1e-3, "c* = %.12g", c);
    CHECK(c > 0.0, "c* = %.12g", c);
    CHECK(chi_1 > 1.0, "chi_1 = %.12g", chi_1);
    /* c* is a fixed point of the correlation map */
    {
        double next;
        CHECK(initnn_theory_correlation_map(&next, INITNN_ACT_TANH, 0.0f, 2.5, 0.05, q, c) == 0, "%s",
              initnn_last_error());
        CHECK(fabs(next - c) <= 1e-9, "map(c*) - c* = %.3g", next - c);
    }
    /* and an attracting one: chi_c = slope of the map there < 1 */
    CHECK(chi_c < 1.0 && chi_c > 0.0, "chi_c = %.12g", chi_c);
    CHECK(fabs(xi + 1.0 / log(chi_c)) <= 1e-12 * xi, "xi_c = %.12g, -1/ln chi_c = %.12g", xi, -1.0 / log(chi_c));
}

static void tanh_ordered_phase_has_c_star_1_chi_1_below_1_and_a_finite_depth_scale(void)
{
    double q, c, chi_1, chi_c, xi, next;
    CHECK(initnn_theory_fixed_point(&q, &c, &chi_1, &chi_c, &xi, INITNN_ACT_TANH, 0.0f, 1.5, 0.05) == 0, "%s",
          initnn_last_error());
    CHECK(c == 1.0, "c* = %.15g", c);
    CHECK(chi_1 < 1.0, "chi_1 = %.12g", chi_1);
    /* at c* = 1, chi_c = sigma_w^2 E[phi'(u)^2] = chi_1 */
    CHECK(fabs(chi_c - chi_1) <= 1e-8, "chi_c = %.12g, chi_1 = %.12g", chi_c, chi_1);
    CHECK(xi > 0.0 && xi < 1e6, "xi_c = %g", xi);
    CHECK(fabs(xi + 1.0 / log(chi_c)) <= 1e-12 * xi, "xi_c = %.12g, -1/ln chi_c = %.12g", xi, -1.0 / log(chi_c));
    /* q* is the fixed point of the length map */
    {
        initnn_moments m;
        CHECK(initnn_activation_moments(&m, INITNN_ACT_TANH, 0.0f, q) == 0, "%s", initnn_last_error());
        CHECK(fabs(1.5 * m.second + 0.05 - q) <= 1e-10 * q, "q* = %.12g, map(q*) = %.12g", q, 1.5 * m.second + 0.05);
    }
    /* near c = 1 the map pulls c up: 1 - c shrinks by chi_c per layer */
    CHECK(initnn_theory_correlation_map(&next, INITNN_ACT_TANH, 0.0f, 1.5, 0.05, q, 0.999) == 0, "%s",
          initnn_last_error());
    CHECK(fabs((1.0 - next) / 0.001 - chi_c) <= 0.01 * chi_c, "(1 - map(0.999)) / 0.001 = %.6g, chi_c = %.6g",
          (1.0 - next) / 0.001, chi_c);
}

static void correlation_map_keeps_c_1_at_1(void)
{
    static const char *const activations[] = {"tanh", "relu", "selu", "sigmoid", "leaky_relu:0.2"};
    int a;
    for (a = 0; a < 5; a++) {
        int activation;
        float param;
        double next = -2.0;
        CHECK(initnn_activation_parse(&activation, &param, activations[a]) == 0, "%s", initnn_last_error());
        CHECK(initnn_theory_correlation_map(&next, activation, param, 1.7, 0.05, 0.8, 1.0) == 0, "%s",
              initnn_last_error());
        CHECK(fabs(next - 1.0) <= 1e-10, "%s: map(1) = %.15g", activations[a], next);
    }
}

static void correlation_map_of_identity_is_sigma_w2_q_c_plus_sigma_b2_over_q_next(void)
{
    static const double cs[] = {-0.9, -0.3, 0.0, 0.25, 0.7, 0.99};
    static const double qs[] = {0.2, 1.0, 3.0};
    int i, k;
    for (k = 0; k < 3; k++)
        for (i = 0; i < 6; i++) {
            double sw = 1.3, sb = 0.2, q = qs[k], c = cs[i], next;
            double want = (sw * q * c + sb) / (sw * q + sb);
            CHECK(initnn_theory_correlation_map(&next, INITNN_ACT_IDENTITY, 0.0f, sw, sb, q, c) == 0, "%s",
                  initnn_last_error());
            CHECK(fabs(next - want) <= 1e-12, "q = %g c = %g: map %.15g, want %.15g", q, c, next, want);
        }
}

static void correlation_map_of_relu_matches_the_arc_cosine_kernel(void)
{
    /* Cho & Saul (2009): E[relu(u1) relu(u2)] = q (sqrt(1 - c^2) + (pi - acos c) c) / (2 pi).
       The header's rule splits its panels at 0, but the inner integrand
       relu(sqrt(q) (c z1 + sqrt(1 - c^2) z2)) has its kink at
       z2 = -c z1 / sqrt(1 - c^2), inside a panel: there the 10-point rule
       is only as good as a low-order one. Measured worst error 5.4e-6 (at
       c = -0.8); the tolerance 1e-5 documents that accuracy (the 1-D
       moments are good to 1e-15 and tanh's 2-D map to 1e-10, below). */
    static const double cs[] = {-0.8, -0.5, 0.0, 0.3, 0.5, 0.9, 0.99};
    static const double biases[] = {0.0, 0.1};
    int i, k;
    for (k = 0; k < 2; k++)
        for (i = 0; i < 7; i++) {
            double q = 1.4, sw = 2.0, sb = biases[k], c = cs[i], next;
            double kernel = q * (sqrt(1.0 - c * c) + (PI - acos(c)) * c) / (2.0 * PI);
            double want = (sw * kernel + sb) / (sw * q / 2.0 + sb);
            CHECK(initnn_theory_correlation_map(&next, INITNN_ACT_RELU, 0.0f, sw, sb, q, c) == 0, "%s",
                  initnn_last_error());
            CHECK(fabs(next - want) <= 1e-5, "sigma_b^2 = %g c = %g: map %.12g, arc-cosine kernel %.12g", sb, c, next,
                  want);
        }
}

/* E[tanh(u1) tanh(u2)] for u1 = sqrt(q) z1, u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2)
   by a 2-D composite Simpson rule on [-10, 10]^2, 2000 panels a side. */
static double simpson_tanh_pair(double q, double c)
{
    const int panels = 2000;
    const double lo = -10.0, h = 20.0 / panels, s = sqrt(1.0 - c * c), r = sqrt(q);
    static double weight[2001], t2[2001];
    double sum = 0.0;
    int i, j;
    for (i = 0; i <= panels; i++)
        weight[i] = (i == 0 || i == panels ? 1.0 : (i % 2 ? 4.0 : 2.0)) * ref_normal_pdf(lo + i * h) * h / 3.0;
    for (i = 0; i <= panels; i++) {
        double z1 = lo + i * h, inner = 0.0;
        for (j = 0; j <= panels; j++) t2[j] = tanh(r * (c * z1 + s * (lo + j * h)));
        for (j = 0; j <= panels; j++) inner += weight[j] * t2[j];
        sum += weight[i] * tanh(r * z1) * inner;
    }
    return sum;
}

static void correlation_map_of_tanh_matches_a_2d_simpson_rule(void)
{
    static const double cs[] = {-0.6, 0.2, 0.8, 0.97};
    int i;
    for (i = 0; i < 4; i++) {
        double q = 0.7, sw = 1.8, sb = 0.05, c = cs[i], next, want;
        initnn_moments m;
        CHECK(initnn_activation_moments(&m, INITNN_ACT_TANH, 0.0f, q) == 0, "%s", initnn_last_error());
        want = (sw * simpson_tanh_pair(q, c) + sb) / (sw * m.second + sb);
        CHECK(initnn_theory_correlation_map(&next, INITNN_ACT_TANH, 0.0f, sw, sb, q, c) == 0, "%s",
              initnn_last_error());
        CHECK(fabs(next - want) <= 1e-9, "c = %g: map %.12g, 2-D Simpson %.12g", c, next, want);
    }
}

/* E[selu(u1) selu(u2)] for the pair of the correlation map, by Simpson in
   z1 split at 0 and in z2 split where c z1 + s z2 = 0: every panel smooth,
   so the reference is good to about 1e-8 where the library's rule has the
   kink inside a panel. */
static double selu_ref(double x)
{
    const double lambda = 1.0507009873554804934193349852946, alpha = 1.6732632423543772848170429916717;
    return x > 0.0 ? lambda * x : lambda * alpha * (exp(x) - 1.0);
}

static double simpson_selu_inner(double r, double c, double s, double z1, double a, double b, int panels)
{
    double h = (b - a) / panels, sum = 0.0;
    int j;
    for (j = 0; j <= panels; j++) {
        double z = a + j * h;
        sum += (j == 0 || j == panels ? 1.0 : (j % 2 ? 4.0 : 2.0)) * ref_normal_pdf(z) * selu_ref(r * (c * z1 + s * z));
    }
    return sum * h / 3.0;
}

static double simpson_selu_pair(double q, double c)
{
    const int panels = 1000;
    const double range = 10.0, r = sqrt(q), s = sqrt(1.0 - c * c);
    double sum = 0.0;
    int side, i;
    for (side = 0; side < 2; side++) {
        double a = side ? 0.0 : -range, b = side ? range : 0.0, h = (b - a) / panels;
        for (i = 0; i <= panels; i++) {
            double z1 = a + i * h, kink = -c * z1 / s, inner;
            if (kink <= -range || kink >= range) inner = simpson_selu_inner(r, c, s, z1, -range, range, 2 * panels);
            else inner = simpson_selu_inner(r, c, s, z1, -range, kink, panels) +
                         simpson_selu_inner(r, c, s, z1, kink, range, panels);
            sum += (i == 0 || i == panels ? 1.0 : (i % 2 ? 4.0 : 2.0)) * ref_normal_pdf(z1) * selu_ref(r * z1) * inner *
                   h / 3.0;
        }
    }
    return sum;
}

/* The header's accuracy for SELU, whose kink falls inside a panel of the
   library's two-dimensional rule: within 1e-6. */
static void correlation_map_of_selu_matches_a_kink_split_simpson_rule_to_1e_6(void)
{
    static const double cs[] = {-0.6, 0.2, 0.8, 0.97};
    int i;
    for (i = 0; i < 4; i++) {
        double q = 0.5 + i * 0.5, sw = 1.0, sb = 0.1, c = cs[i], next, want;
        initnn_moments m;
        CHECK(initnn_activation_moments(&m, INITNN_ACT_SELU, 0.0f, q) == 0, "%s", initnn_last_error());
        want = (sw * simpson_selu_pair(q, c) + sb) / (sw * m.second + sb);
        CHECK(initnn_theory_correlation_map(&next, INITNN_ACT_SELU, 0.0f, sw, sb, q, c) == 0, "%s",
              initnn_last_error());
        CHECK(fabs(next - want) <= 1e-6, "q = %g, c = %g: map %.12g, kink-split Simpson %.12g", q, c, next, want);
    }
}

/* ---- singular values and the Jacobian ------------------------------------------------ */

static void check_sorted(const double *values, int n)
{
    int i;
    for (i = 1; i < n; i++) CHECK(values[i - 1] >= values[i], "values[%d] = %.9g < values[%d] = %.9g", i - 1,
                                  values[i - 1], i, values[i]);
}

static void singular_values_of_a_diagonal_matrix_are_its_absolute_entries_sorted(void)
{
    const float A[4 * 4] = {3, 0, 0, 0, 0, -1, 0, 0, 0, 0, 2, 0, 0, 0, 0, -0.5f};
    const double want[4] = {3, 2, 1, 0.5};
    double s[4];
    int i;
    CHECK(initnn_singular_values(s, A, 4, 4) == 0, "%s", initnn_last_error());
    for (i = 0; i < 4; i++) CHECK(fabs(s[i] - want[i]) <= 1e-14, "s[%d] = %.17g, want %g", i, s[i], want[i]);
}

static void singular_values_of_a_rank_1_matrix_are_the_norm_product_and_zeros(void)
{
    /* u v^T with u = (1, 2, 2), |u| = 3, v = (3, 4), |v| = 5: one value 15. */
    const float A[3 * 2] = {3, 4, 6, 8, 6, 8};
    double s[2];
    CHECK(initnn_singular_values(s, A, 3, 2) == 0, "%s", initnn_last_error());
    CHECK(fabs(s[0] - 15.0) <= 1e-12, "s[0] = %.17g", s[0]);
    CHECK(fabs(s[1]) <= 1e-12, "s[1] = %.3g", s[1]);
}

static void singular_values_of_a_rotation_times_a_diagonal_are_the_diagonal(void)
{
    /* R(theta) diag(5, 0.5) with cos = 0.6, sin = 0.8 */
    const float A[2 * 2] = {0.6f * 5.0f, -0.8f * 0.5f, 0.8f * 5.0f, 0.6f * 0.5f};
    double s[2];
    CHECK(initnn_singular_values(s, A, 2, 2) == 0, "%s", initnn_last_error());
    CHECK(fabs(s[0] - 5.0) <= 1e-6 * 5.0, "s[0] = %.12g", s[0]);
    CHECK(fabs(s[1] - 0.5) <= 1e-6 * 0.5, "s[1] = %.12g", s[1]);
}

static void singular_values_of_tall_and_wide_matrices_are_those_built_in(void)
{
    /* A = Q D with Q (9, 4) orthonormal columns, D = diag(4, 0.25, 2, 1):
       singular values 4, 2, 1, 0.25; A^T (4, 9) has the same. */
    const double d[4] = {4.0, 0.25, 2.0, 1.0}, want[4] = {4.0, 2.0, 1.0, 0.25};
    float Q[9 * 4], A[9 * 4], At[4 * 9];
    double s[4], t[4];
    initnn_rng rng;
    int i, j;
    initnn_rng_seed(&rng, 11);
    CHECK(initnn_orthogonal(Q, 9, 4, 1.0f, &rng) == 0, "%s", initnn_last_error());
    for (i = 0; i < 9; i++)
        for (j = 0; j < 4; j++) {
            A[i * 4 + j] = (float)(Q[i * 4 + j] * d[j]);
            At[j * 9 + i] = A[i * 4 + j];
        }
    CHECK(initnn_singular_values(s, A, 9, 4) == 0, "%s", initnn_last_error());
    CHECK(initnn_singular_values(t, At, 4, 9) == 0, "%s", initnn_last_error());
    for (i = 0; i < 4; i++) {
        /* Q is orthonormal to float rounding: ~1e-7 */
        CHECK(fabs(s[i] - want[i]) <= 1e-6 * want[0], "tall: s[%d] = %.12g, want %g", i, s[i], want[i]);
        CHECK(fabs(t[i] - s[i]) <= 1e-12 * want[0], "wide: s[%d] = %.15g, tall %.15g", i, t[i], s[i]);
    }
}

static void singular_values_of_a_random_matrix_are_sorted_and_keep_the_frobenius_norm(void)
{
    /* sum s_i^2 = ||A||_F^2 and, for a square A, prod s_i = |det A|. */
    float A[7 * 5], B[3 * 3] = {2, -1, 0.5f, 1, 3, -2, 0, 1, 4};
    double s[5], frobenius = 0.0, sum = 0.0, det, prod;
    initnn_rng rng;
    int i;
    initnn_rng_seed(&rng, 3);
    for (i = 0; i < 35; i++) {
        A[i] = initnn_rng_normal(&rng);
        frobenius += (double)A[i] * A[i];
    }
    CHECK(initnn_singular_values(s, A, 7, 5) == 0, "%s", initnn_last_error());
    check_sorted(s, 5);
    if (TESTING_FAILED) return;
    for (i = 0; i < 5; i++) sum += s[i] * s[i];
    CHECK(fabs(sum - frobenius) <= 1e-12 * frobenius, "sum s^2 = %.15g, ||A||_F^2 = %.15g", sum, frobenius);
    CHECK(s[4] > 0.0, "a Gaussian 7x5 matrix has full rank, s[4] = %g", s[4]);
    det = 2.0 * (3.0 * 4.0 - (-2.0) * 1.0) - (-1.0) * (1.0 * 4.0 - 0.0) + 0.5 * (1.0 * 1.0 - 0.0);
    CHECK(initnn_singular_values(s, B, 3, 3) == 0, "%s", initnn_last_error());
    check_sorted(s, 3);
    if (TESTING_FAILED) return;
    prod = s[0] * s[1] * s[2];
    CHECK(fabs(prod - fabs(det)) <= 1e-12 * fabs(det), "prod s = %.15g, |det| = %.15g", prod, fabs(det));
}

static void deep_linear_orthogonal_net_has_every_jacobian_singular_value_gain_to_the_L(void)
{
    const int width = 32, depth = 10;
    const double gain = 1.1;
    initnn_net *net = NULL;
    float x[32], J[32 * 32];
    double s[32], want = pow(gain, depth);
    initnn_rng rng;
    int i, err;
    err = initnn_net_create(&net, width, 1, 9);
    for (i = 0; !err && i < depth; i++) err = initnn_net_add_dense(net, width, "identity", "orthogonal:1.1", "zeros");
    initnn_rng_seed(&rng, 4);
    for (i = 0; i < width; i++) x[i] = initnn_rng_normal(&rng);
    if (!err) err = initnn_net_jacobian(net, J, x);
    if (!err) err = initnn_singular_values(s, J, width, width);
    initnn_net_free(net);
    CHECK(!err, "%s", initnn_last_error());
    for (i = 0; i < width; i++) CHECK(fabs(s[i] - want) <= 1e-4 * want, "s[%d] = %.9g, want 1.1^10 = %.9g", i, s[i], want);
}

static void net_jacobian_matches_central_differences_on_a_tanh_net(void)
{
    /* 4 -> 6 -> 5 -> 3, tanh everywhere, nonzero biases. The net computes in
       float: with step h = 1e-2 the central difference has truncation error
       h^2 |y'''| / 6 ~ 2e-5 and rounding error ~ 2 ulp(y) / (2h) ~ 1e-5, so
       1e-3 leaves a wide margin yet catches a missing or transposed factor
       (entries are ~0.1-1). */
    const int in = 4, out = 3;
    const float h = 1e-2f;
    initnn_net *net = NULL;
    float x[4] = {0.3f, -0.8f, 0.5f, 1.1f}, J[4 * 3], xp[4], yp[4][3], ym[4][3];
    double largest = 0.0;
    int i, j, err;
    err = initnn_net_create(&net, in, 1, 21);
    if (!err) err = initnn_net_add_dense(net, 6, "tanh", "glorot_normal:1.5", "random_normal:0.3");
    if (!err) err = initnn_net_add_dense(net, 5, "tanh", "glorot_normal:1.5", "random_normal:0.3");
    if (!err) err = initnn_net_add_dense(net, out, "tanh", "glorot_normal:1.5", "random_normal:0.3");
    if (!err) err = initnn_net_jacobian(net, J, x);
    for (i = 0; !err && i < in; i++) {
        memcpy(xp, x, sizeof x);
        xp[i] = x[i] + h;
        memcpy(yp[i], initnn_net_forward(net, xp, 1, 0), sizeof yp[i]);
        xp[i] = x[i] - h;
        memcpy(ym[i], initnn_net_forward(net, xp, 1, 0), sizeof ym[i]);
    }
    initnn_net_free(net);
    CHECK(!err, "%s", initnn_last_error());
    for (i = 0; i < in; i++)
        for (j = 0; j < out; j++) {
            double fd = ((double)yp[i][j] - ym[i][j]) / (2.0 * h);
            if (fabs(fd) > largest) largest = fabs(fd);
            CHECK(fabs(J[i * out + j] - fd) <= 1e-3, "J[%d][%d] = %.7g, central difference %.7g", i, j,
                  J[i * out + j], fd);
        }
    /* guard against passing with an all-zero Jacobian */
    CHECK(largest > 0.05, "largest |dy/dx| = %g", largest);
}

static void net_jacobian_rejects_softmax_and_null(void)
{
    initnn_net *net = NULL;
    float x[3] = {0, 0, 0}, J[3 * 2];
    int err;
    CHECK(initnn_net_create(&net, 3, 1, 1) == 0, "%s", initnn_last_error());
    err = initnn_net_add_dense(net, 2, "softmax", "glorot_uniform", "zeros");
    if (err) { initnn_net_free(net); CHECK(0, "%s", initnn_last_error()); }
    err = initnn_net_jacobian(net, J, x);
    initnn_net_free(net);
    CHECK(err == INITNN_ERR_ARGUMENT, "softmax output accepted (%d)", err);
    CHECK(initnn_net_jacobian(NULL, J, x) == INITNN_ERR_ARGUMENT, "NULL net accepted");
}

/* ---- predictions on nets -------------------------------------------------------------- */

static void theory_flags_a_deep_glorot_relu_net_and_not_a_he_one(void)
{
    /* ReLU with glorot_normal on equal widths: sigma_w^2 = n 2/(2n) = 1, so
       q_0 = sigma_w^2 E[x^2] = 1 and q_l = q_{l-1} / 2: q_4 = 1/16 < 0.1 is
       the first bad layer. he_normal: sigma_w^2 = 2, q_l = 2 at every layer. */
    static const char *const kernels[2] = {"glorot_normal", "he_normal"};
    static const int want[2] = {4, -1};
    static initnn_layer_theory table[30];
    int k, l;
    for (k = 0; k < 2; k++) {
        initnn_net *net = NULL;
        int err = initnn_net_create(&net, 256, 1, 1), bad = -2;
        for (l = 0; !err && l < 30; l++) err = initnn_net_add_dense(net, 256, "relu", kernels[k], "zeros");
        if (!err) err = initnn_theory_predict(table, net, 1.0);
        if (!err) bad = initnn_theory_first_bad_layer(net, table, 1.0, 0.1, 10.0);
        initnn_net_free(net);
        CHECK(!err, "%s: %s", kernels[k], initnn_last_error());
        CHECK(bad == want[k], "%s: first bad layer %d, want %d", kernels[k], bad, want[k]);
        for (l = 0; l < 30; l++) {
            double q = k == 0 ? pow(0.5, l) : 2.0;
            CHECK(fabs(table[l].q_predicted - q) <= 1e-12 * q, "%s layer %d: q predicted %.15g, want %.15g",
                  kernels[k], l, table[l].q_predicted, q);
        }
    }
}

/* The relative variance 2 tr(K^2) / (n tr(K)^2) of a layer's measured q
   over the draw of its weights and biases, given its input Y (batch, n):
   unit j's pre-activations over the batch are N(0, K),
   K = (sigma_w^2 / n) Y Y^T + sigma_b^2 1 1^T, so ||z_j||^2 has mean tr K
   and variance 2 tr(K^2), and the n units are independent. */
static double layer_q_variance(const float *Y, int batch, int n, double sigma_w2, double sigma_b2, float *gram)
{
    double trace = 0.0, trace_of_square = 0.0;
    int a, b;
    initnn_matmul_nt(gram, Y, Y, batch, n, batch, 0);
    for (a = 0; a < batch; a++)
        for (b = 0; b < batch; b++) {
            double k = sigma_w2 / n * gram[(size_t)a * batch + b] + sigma_b2;
            if (a == b) trace += k;
            trace_of_square += k * k;
        }
    return 2.0 * trace_of_square / ((double)n * trace * trace);
}

/* d log q_next / d log q for q_next = sigma_w^2 E[tanh(z)^2] + sigma_b^2,
   z ~ N(0, q): how much of a relative error in q survives one layer. */
static double tanh_layer_gain(double q, double sigma_w2, double sigma_b2)
{
    const double h = 1e-4;
    initnn_moments up, down;
    if (initnn_activation_moments(&up, INITNN_ACT_TANH, 0.0f, q * exp(h)) ||
        initnn_activation_moments(&down, INITNN_ACT_TANH, 0.0f, q * exp(-h)))
        return 1.0;
    return (log(sigma_w2 * up.second + sigma_b2) - log(sigma_w2 * down.second + sigma_b2)) / (2.0 * h);
}

static void theory_predicts_the_measured_q_of_tanh_nets_layer_by_layer(void)
{
    /* 10 tanh layers of width n = 256, sigma_w^2 = 1.5 ("random_normal" with
       std sqrt(1.5 / 256)), sigma_b^2 = 0.05 (bias std sqrt 0.05), inputs
       N(0, 1) in a batch of B = 64; the mean of q over K = 16 nets against
       initnn_theory_predict from the batch's input second moment.
       Tolerance. Given its input, a layer's measured q has relative variance
       v_l = 2 tr(K^2) / (n tr(K)^2) over its weights and biases
       (layer_q_variance): between 2 / (n B) for uncorrelated samples and
       2 / n (~ sqrt(2 / width) relative) when the batch's samples are
       alike. An error in log q_{l-1} reaches log q_l multiplied by
       g = d log q_l / d log q_{l-1} < 1 (tanh_layer_gain), so
          SE(log q_l)^2 = g^2 SE(log q_{l-1})^2 + v_l    (one net),
       divided by K for the mean of K nets. Finite width also biases the
       mean by O(1 / n) (each sample has its own q and E[tanh^2] is concave
       in q), allowed for with 1 / n. Tolerance: 4 SE + 1 / n. */
    const int width = 256, batch = 64, depth = 10, nets = 16;
    const double sigma_w2 = 1.5, sigma_b2 = 0.05;
    static initnn_layer_theory table[10];
    double mean_q[10] = {0}, v[10] = {0}, se2 = 0.0, worst = 0.0;
    initnn_net *net = NULL;
    float *X = (float *)malloc((size_t)batch * width * sizeof(float));
    float *gram = (float *)malloc((size_t)batch * batch * sizeof(float));
    initnn_rng rng;
    char kernel[64], bias[64];
    int err = X && gram ? 0 : INITNN_ERR_MEMORY, l, r, i, worst_layer = 0;
    snprintf(kernel, sizeof kernel, "random_normal:%.9g", sqrt(sigma_w2 / width));
    snprintf(bias, sizeof bias, "random_normal:%.9g", sqrt(sigma_b2));
    if (!err) err = initnn_net_create(&net, width, batch, 1);
    for (l = 0; !err && l < depth; l++) err = initnn_net_add_dense(net, width, "tanh", kernel, bias);
    initnn_rng_seed(&rng, 77);
    for (i = 0; !err && i < batch * width; i++) X[i] = initnn_rng_normal(&rng);
    for (r = 0; !err && r < nets; r++) {
        initnn_layer_diag diag[10];
        err = initnn_net_reinit(net, 100 + (uint64_t)r);
        if (!err) err = initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, batch);
        for (l = 0; !err && l < depth; l++) {
            mean_q[l] += diag[l].pre_activation.second_moment / nets;
            v[l] += layer_q_variance(l ? net->layers[l - 1].y : X, batch, width, sigma_w2, sigma_b2, gram) / nets;
        }
    }
    if (!err) err = initnn_theory_predict(table, net, initnn_second_moment(X, (size_t)batch * width));
    initnn_net_free(net);
    free(X);
    free(gram);
    CHECK(!err, "%s", initnn_last_error());
    CHECK(fabs(table[0].sigma_w2 - sigma_w2) <= 1e-6 && fabs(table[0].sigma_b2 - sigma_b2) <= 1e-6,
          "sigma_w^2 = %.9g, sigma_b^2 = %.9g from the specs", table[0].sigma_w2, table[0].sigma_b2);
    for (l = 0; l < depth; l++) {
        double error = fabs(mean_q[l] / table[l].q_predicted - 1.0), tol, g;
        g = l ? tanh_layer_gain(table[l - 1].q_predicted, sigma_w2, sigma_b2) : 0.0;
        se2 = g * g * se2 + v[l];
        tol = 4.0 * sqrt(se2 / nets) + 1.0 / width;
        if (error / tol > worst) { worst = error / tol; worst_layer = l; }
        CHECK(error <= tol, "layer %d: q measured %.6g, predicted %.6g, error %.3g > tol %.3g", l, mean_q[l],
              table[l].q_predicted, error, tol);
    }
    /* and the prediction is not flat: q moves towards q* from q_1 = 1.55 */
    CHECK(fabs(table[depth - 1].q_predicted - table[0].q_predicted) > 0.2,
          "q_1 = %g, q_10 = %g (worst error %.2f of its tolerance, layer %d)", table[0].q_predicted,
          table[depth - 1].q_predicted, worst, worst_layer);
}

/* ---- framework presets and fan modes ------------------------------------------------------ */

/* A dense layer of fan_in inputs and units outputs built with bias NULL:
   its kernel and bias are what the preset's default gives. */
static initnn_net *preset_layer(const char *kernel, int fan_in, int units)
{
    initnn_net *net = NULL;
    if (initnn_net_create(&net, fan_in, 1, 12345) != 0) return NULL;
    if (initnn_net_add_dense(net, units, "identity", kernel, NULL) != 0) {
        initnn_net_free(net);
        return NULL;
    }
    return net;
}

static void torch_default_kernel_is_uniform_1_over_sqrt_fan_in_with_variance_1_over_3_fan_in(void)
{
    const int fan_in = 16, units = 65536;
    const double bound = 1.0 / sqrt((double)fan_in);
    initnn_net *net = preset_layer("torch_default", fan_in, units);
    const initnn_layer *l;
    size_t n = (size_t)fan_in * units;
    double largest;
    CHECK(net != NULL, "%s", initnn_last_error());
    l = &net->layers[0];
    largest = max_abs(l->W, n);
    check_sample("torch_default kernel", l->W, n, 0.0, 1.0 / (3.0 * fan_in), KURTOSIS_UNIFORM);
    initnn_net_free(net);
    if (TESTING_FAILED) return;
    /* no weight beyond 1/sqrt(fan_in), and the largest close to it
       (P(max < bound (1 - 1e-4)) = (1 - 1e-4)^(1e6) ~ e^-100) */
    CHECK(largest <= bound * (1.0 + 1e-6), "max |w| = %.9g > 1/sqrt(fan_in) = %.9g", largest, bound);
    CHECK(largest >= bound * (1.0 - 1e-4), "max |w| = %.9g, well below 1/sqrt(fan_in) = %.9g", largest, bound);
}

static void torch_default_bias_is_uniform_1_over_sqrt_fan_in_when_no_bias_is_given(void)
{
    /* PyTorch nn.Linear: bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)), Var 1/(3 fan_in). */
    const int fan_in = 16, units = 65536;
    const double bound = 1.0 / sqrt((double)fan_in);
    initnn_net *net;
    initnn_layer_theory table[1];
    double largest;
    int err;
    CHECK(strcmp(initnn_default_bias("torch_default"), "torch_default") == 0, "default bias '%s'",
          initnn_default_bias("torch_default"));
    net = preset_layer("torch_default", fan_in, units);
    CHECK(net != NULL, "%s", initnn_last_error());
    largest = max_abs(net->layers[0].b, (size_t)units);
    check_sample("torch_default bias", net->layers[0].b, (size_t)units, 0.0, 1.0 / (3.0 * fan_in), KURTOSIS_UNIFORM);
    err = initnn_theory_predict(table, net, 1.0);
    initnn_net_free(net);
    if (TESTING_FAILED) return;
    CHECK(!err, "%s", initnn_last_error());
    CHECK(largest <= bound * (1.0 + 1e-6), "max |b| = %.9g > 1/sqrt(fan_in) = %.9g", largest, bound);
    /* P(max |b| < bound (1 - 1e-3)) = (1 - 1e-3)^65536 ~ e^-65 */
    CHECK(largest >= bound * (1.0 - 1e-3), "max |b| = %.9g, well below %.9g", largest, bound);
    CHECK(fabs(table[0].sigma_b2 - 1.0 / (3.0 * fan_in)) <= 1e-12, "theory's sigma_b^2 = %.12g, want 1/(3 fan_in)",
          table[0].sigma_b2);
    CHECK(fabs(table[0].sigma_w2 - 1.0 / 3.0) <= 1e-12, "theory's sigma_w^2 = %.12g, want 1/3", table[0].sigma_w2);
}

static void keras_default_is_glorot_uniform_with_zero_bias(void)
{
    const int fan_in = 300, units = 100;
    const double bound = sqrt(6.0 / (fan_in + units));
    initnn_net *net = preset_layer("keras_default", fan_in, units);
    size_t n = (size_t)fan_in * units, i, nonzero = 0;
    double largest;
    CHECK(strcmp(initnn_default_bias("keras_default"), "zeros") == 0, "default bias '%s'",
          initnn_default_bias("keras_default"));
    CHECK(net != NULL, "%s", initnn_last_error());
    largest = max_abs(net->layers[0].W, n);
    for (i = 0; i < (size_t)units; i++) nonzero += net->layers[0].b[i] != 0.0f;
    check_sample("keras_default kernel", net->layers[0].W, n, 0.0, 2.0 / (fan_in + units), KURTOSIS_UNIFORM);
    initnn_net_free(net);
    if (TESTING_FAILED) return;
    CHECK(largest <= bound * (1.0 + 1e-6) && largest >= bound * (1.0 - 1e-3),
          "max |w| = %.9g, glorot_uniform bound %.9g", largest, bound);
    CHECK(nonzero == 0, "%lu nonzero biases", (unsigned long)nonzero);
}

static void flax_default_has_variance_1_over_fan_in_and_no_weight_beyond_2_std(void)
{
    /* jax lecun_normal: truncated normal of std sqrt(1/fan_in)/0.8796 cut at 2 of it */
    const int fan_in = 200, units = 1000;
    const double cut = 2.0 * sqrt(1.0 / fan_in) / 0.87962566103423978;
    initnn_net *net = preset_layer("flax_default", fan_in, units);
    size_t n = (size_t)fan_in * units, i, nonzero = 0;
    double largest;
    CHECK(strcmp(initnn_default_bias("flax_default"), "zeros") == 0, "default bias '%s'",
          initnn_default_bias("flax_default"));
    CHECK(net != NULL, "%s", initnn_last_error());
    largest = max_abs(net->layers[0].W, n);
    for (i = 0; i < (size_t)units; i++) nonzero += net->layers[0].b[i] != 0.0f;
    check_sample("flax_default kernel", net->layers[0].W, n, 0.0, 1.0 / fan_in, ref_truncated2_kurtosis());
    initnn_net_free(net);
    if (TESTING_FAILED) return;
    CHECK(largest <= cut * (1.0 + 1e-6), "max |w| = %.9g beyond 2 std = %.9g", largest, cut);
    /* the cut is reached: a plain N(0, 1/fan_in) would exceed 2/0.8796 std
       (p = 0.023) 4600 times in 2e5 draws; a cut one sees samples near it */
    CHECK(largest >= cut * 0.99, "max |w| = %.9g, far below the cut %.9g", largest, cut);
    CHECK(nonzero == 0, "%lu nonzero biases", (unsigned long)nonzero);
}

static void fan_modes_scale_the_variance_by_the_named_fan(void)
{
    /* W (fan_in 600, fan_out 200): the three fans differ by 3x and 1.5x. */
    static const struct {
        const char *spec;
        double scale;      /* Var = scale / n                               */
        int mode;          /* 0 fan_in, 1 fan_out, 2 fan_avg                */
        int uniform;
    } cases[] = {
        {"he_normal:0,fan_out", 2.0, 1, 0},
        {"kaiming_normal:0,fan_out", 2.0, 1, 0},
        {"he_uniform:0,fan_avg", 2.0, 2, 1},
        {"he_normal:0.5,fan_in", 2.0 / 1.25, 0, 0},
        {"lecun_uniform:fan_avg", 1.0, 2, 1},
        {"lecun_normal:fan_out", 1.0, 1, 0},
        {"glorot_uniform:1,fan_in", 1.0, 0, 1},
        {"glorot_normal:2,fan_out", 4.0, 1, 0},
        {"xavier_normal:1,fan_avg", 1.0, 2, 0}
    };
    const int fan_in = 600, fan_out = 200;
    const double fans[3] = {600.0, 200.0, 400.0};
    const size_t n = 600 * 200;
    static float w[600 * 200];
    initnn_rng rng;
    int c;
    initnn_rng_seed(&rng, 8);
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        double variance = cases[c].scale / fans[cases[c].mode], largest;
        initnn_init_spec spec;
        double spec_mean, spec_variance;
        CHECK(initnn_init_fill(w, fan_in, fan_out, cases[c].spec, &rng) == 0, "%s: %s", cases[c].spec,
              initnn_last_error());
        check_sample(cases[c].spec, w, n, 0.0, variance, cases[c].uniform ? KURTOSIS_UNIFORM : KURTOSIS_NORMAL);
        if (TESTING_FAILED) return;
        largest = max_abs(w, n);
        if (cases[c].uniform)
            CHECK(largest <= sqrt(3.0 * variance) * (1.0 + 1e-6), "%s: max |w| = %.9g beyond sqrt(3 Var) = %.9g",
                  cases[c].spec, largest, sqrt(3.0 * variance));
        /* and the theory reads the same variance off the spec */
        CHECK(initnn_init_parse(&spec, cases[c].spec) == 0, "%s", initnn_last_error());
        CHECK(initnn_init_spec_moments(&spec_mean, &spec_variance, &spec, fan_in, fan_out, fan_in, fan_out) == 0,
              "%s", initnn_last_error());
        CHECK(fabs(spec_variance - variance) <= 1e-12 * variance, "%s: spec moments variance %.12g, want %.12g",
              cases[c].spec, spec_variance, variance);
    }
}

static void bad_fan_mode_and_preset_specs_are_errors(void)
{
    static const char *const bad[] = {"random_normal:0.1,fan_in", "torch_default:1", "keras_default:fan_in",
                                      "flax_default:1", "orthogonal:1,fan_out", "he_normal:0,fan_sideways",
                                      "lecun_normal:1", "variance_scaling:2,fan_middle,normal"};
    float w[6] = {7, 7, 7, 7, 7, 7};
    initnn_init_spec spec;
    initnn_rng rng;
    int c, i;
    initnn_rng_seed(&rng, 1);
    for (c = 0; c < (int)(sizeof bad / sizeof bad[0]); c++) {
        initnn_clear_error();
        CHECK(initnn_init_fill(w, 2, 3, bad[c], &rng) == INITNN_ERR_SPEC, "'%s' accepted", bad[c]);
        CHECK(initnn_last_error()[0] != '\0', "'%s': no message", bad[c]);
        CHECK(initnn_init_parse(&spec, bad[c]) == INITNN_ERR_SPEC, "'%s' parsed", bad[c]);
        for (i = 0; i < 6; i++) CHECK(w[i] == 7.0f, "'%s' wrote w[%d] = %g", bad[c], i, w[i]);
    }
}

/* ---- numeric gains ----------------------------------------------------------------------- */

static void gain_numeric_of_relu_is_sqrt_2(void)
{
    double g = initnn_gain_numeric("relu", 0.0f);
    CHECK(fabs(g - sqrt(2.0)) <= 1e-12, "gain %.17g", g);
}

static void gain_numeric_of_tanh_is_1_over_sqrt_e_tanh_squared(void)
{
    double ref[3], g = initnn_gain_numeric("tanh", 0.0f);
    simpson_moments(ref, INITNN_ACT_TANH, 1.0);
    CHECK(fabs(g - 1.0 / sqrt(ref[1])) <= 1e-10, "gain %.15g, 1/sqrt(E[tanh^2]) by Simpson %.15g", g,
          1.0 / sqrt(ref[1]));
    CHECK(fabs(g - 1.5925) <= 1e-4, "gain %.9g, want ~1.5925", g);
    CHECK(fabs(g - 5.0 / 3.0) > 0.05, "gain %.9g is the table's 5/3", g);
}

static void gain_numeric_of_selu_is_1(void)
{
    double g = initnn_gain_numeric("selu", 0.0f);
    CHECK(fabs(g - 1.0) <= 1e-9, "gain %.15g", g);
}

static void gain_numeric_of_leaky_relu_a_is_sqrt_2_over_1_plus_a2(void)
{
    static const char *const specs[] = {"leaky_relu:0.01", "leaky_relu:0.2", "leaky_relu:0.5"};
    static const double slopes[] = {0.01, 0.2, 0.5};
    int i;
    for (i = 0; i < 3; i++) {
        /* the spec's slope is a float */
        double a = (float)slopes[i], g = initnn_gain_numeric(specs[i], 0.0f), want = sqrt(2.0 / (1.0 + a * a));
        CHECK(fabs(g - want) <= 1e-12, "%s: gain %.15g, want %.15g", specs[i], g, want);
    }
    {
        /* a bare "leaky_relu" takes its slope from param */
        double a = (float)0.3, g = initnn_gain_numeric("leaky_relu", 0.3f), want = sqrt(2.0 / (1.0 + a * a));
        CHECK(fabs(g - want) <= 1e-12, "leaky_relu with param 0.3: gain %.15g, want %.15g", g, want);
    }
}

static void gain_numeric_of_softmax_is_0_with_an_error(void)
{
    double g;
    initnn_clear_error();
    g = initnn_gain_numeric("softmax", 0.0f);
    CHECK(g == 0.0, "gain %g", g);
    CHECK(initnn_last_error()[0] != '\0', "no message");
    initnn_clear_error();
    g = initnn_gain_numeric("swish", 0.0f);
    CHECK(g == 0.0, "gain of 'swish' %g", g);
    CHECK(initnn_last_error()[0] != '\0', "no message for 'swish'");
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(gauss_hermite_weights_sum_to_1_and_moments_are_1_3_15);
    RUN_TEST(gauss_hermite_of_order_n_is_exact_up_to_degree_2n_minus_1);
    RUN_TEST(gauss_hermite_rejects_orders_outside_2_to_128);
    RUN_TEST(gauss_hermite_64_misses_tanh_slope_at_q_10_by_over_1_percent);
    RUN_TEST(gauss_hermite_and_composite_errors_are_those_the_header_states);
    RUN_TEST(closed_form_moments_agree_with_the_composite_rule_to_1e_10);
    RUN_TEST(moments_at_q_1e60_are_the_saturated_limits);
    RUN_TEST(tanh_and_sigmoid_moments_agree_with_a_fine_simpson_rule);
    RUN_TEST(tanh_and_sigmoid_moments_agree_with_monte_carlo_within_6_se);
    RUN_TEST(relu_moments_are_sqrt_q_over_2pi_q_over_2_and_one_half);
    RUN_TEST(selu_at_q_1_has_mean_0_and_second_moment_1);
    RUN_TEST(softmax_and_negative_q_have_no_moments);
    RUN_TEST(init_spec_moments_match_each_kinds_formula);
    RUN_TEST(init_spec_moments_describe_what_init_fill_draws);
    RUN_TEST(critical_sigma_w2_of_tanh_without_bias_is_1);
    RUN_TEST(critical_sigma_w2_of_relu_is_2_with_or_without_bias);
    RUN_TEST(critical_sigma_w2_of_sigmoid_without_bias_is_103_where_chi_1_is_1);
    RUN_TEST(critical_sigma_w2_of_tanh_rises_with_sigma_b2_and_chi_1_is_1_there);
    RUN_TEST(tanh_chaotic_phase_has_c_star_below_1_and_chi_1_above_1);
    RUN_TEST(tanh_ordered_phase_has_c_star_1_chi_1_below_1_and_a_finite_depth_scale);
    RUN_TEST(correlation_map_keeps_c_1_at_1);
    RUN_TEST(correlation_map_of_identity_is_sigma_w2_q_c_plus_sigma_b2_over_q_next);
    RUN_TEST(correlation_map_of_relu_matches_the_arc_cosine_kernel);
    RUN_TEST(correlation_map_of_tanh_matches_a_2d_simpson_rule);
    RUN_TEST(correlation_map_of_selu_matches_a_kink_split_simpson_rule_to_1e_6);
    RUN_TEST(singular_values_of_a_diagonal_matrix_are_its_absolute_entries_sorted);
    RUN_TEST(singular_values_of_a_rank_1_matrix_are_the_norm_product_and_zeros);
    RUN_TEST(singular_values_of_a_rotation_times_a_diagonal_are_the_diagonal);
    RUN_TEST(singular_values_of_tall_and_wide_matrices_are_those_built_in);
    RUN_TEST(singular_values_of_a_random_matrix_are_sorted_and_keep_the_frobenius_norm);
    RUN_TEST(deep_linear_orthogonal_net_has_every_jacobian_singular_value_gain_to_the_L);
    RUN_TEST(net_jacobian_matches_central_differences_on_a_tanh_net);
    RUN_TEST(net_jacobian_rejects_softmax_and_null);
    RUN_TEST(theory_flags_a_deep_glorot_relu_net_and_not_a_he_one);
    RUN_TEST(theory_predicts_the_measured_q_of_tanh_nets_layer_by_layer);
    RUN_TEST(torch_default_kernel_is_uniform_1_over_sqrt_fan_in_with_variance_1_over_3_fan_in);
    RUN_TEST(torch_default_bias_is_uniform_1_over_sqrt_fan_in_when_no_bias_is_given);
    RUN_TEST(keras_default_is_glorot_uniform_with_zero_bias);
    RUN_TEST(flax_default_has_variance_1_over_fan_in_and_no_weight_beyond_2_std);
    RUN_TEST(fan_modes_scale_the_variance_by_the_named_fan);
    RUN_TEST(bad_fan_mode_and_preset_specs_are_errors);
    RUN_TEST(gain_numeric_of_relu_is_sqrt_2);
    RUN_TEST(gain_numeric_of_tanh_is_1_over_sqrt_e_tanh_squared);
    RUN_TEST(gain_numeric_of_selu_is_1);
    RUN_TEST(gain_numeric_of_leaky_relu_a_is_sqrt_2_over_1_plus_a2);
    RUN_TEST(gain_numeric_of_softmax_is_0_with_an_error);
    return testing_finish();
}
