/* test_train_opt.c - one and two optimizer steps against the update formulas,
   and gradient clipping.

   Each test puts known weights in net->params and known gradients in
   net->grads, calls initnn_net_step, and compares with the update computed
   here in double from the formulas of the header's section 8 (PyTorch's SGD,
   Kingma & Ba's Adam in both published forms, Hinton's RMSProp), with the
   hyperparameters read from the optimizer struct (float) and converted
   exactly to double. Two consecutive steps with different gradients check
   the moment terms and Adam's bias correction at t = 1 and t = 2.

   Tolerance per weight: 1e-4 |delta| + 3e-7 |w| + 1e-9, where delta is the
   reference update. The second term is float32 storage of w (half an ulp is
   6e-8 |w|, and the update adds a rounding or two); the first allows the
   library to compute the bias corrections 1 - beta^t in float, where
   1 - 0.999f^2 already carries a relative error of ~3e-5 (sqrt halves it).
   A missing bias correction, a misplaced epsilon or a wrong momentum form
   changes delta by 10% or more. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#include <float.h>

enum { NP = 6 };

static const float w0[NP] = {0.5f, -1.0f, 0.25f, 2.0f, 0.1f, -0.3f};
/* g[2] is tiny, where Adam's two epsilon placements differ; g[4] = 0 at step 1. */
static const float g1[NP] = {0.2f, -0.4f, 1e-6f, -3.0f, 0.0f, 0.05f};
static const float g2[NP] = {-0.1f, -0.4f, 2e-6f, 1.0f, 0.3f, 0.05f};

typedef struct {
    double w[NP], m[NP], v[NP];
    int t;
} ref_state;

static void ref_init(ref_state *s)
{
    int i;
    for (i = 0; i < NP; i++) {
        s->w[i] = (double)w0[i];
        s->m[i] = s->v[i] = 0.0;
    }
    s->t = 0;
}

/* SGD (PyTorch): g += wd w; v = mu v + g; w -= lr (nesterov ? g + mu v : v);
   plain SGD (mu = 0) is w -= lr g. */
static void ref_sgd(ref_state *s, const float *g, const initnn_optimizer *o)
{
    double lr = o->learning_rate, mu = o->momentum, wd = o->weight_decay;
    int i;
    s->t++;
    for (i = 0; i < NP; i++) {
        double gi = (double)g[i] + wd * s->w[i];
        if (mu != 0.0) {
            s->m[i] = mu * s->m[i] + gi;
            s->w[i] -= lr * (o->nesterov ? gi + mu * s->m[i] : s->m[i]);
        } else {
            s->w[i] -= lr * gi;
        }
    }
}

/* Adam: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, then
   Algorithm 1:  w -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
   Keras:        w -= lr sqrt(1 - b2^t) / (1 - b1^t) m / (sqrt(v) + eps_hat) */
static void ref_adam_form(ref_state *s, const float *g, const initnn_optimizer *o, int keras, double eps)
{
    double lr = o->learning_rate, b1 = o->beta1, b2 = o->beta2, wd = o->weight_decay;
    double c1, c2;
    int i;
    s->t++;
    c1 = 1.0 - pow(b1, s->t);
    c2 = 1.0 - pow(b2, s->t);
    for (i = 0; i < NP; i++) {
        double gi = (double)g[i] + wd * s->w[i];
        s->m[i] = b1 * s->m[i] + (1.0 - b1) * gi;
        s->v[i] = b2 * s->v[i] + (1.0 - b2) * gi * gi;
        if (keras)
            s->w[i] -= lr * sqrt(c2) / c1 * s->m[i] / (sqrt(s->v[i]) + eps);
        else
            s->w[i] -= lr * (s->m[i] / c1) / (sqrt(s->v[i] / c2) + eps);
    }
}

static void ref_adam(ref_state *s, const float *g, const initnn_optimizer *o)
{
    ref_adam_form(s, g, o, o->keras_epsilon, (double)o->epsilon);
}

