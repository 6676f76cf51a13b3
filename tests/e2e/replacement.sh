# End-to-end: which files coexist, which replace which (product.md,
# "Replacing a file"), and a few row-level rules met on the way.
. "$SRC/tests/lib.sh"
CAF="$SRC/samples/generated/caf_allocataires_com_202112.csv"
mkdir -p "$SCRATCH/d31" "$SCRATCH/d81" "$SCRATCH/corr"

# One extract per département, same file name, disjoint communes: both
# load and coexist (their "non localisés" rows, with an empty code, identify
# no unit and make no overlap).
head -1 "$CAF" >"$SCRATCH/d31/caf_allocataires_com_202112.csv"
head -1 "$CAF" >"$SCRATCH/d81/caf_allocataires_com_202112.csv"
awk -F';' 'NR > 1 && ($2 ~ /^31/ || $3 ~ /\(31\)/)' "$CAF" >>"$SCRATCH/d31/caf_allocataires_com_202112.csv"
awk -F';' 'NR > 1 && ($2 ~ /^81/ || $3 ~ /\(81\)/)' "$CAF" >>"$SCRATCH/d81/caf_allocataires_com_202112.csv"
run 0 --db "$DB" ingest "$SCRATCH/d31" "$SCRATCH/d81"
expect_eq "two départements loaded" 2 "$(grep -c ': loaded ' "$SCRATCH/out")"
grep -q 'replaced=' "$SCRATCH/out" && fail "a département replaced the other: $(cat "$SCRATCH/out")"
expect_eq "files held" 2 "$("$WHDUMP" "$DB" --sql "SELECT count(*) FROM source_file" | tail -1)"
expect_eq "pseudo rows: one per département" "2" \
    "$("$WHDUMP" "$DB" --sql "SELECT count(*) FROM obs_row WHERE level = 'pseudo'" | tail -1)"

# A corrected version of one of them (same name, same units) replaces it alone.
sed 's/^2021-12;81099;GAILLAC;[0-9]*;/2021-12;81099;GAILLAC;9999;/' \
    "$SCRATCH/d81/caf_allocataires_com_202112.csv" >"$SCRATCH/corr/caf_allocataires_com_202112.csv"
run 0 --db "$DB" ingest "$SCRATCH/corr"
grep -q 'loaded .* replaced=caf_allocataires_com_202112.csv$' "$SCRATCH/out" || fail "correction: $(cat "$SCRATCH/out")"
expect_eq "files held after the correction" 2 \
    "$("$WHDUMP" "$DB" --sql "SELECT count(*) FROM source_file" | tail -1)"
expect_eq "Gaillac corrected" "9999" \
    "$("$WHDUMP" "$DB" --sql "SELECT value FROM observation WHERE code = '81099' AND variable = 'indfoy_ndur'" | tail -1)"
expect_eq "the Haute-Garonne kept" "1" \
    "$("$WHDUMP" "$DB" --sql "SELECT count(*) > 500 FROM obs_row WHERE code LIKE '31%'" | tail -1)"

# Many files of one family and period: a correction of the 70th is found.
mkdir -p "$SCRATCH/many" "$SCRATCH/fix"
i=1
while [ $i -le 70 ]; do
    n=$(printf '%03d' $i)
    { head -1 "$CAF"; printf '2024-06;81%s;C%s;%d;1;1;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0\n' "$n" "$n" "$i"; } \
        >"$SCRATCH/many/part_$n.csv"
    i=$((i + 1))
done
run 0 --db "$SCRATCH/many.db" ingest "$SCRATCH/many"
expect_eq "70 parts" 70 "$(grep -c ': loaded ' "$SCRATCH/out")"
{ head -1 "$CAF"; printf '2024-06;81070;C070;700;1;1;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0\n'; } >"$SCRATCH/fix/part_070.csv"
run 0 --db "$SCRATCH/many.db" ingest "$SCRATCH/fix/part_070.csv"
grep -q 'replaced=part_070.csv' "$SCRATCH/out" || fail "the 70th part not replaced: $(cat "$SCRATCH/out")"
expect_eq "81070 once" "1" \
    "$("$WHDUMP" "$SCRATCH/many.db" --sql "SELECT count(*) FROM obs_row WHERE code = '81070'" | tail -1)"
