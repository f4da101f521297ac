/* bench_matmul.c - initnn's matrix products against OpenBLAS cblas_sgemm.

   Measures GFLOPS (2 M K N flops per product) of initnn_matmul,
   initnn_matmul_nt and initnn_matmul_tn on the products of training a
   784-256-256-128-10 MLP with a batch of 128 (forward Y = X W, weight
   gradient dW = X^T dY, input gradient dX = dY W^T), on those of the bench
   CNN (bench_train.c: its second conv layer's three products of one image,
   as the conv layers call them, and its dense layers' with a batch of 64),
   and on a square 1024 product, next to cblas_sgemm with the same
   transposes, in the same run, single-threaded. From the CNN's rates it
   prints the time one epoch's products (60000 images) take at them: the
   floor its epoch is measured against (bench/run_train.sh). Before timing,
   both results are checked against the naive double-precision references
   of initnn; a wrong result ends the run with exit status 1.

   Build and run with bench/run.sh (make bench), which sets up OpenBLAS.
   Environment: BENCH_RUNS (default 5) timed runs per product, each of at
   least BENCH_MIN_SECONDS (default 0.2) seconds; the best run counts. */

#define _POSIX_C_SOURCE 199309L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>

#define INITNN_IMPLEMENTATION
#include "initnn.h"

#ifndef BENCH_BUILD
#define BENCH_BUILD "?"
#endif

typedef enum { OP_NN, OP_NT, OP_TN } op_t;

typedef enum { MODEL_MLP, MODEL_CNN, MODEL_SQUARE } model_t;

typedef struct {
    const char *layer;   /* which layer, or "square"                      */
    const char *what;    /* forward / dW / dX                             */
    op_t op;
    int M, K, N;
    model_t model;       /* the MLP's count towards its product target    */
    double per_epoch;    /* the CNN's: calls in an epoch of 60000 images  */
} bench_case;

#define MLP MODEL_MLP, 0.0   /* an MLP row: no count of calls in a CNN epoch */
#define CNN_IMAGES 60000.0
#define CNN_BATCHES (CNN_IMAGES / 64.0)   /* 937 of 64 and one of 32: the same flops */
/* The CNN's first conv layer (1 -> 32 channels, 3 x 3: 9 rows) runs outside
   the products (initnn__few_rows_forward and _weight_grad); its flops per
   image, forward and weight gradient (it has no input gradient): */
#define CNN_FIRST_LAYER_FLOPS (2.0 * 2.0 * 9 * 32 * 26 * 26)

static const bench_case cases[] = {
    { "784->256", "Y=XW",      OP_NN, 128, 784, 256, MLP },
    { "256->256", "Y=XW",      OP_NN, 128, 256, 256, MLP },
    { "256->128", "Y=XW",      OP_NN, 128, 256, 128, MLP },
    { "128->10",  "Y=XW",      OP_NN, 128, 128,  10, MLP },
    { "784->256", "dW=X^T dY", OP_TN, 784, 128, 256, MLP },
    { "256->256", "dW=X^T dY", OP_TN, 256, 128, 256, MLP },
    { "256->128", "dW=X^T dY", OP_TN, 256, 128, 128, MLP },
    { "128->10",  "dW=X^T dY", OP_TN, 128, 128,  10, MLP },
    { "784->256", "dX=dY W^T", OP_NT, 128, 256, 784, MLP },
    { "256->256", "dX=dY W^T", OP_NT, 128, 256, 256, MLP },
    { "256->128", "dX=dY W^T", OP_NT, 128, 128, 256, MLP },
    { "128->10",  "dX=dY W^T", OP_NT, 128,  10, 128, MLP },
    /* The CNN: its second conv layer (32 -> 64 channels, 3 x 3, on 13 x 13:
       288 rows, 121 positions) per image, Z = W^T col, dW += col dZ^T and
       dcol = W dZ; its dense layers per batch of 64. */
    { "conv2",    "Z=W^T col", OP_TN,   64, 288, 121, MODEL_CNN, CNN_IMAGES },
    { "conv2",    "dW=col dZ^T", OP_NT, 288, 121,  64, MODEL_CNN, CNN_IMAGES },
    { "conv2",    "dcol=W dZ", OP_NN,  288,  64, 121, MODEL_CNN, CNN_IMAGES },
    { "1600->128", "Y=XW",     OP_NN,   64, 1600, 128, MODEL_CNN, CNN_BATCHES },
    { "1600->128", "dW=X^T dY", OP_TN, 1600,  64, 128, MODEL_CNN, CNN_BATCHES },
    { "1600->128", "dX=dY W^T", OP_NT,  64, 128, 1600, MODEL_CNN, CNN_BATCHES },
    { "128->10",  "Y=XW",      OP_NN,   64, 128,  10, MODEL_CNN, CNN_BATCHES },
    { "128->10",  "dW=X^T dY", OP_TN,  128,  64,  10, MODEL_CNN, CNN_BATCHES },
    { "128->10",  "dX=dY W^T", OP_NT,   64,  10, 128, MODEL_CNN, CNN_BATCHES },
    { "square",   "C=AB",      OP_NN, 1024, 1024, 1024, MODEL_SQUARE, 0.0 },
};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *op_name(op_t op)
{
    return op == OP_NN ? "matmul" : op == OP_NT ? "matmul_nt" : "matmul_tn";
}

