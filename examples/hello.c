/* hello.c - the smallest complete initnn program: a 2-64-64-2 ReLU net with
   He-initialized kernels learns two-moons.
   Build: cc -O2 examples/hello.c -lm && ./a.out   (-DINITNN_REFERENCE: the lessons' plain loops only) */
#include <stdio.h>
#define INITNN_IMPLEMENTATION
#include "../initnn.h"

int main(void)
{
    initnn_data moons;
    initnn_net *net;
    initnn_train_config config = initnn_train_defaults();
    double loss, accuracy;

    /* 1000 points, noise 0.1, seed 1; the net draws its weights from seed 42. */
    if (initnn_make_moons(&moons, 1000, 0.1f, 1) ||
        initnn_net_from_arch(&net, "dense:64,relu,dense:64,relu,dense:2,softmax", 1, 1, 2,
                             "he_normal", "zeros", 64, 42)) {
        fprintf(stderr, "hello: %s\n", initnn_last_error());
        return 1;
    }
    config.epochs = 30;                 /* Adam(1e-3), batches of 32 */
    if (initnn_net_train(net, &moons, NULL, &config, NULL) ||
        initnn_net_evaluate(net, &loss, &accuracy, &moons)) {
        fprintf(stderr, "hello: %s\n", initnn_last_error());
        return 1;
    }
    printf("two-moons: loss %.4f, accuracy %.1f%%\n", loss, 100.0 * accuracy);
    initnn_net_free(net);
    initnn_data_free(&moons);
    return 0;
}
