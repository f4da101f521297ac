/* tests/fuzz/targets.h - the fuzz targets of initnn's parsers and loaders.

   Each target is one function, fuzz_NAME(data, size), that feeds the bytes to
   one part of the library and checks what comes back; it returns 0, and
   abort()s (after a line on stderr) when the library broke a promise of its
   manual. Two programs call them:

     tests/fuzz/fuzz_NAME.c       libFuzzer's entry point, built by `make fuzz`
                                  with clang -fsanitize=fuzzer,address,undefined
     tests/test_fuzz_replay.c     part of `make test`: every file under
                                  tests/fuzz/regressions/NAME/ (inputs that once
                                  crashed) and tests/fuzz/corpus/NAME/ (the seeds),
                                  one test line each, in every build of the suite

   The targets:
     spec        init spec, activation spec, architecture string and bias spec
                 (four lines of the input): initnn_init_parse / _fill_fans,
                 initnn_activation_parse, initnn_gain(_numeric),
                 initnn_net_from_arch; a net that builds gets the
                 signal-propagation prediction (initnn_theory_predict), runs
                 one forward, backward and step and must survive a
                 checkpoint round trip
     idx         initnn_load_idx on an image file and an optional label file
     csv         initnn_load_csv with a header / target / task chosen by byte 0
     cifar       initnn_load_cifar on 1-3 files, CIFAR-10 / -100 coarse / fine
     checkpoint  initnn_net_load (byte 0 bit 0: the harness rewrites the CRC,
                 so that the fuzzer gets past it), then save and load again
     npy         initnn_npy_read, then write and read again
     plot        initnn_plot_svg (or _styled, any colour index) on any doubles
                 (NaN, Inf, 1 ulp apart): it must end and write a file of
                 bounded size with no "nan" or "inf" in it
     stats       initnn_histogram with any bounds and bins on any floats,
                 initnn_stats_compute and the short forms, and the lab's
                 weight histogram drawn as a density plot

   The loaders take paths, so each input is written to a file under /dev/shm
   (or $TMPDIR, or /tmp), named after the process id, and removed afterwards.

   Every allocation of the library goes through fuzz_malloc, which refuses
   requests above FUZZ_MALLOC_LIMIT bytes (256 KiB): a file that claims a huge
   size must then fail with INITNN_ERR_MEMORY or better, never spend the
   fuzzer's time and memory, and the out-of-memory paths get exercised too.
   The limit also keeps every input fast under ASan: an orthogonal kernel of
   2113 x 68 (1.1 MB of doubles) took 3 s there, 28 s on a loaded machine.

   Include this file in one translation unit; it holds the implementation. */

#ifndef INITNN_FUZZ_TARGETS_H
#define INITNN_FUZZ_TARGETS_H

#if !defined(_POSIX_C_SOURCE) || _POSIX_C_SOURCE < 200809L
#undef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef FUZZ_MALLOC_LIMIT
#define FUZZ_MALLOC_LIMIT ((size_t)256 << 10)
#endif

static void *fuzz_malloc(size_t n)
{
    if (n > FUZZ_MALLOC_LIMIT) return NULL;
    return malloc(n);
}

#ifndef INITNN_MALLOC   /* tests/test_fuzz_replay.c defines them as here */
#define INITNN_MALLOC(n) fuzz_malloc(n)
#define INITNN_FREE(p) free(p)
#endif
#define INITNN_IMPLEMENTATION
#include "../../initnn.h"

/* A broken promise: say which and stop (libFuzzer saves the input). */
#define FUZZ_CHECK(cond, what)                                                              \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "%s:%d: fuzz check failed: %s (%s); last error: %s\n", __FILE__, \
                    __LINE__, what, #cond, initnn_last_error());                            \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

/* ---- scratch files ----------------------------------------------------------------------- */

/* fuzz_path(buf, k): the k-th scratch file of this process. */
static const char *fuzz_path(char *buf, size_t size, int k)
{
    static const char *dir = NULL;
    if (!dir) {
        const char *tmp = getenv("TMPDIR");
        if (access("/dev/shm", W_OK) == 0) dir = "/dev/shm";
        else if (tmp && *tmp) dir = tmp;
        else dir = "/tmp";
    }
    snprintf(buf, size, "%s/initnn_fuzz_%ld_%d", dir, (long)getpid(), k);
    return buf;
}

