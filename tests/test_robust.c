/* test_robust.c - sizes, allocation failures and non-finite numbers.

   1. Huge claims. A file or a call that claims sizes whose product overflows
      (an IDX header of 2^31 images of 2^31 pixels, an .npy shape of 10^15
      elements, a checkpoint layer of 2^30 units, a net whose batch buffers
      exceed 2^31 floats, a convolution kernel of 2^31 taps) is an error,
      INITNN_ERR_OVERFLOW or INITNN_ERR_FORMAT, with a message -- and never a
      huge allocation: every allocation goes through counting_malloc, which
      records the largest request (and refuses anything above 256 MiB, so a
      regression cannot take the machine down).
   2. Allocation failure. For each allocating entry point, allocation number
      N is made to fail for N = 1, 2, ... until the call succeeds without a
      failure: every failing run returns INITNN_ERR_MEMORY with a message,
      leaks nothing (the live block count is back where it was) and leaves
      its outputs empty or untouched, as the manual promises.
   3. Non-finite numbers in training: Inf weights put in by hand, a learning
      rate that makes the step overflow, a forward pass that overflows, NaN
      targets -- each is INITNN_ERR_NONFINITE with a message that names the
      layer and the step, and the net keeps its last finite weights; a
      checkpoint on disk is never replaced by a non-finite one.

   The header is configured here (INITNN_MALLOC), so tests/run.sh compiles it
   whole. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <float.h>
#include <math.h>
#include <unistd.h>
#include <dirent.h>

/* ---- the counting allocator --------------------------------------------------------------- */

static long alloc_calls;        /* allocations since the last reset              */
static long alloc_fail_at;      /* the allocation that fails (0: none)           */
static long alloc_failures;     /* allocations refused since the last reset      */
static long alloc_live;         /* blocks allocated and not freed                */
static size_t alloc_largest;    /* the largest request since the last reset      */

#define ALLOC_REFUSE_ABOVE ((size_t)256 << 20)

static void *counting_malloc(size_t n)
{
    void *p;
    alloc_calls++;
    if (n > alloc_largest) alloc_largest = n;
    if ((alloc_fail_at > 0 && alloc_calls == alloc_fail_at) || n > ALLOC_REFUSE_ABOVE) {
        alloc_failures++;
        return NULL;
    }
    p = malloc(n);
    if (p) alloc_live++;
    return p;
}

static void counting_free(void *p)
{
    if (!p) return;
    alloc_live--;
    free(p);
}

static void alloc_reset(long fail_at)
{
    alloc_calls = 0;
    alloc_failures = 0;
    alloc_largest = 0;
    alloc_fail_at = fail_at;
}

#define INITNN_MALLOC(n) counting_malloc(n)
#define INITNN_FREE(p) counting_free(p)
#define INITNN_IMPLEMENTATION
#include "initnn.h"

#include "testing.h"

/* Nothing in part 1 may ask for more than this. */
#define SMALL_ALLOCATION ((size_t)1 << 20)

/* ---- files -------------------------------------------------------------------------------- */


static int write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    if (n && fwrite(data, 1, n, f) != n) { fclose(f); return 0; }
    return fclose(f) == 0;
}

static unsigned char *read_bytes(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long len;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) { fclose(f); return NULL; }
    buf = (unsigned char *)malloc((size_t)len + 1);
    if (buf && len > 0 && fread(buf, 1, (size_t)len, f) != (size_t)len) { free(buf); buf = NULL; }
    fclose(f);
    *n = (size_t)len;
    return buf;
}


static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24); p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8); p[3] = (unsigned char)v;
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16); p[3] = (unsigned char)(v >> 24);
}

/* An IDX header: 00 00 08 ndims, then the dimensions (big-endian). */
static size_t idx_header(unsigned char *buf, int ndims, const uint32_t *dims)
{
    int i;
    buf[0] = 0; buf[1] = 0; buf[2] = 8; buf[3] = (unsigned char)ndims;
    for (i = 0; i < ndims; i++) put_be32(buf + 4 + 4 * i, dims[i]);
    return 4 + 4 * (size_t)ndims;
}

static int data_is_empty(const initnn_data *d)
{
    return d->count == 0 && d->features == 0 && !d->x && !d->x_u8 && !d->labels && !d->targets &&
           !d->storage && d->classes == 0 && d->target_dim == 0;
}

/* ==== 1. huge claims ======================================================================== */

/* Loads an IDX image file with the given dimensions and extra payload bytes. */
static int load_idx_claiming(initnn_data *d, const uint32_t *dims, size_t payload, const uint32_t *label_count)
{
    unsigned char buf[16 + 64], lab[8 + 4];
    size_t n = idx_header(buf, 3, dims);
    memset(buf + n, 7, payload);
    if (!write_bytes(testing_scratch("claim-images"), buf, n + payload)) return -100;
    if (label_count) {
        size_t m = idx_header(lab, 1, label_count);
        memset(lab + m, 1, 4);
        if (!write_bytes(testing_scratch("claim-labels"), lab, m + 4)) return -100;
    }
    alloc_reset(0);
    return initnn_load_idx(d, testing_scratch("claim-images"), label_count ? testing_scratch("claim-labels") : NULL);
}

static void idx_headers_claiming_huge_sizes_are_errors_without_a_huge_allocation(void)
{
    static const struct { uint32_t dims[3]; size_t payload; int want; const char *what; } cases[] = {
        {{0x7fffffffu, 0x7fffffffu, 0x7fffffffu}, 0, INITNN_ERR_OVERFLOW, "2^31-1 images of 2^31-1 x 2^31-1"},
        {{0x80000000u, 0x80000000u, 1}, 0, INITNN_ERR_FORMAT, "2^31 images of 2^31 x 1 pixels"},
        {{65536, 65536, 1}, 4, INITNN_ERR_OVERFLOW, "65536 images of 65536 pixels"},
        {{46341, 46341, 1}, 4, INITNN_ERR_OVERFLOW, "46341 x 46341 (just past 2^31)"},
        {{60000, 28, 28}, 8, INITNN_ERR_FORMAT, "MNIST's header on 8 bytes of pixels"},
        {{0, 28, 28}, 0, INITNN_ERR_FORMAT, "zero images"},
        {{2, 2, 2}, 9, INITNN_ERR_FORMAT, "one trailing byte"}
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        initnn_data d;
        int err = load_idx_claiming(&d, cases[i].dims, cases[i].payload, NULL);
        CHECK(err == cases[i].want, "%s: initnn_load_idx returned %d, want %d (%s)", cases[i].what, err,
              cases[i].want, initnn_last_error());
        CHECK(strlen(initnn_last_error()) > 0, "%s: no message", cases[i].what);
        CHECK(data_is_empty(&d), "%s: the failed load left data behind", cases[i].what);
        CHECK(alloc_largest < SMALL_ALLOCATION, "%s: an allocation of %lu bytes", cases[i].what,
              (unsigned long)alloc_largest);
    }
    {
        /* Labels that claim 2^31-1 entries beside 2 images. */
        static const uint32_t dims[3] = {2, 2, 2}, labels = 0x7fffffffu;
        initnn_data d;
        int err = load_idx_claiming(&d, dims, 8, &labels);
        CHECK(err == INITNN_ERR_FORMAT, "2^31-1 labels: returned %d, want INITNN_ERR_FORMAT (%s)", err,
              initnn_last_error());
        CHECK(data_is_empty(&d) && alloc_largest < SMALL_ALLOCATION, "2^31-1 labels: data left or %lu bytes asked",
              (unsigned long)alloc_largest);
    }
}

