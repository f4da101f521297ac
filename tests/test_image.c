/* test_image.c - section 15, images (INITNN_WITH_STB, Debian's libstb-dev).

   The pictures are drawn here and written with stb_image_write, then read by
   initnn; the PNGs initnn writes are read back with stb_image.

   MNIST preprocessing (initnn_image_load_mnist) of a thick "7" drawn on a
   large canvas: the 28 x 28 result has values in [0, 1], background exactly
   0, its ink's bounding box inside 20 x 20 with the longer side 20 (+-1),
   and its centre of mass within 1 pixel of (14, 14) -- the MNIST
   conventions. Dark ink on light paper, light ink on a dark board and dark
   ink on a transparent background give the same 28 x 28 within 1e-3. A
   uniform picture is INITNN_ERR_FORMAT with a message; a truncated PNG, a
   text file and a missing file are errors (the last INITNN_ERR_IO).

   Weight tiles (initnn_image_write_weights_png): the PNG has the documented
   size, and each tile pixel has the colour of its weight's sign -- red for
   positive, blue for negative, white for 0 -- with the largest |w| fully
   saturated; Inf saturates, NaN is black. Sample grids
   (initnn_image_write_samples_png): size, pixels and label colours. Sizes
   whose products overflow are INITNN_ERR_OVERFLOW before W is touched.

   Without libstb-dev tests/run.sh does not build this file and reports it
   as SKIP (the comment line below). */
/* testing: pkg-config stb (Debian: libstb-dev) */
#define _POSIX_C_SOURCE 200809L
#define INITNN_WITH_STB
#define INITNN_IMPLEMENTATION
#include "initnn.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "testing.h"

/* ---- drawing ------------------------------------------------------------------------------ */

/* Distance from (px, py) to the segment (ax, ay)-(bx, by). */
static double segment_distance(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, t = ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy);
    double cx, cy;
    if (t < 0.0) t = 0.0;
    if (t > 1.0) t = 1.0;
    cx = ax + t * dx;
    cy = ay + t * dy;
    return sqrt((px - cx) * (px - cx) + (py - cy) * (py - cy));
}

#define CANVAS_W 300
#define CANVAS_H 420

/* A thick "7", off centre on a 300 x 420 canvas: 1 on the stroke, 0 off it. */
static int seven_ink(int x, int y)
{
    double px = x + 0.5, py = y + 0.5;
    return segment_distance(px, py, 40, 70, 200, 70) < 14.0 || segment_distance(px, py, 200, 70, 110, 330) < 14.0;
}

/* Writes the 7 as a PNG with comp channels: ink and paper are gray levels,
   alpha (comp 4) 255 on the ink and paper_alpha elsewhere. */
static int write_seven(const char *path, int comp, unsigned char ink, unsigned char paper, unsigned char paper_alpha)
{
    unsigned char *img = (unsigned char *)malloc((size_t)CANVAS_W * CANVAS_H * 4);
    int x, y, c, ok;
    if (!img) return 0;
    for (y = 0; y < CANVAS_H; y++)
        for (x = 0; x < CANVAS_W; x++) {
            unsigned char *p = img + ((size_t)y * CANVAS_W + x) * (size_t)comp;
            int on = seven_ink(x, y);
            for (c = 0; c < comp && c < 3; c++) p[c] = on ? ink : paper;
            if (comp == 4) p[3] = on ? 255 : paper_alpha;
        }
    ok = stbi_write_png(path, CANVAS_W, CANVAS_H, comp, img, CANVAS_W * comp);
    free(img);
    return ok;
}

static int write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    if (n && fwrite(data, 1, n, f) != n) { fclose(f); return 0; }
    return fclose(f) == 0;
}

/* ---- the MNIST conventions ------------------------------------------------------------------ */

