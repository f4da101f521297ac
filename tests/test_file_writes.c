/* test_file_writes.c - every file the library writes is all or nothing, and
   every file it reads is a regular file.

   1. A write that fails half-way (the file-size limit, RLIMIT_FSIZE, makes
      the disk "full" after a few hundred bytes: EFBIG, an injected write
      failure that needs no root) leaves the old checkpoint, .npy and SVG
      byte for byte as they were, removes its temporary, and says why
      (strerror). The writer's own failures -- a caller's error, a missing
      directory -- do the same.
   2. Two processes saving different nets to one path at once, many times,
      while a third loads it: every load succeeds and the final file is one
      of the two nets, whole.
   3. Replacing a file keeps its permission bits (a 0600 checkpoint stays
      0600); a new file gets the usual ones.
   4. A directory, a FIFO and a device given as a checkpoint, IDX, .npy or
      CIFAR path are refused before any read, with a message saying what
      they are (a FIFO must not block: the test would hang).
   5. A checkpoint whose optimizer moments are not finite, or whose second
      moments are negative, does not load.
   tests/test_file_symlink.c plants symbolic links at the temporary's name. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

/* ---- helpers ---------------------------------------------------------------------------- */

/* The whole content of a file (malloc'd), or NULL. */
static unsigned char *slurp(const char *path, long *length)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    *length = -1;
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *length = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (unsigned char *)malloc((size_t)*length + 1);
    if (buf && *length > 0 && fread(buf, 1, (size_t)*length, f) != (size_t)*length) { free(buf); buf = NULL; }
    fclose(f);
    return buf;
}

/* The number of entries of the scratch folder whose name contains part. */
static int entries_containing(const char *part)
{
    DIR *d = opendir(testing_scratch("."));
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL)
        if (strstr(e->d_name, part)) n++;
    closedir(d);
    return n;
}

/* A small dense classifier with Adam, its moments filled by two steps. */
static initnn_net *small_net(uint64_t seed, int units)
{
    initnn_net *net = NULL;
    initnn_optimizer adam = initnn_adam(0.01f);
    float X[4 * 6];
    int labels[4] = {0, 1, 2, 1}, i;
    char arch[64];
    snprintf(arch, sizeof arch, "dense:%d,relu,dense:3,softmax", units);
    if (initnn_net_from_arch(&net, arch, 1, 1, 6, "he_normal", NULL, 4, seed) != 0) return NULL;
    if (initnn_net_set_loss(net, INITNN_LOSS_SOFTMAX_CROSS_ENTROPY) != 0 || initnn_net_set_optimizer(net, &adam) != 0) {
        initnn_net_free(net);
        return NULL;
    }
    for (i = 0; i < 24; i++) X[i] = (float)((i * 7) % 11) / 11.0f - 0.5f;
    for (i = 0; i < 2; i++)
        if (initnn_net_train_batch(net, X, labels, NULL, 4, NULL, NULL) != 0) { initnn_net_free(net); return NULL; }
    return net;
}

/* Sets the file-size limit (bytes; RLIM_INFINITY to lift it). SIGXFSZ is
   ignored, so an oversized write returns EFBIG instead of killing us. */
static int limit_file_size(rlim_t bytes)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_FSIZE, &r) != 0) return -1;
    r.rlim_cur = bytes;
    return setrlimit(RLIMIT_FSIZE, &r);
}

/* ---- 1. a failing write keeps the old file ---------------------------------------------- */

typedef int (*writer_fn)(const char *path, int variant);

static initnn_net *writer_nets[2];

static int write_checkpoint(const char *path, int variant) { return initnn_net_save(writer_nets[variant], path); }

static int write_npy(const char *path, int variant)
{
    static float data[4096];
    int shape[1], i;
    shape[0] = variant ? 4096 : 16;
    for (i = 0; i < shape[0]; i++) data[i] = (float)(i + variant);
    return initnn_npy_write(path, data, 1, shape);
}

static int write_svg(const char *path, int variant)
{
    static double x[400], y[400];
    initnn_plot plot;
    initnn_plot_series s;
    int i, n = variant ? 400 : 3;
    for (i = 0; i < n; i++) { x[i] = i; y[i] = 1.0 / (1.0 + i); }
    memset(&plot, 0, sizeof plot);
    plot.title = "loss";
    plot.x_label = "epoch";
    plot.y_label = "loss";
    memset(&s, 0, sizeof s);
    s.label = "he_normal";
    s.n = n;
    s.x = x;
    s.y = y;
    return initnn_plot_svg(path, &plot, &s, 1);
}