/* An .npy file: format 1.0 with the header text given (padded), then
   payload bytes of zeros. */
static int write_npy(const char *path, const char *dict, size_t payload)
{
    unsigned char buf[256 + 64];
    size_t len = strlen(dict), total = 10 + len + 1;
    while (total % 64) total++;
    memset(buf, 0, sizeof buf);
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (unsigned char)((total - 10) & 0xff);
    buf[9] = (unsigned char)((total - 10) >> 8);
    memset(buf + 10, ' ', total - 10);
    memcpy(buf + 10, dict, len);
    buf[total - 1] = '\n';
    return write_bytes(path, buf, total + payload);
}

static void npy_shapes_claiming_huge_sizes_are_errors_without_a_huge_allocation(void)
{
    static const struct { const char *dict; size_t payload; int want; const char *what; } cases[] = {
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", 0, INITNN_ERR_OVERFLOW,
         "10^15 elements"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }", 8, INITNN_ERR_OVERFLOW,
         "2^32 elements"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2147483647,), }", 8, INITNN_ERR_FORMAT,
         "2^31-1 elements on 8 bytes"},
        {"{'descr': '<f8', 'fortran_order': False, 'shape': (268435456,), }", 8, INITNN_ERR_FORMAT,
         "2^28 doubles on 8 bytes"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2147483648,), }", 8, INITNN_ERR_FORMAT,
         "a dimension of 2^31"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 8, INITNN_ERR_FORMAT,
         "a dimension beyond long"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", 8, INITNN_ERR_FORMAT, "a negative dimension"},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 8, INITNN_ERR_FORMAT,
         "nine dimensions"}
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        float *data = (float *)&i;
        int ndim, shape[8], err;
        CHECK(write_npy(testing_scratch("claim.npy"), cases[i].dict, cases[i].payload), "cannot write %s", testing_scratch("claim.npy"));
        alloc_reset(0);
        err = initnn_npy_read(&data, &ndim, shape, testing_scratch("claim.npy"));
        CHECK(err == cases[i].want, "%s: initnn_npy_read returned %d, want %d (%s)", cases[i].what, err,
              cases[i].want, initnn_last_error());
        CHECK(data == NULL, "%s: *data was not set to NULL", cases[i].what);
        CHECK(alloc_largest < SMALL_ALLOCATION, "%s: an allocation of %lu bytes", cases[i].what,
              (unsigned long)alloc_largest);
    }
    {
        /* Format 2.0 with a header length of 2^32 - 1. */
        unsigned char buf[64];
        float *data = NULL;
        int ndim, shape[8], err;
        memset(buf, ' ', sizeof buf);
        memcpy(buf, "\x93NUMPY\x02\x00\xff\xff\xff\xff", 12);
        CHECK(write_bytes(testing_scratch("claim.npy"), buf, sizeof buf), "cannot write");
        alloc_reset(0);
        err = initnn_npy_read(&data, &ndim, shape, testing_scratch("claim.npy"));
        CHECK(err == INITNN_ERR_FORMAT && data == NULL, "a 4 GiB header: returned %d (%s)", err, initnn_last_error());
        CHECK(alloc_largest < SMALL_ALLOCATION, "a 4 GiB header: an allocation of %lu bytes", (unsigned long)alloc_largest);
    }
}

/* A small dense checkpoint (4 -> 3 -> 2) to edit. */
static unsigned char *small_checkpoint(size_t *n)
{
    initnn_net *net = NULL;
    unsigned char *bytes;
    if (initnn_net_from_arch(&net, "dense:3,relu,dense:2,softmax", 1, 1, 4, "he_normal", NULL, 2, 3)) return NULL;
    if (initnn_net_save(net, testing_scratch("small.ckpt"))) { initnn_net_free(net); return NULL; }
    initnn_net_free(net);
    bytes = read_bytes(testing_scratch("small.ckpt"), n);
    return bytes;
}

/* Rewrites the CRC of a checkpoint image after an edit, and loads it. */
static int load_edited(unsigned char *bytes, size_t n, initnn_net **out)
{
    put_le32(bytes + n - 4, initnn_crc32(0, bytes, n - 4));
    if (!write_bytes(testing_scratch("edited.ckpt"), bytes, n)) return -100;
    alloc_reset(0);
    return initnn_net_load(out, testing_scratch("edited.ckpt"), 4);
}

#define CK_LAYER0 36            /* after the magic and seven u32 fields */
#define CK_LAYER_BYTES (13 * 4 + 3 * INITNN_SPEC_MAX)

