/* initnn_web.c - the C side of the browser page (examples/web/index.html).

   Everything the page shows is computed here, by initnn.h, compiled to
   WebAssembly with emscripten (make web). The page's JavaScript only draws.
   The same file compiled natively (make web-native) is a small command-line
   program that prints what the page would show, so that the page's numbers
   can be checked against a native build of the same code (tests/web.sh).

   Both builds use the portable kernels (INITNN_NO_SIMD, no -march flags,
   no fused multiply-add), so they do the same float operations in the same
   order.

   The data and the net are built as `initlab --predict` builds them:
      initlab --predict --data moons --samples N --noise F --data-seed S
              --standardize --test-split 0.3 --val test
              --hidden WIDTHxDEPTH --activation ACT --init SPEC [--bias-init B]
   (a net of seed 1 there), so the page's prediction table is that of the lab.

   State: one data set and up to two models (A and B, the comparison), each
   a net with its training state; the page asks for them by number. */

#define INITNN_NO_SIMD
#define INITNN_IMPLEMENTATION
#include "initnn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#define WEB_API EMSCRIPTEN_KEEPALIVE
#else
#define WEB_API
#endif

#define WEB_MODELS 2
#define WEB_PROBE 256            /* the probe batch, as initlab's              */
#define WEB_LOW 0.1              /* the flag: predicted E[z^2] outside          */
#define WEB_HIGH 10.0            /* [WEB_LOW, WEB_HIGH] x the input's E[x^2]    */
#define WEB_MAX_WIDTH 256
#define WEB_MAX_DEPTH 200
#define WEB_BINS 40

/* Columns of the per-layer table the page reads (one row per weighted layer). */
enum {
    COL_SIGMA_W2, COL_SIGMA_B2, COL_Q_PRED, COL_Q_MEAS, COL_D_PRED, COL_D_MEAS, COL_CHI,
    COL_ZERO, COL_SAT, COL_LO, COL_HI, COL_COUNT
};

typedef struct web_model {
    initnn_net *net;
    int depth, width, classes;
    int batch;
    int steps;                   /* training steps taken                        */
    int epoch_pos;               /* next position in the shuffled order         */
    int *order;                  /* the training set's order this epoch         */
    initnn_rng order_rng;        /* the batch order, from the seed              */
    float *X;                    /* one batch                                   */
    int *labels;
    float last_loss;
    double last_grad_norm;
    int weighted;                /* rows of table                               */
    double table[(WEB_MAX_DEPTH + 1) * COL_COUNT];
    double hist[(WEB_MAX_DEPTH + 1) * WEB_BINS];
    char verdict[512];
} web_model;

static struct {
    initnn_data source, train, test;
    float *probe_x;
    int *probe_labels;
    int probe_n;
    double input_m2;
    web_model models[WEB_MODELS];
    char message[1024];
    char spec[256];
} web;

/* ---- errors ------------------------------------------------------------------ */

static int web_fail(int err, const char *what)
{
    snprintf(web.message, sizeof web.message, "%s: %s", what, initnn_last_error()[0] ? initnn_last_error() : "failed");
    return err ? err : -1;
}

/* The message of the last failure, for the page to show. */
WEB_API const char *web_message(void) { return web.message; }

/* ---- data ---------------------------------------------------------------------- */

/* Makes the data set: kind 0 two moons, 1 circles (factor 0.5), 2 spirals
   (3 arms); the last 30% are the test set; standardize z-scores every
   feature with the training set's mean and std. */
WEB_API int web_data(int kind, int samples, double noise, int data_seed, int standardize)
{
    int err, f;
    float mean[2], std[2];
    initnn_data_free(&web.source);
    free(web.probe_x);
    free(web.probe_labels);
    web.probe_x = NULL;
    web.probe_labels = NULL;
    if (kind == 0) err = initnn_make_moons(&web.source, samples, (float)noise, (uint64_t)data_seed);
    else if (kind == 1) err = initnn_make_circles(&web.source, samples, (float)noise, 0.5f, (uint64_t)data_seed);
    else err = initnn_make_spirals(&web.source, samples, 3, (float)noise, (uint64_t)data_seed);
    if (err) return web_fail(err, "data");
    if ((err = initnn_data_split(&web.train, &web.test, &web.source, 0.3f)) != 0) return web_fail(err, "data");
    f = web.train.features;
    if (standardize) {
        if ((err = initnn_standardize_fit(mean, std, &web.train)) != 0) return web_fail(err, "data");
        initnn_standardize_apply((float *)web.source.x, web.source.count, f, mean, std);
    }
    web.probe_n = web.train.count < WEB_PROBE ? web.train.count : WEB_PROBE;
    web.probe_x = (float *)malloc((size_t)web.probe_n * (size_t)f * sizeof(float));
    web.probe_labels = (int *)malloc((size_t)web.probe_n * sizeof(int));
    if (!web.probe_x || !web.probe_labels) {
        snprintf(web.message, sizeof web.message, "data: out of memory");
        return INITNN_ERR_MEMORY;
    }
    memcpy(web.probe_x, web.train.x, (size_t)web.probe_n * (size_t)f * sizeof(float));
    memcpy(web.probe_labels, web.train.labels, (size_t)web.probe_n * sizeof(int));
    web.input_m2 = initnn_second_moment(web.probe_x, (size_t)web.probe_n * (size_t)f);
    return 0;
}

