/* initnn.h - v0.1.0 - weight initialization and the training it shapes, in one C99 header
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
   Add -fopenmp to spread the matrix products over cores, and -march=native
   to let the compiler use the CPU's widest vector instructions.

   QUICK START

      initnn_rng rng;
      float *w = (float *)malloc(784 * 256 * sizeof(float));
      initnn_rng_seed(&rng, 42);
      if (initnn_init_fill(w, 784, 256, "he_normal", &rng) != 0)
          fprintf(stderr, "init: %s\n", initnn_last_error());

   CONFIGURATION (define before the include that has INITNN_IMPLEMENTATION)

      INITNN_MALLOC(size), INITNN_FREE(ptr)
                        the allocator; define both or neither.
      INITNN_ASSERT(x)  internal consistency checks (default: assert.h).
                        Bad input never reaches an assert: it is an error code.
      INITNN_STATIC     make every function static to the including file.
      INITNN_NO_SIMD    use the portable loops even where AVX2/FMA is enabled.

   CONVENTIONS

      - A dense layer computes Y = X W + b. X is (batch, fan_in), W is
        (fan_in, fan_out), Y is (batch, fan_out); every matrix is float32,
        row-major, contiguous.
      - Functions that can fail return int: 0 on success, a negative
        INITNN_ERR_* code otherwise, and initnn_last_error() then says what
        was wrong and names the bad value. On failure nothing the caller
        passed in has been modified.
      - Randomness comes only from an initnn_rng the caller owns; there is no
        hidden global generator. The same seed gives the same bits on every
        platform and compiler (see the RNG section for the fine print).
      - The library never prints, never exits, never aborts on bad input.

   CONTENTS (sections of the declarations and of the implementation)

      1. Errors and configuration
      2. Random numbers      PCG32, uniform, normal (polar method), truncated normal
      3. Arrays and matrix products
                             C = A B, C = A B^T, C = A^T B (optionally C += ...),
                             their naive references, array statistics, histograms
      4. Initializers        zeros, constant, random normal/uniform, truncated
                             normal, Glorot/Xavier, He/Kaiming, LeCun, variance
                             scaling, orthogonal, sparse, identity; spec strings;
                             activation gains

   REVISION HISTORY

      0.1.0  (2026-11-26)  RNG, matrix products, initializers, statistics.
*/

#ifndef INITNN_H_INCLUDED
#define INITNN_H_INCLUDED

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define INITNN_VERSION "0.1.0"

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

/* The largest number of elements in one array. Sizes are ints throughout, so
   an index always fits; a product of dimensions beyond this is
   INITNN_ERR_OVERFLOW, never a wrap-around or a huge allocation. */
#define INITNN_MAX_ELEMENTS 2147483647

/* The message of the last error raised on this thread: which function, which
   value, why. "" when no error has happened. The string stays valid until the
   next failing call on the same thread. */
INITNNDEF const char *initnn_last_error(void);

/* Clears the message (initnn_last_error() returns "" afterwards). */
INITNNDEF void initnn_clear_error(void);

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
   outside it (bound > 0; for bound = 2 about 4.6% of draws are redrawn).
   Its standard deviation is below 1: 0.87962566103423978 for bound 2. */
INITNNDEF float initnn_rng_truncated_normal(initnn_rng *rng, float bound);

/* Fisher-Yates shuffle of perm[0..n-1] in place (Knuth vol. 2, Algorithm P). */
INITNNDEF void initnn_rng_shuffle(initnn_rng *rng, int *perm, int n);

/* ============================================================================
   3. Arrays and matrix products

   Shapes follow the math: A is (M, K), B is (K, N), C is (M, N), all
   row-major. Each product overwrites C, or adds to it when accumulate != 0
   (backprop sums gradients over a batch and over layers that share inputs).

   The fast versions are cache-blocked with a register-tiled inner kernel that
   gcc and clang vectorize at -O2/-O3; with -march flags that enable AVX2 and
   FMA a hand-written kernel is used (INITNN_NO_SIMD turns it off). With
   -fopenmp rows of C are shared between threads; each element of C is always
   computed by the same sequence of operations, so the result does not depend
   on the number of threads. Their results differ from the naive references
   only by the rounding of a different summation order.
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

/* Fills *out with the statistics of x[0..n-1]. n may be 0 (all fields 0). */
INITNNDEF void initnn_stats_compute(initnn_stats *out, const float *x, size_t n);

INITNNDEF double initnn_mean(const float *x, size_t n);
INITNNDEF double initnn_variance(const float *x, size_t n);
INITNNDEF double initnn_second_moment(const float *x, size_t n);