/* RMSProp: v = rho v + (1 - rho) g^2; w -= lr g / (sqrt(v) + eps). */
static void ref_rmsprop(ref_state *s, const float *g, const initnn_optimizer *o)
{
    double lr = o->learning_rate, rho = o->rho, eps = o->epsilon, wd = o->weight_decay;
    int i;
    s->t++;
    for (i = 0; i < NP; i++) {
        double gi = (double)g[i] + wd * s->w[i];
        s->v[i] = rho * s->v[i] + (1.0 - rho) * gi * gi;
        s->w[i] -= lr * gi / (sqrt(s->v[i]) + eps);
    }
}

/* A 2 -> 2 identity layer: W (2, 2) and b (2), 6 parameters. */
static void make_net(initnn_net **net, const initnn_optimizer *opt)
{
    int err = initnn_net_create(net, 2, 4, 1);
    CHECK(err == 0, "initnn_net_create: %s", initnn_last_error());
    ref_own(*net);
    if (TESTING_FAILED) return;
    err = initnn_net_add_dense(*net, 2, "identity", "zeros", "zeros");
    CHECK(err == 0, "initnn_net_add_dense: %s", initnn_last_error());
    err = initnn_net_set_loss(*net, INITNN_LOSS_MSE);
    CHECK(err == 0, "initnn_net_set_loss: %s", initnn_last_error());
    CHECK((*net)->param_count == NP, "param_count %lu, want %d", (unsigned long)(*net)->param_count, NP);
    err = initnn_net_set_optimizer(*net, opt);
    CHECK(err == 0, "initnn_net_set_optimizer: %s", initnn_last_error());
    memcpy((*net)->params, w0, sizeof w0);
}

/* Sets the gradients, steps, and compares the weights with ref (already
   advanced); then copies the net's weights into ref so that the next step
   starts from the same point. */
static void step_and_compare(initnn_net *net, ref_state *ref, const float *g, const char *label)
{
    float want[NP], tol[NP];
    int i, err;
    for (i = 0; i < NP; i++) {
        double delta = ref->w[i] - (double)net->params[i];
        want[i] = (float)ref->w[i];
        tol[i] = (float)(1e-4 * fabs(delta) + 3e-7 * fabs(ref->w[i]) + 1e-9);
    }
    memcpy(net->grads, g, NP * sizeof(float));
    err = initnn_net_step(net);
    CHECK(err == 0, "%s: initnn_net_step: %d %s", label, err, initnn_last_error());
    CHECK_FLOATS_NEAR(label, net->params, want, NP, tol);
    CHECK(net->opt.step == ref->t, "%s: opt.step = %lld, want %d", label, (long long)net->opt.step, ref->t);
    for (i = 0; i < NP; i++) ref->w[i] = (double)net->params[i];
}

typedef void (*ref_update)(ref_state *, const float *, const initnn_optimizer *);

static void two_steps(const initnn_optimizer *opt, ref_update update, const char *name)
{
    initnn_net *net = NULL;
    ref_state ref;
    char label[128];
    make_net(&net, opt);
    if (!TESTING_FAILED) {
        ref_init(&ref);
        update(&ref, g1, &net->opt);
        snprintf(label, sizeof label, "%s, step 1", name);
        step_and_compare(net, &ref, g1, label);
    }
    if (!TESTING_FAILED) {
        update(&ref, g2, &net->opt);
        snprintf(label, sizeof label, "%s, step 2", name);
        step_and_compare(net, &ref, g2, label);
    }
}

/* ---- the constructors --------------------------------------------------------- */