WEB_API int web_data_count(void) { return web.source.count; }
WEB_API int web_data_train_count(void) { return web.train.count; }
WEB_API int web_data_classes(void) { return web.source.classes; }
WEB_API const float *web_data_x(void) { return web.source.x; }
WEB_API const int *web_data_labels(void) { return web.source.labels; }
WEB_API double web_input_second_moment(void) { return web.input_m2; }

/* ---- specs --------------------------------------------------------------------- */

/* The spec with its weights' standard deviation multiplied by scale (its
   variance by scale^2), written in the spec grammar: he_normal at 1.5 is
   variance_scaling:4.5,fan_in,normal. At scale 1 the spec as written.
   Returns the string (valid until the next call) or NULL on a bad spec. */
WEB_API const char *web_scaled_spec(const char *spec, double scale)
{
    initnn_init_spec s;
    static const char *const modes[] = { "fan_in", "fan_out", "fan_avg" };
    static const char *const dists[] = { "normal", "truncated_normal", "uniform" };
    int err = initnn_init_parse(&s, spec);
    if (err) { web_fail(err, "init"); return NULL; }
    if (scale == 1.0) {
        snprintf(web.spec, sizeof web.spec, "%s", spec);
        return web.spec;
    }
    switch (s.kind) {
    case INITNN_INIT_CONSTANT: snprintf(web.spec, sizeof web.spec, "constant:%.9g", s.param[0] * scale); break;
    case INITNN_INIT_NORMAL:
        snprintf(web.spec, sizeof web.spec, "random_normal:%.9g,%.9g", s.param[0] * scale, s.param[1] * scale); break;
    case INITNN_INIT_UNIFORM:
        snprintf(web.spec, sizeof web.spec, "random_uniform:%.9g,%.9g", s.param[0] * scale, s.param[1] * scale); break;
    case INITNN_INIT_TRUNCATED_NORMAL:
        snprintf(web.spec, sizeof web.spec, "truncated_normal:%.9g,%.9g", s.param[0] * scale, s.param[1] * scale); break;
    case INITNN_INIT_VARIANCE_SCALING:
        snprintf(web.spec, sizeof web.spec, "variance_scaling:%.9g,%s,%s", s.param[0] * scale * scale, modes[s.mode],
                 dists[s.distribution]);
        break;
    case INITNN_INIT_ORTHOGONAL: snprintf(web.spec, sizeof web.spec, "orthogonal:%.9g", s.param[0] * scale); break;
    case INITNN_INIT_SPARSE:
        snprintf(web.spec, sizeof web.spec, "sparse:%.9g,%.9g", s.param[0], s.param[1] * scale); break;
    case INITNN_INIT_IDENTITY: snprintf(web.spec, sizeof web.spec, "identity:%.9g", s.param[0] * scale); break;
    default: snprintf(web.message, sizeof web.message, "init: cannot scale '%s'", spec); return NULL;
    }
    return web.spec;
}

/* ---- models -------------------------------------------------------------------- */

static web_model *web_model_of(int which)
{
    return which >= 0 && which < WEB_MODELS ? &web.models[which] : NULL;
}

static void web_model_clear(web_model *m)
{
    initnn_net_free(m->net);
    free(m->order);
    free(m->X);
    free(m->labels);
    memset(m, 0, sizeof *m);
}

WEB_API void web_model_free(int which)
{
    web_model *m = web_model_of(which);
    if (m) web_model_clear(m);
}

