/* test_conv_forward.c - convolution, im2col/col2im, pooling, flatten and the
   conv diagnostics against references written here from the definitions.

   The conv reference is the direct formula, a nested loop in double:
      z[b][o][oy][ox] = bias[o] + sum_c sum_i sum_j W[(c,i,j)][o]
                        * x[b][c][oy s + i - pad_top][ox s + j - pad_left]
   with x = 0 outside the image, row (c, i, j) of W at (c k_h + i) k_w + j,
   and the output size and padding from the documented rules, recomputed
   here: "same" H_out = ceil(H / s), total padding
   max((H_out - 1) s + k - H, 0) of which the top gets the floor of half;
   "valid" H_out = floor((H - k) / s) + 1, no padding.
   initnn sums the same K = c_in k_h k_w + 1 terms in float in another order,
   so each output may differ from the exact value by Higham's bound
   gamma_{K+1} sum |terms| <= (K + 2) 2^-24 (|b| + sum |W| |x|), the
   tolerance used (product roundings included). Max pooling is compared
   bit for bit; average pooling within (k^2 + 2) 2^-24 sum |x| / k^2. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

#define UNIT_ROUNDOFF 5.9604644775390625e-8   /* 2^-24 */

/* ---- references ------------------------------------------------------------------ */

/* The documented output size and leading padding along one axis. */
static void conv_axis(int in, int k, int stride, int same, int *out, int *pad_before)
{
    if (same) {
        int total;
        *out = (in + stride - 1) / stride;
        total = (*out - 1) * stride + k - in;
        *pad_before = total > 0 ? total / 2 : 0;
    } else {
        *out = (in - k) / stride + 1;
        *pad_before = 0;
    }
}

typedef struct conv_shape {
    int c_in, h, w, c_out, kh, kw, stride, same, batch;
} conv_shape;

/* z (batch, c_out, oh, ow) and the bound sum |terms| for each output. */
static void conv_reference(double *z, double *magnitude, const conv_shape *s, const float *x, const float *W,
                           const float *bias, int oh, int ow, int pad_top, int pad_left)
{
    int b, o, oy, ox, c, i, j;
    for (b = 0; b < s->batch; b++)
        for (o = 0; o < s->c_out; o++)
            for (oy = 0; oy < oh; oy++)
                for (ox = 0; ox < ow; ox++) {
                    double sum = bias[o], mag = fabs((double)bias[o]);
                    for (c = 0; c < s->c_in; c++)
                        for (i = 0; i < s->kh; i++)
                            for (j = 0; j < s->kw; j++) {
                                int y = oy * s->stride + i - pad_top, xx = ox * s->stride + j - pad_left;
                                double w, v;
                                if (y < 0 || y >= s->h || xx < 0 || xx >= s->w) continue;
                                w = W[((c * s->kh + i) * s->kw + j) * s->c_out + o];
                                v = x[((b * s->c_in + c) * s->h + y) * s->w + xx];
                                sum += w * v;
                                mag += fabs(w * v);
                            }
                    z[((b * s->c_out + o) * oh + oy) * ow + ox] = sum;
                    magnitude[((b * s->c_out + o) * oh + oy) * ow + ox] = mag;
                }
}

/* ---- conv forward ------------------------------------------------------------------ */

#define CONV_MAX 4096   /* floats of the largest case's input or output batch */

static void check_conv_case(const conv_shape *s, uint64_t seed)
{
    static float x[CONV_MAX], got[CONV_MAX], want[CONV_MAX], tol[CONV_MAX];
    static double z[CONV_MAX], mag[CONV_MAX];
    int n_in = s->c_in * s->h * s->w, k = s->c_in * s->kh * s->kw, oh, ow, pad_top, pad_left, i, err;
    int shape[5], same_as_z = 0;
    size_t n_out, q;
    initnn_net *net = NULL;
    initnn_rng rng;
    const float *y;
    const initnn_layer *L;
    char label[160];

    conv_axis(s->h, s->kh, s->stride, s->same, &oh, &pad_top);
    conv_axis(s->w, s->kw, s->stride, s->same, &ow, &pad_left);
    n_out = (size_t)s->batch * s->c_out * oh * ow;
    snprintf(label, sizeof label, "conv %dx%dx%d -> %d, kernel %dx%d, stride %d, %s, batch %d", s->c_in, s->h,
             s->w, s->c_out, s->kh, s->kw, s->stride, s->same ? "same" : "valid", s->batch);
    CHECK(s->batch * n_in <= CONV_MAX && n_out <= CONV_MAX, "%s: larger than the test's buffers", label);
    err = initnn_net_create(&net, n_in, s->batch, seed);
    if (!err) err = initnn_net_set_input_shape(net, s->c_in, s->h, s->w);
    if (!err) err = initnn_net_add_conv2d(net, s->c_out, s->kh, s->kw, s->stride, s->same, "identity",
                                          "glorot_uniform", "random_normal:0.5");
    if (err) initnn_net_free(net);
    CHECK(err == 0, "%s: %s", label, initnn_last_error());
    L = &net->layers[0];
    shape[0] = L->out_c; shape[1] = L->out_h; shape[2] = L->out_w; shape[3] = L->pad_top; shape[4] = L->pad_left;
    initnn_rng_seed(&rng, seed + 1);
    for (i = 0; i < s->batch * n_in; i++) x[i] = initnn_rng_normal(&rng);
    y = shape[1] == oh && shape[2] == ow ? initnn_net_forward(net, x, s->batch, 0) : NULL;
    if (y) {
        memcpy(got, L->z, n_out * sizeof(float));
        same_as_z = memcmp(y, L->z, n_out * sizeof(float)) == 0;
        conv_reference(z, mag, s, x, L->W, L->b, oh, ow, pad_top, pad_left);
    }
    initnn_net_free(net);
    CHECK(shape[0] == s->c_out && shape[1] == oh && shape[2] == ow && shape[3] == pad_top && shape[4] == pad_left,
          "%s: output %dx%dx%d pad %d,%d; the rule gives %dx%dx%d pad %d,%d", label, shape[0], shape[1], shape[2],
          shape[3], shape[4], s->c_out, oh, ow, pad_top, pad_left);
    CHECK(y != NULL, "%s: forward: %s", label, initnn_last_error());
    CHECK(same_as_z, "%s: the output of an identity-activation conv is not its z", label);
    for (q = 0; q < n_out; q++) {
        want[q] = (float)z[q];
        /* gamma_{K+1} for the sum, one more unit for rounding z to float */
        tol[q] = (float)((k + 3) * UNIT_ROUNDOFF * mag[q]);
    }
    CHECK_FLOATS_NEAR(label, got, want, n_out, tol);
}

