#!/bin/sh
# bench/run_train.sh - one training epoch, initnn against PyTorch, in one run.
#
# For each model (mlp, cnn; MODELS="mlp" to pick) and thread count (1 and 2;
# THREADS="1" to pick) it runs bench_train (initnn, -O3 -march=native
# -fopenmp, OMP_NUM_THREADS=t) and bench_train.py (Debian's python3-torch
# under /usr/bin/python3, torch.set_num_threads(t)), RUNS times each (default
# 3, in turn), and prints the fastest epoch of each, the ratio initnn/PyTorch
# (below 1: initnn is faster) and peak RSS. On a shared virtual machine two
# threads' speed changes from one process to the next (where the host puts
# its two cores); the fastest of a few runs is what each program can do.
#
# PyTorch runs at its best: Debian's build does its dense products through
# OpenBLAS (libblas.so.3), whose 0.3.21 falls back to its slow Prescott kernel
# on CPUs it does not know, so OPENBLAS_CORETYPE is set from the CPU flags
# (SkylakeX with avx512f, Haswell with avx2), and OPENBLAS_NUM_THREADS=1 so
# that torch's own threads are the only ones. Convolutions go through oneDNN.
#
# Then the contended row: the same epochs at 1 and at 2 threads while a busy
# loop this script starts (and stops) holds one core, as a browser or a
# second experiment would; initnn_net_train then chooses its thread count
# by the kernel's count of runnable tasks and by the clock, and two threads
# must be no slower than one. The two differ by a few percent at most, about
# one run's noise on a shared machine, so each runs CONTENDED_RUNS times
# (default 5), in turn, and the row gives the means, every run and a
# verdict by the lab's rule (examples/initlab.c): means m1, m2 and sample
# standard deviations s1, s2 over n1, n2 runs differ when |m2 - m1| >
# 2 sqrt(s1^2/n1 + s2^2/n2), about two standard errors of the difference;
# "slower" or "faster" then, else "same (2 SE)".
#
# With CNN_PRODUCTS naming bench/run.sh's output of the same run (make bench
# does), the one-thread CNN epoch is then set against its products' time at
# the rates that run measured: how far the rest of the epoch keeps it from
# its FLOP count.
#
# Then the same epochs, one thread, in the INITNN_REFERENCE build (the
# lessons' plain loops: naive products, direct convolution sums, scalar Adam;
# REF_SAMPLES, default 6000 for mlp and 600 for cnn, scaled to 60000), beside
# the fast build's time from the table: what section 16 of the header buys.
set -u
cd "$(dirname "$0")/.." || exit 1
MODELS=${MODELS:-"mlp cnn"}
THREADS=${THREADS:-"1 2"}
EPOCHS=${EPOCHS:-1}
CONTENDED_RUNS=${CONTENDED_RUNS:-5}
RUNS=${RUNS:-3}
PY=/usr/bin/python3
OUT=build/bench
mkdir -p "$OUT"

if ! "$PY" -c 'import torch' 2>/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >/dev/null
    fi
fi
if grep -qw avx512f /proc/cpuinfo; then core=SKYLAKEX
elif grep -qw avx2 /proc/cpuinfo; then core=HASWELL
else core=""; fi

cc -std=c99 -O3 -march=native -fopenmp -Wall -Wextra -Werror bench/bench_train.c -o "$OUT/bench_train" -lm || exit 1
cc -std=c99 -O3 -march=native -DINITNN_REFERENCE -Wall -Wextra -Werror bench/bench_train.c -o "$OUT/bench_train_reference" -lm || exit 1
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "PyTorch: $("$PY" -c 'import torch; print(torch.__version__)' 2>/dev/null || echo missing), OPENBLAS_CORETYPE=${core:-default}"
printf '%-5s %7s %14s %14s %8s %12s %12s\n' model threads initnn_s pytorch_s ratio initnn_MiB pytorch_MiB
# The faster of two "initnn ... epoch_seconds S peak_rss_mib M" lines (the
# first when the second is empty or has no time).
faster() {
    awk -v a="$1" -v b="$2" 'BEGIN { split(a, x, " "); split(b, y, " ");
        print (b == "" || y[4] == "nan" || (x[4] != "nan" && x[4] + 0 <= y[4] + 0)) ? a : b }'
}
for model in $MODELS; do
    for t in $THREADS; do
        ours=""; theirs=""; r=0
        while [ "$r" -lt "$RUNS" ]; do
            one=$(OMP_NUM_THREADS=$t GOMP_SPINCOUNT=10000 "$OUT/bench_train" "$model" "$EPOCHS") || exit 1
            other=$(OPENBLAS_CORETYPE=$core OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=$t \
                    "$PY" bench/bench_train.py "$model" "$t" "$EPOCHS" 2>/dev/null) || other="pytorch - epoch_seconds nan peak_rss_mib nan"
            if [ -z "$ours" ]; then ours=$one; theirs=$other
            else ours=$(faster "$one" "$ours"); theirs=$(faster "$other" "$theirs"); fi
            r=$((r + 1))
        done
        set -- $ours; our_s=$4; our_m=$6
        set -- $theirs; their_s=$4; their_m=$6
        ratio=$(awk -v a="$our_s" -v b="$their_s" 'BEGIN { if (b + 0 > 0) printf "%.2f", a / b; else print "-" }')
        printf '%-5s %7s %14s %14s %8s %12s %12s\n' "$model" "$t" "$our_s" "$their_s" "$ratio" "$our_m" "$their_m"
        [ "$t" = 1 ] && eval "fast_$model=\$our_s"
    done
