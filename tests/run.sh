#!/bin/sh
# tests/run.sh - builds and runs initnn's test suite; `make test` calls it.
#
# Every tests/test_*.c is one program (see tests/testing.h) that prints one
# line per test, "ok   <name>" or "FAIL <name>: <reason>". A new test_*.c
# file is picked up without any change here. The suite runs in up to three
# builds, because each catches what the others cannot:
#
#   plain     cc -std=c99 -Wall -Wextra -pedantic -Werror -O2
#   [asan]    the same under AddressSanitizer and UndefinedBehaviorSanitizer:
#             out-of-bounds writes, leaks, signed overflow, bad shifts
#   [native]  -march=native, which switches on the header's AVX2/FMA code
#             paths; only where the compiler accepts the flag
#
# Besides, initnn.h alone must compile warning-free as C99 (gcc and clang) and
# as C++ (g++ and clang++), and link when split over two files; each of those
# counts as one test. A program that does not compile, or that crashes or
# exits nonzero without printing a FAIL line, counts as one failed test named
# after the program.
#
# The last line is "N passed, N failed"; the exit status is nonzero iff a test
# failed.
#
# Usage: sh tests/run.sh [name-substring ...]
#   With arguments only the tests whose names contain one of them run, and the
#   header checks are skipped. CC picks the compiler of the plain build.
# Outputs and logs go to build/tests/.

set -u
cd "$(dirname "$0")/.." || exit 1

OUT=build/tests
CC=${CC:-cc}
WARN="-std=c99 -Wall -Wextra -pedantic -Werror"
FILTERS="$*"
TIME_LIMIT=300          # seconds per test program; a hang is a failure
passed=0
failed=0

mkdir -p "$OUT" || exit 1

# pass NAME / fail NAME REASON: one test outcome decided here, not by a program.
pass() {
    echo "ok   $1"
    passed=$((passed + 1))
}
fail() {
    echo "FAIL $1: $2"
    failed=$((failed + 1))
}

# Runs a program with the time limit where coreutils' timeout exists.
run_limited() {
    if command -v timeout >/dev/null 2>&1; then
        timeout "$TIME_LIMIT" "$@"
    else
        "$@"
    fi
}

# run_suite CONFIG COMPILER FLAGS...: builds every tests/test_*.c with
# COMPILER $WARN FLAGS and runs it. CONFIG ("" for the plain build) becomes the
# [CONFIG] suffix of every test name and of the executables.
run_suite() {
    config=$1
    compiler=$2
    shift 2
    for source in tests/test_*.c; do
        [ -e "$source" ] || continue
        program=$(basename "$source" .c)
        if [ -n "$config" ]; then
            exe=$OUT/$program-$config
            label="$program [$config]"
            define="-DTESTING_CONFIG=$config"
        else
            exe=$OUT/$program
            label=$program
            define=
        fi
        # shellcheck disable=SC2086  # WARN and the flags are word lists
        if ! $compiler $WARN "$@" $define -I. "$source" -o "$exe" -lm >"$exe.build.log" 2>&1; then
            head -n 20 "$exe.build.log"   # the first errors; the rest is in the log
            fail "$label" "does not compile: $compiler $WARN $* (log: $exe.build.log)"
            continue
        fi
        # shellcheck disable=SC2086  # FILTERS is a word list
        run_limited "$exe" $FILTERS >"$exe.log" 2>&1
        status=$?
        cat "$exe.log"
        oks=$(grep -c '^ok   ' "$exe.log")
        fails=$(grep -c '^FAIL ' "$exe.log")
        passed=$((passed + oks))
        failed=$((failed + fails))
        if [ "$status" -ne 0 ] && [ "$fails" -eq 0 ]; then
            fail "$label" "exited with status $status without a FAIL line (a crash, a hang or a sanitizer report; log: $exe.log)"
        fi
    done
}

