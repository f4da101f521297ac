/* test_data.c - the data loaders on small files made here: IDX (MNIST's
   format), CSV and CIFAR binary batches, plus the split and z-scoring the lab
   relies on.

   Each loader must either give exactly the data written, or fail with a
   negative code, a non-empty message and *out all zero, whatever the file
   holds: a wrong magic, a truncated or overlong file, dimensions whose
   product would overflow (2^31 images of 2^31 pixels), image and label
   counts that disagree, text in a numeric cell, a ragged row, an empty or
   missing file, records of the wrong length. The output struct is filled
   with garbage before every failing call, so "zeroed" is checked, not
   assumed; the [asan] build checks that no path crashes or leaks, and that
   no huge allocation is attempted.

   Files are $TMPDIR/initnn_test_data_XXXXXX/... (testing_scratch_begin) and are removed at
   the end. */

#define _POSIX_C_SOURCE 200809L

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

#include <float.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <unistd.h>

/* ---- files ------------------------------------------------------------------------------- */

static int write_file(const char *name, const void *data, size_t n)
{
    FILE *f = fopen(testing_scratch(name), "wb");
    int ok;
    if (!f) return 0;
    ok = fwrite(data, 1, n, f) == n;
    return (fclose(f) == 0) && ok;
}

static int write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* An IDX images file: magic 00 00 08 03, count, rows, cols (big-endian),
   then `payload` bytes: pixel k is (k * 7 + 3) mod 256. */
static int write_idx_images(const char *name, uint32_t count, uint32_t rows, uint32_t cols, size_t payload,
                            unsigned char magic_type, unsigned char magic_dims)
{
    unsigned char *buf = (unsigned char *)malloc(16 + payload);
    size_t k;
    int ok;
    if (!buf) return 0;
    buf[0] = 0; buf[1] = 0; buf[2] = magic_type; buf[3] = magic_dims;
    put_be32(buf + 4, count);
    put_be32(buf + 8, rows);
    put_be32(buf + 12, cols);
    for (k = 0; k < payload; k++) buf[16 + k] = (unsigned char)((k * 7 + 3) % 256);
    ok = write_file(name, buf, 16 + payload);
    free(buf);
    return ok;
}

/* An IDX labels file: magic 00 00 08 01, count, then the labels. */
static int write_idx_labels(const char *name, uint32_t count, const unsigned char *labels, size_t n,
                            unsigned char magic_dims)
{
    unsigned char buf[64];
    if (n > sizeof buf - 8) return 0;
    buf[0] = 0; buf[1] = 0; buf[2] = 8; buf[3] = magic_dims;
    put_be32(buf + 4, count);
    memcpy(buf + 8, labels, n);
    return write_file(name, buf, 8 + n);
}

/* ---- checks shared by the failure tests ---------------------------------------------------- */

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = (const unsigned char *)p;
    size_t i;
    for (i = 0; i < n; i++)
        if (b[i]) return 0;
    return 1;
}

/* Garbage in *d, so that a loader that forgets to clear it on failure is seen. */
static void fill_garbage(initnn_data *d)
{
    memset(d, 0xAB, sizeof *d);
}

/* Whether the last error message contains text (NULL: no requirement). */
static int message_mentions(const char *text)
{
    return text == NULL || strstr(initnn_last_error(), text) != NULL;
}

/* The failure contract: the expected negative code, a message, *d zeroed.
   want_code 0 accepts any negative code. want_text (may be NULL) must occur
   in the message. */
#define CHECK_FAILED(rc, d, want_code, want_text)                                                          \
    do {                                                                                                  \
        CHECK((rc) < 0, "expected an error, got %d", (rc));                                               \
        CHECK((want_code) == 0 || (rc) == (want_code), "code %d, expected %d (%s)", (rc), (want_code),    \
              initnn_last_error());                                                                       \
        CHECK(initnn_last_error()[0] != '\0', "code %d but an empty message", (rc));                      \
        CHECK(message_mentions(want_text), "message '%s' does not mention '%s'", initnn_last_error(),     \
              (want_text) ? (const char *)(want_text) : "");                                              \
        CHECK(all_zero(&(d), sizeof(d)), "the output is not zeroed after the error '%s'",                 \
              initnn_last_error());                                                                       \
    } while (0)