/* Counts x[0..n-1] into bins equal-width bins over [lo, hi); values below lo
   go to bin 0, values at or above hi to the last bin, NaN nowhere.
   Returns INITNN_ERR_ARGUMENT if bins < 1, lo >= hi, or a pointer is NULL. */
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
      variance_scaling:scale,mode,distribution
                       mode fan_in|fan_out|fan_avg,
                       distribution normal|truncated_normal|uniform
      orthogonal[:gain]                 QR of a Gaussian matrix, times gain
      sparse[:k[,std]]                  k nonzero N(0, std^2) inputs per unit
      identity[:gain]                   gain on the diagonal

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
    INITNN_INIT_IDENTITY               /* param[0] = gain                       */
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

/* Fills w, a (fan_in, fan_out) row-major matrix, as the spec says.
   Returns 0, or an error code with initnn_last_error() set and w untouched:
   a NULL pointer, fan_in or fan_out < 1, fan_in * fan_out above
   INITNN_MAX_ELEMENTS, a bad spec, or (orthogonal only) out of memory. */
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
INITNNDEF void initnn_random_normal(float *w, size_t n, float mean, float std, initnn_rng *rng);

/* w ~ U(lo, hi). Var = (hi - lo)^2 / 12. */
INITNNDEF void initnn_random_uniform(float *w, size_t n, float lo, float hi, initnn_rng *rng);

/* w ~ N(mean, std^2) with every draw beyond 2 std redrawn (as Keras'
   TruncatedNormal and torch.nn.init.trunc_normal_ with a, b = +-2 std).
   Its variance is (0.87962566 std)^2, not std^2. */
INITNNDEF void initnn_truncated_normal(float *w, size_t n, float mean, float std, initnn_rng *rng);

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
      "tanh"                           5/3    (empirical, PyTorch's table; the
                                               second-moment-preserving value is ~1.59)
      "relu"                           sqrt(2)  (He et al. 2015: E[relu(z)^2] = Var(z)/2)
      "leaky_relu"                     sqrt(2 / (1 + param^2)), param = negative slope
      "selu"                           3/4    (PyTorch's choice, to be used with
                                               fan_in and a linear-preserving init)
   Returns the gain, or 0 with initnn_last_error() set for an unknown name. */
INITNNDEF float initnn_gain(const char *activation, float param);

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

#if defined(__AVX2__) && defined(__FMA__) && !defined(INITNN_NO_SIMD)
#define INITNN__AVX2 1
#include <immintrin.h>
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

