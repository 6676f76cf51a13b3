# End-to-end: a long file (one value per row, INSEE Melodi export, every
# field quoted): the level of each row from GEO_OBJECT, the variable from
# the dimension columns, secret from OBS_STATUS K (never zero), duplicates
# and conflicts keyed by unit, period and variable.
# (Populations of the fixture are illustrative figures in Melodi's layout.)
. "$SRC/tests/lib.sh"
F="$SRC/tests/e2e/fixtures/DS_POPULATIONS_REFERENCE_2021_extract.csv"

run 0 --db "$DB" ingest --max-rejects 50 "$F"
grep -q 'extract.csv: loaded schema=melodi vintage=2021 rows=13 loaded=9 rejected=3 duplicates=1 secret=1$' \
    "$SCRATCH/out" || fail "ingest: $(cat "$SCRATCH/out")"
grep -q ':13: row rejected: .*same unit as line 12' "$SCRATCH/err" || fail "conflict 81004"
grep -q ":14: row rejected: column GEO_OBJECT: 'CANTON' is not a level of family melodi" \
    "$SCRATCH/err" || fail "unknown level: $(cat "$SCRATCH/err")"

"$WHDUMP" "$DB" --content >"$SCRATCH/dump"
for want in \
    'melodi|commune|81099|2021|pmun|15612|ok' \
    'melodi|commune|81099|2021|ptot|15902|ok' \
    'melodi|commune|81007|2021|pmun|NULL|secret' \
    'melodi|commune|01001|2021|pmun|832|ok' \
    'melodi|arm|75101|2021|pmun|15919|ok' \
    'melodi|dep|2A|2021|pmun|162421|ok' \
    'melodi|epci|200066124|2021|pmun|75112|ok' \
    'melodi|fr|FR|2021|pmun|67842582|ok'; do
    grep -qxF "$want" "$SCRATCH/dump" || fail "missing: $want"
done
grep -q '^melodi|commune|81004|' "$SCRATCH/dump" && fail "81004 in conflict must not be stored"

finish