static void run_initnn(const bench_case *c, float *C, const float *A, const float *B)
{
    switch (c->op) {
    case OP_NN: initnn_matmul(C, A, B, c->M, c->K, c->N, 0); break;
    case OP_NT: initnn_matmul_nt(C, A, B, c->M, c->K, c->N, 0); break;
    case OP_TN: initnn_matmul_tn(C, A, B, c->M, c->K, c->N, 0); break;
    }
}

static void run_openblas(const bench_case *c, float *C, const float *A, const float *B)
{
    /* Row-major; A is (M, K) or, for TN, stored (K, M); B is (K, N) or,
       for NT, stored (N, K). */
    switch (c->op) {
    case OP_NN:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c->M, c->N, c->K,
                    1.0f, A, c->K, B, c->N, 0.0f, C, c->N);
        break;
    case OP_NT:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, c->M, c->N, c->K,
                    1.0f, A, c->K, B, c->K, 0.0f, C, c->N);
        break;
    case OP_TN:
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, c->M, c->N, c->K,
                    1.0f, A, c->M, B, c->N, 0.0f, C, c->N);
        break;
    }
}

static void run_naive(const bench_case *c, float *C, const float *A, const float *B)
{
    switch (c->op) {
    case OP_NN: initnn_matmul_naive(C, A, B, c->M, c->K, c->N, 0); break;
    case OP_NT: initnn_matmul_nt_naive(C, A, B, c->M, c->K, c->N, 0); break;
    case OP_TN: initnn_matmul_tn_naive(C, A, B, c->M, c->K, c->N, 0); break;
    }
}

/* Largest |C - ref| / (|A| |B|)_ij over the elements: the error of each dot
   product relative to the sum of the magnitudes of its terms, the quantity
   that the rounding-error bound of a float sum of K terms (about K 2^-24 at
   worst, far less in practice) applies to. */
static double max_rel_error(const float *C, const float *ref, const float *mag, size_t n)
{
    double worst = 0.0;
    size_t i;
    for (i = 0; i < n; i++) {
        double d = fabs((double)C[i] - (double)ref[i]);
        double scale = (double)mag[i] > 1e-30 ? (double)mag[i] : 1e-30;
        if (!(d / scale <= worst)) worst = d / scale;   /* catches NaN too */
    }
    return worst;
}

typedef void (*product_fn)(const bench_case *, float *, const float *, const float *);

/* Repetitions of fn that last about min_seconds (after a warm-up call). */
static long calibrate(product_fn fn, const bench_case *c, float *C, const float *A,
                      const float *B, double min_seconds)
{
    long reps = 1, r;
    double t0, t;
    fn(c, C, A, B);
    for (;;) {
        t0 = now_seconds();
        for (r = 0; r < reps; r++) fn(c, C, A, B);
        t = now_seconds() - t0;
        if (t >= 0.05 * min_seconds) break;
        reps *= 4;
    }
    return (long)((double)reps * min_seconds / t) + 1;
}

