#!/bin/sh
# tests/lab.sh - the lab (examples/initlab.c) end to end; tests/run.sh runs it.
#
# Builds initlab as the test programs are built (C99, -Wall -Wextra
# -pedantic -Werror, -O2), runs it on a tiny generated set (two moons, 300
# points, one hidden layer of 8, two initializers, two seeds, two epochs:
# a second or two) and checks what it writes: log.csv has one row per
# init x seed x epoch under a header that names every column, summary.md,
# init.csv and every SVG exist, each SVG is well-formed XML (xmllint,
# Debian's libxml2-utils) and holds one legend entry per initializer; the
# plots need no repair: the epoch axes are labelled on whole epochs, the
# picture is wide enough for the longest legend label, and the accuracy
# plot zooms to where the curves end up without cutting any curve's last
# point; log.csv has each weighted layer's update:data ratio, finite and
# positive, exactly 0 with --lr 0, and update_ratio.svg draws every layer
# and the 1e-3 line; the same command twice gives the same log.csv except the seconds
# column, whether the specs are given by repeated --init or separated by
# ';'; the seeds give different runs; a bad command line (the old
# comma-separated --init among them) is one line on stderr and exit status 2. --predict on a 30-layer ReLU net flags glorot_normal and
# passes he_normal and writes its table and plot. On a generated 28 x 28
# IDX set: a CNN's summary has the activation variance of every conv layer,
# and the build with stb writes the first layer's weights as PNGs (a SKIP
# line without stb: not run, so not passed). A CNN trains on generated
# CIFAR-10 and CIFAR-100 binary batches.
#
# Reliability: an init whose weights would not be finite (random_normal:1e39
# and the like) is a usage error (exit 2); an unwritable --out or
# --save-model is found before training (exit 2, the reason); oversized
# --hidden or conv values, leaky_relu:nan and a 4090-character --out get
# exit 2 and a message that ends with the reason; IDX images of any size
# train, sets of two sizes are one clear error, and a label found only in
# the test set is one more class in the net and the description. On a full
# disk (a tmpfs mounted as root, else a file-size limit of 0) every output
# keeps its old content, each failure is reported and the lab exits 1.
# predict refuses a net without softmax and a non-finite output (exit 1).
#
# Prints one line per test, "ok   <name>" or "FAIL <name>: <why>", like the
# test programs (tests/testing.h); the exit status is 1 if one failed.
# Arguments are name filters, as for the programs.
# Files: build/tests/initlab and a temporary folder that is removed
# (kept with KEEP_TMP=1, to look at what a failing test wrote).

set -u
cd "$(dirname "$0")/.." || exit 1

OUT=${OUT:-build/tests}
CC=${CC:-cc}
LAB=$OUT/initlab
status=0

mkdir -p "$OUT" || exit 1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/initnn_lab_test.XXXXXX") || exit 1
# shellcheck disable=SC2317  # run by the trap
cleanup() { [ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# selected, result, lines: tests/harness.sh.
. tests/harness.sh

TESTS="lab_builds_warning_free lab_runs_a_tiny_experiment lab_log_has_one_row_per_init_seed_epoch
lab_writes_summary_init_csv_and_plots lab_svgs_are_well_formed_xml lab_svgs_have_one_series_per_init
lab_epoch_axes_are_labelled_on_whole_epochs lab_svgs_are_wide_enough_for_the_longest_label
lab_accuracy_plot_zooms_in_and_keeps_every_curves_last_point
lab_log_has_an_update_ratio_per_layer_finite_and_positive lab_update_ratio_svg_draws_each_layer_and_the_1e-3_line
lab_update_ratios_are_0_at_lr_0
lab_same_command_same_log lab_seeds_are_independent lab_bad_flag_exits_2_with_one_line
lab_bad_values_exit_2_with_one_line lab_missing_data_is_a_one_line_error lab_help_explains_every_flag
lab_saves_a_checkpoint lab_exports_the_trained_net_as_npy_files lab_predict_flags_glorot_and_passes_he_on_a_30_layer_relu_net
lab_predict_writes_csv_md_and_a_well_formed_svg lab_predict_refuses_a_pooling_net_with_exit_2
lab_cnn_summary_has_activation_variance_per_conv_layer lab_trains_a_strided_residual_block_with_he_and_fixup
lab_writes_first_layer_weight_pngs_for_28x28_inputs lab_fast_build_writes_the_same_log_on_one_and_two_threads
lab_trains_a_cnn_on_cifar10_and_cifar100_binary_batches
lab_standardized_regression_model_reloads_with_its_test_mae lab_csv_with_a_byte_order_mark_reads_and_unknown_columns_are_listed
lab_csv_text_labels_become_sorted_classes_in_summary_and_checkpoint lab_csv_warns_of_whole_number_targets_and_empty_classes
lab_csv_stray_text_cell_in_the_first_row_is_said lab_progress_is_one_line_per_run_when_piped
lab_progress_shows_the_batches_within_an_epoch_on_a_terminal lab_summary_reports_gradient_and_stuck_units_at_init_and_end
lab_full_batch_labels_epoch_1_as_the_initial_weights
lab_refuses_non_finite_inits_with_exit_2
lab_checks_out_and_save_model_before_training lab_small_errors_exit_2_with_the_reason
lab_trains_on_idx_images_of_any_size lab_counts_a_label_found_only_in_the_test_set
lab_full_disk_keeps_every_old_output predict_refuses_non_classifiers_and_non_finite_outputs"
any=
for t in $TESTS; do
    if selected "$t" "$@"; then any=1; fi
done
# The filters select none of these: not even a build (but the papers' recipes, below, may be selected).
[ -n "$any" ] || exec sh tests/papers.sh "$@"

# ---- build -------------------------------------------------------------------------

if ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I. examples/initlab.c -o "$LAB" -lm \
    >"$LAB.build.log" 2>&1; then
    head -n 20 "$LAB.build.log"
    result lab_builds_warning_free "does not compile: $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 (log: $LAB.build.log)"
    exit 1
fi
# With stb (Debian libstb-dev) the lab also writes weight pictures: built
# as the Makefile builds it there, with the image section.
LAB_STB=
if [ -f /usr/include/stb/stb_image_write.h ]; then
    LAB_STB=$OUT/initlab-stb
    if ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I. -DINITNN_WITH_STB -I/usr/include/stb \
        examples/initlab.c -o "$LAB_STB" -lstb -lm >"$LAB_STB.build.log" 2>&1; then
        head -n 20 "$LAB_STB.build.log"
        result lab_builds_warning_free "does not compile with -DINITNN_WITH_STB (log: $LAB_STB.build.log)"
        exit 1
    fi
fi
# The recipes' build (the Makefile's ./initlab): -O3, the CPU's
# vector instructions, OpenMP; warning-free too, where the compiler takes them.
fast_flags=
for flag in -march=native -fopenmp; do
    if printf 'int main(void) { return 0; }\n' | $CC $flag -x c - -o "$OUT/flag_probe" >/dev/null 2>&1; then
        fast_flags="$fast_flags $flag"
    fi
done
# shellcheck disable=SC2086  # fast_flags is a word list
if ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O3 $fast_flags -I. examples/initlab.c -o "$OUT/initlab-fast" -lm \
    >"$OUT/initlab-fast.build.log" 2>&1; then
    head -n 20 "$OUT/initlab-fast.build.log"
    result lab_builds_warning_free "does not compile warning-free at -O3$fast_flags (log: $OUT/initlab-fast.build.log)"
    exit 1
fi
# The reader of a saved model (tests/lab_reload.c).
if ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I. tests/lab_reload.c -o "$OUT/lab_reload" -lm \
    >"$OUT/lab_reload.build.log" 2>&1; then
    head -n 20 "$OUT/lab_reload.build.log"
    result lab_builds_warning_free "tests/lab_reload.c does not compile (log: $OUT/lab_reload.build.log)"
    exit 1
fi
if selected lab_builds_warning_free "$@"; then result lab_builds_warning_free ""; fi

INIT_A='random_uniform:-0.05,0.05'
INIT_B='he_normal'
# A word list, expanded unquoted on purpose; the comma-holding spec checks
# that a comma stays inside its spec. ARGS_SEMICOLON is the same experiment
# with the two specs in one --init.
ARGS="--data moons --samples 300 --hidden 8 --init $INIT_A --init $INIT_B --seeds 2 --epochs 2 --batch 32 --val-split 0.2"
ARGS_SEMICOLON="--data moons --samples 300 --hidden 8 --init $INIT_A;$INIT_B --seeds 2 --epochs 2 --batch 32 --val-split 0.2"
SVGS="val_accuracy.svg val_loss.svg train_loss.svg grad_norm.svg relu_zero_fraction.svg weight_hist.svg act_var_init.svg"

# shellcheck disable=SC2086
"$LAB" $ARGS --out "$TMP/a" >"$TMP/a.stdout" 2>"$TMP/a.stderr"
run_status=$?

# ---- one run -----------------------------------------------------------------------------

if selected lab_runs_a_tiny_experiment "$@"; then
    why=
    [ "$run_status" -eq 0 ] || why="exit status $run_status: $(head -n 3 "$TMP/a.stderr" | tr '\n' ' ')"
    [ -n "$why" ] || grep -q "summary.md" "$TMP/a.stdout" || why="stdout does not name summary.md"
    result lab_runs_a_tiny_experiment "$why"
fi

if selected lab_log_has_one_row_per_init_seed_epoch "$@"; then
    why=
    log=$TMP/a/log.csv
    if [ ! -f "$log" ]; then
        why="no log.csv"
    else
        n=$(lines "$log")
        [ "$n" -eq 9 ] || why="$n lines, expected 2 inits x 2 seeds x 2 epochs + 1 header = 9"
        header=$(head -n 1 "$log")
        case $header in
        init,seed,epoch,train_loss,train_acc,val_loss,val_acc,grad_norm,relu_zero_fraction,saturated_fraction,act_var_0,act_var_1,update_ratio_0,update_ratio_1,seconds) ;;
        *) why="${why:+$why; }header is '$header'" ;;
        esac
        # Every row has the header's number of fields (the init is quoted:
        # its spec may hold commas).
        columns=$(echo "$header" | awk -F, '{ print NF }')
        bad=$(sed 's/"[^"]*"/INIT/' "$log" | awk -F, -v n="$columns" 'NF != n { c++ } END { print c + 0 }')
        [ "$bad" -eq 0 ] || why="${why:+$why; }$bad rows do not have $columns fields"
        grep -q "^\"$INIT_A\",2,2," "$log" || why="${why:+$why; }no row for \"$INIT_A\", seed 2, epoch 2"
    fi
    result lab_log_has_one_row_per_init_seed_epoch "$why"
