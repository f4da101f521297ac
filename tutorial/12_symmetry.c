/* 12_symmetry.c - constant kernels never break the symmetry between units.

   CLAIMS
      Take a layer whose units all start with the same incoming weights
      (every column of W1 equal) and the same outgoing weights (every row of
      W2 equal), as any "constant:c" kernel gives. Then:
         - every unit computes the same z and y on every input (same
           weights, same input);
         - every unit receives the same gradient: dL/dy_j = sum_k W2[j][k]
           dL/dz_k is the same for all j (equal rows), so dL/dz_j, and
           dL/dW1[:, j] = x dL/dz_j and dL/dW2[j, :] = y_j dL/dz, are too;
         - so every update (SGD, or Adam, which acts elementwise on equal
           numbers) keeps the columns and rows equal, and by induction they
           stay equal for ever.
      The H units act as one: the logits are H y_1 W2[0, :] + b2, a function
      of the single projection x . W1[:, 0] through the monotone tanh, so the
      decision boundary is a straight line, whatever the training.
      With zeros every y is tanh(0) = 0 and every dL/dy is 0 too, so the
      kernels get a zero gradient and stay exactly 0; only the biases learn.
      Random kernels ("glorot_uniform") give every unit its own weights and
      gradients: the units specialise and the boundary can bend around the
      moons.
      1. zeros: after training both kernels are still exactly 0.
      2. constant: after training the units' parameters are still identical.
      3. constant: along the units' projection the predicted class changes
         at most once (a linear classifier).
      4. random: the units differ, and the training accuracy beats the
         constant net's (which a straight line bounds on two-moons).

   MEASUREMENT AND TOLERANCE
      Two-moons (noise 0.1), 2 -> 16 tanh -> softmax(2), Adam lr 0.03,
      batches of 32, by initnn_net_train; kernel specs "zeros",
      "constant:0.5", "glorot_uniform" (biases "zeros"). Claims 1-3 are exact
      (the same float operations on the same numbers give the same bits):
      tolerance 0. Claim 3 sorts the samples by x . W1[:, 0] and counts the
      changes of the predicted class. Claim 4: the spread between units must
      be > 0.1 and the random net's accuracy must exceed the constant net's
      by at least 0.05 (a sweep over seeds kept the gap well above that). */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define HIDDEN 16

typedef struct trained {
    double accuracy;
    double largest_kernel;      /* max |w| over both kernels               */
    double unit_spread;         /* max |param of unit j - param of unit 0| */
    int class_changes;          /* along x . W1[:, 0], samples sorted       */
} trained;

static const float *projection_key;

static int by_projection(const void *a, const void *b)
{
    float pa = projection_key[*(const int *)a], pb = projection_key[*(const int *)b];
    return (pa > pb) - (pa < pb);
}

