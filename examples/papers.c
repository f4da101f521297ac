/* papers.c - five figures of the initialization literature, reproduced at
   the scale of a laptop, each one subcommand writing an SVG figure drawn on
   the paper's axes and a summary.md that says in numbers what agrees with
   the paper and what does not.

      papers glorot       Glorot & Bengio (2010), Figs. 6-7: histograms of
                          each layer's activations and back-propagated
                          gradients at initialization, 5 tanh layers,
                          "standard" U(+-1/sqrt(n)) against "normalized"
                          (Glorot) init.
      papers saxe         Saxe, McClelland & Ganguli (2014): deep linear
                          nets, orthogonal against scaled Gaussian init,
                          epochs to a fixed training loss as depth grows.
      papers phase-cell   Schoenholz et al. (2017): one cell (depth,
                          sigma_w^2) of the trainability phase diagram, tanh
                          on MNIST, accuracy after a fixed number of steps.
      papers phase-plot   the heat map of the cells with 6 xi_c drawn over
                          it, and per depth the sigma_w^2 range that trained
                          beside the range 6 xi_c >= depth predicts.
      papers pennington   Pennington, Schoenholz & Ganguli (2017): 100-200
                          layers, orthogonal tanh at the critical point
                          against Gaussian tanh and ReLU: learning curves
                          beside the singular values of the input-output
                          Jacobian at initialization.
      papers lsuv         Mishkin & Matas (2016): each layer's variance
                          before and after LSUV, and its training curve
                          beside orthogonal and He init on a deep ReLU net.

   `papers COMMAND --help` lists a command's options; the Makefile's
   exp-paper-* recipes run them (QUICK=1 for a run of a few minutes).
   Everything trains with seeds 1..N; the same command gives the same
   numbers (but for the seconds). Only the public API of initnn.h is used.

   Build: cc -O2 -I. examples/papers.c -o papers -lm   (the recipes add
   -O3 -march=native -fopenmp). */

#define _POSIX_C_SOURCE 200809L
#define INITNN_IMPLEMENTATION
#include "../initnn.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#if defined(__SSE__) || defined(_M_X64)
#include <xmmintrin.h>
#define PAPERS_FLUSH_DENORMALS() _mm_setcsr(_mm_getcsr() | 0x8040)   /* FTZ and DAZ */
#else
#define PAPERS_FLUSH_DENORMALS() ((void)0)
#endif

/* ---- small helpers -------------------------------------------------------------------- */

static void fatal(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "papers: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n");
    exit(1);
}

static void usage_error(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "papers: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (papers COMMAND --help)\n");
    exit(2);
}

static void *xalloc(size_t bytes)
{
    void *p = calloc(1, bytes ? bytes : 1);
    if (!p) fatal("out of memory (%zu bytes)", bytes);
    return p;
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* mkdir -p */
static void make_dirs(const char *path)
{
    char buf[1024];
    size_t i, n = strlen(path);
    if (n == 0 || n >= sizeof buf) fatal("bad folder name '%s'", path);
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST) fatal("%s: cannot create the folder: %s", buf, strerror(errno));
            buf[i] = c;
        }
    }
}

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = (char *)xalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

static FILE *open_out(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) fatal("%s: cannot write: %s", path, strerror(errno));
    return f;
}

static void close_out(FILE *f, const char *path)
{
    if (ferror(f) | fclose(f)) fatal("%s: write failed", path);
}

static void mean_std(const double *v, int n, double *mean, double *std)
{
    double m = 0.0, s = 0.0;
    int i;
    for (i = 0; i < n; i++) m += v[i];
    m /= n > 0 ? n : 1;
    for (i = 0; i < n; i++) s += (v[i] - m) * (v[i] - m);
    *mean = m;
    *std = n > 1 ? sqrt(s / (n - 1)) : 0.0;
}

/* Whether two means over n seeds each differ by more than the seeds' own
   spread, 2 sqrt(s1^2/n + s2^2/n) (the lab's rule). */
static int apart(double m1, double s1, double m2, double s2, int n)
{
    double t = 2.0 * sqrt((s1 * s1 + s2 * s2) / (n > 0 ? n : 1));
    return fabs(m1 - m2) > t;
}

/* The sentence for two means over n seeds each. */
static const char *verdict(double m1, double s1, double m2, double s2, int n)
{
    if (n < 2) return "one seed, so no spread to compare with";
    if (!apart(m1, s1, m2, s2, n)) return "within the seeds' spread";
    return m1 > m2 ? "ahead by more than the seeds' spread" : "behind by more than the seeds' spread";
}

/* "1,2,4" -> values; returns the count. */
static int parse_list(const char *text, double *values, int max, const char *flag)
{
    int n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !isfinite(v)) usage_error("%s: '%s' is not a list of numbers", flag, text);
        if (n == max) usage_error("%s: more than %d values", flag, max);
        values[n++] = v;
        p = end;
        if (*p == ',') p++;
        else if (*p) usage_error("%s: '%s' is not a comma-separated list", flag, text);
    }
    if (n == 0) usage_error("%s: empty list", flag);
    return n;
}

/* ---- options ---------------------------------------------------------------------------- */

#define MAX_LIST 64

typedef struct options {
    const char *command;
    const char *data_dir;     /* the MNIST IDX files                            */
    const char *out;          /* folder (or, for phase-cell, the CSV file)      */
    const char *cells;        /* phase-plot: the folder of cell files           */
    const char *opt;          /* sgd (with --momentum), rmsprop or adam         */
    int seeds;
    int width, depth, batch, steps, epochs, bins;
    int train_limit, test_limit, eval_every;
    double lr, momentum, sigma_w2, sigma_b2, threshold;
    double depths[MAX_LIST];
    int depth_count;
    double sw2s[MAX_LIST];
    int sw2_count;
    double lrs[MAX_LIST];
    int lr_count;
} options;

static const char *usage_text =
    "usage: papers COMMAND [options]\n"
    "commands:\n"
    "  glorot       Glorot & Bengio (2010) Figs. 6-7: per-layer histograms at init\n"
    "  saxe         Saxe et al. (2014): deep linear nets, epochs to a training loss vs depth\n"
    "  phase-cell   Schoenholz et al. (2017): one (depth, sigma_w^2) cell of the phase diagram\n"
    "  phase-plot   the phase diagram's heat map and summary from the cells\n"
    "  pennington   Pennington et al. (2017): learning curves and Jacobian spectra at depth\n"
    "  lsuv         Mishkin & Matas (2016): per-layer variance before/after LSUV, training\n"
    "options (each command uses those that apply; defaults in brackets are glorot's):\n"
    "  --data DIR          MNIST IDX files [data/mnist]\n"
    "  --out DIR           output folder (phase-cell: the cell's CSV file)\n"
    "  --cells DIR         phase-plot: folder of the cell files\n"
    "  --seeds N           seeds 1..N [3]\n"
    "  --width N           units per hidden layer\n"
    "  --depth N           hidden layers (phase-cell, pennington, lsuv)\n"
    "  --depths LIST       saxe, phase-plot: depths, e.g. 1,2,4,8\n"
    "  --sw2 X / LIST      phase-cell: sigma_w^2; phase-plot: the grid's sigma_w^2 values\n"
    "  --sb2 X             sigma_b^2 (phase: 0.05)\n"
    "  --lr X / --lrs LIST learning rate (saxe: the rates tried per depth)\n"
    "  --opt sgd|rmsprop|adam  the optimizer (phase-cell, pennington, lsuv)\n"
    "  --momentum X        SGD momentum\n"
    "  --batch N --steps N --epochs N --eval-every N\n"
    "  --train-limit N --test-limit N   first N images of each set\n"
    "  --threshold X       saxe: the training loss to reach; phase-plot: accuracy that counts as trained\n"
    "  --bins N            glorot: histogram bins\n";

static void parse_args(options *o, int argc, char **argv)
{
    int i;
    memset(o, 0, sizeof *o);
    o->data_dir = "data/mnist";
    o->seeds = 3;
    o->sigma_w2 = NAN;
    o->sigma_b2 = NAN;
    o->lr = NAN;
    o->momentum = NAN;
    o->threshold = NAN;
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(usage_text, argc < 2 ? stderr : stdout);
        exit(argc < 2 ? 2 : 0);
    }
    o->command = argv[1];
    for (i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end = NULL;
#define INT_OPT(name, field)                                                                   \
        if (!strcmp(a, name)) {                                                                \
            long x;                                                                            \
            if (!v) usage_error("%s needs a value", a);                                        \
            x = strtol(v, &end, 10);                                                           \
            if (*end || x < 1 || x > 100000000) usage_error("%s: '%s' is not a count >= 1", a, v); \
            o->field = (int)x;                                                                 \
            i++;                                                                               \
            continue;                                                                          \
        }
#define DBL_OPT(name, field)                                                                   \
        if (!strcmp(a, name)) {                                                                \
            if (!v) usage_error("%s needs a value", a);                                        \
            o->field = strtod(v, &end);                                                        \
            if (*end || !isfinite(o->field) || o->field < 0) usage_error("%s: '%s' is not a number >= 0", a, v); \
            i++;                                                                               \
            continue;                                                                          \
        }
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage_text, stdout);
            exit(0);
        }
        if (!strcmp(a, "--opt")) {
            if (!v || (strcmp(v, "sgd") && strcmp(v, "rmsprop") && strcmp(v, "adam"))) usage_error("--opt: sgd, rmsprop or adam");
            o->opt = v;
            i++;
            continue;
        }
        if (!strcmp(a, "--data") || !strcmp(a, "--out") || !strcmp(a, "--cells")) {
            if (!v) usage_error("%s needs a value", a);
            if (a[2] == 'd') o->data_dir = v;
            else if (a[2] == 'o') o->out = v;
            else o->cells = v;
            i++;
            continue;
        }
        if (!strcmp(a, "--depths")) {
            if (!v) usage_error("%s needs a value", a);
            o->depth_count = parse_list(v, o->depths, MAX_LIST, a);
            i++;
            continue;
        }
        if (!strcmp(a, "--lrs")) {
            if (!v) usage_error("%s needs a value", a);
            o->lr_count = parse_list(v, o->lrs, MAX_LIST, a);
            i++;
            continue;
        }
        if (!strcmp(a, "--sw2")) {
            if (!v) usage_error("%s needs a value", a);
            o->sw2_count = parse_list(v, o->sw2s, MAX_LIST, a);
            o->sigma_w2 = o->sw2s[0];
            i++;
            continue;
        }
        INT_OPT("--seeds", seeds)
        INT_OPT("--width", width)
        INT_OPT("--depth", depth)
        INT_OPT("--batch", batch)
        INT_OPT("--steps", steps)
        INT_OPT("--epochs", epochs)
        INT_OPT("--bins", bins)
        INT_OPT("--train-limit", train_limit)
        INT_OPT("--test-limit", test_limit)
        INT_OPT("--eval-every", eval_every)
        DBL_OPT("--lr", lr)
        DBL_OPT("--momentum", momentum)
        DBL_OPT("--sb2", sigma_b2)
        DBL_OPT("--threshold", threshold)
#undef INT_OPT
#undef DBL_OPT
        usage_error("unknown option '%s'", a);
    }
    if (!o->out) usage_error("%s: --out is required", o->command);
}

/* Fills the options a command leaves unset with its defaults. */
#define DEFAULT_INT(field, value) do { if (o->field == 0) o->field = (value); } while (0)
#define DEFAULT_DBL(field, value) do { if (isnan(o->field)) o->field = (value); } while (0)

/* ---- data ------------------------------------------------------------------------------ */

typedef struct mnist {
    initnn_data train_all, test_all;   /* as loaded                     */
    initnn_data train, test;           /* views of the first N images   */
    float *x_train, *x_test;           /* standardize_mnist's copies    */
} mnist;