fi

if selected lab_writes_summary_init_csv_and_plots "$@"; then
    why=
    for f in summary.md init.csv $SVGS; do
        [ -s "$TMP/a/$f" ] || why="${why:+$why; }$f is missing or empty"
    done
    if [ -f "$TMP/a/summary.md" ]; then
        grep -q "^| $INIT_A |" "$TMP/a/summary.md" || why="${why:+$why; }summary.md has no row for $INIT_A"
        grep -q "^| $INIT_B |" "$TMP/a/summary.md" || why="${why:+$why; }summary.md has no row for $INIT_B"
        grep -q "2·sqrt(s1²/n1 + s2²/n2)" "$TMP/a/summary.md" || why="${why:+$why; }summary.md does not state the rule"
        grep -Eq "exceeds the spread|within the spread" "$TMP/a/summary.md" ||
            why="${why:+$why; }summary.md does not compare the two inits"
    fi
    # init.csv: 2 inits x 2 seeds x 2 weighted layers + header
    if [ -f "$TMP/a/init.csv" ]; then
        n=$(lines "$TMP/a/init.csv")
        [ "$n" -eq 9 ] || why="${why:+$why; }init.csv has $n lines, expected 9"
    fi
    result lab_writes_summary_init_csv_and_plots "$why"
fi

if selected lab_svgs_are_well_formed_xml "$@"; then
    why=
    if ! command -v xmllint >/dev/null 2>&1; then
        why="xmllint is not installed (Debian libxml2-utils; .ci/run installs it)"
    else
        for f in $SVGS; do
            [ -f "$TMP/a/$f" ] || continue
            if ! xmllint --noout "$TMP/a/$f" >"$TMP/xmllint.log" 2>&1; then
                why="${why:+$why; }$f: $(head -n 1 "$TMP/xmllint.log")"
            fi
        done
    fi
    result lab_svgs_are_well_formed_xml "$why"
fi

if selected lab_svgs_have_one_series_per_init "$@"; then
    why=
    for f in $SVGS; do
        [ -f "$TMP/a/$f" ] || continue
        # The legend: one <text> per series, holding the init's spec.
        a=$(grep -c ">$INIT_A</text>" "$TMP/a/$f")
        b=$(grep -c ">$INIT_B</text>" "$TMP/a/$f")
        polylines=$(grep -c "<polyline" "$TMP/a/$f")
        [ "$a" -eq 1 ] && [ "$b" -eq 1 ] || why="${why:+$why; }$f: legend entries $a and $b, expected 1 and 1"
        [ "$polylines" -ge 2 ] || why="${why:+$why; }$f: $polylines lines, expected one per init"
    done
    result lab_svgs_have_one_series_per_init "$why"
fi

# The x tick labels: the <text> elements 18 pixels below the plot area
# (plot height 440 - 44 - 56), one per line.
x_tick_labels() {
    sed -n 's/.* y="402\.0" text-anchor="middle">\([^<]*\)<\/text>.*/\1/p' "$1"
}

if selected lab_epoch_axes_are_labelled_on_whole_epochs "$@"; then
    why=
    # 2 epochs: 1-2-5 steps would label 0, 0.2, 0.4, ... 2.
    for f in val_accuracy.svg val_loss.svg train_loss.svg grad_norm.svg act_var_init.svg; do
        [ -f "$TMP/a/$f" ] || continue
        labels=$(x_tick_labels "$TMP/a/$f" | tr '\n' ' ')
        [ -n "$labels" ] || why="${why:+$why; }$f: no x tick labels found"
        for l in $labels; do
            case $l in *[!0-9-]*) why="${why:+$why; }$f: x tick '$l' is not a whole number" ;; esac
        done
    done
    result lab_epoch_axes_are_labelled_on_whole_epochs "$why"
fi

if selected lab_svgs_are_wide_enough_for_the_longest_label "$@"; then
    why=
    # random_uniform:-0.05,0.05 is 164.9 pixels in DejaVu Sans 12 (the sum
    # of its characters' advance widths in the font); the legend text
    # starts 40 pixels right of the plot area.
    for f in $SVGS; do
        [ -f "$TMP/a/$f" ] || continue
        width=$(sed -n 's/^<svg .* width="\([0-9]*\)".*/\1/p' "$TMP/a/$f" | head -n 1)
        label_x=$(grep ">$INIT_A</text>" "$TMP/a/$f" | sed -n 's/^<text x="\([0-9.]*\)".*/\1/p' | head -n 1)
        if [ -z "$width" ] || [ -z "$label_x" ]; then
            why="${why:+$why; }$f: no picture width or legend label found"
        elif ! awk -v w="$width" -v x="$label_x" 'BEGIN { exit !(x + 164.9 <= w) }'; then
            why="${why:+$why; }$f: the label $INIT_A runs from $label_x to past the picture's width $width"
        fi
    done
    result lab_svgs_are_wide_enough_for_the_longest_label "$why"
fi

if selected lab_accuracy_plot_zooms_in_and_keeps_every_curves_last_point "$@"; then
    why=
    # 20 epochs of nets that learn the moons: every curve ends near 0.86, so
    # the axis is zoomed (a clip path, and the axis says so), and the last
    # point of every line lies inside the plot area (rows 44 to 384). With a
    # zero init, which never learns, nothing is zoomed.
    moons="--data moons --samples 1000 --hidden 16 --seeds 2 --epochs 20 --batch 32 --val-split 0.2 --quiet"
    # shellcheck disable=SC2086
    if ! "$LAB" $moons --init "$INIT_A;$INIT_B;lecun_normal" --out "$TMP/z" 2>"$TMP/z.stderr" ||
        ! "$LAB" $moons --init "zeros;$INIT_B" --out "$TMP/z0" 2>"$TMP/z0.stderr"; then
        why="a run failed: $(cat "$TMP/z.stderr" "$TMP/z0.stderr" | head -n 1)"
    else
        svg=$TMP/z/val_accuracy.svg
        grep -q '<clipPath' "$svg" || why="the accuracy plot is not zoomed"
        grep -q 'zoomed' "$svg" || why="${why:+$why; }the y axis does not say it is zoomed"
        lasts=$(sed -n 's/.*<polyline[^>]*points="\([^"]*\)".*/\1/p' "$svg" | awk '{ split($NF, p, ","); print p[2] }')
        [ "$(echo "$lasts" | grep -c .)" -eq 3 ] || why="${why:+$why; }$(echo "$lasts" | grep -c .) lines, expected 3"
        for y in $lasts; do
            awk -v y="$y" 'BEGIN { exit !(y >= 44 && y <= 384) }' ||
                why="${why:+$why; }a curve ends at row $y, outside the plot area (44..384)"
        done
        if command -v xmllint >/dev/null 2>&1; then
            xmllint --noout "$svg" >"$TMP/xmllint.log" 2>&1 || why="${why:+$why; }$(head -n 1 "$TMP/xmllint.log")"
        fi
        ! grep -q '<clipPath' "$TMP/z0/val_accuracy.svg" || why="${why:+$why; }zoomed although the zero init ends at chance"
    fi
    result lab_accuracy_plot_zooms_in_and_keeps_every_curves_last_point "$why"
fi

# ---- the update:data ratio -----------------------------------------------------------------

# ratio_cells LOG: every update_ratio_* cell of LOG, one per line, as
# "ROW COLUMN VALUE" (the init's quoted spec, which may hold commas, made
# one field first); nothing when the header has no such column.
ratio_cells() {
    sed 's/"[^"]*"/INIT/' "$1" | awk -F, '
        NR == 1 { for (i = 1; i <= NF; i++) if ($i ~ /^update_ratio_[0-9]+$/) col[i] = $i; next }
        { for (i in col) print NR, col[i], $i }'
}

if selected lab_log_has_an_update_ratio_per_layer_finite_and_positive "$@"; then
    why=
    log=$TMP/a/log.csv
    if [ ! -f "$log" ]; then
        why="no log.csv"
    else
        # 2 weighted layers (hidden 8, output 2) x 8 rows (2 inits x 2 seeds x 2 epochs).
        columns=$(head -n 1 "$log" | tr ',' '\n' | grep -c '^update_ratio_[0-9]*$')
        [ "$columns" -eq 2 ] || why="$columns update_ratio columns, expected 2 (one per weighted layer)"
        cells=$(ratio_cells "$log" | grep -c .)
        [ "$cells" -eq 16 ] || why="${why:+$why; }$cells update_ratio cells, expected 2 layers x 8 rows = 16"
        # Finite and positive (an empty cell, nan or inf is neither); Adam at
        # lr 1e-3 moves each weight by about 1e-3, so a ratio above 1 (the
        # weights replaced in one step) is wrong too.
        bad=$(ratio_cells "$log" | awk '!($3 ~ /^[0-9.]+(e[-+]?[0-9]+)?$/ && $3 + 0 > 0 && $3 + 0 < 1) { print "row " $1 " " $2 "=" $3 }' | head -n 3 | tr '\n' ' ')
        [ -z "$bad" ] || why="${why:+$why; }not finite in (0, 1): $bad"
    fi
    result lab_log_has_an_update_ratio_per_layer_finite_and_positive "$why"
