/* lab_reload.c - tests/lab.sh's reader of a checkpoint the lab saved: loads
   MODEL, reads CSV as the lab did (initnn_load_csv, the rows shuffled with
   the data seed exactly as examples/initlab.c's lab_shuffle_rows does, the
   last TEST_SPLIT of them the test set) and evaluates the model on the test
   rows as loaded, through initnn_net_evaluate_raw, which applies the
   preprocessing the checkpoint keeps. Prints "raw METRIC" and, for
   comparison, "plain METRIC" (initnn_net_evaluate, no preprocessing).

   Usage: lab_reload MODEL CSV TARGET HAS_HEADER CLASSIFICATION DATA_SEED TEST_SPLIT */
#define INITNN_IMPLEMENTATION
#include "initnn.h"

#include <stdlib.h>

static void shuffle_rows(initnn_data *d, uint64_t seed)
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
        if (t) { tmp = t[i]; t[i] = t[j]; t[j] = tmp; }
    }
}

int main(int argc, char **argv)
{
    initnn_net *net;
    initnn_data all, train, test;
    double loss, raw, plain;
    if (argc != 8) {
        fprintf(stderr, "usage: %s MODEL CSV TARGET HAS_HEADER CLASSIFICATION DATA_SEED TEST_SPLIT\n", argv[0]);
        return 2;
    }
    if (initnn_net_load(&net, argv[1], 64) != 0 ||
        initnn_load_csv(&all, argv[2], argv[3], atoi(argv[4]), atoi(argv[5])) != 0) {
        fprintf(stderr, "lab_reload: %s\n", initnn_last_error());
        return 1;
    }
    shuffle_rows(&all, (uint64_t)atol(argv[6]));
    if (initnn_data_split(&train, &test, &all, (float)atof(argv[7])) != 0 ||
        initnn_net_evaluate_raw(net, &loss, &raw, &test) != 0 || initnn_net_evaluate(net, &loss, &plain, &test) != 0) {
        fprintf(stderr, "lab_reload: %s\n", initnn_last_error());
        return 1;
    }
    printf("raw %.4g\nplain %.4g\n", raw, plain);
    if (net->prep.class_count > 0) {
        int k;
        printf("classes");
        for (k = 0; k < net->prep.class_count; k++) printf(" %s", net->prep.class_names[k]);
        printf("\n");
    }
    initnn_data_free(&all);
    initnn_net_free(net);
    return 0;
}
