/* test_train_io.c - checkpoints and .npy files (the SVG plots: test_plot.c).

   Checkpoints: the documented layout (section 12) is checked byte by byte,
   with the CRC-32 recomputed by a bitwise implementation written here; a
   save/load round trip must be bit-exact and training must continue
   identically from it; every corruption tried (a flipped byte at many
   offsets, truncation at many lengths, an empty or missing file, another
   architecture) must be refused with an error code and a message, without
   a crash and without touching the net loaded into.

   .npy: the header is checked against the NumPy format specification
   (numpy/lib/format.py, version 1.0: magic "\x93NUMPY", major 1, minor 0,
   little-endian u16 header length, a Python dict literal padded with spaces
   and ended by '\n' so that the data start at a multiple of 64), and when
   /usr/bin/python3 has numpy, NumPy itself reads initnn's files and writes
   files for initnn to read. Without numpy those two tests print a "skip"
   line, which the runner counts neither as passed nor as failed.

   Temporary files are /tmp/initnn_test_train_XXXXXX* (mkstemp) and are
   removed at the end. */

#define _POSIX_C_SOURCE 200809L

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "python.h"

#include <ctype.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>


/* ---- files ---------------------------------------------------------------------------- */

static char temp_base[64];

/* base + suffix, a path in the test's own namespace. */
static const char *temp_path(const char *suffix)
{
    static char paths[8][96];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, sizeof paths[0], "%s%s", temp_base, suffix);
    return p;
}

static unsigned char *read_all(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    *size = 0;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    buf = (unsigned char *)malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) {
        buf[n] = 0;   /* text files read as strings */
        *size = (size_t)n;
    }
    return buf;
}

static int write_all(const char *path, const void *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f) return 0;
    ok = fwrite(data, 1, size, f) == size;
    return fclose(f) == 0 && ok;
}


static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_u64(const unsigned char *p)
{
    return (uint64_t)get_u32(p) | (uint64_t)get_u32(p + 4) << 32;
}

