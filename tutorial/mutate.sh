#!/bin/sh
# tutorial/mutate.sh - do the tutorial's tolerances catch a 10% error?
#
# Each mutation below copies initnn.h into build/mutate/NAME/, puts a
# deliberate error of about 10% into the quantity a step teaches (a
# variance-scaling std, the ReLU second moment, the conv fan, the
# truncation constant, ...) with one fixed-string substitution, rebuilds the
# steps that teach it against that copy and runs them (full size, seed 1:
# the tutorial as a reader runs it). Every one
# of those steps must then fail a claim (exit status 1): a step that still
# passes has a tolerance too loose to teach the number it prints. The real
# initnn.h is never touched.
#
# Prints one line per mutation in the format of tests/testing.h,
#
#   ok   mutation/relu_second_moment: 20 21 22 fail
#   FAIL mutation/relu_second_moment: 21 still passes (log: ...)
#
# and "mutation: N passed, N failed" last; the exit status is nonzero iff a
# mutation was not caught. A substitution whose text is no longer in the
# header is a failure too ("does not apply"): the header changed, and the
# mutation must follow it.
#
# Usage: sh tutorial/mutate.sh [name-substring ...]   (CC picks the compiler)

set -u
cd "$(dirname "$0")/.." || exit 1

OUT=build/mutate
CC=${CC:-cc}
WARN="-std=c99 -Wall -Wextra -pedantic -Werror"
mkdir -p "$OUT" || exit 1

