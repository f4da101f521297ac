#!/bin/sh
# tests/papers.sh - examples/papers.c (the exp-paper-* recipes) end to end at
# tiny sizes; tests/lab.sh runs it, so tests/run.sh counts its lines.
#
# Builds papers as the test programs are built (C99, -Wall -Wextra
# -pedantic -Werror, -O2, and at -O3 -march=native -fopenmp where the
# compiler takes them), makes a tiny MNIST-shaped IDX set (60 training and
# 20 test images of 28 x 28 pseudo-random bytes, labels 0..9 in turn) and
# runs each subcommand on it in a second or less. Each test checks
# something the figure or the summary must get right whatever the data:
# every SVG is well-formed XML (xmllint) with the paper's axes; Glorot's
# standard init shrinks the activations layer by layer and the normalized
# one does not; the phase diagram has one cell per (depth, sigma_w^2) and
# its 6 xi_c bands hold tutorial step 17's depth scales (xi_c = 15.8 at
# sigma_w^2 = 1.5, 11.8 at 2.5); the orthogonal critical tanh net's
# Jacobian spectrum is more concentrated than the Gaussian ReLU net's;
# after LSUV every layer's variance is near 1 on images LSUV did not see.
#
# Prints one line per test, "ok   <name>" or "FAIL <name>: <why>"; the exit
# status is 1 if one failed. Arguments are name filters.

set -u
cd "$(dirname "$0")/.." || exit 1

OUT=${OUT:-build/tests}
CC=${CC:-cc}
PAPERS=$OUT/papers
status=0

# selected, result, lines: tests/harness.sh.
. tests/harness.sh

TESTS="papers_builds_warning_free papers_glorot_standard_shrinks_normalized_stays_level
papers_saxe_writes_one_run_per_init_depth_seed_rate papers_phase_diagram_has_every_cell_and_the_6xi_c_bands
papers_phase_plot_missing_cell_is_an_error papers_pennington_orthogonal_tanh_spectrum_is_concentrated
papers_lsuv_unit_variance_on_unseen_images papers_bad_usage_exits_2"
any=
for t in $TESTS; do
    if selected "$t" "$@"; then any=1; fi
done
[ -n "$any" ] || exit 0

mkdir -p "$OUT" || exit 1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/initnn_papers_test.XXXXXX") || exit 1
# shellcheck disable=SC2317  # run by the trap
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# ---- build ---------------------------------------------------------------------------

if ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I. examples/papers.c -o "$PAPERS" -lm >"$PAPERS.build.log" 2>&1; then
    head -n 20 "$PAPERS.build.log"
    result papers_builds_warning_free "does not compile: $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 (log: $PAPERS.build.log)"
    exit 1
fi
fast_flags=
for flag in -march=native -fopenmp; do
    if printf 'int main(void) { return 0; }\n' | $CC $flag -x c - -o "$OUT/flag_probe_papers" >/dev/null 2>&1; then
        fast_flags="$fast_flags $flag"
    fi
done
# shellcheck disable=SC2086  # fast_flags is a word list
if ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O3 $fast_flags -I. examples/papers.c -o "$OUT/papers-fast" -lm \
    >"$OUT/papers-fast.build.log" 2>&1; then
    head -n 20 "$OUT/papers-fast.build.log"
    result papers_builds_warning_free "does not compile warning-free at -O3$fast_flags (log: $OUT/papers-fast.build.log)"
    exit 1
fi
if selected papers_builds_warning_free "$@"; then result papers_builds_warning_free ""; fi

# ---- a tiny MNIST-shaped set ---------------------------------------------------------