static void optimizer_constructors_have_the_documented_hyperparameters(void)
{
    initnn_optimizer a = initnn_adam(0.01f), k = initnn_adam_keras(0.02f);
    initnn_optimizer s = initnn_sgd(0.1f, 0.9f, 1), r = initnn_rmsprop(0.001f);
    CHECK(a.type == INITNN_OPT_ADAM && a.learning_rate == 0.01f && a.beta1 == 0.9f && a.beta2 == 0.999f &&
              a.epsilon == 1e-8f && a.keras_epsilon == 0 && a.step == 0,
          "initnn_adam: type %d lr %g b1 %.9g b2 %.9g eps %g keras %d", a.type, (double)a.learning_rate,
          (double)a.beta1, (double)a.beta2, (double)a.epsilon, a.keras_epsilon);
    CHECK(k.type == INITNN_OPT_ADAM && k.learning_rate == 0.02f && k.beta1 == 0.9f && k.beta2 == 0.999f &&
              k.epsilon == 1e-7f && k.keras_epsilon == 1,
          "initnn_adam_keras: type %d b1 %.9g b2 %.9g eps %g keras %d", k.type, (double)k.beta1,
          (double)k.beta2, (double)k.epsilon, k.keras_epsilon);
    CHECK(s.type == INITNN_OPT_SGD && s.learning_rate == 0.1f && s.momentum == 0.9f && s.nesterov == 1,
          "initnn_sgd: type %d lr %g momentum %g nesterov %d", s.type, (double)s.learning_rate,
          (double)s.momentum, s.nesterov);
    CHECK(r.type == INITNN_OPT_RMSPROP && r.learning_rate == 0.001f && r.rho == 0.9f && r.epsilon == 1e-8f,
          "initnn_rmsprop: type %d rho %g eps %g", r.type, (double)r.rho, (double)r.epsilon);
    CHECK(a.weight_decay == 0.0f && a.clip_norm == 0.0f && a.clip_value == 0.0f && s.weight_decay == 0.0f &&
              r.clip_norm == 0.0f,
          "a constructor turns on weight decay or clipping");
}

/* ---- SGD ---------------------------------------------------------------------- */

static void plain_sgd_steps_w_minus_lr_g(void)
{
    initnn_optimizer o = initnn_sgd(0.1f, 0.0f, 0);
    two_steps(&o, ref_sgd, "sgd");
}

static void momentum_sgd_steps_with_v_equals_mu_v_plus_g(void)
{
    initnn_optimizer o = initnn_sgd(0.1f, 0.9f, 0);
    two_steps(&o, ref_sgd, "sgd momentum 0.9");
}

static void nesterov_sgd_steps_with_g_plus_mu_v(void)
{
    initnn_optimizer o = initnn_sgd(0.1f, 0.9f, 1);
    two_steps(&o, ref_sgd, "sgd nesterov 0.9");
}

static void sgd_weight_decay_adds_wd_times_w_to_the_gradient(void)
{
    initnn_optimizer o = initnn_sgd(0.1f, 0.9f, 0);
    o.weight_decay = 0.05f;
    two_steps(&o, ref_sgd, "sgd momentum, weight decay 0.05");
}

/* ---- Adam and RMSProp ----------------------------------------------------------- */

static void adam_algorithm_1_steps_with_bias_corrected_moments(void)
{
    initnn_optimizer o = initnn_adam(0.01f);
    two_steps(&o, ref_adam, "adam");
}

static void adam_keras_steps_with_lr_t_and_epsilon_hat_on_the_raw_sqrt_v(void)
{
    initnn_optimizer o = initnn_adam_keras(0.01f);
    two_steps(&o, ref_adam, "adam keras");
}

static void adam_weight_decay_enters_the_moments_as_l2(void)
{
    initnn_optimizer o = initnn_adam(0.01f);
    o.weight_decay = 0.05f;
    two_steps(&o, ref_adam, "adam, weight decay 0.05");
}

static void rmsprop_steps_with_a_running_mean_of_g_squared(void)
{
    initnn_optimizer o = initnn_rmsprop(0.01f);
    two_steps(&o, ref_rmsprop, "rmsprop");
}

