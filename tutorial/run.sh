#!/bin/sh
# tutorial/run.sh - builds every tutorial step into build/tutorial/ and runs it.
#
# Prints one line per step in the format of tests/testing.h, so that
# tests/run.sh can count them with its own tests:
#
#   ok   tutorial/05_relu_second_moment
#   FAIL tutorial/05_relu_second_moment: <the first claim that failed>
#
# A step fails if it does not compile warning-free (-std=c99 -Wall -Wextra
# -pedantic -Werror), or exits nonzero (a claim failed, or an initnn call
# did), or runs past the time limit, or its exercises do not accept the
# answers of tutorial/SOLUTIONS.md or do not refuse wrong ones. A failing step's output is shown,
# indented; every step's output is kept in build/tutorial/NN_name.log. The
# last line is "tutorial: N passed, N failed"; the exit status is nonzero
# iff a step failed.
#
# The header's implementation is compiled once (build/tutorial/initnn.o) and
# each step is compiled with -DINITNN_IMPLEMENTATION_DONE, which turns its
# own copy off, and linked with it; a step that does not build that way is
# compiled whole. Steps are built and run JOBS at a time (default: the
# number of CPUs) and reported in order.
#
# Usage: sh tutorial/run.sh [--fast] [step-substring ...]
#   --fast runs every step with --fast (smaller sizes; what `make test`
#   uses) and then, unless steps are selected, tutorial/figures.sh --check
#   (the committed figures and README outputs against the steps at full
#   size). Arguments select the steps whose names contain one of them.
#   CC picks the compiler.

set -u
cd "$(dirname "$0")/.." || exit 1

OUT=build/tutorial
CC=${CC:-cc}
WARN="-std=c99 -Wall -Wextra -pedantic -Werror"
TIME_LIMIT=300          # seconds per step; a hang is a failure
export CC WARN OUT TIME_LIMIT

# ---- one step (run by xargs, in parallel) ---------------------------------------

# run_step MODE SOURCE: builds and runs one step; leaves its output in
# NAME.log and how it ended in NAME.result ("build-failed" or the status).
run_step() {
    mode=$1
    name=$(basename "$2" .c)
    exe=$OUT/$name
    rm -f "$exe" "$exe.log" "$exe.result"
    # shellcheck disable=SC2086  # WARN is a word list
    if [ -f "$OUT/initnn.o" ] &&
        $CC $WARN -O2 -DINITNN_IMPLEMENTATION_DONE -I. "$2" "$OUT/initnn.o" -o "$exe" -lm \
            >"$exe.build.log" 2>&1; then
        : # linked with the shared implementation
    elif ! $CC $WARN -O2 -I. "$2" -o "$exe" -lm >"$exe.build.log" 2>&1; then
        echo build-failed >"$exe.result"
        return 0
    fi
    # shellcheck disable=SC2086  # mode is empty or --fast
    if command -v timeout >/dev/null 2>&1; then
        timeout "$TIME_LIMIT" "$exe" $mode >"$exe.log" 2>&1
    else
        "$exe" $mode >"$exe.log" 2>&1
    fi
    status=$?
    if [ "$status" -eq 0 ]; then
        if problem=$(check_exercises "$exe" "$name"); then :; else
            echo "exercises: $problem" >"$exe.result"
            return 0
        fi
    fi
    echo $status >"$exe.result"
}

# check_exercises EXE NAME: the step's exercises against tutorial/SOLUTIONS.md,
# whose rows "| NN | K | ANSWER | ... |" hold the answers: each must be
# accepted (exit 0), and a wrong one (1.37 ANSWER + 0.5) refused (exit 1).
# The step must have 2 to 4 exercises besides its "Break it" one, at least
# one "Break it", and a solution for each. Prints what is wrong, if anything.
check_exercises() {
    number=$(echo "$2" | cut -c1-2)
    count=$("$1" --exercises 2>/dev/null | grep -c '^Exercise [0-9]')
    breaks=$("$1" --exercises 2>/dev/null | grep -c '^Exercise [0-9]*\. Break it:')
    solutions=$(grep -E "^\| $number \| [0-9]+ \| " tutorial/SOLUTIONS.md 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $3); gsub(/ /, "", $4); print $3 "=" $4 }')
    if [ "$count" -lt 2 ] || [ "$count" -gt 5 ]; then echo "$count exercises (2-4 and a break-it wanted)"; return 1; fi
    if [ "$breaks" -lt 1 ]; then echo "no \"Break it\" exercise"; return 1; fi
    if [ "$(echo "$solutions" | grep -c =)" -ne "$count" ]; then
        echo "$count exercises, $(echo "$solutions" | grep -c =) solutions in tutorial/SOLUTIONS.md"; return 1
    fi
    for pair in $solutions; do
        k=${pair%%=*}
        answer=${pair#*=}
        if ! "$1" --exercise "$k" --answer "$answer" >/dev/null 2>&1; then
            echo "exercise $k refuses the answer $answer of tutorial/SOLUTIONS.md"; return 1
        fi
        wrong=$(awk -v a="$answer" 'BEGIN { printf "%.6g", 1.37 * a + 0.5 }')
        "$1" --exercise "$k" --answer "$wrong" >/dev/null 2>&1
        if [ $? -ne 1 ]; then echo "exercise $k does not refuse the wrong answer $wrong"; return 1; fi
    done
    return 0
}

