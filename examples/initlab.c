/* initlab.c - the initialization lab: the same network trained from several
   kernel initializers and several seeds, every epoch logged, and a summary
   and plots that say which differences are larger than the seeds' own spread.

   One run of the program is one experiment:

      for each initializer spec (--init)            e.g. glorot_normal, he_normal
        for each seed 1..N (--seeds)                 the net's seed: weights and batch order
          build the net (--arch or --hidden), draw the kernels from the spec
          measure every layer on a probe batch       (init.csv, two plots)
          train (--opt, --lr, --batch, --epochs ...) one row of log.csv per epoch
          evaluate the final model on train, validation and test
      write summary.md and the SVG plots

   Build:  make initlab    (-O3 -march=native -fopenmp; or: cc -O2
           examples/initlab.c -o initlab -lm, one thread: the results do
           not depend on the number of threads)
   Usage:  ./initlab --help

   The same command gives the same log.csv, byte for byte, except the
   seconds column: the data sets are generated or read deterministically,
   and all randomness comes from the net's seeded generator (initnn.h). */

#define _POSIX_C_SOURCE 200809L

#define INITNN_IMPLEMENTATION
#include "../initnn.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define LAB_MAX_INITS 10          /* one plot color each                          */
#define LAB_MAX_SEEDS 100
#define LAB_PROBE 256             /* samples in the probe batch of the diagnostics */
#define LAB_PATH_MAX 4096

enum { LAB_VAL_SPLIT = 0, LAB_VAL_TEST = 1, LAB_VAL_NONE = 2 };

/* Per-epoch quantities kept for the plots and the summary. */
enum {
    F_TRAIN_LOSS = 0, F_TRAIN_METRIC, F_VAL_LOSS, F_VAL_METRIC, F_GRAD_NORM, F_ZERO, F_SAT, F_STUCK,
    F_COUNT
};

/* ---- options ------------------------------------------------------------------------- */

typedef struct lab_options {
    const char *data;           /* --data                                           */
    const char *data_dir;       /* --data-dir                                       */
    const char *arch;           /* --arch, or built from --hidden / --activation    */
    const char *hidden;
    const char *activation;
    int activation_set;
    char *inits[LAB_MAX_INITS];
    int init_is_lsuv[LAB_MAX_INITS];   /* the spec is lsuv: rescale on the probe batch */
    int init_count;
    const char *bias_init;
    int optimizer;              /* INITNN_OPT_*                                     */
    double lr;                  /* < 0: the optimizer's default                     */
    double momentum;
    int momentum_set;
    int batch;                  /* 0: the whole training set                        */
    int epochs;
    double val_split;
    int val_mode;               /* LAB_VAL_*                                        */
    int val_split_set;
    double test_split;
    int patience;
    double clip_norm;
    int seeds;
    const char *out;
    long train_limit;           /* 0: all                                           */
    long test_limit;            /* 0: all                                           */
    const char *save_model;
    const char *export_npy;     /* --export-npy DIR, or NULL                        */
    int quiet;
    int samples;                /* generated sets                                   */
    double noise;
    int noise_set;
    double factor;
    int classes;
    int features;
    long data_seed;
    int standardize;
    int task;                   /* -1 default, 1 classification, 0 regression (csv) */
    int predict;                /* --predict: the theory's table, no training        */
} lab_options;

static const char *const lab_flags[] = {
    "--data", "--data-dir", "--arch", "--hidden", "--activation", "--init", "--bias-init", "--opt", "--lr",
    "--momentum", "--batch", "--epochs", "--val-split", "--val", "--test-split", "--patience", "--clip-norm",
    "--seeds", "--out", "--train-limit", "--test-limit", "--save-model", "--export-npy", "--quiet", "--samples", "--noise", "--factor",
    "--classes", "--features", "--data-seed", "--standardize", "--task", "--predict", "--help"
};
/* Flags without a value. */
static int lab_flag_is_switch(const char *flag)
{
    return !strcmp(flag, "--quiet") || !strcmp(flag, "--standardize") || !strcmp(flag, "--predict") ||
           !strcmp(flag, "--help");
}

#define LAB_STR2(x) #x
#define LAB_STR(x) LAB_STR2(x)

static void lab_help(void)
{
    /* One string per line: C99 compilers need only take literals of 4095 characters. */
    static const char *const text[] = {
        "initlab - how the initial weights shape training: one experiment per run.",
        "",
        "Trains the same net from each kernel initializer (--init) with each seed",
        "1..N (--seeds), logs every epoch, and writes into --out:",
        "  log.csv       one row per init x seed x epoch (columns below)",
        "  init.csv      one row per init x seed x layer: statistics at initialization",
        "  summary.md    per init: accuracy (MAE for regression) as mean +- std over",
        "                seeds, and which differences exceed the seed-to-seed spread",
        "  *.svg         val_accuracy (val_mae), val_loss, train_loss, grad_norm,",
        "                relu_zero_fraction and/or saturation, weight_hist,",
        "                act_var_init; each curve is the mean over seeds with a band",
        "                of +-1 std (clipped to the seeds' range); the accuracy",
        "                plot zooms to the range of the curves' later half, where",
        "                the inits differ, unless a curve ends far below it",
        "  weights_<init>_epoch0.png, weights_<init>_final.png",
        "                28 x 28 one-channel data (mnist, fashion), when built",
        "                with stb (make initlab does where libstb-dev is",
        "                installed): the first layer's weights of seed 1, one",
        "                tile per unit or conv filter, before and after training",
        "",
        "Example (MNIST, three initializers, three seeds: what make demo runs):",
        "  ./initlab --data mnist --hidden 256,256,128 --activation relu \\",
        "      --init 'random_normal:0.05;glorot_normal;he_normal' --opt adam --lr 1e-3 \\",
        "      --batch 128 --epochs 5 --val test --seeds 3 --out results/mnist",
        "",
        "Data",
        "  --data SET          mnist | fashion      IDX files in DATA_DIR/mnist or /fashion",
        "                                           (make data fetches them)",
        "                      cifar10:DIR          DIR/data_batch_1..5.bin, DIR/test_batch.bin",
        "                      cifar100:DIR         DIR/train.bin, DIR/test.bin (fine labels)",
        "                      moons | circles | spirals | regression   generated",
        "                      csv:PATH:TARGET      a CSV of numbers; TARGET is a header",
        "                                           name or a 0-based column index (-1: the",
        "                                           last); a first line with any non-number",
        "                                           is taken as the header",
        "                      default: moons",
        "  --data-dir DIR      where mnist/ and fashion/ are (default: data)",
        "  --task T            csv only: classification (integer labels) or regression",
        "                      (default: regression)",
        "  --samples N         generated sets: number of points (default 2000)",
        "  --noise F           generated sets: noise std (default moons 0.2, circles 0.1,",
        "                      spirals 0.2, regression 0.1)",
        "  --factor F          circles: inner radius (default 0.5)",
        "  --classes K         spirals: number of arms (default 3)",
        "  --features N        regression: number of features (default 8)",
        "  --data-seed N       seed of the generated set and of the CSV row shuffle",
        "                      (default 0; the nets' seeds are separate)",
        "  --test-split F      sets without a test set (generated, csv): the last F of",
        "                      the samples are the test set (default 0.3); csv rows are",
        "                      shuffled first (--data-seed)",
        "  --train-limit N     use only the first N training samples",
        "  --test-limit N      evaluate on the first N test samples only",
        "  --standardize       z-score every feature with the mean and std of the",
        "                      training part (after the validation split); applied to",
        "                      validation and test alike. Image sets are otherwise",
        "                      scaled to [0, 1]",
        "",
        "Network",
        "  --arch A            the layers, comma-separated (initnn_net_from_arch):",
        "                      dense:N, then its activation (relu, leaky_relu[:a], tanh,",
        "                      sigmoid, softmax, selu, identity), dropout:R,",
        "                      conv:F:K[:S[:same|valid]], maxpool:K, avgpool:K, flatten,",
        "                      bn, ln, res[...] and res:SCALE[...] (residual blocks; a",
        "                      conv branch that downsamples gets a strided 1x1 shortcut)",
        "                      e.g. \"dense:256,relu,dense:256,relu,dense:128,relu,dense:10,softmax\"",
        "                      A classifier must end in dense:CLASSES,softmax (softmax",
        "                      cross-entropy); a regression net in dense:1 (MSE)",
        "  --hidden LIST       shorthand: hidden widths, e.g. 256,256,128; NxK repeats N",
        "                      K times (256x29 is 29 layers of 256). The output layer is",
        "                      added: dense:CLASSES,softmax or dense:1 (default: 64,64)",
        "  --activation A      the hidden layers' activation with --hidden (default relu)",
        "",
        "Initializers",
        "  --init SPECS        kernel initializers to compare, in order (default",
        "                      'glorot_uniform;he_normal'). Any initnn_init_fill spec,",
        "                      or lsuv (orthogonal, then LSUV on the probe batch).",
        "                      Separate specs by ';' (quote it for the shell), or",
        "                      repeat --init; a comma belongs to a spec's parameters:",
        "                        --init 'random_uniform:-0.05,0.05;glorot_uniform'",
        "                      is two specs, as is",
        "                        --init random_uniform:-0.05,0.05 --init glorot_uniform",
        "                      Up to " LAB_STR(LAB_MAX_INITS) " specs",
        "  --bias-init SPEC    every bias (default: each kernel spec's own policy, zeros but",
        "                      U(+-1/sqrt(fan_in)) for torch_default; see initnn_default_bias)",
        "",
        "Training",
        "  --opt O             adam | sgd | rmsprop (default adam)",
        "  --lr F              learning rate (default 1e-3 for adam and rmsprop, 1e-2",
        "                      for sgd); 0 leaves the weights as initialized (a",
        "                      control: every update ratio is 0)",
        "  --momentum F        sgd only: momentum (default 0)",
        "  --batch N|full      batch size (default 32); full: the whole training set",
        "  --epochs N          epochs (default 10)",
        "  --val-split F       hold out the last F of the training samples for",
        "                      validation (default 0.1)",
        "  --val test|none     validate on the test set instead, or not at all",
        "  --patience N        early stopping: stop after N epochs without a lower",
        "                      validation loss and restore the best weights (default 0:",
        "                      off)",
        "  --clip-norm F       clip the global gradient norm to F (default: no clipping)",
        "  --seeds N           seeds 1..N for every init (default 3); seed s draws the",
        "                      weights and the batch order",
        "",
        "Prediction (no training)",
        "  --predict           for each --init, the signal-propagation theory of",
        "                      initnn.h section 10 beside the measurement: every",
        "                      weighted layer's E[z^2] (pre-activation second moment)",
        "                      and E[delta^2] (gradient second moment) predicted from",
        "                      the specs and measured on the probe batch (seed 1); a",
        "                      layer whose predicted E[z^2] leaves [0.1, 10] x the",
        "                      input's E[x^2] flags the init (\"vanishes by layer 5\").",
        "                      Writes predict.csv, predict.md and predict.svg into",
        "                      --out. Dense and conv nets without pooling; lsuv is",
        "                      predicted as orthogonal and measured after LSUV",
        "  Example (a 30-layer ReLU net: glorot_normal is flagged, he_normal not):",
        "    ./initlab --predict --data mnist --hidden 256x29 \\",
        "        --init 'glorot_normal;he_normal' --out results/predict-deep",
        "",
        "Output",
        "  --out DIR           output folder, created if needed (default results/lab)",
        "  --save-model PATH   save the last trained net (last init, last seed) as an",
        "                      initnn checkpoint",
        "  --export-npy DIR    write that net's state as NumPy files, one .npy per",
        "                      array (initnn_net_export_npy: layer000_dense_kernel.npy,",
        "                      layer001_bn_running_var.npy, ...); DIR is created",
        "  --quiet             no progress on stderr and no table on stdout",
        "  --help              this text",
        "",
        "log.csv columns: init, seed, epoch, train_loss, train_acc (train_mae),",
        "  val_loss, val_acc (val_mae), grad_norm (mean global gradient norm over the",
        "  epoch's batches), relu_zero_fraction and saturated_fraction (ReLU outputs",
        "  exactly 0; tanh/sigmoid outputs beyond 0.97 of their range; over the probe",
        "  batch after the epoch), act_var_0.. (variance of each weighted layer's",
        "  output on the probe batch after the epoch), update_ratio_0.. (each",
        "  weighted layer's update:data ratio ||W_after - W_before|| / ||W_before||",
        "  of a step, mean over the epoch's steps; about 1e-3 is the rule of",
        "  thumb), seconds. train_* are the",
        "  means over the epoch's batches as trained (Keras' convention); val_* are",
        "  measured after the epoch. The probe batch is the first " LAB_STR(LAB_PROBE) " training",
        "  samples. An empty cell has no value (no validation set; no ReLU or",
        "  no tanh/sigmoid layer).",
        "",
        "The curves start at epoch 0, the state at initialization: validation on",
        "  the whole validation set, training loss, training accuracy and gradient",
        "  norm on the probe batch. Epoch 0 is not a row of log.csv; init.csv has",
        "  the initial losses.",
        "",
        "Progress (stderr): on a terminal, one line rewritten in place,",
        "    [2/3] glorot_normal  seed 1/3  epoch 4/10  loss 0.1234  elapsed 1m05s  ETA 2m10s",
        "  after every epoch, and within an epoch that has run for 2 seconds",
        "  (INITLAB_PROGRESS_AFTER=SECONDS sets another delay) also the batches done,",
        "  \"epoch 4/10 (batch 120/469)\", four times a second. The ETA extrapolates",
        "  the time per epoch so far. Every run ends with one line (init, seed,",
        "  epochs, final train/val/test metric, seconds); piped or redirected,",
        "  those lines are all stderr gets.",
        "",
        "Exit status: 0 done (runs that diverged are reported, not fatal), 1 a data",
        "file, a write or memory failed, 2 a bad command line.",
    };
    size_t i;
    for (i = 0; i < sizeof text / sizeof text[0]; i++) puts(text[i]);
}

/* A bad command line: one line on stderr, exit status 2. */
static void lab_usage_error(const char *format, ...)
{
    va_list args;
    char message[3 * LAB_PATH_MAX];   /* a path of LAB_PATH_MAX and the reason after it */
    char *p;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    for (p = message; *p; p++)
        if (*p == '\n' || *p == '\r') *p = ' ';
    fprintf(stderr, "initlab: %s (initlab --help explains every flag)\n", message);
    exit(2);
}

/* An output that cannot be written, found before any training: one line,
   exit status 2, nothing trained, nothing written. */
static char lab_made_dirs[2][LAB_PATH_MAX];   /* the deepest and the first folder lab_mkdirs created */
static char lab_out_made_dirs[2][LAB_PATH_MAX];   /* --out's, while --export-npy's are made */

/* Removes the folders of one lab_mkdirs chain, deepest first (rmdir leaves
   a folder that is not empty). */
static void lab_remove_made_dirs(char made[2][LAB_PATH_MAX])
{
    if (made[1][0]) {
        size_t keep = strlen(made[1]);
        char *slash;
        while (strlen(made[0]) >= keep && rmdir(made[0]) == 0 && (slash = strrchr(made[0], '/')) != NULL)
            *slash = '\0';
    }
}

static void lab_output_error(const char *format, ...)
{
    va_list args;
    /* Nothing left behind: the folders made for --export-npy and --out go again. */
    lab_remove_made_dirs(lab_made_dirs);
    lab_remove_made_dirs(lab_out_made_dirs);
    fprintf(stderr, "initlab: ");
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputs("; nothing was trained or written\n", stderr);
    exit(2);
}

/* The files being written through the run (log.csv, init.csv), removed
   by lab_fatal so that a failed run leaves no temporary behind. */
static initnn_file *lab_open_files[2];

/* A failure at run time (a file, memory): one line, exit status 1. */
static void lab_fatal(const char *format, ...)
{
    va_list args;
    int k;
    for (k = 0; k < 2; k++)
        if (lab_open_files[k]) initnn_file_abort(lab_open_files[k]);
    fprintf(stderr, "initlab: ");
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(1);
}

static void *lab_alloc(size_t n)
{
    void *p = calloc(n ? n : 1, 1);
    if (!p) lab_fatal("out of memory (%lu bytes)", (unsigned long)n);
    return p;
}

static long lab_parse_long(const char *flag, const char *value, long lo, long hi)
{
    char *end;
    long v;
    errno = 0;
    v = strtol(value, &end, 10);
    if (end == value || *end || errno)
        lab_usage_error("%s: '%s' is not a whole number", flag, value);
    if (v < lo || v > hi) lab_usage_error("%s: %ld is out of range [%ld, %ld]", flag, v, lo, hi);
    return v;
}