#ifdef __cplusplus
extern "C" {
#endif

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
    va_list args;
    va_start(args, format);
    vsnprintf(initnn__error_message, sizeof initnn__error_message, format, args);
    va_end(args);
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

/* ---- the fast products ---------------------------------------------------
   All three reduce to one blocked kernel over "row access" functions:
   C = A B reads A by rows and B by rows; C = A B^T reads B^T, i.e. B by
   columns; C = A^T B reads A by columns. Rather than three kernels the
   operand that is read the wrong way is repacked, block by block, into a
   small buffer on the stack; packing costs O(K N) against the O(M K N) of
   the product. */

#define INITNN__KC 256     /* depth of a block: a KC x NC panel of B stays in L2 */
#define INITNN__NC 256
#define INITNN__MR 4       /* rows of C computed together in registers        */

/* C[0..mr-1][0..nc-1] += A[0..mr-1][0..kc-1] Bp[0..kc-1][0..nc-1], where A has
   row stride lda and the packed panel Bp has row stride nc. */
static void initnn__kernel(float *C, int ldc, const float *A, int lda,
                           const float *Bp, int mr, int kc, int nc)
{
    int i, j, k;
    if (mr == INITNN__MR) {
        float *c0 = C, *c1 = C + ldc, *c2 = C + 2 * ldc, *c3 = C + 3 * ldc;
        const float *a0 = A, *a1 = A + lda, *a2 = A + 2 * lda, *a3 = A + 3 * lda;
        for (k = 0; k < kc; k++) {
            const float *b = Bp + (size_t)k * nc;
            float x0 = a0[k], x1 = a1[k], x2 = a2[k], x3 = a3[k];
            for (j = 0; j < nc; j++) {
                float bj = b[j];
                c0[j] += x0 * bj;
                c1[j] += x1 * bj;
                c2[j] += x2 * bj;
                c3[j] += x3 * bj;
            }
        }
        return;
    }
    for (i = 0; i < mr; i++) {
        float *c = C + (size_t)i * ldc;
        const float *a = A + (size_t)i * lda;
        for (k = 0; k < kc; k++) {
            const float *b = Bp + (size_t)k * nc;
            float x = a[k];
            for (j = 0; j < nc; j++) c[j] += x * b[j];
        }
    }
}

/* The shared driver. op_a / op_b say whether A / B are stored transposed:
   element (i, k) of the logical A is A[i*lda + k] or A[k*lda + i]. */
static void initnn__gemm(float *C, const float *A, int a_trans, const float *B, int b_trans,
                         int M, int K, int N, int accumulate)
{
    int lda = a_trans ? M : K;   /* row length of A as stored */
    int ldb = b_trans ? K : N;   /* row length of B as stored */
    int i0;
    if (M <= 0 || N <= 0) return;
    if (!accumulate) memset(C, 0, (size_t)M * (size_t)N * sizeof(float));
    if (K <= 0) return;
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if ((double)M * K * N > 2e6)
#endif
    for (i0 = 0; i0 < M; i0 += INITNN__MR * 16) {
        float bpack[INITNN__KC * INITNN__NC];
        float apack[INITNN__MR * 16 * INITNN__KC];
        int i1 = i0 + INITNN__MR * 16 < M ? i0 + INITNN__MR * 16 : M;
        int k0, j0;
        for (k0 = 0; k0 < K; k0 += INITNN__KC) {
            int kc = K - k0 < INITNN__KC ? K - k0 : INITNN__KC;
            const float *ablock;
            int ablock_ld;
            /* The rows i0..i1-1 of A restricted to k0..k0+kc-1, row-major. */
            if (a_trans) {
                int i, k;
                for (i = i0; i < i1; i++)
                    for (k = 0; k < kc; k++)
                        apack[(size_t)(i - i0) * kc + k] = A[(size_t)(k0 + k) * lda + i];
                ablock = apack;
                ablock_ld = kc;
            } else {
                ablock = A + (size_t)i0 * lda + k0;
                ablock_ld = lda;
            }
            for (j0 = 0; j0 < N; j0 += INITNN__NC) {
                int nc = N - j0 < INITNN__NC ? N - j0 : INITNN__NC;
                int k, j, i;
                for (k = 0; k < kc; k++) {
                    float *dst = bpack + (size_t)k * nc;
                    if (b_trans) {
                        for (j = 0; j < nc; j++) dst[j] = B[(size_t)(j0 + j) * ldb + k0 + k];
                    } else {
                        memcpy(dst, B + (size_t)(k0 + k) * ldb + j0, (size_t)nc * sizeof(float));
                    }
                }
                for (i = i0; i < i1; i += INITNN__MR) {
                    int mr = i1 - i < INITNN__MR ? i1 - i : INITNN__MR;
                    initnn__kernel(C + (size_t)i * N + j0, N,
                                   ablock + (size_t)(i - i0) * ablock_ld, ablock_ld,
                                   bpack, mr, kc, nc);
                }
            }
        }
    }
}

INITNNDEF void initnn_matmul(float *C, const float *A, const float *B,
                             int M, int K, int N, int accumulate)
{
    initnn__gemm(C, A, 0, B, 0, M, K, N, accumulate);
}

INITNNDEF void initnn_matmul_nt(float *C, const float *A, const float *B,
                                int M, int K, int N, int accumulate)
{
    initnn__gemm(C, A, 0, B, 1, M, K, N, accumulate);
}

INITNNDEF void initnn_matmul_tn(float *C, const float *A, const float *B,
                                int M, int K, int N, int accumulate)
{
    initnn__gemm(C, A, 1, B, 0, M, K, N, accumulate);
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
    if (!(lo < hi))
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_histogram: need lo < hi, got lo = %g, hi = %g",
                            (double)lo, (double)hi);
    width = ((double)hi - (double)lo) / bins;
    memset(counts, 0, (size_t)bins * sizeof *counts);
    for (i = 0; i < n; i++) {
        double b;
        int bin;
        if (x[i] != x[i]) continue;
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

INITNNDEF void initnn_random_normal(float *w, size_t n, float mean, float std, initnn_rng *rng)
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

INITNNDEF void initnn_truncated_normal(float *w, size_t n, float mean, float std, initnn_rng *rng)
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
        initnn_truncated_normal(w, n_elements, 0.0f, (float)(sqrt(variance) / INITNN_TRUNC2_STD), rng);
    } else {
        initnn_random_normal(w, n_elements, 0.0f, (float)sqrt(variance), rng);
    }
}

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
    a = (double *)INITNN_MALLOC(count * sizeof(double));
    u = (double *)INITNN_MALLOC(count * sizeof(double));
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