/* Builds model `which`: depth hidden layers of width units with the
   activation, then dense:classes,softmax (initlab's --hidden WIDTHxDEPTH),
   kernels from kernel_spec, biases from bias_spec ("" or NULL: the
   kernel spec's default), weights and batch order from seed; the
   optimizer adam (0) or sgd with momentum 0.9 (1) at the learning rate. */
WEB_API int web_model_create(int which, int depth, int width, const char *activation, const char *kernel_spec,
                             const char *bias_spec, int seed, int optimizer, double learning_rate, int batch)
{
    web_model *m = web_model_of(which);
    char *arch;
    size_t size, used = 0;
    int l, err, max_batch;
    initnn_optimizer opt;
    if (!m || !web.source.count) { snprintf(web.message, sizeof web.message, "no data"); return INITNN_ERR_ARGUMENT; }
    web_model_clear(m);
    if (depth < 1 || depth > WEB_MAX_DEPTH || width < 1 || width > WEB_MAX_WIDTH || batch < 1) {
        snprintf(web.message, sizeof web.message, "net: depth 1..%d, width 1..%d, batch >= 1", WEB_MAX_DEPTH,
                 WEB_MAX_WIDTH);
        return INITNN_ERR_ARGUMENT;
    }
    if (batch > web.train.count) batch = web.train.count;
    size = (size_t)depth * (strlen(activation) + 24) + 64;
    arch = (char *)malloc(size);
    if (!arch) { snprintf(web.message, sizeof web.message, "out of memory"); return INITNN_ERR_MEMORY; }
    for (l = 0; l < depth; l++) used += (size_t)snprintf(arch + used, size - used, "dense:%d,%s,", width, activation);
    snprintf(arch + used, size - used, "dense:%d,softmax", web.source.classes);
    max_batch = batch > web.probe_n ? batch : web.probe_n;
    err = initnn_net_from_arch(&m->net, arch, 1, 1, web.train.features, kernel_spec,
                               bias_spec && bias_spec[0] ? bias_spec : NULL, max_batch, (uint64_t)seed);
    free(arch);
    if (err) return web_fail(err, "net");
    if ((err = initnn_net_set_loss(m->net, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY)) != 0) return web_fail(err, "net");
    opt = optimizer == 1 ? initnn_sgd((float)learning_rate, 0.9f, 0) : initnn_adam((float)learning_rate);
    if ((err = initnn_net_set_optimizer(m->net, &opt)) != 0) return web_fail(err, "optimizer");
    m->depth = depth;
    m->width = width;
    m->classes = web.source.classes;
    m->batch = batch;
    m->order = (int *)malloc((size_t)web.train.count * sizeof(int));
    m->X = (float *)malloc((size_t)batch * (size_t)web.train.features * sizeof(float));
    m->labels = (int *)malloc((size_t)batch * sizeof(int));
    if (!m->order || !m->X || !m->labels) {
        web_model_clear(m);
        snprintf(web.message, sizeof web.message, "out of memory");
        return INITNN_ERR_MEMORY;
    }
    initnn_rng_seed_stream(&m->order_rng, (uint64_t)seed, 7);
    m->epoch_pos = web.train.count;   /* shuffle before the first batch */
    return 0;
}

/* The verdict in initlab --predict's words: where the predicted second
   moment first leaves [0.1, 10] x the input's, or that it does not. */
static int web_verdict(web_model *m, const initnn_layer_theory *table)
{
    const initnn_net *net = m->net;
    int bad = initnn_theory_first_bad_layer(net, table, web.input_m2, WEB_LOW, WEB_HIGH), l, k = 0, weighted = 0;
    for (l = 0; l < net->layer_count; l++) weighted += table[l].has_params;
    if (bad < 0) {
        double lo = HUGE_VAL, hi = 0.0;
        for (l = 0; l < net->layer_count; l++) {
            if (!table[l].has_params) continue;
            if (table[l].q_predicted < lo) lo = table[l].q_predicted;
            if (table[l].q_predicted > hi) hi = table[l].q_predicted;
        }
        if (hi < 1.001 * lo)
            snprintf(m->verdict, sizeof m->verdict, "passes: the predicted E[z^2] is %.3g x the input's at each of the "
                     "%d layers", lo / web.input_m2, weighted);
        else
            snprintf(m->verdict, sizeof m->verdict, "passes: the predicted E[z^2] stays within [%g, %g] x the input's "
                     "through all %d layers (%.3g to %.3g x)", WEB_LOW, WEB_HIGH, weighted, lo / web.input_m2,
                     hi / web.input_m2);
        return 0;
    }
    for (l = 0; l <= bad; l++) k += table[l].has_params;
    snprintf(m->verdict, sizeof m->verdict, "FLAGGED: the predicted second moment %s by layer %d of %d (E[z^2] = %.3g "
             "x the input's; outside [%g, %g])", table[bad].q_predicted < WEB_LOW * web.input_m2 ? "vanishes" : "explodes",
             k, weighted, table[bad].q_predicted / web.input_m2, WEB_LOW, WEB_HIGH);
    return 1;
}