/* A number in [lo, hi] (or (lo, hi] when open_lo). */
static double lab_parse_double(const char *flag, const char *value, double lo, double hi, int open_lo)
{
    char *end;
    double v;
    errno = 0;
    v = strtod(value, &end);
    if (end == value || *end || errno || !(v - v == 0.0)) lab_usage_error("%s: '%s' is not a number", flag, value);
    if (open_lo ? !(v > lo) : !(v >= lo)) lab_usage_error("%s: %s must be %s %g", flag, value, open_lo ? ">" : ">=", lo);
    if (!(v <= hi)) lab_usage_error("%s: %s must be <= %g", flag, value, hi);
    return v;
}

static void lab_add_init(lab_options *o, const char *spec)
{
    initnn_init_spec parsed;
    int i;
    if (!*spec) lab_usage_error("--init: an empty spec (two separators in a row?)");
    if (initnn_init_parse(&parsed, spec) != 0)
        lab_usage_error("--init '%s': %s", spec, initnn_last_error());
    if (strlen(spec) >= INITNN_SPEC_MAX) lab_usage_error("--init '%s': longer than %d characters", spec, INITNN_SPEC_MAX - 1);
    for (i = 0; i < o->init_count; i++)
        if (!strcmp(o->inits[i], spec)) lab_usage_error("--init: '%s' is given twice", spec);
    if (o->init_count >= LAB_MAX_INITS) lab_usage_error("--init: more than %d specs", LAB_MAX_INITS);
    o->init_is_lsuv[o->init_count] = parsed.kind == INITNN_INIT_LSUV;
    o->inits[o->init_count] = (char *)lab_alloc(strlen(spec) + 1);
    strcpy(o->inits[o->init_count++], spec);
}

/* Whether spec is one initializer the lab can run: any spec of
   initnn_init_parse (lsuv included). */
static int lab_is_init_spec(const char *spec)
{
    initnn_init_spec parsed;
    return initnn_init_parse(&parsed, spec) == 0;
}

/* A spec that does not parse but whose comma-separated pieces each do
   ("glorot_uniform,he_normal") is the comma-separated list of earlier
   versions: say how to write it now. Commas stay inside a spec
   (random_uniform:-0.05,0.05), so they cannot separate specs. */
static void lab_refuse_comma_list(const char *spec)
{
    char *copy = (char *)lab_alloc(strlen(spec) + 1), *piece, *next;
    int pieces = 0, all_parse = 1;
    strcpy(copy, spec);
    for (piece = copy; piece; piece = next) {
        next = strchr(piece, ',');
        if (next) *next++ = '\0';
        pieces++;
        if (!lab_is_init_spec(piece)) all_parse = 0;
    }
    free(copy);
    if (pieces >= 2 && all_parse) {
        char *semicolons = (char *)lab_alloc(strlen(spec) + 1), *c;
        strcpy(semicolons, spec);
        for (c = semicolons; *c; c++)
            if (*c == ',') *c = ';';
        lab_usage_error("--init '%s': specs are separated by ';' (a comma belongs to a spec's parameters): "
                        "--init '%s', or one --init per spec", spec, semicolons);
    }
}

/* Splits one --init value at ';' into specs and adds them (--init may be
   repeated, too). Blanks around a spec are dropped. */
static void lab_parse_inits(lab_options *o, const char *value)
{
    char *copy = (char *)lab_alloc(strlen(value) + 1), *spec, *next;
    strcpy(copy, value);
    for (spec = copy; spec; spec = next) {
        char *end;
        next = strchr(spec, ';');
        if (next) *next++ = '\0';
        while (*spec == ' ' || *spec == '\t') spec++;
        end = spec + strlen(spec);
        while (end > spec && (end[-1] == ' ' || end[-1] == '\t')) *--end = '\0';
        if (!*spec) lab_usage_error("--init '%s': an empty spec (two separators in a row?)", value);
        if (!lab_is_init_spec(spec) && strchr(spec, ',')) {
            initnn_init_spec parsed;
            lab_refuse_comma_list(spec);
            initnn_init_parse(&parsed, spec);
            if (strstr(initnn_last_error(), "would not be finite"))   /* one spec, too large: no hint */
                lab_usage_error("--init '%s': %s", spec, initnn_last_error());
            lab_usage_error("--init '%s': %s (more than one spec? separate them by ';')", spec, initnn_last_error());
        }
        lab_add_init(o, spec);
    }
    free(copy);
}

static void lab_parse_args(lab_options *o, int argc, char **argv)
{
    int i;
    memset(o, 0, sizeof *o);
    o->data = "moons";
    o->data_dir = "data";
    o->activation = "relu";
    o->bias_init = NULL;   /* initnn_default_bias of each kernel spec */
    o->optimizer = INITNN_OPT_ADAM;
    o->lr = -1.0;
    o->batch = 32;
    o->epochs = 10;
    o->val_split = 0.1;
    o->val_mode = LAB_VAL_SPLIT;
    o->test_split = 0.3;
    o->seeds = 3;
    o->out = "results/lab";
    o->samples = 2000;
    o->factor = 0.5;
    o->classes = 3;
    o->features = 8;
    o->task = -1;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = NULL, *eq;
        char flag[64];
        size_t len, k;
        int known = 0;
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            lab_usage_error("unexpected argument '%s' (every setting is a --flag)", arg);
        eq = strchr(arg, '=');
        len = eq ? (size_t)(eq - arg) : strlen(arg);
        if (len >= sizeof flag) lab_usage_error("unknown flag '%.40s...'", arg);
        memcpy(flag, arg, len);
        flag[len] = '\0';
        for (k = 0; k < sizeof lab_flags / sizeof lab_flags[0]; k++)
            if (!strcmp(flag, lab_flags[k])) known = 1;
        if (!known) {
            const char *best = initnn_suggest(flag, lab_flags, (int)(sizeof lab_flags / sizeof lab_flags[0]));
            if (best) lab_usage_error("unknown flag '%s' (did you mean '%s'?)", flag, best);
            lab_usage_error("unknown flag '%s'", flag);
        }
        if (lab_flag_is_switch(flag)) {
            if (eq) lab_usage_error("%s takes no value", flag);
        } else if (eq) {
            value = eq + 1;
        } else {
            if (i + 1 >= argc) lab_usage_error("%s needs a value", flag);
            value = argv[++i];
        }
        if (!strcmp(flag, "--help")) { lab_help(); exit(0); }
        else if (!strcmp(flag, "--quiet")) o->quiet = 1;
        else if (!strcmp(flag, "--standardize")) o->standardize = 1;
        else if (!strcmp(flag, "--predict")) o->predict = 1;
        else if (!*value) lab_usage_error("%s: an empty value", flag);
        else if (!strcmp(flag, "--data")) o->data = value;
        else if (!strcmp(flag, "--data-dir")) o->data_dir = value;
        else if (!strcmp(flag, "--arch")) o->arch = value;
        else if (!strcmp(flag, "--hidden")) o->hidden = value;
        else if (!strcmp(flag, "--activation")) {
            int act;
            float param;
            if (initnn_activation_parse(&act, &param, value) != 0) lab_usage_error("--activation: %s", initnn_last_error());
            if (act == INITNN_ACT_SOFTMAX) lab_usage_error("--activation: softmax is for the output layer only");
            o->activation = value;
            o->activation_set = 1;
        } else if (!strcmp(flag, "--init")) lab_parse_inits(o, value);
        else if (!strcmp(flag, "--bias-init")) {
            initnn_init_spec parsed;
            if (initnn_init_parse(&parsed, value) != 0) lab_usage_error("--bias-init '%s': %s", value, initnn_last_error());
            if (parsed.kind == INITNN_INIT_ORTHOGONAL || parsed.kind == INITNN_INIT_IDENTITY)
                lab_usage_error("--bias-init '%s': a bias is a vector; use zeros, constant:c or a random spec", value);
            o->bias_init = value;
        } else if (!strcmp(flag, "--opt")) {
            if (!strcmp(value, "adam")) o->optimizer = INITNN_OPT_ADAM;
            else if (!strcmp(value, "sgd")) o->optimizer = INITNN_OPT_SGD;
            else if (!strcmp(value, "rmsprop")) o->optimizer = INITNN_OPT_RMSPROP;
            else lab_usage_error("--opt: '%s' is not adam, sgd or rmsprop", value);
        } else if (!strcmp(flag, "--lr")) o->lr = lab_parse_double(flag, value, 0.0, 1e3, 0);
        else if (!strcmp(flag, "--momentum")) { o->momentum = lab_parse_double(flag, value, 0.0, 0.9999, 0); o->momentum_set = 1; }
        else if (!strcmp(flag, "--batch")) o->batch = !strcmp(value, "full") ? 0 : (int)lab_parse_long(flag, value, 1, 1000000);
        else if (!strcmp(flag, "--epochs")) o->epochs = (int)lab_parse_long(flag, value, 1, 100000);
        else if (!strcmp(flag, "--val-split")) {
            o->val_split = lab_parse_double(flag, value, 0.0, 0.9, 1);
            o->val_split_set = 1;
        } else if (!strcmp(flag, "--val")) {
            if (!strcmp(value, "test")) o->val_mode = LAB_VAL_TEST;
            else if (!strcmp(value, "none")) o->val_mode = LAB_VAL_NONE;
            else lab_usage_error("--val: '%s' is not test or none (a fraction goes to --val-split)", value);
        } else if (!strcmp(flag, "--test-split")) o->test_split = lab_parse_double(flag, value, 0.0, 0.9, 1);
        else if (!strcmp(flag, "--patience")) o->patience = (int)lab_parse_long(flag, value, 0, 100000);
        else if (!strcmp(flag, "--clip-norm")) o->clip_norm = lab_parse_double(flag, value, 0.0, 1e30, 1);
        else if (!strcmp(flag, "--seeds")) o->seeds = (int)lab_parse_long(flag, value, 1, LAB_MAX_SEEDS);
        else if (!strcmp(flag, "--out")) o->out = value;
        else if (!strcmp(flag, "--train-limit")) o->train_limit = lab_parse_long(flag, value, 2, 2000000000L);
        else if (!strcmp(flag, "--test-limit")) o->test_limit = lab_parse_long(flag, value, 1, 2000000000L);
        else if (!strcmp(flag, "--save-model")) o->save_model = value;
        else if (!strcmp(flag, "--export-npy")) o->export_npy = value;
        else if (!strcmp(flag, "--samples")) o->samples = (int)lab_parse_long(flag, value, 10, 100000000L);
        else if (!strcmp(flag, "--noise")) { o->noise = lab_parse_double(flag, value, 0.0, 1e3, 0); o->noise_set = 1; }
        else if (!strcmp(flag, "--factor")) {
            o->factor = lab_parse_double(flag, value, 0.0, 1.0, 1);
            if (o->factor >= 1.0) lab_usage_error("--factor: %s must be < 1", value);
        } else if (!strcmp(flag, "--classes")) o->classes = (int)lab_parse_long(flag, value, 2, 1000);
        else if (!strcmp(flag, "--features")) o->features = (int)lab_parse_long(flag, value, 1, 4096);
        else if (!strcmp(flag, "--data-seed")) o->data_seed = lab_parse_long(flag, value, 0, 2147483647L);
        else if (!strcmp(flag, "--task")) {
            if (!strcmp(value, "classification")) o->task = 1;
            else if (!strcmp(value, "regression")) o->task = 0;
            else lab_usage_error("--task: '%s' is not classification or regression", value);
        }
    }
    if (o->arch && o->hidden) lab_usage_error("--arch and --hidden both given; use one");
    if (o->arch && o->activation_set)
        lab_usage_error("--activation goes with --hidden; with --arch write the activations into it");
    if (o->val_split_set && o->val_mode != LAB_VAL_SPLIT)
        lab_usage_error("--val-split and --val both given; use one");
    if (o->momentum_set && o->optimizer != INITNN_OPT_SGD) lab_usage_error("--momentum is for --opt sgd only");
    if (o->patience > 0 && o->val_mode == LAB_VAL_NONE) lab_usage_error("--patience needs validation data (not --val none)");
    if (o->task >= 0 && strncmp(o->data, "csv:", 4) != 0) lab_usage_error("--task is for csv data only");
    if (o->init_count == 0) {
        lab_add_init(o, "glorot_uniform");
        lab_add_init(o, "he_normal");
    }
    if (o->lr < 0.0) o->lr = o->optimizer == INITNN_OPT_SGD ? 1e-2 : 1e-3;
}

/* ---- data ------------------------------------------------------------------------------ */

typedef struct lab_dataset {
    char description[8192];
    initnn_data source_train, source_test;   /* what was loaded (owned)              */
    float *float_copy[2];                    /* float features when standardizing    */
    initnn_data train, val, test;            /* views                                */
    int has_val, val_is_test, classification;
    int channels, height, width;
    float input_scale;                       /* raw file value -> feature: 1/255 for bytes */
    float *mean, *std;                       /* --standardize: the training set's          */
    char notes[4096];                        /* warnings about the data, for summary.md    */
} lab_dataset;

/* A warning about the data: on stderr now and in summary.md. */
static void lab_data_note(lab_dataset *ds, const char *format, ...)
{
    char text[1024];
    va_list args;
    va_start(args, format);
    vsnprintf(text, sizeof text, format, args);
    va_end(args);
    fprintf(stderr, "initlab: warning: %s\n", text);
    if (strlen(ds->notes) + strlen(text) + 8 < sizeof ds->notes) {
        strcat(ds->notes, "- ");
        strcat(ds->notes, text);
        strcat(ds->notes, "\n");
    }
}

static void lab_append(char *buf, size_t size, const char *format, ...)
{
    size_t used = strlen(buf);
    va_list args;
    if (used >= size) return;
    va_start(args, format);
    vsnprintf(buf + used, size - used, format, args);
    va_end(args);
}

static int lab_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Whether the first non-blank line of a CSV has a cell that is not a number
   (a UTF-8 byte-order mark before it is not part of it). When exactly one
   of several cells is text, the line may be a data row with a stray cell
   rather than a header: *stray gets that cell's 1-based column and *text
   its text (else *stray is 0). */
static int lab_csv_has_header(const char *path, int *stray, char *text, size_t text_size)
{
    FILE *f;
    char line[65536];
    int header = 0, cells = 0, texts = 0, column = 0;
    struct stat st;
    *stray = 0;
    /* Not a regular file (a FIFO would block here): the loader says so. */
    if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    f = fopen(path, "rb");
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) {
        char *cell, *save, *start = line;
        size_t n = strspn(line, " \t\r\n");
        if (line[n] == '\0') continue;
        if (!strncmp(start, "\xEF\xBB\xBF", 3)) start += 3;
        for (cell = start; cell; cell = save) {
            char *end, *s = cell, *e;
            save = strchr(cell, ',');
            if (save) *save++ = '\0';
            while (*s == ' ' || *s == '\t' || *s == '"') s++;
            e = s + strlen(s);
            while (e > s && strchr(" \t\r\n\"", e[-1])) *--e = '\0';
            strtod(s, &end);
            cells++;
            if (end == s || *end) {
                header = 1;
                if (texts++ == 0) {
                    column = cells;
                    snprintf(text, text_size, "%.60s", s);
                }
            }
        }
        break;
    }
    fclose(f);
    if (texts == 1 && cells > 2) *stray = column;
    return header;
}

/* Warnings a CSV deserves: whole-number targets read as regression, and
   classes without a sample (labels 1 and 2 make a net of 3 outputs). */
static void lab_csv_warnings(lab_dataset *ds, const lab_options *o)
{
    const initnn_data *d = &ds->source_train;
    int i;
    if (!ds->classification && o->task < 0 && d->targets) {
        int whole = 1, distinct = 0;
        float seen[21];
        for (i = 0; i < d->count && whole; i++) {
            float t = d->targets[i];
            int k;
            if (t != floorf(t)) whole = 0;
            for (k = 0; k < distinct && seen[k] != t; k++) {}
            if (k == distinct && distinct < 21) seen[distinct++] = t;
        }
        if (whole)
            lab_data_note(ds, "the target column holds only whole numbers (%s%d distinct values) and is trained as a "
                          "regression target; if they are classes, add --task classification",
                          distinct > 20 ? "more than " : "", distinct > 20 ? 20 : distinct);
    }
    if (ds->classification && d->labels && d->classes > 0) {
        int *count = (int *)calloc((size_t)d->classes, sizeof(int)), empty = 0, first = -1;
        if (!count) lab_fatal("out of memory");
        for (i = 0; i < d->count; i++) count[d->labels[i]]++;
        for (i = 0; i < d->classes; i++)
            if (!count[i]) { if (first < 0) first = i; empty++; }
        if (empty)
            lab_data_note(ds, "%d of the %d classes have no sample (the first is class %d): the labels run from 0 to %d "
                          "and the net gets %d outputs; are the labels 1-based (1.0, 2.0, ...)?", empty, d->classes, first,
                          d->classes - 1, d->classes);
        free(count);
    }
}