static float get_f32(const unsigned char *p)
{
    uint32_t u = get_u32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

/* CRC-32 of zlib, bit by bit: reflected, polynomial 0xEDB88320, initial and
   final XOR 0xFFFFFFFF. */
static uint32_t crc32_bitwise(const unsigned char *p, size_t n)
{
    uint32_t crc = 0xFFFFFFFFu;
    size_t i;
    int k;
    for (i = 0; i < n; i++) {
        crc ^= p[i];
        for (k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return crc ^ 0xFFFFFFFFu;
}

/* ---- per-test resources ----------------------------------------------------------------------

   A failed CHECK returns from the test at once; whatever the test allocated
   is kept in these slots and released after it by RUN, with every temporary
   file, so that nothing leaks under LeakSanitizer either way. */

static initnn_net *nets[4];
static unsigned char *blocks[4];
static const char *const temp_suffixes[] = {".ck", ".ck.tmp", ".bad", ".npy", ".bad.npy",
                                            ".3.npy", ".1.npy", ".f4.npy", ".f8.npy", ".svg",
                                            ".svg.tmp"};

static void release_test_resources(void)
{
    size_t i;
    for (i = 0; i < 4; i++) {
        initnn_net_free(nets[i]);
        nets[i] = NULL;
        free(blocks[i]);
        blocks[i] = NULL;
    }
    for (i = 0; i < sizeof temp_suffixes / sizeof temp_suffixes[0]; i++) remove(temp_path(temp_suffixes[i]));
}

/* ---- the checkpointed net and the documented layout --------------------------------------------- */

enum { CK_IN = 4, CK_HIDDEN = 8, CK_OUT = 3, CK_BATCH = 8, CK_LAYERS = 3 };
#define CK_PARAMS (CK_IN * CK_HIDDEN + CK_HIDDEN + CK_HIDDEN * CK_OUT + CK_OUT)
/* "INITNNCK", then u32 version, input_dim, input_c, input_h, input_w,
   layer_count, loss. */
#define CK_HEADER (8 + 7 * 4)
/* u32 type, in, out, activation; f32 activation_param, rate; u32 out_c,
   out_h, out_w, kernel_h, kernel_w, stride, same_padding; three specs. */
#define CK_LAYER_BYTES (4 * 4 + 2 * 4 + 7 * 4 + 3 * INITNN_SPEC_MAX)
#define CK_LAYER(l) (CK_HEADER + (l) * CK_LAYER_BYTES)
#define CK_KERNEL_INIT 52
#define CK_ACTIVATION_SPEC (CK_KERNEL_INIT + 2 * INITNN_SPEC_MAX)
#define CK_PARAMS_AT (CK_LAYER(CK_LAYERS) + 8)
/* u32 type, nesterov, keras_epsilon; 9 f32; i64 step; m; v. */
#define CK_OPT_AT (CK_PARAMS_AT + 4 * CK_PARAMS)
#define CK_RNG_AT (CK_OPT_AT + 3 * 4 + 9 * 4 + 8 + 8 * CK_PARAMS)
#define CK_SIZE (CK_RNG_AT + 3 * 8 + 4)

static float ck_x[CK_BATCH * CK_IN];
static int ck_labels[CK_BATCH];

/* 4 -> 8 tanh -> dropout 0.2 -> 3 softmax, Keras-form Adam with weight
   decay and clipping (non-default values that must round trip), trained
   three steps so that the moments, the step count and the generator have
   moved. hidden, dropout and activation vary the architecture. */
static void make_ck_net(initnn_net **net, uint64_t seed, int hidden, int dropout, const char *activation)
{
    initnn_optimizer opt = initnn_adam_keras(0.01f);
    int k, err;
    float loss;
    opt.weight_decay = 1e-4f;
    opt.clip_norm = 1.0f;
    err = initnn_net_create(net, CK_IN, CK_BATCH, seed);
    CHECK(err == 0, "initnn_net_create: %s", initnn_last_error());
    err = initnn_net_add_dense(*net, hidden, activation, "he_normal", "random_normal:0.1");
    if (!err && dropout) err = initnn_net_add_dropout(*net, 0.2f);
    if (!err) err = initnn_net_add_dense(*net, CK_OUT, "softmax", "glorot_uniform", "zeros");
    if (!err) err = initnn_net_set_optimizer(*net, &opt);
    CHECK(err == 0, "building the net: %s", initnn_last_error());
    for (k = 0; k < 3; k++) {
        err = initnn_net_train_batch(*net, ck_x, ck_labels, NULL, CK_BATCH, &loss, NULL);
        CHECK(err == 0, "train_batch: %s", initnn_last_error());
    }
}

/* Saves nets[0] to path and reads the file into blocks[0]. */
static void save_and_read(const char *path, size_t *size)
{
    int err = initnn_net_save(nets[0], path);
    CHECK(err == 0, "initnn_net_save: %d %s", err, initnn_last_error());
    blocks[0] = read_all(path, size);
    CHECK(blocks[0] != NULL, "cannot read back %s", path);
    CHECK(*size == CK_SIZE, "the checkpoint has %lu bytes, the documented layout %lu", (unsigned long)*size,
          (unsigned long)CK_SIZE);
}

static void check_same_net(const initnn_net *a, const initnn_net *b)
{
    size_t bytes = a->param_count * sizeof(float);
    int l;
    CHECK(a->input_dim == b->input_dim && a->layer_count == b->layer_count && a->loss == b->loss &&
              a->param_count == b->param_count,
          "input_dim %d/%d, layers %d/%d, loss %d/%d, params %lu/%lu", a->input_dim, b->input_dim,
          a->layer_count, b->layer_count, a->loss, b->loss, (unsigned long)a->param_count,
          (unsigned long)b->param_count);
    for (l = 0; l < a->layer_count; l++) {
        const initnn_layer *p = &a->layers[l], *q = &b->layers[l];
        CHECK(p->type == q->type && p->in == q->in && p->out == q->out && p->activation == q->activation &&
                  p->activation_param == q->activation_param && p->rate == q->rate &&
                  p->param_offset == q->param_offset && p->weight_count == q->weight_count &&
                  p->bias_count == q->bias_count,
              "layer %d differs in type, sizes, activation, rate or offsets", l);
        CHECK(strcmp(p->kernel_init, q->kernel_init) == 0 && strcmp(p->bias_init, q->bias_init) == 0 &&
                  strcmp(p->activation_spec, q->activation_spec) == 0,
              "layer %d specs: '%s' '%s' '%s' vs '%s' '%s' '%s'", l, p->kernel_init, p->bias_init,
              p->activation_spec, q->kernel_init, q->bias_init, q->activation_spec);
    }
    CHECK(memcmp(a->params, b->params, bytes) == 0, "the weights differ");
    CHECK(memcmp(a->opt_m, b->opt_m, bytes) == 0, "opt_m differs");
    CHECK(memcmp(a->opt_v, b->opt_v, bytes) == 0, "opt_v differs");
    CHECK(a->opt.type == b->opt.type && a->opt.learning_rate == b->opt.learning_rate &&
              a->opt.momentum == b->opt.momentum && a->opt.nesterov == b->opt.nesterov &&
              a->opt.beta1 == b->opt.beta1 && a->opt.beta2 == b->opt.beta2 &&
              a->opt.epsilon == b->opt.epsilon && a->opt.keras_epsilon == b->opt.keras_epsilon &&
              a->opt.rho == b->opt.rho && a->opt.weight_decay == b->opt.weight_decay &&
              a->opt.clip_norm == b->opt.clip_norm && a->opt.clip_value == b->opt.clip_value,
          "the optimizer's settings differ");
    CHECK(a->opt.step == b->opt.step, "opt.step %lld vs %lld", (long long)a->opt.step, (long long)b->opt.step);
    CHECK(a->rng.state == b->rng.state && a->rng.inc == b->rng.inc && a->seed == b->seed,
          "the generator differs: state %llx/%llx inc %llx/%llx seed %llu/%llu",
          (unsigned long long)a->rng.state, (unsigned long long)b->rng.state, (unsigned long long)a->rng.inc,
          (unsigned long long)b->rng.inc, (unsigned long long)a->seed, (unsigned long long)b->seed);
}

/* One more training step on both nets (dropout draws from each generator):
   the results must be the same bits. */
static void check_same_next_step(initnn_net *a, initnn_net *b)
{
    float la = 0.0f, lb = 1.0f;
    int ea = initnn_net_train_batch(a, ck_x, ck_labels, NULL, CK_BATCH, &la, NULL);
    int eb = initnn_net_train_batch(b, ck_x, ck_labels, NULL, CK_BATCH, &lb, NULL);
    CHECK(ea == 0 && eb == 0, "train_batch after the round trip: %d %d %s", ea, eb, initnn_last_error());
    CHECK(memcmp(&la, &lb, sizeof la) == 0, "losses of the next step: %.9g vs %.9g", (double)la, (double)lb);
    check_same_net(a, b);
}

static void crc32_is_zlibs_and_continues_across_calls(void)
{
    CHECK(crc32_bitwise((const unsigned char *)"123456789", 9) == 0xCBF43926u, "the test's own CRC is wrong");
    CHECK(initnn_crc32(0, "123456789", 9) == 0xCBF43926u, "initnn_crc32(\"123456789\") = %08lx, want cbf43926",
          (unsigned long)initnn_crc32(0, "123456789", 9));
    CHECK(initnn_crc32(initnn_crc32(0, "1234", 4), "56789", 5) == 0xCBF43926u, "initnn_crc32 does not continue");
    CHECK(initnn_crc32(0, "", 0) == 0, "the CRC of nothing is %08lx", (unsigned long)initnn_crc32(0, "", 0));
}

static void checkpoint_has_the_documented_layout_and_a_zlib_crc32_trailer(void)
{
    const char *path = temp_path(".ck");
    const unsigned char *file, *p;
    const initnn_net *net;
    size_t size = 0, i;
    make_ck_net(&nets[0], 11, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    net = nets[0];
    save_and_read(path, &size);
    if (TESTING_FAILED) return;
    file = blocks[0];
    CHECK(memcmp(file, "INITNNCK", 8) == 0, "bad magic");
    CHECK(get_u32(file + 8) == 2 && get_u32(file + 12) == CK_IN && get_u32(file + 16) == CK_IN &&
              get_u32(file + 20) == 1 && get_u32(file + 24) == 1 && get_u32(file + 28) == CK_LAYERS &&
              get_u32(file + 32) == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY,
          "header: version %lu input_dim %lu shape %lu x %lu x %lu layers %lu loss %lu",
          (unsigned long)get_u32(file + 8), (unsigned long)get_u32(file + 12), (unsigned long)get_u32(file + 16),
          (unsigned long)get_u32(file + 20), (unsigned long)get_u32(file + 24), (unsigned long)get_u32(file + 28),
          (unsigned long)get_u32(file + 32));
    p = file + CK_LAYER(0);
    CHECK(get_u32(p) == INITNN_LAYER_DENSE && get_u32(p + 4) == CK_IN && get_u32(p + 8) == CK_HIDDEN &&
              get_u32(p + 12) == INITNN_ACT_TANH,
          "layer 0: type %lu in %lu out %lu activation %lu", (unsigned long)get_u32(p), (unsigned long)get_u32(p + 4),
          (unsigned long)get_u32(p + 8), (unsigned long)get_u32(p + 12));
    CHECK(strcmp((const char *)p + CK_KERNEL_INIT, "he_normal") == 0 &&
              strcmp((const char *)p + CK_KERNEL_INIT + INITNN_SPEC_MAX, "random_normal:0.1") == 0 &&
              strcmp((const char *)p + CK_ACTIVATION_SPEC, "tanh") == 0,
          "layer 0 specs '%.64s' '%.64s' '%.64s'", (const char *)p + CK_KERNEL_INIT,
          (const char *)p + CK_KERNEL_INIT + INITNN_SPEC_MAX, (const char *)p + CK_ACTIVATION_SPEC);
    p = file + CK_LAYER(1);
    CHECK(get_u32(p) == INITNN_LAYER_DROPOUT && get_f32(p + 20) == 0.2f, "layer 1 is not dropout 0.2");
    CHECK(get_u64(file + CK_PARAMS_AT - 8) == CK_PARAMS, "param_count %llu, want %d",
          (unsigned long long)get_u64(file + CK_PARAMS_AT - 8), CK_PARAMS);
    for (i = 0; i < CK_PARAMS; i++)
        CHECK(get_f32(file + CK_PARAMS_AT + 4 * i) == net->params[i], "param %lu", (unsigned long)i);
    p = file + CK_OPT_AT;
    CHECK(get_u32(p) == INITNN_OPT_ADAM && get_u32(p + 8) == 1 && get_f32(p + 12) == 0.01f &&
              get_f32(p + 36) == 1e-4f && get_f32(p + 40) == 1.0f,
          "optimizer: type %lu keras %lu lr %g wd %g clip %g", (unsigned long)get_u32(p),
          (unsigned long)get_u32(p + 8), (double)get_f32(p + 12), (double)get_f32(p + 36),
          (double)get_f32(p + 40));
    CHECK((int64_t)get_u64(p + 48) == net->opt.step && net->opt.step == 3, "step %lld, the net's %lld",
          (long long)get_u64(p + 48), (long long)net->opt.step);
    for (i = 0; i < CK_PARAMS; i++)
        CHECK(get_f32(p + 56 + 4 * i) == net->opt_m[i] && get_f32(p + 56 + 4 * (CK_PARAMS + i)) == net->opt_v[i],
              "moment %lu", (unsigned long)i);
    p = file + CK_RNG_AT;
    CHECK(get_u64(p) == net->rng.state && get_u64(p + 8) == net->rng.inc && get_u64(p + 16) == net->seed,
          "rng fields differ from the net's");
    CHECK(get_u32(file + size - 4) == crc32_bitwise(file, size - 4), "trailer %08lx, CRC-32 %08lx",
          (unsigned long)get_u32(file + size - 4), (unsigned long)crc32_bitwise(file, size - 4));
    CHECK(!testing_temp_left_beside(temp_path(".ck")), "a temporary PATH.tmp-* is left behind after a save");
}

static void save_then_load_is_bit_exact_and_training_continues_identically(void)
{
    const char *path = temp_path(".ck");
    int err;
    make_ck_net(&nets[0], 12, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    err = initnn_net_save(nets[0], path);
    CHECK(err == 0, "initnn_net_save: %d %s", err, initnn_last_error());
    err = initnn_net_load(&nets[1], path, CK_BATCH);
    CHECK(err == 0 && nets[1] != NULL, "initnn_net_load: %d %s", err, initnn_last_error());
    CHECK(nets[1]->max_batch == CK_BATCH, "max_batch %d", nets[1]->max_batch);
    check_same_net(nets[0], nets[1]);
    if (TESTING_FAILED) return;
    check_same_next_step(nets[0], nets[1]);
}

static void load_into_a_net_of_the_same_architecture_restores_everything(void)
{
    const char *path = temp_path(".ck");
    int err;
    make_ck_net(&nets[0], 13, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    make_ck_net(&nets[1], 14, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    CHECK(memcmp(nets[0]->params, nets[1]->params, CK_PARAMS * sizeof(float)) != 0, "seeds 13 and 14 agree");
    err = initnn_net_save(nets[0], path);
    CHECK(err == 0, "initnn_net_save: %d %s", err, initnn_last_error());
    err = initnn_net_load_into(nets[1], path);
    CHECK(err == 0, "initnn_net_load_into: %d %s", err, initnn_last_error());
    check_same_net(nets[0], nets[1]);
    if (TESTING_FAILED) return;
    check_same_next_step(nets[0], nets[1]);
}

/* Loads path into net, which must fail with want and a message, leaving
   net's weights, moments, step and generator as they were. */
static void check_load_into_refused(initnn_net *net, const char *path, int want, const char *what)
{
    enum { MAX = 256 };
    float params[MAX], m[MAX], v[MAX];
    size_t bytes = net->param_count * sizeof(float);
    initnn_rng rng = net->rng;
    int64_t step = net->opt.step;
    int err;
    CHECK(net->param_count <= MAX, "%lu parameters", (unsigned long)net->param_count);
    memcpy(params, net->params, bytes);
    memcpy(m, net->opt_m, bytes);
    memcpy(v, net->opt_v, bytes);
    initnn_clear_error();
    err = initnn_net_load_into(net, path);
    CHECK(err == want, "%s: load_into returned %d, want %d", what, err, want);
    CHECK(strlen(initnn_last_error()) > 0, "%s: refused without a message", what);
    CHECK(memcmp(params, net->params, bytes) == 0 && memcmp(m, net->opt_m, bytes) == 0 &&
              memcmp(v, net->opt_v, bytes) == 0 && step == net->opt.step && rng.state == net->rng.state &&
              rng.inc == net->rng.inc,
          "%s: the refused load changed the net", what);
}

static void load_into_a_different_architecture_is_refused_and_changes_nothing(void)
{
    static const struct { int hidden, dropout; const char *activation, *what; } others[] = {
        {9, 1, "tanh", "9 hidden units instead of 8"},
        {8, 0, "tanh", "no dropout layer"},
        {8, 1, "relu", "relu instead of tanh"},
    };
    const char *path = temp_path(".ck");
    int i, err;
    make_ck_net(&nets[0], 15, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    err = initnn_net_save(nets[0], path);
    CHECK(err == 0, "initnn_net_save: %d %s", err, initnn_last_error());
    for (i = 0; i < 3; i++) {
        initnn_net_free(nets[1]);
        nets[1] = NULL;
        make_ck_net(&nets[1], 16, others[i].hidden, others[i].dropout, others[i].activation);
        if (TESTING_FAILED) return;
        check_load_into_refused(nets[1], path, INITNN_ERR_FORMAT, others[i].what);
        if (TESTING_FAILED) return;
    }
    err = initnn_net_create(&nets[2], CK_IN + 1, CK_BATCH, 1);
    CHECK(err == 0, "initnn_net_create: %s", initnn_last_error());
    err = initnn_net_add_dense(nets[2], CK_HIDDEN, "tanh", "he_normal", NULL);
    if (!err) err = initnn_net_add_dropout(nets[2], 0.2f);
    if (!err) err = initnn_net_add_dense(nets[2], CK_OUT, "softmax", "glorot_uniform", NULL);
    CHECK(err == 0, "building the net: %s", initnn_last_error());
    check_load_into_refused(nets[2], path, INITNN_ERR_FORMAT, "5 inputs instead of 4");
}

/* initnn_net_load of path must fail with want and a message, leaving *out NULL. */
static void check_load_refused(const char *path, int want, const char *what)
{
    initnn_net *out = NULL;
    int err;
    initnn_clear_error();
    err = initnn_net_load(&out, path, CK_BATCH);
    if (out) initnn_net_free(out);
    CHECK(err == want, "%s: initnn_net_load returned %d, want %d", what, err, want);
    CHECK(strlen(initnn_last_error()) > 0, "%s: refused without a message", what);
    CHECK(out == NULL, "%s: *out was set by a failed load", what);
}

static void a_flipped_byte_anywhere_in_a_checkpoint_is_refused(void)
{
    /* Offsets: magic, version, input_dim, input shape, layer_count, loss, a
       layer's type, sizes, activation, rate, conv fields, a spec string,
       param_count, weights, the optimizer, the moments, the generator, the
       checksum. */
    static const size_t offsets[] = {0, 7, 8, 12, 16, 24, 28, 32, CK_LAYER(0), CK_LAYER(0) + 4, CK_LAYER(0) + 12,
                                     CK_LAYER(1) + 20, CK_LAYER(0) + 24, CK_LAYER(2) + 48,
                                     CK_LAYER(0) + CK_KERNEL_INIT + 3, CK_LAYER(0) + CK_KERNEL_INIT + 40,
                                     CK_PARAMS_AT - 8, CK_PARAMS_AT - 1, CK_PARAMS_AT, CK_PARAMS_AT + 2 * CK_PARAMS + 1,
                                     CK_OPT_AT, CK_OPT_AT + 12, CK_OPT_AT + 48, CK_OPT_AT + 56, CK_OPT_AT + 60 + 4 * CK_PARAMS,
                                     CK_RNG_AT, CK_RNG_AT + 8, CK_RNG_AT + 23, CK_SIZE - 4, CK_SIZE - 2, CK_SIZE - 1};
    static const unsigned char flips[] = {0x01, 0x80, 0xFF};
    const char *path = temp_path(".ck"), *bad = temp_path(".bad");
    unsigned char *file;
    size_t size = 0, i, f;
    char what[96];
    make_ck_net(&nets[0], 17, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    make_ck_net(&nets[1], 18, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    save_and_read(path, &size);
    if (TESTING_FAILED) return;
    file = blocks[0];
    for (i = 0; i < sizeof offsets / sizeof offsets[0]; i++)
        for (f = 0; f < sizeof flips; f++) {
            file[offsets[i]] ^= flips[f];
            CHECK(write_all(bad, file, size), "cannot write %s", bad);
            file[offsets[i]] ^= flips[f];
            snprintf(what, sizeof what, "byte %lu xor 0x%02x of %lu", (unsigned long)offsets[i], flips[f],
                     (unsigned long)size);
            check_load_refused(bad, INITNN_ERR_FORMAT, what);
            if (TESTING_FAILED) return;
        }
    /* And into an existing net, which must be left alone. */
    file[CK_PARAMS_AT + 5] ^= 0x10;
    CHECK(write_all(bad, file, size), "cannot write %s", bad);
    file[CK_PARAMS_AT + 5] ^= 0x10;
    check_load_into_refused(nets[1], bad, INITNN_ERR_FORMAT, "a flipped weight byte, into a net");
}

static void truncated_empty_and_missing_checkpoints_are_refused(void)
{
    const char *path = temp_path(".ck"), *bad = temp_path(".bad");
    size_t size = 0, i;
    char what[64];
    make_ck_net(&nets[0], 19, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    save_and_read(path, &size);
    if (TESTING_FAILED) return;
    {
        const size_t lengths[] = {0, 1, 7, 8, 11, 12, 35, 36, 100, CK_PARAMS_AT - 8, CK_PARAMS_AT - 1, CK_PARAMS_AT,
                                  CK_OPT_AT, CK_RNG_AT, size / 2, size - 28, size - 5, size - 4, size - 1};
        for (i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
            CHECK(write_all(bad, blocks[0], lengths[i]), "cannot write %s", bad);
            snprintf(what, sizeof what, "the first %lu of %lu bytes", (unsigned long)lengths[i],
                     (unsigned long)size);
            check_load_refused(bad, INITNN_ERR_FORMAT, what);
            if (TESTING_FAILED) return;
        }
    }
    remove(bad);
    check_load_refused(bad, INITNN_ERR_IO, "a missing file");
}

static void put_u32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static void put_u64(unsigned char *p, uint64_t v)
{
    put_u32(p, (uint32_t)v);
    put_u32(p + 4, (uint32_t)(v >> 32));
}

static void put_f32(unsigned char *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    put_u32(p, u);
}

/* Field edits that keep a valid CRC: the loader must check the fields
   themselves ("Every field is validated"). */
enum { EDIT_U32, EDIT_U64, EDIT_F32, EDIT_FILL };
static const struct {
    size_t at;
    int kind;
    double value;     /* EDIT_U32, EDIT_F32, EDIT_FILL */
    uint64_t bits;    /* EDIT_U64 */
    const char *what;
} field_edits[] = {
    {8, EDIT_U32, 3, 0, "version 3"},
    {8, EDIT_U32, 0, 0, "version 0"},
    {12, EDIT_U32, 0, 0, "input_dim 0"},
    {12, EDIT_U32, 4294967295.0, 0, "input_dim 2^32 - 1"},
    {16, EDIT_U32, 3, 0, "input shape 3 x 1 x 1 for input_dim 4"},
    {28, EDIT_U32, 0, 0, "layer_count 0"},
    {28, EDIT_U32, 2, 0, "layer_count 2 of 3"},
    {28, EDIT_U32, 4, 0, "layer_count 4 of 3"},
    {28, EDIT_U32, 100000, 0, "layer_count 100000"},
    {32, EDIT_U32, 7, 0, "loss 7"},
    {CK_LAYER(0), EDIT_U32, 9, 0, "layer 0 type 9"},
    {CK_LAYER(0) + 4, EDIT_U32, 5, 0, "layer 0 in 5, input_dim 4"},
    {CK_LAYER(0) + 8, EDIT_U32, 0, 0, "layer 0 out 0"},
    {CK_LAYER(0) + 8, EDIT_U32, 2147483647, 0, "layer 0 out 2^31 - 1"},
    {CK_LAYER(0) + 12, EDIT_U32, 99, 0, "layer 0 activation 99"},
    {CK_LAYER(2) + 12, EDIT_U32, INITNN_ACT_TANH, 0, "softmax output changed to tanh under cross-entropy"},
    {CK_LAYER(1) + 20, EDIT_F32, 1.0, 0, "dropout rate 1"},
    {CK_LAYER(1) + 20, EDIT_F32, -0.5, 0, "dropout rate -0.5"},
    {CK_LAYER(1) + 20, EDIT_F32, NAN, 0, "dropout rate NaN"},
    {CK_LAYER(0) + CK_KERNEL_INIT, EDIT_FILL, 'a', 0, "kernel_init without a terminating NUL"},
    {CK_LAYER(0) + CK_ACTIVATION_SPEC, EDIT_FILL, 'r', 0, "activation_spec without a terminating NUL"},
    {CK_PARAMS_AT - 8, EDIT_U64, 0, CK_PARAMS + 1, "param_count one too many"},
    {CK_PARAMS_AT - 8, EDIT_U64, 0, (uint64_t)1 << 62, "param_count 2^62"},
    {CK_PARAMS_AT + 8, EDIT_F32, NAN, 0, "a NaN weight"},
    {CK_PARAMS_AT + 12, EDIT_F32, INFINITY, 0, "an infinite weight"},
    {CK_OPT_AT, EDIT_U32, 9, 0, "optimizer type 9"},
    {CK_OPT_AT + 48, EDIT_U64, 0, ~(uint64_t)0, "step -1"},
    {CK_RNG_AT + 8, EDIT_U64, 0, 2, "an even generator increment"},
};

static void a_checkpoint_with_a_valid_crc_but_a_bad_field_is_refused(void)
{
    const char *path = temp_path(".ck"), *bad = temp_path(".bad");
    size_t size = 0, i;
    make_ck_net(&nets[0], 21, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    save_and_read(path, &size);
    if (TESTING_FAILED) return;
    blocks[1] = (unsigned char *)malloc(size);
    CHECK(blocks[1] != NULL, "out of memory");
    for (i = 0; i < sizeof field_edits / sizeof field_edits[0]; i++) {
        unsigned char *copy = blocks[1], *at = copy + field_edits[i].at;
        memcpy(copy, blocks[0], size);
        switch (field_edits[i].kind) {
        case EDIT_U32: put_u32(at, (uint32_t)field_edits[i].value); break;
        case EDIT_U64: put_u64(at, field_edits[i].bits); break;
        case EDIT_F32: put_f32(at, (float)field_edits[i].value); break;
        default: memset(at, (int)field_edits[i].value, INITNN_SPEC_MAX); break;
        }
        put_u32(copy + size - 4, crc32_bitwise(copy, size - 4));
        CHECK(write_all(bad, copy, size), "cannot write %s", bad);
        check_load_refused(bad, INITNN_ERR_FORMAT, field_edits[i].what);
        if (TESTING_FAILED) return;
    }
}

static void saving_non_finite_weights_is_refused_and_keeps_the_previous_file(void)
{
    static const float poison[2] = {NAN, INFINITY};
    const char *path = temp_path(".ck"), *tmp = temp_path(".ck.tmp");
    size_t size = 0, size_after = 0;
    int k;
    make_ck_net(&nets[0], 20, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    save_and_read(path, &size);
    if (TESTING_FAILED) return;
    for (k = 0; k < 2; k++) {
        float saved = nets[0]->params[5];
        int err;
        nets[0]->params[5] = poison[k];
        initnn_clear_error();
        err = initnn_net_save(nets[0], path);
        nets[0]->params[5] = saved;
        CHECK(err == INITNN_ERR_NONFINITE, "saving a net with a %g weight returned %d, want INITNN_ERR_NONFINITE",
              (double)poison[k], err);
        CHECK(strlen(initnn_last_error()) > 0, "refused without a message");
        free(blocks[1]);
        blocks[1] = read_all(path, &size_after);
        CHECK(blocks[1] != NULL && size_after == size && memcmp(blocks[0], blocks[1], size) == 0,
              "the refused save changed the file on disk (%lu bytes, had %lu)", (unsigned long)size_after,
              (unsigned long)size);
        CHECK(!testing_temp_left_beside(path), "the refused save left a temporary %s-* behind", tmp);
    }
}

static void saving_into_a_missing_directory_is_an_io_error(void)
{
    int err;
    make_ck_net(&nets[0], 22, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    initnn_clear_error();
    err = initnn_net_save(nets[0], temp_path(".no-such-dir/net.ck"));
    CHECK(err == INITNN_ERR_IO, "saving into a missing directory returned %d, want INITNN_ERR_IO", err);
    CHECK(strlen(initnn_last_error()) > 0, "refused without a message");
}

/* ---- what a model keeps: preprocessing and class names (format version 2) ------------------- */

/* Version 1 (before the optional chunks) is version 2's layout without
   chunks: a file written before the change is this one with version 1 and
   its checksum. It must still load, with nothing recorded. */
static void a_version_1_checkpoint_still_loads_without_preprocessing(void)
{
    const char *path = temp_path(".ck"), *old = temp_path(".bad");
    size_t size = 0;
    int err;
    make_ck_net(&nets[0], 31, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    save_and_read(path, &size);
    if (TESTING_FAILED) return;
    put_u32(blocks[0] + 8, 1);
    put_u32(blocks[0] + size - 4, crc32_bitwise(blocks[0], size - 4));
    CHECK(write_all(old, blocks[0], size), "cannot write %s", old);
    err = initnn_net_load(&nets[1], old, CK_BATCH);
    CHECK(err == 0, "a version-1 checkpoint: %s", initnn_last_error());
    check_same_net(nets[0], nets[1]);
    CHECK(nets[1]->prep.mean == NULL && nets[1]->prep.class_count == 0 && nets[1]->prep.input_scale == 1.0f,
          "a version-1 checkpoint loaded with preprocessing recorded");
}

/* The z-score and the class names round trip, in the documented chunks, and
   initnn_net_evaluate_raw applies them to data as loaded. */
static void preprocessing_and_class_names_round_trip_and_evaluate_raw_applies_them(void)
{
    static const float mean[CK_IN] = {10.0f, -2.0f, 0.5f, 1000.0f}, std[CK_IN] = {2.0f, 0.25f, 1.0f, 50.0f};
    static const char *const names[CK_OUT] = {"cat", "dog", "setosa"};
    static const char *const shuffled[CK_OUT] = {"setosa", "cat", "dog"};   /* a file's own order */
    const char *path = temp_path(".ck");
    float raw[CK_BATCH * CK_IN];
    int raw_labels[CK_BATCH], k, err;
    size_t size = 0, at;
    double loss_a, metric_a, loss_b, metric_b;
    initnn_data ready, as_loaded;
    make_ck_net(&nets[0], 32, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    err = initnn_net_set_preprocessing(nets[0], mean, std, 1.0f / 255.0f, names, CK_OUT);
    CHECK(err == 0, "initnn_net_set_preprocessing: %s", initnn_last_error());
    err = initnn_net_save(nets[0], path);
    CHECK(err == 0, "initnn_net_save: %s", initnn_last_error());
    blocks[0] = read_all(path, &size);
    CHECK(blocks[0] != NULL, "cannot read %s", path);
    /* The documented chunks follow the generator. */
    at = CK_SIZE - 4;
    CHECK(size == CK_SIZE + 8 + 8 + 8 * CK_IN + 8 + 4 + 3 * 4 + 3 + 3 + 6, "%lu bytes", (unsigned long)size);
    CHECK(!memcmp(blocks[0] + at, "PREP", 4) && get_u32(blocks[0] + at + 4) == 8 + 8 * CK_IN &&
              get_f32(blocks[0] + at + 8) == 1.0f / 255.0f && get_u32(blocks[0] + at + 12) == CK_IN &&
              get_f32(blocks[0] + at + 16) == 10.0f && get_f32(blocks[0] + at + 16 + 4 * CK_IN) == 2.0f,
          "the PREP chunk is not as documented");
    at += 8 + 8 + 8 * CK_IN;
    CHECK(!memcmp(blocks[0] + at, "CLAS", 4) && get_u32(blocks[0] + at + 8) == CK_OUT &&
              get_u32(blocks[0] + at + 12) == 3 && !memcmp(blocks[0] + at + 16, "cat", 3),
          "the CLAS chunk is not as documented");
    CHECK(get_u32(blocks[0] + size - 4) == crc32_bitwise(blocks[0], size - 4), "the checksum does not cover the chunks");
    err = initnn_net_load(&nets[1], path, CK_BATCH);
    CHECK(err == 0, "initnn_net_load: %s", initnn_last_error());
    check_same_net(nets[0], nets[1]);
    CHECK(nets[1]->prep.input_scale == 1.0f / 255.0f && nets[1]->prep.mean && nets[1]->prep.std &&
              !memcmp(nets[1]->prep.mean, mean, sizeof mean) && !memcmp(nets[1]->prep.std, std, sizeof std),
          "the z-score did not round trip");
    CHECK(nets[1]->prep.class_count == CK_OUT && !strcmp(nets[1]->prep.class_names[0], "cat") &&
              !strcmp(nets[1]->prep.class_names[2], "setosa"), "the class names did not round trip");
    /* Evaluation: the standardized data through initnn_net_evaluate, the raw
       data (x * std + mean, labels in another order of names) through
       initnn_net_evaluate_raw, must give the same loss and accuracy. */
    for (k = 0; k < CK_BATCH * CK_IN; k++) raw[k] = ck_x[k] * std[k % CK_IN] + mean[k % CK_IN];
    for (k = 0; k < CK_BATCH; k++) raw_labels[k] = (ck_labels[k] + 1) % CK_OUT;   /* cat 0 -> 1 in `shuffled` */
    memset(&ready, 0, sizeof ready);
    ready.count = CK_BATCH;
    ready.features = CK_IN;
    ready.x = ck_x;
    ready.labels = ck_labels;
    ready.classes = CK_OUT;
    as_loaded = ready;
    as_loaded.x = raw;
    as_loaded.labels = raw_labels;
    as_loaded.class_names = shuffled;
    err = initnn_net_evaluate(nets[1], &loss_a, &metric_a, &ready);
    CHECK(err == 0, "initnn_net_evaluate: %s", initnn_last_error());
    err = initnn_net_evaluate_raw(nets[1], &loss_b, &metric_b, &as_loaded);
    CHECK(err == 0, "initnn_net_evaluate_raw: %s", initnn_last_error());
    CHECK(fabs(loss_a - loss_b) < 1e-5 * (1.0 + loss_a) && metric_a == metric_b,
          "raw evaluation: loss %.9g accuracy %g, on the standardized data: %.9g %g", loss_b, metric_b, loss_a,
          metric_a);
    /* Plain evaluation of the raw data is not the same (the test can fail). */
    as_loaded.class_names = NULL;
    err = initnn_net_evaluate(nets[1], &loss_b, &metric_b, &as_loaded);
    CHECK(err == 0 && fabs(loss_a - loss_b) > 1e-3, "the raw data without preprocessing gave the same loss %g", loss_b);
    /* A class the net does not know. */
    {
        static const char *const other[CK_OUT] = {"setosa", "cat", "cow"};
        as_loaded.class_names = other;
        initnn_clear_error();
        err = initnn_net_evaluate_raw(nets[1], &loss_b, &metric_b, &as_loaded);
        CHECK(err == INITNN_ERR_ARGUMENT && strstr(initnn_last_error(), "cow"), "an unknown class name: %d '%s'", err,
              initnn_last_error());
    }
    /* load_into takes the file's preprocessing along. */
    make_ck_net(&nets[2], 33, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    err = initnn_net_load_into(nets[2], path);
    CHECK(err == 0 && nets[2]->prep.mean && nets[2]->prep.mean[3] == 1000.0f && nets[2]->prep.class_count == CK_OUT,
          "initnn_net_load_into lost the preprocessing: %s", initnn_last_error());
    /* Bad arguments change nothing. */
    {
        float bad_std[CK_IN] = {1.0f, 0.0f, 1.0f, 1.0f};
        CHECK(initnn_net_set_preprocessing(nets[2], mean, bad_std, 1.0f, NULL, 0) == INITNN_ERR_ARGUMENT &&
                  nets[2]->prep.mean[3] == 1000.0f, "a zero std was accepted");
        CHECK(initnn_net_set_preprocessing(nets[2], mean, NULL, 1.0f, NULL, 0) == INITNN_ERR_ARGUMENT,
              "a mean without a std was accepted");
        CHECK(initnn_net_set_preprocessing(nets[2], NULL, NULL, 0.0f, NULL, 0) == INITNN_ERR_ARGUMENT,
              "input_scale 0 was accepted");
    }
}

/* A reader skips a chunk it does not know (a later version's), and refuses
   a known chunk whose fields disagree with its length or the net. */
static void unknown_chunks_are_skipped_and_bad_chunks_refused(void)
{
    const char *path = temp_path(".ck"), *bad = temp_path(".bad");
    size_t size = 0;
    unsigned char *copy;
    int err;
    make_ck_net(&nets[0], 34, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    save_and_read(path, &size);
    if (TESTING_FAILED) return;
    copy = blocks[1] = (unsigned char *)malloc(size + 64);
    CHECK(copy != NULL, "out of memory");
    /* An unknown chunk "ZZZZ" of 5 bytes before the checksum. */
    memcpy(copy, blocks[0], size - 4);
    memcpy(copy + size - 4, "ZZZZ", 4);
    put_u32(copy + size, 5);
    memcpy(copy + size + 4, "hello", 5);
    put_u32(copy + size + 9, crc32_bitwise(copy, size + 9));
    CHECK(write_all(bad, copy, size + 13), "cannot write %s", bad);
    err = initnn_net_load(&nets[1], bad, CK_BATCH);
    CHECK(err == 0, "an unknown chunk was not skipped: %s", initnn_last_error());
    /* A PREP chunk for 3 features (the net takes 4). */
    memcpy(copy + size - 4, "PREP", 4);
    put_u32(copy + size, 8 + 8 * 3);
    put_f32(copy + size + 4, 1.0f);
    put_u32(copy + size + 8, 3);
    memset(copy + size + 12, 0, 24);
    put_f32(copy + size + 24, 1.0f);
    put_u32(copy + size + 36, crc32_bitwise(copy, size + 36));
    CHECK(write_all(bad, copy, size + 40), "cannot write %s", bad);
    check_load_refused(bad, INITNN_ERR_FORMAT, "a PREP chunk of 3 features for a net of 4");
    CHECK(strstr(initnn_last_error(), "PREP") != NULL, "the message does not name the chunk: %s", initnn_last_error());
    /* A chunk longer than the file. */
    put_u32(copy + size, 1000);
    put_u32(copy + size + 36, crc32_bitwise(copy, size + 36));
    CHECK(write_all(bad, copy, size + 40), "cannot write %s", bad);
    check_load_refused(bad, INITNN_ERR_FORMAT, "a chunk longer than the file");
}

/* A truncated checkpoint is told by where it ends, not only by its checksum. */
static void a_truncated_checkpoint_names_the_offset_and_the_field_it_ends_in(void)
{
    const char *path = temp_path(".ck"), *bad = temp_path(".bad");
    size_t size = 0;
    make_ck_net(&nets[0], 35, CK_HIDDEN, 1, "tanh");
    if (TESTING_FAILED) return;
    save_and_read(path, &size);
    if (TESTING_FAILED) return;
    /* Cut in the weights: the layers already claim more than is left. */
    CHECK(write_all(bad, blocks[0], CK_OPT_AT + 100), "cannot write %s", bad);
    check_load_refused(bad, INITNN_ERR_FORMAT, "cut in the optimizer moments");
    CHECK(strstr(initnn_last_error(), "offset ") && strstr(initnn_last_error(), "bytes left") &&
              strncmp(strstr(initnn_last_error(), "offset "), "offset 524: layer", 17) == 0,
          "the message does not say where the file ends: %s", initnn_last_error());
    /* Cut in the generator, past every size check: the field it ends in. */
    CHECK(write_all(bad, blocks[0], CK_RNG_AT + 20), "cannot write %s", bad);
    check_load_refused(bad, INITNN_ERR_FORMAT, "cut in the generator");
    CHECK(strstr(initnn_last_error(), "offset ") && strstr(initnn_last_error(), "file ends while reading seed"),
          "the message does not say where the file ends: %s", initnn_last_error());
    CHECK(strstr(initnn_last_error(), "checksum mismatch") == NULL, "a truncation reported as a checksum mismatch: %s",
          initnn_last_error());
    /* A byte changed where every field still parses: the checksum says it. */
    blocks[0][CK_PARAMS_AT + 1] ^= 0x01;
    CHECK(write_all(bad, blocks[0], size), "cannot write %s", bad);
    check_load_refused(bad, INITNN_ERR_FORMAT, "a flipped weight bit");
    CHECK(strstr(initnn_last_error(), "checksum mismatch") != NULL, "a flipped weight bit: %s", initnn_last_error());
}

/* ---- .npy ----------------------------------------------------------------------------------- */

/* Checks the fixed fields of a .npy header and copies its dict, with the
   padding and every space removed, to dict; *data_at gets the data offset. */
static void parse_npy(const unsigned char *file, size_t size, char *dict, size_t dict_size, size_t *data_at)
{
    size_t hlen, i, k = 0;
    CHECK(size >= 10 && memcmp(file, "\x93NUMPY", 6) == 0, "bad magic");
    CHECK(file[6] == 1 && file[7] == 0, "version %d.%d, want 1.0", file[6], file[7]);
    hlen = (size_t)file[8] | (size_t)file[9] << 8;
    *data_at = 10 + hlen;
    CHECK(*data_at % 64 == 0, "the data start at byte %lu, not a multiple of 64", (unsigned long)*data_at);
    CHECK(*data_at <= size, "header length %lu beyond the file", (unsigned long)hlen);
    CHECK(file[10] == '{' && file[*data_at - 1] == '\n', "the header is not '{...}' ended by a newline");
    for (i = 10; i < *data_at - 1; i++) {
        if (file[i] == ' ') continue;
        CHECK(isprint(file[i]), "a non-printable byte 0x%02x in the header", file[i]);
        CHECK(k + 1 < dict_size, "header too long");
        dict[k++] = (char)file[i];
    }
    dict[k] = '\0';
    CHECK(k > 0 && dict[k - 1] == '}', "the dict does not end with '}' before the padding: %s", dict);
}

/* The file at path holds data (ndim, shape) with a header whose dict has
   'descr': '<f4', 'fortran_order': False and 'shape': shape_text (written
   without spaces). */
static void check_npy_file(const char *path, const float *data, int ndim, const int *shape, const char *shape_text)
{
    const unsigned char *file;
    size_t size = 0, data_at = 0, n = 1, i;
    char dict[256], want[128];
    for (i = 0; i < (size_t)ndim; i++) n *= (size_t)shape[i];
    free(blocks[2]);
    file = blocks[2] = read_all(path, &size);
    CHECK(file != NULL, "cannot read back %s", path);
    parse_npy(file, size, dict, sizeof dict, &data_at);
    if (TESTING_FAILED) return;
    snprintf(want, sizeof want, "'shape':%s", shape_text);
    CHECK(strstr(dict, "'descr':'<f4'") != NULL, "no 'descr': '<f4' in %s", dict);
    CHECK(strstr(dict, "'fortran_order':False") != NULL, "no 'fortran_order': False in %s", dict);
    CHECK(strstr(dict, want) != NULL, "no %s in %s", want, dict);
    CHECK(size == data_at + 4 * n, "%lu bytes, want %lu header + %lu data", (unsigned long)size,
          (unsigned long)data_at, (unsigned long)(4 * n));
    for (i = 0; i < n; i++) {
        float f = get_f32(file + data_at + 4 * i);
        CHECK(memcmp(&f, &data[i], sizeof f) == 0, "little-endian element %lu is %.9g, want %.9g",
              (unsigned long)i, (double)f, (double)data[i]);
    }
}

static float npy_data[60];

static void fill_npy_data(void)
{
    int i;
    for (i = 0; i < 60; i++) npy_data[i] = (float)i * 0.25f - 3.0f;
}

static void npy_header_is_format_1_0_little_f4_c_order_aligned_to_64(void)
{
    static const int shape3[3] = {3, 4, 5}, shape1[1] = {7}, shape2[2] = {60, 1};
    const char *path = temp_path(".npy");
    int err;
    err = initnn_npy_write(path, npy_data, 3, shape3);
    CHECK(err == 0, "initnn_npy_write: %d %s", err, initnn_last_error());
    check_npy_file(path, npy_data, 3, shape3, "(3,4,5)");
    if (TESTING_FAILED) return;
    /* A 1-tuple needs its comma: (7) is the integer 7 in Python. */
    err = initnn_npy_write(path, npy_data, 1, shape1);
    CHECK(err == 0, "initnn_npy_write: %d %s", err, initnn_last_error());
    check_npy_file(path, npy_data, 1, shape1, "(7,)");
    if (TESTING_FAILED) return;
    err = initnn_npy_write(path, npy_data, 2, shape2);
    CHECK(err == 0, "initnn_npy_write: %d %s", err, initnn_last_error());
    check_npy_file(path, npy_data, 2, shape2, "(60,1)");
}

static void npy_write_then_read_round_trips_every_bit(void)
{
    static const int shape[4] = {2, 3, 1, 4};
    float data[24], *back = NULL;
    int dims[8] = {0}, ndim = 0, i, err;
    const char *path = temp_path(".npy");
    float tiny = 1e-45f, neg_zero = -0.0f;
    for (i = 0; i < 24; i++) data[i] = (float)(i - 12) / 3.0f;
    data[0] = neg_zero;
    data[1] = tiny;
    data[2] = FLT_MAX;
    data[3] = -FLT_MIN;
    data[4] = 3.4e-40f;
    err = initnn_npy_write(path, data, 4, shape);
    CHECK(err == 0, "initnn_npy_write: %d %s", err, initnn_last_error());
    err = initnn_npy_read(&back, &ndim, dims, path);
    blocks[2] = (unsigned char *)back;   /* released after the test (initnn's default allocator is malloc) */
    CHECK(err == 0 && back != NULL, "initnn_npy_read: %d %s", err, initnn_last_error());
    CHECK(ndim == 4 && dims[0] == 2 && dims[1] == 3 && dims[2] == 1 && dims[3] == 4,
          "read back ndim %d shape (%d, %d, %d, %d)", ndim, dims[0], dims[1], dims[2], dims[3]);
    CHECK_FLOATS_EQUAL("round trip", back, data, 24);
    CHECK(memcmp(back, data, sizeof data) == 0, "the bits differ (-0.0?)");
}

/* Writes "\x93NUMPY" 1.0 with the dict padded to 64, then data. */
static int write_npy(const char *path, const char *dict, const void *data, size_t bytes)
{
    unsigned char buf[512];
    size_t len = strlen(dict), total = 10 + len + 1, hlen;
    while (total % 64) total++;
    hlen = total - 10;
    if (total + bytes > sizeof buf) return 0;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)(hlen & 0xFF);
    buf[9] = (unsigned char)(hlen >> 8);
    memcpy(buf + 10, dict, len);
    memset(buf + 10 + len, ' ', total - 11 - len);
    buf[total - 1] = '\n';
    memcpy(buf + total, data, bytes);
    return write_all(path, buf, total + bytes);
}

static void check_npy_refused(const char *path, const char *what)
{
    float *data = NULL;
    int ndim = -1, shape[8] = {0}, err;
    initnn_clear_error();
    err = initnn_npy_read(&data, &ndim, shape, path);
    if (data) initnn_free(data);
    CHECK(err != 0, "%s: initnn_npy_read accepted it", what);
    CHECK(strlen(initnn_last_error()) > 0, "%s: refused without a message", what);
    CHECK(data == NULL, "%s: *data set by a failed read", what);
}

static void npy_read_accepts_hand_written_f4_and_f8_and_refuses_what_it_cannot_read(void)
{
    const char *path = temp_path(".npy");
    float f4[6] = {1.5f, -2.0f, 0.0f, 3.25f, 100.0f, -0.125f}, *back = NULL;
    double f8[6] = {0.1, -1e-3, 2.0 / 3.0, 1e30, -7.0, 0.0};
    int ndim = 0, shape[8] = {0}, i, err;
    CHECK(write_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", f4, sizeof f4),
          "cannot write %s", path);
    err = initnn_npy_read(&back, &ndim, shape, path);
    CHECK(err == 0, "'<f4' (2, 3): %d %s", err, initnn_last_error());
    i = ndim == 2 && shape[0] == 2 && shape[1] == 3 && memcmp(back, f4, sizeof f4) == 0;
    initnn_free(back);
    back = NULL;
    CHECK(i, "'<f4' (2, 3) read back as ndim %d shape (%d, %d) or different data", ndim, shape[0], shape[1]);
    CHECK(write_npy(path, "{'descr': '<f8', 'fortran_order': False, 'shape': (6,), }", f8, sizeof f8),
          "cannot write %s", path);
    err = initnn_npy_read(&back, &ndim, shape, path);
    CHECK(err == 0, "'<f8' (6,): %d %s", err, initnn_last_error());
    for (i = 0; i < 6; i++)
        if (back[i] != (float)f8[i]) break;
    initnn_free(back);
    back = NULL;
    CHECK(ndim == 1 && shape[0] == 6 && i == 6, "'<f8' read back as ndim %d, element %d differs", ndim, i);

    CHECK(write_npy(path, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", f4, sizeof f4),
          "cannot write %s", path);
    check_npy_refused(path, "fortran_order True");
    if (TESTING_FAILED) return;
    CHECK(write_npy(path, "{'descr': '>f4', 'fortran_order': False, 'shape': (2, 3), }", f4, sizeof f4),
          "cannot write %s", path);
    check_npy_refused(path, "big-endian '>f4'");
    if (TESTING_FAILED) return;
    CHECK(write_npy(path, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", f4, sizeof f4),
          "cannot write %s", path);
    check_npy_refused(path, "'<i4'");
    if (TESTING_FAILED) return;
    CHECK(write_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", f4, sizeof f4),
          "cannot write %s", path);
    check_npy_refused(path, "shape (2, 4) with 6 elements of data");
    if (TESTING_FAILED) return;
    CHECK(write_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", f4,
                    sizeof f4),
          "cannot write %s", path);
    check_npy_refused(path, "shape (100000, 100000, 100000) with 6 elements of data");
    if (TESTING_FAILED) return;
    CHECK(write_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 1), }", f4, sizeof f4),
          "cannot write %s", path);
    check_npy_refused(path, "shape (2^32, 1)");
    if (TESTING_FAILED) return;
    CHECK(write_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (-2, -3), }", f4, sizeof f4),
          "cannot write %s", path);
    check_npy_refused(path, "shape (-2, -3)");
    if (TESTING_FAILED) return;
    CHECK(write_npy(path, "{'descr': '<f4', 'fortran_order': False, }", f4, sizeof f4), "cannot write %s", path);
    check_npy_refused(path, "no shape");
    if (TESTING_FAILED) return;
    CHECK(write_npy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 1, 1, 1, 1, 6), }", f4,
                    sizeof f4),
          "cannot write %s", path);
    check_npy_refused(path, "9 dimensions");
    if (TESTING_FAILED) return;
    {
        unsigned char header[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xF0, 0xFF};
        CHECK(write_all(path, header, sizeof header), "cannot write %s", path);
        check_npy_refused(path, "a header length beyond the file");
        if (TESTING_FAILED) return;
    }
    CHECK(write_all(path, "\x93NUMPX\x01\x00\x00\x00", 10), "cannot write %s", path);
    check_npy_refused(path, "bad magic");
    if (TESTING_FAILED) return;
    CHECK(write_all(path, "", 0), "cannot write %s", path);
    check_npy_refused(path, "an empty file");
    if (TESTING_FAILED) return;
    remove(path);
    check_npy_refused(path, "a missing file");
}

static void npy_read_refuses_every_truncation_of_a_valid_file(void)
{
    static const int shape[2] = {3, 4};
    const char *path = temp_path(".npy"), *bad = temp_path(".bad.npy");
    unsigned char *file = NULL;
    size_t size = 0, len;
    char what[64];
    int err = initnn_npy_write(path, npy_data, 2, shape);
    CHECK(err == 0, "initnn_npy_write: %d %s", err, initnn_last_error());
    file = read_all(path, &size);
    remove(path);
    CHECK(file != NULL, "cannot read back %s", path);
    for (len = 0; len < size && !TESTING_FAILED; len += len < 12 ? 1 : 7) {
        if (!write_all(bad, file, len)) break;
        snprintf(what, sizeof what, "the first %lu of %lu bytes", (unsigned long)len, (unsigned long)size);
        check_npy_refused(bad, what);
    }
    free(file);
    remove(bad);
}

static void npy_write_refuses_bad_dimensions(void)
{
    static const int shape9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1}, bad[2] = {3, -1};
    const char *path = temp_path(".npy");
    CHECK(initnn_npy_write(path, npy_data, 0, shape9) == INITNN_ERR_ARGUMENT, "ndim 0 accepted");
    CHECK(initnn_npy_write(path, npy_data, 9, shape9) == INITNN_ERR_ARGUMENT, "ndim 9 accepted");
    CHECK(initnn_npy_write(path, npy_data, 2, bad) == INITNN_ERR_ARGUMENT, "shape (3, -1) accepted");
    CHECK(initnn_npy_write(path, NULL, 2, shape9) == INITNN_ERR_ARGUMENT, "NULL data accepted");
    CHECK(!testing_file_exists(path), "a refused write created %s", path);
}

/* ---- NumPy itself ----------------------------------------------------------------------------- */

static void numpy_loads_what_initnn_npy_write_writes(void)
{
    static const char *script =
        "import sys, numpy as np\n"
        "a = np.load(sys.argv[1])\n"
        "e = (np.arange(60, dtype=np.float32) * np.float32(0.25) - np.float32(3)).reshape(3, 4, 5)\n"
        "b = np.load(sys.argv[2])\n"
        "ok = a.dtype == np.dtype('<f4') and a.shape == (3, 4, 5) and a.flags.c_contiguous \\\n"
        "    and np.array_equal(a, e) and b.shape == (7,) and np.array_equal(b, e.ravel()[:7])\n"
        "sys.exit(0 if ok else 1)\n";
    static const int shape3[3] = {3, 4, 5}, shape1[1] = {7};
    const char *p3 = temp_path(".3.npy"), *p1 = temp_path(".1.npy");
    int err = initnn_npy_write(p3, npy_data, 3, shape3), status;
    CHECK(err == 0, "initnn_npy_write: %d %s", err, initnn_last_error());
    err = initnn_npy_write(p1, npy_data, 1, shape1);
    CHECK(err == 0, "initnn_npy_write: %d %s", err, initnn_last_error());
    status = run_python(script, p3, p1);
    remove(p3);
    remove(p1);
    CHECK(status == 0, "numpy.load disagrees with what was written (python exit status %d)", status);
}

static void initnn_npy_read_loads_what_numpy_save_writes_in_f4_and_f8(void)
{
    static const char *script =
        "import sys, numpy as np\n"
        "np.save(sys.argv[1], np.arange(24, dtype='<f4').reshape(2, 3, 4) / np.float32(7))\n"
        "np.save(sys.argv[2], np.arange(5, dtype='<f8') / 3.0)\n";
    const char *p4 = temp_path(".f4.npy"), *p8 = temp_path(".f8.npy");
    float *a = NULL, *b = NULL;
    int na = 0, nb = 0, sa[8] = {0}, sb[8] = {0}, i, ea, eb, status, bad = -1;
    status = run_python(script, p4, p8);
    CHECK(status == 0, "numpy.save failed (python exit status %d)", status);
    ea = initnn_npy_read(&a, &na, sa, p4);
    eb = initnn_npy_read(&b, &nb, sb, p8);
    remove(p4);
    remove(p8);
    if (ea == 0 && eb == 0) {
        for (i = 0; i < 24 && bad < 0; i++)
            if (a[i] != (float)i / 7.0f) bad = i;
        for (i = 0; i < 5 && bad < 0; i++)
            if (b[i] != (float)((double)i / 3.0)) bad = 100 + i;
    }
    initnn_free(a);
    initnn_free(b);
    CHECK(ea == 0 && eb == 0, "initnn_npy_read: %d %d %s", ea, eb, initnn_last_error());
    CHECK(na == 3 && sa[0] == 2 && sa[1] == 3 && sa[2] == 4, "f4 shape: ndim %d (%d, %d, %d)", na, sa[0], sa[1], sa[2]);
    CHECK(nb == 1 && sb[0] == 5, "f8 shape: ndim %d (%d)", nb, sb[0]);
    CHECK(bad < 0, "element %d differs (100+ for the f8 file)", bad);
}

int main(int argc, char **argv)
{
    int fd, i;
    testing_init(argc, argv);
    testing_after_each(release_test_resources);
    strcpy(temp_base, "/tmp/initnn_test_train_XXXXXX");
    fd = mkstemp(temp_base);
    if (fd < 0) {
        printf("FAIL test_train_io: mkstemp(%s) failed\n", temp_base);
        return 1;
    }
    close(fd);
    {
        initnn_rng rng;
        initnn_rng_seed(&rng, 2);
        for (i = 0; i < CK_BATCH * CK_IN; i++) ck_x[i] = initnn_rng_normal(&rng);
        for (i = 0; i < CK_BATCH; i++) ck_labels[i] = (int)initnn_rng_below(&rng, CK_OUT);
    }
    fill_npy_data();
    RUN_TEST(crc32_is_zlibs_and_continues_across_calls);
    RUN_TEST(checkpoint_has_the_documented_layout_and_a_zlib_crc32_trailer);
    RUN_TEST(save_then_load_is_bit_exact_and_training_continues_identically);
    RUN_TEST(load_into_a_net_of_the_same_architecture_restores_everything);
    RUN_TEST(load_into_a_different_architecture_is_refused_and_changes_nothing);
    RUN_TEST(a_flipped_byte_anywhere_in_a_checkpoint_is_refused);
    RUN_TEST(truncated_empty_and_missing_checkpoints_are_refused);
    RUN_TEST(a_checkpoint_with_a_valid_crc_but_a_bad_field_is_refused);
    RUN_TEST(saving_non_finite_weights_is_refused_and_keeps_the_previous_file);
    RUN_TEST(saving_into_a_missing_directory_is_an_io_error);
    RUN_TEST(a_version_1_checkpoint_still_loads_without_preprocessing);
    RUN_TEST(preprocessing_and_class_names_round_trip_and_evaluate_raw_applies_them);
    RUN_TEST(unknown_chunks_are_skipped_and_bad_chunks_refused);
    RUN_TEST(a_truncated_checkpoint_names_the_offset_and_the_field_it_ends_in);
    RUN_TEST(npy_header_is_format_1_0_little_f4_c_order_aligned_to_64);
    RUN_TEST(npy_write_then_read_round_trips_every_bit);
    RUN_TEST(npy_read_accepts_hand_written_f4_and_f8_and_refuses_what_it_cannot_read);
    RUN_TEST(npy_read_refuses_every_truncation_of_a_valid_file);
    RUN_TEST(npy_write_refuses_bad_dimensions);
    if (numpy_available()) {
        RUN_TEST(numpy_loads_what_initnn_npy_write_writes);
        RUN_TEST(initnn_npy_read_loads_what_numpy_save_writes_in_f4_and_f8);
    } else {
        printf("skip numpy_loads_what_initnn_npy_write_writes: %s with numpy is not available\n", PYTHON);
        printf("skip initnn_npy_read_loads_what_numpy_save_writes_in_f4_and_f8: %s with numpy is not available\n",
               PYTHON);
    }
    remove(temp_base);
    return testing_finish();
}