static void checkpoint_layers_claiming_huge_sizes_are_errors_without_a_huge_allocation(void)
{
    static const struct { size_t offset; uint32_t value; size_t offset2; uint32_t value2; const char *what; } cases[] = {
        /* layer 0 out and out_c: 2^30 units */
        {CK_LAYER0 + 8, 1u << 30, CK_LAYER0 + 24, 1u << 30, "a dense layer of 2^30 units"},
        /* layer 0 out: 2^31 - 1 units */
        {CK_LAYER0 + 8, 0x7fffffffu, CK_LAYER0 + 24, 0x7fffffffu, "a dense layer of 2^31-1 units"},
        /* layer 0 out: 2^31 units (out of range) */
        {CK_LAYER0 + 8, 0x80000000u, CK_LAYER0 + 24, 0x80000000u, "a dense layer of 2^31 units"},
        /* input_dim and input_c 2^31 - 1, layer 0 takes them */
        {12, 0x7fffffffu, 16, 0x7fffffffu, "an input of 2^31-1 features"},
        /* layer 1 out: 300000 units after 3 (900000 weights in a 1 KB file) */
        {CK_LAYER0 + CK_LAYER_BYTES + 8, 300000u, CK_LAYER0 + CK_LAYER_BYTES + 24, 300000u,
         "a dense layer of 300000 units"},
        /* layer_count 2^31 */
        {28, 0x80000000u, 28, 0x80000000u, "2^31 layers"}
    };
    size_t n, i;
    unsigned char *original = small_checkpoint(&n);
    CHECK(original != NULL, "cannot write the checkpoint to edit: %s", initnn_last_error());
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char *bytes = (unsigned char *)malloc(n);
        initnn_net *net = (initnn_net *)&net;
        int err;
        if (!bytes) break;
        memcpy(bytes, original, n);
        put_le32(bytes + cases[i].offset, cases[i].value);
        put_le32(bytes + cases[i].offset2, cases[i].value2);
        if (cases[i].offset == 12) {   /* input_w 1, layer 0 takes the input */
            put_le32(bytes + 24, 1);
            put_le32(bytes + CK_LAYER0 + 4, cases[i].value);
        }
        err = load_edited(bytes, n, &net);
        free(bytes);
        if (err == 0) initnn_net_free(net);
        CHECK(err == INITNN_ERR_FORMAT || err == INITNN_ERR_OVERFLOW,
              "%s: initnn_net_load returned %d, want INITNN_ERR_FORMAT or _OVERFLOW (%s)", cases[i].what, err,
              initnn_last_error());
        CHECK(net == NULL, "%s: *out was not set to NULL", cases[i].what);
        CHECK(alloc_largest < SMALL_ALLOCATION, "%s: an allocation of %lu bytes", cases[i].what,
              (unsigned long)alloc_largest);
    }
    free(original);
}

static void csv_and_cifar_claims_beyond_their_limits_are_errors(void)
{
    size_t i, len = 0;
    char *wide = (char *)malloc(5000 * 2 + 16);
    initnn_data d;
    int err;
    const char *cifar_path[1];
    static unsigned char record[3073 + 1];
    CHECK(wide != NULL, "out of memory");
    for (i = 0; i < 5000; i++) { wide[len++] = '1'; wide[len++] = i + 1 < 5000 ? ',' : '\n'; }
    CHECK(write_bytes(testing_scratch("wide.csv"), wide, len), "cannot write");
    free(wide);
    alloc_reset(0);
    err = initnn_load_csv(&d, testing_scratch("wide.csv"), "-1", 0, 0);
    CHECK(err == INITNN_ERR_FORMAT && data_is_empty(&d), "5000 columns: returned %d (%s)", err, initnn_last_error());
    CHECK(write_bytes(testing_scratch("small.csv"), "1,2\n3,4\n", 8), "cannot write");
    err = initnn_load_csv(&d, testing_scratch("small.csv"), "99999999999999999999", 0, 0);
    CHECK(err == INITNN_ERR_ARGUMENT && data_is_empty(&d), "target column 10^20: returned %d (%s)", err,
          initnn_last_error());
    err = initnn_load_csv(&d, testing_scratch("small.csv"), "-2147483649", 0, 0);
    CHECK(err == INITNN_ERR_ARGUMENT && data_is_empty(&d), "target column -2^31-1: returned %d (%s)", err,
          initnn_last_error());
    /* A CIFAR file one byte short of a record, and one byte over. */
    CHECK(write_bytes(testing_scratch("short.bin"), record, 3072), "cannot write");
    cifar_path[0] = testing_scratch("short.bin");
    err = initnn_load_cifar(&d, cifar_path, 1, 0);
    CHECK(err == INITNN_ERR_FORMAT && data_is_empty(&d), "3072 bytes: returned %d (%s)", err, initnn_last_error());
    CHECK(write_bytes(testing_scratch("long.bin"), record, 3074), "cannot write");
    cifar_path[0] = testing_scratch("long.bin");
    err = initnn_load_cifar(&d, cifar_path, 1, 0);
    CHECK(err == INITNN_ERR_FORMAT && data_is_empty(&d), "3074 bytes of CIFAR-10: returned %d (%s)", err,
          initnn_last_error());
}