/* Shuffles the rows of a loaded set in place (its arrays are its own). */
static void lab_shuffle_rows(initnn_data *d, uint64_t seed)
{
    initnn_rng rng;
    float *x = (float *)d->x, *t = (float *)d->targets, tmp;
    int *labels = (int *)d->labels, i, k;
    initnn_rng_seed(&rng, seed);
    for (i = d->count - 1; i > 0; i--) {
        int j = (int)initnn_rng_below(&rng, (uint32_t)i + 1u);
        for (k = 0; k < d->features; k++) {
            tmp = x[(size_t)i * d->features + k];
            x[(size_t)i * d->features + k] = x[(size_t)j * d->features + k];
            x[(size_t)j * d->features + k] = tmp;
        }
        if (labels) { int l = labels[i]; labels[i] = labels[j]; labels[j] = l; }
        if (t)
            for (k = 0; k < d->target_dim; k++) {
                tmp = t[(size_t)i * d->target_dim + k];
                t[(size_t)i * d->target_dim + k] = t[(size_t)j * d->target_dim + k];
                t[(size_t)j * d->target_dim + k] = tmp;
            }
    }
}

/* Replaces uint8 features by float ones (x / 255), owned by *copy. */
static void lab_to_float(initnn_data *d, float **copy)
{
    size_t n = (size_t)d->count * (size_t)d->features, k;
    if (d->x || !d->x_u8) return;
    *copy = (float *)lab_alloc(n * sizeof(float));
    for (k = 0; k < n; k++) (*copy)[k] = (float)d->x_u8[k] * (1.0f / 255.0f);
    d->x = *copy;
    d->x_u8 = NULL;
}

/* The rows and columns of an IDX image file (its header, big-endian, after
   initnn_load_idx has checked it). */
static void lab_idx_size(const char *path, int *rows, int *cols)
{
    unsigned char head[16];
    FILE *f = fopen(path, "rb");
    if (!f || fread(head, 1, 16, f) != 16) lab_fatal("%s: cannot read the header: %s", path, strerror(errno));
    fclose(f);
    *rows = (int)((unsigned)head[8] << 24 | (unsigned)head[9] << 16 | (unsigned)head[10] << 8 | head[11]);
    *cols = (int)((unsigned)head[12] << 24 | (unsigned)head[13] << 16 | (unsigned)head[14] << 8 | head[15]);
}

static void lab_load_idx_set(lab_dataset *ds, const lab_options *o, const char *sub, const char *title)
{
    char images[LAB_PATH_MAX], labels[LAB_PATH_MAX], train_images[LAB_PATH_MAX];
    int rows, cols, test_rows, test_cols;
    snprintf(images, sizeof images, "%s/%s/train-images-idx3-ubyte", o->data_dir, sub);
    snprintf(labels, sizeof labels, "%s/%s/train-labels-idx1-ubyte", o->data_dir, sub);
    if (!lab_file_exists(images))
        lab_fatal("%s is missing: run `make data` (or sh scripts/fetch_data.sh %s)", images, sub);
    if (initnn_load_idx(&ds->source_train, images, labels) != 0) lab_fatal("%s", initnn_last_error());
    lab_idx_size(images, &rows, &cols);
    memcpy(train_images, images, sizeof images);
    snprintf(images, sizeof images, "%s/%s/t10k-images-idx3-ubyte", o->data_dir, sub);
    snprintf(labels, sizeof labels, "%s/%s/t10k-labels-idx1-ubyte", o->data_dir, sub);
    if (initnn_load_idx(&ds->source_test, images, labels) != 0) lab_fatal("%s", initnn_last_error());
    lab_idx_size(images, &test_rows, &test_cols);
    /* Images of any size train (dense nets see rows x cols features, conv
       nets the picture); the two sets must agree. */
    if (test_rows != rows || test_cols != cols)
        lab_fatal("%s has images of %d x %d pixels but %s has %d x %d: both sets need one size", images, test_rows,
                  test_cols, train_images, rows, cols);
    ds->channels = 1;
    ds->height = rows;
    ds->width = cols;
    ds->classification = 1;
    ds->input_scale = 1.0f / 255.0f;
    /* A label found only in the test set still counts as a class: the net
       gets one output per class, and the description says the same number. */
    if (ds->source_test.classes > ds->source_train.classes) ds->source_train.classes = ds->source_test.classes;
    snprintf(ds->description, sizeof ds->description, "%s (%s/%s): %d training and %d test images of %d x %d "
             "pixels scaled to [0, 1], %d classes", title, o->data_dir, sub, ds->source_train.count,
             ds->source_test.count, rows, cols, ds->source_train.classes);
}

/* CIFAR-10 (DIR/data_batch_1..5.bin, DIR/test_batch.bin) or CIFAR-100
   (DIR/train.bin, DIR/test.bin, fine labels): the binary versions. */
static void lab_load_cifar(lab_dataset *ds, const char *dir, int hundred)
{
    char paths[6][LAB_PATH_MAX];
    const char *ptrs[6];
    int i, train_files = hundred ? 1 : 5;
    for (i = 0; i < train_files; i++) {
        if (hundred) snprintf(paths[i], sizeof paths[i], "%s/train.bin", dir);
        else snprintf(paths[i], sizeof paths[i], "%s/data_batch_%d.bin", dir, i + 1);
        ptrs[i] = paths[i];
    }
    snprintf(paths[train_files], sizeof paths[0], "%s/%s", dir, hundred ? "test.bin" : "test_batch.bin");
    ptrs[train_files] = paths[train_files];
    if (initnn_load_cifar(&ds->source_train, ptrs, train_files, hundred ? 2 : 0) != 0) lab_fatal("%s", initnn_last_error());
    if (initnn_load_cifar(&ds->source_test, &ptrs[train_files], 1, hundred ? 2 : 0) != 0)
        lab_fatal("%s", initnn_last_error());
    ds->channels = 3;
    ds->height = ds->width = 32;
    ds->classification = 1;
    ds->input_scale = 1.0f / 255.0f;
    snprintf(ds->description, sizeof ds->description, "CIFAR-%s (%s): %d training and %d test images of "
             "3 x 32 x 32 scaled to [0, 1], %s", hundred ? "100" : "10", dir, ds->source_train.count,
             ds->source_test.count, hundred ? "100 fine classes" : "10 classes");
}

static void lab_load(lab_dataset *ds, const lab_options *o)
{
    const char *d = o->data;
    int own_test = 0, err = 0, stray = 0;
    char stray_text[64];
    memset(ds, 0, sizeof *ds);
    ds->channels = ds->height = 1;
    ds->input_scale = 1.0f;
    if (!strcmp(d, "mnist")) { lab_load_idx_set(ds, o, "mnist", "MNIST"); own_test = 1; }
    else if (!strcmp(d, "fashion")) { lab_load_idx_set(ds, o, "fashion", "Fashion-MNIST"); own_test = 1; }
    else if (!strncmp(d, "cifar10:", 8)) { lab_load_cifar(ds, d + 8, 0); own_test = 1; }
    else if (!strncmp(d, "cifar100:", 9)) { lab_load_cifar(ds, d + 9, 1); own_test = 1; }
    else if (!strcmp(d, "moons") || !strcmp(d, "circles") || !strcmp(d, "spirals")) {
        double noise = o->noise_set ? o->noise : !strcmp(d, "circles") ? 0.1 : 0.2;
        if (!strcmp(d, "moons")) err = initnn_make_moons(&ds->source_train, o->samples, (float)noise, (uint64_t)o->data_seed);
        else if (!strcmp(d, "circles"))
            err = initnn_make_circles(&ds->source_train, o->samples, (float)noise, (float)o->factor, (uint64_t)o->data_seed);
        else err = initnn_make_spirals(&ds->source_train, o->samples, o->classes, (float)noise, (uint64_t)o->data_seed);
        if (err) lab_usage_error("--data %s: %s", d, initnn_last_error());
        ds->classification = 1;
        snprintf(ds->description, sizeof ds->description, "%s (generated): %d points, 2 features, %d classes, noise %g, "
                 "data seed %ld", !strcmp(d, "moons") ? "two moons" : !strcmp(d, "circles") ? "two circles" : "spirals",
                 o->samples, ds->source_train.classes, noise, o->data_seed);
        if (!strcmp(d, "circles")) lab_append(ds->description, sizeof ds->description, ", factor %g", o->factor);
    } else if (!strcmp(d, "regression")) {
        double noise = o->noise_set ? o->noise : 0.1;
        if (initnn_make_regression(&ds->source_train, o->samples, o->features, (float)noise, (uint64_t)o->data_seed))
            lab_usage_error("--data regression: %s", initnn_last_error());
        ds->classification = 0;
        snprintf(ds->description, sizeof ds->description, "linear regression (generated): %d samples, %d features "
                 "~ N(0, 1), target x.w + 0.5 + N(0, %g^2), data seed %ld", o->samples, o->features, noise, o->data_seed);
    } else if (!strncmp(d, "csv:", 4)) {
        const char *colon = strrchr(d + 4, ':');
        char path[LAB_PATH_MAX];
        int header;
        if (!colon || colon == d + 4 || colon[1] == '\0')
            lab_usage_error("--data '%s': expected csv:PATH:TARGET (TARGET a column name or index)", d);
        if ((size_t)(colon - (d + 4)) >= sizeof path) lab_usage_error("--data: path too long");
        memcpy(path, d + 4, (size_t)(colon - (d + 4)));
        path[colon - (d + 4)] = '\0';
        if (!lab_file_exists(path)) lab_fatal("%s: no such file", path);
        header = lab_csv_has_header(path, &stray, stray_text, sizeof stray_text);
        ds->classification = o->task == 1;
        if (initnn_load_csv(&ds->source_train, path, colon + 1, header, ds->classification) != 0) {
            if (strstr(initnn_last_error(), "text class labels need classification"))
                lab_usage_error("--data '%s': %s: add --task classification", d, initnn_last_error());
            if (strstr(initnn_last_error(), "target") || strstr(initnn_last_error(), "no column named"))
                lab_usage_error("--data '%s': %s", d, initnn_last_error());
            lab_fatal("%s", initnn_last_error());
        }
        if (stray)
            lab_data_note(ds, "%s: the first line was taken as a header because its column %d ('%s') is not a "
                          "number, though every other cell of it is: if the file has no header, that row is lost; "
                          "fix or remove the cell", path, stray, stray_text);
        lab_shuffle_rows(&ds->source_train, (uint64_t)o->data_seed);
        snprintf(ds->description, sizeof ds->description, "CSV %s (%s): %d rows, %d features, target column '%s' "
                 "(%s), rows shuffled with data seed %ld", path, header ? "with a header" : "no header",
                 ds->source_train.count, ds->source_train.features, colon + 1,
                 ds->classification ? "class labels" : "regression", o->data_seed);
        if (ds->source_train.class_names) {
            int k;
            lab_append(ds->description, sizeof ds->description, "; text labels as classes (sorted):");
            for (k = 0; k < ds->source_train.classes; k++)
                lab_append(ds->description, sizeof ds->description, "%s %d = '%s'", k ? "," : "", k,
                           ds->source_train.class_names[k]);
        }
        lab_csv_warnings(ds, o);
    } else {
        lab_usage_error("--data: unknown data set '%s' (mnist, fashion, cifar10:DIR, cifar100:DIR, moons, circles, spirals, "
                        "regression, csv:PATH:TARGET)", d);
    }
    ds->width = ds->source_train.features / (ds->channels * ds->height);

    if (o->standardize) {
        lab_to_float(&ds->source_train, &ds->float_copy[0]);
        if (own_test) lab_to_float(&ds->source_test, &ds->float_copy[1]);
    }
    /* Train and test. */
    if (own_test) {
        ds->train = ds->source_train;
        ds->train.storage = NULL;
        ds->test = ds->source_test;
        ds->test.storage = NULL;
    } else {
        if (initnn_data_split(&ds->train, &ds->test, &ds->source_train, (float)o->test_split) != 0)
            lab_usage_error("--test-split: %s", initnn_last_error());
        lab_append(ds->description, sizeof ds->description, "; the last %g of them are the test set (%d)",
                   o->test_split, ds->test.count);
    }
    if (o->train_limit > 0 && o->train_limit < ds->train.count) {
        ds->train.count = (int)o->train_limit;
        lab_append(ds->description, sizeof ds->description, "; training on the first %ld training samples only",
                   o->train_limit);
    }
    if (o->test_limit > 0 && o->test_limit < ds->test.count) {
        ds->test.count = (int)o->test_limit;
        lab_append(ds->description, sizeof ds->description, "; testing on the first %ld test samples only",
                   o->test_limit);
    }
    /* Validation. */
    if (o->val_mode == LAB_VAL_SPLIT) {
        initnn_data all = ds->train;
        if (initnn_data_split(&ds->train, &ds->val, &all, (float)o->val_split) != 0)
            lab_usage_error("--val-split: %s", initnn_last_error());
        ds->has_val = 1;
        lab_append(ds->description, sizeof ds->description, "; validation: the last %g of the training samples "
                   "(%d), training on the other %d", o->val_split, ds->val.count, ds->train.count);
    } else if (o->val_mode == LAB_VAL_TEST) {
        ds->val = ds->test;
        ds->has_val = ds->val_is_test = 1;
        lab_append(ds->description, sizeof ds->description, "; validation: the test set (%d), training on %d samples",
                   ds->test.count, ds->train.count);
    } else {
        lab_append(ds->description, sizeof ds->description, "; no validation set, training on %d samples", ds->train.count);
    }
    if (o->standardize) {
        int f = ds->train.features;
        float *mean = (float *)lab_alloc((size_t)f * sizeof(float)), *std = (float *)lab_alloc((size_t)f * sizeof(float));
        if (initnn_standardize_fit(mean, std, &ds->train) != 0) lab_fatal("%s", initnn_last_error());
        /* The whole of each loaded set: train, validation and test views
           all point into them. */
        initnn_standardize_apply((float *)ds->source_train.x, ds->source_train.count, f, mean, std);
        if (own_test) initnn_standardize_apply((float *)ds->source_test.x, ds->source_test.count, f, mean, std);
        lab_append(ds->description, sizeof ds->description, "; every feature z-scored with the mean and std of the "
                   "%d training samples (kept in the --save-model checkpoint)", ds->train.count);
        ds->mean = mean;
        ds->std = std;
    }
    if (!ds->classification && ds->train.target_dim != 1)
        lab_fatal("regression data needs one target column, got %d", ds->train.target_dim);
}

static void lab_free_data(lab_dataset *ds)
{
    initnn_data_free(&ds->source_train);
    initnn_data_free(&ds->source_test);
    free(ds->float_copy[0]);
    free(ds->float_copy[1]);
    free(ds->mean);
    free(ds->std);
}

/* ---- the experiment's state ----------------------------------------------------------- */

typedef struct lab_run_result {
    int epochs_run;
    int diverged;               /* training stopped on a NaN or Inf                   */
    char message[1024];
    double final_loss[3], final_metric[3];   /* train, val, test of the final model  */
    double init_loss, init_zero, init_sat;   /* on the probe batch              */
    double init_first_grad;     /* the first weighted layer's gradient norm, probe    */
    double init_val_loss, init_val_metric;
    double *init_act_var;       /* per weighted layer, on the probe batch             */
    float *first_weights;       /* the first weighted layer's kernel, at init         */
    size_t first_weight_count;
} lab_run_result;

typedef struct lab {
    lab_options opt;
    lab_dataset data;
    char arch[8192];
    int weighted_layers;        /* layers with weights: the act_var_* columns        */
    int weighted_index[INITNN_MAX_LAYERS];
    int has_relu, has_saturating, has_conv;
    char layer_names[INITNN_MAX_LAYERS][40];   /* of the weighted layers: "conv2d 32" */
    size_t param_count;
    double *hist;               /* [init][seed][epoch 0..epochs][F_COUNT]; epoch 0 is
                                   the state at initialization                       */
    double *ratio;              /* [init][seed][epoch 0..epochs][weighted layer]: the
                                   update:data ratio, mean over the epoch's steps
                                   (NaN at epoch 0: no step yet)                     */
    double *ratio_sum;          /* [weighted layer]: the running epoch's sums ...    */
    int *ratio_steps;           /* ... over its steps that had a ratio               */
    lab_run_result *runs;       /* [init][seed]                                      */
    FILE *log, *init_log;
    initnn_file log_out, init_log_out;   /* all or nothing: committed at the end */
    int write_errors;           /* output files that could not be written (kept old) */
    float *probe_x;
    int *probe_labels;
    float *probe_targets;
    int probe_n;
    int max_batch;
    initnn_layer_diag *diag;
    double start_time;
    long epochs_done, epochs_planned;
    int progress_shown;
    char plots[16][64];
    int plot_count;
    char pngs[LAB_MAX_INITS * 2][INITNN_SPEC_MAX + 64];   /* weight pictures, seed 1 */
    int png_count;
} lab;