static void adam_moments_in_opt_m_and_opt_v_follow_the_formulas(void)
{
    initnn_optimizer o = initnn_adam(0.01f);
    initnn_net *net = NULL;
    ref_state ref;
    float want_m[NP], want_v[NP], tol_m[NP], tol_v[NP];
    int i, k;
    make_net(&net, &o);
    ref_init(&ref);
    for (k = 0; k < 2 && !TESTING_FAILED; k++) {
        const float *g = k ? g2 : g1;
        ref_adam(&ref, g, &net->opt);
        memcpy(net->grads, g, sizeof g1);
        CHECK(initnn_net_step(net) == 0, "initnn_net_step: %s", initnn_last_error());
        for (i = 0; i < NP; i++) {
            want_m[i] = (float)ref.m[i];
            want_v[i] = (float)ref.v[i];
            tol_m[i] = (float)(1e-6 * fabs(ref.m[i]) + 1e-30);
            tol_v[i] = (float)(1e-6 * fabs(ref.v[i]) + 1e-30);
        }
        CHECK_FLOATS_NEAR(k ? "m after step 2" : "m after step 1", net->opt_m, want_m, NP, tol_m);
        CHECK_FLOATS_NEAR(k ? "v after step 2" : "v after step 1", net->opt_v, want_v, NP, tol_v);
    }
}

static void adam_keras_and_algorithm_1_differ_only_where_epsilon_matters(void)
{
    /* At step t both forms use the same m and v. Algorithm 1 divides by
       sqrt(v_hat) + 1e-8, Keras by sqrt(v_hat) + 1e-7 / sqrt(1 - b2^t): at
       t = 1 that is 3.2e-6, at t = 2 2.2e-6. For g[2] ~ 1e-6 the Keras step
       is a quarter to a third of Algorithm 1's; for g[3] = -3 they agree to
       ~1e-6. Both nets are checked against their own formula, then against
       each other. */
    initnn_optimizer oa = initnn_adam(0.01f), ok = initnn_adam_keras(0.01f);
    initnn_net *na = NULL, *nk = NULL;
    ref_state ra, rk, alt;
    int k;
    make_net(&na, &oa);
    if (!TESTING_FAILED) make_net(&nk, &ok);
    ref_init(&ra);
    ref_init(&rk);
    ref_init(&alt);
    for (k = 0; k < 2 && !TESTING_FAILED; k++) {
        const float *g = k ? g2 : g1;
        double before_a[NP], before_k[NP], da, dk;
        int i;
        for (i = 0; i < NP; i++) {
            before_a[i] = (double)na->params[i];
            before_k[i] = (double)nk->params[i];
        }
        ref_adam(&ra, g, &na->opt);
        ref_adam(&rk, g, &nk->opt);
        /* The header's identity: Keras' eps_hat is Algorithm 1's
           eps = eps_hat / sqrt(1 - b2^t) (checks the reference itself). */
        ref_adam_form(&alt, g, &nk->opt, 0, (double)nk->opt.epsilon / sqrt(1.0 - pow((double)nk->opt.beta2, k + 1)));
        for (i = 0; i < NP; i++)
            CHECK(fabs(alt.w[i] - rk.w[i]) <= 1e-12, "step %d [%d]: Keras form %.15g, Algorithm 1 with "
                  "eps_hat / sqrt(1 - b2^t) %.15g", k + 1, i, rk.w[i], alt.w[i]);
        step_and_compare(na, &ra, g, k ? "algorithm 1, step 2" : "algorithm 1, step 1");
        if (TESTING_FAILED) break;
        step_and_compare(nk, &rk, g, k ? "keras, step 2" : "keras, step 1");
        if (TESTING_FAILED) break;
        for (i = 0; i < NP; i++) alt.w[i] = rk.w[i];
        da = (double)na->params[2] - before_a[2];
        dk = (double)nk->params[2] - before_k[2];
        CHECK(fabs(da - dk) > 0.3 * fabs(da), "step %d, g = %g: algorithm 1 moves %.6g, keras %.6g: "
              "the epsilon placements should differ by far more", k + 1, (double)g[2], da, dk);
        da = (double)na->params[3] - before_a[3];
        dk = (double)nk->params[3] - before_k[3];
        CHECK(fabs(da - dk) <= 1e-4 * fabs(da), "step %d, g = %g: algorithm 1 moves %.9g, keras %.9g: "
              "they should agree where epsilon is negligible", k + 1, (double)g[3], da, dk);
    }
}