fi

if selected lab_update_ratio_svg_draws_each_layer_and_the_1e-3_line "$@"; then
    why=
    svg=$TMP/a/update_ratio.svg
    if [ ! -s "$svg" ]; then
        why="no update_ratio.svg"
    else
        if command -v xmllint >/dev/null 2>&1; then
            xmllint --noout "$svg" >"$TMP/xmllint.log" 2>&1 || why="$(head -n 1 "$TMP/xmllint.log")"
        else
            why="xmllint is not installed (Debian libxml2-utils; .ci/run installs it)"
        fi
        for init in "$INIT_A" "$INIT_B"; do
            for layer in 1 2; do
                grep -q ">$init, layer $layer</text>" "$svg" || why="${why:+$why; }no legend entry '$init, layer $layer'"
            done
        done
        grep -q '>1e-3, the rule of thumb</text>' "$svg" || why="${why:+$why; }no legend entry for the 1e-3 line"
        # 4 curves and the dashed reference line (a polyline each, a legend
        # line each); the axis is logarithmic (decade ticks).
        polylines=$(grep -c '<polyline' "$svg")
        [ "$polylines" -ge 5 ] || why="${why:+$why; }$polylines polylines, expected 4 curves and the 1e-3 line"
        grep -q 'stroke-dasharray' "$svg" || why="${why:+$why; }the 1e-3 line is not dashed"
        grep -q '>1e-3</text>' "$svg" || why="${why:+$why; }no 1e-3 tick on the y axis (not a log axis around 1e-3?)"
        grep -q 'update_ratio.svg' "$TMP/a/summary.md" || why="${why:+$why; }summary.md does not name update_ratio.svg"
        grep -q 'update_ratio_0' "$TMP/a/summary.md" || why="${why:+$why; }summary.md does not describe the update_ratio columns"
    fi
    result lab_update_ratio_svg_draws_each_layer_and_the_1e-3_line "$why"
fi

if selected lab_update_ratios_are_0_at_lr_0 "$@"; then
    why=
    # With lr 0 every step leaves the weights: the ratios are exactly 0 for
    # Adam and for SGD with momentum (a ratio computed against the wrong
    # weights, or ||W_after|| / ||W_before||, would not be).
    for opt in adam "sgd --momentum 0.9"; do
        # shellcheck disable=SC2086
        if ! "$LAB" --data moons --samples 300 --hidden 8 --init "$INIT_B" --seeds 2 --epochs 2 --batch 32 \
            --val-split 0.2 --opt $opt --lr 0 --quiet --out "$TMP/lr0" 2>"$TMP/lr0.stderr"; then
            why="${why:+$why; }--opt $opt --lr 0 failed: $(head -n 1 "$TMP/lr0.stderr")"
            continue
        fi
        cells=$(ratio_cells "$TMP/lr0/log.csv" | grep -c .)
        [ "$cells" -eq 8 ] || why="${why:+$why; }--opt $opt: $cells update_ratio cells, expected 2 layers x 4 rows = 8"
        bad=$(ratio_cells "$TMP/lr0/log.csv" | awk '$3 != "0" { print "row " $1 " " $2 "=" $3 }' | head -n 3 | tr '\n' ' ')
        [ -z "$bad" ] || why="${why:+$why; }--opt $opt --lr 0: ratios not 0: $bad"
    done
    result lab_update_ratios_are_0_at_lr_0 "$why"
fi

# ---- reproducibility and independence --------------------------------------------------------

if selected lab_same_command_same_log "$@"; then
    why=
    # shellcheck disable=SC2086
    if ! "$LAB" $ARGS_SEMICOLON --out "$TMP/b" --quiet >/dev/null 2>"$TMP/b.stderr"; then
        why="the second run failed: $(head -n 1 "$TMP/b.stderr")"
    elif [ -f "$TMP/a/log.csv" ]; then
        sed 's/,[^,]*$//' "$TMP/a/log.csv" >"$TMP/a.cut"
        sed 's/,[^,]*$//' "$TMP/b/log.csv" >"$TMP/b.cut"
        cmp -s "$TMP/a.cut" "$TMP/b.cut" || why="log.csv differs between two runs (besides seconds; --init twice, then ';'): $(diff "$TMP/a.cut" "$TMP/b.cut" | head -n 2 | tr '\n' ' ')"
        cmp -s "$TMP/a/init.csv" "$TMP/b/init.csv" || why="${why:+$why; }init.csv differs between two runs"
    else
        why="no log.csv from the first run"
    fi
    result lab_same_command_same_log "$why"
fi

if selected lab_seeds_are_independent "$@"; then
    why=
    log=$TMP/a/log.csv
    if [ -f "$log" ]; then
        s1=$(grep "^\"$INIT_B\",1,1," "$log" | sed 's/^[^,]*,[^,]*,[^,]*,//; s/,[^,]*$//')
        s2=$(grep "^\"$INIT_B\",2,1," "$log" | sed 's/^[^,]*,[^,]*,[^,]*,//; s/,[^,]*$//')
        [ -n "$s1" ] && [ -n "$s2" ] || why="rows of seeds 1 and 2 not found"
        [ -n "$why" ] || [ "$s1" != "$s2" ] || why="seeds 1 and 2 logged the same epoch: $s1"
    else
        why="no log.csv"
    fi
    result lab_seeds_are_independent "$why"
fi

# ---- the command line ----------------------------------------------------------------------

# bad_usage NAME ARGS...: exit status 2, one line on stderr, nothing on stdout.
bad_usage_why=
bad_usage() {
    "$LAB" "$@" --out "$TMP/never" >"$TMP/bad.stdout" 2>"$TMP/bad.stderr"
    code=$?
    n=$(lines "$TMP/bad.stderr")
    if [ "$code" -ne 2 ]; then
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }'$*': exit status $code, expected 2"
    elif [ "$n" -ne 1 ]; then
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }'$*': $n lines on stderr, expected 1"
    elif [ -s "$TMP/bad.stdout" ]; then
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }'$*': wrote to stdout"
    elif [ -e "$TMP/never" ]; then
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }'$*': created the output folder"
    fi
}

# ---- a tiny MNIST-shaped set -------------------------------------------------------------------

# TMP/data/mnist in the IDX format of the MNIST files: 40 training and 20
# test images of 28 x 28 bytes and labels 0..9 in turn (big-endian sizes).
# be32 N: the four bytes of N, big-endian, as printf escapes.
be32() { printf '\\%03o\\%03o\\%03o\\%03o' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
idx_fixture() {   # idx_fixture PREFIX COUNT
    # shellcheck disable=SC2059  # the format is built of escapes on purpose
    {
        printf "\\000\\000\\010\\003$(be32 "$2")$(be32 28)$(be32 28)"
        LC_ALL=C awk -v n="$2" 'BEGIN { for (i = 0; i < n * 784; i++) printf "%c", (i * 37 + int(i / 784) * 11) % 251 + 1 }'
    } >"$TMP/data/mnist/$1-images-idx3-ubyte"
    # shellcheck disable=SC2059
    {
        printf "\\000\\000\\010\\001$(be32 "$2")"
        LC_ALL=C awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "%c", i % 10 + 1 }' | tr '\001-\012' '\000-\011'
    } >"$TMP/data/mnist/$1-labels-idx1-ubyte"
}
mkdir -p "$TMP/data/mnist"
idx_fixture train 40
idx_fixture t10k 20

# ---- --predict ---------------------------------------------------------------------------------

# A 30-layer ReLU net (29 hidden layers of 256 and the output layer) on 256
# z-scored features: glorot_normal halves the second moment per layer
# (sigma_w^2 = 1, E[relu(z)^2] = q/2) and leaves [0.1, 10] x the input's
# at layer 5 (1/16); he_normal keeps it at 2 x.
PREDICT_ARGS="--predict --data regression --features 256 --samples 300 --standardize --hidden 256x29"
if selected lab_predict_flags_glorot_and_passes_he_on_a_30_layer_relu_net "$@" ||
    selected lab_predict_writes_csv_md_and_a_well_formed_svg "$@"; then
    # shellcheck disable=SC2086
    "$LAB" $PREDICT_ARGS --init 'glorot_normal;he_normal' --out "$TMP/p" >"$TMP/p.stdout" 2>"$TMP/p.stderr"
    predict_status=$?
fi

if selected lab_predict_flags_glorot_and_passes_he_on_a_30_layer_relu_net "$@"; then
    why=
    [ "$predict_status" -eq 0 ] || why="exit status $predict_status: $(head -n 2 "$TMP/p.stderr" | tr '\n' ' ')"
    grep -q "^glorot_normal: FLAGGED: the predicted second moment vanishes by layer 5 of 30" "$TMP/p.stdout" ||
        why="${why:+$why; }glorot_normal is not flagged at layer 5: $(grep '^glorot_normal:' "$TMP/p.stdout")"
    grep -q "^he_normal: passes" "$TMP/p.stdout" ||
        why="${why:+$why; }he_normal does not pass: $(grep '^he_normal:' "$TMP/p.stdout")"
    grep -q "^1 of 2 inits flagged" "$TMP/p.stdout" || why="${why:+$why; }no count of flagged inits"
    # One numbering: the table's rows count the weighted layers from 1, as
    # the verdict's "layer 5 of 30" does.
    rows=$(awk '/^glorot_normal$/ { on = 1; next } on && /^ *[0-9]+  dense/ { print $1 } on && /^glorot_normal:/ { exit }' \
        "$TMP/p.stdout" | tr '\n' ' ')
    [ "$rows" = "$(seq 1 30 | tr '\n' ' ')" ] || why="${why:+$why; }the table's rows are numbered '$rows', not 1 to 30"
    result lab_predict_flags_glorot_and_passes_he_on_a_30_layer_relu_net "$why"
fi