static void conv_forward_matches_the_direct_formula_on_odd_shapes(void)
{
    static const conv_shape cases[] = {
        {1, 7, 9, 2, 3, 3, 1, 0, 3},   {3, 7, 9, 4, 3, 3, 1, 1, 2},   {2, 7, 9, 3, 3, 2, 2, 1, 3},
        {3, 9, 7, 5, 1, 4, 2, 0, 2},   {4, 8, 5, 3, 3, 2, 1, 1, 2},   {2, 6, 10, 1, 1, 4, 1, 1, 2},
        {5, 7, 9, 2, 5, 3, 2, 0, 4},   {3, 10, 8, 6, 4, 4, 3, 1, 2},  {2, 5, 5, 2, 5, 5, 1, 0, 2},
        {1, 3, 4, 3, 5, 5, 1, 1, 2},   {2, 9, 7, 3, 2, 3, 3, 0, 3},   {7, 4, 6, 9, 3, 3, 2, 1, 2},
        {16, 6, 7, 20, 3, 3, 1, 1, 2}, {3, 1, 9, 2, 1, 3, 2, 1, 2},   {2, 7, 9, 3, 1, 1, 2, 0, 2},
        {2, 7, 9, 3, 1, 1, 3, 1, 2},   {1, 8, 7, 2, 2, 1, 4, 1, 3}
    };
    int c;
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]) && !TESTING_FAILED; c++) check_conv_case(&cases[c], 3000 + c);
}

/* ---- im2col and col2im -------------------------------------------------------------- */

typedef struct col_case {
    int c, h, w, kh, kw, stride, pad_top, pad_left, oh, ow;
} col_case;

static const col_case col_cases[] = {
    {2, 7, 9, 3, 3, 1, 1, 1, 7, 9}, {3, 7, 9, 3, 2, 2, 0, 0, 3, 4}, {1, 5, 6, 4, 4, 3, 2, 1, 3, 2},
    {2, 9, 7, 1, 4, 2, 0, 2, 5, 4}, {3, 4, 4, 5, 5, 1, 2, 2, 4, 4}, {2, 6, 5, 3, 3, 2, 3, 3, 6, 5},
    {1, 1, 1, 3, 3, 1, 1, 1, 1, 1}, {4, 8, 3, 2, 3, 3, 0, 1, 3, 1}
};

static void im2col_reads_x_at_oy_s_plus_i_minus_pad_and_zero_outside(void)
{
    int k;
    initnn_rng rng;
    initnn_rng_seed(&rng, 3100);
    for (k = 0; k < (int)(sizeof col_cases / sizeof col_cases[0]); k++) {
        const col_case *q = &col_cases[k];
        int rows = q->c * q->kh * q->kw, positions = q->oh * q->ow, c, i, j, oy, ox;
        float *x = (float *)malloc((size_t)q->c * q->h * q->w * sizeof(float));
        float *col = (float *)malloc((size_t)rows * positions * sizeof(float));
        int bad = -1;
        float got = 0.0f, want = 0.0f;
        CHECK(x && col, "out of memory");
        for (i = 0; i < q->c * q->h * q->w; i++) x[i] = initnn_rng_normal(&rng);
        for (i = 0; i < rows * positions; i++) col[i] = NAN;   /* every entry must be written */
        initnn_im2col(col, x, q->c, q->h, q->w, q->kh, q->kw, q->stride, q->pad_top, q->pad_left, q->oh, q->ow);
        for (c = 0; c < q->c && bad < 0; c++)
            for (i = 0; i < q->kh; i++)
                for (j = 0; j < q->kw; j++)
                    for (oy = 0; oy < q->oh; oy++)
                        for (ox = 0; ox < q->ow; ox++) {
                            int y = oy * q->stride + i - q->pad_top, xx = ox * q->stride + j - q->pad_left;
                            int at = ((c * q->kh + i) * q->kw + j) * positions + oy * q->ow + ox;
                            float v = y >= 0 && y < q->h && xx >= 0 && xx < q->w ? x[(c * q->h + y) * q->w + xx] : 0.0f;
                            if (bad < 0 && !(col[at] == v)) { bad = at; got = col[at]; want = v; }
                        }
        free(x);
        free(col);
        CHECK(bad < 0, "case %d: col[%d] = %g, want %g", k, bad, got, want);
    }
}