/* Writes bytes to the k-th scratch file; returns its path (in buf). */
static const char *fuzz_write(char *buf, size_t size, int k, const uint8_t *data, size_t n)
{
    FILE *f;
    fuzz_path(buf, size, k);
    f = fopen(buf, "wb");
    FUZZ_CHECK(f != NULL, "cannot create a scratch file");
    FUZZ_CHECK(n == 0 || fwrite(data, 1, n, f) == n, "cannot write a scratch file");
    FUZZ_CHECK(fclose(f) == 0, "cannot close a scratch file");
    return buf;
}

/* ---- checks shared by the targets -------------------------------------------------------- */

/* A failed call sets a message and returns one of the documented codes. */
static void fuzz_failed_properly(int err)
{
    FUZZ_CHECK(err >= INITNN_ERR_NONFINITE && err <= INITNN_ERR_ARGUMENT, "an undocumented error code");
    FUZZ_CHECK(initnn_last_error()[0] != '\0', "an error without a message");
}

/* What the manual promises of a loaded data set, and every byte of it read
   (so that ASan and valgrind see any that was not allocated or written). */
static void fuzz_data_is_sound(const initnn_data *d)
{
    size_t i, n;
    double sum = 0.0;
    FUZZ_CHECK(d->count >= 1 && d->features >= 1, "a loaded set with no samples or features");
    FUZZ_CHECK((d->x != NULL) != (d->x_u8 != NULL), "features neither or both float and u8");
    FUZZ_CHECK(d->storage != NULL, "a loaded set owns no storage");
    n = (size_t)d->count * (size_t)d->features;
    for (i = 0; i < n; i++) sum += d->x ? (double)d->x[i] : (double)d->x_u8[i];
    if (d->labels) {
        FUZZ_CHECK(d->classes >= 1, "labels but no classes");
        for (i = 0; i < (size_t)d->count; i++)
            FUZZ_CHECK(d->labels[i] >= 0 && d->labels[i] < d->classes, "a label outside [0, classes)");
    }
    if (d->targets) {
        FUZZ_CHECK(d->target_dim >= 1, "targets of width < 1");
        for (i = 0; i < (size_t)d->count * (size_t)d->target_dim; i++) sum += d->targets[i];
    }
    {
        volatile double sink = sum;   /* the reads above must happen */
        (void)sink;
    }
}

/* Splits, standardizes and batches a loaded set, as the lab does. */
static void fuzz_use_data(const initnn_data *d)
{
    initnn_data a, b;
    float mean[64], std[64], X[2 * 64];
    int labels[2];
    float targets[2];
    if (d->count >= 2 && initnn_data_split(&a, &b, d, 0.5f) == 0) {
        FUZZ_CHECK(a.count + b.count == d->count, "a split lost samples");
        FUZZ_CHECK(a.storage == NULL && b.storage == NULL, "a view owns storage");
    }
    if (d->features <= 64) {
        FUZZ_CHECK(initnn_standardize_fit(mean, std, d) == 0, "standardize_fit failed on a loaded set");
        initnn_data_batch(X, d->labels ? labels : NULL, d->targets && d->target_dim == 1 ? targets : NULL, d, NULL, 0,
                          d->count < 2 ? d->count : 2);
    }
}

/* A data set left by a failed loader is all zero. */
static void fuzz_data_is_empty(const initnn_data *d)
{
    initnn_data zero;
    memset(&zero, 0, sizeof zero);
    FUZZ_CHECK(d->count == 0 && d->features == 0 && d->x == NULL && d->x_u8 == NULL && d->labels == NULL &&
               d->targets == NULL && d->storage == NULL && d->classes == 0 && d->target_dim == 0,
               "a failed loader left data behind");
    (void)zero;
}

/* An SVG the library wrote never holds a number printf could not place
   ("nan", "inf", "-nan"): every coordinate is finite. */
static void fuzz_svg_has_no_nan(const char *path)
{
    char line[8192];
    FILE *f = fopen(path, "rb");
    FUZZ_CHECK(f != NULL, "the SVG was not written");
    while (fgets(line, sizeof line, f))
        FUZZ_CHECK(!strstr(line, "nan") && !strstr(line, "inf"), "a 'nan' or 'inf' in the SVG");
    fclose(f);
}

/* Splits the input at its newlines into at most max strings (copies). */
static int fuzz_lines(const uint8_t *data, size_t size, char **lines, int max)
{
    int n = 0;
    size_t start = 0, i;
    for (i = 0; i <= size && n < max; i++) {
        if (i == size || data[i] == '\n') {
            size_t len = i - start;
            lines[n] = (char *)malloc(len + 1);
            FUZZ_CHECK(lines[n] != NULL, "out of memory in the harness");
            if (len) memcpy(lines[n], data + start, len);
            lines[n][len] = '\0';
            n++;
            start = i + 1;
        }
    }
    return n;
}