if selected lab_predict_writes_csv_md_and_a_well_formed_svg "$@"; then
    why=
    for f in predict.csv predict.md predict.svg; do
        [ -s "$TMP/p/$f" ] || why="${why:+$why; }$f is missing or empty"
    done
    if [ -f "$TMP/p/predict.csv" ]; then
        n=$(lines "$TMP/p/predict.csv")
        [ "$n" -eq 61 ] || why="${why:+$why; }predict.csv has $n lines, expected 2 inits x 30 layers + 1 header = 61"
        # he_normal's layer 2: sigma_w^2 = 2 exactly, predicted q = 2 (z-scored input).
        row=$(grep '^"he_normal",2,' "$TMP/p/predict.csv")
        echo "$row" | awk -F, '{ exit !($7 == 2 && $9 > 1.99 && $9 < 2.01) }' ||
            why="${why:+$why; }he_normal layer 2: '$row', expected sigma_w2 2 and q_predicted 2"
    fi
    if [ -f "$TMP/p/predict.svg" ]; then
        if command -v xmllint >/dev/null 2>&1; then
            xmllint --noout "$TMP/p/predict.svg" >"$TMP/xmllint.log" 2>&1 ||
                why="${why:+$why; }predict.svg: $(head -n 1 "$TMP/xmllint.log")"
        else
            why="${why:+$why; }xmllint is not installed (Debian libxml2-utils; .ci/run installs it)"
        fi
        for label in "glorot_normal, predicted" "glorot_normal, measured" "he_normal, predicted" "he_normal, measured"; do
            [ "$(grep -c ">$label</text>" "$TMP/p/predict.svg")" -eq 1 ] || why="${why:+$why; }no legend entry '$label'"
        done
        [ "$(grep -c '<polyline[^>]*stroke-dasharray' "$TMP/p/predict.svg")" -eq 2 ] ||
            why="${why:+$why; }the two predictions are not drawn dashed"
    fi
    grep -q "^| glorot_normal | FLAGGED" "$TMP/p/predict.md" 2>/dev/null || why="${why:+$why; }predict.md has no flagged glorot_normal row"
    result lab_predict_writes_csv_md_and_a_well_formed_svg "$why"
fi

if selected lab_predict_refuses_a_pooling_net_with_exit_2 "$@"; then
    bad_usage_why=
    bad_usage --predict --data mnist --data-dir "$TMP/data" --arch conv:4:3,relu,maxpool:2,flatten,dense:10,softmax
    grep -q "pooling" "$TMP/bad.stderr" || bad_usage_why="${bad_usage_why:+$bad_usage_why; }the message does not name the pooling layer: $(cat "$TMP/bad.stderr")"
    result lab_predict_refuses_a_pooling_net_with_exit_2 "$bad_usage_why"
fi

# ---- images: 28 x 28 inputs ---------------------------------------------------------------------

if selected lab_cnn_summary_has_activation_variance_per_conv_layer "$@"; then
    why=
    if ! "$LAB" --data mnist --data-dir "$TMP/data" --arch conv:4:3,relu,maxpool:2,conv:6:3,relu,flatten,dense:10,softmax \
        --init 'zeros;he_normal' --bias-init zeros --seeds 2 --epochs 1 --batch 10 --val test --out "$TMP/cnn" \
        --quiet 2>"$TMP/cnn.stderr"; then
        why="failed: $(head -n 2 "$TMP/cnn.stderr" | tr '\n' ' ')"
    else
        grep -q "^| init | 1: conv2d 4 | 2: conv2d 6 | 3: dense 10 |" "$TMP/cnn/summary.md" ||
            why="summary.md has no per-layer table naming the conv layers"
        # zeros: every output is 0, so every variance is 0 in both seeds.
        grep -q "^| zeros | 0 ± 0 | 0 ± 0 | 0 ± 0 |" "$TMP/cnn/summary.md" ||
            why="${why:+$why; }the zeros row is not all 0: $(grep '^| zeros | 0' "$TMP/cnn/summary.md")"
        grep -q "^| he_normal | 0\.[0-9]" "$TMP/cnn/summary.md" ||
            why="${why:+$why; }he_normal has no positive variance in layer 1"
    fi
    result lab_cnn_summary_has_activation_variance_per_conv_layer "$why"
fi

# The fast build (./initlab: -O3, the CPU's vector kernels, OpenMP) trains
# a CNN with dropout: its conv layers share the samples out in slots, its
# dropout masks come from per-sample streams, its Adam step runs in chunks,
# and initnn_net_train may drop to one thread on a busy machine. None of it
# may change a bit: log.csv on 1 thread and on 2 is the same but for the
# seconds column.
if selected lab_fast_build_writes_the_same_log_on_one_and_two_threads "$@"; then
    why=
    case " $fast_flags " in
    *" -fopenmp "*)
        for t in 1 2; do
            OMP_NUM_THREADS=$t "$OUT/initlab-fast" --data mnist --data-dir "$TMP/data" \
                --arch conv:6:3,relu,maxpool:2,conv:8:3,relu,flatten,dense:16,relu,dropout:0.5,dense:10,softmax \
                --init 'he_normal;glorot_uniform' --seeds 2 --epochs 2 --batch 16 --val test --out "$TMP/threads$t" \
                --quiet 2>"$TMP/threads$t.stderr" ||
                why="${why:+$why; }$t threads failed: $(head -n 2 "$TMP/threads$t.stderr" | tr '\n' ' ')"
            [ -f "$TMP/threads$t/log.csv" ] && sed 's/,[^,]*$//' "$TMP/threads$t/log.csv" >"$TMP/threads$t.log"
        done
        [ -n "$why" ] || cmp -s "$TMP/threads1.log" "$TMP/threads2.log" ||
            why="log.csv differs: $(diff "$TMP/threads1.log" "$TMP/threads2.log" | head -n 3 | tr '\n' ' ')"
        result lab_fast_build_writes_the_same_log_on_one_and_two_threads "$why" ;;
    *) echo "SKIP lab_fast_build_writes_the_same_log_on_one_and_two_threads: $CC does not take -fopenmp" ;;
    esac
fi

# A ResNet stage: the block's branch halves the 28 x 28 map with a stride-2
# conv and its shortcut is a 1x1 conv of stride 2 from 8 to 16 channels.
if selected lab_trains_a_strided_residual_block_with_he_and_fixup "$@"; then
    why=
    if ! "$LAB" --data mnist --data-dir "$TMP/data" \
        --arch 'conv:8:3:1:same,relu,res[conv:16:3:2:same,relu,conv:16:3:1:same],relu,maxpool:2,dense:10,softmax' \
        --init 'he_normal;fixup' --seeds 2 --epochs 1 --batch 10 --val test --out "$TMP/strided" \
        --quiet 2>"$TMP/strided.stderr"; then
        why="failed: $(head -n 2 "$TMP/strided.stderr" | tr '\n' ' ')"
    else
        grep -q "^| init | 1: conv2d 8 | 2: conv2d 16 | 3: conv2d 16 | 4: dense 10 |" "$TMP/strided/summary.md" ||
            why="summary.md has no per-layer table of the three convs and the dense layer"
        # Fixup's rule 1: the branch's last conv and the classifier start at 0,
        # while the first conv keeps He's draw.
        grep -q "^| fixup | 0\.[0-9][0-9e.+-]* ± [0-9e.+-]* | [0-9e.+-]* ± [0-9e.+-]* | 0 ± 0 | 0 ± 0 |" "$TMP/strided/summary.md" ||
            why="${why:+$why; }the fixup row is not (positive, ..., 0, 0): $(grep '^| fixup | [0-9]' "$TMP/strided/summary.md" | tail -n 1)"
        grep -q "^| he_normal | 0\.[0-9]" "$TMP/strided/summary.md" ||
            why="${why:+$why; }he_normal has no positive variance in layer 1"
    fi
    result lab_trains_a_strided_residual_block_with_he_and_fixup "$why"
fi

# cifar_fixture FILE COUNT LABEL_BYTES: COUNT records of LABEL_BYTES label
# bytes (i mod 10: CIFAR-10's label, CIFAR-100's coarse and fine) and 3072
# pixel bytes. awk writes bytes 1..255 and tr maps 1..10 to 0..9.
cifar_fixture() {
    LC_ALL=C awk -v n="$2" -v k="$3" 'BEGIN {
        for (i = 0; i < n; i++) {
            for (j = 0; j < k; j++) printf "%c", i % 10 + 1
            for (j = 0; j < 3072; j++) printf "%c", (j * 31 + i * 7) % 250 + 1
        } }' | tr '\001-\012' '\000-\011' >"$1"
}

if selected lab_trains_a_cnn_on_cifar10_and_cifar100_binary_batches "$@"; then
    why=
    mkdir -p "$TMP/cifar10" "$TMP/cifar100"
    for b in 1 2 3 4 5; do cifar_fixture "$TMP/cifar10/data_batch_$b.bin" 4 1; done
    cifar_fixture "$TMP/cifar10/test_batch.bin" 10 1
    cifar_fixture "$TMP/cifar100/train.bin" 20 2
    cifar_fixture "$TMP/cifar100/test.bin" 10 2
    for set in cifar10 cifar100; do
        classes=10
        [ $set = cifar100 ] && classes=100
        if ! "$LAB" --data "$set:$TMP/$set" --arch "conv:4:3,relu,maxpool:2,flatten,dense:$classes,softmax" \
            --init he_normal --seeds 1 --epochs 1 --batch 10 --val test --out "$TMP/$set.out" --quiet 2>"$TMP/$set.stderr"; then
            why="${why:+$why; }$set: $(head -n 1 "$TMP/$set.stderr")"
            continue
        fi
        grep -q "20 training and 10 test images of 3 x 32 x 32" "$TMP/$set.out/summary.md" ||
            why="${why:+$why; }$set: summary.md does not describe 20 training and 10 test images"
        [ "$(lines "$TMP/$set.out/log.csv")" -eq 2 ] || why="${why:+$why; }$set: log.csv is not a header and one epoch"
    done
    result lab_trains_a_cnn_on_cifar10_and_cifar100_binary_batches "$why"