static void im2col_and_col2im_are_adjoint(void)
{
    /* <im2col(x), c> = <x, col2im(c)>: im2col copies exactly, col2im adds at
       most k_h k_w float terms per pixel, so the difference is at most
       gamma_{k_h k_w} sum |im2col(x)| |c| (plus double rounding). */
    int k, rep;
    initnn_rng rng;
    initnn_rng_seed(&rng, 3200);
    for (k = 0; k < (int)(sizeof col_cases / sizeof col_cases[0]); k++)
        for (rep = 0; rep < 3; rep++) {
            const col_case *q = &col_cases[k];
            int rows = q->c * q->kh * q->kw, positions = q->oh * q->ow, n = q->c * q->h * q->w, i;
            float *x = (float *)malloc((size_t)n * sizeof(float)), *dx = (float *)malloc((size_t)n * sizeof(float));
            float *col = (float *)malloc((size_t)rows * positions * sizeof(float));
            float *c = (float *)malloc((size_t)rows * positions * sizeof(float));
            double left = 0.0, right = 0.0, magnitude = 0.0, tol;
            CHECK(x && dx && col && c, "out of memory");
            for (i = 0; i < n; i++) { x[i] = initnn_rng_normal(&rng); dx[i] = 0.0f; }
            for (i = 0; i < rows * positions; i++) c[i] = initnn_rng_normal(&rng);
            initnn_im2col(col, x, q->c, q->h, q->w, q->kh, q->kw, q->stride, q->pad_top, q->pad_left, q->oh, q->ow);
            initnn_col2im(dx, c, q->c, q->h, q->w, q->kh, q->kw, q->stride, q->pad_top, q->pad_left, q->oh, q->ow);
            for (i = 0; i < rows * positions; i++) {
                left += (double)col[i] * c[i];
                magnitude += fabs((double)col[i] * c[i]);
            }
            for (i = 0; i < n; i++) right += (double)x[i] * dx[i];
            free(x); free(dx); free(col); free(c);
            tol = (q->kh * q->kw + 1) * UNIT_ROUNDOFF * magnitude + 1e-12;
            CHECK(magnitude > 0.0, "case %d: im2col read nothing", k);
            CHECK(fabs(left - right) <= tol, "case %d rep %d: <im2col(x), c> = %.12g, <x, col2im(c)> = %.12g, "
                  "|diff| %.3g > tol %.3g", k, rep, left, right, fabs(left - right), tol);
        }
}

static void col2im_adds_to_what_dx_holds(void)
{
    const col_case *q = &col_cases[2];
    int rows = q->c * q->kh * q->kw, positions = q->oh * q->ow, n = q->c * q->h * q->w, i;
    float start[30], from_zero[30], from_start[30], want[30], tol[30], c[16 * 6];
    initnn_rng rng;
    CHECK(n <= 30 && rows * positions <= 16 * 6, "case too large for the buffers");
    initnn_rng_seed(&rng, 3300);
    for (i = 0; i < n; i++) { start[i] = initnn_rng_normal(&rng); from_zero[i] = 0.0f; from_start[i] = start[i]; }
    for (i = 0; i < rows * positions; i++) c[i] = initnn_rng_normal(&rng);
    initnn_col2im(from_zero, c, q->c, q->h, q->w, q->kh, q->kw, q->stride, q->pad_top, q->pad_left, q->oh, q->ow);
    initnn_col2im(from_start, c, q->c, q->h, q->w, q->kh, q->kw, q->stride, q->pad_top, q->pad_left, q->oh, q->ow);
    for (i = 0; i < n; i++) {
        want[i] = start[i] + from_zero[i];
        tol[i] = (float)(20 * UNIT_ROUNDOFF * (fabs(start[i]) + 16 * 4.0));
    }
    CHECK_FLOATS_NEAR("col2im onto a nonzero dx", from_start, want, (size_t)n, tol);
}

/* The fast conv layer (section 16) moves im2col and col2im in vector permutes
   for stride 1 without padding and calls the lessons' loops otherwise; either
   way its col and dX must be the lessons' to the bit: the same floats copied,
   the same additions in the same order. Shapes from 1 x 1 to 28 x 40, kernels
   1 x 1 to 5 x 5, and the padded and strided cases of col_cases. */
