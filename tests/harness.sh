# tests/harness.sh - the shell helpers of tests/lab.sh and tests/papers.sh,
# sourced from the repository's top folder (". tests/harness.sh"). Each test
# prints one line in the format of tests/testing.h, "ok   NAME" or
# "FAIL NAME: WHY"; a failure sets status=1, which the script exits with.

# selected NAME [FILTER ...]: whether the filters (the script's arguments)
# select the test NAME; no filters select every test.
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
