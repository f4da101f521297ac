/* small_net.h - one small training run, written once and compiled twice:
   by tests/test_reference_build.c against the library as configured, and by
   tests/reference_twin.c against the INITNN_REFERENCE build (the lessons'
   plain loops), so that the test can put the two side by side.

   The run: a 2-16-16-3 tanh/ReLU net with a softmax output, He-normal
   kernels from seed 7, on 96 points of three spirals, 20 full-batch Adam
   steps (lr 0.01), then a conv net (1x6x6 input, 4 filters 3x3 "same",
   ReLU, 2x2 max pool, flatten, dense 3, softmax) 10 SGD-momentum steps on
   the same labels with the input tiled. The losses of every step and the
   final weights are returned. */
#ifndef SMALL_NET_H_INCLUDED
#define SMALL_NET_H_INCLUDED

#define SMALL_NET_STEPS 30
#define SMALL_NET_MAX_PARAMS 2048

typedef struct small_net_result {
    float losses[SMALL_NET_STEPS];
    float params[SMALL_NET_MAX_PARAMS];   /* the dense net's, then the conv net's */
    int param_count;
} small_net_result;

static int small_net_run(small_net_result *out)
{
    initnn_data spirals;
    initnn_net *net = NULL;
    initnn_optimizer opt;
    float image[96 * 36];
    int i, step, err;
    memset(out, 0, sizeof *out);
    if ((err = initnn_make_spirals(&spirals, 96, 3, 0.05f, 5))) return err;
    err = initnn_net_from_arch(&net, "dense:16,tanh,dense:16,relu,dense:3,softmax", 1, 1, 2, "he_normal", "zeros", 96, 7);
    if (!err) {
        opt = initnn_adam(0.01f);
        err = initnn_net_set_optimizer(net, &opt);
    }
    for (step = 0; !err && step < 20; step++) {
        initnn_net_zero_grad(net);
        if (!initnn_net_forward(net, spirals.x, 96, 1)) err = INITNN_ERR_ARGUMENT;
        if (!err) err = initnn_net_backward(net, spirals.labels, NULL, &out->losses[step]);
        if (!err) err = initnn_net_step(net);
    }
    if (!err) {
        memcpy(out->params, net->params, net->param_count * sizeof(float));
        out->param_count = (int)net->param_count;
    }
    initnn_net_free(net);
    net = NULL;
    /* The conv net sees each point as a 6 x 6 image: x and y repeated. */
    for (i = 0; i < 96 * 36; i++) image[i] = spirals.x[(i / 36) * 2 + (i % 2)] * (float)(1 + (i % 36) / 12);
    if (!err) err = initnn_net_from_arch(&net, "conv:4:3:1:same,relu,maxpool:2,flatten,dense:3,softmax", 1, 6, 6,
                                         "he_normal", "zeros", 96, 11);
    if (!err) {
        opt = initnn_sgd(0.05f, 0.9f, 0);
        err = initnn_net_set_optimizer(net, &opt);
    }
    for (step = 20; !err && step < SMALL_NET_STEPS; step++) {
        initnn_net_zero_grad(net);
        if (!initnn_net_forward(net, image, 96, 1)) err = INITNN_ERR_ARGUMENT;
        if (!err) err = initnn_net_backward(net, spirals.labels, NULL, &out->losses[step]);
        if (!err) err = initnn_net_step(net);
    }
    if (!err && out->param_count + (int)net->param_count <= SMALL_NET_MAX_PARAMS) {
        memcpy(out->params + out->param_count, net->params, net->param_count * sizeof(float));
        out->param_count += (int)net->param_count;
    } else if (!err) {
        err = INITNN_ERR_OVERFLOW;
    }
    initnn_net_free(net);
    initnn_data_free(&spirals);
    return err;
}

#endif
