/* predict.c - classify your own handwritten digit with a trained initnn model.

   Draw a digit in any paint program (dark on light or light on dark, any
   size), save it as PNG, JPEG or BMP, and run

       ./predict model.ckpt digit.png

   It prints the ten class probabilities and the top class. The picture goes
   through the MNIST preprocessing of initnn_image_load_mnist (ink cropped,
   scaled into a 20 x 20 box, centred by mass in 28 x 28), so the model sees
   what it saw in training. Train a model with the lab:

       ./initlab --data mnist --init he_normal --epochs 5 --save-model model.ckpt

   Build:  cc -O2 -I. -DINITNN_WITH_STB $(pkg-config --cflags stb) \
              examples/predict.c -o predict $(pkg-config --libs stb) -lm
   (make predict does this.) */
#include <stdio.h>
#ifndef INITNN_WITH_STB
#define INITNN_WITH_STB
#endif
#define INITNN_IMPLEMENTATION
#include "../initnn.h"

int main(int argc, char **argv)
{
    initnn_net *net;
    float pixels[784];
    const float *probabilities;
    int i, best = 0;

    if (argc != 3) {
        fprintf(stderr, "usage: %s model.ckpt digit.png\n", argv[0]);
        return 2;
    }
    if (initnn_net_load(&net, argv[1], 1) != 0) {
        fprintf(stderr, "predict: %s\n", initnn_last_error());
        return 1;
    }
    if (net->input_dim != 784 || initnn_net_output_dim(net) != 10) {
        fprintf(stderr, "predict: %s takes %d inputs and gives %d outputs; an MNIST model takes 784 and gives 10\n",
                argv[1], net->input_dim, initnn_net_output_dim(net));
        initnn_net_free(net);
        return 1;
    }
    {
        /* Probabilities need a classifier: a last dense layer with softmax
           (an identity/MSE net's outputs are no percentages). */
        const initnn_layer *last = &net->layers[net->layer_count - 1];
        if (last->type != INITNN_LAYER_DENSE || last->activation != INITNN_ACT_SOFTMAX) {
            fprintf(stderr, "predict: %s is not a classifier: its last layer has no softmax, so its outputs are "
                    "not class probabilities\n", argv[1]);
            initnn_net_free(net);
            return 1;
        }
    }
    if (initnn_image_load_mnist(pixels, argv[2]) != 0) {
        fprintf(stderr, "predict: %s\n", initnn_last_error());
        initnn_net_free(net);
        return 1;
    }
    initnn_net_preprocess(net, pixels, 1);   /* the z-score the model was trained with, if any (--standardize) */
    probabilities = initnn_net_forward(net, pixels, 1, 0);
    if (!probabilities) {
        fprintf(stderr, "predict: %s\n", initnn_last_error());
        initnn_net_free(net);
        return 1;
    }
    for (i = 0; i < 10; i++)
        if (!(probabilities[i] >= 0.0f && probabilities[i] <= 1.0f)) {   /* NaN fails both */
            fprintf(stderr, "predict: %s gives a non-finite output for %s (class %d: %g): its weights overflow on "
                    "this picture; no prediction\n", argv[1], argv[2], i, (double)probabilities[i]);
            initnn_net_free(net);
            return 1;
        }
    for (i = 0; i < 10; i++) {
        printf("%d  %6.2f%%  ", i, 100.0 * probabilities[i]);
        {   /* a bar, one # per 2.5% */
            int bar = (int)(probabilities[i] * 40.0f + 0.5f);
            while (bar-- > 0) putchar('#');
        }
        putchar('\n');
        if (probabilities[i] > probabilities[best]) best = i;
    }
    printf("prediction: %d (%.1f%%)\n", best, 100.0 * probabilities[best]);
    initnn_net_free(net);
    return 0;
}
