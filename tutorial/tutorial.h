/* tutorial.h - what the steps of the tutorial share: the command line and the
   verdict lines. Include it after initnn.h in a tutorial/NN_*.c program.

   Every step states a claim, predicts a number from the derivation in its
   header comment, measures the same number, and prints one line per claim:

      claim                               predicted   measured    error      tol
      normal: E[relu(z)^2]/Var(z)               0.5     0.5002   0.033%    0.63%  PASS

   error is |measured - predicted| / |predicted| (or the absolute difference,
   when the prediction is 0 and no ratio exists); tol is the tolerance the
   step justifies in its comment. A bound is printed as "<= 0.25" or ">= 1"
   in the predicted column. The program exits with status 1 if any claim
   failed, 2 on a bad command line or an initnn error.

   Command line, the same for every step:
      --seed N      the seed of every random draw (default 1)
      --fast        smaller sizes, for the test suite; the claims stay the same
      --plot PATH   write the step's figure as SVG (steps that have one) */

#ifndef TUTORIAL_H_INCLUDED
#define TUTORIAL_H_INCLUDED

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* static inline: a step that uses only some of the helpers still compiles
   warning-free. */
#define TUTORIAL_FN static inline

typedef struct tutorial {
    uint64_t seed;
    int fast;
    const char *plot_path;    /* NULL: no figure                            */
    int plotted;
    int claims;
    int failures;
} tutorial;

TUTORIAL_FN void tutorial_usage(const char *program)
{
    fprintf(stderr, "usage: %s [--seed N] [--fast] [--plot out.svg]\n", program);
    exit(2);
}

/* Parses the command line and prints the step's title line. */
TUTORIAL_FN void tutorial_start(tutorial *t, int argc, char **argv, const char *title)
{
    int i;
    memset(t, 0, sizeof *t);
    t->seed = 1;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--fast") == 0) {
            t->fast = 1;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            char *end;
            t->seed = (uint64_t)strtoull(argv[++i], &end, 10);
            if (*end != '\0' || argv[i][0] == '\0' || argv[i][0] == '-') tutorial_usage(argv[0]);
        } else if (strcmp(argv[i], "--plot") == 0 && i + 1 < argc) {
            t->plot_path = argv[++i];
        } else {
            tutorial_usage(argv[0]);
        }
    }
    {
        char run[64];
        snprintf(run, sizeof run, "(seed %llu%s)", (unsigned long long)t->seed, t->fast ? ", --fast" : "");
        if (strlen(title) + 2 + strlen(run) <= 80) printf("%s  %s\n", title, run);
        else printf("%s\n%s\n", title, run);
    }
}

/* Prints text indented, broken at spaces into lines of at most 78
   characters (initnn's error messages are one long line). */
TUTORIAL_FN void tutorial_print_wrapped(const char *indent, const char *text)
{
    size_t width = 78 - strlen(indent);
    while (strlen(text) > width) {
        size_t cut = width;
        while (cut > 0 && text[cut] != ' ') cut--;
        if (cut == 0) cut = width;
        printf("%s%.*s\n", indent, (int)cut, text);
        text += cut;
        while (*text == ' ') text++;
    }
    printf("%s%s\n", indent, text);
}

/* Stops the step on an initnn error: that is a broken program, not a claim
   that failed. */
TUTORIAL_FN void tutorial_require(int err, const char *what)
{
    if (err == 0) return;
    fprintf(stderr, "%s failed (%d): %s\n", what, err, initnn_last_error());
    exit(2);
}

TUTORIAL_FN void tutorial_print_heading(void)
{
    printf("%-34s %10s %10s %8s %8s\n", "claim", "predicted", "measured", "error", "tol");
}

TUTORIAL_FN void tutorial_verdict(tutorial *t, int holds)
{
    t->claims++;
    if (!holds) t->failures++;
    printf("  %s\n", holds ? "PASS" : "FAIL");
}

/* A ratio as a percentage that fits 8 columns: "0.052%", "4.3%", "120%". */
TUTORIAL_FN const char *tutorial_percent(char *text, size_t size, double ratio)
{
    double percent = 100.0 * ratio;
    if (!(percent < 1e6)) snprintf(text, size, "%s", percent != percent ? "nan" : "huge");
    else if (percent >= 100.0) snprintf(text, size, "%.0f%%", percent);
    else snprintf(text, size, "%.2g%%", percent);
    return text;
}

/* measured agrees with predicted within the relative tolerance rel_tol. */
TUTORIAL_FN int tutorial_relative(tutorial *t, const char *claim, double predicted, double measured,
                                  double rel_tol)
{
    char error_text[16], tol_text[16];
    double error = fabs(measured - predicted) / fabs(predicted);
    int holds = error <= rel_tol;   /* false for NaN */
    printf("%-34.34s %10.4g %10.4g %8s %8s", claim, predicted, measured,
           tutorial_percent(error_text, sizeof error_text, error),
           tutorial_percent(tol_text, sizeof tol_text, rel_tol));
    tutorial_verdict(t, holds);
    return holds;
}

/* measured agrees with predicted within the absolute tolerance abs_tol. */
TUTORIAL_FN int tutorial_absolute(tutorial *t, const char *claim, double predicted, double measured,
                                  double abs_tol)
{
    double error = fabs(measured - predicted);
    int holds = error <= abs_tol;
    printf("%-34.34s %10.4g %10.4g %8.2g %8.2g", claim, predicted, measured, error, abs_tol);
    tutorial_verdict(t, holds);
    return holds;
}

/* measured <= bound. */
TUTORIAL_FN int tutorial_at_most(tutorial *t, const char *claim, double bound, double measured)
{
    char text[32];
    int holds = measured <= bound;
    snprintf(text, sizeof text, "<= %.4g", bound);
    printf("%-34.34s %10s %10.4g %8s %8s", claim, text, measured, "", "");
    tutorial_verdict(t, holds);
    return holds;
}

/* measured >= bound. */
TUTORIAL_FN int tutorial_at_least(tutorial *t, const char *claim, double bound, double measured)
{
    char text[32];
    int holds = measured >= bound;
    snprintf(text, sizeof text, ">= %.4g", bound);
    printf("%-34.34s %10s %10.4g %8s %8s", claim, text, measured, "", "");
    tutorial_verdict(t, holds);
    return holds;
}

/* Writes the step's figure when --plot was given: one line per series,
   each n points (x[i], y[i]). A write error stops the step (status 2). */
TUTORIAL_FN void tutorial_plot(tutorial *t, const char *title, const char *x_label, const char *y_label,
                               int log_y, const initnn_plot_series *series, int series_count)
{
    initnn_plot plot;
    if (!t->plot_path) return;
    memset(&plot, 0, sizeof plot);
    plot.title = title;
    plot.x_label = x_label;
    plot.y_label = y_label;
    plot.log_y = log_y;
    plot.markers = 1;
    tutorial_require(initnn_plot_svg(t->plot_path, &plot, series, series_count), "initnn_plot_svg");
    t->plotted = 1;
    printf("figure written to %s\n", t->plot_path);
}

/* The exit status of the step: 0 iff every claim held. */
TUTORIAL_FN int tutorial_finish(const tutorial *t)
{
    if (t->plot_path && !t->plotted) printf("(this step has no figure; --plot ignored)\n");
    if (t->failures)
        printf("%d of %d claims FAIL\n", t->failures, t->claims);
    else
        printf("all %d claims hold\n", t->claims);
    return t->failures ? 1 : 0;
}

#endif /* TUTORIAL_H_INCLUDED */