/* ---- IDX ----------------------------------------------------------------------------------- */

static const unsigned char three_labels[3] = {0, 2, 1};

static void idx_loads_images_and_labels_exactly(void)
{
    initnn_data d;
    int rc, k;
    CHECK(write_idx_images("ok-images", 3, 2, 2, 12, 8, 3), "cannot write the fixture");
    CHECK(write_idx_labels("ok-labels", 3, three_labels, 3, 1), "cannot write the fixture");
    rc = initnn_load_idx(&d, testing_scratch("ok-images"), testing_scratch("ok-labels"));
    CHECK(rc == 0, "initnn_load_idx: %s", initnn_last_error());
    CHECK(d.count == 3 && d.features == 4, "count %d features %d, expected 3 and 4", d.count, d.features);
    CHECK(d.x_u8 != NULL && d.x == NULL, "images must stay uint8");
    CHECK(d.labels != NULL && d.targets == NULL, "labels expected, no targets");
    CHECK(d.classes == 3, "classes %d, expected max label + 1 = 3", d.classes);
    for (k = 0; k < 12; k++) {
        int want = (k * 7 + 3) % 256;
        if (d.x_u8[k] != want) { initnn_data_free(&d); CHECK(0, "pixel %d is %d, expected %d", k, d.x_u8[k], want); }
    }
    for (k = 0; k < 3; k++) {
        if (d.labels[k] != three_labels[k]) {
            initnn_data_free(&d);
            CHECK(0, "label %d is %d, expected %d", k, d.labels[k], three_labels[k]);
        }
    }
    initnn_data_free(&d);
    CHECK(all_zero(&d, sizeof d), "initnn_data_free must zero the struct");
}

static void idx_images_without_labels(void)
{
    initnn_data d;
    int rc;
    CHECK(write_idx_images("ok-images", 3, 2, 2, 12, 8, 3), "cannot write the fixture");
    rc = initnn_load_idx(&d, testing_scratch("ok-images"), NULL);
    CHECK(rc == 0, "initnn_load_idx: %s", initnn_last_error());
    CHECK(d.count == 3 && d.labels == NULL && d.classes == 0, "count %d labels %p classes %d", d.count,
          (const void *)d.labels, d.classes);
    initnn_data_free(&d);
}

