/* test_matmul.c - the fast matrix products against the naive references.

   The naive triple loops are checked against a product worked out by hand;
   the fast products (initnn_matmul, _nt, _tn) are then checked against the
   naive ones on shapes chosen to hit every edge of the blocking: 1x1x1, single
   rows and columns, odd sizes, and sizes just past the block sizes (64 rows,
   256 deep, 256 wide), with and without accumulate.

   Tolerance. The naive reference sums in double and rounds once, so it is
   within u |C| of the exact product, u = 2^-24. A float dot product of K terms
   summed in any order (blocked, vectorized, with or without FMA) is within
   gamma_K sum_k |a_ik| |b_kj| of the exact value, gamma_K = K u / (1 - K u)
   (Higham, Accuracy and Stability of Numerical Algorithms, 2nd ed., 3.1);
   with accumulate the prior C is one more term. Hence, elementwise,

       |C - C_ref| <= (K + 2) u (|C_prior| + sum_k |a_ik| |b_kj|) + 1e-30,

   a bound no correct summation order can exceed and that a wrong index, a
   skipped block or a missed row exceeds by orders of magnitude. Products of
   small integers are exact in float, and there the fast products must agree
   with the references bit for bit. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#ifdef _OPENMP
#include <omp.h>
#endif

typedef void (*product_fn)(float *C, const float *A, const float *B, int M, int K, int N, int accumulate);

typedef struct {
    const char *name;
    product_fn fast, naive;
    int a_transposed;    /* A is stored (K, M) */
    int b_transposed;    /* B is stored (N, K) */
} product;

static const product products[3] = {
    {"initnn_matmul", initnn_matmul, initnn_matmul_naive, 0, 0},
    {"initnn_matmul_nt", initnn_matmul_nt, initnn_matmul_nt_naive, 0, 1},
    {"initnn_matmul_tn", initnn_matmul_tn, initnn_matmul_tn_naive, 1, 0}
};

/* (M, K, N) */
static const int shapes[][3] = {
    {1, 1, 1}, {1, 300, 1}, {1, 1, 300}, {300, 1, 1}, {1, 64, 300}, {300, 64, 1},
    {7, 13, 5}, {257, 129, 65}, {64, 300, 17}, {65, 257, 257}, {5, 513, 263}, {129, 256, 3},
    {4, 4, 4}, {3, 3, 3}
};
#define SHAPE_COUNT ((int)(sizeof shapes / sizeof shapes[0]))
#define RANDOM_SHAPES 6

static float element_a(const product *p, const float *A, int M, int K, int i, int k)
{
    return p->a_transposed ? A[(size_t)k * M + i] : A[(size_t)i * K + k];
}

static float element_b(const product *p, const float *B, int K, int N, int k, int j)
{
    return p->b_transposed ? B[(size_t)j * K + k] : B[(size_t)k * N + j];
}

static void fill_uniform(float *x, size_t n, initnn_rng *rng)
{
    size_t i;
    for (i = 0; i < n; i++) x[i] = 2.0f * initnn_rng_uniform(rng) - 1.0f;
}

/* Small integers in [-4, 4]: every product and partial sum (below 2^24) is
   exact in float, whatever the order. */
static void fill_small_integers(float *x, size_t n, initnn_rng *rng)
{
    size_t i;
    for (i = 0; i < n; i++) x[i] = (float)((int)initnn_rng_below(rng, 9) - 4);
}

/* The shape of test number s: the fixed list, then random odd shapes. */
static void shape_of(int s, initnn_rng *rng, int *M, int *K, int *N)
{
    if (s < SHAPE_COUNT) {
        *M = shapes[s][0];
        *K = shapes[s][1];
        *N = shapes[s][2];
    } else {
        *M = 1 + 2 * (int)initnn_rng_below(rng, 100);
        *K = 1 + 2 * (int)initnn_rng_below(rng, 150);
        *N = 1 + 2 * (int)initnn_rng_below(rng, 100);
    }
}

/* Runs the fast product p on random A, B (and a random prior C when
   accumulate) and compares it with the naive one, elementwise within the
   rounding bound above (exact == 1: bit for bit, on small integers). Also
   checks that A and B are unchanged and that nothing after C is written. */