# The first compiler that builds and runs a program under ASan and UBSan:
# gcc's libasan is in Debian's gcc package, clang's runtime may be missing.
find_sanitizer_compiler() {
    probe=$OUT/sanitizer_probe
    printf 'int main(void) { return 0; }\n' >"$probe.c"
    for compiler in gcc clang cc; do
        command -v "$compiler" >/dev/null 2>&1 || continue
        if "$compiler" -fsanitize=address,undefined "$probe.c" -o "$probe" >/dev/null 2>&1 &&
            "./$probe" >/dev/null 2>&1; then
            echo "$compiler"
            return 0
        fi
    done
    return 1
}

# check_header NAME COMMAND...: one test that passes iff COMMAND succeeds.
check_header() {
    name=$1
    shift
    if "$@" >"$OUT/$name.log" 2>&1; then
        pass "$name"
    else
        cat "$OUT/$name.log"
        fail "$name" "$* failed (log: $OUT/$name.log)"
    fi
}

# check_header_with COMPILER NAME FLAGS...: compiles the header check file.
check_header_with() {
    compiler=$1
    name=$2
    shift 2
    if ! command -v "$compiler" >/dev/null 2>&1; then
        fail "$name" "$compiler is not installed (.ci/run installs it)"
        return
    fi
    check_header "$name" "$compiler" "$@" -I. -c "$OUT/header_check.c" -o "$OUT/$name.o"
}

header_checks() {
    # The stb pattern: the declarations included once on their own (as from
    # another header), then again with the implementation.
    cat >"$OUT/header_check.c" <<'EOF'
#include "initnn.h"
#define INITNN_IMPLEMENTATION
#include "initnn.h"
EOF
    check_header_with gcc header_compiles_warning_free_as_c99_with_gcc $WARN
    check_header_with clang header_compiles_warning_free_as_c99_with_clang $WARN
    check_header_with g++ header_compiles_warning_free_as_cxx_with_gxx -x c++ -Wall -Wextra -Werror
    check_header_with clang++ header_compiles_warning_free_as_cxx_with_clangxx -x c++ -Wall -Wextra -Werror
    # INITNN_STATIC makes unused functions static, which -Wunused-function
    # reports by design (as for stb's *_STATIC); everything else must be clean.
    check_header_with gcc header_compiles_with_initnn_static $WARN -Wno-unused-function -DINITNN_STATIC

    # One file holds the implementation, another only includes the header:
    # the program must link (no duplicate or missing symbols).
    cat >"$OUT/two_files_impl.c" <<'EOF'
#define INITNN_IMPLEMENTATION
#include "initnn.h"
EOF
    cat >"$OUT/two_files_main.c" <<'EOF'
#include "initnn.h"
int main(void)
{
    initnn_rng rng;
    float w[6];
    initnn_rng_seed(&rng, 42);
    return initnn_init_fill(w, 2, 3, "he_normal", &rng) == 0 ? 0 : 1;
}
EOF
    check_header header_links_from_two_translation_units \
        "$CC" $WARN -I. "$OUT/two_files_impl.c" "$OUT/two_files_main.c" -o "$OUT/two_files" -lm
    if [ -x "$OUT/two_files" ]; then
        check_header header_program_from_two_translation_units_runs "./$OUT/two_files"
    fi
}

start=$(date +%s)

if [ -z "$FILTERS" ]; then
    header_checks
fi

run_suite "" "$CC" -O2

if sanitizer_cc=$(find_sanitizer_compiler); then
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
    export ASAN_OPTIONS UBSAN_OPTIONS
    run_suite asan "$sanitizer_cc" -O1 -g -fno-omit-frame-pointer \
        -fsanitize=address,undefined -fno-sanitize-recover=all
else
    fail "sanitizer_build" "neither gcc nor clang can build and run with -fsanitize=address,undefined"
fi

# -march=native only where it also runs: the CPU that compiles is the one
# that runs, so a compiler that accepts the flag is enough.
if "$CC" -march=native -x c -c /dev/null -o "$OUT/native_probe.o" >/dev/null 2>&1; then
    run_suite native "$CC" -O2 -march=native
fi

end=$(date +%s)
echo "($((end - start)) s)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
