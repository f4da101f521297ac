/* 09_dying_relu.c - a ReLU unit that is off for every input never comes back.

   CLAIMS
      A hidden unit j computes z_j = x . w_j + b_j and y_j = relu(z_j). Its
      parameters get the gradient
         dL/dw_j = sum_b x_b dL/dz_bj,   dL/dz_bj = dL/dy_bj * relu'(z_bj),
      and relu'(z) = 0 for z <= 0. So if z_bj <= 0 for every training sample,
      every batch gives w_j and b_j a gradient of exactly 0: plain SGD leaves
      them bit for bit unchanged, z_j stays <= 0, and the unit is dead for
      good (inputs of the first layer do not change; deeper units could be
      revived by the layers below, which is why this net has one hidden
      layer). Leaky ReLU has phi'(z) = a > 0 for z < 0, so the same unit keeps
      learning and can come back.
      1. At initialization, with w_j ~ N(0, s^2 I) (He: s^2 = 2/fan_in = 1
         here) and b_j = -2 ("constant:-2"), x . w_j ~ N(0, s^2 ||x||^2), so
         the fraction of pre-activations <= 0 is
            mean over samples of Phi(2 / (s ||x_b||)),
         and the probability that a unit is dead from the start is
         P(max_b x_b . w + b <= 0) for w ~ N(0, I), a 2-D integral over the
         data estimated by drawing 20000 fresh w.
      2. No dead unit ever revives: its weights never change again. A large
         learning rate (SGD, lr 5) usually kills more units as it trains
         (the table shows the count per epoch), but how many depends on the
         run; that no dead unit comes back does not.
      3. With leaky ReLU (a = 0.1), the units whose pre-activations are all
         negative still change every epoch, and some of them come back.

   MEASUREMENT AND TOLERANCE
      Two-moons (initnn_make_moons, noise 0.1), a net 2 -> 64 hidden ->
      softmax(2), kernel "he_normal", hidden bias "constant:-2", trained one
      epoch at a time by initnn_net_train (batches of 32, SGD lr 5, no
      momentum); after each epoch initnn_net_diagnose on the whole training
      set gives dead_fraction (ReLU) and the pre-activations z.
      Claim 1: given the data, the units are independent, so the measured
      fraction of z <= 0 is a mean of 64 independent per-unit fractions f_j:
      tolerance 4 sqrt(Var(f)/64), with Var(f) over w ~ N(0, I) from the
      same 20000 draws. The dead fraction is a binomial count of 64:
      tolerance 4 sqrt(p(1-p)/64) plus 4 times the Monte Carlo error of p.
      Claims 2 and 3 are exact statements about every unit and every epoch:
      revived units (dead at one epoch's end, alive at a later one) must be
      0; the dead units' parameters must be bitwise unchanged; for leaky
      ReLU the all-negative units whose parameters did not change must be
      0, and at least one unit that was all-negative at some epoch's end
      must be positive on some sample at a later one. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "tutorial.h"

#define HIDDEN 64
#define BIAS "constant:-2"
#define BIAS_VALUE (-2.0)

typedef struct unit_history {
    int all_negative_now[HIDDEN];     /* z <= 0 for every sample, this epoch    */
    int ever_all_negative[HIDDEN];
    int came_back[HIDDEN];            /* all-negative once, positive later      */
    int moved;                        /* (epoch, unit): all-negative before the
                                         epoch, and its w, b changed in it       */
    int frozen;                       /* ... and its w, b did not change        */
    int all_negative_count;
} unit_history;

/* Marks the units whose z is <= 0 on every sample of the last forward. */
static void find_all_negative(unit_history *h, const initnn_net *net, int count)
{
    const initnn_layer *hidden = &net->layers[0];
    int j, b;
    h->all_negative_count = 0;
    for (j = 0; j < HIDDEN; j++) {
        for (b = 0; b < count; b++)
            if (hidden->z[(size_t)b * HIDDEN + j] > 0.0f) break;
        h->all_negative_now[j] = b == count;
        h->all_negative_count += h->all_negative_now[j];
    }
}

