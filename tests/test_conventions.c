/* test_conventions.c - the header's conventions hold where they are promised:
   nothing modified on failure, error messages that name real functions and
   the spec at fault, specs parsed once into what the layer keeps, one source
   of a layer's fans. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "initnn.h"
#include "testing.h"

/* initnn_softmax_cross_entropy promises nothing written on failure: a bad
   label in the last row must leave the gradient of the first rows alone. */
static void softmax_cross_entropy_writes_nothing_when_a_later_label_is_bad(void)
{
    static const float z[3 * 2] = {0.1f, 0.9f, 0.3f, 0.2f, 0.5f, 0.6f};
    int labels[3] = {1, 0, 2};   /* 2 is outside [0, 2) */
    float d[6];
    int i;
    float loss;
    for (i = 0; i < 6; i++) d[i] = 1234.5f;
    loss = initnn_softmax_cross_entropy(d, z, labels, 3, 2);
    CHECK(loss != loss, "loss %g, want NaN", (double)loss);
    for (i = 0; i < 6; i++) CHECK(d[i] == 1234.5f, "dlogits[%d] was written (%g)", i, (double)d[i]);
    CHECK(strstr(initnn_last_error(), "initnn_softmax_cross_entropy") != NULL, "message: %s", initnn_last_error());
}

/* Every "initnn_xxx:" that begins a message in the header names a function
   the header declares: a message must send the reader somewhere real. */
static void every_function_named_in_an_error_message_exists(void)
{
    FILE *f = fopen("initnn.h", "rb");
    char *text, *p;
    long size;
    int named = 0;
    CHECK(f != NULL, "cannot open initnn.h (run from the repository's top)");
    fseek(f, 0, SEEK_END);
    size = ftell(f);
    fseek(f, 0, SEEK_SET);
    text = (char *)malloc((size_t)size + 1);
    CHECK(text != NULL, "out of memory");
    CHECK(fread(text, 1, (size_t)size, f) == (size_t)size, "short read");
    fclose(f);
    text[size] = '\0';
    for (p = text; (p = strstr(p, "\"initnn_")) != NULL; p++) {
        char name[96], declared[128];
        size_t len = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789_");
        if (len >= sizeof name || (p[1 + len] != ':' && p[1 + len] != '"')) continue;
        memcpy(name, p + 1, len);
        name[len] = '\0';
        snprintf(declared, sizeof declared, " %s(", name);
        named++;
        if (!strstr(text, declared)) {
            CHECK(0, "a message names %s, which initnn.h does not declare", name);
            break;
        }
    }
    free(text);
    CHECK(named > 20, "only %d messages name a function; the scan is broken", named);
}

static void a_bad_conv_bias_spec_names_the_conv_adder_and_the_bias(void)
{
    initnn_net *net = NULL;
    int err;
    CHECK(initnn_net_create(&net, 16, 4, 1) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_set_input_shape(net, 1, 4, 4) == 0, "%s", initnn_last_error());
    err = initnn_net_add_conv2d(net, 2, 3, 3, 1, 1, "relu", "he_normal", "bogus");
    CHECK(err == INITNN_ERR_SPEC, "err %d", err);
    CHECK(strstr(initnn_last_error(), "initnn_net_add_conv2d") != NULL, "message: %s", initnn_last_error());
    CHECK(strstr(initnn_last_error(), "bias") != NULL, "message: %s", initnn_last_error());
    CHECK(net->layer_count == 0, "a layer was added");
    initnn_net_free(net);
}

static void lsuv_is_a_spec_kind_drawn_orthogonal_and_refused_for_a_bias(void)
{
    initnn_init_spec spec;
    initnn_rng rng;
    float w[8 * 4];
    initnn_net *net = NULL;
    int i, j, k, err;
    CHECK(initnn_init_parse(&spec, "lsuv") == 0, "%s", initnn_last_error());
    CHECK(spec.kind == INITNN_INIT_LSUV, "kind %d", spec.kind);
    CHECK(initnn_init_parse(&spec, "lsuv:2") == INITNN_ERR_SPEC, "lsuv took a parameter");
    initnn_rng_seed(&rng, 5);
    CHECK(initnn_init_fill(w, 8, 4, "lsuv", &rng) == 0, "%s", initnn_last_error());
    for (i = 0; i < 4; i++)   /* W^T W = I: LSUV's first step is an orthogonal draw */
        for (j = 0; j < 4; j++) {
            double dot = 0.0;
            for (k = 0; k < 8; k++) dot += (double)w[k * 4 + i] * w[k * 4 + j];
            CHECK_NEAR(dot, i == j ? 1.0 : 0.0, 1e-5);
        }
    CHECK(initnn_net_create(&net, 4, 2, 1) == 0, "%s", initnn_last_error());
    err = initnn_net_add_dense(net, 3, "tanh", "he_normal", "lsuv");
    CHECK(err == INITNN_ERR_SPEC, "bias 'lsuv' accepted (%d)", err);
    CHECK(initnn_net_add_dense(net, 3, "tanh", "lsuv", "zeros") == 0, "%s", initnn_last_error());
    CHECK(net->layers[0].kernel_spec.kind == INITNN_INIT_LSUV, "the layer did not keep the parsed spec");
    initnn_net_free(net);
}