static void train(trained *out, const char *kernel, const initnn_data *moons, int epochs, uint64_t seed)
{
    initnn_net *net;
    initnn_optimizer adam = initnn_adam(0.03f);
    initnn_train_config config = initnn_train_defaults();
    const initnn_layer *hidden, *output;
    const float *scores;
    float *projection = (float *)malloc((size_t)moons->count * sizeof(float));
    int *order = (int *)malloc((size_t)moons->count * sizeof(int));
    double loss;
    int i, j, k;
    if (!projection || !order) tutorial_require(INITNN_ERR_MEMORY, "malloc");
    tutorial_require(initnn_net_create(&net, 2, moons->count, seed), "initnn_net_create");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, "tanh", kernel, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, 2, "softmax", kernel, "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_optimizer(net, &adam), "initnn_net_set_optimizer");
    config.epochs = epochs;
    config.batch_size = 32;
    tutorial_require(initnn_net_train(net, moons, NULL, &config, NULL), "initnn_net_train");
    tutorial_require(initnn_net_evaluate(net, &loss, &out->accuracy, moons), "initnn_net_evaluate");
    hidden = &net->layers[0];
    output = &net->layers[1];

    out->largest_kernel = 0.0;
    for (i = 0; i < 2 * HIDDEN; i++) {
        if (fabs(hidden->W[i]) > out->largest_kernel) out->largest_kernel = fabs(hidden->W[i]);
        if (fabs(output->W[i]) > out->largest_kernel) out->largest_kernel = fabs(output->W[i]);
    }
    /* unit j: column j of W1 (2 rows), b1[j], row j of W2 (2 columns) */
    out->unit_spread = 0.0;
    for (j = 1; j < HIDDEN; j++) {
        double d = fabs(hidden->b[j] - hidden->b[0]);
        for (k = 0; k < 2; k++) {
            double in = fabs(hidden->W[k * HIDDEN + j] - hidden->W[k * HIDDEN]);
            double out = fabs(output->W[j * 2 + k] - output->W[k]);
            if (in > d) d = in;
            if (out > d) d = out;
        }
        if (d > out->unit_spread) out->unit_spread = d;
    }
    scores = initnn_net_forward(net, moons->x, moons->count, 0);
    for (i = 0; i < moons->count; i++) {
        projection[i] = moons->x[2 * i] * hidden->W[0] + moons->x[2 * i + 1] * hidden->W[HIDDEN];
        order[i] = i;
    }
    projection_key = projection;
    qsort(order, (size_t)moons->count, sizeof(int), by_projection);
    out->class_changes = 0;
    for (i = 1; i < moons->count; i++) {
        int a = order[i - 1], b = order[i];
        int class_a = scores[2 * a + 1] > scores[2 * a], class_b = scores[2 * b + 1] > scores[2 * b];
        out->class_changes += class_a != class_b;
    }
    free(projection);
    free(order);
    initnn_net_free(net);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"16 hidden units start equal (constant:0.5). Predict how many distinct hidden units the trained net has.",
         1, 0.0},
        {"Predict the number of decision-boundary crossings (class changes) along the units' projection x . w for the constant kernel, at most.",
         1, 0.0},
        {"Break it: replace \"constant:0.5\" by \"random_normal:0.001\" (tiny, but not equal, weights). Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         2, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    static const char *const kernels[] = {"zeros", "constant:0.5", "glorot_uniform"};
    tutorial t;
    initnn_data moons;
    trained runs[3];
    int epochs, k;

    tutorial_start(&t, argc, argv, "12 symmetry: equal units get equal gradients for ever");

    exercises(&t);
    epochs = 40;   /* cheap enough for --fast too */
    tutorial_require(initnn_make_moons(&moons, 512, 0.1f, t.seed), "initnn_make_moons");
    for (k = 0; k < 3; k++) train(&runs[k], kernels[k], &moons, epochs, t.seed);

    printf("two-moons (512), 2 -> %d tanh -> softmax(2), Adam 0.03, %d epochs\n", HIDDEN, epochs);
    printf("%-16s %10s %14s %14s %14s\n", "kernels", "accuracy", "max |kernel|", "unit spread", "class changes");
    for (k = 0; k < 3; k++)
        printf("%-16s %10.3f %14.4g %14.4g %14d\n", kernels[k], runs[k].accuracy, runs[k].largest_kernel,
               runs[k].unit_spread, runs[k].class_changes);
    tutorial_print_heading();
    tutorial_absolute(&t, "zeros: max |kernel| after training", 0.0, runs[0].largest_kernel, 0.0);
    tutorial_absolute(&t, "constant: unit spread", 0.0, runs[1].unit_spread, 0.0);
    tutorial_at_most(&t, "constant: class changes along x.w", 1, runs[1].class_changes);
    tutorial_at_least(&t, "random: unit spread", 0.1, runs[2].unit_spread);
    tutorial_at_least(&t, "random acc - constant acc", 0.05, runs[2].accuracy - runs[1].accuracy);
    initnn_data_free(&moons);
    return tutorial_finish(&t);
}