/* Column j of W (fan_in rows) and b_j, bitwise equal to the saved copy? */
static int unit_unchanged(const initnn_layer *hidden, const float *saved_W, const float *saved_b, int j)
{
    int i;
    for (i = 0; i < hidden->in; i++)
        if (hidden->W[(size_t)i * HIDDEN + j] != saved_W[(size_t)i * HIDDEN + j]) return 0;
    return hidden->b[j] == saved_b[j];
}

static int units_back(const unit_history *h)
{
    int j, count = 0;
    for (j = 0; j < HIDDEN; j++) count += h->came_back[j];
    return count;
}

typedef struct run_result {
    double dead[32];                  /* dead (all-negative) fraction per epoch  */
    double loss[32];
    double initial_zero_fraction;
    unit_history history;
} run_result;

static void run(run_result *out, const char *activation, const initnn_data *moons, int epochs, const tutorial *t)
{
    initnn_net *net;
    initnn_optimizer sgd = initnn_sgd(5.0f, 0.0f, 0);
    initnn_train_config config = initnn_train_defaults();
    initnn_layer_diag diag[2];
    float saved_W[2 * HIDDEN], saved_b[HIDDEN];
    int epoch, j;
    config.epochs = 1;
    config.batch_size = 32;
    memset(&out->history, 0, sizeof out->history);
    tutorial_require(initnn_net_create(&net, 2, moons->count, t->seed), "initnn_net_create");
    tutorial_require(initnn_net_add_dense(net, HIDDEN, activation, "he_normal", BIAS), "initnn_net_add_dense");
    tutorial_require(initnn_net_add_dense(net, 2, "softmax", "glorot_uniform", "zeros"), "initnn_net_add_dense");
    tutorial_require(initnn_net_set_optimizer(net, &sgd), "initnn_net_set_optimizer");
    for (epoch = 0; epoch <= epochs; epoch++) {
        const initnn_layer *hidden = &net->layers[0];
        int previously_negative[HIDDEN];
        memcpy(previously_negative, out->history.all_negative_now, sizeof previously_negative);
        if (epoch > 0) {
            memcpy(saved_W, hidden->W, sizeof saved_W);
            memcpy(saved_b, hidden->b, sizeof saved_b);
            tutorial_require(initnn_net_train(net, moons, NULL, &config, NULL), "initnn_net_train");
            for (j = 0; j < HIDDEN; j++) {
                if (!previously_negative[j]) continue;
                if (unit_unchanged(hidden, saved_W, saved_b, j)) out->history.frozen++;
                else out->history.moved++;
            }
        }
        tutorial_require(initnn_net_diagnose(net, diag, NULL, moons->x, moons->labels, NULL, moons->count),
                         "initnn_net_diagnose");
        find_all_negative(&out->history, net, moons->count);
        for (j = 0; j < HIDDEN; j++) {
            if (out->history.ever_all_negative[j] && !out->history.all_negative_now[j]) out->history.came_back[j] = 1;
            if (out->history.all_negative_now[j]) out->history.ever_all_negative[j] = 1;
        }
        /* initnn's dead_fraction (ReLU only) is the same set of units */
        out->dead[epoch] = hidden->activation == INITNN_ACT_RELU
                               ? diag[0].dead_fraction
                               : (double)out->history.all_negative_count / HIDDEN;
        out->loss[epoch] = initnn_net_loss(net, moons->labels, NULL);
        if (epoch == 0) out->initial_zero_fraction = diag[0].activation.zeros / (double)diag[0].activation.count;
    }
    initnn_net_free(net);
}

/* The exercises: the answer is the formula that gives it; the worked
   solutions are in tutorial/SOLUTIONS.md. */
static void exercises(tutorial *t)
{
    const tutorial_exercise list[] = {
        {"A unit with bias -2 and w . x ~ N(0, 1): predict P(z <= 0).",
         0.5 * erfc(-2.0 / sqrt(2.0)), 0.002},
        {"The same unit with a zero bias: predict P(z <= 0).",
         0.5, 0.002},
        {"Break it: set BIAS_VALUE, the bias the prediction uses, to (-1.0) while the nets keep \"constant:-2\". Rerun: which claim fails first? Answer with its number, counting the claim lines from 1.",
         1, 0.0},
    };
    tutorial_exercises(t, list, (int)(sizeof list / sizeof list[0]));
}