fi

# png_width FILE: the width in a PNG's IHDR (bytes 16..19, big-endian).
png_width() { od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }

if selected lab_writes_first_layer_weight_pngs_for_28x28_inputs "$@"; then
    if [ -z "$LAB_STB" ]; then
        echo "SKIP lab_writes_first_layer_weight_pngs_for_28x28_inputs: /usr/include/stb/stb_image_write.h is missing (Debian libstb-dev; .ci/run installs it)"
    else
        why=
        if ! "$LAB_STB" --data mnist --data-dir "$TMP/data" --hidden 16 --init 'random_normal:0.05;he_normal' --seeds 2 \
            --epochs 2 --batch 10 --val test --out "$TMP/png" --quiet 2>"$TMP/png.stderr"; then
            why="failed: $(head -n 2 "$TMP/png.stderr" | tr '\n' ' ')"
        else
            n=$(find "$TMP/png" -name 'weights_*.png' | wc -l | tr -d ' ')
            [ "$n" -eq 4 ] || why="$n weight pictures, expected 2 inits x (epoch0, final) of seed 1 = 4"
            for f in weights_random_normal_0.05_epoch0.png weights_random_normal_0.05_final.png \
                weights_he_normal_epoch0.png weights_he_normal_final.png; do
                if [ ! -s "$TMP/png/$f" ]; then
                    why="${why:+$why; }$f is missing"
                    continue
                fi
                od -An -c -N4 "$TMP/png/$f" | grep -q "P   N   G" || why="${why:+$why; }$f is not a PNG"
                # 16 units: a 4 x 4 grid of 28-pixel tiles with 2-pixel gutters.
                w=$(png_width "$TMP/png/$f")
                [ "$w" -eq $((4 * 30 + 2)) ] || why="${why:+$why; }$f is $w pixels wide, expected 122"
            done
            cmp -s "$TMP/png/weights_he_normal_epoch0.png" "$TMP/png/weights_he_normal_final.png" &&
                why="${why:+$why; }the final weights picture is the initial one"
            grep -q "weights_he_normal_final.png" "$TMP/png/summary.md" || why="${why:+$why; }summary.md does not list the pictures"
        fi
        result lab_writes_first_layer_weight_pngs_for_28x28_inputs "$why"
    fi
fi

if selected lab_bad_flag_exits_2_with_one_line "$@"; then
    bad_usage_why=
    bad_usage --epoch 3
    grep -q -- "--epochs" "$TMP/bad.stderr" || bad_usage_why="${bad_usage_why:+$bad_usage_why; }no suggestion of --epochs: $(cat "$TMP/bad.stderr")"
    bad_usage --frobnicate
    bad_usage stray-argument
    result lab_bad_flag_exits_2_with_one_line "$bad_usage_why"
fi

if selected lab_bad_values_exit_2_with_one_line "$@"; then
    bad_usage_why=
    bad_usage --epochs 0
    bad_usage --epochs many
    bad_usage --seeds 1.5
    bad_usage --lr -1
    bad_usage --batch -3
    bad_usage --val-split 1.5
    bad_usage --val sometimes
    bad_usage --opt adamw
    bad_usage --data nosuchset
    bad_usage --init he_normall
    grep -q "he_normal" "$TMP/bad.stderr" || bad_usage_why="${bad_usage_why:+$bad_usage_why; }no suggestion for he_normall"
    bad_usage --init 'he_normal;;glorot_uniform'
    bad_usage --init 'he_normal,glorot_uniform'
    grep -q "'he_normal;glorot_uniform'" "$TMP/bad.stderr" ||
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }no ';' form suggested for he_normal,glorot_uniform: $(cat "$TMP/bad.stderr")"
    bad_usage --init "$INIT_A,$INIT_B"
    grep -q "';'" "$TMP/bad.stderr" ||
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }no ';' hint for $INIT_A,$INIT_B: $(cat "$TMP/bad.stderr")"
    bad_usage --init he_normal --init he_normal
    bad_usage --bias-init orthogonal
    bad_usage --activation softmax
    bad_usage --data moons --arch dense:8,relu,dense:3,softmax
    bad_usage --data moons --arch dense:8,relu,dense:2
    bad_usage --data moons --arch dens:8,relu,dense:2,softmax
    bad_usage --data moons --hidden 8,x
    bad_usage --data moons --arch dense:8,relu,dense:2,softmax --activation tanh
    bad_usage --epochs
    bad_usage --momentum 0.9
    bad_usage --quiet=yes
    result lab_bad_values_exit_2_with_one_line "$bad_usage_why"
fi

if selected lab_missing_data_is_a_one_line_error "$@"; then
    why=
    "$LAB" --data mnist --data-dir "$TMP/no-data" --out "$TMP/never" >/dev/null 2>"$TMP/nodata.stderr"
    code=$?
    [ "$code" -eq 1 ] || why="exit status $code, expected 1"
    n=$(lines "$TMP/nodata.stderr")
    [ "$n" -eq 1 ] || why="${why:+$why; }$n lines on stderr"
    grep -q "make data" "$TMP/nodata.stderr" || why="${why:+$why; }no hint to run make data: $(cat "$TMP/nodata.stderr")"
    result lab_missing_data_is_a_one_line_error "$why"
fi

if selected lab_help_explains_every_flag "$@"; then
    why=
    if ! "$LAB" --help >"$TMP/help" 2>&1; then
        why="--help failed"
    else
        for flag in --data --data-dir --arch --hidden --activation --init --bias-init --opt --lr --momentum \
            --batch --epochs --val-split --val --test-split --patience --clip-norm --seeds --out --train-limit \
            --save-model --export-npy --quiet --samples --noise --factor --classes --features --data-seed --standardize \
            --task --predict --help; do
            grep -q -- "^ *${flag}[ =]" "$TMP/help" || why="${why:+$why; }$flag is not explained"
        done
        grep -q "^Example" "$TMP/help" || why="${why:+$why; }no example"
    fi
    result lab_help_explains_every_flag "$why"
fi

if selected lab_saves_a_checkpoint "$@"; then
    why=
    # shellcheck disable=SC2086
    if ! "$LAB" $ARGS --seeds 1 --out "$TMP/c" --save-model "$TMP/c/model.ckpt" --quiet 2>"$TMP/c.stderr"; then
        why="failed: $(head -n 1 "$TMP/c.stderr")"
    elif [ ! -s "$TMP/c/model.ckpt" ]; then
        why="no checkpoint written"
    else
        head -c 8 "$TMP/c/model.ckpt" | grep -q INITNNCK || why="the file does not start with the checkpoint magic"
    fi
    result lab_saves_a_checkpoint "$why"
fi

# --export-npy: one .npy per array of the last trained net (initnn_net_export_npy,
# whose names and shapes tests/test_export_npy.c checks), readable by numpy
# where /usr/bin/python3 has it; a folder that cannot be made is refused
# before training, and no folder is left behind.
if selected lab_exports_the_trained_net_as_npy_files "$@"; then
    why=
    if ! "$LAB" --data moons --samples 300 --arch "dense:8,bn,relu,res:ones[dense:8,relu,dense:8],dense:2,softmax" \
        --init he_normal --seeds 1 --epochs 1 --batch 32 --out "$TMP/npy-out" --export-npy "$TMP/npy/deep" \
        --quiet 2>"$TMP/npy.stderr"; then
        why="failed: $(head -n 1 "$TMP/npy.stderr")"
    else
        for f in layer000_dense_kernel layer000_dense_bias layer001_bn_gamma layer001_bn_beta layer001_bn_running_mean \
            layer001_bn_running_var layer002_dense_kernel layer003_dense_kernel layer004_res_alpha layer005_dense_kernel \
            layer005_dense_bias; do
            [ -s "$TMP/npy/deep/$f.npy" ] || why="${why:+$why; }$f.npy not written"
        done
        count=$(find "$TMP/npy/deep" -type f | wc -l)
        [ "$count" -eq 13 ] || why="${why:+$why; }$count files, 13 expected"
        if [ -z "$why" ] && /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
            /usr/bin/python3 -c '
import sys, numpy as np
d = sys.argv[1]
k = np.load(d + "/layer000_dense_kernel.npy"); v = np.load(d + "/layer001_bn_running_var.npy")
a = np.load(d + "/layer004_res_alpha.npy")
sys.exit(0 if k.shape == (2, 8) and k.dtype == np.float32 and v.shape == (8,) and (v > 0).all()
         and (v != 1).any() and a.shape == (1,) else 1)' "$TMP/npy/deep" ||
                why="numpy does not read the exported files with the shapes of the net"
        fi
    fi
    if "$LAB" --data moons --samples 300 --hidden 8 --seeds 1 --epochs 1 --out "$TMP/npy-bad/out" \
        --export-npy /proc/no-such-folder/npy --quiet 2>"$TMP/npy-bad.stderr"; then
        why="${why:+$why; }an --export-npy folder that cannot be made was accepted"
    else
        grep -q -- "--export-npy: .*cannot create the folder" "$TMP/npy-bad.stderr" ||
            why="${why:+$why; }the refusal does not say why: $(head -n 1 "$TMP/npy-bad.stderr")"
        [ -e "$TMP/npy-bad" ] && why="${why:+$why; }the refused run left $TMP/npy-bad behind"
    fi
    result lab_exports_the_trained_net_as_npy_files "$why"
fi

# ---- CSV as people have it, and a model that keeps what it was trained on ----------------------

# A regression CSV whose features have very different scales (x1 in
# [0, 1000], x2 around 50, x3 in [0, 1]): a model trained on z-scored
# features is useless on raw ones unless it keeps the z-score.
awk 'BEGIN { srand(7); print "x1,x2,x3,y"; for (i = 0; i < 400; i++) { a = rand() * 1000; b = 50 + 10 * (rand() - 0.5);
    c = rand(); printf "%.3f,%.3f,%.4f,%.4f\n", a, b, c, 0.002 * a + 0.1 * b + c * c + 0.05 * (rand() - 0.5) } }' >"$TMP/reg.csv"