/* Checks one preprocessed digit; the caller tests TESTING_FAILED. */
static void check_mnist_conventions(const float *d, const char *what)
{
    int x, y, x0 = 28, x1 = -1, y0 = 28, y1 = -1, bw, bh, longer;
    double mass = 0.0, cx = 0.0, cy = 0.0;
    for (y = 0; y < 28; y++)
        for (x = 0; x < 28; x++) {
            float v = d[y * 28 + x];
            CHECK(v >= 0.0f && v <= 1.0f, "%s: pixel (%d, %d) is %g, outside [0, 1]", what, x, y, (double)v);
            if (v > 0.0f) {
                if (x < x0) x0 = x;
                if (x > x1) x1 = x;
                if (y < y0) y0 = y;
                if (y > y1) y1 = y;
            }
            mass += v;
            cx += v * (x + 0.5);
            cy += v * (y + 0.5);
        }
    CHECK(x1 >= 0, "%s: no ink at all", what);
    bw = x1 - x0 + 1;
    bh = y1 - y0 + 1;
    longer = bw > bh ? bw : bh;
    CHECK(bw <= 21 && bh <= 21 && longer >= 19, "%s: the ink's box is %d x %d, want at most 20 x 20 with the longer "
          "side 20 (+-1)", what, bw, bh);
    /* The 7 is taller than wide: its height is the longer side. */
    CHECK(bh >= bw, "%s: the 7 came out %d wide and %d high", what, bw, bh);
    cx /= mass;
    cy /= mass;
    CHECK(fabs(cx - 14.0) <= 1.0 && fabs(cy - 14.0) <= 1.0, "%s: centre of mass (%.2f, %.2f), want (14, 14) +- 1", what,
          cx, cy);
    /* The background, away from the ink's box, is exactly 0. */
    CHECK(d[0] == 0.0f && d[27] == 0.0f && d[27 * 28] == 0.0f && d[27 * 28 + 27] == 0.0f,
          "%s: corners %g %g %g %g, want 0", what, (double)d[0], (double)d[27], (double)d[27 * 28],
          (double)d[27 * 28 + 27]);
    /* Ink is stretched to the full range. */
    {
        float hi = 0.0f;
        int k;
        for (k = 0; k < 784; k++) if (d[k] > hi) hi = d[k];
        CHECK(hi > 0.9f, "%s: the brightest pixel is %g, want the stroke near 1", what, (double)hi);
    }
}

static float light[784], dark[784], transparent[784];

/* The 7 in dark ink on light paper, the reference of the other pictures. */
static int load_light(void)
{
    return write_seven(testing_scratch("seven-light.png"), 3, 20, 235, 255) &&
           initnn_image_load_mnist(light, testing_scratch("seven-light.png")) == 0;
}

static void a_seven_on_light_paper_meets_the_mnist_conventions(void)
{
    CHECK(load_light(), "writing or loading the PNG failed: %s", initnn_last_error());
    check_mnist_conventions(light, "dark ink on light paper");
}

static void a_seven_on_a_dark_board_gives_the_same_digit(void)
{
    int err, k;
    float worst = 0.0f;
    CHECK(load_light(), "the reference picture: %s", initnn_last_error());
    CHECK(write_seven(testing_scratch("seven-dark.png"), 1, 235, 20, 255), "cannot write the PNG");
    err = initnn_image_load_mnist(dark, testing_scratch("seven-dark.png"));
    CHECK(err == 0, "initnn_image_load_mnist: %s", initnn_last_error());
    check_mnist_conventions(dark, "light ink on a dark board");
    if (TESTING_FAILED) return;
    for (k = 0; k < 784; k++) if (fabsf(dark[k] - light[k]) > worst) worst = fabsf(dark[k] - light[k]);
    CHECK(worst <= 1e-3f, "light ink on dark differs from dark ink on light by up to %g", (double)worst);
}