static void load_mnist(mnist *m, const options *o, int default_train, int default_test)
{
    char *a = path_join(o->data_dir, "train-images-idx3-ubyte");
    char *b = path_join(o->data_dir, "train-labels-idx1-ubyte");
    char *c = path_join(o->data_dir, "t10k-images-idx3-ubyte");
    char *d = path_join(o->data_dir, "t10k-labels-idx1-ubyte");
    int train_n = o->train_limit ? o->train_limit : default_train;
    int test_n = o->test_limit ? o->test_limit : default_test;
    memset(m, 0, sizeof *m);
    if (initnn_load_idx(&m->train_all, a, b) != 0 || initnn_load_idx(&m->test_all, c, d) != 0)
        fatal("%s (make data-mnist fetches MNIST)", initnn_last_error());
    free(a); free(b); free(c); free(d);
    m->train = m->train_all;
    m->train.storage = NULL;
    if (m->train.count > train_n) m->train.count = train_n;
    m->test = m->test_all;
    m->test.storage = NULL;
    if (m->test.count > test_n) m->test.count = test_n;
    m->train.classes = m->test.classes = 10;
}

/* Replaces the views by float copies with every pixel centred on its mean
   over the training view and scaled by the pixels' overall std there, so
   that E[x^2] = 1 per feature on average and two images are far less
   correlated than raw MNIST's (mean pixel 0.13): the signal-propagation
   theory takes inputs of second moment q and correlation below 1. */
static void standardize_mnist(mnist *m)
{
    initnn_data *sets[2];
    double *mean = (double *)xalloc(784 * sizeof(double)), var = 0.0;
    float *x[2];
    int k, i, j;
    sets[0] = &m->train;
    sets[1] = &m->test;
    for (i = 0; i < m->train.count; i++)
        for (j = 0; j < 784; j++) mean[j] += m->train.x_u8[(size_t)i * 784 + j] / 255.0;
    for (j = 0; j < 784; j++) mean[j] /= m->train.count;
    for (i = 0; i < m->train.count; i++)
        for (j = 0; j < 784; j++) {
            double d = m->train.x_u8[(size_t)i * 784 + j] / 255.0 - mean[j];
            var += d * d;
        }
    var /= (double)m->train.count * 784;
    for (k = 0; k < 2; k++) {
        x[k] = (float *)xalloc((size_t)sets[k]->count * 784 * sizeof(float));
        for (i = 0; i < sets[k]->count; i++)
            for (j = 0; j < 784; j++)
                x[k][(size_t)i * 784 + j] = (float)((sets[k]->x_u8[(size_t)i * 784 + j] / 255.0 - mean[j]) / sqrt(var));
        sets[k]->x = x[k];
        sets[k]->x_u8 = NULL;
    }
    m->x_train = x[0];
    m->x_test = x[1];
    free(mean);
}

static void free_mnist(mnist *m)
{
    free(m->x_train);
    free(m->x_test);
    initnn_data_free(&m->train_all);
    initnn_data_free(&m->test_all);
}

/* Draws batches without replacement, reshuffled at the end of each pass,
   from its own generator (so the batch order is the seed's, whatever the
   net). */
typedef struct sampler {
    const initnn_data *data;
    int *order;
    int pos;
    initnn_rng rng;
} sampler;

static void sampler_shuffle(sampler *s)
{
    int i;
    for (i = s->data->count - 1; i > 0; i--) {
        int j = (int)initnn_rng_below(&s->rng, (uint32_t)(i + 1));
        int t = s->order[i];
        s->order[i] = s->order[j];
        s->order[j] = t;
    }
    s->pos = 0;
}

static void sampler_init(sampler *s, const initnn_data *data, uint64_t seed)
{
    int i;
    s->data = data;
    s->order = (int *)xalloc((size_t)data->count * sizeof(int));
    for (i = 0; i < data->count; i++) s->order[i] = i;
    initnn_rng_seed_stream(&s->rng, seed, 1001);
    sampler_shuffle(s);
}

static void sampler_next(sampler *s, int batch, float *X, int *labels, float *targets)
{
    if (s->pos + batch > s->data->count) sampler_shuffle(s);
    initnn_data_batch(X, labels, targets, s->data, s->order, s->pos, batch);
    s->pos += batch;
}

/* Accuracy (or loss) on a set, in evaluation mode. */
static void evaluate(initnn_net *net, const initnn_data *data, double *loss, double *accuracy)
{
    double l = NAN, a = NAN;
    if (initnn_net_evaluate(net, &l, &a, data) != 0) fatal("evaluate: %s", initnn_last_error());
    if (loss) *loss = l;
    if (accuracy) *accuracy = a;
}

/* The optimizer the options ask for. */
static initnn_optimizer make_optimizer(const options *o)
{
    if (o->opt && !strcmp(o->opt, "rmsprop")) return initnn_rmsprop((float)o->lr);
    if (o->opt && !strcmp(o->opt, "adam")) return initnn_adam((float)o->lr);
    return initnn_sgd((float)o->lr, (float)o->momentum, 0);
}

static const char *optimizer_text(const options *o, char *buf, size_t n)
{
    if (o->opt && strcmp(o->opt, "sgd")) snprintf(buf, n, "%s (learning rate %g)", !strcmp(o->opt, "adam") ? "Adam" : "RMSProp", o->lr);
    else snprintf(buf, n, "SGD (learning rate %g, momentum %g)", o->lr, o->momentum);
    return buf;
}

static char *spec_buf(char *buf, size_t n, const char *fmt, double x)
{
    snprintf(buf, n, fmt, x);
    return buf;
}

/* The bias spec of a bias variance sigma_b^2: N(0, sigma_b^2), or zeros. */
static const char *bias_spec(char *buf, size_t n, double sigma_b2)
{
    if (sigma_b2 <= 0.0) return spec_buf(buf, n, "zeros%.0s", 0.0);
    return spec_buf(buf, n, "random_normal:%.9g", sqrt(sigma_b2));
}

/* An MLP: `hidden` layers of `width` with the activation and kernel spec,
   then a 10-way softmax layer with out_kernel (NULL: the same spec). */
static initnn_net *build_mlp(int input_dim, int width, int hidden, const char *activation, const char *kernel,
                             const char *bias, const char *out_kernel, int max_batch, uint64_t seed)
{
    initnn_net *net = NULL;
    int l;
    if (initnn_net_create(&net, input_dim, max_batch, seed) != 0) fatal("%s", initnn_last_error());
    for (l = 0; l < hidden; l++)
        if (initnn_net_add_dense(net, width, activation, kernel, bias) != 0) fatal("%s", initnn_last_error());
    if (initnn_net_add_dense(net, 10, "softmax", out_kernel ? out_kernel : kernel, bias) != 0)
        fatal("%s", initnn_last_error());
    return net;
}

/* ---- SVG: several charts in one figure, and a heat map --------------------------------- */

#define PANEL_W 640
#define PANEL_H 400

/* Writes an SVG that places the panel files (each PANEL_W x PANEL_H, as
   written by initnn_plot_svg) in a grid of `columns`, under a title. Each
   panel is nested as an <svg> element at its place. */
static void compose_svg(const char *path, const char *title, char **panels, int count, int columns)
{
    int rows = (count + columns - 1) / columns, i;
    int top = title ? 34 : 0;
    int width = columns * PANEL_W, height = top + rows * PANEL_H;
    FILE *f = open_out(path);
    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
               "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
               "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n"
               "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
            width, height, width, height, width, height);
    if (title)
        fprintf(f, "<text x=\"%d\" y=\"24\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">%s</text>\n",
                width / 2, title);
    for (i = 0; i < count; i++) {
        FILE *in = fopen(panels[i], "rb");
        char *text, *start;
        long n;
        if (!in) fatal("%s: cannot read: %s", panels[i], strerror(errno));
        if (fseek(in, 0, SEEK_END) != 0 || (n = ftell(in)) < 0 || fseek(in, 0, SEEK_SET) != 0)
            fatal("%s: cannot read", panels[i]);
        text = (char *)xalloc((size_t)n + 1);
        if (fread(text, 1, (size_t)n, in) != (size_t)n) fatal("%s: short read", panels[i]);
        fclose(in);
        text[n] = '\0';
        start = strstr(text, "<svg ");
        if (!start) fatal("%s: not an SVG", panels[i]);
        /* <svg x=".." y=".." + the rest of the panel's root element */
        fprintf(f, "<svg x=\"%d\" y=\"%d\" %s", (i % columns) * PANEL_W, top + (i / columns) * PANEL_H, start + 5);
        free(text);
    }
    fprintf(f, "</svg>\n");
    close_out(f, path);
}

/* One chart as a panel file (PANEL_W x PANEL_H). */
static void panel(const char *path, const char *title, const char *x_label, const char *y_label, int log_y,
                  int markers, const initnn_plot_series *series, const initnn_plot_style *styles, int count)
{
    initnn_plot plot;
    memset(&plot, 0, sizeof plot);
    plot.title = title;
    plot.x_label = x_label;
    plot.y_label = y_label;
    plot.log_y = log_y;
    plot.width = PANEL_W;
    plot.height = PANEL_H;
    plot.markers = markers;
    if (initnn_plot_svg_styled(path, &plot, series, styles, count) != 0) fatal("%s", initnn_last_error());
}

/* A colour for v in [0, 1]: the viridis map, by linear interpolation
   between 9 of its stops. */