#ifndef INITNN_REFERENCE
static void fast_im2col_and_col2im_equal_the_lessons_bit_for_bit(void)
{
    int c, h, w, kh, kw, k, i, cases = 0;
    initnn_rng rng;
    initnn_rng_seed(&rng, 3400);
    for (k = -(int)(sizeof col_cases / sizeof col_cases[0]); k < 2 * 10 * 9 * 25; k++) {
        initnn_layer l;
        initnn__conv_maps maps;
        float *x, *col, *want_col, *dx, *want_dx;
        int rows, positions;
        memset(&l, 0, sizeof l);
        if (k < 0) {
            const col_case *q = &col_cases[-k - 1];
            l.in_c = q->c; l.in_h = q->h; l.in_w = q->w; l.kernel_h = q->kh; l.kernel_w = q->kw;
            l.stride = q->stride; l.pad_top = q->pad_top; l.pad_left = q->pad_left; l.out_h = q->oh; l.out_w = q->ow;
        } else {
            c = 1 + k % 2; h = 1 + 3 * (k / 2 % 10); w = 1 + 5 * (k / 20 % 9); kh = 1 + k / 180 % 5; kw = 1 + k / 900;
            if (kh > h || kw > w) continue;
            l.in_c = c; l.in_h = h; l.in_w = w; l.kernel_h = kh; l.kernel_w = kw;
            l.stride = 1; l.out_h = h - kh + 1; l.out_w = w - kw + 1;
        }
        l.in = l.in_c * l.in_h * l.in_w;
        rows = l.in_c * l.kernel_h * l.kernel_w;
        positions = l.out_h * l.out_w;
        x = (float *)malloc((size_t)l.in * sizeof(float));
        dx = (float *)malloc((size_t)l.in * sizeof(float));
        want_dx = (float *)malloc((size_t)l.in * sizeof(float));
        col = (float *)malloc(((size_t)rows * positions + INITNN__SPILL) * sizeof(float));
        want_col = (float *)malloc((size_t)rows * positions * sizeof(float));
        CHECK(x && dx && want_dx && col && want_col, "out of memory");
        for (i = 0; i < l.in; i++) { x[i] = initnn_rng_normal(&rng); dx[i] = NAN; want_dx[i] = 0.0f; }
        for (i = 0; i < rows * positions; i++) col[i] = NAN;
        initnn__conv_maps_build(&maps, &l, 1);
        initnn__conv_im2col(col, (size_t)positions, x, &l, &maps);
        initnn_im2col(want_col, x, l.in_c, l.in_h, l.in_w, l.kernel_h, l.kernel_w, l.stride, l.pad_top, l.pad_left,
                      l.out_h, l.out_w);
        CHECK(memcmp(col, want_col, (size_t)rows * positions * sizeof(float)) == 0,
              "im2col of %d x %d x %d, kernel %d x %d, stride %d, pad %d %d differs from the lesson's", l.in_c,
              l.in_h, l.in_w, l.kernel_h, l.kernel_w, l.stride, l.pad_top, l.pad_left);
        for (i = 0; i < rows * positions; i++) col[i] = initnn_rng_normal(&rng);
        initnn__conv_col2im(dx, col, (size_t)positions, &l, &maps);
        initnn_col2im(want_dx, col, l.in_c, l.in_h, l.in_w, l.kernel_h, l.kernel_w, l.stride, l.pad_top, l.pad_left,
                      l.out_h, l.out_w);
        CHECK(memcmp(dx, want_dx, (size_t)l.in * sizeof(float)) == 0,
              "col2im of %d x %d x %d, kernel %d x %d, stride %d, pad %d %d differs from the lesson's", l.in_c,
              l.in_h, l.in_w, l.kernel_h, l.kernel_w, l.stride, l.pad_top, l.pad_left);
        free(x); free(dx); free(want_dx); free(col); free(want_col);
        cases++;
    }
    CHECK(cases > 1000, "only %d shapes checked", cases);
}
#endif

/* A conv layer of few rows (C_in k_h k_w <= INITNN__FEW_ROWS, the first
   layer of an image net) skips the packed product (section 16). Its forward
   must give the product's bits, bias added after the sum, since it sums the
   same terms in the same order; its weight gradient sums in 16 lanes, so it
   is checked against the sums in double within Higham's bound
   (positions + 1) 2^-24 sum |col| |dz|, stored and added to what dW holds.
   Rows and channels that fill no whole block of the kernels (1, 2, 5, 17,
   ...) and positions that fill no whole vector. */