static void a_seven_on_a_transparent_background_is_composited_over_white(void)
{
    int err, k;
    float worst = 0.0f;
    CHECK(load_light(), "the reference picture: %s", initnn_last_error());
    CHECK(write_seven(testing_scratch("seven-alpha.png"), 4, 20, 0, 0), "cannot write the PNG");
    err = initnn_image_load_mnist(transparent, testing_scratch("seven-alpha.png"));
    CHECK(err == 0, "initnn_image_load_mnist: %s", initnn_last_error());
    check_mnist_conventions(transparent, "dark ink on a transparent background");
    if (TESTING_FAILED) return;
    /* Paper: black with alpha 0 over white is white; ink 20 against 235 above. */
    for (k = 0; k < 784; k++) if (fabsf(transparent[k] - light[k]) > worst) worst = fabsf(transparent[k] - light[k]);
    CHECK(worst <= 0.02f, "the transparent background differs from light paper by up to %g", (double)worst);
}

static void a_uniform_picture_has_no_ink_and_is_a_format_error(void)
{
    static unsigned char flat[64 * 48];
    float out[784];
    int err;
    memset(flat, 200, sizeof flat);
    CHECK(stbi_write_png(testing_scratch("flat.png"), 64, 48, 1, flat, 64), "cannot write the PNG");
    initnn_clear_error();
    err = initnn_image_load_mnist(out, testing_scratch("flat.png"));
    CHECK(err == INITNN_ERR_FORMAT, "a uniform picture returned %d, want INITNN_ERR_FORMAT", err);
    CHECK(strstr(initnn_last_error(), "ink") != NULL, "the message does not say there is no ink: '%s'",
          initnn_last_error());
    /* Nearly uniform (one gray level of contrast) is no ink either. */
    flat[10 * 64 + 30] = 201;
    err = initnn_image_to_mnist(out, flat, 64, 48);
    CHECK(err == INITNN_ERR_FORMAT, "one gray level of contrast returned %d, want INITNN_ERR_FORMAT", err);
}

static void unreadable_files_are_errors_with_a_message(void)
{
    float out[784];
    unsigned char *png;
    long len;
    FILE *f;
    int err;
    /* Missing. */
    initnn_clear_error();
    err = initnn_image_load_mnist(out, testing_scratch("no-such-file.png"));
    CHECK(err == INITNN_ERR_IO, "a missing file returned %d, want INITNN_ERR_IO", err);
    CHECK(strstr(initnn_last_error(), "no-such-file.png") != NULL, "the message does not name the file: '%s'",
          initnn_last_error());
    /* Text. */
    CHECK(write_bytes(testing_scratch("not-an-image.png"), "this is not a picture\n", 22), "cannot write");
    initnn_clear_error();
    err = initnn_image_load_mnist(out, testing_scratch("not-an-image.png"));
    CHECK(err == INITNN_ERR_FORMAT, "a text file returned %d, want INITNN_ERR_FORMAT", err);
    CHECK(strlen(initnn_last_error()) > 0, "no message for a text file");
    /* Empty. */
    CHECK(write_bytes(testing_scratch("empty.png"), "", 0), "cannot write");
    err = initnn_image_load_mnist(out, testing_scratch("empty.png"));
    CHECK(err == INITNN_ERR_FORMAT, "an empty file returned %d, want INITNN_ERR_FORMAT", err);
    /* A real PNG cut in half. */
    CHECK(write_seven(testing_scratch("whole.png"), 3, 20, 235, 255), "cannot write the PNG");
    f = fopen(testing_scratch("whole.png"), "rb");
    CHECK(f != NULL, "cannot reopen the PNG");
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    png = (unsigned char *)malloc((size_t)len);
    if (!png || fread(png, 1, (size_t)len, f) != (size_t)len) { fclose(f); free(png); CHECK(0, "cannot read the PNG"); }
    fclose(f);
    CHECK(write_bytes(testing_scratch("truncated.png"), png, (size_t)len / 2), "cannot write");
    free(png);
    initnn_clear_error();
    err = initnn_image_load_mnist(out, testing_scratch("truncated.png"));
    CHECK(err != 0, "a truncated PNG was read");
    CHECK(strlen(initnn_last_error()) > 0, "no message for a truncated PNG");
}

