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
#             out-of-bounds writes, leaks, signed overflow, bad shifts, and
#             float-cast-overflow (a NaN or out-of-range number converted
#             to an int: gcc's undefined does not include it) and
#             float-divide-by-zero, where the compiler has them
#   [native]  -march=native, which switches on the header's AVX2/FMA code
#             paths, and -fopenmp, which runs the products and the conv
#             layers' per-sample loops on threads (their results must not
#             depend on the number of threads); each where the compiler
#             accepts it
#   [reference] -DINITNN_REFERENCE: the library on its lessons' plain loops
#             alone (naive products, no intrinsics, no OpenMP), so that every
#             claim is checked on the code a reader reads, not only on the
#             fast paths
#   [tcc]     Debian's tcc, a third C99 compiler without optimizer (installed
#             like libstb-dev below when missing and run as root); where
#             installed (else one SKIP line)
#   [clang]   the plain build with clang (when CC is another compiler); only
#             when TEST_CLANG=1 (`make check`)
#   [valgrind] the plain build (with -g) under valgrind --leak-check=full:
#             uninitialized reads and definite leaks; only when TEST_VALGRIND=1
#             (`make check`), with a time limit four times the usual
#
# Besides, initnn.h alone must compile warning-free as C99 (gcc and clang) and
# as C++ (g++ and clang++), and link when split over two files, and every
# example program in README.md must build and run; each of those counts as
# one test. A program that does not compile, or that crashes or
# exits nonzero without printing a FAIL line, counts as one failed test named
# after the program. Under valgrind, errors or definite leaks (its exit
# status 99) are one failed test too.
#
# A program can state what it needs in a comment line of its own:
#   /* testing: pkg-config stb (Debian: libstb-dev) */
# It is then compiled whole with `pkg-config --cflags --libs stb` added, or,
# where pkg-config cannot find stb, not built at all and reported as one line
# "SKIP <program>: <why>" per build: skipped, never passed. A program may
# print SKIP lines of its own (testing_skip in testing.h).
#
# Beside the programs run tests/lab.sh (the lab end to end), tutorial/run.sh
# --fast (each tutorial step) and tests/web.sh (the browser page in headless
# Chromium against the native build; SKIP lines without emscripten or
# chromium), whose lines are counted the same way.
#
# Compiling the header's implementation is most of the time, so each build
# compiles it once (build/tests/initnn-BUILD.o) and the programs are compiled
# with -DINITNN_IMPLEMENTATION_DONE, which turns their own copy off, and
# linked with it. A program that configures the header (#define INITNN_MALLOC
# ...) or needs more than its public functions (a static helper, say) is
# compiled whole instead, so a test file never has to care. Programs are built and run
# JOBS at a time (default: the number of CPUs); their output is printed
# afterwards in a fixed order.
#
# The last line is "N passed, N failed" (after "N skipped" when some were);
# the exit status is nonzero iff a test failed.
#
# Usage: sh tests/run.sh [name-substring ...]
#   With arguments only the tests whose names contain one of them run, and the
#   header checks are skipped. CC picks the compiler of the plain and native
#   builds, JOBS the parallelism.
# Outputs and logs go to build/tests/.

set -u
cd "$(dirname "$0")/.." || exit 1

OUT=build/tests
CC=${CC:-cc}
WARN="-std=c99 -Wall -Wextra -pedantic -Werror"
TIME_LIMIT=300          # seconds per test program; a hang is a failure

# ---- one program in one build (run by xargs, in parallel) --------------------

# flags_of CONFIG: sets compiler and flags of a build.
flags_of() {
    case $1 in
    plain) compiler=$CC; flags="-O2" ;;
    asan) compiler=$SANITIZER_CC
        flags="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined$SANITIZER_EXTRA -fno-sanitize-recover=all -DTESTING_CONFIG=asan" ;;
    native) compiler=$CC; flags="-O2 -march=native $OPENMP_FLAG -DTESTING_CONFIG=native" ;;
    tcc) compiler=tcc; flags="-DTESTING_CONFIG=tcc" ;;
    reference) compiler=$CC; flags="-O2 -DINITNN_REFERENCE -DTESTING_CONFIG=reference" ;;
    clang) compiler=clang; flags="-O2 -DTESTING_CONFIG=clang" ;;
    valgrind) compiler=$CC; flags="-O2 -g -DTESTING_CONFIG=valgrind" ;;
    esac
}