static void viridis(double v, int *r, int *g, int *b)
{
    static const int stops[9][3] = {{68, 1, 84},    {71, 44, 122},  {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
                                    {39, 173, 129}, {92, 200, 99},  {170, 220, 50}, {253, 231, 37}};
    double t;
    int i;
    if (!(v > 0.0)) v = 0.0;
    if (v > 1.0) v = 1.0;
    t = v * 8.0;
    i = (int)t;
    if (i >= 8) i = 7;
    t -= i;
    *r = (int)lround(stops[i][0] + t * (stops[i + 1][0] - stops[i][0]));
    *g = (int)lround(stops[i][1] + t * (stops[i + 1][1] - stops[i][1]));
    *b = (int)lround(stops[i][2] + t * (stops[i + 1][2] - stops[i][2]));
}

/* ---- 1. Glorot & Bengio (2010), Figs. 6-7 ------------------------------------------------- */

#define GLOROT_LAYERS_MAX 16

static int cmd_glorot(options *o)
{
    /* "standard": U(-1/sqrt(n), 1/sqrt(n)), n = fan_in, the paper's eq. 1,
       which is PyTorch's default kernel (torch_default); "normalized":
       U(+-sqrt(6/(n_in + n_out))), eq. 16, glorot_uniform. Zero biases. */
    static const char *inits[2] = {"torch_default", "glorot_uniform"};
    static const char *names[2] = {"standard init U(-1/sqrt(n), 1/sqrt(n))", "normalized init (Glorot)"};
    static const char *short_names[2] = {"standard", "normalized"};
    mnist m;
    int L, W, B, bins, S, i, l, s, k;
    double act_std[2][GLOROT_LAYERS_MAX][64], grad_std[2][GLOROT_LAYERS_MAX][64];
    double act_peak[2][GLOROT_LAYERS_MAX][64];
    double delta_pred[2][GLOROT_LAYERS_MAX], delta_meas[2][GLOROT_LAYERS_MAX];
    double *hist_act, *hist_grad, *centers_act, *centers_grad, grad_range = 0.0;
    float *X;
    int *labels;
    double t0 = now_seconds();
    char *p;
    FILE *f;

    DEFAULT_INT(depth, 5);
    DEFAULT_INT(width, 1000);
    DEFAULT_INT(batch, 1000);
    DEFAULT_INT(bins, 60);
    L = o->depth;
    W = o->width;
    B = o->batch;
    bins = o->bins;
    S = o->seeds;
    if (L > GLOROT_LAYERS_MAX) usage_error("glorot: --depth at most %d", GLOROT_LAYERS_MAX);
    if (S > 64) usage_error("glorot: --seeds at most 64");
    load_mnist(&m, o, B, 1);
    if (m.train.count < B) B = m.train.count;
    X = (float *)xalloc((size_t)B * 784 * sizeof(float));
    labels = (int *)xalloc((size_t)B * sizeof(int));
    initnn_data_batch(X, labels, NULL, &m.train, NULL, 0, B);
    hist_act = (double *)xalloc(sizeof(double) * 2 * (size_t)L * (size_t)bins);
    hist_grad = (double *)xalloc(sizeof(double) * 2 * (size_t)L * (size_t)bins);
    centers_act = (double *)xalloc(sizeof(double) * (size_t)bins);
    centers_grad = (double *)xalloc(sizeof(double) * (size_t)bins);
    make_dirs(o->out);

    /* Two passes: the first measures every layer's spread (the gradients'
       histogram range is common to both inits and all layers, as the
       paper's panels share their x axis), the second counts. The
       back-propagated gradient is dCost/dz of one example: the net's dz
       (the batch mean's gradient) times B. */
    for (k = 0; k < 2; k++) {
        for (i = 0; i < 2; i++) {
            for (s = 0; s < S; s++) {
                initnn_net *net = build_mlp(784, W, L, "tanh", inits[i], "zeros", NULL, B, (uint64_t)(s + 1));
                float loss;
                if (!initnn_net_forward(net, X, B, 0) || initnn_net_backward(net, labels, NULL, &loss) != 0)
                    fatal("glorot: %s", initnn_last_error());
                for (l = 0; l < L; l++) {
                    const initnn_layer *layer = &net->layers[l];
                    size_t n = (size_t)B * (size_t)W, j;
                    if (k == 0) {
                        size_t central = 0;
                        float *g = (float *)xalloc(n * sizeof(float));
                        for (j = 0; j < n; j++) g[j] = layer->dz[j] * (float)B;
                        act_std[i][l][s] = sqrt(initnn_variance(layer->y, n));
                        grad_std[i][l][s] = sqrt(initnn_variance(g, n));
                        for (j = 0; j < n; j++) central += fabsf(layer->y[j]) < 0.05f;
                        act_peak[i][l][s] = (double)central / (double)n;
                        if (grad_std[i][l][s] > grad_range) grad_range = grad_std[i][l][s];
                        free(g);
                    } else {
                        size_t *counts = (size_t *)xalloc(sizeof(size_t) * (size_t)bins);
                        float *g = (float *)xalloc(n * sizeof(float));
                        int bin;
                        for (j = 0; j < n; j++) g[j] = layer->dz[j] * (float)B;
                        initnn_histogram(counts, bins, layer->y, n, -1.0f, 1.0f);
                        for (bin = 0; bin < bins; bin++)
                            hist_act[((size_t)i * L + l) * bins + bin] += (double)counts[bin] / (double)n / S;
                        initnn_histogram(counts, bins, g, n, (float)-grad_range, (float)grad_range);
                        for (bin = 0; bin < bins; bin++)
                            hist_grad[((size_t)i * L + l) * bins + bin] += (double)counts[bin] / (double)n / S;
                        free(counts);
                        free(g);
                    }
                }
                if (k == 0 && s == 0) {
                    /* The mean-field prediction of E[delta^2] per layer
                       (section 10), anchored at the measured output. */
                    initnn_layer_theory table[GLOROT_LAYERS_MAX + 1];
                    if (initnn_theory_compare(net, table, X, labels, NULL, B) != 0) fatal("glorot: %s", initnn_last_error());
                    for (l = 0; l < L; l++) {
                        delta_pred[i][l] = table[l].delta_predicted;
                        delta_meas[i][l] = table[l].delta_measured;
                    }
                }
                initnn_net_free(net);
            }
        }
        if (k == 0) grad_range *= 3.5;   /* +- 3.5 of the widest layer's std */
    }
    for (i = 0; i < bins; i++) {
        centers_act[i] = -1.0 + (i + 0.5) * 2.0 / bins;
        centers_grad[i] = -grad_range + (i + 0.5) * 2.0 * grad_range / bins;
    }

    /* The figures: Fig. 6 (activations) and Fig. 7 (gradients), each the
       standard init above the normalized one, one curve per layer. */
    {
        char *files[4];
        char label[GLOROT_LAYERS_MAX][32], title[160];
        initnn_plot_series series[GLOROT_LAYERS_MAX];
        for (k = 0; k < 2; k++) {
            for (i = 0; i < 2; i++) {
                char name[64];
                for (l = 0; l < L; l++) {
                    snprintf(label[l], sizeof label[l], "Layer %d", l + 1);
                    series[l].label = label[l];
                    series[l].x = k == 0 ? centers_act : centers_grad;
                    series[l].y = (k == 0 ? hist_act : hist_grad) + ((size_t)i * L + l) * bins;
                    series[l].y_low = series[l].y_high = NULL;
                    series[l].n = bins;
                }
                snprintf(name, sizeof name, "%s_%s.svg", k == 0 ? "activations" : "gradients", short_names[i]);
                files[i] = path_join(o->out, name);
                snprintf(title, sizeof title, "%s, %s", k == 0 ? "Activations" : "Gradients", names[i]);
                panel(files[i], title, k == 0 ? "activation value tanh(z)" : "back-propagated gradient dCost/dz (one example)",
                      "fraction of units", 0, 0, series, NULL, L);
            }
            p = path_join(o->out, k == 0 ? "fig6_activations.svg" : "fig7_gradients.svg");
            compose_svg(p, k == 0 ? "Glorot &amp; Bengio (2010), Fig. 6: activations at init"
                                  : "Glorot &amp; Bengio (2010), Fig. 7: gradients at init",
                        files, 2, 1);
            free(p);
            free(files[0]);
            free(files[1]);
        }
    }

    /* The summary. */
    p = path_join(o->out, "summary.md");
    f = open_out(p);
    fprintf(f, "# Glorot & Bengio (2010), Figs. 6-7, at initialization\n\n");
    fprintf(f, "Net: 784 inputs (MNIST, pixels in [0, 1]), %d tanh layers of %d units, a 10-way softmax; zero biases. "
               "One batch of the first %d training images, seeds 1..%d (mean ± std over the seeds). "
               "Standard init is U(-1/sqrt(n), 1/sqrt(n)), n = fan_in (Var = 1/(3n), the paper's eq. 1); "
               "normalized is U(±sqrt(6/(n_in + n_out))) (eq. 16). Figures: `fig6_activations.svg`, `fig7_gradients.svg` "
               "(the paper's axes: value against the fraction of units in each of %d bins, one curve per layer). "
               "The paper used Shapeset-3x2 inputs and 1000-unit layers; the input here is MNIST.\n\n",
            L, W, B, S, bins);
    fprintf(f, "| init | layer | std of tanh(z) | fraction with abs(tanh(z)) < 0.05 | std of dCost/dz | E[delta^2] predicted / measured (seed 1) |\n|---|---|---|---|---|---|\n");
    for (i = 0; i < 2; i++)
        for (l = 0; l < L; l++) {
            double am, as, gm, gs, pm, ps;
            mean_std(act_std[i][l], S, &am, &as);
            mean_std(grad_std[i][l], S, &gm, &gs);
            mean_std(act_peak[i][l], S, &pm, &ps);
            fprintf(f, "| %s | %d | %.4f ± %.4f | %.3f ± %.3f | %.3e ± %.1e | %.3e / %.3e |\n", short_names[i], l + 1, am, as,
                    pm, ps, gm, gs, delta_pred[i][l], delta_meas[i][l]);
        }
    fprintf(f, "\n## Against the paper\n\n");
    {
        double a1[2], aL[2], g1[2], gL[2], sd;
        for (i = 0; i < 2; i++) {
            mean_std(act_std[i][0], S, &a1[i], &sd);
            mean_std(act_std[i][L - 1], S, &aL[i], &sd);
            mean_std(grad_std[i][0], S, &g1[i], &sd);
            mean_std(grad_std[i][L - 1], S, &gL[i], &sd);
        }
        /* Per-layer factors: the geometric mean of the ratio from one
           layer to the next (activations upward, gradients downward). */
        double fa[2], fg[2], peak1, peakL;
        mean_std(act_peak[0][0], S, &peak1, &sd);
        mean_std(act_peak[0][L - 1], S, &peakL, &sd);
        for (i = 0; i < 2; i++) {
            fa[i] = L > 1 ? pow(aL[i] / a1[i], 1.0 / (L - 1)) : 1.0;
            fg[i] = L > 1 ? pow(g1[i] / gL[i], 1.0 / (L - 1)) : 1.0;
        }
        fprintf(f, "The paper's analysis (its eqs. 5-14): each layer multiplies the variance of the activations on the way "
                   "up, and of the back-propagated gradients on the way down, by n Var(W) = 1/3 with the standard init "
                   "(in tanh's linear regime), so the activations shrink toward the output and the gradients shrink "
                   "toward the input; the normalized init makes that factor 1, and the histograms of all layers look "
                   "alike (its Figs. 6-7, bottom).\n\n");
        fprintf(f, "- Fig. 6, activations, standard init: the std of layer %d is %.3f x layer 1's, a factor %.3f per layer "
                   "(sqrt(1/3) = 0.577 in the linear regime); the fraction of units with abs(tanh(z)) < 0.05 (the peak at 0) "
                   "grows from %.3f to %.3f. %s\n",
                L, aL[0] / a1[0], fa[0], peak1, peakL,
                fa[0] < 0.75 ? "Agrees." : "Does not agree.");
        fprintf(f, "- Fig. 6, normalized init: a factor %.3f per layer (layer %d / layer 1 = %.3f): %s\n", fa[1], L,
                aL[1] / a1[1],
                fa[1] > 0.85 ? "close to level, as in the paper; the few percent lost per layer are tanh's own (tanh(z)^2 < z^2 "
                               "away from 0), which the paper's linear analysis leaves out."
                             : "not level: does not agree.");
        fprintf(f, "- Fig. 7, back-propagated gradients, standard init: the std of layer 1 is %.3f x layer %d's, a factor %.3f "
                   "per layer going down. %s Normalized init: a factor %.3f per layer (%s).\n",
                g1[0] / gL[0], L, fg[0], fg[0] < 0.75 ? "Agrees: they shrink toward the input." : "Does not agree.", fg[1],
                fg[1] > 0.85 ? "close to level: agrees" : "not level: does not agree");
        {
            double worst = 0.0;
            for (i = 0; i < 2; i++)
                for (l = 0; l < L; l++) {
                    double r = fabs(delta_pred[i][l] / delta_meas[i][l] - 1.0);
                    if (r > worst) worst = r;
                }
            fprintf(f, "- The mean-field prediction of E[delta^2] per layer (section 10 of the header, last column) is "
                       "within %.1f%% of the measurement at every layer, for both inits (seed 1).\n", 100.0 * worst);
        }
    }
    fprintf(f, "\nTime: %.1f s.\n", now_seconds() - t0);
    close_out(f, p);
    printf("glorot: %s/summary.md, %s/fig6_activations.svg, %s/fig7_gradients.svg\n", o->out, o->out, o->out);
    free(p);
    free(X); free(labels); free(hist_act); free(hist_grad); free(centers_act); free(centers_grad);
    free_mnist(&m);
    return 0;
}

/* ---- 2. Saxe, McClelland & Ganguli (2014): deep linear nets ------------------------------ */

/* One run: a linear net of `depth` weight layers (784 -> width -> ... ->
   10, no nonlinearity, zero biases) trained by SGD on the squared error to
   the one-hot labels, until the loss on the whole training set is at most
   the threshold. Returns the epochs that took (measured every
   eval_fraction of an epoch), or +Inf when max_epochs passed first or the
   run diverged. */
static double saxe_run(const initnn_data *train, int depth, int width, const char *kernel, double lr, int batch,
                       double threshold, double max_epochs, int evals_per_epoch, uint64_t seed, float *X,
                       float *targets)
{
    initnn_net *net = NULL;
    initnn_optimizer opt = initnn_sgd((float)lr, 0.0f, 0);
    sampler smp;
    int steps_per_epoch = train->count / batch, l, step, total;
    double result = INFINITY;
    if (steps_per_epoch < 1) steps_per_epoch = 1;
    if (initnn_net_create(&net, 784, batch > 1024 ? batch : 1024, seed) != 0) fatal("%s", initnn_last_error());
    for (l = 0; l < depth; l++)
        if (initnn_net_add_dense(net, l == depth - 1 ? 10 : width, "identity", kernel, "zeros") != 0)
            fatal("%s", initnn_last_error());
    if (initnn_net_set_loss(net, INITNN_LOSS_MSE) != 0 || initnn_net_set_optimizer(net, &opt) != 0)
        fatal("%s", initnn_last_error());
    sampler_init(&smp, train, seed);
    total = (int)ceil(max_epochs * steps_per_epoch);
    for (step = 1; step <= total; step++) {
        float loss;
        sampler_next(&smp, batch, X, NULL, targets);
        if (initnn_net_train_batch(net, X, NULL, targets, batch, &loss, NULL) != 0) break;   /* diverged */
        if (step % (steps_per_epoch / evals_per_epoch > 0 ? steps_per_epoch / evals_per_epoch : 1) == 0 ||
            step == total) {
            double full;
            evaluate(net, train, &full, NULL);
            if (!isfinite(full) || full > 1e6) break;
            if (full <= threshold) {
                result = (double)step / steps_per_epoch;
                break;
            }
        }
    }
    free(smp.order);
    initnn_net_free(net);
    return result;
}

static int cmd_saxe(options *o)
{
    static const char *inits[2] = {"orthogonal", "variance_scaling:1,fan_in,normal"};
    static const char *names[2] = {"orthogonal", "scaled Gaussian"};   /* N(0, 1/fan_in) */
    mnist m;
    initnn_data train;
    float *onehot, *X, *targets;
    double epochs[2][MAX_LIST][64], best_lr[2][MAX_LIST][64];
    double t0 = now_seconds();
    int d, i, s, r, S;
    char *p;
    FILE *f, *csv;

    DEFAULT_INT(width, 64);
    DEFAULT_INT(batch, 20);
    DEFAULT_INT(epochs, 30);
    DEFAULT_DBL(threshold, 0.045);
    if (o->depth_count == 0) o->depth_count = parse_list("1,2,4,8,16,32", o->depths, MAX_LIST, "--depths");
    if (o->lr_count == 0) o->lr_count = parse_list("0.3,0.1,0.03", o->lrs, MAX_LIST, "--lrs");
    S = o->seeds;
    if (S > 64) usage_error("saxe: --seeds at most 64");
    for (d = 0; d < o->depth_count; d++)
        if (o->depths[d] < 1 || o->depths[d] > 200 || o->depths[d] != floor(o->depths[d]))
            usage_error("saxe: a depth is a whole number of layers in 1..200");
    load_mnist(&m, o, 2000, 1);
    /* The targets: one-hot labels, the squared error's regression target. */
    train = m.train;
    onehot = (float *)xalloc((size_t)train.count * 10 * sizeof(float));
    for (i = 0; i < train.count; i++) onehot[(size_t)i * 10 + train.labels[i]] = 1.0f;
    train.targets = onehot;
    train.target_dim = 10;
    X = (float *)xalloc((size_t)o->batch * 784 * sizeof(float));
    targets = (float *)xalloc((size_t)o->batch * 10 * sizeof(float));
    make_dirs(o->out);
    p = path_join(o->out, "runs.csv");
    csv = open_out(p);
    fprintf(csv, "init,depth,seed,learning_rate,epochs_to_threshold\n");   /* inf: not within --epochs, or slower than a rate tried before */

    /* Saxe et al. tuned the learning rate at every depth; here each
       (init, depth, seed) tries every rate and keeps the fastest. */
    for (i = 0; i < 2; i++)
        for (d = 0; d < o->depth_count; d++)
            for (s = 0; s < S; s++) {
                double best = INFINITY, lr_of_best = NAN;
                for (r = 0; r < o->lr_count; r++) {
                    /* A rate slower than the best so far is stopped there. */
                    double e = saxe_run(&train, (int)o->depths[d], o->width, inits[i], o->lrs[r], o->batch,
                                        o->threshold, isfinite(best) ? best : o->epochs, 4, (uint64_t)(s + 1), X, targets);
                    fprintf(csv, "%s,%d,%d,%g,%g\n", i == 0 ? "orthogonal" : "gaussian", (int)o->depths[d], s + 1, o->lrs[r], e);
                    if (e < best) { best = e; lr_of_best = o->lrs[r]; }
                }
                epochs[i][d][s] = best;
                best_lr[i][d][s] = lr_of_best;
                fprintf(stderr, "saxe: %s depth %d seed %d: %g epochs (learning rate %g)\n", names[i], (int)o->depths[d],
                        s + 1, best, lr_of_best);
            }
    close_out(csv, p);
    free(p);

    /* The figure: epochs to the threshold against depth (the paper's
       axes), the mean over seeds in a band of +- 1 std; beside it the
       learning rate that was fastest. Seeds that never reached the
       threshold count as max_epochs (marked in the summary). */
    {
        double x[MAX_LIST], y[2][MAX_LIST], lo[2][MAX_LIST], hi[2][MAX_LIST], ly[2][MAX_LIST];
        initnn_plot_series series[2];
        initnn_plot_style styles[2];
        char *files[2];
        for (i = 0; i < 2; i++)
            for (d = 0; d < o->depth_count; d++) {
                double v[64], mean, sd, lsum = 0.0;
                int n = 0;
                for (s = 0; s < S; s++) {
                    v[s] = isfinite(epochs[i][d][s]) ? epochs[i][d][s] : (double)o->epochs;
                    if (isfinite(best_lr[i][d][s])) { lsum += log(best_lr[i][d][s]); n++; }
                }
                mean_std(v, S, &mean, &sd);
                x[d] = o->depths[d];
                y[i][d] = mean;
                lo[i][d] = mean - sd;
                hi[i][d] = mean + sd;
                ly[i][d] = n ? exp(lsum / n) : NAN;
            }
        memset(styles, 0, sizeof styles);
        for (i = 0; i < 2; i++) {
            series[i].label = names[i];
            series[i].x = x;
            series[i].y = y[i];
            series[i].y_low = lo[i];
            series[i].y_high = hi[i];
            series[i].n = o->depth_count;
            styles[i].color = i == 0 ? 3 : 0;
            styles[i].markers = 1;
        }
        files[0] = path_join(o->out, "epochs_vs_depth.svg");
        panel(files[0], "Deep linear nets on MNIST: time to a training loss", "depth (weight layers)",
              "epochs until the training loss <= threshold", 0, 1, series, styles, 2);
        for (i = 0; i < 2; i++) {
            series[i].y = ly[i];
            series[i].y_low = series[i].y_high = NULL;
        }
        files[1] = path_join(o->out, "learning_rate_vs_depth.svg");
        panel(files[1], "The fastest learning rate of those tried", "depth (weight layers)",
              "learning rate (geometric mean over seeds)", 1, 1, series, styles, 2);
        p = path_join(o->out, "figure.svg");
        compose_svg(p, "Saxe, McClelland &amp; Ganguli (2014): orthogonal against scaled Gaussian init, deep linear nets",
                    files, 2, 2);
        free(p);
        free(files[0]);
        free(files[1]);

        p = path_join(o->out, "summary.md");
        f = open_out(p);
        fprintf(f, "# Saxe, McClelland & Ganguli (2014): deep linear nets\n\n");
        fprintf(f, "Linear nets of D weight layers, 784 -> %d -> ... -> %d -> 10 (D = 1: 784 -> 10), zero biases, kernels "
                   "orthogonal or scaled Gaussian N(0, 1/fan_in), "
                   "trained by plain SGD (batch %d) on the mean squared error to one-hot labels of the first %d MNIST "
                   "training images. The number of epochs until the loss on those images is <= %g (measured every "
                   "quarter epoch), the fastest of the learning rates",
                o->width, o->width, o->batch, train.count, o->threshold);
        for (r = 0; r < o->lr_count; r++) fprintf(f, "%s %g", r ? "," : "", o->lrs[r]);
        fprintf(f, " for each init, depth and seed (seeds 1..%d; at most %d epochs; the paper also tuned the rate per "
                   "depth). Figure: `figure.svg` (epochs against depth, mean ± std; the fastest rate against depth). "
                   "Every run: `runs.csv`.\n\n", S, o->epochs);
        fprintf(f, "| depth | orthogonal: epochs | scaled Gaussian: epochs | apart by more than the seeds' spread? |\n|---|---|---|---|\n");
        for (d = 0; d < o->depth_count; d++) {
            double v[2][64], mean[2], sd[2];
            int miss[2] = {0, 0};
            for (i = 0; i < 2; i++) {
                for (s = 0; s < S; s++) {
                    v[i][s] = isfinite(epochs[i][d][s]) ? epochs[i][d][s] : (double)o->epochs;
                    miss[i] += !isfinite(epochs[i][d][s]);
                }
                mean_std(v[i], S, &mean[i], &sd[i]);
            }
            fprintf(f, "| %d |", (int)o->depths[d]);
            for (i = 0; i < 2; i++) {
                if (miss[i])
                    fprintf(f, " %.2f ± %.2f (%d of %d seeds not there after %d epochs, counted as %d: a lower bound) |", mean[i],
                            sd[i], miss[i], S, o->epochs, o->epochs);
                else fprintf(f, " %.2f ± %.2f |", mean[i], sd[i]);
            }
            fprintf(f, " %s |\n", S < 2 ? "one seed" : apart(mean[0], sd[0], mean[1], sd[1], S) ? "yes" : "no");
        }
        fprintf(f, "\n## Against the paper\n\n");
        {
            int first = 0, last = o->depth_count - 1;
            double growth[2];
            for (i = 0; i < 2; i++) growth[i] = y[i][last] / y[i][first];
            fprintf(f, "- The paper: with orthogonal init the learning time does not grow with depth; with scaled "
                       "Gaussian init it does. Here, from depth %d to %d, orthogonal goes from %.2f to %.2f epochs "
                       "(x %.2f) and scaled Gaussian from %.2f to %.2f (x %.2f).\n",
                    (int)x[first], (int)x[last], y[0][first], y[0][last], growth[0], y[1][first], y[1][last], growth[1]);
            fprintf(f, "- %s\n", growth[0] < 1.5 && growth[1] > 1.5 * growth[0]
                                     ? "Agrees: orthogonal's time stays within a factor 1.5 while the Gaussian's grows faster."
                                     : growth[0] >= 1.5
                                           ? "Does not agree at this scale: orthogonal's time grows too (see the table)."
                                           : "Does not agree at this scale: the Gaussian's time does not grow clearly faster than orthogonal's.");
        }
        fprintf(f, "\nTime: %.1f s.\n", now_seconds() - t0);
        close_out(f, p);
        printf("saxe: %s\n", p);
        free(p);
    }
    free(onehot); free(X); free(targets);
    free_mnist(&m);
    return 0;
}

/* ---- 3. Schoenholz et al. (2017): the trainability phase diagram --------------------------- */

/* 6 xi_c of a tanh net with these statistics (section 10), Inf at the
   critical point. */
static double six_xi_c(double sigma_w2, double sigma_b2)
{
    double xi = NAN;
    if (initnn_theory_fixed_point(NULL, NULL, NULL, NULL, &xi, INITNN_ACT_TANH, 0.0f, sigma_w2, sigma_b2) != 0)
        fatal("theory: %s", initnn_last_error());
    return 6.0 * xi;
}

/* The band of sigma_w^2 in [lo, hi] where 6 xi_c >= depth: 6 xi_c rises
   to infinity at the critical sigma_w^2 and falls beyond it, so each edge
   is one crossing, found by bisection to 1e-4 (each evaluation is a 2-D
   fixed point, tens of milliseconds). six_lo and six_hi are 6 xi_c at lo
   and hi. NaN, NaN when the band misses [lo, hi]. */
static void band_edges(double depth, double lo, double hi, double crit, double sigma_b2, double six_lo, double six_hi,
                       double *band_lo, double *band_hi)
{
    double a, b;
    *band_lo = *band_hi = NAN;
    if (!(crit > lo && crit < hi)) {
        /* The critical point outside the span: 6 xi_c is monotone on it. */
        if (six_lo >= depth || six_hi >= depth) {
            *band_lo = six_lo >= depth ? lo : NAN;
            *band_hi = six_hi >= depth ? hi : NAN;
            a = lo;
            b = hi;
            while (b - a > 1e-4) {
                double m = 0.5 * (a + b);
                if ((six_xi_c(m, sigma_b2) >= depth) == (six_lo >= depth)) a = m; else b = m;
            }
            if (isnan(*band_lo)) *band_lo = b;
            if (isnan(*band_hi)) *band_hi = a;
        }
        return;
    }
    if (six_lo >= depth) *band_lo = lo;
    else {
        for (a = lo, b = crit; b - a > 1e-4;) {
            double m = 0.5 * (a + b);
            if (six_xi_c(m, sigma_b2) >= depth) b = m; else a = m;
        }
        *band_lo = b;
    }
    if (six_hi >= depth) *band_hi = hi;
    else {
        for (a = crit, b = hi; b - a > 1e-4;) {
            double m = 0.5 * (a + b);
            if (six_xi_c(m, sigma_b2) >= depth) a = m; else b = m;
        }
        *band_hi = a;
    }
}

/* One cell: `depth` tanh layers of `width`, W ~ N(0, sigma_w^2 / fan_in),
   b ~ N(0, sigma_b^2) (the output layer too), SGD for `steps` steps; one
   CSV line per seed: depth, sigma_w2, sigma_b2, seed, test accuracy, test
   loss, 6 xi_c. Written to OUT.tmp, then renamed: a cell file exists only
   once complete. */
static int cmd_phase_cell(options *o)
{
    mnist m;
    char kernel[64], bias_buf[64], *tmp;
    float *X;
    int *labels, s;
    FILE *f;
    DEFAULT_INT(width, 64);
    DEFAULT_INT(batch, 64);
    DEFAULT_INT(steps, 300);
    DEFAULT_DBL(lr, 0.003);
    DEFAULT_DBL(momentum, 0.9);
    DEFAULT_DBL(sigma_b2, 0.05);
    if (o->depth == 0 || isnan(o->sigma_w2)) usage_error("phase-cell needs --depth and --sw2");
    load_mnist(&m, o, 20000, 2000);
    standardize_mnist(&m);
    snprintf(kernel, sizeof kernel, "variance_scaling:%.9g,fan_in,normal", o->sigma_w2);
    X = (float *)xalloc((size_t)o->batch * 784 * sizeof(float));
    labels = (int *)xalloc((size_t)o->batch * sizeof(int));
    tmp = (char *)xalloc(strlen(o->out) + 5);
    sprintf(tmp, "%s.tmp", o->out);
    f = open_out(tmp);
    for (s = 1; s <= o->seeds; s++) {
        initnn_net *net = build_mlp(784, o->width, o->depth, "tanh", kernel, bias_spec(bias_buf, sizeof bias_buf, o->sigma_b2),
                                    NULL, o->batch > 1000 ? o->batch : 1000, (uint64_t)s);
        initnn_optimizer opt = make_optimizer(o);
        sampler smp;
        double loss = NAN, acc = 0.1;
        int step, ok = 1;
        if (initnn_net_set_optimizer(net, &opt) != 0) fatal("%s", initnn_last_error());
        sampler_init(&smp, &m.train, (uint64_t)s);
        for (step = 0; step < o->steps && ok; step++) {
            sampler_next(&smp, o->batch, X, labels, NULL);
            ok = initnn_net_train_batch(net, X, labels, NULL, o->batch, NULL, NULL) == 0;
        }
        /* A run stopped by a NaN or Inf keeps its last finite weights and is
           evaluated on them. */
        evaluate(net, &m.test, &loss, &acc);
        fprintf(f, "%d,%.6g,%.6g,%d,%.6f,%.6g,%.6g,%d,%d,%d,%g,%g,%s\n", o->depth, o->sigma_w2, o->sigma_b2, s, acc, loss,
                six_xi_c(o->sigma_w2, o->sigma_b2), o->width, o->steps, o->batch, o->lr, o->momentum, o->opt ? o->opt : "sgd");
        free(smp.order);
        initnn_net_free(net);
    }
    close_out(f, tmp);
    if (rename(tmp, o->out) != 0) fatal("%s: cannot rename to %s: %s", tmp, o->out, strerror(errno));
    free(tmp); free(X); free(labels);
    free_mnist(&m);
    return 0;
}

typedef struct cell {
    double acc_mean, acc_std;
    int seeds;
} cell;

static int cmd_phase_plot(options *o)
{
    int D, K, d, k, i;
    cell grid[MAX_LIST][MAX_LIST];
    double *depths = o->depths, *sw2 = o->sw2s, sb2, trained;
    char *p, opt_name[16] = "sgd", obuf[96];
    options cfg;   /* the training of the cells, as their files say */
    FILE *f;
    DEFAULT_DBL(sigma_b2, 0.05);
    DEFAULT_DBL(threshold, 0.5);
    cfg = *o;
    sb2 = o->sigma_b2;
    trained = o->threshold;
    if (!o->cells || o->depth_count == 0 || o->sw2_count == 0) usage_error("phase-plot needs --cells, --depths and --sw2");
    D = o->depth_count;
    K = o->sw2_count;
    for (k = 1; k < K; k++) if (sw2[k] <= sw2[k - 1]) usage_error("phase-plot: --sw2 must increase");
    for (d = 1; d < D; d++) if (depths[d] <= depths[d - 1]) usage_error("phase-plot: --depths must increase");

    /* Read the cells: CELLS/d<depth>_w<sw2>.csv, one line per seed. */
    for (d = 0; d < D; d++)
        for (k = 0; k < K; k++) {
            char name[96], line[256], *path;
            double acc[256];
            int n = 0;
            FILE *in;
            snprintf(name, sizeof name, "d%d_w%g.csv", (int)depths[d], sw2[k]);
            path = path_join(o->cells, name);
            in = fopen(path, "r");
            if (!in) fatal("%s: missing cell (run its phase-cell first): %s", path, strerror(errno));
            while (n < 256 && fgets(line, sizeof line, in)) {
                double a[7];
                if (sscanf(line, "%lf,%lf,%lf,%lf,%lf,%lf,%lf,%d,%d,%d,%lf,%lf,%15s", &a[0], &a[1], &a[2], &a[3], &a[4], &a[5],
                           &a[6], &cfg.width, &cfg.steps, &cfg.batch, &cfg.lr, &cfg.momentum, opt_name) != 13)
                    fatal("%s: malformed line '%s'", path, line);
                if (a[0] != depths[d] || a[1] != sw2[k] || a[2] != sb2)
                    fatal("%s: a cell of depth %g, sigma_w^2 %g, sigma_b^2 %g, not %g, %g, %g", path, a[0], a[1], a[2],
                          depths[d], sw2[k], sb2);
                acc[n++] = a[4];
            }
            fclose(in);
            if (n == 0) fatal("%s: empty cell", path);
            mean_std(acc, n, &grid[d][k].acc_mean, &grid[d][k].acc_std);
            grid[d][k].seeds = n;
            free(path);
        }
    make_dirs(o->out);

    /* The heat map: sigma_w^2 across, depth up (Schoenholz et al., Fig. 5),
       each cell spanning half way to its neighbours, colour = mean test
       accuracy (viridis, 0.1 = chance dark to 1 bright); 6 xi_c(sigma_w^2)
       over it as a white dashed line, xi_c dotted. */
    {
        const int W = 760, H = 560, left = 80, right = 150, top = 54, bottom = 60;
        const double pw = W - left - right, ph = H - top - bottom;
        double x0 = sw2[0] - (K > 1 ? (sw2[1] - sw2[0]) / 2 : 0.25), x1 = sw2[K - 1] + (K > 1 ? (sw2[K - 1] - sw2[K - 2]) / 2 : 0.25);
        double y0 = 0.0, y1 = depths[D - 1] + (D > 1 ? (depths[D - 1] - depths[D - 2]) / 2 : depths[0] / 2);
        double t, curve[241];
        int pass;
        p = path_join(o->out, "phase_diagram.svg");
        f = open_out(p);
#define PX(x) (left + ((x) - x0) / (x1 - x0) * pw)
#define PY(y) (top + (1.0 - ((y) - y0) / (y1 - y0)) * ph)
        fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                   "font-family=\"Helvetica, Arial, sans-serif\" font-size=\"13\">\n"
                   "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
                W, H, W, H, W, H);
        fprintf(f, "<text x=\"%.1f\" y=\"22\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">Schoenholz et al. (2017): "
                   "tanh nets on MNIST, test accuracy after training</text>\n", left + pw / 2);
        fprintf(f, "<text x=\"%.1f\" y=\"40\" text-anchor=\"middle\" font-size=\"12\">sigma_b^2 = %g; the theory's 6 xi_c "
                   "(dashed) and xi_c (dotted) from the mean-field fixed point</text>\n", left + pw / 2, sb2);
        fprintf(f, "<g stroke=\"none\">\n");
        for (d = 0; d < D; d++)
            for (k = 0; k < K; k++) {
                double xa = k == 0 ? x0 : (sw2[k - 1] + sw2[k]) / 2, xb = k == K - 1 ? x1 : (sw2[k] + sw2[k + 1]) / 2;
                double ya = d == 0 ? y0 : (depths[d - 1] + depths[d]) / 2, yb = d == D - 1 ? y1 : (depths[d] + depths[d + 1]) / 2;
                int r, g, b;
                viridis((grid[d][k].acc_mean - 0.1) / 0.9, &r, &g, &b);
                fprintf(f, "<rect class=\"cell\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"rgb(%d,%d,%d)\">"
                           "<title>depth %d, sigma_w^2 %g: accuracy %.3f</title></rect>\n",
                        PX(xa), PY(yb), PX(xb) - PX(xa), PY(ya) - PY(yb), r, g, b, (int)depths[d], sw2[k], grid[d][k].acc_mean);
            }
        fprintf(f, "</g>\n");
        /* The theory's curves, clipped to the plot. */
        fprintf(f, "<clipPath id=\"plotarea\"><rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n", left, top, pw, ph);
        for (i = 0; i <= 240; i++) curve[i] = six_xi_c(x0 + i * (x1 - x0) / 240, sb2);   /* each a 2-D fixed point: once */
        for (pass = 0; pass < 2; pass++) {
            double scale = pass == 0 ? 1.0 : 1.0 / 6.0;
            int started = 0;
            fprintf(f, "<path clip-path=\"url(#plotarea)\" fill=\"none\" stroke=\"white\" stroke-width=\"%s\" stroke-dasharray=\"%s\" d=\"",
                    pass == 0 ? "2.5" : "1.8", pass == 0 ? "9,5" : "2,4");
            for (i = 0; i <= 240; i++) {
                double v = curve[i] * scale;
                t = x0 + i * (x1 - x0) / 240;
                if (!isfinite(v) || v > 2 * y1) v = 2 * y1;
                fprintf(f, "%s%.2f,%.2f", started ? " L" : "M", PX(t), PY(v));
                started = 1;
            }
            fprintf(f, "\"/>\n");
        }
        /* Axes, ticks, labels. */
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"black\"/>\n", left, top, pw, ph);
        for (t = ceil(x0 * 2) / 2; t <= x1 + 1e-9; t += 0.5)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n",
                    PX(t), top + ph, PX(t), top + ph + 5, PX(t), top + ph + 19, t);
        for (d = 0; d < D; d++)
            fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\"/>"
                       "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>\n",
                    left - 5, PY(depths[d]), left, PY(depths[d]), left - 8, PY(depths[d]) + 4, (int)depths[d]);
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"14\">sigma_w^2 (weight variance x fan_in)</text>\n",
                left + pw / 2, H - 18);
        fprintf(f, "<text x=\"22\" y=\"%.1f\" text-anchor=\"middle\" font-size=\"14\" transform=\"rotate(-90 22 %.1f)\">depth L (tanh layers)</text>\n",
                top + ph / 2, top + ph / 2);
        /* Colour bar. */
        for (i = 0; i < 50; i++) {
            int r, g, b;
            viridis(i / 49.0, &r, &g, &b);
            fprintf(f, "<rect x=\"%.1f\" y=\"%.2f\" width=\"18\" height=\"%.2f\" fill=\"rgb(%d,%d,%d)\"/>\n", left + pw + 30,
                    top + ph - (i + 1) * ph / 50, ph / 50 + 0.5, r, g, b);
        }
        for (t = 0.1; t <= 1.0 + 1e-9; t += 0.1)
            fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">%.1f</text>\n", left + pw + 54, top + ph - (t - 0.1) / 0.9 * ph + 4, t);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" transform=\"rotate(-90 %.1f %.1f)\">test accuracy</text>\n",
                left + pw + 100, top + ph / 2, left + pw + 100, top + ph / 2);
        fprintf(f, "<g font-size=\"12\"><line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" stroke-width=\"2\" stroke-dasharray=\"9,5\"/>"
                   "<text x=\"%.1f\" y=\"%d\">6 xi_c</text>"
                   "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\" stroke-width=\"1.8\" stroke-dasharray=\"2,4\"/>"
                   "<text x=\"%.1f\" y=\"%d\">xi_c</text></g>\n",
                left + pw + 14, H - 36, left + pw + 44, H - 36, left + pw + 50, H - 32,
                left + pw + 14, H - 16, left + pw + 44, H - 16, left + pw + 50, H - 12);
        fprintf(f, "</svg>\n");