static double lab_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double *lab_hist(lab *L, int init, int seed, int epoch)
{
    return L->hist + (((size_t)init * L->opt.seeds + (size_t)seed) * (size_t)(L->opt.epochs + 1) + (size_t)epoch) * F_COUNT;
}

static double *lab_ratio(lab *L, int init, int seed, int epoch)
{
    return L->ratio + (((size_t)init * L->opt.seeds + (size_t)seed) * (size_t)(L->opt.epochs + 1) + (size_t)epoch) *
                          (size_t)L->weighted_layers;
}

static lab_run_result *lab_run(lab *L, int init, int seed)
{
    return &L->runs[(size_t)init * L->opt.seeds + (size_t)seed];
}

static const char *lab_metric_name(const lab *L) { return L->data.classification ? "acc" : "mae"; }
static const char *lab_metric_title(const lab *L) { return L->data.classification ? "accuracy" : "MAE"; }

/* mkdir -p for the folder of flag (--out, --export-npy) */
static void lab_mkdirs(const char *flag, const char *path)
{
    char buf[LAB_PATH_MAX];
    size_t i, n = strlen(path);
    if (n >= sizeof buf) lab_output_error("%s: the path is too long (%lu characters, at most %d)", flag,
                                          (unsigned long)n, LAB_PATH_MAX - 1);
    memcpy(buf, path, n + 1);
    for (i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) == 0) {
                if (!lab_made_dirs[1][0]) memcpy(lab_made_dirs[1], buf, i + 1);
                memcpy(lab_made_dirs[0], buf, i + 1);
            } else if (errno != EEXIST) {
                int e = errno;
                lab_output_error("%s: %s: cannot create the folder: %s", flag, buf, strerror(e));
            }
            buf[i] = c;
        }
    }
}

/* OUT/NAME into path (LAB_PATH_MAX); a path that does not fit is an error,
   never a cut name. */
static void lab_out_path(const lab *L, char *path, const char *name)
{
    int n = snprintf(path, LAB_PATH_MAX, "%s/%s", L->opt.out, name);
    if (n < 0 || n >= LAB_PATH_MAX)
        lab_output_error("--out: %s/%s is longer than %d characters", L->opt.out, name, LAB_PATH_MAX - 1);
}

/* An output that could not be written: said on stderr at once; the lab
   writes the others and exits 1 at the end. The file there keeps its old
   content (initnn_file). */
static void lab_write_error(lab *L, const char *message)
{
    fprintf(stderr, "initlab: %s\n", message);
    L->write_errors++;
}

/* Every file the lab writes goes through initnn_file: a temporary beside
   it, renamed over it once complete. */
static FILE *lab_open_out(const lab *L, initnn_file *out, const char *name)
{
    char path[LAB_PATH_MAX];
    lab_out_path(L, path, name);
    if (initnn_file_begin(out, path) != 0) lab_fatal("%s", initnn_last_error());
    return out->stream;
}

static void lab_close_out(lab *L, initnn_file *out)
{
    if (initnn_file_commit(out) != 0) lab_write_error(L, initnn_last_error());
}

/* A CSV cell: the value, or empty when it is not a number. */
static void lab_csv_num(FILE *f, double v)
{
    if (v - v == 0.0) fprintf(f, ",%.7g", v);
    else fputc(',', f);
}

/* The net's architecture for the options (--arch, or --hidden). */
static void lab_make_arch(lab *L)
{
    const lab_options *o = &L->opt;
    const char *hidden = o->hidden ? o->hidden : "64,64";
    const char *p = hidden;
    int outputs = L->data.classification ? L->data.source_train.classes : 1;
    if (o->arch) {
        if (strlen(o->arch) >= sizeof L->arch) lab_usage_error("--arch is too long");
        strcpy(L->arch, o->arch);
        return;
    }
    L->arch[0] = '\0';
    while (*p) {
        char *end;
        long width = strtol(p, &end, 10), repeat = 1, k;
        if (end == p || width < 1 || width > 1000000) lab_usage_error("--hidden '%s': expected widths like 256,256,128 or 256x29", hidden);
        if (*end == 'x') {
            const char *r = end + 1;
            repeat = strtol(r, &end, 10);
            if (end == r || repeat < 1 || repeat > 250) lab_usage_error("--hidden '%s': NxK needs 1 <= K <= 250", hidden);
        }
        if (*end != ',' && *end != '\0') lab_usage_error("--hidden '%s': expected widths like 256,256,128 or 256x29", hidden);
        for (k = 0; k < repeat; k++) {
            if (strlen(L->arch) + 96 >= sizeof L->arch) lab_usage_error("--hidden: too many layers");
            lab_append(L->arch, sizeof L->arch, "dense:%ld,%s,", width, o->activation);
        }
        p = *end ? end + 1 : end;
    }
    if (L->data.classification) lab_append(L->arch, sizeof L->arch, "dense:%d,softmax", outputs);
    else lab_append(L->arch, sizeof L->arch, "dense:1");
}

/* Builds the net of one run. Errors in the architecture are usage errors. */
static initnn_net *lab_build_net(lab *L, const char *init, int seed)
{
    const lab_options *o = &L->opt;
    initnn_net *net = NULL;
    initnn_optimizer opt;
    int err = initnn_net_from_arch(&net, L->arch, L->data.channels, L->data.height, L->data.width, init,
                                   o->bias_init, L->max_batch, (uint64_t)seed);
    int outputs;
    if ((err == INITNN_ERR_SPEC || err == INITNN_ERR_NONFINITE) && strstr(initnn_last_error(), "init spec '"))
        lab_usage_error("--init '%s': %s", init, initnn_last_error());
    if (err == INITNN_ERR_SPEC || err == INITNN_ERR_ARGUMENT || err == INITNN_ERR_OVERFLOW)
        lab_usage_error("--arch: %s", initnn_last_error());
    if (err == INITNN_ERR_MEMORY) lab_usage_error("--arch: the net does not fit in memory: %s", initnn_last_error());
    if (err) lab_fatal("%s", initnn_last_error());
    outputs = initnn_net_output_dim(net);
    if (L->data.classification) {
        const initnn_layer *last = &net->layers[net->layer_count - 1];
        if (outputs != L->data.source_train.classes)
            lab_usage_error("--arch: the net has %d outputs but the data has %d classes", outputs,
                            L->data.source_train.classes);
        if (last->type != INITNN_LAYER_DENSE || last->activation != INITNN_ACT_SOFTMAX)
            lab_usage_error("--arch: a classifier must end in dense:%d,softmax", outputs);
        err = initnn_net_set_loss(net, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY);
    } else {
        if (outputs != 1) lab_usage_error("--arch: a regression net needs 1 output, this one has %d", outputs);
        err = initnn_net_set_loss(net, INITNN_LOSS_MSE);
    }
    if (err) lab_fatal("%s", initnn_last_error());
    opt = o->optimizer == INITNN_OPT_SGD ? initnn_sgd((float)o->lr, (float)o->momentum, 0)
        : o->optimizer == INITNN_OPT_RMSPROP ? initnn_rmsprop((float)o->lr) : initnn_adam((float)o->lr);
    opt.clip_norm = (float)o->clip_norm;
    if (initnn_net_set_optimizer(net, &opt) != 0) lab_fatal("%s", initnn_last_error());
    return net;
}

/* Fraction of ReLU outputs that are 0 and of tanh/sigmoid outputs beyond the
   saturation threshold, over the layers that have them, from diagnostics. */
/* Fraction of the hidden units (ReLU, tanh, sigmoid layers) that are dead or
   saturated for every sample of the probe batch (initnn_layer_diag's
   stuck_fraction, weighted by the layers' units); NaN without such layers. */
static double lab_stuck_units(const initnn_net *net, const initnn_layer_diag *diag)
{
    double stuck = 0, units = 0;
    int l;
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *layer = &net->layers[l];
        if (!layer->weight_count) continue;
        if (layer->activation != INITNN_ACT_RELU && layer->activation != INITNN_ACT_TANH &&
            layer->activation != INITNN_ACT_SIGMOID)
            continue;
        stuck += diag[l].stuck_fraction * layer->out_c;
        units += layer->out_c;
    }
    return units > 0 ? stuck / units : NAN;
}

static void lab_fractions(const initnn_net *net, const initnn_layer_diag *diag, double *zero, double *sat)
{
    double zeros = 0, relu = 0, saturated = 0, squashing = 0;
    int l;
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *layer = &net->layers[l];
        double n = (double)diag[l].activation.count;
        if (!layer->weight_count) continue;
        if (layer->activation == INITNN_ACT_RELU) { zeros += diag[l].zero_fraction * n; relu += n; }
        if (layer->activation == INITNN_ACT_TANH || layer->activation == INITNN_ACT_SIGMOID) {
            saturated += diag[l].saturated_fraction * n;
            squashing += n;
        }
    }
    *zero = relu > 0 ? zeros / relu : NAN;
    *sat = squashing > 0 ? saturated / squashing : NAN;
}

static void lab_format_duration(char *buf, size_t size, double seconds)
{
    long s = (long)(seconds + 0.5);
    if (s >= 3600) snprintf(buf, size, "%ldh%02ldm", s / 3600, (s / 60) % 60);
    else if (s >= 60) snprintf(buf, size, "%ldm%02lds", s / 60, s % 60);
    else snprintf(buf, size, "%lds", s);
}

typedef struct lab_context {
    lab *L;
    initnn_net *net;
    int init, seed;
    double epoch_start;         /* when the running epoch began                    */
    double last_shown;          /* when progress within it was last shown          */
} lab_context;

/* The progress line, on a terminal only: rewritten in place after every
   epoch, and within an epoch (batches done of the epoch's, the loss so far)
   once the epoch has run for 2 seconds (the environment variable
   INITLAB_PROGRESS_AFTER sets another number of seconds), at most four
   times a second. The ETA counts the finished part of the epoch. */
static double lab_progress_after(void)
{
    static double after = -1.0;
    if (after < 0.0) {
        const char *v = getenv("INITLAB_PROGRESS_AFTER");
        char *end;
        after = v ? strtod(v, &end) : 2.0;
        if (!v || end == v || *end || !(after >= 0.0)) after = 2.0;
    }
    return after;
}
static void lab_progress(lab *L, int init, int seed, int epoch, double loss, int batches_done, int batch_count)
{
    char eta[32], elapsed_text[32], within[64];
    double elapsed = lab_now() - L->start_time;
    double done = (double)L->epochs_done + (batch_count > 0 ? (double)batches_done / batch_count : 0.0);
    double left = done > 0 ? elapsed / done * ((double)L->epochs_planned - done) : 0.0;
    if (L->opt.quiet || !isatty(fileno(stderr))) return;
    lab_format_duration(eta, sizeof eta, left);
    lab_format_duration(elapsed_text, sizeof elapsed_text, elapsed);
    within[0] = '\0';
    if (batch_count > 0)
        snprintf(within, sizeof within, " (batch %d/%d)", batches_done, batch_count);
    fprintf(stderr, "\r\033[K[%d/%d] %s  seed %d/%d  epoch %d/%d%s  loss %.4f  elapsed %s  ETA %s%s",
            init + 1, L->opt.init_count, L->opt.inits[init], seed + 1, L->opt.seeds, epoch, L->opt.epochs, within,
            loss, elapsed_text, eta, L->opt.patience > 0 ? " (at most)" : "");
    fflush(stderr);
    L->progress_shown = 1;
}

/* The update:data ratio of the step just taken, per weighted layer,
   ||W_after - W_before|| / ||W_before|| over the layer's weights (biases
   not counted): initnn_layer_diag's update_ratio, computed here from the
   weights before the step (params_backup) without the rest of the
   diagnostics, so that it costs one pass over the weights per step. Added
   to the epoch's sums; a layer whose weights were all 0 before the step (a
   zeros init) has no ratio for it. */
static void lab_add_update_ratios(lab *L, const initnn_net *net)
{
    int k;
    size_t i;
    for (k = 0; k < L->weighted_layers; k++) {
        const initnn_layer *layer = &net->layers[L->weighted_index[k]];
        const float *before = net->params_backup + layer->param_offset;
        double diff = 0.0, norm = 0.0;
        for (i = 0; i < layer->weight_count; i++) {
            double b = before[i], d = (double)layer->W[i] - b;
            norm += b * b;
            diff += d * d;
        }
        if (norm > 0.0) {
            L->ratio_sum[k] += sqrt(diff / norm);
            L->ratio_steps[k]++;
        }
    }
}

static void lab_on_batch(int epoch, int batches_done, int batch_count, double loss_so_far, void *user)
{
    lab_context *c = (lab_context *)user;
    double now;
    lab_add_update_ratios(c->L, c->net);
    if (batches_done == batch_count) return;   /* the epoch's own line follows */
    now = lab_now();
    if (now - c->epoch_start < lab_progress_after() || now - c->last_shown < 0.25) return;
    c->last_shown = now;
    lab_progress(c->L, c->init, c->seed, epoch, loss_so_far, batches_done, batch_count);
}

static void lab_on_epoch(const initnn_epoch_record *rec, void *user)
{
    lab_context *c = (lab_context *)user;
    lab *L = c->L;
    double *h = lab_hist(L, c->init, c->seed, rec->epoch), zero, sat;
    int k;
    /* The probe batch, evaluation mode, forward only: activations after this
       epoch, comparable from epoch to epoch (the training loop's own
       diagnostics are of its last, partial batch). Takes nothing from the
       net's generator, so training goes on exactly as without it. */
    if (initnn_net_diagnose(c->net, L->diag, NULL, L->probe_x, NULL, NULL, L->probe_n) != 0)
        lab_fatal("diagnostics: %s", initnn_last_error());
    lab_fractions(c->net, L->diag, &zero, &sat);
    h[F_TRAIN_LOSS] = rec->train_loss;
    h[F_TRAIN_METRIC] = rec->train_metric;
    h[F_VAL_LOSS] = rec->val_loss;
    h[F_VAL_METRIC] = rec->val_metric;
    h[F_GRAD_NORM] = rec->grad_norm;
    h[F_ZERO] = zero;
    h[F_SAT] = sat;
    h[F_STUCK] = lab_stuck_units(c->net, L->diag);
    fprintf(L->log, "\"%s\",%d,%d", L->opt.inits[c->init], c->seed + 1, rec->epoch);
    lab_csv_num(L->log, rec->train_loss);
    lab_csv_num(L->log, rec->train_metric);
    lab_csv_num(L->log, rec->val_loss);
    lab_csv_num(L->log, rec->val_metric);
    lab_csv_num(L->log, rec->grad_norm);
    lab_csv_num(L->log, zero);
    lab_csv_num(L->log, sat);
    for (k = 0; k < L->weighted_layers; k++) lab_csv_num(L->log, L->diag[L->weighted_index[k]].activation.variance);
    for (k = 0; k < L->weighted_layers; k++) {
        double ratio = L->ratio_steps[k] ? L->ratio_sum[k] / L->ratio_steps[k] : NAN;
        lab_ratio(L, c->init, c->seed, rec->epoch)[k] = ratio;
        lab_csv_num(L->log, ratio);
        L->ratio_sum[k] = 0.0;
        L->ratio_steps[k] = 0;
    }
    fprintf(L->log, ",%.3f\n", rec->seconds);
    /* Flushed every epoch (a run can be followed in the temporary); the first
       failure's reason is kept for the message at the end. */
    if (fflush(L->log) != 0 && !L->log_out.error) L->log_out.error = errno ? errno : -1;
    L->epochs_done++;
    lab_run(L, c->init, c->seed)->epochs_run = rec->epoch;
    lab_progress(L, c->init, c->seed, rec->epoch, rec->train_loss, 0, 0);
    c->epoch_start = lab_now();   /* the diagnostics above are the epoch's too, but the next begins now */
}

/* Measures the fresh net on the probe batch: init.csv rows and what the
   summary and the init plots need. */