# exe_of CONFIG SOURCE: the executable's path, build/tests/test_x[-config].
exe_of() {
    name=$(basename "$2" .c)
    if [ "$1" = plain ]; then echo "$OUT/$name"; else echo "$OUT/$name-$1"; fi
}

# build_implementation CONFIG: the header's implementation, compiled once.
build_implementation() {
    flags_of "$1"
    object=$OUT/initnn-$1.o
    rm -f "$object"
    printf '#define INITNN_IMPLEMENTATION\n#include "initnn.h"\n' >"$OUT/initnn-$1.c"
    # shellcheck disable=SC2086  # WARN and flags are word lists
    $compiler $WARN $flags -I. -c "$OUT/initnn-$1.c" -o "$object" >"$object.build.log" 2>&1 ||
        rm -f "$object"   # the programs then compile the header whole and show why
}

# configures_header SOURCE: whether SOURCE sets a configuration macro of the
# header (INITNN_MALLOC, INITNN_NO_SIMD, ...): the shared implementation was
# compiled without it, so such a program must compile the header itself.
configures_header() {
    grep -E '^[[:space:]]*#[[:space:]]*define[[:space:]]+INITNN_' "$1" | grep -vq 'INITNN_IMPLEMENTATION'
}

# build_and_run CONFIG SOURCE: compiles and runs one program; leaves what it
# printed in EXE.log and how it ended in EXE.result ("build-failed" or the
# exit status).
build_and_run() {
    flags_of "$1"
    exe=$(exe_of "$1" "$2")
    object=$OUT/initnn-$1.o
    rm -f "$exe" "$exe.log" "$exe.result"
    : >"$exe.build.log"
    # /* testing: with tests/OTHER.c */: OTHER.c is compiled on its own (it may
    # hold a differently configured copy of the library, made static) and
    # linked in.
    with=$(sed -n 's|^/\* testing: with \(tests/[A-Za-z0-9_]*\.c\) \*/$|\1|p' "$2" | head -n 1)
    with_object=
    if [ -n "$with" ]; then
        with_object=$exe.with.o
        # shellcheck disable=SC2086  # WARN and flags are word lists
        if ! $compiler $WARN $flags -Wno-unused-function -I. -c "$with" -o "$with_object" >"$exe.build.log" 2>&1; then
            echo build-failed >"$exe.result"
            return 0
        fi
    fi
    # /* testing: pkg-config PACKAGE (why) */: compiled whole with its flags,
    # or skipped where pkg-config does not find it.
    needs=$(sed -n 's|^/\* testing: pkg-config \(.*\) \*/$|\1|p' "$2" | head -n 1)
    if [ -n "$needs" ]; then
        package=${needs%% *}
        if ! package_flags=$(pkg-config --cflags --libs "$package" 2>/dev/null); then
            echo "skipped: needs $needs; pkg-config --cflags --libs $package failed" >"$exe.result"
            return 0
        fi
        # shellcheck disable=SC2086  # WARN, flags and package_flags are word lists
        if ! $compiler $WARN $flags -I. "$2" -o "$exe" $package_flags -lm >"$exe.build.log" 2>&1; then
            echo build-failed >"$exe.result"
            return 0
        fi
    # shellcheck disable=SC2086  # WARN, flags and FILTERS are word lists
    elif [ -f "$object" ] && ! configures_header "$2" &&
        $compiler $WARN $flags -DINITNN_IMPLEMENTATION_DONE -I. "$2" $with_object "$object" -o "$exe" -lm \
            >>"$exe.build.log" 2>&1; then
        : # linked with the shared implementation
    elif ! $compiler $WARN $flags -I. "$2" $with_object -o "$exe" -lm >>"$exe.build.log" 2>&1; then
        echo build-failed >"$exe.result"
        return 0
    fi
    runner=
    limit=$TIME_LIMIT
    if [ "$1" = valgrind ]; then
        # Children (python3 in test_train_io) run natively.
        runner="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --trace-children=no"
        limit=$((4 * TIME_LIMIT))
    fi
    # shellcheck disable=SC2086  # runner and FILTERS are word lists
    if command -v timeout >/dev/null 2>&1; then
        timeout "$limit" $runner "$exe" $FILTERS >"$exe.log" 2>&1
    else
        $runner "$exe" $FILTERS >"$exe.log" 2>&1
    fi
    echo $? >"$exe.result"
}