/* ---- spec: init specs, activations, architectures ----------------------------------------- */

/* Saves a net, loads it back and checks that nothing changed. */
static void fuzz_round_trip(const initnn_net *net, int k)
{
    char path[256];
    initnn_net *back = NULL;
    int err, i;
    fuzz_path(path, sizeof path, k);
    err = initnn_net_save(net, path);
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(err == INITNN_ERR_NONFINITE || err == INITNN_ERR_MEMORY || err == INITNN_ERR_IO,
                   "saving a valid net failed");
        remove(path);
        return;
    }
    err = initnn_net_load(&back, path, net->max_batch);
    remove(path);
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(err == INITNN_ERR_MEMORY, "a checkpoint initnn wrote does not load");
        FUZZ_CHECK(back == NULL, "a failed load returned a net");
        return;
    }
    FUZZ_CHECK(back->layer_count == net->layer_count && back->param_count == net->param_count &&
               back->input_dim == net->input_dim && back->loss == net->loss, "the round trip changed the net");
    FUZZ_CHECK(net->param_count == 0 ||
               memcmp(back->params, net->params, net->param_count * sizeof(float)) == 0,
               "the round trip changed the weights");
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *a = &net->layers[i], *b = &back->layers[i];
        FUZZ_CHECK(a->type == b->type && a->in == b->in && a->out == b->out && a->activation == b->activation &&
                   a->out_c == b->out_c && a->out_h == b->out_h && a->out_w == b->out_w &&
                   a->stride == b->stride && a->kernel_h == b->kernel_h && a->kernel_w == b->kernel_w,
                   "the round trip changed a layer");
    }
    initnn_net_free(back);
}

/* One forward, backward and step on two samples, as training does. */
static void fuzz_train_once(initnn_net *net)
{
    float X[2 * 512];
    int labels[2] = {0, 0};
    float targets[2 * 512];
    int i, out = initnn_net_output_dim(net), err;
    float loss;
    double norm;
    const initnn_layer *last = &net->layers[net->layer_count - 1];
    if (net->input_dim > 512 || out > 512) return;
    for (i = 0; i < 2 * net->input_dim; i++) X[i] = (float)((i * 37) % 11) / 11.0f - 0.4f;
    for (i = 0; i < 2 * out; i++) targets[i] = (float)(i % 3) - 1.0f;
    if (!(last->type == INITNN_LAYER_DENSE && last->activation == INITNN_ACT_SOFTMAX))
        FUZZ_CHECK(initnn_net_set_loss(net, INITNN_LOSS_MSE) == 0, "set_loss MSE failed");
    err = initnn_net_train_batch(net, X, labels, targets, 2, &loss, &norm);
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(err == INITNN_ERR_NONFINITE, "a training step failed other than by a non-finite value");
    }
    FUZZ_CHECK(initnn_net_forward(net, X, 1, 0) != NULL, "forward failed on a built net");
}

/* Fills w (rows x cols) from a parsed spec: either every weight is finite,
   or the fill is refused (INITNN_ERR_SPEC: its draws could leave the float
   range on these fans) and w is untouched. */
static void fuzz_fill(float *w, int rows, int cols, int fan_in, int fan_out, const initnn_init_spec *spec,
                      initnn_rng *rng)
{
    int i, err;
    for (i = 0; i < rows * cols; i++) w[i] = 12345.0f;
    err = initnn_init_fill_fans(w, rows, cols, fan_in, fan_out, spec, rng);
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(err == INITNN_ERR_SPEC && strstr(initnn_last_error(), "would not be finite"),
                   "a parsed spec failed to fill, not for weights beyond the float range");
        for (i = 0; i < rows * cols; i++) FUZZ_CHECK(w[i] == 12345.0f, "a refused fill wrote w");
    } else {
        for (i = 0; i < rows * cols; i++) FUZZ_CHECK(w[i] - w[i] == 0.0f, "a fill returned 0 with a non-finite weight");
    }
}