static void lab_measure_init(lab *L, initnn_net *net, int init, int seed)
{
    lab_run_result *r = lab_run(L, init, seed);
    double grad_norm;
    int l, k = 0;
    if (initnn_net_diagnose(net, L->diag, &grad_norm,
                            L->probe_x, L->data.classification ? L->probe_labels : NULL, L->data.classification ? NULL : L->probe_targets, L->probe_n) != 0)
        lab_fatal("diagnostics: %s", initnn_last_error());
    r->init_loss = initnn_net_loss(net, L->probe_labels, L->probe_targets);
    lab_fractions(net, L->diag, &r->init_zero, &r->init_sat);
    /* Epoch 0 of the curves: the training loss and metric on the probe
       batch, the validation set in full, the probe's gradient norm. */
    {
        const initnn_layer *last = &net->layers[net->layer_count - 1];
        double *h = lab_hist(L, init, seed, 0);
        h[F_TRAIN_LOSS] = r->init_loss;
        h[F_TRAIN_METRIC] = L->data.classification
            ? initnn_accuracy(last->y, L->probe_labels, L->probe_n, last->out)
            : initnn_mean_absolute_error(last->y, L->probe_targets, L->probe_n, last->out);
        h[F_GRAD_NORM] = grad_norm;
        h[F_ZERO] = r->init_zero;
        h[F_SAT] = r->init_sat;
        h[F_STUCK] = lab_stuck_units(net, L->diag);
        for (l = 0; l < net->layer_count; l++)
            if (net->layers[l].weight_count) { r->init_first_grad = L->diag[l].grad_norm; break; }
        if (L->data.has_val && initnn_net_evaluate(net, &h[F_VAL_LOSS], &h[F_VAL_METRIC], &L->data.val) != 0)
            lab_fatal("evaluating at initialization: %s", initnn_last_error());
        r->init_val_loss = h[F_VAL_LOSS];
        r->init_val_metric = h[F_VAL_METRIC];
    }
    r->init_act_var = (double *)lab_alloc((size_t)L->weighted_layers * sizeof(double));
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *layer = &net->layers[l];
        const initnn_layer_diag *d = &L->diag[l];
        if (!layer->weight_count) continue;
        r->init_act_var[k] = d->activation.variance;
        fprintf(L->init_log, "\"%s\",%d,%d,%d,%d,%s", L->opt.inits[init], seed + 1, k, l, layer->out,
                layer->activation_spec[0] ? layer->activation_spec : "identity");
        lab_csv_num(L->init_log, sqrt(d->weights.variance));
        lab_csv_num(L->init_log, d->pre_activation.variance);
        lab_csv_num(L->init_log, d->activation.variance);
        lab_csv_num(L->init_log, d->activation.second_moment);
        lab_csv_num(L->init_log, d->zero_fraction);
        lab_csv_num(L->init_log, d->saturated_fraction);
        lab_csv_num(L->init_log, d->delta.second_moment);
        lab_csv_num(L->init_log, d->grad_norm);
        lab_csv_num(L->init_log, r->init_loss);
        lab_csv_num(L->init_log, r->init_val_loss);
        lab_csv_num(L->init_log, r->init_val_metric);
        fputc('\n', L->init_log);
        if (k == 0) {
            r->first_weight_count = layer->weight_count;
            r->first_weights = (float *)lab_alloc(layer->weight_count * sizeof(float));
            memcpy(r->first_weights, layer->W, layer->weight_count * sizeof(float));
        }
        k++;
    }
    if (fflush(L->init_log) != 0 && !L->init_log_out.error) L->init_log_out.error = errno ? errno : -1;
}

/* Records the net's layout (the weighted layers) from the first net built. */
static void lab_layout(lab *L, const initnn_net *net)
{
    int l;
    L->weighted_layers = 0;
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *layer = &net->layers[l];
        if (!layer->weight_count) continue;
        snprintf(L->layer_names[L->weighted_layers], sizeof L->layer_names[0], "%s %d",
                 layer->type == INITNN_LAYER_CONV2D ? "conv2d" : "dense",
                 layer->type == INITNN_LAYER_CONV2D ? layer->out_c : layer->out);
        if (layer->type == INITNN_LAYER_CONV2D) L->has_conv = 1;
        L->weighted_index[L->weighted_layers++] = l;
        if (layer->activation == INITNN_ACT_RELU) L->has_relu = 1;
        if (layer->activation == INITNN_ACT_TANH || layer->activation == INITNN_ACT_SIGMOID) L->has_saturating = 1;
    }
    L->param_count = net->param_count;
}

#ifdef INITNN_WITH_STB
/* The first weighted layer of a net on 28 x 28 one-channel images as a PNG
   of tiles, weights_<init>_<when>.png (the spec's characters other than
   letters, digits, '.', '-' and '_' become '_'): one 28 x 28 tile per unit
   of a dense layer, one k_h x k_w tile per filter of a conv layer. */
static void lab_weights_png(lab *L, const initnn_net *net, int init, const char *when)
{
    const initnn_layer *first = NULL;
    char safe[INITNN_SPEC_MAX], name[INITNN_SPEC_MAX + 64], path[LAB_PATH_MAX];
    const char *c;
    size_t n;
    int l, tile_h, tile_w, units;
    if (L->data.channels != 1 || L->data.height != 28 || L->data.width != 28) return;
    for (l = 0; l < net->layer_count && !first; l++)
        if (net->layers[l].weight_count) first = &net->layers[l];
    if (!first) return;
    if (first->type == INITNN_LAYER_DENSE && first->in == 28 * 28) {
        tile_h = tile_w = 28;
        units = first->out;
    } else if (first->type == INITNN_LAYER_CONV2D && first->in_c == 1) {
        tile_h = first->kernel_h;
        tile_w = first->kernel_w;
        units = first->out_c;
    } else {
        return;
    }
    for (n = 0, c = L->opt.inits[init]; *c && n + 1 < sizeof safe; c++, n++)
        safe[n] = isalnum((unsigned char)*c) || *c == '.' || *c == '-' || *c == '_' ? *c : '_';
    safe[n] = '\0';
    snprintf(name, sizeof name, "weights_%s_%s.png", safe, when);
    lab_out_path(L, path, name);
    if (initnn_image_write_weights_png(path, first->W, tile_h * tile_w, units, tile_h, tile_w, 256) != 0) {
        lab_write_error(L, initnn_last_error());
        return;
    }
    if (L->png_count < LAB_MAX_INITS * 2) snprintf(L->pngs[L->png_count++], sizeof L->pngs[0], "%s", name);
}
#endif

/* The update:data ratios' table, all NaN (no value), and the running sums. */
static void lab_alloc_ratios(lab *L)
{
    size_t cells = (size_t)L->opt.init_count * (size_t)L->opt.seeds * (size_t)(L->opt.epochs + 1) *
                   (size_t)L->weighted_layers, cell;
    L->ratio = (double *)lab_alloc(cells * sizeof(double));
    for (cell = 0; cell < cells; cell++) L->ratio[cell] = NAN;
    L->ratio_sum = (double *)lab_alloc((size_t)L->weighted_layers * sizeof(double));
    L->ratio_steps = (int *)lab_alloc((size_t)L->weighted_layers * sizeof(int));
}

static void lab_train_all(lab *L)
{
    const lab_options *o = &L->opt;
    int i, s, k;
    initnn_train_config cfg = initnn_train_defaults();
    cfg.epochs = o->epochs;
    cfg.batch_size = o->batch > 0 ? o->batch : L->data.train.count;
    cfg.validation_split = 0.0f;
    cfg.patience = o->patience;
    cfg.restore_best = 1;
    cfg.shuffle = 1;
    cfg.lsuv = 0;
    cfg.on_epoch = lab_on_epoch;
    cfg.on_batch = lab_on_batch;
    for (i = 0; i < o->init_count; i++) {
        for (s = 0; s < o->seeds; s++) {
            lab_context c;
            lab_run_result *r = lab_run(L, i, s);
            double t0 = lab_now();
            int err, epochs_run = 0;
            initnn_net *net = lab_build_net(L, o->inits[i], s + 1);
            if (!L->diag) {
                lab_layout(L, net);
                L->diag = (initnn_layer_diag *)lab_alloc((size_t)net->layer_count * sizeof *L->diag);
                lab_alloc_ratios(L);
                fprintf(L->log, "init,seed,epoch,train_loss,train_%s,val_loss,val_%s,grad_norm,relu_zero_fraction,"
                        "saturated_fraction", lab_metric_name(L), lab_metric_name(L));
                for (k = 0; k < L->weighted_layers; k++) fprintf(L->log, ",act_var_%d", k);
                for (k = 0; k < L->weighted_layers; k++) fprintf(L->log, ",update_ratio_%d", k);
                fprintf(L->log, ",seconds\n");
            }
            if (o->init_is_lsuv[i]) {
                int *iterations = (int *)lab_alloc((size_t)net->layer_count * sizeof(int));
                if (initnn_lsuv(net, L->probe_x, L->probe_n, 0.0f, 0, iterations) != 0) {
                    r->diverged = 1;
                    snprintf(r->message, sizeof r->message, "LSUV failed: %s", initnn_last_error());
                }
                free(iterations);
            }
            lab_measure_init(L, net, i, s);
#ifdef INITNN_WITH_STB
            if (s == 0) lab_weights_png(L, net, i, "epoch0");
#endif
            for (k = 0; k < L->weighted_layers; k++) {
                L->ratio_sum[k] = 0.0;   /* a run that diverged mid-epoch leaves its sums */
                L->ratio_steps[k] = 0;
            }
            c.L = L;
            c.net = net;
            c.init = i;
            c.seed = s;
            c.epoch_start = lab_now();
            c.last_shown = -1.0;
            cfg.user = &c;
            err = r->diverged ? INITNN_ERR_NONFINITE
                : initnn_net_train(net, &L->data.train, L->data.has_val ? &L->data.val : NULL, &cfg, &epochs_run);
            for (k = 0; k < 3; k++) r->final_loss[k] = r->final_metric[k] = NAN;
            if (err == INITNN_ERR_NONFINITE) {
                if (!r->diverged) {
                    r->diverged = 1;
                    snprintf(r->message, sizeof r->message, "diverged in epoch %d: %s", epochs_run + 1, initnn_last_error());
                }
                L->epochs_done += o->epochs - epochs_run;
            } else if (err) {
                lab_fatal("training %s, seed %d: %s", o->inits[i], s + 1, initnn_last_error());
            } else {
                const initnn_data *sets[3];
                sets[0] = &L->data.train;
                sets[1] = L->data.has_val ? &L->data.val : NULL;
                sets[2] = &L->data.test;
                for (k = 0; k < 3; k++) {
                    if (!sets[k]) continue;
                    if (k == 2 && L->data.val_is_test) {
                        r->final_loss[2] = r->final_loss[1];
                        r->final_metric[2] = r->final_metric[1];
                        continue;
                    }
                    if (initnn_net_evaluate(net, &r->final_loss[k], &r->final_metric[k], sets[k]) != 0)
                        lab_fatal("evaluating %s, seed %d: %s", o->inits[i], s + 1, initnn_last_error());
                }
                /* Early stopping: the epochs not run are not planned any more. */
                L->epochs_done += o->epochs - epochs_run;
            }
            r->epochs_run = epochs_run;
#ifdef INITNN_WITH_STB
            if (s == 0) lab_weights_png(L, net, i, "final");
#endif
            if (!o->quiet) {
                char line[2048];
                if (L->progress_shown) { fputs("\r\033[K", stderr); L->progress_shown = 0; }
                if (r->diverged)
                    snprintf(line, sizeof line, "%s seed %d: %s", o->inits[i], s + 1, r->message);
                else if (L->data.classification)
                    snprintf(line, sizeof line, "%s seed %d: %d epochs, train acc %.4f, val acc %.4f, test acc %.4f, %.1f s",
                             o->inits[i], s + 1, epochs_run, r->final_metric[0], r->final_metric[1], r->final_metric[2],
                             lab_now() - t0);
                else
                    snprintf(line, sizeof line, "%s seed %d: %d epochs, train MAE %.4g, val MAE %.4g, test MAE %.4g, %.1f s",
                             o->inits[i], s + 1, epochs_run, r->final_metric[0], r->final_metric[1], r->final_metric[2],
                             lab_now() - t0);
                fprintf(stderr, "initlab: %s\n", line);
            }
            if (o->save_model && i == o->init_count - 1 && s == o->seeds - 1) {
                if (r->diverged) fprintf(stderr, "initlab: the last run diverged; %s not written\n", o->save_model);
                else if (initnn_net_set_preprocessing(net, L->data.mean, L->data.std, L->data.input_scale,
                                                      L->data.source_train.class_names,
                                                      L->data.source_train.class_names ? L->data.source_train.classes : 0))
                    lab_fatal("%s", initnn_last_error());
                else if (initnn_net_save(net, o->save_model) != 0) lab_write_error(L, initnn_last_error());
            }
            if (o->export_npy && i == o->init_count - 1 && s == o->seeds - 1 &&
                initnn_net_export_npy(net, o->export_npy) != 0)
                lab_write_error(L, initnn_last_error());
            initnn_net_free(net);
        }
    }
}

/* ---- statistics over seeds ------------------------------------------------------------ */

/* Mean and sample std (n - 1) of the finite values; *n gets their count.
   std is NaN for fewer than 2 values. */
static void lab_mean_std(const double *v, int count, int stride, double *mean, double *std, int *n)
{
    double sum = 0.0, dev = 0.0;
    int i, k = 0;
    for (i = 0; i < count; i++) {
        double x = v[(size_t)i * stride];
        if (x - x == 0.0) { sum += x; k++; }
    }
    *n = k;
    *mean = k ? sum / k : NAN;
    if (k < 2) { *std = NAN; return; }
    for (i = 0; i < count; i++) {
        double x = v[(size_t)i * stride];
        if (x - x == 0.0) dev += (x - *mean) * (x - *mean);
    }
    *std = sqrt(dev / (k - 1));
}

/* The band drawn around a mean: mean +- 1 std, clipped to the range of the
   seeds' values, so that it never claims values no seed had (a loss below
   0, say). No band (lo = hi = mean) with fewer than two values. */
static void lab_band(const double *v, int count, double mean, double std, int n, double *lo, double *hi)
{
    double vmin = HUGE_VAL, vmax = -HUGE_VAL;
    int i;
    if (n < 2) { *lo = *hi = mean; return; }
    for (i = 0; i < count; i++) {
        if (!(v[i] - v[i] == 0.0)) continue;
        if (v[i] < vmin) vmin = v[i];
        if (v[i] > vmax) vmax = v[i];
    }
    *lo = mean - std > vmin ? mean - std : vmin;
    *hi = mean + std < vmax ? mean + std : vmax;
}

/* The values of one quantity over the seeds of an init, into v[seeds]. */
static void lab_gather_epoch(lab *L, int init, int epoch, int field, double *v)
{
    int s;
    for (s = 0; s < L->opt.seeds; s++) v[s] = lab_hist(L, init, s, epoch)[field];
}

/* "0.9781 ± 0.0012", or the mean alone for one value, or "—" for none. */
static void lab_format_ms(char *buf, size_t size, double mean, double std, int n, int digits, int general)
{
    if (n == 0) { snprintf(buf, size, "—"); return; }
    if (general) {
        if (n >= 2) snprintf(buf, size, "%.*g ± %.2g", digits, mean, std);
        else snprintf(buf, size, "%.*g", digits, mean);
    } else {
        if (n >= 2) snprintf(buf, size, "%.*f ± %.*f", digits, mean, digits, std);
        else snprintf(buf, size, "%.*f", digits, mean);
    }
}

/* ---- plots ------------------------------------------------------------------------------ */

/* Writes one plot into --out; styles may be NULL (initnn_plot_svg_styled). */
static void lab_plot_styled(lab *L, const char *name, const initnn_plot *plot, const initnn_plot_series *series,
                            const initnn_plot_style *styles, int count)
{
    char path[LAB_PATH_MAX];
    lab_out_path(L, path, name);
    if (initnn_plot_svg_styled(path, plot, series, styles, count) != 0) {
        lab_write_error(L, initnn_last_error());
        return;
    }
    if (L->plot_count < 16) snprintf(L->plots[L->plot_count++], sizeof L->plots[0], "%s", name);
}

static void lab_plot(lab *L, const char *name, const initnn_plot *plot, const initnn_plot_series *series, int count)
{
    lab_plot_styled(L, name, plot, series, NULL, count);
}

/* The legend label of a curve: the init's spec, and a note when no point
   can be drawn (every value 0 on a log axis: zero init, say). */