int main(int argc, char **argv)
{
    enum { DRAWS = 20000 };
    tutorial t;
    initnn_data moons;
    initnn_rng rng;
    run_result relu, leaky;
    int count, epochs, epoch, b, d;
    double predicted_zero = 0.0, predicted_dead = 0.0, unit_fraction_square = 0.0;

    tutorial_start(&t, argc, argv, "09 dying ReLU: a unit off for every input gets no gradient");

    exercises(&t);
    count = t.fast ? 256 : 512;
    epochs = t.fast ? 6 : 12;
    tutorial_require(initnn_make_moons(&moons, count, 0.1f, t.seed), "initnn_make_moons");

    /* The predictions from the init distribution and the data alone. */
    for (b = 0; b < count; b++) {
        double norm = sqrt((double)moons.x[2 * b] * moons.x[2 * b] + (double)moons.x[2 * b + 1] * moons.x[2 * b + 1]);
        double threshold = -BIAS_VALUE / norm;   /* P(N(0,1) <= threshold) = Phi(threshold) */
        predicted_zero += 0.5 * erfc(-threshold / sqrt(2.0)) / count;
    }
    initnn_rng_seed_stream(&rng, t.seed, 7);
    for (d = 0; d < DRAWS; d++) {
        double w0 = initnn_rng_normal_double(&rng), w1 = initnn_rng_normal_double(&rng);
        int off = 0;
        for (b = 0; b < count; b++) off += moons.x[2 * b] * w0 + moons.x[2 * b + 1] * w1 + BIAS_VALUE <= 0.0;
        predicted_dead += (off == count) / (double)DRAWS;
        unit_fraction_square += ((double)off / count) * ((double)off / count) / DRAWS;
    }

    run(&relu, "relu", &moons, epochs, &t);
    run(&leaky, "leaky_relu:0.1", &moons, epochs, &t);

    printf("two-moons (%d samples), 2 -> %d -> softmax(2), bias \"%s\", SGD lr 5\n", count, HIDDEN, BIAS);
    printf("%-6s %18s %10s %22s %10s\n", "epoch", "relu dead_fraction", "loss", "leaky all z<=0 units", "loss");
    for (epoch = 0; epoch <= epochs; epoch++)
        printf("%-6d %18.3f %10.4f %22.3f %10.4f\n", epoch, relu.dead[epoch], relu.loss[epoch], leaky.dead[epoch],
               leaky.loss[epoch]);
    tutorial_print_heading();
    tutorial_absolute(&t, "init: fraction of z <= 0", predicted_zero, relu.initial_zero_fraction,
                      4.0 * sqrt((unit_fraction_square - predicted_zero * predicted_zero) / HIDDEN));
    tutorial_absolute(&t, "init: dead fraction", predicted_dead, relu.dead[0],
                      4.0 * sqrt(predicted_dead * (1.0 - predicted_dead) / HIDDEN) +
                          4.0 * sqrt(predicted_dead * (1.0 - predicted_dead) / DRAWS));
    tutorial_absolute(&t, "relu: dead units that came back", 0, units_back(&relu.history), 0);
    tutorial_absolute(&t, "relu: dead units whose w, b moved", 0, relu.history.moved, 0);
    tutorial_absolute(&t, "leaky: all-z<=0 units that froze", 0, leaky.history.frozen, 0);
    tutorial_at_least(&t, "leaky: all-z<=0 units back later", 1, units_back(&leaky.history));
    {
        double epoch_index[32];
        initnn_plot_series series[2];
        tutorial_index(epoch_index, epochs + 1, 0);
        series[0] = tutorial_series("relu: dead units", epoch_index, relu.dead, epochs + 1);
        series[1] = tutorial_series("leaky relu 0.1: units with z <= 0 on every sample", epoch_index, leaky.dead,
                                    epochs + 1);
        tutorial_plot(&t, "Units off for the whole training set, bias constant:-2, SGD lr 5", "epoch",
                      "fraction of hidden units", 0, series, 2);
    }
    initnn_data_free(&moons);
    return tutorial_finish(&t);
}
