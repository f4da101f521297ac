/* test_train_fit.c - whole training runs: LSUV, two-moons, symmetry of a zero
   init, NaN handling, determinism; how the thread count reads the kernel's
   counts of runnable tasks and cores.

   The data are generated here with the test's own seeded initnn_rng, from
   the two-moons definition (two interleaving half circles: class 0 on
   (cos t, sin t), class 1 on (1 - cos t, 1/2 - sin t), t ~ U(0, pi), plus
   N(0, 0.15^2) noise per coordinate), classes alternating so that every
   batch is balanced. Accuracies are counted here from the net's outputs
   (argmax against the label), and also compared with initnn_net_evaluate.

   Sizes are kept small (1000 points, 2-64-64-2, 25 epochs) so that the
   file runs in about a second at -O2 and stays short under ASan/UBSan. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "reference.h"

#define MOONS 1000
#define PI 3.14159265358979323846

static void make_moons(float *x, int *labels, int n, double noise, uint64_t seed)
{
    initnn_rng rng;
    int i;
    initnn_rng_seed(&rng, seed);
    for (i = 0; i < n; i++) {
        double t = PI * initnn_rng_uniform_double(&rng);
        int c = i % 2;
        double px = c ? 1.0 - cos(t) : cos(t), py = c ? 0.5 - sin(t) : sin(t);
        x[2 * i] = (float)(px + noise * initnn_rng_normal_double(&rng));
        x[2 * i + 1] = (float)(py + noise * initnn_rng_normal_double(&rng));
        labels[i] = c;
    }
}

static initnn_data data_view(const float *x, const int *labels, int count, int features, int classes)
{
    initnn_data d;
    memset(&d, 0, sizeof d);
    d.count = count;
    d.features = features;
    d.x = x;
    d.labels = labels;
    d.classes = classes;
    return d;
}

/* 2 -> 64 -> 64 -> 2 with the given hidden activation and kernel spec. */
static void make_moons_net(initnn_net **net, const char *activation, const char *kernel, uint64_t seed,
                           float dropout)
{
    initnn_optimizer adam = initnn_adam(0.01f);
    int err = initnn_net_create(net, 2, 32, seed);
    ref_own(*net);
    CHECK(err == 0, "initnn_net_create: %s", initnn_last_error());
    err = initnn_net_add_dense(*net, 64, activation, kernel, "zeros");
    if (!err && dropout > 0.0f) err = initnn_net_add_dropout(*net, dropout);
    if (!err) err = initnn_net_add_dense(*net, 64, activation, kernel, "zeros");
    if (!err) err = initnn_net_add_dense(*net, 2, "softmax", strcmp(kernel, "he_normal") ? kernel : "glorot_uniform", "zeros");
    CHECK(err == 0, "initnn_net_add_dense: %s", initnn_last_error());
    err = initnn_net_set_optimizer(*net, &adam);
    CHECK(err == 0, "initnn_net_set_optimizer: %s", initnn_last_error());
}

static void train_moons(initnn_net *net, const float *x, const int *labels, int n, int epochs)
{
    initnn_data train = data_view(x, labels, n, 2, 2);
    initnn_train_config cfg = initnn_train_defaults();
    int run = -1, err;
    cfg.epochs = epochs;
    cfg.batch_size = 32;
    err = initnn_net_train(net, &train, NULL, &cfg, &run);
    CHECK(err == 0, "initnn_net_train: %d %s", err, initnn_last_error());
    CHECK(run == epochs, "%d epochs run of %d", run, epochs);
}

/* ---- LSUV --------------------------------------------------------------------------- */

/* Population variance in double, two passes. */
static double variance_of(const float *x, size_t n)
{
    double mean = 0.0, s = 0.0;
    size_t i;
    for (i = 0; i < n; i++) mean += x[i];
    mean /= (double)n;
    for (i = 0; i < n; i++) s += ((double)x[i] - mean) * ((double)x[i] - mean);
    return s / (double)n;
}