static void nets_whose_sizes_overflow_are_errors_without_a_huge_allocation(void)
{
    initnn_net *net = NULL;
    int err;
    /* max_batch x input_dim beyond 2^31. */
    alloc_reset(0);
    err = initnn_net_create(&net, 65536, 65536, 1);
    CHECK(err == INITNN_ERR_OVERFLOW && net == NULL, "create 65536 x 65536: returned %d (%s)", err, initnn_last_error());
    /* A dense layer of 2 units on 2^31-1 inputs: 2^32 weights. */
    CHECK(initnn_net_create(&net, 0x7fffffff, 1, 1) == 0, "create with 2^31-1 inputs: %s", initnn_last_error());
    alloc_reset(0);
    err = initnn_net_add_dense(net, 2, "relu", "he_normal", NULL);
    CHECK(err == INITNN_ERR_OVERFLOW && net->layer_count == 0, "2^32 weights: returned %d (%s)", err, initnn_last_error());
    CHECK(alloc_largest < SMALL_ALLOCATION, "2^32 weights: an allocation of %lu bytes", (unsigned long)alloc_largest);
    initnn_net_free(net);
    /* Batch buffers: 10^6 samples of 10^4 units. */
    CHECK(initnn_net_create(&net, 10, 1000000, 1) == 0, "create: %s", initnn_last_error());
    alloc_reset(0);
    err = initnn_net_add_dense(net, 10000, "relu", "he_normal", NULL);
    CHECK(err == INITNN_ERR_OVERFLOW && net->layer_count == 0 && net->param_count == 0,
          "10^6 x 10^4 activations: returned %d (%s)", err, initnn_last_error());
    CHECK(alloc_largest < SMALL_ALLOCATION, "activations: an allocation of %lu bytes", (unsigned long)alloc_largest);
    initnn_net_free(net);
    /* A "same" convolution of 2 filters on a 46340 x 46340 image: 2^32 outputs. */
    CHECK(initnn_net_create(&net, 46340 * 46340, 1, 1) == 0, "create: %s", initnn_last_error());
    CHECK(initnn_net_set_input_shape(net, 1, 46340, 46340) == 0, "shape: %s", initnn_last_error());
    alloc_reset(0);
    err = initnn_net_add_conv2d(net, 2, 3, 3, 1, 1, "relu", "he_normal", NULL);
    CHECK(err == INITNN_ERR_OVERFLOW && net->layer_count == 0, "2^32 conv outputs: returned %d (%s)", err,
          initnn_last_error());
    /* A kernel of 2^31-1 rows with same padding: the padded extent overflows an int. */
    err = initnn_net_add_conv2d(net, 1, 0x7fffffff, 1, 1, 1, "relu", "he_normal", NULL);
    CHECK(err == INITNN_ERR_OVERFLOW && net->layer_count == 0, "a 2^31-1 kernel: returned %d (%s)", err,
          initnn_last_error());
    CHECK(alloc_largest < SMALL_ALLOCATION, "conv: an allocation of %lu bytes", (unsigned long)alloc_largest);
    initnn_net_free(net);
    /* The same through the architecture grammar, whose numbers reach 2^31-1. */
    alloc_reset(0);
    err = initnn_net_from_arch(&net, "dense:2147483647", 1, 1, 8, "he_normal", NULL, 1, 1);
    CHECK(err == INITNN_ERR_OVERFLOW && net == NULL, "dense:2147483647 on 8 inputs: returned %d (%s)", err,
          initnn_last_error());
    err = initnn_net_from_arch(&net, "conv:1:2147483647:1:same", 1, 8, 8, "he_normal", NULL, 1, 1);
    CHECK(err == INITNN_ERR_OVERFLOW && net == NULL, "conv:1:2147483647:1:same: returned %d (%s)", err,
          initnn_last_error());
    err = initnn_net_from_arch(&net, "conv:1:2147483644x2147483644:1:same", 4, 3, 3, "he_normal", NULL, 1, 1);
    CHECK(err == INITNN_ERR_OVERFLOW && net == NULL, "4 channels x (2^31-4)^2 taps: returned %d (%s)", err,
          initnn_last_error());
    err = initnn_net_from_arch(&net, "dense:99999999999", 1, 1, 8, "he_normal", NULL, 1, 1);
    CHECK(err == INITNN_ERR_SPEC && net == NULL, "dense:99999999999: returned %d (%s)", err, initnn_last_error());
    err = initnn_net_from_arch(&net, "dense:4", 65536, 65536, 2, "he_normal", NULL, 1, 1);
    CHECK(err == INITNN_ERR_OVERFLOW && net == NULL, "an input of 2^33: returned %d (%s)", err, initnn_last_error());
    /* (2^31-1)^3 is beyond 64 bits (UBSan watches the asan build). */
    err = initnn_net_from_arch(&net, "dense:4", 0x7fffffff, 0x7fffffff, 0x7fffffff, "he_normal", NULL, 1, 1);
    CHECK(err == INITNN_ERR_OVERFLOW && net == NULL, "an input of (2^31-1)^3: returned %d (%s)", err,
          initnn_last_error());
    CHECK(initnn_net_create(&net, 16777220, 1, 1) == 0, "create: %s", initnn_last_error());
    err = initnn_net_set_input_shape(net, 5832704, 4194305, 3014660);   /* the checkpoint fuzzer's shape */
    CHECK(err == INITNN_ERR_ARGUMENT, "a shape whose product is beyond 64 bits: returned %d (%s)", err,
          initnn_last_error());
    initnn_net_free(net);
    net = NULL;
    CHECK(alloc_largest < SMALL_ALLOCATION, "arch: an allocation of %lu bytes", (unsigned long)alloc_largest);
    /* A stride of 2^31-1 is merely useless: one output position. */
    err = initnn_net_from_arch(&net, "conv:1:3:2147483647:same,flatten", 1, 8, 8, "he_normal", NULL, 1, 1);
    CHECK(err == 0 && initnn_net_output_dim(net) == 1, "stride 2^31-1: returned %d (%s)", err, initnn_last_error());
    initnn_net_free(net);
}

static void initializers_whose_sizes_overflow_are_errors(void)
{
    float w[4];
    initnn_rng rng;
    int err;
    initnn_rng_seed(&rng, 1);
    alloc_reset(0);
    err = initnn_init_fill(w, 65536, 65536, "he_normal", &rng);
    CHECK(err == INITNN_ERR_OVERFLOW, "he_normal 65536 x 65536: returned %d (%s)", err, initnn_last_error());
    err = initnn_init_fill(w, 65536, 65536, "orthogonal", &rng);
    CHECK(err == INITNN_ERR_OVERFLOW, "orthogonal 65536 x 65536: returned %d (%s)", err, initnn_last_error());
    err = initnn_orthogonal(w, 0x7fffffff, 2, 1.0f, &rng);
    CHECK(err == INITNN_ERR_OVERFLOW, "initnn_orthogonal 2^31-1 x 2: returned %d (%s)", err, initnn_last_error());
    err = initnn_init_conv_kernel(w, 65536, 2, 200, 200, "he_normal", &rng);
    CHECK(err == INITNN_ERR_OVERFLOW, "conv kernel 200 x 200 x 65536: returned %d (%s)", err, initnn_last_error());
    /* Four factors of 2^31-1: beyond 64 bits too (UBSan watches the asan build). */
    err = initnn_init_conv_kernel(w, 0x7fffffff, 0x7fffffff, 0x7fffffff, 0x7fffffff, "he_normal", &rng);
    CHECK(err == INITNN_ERR_OVERFLOW, "conv kernel (2^31-1)^4: returned %d (%s)", err, initnn_last_error());
    CHECK(alloc_largest < SMALL_ALLOCATION, "an allocation of %lu bytes", (unsigned long)alloc_largest);
}

/* Plots of values that differ by an ulp, or span all of double: each must
   end (the tick loops step through the range) and stay small. alarm() turns
   a hang into a crash before the file fills the disk. */
static void plots_of_ranges_near_rounding_or_overflow_end_and_stay_small(void)
{
    static const struct { double x[2], y[2]; int n, log_y; const char *what; } cases[] = {
        {{1, 2}, {1.0, 1.0000000000000002}, 2, 0, "y = 1 and 1 + 2^-52"},
        {{1e20, 1.0000000000000002e20}, {1, 2}, 2, 0, "x = 1e20 and its next double"},
        {{1e20, 1e20}, {1, 2}, 1, 0, "one point at x = 1e20"},
        {{1, 2}, {1e300, 1e300}, 2, 0, "y = 1e300 twice"},
        {{-DBL_MAX, DBL_MAX}, {-DBL_MAX, DBL_MAX}, 2, 0, "x and y over all of double"},
        {{0, DBL_MIN}, {DBL_MIN, 2 * DBL_MIN}, 2, 0, "x and y near DBL_MIN"},
        {{1, 2}, {DBL_MIN, DBL_MAX}, 2, 1, "a log axis over all of double"},
        {{1, 2}, {1.0, 1.0000000000000002}, 2, 1, "a log axis of 1 and 1 + 2^-52"}
    };
    size_t i, n;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        initnn_plot plot;
        initnn_plot_series s;
        unsigned char *svg;
        int err;
        memset(&plot, 0, sizeof plot);
        memset(&s, 0, sizeof s);
        plot.title = cases[i].what;
        plot.log_y = cases[i].log_y;
        s.label = "s";
        s.x = cases[i].x;
        s.y = cases[i].y;
        s.n = cases[i].n;
        alarm(20);
        err = initnn_plot_svg(testing_scratch("range.svg"), &plot, &s, 1);
        alarm(0);
        CHECK(err == 0, "%s: initnn_plot_svg returned %d (%s)", cases[i].what, err, initnn_last_error());
        svg = read_bytes(testing_scratch("range.svg"), &n);
        free(svg);
        CHECK(svg != NULL && n < 100000, "%s: the SVG has %lu bytes", cases[i].what, (unsigned long)n);
    }
}