static int fuzz_spec(const uint8_t *data, size_t size)
{
    /* The input shapes an architecture is tried on: byte 0 picks one. */
    static const int shapes[8][3] = {
        {1, 1, 8}, {1, 8, 8}, {3, 6, 6}, {2, 5, 7}, {1, 1, 1}, {4, 3, 3}, {1, 12, 1}, {2, 1, 9}
    };
    char *lines[4] = {NULL, NULL, NULL, NULL};
    int n, err, activation, i;
    float param, w[5 * 3];
    initnn_init_spec spec;
    initnn_rng rng;
    initnn_net *net = NULL;
    const int *shape;
    if (size < 1) return 0;
    shape = shapes[data[0] & 7];
    n = fuzz_lines(data + 1, size - 1, lines, 4);
    for (i = n; i < 4; i++) {
        lines[i] = (char *)malloc(1);
        FUZZ_CHECK(lines[i] != NULL, "out of memory in the harness");
        lines[i][0] = '\0';
    }
    initnn_rng_seed(&rng, 1);

    /* Line 1: an init spec. */
    memset(&spec, 0xA5, sizeof spec);
    err = initnn_init_parse(&spec, lines[0]);
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(err == INITNN_ERR_SPEC, "a bad init spec is not INITNN_ERR_SPEC");
    } else {
        FUZZ_CHECK(spec.kind >= INITNN_INIT_CONSTANT && spec.kind <= INITNN_INIT_REZERO, "a parsed spec of no kind");
        FUZZ_CHECK(memchr(spec.name, '\0', sizeof spec.name) != NULL, "an unterminated spec name");
        fuzz_fill(w, 5, 3, 5, 3, &spec, &rng);
        fuzz_fill(w, 3, 5, 3, 5, &spec, &rng);
        fuzz_fill(w, 1, 4, 7, 4, &spec, &rng);
        for (i = 0; i < 12; i++) w[i] = 12345.0f;
        err = initnn_init_conv_kernel(w, 1, 3, 2, 2, lines[0], &rng);
        if (err) {
            FUZZ_CHECK(err == INITNN_ERR_SPEC && strstr(initnn_last_error(), "would not be finite"),
                       "conv kernel 2 x 2 failed, not for weights beyond the float range");
            for (i = 0; i < 12; i++) FUZZ_CHECK(w[i] == 12345.0f, "a refused conv kernel was written");
        } else {
            for (i = 0; i < 12; i++) FUZZ_CHECK(w[i] - w[i] == 0.0f, "a conv kernel with a non-finite weight");
        }
    }
    (void)initnn_default_bias(lines[0]);

    /* Line 2: an activation spec. */
    err = initnn_activation_parse(&activation, &param, lines[1]);
    if (err) {
        fuzz_failed_properly(err);
    } else {
        initnn_moments m;
        FUZZ_CHECK(activation >= INITNN_ACT_IDENTITY && activation <= INITNN_ACT_SELU, "an activation of no kind");
        FUZZ_CHECK(param - param == 0.0f, "a non-finite activation parameter");
        if (activation != INITNN_ACT_SOFTMAX)
            FUZZ_CHECK(initnn_activation_moments(&m, activation, param, 1.0) == 0, "activation moments failed");
    }
    (void)initnn_gain(lines[1], 0.1f);
    (void)initnn_gain_numeric(lines[1], 0.1f);

    /* Lines 3 and 4: an architecture, with line 1 as kernel spec and line 4
       as bias spec when they are not empty. */
    err = initnn_net_from_arch(&net, lines[2], shape[0], shape[1], shape[2], lines[0][0] ? lines[0] : "he_normal",
                               lines[3][0] ? lines[3] : NULL, 2, 7);
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(net == NULL, "a failed initnn_net_from_arch returned a net");
    } else {
        FUZZ_CHECK(net != NULL && net->layer_count >= 1, "a built net with no layers");
        {
            /* The signal-propagation prediction (initlab --predict): an
               answer, or a clear refusal of the layers it does not cover. */
            initnn_layer_theory *table = (initnn_layer_theory *)malloc((size_t)net->layer_count * sizeof *table);
            FUZZ_CHECK(table != NULL, "out of memory in the harness");
            err = initnn_theory_predict(table, net, 1.0);
            if (err) {
                fuzz_failed_properly(err);
                FUZZ_CHECK(err == INITNN_ERR_ARGUMENT || err == INITNN_ERR_SPEC || err == INITNN_ERR_MEMORY,
                           "the prediction failed with an unexpected error");
            } else {
                (void)initnn_theory_first_bad_layer(net, table, 1.0, 0.1, 10.0);
            }
            free(table);
        }
        fuzz_round_trip(net, 0);
        fuzz_train_once(net);
        fuzz_round_trip(net, 1);
        initnn_net_free(net);
    }
    for (i = 0; i < 4; i++) free(lines[i]);
    return 0;
}

/* ---- idx ---------------------------------------------------------------------------------- */

/* Byte 0 bit 0: there is a label file; bytes 1-2 (little-endian): the
   length of the image file, which comes first; the label file is the rest. */