#if defined(INITNN__AVX512)
static void few_rows_conv_gives_the_products_bits_and_the_weight_gradients_sums(void)
{
    static const int rows_of[] = {1, 2, 3, 4, 5, 8, 9, 16, 25, 27, 32};
    static const int channels_of[] = {1, 3, 4, 5, 15, 16, 17, 32, 33};
    static const int positions_of[] = {1, 7, 16, 17, 100, 676};
    int a, c, q, i, r, o, cases = 0;
    initnn_rng rng;
    initnn_rng_seed(&rng, 3500);
    for (a = 0; a < (int)(sizeof rows_of / sizeof rows_of[0]); a++)
        for (c = 0; c < (int)(sizeof channels_of / sizeof channels_of[0]); c++)
            for (q = 0; q < (int)(sizeof positions_of / sizeof positions_of[0]); q++) {
                const int rows = rows_of[a], out_c = channels_of[c], positions = positions_of[q];
                const size_t nc = (size_t)rows * positions, nz = (size_t)out_c * positions, nw = (size_t)rows * out_c;
                float *col = (float *)malloc(nc * sizeof(float)), *W = (float *)malloc(nw * sizeof(float));
                float *bias = (float *)malloc((size_t)out_c * sizeof(float)), *z = (float *)malloc(nz * sizeof(float));
                float *want = (float *)malloc((nz > nw ? nz : nw) * sizeof(float)), *dz = (float *)malloc(nz * sizeof(float));
                float *dw = (float *)malloc(nw * sizeof(float)), *start = (float *)malloc(nw * sizeof(float));
                CHECK(col && W && bias && z && want && dz && dw && start, "out of memory");
                for (i = 0; i < (int)nc; i++) col[i] = initnn_rng_normal(&rng);
                for (i = 0; i < (int)nw; i++) { W[i] = initnn_rng_normal(&rng); start[i] = initnn_rng_normal(&rng); }
                for (i = 0; i < out_c; i++) bias[i] = initnn_rng_normal(&rng);
                for (i = 0; i < (int)nz; i++) { dz[i] = initnn_rng_normal(&rng); z[i] = NAN; }
                /* with and without its read-ahead, every other case */
                initnn__few_rows_forward(z, col, W, bias, rows, out_c, positions, (a + c + q) % 2);
                initnn__fast_gemm(want, W, 1, col, 0, out_c, rows, positions, 0);
                for (o = 0; o < out_c; o++)
                    for (i = 0; i < positions; i++) want[(size_t)o * positions + i] += bias[o];
                CHECK(memcmp(z, want, nz * sizeof(float)) == 0,
                      "forward of %d rows, %d channels, %d positions differs from the product's", rows, out_c,
                      positions);
                for (i = 0; i < (int)nw; i++) dw[i] = NAN;
                initnn__few_rows_weight_grad(dw, col, dz, rows, out_c, positions, 0);
                for (r = 0; r < rows; r++)
                    for (o = 0; o < out_c; o++) {
                        double sum = 0.0, mass = 0.0;
                        for (i = 0; i < positions; i++) {
                            double t = (double)col[(size_t)r * positions + i] * dz[(size_t)o * positions + i];
                            sum += t;
                            mass += fabs(t);
                        }
                        CHECK(fabs(dw[(size_t)r * out_c + o] - sum) <= (positions + 1) * UNIT_ROUNDOFF * mass,
                              "dW[%d][%d] of %d rows, %d channels, %d positions: %.9g, want %.9g", r, o, rows, out_c,
                              positions, dw[(size_t)r * out_c + o], sum);
                    }
                memcpy(want, dw, nw * sizeof(float));
                memcpy(dw, start, nw * sizeof(float));
                initnn__few_rows_weight_grad(dw, col, dz, rows, out_c, positions, 1);
                for (i = 0; i < (int)nw; i++)
                    CHECK(dw[i] == start[i] + want[i], "dW[%d] += of %d rows, %d channels, %d positions: %.9g, "
                          "want %.9g", i, rows, out_c, positions, dw[i], start[i] + want[i]);
                free(col); free(W); free(bias); free(z); free(want); free(dz); free(dw); free(start);
                cases++;
            }
    CHECK(cases == 11 * 9 * 6, "only %d shapes checked", cases);
}
#endif

/* ---- pooling ------------------------------------------------------------------------ */

typedef struct pool_case {
    int c, h, w, size, stride;   /* stride 0: the default, = size */
} pool_case;

static const pool_case pool_cases[] = {
    {3, 7, 9, 2, 2}, {3, 7, 9, 3, 2}, {2, 7, 9, 2, 1}, {2, 8, 6, 3, 3},
    {1, 5, 5, 5, 1}, {2, 9, 7, 3, 1}, {2, 7, 9, 2, 0}, {1, 6, 4, 4, 3},
    {2, 26, 26, 2, 2}, {1, 5, 35, 2, 0}, {1, 4, 70, 2, 2}   /* rows of 13, 17 and 35 windows */
};