/* ==== 2. allocation failure ================================================================== */

/* One allocating operation: run returns its error code; left_empty says
   whether a failed run left its outputs as the manual promises; release
   frees what a successful run made. */
typedef struct alloc_op {
    const char *what;
    int (*run)(void);
    int (*left_empty)(void);
    void (*release)(void);
} alloc_op;

/* Fails allocation 1, 2, ... of op until it succeeds with none refused. */
static void sweep(const alloc_op *op)
{
    long n;
    for (n = 1; n <= 2000; n++) {
        long live = alloc_live;
        int err;
        alloc_reset(n);
        err = op->run();
        alloc_fail_at = 0;
        if (alloc_failures == 0) {
            CHECK(err == 0, "%s failed with %d although no allocation failed: %s", op->what, err, initnn_last_error());
            CHECK(n > 1, "%s allocated nothing", op->what);
            op->release();
            CHECK(alloc_live == live, "%s leaks %ld blocks when it succeeds", op->what, alloc_live - live);
            return;
        }
        CHECK(err == INITNN_ERR_MEMORY, "%s with allocation %ld failing returned %d, want INITNN_ERR_MEMORY (%s)",
              op->what, n, err, initnn_last_error());
        CHECK(strlen(initnn_last_error()) > 0, "%s with allocation %ld failing: no message", op->what, n);
        CHECK(op->left_empty(), "%s with allocation %ld failing left its output changed", op->what, n);
        CHECK(alloc_live == live, "%s with allocation %ld failing leaks %ld blocks", op->what, n, alloc_live - live);
    }
    CHECK(0, "%s still fails after 2000 allocations", op->what);
}

static initnn_net *op_net;          /* what an operation made or works on */
static initnn_data op_data;
static float *op_floats;
static int op_unchanged;            /* set by operations that check it themselves */
static float op_w[64], op_w_before[64];
static float *op_params_before;
static char op_paths[4][512];

static int always_empty(void) { return op_unchanged; }
static void release_net(void) { initnn_net_free(op_net); op_net = NULL; }
static int net_is_null(void) { return op_net == NULL; }
static void release_data(void) { initnn_data_free(&op_data); }
static int data_empty(void) { return data_is_empty(&op_data); }
static void release_nothing(void) {}
static int w_untouched(void) { return memcmp(op_w, op_w_before, sizeof op_w) == 0; }
static int params_untouched(void)
{
    return memcmp(op_net->params, op_params_before, op_net->param_count * sizeof(float)) == 0;
}

/* Builds a CNN layer by layer; a failing adder must leave the net as it was. */
static int run_build(void)
{
    initnn_net *net = NULL;
    int err, step, layers;
    size_t params;
    op_unchanged = 1;
    op_net = NULL;
    if ((err = initnn_net_create(&net, 36, 4, 1))) return err;
    for (step = 0; step < 7; step++) {
        layers = net->layer_count;
        params = net->param_count;
        switch (step) {
        case 0: err = initnn_net_set_input_shape(net, 1, 6, 6); break;
        case 1: err = initnn_net_add_conv2d(net, 2, 3, 3, 1, 1, "relu", "orthogonal", NULL); break;
        case 2: err = initnn_net_add_pool2d(net, 1, 2, 0); break;
        case 3: err = initnn_net_add_flatten(net); break;
        case 4: err = initnn_net_add_dropout(net, 0.25f); break;
        case 5: err = initnn_net_add_dense(net, 5, "tanh", "orthogonal:1.1", "random_uniform:-0.1,0.1"); break;
        default: err = initnn_net_add_dense(net, 3, "softmax", "lsuv", "orthogonal"); break;
        }
        if (err) {
            op_unchanged = net->layer_count == layers && net->param_count == params;
            initnn_net_free(net);
            return err;
        }
    }
    op_net = net;
    return 0;
}

static int run_arch(void)
{
    op_net = (initnn_net *)&op_net;
    return initnn_net_from_arch(&op_net, "conv:2:3:1:same,relu,maxpool:2,flatten,dropout:0.25,dense:5,tanh,"
                                "dense:3,softmax", 1, 6, 6, "orthogonal", NULL, 4, 1);
}

static int run_reinit(void)
{
    memcpy(op_params_before, op_net->params, op_net->param_count * sizeof(float));
    return initnn_net_reinit(op_net, 99);
}

static initnn_data op_moons;

static int run_train(void)
{
    initnn_train_config cfg = initnn_train_defaults();
    cfg.epochs = 1;
    cfg.batch_size = 8;
    cfg.validation_split = 0.25f;
    cfg.patience = 2;
    memcpy(op_params_before, op_net->params, op_net->param_count * sizeof(float));
    return initnn_net_train(op_net, &op_moons, NULL, &cfg, NULL);
}

static int run_load_idx(void) { return initnn_load_idx(&op_data, op_paths[0], op_paths[1]); }
static int run_load_csv(void) { return initnn_load_csv(&op_data, op_paths[2], "y", 1, 1); }
static int run_load_cifar(void)
{
    const char *paths[2];
    paths[0] = op_paths[3];
    paths[1] = op_paths[3];
    return initnn_load_cifar(&op_data, paths, 2, 1);
}
static int run_make_regression(void) { return initnn_make_regression(&op_data, 20, 3, 0.1f, 1); }

static int run_net_load(void)
{
    op_net = (initnn_net *)&op_net;
    return initnn_net_load(&op_net, testing_scratch("sweep.ckpt"), 4);
}

static int run_load_into(void)
{
    memcpy(op_params_before, op_net->params, op_net->param_count * sizeof(float));
    return initnn_net_load_into(op_net, testing_scratch("sweep.ckpt"));
}

static unsigned char *op_file_before;
static size_t op_file_size;

