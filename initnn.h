/* initnn.h - v0.2.0 - weight initialization and the training it shapes, in one C99 header
   public domain or MIT, your choice (see the end of the file)

   initnn is a small neural-network library written to study how the initial
   weights decide whether a network trains: every initializer of the
   literature, the matrix products and layers needed to train a dense net, and
   diagnostics that show variance, gradients and saturation layer by layer.

   Do this:
      #define INITNN_IMPLEMENTATION
   before you include this file in *one* C or C++ file to create the
   implementation. Every other file includes it without the define.

      // i.e. it should look like this:
      #include ...
      #define INITNN_IMPLEMENTATION
      #include "initnn.h"

   Build: the header needs the C99 standard library and libm only.
      cc -O2 myprog.c -lm
   Add -fopenmp to spread the matrix products and the layers' per-sample
   loops over cores (the results do not depend on the number of threads;
   initnn_net_train falls back to one thread while another process holds a
   core, when that is faster), and -march=native to let the compiler use
   the CPU's widest vector instructions.

   QUICK START

      initnn_rng rng;
      float *w = (float *)malloc(784 * 256 * sizeof(float));
      initnn_rng_seed(&rng, 42);
      if (initnn_init_fill(w, 784, 256, "he_normal", &rng) != 0)
          report_error(initnn_last_error());   // your code: initnn never prints

   CONFIGURATION (define before the include that has INITNN_IMPLEMENTATION)

      INITNN_MALLOC(size), INITNN_FREE(ptr)
                        the allocator; define both or neither.
      INITNN_ASSERT(x)  internal consistency checks (default: assert.h), such
                        as a layer's input width matching the layer before it.
                        Bad input never reaches an assert: it is an error code.
      INITNN_STATIC     make every function static to the including file.
      INITNN_REFERENCE  run the whole library on its lessons' plain loops:
                        the naive triple-loop products, the direct sums of
                        a convolution, scalar Adam, no intrinsics, no OpenMP
                        (section 16 is not compiled). Results agree with the
                        default build to float rounding; a training epoch
                        takes 60 to 80 times as long (make bench prints
                        both): the lesson of section 16.
      INITNN_NO_SIMD    use the portable loops even where AVX2/FMA is enabled.
      INITNN_NO_AVX512  use the AVX2 matrix-product kernel even where
                        AVX-512F is enabled (-march=native on a CPU with
                        AVX-512 picks the AVX-512 one by default).
      INITNN_WITH_STB   compile section 15 (images), which needs stb_image.
      INITNN_NO_POSIX   do not use the POSIX calls of section 1 (fsync,
                        the permission bits, the regular-file check) even
                        on a POSIX system: C stdio alone.
      INITNN_TEST_TEMP_NAMES
                        for tests: initnn_file_begin tries its temporary
                        names in a fixed order (PATH.tmp-S1, S2, ... with
                        the same S1, S2 for every path) instead of
                        pseudo-random ones, so that a test can plant a
                        symbolic link where the writer will look.

   CONVENTIONS

      - A dense layer computes Y = X W + b. X is (batch, fan_in), W is
        (fan_in, fan_out), Y is (batch, fan_out); every matrix is float32,
        row-major, contiguous.
      - Parameter order: the object a function acts on first (the net, the
        generator), then the outputs, then the inputs, then the sizes:
        initnn_matmul(C, A, B, M, K, N, accumulate),
        initnn_conv_fans(&fan_in, &fan_out, c_in, c_out, k_h, k_w),
        initnn_net_evaluate(net, &loss, &metric, data). One exception:
        secondary results that a caller may not want, passed as pointers
        that may be NULL, come last: the loss of initnn_net_backward and
        initnn_net_train_batch (and its grad_norm), the epoch count of
        initnn_net_train, the iteration counts of initnn_lsuv.
      - A spec string's parameters come in the order of its function's:
        "random_normal:std,mean" is initnn_random_normal(w, n, std, mean, rng).
      - Sizes: the length of a flat array of numbers (n, the element count of
        a weight matrix or a histogram's input) is size_t; every other size
        -- a dimension, fan, batch, count of samples, layers, bins or names --
        is int, and a product of dimensions above INITNN_MAX_ELEMENTS is
        INITNN_ERR_OVERFLOW.
      - Functions that can fail return int: 0 on success, a negative
        INITNN_ERR_* code otherwise, and initnn_last_error() then says what
        was wrong and names the bad value. On failure nothing the caller
        passed in has been modified.
        Exceptions, each with initnn_last_error() set when it fails:
          initnn_net_forward       returns the output, or NULL
          initnn_net_loss,         return the loss, or NaN (a bad label, no
          initnn_softmax_cross_entropy   forward before); nothing written
          initnn_gain, initnn_gain_numeric   return the gain, or 0 for an
                                   unknown activation
          initnn_theory_first_bad_layer   returns a layer index, or -1 (none:
                                   not an error)
        and a failure changes these, and nothing else, as said here:
          initnn_net_from_arch, initnn_net_load   set *out to NULL
          initnn_npy_read          sets *data to NULL (ndim, shape untouched)
          initnn_make_*, initnn_load_*   leave *out all zero, so that
                                   initnn_data_free(out) is always safe (a
                                   set already in *out is not freed first)
          initnn_net_step          a step that makes a weight non-finite is
                                   undone: weights and step count are
                                   restored; the optimizer's moments keep
                                   the failed update (reset the optimizer
                                   before stepping again), the gradients
                                   stay clipped, and the weights-before
                                   record is the restored weights
          initnn_net_train_batch   on a non-finite loss or gradient: no
                                   update, but the gradients and *loss are
                                   the failed batch's
          initnn_net_train         stops at a NaN or Inf mid-run keeping
                                   every step before it (weights, optimizer,
                                   generator); *epochs_run says how many
                                   epochs completed
          initnn_lsuv, initnn_net_train, initnn_net_train_batch
                                   when they fail after a forward pass, the
                                   layers' activation buffers and the record
                                   of the last forward (what
                                   initnn_net_backward differentiates) are
                                   those of that pass
        and the plain loops -- the products, activations, losses and layer
        passes, the plain initializer functions, the statistics -- are void
        or return their value without checking: they trust the sizes they
        are given, which the spec functions and the net check first.
      - Randomness comes only from an initnn_rng the caller owns; there is no
        hidden global generator. The same seed gives the same bits on every
        platform and compiler (see the RNG section for the fine print).
      - The library never prints, never exits, never aborts on bad input.

   HOW TO READ IT

   The sections follow a lecture: numbers, then initializers, then the
   layers, losses and optimizers they feed, then what to measure and what
   theory predicts. In the implementation each section is the lesson: every
   layer, loss and optimizer is the plain loop of its formula, with the
   formula beside it, forward and backward side by side. What makes those
   loops fast (packed matrix products and their micro-kernels, vector lanes,
   OpenMP) stands apart in the last section, 16. Fast paths, reached from a
   lesson through one named call marked "16. Fast paths". Read sections 1-15
   for the lesson and skip 16; define INITNN_REFERENCE to run the library on
   exactly the code you read.

   WHERE THE FORMULAS ARE: search for the tag in brackets; its second hit
   (after this list) is the code, with the formula beside it.

      [variance_scaling] Var(W) = scale / n, every named initializer's rule
      [glorot]        Var(W) = 2 / (fan_in + fan_out)
      [he]            Var(W) = 2 / ((1 + a^2) fan_in)
      [dense]         Z = X W + b and its backward dW = X^T dZ, dX = dZ W^T
      [conv]          a convolution's sums, forward and backward
      [conv_fans]     fan_in = c_in k_h k_w
      [pool]          max and average pooling
      [softmax_xent]  softmax cross-entropy and its gradient (p - y) / B
      [sgd] [adam] [rmsprop]
                      the updates; Adam with its bias correction
      [mean_field]    q_l = sigma_w^2 E[phi(z)^2] + sigma_b^2 (Poole et al. 2016)
      [batchnorm]     batch normalization, forward and backward
      [residual]      z = x P + alpha F(x), a residual block's add
      [delta_orthogonal] [fixup]
                      the inits made for CNNs and residual nets
      [residual_theory]
                      a residual stack's second moment, (1 + c)^L

   CONTENTS (sections of the declarations and of the implementation, in the
   order a lecture introduces them)

       1. Errors and configuration   error codes, initnn_last_error, file helpers
       2. Random numbers      PCG32, uniform, normal (polar method), truncated normal
       3. Arrays and matrix products
                              C = A B, C = A B^T, C = A^T B (optionally C += ...),
                              their naive references, array statistics, histograms
       4. Initializers        zeros, constant, random normal/uniform, truncated
                              normal, Glorot/Xavier, He/Kaiming, LeCun, variance
                              scaling with fan modes, orthogonal, sparse,
                              identity, framework presets; spec strings; gains
       5. Activations         identity, ReLU, leaky ReLU, tanh, sigmoid, softmax, SELU
       6. Losses and metrics  softmax cross-entropy (fused), MSE, accuracy, MAE
       7. Layers and the network
                              dense, dropout, conv2d (im2col), max/avg pooling,
                              flatten, batch and layer normalization, residual
                              blocks; the sequential net and its arch grammar
       8. Optimizers          SGD (momentum, Nesterov), Adam (two epsilon forms),
                              RMSProp, weight decay, gradient clipping
       9. Diagnostics         per-layer moments, ReLU zeros and dead units,
                              saturation, gradient norms, update ratios
      10. Signal-propagation theory
                              activation moments, predicted vs measured second
                              moments, edge of chaos, depth scales, Jacobian spectra
      11. Training loop       batches, epochs, validation, early stopping, LSUV
      12. Data                generated sets, IDX (MNIST), CSV, CIFAR, z-scoring
      13. Checkpoints and .npy
      14. Plots (SVG)
      15. Images (optional, INITNN_WITH_STB: stb_image)
      16. Fast paths          (implementation only) packed GEMM with AVX-512 /
                              AVX2 / portable micro-kernels, convolution as
                              im2col and one product, pooling selects, a conv
                              layer and its pool per sample in cache, Adam
                              in vector lanes; absent with INITNN_REFERENCE

   REVISION HISTORY

      0.2.0  (2026-12-06)  The lessons first, the fast paths apart (section
                           16) and INITNN_REFERENCE; a layer keeps its parsed
                           specs, "lsuv" is a spec kind, initnn_layer_fans,
                           initnn_suggest. Parameter order made one rule
                           (CONVENTIONS), which changes: initnn_random_normal
                           and initnn_truncated_normal (std before mean, as
                           their specs), initnn_conv_fans, initnn_data_batch,
                           initnn_data_split, initnn_standardize_fit,
                           initnn_init_spec_moments, initnn_net_evaluate,
                           initnn_net_diagnose, initnn_net_jacobian,
                           initnn_npy_read, initnn_theory_predict,
                           initnn_theory_compare, initnn_theory_fixed_point
                           (outputs before inputs).
      0.1.0  (2026-11-26)  RNG, matrix products, initializers, training engine,
                           convolutions, signal-propagation theory, data,
                           checkpoints, plots, images.
*/

#ifndef INITNN_H_INCLUDED
#define INITNN_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define INITNN_VERSION "0.2.0"

#ifdef INITNN_STATIC
#define INITNNDEF static
#else
#define INITNNDEF extern
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ============================================================================
   1. Errors and configuration
   ========================================================================= */

/* Every fallible function returns 0 (INITNN_OK) or one of these. */
enum {
    INITNN_OK = 0,
    INITNN_ERR_ARGUMENT = -1,  /* a NULL pointer, a size <= 0, a bad number   */
    INITNN_ERR_SPEC = -2,      /* a spec string that does not parse           */
    INITNN_ERR_MEMORY = -3,    /* an allocation failed                        */
    INITNN_ERR_OVERFLOW = -4,  /* a product of sizes does not fit             */
    INITNN_ERR_IO = -5,        /* a file could not be opened, read or written */
    INITNN_ERR_FORMAT = -6,    /* a file's contents are malformed             */
    INITNN_ERR_NONFINITE = -7  /* a NaN or Inf appeared                       */
};

/* The largest number of elements in one array. Dimensions are ints (see
   CONVENTIONS), so an index always fits; a product of dimensions beyond this
   is INITNN_ERR_OVERFLOW, never a wrap-around or a huge allocation. */
#define INITNN_MAX_ELEMENTS 2147483647

/* The message of the last error: which function, which value, why. "" when
   no error has happened. The message is kept per thread where the compiler
   has thread-local storage (C11 _Thread_local, C++11 thread_local, gcc's and
   clang's __thread, MSVC's __declspec(thread)); elsewhere (tcc) there is one
   message for the whole process, which a failure on another thread
   overwrites. The string stays valid until the next failing call. */
INITNNDEF const char *initnn_last_error(void);

/* Clears the message (initnn_last_error() returns "" afterwards). */
INITNNDEF void initnn_clear_error(void);

/* All-or-nothing writing: every file the library writes (checkpoint, .npy,
   SVG, PNG) goes through these, and programs can use them for their own
   (initlab writes its CSV and markdown with them). PATH is either its old
   content or the complete new one, never a mix, never a truncated file:

      initnn_file out;
      if (initnn_file_begin(&out, "log.csv") != 0) fail(initnn_last_error());
      fprintf(out.stream, "epoch,loss\n");           // any stdio writes
      if (initnn_file_commit(&out) != 0) fail(initnn_last_error());

   initnn_file_begin creates a new temporary beside PATH (same directory,
   so the final rename is atomic), named PATH.tmp-XXXXXXXX with eight
   pseudo-random hex digits; it is created exclusively: a name that exists
   in any form, a symbolic link included, is never opened, and another name
   is tried (up to 64). The exclusive creation is C11's fopen mode "x",
   which glibc, musl, the BSDs, macOS and Windows' UCRT provide in C99 code
   too; on another POSIX system it is open(O_CREAT | O_EXCL); on anything
   else the name is probed first (not atomic: a race with a process that
   creates the same random name in between remains).
   initnn_file_commit checks every buffered write (ferror), flushes, syncs
   the data to the disk (fsync, on POSIX systems), gives the temporary the
   old file's permission bits (POSIX), closes and renames it over PATH. Two
   writers to one path each write their own temporary, so PATH ends up as
   one of the two complete files. On any failure the temporary is removed,
   PATH keeps its old content, and the error (INITNN_ERR_IO) names the
   path and the reason (strerror). initnn_file_abort removes the temporary
   without touching PATH; after begin, exactly one of commit or abort must
   be called. A caller that detects its own failure may set error to an
   errno value (or -1) before commit, which then aborts with that reason. */
typedef struct initnn_file {
    FILE *stream;       /* write here between begin and commit                 */
    char *path;         /* a copy of PATH (owned, freed by commit/abort)       */
    char *temp_path;    /* the temporary's name (in the same allocation)       */
    int error;          /* 0, or the caller's own failure (errno, or -1)       */
} initnn_file;

INITNNDEF int initnn_file_begin(initnn_file *file, const char *path);
INITNNDEF int initnn_file_commit(initnn_file *file);
INITNNDEF void initnn_file_abort(initnn_file *file);

/* Whether PATH could be written by initnn_file_begin/commit now: creates
   and removes a temporary beside it. 0, or INITNN_ERR_IO with the reason
   (a missing or read-only directory, PATH a directory). Programs call it
   before long work whose results would otherwise be lost at the end. */
INITNNDEF int initnn_file_check_writable(const char *path);

/* ============================================================================
   2. Random numbers

   Generator: PCG32 (O'Neill 2014, "PCG: A Family of Simple Fast
   Space-Efficient Statistically Good Algorithms for Random Number
   Generation"), the pcg32_random_r variant XSH-RR with 64-bit state, exactly
   as in the reference pcg_basic.c. initnn_rng_seed(&rng, s) is
   pcg32_srandom_r(&rng, s, 54), so seed 42 gives the reference demo's
   sequence 0xa15c02b7, 0x7b47f409, 0xba1d3330, ...

   Normal variates: the Marsaglia polar method (Marsaglia & Bray 1964), exact
   up to rounding, with the second variate of each pair kept in the struct.
   It needs one logarithm; initnn computes it itself (no libm call), so the
   draws do not depend on the platform's libm. The arithmetic is IEEE-754
   double and the results are rounded to float. Bits are identical across
   platforms and compilers provided the compiler does not fuse a*b+c into an
   FMA in this code (gcc/clang only do so with -march flags that enable FMA
   together with -ffp-contract=fast; pass -ffp-contract=off to be certain).
   ========================================================================= */

typedef struct initnn_rng {
    uint64_t state;      /* PCG32 state                                       */
    uint64_t inc;        /* PCG32 stream selector, always odd                 */
    int has_spare;       /* the polar method makes normals in pairs           */
    double spare;
} initnn_rng;

/* Seeds the generator: pcg32_srandom_r(rng, seed, 54). */
INITNNDEF void initnn_rng_seed(initnn_rng *rng, uint64_t seed);

/* Seeds with an explicit stream: pcg32_srandom_r(rng, seed, stream). Two
   streams with the same seed are independent sequences. */
INITNNDEF void initnn_rng_seed_stream(initnn_rng *rng, uint64_t seed, uint64_t stream);

/* The next 32 random bits. */
INITNNDEF uint32_t initnn_rng_u32(initnn_rng *rng);

/* Uniform integer in [0, n), n >= 1, without modulo bias (rejection as in
   pcg32_boundedrand_r). */
INITNNDEF uint32_t initnn_rng_below(initnn_rng *rng, uint32_t n);

/* Uniform float in [0, 1): the top 24 bits of one draw times 2^-24, so every
   representable multiple of 2^-24 is equally likely. */
INITNNDEF float initnn_rng_uniform(initnn_rng *rng);

/* Uniform double in [0, 1) with 53 random bits (two draws). */
INITNNDEF double initnn_rng_uniform_double(initnn_rng *rng);

/* Standard normal N(0, 1), polar method, in double precision. */
INITNNDEF double initnn_rng_normal_double(initnn_rng *rng);

/* Standard normal N(0, 1) rounded to float. */
INITNNDEF float initnn_rng_normal(initnn_rng *rng);

/* Normal N(0, 1) restricted to [-bound, bound] by redrawing every sample
   outside it (bound > 0; for bound = 2, 1 - erf(sqrt 2) = 4.6% of draws
   are redrawn). Its standard deviation is below 1: 0.87962566103423978
   for bound 2 (tutorial step 20 derives and prints it; tests/test_rng.c
   checks it). */
INITNNDEF float initnn_rng_truncated_normal(initnn_rng *rng, float bound);

/* Fisher-Yates shuffle of perm[0..n-1] in place (Knuth vol. 2, Algorithm P). */
INITNNDEF void initnn_rng_shuffle(initnn_rng *rng, int *perm, int n);

/* ============================================================================
   3. Arrays and matrix products

   Shapes follow the math: A is (M, K), B is (K, N), C is (M, N), all
   row-major. Each product overwrites C, or adds to it when accumulate != 0
   (backprop sums gradients over a batch and over layers that share inputs).

   The fast versions are built like GotoBLAS/BLIS: packed panels of B (and
   of A where that pays), cache blocking, and a register-tiled micro-kernel.
   The portable kernel is plain C that gcc and clang vectorize at -O2/-O3;
   where the compiler targets AVX2 and FMA (-mavx2 -mfma, -march=haswell and
   later) a hand-written kernel is used, and an AVX-512 one where AVX-512F is
   enabled too (INITNN_NO_AVX512 keeps the AVX2 kernel, INITNN_NO_SIMD the
   portable one). On one core they run at about the speed of OpenBLAS on the
   shapes of an MLP (bench/README.md). They allocate nothing but use about
   400 KiB of stack. C must not overlap A or B. With -fopenmp tiles of C are
   shared between threads; each element of C is always computed by the same
   sequence of operations, so the result does not depend on the number of
   threads. Their results differ from the naive references only by the
   rounding of a different summation order (float sums over blocks of at
   most 256 terms of k, in order).
   ========================================================================= */

/* C = A B (or C += A B).  A is (M, K), B is (K, N), C is (M, N).
   The forward pass of a dense layer: Y = X W. */
INITNNDEF void initnn_matmul(float *C, const float *A, const float *B,
                             int M, int K, int N, int accumulate);

/* C = A B^T (or +=).  A is (M, K), B is (N, K), C is (M, N).
   Backprop to the inputs of a dense layer: dX = dY W^T. */
INITNNDEF void initnn_matmul_nt(float *C, const float *A, const float *B,
                                int M, int K, int N, int accumulate);

/* C = A^T B (or +=).  A is (K, M), B is (K, N), C is (M, N).
   Backprop to the weights of a dense layer: dW = X^T dY. */
INITNNDEF void initnn_matmul_tn(float *C, const float *A, const float *B,
                                int M, int K, int N, int accumulate);

/* The algorithmic references: one triple loop each, summing over k in order
   in double precision. Slow, obviously right; the tests compare against them. */
INITNNDEF void initnn_matmul_naive(float *C, const float *A, const float *B,
                                   int M, int K, int N, int accumulate);
INITNNDEF void initnn_matmul_nt_naive(float *C, const float *A, const float *B,
                                      int M, int K, int N, int accumulate);
INITNNDEF void initnn_matmul_tn_naive(float *C, const float *A, const float *B,
                                      int M, int K, int N, int accumulate);

/* Summary statistics of an array, accumulated in double precision.
   variance is the population variance  (1/n) sum (x - mean)^2  (two-pass),
   second_moment is  (1/n) sum x^2 : for ReLU networks the second moment, not
   the variance, is what He et al. (2015) keep constant from layer to layer. */
typedef struct initnn_stats {
    double mean;
    double variance;
    double second_moment;
    double min;
    double max;
    size_t count;
    size_t zeros;        /* elements exactly 0.0f                             */
    size_t nonfinite;    /* NaN or +-Inf elements (excluded from the above)   */
} initnn_stats;

/* Fills *out with the statistics of x[0..n-1]. n may be 0 (all fields 0).
   Any float input is safe: NaN and +-Inf are counted in nonfinite and left
   out of every other field (all 0 when no element is finite); the sums run
   in double, where even n copies of FLT_MAX squared stay finite.
   initnn_mean, initnn_variance and initnn_second_moment are its fields. */
INITNNDEF void initnn_stats_compute(initnn_stats *out, const float *x, size_t n);

INITNNDEF double initnn_mean(const float *x, size_t n);
INITNNDEF double initnn_variance(const float *x, size_t n);
INITNNDEF double initnn_second_moment(const float *x, size_t n);

/* Counts x[0..n-1] into bins equal-width bins over [lo, hi); values below lo
   go to bin 0, values at or above hi to the last bin, NaN nowhere. A
   value's bin is computed in double, (x - lo) / width: one within rounding
   of an edge (relative 1e-16 of the range) may count in the next bin.
   Any float input is safe: -inf counts in bin 0, +inf in the last bin, NaN
   in none (so the counts sum to n minus the NaNs). lo and hi must be finite
   (a bin of infinite width has no meaning): initnn_histogram(counts, 8, w,
   16, -INFINITY, INFINITY) is an error and leaves counts untouched.
   Returns INITNN_ERR_ARGUMENT if bins < 1, lo >= hi, lo or hi is not
   finite (NaN included), or a pointer is NULL. */
INITNNDEF int initnn_histogram(size_t *counts, int bins, const float *x, size_t n,
                               float lo, float hi);

/* ============================================================================
   4. Initializers

   W is (fan_in, fan_out): row i holds the weights leaving input i, column j
   the weights entering output unit j. Every initializer exists as its own
   function and under a spec string, and every spec string goes through
   initnn_init_fill (tests, examples, the tutorial and the command line all
   share it). Specs are  name[:p1[,p2[,p3]]] , lower case:

      zeros | ones | constant:c
      random_normal[:std[,mean]]        N(mean, std^2)        default 0.05, 0
      random_uniform[:lo,hi]            U(lo, hi)             default -0.05, 0.05
      truncated_normal[:std[,mean]]     N(mean, std^2) redrawn beyond 2 std
      glorot_normal[:gain]  = xavier_normal    N(0, gain^2 2/(fan_in+fan_out))
      glorot_uniform[:gain] = xavier_uniform   U(+-gain sqrt(6/(fan_in+fan_out)))
      he_normal[:a]  = kaiming_normal[:a]      N(0, 2/((1+a^2) fan_in))
      he_uniform[:a] = kaiming_uniform[:a]     U(+-sqrt(6/((1+a^2) fan_in)))
      lecun_normal | lecun_uniform             N(0, 1/fan_in) | U(+-sqrt(3/fan_in))
         Every one of these takes a last parameter fan_in, fan_out or fan_avg
         for the n of its variance (he_normal:0,fan_out is PyTorch's
         kaiming_normal_(mode='fan_out'); glorot_uniform:1,fan_in ...).
      variance_scaling:scale,mode,distribution
                       mode fan_in|fan_out|fan_avg,
                       distribution normal|truncated_normal|uniform
      orthogonal[:gain]                 QR of a Gaussian matrix, times gain
      sparse[:k[,std]]                  k nonzero N(0, std^2) inputs per unit
      identity[:gain]                   gain on the diagonal
      lsuv                              orthogonal now; initnn_lsuv rescales each
                                        layer on data (Mishkin & Matas 2016)
      delta_orthogonal[:gain]           conv: orthogonal at the centre tap, 0
                                        elsewhere (Xiao et al. 2018); dense:
                                        orthogonal
      fixup[:a] | skipinit[:a] | rezero[:a]
                                        He normal now, then the net's rule for
                                        residual blocks (initnn_net_fixup,
                                        initnn_net_skipinit; section 7)

   Framework defaults, each a kernel spec with a bias policy (the bias a
   layer gets when no bias spec is given, see initnn_default_bias):
      torch_default   PyTorch nn.Linear / nn.Conv2d reset_parameters (torch
                      1.x and 2.x): kaiming_uniform_(a = sqrt 5), i.e.
                      U(+-sqrt(6 / ((1 + 5) fan_in))) = U(+-1/sqrt(fan_in)),
                      Var = 1 / (3 fan_in) -- a third of He's variance, not
                      He; bias U(+-1/sqrt(fan_in)), the same spec on the bias.
      keras_default   Keras Dense / Conv2D (Keras 2 and 3): glorot_uniform,
                      bias zeros.
      flax_default    Flax linen Dense / Conv (flax 0.7-0.8): lecun_normal,
                      which in jax.nn.initializers is variance_scaling(1,
                      "fan_in", "truncated_normal"): std sqrt(1/fan_in) /
                      0.8796 cut at 2 std, Var = 1 / fan_in; bias zeros.

   The plain *_normal specs are untruncated normals with exactly the stated
   variance (as PyTorch's torch.nn.init). Keras' he_normal, glorot_normal and
   lecun_normal are variance_scaling with truncated_normal: the std is divided
   by 0.87962566103423978 and the draws are cut at 2 std, so the variance is
   the same but no weight exceeds 2 std; in initnn those are
   variance_scaling:2,fan_in,truncated_normal and so on.
   ========================================================================= */

/* The std of N(0,1) truncated to [-2, 2]:
   sqrt(1 - 4 phi(2) / (2 Phi(2) - 1)) with phi, Phi the normal pdf and cdf.
   Keras (VarianceScaling) and Flax divide by it to keep the variance. */
#define INITNN_TRUNC2_STD 0.87962566103423978

/* Fan modes of variance scaling. fan_in preserves the variance of the forward
   signal (LeCun 1998, He 2015), fan_out that of the backward gradient, and
   fan_avg = (fan_in + fan_out) / 2 is Glorot & Bengio's (2010) compromise. */
enum { INITNN_FAN_IN = 0, INITNN_FAN_OUT = 1, INITNN_FAN_AVG = 2 };

/* Distributions of variance scaling with target variance v = scale / n:
   normal N(0, v); truncated_normal N(0, (sqrt(v)/0.8796...)^2) cut at 2 of
   its std, whose variance is v; uniform U(+-sqrt(3 v)), since
   Var(U(-a, a)) = a^2 / 3. */
enum { INITNN_DIST_NORMAL = 0, INITNN_DIST_TRUNCATED_NORMAL = 1, INITNN_DIST_UNIFORM = 2 };

/* What a spec string parses to. Glorot, He and LeCun are all
   INITNN_INIT_VARIANCE_SCALING with their scale and mode. */
enum {
    INITNN_INIT_CONSTANT = 0,          /* param[0] = value                      */
    INITNN_INIT_NORMAL,                /* param[0] = std, param[1] = mean       */
    INITNN_INIT_UNIFORM,               /* param[0] = lo, param[1] = hi          */
    INITNN_INIT_TRUNCATED_NORMAL,      /* param[0] = std, param[1] = mean       */
    INITNN_INIT_VARIANCE_SCALING,      /* param[0] = scale; mode, distribution  */
    INITNN_INIT_ORTHOGONAL,            /* param[0] = gain                       */
    INITNN_INIT_SPARSE,                /* param[0] = k, param[1] = std          */
    INITNN_INIT_IDENTITY,              /* param[0] = gain                       */
    INITNN_INIT_LSUV,                  /* param[0] = gain of the orthogonal draw */
    INITNN_INIT_DELTA_ORTHOGONAL,      /* param[0] = gain                       */
    INITNN_INIT_FIXUP,                 /* He normal, param[0] = 2/(1+a^2), param[1] = a;
                                          then initnn_net_fixup's rule          */
    INITNN_INIT_SKIPINIT,              /* He normal as FIXUP; then alpha = 0    */
    INITNN_INIT_REZERO                 /* the same as SKIPINIT                  */
};

typedef struct initnn_init_spec {
    int kind;            /* INITNN_INIT_*                                     */
    double param[2];
    int mode;            /* INITNN_FAN_* (variance scaling)                   */
    int distribution;    /* INITNN_DIST_* (variance scaling)                  */
    char name[32];       /* the name as written, for messages                 */
} initnn_init_spec;

/* Parses a spec string (grammar above) into *out. Returns 0, or
   INITNN_ERR_SPEC with a message naming the bad part (an unknown name gets a
   suggestion: "unknown initializer 'he_normall' (did you mean 'he_normal'?)").
   *out is untouched on failure. */
INITNNDEF int initnn_init_parse(initnn_init_spec *out, const char *spec);

/* The name among names[0..count-1] closest to word by edit distance
   (Levenshtein: insertions, deletions and substitutions of one character),
   if it is at most 3 edits away, else NULL. The "did you mean" of every
   message about a misspelt name; programs can use it for their own words. */
INITNNDEF const char *initnn_suggest(const char *word, const char *const *names, int count);

/* Fills w, a (fan_in, fan_out) row-major matrix, as the spec says.
   Returns 0, or an error code with initnn_last_error() set and w untouched:
   a NULL pointer, fan_in or fan_out < 1, fan_in * fan_out above
   INITNN_MAX_ELEMENTS, a bad spec, or (orthogonal only) out of memory.
   Every weight returned with 0 is finite. A parameter beyond the float
   range (|x| > FLT_MAX, e.g. "random_normal:1e39") is refused when the
   spec is parsed; a spec whose draws could leave it on this matrix
   ("random_normal:1e38": |mean| + 12.01 std, the polar method's largest
   draw; variance scaling's std from the fans) is refused before drawing,
   INITNN_ERR_SPEC. (Should a weight still come out non-finite, w is
   zeroed and the call returns INITNN_ERR_NONFINITE.) */
INITNNDEF int initnn_init_fill(float *w, int fan_in, int fan_out, const char *spec,
                               initnn_rng *rng);

/* The general entry point: w is (rows, cols), and the fans that the
   variance-scaling rules use are given separately. For a dense layer
   rows = fan_in and cols = fan_out; a convolution kernel of k_h x k_w taps
   from c_in to c_out channels stored as (c_in k_h k_w, c_out) has
   fan_in = c_in k_h k_w and fan_out = c_out k_h k_w (Keras, PyTorch).
   orthogonal and identity act on the (rows, cols) matrix. */
INITNNDEF int initnn_init_fill_fans(float *w, int rows, int cols, int fan_in, int fan_out,
                                    const initnn_init_spec *spec, initnn_rng *rng);

/* The same initializers as plain functions; n is the number of elements.
   None of them fails (they take no spec); the caller checks the sizes. */

/* w = 0. */
INITNNDEF void initnn_zeros(float *w, size_t n);

/* w = value. With any constant all units of a layer start identical and,
   receiving identical gradients, stay identical: symmetry is never broken. */
INITNNDEF void initnn_constant(float *w, size_t n, float value);

/* w ~ N(mean, std^2). Keras' RandomNormal defaults to std 0.05. */
INITNNDEF void initnn_random_normal(float *w, size_t n, float std, float mean, initnn_rng *rng);

/* w ~ U(lo, hi). Var = (hi - lo)^2 / 12. */
INITNNDEF void initnn_random_uniform(float *w, size_t n, float lo, float hi, initnn_rng *rng);

/* w ~ N(mean, std^2) with every draw beyond 2 std redrawn (as Keras'
   TruncatedNormal and torch.nn.init.trunc_normal_ with a, b = +-2 std).
   Its variance is (0.87962566 std)^2, not std^2. */
INITNNDEF void initnn_truncated_normal(float *w, size_t n, float std, float mean, initnn_rng *rng);

/* Variance scaling (Keras VarianceScaling): Var(W) = scale / n with
   n = fan_in, fan_out or (fan_in + fan_out) / 2 by mode, drawn from the
   distribution (INITNN_DIST_*) with exactly that variance. */
INITNNDEF void initnn_variance_scaling(float *w, size_t n_elements, int fan_in, int fan_out,
                                       double scale, int mode, int distribution,
                                       initnn_rng *rng);

/* Glorot & Bengio (2010), "Understanding the difficulty of training deep
   feedforward neural networks":  Var(W) = 2 / (fan_in + fan_out),
   the compromise between the forward condition fan_in Var(W) = 1 and the
   backward condition fan_out Var(W) = 1.  Normal form N(0, 2/(fan_in+fan_out));
   Keras' glorot_normal instead truncates (variance_scaling:1,fan_avg,truncated_normal). */
INITNNDEF void initnn_glorot_normal(float *w, int fan_in, int fan_out, initnn_rng *rng);

/* Glorot uniform: U(-a, a) with a = sqrt(6 / (fan_in + fan_out)), since
   Var(U(-a, a)) = a^2 / 3 = 2 / (fan_in + fan_out). Keras' default kernel. */
INITNNDEF void initnn_glorot_uniform(float *w, int fan_in, int fan_out, initnn_rng *rng);

/* He et al. (2015), "Delving Deep into Rectifiers":  Var(W) = 2 / ((1 + a^2) fan_in)
   for (leaky) ReLU with negative slope a (a = 0: ReLU), which keeps the second
   moment E[y^2] of the pre-activations constant from layer to layer because
   E[relu(z)^2] = Var(z) / 2 for symmetric z. As torch.nn.init.kaiming_normal_
   (mode fan_in); Keras' he_normal is variance_scaling:2,fan_in,truncated_normal. */
INITNNDEF void initnn_he_normal(float *w, int fan_in, int fan_out, float a, initnn_rng *rng);

/* He uniform: U(+-sqrt(6 / ((1 + a^2) fan_in))), the same variance. */
INITNNDEF void initnn_he_uniform(float *w, int fan_in, int fan_out, float a, initnn_rng *rng);

/* LeCun et al. (1998), "Efficient BackProp":  Var(W) = 1 / fan_in, the
   forward condition for a linear or symmetric-saturating unit; with SELU the
   self-normalizing init (Klambauer et al. 2017). Keras' lecun_normal truncates. */
INITNNDEF void initnn_lecun_normal(float *w, int fan_in, int fan_out, initnn_rng *rng);

/* LeCun uniform: U(+-sqrt(3 / fan_in)). */
INITNNDEF void initnn_lecun_uniform(float *w, int fan_in, int fan_out, initnn_rng *rng);

/* Saxe, McClelland & Ganguli (2014), "Exact solutions to the nonlinear
   dynamics of learning in deep linear neural networks": a random orthogonal
   matrix times gain. A (max, min) Gaussian matrix G is factored G = Q R by
   Householder reflections (in double), and each column of Q is multiplied by
   the sign of the matching diagonal entry of R, which makes Q uniformly
   (Haar) distributed (Mezzadri 2007). For rows >= cols, W = gain Q and
   W^T W = gain^2 I; otherwise W = gain Q^T and W W^T = gain^2 I. Every
   singular value equals gain, so a deep linear net of such layers preserves
   the norm of every input. As torch.nn.init.orthogonal_.
   Returns 0 or INITNN_ERR_MEMORY / INITNN_ERR_ARGUMENT (w untouched). */
INITNNDEF int initnn_orthogonal(float *w, int rows, int cols, float gain, initnn_rng *rng);

/* Martens (2010), "Deep learning via Hessian-free optimization": each output
   unit (column) gets exactly k nonzero incoming weights, at rows chosen
   uniformly without replacement (selection sampling, Knuth Algorithm S),
   drawn from N(0, std^2); the rest are 0. Martens used k = 15, std = 1.
   k is capped at fan_in. */
INITNNDEF void initnn_sparse(float *w, int fan_in, int fan_out, int k, float std, initnn_rng *rng);

/* gain on the diagonal W[i][i], 0 elsewhere; rectangular allowed (as
   torch.nn.init.eye_ and Keras' Identity). */
INITNNDEF void initnn_identity(float *w, int rows, int cols, float gain);

/* The recommended gain for an activation (torch.nn.init.calculate_gain), a
   factor on the std of an initializer:
      "linear", "identity", "sigmoid"  1      (no correction; sigmoid's is a convention)
      "tanh"                           5/3    (PyTorch's table, which gives no
                                               derivation; the second-moment-preserving
                                               value is 1.5925, and both put a bias-free
                                               tanh net in the chaotic phase, chi_1 = 1.21
                                               and 1.18: tutorial steps 23, 27)
      "relu"                           sqrt(2)  (He et al. 2015: E[relu(z)^2] = Var(z)/2)
      "leaky_relu"                     sqrt(2 / (1 + param^2)), param = negative slope
      "selu"                           3/4    (PyTorch's table; its documentation says
                                               this gain "sacrifices the normalization
                                               effect for more stable gradient flow in
                                               rectangular layers", and that self-
                                               normalizing nets need nonlinearity='linear',
                                               i.e. LeCun's Var(W) = 1/fan_in)
   Returns the gain, or 0 with initnn_last_error() set for an unknown name. */
INITNNDEF float initnn_gain(const char *activation, float param);

/* The bias spec a layer gets when none is given: "torch_default" for the
   kernel spec torch_default (PyTorch's U(+-1/sqrt(fan_in)) bias), "zeros"
   for everything else, Keras' and Flax's defaults included. */
INITNNDEF const char *initnn_default_bias(const char *kernel_spec);

/* Xiao, Bahri, Sohl-Dickstein, Schoenholz & Pennington (2018), "Dynamical
   Isometry and a Mean Field Theory of CNNs: How to Train 10,000-Layer
   Vanilla Convolutional Neural Networks", Algorithm 2 (delta orthogonal):
   every tap of the kernel W (c_in k_h k_w, c_out) is 0 but the centre tap
   ((k_h - 1)/2, (k_w - 1)/2), which holds gain H with H a random orthogonal
   (c_in, c_out) matrix (initnn_orthogonal). A stride-1 "same" convolution
   then maps each pixel's channel vector x to gain H^T x: for c_in <= c_out
   (as Algorithm 2 requires) H H^T = I and |H^T x| = |x|, so the layer is an
   isometry and the input-output Jacobian of a deep linear stack of them has
   every singular value equal to gain^depth -- the CNN form of Saxe et al.'s
   orthogonal init. As TensorFlow's ConvolutionDeltaOrthogonal (which puts
   the tap at k // 2: the same for odd kernels). Returns 0 or an error (w
   untouched). */
INITNNDEF int initnn_delta_orthogonal(float *w, int c_in, int c_out, int kernel_h, int kernel_w, float gain,
                                      initnn_rng *rng);

/* Zhang, Dauphin & Ma (2019), "Fixup Initialization: Residual Learning
   Without Normalization", section 3, Rule 2: the factor
      L^(-1 / (2m - 2))
   on the standard (He) init of the weight layers inside the branches of a
   net of L residual branches of m layers each (m >= 2; 1 for m = 1). It
   makes each branch's update to the output O(1/L) at the start, so the
   sum over L branches stays O(1) without normalization. */
INITNNDEF double initnn_fixup_scale(int branches, int layers_per_branch);

/* ============================================================================
   5. Activations

   phi is applied elementwise to the pre-activation z, y = phi(z). Each
   forward has its backward beside it: dz = dy * phi'(z), using whichever of z
   or y gives phi' without a second transcendental call.
   ========================================================================= */

enum {
    INITNN_ACT_IDENTITY = 0,  /* y = z                                         */
    INITNN_ACT_RELU,          /* y = max(0, z)                      (Nair & Hinton 2010) */
    INITNN_ACT_LEAKY_RELU,    /* y = z > 0 ? z : a z, a = param     (Maas et al. 2013)   */
    INITNN_ACT_TANH,          /* y = tanh z,  phi' = 1 - y^2                   */
    INITNN_ACT_SIGMOID,       /* y = 1 / (1 + e^-z),  phi' = y (1 - y) <= 1/4  */
    INITNN_ACT_SOFTMAX,       /* y_i = e^(z_i - max z) / sum_j e^(z_j - max z), per row */
    INITNN_ACT_SELU           /* y = lambda (z > 0 ? z : alpha (e^z - 1))  (Klambauer et al. 2017) */
};

/* SELU's constants (Klambauer et al. 2017, eq. 14), fixed by requiring the
   mean 0 / variance 1 fixed point of the self-normalizing map. */
#define INITNN_SELU_LAMBDA 1.0507009873554804934
#define INITNN_SELU_ALPHA  1.6732632423543772848

/* Parses an activation spec: "identity" (or "linear"), "relu",
   "leaky_relu[:a]" (a defaults to 0.01), "tanh", "sigmoid", "softmax",
   "selu". Sets *activation and *param; INITNN_ERR_SPEC on a bad string. */
INITNNDEF int initnn_activation_parse(int *activation, float *param, const char *spec);

/* The canonical name of an activation ("relu", "leaky_relu", ...). */
INITNNDEF const char *initnn_activation_name(int activation);

/* y = phi(z) for n elements, or for softmax over rows of length cols
   (n = rows * cols; other activations ignore cols). y may equal z. */
INITNNDEF void initnn_activation_forward(float *y, const float *z, size_t n, int cols,
                                         int activation, float param);

/* dz = dy * phi'(z), given both z and y = phi(z). For softmax the full
   Jacobian diag(p) - p p^T is applied row by row:
   dz_i = p_i (dy_i - sum_j dy_j p_j). dz may equal dy. */
INITNNDEF void initnn_activation_backward(float *dz, const float *dy, const float *z,
                                          const float *y, size_t n, int cols,
                                          int activation, float param);

/* ============================================================================
   6. Losses and metrics

   Losses are means over the batch, and their gradients carry the 1/batch
   factor, so the learning rate does not depend on the batch size.
   ========================================================================= */

enum { INITNN_LOSS_SOFTMAX_CROSS_ENTROPY = 0, INITNN_LOSS_MSE = 1 };

/* Softmax and cross-entropy fused, from logits z (batch, classes) and integer
   labels in [0, classes):
      L = (1/B) sum_b [ logsumexp(z_b) - z_b,label ]
   with logsumexp(z) = m + log sum_j e^(z_j - m), m = max_j z_j, so no
   exponential overflows. The gradient is dz = (p - onehot(label)) / B.
   dlogits may be NULL (loss only). Returns the loss, or NaN if a label is
   out of range (with initnn_last_error() set). */
INITNNDEF float initnn_softmax_cross_entropy(float *dlogits, const float *logits, const int *labels,
                                             int batch, int classes);

/* Mean squared error over all elements:  L = (1/(B D)) sum (pred - target)^2,
   dpred = 2 (pred - target) / (B D)  (PyTorch MSELoss, Keras
   MeanSquaredError). dpred may be NULL. */
INITNNDEF float initnn_mse(float *dpred, const float *pred, const float *target, int batch, int dim);

/* Fraction of rows whose largest score is at the label (first maximum wins). */
INITNNDEF float initnn_accuracy(const float *scores, const int *labels, int batch, int classes);

/* Mean absolute error (1/(B D)) sum |pred - target|. */
INITNNDEF float initnn_mean_absolute_error(const float *pred, const float *target, int batch, int dim);

/* ============================================================================
   7. Layers and the network

   B = batch size, in = fan_in, out = fan_out.
   A dense layer computes Z = X W + b, then Y = phi(Z):
      X is (B, in), W is (in, out), b is (out), Z and Y are (B, out).
   Its backward, from dZ (B, out):
      dW += X^T dZ,   db += sum over the batch of dZ,   dX = dZ W^T.
   Gradients accumulate (+=) into dW and db; initnn_net_zero_grad clears them.
   Inverted dropout (Srivastava et al. 2014) keeps each input with
   probability 1 - rate and scales it by 1 / (1 - rate), so the expected
   activation is the same in training and evaluation, where it is the identity.
   ========================================================================= */

/* Z = X W + b  (X (B, in), W (in, out), b (out) or NULL, Z (B, out)). */
INITNNDEF void initnn_dense_forward(float *Z, const float *X, const float *W, const float *b,
                                    int B, int in, int out);

/* dW += X^T dZ, db += column sums of dZ, dX = dZ W^T (dX may be NULL: the
   first layer needs no input gradient). */
INITNNDEF void initnn_dense_backward(float *dX, float *dW, float *db, const float *dZ,
                                     const float *X, const float *W, int B, int in, int out);

/* Y = X * mask with mask_i = (u_i >= rate) / (1 - rate), u_i ~ U[0,1) from
   rng; 0 <= rate < 1. The mask is kept for the backward pass. */
INITNNDEF void initnn_dropout_forward(float *Y, float *mask, const float *X, size_t n, float rate,
                                      initnn_rng *rng);

/* dX = dY * mask. */
INITNNDEF void initnn_dropout_backward(float *dX, const float *dY, const float *mask, size_t n);

/* ---- convolution and pooling ------------------------------------------------
   Images are NCHW: sample, channel, row, column, each sample's C x H x W
   values contiguous. That is PyTorch's layout and CIFAR's byte order, flatten
   is then a no-op, and im2col of one sample is a (C k_h k_w, H_out W_out)
   matrix whose product with the kernel gives the output channels as
   contiguous planes, with no transposition.

   A conv2d kernel is stored as the matrix W of (C_in k_h k_w, C_out): row
   (c, i, j) holds tap (i, j) of input channel c for every output channel,
   the dense layer's (fan_in, fan_out) convention. Its fans are those Keras
   and PyTorch use:  fan_in = C_in k_h k_w,  fan_out = C_out k_h k_w.
   For one sample, with col = im2col(X) of (C_in k_h k_w, P), P = H_out W_out:
      Z = W^T col + b                       (C_out, P)
      dW += col dZ^T,   db += row sums of dZ,   dX = col2im(W dZ).
   Padding "same" gives H_out = ceil(H / stride) with the extra row or column
   of zeros at the bottom/right (TensorFlow's rule); "valid" gives
   H_out = floor((H - k_h) / stride) + 1. */

/* im2col: col[(c, i, j)][(oy, ox)] = x[c][oy s + i - pad_top][ox s + j - pad_left],
   0 outside the image. x is (C, H, W); col is (C k_h k_w, H_out W_out). */
INITNNDEF void initnn_im2col(float *col, const float *x, int channels, int height, int width,
                             int kernel_h, int kernel_w, int stride, int pad_top, int pad_left,
                             int out_h, int out_w);

/* col2im: the adjoint of im2col, dx[c][y][x] += every col entry that im2col
   read from there. dx must be zeroed (or hold what to add to). */
INITNNDEF void initnn_col2im(float *dx, const float *col, int channels, int height, int width,
                             int kernel_h, int kernel_w, int stride, int pad_top, int pad_left,
                             int out_h, int out_w);

/* Fans of a conv kernel: fan_in = c_in k_h k_w, fan_out = c_out k_h k_w. */
INITNNDEF void initnn_conv_fans(int *fan_in, int *fan_out, int c_in, int c_out, int kernel_h, int kernel_w);

/* Fills a conv kernel W (c_in k_h k_w, c_out) from a spec with the conv fans
   (through initnn_init_fill_fans, so every dense spec works). "identity" is
   the Dirac kernel: gain at the centre tap ((k_h - 1)/2, (k_w - 1)/2) from
   channel c to channel c, 0 elsewhere, so a stack of such stride-1 "same"
   convolutions starts as the identity map, for odd and even kernels
   (torch.nn.init.dirac_ puts the tap at k/2, which shifts even kernels). "orthogonal" acts on the (c_in k_h k_w, c_out)
   matrix, i.e. on PyTorch's (c_out, c_in k_h k_w) flattening transposed. */
INITNNDEF int initnn_init_conv_kernel(float *w, int c_in, int c_out, int kernel_h, int kernel_w,
                                      const char *spec, initnn_rng *rng);

enum {
    INITNN_LAYER_DENSE = 0,
    INITNN_LAYER_DROPOUT = 1,
    INITNN_LAYER_CONV2D = 2,
    INITNN_LAYER_MAXPOOL2D = 3,
    INITNN_LAYER_AVGPOOL2D = 4,
    INITNN_LAYER_FLATTEN = 5,
    INITNN_LAYER_BATCHNORM = 6,      /* initnn_net_add_batchnorm                   */
    INITNN_LAYER_LAYERNORM = 7,      /* initnn_net_add_layernorm                   */
    INITNN_LAYER_RESIDUAL = 8        /* initnn_net_add_residual: the add of a block */
};

#define INITNN_SPEC_MAX 64      /* longest init / activation spec kept in a layer */
#ifndef INITNN_MAX_LAYERS
#define INITNN_MAX_LAYERS 512   /* a net's layers: a 100-block ResNet has 300 and more */
#endif

/* One layer of a sequential net. W, b, dW, db point into the net's single
   parameter and gradient arrays (they are updated when a layer is added, so
   read them after the net is complete). The per-sample activation buffers
   hold max_batch rows. */
typedef struct initnn_layer {
    int type;                       /* INITNN_LAYER_*                             */
    int in, out;                    /* features per sample in and out             */
    int in_c, in_h, in_w;           /* the input as channels x rows x columns      */
    int out_c, out_h, out_w;        /* the output likewise (dense: out x 1 x 1)    */
    int kernel_h, kernel_w;         /* conv kernel / pooling window                */
    int stride;
    int same_padding;               /* conv: 1 "same", 0 "valid"                   */
    int pad_top, pad_left;          /* conv: zeros before the first row / column   */
    int activation;                 /* INITNN_ACT_* (dense, conv)                  */
    float activation_param;         /* leaky ReLU slope                           */
    float rate;                     /* dropout rate                               */
    char kernel_init[INITNN_SPEC_MAX];   /* spec the kernel was drawn from, as given */
    char bias_init[INITNN_SPEC_MAX];
    initnn_init_spec kernel_spec;   /* the same specs, parsed once when the layer  */
    initnn_init_spec bias_spec;     /* is added: drawing and the theory read these */
    char activation_spec[INITNN_SPEC_MAX];
    size_t param_offset;            /* W then b, in the net's params              */
    size_t weight_count, bias_count;
    float *W, *b;                   /* (in, out), (out)                           */
    float *dW, *db;
    float *z;                       /* pre-activations (max_batch, out)           */
    float *y;                       /* outputs (max_batch, out)                   */
    float *dz;                      /* dL/dz (dense) or dL/dy (dropout)           */
    float *mask;                    /* dropout mask (max_batch, out)              */
    float *col;                     /* conv: the batch's im2col (in_c k_h k_w, max_batch out_h out_w) */
    float *colt;                    /* conv: output or its gradient as (out_c, max_batch out_h out_w) */
    int *argmax;                    /* max pool: the input index of each output    */
    /* Normalization and residual layers (section 7, "normalization and
       residual blocks"). They have no kernel (weight_count = 0); their
       parameters sit in b / db (bias_count floats):
          batchnorm, layernorm   b = gamma (n), beta (n); n = out_c for
                                 batchnorm, out for layernorm; kernel_init
                                 and bias_init hold the specs of gamma and beta
          residual               b = projection (skip_c, out_c) if the widths
                                 differ or the branch downsamples, then the
                                 branch scale alpha if has_scale; kernel_init
                                 holds the projection's spec, bias_init
                                 alpha's; stride is the shortcut's when the
                                 branch downsamples (>= 2), else 0           */
    int skip_from;                  /* residual: the layer whose output the block
                                       adds (-1: the net's input)                 */
    int has_scale;                  /* residual: 1 = a learnable scalar alpha
                                       multiplies the branch                      */
    size_t projection_count;        /* residual: floats of the skip projection     */
    float momentum, epsilon;        /* batchnorm: running-average momentum; eps    */
    float *running_mean, *running_var; /* batchnorm: (out_c), for evaluation       */
    float *norm_mean, *norm_inv_std;/* batch/layer norm: the last forward's
                                       statistics, (out_c) or (max_batch)          */
    float *xhat;                    /* batch/layer norm: normalized input          */
    float *skip_grad;               /* residual: dL/d(block input) through the skip */
} initnn_layer;

/* ---- optimizers (section 8) are configured by this struct ---- */
enum { INITNN_OPT_SGD = 0, INITNN_OPT_ADAM = 1, INITNN_OPT_RMSPROP = 2 };

typedef struct initnn_optimizer {
    int type;                 /* INITNN_OPT_*                                        */
    float learning_rate;
    float momentum;           /* SGD: 0 = plain SGD                                  */
    int nesterov;             /* SGD: Nesterov momentum (Sutskever et al. 2013)      */
    float beta1, beta2;       /* Adam                                                */
    float epsilon;            /* Adam 1e-8 (Algorithm 1) / 1e-7 (Keras); RMSProp 1e-8 */
    int keras_epsilon;        /* Adam: 1 = Keras' form (see initnn_adam)             */
    float rho;                /* RMSProp decay of the squared-gradient average       */
    float weight_decay;       /* L2: g += weight_decay * w before the update         */
    float clip_norm;          /* > 0: clip the global gradient norm to this          */
    float clip_value;         /* > 0: clip each gradient element to [-c, c]          */
    int64_t step;             /* updates taken; Adam's bias correction uses it       */
} initnn_optimizer;

/* What a model was trained on, kept with it so that it can be applied to
   new inputs (initnn_net_set_preprocessing, section 13; the checkpoint's
   optional chunks "PREP" and "CLAS"). A raw input value v of the data file
   becomes the feature the net was trained on as
       x = (v * input_scale - mean[j]) / std[j]        (feature j)
   input_scale is what the loader applied (1/255 for image bytes, 1 for CSV
   numbers); the library's loaders already apply it, so initnn_net_preprocess
   applies only the z-score. The net owns the arrays. */
typedef struct initnn_preprocessing {
    float input_scale;              /* raw file value -> feature (1: none)        */
    float *mean, *std;              /* input_dim each, or NULL: no z-score        */
    int class_count;                /* classes with names, 0: labels are numbers  */
    char **class_names;             /* class_count names: class k is class_names[k] */
} initnn_preprocessing;

/* A sequential network. Build it with initnn_net_create and
   initnn_net_add_*; every buffer a training step needs is allocated then, so
   forward, backward and step allocate nothing. */
typedef struct initnn_net {
    int input_dim;                  /* features per sample                        */
    int input_c, input_h, input_w;  /* their shape (input_dim x 1 x 1 by default)  */
    int max_batch;                  /* the largest batch forward may be given     */
    int layer_count;
    initnn_layer layers[INITNN_MAX_LAYERS];
    int loss;                       /* INITNN_LOSS_*                              */
    size_t param_count;
    size_t param_capacity;          /* floats allocated in each array below: a net
                                       grows by a layer at a time, so they grow
                                       by half their size to stay linear in depth */
    float *params;                  /* every W and b, layer after layer           */
    float *grads;                   /* dL/dparams, the same layout                */
    float *opt_m, *opt_v;           /* optimizer state (momentum / moments)       */
    float *params_backup;           /* weights before the last step: the step is
                                       undone from it, update ratios read it      */
    initnn_optimizer opt;
    initnn_rng rng;                 /* the net's own generator: init, dropout,
                                       shuffling                                   */
    uint64_t seed;
    const float *input;             /* the X of the last forward                  */
    int batch;                      /* the B of the last forward                  */
    int training;                   /* the mode of the last forward               */
    int reuse_dropout_mask;         /* 1: forward keeps the current masks (tests) */
    int fused_steps;                /* 1: a training step runs a ReLU conv layer and
                                       the 2 x 2 max pool after it one sample at a
                                       time and keeps neither the conv layer's z, y
                                       nor dz (section 16; initnn_net_train sets it
                                       for all but an epoch's last batch)          */
    int64_t steps_taken;
    int residual_count;             /* residual layers: 0 keeps backward plain    */
    initnn_preprocessing prep;      /* what the inputs went through in training,
                                       and the class names (section 13)          */
} initnn_net;

/* Creates an empty net for inputs of input_dim features and batches of at
   most max_batch samples, with its generator seeded by seed. The loss
   defaults to softmax cross-entropy; the optimizer to Adam(1e-3).
   Returns 0 and *out, or an error (nothing allocated). */
INITNNDEF int initnn_net_create(initnn_net **out, int input_dim, int max_batch, uint64_t seed);

/* Frees the net and everything it owns. NULL is fine. */
INITNNDEF void initnn_net_free(initnn_net *net);

/* Appends a dense layer of `units` outputs with the activation spec (see
   initnn_activation_parse), the kernel drawn from kernel_init (any
   initnn_init_fill spec, or "lsuv": orthogonal now, rescaled by initnn_lsuv
   on data) and the bias from bias_init (NULL: initnn_default_bias(kernel_init),
   "zeros" but for the torch_default preset). The weights are
   drawn now, from the net's generator, in the order the layers are added. */
INITNNDEF int initnn_net_add_dense(initnn_net *net, int units, const char *activation,
                                   const char *kernel_init, const char *bias_init);

/* Appends inverted dropout with the given rate, 0 <= rate < 1. */
INITNNDEF int initnn_net_add_dropout(initnn_net *net, float rate);

/* Declares the input to be channels x height x width (their product must be
   input_dim); needed before a conv2d or pooling layer. Only on an empty net. */
INITNNDEF int initnn_net_set_input_shape(initnn_net *net, int channels, int height, int width);

/* Appends a 2-D convolution (section comment above) of `filters` output
   channels, a kernel_h x kernel_w kernel, the stride, "same" (same_padding
   = 1) or "valid" padding, then the activation. Kernel and bias specs as
   for dense layers, with the conv fans. */
INITNNDEF int initnn_net_add_conv2d(initnn_net *net, int filters, int kernel_h, int kernel_w, int stride,
                                    int same_padding, const char *activation, const char *kernel_init,
                                    const char *bias_init);

/* Appends max pooling (take the largest of each size x size window; the
   gradient goes to that one input, the first on ties) or, with max_pool =
   0, average pooling (the gradient is shared equally). stride <= 0 means
   stride = size; windows that do not fit are dropped ("valid"). */
INITNNDEF int initnn_net_add_pool2d(initnn_net *net, int max_pool, int size, int stride);

/* Appends flatten: C x H x W becomes C H W features, in NCHW order. */
INITNNDEF int initnn_net_add_flatten(initnn_net *net);

/* Builds a net from an architecture string, one comma-separated token per
   layer, the same grammar the lab's --arch takes:
      dense:N            a dense layer of N units
      relu | leaky_relu[:a] | tanh | sigmoid | softmax | selu | identity
                         the activation of the dense layer before it
                         (a dense layer with none stays linear)
      dropout:R          inverted dropout with rate R
      conv:F:K[xK2][:S[:same|valid]]
                         a conv2d of F filters, K x K (or K x K2) kernel,
                         stride S (default 1), padding (default valid)
      maxpool:K[:S] | avgpool:K[:S]
                         pooling over K x K windows, stride S (default K)
      flatten            C x H x W -> C H W features
      bn[:GAMMA] | ln[:GAMMA]
                         batch / layer normalization (gamma from the spec
                         GAMMA, default ones; beta zeros); an activation
                         after it is its own
      res[A,B,...] | res:SCALE[A,B,...]
                         a residual block: the layers A, B, ... are the
                         branch F, and its end adds the block's input x:
                         x P + alpha F(x) (P a projection drawn from
                         kernel_init when the widths differ; alpha 1, or
                         learnable from the spec SCALE, e.g. res:zeros[...]);
                         an activation right after the ] applies to the sum.
                         A conv branch that downsamples, res[conv:32:3:2:same,
                         relu,conv:32:3:1:same], gets as P a 1x1 convolution
                         of the branch's stride (He et al.'s option B); the
                         branch must give ceil(H / stride) rows and columns
                         (initnn_net_add_residual).
                         Blocks nest. With kernel_init fixup, skipinit or
                         rezero every block gets alpha (1, 0, 0).
   e.g. "dense:256,relu,dropout:0.5,dense:10,softmax",
   "dense:64,relu,res[dense:64,bn,relu,dense:64,bn:zeros],relu,dense:10,softmax" or
   "conv:32:3,relu,maxpool:2,conv:64:3,relu,maxpool:2,flatten,dense:128,relu,
   dropout:0.5,dense:10,softmax". Every kernel is drawn
   from kernel_init and every bias from bias_init (NULL: "zeros"). The input
   is channels x height x width features (a dense-only net may pass 1, 1, n).
   Errors name the bad token: "arch token 3 'dens:128': unknown layer 'dens'
   (did you mean 'dense'?)". *out is NULL on failure. */
INITNNDEF int initnn_net_from_arch(initnn_net **out, const char *arch, int channels, int height, int width,
                                   const char *kernel_init, const char *bias_init, int max_batch,
                                   uint64_t seed);

/* The output width of the net (of its last layer; input_dim if empty). */
INITNNDEF int initnn_net_output_dim(const initnn_net *net);

/* The fans of a layer's kernel, the n of every variance-scaling rule:
   dense  fan_in = in, fan_out = out;
   conv2d fan_in = c_in k_h k_w, fan_out = c_out k_h k_w (initnn_conv_fans);
   0 and 0 for a layer without a kernel. Drawing the weights and the
   signal-propagation theory both take the fans from here. */
INITNNDEF void initnn_layer_fans(int *fan_in, int *fan_out, const initnn_layer *layer);

/* Sets the loss: INITNN_LOSS_SOFTMAX_CROSS_ENTROPY (the last layer must be
   dense with activation softmax; the loss is fused with it, see
   initnn_softmax_cross_entropy) or INITNN_LOSS_MSE (any output). */
INITNNDEF int initnn_net_set_loss(initnn_net *net, int loss);

/* Sets the optimizer and clears its state (moments, step count). The
   ranges checked (else INITNN_ERR_ARGUMENT naming the value): learning rate
   in [0, 1e6) (0, as PyTorch's optimizers allow it, takes steps that leave
   the weights as they are: a control run); momentum, beta1, beta2 and rho in [0, 1); epsilon,
   weight_decay, clip_norm and clip_value >= 0 (0 turns clipping off), and
   epsilon > 0 for Adam and RMSProp (their step would be 0 / 0 where the
   gradient has been 0). */
INITNNDEF int initnn_net_set_optimizer(initnn_net *net, const initnn_optimizer *opt);

/* Redraws every layer's kernel and bias from its specs with the net's
   generator reseeded by seed: the same seed gives the same weights as
   initnn_net_create did with it. Clears the optimizer state. Normalization
   layers get gamma and beta from their specs and running statistics 0 and
   1; residual blocks their projection and alpha; kernel spec fixup applies
   initnn_net_fixup again. */
INITNNDEF int initnn_net_reinit(initnn_net *net, uint64_t seed);

/* The forward pass on X (batch, input_dim), 1 <= batch <= max_batch.
   training = 1 applies dropout and normalizes batch normalization layers
   with the batch's statistics (updating the running averages; a batch of
   one sample through a dense batch norm is refused), training = 0 with the
   running statistics. Returns the output (batch, output_dim),
   valid until the next forward, or NULL on bad arguments. The net keeps a
   pointer to X for the backward pass. */
INITNNDEF const float *initnn_net_forward(initnn_net *net, const float *X, int batch, int training);

/* The backward pass after a forward: computes the loss of the last forward's
   output against labels (softmax cross-entropy) or targets (MSE, (batch,
   output_dim)), stores it in *loss, and accumulates every dW and db. Also
   leaves dL/dz in each layer's dz. Returns 0, or an error (a label out of
   range, no forward before). */
INITNNDEF int initnn_net_backward(initnn_net *net, const int *labels, const float *targets, float *loss);

/* Sets every gradient to 0. */
INITNNDEF void initnn_net_zero_grad(initnn_net *net);

/* The loss of the last forward's output, without gradients. */
INITNNDEF float initnn_net_loss(const initnn_net *net, const int *labels, const float *targets);

/* ---- normalization and residual blocks ---------------------------------------
   Batch normalization (Ioffe & Szegedy 2015) normalizes each feature (dense)
   or channel (conv, over the batch and every position) with the statistics
   of the batch, then scales and shifts it:
      mu = mean of x,  var = mean of (x - mu)^2          (biased, over N values)
      xhat = (x - mu) / sqrt(var + eps),   z = gamma xhat + beta,   y = phi(z)
   Training updates running averages as PyTorch does (momentum 0.1, eps 1e-5):
      running_mean = (1 - m) running_mean + m mu
      running_var  = (1 - m) running_var  + m var N / (N - 1)   (unbiased)
   and evaluation normalizes with them instead: the output of a sample then
   does not depend on the rest of its batch. Backward (training), per channel:
      dgamma = sum dz xhat,   dbeta = sum dz,   dxhat = gamma dz,
      dx = inv_std / N (N dxhat - sum dxhat - xhat sum(dxhat xhat))
   (in evaluation the statistics are constants: dx = dxhat inv_std).
   Layer normalization (Ba, Kiros & Hinton 2016) takes the same statistics
   over the features of one sample instead, the same in training and
   evaluation, with gamma and beta per feature.
   Since xhat does not change when x is multiplied by c > 0, a kernel W
   before a normalization gives the same forward pass at any scale, and its
   gradient scales as 1 / c (initnn_theory_norm_scale).

   A residual block (He et al. 2016) adds its input x to the output of a
   branch F of layers:
      z = x P + alpha F(x),   y = phi(z)
   P is the identity when the widths agree, else a learned projection (a
   dense map, or for conv a 1x1 convolution: He et al.'s option B); alpha is
   1, or a learnable scalar (SkipInit, ReZero, Fixup's multiplier). Backward:
      dF = alpha dz,   dalpha = sum dz F(x),   dx += dz P^T,   dP = x^T dz.
   A conv branch that downsamples (a strided conv or a pooling inside it)
   gets as P a 1x1 convolution with the branch's stride s, as ResNets do
   where a stage begins (He et al. 2016, option B; torchvision's BasicBlock
   downsample, there followed by a batch norm): it reads x at rows and
   columns 0, s, 2s, ..., so its output is ceil(H / s) x ceil(W / s), and
   dx is dz P^T at those positions and 0 at the others. */

/* Batch normalization forward (formulas above) of X (B, C, HW): C channels
   of HW positions per sample (dense: HW = 1). Writes Z and xhat (B, C HW),
   mean and inv_std (C) = 1 / sqrt(var + eps) used; with training = 1 they
   are the batch's and the running averages are updated, else they come from
   running_mean and running_var, which are left alone. B HW >= 2 in training. */
INITNNDEF void initnn_batchnorm_forward(float *Z, float *xhat, float *mean, float *inv_std, float *running_mean,
                                        float *running_var, const float *X, const float *gamma, const float *beta,
                                        int B, int C, int HW, float momentum, float epsilon, int training);

/* Batch normalization backward: dgamma, dbeta (C) accumulate (+=); dX
   (B, C HW) is written (may be NULL). training as in the forward. */
INITNNDEF void initnn_batchnorm_backward(float *dX, float *dgamma, float *dbeta, const float *dZ, const float *xhat,
                                         const float *gamma, const float *inv_std, int B, int C, int HW, int training);

/* Layer normalization forward of X (B, D): per sample mean and variance over
   its D features, xhat = (x - mu) inv_std, Z = gamma xhat + beta (gamma,
   beta (D)); inv_std (B) = 1 / sqrt(var + eps). */
INITNNDEF void initnn_layernorm_forward(float *Z, float *xhat, float *inv_std, const float *X, const float *gamma,
                                        const float *beta, int B, int D, float epsilon);

/* Layer normalization backward: dgamma, dbeta (D) accumulate; dX (B, D),
   per sample dX = inv_std / D (D dxhat - sum dxhat - xhat sum(dxhat xhat)). */
INITNNDEF void initnn_layernorm_backward(float *dX, float *dgamma, float *dbeta, const float *dZ, const float *xhat,
                                         const float *gamma, const float *inv_std, int B, int D);

#define INITNN_BN_MOMENTUM 0.1f   /* PyTorch's BatchNorm defaults */
#define INITNN_BN_EPSILON 1e-5f

/* Appends batch normalization over the current output (per feature after a
   dense layer, per channel after a conv), then the activation. gamma_init
   and beta_init are init specs (NULL: "ones" and "zeros"); "zeros" for
   gamma is the zero-gamma init of a block's last normalization (Goyal et al.
   2017, initnn_net_zero_gamma). Momentum 0.1 and eps 1e-5 (PyTorch). */
INITNNDEF int initnn_net_add_batchnorm(initnn_net *net, const char *activation, const char *gamma_init,
                                       const char *beta_init);

/* Appends layer normalization over all C H W features of each sample
   (gamma and beta per feature, NULL specs "ones" and "zeros", eps 1e-5),
   then the activation. */
INITNNDEF int initnn_net_add_layernorm(initnn_net *net, const char *activation, const char *gamma_init,
                                       const char *beta_init);

/* Closes a residual block: appends z = x P + alpha F(x), y = phi(z), where x
   is the output of layer from_layer (-1: the net's input) and F(x) the
   current output (the layers from from_layer + 1 on are the branch, at least
   one). scale_init NULL: alpha = 1, fixed; else alpha is learnable and drawn
   from that spec ("ones", "zeros" for SkipInit / ReZero). When x and F(x)
   differ in width (dense) or channels (conv, same rows and columns), P is a
   projection drawn from projection_init (NULL: "he_normal:0,fan_in" -- He
   et al. 2016 use He's init for it; fan_in = x's channels, a 1x1 kernel);
   else the identity. When F(x) has fewer rows and columns (conv), the
   branch's strides s (the product of its conv and pool strides) must give
   them as ceil(H / s) x ceil(W / s) -- 'same' convs do, a 'valid' conv or a
   pooling that drops an odd last row does not, and is refused with both
   shapes -- and P is a 1x1 convolution of stride s (no bias), whatever the
   channels. x counts as a vector of all its features when the branch has a
   dense or flatten layer (or x is one pixel), else as a map of channels. */
INITNNDEF int initnn_net_add_residual(initnn_net *net, int from_layer, const char *scale_init,
                                      const char *projection_init, const char *activation);

/* The initializations made for residual nets, applied to a built net. A
   block's branch is the layers between its input and its add; its weight
   layers are the dense and conv layers among them (nested blocks included);
   the shortcut's projection, strided or not, is no branch layer and keeps
   its own init (the Fixup authors' code draws a downsampling 1x1 conv with
   He's rule, neither scaled nor zeroed).

   Fixup (Zhang, Dauphin & Ma 2019, section 3), with L blocks of m weight
   layers:
      Rule 1  the last weight layer of each branch and the classification
              layer (the net's last weight layer, after every block) start
              at 0, biases included;
      Rule 2  the other weight layers in the branches keep their standard
              (He) draw scaled by L^(-1/(2m-2)) (initnn_fixup_scale);
      Rule 3  a scalar multiplier starting at 1 on every branch (the block's
              alpha, when it has one) and biases starting at 0: initnn uses
              each layer's bias vector (zeroed in the branches) where the
              paper adds scalar biases before each layer and activation --
              the same function at init, more parameters in training.
   With kernel spec "fixup" the net applies it itself after every draw
   (initnn_net_from_arch, initnn_net_reinit), and the arch grammar gives
   every res[...] a scalar alpha starting at 1.
   Returns 0, or an error if the net has no residual block (nothing changed). */
INITNNDEF int initnn_net_fixup(initnn_net *net);

/* SkipInit (De & Smith 2020, "Batch Normalization Biases Residual Blocks
   Towards the Identity Function in Deep Networks") and ReZero (Bachlechner
   et al. 2020, "ReZero is All You Need"): every block's branch scalar
   alpha = 0, so each block starts as the identity, x_{l+1} = x_l + 0 F(x_l),
   and the whole net as its layers outside the blocks; training grows alpha.
   (SkipInit keeps the post-add nonlinearity and targets nets without
   normalization, ReZero drops both; at init they are the same rule.) Sets
   alpha and its spec to "zeros" (a reinit keeps it). Kernel specs
   "skipinit" and "rezero" (He normal) make the arch grammar give every
   res[...] a scalar starting at 0. Returns 0, or an error if a block has no
   scalar (build it with res:zeros[...] or a scale_init) or there is none. */
INITNNDEF int initnn_net_skipinit(initnn_net *net);

/* Zero-gamma (Goyal et al. 2017, "Accurate, Large Minibatch SGD: Training
   ImageNet in 1 Hour", section 5.1): the gamma of the last normalization
   layer of every residual branch starts at 0, so each block starts as its
   shortcut. Sets that gamma and its spec to "zeros" (bn:zeros in the arch
   grammar does the same). Returns 0, or an error if some branch has no
   normalization layer (nothing changed). */
INITNNDEF int initnn_net_zero_gamma(initnn_net *net);

/* ============================================================================
   8. Optimizers

   g is the gradient (plus weight_decay * w when set), t the step count
   after increment, everything elementwise.

   SGD (momentum mu):  v = mu v + g;  w -= lr (nesterov ? g + mu v : v)
      (PyTorch's form; Sutskever et al. 2013 for Nesterov.)
   Adam (Kingma & Ba 2015), two published forms:
      m = b1 m + (1 - b1) g,  v = b2 v + (1 - b2) g^2, then
      Algorithm 1 (default; PyTorch):  w -= lr m_hat / (sqrt(v_hat) + eps),
         m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t), eps = 1e-8;
      Keras (keras_epsilon = 1; the paper's "efficient" form, Sec. 2):
         w -= lr_t m / (sqrt(v) + eps_hat), lr_t = lr sqrt(1 - b2^t) / (1 - b1^t),
         eps_hat = 1e-7 added to the uncorrected sqrt(v).
      They differ only in where epsilon sits: eps_hat = eps sqrt(1 - b2^t).
   RMSProp (Hinton, lecture 6e):  v = rho v + (1 - rho) g^2;
      w -= lr g / (sqrt(v) + eps).
   ========================================================================= */

/* Adam, Algorithm 1: lr as given, beta1 0.9, beta2 0.999, epsilon 1e-8. */
INITNNDEF initnn_optimizer initnn_adam(float learning_rate);

/* Adam in Keras' form: beta1 0.9, beta2 0.999, epsilon_hat 1e-7. */
INITNNDEF initnn_optimizer initnn_adam_keras(float learning_rate);

/* SGD with momentum (0 for none), optionally Nesterov. */
INITNNDEF initnn_optimizer initnn_sgd(float learning_rate, float momentum, int nesterov);

/* RMSProp with rho 0.9, epsilon 1e-8. */
INITNNDEF initnn_optimizer initnn_rmsprop(float learning_rate);

/* Applies one update of the net's optimizer to every parameter from the
   accumulated gradients (after clipping, if the optimizer asks for it).
   Records each layer's update norm. If any updated weight is not finite the
   step is undone (the weights before it and the step count are restored)
   and INITNN_ERR_NONFINITE is returned naming the layer; the optimizer's
   moments keep the failed update (CONVENTIONS' exceptions). */
INITNNDEF int initnn_net_step(initnn_net *net);

/* Global L2 norm of all gradients, sqrt(sum g^2), in double. */
INITNNDEF double initnn_net_grad_norm(const initnn_net *net);

/* Clips by global norm (Pascanu et al. 2013): if ||g|| > max_norm,
   g <- g max_norm / ||g||, which keeps the direction. Returns ||g|| before
   clipping. max_norm <= 0 means no clipping (g unchanged). */
INITNNDEF double initnn_clip_grad_norm(float *g, size_t n, double max_norm);

/* Clips each element to [-clip, clip]. Changes the direction. */
INITNNDEF void initnn_clip_grad_value(float *g, size_t n, float clip);

/* ============================================================================
   9. Diagnostics

   Measured on one batch, one struct per layer. "Saturated" means
   |tanh(z)| > 0.97 or sigmoid(z) outside [0.03, 0.97], where phi' has fallen
   below 1 - 0.97^2 = 6% (tanh) or 4 x 0.97 x 0.03 = 12% (sigmoid) of its
   maximum. A unit is a dense layer's output or a conv layer's channel
   (all its positions). Two kinds of measure: over outputs
   (unit x sample values: zero_fraction, saturated_fraction), which says how
   much of the signal is lost on this batch, and over units (dead_fraction,
   stuck_fraction), which says how many units pass no gradient for ANY
   sample of the batch: a ReLU unit is dead when it outputs exactly 0 for
   every sample, a tanh / sigmoid unit stuck when it is saturated for every
   sample (at every position).
   ========================================================================= */

#define INITNN_SATURATION_THRESHOLD 0.97
#define INITNN_DIAG_BINS 20

typedef struct initnn_layer_diag {
    int layer;                      /* index in the net                               */
    initnn_stats pre_activation;    /* z                                              */
    initnn_stats activation;        /* y                                              */
    initnn_stats delta;             /* dL/dz: its second moment is the backward signal */
    double zero_fraction;           /* fraction of the outputs y (units x samples)
                                       exactly 0                                      */
    double dead_fraction;           /* fraction of units 0 for every sample (ReLU)    */
    double saturated_fraction;      /* fraction of the outputs y (units x samples)
                                       beyond the threshold (tanh / sigmoid)          */
    double grad_norm;               /* ||(dW, db)|| of this layer                     */
    initnn_stats weights;           /* W                                              */
    size_t weight_histogram[INITNN_DIAG_BINS];  /* over [weights.min, weights.max]    */
    double update_ratio;            /* ||W_after - W_before|| / ||W_before|| of the
                                       last step (0 before any step)                  */
    double stuck_fraction;          /* fraction of units that pass no gradient for
                                       any sample of the batch: dead (ReLU, the same
                                       as dead_fraction) or saturated for every sample
                                       (tanh / sigmoid); 0 for other activations      */
} initnn_layer_diag;

/* Runs a forward pass (evaluation mode) on X and, when labels or targets are
   given, a backward pass (the net's gradients are overwritten), then fills
   out[0..layer_count-1]. *global_grad_norm (may be NULL) receives the norm of
   all gradients. Returns 0 or an error. */
INITNNDEF int initnn_net_diagnose(initnn_net *net, initnn_layer_diag *out, double *global_grad_norm,
                                  const float *X, const int *labels, const float *targets, int batch);

/* Fills diagnostics from the buffers of the last forward/backward without
   running anything (used by the training loop). */
INITNNDEF void initnn_net_diag_from_buffers(const initnn_net *net, initnn_layer_diag *out);

/* ============================================================================
   10. Signal-propagation theory

   Mean-field theory of wide random nets (Poole et al. 2016, "Exponential
   expressivity in deep neural networks through transient chaos";
   Schoenholz et al. 2017, "Deep information propagation"; Pennington,
   Schoenholz & Ganguli 2017, "Resurrecting the sigmoid"). With
   sigma_w^2 = fan_in Var(W) and sigma_b^2 = E[b^2], and each pre-activation
   treated as z ~ N(0, q):

      forward   q_l = sigma_w^2 E[phi(z_{l-1})^2] + sigma_b^2
                (the SECOND MOMENT q = E[z^2] propagates, not the variance:
                 when E[phi] != 0, as for ReLU, Var(phi(z)) < E[phi(z)^2]
                 and a rule built on the variance would be wrong by the
                 squared mean)
      backward  E[delta_{l-1}^2] = sigma_w^2 (n_l / n_{l-1}) E[phi'(z_{l-1})^2] E[delta_l^2]
                with delta = dL/dz; the per-layer factor at equal widths is
                chi_1 = sigma_w^2 E[phi'(z)^2]  (fan_out Var(W) = sigma_w^2 n_l / n_{l-1})
      fixed point q* = sigma_w^2 E[phi(sqrt(q*) z)^2] + sigma_b^2; the net is
                critical (at the edge of chaos) when chi_1(q*) = 1: gradients
                neither vanish nor explode, and two inputs' correlation c
                approaches its fixed point c* over the depth scale
                xi_c = -1 / ln chi_c, chi_c = sigma_w^2 E[phi'(u1) phi'(u2)]
                at c*, which diverges at criticality.

   Expectations over a Gaussian use closed forms where they exist (identity,
   ReLU, leaky ReLU, SELU) and otherwise (tanh, sigmoid) a composite 10-point
   Gauss-Legendre rule over u in [-8.5 sqrt q, 8.5 sqrt q], split at 0 (so a
   kink costs nothing) into panels no wider than min(sqrt q, 1): 18 panels
   of 10 nodes, 180 evaluations, for q <= 1; relative error below 1e-12
   for every q we tried (1e-4 to 1e2) against closed forms and a fine
   Simpson rule.

   Why not Gauss-Hermite, the textbook rule for E[f(z)]? It is exact for
   polynomials but needs its nodes to resolve f(sqrt(q) z): measured at
   order 64, its relative error on E[tanh'(z)^2] is below 1e-12 at
   q = 0.1, 2e-7 at q = 1, 3.5e-3 at q = 4 and 9% at q = 10, and on
   E[relu(z)] (a kink) 6e-3 at q = 1. The rule is here
   (initnn_quadrature_init, initnn_activation_moments_gauss_hermite) so
   that this can be seen; tests/test_theory.c checks each of these numbers.
   ========================================================================= */

#define INITNN_QUADRATURE_MAX 128

/* A Gauss-Hermite rule for expectations over N(0, 1): E[f(z)] ~ sum w_i f(x_i). */
typedef struct initnn_quadrature {
    int order;
    double node[INITNN_QUADRATURE_MAX];     /* x_i = sqrt(2) times the Hermite roots */
    double weight[INITNN_QUADRATURE_MAX];   /* w_i, summing to 1                     */
} initnn_quadrature;

/* Computes the Gauss-Hermite rule of the given order (2..128) by Newton's
   method on the normalized Hermite recurrence (Numerical Recipes' gauher;
   Golub & Welsch give the same nodes). Exact for polynomials of degree
   < 2 order. */
INITNNDEF int initnn_quadrature_init(initnn_quadrature *rule, int order);

/* Moments of an activation of z ~ N(0, q). */
typedef struct initnn_moments {
    double mean;            /* E[phi(z)]                                         */
    double second;          /* E[phi(z)^2]: what the next layer's q is made of   */
    double slope2;          /* E[phi'(z)^2]: the backward factor                 */
} initnn_moments;

/* E[phi], E[phi^2], E[phi'^2] for z ~ N(0, q), q >= 0, in closed form where
   it exists:
      identity    0,  q,  1
      relu        sqrt(q / (2 pi)),  q / 2,  1 / 2
      leaky a     (1 - a) sqrt(q / (2 pi)),  (1 + a^2) q / 2,  (1 + a^2) / 2
      selu        with e1 = e^{q/2} Phi(-sqrt q), e2 = e^{2q} Phi(-2 sqrt q):
                  lambda (sqrt(q / 2pi) + alpha (e1 - 1/2)),
                  lambda^2 (q/2 + alpha^2 (e2 - 2 e1 + 1/2)),
                  lambda^2 (1/2 + alpha^2 e2)
   and by the composite rule for tanh and sigmoid. Softmax has no
   elementwise moments (INITNN_ERR_ARGUMENT). */
INITNNDEF int initnn_activation_moments(initnn_moments *out, int activation, float param, double q);

/* The gain that keeps the second moment of a unit-variance Gaussian
   pre-activation through the activation:  g = 1 / sqrt(E[phi(z)^2]),
   z ~ N(0, 1)  -- so that Var(W) = g^2 / fan_in gives E[z_next^2] = E[z^2].
   ReLU: sqrt 2 exactly (E[relu(z)^2] = 1/2); tanh: 1.5925 (g^2 =
   1 / E[tanh(z)^2] = 2.536; tutorial step 27 prints both), not the 5/3
   of initnn_gain's table (PyTorch's value, given there without a
   derivation; 1.5925 keeps the forward second moment, not the
   gradient: chi_1 = 1.178, tutorial step 27); SELU: 1 (E[selu(z)^2] = 1 is
   its design, Klambauer et al. 2017), not the 3/4 of the table. activation is a spec as for
   initnn_activation_parse ("leaky_relu:0.2"); param overrides the slope
   when the spec has none. Returns 0 with an error set for softmax or an
   unknown name. */
INITNNDEF double initnn_gain_numeric(const char *activation, float param);

/* The same moments by the composite Gauss-Legendre rule for every
   activation (to check the closed forms against). */
INITNNDEF int initnn_activation_moments_numeric(initnn_moments *out, int activation, float param, double q);

/* The same moments by a Gauss-Hermite rule: sum_i w_i f(sqrt(q) x_i). */
INITNNDEF int initnn_activation_moments_gauss_hermite(initnn_moments *out, int activation, float param,
                                                      double q, const initnn_quadrature *rule);

/* Mean and variance of the distribution a spec draws from for a (rows,
   cols) matrix with the given fans: normal std^2, uniform (hi - lo)^2 / 12,
   truncated normal (0.8796 std)^2, variance scaling scale / n, orthogonal
   gain^2 / max(rows, cols) (every column, or row, has unit norm), sparse
   k std^2 / rows, identity gain^2 min(rows, cols) / (rows cols) (its mean
   gain min / (rows cols) is reported too). */
INITNNDEF int initnn_init_spec_moments(double *mean, double *variance, const initnn_init_spec *spec,
                                       int rows, int cols, int fan_in, int fan_out);

/* One row of the prediction-versus-measurement table. */
typedef struct initnn_layer_theory {
    int layer;              /* index in the net                                  */
    int has_params;         /* dense, conv, layernorm or residual (the other rows
                               pass values through)                              */
    double sigma_w2;        /* fan_in Var(W) from the kernel spec (layernorm:
                               E[gamma^2]; residual: E[alpha^2])                 */
    double sigma_b2;        /* E[b^2] from the bias spec (layernorm: E[beta^2])  */
    double q_predicted;     /* E[z^2] of the pre-activations                     */
    double q_measured;      /* NaN when not measured                             */
    double delta_predicted; /* E[delta^2], delta = dL/dz, anchored at the output */
    double delta_measured;
    double chi;             /* this layer's backward factor                      */
} initnn_layer_theory;

/* Predicts q and delta per layer from the specs alone, for inputs whose
   features have second moment input_second_moment (1 for z-scored data),
   with the output layer's E[delta^2] set to 1. table has layer_count rows.
   Dense, conv, dropout (evaluation mode) and flatten layers; pooling is
   INITNN_ERR_ARGUMENT. Residual nets (He et al. 2016) whose adds have no
   activation after them (pre-activation blocks): a block's add
      q = sigma_p^2 E[x^2] + E[alpha^2] E[F(x)^2]
   (sigma_p^2 = 1 for the identity shortcut, fan_in Var(P) for a
   projection), so a stack of L blocks whose branches multiply the second
   moment by c grows as (1 + c)^L, stays bounded when alpha^2 = 1/L
   ((1 + c/L)^L < e^c) and constant when alpha = 0 (SkipInit, ReZero); layer
   norm: q = E[gamma^2] + E[beta^2]. In nets with blocks or layer norm the
   backward column is NaN (the chain rule takes two paths). Refused, with
   the reason: batch normalization (its output depends on the batch or the
   running statistics, not on the layer before) and kernel spec fixup (its
   scale depends on the layer's place in the block). */
INITNNDEF int initnn_theory_predict(initnn_layer_theory *table, const initnn_net *net,
                                    double input_second_moment);

/* Prediction and measurement side by side on a batch: runs the forward pass
   (evaluation mode) and the backward pass (labels or targets), measures
   E[z^2] and E[delta^2] per layer, and predicts them from the batch's
   measured input second moment and the measured output delta. */
INITNNDEF int initnn_theory_compare(initnn_net *net, initnn_layer_theory *table, const float *X,
                                    const int *labels, const float *targets, int batch);

/* Prints the table to file, one line per layer with weights, numbered 1, 2,
   ... in that order (the first weighted layer is 1; layers without weights,
   such as dropout or pooling, are not counted), as "layer 5 of 30" counts. */
INITNNDEF void initnn_theory_print(FILE *file, const initnn_net *net, const initnn_layer_theory *table);

/* The first layer with parameters whose predicted q leaves
   [low reference, high reference], or -1; reference is the input's second
   moment. The lab flags such a net with low 0.1, high 10: "the second moment
   vanishes by layer 12". */
INITNNDEF int initnn_theory_first_bad_layer(const initnn_net *net, const initnn_layer_theory *table,
                                            double reference, double low, double high);

/* The correlation map: for two inputs whose pre-activations have second
   moment q and correlation c, the correlation one layer up,
      c' = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q',
   u1 = sqrt(q) z1, u2 = sqrt(q) (c z1 + sqrt(1 - c^2) z2): in closed form
   for identity, ReLU and leaky ReLU (the arc-cosine kernel), otherwise by
   the composite rule in both z1 and z2 (for SELU, whose kink falls inside a
   panel there, to within 1e-6, as tests/test_theory.c checks). */
INITNNDEF int initnn_theory_correlation_map(double *c_next, int activation, float param, double sigma_w2,
                                            double sigma_b2, double q, double c);

/* The fixed point of a deep net with these statistics: q*, c*, chi_1 at q*,
   chi_c at c* and the depth scale xi_c = -1 / ln chi_c (Inf at chi_c = 1).
   Any output pointer may be NULL; c*, chi_c and xi_c (2-D integrals,
   iterated) are computed only when asked for. For homogeneous activations
   (identity, ReLU, leaky ReLU) with sigma_b^2 = 0 every q is a fixed point
   up to scale; q* = 1 is reported. Where the length map collapses
   (sigma_b^2 = 0, chi_1 < 1) q* = 0 and the limits at q -> 0 are reported. */
INITNNDEF int initnn_theory_fixed_point(double *q_star, double *c_star, double *chi_1, double *chi_c,
                                        double *xi_c, int activation, float param, double sigma_w2,
                                        double sigma_b2);

/* The critical sigma_w^2 for the activation and sigma_b^2: the root of
   chi_1(q*(sigma_w^2)) = 1, by bisection on [0.05, 1000]. With sigma_b^2 =
   0 and phi(0) = 0 it is where q = 0 stops being stable, 2 / (phi'(0+)^2 +
   phi'(0-)^2). Known values: tanh with sigma_b^2 = 0 at 1, ReLU at 2 for
   every sigma_b^2; sigmoid (phi(0) = 1/2) only near 100 (103.0 at
   sigma_b^2 = 0; tests/test_theory.c checks it). */
INITNNDEF int initnn_theory_critical_sigma_w2(double *sigma_w2, int activation, float param, double sigma_b2);

/* Singular values of a (rows, cols) matrix, largest first, min(rows, cols)
   of them, by one-sided Jacobi rotations in double (Hestenes 1958) to full
   precision. */
INITNNDEF int initnn_singular_values(double *values, const float *A, int rows, int cols);

/* The input-output Jacobian of a dense net at one input x (input_dim):
   J[i][j] = d y_j / d x_i for the last layer's output y, as the product
   W_1 D_1 W_2 D_2 ... W_L D_L with D_l = diag(phi'(z_l)). J is (input_dim,
   output_dim). Dense, dropout (evaluation) and flatten layers; the last
   layer may not be softmax. */
INITNNDEF int initnn_net_jacobian(initnn_net *net, float *J, const float *x);

/* ============================================================================
   11. Training loop
   ========================================================================= */

/* A data set view: features as float or as uint8 (scaled by 1/255 when a
   batch is formed, so MNIST costs 1 byte a pixel), with class labels or
   regression targets. The view owns nothing. */
typedef struct initnn_data {
    int count;                  /* samples                                        */
    int features;               /* per sample                                     */
    const float *x;             /* (count, features), or NULL when x_u8 is used   */
    const uint8_t *x_u8;        /* (count, features) bytes, scaled by 1/255       */
    const int *labels;          /* (count) classes, or NULL                       */
    const float *targets;       /* (count, target_dim), or NULL                   */
    int target_dim;
    int classes;                /* number of classes (labels in [0, classes))     */
    void *storage;              /* what initnn_data_free releases; NULL in a view */
    const char *const *class_names;   /* (classes) the text labels class k came
                                   from (a CSV of string labels), or NULL; freed
                                   with the storage                               */
} initnn_data;

/* One epoch's record, handed to the callback. */
typedef struct initnn_epoch_record {
    int epoch;                  /* 1-based                                        */
    double train_loss;          /* mean over the epoch's batches (as trained)     */
    double train_metric;        /* accuracy (classification) or MAE (regression)  */
    double val_loss, val_metric;   /* NaN without validation data                 */
    double grad_norm;           /* mean global gradient norm over the batches     */
    double zero_fraction;       /* ReLU outputs exactly 0, all ReLU layers, last batch */
    double seconds;             /* wall time of the epoch                         */
    int is_best;                /* validation loss improved                       */
    int layer_count;
    const initnn_layer_diag *layers;   /* per layer, on the last training batch   */
} initnn_epoch_record;

typedef struct initnn_train_config {
    int epochs;                 /* default 10                                     */
    int batch_size;             /* default 32, capped at the net's max_batch      */
    float validation_split;     /* fraction held out from the end of train when no
                                   validation set is given (0: none)              */
    int patience;               /* early stopping on val loss; 0: off             */
    int restore_best;           /* with patience: restore the best weights        */
    int shuffle;                /* reshuffle every epoch (default 1)              */
    int lsuv;                   /* run LSUV on the first batch before training    */
    void (*on_epoch)(const initnn_epoch_record *record, void *user);
    void *user;
    /* Called after every training batch (NULL: not called), e.g. to show
       progress within a long epoch: the 1-based epoch, the batches done of
       the epoch's batch_count, and the mean training loss of the epoch's
       samples so far. */
    void (*on_batch)(int epoch, int batches_done, int batch_count, double loss_so_far, void *user);
} initnn_train_config;

/* The defaults above. */
INITNNDEF initnn_train_config initnn_train_defaults(void);

/* Copies samples [start, start+batch) (or those listed in index, when not
   NULL) into X (batch, features) as floats, and their labels / targets. */
INITNNDEF void initnn_data_batch(float *X, int *labels, float *targets, const initnn_data *data,
                                 const int *index, int start, int batch);

/* One training step on a batch: zero_grad, forward (training), backward,
   a check that the loss and every gradient are finite, step. *loss (may be
   NULL) gets the batch loss, *grad_norm (may be NULL) the global gradient
   norm before clipping. On a NaN or Inf, no update is made and
   INITNN_ERR_NONFINITE says where (loss, or the layer whose gradient); the
   gradients and *loss are then the failed batch's. Bad labels and inputs
   fail before anything is changed. */
INITNNDEF int initnn_net_train_batch(initnn_net *net, const float *X, const int *labels,
                                     const float *targets, int batch, float *loss,
                                     double *grad_norm);

/* Loss and metric (accuracy or MAE) of the net on data, in batches of up to
   max_batch, in evaluation mode. */
INITNNDEF int initnn_net_evaluate(initnn_net *net, double *loss, double *metric,
                                  const initnn_data *data);

/* Trains for cfg->epochs on train, with val (may be NULL) or the
   validation_split for validation, early stopping and the epoch callback.
   Batches are shuffled with the net's generator. Stops with
   INITNN_ERR_NONFINITE, weights of the last finite step kept, the moment a
   loss or gradient is NaN or Inf. *epochs_run (may be NULL) gets the number
   of epochs completed. Built with OpenMP, it times a few batches on one
   thread and on every thread allowed (omp_get_max_threads), trains on the
   faster and times both again every few seconds: on a machine where
   another process holds a core, every parallel region waits for it and
   one thread is faster. On Linux, when the kernel's count of runnable tasks
   (/proc/loadavg) says the other processes hold the cores the threads
   would need, it stays on one thread without the trial. The results are
   the same for any thread count; the OpenMP setting is restored on return.
   On every batch of an epoch but the last, a ReLU conv layer followed by a
   2 x 2 max pool runs one sample at a time in cache (section 16, with the
   same results) and does not keep its z, y and dz: the layers' buffers are
   whole after the epoch's last batch, where the diagnostics read them. */
INITNNDEF int initnn_net_train(initnn_net *net, const initnn_data *train, const initnn_data *val,
                               const initnn_train_config *cfg, int *epochs_run);

/* Layer-sequential unit-variance initialization (Mishkin & Matas 2016,
   "All you need is a good init", Algorithm 1): starting from orthogonal
   kernels (the caller's spec "lsuv" draws them), for each dense or conv layer in
   turn, forward the batch and scale W by 1/sqrt(Var(z)) until
   |Var(z) - 1| < tol (default 0.1 if tol <= 0) or max_iter scalings
   (default 10 if <= 0). iterations (may be NULL) gets the count per layer
   (layer_count entries, 0 for layers that are not dense). If a layer's
   output variance is 0 or not finite, INITNN_ERR_NONFINITE, and the
   weights of every layer are restored. */
INITNNDEF int initnn_lsuv(initnn_net *net, const float *X, int batch, float tol, int max_iter,
                          int *iterations);

/* ============================================================================
   12. Data

   Loaders and generators fill an initnn_data (section 11) whose arrays they
   allocate; initnn_data_free releases them. Views made by initnn_data_split
   or by hand point into another set and own nothing.

   Memory: image sets stay uint8 (x_u8) and are scaled to [0, 1] a batch at a
   time, so the full MNIST training set costs 60000 x 784 = 47,040,000 bytes
   (44.9 MiB) plus 240 KB of labels, a quarter of float32.

   Every loader checks what it reads and fails with INITNN_ERR_FORMAT (or
   _IO, _OVERFLOW, _MEMORY) and a message naming the file, the position and
   the reason; on failure *out is left empty (all zero) and nothing leaks
   (the generators' too), so initnn_data_free(out) is always safe.
   ========================================================================= */

/* Frees what a loader or generator allocated and zeroes *data. A view (no
   storage) is only zeroed. */
INITNNDEF void initnn_data_free(initnn_data *data);

/* Two-moons (as scikit-learn's make_moons): two interleaving half circles,
   class 0 on (cos t, sin t) and class 1 on (1 - cos t, 1/2 - sin t), t in
   [0, pi] evenly spaced, plus N(0, noise^2) on each coordinate; shuffled.
   2 features, 2 classes. */
INITNNDEF int initnn_make_moons(initnn_data *out, int count, float noise, uint64_t seed);

/* Two concentric circles (scikit-learn's make_circles): class 0 on the unit
   circle, class 1 on the circle of radius factor (0 < factor < 1), plus
   N(0, noise^2); shuffled. 2 features, 2 classes. */
INITNNDEF int initnn_make_circles(initnn_data *out, int count, float noise, float factor, uint64_t seed);

/* classes interleaved spiral arms (the CS231n toy set): arm k has radius r
   from 0 to 1 and angle 4 r + 2 pi k / classes ... plus N(0, noise^2) on the
   angle. 2 features. */
INITNNDEF int initnn_make_spirals(initnn_data *out, int count, int classes, float noise, uint64_t seed);

/* Linear regression with noise: x ~ N(0, I) with `features` coordinates,
   target y = x . w + 1/2 + N(0, noise^2), w ~ N(0, 1/features) drawn from
   the same seed, so Var(y) is about 1 + noise^2. target_dim 1. */
INITNNDEF int initnn_make_regression(initnn_data *out, int count, int features, float noise, uint64_t seed);

/* IDX files (LeCun's MNIST format, also Fashion-MNIST): images (magic
   0x00000803: u8, 3 dimensions, count x rows x cols, big-endian sizes) and
   labels (0x00000801: u8, 1 dimension). Checks the magics, the dimensions,
   that the file lengths match exactly and that the counts agree, and that
   labels are < 10... (classes = max label + 1). Images stay uint8; they
   may be of any size (features = rows x cols; the sizes themselves are the
   file's big-endian words at offsets 8 and 12).
   labels_path may be NULL (images only, classes 0). */
INITNNDEF int initnn_load_idx(initnn_data *out, const char *images_path, const char *labels_path);

/* A CSV file of numbers, comma-separated, one sample a line; a UTF-8
   byte-order mark at the start is skipped. has_header = 1 takes the first
   line as column names. target names the target column: a header name, or a
   0-based index, or "-1" for the last column (an unknown name is an error
   listing the columns found). classification = 1 reads the target as class
   labels: whole numbers >= 0 (classes = max + 1), or, when any label is not
   a number, text labels ("setosa", "cat"), which become classes 0, 1, ... in
   strcmp order of their names, kept in out->class_names. classification = 0
   reads a regression target (target_dim 1). Empty lines are skipped; a
   non-numeric cell, a cell holding a NUL byte, a number beyond float range
   (|v| > FLT_MAX, which would become inf), a ragged row or an empty file is
   an error naming the line and column. */
INITNNDEF int initnn_load_csv(initnn_data *out, const char *path, const char *target, int has_header,
                              int classification);

/* CIFAR-10 / CIFAR-100 binary batches (Krizhevsky 2009): each record is
   1 label byte (CIFAR-10), or a coarse and a fine label byte (CIFAR-100),
   then 3072 bytes: 1024 red, 1024 green, 1024 blue, rows of 32. Features
   are kept in that channel-major (3, 32, 32) order as uint8. cifar100 = 0
   reads CIFAR-10 (10 classes), 1 the coarse labels (20), 2 the fine (100).
   The files are concatenated in the order given; each length must be a whole
   number of records. */
INITNNDEF int initnn_load_cifar(initnn_data *out, const char *const *paths, int path_count, int cifar100);

/* Splits data into views: first gets the leading samples, second the last
   round(fraction * count) (0 < fraction < 1, both sides non-empty). */
INITNNDEF int initnn_data_split(initnn_data *first, initnn_data *second, const initnn_data *data, float fraction);

/* z-score standardization: mean and std of each feature over data (float
   features), std of a constant feature taken as 1. */
INITNNDEF int initnn_standardize_fit(float *mean, float *std, const initnn_data *data);

/* x = (x - mean) / std for each of count rows of features floats, in place:
   fit on the training set, apply the same to every other set. */
INITNNDEF void initnn_standardize_apply(float *x, int count, int features, const float *mean, const float *std);

/* ============================================================================
   13. Checkpoints and .npy

   Checkpoint file, version 2, all little-endian:
      "INITNNCK"                       8 bytes
      u32 version = 2, u32 input_dim, input_c, input_h, input_w,
      u32 layer_count, u32 loss
      per layer: u32 type, in, out, activation; f32 activation_param, rate;
                 u32 out_c, out_h, out_w, kernel_h, kernel_w, stride,
                 same_padding;
                 char kernel_init[64], bias_init[64], activation_spec[64]
                 then, for the layer types that need it (the layer-type
                 extension; the other types write nothing more):
                 batchnorm  f32 momentum, epsilon, running_mean[out_c],
                            running_var[out_c]
                 layernorm  f32 epsilon
                 residual   u32 skip_from + 1 (0: the net's input),
                            u32 has_scale (the shortcut's stride is the
                            stride above: 0, or s >= 2 for a branch that
                            downsamples; it is recomputed from the layers
                            when loaded and must agree)
                 (for these the specs are gamma's and beta's, or the
                 projection's and the scale's)
      u64 param_count; f32 params[param_count]
      optimizer: u32 type, nesterov, keras_epsilon; f32 learning_rate,
                 momentum, beta1, beta2, epsilon, rho, weight_decay,
                 clip_norm, clip_value; i64 step; f32 m[param_count],
                 v[param_count]
      rng: u64 state, inc, seed
      optional chunks (version 2), each: char tag[4], u32 length, then
                 length bytes; a reader skips a tag it does not know
        "PREP"   what the inputs went through in training
                 (initnn_preprocessing): f32 input_scale, u32 features
                 (0: no z-score, else input_dim), f32 mean[features],
                 f32 std[features]
        "CLAS"   class names: u32 class_count, then per class u32 length
                 and that many bytes of UTF-8 (no terminating NUL); class k
                 is the k-th name (string labels sorted by strcmp)
      u32 CRC-32 (IEEE 802.3, as zlib) of every byte before it
   Version 1 is version 2 without chunks; it is still read (no preprocessing,
   no class names).
   Saving goes through initnn_file (section 1): a new temporary beside PATH,
   every write checked, synced, renamed over PATH, so a crash, a full disk
   or a second writer never leaves a half-written checkpoint; it refuses
   non-finite weights. .npy, SVG and PNG files are written the same way.

   Applying a model from NumPy: the weights are params in layer order, each
   layer's W (fan_in x fan_out, row-major) then b; the features of a raw
   sample v (a CSV row without the target, or image bytes) are
       x = (v * input_scale - mean) / std     # mean, std as float32 arrays
   and the predicted class k of a classifier (argmax of the output) is named
   class_names[k] when the checkpoint has a "CLAS" chunk. Read a chunk with
       tag, n = f.read(4), int.from_bytes(f.read(4), "little")
       scale = np.frombuffer(body, "<f4", 1, 0)[0]
       k = int.from_bytes(body[4:8], "little")
       mean = np.frombuffer(body, "<f4", k, 8); std = np.frombuffer(body, "<f4", k, 8 + 4 * k)
   ========================================================================= */

/* Writes the net (architecture, weights, optimizer state, generator).
   INITNN_ERR_NONFINITE, nothing written, for a non-finite weight or an
   optimizer moment that initnn_net_load would refuse (not finite, or a
   negative second moment). */
INITNNDEF int initnn_net_save(const initnn_net *net, const char *path);

/* Reads a checkpoint into a new net with the given max_batch. Every field
   is validated; a bad magic, version, size, checksum or a truncated file is
   INITNN_ERR_FORMAT with the offset and reason, and so are non-finite
   weights and optimizer moments that are not finite or (the second
   moments) negative, which would make the first update NaN; *out is then
   NULL. A path that is not a regular file (a directory, a FIFO, a device)
   is INITNN_ERR_IO before anything is read; so it is for every loader of
   section 12. */
INITNNDEF int initnn_net_load(initnn_net **out, const char *path, int max_batch);

/* Reads a checkpoint into an existing net, which must have the same
   architecture (else INITNN_ERR_FORMAT naming the first difference). */
INITNNDEF int initnn_net_load_into(initnn_net *net, const char *path);

/* CRC-32 (reflected polynomial 0xEDB88320), continuing from crc (0 to start). */
INITNNDEF uint32_t initnn_crc32(uint32_t crc, const void *data, size_t n);

/* Writes a float32 array as NumPy .npy (format 1.0, '<f4', C order) of
   ndim (1..8) dimensions. */
INITNNDEF int initnn_npy_write(const char *path, const float *data, int ndim, const int *shape);

/* Reads a .npy of '<f4' or '<f8' (converted to float), C order, up to 8
   dimensions. *data is allocated with INITNN_MALLOC (free with INITNN_FREE
   or initnn_free); shape gets ndim entries. On failure *data is NULL and
   ndim and shape are untouched. */
INITNNDEF int initnn_npy_read(float **data, int *ndim, int shape[8], const char *path);

/* Writes the net's state into the existing directory dir, one .npy
   (initnn_npy_write: '<f4', C order) per array, named by the layer's index
   in net->layers (from 0, three digits, so that the names sort in layer
   order) and the array:
      dense      layerNNN_dense_kernel.npy   (in, out): Y = X W + b
                 layerNNN_dense_bias.npy     (out)
      conv2d     layerNNN_conv_kernel.npy    (c_in, k_h, k_w, c_out): the
                 header's (c_in k_h k_w, c_out) matrix with its rows split
                 (PyTorch's weight is w.transpose(3, 0, 1, 2))
                 layerNNN_conv_bias.npy      (c_out)
      batchnorm  layerNNN_bn_gamma.npy, _bn_beta.npy, _bn_running_mean.npy,
                 _bn_running_var.npy         (C) each: C = channels (conv)
                                             or features (dense)
      layernorm  layerNNN_ln_gamma.npy, _ln_beta.npy   (C H W) each
      residual   layerNNN_res_projection.npy (skip_c, out_c), if the block
                 has a projection; layerNNN_res_alpha.npy (1), if it has a
                 branch scalar (SkipInit, ReZero, Fixup's multiplier)
   e.g. layer003_bn_running_var.npy. Dropout, pooling and flatten hold no
   state and write nothing; Fixup's scalar biases are the layers' bias
   vectors (initnn_net_fixup). The optimizer's moments and the generator
   are not written: initnn_net_save keeps them. Non-finite values are
   written as they are (to look at a diverged net). Each file is complete or
   absent (initnn_file); on a failure (INITNN_ERR_IO naming the file, a
   missing directory included) the files written before it stay. */
INITNNDEF int initnn_net_export_npy(const initnn_net *net, const char *dir);

/* Frees memory that initnn allocated for the caller. */
INITNNDEF void initnn_free(void *p);

/* Records in the net what its inputs went through in training, saved with
   it (chunks "PREP", "CLAS"): mean and std (input_dim each, std > 0; both
   NULL: no z-score), the input_scale the loader applied (> 0; 1 for CSV,
   1/255 for image bytes), and class_count names of the classes (NULL, 0:
   none). Copies everything; replaces what was recorded before. */
INITNNDEF int initnn_net_set_preprocessing(initnn_net *net, const float *mean, const float *std, float input_scale,
                                           const char *const *class_names, int class_count);

/* x = (x - mean) / std with the net's recorded z-score, in place, for count
   rows of input_dim features as the library's loaders give them (already
   times input_scale). Nothing recorded: x is left as it is. */
INITNNDEF void initnn_net_preprocess(const initnn_net *net, float *x, int count);

/* initnn_net_evaluate on data as loaded, before any preprocessing: every
   batch goes through initnn_net_preprocess, and when both the data and the
   net have class names, the data's labels are mapped to the net's classes
   by name (a name the net does not know is INITNN_ERR_ARGUMENT). This is how
   a model reloaded from a checkpoint is evaluated on a new file. */
INITNNDEF int initnn_net_evaluate_raw(initnn_net *net, double *loss, double *metric, const initnn_data *data);

/* ============================================================================
   14. Plots (SVG)

   A line chart as a standalone SVG 1.1 file: title, labelled axes with
   ticks at 1-2-5 steps (or decades with log_y), a legend, and for each
   series an optional shaded band (y_low..y_high, e.g. mean +- std over
   seeds). Needs nothing beyond the C library. Any double is safe: a point
   that is NaN, infinite or beyond +-1e300 (where the data's range would
   overflow) is missing -- it breaks its line and does not count for the
   axes -- and the file never holds a "nan" or "inf".

   The legend is as wide as its longest label needs: label widths are
   estimated from the advance widths of DejaVu Sans, the widest of the
   common sans-serif fonts a viewer falls back to (Helvetica and Arial are
   narrower), so no label is cut whichever font draws it. A zeroed
   initnn_plot gives the defaults: 720 x 440, 1-2-5 ticks, the y axis
   spanning the data.
   ========================================================================= */

typedef struct initnn_plot_series {
    const char *label;
    const double *x, *y;        /* n points                                        */
    const double *y_low, *y_high;   /* band, or NULL                              */
    int n;
} initnn_plot_series;

typedef struct initnn_plot {
    const char *title, *x_label, *y_label;
    int log_y;                  /* logarithmic y axis (non-positive values skipped) */
    int width, height;          /* pixels; 0 gives 720 x 440                        */
    int markers;                /* draw a dot at every point                        */
    int integer_x;              /* x ticks on whole numbers only (epochs, layers):  */
                                /* a step of 1, 2, 5, 10, ... never 0.2             */
    double y_min, y_max;        /* the y axis spans exactly [y_min, y_max] (on a    */
                                /* log axis both > 0, ticks at decades); a line or  */
                                /* band leaving it is clipped at the plot's edge.   */
                                /* Both 0: the data's range, padded by 4%           */
} initnn_plot;

/* Writes the chart to path (all or nothing, through initnn_file). Series s is drawn
   in palette colour s % 10, solid. The plot area is width x height less
   the margins, with 170 pixels right of it for the legend; a longer label
   or more series than fit beside the plot widen or lengthen the picture
   beyond width x height rather than cut the legend. Fails with
   INITNN_ERR_ARGUMENT for a y range that is not finite with y_min < y_max
   (and y_min > 0 on a log axis). */
INITNNDEF int initnn_plot_svg(const char *path, const initnn_plot *plot, const initnn_plot_series *series,
                              int series_count);

/* How one series is drawn by initnn_plot_svg_styled. */
typedef struct initnn_plot_style {
    int color;                  /* palette index, 0..9 (taken modulo 10)            */
    int dashed;                 /* dashed line, e.g. a prediction drawn beside the  */
                                /* measurement in the same colour                   */
    int markers;                /* a dot at every point (as plot->markers does for  */
                                /* every series)                                    */
} initnn_plot_style;

/* initnn_plot_svg with a style per series (styles[s] for series[s]); NULL
   styles is initnn_plot_svg. */
INITNNDEF int initnn_plot_svg_styled(const char *path, const initnn_plot *plot, const initnn_plot_series *series,
                                     const initnn_plot_style *styles, int series_count);

/* ============================================================================
   15. Images (optional: define INITNN_WITH_STB)

   The one section with a dependency: stb_image and stb_image_write (Debian
   libstb-dev: cc ... -DINITNN_WITH_STB $(pkg-config --cflags --libs stb)).
   Without INITNN_WITH_STB none of it is compiled and the header needs only
   libm. With it, the implementation includes <stb_image.h> and
   <stb_image_write.h>; link -lstb, or compile stb yourself by defining
   STB_IMAGE_IMPLEMENTATION and STB_IMAGE_WRITE_IMPLEMENTATION in one file.
   ========================================================================= */

#ifdef INITNN_WITH_STB

/* MNIST preprocessing of a grayscale image (LeCun et al. 1998, as the MNIST
   page describes it): gray is width x height bytes, row-major. The image is
   inverted when its border is lighter than its middle (ink on paper), the
   background level subtracted and the contrast stretched to [0, 1]; the
   ink's bounding box (pixels above 10% of the maximum) is scaled by area
   averaging so that its longer side is 20 pixels, aspect ratio kept, and
   placed in a 28 x 28 frame with its centre of mass at the centre (14, 14).
   out gets 784 values in [0, 1], row-major. An image with no ink is
   INITNN_ERR_FORMAT. */
INITNNDEF int initnn_image_to_mnist(float *out, const unsigned char *gray, int width, int height);

/* Loads a PNG, JPEG, BMP, GIF, TGA or PNM file with stb_image, converts it
   to gray (alpha composited over white) and preprocesses it as above. An
   unreadable file is INITNN_ERR_IO or INITNN_ERR_FORMAT with stb's reason. */
INITNNDEF int initnn_image_load_mnist(float *out, const char *path);

/* Writes a PNG grid of tiles, one per column of W (fan_in, units): tile j
   shows W[:, j] as a tile_h x tile_w picture (tile_h tile_w = fan_in),
   on one symmetric diverging scale for the whole grid (blue negative, white
   0, red positive, saturated at the largest |w| shown). At most max_tiles
   tiles (0: all). For the first layer of an MNIST net these are the 28 x 28
   "filters" each hidden unit looks for. */
INITNNDEF int initnn_image_write_weights_png(const char *path, const float *W, int fan_in, int units,
                                             int tile_h, int tile_w, int max_tiles);

/* Writes a PNG grid of count sample images x (count, tile_h tile_w, values
   in [0, 1], white ink on black) with each sample's predicted label drawn
   under it, green when it equals labels[i] and red when not (labels may be
   NULL: white). */
INITNNDEF int initnn_image_write_samples_png(const char *path, const float *x, const int *predicted,
                                             const int *labels, int count, int tile_h, int tile_w);

#endif /* INITNN_WITH_STB */

#ifdef __cplusplus
}
#endif

#endif /* INITNN_H_INCLUDED */

/* ////////////////////////////   end header file   //////////////////////////// */

#ifdef INITNN_IMPLEMENTATION
#ifndef INITNN_IMPLEMENTATION_DONE
#define INITNN_IMPLEMENTATION_DONE

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <float.h>
#include <limits.h>
#include <time.h>
#include <errno.h>

/* Files (section 1): on POSIX systems the writer syncs its data to the disk
   (fsync), keeps a replaced file's permission bits and refuses to read what
   is not a regular file (a directory, a FIFO, a device). These headers
   declare what that needs even in strict C99 mode; elsewhere the header
   uses C stdio alone. */
#if (defined(__unix__) || defined(__unix) || (defined(__APPLE__) && defined(__MACH__))) && !defined(INITNN_NO_POSIX)
#define INITNN__POSIX 1
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#endif

#if defined(INITNN_MALLOC) && defined(INITNN_FREE)
/* ok */
#elif !defined(INITNN_MALLOC) && !defined(INITNN_FREE)
#define INITNN_MALLOC(size) malloc(size)
#define INITNN_FREE(ptr) free(ptr)
#else
#error "Must define both or neither of INITNN_MALLOC and INITNN_FREE."
#endif

#ifndef INITNN_ASSERT
#include <assert.h>
#define INITNN_ASSERT(x) assert(x)
#endif

#ifdef _OPENMP
#include <omp.h>
#endif

/* How many slots of consecutive samples the fast conv layer cuts a batch
   into (section 16): the most threads that share one conv layer's work. */
#define INITNN__CONV_SLOTS 8
/* Floats to spare after each slot's im2col: a chunk of a row may be written
   whole past the row's end (section 16, im2col and col2im). */
#define INITNN__SPILL 16

/* Fast paths (section 16), the OpenMP part. A loop over the samples of a
   batch whose iterations write disjoint memory (pooling, activations,
   dropout) runs on OpenMP's threads when OpenMP is on: the same operations
   on the same values, so no result depends on the number of threads. The
   loop's batch size must be named batch. Empty without OpenMP and in
   INITNN_REFERENCE builds. */
/* INITNN__FOR_CHUNKS does the same for a pass over a long array cut into
   chunks of INITNN__CHUNK floats (the loop's count must be named chunks),
   and INITNN__FOR_CHUNKS_ANY for one that ORs a flag named bad over them:
   an OR is the same in any order. */
#define INITNN__CHUNK 16384
#if defined(_OPENMP) && !defined(INITNN_REFERENCE)
#define INITNN__FOR_SAMPLES _Pragma("omp parallel for schedule(static) if (batch >= 4)")
#define INITNN__FOR_CHUNKS _Pragma("omp parallel for schedule(static) if (chunks >= 4 && !omp_in_parallel())")
#define INITNN__FOR_CHUNKS_ANY \
    _Pragma("omp parallel for schedule(static) reduction(|:bad) if (chunks >= 4 && !omp_in_parallel())")
#else
#define INITNN__FOR_SAMPLES
#define INITNN__FOR_CHUNKS
#define INITNN__FOR_CHUNKS_ANY
#endif

#ifdef INITNN_WITH_STB
#include <stb_image.h>
#include <stb_image_write.h>
#endif

#if defined(__AVX2__) && defined(__FMA__) && !defined(INITNN_NO_SIMD) && !defined(INITNN_REFERENCE)
#define INITNN__AVX2 1
#include <immintrin.h>
#if defined(__AVX512F__) && !defined(INITNN_NO_AVX512)
#define INITNN__AVX512 1
#endif
#endif

/* Thread-local storage for the error message, where the compiler has it. */
#if defined(__cplusplus) && __cplusplus >= 201103L
#define INITNN__THREAD_LOCAL thread_local
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && !defined(__STDC_NO_THREADS__)
#define INITNN__THREAD_LOCAL _Thread_local
#elif (defined(__GNUC__) || defined(__clang__)) && !defined(__TINYC__)
#define INITNN__THREAD_LOCAL __thread
#elif defined(_MSC_VER)
#define INITNN__THREAD_LOCAL __declspec(thread)
#else
#define INITNN__THREAD_LOCAL
#endif

/* restrict lets the compiler vectorize loops over arrays it would otherwise
   have to assume overlap; C++ spells it __restrict. */
#ifdef __cplusplus
#define INITNN__RESTRICT __restrict
#else
#define INITNN__RESTRICT restrict
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The fast paths (section 16), declared here so that the lessons can call
   them; with INITNN_REFERENCE each is the lesson's own loop. */
static void initnn__fast_gemm(float *C, const float *A, int a_trans, const float *B, int b_trans,
                              int M, int K, int N, int accumulate);
static int initnn__fast_conv_forward(initnn_layer *l, const float *X, int batch);
static int initnn__fast_conv_backward(initnn_layer *l, float *dX, const float *X, int batch);
static int initnn__fast_maxpool_2x2(float *y, int *argmax, const float *x, const initnn_layer *l);
static int initnn__fast_conv_block_forward(initnn_net *net, int i, const float *X, int batch);
static int initnn__fast_conv_block_backward(initnn_net *net, int i, int batch);
static void initnn__fast_conv_block_outputs(initnn_net *net, int batch);
static size_t initnn__fast_adam_lanes(float *w, float *m, float *v, const float *g, size_t n,
                                      const initnn_optimizer *opt, float inv1, float inv2);
typedef struct initnn__threads {
    int most, current;          /* the most threads allowed; those in use          */
    int trial, batch;           /* 0: none; 1: timing one thread; 2: timing all     */
    double one_thread;          /* seconds per sample on one thread, last trial     */
    double all_threads;         /* and on all of them, when they won                */
    double samples, seconds;    /* since the trial's first timed batch (or, between
                                   trials, seconds since the last)                  */
    double retry;               /* seconds of training until the next trial         */
    int chosen;                 /* what the last trial chose (0: none yet)          */
    int cores;                  /* the machine's cores when the kernel's count of
                                   runnable tasks can speak for ours, else 0        */
    int crowded;                /* every look at that count in this trial said the
                                   other processes leave too few cores free         */
    int started;                /* the threads have been started                    */
    clock_t cpu_mark;           /* the process's CPU time and the wall time at      */
    double wall_mark;           /* the last look                                    */
} initnn__threads;
static void initnn__threads_begin(initnn__threads *t);
static void initnn__threads_batch(initnn__threads *t, double seconds, int samples);
static void initnn__threads_end(const initnn__threads *t);

/* ////////////////////////////////////////////////////////////////////////////
   1. Errors and configuration
   //////////////////////////////////////////////////////////////////////////// */

static INITNN__THREAD_LOCAL char initnn__error_message[512];

INITNNDEF const char *initnn_last_error(void) { return initnn__error_message; }

INITNNDEF void initnn_clear_error(void) { initnn__error_message[0] = '\0'; }

/* Formats the message and returns code, so that a failure reads
   return initnn__fail(INITNN_ERR_ARGUMENT, "fan_in must be >= 1, got %d", fan_in); */
static int initnn__fail(int code, const char *format, ...)
{
    /* Formatted apart first: a caller may pass the current message as an
       argument, to wrap it ("bias spec: %s"), and vsnprintf must not write
       over what it is reading. */
    char message[sizeof initnn__error_message];
    va_list args;
    va_start(args, format);
    vsnprintf(message, sizeof message, format, args);
    va_end(args);
    memcpy(initnn__error_message, message, sizeof message);
    return code;
}

/* rows * cols as a checked element count: 0 and the message set when either
   is < 1 or the product exceeds INITNN_MAX_ELEMENTS. */
static size_t initnn__count2(const char *who, const char *what_rows, int rows,
                             const char *what_cols, int cols, int *err)
{
    if (rows < 1) { *err = initnn__fail(INITNN_ERR_ARGUMENT, "%s: %s must be >= 1, got %d", who, what_rows, rows); return 0; }
    if (cols < 1) { *err = initnn__fail(INITNN_ERR_ARGUMENT, "%s: %s must be >= 1, got %d", who, what_cols, cols); return 0; }
    if ((int64_t)rows * (int64_t)cols > (int64_t)INITNN_MAX_ELEMENTS) {
        *err = initnn__fail(INITNN_ERR_OVERFLOW, "%s: %s x %s = %d x %d overflows the %d-element limit",
                            who, what_rows, what_cols, rows, cols, INITNN_MAX_ELEMENTS);
        return 0;
    }
    *err = INITNN_OK;
    return (size_t)rows * (size_t)cols;
}

/* n elements of size bytes (at least one), or NULL when the allocation
   fails or n * size does not fit a size_t -- 2^31 ints are beyond a 32-bit
   size_t, and the product must not wrap to a small buffer there. */
static void *initnn__alloc_array(size_t n, size_t size)
{
    if (n == 0) n = 1;
    if (n > (size_t)-1 / size) return NULL;
    return INITNN_MALLOC(n * size);
}

/* ---- files: whole-file reads, bounds-checked parsing, atomic writes -------
   Used by the loaders (section 12), checkpoints (13) and plots (14). */

INITNNDEF uint32_t initnn_crc32(uint32_t crc, const void *data, size_t n)
{
    /* Half-byte table for the reflected polynomial 0xEDB88320. */
    static const uint32_t table[16] = {
        0x00000000u, 0x1db71064u, 0x3b6e20c8u, 0x26d930acu, 0x76dc4190u, 0x6b6b51f4u, 0x4db26158u, 0x5005713cu,
        0xedb88320u, 0xf00f9344u, 0xd6d6a3e8u, 0xcb61b38cu, 0x9b64c2b0u, 0x86d3d2d4u, 0xa00ae278u, 0xbdbdf21cu
    };
    const unsigned char *p = (const unsigned char *)data;
    size_t i;
    crc = ~crc;
    for (i = 0; i < n; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ table[crc & 15u];
        crc = (crc >> 4) ^ table[crc & 15u];
    }
    return ~crc;
}

/* ---- little-endian writing with a running CRC ---------------------------- */

typedef struct initnn__writer {
    FILE *file;
    uint32_t crc;
    int failed;          /* 0, or the errno of the first failed write (-1: none) */
} initnn__writer;

static void initnn__put(initnn__writer *w, const void *p, size_t n)
{
    if (w->failed) return;
    errno = 0;
    if (fwrite(p, 1, n, w->file) != n) w->failed = errno ? errno : -1;   /* the reason, for the message */
    w->crc = initnn_crc32(w->crc, p, n);
}

static void initnn__put_u32(initnn__writer *w, uint32_t x)
{
    unsigned char b[4];
    b[0] = (unsigned char)x; b[1] = (unsigned char)(x >> 8); b[2] = (unsigned char)(x >> 16); b[3] = (unsigned char)(x >> 24);
    initnn__put(w, b, 4);
}

static void initnn__put_u64(initnn__writer *w, uint64_t x)
{
    initnn__put_u32(w, (uint32_t)x);
    initnn__put_u32(w, (uint32_t)(x >> 32));
}

static void initnn__put_f32(initnn__writer *w, float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    initnn__put_u32(w, u);
}

static void initnn__put_f32_array(initnn__writer *w, const float *x, size_t n)
{
    unsigned char buf[4096];
    size_t i = 0;
    while (i < n) {
        size_t chunk = n - i < sizeof buf / 4 ? n - i : sizeof buf / 4, k;
        for (k = 0; k < chunk; k++) {
            uint32_t u;
            memcpy(&u, &x[i + k], 4);
            buf[4 * k] = (unsigned char)u; buf[4 * k + 1] = (unsigned char)(u >> 8);
            buf[4 * k + 2] = (unsigned char)(u >> 16); buf[4 * k + 3] = (unsigned char)(u >> 24);
        }
        initnn__put(w, buf, chunk * 4);
        i += chunk;
    }
}

/* ---- bounds-checked reading of a file held in memory ---------------------- */

typedef struct initnn__reader {
    const unsigned char *data;
    size_t size, pos;
    const char *path;
    int failed;
} initnn__reader;

/* Fails with "PATH: offset N: truncated while reading WHAT" unless n bytes remain. */
static const unsigned char *initnn__take(initnn__reader *r, size_t n, const char *what)
{
    const unsigned char *p;
    if (r->failed) return NULL;
    if (n > r->size - r->pos) {
        r->failed = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: file ends while reading %s (%lu bytes short)",
                                 r->path, (unsigned long)r->pos, what, (unsigned long)(n - (r->size - r->pos)));
        return NULL;
    }
    p = r->data + r->pos;
    r->pos += n;
    return p;
}

static uint32_t initnn__get_u32(initnn__reader *r, const char *what)
{
    const unsigned char *b = initnn__take(r, 4, what);
    if (!b) return 0;
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static uint64_t initnn__get_u64(initnn__reader *r, const char *what)
{
    uint64_t lo = initnn__get_u32(r, what);
    return lo | (uint64_t)initnn__get_u32(r, what) << 32;
}

static float initnn__get_f32(initnn__reader *r, const char *what)
{
    uint32_t u = initnn__get_u32(r, what);
    float x;
    memcpy(&x, &u, 4);
    return x;
}

static void initnn__get_f32_array(initnn__reader *r, float *x, size_t n, const char *what)
{
    size_t i;
    const unsigned char *b;
    if (r->failed) return;
    if (n > (r->size - r->pos) / 4) {
        r->failed = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: file ends while reading %s (%lu floats needed)",
                                 r->path, (unsigned long)r->pos, what, (unsigned long)n);
        return;
    }
    b = initnn__take(r, n * 4, what);
    if (!b) return;
    for (i = 0; i < n; i++) {
        uint32_t u = (uint32_t)b[4 * i] | (uint32_t)b[4 * i + 1] << 8 | (uint32_t)b[4 * i + 2] << 16 |
                     (uint32_t)b[4 * i + 3] << 24;
        memcpy(&x[i], &u, 4);
    }
}

/* A path as messages show it: a long one (beyond 200 characters) as its
   last 160, so that the reason after it always fits the message. */
static const char *initnn__shown_path(const char *path, const char **ellipsis)
{
    size_t len = path ? strlen(path) : 0;
    *ellipsis = len > 200 ? "..." : "";
    return !path ? "(null)" : len > 200 ? path + len - 160 : path;
}

/* Fails with "PATH: WHAT: strerror(error)" (error 0 or -1: without a reason). */
static int initnn__fail_io(const char *path, const char *what, int error)
{
    const char *dots, *shown = initnn__shown_path(path, &dots);
    if (error > 0) return initnn__fail(INITNN_ERR_IO, "%s%s: %s: %s", dots, shown, what, strerror(error));
    return initnn__fail(INITNN_ERR_IO, "%s%s: %s", dots, shown, what);
}

/* Opens PATH for reading, refusing what is not a regular file before any
   read: a directory would measure as 2^63 bytes, a FIFO would block. On
   POSIX systems the check opens without blocking (O_NONBLOCK) and asks
   fstat; elsewhere fopen decides. */
static int initnn__open_read(FILE **file, const char *path)
{
    *file = NULL;
    if (!path) return initnn__fail(INITNN_ERR_ARGUMENT, "NULL path");
#ifdef INITNN__POSIX
    {
        struct stat st;
        int fd = open(path, O_RDONLY | O_NONBLOCK), kind_error;
        if (fd < 0) return initnn__fail_io(path, "cannot open for reading", errno);
        kind_error = fstat(fd, &st) != 0 ? errno : 0;
        close(fd);
        if (kind_error) return initnn__fail_io(path, "cannot read its file status", kind_error);
        if (!S_ISREG(st.st_mode)) {
            const char *dots, *shown = initnn__shown_path(path, &dots);
            return initnn__fail(INITNN_ERR_IO, "%s%s: not a regular file (%s); nothing was read", dots, shown,
                                S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                                S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a special file");
        }
    }
#endif
    errno = 0;
    *file = fopen(path, "rb");
    if (!*file) return initnn__fail_io(path, "cannot open for reading", errno);
    return INITNN_OK;
}

/* Reads a whole regular file into memory; *data is INITNN_MALLOC'd. */
static int initnn__read_file(const char *path, unsigned char **data, size_t *size)
{
    FILE *f;
    long length;
    unsigned char *buf;
    int err;
    *data = NULL;
    *size = 0;
    if ((err = initnn__open_read(&f, path))) return err;
    if (fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        err = errno;
        fclose(f);
        return initnn__fail_io(path, "cannot determine the file size", err);
    }
    buf = (unsigned char *)INITNN_MALLOC((size_t)length + 1);
    if (!buf) {
        fclose(f);
        return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory for %ld bytes", path, length);
    }
    errno = 0;
    if (length > 0 && fread(buf, 1, (size_t)length, f) != (size_t)length) {
        err = ferror(f) ? errno : 0;
        fclose(f);
        INITNN_FREE(buf);
        return initnn__fail_io(path, err ? "read error" : "read error (the file shrank while being read)", err);
    }
    fclose(f);
    *data = buf;
    *size = (size_t)length;
    return INITNN_OK;
}

/* ---- all-or-nothing writing (initnn_file) ----------------------------------- */

/* The exclusive creation of initnn_file_begin: 1 and *stream set, 0 when
   the name exists (try another), -1 with errno set on another failure. */
static int initnn__create_exclusive(FILE **stream, const char *temp)
{
#if (defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L) || defined(__GLIBC__) || defined(__APPLE__) || \
    defined(__FreeBSD__) || defined(__NetBSD__) || defined(__OpenBSD__) || defined(__EMSCRIPTEN__) || defined(_UCRT)
    /* C11's "x": O_CREAT | O_EXCL in one call; fails on any existing name,
       a dangling symbolic link included. */
    errno = 0;
    *stream = fopen(temp, "wbx");
    if (*stream) return 1;
    return errno == EEXIST ? 0 : -1;
#elif defined(INITNN__POSIX)
    /* O_EXCL creates the name or fails, never following a link; the stream
       then opens the file just created ("r+b" neither creates nor truncates). */
    int fd = open(temp, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (fd < 0) return errno == EEXIST ? 0 : -1;
    close(fd);
    *stream = fopen(temp, "r+b");
    if (!*stream) { int e = errno; remove(temp); errno = e; return -1; }
    return 1;
#else
    /* Plain C99 has no exclusive creation: the name is probed first. */
    FILE *probe = fopen(temp, "rb");
    if (probe) { fclose(probe); return 0; }
    errno = 0;
    *stream = fopen(temp, "wb");
    return *stream ? 1 : -1;
#endif
}

INITNNDEF int initnn_file_begin(initnn_file *file, const char *path)
{
    size_t len;
    char *buf;
    uint64_t h;
    int attempt;
    if (!file) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_file_begin: NULL file");
    memset(file, 0, sizeof *file);
    if (!path || !path[0]) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_file_begin: %s path", path ? "empty" : "NULL");
    len = strlen(path);
    if (path[len - 1] == '/') return initnn__fail_io(path, "cannot write: the path names a directory", 0);
#ifdef INITNN__POSIX
    {
        /* The rename would put a regular file in place of a device, a FIFO
           or a directory already at path (/dev/null replaced by a file):
           refuse what is not a regular file, as the readers do. */
        struct stat st;
        if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
            const char *dots, *shown = initnn__shown_path(path, &dots);
            return initnn__fail(INITNN_ERR_IO, "%s%s: not a regular file (%s); nothing was written", dots, shown,
                                S_ISDIR(st.st_mode) ? "a directory" : S_ISFIFO(st.st_mode) ? "a FIFO" :
                                S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "a special file");
        }
    }
#endif
    buf = (char *)INITNN_MALLOC(2 * len + 32);
    if (!buf) return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", path);
    memcpy(buf, path, len + 1);
    file->path = buf;
    file->temp_path = buf + len + 1;
    /* The name's digits mix the time, the processor clock, an address of
       this call (randomized per process where the system does so) and, on
       POSIX, the process id; a name already there is skipped, so they only
       make a collision unlikely, never wrong. */
    h = (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ULL ^ (uint64_t)clock() ^ (uint64_t)(size_t)file ^
        (uint64_t)(size_t)&h << 17;
#ifdef INITNN__POSIX
    h ^= (uint64_t)getpid() << 32;
#endif
#ifdef INITNN_TEST_TEMP_NAMES
    h = 0;   /* the same names in the same order, so that a test can plant a link at them */
#endif
    for (attempt = 0; attempt < 64; attempt++) {
        uint64_t z = h + (uint64_t)(attempt + 1) * 0x9E3779B97F4A7C15ULL;   /* splitmix64's finalizer */
        int made;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        z ^= z >> 31;
        snprintf(file->temp_path, len + 31, "%s.tmp-%08lx", path, (unsigned long)(z & 0xffffffffu));
        made = initnn__create_exclusive(&file->stream, file->temp_path);
        if (made > 0) return INITNN_OK;
        if (made < 0) {
            int e = errno;
            INITNN_FREE(buf);
            memset(file, 0, sizeof *file);
            return initnn__fail_io(path, "cannot create a temporary file beside it", e);
        }
    }
    INITNN_FREE(buf);
    memset(file, 0, sizeof *file);
    return initnn__fail_io(path, "cannot create a temporary file beside it: 64 names taken", 0);
}

INITNNDEF void initnn_file_abort(initnn_file *file)
{
    if (!file || !file->path) return;
    if (file->stream) fclose(file->stream);
    remove(file->temp_path);
    INITNN_FREE(file->path);
    memset(file, 0, sizeof *file);
}

INITNNDEF int initnn_file_commit(initnn_file *file)
{
    int error = 0;
    const char *what = NULL;
    if (!file || !file->path || !file->stream)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_file_commit: no file begun");
    errno = 0;
    if (file->error) { error = file->error; what = "write failed"; }
    else if (fflush(file->stream) != 0 || ferror(file->stream)) {
        error = errno;
        if (!error) {
            /* A write failed earlier (a buffer flushed mid-file) and its
               errno is gone by now: one more byte says why. The temporary
               is removed below whatever it holds. */
            clearerr(file->stream);
            errno = 0;
            if (fputc(0, file->stream) == EOF || fflush(file->stream) != 0) error = errno;
        }
        if (!error) error = -1;
        what = "write failed";
    }
#ifdef INITNN__POSIX
    if (!what) {
        /* The data reaches the disk before the name points at it. Strict
           C99 has no fileno, so the temporary is opened again to sync it. */
        int fd = open(file->temp_path, O_RDONLY);
        if (fd < 0 || fsync(fd) != 0) {
            /* A file system without fsync (EINVAL) is no failure. */
            if (errno != EINVAL && errno != ENOTSUP) { error = errno; what = "cannot sync the data to the disk"; }
        }
        if (fd >= 0) close(fd);
    }
#endif
    errno = 0;
    if (fclose(file->stream) != 0 && !what) { error = errno ? errno : -1; what = "write failed at close"; }
    file->stream = NULL;
#ifdef INITNN__POSIX
    if (!what) {
        /* A replaced file keeps its permission bits (a 0600 checkpoint stays 0600). */
        struct stat st;
        if (stat(file->path, &st) == 0 && S_ISREG(st.st_mode) &&
            chmod(file->temp_path, st.st_mode & 07777) != 0) {
            error = errno;
            what = "cannot give the new file the old one's permissions";
        }
    }
#endif
    if (!what) {
#ifdef _WIN32
        remove(file->path);
#endif
        errno = 0;
        if (rename(file->temp_path, file->path) != 0) { error = errno ? errno : -1; what = "cannot rename the temporary over it"; }
    }
    if (what) {
        int err;
        remove(file->temp_path);
        err = initnn__fail_io(file->path, what, error);
        {
            /* Append what is kept, if it fits after the reason. */
            size_t used = strlen(initnn__error_message);
            if (used + 40 < sizeof initnn__error_message)
                snprintf(initnn__error_message + used, sizeof initnn__error_message - used,
                         "; the file there (if any) is as it was");
        }
        INITNN_FREE(file->path);
        memset(file, 0, sizeof *file);
        return err;
    }
    INITNN_FREE(file->path);
    memset(file, 0, sizeof *file);
    return INITNN_OK;
}

INITNNDEF int initnn_file_check_writable(const char *path)
{
    initnn_file probe;
    int err;
#ifdef INITNN__POSIX
    struct stat st;
    if (path && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return initnn__fail_io(path, "cannot write: the path is a directory", 0);
#endif
    if ((err = initnn_file_begin(&probe, path))) return err;
    initnn_file_abort(&probe);
    return INITNN_OK;
}

/* ////////////////////////////////////////////////////////////////////////////
   2. Random numbers
   //////////////////////////////////////////////////////////////////////////// */

INITNNDEF uint32_t initnn_rng_u32(initnn_rng *rng)
{
    /* pcg32_random_r: an LCG step, then a xorshift of the old state rotated
       by its top 5 bits ("XSH RR"). */
    uint64_t old = rng->state;
    uint32_t xorshifted, rot;
    rng->state = old * 6364136223846793005ULL + rng->inc;
    xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    rot = (uint32_t)(old >> 59u);
    return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

INITNNDEF void initnn_rng_seed_stream(initnn_rng *rng, uint64_t seed, uint64_t stream)
{
    rng->state = 0u;
    rng->inc = (stream << 1u) | 1u;
    rng->has_spare = 0;
    rng->spare = 0.0;
    initnn_rng_u32(rng);
    rng->state += seed;
    initnn_rng_u32(rng);
}

INITNNDEF void initnn_rng_seed(initnn_rng *rng, uint64_t seed)
{
    initnn_rng_seed_stream(rng, seed, 54u);
}

INITNNDEF uint32_t initnn_rng_below(initnn_rng *rng, uint32_t n)
{
    /* Reject the lowest (2^32 mod n) values so that every residue is equally
       likely (pcg32_boundedrand_r). */
    uint32_t threshold, r;
    if (n <= 1u) return 0u;
    threshold = (uint32_t)(0u - n) % n;
    for (;;) {
        r = initnn_rng_u32(rng);
        if (r >= threshold) return r % n;
    }
}

INITNNDEF float initnn_rng_uniform(initnn_rng *rng)
{
    return (float)(initnn_rng_u32(rng) >> 8) * (1.0f / 16777216.0f);
}

INITNNDEF double initnn_rng_uniform_double(initnn_rng *rng)
{
    uint32_t hi = initnn_rng_u32(rng) >> 5;   /* 27 bits */
    uint32_t lo = initnn_rng_u32(rng) >> 6;   /* 26 bits */
    return ((double)hi * 67108864.0 + (double)lo) * (1.0 / 9007199254740992.0);
}

/* Natural logarithm of x > 0 without libm, so that normals are the same
   bits on every platform: x = m 2^e with m in [sqrt(1/2), sqrt(2)) (frexp
   and ldexp are exact), then ln m = 2 atanh(t), t = (m - 1)/(m + 1),
   |t| < 0.1716, summed as the odd series 2 (t + t^3/3 + t^5/5 + ...) to
   the term below 1e-18. */
static double initnn__log(double x)
{
    static const double ln2_hi = 6.93147180369123816490e-01;
    static const double ln2_lo = 1.90821492927058770002e-10;
    int e;
    double m = frexp(x, &e), t, t2, term, sum;
    int k;
    if (m < 0.70710678118654752440) { m *= 2.0; e -= 1; }
    t = (m - 1.0) / (m + 1.0);
    t2 = t * t;
    term = t;
    sum = 0.0;
    for (k = 1; k < 40; k += 2) {
        double add = term / (double)k;
        sum += add;
        if (fabs(add) < 1e-18) break;
        term *= t2;
    }
    return 2.0 * sum + (double)e * ln2_lo + (double)e * ln2_hi;
}

INITNNDEF double initnn_rng_normal_double(initnn_rng *rng)
{
    double u, v, s, factor;
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    do {
        u = 2.0 * initnn_rng_uniform_double(rng) - 1.0;
        v = 2.0 * initnn_rng_uniform_double(rng) - 1.0;
        s = u * u;
        s += v * v;
    } while (s >= 1.0 || s == 0.0);
    /* (u, v) uniform in the unit disc: u sqrt(-2 ln s / s) and v sqrt(...)
       are two independent standard normals (Marsaglia & Bray 1964). */
    factor = sqrt(-2.0 * initnn__log(s) / s);
    rng->spare = v * factor;
    rng->has_spare = 1;
    return u * factor;
}

INITNNDEF float initnn_rng_normal(initnn_rng *rng)
{
    return (float)initnn_rng_normal_double(rng);
}

INITNNDEF float initnn_rng_truncated_normal(initnn_rng *rng, float bound)
{
    double z;
    if (!(bound > 0.0f)) return 0.0f;
    do {
        z = initnn_rng_normal_double(rng);
    } while (z < -(double)bound || z > (double)bound);
    return (float)z;
}

INITNNDEF void initnn_rng_shuffle(initnn_rng *rng, int *perm, int n)
{
    int i;
    for (i = n - 1; i > 0; i--) {
        int j = (int)initnn_rng_below(rng, (uint32_t)i + 1u);
        int tmp = perm[i];
        perm[i] = perm[j];
        perm[j] = tmp;
    }
}

/* ////////////////////////////////////////////////////////////////////////////
   3. Arrays and matrix products
   //////////////////////////////////////////////////////////////////////////// */

/* ---- the algorithmic references ---------------------------------------- */

INITNNDEF void initnn_matmul_naive(float *C, const float *A, const float *B,
                                   int M, int K, int N, int accumulate)
{
    int i, j, k;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) {
            double sum = accumulate ? (double)C[(size_t)i * N + j] : 0.0;
            for (k = 0; k < K; k++)
                sum += (double)A[(size_t)i * K + k] * (double)B[(size_t)k * N + j];
            C[(size_t)i * N + j] = (float)sum;
        }
}

INITNNDEF void initnn_matmul_nt_naive(float *C, const float *A, const float *B,
                                      int M, int K, int N, int accumulate)
{
    int i, j, k;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) {
            double sum = accumulate ? (double)C[(size_t)i * N + j] : 0.0;
            for (k = 0; k < K; k++)
                sum += (double)A[(size_t)i * K + k] * (double)B[(size_t)j * K + k];
            C[(size_t)i * N + j] = (float)sum;
        }
}

INITNNDEF void initnn_matmul_tn_naive(float *C, const float *A, const float *B,
                                      int M, int K, int N, int accumulate)
{
    int i, j, k;
    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) {
            double sum = accumulate ? (double)C[(size_t)i * N + j] : 0.0;
            for (k = 0; k < K; k++)
                sum += (double)A[(size_t)k * M + i] * (double)B[(size_t)k * N + j];
            C[(size_t)i * N + j] = (float)sum;
        }
}

/* ---- the products the layers call ----------------------------------------
   The same sums as the references above. A net spends most of its time here,
   so these go to the packed, cache-blocked GEMM of the fast paths (section
   16); with INITNN_REFERENCE defined they are the triple loops above. */

INITNNDEF void initnn_matmul(float *C, const float *A, const float *B,
                             int M, int K, int N, int accumulate)
{
    initnn__fast_gemm(C, A, 0, B, 0, M, K, N, accumulate);   /* 16. Fast paths: packed GEMM */
}

INITNNDEF void initnn_matmul_nt(float *C, const float *A, const float *B,
                                int M, int K, int N, int accumulate)
{
    initnn__fast_gemm(C, A, 0, B, 1, M, K, N, accumulate);   /* 16. Fast paths: packed GEMM */
}

INITNNDEF void initnn_matmul_tn(float *C, const float *A, const float *B,
                                int M, int K, int N, int accumulate)
{
    initnn__fast_gemm(C, A, 1, B, 0, M, K, N, accumulate);   /* 16. Fast paths: packed GEMM */
}

/* ---- statistics ---------------------------------------------------------- */

static int initnn__isfinite(float x) { return x == x && x - x == 0.0f; }

INITNNDEF void initnn_stats_compute(initnn_stats *out, const float *x, size_t n)
{
    size_t i, count = 0;
    double sum = 0.0, sq = 0.0, dev = 0.0;
    memset(out, 0, sizeof *out);
    for (i = 0; i < n; i++) {
        double v = (double)x[i];
        if (!initnn__isfinite(x[i])) { out->nonfinite++; continue; }
        if (x[i] == 0.0f) out->zeros++;
        if (count == 0 || v < out->min) out->min = v;
        if (count == 0 || v > out->max) out->max = v;
        sum += v;
        sq += v * v;
        count++;
    }
    out->count = count;
    if (count == 0) return;
    out->mean = sum / (double)count;
    out->second_moment = sq / (double)count;
    /* The second pass avoids the cancellation of E[x^2] - E[x]^2. */
    for (i = 0; i < n; i++) {
        double d;
        if (!initnn__isfinite(x[i])) continue;
        d = (double)x[i] - out->mean;
        dev += d * d;
    }
    out->variance = dev / (double)count;
}

INITNNDEF double initnn_mean(const float *x, size_t n)
{
    initnn_stats s;
    initnn_stats_compute(&s, x, n);
    return s.mean;
}

INITNNDEF double initnn_variance(const float *x, size_t n)
{
    initnn_stats s;
    initnn_stats_compute(&s, x, n);
    return s.variance;
}

INITNNDEF double initnn_second_moment(const float *x, size_t n)
{
    initnn_stats s;
    initnn_stats_compute(&s, x, n);
    return s.second_moment;
}

INITNNDEF int initnn_histogram(size_t *counts, int bins, const float *x, size_t n,
                               float lo, float hi)
{
    size_t i;
    double width;
    if (!counts || (!x && n > 0))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_histogram: NULL %s", counts ? "x" : "counts");
    if (bins < 1)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_histogram: bins must be >= 1, got %d", bins);
    if (!(lo < hi) || !initnn__isfinite(lo) || !initnn__isfinite(hi))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_histogram: need finite lo < hi, got lo = %g, hi = %g",
                            (double)lo, (double)hi);
    width = ((double)hi - (double)lo) / bins;
    memset(counts, 0, (size_t)bins * sizeof *counts);
    for (i = 0; i < n; i++) {
        double b;
        int bin;
        if (x[i] != x[i]) continue;
        /* lo, hi finite: width > 0 and b is a number (+-inf for +-inf), so
           the comparisons clamp it before any conversion to int. */
        b = ((double)x[i] - lo) / width;
        bin = b < 0.0 ? 0 : b >= bins ? bins - 1 : (int)b;
        counts[bin]++;
    }
    return INITNN_OK;
}

/* ////////////////////////////////////////////////////////////////////////////
   4. Initializers
   //////////////////////////////////////////////////////////////////////////// */

INITNNDEF void initnn_zeros(float *w, size_t n) { initnn_constant(w, n, 0.0f); }

INITNNDEF void initnn_constant(float *w, size_t n, float value)
{
    size_t i;
    for (i = 0; i < n; i++) w[i] = value;
}

INITNNDEF void initnn_random_normal(float *w, size_t n, float std, float mean, initnn_rng *rng)
{
    size_t i;
    for (i = 0; i < n; i++) w[i] = (float)((double)mean + (double)std * initnn_rng_normal_double(rng));
}

INITNNDEF void initnn_random_uniform(float *w, size_t n, float lo, float hi, initnn_rng *rng)
{
    size_t i;
    for (i = 0; i < n; i++)
        w[i] = (float)((double)lo + ((double)hi - (double)lo) * initnn_rng_uniform_double(rng));
}

INITNNDEF void initnn_truncated_normal(float *w, size_t n, float std, float mean, initnn_rng *rng)
{
    size_t i;
    for (i = 0; i < n; i++) {
        double z;
        do {
            z = initnn_rng_normal_double(rng);
        } while (z < -2.0 || z > 2.0);
        w[i] = (float)((double)mean + (double)std * z);
    }
}

/* [variance_scaling] Var(W) = scale / n, with n = fan_in, fan_out or
   (fan_in + fan_out) / 2; every named rule below is one choice of scale and n:
      LeCun 1998     scale 1, fan_in        Glorot 2010   scale 1, fan_avg
      He 2015        scale 2 / (1 + a^2), fan_in
   The distribution only has to have that variance:
      normal N(0, v); uniform U(-l, l) with l = sqrt(3 v), as Var(U(-l, l)) = l^2 / 3;
      truncated normal: std sqrt(v) / 0.8796, cut at 2 std, whose variance is v. */
INITNNDEF void initnn_variance_scaling(float *w, size_t n_elements, int fan_in, int fan_out,
                                       double scale, int mode, int distribution,
                                       initnn_rng *rng)
{
    double n = mode == INITNN_FAN_IN ? (double)fan_in
             : mode == INITNN_FAN_OUT ? (double)fan_out
             : 0.5 * ((double)fan_in + (double)fan_out);
    double variance = scale / n;
    if (distribution == INITNN_DIST_UNIFORM) {
        float limit = (float)sqrt(3.0 * variance);
        initnn_random_uniform(w, n_elements, -limit, limit, rng);
    } else if (distribution == INITNN_DIST_TRUNCATED_NORMAL) {
        initnn_truncated_normal(w, n_elements, (float)(sqrt(variance) / INITNN_TRUNC2_STD), 0.0f, rng);
    } else {
        initnn_random_normal(w, n_elements, (float)sqrt(variance), 0.0f, rng);
    }
}

/* [glorot] Var(W) = 2 / (fan_in + fan_out)  (Glorot & Bengio 2010): the
   average of the forward condition fan_in Var(W) = 1 and the backward one
   fan_out Var(W) = 1, i.e. scale 1 over fan_avg. */
INITNNDEF void initnn_glorot_normal(float *w, int fan_in, int fan_out, initnn_rng *rng)
{
    initnn_variance_scaling(w, (size_t)fan_in * (size_t)fan_out, fan_in, fan_out,
                            1.0, INITNN_FAN_AVG, INITNN_DIST_NORMAL, rng);
}

INITNNDEF void initnn_glorot_uniform(float *w, int fan_in, int fan_out, initnn_rng *rng)
{
    initnn_variance_scaling(w, (size_t)fan_in * (size_t)fan_out, fan_in, fan_out,
                            1.0, INITNN_FAN_AVG, INITNN_DIST_UNIFORM, rng);
}

/* [he] Var(W) = 2 / ((1 + a^2) fan_in)  (He et al. 2015): a ReLU keeps
   E[relu(z)^2] = Var(z) / 2 of its input's variance, so fan_in Var(W) = 2
   keeps the second moment from layer to layer (leaky ReLU: (1 + a^2) / 2). */
INITNNDEF void initnn_he_normal(float *w, int fan_in, int fan_out, float a, initnn_rng *rng)
{
    initnn_variance_scaling(w, (size_t)fan_in * (size_t)fan_out, fan_in, fan_out,
                            2.0 / (1.0 + (double)a * a), INITNN_FAN_IN, INITNN_DIST_NORMAL, rng);
}

INITNNDEF void initnn_he_uniform(float *w, int fan_in, int fan_out, float a, initnn_rng *rng)
{
    initnn_variance_scaling(w, (size_t)fan_in * (size_t)fan_out, fan_in, fan_out,
                            2.0 / (1.0 + (double)a * a), INITNN_FAN_IN, INITNN_DIST_UNIFORM, rng);
}

INITNNDEF void initnn_lecun_normal(float *w, int fan_in, int fan_out, initnn_rng *rng)
{
    initnn_variance_scaling(w, (size_t)fan_in * (size_t)fan_out, fan_in, fan_out,
                            1.0, INITNN_FAN_IN, INITNN_DIST_NORMAL, rng);
}

INITNNDEF void initnn_lecun_uniform(float *w, int fan_in, int fan_out, initnn_rng *rng)
{
    initnn_variance_scaling(w, (size_t)fan_in * (size_t)fan_out, fan_in, fan_out,
                            1.0, INITNN_FAN_IN, INITNN_DIST_UNIFORM, rng);
}

INITNNDEF int initnn_orthogonal(float *w, int rows, int cols, float gain, initnn_rng *rng)
{
    int err, big, small, i, j, k;
    double *a, *u, *unorm2, *rdiag;
    size_t count = initnn__count2("initnn_orthogonal", "rows", rows, "cols", cols, &err);
    if (!count) return err;
    if (!w || !rng) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_orthogonal: NULL %s", w ? "rng" : "w");
    big = rows >= cols ? rows : cols;
    small = rows >= cols ? cols : rows;
    /* a: the (big, small) Gaussian matrix, column-major so that a column is
       contiguous. u: the Householder vectors, one column each. */
    a = (double *)initnn__alloc_array(count, sizeof(double));
    u = (double *)initnn__alloc_array(count, sizeof(double));
    unorm2 = (double *)INITNN_MALLOC((size_t)small * 2 * sizeof(double));
    if (!a || !u || !unorm2) {
        INITNN_FREE(a);
        INITNN_FREE(u);
        INITNN_FREE(unorm2);
        return initnn__fail(INITNN_ERR_MEMORY, "initnn_orthogonal: out of memory for a %d x %d matrix", rows, cols);
    }
    rdiag = unorm2 + small;
    for (i = 0; i < big * small; i++) a[i] = initnn_rng_normal_double(rng);

    /* Householder QR. Column k: x = a[k.., k], u = x - alpha e_k with
       alpha = -sign(x_k) |x| (no cancellation), and H_k = I - 2 u u^T / u^T u
       maps x onto alpha e_k, so R[k][k] = alpha. */
    for (k = 0; k < small; k++) {
        double *x = a + (size_t)k * big, *uk = u + (size_t)k * big;
        double norm = 0.0, alpha, n2 = 0.0;
        for (i = k; i < big; i++) norm += x[i] * x[i];
        norm = sqrt(norm);
        alpha = x[k] >= 0.0 ? -norm : norm;
        for (i = 0; i < big; i++) uk[i] = i < k ? 0.0 : x[i];
        uk[k] -= alpha;
        for (i = k; i < big; i++) n2 += uk[i] * uk[i];
        unorm2[k] = n2;
        rdiag[k] = alpha;
        if (n2 == 0.0) continue;
        for (j = k + 1; j < small; j++) {
            double *col = a + (size_t)j * big, dot = 0.0;
            for (i = k; i < big; i++) dot += uk[i] * col[i];
            dot = 2.0 * dot / n2;
            for (i = k; i < big; i++) col[i] -= dot * uk[i];
        }
    }
    /* Q = H_0 H_1 ... H_{small-1} applied to the first small columns of the
       identity; then column j times sign(R[j][j]), which makes the diagonal of
       R positive and Q Haar-distributed (Mezzadri 2007). a is reused for Q. */
    for (j = 0; j < small; j++) {
        double *col = a + (size_t)j * big;
        for (i = 0; i < big; i++) col[i] = i == j ? 1.0 : 0.0;
        for (k = (j < small - 1 ? j : small - 1); k >= 0; k--) {
            const double *uk = u + (size_t)k * big;
            double dot = 0.0;
            if (unorm2[k] == 0.0) continue;
            for (i = k; i < big; i++) dot += uk[i] * col[i];
            dot = 2.0 * dot / unorm2[k];
            for (i = k; i < big; i++) col[i] -= dot * uk[i];
        }
        if (rdiag[j] < 0.0)
            for (i = 0; i < big; i++) col[i] = -col[i];
    }
    /* Column j of Q is column j of W when W is tall, row j when it is wide. */
    for (i = 0; i < big; i++)
        for (j = 0; j < small; j++) {
            float value = (float)((double)gain * a[(size_t)j * big + i]);
            if (rows >= cols) w[(size_t)i * cols + j] = value;
            else w[(size_t)j * cols + i] = value;
        }
    INITNN_FREE(a);
    INITNN_FREE(u);
    INITNN_FREE(unorm2);
    return INITNN_OK;
}

INITNNDEF void initnn_sparse(float *w, int fan_in, int fan_out, int k, float std, initnn_rng *rng)
{
    int i, j;
    if (k > fan_in) k = fan_in;
    for (j = 0; j < fan_out; j++) {
        int chosen = 0;
        for (i = 0; i < fan_in; i++) {
            /* Algorithm S: take row i with probability (needed) / (remaining). */
            int needed = k - chosen, remaining = fan_in - i;
            float *wij = w + (size_t)i * fan_out + j;
            if ((double)remaining * initnn_rng_uniform_double(rng) < (double)needed) {
                *wij = (float)((double)std * initnn_rng_normal_double(rng));
                chosen++;
            } else {
                *wij = 0.0f;
            }
        }
    }
}

INITNNDEF void initnn_identity(float *w, int rows, int cols, float gain)
{
    int i, n = rows < cols ? rows : cols;
    initnn_zeros(w, (size_t)rows * (size_t)cols);
    for (i = 0; i < n; i++) w[(size_t)i * cols + i] = gain;
}

/* ---- spec strings --------------------------------------------------------- */

static int initnn__edit_distance(const char *a, const char *b)
{
    /* Levenshtein distance with one rolling row; names are short. */
    int row[64], la = (int)strlen(a), lb = (int)strlen(b), i, j;
    if (la > 63 || lb > 63) return 99;
    for (j = 0; j <= lb; j++) row[j] = j;
    for (i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (j = 1; j <= lb; j++) {
            int up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

INITNNDEF const char *initnn_suggest(const char *word, const char *const *names, int count)
{
    const char *best = NULL;
    int best_distance = 4, i;
    if (!word || !names) return NULL;
    for (i = 0; i < count; i++) {
        int d = initnn__edit_distance(word, names[i]);
        if (d < best_distance) { best_distance = d; best = names[i]; }
    }
    return best;
}

static const char *const initnn__init_names[] = {
    "zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
    "glorot_normal", "xavier_normal", "glorot_uniform", "xavier_uniform",
    "he_normal", "kaiming_normal", "he_uniform", "kaiming_uniform",
    "lecun_normal", "lecun_uniform", "variance_scaling", "orthogonal", "sparse", "identity",
    "torch_default", "keras_default", "flax_default", "lsuv", "delta_orthogonal", "fixup", "skipinit", "rezero"
};

/* Whether the named initializer takes a fan mode as its last parameter
   (the variance-scaling families: Glorot/Xavier, He/Kaiming, LeCun). */
static int initnn__takes_fan_mode(const char *name)
{
    static const char *const names[] = {
        "glorot_normal", "xavier_normal", "glorot_uniform", "xavier_uniform", "he_normal", "kaiming_normal",
        "he_uniform", "kaiming_uniform", "lecun_normal", "lecun_uniform"
    };
    size_t k;
    for (k = 0; k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(name, names[k])) return 1;
    return 0;
}

/* Parses the comma-separated numbers after the colon into p[0..max-1].
   Returns how many, or -1 with the message set. */
static int initnn__parse_numbers(const char *spec, const char *args, double *p, int max)
{
    int count = 0;
    const char *s = args;
    if (!s) return 0;
    for (;;) {
        char *end;
        double value;
        if (count == max)
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': too many parameters (at most %d)", spec, max), -1;
        value = strtod(s, &end);
        if (end == s || (*end != ',' && *end != '\0'))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': '%.*s' is not a number", spec,
                                (int)strcspn(s, ","), s), -1;
        if (!(value - value == 0.0))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': parameter %d is not finite", spec, count + 1), -1;
        if (fabs(value) > FLT_MAX)
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': parameter %d (%g) is beyond the float range "
                                "(largest %g): the weights would not be finite", spec, count + 1, value,
                                (double)FLT_MAX), -1;
        p[count++] = value;
        if (*end == '\0') return count;
        s = end + 1;
    }
}

INITNNDEF int initnn_init_parse(initnn_init_spec *out, const char *spec)
{
    initnn_init_spec r;
    char name[32];
    const char *colon, *args;
    size_t name_len;
    double p[3] = {0.0, 0.0, 0.0};
    int np = 0, min_np = 0, max_np = 0, mode_override = -1;
    char numbers[96];

    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_parse: NULL output");
    if (!spec) return initnn__fail(INITNN_ERR_SPEC, "init spec is NULL");
    if (!spec[0]) return initnn__fail(INITNN_ERR_SPEC, "init spec is empty (try 'he_normal' or 'glorot_uniform')");
    colon = strchr(spec, ':');
    name_len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (name_len == 0 || name_len >= sizeof name)
        return initnn__fail(INITNN_ERR_SPEC, "init spec '%.60s': bad initializer name", spec);
    memcpy(name, spec, name_len);
    name[name_len] = '\0';
    args = colon ? colon + 1 : NULL;
    if (colon && !*args)
        return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': nothing after ':'", spec);

    memset(&r, 0, sizeof r);
    memcpy(r.name, name, name_len + 1);

    if (strcmp(name, "variance_scaling") == 0) {
        /* variance_scaling:scale,mode,distribution - one number and two words. */
        char buf[96];
        char *mode, *dist, *end;
        if (!args)
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': needs scale,mode,distribution "
                                "(e.g. variance_scaling:2,fan_in,truncated_normal)", spec);
        if (strlen(args) >= sizeof buf)
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%.60s...': too long", spec);
        strcpy(buf, args);
        mode = strchr(buf, ',');
        dist = mode ? strchr(mode + 1, ',') : NULL;
        if (!mode || !dist || strchr(dist + 1, ','))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': needs exactly scale,mode,distribution", spec);
        *mode++ = '\0';
        *dist++ = '\0';
        r.param[0] = strtod(buf, &end);
        if (end == buf || *end || !(r.param[0] > 0.0) || !(r.param[0] - r.param[0] == 0.0))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': scale '%s' must be a positive number", spec, buf);
        if (r.param[0] > FLT_MAX)
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': scale %g is beyond the float range (largest %g): "
                                "the weights would not be finite", spec, r.param[0], (double)FLT_MAX);
        if (strcmp(mode, "fan_in") == 0) r.mode = INITNN_FAN_IN;
        else if (strcmp(mode, "fan_out") == 0) r.mode = INITNN_FAN_OUT;
        else if (strcmp(mode, "fan_avg") == 0) r.mode = INITNN_FAN_AVG;
        else return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': mode '%s' is not fan_in, fan_out or fan_avg", spec, mode);
        if (strcmp(dist, "normal") == 0) r.distribution = INITNN_DIST_NORMAL;
        else if (strcmp(dist, "truncated_normal") == 0) r.distribution = INITNN_DIST_TRUNCATED_NORMAL;
        else if (strcmp(dist, "uniform") == 0) r.distribution = INITNN_DIST_UNIFORM;
        else return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': distribution '%s' is not normal, "
                                 "truncated_normal or uniform", spec, dist);
        r.kind = INITNN_INIT_VARIANCE_SCALING;
        *out = r;
        return INITNN_OK;
    }

    /* Framework presets: fixed specs, no parameters. */
    if (!strcmp(name, "torch_default") || !strcmp(name, "keras_default") || !strcmp(name, "flax_default")) {
        if (args) return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': '%s' takes no parameters", spec, name);
        r.kind = INITNN_INIT_VARIANCE_SCALING;
        if (name[0] == 't') { r.param[0] = 1.0 / 3.0; r.mode = INITNN_FAN_IN; r.distribution = INITNN_DIST_UNIFORM; }
        else if (name[0] == 'k') { r.param[0] = 1.0; r.mode = INITNN_FAN_AVG; r.distribution = INITNN_DIST_UNIFORM; }
        else { r.param[0] = 1.0; r.mode = INITNN_FAN_IN; r.distribution = INITNN_DIST_TRUNCATED_NORMAL; }
        *out = r;
        return INITNN_OK;
    }

    /* The variance-scaling names take a fan mode as their last parameter. */
    {
        static const char *const modes[3] = { "fan_in", "fan_out", "fan_avg" };
        const char *last = args ? strrchr(args, ',') : NULL;
        const char *word = last ? last + 1 : args;
        int m;
        for (m = 0; word && m < 3; m++)
            if (!strcmp(word, modes[m])) break;
        if (word && m == 3 && initnn__takes_fan_mode(name)) {
            /* A word where a fan mode may stand that is not a number: a
               misspelt mode, not "too many parameters". */
            char *end;
            strtod(word, &end);
            if (end == word || *end != '\0')
                return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': mode '%s' is not fan_in, fan_out or fan_avg",
                                    spec, word);
        }
        if (word && m < 3) {
            if (!(name[0] == 'g' || name[0] == 'x' || name[0] == 'h' || name[0] == 'k' || name[0] == 'l'))
                return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': '%s' takes no fan mode", spec, name);
            mode_override = m;
            if (last) {
                size_t keep = (size_t)(last - args);
                if (keep >= sizeof numbers)
                    return initnn__fail(INITNN_ERR_SPEC, "init spec '%.60s': too long", spec);
                memcpy(numbers, args, keep);
                numbers[keep] = '\0';
                args = numbers;
            } else {
                args = NULL;
            }
        }
    }

    /* Every other initializer takes numbers only. */
    if      (!strcmp(name, "zeros") || !strcmp(name, "ones")) max_np = 0;
    else if (!strcmp(name, "constant")) min_np = max_np = 1;
    else if (!strcmp(name, "random_normal") || !strcmp(name, "truncated_normal")) max_np = 2;
    else if (!strcmp(name, "random_uniform")) max_np = 2;   /* none or both */
    else if (!strcmp(name, "glorot_normal") || !strcmp(name, "xavier_normal") ||
             !strcmp(name, "glorot_uniform") || !strcmp(name, "xavier_uniform") ||
             !strcmp(name, "he_normal") || !strcmp(name, "kaiming_normal") ||
             !strcmp(name, "he_uniform") || !strcmp(name, "kaiming_uniform") ||
             !strcmp(name, "orthogonal") || !strcmp(name, "identity") || !strcmp(name, "delta_orthogonal") ||
             !strcmp(name, "fixup") || !strcmp(name, "skipinit") || !strcmp(name, "rezero")) max_np = 1;
    else if (!strcmp(name, "lecun_normal") || !strcmp(name, "lecun_uniform") || !strcmp(name, "lsuv")) max_np = 0;
    else if (!strcmp(name, "sparse")) max_np = 2;
    else {
        const int count = (int)(sizeof initnn__init_names / sizeof initnn__init_names[0]);
        const char *best = initnn_suggest(name, initnn__init_names, count);
        char starting[128];
        int k, found = 0;
        if (best)
            return initnn__fail(INITNN_ERR_SPEC, "unknown initializer '%s' in spec '%s' (did you mean '%s'?)",
                                name, spec, best);
        /* A family name alone ("xavier", "he"): the names that start with it. */
        starting[0] = '\0';
        for (k = 0; k < count && name_len >= 2; k++)
            if (!strncmp(initnn__init_names[k], name, name_len) && initnn__init_names[k][name_len] == '_' && found < 4) {
                size_t used = strlen(starting);
                snprintf(starting + used, sizeof starting - used, "%s'%s'", found ? " or " : "", initnn__init_names[k]);
                found++;
            }
        if (found)
            return initnn__fail(INITNN_ERR_SPEC, "unknown initializer '%s' in spec '%s' (did you mean %s?)", name, spec,
                                starting);
        return initnn__fail(INITNN_ERR_SPEC, "unknown initializer '%s' in spec '%s'", name, spec);
    }
    if (args && max_np == 0)
        return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': '%s' takes no parameters%s", spec, name,
                            name[0] == 'l' ? " but a fan mode" : "");
    np = initnn__parse_numbers(spec, args, p, max_np);
    if (np < 0) return INITNN_ERR_SPEC;
    if (np < min_np)
        return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': '%s' needs %d parameter%s", spec, name,
                            min_np, min_np == 1 ? "" : "s");

    if (!strcmp(name, "zeros") || !strcmp(name, "ones") || !strcmp(name, "constant")) {
        r.kind = INITNN_INIT_CONSTANT;
        r.param[0] = name[0] == 'o' ? 1.0 : name[0] == 'z' ? 0.0 : p[0];
    } else if (!strcmp(name, "random_normal") || !strcmp(name, "truncated_normal")) {
        r.kind = name[0] == 'r' ? INITNN_INIT_NORMAL : INITNN_INIT_TRUNCATED_NORMAL;
        r.param[0] = np >= 1 ? p[0] : 0.05;
        r.param[1] = np >= 2 ? p[1] : 0.0;
        if (!(r.param[0] > 0.0))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': std must be > 0, got %g", spec, r.param[0]);
    } else if (!strcmp(name, "random_uniform")) {
        r.kind = INITNN_INIT_UNIFORM;
        if (np == 1)
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': give both lo and hi, or neither", spec);
        if (np == 0) { p[0] = -0.05; p[1] = 0.05; }   /* the documented default */
        r.param[0] = p[0];
        r.param[1] = p[1];
        if (!(p[0] < p[1]))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': need lo < hi, got %g, %g", spec, p[0], p[1]);
    } else if (!strcmp(name, "lsuv")) {
        r.kind = INITNN_INIT_LSUV;
        r.param[0] = 1.0;
    } else if (!strcmp(name, "fixup") || !strcmp(name, "skipinit") || !strcmp(name, "rezero")) {
        double a = np >= 1 ? p[0] : 0.0;   /* He normal with slope a, as he_normal:a */
        r.kind = name[0] == 'f' ? INITNN_INIT_FIXUP : name[0] == 's' ? INITNN_INIT_SKIPINIT : INITNN_INIT_REZERO;
        r.param[0] = 2.0 / (1.0 + a * a);
        r.param[1] = a;
        r.mode = INITNN_FAN_IN;
        r.distribution = INITNN_DIST_NORMAL;
    } else if (!strcmp(name, "orthogonal") || !strcmp(name, "identity") || !strcmp(name, "delta_orthogonal")) {
        r.kind = name[0] == 'o' ? INITNN_INIT_ORTHOGONAL : name[0] == 'i' ? INITNN_INIT_IDENTITY
               : INITNN_INIT_DELTA_ORTHOGONAL;
        r.param[0] = np >= 1 ? p[0] : 1.0;
        if (!(r.param[0] > 0.0))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': gain must be > 0, got %g", spec, r.param[0]);
    } else if (!strcmp(name, "sparse")) {
        r.kind = INITNN_INIT_SPARSE;
        r.param[0] = np >= 1 ? p[0] : 15.0;
        r.param[1] = np >= 2 ? p[1] : 1.0;
        if (!(r.param[0] >= 1.0) || r.param[0] != floor(r.param[0]) || r.param[0] > 1e9)
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': k must be a whole number >= 1, got %g", spec, r.param[0]);
        if (!(r.param[1] > 0.0))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': std must be > 0, got %g", spec, r.param[1]);
    } else {
        /* Glorot, He, LeCun: variance scaling with their own scale and mode. */
        r.kind = INITNN_INIT_VARIANCE_SCALING;
        r.distribution = strstr(name, "uniform") ? INITNN_DIST_UNIFORM : INITNN_DIST_NORMAL;
        if (name[0] == 'g' || name[0] == 'x') {
            double gain = np >= 1 ? p[0] : 1.0;
            if (!(gain > 0.0))
                return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': gain must be > 0, got %g", spec, gain);
            r.param[0] = gain * gain;
            r.mode = INITNN_FAN_AVG;
        } else if (name[0] == 'h' || name[0] == 'k') {
            double a = np >= 1 ? p[0] : 0.0;
            r.param[0] = 2.0 / (1.0 + a * a);
            r.param[1] = a;
            r.mode = INITNN_FAN_IN;
        } else {
            r.param[0] = 1.0;
            r.mode = INITNN_FAN_IN;
        }
        if (mode_override >= 0) r.mode = mode_override;
    }
    *out = r;
    return INITNN_OK;
}

/* The largest |z| the polar method can return: uniform_double has 53 bits,
   so u and v are multiples of 2^-52 and s = u^2 + v^2 >= 2^-104, and
   |z| = |u| sqrt(-2 ln s / s) <= sqrt(-2 ln s) <= sqrt(208 ln 2) = 12.008. */
#define INITNN__NORMAL_DRAW_MAX 12.01

/* The largest |w| a spec can draw on a (rows, cols) matrix with these
   fans, in double precision (no float overflow on the way). */
static double initnn__spec_weight_bound(const initnn_init_spec *spec, int fan_in, int fan_out)
{
    const double *p = spec->param;
    double n, variance;
    switch (spec->kind) {
    case INITNN_INIT_CONSTANT: return fabs(p[0]);
    case INITNN_INIT_NORMAL: return fabs(p[1]) + INITNN__NORMAL_DRAW_MAX * p[0];
    case INITNN_INIT_UNIFORM: return fabs(p[0]) > fabs(p[1]) ? fabs(p[0]) : fabs(p[1]);
    case INITNN_INIT_TRUNCATED_NORMAL: return fabs(p[1]) + 2.0 * p[0];
    case INITNN_INIT_SPARSE: return INITNN__NORMAL_DRAW_MAX * p[1];
    case INITNN_INIT_ORTHOGONAL: case INITNN_INIT_LSUV: case INITNN_INIT_IDENTITY:
        return p[0];   /* an orthogonal matrix's entries are at most 1 in size */
    case INITNN_INIT_VARIANCE_SCALING:
        n = spec->mode == INITNN_FAN_IN ? (double)fan_in : spec->mode == INITNN_FAN_OUT ? (double)fan_out
          : 0.5 * ((double)fan_in + (double)fan_out);
        variance = p[0] / n;
        if (spec->distribution == INITNN_DIST_UNIFORM) return sqrt(3.0 * variance);
        if (spec->distribution == INITNN_DIST_TRUNCATED_NORMAL) return 2.0 * sqrt(variance) / INITNN_TRUNC2_STD;
        return INITNN__NORMAL_DRAW_MAX * sqrt(variance);
    default: return 0.0;
    }
}

static int initnn__fill_checked(float *w, int rows, int cols, int fan_in, int fan_out,
                                const initnn_init_spec *spec, initnn_rng *rng, size_t n);

INITNNDEF int initnn_init_fill_fans(float *w, int rows, int cols, int fan_in, int fan_out,
                                    const initnn_init_spec *spec, initnn_rng *rng)
{
    int err;
    size_t i, n = initnn__count2("initnn_init_fill", "rows", rows, "cols", cols, &err);
    double bound;
    if (!n) return err;
    if (fan_in < 1) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_fill: fan_in must be >= 1, got %d", fan_in);
    if (fan_out < 1) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_fill: fan_out must be >= 1, got %d", fan_out);
    if (!w || !spec || !rng)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_fill: NULL %s", !w ? "w" : !spec ? "spec" : "rng");
    /* Refused before drawing, whatever the seed: a spec whose draws could
       leave the float range (w untouched). */
    bound = initnn__spec_weight_bound(spec, fan_in, fan_out);
    if (!(bound <= FLT_MAX))
        return initnn__fail(INITNN_ERR_SPEC, "init spec '%s' on a %d x %d matrix (fan_in %d, fan_out %d): weights "
                            "could reach %g, beyond the float range (largest %g); they would not be finite",
                            spec->name, rows, cols, fan_in, fan_out, bound, (double)FLT_MAX);
    if ((err = initnn__fill_checked(w, rows, cols, fan_in, fan_out, spec, rng, n))) return err;
    /* The bound above makes this a guarantee, not a hope: a non-finite
       weight is never returned with success. Should rounding still produce
       one, w is zeroed (its state is then defined) and the call fails. */
    for (i = 0; i < n; i++)
        if (!initnn__isfinite(w[i])) {
            initnn_zeros(w, n);
            return initnn__fail(INITNN_ERR_NONFINITE, "init spec '%s': weight %lu is not finite; w was zeroed",
                                spec->name, (unsigned long)i);
        }
    return INITNN_OK;
}

static int initnn__fill_checked(float *w, int rows, int cols, int fan_in, int fan_out,
                                const initnn_init_spec *spec, initnn_rng *rng, size_t n)
{
    switch (spec->kind) {
    case INITNN_INIT_CONSTANT:
        initnn_constant(w, n, (float)spec->param[0]);
        return INITNN_OK;
    case INITNN_INIT_NORMAL:
        initnn_random_normal(w, n, (float)spec->param[0], (float)spec->param[1], rng);
        return INITNN_OK;
    case INITNN_INIT_UNIFORM:
        initnn_random_uniform(w, n, (float)spec->param[0], (float)spec->param[1], rng);
        return INITNN_OK;
    case INITNN_INIT_TRUNCATED_NORMAL:
        initnn_truncated_normal(w, n, (float)spec->param[0], (float)spec->param[1], rng);
        return INITNN_OK;
    case INITNN_INIT_VARIANCE_SCALING:
    case INITNN_INIT_FIXUP:      /* He normal; the net applies the rules of */
    case INITNN_INIT_SKIPINIT:   /* residual blocks after every layer is drawn */
    case INITNN_INIT_REZERO:
        initnn_variance_scaling(w, n, fan_in, fan_out, spec->param[0], spec->mode, spec->distribution, rng);
        return INITNN_OK;
    case INITNN_INIT_DELTA_ORTHOGONAL:   /* a dense matrix is a 1 x 1 kernel: its centre is all of it */
    case INITNN_INIT_ORTHOGONAL:
    case INITNN_INIT_LSUV:   /* LSUV's first step; initnn_lsuv does the second on data */
        return initnn_orthogonal(w, rows, cols, (float)spec->param[0], rng);
    case INITNN_INIT_SPARSE:
        initnn_sparse(w, rows, cols, spec->param[0] > rows ? rows : (int)spec->param[0],
                      (float)spec->param[1], rng);
        return INITNN_OK;
    case INITNN_INIT_IDENTITY:
        initnn_identity(w, rows, cols, (float)spec->param[0]);
        return INITNN_OK;
    default:
        return initnn__fail(INITNN_ERR_SPEC, "initnn_init_fill: spec kind %d is not known", spec->kind);
    }
}

INITNNDEF int initnn_init_fill(float *w, int fan_in, int fan_out, const char *spec, initnn_rng *rng)
{
    initnn_init_spec parsed;
    int err = initnn_init_parse(&parsed, spec);
    if (err) return err;
    /* Checked here too so that the message names the caller's parameters. */
    if (!initnn__count2("initnn_init_fill", "fan_in", fan_in, "fan_out", fan_out, &err)) return err;
    return initnn_init_fill_fans(w, fan_in, fan_out, fan_in, fan_out, &parsed, rng);
}

INITNNDEF const char *initnn_default_bias(const char *kernel_spec)
{
    return kernel_spec && !strcmp(kernel_spec, "torch_default") ? "torch_default" : "zeros";
}

/* [delta_orthogonal] W = 0 but the centre tap: W[(c, ch, cw)][o] = gain H[c][o],
   H (c_in, c_out) orthogonal (Xiao et al. 2018, Algorithm 2). */
INITNNDEF int initnn_delta_orthogonal(float *w, int c_in, int c_out, int kernel_h, int kernel_w, float gain,
                                      initnn_rng *rng)
{
    float *h;
    int err, c, o;
    size_t total;
    if (!w || !rng) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_delta_orthogonal: NULL %s", w ? "rng" : "w");
    if (c_in < 1 || c_out < 1 || kernel_h < 1 || kernel_w < 1)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_delta_orthogonal: kernel %d x %d from %d to %d channels",
                            kernel_h, kernel_w, c_in, c_out);
    if ((int64_t)c_in * kernel_h * kernel_w > INITNN_MAX_ELEMENTS ||
        (int64_t)c_in * kernel_h * kernel_w * c_out > INITNN_MAX_ELEMENTS)
        return initnn__fail(INITNN_ERR_OVERFLOW, "initnn_delta_orthogonal: kernel too large");
    total = (size_t)c_in * (size_t)kernel_h * (size_t)kernel_w * (size_t)c_out;
    h = (float *)INITNN_MALLOC((size_t)c_in * (size_t)c_out * sizeof(float));   /* <= total: no overflow */
    if (!h) return initnn__fail(INITNN_ERR_MEMORY, "initnn_delta_orthogonal: out of memory");
    if ((err = initnn_orthogonal(h, c_in, c_out, gain, rng))) { INITNN_FREE(h); return err; }
    initnn_zeros(w, total);
    for (c = 0; c < c_in; c++) {
        size_t row = ((size_t)c * kernel_h + (size_t)((kernel_h - 1) / 2)) * kernel_w + (size_t)((kernel_w - 1) / 2);
        for (o = 0; o < c_out; o++) w[row * c_out + o] = h[(size_t)c * c_out + o];
    }
    INITNN_FREE(h);
    return INITNN_OK;
}

/* [fixup] L^(-1/(2m-2)): m = 2 gives 1/sqrt(L), m = 3 gives L^(-1/4). */
INITNNDEF double initnn_fixup_scale(int branches, int layers_per_branch)
{
    if (branches < 1 || layers_per_branch < 2) return 1.0;
    return pow((double)branches, -1.0 / (2.0 * layers_per_branch - 2.0));
}

INITNNDEF float initnn_gain(const char *activation, float param)
{
    if (!activation) return (float)initnn__fail(INITNN_ERR_ARGUMENT, "initnn_gain: NULL activation") * 0.0f;
    if (!strcmp(activation, "linear") || !strcmp(activation, "identity") || !strcmp(activation, "sigmoid"))
        return 1.0f;
    if (!strcmp(activation, "tanh")) return 5.0f / 3.0f;
    if (!strcmp(activation, "relu")) return (float)sqrt(2.0);
    if (!strcmp(activation, "leaky_relu")) return (float)sqrt(2.0 / (1.0 + (double)param * param));
    if (!strcmp(activation, "selu")) return 0.75f;
    initnn__fail(INITNN_ERR_ARGUMENT, "initnn_gain: unknown activation '%s' (linear, identity, sigmoid, "
                 "tanh, relu, leaky_relu, selu)", activation);
    return 0.0f;
}


/* ////////////////////////////////////////////////////////////////////////////
   5. Activations
   //////////////////////////////////////////////////////////////////////////// */

static const char *const initnn__activation_names[] = {
    "identity", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "selu"
};

INITNNDEF const char *initnn_activation_name(int activation)
{
    if (activation < 0 || activation > INITNN_ACT_SELU) return "unknown";
    return initnn__activation_names[activation];
}

INITNNDEF int initnn_activation_parse(int *activation, float *param, const char *spec)
{
    const char *colon;
    size_t len;
    int i;
    if (!activation || !param) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_activation_parse: NULL output");
    if (!spec || !spec[0]) return initnn__fail(INITNN_ERR_SPEC, "activation spec is empty (try 'relu')");
    colon = strchr(spec, ':');
    len = colon ? (size_t)(colon - spec) : strlen(spec);
    if (len == 6 && !strncmp(spec, "linear", 6)) len = 0;   /* alias of identity, below */
    for (i = 0; i <= INITNN_ACT_SELU; i++) {
        const char *name = initnn__activation_names[i];
        if ((len == 0 && i == INITNN_ACT_IDENTITY) || (strlen(name) == len && !strncmp(spec, name, len))) {
            float p = i == INITNN_ACT_LEAKY_RELU ? 0.01f : 0.0f;
            if (colon) {
                char *end;
                double v;
                if (i != INITNN_ACT_LEAKY_RELU)
                    return initnn__fail(INITNN_ERR_SPEC, "activation '%s' takes no parameter", spec);
                v = strtod(colon + 1, &end);
                if (end == colon + 1 || *end || !(v >= 0.0 && v < 1e6))
                    return initnn__fail(INITNN_ERR_SPEC, "activation '%s': the slope must be a finite number "
                                        "in [0, 1e6), got '%s'", spec, colon + 1);
                p = (float)v;
            }
            *activation = i;
            *param = p;
            return INITNN_OK;
        }
    }
    return initnn__fail(INITNN_ERR_SPEC, "unknown activation '%s' (identity, relu, leaky_relu[:a], tanh, "
                        "sigmoid, softmax, selu)", spec);
}

/* Softmax of one row, shifted by its maximum so that no exponential
   overflows: the shift cancels between numerator and denominator. */
static void initnn__softmax_row(float *p, const float *z, int cols)
{
    int j;
    float max = z[0];
    double sum = 0.0;
    for (j = 1; j < cols; j++) if (z[j] > max) max = z[j];
    for (j = 0; j < cols; j++) {
        p[j] = (float)exp((double)z[j] - (double)max);
        sum += p[j];
    }
    for (j = 0; j < cols; j++) p[j] = (float)(p[j] / sum);
}

INITNNDEF void initnn_activation_forward(float *y, const float *z, size_t n, int cols,
                                         int activation, float param)
{
    size_t i;
    switch (activation) {
    case INITNN_ACT_RELU:          /* relu(z) = max(0, z) */
        /* Written so that a NaN passes through instead of becoming 0. */
        for (i = 0; i < n; i++) y[i] = z[i] < 0.0f ? 0.0f : z[i];
        break;
    case INITNN_ACT_LEAKY_RELU:    /* z > 0 ? z : a z */
        for (i = 0; i < n; i++) y[i] = z[i] > 0.0f ? z[i] : param * z[i];
        break;
    case INITNN_ACT_TANH:          /* tanh(z) = (e^z - e^-z) / (e^z + e^-z) */
        for (i = 0; i < n; i++) y[i] = tanhf(z[i]);
        break;
    case INITNN_ACT_SIGMOID:       /* sigma(z) = 1 / (1 + e^-z) */
        /* Written so that neither branch's exponential can overflow. */
        for (i = 0; i < n; i++) {
            if (z[i] >= 0.0f) y[i] = 1.0f / (1.0f + expf(-z[i]));
            else { float e = expf(z[i]); y[i] = e / (1.0f + e); }
        }
        break;
    case INITNN_ACT_SOFTMAX:       /* p_j = e^(z_j) / sum_k e^(z_k), row by row */
        for (i = 0; i + (size_t)cols <= n; i += (size_t)cols) initnn__softmax_row(y + i, z + i, cols);
        break;
    case INITNN_ACT_SELU:          /* lambda (z > 0 ? z : alpha (e^z - 1)), Klambauer et al. 2017 */
        for (i = 0; i < n; i++)
            y[i] = z[i] > 0.0f ? (float)INITNN_SELU_LAMBDA * z[i]
                               : (float)(INITNN_SELU_LAMBDA * INITNN_SELU_ALPHA) * expm1f(z[i]);
        break;
    default:
        if (y != z) memmove(y, z, n * sizeof(float));
        break;
    }
}

INITNNDEF void initnn_activation_backward(float *dz, const float *dy, const float *z,
                                          const float *y, size_t n, int cols,
                                          int activation, float param)
{
    size_t i;
    switch (activation) {
    case INITNN_ACT_RELU:          /* relu' = 1 for z > 0, else 0 */
        for (i = 0; i < n; i++) dz[i] = z[i] > 0.0f ? dy[i] : 0.0f;
        break;
    case INITNN_ACT_LEAKY_RELU:
        for (i = 0; i < n; i++) dz[i] = z[i] > 0.0f ? dy[i] : param * dy[i];
        break;
    case INITNN_ACT_TANH:          /* tanh' = 1 - tanh^2 */
        for (i = 0; i < n; i++) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
        break;
    case INITNN_ACT_SIGMOID:       /* sigma' = sigma (1 - sigma) */
        for (i = 0; i < n; i++) dz[i] = dy[i] * y[i] * (1.0f - y[i]);
        break;
    case INITNN_ACT_SOFTMAX: {     /* dz = p * (dy - <dy, p>) per row */
        size_t r;
        int j;
        for (r = 0; r + (size_t)cols <= n; r += (size_t)cols) {
            double dot = 0.0;
            for (j = 0; j < cols; j++) dot += (double)dy[r + j] * y[r + j];
            for (j = 0; j < cols; j++) dz[r + j] = y[r + j] * (float)((double)dy[r + j] - dot);
        }
        break;
    }
    case INITNN_ACT_SELU:          /* z <= 0: selu' = lambda alpha e^z = y + lambda alpha */
        for (i = 0; i < n; i++)
            dz[i] = z[i] > 0.0f ? dy[i] * (float)INITNN_SELU_LAMBDA
                                : dy[i] * (y[i] + (float)(INITNN_SELU_LAMBDA * INITNN_SELU_ALPHA));
        break;
    default:
        if (dz != dy) memmove(dz, dy, n * sizeof(float));
        break;
    }
}

/* ////////////////////////////////////////////////////////////////////////////
   6. Losses and metrics
   //////////////////////////////////////////////////////////////////////////// */

INITNNDEF float initnn_softmax_cross_entropy(float *dlogits, const float *logits, const int *labels,
                                             int batch, int classes)
{
    double total = 0.0;
    int b, j;
    /* Every label checked before anything is written. */
    for (b = 0; b < batch; b++)
        if (labels[b] < 0 || labels[b] >= classes) {
            initnn__fail(INITNN_ERR_ARGUMENT, "initnn_softmax_cross_entropy: label %d of sample %d is outside [0, %d)",
                         labels[b], b, classes);
            return (float)NAN;
        }
    for (b = 0; b < batch; b++) {
        const float *z = logits + (size_t)b * classes;
        double max = z[0], sum = 0.0, lse;
        int label = labels[b];
        for (j = 1; j < classes; j++) if (z[j] > max) max = z[j];
        for (j = 0; j < classes; j++) sum += exp((double)z[j] - max);
        lse = max + log(sum);
        total += lse - (double)z[label];
        if (dlogits) {
            /* [softmax_xent] dL/dz_j = (p_j - y_j) / B with p = softmax(z) =
               exp(z - logsumexp(z)) and y the one-hot label: the softmax's
               Jacobian and the log's 1/p cancel to this difference. */
            float *d = dlogits + (size_t)b * classes;
            for (j = 0; j < classes; j++)
                d[j] = (float)((exp((double)z[j] - lse) - (j == label ? 1.0 : 0.0)) / batch);
        }
    }
    return (float)(total / batch);
}

INITNNDEF float initnn_mse(float *dpred, const float *pred, const float *target, int batch, int dim)
{
    size_t i, n = (size_t)batch * (size_t)dim;
    double total = 0.0;
    for (i = 0; i < n; i++) {
        double d = (double)pred[i] - (double)target[i];
        total += d * d;
        if (dpred) dpred[i] = (float)(2.0 * d / (double)n);
    }
    return (float)(total / (double)n);
}

INITNNDEF float initnn_accuracy(const float *scores, const int *labels, int batch, int classes)
{
    int b, j, correct = 0;
    for (b = 0; b < batch; b++) {
        const float *s = scores + (size_t)b * classes;
        int best = 0;
        for (j = 1; j < classes; j++) if (s[j] > s[best]) best = j;
        correct += best == labels[b];
    }
    return batch > 0 ? (float)correct / (float)batch : 0.0f;
}

INITNNDEF float initnn_mean_absolute_error(const float *pred, const float *target, int batch, int dim)
{
    size_t i, n = (size_t)batch * (size_t)dim;
    double total = 0.0;
    for (i = 0; i < n; i++) total += fabs((double)pred[i] - (double)target[i]);
    return n ? (float)(total / (double)n) : 0.0f;
}

/* ////////////////////////////////////////////////////////////////////////////
   7. Layers and the network
   //////////////////////////////////////////////////////////////////////////// */

/* [dense] Z = X W + b:  Z[i][j] = b[j] + sum over k of X[i][k] W[k][j]. */
INITNNDEF void initnn_dense_forward(float *Z, const float *X, const float *W, const float *b,
                                    int B, int in, int out)
{
    int i, j;
    initnn_matmul(Z, X, W, B, in, out, 0);                /* Z = X W        */
    if (b)
        for (i = 0; i < B; i++) {
            float *z = Z + (size_t)i * out;
            for (j = 0; j < out; j++) z[j] += b[j];
        }
}

/* The dense layer's backward, beside its forward. Z[i][j] depends on W[k][j]
   through X[i][k], on b[j] through 1 and on X[i][k] through W[k][j], so
      dW = X^T dZ,   db = sum over the batch of dZ,   dX = dZ W^T.
   dW and db accumulate (+=): a net zeroes them once per step. */
INITNNDEF void initnn_dense_backward(float *dX, float *dW, float *db, const float *dZ,
                                     const float *X, const float *W, int B, int in, int out)
{
    int i, j;
    initnn_matmul_tn(dW, X, dZ, in, B, out, 1);          /* dW += X^T dZ   */
    if (db)
        for (i = 0; i < B; i++) {                         /* db += 1^T dZ   */
            const float *d = dZ + (size_t)i * out;
            for (j = 0; j < out; j++) db[j] += d[j];
        }
    if (dX) initnn_matmul_nt(dX, dZ, W, B, out, in, 0);  /* dX = dZ W^T    */
}

INITNNDEF void initnn_dropout_forward(float *Y, float *mask, const float *X, size_t n, float rate,
                                      initnn_rng *rng)
{
    size_t i;
    float keep_scale = 1.0f / (1.0f - rate);
    for (i = 0; i < n; i++) {
        mask[i] = initnn_rng_uniform(rng) >= rate ? keep_scale : 0.0f;
        Y[i] = X[i] * mask[i];
    }
}

INITNNDEF void initnn_dropout_backward(float *dX, const float *dY, const float *mask, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) dX[i] = dY[i] * mask[i];
}

/* ---- convolution and pooling kernels -------------------------------------- */

/* im2col into a matrix whose rows are ld floats apart (ld >= out_h out_w),
   so that a whole batch's columns can sit side by side. */
static void initnn__im2col_ld(float *col, size_t ld, const float *x, int channels, int height, int width,
                              int kernel_h, int kernel_w, int stride, int pad_top, int pad_left,
                              int out_h, int out_w)
{
    int c, i, j, oy, ox;
    for (c = 0; c < channels; c++)
        for (i = 0; i < kernel_h; i++)
            for (j = 0; j < kernel_w; j++) {
                float *row = col + (((size_t)c * kernel_h + i) * kernel_w + j) * ld;
                const float *plane = x + (size_t)c * height * width;
                for (oy = 0; oy < out_h; oy++) {
                    int y = oy * stride + i - pad_top;
                    float *dst = row + (size_t)oy * out_w;
                    if (y < 0 || y >= height) {
                        for (ox = 0; ox < out_w; ox++) dst[ox] = 0.0f;
                        continue;
                    }
                    if (stride == 1 && j - pad_left >= 0 && j - pad_left + out_w <= width) {
                        /* the whole row is inside the image: one copy */
                        memcpy(dst, plane + (size_t)y * width + (j - pad_left), (size_t)out_w * sizeof(float));
                        continue;
                    }
                    for (ox = 0; ox < out_w; ox++) {
                        int xx = ox * stride + j - pad_left;
                        dst[ox] = xx >= 0 && xx < width ? plane[(size_t)y * width + xx] : 0.0f;
                    }
                }
            }
}

INITNNDEF void initnn_im2col(float *col, const float *x, int channels, int height, int width,
                             int kernel_h, int kernel_w, int stride, int pad_top, int pad_left,
                             int out_h, int out_w)
{
    initnn__im2col_ld(col, (size_t)out_h * (size_t)out_w, x, channels, height, width, kernel_h, kernel_w,
                      stride, pad_top, pad_left, out_h, out_w);
}

static void initnn__col2im_ld(float *dx, const float *col, size_t ld, int channels, int height, int width,
                              int kernel_h, int kernel_w, int stride, int pad_top, int pad_left,
                              int out_h, int out_w)
{
    int c, i, j, oy, ox;
    for (c = 0; c < channels; c++)
        for (i = 0; i < kernel_h; i++)
            for (j = 0; j < kernel_w; j++) {
                const float *row = col + (((size_t)c * kernel_h + i) * kernel_w + j) * ld;
                float *plane = dx + (size_t)c * height * width;
                for (oy = 0; oy < out_h; oy++) {
                    int y = oy * stride + i - pad_top;
                    if (y < 0 || y >= height) continue;
                    if (stride == 1 && j - pad_left >= 0 && j - pad_left + out_w <= width) {
                        float *dst = plane + (size_t)y * width + (j - pad_left);
                        const float *src = row + (size_t)oy * out_w;
                        for (ox = 0; ox < out_w; ox++) dst[ox] += src[ox];
                        continue;
                    }
                    for (ox = 0; ox < out_w; ox++) {
                        int xx = ox * stride + j - pad_left;
                        if (xx >= 0 && xx < width) plane[(size_t)y * width + xx] += row[(size_t)oy * out_w + ox];
                    }
                }
            }
}

INITNNDEF void initnn_col2im(float *dx, const float *col, int channels, int height, int width,
                             int kernel_h, int kernel_w, int stride, int pad_top, int pad_left,
                             int out_h, int out_w)
{
    initnn__col2im_ld(dx, col, (size_t)out_h * (size_t)out_w, channels, height, width, kernel_h, kernel_w,
                      stride, pad_top, pad_left, out_h, out_w);
}

/* [conv_fans] One output pixel sums c_in channels times k_h k_w taps, so its
   fan_in is c_in k_h k_w; one input pixel reaches c_out channels through
   k_h k_w taps (stride 1), so fan_out = c_out k_h k_w (PyTorch, Keras). */
INITNNDEF void initnn_conv_fans(int *fan_in, int *fan_out, int c_in, int c_out, int kernel_h, int kernel_w)
{
    *fan_in = c_in * kernel_h * kernel_w;
    *fan_out = c_out * kernel_h * kernel_w;
}

/* Fills a conv kernel from a parsed spec; see initnn_init_conv_kernel. */
static int initnn__fill_conv_kernel(float *w, int c_in, int c_out, int kernel_h, int kernel_w,
                                    const initnn_init_spec *spec, initnn_rng *rng)
{
    /* Taps first (at most 2^62), and channels only on a product below 2^31:
       three factors near 2^31 would overflow even 64 bits. */
    int64_t taps = (int64_t)kernel_h * kernel_w;
    int64_t rows = taps > INITNN_MAX_ELEMENTS ? taps : taps * c_in, fans = taps > INITNN_MAX_ELEMENTS ? taps : taps * c_out;
    if (c_in < 1 || c_out < 1 || kernel_h < 1 || kernel_w < 1)
        return initnn__fail(INITNN_ERR_ARGUMENT, "conv kernel %d x %d from %d to %d channels", kernel_h, kernel_w, c_in, c_out);
    if (rows > INITNN_MAX_ELEMENTS || fans > INITNN_MAX_ELEMENTS || rows * c_out > INITNN_MAX_ELEMENTS)
        return initnn__fail(INITNN_ERR_OVERFLOW, "conv kernel %d x %d x %d x %d is too large", kernel_h, kernel_w, c_in, c_out);
    if (spec->kind == INITNN_INIT_IDENTITY) {
        /* Dirac: the tap at ((k_h - 1)/2, (k_w - 1)/2) of channel c feeds
           output channel c. That is the centre for odd kernels, and for even
           ones the tap that "same" padding (zeros before: (k - 1)/2) lines
           up with the output pixel, so the identity holds for both. */
        int c, n = c_in < c_out ? c_in : c_out;
        if (!w) return initnn__fail(INITNN_ERR_ARGUMENT, "conv kernel: NULL w");
        initnn_zeros(w, (size_t)rows * (size_t)c_out);
        for (c = 0; c < n; c++) {
            size_t row = ((size_t)c * kernel_h + (size_t)((kernel_h - 1) / 2)) * kernel_w + (size_t)((kernel_w - 1) / 2);
            w[row * c_out + c] = (float)spec->param[0];
        }
        return INITNN_OK;
    }
    if (spec->kind == INITNN_INIT_DELTA_ORTHOGONAL)
        return initnn_delta_orthogonal(w, c_in, c_out, kernel_h, kernel_w, (float)spec->param[0], rng);
    {
        /* The sizes fit an int (checked above); the fans come from the one
           rule, initnn_conv_fans. */
        int fan_in, fan_out;
        initnn_conv_fans(&fan_in, &fan_out, c_in, c_out, kernel_h, kernel_w);
        return initnn_init_fill_fans(w, (int)rows, c_out, fan_in, fan_out, spec, rng);
    }
}

INITNNDEF int initnn_init_conv_kernel(float *w, int c_in, int c_out, int kernel_h, int kernel_w,
                                      const char *spec, initnn_rng *rng)
{
    initnn_init_spec parsed;
    int err = initnn_init_parse(&parsed, spec);
    if (err) return err;
    return initnn__fill_conv_kernel(w, c_in, c_out, kernel_h, kernel_w, &parsed, rng);
}

/* [pool] Pooling of one sample, x (C, H, W) to y (C, out_h, out_w):
      max:      y[c][oy][ox] = max over the window of x[c][oy s + i][ox s + j]
      average:  y[c][oy][ox] = mean over the window
   argmax gets the input offset of each maximum (the first on ties) and is
   NULL for average pooling. */
static void initnn__pool_forward(float *y, int *argmax, const float *x, const initnn_layer *l)
{
    int c, oy, ox, i, j;
    float inv = 1.0f / (float)(l->kernel_h * l->kernel_w);
    if (argmax && initnn__fast_maxpool_2x2(y, argmax, x, l)) return;   /* 16. Fast paths: the 2 x 2 case as selects */
    for (c = 0; c < l->out_c; c++)
        for (oy = 0; oy < l->out_h; oy++)
            for (ox = 0; ox < l->out_w; ox++) {
                size_t o = ((size_t)c * l->out_h + oy) * l->out_w + ox;
                size_t first = ((size_t)c * l->in_h + (size_t)oy * l->stride) * l->in_w + (size_t)ox * l->stride;
                size_t best = first;
                float sum = 0.0f;
                for (i = 0; i < l->kernel_h; i++)
                    for (j = 0; j < l->kernel_w; j++) {
                        size_t k = first + (size_t)i * l->in_w + j;
                        sum += x[k];
                        if (x[k] > x[best]) best = k;
                    }
                if (argmax) { y[o] = x[best]; argmax[o] = (int)best; }
                else y[o] = sum * inv;
            }
}

/* dx += the pooling's adjoint of dy, for one sample. */
static void initnn__pool_backward(float *dx, const float *dy, const int *argmax, const initnn_layer *l)
{
    size_t o, n = (size_t)l->out_c * l->out_h * l->out_w;
    int i, j;
    float inv = 1.0f / (float)(l->kernel_h * l->kernel_w);
    if (argmax) {
        for (o = 0; o < n; o++) dx[argmax[o]] += dy[o];
        return;
    }
    for (o = 0; o < n; o++) {
        size_t c = o / ((size_t)l->out_h * l->out_w), r = o % ((size_t)l->out_h * l->out_w);
        size_t oy = r / (size_t)l->out_w, ox = r % (size_t)l->out_w;
        size_t first = (c * l->in_h + oy * l->stride) * l->in_w + ox * l->stride;
        for (i = 0; i < l->kernel_h; i++)
            for (j = 0; j < l->kernel_w; j++) dx[first + (size_t)i * l->in_w + j] += dy[o] * inv;
    }
}

INITNNDEF void initnn_free(void *p) { INITNN_FREE(p); }

static void *initnn__alloc_floats(size_t n)
{
    if (n == 0) n = 1;
    if (n > (size_t)-1 / sizeof(float)) return NULL;
    return INITNN_MALLOC(n * sizeof(float));
}

/* Frees what an initnn_preprocessing owns and zeroes it (section 13). */
static void initnn__prep_clear(initnn_preprocessing *p)
{
    int k;
    if (p->class_names)
        for (k = 0; k < p->class_count; k++) INITNN_FREE(p->class_names[k]);
    INITNN_FREE(p->class_names);
    INITNN_FREE(p->mean);
    INITNN_FREE(p->std);
    memset(p, 0, sizeof *p);
}

INITNNDEF int initnn_net_create(initnn_net **out, int input_dim, int max_batch, uint64_t seed)
{
    initnn_net *net;
    int err;
    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_create: NULL output");
    if (!initnn__count2("initnn_net_create", "max_batch", max_batch, "input_dim", input_dim, &err)) return err;
    net = (initnn_net *)INITNN_MALLOC(sizeof *net);
    if (!net) return initnn__fail(INITNN_ERR_MEMORY, "initnn_net_create: out of memory");
    memset(net, 0, sizeof *net);
    net->input_dim = input_dim;
    net->input_c = input_dim;
    net->input_h = net->input_w = 1;
    net->max_batch = max_batch;
    net->loss = INITNN_LOSS_SOFTMAX_CROSS_ENTROPY;
    net->opt = initnn_adam(1e-3f);
    net->seed = seed;
    net->prep.input_scale = 1.0f;
    initnn_rng_seed(&net->rng, seed);
    *out = net;
    return INITNN_OK;
}

static void initnn__free_layer_buffers(initnn_layer *l)
{
    INITNN_FREE(l->z);
    INITNN_FREE(l->y);
    INITNN_FREE(l->dz);
    INITNN_FREE(l->mask);
    INITNN_FREE(l->col);
    INITNN_FREE(l->colt);
    INITNN_FREE(l->argmax);
    INITNN_FREE(l->running_mean);
    INITNN_FREE(l->running_var);
    INITNN_FREE(l->norm_mean);
    INITNN_FREE(l->norm_inv_std);
    INITNN_FREE(l->xhat);
    INITNN_FREE(l->skip_grad);
    l->z = l->y = l->dz = l->mask = l->col = l->colt = NULL;
    l->running_mean = l->running_var = l->norm_mean = l->norm_inv_std = l->xhat = l->skip_grad = NULL;
    l->argmax = NULL;
}

INITNNDEF void initnn_net_free(initnn_net *net)
{
    int i;
    if (!net) return;
    for (i = 0; i < net->layer_count; i++) initnn__free_layer_buffers(&net->layers[i]);
    INITNN_FREE(net->params);
    INITNN_FREE(net->grads);
    INITNN_FREE(net->opt_m);
    INITNN_FREE(net->opt_v);
    INITNN_FREE(net->params_backup);
    initnn__prep_clear(&net->prep);
    INITNN_FREE(net);
}

INITNNDEF int initnn_net_output_dim(const initnn_net *net)
{
    return net->layer_count ? net->layers[net->layer_count - 1].out : net->input_dim;
}

/* Points every layer's W, b, dW, db into the (possibly moved) arrays. */
static void initnn__bind_params(initnn_net *net)
{
    int i;
    for (i = 0; i < net->layer_count; i++) {
        initnn_layer *l = &net->layers[i];
        if (l->weight_count + l->bias_count == 0) { l->W = l->b = l->dW = l->db = NULL; continue; }
        l->W = net->params + l->param_offset;
        l->b = l->W + l->weight_count;
        l->dW = net->grads + l->param_offset;
        l->db = l->dW + l->weight_count;
    }
}

/* Grows the parameter, gradient and optimizer arrays by extra floats
   (zeros), keeping their contents; all or nothing. A full array is moved
   into one half as large again, or just large enough, whichever is larger:
   copying everything at every layer would make a 100-layer net cost 50
   times its size in copies. */
static int initnn__grow_params(initnn_net *net, size_t extra)
{
    size_t n = net->param_count + extra;
    float **slots[5];
    int i;
    slots[0] = &net->params; slots[1] = &net->grads; slots[2] = &net->opt_m;
    slots[3] = &net->opt_v; slots[4] = &net->params_backup;
    if (n > net->param_capacity) {
        float *arrays[5];
        size_t capacity = net->param_capacity + net->param_capacity / 2;
        if (capacity < n || capacity > (size_t)INITNN_MAX_ELEMENTS) capacity = n;
        for (i = 0; i < 5; i++) {
            arrays[i] = (float *)initnn__alloc_floats(capacity);
            if (!arrays[i]) {
                while (i-- > 0) INITNN_FREE(arrays[i]);
                return initnn__fail(INITNN_ERR_MEMORY, "out of memory for %lu parameters", (unsigned long)n);
            }
            if (net->param_count) memcpy(arrays[i], *slots[i], net->param_count * sizeof(float));
        }
        for (i = 0; i < 5; i++) {
            INITNN_FREE(*slots[i]);
            *slots[i] = arrays[i];
        }
        net->param_capacity = capacity;
    }
    for (i = 0; i < 5; i++) memset(*slots[i] + net->param_count, 0, extra * sizeof(float));
    net->param_count = n;
    initnn__bind_params(net);
    return INITNN_OK;
}

/* The public function that adds a layer of this type, for messages. */
static const char *initnn__adder_name(int type)
{
    switch (type) {
    case INITNN_LAYER_DENSE: return "initnn_net_add_dense";
    case INITNN_LAYER_CONV2D: return "initnn_net_add_conv2d";
    case INITNN_LAYER_MAXPOOL2D: case INITNN_LAYER_AVGPOOL2D: return "initnn_net_add_pool2d";
    case INITNN_LAYER_FLATTEN: return "initnn_net_add_flatten";
    case INITNN_LAYER_BATCHNORM: return "initnn_net_add_batchnorm";
    case INITNN_LAYER_LAYERNORM: return "initnn_net_add_layernorm";
    case INITNN_LAYER_RESIDUAL: return "initnn_net_add_residual";
    default: return "initnn_net_add_dropout";
    }
}

/* Allocates a new layer's activation buffers for out features per sample. */
static int initnn__alloc_layer_buffers(initnn_net *net, initnn_layer *l, int need_z, int need_mask)
{
    int err;
    size_t n = initnn__count2(initnn__adder_name(l->type), "max_batch", net->max_batch, "units", l->out, &err);
    size_t col = 0, colt = 0;
    if (!n) return err;
    if (l->type == INITNN_LAYER_CONV2D) {
        int64_t rows = (int64_t)l->in_c * l->kernel_h * l->kernel_w, positions = (int64_t)l->out_h * l->out_w;
        if (rows * positions > INITNN_MAX_ELEMENTS)
            return initnn__fail(INITNN_ERR_OVERFLOW, "conv2d: im2col of %lld x %lld is too large", (long long)rows,
                                (long long)positions);
        /* Work space of the fast path (section 16): an im2col per slot, and
           a dW per slot followed by the channel sums of each sample's dZ. */
        if ((rows * positions + INITNN__SPILL) * INITNN__CONV_SLOTS > INITNN_MAX_ELEMENTS ||
            rows * l->out_c * INITNN__CONV_SLOTS + (int64_t)l->out_c * net->max_batch > INITNN_MAX_ELEMENTS)
            return initnn__fail(INITNN_ERR_OVERFLOW, "conv2d: im2col of %lld x %lld is too large", (long long)rows,
                                (long long)positions);
        col = (size_t)((rows * positions + INITNN__SPILL) * INITNN__CONV_SLOTS);
        colt = (size_t)(rows * l->out_c * INITNN__CONV_SLOTS + (int64_t)l->out_c * net->max_batch);
    }
    l->y = (float *)initnn__alloc_floats(n);
    l->dz = (float *)initnn__alloc_floats(n);
    l->z = need_z ? (float *)initnn__alloc_floats(n) : NULL;
    l->mask = need_mask ? (float *)initnn__alloc_floats(n) : NULL;
    l->col = col ? (float *)initnn__alloc_floats(col) : NULL;
    l->colt = col ? (float *)initnn__alloc_floats(colt) : NULL;
    l->argmax = l->type == INITNN_LAYER_MAXPOOL2D ? (int *)initnn__alloc_array(n, sizeof(int)) : NULL;
    if (!l->y || !l->dz || (need_z && !l->z) || (need_mask && !l->mask) || (col && (!l->col || !l->colt)) ||
        (l->type == INITNN_LAYER_MAXPOOL2D && !l->argmax)) {
        initnn__free_layer_buffers(l);
        return initnn__fail(INITNN_ERR_MEMORY, "out of memory for a layer of %d units", l->out);
    }
    memset(l->y, 0, n * sizeof(float));
    memset(l->dz, 0, n * sizeof(float));
    if (l->z) memset(l->z, 0, n * sizeof(float));
    if (l->mask) initnn_constant(l->mask, n, 1.0f);
    return INITNN_OK;
}

static int initnn__copy_spec(char *dst, const char *src, const char *what)
{
    size_t len = strlen(src);
    if (len >= INITNN_SPEC_MAX)
        return initnn__fail(INITNN_ERR_SPEC, "%s spec '%.40s...' is longer than %d characters", what, src,
                            INITNN_SPEC_MAX - 1);
    memcpy(dst, src, len + 1);
    return INITNN_OK;
}

INITNNDEF void initnn_layer_fans(int *fan_in, int *fan_out, const initnn_layer *layer)
{
    if (layer->type == INITNN_LAYER_CONV2D) {
        initnn_conv_fans(fan_in, fan_out, layer->in_c, layer->out_c, layer->kernel_h, layer->kernel_w);
    } else if (layer->type == INITNN_LAYER_DENSE) {
        *fan_in = layer->in;
        *fan_out = layer->out;
    } else {
        *fan_in = *fan_out = 0;
    }
}

/* Draws a layer's kernel and bias from its parsed specs with the net's rng.
   The kernel is the (fan_in, units) matrix of either kind of layer. */
static int initnn__init_params(initnn_net *net, initnn_layer *l)
{
    int err, fan_in, fan_out, units = l->out_c;
    initnn_layer_fans(&fan_in, &fan_out, l);
    if (l->type == INITNN_LAYER_CONV2D)
        err = initnn__fill_conv_kernel(l->W, l->in_c, l->out_c, l->kernel_h, l->kernel_w, &l->kernel_spec, &net->rng);
    else
        err = initnn_init_fill_fans(l->W, fan_in, units, fan_in, fan_out, &l->kernel_spec, &net->rng);
    /* A bias is a (1, units) matrix whose fan_in is the layer's fan_in: that
       is what PyTorch's U(+-1/sqrt(fan_in)) bias default refers to. */
    if (!err) err = initnn_init_fill_fans(l->b, 1, units, fan_in, fan_out, &l->bias_spec, &net->rng);
    return err;
}

/* The shape the next layer receives. */
static void initnn__next_shape(const initnn_net *net, int *c, int *h, int *w)
{
    if (net->layer_count == 0) { *c = net->input_c; *h = net->input_h; *w = net->input_w; return; }
    *c = net->layers[net->layer_count - 1].out_c;
    *h = net->layers[net->layer_count - 1].out_h;
    *w = net->layers[net->layer_count - 1].out_w;
}

/* Appends a layer with a kernel and a bias (dense or conv2d); *layer has
   its type and shapes set. units is the bias length, weights the kernel's. */
static int initnn__add_parametric(initnn_net *net, initnn_layer *proto, size_t weights, int units,
                                  const char *activation, const char *kernel_init, const char *bias_init)
{
    initnn_layer layer = *proto;
    const char *who = initnn__adder_name(proto->type);
    int err;
    if (!kernel_init) return initnn__fail(INITNN_ERR_SPEC, "%s: NULL kernel spec", who);
    if (!bias_init) bias_init = initnn_default_bias(kernel_init);
    if ((err = initnn_activation_parse(&layer.activation, &layer.activation_param, activation ? activation : "")) ||
        (err = initnn__copy_spec(layer.activation_spec, activation, "activation")) ||
        (err = initnn__copy_spec(layer.kernel_init, kernel_init, "kernel init")) ||
        (err = initnn__copy_spec(layer.bias_init, bias_init, "bias init")))
        return err;
    /* Both specs parsed once, before anything is allocated; the layer keeps them. */
    if ((err = initnn_init_parse(&layer.kernel_spec, kernel_init))) return err;
    if ((err = initnn_init_parse(&layer.bias_spec, bias_init)))
        return initnn__fail(err, "%s: bias spec: %s", who, initnn_last_error());
    if (layer.bias_spec.kind == INITNN_INIT_LSUV)
        return initnn__fail(INITNN_ERR_SPEC, "%s: bias spec 'lsuv': LSUV rescales kernels; give the bias a spec "
                            "of its own (e.g. zeros)", who);
    if (net->param_count + weights + (size_t)units > (size_t)INITNN_MAX_ELEMENTS)
        return initnn__fail(INITNN_ERR_OVERFLOW, "%s: more than %d parameters", who, INITNN_MAX_ELEMENTS);
    if ((err = initnn__alloc_layer_buffers(net, &layer, 1, 0))) return err;
    layer.param_offset = net->param_count;
    layer.weight_count = weights;
    layer.bias_count = (size_t)units;
    {
        /* Drawn into a scratch copy before the net's arrays grow (which
           moves them): drawing can fail (orthogonal allocates), and a failed
           add leaves the net as it was -- arrays, free slot and generator. */
        initnn_rng rng = net->rng;
        initnn_layer free_slot = net->layers[net->layer_count];
        float *drawn = (float *)initnn__alloc_floats(weights + (size_t)units);
        if (!drawn) err = initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory for %lu parameters", who,
                                       (unsigned long)(weights + (size_t)units));
        layer.W = drawn;
        layer.b = drawn ? drawn + weights : NULL;
        if (!err) err = initnn__init_params(net, &layer);
        if (!err) {
            net->layers[net->layer_count++] = layer;
            if ((err = initnn__grow_params(net, weights + (size_t)units))) net->layers[--net->layer_count] = free_slot;
            else memcpy(net->layers[net->layer_count - 1].W, drawn, (weights + (size_t)units) * sizeof(float));
        }
        if (err) {
            initnn__free_layer_buffers(&layer);
            net->rng = rng;
        }
        INITNN_FREE(drawn);
    }
    return err;
}

INITNNDEF int initnn_net_add_dense(initnn_net *net, int units, const char *activation,
                                   const char *kernel_init, const char *bias_init)
{
    initnn_layer layer;
    int err, in;
    size_t weights;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_dense: NULL net");
    if (net->layer_count >= INITNN_MAX_LAYERS)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_dense: more than %d layers", INITNN_MAX_LAYERS);
    in = initnn_net_output_dim(net);
    weights = initnn__count2("initnn_net_add_dense", "fan_in", in, "units", units, &err);
    if (!weights) return err;
    memset(&layer, 0, sizeof layer);
    layer.type = INITNN_LAYER_DENSE;
    layer.in = in;
    initnn__next_shape(net, &layer.in_c, &layer.in_h, &layer.in_w);
    layer.out = layer.out_c = units;
    layer.out_h = layer.out_w = 1;
    return initnn__add_parametric(net, &layer, weights, units, activation, kernel_init, bias_init);
}

INITNNDEF int initnn_net_set_input_shape(initnn_net *net, int channels, int height, int width)
{
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_input_shape: NULL net");
    if (net->layer_count) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_input_shape: the net has layers");
    /* channels x height first: three factors near 2^31 would overflow 64 bits */
    if (channels < 1 || height < 1 || width < 1 || (int64_t)channels * height > net->input_dim ||
        (int64_t)channels * height * width != net->input_dim)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_input_shape: %d x %d x %d is not the input's %d features",
                            channels, height, width, net->input_dim);
    net->input_c = channels;
    net->input_h = height;
    net->input_w = width;
    return INITNN_OK;
}

INITNNDEF int initnn_net_add_conv2d(initnn_net *net, int filters, int kernel_h, int kernel_w, int stride,
                                    int same_padding, const char *activation, const char *kernel_init,
                                    const char *bias_init)
{
    initnn_layer layer;
    int64_t rows, out;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_conv2d: NULL net");
    if (net->layer_count >= INITNN_MAX_LAYERS)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_conv2d: more than %d layers", INITNN_MAX_LAYERS);
    if (filters < 1 || kernel_h < 1 || kernel_w < 1 || stride < 1)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_conv2d: filters %d, kernel %d x %d, stride %d "
                            "must all be >= 1", filters, kernel_h, kernel_w, stride);
    memset(&layer, 0, sizeof layer);
    layer.type = INITNN_LAYER_CONV2D;
    initnn__next_shape(net, &layer.in_c, &layer.in_h, &layer.in_w);
    layer.in = initnn_net_output_dim(net);
    layer.kernel_h = kernel_h;
    layer.kernel_w = kernel_w;
    layer.stride = stride;
    layer.same_padding = same_padding != 0;
    if (layer.same_padding) {
        int pad_h, pad_w;
        /* Padded rows and columns index up to in + kernel: keep that an int. */
        if ((int64_t)layer.in_h + kernel_h > INITNN_MAX_ELEMENTS || (int64_t)layer.in_w + kernel_w > INITNN_MAX_ELEMENTS)
            return initnn__fail(INITNN_ERR_OVERFLOW, "initnn_net_add_conv2d: a %d x %d kernel is too large",
                                kernel_h, kernel_w);
        layer.out_h = (int)(((int64_t)layer.in_h + stride - 1) / stride);
        layer.out_w = (int)(((int64_t)layer.in_w + stride - 1) / stride);
        pad_h = (layer.out_h - 1) * stride + kernel_h - layer.in_h;
        pad_w = (layer.out_w - 1) * stride + kernel_w - layer.in_w;
        layer.pad_top = pad_h > 0 ? pad_h / 2 : 0;
        layer.pad_left = pad_w > 0 ? pad_w / 2 : 0;
    } else {
        if (kernel_h > layer.in_h || kernel_w > layer.in_w)
            return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_conv2d: a %d x %d kernel does not fit a %d x %d "
                                "input with valid padding", kernel_h, kernel_w, layer.in_h, layer.in_w);
        layer.out_h = (layer.in_h - kernel_h) / stride + 1;
        layer.out_w = (layer.in_w - kernel_w) / stride + 1;
    }
    layer.out_c = filters;
    out = (int64_t)filters * layer.out_h * layer.out_w;
    rows = (int64_t)kernel_h * kernel_w;   /* taps; times channels only below 2^31 (no 64-bit overflow) */
    if (rows <= INITNN_MAX_ELEMENTS) rows *= layer.in_c;
    if (out > INITNN_MAX_ELEMENTS || rows > INITNN_MAX_ELEMENTS || rows * filters > INITNN_MAX_ELEMENTS)
        return initnn__fail(INITNN_ERR_OVERFLOW, "initnn_net_add_conv2d: the layer is too large");
    layer.out = (int)out;
    return initnn__add_parametric(net, &layer, (size_t)(rows * filters), filters, activation, kernel_init, bias_init);
}

/* Appends a layer without parameters whose struct is filled in. */
static int initnn__add_plain(initnn_net *net, initnn_layer *layer)
{
    int err;
    layer->param_offset = net->param_count;
    if ((err = initnn__alloc_layer_buffers(net, layer, 0, layer->type == INITNN_LAYER_DROPOUT))) return err;
    net->layers[net->layer_count++] = *layer;
    return INITNN_OK;
}

INITNNDEF int initnn_net_add_pool2d(initnn_net *net, int max_pool, int size, int stride)
{
    initnn_layer layer;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_pool2d: NULL net");
    if (net->layer_count >= INITNN_MAX_LAYERS)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_pool2d: more than %d layers", INITNN_MAX_LAYERS);
    if (stride <= 0) stride = size;
    memset(&layer, 0, sizeof layer);
    layer.type = max_pool ? INITNN_LAYER_MAXPOOL2D : INITNN_LAYER_AVGPOOL2D;
    initnn__next_shape(net, &layer.in_c, &layer.in_h, &layer.in_w);
    layer.in = initnn_net_output_dim(net);
    if (size < 1 || size > layer.in_h || size > layer.in_w)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_pool2d: a %d x %d window does not fit a %d x %d input",
                            size, size, layer.in_h, layer.in_w);
    layer.kernel_h = layer.kernel_w = size;
    layer.stride = stride;
    layer.out_c = layer.in_c;
    layer.out_h = (layer.in_h - size) / stride + 1;
    layer.out_w = (layer.in_w - size) / stride + 1;
    layer.out = layer.out_c * layer.out_h * layer.out_w;
    return initnn__add_plain(net, &layer);
}

INITNNDEF int initnn_net_add_flatten(initnn_net *net)
{
    initnn_layer layer;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_flatten: NULL net");
    if (net->layer_count >= INITNN_MAX_LAYERS)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_flatten: more than %d layers", INITNN_MAX_LAYERS);
    memset(&layer, 0, sizeof layer);
    layer.type = INITNN_LAYER_FLATTEN;
    initnn__next_shape(net, &layer.in_c, &layer.in_h, &layer.in_w);
    layer.in = layer.out = layer.out_c = initnn_net_output_dim(net);
    layer.out_h = layer.out_w = 1;
    return initnn__add_plain(net, &layer);
}

INITNNDEF int initnn_net_add_dropout(initnn_net *net, float rate)
{
    initnn_layer layer;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_dropout: NULL net");
    if (net->layer_count >= INITNN_MAX_LAYERS)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_dropout: more than %d layers", INITNN_MAX_LAYERS);
    if (!(rate >= 0.0f && rate < 1.0f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_dropout: rate must be in [0, 1), got %g", (double)rate);
    memset(&layer, 0, sizeof layer);
    layer.type = INITNN_LAYER_DROPOUT;
    layer.in = layer.out = initnn_net_output_dim(net);
    initnn__next_shape(net, &layer.in_c, &layer.in_h, &layer.in_w);
    layer.out_c = layer.in_c;
    layer.out_h = layer.in_h;
    layer.out_w = layer.in_w;
    layer.rate = rate;
    return initnn__add_plain(net, &layer);
}

static int initnn__init_block_params(initnn_net *net, initnn_layer *l);   /* with the normalization layers */
static int initnn__apply_net_inits(initnn_net *net);

static const char *const initnn__arch_layers[] = {
    "dense", "dropout", "conv", "maxpool", "avgpool", "flatten", "bn", "ln", "res",
    "identity", "linear", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "selu"
};

/* A whole positive number from the text after "name:", or -1. */
static long initnn__arch_int(const char *text)
{
    char *end;
    long v;
    if (!text || !*text) return -1;
    errno = 0;
    v = strtol(text, &end, 10);   /* ERANGE: where long is 32 bits, 2^31 would read as 2^31 - 1 */
    return *end || errno == ERANGE || v < 1 || v > INITNN_MAX_ELEMENTS ? -1 : v;
}

INITNNDEF int initnn_net_from_arch(initnn_net **out, const char *arch, int channels, int height, int width,
                                   const char *kernel_init, const char *bias_init, int max_batch,
                                   uint64_t seed)
{
    initnn_net *net = NULL;
    char token[INITNN_SPEC_MAX];
    const char *p;
    int err, index = 0, features, depth = 0, kernel_kind = -1;
    const char *block_scale;
    int64_t input;
    struct { int from; char scale[INITNN_SPEC_MAX]; } blocks[16];   /* open res[ brackets */
    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_from_arch: NULL output");
    *out = NULL;
    if (!arch || !*arch) return initnn__fail(INITNN_ERR_SPEC, "arch is empty (try 'dense:128,relu,dense:10,softmax')");
    if (channels < 1 || height < 1 || width < 1)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_from_arch: input %d x %d x %d", channels, height, width);
    input = (int64_t)channels * height;   /* the third factor only below 2^31: no 64-bit overflow */
    if (input <= INITNN_MAX_ELEMENTS) input *= width;
    if (input > INITNN_MAX_ELEMENTS) return initnn__fail(INITNN_ERR_OVERFLOW, "initnn_net_from_arch: input too large");
    features = (int)input;
    {
        /* Residual inits give every res[...] a scalar: 1 for Fixup, 0 for SkipInit / ReZero. */
        initnn_init_spec parsed;
        if (kernel_init && !initnn_init_parse(&parsed, kernel_init)) kernel_kind = parsed.kind;
        block_scale = kernel_kind == INITNN_INIT_FIXUP ? "ones"
                    : kernel_kind == INITNN_INIT_SKIPINIT || kernel_kind == INITNN_INIT_REZERO ? "zeros" : NULL;
    }
    if ((err = initnn_net_create(&net, features, max_batch, seed))) return err;
    if ((err = initnn_net_set_input_shape(net, channels, height, width))) goto fail;
    for (p = arch; ; ) {
        size_t len = strcspn(p, ",");
        const char *args;
        char name[INITNN_SPEC_MAX], *tok;
        size_t name_len;
        int closes;
        index++;
        if (len == 0 || len >= sizeof token) {
            err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%.*s': %s", index, (int)(len > 40 ? 40 : len), p,
                               len ? "too long" : "empty (two commas in a row?)");
            goto fail;
        }
        memcpy(token, p, len);
        token[len] = '\0';
        tok = token;
        /* res[ or res:SPEC[ opens a residual block (several may open here) */
        while (!strncmp(tok, "res", 3) && (tok[3] == '[' || tok[3] == ':')) {
            char *open = strchr(tok, '[');
            size_t spec_len = open ? (size_t)(open - tok) - 4 : 0;
            if (!open || (tok[3] == ':' && spec_len == 0) || depth == (int)(sizeof blocks / sizeof blocks[0])) {
                err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': %s", index, token,
                                   open ? "residual blocks nest at most 16 deep or 'res:' lacks its scale spec"
                                        : "a residual block is res[...] or res:SCALE_SPEC[...], e.g. res[dense:64,relu,dense:64]");
                goto fail;
            }
            blocks[depth].from = net->layer_count - 1;
            blocks[depth].scale[0] = '\0';
            if (tok[3] == ':') { memcpy(blocks[depth].scale, tok + 4, spec_len); blocks[depth].scale[spec_len] = '\0'; }
            depth++;
            tok = open + 1;
        }
        closes = 0;
        {
            size_t tl = strlen(tok);
            while (tl && tok[tl - 1] == ']') { tok[--tl] = '\0'; closes++; }
        }
        if (!*tok) {
            err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': a bracket without a layer", index, token);
            goto fail;
        }
        name_len = strcspn(tok, ":");
        memcpy(name, tok, name_len);
        name[name_len] = '\0';
        args = tok[name_len] == ':' ? tok + name_len + 1 : NULL;
        if (!strcmp(name, "bn") || !strcmp(name, "ln")) {
            /* bn[:GAMMA_SPEC], ln[:GAMMA_SPEC]; beta starts at zero */
            if ((err = name[0] == 'b' ? initnn_net_add_batchnorm(net, "identity", args, NULL)
                                      : initnn_net_add_layernorm(net, "identity", args, NULL)))
                goto fail_token;
        } else if (!strcmp(name, "dense")) {
            long units = initnn__arch_int(args);
            if (units < 0) {
                err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': dense needs a unit count, e.g. dense:128", index, token);
                goto fail;
            }
            if ((err = initnn_net_add_dense(net, (int)units, "identity", kernel_init, bias_init))) goto fail_token;
        } else if (!strcmp(name, "dropout")) {
            char *end;
            double rate = args ? strtod(args, &end) : -1.0;
            if (!args || *end || !(rate >= 0.0 && rate < 1.0)) {
                err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': dropout needs a rate in [0, 1), e.g. dropout:0.5",
                                   index, token);
                goto fail;
            }
            if ((err = initnn_net_add_dropout(net, (float)rate))) goto fail_token;
        } else if (!strcmp(name, "conv")) {
            /* conv:F:K[xK2][:S[:same|valid]] */
            long filters = -1, kh = -1, kw = -1, stride = 1;
            int same = 0, fields = 0;
            char copy[INITNN_SPEC_MAX], *field, *next;
            if (args) {
                memcpy(copy, args, strlen(args) + 1);
                for (field = copy; field; field = next, fields++) {
                    next = strchr(field, ':');
                    if (next) *next++ = '\0';
                    if (fields == 0) filters = initnn__arch_int(field);
                    else if (fields == 1) {
                        char *x = strchr(field, 'x');
                        if (x) { *x = '\0'; kh = initnn__arch_int(field); kw = initnn__arch_int(x + 1); }
                        else kh = kw = initnn__arch_int(field);
                    } else if (fields == 2) stride = initnn__arch_int(field);
                    else if (fields == 3 && !strcmp(field, "same")) same = 1;
                    else if (fields == 3 && !strcmp(field, "valid")) same = 0;
                    else { fields = -99; break; }
                }
            }
            if (fields < 2 || filters < 0 || kh < 0 || kw < 0 || stride < 0) {
                err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': conv needs filters:kernel[:stride[:same|valid]], "
                                   "e.g. conv:32:3 or conv:64:3x3:1:same", index, token);
                goto fail;
            }
            if ((err = initnn_net_add_conv2d(net, (int)filters, (int)kh, (int)kw, (int)stride, same, "identity",
                                             kernel_init, bias_init)))
                goto fail_token;
        } else if (!strcmp(name, "maxpool") || !strcmp(name, "avgpool")) {
            long size = -1, stride = 0;
            if (args) {
                const char *colon = strchr(args, ':');
                char first[INITNN_SPEC_MAX];
                size_t first_len = colon ? (size_t)(colon - args) : strlen(args);
                memcpy(first, args, first_len);
                first[first_len] = '\0';
                size = initnn__arch_int(first);
                if (colon) stride = initnn__arch_int(colon + 1);
            }
            if (size < 0 || stride < 0) {
                err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': %s needs a window size[:stride], e.g. %s:2",
                                   index, token, name, name);
                goto fail;
            }
            if ((err = initnn_net_add_pool2d(net, name[0] == 'm', (int)size, (int)stride))) goto fail_token;
        } else if (!strcmp(name, "flatten")) {
            if (args) {
                err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': flatten takes no parameter", index, token);
                goto fail;
            }
            if ((err = initnn_net_add_flatten(net))) goto fail_token;
        } else {
            int activation;
            float param;
            initnn_layer *last = net->layer_count ? &net->layers[net->layer_count - 1] : NULL;
            if (initnn_activation_parse(&activation, &param, tok)) {
                const char *hint;
                if (strncmp(initnn__error_message, "unknown activation", 18) != 0) {
                    /* A known activation with a bad parameter ("leaky_relu:nan"):
                       say what is wrong with it, not "did you mean" its own name. */
                    char message[sizeof initnn__error_message];
                    memcpy(message, initnn__error_message, sizeof message);
                    err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': %s", index, token, message);
                    goto fail;
                }
                hint = initnn_suggest(name, initnn__arch_layers,
                                                  (int)(sizeof initnn__arch_layers / sizeof initnn__arch_layers[0]));
                if (hint)
                    err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': unknown layer '%s' (did you mean '%s'?)",
                                       index, token, name, hint);
                else
                    err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': unknown layer '%s' (dense:N, conv:F:K, "
                                       "maxpool:K, avgpool:K, flatten, dropout:R, or an activation)", index, token, name);
                goto fail;
            }
            if (!last || !(last->weight_count || last->type >= INITNN_LAYER_BATCHNORM) ||
                strcmp(last->activation_spec, "identity") != 0 ||
                (activation == INITNN_ACT_SOFTMAX && last->type != INITNN_LAYER_DENSE)) {
                err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': an activation must follow a dense, conv, bn, ln "
                                   "or res[...] layer that has none yet (softmax: a dense one)", index, token);
                goto fail;
            }
            last->activation = activation;
            last->activation_param = param;
            memcpy(last->activation_spec, tok, strlen(tok) + 1);
        }
        while (closes-- > 0) {
            if (depth == 0) {
                err = initnn__fail(INITNN_ERR_SPEC, "arch token %d '%s': ']' closes no res[", index, token);
                goto fail;
            }
            depth--;
            if ((err = initnn_net_add_residual(net, blocks[depth].from, blocks[depth].scale[0] ? blocks[depth].scale
                                               : block_scale, kernel_kind == INITNN_INIT_FIXUP ||
                                               kernel_kind == INITNN_INIT_SKIPINIT || kernel_kind == INITNN_INIT_REZERO
                                               ? "he_normal" : kernel_init, "identity")))
                goto fail_token;
        }
        p += len;
        if (!*p) break;
        p++;
    }
    if (net->layer_count == 0) {
        err = initnn__fail(INITNN_ERR_SPEC, "arch '%s' has no layers", arch);
        goto fail;
    }
    if (depth) {
        err = initnn__fail(INITNN_ERR_SPEC, "arch '%.40s': %d res[ without its ]", arch, depth);
        goto fail;
    }
    initnn__apply_net_inits(net);
    *out = net;
    return INITNN_OK;
fail_token:
    {
        char message[sizeof initnn__error_message];
        memcpy(message, initnn__error_message, sizeof message);
        err = initnn__fail(err, "arch token %d '%s': %s", index, token, message);
    }
fail:
    initnn_net_free(net);
    return err;
}

INITNNDEF int initnn_net_set_loss(initnn_net *net, int loss)
{
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_loss: NULL net");
    if (loss != INITNN_LOSS_SOFTMAX_CROSS_ENTROPY && loss != INITNN_LOSS_MSE)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_loss: unknown loss %d", loss);
    net->loss = loss;
    return INITNN_OK;
}

INITNNDEF int initnn_net_set_optimizer(initnn_net *net, const initnn_optimizer *opt)
{
    if (!net || !opt) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_optimizer: NULL argument");
    if (opt->type < INITNN_OPT_SGD || opt->type > INITNN_OPT_RMSPROP)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_optimizer: unknown optimizer %d", opt->type);
    if (!(opt->learning_rate >= 0.0f) || !(opt->learning_rate < 1e6f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_optimizer: learning rate must be in [0, 1e6), got %g",
                            (double)opt->learning_rate);
    if (!(opt->momentum >= 0.0f && opt->momentum < 1.0f) || !(opt->beta1 >= 0.0f && opt->beta1 < 1.0f) ||
        !(opt->beta2 >= 0.0f && opt->beta2 < 1.0f) || !(opt->rho >= 0.0f && opt->rho < 1.0f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_optimizer: momentum %g, beta1 %g, beta2 %g and rho %g "
                            "must each be in [0, 1)", (double)opt->momentum, (double)opt->beta1, (double)opt->beta2,
                            (double)opt->rho);
    if (!(opt->epsilon >= 0.0f) || !(opt->weight_decay >= 0.0f) || !(opt->clip_norm >= 0.0f) || !(opt->clip_value >= 0.0f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_optimizer: epsilon, weight_decay, clip_norm and "
                            "clip_value must be >= 0");
    /* Adam and RMSProp divide by sqrt(v) + epsilon, and v is 0 wherever the
       gradient has been 0: epsilon 0 would make that step 0 / 0. */
    if ((opt->type == INITNN_OPT_ADAM || opt->type == INITNN_OPT_RMSPROP) && !(opt->epsilon > 0.0f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_optimizer: epsilon must be > 0 for Adam and RMSProp "
                            "(their step divides by sqrt(v) + epsilon, and v is 0 where the gradient was), got %g",
                            (double)opt->epsilon);
    net->opt = *opt;
    net->opt.step = 0;
    if (net->param_count) {
        memset(net->opt_m, 0, net->param_count * sizeof(float));
        memset(net->opt_v, 0, net->param_count * sizeof(float));
    }
    return INITNN_OK;
}

INITNNDEF int initnn_net_reinit(initnn_net *net, uint64_t seed)
{
    int i, err;
    initnn_rng rng;
    uint64_t old_seed;
    float *saved;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_reinit: NULL net");
    /* Drawing can fail (orthogonal allocates): keep what to put back. */
    saved = net->param_count ? (float *)initnn__alloc_floats(net->param_count) : NULL;
    if (net->param_count && !saved) return initnn__fail(INITNN_ERR_MEMORY, "initnn_net_reinit: out of memory");
    rng = net->rng;
    old_seed = net->seed;
    if (net->param_count) memcpy(saved, net->params, net->param_count * sizeof(float));
    net->seed = seed;
    initnn_rng_seed(&net->rng, seed);
    for (i = 0; i < net->layer_count; i++) {
        initnn_layer *l = &net->layers[i];
        if ((l->weight_count ? (err = initnn__init_params(net, l))
             : l->bias_count || l->running_mean ? (err = initnn__init_block_params(net, l)) : 0)) {
            memcpy(net->params, saved, net->param_count * sizeof(float));
            INITNN_FREE(saved);
            net->rng = rng;
            net->seed = old_seed;
            return err;
        }
    }
    initnn__apply_net_inits(net);   /* Fixup's rules, if a kernel spec asks (cannot fail: the net has blocks) */
    if (net->param_count) memcpy(net->params_backup, saved, net->param_count * sizeof(float));
    INITNN_FREE(saved);
    net->opt.step = 0;
    net->steps_taken = 0;
    if (net->param_count) {
        memset(net->opt_m, 0, net->param_count * sizeof(float));
        memset(net->opt_v, 0, net->param_count * sizeof(float));
        memset(net->grads, 0, net->param_count * sizeof(float));
    }
    return INITNN_OK;
}

/* ---- normalization and residual blocks ---------------------------------------
   The formulas are at the declarations ("normalization and residual
   blocks", section 7); here each is its plain loop, forward beside backward. */

/* [batchnorm] Batch normalization forward: per channel c, over the N = B HW values
   x[b][c][p], the mean and biased variance, then z = gamma xhat + beta.
   The sums are in double: a channel of a large batch adds up many floats. */
INITNNDEF void initnn_batchnorm_forward(float *Z, float *xhat, float *mean, float *inv_std, float *running_mean,
                                        float *running_var, const float *X, const float *gamma, const float *beta,
                                        int B, int C, int HW, float momentum, float epsilon, int training)
{
    int b, c, p;
    double n = (double)B * HW;
    for (c = 0; c < C; c++) {
        double mu, var;
        if (training) {
            double sum = 0.0, sum_sq = 0.0;
            for (b = 0; b < B; b++) {
                const float *x = X + ((size_t)b * C + c) * HW;
                for (p = 0; p < HW; p++) sum += x[p];
            }
            mu = sum / n;
            for (b = 0; b < B; b++) {
                const float *x = X + ((size_t)b * C + c) * HW;
                for (p = 0; p < HW; p++) sum_sq += (x[p] - mu) * (x[p] - mu);
            }
            var = sum_sq / n;   /* biased: what normalizes the batch */
            /* PyTorch's running averages; the variance one is unbiased. */
            running_mean[c] = (float)((1.0 - momentum) * running_mean[c] + momentum * mu);
            running_var[c] = (float)((1.0 - momentum) * running_var[c] + momentum * (n > 1.0 ? var * n / (n - 1.0) : var));
        } else {
            mu = running_mean[c];
            var = running_var[c];
        }
        mean[c] = (float)mu;
        inv_std[c] = (float)(1.0 / sqrt(var + epsilon));
        for (b = 0; b < B; b++) {
            size_t at = ((size_t)b * C + c) * HW;
            for (p = 0; p < HW; p++) {
                xhat[at + p] = (float)((X[at + p] - mu) * inv_std[c]);
                Z[at + p] = gamma[c] * xhat[at + p] + beta[c];
            }
        }
    }
}

/* Batch normalization backward. In training every xhat depends on every x
   of its channel through mu and var:
      dxhat = gamma dz
      dvar  = sum dxhat (x - mu) (-1/2) inv_std^3
      dmu   = -inv_std sum dxhat           (the dvar term has sum (x - mu) = 0)
      dx    = dxhat inv_std + dvar 2 (x - mu) / N + dmu / N
   which, with x - mu = xhat / inv_std, is the one line
      dx = inv_std / N (N dxhat - sum dxhat - xhat sum(dxhat xhat)). */
INITNNDEF void initnn_batchnorm_backward(float *dX, float *dgamma, float *dbeta, const float *dZ, const float *xhat,
                                         const float *gamma, const float *inv_std, int B, int C, int HW, int training)
{
    int b, c, p;
    double n = (double)B * HW;
    for (c = 0; c < C; c++) {
        double sum_dz = 0.0, sum_dz_xhat = 0.0;
        for (b = 0; b < B; b++) {
            size_t at = ((size_t)b * C + c) * HW;
            for (p = 0; p < HW; p++) {
                sum_dz += dZ[at + p];
                sum_dz_xhat += (double)dZ[at + p] * xhat[at + p];
            }
        }
        dgamma[c] += (float)sum_dz_xhat;
        dbeta[c] += (float)sum_dz;
        if (!dX) continue;
        for (b = 0; b < B; b++) {
            size_t at = ((size_t)b * C + c) * HW;
            for (p = 0; p < HW; p++) {
                double dxhat = (double)gamma[c] * dZ[at + p];
                if (training)   /* sum dxhat = gamma sum dz, sum dxhat xhat = gamma sum dz xhat */
                    dX[at + p] = (float)(inv_std[c] / n *
                                         (n * dxhat - gamma[c] * sum_dz - xhat[at + p] * gamma[c] * sum_dz_xhat));
                else
                    dX[at + p] = (float)(dxhat * inv_std[c]);
            }
        }
    }
}

/* Layer normalization forward: the statistics of each sample's D features. */
INITNNDEF void initnn_layernorm_forward(float *Z, float *xhat, float *inv_std, const float *X, const float *gamma,
                                        const float *beta, int B, int D, float epsilon)
{
    int b, k;
    for (b = 0; b < B; b++) {
        const float *x = X + (size_t)b * D;
        double sum = 0.0, sum_sq = 0.0, mu;
        for (k = 0; k < D; k++) sum += x[k];
        mu = sum / D;
        for (k = 0; k < D; k++) sum_sq += (x[k] - mu) * (x[k] - mu);
        inv_std[b] = (float)(1.0 / sqrt(sum_sq / D + epsilon));
        for (k = 0; k < D; k++) {
            size_t at = (size_t)b * D + k;
            xhat[at] = (float)((x[k] - mu) * inv_std[b]);
            Z[at] = gamma[k] * xhat[at] + beta[k];
        }
    }
}

/* Layer normalization backward: batch normalization's formula with the
   roles of samples and features exchanged, dxhat = gamma dz per feature. */
INITNNDEF void initnn_layernorm_backward(float *dX, float *dgamma, float *dbeta, const float *dZ, const float *xhat,
                                         const float *gamma, const float *inv_std, int B, int D)
{
    int b, k;
    for (b = 0; b < B; b++) {
        const float *dz = dZ + (size_t)b * D, *xh = xhat + (size_t)b * D;
        double sum_dxhat = 0.0, sum_dxhat_xhat = 0.0;
        for (k = 0; k < D; k++) {
            double dxhat = (double)gamma[k] * dz[k];
            dgamma[k] += dz[k] * xh[k];
            dbeta[k] += dz[k];
            sum_dxhat += dxhat;
            sum_dxhat_xhat += dxhat * xh[k];
        }
        if (!dX) continue;
        for (k = 0; k < D; k++)
            dX[(size_t)b * D + k] = (float)(inv_std[b] / D *
                                            ((double)D * gamma[k] * dz[k] - sum_dxhat - xh[k] * sum_dxhat_xhat));
    }
}

/* The channels of a residual block's input x (the skip): every feature of
   it when the block's output is a vector (out_h = out_w = 1), as after a
   dense layer, unless the shortcut is strided (then x is a map). */
static int initnn__skip_channels(const initnn_net *net, const initnn_layer *l)
{
    if (l->out_h * l->out_w == 1 && !l->stride)
        return l->skip_from < 0 ? net->input_dim : net->layers[l->skip_from].out;
    return l->skip_from < 0 ? net->input_c : net->layers[l->skip_from].out_c;
}

/* The rows and columns of the skip x: the block's own unless the shortcut
   is strided (l->stride >= 2, a branch that downsamples), then x's. */
static void initnn__skip_size(const initnn_net *net, const initnn_layer *l, int *skip_h, int *skip_w)
{
    *skip_h = l->out_h;
    *skip_w = l->out_w;
    if (!l->stride) return;
    *skip_h = l->skip_from < 0 ? net->input_h : net->layers[l->skip_from].out_h;
    *skip_w = l->skip_from < 0 ? net->input_w : net->layers[l->skip_from].out_w;
}

/* [residual] z[b][co][oy][ox] = alpha F[b][co][oy][ox]
                                + sum over ci of x[b][ci][oy s][ox s] P[ci][co]
   (identity skip: + x[b][co][oy][ox]). s is the shortcut's stride: 1, so
   that P acts at each position alone, unless the branch downsamples; then P
   is He et al.'s option B, a 1x1 convolution of stride s without bias, which
   reads every s-th row and column of x (initnn_net_add_residual). */
static void initnn__residual_forward(const initnn_net *net, initnn_layer *l, const float *F, int batch)
{
    const float *x = l->skip_from < 0 ? net->input : net->layers[l->skip_from].y;
    const float *P = l->projection_count ? l->b : NULL;
    float alpha = l->has_scale ? l->b[l->projection_count] : 1.0f;
    int b, co, ci, oy, ox, C = l->out_c, H = l->out_h, W = l->out_w, skip_c = initnn__skip_channels(net, l);
    int s = l->stride ? l->stride : 1, skip_h, skip_w;
    initnn__skip_size(net, l, &skip_h, &skip_w);
    for (b = 0; b < batch; b++)
        for (co = 0; co < C; co++) {
            float *z = l->z + ((size_t)b * C + co) * H * W;
            const float *f = F + ((size_t)b * C + co) * H * W;
            for (oy = 0; oy < H; oy++)
                for (ox = 0; ox < W; ox++) {
                    size_t p = (size_t)oy * W + ox, q = (size_t)oy * s * skip_w + (size_t)ox * s;   /* x's position */
                    float skip = 0.0f;
                    if (P)
                        for (ci = 0; ci < skip_c; ci++)
                            skip += x[((size_t)b * skip_c + ci) * skip_h * skip_w + q] * P[(size_t)ci * C + co];
                    else
                        skip = x[((size_t)b * C + co) * H * W + p];
                    z[p] = alpha * f[p] + skip;
                }
        }
}

/* The residual add's backward, from dz = dL/dz:
      dF = alpha dz  (into the branch's last layer),  dalpha += sum dz F,
      skip_grad[b][ci][oy s][ox s] = sum over co of dz[b][co][oy][ox] P[ci][co]
                                      (identity: dz; 0 at the rows and
                                      columns a stride skips),
      dP[ci][co] += sum over b, oy, ox of x[b][ci][oy s][ox s] dz[b][co][oy][ox].
   skip_grad is added to dL/dx once the branch has written its own part
   (initnn_net_backward). */
static void initnn__residual_backward(const initnn_net *net, initnn_layer *l, float *dF, const float *F, int batch)
{
    const float *x = l->skip_from < 0 ? net->input : net->layers[l->skip_from].y;
    const float *P = l->projection_count ? l->b : NULL;
    float *dP = l->projection_count ? l->db : NULL;
    float alpha = l->has_scale ? l->b[l->projection_count] : 1.0f;
    int b, co, ci, oy, ox, C = l->out_c, H = l->out_h, W = l->out_w, skip_c = initnn__skip_channels(net, l);
    int s = l->stride ? l->stride : 1, skip_h, skip_w;
    size_t k, n = (size_t)batch * l->out, skip_hw;
    initnn__skip_size(net, l, &skip_h, &skip_w);
    skip_hw = (size_t)skip_h * skip_w;
    if (l->has_scale) {
        double dalpha = 0.0;
        for (k = 0; k < n; k++) dalpha += (double)l->dz[k] * F[k];
        l->db[l->projection_count] += (float)dalpha;
    }
    if (dF)
        for (k = 0; k < n; k++) dF[k] = alpha * l->dz[k];
    if (!P) {
        memcpy(l->skip_grad, l->dz, n * sizeof(float));
        return;
    }
    if (s > 1) memset(l->skip_grad, 0, (size_t)batch * skip_c * skip_hw * sizeof(float));
    for (b = 0; b < batch; b++)
        for (oy = 0; oy < H; oy++)
            for (ox = 0; ox < W; ox++) {
                size_t p = (size_t)oy * W + ox, q = (size_t)oy * s * skip_w + (size_t)ox * s;
                for (ci = 0; ci < skip_c; ci++) {
                    float xv = x[((size_t)b * skip_c + ci) * skip_hw + q], g = 0.0f;
                    for (co = 0; co < C; co++) {
                        float d = l->dz[((size_t)b * C + co) * H * W + p];
                        dP[(size_t)ci * C + co] += xv * d;
                        g += P[(size_t)ci * C + co] * d;
                    }
                    l->skip_grad[((size_t)b * skip_c + ci) * skip_hw + q] = g;
                }
            }
}

/* Draws a normalization's gamma and beta, or a residual add's projection
   and scale, from the layer's specs; resets the running statistics. */
static int initnn__init_block_params(initnn_net *net, initnn_layer *l)
{
    int err = INITNN_OK;
    if (l->type == INITNN_LAYER_BATCHNORM || l->type == INITNN_LAYER_LAYERNORM) {
        int n = (int)(l->bias_count / 2);
        err = initnn_init_fill_fans(l->b, 1, n, 1, n, &l->kernel_spec, &net->rng);
        if (!err) err = initnn_init_fill_fans(l->b + n, 1, n, 1, n, &l->bias_spec, &net->rng);
        if (!err && l->running_mean) {
            initnn_zeros(l->running_mean, (size_t)n);
            initnn_constant(l->running_var, (size_t)n, 1.0f);
        }
    } else if (l->type == INITNN_LAYER_RESIDUAL) {
        int skip_c = initnn__skip_channels(net, l);
        if (l->projection_count)
            err = initnn_init_fill_fans(l->b, skip_c, l->out_c, skip_c, l->out_c, &l->kernel_spec, &net->rng);
        if (!err && l->has_scale)
            err = initnn_init_fill_fans(l->b + l->projection_count, 1, 1, 1, 1, &l->bias_spec, &net->rng);
    }
    return err;
}

/* Appends a normalization or residual layer (*proto has type and shapes):
   specs parsed, buffers allocated, `params` floats added and drawn; all or
   nothing. */
static int initnn__add_block_layer(initnn_net *net, initnn_layer *proto, size_t params, const char *activation,
                                   const char *kernel_init, const char *bias_init)
{
    initnn_layer layer = *proto;
    const char *who = initnn__adder_name(proto->type);
    size_t n, stats = 0;
    int err;
    if (net->layer_count >= INITNN_MAX_LAYERS)
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: more than %d layers", who, INITNN_MAX_LAYERS);
    if (!activation) activation = "identity";
    if ((err = initnn_activation_parse(&layer.activation, &layer.activation_param, activation)) ||
        (err = initnn__copy_spec(layer.activation_spec, activation, "activation")) ||
        (err = initnn__copy_spec(layer.kernel_init, kernel_init, "init")) ||
        (err = initnn__copy_spec(layer.bias_init, bias_init, "init")))
        return err;
    if (layer.activation == INITNN_ACT_SOFTMAX)
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: softmax belongs to the last dense layer", who);
    if (*kernel_init && (err = initnn_init_parse(&layer.kernel_spec, kernel_init)))
        return initnn__fail(err, "%s: %s", who, initnn_last_error());
    if (*bias_init && (err = initnn_init_parse(&layer.bias_spec, bias_init)))
        return initnn__fail(err, "%s: %s", who, initnn_last_error());
    if ((*kernel_init && layer.kernel_spec.kind == INITNN_INIT_LSUV) || (*bias_init && layer.bias_spec.kind == INITNN_INIT_LSUV))
        return initnn__fail(INITNN_ERR_SPEC, "%s: 'lsuv' rescales kernels, not this layer's parameters", who);
    if (net->param_count + params > (size_t)INITNN_MAX_ELEMENTS)
        return initnn__fail(INITNN_ERR_OVERFLOW, "%s: more than %d parameters", who, INITNN_MAX_ELEMENTS);
    if ((err = initnn__alloc_layer_buffers(net, &layer, 1, 0))) return err;
    n = (size_t)net->max_batch * (size_t)layer.out;   /* alloc_layer_buffers checked it */
    if (layer.type == INITNN_LAYER_BATCHNORM) stats = (size_t)layer.out_c;
    if (layer.type == INITNN_LAYER_LAYERNORM) stats = (size_t)net->max_batch;
    if (stats) {
        layer.xhat = (float *)initnn__alloc_floats(n);
        layer.norm_mean = (float *)initnn__alloc_floats(stats);
        layer.norm_inv_std = (float *)initnn__alloc_floats(stats);
        if (layer.type == INITNN_LAYER_BATCHNORM) {
            layer.running_mean = (float *)initnn__alloc_floats(stats);
            layer.running_var = (float *)initnn__alloc_floats(stats);
        }
    }
    if (layer.type == INITNN_LAYER_RESIDUAL) {
        int skip = layer.skip_from < 0 ? net->input_dim : net->layers[layer.skip_from].out;
        layer.skip_grad = (float *)initnn__alloc_floats((size_t)net->max_batch * (size_t)skip);
    }
    if ((stats && (!layer.xhat || !layer.norm_mean || !layer.norm_inv_std)) ||
        (layer.type == INITNN_LAYER_BATCHNORM && (!layer.running_mean || !layer.running_var)) ||
        (layer.type == INITNN_LAYER_RESIDUAL && !layer.skip_grad)) {
        initnn__free_layer_buffers(&layer);
        return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", who);
    }
    layer.param_offset = net->param_count;
    layer.weight_count = 0;
    layer.bias_count = params;
    net->layers[net->layer_count++] = layer;
    if ((err = initnn__grow_params(net, params))) {
        net->layer_count--;
        initnn__free_layer_buffers(&net->layers[net->layer_count]);
        return err;
    }
    {
        initnn_rng rng = net->rng;
        if ((err = initnn__init_block_params(net, &net->layers[net->layer_count - 1]))) {
            net->layer_count--;
            initnn__free_layer_buffers(&net->layers[net->layer_count]);
            net->param_count -= params;
            net->rng = rng;
            initnn__bind_params(net);
            return err;
        }
    }
    if (layer.type == INITNN_LAYER_RESIDUAL) net->residual_count++;
    return INITNN_OK;
}

static int initnn__add_norm(initnn_net *net, int type, const char *activation, const char *gamma_init,
                            const char *beta_init)
{
    initnn_layer layer;
    int features;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: NULL net", initnn__adder_name(type));
    if (net->layer_count >= INITNN_MAX_LAYERS)
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: more than %d layers", initnn__adder_name(type), INITNN_MAX_LAYERS);
    memset(&layer, 0, sizeof layer);
    layer.type = type;
    features = initnn_net_output_dim(net);
    layer.in = layer.out = features;
    initnn__next_shape(net, &layer.in_c, &layer.in_h, &layer.in_w);
    layer.out_c = layer.in_c;
    layer.out_h = layer.in_h;
    layer.out_w = layer.in_w;
    layer.momentum = INITNN_BN_MOMENTUM;
    layer.epsilon = INITNN_BN_EPSILON;
    layer.skip_from = -1;
    return initnn__add_block_layer(net, &layer, 2 * (size_t)(type == INITNN_LAYER_BATCHNORM ? layer.out_c : features),
                                   activation, gamma_init ? gamma_init : "ones", beta_init ? beta_init : "zeros");
}

INITNNDEF int initnn_net_add_batchnorm(initnn_net *net, const char *activation, const char *gamma_init,
                                       const char *beta_init)
{
    return initnn__add_norm(net, INITNN_LAYER_BATCHNORM, activation, gamma_init, beta_init);
}

INITNNDEF int initnn_net_add_layernorm(initnn_net *net, const char *activation, const char *gamma_init,
                                       const char *beta_init)
{
    return initnn__add_norm(net, INITNN_LAYER_LAYERNORM, activation, gamma_init, beta_init);
}

INITNNDEF int initnn_net_add_residual(initnn_net *net, int from_layer, const char *scale_init,
                                      const char *projection_init, const char *activation)
{
    initnn_layer layer;
    int skip_c, skip_h, skip_w, k, flattens = 0;
    size_t projection = 0;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_residual: NULL net");
    if (from_layer < -1 || from_layer >= net->layer_count - 1)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_residual: from_layer %d: the branch after it must have "
                            "at least one of the net's %d layers (-1 is the input)", from_layer, net->layer_count);
    memset(&layer, 0, sizeof layer);
    layer.type = INITNN_LAYER_RESIDUAL;
    layer.skip_from = from_layer;
    layer.has_scale = scale_init != NULL;
    layer.in = layer.out = initnn_net_output_dim(net);
    initnn__next_shape(net, &layer.in_c, &layer.in_h, &layer.in_w);
    layer.out_c = layer.in_c;
    layer.out_h = layer.in_h;
    layer.out_w = layer.in_w;
    if (from_layer < 0) { skip_c = net->input_c; skip_h = net->input_h; skip_w = net->input_w; }
    else { skip_c = net->layers[from_layer].out_c; skip_h = net->layers[from_layer].out_h; skip_w = net->layers[from_layer].out_w; }
    for (k = from_layer + 1; k < net->layer_count; k++)
        flattens |= net->layers[k].type == INITNN_LAYER_DENSE || net->layers[k].type == INITNN_LAYER_FLATTEN;
    if (layer.out_h == 1 && layer.out_w == 1 && (flattens || (skip_h == 1 && skip_w == 1))) {
        /* a vector (after dense layers): the input x is one too, of all its
           features; a conv branch down to one pixel leaves x a map */
        skip_c = from_layer < 0 ? net->input_dim : net->layers[from_layer].out;
        skip_h = skip_w = 1;
    }
    if (skip_h != layer.out_h || skip_w != layer.out_w) {
        /* The branch downsamples: the shortcut is a 1x1 convolution with the
           stride s of the branch (the product of its conv and pool strides;
           He et al.'s option B), whose output is ceil(H / s) x ceil(W / s).
           Another s that happens to give the branch's size would read rows
           and columns out of step with the branch's, so it is not sought. */
        int most = skip_h > skip_w ? skip_h : skip_w, s = 1;
        for (k = from_layer + 1; k < net->layer_count; k++) {
            const initnn_layer *bl = &net->layers[k];
            if (bl->type == INITNN_LAYER_CONV2D || bl->type == INITNN_LAYER_MAXPOOL2D || bl->type == INITNN_LAYER_AVGPOOL2D)
                s = (int64_t)s * bl->stride >= most ? most : s * bl->stride;   /* s >= H, W: row and column 0 alone */
        }
        if (s < 2)
            return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_residual: the block's input is %d x %d x %d and its "
                                "branch gives %d x %d x %d without a stride: a shortcut cannot follow rows and columns "
                                "lost to 'valid' padding (give the branch's convs 'same' padding)",
                                skip_c, skip_h, skip_w, layer.out_c, layer.out_h, layer.out_w);
        if ((skip_h + s - 1) / s != layer.out_h || (skip_w + s - 1) / s != layer.out_w)
            return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_add_residual: the block's input is %d x %d x %d and its "
                                "branch gives %d x %d x %d; its strides multiply to %d, and a 1x1 projection of stride %d "
                                "gives %d x %d x %d, not %d x %d ('valid' padding or a pooling window that drops the last "
                                "row or column; 'same' convs give ceil(size / stride))", skip_c, skip_h, skip_w,
                                layer.out_c, layer.out_h, layer.out_w, s, s, layer.out_c, (skip_h + s - 1) / s,
                                (skip_w + s - 1) / s, layer.out_h, layer.out_w);
        layer.stride = s;
    }
    if (skip_c != layer.out_c || layer.stride) projection = (size_t)skip_c * (size_t)layer.out_c;
    layer.projection_count = projection;
    return initnn__add_block_layer(net, &layer, projection + (size_t)layer.has_scale, activation,
                                   projection_init ? projection_init : "he_normal:0,fan_in",
                                   scale_init ? scale_init : "");
}

/* [fixup] Rules 1-3 (initnn_net_fixup's comment). */
INITNNDEF int initnn_net_fixup(initnn_net *net)
{
    int r, k, blocks = 0, last_weight = -1, last_res = -1;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_fixup: NULL net");
    for (r = 0; r < net->layer_count; r++) {
        if (net->layers[r].type == INITNN_LAYER_RESIDUAL) { blocks++; last_res = r; }
        if (net->layers[r].weight_count) last_weight = r;
    }
    if (!blocks) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_fixup: the net has no residual block");
    for (r = 0; r < net->layer_count; r++) {
        initnn_layer *res = &net->layers[r];
        int m = 0, last = -1;
        double scale;
        if (res->type != INITNN_LAYER_RESIDUAL) continue;
        for (k = res->skip_from + 1; k < r; k++)
            if (net->layers[k].weight_count) { m++; last = k; }
        scale = initnn_fixup_scale(blocks, m);
        for (k = res->skip_from + 1; k < r; k++) {
            initnn_layer *l = &net->layers[k];
            size_t i;
            if (!l->weight_count) continue;
            for (i = 0; i < l->weight_count; i++) l->W[i] = k == last ? 0.0f : (float)(l->W[i] * scale);   /* Rules 1, 2 */
            initnn_zeros(l->b, l->bias_count);                                                           /* Rule 3 */
        }
        if (res->has_scale) res->b[res->projection_count] = 1.0f;                                       /* Rule 3 */
    }
    if (last_weight > last_res) {   /* Rule 1: the classification layer */
        initnn_layer *l = &net->layers[last_weight];
        initnn_zeros(l->W, l->weight_count);
        initnn_zeros(l->b, l->bias_count);
    }
    return INITNN_OK;
}

/* Sets a layer's spec string (and its parsed form) to "zeros". */
static void initnn__spec_zeros(char *text, initnn_init_spec *spec)
{
    memcpy(text, "zeros", 6);
    initnn_init_parse(spec, "zeros");
}

INITNNDEF int initnn_net_skipinit(initnn_net *net)
{
    int r, blocks = 0;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_skipinit: NULL net");
    for (r = 0; r < net->layer_count; r++)
        if (net->layers[r].type == INITNN_LAYER_RESIDUAL) {
            blocks++;
            if (!net->layers[r].has_scale)
                return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_skipinit: the block ending at layer %d has no "
                                    "scalar alpha (res:zeros[...], or a scale_init)", r);
        }
    if (!blocks) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_skipinit: the net has no residual block");
    for (r = 0; r < net->layer_count; r++) {
        initnn_layer *l = &net->layers[r];
        if (l->type != INITNN_LAYER_RESIDUAL) continue;
        l->b[l->projection_count] = 0.0f;
        initnn__spec_zeros(l->bias_init, &l->bias_spec);
    }
    return INITNN_OK;
}

INITNNDEF int initnn_net_zero_gamma(initnn_net *net)
{
    int r, k, pass, blocks = 0;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_zero_gamma: NULL net");
    for (pass = 0; pass < 2; pass++)   /* check every block, then change */
        for (r = 0; r < net->layer_count; r++) {
            int norm = -1;
            if (net->layers[r].type != INITNN_LAYER_RESIDUAL) continue;
            blocks++;
            for (k = net->layers[r].skip_from + 1; k < r; k++)
                if (net->layers[k].type == INITNN_LAYER_BATCHNORM || net->layers[k].type == INITNN_LAYER_LAYERNORM)
                    norm = k;
            if (norm < 0)
                return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_zero_gamma: the branch of the block ending at "
                                    "layer %d has no normalization layer", r);
            if (pass == 1) {
                initnn_layer *l = &net->layers[norm];
                initnn_zeros(l->b, l->bias_count / 2);
                initnn__spec_zeros(l->kernel_init, &l->kernel_spec);
            }
        }
    if (!blocks) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_zero_gamma: the net has no residual block");
    return INITNN_OK;
}

/* Kernel spec "fixup" on any layer: the net applies Fixup after drawing. */
static int initnn__apply_net_inits(initnn_net *net)
{
    int i;
    for (i = 0; i < net->layer_count; i++)
        if (net->layers[i].weight_count && net->layers[i].kernel_spec.kind == INITNN_INIT_FIXUP && net->residual_count)
            return initnn_net_fixup(net);
    return INITNN_OK;
}

/* A layer's activation over a batch, sample by sample on OpenMP's threads
   (elementwise, or by row for softmax: the same values for any split). */
static void initnn__activate(initnn_layer *l, int batch)
{
    int b;
    INITNN__FOR_SAMPLES
    for (b = 0; b < batch; b++)
        initnn_activation_forward(l->y + (size_t)b * l->out, l->z + (size_t)b * l->out, (size_t)l->out, l->out,
                                  l->activation, l->activation_param);
}

/* dz = phi'(z) * dz over a batch, sample by sample, beside initnn__activate. */
static void initnn__activate_backward(initnn_layer *l, int batch)
{
    int b;
    INITNN__FOR_SAMPLES
    for (b = 0; b < batch; b++) {
        size_t at = (size_t)b * l->out;
        initnn_activation_backward(l->dz + at, l->dz + at, l->z + at, l->y + at, (size_t)l->out, l->out,
                                   l->activation, l->activation_param);
    }
}

/* [conv] Conv2d forward of a batch, the sums of its definition:
      Z[b][co][oy][ox] = bias[co] + sum over ci, i, j of
                         W[(ci, i, j)][co] X[b][ci][oy s + i - pad_top][ox s + j - pad_left]
   with X = 0 outside the image. The fast path computes the same sums as a
   matrix product per sample: Z_b = W^T col_b, col_b the im2col of X_b. */
static void initnn__conv_forward(initnn_layer *l, const float *X, int batch)
{
    int b, co, ci, oy, ox, i, j;
    if (initnn__fast_conv_forward(l, X, batch)) return;   /* 16. Fast paths: im2col and a packed product per sample */
    for (b = 0; b < batch; b++)
        for (co = 0; co < l->out_c; co++)
            for (oy = 0; oy < l->out_h; oy++)
                for (ox = 0; ox < l->out_w; ox++) {
                    double sum = l->b[co];
                    for (ci = 0; ci < l->in_c; ci++)
                        for (i = 0; i < l->kernel_h; i++)
                            for (j = 0; j < l->kernel_w; j++) {
                                int y = oy * l->stride + i - l->pad_top, x = ox * l->stride + j - l->pad_left;
                                size_t row = ((size_t)ci * l->kernel_h + i) * l->kernel_w + j;
                                if (y < 0 || y >= l->in_h || x < 0 || x >= l->in_w) continue;
                                sum += (double)l->W[row * l->out_c + co] *
                                       X[(size_t)b * l->in + ((size_t)ci * l->in_h + y) * l->in_w + x];
                            }
                    l->z[(size_t)b * l->out + ((size_t)co * l->out_h + oy) * l->out_w + ox] = (float)sum;
                }
}

/* Conv2d backward, beside its forward, from dZ (in l->dz):
      db[co]          += sum over b, oy, ox of dZ[b][co][oy][ox]
      dW[(ci,i,j)][co] += sum over b, oy, ox of X[b][ci][y][x] dZ[b][co][oy][ox]
      dX[b][ci][y][x]  = sum over co, i, j of W[(ci,i,j)][co] dZ[b][co][oy][ox]
   where y = oy s + i - pad_top, x = ox s + j - pad_left: each input pixel
   receives the gradient of every output that read it. */
static void initnn__conv_backward(initnn_layer *l, float *dX, const float *X, int batch)
{
    int b, co, ci, oy, ox, i, j, positions = l->out_h * l->out_w;
    if (initnn__fast_conv_backward(l, dX, X, batch)) return;   /* 16. Fast paths: two packed products and col2im per sample */
    if (dX) memset(dX, 0, (size_t)batch * (size_t)l->in * sizeof(float));
    for (co = 0; co < l->out_c; co++) {
        double sum = 0.0;
        int p;
        for (b = 0; b < batch; b++)
            for (p = 0; p < positions; p++) sum += l->dz[(size_t)b * l->out + (size_t)co * positions + p];
        l->db[co] += (float)sum;
    }
    for (ci = 0; ci < l->in_c; ci++)
        for (i = 0; i < l->kernel_h; i++)
            for (j = 0; j < l->kernel_w; j++) {
                size_t row = ((size_t)ci * l->kernel_h + i) * l->kernel_w + j;
                for (co = 0; co < l->out_c; co++) {
                    double dw = 0.0;
                    for (b = 0; b < batch; b++)
                        for (oy = 0; oy < l->out_h; oy++)
                            for (ox = 0; ox < l->out_w; ox++) {
                                int y = oy * l->stride + i - l->pad_top, x = ox * l->stride + j - l->pad_left;
                                size_t in_at;
                                float dz;
                                if (y < 0 || y >= l->in_h || x < 0 || x >= l->in_w) continue;
                                in_at = (size_t)b * l->in + ((size_t)ci * l->in_h + y) * l->in_w + x;
                                dz = l->dz[(size_t)b * l->out + (size_t)co * positions + (size_t)oy * l->out_w + ox];
                                dw += (double)X[in_at] * dz;
                                if (dX) dX[in_at] += l->W[row * l->out_c + co] * dz;
                            }
                    l->dW[row * l->out_c + co] += (float)dw;
                }
            }
}

INITNNDEF const float *initnn_net_forward(initnn_net *net, const float *X, int batch, int training)
{
    const float *in = X;
    int i;
    if (!net || !X) { initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_forward: NULL %s", net ? "X" : "net"); return NULL; }
    if (batch < 1 || batch > net->max_batch) {
        initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_forward: batch %d outside [1, max_batch = %d]", batch, net->max_batch);
        return NULL;
    }
    if (training && batch == 1)   /* batch statistics of one value are no statistics */
        for (i = 0; i < net->layer_count; i++)
            if (net->layers[i].type == INITNN_LAYER_BATCHNORM && net->layers[i].out_h * net->layers[i].out_w < 2) {
                initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_forward: batch normalization (layer %d) needs more "
                             "than one value per channel in training; the batch is 1", i);
                return NULL;
            }
    net->input = X;
    net->batch = batch;
    net->training = training;
    for (i = 0; i < net->layer_count; i++) {
        initnn_layer *l = &net->layers[i];
        size_t n = (size_t)batch * (size_t)l->out;
        INITNN_ASSERT(l->in == (i > 0 ? net->layers[i - 1].out : net->input_dim));
        if (l->type == INITNN_LAYER_DENSE) {
            initnn_dense_forward(l->z, in, l->W, l->b, batch, l->in, l->out);
            initnn__activate(l, batch);
        } else if (l->type == INITNN_LAYER_CONV2D) {
            if (initnn__fast_conv_block_forward(net, i, in, batch)) {   /* 16. Fast paths: with its pool, per sample */
                in = net->layers[++i].y;
                continue;
            }
            initnn__conv_forward(l, in, batch);
            initnn__activate(l, batch);
        } else if (l->type == INITNN_LAYER_MAXPOOL2D || l->type == INITNN_LAYER_AVGPOOL2D) {
            int b;
            INITNN__FOR_SAMPLES
            for (b = 0; b < batch; b++)
                initnn__pool_forward(l->y + (size_t)b * l->out,
                                     l->argmax ? l->argmax + (size_t)b * l->out : NULL,
                                     in + (size_t)b * l->in, l);
        } else if (l->type == INITNN_LAYER_FLATTEN) {
            memcpy(l->y, in, n * sizeof(float));
        } else if (l->type == INITNN_LAYER_BATCHNORM) {
            int C = l->out_c;
            initnn_batchnorm_forward(l->z, l->xhat, l->norm_mean, l->norm_inv_std, l->running_mean, l->running_var, in,
                                     l->b, l->b + C, batch, C, l->out_h * l->out_w, l->momentum, l->epsilon, training);
            initnn__activate(l, batch);
        } else if (l->type == INITNN_LAYER_LAYERNORM) {
            initnn_layernorm_forward(l->z, l->xhat, l->norm_inv_std, in, l->b, l->b + l->out, batch, l->out, l->epsilon);
            initnn__activate(l, batch);
        } else if (l->type == INITNN_LAYER_RESIDUAL) {
            initnn__residual_forward(net, l, in, batch);
            initnn__activate(l, batch);
        } else if (training && l->rate > 0.0f) {
            if (net->reuse_dropout_mask) {
                size_t k;
                for (k = 0; k < n; k++) l->y[k] = in[k] * l->mask[k];
            } else {
                /* Each sample's mask from its own stream: PCG32's stream b,
                   seeded by one draw of the net's generator per pass, so that
                   the samples can be drawn on any thread and the masks are
                   the same for any thread count. */
                uint64_t key = (uint64_t)initnn_rng_u32(&net->rng) << 32;
                int b;
                key |= initnn_rng_u32(&net->rng);
                INITNN__FOR_SAMPLES
                for (b = 0; b < batch; b++) {
                    initnn_rng stream;   /* declared here: private to the thread */
                    size_t at = (size_t)b * (size_t)l->out;
                    initnn_rng_seed_stream(&stream, key, (uint64_t)b);
                    initnn_dropout_forward(l->y + at, l->mask + at, in + at, (size_t)l->out, l->rate, &stream);
                }
            }
        } else {
            memcpy(l->y, in, n * sizeof(float));
            if (!training) initnn_constant(l->mask, n, 1.0f);
        }
        in = l->y;
    }
    return in;
}

/* Seeds the last layer's dz with dL/dz from the loss, returns the loss. For
   softmax + cross-entropy the two are fused: dz = (p - y) / B. */
static float initnn__loss_and_seed(initnn_net *net, const int *labels, const float *targets, int seed_grad)
{
    initnn_layer *last = &net->layers[net->layer_count - 1];
    int batch = net->batch, out = last->out;
    float *dz = seed_grad ? last->dz : NULL;
    float loss;
    if (net->loss == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY)
        return initnn_softmax_cross_entropy(dz, last->z, labels, batch, out);
    loss = initnn_mse(dz, last->y, targets, batch, out);
    if (dz && (last->weight_count || last->type >= INITNN_LAYER_BATCHNORM))   /* dL/dy -> dL/dz through phi' */
        initnn_activation_backward(dz, dz, last->z, last->y, (size_t)batch * out, out,
                                   last->activation, last->activation_param);
    return loss;
}

/* Checks that the net can compute its loss on the last forward: layers, a
   forward pass, the targets its loss needs, labels in range. */
/* Whether labels (or targets) for batch samples suit the net's loss: a
   function that runs a forward pass before its backward checks them first,
   so that a bad label fails with nothing changed. */
static int initnn__check_labels(const initnn_net *net, const int *labels, const float *targets, int batch,
                                const char *who)
{
    const initnn_layer *last;
    int b;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: NULL net", who);
    if (net->layer_count == 0) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: the net has no layers", who);
    last = &net->layers[net->layer_count - 1];
    if (net->loss == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY &&
        (last->type != INITNN_LAYER_DENSE || last->activation != INITNN_ACT_SOFTMAX))
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: softmax cross-entropy needs a last dense layer with "
                            "activation softmax", who);
    if (net->loss == INITNN_LOSS_MSE) {
        if (!targets) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: mean squared error needs targets", who);
        return INITNN_OK;
    }
    if (!labels) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: softmax cross-entropy needs labels", who);
    for (b = 0; b < batch; b++)
        if (labels[b] < 0 || labels[b] >= last->out)
            return initnn__fail(INITNN_ERR_ARGUMENT, "%s: label %d of sample %d is outside [0, %d)",
                                who, labels[b], b, last->out);
    return INITNN_OK;
}

static int initnn__check_ready(const initnn_net *net, const int *labels, const float *targets,
                               const char *who)
{
    if (net && net->layer_count > 0 && net->batch < 1)
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: no forward pass before", who);
    return initnn__check_labels(net, labels, targets, net ? net->batch : 0, who);
}

INITNNDEF float initnn_net_loss(const initnn_net *net, const int *labels, const float *targets)
{
    if (initnn__check_ready(net, labels, targets, "initnn_net_loss")) return (float)NAN;
    return initnn__loss_and_seed((initnn_net *)net, labels, targets, 0);
}

INITNNDEF int initnn_net_backward(initnn_net *net, const int *labels, const float *targets, float *loss)
{
    int i, err, batch;
    float value;
    if ((err = initnn__check_ready(net, labels, targets, "initnn_net_backward"))) return err;
    batch = net->batch;
    value = initnn__loss_and_seed(net, labels, targets, 1);
    if (loss) *loss = value;
    /* From the last layer down: each layer turns dL/d(its output) into
       dL/dz, accumulates its parameter gradients, and writes dL/d(its input)
       into the previous layer's dz (which holds dL/dy until that layer
       applies its own activation's derivative). */
    for (i = net->layer_count - 1; i >= 0; i--) {
        initnn_layer *l = &net->layers[i];
        const float *X = i > 0 ? net->layers[i - 1].y : net->input;
        float *dX = i > 0 ? net->layers[i - 1].dz : NULL;
        INITNN_ASSERT(l->W == NULL || l->W + l->weight_count + l->bias_count <= net->params + net->param_count);
        size_t n = (size_t)batch * (size_t)l->out;
        if (initnn__fast_conv_block_backward(net, i - 1, batch)) {   /* 16. Fast paths: this pool and its conv layer */
            i--;
            continue;
        }
        if ((l->weight_count || l->type >= INITNN_LAYER_BATCHNORM) && i != net->layer_count - 1)
            initnn__activate_backward(l, batch);
        if (l->type == INITNN_LAYER_DENSE) {
            initnn_dense_backward(dX, l->dW, l->db, l->dz, X, l->W, batch, l->in, l->out);
        } else if (l->type == INITNN_LAYER_CONV2D) {
            initnn__conv_backward(l, dX, X, batch);
        } else if (l->type == INITNN_LAYER_BATCHNORM) {
            int C = l->out_c;
            initnn_batchnorm_backward(dX, l->db, l->db + C, l->dz, l->xhat, l->b, l->norm_inv_std, batch, C,
                                      l->out_h * l->out_w, net->training);
        } else if (l->type == INITNN_LAYER_LAYERNORM) {
            initnn_layernorm_backward(dX, l->db, l->db + l->out, l->dz, l->xhat, l->b, l->norm_inv_std, batch, l->out);
        } else if (l->type == INITNN_LAYER_RESIDUAL) {
            initnn__residual_backward(net, l, dX, X, batch);
        } else if (!dX) {
            continue;
        } else if (l->type == INITNN_LAYER_MAXPOOL2D || l->type == INITNN_LAYER_AVGPOOL2D) {
            int b;
            memset(dX, 0, (size_t)batch * (size_t)l->in * sizeof(float));
            INITNN__FOR_SAMPLES
            for (b = 0; b < batch; b++)
                initnn__pool_backward(dX + (size_t)b * l->in, l->dz + (size_t)b * l->out,
                                      l->argmax ? l->argmax + (size_t)b * l->out : NULL, l);
        } else if (l->type == INITNN_LAYER_FLATTEN) {
            memcpy(dX, l->dz, n * sizeof(float));
        } else {
            initnn_dropout_backward(dX, l->dz, l->mask, n);
        }
        if (net->residual_count && dX) {
            /* The branch of every block that starts at the layer before has
               written its part of dL/dx; the skips add theirs. */
            int r;
            for (r = i + 1; r < net->layer_count; r++) {
                const initnn_layer *res = &net->layers[r];
                size_t k, m = (size_t)batch * (size_t)l->in;
                if (res->type != INITNN_LAYER_RESIDUAL || res->skip_from != i - 1) continue;
                for (k = 0; k < m; k++) dX[k] += res->skip_grad[k];
            }
        }
    }
    return INITNN_OK;
}

INITNNDEF void initnn_net_zero_grad(initnn_net *net)
{
    ptrdiff_t chunk, chunks;
    if (!net) return;
    chunks = (ptrdiff_t)((net->param_count + INITNN__CHUNK - 1) / INITNN__CHUNK);
    INITNN__FOR_CHUNKS
    for (chunk = 0; chunk < chunks; chunk++) {
        size_t i = (size_t)chunk * INITNN__CHUNK, n = net->param_count - i;
        memset(net->grads + i, 0, (n < INITNN__CHUNK ? n : INITNN__CHUNK) * sizeof(float));
    }
}

/* ////////////////////////////////////////////////////////////////////////////
   8. Optimizers
   //////////////////////////////////////////////////////////////////////////// */

static initnn_optimizer initnn__optimizer_base(int type, float learning_rate)
{
    initnn_optimizer opt;
    memset(&opt, 0, sizeof opt);
    opt.type = type;
    opt.learning_rate = learning_rate;
    opt.beta1 = 0.9f;
    opt.beta2 = 0.999f;
    opt.epsilon = 1e-8f;
    opt.rho = 0.9f;
    return opt;
}

INITNNDEF initnn_optimizer initnn_adam(float learning_rate)
{
    return initnn__optimizer_base(INITNN_OPT_ADAM, learning_rate);
}

INITNNDEF initnn_optimizer initnn_adam_keras(float learning_rate)
{
    initnn_optimizer opt = initnn__optimizer_base(INITNN_OPT_ADAM, learning_rate);
    opt.epsilon = 1e-7f;
    opt.keras_epsilon = 1;
    return opt;
}

INITNNDEF initnn_optimizer initnn_sgd(float learning_rate, float momentum, int nesterov)
{
    initnn_optimizer opt = initnn__optimizer_base(INITNN_OPT_SGD, learning_rate);
    opt.momentum = momentum;
    opt.nesterov = nesterov;
    return opt;
}

INITNNDEF initnn_optimizer initnn_rmsprop(float learning_rate)
{
    return initnn__optimizer_base(INITNN_OPT_RMSPROP, learning_rate);
}

static double initnn__sum_squares_run(const float *x, size_t n)
{
    /* Eight partial sums in a fixed order: the compiler can keep them in
       vector lanes (one running sum is a chain it may not reorder), and the
       result does not depend on the machine. */
    double part[8] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0}, s = 0.0;
    size_t i = 0;
    int j;
    for (; i + 8 <= n; i += 8)
        for (j = 0; j < 8; j++) part[j] += (double)x[i + j] * (double)x[i + j];
    for (; i < n; i++) s += (double)x[i] * (double)x[i];
    for (j = 0; j < 8; j++) s += part[j];
    return s;
}

/* sum of x[i]^2 in double: per chunk of INITNN__CHUNK as above, the chunks'
   sums added in chunk order, so the result is the same whether the chunks
   ran on one thread or several. */
static double initnn__sum_squares(const float *x, size_t n)
{
    double sums[256], s = 0.0;
    ptrdiff_t chunk, chunks = (ptrdiff_t)((n + INITNN__CHUNK - 1) / INITNN__CHUNK);
    if (chunks > 256) {                    /* the same sums, in the same order, on one thread */
        for (chunk = 0; chunk < chunks; chunk++) {
            size_t i = (size_t)chunk * INITNN__CHUNK;
            s += initnn__sum_squares_run(x + i, n - i < INITNN__CHUNK ? n - i : INITNN__CHUNK);
        }
        return s;
    }
    INITNN__FOR_CHUNKS
    for (chunk = 0; chunk < chunks; chunk++) {
        size_t i = (size_t)chunk * INITNN__CHUNK;
        sums[chunk] = initnn__sum_squares_run(x + i, n - i < INITNN__CHUNK ? n - i : INITNN__CHUNK);
    }
    for (chunk = 0; chunk < chunks; chunk++) s += sums[chunk];
    return s;
}

INITNNDEF double initnn_clip_grad_norm(float *g, size_t n, double max_norm)
{
    double norm = sqrt(initnn__sum_squares(g, n));
    if (norm > max_norm && max_norm > 0.0) {
        float scale = (float)(max_norm / norm);
        size_t i;
        for (i = 0; i < n; i++) g[i] *= scale;
    }
    return norm;
}

INITNNDEF void initnn_clip_grad_value(float *g, size_t n, float clip)
{
    size_t i;
    for (i = 0; i < n; i++) g[i] = g[i] > clip ? clip : g[i] < -clip ? -clip : g[i];
}

INITNNDEF double initnn_net_grad_norm(const initnn_net *net)
{
    return sqrt(initnn__sum_squares(net->grads, net->param_count));
}

static int initnn__all_finite(const float *x, size_t n)
{
    ptrdiff_t chunk, chunks = (ptrdiff_t)((n + INITNN__CHUNK - 1) / INITNN__CHUNK);
    uint32_t bad = 0;
    /* NaN and Inf are the floats whose 8 exponent bits are all ones; an
       integer test, unlike a float sum, vectorizes without -ffast-math. */
    INITNN__FOR_CHUNKS_ANY
    for (chunk = 0; chunk < chunks; chunk++) {
        size_t i = (size_t)chunk * INITNN__CHUNK, end = n - i < INITNN__CHUNK ? n : i + INITNN__CHUNK;
        for (; i < end; i++) {
            uint32_t u;
            memcpy(&u, &x[i], 4);
            bad |= (uint32_t)((~u & 0x7f800000u) == 0u);
        }
    }
    return bad == 0;
}

/* dst = src, n floats, in chunks shared by OpenMP's threads. */
static void initnn__copy_floats(float *dst, const float *src, size_t n)
{
    ptrdiff_t chunk, chunks = (ptrdiff_t)((n + INITNN__CHUNK - 1) / INITNN__CHUNK);
    INITNN__FOR_CHUNKS
    for (chunk = 0; chunk < chunks; chunk++) {
        size_t i = (size_t)chunk * INITNN__CHUNK;
        memcpy(dst + i, src + i, (n - i < INITNN__CHUNK ? n - i : INITNN__CHUNK) * sizeof(float));
    }
}

static void initnn__describe_layer(char *buf, size_t size, const initnn_layer *l, int index)
{
    if (l->type == INITNN_LAYER_DENSE)
        snprintf(buf, size, "layer %d (dense %d->%d, %s)", index, l->in, l->out, initnn_activation_name(l->activation));
    else if (l->type == INITNN_LAYER_CONV2D)
        snprintf(buf, size, "layer %d (conv2d %dx%d, %d->%d channels, %s)", index, l->kernel_h, l->kernel_w,
                 l->in_c, l->out_c, initnn_activation_name(l->activation));
    else if (l->type == INITNN_LAYER_MAXPOOL2D || l->type == INITNN_LAYER_AVGPOOL2D)
        snprintf(buf, size, "layer %d (%s %d)", index, l->type == INITNN_LAYER_MAXPOOL2D ? "maxpool" : "avgpool",
                 l->kernel_h);
    else if (l->type == INITNN_LAYER_FLATTEN)
        snprintf(buf, size, "layer %d (flatten)", index);
    else if (l->type == INITNN_LAYER_BATCHNORM || l->type == INITNN_LAYER_LAYERNORM)
        snprintf(buf, size, "layer %d (%s %d, %s)", index, l->type == INITNN_LAYER_BATCHNORM ? "batchnorm" : "layernorm",
                 l->out, initnn_activation_name(l->activation));
    else if (l->type == INITNN_LAYER_RESIDUAL)
        snprintf(buf, size, "layer %d (residual add of layer %d, %s)", index, l->skip_from,
                 initnn_activation_name(l->activation));
    else
        snprintf(buf, size, "layer %d (dropout %g)", index, (double)l->rate);
}

/* [sgd] SGD with momentum mu, PyTorch's form (Nesterov: Sutskever et al. 2013):
      g = g + wd w
      m = mu m + g                      (no buffer when mu = 0)
      w = w - lr (nesterov ? g + mu m : m)                                  */
static void initnn__sgd_update(float *INITNN__RESTRICT w, float *INITNN__RESTRICT m,
                               const float *INITNN__RESTRICT g, size_t n, const initnn_optimizer *opt)
{
    float lr = opt->learning_rate, mu = opt->momentum, wd = opt->weight_decay;
    size_t i;
    for (i = 0; i < n; i++) {
        float gi = g[i] + wd * w[i], step = gi;
        if (mu != 0.0f) {
            m[i] = mu * m[i] + gi;
            step = opt->nesterov ? gi + mu * m[i] : m[i];
        }
        w[i] -= lr * step;
    }
}

/* [adam] Adam (Kingma & Ba 2015, Algorithm 1), at step t = 1, 2, ...:
      g = g + wd w
      m = b1 m + (1 - b1) g             first moment, a running mean of g
      v = b2 v + (1 - b2) g^2           second moment, a running mean of g^2
      m_hat = m / (1 - b1^t)            bias correction: m and v start at 0,
      v_hat = v / (1 - b2^t)            so early averages are too small
      w = w - lr m_hat / (sqrt(v_hat) + eps)
   The step is about lr whatever the gradient's scale: m_hat / sqrt(v_hat)
   is near +-1 for a steady gradient. */
static void initnn__adam_update(float *INITNN__RESTRICT w, float *INITNN__RESTRICT m, float *INITNN__RESTRICT v,
                                const float *INITNN__RESTRICT g, size_t n, const initnn_optimizer *opt)
{
    float lr = opt->learning_rate, b1 = opt->beta1, b2 = opt->beta2, eps = opt->epsilon, wd = opt->weight_decay;
    double t = (double)opt->step;
    float inv1 = (float)(1.0 / (1.0 - pow((double)b1, t)));   /* 1 / (1 - b1^t) */
    float inv2 = (float)(1.0 / (1.0 - pow((double)b2, t)));   /* 1 / (1 - b2^t) */
    size_t i = initnn__fast_adam_lanes(w, m, v, g, n, opt, inv1, inv2);   /* 16. Fast paths: these lines in vector lanes */
    for (; i < n; i++) {
        float gi = g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        w[i] -= lr * (m[i] * inv1) / (sqrtf(v[i] * inv2) + eps);
    }
}

/* Adam in Keras' form (the paper's "more efficient" ordering, Sec. 2):
      lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)
      w = w - lr_t m / (sqrt(v) + eps_hat)
   the same as Algorithm 1 with eps = eps_hat / sqrt(1 - b2^t). */
static void initnn__adam_keras_update(float *INITNN__RESTRICT w, float *INITNN__RESTRICT m, float *INITNN__RESTRICT v,
                                      const float *INITNN__RESTRICT g, size_t n, const initnn_optimizer *opt)
{
    float b1 = opt->beta1, b2 = opt->beta2, eps = opt->epsilon, wd = opt->weight_decay;
    double t = (double)opt->step;
    float lr_t = (float)((double)opt->learning_rate * sqrt(1.0 - pow((double)b2, t)) / (1.0 - pow((double)b1, t)));
    size_t i;
    for (i = 0; i < n; i++) {
        float gi = g[i] + wd * w[i];
        m[i] = b1 * m[i] + (1.0f - b1) * gi;
        v[i] = b2 * v[i] + (1.0f - b2) * gi * gi;
        w[i] -= lr_t * m[i] / (sqrtf(v[i]) + eps);
    }
}

/* [rmsprop] RMSProp (Hinton, Neural Networks for Machine Learning, lecture 6e):
      v = rho v + (1 - rho) g^2
      w = w - lr g / (sqrt(v) + eps)                                        */
static void initnn__rmsprop_update(float *INITNN__RESTRICT w, float *INITNN__RESTRICT v,
                                   const float *INITNN__RESTRICT g, size_t n, const initnn_optimizer *opt)
{
    float lr = opt->learning_rate, rho = opt->rho, eps = opt->epsilon, wd = opt->weight_decay;
    size_t i;
    for (i = 0; i < n; i++) {
        float gi = g[i] + wd * w[i];
        v[i] = rho * v[i] + (1.0f - rho) * gi * gi;
        w[i] -= lr * gi / (sqrtf(v[i]) + eps);
    }
}

INITNNDEF int initnn_net_step(initnn_net *net)
{
    initnn_optimizer *opt;
    float *w, *g;
    size_t n;
    int l;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_step: NULL net");
    opt = &net->opt;
    n = net->param_count;
    w = net->params;
    g = net->grads;
    if (n == 0) return INITNN_OK;
    if (opt->clip_value > 0.0f) initnn_clip_grad_value(g, n, opt->clip_value);
    if (opt->clip_norm > 0.0f) initnn_clip_grad_norm(g, n, opt->clip_norm);
    initnn__copy_floats(net->params_backup, w, n);
    opt->step++;
    if (opt->type == INITNN_OPT_SGD) initnn__sgd_update(w, net->opt_m, g, n, opt);
    else if (opt->type == INITNN_OPT_ADAM && opt->keras_epsilon) initnn__adam_keras_update(w, net->opt_m, net->opt_v, g, n, opt);
    else if (opt->type == INITNN_OPT_ADAM) initnn__adam_update(w, net->opt_m, net->opt_v, g, n, opt);
    else initnn__rmsprop_update(w, net->opt_v, g, n, opt);
    /* The check that lets a diverging run stop with its last finite
       weights: one vectorized pass, and a search for the layer only when it
       fails. (The update ratios are computed from params_backup when
       diagnostics ask for them.) */
    if (initnn__all_finite(w, n)) return INITNN_OK;
    for (l = 0; l < net->layer_count; l++) {
        initnn_layer *layer = &net->layers[l];
        size_t count = layer->weight_count + layer->bias_count;
        if (count == 0) continue;
        if (!initnn__all_finite(layer->W, count)) {
            char name[96];
            memcpy(w, net->params_backup, n * sizeof(float));
            opt->step--;
            initnn__describe_layer(name, sizeof name, layer, l);
            return initnn__fail(INITNN_ERR_NONFINITE, "initnn_net_step: the update made the weights of %s "
                                "non-finite at step %lld; the weights before it were kept",
                                name, (long long)net->steps_taken + 1);
        }
    }
    return INITNN_OK;
}

/* ////////////////////////////////////////////////////////////////////////////
   9. Diagnostics
   //////////////////////////////////////////////////////////////////////////// */

INITNNDEF void initnn_net_diag_from_buffers(const initnn_net *net, initnn_layer_diag *out)
{
    int i, batch = net->batch > 0 ? net->batch : 0;
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *l = &net->layers[i];
        initnn_layer_diag *d = &out[i];
        size_t n = (size_t)batch * (size_t)l->out, k;
        memset(d, 0, sizeof *d);
        d->layer = i;
        initnn_stats_compute(&d->activation, l->y, n);
        initnn_stats_compute(&d->delta, l->dz, n);
        d->zero_fraction = n ? (double)d->activation.zeros / (double)n : 0.0;
        if (!l->weight_count) continue;
        initnn_stats_compute(&d->pre_activation, l->z, n);
        if (l->activation == INITNN_ACT_RELU && batch > 0) {
            /* A unit is a dense output or a conv channel (all its positions). */
            int j, b, dead = 0, positions = l->out_h * l->out_w, p;
            for (j = 0; j < l->out_c; j++) {
                int alive = 0;
                for (b = 0; b < batch && !alive; b++)
                    for (p = 0; p < positions; p++)
                        if (l->y[(size_t)b * l->out + (size_t)j * positions + p] != 0.0f) { alive = 1; break; }
                dead += !alive;
            }
            d->dead_fraction = (double)dead / (double)l->out_c;
            d->stuck_fraction = d->dead_fraction;
        }
        if (l->activation == INITNN_ACT_TANH || l->activation == INITNN_ACT_SIGMOID) {
            size_t saturated = 0;
            double t = INITNN_SATURATION_THRESHOLD;
            int j, b, stuck = 0, positions = l->out_h * l->out_w, p;
            for (k = 0; k < n; k++) {
                double y = l->y[k];
                saturated += l->activation == INITNN_ACT_TANH ? fabs(y) > t : (y > t || y < 1.0 - t);
            }
            d->saturated_fraction = n ? (double)saturated / (double)n : 0.0;
            /* Units saturated at every position of every sample. */
            for (j = 0; j < l->out_c && batch > 0; j++) {
                int live = 0;
                for (b = 0; b < batch && !live; b++)
                    for (p = 0; p < positions; p++) {
                        double y = l->y[(size_t)b * l->out + (size_t)j * positions + p];
                        if (l->activation == INITNN_ACT_TANH ? !(fabs(y) > t) : !(y > t || y < 1.0 - t)) {
                            live = 1;
                            break;
                        }
                    }
                stuck += !live;
            }
            d->stuck_fraction = batch > 0 ? (double)stuck / (double)l->out_c : 0.0;
        }
        d->grad_norm = sqrt(initnn__sum_squares(l->dW, l->weight_count + l->bias_count));
        initnn_stats_compute(&d->weights, l->W, l->weight_count);
        if (d->weights.min < d->weights.max)
            initnn_histogram(d->weight_histogram, INITNN_DIAG_BINS, l->W, l->weight_count,
                             (float)d->weights.min, (float)d->weights.max);
        else
            d->weight_histogram[0] = l->weight_count;
        if (net->opt.step > 0) {
            /* ||W_after - W_before|| / ||W_before|| of the last step. */
            const float *before = net->params_backup + l->param_offset;
            double diff = 0.0, before_norm = sqrt(initnn__sum_squares(before, l->weight_count));
            for (k = 0; k < l->weight_count; k++) {
                double delta = (double)l->W[k] - (double)before[k];
                diff += delta * delta;
            }
            d->update_ratio = before_norm > 0.0 ? sqrt(diff) / before_norm : 0.0;
        }
    }
}

INITNNDEF int initnn_net_diagnose(initnn_net *net, initnn_layer_diag *out, double *global_grad_norm,
                                  const float *X, const int *labels, const float *targets, int batch)
{
    int err;
    if (!net || !out) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_diagnose: NULL %s", net ? "out" : "net");
    if ((labels || targets) && batch >= 1 && batch <= net->max_batch &&
        (err = initnn__check_labels(net, labels, targets, batch, "initnn_net_diagnose")))
        return err;
    if (!initnn_net_forward(net, X, batch, 0)) return INITNN_ERR_ARGUMENT;
    if (labels || targets) {
        initnn_net_zero_grad(net);
        if ((err = initnn_net_backward(net, labels, targets, NULL))) return err;
    } else {
        int i;
        for (i = 0; i < net->layer_count; i++)
            memset(net->layers[i].dz, 0, (size_t)batch * (size_t)net->layers[i].out * sizeof(float));
    }
    initnn_net_diag_from_buffers(net, out);
    if (global_grad_norm) *global_grad_norm = (labels || targets) ? initnn_net_grad_norm(net) : 0.0;
    return INITNN_OK;
}

/* ////////////////////////////////////////////////////////////////////////////
   10. Signal-propagation theory
   //////////////////////////////////////////////////////////////////////////// */

INITNNDEF int initnn_quadrature_init(initnn_quadrature *rule, int order)
{
    /* Roots of the orthonormal Hermite polynomials by Newton's method from
       asymptotic first guesses (Numerical Recipes 4.6, gauher). The rule for
       the weight e^{-x^2} is turned into one for N(0,1) by x -> sqrt(2) x
       and w -> w / sqrt(pi). */
    const double pi_m4 = 0.7511255444649425;   /* pi^(-1/4) */
    double x[INITNN_QUADRATURE_MAX], w[INITNN_QUADRATURE_MAX], z = 0.0, z1, p1, p2, p3, pp = 1.0;
    int i, j, its, m, n = order;
    if (!rule) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_quadrature_init: NULL rule");
    if (order < 2 || order > INITNN_QUADRATURE_MAX)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_quadrature_init: order must be in [2, %d], got %d",
                            INITNN_QUADRATURE_MAX, order);
    m = (n + 1) / 2;
    for (i = 0; i < m; i++) {
        if (i == 0) z = sqrt(2.0 * n + 1.0) - 1.85575 * pow(2.0 * n + 1.0, -0.16667);
        else if (i == 1) z -= 1.14 * pow((double)n, 0.426) / z;
        else if (i == 2) z = 1.86 * z - 0.86 * x[0];
        else if (i == 3) z = 1.91 * z - 0.91 * x[1];
        else z = 2.0 * z - x[i - 2];
        for (its = 0; its < 100; its++) {
            p1 = pi_m4;
            p2 = 0.0;
            for (j = 0; j < n; j++) {
                p3 = p2;
                p2 = p1;
                p1 = z * sqrt(2.0 / (j + 1)) * p2 - sqrt((double)j / (j + 1)) * p3;
            }
            pp = sqrt(2.0 * n) * p2;
            z1 = z;
            z = z1 - p1 / pp;
            if (fabs(z - z1) <= 1e-15 * (1.0 + fabs(z))) break;
        }
        x[i] = z;
        x[n - 1 - i] = -z;
        w[i] = w[n - 1 - i] = 2.0 / (pp * pp);
    }
    rule->order = n;
    for (i = 0; i < n; i++) {
        rule->node[i] = 1.4142135623730950488 * x[n - 1 - i];
        rule->weight[i] = w[n - 1 - i] / 1.7724538509055160273;
    }
    return INITNN_OK;
}

/* phi and phi' of one value, in double. */
static double initnn__phi(int activation, double param, double z)
{
    switch (activation) {
    case INITNN_ACT_RELU: return z > 0.0 ? z : 0.0;
    case INITNN_ACT_LEAKY_RELU: return z > 0.0 ? z : param * z;
    case INITNN_ACT_TANH: return tanh(z);
    case INITNN_ACT_SIGMOID: return 1.0 / (1.0 + exp(-z));
    case INITNN_ACT_SELU: return z > 0.0 ? INITNN_SELU_LAMBDA * z : INITNN_SELU_LAMBDA * INITNN_SELU_ALPHA * expm1(z);
    default: return z;
    }
}

static double initnn__phi_prime(int activation, double param, double z)
{
    double s;
    switch (activation) {
    case INITNN_ACT_RELU: return z > 0.0 ? 1.0 : 0.0;
    case INITNN_ACT_LEAKY_RELU: return z > 0.0 ? 1.0 : param;
    case INITNN_ACT_TANH: s = tanh(z); return 1.0 - s * s;
    case INITNN_ACT_SIGMOID: s = 1.0 / (1.0 + exp(-z)); return s * (1.0 - s);
    case INITNN_ACT_SELU: return z > 0.0 ? INITNN_SELU_LAMBDA : INITNN_SELU_LAMBDA * INITNN_SELU_ALPHA * exp(z);
    default: return 1.0;
    }
}

/* e^{x^2} erfc(x) for x >= 0 without overflow: the asymptotic series
   1/(x sqrt pi) (1 - 1/(2x^2) + 3/(4x^4) - 15/(8x^6)) beyond x = 20. */
static double initnn__erfcx(double x)
{
    double inv2;
    if (x < 20.0) return exp(x * x) * erfc(x);
    inv2 = 1.0 / (2.0 * x * x);
    return (1.0 - inv2 + 3.0 * inv2 * inv2 - 15.0 * inv2 * inv2 * inv2) / (x * 1.7724538509055160273);
}

static int initnn__check_moment_args(initnn_moments *out, int activation, double q, const char *who)
{
    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: NULL output", who);
    if (!(q >= 0.0) || !(q < 1e300)) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: q must be >= 0 and finite, got %g", who, q);
    if (activation == INITNN_ACT_SOFTMAX || activation < 0 || activation > INITNN_ACT_SELU)
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: no elementwise moments for activation '%s'", who,
                            initnn_activation_name(activation));
    return INITNN_OK;
}

/* The 10-point Gauss-Legendre rule on [-1, 1] (Abramowitz & Stegun, Table
   25.4): the positive nodes and their weights. */
static const double initnn__gl_node[5] = {
    0.1488743389816312108848, 0.4333953941292471907993, 0.6794095682990244062343,
    0.8650633666889845107321, 0.9739065285171717200779
};
static const double initnn__gl_weight[5] = {
    0.2955242247147528701739, 0.2692667193099963550912, 0.2190863625159820439955,
    0.1494513491505805931458, 0.0666713443086881375936
};

/* Integrates the standard normal density times f over [-8.5, 8.5] with the
   composite rule: panels of width at most h, split at 0. Calls f(z, ctx)
   and accumulates count values at once. */
static void initnn__normal_expect(double *sums, int count, double h,
                                  void (*f)(double z, double *values, const void *ctx), const void *ctx)
{
    const double range = 8.5, inv_sqrt_2pi = 0.39894228040143267794;
    double values[4], width, wanted = ceil(range / h);
    int panels, side, p, k, i;
    /* Clamped before the conversion: a huge q makes h tiny and range / h
       larger than any int (or NaN). */
    if (!(wanted < 4000.0)) wanted = 4000.0;
    if (wanted < 1.0) wanted = 1.0;
    panels = (int)wanted;
    width = range / panels;
    for (i = 0; i < count; i++) sums[i] = 0.0;
    for (side = -1; side <= 1; side += 2)
        for (p = 0; p < panels; p++) {
            double mid = side * (p + 0.5) * width;
            for (k = 0; k < 10; k++) {
                double z = mid + 0.5 * width * (k < 5 ? -initnn__gl_node[k] : initnn__gl_node[k - 5]);
                double w = 0.5 * width * initnn__gl_weight[k < 5 ? k : k - 5] * inv_sqrt_2pi * exp(-0.5 * z * z);
                f(z, values, ctx);
                for (i = 0; i < count; i++) sums[i] += w * values[i];
            }
        }
}

typedef struct initnn__moment_ctx { int activation; double param, scale; } initnn__moment_ctx;

/* phi(u) and phi'(u) with one transcendental call where phi' follows from phi. */
static void initnn__phi_both(int activation, double param, double u, double *f, double *d)
{
    if (activation == INITNN_ACT_TANH) { *f = tanh(u); *d = 1.0 - *f * *f; return; }
    if (activation == INITNN_ACT_SIGMOID) { *f = 1.0 / (1.0 + exp(-u)); *d = *f * (1.0 - *f); return; }
    *f = initnn__phi(activation, param, u);
    *d = initnn__phi_prime(activation, param, u);
}

static void initnn__moment_values(double z, double *values, const void *ctx)
{
    const initnn__moment_ctx *m = (const initnn__moment_ctx *)ctx;
    double f, d;
    initnn__phi_both(m->activation, m->param, m->scale * z, &f, &d);
    values[0] = f;
    values[1] = f * f;
    values[2] = d * d;
}

/* The panel width in z: fine enough to resolve the activation's unit scale
   in u = sqrt(q) z, and the Gaussian's own scale. */
static double initnn__panel_width(double q)
{
    double s = sqrt(q);
    return s > 1.0 ? 1.0 / s : 1.0;
}

INITNNDEF int initnn_activation_moments_numeric(initnn_moments *out, int activation, float param, double q)
{
    initnn__moment_ctx ctx;
    double sums[3];
    int err;
    if ((err = initnn__check_moment_args(out, activation, q, "initnn_activation_moments_numeric"))) return err;
    ctx.activation = activation;
    ctx.param = param;
    ctx.scale = sqrt(q);
    initnn__normal_expect(sums, 3, initnn__panel_width(q), initnn__moment_values, &ctx);
    out->mean = sums[0];
    out->second = sums[1];
    out->slope2 = sums[2];
    return INITNN_OK;
}

INITNNDEF int initnn_activation_moments_gauss_hermite(initnn_moments *out, int activation, float param,
                                                      double q, const initnn_quadrature *rule)
{
    double s = sqrt(q), m = 0.0, m2 = 0.0, d2 = 0.0;
    int i, err;
    if ((err = initnn__check_moment_args(out, activation, q, "initnn_activation_moments_gauss_hermite"))) return err;
    if (!rule || rule->order < 2 || rule->order > INITNN_QUADRATURE_MAX)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_activation_moments_gauss_hermite: no rule (initnn_quadrature_init)");
    for (i = 0; i < rule->order; i++) {
        double z = s * rule->node[i], f = initnn__phi(activation, param, z), d = initnn__phi_prime(activation, param, z);
        m += rule->weight[i] * f;
        m2 += rule->weight[i] * f * f;
        d2 += rule->weight[i] * d * d;
    }
    out->mean = m;
    out->second = m2;
    out->slope2 = d2;
    return INITNN_OK;
}

INITNNDEF double initnn_gain_numeric(const char *activation, float param)
{
    initnn_moments mom;
    int act = INITNN_ACT_IDENTITY;
    float parsed = 0.0f;
    if (initnn_activation_parse(&act, &parsed, activation)) return 0.0;
    if (activation && !strchr(activation, ':') && act == INITNN_ACT_LEAKY_RELU) parsed = param;
    if (initnn_activation_moments(&mom, act, parsed, 1.0)) return 0.0;
    return 1.0 / sqrt(mom.second);
}

INITNNDEF int initnn_activation_moments(initnn_moments *out, int activation, float param, double q)
{
    const double inv_sqrt_2pi = 0.39894228040143267794;
    double a = param, s, e1, e2;
    int err;
    if ((err = initnn__check_moment_args(out, activation, q, "initnn_activation_moments"))) return err;
    s = sqrt(q);
    switch (activation) {
    case INITNN_ACT_IDENTITY:
        out->mean = 0.0; out->second = q; out->slope2 = 1.0;
        return INITNN_OK;
    case INITNN_ACT_RELU:
        out->mean = s * inv_sqrt_2pi; out->second = q / 2.0; out->slope2 = 0.5;
        return INITNN_OK;
    case INITNN_ACT_LEAKY_RELU:
        out->mean = (1.0 - a) * s * inv_sqrt_2pi; out->second = (1.0 + a * a) * q / 2.0; out->slope2 = (1.0 + a * a) / 2.0;
        return INITNN_OK;
    case INITNN_ACT_SELU:
        /* e^{q/2} Phi(-sqrt q) = erfcx(sqrt(q/2)) / 2 and
           e^{2q} Phi(-2 sqrt q) = erfcx(sqrt(2q)) / 2, which never overflow. */
        e1 = 0.5 * initnn__erfcx(sqrt(q / 2.0));
        e2 = 0.5 * initnn__erfcx(sqrt(2.0 * q));
        out->mean = INITNN_SELU_LAMBDA * (s * inv_sqrt_2pi + INITNN_SELU_ALPHA * (e1 - 0.5));
        out->second = INITNN_SELU_LAMBDA * INITNN_SELU_LAMBDA *
                      (q / 2.0 + INITNN_SELU_ALPHA * INITNN_SELU_ALPHA * (e2 - 2.0 * e1 + 0.5));
        out->slope2 = INITNN_SELU_LAMBDA * INITNN_SELU_LAMBDA * (0.5 + INITNN_SELU_ALPHA * INITNN_SELU_ALPHA * e2);
        return INITNN_OK;
    default:
        return initnn_activation_moments_numeric(out, activation, param, q);
    }
}

INITNNDEF int initnn_init_spec_moments(double *mean, double *variance, const initnn_init_spec *spec,
                                       int rows, int cols, int fan_in, int fan_out)
{
    double m = 0.0, v = 0.0, n;
    if (!spec || !mean || !variance) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_spec_moments: NULL argument");
    if (rows < 1 || cols < 1 || fan_in < 1 || fan_out < 1)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_spec_moments: sizes must be >= 1");
    switch (spec->kind) {
    case INITNN_INIT_CONSTANT: m = spec->param[0]; break;
    case INITNN_INIT_NORMAL: m = spec->param[1]; v = spec->param[0] * spec->param[0]; break;
    case INITNN_INIT_UNIFORM:
        m = 0.5 * (spec->param[0] + spec->param[1]);
        v = (spec->param[1] - spec->param[0]) * (spec->param[1] - spec->param[0]) / 12.0;
        break;
    case INITNN_INIT_TRUNCATED_NORMAL:
        m = spec->param[1];
        v = INITNN_TRUNC2_STD * INITNN_TRUNC2_STD * spec->param[0] * spec->param[0];
        break;
    case INITNN_INIT_VARIANCE_SCALING:
    case INITNN_INIT_FIXUP: case INITNN_INIT_SKIPINIT: case INITNN_INIT_REZERO:   /* as drawn, before the net's rule */
        n = spec->mode == INITNN_FAN_IN ? fan_in : spec->mode == INITNN_FAN_OUT ? fan_out : 0.5 * ((double)fan_in + fan_out);
        v = spec->param[0] / n;
        break;
    case INITNN_INIT_DELTA_ORTHOGONAL:
        /* a dense matrix: orthogonal's; a conv kernel of rows = c_in k_h k_w:
           min(c_in, c_out) unit columns' worth of gain^2 over rows cols entries */
        if (fan_out == cols) v = spec->param[0] * spec->param[0] / (double)(rows > cols ? rows : cols);
        else {
            double taps = (double)fan_out / cols, c_in = rows / taps;
            v = spec->param[0] * spec->param[0] * (c_in < cols ? c_in : cols) / ((double)rows * cols);
        }
        break;
    case INITNN_INIT_ORTHOGONAL:
    case INITNN_INIT_LSUV:   /* as drawn, before initnn_lsuv rescales it */
        v = spec->param[0] * spec->param[0] / (double)(rows > cols ? rows : cols);
        break;
    case INITNN_INIT_SPARSE:
        v = (spec->param[0] < rows ? spec->param[0] : rows) * spec->param[1] * spec->param[1] / rows;
        break;
    case INITNN_INIT_IDENTITY: {
        double diag = rows < cols ? rows : cols, count = (double)rows * cols;
        m = spec->param[0] * diag / count;
        v = spec->param[0] * spec->param[0] * diag / count - m * m;
        break;
    }
    default:
        return initnn__fail(INITNN_ERR_SPEC, "initnn_init_spec_moments: unknown spec kind %d", spec->kind);
    }
    *mean = m;
    *variance = v;
    return INITNN_OK;
}

/* sigma_w^2 = fan_in Var(W), sigma_b^2 = E[b^2], and the backward factor
   fan_out Var(W) of a layer with parameters, from its specs. */
static int initnn__layer_sigmas(const initnn_layer *l, double *sigma_w2, double *sigma_b2, double *backward)
{
    int fan_in, fan_out, err;
    double mean, var, bias_mean, bias_var;
    initnn_layer_fans(&fan_in, &fan_out, l);
    if ((err = initnn_init_spec_moments(&mean, &var, &l->kernel_spec, fan_in, l->out_c, fan_in, fan_out))) return err;
    if ((err = initnn_init_spec_moments(&bias_mean, &bias_var, &l->bias_spec, 1, l->out_c, fan_in, fan_out))) return err;
    *sigma_w2 = fan_in * var;
    *sigma_b2 = bias_var + bias_mean * bias_mean;
    *backward = fan_out * var;
    return INITNN_OK;
}

/* The forward and backward predictions from the input's second moment and
   the output's delta second moment. */
static int initnn__theory_run(const initnn_net *net, double input_m2, double output_delta, initnn_layer_theory *out)
{
    double m2 = input_m2, slope2[INITNN_MAX_LAYERS], backward[INITNN_MAX_LAYERS], out_m2[INITNN_MAX_LAYERS];
    initnn_layer_theory table[INITNN_MAX_LAYERS];   /* copied to out only when every row is made */
    int i, err, last_param = -1, not_chain = 0;
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *l = &net->layers[i];
        initnn_layer_theory *t = &table[i];
        memset(t, 0, sizeof *t);
        t->layer = i;
        t->q_measured = t->delta_measured = NAN;
        slope2[i] = 1.0;
        backward[i] = 1.0;
        if (l->type == INITNN_LAYER_MAXPOOL2D || l->type == INITNN_LAYER_AVGPOOL2D)
            return initnn__fail(INITNN_ERR_ARGUMENT, "signal-propagation theory: layer %d is a pooling layer, which "
                                "the mean-field recursion does not cover", i);
        if (l->type == INITNN_LAYER_BATCHNORM)
            return initnn__fail(INITNN_ERR_ARGUMENT, "signal-propagation theory: layer %d is batch normalization, "
                                "whose output depends on the batch (training: E[z^2] = gamma^2 + beta^2 per channel "
                                "whatever came before) or on running statistics (evaluation), not on the layer "
                                "before alone", i);
        if (l->weight_count && l->kernel_spec.kind == INITNN_INIT_FIXUP && net->residual_count)
            return initnn__fail(INITNN_ERR_ARGUMENT, "signal-propagation theory: layer %d's kernel spec is fixup, "
                                "whose scale depends on the layer's place in its block (zero, scaled, or He) and is "
                                "applied after drawing, not by the spec", i);
        if (l->type == INITNN_LAYER_RESIDUAL && l->activation != INITNN_ACT_IDENTITY)
            return initnn__fail(INITNN_ERR_ARGUMENT, "signal-propagation theory: layer %d applies %s after a residual "
                                "add, to x + F(x) whose x has the nonzero mean of the activation before, so the "
                                "zero-mean Gaussian moments do not hold; put the activation inside the branch "
                                "(pre-activation blocks, He et al. 2016b)", i, initnn_activation_name(l->activation));
        if (l->type == INITNN_LAYER_LAYERNORM || l->type == INITNN_LAYER_RESIDUAL) {
            /* [residual_theory] Layer norm: xhat has second moment 1 per
               sample, so q = E[gamma^2] + E[beta^2]. A residual add:
                  q = sigma_p^2 E[x^2] + E[alpha^2] E[F(x)^2]
               (the cross term E[x F(x)] averages to 0 over the branch's
               last weights, which have mean 0), sigma_p^2 = 1 for the
               identity shortcut. With He branches (F's second moment c
               times its input's) each block multiplies E[x^2] by 1 + c:
               (1 + c)^L over L blocks; alpha = 0 keeps E[x^2]. A strided
               shortcut reads every s-th row and column of x, whose second
               moment is that of all of x: the same rule. */
            double ma, va, mb, vb;
            t->has_params = 1;
            not_chain = 1;
            if (l->type == INITNN_LAYER_LAYERNORM) {
                int n = l->out;
                if ((err = initnn_init_spec_moments(&ma, &va, &l->kernel_spec, 1, n, 1, n)) ||
                    (err = initnn_init_spec_moments(&mb, &vb, &l->bias_spec, 1, n, 1, n)))
                    return err;
                t->sigma_w2 = va + ma * ma;
                t->sigma_b2 = vb + mb * mb;
                t->q_predicted = t->sigma_w2 + t->sigma_b2;
            } else {
                double skip_m2 = l->skip_from < 0 ? input_m2 : out_m2[l->skip_from], sigma_p2 = 1.0;
                int skip_c = initnn__skip_channels(net, l);
                if (l->projection_count) {
                    if ((err = initnn_init_spec_moments(&mb, &vb, &l->kernel_spec, skip_c, l->out_c, skip_c, l->out_c)))
                        return err;
                    sigma_p2 = skip_c * (vb + mb * mb);
                }
                ma = 1.0; va = 0.0;
                if (l->has_scale &&
                    (err = initnn_init_spec_moments(&ma, &va, &l->bias_spec, 1, 1, 1, 1)))
                    return err;
                t->sigma_w2 = va + ma * ma;   /* E[alpha^2] */
                t->sigma_b2 = 0.0;
                t->q_predicted = sigma_p2 * skip_m2 + t->sigma_w2 * m2;
            }
            {
                initnn_moments mom;
                if ((err = initnn_activation_moments(&mom, l->activation, l->activation_param, t->q_predicted))) return err;
                m2 = mom.second;
                slope2[i] = mom.slope2;
            }
            out_m2[i] = m2;
            continue;
        }
        if (!l->weight_count) { t->q_predicted = m2; out_m2[i] = m2; continue; }
        t->has_params = 1;
        last_param = i;
        if ((err = initnn__layer_sigmas(l, &t->sigma_w2, &t->sigma_b2, &backward[i]))) return err;
        /* [mean_field] The recursion of Poole et al. (2016):
              q_l = sigma_w^2 E[phi(z_{l-1})^2] + sigma_b^2,  z_{l-1} ~ N(0, q_{l-1})
           with sigma_w^2 = fan_in Var(W), sigma_b^2 = E[b^2]; m2 holds the
           expectation, from the layer before (the input's second moment first). */
        t->q_predicted = t->sigma_w2 * m2 + t->sigma_b2;
        if (l->activation == INITNN_ACT_SOFTMAX) { m2 = NAN; out_m2[i] = m2; continue; }
        {
            initnn_moments mom;
            if ((err = initnn_activation_moments(&mom, l->activation, l->activation_param, t->q_predicted))) return err;
            m2 = mom.second;
            slope2[i] = mom.slope2;
        }
        out_m2[i] = m2;
    }
    if (not_chain) {
        /* The backward recursion below is the plain chain's; a block's
           gradient takes two paths (branch and skip), layer norm's Jacobian
           is not a scalar. Not predicted. */
        for (i = 0; i < net->layer_count; i++) table[i].delta_predicted = NAN;
        memcpy(out, table, (size_t)net->layer_count * sizeof *table);
        return INITNN_OK;
    }
    /* Backward from the output: E[delta_l^2] = E[delta_next^2] fan_out Var(W_next) E[phi'(z_l)^2]. */
    {
        double delta = output_delta, carry = 1.0;
        for (i = net->layer_count - 1; i >= 0; i--) {
            initnn_layer_theory *t = &table[i];
            if (!t->has_params) continue;
            if (i != last_param) {
                t->chi = carry * slope2[i];
                delta *= t->chi;
            }
            t->delta_predicted = delta;
            carry = backward[i];
        }
    }
    if (net->layer_count) memcpy(out, table, (size_t)net->layer_count * sizeof *table);
    return INITNN_OK;
}

INITNNDEF int initnn_theory_predict(initnn_layer_theory *table, const initnn_net *net, double input_second_moment)
{
    if (!net || !table) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_predict: NULL argument");
    if (!(input_second_moment >= 0.0))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_predict: input second moment must be >= 0");
    return initnn__theory_run(net, input_second_moment, 1.0, table);
}

INITNNDEF int initnn_theory_compare(initnn_net *net, initnn_layer_theory *table, const float *X,
                                    const int *labels, const float *targets, int batch)
{
    int i, err, last = -1;
    double input_m2, output_delta = 1.0;
    if (!net || !X || !table) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_compare: NULL argument");
    if (batch < 1 || batch > net->max_batch)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_compare: batch must be in [1, %d], got %d",
                            net->max_batch, batch);
    /* Everything that can fail is tried before the forward and backward
       passes change the net: the labels, and the prediction itself. */
    input_m2 = initnn_second_moment(X, (size_t)batch * (size_t)net->input_dim);
    if (!(input_m2 < HUGE_VAL))
        return initnn__fail(INITNN_ERR_NONFINITE, "initnn_theory_compare: the input's second moment is %g", input_m2);
    if ((err = initnn__check_labels(net, labels, targets, batch, "initnn_theory_compare")) ||
        (err = initnn__theory_run(net, input_m2, output_delta, table)))
        return err;
    if (!initnn_net_forward(net, X, batch, 0)) return INITNN_ERR_ARGUMENT;
    initnn_net_zero_grad(net);
    if ((err = initnn_net_backward(net, labels, targets, NULL))) return err;
    for (i = 0; i < net->layer_count; i++) if (net->layers[i].weight_count) last = i;
    if (last >= 0) output_delta = initnn_second_moment(net->layers[last].dz, (size_t)batch * net->layers[last].out);
    if ((err = initnn__theory_run(net, input_m2, output_delta, table))) return err;
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *l = &net->layers[i];
        size_t n = (size_t)batch * (size_t)l->out;
        if (!table[i].has_params) continue;
        table[i].q_measured = initnn_second_moment(l->z, n);
        table[i].delta_measured = initnn_second_moment(l->dz, n);
    }
    return INITNN_OK;
}

INITNNDEF void initnn_theory_print(FILE *file, const initnn_net *net, const initnn_layer_theory *table)
{
    int i, weighted = 0;
    fprintf(file, "layer  kind        sigma_w^2   E[z^2] pred  E[z^2] meas   ratio   E[d^2] pred  E[d^2] meas   ratio\n");
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer_theory *t = &table[i];
        const initnn_layer *l = &net->layers[i];
        if (!t->has_params) continue;
        fprintf(file, "%5d  %-10s  %9.4f  %11.4e  %11.4e  %6.3f  %11.4e  %11.4e  %6.3f\n", ++weighted,
                l->type == INITNN_LAYER_CONV2D ? "conv2d" : l->type == INITNN_LAYER_RESIDUAL ? "residual"
                : l->type == INITNN_LAYER_LAYERNORM ? "layernorm" : "dense", t->sigma_w2, t->q_predicted, t->q_measured,
                t->q_measured / t->q_predicted, t->delta_predicted, t->delta_measured,
                t->delta_measured / t->delta_predicted);
    }
}

INITNNDEF int initnn_theory_first_bad_layer(const initnn_net *net, const initnn_layer_theory *table,
                                            double reference, double low, double high)
{
    int i;
    if (!net || !table) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_first_bad_layer: NULL argument"), -1;
    for (i = 0; i < net->layer_count; i++) {
        double q = table[i].q_predicted;
        if (!table[i].has_params) continue;
        if (!(q >= low * reference && q <= high * reference)) return i;
    }
    return -1;
}

typedef struct initnn__pair_ctx {
    int activation, derivative;
    double param, scale, c, orth, z1;
} initnn__pair_ctx;

/* Inner integrand over z2 at fixed z1: phi(u2) (or phi'(u2)). */
static void initnn__pair_inner(double z2, double *values, const void *ctx)
{
    const initnn__pair_ctx *p = (const initnn__pair_ctx *)ctx;
    double u2 = p->scale * (p->c * p->z1 + p->orth * z2);
    values[0] = p->derivative ? initnn__phi_prime(p->activation, p->param, u2) : initnn__phi(p->activation, p->param, u2);
}

/* Outer integrand over z1: phi(u1) times the inner integral. */
static void initnn__pair_outer(double z1, double *values, const void *ctx)
{
    initnn__pair_ctx inner = *(const initnn__pair_ctx *)ctx;
    double u1 = inner.scale * z1, f1, sum;
    f1 = inner.derivative ? initnn__phi_prime(inner.activation, inner.param, u1) : initnn__phi(inner.activation, inner.param, u1);
    inner.z1 = z1;
    initnn__normal_expect(&sum, 1, initnn__panel_width(inner.scale * inner.scale), initnn__pair_inner, &inner);
    values[0] = f1 * sum;
}

/* E[phi(u1) phi(u2)] (or of phi') for the bivariate normal of second moment q and correlation c.
   Piecewise-linear activations have closed forms (Cho & Saul 2009, the
   arc-cosine kernel): with theta = arccos c, for ReLU
      E[relu(u1) relu(u2)] = q (sin theta + (pi - theta) c) / (2 pi),
      P(u1 > 0, u2 > 0) = (pi - theta) / (2 pi);
   leaky ReLU phi(u) = (1 - a) relu(u) + a u adds the linear terms, using
   E[relu(u1) u2] = c q / 2. The others are integrated. */
static double initnn__pair_expect(int activation, double param, double q, double c, int derivative)
{
    initnn__pair_ctx ctx;
    double sum;
    if (activation == INITNN_ACT_IDENTITY) return derivative ? 1.0 : c * q;
    if (activation == INITNN_ACT_RELU || activation == INITNN_ACT_LEAKY_RELU) {
        const double pi = 3.14159265358979323846;
        double a = activation == INITNN_ACT_RELU ? 0.0 : param, cc = c > 1.0 ? 1.0 : c < -1.0 ? -1.0 : c;
        double theta = acos(cc), both = (pi - theta) / (2.0 * pi);
        if (derivative) return a * a + a * (1.0 - a) + (1.0 - a) * (1.0 - a) * both;
        return (1.0 - a) * (1.0 - a) * q * (sin(theta) + (pi - theta) * cc) / (2.0 * pi) +
               a * (1.0 - a) * cc * q + a * a * cc * q;
    }
    ctx.activation = activation;
    ctx.derivative = derivative;
    ctx.param = param;
    ctx.scale = sqrt(q);
    ctx.c = c;
    ctx.orth = sqrt(1.0 - c * c);
    ctx.z1 = 0.0;
    initnn__normal_expect(&sum, 1, initnn__panel_width(q), initnn__pair_outer, &ctx);
    return sum;
}

INITNNDEF int initnn_theory_correlation_map(double *c_next, int activation, float param, double sigma_w2,
                                            double sigma_b2, double q, double c)
{
    initnn_moments mom;
    double q_next;
    int err;
    if (!c_next) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_correlation_map: NULL output");
    if (!(q > 0.0) || !(c >= -1.0 && c <= 1.0))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_correlation_map: need q > 0 and c in [-1, 1]");
    if ((err = initnn_activation_moments(&mom, activation, param, q))) return err;
    q_next = sigma_w2 * mom.second + sigma_b2;
    *c_next = q_next > 0.0 ? (sigma_w2 * initnn__pair_expect(activation, param, q, c, 0) + sigma_b2) / q_next : 1.0;
    return INITNN_OK;
}

/* g(q) = sigma_w^2 E[phi(z)^2] + sigma_b^2 - q, z ~ N(0, q): its positive
   root is the length map's fixed point q*. */
static int initnn__length_gap(double *gap, int activation, float param, double sigma_w2, double sigma_b2, double q)
{
    initnn_moments mom;
    int err = initnn_activation_moments(&mom, activation, param, q);
    *gap = sigma_w2 * mom.second + sigma_b2 - q;
    return err;
}

/* q* by bisection on the gap (root-finding converges where iterating the
   map crawls, next to criticality). Stable root: the gap is positive below
   q* and negative above. 0 when the map collapses (phi(0) = 0, sigma_b^2
   = 0, sigma_w^2 phi'(0)^2 <= 1), Inf when no root exists below 1e12. */
static int initnn__fixed_q(double *q_star, int activation, float param, double sigma_w2, double sigma_b2)
{
    double lo, hi, gap;
    int it, err;
    lo = sigma_b2 > 0.0 ? sigma_b2 : 1e-12;
    if ((err = initnn__length_gap(&gap, activation, param, sigma_w2, sigma_b2, lo))) return err;
    if (gap <= 0.0) { *q_star = sigma_b2 > 0.0 ? sigma_b2 : 0.0; return INITNN_OK; }
    for (hi = 2.0 * lo + 1.0; ; hi *= 4.0) {
        if (hi > 1e12) { *q_star = HUGE_VAL; return INITNN_OK; }
        if ((err = initnn__length_gap(&gap, activation, param, sigma_w2, sigma_b2, hi))) return err;
        if (gap < 0.0) break;
        lo = hi;
    }
    for (it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if ((err = initnn__length_gap(&gap, activation, param, sigma_w2, sigma_b2, mid))) return err;
        if (gap > 0.0) lo = mid; else hi = mid;
    }
    *q_star = 0.5 * (lo + hi);
    return INITNN_OK;
}

INITNNDEF int initnn_theory_fixed_point(double *q_star, double *c_star, double *chi_1, double *chi_c,
                                        double *xi_c, int activation, float param, double sigma_w2,
                                        double sigma_b2)
{
    initnn_moments mom;
    double q = 1.0, c = 0.5, chic, q_eval;
    int it, err;
    if (!(sigma_w2 > 0.0) || !(sigma_b2 >= 0.0))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_fixed_point: need sigma_w^2 > 0 and sigma_b^2 >= 0, "
                            "got %g, %g", sigma_w2, sigma_b2);
    if (activation == INITNN_ACT_SOFTMAX || activation < 0 || activation > INITNN_ACT_SELU)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_fixed_point: activation '%s' is not elementwise",
                            initnn_activation_name(activation));
    if ((activation == INITNN_ACT_RELU || activation == INITNN_ACT_LEAKY_RELU || activation == INITNN_ACT_IDENTITY) &&
        sigma_b2 == 0.0) {
        q = 1.0;   /* homogeneous: every q is a fixed point up to scale */
    } else if ((err = initnn__fixed_q(&q, activation, param, sigma_w2, sigma_b2))) {
        return err;
    }
    /* Evaluate the slopes at q* (or just above 0 when the map collapsed,
       where they take their q -> 0 limits). */
    q_eval = q > 1e-12 ? (q < 1e8 ? q : 1e8) : 1e-12;
    if ((err = initnn_activation_moments(&mom, activation, param, q_eval))) return err;
    if (q_star) *q_star = q;
    if (chi_1) *chi_1 = sigma_w2 * mom.slope2;
    if (!c_star && !chi_c && !xi_c) return INITNN_OK;
    /* c*: c = 1 is always a fixed point of the correlation map; it is the
       stable one (ordered phase) when the map lies above the diagonal just
       below 1. Otherwise (chaotic phase) c* < 1 is the root of
       h(c) = map(c) - c between a point where h >= 0 and 1. */
    {
        double h_hi, h_lo, lo = 0.0, hi = 1.0 - 1e-7, next = 1.0;
        if ((err = initnn_theory_correlation_map(&next, activation, param, sigma_w2, sigma_b2, q_eval, hi))) return err;
        h_hi = next - hi;
        if (h_hi >= 0.0) {
            c = 1.0;
        } else {
            if ((err = initnn_theory_correlation_map(&next, activation, param, sigma_w2, sigma_b2, q_eval, lo))) return err;
            h_lo = next - lo;
            if (h_lo < 0.0) {
                lo = -1.0;
                if ((err = initnn_theory_correlation_map(&next, activation, param, sigma_w2, sigma_b2, q_eval, lo))) return err;
            }
            for (it = 0; it < 60 && hi - lo > 1e-12; it++) {
                double mid = 0.5 * (lo + hi);
                if ((err = initnn_theory_correlation_map(&next, activation, param, sigma_w2, sigma_b2, q_eval, mid))) return err;
                if (next - mid >= 0.0) lo = mid; else hi = mid;
            }
            c = 0.5 * (lo + hi);
        }
    }
    chic = sigma_w2 * initnn__pair_expect(activation, param, q_eval, c, 1);
    if (c_star) *c_star = c;
    if (chi_c) *chi_c = chic;
    if (xi_c) *xi_c = fabs(log(chic)) < 1e-12 ? HUGE_VAL : -1.0 / log(chic);
    return INITNN_OK;
}

INITNNDEF int initnn_theory_critical_sigma_w2(double *sigma_w2, int activation, float param, double sigma_b2)
{
    double lo = 0.05, hi = 1000.0, f_lo, f_hi;
    int it, err;
    if (!sigma_w2) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_critical_sigma_w2: NULL output");
    if (sigma_b2 == 0.0 && activation != INITNN_ACT_SOFTMAX && initnn__phi(activation, param, 0.0) == 0.0) {
        /* phi(0) = 0 and no bias: q = 0 is a fixed point, stable while
           sigma_w^2 phi'(0)^2 < 1. The edge is where it loses stability,
           sigma_w^2 = 1 / phi'(0)^2 (tanh: 1). Beyond it chi_1(q*) only
           touches 1 to first order (a tangency, not a crossing), so
           bisection would be ill-conditioned. For ReLU phi'(0) is taken
           from the right; its chi_1 = sigma_w^2 / 2 for every q anyway. */
        /* Near q = 0, E[phi(sqrt(q) z)^2] = q (phi'(0+)^2 + phi'(0-)^2) / 2:
           the mean of the one-sided slopes squared, which covers the kinks
           of ReLU (1/2), leaky ReLU ((1 + a^2)/2) and SELU. */
        double right = initnn__phi_prime(activation, param, 1e-300), left = initnn__phi_prime(activation, param, -1e-300);
        double slope2 = 0.5 * (right * right + left * left);
        if (slope2 > 0.0) {
            *sigma_w2 = 1.0 / slope2;
            return INITNN_OK;
        }
    }
    if ((err = initnn_theory_fixed_point(NULL, NULL, &f_lo, NULL, NULL, activation, param, lo, sigma_b2))) return err;
    if ((err = initnn_theory_fixed_point(NULL, NULL, &f_hi, NULL, NULL, activation, param, hi, sigma_b2))) return err;
    if (!((f_lo - 1.0) * (f_hi - 1.0) < 0.0))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_theory_critical_sigma_w2: chi_1 - 1 does not change sign on "
                            "[%g, %g] for %s with sigma_b^2 = %g", lo, hi, initnn_activation_name(activation), sigma_b2);
    for (it = 0; it < 200 && hi - lo > 1e-12 * hi; it++) {
        double mid = 0.5 * (lo + hi), f;
        if ((err = initnn_theory_fixed_point(NULL, NULL, &f, NULL, NULL, activation, param, mid, sigma_b2))) return err;
        if ((f - 1.0) * (f_lo - 1.0) > 0.0) { lo = mid; f_lo = f; } else hi = mid;
    }
    *sigma_w2 = 0.5 * (lo + hi);
    return INITNN_OK;
}

INITNNDEF int initnn_singular_values(double *values, const float *A, int rows, int cols)
{
    /* One-sided Jacobi: rotate pairs of columns of U = A (or A^T, so that
       there are no more columns than rows) until they are orthogonal; the
       column norms are then the singular values. */
    int m = rows >= cols ? rows : cols, n = rows >= cols ? cols : rows, i, j, k, sweep, err;
    double *u;
    size_t count = initnn__count2("initnn_singular_values", "rows", rows, "cols", cols, &err);
    if (!count) return err;
    if (!values || !A) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_singular_values: NULL argument");
    u = (double *)initnn__alloc_array(count, sizeof(double));
    if (!u) return initnn__fail(INITNN_ERR_MEMORY, "initnn_singular_values: out of memory");
    /* u is column-major (n columns of length m). */
    for (i = 0; i < rows; i++)
        for (j = 0; j < cols; j++) {
            if (rows >= cols) u[(size_t)j * m + i] = A[(size_t)i * cols + j];
            else u[(size_t)i * m + j] = A[(size_t)i * cols + j];
        }
    for (sweep = 0; sweep < 60; sweep++) {
        double off = 0.0;
        for (j = 0; j < n - 1; j++)
            for (k = j + 1; k < n; k++) {
                double *a = u + (size_t)j * m, *b = u + (size_t)k * m, alpha = 0.0, beta = 0.0, gamma = 0.0, zeta, t, c, s;
                for (i = 0; i < m; i++) { alpha += a[i] * a[i]; beta += b[i] * b[i]; gamma += a[i] * b[i]; }
                if (gamma == 0.0 || fabs(gamma) <= 1e-15 * sqrt(alpha * beta)) continue;
                off = off > fabs(gamma) / sqrt(alpha * beta) ? off : fabs(gamma) / sqrt(alpha * beta);
                zeta = (beta - alpha) / (2.0 * gamma);
                t = (zeta >= 0.0 ? 1.0 : -1.0) / (fabs(zeta) + sqrt(1.0 + zeta * zeta));
                c = 1.0 / sqrt(1.0 + t * t);
                s = c * t;
                for (i = 0; i < m; i++) {
                    double x = a[i], y = b[i];
                    a[i] = c * x - s * y;
                    b[i] = s * x + c * y;
                }
            }
        if (off < 1e-15) break;
    }
    for (j = 0; j < n; j++) {
        double norm = 0.0;
        for (i = 0; i < m; i++) norm += u[(size_t)j * m + i] * u[(size_t)j * m + i];
        values[j] = sqrt(norm);
    }
    /* Largest first (insertion sort; n is small). */
    for (j = 1; j < n; j++) {
        double v = values[j];
        for (k = j - 1; k >= 0 && values[k] < v; k--) values[k + 1] = values[k];
        values[k + 1] = v;
    }
    INITNN_FREE(u);
    return INITNN_OK;
}

INITNNDEF int initnn_net_jacobian(initnn_net *net, float *J, const float *x)
{
    float *current, *next;
    int i, rows, cols, r, c, err;
    size_t max_cols = 1;
    if (!net || !x || !J) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_jacobian: NULL argument");
    rows = net->input_dim;
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *l = &net->layers[i];
        if (l->type == INITNN_LAYER_CONV2D || l->type == INITNN_LAYER_MAXPOOL2D || l->type == INITNN_LAYER_AVGPOOL2D)
            return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_jacobian: layer %d is not dense, dropout or flatten", i);
        if (l->weight_count && l->activation == INITNN_ACT_SOFTMAX)
            return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_jacobian: layer %d is softmax (not elementwise)", i);
        if ((size_t)l->out > max_cols) max_cols = (size_t)l->out;
    }
    if ((size_t)rows > max_cols) max_cols = (size_t)rows;
    if (!initnn__count2("initnn_net_jacobian", "input_dim", rows, "width", (int)max_cols, &err)) return err;
    if (!initnn_net_forward(net, x, 1, 0)) return INITNN_ERR_ARGUMENT;
    current = (float *)initnn__alloc_floats((size_t)rows * max_cols);
    next = (float *)initnn__alloc_floats((size_t)rows * max_cols);
    if (!current || !next) {
        INITNN_FREE(current);
        INITNN_FREE(next);
        return initnn__fail(INITNN_ERR_MEMORY, "initnn_net_jacobian: out of memory");
    }
    /* Forward mode: M = I, then M <- M W_l D_l layer by layer. */
    cols = rows;
    for (r = 0; r < rows; r++)
        for (c = 0; c < cols; c++) current[(size_t)r * cols + c] = r == c ? 1.0f : 0.0f;
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *l = &net->layers[i];
        float *swap;
        if (!l->weight_count) continue;
        initnn_matmul(next, current, l->W, rows, cols, l->out, 0);
        cols = l->out;
        for (c = 0; c < cols; c++) {
            float d = (float)initnn__phi_prime(l->activation, l->activation_param, l->z[c]);
            for (r = 0; r < rows; r++) next[(size_t)r * cols + c] *= d;
        }
        swap = current; current = next; next = swap;
    }
    memcpy(J, current, (size_t)rows * (size_t)cols * sizeof(float));
    INITNN_FREE(current);
    INITNN_FREE(next);
    return INITNN_OK;
}

/* ////////////////////////////////////////////////////////////////////////////
   11. Training loop
   //////////////////////////////////////////////////////////////////////////// */

INITNNDEF initnn_train_config initnn_train_defaults(void)
{
    initnn_train_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.epochs = 10;
    cfg.batch_size = 32;
    cfg.shuffle = 1;
    cfg.restore_best = 1;
    return cfg;
}

INITNNDEF void initnn_data_batch(float *X, int *labels, float *targets, const initnn_data *data,
                                 const int *index, int start, int batch)
{
    int b, f = data->features;
    INITNN__FOR_SAMPLES
    for (b = 0; b < batch; b++) {
        size_t s = (size_t)(index ? index[start + b] : start + b);
        float *x = X + (size_t)b * f;
        int j;
        if (data->x) memcpy(x, data->x + s * f, (size_t)f * sizeof(float));
        else for (j = 0; j < f; j++) x[j] = (float)data->x_u8[s * f + j] * (1.0f / 255.0f);
        if (labels && data->labels) labels[b] = data->labels[s];
        if (targets && data->targets)
            memcpy(targets + (size_t)b * data->target_dim, data->targets + s * data->target_dim,
                   (size_t)data->target_dim * sizeof(float));
    }
}

INITNNDEF int initnn_net_train_batch(initnn_net *net, const float *X, const int *labels,
                                     const float *targets, int batch, float *loss,
                                     double *grad_norm)
{
    float value = 0.0f;
    double norm;
    int err;
    if (!net || !X) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_train_batch: NULL %s", net ? "X" : "net");
    if (batch >= 1 && batch <= net->max_batch && !initnn__all_finite(X, (size_t)batch * (size_t)net->input_dim)) {
        size_t k = 0;
        while (X[k] - X[k] == 0.0f) k++;
        return initnn__fail(INITNN_ERR_NONFINITE, "training step %lld: input sample %d, feature %d is %g; "
                            "no update was made", (long long)net->steps_taken + 1, (int)(k / (size_t)net->input_dim),
                            (int)(k % (size_t)net->input_dim), (double)X[k]);
    }
    /* Weights set by hand (or by a caller's own update) are checked here,
       where they would otherwise only show up as a NaN loss: one pass over
       every parameter, and a search for the layer only when it fails. */
    if (!initnn__all_finite(net->params, net->param_count))
        for (err = 0; err < net->layer_count; err++) {
            const initnn_layer *l = &net->layers[err];
            if (l->weight_count && !initnn__all_finite(l->W, l->weight_count + l->bias_count)) {
                char name[96];
                initnn__describe_layer(name, sizeof name, l, err);
                return initnn__fail(INITNN_ERR_NONFINITE, "training step %lld: the weights of %s are not finite "
                                    "before the step; no update was made", (long long)net->steps_taken + 1, name);
            }
        }
    if (batch >= 1 && batch <= net->max_batch &&
        (err = initnn__check_labels(net, labels, targets, batch, "initnn_net_train_batch")))
        return err;
    if (!initnn_net_forward(net, X, batch, 1)) return INITNN_ERR_ARGUMENT;
    initnn_net_zero_grad(net);
    if ((err = initnn_net_backward(net, labels, targets, &value))) return err;
    if (loss) *loss = value;
    if (!(value - value == 0.0f)) {
        /* Where it arose: the first layer whose output overflowed, else the targets. */
        int i;
        char where[160] = "every layer's output is finite, so a target is not";
        initnn__fast_conv_block_outputs(net, batch);   /* 16. Fast paths: the y a fused step did not keep */
        for (i = 0; i < net->layer_count; i++) {
            const initnn_layer *l = &net->layers[i];
            if (!initnn__all_finite(l->y, (size_t)batch * (size_t)l->out)) {
                char name[96];
                initnn__describe_layer(name, sizeof name, l, i);
                snprintf(where, sizeof where, "the output of %s is the first that is not finite", name);
                break;
            }
        }
        /* "NaN" spelled out: printf's sign of a NaN differs between platforms. */
        return initnn__fail(INITNN_ERR_NONFINITE, "training step %lld: the loss is %s: %s (check the inputs and "
                            "the learning rate); no update was made", (long long)net->steps_taken + 1,
                            value != value ? "NaN" : value > 0.0f ? "+Inf" : "-Inf", where);
    }
    norm = initnn_net_grad_norm(net);
    if (grad_norm) *grad_norm = norm;
    if (!(norm - norm == 0.0)) {
        int i;
        char name[96] = "a layer";
        for (i = net->layer_count - 1; i >= 0; i--) {
            const initnn_layer *l = &net->layers[i];
            if (l->weight_count && !initnn__all_finite(l->dW, l->weight_count + l->bias_count)) {
                initnn__describe_layer(name, sizeof name, l, i);
                break;
            }
        }
        return initnn__fail(INITNN_ERR_NONFINITE, "training step %lld: the gradient of %s is not finite "
                            "(norm %g); no update was made", (long long)net->steps_taken + 1, name, norm);
    }
    if ((err = initnn_net_step(net))) return err;
    net->steps_taken++;
    return INITNN_OK;
}

/* Checks that a data set fits the net and its loss. */
static int initnn__check_data(const initnn_net *net, const initnn_data *data, const char *who, const char *what)
{
    if (!data) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: NULL %s data", who, what);
    if (data->count < 1) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: %s data has %d samples", who, what, data->count);
    if (data->features != net->input_dim)
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: %s data has %d features, the net takes %d", who, what,
                            data->features, net->input_dim);
    if (!data->x && !data->x_u8) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: %s data has no features", who, what);
    if (net->loss == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY && !data->labels)
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: %s data has no labels", who, what);
    if (net->loss == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY) {
        /* Every label now, not at the batch that holds a bad one. */
        int i, classes = initnn_net_output_dim(net);
        for (i = 0; i < data->count; i++)
            if (data->labels[i] < 0 || data->labels[i] >= classes)
                return initnn__fail(INITNN_ERR_ARGUMENT, "%s: %s label %d of sample %d is outside [0, %d)", who,
                                    what, data->labels[i], i, classes);
    }
    if (net->loss == INITNN_LOSS_MSE && (!data->targets || data->target_dim != initnn_net_output_dim(net)))
        return initnn__fail(INITNN_ERR_ARGUMENT, "%s: %s data needs targets of width %d", who, what,
                            initnn_net_output_dim(net));
    return INITNN_OK;
}

/* Scratch for one batch: inputs, labels, targets. */
typedef struct initnn__batch_buffers {
    float *X;
    int *labels;
    float *targets;
} initnn__batch_buffers;

static void initnn__batch_free(initnn__batch_buffers *bb)
{
    INITNN_FREE(bb->X);
    INITNN_FREE(bb->labels);
    INITNN_FREE(bb->targets);
}

static int initnn__batch_alloc(initnn__batch_buffers *bb, const initnn_net *net)
{
    size_t rows = (size_t)net->max_batch;
    bb->X = (float *)initnn__alloc_floats(rows * (size_t)net->input_dim);
    bb->labels = (int *)initnn__alloc_array(rows, sizeof(int));
    bb->targets = (float *)initnn__alloc_floats(rows * (size_t)initnn_net_output_dim(net));
    if (!bb->X || !bb->labels || !bb->targets) {
        initnn__batch_free(bb);
        return initnn__fail(INITNN_ERR_MEMORY, "out of memory for a batch of %d samples", net->max_batch);
    }
    return INITNN_OK;
}

static double initnn__metric(const initnn_net *net, const float *out, const int *labels, const float *targets, int batch)
{
    int dim = initnn_net_output_dim(net);
    if (net->loss == INITNN_LOSS_SOFTMAX_CROSS_ENTROPY) return initnn_accuracy(out, labels, batch, dim);
    return initnn_mean_absolute_error(out, targets, batch, dim);
}

/* initnn_net_evaluate with the caller's batch buffers (training has them
   already, so that it cannot run out of memory halfway). */
static void initnn__evaluate(initnn_net *net, const initnn_data *data, initnn__batch_buffers *bb, double *loss,
                             double *metric)
{
    double loss_sum = 0.0, metric_sum = 0.0;
    int start;
    for (start = 0; start < data->count; start += net->max_batch) {
        int batch = data->count - start < net->max_batch ? data->count - start : net->max_batch;
        const float *out;
        initnn_data_batch(bb->X, bb->labels, bb->targets, data, NULL, start, batch);
        out = initnn_net_forward(net, bb->X, batch, 0);
        loss_sum += (double)initnn_net_loss(net, bb->labels, bb->targets) * batch;
        metric_sum += initnn__metric(net, out, bb->labels, bb->targets, batch) * batch;
    }
    if (loss) *loss = loss_sum / data->count;
    if (metric) *metric = metric_sum / data->count;
}

INITNNDEF int initnn_net_evaluate(initnn_net *net, double *loss, double *metric, const initnn_data *data)
{
    initnn__batch_buffers bb;
    int err;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_evaluate: NULL net");
    if ((err = initnn__check_data(net, data, "initnn_net_evaluate", "evaluation"))) return err;
    if ((err = initnn__batch_alloc(&bb, net))) return err;
    initnn__evaluate(net, data, &bb, loss, metric);
    initnn__batch_free(&bb);
    return INITNN_OK;
}

/* Wall-clock seconds: omp_get_wtime under OpenMP (clock() would add up
   every thread's time), timespec_get in C11, else clock(), which is the
   wall time of a single-threaded program up to waiting for the CPU. */
static double initnn__seconds(void)
{
#ifdef _OPENMP
    return omp_get_wtime();
#endif
#if defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L && defined(TIME_UTC) && !defined(__TINYC__)
    struct timespec ts;
    if (timespec_get(&ts, TIME_UTC)) return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#endif
    return (double)clock() / (double)CLOCKS_PER_SEC;
}

INITNNDEF int initnn_net_train(initnn_net *net, const initnn_data *train_in, const initnn_data *val_in,
                               const initnn_train_config *cfg_in, int *epochs_run)
{
    initnn_train_config cfg = cfg_in ? *cfg_in : initnn_train_defaults();
    initnn_data train, val;
    const initnn_data *valp = NULL;
    initnn__batch_buffers bb;
    initnn__threads threads;
    initnn_layer_diag *diag = NULL;
    float *best = NULL;
    int *order = NULL;
    int err, epoch, i, bad_epochs = 0, have_best = 0;
    double best_loss = HUGE_VAL;

    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_train: NULL net");
    if ((err = initnn__check_data(net, train_in, "initnn_net_train", "training"))) return err;
    if (cfg.epochs < 0) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_train: epochs must be >= 0, got %d", cfg.epochs);
    if (cfg.batch_size < 1) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_train: batch_size must be >= 1, got %d", cfg.batch_size);
    if (cfg.batch_size > net->max_batch) cfg.batch_size = net->max_batch;
    if (!(cfg.validation_split >= 0.0f && cfg.validation_split < 1.0f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_train: validation_split must be in [0, 1), got %g",
                            (double)cfg.validation_split);
    train = *train_in;
    if (val_in) {
        if ((err = initnn__check_data(net, val_in, "initnn_net_train", "validation"))) return err;
        val = *val_in;
        valp = &val;
    } else if (cfg.validation_split > 0.0f) {
        /* The last validation_split of the samples, as Keras' validation_split. */
        int held = (int)((double)train.count * cfg.validation_split);
        size_t skip = (size_t)(train.count - held);
        if (held < 1 || held >= train.count)
            return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_train: validation_split %g of %d samples leaves "
                                "an empty side", (double)cfg.validation_split, train.count);
        val = train;
        val.count = held;
        if (val.x) val.x += skip * (size_t)val.features;
        if (val.x_u8) val.x_u8 += skip * (size_t)val.features;
        if (val.labels) val.labels += skip;
        if (val.targets) val.targets += skip * (size_t)val.target_dim;
        train.count -= held;
        valp = &val;
    }

    if ((err = initnn__batch_alloc(&bb, net))) return err;
    /* The thread count, chosen by the clock on a shared machine (16. Fast
       paths); the results do not depend on it. */
    initnn__threads_begin(&threads);
    order = (int *)initnn__alloc_array((size_t)train.count, sizeof(int));
    diag = (initnn_layer_diag *)INITNN_MALLOC((size_t)net->layer_count * sizeof *diag + 1);
    if (valp && cfg.patience > 0 && cfg.restore_best) best = (float *)initnn__alloc_floats(net->param_count);
    if (!order || !diag || (valp && cfg.patience > 0 && cfg.restore_best && !best)) {
        err = initnn__fail(INITNN_ERR_MEMORY, "initnn_net_train: out of memory");
        goto done;
    }
    for (i = 0; i < train.count; i++) order[i] = i;
    /* From here on a failure (a NaN mid-run) keeps what was done: see CONVENTIONS. */
    if (epochs_run) *epochs_run = 0;

    if (cfg.lsuv) {
        int batch = train.count < net->max_batch ? train.count : net->max_batch;
        initnn_data_batch(bb.X, bb.labels, bb.targets, &train, NULL, 0, batch);
        if ((err = initnn_lsuv(net, bb.X, batch, 0.0f, 0, NULL))) goto done;
    }

    for (epoch = 1; epoch <= cfg.epochs; epoch++) {
        initnn_epoch_record rec;
        double t0 = initnn__seconds(), loss_sum = 0.0, metric_sum = 0.0, norm_sum = 0.0;
        int start, batches = 0, l;
        size_t zeros = 0, relu_count = 0;
        memset(&rec, 0, sizeof rec);
        if (cfg.shuffle) initnn_rng_shuffle(&net->rng, order, train.count);
        for (start = 0; start < train.count; start += cfg.batch_size) {
            int batch = train.count - start < cfg.batch_size ? train.count - start : cfg.batch_size;
            float loss;
            double norm;
            double batch_t0 = initnn__seconds();
            initnn_data_batch(bb.X, bb.labels, bb.targets, &train, order, start, batch);
            /* Layers' buffers are read after an epoch's last batch (the
               diagnostics) and not before: the others may skip some. */
            net->fused_steps = start + batch < train.count;
            err = initnn_net_train_batch(net, bb.X, bb.labels, bb.targets, batch, &loss, &norm);
            net->fused_steps = 0;
            if (err) goto done;
            initnn__threads_batch(&threads, initnn__seconds() - batch_t0, batch);   /* 16. Fast paths */
            loss_sum += (double)loss * batch;
            /* The metric of the output this batch was trained on (training
               mode, before the update), as Keras reports it. */
            metric_sum += initnn__metric(net, net->layers[net->layer_count - 1].y, bb.labels, bb.targets, batch) * batch;
            norm_sum += norm;
            batches++;
            if (cfg.on_batch)
                cfg.on_batch(epoch, batches, (train.count + cfg.batch_size - 1) / cfg.batch_size,
                             loss_sum / (start + batch), cfg.user);
        }
        initnn_net_diag_from_buffers(net, diag);
        for (l = 0; l < net->layer_count; l++)
            if (net->layers[l].weight_count && net->layers[l].activation == INITNN_ACT_RELU) {
                zeros += diag[l].activation.zeros;
                relu_count += diag[l].activation.count;
            }
        rec.epoch = epoch;
        rec.train_loss = loss_sum / train.count;
        rec.train_metric = metric_sum / train.count;
        rec.grad_norm = batches ? norm_sum / batches : 0.0;
        rec.zero_fraction = relu_count ? (double)zeros / (double)relu_count : 0.0;
        rec.val_loss = rec.val_metric = NAN;
        if (valp) {
            initnn__evaluate(net, valp, &bb, &rec.val_loss, &rec.val_metric);
            if (!(rec.val_loss - rec.val_loss == 0.0)) {
                err = initnn__fail(INITNN_ERR_NONFINITE, "initnn_net_train: validation loss is %g after epoch %d",
                                   rec.val_loss, epoch);
                goto done;
            }
            if (rec.val_loss < best_loss) {
                best_loss = rec.val_loss;
                rec.is_best = 1;
                bad_epochs = 0;
                if (best && net->param_count) { memcpy(best, net->params, net->param_count * sizeof(float)); have_best = 1; }
            } else {
                bad_epochs++;
            }
        }
        rec.seconds = initnn__seconds() - t0;
        rec.layer_count = net->layer_count;
        rec.layers = diag;
        if (epochs_run) *epochs_run = epoch;
        if (cfg.on_epoch) cfg.on_epoch(&rec, cfg.user);
        if (valp && cfg.patience > 0 && bad_epochs >= cfg.patience) break;
    }
    if (have_best) memcpy(net->params, best, net->param_count * sizeof(float));
    err = INITNN_OK;
done:
    initnn__threads_end(&threads);
    initnn__batch_free(&bb);
    INITNN_FREE(order);
    INITNN_FREE(diag);
    INITNN_FREE(best);
    return err;
}

INITNNDEF int initnn_lsuv(initnn_net *net, const float *X, int batch, float tol, int max_iter,
                          int *iterations)
{
    int l, counts[INITNN_MAX_LAYERS];
    float *saved;
    if (!net || !X) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_lsuv: NULL %s", net ? "X" : "net");
    if (batch < 2 || batch > net->max_batch)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_lsuv: batch must be in [2, %d], got %d", net->max_batch, batch);
    if (tol <= 0.0f) tol = 0.1f;
    if (max_iter <= 0) max_iter = 10;
    /* A layer further up can fail after those below were rescaled: keep
       the weights to put back. */
    saved = net->param_count ? (float *)initnn__alloc_floats(net->param_count) : NULL;
    if (net->param_count && !saved) return initnn__fail(INITNN_ERR_MEMORY, "initnn_lsuv: out of memory");
    if (saved) memcpy(saved, net->params, net->param_count * sizeof(float));
    for (l = 0; l < net->layer_count; l++) {
        initnn_layer *layer = &net->layers[l];
        int it = 0;
        counts[l] = 0;
        if (!layer->weight_count) continue;
        for (;;) {
            double var;
            size_t k;
            float scale;
            initnn_net_forward(net, X, batch, 0);
            var = initnn_variance(layer->z, (size_t)batch * (size_t)layer->out);
            if (fabs(var - 1.0) < tol || it >= max_iter) break;
            if (!(var > 0.0) || !(var < HUGE_VAL)) {
                memcpy(net->params, saved, net->param_count * sizeof(float));
                INITNN_FREE(saved);
                return initnn__fail(INITNN_ERR_NONFINITE, "initnn_lsuv: layer %d output variance is %g; "
                                    "cannot rescale (the weights were restored)", l, var);
            }
            scale = (float)(1.0 / sqrt(var));
            for (k = 0; k < layer->weight_count; k++) layer->W[k] *= scale;
            it++;
        }
        counts[l] = it;
    }
    INITNN_FREE(saved);
    if (iterations && net->layer_count) memcpy(iterations, counts, (size_t)net->layer_count * sizeof(int));
    return INITNN_OK;
}

/* ////////////////////////////////////////////////////////////////////////////
   12. Data
   //////////////////////////////////////////////////////////////////////////// */

INITNNDEF void initnn_data_free(initnn_data *data)
{
    if (!data) return;
    if (data->storage) INITNN_FREE((void *)data->class_names);   /* one block: pointers, then the text */
    INITNN_FREE(data->storage);
    memset(data, 0, sizeof *data);
}

/* Allocates one block for a data set's arrays: labels (when classes > 0 or
   with_labels), targets (target_dim > 0), and features as uint8 or float.
   Fills the pointers of *d; all or nothing. */
static int initnn__data_alloc(initnn_data *d, int count, int features, int use_u8, int with_labels,
                              int target_dim, const char *who)
{
    size_t label_bytes, target_bytes, feature_bytes, total, n;
    int err;
    unsigned char *block;
    memset(d, 0, sizeof *d);
    n = initnn__count2(who, "count", count, "features", features, &err);
    if (!n) return err;
    if (target_dim > 0 && !initnn__count2(who, "count", count, "target_dim", target_dim, &err)) return err;
    /* The block's bytes must fit a size_t (not so on a 32-bit platform for
       2^31 floats): measured in double, where nothing wraps. */
    if ((double)count * (sizeof(int) + (target_dim > 0 ? (double)target_dim * sizeof(float) : 0.0)) +
        (double)n * (use_u8 ? 1.0 : (double)sizeof(float)) + 16.0 > (double)(size_t)-1)
        return initnn__fail(INITNN_ERR_MEMORY, "%s: %d x %d samples do not fit this platform's memory", who, count,
                            features);
    /* Each part rounded up to 8 bytes, so every array is aligned. */
    label_bytes = with_labels ? ((size_t)count * sizeof(int) + 7u) & ~(size_t)7u : 0;
    target_bytes = target_dim > 0 ? ((size_t)count * (size_t)target_dim * sizeof(float) + 7u) & ~(size_t)7u : 0;
    feature_bytes = n * (use_u8 ? 1u : sizeof(float));
    total = label_bytes + target_bytes + feature_bytes;
    block = (unsigned char *)INITNN_MALLOC(total ? total : 1);
    if (!block) return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory for %lu bytes", who, (unsigned long)total);
    d->storage = block;
    d->count = count;
    d->features = features;
    if (with_labels) d->labels = (int *)block;
    if (target_dim > 0) { d->targets = (float *)(block + label_bytes); d->target_dim = target_dim; }
    if (use_u8) d->x_u8 = block + label_bytes + target_bytes;
    else d->x = (float *)(block + label_bytes + target_bytes);
    return INITNN_OK;
}

/* The writable views of a data set this file allocated. */
static float *initnn__wx(initnn_data *d) { return (float *)d->x; }
static int *initnn__wlabels(initnn_data *d) { return (int *)d->labels; }
static float *initnn__wtargets(initnn_data *d) { return (float *)d->targets; }

/* Shuffles the samples of a float, labelled 2-feature set in place. */
static void initnn__shuffle_points(initnn_data *d, initnn_rng *rng)
{
    float *x = initnn__wx(d);
    int *labels = initnn__wlabels(d);
    int i;
    for (i = d->count - 1; i > 0; i--) {
        int j = (int)initnn_rng_below(rng, (uint32_t)i + 1u), k, t;
        for (k = 0; k < d->features; k++) {
            float tmp = x[(size_t)i * d->features + k];
            x[(size_t)i * d->features + k] = x[(size_t)j * d->features + k];
            x[(size_t)j * d->features + k] = tmp;
        }
        t = labels[i]; labels[i] = labels[j]; labels[j] = t;
    }
}

static int initnn__check_generator(initnn_data *out, int count, float noise, const char *who)
{
    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: NULL output", who);
    memset(out, 0, sizeof *out);
    if (count < 2) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: count must be >= 2, got %d", who, count);
    if (!(noise >= 0.0f && noise < 1e6f)) return initnn__fail(INITNN_ERR_ARGUMENT, "%s: noise must be >= 0, got %g", who, (double)noise);
    return INITNN_OK;
}

INITNNDEF int initnn_make_moons(initnn_data *out, int count, float noise, uint64_t seed)
{
    const double pi = 3.14159265358979323846;
    initnn_rng rng;
    int i, err, outer;
    float *x;
    if ((err = initnn__check_generator(out, count, noise, "initnn_make_moons"))) return err;
    if ((err = initnn__data_alloc(out, count, 2, 0, 1, 0, "initnn_make_moons"))) return err;
    out->classes = 2;
    initnn_rng_seed(&rng, seed);
    x = initnn__wx(out);
    outer = count / 2;   /* as scikit-learn: the outer moon gets the smaller half */
    for (i = 0; i < count; i++) {
        int label = i < outer ? 0 : 1;
        int k = label ? i - outer : i, n = label ? count - outer : outer;
        double t = n > 1 ? pi * k / (n - 1) : 0.0;
        double px = label ? 1.0 - cos(t) : cos(t), py = label ? 0.5 - sin(t) : sin(t);
        x[2 * i] = (float)(px + noise * initnn_rng_normal_double(&rng));
        x[2 * i + 1] = (float)(py + noise * initnn_rng_normal_double(&rng));
        initnn__wlabels(out)[i] = label;
    }
    initnn__shuffle_points(out, &rng);
    return INITNN_OK;
}

INITNNDEF int initnn_make_circles(initnn_data *out, int count, float noise, float factor, uint64_t seed)
{
    const double pi = 3.14159265358979323846;
    initnn_rng rng;
    int i, err, outer;
    float *x;
    if ((err = initnn__check_generator(out, count, noise, "initnn_make_circles"))) return err;
    if (!(factor > 0.0f && factor < 1.0f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_make_circles: factor must be in (0, 1), got %g", (double)factor);
    if ((err = initnn__data_alloc(out, count, 2, 0, 1, 0, "initnn_make_circles"))) return err;
    out->classes = 2;
    initnn_rng_seed(&rng, seed);
    x = initnn__wx(out);
    outer = count / 2;
    for (i = 0; i < count; i++) {
        int label = i < outer ? 0 : 1;
        int k = label ? i - outer : i, n = label ? count - outer : outer;
        double t = 2.0 * pi * k / n, r = label ? factor : 1.0;
        x[2 * i] = (float)(r * cos(t) + noise * initnn_rng_normal_double(&rng));
        x[2 * i + 1] = (float)(r * sin(t) + noise * initnn_rng_normal_double(&rng));
        initnn__wlabels(out)[i] = label;
    }
    initnn__shuffle_points(out, &rng);
    return INITNN_OK;
}

INITNNDEF int initnn_make_spirals(initnn_data *out, int count, int classes, float noise, uint64_t seed)
{
    const double pi = 3.14159265358979323846;
    initnn_rng rng;
    int i, err;
    float *x;
    if ((err = initnn__check_generator(out, count, noise, "initnn_make_spirals"))) return err;
    if (classes < 2 || classes > count)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_make_spirals: classes must be in [2, count], got %d", classes);
    if ((err = initnn__data_alloc(out, count, 2, 0, 1, 0, "initnn_make_spirals"))) return err;
    out->classes = classes;
    initnn_rng_seed(&rng, seed);
    x = initnn__wx(out);
    for (i = 0; i < count; i++) {
        int label = i % classes, k = i / classes, n = (count - label + classes - 1) / classes;
        double r = n > 1 ? (double)k / (n - 1) : 0.0;
        double t = 4.0 * r + 2.0 * pi * label / classes + noise * initnn_rng_normal_double(&rng);
        x[2 * i] = (float)(r * sin(t));
        x[2 * i + 1] = (float)(r * cos(t));
        initnn__wlabels(out)[i] = label;
    }
    initnn__shuffle_points(out, &rng);
    return INITNN_OK;
}

INITNNDEF int initnn_make_regression(initnn_data *out, int count, int features, float noise, uint64_t seed)
{
    initnn_rng rng;
    int i, j, err;
    float *x, *w;
    if ((err = initnn__check_generator(out, count, noise, "initnn_make_regression"))) return err;
    if (features < 1 || features > 4096)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_make_regression: features must be in [1, 4096], got %d", features);
    w = (float *)initnn__alloc_floats((size_t)features);
    if (!w) return initnn__fail(INITNN_ERR_MEMORY, "initnn_make_regression: out of memory");
    if ((err = initnn__data_alloc(out, count, features, 0, 0, 1, "initnn_make_regression"))) {
        INITNN_FREE(w);
        return err;
    }
    initnn_rng_seed(&rng, seed);
    initnn_random_normal(w, (size_t)features, (float)(1.0 / sqrt((double)features)), 0.0f, &rng);
    x = initnn__wx(out);
    for (i = 0; i < count; i++) {
        double y = 0.5;
        for (j = 0; j < features; j++) {
            float v = initnn_rng_normal(&rng);
            x[(size_t)i * features + j] = v;
            y += (double)v * w[j];
        }
        initnn__wtargets(out)[i] = (float)(y + noise * initnn_rng_normal_double(&rng));
    }
    INITNN_FREE(w);
    return INITNN_OK;
}

/* ---- IDX ------------------------------------------------------------------ */

static uint32_t initnn__be32(const unsigned char *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Opens an IDX file, checks its magic (type u8, ndims) and reads its
   dimensions; *payload gets the number of data bytes the dimensions
   promise, checked against the file's length. */
static int initnn__idx_open(FILE **file, const char *path, int ndims, uint32_t *dims, size_t *payload)
{
    unsigned char head[16];
    size_t header = 4 + 4 * (size_t)ndims, need;
    long length;
    uint64_t product = 1;
    int i;
    int err;
    if ((err = initnn__open_read(file, path))) return err;
    if (fseek(*file, 0, SEEK_END) != 0 || (length = ftell(*file)) < 0 || fseek(*file, 0, SEEK_SET) != 0) {
        err = errno;
        fclose(*file);
        return initnn__fail_io(path, "cannot determine the file size", err);
    }
    if ((size_t)length < header || fread(head, 1, header, *file) != header) {
        fclose(*file);
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset 0: %ld bytes is too short for an IDX header of %lu bytes",
                            path, length, (unsigned long)header);
    }
    if (head[0] != 0 || head[1] != 0 || head[2] != 0x08 || head[3] != (unsigned char)ndims) {
        fclose(*file);
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset 0: magic %02x %02x %02x %02x, expected 00 00 08 %02x "
                            "(unsigned bytes, %d dimension%s)", path, head[0], head[1], head[2], head[3], ndims,
                            ndims, ndims == 1 ? "" : "s");
    }
    for (i = 0; i < ndims; i++) {
        dims[i] = initnn__be32(head + 4 + 4 * i);
        if (dims[i] == 0 || dims[i] > (uint32_t)INITNN_MAX_ELEMENTS) {
            fclose(*file);
            return initnn__fail(INITNN_ERR_FORMAT, "%s: offset %d: dimension %d is %lu", path, 4 + 4 * i, i,
                                (unsigned long)dims[i]);
        }
        product *= dims[i];
        if (product > (uint64_t)INITNN_MAX_ELEMENTS) {
            fclose(*file);
            return initnn__fail(INITNN_ERR_OVERFLOW, "%s: offset %d: the dimensions multiply past %d elements",
                                path, 4 + 4 * i, INITNN_MAX_ELEMENTS);
        }
    }
    need = (size_t)product;
    if ((size_t)length - header != need) {
        fclose(*file);
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: the header promises %lu data bytes, the file has %lu%s",
                            path, (unsigned long)header, (unsigned long)need, (unsigned long)((size_t)length - header),
                            (size_t)length - header < need ? " (truncated)" : " (trailing bytes)");
    }
    *payload = need;
    return INITNN_OK;
}

INITNNDEF int initnn_load_idx(initnn_data *out, const char *images_path, const char *labels_path)
{
    FILE *images = NULL, *labels = NULL;
    uint32_t image_dims[3] = {0, 0, 0}, label_dims[1] = {0};
    size_t image_bytes = 0, label_bytes = 0, i;
    unsigned char *label_bytes_buf = NULL;
    int err, max_label = -1;
    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_load_idx: NULL output");
    memset(out, 0, sizeof *out);
    if (!images_path) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_load_idx: NULL images path");
    if ((err = initnn__idx_open(&images, images_path, 3, image_dims, &image_bytes))) return err;
    if (labels_path) {
        if ((err = initnn__idx_open(&labels, labels_path, 1, label_dims, &label_bytes))) {
            labels = NULL;   /* initnn__idx_open closed it */
            goto fail;
        }
        if (label_dims[0] != image_dims[0]) {
            err = initnn__fail(INITNN_ERR_FORMAT, "%s has %lu images but %s has %lu labels", images_path,
                               (unsigned long)image_dims[0], labels_path, (unsigned long)label_dims[0]);
            goto fail;
        }
    }
    if ((err = initnn__data_alloc(out, (int)image_dims[0], (int)(image_dims[1] * image_dims[2]), 1,
                                  labels_path != NULL, 0, "initnn_load_idx")))
        goto fail;
    if (fread((unsigned char *)out->x_u8, 1, image_bytes, images) != image_bytes) {
        err = initnn__fail_io(images_path, "read error", ferror(images) ? errno : 0);
        goto fail;
    }
    if (labels) {
        label_bytes_buf = (unsigned char *)INITNN_MALLOC(label_bytes);
        if (!label_bytes_buf) { err = initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", labels_path); goto fail; }
        if (fread(label_bytes_buf, 1, label_bytes, labels) != label_bytes) {
            err = initnn__fail_io(labels_path, "read error", ferror(labels) ? errno : 0);
            goto fail;
        }
        for (i = 0; i < label_bytes; i++) {
            initnn__wlabels(out)[i] = label_bytes_buf[i];
            if (label_bytes_buf[i] > max_label) max_label = label_bytes_buf[i];
        }
        out->classes = max_label + 1;
        INITNN_FREE(label_bytes_buf);
        fclose(labels);
    }
    fclose(images);
    return INITNN_OK;
fail:
    INITNN_FREE(label_bytes_buf);
    if (images) fclose(images);
    if (labels) fclose(labels);
    initnn_data_free(out);
    return err;
}

/* ---- CSV ------------------------------------------------------------------ */

/* Cell boundaries of one line [p, end): calls back per cell. Returns the
   number of cells. */
static int initnn__csv_cells(const char *p, const char *end, const char **starts, const char **ends, int max)
{
    int n = 0;
    for (;;) {
        const char *c = p;
        while (c < end && *c != ',') c++;
        if (n < max) { starts[n] = p; ends[n] = c; }
        n++;
        if (c >= end) return n;
        p = c + 1;
    }
}

/* The text of a cell without surrounding blanks and quotes. */
static void initnn__csv_trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t')) (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r')) (*e)--;
    if (*e - *s >= 2 && **s == '"' && (*e)[-1] == '"') { (*s)++; (*e)--; }
}

#define INITNN__CSV_MAX_COLUMNS 4096

/* A text class label of a CSV: where it is and which row it labels. */
typedef struct initnn__csv_label {
    const char *text;
    int length, row;
} initnn__csv_label;

/* strcmp order of labels (which hold no NUL byte), then the row: a total order. */
static int initnn__csv_label_compare(const void *a, const void *b)
{
    const initnn__csv_label *x = (const initnn__csv_label *)a, *y = (const initnn__csv_label *)b;
    int n = x->length < y->length ? x->length : y->length;
    int c = memcmp(x->text, y->text, (size_t)n);
    if (c) return c;
    if (x->length != y->length) return x->length < y->length ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* The column names of a CSV header line, "'a', 'b', ..." (cut at size). */
static void initnn__csv_list_columns(char *list, size_t size, const char **starts, const char **ends, int n)
{
    size_t used = 0;
    int c;
    list[0] = '\0';
    for (c = 0; c < n && used + 8 < size; c++) {
        const char *cs = starts[c], *ce = ends[c];
        int w;
        initnn__csv_trim(&cs, &ce);
        w = snprintf(list + used, size - used, "%s'%.*s'", c ? ", " : "", (int)(ce - cs > 40 ? 40 : ce - cs), cs);
        if (w < 0 || (size_t)w >= size - used) { list[used] = '\0'; break; }
        used += (size_t)w;
    }
    if (c < n && used + 5 < size) memcpy(list + used, ", ...", 6);
}

/* Sorts the text labels, numbers the distinct ones as classes and stores
   them (labels and names) in out. */
static int initnn__csv_text_classes(initnn_data *out, initnn__csv_label *cells, int rows, const char *path)
{
    int i, classes = 0;
    size_t text_bytes = 0;
    char **names, *text;
    qsort(cells, (size_t)rows, sizeof *cells, initnn__csv_label_compare);
    for (i = 0; i < rows; i++)
        if (i == 0 || cells[i].length != cells[i - 1].length ||
            memcmp(cells[i].text, cells[i - 1].text, (size_t)cells[i].length)) {
            classes++;
            text_bytes += (size_t)cells[i].length + 1u;
        }
    names = (char **)INITNN_MALLOC((size_t)classes * sizeof(char *) + text_bytes);
    if (!names) return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory for %d class names", path, classes);
    text = (char *)(names + classes);
    for (i = 0, classes = 0; i < rows; i++) {
        if (i == 0 || cells[i].length != cells[i - 1].length ||
            memcmp(cells[i].text, cells[i - 1].text, (size_t)cells[i].length)) {
            names[classes++] = text;
            memcpy(text, cells[i].text, (size_t)cells[i].length);
            text[cells[i].length] = '\0';
            text += cells[i].length + 1;
        }
        initnn__wlabels(out)[cells[i].row] = classes - 1;
    }
    out->classes = classes;
    out->class_names = (const char *const *)names;
    return INITNN_OK;
}

INITNNDEF int initnn_load_csv(initnn_data *out, const char *path, const char *target, int has_header,
                              int classification)
{
    unsigned char *file = NULL;
    size_t size;
    const char **starts = NULL, **ends = NULL;
    const char *p, *text_begin, *text_end;
    int err, columns = -1, rows = 0, target_col = -1, line_no, row, max_label = -1, header_skipped = 0;
    int text_labels = 0;
    initnn__csv_label *cells = NULL;
    char *endp;
    long index;
    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_load_csv: NULL output");
    memset(out, 0, sizeof *out);
    if (!target || !*target) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_load_csv: no target column given");
    if ((err = initnn__read_file(path, &file, &size))) return err;
    starts = (const char **)INITNN_MALLOC(INITNN__CSV_MAX_COLUMNS * sizeof *starts);
    ends = (const char **)INITNN_MALLOC(INITNN__CSV_MAX_COLUMNS * sizeof *ends);
    if (!starts || !ends) { err = initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", path); goto fail; }
    text_begin = (const char *)file;
    text_end = (const char *)file + size;
    /* A UTF-8 byte-order mark (EF BB BF), as some editors save: not text. */
    if (size >= 3 && file[0] == 0xEF && file[1] == 0xBB && file[2] == 0xBF) text_begin += 3;

    /* Pass 1: the header, the column count, and every row's width. */
    for (p = text_begin, line_no = 1; p < text_end; line_no++) {
        const char *eol = (const char *)memchr(p, '\n', (size_t)(text_end - p));
        const char *line_end = eol ? eol : text_end, *s = p, *e = line_end;
        int n;
        initnn__csv_trim(&s, &e);
        if (s == e) { p = line_end + 1; continue; }   /* blank line */
        n = initnn__csv_cells(p, line_end, starts, ends, INITNN__CSV_MAX_COLUMNS);
        if (n > INITNN__CSV_MAX_COLUMNS) {
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: line %d: %d columns, at most %d are read", path, line_no, n,
                               INITNN__CSV_MAX_COLUMNS);
            goto fail;
        }
        if (columns < 0) {
            columns = n;
            if (columns < 2) {
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: line %d: one column; need features and a target", path, line_no);
                goto fail;
            }
            /* The target column, by index or by header name. */
            index = strtol(target, &endp, 10);
            if (*endp == '\0') {
                target_col = index < 0 ? (int)(columns + index) : (int)index;
                if (index < -(long)columns || index >= (long)columns) {
                    err = initnn__fail(INITNN_ERR_ARGUMENT, "%s: target column %ld does not exist (%d columns)", path,
                                       index, columns);
                    goto fail;
                }
            } else if (has_header) {
                int c;
                for (c = 0; c < n; c++) {
                    const char *cs = starts[c], *ce = ends[c];
                    initnn__csv_trim(&cs, &ce);
                    if ((size_t)(ce - cs) == strlen(target) && !strncmp(cs, target, (size_t)(ce - cs))) target_col = c;
                }
                if (target_col < 0) {
                    char list[320];
                    initnn__csv_list_columns(list, sizeof list, starts, ends, n);
                    err = initnn__fail(INITNN_ERR_ARGUMENT, "%s: line %d: no column named '%.60s' in the header; its "
                                       "columns are %s", path, line_no, target, list);
                    goto fail;
                }
            } else {
                err = initnn__fail(INITNN_ERR_ARGUMENT, "%s: target '%s' is a name but the file has no header", path, target);
                goto fail;
            }
            if (has_header) { p = line_end + 1; continue; }
        } else if (n != columns) {
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: line %d: %d columns, the first row has %d (ragged row)", path,
                               line_no, n, columns);
            goto fail;
        }
        rows++;
        p = line_end + 1;
    }
    if (rows == 0) {
        err = initnn__fail(INITNN_ERR_FORMAT, "%s: no data rows%s", path, columns < 0 ? " (the file is empty)" : "");
        goto fail;
    }
    if ((err = initnn__data_alloc(out, rows, columns - 1, 0, classification, classification ? 0 : 1, "initnn_load_csv")))
        goto fail;
    if (classification) {
        /* Text labels: are any of the target cells not numbers? */
        for (p = text_begin, line_no = 1, header_skipped = 0; p < text_end && !text_labels; line_no++) {
            const char *eol = (const char *)memchr(p, '\n', (size_t)(text_end - p));
            const char *line_end = eol ? eol : text_end, *s = p, *e = line_end;
            initnn__csv_trim(&s, &e);
            if (s != e && (header_skipped || !has_header)) {
                const char *cs, *ce;
                initnn__csv_cells(p, line_end, starts, ends, INITNN__CSV_MAX_COLUMNS);
                cs = starts[target_col];
                ce = ends[target_col];
                initnn__csv_trim(&cs, &ce);
                if (ce > cs && ce - cs < 64 && !memchr(cs, 0, (size_t)(ce - cs))) {
                    char buf[64];
                    memcpy(buf, cs, (size_t)(ce - cs));
                    buf[ce - cs] = '\0';
                    strtod(buf, &endp);
                    if (endp == buf || *endp != '\0') text_labels = 1;
                } else if (ce > cs && ce - cs >= 64) {
                    text_labels = 1;
                }
            }
            if (s != e) header_skipped = 1;
            p = line_end + 1;
        }
        header_skipped = 0;
        if (text_labels) {
            cells = (initnn__csv_label *)initnn__alloc_array((size_t)rows, sizeof *cells);
            if (!cells) { err = initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", path); goto fail; }
        }
    }

    /* Pass 2: the numbers. */
    for (p = text_begin, line_no = 1, row = 0; p < text_end; line_no++) {
        const char *eol = (const char *)memchr(p, '\n', (size_t)(text_end - p));
        const char *line_end = eol ? eol : text_end, *s = p, *e = line_end;
        int c, f = 0;
        initnn__csv_trim(&s, &e);
        if (s == e || (has_header && !header_skipped)) {
            if (s != e) header_skipped = 1;
            p = line_end + 1;
            continue;
        }
        initnn__csv_cells(p, line_end, starts, ends, INITNN__CSV_MAX_COLUMNS);
        for (c = 0; c < columns; c++) {
            const char *cs = starts[c], *ce = ends[c];
            char buf[64];
            double v;
            initnn__csv_trim(&cs, &ce);
            if (ce > cs && memchr(cs, 0, (size_t)(ce - cs))) {
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: line %d, column %d: the cell holds a NUL byte (after '%.20s')",
                                   path, line_no, c + 1, cs);
                goto fail;
            }
            if (c == target_col && text_labels) {
                if (ce - cs <= 0) {
                    err = initnn__fail(INITNN_ERR_FORMAT, "%s: line %d, column %d: empty class label", path, line_no, c + 1);
                    goto fail;
                }
                cells[row].text = cs;
                cells[row].length = (int)(ce - cs);
                cells[row].row = row;
                continue;
            }
            if (ce - cs <= 0 || ce - cs >= (long)sizeof buf) goto bad_cell;
            memcpy(buf, cs, (size_t)(ce - cs));
            buf[ce - cs] = '\0';
            v = strtod(buf, &endp);
            if (endp == buf || *endp != '\0' || v != v) goto bad_cell;
            if (!(fabs(v) <= (double)FLT_MAX)) {
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: line %d, column %d: %s is beyond float range (|v| > %g)",
                                   path, line_no, c + 1, buf, (double)FLT_MAX);
                goto fail;
            }
            if (c == target_col) {
                if (classification) {
                    if (v < 0.0 || v != floor(v) || v > 1e6) {
                        err = initnn__fail(INITNN_ERR_FORMAT, "%s: line %d, column %d: class label '%s' is not a whole "
                                           "number in [0, 1000000]", path, line_no, c + 1, buf);
                        goto fail;
                    }
                    initnn__wlabels(out)[row] = (int)v;
                    if ((int)v > max_label) max_label = (int)v;
                } else {
                    initnn__wtargets(out)[row] = (float)v;
                }
            } else {
                initnn__wx(out)[(size_t)row * (size_t)(columns - 1) + (size_t)f++] = (float)v;
            }
            continue;
        bad_cell:
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: line %d, column %d: '%.*s' is not a number%s", path, line_no,
                               c + 1, (int)(ce - cs > 40 ? 40 : ce - cs), cs,
                               c == target_col && !classification ? " (text class labels need classification)" : "");
            goto fail;
        }
        row++;
        p = line_end + 1;
    }
    if (text_labels) {
        if ((err = initnn__csv_text_classes(out, cells, rows, path))) goto fail;
    } else if (classification) {
        out->classes = max_label + 1;
    }
    INITNN_FREE(cells);
    INITNN_FREE(starts);
    INITNN_FREE(ends);
    INITNN_FREE(file);
    return INITNN_OK;
fail:
    INITNN_FREE(cells);
    INITNN_FREE(starts);
    INITNN_FREE(ends);
    INITNN_FREE(file);
    initnn_data_free(out);
    return err;
}

/* ---- CIFAR ---------------------------------------------------------------- */

INITNNDEF int initnn_load_cifar(initnn_data *out, const char *const *paths, int path_count, int cifar100)
{
    size_t record = cifar100 ? 3074u : 3073u, total = 0, sizes[64];
    int i, err, label_offset = cifar100 == 2 ? 1 : 0, max_label = -1;
    size_t sample = 0;
    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_load_cifar: NULL output");
    memset(out, 0, sizeof *out);
    if (!paths || path_count < 1 || path_count > 64)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_load_cifar: need 1 to 64 files, got %d", path_count);
    if (cifar100 < 0 || cifar100 > 2)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_load_cifar: cifar100 must be 0, 1 or 2, got %d", cifar100);
    for (i = 0; i < path_count; i++) {
        FILE *f;
        long length;
        if ((err = initnn__open_read(&f, paths[i]))) return err;
        if (fseek(f, 0, SEEK_END) != 0 || (length = ftell(f)) < 0) {
            err = errno;
            fclose(f);
            return initnn__fail_io(paths[i], "cannot determine the file size", err);
        }
        fclose(f);
        if (length == 0 || (size_t)length % record != 0)
            return initnn__fail(INITNN_ERR_FORMAT, "%s: %ld bytes is not a whole number of %lu-byte %s records", paths[i],
                                length, (unsigned long)record, cifar100 ? "CIFAR-100" : "CIFAR-10");
        sizes[i] = (size_t)length;
        total += (size_t)length / record;
        if (total > (size_t)INITNN_MAX_ELEMENTS / 3072u)
            return initnn__fail(INITNN_ERR_OVERFLOW, "initnn_load_cifar: too many images");
    }
    if ((err = initnn__data_alloc(out, (int)total, 3072, 1, 1, 0, "initnn_load_cifar"))) return err;
    for (i = 0; i < path_count; i++) {
        unsigned char *file;
        size_t size, r;
        if ((err = initnn__read_file(paths[i], &file, &size))) goto fail;
        if (size != sizes[i]) {
            INITNN_FREE(file);
            err = initnn__fail(INITNN_ERR_IO, "%s: changed size while being read", paths[i]);
            goto fail;
        }
        for (r = 0; r < size / record; r++, sample++) {
            const unsigned char *rec = file + r * record;
            int label = rec[label_offset];
            if (!cifar100 && label > 9) {
                INITNN_FREE(file);
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: label %d, CIFAR-10 has 10 classes", paths[i],
                                   (unsigned long)(r * record), label);
                goto fail;
            }
            initnn__wlabels(out)[sample] = label;
            if (label > max_label) max_label = label;
            memcpy((unsigned char *)out->x_u8 + sample * 3072u, rec + (cifar100 ? 2 : 1), 3072u);
        }
        INITNN_FREE(file);
    }
    out->classes = cifar100 == 0 ? 10 : cifar100 == 1 ? 20 : 100;
    if (max_label >= out->classes) {
        err = initnn__fail(INITNN_ERR_FORMAT, "initnn_load_cifar: label %d, but %d classes", max_label, out->classes);
        goto fail;
    }
    return INITNN_OK;
fail:
    initnn_data_free(out);
    return err;
}

/* ---- splits and standardization ------------------------------------------ */

INITNNDEF int initnn_data_split(initnn_data *first, initnn_data *second, const initnn_data *data, float fraction)
{
    int held;
    size_t skip;
    if (!data || !first || !second) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_data_split: NULL argument");
    if (!(fraction > 0.0f && fraction < 1.0f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_data_split: fraction must be in (0, 1), got %g", (double)fraction);
    held = (int)floor((double)data->count * fraction + 0.5);
    if (held < 1 || held >= data->count)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_data_split: %g of %d samples leaves an empty side",
                            (double)fraction, data->count);
    skip = (size_t)(data->count - held);
    *first = *data;
    first->count = data->count - held;
    first->storage = NULL;
    *second = *first;
    second->count = held;
    if (second->x) second->x += skip * (size_t)data->features;
    if (second->x_u8) second->x_u8 += skip * (size_t)data->features;
    if (second->labels) second->labels += skip;
    if (second->targets) second->targets += skip * (size_t)data->target_dim;
    return INITNN_OK;
}

INITNNDEF int initnn_standardize_fit(float *mean, float *std, const initnn_data *data)
{
    int i, j;
    if (!data || !mean || !std) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_standardize_fit: NULL argument");
    if (data->count < 1 || data->features < 1 || (!data->x && !data->x_u8))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_standardize_fit: empty data");
    for (j = 0; j < data->features; j++) {
        double sum = 0.0, dev = 0.0, m;
        for (i = 0; i < data->count; i++) {
            size_t k = (size_t)i * data->features + j;
            sum += data->x ? (double)data->x[k] : data->x_u8[k] / 255.0;
        }
        m = sum / data->count;
        for (i = 0; i < data->count; i++) {
            size_t k = (size_t)i * data->features + j;
            double d = (data->x ? (double)data->x[k] : data->x_u8[k] / 255.0) - m;
            dev += d * d;
        }
        mean[j] = (float)m;
        std[j] = dev > 0.0 ? (float)sqrt(dev / data->count) : 1.0f;
    }
    return INITNN_OK;
}

INITNNDEF void initnn_standardize_apply(float *x, int count, int features, const float *mean, const float *std)
{
    int i, j;
    for (i = 0; i < count; i++)
        for (j = 0; j < features; j++) {
            float *v = x + (size_t)i * features + j;
            *v = (*v - mean[j]) / std[j];
        }
}

/* ////////////////////////////////////////////////////////////////////////////
   13. Checkpoints and .npy
   //////////////////////////////////////////////////////////////////////////// */

#define INITNN__CKPT_MAGIC "INITNNCK"
#define INITNN__CKPT_VERSION 2u    /* 2: optional chunks after the generator; 1 is still read */

INITNNDEF int initnn_net_save(const initnn_net *net, const char *path)
{
    initnn__writer w;
    initnn_file out;
    int i, err;
    const initnn_optimizer *o;
    if (!net || !path) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_save: NULL %s", net ? "path" : "net");
    if (!initnn__all_finite(net->params, net->param_count))
        return initnn__fail(INITNN_ERR_NONFINITE, "initnn_net_save: %s: the weights are not all finite; "
                            "nothing was written", path);
    {
        /* What initnn_net_load accepts, and nothing else: finite moments,
           no negative second moment. A gradient of 1e20 squares to Inf in
           float: such a v is refused here, not found unloadable later. */
        size_t k;
        for (k = 0; k < net->param_count; k++)
            if (!initnn__isfinite(net->opt_m[k]) || !initnn__isfinite(net->opt_v[k]) || net->opt_v[k] < 0.0f)
                return initnn__fail(INITNN_ERR_NONFINITE, "initnn_net_save: %s: optimizer moment %lu (m %g, v %g) is "
                                    "not finite or negative; nothing was written", path, (unsigned long)k,
                                    (double)net->opt_m[k], (double)net->opt_v[k]);
    }
    if ((err = initnn_file_begin(&out, path))) return err;
    w.file = out.stream;
    w.crc = 0;
    w.failed = 0;
    initnn__put(&w, INITNN__CKPT_MAGIC, 8);
    initnn__put_u32(&w, INITNN__CKPT_VERSION);
    initnn__put_u32(&w, (uint32_t)net->input_dim);
    initnn__put_u32(&w, (uint32_t)net->input_c);
    initnn__put_u32(&w, (uint32_t)net->input_h);
    initnn__put_u32(&w, (uint32_t)net->input_w);
    initnn__put_u32(&w, (uint32_t)net->layer_count);
    initnn__put_u32(&w, (uint32_t)net->loss);
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *l = &net->layers[i];
        char specs[3][INITNN_SPEC_MAX];
        int k;
        initnn__put_u32(&w, (uint32_t)l->type);
        initnn__put_u32(&w, (uint32_t)l->in);
        initnn__put_u32(&w, (uint32_t)l->out);
        initnn__put_u32(&w, (uint32_t)l->activation);
        initnn__put_f32(&w, l->activation_param);
        initnn__put_f32(&w, l->rate);
        initnn__put_u32(&w, (uint32_t)l->out_c);
        initnn__put_u32(&w, (uint32_t)l->out_h);
        initnn__put_u32(&w, (uint32_t)l->out_w);
        initnn__put_u32(&w, (uint32_t)l->kernel_h);
        initnn__put_u32(&w, (uint32_t)l->kernel_w);
        initnn__put_u32(&w, (uint32_t)l->stride);
        initnn__put_u32(&w, (uint32_t)l->same_padding);
        /* Fixed-size, zero-padded strings: no stray memory reaches the file. */
        memset(specs, 0, sizeof specs);
        for (k = 0; k < INITNN_SPEC_MAX - 1 && l->kernel_init[k]; k++) specs[0][k] = l->kernel_init[k];
        for (k = 0; k < INITNN_SPEC_MAX - 1 && l->bias_init[k]; k++) specs[1][k] = l->bias_init[k];
        for (k = 0; k < INITNN_SPEC_MAX - 1 && l->activation_spec[k]; k++) specs[2][k] = l->activation_spec[k];
        initnn__put(&w, specs, sizeof specs);
        if (l->type == INITNN_LAYER_BATCHNORM) {   /* the layer-type extension */
            initnn__put_f32(&w, l->momentum);
            initnn__put_f32(&w, l->epsilon);
            initnn__put_f32_array(&w, l->running_mean, (size_t)l->out_c);
            initnn__put_f32_array(&w, l->running_var, (size_t)l->out_c);
        } else if (l->type == INITNN_LAYER_LAYERNORM) {
            initnn__put_f32(&w, l->epsilon);
        } else if (l->type == INITNN_LAYER_RESIDUAL) {
            initnn__put_u32(&w, (uint32_t)(l->skip_from + 1));
            initnn__put_u32(&w, (uint32_t)l->has_scale);
        }
    }
    initnn__put_u64(&w, (uint64_t)net->param_count);
    initnn__put_f32_array(&w, net->params, net->param_count);
    o = &net->opt;
    initnn__put_u32(&w, (uint32_t)o->type);
    initnn__put_u32(&w, (uint32_t)o->nesterov);
    initnn__put_u32(&w, (uint32_t)o->keras_epsilon);
    initnn__put_f32(&w, o->learning_rate);
    initnn__put_f32(&w, o->momentum);
    initnn__put_f32(&w, o->beta1);
    initnn__put_f32(&w, o->beta2);
    initnn__put_f32(&w, o->epsilon);
    initnn__put_f32(&w, o->rho);
    initnn__put_f32(&w, o->weight_decay);
    initnn__put_f32(&w, o->clip_norm);
    initnn__put_f32(&w, o->clip_value);
    initnn__put_u64(&w, (uint64_t)o->step);
    initnn__put_f32_array(&w, net->opt_m, net->param_count);
    initnn__put_f32_array(&w, net->opt_v, net->param_count);
    initnn__put_u64(&w, net->rng.state);
    initnn__put_u64(&w, net->rng.inc);
    initnn__put_u64(&w, net->seed);
    /* Optional chunks: tag, length, body. */
    if (net->prep.mean || net->prep.input_scale != 1.0f) {
        uint32_t features = net->prep.mean ? (uint32_t)net->input_dim : 0u;
        initnn__put(&w, "PREP", 4);
        initnn__put_u32(&w, 8u + 8u * features);
        initnn__put_f32(&w, net->prep.input_scale);
        initnn__put_u32(&w, features);
        if (features) {
            initnn__put_f32_array(&w, net->prep.mean, features);
            initnn__put_f32_array(&w, net->prep.std, features);
        }
    }
    if (net->prep.class_count > 0) {
        uint32_t length = 4;
        for (i = 0; i < net->prep.class_count; i++) length += 4u + (uint32_t)strlen(net->prep.class_names[i]);
        initnn__put(&w, "CLAS", 4);
        initnn__put_u32(&w, length);
        initnn__put_u32(&w, (uint32_t)net->prep.class_count);
        for (i = 0; i < net->prep.class_count; i++) {
            uint32_t n = (uint32_t)strlen(net->prep.class_names[i]);
            initnn__put_u32(&w, n);
            initnn__put(&w, net->prep.class_names[i], n);
        }
    }
    {
        uint32_t crc = w.crc;
        initnn__put_u32(&w, crc);
    }
    out.error = w.failed;
    return initnn_file_commit(&out);
}

/* Reads the optional chunks of a version-2 checkpoint up to r->size. */
static int initnn__load_chunks(initnn_net *net, initnn__reader *r)
{
    while (r->pos < r->size && !r->failed) {
        size_t at = r->pos, end;
        const unsigned char *tag = initnn__take(r, 4, "chunk tag");
        uint32_t length = initnn__get_u32(r, "chunk length");
        if (r->failed) break;
        if (length > r->size - r->pos)
            return initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: chunk '%.4s' of %lu bytes, the file ends after "
                                "%lu (truncated)", r->path, (unsigned long)at, (const char *)tag,
                                (unsigned long)length, (unsigned long)(r->size - r->pos));
        end = r->pos + length;
        if (!memcmp(tag, "PREP", 4)) {
            float scale = initnn__get_f32(r, "input_scale");
            uint32_t features = initnn__get_u32(r, "PREP features"), j;
            if (r->failed) break;
            if (!(scale > 0.0f && scale <= 3.0e38f) || (features != 0u && features != (uint32_t)net->input_dim) ||
                length != 8u + 8u * (uint64_t)features)
                return initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: chunk PREP: input_scale %g, %lu features "
                                    "(the net takes %d), %lu bytes: inconsistent", r->path, (unsigned long)at,
                                    (double)scale, (unsigned long)features, net->input_dim, (unsigned long)length);
            initnn__prep_clear(&net->prep);
            net->prep.input_scale = scale;
            if (features) {
                net->prep.mean = (float *)initnn__alloc_floats(features);
                net->prep.std = (float *)initnn__alloc_floats(features);
                if (!net->prep.mean || !net->prep.std)
                    return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", r->path);
                initnn__get_f32_array(r, net->prep.mean, features, "PREP mean");
                initnn__get_f32_array(r, net->prep.std, features, "PREP std");
                for (j = 0; j < features && !r->failed; j++)
                    if (!initnn__all_finite(&net->prep.mean[j], 1) || !(net->prep.std[j] > 0.0f) ||
                        !initnn__all_finite(&net->prep.std[j], 1))
                        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: chunk PREP: feature %lu has mean %g "
                                            "and std %g (need finite, std > 0)", r->path, (unsigned long)at,
                                            (unsigned long)j, (double)net->prep.mean[j], (double)net->prep.std[j]);
            }
        } else if (!memcmp(tag, "CLAS", 4)) {
            uint32_t count = initnn__get_u32(r, "class count"), k;
            if (r->failed) break;
            if (count < 1u || count > (uint32_t)(length / 4u))
                return initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: chunk CLAS: %lu classes in %lu bytes",
                                    r->path, (unsigned long)at, (unsigned long)count, (unsigned long)length);
            while (net->prep.class_count) {   /* a second CLAS replaces the first */
                INITNN_FREE(net->prep.class_names[--net->prep.class_count]);
            }
            INITNN_FREE(net->prep.class_names);
            net->prep.class_names = (char **)initnn__alloc_array(count, sizeof(char *));
            if (!net->prep.class_names) return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", r->path);
            for (k = 0; k < count; k++) {
                uint32_t n = initnn__get_u32(r, "class name length");
                const unsigned char *text;
                if (r->failed || n > end - r->pos)
                    return r->failed ? r->failed
                         : initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: class name %lu of %lu bytes runs past its "
                                        "chunk", r->path, (unsigned long)(r->pos - 4), (unsigned long)k, (unsigned long)n);
                text = initnn__take(r, n, "class name");
                if (memchr(text, 0, n))
                    return initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: class name %lu holds a NUL byte", r->path,
                                        (unsigned long)(r->pos - n), (unsigned long)k);
                net->prep.class_names[k] = (char *)INITNN_MALLOC((size_t)n + 1u);
                if (!net->prep.class_names[k]) return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", r->path);
                memcpy(net->prep.class_names[k], text, n);
                net->prep.class_names[k][n] = '\0';
                net->prep.class_count = (int)k + 1;
            }
        } else {
            r->pos = end;   /* a chunk of a later version: skipped */
        }
        if (r->failed) break;
        if (r->pos != end)
            return initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: chunk '%.4s' holds %lu bytes, its fields %lu",
                                r->path, (unsigned long)at, (const char *)tag, (unsigned long)length,
                                (unsigned long)(r->pos - (at + 8)));
    }
    return r->failed;
}

/* Parses a checkpoint into a new net. */
static int initnn__load(initnn_net **out, initnn__reader *r, int max_batch)
{
    initnn_net *net = NULL;
    uint32_t version, input_dim, input_c, input_h, input_w, layer_count, loss, i;
    uint64_t param_count;
    initnn_optimizer o;
    int err;
    size_t m_at = 0, v_at = 0;   /* where the optimizer's moments start */
    double claimed = 0.0;   /* parameters of the layers so far */
    const unsigned char *magic;
    *out = NULL;
    if (r->size < 12) return initnn__fail(INITNN_ERR_FORMAT, "%s: %lu bytes is too short for a checkpoint",
                                          r->path, (unsigned long)r->size);
    if (memcmp(r->data, INITNN__CKPT_MAGIC, 8) != 0)
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset 0: not an initnn checkpoint (bad magic)", r->path);
    r->size -= 4;   /* the checksum is not part of the fields; initnn_net_load checks it */
    magic = initnn__take(r, 8, "magic");
    (void)magic;
    version = initnn__get_u32(r, "version");
    if (!r->failed && (version < 1u || version > INITNN__CKPT_VERSION))
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset 8: version %lu, this initnn reads versions 1 to %u",
                            r->path, (unsigned long)version, INITNN__CKPT_VERSION);
    input_dim = initnn__get_u32(r, "input_dim");
    input_c = initnn__get_u32(r, "input_c");
    input_h = initnn__get_u32(r, "input_h");
    input_w = initnn__get_u32(r, "input_w");
    layer_count = initnn__get_u32(r, "layer_count");
    loss = initnn__get_u32(r, "loss");
    if (r->failed) return r->failed;
    if (input_dim < 1 || input_dim > (uint32_t)INITNN_MAX_ELEMENTS)
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset 12: input_dim %lu is out of range", r->path, (unsigned long)input_dim);
    if (layer_count < 1 || layer_count > INITNN_MAX_LAYERS)
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset 28: layer_count %lu is out of range", r->path, (unsigned long)layer_count);
    if (loss > INITNN_LOSS_MSE)
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset 32: unknown loss %lu", r->path, (unsigned long)loss);
    if ((err = initnn_net_create(&net, (int)input_dim, max_batch, 0))) return err;
    if (input_c > input_dim || input_h > input_dim || input_w > input_dim ||
        initnn_net_set_input_shape(net, (int)input_c, (int)input_h, (int)input_w)) {
        initnn_net_free(net);
        return initnn__fail(INITNN_ERR_FORMAT, "%s: offset 16: input shape %lu x %lu x %lu is not %lu features", r->path,
                            (unsigned long)input_c, (unsigned long)input_h, (unsigned long)input_w, (unsigned long)input_dim);
    }
    net->loss = (int)loss;
    for (i = 0; i < layer_count && !r->failed; i++) {
        size_t at = r->pos;
        uint32_t type = initnn__get_u32(r, "layer type"), in = initnn__get_u32(r, "layer in");
        uint32_t units = initnn__get_u32(r, "layer out"), act = initnn__get_u32(r, "activation");
        float act_param = initnn__get_f32(r, "activation parameter"), rate = initnn__get_f32(r, "dropout rate");
        uint32_t out_c = initnn__get_u32(r, "out_c"), out_h = initnn__get_u32(r, "out_h");
        uint32_t out_w = initnn__get_u32(r, "out_w"), kernel_h = initnn__get_u32(r, "kernel_h");
        uint32_t kernel_w = initnn__get_u32(r, "kernel_w"), stride = initnn__get_u32(r, "stride");
        uint32_t same = initnn__get_u32(r, "same_padding");
        int added;
        const unsigned char *specs = initnn__take(r, 3 * INITNN_SPEC_MAX, "layer specs");
        char kernel[INITNN_SPEC_MAX], bias[INITNN_SPEC_MAX], activation[INITNN_SPEC_MAX];
        if (r->failed) break;
        memcpy(kernel, specs, INITNN_SPEC_MAX);
        memcpy(bias, specs + INITNN_SPEC_MAX, INITNN_SPEC_MAX);
        memcpy(activation, specs + 2 * INITNN_SPEC_MAX, INITNN_SPEC_MAX);
        if (kernel[INITNN_SPEC_MAX - 1] || bias[INITNN_SPEC_MAX - 1] || activation[INITNN_SPEC_MAX - 1]) {
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu has an unterminated spec string",
                               r->path, (unsigned long)at, (unsigned long)i);
            goto fail;
        }
        if (in != (uint32_t)initnn_net_output_dim(net)) {
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu takes %lu inputs but the previous layer "
                               "gives %d", r->path, (unsigned long)at, (unsigned long)i, (unsigned long)in,
                               initnn_net_output_dim(net));
            goto fail;
        }
        /* Rebuild the layer through the public adders, which validate it,
           then check that it has the recorded shape. */
        if (units > (uint32_t)INITNN_MAX_ELEMENTS || out_c > (uint32_t)INITNN_MAX_ELEMENTS ||
            kernel_h > (uint32_t)INITNN_MAX_ELEMENTS || kernel_w > (uint32_t)INITNN_MAX_ELEMENTS ||
            stride > (uint32_t)INITNN_MAX_ELEMENTS || same > 1u) {
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu has out-of-range sizes", r->path,
                               (unsigned long)at, (unsigned long)i);
            goto fail;
        }
        if (type == INITNN_LAYER_DENSE || type == INITNN_LAYER_CONV2D) {
            int parsed_act;
            float parsed_param;
            if (initnn_activation_parse(&parsed_act, &parsed_param, activation) || (uint32_t)parsed_act != act ||
                parsed_param != act_param) {
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu: bad activation '%.40s'",
                                   r->path, (unsigned long)at, (unsigned long)i, activation);
                goto fail;
            }
            /* Every parameter takes 12 bytes further on (weight and two
               optimizer moments): a size the file cannot hold is refused
               before it is allocated. */
            claimed += type == INITNN_LAYER_DENSE ? ((double)in + 1.0) * units
                     : ((double)(net->layer_count ? net->layers[net->layer_count - 1].out_c : net->input_c) *
                        kernel_h * kernel_w + 1.0) * out_c;
            if (claimed * 12.0 > (double)(r->size - r->pos)) {
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu brings the parameters to %.0f, more "
                                   "than the %lu bytes left can hold", r->path, (unsigned long)at, (unsigned long)i,
                                   claimed, (unsigned long)(r->size - r->pos));
                goto fail;
            }
            added = type == INITNN_LAYER_DENSE
                  ? initnn_net_add_dense(net, (int)units, activation, kernel, bias)
                  : initnn_net_add_conv2d(net, (int)out_c, (int)kernel_h, (int)kernel_w, (int)stride, (int)same,
                                          activation, kernel, bias);
        } else if (type == INITNN_LAYER_BATCHNORM || type == INITNN_LAYER_LAYERNORM || type == INITNN_LAYER_RESIDUAL) {
            /* the layer-type extension (section 13's comment) */
            float momentum = INITNN_BN_MOMENTUM, epsilon = INITNN_BN_EPSILON;
            uint32_t skip = 0, has_scale = 0;
            int parsed_act;
            float parsed_param;
            if (type == INITNN_LAYER_BATCHNORM) momentum = initnn__get_f32(r, "batchnorm momentum");
            if (type != INITNN_LAYER_RESIDUAL) epsilon = initnn__get_f32(r, "normalization epsilon");
            if (type == INITNN_LAYER_RESIDUAL) {
                skip = initnn__get_u32(r, "residual skip_from");
                has_scale = initnn__get_u32(r, "residual has_scale");
            }
            if (r->failed) break;
            if (initnn_activation_parse(&parsed_act, &parsed_param, activation) || (uint32_t)parsed_act != act ||
                parsed_param != act_param || !(momentum >= 0.0f && momentum <= 1.0f) || !(epsilon > 0.0f) ||
                !(epsilon < 1.0f) || has_scale > 1u || skip > (uint32_t)net->layer_count) {
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu: bad activation, momentum, epsilon, "
                                   "skip or scale", r->path, (unsigned long)at, (unsigned long)i);
                goto fail;
            }
            if (type == INITNN_LAYER_RESIDUAL)
                added = initnn_net_add_residual(net, (int)skip - 1, has_scale ? bias : NULL, kernel, activation);
            else if (type == INITNN_LAYER_BATCHNORM)
                added = initnn_net_add_batchnorm(net, activation, kernel, bias);
            else
                added = initnn_net_add_layernorm(net, activation, kernel, bias);
            if (!added) {
                initnn_layer *l = &net->layers[net->layer_count - 1];
                l->momentum = momentum;
                l->epsilon = epsilon;
                if (type == INITNN_LAYER_BATCHNORM) {
                    initnn__get_f32_array(r, l->running_mean, (size_t)l->out_c, "running mean");
                    initnn__get_f32_array(r, l->running_var, (size_t)l->out_c, "running variance");
                    if (r->failed) break;
                    int c, negative = 0;
                    for (c = 0; c < l->out_c; c++) negative |= !(l->running_var[c] >= 0.0f);
                    if (negative || !initnn__all_finite(l->running_mean, (size_t)l->out_c) ||
                        !initnn__all_finite(l->running_var, (size_t)l->out_c)) {
                        err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu: non-finite running statistics",
                                           r->path, (unsigned long)at, (unsigned long)i);
                        goto fail;
                    }
                }
            }
        } else if (type == INITNN_LAYER_DROPOUT) {
            added = initnn_net_add_dropout(net, rate);
        } else if (type == INITNN_LAYER_MAXPOOL2D || type == INITNN_LAYER_AVGPOOL2D) {
            added = initnn_net_add_pool2d(net, type == INITNN_LAYER_MAXPOOL2D, (int)kernel_h, (int)stride);
        } else if (type == INITNN_LAYER_FLATTEN) {
            added = initnn_net_add_flatten(net);
        } else {
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu has unknown type %lu", r->path,
                               (unsigned long)at, (unsigned long)i, (unsigned long)type);
            goto fail;
        }
        if (added) {
            char message[sizeof initnn__error_message];
            memcpy(message, initnn__error_message, sizeof message);
            /* Out of memory stays out of memory; anything else is the file's fault. */
            err = initnn__fail(added == INITNN_ERR_MEMORY ? INITNN_ERR_MEMORY : INITNN_ERR_FORMAT,
                               "%s: offset %lu: layer %lu: %s", r->path, (unsigned long)at, (unsigned long)i, message);
            goto fail;
        }
        {
            const initnn_layer *l = &net->layers[net->layer_count - 1];
            if ((uint32_t)l->out != units || (uint32_t)l->out_c != out_c || (uint32_t)l->out_h != out_h ||
                (uint32_t)l->out_w != out_w || (uint32_t)l->kernel_w != kernel_w || (uint32_t)l->stride != stride) {
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: layer %lu: the recorded output %lu (%lu x %lu x %lu) "
                                   "is not what its parameters give", r->path, (unsigned long)at, (unsigned long)i,
                                   (unsigned long)units, (unsigned long)out_c, (unsigned long)out_h, (unsigned long)out_w);
                goto fail;
            }
        }
    }
    param_count = initnn__get_u64(r, "param_count");
    if (r->failed) { err = r->failed; goto fail; }
    if (param_count != (uint64_t)net->param_count) {
        err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: param_count %llu, the layers need %lu", r->path,
                           (unsigned long)(r->pos - 8), (unsigned long long)param_count, (unsigned long)net->param_count);
        goto fail;
    }
    initnn__get_f32_array(r, net->params, net->param_count, "parameters");
    if (!r->failed && net->param_count) memcpy(net->params_backup, net->params, net->param_count * sizeof(float));
    memset(&o, 0, sizeof o);
    o.type = (int)initnn__get_u32(r, "optimizer type");
    o.nesterov = (int)initnn__get_u32(r, "nesterov");
    o.keras_epsilon = (int)initnn__get_u32(r, "keras_epsilon");
    o.learning_rate = initnn__get_f32(r, "learning_rate");
    o.momentum = initnn__get_f32(r, "momentum");
    o.beta1 = initnn__get_f32(r, "beta1");
    o.beta2 = initnn__get_f32(r, "beta2");
    o.epsilon = initnn__get_f32(r, "epsilon");
    o.rho = initnn__get_f32(r, "rho");
    o.weight_decay = initnn__get_f32(r, "weight_decay");
    o.clip_norm = initnn__get_f32(r, "clip_norm");
    o.clip_value = initnn__get_f32(r, "clip_value");
    o.step = (int64_t)initnn__get_u64(r, "step");
    m_at = r->pos;
    initnn__get_f32_array(r, net->opt_m, net->param_count, "optimizer first moments");
    v_at = r->pos;
    initnn__get_f32_array(r, net->opt_v, net->param_count, "optimizer second moments");
    net->rng.state = initnn__get_u64(r, "rng state");
    net->rng.inc = initnn__get_u64(r, "rng stream");
    net->seed = initnn__get_u64(r, "seed");
    if (r->failed) { err = r->failed; goto fail; }
    if (version >= 2u && (err = initnn__load_chunks(net, r))) goto fail;
    if (r->pos != r->size) {
        err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: %lu unexpected bytes after the last field", r->path,
                           (unsigned long)r->pos, (unsigned long)(r->size - r->pos));
        goto fail;
    }
    if ((net->rng.inc & 1u) == 0 || o.step < 0 || !initnn__all_finite(net->params, net->param_count)) {
        err = initnn__fail(INITNN_ERR_FORMAT, "%s: invalid generator, step or non-finite weights", r->path);
        goto fail;
    }
    {
        /* The optimizer's moments: finite, and the second moment (a running
           mean of squared gradients) never negative, or the first update
           after loading would be NaN. */
        size_t k;
        for (k = 0; k < net->param_count; k++) {
            float m = net->opt_m[k], v = net->opt_v[k];
            if (!initnn__isfinite(m) || !initnn__isfinite(v) || v < 0.0f) {
                int first = !initnn__isfinite(m);
                err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: optimizer %s moment %lu is %g (%s)", r->path,
                                   (unsigned long)((first ? m_at : v_at) + 4 * k), first ? "first" : "second",
                                   (unsigned long)k, (double)(first ? m : v),
                                   first || !initnn__isfinite(v) ? "not finite" : "a second moment must be >= 0");
                goto fail;
            }
        }
    }
    {
        /* set_optimizer validates and clears the state; put the state back. */
        int64_t step = o.step;
        float *m = net->opt_m, *v = net->opt_v;
        size_t bytes = net->param_count * sizeof(float);
        float *keep = (float *)initnn__alloc_floats(2 * net->param_count);
        if (!keep) { err = initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", r->path); goto fail; }
        if (bytes) {   /* a net without parameters has no arrays (NULL) */
            memcpy(keep, m, bytes);
            memcpy(keep + net->param_count, v, bytes);
        }
        err = initnn_net_set_optimizer(net, &o);
        if (bytes) {
            memcpy(m, keep, bytes);
            memcpy(v, keep + net->param_count, bytes);
        }
        INITNN_FREE(keep);
        if (err) {
            char message[sizeof initnn__error_message];
            memcpy(message, initnn__error_message, sizeof message);
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: bad optimizer: %s", r->path, message);
            goto fail;
        }
        net->opt.step = step;
        net->steps_taken = step;
    }
    net->rng.has_spare = 0;
    *out = net;
    return INITNN_OK;
fail:
    initnn_net_free(net);
    return err ? err : INITNN_ERR_FORMAT;
}

INITNNDEF int initnn_net_load(initnn_net **out, const char *path, int max_batch)
{
    initnn__reader r;
    unsigned char *data;
    size_t size;
    int err;
    if (!out) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_load: NULL output");
    *out = NULL;
    if (max_batch < 1) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_load: max_batch must be >= 1, got %d", max_batch);
    if ((err = initnn__read_file(path, &data, &size))) return err;
    memset(&r, 0, sizeof r);
    r.data = data;
    r.size = size;
    r.path = path;
    err = initnn__load(out, &r, max_batch);
    if (size >= 12) {
        /* The checksum is checked after the fields, so that a truncated file
           is told by the field it ends in (its offset and name), and a file
           whose fields all parse but whose bytes changed by the checksum. */
        const unsigned char *t = data + size - 4;
        uint32_t stored = (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
        uint32_t computed = initnn_crc32(0, data, size - 4);
        if (stored != computed && err == INITNN_OK) {
            initnn_net_free(*out);
            *out = NULL;
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: offset %lu: checksum mismatch (stored %08lx, computed %08lx): "
                               "the file is corrupt or truncated", path, (unsigned long)(size - 4), (unsigned long)stored,
                               (unsigned long)computed);
        } else if (stored != computed && err == INITNN_ERR_FORMAT) {
            char message[sizeof initnn__error_message];
            memcpy(message, initnn__error_message, sizeof message);
            initnn__fail(INITNN_ERR_FORMAT, "%s (and the checksum does not match: the file is truncated or corrupt)",
                         message);
        }
    }
    INITNN_FREE(data);
    return err;
}

INITNNDEF int initnn_net_load_into(initnn_net *net, const char *path)
{
    initnn_net *loaded;
    int err, i;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_load_into: NULL net");
    if ((err = initnn_net_load(&loaded, path, net->max_batch))) return err;
    if (loaded->input_dim != net->input_dim || loaded->layer_count != net->layer_count || loaded->loss != net->loss) {
        err = initnn__fail(INITNN_ERR_FORMAT, "%s: architecture differs: input %d, %d layers, loss %d in the file; "
                           "input %d, %d layers, loss %d in the net", path, loaded->input_dim, loaded->layer_count,
                           loaded->loss, net->input_dim, net->layer_count, net->loss);
        goto done;
    }
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *a = &loaded->layers[i], *b = &net->layers[i];
        if (a->type != b->type || a->in != b->in || a->out != b->out || a->activation != b->activation ||
            a->activation_param != b->activation_param || a->rate != b->rate || a->out_c != b->out_c ||
            a->out_h != b->out_h || a->kernel_h != b->kernel_h || a->kernel_w != b->kernel_w ||
            a->stride != b->stride || a->same_padding != b->same_padding || a->skip_from != b->skip_from ||
            a->has_scale != b->has_scale) {
            err = initnn__fail(INITNN_ERR_FORMAT, "%s: layer %d differs: %d->%d %s in the file, %d->%d %s in the net",
                               path, i, a->in, a->out, initnn_activation_name(a->activation), b->in, b->out,
                               initnn_activation_name(b->activation));
            goto done;
        }
    }
    if (net->param_count) {   /* else the arrays are NULL */
        memcpy(net->params_backup, loaded->params, net->param_count * sizeof(float));
        memcpy(net->params, loaded->params, net->param_count * sizeof(float));
        memcpy(net->opt_m, loaded->opt_m, net->param_count * sizeof(float));
        memcpy(net->opt_v, loaded->opt_v, net->param_count * sizeof(float));
    }
    for (i = 0; i < net->layer_count; i++)
        if (net->layers[i].type == INITNN_LAYER_BATCHNORM) {
            initnn_layer *l = &net->layers[i];
            memcpy(l->running_mean, loaded->layers[i].running_mean, (size_t)l->out_c * sizeof(float));
            memcpy(l->running_var, loaded->layers[i].running_var, (size_t)l->out_c * sizeof(float));
            l->momentum = loaded->layers[i].momentum;
            l->epsilon = loaded->layers[i].epsilon;
        }
    net->opt = loaded->opt;
    net->rng = loaded->rng;
    net->seed = loaded->seed;
    net->steps_taken = loaded->steps_taken;
    initnn__prep_clear(&net->prep);   /* the file's preprocessing moves over */
    net->prep = loaded->prep;
    memset(&loaded->prep, 0, sizeof loaded->prep);
    err = INITNN_OK;
done:
    initnn_net_free(loaded);
    return err;
}

/* ---- what a model was trained on ------------------------------------------ */

INITNNDEF int initnn_net_set_preprocessing(initnn_net *net, const float *mean, const float *std, float input_scale,
                                           const char *const *class_names, int class_count)
{
    initnn_preprocessing p;
    int j;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_preprocessing: NULL net");
    if (!mean != !std)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_preprocessing: mean and std go together (one is NULL)");
    if (!(input_scale > 0.0f && input_scale <= 3.0e38f))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_preprocessing: input_scale must be finite and > 0, "
                            "got %g", (double)input_scale);
    if (class_count < 0 || class_count > INITNN_MAX_ELEMENTS || (class_count > 0 && !class_names))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_preprocessing: %d class names%s", class_count,
                            class_count > 0 ? " but NULL names" : "");
    if (mean)
        for (j = 0; j < net->input_dim; j++)
            if (!initnn__all_finite(&mean[j], 1) || !initnn__all_finite(&std[j], 1) || !(std[j] > 0.0f))
                return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_preprocessing: feature %d has mean %g and std "
                                    "%g (need finite, std > 0)", j, (double)mean[j], (double)std[j]);
    for (j = 0; j < class_count; j++)
        if (!class_names[j])
            return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_set_preprocessing: class name %d is NULL", j);
    memset(&p, 0, sizeof p);
    p.input_scale = input_scale;
    if (mean) {
        p.mean = (float *)initnn__alloc_floats((size_t)net->input_dim);
        p.std = (float *)initnn__alloc_floats((size_t)net->input_dim);
        if (!p.mean || !p.std) goto out_of_memory;
        memcpy(p.mean, mean, (size_t)net->input_dim * sizeof(float));
        memcpy(p.std, std, (size_t)net->input_dim * sizeof(float));
    }
    if (class_count > 0) {
        p.class_names = (char **)initnn__alloc_array((size_t)class_count, sizeof(char *));
        if (!p.class_names) goto out_of_memory;
        memset(p.class_names, 0, (size_t)class_count * sizeof(char *));
        for (j = 0; j < class_count; j++) {
            size_t n = strlen(class_names[j]);
            p.class_names[j] = (char *)INITNN_MALLOC(n + 1);
            p.class_count = j + 1;
            if (!p.class_names[j]) goto out_of_memory;
            memcpy(p.class_names[j], class_names[j], n + 1);
        }
    }
    initnn__prep_clear(&net->prep);
    net->prep = p;
    return INITNN_OK;
out_of_memory:
    initnn__prep_clear(&p);
    return initnn__fail(INITNN_ERR_MEMORY, "initnn_net_set_preprocessing: out of memory");
}

INITNNDEF void initnn_net_preprocess(const initnn_net *net, float *x, int count)
{
    if (net && net->prep.mean) initnn_standardize_apply(x, count, net->input_dim, net->prep.mean, net->prep.std);
}

INITNNDEF int initnn_net_evaluate_raw(initnn_net *net, double *loss, double *metric, const initnn_data *data)
{
    initnn__batch_buffers bb;
    int err, start, *map = NULL;
    double loss_sum = 0.0, metric_sum = 0.0;
    if (!net) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_evaluate_raw: NULL net");
    if ((err = initnn__check_data(net, data, "initnn_net_evaluate_raw", "evaluation"))) return err;
    if (data->labels && data->class_names && net->prep.class_count > 0) {
        /* The data's class k is the net's class map[k], matched by name. */
        int k, j;
        map = (int *)initnn__alloc_array((size_t)(data->classes > 0 ? data->classes : 1), sizeof(int));
        if (!map) return initnn__fail(INITNN_ERR_MEMORY, "initnn_net_evaluate_raw: out of memory");
        for (k = 0; k < data->classes; k++) {
            for (j = 0; j < net->prep.class_count && strcmp(net->prep.class_names[j], data->class_names[k]); j++) {}
            if (j == net->prep.class_count) {
                INITNN_FREE(map);
                return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_evaluate_raw: class '%.60s' of the data is not "
                                    "one of the net's %d classes", data->class_names[k], net->prep.class_count);
            }
            map[k] = j;
        }
    }
    if ((err = initnn__batch_alloc(&bb, net))) { INITNN_FREE(map); return err; }
    for (start = 0; start < data->count; start += net->max_batch) {
        int batch = data->count - start < net->max_batch ? data->count - start : net->max_batch, i;
        const float *out;
        initnn_data_batch(bb.X, bb.labels, bb.targets, data, NULL, start, batch);
        initnn_net_preprocess(net, bb.X, batch);
        if (map)
            for (i = 0; i < batch; i++) bb.labels[i] = map[bb.labels[i]];
        out = initnn_net_forward(net, bb.X, batch, 0);
        loss_sum += (double)initnn_net_loss(net, bb.labels, bb.targets) * batch;
        metric_sum += initnn__metric(net, out, bb.labels, bb.targets, batch) * batch;
    }
    if (loss) *loss = loss_sum / data->count;
    if (metric) *metric = metric_sum / data->count;
    initnn__batch_free(&bb);
    INITNN_FREE(map);
    return INITNN_OK;
}

/* ---- NumPy .npy ----------------------------------------------------------- */

INITNNDEF int initnn_npy_write(const char *path, const float *data, int ndim, const int *shape)
{
    char header[256];
    int len, i, err;
    int64_t count = 1;
    initnn__writer w;
    initnn_file out;
    if (!path || !data || !shape) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_npy_write: NULL argument");
    if (ndim < 1 || ndim > 8) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_npy_write: ndim %d not in 1..8", ndim);
    len = snprintf(header, sizeof header, "{'descr': '<f4', 'fortran_order': False, 'shape': (");
    for (i = 0; i < ndim; i++) {
        if (shape[i] < 1) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_npy_write: shape[%d] = %d", i, shape[i]);
        count *= shape[i];
        if (count > INITNN_MAX_ELEMENTS) return initnn__fail(INITNN_ERR_OVERFLOW, "initnn_npy_write: shape too large");
        len += snprintf(header + len, sizeof header - (size_t)len, ndim == 1 ? "%d," : i ? ", %d" : "%d", shape[i]);
    }
    len += snprintf(header + len, sizeof header - (size_t)len, "), }");
    /* Pad with spaces and end with '\n' so that the data starts on a
       64-byte boundary (format 1.0: 10 bytes of preamble). */
    while ((10 + len + 1) % 64 != 0) header[len++] = ' ';
    header[len++] = '\n';
    if ((err = initnn_file_begin(&out, path))) return err;
    w.file = out.stream;
    w.crc = 0;
    w.failed = 0;
    initnn__put(&w, "\x93NUMPY\x01\x00", 8);
    {
        unsigned char hl[2];
        hl[0] = (unsigned char)(len & 0xff);
        hl[1] = (unsigned char)(len >> 8);
        initnn__put(&w, hl, 2);
    }
    initnn__put(&w, header, (size_t)len);
    initnn__put_f32_array(&w, data, (size_t)count);
    out.error = w.failed;
    return initnn_file_commit(&out);
}

/* Finds 'key': in the header dict and returns the text after the colon. */
static const char *initnn__npy_field(const char *header, const char *key)
{
    const char *p = strstr(header, key);
    if (!p) return NULL;
    p += strlen(key);
    while (*p == ' ' || *p == ':') p++;
    return p;
}

INITNNDEF int initnn_npy_read(float **out, int *ndim_out, int shape[8], const char *path)
{
    unsigned char *file;
    size_t size, header_len, offset, count = 1, i;
    char *header = NULL;
    const char *p;
    int err, f8 = 0, ndim = 0, dims[8];
    float *data;
    if (!out || !ndim_out || !shape) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_npy_read: NULL output");
    *out = NULL;
    if ((err = initnn__read_file(path, &file, &size))) return err;
    err = INITNN_ERR_FORMAT;
    if (size < 10 || memcmp(file, "\x93NUMPY", 6) != 0) {
        initnn__fail(err, "%s: offset 0: not a .npy file (bad magic)", path);
        goto done;
    }
    if (file[6] == 1) { header_len = (size_t)file[8] | (size_t)file[9] << 8; offset = 10; }
    else if ((file[6] == 2 || file[6] == 3) && size >= 12) {
        header_len = (size_t)file[8] | (size_t)file[9] << 8 | (size_t)file[10] << 16 | (size_t)file[11] << 24;
        offset = 12;
    } else {
        initnn__fail(err, "%s: offset 6: unsupported .npy version %d.%d", path, file[6], file[7]);
        goto done;
    }
    if (header_len > size - offset) {
        initnn__fail(err, "%s: offset %lu: header of %lu bytes runs past the end", path, (unsigned long)offset,
                     (unsigned long)header_len);
        goto done;
    }
    header = (char *)INITNN_MALLOC(header_len + 1);
    if (!header) { err = initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", path); goto done; }
    memcpy(header, file + offset, header_len);
    header[header_len] = '\0';
    p = initnn__npy_field(header, "'descr'");
    if (p && !strncmp(p, "'<f4'", 5)) f8 = 0;
    else if (p && !strncmp(p, "'<f8'", 5)) f8 = 1;
    else { initnn__fail(err, "%s: only little-endian float32 or float64 arrays ('<f4', '<f8') are read", path); goto done; }
    p = initnn__npy_field(header, "'fortran_order'");
    if (!p || strncmp(p, "False", 5) != 0) {
        initnn__fail(err, "%s: only C-order arrays are read (fortran_order must be False)", path);
        goto done;
    }
    p = initnn__npy_field(header, "'shape'");
    if (!p || *p != '(') { initnn__fail(err, "%s: header has no shape tuple", path); goto done; }
    p++;
    for (;;) {
        char *end;
        long d;
        while (*p == ' ') p++;
        if (*p == ')') break;
        if (ndim == 8) { initnn__fail(err, "%s: more than 8 dimensions", path); goto done; }
        errno = 0;
        d = strtol(p, &end, 10);   /* ERANGE: a 32-bit long saturates at 2^31 - 1 */
        if (end == p || errno == ERANGE || d < 0 || d > INITNN_MAX_ELEMENTS) { initnn__fail(err, "%s: bad dimension in shape", path); goto done; }
        if (d > 0 && count > (size_t)INITNN_MAX_ELEMENTS / (size_t)d) {
            err = initnn__fail(INITNN_ERR_OVERFLOW, "%s: shape has more than %d elements", path, INITNN_MAX_ELEMENTS);
            goto done;
        }
        count *= (size_t)d;
        dims[ndim++] = (int)d;
        p = end;
        while (*p == ' ') p++;
        if (*p == ',') p++;
        else if (*p != ')') { initnn__fail(err, "%s: bad shape tuple", path); goto done; }
    }
    offset += header_len;
    if (count > (size - offset) / (f8 ? 8 : 4)) {
        initnn__fail(err, "%s: offset %lu: data needs %lu bytes, %lu remain", path, (unsigned long)offset,
                     (unsigned long)(count * (f8 ? 8 : 4)), (unsigned long)(size - offset));
        goto done;
    }
    data = (float *)initnn__alloc_floats(count);
    if (!data) { err = initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", path); goto done; }
    for (i = 0; i < count; i++) {
        const unsigned char *b = file + offset + i * (f8 ? 8 : 4);
        if (f8) {
            uint64_t u = 0;
            double x;
            int k;
            for (k = 7; k >= 0; k--) u = u << 8 | b[k];
            memcpy(&x, &u, 8);
            data[i] = (float)x;
        } else {
            uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
            memcpy(&data[i], &u, 4);
        }
    }
    *out = data;
    *ndim_out = ndim;
    for (i = 0; i < (size_t)ndim; i++) shape[i] = dims[i];
    err = INITNN_OK;
done:
    INITNN_FREE(header);
    INITNN_FREE(file);
    return err;
}

/* Writes dir/layerNNN_NAME.npy of count floats with the given shape (the
   product of whose ndim entries is count); nothing for count 0. */
static int initnn__export_array(char *path, size_t path_size, const char *dir, const char *sep, int index,
                                const char *name, const float *data, size_t count, int ndim, const int *shape)
{
    if (count == 0) return INITNN_OK;
    snprintf(path, path_size, "%s%slayer%03d_%s.npy", dir, sep, index, name);
    return initnn_npy_write(path, data, ndim, shape);
}

INITNNDEF int initnn_net_export_npy(const initnn_net *net, const char *dir)
{
    size_t dir_len, path_size;
    const char *sep;
    char *path;
    int i, err = INITNN_OK;
    if (!net || !dir) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_export_npy: NULL %s", net ? "dir" : "net");
    dir_len = strlen(dir);
    if (dir_len == 0) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_net_export_npy: empty directory name");
    sep = dir[dir_len - 1] == '/' || dir[dir_len - 1] == '\\' ? "" : "/";
    path_size = dir_len + 64;   /* "/layer" + 3 or more digits + "_res_projection.npy" and more */
    path = (char *)INITNN_MALLOC(path_size);
    if (!path) return initnn__fail(INITNN_ERR_MEMORY, "initnn_net_export_npy: out of memory");
    for (i = 0; i < net->layer_count && !err; i++) {
        const initnn_layer *l = &net->layers[i];
        int shape[4];
        size_t n;
        switch (l->type) {
        case INITNN_LAYER_DENSE:
            shape[0] = l->in;
            shape[1] = l->out;
            err = initnn__export_array(path, path_size, dir, sep, i, "dense_kernel", l->W, l->weight_count, 2, shape);
            if (!err) err = initnn__export_array(path, path_size, dir, sep, i, "dense_bias", l->b, l->bias_count, 1, &l->out);
            break;
        case INITNN_LAYER_CONV2D:
            shape[0] = l->in_c;
            shape[1] = l->kernel_h;
            shape[2] = l->kernel_w;
            shape[3] = l->out_c;
            err = initnn__export_array(path, path_size, dir, sep, i, "conv_kernel", l->W, l->weight_count, 4, shape);
            if (!err) err = initnn__export_array(path, path_size, dir, sep, i, "conv_bias", l->b, l->bias_count, 1, &l->out_c);
            break;
        case INITNN_LAYER_BATCHNORM:
            n = (size_t)l->out_c;
            err = initnn__export_array(path, path_size, dir, sep, i, "bn_gamma", l->b, n, 1, &l->out_c);
            if (!err) err = initnn__export_array(path, path_size, dir, sep, i, "bn_beta", l->b + n, n, 1, &l->out_c);
            if (!err) err = initnn__export_array(path, path_size, dir, sep, i, "bn_running_mean", l->running_mean, n, 1, &l->out_c);
            if (!err) err = initnn__export_array(path, path_size, dir, sep, i, "bn_running_var", l->running_var, n, 1, &l->out_c);
            break;
        case INITNN_LAYER_LAYERNORM:
            n = (size_t)l->out;
            err = initnn__export_array(path, path_size, dir, sep, i, "ln_gamma", l->b, n, 1, &l->out);
            if (!err) err = initnn__export_array(path, path_size, dir, sep, i, "ln_beta", l->b + n, n, 1, &l->out);
            break;
        case INITNN_LAYER_RESIDUAL:
            shape[1] = l->out_c;
            shape[0] = l->projection_count ? (int)(l->projection_count / (size_t)l->out_c) : 0;
            err = initnn__export_array(path, path_size, dir, sep, i, "res_projection", l->b, l->projection_count, 2, shape);
            shape[0] = 1;
            if (!err && l->has_scale)
                err = initnn__export_array(path, path_size, dir, sep, i, "res_alpha", l->b + l->projection_count, 1, 1, shape);
            break;
        default:   /* dropout, pooling, flatten: no state */
            break;
        }
    }
    INITNN_FREE(path);
    return err;
}


/* ////////////////////////////////////////////////////////////////////////////
   14. Plots (SVG)
   //////////////////////////////////////////////////////////////////////////// */

static int initnn__finite_d(double x) { return x - x == 0.0; }

/* A value a chart can place: finite and within +-1e300, so that the
   difference of any two (the data's range) and its padding stay finite.
   Anything else (NaN, Inf, -DBL_MAX) is a missing point. */
static int initnn__plottable_d(double x) { return x - x == 0.0 && fabs(x) <= 1e300; }

static double initnn__clamp_d(double x, double lo, double hi) { return x < lo ? lo : x > hi ? hi : x; }

/* Writes text with the five XML special characters escaped. */
static void initnn__svg_text(FILE *file, const char *text)
{
    for (; text && *text; text++) {
        switch (*text) {
        case '&': fputs("&amp;", file); break;
        case '<': fputs("&lt;", file); break;
        case '>': fputs("&gt;", file); break;
        case '"': fputs("&quot;", file); break;
        case '\'': fputs("&apos;", file); break;
        default: fputc(*text, file); break;
        }
    }
}

/* Widens [lo, hi] to at least a millionth of its magnitude, so that a tick
   step stays far above the spacing of doubles there: for y = 1 and
   1 + 2^-52 the step would add nothing and the tick loop never end. And
   to at least 1e-290: around 0 a millionth of subnormal values is 0, and
   the tick step of a range of 4e-324 would underflow to 0 as well. */
static void initnn__widen_range(double *lo, double *hi)
{
    double need = 1e-6 * (fabs(*lo) + fabs(*hi));
    if (need < 1e-290) need = 1e-290;
    if (*hi - *lo < need) {
        double mid = *lo + (*hi - *lo) / 2;
        *lo = mid - need;
        *hi = mid + need;
    }
}

/* A tick step of 1, 2 or 5 times a power of ten giving about 5 to 10 ticks. */
static double initnn__nice_step(double span)
{
    double raw = span / 6.0, power = pow(10.0, floor(log10(raw))), f = raw / power;
    return (f < 1.5 ? 1.0 : f < 3.5 ? 2.0 : f < 7.5 ? 5.0 : 10.0) * power;
}

/* The width in pixels of text set at font_size, from the advance widths of
   DejaVu Sans (thousandths of an em, characters 32..126); any other UTF-8
   character counts a full em, more than it needs in any common font. */
static double initnn__text_width(const char *text, double font_size)
{
    static const unsigned short em_thousandths[95] = {
        318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361, 318, 337, /*  !"#$%&'()*+,-./ */
        636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337, 838, 838, 838, 531, /* 0-9 :;<=>?      */
        1000, 684, 686, 698, 770, 632, 575, 775, 752, 295, 295, 656, 557, 863, 748, 787, /* @A-O            */
        603, 787, 695, 635, 611, 732, 684, 989, 685, 611, 685, 390, 337, 390, 838, 500,  /* P-Z [\]^_       */
        500, 613, 635, 550, 635, 615, 352, 635, 634, 278, 278, 579, 278, 974, 634, 612,  /* `a-o            */
        635, 635, 411, 521, 392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838        /* p-z {|}~        */
    };
    double thousandths = 0.0;
    for (; text && *text; text++) {
        unsigned char c = (unsigned char)*text;
        if (c >= 32 && c <= 126) thousandths += em_thousandths[c - 32];
        else if (c >= 0xC0 || c < 0x80) thousandths += 1000.0;   /* a lead byte or a control character */
    }
    return thousandths * font_size / 1000.0;
}

INITNNDEF int initnn_plot_svg(const char *path, const initnn_plot *plot, const initnn_plot_series *series,
                              int series_count)
{
    return initnn_plot_svg_styled(path, plot, series, NULL, series_count);
}

INITNNDEF int initnn_plot_svg_styled(const char *path, const initnn_plot *plot, const initnn_plot_series *series,
                                     const initnn_plot_style *styles, int series_count)
{
    static const char *const colors[10] = {
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"
    };
    FILE *file;
    initnn_file out;
    int width, height, s, i, err, log_y, any = 0, fixed_y, picture_w, picture_h;
    double x_min = HUGE_VAL, x_max = -HUGE_VAL, y_min = HUGE_VAL, y_max = -HUGE_VAL, step, t;
    const double left = 78.0, right = 170.0, top = 44.0, bottom = 56.0;
    double plot_w, plot_h, legend_w = right, legend_h;
    const char *clip;
    if (!path || !plot || (!series && series_count > 0))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_plot_svg: NULL argument");
    if (series_count < 0 || series_count > 64)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_plot_svg: %d series (0..64)", series_count);
    width = plot->width > 0 ? plot->width : 720;
    height = plot->height > 0 ? plot->height : 440;
    log_y = plot->log_y;
    plot_w = width - left - right;
    plot_h = height - top - bottom;
    if (plot_w < 50 || plot_h < 50) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_plot_svg: %d x %d is too small", width, height);
    fixed_y = plot->y_min != 0.0 || plot->y_max != 0.0;
    if (fixed_y && !(initnn__finite_d(plot->y_max - plot->y_min) && plot->y_min < plot->y_max &&
                     (!log_y || plot->y_min > 0.0)))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_plot_svg: y range [%g, %g] (want y_min < y_max%s)",
                            plot->y_min, plot->y_max, log_y ? ", both > 0 on a log axis" : "");

    /* The legend: a row of 18 pixels per series, a 20-pixel line and the
       label 40 pixels right of the plot, 12 pixels to spare after it. Long
       labels or many series grow the picture, never the legend's cut. */
    for (s = 0; s < series_count; s++) {
        double need = 40.0 + initnn__text_width(series[s].label, 12.0) + 12.0;
        if (need > legend_w) legend_w = need > 20000.0 ? 20000.0 : need;
    }
    legend_h = 10.0 + 18.0 * series_count + 10.0;
    picture_w = width + (int)ceil(legend_w - right);
    picture_h = legend_h > plot_h + bottom ? (int)ceil(top + legend_h) : height;

    /* The data range, over points and bands; log axes work on log10 y. */
    for (s = 0; s < series_count; s++) {
        const initnn_plot_series *p = &series[s];
        if (p->n > 0 && (!p->x || !p->y)) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_plot_svg: series %d has no data", s);
        for (i = 0; i < p->n; i++) {
            double ys[3];
            int k;
            if (!initnn__plottable_d(p->x[i])) continue;
            ys[0] = p->y[i];
            ys[1] = p->y_low ? p->y_low[i] : p->y[i];
            ys[2] = p->y_high ? p->y_high[i] : p->y[i];
            for (k = 0; k < 3; k++) {
                double y = ys[k];
                if (log_y) { if (!(y > 0.0)) continue; y = log10(y); }
                if (!initnn__plottable_d(y)) continue;
                if (y < y_min) y_min = y;
                if (y > y_max) y_max = y;
                any = 1;
            }
            if (p->x[i] < x_min) x_min = p->x[i];
            if (p->x[i] > x_max) x_max = p->x[i];
        }
    }
    if (!any) { x_min = 0.0; x_max = 1.0; y_min = 0.0; y_max = 1.0; }
    if (x_max <= x_min) { x_min -= 0.5; x_max += 0.5; }
    if (y_max <= y_min) { double pad = y_min != 0.0 ? fabs(y_min) * 0.1 : 0.5; y_min -= pad; y_max += pad; }
    initnn__widen_range(&x_min, &x_max);
    initnn__widen_range(&y_min, &y_max);
    if (fixed_y) {
        /* The caller's range as it is: no padding, no rounding to decades. */
        y_min = log_y ? log10(plot->y_min) : plot->y_min;
        y_max = log_y ? log10(plot->y_max) : plot->y_max;
        initnn__widen_range(&y_min, &y_max);
    } else if (log_y) {
        y_min = floor(y_min); y_max = ceil(y_max); if (y_max <= y_min) y_max = y_min + 1.0;
    } else {
        double pad = 0.04 * (y_max - y_min); y_min -= pad; y_max += pad;
    }

    if ((err = initnn_file_begin(&out, path))) return err;
    file = out.stream;
    /* With a fixed y range a point may lie far off the plot: its pixel row
       is held within 1e5 pixels of it (a bend of the line well below a
       hundredth of a pixel where it crosses the plot's edge), and what lies
       outside is clipped. */
#define INITNN__PX(x) (left + ((x) - x_min) / (x_max - x_min) * plot_w)
#define INITNN__PY(y) \
    initnn__clamp_d(top + (1.0 - ((y) - y_min) / (y_max - y_min)) * plot_h, top - 1e5, top + plot_h + 1e5)
#define INITNN__COLOR(s) colors[styles ? ((styles[s].color % 10) + 10) % 10 : (s) % 10]
    fprintf(file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"%d\" "
            "viewBox=\"0 0 %d %d\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n",
            picture_w, picture_h, picture_w, picture_h);
    fprintf(file, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"white\"/>\n", picture_w, picture_h);
    clip = "";
    if (fixed_y) {
        fprintf(file, "<defs><clipPath id=\"initnn-plot-area\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"%.1f\"/></clipPath></defs>\n", left, top, plot_w, plot_h);
        clip = " clip-path=\"url(#initnn-plot-area)\"";
    }
    fprintf(file, "<text x=\"%.1f\" y=\"24\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">",
            left + plot_w / 2);
    initnn__svg_text(file, plot->title);
    fprintf(file, "</text>\n");

    /* Grid and ticks. */
    fprintf(file, "<g stroke=\"#dddddd\" stroke-width=\"1\">\n");
    step = initnn__nice_step(x_max - x_min);
    if (plot->integer_x && step < 1.0) step = 1.0;
    for (t = ceil(x_min / step) * step; t <= x_max + 1e-9 * step; t += step)
        fprintf(file, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", INITNN__PX(t), top, INITNN__PX(t), top + plot_h);
    {
        double ystep = log_y ? (y_max - y_min > 8 ? ceil((y_max - y_min) / 8) : 1.0) : initnn__nice_step(y_max - y_min);
        for (t = ceil(y_min / ystep) * ystep; t <= y_max + 1e-9 * ystep; t += ystep)
            fprintf(file, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", left, INITNN__PY(t), left + plot_w, INITNN__PY(t));
        fprintf(file, "</g>\n<g fill=\"#333333\">\n");
        for (t = ceil(y_min / ystep) * ystep; t <= y_max + 1e-9 * ystep; t += ystep) {
            double shown = fabs(t) < 1e-12 * ystep ? 0.0 : t;
            if (log_y) fprintf(file, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">1e%d</text>\n", left - 6, INITNN__PY(t) + 4, (int)floor(shown + 0.5));
            else fprintf(file, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%g</text>\n", left - 6, INITNN__PY(t) + 4, shown);
        }
    }
    for (t = ceil(x_min / step) * step; t <= x_max + 1e-9 * step; t += step) {
        double shown = fabs(t) < 1e-12 * step ? 0.0 : t;
        fprintf(file, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%g</text>\n", INITNN__PX(t), top + plot_h + 18, shown);
    }
    fprintf(file, "</g>\n");
    fprintf(file, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333333\"/>\n",
            left, top, plot_w, plot_h);
    fprintf(file, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", left + plot_w / 2, top + plot_h + bottom - 14);
    initnn__svg_text(file, plot->x_label);
    fprintf(file, "</text>\n<text transform=\"translate(18,%.1f) rotate(-90)\" text-anchor=\"middle\">", top + plot_h / 2);
    initnn__svg_text(file, plot->y_label);
    fprintf(file, "</text>\n");

    /* Bands first, so every line is drawn over every band. A band or line
       is split wherever a point is missing. */
    for (s = 0; s < series_count; s++) {
        const initnn_plot_series *p = &series[s];
        int start = 0;
        if (!p->y_low || !p->y_high) continue;
        while (start < p->n) {
            int end = start, k;
            while (end < p->n && initnn__plottable_d(p->x[end]) && initnn__plottable_d(p->y_low[end]) &&
                   initnn__plottable_d(p->y_high[end]) && (!log_y || (p->y_low[end] > 0 && p->y_high[end] > 0)))
                end++;
            if (end - start >= 2) {
                fprintf(file, "<polygon fill=\"%s\" fill-opacity=\"0.18\" stroke=\"none\"%s points=\"",
                        INITNN__COLOR(s), clip);
                for (k = start; k < end; k++)
                    fprintf(file, "%.2f,%.2f ", INITNN__PX(p->x[k]), INITNN__PY(log_y ? log10(p->y_high[k]) : p->y_high[k]));
                for (k = end - 1; k >= start; k--)
                    fprintf(file, "%.2f,%.2f ", INITNN__PX(p->x[k]), INITNN__PY(log_y ? log10(p->y_low[k]) : p->y_low[k]));
                fprintf(file, "\"/>\n");
            }
            start = end + 1;
        }
    }
    for (s = 0; s < series_count; s++) {
        const initnn_plot_series *p = &series[s];
        int start = 0, k, dashed = styles && styles[s].dashed, markers = styles ? styles[s].markers : plot->markers;
        fprintf(file, "<g stroke=\"%s\" fill=\"%s\"%s>\n", INITNN__COLOR(s), INITNN__COLOR(s), clip);
        while (start < p->n) {
            int end = start;
            while (end < p->n && initnn__plottable_d(p->x[end]) && initnn__plottable_d(p->y[end]) && (!log_y || p->y[end] > 0))
                end++;
            if (end - start >= 2) {
                fprintf(file, "<polyline fill=\"none\" stroke-width=\"2\"%s points=\"",
                        dashed ? " stroke-dasharray=\"6,4\"" : "");
                for (k = start; k < end; k++)
                    fprintf(file, "%.2f,%.2f ", INITNN__PX(p->x[k]), INITNN__PY(log_y ? log10(p->y[k]) : p->y[k]));
                fprintf(file, "\"/>\n");
            }
            if (markers || end - start == 1)
                for (k = start; k < end; k++)
                    fprintf(file, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"2.5\" stroke=\"none\"/>\n", INITNN__PX(p->x[k]),
                            INITNN__PY(log_y ? log10(p->y[k]) : p->y[k]));
            start = end + 1;
        }
        fprintf(file, "</g>\n");
        /* Legend entry. */
        fprintf(file, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"3\"%s/>\n",
                left + plot_w + 14, top + 10 + 18.0 * s, left + plot_w + 34, top + 10 + 18.0 * s, INITNN__COLOR(s),
                dashed ? " stroke-dasharray=\"6,4\"" : "");
        fprintf(file, "<text x=\"%.1f\" y=\"%.1f\">", left + plot_w + 40, top + 14 + 18.0 * s);
        initnn__svg_text(file, p->label ? p->label : "");
        fprintf(file, "</text>\n");
    }
    fprintf(file, "</svg>\n");
#undef INITNN__PX
#undef INITNN__PY
#undef INITNN__COLOR
    return initnn_file_commit(&out);   /* checks every write (ferror) */
}


/* ////////////////////////////////////////////////////////////////////////////
   15. Images (optional)
   //////////////////////////////////////////////////////////////////////////// */

#ifdef INITNN_WITH_STB

/* Area-averaging resample of src (sw x sh) onto dst (dw x dh): every target
   pixel is the mean of the source over its footprint, weighted by overlap. */
static void initnn__resample(float *dst, int dw, int dh, const float *src, int sw, int sh, int stride)
{
    int x, y, sx, sy;
    double fx = (double)sw / dw, fy = (double)sh / dh;
    for (y = 0; y < dh; y++)
        for (x = 0; x < dw; x++) {
            double x0 = x * fx, x1 = (x + 1) * fx, y0 = y * fy, y1 = (y + 1) * fy, sum = 0.0, area = 0.0;
            for (sy = (int)y0; sy < sh && sy < y1; sy++) {
                double oy = (sy + 1 < y1 ? sy + 1 : y1) - (sy > y0 ? sy : y0);
                for (sx = (int)x0; sx < sw && sx < x1; sx++) {
                    double ox = (sx + 1 < x1 ? sx + 1 : x1) - (sx > x0 ? sx : x0);
                    sum += ox * oy * src[(size_t)sy * stride + sx];
                    area += ox * oy;
                }
            }
            dst[(size_t)y * dw + x] = area > 0.0 ? (float)(sum / area) : 0.0f;
        }
}

INITNNDEF int initnn_image_to_mnist(float *out, const unsigned char *gray, int width, int height)
{
    float *img, box[20 * 20];
    double border = 0.0, middle = 0.0, lo, hi, mass = 0.0, cx = 0.0, cy = 0.0;
    int x, y, border_count = 0, middle_count = 0, invert, x0, x1, y0, y1, bw, bh, tw, th, ox, oy, err;
    size_t n = initnn__count2("initnn_image_to_mnist", "width", width, "height", height, &err), i;
    if (!n) return err;
    if (!out || !gray) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_image_to_mnist: NULL argument");
    img = (float *)initnn__alloc_floats(n);
    if (!img) return initnn__fail(INITNN_ERR_MEMORY, "initnn_image_to_mnist: out of memory");
    /* Ink on paper or chalk on a board? Compare the border with the middle. */
    for (y = 0; y < height; y++)
        for (x = 0; x < width; x++) {
            double v = gray[(size_t)y * width + x] / 255.0;
            if (x < width / 8 + 1 || x >= width - width / 8 - 1 || y < height / 8 + 1 || y >= height - height / 8 - 1) {
                border += v; border_count++;
            } else {
                middle += v; middle_count++;
            }
        }
    border /= border_count;
    middle = middle_count ? middle / middle_count : border;
    invert = border > middle;
    lo = 1.0; hi = 0.0;
    for (i = 0; i < n; i++) {
        img[i] = invert ? 1.0f - gray[i] / 255.0f : gray[i] / 255.0f;
        if (img[i] > hi) hi = img[i];
    }
    /* The background level: the border's, after inversion. */
    lo = invert ? 1.0 - border : border;
    if (!(hi - lo > 0.05)) {
        INITNN_FREE(img);
        return initnn__fail(INITNN_ERR_FORMAT, "initnn_image_to_mnist: the %d x %d image has no ink (contrast %.3f)",
                            width, height, hi - lo);
    }
    for (i = 0; i < n; i++) {
        double v = (img[i] - lo) / (hi - lo);
        img[i] = (float)(v < 0.0 ? 0.0 : v);
    }
    /* The ink's bounding box. */
    x0 = width; x1 = -1; y0 = height; y1 = -1;
    for (y = 0; y < height; y++)
        for (x = 0; x < width; x++)
            if (img[(size_t)y * width + x] > 0.1f) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
    if (x1 < 0) {
        INITNN_FREE(img);
        return initnn__fail(INITNN_ERR_FORMAT, "initnn_image_to_mnist: no ink found in the %d x %d image", width, height);
    }
    bw = x1 - x0 + 1;
    bh = y1 - y0 + 1;
    /* Longer side to 20 pixels, aspect kept. */
    if (bw >= bh) { tw = 20; th = (int)floor(20.0 * bh / bw + 0.5); if (th < 1) th = 1; }
    else { th = 20; tw = (int)floor(20.0 * bw / bh + 0.5); if (tw < 1) tw = 1; }
    initnn__resample(box, tw, th, img + (size_t)y0 * width + x0, bw, bh, width);
    INITNN_FREE(img);
    for (y = 0; y < th; y++)
        for (x = 0; x < tw; x++) {
            double v = box[y * tw + x];
            mass += v; cx += v * (x + 0.5); cy += v * (y + 0.5);
        }
    cx /= mass;
    cy /= mass;
    /* Place it so that the centre of mass lands on (14, 14). */
    ox = (int)floor(14.0 - cx + 0.5);
    oy = (int)floor(14.0 - cy + 0.5);
    for (i = 0; i < 784; i++) out[i] = 0.0f;
    for (y = 0; y < th; y++)
        for (x = 0; x < tw; x++) {
            int tx = x + ox, ty = y + oy;
            if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty * 28 + tx] = box[y * tw + x];
        }
    return INITNN_OK;
}

INITNNDEF int initnn_image_load_mnist(float *out, const char *path)
{
    int width, height, channels, err;
    unsigned char *rgba, *gray;
    size_t i, n;
    FILE *probe;
    if (!out || !path) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_image_load_mnist: NULL argument");
    if ((err = initnn__open_read(&probe, path))) return err;
    fclose(probe);
    rgba = stbi_load(path, &width, &height, &channels, 4);
    if (!rgba) return initnn__fail(INITNN_ERR_FORMAT, "%s: not a readable image (%s)", path, stbi_failure_reason());
    n = initnn__count2("initnn_image_load_mnist", "width", width, "height", height, &err);
    if (!n) { stbi_image_free(rgba); return err; }
    gray = (unsigned char *)INITNN_MALLOC(n);
    if (!gray) { stbi_image_free(rgba); return initnn__fail(INITNN_ERR_MEMORY, "%s: out of memory", path); }
    for (i = 0; i < n; i++) {
        const unsigned char *p = rgba + 4 * i;
        double a = p[3] / 255.0, y = 0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2];
        gray[i] = (unsigned char)floor(y * a + 255.0 * (1.0 - a) + 0.5);   /* over white paper */
    }
    stbi_image_free(rgba);
    err = initnn_image_to_mnist(out, gray, width, height);
    INITNN_FREE(gray);
    if (err) {
        char message[sizeof initnn__error_message];
        memcpy(message, initnn__error_message, sizeof message);
        return initnn__fail(err, "%s: %s", path, message);
    }
    return INITNN_OK;
}

/* stb's writer hands the PNG over in pieces; a short write is kept as the
   error of the whole file. */
static void initnn__png_piece(void *context, void *data, int size)
{
    initnn_file *out = (initnn_file *)context;
    if (out->error || size <= 0) return;
    errno = 0;
    if (fwrite(data, 1, (size_t)size, out->stream) != (size_t)size) out->error = errno ? errno : -1;
}

/* Writes an RGB buffer as PNG, all or nothing (initnn_file). */
static int initnn__write_png(const char *path, const unsigned char *rgb, int width, int height)
{
    initnn_file out;
    int err;
    if ((err = initnn_file_begin(&out, path))) return err;
    if (!stbi_write_png_to_func(initnn__png_piece, &out, width, height, 3, rgb, width * 3)) {
        initnn_file_abort(&out);
        return initnn__fail(INITNN_ERR_MEMORY, "%s: the PNG encoder failed (out of memory?); nothing was written", path);
    }
    return initnn_file_commit(&out);
}

INITNNDEF int initnn_image_write_weights_png(const char *path, const float *W, int fan_in, int units,
                                             int tile_h, int tile_w, int max_tiles)
{
    int tiles, cols, rows, width, height, t, x, y, err;
    unsigned char *rgb;
    double scale = 0.0;
    if (!path || !W) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_image_write_weights_png: NULL argument");
    if (fan_in < 1 || units < 1 || tile_h < 1 || tile_w < 1 || (int64_t)tile_h * tile_w != fan_in)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_image_write_weights_png: %d x %d tiles do not hold %d inputs",
                            tile_h, tile_w, fan_in);
    tiles = max_tiles > 0 && max_tiles < units ? max_tiles : units;
    cols = (int)ceil(sqrt((double)tiles));
    rows = (tiles - 1) / cols + 1;   /* tiles + cols would overflow at 2^31 - 1 */
    {
        /* In 64 bits: a tile of 2^31-1 rows must be an error, not a wrap-around. */
        int64_t w64 = (int64_t)cols * ((int64_t)tile_w + 2) + 2, h64 = (int64_t)rows * ((int64_t)tile_h + 2) + 2;
        if (w64 > INITNN_MAX_ELEMENTS / 3 || h64 > INITNN_MAX_ELEMENTS / 3 / w64)
            return initnn__fail(INITNN_ERR_OVERFLOW, "initnn_image_write_weights_png: a %lld x %lld image is too large",
                                (long long)w64, (long long)h64);
        width = (int)w64;
        height = (int)h64;
    }
    for (t = 0; t < tiles; t++)
        for (x = 0; x < fan_in; x++) {
            double v = fabs((double)W[(size_t)x * units + t]);
            if (v > scale && v - v == 0.0) scale = v;   /* the largest finite |w| */
        }
    if (scale == 0.0) scale = 1.0;
    rgb = (unsigned char *)INITNN_MALLOC((size_t)width * height * 3);
    if (!rgb) return initnn__fail(INITNN_ERR_MEMORY, "initnn_image_write_weights_png: out of memory");
    memset(rgb, 96, (size_t)width * height * 3);   /* gray gutters */
    for (t = 0; t < tiles; t++) {
        int left = 2 + (t % cols) * (tile_w + 2), top = 2 + (t / cols) * (tile_h + 2);
        for (y = 0; y < tile_h; y++)
            for (x = 0; x < tile_w; x++) {
                double v = W[((size_t)y * tile_w + x) * units + t] / scale, fade;
                unsigned char *p = rgb + 3 * ((size_t)(top + y) * width + left + x);
                /* Diverging: white at 0, red for +1, blue for -1; +-Inf
                   saturated, NaN black. */
                if (v != v) { p[0] = p[1] = p[2] = 0; continue; }
                if (v > 1.0) v = 1.0;
                if (v < -1.0) v = -1.0;
                fade = 1.0 - fabs(v);
                if (v > 0) { p[0] = 255; p[1] = p[2] = (unsigned char)(255.0 * fade); }
                else { p[2] = 255; p[0] = p[1] = (unsigned char)(255.0 * fade); }
            }
    }
    err = initnn__write_png(path, rgb, width, height);
    INITNN_FREE(rgb);
    return err;
}

/* 3 x 5 pixel digits, one row of 3 bits per byte, top row first. */
static const unsigned char initnn__digit_font[10][5] = {
    {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
    {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 2, 2, 2}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7}
};

INITNNDEF int initnn_image_write_samples_png(const char *path, const float *x, const int *predicted,
                                             const int *labels, int count, int tile_h, int tile_w)
{
    int cols, rows, width, height, i, px, py, err, cell_h;
    unsigned char *rgb;
    if (!path || !x) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_image_write_samples_png: NULL argument");
    if (count < 1 || tile_h < 1 || tile_w < 1 || (int64_t)tile_h * tile_w > INITNN_MAX_ELEMENTS)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_image_write_samples_png: %d samples of %d x %d", count, tile_h, tile_w);
    cols = (int)ceil(sqrt((double)count));
    rows = (count - 1) / cols + 1;   /* count + cols would overflow at 2^31 - 1 */
    {
        /* image, gap, a 2x-scaled 5-pixel digit and margins; in 64 bits */
        int64_t w64 = (int64_t)cols * ((int64_t)tile_w + 4) + 4, h64 = (int64_t)rows * ((int64_t)tile_h + 16) + 4;
        if (w64 > INITNN_MAX_ELEMENTS / 3 || h64 > INITNN_MAX_ELEMENTS / 3 / w64)
            return initnn__fail(INITNN_ERR_OVERFLOW, "initnn_image_write_samples_png: a %lld x %lld image is too large",
                                (long long)w64, (long long)h64);
        cell_h = tile_h + 16;
        width = (int)w64;
        height = (int)h64;
    }
    rgb = (unsigned char *)INITNN_MALLOC((size_t)width * height * 3);
    if (!rgb) return initnn__fail(INITNN_ERR_MEMORY, "initnn_image_write_samples_png: out of memory");
    memset(rgb, 40, (size_t)width * height * 3);
    for (i = 0; i < count; i++) {
        int left = 4 + (i % cols) * (tile_w + 4), top = 4 + (i / cols) * cell_h;
        const float *img = x + (size_t)i * tile_h * tile_w;
        for (py = 0; py < tile_h; py++)
            for (px = 0; px < tile_w; px++) {
                float v = img[py * tile_w + px];
                unsigned char g = (unsigned char)(255.0f * (!(v > 0.0f) ? 0.0f : v > 1.0f ? 1.0f : v));   /* NaN: 0 */
                unsigned char *p = rgb + 3 * ((size_t)(top + py) * width + left + px);
                p[0] = p[1] = p[2] = g;
            }
        if (predicted && predicted[i] >= 0 && predicted[i] <= 9) {
            const unsigned char *glyph = initnn__digit_font[predicted[i]];
            unsigned char r = 255, g = 255, b = 255;
            if (labels) { if (labels[i] == predicted[i]) { r = 80; g = 220; b = 80; } else { r = 240; g = 60; b = 60; } }
            for (py = 0; py < 10; py++)
                for (px = 0; px < 6; px++) {
                    if (glyph[py / 2] & (4 >> (px / 2))) {
                        unsigned char *p = rgb + 3 * ((size_t)(top + tile_h + 3 + py) * width + left + tile_w / 2 - 3 + px);
                        p[0] = r; p[1] = g; p[2] = b;
                    }
                }
        }
    }
    err = initnn__write_png(path, rgb, width, height);
    INITNN_FREE(rgb);
    return err;
}

#endif /* INITNN_WITH_STB */

/* ////////////////////////////////////////////////////////////////////////////
   16. Fast paths

   Everything above is the lesson: each layer, loss and optimizer as the
   plain loop of its formula. This section is what makes those loops fast,
   and nothing in it changes what they compute. The lessons reach it through
   these calls, each marked "16. Fast paths" where it is made:

      initnn__fast_gemm          the matrix products (initnn_matmul and its
                                 transposed forms): packed, cache-blocked,
                                 with AVX-512 / AVX2 / portable micro-kernels
      initnn__fast_conv_forward  a conv layer sample by sample as im2col and
      initnn__fast_conv_backward one product (forward), two products and
                                 col2im (backward), in place of the direct
                                 sums, the samples in slots shared by threads;
                                 im2col and col2im as vector permutes; a layer
                                 of few rows (a first layer) without packing
      initnn__fast_maxpool_2x2   the common 2 x 2 max pool as branch-free selects,
                                 16 windows at a time with AVX-512
      initnn__fast_conv_block_forward, _backward
                                 in initnn_net_train, a ReLU conv layer and
                                 the 2 x 2 max pool after it one sample at a
                                 time, in cache, without the conv layer's
                                 batch-wide z, y and dz
      initnn__fast_adam_lanes    Adam's update in vector lanes, in chunks
                                 shared by threads
      initnn__threads_begin,     the thread count of initnn_net_train, chosen
      initnn__threads_batch,     by the clock (and the kernel's count of
      initnn__threads_end        runnable tasks): one thread when another
                                 process holds a core and makes all slower

   and, defined in the configuration at the top because a loop must see it,
   INITNN__FOR_SAMPLES: the OpenMP pragma that shares a batch's samples
   between threads.

   With INITNN_REFERENCE defined none of this is compiled: every call above
   falls back to the lesson's own loop (the products to the naive triple
   loops), there are no intrinsics and no OpenMP pragmas. The two builds
   differ only by the rounding of different summation orders; the tests run
   in both and train the same net both ways.
   //////////////////////////////////////////////////////////////////////////// */

#ifndef INITNN_REFERENCE

/* ---- packed matrix products ---------------------------------------------------
   The scheme of GotoBLAS and BLIS (K. Goto and R. van de Geijn, "Anatomy of
   high-performance matrix multiplication", ACM TOMS 34(3), 2008). C is made
   of MR x NR tiles; a micro-kernel keeps one tile in registers while it runs
   down a depth of up to KC, broadcasting one element of A at a time against
   a row of NR elements of B. Around it, blocking for the caches:

     for jc over N, step NC               B panel, KC x NC: packed once per
       for pc over K, step kc <= KC         (jc, pc) into kc x NR slivers,
         pack B(pc.., jc..)                 zero-padded; it sits in L2, the
         for ic over M, step MC             sliver in use in L1
           pack A(ic.., pc..) or not      A block, MC x KC: MR-tall slivers
           for jr over the B slivers        of kc x MR, or A read in place
             for ir over the A slivers
               micro-kernel: C tile (+)= A sliver B sliver

   The three products differ only in how A and B are read: packing an operand
   stored the other way round is a transposition (8 x 8 blocks in registers
   on AVX), packing one stored the right way a copy. The micro-kernels take A
   with any row and column stride, so A is packed only where that pays (see
   initnn__pack_a). An edge sliver of at most NR/2 columns has its own SIMD
   kernel, twice as tall, so that N = 10 does not run at 10/NR of the speed;
   the portable build computes such a narrow C as C^T = B^T A^T instead.

   Summation order, the same whatever the thread count, the tile an element
   falls in or the kernel that computes it: K is cut into ceil(K / KC) blocks
   of near-equal depth (the cut depends on K alone); each block's products
   are summed in order of k into a float that starts at 0 (a fused
   multiply-add per term in the SIMD kernels; x * b + acc as the compiler
   compiles it in the portable one); the block sums are added to C in order
   of the blocks (the first is stored, unless accumulate is set). C^T = B^T
   A^T multiplies the same pairs (a b = b a exactly). Threads only share out
   tiles of C, so every element of C gets the same operations in the same
   order with 1 thread or 64.

   Memory: nothing is allocated. The B panel (KC NC floats, 256 KiB, shared
   by the threads) is on the caller's stack and each thread has an A block
   (MC KC floats, 128-132 KiB) on its own. */

/* MR x NR: the register tile. KC: depth of a block; MC x KC (A) and one
   KC x NR sliver of B stay in cache while the micro-kernel sweeps them. */
#if defined(INITNN__AVX512)
#define INITNN__MR 8       /* 8 x 32: 16 zmm accumulators                   */
#define INITNN__NR 32
#elif defined(INITNN__AVX2)
#define INITNN__MR 6       /* 6 x 16: 12 ymm accumulators                   */
#define INITNN__NR 16
#else
#define INITNN__MR 4       /* 4 x 32: see the portable micro-kernel        */
#define INITNN__NR 32
#endif
#define INITNN__KC 256
#define INITNN__MC (2 * INITNN__MR * ((128 + 2 * INITNN__MR - 1) / (2 * INITNN__MR)))
#define INITNN__NC 256     /* a multiple of NR                              */

/* A is read in place rather than packed when packing would not pay: when a
   panel of C has fewer than 2 NR columns (each A sliver is used once or
   twice), or when A has at most 2^18 elements (1 MiB, so that it stays in L2)
   and is stored as (M, K) or, stored as (K, M), has rows of at most 256
   floats: then the micro-kernel's reads of A are cheap, and packing it cost
   4-10% on the MLP shapes of bench/. Larger A, or A^T with long rows (pages
   apart from one k to the next), is packed. */
static int initnn__pack_a(int a_trans, int M, int K, int nc)
{
    if (nc < 2 * INITNN__NR) return 0;
    if ((double)M * (double)K > 262144.0) return 1;
    return a_trans && M > 256;
}

/* The blocks of at most MC rows that C's M rows are cut into: as few as
   fit, but a multiple of the thread count when there are more blocks than
   threads, so that each thread gets as many rows (784 rows in 7 blocks of
   128 gave two threads 512 and 272). Block k starts at row k M / blocks,
   rounded down to a multiple of MR. The cut decides no sum's order, only
   which thread computes a tile. */
static int initnn__row_blocks(int M, int nthreads)
{
    int blocks = (M + INITNN__MC - INITNN__MR - 1) / (INITNN__MC - INITNN__MR);   /* rounding adds < MR rows */
    if (M <= INITNN__MC) return 1;
    if (nthreads > 1 && blocks >= nthreads) blocks = (blocks + nthreads - 1) / nthreads * nthreads;
    return blocks;
}

static int initnn__row_block_start(int k, int blocks, int M)
{
    if (k >= blocks) return M;
    return (int)((int64_t)k * M / blocks) / INITNN__MR * INITNN__MR;
}

/* The micro-kernels are compiled on their own: inlined into the driver,
   clang no longer vectorizes the portable one. */
#if defined(__GNUC__) || defined(__clang__)
#define INITNN__NOINLINE __attribute__((noinline))
#else
#define INITNN__NOINLINE
#endif

/* A 64-byte aligned pointer into a buffer that has 16 floats to spare. */
static float *initnn__align64(float *p)
{
    return (float *)(((uintptr_t)p + 63u) & ~(uintptr_t)63u);
}

/* The width of a packed B sliver of nr <= NR columns: NR, or half of it for
   an edge sliver that the SIMD kernels then cover with one vector per row. */
#if defined(INITNN__AVX2)
#define INITNN__BW(nr) ((nr) <= INITNN__NR / 2 ? INITNN__NR / 2 : INITNN__NR)
#else
#define INITNN__BW(nr) INITNN__NR
#endif

#if defined(INITNN__AVX2)
/* Asks for the mr x nr tile of C to be brought into L1 while the kernel
   computes: with a large ldc its rows fall into the same cache set. */
static void initnn__prefetch_c(const float *c, ptrdiff_t ldc, int mr, int nr)
{
    int r;
    for (r = 0; r < mr; r++, c += ldc) {
        _mm_prefetch((const char *)c, _MM_HINT_T0);
        _mm_prefetch((const char *)(c + nr - 1), _MM_HINT_T0);
    }
}
#endif

/* dst[k*w + j] = src[k*ld + j] for k < kc, j < cols; zero for cols <= j < w. */
static void initnn__pack_copy(float *dst, int w, const float *src, ptrdiff_t ld, int cols, int kc)
{
    int k, j;
#if defined(INITNN__AVX512)
    if (w % 16 == 0 || (w == 8 && cols == 8)) {
        if (w == 8) {                      /* an A sliver: 8 floats a row */
            for (k = 0; k < kc; k++, src += ld, dst += 8) _mm256_storeu_ps(dst, _mm256_loadu_ps(src));
            return;
        }
        for (j = 0; j < w; j += 16) {
            const int n = cols - j;
            const __mmask16 m = (__mmask16)(n >= 16 ? 0xFFFFu : n > 0 ? (1u << n) - 1u : 0u);
            const float *s = src + j;
            float *d = dst + j;
            for (k = 0; k < kc; k++, s += ld, d += w)
                _mm512_storeu_ps(d, _mm512_maskz_loadu_ps(m, s));
        }
        return;
    }
#elif defined(INITNN__AVX2)
    if (w % 8 == 0) {
        const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        for (j = 0; j < w; j += 8) {
            const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - j), lanes);
            const float *s = src + j;
            float *d = dst + j;
            if (cols - j >= 8)
                for (k = 0; k < kc; k++, s += ld, d += w) _mm256_storeu_ps(d, _mm256_loadu_ps(s));
            else
                for (k = 0; k < kc; k++, s += ld, d += w) _mm256_storeu_ps(d, _mm256_maskload_ps(s, m));
        }
        return;
    }
#endif
    if (cols == w && w == INITNN__NR) {        /* constant trip counts: vectorized */
        for (k = 0; k < kc; k++, dst += INITNN__NR, src += ld)
            for (j = 0; j < INITNN__NR; j++) dst[j] = src[j];
        return;
    }
    if (cols == w && w == INITNN__MR) {
        for (k = 0; k < kc; k++, dst += INITNN__MR, src += ld)
            for (j = 0; j < INITNN__MR; j++) dst[j] = src[j];
        return;
    }
    for (k = 0; k < kc; k++, dst += w, src += ld) {
        for (j = 0; j < cols; j++) dst[j] = src[j];
        for (; j < w; j++) dst[j] = 0.0f;
    }
}

/* The transposition: dst[k*w + j] = src[j*ld + k] for k < kc, j < rows;
   zero for rows <= j < w. */
static void initnn__pack_trans(float *dst, int w, const float *src, ptrdiff_t ld, int rows, int kc)
{
    int k = 0, j = 0;
#if defined(INITNN__AVX2)
    /* 8 x 8 blocks through registers: 8 rows of src, 8 consecutive k. */
    for (j = 0; j + 8 <= rows; j += 8) {
        const float *s = src + (ptrdiff_t)j * ld;
        for (k = 0; k + 8 <= kc; k += 8) {
            __m256 r0 = _mm256_loadu_ps(s + k), r1 = _mm256_loadu_ps(s + ld + k);
            __m256 r2 = _mm256_loadu_ps(s + 2 * ld + k), r3 = _mm256_loadu_ps(s + 3 * ld + k);
            __m256 r4 = _mm256_loadu_ps(s + 4 * ld + k), r5 = _mm256_loadu_ps(s + 5 * ld + k);
            __m256 r6 = _mm256_loadu_ps(s + 6 * ld + k), r7 = _mm256_loadu_ps(s + 7 * ld + k);
            __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
            __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
            __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
            __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
            __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
            __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
            float *d = dst + (ptrdiff_t)k * w + j;
            _mm256_storeu_ps(d, _mm256_permute2f128_ps(u0, u4, 0x20));
            _mm256_storeu_ps(d + w, _mm256_permute2f128_ps(u1, u5, 0x20));
            _mm256_storeu_ps(d + 2 * w, _mm256_permute2f128_ps(u2, u6, 0x20));
            _mm256_storeu_ps(d + 3 * w, _mm256_permute2f128_ps(u3, u7, 0x20));
            _mm256_storeu_ps(d + 4 * w, _mm256_permute2f128_ps(u0, u4, 0x31));
            _mm256_storeu_ps(d + 5 * w, _mm256_permute2f128_ps(u1, u5, 0x31));
            _mm256_storeu_ps(d + 6 * w, _mm256_permute2f128_ps(u2, u6, 0x31));
            _mm256_storeu_ps(d + 7 * w, _mm256_permute2f128_ps(u3, u7, 0x31));
        }
        for (; k < kc; k++) {
            int i;
            for (i = 0; i < 8; i++) dst[(ptrdiff_t)k * w + j + i] = s[(ptrdiff_t)i * ld + k];
        }
    }
#endif
    for (; j < rows; j++) {
        const float *s = src + (ptrdiff_t)j * ld;
        for (k = 0; k < kc; k++) dst[(ptrdiff_t)k * w + j] = s[k];
    }
    for (; j < w; j++)
        for (k = 0; k < kc; k++) dst[(ptrdiff_t)k * w + j] = 0.0f;
}

/* The micro-kernels. C[r*ldc + j*ccs] = (or +=, when add) sum over k < kc of
   A(r, k) b[k*w + j], for r < mr, j < nr, where b is a packed sliver of width
   w = INITNN__BW(nr) and A(r, k) = a[r*a_rs + k*a_cs]. Rows mr <= r < MR are
   computed from a copy of row mr - 1 and not stored, so that A never has to
   be padded.

   The SIMD paths also have a narrow kernel for an edge sliver of at most
   NR/2 columns (one vector a row): it takes 2 MR rows, rows MR.. from a_hi, so
   that enough independent accumulators hide the latency of the FMAs. */
#if defined(INITNN__AVX512)

#define INITNN__NARROW 16
#define INITNN__ROWS8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define INITNN__ROWS16(X) INITNN__ROWS8(X) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define INITNN__DECL2(r) \
    const float *p##r = a + (ptrdiff_t)((r) < mr ? (r) : mr - 1) * a_rs; \
    __m512 c##r##0 = _mm512_setzero_ps(), c##r##1 = _mm512_setzero_ps();
#define INITNN__FMA2(r) \
    x = _mm512_set1_ps(p##r[ka]); \
    c##r##0 = _mm512_fmadd_ps(x, b0, c##r##0); \
    c##r##1 = _mm512_fmadd_ps(x, b1, c##r##1);
#define INITNN__STORE2(r) \
    if ((r) < mr) { \
        float *cr = c + (ptrdiff_t)(r) * ldc; \
        if (add) { \
            c##r##0 = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, cr), c##r##0); \
            c##r##1 = _mm512_add_ps(_mm512_maskz_loadu_ps(m1, cr + 16), c##r##1); \
        } \
        _mm512_mask_storeu_ps(cr, m0, c##r##0); \
        _mm512_mask_storeu_ps(cr + 16, m1, c##r##1); \
    }
#define INITNN__DECL1(r) \
    const float *p##r = ((r) < mr ? (r) : mr - 1) < 8 \
        ? a + (ptrdiff_t)((r) < mr ? (r) : mr - 1) * a_rs \
        : a_hi + (ptrdiff_t)(((r) < mr ? (r) : mr - 1) - 8) * a_rs; \
    __m512 c##r = _mm512_setzero_ps();
#define INITNN__FMA1(r) c##r = _mm512_fmadd_ps(_mm512_set1_ps(p##r[ka]), b0, c##r);
#define INITNN__STORE1(r) \
    if ((r) < mr) { \
        float *cr = c + (ptrdiff_t)(r) * ldc; \
        if (add) c##r = _mm512_add_ps(_mm512_maskz_loadu_ps(m0, cr), c##r); \
        _mm512_mask_storeu_ps(cr, m0, c##r); \
    }

/* 8 x 32: 16 accumulators. */
INITNN__NOINLINE
static void initnn__micro(int kc, const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                          const float *b, float *c, ptrdiff_t ldc, ptrdiff_t ccs, int mr, int nr,
                          int add)
{
    const __mmask16 m0 = (__mmask16)0xFFFFu;
    const __mmask16 m1 = (__mmask16)(nr >= 32 ? 0xFFFFu : (1u << (nr - 16)) - 1u);
    ptrdiff_t ka = 0;
    int k;
    INITNN__ROWS8(INITNN__DECL2)
    (void)ccs;                               /* 1: C^T is for the portable kernel */
    initnn__prefetch_c(c, ldc, mr, nr);
    for (k = 0; k < kc; k++, ka += a_cs, b += 32) {
        __m512 b0 = _mm512_loadu_ps(b), b1 = _mm512_loadu_ps(b + 16), x;
        INITNN__ROWS8(INITNN__FMA2)
    }
    INITNN__ROWS8(INITNN__STORE2)
}

/* 16 x 16 (nr <= 16): 16 accumulators. */
INITNN__NOINLINE
static void initnn__micro_narrow(int kc, const float *a, const float *a_hi, ptrdiff_t a_rs,
                                 ptrdiff_t a_cs, const float *b, float *c, ptrdiff_t ldc,
                                 int mr, int nr, int add)
{
    const __mmask16 m0 = (__mmask16)(nr >= 16 ? 0xFFFFu : (1u << nr) - 1u);
    ptrdiff_t ka = 0;
    int k;
    INITNN__ROWS16(INITNN__DECL1)
    initnn__prefetch_c(c, ldc, mr, nr);
    for (k = 0; k < kc; k++, ka += a_cs, b += 16) {
        __m512 b0 = _mm512_loadu_ps(b);
        INITNN__ROWS16(INITNN__FMA1)
    }
    INITNN__ROWS16(INITNN__STORE1)
}

/* A narrow C whose A holds its rows side by side (a_rs = 1: A^T in place,
   as X in the weight gradient X^T dY of a 10-class output layer): 32 rows
   in two vectors times up to 4 columns of B, one broadcast each, so that
   no lane idles (the 16 x 16 kernel above computes 16 columns for 10).
   Each element is summed over k in order with one FMA a term, from 0, and
   added to C last, as in the other kernels: the same bits. */
#if defined(__GNUC__) || defined(__clang__)
__attribute__((always_inline))   /* inlined with cols a constant, acc0 and acc1 are registers */
#endif
static inline void initnn__cols_body(int cols, int kc, const float *a, ptrdiff_t a_cs, const float *b,
                                     float *c, ptrdiff_t ldc, int mr, int add)
{
    const __mmask16 lo = (__mmask16)(mr >= 16 ? 0xFFFFu : (1u << mr) - 1u);
    const __mmask16 hi = (__mmask16)(mr >= 32 ? 0xFFFFu : mr <= 16 ? 0u : (1u << (mr - 16)) - 1u);
    __m512 acc0[4], acc1[4];
    float t[4][32];
    int j, k, r;
    for (j = 0; j < cols; j++) acc0[j] = acc1[j] = _mm512_setzero_ps();
    for (k = 0; k < kc; k++, a += a_cs, b += INITNN__NARROW) {
        __m512 x0 = _mm512_maskz_loadu_ps(lo, a), x1 = _mm512_maskz_loadu_ps(hi, a + 16);
        for (j = 0; j < cols; j++) {
            __m512 bj = _mm512_set1_ps(b[j]);
            acc0[j] = _mm512_fmadd_ps(x0, bj, acc0[j]);
            acc1[j] = _mm512_fmadd_ps(x1, bj, acc1[j]);
        }
    }
    for (j = 0; j < cols; j++) {
        _mm512_storeu_ps(t[j], acc0[j]);
        _mm512_storeu_ps(t[j] + 16, acc1[j]);
    }
    for (r = 0; r < mr; r++)
        for (j = 0; j < cols; j++) {
            float *cr = c + (ptrdiff_t)r * ldc + j;
            *cr = add ? *cr + t[j][r] : t[j][r];
        }
}

INITNN__NOINLINE
static void initnn__micro_cols(int kc, const float *a, ptrdiff_t a_cs, const float *b, float *c,
                               ptrdiff_t ldc, int mr, int nr, int add)
{
    int j = 0;
    for (; j + 4 <= nr; j += 4) initnn__cols_body(4, kc, a, a_cs, b + j, c + j, ldc, mr, add);
    if (nr - j >= 2) { initnn__cols_body(2, kc, a, a_cs, b + j, c + j, ldc, mr, add); j += 2; }
    if (nr - j == 1) initnn__cols_body(1, kc, a, a_cs, b + j, c + j, ldc, mr, add);
}
#define INITNN__HAVE_COLS 1

#undef INITNN__ROWS8
#undef INITNN__ROWS16
#undef INITNN__DECL2
#undef INITNN__FMA2
#undef INITNN__STORE2
#undef INITNN__DECL1
#undef INITNN__FMA1
#undef INITNN__STORE1

#elif defined(INITNN__AVX2)

#define INITNN__NARROW 8
#define INITNN__ROWS6(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define INITNN__ROWS12(X) INITNN__ROWS6(X) X(6) X(7) X(8) X(9) X(10) X(11)
#define INITNN__DECL2(r) \
    const float *p##r = a + (ptrdiff_t)((r) < mr ? (r) : mr - 1) * a_rs; \
    __m256 c##r##0 = _mm256_setzero_ps(), c##r##1 = _mm256_setzero_ps();
#define INITNN__FMA2(r) \
    x = _mm256_broadcast_ss(p##r + ka); \
    c##r##0 = _mm256_fmadd_ps(x, b0, c##r##0); \
    c##r##1 = _mm256_fmadd_ps(x, b1, c##r##1);
#define INITNN__STORE2(r) \
    if ((r) < mr) { \
        float *cr = c + (ptrdiff_t)(r) * ldc; \
        if (add) { \
            c##r##0 = _mm256_add_ps(_mm256_loadu_ps(cr), c##r##0); \
            c##r##1 = _mm256_add_ps(_mm256_maskload_ps(cr + 8, m1), c##r##1); \
        } \
        _mm256_storeu_ps(cr, c##r##0); \
        _mm256_maskstore_ps(cr + 8, m1, c##r##1); \
    }
#define INITNN__DECL1(r) \
    const float *p##r = ((r) < mr ? (r) : mr - 1) < 6 \
        ? a + (ptrdiff_t)((r) < mr ? (r) : mr - 1) * a_rs \
        : a_hi + (ptrdiff_t)(((r) < mr ? (r) : mr - 1) - 6) * a_rs; \
    __m256 c##r = _mm256_setzero_ps();
#define INITNN__FMA1(r) c##r = _mm256_fmadd_ps(_mm256_broadcast_ss(p##r + ka), b0, c##r);
#define INITNN__STORE1(r) \
    if ((r) < mr) { \
        float *cr = c + (ptrdiff_t)(r) * ldc; \
        if (add) c##r = _mm256_add_ps(_mm256_maskload_ps(cr, m0), c##r); \
        _mm256_maskstore_ps(cr, m0, c##r); \
    }

/* 6 x 16: 12 accumulators. */
INITNN__NOINLINE
static void initnn__micro(int kc, const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                          const float *b, float *c, ptrdiff_t ldc, ptrdiff_t ccs, int mr, int nr,
                          int add)
{
    const __m256i m1 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr - 8),
                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    ptrdiff_t ka = 0;
    int k;
    INITNN__ROWS6(INITNN__DECL2)
    (void)ccs;                               /* 1: C^T is for the portable kernel */
    initnn__prefetch_c(c, ldc, mr, nr);
    for (k = 0; k < kc; k++, ka += a_cs, b += 16) {
        __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8), x;
        INITNN__ROWS6(INITNN__FMA2)
    }
    INITNN__ROWS6(INITNN__STORE2)
}

/* 12 x 8 (nr <= 8): 12 accumulators. */
INITNN__NOINLINE
static void initnn__micro_narrow(int kc, const float *a, const float *a_hi, ptrdiff_t a_rs,
                                 ptrdiff_t a_cs, const float *b, float *c, ptrdiff_t ldc,
                                 int mr, int nr, int add)
{
    const __m256i m0 = _mm256_cmpgt_epi32(_mm256_set1_epi32(nr),
                                          _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    ptrdiff_t ka = 0;
    int k;
    INITNN__ROWS12(INITNN__DECL1)
    initnn__prefetch_c(c, ldc, mr, nr);
    for (k = 0; k < kc; k++, ka += a_cs, b += 8) {
        __m256 b0 = _mm256_loadu_ps(b);
        INITNN__ROWS12(INITNN__FMA1)
    }
    INITNN__ROWS12(INITNN__STORE1)
}

#undef INITNN__ROWS6
#undef INITNN__ROWS12
#undef INITNN__DECL2
#undef INITNN__FMA2
#undef INITNN__STORE2
#undef INITNN__DECL1
#undef INITNN__FMA1
#undef INITNN__STORE1

#else

#define INITNN__NARROW 0

/* Portable: 4 rows of 32. Written so that gcc and clang, at -O2 and -O3,
   vectorize the j loop (32 is a multiple of every vector width) and keep the
   four rows in vector registers or in L1; with 4 x 32 neither compiler turns
   the k loop into an in-order reduction, which smaller tiles can trigger in
   gcc -O3 at a tenth of the speed. */
INITNN__NOINLINE
static void initnn__micro(int kc, const float *a, ptrdiff_t a_rs, ptrdiff_t a_cs,
                          const float *b, float *c, ptrdiff_t ldc, ptrdiff_t ccs, int mr, int nr,
                          int add)
{
    float c0[INITNN__NR], c1[INITNN__NR], c2[INITNN__NR], c3[INITNN__NR];
    const float *rows[4];
    const float *p0 = a, *p1 = a + (1 < mr ? 1 : mr - 1) * a_rs;
    const float *p2 = a + (2 < mr ? 2 : mr - 1) * a_rs, *p3 = a + (3 < mr ? 3 : mr - 1) * a_rs;
    ptrdiff_t ka = 0;
    int i, j, k;
    for (j = 0; j < INITNN__NR; j++) c0[j] = c1[j] = c2[j] = c3[j] = 0.0f;
    for (k = 0; k < kc; k++, ka += a_cs, b += INITNN__NR) {
        const float x0 = p0[ka], x1 = p1[ka], x2 = p2[ka], x3 = p3[ka];
        for (j = 0; j < INITNN__NR; j++) {
            const float bj = b[j];
            c0[j] += x0 * bj;
            c1[j] += x1 * bj;
            c2[j] += x2 * bj;
            c3[j] += x3 * bj;
        }
    }
    rows[0] = c0; rows[1] = c1; rows[2] = c2; rows[3] = c3;
    for (i = 0; i < mr; i++) {
        float *ci = c + (ptrdiff_t)i * ldc;
        /* A sum that starts at +0 is never -0, so 0 + sum is the sum: the
           addition only keeps gcc from making the copy a slow rep movs. */
        for (j = 0; j < nr; j++) ci[j * ccs] = (add ? ci[j * ccs] : 0.0f) + rows[i][j];
    }
}

#endif

/* A product's operands, shared by the threads that compute it: element
   (i, k) of the logical A is A[i*lda + k] or, a_trans, A[k*lda + i]; element
   (k, j) of the logical B is B[k*ldb + j] or, b_trans, B[j*ldb + k];
   element (i, j) of C is C[i*ldc + j*ccs]. bp: the packed B panel. */
typedef struct initnn__gemm_job {
    float *C;
    ptrdiff_t ldc, ccs, lda, ldb;
    const float *A, *B;
    int a_trans, b_trans, M, K, N, accumulate, kcb;
    float *bp;
} initnn__gemm_job;

/* One panel of it: columns jc.. (nc of them, nsliv slivers of B) times the
   K block pc.. (kc deep), cut into nmb row blocks of nchunk work items. */
typedef struct initnn__gemm_panel {
    int jc, nc, pc, kc, add, pack_a, nsliv, nmb, nchunk;
} initnn__gemm_panel;

/* Packs sliver s of the panel's B. */
static void initnn__gemm_pack_sliver(const initnn__gemm_job *g, const initnn__gemm_panel *p, int s)
{
    const int j = s * INITNN__NR;
    const int nr = p->nc - j < INITNN__NR ? p->nc - j : INITNN__NR;
    float *dst = g->bp + (ptrdiff_t)j * p->kc;
    if (g->b_trans)
        initnn__pack_trans(dst, INITNN__BW(nr), g->B + (ptrdiff_t)(p->jc + j) * g->ldb + p->pc, g->ldb, nr, p->kc);
    else
        initnn__pack_copy(dst, INITNN__BW(nr), g->B + (ptrdiff_t)p->pc * g->ldb + p->jc + j, g->ldb, nr, p->kc);
}

/* Work item w of the panel: row block w / nchunk times a range of B's
   slivers, with the thread's A block ap. */
static void initnn__gemm_work(const initnn__gemm_job *g, const initnn__gemm_panel *p, float *ap, int w)
{
    float *C = g->C;
    const float *A = g->A, *bp = g->bp;
    const ptrdiff_t ldc = g->ldc, ccs = g->ccs, lda = g->lda;
    const int a_trans = g->a_trans, pack_a = p->pack_a, jc = p->jc, nc = p->nc, pc = p->pc, kc = p->kc;
    const int add = p->add;
    const int ic = initnn__row_block_start(w / p->nchunk, p->nmb, g->M);
    const int mc = initnn__row_block_start(w / p->nchunk + 1, p->nmb, g->M) - ic;
    const int s0 = (int)((long)p->nsliv * (w % p->nchunk) / p->nchunk);
    const int s1 = (int)((long)p->nsliv * (w % p->nchunk + 1) / p->nchunk);
    const float *ablk;
    ptrdiff_t a_rs, a_cs, a_step;
    int ir, jr;
    if (pack_a) {
        for (ir = 0; ir < mc; ir += INITNN__MR) {
            const int mr = mc - ir < INITNN__MR ? mc - ir : INITNN__MR;
            float *dst = ap + (ptrdiff_t)ir * kc;
            if (a_trans)
                initnn__pack_copy(dst, INITNN__MR, A + (ptrdiff_t)pc * lda + ic + ir, lda, mr, kc);
            else
                initnn__pack_trans(dst, INITNN__MR, A + (ptrdiff_t)(ic + ir) * lda + pc, lda, mr, kc);
        }
        ablk = ap;
        a_rs = 1;
        a_cs = INITNN__MR;
        a_step = kc;                       /* from one sliver to the next */
    } else if (a_trans) {
        ablk = A + (ptrdiff_t)pc * lda + ic;
        a_rs = 1;
        a_cs = lda;
        a_step = 1;
    } else {
        ablk = A + (ptrdiff_t)ic * lda + pc;
        a_rs = lda;
        a_cs = 1;
        a_step = lda;
    }
    for (jr = s0 * INITNN__NR; jr < s1 * INITNN__NR && jr < nc; jr += INITNN__NR) {
        const int nr = nc - jr < INITNN__NR ? nc - jr : INITNN__NR;
        const float *bs = bp + (ptrdiff_t)jr * kc;
#if INITNN__NARROW
        if (nr <= INITNN__NARROW) {
#if defined(INITNN__HAVE_COLS)
            if (a_rs == 1 && !pack_a) {   /* rows side by side: vectors down the rows */
                for (ir = 0; ir < mc; ir += 32) {
                    const int mr = mc - ir < 32 ? mc - ir : 32;
                    initnn__micro_cols(kc, ablk + ir, a_cs, bs, C + (ptrdiff_t)(ic + ir) * ldc + jc + jr,
                                       ldc, mr, nr, add);
                }
                continue;
            }
#endif
            for (ir = 0; ir < mc; ir += 2 * INITNN__MR) {
                const int mr = mc - ir < 2 * INITNN__MR ? mc - ir : 2 * INITNN__MR;
                const float *a1 = ablk + (ptrdiff_t)ir * a_step;
                const float *a2 = mr > INITNN__MR ? a1 + INITNN__MR * a_step : a1;
                initnn__micro_narrow(kc, a1, a2, a_rs, a_cs, bs,
                                     C + (ptrdiff_t)(ic + ir) * ldc + jc + jr, ldc,
                                     mr, nr, add);
            }
            continue;
        }
#endif
        for (ir = 0; ir < mc; ir += INITNN__MR) {
            const int mr = mc - ir < INITNN__MR ? mc - ir : INITNN__MR;
            initnn__micro(kc, ablk + (ptrdiff_t)ir * a_step, a_rs, a_cs, bs,
                          C + (ptrdiff_t)(ic + ir) * ldc + (ptrdiff_t)(jc + jr) * ccs,
                          ldc, ccs, mr, nr, add);
        }
    }
}

/* The panels of a product, by the threads of a parallel region that share
   out each panel's slivers and work items (team), or by one thread. */
static void initnn__gemm_panels(const initnn__gemm_job *g, int team)
{
    float abuf[INITNN__MC * INITNN__KC + 16];
    float *ap = initnn__align64(abuf);
    initnn__gemm_panel p;
    int nthreads = 1;
#ifdef _OPENMP
    if (team) nthreads = omp_get_num_threads();
#endif
    for (p.jc = 0; p.jc < g->N; p.jc += INITNN__NC) {
        int per_block;
        p.nc = g->N - p.jc < INITNN__NC ? g->N - p.jc : INITNN__NC;
        p.nsliv = (p.nc + INITNN__NR - 1) / INITNN__NR;
        p.pack_a = initnn__pack_a(g->a_trans, g->M, g->K, p.nc);
        p.nmb = initnn__row_blocks(g->M, nthreads);
        /* Work items: an MC block of rows times a range of B slivers.
           With fewer row blocks than threads the slivers are split too. */
        per_block = (nthreads + p.nmb - 1) / p.nmb;
        p.nchunk = p.nmb >= nthreads ? 1 : per_block < p.nsliv ? per_block : p.nsliv;
        for (p.pc = 0; p.pc < g->K; p.pc += g->kcb) {
            int s, w;
            p.kc = g->K - p.pc < g->kcb ? g->K - p.pc : g->kcb;
            p.add = g->accumulate || p.pc > 0;
            if (team) {
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
                for (s = 0; s < p.nsliv; s++) initnn__gemm_pack_sliver(g, &p, s);
#ifdef _OPENMP
#pragma omp for schedule(static)
#endif
                for (w = 0; w < p.nmb * p.nchunk; w++) initnn__gemm_work(g, &p, ap, w);
            } else {
                for (s = 0; s < p.nsliv; s++) initnn__gemm_pack_sliver(g, &p, s);
                for (w = 0; w < p.nmb * p.nchunk; w++) initnn__gemm_work(g, &p, ap, w);
            }
        }
    }
}

/* The driver. a_trans / b_trans say whether A / B are stored transposed (see
   initnn__gemm_job). M, K, N >= 1. A product of a million multiply-adds or
   more runs on the threads, unless it is called from a parallel region (a
   conv layer's slots); a smaller one, or one inside a slot, runs on the
   calling thread without entering OpenMP at all (an empty parallel region
   costs about a microsecond, and a conv layer runs hundreds of small
   products a batch). */
static void initnn__gemm_run(float *C, ptrdiff_t ldc, ptrdiff_t ccs, const float *A, int a_trans,
                             const float *B, int b_trans, int M, int K, int N, int accumulate)
{
    float bbuf[INITNN__KC * INITNN__NC + 16];
    initnn__gemm_job g;
    int nkb;
    g.C = C;
    g.ldc = ldc;
    g.ccs = ccs;
    g.A = A;
    g.a_trans = a_trans;
    g.lda = a_trans ? M : K;
    g.B = B;
    g.b_trans = b_trans;
    g.ldb = b_trans ? K : N;
    g.M = M;
    g.K = K;
    g.N = N;
    g.accumulate = accumulate;
    g.bp = initnn__align64(bbuf);
    /* K in nkb blocks of near-equal depth kcb (a multiple of 4): a thin last
       block would pay the loads and stores of C for little work. */
    nkb = (K + INITNN__KC - 1) / INITNN__KC;
    g.kcb = ((K + nkb - 1) / nkb + 3) & ~3;
    if (g.kcb > INITNN__KC) g.kcb = INITNN__KC;
#ifdef _OPENMP
    if ((double)M * (double)N * (double)K >= 1e6 && !omp_in_parallel() && omp_get_max_threads() > 1) {
#pragma omp parallel
        initnn__gemm_panels(&g, 1);
        return;
    }
#endif
    initnn__gemm_panels(&g, 0);
}

static void initnn__fast_gemm(float *C, const float *A, int a_trans, const float *B, int b_trans,
                         int M, int K, int N, int accumulate)
{
    if (M <= 0 || N <= 0) return;
    if (K <= 0) {
        if (!accumulate) memset(C, 0, (size_t)M * (size_t)N * sizeof(float));
        return;
    }
#if !INITNN__NARROW
    /* Without a narrow kernel, a C of few columns (an output layer of 10
       classes) would leave most of each NR-wide tile idle: compute C^T =
       B^T A^T instead, whose rows are long. A^T is stored the other way round
       from A, and (i, j) of C^T is C[j*N + i]. */
    if (N <= INITNN__NR / 2 && M > N) {
        initnn__gemm_run(C, 1, N, B, !b_trans, A, !a_trans, N, K, M, accumulate);
        return;
    }
#endif
    initnn__gemm_run(C, N, 1, A, a_trans, B, b_trans, M, K, N, accumulate);
}


/* ---- reading ahead ---------------------------------------------------------------
   A layer's pass over a batch reads what the layer below wrote for the whole
   batch, megabytes that have left the core's caches. Where the reads jump
   (two rows of a pooling window at a time) the hardware's prefetchers lag,
   so the loop asks for the floats it will read a few rows ahead. */
static void initnn__prefetch(const float *p, ptrdiff_t n)
{
#if defined(__GNUC__) || defined(__clang__)
    ptrdiff_t i;
    for (i = 0; i < n; i += 16) __builtin_prefetch(p + i, 0, 3);
#else
    (void)p;
    (void)n;
#endif
}

/* ---- im2col and col2im in vector registers -------------------------------------
   The lessons' im2col copies a tap's output rows one by one (memcpy of 11
   floats for the second conv layer of bench/'s CNN, 3168 calls a sample) and
   col2im adds them back row by row: the calls and the loops' remainders cost
   more than the floats moved. For stride 1 and no padding the maps between a
   plane and a row of col are fixed, so a chunk of 16 floats is moved with one
   permute:

     im2col   col[tap][p] = x[c][s(p) + i W + j],    s(p) = (p / W_out) W + p % W_out
     col2im   dx[c][s]   += col[tap][g(s) - (i W_out + j)],  g(s) = (s / W) W_out + s % W
                            for the taps with 0 <= s % W - j < W_out, 0 <= s / W - i < H_out

   (tap = (c, i, j), p an output position, s an input one). 16 consecutive
   p reach at most 32 consecutive s (checked, else the lessons' loops), so a
   chunk of col is two loads and a two-source permute. Of 16 consecutive s,
   the lanes a tap reaches read consecutive floats of its row of col (p grows
   by one from one reached lane to the next), one load and a permute. col2im sums
   each 16 floats of dX in a register over the taps (tap row i, then column j,
   as the lesson adds them, from 0: the same bits) and stores them once.

   A chunk of col may be written whole past a row's end: rows are written in
   order, so the next row overwrites it, and each slot's im2col has
   INITNN__SPILL floats to spare after it. */
#define INITNN__VEC_CHUNKS 128   /* planes and outputs of at most 2048 floats */
#define INITNN__VEC_TAPS 25      /* kernels of at most 25 taps               */

typedef struct initnn__conv_maps {
    int im2col, col2im;                            /* 1: the vector path applies */
    int positions, plane, taps;
    int32_t s_idx[INITNN__VEC_CHUNKS][16];         /* s(p) - s(p0) for a chunk of p */
    int s_first[INITNN__VEC_CHUNKS];               /* s(p0)                         */
    int32_t g_idx[INITNN__VEC_CHUNKS][16];         /* g(s) - g(s0) for a chunk of s */
    int g_first[INITNN__VEC_CHUNKS];               /* g(s0)                         */
    uint16_t reach[INITNN__VEC_CHUNKS][INITNN__VEC_TAPS];    /* lanes of s that tap reaches */
    int8_t reach_first[INITNN__VEC_CHUNKS][INITNN__VEC_TAPS]; /* g - g(s0) of its first      */
    int32_t from[INITNN__VEC_CHUNKS][INITNN__VEC_TAPS];      /* where its window starts     */
    uint16_t window[INITNN__VEC_CHUNKS][INITNN__VEC_TAPS];   /* and the window's lanes      */
} initnn__conv_maps;

/* The maps of layer l; col2im's only when with_col2im is set (a first
   layer has no dX to compute). */
static void initnn__conv_maps_build(initnn__conv_maps *m, const initnn_layer *l, int with_col2im)
{
    const int plane = l->in_h * l->in_w, positions = l->out_h * l->out_w, taps = l->kernel_h * l->kernel_w;
    int k, t, tap, left;
    m->positions = positions;
    m->plane = plane;
    m->taps = taps;
    m->im2col = m->col2im = l->stride == 1 && l->pad_top == 0 && l->pad_left == 0 &&
                            l->out_h == l->in_h - l->kernel_h + 1 && l->out_w == l->in_w - l->kernel_w + 1 &&
                            taps <= INITNN__VEC_TAPS && positions <= 16 * INITNN__VEC_CHUNKS &&
                            plane <= 16 * INITNN__VEC_CHUNKS;
#if !defined(INITNN__AVX512)
    m->im2col = m->col2im = 0;      /* the permutes below are AVX-512's */
#endif
    if (!m->im2col) return;
    for (k = 0; k * 16 < positions; k++) {
        const int p0 = 16 * k;
        m->s_first[k] = (p0 / l->out_w) * l->in_w + p0 % l->out_w;
        for (t = 0; t < 16; t++) {
            const int p = p0 + t < positions ? p0 + t : positions - 1;
            m->s_idx[k][t] = (p / l->out_w) * l->in_w + p % l->out_w - m->s_first[k];
            if (m->s_idx[k][t] >= 32) m->im2col = 0;
        }
    }
    if (!with_col2im) m->col2im = 0;
    for (k = 0; m->col2im && k * 16 < plane; k++) {
        const int s0 = 16 * k;
        m->g_first[k] = (s0 / l->in_w) * l->out_w + s0 % l->in_w;
        for (t = 0; t < 16; t++) {
            const int s = s0 + t < plane ? s0 + t : plane - 1;
            m->g_idx[k][t] = (s / l->in_w) * l->out_w + s % l->in_w - m->g_first[k];
        }
        for (tap = 0; tap < taps; tap++) {
            const int i = tap / l->kernel_w, j = tap % l->kernel_w;
            unsigned bits = 0;
            m->reach_first[k][tap] = 0;
            for (t = 15; t >= 0; t--) {
                const int y = (s0 + t) / l->in_w, x = (s0 + t) % l->in_w;
                if (s0 + t < plane && x - j >= 0 && x - j < l->out_w && y - i >= 0 && y - i < l->out_h) {
                    bits |= 1u << t;
                    m->reach_first[k][tap] = (int8_t)m->g_idx[k][t];
                }
            }
            m->reach[k][tap] = (uint16_t)bits;
            /* Lane t reads col[tap][g(s0 + t) - (i W_out + j)]; the lanes the
               tap reaches read consecutive floats, a window from the first. */
            m->from[k][tap] = m->g_first[k] + m->reach_first[k][tap] - (i * l->out_w + j);
            left = positions - m->from[k][tap];
            m->window[k][tap] = (uint16_t)(!bits ? 0u : left >= 16 ? 0xFFFFu : (1u << left) - 1u);
        }
    }
}

#if defined(INITNN__AVX512)
/* The first n of 16 lanes (n may be <= 0 or >= 16). */
static __mmask16 initnn__first_lanes(ptrdiff_t n)
{
    return (__mmask16)(n >= 16 ? 0xFFFFu : n > 0 ? (1u << n) - 1u : 0u);
}

/* im2col of one sample, rows ld floats apart (m->im2col set). */
static void initnn__im2col_vec(float *col, size_t ld, const float *x, const initnn_layer *l,
                               const initnn__conv_maps *m)
{
    const int chunks = (m->positions + 15) / 16;
    int c, i, j, k;
    for (c = 0; c < l->in_c; c++)
        for (i = 0; i < l->kernel_h; i++)
            for (j = 0; j < l->kernel_w; j++) {
                float *row = col + (((size_t)c * l->kernel_h + i) * l->kernel_w + j) * ld;
                const ptrdiff_t base = (ptrdiff_t)c * m->plane + (ptrdiff_t)i * l->in_w + j;
                for (k = 0; k < chunks; k++) {
                    const ptrdiff_t at = base + m->s_first[k], left = (ptrdiff_t)l->in - at;
                    const __m512 lo = _mm512_maskz_loadu_ps(initnn__first_lanes(left), x + at);
                    const __m512 hi = _mm512_maskz_loadu_ps(initnn__first_lanes(left - 16), x + at + (left > 16 ? 16 : 0));
                    _mm512_storeu_ps(row + 16 * k, _mm512_permutex2var_ps(lo, _mm512_loadu_si512(m->s_idx[k]), hi));
                }
            }
}

/* dx = col2im(col) for one sample (dx overwritten), rows of col ld floats
   apart (m->col2im set). */
static void initnn__col2im_vec(float *dx, const float *col, size_t ld, const initnn_layer *l,
                               const initnn__conv_maps *m)
{
    const int chunks = (m->plane + 15) / 16;
    int c, k, tap;
    for (c = 0; c < l->in_c; c++)
        for (k = 0; k < chunks; k++) {
            const __m512i g = _mm512_loadu_si512(m->g_idx[k]);
            const float *rows = col + (size_t)c * m->taps * ld;
            __m512 acc = _mm512_setzero_ps();
            for (tap = 0; tap < m->taps; tap++) {
                __m512 window;
                if (!m->reach[k][tap]) continue;
                window = _mm512_maskz_loadu_ps((__mmask16)m->window[k][tap], rows + tap * ld + m->from[k][tap]);
                acc = _mm512_add_ps(acc, _mm512_maskz_permutexvar_ps(
                                             (__mmask16)m->reach[k][tap],
                                             _mm512_sub_epi32(g, _mm512_set1_epi32(m->reach_first[k][tap])), window));
            }
            _mm512_mask_storeu_ps(dx + (size_t)c * m->plane + 16 * k, initnn__first_lanes(m->plane - 16 * k), acc);
        }
}
#endif

/* im2col of sample x of conv layer l into col, rows ld floats apart. */
static void initnn__conv_im2col(float *col, size_t ld, const float *x, const initnn_layer *l, const initnn__conv_maps *m)
{
#if defined(INITNN__AVX512)
    if (m->im2col) {
        initnn__im2col_vec(col, ld, x, l, m);
        return;
    }
#else
    (void)m;
#endif
    initnn__im2col_ld(col, ld, x, l->in_c, l->in_h, l->in_w, l->kernel_h, l->kernel_w, l->stride, l->pad_top,
                      l->pad_left, l->out_h, l->out_w);
}

/* dx = col2im(col) of conv layer l, one sample. */
static void initnn__conv_col2im(float *dx, const float *col, size_t ld, const initnn_layer *l, const initnn__conv_maps *m)
{
#if defined(INITNN__AVX512)
    if (m->col2im) {
        initnn__col2im_vec(dx, col, ld, l, m);
        return;
    }
#else
    (void)m;
#endif
    memset(dx, 0, (size_t)l->in * sizeof(float));
    initnn__col2im_ld(dx, col, ld, l->in_c, l->in_h, l->in_w, l->kernel_h, l->kernel_w, l->stride, l->pad_top,
                      l->pad_left, l->out_h, l->out_w);
}

/* ---- a conv layer of few rows: the first layer of an image net ------------------
   The first conv layer of an MNIST net has rows = C_in k_h k_w = 9. Its
   forward product W^T col(X_b) is then 9 deep, so the packed product's
   kernel spends more time on packing and on C's loads and stores than on
   multiplying, and its weight gradient col(X_b) dZ_b^T has 9 rows, which the
   8-row kernel takes in two passes of 8. For rows <= INITNN__FEW_ROWS both
   run here (AVX-512; other builds take the packed product), on the
   sample's im2col as it is, without packing:

     Z_b    16 channels x 16 positions in 16 registers, each summed over
            the rows in order from 0 with one FMA a term, as the product
            sums it (the same bits), and the bias added as Z is stored
     dW     3 rows x 4 channels of dot products over the positions, each
            in 16 lanes added in a fixed tree (lane k + lane k+8, then +4,
            +2, +1): one sum a sample, added to the slot's dW in sample
            order, so the same bits on any thread count */
#if defined(INITNN__AVX512)
#define INITNN__FEW_ROWS 32

/* Asks for the line at p to be written soon. */
static void initnn__prefetch_write(const float *p)
{
#if defined(__GNUC__) || defined(__clang__)
    __builtin_prefetch(p, 1, 3);
#else
    (void)p;
#endif
}

/* The 16 lanes of v added in initnn__sum_lanes's tree. */
static float initnn__lanes_sum(__m512 v)
{
    /* maskz extracts: the plain ones trip GCC 12's maybe-uninitialized
       warning in C++ (their undefined pass-through), as in Adam's lanes. */
    const __m256 lo = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd((__mmask8)0xFFu, _mm512_castps_pd(v), 0));
    const __m256 hi = _mm256_castpd_ps(_mm512_maskz_extractf64x4_pd((__mmask8)0xFFu, _mm512_castps_pd(v), 1));
    const __m256 h = _mm256_add_ps(lo, hi);
    __m128 q = _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    q = _mm_add_ps(q, _mm_movehl_ps(q, q));
    q = _mm_add_ss(q, _mm_shuffle_ps(q, q, 1));
    return _mm_cvtss_f32(q);
}

#define INITNN__CH16(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15)
#define INITNN__ZERO(t) __m512 a##t = _mm512_setzero_ps();
#define INITNN__TERM(t) a##t = _mm512_fmadd_ps(_mm512_set1_ps(w[t]), x, a##t);
#define INITNN__STORE(t) \
    if ((t) < n) { \
        float *zt = z + (size_t)(co + (t)) * positions + p; \
        if (ahead) initnn__prefetch_write(zt + 64); \
        _mm512_mask_storeu_ps(zt, lanes, _mm512_add_ps(a##t, _mm512_set1_ps(bias[co + (t)]))); \
    }

/* z (out_c x positions) = W^T col + bias, W (rows x out_c), col (rows x
   positions). Z's 16 rows are written side by side, 2.7 KB apart in the
   bench CNN, into lines last touched a batch ago: each store asks for its
   row's line 4 vectors ahead (a third less time in this kernel, by perf),
   unless z is a sample's rows in cache (cached). */
static void initnn__few_rows_forward(float *z, const float *col, const float *W, const float *bias, int rows,
                                     int out_c, int positions, int cached)
{
    float wp[INITNN__FEW_ROWS][16];   /* a last group's weights, zeros past out_c */
    int co, r, t, p;
    for (co = 0; co < out_c; co += 16) {
        const int n = out_c - co < 16 ? out_c - co : 16;
        if (n < 16)
            for (r = 0; r < rows; r++)
                for (t = 0; t < 16; t++) wp[r][t] = t < n ? W[(size_t)r * out_c + co + t] : 0.0f;
        for (p = 0; p < positions; p += 16) {
            const __mmask16 lanes = initnn__first_lanes(positions - p);
            const int ahead = !cached && p + 64 < positions;
            INITNN__CH16(INITNN__ZERO)
            for (r = 0; r < rows; r++) {
                const __m512 x = _mm512_maskz_loadu_ps(lanes, col + (size_t)r * positions + p);
                const float *w = n < 16 ? wp[r] : W + (size_t)r * out_c + co;   /* 16 channels' weights */
                INITNN__CH16(INITNN__TERM)
            }
            INITNN__CH16(INITNN__STORE)
        }
    }
}
#undef INITNN__ZERO
#undef INITNN__TERM
#undef INITNN__STORE
#undef INITNN__CH16

#define INITNN__ROWS3(X, j) X(0, j) X(1, j) X(2, j)
#define INITNN__CELLS(X) INITNN__ROWS3(X, 0) INITNN__ROWS3(X, 1) INITNN__ROWS3(X, 2) INITNN__ROWS3(X, 3)
#define INITNN__ZERO(i, j) __m512 a##i##j = _mm512_setzero_ps();
#define INITNN__TERM(i, j) a##i##j = _mm512_fmadd_ps(x##i, d##j, a##i##j);
#define INITNN__ADD(i, j) \
    if (r + (i) < rows && co + (j) < out_c) { \
        float *cell = dw + (size_t)(r + (i)) * out_c + co + (j); \
        *cell = add ? *cell + initnn__lanes_sum(a##i##j) : initnn__lanes_sum(a##i##j); \
    }

/* dw (rows x out_c) = (or +=, when add) col dz^T, col (rows x positions),
   dz (out_c x positions). Rows and channels past the last are computed from
   a copy of the last and not stored. */
static void initnn__few_rows_weight_grad(float *dw, const float *col, const float *dz, int rows, int out_c,
                                         int positions, int add)
{
    int r, co, p;
    for (r = 0; r < rows; r += 3)
        for (co = 0; co < out_c; co += 4) {
            const float *x0r = col + (size_t)r * positions;
            const float *x1r = col + (size_t)(r + 1 < rows ? r + 1 : rows - 1) * positions;
            const float *x2r = col + (size_t)(r + 2 < rows ? r + 2 : rows - 1) * positions;
            const float *d0r = dz + (size_t)co * positions;
            const float *d1r = dz + (size_t)(co + 1 < out_c ? co + 1 : out_c - 1) * positions;
            const float *d2r = dz + (size_t)(co + 2 < out_c ? co + 2 : out_c - 1) * positions;
            const float *d3r = dz + (size_t)(co + 3 < out_c ? co + 3 : out_c - 1) * positions;
            INITNN__CELLS(INITNN__ZERO)
            for (p = 0; p < positions; p += 16) {
                const __mmask16 lanes = initnn__first_lanes(positions - p);
                const __m512 x0 = _mm512_maskz_loadu_ps(lanes, x0r + p), x1 = _mm512_maskz_loadu_ps(lanes, x1r + p);
                const __m512 x2 = _mm512_maskz_loadu_ps(lanes, x2r + p), d0 = _mm512_maskz_loadu_ps(lanes, d0r + p);
                const __m512 d1 = _mm512_maskz_loadu_ps(lanes, d1r + p), d2 = _mm512_maskz_loadu_ps(lanes, d2r + p);
                const __m512 d3 = _mm512_maskz_loadu_ps(lanes, d3r + p);
                INITNN__CELLS(INITNN__TERM)
            }
            INITNN__CELLS(INITNN__ADD)
        }
}
#undef INITNN__ZERO
#undef INITNN__TERM
#undef INITNN__ADD
#undef INITNN__CELLS
#undef INITNN__ROWS3
#endif

/* ---- convolution as products, a few samples at a time -----------------------
   Conv2d as matrix products, one sample at a time, so that the im2col of a
   sample (C_in k_h k_w x P floats, P = H_out W_out) is written, multiplied
   and read again while it is still in the core's cache, and the product
   lands in Z's own (C_out, P) layout, with no gather or scatter:

     forward    Z_b = W^T col(X_b) + bias                (C_out x P)
     backward   dW += col(X_b) dZ_b^T                    (C_in k_h k_w x C_out)
                dcol = W dZ_b, dX_b = col2im(dcol)
                db += row sums of dZ_b

   The batch is cut into INITNN__CONV_SLOTS slots of consecutive samples (the
   cut depends on the batch size alone); OpenMP's threads share out the
   slots, each slot with its own work space, and run their products on one
   thread each. dW is summed per slot in sample order, then over the slots
   in slot order, and db from each sample's channel sums in sample order:
   the same operations in the same order for 1 thread or 64. The backward computes col(X_b) again rather than keep the whole
   batch's (9 MB for the second layer of the bench's CNN), which costs less
   than reading it back from memory. */

static int initnn__conv_slots(int batch)
{
    return batch < INITNN__CONV_SLOTS ? batch : INITNN__CONV_SLOTS;
}

/* The sum of n floats in 16 lanes, the lanes added in a fixed tree: the
   same bits on any machine, and no chain of n dependent additions. */
static float initnn__sum_lanes(const float *x, int n)
{
    float lane[16] = {0.0f};
    int i, j;
    for (i = 0; i + 16 <= n; i += 16)
        for (j = 0; j < 16; j++) lane[j] += x[i + j];
    for (j = 0; i < n; i++, j++) lane[j] += x[i];
    for (j = 8; j >= 1; j /= 2) {
        int k;
        for (k = 0; k < j; k++) lane[k] += lane[k + j];
    }
    return lane[0];
}

/* z = W^T col + bias for one sample of layer l; cached: z stays in cache
   (a slot's own rows). */
static void initnn__conv_sample_forward(float *z, const float *col, const initnn_layer *l, int rows, int positions,
                                        int cached)
{
    int c, p;
#if defined(INITNN__AVX512)
    if (rows <= INITNN__FEW_ROWS) {
        initnn__few_rows_forward(z, col, l->W, l->b, rows, l->out_c, positions, cached);
        return;
    }
#endif
    (void)cached;
    initnn__fast_gemm(z, l->W, 1, col, 0, l->out_c, rows, positions, 0);
    for (c = 0; c < l->out_c; c++) {
        const float bias = l->b[c];
        float *zc = z + (size_t)c * positions;
        for (p = 0; p < positions; p++) zc[p] += bias;
    }
}

/* dw = (or +=, when add) col dz^T for one sample of layer l. */
static void initnn__conv_sample_weight_grad(float *dw, const float *col, const float *dz, const initnn_layer *l,
                                            int rows, int positions, int add)
{
#if defined(INITNN__AVX512)
    if (rows <= INITNN__FEW_ROWS) {
        initnn__few_rows_weight_grad(dw, col, dz, rows, l->out_c, positions, add);
        return;
    }
#endif
    initnn__fast_gemm(dw, col, 0, dz, 1, rows, positions, l->out_c, add);
}

/* ---- a conv layer, its ReLU and its max pool, one sample at a time --------
   In a training step the bench CNN's first conv layer writes Z, Y and dZ of
   64 x 32 x 26 x 26 floats (5.5 MB each, larger than the caches) and its
   ReLU and max pool read them back; writing them is most of what the layer
   costs beyond its products. The conv layer, its ReLU and a 2 x 2 max pool
   after it then run one sample at a time in the slot's own rows, in cache:

     forward    z = W^T col(x) + b, y = relu(z), pooled y and its argmax
     backward   dZ = 0 except at each window's argmax, where it is the
                pool's gradient if the pooled value is > 0 (else 0)

   the lessons' operations in the lessons' order on the same values, so the
   same bits (tests/test_conv_train.c checks it); only the conv layer's z, y
   and dz are not kept. initnn_net_train asks for it (net->fused_steps) on
   the steps whose buffers nobody reads: every batch of an epoch but the
   last. */

/* Whether layer i is a conv layer that runs with the max pool after it. */
static int initnn__conv_block(const initnn_net *net, int i)
{
    const initnn_layer *conv, *pool;
    if (!net->fused_steps || !net->training || net->residual_count || i < 0 || i + 1 >= net->layer_count) return 0;
    conv = &net->layers[i];
    pool = conv + 1;
    return conv->type == INITNN_LAYER_CONV2D && conv->activation == INITNN_ACT_RELU &&
           pool->type == INITNN_LAYER_MAXPOOL2D && pool->argmax && pool->kernel_h == 2 && pool->kernel_w == 2 &&
           pool->stride == 2;
}

#if defined(INITNN__AVX512)
/* The lanes of the next 16 windows of a 2 x 2 pool row, with windows of
   them left: lo and hi over the two input floats per window of each row,
   out over the outputs. The max pool and its unpool share them. */
static void initnn__pool2_lanes(__mmask16 *lo, __mmask16 *hi, __mmask16 *out, int windows)
{
    *lo = initnn__first_lanes(2 * windows);
    *hi = initnn__first_lanes(2 * windows - 16);
    *out = initnn__first_lanes(windows);
}
#endif

/* One output row of the pool going back: each window of rows top and
   bottom at column 2 ox gets g = (y[ox] > 0 ? 0 + dy[ox] : 0) at its argmax
   and 0 at its other three places (base: the index of top[0]). */
static void initnn__unpool2_row(float *INITNN__RESTRICT top, float *INITNN__RESTRICT bottom,
                                const float *INITNN__RESTRICT dy, const float *INITNN__RESTRICT y,
                                const int *INITNN__RESTRICT argmax, int n, int base, int w)
{
    int ox = 0;
#if defined(INITNN__AVX512)
    /* 16 windows at a time: four masked copies of g, one per corner, and
       the left and right corners interleaved by two permutes per row. */
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i high = _mm512_add_epi32(low, _mm512_set1_epi32(8));
    for (; ox < n; ox += 16) {
        __mmask16 lo, hi, out;
        initnn__pool2_lanes(&lo, &hi, &out, n - ox);
        const __m512 yv = _mm512_maskz_loadu_ps(out, y + ox);
        const __m512 g = _mm512_maskz_add_ps(_mm512_cmp_ps_mask(yv, _mm512_setzero_ps(), _CMP_GT_OQ),
                                             _mm512_setzero_ps(), _mm512_maskz_loadu_ps(out, dy + ox));
        const __m512i at = _mm512_sub_epi32(_mm512_maskz_loadu_epi32(out, argmax + ox),
                                            _mm512_add_epi32(_mm512_set1_epi32(base + 2 * ox), even));
        const __m512 tl = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, _mm512_setzero_si512()), g);
        const __m512 tr = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, _mm512_set1_epi32(1)), g);
        const __m512 bl = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, _mm512_set1_epi32(w)), g);
        const __m512 br = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(at, _mm512_set1_epi32(w + 1)), g);
        _mm512_mask_storeu_ps(top + 2 * ox, lo, _mm512_permutex2var_ps(tl, low, tr));
        _mm512_mask_storeu_ps(top + 2 * ox + 16, hi, _mm512_permutex2var_ps(tl, high, tr));
        _mm512_mask_storeu_ps(bottom + 2 * ox, lo, _mm512_permutex2var_ps(bl, low, br));
        _mm512_mask_storeu_ps(bottom + 2 * ox + 16, hi, _mm512_permutex2var_ps(bl, high, br));
    }
#endif
    for (; ox < n; ox++) {
        const float g = y[ox] > 0.0f ? 0.0f + dy[ox] : 0.0f;
        const int at = argmax[ox] - (base + 2 * ox);
        top[2 * ox] = at == 0 ? g : 0.0f;
        top[2 * ox + 1] = at == 1 ? g : 0.0f;
        bottom[2 * ox] = at == w ? g : 0.0f;
        bottom[2 * ox + 1] = at == w + 1 ? g : 0.0f;
    }
}

/* dZ of sample b of such a conv layer from its pool's gradient, as the
   lessons compute it: the pool's backward adds each output's gradient to a
   zeroed dY at its argmax (0 + g), the ReLU's backward keeps it where z > 0,
   and at an argmax z > 0 exactly when the pooled value relu(z) is. */
static const float *initnn__conv_block_dz(float *dz, const initnn_layer *conv, const initnn_layer *pool, int b)
{
    const size_t at = (size_t)b * pool->out;
    int c, oy;
    if (conv->out_h != 2 * pool->out_h || conv->out_w != 2 * pool->out_w)   /* places no window reads */
        memset(dz, 0, (size_t)conv->out * sizeof(float));
    for (c = 0; c < pool->out_c; c++)
        for (oy = 0; oy < pool->out_h; oy++) {
            const size_t top = ((size_t)c * conv->out_h + 2 * (size_t)oy) * conv->out_w;
            const size_t o = at + ((size_t)c * pool->out_h + oy) * pool->out_w;
            initnn__unpool2_row(dz + top, dz + top + conv->out_w, pool->dz + o, pool->y + o, pool->argmax + o,
                                pool->out_w, (int)top, conv->out_w);
        }
    return dz;
}

/* The slots' forward. With pool (a 2 x 2 max pool after a ReLU conv layer,
   see initnn__conv_block) each sample's Z is made, activated and pooled in
   the slot's first row of l->y, which stays in the core's cache, and only
   the pool's output and argmax reach memory: l->z and l->y are not kept. */
static void initnn__conv_forward_slots(initnn_layer *l, initnn_layer *pool, const float *X, int batch)
{
    const int rows = l->in_c * l->kernel_h * l->kernel_w, positions = l->out_h * l->out_w;
    const int slots = initnn__conv_slots(batch);
    initnn__conv_maps maps;
    int s;
    initnn__conv_maps_build(&maps, l, 0);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (batch >= 4)
#endif
    for (s = 0; s < slots; s++) {
        float *col = l->col + (size_t)s * ((size_t)rows * positions + INITNN__SPILL);
        float *sample = l->y + (size_t)(s * batch / slots) * l->out;
        int b;
        for (b = s * batch / slots; b < (s + 1) * batch / slots; b++) {
            initnn__conv_im2col(col, (size_t)positions, X + (size_t)b * l->in, l, &maps);
            if (!pool) {
                initnn__conv_sample_forward(l->z + (size_t)b * l->out, col, l, rows, positions, 0);
                continue;
            }
            initnn__conv_sample_forward(sample, col, l, rows, positions, 1);
            initnn_activation_forward(sample, sample, (size_t)l->out, l->out, l->activation, l->activation_param);
            initnn__fast_maxpool_2x2(pool->y + (size_t)b * pool->out, pool->argmax + (size_t)b * pool->out, sample,
                                     pool);
        }
    }
}

static int initnn__fast_conv_forward(initnn_layer *l, const float *X, int batch)
{
    initnn__conv_forward_slots(l, NULL, X, batch);
    return 1;
}

/* Conv2d backward, beside its forward; l->colt holds each slot's dW and then
   each sample's channel sums of dZ. With pool, each sample's dZ is made from
   the pool's gradient in the slot's first row of l->dz (initnn__conv_block_dz). */
static void initnn__conv_backward_slots(initnn_layer *l, const initnn_layer *pool, float *dX, const float *X,
                                        int batch)
{
    const int rows = l->in_c * l->kernel_h * l->kernel_w, positions = l->out_h * l->out_w;
    const int slots = initnn__conv_slots(batch);
    const size_t wsize = (size_t)rows * (size_t)l->out_c;
    float *dw_slot = l->colt, *channel_sums = l->colt + (size_t)INITNN__CONV_SLOTS * wsize;
    int s, c;
    ptrdiff_t e;
    initnn__conv_maps maps;
    initnn__conv_maps_build(&maps, l, dX != NULL);
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (batch >= 4)
#endif
    for (s = 0; s < slots; s++) {
        float *col = l->col + (size_t)s * ((size_t)rows * positions + INITNN__SPILL);
        float *sample = l->dz + (size_t)(s * batch / slots) * l->out;
        int b, k;
        for (b = s * batch / slots; b < (s + 1) * batch / slots; b++) {
            const float *dz = pool ? initnn__conv_block_dz(sample, l, pool, b) : l->dz + (size_t)b * l->out;
            for (k = 0; k < l->out_c; k++)
                channel_sums[(size_t)b * l->out_c + k] = initnn__sum_lanes(dz + (size_t)k * positions, positions);
            initnn__conv_im2col(col, (size_t)positions, X + (size_t)b * l->in, l, &maps);
            initnn__conv_sample_weight_grad(dw_slot + (size_t)s * wsize, col, dz, l, rows, positions,
                                            b > s * batch / slots);
            if (!dX) continue;
            initnn__fast_gemm(col, l->W, 0, dz, 0, rows, l->out_c, positions, 0);   /* dcol, over col */
            initnn__conv_col2im(dX + (size_t)b * l->in, col, (size_t)positions, l, &maps);
        }
    }
    /* The slots' sums, in slot order. */
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (wsize >= 4096)
#endif
    for (e = 0; e < (ptrdiff_t)wsize; e++) {
        float sum = dw_slot[e];
        int t;   /* declared here: private to the thread */
        for (t = 1; t < slots; t++) sum += dw_slot[(size_t)t * wsize + (size_t)e];
        l->dW[e] += sum;
    }
    for (c = 0; c < l->out_c; c++) {
        double sum = 0.0;
        int b;
        for (b = 0; b < batch; b++) sum += channel_sums[(size_t)b * l->out_c + c];
        l->db[c] += (float)sum;
    }
}

static int initnn__fast_conv_backward(initnn_layer *l, float *dX, const float *X, int batch)
{
    initnn__conv_backward_slots(l, NULL, dX, X, batch);
    return 1;
}

static int initnn__fast_conv_block_forward(initnn_net *net, int i, const float *X, int batch)
{
    if (!initnn__conv_block(net, i)) return 0;
    initnn__conv_forward_slots(&net->layers[i], &net->layers[i + 1], X, batch);
    return 1;
}

static int initnn__fast_conv_block_backward(initnn_net *net, int i, int batch)
{
    if (!initnn__conv_block(net, i)) return 0;
    initnn__conv_backward_slots(&net->layers[i], &net->layers[i + 1], i > 0 ? net->layers[i - 1].dz : NULL,
                                i > 0 ? net->layers[i - 1].y : net->input, batch);
    return 1;
}

/* The z and y such a step did not keep, made again (for the message of a
   step that failed). */
static void initnn__fast_conv_block_outputs(initnn_net *net, int batch)
{
    int i;
    for (i = 0; i < net->layer_count; i++)
        if (initnn__conv_block(net, i)) {
            initnn__conv_forward(&net->layers[i], i > 0 ? net->layers[i - 1].y : net->input, batch);
            initnn__activate(&net->layers[i], batch);
        }
}


/* ---- pooling ------------------------------------------------------------- */

/* One output row of the common 2 x 2, stride 2 max pool: y[ox] is the
   largest of the 2 x 2 window of rows top and bottom at column 2 ox, and
   argmax[ox] its index (base: the index of top[0]). The comparisons of the
   general loop in the same order (first the top left, a later value only
   when strictly larger), written as selects that vectorize: which of four
   values is largest is a coin toss that a branch predictor loses half the time. */
static void initnn__maxpool2_row(float *INITNN__RESTRICT y, int *INITNN__RESTRICT argmax,
                                 const float *INITNN__RESTRICT top, const float *INITNN__RESTRICT bottom,
                                 int n, int base, int w)
{
    int ox = 0;
#if defined(INITNN__AVX512)
    /* 16 outputs at a time: the window's four corners are the even and odd
       lanes of 32 floats of each row, taken apart by two permutes. The
       masked loads read no float past the 2 n the row has. */
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_add_epi32(even, _mm512_set1_epi32(1));
    for (; ox < n; ox += 16) {
        __mmask16 lo, hi, out;
        initnn__pool2_lanes(&lo, &hi, &out, n - ox);
        const __m512 t0 = _mm512_maskz_loadu_ps(lo, top + 2 * ox), t1 = _mm512_maskz_loadu_ps(hi, top + 2 * ox + 16);
        const __m512 b0 = _mm512_maskz_loadu_ps(lo, bottom + 2 * ox);
        const __m512 b1 = _mm512_maskz_loadu_ps(hi, bottom + 2 * ox + 16);
        const __m512i first = _mm512_add_epi32(_mm512_set1_epi32(base + 2 * ox), even);
        __m512 m = _mm512_permutex2var_ps(t0, even, t1), v = _mm512_permutex2var_ps(t0, odd, t1);
        __m512i at = first;
        __mmask16 k = _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ);
        m = _mm512_mask_mov_ps(m, k, v);
        at = _mm512_mask_add_epi32(at, k, first, _mm512_set1_epi32(1));
        v = _mm512_permutex2var_ps(b0, even, b1);
        k = _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ);
        m = _mm512_mask_mov_ps(m, k, v);
        at = _mm512_mask_add_epi32(at, k, first, _mm512_set1_epi32(w));
        v = _mm512_permutex2var_ps(b0, odd, b1);
        k = _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ);
        m = _mm512_mask_mov_ps(m, k, v);
        at = _mm512_mask_add_epi32(at, k, first, _mm512_set1_epi32(w + 1));
        _mm512_mask_storeu_ps(y + ox, out, m);
        _mm512_mask_storeu_epi32(argmax + ox, out, at);
    }
#endif
    for (; ox < n; ox++) {
        float m = top[2 * ox], v;
        int at = base + 2 * ox, k;
        v = top[2 * ox + 1];    k = v > m;  at += k * (base + 2 * ox + 1 - at);      m = v > m ? v : m;
        v = bottom[2 * ox];     k = v > m;  at += k * (base + w + 2 * ox - at);      m = v > m ? v : m;
        v = bottom[2 * ox + 1]; k = v > m;  at += k * (base + w + 2 * ox + 1 - at);  m = v > m ? v : m;
        y[ox] = m;
        argmax[ox] = at;
    }
}

/* The 2 x 2, stride 2 max pool of one sample with initnn__maxpool2_row; 0 for
   any other window, which the general loop of initnn__pool_forward takes. */
static int initnn__fast_maxpool_2x2(float *y, int *argmax, const float *x, const initnn_layer *l)
{
    int c, oy;
    if (l->kernel_h != 2 || l->kernel_w != 2 || l->stride != 2) return 0;
    for (c = 0; c < l->out_c; c++)
        for (oy = 0; oy < l->out_h; oy++) {
            size_t top = ((size_t)c * l->in_h + (size_t)oy * 2) * l->in_w, o = ((size_t)c * l->out_h + oy) * l->out_w;
            if (top + (size_t)18 * l->in_w <= (size_t)l->in)   /* 8 windows' rows ahead */
                initnn__prefetch(x + top + (size_t)16 * l->in_w, 2 * l->in_w);
            initnn__maxpool2_row(y + o, argmax + o, x + top, x + top + l->in_w, l->out_w, (int)top, l->in_w);
        }
    return 1;
}

/* ---- Adam in vector lanes ----------------------------------------------------
   initnn__adam_update's loop, 16 (AVX-512) or 8 (AVX2) elements at a time,
   with the same operations in the same order, so the same bits: compilers
   keep sqrtf scalar because of errno unless told -fno-math-errno, and sqrt
   and division are correctly rounded in both forms. Returns how many leading
   elements it updated; the lesson's loop does the rest. */
#if defined(INITNN__AVX2)
static size_t initnn__adam_lanes(float *INITNN__RESTRICT w, float *INITNN__RESTRICT m, float *INITNN__RESTRICT v,
                                 const float *INITNN__RESTRICT g, size_t n, const initnn_optimizer *opt,
                                 float inv1, float inv2);
#endif

/* The parameters in chunks of INITNN__CHUNK on OpenMP's threads (each element's
   update is the same on any thread), each chunk in vector lanes. */
static size_t initnn__fast_adam_lanes(float *INITNN__RESTRICT w, float *INITNN__RESTRICT m, float *INITNN__RESTRICT v,
                                      const float *INITNN__RESTRICT g, size_t n, const initnn_optimizer *opt,
                                      float inv1, float inv2)
{
#if defined(INITNN__AVX2)
    ptrdiff_t chunk, chunks = (ptrdiff_t)(n / INITNN__CHUNK);
    size_t at = (size_t)chunks * INITNN__CHUNK;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (chunks >= 2 && !omp_in_parallel())
#endif
    for (chunk = 0; chunk < chunks; chunk++) {   /* a chunk is a whole number of lanes */
        size_t first = (size_t)chunk * INITNN__CHUNK;
        initnn__adam_lanes(w + first, m + first, v + first, g + first, INITNN__CHUNK, opt, inv1, inv2);
    }
    return at + initnn__adam_lanes(w + at, m + at, v + at, g + at, n - at, opt, inv1, inv2);
#else
    (void)w; (void)m; (void)v; (void)g; (void)n; (void)opt; (void)inv1; (void)inv2;
    return 0;                                    /* no lanes: the lesson's loop does it all */
#endif
}

#if defined(INITNN__AVX2)
/* One chunk: returns how many leading elements it updated (a multiple of
   the lanes; all of them when n is). */
static size_t initnn__adam_lanes(float *INITNN__RESTRICT w, float *INITNN__RESTRICT m, float *INITNN__RESTRICT v,
                                 const float *INITNN__RESTRICT g, size_t n, const initnn_optimizer *opt,
                                 float inv1, float inv2)
{
    size_t i = 0;
    float lr = opt->learning_rate, b1 = opt->beta1, b2 = opt->beta2, eps = opt->epsilon, wd = opt->weight_decay;
#if defined(INITNN__AVX512)
    {
        __m512 vb1 = _mm512_set1_ps(b1), vb2 = _mm512_set1_ps(b2), vc1 = _mm512_set1_ps(1.0f - b1);
        __m512 vc2 = _mm512_set1_ps(1.0f - b2), vwd = _mm512_set1_ps(wd), vlr = _mm512_set1_ps(lr);
        __m512 vi1 = _mm512_set1_ps(inv1), vi2 = _mm512_set1_ps(inv2), veps = _mm512_set1_ps(eps);
        for (; i + 16 <= n; i += 16) {
            __m512 wi = _mm512_loadu_ps(w + i);
            __m512 gi = _mm512_add_ps(_mm512_loadu_ps(g + i), _mm512_mul_ps(vwd, wi));
            __m512 mi = _mm512_add_ps(_mm512_mul_ps(vb1, _mm512_loadu_ps(m + i)), _mm512_mul_ps(vc1, gi));
            __m512 vv = _mm512_add_ps(_mm512_mul_ps(vb2, _mm512_loadu_ps(v + i)),
                                      _mm512_mul_ps(_mm512_mul_ps(vc2, gi), gi));
            /* maskz_sqrt over every lane: the plain _mm512_sqrt_ps trips GCC 12's
               maybe-uninitialized warning in C++ (its undefined pass-through). */
            __m512 den = _mm512_add_ps(_mm512_maskz_sqrt_ps((__mmask16)0xFFFFu, _mm512_mul_ps(vv, vi2)), veps);
            _mm512_storeu_ps(m + i, mi);
            _mm512_storeu_ps(v + i, vv);
            _mm512_storeu_ps(w + i, _mm512_sub_ps(wi, _mm512_div_ps(_mm512_mul_ps(vlr, _mm512_mul_ps(mi, vi1)), den)));
        }
    }
#elif defined(INITNN__AVX2)
    {
        __m256 vb1 = _mm256_set1_ps(b1), vb2 = _mm256_set1_ps(b2), vc1 = _mm256_set1_ps(1.0f - b1);
        __m256 vc2 = _mm256_set1_ps(1.0f - b2), vwd = _mm256_set1_ps(wd), vlr = _mm256_set1_ps(lr);
        __m256 vi1 = _mm256_set1_ps(inv1), vi2 = _mm256_set1_ps(inv2), veps = _mm256_set1_ps(eps);
        for (; i + 8 <= n; i += 8) {
            __m256 wi = _mm256_loadu_ps(w + i);
            __m256 gi = _mm256_add_ps(_mm256_loadu_ps(g + i), _mm256_mul_ps(vwd, wi));
            __m256 mi = _mm256_add_ps(_mm256_mul_ps(vb1, _mm256_loadu_ps(m + i)), _mm256_mul_ps(vc1, gi));
            __m256 vv = _mm256_add_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)),
                                      _mm256_mul_ps(_mm256_mul_ps(vc2, gi), gi));
            __m256 den = _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vv, vi2)), veps);
            _mm256_storeu_ps(m + i, mi);
            _mm256_storeu_ps(v + i, vv);
            _mm256_storeu_ps(w + i, _mm256_sub_ps(wi, _mm256_div_ps(_mm256_mul_ps(vlr, _mm256_mul_ps(mi, vi1)), den)));
        }
    }
#endif
    return i;
}
#endif


/* ---- the thread count on a shared machine -------------------------------------
   A parallel region is as fast as its slowest thread. When another process
   holds one of the cores, one of our threads waits its turn at every
   barrier, and a training step of a few dozen regions can take several
   times as long on two threads as on one. The results do not depend on the
   thread count, so initnn_net_train chooses it by the clock: it times a few
   batches on one thread, asking after each whether every thread has a core
   (a few empty parallel regions, initnn__threads_free: a contended batch
   can cost as much as forty), then times a few batches on every thread, and
   trains on the faster. The trial on every thread lasts 20 ms at least:
   when another process holds a core, the scheduler gives the three threads
   the two cores in turns of a few milliseconds, so ours can run together
   for a few batches and then wait 4 ms. The first batch after a change is
   not timed (the threads wake up), but a trial on every thread stops at
   once when that batch is more than three times as slow as one thread, or
   a later one twice as slow. It tries again after two seconds of training,
   for the other process may stop or start, and after twice as long each
   time the same count wins again, up to a minute (a trial's batches on one
   thread cost an idle conv net on two 0.7% of its time when it came every
   two seconds); and at once when, on every thread, a batch runs at less
   than half the trial's speed, as it does when another process starts.
   OMP_NUM_THREADS or omp_set_num_threads sets the most it uses, and that
   setting is back when initnn_net_train returns.
   A trial on a busy machine costs a scheduler's turn or two (5 ms or so),
   the time it takes to learn the answer. On Linux the kernel can say it
   sooner: /proc/loadavg counts the machine's runnable tasks, and when the
   other processes' alone leave fewer free cores than our threads, at every
   look during a trial's batches on one thread, the trial stops there, on
   one thread, without starting the others, and looks again after 50 ms of
   training (a look reads a file: microseconds). GNU OpenMP's OMP_DYNAMIC
   asks the kernel likewise, for its 15-minute load average. The count is
   the whole machine's, so it speaks only when the threads may run on every
   core; it never chooses more threads, only skips a trial that would. */
#define INITNN__THREADS_TIMED 3        /* batches timed per trial, after one untimed */
#define INITNN__THREADS_TRIAL_ALL 0.02 /* and at least these seconds on every thread   */
#define INITNN__THREADS_RETRY 2.0      /* seconds of training between trials         */
#define INITNN__THREADS_RETRY_MAX 64.0
#define INITNN__THREADS_PATIENCE 0.003  /* seconds a probe waits for every thread's core at most */
#define INITNN__THREADS_LOOK_AGAIN 0.05 /* seconds of training until the next trial, after
                                           the kernel's count said the cores were taken   */

static void initnn__threads_use(initnn__threads *t, int n)
{
    t->current = n;
    t->batch = 0;
    t->samples = t->seconds = 0.0;
#ifdef _OPENMP
    omp_set_num_threads(n);
#endif
}

/* Whether n threads each get a core now, asked in rounds of 8 parallel
   regions that do nothing: with a core each, a round takes microseconds;
   when another process holds a core, each region waits at its end for a
   thread's turn (a scheduler's time slice, half a millisecond here). A round
   passes within budget seconds and stops at the first region past that, so
   a busy machine costs a region or a few, not a batch. The rounds go on for
   up to 8 budgets, and no more than INITNN__THREADS_PATIENCE seconds: a
   thread that has just started may share its core for a millisecond or so
   before the scheduler moves it, and a conv net's budget (a quarter of a
   batch) is that long already, so 8 of them cost a busy machine 16 ms. */
static int initnn__threads_free(int n, double budget)
{
#ifdef _OPENMP
    const double start = initnn__seconds();
    const double patience = 8.0 * budget < INITNN__THREADS_PATIENCE ? 8.0 * budget : INITNN__THREADS_PATIENCE;
    do {
        const double t0 = initnn__seconds();
        int k, in_time = 1;
        for (k = 0; k < 8 && in_time; k++) {
            int done = 0;
#pragma omp parallel num_threads(n) reduction(+ : done)
            done += 1;
            if (done != n) return 0;             /* fewer threads than asked */
            in_time = initnn__seconds() - t0 <= budget;
        }
        if (in_time) return 1;
    } while (initnn__seconds() - start < patience);
    return 0;
#else
    (void)n;
    (void)budget;
    return 1;
#endif
}

/* The machine's runnable tasks in /proc/loadavg's text, its fourth field
   ("0.34 2.05 2.70 2/110 13447": 2 of 110 tasks can run now, the reader
   among them); -1 when the text is not that. */
static int initnn__loadavg_runnable(const char *text)
{
    int runnable, tasks;
    /* The three averages skipped as words: a caller's locale may spell decimals otherwise. */
    if (sscanf(text, "%*s %*s %*s %d/%d", &runnable, &tasks) != 2 || runnable < 0 || tasks < runnable) return -1;
    return runnable;
}

/* The cores /proc/stat lists (its lines "cpu0 ...", "cpu1 ..."; the first
   line, "cpu ...", is their sum); 0 when there is no such file. Read in
   pieces: its "intr" line can be longer than any buffer. */
static int initnn__stat_cores(FILE *f)
{
    char piece[256];
    int cores = 0, line_start = 1;
    while (fgets(piece, sizeof piece, f)) {
        if (line_start && strncmp(piece, "cpu", 3) == 0 && piece[3] >= '0' && piece[3] <= '9') cores++;
        line_start = strchr(piece, '\n') != NULL;
    }
    return cores;
}

/* Whether the other processes' runnable tasks leave fewer cores free than
   our `most` threads: runnable counts the whole machine's, `ours` of them
   are our threads that run now. */
static int initnn__threads_crowded_by(int runnable, int ours, int most, int cores)
{
    return cores > 0 && runnable >= 0 && runnable - ours + most > cores;
}

/* One look at the kernel's count (t->cores > 0). ours: how many of our
   threads run, from the process's CPU time (clock() adds up every thread's,
   a waiting thread that still spins among them) over the wall time since
   the last look; at the first look, before any batch, only the caller's;
   `most` when it cannot be measured, which leans towards a trial. */
static int initnn__threads_look(initnn__threads *t, int first)
{
    char text[128];
    const clock_t cpu = clock();
    const double wall = initnn__seconds();
    int runnable = -1, ours = first ? 1 : t->most;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fgets(text, sizeof text, f)) runnable = initnn__loadavg_runnable(text);
        fclose(f);
    }
    if (!first && cpu != (clock_t)-1 && t->cpu_mark != (clock_t)-1 && cpu >= t->cpu_mark && wall > t->wall_mark) {
        const double rate = (double)(cpu - t->cpu_mark) / (double)CLOCKS_PER_SEC / (wall - t->wall_mark);
        ours = rate < 1.5 ? 1 : rate + 0.5 < (double)t->most ? (int)(rate + 0.5) : t->most;
    }
    t->cpu_mark = cpu;
    t->wall_mark = wall;
    return initnn__threads_crowded_by(runnable, ours, t->most, t->cores);
}

/* The threads' first region starts them; they then settle on their cores. */
static void initnn__threads_start(initnn__threads *t)
{
    if (!t->started) (void)initnn__threads_free(t->most, 0.0);
    t->started = 1;
}

static void initnn__threads_begin(initnn__threads *t)
{
    memset(t, 0, sizeof *t);
#ifdef _OPENMP
    t->most = omp_get_max_threads();
#else
    t->most = 1;
#endif
    t->current = t->most;
    t->retry = INITNN__THREADS_RETRY;
    if (t->most > 1) {                         /* a trial first, one thread first */
        FILE *f = fopen("/proc/stat", "r");
        if (f) {
            const int cores = initnn__stat_cores(f);
            fclose(f);
#ifdef _OPENMP
            if (cores == omp_get_num_procs() && t->most <= cores) t->cores = cores;
#else
            (void)cores;
#endif
        }
        t->trial = 1;
        initnn__threads_use(t, 1);
        t->crowded = t->cores > 0 && initnn__threads_look(t, 1);
        if (!t->crowded) initnn__threads_start(t);
    }
}

/* A trial's end: n threads from now on, and the next trial after twice the
   pause when n won the last one too, else after INITNN__THREADS_RETRY. */
static void initnn__threads_choose(initnn__threads *t, int n)
{
    t->trial = 0;
    t->retry = n != t->chosen ? INITNN__THREADS_RETRY
             : 2.0 * t->retry < INITNN__THREADS_RETRY_MAX ? 2.0 * t->retry : INITNN__THREADS_RETRY_MAX;
    t->chosen = n;
    initnn__threads_use(t, n);
}

/* After each training batch: seconds it took, samples it had. */
static void initnn__threads_batch(initnn__threads *t, double seconds, int samples)
{
    double per_sample;
    if (t->most <= 1 || samples < 1) return;
    if (!t->trial) {
        t->seconds += seconds;
        /* Again after the pause, or at once when every thread is in use
           and a batch ran at less than half the speed of the trial's. */
        if (t->seconds >= t->retry || (t->current > 1 && seconds / samples > 2.0 * t->all_threads)) {
            t->trial = 1;
            initnn__threads_use(t, 1);
            t->crowded = t->cores > 0;          /* until a look says otherwise */
            t->cpu_mark = (clock_t)-1;          /* the next batch's look starts the measure */
        }
        return;
    }
    if (t->trial == 2 && seconds / samples > (t->batch == 0 ? 3.0 : 2.0) * t->one_thread) {
        initnn__threads_choose(t, 1);          /* every thread lost at once */
        return;
    }
    if (t->trial == 1 && t->crowded) {          /* the kernel's count, while it says busy */
        const int first_measure = t->cpu_mark == (clock_t)-1;
        t->crowded = initnn__threads_look(t, 0) || first_measure;
        if (!t->crowded) initnn__threads_start(t);
    }
    if (t->batch++ > 0) {                      /* the first batch is not timed */
        t->samples += samples;
        t->seconds += seconds;
        /* Before a batch on every thread, a cheaper question after each
           timed batch on one: do they all have a core? (Within a quarter
           of a batch's time.) Asked once, it can be answered wrongly: a
           thread that has slept is often let in at once for the
           microseconds a probe lasts, even when it shares its core. */
        if (t->trial == 1 && !t->crowded && !initnn__threads_free(t->most, 0.25 * seconds)) {
            initnn__threads_choose(t, 1);
            return;
        }
    }
    if (t->batch <= INITNN__THREADS_TIMED || (t->trial == 2 && t->seconds < INITNN__THREADS_TRIAL_ALL)) return;
    per_sample = t->seconds / t->samples;
    if (t->trial == 1 && t->crowded) {         /* every look said the cores were taken */
        initnn__threads_choose(t, 1);
        t->chosen = 0;                         /* the clock has not spoken */
        t->retry = INITNN__THREADS_LOOK_AGAIN;
        return;
    }
    if (t->trial == 1) {
        t->one_thread = per_sample;
        t->trial = 2;
        initnn__threads_use(t, t->most);
        return;
    }
    if (per_sample < t->one_thread) t->all_threads = per_sample;
    initnn__threads_choose(t, per_sample < t->one_thread ? t->most : 1);
}

static void initnn__threads_end(const initnn__threads *t)
{
#ifdef _OPENMP
    if (t->most > 1) omp_set_num_threads(t->most);
#else
    (void)t;
#endif
}

#else /* INITNN_REFERENCE: the lessons' own loops */

static void initnn__threads_begin(initnn__threads *t)
{
    memset(t, 0, sizeof *t);
    t->most = t->current = 1;
}

static void initnn__threads_batch(initnn__threads *t, double seconds, int samples)
{
    (void)t; (void)seconds; (void)samples;
}

static void initnn__threads_end(const initnn__threads *t)
{
    (void)t;
}


static void initnn__fast_gemm(float *C, const float *A, int a_trans, const float *B, int b_trans,
                              int M, int K, int N, int accumulate)
{
    if (a_trans) initnn_matmul_tn_naive(C, A, B, M, K, N, accumulate);
    else if (b_trans) initnn_matmul_nt_naive(C, A, B, M, K, N, accumulate);
    else initnn_matmul_naive(C, A, B, M, K, N, accumulate);
}

static int initnn__fast_conv_forward(initnn_layer *l, const float *X, int batch)
{
    (void)l; (void)X; (void)batch;
    return 0;
}

static int initnn__fast_conv_backward(initnn_layer *l, float *dX, const float *X, int batch)
{
    (void)l; (void)dX; (void)X; (void)batch;
    return 0;
}

static int initnn__fast_conv_block_forward(initnn_net *net, int i, const float *X, int batch)
{
    (void)net; (void)i; (void)X; (void)batch;
    return 0;
}

static int initnn__fast_conv_block_backward(initnn_net *net, int i, int batch)
{
    (void)net; (void)i; (void)batch;
    return 0;
}

static void initnn__fast_conv_block_outputs(initnn_net *net, int batch)
{
    (void)net; (void)batch;
}

static int initnn__fast_maxpool_2x2(float *y, int *argmax, const float *x, const initnn_layer *l)
{
    (void)y; (void)argmax; (void)x; (void)l;
    return 0;
}

static size_t initnn__fast_adam_lanes(float *w, float *m, float *v, const float *g, size_t n,
                                      const initnn_optimizer *opt, float inv1, float inv2)
{
    (void)w; (void)m; (void)v; (void)g; (void)n; (void)opt; (void)inv1; (void)inv2;
    return 0;
}

#endif /* INITNN_REFERENCE */

#ifdef __cplusplus
}
#endif

#endif /* INITNN_IMPLEMENTATION_DONE */
#endif /* INITNN_IMPLEMENTATION */

/*
------------------------------------------------------------------------------
This software is available under 2 licenses -- choose whichever you prefer.
------------------------------------------------------------------------------
ALTERNATIVE A - MIT License
Copyright (c) 2026 the initnn authors
Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies
of the Software, and to permit persons to whom the Software is furnished to do
so, subject to the following conditions:
The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
------------------------------------------------------------------------------
ALTERNATIVE B - Public Domain (www.unlicense.org)
This is free and unencumbered software released into the public domain.
Anyone is free to copy, modify, publish, use, compile, sell, or distribute this
software, either in source code form or as a compiled binary, for any purpose,
commercial or non-commercial, and by any means.
In jurisdictions that recognize copyright laws, the author or authors of this
software dedicate any and all copyright interest in the software to the public
domain. We make this dedication in perpetuity for the benefit of the public and
all of its users.
------------------------------------------------------------------------------
*/