static void check_failed_write_keeps_old_file(const char *name, writer_fn write)
{
    const char *path = testing_scratch(name);
    unsigned char *before, *after;
    long n_before, n_after;
    int err, limited;
    CHECK(write(path, 0) == 0, "%s: the first, small write failed: %s", name, initnn_last_error());
    before = slurp(path, &n_before);
    CHECK(before != NULL && n_before > 0, "%s: not written", name);
    /* The second version is larger than the limit: the disk is "full". */
    limited = limit_file_size((rlim_t)n_before + 64) == 0;
    err = write(path, 1);
    if (limited) limit_file_size(RLIM_INFINITY);
    after = slurp(path, &n_after);
    if (!limited) { free(before); free(after); CHECK(limited, "setrlimit(RLIMIT_FSIZE) failed: %s", strerror(errno)); }
    if (err != INITNN_ERR_IO || !after || n_after != n_before || memcmp(before, after, (size_t)n_before) != 0) {
        free(before);
        free(after);
        CHECK(err == INITNN_ERR_IO, "%s: a write beyond the size limit returned %d (%s)", name, err, initnn_last_error());
        CHECK(0, "%s: the old file was changed (%ld bytes before, %ld after)", name, n_before, n_after);
    }
    free(before);
    free(after);
    CHECK(strstr(initnn_last_error(), strerror(EFBIG)) != NULL, "%s: the message does not give the reason '%s': %s",
          name, strerror(EFBIG), initnn_last_error());
    CHECK(strstr(initnn_last_error(), name) != NULL, "%s: the message does not name the file: %s", name,
          initnn_last_error());
    CHECK(entries_containing(".tmp") == 0, "%s: a temporary was left behind", name);
    /* And without the limit the new version replaces it. */
    CHECK(write(path, 1) == 0, "%s: the write without a limit failed: %s", name, initnn_last_error());
    after = slurp(path, &n_after);
    free(after);
    CHECK(n_after > n_before, "%s: the new version did not replace the old (%ld bytes)", name, n_after);
}

static void a_failed_write_keeps_the_old_checkpoint_npy_and_svg(void)
{
    writer_nets[0] = small_net(1, 4);
    writer_nets[1] = small_net(2, 64);
    if (!writer_nets[0] || !writer_nets[1]) {
        initnn_net_free(writer_nets[0]);
        initnn_net_free(writer_nets[1]);
        CHECK(0, "building the nets failed: %s", initnn_last_error());
    }
    signal(SIGXFSZ, SIG_IGN);
    check_failed_write_keeps_old_file("model.ckpt", write_checkpoint);
    if (!TESTING_FAILED) check_failed_write_keeps_old_file("values.npy", write_npy);
    if (!TESTING_FAILED) check_failed_write_keeps_old_file("loss.svg", write_svg);
    signal(SIGXFSZ, SIG_DFL);
    initnn_net_free(writer_nets[0]);
    initnn_net_free(writer_nets[1]);
}

static void a_callers_error_aborts_the_commit_and_keeps_the_old_file(void)
{
    const char *path = testing_scratch("log.csv");
    initnn_file out;
    unsigned char *content;
    long n;
    int ok;
    CHECK(initnn_file_begin(&out, path) == 0, "begin: %s", initnn_last_error());
    fputs("old\n", out.stream);
    CHECK(initnn_file_commit(&out) == 0, "commit: %s", initnn_last_error());
    CHECK(initnn_file_begin(&out, path) == 0, "begin: %s", initnn_last_error());
    CHECK(strstr(out.temp_path, "log.csv.tmp-") != NULL, "the temporary '%s' is not beside the file", out.temp_path);
    fputs("new, but the caller's own write failed\n", out.stream);
    out.error = ENOSPC;
    CHECK(initnn_file_commit(&out) == INITNN_ERR_IO, "a commit with error set succeeded");
    CHECK(strstr(initnn_last_error(), strerror(ENOSPC)) != NULL, "no reason in '%s'", initnn_last_error());
    content = slurp(path, &n);
    ok = content && n == 4 && memcmp(content, "old\n", 4) == 0;
    free(content);
    CHECK(ok, "the old content was not kept (%ld bytes)", n);
    CHECK(entries_containing(".tmp") == 0, "a temporary was left behind");
    /* abort: same. */
    CHECK(initnn_file_begin(&out, path) == 0, "begin: %s", initnn_last_error());
    fputs("never\n", out.stream);
    initnn_file_abort(&out);
    content = slurp(path, &n);
    ok = content && n == 4 && memcmp(content, "old\n", 4) == 0;
    free(content);
    CHECK(ok, "abort changed the file");
    CHECK(entries_containing(".tmp") == 0, "abort left its temporary behind");
}