static void pooling_forward_matches_the_window_max_and_mean(void)
{
    enum { BATCH = 2, MAXN = 2 * 26 * 26 };
    int k, max_pool;
    for (k = 0; k < (int)(sizeof pool_cases / sizeof pool_cases[0]); k++)
        for (max_pool = 0; max_pool < 2; max_pool++) {
            const pool_case *q = &pool_cases[k];
            int stride = q->stride ? q->stride : q->size, oh = (q->h - q->size) / stride + 1;
            int ow = (q->w - q->size) / stride + 1, n = q->c * q->h * q->w, out = q->c * oh * ow;
            int b, c, oy, ox, i, j, err;
            float x[BATCH * MAXN], want[BATCH * MAXN], tol[BATCH * MAXN], got[BATCH * MAXN];
            initnn_net *net = NULL;
            initnn_rng rng;
            const float *y;
            char label[96];
            snprintf(label, sizeof label, "%s pool %d/%d on %dx%dx%d", max_pool ? "max" : "avg", q->size, q->stride,
                     q->c, q->h, q->w);
            initnn_rng_seed(&rng, 3400 + k);
            for (i = 0; i < BATCH * n; i++) x[i] = initnn_rng_normal(&rng);
            err = initnn_net_create(&net, n, BATCH, 1);
            if (!err) err = initnn_net_set_input_shape(net, q->c, q->h, q->w);
            if (!err) err = initnn_net_add_pool2d(net, max_pool, q->size, q->stride);
            if (err) initnn_net_free(net);
            CHECK(err == 0, "%s: %s", label, initnn_last_error());
            if (net->layers[0].out_c != q->c || net->layers[0].out_h != oh || net->layers[0].out_w != ow ||
                net->layers[0].out != out) {
                int got_h = net->layers[0].out_h, got_w = net->layers[0].out_w;
                initnn_net_free(net);
                CHECK(0, "%s: output %dx%d, want floor((H - k) / s) + 1 = %dx%d", label, got_h, got_w, oh, ow);
            }
            y = initnn_net_forward(net, x, BATCH, 0);
            if (y) memcpy(got, y, (size_t)BATCH * out * sizeof(float));
            initnn_net_free(net);
            CHECK(y != NULL, "%s: forward: %s", label, initnn_last_error());
            for (b = 0; b < BATCH; b++)
                for (c = 0; c < q->c; c++)
                    for (oy = 0; oy < oh; oy++)
                        for (ox = 0; ox < ow; ox++) {
                            double best = -HUGE_VAL, sum = 0.0, mag = 0.0;
                            int o = ((b * q->c + c) * oh + oy) * ow + ox;
                            for (i = 0; i < q->size; i++)
                                for (j = 0; j < q->size; j++) {
                                    double v = x[((b * q->c + c) * q->h + oy * stride + i) * q->w + ox * stride + j];
                                    if (v > best) best = v;
                                    sum += v;
                                    mag += fabs(v);
                                }
                            want[o] = (float)(max_pool ? best : sum / (q->size * q->size));
                            tol[o] = (float)((q->size * q->size + 2) * UNIT_ROUNDOFF * mag / (q->size * q->size));
                        }
            if (max_pool) CHECK_FLOATS_EQUAL(label, got, want, (size_t)BATCH * out);
            else CHECK_FLOATS_NEAR(label, got, want, (size_t)BATCH * out, tol);
        }
}

/* Net: a 1x1 Dirac conv (so the pool's input is the net's input exactly and
   the conv's dz is dL/d(pool input)), then max pooling, MSE loss. */
static void maxpool_net(initnn_net **net, int c, int h, int w, int size, int stride, int batch)
{
    int err = initnn_net_create(net, c * h * w, batch, 1);
    if (!err) err = initnn_net_set_input_shape(*net, c, h, w);
    if (!err) err = initnn_net_add_conv2d(*net, c, 1, 1, 1, 1, "identity", "identity", "zeros");
    if (!err) err = initnn_net_add_pool2d(*net, 1, size, stride);
    if (!err) err = initnn_net_set_loss(*net, INITNN_LOSS_MSE);
    if (err) { initnn_net_free(*net); *net = NULL; }
    CHECK(err == 0, "building the max-pool net: %s", initnn_last_error());
}