#undef PX
#undef PY
        close_out(f, p);
        printf("phase-plot: %s\n", p);
        free(p);
    }

    /* The summary: per depth, the grid values that trained, and the band
       where 6 xi_c >= depth (on a fine grid of sigma_w^2 over the same span). */
    p = path_join(o->out, "summary.md");
    f = open_out(p);
    fprintf(f, "# Schoenholz et al. (2017): the trainability phase diagram\n\n");
    cfg.opt = opt_name;
    fprintf(f, "Tanh nets on MNIST (pixels centred and scaled to unit variance), %d units per layer, W ~ N(0, sigma_w^2 / "
               "fan_in), b ~ N(0, %g), the output layer too; %s, batch %d, %d steps; test accuracy on the first 2000 test "
               "images. %d depths x %d values of sigma_w^2, %d seed(s) per cell. A cell *trained* when its mean test accuracy is >= %g (chance: 0.1). The theory: "
               "xi_c = -1 / ln chi_c at the fixed point (initnn_theory_fixed_point), and nets train only where "
               "depth <= 6 xi_c. Figure: `phase_diagram.svg`; the cells: `%s/`.\n\n",
            cfg.width, sb2, optimizer_text(&cfg, obuf, sizeof obuf), cfg.batch, cfg.steps, D, K, grid[0][0].seeds, trained, o->cells);
    fprintf(f, "Mean test accuracy (rows: depth; columns: sigma_w^2):\n\n| depth |");
    for (k = 0; k < K; k++) fprintf(f, " %g |", sw2[k]);
    fprintf(f, "\n|---|");
    for (k = 0; k < K; k++) fprintf(f, "---|");
    fprintf(f, "\n");
    for (d = D - 1; d >= 0; d--) {
        fprintf(f, "| %d |", (int)depths[d]);
        for (k = 0; k < K; k++) fprintf(f, " %.3f |", grid[d][k].acc_mean);
        fprintf(f, "\n");
    }
    fprintf(f, "\n| depth | sigma_w^2 that trained (grid) | 6 xi_c >= depth (theory) for sigma_w^2 in | measured edges on the grid | "
               "mean accuracy inside / outside the band | agreement, cell by cell |\n|---|---|---|---|---|---|\n");
    {
        int agree_count = 0;
        double crit = NAN, end_lo = six_xi_c(sw2[0], sb2), end_hi = six_xi_c(sw2[K - 1], sb2), at_grid[MAX_LIST];
        if (initnn_theory_critical_sigma_w2(&crit, INITNN_ACT_TANH, 0.0f, sb2) != 0) fatal("theory: %s", initnn_last_error());
        for (k = 0; k < K; k++) at_grid[k] = six_xi_c(sw2[k], sb2);
        for (d = 0; d < D; d++) {
            int k_lo = -1, k_hi = -1, gaps = 0, inside_wrong = 0;
            double band_lo = NAN, band_hi = NAN;
            char measured[96], predicted[96], edges[200];
            for (k = 0; k < K; k++)
                if (grid[d][k].acc_mean >= trained) {
                    if (k_lo < 0) k_lo = k;
                    else if (k_hi != k - 1) gaps++;
                    k_hi = k;
                }
            band_edges(depths[d], sw2[0], sw2[K - 1], crit, sb2, end_lo, end_hi, &band_lo, &band_hi);
            if (k_lo < 0) snprintf(measured, sizeof measured, "none");
            else snprintf(measured, sizeof measured, "%g to %g%s", sw2[k_lo], sw2[k_hi], gaps ? " (with gaps)" : "");
            if (isnan(band_lo)) snprintf(predicted, sizeof predicted, "none in [%g, %g]", sw2[0], sw2[K - 1]);
            else snprintf(predicted, sizeof predicted, "%.2f to %.2f", band_lo, band_hi);
            /* Agreement, cell by cell: a grid value inside the band should
               train and one outside should not; count the disagreements. */
            for (k = 0; k < K; k++) {
                int in_band = at_grid[k] >= depths[d];
                int did = grid[d][k].acc_mean >= trained;
                inside_wrong += in_band != did;
            }
            {
                /* The edges: where 6 xi_c crosses the depth, beside where on
                   the grid the trained range starts and ends. */
                char lo_text[96], hi_text[96];
                if (k_lo < 0) snprintf(lo_text, sizeof lo_text, "no cell trained");
                else if (k_lo == 0) snprintf(lo_text, sizeof lo_text, "lower: trains from the grid's first value");
                else snprintf(lo_text, sizeof lo_text, "lower: between %g and %g", sw2[k_lo - 1], sw2[k_lo]);
                if (k_lo < 0) hi_text[0] = '\0';
                else if (k_hi == K - 1) snprintf(hi_text, sizeof hi_text, "; upper: trains to the grid's last value");
                else snprintf(hi_text, sizeof hi_text, "; upper: between %g and %g", sw2[k_hi], sw2[k_hi + 1]);
                snprintf(edges, sizeof edges, "%s%s", lo_text, hi_text);
            }
            {
                double in_sum = 0.0, out_sum = 0.0;
                int in_n = 0, out_n = 0;
                char accs[64];
                for (k = 0; k < K; k++) {
                    if (at_grid[k] >= depths[d]) { in_sum += grid[d][k].acc_mean; in_n++; }
                    else { out_sum += grid[d][k].acc_mean; out_n++; }
                }
                if (in_n && out_n) snprintf(accs, sizeof accs, "%.3f / %.3f", in_sum / in_n, out_sum / out_n);
                else if (in_n) snprintf(accs, sizeof accs, "%.3f / -", in_sum / in_n);
                else snprintf(accs, sizeof accs, "- / %.3f", out_sum / out_n);
                if (inside_wrong) {
                    fprintf(f, "| %d | %s | %s | %s | %s | %d of %d cells on the other side |\n", (int)depths[d], measured,
                            predicted, edges, accs, inside_wrong, K);
                } else {
                    fprintf(f, "| %d | %s | %s | %s | %s | every cell as predicted |\n", (int)depths[d], measured, predicted,
                            edges, accs);
                    agree_count++;
                }
            }
        }
        fprintf(f, "\n");
        fprintf(f, "## Against the paper\n\n");
        fprintf(f, "- The paper: a net trains only where depth <= 6 xi_c, and the band narrows around the critical "
                   "sigma_w^2 (1.76 at sigma_b^2 = 0.05) as depth grows. Here %d of %d depths have every cell on the "
                   "side of 6 xi_c the theory puts it. The theory says where training can work, not how many steps "
                   "it takes, which grows with depth: a cell inside the band that stays near chance after %d steps "
                   "is one this budget is too small for (compare the mean accuracy inside and outside the band).\n",
                agree_count, D, cfg.steps);
        {
            double crit = NAN;
            if (initnn_theory_critical_sigma_w2(&crit, INITNN_ACT_TANH, 0.0f, sb2) == 0)
                fprintf(f, "- The critical sigma_w^2 at sigma_b^2 = %g is %.3f (initnn_theory_critical_sigma_w2).\n", sb2, crit);
        }
    }
    close_out(f, p);
    printf("phase-plot: %s\n", p);
    free(p);
    return 0;
}