if [ "${1:-}" = --implementation ]; then
    build_implementation "$2"
    exit 0
fi
if [ "${1:-}" = --job ]; then
    build_and_run "$2" "$3"
    exit 0
fi

# ---- the whole suite ------------------------------------------------------------

# Two suites running at once in one tree would overwrite each other's
# programs and logs in build/tests/; the second waits for the first.
if [ -z "${TESTS_RUN_LOCKED:-}" ] && command -v flock >/dev/null 2>&1; then
    mkdir -p build || exit 1
    TESTS_RUN_LOCKED=1
    export TESTS_RUN_LOCKED
    exec flock build/.tests.lock sh tests/run.sh "$@"
fi

FILTERS="$*"
passed=0
failed=0
skipped=0
export CC WARN FILTERS OUT TIME_LIMIT

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
skip() {
    echo "SKIP $1: $2"
    skipped=$((skipped + 1))
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
        head -n 20 "$OUT/$name.log"
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
    # shellcheck disable=SC2086  # WARN is a word list
    {
        check_header_with gcc header_compiles_warning_free_as_c99_with_gcc $WARN
        check_header_with clang header_compiles_warning_free_as_c99_with_clang $WARN
        check_header_with g++ header_compiles_warning_free_as_cxx_with_gxx -x c++ -Wall -Wextra -Werror
        check_header_with clang++ header_compiles_warning_free_as_cxx_with_clangxx -x c++ -Wall -Wextra -Werror
        # Optimized, with the SIMD paths and OpenMP on: some warnings (GCC's
        # maybe-uninitialized inside the AVX-512 intrinsics) appear only then.
        if g++ -march=native -x c++ -c /dev/null -o "$OUT/native_cxx_probe.o" >/dev/null 2>&1; then
            check_header_with g++ header_compiles_warning_free_as_cxx_with_gxx_native_simd_openmp \
                -x c++ -O2 -march=native $OPENMP_FLAG -Wall -Wextra -Werror
            check_header_with gcc header_compiles_warning_free_as_c99_with_gcc_native_simd_openmp \
                $WARN -O2 -march=native $OPENMP_FLAG
        fi
        if command -v tcc >/dev/null 2>&1; then
            check_header_with tcc header_compiles_warning_free_as_c99_with_tcc $WARN
        fi
        # INITNN_STATIC makes unused functions static, which -Wunused-function
        # reports by design (as for stb's *_STATIC); all else must be clean.
        check_header_with gcc header_compiles_with_initnn_static $WARN -Wno-unused-function -DINITNN_STATIC
    }

    # No shell and no other program: file names from a command line or a
    # data set never reach an interpreter.
    check_header library_and_examples_start_no_process \
        sh -c '! grep -nE "\b(system|popen|execl|execlp|execle|execv|execvp|execve|fork|posix_spawnp?)[[:space:]]*\(" initnn.h examples/*.c'

    # One file holds the implementation, another only includes the header:
    # the program must link (no duplicate or missing symbols) and run.
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
    rm -f "$OUT/two_files"
    # shellcheck disable=SC2086
    check_header header_links_from_two_translation_units \
        "$CC" $WARN -I. "$OUT/two_files_impl.c" "$OUT/two_files_main.c" -o "$OUT/two_files" -lm
    if [ -x "$OUT/two_files" ]; then
        check_header header_program_from_two_translation_units_runs "./$OUT/two_files"
    fi

    # examples/hello.c, the README's first complete program, builds warning-free
    # with the README's command (no -I: it includes "../initnn.h")
    # and learns two-moons (accuracy >= 97%), in the default build and in the
    # INITNN_REFERENCE build, whose accuracy must be within 1 point of it.
    hello_accuracy=
    for hello_config in default reference; do
        hello_flags=
        [ "$hello_config" = reference ] && hello_flags=-DINITNN_REFERENCE
        rm -f "$OUT/hello-$hello_config"
        # shellcheck disable=SC2086
        check_header "hello_example_compiles_warning_free_${hello_config}_build" \
            "$CC" $WARN -O2 $hello_flags examples/hello.c -o "$OUT/hello-$hello_config" -lm
        [ -x "$OUT/hello-$hello_config" ] || continue
        line=$("./$OUT/hello-$hello_config" 2>&1)
        accuracy=$(printf '%s\n' "$line" | sed -n 's/.*accuracy \([0-9.]*\)%.*/\1/p')
        name="hello_example_learns_two_moons_${hello_config}_build"
        if [ -z "$accuracy" ]; then
            fail "$name" "no accuracy in its output: $line"
        elif ! awk -v a="$accuracy" 'BEGIN { exit !(a >= 97) }'; then
            fail "$name" "accuracy $accuracy% < 97%"
        elif [ -n "$hello_accuracy" ] && ! awk -v a="$accuracy" -v b="$hello_accuracy" 'BEGIN { d = a - b; exit !(d <= 1 && d >= -1) }'; then
            fail "$name" "accuracy $accuracy% is more than 1 point from the default build's $hello_accuracy%"
        else
            pass "$name"
        fi
        [ -z "$hello_accuracy" ] && hello_accuracy=$accuracy
    done

    # Every C block of README.md that is a whole program (it has a main)
    # must build and run: the first as readme_example_*, the k-th as
    # readme_example_k_*. A block without a main is a fragment of a file
    # the suite builds elsewhere (examples/hello.c).
    if [ -f README.md ]; then
        blocks=$(grep -c '^```c' README.md)
        k=1
        while [ "$k" -le "$blocks" ]; do
            awk -v want="$k" '/^```c/ { n++; if (n == want) { inside = 1; next } } /^```/ { if (inside) exit } inside' \
                README.md >"$OUT/readme_example_$k.c"
            if grep -q 'int main' "$OUT/readme_example_$k.c"; then
                readme_name=readme_example
                [ "$k" -gt 1 ] && readme_name=readme_example_$k
                rm -f "$OUT/readme_example_$k"
                # shellcheck disable=SC2086
                check_header "${readme_name}_compiles_warning_free" \
                    "$CC" $WARN -O2 -I. "$OUT/readme_example_$k.c" -o "$OUT/readme_example_$k" -lm
                if [ -x "$OUT/readme_example_$k" ]; then
                    check_header "${readme_name}_runs" "./$OUT/readme_example_$k"
                fi
            fi
            k=$((k + 1))
        done
    fi
}