static void check_lsuv(initnn_net *net, const char *activation, int with_dropout)
{
    enum { W = 64, BATCH = 128, DEPTH = 6 };
    static float X[BATCH * W];
    int iterations[DEPTH + 1], l, i, err, dense = 0;
    const float tol = 0.1f;
    const int max_iter = 10;
    initnn_rng rng;
    initnn_rng_seed(&rng, 77);
    for (i = 0; i < BATCH * W; i++) X[i] = initnn_rng_normal(&rng);
    for (l = 0; l < DEPTH; l++) {
        err = initnn_net_add_dense(net, W, activation, "lsuv", "zeros");
        CHECK(err == 0, "initnn_net_add_dense(lsuv): %s", initnn_last_error());
        if (with_dropout && l == 2) {
            err = initnn_net_add_dropout(net, 0.5f);
            CHECK(err == 0, "initnn_net_add_dropout: %s", initnn_last_error());
        }
    }
    CHECK(initnn_net_set_loss(net, INITNN_LOSS_MSE) == 0, "set_loss: %s", initnn_last_error());
    for (l = 0; l < net->layer_count; l++) iterations[l] = -1;
    err = initnn_lsuv(net, X, BATCH, tol, max_iter, iterations);
    CHECK(err == 0, "initnn_lsuv: %d %s", err, initnn_last_error());
    CHECK(initnn_net_forward(net, X, BATCH, 0) != NULL, "forward: %s", initnn_last_error());
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        if (L->type != INITNN_LAYER_DENSE) {
            CHECK(iterations[l] == 0, "layer %d is not dense but reports %d iterations", l, iterations[l]);
            continue;
        }
        dense++;
        CHECK(iterations[l] >= 0 && iterations[l] <= max_iter, "layer %d: %d iterations, max %d", l,
              iterations[l], max_iter);
        {
            double v = initnn_variance(L->z, (size_t)BATCH * W), mine = variance_of(L->z, (size_t)BATCH * W);
            CHECK(fabs(v - mine) <= 1e-9 * mine, "layer %d: initnn_variance %.12g, two-pass %.12g", l, v, mine);
            CHECK(fabs(mine - 1.0) < tol + 1e-9, "layer %d (%s): Var(z) = %.6g after LSUV, want 1 +- %g", l,
                  activation, mine, (double)tol);
        }
        /* Rescaling keeps the orthogonal start: W^T W = c I. */
        {
            double c = 0.0, worst = 0.0;
            int a, b, k;
            for (a = 0; a < W; a++)
                for (k = 0; k < W; k++) c += (double)L->W[k * W + a] * L->W[k * W + a];
            c /= W;
            for (a = 0; a < W; a++)
                for (b = 0; b < W; b++) {
                    double s = 0.0;
                    for (k = 0; k < W; k++) s += (double)L->W[k * W + a] * L->W[k * W + b];
                    s -= a == b ? c : 0.0;
                    if (fabs(s) > worst) worst = fabs(s);
                }
            CHECK(c > 0.0 && worst <= 1e-5 * c, "layer %d: W^T W is %g I with off-identity %.3g", l, c, worst);
        }
    }
    CHECK(dense == DEPTH, "%d dense layers", dense);
}

static void lsuv_brings_every_tanh_layer_to_unit_pre_activation_variance(void)
{
    initnn_net *net = NULL;
    int err = initnn_net_create(&net, 64, 128, 5);
    ref_own(net);
    CHECK(err == 0, "initnn_net_create: %s", initnn_last_error());
    check_lsuv(net, "tanh", 0);
}

static void lsuv_brings_every_relu_layer_to_unit_variance_and_skips_dropout(void)
{
    initnn_net *net = NULL;
    int err = initnn_net_create(&net, 64, 128, 6);
    ref_own(net);
    CHECK(err == 0, "initnn_net_create: %s", initnn_last_error());
    check_lsuv(net, "relu", 1);
}

/* ---- two moons ------------------------------------------------------------------------ */

static float moons_x[MOONS * 2];
static int moons_y[MOONS];

