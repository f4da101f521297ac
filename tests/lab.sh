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
# same command twice gives the same log.csv except the seconds column; the
# seeds give different runs; a bad command line is one line on stderr and
# exit status 2.
#
# Prints one line per test, "ok   <name>" or "FAIL <name>: <why>", like the
# test programs (tests/testing.h); the exit status is 1 if one failed.
# Arguments are name filters, as for the programs.
# Files: build/tests/initlab and a temporary folder that is removed.

set -u
cd "$(dirname "$0")/.." || exit 1

OUT=${OUT:-build/tests}
CC=${CC:-cc}
LAB=$OUT/initlab
status=0

mkdir -p "$OUT" || exit 1
TMP=$(mktemp -d "${TMPDIR:-/tmp}/initnn_lab_test.XXXXXX") || exit 1
# shellcheck disable=SC2317  # run by the trap
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# selected NAME: whether the filters (the arguments) select the test NAME.
selected() {
    [ $# -ge 1 ] || return 0
    name=$1
    shift
    [ $# -eq 0 ] && return 0
    for filter in "$@"; do
        case $name in *"$filter"*) return 0 ;; esac
    done
    return 1
}

# result NAME WHY: ok when WHY is empty, else FAIL.
result() {
    if [ -z "$2" ]; then
        echo "ok   $1"
    else
        echo "FAIL $1: $2"
        status=1
    fi
}

# lines FILE: the number of lines.
lines() { wc -l <"$1" | tr -d ' '; }

TESTS="lab_builds_warning_free lab_runs_a_tiny_experiment lab_log_has_one_row_per_init_seed_epoch
lab_writes_summary_init_csv_and_plots lab_svgs_are_well_formed_xml lab_svgs_have_one_series_per_init
lab_same_command_same_log lab_seeds_are_independent lab_bad_flag_exits_2_with_one_line
lab_bad_values_exit_2_with_one_line lab_missing_data_is_a_one_line_error lab_help_explains_every_flag
lab_saves_a_checkpoint"
any=
for t in $TESTS; do
    if selected "$t" "$@"; then any=1; fi
done
[ -n "$any" ] || exit 0   # the filters select none of these: not even a build

# ---- build -------------------------------------------------------------------------

if ! $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 -I. examples/initlab.c -o "$LAB" -lm \
    >"$LAB.build.log" 2>&1; then
    head -n 20 "$LAB.build.log"
    result lab_builds_warning_free "does not compile: $CC -std=c99 -Wall -Wextra -pedantic -Werror -O2 (log: $LAB.build.log)"
    exit 1
fi
if selected lab_builds_warning_free "$@"; then result lab_builds_warning_free ""; fi

INIT_A='random_uniform:-0.05,0.05'
INIT_B='he_normal'
# A word list, expanded unquoted on purpose; the comma-holding spec checks
# the splitting of --init.
ARGS="--data moons --samples 300 --hidden 8 --init $INIT_A,$INIT_B --seeds 2 --epochs 2 --batch 32 --val-split 0.2"
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
        init,seed,epoch,train_loss,train_acc,val_loss,val_acc,grad_norm,relu_zero_fraction,saturated_fraction,act_var_0,act_var_1,seconds) ;;
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

# ---- reproducibility and independence --------------------------------------------------------

if selected lab_same_command_same_log "$@"; then
    why=
    # shellcheck disable=SC2086
    if ! "$LAB" $ARGS --out "$TMP/b" --quiet >/dev/null 2>"$TMP/b.stderr"; then
        why="the second run failed: $(head -n 1 "$TMP/b.stderr")"
    elif [ -f "$TMP/a/log.csv" ]; then
        sed 's/,[^,]*$//' "$TMP/a/log.csv" >"$TMP/a.cut"
        sed 's/,[^,]*$//' "$TMP/b/log.csv" >"$TMP/b.cut"
        cmp -s "$TMP/a.cut" "$TMP/b.cut" || why="log.csv differs between two runs (besides seconds): $(diff "$TMP/a.cut" "$TMP/b.cut" | head -n 2 | tr '\n' ' ')"
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
    bad_usage --init 'he_normal,,glorot_uniform'
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
            --save-model --quiet --samples --noise --factor --classes --features --data-seed --standardize \
            --task --help; do
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

exit "$status"