static const char *const initnn__init_names[] = {
    "zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal",
    "glorot_normal", "xavier_normal", "glorot_uniform", "xavier_uniform",
    "he_normal", "kaiming_normal", "he_uniform", "kaiming_uniform",
    "lecun_normal", "lecun_uniform", "variance_scaling", "orthogonal", "sparse", "identity"
};

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
    int np = 0, min_np = 0, max_np = 0;

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

    /* Every other initializer takes numbers only. */
    if      (!strcmp(name, "zeros") || !strcmp(name, "ones")) max_np = 0;
    else if (!strcmp(name, "constant")) min_np = max_np = 1;
    else if (!strcmp(name, "random_normal") || !strcmp(name, "truncated_normal")) max_np = 2;
    else if (!strcmp(name, "random_uniform")) { min_np = 2; max_np = 2; }
    else if (!strcmp(name, "glorot_normal") || !strcmp(name, "xavier_normal") ||
             !strcmp(name, "glorot_uniform") || !strcmp(name, "xavier_uniform") ||
             !strcmp(name, "he_normal") || !strcmp(name, "kaiming_normal") ||
             !strcmp(name, "he_uniform") || !strcmp(name, "kaiming_uniform") ||
             !strcmp(name, "orthogonal") || !strcmp(name, "identity")) max_np = 1;
    else if (!strcmp(name, "lecun_normal") || !strcmp(name, "lecun_uniform")) max_np = 0;
    else if (!strcmp(name, "sparse")) max_np = 2;
    else {
        const char *best = NULL;
        int best_distance = 4;
        size_t i;
        for (i = 0; i < sizeof initnn__init_names / sizeof initnn__init_names[0]; i++) {
            int d = initnn__edit_distance(name, initnn__init_names[i]);
            if (d < best_distance) { best_distance = d; best = initnn__init_names[i]; }
        }
        if (best)
            return initnn__fail(INITNN_ERR_SPEC, "unknown initializer '%s' in spec '%s' (did you mean '%s'?)",
                                name, spec, best);
        return initnn__fail(INITNN_ERR_SPEC, "unknown initializer '%s' in spec '%s'", name, spec);
    }
    if (args && max_np == 0)
        return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': '%s' takes no parameters", spec, name);
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
        r.param[0] = p[0];
        r.param[1] = p[1];
        if (!(p[0] < p[1]))
            return initnn__fail(INITNN_ERR_SPEC, "init spec '%s': need lo < hi, got %g, %g", spec, p[0], p[1]);
    } else if (!strcmp(name, "orthogonal") || !strcmp(name, "identity")) {
        r.kind = name[0] == 'o' ? INITNN_INIT_ORTHOGONAL : INITNN_INIT_IDENTITY;
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
    }
    *out = r;
    return INITNN_OK;
}

INITNNDEF int initnn_init_fill_fans(float *w, int rows, int cols, int fan_in, int fan_out,
                                    const initnn_init_spec *spec, initnn_rng *rng)
{
    int err;
    size_t n = initnn__count2("initnn_init_fill", "rows", rows, "cols", cols, &err);
    if (!n) return err;
    if (fan_in < 1) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_fill: fan_in must be >= 1, got %d", fan_in);
    if (fan_out < 1) return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_fill: fan_out must be >= 1, got %d", fan_out);
    if (!w || !spec || !rng)
        return initnn__fail(INITNN_ERR_ARGUMENT, "initnn_init_fill: NULL %s", !w ? "w" : !spec ? "spec" : "rng");
    switch (spec->kind) {
    case INITNN_INIT_CONSTANT:
        initnn_constant(w, n, (float)spec->param[0]);
        return INITNN_OK;
    case INITNN_INIT_NORMAL:
        initnn_random_normal(w, n, (float)spec->param[1], (float)spec->param[0], rng);
        return INITNN_OK;
    case INITNN_INIT_UNIFORM:
        initnn_random_uniform(w, n, (float)spec->param[0], (float)spec->param[1], rng);
        return INITNN_OK;
    case INITNN_INIT_TRUNCATED_NORMAL:
        initnn_truncated_normal(w, n, (float)spec->param[1], (float)spec->param[0], rng);
        return INITNN_OK;
    case INITNN_INIT_VARIANCE_SCALING:
        initnn_variance_scaling(w, n, fan_in, fan_out, spec->param[0], spec->mode, spec->distribution, rng);
        return INITNN_OK;
    case INITNN_INIT_ORTHOGONAL:
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
    return initnn_init_fill_fans(w, fan_in, fan_out, fan_in, fan_out, &parsed, rng);
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
