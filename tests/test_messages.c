/* test_messages.c - error messages point at the real problem, and the
   diagnostics count what their names say.

   Each case makes the mistake a first-time user made and checks that the
   message names the rule or the part that was wrong: the learning rate's
   range, a misspelt fan mode of a Glorot / He spec, a bad bias spec said to
   be the bias, a family name alone ("xavier") answered with its members.
   And per layer: saturated_fraction counts outputs (units x samples),
   stuck_fraction units saturated (tanh, sigmoid) or dead (ReLU) for every
   sample, on a layer whose weights are set by hand so that both are known. */

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

static initnn_net *net;

static void release(void)
{
    initnn_net_free(net);
    net = NULL;
}

static void message_has(const char *what, const char *want)
{
    CHECK(strstr(initnn_last_error(), want) != NULL, "%s: the message '%s' does not say '%s'", what,
          initnn_last_error(), want);
}

static void learning_rate_errors_state_the_range(void)
{
    initnn_optimizer opt = initnn_adam(1e30f);
    int err;
    CHECK(initnn_net_create(&net, 2, 4, 1) == 0, "initnn_net_create: %s", initnn_last_error());
    err = initnn_net_set_optimizer(net, &opt);
    CHECK(err == INITNN_ERR_ARGUMENT, "learning rate 1e30 accepted (%d)", err);
    message_has("learning rate 1e30", "must be in [0, 1e6), got 1e+30");
    opt = initnn_sgd(-0.1f, 0.0f, 0);
    err = initnn_net_set_optimizer(net, &opt);
    CHECK(err == INITNN_ERR_ARGUMENT, "learning rate -0.1 accepted (%d)", err);
    message_has("learning rate -0.1", "must be in [0, 1e6), got -0.1");
    opt = initnn_rmsprop(999999.0f);
    CHECK(initnn_net_set_optimizer(net, &opt) == 0, "learning rate 999999 refused: %s", initnn_last_error());
}

static void a_misspelt_fan_mode_is_called_a_mode(void)
{
    static const char *const specs[] = {"glorot_uniform:1,fan_sideways", "glorot_uniform:fan_sideways",
                                        "he_normal:0.1,fan_sideways", "lecun_uniform:fan_sideways",
                                        "xavier_normal:fanin"};
    size_t i;
    for (i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        initnn_init_spec parsed;
        int err = initnn_init_parse(&parsed, specs[i]);
        CHECK(err == INITNN_ERR_SPEC, "'%s' parsed (%d)", specs[i], err);
        message_has(specs[i], "is not fan_in, fan_out or fan_avg");
        message_has(specs[i], strrchr(specs[i], i < 4 ? 'f' : ':') + (i < 4 ? 0 : 1));
    }
    /* A number where the gain goes is still a number question. */
    {
        initnn_init_spec parsed;
        CHECK(initnn_init_parse(&parsed, "glorot_uniform:1,2") == INITNN_ERR_SPEC, "glorot_uniform:1,2 parsed");
        message_has("glorot_uniform:1,2", "too many parameters");
        CHECK(initnn_init_parse(&parsed, "glorot_uniform:2,fan_in") == 0, "glorot_uniform:2,fan_in: %s",
              initnn_last_error());
    }
}

static void a_family_name_alone_suggests_its_members(void)
{
    initnn_init_spec parsed;
    CHECK(initnn_init_parse(&parsed, "xavier") == INITNN_ERR_SPEC, "'xavier' parsed");
    message_has("xavier", "did you mean 'xavier_normal' or 'xavier_uniform'?");
    CHECK(initnn_init_parse(&parsed, "kaiming") == INITNN_ERR_SPEC, "'kaiming' parsed");
    message_has("kaiming", "did you mean 'kaiming_normal' or 'kaiming_uniform'?");
    CHECK(initnn_init_parse(&parsed, "glorot:2") == INITNN_ERR_SPEC, "'glorot:2' parsed");
    message_has("glorot:2", "'glorot_normal' or 'glorot_uniform'");
    /* The edit-distance suggestion still comes first. */
    CHECK(initnn_init_parse(&parsed, "he_normall") == INITNN_ERR_SPEC, "'he_normall' parsed");
    message_has("he_normall", "did you mean 'he_normal'?");
}