/* Seconds per call of one run: the product repeated until at least
   min_seconds have passed. */
static double one_run(product_fn fn, const bench_case *c, float *C, const float *A,
                      const float *B, long reps, double min_seconds)
{
    double t0 = now_seconds(), elapsed;
    long done = 0, r;
    do {
        for (r = 0; r < reps; r++) fn(c, C, A, B);
        done += reps;
        elapsed = now_seconds() - t0;
    } while (elapsed < min_seconds);
    return elapsed / (double)done;
}

/* Best seconds per call of initnn and of OpenBLAS over `runs` runs each. The
   runs alternate between the two, so that a burst of load from elsewhere on
   the machine does not fall on one of them only. */
static void time_pair(const bench_case *c, float *C, const float *A, const float *B,
                      int runs, double min_seconds, double *t_init, double *t_blas)
{
    long reps_init = calibrate(run_initnn, c, C, A, B, min_seconds);
    long reps_blas = calibrate(run_openblas, c, C, A, B, min_seconds);
    int run;
    *t_init = *t_blas = 1e300;
    for (run = 0; run < runs; run++) {
        double t = one_run(run_initnn, c, C, A, B, reps_init, min_seconds);
        if (t < *t_init) *t_init = t;
        t = one_run(run_openblas, c, C, A, B, reps_blas, min_seconds);
        if (t < *t_blas) *t_blas = t;
    }
}

static float *alloc_floats(size_t n)
{
    float *p = (float *)malloc((n ? n : 1) * sizeof(float));
    if (!p) {
        fprintf(stderr, "bench_matmul: out of memory\n");
        exit(2);
    }
    return p;
}

