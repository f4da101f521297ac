/* test_fuzz_replay.c - replays the fuzzers' inputs without libFuzzer.

   Every file under tests/fuzz/regressions/<target>/ (an input that once
   crashed a fuzz target or broke one of its checks) and under
   tests/fuzz/corpus/<target>/ (the seeds) goes through the same entry
   function as in `make fuzz` (tests/fuzz/targets.h), one test line per file,
   named fuzz_regression_<target>/<file> or fuzz_seed_<target>/<file>. A
   regression that comes back aborts with the target's message (or is caught
   by ASan/UBSan/valgrind in those builds), which tests/run.sh reports as a
   failure of this program. */

/* The header is configured as in the fuzzers (see targets.h): every
   allocation above 256 KiB fails. */
#define INITNN_MALLOC(n) fuzz_malloc(n)
#define INITNN_FREE(p) free(p)
#include "fuzz/targets.h"

#include <dirent.h>

#include "testing.h"

/* The directory of this source file, where fuzz/ is. */
static void source_dir(char *buf, size_t size)
{
    const char *file = __FILE__;   /* one copy: two __FILE__ may be two strings */
    const char *slash = strrchr(file, '/');
    if (!slash) { snprintf(buf, size, "."); return; }
    snprintf(buf, size, "%.*s", (int)(slash - file), file);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Reads a whole file; NULL if it cannot. */
static uint8_t *read_all(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = (uint8_t *)malloc(1);
    size_t cap = 0, len = 0, got;
    if (!f || !buf) { free(buf); if (f) fclose(f); return NULL; }
    do {
        if (len == cap) {
            uint8_t *grown = (uint8_t *)realloc(buf, cap ? 2 * cap : 4096);
            if (!grown) { free(buf); fclose(f); return NULL; }
            buf = grown;
            cap = cap ? 2 * cap : 4096;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    fclose(f);
    *n = len;
    return buf;
}

/* The file replay_one replays, and through which target. */
static const fuzz_target *replay_target;
static const char *replay_path;

static void replay_one(void)
{
    size_t size = 0;
    uint8_t *data = read_all(replay_path, &size);
    int result;
    CHECK(data != NULL, "cannot read %s", replay_path);
    result = replay_target->run(data, size);
    free(data);
    CHECK(result == 0, "the target returned %d on %s", result, replay_path);
}

/* Replays every file of dir through target, in name order; kind names the
   tests. Returns how many files there were. */
static int replay_dir(const fuzz_target *target, const char *dir, const char *kind)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL, path[1024], name[512];
    int count = 0, cap = 0, i;
    if (!d) return 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;   /* ., .., .gitkeep */
        if (count == cap) {
            char **grown = (char **)realloc(names, (size_t)(cap ? 2 * cap : 16) * sizeof *names);
            if (!grown) break;
            names = grown;
            cap = cap ? 2 * cap : 16;
        }
        names[count] = (char *)malloc(strlen(e->d_name) + 1);
        if (!names[count]) break;
        strcpy(names[count], e->d_name);
        count++;
    }
    closedir(d);
    if (count > 1) qsort(names, (size_t)count, sizeof *names, compare_names);
    for (i = 0; i < count; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        snprintf(name, sizeof name, "fuzz_%s_%s/%s", kind, target->name, names[i]);
        replay_target = target;
        replay_path = path;
        testing_run(name, replay_one);
        free(names[i]);
    }
    free(names);
    return count;
}

static int seeds;

static void seeds_exist(void)
{
    CHECK(seeds > 0, "no seeds in tests/fuzz/corpus/%s", replay_target->name);
}

int main(int argc, char **argv)
{
    char here[512], dir[1024], name[128];
    int t;
    testing_init(argc, argv);
    source_dir(here, sizeof here);
    for (t = 0; t < FUZZ_TARGET_COUNT; t++) {
        const fuzz_target *target = &fuzz_targets[t];
        replay_target = target;
        snprintf(dir, sizeof dir, "%s/fuzz/regressions/%s", here, target->name);
        replay_dir(target, dir, "regression");
        snprintf(dir, sizeof dir, "%s/fuzz/corpus/%s", here, target->name);
        seeds = replay_dir(target, dir, "seed");
        snprintf(name, sizeof name, "fuzz_seeds_exist_for_%s", target->name);
        testing_run(name, seeds_exist);
    }
    return testing_finish();
}
