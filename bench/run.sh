#!/bin/sh
# bench/run.sh - initnn's matrix products against OpenBLAS, one thread each.
#
#   sh bench/run.sh          (or: make bench)
#
# Installs libopenblas-dev with apt-get when it is missing (that needs root),
# builds bench/bench_matmul.c twice - with -O3 -march=native (the SIMD
# kernels) and with -O3 alone (the portable C kernel) - and runs both.
# Environment: CC (default cc), BENCH_RUNS, BENCH_MIN_SECONDS (see
# bench_matmul.c), BENCH_OPENBLAS_CORETYPE (default: OpenBLAS core from the CPU flags, below).
set -eu
cd "$(dirname "$0")/.."
CC=${CC:-cc}
BUILD=${BUILD:-build}
mkdir -p "$BUILD"

# The directory of OpenBLAS's cblas.h (Debian keeps one per threading flavour
# under the multiarch include directory).
find_cblas() {
    multiarch=$($CC -print-multiarch 2>/dev/null || true)
    for d in ${multiarch:+/usr/include/$multiarch/openblas-pthread} \
             ${multiarch:+/usr/include/$multiarch/openblas-openmp} \
             ${multiarch:+/usr/include/$multiarch/openblas-serial} \
             ${multiarch:+/usr/include/$multiarch} \
             /usr/include/openblas /usr/local/include /usr/include; do
        if [ -f "$d/cblas.h" ] && grep -q openblas_get_corename "$d/cblas.h"; then
            echo "$d"
            return 0
        fi
    done
    return 1
}

have_openblas() {
    find_cblas >/dev/null || return 1
    echo 'int main(void) { return 0; }' > "$BUILD/.openblas_probe.c"
    $CC "$BUILD/.openblas_probe.c" -o "$BUILD/.openblas_probe" -lopenblas >/dev/null 2>&1
    status=$?
    rm -f "$BUILD/.openblas_probe.c" "$BUILD/.openblas_probe"
    return $status
}

if ! have_openblas; then
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "bench/run.sh: OpenBLAS (cblas.h, -lopenblas) not found; install libopenblas-dev" \
             "(as root: apt-get install libopenblas-dev)" >&2
        exit 1
    fi
    echo "bench/run.sh: installing libopenblas-dev"
    # The package lists are only refreshed when the install cannot find it.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q libopenblas-dev ||
        { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libopenblas-dev; }
    have_openblas || { echo "bench/run.sh: OpenBLAS still not usable" >&2; exit 1; }
fi
CBLAS_INC=$(find_cblas)

# OpenBLAS 0.3.21 (Debian 12) does not recognise recent CPUs and falls back to
# its Prescott (SSE3) kernels; name the core from the CPU flags instead, so
# that the peer runs its best kernel. This overrides an OPENBLAS_CORETYPE
# the environment may set (some machines set Haswell on AVX-512 CPUs, which
# would hand initnn's AVX-512 kernel an unfair lead); BENCH_OPENBLAS_CORETYPE
# names another core on purpose. Each product is checked against a naive
# loop, so a kernel that computed wrong results would show in "err BLAS".
flags=$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)
case " $flags " in
    *" avx512f "*) OPENBLAS_CORETYPE=SkylakeX ;;
    *" avx2 "*) OPENBLAS_CORETYPE=Haswell ;;
    *) OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-} ;;
esac
OPENBLAS_CORETYPE=${BENCH_OPENBLAS_CORETYPE:-$OPENBLAS_CORETYPE}

echo "cpu:      $(grep -m1 '^model name' /proc/cpuinfo 2>/dev/null | sed 's/^[^:]*: *//')" \
     "($(getconf _NPROCESSORS_ONLN 2>/dev/null || echo '?') logical CPUs)"
echo "compiler: $($CC --version | head -n 1)"
echo "cblas.h:  $CBLAS_INC/cblas.h"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(auto)} OPENBLAS_NUM_THREADS=1"

status=0
for variant in native portable; do
    if [ $variant = native ]; then flags="-O3 -march=native"; else flags="-O3"; fi
    exe=$BUILD/bench_matmul_$variant
    $CC -std=c99 $flags -Wall -Wextra -I. -I"$CBLAS_INC" \
        -DBENCH_BUILD="\"$CC $flags ($variant)\"" \
        bench/bench_matmul.c -o "$exe" -lopenblas -lm
    echo
    echo "==== $variant: $CC $flags"
    # The output is kept beside the program: make bench hands the native
    # one's CNN line to run_train.sh, which sets the CNN epoch against it.
    if [ -n "${OPENBLAS_CORETYPE:-}" ]; then
        OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE OPENBLAS_NUM_THREADS=1 "$exe" >"$exe.txt" || status=1
    else
        OPENBLAS_NUM_THREADS=1 "$exe" >"$exe.txt" || status=1
    fi
    cat "$exe.txt"
done
exit $status