static void maxpool_gradient_goes_to_the_argmax_only(void)
{
    /* dL/dx at a pixel is the sum of dL/dy over the windows whose maximum it
       is (overlapping windows may share one), and exactly 0 elsewhere. The
       inputs are distinct normals (checked), so every maximum is unique. */
    static const pool_case cases[] = {{2, 7, 9, 2, 2}, {2, 7, 9, 3, 2}, {1, 6, 7, 2, 1}, {3, 5, 8, 3, 3},
                                      {1, 5, 35, 2, 2}, {1, 3, 70, 2, 2}};
    enum { BATCH = 2, MAXN = 3 * 9 * 9 };
    int k;
    for (k = 0; k < (int)(sizeof cases / sizeof cases[0]); k++) {
        const pool_case *q = &cases[k];
        int oh = (q->h - q->size) / q->stride + 1, ow = (q->w - q->size) / q->stride + 1;
        int n = q->c * q->h * q->w, out = q->c * oh * ow, b, c, oy, ox, i, j, err, nonzero = 0;
        float x[BATCH * MAXN], target[BATCH * MAXN], got[BATCH * MAXN], want[BATCH * MAXN], tol[BATCH * MAXN];
        double dy;
        initnn_net *net = NULL;
        initnn_rng rng;
        const float *y;
        float loss;
        initnn_rng_seed(&rng, 3500 + k);
        for (i = 0; i < BATCH * n; i++) x[i] = initnn_rng_normal(&rng);
        for (i = 0; i < BATCH * out; i++) target[i] = initnn_rng_normal(&rng);
        for (i = 0; i < BATCH * n; i++)
            for (j = i + 1; j < BATCH * n; j++) CHECK(x[i] != x[j], "inputs %d and %d tie", i, j);
        maxpool_net(&net, q->c, q->h, q->w, q->size, q->stride, BATCH);
        if (TESTING_FAILED) return;
        y = initnn_net_forward(net, x, BATCH, 1);
        err = y ? initnn_net_backward(net, NULL, target, &loss) : -1;
        if (!err) memcpy(got, net->layers[0].dz, (size_t)BATCH * n * sizeof(float));
        for (i = 0; i < BATCH * n; i++) { want[i] = 0.0f; tol[i] = 0.0f; }
        for (b = 0; b < BATCH && !err; b++)
            for (c = 0; c < q->c; c++)
                for (oy = 0; oy < oh; oy++)
                    for (ox = 0; ox < ow; ox++) {
                        int o = ((b * q->c + c) * oh + oy) * ow + ox, best = -1;
                        for (i = 0; i < q->size; i++)
                            for (j = 0; j < q->size; j++) {
                                int at = ((b * q->c + c) * q->h + oy * q->stride + i) * q->w + ox * q->stride + j;
                                if (best < 0 || x[at] > x[best]) best = at;
                            }
                        /* MSE: dL/dy = 2 (y - t) / (B D) */
                        dy = 2.0 * ((double)x[best] - target[o]) / (BATCH * out);
                        want[best] = (float)((double)want[best] + dy);
                        tol[best] += (float)(4.0 * UNIT_ROUNDOFF * fabs(dy));
                    }
        initnn_net_free(net);
        CHECK(err == 0, "forward/backward: %s", initnn_last_error());
        for (i = 0; i < BATCH * n; i++) nonzero += got[i] != 0.0f;
        CHECK(nonzero > 0, "case %d: the input gradient is all zero", k);
        /* tol is 0 where want is 0: every non-maximum must get exactly 0 */
        CHECK_FLOATS_NEAR("dL/d(pool input)", got, want, (size_t)BATCH * n, tol);
    }
}

static void maxpool_gradient_goes_to_the_first_maximum_on_ties(void)
{
    /* A constant image: every 2x2 window ties, and its top-left pixel takes
       the whole gradient. */
    enum { C = 1, H = 4, W = 6, N = C * H * W, OUT = 2 * 3 };
    float x[N], target[OUT], dz[N];
    initnn_net *net = NULL;
    int i, err;
    for (i = 0; i < N; i++) x[i] = 0.5f;
    for (i = 0; i < OUT; i++) target[i] = (float)i;
    maxpool_net(&net, C, H, W, 2, 2, 1);
    if (TESTING_FAILED) return;
    err = initnn_net_forward(net, x, 1, 1) ? initnn_net_backward(net, NULL, target, NULL) : -1;
    if (!err) memcpy(dz, net->layers[0].dz, sizeof dz);
    initnn_net_free(net);
    CHECK(err == 0, "forward/backward: %s", initnn_last_error());
    for (i = 0; i < N; i++) {
        int row = i / W, col = i % W, o = (row / 2) * 3 + col / 2;
        float want = row % 2 == 0 && col % 2 == 0 ? (float)(2.0 * (0.5 - o) / OUT) : 0.0f;
        CHECK(fabsf(dz[i] - want) <= 1e-6f * (1.0f + fabsf(want)) && (want != 0.0f) == (dz[i] != 0.0f),
              "pixel (%d, %d): dL/dx = %.9g, want %.9g", row, col, dz[i], want);
    }
}

/* ---- flatten ---------------------------------------------------------------------- */

static void flatten_is_the_nchw_order_unchanged(void)
{
    enum { C = 3, H = 4, W = 5, N = C * H * W, BATCH = 2 };
    float x[BATCH * N], conv_out[BATCH * 2 * H * W], flat[BATCH * 2 * H * W];
    initnn_net *net = NULL;
    initnn_rng rng;
    int i, err, dims[4] = {0, 0, 0, 0};
    initnn_rng_seed(&rng, 3600);
    for (i = 0; i < BATCH * N; i++) x[i] = initnn_rng_normal(&rng);
    err = initnn_net_create(&net, N, BATCH, 5);
    if (!err) err = initnn_net_set_input_shape(net, C, H, W);
    if (!err) err = initnn_net_add_conv2d(net, 2, 3, 3, 1, 1, "tanh", "he_normal", "random_normal:0.1");
    if (!err) err = initnn_net_add_flatten(net);
    if (err) initnn_net_free(net);
    CHECK(err == 0, "%s", initnn_last_error());
    dims[0] = net->layers[1].out;
    dims[1] = net->layers[1].out_c;
    dims[2] = net->layers[1].out_h;
    dims[3] = net->layers[1].out_w;
    err = initnn_net_forward(net, x, BATCH, 0) == NULL;
    if (!err) {
        memcpy(conv_out, net->layers[0].y, sizeof conv_out);
        memcpy(flat, net->layers[1].y, sizeof flat);
    }
    initnn_net_free(net);
    CHECK(!err, "forward: %s", initnn_last_error());
    CHECK(dims[0] == 2 * H * W && dims[1] == 2 * H * W && dims[2] == 1 && dims[3] == 1,
          "flatten of 2x%dx%d: out %d as %dx%dx%d, want %d x 1 x 1", H, W, dims[0], dims[1], dims[2], dims[3],
          2 * H * W);
    CHECK_FLOATS_EQUAL("flatten output vs conv output", flat, conv_out, (size_t)BATCH * 2 * H * W);
}