static void set_optimizer_clears_the_moments_and_the_step_count(void)
{
    initnn_optimizer o = initnn_adam(0.01f);
    initnn_net *net = NULL;
    ref_state ref;
    make_net(&net, &o);
    if (!TESTING_FAILED) {
        memcpy(net->grads, g1, sizeof g1);
        CHECK(initnn_net_step(net) == 0, "initnn_net_step: %s", initnn_last_error());
        CHECK(initnn_net_set_optimizer(net, &o) == 0, "initnn_net_set_optimizer: %s", initnn_last_error());
        CHECK(net->opt.step == 0, "opt.step = %lld after set_optimizer", (long long)net->opt.step);
        /* The next step is a first step again, from the current weights. */
        ref_init(&ref);
        {
            int i;
            for (i = 0; i < NP; i++) ref.w[i] = (double)net->params[i];
        }
        ref_adam(&ref, g2, &net->opt);
        step_and_compare(net, &ref, g2, "first step after set_optimizer");
    }
}

/* ---- clipping ---------------------------------------------------------------------- */

static const float clip_g[10] = {0.3f, -1.2f, 2.5f, 0.0f, -0.7f, 4.0f, -3.3f, 0.01f, 1.5f, -0.2f};

static double norm_of(const float *g, size_t n)
{
    double s = 0.0;
    size_t i;
    for (i = 0; i < n; i++) s += (double)g[i] * (double)g[i];
    return sqrt(s);
}

static void clip_grad_norm_rescales_to_the_threshold_keeping_the_direction(void)
{
    float g[10];
    double before = norm_of(clip_g, 10), returned, after, dot = 0.0, cosine;
    size_t i;
    memcpy(g, clip_g, sizeof g);
    returned = initnn_clip_grad_norm(g, 10, before / 3.0);
    CHECK_NEAR(returned, before, 1e-9 * before);
    after = norm_of(g, 10);
    /* Each element is rounded to float once: relative 6e-8. */
    CHECK_NEAR(after, before / 3.0, 2e-7 * before);
    for (i = 0; i < 10; i++) dot += (double)g[i] * (double)clip_g[i];
    cosine = dot / (after * before);
    CHECK(cosine >= 1.0 - 1e-12, "cosine between the gradient before and after is %.17g", cosine);
    CHECK(g[3] == 0.0f, "a zero element became %g", (double)g[3]);
}

static void clip_grad_norm_below_the_threshold_changes_nothing(void)
{
    float g[10];
    double before = norm_of(clip_g, 10), returned;
    memcpy(g, clip_g, sizeof g);
    returned = initnn_clip_grad_norm(g, 10, before * 1.5);
    CHECK_NEAR(returned, before, 1e-9 * before);
    CHECK_FLOATS_EQUAL("gradient under the threshold", g, clip_g, 10);
}

