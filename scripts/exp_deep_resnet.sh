#!/bin/sh
# scripts/exp_deep_resnet.sh - make exp-deep-resnet: why a 100-layer residual
# net trains when a 100-layer plain net does not.
#
# For MNIST and Fashion-MNIST and depths D = 20, 50, 100 weight layers, one
# initlab run per net (each with seeds 1..SEEDS, its own table, verdicts,
# plots and per-layer variance at init in OUT/<data>/<net>-d<D>/):
#   plain      dense:W,relu x (D-1), dense:10,softmax          he_normal
#   plain-bn   (dense:W,bn,relu) x (D-1), dense:10,softmax     he_normal
#   res        dense:W,relu, (D-2)/2 x res[dense:W,relu,dense:W],relu,
#              dense:10,softmax                                he_normal; fixup; skipinit
#   res-bn     the same with bn after each dense of a branch    he_normal
#   cnn-tanh   avgpool:P, (conv:C:3:1:same,tanh) x (D-1), flatten,
#              dense:10,softmax                                delta_orthogonal; glorot_normal
# then OUT/summary.md: every net, init and depth with its test accuracy
# (mean ± sample std over the seeds), the seeds that diverged, the loss and
# last hidden layer's variance at init, and one verdict sentence per net at
# each depth. A net "trains" when its mean test accuracy minus two standard
# errors (2 std / sqrt(seeds)) is above the bar (0.5; QUICK=1: 0.3; chance
# is 0.1) and no seed diverged; it "does not train" when its mean plus two
# standard errors is below the bar or a seed diverged; else the seeds
# disagree.
#
# Usage: sh scripts/exp_deep_resnet.sh LAB OUT QUICK SEEDS
#   QUICK=1: width 16, 4 channels on 4 x 4 images (P = 7), the first 1000
#   training and 500 test images, 2 epochs; else width 64, 16 channels on 7 x 7
#   images (P = 4), 10000 training images, the whole test set, 3 epochs.
#   Adam, learning rate 1e-3, batch 64.
set -eu
LAB=$1
OUT=$2
QUICK=${3:-}
SEEDS=${4:-3}
if [ "$QUICK" = 1 ] || [ "$QUICK" = yes ]; then
    W=16 C=4 POOL=7 LIMITS="--train-limit 1000 --test-limit 500" EPOCHS=2 BAR=0.3
else
    W=64 C=16 POOL=4 LIMITS="--train-limit 10000" EPOCHS=3 BAR=0.5
fi
TRAIN="--opt adam --lr 1e-3 --batch 64 --epochs $EPOCHS --val none --seeds $SEEDS $LIMITS --quiet"

repeat() {   # repeat N TEXT: TEXT N times, comma-separated
    n=$1 text=$2 out=
    while [ "$n" -gt 0 ]; do out="${out:+$out,}$text"; n=$((n - 1)); done
    printf '%s' "$out"
}

arch() {   # arch NET DEPTH
    blocks=$((($2 - 2) / 2))
    case $1 in
    plain)    printf '%s,dense:10,softmax' "$(repeat $(($2 - 1)) "dense:$W,relu")" ;;
    plain-bn) printf '%s,dense:10,softmax' "$(repeat $(($2 - 1)) "dense:$W,bn,relu")" ;;
    res)      printf 'dense:%d,relu,%s,dense:10,softmax' "$W" "$(repeat $blocks "res[dense:$W,relu,dense:$W],relu")" ;;
    res-bn)   printf 'dense:%d,bn,relu,%s,dense:10,softmax' "$W" \
                     "$(repeat $blocks "res[dense:$W,bn,relu,dense:$W,bn],relu")" ;;
    cnn-tanh) printf 'avgpool:%d,%s,flatten,dense:10,softmax' "$POOL" "$(repeat $(($2 - 1)) "conv:$C:3:1:same,tanh")" ;;
    esac
}

inits() {
    case $1 in
    res) printf 'he_normal;fixup;skipinit' ;;
    cnn-tanh) printf 'delta_orthogonal;glorot_normal' ;;
    *) printf 'he_normal' ;;
    esac
}

NETS="plain plain-bn res res-bn cnn-tanh"
DEPTHS="20 50 100"
start=$(date +%s)
for data in mnist fashion; do
    for depth in $DEPTHS; do
        for net in $NETS; do
            dir="$OUT/$data/$net-d$depth"
            mkdir -p "$dir"
            echo "exp-deep-resnet: $data, $net, depth $depth"
            # shellcheck disable=SC2086
            GOMP_SPINCOUNT=${GOMP_SPINCOUNT:-100000} "$LAB" --data "$data" --arch "$(arch $net $depth)" \
                --init "$(inits $net)" $TRAIN --out "$dir"
        done
    done
