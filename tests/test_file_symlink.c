/* test_file_symlink.c - a symbolic link planted where the writer puts its
   temporary is never followed.

   Before, every file was written through PATH.tmp, a fixed name: a link
   planted there had its target overwritten. Now initnn_file_begin creates
   a temporary of a new name exclusively (C11 fopen "x", O_CREAT | O_EXCL),
   which fails on any existing name, a link included, and tries the next.
   INITNN_TEST_TEMP_NAMES makes the names come in a fixed order, so the
   test knows the first one a writer will try and plants links at it (to
   an existing file, and dangling), and at the old fixed name. The target
   must keep its content, a dangling link's target must not be created,
   and the file must still be written, whole.

   The same fixed order makes two writers race for the very same names,
   which is the test of their exclusive creation: two processes saving to
   one path, each name wanted by both. */
#define _POSIX_C_SOURCE 200809L
#define INITNN_TEST_TEMP_NAMES
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define INITNN_IMPLEMENTATION
#include "initnn.h"
#include "testing.h"

/* The suffix of the n-th name (0-based) the writer tries for any path:
   begins n + 1 writers at once on a scratch path and keeps the last name. */
static int temp_suffix(char *suffix, size_t size, int n)
{
    initnn_file files[4];
    const char *probe = testing_scratch("probe");
    const char *dot;
    int k, ok = 1;
    for (k = 0; k <= n; k++)
        if (initnn_file_begin(&files[k], probe) != 0) { ok = 0; n = k - 1; break; }
    if (ok) {
        dot = strstr(files[n].temp_path, ".tmp-");
        snprintf(suffix, size, "%s", dot ? dot : "");
    }
    for (k = n; k >= 0; k--) initnn_file_abort(&files[k]);
    return ok && suffix[0] ? 0 : -1;
}

static int file_is(const char *path, const char *content)
{
    char buf[256];
    FILE *f = fopen(path, "rb");
    size_t n;
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return n == strlen(content) && memcmp(buf, content, n) == 0;
}

static void write_text(const char *path, const char *content)
{
    FILE *f = fopen(path, "wb");
    if (f) { fputs(content, f); fclose(f); }
}

static void a_link_at_the_temporary_name_is_not_followed(void)
{
    char suffix[64], link_path[600], old_link[600];
    const char *path = testing_scratch("model.npy"), *target = testing_scratch("victim.txt");
    const char *nowhere = testing_scratch("created-through-a-link.txt");
    float x[4] = {1, 2, 3, 4};
    int shape[1] = {4}, round;
    float *back = NULL;
    int ndim, got[8];
    CHECK(temp_suffix(suffix, sizeof suffix, 0) == 0, "cannot learn the first temporary name: %s", initnn_last_error());
    snprintf(link_path, sizeof link_path, "%s%s", path, suffix);
    snprintf(old_link, sizeof old_link, "%s.tmp", path);
    write_text(target, "precious\n");
    for (round = 0; round < 2; round++) {
        /* Round 0: links to an existing file; round 1: dangling links. */
        const char *to = round == 0 ? target : nowhere;
        remove(link_path);
        remove(old_link);
        CHECK(symlink(to, link_path) == 0 && symlink(to, old_link) == 0, "symlink: %s", strerror(errno));
        CHECK(initnn_npy_write(path, x, 1, shape) == 0, "round %d: the write failed: %s", round, initnn_last_error());
        CHECK(file_is(target, "precious\n"), "round %d: the link's target was overwritten", round);
        CHECK(access(nowhere, F_OK) != 0, "round %d: a file was created through a dangling link", round);
        {
            struct stat st;
            CHECK(lstat(link_path, &st) == 0 && S_ISLNK(st.st_mode), "round %d: the planted link is gone", round);
        }
        CHECK(initnn_npy_read(&back, &ndim, got, path) == 0, "round %d: read back: %s", round, initnn_last_error());
        CHECK(ndim == 1 && got[0] == 4 && back[3] == 4.0f, "round %d: the file is not what was written", round);
        initnn_free(back);
        back = NULL;
        x[0] += 1.0f;
    }
}

static void a_link_at_the_temporary_name_of_a_checkpoint_is_not_followed(void)
{
    char suffix[64], link_path[600];
    const char *path = testing_scratch("net.ckpt"), *target = testing_scratch("victim2.txt");
    initnn_net *net = NULL, *back = NULL;
    CHECK(temp_suffix(suffix, sizeof suffix, 0) == 0, "cannot learn the first temporary name");
    snprintf(link_path, sizeof link_path, "%s%s", path, suffix);
    write_text(target, "precious\n");
    CHECK(symlink(target, link_path) == 0, "symlink: %s", strerror(errno));
    CHECK(initnn_net_from_arch(&net, "dense:3,relu,dense:2,softmax", 1, 1, 4, "he_normal", NULL, 2, 1) == 0,
          "net: %s", initnn_last_error());
    if (initnn_net_save(net, path) != 0) {
        initnn_net_free(net);
        CHECK(0, "save: %s", initnn_last_error());
    }
    initnn_net_free(net);
    CHECK(file_is(target, "precious\n"), "the link's target was overwritten");
    CHECK(initnn_net_load(&back, path, 2) == 0, "load: %s", initnn_last_error());
    initnn_net_free(back);
}

static void two_writers_wanting_the_same_temporary_names_leave_one_whole_file(void)
{
    const char *path = testing_scratch("race.npy");
    static float a[64], b[2048];
    int shape_a[1] = {64}, shape_b[1] = {2048}, k, status, failed = 0, ndim, shape[8];
    pid_t child[2];
    float *back = NULL;
    for (k = 0; k < 2048; k++) { b[k] = 2.0f; if (k < 64) a[k] = 1.0f; }
    for (k = 0; k < 2; k++) {
        child[k] = fork();
        if (child[k] == 0) {
            int i, bad = 0;
            for (i = 0; i < 60; i++)
                if (initnn_npy_write(path, k ? b : a, 1, k ? shape_b : shape_a) != 0) bad++;
            _exit(bad ? 1 : 0);
        }
    }
    for (k = 0; k < 2; k++) {
        waitpid(child[k], &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) failed++;
    }
    CHECK(failed == 0, "%d writer(s) failed to write", failed);
    CHECK(initnn_npy_read(&back, &ndim, shape, path) == 0, "the result does not load: %s", initnn_last_error());
    k = ndim == 1 && ((shape[0] == 64 && back[0] == 1.0f && back[63] == 1.0f) ||
                      (shape[0] == 2048 && back[0] == 2.0f && back[2047] == 2.0f));
    initnn_free(back);
    CHECK(k, "the result is neither writer's array");
}

int main(int argc, char **argv)
{
    testing_init(argc, argv);
    if (testing_scratch_begin("file_symlink") != 0) return 1;
    RUN_TEST(a_link_at_the_temporary_name_is_not_followed);
    RUN_TEST(a_link_at_the_temporary_name_of_a_checkpoint_is_not_followed);
    RUN_TEST(two_writers_wanting_the_same_temporary_names_leave_one_whole_file);
    testing_scratch_end();
    return testing_finish();
}