int main(void)
{
    const int ncases = (int)(sizeof cases / sizeof cases[0]);
    const char *env;
    int runs = 5, failures = 0, i, nmlp = 0;
    double min_seconds = 0.2, min_ratio = 1e300, log_ratio_sum = 0.0;
    double cnn_flops = 0.0, cnn_init = 0.0, cnn_blas = 0.0, square_gflops = 0.0;
    initnn_rng rng;
    if ((env = getenv("BENCH_RUNS")) != NULL && atoi(env) > 0) runs = atoi(env);
    if ((env = getenv("BENCH_MIN_SECONDS")) != NULL && atof(env) > 0.0) min_seconds = atof(env);

    openblas_set_num_threads(1);
    printf("build:    %s\n", BENCH_BUILD);
#if defined(__clang__)
    printf("compiler: clang %s\n", __clang_version__);
#elif defined(__GNUC__)
    printf("compiler: gcc %s\n", __VERSION__);
#endif
#if defined(INITNN__AVX512)
    printf("initnn:   AVX-512 kernel\n");
#elif defined(INITNN__AVX2)
    printf("initnn:   AVX2+FMA kernel\n");
#else
    printf("initnn:   portable C kernel (auto-vectorized by the compiler)\n");
#endif
    printf("OpenBLAS: %s, core %s, 1 thread\n", OPENBLAS_VERSION, openblas_get_corename());
    printf("timing:   best of %d runs of >= %.2f s each\n\n", runs, min_seconds);
    printf("%-5s %-9s %-11s %-10s %14s %9s %9s %7s  %-9s %-9s\n", "model", "layer", "product", "call",
           "M x K x N", "initnn", "OpenBLAS", "ratio", "err init", "err BLAS");
    printf("%-5s %-9s %-11s %-10s %14s %9s %9s %7s\n", "", "", "", "", "", "GFLOPS", "GFLOPS", "");

    initnn_rng_seed(&rng, 2026);
    for (i = 0; i < ncases; i++) {
        const bench_case *c = &cases[i];
        size_t na = (size_t)c->M * c->K, nb = (size_t)c->K * c->N, nc = (size_t)c->M * c->N, j;
        float *A = alloc_floats(na), *B = alloc_floats(nb), *C = alloc_floats(nc);
        float *ref = alloc_floats(nc), *mag = alloc_floats(nc);
        float *absA = alloc_floats(na), *absB = alloc_floats(nb);
        double flops = 2.0 * c->M * c->K * c->N, t_init, t_blas, e_init, e_blas, ratio, tol;
        char shape[32];

        for (j = 0; j < na; j++) A[j] = 2.0f * initnn_rng_uniform(&rng) - 1.0f;
        for (j = 0; j < nb; j++) B[j] = 2.0f * initnn_rng_uniform(&rng) - 1.0f;
        for (j = 0; j < na; j++) absA[j] = fabsf(A[j]);
        for (j = 0; j < nb; j++) absB[j] = fabsf(B[j]);
        run_naive(c, ref, A, B);
        run_naive(c, mag, absA, absB);

        /* Garbage in C first: overwrite mode must not read it. */
        for (j = 0; j < nc; j++) C[j] = NAN;
        run_initnn(c, C, A, B);
        e_init = max_rel_error(C, ref, mag, nc);
        for (j = 0; j < nc; j++) C[j] = NAN;
        run_openblas(c, C, A, B);
        e_blas = max_rel_error(C, ref, mag, nc);

        /* A float sum of K terms errs by at most about K 2^-24 relative to
           the sum of magnitudes (plus one rounding of the result). */
        tol = (2.0 * c->K + 4.0) * ldexp(1.0, -24);
        if (!(e_init <= tol)) {
            fprintf(stderr, "bench_matmul: WRONG RESULT from initnn_%s %dx%dx%d: "
                    "max relative error %.3g > %.3g\n", op_name(c->op), c->M, c->K, c->N, e_init, tol);
            failures++;
        }
        if (!(e_blas <= tol)) {
            fprintf(stderr, "bench_matmul: WRONG RESULT from cblas_sgemm %dx%dx%d: "
                    "max relative error %.3g > %.3g\n", c->M, c->K, c->N, e_blas, tol);
            failures++;
        }

        time_pair(c, C, A, B, runs, min_seconds, &t_init, &t_blas);
        ratio = t_blas / t_init;
        if (c->model == MODEL_CNN) {
            cnn_flops += c->per_epoch * flops;
            cnn_init += c->per_epoch * t_init;
            cnn_blas += c->per_epoch * t_blas;
        }
        if (c->model == MODEL_SQUARE) square_gflops = flops / t_init * 1e-9;
        if (c->model == MODEL_MLP) {
            if (ratio < min_ratio) min_ratio = ratio;
            log_ratio_sum += log(ratio);
            nmlp++;
        }
        sprintf(shape, "%dx%dx%d", c->M, c->K, c->N);
        printf("%-5s %-9s %-11s %-10s %14s %9.1f %9.1f %6.2fx  %-9.2g %-9.2g\n",
               c->model == MODEL_MLP ? "mlp" : c->model == MODEL_CNN ? "cnn" : "-", c->layer, c->what,
               op_name(c->op), shape, flops / t_init * 1e-9, flops / t_blas * 1e-9, ratio,
               e_init, e_blas);
        fflush(stdout);
        free(A); free(B); free(C); free(ref); free(mag); free(absA); free(absB);
    }
    printf("\nMLP products: initnn/OpenBLAS lowest %.2fx, geometric mean %.2fx\n",
           min_ratio, exp(log_ratio_sum / nmlp));
    printf("(ratio = OpenBLAS time / initnn time; err = max |C - ref| / (|A||B|) per element)\n");
    /* The first conv layer's flops at the square product's rate, the
       fastest here: a floor no lower than the products allow. */
    printf("CNN epoch's products: %.0f GFLOP in %.2f s at initnn's rates above (OpenBLAS's: %.2f s);\n",
           cnn_flops * 1e-9, cnn_init, cnn_blas);
    printf("with its first conv layer's %.0f GFLOP at the square's %.0f GFLOPS: cnn_products_seconds %.2f\n",
           CNN_IMAGES * CNN_FIRST_LAYER_FLOPS * 1e-9, square_gflops,
           cnn_init + CNN_IMAGES * CNN_FIRST_LAYER_FLOPS / (square_gflops * 1e9));
    if (failures) {
        fprintf(stderr, "bench_matmul: %d WRONG RESULT(S)\n", failures);
        return 1;
    }
    return 0;
}
