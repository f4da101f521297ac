#!/bin/sh
# tutorial/figures.sh - the figures and expected outputs shown in
# tutorial/README.md, made by the steps themselves.
#
#   sh tutorial/figures.sh --update   (make tutorial-figures) runs every step
#       at full size with seed 1, writes the figures of the steps that have
#       one to tutorial/figures/NN_name.svg, and puts each step's output into
#       tutorial/README.md between its markers
#           <!-- output NN_name -->  ...  <!-- end output -->
#   sh tutorial/figures.sh --check    (tutorial/run.sh --fast, so make test)
#       makes the same into build/tutorial/figures/ and checks that every
#       committed figure is well-formed XML and equal to the one just made,
#       and that README.md's outputs are the ones the steps print now.
#       Prints one line per check in the format of tests/testing.h.
#
# The steps are built as tutorial/run.sh builds them (build/tutorial/); the
# outputs are those of `./NN_name --plot NN_name.svg` run inside
# build/tutorial/figures/, so that the paths they print are short.

set -u
cd "$(dirname "$0")/.." || exit 1
mode=${1:---check}
OUT=build/tutorial/figures
CC=${CC:-cc}
WARN="-std=c99 -Wall -Wextra -pedantic -Werror"
mkdir -p "$OUT" || exit 1

if [ "$mode" = --one ]; then
    # --one SOURCE: build and run one step (called through xargs)
    name=$(basename "$2" .c)
    # shellcheck disable=SC2086
    if ! $CC $WARN -O2 -DINITNN_IMPLEMENTATION_DONE -I. "$2" "$OUT/initnn.o" -o "$OUT/$name" -lm \
            >"$OUT/$name.build.log" 2>&1; then
        echo build-failed >"$OUT/$name.result"
        exit 0
    fi
    rm -f "$OUT/$name.svg"
    if grep -q 'tutorial_plot(\|write_plot(' "$2"; then
        (cd "$OUT" && "./$name" --plot "$name.svg") >"$OUT/$name.txt" 2>&1
    else
        (cd "$OUT" && "./$name") >"$OUT/$name.txt" 2>&1
    fi
    echo $? >"$OUT/$name.result"
    exit 0
fi

JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)}
export CC WARN OUT
printf '#define INITNN_IMPLEMENTATION\n#include "initnn.h"\n' >"$OUT/initnn.c"
# shellcheck disable=SC2086
$CC $WARN -O2 -I. -c "$OUT/initnn.c" -o "$OUT/initnn.o" >"$OUT/initnn.build.log" 2>&1 ||
    { echo "FAIL tutorial/figures: initnn.h does not compile (log: $OUT/initnn.build.log)"; exit 1; }
ls tutorial/[0-9][0-9]_*.c | xargs -P "$JOBS" -I '{}' sh tutorial/figures.sh --one '{}'

# readme_with_outputs README: README with every marked block replaced by the
# step's output from $OUT.
readme_with_outputs() {
    awk -v dir="$OUT" '
        /^<!-- output [0-9][0-9]_[a-z0-9_]* -->$/ {
            print
            name = $3
            print "```text"
            file = dir "/" name ".txt"
            while ((getline line < file) > 0) print line
            close(file)
            print "```"
            skipping = 1
            next
        }
        /^<!-- end output -->$/ { skipping = 0 }
        !skipping { print }' "$1"
}

# well_formed FILE: an XML parser accepts FILE (python3 or xmllint; without
# either, the SVG must at least open with <svg and close with </svg>).
well_formed() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$1" 2>/dev/null
    elif command -v xmllint >/dev/null 2>&1; then
        xmllint --noout "$1" 2>/dev/null
    else
        grep -q '<svg' "$1" && tail -c 16 "$1" | grep -q '</svg>'
    fi
}

passed=0
failed=0
for source in tutorial/[0-9][0-9]_*.c; do
    name=$(basename "$source" .c)
    result=$(cat "$OUT/$name.result" 2>/dev/null || echo missing)
    if [ "$result" != 0 ]; then
        echo "FAIL tutorial/figures/$name: the step did not run cleanly at full size ($result; log: $OUT/$name.txt)"
        failed=$((failed + 1))
    fi
    if ! grep -q "^<!-- output $name -->\$" tutorial/README.md; then
        echo "FAIL tutorial/README.md: no expected output for $name (add the line <!-- output $name --> and <!-- end output -->)"
        failed=$((failed + 1))
    fi
    if [ -e "$OUT/$name.svg" ] && ! grep -q "figures/$name.svg" tutorial/README.md; then
        echo "FAIL tutorial/README.md: does not show figures/$name.svg"
        failed=$((failed + 1))
    fi
done

if [ "$mode" = --update ]; then
    for svg in "$OUT"/*.svg; do
        [ -e "$svg" ] && cp "$svg" tutorial/figures/
    done
    readme_with_outputs tutorial/README.md >"$OUT/README.md" && cp "$OUT/README.md" tutorial/README.md
    echo "tutorial/figures/ and tutorial/README.md updated from $OUT/"
    [ "$failed" -eq 0 ]
    exit
fi

for svg in tutorial/figures/*.svg; do
    [ -e "$svg" ] || continue
    name=$(basename "$svg" .svg)
    if ! well_formed "$svg"; then
        echo "FAIL tutorial/figures/$name.svg: not well-formed XML"
        failed=$((failed + 1))
    elif ! cmp -s "$svg" "$OUT/$name.svg"; then
        echo "FAIL tutorial/figures/$name.svg: not what the step draws now ($OUT/$name.svg; make tutorial-figures)"
        failed=$((failed + 1))
    else
        echo "ok   tutorial/figures/$name.svg"
        passed=$((passed + 1))
    fi
done
for svg in "$OUT"/*.svg; do
    [ -e "$svg" ] || continue
    name=$(basename "$svg" .svg)
    if [ ! -e "tutorial/figures/$name.svg" ]; then
        echo "FAIL tutorial/figures/$name.svg: the step draws a figure that is not committed (make tutorial-figures)"
        failed=$((failed + 1))
    fi
done
readme_with_outputs tutorial/README.md >"$OUT/README.md"
if cmp -s tutorial/README.md "$OUT/README.md"; then
    echo "ok   tutorial/README.md_shows_the_outputs_the_steps_print"
    passed=$((passed + 1))
else
    diff tutorial/README.md "$OUT/README.md" | head -n 20 | sed 's/^/    /'
    echo "FAIL tutorial/README.md: an expected output differs from what the step prints now (make tutorial-figures)"
    failed=$((failed + 1))
fi
echo "figures: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