static const char *lab_series_label(char *buf, size_t size, const char *init, const double *y, int n, int log_y)
{
    int k, drawable = 0;
    for (k = 0; k < n; k++)
        if (y[k] - y[k] == 0.0 && (!log_y || y[k] > 0.0)) drawable = 1;
    if (drawable) snprintf(buf, size, "%s", init);
    else snprintf(buf, size, "%s (%s)", init, log_y ? "0: off the log axis" : "no value");
    return buf;
}

/* A 1-2-5 step giving about 5 intervals over span. */
static double lab_tick_step(double span)
{
    double raw = span / 5.0, power = pow(10.0, floor(log10(raw))), f = raw / power;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * power;
}

/* The y range that shows where the curves end up, for a metric that climbs
   towards a ceiling (accuracy, at most cap): the later half of every
   curve's points (its bands too) is kept whole, with a margin of 15% of
   their spread and the ends rounded out to 1-2-5 ticks; the early epochs
   may leave it below. Returns 0 (the data's own range is better) when that
   would not magnify by at least 2: a curve that ends where it began (an
   init that does not learn) keeps the whole axis. */
static int lab_zoom_range(const initnn_plot_series *series, int count, double cap, double *y_min, double *y_max)
{
    double all_lo = HUGE_VAL, all_hi = -HUGE_VAL, tail_lo = HUGE_VAL, tail_hi = -HUGE_VAL, margin, step, lo, hi;
    int i, k;
    for (i = 0; i < count; i++) {
        const initnn_plot_series *p = &series[i];
        int last = -1;
        for (k = 0; k < p->n; k++)
            if (p->y[k] - p->y[k] == 0.0) last = k;
        for (k = 0; k <= last; k++) {
            if (!(p->y[k] - p->y[k] == 0.0)) continue;
            lo = p->y_low ? p->y_low[k] : p->y[k];
            hi = p->y_high ? p->y_high[k] : p->y[k];
            if (!(lo - lo == 0.0)) lo = p->y[k];
            if (!(hi - hi == 0.0)) hi = p->y[k];
            if (lo < all_lo) all_lo = lo;
            if (hi > all_hi) all_hi = hi;
            if (2 * k >= last) {
                if (lo < tail_lo) tail_lo = lo;
                if (hi > tail_hi) tail_hi = hi;
            }
        }
    }
    if (!(tail_lo <= tail_hi) || !(all_hi > all_lo)) return 0;
    margin = 0.15 * (tail_hi - tail_lo);
    if (margin < 1e-3 * (all_hi - all_lo)) margin = 1e-3 * (all_hi - all_lo);
    step = lab_tick_step(tail_hi - tail_lo + 2.0 * margin);
    lo = floor((tail_lo - margin) / step) * step;
    hi = ceil((tail_hi + margin) / step) * step;
    if (hi > cap && tail_hi <= cap) hi = cap;
    if (!(hi - lo <= 0.5 * (all_hi - all_lo))) return 0;
    *y_min = lo;
    *y_max = hi;
    return 1;
}

/* A curve with its band from a block of 4 n values: x, y, y_low, y_high. */
static void lab_band_series(initnn_plot_series *series, const char *label, const double *block, int n)
{
    series->label = label;
    series->x = block;
    series->y = block + n;
    series->y_low = block + 2 * n;
    series->y_high = block + 3 * n;
    series->n = n;
}

/* One quantity against the epoch: per init the mean over seeds, with a
   band of +-1 std where at least two seeds have a value. zoom: the y axis
   shows where the curves end up (lab_zoom_range), for accuracy. */
static void lab_plot_epochs(lab *L, const char *name, const char *title, const char *y_label, int field, int log_y,
                            int zoom)
{
    const lab_options *o = &L->opt;
    int E = 0, i, e, s;
    initnn_plot plot;
    initnn_plot_series series[LAB_MAX_INITS];
    char labels[LAB_MAX_INITS][INITNN_SPEC_MAX + 32], zoomed_label[256];
    double *buf, *v = (double *)lab_alloc((size_t)o->seeds * sizeof(double));
    for (i = 0; i < o->init_count; i++)
        for (s = 0; s < o->seeds; s++)
            if (lab_run(L, i, s)->epochs_run > E) E = lab_run(L, i, s)->epochs_run;
    E++;   /* points 0..E: epoch 0 is the initialization */
    buf = (double *)lab_alloc((size_t)o->init_count * 4 * (size_t)E * sizeof(double));
    for (i = 0; i < o->init_count; i++) {
        double *x = buf + (size_t)i * 4 * E, *y = x + E, *lo = y + E, *hi = lo + E;
        for (e = 0; e < E; e++) {
            double mean, std;
            int n;
            lab_gather_epoch(L, i, e, field, v);
            lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
            x[e] = e;
            y[e] = mean;
            lab_band(v, o->seeds, mean, std, n, &lo[e], &hi[e]);
        }
        lab_band_series(&series[i], lab_series_label(labels[i], sizeof labels[i], o->inits[i], y, E, log_y), x, E);
    }
    memset(&plot, 0, sizeof plot);
    plot.title = title;
    plot.x_label = "epoch";
    plot.y_label = y_label;
    plot.log_y = log_y;
    plot.markers = E <= 30;
    plot.integer_x = 1;
    if (zoom && lab_zoom_range(series, o->init_count, 1.0, &plot.y_min, &plot.y_max)) {
        snprintf(zoomed_label, sizeof zoomed_label, "%s (zoomed to the later epochs)", y_label);
        plot.y_label = zoomed_label;
    }
    lab_plot(L, name, &plot, series, o->init_count);
    free(buf);
    free(v);
}

/* Density histograms of the first weighted layer's kernel at initialization,
   one curve per init: bins over the range of that init's weights (all
   seeds), density = count / (n bin_width), mean and std over seeds. */
static void lab_plot_weight_hist(lab *L)
{
    const lab_options *o = &L->opt;
    size_t n = lab_run(L, 0, 0)->first_weight_count;
    int bins = (int)(sqrt((double)n) / 2.0), i, s, b, degenerate_any = 0;
    initnn_plot plot;
    initnn_plot_series series[LAB_MAX_INITS];
    char labels[LAB_MAX_INITS][128], title[256];
    double *buf, peak_min = HUGE_VAL, peak_max = 0.0;
    double *dens = (double *)lab_alloc((size_t)o->seeds * sizeof(double));
    size_t *counts;
    if (bins < 8) bins = 8;
    if (bins > 50) bins = 50;
    counts = (size_t *)lab_alloc((size_t)bins * (size_t)o->seeds * sizeof(size_t));
    buf = (double *)lab_alloc((size_t)o->init_count * 4 * (size_t)bins * sizeof(double));
    for (i = 0; i < o->init_count; i++) {
        double *x = buf + (size_t)i * 4 * bins, *y = x + bins, *lo = y + bins, *hi = lo + bins;
        double wmin = HUGE_VAL, wmax = -HUGE_VAL, width, peak = 0.0;
        size_t k;
        for (s = 0; s < o->seeds; s++) {
            const lab_run_result *r = lab_run(L, i, s);
            for (k = 0; k < r->first_weight_count; k++) {
                float w = r->first_weights[k];
                if (!(w - w == 0.0f)) continue;   /* the range of the finite weights (NaN, Inf: never here) */
                if (w < wmin) wmin = w;
                if (w > wmax) wmax = w;
            }
        }
        series[i].label = labels[i];
        series[i].x = x;
        series[i].y = y;
        series[i].y_low = lo;
        series[i].y_high = hi;
        if (!(wmax > wmin)) {
            /* Every weight the same (zeros, constant): a spike, not a curve. */
            snprintf(labels[i], sizeof labels[i], "%s (all %g: not drawn)", o->inits[i], wmin);
            series[i].n = 0;
            degenerate_any = 1;
            continue;
        }
        snprintf(labels[i], sizeof labels[i], "%s", o->inits[i]);
        width = (wmax - wmin) / bins;
        for (s = 0; s < o->seeds; s++) {
            const lab_run_result *r = lab_run(L, i, s);
            /* The top edge a little above the largest weight, within float. */
            double top = wmax + 1e-6 * (wmax - wmin);
            if (top > FLT_MAX) top = FLT_MAX;
            if (initnn_histogram(counts + (size_t)s * bins, bins, r->first_weights, r->first_weight_count, (float)wmin,
                                 (float)top) != 0)
                lab_fatal("weight histogram: %s", initnn_last_error());
        }
        for (b = 0; b < bins; b++) {
            double mean, std;
            int m;
            for (s = 0; s < o->seeds; s++)
                dens[s] = (double)counts[(size_t)s * bins + b] / ((double)lab_run(L, i, s)->first_weight_count * width);
            lab_mean_std(dens, o->seeds, 1, &mean, &std, &m);
            x[b] = wmin + (b + 0.5) * width;
            y[b] = mean;
            lab_band(dens, o->seeds, mean, std, m, &lo[b], &hi[b]);
            if (mean > peak) peak = mean;
        }
        series[i].n = bins;
        if (peak < peak_min) peak_min = peak;
        if (peak > peak_max) peak_max = peak;
    }
    memset(&plot, 0, sizeof plot);
    /* Densities of very different widths (sigma 0.01 against 1) only show
       together on a log axis. */
    plot.log_y = peak_max > 8.0 * peak_min;
    snprintf(title, sizeof title, "Initial weights of layer 1 (%lu weights, %d seed%s)", (unsigned long)n, o->seeds,
             o->seeds == 1 ? "" : "s");
    (void)degenerate_any;
    plot.title = title;
    plot.x_label = "weight (bin centre)";
    plot.y_label = plot.log_y ? "density (log scale)" : "density";
    plot.markers = 0;
    lab_plot(L, "weight_hist.svg", &plot, series, o->init_count);
    free(buf);
    free(counts);
    free(dens);
}

/* Variance of each weighted layer's output at initialization. */
static void lab_plot_act_var(lab *L)
{
    const lab_options *o = &L->opt;
    int D = L->weighted_layers, i, s, k;
    initnn_plot plot;
    initnn_plot_series series[LAB_MAX_INITS];
    char labels[LAB_MAX_INITS][INITNN_SPEC_MAX + 32];
    double *buf = (double *)lab_alloc((size_t)o->init_count * 4 * (size_t)D * sizeof(double));
    double *v = (double *)lab_alloc((size_t)o->seeds * sizeof(double));
    for (i = 0; i < o->init_count; i++) {
        double *x = buf + (size_t)i * 4 * D, *y = x + D, *lo = y + D, *hi = lo + D;
        for (k = 0; k < D; k++) {
            double mean, std;
            int n;
            for (s = 0; s < o->seeds; s++) v[s] = lab_run(L, i, s)->init_act_var[k];
            lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
            x[k] = k + 1;
            y[k] = mean;
            lab_band(v, o->seeds, mean, std, n, &lo[k], &hi[k]);
        }
        lab_band_series(&series[i], lab_series_label(labels[i], sizeof labels[i], o->inits[i], y, D, 1), x, D);
    }
    memset(&plot, 0, sizeof plot);
    plot.title = "Activation variance per layer at initialization";
    plot.x_label = "layer (weighted layers, 1 = first; last = output)";
    plot.y_label = "Var(layer output), probe batch (log scale)";
    plot.log_y = 1;
    plot.markers = 1;
    plot.integer_x = 1;
    lab_plot(L, "act_var_init.svg", &plot, series, o->init_count);
    free(buf);
    free(v);
}

/* The update:data ratio per weighted layer against the epoch (mean over the
   epoch's steps; mean over seeds with a band of +-1 std), on a log axis,
   with the rule of thumb's 1e-3 (Karpathy, "Neural networks: zero to hero",
   makemore part 3: updates near 1e-3 of the weights; far below, the layer
   learns too slowly; far above, too fast) as a dashed line. One curve per
   init and layer, at most nine (ten inits: the first layer of each): with
   more, the first and last layers and evenly spaced ones between (every
   layer is in log.csv). */
static void lab_plot_update_ratio(lab *L)
{
    const lab_options *o = &L->opt;
    int D = L->weighted_layers, E = 0, I = o->init_count, m, i, j, e, s, count = 0;
    int chosen[9];
    initnn_plot plot;
    initnn_plot_series series[LAB_MAX_INITS + 1];
    initnn_plot_style styles[LAB_MAX_INITS + 1];
    char labels[LAB_MAX_INITS][INITNN_SPEC_MAX + 128], title[256];
    double *buf, *v = (double *)lab_alloc((size_t)o->seeds * sizeof(double)), *ref_x, *ref_y;
    if (D < 1) { free(v); return; }
    for (i = 0; i < I; i++)
        for (s = 0; s < o->seeds; s++)
            if (lab_run(L, i, s)->epochs_run > E) E = lab_run(L, i, s)->epochs_run;
    if (E < 1) E = 1;
    m = 9 / I;
    if (m < 1) m = 1;
    if (m > D) m = D;
    for (j = 0; j < m; j++) chosen[j] = m == 1 ? 0 : (int)((long)j * (D - 1) / (m - 1));
    buf = (double *)lab_alloc(((size_t)I * (size_t)m * 4 + 2) * (size_t)E * sizeof(double));
    memset(styles, 0, sizeof styles);
    for (i = 0; i < I; i++) {
        for (j = 0; j < m; j++, count++) {
            double *x = buf + (size_t)count * 4 * E, *y = x + E, *lo = y + E, *hi = lo + E;
            int k = chosen[j];
            for (e = 0; e < E; e++) {
                double mean, std;
                int n;
                for (s = 0; s < o->seeds; s++) v[s] = lab_ratio(L, i, s, e + 1)[k];
                lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
                x[e] = e + 1;
                y[e] = mean;
                lab_band(v, o->seeds, mean, std, n, &lo[e], &hi[e]);
            }
            {
                char name[INITNN_SPEC_MAX + 80];
                if (I == 1) snprintf(name, sizeof name, "layer %d (%s)", k + 1, L->layer_names[k]);
                else snprintf(name, sizeof name, "%s, layer %d", o->inits[i], k + 1);
                lab_band_series(&series[count], lab_series_label(labels[count], sizeof labels[count], name, y, E, 1), x, E);
            }
            styles[count].color = count;
        }
    }
    ref_x = buf + (size_t)I * (size_t)m * 4 * E;
    ref_y = ref_x + E;
    for (e = 0; e < E; e++) {
        ref_x[e] = e + 1;
        ref_y[e] = 1e-3;
    }
    series[count].label = "1e-3, the rule of thumb";
    series[count].x = ref_x;
    series[count].y = ref_y;
    series[count].y_low = series[count].y_high = NULL;
    series[count].n = E;
    styles[count].color = count % 10;
    styles[count].dashed = 1;
    memset(&plot, 0, sizeof plot);
    if (m < D)
        snprintf(title, sizeof title, "Update:data ratio ||dW|| / ||W|| per step (%d of %d layers; all in log.csv)", m, D);
    else
        snprintf(title, sizeof title, "Update:data ratio ||dW|| / ||W|| per step, per layer");
    plot.title = title;
    plot.x_label = "epoch";
    plot.y_label = "mean over the epoch's steps (log scale)";
    plot.log_y = 1;
    plot.markers = E <= 30;
    plot.integer_x = 1;
    lab_plot_styled(L, "update_ratio.svg", &plot, series, styles, count + 1);
    free(buf);
    free(v);
}

static void lab_plots(lab *L)
{
    char title[256];
    const char *metric = lab_metric_title(L);
    if (L->data.has_val) {
        snprintf(title, sizeof title, "Validation %s%s (mean ± std over seeds)", metric,
                 L->data.val_is_test ? " (test set)" : "");
        lab_plot_epochs(L, L->data.classification ? "val_accuracy.svg" : "val_mae.svg", title,
                        L->data.classification ? "validation accuracy" : "validation MAE", F_VAL_METRIC, 0,
                        L->data.classification);
        lab_plot_epochs(L, "val_loss.svg", "Validation loss (mean ± std over seeds)", "validation loss (log scale)",
                        F_VAL_LOSS, 1, 0);
    }
    lab_plot_epochs(L, "train_loss.svg", "Training loss (mean ± std over seeds)",
                    "training loss, epoch mean (log scale)", F_TRAIN_LOSS, 1, 0);
    lab_plot_epochs(L, "grad_norm.svg", "Global gradient norm (mean over the epoch's batches)",
                    "||grad|| (log scale)", F_GRAD_NORM, 1, 0);
    if (L->has_relu)
        lab_plot_epochs(L, "relu_zero_fraction.svg", "ReLU saturation: outputs exactly 0 (probe batch)",
                        "fraction of ReLU outputs = 0", F_ZERO, 0, 0);
    if (L->has_saturating)
        lab_plot_epochs(L, "saturation.svg", "tanh/sigmoid saturation (probe batch)",
                        "fraction beyond 0.97 of the range", F_SAT, 0, 0);
    lab_plot_weight_hist(L);
    lab_plot_act_var(L);
    lab_plot_update_ratio(L);
}

