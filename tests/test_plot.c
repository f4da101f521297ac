/* test_plot.c - the SVG line charts of section 14: styles, the legend's
   width, integer ticks and a fixed y range.

   Every check reads the SVG text the writer produced and recomputes from
   the documented layout what it must contain: the plot area starts 78
   pixels from the left and 44 from the top, 170 pixels are kept right of it
   for the legend (the label 40 pixels right of the plot), 56 below it; x
   tick labels stand 18 pixels below the plot. Label widths are DejaVu Sans
   at 12 pixels, measured here from the font's hmtx table (advance widths in
   units of 1/2048 em summed over the characters), not from initnn. */

#define _POSIX_C_SOURCE 200809L

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

#define LEFT 78.0
#define RIGHT 170.0
#define TOP 44.0
#define BOTTOM 56.0

/* ---- reading the SVG ------------------------------------------------------------------------ */

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return NULL;
    }
    text = (char *)malloc((size_t)n + 1);
    if (text && fread(text, 1, (size_t)n, f) != (size_t)n) { free(text); text = NULL; }
    if (text) text[n] = '\0';
    fclose(f);
    return text;
}

/* Counts the occurrences of needle in text. */
static int count_of(const char *text, const char *needle)
{
    int n = 0;
    const char *p = text;
    while ((p = strstr(p, needle)) != NULL) { n++; p += strlen(needle); }
    return n;
}

/* The number after name=" in the first element that starts with tag, or NaN. */
static double attribute_of(const char *svg, const char *tag, const char *name)
{
    char key[64];
    const char *element = strstr(svg, tag), *end, *value;
    if (!element) return NAN;
    end = strchr(element, '>');
    snprintf(key, sizeof key, " %s=\"", name);
    value = strstr(element, key);
    if (!value || (end && value > end)) return NAN;
    return strtod(value + strlen(key), NULL);
}

/* The labels of the x ticks: the <text> elements on the row 18 pixels
   below a plot of the given height, in order; returns how many. */
static int x_tick_labels(const char *svg, double plot_bottom, double *labels, int max)
{
    char row[64];
    const char *p = svg;
    int n = 0;
    snprintf(row, sizeof row, "\" y=\"%.1f\" text-anchor=\"middle\">", plot_bottom + 18.0);
    while ((p = strstr(p, row)) != NULL && n < max) {
        p += strlen(row);
        labels[n++] = strtod(p, NULL);
    }
    return n;
}

/* The labels of the y ticks (right-aligned <text> left of the plot). */
static int y_tick_labels(const char *svg, double *labels, int max)
{
    const char *p = svg, *anchor = "text-anchor=\"end\">";
    int n = 0;
    while ((p = strstr(p, anchor)) != NULL && n < max) {
        p += strlen(anchor);
        labels[n++] = strtod(p, NULL);
    }
    return n;
}

/* The vertices of the first <polyline> after from: x in xs, y in ys. */
static int polyline_points(const char *from, double *xs, double *ys, int max)
{
    const char *p = strstr(from, "<polyline");
    int n = 0;
    if (!p || !(p = strstr(p, "points=\""))) return 0;
    p += 8;
    while (*p != '"' && n < max) {
        char *end;
        xs[n] = strtod(p, &end);
        if (end == p || *end != ',') break;
        p = end + 1;
        ys[n++] = strtod(p, &end);
        p = end;
        while (*p == ' ') p++;
    }
    return n;
}

/* One series of n points, no band. */
static initnn_plot_series series_of(const char *label, const double *x, const double *y, int n)
{
    initnn_plot_series series;
    memset(&series, 0, sizeof series);
    series.label = label;
    series.x = x;
    series.y = y;
    series.n = n;
    return series;
}

/* ---- styles ---------------------------------------------------------------------------------- */

/* The lab draws each initializer's prediction dashed beside its
   measurement in one colour: four series, two colours, two dashed. Without
   styles every series has its own colour and none is dashed. */