static int fuzz_idx(const uint8_t *data, size_t size)
{
    char images[256], labels[256];
    initnn_data d;
    size_t split;
    int err, with_labels;
    if (size < 3) return 0;
    with_labels = data[0] & 1;
    split = (size_t)data[1] | (size_t)data[2] << 8;
    data += 3;
    size -= 3;
    if (split > size) split = size;
    fuzz_write(images, sizeof images, 0, data, split);
    if (with_labels) fuzz_write(labels, sizeof labels, 1, data + split, size - split);
    memset(&d, 0x5A, sizeof d);
    err = initnn_load_idx(&d, images, with_labels ? labels : NULL);
    if (err) {
        fuzz_failed_properly(err);
        fuzz_data_is_empty(&d);
    } else {
        fuzz_data_is_sound(&d);
        FUZZ_CHECK(d.x_u8 != NULL, "IDX images are not bytes");
        FUZZ_CHECK(with_labels ? d.labels != NULL : d.labels == NULL, "labels do not match the files");
        FUZZ_CHECK((size_t)d.count * (size_t)d.features == split - 16, "the images are not the file's bytes");
        fuzz_use_data(&d);
        initnn_data_free(&d);
        fuzz_data_is_empty(&d);
    }
    remove(images);
    if (with_labels) remove(labels);
    return 0;
}

/* ---- csv ---------------------------------------------------------------------------------- */

/* Byte 0: bit 0 has_header, bit 1 classification, bits 2-4 the target. */
static int fuzz_csv(const uint8_t *data, size_t size)
{
    static const char *const targets[8] = {"-1", "0", "1", "y", "-2", "2147483648", "x1", "-9223372036854775809"};
    char path[256];
    initnn_data d;
    int err, has_header, classification;
    const char *target;
    if (size < 1) return 0;
    has_header = data[0] & 1;
    classification = (data[0] >> 1) & 1;
    target = targets[(data[0] >> 2) & 7];
    fuzz_write(path, sizeof path, 0, data + 1, size - 1);
    memset(&d, 0x5A, sizeof d);
    err = initnn_load_csv(&d, path, target, has_header, classification);
    if (err) {
        fuzz_failed_properly(err);
        fuzz_data_is_empty(&d);
    } else {
        size_t i;
        fuzz_data_is_sound(&d);
        FUZZ_CHECK(d.x != NULL, "CSV features are not floats");
        FUZZ_CHECK(classification ? d.labels != NULL && d.targets == NULL : d.targets != NULL && d.labels == NULL,
                   "the target is not what was asked");
        for (i = 0; i < (size_t)d.count * (size_t)d.features; i++)
            FUZZ_CHECK(d.x[i] == d.x[i], "a NaN feature was accepted");
        fuzz_use_data(&d);
        initnn_data_free(&d);
    }
    remove(path);
    return 0;
}

/* ---- cifar -------------------------------------------------------------------------------- */

/* Byte 0: bits 0-1 cifar100 (0, 1, 2; 3 is passed as is and must be
   refused), bits 2-3 the number of files minus 1; the rest is cut into that
   many equal files. */
static int fuzz_cifar(const uint8_t *data, size_t size)
{
    char names[3][256];
    const char *paths[3];
    initnn_data d;
    int err, files, cifar100, i;
    size_t part;
    if (size < 1) return 0;
    cifar100 = data[0] & 3;
    files = 1 + ((data[0] >> 2) & 3) % 3;
    data++;
    size--;
    part = size / (size_t)files;
    for (i = 0; i < files; i++) {
        size_t n = i == files - 1 ? size - part * (size_t)(files - 1) : part;
        paths[i] = fuzz_write(names[i], sizeof names[i], i, data + part * (size_t)i, n);
    }
    memset(&d, 0x5A, sizeof d);
    err = initnn_load_cifar(&d, paths, files, cifar100);
    if (err) {
        fuzz_failed_properly(err);
        fuzz_data_is_empty(&d);
        FUZZ_CHECK(cifar100 != 3 || err == INITNN_ERR_ARGUMENT, "cifar100 = 3 was not refused");
    } else {
        fuzz_data_is_sound(&d);
        FUZZ_CHECK(d.features == 3072 && d.x_u8 != NULL && d.labels != NULL, "CIFAR samples are not 3072 bytes");
        FUZZ_CHECK(d.classes == (cifar100 == 0 ? 10 : cifar100 == 1 ? 20 : 100), "the wrong number of classes");
        FUZZ_CHECK((size_t)d.count * (cifar100 ? 3074u : 3073u) == size, "the samples are not the files' records");
        fuzz_use_data(&d);
        initnn_data_free(&d);
    }
    for (i = 0; i < files; i++) remove(paths[i]);
    return 0;
}