if selected lab_standardized_regression_model_reloads_with_its_test_mae "$@"; then
    why=
    if ! "$LAB" --data "csv:$TMP/reg.csv:y" --standardize --hidden 16 --init he_normal --seeds 1 --epochs 40 --lr 0.01 \
        --out "$TMP/reg" --save-model "$TMP/reg.ckpt" >/dev/null 2>"$TMP/reg.stderr"; then
        why="failed: $(head -n 2 "$TMP/reg.stderr" | tr '\n' ' ')"
    else
        # The run's test MAE (%.4g on stderr) and the reloaded model's on the
        # same test rows, read raw from the CSV (data seed 0, test split 0.3).
        run=$(sed -n 's/.*test MAE \([^,]*\),.*/\1/p' "$TMP/reg.stderr")
        "$OUT/lab_reload" "$TMP/reg.ckpt" "$TMP/reg.csv" y 1 0 0 0.3 >"$TMP/reload.out" 2>&1 ||
            why="lab_reload failed: $(head -n 1 "$TMP/reload.out")"
        raw=$(sed -n 's/^raw //p' "$TMP/reload.out")
        plain=$(sed -n 's/^plain //p' "$TMP/reload.out")
        [ -n "$run" ] && [ "$run" = "$raw" ] || why="${why:+$why; }the run's test MAE is '$run', the reloaded model's '$raw'"
        # Without its z-score the model is far off: the check can fail.
        awk -v p="$plain" -v r="$raw" 'BEGIN { exit !(p > 10 * r) }' ||
            why="${why:+$why; }without preprocessing the MAE is $plain, not far from $raw"
        grep -q "kept in the --save-model checkpoint" "$TMP/reg/summary.md" ||
            why="${why:+$why; }summary.md does not say the z-score is kept"
    fi
    result lab_standardized_regression_model_reloads_with_its_test_mae "$why"
fi

if selected lab_csv_with_a_byte_order_mark_reads_and_unknown_columns_are_listed "$@"; then
    why=
    printf '\357\273\277' >"$TMP/bom.csv"
    cat "$TMP/reg.csv" >>"$TMP/bom.csv"
    "$LAB" --data "csv:$TMP/bom.csv:x1" --hidden 4 --init he_normal --seeds 1 --epochs 1 --out "$TMP/bom" --quiet \
        >/dev/null 2>"$TMP/bom.stderr" || why="a file with a byte-order mark: $(head -n 1 "$TMP/bom.stderr")"
    bad_usage_why=
    bad_usage --data "csv:$TMP/bom.csv:X1"
    grep -q "no column named 'X1' in the header; its columns are 'x1', 'x2', 'x3', 'y'" "$TMP/bad.stderr" ||
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }the columns found are not listed: $(cat "$TMP/bad.stderr")"
    result lab_csv_with_a_byte_order_mark_reads_and_unknown_columns_are_listed "$why${why:+${bad_usage_why:+; }}$bad_usage_why"
fi

# iris-like: two features, text labels in no particular order.
awk 'BEGIN { print "a,b,species"; for (i = 0; i < 90; i++) { k = i % 3;
    printf "%.2f,%.2f,%s\n", k + 0.1 * (i % 7), 2 - k + 0.05 * (i % 5), k == 0 ? "virginica" : k == 1 ? "setosa" : "versicolor" } }' \
    >"$TMP/iris.csv"

if selected lab_csv_text_labels_become_sorted_classes_in_summary_and_checkpoint "$@"; then
    why=
    if ! "$LAB" --data "csv:$TMP/iris.csv:species" --task classification --hidden 8 --init he_normal --seeds 1 \
        --epochs 2 --out "$TMP/iris" --save-model "$TMP/iris.ckpt" --quiet >/dev/null 2>"$TMP/iris.stderr"; then
        why="failed: $(head -n 2 "$TMP/iris.stderr" | tr '\n' ' ')"
    else
        grep -q "text labels as classes (sorted): 0 = 'setosa', 1 = 'versicolor', 2 = 'virginica'" "$TMP/iris/summary.md" ||
            why="summary.md does not record the classes"
        "$OUT/lab_reload" "$TMP/iris.ckpt" "$TMP/iris.csv" species 1 1 0 0.3 >"$TMP/iris.reload" 2>&1
        grep -q "^classes setosa versicolor virginica$" "$TMP/iris.reload" ||
            why="${why:+$why; }the checkpoint does not keep the class names: $(cat "$TMP/iris.reload")"
    fi
    # Under the default regression task: exit 2 and the flag to use.
    bad_usage_why=
    bad_usage --data "csv:$TMP/iris.csv:species"
    grep -q -- "--task classification" "$TMP/bad.stderr" ||
        bad_usage_why="no hint of --task classification: $(cat "$TMP/bad.stderr")"
    result lab_csv_text_labels_become_sorted_classes_in_summary_and_checkpoint "$why${why:+${bad_usage_why:+; }}$bad_usage_why"
fi

if selected lab_csv_warns_of_whole_number_targets_and_empty_classes "$@"; then
    why=
    awk 'BEGIN { for (i = 0; i < 60; i++) printf "%.2f,%.2f,%d.0\n", i % 5, i % 3, 1 + i % 2 }' >"$TMP/ints.csv"
    "$LAB" --data "csv:$TMP/ints.csv:-1" --hidden 4 --init he_normal --seeds 1 --epochs 1 --out "$TMP/ints" --quiet \
        >/dev/null 2>"$TMP/ints.stderr" || why="regression failed: $(head -n 1 "$TMP/ints.stderr")"
    grep -q "warning: the target column holds only whole numbers (2 distinct values).*--task classification" \
        "$TMP/ints.stderr" || why="${why:+$why; }no warning of whole-number targets: $(cat "$TMP/ints.stderr")"
    grep -q "only whole numbers" "$TMP/ints/summary.md" 2>/dev/null ||
        why="${why:+$why; }summary.md does not carry the warning"
    "$LAB" --data "csv:$TMP/ints.csv:-1" --task classification --hidden 4 --init he_normal --seeds 1 --epochs 1 \
        --out "$TMP/ints2" --quiet >/dev/null 2>"$TMP/ints2.stderr" || why="${why:+$why; }classification failed"
    grep -q "warning: 1 of the 3 classes have no sample (the first is class 0)" "$TMP/ints2.stderr" ||
        why="${why:+$why; }no warning of the empty class 0: $(cat "$TMP/ints2.stderr")"
    grep -q "whole numbers" "$TMP/ints2.stderr" && why="${why:+$why; }the regression warning under --task classification"
    # A real regression target is not warned about.
    grep -q "warning" "$TMP/reg.stderr" 2>/dev/null && why="${why:+$why; }a warning for a real-valued target"
    result lab_csv_warns_of_whole_number_targets_and_empty_classes "$why"
fi

if selected lab_csv_stray_text_cell_in_the_first_row_is_said "$@"; then
    why=
    awk 'BEGIN { print "1.5,2.5,oops,1.2"; for (i = 0; i < 40; i++) printf "%.2f,%.2f,%.2f,%.2f\n", i % 5, i % 3, i % 7, i % 4 / 3 }' \
        >"$TMP/stray.csv"
    "$LAB" --data "csv:$TMP/stray.csv:-1" --hidden 4 --init he_normal --seeds 1 --epochs 1 --out "$TMP/stray" --quiet \
        >/dev/null 2>"$TMP/stray.stderr" || why="failed: $(head -n 1 "$TMP/stray.stderr")"
    grep -q "warning: .*stray.csv: the first line was taken as a header because its column 3 ('oops') is not a number" \
        "$TMP/stray.stderr" || why="${why:+$why; }not said on stderr: $(cat "$TMP/stray.stderr")"
    grep -q "column 3 ('oops')" "$TMP/stray/summary.md" 2>/dev/null || why="${why:+$why; }not said in summary.md"
    # A real header is not a stray cell.
    grep -q "taken as a header" "$TMP/reg.stderr" 2>/dev/null && why="${why:+$why; }a real header was called a stray cell"
    result lab_csv_stray_text_cell_in_the_first_row_is_said "$why"
fi

# ---- progress and the summary of a sweep ------------------------------------------------------------

if selected lab_progress_is_one_line_per_run_when_piped "$@"; then
    why=
    # The first run's stderr was a file: one line per init x seed, no
    # carriage returns or escape sequences.
    n=$(grep -c "^initlab: .* seed [12]: 2 epochs, train acc" "$TMP/a.stderr")
    [ "$n" -eq 4 ] || why="$n run lines on stderr, expected 2 inits x 2 seeds = 4: $(head -n 2 "$TMP/a.stderr" | tr '\n' ' ')"
    [ "$(lines "$TMP/a.stderr")" -eq 4 ] || why="${why:+$why; }$(lines "$TMP/a.stderr") lines on stderr, expected 4"
    if LC_ALL=C grep -q "$(printf '\r')" "$TMP/a.stderr"; then why="${why:+$why; }a carriage return on piped stderr"; fi
    result lab_progress_is_one_line_per_run_when_piped "$why"
fi