static void idx_wrong_magic_is_refused(void)
{
    initnn_data d;
    int rc;
    /* 0x0802: a 2-dimensional file where images need 3. */
    CHECK(write_idx_images("magic-dims", 3, 2, 2, 12, 8, 2), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("magic-dims"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "magic");
    /* 0x0D03: floats, not unsigned bytes. */
    CHECK(write_idx_images("magic-type", 3, 2, 2, 12, 0x0D, 3), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("magic-type"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "magic");
    /* A labels file given as the images. */
    CHECK(write_idx_labels("labels-as-images", 3, three_labels, 3, 1), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("labels-as-images"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
}

static void idx_truncated_and_overlong_files_are_refused(void)
{
    initnn_data d;
    int rc;
    CHECK(write_idx_images("short", 3, 2, 2, 11, 8, 3), "cannot write the fixture");
    CHECK(write_idx_labels("ok-labels", 3, three_labels, 3, 1), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("short"), testing_scratch("ok-labels"));
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "truncated");
    CHECK(write_idx_images("long", 3, 2, 2, 13, 8, 3), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("long"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
    /* Shorter than the 16-byte header. */
    CHECK(write_text("tiny", "\x00\x00\x08"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("tiny"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
    CHECK(write_file("empty", "", 0), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("empty"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
}

static void idx_dimensions_that_overflow_are_refused_before_allocating(void)
{
    initnn_data d;
    int rc;
    /* 2^31 images of 2^31 pixels: each dimension is already too large. */
    CHECK(write_idx_images("huge-dims", 0x80000000u, 0x8000u, 0x10000u, 4, 8, 3), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("huge-dims"), NULL);
    CHECK_FAILED(rc, d, 0, NULL);
    /* Each dimension fits in an int, their product does not. */
    CHECK(write_idx_images("huge-product", 65536, 65536, 1, 4, 8, 3), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("huge-product"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_OVERFLOW, NULL);
    CHECK(write_idx_images("max-product", 0x7fffffffu, 0x7fffffffu, 0x7fffffffu, 4, 8, 3), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("max-product"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_OVERFLOW, NULL);
    /* A zero dimension. */
    CHECK(write_idx_images("zero-dim", 3, 0, 2, 0, 8, 3), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("zero-dim"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
}

static void idx_image_and_label_counts_must_agree(void)
{
    initnn_data d;
    int rc;
    CHECK(write_idx_images("ok-images", 3, 2, 2, 12, 8, 3), "cannot write the fixture");
    CHECK(write_idx_labels("two-labels", 2, three_labels, 2, 1), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("ok-images"), testing_scratch("two-labels"));
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "labels");
}

/* A corrupted labels file with valid images. Each of these goes through the
   error path of the labels file's header check (which closed the file twice
   until 7faacc8). */
static void idx_corrupted_labels_file_is_refused(void)
{
    static const unsigned char four[4] = {0, 1, 2, 3};
    initnn_data d;
    int rc;
    CHECK(write_idx_images("ok-images", 3, 2, 2, 12, 8, 3), "cannot write the fixture");
    CHECK(write_idx_labels("labels-magic", 3, three_labels, 3, 2), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("ok-images"), testing_scratch("labels-magic"));
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "magic");
    CHECK(write_idx_labels("labels-short", 3, three_labels, 2, 1), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("ok-images"), testing_scratch("labels-short"));
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
    CHECK(write_idx_labels("labels-long", 3, four, 4, 1), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("ok-images"), testing_scratch("labels-long"));
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
}

static void idx_missing_files_are_io_errors(void)
{
    initnn_data d;
    int rc;
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("does-not-exist"), NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_IO, "does-not-exist");
    CHECK(write_idx_images("ok-images", 3, 2, 2, 12, 8, 3), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, testing_scratch("ok-images"), testing_scratch("no-labels-here"));
    CHECK_FAILED(rc, d, INITNN_ERR_IO, "no-labels-here");
    fill_garbage(&d);
    rc = initnn_load_idx(&d, NULL, NULL);
    CHECK_FAILED(rc, d, INITNN_ERR_ARGUMENT, NULL);
}

/* ---- CSV ------------------------------------------------------------------------------------ */

static void csv_header_and_target_by_name(void)
{
    static const float want_x[6] = {1.0f, 2.0f, 4.0f, 5.0f, 7.5f, -8.0f};
    static const float want_y[3] = {3.0f, 6.0f, 9.25f};
    initnn_data d;
    int rc;
    CHECK(write_text("named.csv", "a,b,price\n1,2,3\n4,5,6\n7.5,-8,9.25\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("named.csv"), "price", 1, 0);
    CHECK(rc == 0, "initnn_load_csv: %s", initnn_last_error());
    CHECK(d.count == 3 && d.features == 2 && d.target_dim == 1, "count %d features %d target_dim %d", d.count,
          d.features, d.target_dim);
    CHECK(d.x != NULL && d.targets != NULL && d.labels == NULL, "float features and targets expected");
    CHECK_FLOATS_EQUAL("features", d.x, want_x, 6);
    CHECK_FLOATS_EQUAL("targets", d.targets, want_y, 3);
    initnn_data_free(&d);
    /* The target in the middle, by name; the other columns keep their order. */
    rc = initnn_load_csv(&d, testing_scratch("named.csv"), "b", 1, 0);
    CHECK(rc == 0, "initnn_load_csv: %s", initnn_last_error());
    CHECK(d.x[0] == 1.0f && d.x[1] == 3.0f && d.targets[0] == 2.0f, "target b: x %g %g, y %g", (double)d.x[0],
          (double)d.x[1], (double)d.targets[0]);
    initnn_data_free(&d);
}

static void csv_target_by_index_and_class_labels(void)
{
    initnn_data d;
    int rc;
    CHECK(write_text("labels.csv", "0.5,1,0\n1.5,2,2\n\n2.5,3,1\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("labels.csv"), "-1", 0, 1);
    CHECK(rc == 0, "initnn_load_csv: %s", initnn_last_error());
    CHECK(d.count == 3 && d.features == 2, "count %d features %d (a blank line is skipped)", d.count, d.features);
    CHECK(d.labels && d.labels[0] == 0 && d.labels[1] == 2 && d.labels[2] == 1, "labels wrong");
    CHECK(d.classes == 3, "classes %d, expected 3", d.classes);
    CHECK(d.x[2] == 1.5f && d.x[3] == 2.0f, "row 2 features %g %g", (double)d.x[2], (double)d.x[3]);
    initnn_data_free(&d);
    rc = initnn_load_csv(&d, testing_scratch("labels.csv"), "0", 0, 0);
    CHECK(rc == 0, "initnn_load_csv: %s", initnn_last_error());
    CHECK(d.targets[1] == 1.5f && d.x[2] == 2.0f && d.x[3] == 2.0f, "target column 0: y %g x %g %g",
          (double)d.targets[1], (double)d.x[2], (double)d.x[3]);
    initnn_data_free(&d);
}

static void csv_windows_line_ends_blanks_and_quotes(void)
{
    initnn_data d;
    int rc;
    CHECK(write_text("crlf.csv", "\"x\", \"y\"\r\n 1 ,\"2\"\r\n\r\n3,4\r\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("crlf.csv"), "y", 1, 0);
    CHECK(rc == 0, "initnn_load_csv: %s", initnn_last_error());
    CHECK(d.count == 2 && d.x[0] == 1.0f && d.x[1] == 3.0f && d.targets[0] == 2.0f && d.targets[1] == 4.0f,
          "count %d x %g %g y %g %g", d.count, (double)d.x[0], (double)d.x[1], (double)d.targets[0],
          (double)d.targets[1]);
    initnn_data_free(&d);
}

static void csv_text_in_a_numeric_cell_names_line_and_column(void)
{
    initnn_data d;
    int rc;
    CHECK(write_text("text.csv", "a,b,y\n1,2,3\n4,NEAR BAY,6\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("text.csv"), "y", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "line 3");
    CHECK(strstr(initnn_last_error(), "column 2") != NULL, "message '%s' does not name column 2", initnn_last_error());
    /* An empty cell (a missing value) is not a number either. */
    CHECK(write_text("missing.csv", "a,b,y\n1,,3\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("missing.csv"), "y", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "line 2");
    /* A non-integer class label. */
    CHECK(write_text("halfclass.csv", "1,0\n2,1.5\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("halfclass.csv"), "-1", 0, 1);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "line 2");
}

static void csv_ragged_row_is_refused(void)
{
    initnn_data d;
    int rc;
    CHECK(write_text("ragged.csv", "a,b,y\n1,2,3\n4,5\n7,8,9\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("ragged.csv"), "y", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "line 3");
    CHECK(write_text("wide.csv", "1,2,3\n4,5,6,7\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("wide.csv"), "-1", 0, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "line 2");
}

static void csv_empty_and_missing_files(void)
{
    initnn_data d;
    int rc;
    CHECK(write_file("empty.csv", "", 0), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("empty.csv"), "-1", 0, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "empty");
    /* A header and nothing else. */
    CHECK(write_text("header-only.csv", "a,b,y\n\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("header-only.csv"), "y", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("no-such.csv"), "y", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_IO, "no-such.csv");
}

static void csv_bad_target_column(void)
{
    initnn_data d;
    int rc;
    CHECK(write_text("named.csv", "a,b,price\n1,2,3\n4,5,6\n7.5,-8,9.25\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("named.csv"), "prize", 1, 0);
    CHECK_FAILED(rc, d, 0, "prize");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("named.csv"), "3", 1, 0);
    CHECK_FAILED(rc, d, 0, NULL);
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("named.csv"), "-4", 1, 0);
    CHECK_FAILED(rc, d, 0, NULL);
    /* A name needs a header. */
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("named.csv"), "price", 0, 0);
    CHECK_FAILED(rc, d, 0, NULL);
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("named.csv"), "", 1, 0);
    CHECK_FAILED(rc, d, 0, NULL);
    /* One column: no features. */
    CHECK(write_text("one-column.csv", "1\n2\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("one-column.csv"), "0", 0, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
}

/* ---- CIFAR ---------------------------------------------------------------------------------- */

/* n CIFAR records: label then 3072 pixel bytes, pixel k of record r is
   (r * 31 + k) mod 251; extra label bytes for CIFAR-100. */
static int write_cifar(const char *name, int n, const int *labels, int cifar100, size_t trim)
{
    size_t record = cifar100 ? 3074u : 3073u, size = (size_t)n * record, k;
    unsigned char *buf = (unsigned char *)malloc(size ? size : 1);
    int r, ok;
    if (!buf) return 0;
    for (r = 0; r < n; r++) {
        unsigned char *rec = buf + (size_t)r * record;
        if (cifar100) {
            rec[0] = (unsigned char)(labels[r] / 5);   /* coarse */
            rec[1] = (unsigned char)labels[r];         /* fine   */
        } else {
            rec[0] = (unsigned char)labels[r];
        }
        for (k = 0; k < 3072; k++) rec[(cifar100 ? 2 : 1) + k] = (unsigned char)(((size_t)r * 31u + k) % 251u);
    }
    ok = write_file(name, buf, size - trim);
    free(buf);
    return ok;
}

/* A file saved with a UTF-8 byte-order mark (EF BB BF) reads as without it:
   the first column's name is "x1", not "\xEF\xBB\xBFx1", and in a file
   without a header the first number is a number. */
static void csv_utf8_byte_order_mark_is_skipped(void)
{
    initnn_data d;
    int rc;
    CHECK(write_text("bom.csv", "\xEF\xBB\xBFx1,x2,y\n1,2,3\n4,5,6\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("bom.csv"), "x1", 1, 0);
    CHECK(rc == 0, "a header after a byte-order mark: %s", initnn_last_error());
    CHECK(d.count == 2 && d.targets[1] == 4.0f && d.x[0] == 2.0f, "count %d target %g", d.count, (double)d.targets[1]);
    initnn_data_free(&d);
    CHECK(write_text("bom-noheader.csv", "\xEF\xBB\xBF" "1.5,2\n3,4\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("bom-noheader.csv"), "-1", 0, 0);
    CHECK(rc == 0, "numbers after a byte-order mark: %s", initnn_last_error());
    CHECK(d.count == 2 && d.x[0] == 1.5f, "count %d first x %g", d.count, (double)d.x[0]);
    initnn_data_free(&d);
}

/* "no column named" says which columns there are. */
static void csv_unknown_column_lists_the_columns_found(void)
{
    initnn_data d;
    int rc;
    CHECK(write_text("cols.csv", "sepal_length, sepal_width,species\n1,2,3\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("cols.csv"), "Species", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_ARGUMENT, "no column named 'Species'");
    CHECK(strstr(initnn_last_error(), "'sepal_length', 'sepal_width', 'species'") != NULL,
          "the message does not list the columns: %s", initnn_last_error());
}

/* String class labels become classes 0, 1, ... in strcmp order of their
   names, kept in class_names; numbers among them are names too. */
static void csv_text_class_labels_map_to_sorted_classes(void)
{
    static const int want[6] = {2, 0, 1, 2, 1, 0};
    initnn_data d;
    int rc, i;
    CHECK(write_text("iris.csv", "a,b,species\n1,2,virginica\n3,4,setosa\n5,6,\"versicolor\"\n7,8,virginica\n"
                                 "9,10, versicolor\n11,12,setosa\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("iris.csv"), "species", 1, 1);
    CHECK(rc == 0, "text labels: %s", initnn_last_error());
    CHECK(d.classes == 3 && d.class_names != NULL, "classes %d, names %p", d.classes, (const void *)d.class_names);
    CHECK(!strcmp(d.class_names[0], "setosa") && !strcmp(d.class_names[1], "versicolor") &&
              !strcmp(d.class_names[2], "virginica"), "names %s %s %s", d.class_names[0], d.class_names[1],
          d.class_names[2]);
    for (i = 0; i < 6; i++) CHECK(d.labels[i] == want[i], "row %d: class %d, expected %d", i, d.labels[i], want[i]);
    CHECK(d.x[2] == 3.0f && d.x[11] == 12.0f, "features moved");
    initnn_data_free(&d);
    /* Under regression the same file is an error that says why. */
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("iris.csv"), "species", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "classification");
    /* Numeric labels keep their numbers and have no names. */
    CHECK(write_text("numlabels.csv", "1,2\n3,0\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("numlabels.csv"), "-1", 0, 1);
    CHECK(rc == 0 && d.class_names == NULL && d.classes == 3 && d.labels[0] == 2, "numeric labels: %s",
          initnn_last_error());
    initnn_data_free(&d);
}

/* A NUL byte inside a cell, or a number float cannot hold, is an error
   naming the line and the column, not 1 or inf. */
static void csv_nul_bytes_and_numbers_beyond_float_range_name_line_and_column(void)
{
    static const char nul[] = "a,b,y\n1,2,3\n4,1\0zzz,6\n";
    initnn_data d;
    int rc;
    CHECK(write_file("nul.csv", nul, sizeof nul - 1), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("nul.csv"), "y", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "line 3, column 2");
    CHECK(strstr(initnn_last_error(), "NUL") != NULL, "message '%s' does not say NUL", initnn_last_error());
    CHECK(write_text("huge.csv", "a,b,y\n1,2,3\n4,5,6\n7,1e39,9\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("huge.csv"), "y", 1, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "line 4, column 2");
    CHECK(strstr(initnn_last_error(), "float range") != NULL, "message '%s'", initnn_last_error());
    CHECK(write_text("huge-target.csv", "1,2\n3,-4e38\n"), "cannot write the fixture");
    fill_garbage(&d);
    rc = initnn_load_csv(&d, testing_scratch("huge-target.csv"), "-1", 0, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "line 2, column 2");
    /* The largest float itself is fine. */
    CHECK(write_text("max.csv", "3.4028234e38,1\n-3.4028234e38,2\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("max.csv"), "-1", 0, 0);
    CHECK(rc == 0 && d.x[0] == FLT_MAX && d.x[1] == -FLT_MAX, "FLT_MAX: %s", initnn_last_error());
    initnn_data_free(&d);
}

static void cifar10_batches_load_in_order(void)
{
    static const int a[2] = {3, 9}, b[1] = {0};
    const char *paths[2];
    initnn_data d;
    int rc, r;
    size_t k;
    CHECK(write_cifar("batch_a.bin", 2, a, 0, 0), "cannot write the fixture");
    CHECK(write_cifar("batch_b.bin", 1, b, 0, 0), "cannot write the fixture");
    paths[0] = testing_scratch("batch_a.bin");
    paths[1] = testing_scratch("batch_b.bin");
    rc = initnn_load_cifar(&d, paths, 2, 0);
    CHECK(rc == 0, "initnn_load_cifar: %s", initnn_last_error());
    CHECK(d.count == 3 && d.features == 3072 && d.classes == 10, "count %d features %d classes %d", d.count,
          d.features, d.classes);
    CHECK(d.labels[0] == 3 && d.labels[1] == 9 && d.labels[2] == 0, "labels %d %d %d", d.labels[0], d.labels[1],
          d.labels[2]);
    for (r = 0; r < 3; r++) {
        int file_r = r < 2 ? r : 0;
        for (k = 0; k < 3072; k++)
            if (d.x_u8[(size_t)r * 3072 + k] != ((size_t)file_r * 31u + k) % 251u) {
                initnn_data_free(&d);
                CHECK(0, "image %d byte %lu differs", r, (unsigned long)k);
            }
    }
    initnn_data_free(&d);
}

static void cifar100_coarse_and_fine_labels(void)
{
    static const int fine[2] = {99, 7};
    const char *path;
    initnn_data d;
    int rc;
    CHECK(write_cifar("c100.bin", 2, fine, 1, 0), "cannot write the fixture");
    path = testing_scratch("c100.bin");
    rc = initnn_load_cifar(&d, &path, 1, 2);
    CHECK(rc == 0, "initnn_load_cifar: %s", initnn_last_error());
    CHECK(d.classes == 100 && d.labels[0] == 99 && d.labels[1] == 7, "fine: classes %d labels %d %d", d.classes,
          d.labels[0], d.labels[1]);
    CHECK(d.x_u8[0] == 0 && d.x_u8[3072 + 1] == 32, "pixels start after the two label bytes");
    initnn_data_free(&d);
    rc = initnn_load_cifar(&d, &path, 1, 1);
    CHECK(rc == 0, "initnn_load_cifar: %s", initnn_last_error());
    CHECK(d.classes == 20 && d.labels[0] == 19 && d.labels[1] == 1, "coarse: classes %d labels %d %d", d.classes,
          d.labels[0], d.labels[1]);
    initnn_data_free(&d);
}

static void cifar_wrong_lengths_and_labels_are_refused(void)
{
    static const int ok[2] = {1, 2}, bad[2] = {1, 10};
    const char *paths[2];
    initnn_data d;
    int rc;
    CHECK(write_cifar("good.bin", 2, ok, 0, 0), "cannot write the fixture");
    CHECK(write_cifar("cut.bin", 2, ok, 0, 1), "cannot write the fixture");
    paths[0] = testing_scratch("good.bin");
    paths[1] = testing_scratch("cut.bin");
    fill_garbage(&d);
    rc = initnn_load_cifar(&d, paths, 2, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "cut.bin");
    /* A CIFAR-10 batch read as CIFAR-100: 3073-byte records are not 3074. */
    fill_garbage(&d);
    rc = initnn_load_cifar(&d, paths, 1, 1);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
    CHECK(write_cifar("label10.bin", 2, bad, 0, 0), "cannot write the fixture");
    paths[1] = testing_scratch("label10.bin");
    fill_garbage(&d);
    rc = initnn_load_cifar(&d, paths, 2, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, "label");
    CHECK(write_file("empty.bin", "", 0), "cannot write the fixture");
    paths[1] = testing_scratch("empty.bin");
    fill_garbage(&d);
    rc = initnn_load_cifar(&d, paths, 2, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_FORMAT, NULL);
    paths[1] = testing_scratch("missing.bin");
    fill_garbage(&d);
    rc = initnn_load_cifar(&d, paths, 2, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_IO, "missing.bin");
    fill_garbage(&d);
    rc = initnn_load_cifar(&d, paths, 0, 0);
    CHECK_FAILED(rc, d, INITNN_ERR_ARGUMENT, NULL);
}

/* ---- split and standardization (what the lab does with loaded data) ------------------------ */

static void split_gives_leading_and_trailing_views(void)
{
    initnn_data d, first, second;
    int rc;
    CHECK(write_text("ten.csv", "0,0\n1,1\n2,0\n3,1\n4,0\n5,1\n6,0\n7,1\n8,0\n9,1\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("ten.csv"), "-1", 0, 1);
    CHECK(rc == 0, "initnn_load_csv: %s", initnn_last_error());
    rc = initnn_data_split(&first, &second, &d, 0.3f);
    if (rc != 0) initnn_data_free(&d);
    CHECK(rc == 0, "initnn_data_split: %s", initnn_last_error());
    CHECK(first.count == 7 && second.count == 3, "counts %d and %d, expected 7 and 3", first.count, second.count);
    CHECK(first.storage == NULL && second.storage == NULL, "views must own nothing");
    CHECK(second.x[0] == 7.0f && second.labels[0] == 1 && first.x[6] == 6.0f, "second starts at sample 7");
    rc = initnn_data_split(&first, &second, &d, 0.01f);
    CHECK(rc < 0 && initnn_last_error()[0], "a split leaving an empty side must fail");
    initnn_data_free(&d);
}

static void standardize_fits_on_one_set_and_applies_to_another(void)
{
    initnn_data d;
    float mean[2], std[2], x[4] = {2.0f, 10.0f, 4.0f, 10.0f};
    int rc;
    CHECK(write_text("std.csv", "1,10,0\n3,10,0\n"), "cannot write the fixture");
    rc = initnn_load_csv(&d, testing_scratch("std.csv"), "-1", 0, 0);
    CHECK(rc == 0, "initnn_load_csv: %s", initnn_last_error());
    rc = initnn_standardize_fit(mean, std, &d);
    initnn_data_free(&d);
    CHECK(rc == 0, "initnn_standardize_fit: %s", initnn_last_error());
    CHECK(mean[0] == 2.0f && std[0] == 1.0f, "feature 0: mean %g std %g, expected 2 and 1 (population std)",
          (double)mean[0], (double)std[0]);
    CHECK(mean[1] == 10.0f && std[1] == 1.0f, "a constant feature keeps std 1, got %g", (double)std[1]);
    initnn_standardize_apply(x, 2, 2, mean, std);
    CHECK(x[0] == 0.0f && x[2] == 2.0f && x[1] == 0.0f, "applied: %g %g %g", (double)x[0], (double)x[2],
          (double)x[1]);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    if (testing_scratch_begin("test_data") != 0) return 1;
    RUN_TEST(idx_loads_images_and_labels_exactly);
    RUN_TEST(idx_images_without_labels);
    RUN_TEST(idx_wrong_magic_is_refused);
    RUN_TEST(idx_truncated_and_overlong_files_are_refused);
    RUN_TEST(idx_dimensions_that_overflow_are_refused_before_allocating);
    RUN_TEST(idx_image_and_label_counts_must_agree);
    RUN_TEST(idx_corrupted_labels_file_is_refused);
    RUN_TEST(idx_missing_files_are_io_errors);
    RUN_TEST(csv_header_and_target_by_name);
    RUN_TEST(csv_target_by_index_and_class_labels);
    RUN_TEST(csv_windows_line_ends_blanks_and_quotes);
    RUN_TEST(csv_text_in_a_numeric_cell_names_line_and_column);
    RUN_TEST(csv_ragged_row_is_refused);
    RUN_TEST(csv_empty_and_missing_files);
    RUN_TEST(csv_bad_target_column);
    RUN_TEST(csv_utf8_byte_order_mark_is_skipped);
    RUN_TEST(csv_unknown_column_lists_the_columns_found);
    RUN_TEST(csv_text_class_labels_map_to_sorted_classes);
    RUN_TEST(csv_nul_bytes_and_numbers_beyond_float_range_name_line_and_column);
    RUN_TEST(cifar10_batches_load_in_order);
    RUN_TEST(cifar100_coarse_and_fine_labels);
    RUN_TEST(cifar_wrong_lengths_and_labels_are_refused);
    RUN_TEST(split_gives_leading_and_trailing_views);
    RUN_TEST(standardize_fits_on_one_set_and_applies_to_another);
    testing_scratch_end();
    return testing_finish();
}