static void styled_plot_draws_series_in_the_chosen_colour_dashed_where_asked(void)
{
    static const double x[3] = {1, 2, 3}, y[4][3] = {{1, 0.5, 0.25}, {1, 0.6, 0.3}, {1, 1, 1}, {1, 1.1, 0.9}};
    initnn_plot plot;
    initnn_plot_series series[4];
    initnn_plot_style styles[4];
    char *svg;
    int i, colours_ok, dashed, circles;
    memset(&plot, 0, sizeof plot);
    memset(series, 0, sizeof series);
    memset(styles, 0, sizeof styles);
    plot.title = "predicted and measured";
    plot.x_label = "layer";
    plot.y_label = "E[z^2]";
    plot.log_y = 1;
    for (i = 0; i < 4; i++) {
        series[i].label = i % 2 ? "measured" : "predicted";
        series[i].x = x;
        series[i].y = y[i];
        series[i].n = 3;
        styles[i].color = i / 2;         /* palette: #1f77b4, then #ff7f0e */
        styles[i].dashed = i % 2 == 0;
        styles[i].markers = i % 2;
    }
    CHECK(initnn_plot_svg_styled(testing_scratch("styled.svg"), &plot, series, styles, 4) == 0, "%s",
          initnn_last_error());
    svg = read_text(testing_scratch("styled.svg"));
    CHECK(svg != NULL, "the SVG was not written");
    /* Each series' group and legend line name its colour: 2 + 2 per colour. */
    colours_ok = count_of(svg, "\"#1f77b4\"") == 6 && count_of(svg, "\"#ff7f0e\"") == 6 && !strstr(svg, "#2ca02c");
    dashed = count_of(svg, "stroke-dasharray");   /* two lines and two legend entries */
    circles = count_of(svg, "<circle");           /* the two measured series, 3 points each */
    free(svg);
    CHECK(colours_ok, "the series are not drawn in colours 0, 0, 1, 1 of the palette");
    CHECK(dashed == 4, "%d dashed elements, expected 4", dashed);
    CHECK(circles == 6, "%d markers, expected 6", circles);

    CHECK(initnn_plot_svg(testing_scratch("plain.svg"), &plot, series, 4) == 0, "%s", initnn_last_error());
    svg = read_text(testing_scratch("plain.svg"));
    CHECK(svg != NULL, "the unstyled SVG was not written");
    colours_ok = count_of(svg, "\"#2ca02c\"") == 3 && count_of(svg, "\"#d62728\"") == 3;
    dashed = count_of(svg, "stroke-dasharray");
    circles = count_of(svg, "<circle");
    free(svg);
    CHECK(dashed == 0 && circles == 0, "the unstyled plot is styled: %d dashed, %d markers", dashed, circles);
    CHECK(colours_ok, "unstyled series 3 and 4 do not have colours 3 and 4");
}

/* ---- the legend ------------------------------------------------------------------------------ */

/* Writes one series of 3 points labelled label (count copies) and returns
   the SVG text, or NULL. */
static char *plot_with_labels(const char *file, const char *label, int count)
{
    static const double x[3] = {0, 1, 2}, y[3] = {0.5, 0.7, 0.6};
    initnn_plot plot;
    initnn_plot_series series[64];
    int i;
    memset(&plot, 0, sizeof plot);
    memset(series, 0, sizeof series);
    plot.title = "legend";
    for (i = 0; i < count; i++) {
        series[i].label = label;
        series[i].x = x;
        series[i].y = y;
        series[i].n = 3;
    }
    if (initnn_plot_svg(testing_scratch(file), &plot, series, count) != 0) return NULL;
    return read_text(testing_scratch(file));
}

static void zeroed_plot_keeps_720_by_440_and_draws_no_clip_path(void)
{
    char *svg = plot_with_labels("short.svg", "he_normal", 2);
    double width, height, frame_w;
    int clipped;
    CHECK(svg != NULL, "initnn_plot_svg: %s", initnn_last_error());
    width = attribute_of(svg, "<svg", "width");
    height = attribute_of(svg, "<svg", "height");
    frame_w = attribute_of(svg, "<rect x=\"78.0\"", "width");
    clipped = strstr(svg, "clip-path") != NULL;
    free(svg);
    CHECK(width == 720 && height == 440, "picture %g x %g, want 720 x 440", width, height);
    CHECK(frame_w == 720 - LEFT - RIGHT, "plot area %g wide, want %g", frame_w, 720 - LEFT - RIGHT);
    CHECK(!clipped, "a plot without a y range has a clip path");
}

