/* test_export_npy.c - initnn_net_export_npy writes every array of a net's
   state, one .npy each, under the names and shapes its declaration gives.

   The net has every layer with state: conv, batch norm (after a conv and
   after a dense layer), a residual block with a projection (4 -> 6
   channels), dense, layer norm, a residual block with a learnable alpha,
   and dropout, pooling and flatten (which hold none). After two training
   steps (so that the running statistics, alpha and every weight have left
   their initial values) the net is exported; the expected list of files is
   written here from the declaration's table, independently of the
   library's loop, and each file is read back with initnn_npy_read and
   compared bit for bit (memcmp) with the net's array, its shape with the
   table's. The folder must hold those files and nothing else. When
   /usr/bin/python3 has numpy, numpy.load reads every file too: it reports
   each array's shape and the CRC-32 of its bytes (zlib.crc32, the
   polynomial of initnn_crc32), compared here with the net's; without numpy
   that test is a SKIP line. Errors: a NULL argument or a missing folder is
   an error code with a message naming the cause. */

#define _POSIX_C_SOURCE 200809L
#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"
#include "python.h"

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <dirent.h>

#define BATCH 8

/* One expected file: its name, the array it must hold, its shape. */
typedef struct expected_file {
    char name[64];
    const float *data;
    size_t count;
    int ndim, shape[4];
} expected_file;

static initnn_net *net;
static expected_file expected[64];
static int expected_count;

static void expect(int layer, const char *what, const float *data, int ndim, int d0, int d1, int d2, int d3)
{
    expected_file *e = &expected[expected_count++];
    int k;
    snprintf(e->name, sizeof e->name, "layer%03d_%s.npy", layer, what);
    e->data = data;
    e->ndim = ndim;
    e->shape[0] = d0;
    e->shape[1] = d1;
    e->shape[2] = d2;
    e->shape[3] = d3;
    e->count = 1;
    for (k = 0; k < ndim; k++) e->count *= (size_t)e->shape[k];
}

/* The net, trained two steps; NULL (and a failed check) if it cannot be built. */
static void build_net(void)
{
    static const char *arch =
        "conv:4:3:1:same,bn,relu,res[conv:6:3:1:same,bn,relu],maxpool:2,flatten,dropout:0.1,"
        "dense:12,ln,tanh,res:ones[dense:12,tanh,dense:12,bn],dense:5,softmax";
    float X[BATCH * 2 * 6 * 6];
    int labels[BATCH], i, err;
    initnn_rng rng;
    float loss;
    err = initnn_net_from_arch(&net, arch, 2, 6, 6, "he_normal", "random_normal:0.1", BATCH, 7);
    CHECK(err == 0, "initnn_net_from_arch: %s", initnn_last_error());
    initnn_rng_seed(&rng, 11);
    for (i = 0; i < BATCH * 2 * 6 * 6; i++) X[i] = initnn_rng_normal(&rng);
    for (i = 0; i < BATCH; i++) labels[i] = i % 5;
    for (i = 0; i < 2; i++) {
        err = initnn_net_train_batch(net, X, labels, NULL, BATCH, &loss, NULL);
        CHECK(err == 0, "initnn_net_train_batch: %s", initnn_last_error());
    }
}