cp "$SCRATCH/fix/part_070.csv" "$SCRATCH/fix/other_name.csv"
sed -i 's/;700;/;701;/' "$SCRATCH/fix/other_name.csv"
run 65 --db "$SCRATCH/many.db" ingest "$SCRATCH/fix/other_name.csv"
grep -q 'collides with .*part_070.csv' "$SCRATCH/err" || fail "collision: $(cat "$SCRATCH/err")"

# --vintage: a file whose year only the option gives is read again when the
# option says another year; with the same one it is unchanged.
mkdir -p "$SCRATCH/v"
printf 'DEPCOM_ARM;LIBCOM;nb_ls\n81099;Gaillac;1 046\n81105;Graulhet;610\n' >"$SCRATCH/v/rpls.csv"
run 0 --db "$SCRATCH/v.db" ingest --vintage 2021 "$SCRATCH/v/rpls.csv"
run 0 --db "$SCRATCH/v.db" ingest --vintage 2021 "$SCRATCH/v/rpls.csv"
grep -q ': unchanged .* vintage=2021 ' "$SCRATCH/out" || fail "same vintage: $(cat "$SCRATCH/out")"
run 0 --db "$SCRATCH/v.db" ingest --vintage 2022 "$SCRATCH/v/rpls.csv"
grep -q ': loaded .* vintage=2022 ' "$SCRATCH/out" || fail "other vintage: $(cat "$SCRATCH/out")"

# Total rows are told apart by their text; a conflict takes its notices back.
printf 'DEPCOM_ARM;LIBCOM;nb_ls\n81099;Gaillac;1046\nTotal France métropolitaine;;4200000\nTotal France entière;;4516797\n' \
    >"$SCRATCH/v/rpls_2021_totals.csv"
run 0 --db "$SCRATCH/t.db" ingest "$SCRATCH/v/rpls_2021_totals.csv"
grep -q 'rows=3 loaded=3 rejected=0' "$SCRATCH/out" || fail "two totals: $(cat "$SCRATCH/out")"
{ head -1 "$CAF"; sed -n '2,41p' "$CAF"; printf '2021-12;;Allocataires non localisés (99);5;1;1;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0\n2021-12;;Allocataires non localisés (99);6;1;1;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0;0\n'; } \
    >"$SCRATCH/v/caf_allocataires_com_202106.csv"
run 0 --db "$SCRATCH/t.db" ingest "$SCRATCH/v/caf_allocataires_com_202106.csv"
grep -q 'rejected=2 ' "$SCRATCH/out" || fail "pseudo conflict: $(cat "$SCRATCH/out")"
expect_eq "no notice left for the rejected pseudo rows" "0" \
    "$("$WHDUMP" "$SCRATCH/t.db" --sql "SELECT count(*) FROM file_notice n JOIN source_file f ON f.id = n.file_id WHERE f.name = 'caf_allocataires_com_202106.csv' AND n.kind = 'pseudo'" | tail -1)"
expect_eq "no pseudo unit counted" "0" \
    "$("$WHDUMP" "$SCRATCH/t.db" --sql "SELECT units_pseudo FROM source_file WHERE name = 'caf_allocataires_com_202106.csv'" | tail -1)"

# A named file that is not a regular file (a pipe) is an input error; a
# hidden file in a folder is listed as skipped.
mkfifo "$SCRATCH/pipe.csv"
run 66 --db "$SCRATCH/t.db" ingest "$SCRATCH/pipe.csv"
grep -q 'not a regular file' "$SCRATCH/err" || fail "pipe: $(cat "$SCRATCH/err")"
mkdir -p "$SCRATCH/h"
printf 'x\n' >"$SCRATCH/h/.hidden.csv"
cp "$SCRATCH/v/rpls_2021_totals.csv" "$SCRATCH/h/"
run 0 --db "$SCRATCH/t.db" ingest "$SCRATCH/h"
grep -q '/.hidden.csv: skipped (hidden)$' "$SCRATCH/out" || fail "hidden: $(cat "$SCRATCH/out")"

finish