static int run_save_over(void)
{
    return initnn_net_save(op_net, testing_scratch("sweep.ckpt"));
}
static int file_untouched(void)
{
    size_t n;
    unsigned char *now = read_bytes(testing_scratch("sweep.ckpt"), &n);
    int same = now && n == op_file_size && memcmp(now, op_file_before, n) == 0;
    free(now);
    return same && !testing_temp_left_beside(testing_scratch("sweep.ckpt"));
}

static int run_npy_read(void)
{
    int ndim, shape[8];
    op_floats = (float *)&op_floats;
    return initnn_npy_read(&op_floats, &ndim, shape, testing_scratch("sweep.npy"));
}
static int floats_null(void) { return op_floats == NULL; }
static void release_floats(void) { initnn_free(op_floats); op_floats = NULL; }

static int run_npy_write(void)
{
    static const int shape[2] = {2, 3};
    remove(testing_scratch("sweep-out.npy"));
    return initnn_npy_write(testing_scratch("sweep-out.npy"), op_w, 2, shape);
}
static int npy_not_written(void) { return !testing_file_exists(testing_scratch("sweep-out.npy")); }

static int run_orthogonal(void)
{
    initnn_rng rng;
    initnn_rng_seed(&rng, 5);
    memcpy(op_w_before, op_w, sizeof op_w);
    return initnn_orthogonal(op_w, 8, 5, 1.0f, &rng);
}
static int run_init_fill(void)
{
    initnn_rng rng;
    initnn_rng_seed(&rng, 5);
    memcpy(op_w_before, op_w, sizeof op_w);
    return initnn_init_fill(op_w, 4, 9, "orthogonal:2", &rng);
}

static int run_singular_values(void)
{
    double values[5];
    return initnn_singular_values(values, op_w, 8, 5);
}

static int run_plot(void)
{
    static const double x[3] = {1, 2, 3}, y[3] = {0.5, 0.25, 0.125};
    initnn_plot plot;
    initnn_plot_series s;
    memset(&plot, 0, sizeof plot);
    memset(&s, 0, sizeof s);
    plot.title = "t";
    s.label = "s";
    s.x = x;
    s.y = y;
    s.n = 3;
    remove(testing_scratch("sweep.svg"));
    return initnn_plot_svg(testing_scratch("sweep.svg"), &plot, &s, 1);
}
static int svg_not_written(void) { return !testing_file_exists(testing_scratch("sweep.svg")); }

static void every_allocation_failure_is_an_error_that_leaks_nothing(void)
{
    initnn_net *net = NULL;
    size_t i;
    /* The files the loaders read. */
    {
        static const unsigned char labels[8 + 3] = {0, 0, 8, 1, 0, 0, 0, 3, 1, 0, 2};
        unsigned char images[16 + 3 * 4];
        static const uint32_t dims[3] = {3, 2, 2};
        static unsigned char cifar[3074];
        idx_header(images, 3, dims);
        for (i = 16; i < sizeof images; i++) images[i] = (unsigned char)(i * 9);
        snprintf(op_paths[0], sizeof op_paths[0], "%s", testing_scratch("sweep-images"));
        snprintf(op_paths[1], sizeof op_paths[1], "%s", testing_scratch("sweep-labels"));
        snprintf(op_paths[2], sizeof op_paths[2], "%s", testing_scratch("sweep.csv"));
        snprintf(op_paths[3], sizeof op_paths[3], "%s", testing_scratch("sweep.bin"));
        cifar[0] = 3;
        cifar[1] = 77;
        static const int shape[2] = {4, 5};
        CHECK(initnn_npy_write(testing_scratch("sweep.npy"), op_w, 2, shape) == 0, "npy: %s", initnn_last_error());
        CHECK(write_bytes(op_paths[0], images, sizeof images) && write_bytes(op_paths[1], labels, sizeof labels) &&
              write_bytes(op_paths[2], "a,b,y\n1,2,0\n3,4,1\n5,6,1\n", 24) &&
              write_bytes(op_paths[3], cifar, sizeof cifar), "cannot write the loaders' files");
    }
    for (i = 0; i < sizeof op_w / sizeof op_w[0]; i++) op_w[i] = (float)i * 0.125f - 2.0f;
    {
        static const alloc_op ops[] = {
            {"building a CNN layer by layer", run_build, always_empty, release_net},
            {"initnn_net_from_arch", run_arch, net_is_null, release_net},
            {"initnn_load_idx", run_load_idx, data_empty, release_data},
            {"initnn_load_csv", run_load_csv, data_empty, release_data},
            {"initnn_load_cifar", run_load_cifar, data_empty, release_data},
            {"initnn_make_regression", run_make_regression, data_empty, release_data},
            {"initnn_orthogonal", run_orthogonal, w_untouched, release_nothing},
            {"initnn_init_fill orthogonal:2", run_init_fill, w_untouched, release_nothing},
            {"initnn_singular_values", run_singular_values, w_untouched, release_nothing},
            {"initnn_npy_write", run_npy_write, npy_not_written, release_nothing},
            {"initnn_npy_read", run_npy_read, floats_null, release_floats},
            {"initnn_plot_svg", run_plot, svg_not_written, release_nothing}
        };
        for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            memcpy(op_w_before, op_w, sizeof op_w);
            sweep(&ops[i]);
            if (TESTING_FAILED) return;
        }
    }
    /* Operations on an existing net: a trained one, with a checkpoint of it. */
    CHECK(initnn_net_from_arch(&net, "dense:6,relu,dropout:0.1,dense:2,softmax", 1, 1, 2, "orthogonal", NULL, 8, 4) == 0,
          "arch: %s", initnn_last_error());
    op_net = net;
    op_params_before = (float *)malloc(net->param_count * sizeof(float));
    CHECK(op_params_before != NULL, "out of memory");
    CHECK(initnn_net_save(net, testing_scratch("sweep.ckpt")) == 0, "save: %s", initnn_last_error());
    op_file_before = read_bytes(testing_scratch("sweep.ckpt"), &op_file_size);
    CHECK(op_file_before != NULL, "cannot read the checkpoint back");
    CHECK(initnn_make_moons(&op_moons, 32, 0.1f, 3) == 0, "moons: %s", initnn_last_error());
    {
        static const alloc_op ops[] = {
            {"initnn_net_load", run_net_load, net_is_null, release_net},
        };
        initnn_net *keep = op_net;
        sweep(&ops[0]);
        op_net = keep;
    }
    if (!TESTING_FAILED) {
        static const alloc_op ops[] = {
            {"initnn_net_load_into", run_load_into, params_untouched, release_nothing},
            {"initnn_net_reinit (orthogonal kernels)", run_reinit, params_untouched, release_nothing},
            {"initnn_net_train", run_train, params_untouched, release_nothing},
            {"initnn_net_save over an existing checkpoint", run_save_over, file_untouched, release_nothing}
        };
        for (i = 0; i < sizeof ops / sizeof ops[0] && !TESTING_FAILED; i++) sweep(&ops[i]);
    }
    initnn_data_free(&op_moons);
    free(op_file_before);
    free(op_params_before);
    initnn_net_free(net);
    op_net = NULL;
    CHECK(alloc_live == 0, "%ld blocks are still allocated at the end", alloc_live);
}