static void a_missing_directory_is_an_error_with_the_reason(void)
{
    initnn_net *net = small_net(1, 4);
    int err;
    CHECK(net != NULL, "small_net: %s", initnn_last_error());
    err = initnn_net_save(net, testing_scratch("no-such-dir/model.ckpt"));
    initnn_net_free(net);
    CHECK(err == INITNN_ERR_IO, "saving into a missing directory returned %d", err);
    CHECK(strstr(initnn_last_error(), strerror(ENOENT)) != NULL, "no reason in '%s'", initnn_last_error());
    CHECK(initnn_file_check_writable(testing_scratch("no-such-dir/x")) == INITNN_ERR_IO,
          "check_writable accepted a missing directory");
    CHECK(initnn_file_check_writable(testing_scratch(".")) == INITNN_ERR_IO, "check_writable accepted a directory");
    CHECK(initnn_file_check_writable(testing_scratch("fine.csv")) == 0, "check_writable: %s", initnn_last_error());
    CHECK(entries_containing("fine.csv") == 0, "check_writable left a file behind");
}

static void a_long_path_keeps_the_reason_in_the_message(void)
{
    char path[1200];
    size_t n;
    initnn_file out;
    snprintf(path, sizeof path, "%s/missing/", testing_scratch("."));
    n = strlen(path);
    memset(path + n, 'a', sizeof path - n - 1);
    path[sizeof path - 1] = '\0';
    CHECK(initnn_file_begin(&out, path) == INITNN_ERR_IO, "begin accepted a path into a missing folder");
    CHECK(strstr(initnn_last_error(), strerror(ENOENT)) != NULL, "the reason was cut off: '%s'", initnn_last_error());
}

/* ---- 2. concurrent writers ---------------------------------------------------------------- */

static void two_concurrent_writers_leave_one_whole_file(void)
{
    const char *path = testing_scratch("shared.ckpt");
    initnn_net *nets[2], *loaded = NULL;
    pid_t children[2];
    int k, status, loads = 0, bad_loads = 0, matches = -1;
    char first_error[512] = "";
    nets[0] = small_net(11, 5);
    nets[1] = small_net(12, 40);   /* a different size: a mix would not even parse */
    if (!nets[0] || !nets[1]) {
        initnn_net_free(nets[0]);
        initnn_net_free(nets[1]);
        CHECK(0, "building the nets failed: %s", initnn_last_error());
    }
    CHECK(initnn_net_save(nets[0], path) == 0, "first save: %s", initnn_last_error());
    for (k = 0; k < 2; k++) {
        children[k] = fork();
        if (children[k] == 0) {
            int i, failures = 0;
            for (i = 0; i < 40; i++)
                if (initnn_net_save(nets[k], path) != 0) failures++;
            _exit(failures ? 1 : 0);
        }
    }
    /* Load while they write: every load must see a whole file. */
    for (;;) {
        int running = 0;
        for (k = 0; k < 2; k++)
            if (children[k] > 0 && waitpid(children[k], &status, WNOHANG) == 0) running = 1;
        if (initnn_net_load(&loaded, path, 4) != 0) {
            if (!bad_loads) snprintf(first_error, sizeof first_error, "%s", initnn_last_error());
            bad_loads++;
        }
        initnn_net_free(loaded);
        loaded = NULL;
        loads++;
        if (!running) break;
    }
    for (k = 0; k < 2; k++) {
        waitpid(children[k], &status, 0);
        if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) bad_loads += 1000;
    }
    if (initnn_net_load(&loaded, path, 4) == 0) {
        for (k = 0; k < 2; k++)
            if (loaded->param_count == nets[k]->param_count &&
                memcmp(loaded->params, nets[k]->params, loaded->param_count * sizeof(float)) == 0)
                matches = k;
        initnn_net_free(loaded);
    }
    initnn_net_free(nets[0]);
    initnn_net_free(nets[1]);
    CHECK(bad_loads < 1000, "a writer failed to save (exit status)");
    CHECK(bad_loads == 0, "%d of %d loads during the writes failed, the first: %s", bad_loads, loads, first_error);
    CHECK(matches >= 0, "the final file is neither writer's net");
    CHECK(entries_containing(".tmp") == 0, "a temporary was left behind");
}

