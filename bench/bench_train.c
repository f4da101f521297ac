/* bench_train.c - one training epoch of initnn on 60000 MNIST-shaped samples,
   the figure bench/bench_train.py measures for PyTorch in the same run.

   usage: bench_train mlp|cnn [epochs [samples]]
     mlp  784-256-256-128-10 ReLU, softmax cross-entropy, Adam 1e-3, batch 128
     cnn  conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,
          relu,dropout:0.5,dense:10, Adam 1e-3, batch 64
   The data are random bytes with random labels (the time of an epoch does
   not depend on the values), stored as uint8 and scaled per batch, as
   initnn_net_train does with MNIST. The thread count is OMP_NUM_THREADS
   (build with -fopenmp). Prints one line: seconds per epoch and peak RSS.
   samples (default 60000) trains on fewer samples and scales the time to a
   60000-sample epoch, for builds too slow to run a whole one (the
   INITNN_REFERENCE build); the line then says how many it measured.

   A benchmark program, not library code: it may use POSIX (getrusage). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#define INITNN_IMPLEMENTATION
#include "../initnn.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    const int full = 60000, features = 784;
    const int count = argc > 3 && atoi(argv[3]) > 0 && atoi(argv[3]) < full ? atoi(argv[3]) : full;
    const char *model = argc > 1 ? argv[1] : "mlp";
    int epochs = argc > 2 ? atoi(argv[2]) : 1, cnn = !strcmp(model, "cnn"), batch = cnn ? 64 : 128, i, e;
    const char *arch = cnn ? "conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,relu,dropout:0.5,dense:10,softmax"
                           : "dense:256,relu,dense:256,relu,dense:128,relu,dense:10,softmax";
    unsigned char *pixels = (unsigned char *)malloc((size_t)count * features);
    int *labels = (int *)malloc((size_t)count * sizeof(int));
    initnn_rng rng;
    initnn_net *net;
    initnn_data data;
    initnn_train_config cfg = initnn_train_defaults();
    struct rusage usage;
    double best = 1e30;

    if (!pixels || !labels) return 1;
    initnn_rng_seed(&rng, 7);
    for (i = 0; i < count * features; i++) pixels[i] = (unsigned char)(initnn_rng_u32(&rng) >> 24);
    for (i = 0; i < count; i++) labels[i] = (int)initnn_rng_below(&rng, 10);
    memset(&data, 0, sizeof data);
    data.count = count;
    data.features = features;
    data.x_u8 = pixels;
    data.labels = labels;
    data.classes = 10;
    if (initnn_net_from_arch(&net, arch, 1, 28, 28, "he_normal", NULL, batch, 1)) {
        fprintf(stderr, "bench_train: %s\n", initnn_last_error());
        return 1;
    }
    cfg.epochs = 1;
    cfg.batch_size = batch;
    for (e = 0; e < epochs; e++) {
        double t0 = now(), t;
        if (initnn_net_train(net, &data, NULL, &cfg, NULL)) {
            fprintf(stderr, "bench_train: %s\n", initnn_last_error());
            return 1;
        }
        t = (now() - t0) * full / count;
        if (t < best) best = t;
    }
    getrusage(RUSAGE_SELF, &usage);
    printf("initnn %s epoch_seconds %.3f peak_rss_mib %.1f", model, best, usage.ru_maxrss / 1024.0);
    if (count < full) printf(" measured_on %d samples", count);
    printf("\n");
    initnn_net_free(net);
    free(pixels);
    free(labels);
    return 0;
}