/* ==== 3. non-finite numbers in training ======================================================= */

static initnn_net *make_net(const char *arch, int inputs, int max_batch)
{
    initnn_net *net = NULL;
    if (initnn_net_from_arch(&net, arch, 1, 1, inputs, "he_normal", NULL, max_batch, 11)) return NULL;
    return net;
}

typedef struct snapshot {
    float *params, *m, *v;
    size_t n;
    int64_t step, steps_taken;
} snapshot;

static int take(snapshot *s, const initnn_net *net)
{
    s->n = net->param_count;
    s->params = (float *)malloc(s->n * sizeof(float));
    s->m = (float *)malloc(s->n * sizeof(float));
    s->v = (float *)malloc(s->n * sizeof(float));
    if (!s->params || !s->m || !s->v) return 0;
    memcpy(s->params, net->params, s->n * sizeof(float));
    memcpy(s->m, net->opt_m, s->n * sizeof(float));
    memcpy(s->v, net->opt_v, s->n * sizeof(float));
    s->step = net->opt.step;
    s->steps_taken = net->steps_taken;
    return 1;
}

/* Bitwise: a NaN put in by hand compares equal to itself here. */
static int unchanged(const snapshot *s, const initnn_net *net)
{
    return memcmp(s->params, net->params, s->n * sizeof(float)) == 0 &&
           memcmp(s->m, net->opt_m, s->n * sizeof(float)) == 0 &&
           memcmp(s->v, net->opt_v, s->n * sizeof(float)) == 0 && s->step == net->opt.step &&
           s->steps_taken == net->steps_taken;
}

static void drop(snapshot *s)
{
    free(s->params);
    free(s->m);
    free(s->v);
}

static int contains(const char *text, const char *word) { return strstr(text, word) != NULL; }

static void train_two_steps(initnn_net *net, const float *X, const int *labels, const float *targets, int batch)
{
    int k;
    for (k = 0; k < 2; k++)
        CHECK(initnn_net_train_batch(net, X, labels, targets, batch, NULL, NULL) == 0, "step %d: %s", k + 1,
              initnn_last_error());
}

static void an_infinite_weight_set_by_hand_stops_training_naming_layer_and_step(void)
{
    static const float X[2 * 4] = {0.5f, -1.0f, 0.25f, 2.0f, -0.5f, 1.0f, 0.0f, 1.5f};
    static const int labels[2] = {0, 2};
    static const float poison[2] = {INFINITY, NAN};
    int p;
    for (p = 0; p < 2; p++) {
        initnn_net *net = make_net("dense:5,relu,dense:3,softmax", 4, 2);
        snapshot s;
        int err;
        CHECK(net != NULL, "arch: %s", initnn_last_error());
        train_two_steps(net, X, labels, NULL, 2);
        if (TESTING_FAILED) { initnn_net_free(net); return; }
        net->layers[1].W[4] = poison[p];
        CHECK(take(&s, net), "out of memory");
        err = initnn_net_train_batch(net, X, labels, NULL, 2, NULL, NULL);
        CHECK(err == INITNN_ERR_NONFINITE, "a %g weight: returned %d, want INITNN_ERR_NONFINITE", (double)poison[p], err);
        CHECK(contains(initnn_last_error(), "layer 1") && contains(initnn_last_error(), "step 3"),
              "the message does not name layer 1 and step 3: %s", initnn_last_error());
        CHECK(unchanged(&s, net), "the refused step changed the weights, moments or step count");
        drop(&s);
        initnn_net_free(net);
    }
}

static void a_learning_rate_that_overflows_the_step_is_refused_naming_layer_and_step(void)
{
    static const float X[2 * 3] = {100.0f, -200.0f, 50.0f, -100.0f, 300.0f, 20.0f};
    static const float targets[2 * 2] = {1000.0f, -1000.0f, -2000.0f, 500.0f};
    initnn_net *net = make_net("dense:4,relu,dense:2", 3, 2);
    initnn_optimizer sgd = initnn_sgd(1e-6f, 0.0f, 0);
    snapshot s;
    int err, k;
    CHECK(net != NULL, "arch: %s", initnn_last_error());
    CHECK(initnn_net_set_loss(net, INITNN_LOSS_MSE) == 0 && initnn_net_set_optimizer(net, &sgd) == 0, "%s",
          initnn_last_error());
    train_two_steps(net, X, NULL, targets, 2);
    if (TESTING_FAILED) { initnn_net_free(net); return; }
    /* FLT_MAX times a gradient of magnitude > 1 is beyond float. */
    net->opt.learning_rate = FLT_MAX;
    CHECK(take(&s, net), "out of memory");
    err = initnn_net_train_batch(net, X, NULL, targets, 2, NULL, NULL);
    CHECK(err == INITNN_ERR_NONFINITE, "lr FLT_MAX: returned %d, want INITNN_ERR_NONFINITE (%s)", err, initnn_last_error());
    CHECK(contains(initnn_last_error(), "layer ") && contains(initnn_last_error(), "step 3"),
          "the message does not name a layer and step 3: %s", initnn_last_error());
    CHECK(unchanged(&s, net), "the refused step changed the weights, moments or step count");
    for (k = 0; k < (int)net->param_count; k++)
        CHECK(net->params[k] - net->params[k] == 0.0f, "weight %d is %g after the refused step", k, (double)net->params[k]);
    /* And it can go on with a sane rate. */
    net->opt.learning_rate = 1e-6f;
    CHECK(initnn_net_train_batch(net, X, NULL, targets, 2, NULL, NULL) == 0, "a sane step after: %s", initnn_last_error());
    CHECK(net->steps_taken == 3, "steps_taken %lld, want 3", (long long)net->steps_taken);
    drop(&s);
    initnn_net_free(net);
}