/* ---- 3. permission bits ------------------------------------------------------------------- */

static void replacing_a_file_keeps_its_permission_bits(void)
{
    const char *path = testing_scratch("private.npy");
    float x[3] = {1, 2, 3};
    int shape[1] = {3};
    struct stat st;
    mode_t mask = umask(022);
    umask(mask);
    CHECK(initnn_npy_write(path, x, 1, shape) == 0, "write: %s", initnn_last_error());
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == (0666 & ~mask), "a new file has mode %o, expected %o",
          (unsigned)(st.st_mode & 0777), (unsigned)(0666 & ~mask));
    CHECK(chmod(path, 0600) == 0, "chmod: %s", strerror(errno));
    CHECK(initnn_npy_write(path, x, 1, shape) == 0, "rewrite: %s", initnn_last_error());
    CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "the rewritten file has mode %o, expected 600",
          (unsigned)(st.st_mode & 07777));
}

/* ---- 4. inputs that are not regular files --------------------------------------------------- */

static void check_refused(const char *kind, const char *path, const char *what)
{
    initnn_net *net = NULL;
    initnn_data data;
    float *values = NULL;
    int ndim, shape[8], err;
    const char *paths[1];
    err = initnn_net_load(&net, path, 1);
    CHECK(err == INITNN_ERR_IO && net == NULL, "%s: initnn_net_load returned %d", kind, err);
    CHECK(strstr(initnn_last_error(), what) != NULL, "%s: the message '%s' does not say '%s'", kind,
          initnn_last_error(), what);
    err = initnn_load_idx(&data, path, NULL);
    CHECK(err == INITNN_ERR_IO, "%s: initnn_load_idx returned %d", kind, err);
    CHECK(strstr(initnn_last_error(), what) != NULL, "%s: IDX: '%s'", kind, initnn_last_error());
    err = initnn_npy_read(&values, &ndim, shape, path);
    CHECK(err == INITNN_ERR_IO && values == NULL, "%s: initnn_npy_read returned %d", kind, err);
    paths[0] = path;
    err = initnn_load_cifar(&data, paths, 1, 0);
    CHECK(err == INITNN_ERR_IO, "%s: initnn_load_cifar returned %d", kind, err);
    CHECK(strstr(initnn_last_error(), "not a regular file") != NULL, "%s: CIFAR: '%s'", kind, initnn_last_error());
}

static void a_directory_fifo_or_device_is_refused_before_reading(void)
{
    const char *dir = testing_scratch("a-dir"), *fifo = testing_scratch("a-fifo");
    CHECK(mkdir(dir, 0700) == 0, "mkdir: %s", strerror(errno));
    check_refused("directory", dir, "a directory");
    rmdir(dir);
    if (TESTING_FAILED) return;
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
    check_refused("FIFO", fifo, "a FIFO");   /* would block forever if read */
    if (TESTING_FAILED) return;
    check_refused("device", "/dev/null", "a device");
}

/* Saving to a path that holds a FIFO (or a device, or a directory) is
   refused: renaming the new file over it would replace /dev/null itself. */