if [ "${1:-}" = --step ]; then
    run_step "$2" "$3"
    exit 0
fi

# ---- every step ---------------------------------------------------------------

mode=
if [ "${1:-}" = --fast ]; then
    mode=--fast
    shift
fi
FILTERS="$*"
mkdir -p "$OUT" || exit 1

steps=
for source in tutorial/[0-9][0-9]_*.c; do
    [ -e "$source" ] || continue
    name=$(basename "$source" .c)
    if [ -n "$FILTERS" ]; then
        selected=no
        for filter in $FILTERS; do
            case $name in *"$filter"*) selected=yes ;; esac
        done
        [ "$selected" = yes ] || continue
    fi
    steps="$steps $source"
done

if [ -z "$steps" ]; then
    echo "tutorial: 0 passed, 0 failed (no step matches: $FILTERS)"
    exit 0
fi

start=$(date +%s)
printf '#define INITNN_IMPLEMENTATION\n#include "initnn.h"\n' >"$OUT/initnn.c"
rm -f "$OUT/initnn.o"
# shellcheck disable=SC2086  # WARN is a word list
$CC $WARN -O2 -I. -c "$OUT/initnn.c" -o "$OUT/initnn.o" >"$OUT/initnn.build.log" 2>&1 ||
    rm -f "$OUT/initnn.o"   # the steps then compile the header whole and show why

JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
# shellcheck disable=SC2086  # steps is a word list
printf '%s\n' $steps | xargs -P "$JOBS" -I '{}' sh tutorial/run.sh --step "$mode" '{}'

passed=0
failed=0
for source in $steps; do
    name=$(basename "$source" .c)
    exe=$OUT/$name
    result=$(cat "$exe.result" 2>/dev/null || echo missing)
    if [ "$result" = 0 ]; then
        echo "ok   tutorial/$name"
        passed=$((passed + 1))
        continue
    fi
    failed=$((failed + 1))
    case $result in
    build-failed)
        sed -n '1,20s/^/    /p' "$exe.build.log"
        echo "FAIL tutorial/$name: does not compile: $CC $WARN -O2 (log: $exe.build.log)"
        ;;
    missing)
        echo "FAIL tutorial/$name: was not built or run (see $OUT/)"
        ;;
    exercises:*)
        echo "FAIL tutorial/$name: its claims hold, but its $result"
        ;;
    *)
        sed -n '1,45s/^/    /p' "$exe.log"
        claim=$(grep -m 1 'FAIL$' "$exe.log" | sed 's/  */ /g; s/ FAIL$//')
        if [ -n "$claim" ]; then
            echo "FAIL tutorial/$name: claim failed: $claim (log: $exe.log)"
        else
            echo "FAIL tutorial/$name: exited with status $result (log: $exe.log)"
        fi
        ;;
    esac
done
# With --fast (make test) and every step selected: the figures and the
# outputs shown in tutorial/README.md must be what the steps make now, at
# full size (tutorial/figures.sh --check; its lines count here).
if [ "$mode" = --fast ] && [ -z "$FILTERS" ]; then
    sh tutorial/figures.sh --check >"$OUT/figures.log" 2>&1
    grep -v '^figures: ' "$OUT/figures.log"
    passed=$((passed + $(grep -c '^ok   ' "$OUT/figures.log")))
    failed=$((failed + $(grep -c '^FAIL ' "$OUT/figures.log")))
fi
end=$(date +%s)
echo "tutorial: $passed passed, $failed failed ($((end - start)) s${mode:+, $mode})"
[ "$failed" -eq 0 ]