start=$(date +%s)

# The image tests need stb (Debian libstb-dev, found through pkg-config).
# Where it is missing and this runs as root on Debian, install it once, as
# .ci/run does; otherwise those tests are reported as skipped.
if ! pkg-config --exists stb 2>/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: installing libstb-dev and pkg-config for the image tests"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libstb-dev pkg-config \
        >"$OUT/apt-stb.log" 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libstb-dev pkg-config \
              >"$OUT/apt-stb.log" 2>&1; } ||
        echo "tests/run.sh: could not install libstb-dev (log: $OUT/apt-stb.log); the image tests will be skipped"
fi
# The tcc build likewise: Debian's tcc, installed the same way when missing,
# so that a fresh root machine runs that build instead of skipping it.
if ! command -v tcc >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "tests/run.sh: installing tcc for the tcc build"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tcc >"$OUT/apt-tcc.log" 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 &&
          DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tcc >"$OUT/apt-tcc.log" 2>&1; } ||
        echo "tests/run.sh: could not install tcc (log: $OUT/apt-tcc.log); the tcc build will be skipped"
fi

configs=plain
SANITIZER_EXTRA=
if SANITIZER_CC=$(find_sanitizer_compiler); then
    configs="$configs asan"
    # float-cast-overflow caught (int)NaN indexing a histogram's counts;
    # gcc's -fsanitize=undefined leaves it out, so it is asked for by name.
    for check in float-cast-overflow float-divide-by-zero; do
        if "$SANITIZER_CC" -fsanitize=address,undefined,$check "$OUT/sanitizer_probe.c" -o "$OUT/sanitizer_probe" \
            >/dev/null 2>&1 && "./$OUT/sanitizer_probe" >/dev/null 2>&1; then
            SANITIZER_EXTRA="$SANITIZER_EXTRA,$check"
        fi
    done