/* ---- checkpoint --------------------------------------------------------------------------- */

/* Byte 0 bit 0: rewrite the last 4 bytes with the CRC-32 of the others, so
   that a mutated file gets past the checksum to the fields. */
static int fuzz_checkpoint(const uint8_t *data, size_t size)
{
    char path[256];
    uint8_t *copy;
    initnn_net *net = (initnn_net *)&net;   /* must be overwritten */
    int err;
    if (size < 1) return 0;
    copy = (uint8_t *)malloc(size);
    FUZZ_CHECK(copy != NULL, "out of memory in the harness");
    memcpy(copy, data + 1, size - 1);
    if ((data[0] & 1) && size - 1 >= 4) {
        uint32_t crc = initnn_crc32(0, copy, size - 1 - 4);
        copy[size - 5] = (uint8_t)crc;
        copy[size - 4] = (uint8_t)(crc >> 8);
        copy[size - 3] = (uint8_t)(crc >> 16);
        copy[size - 2] = (uint8_t)(crc >> 24);
    }
    fuzz_write(path, sizeof path, 0, copy, size - 1);
    free(copy);
    err = initnn_net_load(&net, path, 2);
    remove(path);
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(net == NULL, "a failed load returned a net");
        return 0;
    }
    FUZZ_CHECK(net != NULL && net->layer_count >= 1, "a loaded net with no layers");
    fuzz_round_trip(net, 1);
    fuzz_train_once(net);
    fuzz_round_trip(net, 1);
    initnn_net_free(net);
    return 0;
}

/* ---- npy ---------------------------------------------------------------------------------- */

static int fuzz_npy(const uint8_t *data, size_t size)
{
    char path[256], again[256];
    float *values = (float *)&path, *back = NULL;   /* must be overwritten */
    int shape[8], shape2[8], ndim = -1, ndim2, err, i, positive = 1;
    size_t count = 1, k;
    fuzz_write(path, sizeof path, 0, data, size);
    err = initnn_npy_read(&values, &ndim, shape, path);
    remove(path);
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(values == NULL, "a failed read returned data");
        return 0;
    }
    FUZZ_CHECK(ndim >= 0 && ndim <= 8, "ndim outside 0..8");
    for (i = 0; i < ndim; i++) {
        FUZZ_CHECK(shape[i] >= 0, "a negative dimension");
        if (shape[i] == 0) positive = 0;
        count *= (size_t)shape[i];
    }
    FUZZ_CHECK(count <= (size_t)INITNN_MAX_ELEMENTS, "more elements than the limit");
    {
        volatile float sink = 0.0f;
        for (k = 0; k < count; k++) sink += values[k];   /* every element was allocated and written */
        (void)sink;
    }
    if (ndim >= 1 && positive) {
        fuzz_path(again, sizeof again, 1);
        err = initnn_npy_write(again, values, ndim, shape);
        if (err) {
            fuzz_failed_properly(err);
            FUZZ_CHECK(err == INITNN_ERR_MEMORY || err == INITNN_ERR_IO, "writing back what was read failed");
        } else {
            err = initnn_npy_read(&back, &ndim2, shape2, again);
            if (err) {
                fuzz_failed_properly(err);
                FUZZ_CHECK(err == INITNN_ERR_MEMORY, "an .npy initnn wrote does not read");
            } else {
                FUZZ_CHECK(ndim2 == ndim && memcmp(shape, shape2, (size_t)ndim * sizeof(int)) == 0,
                           "the round trip changed the shape");
                FUZZ_CHECK(memcmp(values, back, count * sizeof(float)) == 0, "the round trip changed the values");
                initnn_free(back);
            }
        }
        remove(again);
    }
    initnn_free(values);
    return 0;
}

/* ---- plot ------------------------------------------------------------------------------- */

/* Byte 0: bit 0 log_y, bit 1 markers, bit 2 bands, bits 3-4 series - 1,
   bit 5 styles (initnn_plot_svg_styled, each series' colour any int from
   the first value's bits, dashed and markers from bit 6 and 7); then doubles (8 bytes each, as they come): per series x, y (and with
   bands y_low, y_high) of n points. Bit 1 sets integer_x as well. The
   doubles left over after the series, if any, are a fixed y range
   (y_min, then y_max, else y_min + 1): valid or not. The chart must be
   written, end and stay small, whatever the numbers (NaN, Inf, 1 ulp apart,
   DBL_MAX), or be refused for its y range alone. */