static void image_sizes_whose_products_overflow_are_errors(void)
{
    static const unsigned char gray[4] = {0, 255, 0, 255};
    static const float w[4] = {1, -1, 0.5f, 0};
    float out[784];
    int err;
    err = initnn_image_to_mnist(out, gray, 65536, 65536);
    CHECK(err == INITNN_ERR_OVERFLOW, "a 65536 x 65536 image returned %d, want INITNN_ERR_OVERFLOW", err);
    err = initnn_image_to_mnist(out, gray, 0, 4);
    CHECK(err == INITNN_ERR_ARGUMENT, "a 0 x 4 image returned %d, want INITNN_ERR_ARGUMENT", err);
    /* A tile of 2^31-1 x 1 for 2^31-1 inputs: the grid's height overflows an
       int; it must be refused before a single weight is read. */
    err = initnn_image_write_weights_png(testing_scratch("huge.png"), w, 0x7fffffff, 1, 0x7fffffff, 1, 0);
    CHECK(err == INITNN_ERR_OVERFLOW, "a 2^31-1 x 1 weight tile returned %d, want INITNN_ERR_OVERFLOW", err);
    err = initnn_image_write_weights_png(testing_scratch("huge.png"), w, 0x7fffffff, 1, 1, 0x7fffffff, 0);
    CHECK(err == INITNN_ERR_OVERFLOW, "a 1 x 2^31-1 weight tile returned %d, want INITNN_ERR_OVERFLOW", err);
    err = initnn_image_write_samples_png(testing_scratch("huge.png"), w, NULL, NULL, 1, 0x7fffffff, 1);
    CHECK(err == INITNN_ERR_OVERFLOW, "a 2^31-1 x 1 sample returned %d, want INITNN_ERR_OVERFLOW", err);
    err = initnn_image_write_samples_png(testing_scratch("huge.png"), w, NULL, NULL, 0x7fffffff, 1, 1);
    CHECK(err == INITNN_ERR_OVERFLOW, "2^31-1 samples returned %d, want INITNN_ERR_OVERFLOW", err);
    err = initnn_image_write_weights_png(testing_scratch("huge.png"), w, 4, 1, 3, 1, 0);
    CHECK(err == INITNN_ERR_ARGUMENT, "3 x 1 tiles for 4 inputs returned %d, want INITNN_ERR_ARGUMENT", err);
}

/* ---- written PNGs read back ----------------------------------------------------------------- */

/* Reads a PNG as RGB (NULL if stb_image cannot), with its size. */
static unsigned char *read_rgb(const char *path, int *w, int *h)
{
    int n = 0;
    *w = *h = 0;
    return stbi_load(path, w, h, &n, 3);
}