/* Fills the per-layer table and histograms from a theory table whose
   forward and backward passes ran on the probe batch (the layers' buffers
   hold the probe's activations). The histograms count each layer's
   outputs phi(z) in WEB_BINS bins over [lo, hi]: [-1, 1] for tanh,
   [0, 1] for sigmoid and softmax, else +-R with R = 3 sqrt(E[z^2]) of the
   first layer ([-R/8, R] for ReLU, which has nothing below 0): one range
   for every layer, values beyond it in the end bins, so that a collapse or
   an explosion over depth is visible. */
static void web_fill(web_model *m, const initnn_layer_theory *table, int with_prediction)
{
    const initnn_net *net = m->net;
    int l, k = 0;
    double range = 0.0;
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *layer = &net->layers[l];
        const initnn_layer_theory *t = &table[l];
        double *row = m->table + (size_t)k * COL_COUNT;
        size_t n = (size_t)web.probe_n * (size_t)layer->out, counts[WEB_BINS], i, zeros = 0, saturated = 0;
        double lo, hi;
        if (!t->has_params) continue;
        if (range == 0.0) range = 3.0 * sqrt(t->q_measured > 0 ? t->q_measured : 1.0);
        if (layer->activation == INITNN_ACT_TANH) { lo = -1.0; hi = 1.0; }
        else if (layer->activation == INITNN_ACT_SIGMOID || layer->activation == INITNN_ACT_SOFTMAX) { lo = 0.0; hi = 1.0; }
        else { lo = -range; hi = range; }
        if (layer->activation == INITNN_ACT_RELU) lo = -range / 8;
        if (with_prediction) {
            row[COL_SIGMA_W2] = t->sigma_w2;
            row[COL_SIGMA_B2] = t->sigma_b2;
            row[COL_Q_PRED] = t->q_predicted;
            row[COL_D_PRED] = t->delta_predicted;
            row[COL_CHI] = t->chi;
        }
        row[COL_Q_MEAS] = t->q_measured;
        row[COL_D_MEAS] = t->delta_measured;
        for (i = 0; i < n; i++) {
            float y = layer->y[i];
            zeros += y == 0.0f;
            saturated += (layer->activation == INITNN_ACT_TANH && fabsf(y) > INITNN_SATURATION_THRESHOLD) ||
                         (layer->activation == INITNN_ACT_SIGMOID &&
                          (y > INITNN_SATURATION_THRESHOLD || y < 1.0f - INITNN_SATURATION_THRESHOLD));
        }
        row[COL_ZERO] = (double)zeros / (double)n;
        row[COL_SAT] = (double)saturated / (double)n;
        row[COL_LO] = lo;
        row[COL_HI] = hi;
        initnn_histogram(counts, WEB_BINS, layer->y, n, (float)lo, (float)hi);
        for (i = 0; i < WEB_BINS; i++) m->hist[(size_t)k * WEB_BINS + i] = (double)counts[i] / (double)n;
        k++;
    }
    m->weighted = k;
}

/* The signal-propagation prediction beside the measurement on the probe
   batch (initnn_theory_compare), as initlab --predict makes it. Returns the
   number of weighted layers (rows of web_model_table) or an error. */
WEB_API int web_model_predict(int which)
{
    web_model *m = web_model_of(which);
    initnn_layer_theory *table;
    int err;
    if (!m || !m->net) { snprintf(web.message, sizeof web.message, "no net"); return INITNN_ERR_ARGUMENT; }
    table = (initnn_layer_theory *)malloc((size_t)m->net->layer_count * sizeof *table);
    if (!table) { snprintf(web.message, sizeof web.message, "out of memory"); return INITNN_ERR_MEMORY; }
    err = initnn_theory_compare(m->net, table, web.probe_x, web.probe_labels, NULL, web.probe_n);
    if (err) { free(table); return web_fail(err, "prediction"); }
    web_fill(m, table, 1);
    web_verdict(m, table);
    free(table);
    return m->weighted;
}

/* Measures the trained net on the probe batch again (E[z^2], E[delta^2],
   histograms); the prediction columns keep their values at init. */