/* A layer keeps its parsed specs, and redrawing (initnn_net_reinit) uses them:
   the same seed gives the same weights as building the net did. */
static void a_layer_keeps_its_parsed_specs_and_redraws_from_them(void)
{
    initnn_net *net = NULL;
    float first[4 * 5 + 5];
    CHECK(initnn_net_create(&net, 4, 2, 9) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_add_dense(net, 5, "relu", "he_uniform:0,fan_out", "constant:0.25") == 0, "%s", initnn_last_error());
    CHECK(net->layers[0].kernel_spec.kind == INITNN_INIT_VARIANCE_SCALING &&
          net->layers[0].kernel_spec.mode == INITNN_FAN_OUT, "kernel spec kind %d mode %d",
          net->layers[0].kernel_spec.kind, net->layers[0].kernel_spec.mode);
    CHECK(net->layers[0].bias_spec.kind == INITNN_INIT_CONSTANT && net->layers[0].bias_spec.param[0] == 0.25,
          "bias spec kind %d", net->layers[0].bias_spec.kind);
    memcpy(first, net->params, sizeof first);
    CHECK(initnn_net_reinit(net, 9) == 0, "%s", initnn_last_error());
    CHECK(memcmp(first, net->params, sizeof first) == 0, "reinit with the same seed drew other weights");
    CHECK(net->params[20] == 0.25f, "bias %g", (double)net->params[20]);
    initnn_net_free(net);
}

static void layer_fans_are_the_dense_and_conv_fans(void)
{
    initnn_net *net = NULL;
    int fan_in = -1, fan_out = -1;
    CHECK(initnn_net_create(&net, 3 * 8 * 8, 2, 1) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_set_input_shape(net, 3, 8, 8) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_add_conv2d(net, 5, 3, 2, 1, 1, "relu", "he_normal", NULL) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_add_pool2d(net, 1, 2, 0) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_add_flatten(net) == 0, "%s", initnn_last_error());
    CHECK(initnn_net_add_dense(net, 7, "relu", "he_normal", NULL) == 0, "%s", initnn_last_error());
    initnn_layer_fans(&fan_in, &fan_out, &net->layers[0]);
    CHECK(fan_in == 3 * 3 * 2 && fan_out == 5 * 3 * 2, "conv fans %d, %d", fan_in, fan_out);
    initnn_layer_fans(&fan_in, &fan_out, &net->layers[1]);
    CHECK(fan_in == 0 && fan_out == 0, "pool fans %d, %d", fan_in, fan_out);
    initnn_layer_fans(&fan_in, &fan_out, &net->layers[3]);
    CHECK(fan_in == 5 * 4 * 4 && fan_out == 7, "dense fans %d, %d", fan_in, fan_out);
    initnn_net_free(net);
}

static void suggest_finds_the_closest_name_within_three_edits(void)
{
    static const char *const names[] = {"dense", "dropout", "conv", "maxpool"};
    const char *hit = initnn_suggest("dens", names, 4);
    CHECK(hit && !strcmp(hit, "dense"), "dens -> %s", hit ? hit : "NULL");
    hit = initnn_suggest("maxpoool", names, 4);
    CHECK(hit && !strcmp(hit, "maxpool"), "maxpoool -> %s", hit ? hit : "NULL");
    CHECK(initnn_suggest("transformer", names, 4) == NULL, "a far word got a suggestion");
    CHECK(initnn_suggest("dense", names, 0) == NULL, "no names, yet a suggestion");
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    RUN_TEST(softmax_cross_entropy_writes_nothing_when_a_later_label_is_bad);
    RUN_TEST(every_function_named_in_an_error_message_exists);
    RUN_TEST(a_bad_conv_bias_spec_names_the_conv_adder_and_the_bias);
    RUN_TEST(lsuv_is_a_spec_kind_drawn_orthogonal_and_refused_for_a_bias);
    RUN_TEST(a_layer_keeps_its_parsed_specs_and_redraws_from_them);
    RUN_TEST(layer_fans_are_the_dense_and_conv_fans);
    RUN_TEST(suggest_finds_the_closest_name_within_three_edits);
    return testing_finish();
}