static void weight_tiles_show_the_sign_of_every_weight(void)
{
    /* W is (fan_in 6, units 5): tiles of 2 x 3. Unit j's weights: */
    enum { FAN_IN = 6, UNITS = 5, TH = 2, TW = 3 };
    float W[FAN_IN * UNITS];
    unsigned char *rgb;
    int i, j, cols = 3, rows = 2, width = cols * (TW + 2) + 2, height = rows * (TH + 2) + 2, err, got_w, got_h;
    for (i = 0; i < FAN_IN; i++)
        for (j = 0; j < UNITS; j++) {
            static const float pattern[6] = {2.0f, -2.0f, 0.0f, 1.0f, -0.5f, 0.25f};
            W[i * UNITS + j] = pattern[(i + j) % 6];
        }
    W[5 * UNITS + 4] = INFINITY;   /* unit 4's last input */
    W[4 * UNITS + 4] = NAN;        /* and the one before */
    err = initnn_image_write_weights_png(testing_scratch("weights.png"), W, FAN_IN, UNITS, TH, TW, 0);
    CHECK(err == 0, "initnn_image_write_weights_png: %s", initnn_last_error());
    rgb = read_rgb(testing_scratch("weights.png"), &got_w, &got_h);
    CHECK(rgb != NULL, "stb_image cannot read weights.png: %s", stbi_failure_reason());
    if (got_w != width || got_h != height) stbi_image_free(rgb);
    CHECK(got_w == width && got_h == height, "weights.png is %d x %d, want %d x %d", got_w, got_h, width, height);
    for (j = 0; j < UNITS; j++) {
        int left = 2 + (j % cols) * (TW + 2), top = 2 + (j / cols) * (TH + 2);
        for (i = 0; i < FAN_IN; i++) {
            float w = W[i * UNITS + j];
            const unsigned char *p = rgb + 3 * ((size_t)(top + i / TW) * width + left + i % TW);
            int r = p[0], g = p[1], b = p[2];
            if (w != w) {
                CHECK(r == 0 && g == 0 && b == 0, "unit %d input %d (NaN) is (%d, %d, %d), want black", j, i, r, g, b);
            } else if (w == 0.0f) {
                CHECK(r == 255 && g == 255 && b == 255, "unit %d input %d (0) is (%d, %d, %d), want white", j, i, r, g, b);
            } else if (w > 0.0f) {
                CHECK(r == 255 && g == b && g < 255, "unit %d input %d (%g) is (%d, %d, %d), want red", j, i, (double)w,
                      r, g, b);
                /* Saturation grows with |w|: 2 (the largest finite) and Inf are pure red. */
                if (w >= 2.0f) CHECK(g == 0, "unit %d input %d (%g) is not saturated: (%d, %d, %d)", j, i, (double)w, r, g, b);
                else CHECK(abs(g - (int)(255.0 * (1.0 - w / 2.0))) <= 1, "unit %d input %d (%g): green %d, want %d", j,
                           i, (double)w, g, (int)(255.0 * (1.0 - w / 2.0)));
            } else {
                CHECK(b == 255 && r == g && r < 255, "unit %d input %d (%g) is (%d, %d, %d), want blue", j, i, (double)w,
                      r, g, b);
                if (w <= -2.0f) CHECK(r == 0, "unit %d input %d (%g) is not saturated: (%d, %d, %d)", j, i, (double)w, r, g, b);
            }
        }
    }
    /* The gutter between tiles is gray, and the sixth grid cell (no unit) too. */
    CHECK(rgb[0] == 96 && rgb[1] == 96 && rgb[2] == 96, "the corner is (%d, %d, %d), want gray 96", rgb[0], rgb[1], rgb[2]);
    {
        const unsigned char *p = rgb + 3 * ((size_t)(2 + TH + 2) * width + 2 + 2 * (TW + 2));
        CHECK(p[0] == 96 && p[1] == 96 && p[2] == 96, "the empty sixth cell is (%d, %d, %d), want gray", p[0], p[1], p[2]);
    }
    stbi_image_free(rgb);
    /* max_tiles: 2 tiles make a 2 x 1 grid. */
    err = initnn_image_write_weights_png(testing_scratch("weights2.png"), W, FAN_IN, UNITS, TH, TW, 2);
    CHECK(err == 0, "max_tiles 2: %s", initnn_last_error());
    rgb = read_rgb(testing_scratch("weights2.png"), &got_w, &got_h);
    CHECK(rgb != NULL, "stb_image cannot read weights2.png: %s", stbi_failure_reason());
    stbi_image_free(rgb);
    CHECK(got_w == 2 * (TW + 2) + 2 && got_h == TH + 4, "two tiles: %d x %d, want %d x %d", got_w, got_h,
          2 * (TW + 2) + 2, TH + 4);
}