static void a_fifo_at_the_path_is_refused_and_stays_a_fifo(void)
{
    const char *fifo = testing_scratch("out-fifo");
    float x[2] = {1.0f, 2.0f};
    int shape[1] = {2};
    struct stat st;
    CHECK(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
    CHECK(initnn_npy_write(fifo, x, 1, shape) == INITNN_ERR_IO, "writing over a FIFO did not fail");
    CHECK(strstr(initnn_last_error(), "not a regular file (a FIFO)") != NULL, "message: %s", initnn_last_error());
    CHECK(stat(fifo, &st) == 0 && S_ISFIFO(st.st_mode), "the FIFO was replaced");
    CHECK(!testing_temp_left_beside(fifo), "a temporary was left beside it");
}

/* ---- 5. optimizer moments --------------------------------------------------------------------- */

static void put_f32_le(unsigned char *p, float x)
{
    uint32_t u;
    memcpy(&u, &x, 4);
    p[0] = (unsigned char)u; p[1] = (unsigned char)(u >> 8); p[2] = (unsigned char)(u >> 16); p[3] = (unsigned char)(u >> 24);
}

/* The checkpoint ends with m[param_count], v[param_count], the generator's
   three u64 and the CRC: a moment is patched there and the CRC made right
   again, so that only the moments' own check can refuse the file. */
static void a_checkpoint_with_bad_optimizer_moments_does_not_load(void)
{
    const char *path = testing_scratch("moments.ckpt"), *bad = testing_scratch("bad-moments.ckpt");
    initnn_net *net = small_net(3, 4), *loaded = NULL;
    static const char *const cases[3] = {"NaN first moment", "infinite second moment", "negative second moment"};
    unsigned char *bytes;
    long n;
    size_t count, v_at, m_at;
    int c, err;
    CHECK(net != NULL, "small_net: %s", initnn_last_error());
    CHECK(initnn_net_save(net, path) == 0 && initnn_net_load(&loaded, path, 4) == 0, "a sound checkpoint: %s",
          initnn_last_error());
    initnn_net_free(loaded);
    loaded = NULL;
    count = net->param_count;
    /* Saving such a net is refused too: initnn writes only what it loads. */
    for (c = 0; c < 3; c++) {
        float m = net->opt_m[1], v = net->opt_v[1];
        if (c == 0) net->opt_m[1] = NAN;
        if (c == 1) net->opt_v[1] = INFINITY;
        if (c == 2) net->opt_v[1] = -1e-6f;
        err = initnn_net_save(net, bad);
        net->opt_m[1] = m;
        net->opt_v[1] = v;
        if (err != INITNN_ERR_NONFINITE) initnn_net_free(net);
        CHECK(err == INITNN_ERR_NONFINITE, "saving a net with a %s returned %d", cases[c], err);
    }
    initnn_net_free(net);
    bytes = slurp(path, &n);
    CHECK(bytes != NULL && (size_t)n > 4 + 24 + 8 * count, "cannot read the checkpoint back");
    v_at = (size_t)n - 4 - 24 - 4 * count;
    m_at = v_at - 4 * count;
    for (c = 0; c < 3; c++) {
        unsigned char *copy = (unsigned char *)malloc((size_t)n);
        uint32_t crc;
        FILE *f;
        int ok;
        char message[512];
        memcpy(copy, bytes, (size_t)n);
        if (c == 0) put_f32_le(copy + m_at + 4, NAN);
        if (c == 1) put_f32_le(copy + v_at + 4, INFINITY);
        if (c == 2) put_f32_le(copy + v_at + 4, -1e-6f);
        crc = initnn_crc32(0, copy, (size_t)n - 4);
        copy[n - 4] = (unsigned char)crc; copy[n - 3] = (unsigned char)(crc >> 8);
        copy[n - 2] = (unsigned char)(crc >> 16); copy[n - 1] = (unsigned char)(crc >> 24);
        f = fopen(bad, "wb");
        ok = f && fwrite(copy, 1, (size_t)n, f) == (size_t)n;
        if (f) fclose(f);
        free(copy);
        if (!ok) { free(bytes); CHECK(0, "cannot write the crafted checkpoint"); }
        err = initnn_net_load(&loaded, bad, 4);
        snprintf(message, sizeof message, "%s", initnn_last_error());
        initnn_net_free(loaded);
        loaded = NULL;
        if (err != INITNN_ERR_FORMAT || !strstr(message, "moment 1")) free(bytes);
        CHECK(err == INITNN_ERR_FORMAT, "a checkpoint with a %s loaded (%d)", cases[c], err);
        CHECK(strstr(message, "moment 1") != NULL, "%s: the message does not name the moment: %s", cases[c], message);
    }
    free(bytes);
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    if (testing_scratch_begin("file_writes") != 0) return 1;
    RUN_TEST(a_failed_write_keeps_the_old_checkpoint_npy_and_svg);
    RUN_TEST(a_callers_error_aborts_the_commit_and_keeps_the_old_file);
    RUN_TEST(a_missing_directory_is_an_error_with_the_reason);
    RUN_TEST(a_long_path_keeps_the_reason_in_the_message);
    RUN_TEST(two_concurrent_writers_leave_one_whole_file);
    RUN_TEST(replacing_a_file_keeps_its_permission_bits);
    RUN_TEST(a_directory_fifo_or_device_is_refused_before_reading);
    RUN_TEST(a_fifo_at_the_path_is_refused_and_stays_a_fifo);
    RUN_TEST(a_checkpoint_with_bad_optimizer_moments_does_not_load);
    testing_scratch_end();
    return testing_finish();
}