static void legend_widens_the_picture_until_the_longest_label_fits(void)
{
    /* 261.95 pixels in DejaVu Sans 12 (16,762 / 2048 em x 12); 40 + 261.95
       + 12 is 144 more than the 170 kept for the legend. */
    const char *longest = "variance_scaling:2,fan_in,truncated_normal";
    const double longest_px = 261.95;
    char *svg_short = plot_with_labels("short.svg", "he_normal", 1);
    char *svg_long = plot_with_labels("long.svg", longest, 1);
    double w_short, w_long, frame_short, frame_long, label_x, viewbox_w = NAN;
    const char *vb;
    if (!svg_short || !svg_long) { free(svg_short); free(svg_long); }
    CHECK(svg_short && svg_long, "initnn_plot_svg: %s", initnn_last_error());
    w_short = attribute_of(svg_short, "<svg", "width");
    w_long = attribute_of(svg_long, "<svg", "width");
    frame_short = attribute_of(svg_short, "<rect x=\"78.0\"", "width");
    frame_long = attribute_of(svg_long, "<rect x=\"78.0\"", "width");
    vb = strstr(svg_long, "viewBox=\"0 0 ");
    if (vb) viewbox_w = strtod(vb + 13, NULL);
    /* The label's <text> follows the legend line. */
    label_x = NAN;
    {
        const char *p = strstr(svg_long, "stroke-width=\"3\"");
        if (p && (p = strstr(p, "<text x=\""))) label_x = strtod(p + 9, NULL);
    }
    free(svg_short);
    free(svg_long);
    CHECK(w_short == 720, "a short label widened the picture to %g", w_short);
    CHECK(label_x + longest_px <= w_long, "the label runs from %g to %g, past the picture's right edge %g", label_x,
          label_x + longest_px, w_long);
    CHECK(w_long <= label_x + longest_px + 12 + 2, "picture %g wide, far more than the label needs (%g)", w_long,
          label_x + longest_px + 12);
    CHECK(viewbox_w == w_long, "viewBox width %g, picture width %g", viewbox_w, w_long);
    CHECK(frame_long == frame_short, "the plot area changed from %g to %g pixels wide", frame_short, frame_long);
}

static void legend_of_many_series_lengthens_the_picture_to_hold_every_row(void)
{
    /* 40 rows of 18 pixels from 10 below the top of the plot: 44 + 10 +
       18 * 40 = 774 pixels, more than 440. */
    char *svg = plot_with_labels("many.svg", "lecun_normal", 40);
    double height, last_row = -1.0, frame_h;
    const char *p;
    CHECK(svg != NULL, "initnn_plot_svg: %s", initnn_last_error());
    height = attribute_of(svg, "<svg", "height");
    frame_h = attribute_of(svg, "<rect x=\"78.0\"", "height");
    for (p = svg; (p = strstr(p, "stroke-width=\"3\"")) != NULL; p++) {
        const char *t = strstr(p, "<text x=\"");
        const char *y = t ? strstr(t, " y=\"") : NULL;
        if (y) last_row = strtod(y + 4, NULL);
    }
    free(svg);
    CHECK(frame_h == 440 - TOP - BOTTOM, "the plot area is %g high, want %g", frame_h, 440 - TOP - BOTTOM);
    CHECK(last_row > 0 && last_row + 4 <= height, "the last legend row at y %g, the picture %g high", last_row, height);
}

/* ---- integer ticks --------------------------------------------------------------------------- */

/* The x tick labels of the chart of one series (x, y, n points), with or
   without integer_x; returns how many, or -1 if it was not written. */
static int x_ticks_of(const double *x, const double *y, int n, int integer_x, double *ticks, int max)
{
    initnn_plot plot;
    initnn_plot_series series;
    char *svg;
    int count;
    memset(&plot, 0, sizeof plot);
    series = series_of("he_normal", x, y, n);
    plot.integer_x = integer_x;
    if (initnn_plot_svg(testing_scratch("ticks.svg"), &plot, &series, 1) != 0) return -1;
    if (!(svg = read_text(testing_scratch("ticks.svg")))) return -1;
    count = x_tick_labels(svg, 440 - BOTTOM, ticks, max);
    free(svg);
    return count;
}