/* The declaration's table, applied to the net's layers by their types. */
static void list_expected_files(void)
{
    int i;
    expected_count = 0;
    for (i = 0; i < net->layer_count; i++) {
        const initnn_layer *l = &net->layers[i];
        switch (l->type) {
        case INITNN_LAYER_DENSE:
            expect(i, "dense_kernel", l->W, 2, l->in, l->out, 0, 0);
            expect(i, "dense_bias", l->b, 1, l->out, 0, 0, 0);
            break;
        case INITNN_LAYER_CONV2D:
            expect(i, "conv_kernel", l->W, 4, l->in_c, l->kernel_h, l->kernel_w, l->out_c);
            expect(i, "conv_bias", l->b, 1, l->out_c, 0, 0, 0);
            break;
        case INITNN_LAYER_BATCHNORM:
            expect(i, "bn_gamma", l->b, 1, l->out_c, 0, 0, 0);
            expect(i, "bn_beta", l->b + l->out_c, 1, l->out_c, 0, 0, 0);
            expect(i, "bn_running_mean", l->running_mean, 1, l->out_c, 0, 0, 0);
            expect(i, "bn_running_var", l->running_var, 1, l->out_c, 0, 0, 0);
            break;
        case INITNN_LAYER_LAYERNORM:
            expect(i, "ln_gamma", l->b, 1, l->out, 0, 0, 0);
            expect(i, "ln_beta", l->b + l->out, 1, l->out, 0, 0, 0);
            break;
        case INITNN_LAYER_RESIDUAL:
            if (l->projection_count)
                expect(i, "res_projection", l->b, 2, (int)(l->projection_count / (size_t)l->out_c), l->out_c, 0, 0);
            if (l->has_scale) expect(i, "res_alpha", l->b + l->projection_count, 1, 1, 0, 0, 0);
            break;
        default:
            break;
        }
    }
}

static void release(void)
{
    initnn_net_free(net);
    net = NULL;
    testing_scratch_end();
}

static int count_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void export_writes_every_array_bit_for_bit_under_its_documented_name_and_shape(void)
{
    int k, err, types[9] = {0};
    if (testing_scratch_begin("export") != 0) return;
    build_net();
    if (TESTING_FAILED) return;
    for (k = 0; k < net->layer_count; k++) types[net->layers[k].type]++;
    CHECK(types[INITNN_LAYER_CONV2D] == 2 && types[INITNN_LAYER_BATCHNORM] == 3 && types[INITNN_LAYER_LAYERNORM] == 1 &&
          types[INITNN_LAYER_RESIDUAL] == 2 && types[INITNN_LAYER_DENSE] == 4 && types[INITNN_LAYER_DROPOUT] == 1,
          "the net does not have the layers this test is about");
    list_expected_files();
    /* the state must have moved off its initial values: a bug that wrote
       the initial gamma (ones), the running variance (ones) or alpha (1)
       would not be caught by arrays still at those values */
    for (k = 0; k < expected_count; k++)
        if (strstr(expected[k].name, "running_var") || strstr(expected[k].name, "res_alpha"))
            CHECK(expected[k].data[0] != 1.0f, "%s is still 1 after training", expected[k].name);
    CHECK(expected_count == 28, "%d arrays expected from the table (28 by hand)", expected_count);
    err = initnn_net_export_npy(net, testing_scratch(""));
    CHECK(err == 0, "initnn_net_export_npy: %d %s", err, initnn_last_error());
    CHECK(count_files(testing_scratch("")) == expected_count, "the folder holds %d files, %d expected",
          count_files(testing_scratch("")), expected_count);
    for (k = 0; k < expected_count; k++) {
        const expected_file *e = &expected[k];
        float *data = NULL;
        int ndim = 0, shape[8], d;
        err = initnn_npy_read(&data, &ndim, shape, testing_scratch(e->name));
        CHECK(err == 0, "%s: %s", e->name, initnn_last_error());
        if (ndim != e->ndim) initnn_free(data);
        CHECK(ndim == e->ndim, "%s: %d dimensions, %d expected", e->name, ndim, e->ndim);
        for (d = 0; d < ndim; d++)
            if (shape[d] != e->shape[d]) {
                initnn_free(data);
                CHECK(0, "%s: dimension %d is %d, %d expected", e->name, d, shape[d], e->shape[d]);
            }
        d = memcmp(data, e->data, e->count * sizeof(float));
        initnn_free(data);
        CHECK(d == 0, "%s: the values differ from the net's", e->name);
    }
}