be32() { printf '\\%03o\\%03o\\%03o\\%03o' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
idx_fixture() {   # idx_fixture PREFIX COUNT
    # shellcheck disable=SC2059  # the format is built of escapes on purpose
    {
        printf "\\000\\000\\010\\003$(be32 "$2")$(be32 28)$(be32 28)"
        LC_ALL=C awk -v n="$2" 'BEGIN { for (i = 0; i < n * 784; i++) printf "%c", (i * 37 + int(i / 784) * 11) % 251 + 1 }'
    } >"$TMP/mnist/$1-images-idx3-ubyte"
    # shellcheck disable=SC2059
    {
        printf "\\000\\000\\010\\001$(be32 "$2")"
        LC_ALL=C awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%c", i % 10 + 1 }' | tr '\001-\012' '\000-\011'
    } >"$TMP/mnist/$1-labels-idx1-ubyte"
}
mkdir -p "$TMP/mnist"
idx_fixture train 60
idx_fixture t10k 20
DATA="--data $TMP/mnist"

# xml_ok FILE...: the files that are not well-formed XML, or "".
xml_ok() {
    bad=
    for file in "$@"; do
        if [ ! -s "$file" ]; then
            bad="$bad $file (missing)"
        elif command -v xmllint >/dev/null 2>&1 && ! xmllint --noout "$file" 2>/dev/null; then
            bad="$bad $file (not well-formed)"
        fi
    done
    echo "$bad"
}

# run NAME ARGS...: runs papers, its stderr to TMP/NAME.stderr; the why on failure.
run() {
    name=$1
    shift
    # shellcheck disable=SC2086  # DATA is a word list
    if ! OMP_NUM_THREADS=1 "$PAPERS" "$@" >"$TMP/$name.stdout" 2>"$TMP/$name.stderr"; then
        echo "papers $1 failed: $(tail -n 1 "$TMP/$name.stderr")"
    fi
}

# ---- Glorot & Bengio ------------------------------------------------------------------

t=papers_glorot_standard_shrinks_normalized_stays_level
if selected $t "$@"; then
    # shellcheck disable=SC2086
    why=$(run g glorot $DATA --width 96 --batch 40 --seeds 2 --bins 20 --out "$TMP/g")
    if [ -z "$why" ]; then
        why=$(xml_ok "$TMP/g/fig6_activations.svg" "$TMP/g/fig7_gradients.svg")
    fi
    if [ -z "$why" ]; then
        # The table's std of tanh(z) per layer: the standard init keeps
        # about sqrt(1/3) of it a layer (below 0.75 each), the normalized
        # one more by 0.15 at least (it settles toward tanh's fixed point,
        # from above on these bright fixture images); the standard init's
        # gradients shrink toward the input.
        why=$(awk -F'|' '
            $2 ~ /standard|normalized/ { init = $2; gsub(/ /, "", init); l = $3 + 0; split($4, a, " "); act[init, l] = a[1];
                                         split($6, g, " "); grad[init, l] = g[1]; if (l > L) L = l }
            END {
                if (L != 5) { print "the table has " L " layers, not 5"; exit }
                for (l = 2; l <= L; l++) {
                    if (act["standard", l] / act["standard", l - 1] >= 0.75) { print "standard: layer " l " activations not below 0.75 x layer " l - 1; exit }
                    fs = act["standard", l] / act["standard", l - 1]; fn = act["normalized", l] / act["normalized", l - 1]
                    if (fn < fs + 0.15) { print "layer " l ": the normalized init keeps " fn " of the layer below, the standard " fs; exit }
                    if (grad["standard", l - 1] / grad["standard", l] >= 0.75) { print "standard: layer " l - 1 " gradients not below 0.75 x layer " l; exit }
                }
            }' "$TMP/g/summary.md")
    fi
    if [ -z "$why" ] && ! grep -q 'activation value tanh(z)' "$TMP/g/fig6_activations.svg"; then
        why="fig6 lacks the paper's x axis (activation value)"
    fi
    result $t "$why"
fi

# ---- Saxe et al. -----------------------------------------------------------------------

t=papers_saxe_writes_one_run_per_init_depth_seed_rate
if selected $t "$@"; then
    # shellcheck disable=SC2086
    why=$(run s saxe $DATA --depths 1,3 --width 8 --batch 10 --epochs 2 --lrs 0.1,0.01 --threshold 0.2 --seeds 2 --out "$TMP/s")
    if [ -z "$why" ]; then why=$(xml_ok "$TMP/s/figure.svg"); fi
    if [ -z "$why" ]; then
        rows=$(($(wc -l <"$TMP/s/runs.csv") - 1))
        [ "$rows" -eq 16 ] || why="runs.csv has $rows runs, not 2 inits x 2 depths x 2 seeds x 2 rates = 16"
    fi
    if [ -z "$why" ]; then
        # The loss of a linear net starts near 0.1 + the output's variance:
        # a threshold of 0.2 is reached within 2 epochs at one rate or other.
        n=$(grep -c '^| [13] | [0-9.]* ± [0-9.]* |' "$TMP/s/summary.md")
        [ "$n" -eq 2 ] || why="the summary has $n depth rows reached by every seed, not 2"
    fi
    if [ -z "$why" ] && ! grep -q 'epochs until the training loss' "$TMP/s/figure.svg"; then
        why="the figure lacks the paper's y axis (epochs to the loss)"
    fi
    result $t "$why"
fi

# ---- Schoenholz et al. ------------------------------------------------------------------

t=papers_phase_diagram_has_every_cell_and_the_6xi_c_bands
if selected $t "$@"; then
    why=
    mkdir -p "$TMP/p/cells"
    for d in 70 100; do
        for w in 1.5 2.5; do
            # shellcheck disable=SC2086
            [ -n "$why" ] || why=$(run "p$d$w" phase-cell $DATA --depth $d --sw2 $w --width 8 --steps 2 --batch 10 --seeds 2 \
                --out "$TMP/p/cells/d${d}_w$w.csv")
        done
    done
    [ -n "$why" ] || why=$(run pp phase-plot --cells "$TMP/p/cells" --depths 70,100 --sw2 1.5,2.5 --out "$TMP/p")
    [ -n "$why" ] || why=$(xml_ok "$TMP/p/phase_diagram.svg")
    if [ -z "$why" ]; then
        n=$(grep -c 'class="cell"' "$TMP/p/phase_diagram.svg")
        [ "$n" -eq 4 ] || why="the heat map has $n cells, not 4"
    fi
    if [ -z "$why" ]; then
        # 6 xi_c is 94.8 at 1.5 and 70.8 at 2.5 (tutorial step 17): the band
        # for depth 70 holds both, the band for depth 100 neither.
        why=$(awk -F'|' '
            $4 !~ / to / { next }
            $2 ~ /^ 70 $/ { split($4, b, " "); if (!(b[1] <= 1.5 && b[3] >= 2.5)) print "depth 70: band " $4 " does not hold 1.5 and 2.5" }
            $2 ~ /^ 100 $/ { split($4, b, " "); if (!(b[1] > 1.5 && b[3] < 2.5)) print "depth 100: band " $4 " is not inside (1.5, 2.5)"; seen = 1 }
            END { if (!seen) print "no row for depth 100" }' "$TMP/p/summary.md" | head -n 1)
    fi
    result $t "$why"
fi

t=papers_phase_plot_missing_cell_is_an_error
if selected $t "$@"; then
    why=
    OMP_NUM_THREADS=1 "$PAPERS" phase-plot --cells "$TMP/nowhere" --depths 10 --sw2 1 --out "$TMP/pm" >/dev/null 2>"$TMP/pm.stderr"
    code=$?
    if [ "$code" -ne 1 ]; then why="exit status $code, not 1"
    elif ! grep -q 'missing cell' "$TMP/pm.stderr"; then why="no 'missing cell' message: $(head -n 1 "$TMP/pm.stderr")"
    fi
    result $t "$why"
fi

# ---- Pennington et al. ------------------------------------------------------------------

t=papers_pennington_orthogonal_tanh_spectrum_is_concentrated
if selected $t "$@"; then
    # shellcheck disable=SC2086
    why=$(run n pennington $DATA --depth 30 --width 16 --steps 4 --eval-every 2 --batch 10 --seeds 2 --out "$TMP/n")
    [ -n "$why" ] || why=$(xml_ok "$TMP/n/figure.svg")
    if [ -z "$why" ]; then
        # Column 8: the fraction of singular values in [1/3, 3].
        why=$(awk -F'|' '
            $2 ~ /tanh, orthogonal/ { t = $8 + 0 } $2 ~ /ReLU, Gaussian/ { r = $8 + 0; seen = 1 }
            END { if (!seen) print "no spectrum rows"; else if (!(t >= 0.5 && t > r)) print "orthogonal tanh " t " in [1/3, 3] against Gaussian ReLU " r }' \
            "$TMP/n/summary.md")
    fi
    if [ -z "$why" ] && ! grep -q 'log10 singular value' "$TMP/n/figure.svg"; then
        why="the figure lacks the spectrum's x axis"
    fi
    result $t "$why"
fi

# ---- Mishkin & Matas --------------------------------------------------------------------

t=papers_lsuv_unit_variance_on_unseen_images
if selected $t "$@"; then
    # shellcheck disable=SC2086
    why=$(run l lsuv $DATA --depth 6 --width 16 --steps 4 --eval-every 2 --batch 10 --seeds 2 --out "$TMP/l")
    [ -n "$why" ] || why=$(xml_ok "$TMP/l/figure.svg")
    if [ -z "$why" ]; then
        # Rows "| layer | before ± | after ± | He ± |": after LSUV within
        # [0.7, 1.3]; before, the last hidden layer below 0.1 (orthogonal
        # ReLU layers halve the second moment).
        why=$(awk -F'|' '
            $2 ~ /^ [0-9]+( \(output\))? $/ { split($3, b, " "); split($4, a, " "); n++; last_before = prev_before; prev_before = b[1] + 0
                if (a[1] < 0.7 || a[1] > 1.3) { print "layer " $2 ": variance after LSUV " a[1]; exit } }
            END { if (n != 7) print n " layer rows, not 7"; else if (last_before >= 0.1) print "before LSUV the last hidden layer has " last_before }' \
            "$TMP/l/summary.md")
    fi
    result $t "$why"
fi

t=papers_bad_usage_exits_2
if selected $t "$@"; then
    why=
    for args in "glorot" "nosuch --out $TMP/x" "glorot --out $TMP/x --seeds 0" "saxe --out $TMP/x --depths 1,x" "phase-cell --out $TMP/x"; do
        # shellcheck disable=SC2086  # args is a word list
        "$PAPERS" $args >/dev/null 2>"$TMP/bad.stderr"
        code=$?
        if [ "$code" -ne 2 ]; then why="'papers $args' exited $code, not 2"; break; fi
        if [ "$(wc -l <"$TMP/bad.stderr")" -ne 1 ]; then why="'papers $args' wrote more than one line on stderr"; break; fi
    done
    if [ -z "$why" ] && [ -e "$TMP/x" ]; then why="a bad command line created the output folder"; fi
    result $t "$why"
fi

exit "$status"