else
    SANITIZER_CC=
    fail "sanitizer_build" "neither gcc nor clang can build and run with -fsanitize=address,undefined"
fi
# -march=native only where it also runs: the CPU that compiles is the one
# that runs, so a compiler that accepts the flag is enough.
if "$CC" -march=native -x c -c /dev/null -o "$OUT/native_probe.o" >/dev/null 2>&1; then
    configs="$configs native"
fi
# OpenMP in the native build where the compiler links it (gcc's libgomp).
OPENMP_FLAG=
printf '#include <omp.h>\nint main(void) { return omp_get_max_threads() < 1; }\n' >"$OUT/openmp_probe.c"
if "$CC" -fopenmp "$OUT/openmp_probe.c" -o "$OUT/openmp_probe" >/dev/null 2>&1 && "./$OUT/openmp_probe"; then
    OPENMP_FLAG=-fopenmp
fi
# The lessons' plain loops alone (INITNN_REFERENCE: no packed products, no
# intrinsics, no OpenMP): every test must hold there too.
configs="$configs reference"
if command -v tcc >/dev/null 2>&1; then
    configs="$configs tcc"
else
    skip "tcc_build" "tcc is not installed (Debian: tcc; as root, tests/run.sh and .ci/run install it)"
fi
if [ -n "${TEST_CLANG:-}" ] && [ "$(basename "$CC")" != clang ]; then
    if command -v clang >/dev/null 2>&1; then
        configs="$configs clang"
    else
        fail "clang_build" "TEST_CLANG is set but clang is not installed (.ci/run installs it)"
    fi
fi
if [ -n "${TEST_VALGRIND:-}" ]; then
    if command -v valgrind >/dev/null 2>&1; then
        configs="$configs valgrind"
    else
        fail "valgrind_build" "TEST_VALGRIND is set but valgrind is not installed (.ci/run installs it)"
    fi
fi
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
export SANITIZER_CC SANITIZER_EXTRA ASAN_OPTIONS UBSAN_OPTIONS OPENMP_FLAG

# Every (build, program) pair, the slow sanitizer builds first so that they
# do not end up alone at the end.
jobs_file=$OUT/jobs
: >"$jobs_file"
for config in valgrind asan native reference clang tcc plain; do
    case " $configs " in *" $config "*) ;; *) continue ;; esac
    for source in tests/test_*.c; do
        [ -e "$source" ] && echo "$config $source" >>"$jobs_file"
    done
done
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
# shellcheck disable=SC2086  # configs is a word list
{
    printf '%s\n' $configs | xargs -P "$JOBS" -L 1 sh tests/run.sh --implementation
    xargs -P "$JOBS" -L 1 sh tests/run.sh --job <"$jobs_file"
} &
jobs_pid=$!

# The lab end to end meanwhile: tests/lab.sh prints lines of the same form.
# shellcheck disable=SC2086  # FILTERS is a word list
sh tests/lab.sh $FILTERS >"$OUT/lab.log" 2>&1 &
lab_pid=$!

# The tutorial's steps meanwhile (tutorial/run.sh --fast): one test each.
# shellcheck disable=SC2086  # FILTERS is a word list
sh tutorial/run.sh --fast $FILTERS >"$OUT/tutorial.log" 2>&1 &
tutorial_pid=$!

# The browser page meanwhile (tests/web.sh): headless Chromium against the
# native build, or SKIP lines where emscripten or chromium is missing.
# shellcheck disable=SC2086  # FILTERS is a word list
sh tests/web.sh $FILTERS >"$OUT/web.log" 2>&1 &
web_pid=$!
# make check: the tutorial's tolerances against a header with deliberate
# 10% errors (tutorial/mutate.sh), one test per mutation.
mutate_pid=
if [ -n "${TEST_MUTATION:-}" ] && [ -z "$FILTERS" ]; then
    sh tutorial/mutate.sh >"$OUT/mutate.log" 2>&1 &
    mutate_pid=$!
fi

# The header checks meanwhile, in this shell (they count here).
if [ -z "$FILTERS" ]; then
    header_checks