# NAME|OLD TEXT|NEW TEXT|STEPS THAT MUST FAIL
# (OLD and NEW are fixed strings, not patterns; | may not occur in them.)
MUTATIONS='variance_scaling_std|    double variance = scale / n;|    double variance = 1.21 * scale / n;|02 03 04 06 07 19 20 21 22 23 25
random_normal_std|w[i] = (float)((double)mean + (double)std * initnn_rng_normal_double(rng));|w[i] = (float)((double)mean + 1.1 * (double)std * initnn_rng_normal_double(rng));|01 05 14 16 17 18 24 27
relu_second_moment|out->mean = s * inv_sqrt_2pi; out->second = q / 2.0;|out->mean = s * inv_sqrt_2pi; out->second = 1.1 * q / 2.0;|20 21 22
conv_fan_in|    *fan_in = c_in * kernel_h * kernel_w;|    *fan_in = c_in * kernel_h * kernel_w * 11 / 10;|19
truncation_constant|#define INITNN_TRUNC2_STD 0.87962566103423978|#define INITNN_TRUNC2_STD (1.1 * 0.87962566103423978)|20
orthogonal_gain|            float value = (float)((double)gain * a[(size_t)j * big + i]);|            float value = (float)(1.1 * (double)gain * a[(size_t)j * big + i]);|08 13 15 18 42
torch_default_variance|        if (name[0] == '"'"'t'"'"') { r.param[0] = 1.0 / 3.0;|        if (name[0] == '"'"'t'"'"') { r.param[0] = 1.1 / 3.0;|21
tanh_table_gain|    if (!strcmp(activation, "tanh")) return 5.0f / 3.0f;|    if (!strcmp(activation, "tanh")) return 1.1f * 5.0f / 3.0f;|23 27
numeric_gain|    return 1.0 / sqrt(mom.second);|    return 1.1 / sqrt(mom.second);|23 27
softmax_gradient|                d[j] = (float)((exp((double)z[j] - lse) - (j == label ? 1.0 : 0.0)) / batch);|                d[j] = (float)((exp((double)z[j] - lse) - (j == label ? 1.1 : 0.0)) / batch);|11
cross_entropy_loss|        total += lse - (double)z[label];|        total += 1.1 * lse - (double)z[label];|24
clip_norm|        float scale = (float)(max_norm / norm);|        float scale = (float)(1.1 * max_norm / norm);|10
adam_bias_correction|    float inv1 = (float)(1.0 / (1.0 - pow((double)b1, t)));|    float inv1 = (float)(1.0 / (1.0 - pow((double)b1, 1.1 * t)));|26 28
update_ratio|            d->update_ratio = before_norm > 0.0 ? sqrt(diff) / before_norm : 0.0;|            d->update_ratio = before_norm > 0.0 ? 1.1 * sqrt(diff) / before_norm : 0.0;|25
lsuv_target|            scale = (float)(1.0 / sqrt(var));|            scale = (float)(1.1 / sqrt(var));|15
relu_dead_gradient|        for (i = 0; i < n; i++) dz[i] = z[i] > 0.0f ? dy[i] : 0.0f;|        for (i = 0; i < n; i++) dz[i] = z[i] > 0.0f ? dy[i] : 0.1f * dy[i];|09
constant_kernel|CONSTANT_KERNEL_OLD|CONSTANT_KERNEL_NEW|12
fixup_exponent|    return pow((double)branches, -1.0 / (2.0 * layers_per_branch - 2.0));|    return pow((double)branches, -1.1 / (2.0 * layers_per_branch - 2.0));|41
delta_orthogonal_gain|    if ((err = initnn_orthogonal(h, c_in, c_out, gain, rng))) { INITNN_FREE(h); return err; }|    if ((err = initnn_orthogonal(h, c_in, c_out, 1.1f * gain, rng))) { INITNN_FREE(h); return err; }|42'

FILTERS="$*"
passed=0
failed=0
start=$(date +%s)
rm -f "$OUT/passed" "$OUT/failed"

# apply OLD NEW SOURCE TARGET: writes SOURCE with the first line containing
# OLD changed to contain NEW instead; fails if OLD is not found.
apply() {
    OLD=$1 NEW=$2 awk '
        BEGIN { old = ENVIRON["OLD"]; new = ENVIRON["NEW"]; done = 0 }
        !done && (i = index($0, old)) > 0 {
            $0 = substr($0, 1, i - 1) new substr($0, i + length(old)); done = 1
        }
        { print }
        END { exit done ? 0 : 1 }' "$3" >"$4"
}

echo "$MUTATIONS" | while IFS='|' read -r name old new steps; do
    [ -n "$name" ] || continue
    if [ -n "$FILTERS" ]; then
        selected=no
        for filter in $FILTERS; do
            case $name in *"$filter"*) selected=yes ;; esac
        done
        [ "$selected" = yes ] || continue
    fi
    case $old in CONSTANT_KERNEL_OLD)
        old='    for (i = 0; i < n; i++) w[i] = value;'
        new='    for (i = 0; i < n; i++) w[i] = value * (1.0f + 0.1f * (float)(i % 2));' ;;
    esac
    dir=$OUT/$name
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! apply "$old" "$new" initnn.h "$dir/initnn.h"; then
        echo "FAIL mutation/$name: does not apply: \"$old\" is no longer in initnn.h"
        echo 1 >>"$OUT/failed"
        continue
    fi
    printf '#define INITNN_IMPLEMENTATION\n#include "initnn.h"\n' >"$dir/initnn.c"
    # shellcheck disable=SC2086  # WARN is a word list
    if ! $CC $WARN -O2 -I"$dir" -c "$dir/initnn.c" -o "$dir/initnn.o" >"$dir/build.log" 2>&1; then
        echo "FAIL mutation/$name: the mutated header does not compile (log: $dir/build.log)"
        echo 1 >>"$OUT/failed"
        continue
    fi
    survivors=
    caught=
    for step in $steps; do
        for source in tutorial/${step}_*.c; do
            exe=$dir/$(basename "$source" .c)
            # shellcheck disable=SC2086
            if ! $CC $WARN -O2 -DINITNN_IMPLEMENTATION_DONE -I"$dir" -Itutorial "$source" "$dir/initnn.o" \
                    -o "$exe" -lm >"$exe.build.log" 2>&1; then
                survivors="$survivors $step(build)"
                continue
            fi
            "$exe" >"$exe.log" 2>&1
            status=$?
            if [ "$status" -eq 1 ]; then
                caught="$caught $step"
            else
                survivors="$survivors $step(status $status)"
            fi
        done
    done
    if [ -z "$survivors" ]; then
        echo "ok   mutation/$name:$caught fail"
        echo 1 >>"$OUT/passed"
    else
        echo "FAIL mutation/$name:$survivors still pass or did not run (logs: $dir/)"
        echo 1 >>"$OUT/failed"
    fi
done
passed=$(cat "$OUT/passed" 2>/dev/null | wc -l)
failed=$(cat "$OUT/failed" 2>/dev/null | wc -l)
rm -f "$OUT/passed" "$OUT/failed"
end=$(date +%s)
echo "mutation: $passed passed, $failed failed ($((end - start)) s)"
[ "$failed" -eq 0 ]