WEB_API int web_model_measure(int which)
{
    web_model *m = web_model_of(which);
    initnn_layer_theory *table;
    int err;
    if (!m || !m->net) { snprintf(web.message, sizeof web.message, "no net"); return INITNN_ERR_ARGUMENT; }
    table = (initnn_layer_theory *)malloc((size_t)m->net->layer_count * sizeof *table);
    if (!table) { snprintf(web.message, sizeof web.message, "out of memory"); return INITNN_ERR_MEMORY; }
    err = initnn_theory_compare(m->net, table, web.probe_x, web.probe_labels, NULL, web.probe_n);
    if (err) { free(table); return web_fail(err, "measurement"); }
    web_fill(m, table, 0);
    free(table);
    return m->weighted;
}

WEB_API const double *web_model_table(int which) { web_model *m = web_model_of(which); return m ? m->table : NULL; }
WEB_API const double *web_model_hist(int which) { web_model *m = web_model_of(which); return m ? m->hist : NULL; }
WEB_API const char *web_model_verdict(int which) { web_model *m = web_model_of(which); return m ? m->verdict : ""; }
WEB_API int web_table_columns(void) { return COL_COUNT; }
WEB_API int web_bins(void) { return WEB_BINS; }

/* Up to `steps` training steps, each a batch of the shuffled training set
   (reshuffled every epoch with the model's generator, Fisher-Yates). Returns
   the steps taken, or an error (a NaN or Inf stops training). */
WEB_API int web_model_train(int which, int steps)
{
    web_model *m = web_model_of(which);
    int s, f, i, err;
    if (!m || !m->net) { snprintf(web.message, sizeof web.message, "no net"); return INITNN_ERR_ARGUMENT; }
    f = web.train.features;
    for (s = 0; s < steps; s++) {
        int n = web.train.count, b = m->batch;
        if (m->epoch_pos + b > n) {
            for (i = 0; i < n; i++) m->order[i] = i;
            for (i = n - 1; i > 0; i--) {
                int j = (int)initnn_rng_below(&m->order_rng, (uint32_t)(i + 1)), t = m->order[i];
                m->order[i] = m->order[j];
                m->order[j] = t;
            }
            m->epoch_pos = 0;
        }
        for (i = 0; i < b; i++) {
            int r = m->order[m->epoch_pos + i];
            memcpy(m->X + (size_t)i * (size_t)f, web.train.x + (size_t)r * (size_t)f, (size_t)f * sizeof(float));
            m->labels[i] = web.train.labels[r];
        }
        m->epoch_pos += b;
        err = initnn_net_train_batch(m->net, m->X, m->labels, NULL, b, &m->last_loss, &m->last_grad_norm);
        if (err) return web_fail(err, "training");
        m->steps++;
    }
    return s;
}

WEB_API double web_model_loss(int which) { web_model *m = web_model_of(which); return m ? m->last_loss : NAN; }
WEB_API double web_model_grad_norm(int which) { web_model *m = web_model_of(which); return m ? m->last_grad_norm : NAN; }
WEB_API int web_model_steps(int which) { web_model *m = web_model_of(which); return m ? m->steps : 0; }

/* Loss and accuracy on the test set (the last 30%), evaluation mode. */
WEB_API double web_model_test(int which, int accuracy)
{
    web_model *m = web_model_of(which);
    double loss = NAN, metric = NAN;
    if (!m || !m->net || initnn_net_evaluate(m->net, &loss, &metric, &web.test) != 0) return NAN;
    return accuracy ? metric : loss;
}

/* The decision regions: out gets, for each of n x n points of
   [x0, x1] x [y0, y1] (row by row, y from y1 down), the predicted class plus
   its probability, class + p (so 1.93 is class 1 at 93%). */
WEB_API int web_model_grid(int which, int n, double x0, double x1, double y0, double y1, float *out)
{
    web_model *m = web_model_of(which);
    int total = n * n, done = 0, i;
    if (!m || !m->net || n < 2) return INITNN_ERR_ARGUMENT;
    while (done < total) {
        int b = total - done < m->net->max_batch ? total - done : m->net->max_batch;
        float *X = (float *)malloc((size_t)b * 2 * sizeof(float));
        const float *P;
        if (!X) return INITNN_ERR_MEMORY;
        for (i = 0; i < b; i++) {
            int p = done + i, row = p / n, col = p % n;
            X[2 * i] = (float)(x0 + (x1 - x0) * col / (n - 1));
            X[2 * i + 1] = (float)(y1 - (y1 - y0) * row / (n - 1));
        }
        P = initnn_net_forward(m->net, X, b, 0);
        free(X);
        if (!P) return web_fail(INITNN_ERR_ARGUMENT, "grid");
        for (i = 0; i < b; i++) {
            int c, best = 0;
            for (c = 1; c < m->classes; c++)
                if (P[i * m->classes + c] > P[i * m->classes + best]) best = c;
            out[done + i] = (float)best + P[i * m->classes + best];
        }
        done += b;
    }
    return 0;
}