static void compare_with_naive(const product *p, int M, int K, int N, int accumulate, int exact,
                               initnn_rng *rng)
{
    enum { GUARD = 16 };
    size_t na = (size_t)M * K, nb = (size_t)K * N, nc = (size_t)M * N, t;
    float *A = (float *)malloc(na * sizeof(float)), *B = (float *)malloc(nb * sizeof(float));
    float *A_copy = (float *)malloc(na * sizeof(float)), *B_copy = (float *)malloc(nb * sizeof(float));
    float *C = (float *)malloc((nc + GUARD) * sizeof(float)), *C_ref = (float *)malloc(nc * sizeof(float));
    float *tol = (float *)malloc(nc * sizeof(float));
    const float guard_value = 1234.5f;
    double largest = 0.0;
    char label[128];
    int i, j, k;

    CHECK(A && B && A_copy && B_copy && C && C_ref && tol, "out of memory");
    if (exact) {
        fill_small_integers(A, na, rng);
        fill_small_integers(B, nb, rng);
        fill_small_integers(C, nc, rng);
    } else {
        fill_uniform(A, na, rng);
        fill_uniform(B, nb, rng);
        fill_uniform(C, nc, rng);
    }
    for (t = 0; t < GUARD; t++) C[nc + t] = guard_value;
    memcpy(A_copy, A, na * sizeof(float));
    memcpy(B_copy, B, nb * sizeof(float));
    memcpy(C_ref, C, nc * sizeof(float));

    for (i = 0; i < M; i++)
        for (j = 0; j < N; j++) {
            double magnitude = accumulate ? fabs((double)C[(size_t)i * N + j]) : 0.0;
            for (k = 0; k < K; k++)
                magnitude += fabs((double)element_a(p, A, M, K, i, k) * element_b(p, B, K, N, k, j));
            tol[(size_t)i * N + j] = (float)((K + 2) * 5.9604644775390625e-8 * magnitude + 1e-30);
        }

    p->naive(C_ref, A, B, M, K, N, accumulate);
    p->fast(C, A, B, M, K, N, accumulate);

    snprintf(label, sizeof label, "%s M=%d K=%d N=%d accumulate=%d%s", p->name, M, K, N, accumulate,
             exact ? " (small integers)" : "");
    if (exact)
        CHECK_FLOATS_EQUAL(label, C, C_ref, nc);
    else
        CHECK_FLOATS_NEAR(label, C, C_ref, nc, tol);
    for (t = 0; t < nc; t++)
        if (fabs(C_ref[t]) > largest) largest = fabs(C_ref[t]);
    /* Not a comparison of zeros with zeros. */
    CHECK(largest > 0.0, "%s: the reference product is all zeros", label);
    CHECK(memcmp(A, A_copy, na * sizeof(float)) == 0, "%s modified A", label);
    CHECK(memcmp(B, B_copy, nb * sizeof(float)) == 0, "%s modified B", label);
    for (t = 0; t < GUARD; t++)
        CHECK(C[nc + t] == guard_value, "%s wrote C[%lu], past its %lu elements", label,
              (unsigned long)(nc + t), (unsigned long)nc);
    free(A);
    free(B);
    free(A_copy);
    free(B_copy);
    free(C);
    free(C_ref);
    free(tol);
}

static void check_product_on_every_shape(const product *p, int exact)
{
    initnn_rng rng;
    int s, accumulate;
    initnn_rng_seed(&rng, 500 + (uint64_t)exact);
    for (s = 0; s < SHAPE_COUNT + RANDOM_SHAPES; s++) {
        int M, K, N;
        shape_of(s, &rng, &M, &K, &N);
        for (accumulate = 0; accumulate <= 1; accumulate++) {
            compare_with_naive(p, M, K, N, accumulate, exact, &rng);
            if (TESTING_FAILED) return;
        }
    }
}

/* ---- the references ------------------------------------------------------------- */