static void he_normal_relu_net_fits_two_moons_to_97_percent(void)
{
    initnn_net *net = NULL;
    initnn_data train = data_view(moons_x, moons_y, MOONS, 2, 2);
    double acc, loss = 0.0, metric = 0.0;
    make_moons_net(&net, "relu", "he_normal", 2024, 0.0f);
    if (!TESTING_FAILED) train_moons(net, moons_x, moons_y, MOONS, 25);
    if (!TESTING_FAILED) {
        acc = ref_accuracy(net, moons_x, moons_y, MOONS);
        CHECK(acc >= 0.97, "training accuracy %.4f < 0.97", acc);
        CHECK(initnn_net_evaluate(net, &loss, &metric, &train) == 0, "evaluate: %s", initnn_last_error());
        CHECK_NEAR(metric, acc, 1e-9);
        CHECK(loss > 0.0 && loss < 0.2, "training loss %g", loss);
    }
}

/* Every hidden unit of every dense layer has the same incoming weights: in
   W (in, out), each row is constant; and each unit sends the same weights:
   in the next layer's W each column is constant over the rows of a layer
   whose units are identical. Checked to 1e-6 relative. */
static void check_units_identical(const initnn_net *net, int *nonzero)
{
    int l, i, j;
    *nonzero = 0;
    for (l = 0; l < net->layer_count; l++) {
        const initnn_layer *L = &net->layers[l];
        int last = l == net->layer_count - 1;
        if (L->type != INITNN_LAYER_DENSE) continue;
        for (i = 0; i < L->in; i++)
            for (j = 0; j < L->out; j++) {
                float w = L->W[i * L->out + j];
                /* Hidden layers: compare with unit 0's column. The output
                   layer's units differ; compare with input unit 0's row. */
                float ref = last ? L->W[j] : L->W[i * L->out];
                if (w != 0.0f) *nonzero = 1;
                if (l == 0 && last) continue;
                CHECK(fabsf(w - ref) <= 1e-6f * (1.0f + fabsf(ref)),
                      "layer %d: W[%d][%d] = %.9g differs from %s %.9g", l, i, j, (double)w,
                      last ? "W[0][j]" : "W[i][0]", (double)ref);
            }
        if (!last)
            for (j = 0; j < L->out; j++)
                CHECK(fabsf(L->b[j] - L->b[0]) <= 1e-6f * (1.0f + fabsf(L->b[0])),
                      "layer %d: b[%d] = %.9g, b[0] = %.9g", l, j, (double)L->b[j], (double)L->b[0]);
    }
}

static void zeros_kernels_keep_relu_units_identical_and_the_net_at_chance(void)
{
    initnn_net *net = NULL;
    int nonzero;
    double acc;
    make_moons_net(&net, "relu", "zeros", 2024, 0.0f);
    if (!TESTING_FAILED) train_moons(net, moons_x, moons_y, MOONS, 10);
    if (!TESTING_FAILED) check_units_identical(net, &nonzero);
    if (!TESTING_FAILED) {
        acc = ref_accuracy(net, moons_x, moons_y, MOONS);
        CHECK(acc >= 0.0 && acc <= 0.6, "accuracy %.4f on balanced classes; a zero init should stay at chance", acc);
    }
}

static void zeros_kernels_keep_sigmoid_units_identical_while_the_weights_move(void)
{
    /* With sigmoid the hidden units output 1/2, so the weights do train, but
       every unit of a layer gets the same gradient and stays a copy of the
       others: the net behaves as 2-1-1-2. */
    initnn_net *net = NULL;
    int nonzero;
    make_moons_net(&net, "sigmoid", "zeros", 2024, 0.0f);
    if (!TESTING_FAILED) train_moons(net, moons_x, moons_y, MOONS, 10);
    if (!TESTING_FAILED) check_units_identical(net, &nonzero);
    if (!TESTING_FAILED) {
        float w1 = net->layers[0].W[0], w2 = net->layers[1].W[0];
        CHECK(nonzero && w1 != 0.0f && w2 != 0.0f, "the hidden weights did not move (%g, %g): the symmetry "
              "check is trivial", (double)w1, (double)w2);
    }
}

/* ---- NaN --------------------------------------------------------------------------------- */