done

if [ -n "${CNN_PRODUCTS:-}" ] && [ -n "${fast_cnn:-}" ]; then
    floor=$(sed -n 's/.*cnn_products_seconds \([0-9.]*\).*/\1/p' "$CNN_PRODUCTS" 2>/dev/null | head -n 1)
    if [ -n "$floor" ]; then
        echo
        echo "The CNN epoch against its products (bench/run.sh of this run):"
        grep -A1 -m1 "^CNN epoch's products" "$CNN_PRODUCTS" | sed 's/^/  /'
        awk -v a="$fast_cnn" -v b="$floor" 'BEGIN { printf "  one-thread epoch %s s = %.2f times that\n", a, a / b }'
    fi
fi

echo
echo "Contended: a busy loop started here holds one core; initnn at 1 and at 2 threads, $CONTENDED_RUNS runs"
echo "each, taken in turn; the means and standard deviations, their ratio and the verdict (target: 2 no"
echo "slower), then every run:"
printf '%-5s %16s %16s %7s %-12s %s\n' model 1_thread_s 2_threads_s 2/1 verdict "runs (1 thread | 2 threads)"
sh -c 'while :; do :; done' &
busy=$!
trap 'kill "$busy" 2>/dev/null' EXIT
trap 'exit 1' HUP INT PIPE TERM        # a signal ends the script by its EXIT trap too
for model in $MODELS; do
    ones=""; twos=""; r=0
    while [ "$r" -lt "$CONTENDED_RUNS" ]; do
        one=$(OMP_NUM_THREADS=1 GOMP_SPINCOUNT=10000 "$OUT/bench_train" "$model" "$EPOCHS") || exit 1
        two=$(OMP_NUM_THREADS=2 GOMP_SPINCOUNT=10000 "$OUT/bench_train" "$model" "$EPOCHS") || exit 1
        set -- $one; ones="$ones $4"
        set -- $two; twos="$twos $4"
        r=$((r + 1))
    done
    awk -v model="$model" -v ones="$ones" -v twos="$twos" 'BEGIN {
        n1 = split(ones, a, " "); n2 = split(twos, b, " ")
        for (i = 1; i <= n1; i++) m1 += a[i] / n1
        for (i = 1; i <= n2; i++) m2 += b[i] / n2
        for (i = 1; i <= n1; i++) v1 += (a[i] - m1) ^ 2 / (n1 > 1 ? n1 - 1 : 1)
        for (i = 1; i <= n2; i++) v2 += (b[i] - m2) ^ 2 / (n2 > 1 ? n2 - 1 : 1)
        se2 = 2 * sqrt(v1 / n1 + v2 / n2)
        verdict = (n1 < 2 || n2 < 2) ? "(one run)" : m2 - m1 > se2 ? "slower" : m1 - m2 > se2 ? "faster" : "same (2 SE)"
        printf "%-5s %9.3f +- %.3f %9.3f +- %.3f %7.3f %-12s %s |%s\n", model, m1, sqrt(v1), m2, sqrt(v2),
            m2 / m1, verdict, ones, twos }'
done
kill "$busy" 2>/dev/null
wait "$busy" 2>/dev/null
trap - EXIT HUP INT PIPE TERM

echo
echo "INITNN_REFERENCE build (the lessons' loops), one thread, against the fast build above:"
printf '%-5s %14s %14s %10s %s\n' model reference_s fast_s ref/fast measured_on
for model in $MODELS; do
    case $model in mlp) n=${REF_SAMPLES:-6000} ;; *) n=${REF_SAMPLES:-600} ;; esac
    ref=$(OMP_NUM_THREADS=1 "$OUT/bench_train_reference" "$model" 1 "$n") || exit 1
    set -- $ref; ref_s=$4
    eval "fast_s=\${fast_$model:-}"
    times=$(awk -v a="$ref_s" -v b="$fast_s" 'BEGIN { if (b + 0 > 0) printf "%.1f", a / b; else print "-" }')
    printf '%-5s %14s %14s %10s %s\n' "$model" "$ref_s" "${fast_s:--}" "$times" "$n samples, scaled to 60000"
done
