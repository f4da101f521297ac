/* tests/fuzz/make_corpus.c - writes the seed corpus of the fuzz targets,
   tests/fuzz/corpus/<target>/seed-*, small valid inputs each target's
   fuzzer starts from (the first byte of most is the target's mode byte, see
   targets.h). The seeds are committed; run this only to regenerate them:

      cc -std=c99 -I. tests/fuzz/make_corpus.c -o build/make_corpus -lm && ./build/make_corpus

   from the repository's root. */
#define INITNN_IMPLEMENTATION
#include "initnn.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DIR "tests/fuzz/corpus/"

static void die(const char *what)
{
    fprintf(stderr, "make_corpus: %s: %s\n", what, initnn_last_error());
    exit(1);
}

/* Writes mode byte (if mode >= 0) and then bytes to path. */
static void put(const char *path, int mode, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) die(path);
    if (mode >= 0) fputc(mode, f);
    if (n && fwrite(data, 1, n, f) != n) die(path);
    if (fclose(f)) die(path);
}

static void put_text(const char *path, int mode, const char *text) { put(path, mode, text, strlen(text)); }

/* Reads a file back whole (for prefixing a mode byte). */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long len;
    if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) die(path);
    buf = (unsigned char *)malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) die(path);
    fclose(f);
    *n = (size_t)len;
    return buf;
}

/* A checkpoint of the net after one training step, mode byte 1 in front. */
static void checkpoint_seed(const char *path, initnn_net *net, int loss)
{
    float X[2 * 16];
    int labels[2] = {1, 0}, i;
    float targets[2 * 4];
    unsigned char *bytes;
    size_t n;
    for (i = 0; i < 2 * net->input_dim; i++) X[i] = (float)(i % 5) * 0.25f - 0.5f;
    for (i = 0; i < 8; i++) targets[i] = (float)(i % 2);
    if (initnn_net_set_loss(net, loss)) die("set_loss");
    if (initnn_net_train_batch(net, X, labels, targets, 2, NULL, NULL)) die("train_batch");
    if (initnn_net_save(net, "build/seed.ckpt")) die("save");
    bytes = slurp("build/seed.ckpt", &n);
    put(path, 1, bytes, n);
    free(bytes);
    remove("build/seed.ckpt");
}