/* ---- summary ---------------------------------------------------------------------------- */

/* The command line, quoted for a POSIX shell where needed. */
static void lab_print_command(FILE *f, int argc, char **argv)
{
    int i;
    fputs("./initlab", f);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        fputc(' ', f);
        if (*a && strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+=.,:/@%") == strlen(a)) {
            fputs(a, f);
        } else {
            fputc('\'', f);
            for (; *a; a++) {
                if (*a == '\'') fputs("'\\''", f);
                else fputc(*a, f);
            }
            fputc('\'', f);
        }
    }
}

/* The final-model metric on the test set of every seed of an init. */
static void lab_final_values(lab *L, int init, int which, int metric, double *v)
{
    int s;
    for (s = 0; s < L->opt.seeds; s++) {
        const lab_run_result *r = lab_run(L, init, s);
        v[s] = metric ? r->final_metric[which] : r->final_loss[which];
    }
}

/* The main table: per init, epochs, the first and last epoch as logged, and
   the final model's test metric. Written to f (markdown). */
static void lab_main_table(lab *L, FILE *f)
{
    const lab_options *o = &L->opt;
    const char *m = lab_metric_name(L);
    int cls = L->data.classification, i, s, digits = cls ? 4 : 4;
    double *v = (double *)lab_alloc((size_t)o->seeds * sizeof(double));
    /* One batch per epoch (--batch full): epoch 1's training metric is
       measured on that batch before its one step, i.e. of the initial
       weights. */
    int one_batch = o->batch <= 0 || o->batch >= L->data.train.count;
    fprintf(f, "| init | epochs | train %s, epoch 1%s | val %s, epoch 1 | train %s, last epoch | val %s, last epoch | "
            "test %s |\n", m, one_batch ? " (initial weights)" : "", m, m, m, m);
    fprintf(f, "|---|---|---|---|---|---|---|\n");
    for (i = 0; i < o->init_count; i++) {
        char cells[5][64], epochs[64];
        double mean, std, emin = HUGE_VAL, emax = 0;
        int n, fields[2] = {F_TRAIN_METRIC, F_VAL_METRIC}, k;
        for (s = 0; s < o->seeds; s++) {
            double e = lab_run(L, i, s)->epochs_run;
            v[s] = e;
            if (e < emin) emin = e;
            if (e > emax) emax = e;
        }
        lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
        if (emin == emax) snprintf(epochs, sizeof epochs, "%d", (int)emin);
        else snprintf(epochs, sizeof epochs, "%.1f (%d–%d)", mean, (int)emin, (int)emax);
        for (k = 0; k < 4; k++) {
            /* epoch 1, then each seed's last epoch */
            for (s = 0; s < o->seeds; s++) {
                const lab_run_result *r = lab_run(L, i, s);
                int e = k < 2 ? 1 : r->epochs_run;
                v[s] = r->diverged || e < 1 ? NAN : lab_hist(L, i, s, e)[fields[k % 2]];
            }
            lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
            lab_format_ms(cells[k], sizeof cells[k], mean, std, n, digits, !cls);
        }
        lab_final_values(L, i, 2, 1, v);
        lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
        lab_format_ms(cells[4], sizeof cells[4], mean, std, n, digits, !cls);
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", o->inits[i], epochs, cells[0], cells[1], cells[2],
                cells[3], cells[4]);
    }
    free(v);
}

static void lab_summary(lab *L, int argc, char **argv, double seconds)
{
    const lab_options *o = &L->opt;
    initnn_file out;
    FILE *f = lab_open_out(L, &out, "summary.md");
    const char *m = lab_metric_name(L), *mt = lab_metric_title(L);
    int cls = L->data.classification, i, j, s, k, n1, n2, exceed = 0, within = 0, diverged = 0;
    double *v = (double *)lab_alloc((size_t)o->seeds * sizeof(double));
    char when[64];
    const char *opt_name = o->optimizer == INITNN_OPT_SGD ? "SGD" : o->optimizer == INITNN_OPT_RMSPROP ? "RMSProp" : "Adam";

    fprintf(f, "# initlab: %s\n\n", o->data);
    fprintf(f, "Command:\n\n    ");
    lab_print_command(f, argc, argv);
    fprintf(f, "\n\n");
    fprintf(f, "- Data: %s.\n", L->data.description);
    fprintf(f, "- Net: `%s` (%lu parameters), loss %s; biases `%s`.\n", L->arch, (unsigned long)L->param_count,
            cls ? "softmax cross-entropy" : "mean squared error",
            o->bias_init ? o->bias_init : "each kernel spec's default (zeros; torch_default: U(+-1/sqrt(fan_in)))");
    fprintf(f, "- Training: %s, learning rate %g", opt_name, o->lr);
    if (o->optimizer == INITNN_OPT_SGD) fprintf(f, ", momentum %g", o->momentum);
    if (o->batch > 0) fprintf(f, ", batch %d", o->batch);
    else fprintf(f, ", full batch (%d samples)", L->data.train.count);
    fprintf(f, ", %s%d epochs", o->patience > 0 ? "up to " : "", o->epochs);
    if (o->patience > 0) fprintf(f, ", early stopping with patience %d on the validation loss (best weights restored)", o->patience);
    if (o->clip_norm > 0) fprintf(f, ", gradient norm clipped to %g", o->clip_norm);
    fprintf(f, "; seeds 1..%d (seed s draws the weights and the batch order).\n", o->seeds);
    lab_format_duration(when, sizeof when, seconds);
    fprintf(f, "- Wall time: %s.\n\n", when);
    if (L->data.notes[0]) fprintf(f, "Warnings about the data (also printed when the run started):\n\n%s\n", L->data.notes);

    fprintf(f, "## Results (mean ± sample std over %d seed%s)\n\n", o->seeds, o->seeds == 1 ? "" : "s");
    lab_main_table(L, f);
    fprintf(f, "\nEpoch 1 and last epoch as logged: train %s is the mean over the epoch's batches while training "
            "(Keras' convention), val %s is measured after the epoch%s. Test %s is the final model's%s.\n",
            mt, mt, L->data.has_val ? "" : " (no validation set: empty)", mt,
            o->patience > 0 ? " (the restored best weights)" : "");
    if (o->batch <= 0 || o->batch >= L->data.train.count)
        fprintf(f, "With one batch per epoch, train %s of epoch 1 is measured in the forward pass before the epoch's "
                "only step: it is the initial weights' %s, and so labelled.\n", mt, mt);
    if (L->data.val_is_test) fprintf(f, "The validation set is the test set, so val and test columns coincide.\n");

    /* The final model on each set. */
    fprintf(f, "\n### Final model%s, evaluated on each whole set\n\n", o->patience > 0 ? " (best weights)" : "");
    fprintf(f, "| init | train loss | train %s | val loss | val %s | test loss | test %s |\n|---|---|---|---|---|---|---|\n",
            m, m, m);
    for (i = 0; i < o->init_count; i++) {
        fprintf(f, "| %s", o->inits[i]);
        for (k = 0; k < 3; k++) {
            int metric;
            for (metric = 0; metric < 2; metric++) {
                char cell[64];
                double mean, std;
                int n;
                lab_final_values(L, i, k, metric, v);
                lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
                lab_format_ms(cell, sizeof cell, mean, std, n, 4, !metric || !cls);
                fprintf(f, " | %s", cell);
            }
        }
        fprintf(f, " |\n");
    }

    /* Divergence. */
    for (i = 0; i < o->init_count; i++)
        for (s = 0; s < o->seeds; s++) {
            const lab_run_result *r = lab_run(L, i, s);
            if (!r->diverged) continue;
            if (!diverged++) fprintf(f, "\nRuns that stopped on a NaN or Inf (left out of every mean above):\n\n");
            fprintf(f, "- %s, seed %d: %s\n", o->inits[i], s + 1, r->message);
        }

    /* Which differences exceed the spread. */
    fprintf(f, "\n## Which differences exceed the seed-to-seed spread\n\n");
    fprintf(f, "Compared: the final model's test %s. Rule: two inits with means m1, m2 and sample standard "
            "deviations s1, s2 over n1, n2 seeds differ by more than the seed-to-seed spread when "
            "|m1 − m2| > 2·sqrt(s1²/n1 + s2²/n2), that is by more than about two standard errors of the "
            "difference of the means. Otherwise the choice of seed alone could explain the difference. With "
            "few seeds this is a rough guide, not a significance test.\n\n", mt);
    if (o->seeds < 2) {
        fprintf(f, "With one seed there is no spread to compare against: run with --seeds 3 or more.\n");
    } else {
        for (i = 0; i < o->init_count; i++)
            for (j = i + 1; j < o->init_count; j++) {
                double m1, s1, m2, s2, threshold, diff;
                const char *hi_name, *lo_name;
                double hi_m, lo_m, hi_s, lo_s;
                lab_final_values(L, i, 2, 1, v);
                lab_mean_std(v, o->seeds, 1, &m1, &s1, &n1);
                lab_final_values(L, j, 2, 1, v);
                lab_mean_std(v, o->seeds, 1, &m2, &s2, &n2);
                if (n1 < 2 || n2 < 2) {
                    fprintf(f, "- %s and %s: fewer than two finished seeds on one side; no comparison.\n",
                            o->inits[i], o->inits[j]);
                    continue;
                }
                threshold = 2.0 * sqrt(s1 * s1 / n1 + s2 * s2 / n2);
                diff = fabs(m1 - m2);
                /* "better" is the higher accuracy or the lower MAE */
                if ((cls && m1 >= m2) || (!cls && m1 <= m2)) {
                    hi_name = o->inits[i]; hi_m = m1; hi_s = s1; lo_name = o->inits[j]; lo_m = m2; lo_s = s2;
                } else {
                    hi_name = o->inits[j]; hi_m = m2; hi_s = s2; lo_name = o->inits[i]; lo_m = m1; lo_s = s1;
                }
                if (diff > threshold) {
                    exceed++;
                    fprintf(f, "- **%s** (%.4g ± %.2g) is better than **%s** (%.4g ± %.2g): the difference %.4g "
                            "exceeds the spread threshold %.2g.\n", hi_name, hi_m, hi_s, lo_name, lo_m, lo_s, diff,
                            threshold);
                } else {
                    within++;
                    fprintf(f, "- %s (%.4g ± %.2g) and %s (%.4g ± %.2g) differ by %.4g, within the spread "
                            "threshold %.2g: the seeds could explain it.\n", hi_name, hi_m, hi_s, lo_name, lo_m, lo_s,
                            diff, threshold);
                }
            }
        fprintf(f, "\nIn short: %d of %d pairs differ by more than the seed-to-seed spread, %d do not.\n", exceed,
                exceed + within, within);
    }

    /* Initialization. */
    fprintf(f, "\n## At initialization (probe batch: the first %d training samples)\n\n", L->probe_n);
    fprintf(f, "| init | initial loss | Var(output), layer 1 | Var(output), layer %d | ReLU outputs = 0 | "
            "tanh/sigmoid saturated |\n|---|---|---|---|---|---|\n", L->weighted_layers > 1 ? L->weighted_layers - 1 : 1);
    for (i = 0; i < o->init_count; i++) {
        char cells[5][64];
        double mean, std;
        int n, last = L->weighted_layers > 1 ? L->weighted_layers - 2 : 0;
        for (k = 0; k < 5; k++) {
            for (s = 0; s < o->seeds; s++) {
                const lab_run_result *r = lab_run(L, i, s);
                v[s] = k == 0 ? r->init_loss : k == 1 ? r->init_act_var[0] : k == 2 ? r->init_act_var[last]
                     : k == 3 ? r->init_zero : r->init_sat;
            }
            lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
            lab_format_ms(cells[k], sizeof cells[k], mean, std, n, 3, 1);
        }
        fprintf(f, "| %s | %s | %s | %s | %s | %s |\n", o->inits[i], cells[0], cells[1], cells[2], cells[3], cells[4]);
    }
    fprintf(f, "\nLayer %d is the last hidden layer; the variance is over all units and samples of the probe batch. "
            "Every layer's value is in init.csv and act_var_init.svg.\n", L->weighted_layers > 1 ? L->weighted_layers - 1 : 1);

    /* Gradient and saturation, at initialization and after training. */
    fprintf(f, "\n## Gradient, dead and saturated units: at initialization and at the end\n\n");
    fprintf(f, "| init | layer 1 gradient norm at init | ReLU outputs = 0, init | ReLU outputs = 0, end | "
            "tanh/sigmoid saturated, init | tanh/sigmoid saturated, end | stuck units, init | stuck units, end |\n"
            "|---|---|---|---|---|---|---|---|\n");
    for (i = 0; i < o->init_count; i++) {
        char cells[7][64];
        double mean, std;
        int n;
        static const int fields[3] = {F_ZERO, F_SAT, F_STUCK};
        for (s = 0; s < o->seeds; s++) v[s] = lab_run(L, i, s)->init_first_grad;
        lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
        lab_format_ms(cells[0], sizeof cells[0], mean, std, n, 3, 1);
        for (k = 0; k < 6; k++) {
            for (s = 0; s < o->seeds; s++) {
                const lab_run_result *r = lab_run(L, i, s);
                int e = k % 2 == 0 ? 0 : r->epochs_run;
                v[s] = (k % 2 == 1 && (r->diverged || e < 1)) ? NAN : lab_hist(L, i, s, e)[fields[k / 2]];
            }
            lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
            lab_format_ms(cells[k + 1], sizeof cells[k + 1], mean, std, n, 3, 1);
        }
        fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", o->inits[i], cells[0], cells[1], cells[2], cells[3],
                cells[4], cells[5], cells[6]);
    }
    fprintf(f, "\nMean ± sample std over seeds, on the probe batch: at initialization and after the last epoch run. "
            "The gradient norm is ||(dW, db)|| of the first weighted layer for the probe batch's loss. Outputs = 0 "
            "and saturated (|tanh| > %g, sigmoid outside [%g, %g]) count unit × sample values; stuck units are "
            "hidden units dead (ReLU, 0 for every probe sample) or saturated for every probe sample, which pass "
            "no gradient at all. — : the net has no such layer.\n", INITNN_SATURATION_THRESHOLD,
            1.0 - INITNN_SATURATION_THRESHOLD, INITNN_SATURATION_THRESHOLD);
    if (L->has_conv) {
        /* Conv nets: every weighted layer, as conv fans are where scales go wrong. */
        fprintf(f, "\nActivation variance at initialization per weighted layer (Var of the layer's output after its "
                "activation, over units, positions and probe samples; mean ± std over seeds):\n\n| init |");
        for (k = 0; k < L->weighted_layers; k++) fprintf(f, " %d: %s |", k + 1, L->layer_names[k]);
        fprintf(f, "\n|---|");
        for (k = 0; k < L->weighted_layers; k++) fprintf(f, "---|");
        fprintf(f, "\n");
        for (i = 0; i < o->init_count; i++) {
            fprintf(f, "| %s |", o->inits[i]);
            for (k = 0; k < L->weighted_layers; k++) {
                char cell[64];
                double mean, std;
                int n;
                for (s = 0; s < o->seeds; s++) v[s] = lab_run(L, i, s)->init_act_var[k];
                lab_mean_std(v, o->seeds, 1, &mean, &std, &n);
                lab_format_ms(cell, sizeof cell, mean, std, n, 3, 1);
                fprintf(f, " %s |", cell);
            }
            fprintf(f, "\n");
        }
    }

    fprintf(f, "\n## Files\n\n");
    fprintf(f, "- `log.csv`: one row per init × seed × epoch: train_loss, train_%s (mean over the epoch's batches as "
            "trained), val_loss, val_%s, grad_norm (mean global gradient norm over the batches), relu_zero_fraction "
            "and saturated_fraction (probe batch, after the epoch), act_var_0..%d (variance of each weighted layer's "
            "output on the probe batch), update_ratio_0..%d (each weighted layer's update:data ratio "
            "||W_after − W_before|| / ||W_before|| of a step, biases not counted, mean over the epoch's steps; "
            "`update_ratio.svg` draws it per layer against the rule of thumb's 1e-3, the dashed line: far below, "
            "the layer learns slowly, far above, its weights are being replaced rather than adjusted), "
            "seconds (the epoch's wall time).\n", m, m, L->weighted_layers - 1, L->weighted_layers - 1);
    fprintf(f, "- `init.csv`: one row per init × seed × weighted layer at initialization: weight std, Var(z), "
            "Var(y), E[y²], zero and saturated fractions, E[delta²] (the backward signal), the layer's gradient "
            "norm, the initial loss on the probe batch and on the validation set.\n");
    fprintf(f, "- Plots (SVG): the mean over seeds with a band of ± 1 sample std (clipped to the range of the seeds' values) "
            "where two or more seeds have a value. "
            "Curves against the epoch start at epoch 0, the state at initialization: validation on the whole "
            "validation set, training loss and %s and the gradient norm on the probe batch.\n", mt);
    for (k = 0; k < L->plot_count; k++) fprintf(f, "  - `%s`\n", L->plots[k]);
    if (L->png_count) {
        fprintf(f, "- The first layer's weights of seed 1 as pictures (one tile per unit or filter, blue negative, white 0, "
                "red positive, saturated at the largest |w| in the picture), at initialization and after training:\n");
        for (k = 0; k < L->png_count; k++) fprintf(f, "  - `%s`\n", L->pngs[k]);
    }
    free(v);
    lab_close_out(L, &out);
}