done
seconds=$(($(date +%s) - start))

# ---- the summary: read each run's summary.md -----------------------------------------
summary="$OUT/summary.md"
{
    echo "# exp-deep-resnet: plain, normalized and residual nets at depth 20, 50 and 100"
    echo
    echo "Width $W (conv: $C channels), seeds 1..$SEEDS, initlab flags: \`$TRAIN\`; $seconds s in all."
    echo "Depth counts the weight layers (dense and conv). Each net's own table, verdicts between its inits,"
    echo "plots and per-layer variance at init (act_var_init.svg, init.csv) are in <data>/<net>-d<depth>/."
    echo "A net trains when mean test accuracy - 2 std/sqrt(seeds) > $BAR (chance 0.1) and no seed diverged;"
    echo "it does not when mean + 2 std/sqrt(seeds) < $BAR or a seed diverged."
    echo "The variance at init is the lab's probe in evaluation mode, where a batch normalization at init"
    echo "uses its running statistics (mean 0, variance 1): it passes the signal on unnormalized there."
    echo
    for data in mnist fashion; do
        echo "## $data"
        echo
        echo "| net | init | depth | test acc | diverged seeds | initial loss | Var(last hidden) at init |"
        echo "|---|---|---|---|---|---|---|"
        for depth in $DEPTHS; do
            for net in $NETS; do
                awk -v net="$net" -v depth="$depth" -v seeds="$SEEDS" -f - "$OUT/$data/$net-d$depth/summary.md" <<'AWK'
/^## Results/ { part = "results" }
/^## At initialization/ { part = "init" }
/^\| / && $2 != "init" && $2 !~ /^-/ {
    n = split($0, f, "|")
    name = f[2]; gsub(/^ +| +$/, "", name)
    if (part == "results" && !(name in acc)) { acc[name] = f[n - 1]; order[++count] = name }
    if (part == "init" && !(name in loss)) { loss[name] = f[3]; var[name] = f[5] }
}
/^- .*, seed [0-9]+: diverged/ { s = $0; sub(/^- /, "", s); sub(/, seed.*/, "", s); div[s]++ }
END {
    for (i = 1; i <= count; i++) {
        name = order[i]; a = acc[name]; gsub(/^ +| +$/, "", a)
        printf "| %s | %s | %d | %s | %d of %d |%s|%s|\n", net, name, depth, a, div[name] + 0, seeds, loss[name], var[name]
    }
}
AWK
            done
        done
        echo
        echo "### Verdicts"
        echo
        for depth in $DEPTHS; do
            for net in $NETS; do
                awk -v net="$net" -v depth="$depth" -v seeds="$SEEDS" -v bar="$BAR" -f - "$OUT/$data/$net-d$depth/summary.md" <<'AWK'
/^## Results/ { part = "results" }
/^## Which/ { part = "" }
/^\| / && part == "results" && $2 != "init" && $2 !~ /^-/ {
    n = split($0, f, "|")
    name = f[2]; gsub(/^ +| +$/, "", name)
    if (!(name in acc)) { acc[name] = f[n - 1]; order[++count] = name }
}
/^- .*, seed [0-9]+: diverged/ { s = $0; sub(/^- /, "", s); sub(/, seed.*/, "", s); div[s]++ }
END {
    for (i = 1; i <= count; i++) {
        name = order[i]; a = acc[name]; gsub(/^ +| +$/, "", a)
        mean = -1; sd = 0
        if (a ~ /±/) { split(a, p, " ± "); mean = p[1] + 0; sd = p[2] + 0 }
        else if (a ~ /^[0-9.]+$/) mean = a + 0
        se2 = 2 * sd / sqrt(seeds)
        if (div[name] > 0)
            printf "- %s, %s, depth %d: **does not train**: %d of %d seeds diverged (the loss became NaN or Inf)%s.\n",
                   net, name, depth, div[name], seeds, (mean >= 0 ? sprintf("; the others reach %s", a) : "")
        else if (mean < 0)
            printf "- %s, %s, depth %d: no result.\n", net, name, depth
        else if (mean - se2 > bar)
            printf "- %s, %s, depth %d: **trains**: test accuracy %s, above %g by more than two standard errors (%.3f).\n",
                   net, name, depth, a, bar, se2
        else if (mean + se2 < bar)
            printf "- %s, %s, depth %d: **does not train**: test accuracy %s, below %g by more than two standard errors (%.3f; chance 0.1).\n",
                   net, name, depth, a, bar, se2
        else
            printf "- %s, %s, depth %d: the seeds disagree: test accuracy %s is within two standard errors (%.3f) of %g.\n",
                   net, name, depth, a, se2, bar
    }
}
AWK
            done
        done
        echo
    done
} >"$summary"
echo "exp-deep-resnet: $summary ($seconds s)"