static int fuzz_plot(const uint8_t *data, size_t size)
{
    char path[256];
    double *values;
    initnn_plot plot;
    initnn_plot_series series[4];
    size_t count, per, n;
    int k, series_count, bands, err, fixed_y = 0, valid_y = 1;
    FILE *f;
    long length;
    if (size < 1) return 0;
    bands = (data[0] >> 2) & 1;
    series_count = 1 + ((data[0] >> 3) & 3);
    count = (size - 1) / 8;
    values = (double *)malloc(count ? count * sizeof(double) : 1);
    FUZZ_CHECK(values != NULL, "out of memory in the harness");
    if (count) memcpy(values, data + 1, count * sizeof(double));
    per = (size_t)series_count * (bands ? 4u : 2u);
    n = count / per;
    memset(&plot, 0, sizeof plot);
    plot.title = "fuzz <&> \"chart\"";
    plot.x_label = "x";
    plot.y_label = "y";
    plot.log_y = data[0] & 1;
    plot.markers = (data[0] >> 1) & 1;
    plot.integer_x = plot.markers;
    if (count > per * n) {
        plot.y_min = values[per * n];
        plot.y_max = count > per * n + 1 ? values[per * n + 1] : plot.y_min + 1.0;
        fixed_y = plot.y_min != 0.0 || plot.y_max != 0.0;
        valid_y = plot.y_max - plot.y_min - (plot.y_max - plot.y_min) == 0.0 && plot.y_min < plot.y_max &&
                  (!plot.log_y || plot.y_min > 0.0);
    }
    for (k = 0; k < series_count; k++) {
        double *base = values + (size_t)k * (bands ? 4u : 2u) * n;
        series[k].label = "s";
        series[k].n = (int)n;
        series[k].x = base;
        series[k].y = base + n;
        series[k].y_low = bands ? base + 2 * n : NULL;
        series[k].y_high = bands ? base + 3 * n : NULL;
    }
    fuzz_path(path, sizeof path, 0);
    if ((data[0] >> 5) & 1) {
        initnn_plot_style styles[4];
        for (k = 0; k < series_count; k++) {
            int64_t bits = 0;
            if (count) memcpy(&bits, &values[0], sizeof bits);
            styles[k].color = (int)(bits >> (8 * k));   /* negative too */
            styles[k].dashed = (data[0] >> 6) & 1;
            styles[k].markers = (data[0] >> 7) & 1;
        }
        err = initnn_plot_svg_styled(path, &plot, series, styles, series_count);
    } else {
        err = initnn_plot_svg(path, &plot, series, series_count);
    }
    FUZZ_CHECK(!(fixed_y && !valid_y) || err == INITNN_ERR_ARGUMENT, "a bad y range was drawn");
    if (err) {
        fuzz_failed_properly(err);
        FUZZ_CHECK(err == INITNN_ERR_MEMORY || err == INITNN_ERR_IO || (fixed_y && !valid_y && err == INITNN_ERR_ARGUMENT),
                   "a plot of any numbers failed");
    } else {
        f = fopen(path, "rb");
        FUZZ_CHECK(f != NULL, "the plot was not written");
        fseek(f, 0, SEEK_END);
        length = ftell(f);
        fclose(f);
        /* About 250 bytes a point and series, a few kB of axes. */
        FUZZ_CHECK(length > 0 && (size_t)length < 20000 + 400 * n * (size_t)series_count, "the SVG is too large");
        fuzz_svg_has_no_nan(path);
    }
    remove(path);
    free(values);
    return 0;
}


/* ---- stats: the histogram and the statistics on any floats ---------------------------------- */

/* Byte 0: bins - 1 (1..64 from its low 6 bits). Then floats (4 bytes each,
   as they come): lo, hi, and the values, NaN, Inf, subnormals and FLT_MAX
   among them. initnn_histogram must count every non-NaN value into a bin
   (the counts sum to n minus the NaNs) when lo and hi are finite with
   lo < hi, and otherwise fail with INITNN_ERR_ARGUMENT and leave the
   counts untouched; initnn_stats_compute must count the non-finite values
   and keep every field finite, with min <= mean <= max and variance >= 0.
   Then the lab's weight histogram: over [min, max] of the finite values,
   drawn as a density plot (linear and log y), which must be written. */