fi
wait "$jobs_pid"
wait "$lab_pid"
lab_result=$?
wait "$tutorial_pid"
tutorial_result=$?
wait "$web_pid"
web_result=$?

# The programs' output in a fixed order, that of configs; the programs
# are those of the job list (a file added meanwhile waits for the next run).
for config in $configs; do
    for source in $(sed -n "s|^$config ||p" "$jobs_file"); do
        exe=$(exe_of "$config" "$source")
        label=$(basename "$source" .c)
        [ "$config" = plain ] || label="$label [$config]"
        flags_of "$config"
        result=$(cat "$exe.result" 2>/dev/null || echo missing)
        case $result in skipped:*)
            skip "$label" "${result#skipped: }"
            continue ;;
        esac
        if [ "$result" = build-failed ]; then
            head -n 20 "$exe.build.log"   # the first errors; the rest is in the log
            fail "$label" "does not compile: $compiler $WARN $flags (log: $exe.build.log)"
            continue
        fi
        if [ "$result" = missing ]; then
            fail "$label" "was not built or run (see $OUT/)"
            continue
        fi
        cat "$exe.log"
        oks=$(grep -c '^ok   ' "$exe.log")
        fails=$(grep -c '^FAIL ' "$exe.log")
        passed=$((passed + oks))
        failed=$((failed + fails))
        skipped=$((skipped + $(grep -c '^SKIP ' "$exe.log")))
        if [ "$config" = valgrind ] && [ "$result" -eq 99 ]; then
            fail "$label" "valgrind reported memory errors or definite leaks (log: $exe.log)"
        elif [ "$result" -ne 0 ] && [ "$fails" -eq 0 ]; then
            fail "$label" "exited with status $result without a FAIL line (a crash, a hang or a sanitizer report; log: $exe.log)"
        fi
    done
done

cat "$OUT/lab.log"
oks=$(grep -c '^ok   ' "$OUT/lab.log")
fails=$(grep -c '^FAIL ' "$OUT/lab.log")
skipped=$((skipped + $(grep -c '^SKIP ' "$OUT/lab.log")))
passed=$((passed + oks))
failed=$((failed + fails))
if [ "$lab_result" -ne 0 ] && [ "$fails" -eq 0 ]; then
    fail "tests/lab.sh" "exited with status $lab_result without a FAIL line (log: $OUT/lab.log)"
fi

cat "$OUT/tutorial.log"
oks=$(grep -c '^ok   ' "$OUT/tutorial.log")
fails=$(grep -c '^FAIL ' "$OUT/tutorial.log")
passed=$((passed + oks))
failed=$((failed + fails))
if [ "$tutorial_result" -ne 0 ] && [ "$fails" -eq 0 ]; then
    fail "tutorial/run.sh" "exited with status $tutorial_result without a FAIL line (log: $OUT/tutorial.log)"
fi

cat "$OUT/web.log"
oks=$(grep -c '^ok   ' "$OUT/web.log")
fails=$(grep -c '^FAIL ' "$OUT/web.log")
skipped=$((skipped + $(grep -c '^SKIP ' "$OUT/web.log")))
passed=$((passed + oks))
failed=$((failed + fails))
if [ "$web_result" -ne 0 ] && [ "$fails" -eq 0 ]; then
    fail "tests/web.sh" "exited with status $web_result without a FAIL line (log: $OUT/web.log)"
fi
if [ -n "$mutate_pid" ]; then
    wait "$mutate_pid"
    mutate_result=$?
    cat "$OUT/mutate.log"
    oks=$(grep -c '^ok   ' "$OUT/mutate.log")
    fails=$(grep -c '^FAIL ' "$OUT/mutate.log")
    passed=$((passed + oks))
    failed=$((failed + fails))
    if [ "$mutate_result" -ne 0 ] && [ "$fails" -eq 0 ]; then
        fail "tutorial/mutate.sh" "exited with status $mutate_result without a FAIL line (log: $OUT/mutate.log)"
    fi
fi

end=$(date +%s)
echo "($((end - start)) s, $JOBS jobs)"
if [ "$skipped" -gt 0 ]; then
    echo "$skipped skipped (the SKIP lines above: not run, so not passed)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