int main(void)
{
    /* spec: byte 0 picks the input shape (targets.h), then four lines. */
    put_text(DIR "spec/seed-dense", 0, "he_normal\nrelu\ndense:4,relu,dense:3,softmax\nzeros");
    put_text(DIR "spec/seed-conv", 1, "orthogonal:1.5\nleaky_relu:0.2\n"
             "conv:2:3:1:same,relu,maxpool:2,flatten,dense:3,softmax\n");
    put_text(DIR "spec/seed-scaling", 2, "variance_scaling:2,fan_in,truncated_normal\ntanh\n"
             "conv:3:2x3:2:valid,tanh,avgpool:2:1,flatten,dropout:0.5,dense:2\ntorch_default");
    put_text(DIR "spec/seed-sparse", 3, "sparse:2,0.5\nselu\ndense:6,selu,dense:2,sigmoid\nconstant:0.1");
    put_text(DIR "spec/seed-glorot", 0, "glorot_uniform:1,fan_out\nsigmoid\ndense:3,leaky_relu:0.3,dense:2,softmax\n"
             "random_uniform:-0.1,0.1");
    put_text(DIR "spec/seed-identity", 5, "identity\nlinear\nconv:4:3:1:same,conv:4:1,flatten,dense:2,softmax\n"
             "random_normal:0.01,0.5");

    /* idx: mode 1 (a label file), the image file's length, 3 images of
       2 x 2, then 3 labels. */
    {
        static const unsigned char images[16 + 12] = {
            0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2,
            0, 255, 128, 7, 9, 8, 7, 6, 255, 255, 0, 0
        };
        static const unsigned char labels[8 + 3] = {0, 0, 8, 1, 0, 0, 0, 3, 2, 0, 9};
        unsigned char seed[2 + sizeof images + sizeof labels];
        seed[0] = (unsigned char)sizeof images;
        seed[1] = 0;
        memcpy(seed + 2, images, sizeof images);
        memcpy(seed + 2 + sizeof images, labels, sizeof labels);
        put(DIR "idx/seed-pair", 1, seed, sizeof seed);
        put(DIR "idx/seed-images", 0, seed, 2 + sizeof images);
    }

    /* csv: mode bit 0 has_header, bit 1 classification, bits 2-4 target
       (0 "-1", 3 "y"). */
    put_text(DIR "csv/seed-classes", 1 | 2 | (3 << 2), "a,b,y\n1,2,0\n3.5,-4e2,1\n\n\"5\", 6 ,2\r\n");
    put_text(DIR "csv/seed-regression", 0, "0.5,1,2.25\n-1,1e-3,7\n2,3,-0.125\n");

    /* cifar: one CIFAR-10 record; two CIFAR-100 files of one record each. */
    {
        unsigned char rec[2 * 3074];
        int i;
        for (i = 0; i < (int)sizeof rec; i++) rec[i] = (unsigned char)(i * 7);
        rec[0] = 3;
        put(DIR "cifar/seed-cifar10", 0, rec, 3073);
        rec[0] = 19; rec[1] = 99; rec[3074] = 4; rec[3075] = 42;
        put(DIR "cifar/seed-cifar100", 1 | (1 << 2), rec, 2 * 3074);
    }

    /* checkpoint: a dense net trained with Adam, a conv net with SGD. */
    {
        initnn_net *net;
        initnn_optimizer sgd = initnn_sgd(0.1f, 0.9f, 1);
        if (initnn_net_from_arch(&net, "dense:3,tanh,dropout:0.25,dense:2,softmax", 1, 1, 4, "he_normal", NULL, 2, 5))
            die("arch dense");
        checkpoint_seed(DIR "checkpoint/seed-dense", net, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY);
        initnn_net_free(net);
        /* The same with the optional chunks: a z-score and class names.
           (seed-dense-v1 is seed-dense as version 1 wrote it, before the
           chunks; it is kept, not regenerated.) */
        {
            static const float mean[4] = {0.5f, -1.0f, 2.0f, 0.0f}, std[4] = {1.0f, 0.5f, 3.0f, 1.0f};
            static const char *const names[2] = {"cat", "dog"};
            if (initnn_net_from_arch(&net, "dense:3,tanh,dropout:0.25,dense:2,softmax", 1, 1, 4, "he_normal", NULL, 2, 5) ||
                initnn_net_set_preprocessing(net, mean, std, 1.0f, names, 2))
                die("arch prep");
            checkpoint_seed(DIR "checkpoint/seed-prep", net, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY);
            initnn_net_free(net);
        }
        if (initnn_net_from_arch(&net, "conv:2:2:1:same,relu,maxpool:2,conv:2:1,flatten,dense:4", 1, 4, 4,
                                 "glorot_uniform", "torch_default", 2, 6))
            die("arch conv");
        sgd.weight_decay = 1e-4f;
        sgd.clip_norm = 5.0f;
        if (initnn_net_set_optimizer(net, &sgd)) die("sgd");
        checkpoint_seed(DIR "checkpoint/seed-conv", net, INITNN_LOSS_MSE);
        initnn_net_free(net);
        /* residual blocks: one whose branch downsamples (a strided 1x1
           shortcut, the layer record's stride 2) and one that keeps its size */
        if (initnn_net_from_arch(&net, "conv:2:3:1:same,relu,res:ones[conv:3:3:2:same,relu,conv:3:3:1:same],relu,"
                                 "res[conv:3:3:1:same],dense:2,softmax", 1, 4, 4, "he_normal", NULL, 2, 7))
            die("arch residual");
        checkpoint_seed(DIR "checkpoint/seed-residual-strided", net, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY);
        initnn_net_free(net);
    }

    /* npy: float32 (2, 3) as initnn writes it; float64 (3,) as NumPy does. */
    {
        static const float values[6] = {1.0f, -2.5f, 0.0f, 3e-8f, 1e30f, -0.0f};
        static const int shape[2] = {2, 3};
        static const char header[] = "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }";
        unsigned char buf[128 + 24];
        unsigned char *bytes;
        size_t n, len = sizeof header - 1;
        double d[3] = {0.5, -1e300, 42.0};
        int i, k;
        if (initnn_npy_write("build/seed.npy", values, 2, shape)) die("npy");
        bytes = slurp("build/seed.npy", &n);
        put(DIR "npy/seed-f4", -1, bytes, n);
        free(bytes);
        remove("build/seed.npy");
        memcpy(buf, "\x93NUMPY\x01\x00", 8);
        memset(buf + 10, ' ', 118);
        memcpy(buf + 10, header, len);
        buf[10 + 117] = '\n';
        buf[8] = 118;
        buf[9] = 0;
        for (i = 0; i < 3; i++) {
            uint64_t u;
            memcpy(&u, &d[i], 8);
            for (k = 0; k < 8; k++) buf[128 + 8 * i + k] = (unsigned char)(u >> (8 * k));
        }
        put(DIR "npy/seed-f8", -1, buf, sizeof buf);
    }
    /* plot: mode byte (bit 0 log_y, bit 1 markers, bit 2 bands, bits 3-4
       series - 1), then the doubles of each series: x, y (, low, high),
       then an optional y range. */
    {
        static const double line[8] = {1, 2, 3, 4, 0.9, 0.5, 0.3, 0.25};
        static const double band[12] = {1, 2, 3, 1.0, 0.1, 0.01, 0.5, 0.05, 0.004, 2.0, 0.2, 0.03};
        static const double ulp[4] = {1, 2, 1.0, 1.0000000000000002};
        static const double zoom[22] = {0, 1, 2, 3, 4, 0.1, 0.96, 0.975, 0.985, 0.99,
                                        0.05, 0.955, 0.97, 0.98, 0.985, 0.15, 0.965, 0.98, 0.99, 0.995, 0.95, 1.0};
        double two[12] = {0, 1, 2, 5, 0, 7, 0, 1, 2, 0, -1, 1e300};
        two[4] = NAN;
        two[9] = HUGE_VAL;
        put(DIR "plot/seed-line", 0, line, sizeof line);
        put(DIR "plot/seed-log-band", 1 | 4, band, sizeof band);
        put(DIR "plot/seed-two-nan", 2 | (1 << 3), two, sizeof two);
        put(DIR "plot/seed-ulp", 0, ulp, sizeof ulp);
        /* An accuracy curve with its band, zoomed to [0.95, 1] (the two
           doubles after the series) on integer ticks. */
        put(DIR "plot/seed-zoom", 2 | 4, zoom, sizeof zoom);
    }
    /* stats: mode byte (bins - 1 in bits 0-5, bit 6 log y), then floats:
       lo, hi, the values. Weights of an init, the infinite bounds,
       values at every edge of the float range, and NaN bounds. */
    {
        float weights[2 + 16], inf_bounds[2 + 16], edges[2 + 8], nan_bounds[2 + 4];
        int i;
        initnn_rng rng;
        initnn_rng_seed(&rng, 1);
        weights[0] = -0.2f;
        weights[1] = 0.2f;
        initnn_random_normal(weights + 2, 16, 0.05f, 0.0f, &rng);
        memcpy(inf_bounds, weights, sizeof weights);
        inf_bounds[0] = -HUGE_VALF;
        inf_bounds[1] = HUGE_VALF;
        for (i = 2; i < 18; i += 4) inf_bounds[i] = HUGE_VALF;
        edges[0] = -FLT_MAX; edges[1] = FLT_MAX;
        edges[2] = FLT_MAX; edges[3] = -FLT_MAX; edges[4] = HUGE_VALF; edges[5] = -HUGE_VALF;
        edges[6] = NAN; edges[7] = 1e-45f; edges[8] = -0.0f; edges[9] = FLT_MIN;
        nan_bounds[0] = NAN; nan_bounds[1] = 1.0f; nan_bounds[2] = 0.5f; nan_bounds[3] = 2.0f;
        nan_bounds[4] = -1.0f; nan_bounds[5] = 0.25f;
        put(DIR "stats/seed-weights", 7, weights, sizeof weights);
        put(DIR "stats/seed-infinite-bounds", 7, inf_bounds, sizeof inf_bounds);
        put(DIR "stats/seed-float-edges", 15 | 64, edges, sizeof edges);
        put(DIR "stats/seed-nan-bound", 0, nan_bounds, sizeof nan_bounds);
    }
    return 0;
}