/* Epochs 0..3: 1-2-5 steps give 0, 0.5, 1, ... 3; integer_x 0, 1, 2, 3. */
static void integer_x_puts_x_ticks_on_whole_numbers_only(void)
{
    static const double x[4] = {0, 1, 2, 3}, y[4] = {2.3, 0.9, 0.5, 0.4};
    static const double wide_x[2] = {0, 40}, wide_y[2] = {1, 2};
    double ticks[64], plain_ticks[64];
    int n, n_plain, i, fractional = 0;
    n_plain = x_ticks_of(x, y, 4, 0, plain_ticks, 64);
    CHECK(n_plain >= 0, "initnn_plot_svg: %s", initnn_last_error());
    for (i = 0; i < n_plain; i++) fractional += plain_ticks[i] != floor(plain_ticks[i]);
    CHECK(fractional > 0, "without integer_x the %d ticks over 0..3 are all whole: the test shows nothing", n_plain);
    n = x_ticks_of(x, y, 4, 1, ticks, 64);
    CHECK(n == 4, "%d x ticks over 0..3, want 4 (0, 1, 2, 3)", n);
    for (i = 0; i < n; i++) CHECK(ticks[i] == i, "tick %d is %g", i, ticks[i]);

    /* Where 1-2-5 steps are whole already (0..40 by 5), integer_x changes nothing. */
    n = x_ticks_of(wide_x, wide_y, 2, 1, ticks, 64);
    n_plain = x_ticks_of(wide_x, wide_y, 2, 0, plain_ticks, 64);
    CHECK(n == n_plain && n > 1, "0..40: %d ticks with integer_x, %d without", n, n_plain);
    for (i = 0; i < n; i++)
        CHECK(ticks[i] == plain_ticks[i], "0..40: tick %d is %g, %g without integer_x", i, ticks[i], plain_ticks[i]);
}

/* ---- a fixed y range ------------------------------------------------------------------------- */

/* An accuracy curve from 0.1 at epoch 0 to 0.99, zoomed to [0.95, 1]: the
   axis is exactly that range with ticks 0.95, 0.96, ... 1, a point maps
   linearly onto it (0.975 to the middle row), and what leaves it is
   clipped at the plot area. */
static void y_range_fixes_the_axis_and_clips_what_leaves_it(void)
{
    static const double x[5] = {0, 1, 2, 3, 4}, y[5] = {0.1, 0.96, 0.975, 0.985, 0.99};
    static const double lo[5] = {0.05, 0.955, 0.97, 0.98, 0.985}, hi[5] = {0.15, 0.965, 0.98, 0.99, 0.995};
    const double plot_h = 440 - TOP - BOTTOM, plot_w = 720 - LEFT - RIGHT;
    initnn_plot plot;
    initnn_plot_series series;
    double ticks[64], px[8], py[8], clip_y, clip_h;
    int n, i, points, clip_uses, drawn;
    char *svg;
    memset(&plot, 0, sizeof plot);
    series = series_of("he_normal", x, y, 5);
    series.y_low = lo;
    series.y_high = hi;
    plot.integer_x = 1;
    plot.markers = 1;
    plot.y_min = 0.95;
    plot.y_max = 1.0;
    CHECK(initnn_plot_svg(testing_scratch("zoom.svg"), &plot, &series, 1) == 0, "%s", initnn_last_error());
    svg = read_text(testing_scratch("zoom.svg"));
    CHECK(svg != NULL, "not written");
    n = y_tick_labels(svg, ticks, 64);
    points = polyline_points(svg, px, py, 8);
    clip_y = attribute_of(svg, "<clipPath", "y");
    clip_h = attribute_of(svg, "<clipPath", "height");
    if (strstr(svg, "<clipPath")) {
        clip_y = attribute_of(strstr(svg, "<clipPath"), "<rect", "y");
        clip_h = attribute_of(strstr(svg, "<clipPath"), "<rect", "height");
    }
    clip_uses = count_of(svg, "clip-path=\"url(#initnn-plot-area)\"");
    drawn = count_of(svg, "<polygon") + count_of(svg, "<g stroke=\"#1f77b4\"");
    free(svg);
    CHECK(n == 6, "%d y ticks on [0.95, 1], want 6", n);
    for (i = 0; i < n; i++) CHECK_NEAR(ticks[i], 0.95 + 0.01 * i, 1e-9);
    CHECK(points == 5, "%d points in the line, want 5", points);
    /* y = 0.975 is halfway up; 0.99 four fifths; 0.1 far below the plot. */
    CHECK_NEAR(py[2], TOP + plot_h / 2, 0.01);
    CHECK_NEAR(py[4], TOP + plot_h * (1.0 - 0.8), 0.01);
    CHECK(py[0] > TOP + plot_h, "epoch 0 (0.1) drawn at row %g, inside the plot (bottom %g)", py[0], TOP + plot_h);
    CHECK_NEAR(px[4], LEFT + plot_w, 0.01);
    CHECK(clip_y == TOP && clip_h == plot_h, "clip rectangle y %g height %g, want %g and %g", clip_y, clip_h, TOP,
          plot_h);
    CHECK(clip_uses == drawn && drawn == 2, "%d of %d drawn elements (band, line group) are clipped", clip_uses, drawn);
}