/* ---- 4. Pennington, Schoenholz & Ganguli (2017): dynamical isometry ----------------------- */

typedef struct penn_net {
    const char *label;
    const char *activation;
    char kernel[64], bias[64];
    double sigma_w2, sigma_b2, q_star, chi_1;
    int act;
} penn_net;

/* Learning curves every eval_every steps and the singular values of the
   input-output Jacobian at initialization, for four deep nets. */
static int cmd_pennington(options *o)
{
    penn_net nets[4];
    mnist m;
    int N = 4, n, s, S, L, W, points, pt, i;
    double *curves, *spectra, crit = NAN, t0 = now_seconds();
    float *X;
    int *labels;
    char *p;
    FILE *f;

    DEFAULT_INT(depth, 100);
    DEFAULT_INT(width, 64);
    DEFAULT_INT(batch, 64);
    DEFAULT_INT(steps, 300);
    DEFAULT_INT(eval_every, 25);
    DEFAULT_INT(bins, 40);
    DEFAULT_DBL(lr, 0.003);
    DEFAULT_DBL(momentum, 0.9);
    DEFAULT_DBL(sigma_b2, 1e-4);
    L = o->depth;
    W = o->width;
    S = o->seeds;
    points = o->steps / o->eval_every + 1;

    /* tanh at the critical point of sigma_b^2: chi_1 = 1 with a small
       q*, where tanh is nearly linear and the orthogonal net is nearly an
       isometry (the paper's regime); ReLU at its critical sigma_w^2 = 2. */
    if (initnn_theory_critical_sigma_w2(&crit, INITNN_ACT_TANH, 0.0f, o->sigma_b2) != 0) fatal("%s", initnn_last_error());
    for (n = 0; n < N; n++) {
        penn_net *q = &nets[n];
        int tanh_net = n < 2;
        q->activation = tanh_net ? "tanh" : "relu";
        q->act = tanh_net ? INITNN_ACT_TANH : INITNN_ACT_RELU;
        q->sigma_w2 = tanh_net ? crit : 2.0;
        q->sigma_b2 = tanh_net ? o->sigma_b2 : 0.0;
        if (n % 2 == 0) snprintf(q->kernel, sizeof q->kernel, "orthogonal:%.9g", sqrt(q->sigma_w2));
        else snprintf(q->kernel, sizeof q->kernel, "variance_scaling:%.9g,fan_in,normal", q->sigma_w2);
        bias_spec(q->bias, sizeof q->bias, q->sigma_b2);
        if (initnn_theory_fixed_point(&q->q_star, NULL, &q->chi_1, NULL, NULL, q->act, 0.0f, q->sigma_w2, q->sigma_b2) != 0)
            fatal("%s", initnn_last_error());
    }
    nets[0].label = "tanh, orthogonal";   /* short: the legend's room */
    nets[1].label = "tanh, Gaussian";
    nets[2].label = "ReLU, orthogonal";
    nets[3].label = "ReLU, Gaussian";

    load_mnist(&m, o, 20000, 2000);
    standardize_mnist(&m);
    make_dirs(o->out);
    X = (float *)xalloc((size_t)(o->batch > W ? o->batch : W) * 784 * sizeof(float));
    labels = (int *)xalloc((size_t)o->batch * sizeof(int));
    curves = (double *)xalloc(sizeof(double) * (size_t)N * S * points);
    spectra = (double *)xalloc(sizeof(double) * (size_t)N * S * W);

    for (n = 0; n < N; n++)
        for (s = 0; s < S; s++) {
            /* The Jacobian of the square part: L layers W -> W at the
               fixed point, input x = phi(sqrt(q*) g), g ~ N(0, I). */
            initnn_net *sq = NULL, *net;
            initnn_optimizer opt = make_optimizer(o);
            initnn_rng rng;
            float *x = (float *)xalloc((size_t)W * sizeof(float)), *J = (float *)xalloc((size_t)W * W * sizeof(float));
            sampler smp;
            int l, step, ok = 1;
            if (initnn_net_create(&sq, W, 1, (uint64_t)(s + 1)) != 0) fatal("%s", initnn_last_error());
            for (l = 0; l < L; l++)
                if (initnn_net_add_dense(sq, W, nets[n].activation, nets[n].kernel, nets[n].bias) != 0) fatal("%s", initnn_last_error());
            initnn_rng_seed_stream(&rng, (uint64_t)(s + 1), 77);
            for (i = 0; i < W; i++) {
                float z = (float)(sqrt(nets[n].q_star) * initnn_rng_normal_double(&rng));
                x[i] = nets[n].act == INITNN_ACT_TANH ? tanhf(z) : (z > 0 ? z : 0.0f);
            }
            if (initnn_net_jacobian(sq, J, x) != 0 || initnn_singular_values(spectra + ((size_t)n * S + s) * W, J, W, W) != 0)
                fatal("jacobian: %s", initnn_last_error());
            initnn_net_free(sq);
            free(x);
            free(J);

            /* Training on MNIST: 784 -> W x L -> 10. */
            net = build_mlp(784, W, L, nets[n].activation, nets[n].kernel, nets[n].bias, NULL,
                            o->batch > 1000 ? o->batch : 1000, (uint64_t)(s + 1));
            if (initnn_net_set_optimizer(net, &opt) != 0) fatal("%s", initnn_last_error());
            sampler_init(&smp, &m.train, (uint64_t)(s + 1));
            for (step = 0, pt = 0; pt < points; step++) {
                if (step % o->eval_every == 0) {
                    double acc;
                    evaluate(net, &m.test, NULL, &acc);
                    curves[((size_t)n * S + s) * points + pt++] = acc;
                    if (pt == points) break;
                }
                sampler_next(&smp, o->batch, X, labels, NULL);
                if (ok) ok = initnn_net_train_batch(net, X, labels, NULL, o->batch, NULL, NULL) == 0;
            }
            free(smp.order);
            initnn_net_free(net);
            fprintf(stderr, "pennington: %s seed %d: accuracy %.3f after %d steps, largest singular value %.3g\n", nets[n].label,
                    s + 1, curves[((size_t)n * S + s) * points + points - 1], o->steps, spectra[((size_t)n * S + s) * W]);
        }

    /* The figure: learning curves (test accuracy against steps, mean +- std)
       beside the density of log10 singular values of J at init (pooled over
       the seeds). */
    {
        double *xs = (double *)xalloc(sizeof(double) * points), *mean = (double *)xalloc(sizeof(double) * N * points);
        double *lo = (double *)xalloc(sizeof(double) * N * points), *hi = (double *)xalloc(sizeof(double) * N * points);
        double lmin = INFINITY, lmax = -INFINITY, *centers, *dens;
        int bins = o->bins, b;
        initnn_plot_series series[4];
        initnn_plot_style styles[4];
        char *files[2];
        static const int colors[4] = {3, 0, 1, 2};
        char obuf[96];
        for (pt = 0; pt < points; pt++) xs[pt] = (double)pt * o->eval_every;
        for (n = 0; n < N; n++)
            for (pt = 0; pt < points; pt++) {
                double v[64], mm, sd;
                for (s = 0; s < S && s < 64; s++) v[s] = curves[((size_t)n * S + s) * points + pt];
                mean_std(v, S < 64 ? S : 64, &mm, &sd);
                mean[n * points + pt] = mm;
                lo[n * points + pt] = mm - sd;
                hi[n * points + pt] = mm + sd;
            }
        memset(styles, 0, sizeof styles);
        for (n = 0; n < N; n++) {
            series[n].label = nets[n].label;
            series[n].x = xs;
            series[n].y = mean + n * points;
            series[n].y_low = lo + n * points;
            series[n].y_high = hi + n * points;
            series[n].n = points;
            styles[n].color = colors[n];
            styles[n].dashed = n % 2;
        }
        files[0] = path_join(o->out, "learning_curves.svg");
        {
            char title[128];
            snprintf(title, sizeof title, "Test accuracy while training, %d layers of %d", L, W);
            panel(files[0], title, "training steps", "test accuracy", 0, 0, series, styles, N);
        }
        /* Singular values below 1e-12 (exact zeros: a ReLU net's dead
           units make J rank-deficient) are left out of the density and
           counted in the summary. */
        for (i = 0; i < N * S * W; i++) {
            if (spectra[i] < 1e-12) continue;
            if (log10(spectra[i]) < lmin) lmin = log10(spectra[i]);
            if (log10(spectra[i]) > lmax) lmax = log10(spectra[i]);
        }
        if (!isfinite(lmin)) { lmin = -1; lmax = 1; }
        lmin = floor(lmin);
        lmax = ceil(lmax + 1e-9);
        centers = (double *)xalloc(sizeof(double) * bins);
        dens = (double *)xalloc(sizeof(double) * N * bins);
        for (b = 0; b < bins; b++) centers[b] = lmin + (b + 0.5) * (lmax - lmin) / bins;
        for (n = 0; n < N; n++) {
            for (i = 0; i < S * W; i++) {
                double v;
                if (spectra[(size_t)n * S * W + i] < 1e-12) continue;
                v = log10(spectra[(size_t)n * S * W + i]);
                b = (int)((v - lmin) / (lmax - lmin) * bins);
                if (b < 0) b = 0;
                if (b >= bins) b = bins - 1;
                dens[n * bins + b] += 1.0 / (S * W) / ((lmax - lmin) / bins);
            }
            series[n].x = centers;
            series[n].y = dens + n * bins;
            series[n].y_low = series[n].y_high = NULL;
            series[n].n = bins;
        }
        files[1] = path_join(o->out, "jacobian_spectrum.svg");
        panel(files[1], "Singular values of the input-output Jacobian at init", "log10 singular value",
              "density (per unit of log10)", 0, 0, series, styles, N);
        p = path_join(o->out, "figure.svg");
        compose_svg(p, "Pennington, Schoenholz &amp; Ganguli (2017): dynamical isometry at depth", files, 2, 2);
        free(p); free(files[0]); free(files[1]);

        /* Summary. */
        p = path_join(o->out, "summary.md");
        f = open_out(p);
        fprintf(f, "# Pennington, Schoenholz & Ganguli (2017): dynamical isometry\n\n");
        fprintf(f, "Nets of %d hidden layers of %d units on MNIST (784 inputs, a 10-way softmax), %s, batch %d, "
                   "for %d steps, test accuracy on the first %d test images every %d steps, "
                   "seeds 1..%d. tanh at the critical point: sigma_b^2 = %g, sigma_w^2 = %.4f "
                   "(initnn_theory_critical_sigma_w2), q* = %.4g; ReLU at sigma_w^2 = 2, zero biases. The Jacobian "
                   "spectrum: the square part alone, %d layers %d -> %d at the fixed point, J = W_1 D_1 ... W_L D_L "
                   "(initnn_net_jacobian, initnn_singular_values), %d singular values per seed, pooled. "
                   "Figure: `figure.svg`.\n\n",
                L, W, optimizer_text(o, obuf, sizeof obuf), o->batch, o->steps, m.test.count, o->eval_every, S, o->sigma_b2, crit,
                nets[0].q_star, L, W, W, W);
        fprintf(f, "| net | kernel | chi_1 | mean of sigma^2 (theory chi_1^L) | largest sigma | smallest sigma | "
                   "fraction of sigma in [1/3, 3] | sigma < 1e-12 | test accuracy at step %d | at step %d |\n|---|---|---|---|---|---|---|---|---|---|\n",
                (points / 2) * o->eval_every, (points - 1) * o->eval_every);
        {
            double final_m[4], final_s[4], mid_m[4], mid_s[4], frac[4], mean_s2[4];
            for (n = 0; n < N; n++) {
                double ms = 0.0, mx = 0.0, mn = INFINITY, v[64], w[64];
                int within = 0, zeros = 0;
                for (i = 0; i < S * W; i++) {
                    double sv = spectra[(size_t)n * S * W + i];
                    ms += sv * sv;
                    if (sv > mx) mx = sv;
                    if (sv < mn) mn = sv;
                    within += sv >= 1.0 / 3.0 && sv <= 3.0;
                    zeros += sv < 1e-12;
                }
                for (s = 0; s < S && s < 64; s++) {
                    v[s] = curves[((size_t)n * S + s) * points + points - 1];
                    w[s] = curves[((size_t)n * S + s) * points + points / 2];
                }
                mean_std(v, S < 64 ? S : 64, &final_m[n], &final_s[n]);
                mean_std(w, S < 64 ? S : 64, &mid_m[n], &mid_s[n]);
                frac[n] = (double)within / (S * W);
                mean_s2[n] = ms / (S * W);
                fprintf(f, "| %s | `%s` | %.4f | %.3g (%.3g) | %.3g | %.3g | %.3f | %d of %d | %.3f ± %.3f | %.3f ± %.3f |\n", nets[n].label,
                        nets[n].kernel, nets[n].chi_1, ms / (S * W), pow(nets[n].chi_1, L), mx, mn, (double)within / (S * W), zeros, S * W,
                        mid_m[n], mid_s[n], final_m[n], final_s[n]);
            }
            fprintf(f, "\n## Against the paper\n\n");
            fprintf(f, "- The paper: at the critical point the orthogonal tanh net's Jacobian spectrum stays concentrated "
                       "near 1 at depth (dynamical isometry), while Gaussian tanh and ReLU nets (orthogonal or not) spread "
                       "over orders of magnitude. Here the orthogonal tanh net has a fraction %.3f of its singular values "
                       "in [1/3, 3], against %.3f (Gaussian tanh), %.3f (orthogonal ReLU) and %.3f (Gaussian ReLU).\n",
                    frac[0], frac[1], frac[2], frac[3]);
            {
                /* Which nets' measured mean of sigma^2 is within a factor 2
                   of chi_1^L; the others are named. */
                int far = 0;
                fprintf(f, "- The mean of sigma^2 over a net's singular values is (1/n) tr(J J^T), whose expectation over "
                           "random nets the mean-field theory gives as chi_1^L (1 at criticality). Measured within a factor "
                           "2 of it:");
                for (n = 0; n < N; n++)
                    if (mean_s2[n] >= 0.5 * pow(nets[n].chi_1, L) && mean_s2[n] <= 2.0 * pow(nets[n].chi_1, L))
                        fprintf(f, " %s;", nets[n].label);
                fprintf(f, " not within it:");
                for (n = 0; n < N; n++)
                    if (!(mean_s2[n] >= 0.5 * pow(nets[n].chi_1, L) && mean_s2[n] <= 2.0 * pow(nets[n].chi_1, L))) {
                        fprintf(f, " %s (%.3g);", nets[n].label, mean_s2[n]);
                        far++;
                    }
                if (!far) fprintf(f, " none.\n");
                else
                    fprintf(f, " at width %d and depth %d, tr(J J^T) varies from net to net over orders of magnitude (the "
                               "variance of its log grows like depth / width), so a mean over %d nets can land far from the "
                               "expectation.\n", W, L, S);
            }
            fprintf(f, "- The paper: the orthogonal critical tanh net learns much faster. Here after %d steps: ",
                    (points - 1) * o->eval_every);
            for (n = 0; n < N; n++) fprintf(f, "%s%s %.3f ± %.3f", n ? ", " : "", nets[n].label, final_m[n], final_s[n]);
            fprintf(f, ". Orthogonal tanh against each other net:");
            for (n = 1; n < N; n++)
                fprintf(f, " %s: %s%s", nets[n].label, verdict(final_m[0], final_s[0], final_m[n], final_s[n], S),
                        n == N - 1 ? "." : ";");
            fprintf(f, "\n");
        }
        fprintf(f, "\nTime: %.1f s.\n", now_seconds() - t0);
        close_out(f, p);
        printf("pennington: %s\n", p);
        free(p);
        free(xs); free(mean); free(lo); free(hi); free(centers); free(dens);
    }
    free(X); free(labels); free(curves); free(spectra);
    free_mnist(&m);
    return 0;
}