static void naive_products_match_a_product_worked_by_hand(void)
{
    /* A = [1 2 3; 4 5 6], B = [7 8; 9 10; 11 12]:
       A B = [1*7+2*9+3*11  1*8+2*10+3*12; 4*7+5*9+6*11  4*8+5*10+6*12]
           = [58 64; 139 154]. */
    static const float A[6] = {1, 2, 3, 4, 5, 6};
    static const float B[6] = {7, 8, 9, 10, 11, 12};
    static const float A_transposed[6] = {1, 4, 2, 5, 3, 6};     /* (K, M) = (3, 2) */
    static const float B_transposed[6] = {7, 9, 11, 8, 10, 12};  /* (N, K) = (2, 3) */
    static const float want[4] = {58, 64, 139, 154};
    static const float want_plus_prior[4] = {59, 63, 139.5f, 164};
    static const float prior[4] = {1, -1, 0.5f, 10};
    float C[4];
    int p;
    for (p = 0; p < 3; p++) {
        const float *a = products[p].a_transposed ? A_transposed : A;
        const float *b = products[p].b_transposed ? B_transposed : B;
        memcpy(C, prior, sizeof C);
        products[p].naive(C, a, b, 2, 3, 2, 0);
        CHECK_FLOATS_EQUAL(products[p].name, C, want, 4);
        memcpy(C, prior, sizeof C);
        products[p].naive(C, a, b, 2, 3, 2, 1);
        CHECK_FLOATS_EQUAL(products[p].name, C, want_plus_prior, 4);
        /* And the fast product on the same example. */
        memcpy(C, prior, sizeof C);
        products[p].fast(C, a, b, 2, 3, 2, 0);
        CHECK_FLOATS_EQUAL(products[p].name, C, want, 4);
        memcpy(C, prior, sizeof C);
        products[p].fast(C, a, b, 2, 3, 2, 1);
        CHECK_FLOATS_EQUAL(products[p].name, C, want_plus_prior, 4);
    }
}

/* ---- fast against naive --------------------------------------------------------- */

static void matmul_equals_the_naive_product_within_float_rounding(void)
{
    check_product_on_every_shape(&products[0], 0);
}

static void matmul_nt_equals_the_naive_product_within_float_rounding(void)
{
    check_product_on_every_shape(&products[1], 0);
}

static void matmul_tn_equals_the_naive_product_within_float_rounding(void)
{
    check_product_on_every_shape(&products[2], 0);
}

static void products_of_small_integers_are_exact_in_every_variant(void)
{
    int p;
    for (p = 0; p < 3 && !TESTING_FAILED; p++) check_product_on_every_shape(&products[p], 1);
}

static void accumulate_adds_the_product_to_the_prior_c(void)
{
    /* C += A B on C = 1 gives 1 + (A B); the same product on C = 0 gives A B:
       the two differ by exactly 1 when every value is a small integer. */
    enum { M = 70, K = 300, N = 33 };
    static float A[M * K], B[K * N], with_prior[M * N], without[M * N];
    initnn_rng rng;
    int p, t;
    initnn_rng_seed(&rng, 600);
    fill_small_integers(A, M * K, &rng);
    fill_small_integers(B, K * N, &rng);
    for (p = 0; p < 3; p++) {
        for (t = 0; t < M * N; t++) { with_prior[t] = 1.0f; without[t] = 0.0f; }
        products[p].fast(with_prior, A, B, M, K, N, 1);
        products[p].fast(without, A, B, M, K, N, 1);
        for (t = 0; t < M * N; t++)
            CHECK(with_prior[t] == without[t] + 1.0f, "%s: C[%d] = %g with prior 1, %g with prior 0",
                  products[p].name, t, with_prior[t], without[t]);
    }
}

static void without_accumulate_the_prior_c_is_ignored_even_if_nan(void)
{
    /* Overwriting must not read C: 0 * NaN is NaN, so a kernel that scales
       the old C by 0 instead of ignoring it would leave NaNs. */
    enum { M = 19, K = 23, N = 300 };
    static float A[M * K], B[K * N], C[M * N], C_ref[M * N];
    initnn_rng rng;
    int p, t;
    initnn_rng_seed(&rng, 601);
    fill_small_integers(A, M * K, &rng);
    fill_small_integers(B, K * N, &rng);
    for (p = 0; p < 3; p++) {
        for (t = 0; t < M * N; t++) C[t] = (float)NAN;
        products[p].fast(C, A, B, M, K, N, 0);
        products[p].naive(C_ref, A, B, M, K, N, 0);
        CHECK_FLOATS_EQUAL(products[p].name, C, C_ref, M * N);
    }
}

