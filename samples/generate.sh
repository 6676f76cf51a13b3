#!/bin/sh
# Regenerate the bundled samples from ../shared (relative to the project root).
#
#   sh samples/generate.sh           # step 1 (restrict the real files) + step 2 (generator)
#   sh samples/generate.sh --check   # the same, then compare samples/generated with a run of the
#                                    # generator on the national real files (must be identical)
#
# Writes samples/insee, samples/caf, samples/generator/gen_workload.py and samples/generated.
# samples/cog/ (transcribed by hand, see README.md) and this script are left alone.
# Deterministic: two runs give byte-identical files.
set -eu

cd "$(dirname "$0")/.."                 # project root
SHARED=../shared
DEPS=81,31
VINTAGES=3
export PYTHONDONTWRITEBYTECODE=1        # no __pycache__ in samples/

check=no
case "${1:-}" in
    --check) check=yes ;;
    '') ;;
    *) echo "usage: sh samples/generate.sh [--check]" >&2; exit 2 ;;
esac

# Step 1: real files of ../shared/data/real restricted to départements 81 and 31
rm -rf samples/insee samples/caf
python3 samples/restrict.py --src "$SHARED/data/real" --out samples

# Step 2: synthetic files of the bench generator, computed from the restricted real files
mkdir -p samples/generator
rm -f samples/generator/gen_workload.py      # the shared copy is read-only: replace, do not overwrite
cp "$SHARED/bench/gen_workload.py" samples/generator/gen_workload.py
chmod u+w samples/generator/gen_workload.py
rm -rf samples/generated
python3 samples/generator/gen_workload.py --out samples/generated --real samples/insee \
    --deps "$DEPS" --vintages "$VINTAGES"
# geo/ holds byte copies of two of the generator's inputs (already in samples/insee): drop them,
# then rewrite MANIFEST.txt with the generator's own function so that it lists the kept files
rm -rf samples/generated/geo
# Filosofi 2020 and 2021 exist as real files (samples/insee, same names): keep only those, so that
# the samples hold one file per family and year. The generated 2019 file stays (no real 2019 base).
rm -f samples/generated/cc_filosofi_2020_COM.csv samples/generated/cc_filosofi_2021_COM.csv
python3 -c '
import sys
sys.path.insert(0, "samples/generator")
import gen_workload
gen_workload.manifest("samples/generated", sys.argv[1])
' "--vintages $VINTAGES --deps 31,81 --seed 1"
# named MANIFEST (no .txt) so that `ctgdiag ingest samples` lists it as skipped, not as a bad file
mv samples/generated/MANIFEST.txt samples/generated/MANIFEST

if [ "$check" = yes ]; then
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    python3 "$SHARED/bench/gen_workload.py" --out "$tmp/national" --deps "$DEPS" \
        --vintages "$VINTAGES" 2>/dev/null
    status=0
    for f in $(cd samples/generated && ls *.csv *.CSV); do
        cmp -s "$tmp/national/$f" "samples/generated/$f" || { echo "DIFFERS: $f" >&2; status=1; }
    done
    # the national MANIFEST minus its geo/ lines and total must match ours minus its total
    grep -v -e '^geo/' -e '^# total' -e '^cc_filosofi_202[01]_COM' "$tmp/national/MANIFEST.txt" > "$tmp/a"
    grep -v -e '^# total' samples/generated/MANIFEST > "$tmp/b"
    cmp -s "$tmp/a" "$tmp/b" || { echo "DIFFERS: MANIFEST" >&2; status=1; }
    [ "$status" = 0 ] && echo "check: samples/generated is identical to the national-input run" >&2
    exit "$status"
fi