if selected lab_progress_shows_the_batches_within_an_epoch_on_a_terminal "$@"; then
    if ! command -v script >/dev/null 2>&1; then
        echo "SKIP lab_progress_shows_the_batches_within_an_epoch_on_a_terminal: script(1) is missing (Debian bsdutils)"
    else
        why=
        # script(1) gives the lab a terminal; INITLAB_PROGRESS_AFTER=0 shows
        # progress within every epoch at once instead of after 2 seconds.
        INITLAB_PROGRESS_AFTER=0 script -qc "$LAB --data moons --samples 1000 --hidden 8 --batch 8 --init he_normal \
            --seeds 1 --epochs 2 --out $TMP/tty" "$TMP/tty.typescript" >/dev/null 2>&1 </dev/null ||
            why="the run under script(1) failed"
        tr '\r' '\n' <"$TMP/tty.typescript" >"$TMP/tty.lines"
        grep -aq "^.*\[1/1\] he_normal  seed 1/1  epoch 1/2 (batch 1/79)  loss [0-9.]*  elapsed 0s  ETA" "$TMP/tty.lines" ||
            why="${why:+$why; }no progress line within epoch 1: $(grep -a 'epoch' "$TMP/tty.lines" | head -n 1)"
        grep -aq "epoch 2/2  loss [0-9.]*  elapsed" "$TMP/tty.lines" ||
            why="${why:+$why; }no progress line after epoch 2"
        result lab_progress_shows_the_batches_within_an_epoch_on_a_terminal "$why"
    fi
fi

if selected lab_summary_reports_gradient_and_stuck_units_at_init_and_end "$@"; then
    why=
    # The first run: ReLU, two seeds. Mean ± std for the gradient norm and
    # the ReLU fractions at init and at the end; no tanh/sigmoid layer: —.
    row=$(sed -n '/^## Gradient, dead and saturated units/,/^## /p' "$TMP/a/summary.md" | grep "^| $INIT_B |")
    echo "$row" | grep -Eq "^\| $INIT_B \| [0-9.e+-]+ ± [0-9.e+-]+ \| [0-9.]+ ± [0-9.e+-]+ \| [0-9.]+ ± [0-9.e+-]+ \| — \| — \| [0-9.]+ ± [0-9.e+-]+ \| [0-9.]+ ± [0-9.e+-]+ \|$" ||
        why="the $INIT_B row is '$row'"
    # tanh with a large init: saturated outputs at init, none of them ReLU.
    if ! "$LAB" --data moons --samples 300 --hidden 8 --activation tanh --init 'random_normal:3' --seeds 2 --epochs 1 \
        --out "$TMP/tanh" --quiet 2>"$TMP/tanh.stderr"; then
        why="${why:+$why; }the tanh run failed: $(head -n 1 "$TMP/tanh.stderr")"
    else
        row=$(grep "^| random_normal:3 | [0-9]" "$TMP/tanh/summary.md" | tail -n 1)
        echo "$row" | awk -F'|' '{ split($6, a, " "); exit !($4 ~ /—/ && a[1] > 0.3) }' ||
            why="${why:+$why; }random_normal:3 with tanh: '$row', expected saturated outputs > 0.3 at init and no ReLU"
    fi
    result lab_summary_reports_gradient_and_stuck_units_at_init_and_end "$why"
fi

if selected lab_full_batch_labels_epoch_1_as_the_initial_weights "$@"; then
    why=
    "$LAB" --data moons --samples 300 --hidden 8 --batch full --init he_normal --seeds 2 --epochs 2 --out "$TMP/full" \
        --quiet 2>"$TMP/full.stderr" || why="failed: $(head -n 1 "$TMP/full.stderr")"
    grep -q "^| init | epochs | train acc, epoch 1 (initial weights) |" "$TMP/full/summary.md" ||
        why="${why:+$why; }the table does not label epoch 1 as the initial weights"
    grep -q "train acc, epoch 1 (initial weights)" "$TMP/a/summary.md" && why="${why:+$why; }labelled so with batches of 32"
    result lab_full_batch_labels_epoch_1_as_the_initial_weights "$why"
fi

# The papers' figures (examples/papers.c, the exp-paper-* recipes) at tiny
# sizes: tests/papers.sh, whose lines count here.
sh tests/papers.sh "$@" || status=1

# ---- reliability: inits, outputs, inputs ------------------------------------------------------

if selected lab_refuses_non_finite_inits_with_exit_2 "$@"; then
    bad_usage_why=
    # Beyond the float range when parsed, and (1e38: 12 std beyond) when drawn on the net.
    for spec in random_normal:1e39 orthogonal:1e39 identity:1e39 truncated_normal:1e39 'sparse:2,1e39' \
        glorot_normal:1e300 'variance_scaling:1e80,fan_in,normal' random_normal:1e38; do
        bad_usage --data moons --samples 100 --hidden 4 --epochs 1 --seeds 1 --init "$spec"
        grep -q "would not be finite" "$TMP/bad.stderr" ||
            bad_usage_why="${bad_usage_why:+$bad_usage_why; }$spec: unclear message: $(cat "$TMP/bad.stderr")"
    done
    result lab_refuses_non_finite_inits_with_exit_2 "$bad_usage_why"
fi

# out_error NAME ARGS...: exit status 2 before any training (no log.csv
# anywhere), one line on stderr holding the reason $REASON.
out_error_why=
out_error() {
    "$LAB" --data moons --samples 100 --hidden 4 --epochs 1 --seeds 1 --quiet "$@" >"$TMP/oe.stdout" 2>"$TMP/oe.stderr"
    code=$?
    if [ "$code" -ne 2 ]; then
        out_error_why="${out_error_why:+$out_error_why; }'$*': exit status $code, expected 2"
    elif [ "$(lines "$TMP/oe.stderr")" -ne 1 ] || ! grep -q "$REASON" "$TMP/oe.stderr"; then
        out_error_why="${out_error_why:+$out_error_why; }'$*': stderr is not one line with '$REASON': $(cat "$TMP/oe.stderr")"
    fi
}

if selected lab_checks_out_and_save_model_before_training "$@"; then
    out_error_why=
    : >"$TMP/a-file"
    REASON="No such file or directory"
    out_error --out "$TMP/oe-out" --save-model "$TMP/no-such-dir/m.ckpt"
    [ -e "$TMP/oe-out" ] && out_error_why="${out_error_why:+$out_error_why; }created --out before finding --save-model unwritable"
    REASON="Not a directory"
    out_error --out "$TMP/a-file/sub"
    REASON="is a directory"
    mkdir -p "$TMP/oe-dir"
    out_error --out "$TMP/oe-out2" --save-model "$TMP/oe-dir"
    result lab_checks_out_and_save_model_before_training "$out_error_why"
fi

if selected lab_small_errors_exit_2_with_the_reason "$@"; then
    bad_usage_why=
    bad_usage --data moons --samples 100 --hidden 1000000,1000000 --epochs 1
    grep -q "overflows" "$TMP/bad.stderr" || bad_usage_why="${bad_usage_why:+$bad_usage_why; }--hidden: $(cat "$TMP/bad.stderr")"
    bad_usage --data mnist --data-dir "$TMP/data" --arch conv:2000000:3,relu,flatten,dense:10,softmax --epochs 1
    bad_usage --data moons --samples 100 --arch dense:8,leaky_relu:nan,dense:2,softmax --epochs 1
    if grep -q "did you mean" "$TMP/bad.stderr" || ! grep -q "slope" "$TMP/bad.stderr"; then
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }leaky_relu:nan: $(cat "$TMP/bad.stderr")"
    fi
    # A 4090-character --out: the message ends with the reason, not cut.
    long=$TMP/$(printf "%$((4090 - ${#TMP} - 1))s" '' | tr ' ' a)
    "$LAB" --data moons --samples 100 --hidden 4 --epochs 1 --seeds 1 --out "$long" >/dev/null 2>"$TMP/long.stderr"
    code=$?
    [ "$code" -eq 2 ] || bad_usage_why="${bad_usage_why:+$bad_usage_why; }a 4090-character --out: exit status $code"
    grep -q "File name too long; nothing was trained or written$" "$TMP/long.stderr" ||
        bad_usage_why="${bad_usage_why:+$bad_usage_why; }a 4090-character --out: the reason is cut: $(tail -c 120 "$TMP/long.stderr")"
    result lab_small_errors_exit_2_with_the_reason "$bad_usage_why"
fi

# idx_set DIR SET COUNT ROWS COLS CLASSES: DIR/mnist/SET-{images,labels} in
# the IDX format, images of ROWS x COLS, labels i mod CLASSES.
idx_set() {
    mkdir -p "$1/mnist"
    # shellcheck disable=SC2059
    {
        printf "\\000\\000\\010\\003$(be32 "$3")$(be32 "$4")$(be32 "$5")"
        LC_ALL=C awk -v n="$(($3 * $4 * $5))" 'BEGIN { for (i = 0; i < n; i++) printf "%c", (i * 37) % 251 + 1 }'
    } >"$1/mnist/$2-images-idx3-ubyte"
    # shellcheck disable=SC2059
    {
        printf "\\000\\000\\010\\001$(be32 "$3")"
        LC_ALL=C awk -v n="$3" -v k="$6" 'BEGIN { for (i = 0; i < n; i++) printf "%c", i % k + 1 }' | tr '\001-\013' '\000-\012'
    } >"$1/mnist/$2-labels-idx1-ubyte"
}

if selected lab_trains_on_idx_images_of_any_size "$@"; then
    why=
    idx_set "$TMP/idx10x12" train 30 10 12 10
    idx_set "$TMP/idx10x12" t10k 10 10 12 10
    if ! "$LAB" --data mnist --data-dir "$TMP/idx10x12" --arch conv:2:3,relu,flatten,dense:10,softmax --epochs 1 \
        --seeds 1 --batch 10 --val test --out "$TMP/idx10x12.out" --quiet 2>"$TMP/idx.stderr"; then
        why="a CNN on 10 x 12 images: $(head -n 2 "$TMP/idx.stderr" | tr '\n' ' ')"
    else
        grep -q "images of 10 x 12 pixels" "$TMP/idx10x12.out/summary.md" || why="summary.md does not say 10 x 12"
    fi
    # Training and test images of different sizes: one line naming both.
    idx_set "$TMP/idxmix" train 30 7 12 10
    idx_set "$TMP/idxmix" t10k 10 10 10 10
    "$LAB" --data mnist --data-dir "$TMP/idxmix" --hidden 4 --epochs 1 --seeds 1 --out "$TMP/idxmix.out" \
        >/dev/null 2>"$TMP/idxmix.stderr"
    code=$?
    [ "$code" -ne 0 ] || why="${why:+$why; }7 x 12 training and 10 x 10 test images were accepted"
    grep -q "10 x 10 pixels but .* has 7 x 12: both sets need one size" "$TMP/idxmix.stderr" ||
        why="${why:+$why; }unclear message for mixed sizes: $(cat "$TMP/idxmix.stderr")"
    result lab_trains_on_idx_images_of_any_size "$why"