static void a_forward_pass_that_overflows_names_the_first_layer_whose_output_is_not_finite(void)
{
    static const float X[2 * 3] = {1.0f, 2.0f, 3.0f, -1.0f, 0.5f, 2.0f};
    static const int labels[2] = {1, 0};
    initnn_net *net = make_net("dense:4,relu,dense:4,relu,dense:2,softmax", 3, 2);
    snapshot s;
    size_t k;
    int err;
    CHECK(net != NULL, "arch: %s", initnn_last_error());
    /* Finite but huge weights in layer 2: 1e30 x 1e30 overflows there. */
    for (k = 0; k < net->layers[0].weight_count; k++) net->layers[0].W[k] = 1e20f;
    for (k = 0; k < net->layers[2].weight_count; k++) net->layers[2].W[k] = 1e30f;
    CHECK(take(&s, net), "out of memory");
    err = initnn_net_train_batch(net, X, labels, NULL, 2, NULL, NULL);
    CHECK(err == INITNN_ERR_NONFINITE, "returned %d, want INITNN_ERR_NONFINITE (%s)", err, initnn_last_error());
    CHECK(contains(initnn_last_error(), "output of layer 2") && contains(initnn_last_error(), "step 1"),
          "the message does not name the output of layer 2 and step 1: %s", initnn_last_error());
    CHECK(unchanged(&s, net), "the refused step changed the net");
    drop(&s);
    initnn_net_free(net);
}

static void a_nan_target_is_reported_as_such(void)
{
    static const float X[2 * 2] = {1.0f, 2.0f, 3.0f, -1.0f};
    float targets[2] = {0.5f, NAN};
    initnn_net *net = make_net("dense:3,tanh,dense:1", 2, 2);
    snapshot s;
    int err;
    CHECK(net != NULL && initnn_net_set_loss(net, INITNN_LOSS_MSE) == 0, "%s", initnn_last_error());
    CHECK(take(&s, net), "out of memory");
    err = initnn_net_train_batch(net, X, NULL, targets, 2, NULL, NULL);
    CHECK(err == INITNN_ERR_NONFINITE, "returned %d, want INITNN_ERR_NONFINITE", err);
    CHECK(contains(initnn_last_error(), "target") && contains(initnn_last_error(), "step 1"),
          "the message does not blame the targets at step 1: %s", initnn_last_error());
    CHECK(unchanged(&s, net), "the refused step changed the net");
    drop(&s);
    initnn_net_free(net);
}

static void training_that_diverges_stops_with_the_last_finite_weights(void)
{
    initnn_data moons;
    initnn_train_config cfg = initnn_train_defaults();
    initnn_net *net = make_net("dense:16,relu,dense:2,softmax", 2, 16);
    initnn_optimizer sgd = initnn_sgd(1.0f, 0.0f, 0);
    int err, epochs = -1;
    size_t k;
    CHECK(net != NULL, "arch: %s", initnn_last_error());
    CHECK(initnn_make_moons(&moons, 64, 0.1f, 2) == 0, "moons: %s", initnn_last_error());
    /* Inputs of 1e15 and a learning rate of 1e5: within a few steps the
       weights reach 1e20 and the pre-activations overflow. */
    for (k = 0; k < (size_t)moons.count * 2; k++) ((float *)moons.x)[k] *= 1e15f;
    sgd.learning_rate = 1e5f;
    CHECK(initnn_net_set_optimizer(net, &sgd) == 0, "%s", initnn_last_error());
    cfg.epochs = 3;
    cfg.batch_size = 16;
    cfg.validation_split = 0.0f;
    err = initnn_net_train(net, &moons, NULL, &cfg, &epochs);
    initnn_data_free(&moons);
    CHECK(err == INITNN_ERR_NONFINITE, "initnn_net_train returned %d, want INITNN_ERR_NONFINITE (%s)", err,
          initnn_last_error());
    CHECK(contains(initnn_last_error(), "step "), "the message names no step: %s", initnn_last_error());
    CHECK(epochs == 0, "%d epochs reported complete", epochs);
    for (k = 0; k < net->param_count; k++)
        CHECK(net->params[k] - net->params[k] == 0.0f, "weight %lu is %g", (unsigned long)k, (double)net->params[k]);
    initnn_net_free(net);
}

static void a_checkpoint_on_disk_is_never_replaced_by_a_non_finite_one(void)
{
    initnn_net *net = make_net("dense:3,relu,dense:2,softmax", 2, 2);
    unsigned char *before, *after;
    size_t n_before, n_after;
    char tmp[600];
    int err;
    CHECK(net != NULL, "arch: %s", initnn_last_error());
    CHECK(initnn_net_save(net, testing_scratch("keep.ckpt")) == 0, "save: %s", initnn_last_error());
    before = read_bytes(testing_scratch("keep.ckpt"), &n_before);
    CHECK(before != NULL, "cannot read the checkpoint");
    net->layers[1].b[1] = NAN;
    err = initnn_net_save(net, testing_scratch("keep.ckpt"));
    after = read_bytes(testing_scratch("keep.ckpt"), &n_after);
    snprintf(tmp, sizeof tmp, "%s.tmp", testing_scratch("keep.ckpt"));
    CHECK(err == INITNN_ERR_NONFINITE, "saving a NaN bias returned %d, want INITNN_ERR_NONFINITE", err);
    CHECK(after && n_after == n_before && memcmp(before, after, n_before) == 0, "the checkpoint on disk changed");
    CHECK(!testing_temp_left_beside(testing_scratch("keep.ckpt")), "a temporary %s-* was left behind", tmp);
    free(before);
    free(after);
    initnn_net_free(net);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    if (testing_scratch_begin("robust") != 0) return 1;
    RUN_TEST(idx_headers_claiming_huge_sizes_are_errors_without_a_huge_allocation);
    RUN_TEST(npy_shapes_claiming_huge_sizes_are_errors_without_a_huge_allocation);
    RUN_TEST(checkpoint_layers_claiming_huge_sizes_are_errors_without_a_huge_allocation);
    RUN_TEST(csv_and_cifar_claims_beyond_their_limits_are_errors);
    RUN_TEST(nets_whose_sizes_overflow_are_errors_without_a_huge_allocation);
    RUN_TEST(initializers_whose_sizes_overflow_are_errors);
    RUN_TEST(plots_of_ranges_near_rounding_or_overflow_end_and_stay_small);
    RUN_TEST(every_allocation_failure_is_an_error_that_leaks_nothing);
    RUN_TEST(an_infinite_weight_set_by_hand_stops_training_naming_layer_and_step);
    RUN_TEST(a_learning_rate_that_overflows_the_step_is_refused_naming_layer_and_step);
    RUN_TEST(a_forward_pass_that_overflows_names_the_first_layer_whose_output_is_not_finite);
    RUN_TEST(a_nan_target_is_reported_as_such);
    RUN_TEST(training_that_diverges_stops_with_the_last_finite_weights);
    RUN_TEST(a_checkpoint_on_disk_is_never_replaced_by_a_non_finite_one);
    testing_scratch_end();   /* leave nothing behind */
    return testing_finish();
}