/* ---- prediction (--predict) ------------------------------------------------------------ */

#define LAB_LOW 0.1               /* the flag: predicted E[z^2] outside            */
#define LAB_HIGH 10.0             /* [LAB_LOW, LAB_HIGH] x the input's E[x^2]      */

/* One init's verdict: where the predicted second moment first leaves the
   band, in words. Returns 1 when the init is flagged. */
static int lab_verdict(char *buf, size_t size, const initnn_net *net, const initnn_layer_theory *table,
                       double input_m2)
{
    int bad = initnn_theory_first_bad_layer(net, table, input_m2, LAB_LOW, LAB_HIGH), l, k = 0, weighted = 0;
    for (l = 0; l < net->layer_count; l++) weighted += table[l].has_params;
    if (bad < 0) {
        double lo = HUGE_VAL, hi = 0.0;
        for (l = 0; l < net->layer_count; l++) {
            if (!table[l].has_params) continue;
            if (table[l].q_predicted < lo) lo = table[l].q_predicted;
            if (table[l].q_predicted > hi) hi = table[l].q_predicted;
        }
        if (hi < 1.001 * lo)
            snprintf(buf, size, "passes: the predicted E[z^2] is %.3g x the input's at each of the %d layers", lo / input_m2,
                     weighted);
        else
            snprintf(buf, size, "passes: the predicted E[z^2] stays within [%g, %g] x the input's through all %d layers "
                     "(%.3g to %.3g x)", LAB_LOW, LAB_HIGH, weighted, lo / input_m2, hi / input_m2);
        return 0;
    }
    for (l = 0; l <= bad; l++) k += table[l].has_params;
    snprintf(buf, size, "FLAGGED: the predicted second moment %s by layer %d of %d (E[z^2] = %.3g x the input's; "
             "outside [%g, %g])", table[bad].q_predicted < LAB_LOW * input_m2 ? "vanishes" : "explodes", k, weighted,
             table[bad].q_predicted / input_m2, LAB_LOW, LAB_HIGH);
    return 1;
}

/* --predict: for each init, the net of seed 1, the theory beside the
   measurement on the probe batch; predict.csv, predict.md, predict.svg. */
static void lab_predict(lab *L, int argc, char **argv)
{
    const lab_options *o = &L->opt;
    int i, l, flagged = 0;
    double input_m2 = initnn_second_moment(L->probe_x, (size_t)L->probe_n * (size_t)L->data.train.features);
    double *buf = NULL;
    initnn_plot plot;
    initnn_plot_series series[2 * LAB_MAX_INITS];
    initnn_plot_style styles[2 * LAB_MAX_INITS];
    char labels[2 * LAB_MAX_INITS][INITNN_SPEC_MAX + 32];
    FILE *csv, *md;
    initnn_file csv_out, md_out;
    if (!(input_m2 > 0.0)) lab_fatal("--predict: the probe batch's inputs are all 0");
    lab_mkdirs("--out", o->out);
    csv = lab_open_out(L, &csv_out, "predict.csv");
    md = lab_open_out(L, &md_out, "predict.md");
    fprintf(csv, "init,layer,net_layer,kind,units,activation,sigma_w2,sigma_b2,q_predicted,q_measured,"
            "delta_predicted,delta_measured,chi\n");
    fprintf(md, "# initlab --predict: %s\n\nCommand:\n\n    ", o->data);
    lab_print_command(md, argc, argv);
    fprintf(md, "\n\nArchitecture: `%s`. Input second moment E[x^2] = %.4g, measured on the first %d training "
            "samples (the probe batch), which the measured side uses too; the weights are those of seed 1.\n\n"
            "Prediction: q_l = sigma_w^2 E[phi(z_{l-1})^2] + sigma_b^2 forward from E[x^2], "
            "E[delta_l^2] = E[delta_{l+1}^2] chi_l backward from the measured output delta (initnn.h section 10). "
            "An init is flagged when a layer's predicted E[z^2] leaves [%g, %g] x E[x^2].\n\n"
            "| init | verdict |\n|---|---|\n", L->arch, input_m2, L->probe_n, LAB_LOW, LAB_HIGH);
    memset(&plot, 0, sizeof plot);
    memset(series, 0, sizeof series);
    memset(styles, 0, sizeof styles);
    for (i = 0; i < o->init_count; i++) {
        initnn_net *net = lab_build_net(L, o->inits[i], 1);
        initnn_layer_theory *table = (initnn_layer_theory *)lab_alloc((size_t)net->layer_count * sizeof *table);
        char verdict[512];
        int D = 0, k = 0, err;
        double *x, *predicted, *measured;
        if (o->init_is_lsuv[i] && initnn_lsuv(net, L->probe_x, L->probe_n, 0.0f, 0, NULL) != 0)
            lab_fatal("--predict: LSUV failed: %s", initnn_last_error());
        err = initnn_theory_compare(net, table, L->probe_x,
                                    L->data.classification ? L->probe_labels : NULL, L->data.classification ? NULL : L->probe_targets, L->probe_n);
        if (err == INITNN_ERR_ARGUMENT || err == INITNN_ERR_SPEC) lab_usage_error("--predict: %s", initnn_last_error());
        if (err) lab_fatal("--predict: %s", initnn_last_error());
        flagged += lab_verdict(verdict, sizeof verdict, net, table, input_m2);
        if (o->init_is_lsuv[i])   /* LSUV's scale comes from the data, not from a spec */
            lab_append(verdict, sizeof verdict, " -- predicted for orthogonal, LSUV's start; the measured side is "
                       "after LSUV rescaled every layer to unit output variance");
        for (l = 0; l < net->layer_count; l++) D += table[l].has_params;
        if (!buf) buf = (double *)lab_alloc((size_t)o->init_count * 3 * (size_t)D * sizeof(double));
        x = buf + (size_t)i * 3 * D;
        predicted = x + D;
        measured = predicted + D;
        for (l = 0; l < net->layer_count; l++) {
            const initnn_layer *layer = &net->layers[l];
            const initnn_layer_theory *t = &table[l];
            if (!t->has_params) continue;
            fprintf(csv, "\"%s\",%d,%d,%s,%d,%s", o->inits[i], k + 1, l,
                    layer->type == INITNN_LAYER_CONV2D ? "conv2d" : "dense", layer->out,
                    layer->activation_spec[0] ? layer->activation_spec : "identity");
            lab_csv_num(csv, t->sigma_w2);
            lab_csv_num(csv, t->sigma_b2);
            lab_csv_num(csv, t->q_predicted);
            lab_csv_num(csv, t->q_measured);
            lab_csv_num(csv, t->delta_predicted);
            lab_csv_num(csv, t->delta_measured);
            lab_csv_num(csv, t->chi);
            fputc('\n', csv);
            x[k] = k + 1;
            predicted[k] = t->q_predicted / input_m2;
            measured[k] = t->q_measured / input_m2;
            k++;
        }
        snprintf(labels[2 * i], sizeof labels[0], "%s, predicted", o->inits[i]);
        snprintf(labels[2 * i + 1], sizeof labels[0], "%s, measured", o->inits[i]);
        series[2 * i].label = labels[2 * i];
        series[2 * i].x = x;
        series[2 * i].y = predicted;
        series[2 * i].n = D;
        series[2 * i + 1] = series[2 * i];
        series[2 * i + 1].label = labels[2 * i + 1];
        series[2 * i + 1].y = measured;
        styles[2 * i].color = styles[2 * i + 1].color = i;
        styles[2 * i].dashed = 1;
        styles[2 * i + 1].markers = 1;
        fprintf(md, "| %s | %s |\n", o->inits[i], verdict);
        if (!o->quiet) {
            printf("%s\n", o->inits[i]);
            initnn_theory_print(stdout, net, table);
            printf("%s: %s\n\n", o->inits[i], verdict);
        }
        free(table);
        initnn_net_free(net);
    }
    lab_close_out(L, &csv_out);
    lab_close_out(L, &md_out);
    plot.title = "E[z^2] per layer at init: predicted (dashed), measured";
    plot.x_label = "layer (weighted layers, 1 = first; last = output)";
    plot.y_label = "E[z^2] / E[x^2] (log scale; flagged outside 0.1..10)";
    plot.log_y = 1;
    plot.integer_x = 1;
    lab_plot_styled(L, "predict.svg", &plot, series, styles, 2 * o->init_count);
    if (!o->quiet)
        printf("%d of %d inits flagged. Table: %s/predict.md, %s/predict.csv; plot: %s/predict.svg\n", flagged,
               o->init_count, o->out, o->out, o->out);
    free(buf);
}

/* ---- main ----------------------------------------------------------------------------------- */

/* Everything the experiment allocated (what a --predict run did not
   allocate is NULL). */
static void lab_free(lab *L)
{
    int i, s;
    for (i = 0; i < L->opt.init_count; i++) {
        for (s = 0; L->runs && s < L->opt.seeds; s++) {
            free(lab_run(L, i, s)->init_act_var);
            free(lab_run(L, i, s)->first_weights);
        }
        free(L->opt.inits[i]);
    }
    free(L->runs);
    free(L->hist);
    free(L->ratio);
    free(L->ratio_sum);
    free(L->ratio_steps);
    free(L->diag);
    free(L->probe_x);
    free(L->probe_labels);
    free(L->probe_targets);
    lab_free_data(&L->data);
    free(L);
}

/* --out, --save-model and --export-npy must be writable before the lab
   trains: a run of hours must not end in "cannot open". Creates --out and
   --export-npy, a temporary in each and one beside --save-model (all
   removed); on a failure the folders it created are removed as well. */
static void lab_check_outputs(lab *L)
{
    char path[LAB_PATH_MAX];
    lab_mkdirs("--out", L->opt.out);   /* first: --save-model may lie inside --out */
    lab_out_path(L, path, "summary.md");
    if (initnn_file_check_writable(path) != 0) lab_output_error("--out: %s", initnn_last_error());
    if (L->opt.save_model && initnn_file_check_writable(L->opt.save_model) != 0)
        lab_output_error("--save-model: %s", initnn_last_error());
    if (L->opt.export_npy) {   /* a second chain of folders, --out's kept aside to be removed too */
        memcpy(lab_out_made_dirs, lab_made_dirs, sizeof lab_made_dirs);
        lab_made_dirs[0][0] = lab_made_dirs[1][0] = '\0';
        lab_mkdirs("--export-npy", L->opt.export_npy);
        if (strlen(L->opt.export_npy) + 32 >= sizeof path) lab_output_error("--export-npy: the path is too long");
        snprintf(path, sizeof path, "%s/layer000_dense_kernel.npy", L->opt.export_npy);
        if (initnn_file_check_writable(path) != 0) lab_output_error("--export-npy: %s", initnn_last_error());
        lab_out_made_dirs[0][0] = lab_out_made_dirs[1][0] = '\0';
    }
    lab_made_dirs[0][0] = lab_made_dirs[1][0] = '\0';   /* from here on, the folders stay */
}

int main(int argc, char **argv)
{
    lab *L = (lab *)lab_alloc(sizeof *L);
    lab_options *o = &L->opt;
    int i;
    lab_parse_args(o, argc, argv);
    L->start_time = lab_now();
    lab_load(&L->data, o);
    lab_make_arch(L);
    if (L->data.train.count < 2) lab_usage_error("only %d training samples", L->data.train.count);

    /* The largest batch: the training batch, and the probe batch. */
    L->probe_n = L->data.train.count < LAB_PROBE ? L->data.train.count : LAB_PROBE;
    L->max_batch = o->batch > 0 ? o->batch : L->data.train.count;
    if (L->max_batch > L->data.train.count) L->max_batch = L->data.train.count;
    if (L->max_batch < L->probe_n) L->max_batch = L->probe_n;
    L->probe_x = (float *)lab_alloc((size_t)L->probe_n * (size_t)L->data.train.features * sizeof(float));
    L->probe_labels = (int *)lab_alloc((size_t)L->probe_n * sizeof(int));
    L->probe_targets = (float *)lab_alloc((size_t)L->probe_n * (size_t)(L->data.train.target_dim + 1) * sizeof(float));
    initnn_data_batch(L->probe_x, L->probe_labels, L->probe_targets, &L->data.train, NULL, 0, L->probe_n);

    /* A bad architecture, an initializer whose weights would not be finite
       on it, or a net the theory does not cover with --predict, is a usage
       error: find out before any file is written. */
    for (i = 1; i < o->init_count; i++) initnn_net_free(lab_build_net(L, o->inits[i], 1));
    {
        initnn_net *net = lab_build_net(L, o->inits[0], 1);
        if (o->predict) {
            initnn_layer_theory *table = (initnn_layer_theory *)lab_alloc((size_t)net->layer_count * sizeof *table);
            int err = initnn_theory_predict(table, net, 1.0);
            free(table);
            if (err == INITNN_ERR_ARGUMENT || err == INITNN_ERR_SPEC) lab_usage_error("--predict: %s", initnn_last_error());
            if (err) lab_fatal("--predict: %s", initnn_last_error());
        }
        initnn_net_free(net);
    }

    if (o->predict && o->export_npy) lab_usage_error("--export-npy: --predict trains no net to export");
    lab_check_outputs(L);

    if (o->predict) {
        int failed;
        lab_predict(L, argc, argv);
        failed = L->write_errors;
        lab_free(L);
        return failed ? 1 : 0;
    }

    L->hist = (double *)lab_alloc((size_t)o->init_count * o->seeds * (o->epochs + 1) * F_COUNT * sizeof(double));
    for (i = 0; i < o->init_count * o->seeds * (o->epochs + 1) * F_COUNT; i++) L->hist[i] = NAN;
    L->runs = (lab_run_result *)lab_alloc((size_t)o->init_count * o->seeds * sizeof(lab_run_result));
    L->epochs_planned = (long)o->init_count * o->seeds * o->epochs;

    L->log = lab_open_out(L, &L->log_out, "log.csv");
    lab_open_files[0] = &L->log_out;
    L->init_log = lab_open_out(L, &L->init_log_out, "init.csv");
    lab_open_files[1] = &L->init_log_out;
    fprintf(L->init_log, "init,seed,layer,net_layer,units,activation,weight_std,pre_act_var,act_var,act_second_moment,"
            "zero_fraction,saturated_fraction,delta_second_moment,grad_norm,initial_loss,initial_val_loss,initial_val_%s\n",
            lab_metric_name(L));

    lab_train_all(L);
    lab_open_files[0] = lab_open_files[1] = NULL;
    lab_close_out(L, &L->log_out);
    lab_close_out(L, &L->init_log_out);
    lab_plots(L);
    lab_summary(L, argc, argv, lab_now() - L->start_time);

    if (!o->quiet) {
        printf("\n");
        lab_main_table(L, stdout);
        printf("\nSummary: %s/summary.md\nLog:     %s/log.csv, %s/init.csv\nPlots:\n", o->out, o->out, o->out);
        for (i = 0; i < L->plot_count; i++) printf("  %s/%s\n", o->out, L->plots[i]);
        if (L->png_count) printf("First-layer weights (seed 1), at initialization and after training:\n");
        for (i = 0; i < L->png_count; i++) printf("  %s/%s\n", o->out, L->pngs[i]);
    }

    {
        int failed = L->write_errors;
        if (failed)
            fprintf(stderr, "initlab: %d output file%s could not be written (said above); what was there before is "
                    "kept\n", failed, failed == 1 ? "" : "s");
        lab_free(L);
        return failed ? 1 : 0;
    }
}