/* ---- 5. Mishkin & Matas (2016): LSUV ------------------------------------------------------- */

/* Var(z) of every dense layer on the batch X (evaluation mode). */
static void layer_variances(initnn_net *net, const float *X, int batch, double *var)
{
    int l;
    if (!initnn_net_forward(net, X, batch, 0)) fatal("forward: %s", initnn_last_error());
    for (l = 0; l < net->layer_count; l++)
        var[l] = initnn_variance(net->layers[l].z, (size_t)batch * (size_t)net->layers[l].out);
}

static int cmd_lsuv(options *o)
{
    static const char *inits[3] = {"lsuv", "orthogonal", "he_normal"};
    static const char *labels_of[3] = {"LSUV", "orthogonal", "He (he_normal)"};
    mnist m;
    int S, L, W, B = 256, points, pt, i, s, l, probe;
    double *var_before, *var_after, *var_he, *curves, t0 = now_seconds();
    int iters_total = 0;
    float *X, *probe_x, *check_x;
    int *labels, *probe_labels;
    char *p;
    FILE *f;

    DEFAULT_INT(depth, 20);
    DEFAULT_INT(width, 128);
    DEFAULT_INT(batch, 128);
    DEFAULT_INT(steps, 400);
    DEFAULT_INT(eval_every, 25);
    DEFAULT_DBL(lr, 0.01);
    DEFAULT_DBL(momentum, 0.9);
    S = o->seeds;
    L = o->depth + 1;   /* the hidden layers and the output layer */
    W = o->width;
    points = o->steps / o->eval_every + 1;
    load_mnist(&m, o, 60000, 2000);
    probe = m.train.count / 2 < B ? m.train.count / 2 : B;
    if (probe < 2) fatal("lsuv: too few training images");
    make_dirs(o->out);
    probe_x = (float *)xalloc((size_t)probe * 784 * sizeof(float));
    probe_labels = (int *)xalloc((size_t)probe * sizeof(int));
    /* LSUV scales on the first `probe` images; the variances are measured
       on the next `probe` (on its own batch LSUV makes them 1 by
       construction). */
    initnn_data_batch(probe_x, probe_labels, NULL, &m.train, NULL, 0, probe);
    check_x = (float *)xalloc((size_t)probe * 784 * sizeof(float));
    initnn_data_batch(check_x, NULL, NULL, &m.train, NULL, probe, probe);
    X = (float *)xalloc((size_t)o->batch * 784 * sizeof(float));
    labels = (int *)xalloc((size_t)o->batch * sizeof(int));
    var_before = (double *)xalloc(sizeof(double) * S * L);
    var_after = (double *)xalloc(sizeof(double) * S * L);
    var_he = (double *)xalloc(sizeof(double) * S * L);
    curves = (double *)xalloc(sizeof(double) * 3 * S * points);

    for (i = 0; i < 3; i++)
        for (s = 0; s < S; s++) {
            initnn_net *net = build_mlp(784, W, o->depth, "relu", inits[i], "zeros", NULL,
                                        o->batch > 1000 ? o->batch : 1000, (uint64_t)(s + 1));   /* probe <= 256 */
            initnn_optimizer opt = make_optimizer(o);
            sampler smp;
            int step, ok = 1;
            if (i == 0) {
                int *iters = (int *)xalloc(sizeof(int) * net->layer_count);
                layer_variances(net, check_x, probe, var_before + (size_t)s * L);
                if (initnn_lsuv(net, probe_x, probe, 0.0f, 0, iters) != 0) fatal("lsuv: %s", initnn_last_error());
                for (l = 0; l < net->layer_count; l++) iters_total += iters[l];
                free(iters);
                layer_variances(net, check_x, probe, var_after + (size_t)s * L);
            } else if (i == 2) {
                layer_variances(net, check_x, probe, var_he + (size_t)s * L);
            }
            if (initnn_net_set_optimizer(net, &opt) != 0) fatal("%s", initnn_last_error());
            sampler_init(&smp, &m.train, (uint64_t)(s + 1));
            for (step = 0, pt = 0; pt < points; step++) {
                if (step % o->eval_every == 0) {
                    double acc;
                    evaluate(net, &m.test, NULL, &acc);
                    curves[((size_t)i * S + s) * points + pt++] = acc;
                    if (pt == points) break;
                }
                sampler_next(&smp, o->batch, X, labels, NULL);
                if (ok) ok = initnn_net_train_batch(net, X, labels, NULL, o->batch, NULL, NULL) == 0;
            }
            free(smp.order);
            initnn_net_free(net);
            fprintf(stderr, "lsuv: %s seed %d: accuracy %.3f after %d steps\n", inits[i], s + 1,
                    curves[((size_t)i * S + s) * points + points - 1], o->steps);
        }

    {
        double *xl = (double *)xalloc(sizeof(double) * L), *vm = (double *)xalloc(sizeof(double) * 3 * L);
        double *vlo = (double *)xalloc(sizeof(double) * 3 * L), *vhi = (double *)xalloc(sizeof(double) * 3 * L);
        double *xs = (double *)xalloc(sizeof(double) * points), *cm = (double *)xalloc(sizeof(double) * 3 * points);
        double *clo = (double *)xalloc(sizeof(double) * 3 * points), *chi = (double *)xalloc(sizeof(double) * 3 * points);
        double final_m[3], final_s[3];
        initnn_plot_series series[3];
        initnn_plot_style styles[3];
        char *files[2];
        static const char *var_labels[3] = {"before LSUV (orth.)", "after LSUV", "He (he_normal)"};
        char obuf[96];
        double *vars[3];
        vars[0] = var_before;
        vars[1] = var_after;
        vars[2] = var_he;
        for (l = 0; l < L; l++) xl[l] = l + 1;
        for (i = 0; i < 3; i++)
            for (l = 0; l < L; l++) {
                double v[64], mm, sd;
                for (s = 0; s < S && s < 64; s++) v[s] = vars[i][(size_t)s * L + l];
                mean_std(v, S < 64 ? S : 64, &mm, &sd);
                vm[i * L + l] = mm;
                vlo[i * L + l] = mm - sd;
                vhi[i * L + l] = mm + sd;
            }
        memset(styles, 0, sizeof styles);
        for (i = 0; i < 3; i++) {
            series[i].label = var_labels[i];
            series[i].x = xl;
            series[i].y = vm + i * L;
            series[i].y_low = vlo + i * L;
            series[i].y_high = vhi + i * L;
            series[i].n = L;
            styles[i].color = i == 0 ? 1 : i == 1 ? 3 : 0;
            styles[i].markers = 1;
        }
        files[0] = path_join(o->out, "layer_variance.svg");
        panel(files[0], "Var(z) of each layer at init", "layer", "variance of the layer's output z = x W + b",
              1, 1, series, styles, 3);
        for (pt = 0; pt < points; pt++) xs[pt] = (double)pt * o->eval_every;
        for (i = 0; i < 3; i++) {
            for (pt = 0; pt < points; pt++) {
                double v[64], mm, sd;
                for (s = 0; s < S && s < 64; s++) v[s] = curves[((size_t)i * S + s) * points + pt];
                mean_std(v, S < 64 ? S : 64, &mm, &sd);
                cm[i * points + pt] = mm;
                clo[i * points + pt] = mm - sd;
                chi[i * points + pt] = mm + sd;
                if (pt == points - 1) { final_m[i] = mm; final_s[i] = sd; }
            }
            series[i].label = labels_of[i];
            series[i].x = xs;
            series[i].y = cm + i * points;
            series[i].y_low = clo + i * points;
            series[i].y_high = chi + i * points;
            series[i].n = points;
            styles[i].color = i == 0 ? 3 : i == 1 ? 1 : 0;
            styles[i].markers = 0;
        }
        files[1] = path_join(o->out, "training_curves.svg");
        {
            char title[128];
            snprintf(title, sizeof title, "Test accuracy while training, %d ReLU layers of %d", o->depth, W);
            panel(files[1], title, "training steps", "test accuracy", 0, 0, series, styles, 3);
        }
        p = path_join(o->out, "figure.svg");
        compose_svg(p, "Mishkin &amp; Matas (2016): layer-sequential unit-variance (LSUV) init", files, 2, 2);
        free(p); free(files[0]); free(files[1]);

        p = path_join(o->out, "summary.md");
        f = open_out(p);
        fprintf(f, "# Mishkin & Matas (2016): LSUV\n\n");
        fprintf(f, "A ReLU net of %d hidden layers of %d units and a 10-way softmax on MNIST, zero biases; %s, "
                   "batch %d, for %d steps, test accuracy on the first %d test images every %d steps, "
                   "seeds 1..%d. LSUV: orthogonal kernels, then each layer in turn scaled by 1/sqrt(Var(z)) on the first "
                   "%d training images until |Var(z) - 1| < 0.1 (initnn_lsuv; %.1f scalings per net on average); the variances "
                   "below are measured on the next %d training images. "
                   "Figure: `figure.svg` (each layer's Var(z) before and after LSUV, He's beside them; the training "
                   "curves).\n\n",
                o->depth, W, optimizer_text(o, obuf, sizeof obuf), o->batch, o->steps, m.test.count, o->eval_every, S, probe,
                (double)iters_total / S, probe);
        fprintf(f, "| layer | orthogonal, before LSUV | after LSUV | He |\n|---|---|---|---|\n");
        for (l = 0; l < L; l++)
            fprintf(f, "| %d%s | %.3g ± %.2g | %.4f ± %.4f | %.3g ± %.2g |\n", l + 1, l == L - 1 ? " (output)" : "", vm[l],
                    vhi[l] - vm[l], vm[L + l], vhi[L + l] - vm[L + l], vm[2 * L + l], vhi[2 * L + l] - vm[2 * L + l]);
        fprintf(f, "\n| init | test accuracy at step %d | at step %d |\n|---|---|---|\n", (points / 2) * o->eval_every,
                (points - 1) * o->eval_every);
        for (i = 0; i < 3; i++)
            fprintf(f, "| %s | %.3f ± %.3f | %.3f ± %.3f |\n", labels_of[i], cm[i * points + points / 2],
                    chi[i * points + points / 2] - cm[i * points + points / 2], final_m[i], final_s[i]);
        fprintf(f, "\n## Against the paper\n\n");
        {
            double worst = 0.0;
            for (l = 0; l < L; l++)
                for (s = 0; s < S; s++) {
                    double dev = fabs(var_after[(size_t)s * L + l] - 1.0);
                    if (dev > worst) worst = dev;
                }
            fprintf(f, "- After LSUV every layer's output variance, measured on %d other training images, is 1 within %.3f "
                       "(LSUV's tolerance on its own batch is 0.1), where the "
                       "orthogonal start had %.3g at the last hidden layer (a ReLU halves the second moment at every "
                       "layer of a gain-1 orthogonal net) and He %.3g.\n",
                    probe, worst, vm[L - 2], vm[2 * L + L - 2]);
        }
        fprintf(f, "- The paper: LSUV trains very deep nets as well as or better than the best other init, and "
                   "orthogonal init alone can fail at depth. Here after %d steps: LSUV %.3f ± %.3f, orthogonal %.3f ± %.3f, "
                   "He %.3f ± %.3f. LSUV against orthogonal: %s; LSUV against He: %s.\n",
                (points - 1) * o->eval_every, final_m[0], final_s[0], final_m[1], final_s[1], final_m[2], final_s[2],
                verdict(final_m[0], final_s[0], final_m[1], final_s[1], S),
                verdict(final_m[0], final_s[0], final_m[2], final_s[2], S));
        fprintf(f, "\nTime: %.1f s.\n", now_seconds() - t0);
        close_out(f, p);
        printf("lsuv: %s\n", p);
        free(p);
        free(xl); free(vm); free(vlo); free(vhi); free(xs); free(cm); free(clo); free(chi);
    }
    free(probe_x); free(check_x); free(probe_labels); free(X); free(labels); free(var_before); free(var_after); free(var_he); free(curves);
    free_mnist(&m);
    return 0;
}

int main(int argc, char **argv)
{
    options o;
    /* Deep nets in the ordered phase shrink their gradients by a constant
       factor per layer, into float's subnormal range, where x86 arithmetic
       runs up to a hundred times slower; flushing them to zero changes
       values below 1.2e-38 only (threads started later inherit it). */
    PAPERS_FLUSH_DENORMALS();
    parse_args(&o, argc, argv);
    if (!strcmp(o.command, "glorot")) return cmd_glorot(&o);
    if (!strcmp(o.command, "saxe")) return cmd_saxe(&o);
    if (!strcmp(o.command, "phase-cell")) return cmd_phase_cell(&o);
    if (!strcmp(o.command, "phase-plot")) return cmd_phase_plot(&o);
    if (!strcmp(o.command, "pennington")) return cmd_pennington(&o);
    if (!strcmp(o.command, "lsuv")) return cmd_lsuv(&o);
    usage_error("unknown command '%s'", o.command);
    return 2;
}