static void a_bad_bias_spec_is_said_to_be_the_bias(void)
{
    int err;
    CHECK(initnn_net_create(&net, 3, 4, 1) == 0, "initnn_net_create: %s", initnn_last_error());
    err = initnn_net_add_dense(net, 4, "relu", "he_normal", "bogus");
    CHECK(err == INITNN_ERR_SPEC, "a bogus bias spec was accepted (%d)", err);
    /* The whole message, not a garbled one: the wrapped message was once
       formatted over itself. */
    CHECK(!strcmp(initnn_last_error(), "initnn_net_add_dense: bias spec: unknown initializer 'bogus' in spec 'bogus' "
                  "(did you mean 'ones'?)"), "add_dense: the message is '%s'", initnn_last_error());
    CHECK(net->layer_count == 0, "the refused layer was added");
    initnn_net_free(net);
    net = NULL;
    err = initnn_net_from_arch(&net, "dense:4,relu,dense:2,softmax", 3, 1, 1, "he_normal", "xavier", 4, 1);
    CHECK(err == INITNN_ERR_SPEC && net == NULL, "initnn_net_from_arch with bias 'xavier' returned %d", err);
    message_has("from_arch", "bias spec: unknown initializer 'xavier' in spec 'xavier' (did you mean 'xavier_normal' or "
                "'xavier_uniform'?)");
}

/* One input, x = +1 and x = -1; four units with z = w x + b:
     unit 0  w 10, b 0    z = +-10       saturated for both samples
     unit 1  w 0,  b 10   z = 10         saturated for both
     unit 2  w 0,  b 0    z = 0          never
     unit 3  w 5,  b 5    z = 10 or 0    saturated for one sample
   so 5 of the 8 outputs are saturated and 2 of the 4 units stuck. */
static void saturated_fraction_counts_outputs_and_stuck_fraction_counts_units(void)
{
    static const float W[4] = {10.0f, 0.0f, 0.0f, 5.0f}, b[4] = {0.0f, 10.0f, 0.0f, 5.0f}, X[2] = {1.0f, -1.0f};
    static const char *const activations[2] = {"tanh", "sigmoid"};
    initnn_layer_diag diag[1];
    int a;
    for (a = 0; a < 2; a++) {
        CHECK(initnn_net_create(&net, 1, 2, 1) == 0, "initnn_net_create: %s", initnn_last_error());
        CHECK(initnn_net_add_dense(net, 4, activations[a], "zeros", "zeros") == 0, "add_dense: %s", initnn_last_error());
        memcpy(net->layers[0].W, W, sizeof W);
        memcpy(net->layers[0].b, b, sizeof b);
        CHECK(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, 2) == 0, "diagnose: %s", initnn_last_error());
        CHECK(diag[0].saturated_fraction == 5.0 / 8.0, "%s: saturated_fraction %g, want 5/8 of the outputs",
              activations[a], diag[0].saturated_fraction);
        CHECK(diag[0].stuck_fraction == 0.5, "%s: stuck_fraction %g, want 2 of 4 units", activations[a],
              diag[0].stuck_fraction);
        initnn_net_free(net);
        net = NULL;
    }
    /* ReLU: unit 0 (w 1, b -2) is 0 for both samples: dead. Unit 1 (w 1,
       b 0) is 0 for one. stuck_fraction is dead_fraction. */
    {
        static const float Wr[2] = {1.0f, 1.0f}, br[2] = {-2.0f, 0.0f};
        CHECK(initnn_net_create(&net, 1, 2, 1) == 0, "initnn_net_create: %s", initnn_last_error());
        CHECK(initnn_net_add_dense(net, 2, "relu", "zeros", "zeros") == 0, "add_dense: %s", initnn_last_error());
        memcpy(net->layers[0].W, Wr, sizeof Wr);
        memcpy(net->layers[0].b, br, sizeof br);
        CHECK(initnn_net_diagnose(net, diag, NULL, X, NULL, NULL, 2) == 0, "diagnose: %s", initnn_last_error());
        CHECK(diag[0].zero_fraction == 0.75 && diag[0].dead_fraction == 0.5 && diag[0].stuck_fraction == 0.5,
              "relu: zero_fraction %g (want 3/4), dead_fraction %g and stuck_fraction %g (want 1/2)",
              diag[0].zero_fraction, diag[0].dead_fraction, diag[0].stuck_fraction);
    }
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    testing_after_each(release);
    RUN_TEST(learning_rate_errors_state_the_range);
    RUN_TEST(a_misspelt_fan_mode_is_called_a_mode);
    RUN_TEST(a_family_name_alone_suggests_its_members);
    RUN_TEST(a_bad_bias_spec_is_said_to_be_the_bias);
    RUN_TEST(saturated_fraction_counts_outputs_and_stuck_fraction_counts_units);
    return testing_finish();
}