static void numpy_load_reads_every_exported_file_with_the_nets_shapes_and_bytes(void)
{
    static const char *script =
        "import sys, os, zlib, numpy as np\n"
        "with open(sys.argv[2], 'w') as out:\n"
        "    for name in sorted(os.listdir(sys.argv[1])):\n"
        "        if not name.endswith('.npy'): continue\n"
        "        a = np.load(os.path.join(sys.argv[1], name))\n"
        "        if a.dtype != np.dtype('<f4') or not a.flags.c_contiguous: sys.exit(1)\n"
        "        out.write('%s %d %s %d\\n' % (name, a.ndim, ' '.join(str(d) for d in a.shape),\n"
        "                                     zlib.crc32(a.tobytes())))\n";
    char report[512];
    FILE *f;
    int k, status, lines = 0;
    if (testing_scratch_begin("export_numpy") != 0) return;
    build_net();
    if (TESTING_FAILED) return;
    list_expected_files();
    CHECK(initnn_net_export_npy(net, testing_scratch("")) == 0, "initnn_net_export_npy: %s", initnn_last_error());
    snprintf(report, sizeof report, "%s", testing_scratch("numpy_report.txt"));
    status = run_python(script, testing_scratch(""), report);
    CHECK(status == 0, "numpy could not load an exported file as C-order '<f4' (python exit status %d)", status);
    f = fopen(report, "r");
    CHECK(f != NULL, "no report from python");
    for (;;) {
        char name[64];
        int ndim, shape[4] = {0, 0, 0, 0}, d, found = -1;
        unsigned long crc;
        if (fscanf(f, "%63s %d", name, &ndim) != 2) break;
        for (d = 0; d < ndim && d < 4; d++)
            if (fscanf(f, "%d", &shape[d]) != 1) break;
        if (d != ndim || fscanf(f, "%lu", &crc) != 1) { fclose(f); CHECK(0, "a malformed report line for %s", name); }
        lines++;
        for (k = 0; k < expected_count; k++)
            if (!strcmp(expected[k].name, name)) found = k;
        if (found < 0) { fclose(f); CHECK(0, "numpy found %s, which is not expected", name); }
        for (d = 0; d < ndim; d++)
            if (ndim != expected[found].ndim || shape[d] != expected[found].shape[d]) {
                fclose(f);
                CHECK(0, "numpy reads %s with another shape", name);
            }
        if (crc != (unsigned long)initnn_crc32(0, expected[found].data, expected[found].count * sizeof(float))) {
            fclose(f);
            CHECK(0, "numpy reads other values from %s than the net holds", name);
        }
    }
    fclose(f);
    CHECK(lines == expected_count, "numpy read %d files, %d expected", lines, expected_count);
}

static void export_refuses_null_arguments_and_a_missing_folder_with_a_message(void)
{
    int err;
    if (testing_scratch_begin("export_errors") != 0) return;
    CHECK(initnn_net_from_arch(&net, "dense:3,relu,dense:2", 1, 1, 4, "he_normal", NULL, 2, 1) == 0, "%s",
          initnn_last_error());
    err = initnn_net_export_npy(NULL, testing_scratch(""));
    CHECK(err == INITNN_ERR_ARGUMENT && strstr(initnn_last_error(), "NULL net"), "NULL net: %d %s", err,
          initnn_last_error());
    err = initnn_net_export_npy(net, NULL);
    CHECK(err == INITNN_ERR_ARGUMENT && strstr(initnn_last_error(), "NULL dir"), "NULL dir: %d %s", err,
          initnn_last_error());
    err = initnn_net_export_npy(net, "");
    CHECK(err == INITNN_ERR_ARGUMENT, "empty dir: %d %s", err, initnn_last_error());
    err = initnn_net_export_npy(net, testing_scratch("missing/deeper"));
    CHECK(err == INITNN_ERR_IO && strstr(initnn_last_error(), "missing/deeper/layer000_dense_kernel.npy"),
          "missing folder: %d %s", err, initnn_last_error());
    CHECK(count_files(testing_scratch("")) == 0, "a failed export left %d files", count_files(testing_scratch("")));
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    testing_after_each(release);
    RUN_TEST(export_writes_every_array_bit_for_bit_under_its_documented_name_and_shape);
    if (numpy_available())
        RUN_TEST(numpy_load_reads_every_exported_file_with_the_nets_shapes_and_bytes);
    else
        testing_skip("numpy_load_reads_every_exported_file_with_the_nets_shapes_and_bytes",
                     PYTHON " with numpy is not available");
    RUN_TEST(export_refuses_null_arguments_and_a_missing_folder_with_a_message);
    return testing_finish();
}