fi

if selected lab_counts_a_label_found_only_in_the_test_set "$@"; then
    why=
    idx_set "$TMP/idx11" train 30 28 28 10
    idx_set "$TMP/idx11" t10k 11 28 28 11   # label 10 appears in the test set only
    if ! "$LAB" --data mnist --data-dir "$TMP/idx11" --hidden 4 --epochs 1 --seeds 1 --batch 10 --val test \
        --out "$TMP/idx11.out" --quiet 2>"$TMP/idx11.stderr"; then
        why="failed: $(head -n 2 "$TMP/idx11.stderr" | tr '\n' ' ')"
    else
        grep -q "11 classes" "$TMP/idx11.out/summary.md" || why="the description does not say 11 classes"
        grep -q "dense:11,softmax" "$TMP/idx11.out/summary.md" || why="${why:+$why; }the net does not have 11 outputs"
    fi
    result lab_counts_a_label_found_only_in_the_test_set "$why"
fi

# A full disk: the first run writes every output (CSV, markdown, SVG, PNG
# with stb, the checkpoint) onto a tiny disk, the disk is filled, and a
# second run with other settings must fail to write each of them, say so
# with the reason, exit 1, and leave every file as the first run wrote it,
# no temporary behind. As root: a 256 KiB tmpfs mounted for the test (the
# first run's 14 files take about 100 KiB of it), filled by dd. Else an
# injected failure: a file-size limit of 0 (ulimit -f 0, SIGXFSZ ignored),
# under which every write fails with EFBIG.
if selected lab_full_disk_keeps_every_old_output "$@"; then
    why=
    disk=$TMP/disk
    mkdir -p "$disk"
    mounted=
    if [ "$(id -u)" = 0 ] && command -v mount >/dev/null 2>&1 &&
        mount -t tmpfs -o size=256k initnn-test "$disk" 2>/dev/null; then
        mounted=1
    fi
    lab=${LAB_STB:-$LAB}
    full_args="--data mnist --data-dir $TMP/data --hidden 4 --init he_normal --seeds 1 --batch 10 --val test --quiet"
    # shellcheck disable=SC2086
    if ! "$lab" $full_args --epochs 1 --out "$disk/out" --save-model "$disk/out/m.ckpt" 2>"$TMP/disk1.stderr"; then
        why="the first run failed: $(head -n 2 "$TMP/disk1.stderr" | tr '\n' ' ')"
    else
        (cd "$disk/out" && cksum ./* | sort) >"$TMP/disk.before"
        if [ -n "$mounted" ]; then
            dd if=/dev/zero of="$disk/fill" bs=1024 >/dev/null 2>&1
            reason="No space left on device"
            # shellcheck disable=SC2086
            "$lab" $full_args --epochs 2 --out "$disk/out" --save-model "$disk/out/m.ckpt" >/dev/null 2>"$TMP/disk2.stderr"
            code=$?
        else
            reason="File too large"
            # shellcheck disable=SC2086
            # The limit holds for every file the lab writes, stderr too: it goes
            # through a pipe.
            {
                (trap '' XFSZ; ulimit -f 0; exec "$lab" $full_args --epochs 2 --out "$disk/out" \
                    --save-model "$disk/out/m.ckpt" 2>&1 >/dev/null)
                echo $? >"$TMP/disk2.code"
            } | cat >"$TMP/disk2.stderr"
            code=$(cat "$TMP/disk2.code")
        fi
        (cd "$disk/out" && cksum ./* | sort) >"$TMP/disk.after"
        [ "$code" -eq 1 ] || why="the run on a full disk: exit status $code, expected 1"
        cmp -s "$TMP/disk.before" "$TMP/disk.after" ||
            why="${why:+$why; }files changed: $(diff "$TMP/disk.before" "$TMP/disk.after" | grep '^[<>]' | head -n 4 | tr '\n' ' ')"
        n_files=$(lines "$TMP/disk.before")
        n_reported=$(grep -c "$reason" "$TMP/disk2.stderr")
        [ "$n_reported" -eq "$n_files" ] ||
            why="${why:+$why; }$n_reported failures reported with '$reason' for $n_files files: $(head -n 3 "$TMP/disk2.stderr" | tr '\n' ' ')"
        grep -q "could not be written" "$TMP/disk2.stderr" || why="${why:+$why; }no closing line about the failed outputs"
        if [ -n "$LAB_STB" ]; then
            ls "$disk/out"/*.png >/dev/null 2>&1 || why="${why:+$why; }no PNG among the outputs"
        fi
        leftovers=$(find "$disk" -name '*.tmp*' | head -n 3)
        [ -z "$leftovers" ] || why="${why:+$why; }temporaries left: $leftovers"
    fi
    if [ -n "$mounted" ]; then
        umount "$disk" || why="${why:+$why; }cannot unmount the test's tmpfs"
        echo "lab.sh: lab_full_disk_keeps_every_old_output ran on a 256 KiB tmpfs, filled" >&2
    else
        echo "lab.sh: lab_full_disk_keeps_every_old_output ran with an injected write failure (ulimit -f 0)" >&2
    fi
    result lab_full_disk_keeps_every_old_output "$why"
fi

# predict (examples/predict.c) on nets that are no MNIST classifier or whose
# output overflows: exit 1 with a reason, never a percentage of garbage.
if selected predict_refuses_non_classifiers_and_non_finite_outputs "$@"; then
    if [ -z "$LAB_STB" ]; then
        echo "SKIP predict_refuses_non_classifiers_and_non_finite_outputs: /usr/include/stb/stb_image_write.h is missing (Debian libstb-dev)"
    else
        why=
        cat >"$TMP/make_nets.c" <<'CEOF'
#define INITNN_WITH_STB
#define INITNN_IMPLEMENTATION
#include "initnn.h"
/* Writes three 784-input nets into argv[1] (good, mse, huge) and a 28 x 28
   picture of a bar, argv[1]/digit.png. */
int main(int argc, char **argv)
{
    static const char *const archs[3] = {"dense:10,softmax", "dense:10", "dense:10,softmax"};
    static const char *const names[3] = {"good.ckpt", "mse.ckpt", "huge.ckpt"};
    unsigned char pixels[28 * 28];
    char path[4096];
    int k, i;
    if (argc != 2) return 2;
    for (k = 0; k < 3; k++) {
        initnn_net *net = NULL;
        if (initnn_net_from_arch(&net, archs[k], 1, 28, 28, "he_normal", NULL, 1, 1) != 0) return 1;
        if (initnn_net_set_loss(net, k == 1 ? INITNN_LOSS_MSE : INITNN_LOSS_SOFTMAX_CROSS_ENTROPY) != 0) return 1;
        if (k == 2)
            for (i = 0; i < (int)net->param_count; i++) net->params[i] = (i % 3 ? 3e38f : -3e38f);
        snprintf(path, sizeof path, "%s/%s", argv[1], names[k]);
        if (initnn_net_save(net, path) != 0) { fprintf(stderr, "%s\n", initnn_last_error()); return 1; }
        initnn_net_free(net);
    }
    for (i = 0; i < 28 * 28; i++) pixels[i] = (i % 28 >= 12 && i % 28 <= 15 && i / 28 >= 4 && i / 28 <= 23) ? 0 : 255;
    snprintf(path, sizeof path, "%s/digit.png", argv[1]);
    return stbi_write_png(path, 28, 28, 1, pixels, 28) ? 0 : 1;
}
CEOF
        mkdir -p "$TMP/pred"
        if ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I. -I/usr/include/stb "$TMP/make_nets.c" \
                -o "$OUT/make_nets" -lstb -lm >"$OUT/make_nets.build.log" 2>&1 ||
            ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I. -I/usr/include/stb examples/predict.c \
                -o "$OUT/predict" -lstb -lm >"$OUT/predict.build.log" 2>&1; then
            why="does not build (logs: $OUT/make_nets.build.log, $OUT/predict.build.log)"
        elif ! "$OUT/make_nets" "$TMP/pred" 2>"$TMP/pred.stderr"; then
            why="cannot make the nets: $(cat "$TMP/pred.stderr")"
        else
            "$OUT/predict" "$TMP/pred/good.ckpt" "$TMP/pred/digit.png" >"$TMP/pred.out" 2>&1 ||
                why="a softmax net was refused: $(cat "$TMP/pred.out")"
            grep -q "^prediction: [0-9] (" "$TMP/pred.out" || why="${why:+$why; }no prediction line for a softmax net"
            for case in "mse:not a classifier" "huge:non-finite output"; do
                net=${case%%:*}
                "$OUT/predict" "$TMP/pred/$net.ckpt" "$TMP/pred/digit.png" >"$TMP/pred.out" 2>"$TMP/pred.err"
                code=$?
                [ "$code" -eq 1 ] || why="${why:+$why; }$net: exit status $code, expected 1"
                grep -q "${case#*:}" "$TMP/pred.err" || why="${why:+$why; }$net: no '${case#*:}' in: $(cat "$TMP/pred.err")"
                grep -q "%" "$TMP/pred.out" && why="${why:+$why; }$net: printed percentages: $(head -n 2 "$TMP/pred.out" | tr '\n' ' ')"
            done
        fi
        result predict_refuses_non_classifiers_and_non_finite_outputs "$why"
    fi
fi

exit "$status"
