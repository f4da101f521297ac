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
      --plot PATH   write the step's figure as SVG (steps that have one)
      --exercises   list the step's exercises and stop
      --exercise K --answer V
                    check the answer V to exercise K: prints "right" (exit 0)
                    or "wrong" (exit 1), never the answer itself

   Exercises: every step ends with a table of tutorial_exercise (the task,
   the answer, the relative tolerance of a right answer) handed to
   tutorial_exercises() right after tutorial_start(). The answer is
   written as the formula that gives it wherever there is one; the worked
   solutions are in tutorial/SOLUTIONS.md. A task that starts "Break it:"
   introduces a named bug and asks what the step's check then measures.

   Tolerance rules: tutorial_rule_normal() (k standard errors, with the
   rate erfc(k / sqrt 2) at which a correct prediction fails) and
   tutorial_rule_student() (t s / sqrt(K), with t's Student tail) print how
   a step's tolerance is set, once, above the claims that use it.

   Shared measurements: tutorial_factor_variance() and
   tutorial_activation_step_variance() give the relative variance of one
   layer's random factor (the error model of steps 02-07 and 15);
   tutorial_series() fills one line of a figure. */

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
    int list_exercises;       /* --exercises                                */
    int exercise;             /* --exercise K (1-based); 0: none            */
    const char *answer;       /* --answer V                                 */
    int exercise_count;
    const char *program;
} tutorial;

/* One exercise: "change X; predict Y; check". answer is never printed. */
typedef struct tutorial_exercise {
    const char *task;
    double answer;
    double tolerance;         /* relative; 0 asks for the exact number      */
} tutorial_exercise;