static void an_empty_inner_dimension_gives_zeros_or_leaves_c(void)
{
    /* K = 0: the product is an empty sum, 0; with accumulate C stays. */
    float C[6] = {1, 2, 3, 4, 5, 6};
    static const float zeros[6] = {0, 0, 0, 0, 0, 0};
    static const float original[6] = {1, 2, 3, 4, 5, 6};
    float dummy[1] = {0};
    int p;
    for (p = 0; p < 3; p++) {
        memcpy(C, original, sizeof C);
        products[p].fast(C, dummy, dummy, 2, 0, 3, 1);
        CHECK_FLOATS_EQUAL(products[p].name, C, original, 6);
        products[p].fast(C, dummy, dummy, 2, 0, 3, 0);
        CHECK_FLOATS_EQUAL(products[p].name, C, zeros, 6);
    }
}

#ifdef _OPENMP
/* The threads share out tiles of C and never split a sum (the blocks of K
   are cut by K alone), so a product has the same bits on any thread count:
   the MLP's shapes and the conv layers' (784 rows into blocks for 2 and for
   3 threads, 1600 rows, edges past every block size), each variant, with and
   without accumulate, on 1, 2 and 3 threads. */
static void products_give_the_same_bits_on_1_2_and_3_threads(void)
{
    static const int big[][3] = {
        {128, 784, 256}, {784, 128, 256}, {128, 256, 784}, {256, 128, 128}, {128, 128, 10},
        {1600, 64, 128}, {64, 1600, 128}, {288, 121, 64}, {64, 288, 121}, {257, 300, 263}, {130, 513, 70}
    };
    const int saved = omp_get_max_threads();
    initnn_rng rng;
    int v, k, t, accumulate, checked = 0;
    initnn_rng_seed(&rng, 4100);
    for (v = 0; v < 3; v++)
        for (k = 0; k < (int)(sizeof big / sizeof big[0]); k++)
            for (accumulate = 0; accumulate < 2; accumulate++) {
                const int M = big[k][0], K = big[k][1], N = big[k][2];
                float *A = (float *)malloc((size_t)M * K * sizeof(float));
                float *B = (float *)malloc((size_t)K * N * sizeof(float));
                float *C0 = (float *)malloc((size_t)M * N * sizeof(float));
                float *C = (float *)malloc((size_t)M * N * sizeof(float));
                float *prior = (float *)malloc((size_t)M * N * sizeof(float));
                size_t i;
                int same = 1, bad_threads = 0;
                CHECK(A && B && C0 && C && prior, "out of memory");
                for (i = 0; i < (size_t)M * K; i++) A[i] = initnn_rng_normal(&rng);
                for (i = 0; i < (size_t)K * N; i++) B[i] = initnn_rng_normal(&rng);
                for (i = 0; i < (size_t)M * N; i++) prior[i] = initnn_rng_normal(&rng);
                for (t = 1; t <= 3 && same; t++) {
                    float *out = t == 1 ? C0 : C;
                    omp_set_num_threads(t);
                    memcpy(out, prior, (size_t)M * N * sizeof(float));
                    products[v].fast(out, A, B, M, K, N, accumulate);
                    if (t > 1 && memcmp(C0, C, (size_t)M * N * sizeof(float)) != 0) { same = 0; bad_threads = t; }
                }
                omp_set_num_threads(saved);
                free(A); free(B); free(C0); free(C); free(prior);
                CHECK(same, "%s %d x %d x %d%s: %d threads give other bits than 1", products[v].name, M, K, N,
                      accumulate ? " (accumulate)" : "", bad_threads);
                checked++;
            }
    CHECK(checked == 3 * 11 * 2, "checked %d products", checked);
}
#endif

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(naive_products_match_a_product_worked_by_hand);
    RUN_TEST(matmul_equals_the_naive_product_within_float_rounding);
    RUN_TEST(matmul_nt_equals_the_naive_product_within_float_rounding);
    RUN_TEST(matmul_tn_equals_the_naive_product_within_float_rounding);
    RUN_TEST(products_of_small_integers_are_exact_in_every_variant);
    RUN_TEST(accumulate_adds_the_product_to_the_prior_c);
    RUN_TEST(without_accumulate_the_prior_c_is_ignored_even_if_nan);
    RUN_TEST(an_empty_inner_dimension_gives_zeros_or_leaves_c);
#ifdef _OPENMP
    RUN_TEST(products_give_the_same_bits_on_1_2_and_3_threads);
#else
    testing_skip("products_give_the_same_bits_on_1_2_and_3_threads", "built without OpenMP (the [native] build has it)");
#endif
    return testing_finish();
}