static int all_finite(const float *x, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

/* Snapshots of the weights and optimizer state, to compare after a refused step. */
typedef struct {
    float *params, *m, *v;
    int64_t step;
} net_snapshot;

static void snapshot_take(net_snapshot *s, const initnn_net *net)
{
    size_t bytes = net->param_count * sizeof(float);
    s->params = (float *)malloc(bytes);
    s->m = (float *)malloc(bytes);
    s->v = (float *)malloc(bytes);
    CHECK(s->params && s->m && s->v, "out of memory");
    memcpy(s->params, net->params, bytes);
    memcpy(s->m, net->opt_m, bytes);
    memcpy(s->v, net->opt_v, bytes);
    s->step = net->opt.step;
}

static void snapshot_free(net_snapshot *s)
{
    free(s->params);
    free(s->m);
    free(s->v);
}

static void check_unchanged(const initnn_net *net, const net_snapshot *s)
{
    CHECK(all_finite(net->params, net->param_count), "a weight is not finite after the refused step");
    CHECK_FLOATS_EQUAL("weights after the refused step", net->params, s->params, net->param_count);
    CHECK_FLOATS_EQUAL("opt_m after the refused step", net->opt_m, s->m, net->param_count);
    CHECK_FLOATS_EQUAL("opt_v after the refused step", net->opt_v, s->v, net->param_count);
    CHECK(net->opt.step == s->step, "opt.step went from %lld to %lld", (long long)s->step,
          (long long)net->opt.step);
}

static void nan_train_batch_body(initnn_net *net, net_snapshot *snap)
{
    float X[32 * 2], loss;
    int k, err;
    /* Two good steps first, so the moments are not zero. */
    for (k = 0; k < 2; k++) {
        err = initnn_net_train_batch(net, moons_x + 64 * k, moons_y + 32 * k, NULL, 32, &loss, NULL);
        CHECK(err == 0, "good batch %d: %d %s", k, err, initnn_last_error());
    }
    snapshot_take(snap, net);
    if (TESTING_FAILED) return;
    memcpy(X, moons_x + 128, sizeof X);
    X[7] = NAN;
    initnn_clear_error();
    err = initnn_net_train_batch(net, X, moons_y + 64, NULL, 32, &loss, NULL);
    CHECK(err == INITNN_ERR_NONFINITE, "a NaN input gives %d, want INITNN_ERR_NONFINITE (%d)", err,
          INITNN_ERR_NONFINITE);
    CHECK(strlen(initnn_last_error()) > 0, "no message for the NaN batch");
    check_unchanged(net, snap);
}

static void nan_input_makes_train_batch_fail_and_changes_no_weight_or_moment(void)
{
    initnn_net *net = NULL;
    net_snapshot snap;
    memset(&snap, 0, sizeof snap);
    make_moons_net(&net, "relu", "he_normal", 3, 0.0f);
    if (!TESTING_FAILED) nan_train_batch_body(net, &snap);
    snapshot_free(&snap);
}

static void nan_train_body(initnn_net *net, net_snapshot *snap, float *x)
{
    initnn_data train = data_view(x, moons_y, MOONS, 2, 2);
    initnn_train_config cfg = initnn_train_defaults();
    int run = -1, err;
    /* Unshuffled, the NaN in sample 0 is in the very first batch. */
    cfg.epochs = 3;
    cfg.shuffle = 0;
    memcpy(x, moons_x, sizeof moons_x);
    x[0] = NAN;
    snapshot_take(snap, net);
    if (TESTING_FAILED) return;
    initnn_clear_error();
    err = initnn_net_train(net, &train, NULL, &cfg, &run);
    CHECK(err == INITNN_ERR_NONFINITE, "a NaN sample gives %d, want INITNN_ERR_NONFINITE (%d)", err,
          INITNN_ERR_NONFINITE);
    CHECK(strlen(initnn_last_error()) > 0, "no message for the NaN sample");
    CHECK(run == 0, "%d epochs reported complete", run);
    check_unchanged(net, snap);
}

static void nan_sample_stops_train_before_its_first_step_with_weights_unchanged(void)
{
    static float x[MOONS * 2];
    initnn_net *net = NULL;
    net_snapshot snap;
    memset(&snap, 0, sizeof snap);
    make_moons_net(&net, "relu", "he_normal", 4, 0.0f);
    if (!TESTING_FAILED) nan_train_body(net, &snap, x);
    snapshot_free(&snap);
}

/* ---- determinism ----------------------------------------------------------------------------- */

static void train_small(initnn_net **net, uint64_t seed)
{
    make_moons_net(net, "relu", "he_normal", seed, 0.2f);
    if (!TESTING_FAILED) train_moons(*net, moons_x, moons_y, 256, 3);
}

static void same_seed_and_data_give_bit_identical_weights_after_training(void)
{
    initnn_net *a = NULL, *b = NULL, *c = NULL;
    train_small(&a, 7);
    if (!TESTING_FAILED) train_small(&b, 7);
    if (!TESTING_FAILED) train_small(&c, 8);
    if (!TESTING_FAILED) {
        CHECK(a->param_count == b->param_count, "param counts differ");
        CHECK(memcmp(a->params, b->params, a->param_count * sizeof(float)) == 0,
              "two runs from seed 7 end with different weights");
        CHECK(memcmp(a->opt_m, b->opt_m, a->param_count * sizeof(float)) == 0 &&
                  memcmp(a->opt_v, b->opt_v, a->param_count * sizeof(float)) == 0,
              "two runs from seed 7 end with different Adam moments");
        CHECK(a->rng.state == b->rng.state && a->rng.inc == b->rng.inc, "the generators end in different states");
        CHECK(memcmp(a->params, c->params, a->param_count * sizeof(float)) != 0,
              "seeds 7 and 8 end with the same weights");
    }
}

static void reinit_with_the_creation_seed_redraws_the_same_weights(void)
{
    static float first[8192];
    initnn_net *net = NULL;
    make_moons_net(&net, "relu", "he_normal", 99, 0.2f);
    if (TESTING_FAILED) return;
    CHECK(net->param_count <= 8192, "%lu parameters", (unsigned long)net->param_count);
    memcpy(first, net->params, net->param_count * sizeof(float));
    train_moons(net, moons_x, moons_y, 128, 1);
    if (TESTING_FAILED) return;
    CHECK(memcmp(first, net->params, net->param_count * sizeof(float)) != 0, "training changed nothing");
    CHECK(initnn_net_reinit(net, 99) == 0, "initnn_net_reinit: %s", initnn_last_error());
    CHECK_FLOATS_EQUAL("weights after reinit(99)", net->params, first, net->param_count);
    CHECK(net->opt.step == 0, "opt.step = %lld after reinit", (long long)net->opt.step);
}

#ifndef INITNN_REFERENCE
/* ---- the thread count on a busy machine ------------------------------------------------
   initnn_net_train skips its trial of every thread when the kernel's count of
   runnable tasks (Linux's /proc/loadavg) says the other processes leave too
   few cores free. Its three parts, each on given text or numbers. */

static void kernels_runnable_count_is_the_fourth_field_of_loadavg(void)
{
    CHECK(initnn__loadavg_runnable("0.34 2.05 2.70 2/110 13447\n") == 2, "a busy loop and the reader");
    CHECK(initnn__loadavg_runnable("12.00 11.50 9.25 17/1024 99") == 17, "17 of 1024");
    CHECK(initnn__loadavg_runnable("0.00 0.00 0.00 0/5 1") == 0, "none");
    CHECK(initnn__loadavg_runnable("") == -1, "empty text");
    CHECK(initnn__loadavg_runnable("0.34 2.05 2.70 x/110 1") == -1, "no count");
    CHECK(initnn__loadavg_runnable("0.34 2.05 2.70 -1/110 1") == -1, "a negative count");
    CHECK(initnn__loadavg_runnable("0.34 2.05 2.70 200/110 1") == -1, "more runnable than tasks");
    CHECK(initnn__loadavg_runnable("Linux version 6") == -1, "another file's text");
    CHECK(initnn__loadavg_runnable("0,34 2,05 2,70 3/110 1") == 3, "averages in another locale's spelling");
}

/* /proc/stat's "cpuN" lines, not its "cpu" sum, and not text that a long
   line ("intr", thousands of numbers) carries past the reader's buffer. */
static void machines_cores_are_the_cpuN_lines_of_proc_stat(void)
{
    FILE *f = tmpfile();
    int i, cores;
    CHECK(f != NULL, "tmpfile failed");
    if (!f) return;
    fputs("cpu  4705 356 584 3699 23 23 0 0 0 0\n", f);
    fputs("cpu0 1393 280 290 1895 6 12 0 0 0 0\n", f);
    fputs("cpu1 3312 76 294 1804 17 11 0 0 0 0\n", f);
    fputs("intr 114930548", f);
    for (i = 0; i < 600; i++) fprintf(f, " %d", i % 10);   /* 1200 characters */
    fputs(" cpu7 1 2 3", f);                                /* inside that line */
    for (i = 0; i < 300; i++) fputs(" cpu9", f);            /* and at every offset of */
    for (i = 0; i < 300; i++) fputs(" 1 cpu9", f);          /* a reader's pieces      */
    fputs("\nctxt 1990473\nbtime 1062191376\nprocesses 2915\n", f);
    rewind(f);
    cores = initnn__stat_cores(f);
    CHECK(cores == 2, "counted %d cores, want 2", cores);
    fclose(f);
    f = tmpfile();
    CHECK(f != NULL, "tmpfile failed");
    if (!f) return;
    cores = initnn__stat_cores(f);
    CHECK(cores == 0, "an empty file gave %d cores", cores);
    fclose(f);
}

/* crowded_by(runnable, ours, most, cores): the others' runnable tasks,
   runnable - ours, plus our most threads, more than the cores. */
static void threads_are_crowded_only_when_the_others_leave_too_few_cores(void)
{
    CHECK(initnn__threads_crowded_by(2, 1, 2, 2) == 1, "a busy loop on two cores, two threads");
    CHECK(initnn__threads_crowded_by(1, 1, 2, 2) == 0, "only the reader runs");
    CHECK(initnn__threads_crowded_by(2, 2, 2, 2) == 0, "our own two threads run");
    CHECK(initnn__threads_crowded_by(3, 2, 2, 2) == 1, "our two and another");
    CHECK(initnn__threads_crowded_by(2, 1, 2, 4) == 0, "one busy of four cores");
    CHECK(initnn__threads_crowded_by(4, 1, 2, 4) == 1, "three busy of four cores");
    CHECK(initnn__threads_crowded_by(5, 1, 2, 0) == 0, "no count of cores: the count does not speak");
    CHECK(initnn__threads_crowded_by(-1, 1, 2, 2) == 0, "no count of tasks: the count does not speak");
}
#endif

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    testing_after_each(ref_release_nets);
    make_moons(moons_x, moons_y, MOONS, 0.15, 12345);
    RUN_TEST(lsuv_brings_every_tanh_layer_to_unit_pre_activation_variance);
    RUN_TEST(lsuv_brings_every_relu_layer_to_unit_variance_and_skips_dropout);
    RUN_TEST(he_normal_relu_net_fits_two_moons_to_97_percent);
    RUN_TEST(zeros_kernels_keep_relu_units_identical_and_the_net_at_chance);
    RUN_TEST(zeros_kernels_keep_sigmoid_units_identical_while_the_weights_move);
    RUN_TEST(nan_input_makes_train_batch_fail_and_changes_no_weight_or_moment);
    RUN_TEST(nan_sample_stops_train_before_its_first_step_with_weights_unchanged);
    RUN_TEST(same_seed_and_data_give_bit_identical_weights_after_training);
    RUN_TEST(reinit_with_the_creation_seed_redraws_the_same_weights);
#ifndef INITNN_REFERENCE
    RUN_TEST(kernels_runnable_count_is_the_fourth_field_of_loadavg);
    RUN_TEST(machines_cores_are_the_cpuN_lines_of_proc_stat);
    RUN_TEST(threads_are_crowded_only_when_the_others_leave_too_few_cores);
#endif
    return testing_finish();
}
