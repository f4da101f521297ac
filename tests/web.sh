#!/bin/sh
# tests/web.sh - the browser page (examples/web/) in headless Chromium; tests/run.sh runs it.
#
# Builds the page (make web: emscripten) and the native build of its C glue
# (make web-native) and the lab with the portable kernel, runs the native program and `initlab --predict` on two
# configurations (a ReLU net from he_normal, a tanh net from glorot_normal
# at half its scale), then drives the page in Debian's chromium over the
# DevTools protocol (tests/web_driver.js, Node): sets the controls, reads
# the prediction table and the verdict, trains 100 steps with the Step
# button, and compares the page's numbers with the native ones; any console
# error fails the test. Screenshots at 1280x720 and 390x844 go to
# build/web/.
#
# Without emcc, node or chromium every test is one SKIP line (not run, so
# not passed); .ci/run installs emscripten and chromium.
#
# Prints "ok   <name>", "FAIL <name>: <why>" or "SKIP <name>: <why>" lines
# like the test programs; the exit status is 1 if one failed. Arguments are
# name filters, as for the programs.

set -u
cd "$(dirname "$0")/.." || exit 1

OUT=build/web
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
NAME=web_page_in_headless_chromium   # the SKIP line's name

TESTS="web_page_builds web_page_is_under_1_MB web_page_links_name_files_of_the_repository web_page_loads_and_shows_a_first_result
web_prediction_table_equals_initlab_predict_relu web_verdict_equals_initlab_predict_relu
web_prediction_table_matches_native_relu_bit_for_bit web_prediction_table_equals_initlab_predict_tanh
web_verdict_equals_initlab_predict_tanh web_prediction_table_matches_native_tanh_within_1e-6
web_100_step_training_loss_equals_native_bit_for_bit web_page_fits_a_phone_width_without_horizontal_scrolling
web_every_control_has_a_label web_phase_diagram_click_sets_the_init web_no_console_errors"

# selected: whether the filters (the arguments) select one of the tests
# (they all run together, in one browser).
selected() {
    [ $# -eq 0 ] && return 0
    for filter in "$@"; do
        for t in $TESTS; do
            case $t in *"$filter"*) return 0 ;; esac
        done
    done
    return 1
}
selected "$@" || exit 0

if ! command -v emcc >/dev/null 2>&1; then
    echo "SKIP $NAME: emcc is not installed (Debian: emscripten; .ci/run installs it)"; exit 0
fi
if [ -z "$CHROMIUM" ]; then
    echo "SKIP $NAME: chromium is not installed (Debian: chromium; .ci/run installs it)"; exit 0
fi
if ! command -v node >/dev/null 2>&1; then
    echo "SKIP $NAME: node is not installed (Debian: nodejs, which emscripten needs too)"; exit 0
fi

mkdir -p "$OUT"
# The lab as the native side of the comparison: the portable kernel, as the page.
if ! { make -s web web-native &&
       ${CC:-cc} -std=c99 -Wall -Wextra -pedantic -Werror -O2 -ffp-contract=off -DINITNN_NO_SIMD -I. \
           examples/initlab.c -o "$OUT/initlab" -lm; } >"$OUT/build.log" 2>&1; then
    tail -n 20 "$OUT/build.log"
    echo "FAIL web_page_builds: make web web-native, or initlab, failed (log: $OUT/build.log)"
    exit 1
fi
echo "ok   web_page_builds"
size=$(wc -c <"$OUT/index.html")
if [ "$size" -lt 1000000 ]; then
    echo "ok   web_page_is_under_1_MB"
else
    echo "FAIL web_page_is_under_1_MB: $OUT/index.html is $size bytes"
fi
echo "# $OUT/index.html: $size bytes"
# Every view links to the tutorial step and header section that explain it:
# each relative link of the page must name a file of the repository.
missing=
for link in $(grep -o 'href="[^"#:]*"' examples/web/index.html | sed 's/^href="//; s/"$//' | sort -u); do
    [ -f "$OUT/$link" ] || missing="$missing $link"
done
if [ -z "$missing" ]; then
    echo "ok   web_page_links_name_files_of_the_repository"
else
    echo "FAIL web_page_links_name_files_of_the_repository: no such file:$missing"
fi

# The data and training settings of the page that the driver sets too:
# two moons, 400 points, noise 0.2, data seed 0; seed 1; Adam 0.01; batch 32.
# native NAME DEPTH ACTIVATION SPEC SCALE: web-native's output, then
# initlab --predict on the spec web-native used (the scaled one).
native() {
    if ! "./$OUT/web-native" 0 400 0.2 0 "$2" 32 "$3" "$4" "$5" - 1 0 0.01 32 100 >"$OUT/native-$1.txt" 2>&1; then
        echo "FAIL web_native_$1: build/web/web-native failed: $(tail -n 1 "$OUT/native-$1.txt")"
        return 1
    fi
    spec=$(sed -n 's/^spec //p' "$OUT/native-$1.txt")
    rm -rf "$OUT/lab-$1"
    if ! "./$OUT/initlab" --predict --quiet --data moons --samples 400 --noise 0.2 --data-seed 0 --standardize \
            --test-split 0.3 --val test --hidden "32x$2" --activation "$3" --init "$spec" --out "$OUT/lab-$1" \
            >"$OUT/lab-$1.log" 2>&1; then
        echo "FAIL web_initlab_predict_$1: initlab --predict failed (log: $OUT/lab-$1.log)"
        return 1
    fi
}
native relu 8 relu he_normal 1 || exit 1
native tanh 20 tanh glorot_normal 0.5 || exit 1

node tests/web_driver.js "$CHROMIUM" "$OUT/index.html" "$OUT"