/* ---- the edge of chaos ------------------------------------------------------- */

/* One row of the phase diagram: chi_1 at the fixed point q* of tanh for nw
   values of sigma_w^2 evenly in [w0, w1], at this sigma_b^2. */
WEB_API int web_phase_row(int nw, double w0, double w1, double sigma_b2, double *out)
{
    int i, err;
    for (i = 0; i < nw; i++) {
        double sw2 = w0 + (w1 - w0) * i / (nw - 1), chi = NAN;
        if ((err = initnn_theory_fixed_point(NULL, NULL, &chi, NULL, NULL, INITNN_ACT_TANH, 0.0f, sw2, sigma_b2)) != 0)
            return web_fail(err, "phase diagram");
        out[i] = chi;
    }
    return 0;
}

/* The critical sigma_w^2 of tanh for each of n values of sigma_b^2 in [b0, b1]. */
WEB_API int web_critical_line(int n, double b0, double b1, double *out)
{
    int j, err;
    for (j = 0; j < n; j++)
        if ((err = initnn_theory_critical_sigma_w2(&out[j], INITNN_ACT_TANH, 0.0f, b0 + (b1 - b0) * j / (n - 1))) != 0)
            return web_fail(err, "critical line");
    return 0;
}

/* ---- the native program ----------------------------------------------------------- */

#ifndef __EMSCRIPTEN__
/* web-native KIND SAMPLES NOISE DATA_SEED DEPTH WIDTH ACTIVATION SPEC SCALE BIAS SEED OPT LR BATCH STEPS
   prints what the page computes for that configuration: the prediction
   table (one line per weighted layer), the verdict, and the loss and
   gradient norm after each training step. tests/web.sh compares them with
   the page's. */
int main(int argc, char **argv)
{
    int which = 0, rows, r, c, steps, s;
    const char *spec;
    char kernel[256];
    if (argc != 16) {
        fprintf(stderr, "usage: %s KIND SAMPLES NOISE DATA_SEED DEPTH WIDTH ACTIVATION SPEC SCALE BIAS SEED OPT LR "
                "BATCH STEPS\n  (KIND 0 moons, 1 circles, 2 spirals; BIAS - for the spec's default; OPT 0 adam, 1 sgd)\n",
                argv[0]);
        return 2;
    }
    if (web_data(atoi(argv[1]), atoi(argv[2]), atof(argv[3]), atoi(argv[4]), 1) != 0) goto fail;
    if (!(spec = web_scaled_spec(argv[8], atof(argv[9])))) goto fail;
    snprintf(kernel, sizeof kernel, "%s", spec);
    if (web_model_create(which, atoi(argv[5]), atoi(argv[6]), argv[7], kernel, strcmp(argv[10], "-") ? argv[10] : "",
                         atoi(argv[11]), atoi(argv[12]), atof(argv[13]), atoi(argv[14])) != 0)
        goto fail;
    if ((rows = web_model_predict(which)) < 0) goto fail;
    printf("spec %s\ninput_second_moment %.17g\n", kernel, web.input_m2);
    for (r = 0; r < rows; r++) {
        printf("layer %d", r + 1);
        for (c = 0; c < COL_COUNT; c++) printf(" %.17g", web.models[which].table[r * COL_COUNT + c]);
        printf("\n");
    }
    printf("verdict %s\n", web.models[which].verdict);
    steps = atoi(argv[15]);
    for (s = 0; s < steps; s++) {
        if (web_model_train(which, 1) != 1) goto fail;
        printf("step %d %.9g %.17g\n", s + 1, web_model_loss(which), web_model_grad_norm(which));
    }
    printf("test_accuracy %.17g\n", web_model_test(which, 1));
    web_model_free(0);
    initnn_data_free(&web.source);
    free(web.probe_x);
    free(web.probe_labels);
    return 0;
fail:
    fprintf(stderr, "%s\n", web.message);
    return 1;
}
#endif