static void clip_grad_norm_of_a_zero_gradient_stays_zero(void)
{
    float g[4] = {0.0f, 0.0f, 0.0f, 0.0f}, zero[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    double returned = initnn_clip_grad_norm(g, 4, 1.0);
    CHECK(returned == 0.0, "norm of zeros returned as %g", returned);
    CHECK_FLOATS_EQUAL("zero gradient", g, zero, 4);
}

static void clip_grad_value_clamps_each_element_to_plus_minus_c(void)
{
    float g[10], want[10];
    int i;
    memcpy(g, clip_g, sizeof g);
    for (i = 0; i < 10; i++) want[i] = clip_g[i] > 1.0f ? 1.0f : clip_g[i] < -1.0f ? -1.0f : clip_g[i];
    initnn_clip_grad_value(g, 10, 1.0f);
    CHECK_FLOATS_EQUAL("clipped by value 1", g, want, 10);
}

static void net_grad_norm_is_the_l2_norm_of_all_gradients(void)
{
    initnn_optimizer o = initnn_sgd(0.1f, 0.0f, 0);
    initnn_net *net = NULL;
    make_net(&net, &o);
    if (!TESTING_FAILED) {
        memcpy(net->grads, g1, sizeof g1);
        CHECK_NEAR(initnn_net_grad_norm(net), norm_of(g1, NP), 1e-12 * norm_of(g1, NP));
    }
}

static void step_with_clip_norm_applies_the_clipped_gradient(void)
{
    /* SGD with lr 1: the update is exactly minus the clipped gradient,
       g * 0.5 / ||g||. */
    initnn_optimizer o = initnn_sgd(1.0f, 0.0f, 0);
    initnn_net *net = NULL;
    double norm = norm_of(g1, NP);
    float want[NP], tol[NP];
    int i;
    o.clip_norm = 0.5f;
    make_net(&net, &o);
    if (!TESTING_FAILED) {
        for (i = 0; i < NP; i++) {
            double r = (double)w0[i] - (double)g1[i] * 0.5 / norm;
            want[i] = (float)r;
            tol[i] = (float)(3e-7 * fabs(r) + 1e-7);
        }
        memcpy(net->grads, g1, sizeof g1);
        CHECK(initnn_net_step(net) == 0, "initnn_net_step: %s", initnn_last_error());
        CHECK_FLOATS_NEAR("sgd lr 1, clip_norm 0.5", net->params, want, NP, tol);
    }
}

static void step_with_clip_value_applies_the_clamped_gradient(void)
{
    initnn_optimizer o = initnn_sgd(1.0f, 0.0f, 0);
    initnn_net *net = NULL;
    float want[NP], tol[NP];
    int i;
    o.clip_value = 0.3f;
    make_net(&net, &o);
    if (!TESTING_FAILED) {
        for (i = 0; i < NP; i++) {
            double g = g1[i] > 0.3f ? 0.3f : g1[i] < -0.3f ? -0.3f : g1[i];
            want[i] = (float)((double)w0[i] - g);
            tol[i] = (float)(3e-7 * fabs((double)want[i]) + 1e-7);
        }
        memcpy(net->grads, g1, sizeof g1);
        CHECK(initnn_net_step(net) == 0, "initnn_net_step: %s", initnn_last_error());
        CHECK_FLOATS_NEAR("sgd lr 1, clip_value 0.3", net->params, want, NP, tol);
    }
}

static void a_step_that_makes_a_weight_infinite_is_undone(void)
{
    /* SGD with lr 1: w[0] = -3e38 minus g[0] = 3e38 overflows to -Inf. */
    initnn_optimizer o = initnn_sgd(1.0f, 0.0f, 0);
    initnn_net *net = NULL;
    float before[NP], g[NP];
    int err;
    make_net(&net, &o);
    if (TESTING_FAILED) return;
    net->params[0] = -3e38f;
    memcpy(before, net->params, sizeof before);
    memcpy(g, g1, sizeof g);
    g[0] = 3e38f;
    memcpy(net->grads, g, sizeof g);
    initnn_clear_error();
    err = initnn_net_step(net);
    CHECK(err == INITNN_ERR_NONFINITE, "initnn_net_step returned %d, want INITNN_ERR_NONFINITE", err);
    CHECK(strstr(initnn_last_error(), "layer") != NULL, "the message does not name the layer: '%s'",
          initnn_last_error());
    CHECK_FLOATS_EQUAL("weights after the undone step", net->params, before, NP);
}

static void a_learning_rate_of_0_is_accepted_and_leaves_the_weights(void)
{
    /* As PyTorch's optimizers allow lr = 0: every optimizer, with momentum
       and weight decay where it has them, takes two steps that change no
       weight (the lab's control run, --lr 0, relies on it). */
    initnn_optimizer opts[4];
    const char *names[4] = {"sgd (momentum 0.9, nesterov, weight decay 0.1)", "adam (weight decay 0.1)",
                            "adam_keras", "rmsprop"};
    int k;
    opts[0] = initnn_sgd(0.0f, 0.9f, 1);
    opts[0].weight_decay = 0.1f;
    opts[1] = initnn_adam(0.0f);
    opts[1].weight_decay = 0.1f;
    opts[2] = initnn_adam_keras(0.0f);
    opts[3] = initnn_rmsprop(0.0f);
    for (k = 0; k < 4 && !TESTING_FAILED; k++) {
        initnn_net *net = NULL;
        char label[128];
        make_net(&net, &opts[k]);
        if (TESTING_FAILED) return;
        memcpy(net->grads, g1, sizeof g1);
        CHECK(initnn_net_step(net) == 0, "%s: step 1: %s", names[k], initnn_last_error());
        memcpy(net->grads, g2, sizeof g2);
        CHECK(initnn_net_step(net) == 0, "%s: step 2: %s", names[k], initnn_last_error());
        snprintf(label, sizeof label, "%s, lr 0, after two steps", names[k]);
        CHECK_FLOATS_EQUAL(label, net->params, w0, NP);
        CHECK(net->opt.step == 2, "%s: opt.step = %lld, want 2 (the steps are taken)", names[k], (long long)net->opt.step);
    }
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    testing_after_each(ref_release_nets);
    RUN_TEST(optimizer_constructors_have_the_documented_hyperparameters);
    RUN_TEST(plain_sgd_steps_w_minus_lr_g);
    RUN_TEST(momentum_sgd_steps_with_v_equals_mu_v_plus_g);
    RUN_TEST(nesterov_sgd_steps_with_g_plus_mu_v);
    RUN_TEST(sgd_weight_decay_adds_wd_times_w_to_the_gradient);
    RUN_TEST(adam_algorithm_1_steps_with_bias_corrected_moments);
    RUN_TEST(adam_keras_steps_with_lr_t_and_epsilon_hat_on_the_raw_sqrt_v);
    RUN_TEST(adam_weight_decay_enters_the_moments_as_l2);
    RUN_TEST(rmsprop_steps_with_a_running_mean_of_g_squared);
    RUN_TEST(adam_moments_in_opt_m_and_opt_v_follow_the_formulas);
    RUN_TEST(adam_keras_and_algorithm_1_differ_only_where_epsilon_matters);
    RUN_TEST(set_optimizer_clears_the_moments_and_the_step_count);
    RUN_TEST(clip_grad_norm_rescales_to_the_threshold_keeping_the_direction);
    RUN_TEST(clip_grad_norm_below_the_threshold_changes_nothing);
    RUN_TEST(clip_grad_norm_of_a_zero_gradient_stays_zero);
    RUN_TEST(clip_grad_value_clamps_each_element_to_plus_minus_c);
    RUN_TEST(net_grad_norm_is_the_l2_norm_of_all_gradients);
    RUN_TEST(step_with_clip_norm_applies_the_clipped_gradient);
    RUN_TEST(step_with_clip_value_applies_the_clamped_gradient);
    RUN_TEST(a_step_that_makes_a_weight_infinite_is_undone);
    RUN_TEST(a_learning_rate_of_0_is_accepted_and_leaves_the_weights);
    return testing_finish();
}