TUTORIAL_FN void tutorial_usage(const char *program)
{
    fprintf(stderr, "usage: %s [--seed N] [--fast] [--plot out.svg]\n"
                    "       %s --exercises | --exercise K --answer V\n", program, program);
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
        } else if (strcmp(argv[i], "--exercises") == 0) {
            t->list_exercises = 1;
        } else if (strcmp(argv[i], "--exercise") == 0 && i + 1 < argc) {
            char *end;
            long k = strtol(argv[++i], &end, 10);
            if (*end != '\0' || k < 1 || k > 99) tutorial_usage(argv[0]);
            t->exercise = (int)k;
        } else if (strcmp(argv[i], "--answer") == 0 && i + 1 < argc) {
            t->answer = argv[++i];
        } else {
            tutorial_usage(argv[0]);
        }
    }
    t->program = argv[0];
    if ((t->exercise != 0) != (t->answer != NULL)) tutorial_usage(argv[0]);
    if (t->list_exercises || t->exercise) {
        printf("%s\n", title);
        return;
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

/* The rule of a tolerance of k standard errors, printed once before the
   claims that use it, with the probability that a correct prediction fails
   it when the estimate is normal: the two-sided tail erfc(k / sqrt 2). */
TUTORIAL_FN void tutorial_rule_normal(double k)
{
    printf("tolerance %g SE: a correct prediction fails with probability %.2g\n", k, erfc(k / sqrt(2.0)));
}

/* The two-sided tail P(|T| > x) of Student's t with df degrees of freedom:
   1 - 2 (the integral of its density over [0, x]), by Simpson's rule. */
TUTORIAL_FN double tutorial_student_tail(double x, int df)
{
    const int intervals = 4000;   /* even */
    double nu = df, h = x / intervals, sum = 0.0;
    double scale = exp(lgamma((nu + 1.0) / 2.0) - lgamma(nu / 2.0)) / sqrt(nu * acos(-1.0));
    int i;
    for (i = 0; i <= intervals; i++) {
        double u = i * h, density = scale * pow(1.0 + u * u / nu, -(nu + 1.0) / 2.0);
        sum += density * (i == 0 || i == intervals ? 1.0 : i % 2 ? 4.0 : 2.0);
    }
    return 1.0 - 2.0 * sum * h / 3.0;
}

/* The rule of a tolerance t s / sqrt(K) on a mean over K independent nets
   (s their spread), printed once before the claims that use it: t_quantile
   and the two-sided tail of Student's t with K - 1 degrees of freedom that
   it leaves, computed here (so a mistyped quantile shows). */
TUTORIAL_FN void tutorial_rule_student(double t_quantile, int nets)
{
    printf("tolerance t s / sqrt(K), K = %d nets: t = %.4g, Student's t with %d degrees\n"
           "  of freedom, two-sided %.2g%%\n", nets, t_quantile, nets - 1,
           100.0 * tutorial_student_tail(t_quantile, nets - 1));
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

/* Hands the step's exercises over. With --exercises it lists them, with
   --exercise K --answer V it says whether V is right; both then end the
   program (status 0, or 1 for a wrong answer, 2 for a bad one). Otherwise
   it only remembers how many there are, for tutorial_finish(). */
TUTORIAL_FN void tutorial_exercises(tutorial *t, const tutorial_exercise *list, int count)
{
    int k;
    t->exercise_count = count;
    if (t->list_exercises) {
        for (k = 0; k < count; k++) {
            char label[32];
            printf("\n");
            snprintf(label, sizeof label, "Exercise %d. ", k + 1);
            {
                /* the label on the first line, the rest indented under it */
                size_t need = strlen(label) + strlen(list[k].task) + 1;
                char *text = (char *)malloc(need);
                if (!text) exit(2);
                snprintf(text, need, "%s%s", label, list[k].task);
                tutorial_print_wrapped("", text);
                free(text);
            }
            printf("   check: %s --exercise %d --answer VALUE\n", t->program, k + 1);
        }
        exit(0);
    }
    if (t->exercise) {
        char *end;
        double value, answer, error;
        if (t->exercise > count) {
            fprintf(stderr, "this step has %d exercises\n", count);
            exit(2);
        }
        value = strtod(t->answer, &end);
        if (end == t->answer || *end != '\0' || value != value) {
            fprintf(stderr, "--answer wants a number, not \"%s\"\n", t->answer);
            exit(2);
        }
        answer = list[t->exercise - 1].answer;
        error = fabs(value - answer);
        if (error <= list[t->exercise - 1].tolerance * fabs(answer) + 1e-12 * (1.0 + fabs(answer))) {
            printf("exercise %d: %s is right\n", t->exercise, t->answer);
            exit(0);
        }
        if (list[t->exercise - 1].tolerance > 0.0)
            printf("exercise %d: %s is wrong (not within %.3g%% of the answer)\n", t->exercise, t->answer,
                   100.0 * list[t->exercise - 1].tolerance);
        else
            printf("exercise %d: %s is wrong\n", t->exercise, t->answer);
        exit(1);
    }
}

/* The relative variance of the random factor a linear step Y -> Y W puts
   on E[y^2], W with m independent rows (m = the fan the sum runs over):
   2 tr(G^2) / (m tr(G)^2), G the Gram matrix of A (rows, cols). A A^T and
   A^T A have the same nonzero spectrum, so the smaller one is used. */
TUTORIAL_FN double tutorial_factor_variance(const float *A, int rows, int cols, int m)
{
    int size = rows < cols ? rows : cols, i;
    float *gram = (float *)malloc((size_t)size * size * sizeof(float));
    double trace = 0.0, trace_of_square = 0.0;
    if (!gram) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    if (rows < cols) initnn_matmul_nt(gram, A, A, rows, cols, rows, 0);
    else initnn_matmul_tn(gram, A, A, cols, rows, cols, 0);
    for (i = 0; i < size; i++) trace += gram[(size_t)i * size + i];
    /* G is symmetric: tr(G^2) = the sum of the squares of its entries. */
    for (i = 0; i < size * size; i++) trace_of_square += (double)gram[i] * gram[i];
    free(gram);
    return 2.0 * trace_of_square / ((double)m * trace * trace);
}

/* The relative variance of an elementwise step in -> out (an activation
   forward, or phi' going back): unit j keeps the fraction
   rho_j = sum_b out_bj^2 / sum_b in_bj^2 of its mass, independently across
   units, so the layer's factor has relative variance
   Var(rho) sum_j ||in_j||^4 / (sum_j ||in_j||^2)^2 / E[rho]^2. */
TUTORIAL_FN double tutorial_activation_step_variance(const float *in, const float *out, int batch, int units)
{
    double total = 0.0, square_total = 0.0, mean = 0.0, spread = 0.0;
    double *rho = (double *)malloc((size_t)units * sizeof(double));
    int j, b;
    if (!rho) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    for (j = 0; j < units; j++) {
        double all = 0.0, kept = 0.0;
        for (b = 0; b < batch; b++) {
            all += (double)in[(size_t)b * units + j] * in[(size_t)b * units + j];
            kept += (double)out[(size_t)b * units + j] * out[(size_t)b * units + j];
        }
        rho[j] = all > 0.0 ? kept / all : 0.0;
        total += all;
        square_total += all * all;
        mean += rho[j];
    }
    mean /= units;
    for (j = 0; j < units; j++) spread += (rho[j] - mean) * (rho[j] - mean);
    spread /= units - 1;
    free(rho);
    return spread * square_total / (total * total) / (mean * mean);
}

/* One line of a figure: n points (x[i], y[i]), no band. */
TUTORIAL_FN initnn_plot_series tutorial_series(const char *label, const double *x, const double *y, int n)
{
    initnn_plot_series series;
    series.label = label;
    series.x = x;
    series.y = y;
    series.y_low = series.y_high = NULL;
    series.n = n;
    return series;
}

/* x[i] = first + i, the index axis of a figure. */
TUTORIAL_FN void tutorial_index(double *x, int n, double first)
{
    int i;
    for (i = 0; i < n; i++) x[i] = first + i;
}

/* E[tanh(sqrt(q) z)^(2m) tanh'(sqrt(q) z)^(2k)] for z ~ N(0, 1), composite
   Simpson on [-12, 12], 20000 panels: the moments of a tanh layer at the
   length q, computed apart from the header's theory (steps 18, 27, 42). */
TUTORIAL_FN double tutorial_tanh_moment(double q, int m, int k)
{
    const int panels = 20000;
    const double lo = -12.0, h = 24.0 / panels;
    double sum = 0.0;
    int i;
    for (i = 0; i <= panels; i++) {
        double z = lo + i * h, t = tanh(sqrt(q) * z);
        double d = pow(t * t, (double)m) * pow(1.0 - t * t, 2.0 * k);
        sum += (i == 0 || i == panels ? 1.0 : (i % 2 ? 4.0 : 2.0)) * d * exp(-0.5 * z * z);
    }
    return sum * h / 3.0 / sqrt(2.0 * 3.14159265358979323846);
}

/* The exit status of the step: 0 iff every claim held. */
TUTORIAL_FN int tutorial_finish(const tutorial *t)
{
    if (t->plot_path && !t->plotted) printf("(this step has no figure; --plot ignored)\n");
    if (t->failures)
        printf("%d of %d claims FAIL\n", t->failures, t->claims);
    else
        printf("all %d claims hold\n", t->claims);
    if (t->exercise_count)
        printf("%d exercises: %s --exercises\n", t->exercise_count, t->program);
    return t->failures ? 1 : 0;
}

#endif /* TUTORIAL_H_INCLUDED */