static void y_range_on_a_log_axis_spans_exactly_its_decades(void)
{
    static const double x[3] = {1, 2, 3}, y[3] = {1e-6, 1e-2, 1e3};
    const double plot_h = 440 - TOP - BOTTOM;
    initnn_plot plot;
    initnn_plot_series series;
    double ticks[64], px[4], py[4];
    int n, points;
    char *svg;
    memset(&plot, 0, sizeof plot);
    series = series_of("orthogonal", x, y, 3);
    plot.log_y = 1;
    plot.y_min = 1e-4;
    plot.y_max = 1.0;
    CHECK(initnn_plot_svg(testing_scratch("log.svg"), &plot, &series, 1) == 0, "%s", initnn_last_error());
    svg = read_text(testing_scratch("log.svg"));
    CHECK(svg != NULL, "not written");
    n = y_tick_labels(svg, ticks, 64);
    points = polyline_points(svg, px, py, 4);
    free(svg);
    CHECK(n == 5, "%d decade ticks on [1e-4, 1], want 5", n);
    CHECK(points == 3, "%d points, want 3", points);
    CHECK_NEAR(py[1], TOP + plot_h / 2, 0.01);            /* 1e-2: halfway in log10 */
    CHECK(py[0] > TOP + plot_h && py[2] < TOP, "1e-6 and 1e3 at rows %g and %g, inside the plot", py[0], py[2]);
}

static void bad_y_ranges_are_refused_and_write_nothing(void)
{
    static const double x[2] = {0, 1}, y[2] = {1, 2};
    /* Not static: NAN and INFINITY need not be constant expressions (tcc). */
    const struct { double lo, hi; int log_y; const char *why; } cases[] = {
        {1.0, 0.5, 0, "y_min > y_max"}, {0.5, 0.5, 0, "y_min = y_max"}, {0.0, NAN, 0, "NaN"},
        {-INFINITY, 1.0, 0, "-inf"}, {0.0, 10.0, 1, "0 on a log axis"}, {-1.0, 10.0, 1, "negative on a log axis"}
    };
    initnn_plot plot;
    initnn_plot_series series;
    int c;
    series = series_of(NULL, x, y, 2);
    for (c = 0; c < (int)(sizeof cases / sizeof cases[0]); c++) {
        FILE *f;
        int err;
        memset(&plot, 0, sizeof plot);
        plot.y_min = cases[c].lo;
        plot.y_max = cases[c].hi;
        plot.log_y = cases[c].log_y;
        remove(testing_scratch("bad.svg"));
        initnn_clear_error();
        err = initnn_plot_svg(testing_scratch("bad.svg"), &plot, &series, 1);
        f = fopen(testing_scratch("bad.svg"), "rb");
        if (f) fclose(f);
        CHECK(err == INITNN_ERR_ARGUMENT, "%s: returned %d", cases[c].why, err);
        CHECK(strstr(initnn_last_error(), "y range") != NULL, "%s: message '%s'", cases[c].why, initnn_last_error());
        CHECK(f == NULL, "%s: a file was written", cases[c].why);
    }
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    if (testing_scratch_begin("plot") != 0) return 1;
    RUN_TEST(styled_plot_draws_series_in_the_chosen_colour_dashed_where_asked);
    RUN_TEST(zeroed_plot_keeps_720_by_440_and_draws_no_clip_path);
    RUN_TEST(legend_widens_the_picture_until_the_longest_label_fits);
    RUN_TEST(legend_of_many_series_lengthens_the_picture_to_hold_every_row);
    RUN_TEST(integer_x_puts_x_ticks_on_whole_numbers_only);
    RUN_TEST(y_range_fixes_the_axis_and_clips_what_leaves_it);
    RUN_TEST(y_range_on_a_log_axis_spans_exactly_its_decades);
    RUN_TEST(bad_y_ranges_are_refused_and_write_nothing);
    testing_scratch_end();
    return testing_finish();
}
