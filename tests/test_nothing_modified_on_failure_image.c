/* test_nothing_modified_on_failure_image.c - the image functions (section 15,
   INITNN_WITH_STB) change nothing they were given when they fail.

   The claim and the method are those of test_nothing_modified_on_failure.c:
   every output is pre-filled with a sentinel byte pattern, a file already at
   a path to be written is kept as it was (and no PATH.tmp is left), and each
   call must return the documented error with a message. This file needs stb,
   so it is built apart; without libstb-dev tests/run.sh reports it as SKIP. */
/* testing: pkg-config stb (Debian: libstb-dev) */
#define _POSIX_C_SOURCE 200809L
#define INITNN_WITH_STB
#define INITNN_IMPLEMENTATION
#include "initnn.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "testing.h"

#define CHECK_FAILED(rc, want, call)                                                      \
    do {                                                                                  \
        CHECK((rc) == (want), "%s returned %d, want %d (%s)", (call), (rc), (want),       \
              initnn_last_error());                                                       \
        CHECK(initnn_last_error()[0] != '\0', "%s set no message", (call));               \
    } while (0)

static int write_file(const char *path, const void *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");
    size_t wrote;
    if (!f) return -1;
    wrote = fwrite(bytes, 1, n, f);
    return fclose(f) == 0 && wrote == n ? 0 : -1;
}

static const char existing_text[] = "a file that was here before the call\n";

static int existing_file_intact(const char *path)
{
    char buf[256], tmp[600];
    size_t n;
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n != sizeof existing_text - 1 || memcmp(buf, existing_text, n) != 0) return 0;
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    return stat(tmp, &st) != 0;
}

static void image_to_mnist_leaves_out_untouched_on_a_blank_image_or_a_size_of_0(void)
{
    static unsigned char gray[40 * 30];
    float out[784];
    int rc;
    memset(gray, 255, sizeof gray);   /* paper and no ink */
    testing_fill_sentinel(out, sizeof out);
    rc = initnn_image_to_mnist(out, gray, 40, 30);
    CHECK_FAILED(rc, INITNN_ERR_FORMAT, "initnn_image_to_mnist(a blank image)");
    CHECK(!testing_sentinel_changed(out, sizeof out), "initnn_image_to_mnist(a blank image) wrote out");
    initnn_clear_error();
    rc = initnn_image_to_mnist(out, gray, 0, 30);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_image_to_mnist(width 0)");
    CHECK(!testing_sentinel_changed(out, sizeof out), "initnn_image_to_mnist(width 0) wrote out");
}

static void image_load_mnist_leaves_out_untouched_on_a_missing_or_malformed_file(void)
{
    static const char not_an_image[] = "\x89PNG\r\n\x1a\n but then nothing of a PNG";
    float out[784];
    int rc;
    CHECK(write_file(testing_scratch("bad.png"), not_an_image, sizeof not_an_image - 1) == 0, "cannot write");
    testing_fill_sentinel(out, sizeof out);
    rc = initnn_image_load_mnist(out, testing_scratch("missing.png"));
    CHECK(rc == INITNN_ERR_IO || rc == INITNN_ERR_FORMAT, "initnn_image_load_mnist(a missing file) returned %d", rc);
    CHECK(initnn_last_error()[0] != '\0', "no message for a missing file");
    CHECK(!testing_sentinel_changed(out, sizeof out), "initnn_image_load_mnist(a missing file) wrote out");
    initnn_clear_error();
    rc = initnn_image_load_mnist(out, testing_scratch("bad.png"));
    CHECK(rc == INITNN_ERR_IO || rc == INITNN_ERR_FORMAT, "initnn_image_load_mnist(a bad PNG) returned %d", rc);
    CHECK(initnn_last_error()[0] != '\0', "no message for a bad PNG");
    CHECK(!testing_sentinel_changed(out, sizeof out), "initnn_image_load_mnist(a bad PNG) wrote out");
}

static void image_write_weights_png_leaves_an_existing_file_untouched_on_a_bad_tile(void)
{
    const char *path = testing_scratch("weights.png");
    float W[16 * 3];
    int rc;
    memset(W, 0, sizeof W);
    CHECK(write_file(path, existing_text, sizeof existing_text - 1) == 0, "cannot write %s", path);
    rc = initnn_image_write_weights_png(path, W, 16, 3, 3, 5, 0);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_image_write_weights_png(3 x 5 tiles of 16 inputs)");
    CHECK(existing_file_intact(path), "the file at %s was changed or a .tmp left", path);
}

static void image_write_samples_png_leaves_an_existing_file_untouched_on_a_count_of_0(void)
{
    const char *path = testing_scratch("samples.png");
    float x[16];
    int predicted[1] = {0};
    int rc;
    memset(x, 0, sizeof x);
    CHECK(write_file(path, existing_text, sizeof existing_text - 1) == 0, "cannot write %s", path);
    rc = initnn_image_write_samples_png(path, x, predicted, NULL, 0, 4, 4);
    CHECK_FAILED(rc, INITNN_ERR_ARGUMENT, "initnn_image_write_samples_png(count 0)");
    CHECK(existing_file_intact(path), "the file at %s was changed or a .tmp left", path);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    if (testing_scratch_begin("nothing_modified_image") != 0) return 1;
    RUN_TEST(image_to_mnist_leaves_out_untouched_on_a_blank_image_or_a_size_of_0);
    RUN_TEST(image_load_mnist_leaves_out_untouched_on_a_missing_or_malformed_file);
    RUN_TEST(image_write_weights_png_leaves_an_existing_file_untouched_on_a_bad_tile);
    RUN_TEST(image_write_samples_png_leaves_an_existing_file_untouched_on_a_count_of_0);
    testing_scratch_end();
    return testing_finish();
}