/* ---- diagnostics ------------------------------------------------------------------ */

static void conv_diagnostics_count_zeros_and_dead_channels_of_layer_y(void)
{
    /* 8 ReLU channels on 2x8x8 images; channels 0 and 1 get a bias of -100
       (dead on any input), channel 2 a bias of -2 (zero at most pixels but
       alive at some). A dead channel is 0 at every pixel of every sample;
       counting dense-style, per (channel, pixel) feature, gives another
       number, which the test makes sure of. */
    enum { C = 2, H = 8, W = 8, N = C * H * W, F = 8, BATCH = 6 };
    float x[BATCH * N];
    int labels[BATCH];
    initnn_layer_diag diag[5];
    initnn_net *net = NULL;
    initnn_rng rng;
    size_t zeros = 0, count = (size_t)BATCH * F * H * W, k;
    int i, err, dead = 0, dead_features = 0, j, b, p;
    double second = 0.0;
    initnn_rng_seed(&rng, 3700);
    for (i = 0; i < BATCH * N; i++) x[i] = initnn_rng_normal(&rng);
    for (i = 0; i < BATCH; i++) labels[i] = i % 3;
    err = initnn_net_from_arch(&net, "conv:8:3:1:same,relu,maxpool:2,flatten,dense:3,softmax", C, H, W, "he_normal",
                               "zeros", BATCH, 11);
    CHECK(err == 0, "%s", initnn_last_error());
    net->layers[0].b[0] = -100.0f;
    net->layers[0].b[1] = -100.0f;
    net->layers[0].b[2] = -2.0f;
    err = initnn_net_diagnose(net, diag, NULL, x, labels, NULL, BATCH);
    if (err) initnn_net_free(net);
    CHECK(err == 0, "initnn_net_diagnose: %s", initnn_last_error());
    {
        const initnn_layer *L = &net->layers[0];
        for (k = 0; k < count; k++) {
            zeros += L->y[k] == 0.0f;
            second += (double)L->z[k] * L->z[k];
        }
        for (j = 0; j < F; j++) {
            int alive = 0;
            for (p = 0; p < H * W; p++) {
                int feature_alive = 0;
                for (b = 0; b < BATCH; b++) feature_alive |= L->y[(size_t)b * L->out + (size_t)j * H * W + p] != 0.0f;
                dead_features += !feature_alive;
                alive |= feature_alive;
            }
            dead += !alive;
        }
    }
    initnn_net_free(net);
    CHECK(dead >= 2, "channels 0 and 1 have bias -100 but only %d channels are dead", dead);
    CHECK((double)dead / F != (double)dead_features / (F * H * W),
          "the test cannot tell channels from features: %d of %d channels, %d of %d features", dead, F,
          dead_features, F * H * W);
    CHECK(zeros > (size_t)dead * H * W * BATCH, "no zeros beyond the dead channels");
    CHECK_NEAR(diag[0].zero_fraction, (double)zeros / (double)count, 1e-12);
    CHECK_NEAR(diag[0].dead_fraction, (double)dead / F, 1e-12);
    CHECK(diag[0].activation.zeros == zeros, "activation.zeros %lu, counted %lu", (unsigned long)diag[0].activation.zeros,
          (unsigned long)zeros);
    CHECK_NEAR(diag[0].pre_activation.second_moment, second / (double)count, 1e-9 * second / (double)count);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(conv_forward_matches_the_direct_formula_on_odd_shapes);
    RUN_TEST(im2col_reads_x_at_oy_s_plus_i_minus_pad_and_zero_outside);
    RUN_TEST(im2col_and_col2im_are_adjoint);
    RUN_TEST(col2im_adds_to_what_dx_holds);
#ifdef INITNN_REFERENCE
    testing_skip("fast_im2col_and_col2im_equal_the_lessons_bit_for_bit", "the reference build has no fast path");
#else
    RUN_TEST(fast_im2col_and_col2im_equal_the_lessons_bit_for_bit);
#endif
#if defined(INITNN__AVX512)
    RUN_TEST(few_rows_conv_gives_the_products_bits_and_the_weight_gradients_sums);
#else
    testing_skip("few_rows_conv_gives_the_products_bits_and_the_weight_gradients_sums",
                 "its kernels are AVX-512's (a -march=native build on such a CPU has them)");
#endif
    RUN_TEST(pooling_forward_matches_the_window_max_and_mean);
    RUN_TEST(maxpool_gradient_goes_to_the_argmax_only);
    RUN_TEST(maxpool_gradient_goes_to_the_first_maximum_on_ties);
    RUN_TEST(flatten_is_the_nchw_order_unchanged);
    RUN_TEST(conv_diagnostics_count_zeros_and_dead_channels_of_layer_y);
    return testing_finish();
}
