#!/bin/sh
# Installs what ctgdiag needs on Debian / Ubuntu (when missing) and builds it
# into build/ (the binary is build/ctgdiag).
#
#   sh scripts/setup.sh
#   CTG_CMAKE_FLAGS="-DCTG_SANITIZE=ON -DCTG_WERROR=ON" sh scripts/setup.sh   # as CI does
set -eu
cd "$(dirname "$0")/.."

PACKAGES="build-essential cmake pkg-config libcsv-dev libsqlite3-dev libgsl-dev libhpdf-dev \
libcmocka-dev sqlite3 poppler-utils fonts-dejavu-core python3 time valgrind"

missing=""
for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
    echo "setup: installing$missing" >&2
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo ${CTG_CMAKE_FLAGS:-} >/dev/null
cmake --build build -j "$(nproc 2>/dev/null || echo 2)"