static void sample_grids_show_the_pixels_and_the_labels(void)
{
    /* 5 samples of the preprocessed sevens and 4 x 4 test patterns. */
    enum { COUNT = 5 };
    static float x[COUNT * 784];
    int predicted[COUNT] = {7, 7, 1, 9, 3}, labels[COUNT] = {7, 2, 1, 9, 3};
    int cols = 3, rows = 2, width = cols * (28 + 4) + 4, height = rows * (28 + 16) + 4, i, err, got_w, got_h;
    unsigned char *rgb;
    memcpy(x, light, sizeof light);
    memcpy(x + 784, dark, sizeof dark);
    for (i = 2 * 784; i < COUNT * 784; i++) x[i] = (float)(i % 7) / 6.0f;
    x[3 * 784] = NAN;
    x[3 * 784 + 1] = 2.0f;
    x[3 * 784 + 2] = -1.0f;
    err = initnn_image_write_samples_png(testing_scratch("samples.png"), x, predicted, labels, COUNT, 28, 28);
    CHECK(err == 0, "initnn_image_write_samples_png: %s", initnn_last_error());
    rgb = read_rgb(testing_scratch("samples.png"), &got_w, &got_h);
    CHECK(rgb != NULL, "stb_image cannot read samples.png: %s", stbi_failure_reason());
    if (got_w != width || got_h != height) stbi_image_free(rgb);
    CHECK(got_w == width && got_h == height, "samples.png is %d x %d, want %d x %d", got_w, got_h, width, height);
    for (i = 0; i < COUNT; i++) {
        int left = 4 + (i % cols) * (28 + 4), top = 4 + (i / cols) * (28 + 16), px, py, k;
        int green = 0, red = 0;
        for (py = 0; py < 28; py++)
            for (px = 0; px < 28; px++) {
                const unsigned char *p = rgb + 3 * ((size_t)(top + py) * width + left + px);
                float v = x[i * 784 + py * 28 + px];
                int want = (int)(255.0f * (!(v > 0.0f) ? 0.0f : v > 1.0f ? 1.0f : v));
                CHECK(p[0] == p[1] && p[1] == p[2] && abs(p[0] - want) <= 1,
                      "sample %d pixel (%d, %d) = %g is (%d, %d, %d), want gray %d", i, px, py, (double)v, p[0], p[1],
                      p[2], want);
            }
        /* The label's pixels under the image: green when right, red when wrong. */
        for (k = 0; k < 28 * 14; k++) {
            const unsigned char *p = rgb + 3 * ((size_t)(top + 28 + k / 28) * width + left + k % 28);
            if (p[0] == 80 && p[1] == 220 && p[2] == 80) green++;
            if (p[0] == 240 && p[1] == 60 && p[2] == 60) red++;
        }
        if (predicted[i] == labels[i])
            CHECK(green > 0 && red == 0, "sample %d (right) has %d green and %d red label pixels", i, green, red);
        else
            CHECK(red > 0 && green == 0, "sample %d (wrong) has %d green and %d red label pixels", i, green, red);
    }
    stbi_image_free(rgb);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    if (testing_scratch_begin("image") != 0) return 1;
    RUN_TEST(a_seven_on_light_paper_meets_the_mnist_conventions);
    RUN_TEST(a_seven_on_a_dark_board_gives_the_same_digit);
    RUN_TEST(a_seven_on_a_transparent_background_is_composited_over_white);
    RUN_TEST(a_uniform_picture_has_no_ink_and_is_a_format_error);
    RUN_TEST(unreadable_files_are_errors_with_a_message);
    RUN_TEST(image_sizes_whose_products_overflow_are_errors);
    RUN_TEST(weight_tiles_show_the_sign_of_every_weight);
    RUN_TEST(sample_grids_show_the_pixels_and_the_labels);
    testing_scratch_end();   /* leave nothing behind */
    return testing_finish();
}
