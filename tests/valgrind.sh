#!/bin/sh
# Runs the end-to-end paths of ctgdiag under valgrind and fails on any memory
# error or leak (definite or indirect). Used by .ci/run on a build without
# sanitizers:  sh tests/valgrind.sh build-valgrind/ctgdiag
set -eu
BIN=${1:?usage: sh tests/valgrind.sh PATH/TO/ctgdiag}
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
VG="valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99"

check() {
    want=$1
    shift
    set +e
    $VG "$BIN" "$@" >"$tmp/out" 2>"$tmp/err"
    got=$?
    set -e
    if [ "$got" != "$want" ]; then
        echo "valgrind: ctgdiag $*: exit $got, expected $want" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
}

check 0 --db "$tmp/w.db" ingest samples
check 0 --db "$tmp/w.db" ingest samples          # unchanged
check 0 --db "$tmp/w.db" status --rejects --notices
check 0 --db "$tmp/w.db" geo --level iris --in epci:200066124
check 0 --db "$tmp/w.db" geo --level epci --format json
check 0 schemas caf_com_allocataires
check 0 --db "$tmp/w.db" compute
check 0 --db "$tmp/w.db" export --level epci --in dep:81 --format json
check 0 --db "$tmp/w.db" export --level commune --in epci:200066124 --year all --decimal-comma
check 0 --db "$tmp/w.db" indicators
check 0 --db "$tmp/w.db" indicators childcare_coverage
check 0 --db "$tmp/w.db" compare 81099 81105 31488
check 0 --db "$tmp/w.db" compare communes:81099,81105 epci:200066124 --format json
check 0 --db "$tmp/w.db" rank single_parent_share --in epci:200066124
check 0 --db "$tmp/w.db" rank births --level epci --in dep:81 --format json
check 0 --db "$tmp/w.db" rank pop_total --in communes:81099,81105,81004 --format csv
check 64 --db "$tmp/w.db" rank pop_total --in epci:999999999
check 0 --db "$tmp/w.db" report --plan samples/plans/saint-jean.csv --out "$tmp/reports"
check 0 --db "$tmp/w.db" report --territory communes:81099,81105 --out "$tmp/reports"
check 65 --db "$tmp/w.db" report --plan samples/README.md --territory epci:200066124 --out "$tmp/reports"
printf 'CODGEO;FOO\n81099;1\n' >"$tmp/unknown.csv"
check 65 --db "$tmp/w.db" ingest "$tmp/unknown.csv"
printf '\357\273\277dtreffre;numcomdo;nomcom;indfoy_ndur\n2024-06;81099;GAILLAC;10\n2024-06;81099;GAILLAC;15\n2024-06;81105;GRAULHET;-5\n2024-06;81004;ALBI;400\n' >"$tmp/conflict.csv"
check 0 --db "$tmp/w.db" ingest --max-rejects 100 "$tmp/conflict.csv"
check 64 ingest --bogus
# the refresh on that warehouse: the CAF month just loaded is recomputed, the
# report rendered, unknown.csv in the inbox rejected (65); then again
mkdir -p "$tmp/inbox"
cp "$tmp/conflict.csv" "$tmp/unknown.csv" "$tmp/inbox/"
printf 'warehouse = w.db\ninbox = inbox\nreports = reports-run\n[sj]\nterritory = commune:31488\nplan = %s\n' \
    "$PWD/samples/plans/saint-jean.csv" >"$tmp/run.conf"
check 65 run --config "$tmp/run.conf" --log "$tmp/run.log"
check 65 run --config "$tmp/run.conf" --quiet
check 64 run --config "$tmp/run.conf" --wait soon
echo "valgrind: no memory errors, no leaks"