static int fuzz_stats(const uint8_t *data, size_t size)
{
    size_t counts[65], i, n, nans = 0, nonfinite = 0, total = 0;
    float lo, hi, *x;
    int bins, err, b;
    initnn_stats st;
    if (size < 9) return 0;
    bins = 1 + (data[0] & 63);
    memcpy(&lo, data + 1, 4);
    memcpy(&hi, data + 5, 4);
    n = (size - 9) / 4;
    x = (float *)malloc(n ? n * sizeof(float) : 1);
    FUZZ_CHECK(x != NULL, "out of memory in the harness");
    if (n) memcpy(x, data + 9, n * sizeof(float));
    for (i = 0; i < n; i++) {
        if (x[i] != x[i]) nans++;
        if (!(x[i] - x[i] == 0.0f)) nonfinite++;
    }

    for (b = 0; b <= bins; b++) counts[b] = 12345;   /* a sentinel, and counts[bins] must stay it */
    err = initnn_histogram(counts, bins, x, n, lo, hi);
    if (lo - lo == 0.0f && hi - hi == 0.0f && lo < hi) {
        FUZZ_CHECK(err == 0, "a histogram with finite lo < hi failed");
        for (b = 0; b < bins; b++) total += counts[b];
        FUZZ_CHECK(total == n - nans, "the counts do not sum to the non-NaN values");
    } else {
        FUZZ_CHECK(err == INITNN_ERR_ARGUMENT, "a histogram with bad bounds did not fail with INITNN_ERR_ARGUMENT");
        fuzz_failed_properly(err);
        for (b = 0; b < bins; b++) FUZZ_CHECK(counts[b] == 12345, "a failed histogram wrote its counts");
    }
    FUZZ_CHECK(counts[bins] == 12345, "the histogram wrote past its bins");

    initnn_stats_compute(&st, x, n);
    FUZZ_CHECK(st.nonfinite == nonfinite && st.count == n - nonfinite, "non-finite values miscounted");
    FUZZ_CHECK(st.mean - st.mean == 0.0 && st.variance - st.variance == 0.0 &&
               st.second_moment - st.second_moment == 0.0 && st.min - st.min == 0.0 && st.max - st.max == 0.0,
               "a statistic of finite values is not finite");
    FUZZ_CHECK(st.variance >= 0.0 && st.second_moment >= 0.0, "a negative variance or second moment");
    if (st.count) {
        double slack = 1e-12 * (fabs(st.min) + fabs(st.max));
        FUZZ_CHECK(st.min <= st.max && st.mean >= st.min - slack && st.mean <= st.max + slack,
                   "the mean is outside [min, max]");
    }
    FUZZ_CHECK(initnn_mean(x, n) == st.mean && initnn_variance(x, n) == st.variance &&
               initnn_second_moment(x, n) == st.second_moment, "the short forms disagree with initnn_stats_compute");

    /* The lab's weight histogram as a density plot. */
    if (st.count && st.max > st.min) {
        double centre[64], density[64], top = st.max + 1e-6 * (st.max - st.min), width;
        initnn_plot plot;
        initnn_plot_series series;
        char path[256];
        if (top > FLT_MAX) top = FLT_MAX;
        err = initnn_histogram(counts, bins, x, n, (float)st.min, (float)top);
        FUZZ_CHECK(err == 0, "the histogram over [min, max] of the finite values failed");
        width = (st.max - st.min) / bins;
        for (b = 0; b < bins; b++) {
            centre[b] = st.min + (b + 0.5) * width;
            density[b] = (double)counts[b] / ((double)n * width);
        }
        memset(&plot, 0, sizeof plot);
        plot.title = "weights";
        plot.x_label = "w";
        plot.y_label = "density";
        plot.log_y = data[0] >> 6 & 1;
        memset(&series, 0, sizeof series);
        series.label = "w";
        series.n = bins;
        series.x = centre;
        series.y = density;
        fuzz_path(path, sizeof path, 0);
        err = initnn_plot_svg(path, &plot, &series, 1);
        FUZZ_CHECK(err == 0 || err == INITNN_ERR_MEMORY, "the density plot of a histogram failed");
        if (err) fuzz_failed_properly(err);
        else fuzz_svg_has_no_nan(path);
        remove(path);
    }
    free(x);
    return 0;
}

/* ---- the table ---------------------------------------------------------------------------- */

typedef struct fuzz_target {
    const char *name;
    int (*run)(const uint8_t *data, size_t size);
} fuzz_target;

static const fuzz_target fuzz_targets[] = {
    {"spec", fuzz_spec},
    {"idx", fuzz_idx},
    {"csv", fuzz_csv},
    {"cifar", fuzz_cifar},
    {"checkpoint", fuzz_checkpoint},
    {"npy", fuzz_npy},
    {"plot", fuzz_plot},
    {"stats", fuzz_stats}
};

#define FUZZ_TARGET_COUNT ((int)(sizeof fuzz_targets / sizeof fuzz_targets[0]))

#endif /* INITNN_FUZZ_TARGETS_H */
