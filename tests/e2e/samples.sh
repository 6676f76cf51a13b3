# End-to-end: the bundled samples load, a second run changes nothing, the
# status accounts for every row, and the geography answers.
. "$SRC/tests/lib.sh"
cd "$SRC"

run 0 --db "$DB" ingest samples
expect_file_eq "ingest of the samples" "$SRC/tests/e2e/golden/samples_ingest.out" "$SCRATCH/out"
"$WHDUMP" "$DB" >"$SCRATCH/dump1"

# Every file of the samples was read or skipped: 41 data files, 9 others (READMEs, scripts,
# MANIFEST, the two territory plans, the configuration of `run`).
expect_eq "files loaded" 41 "$(grep -c ': loaded ' "$SCRATCH/out")"
expect_eq "files skipped" 9 "$(grep -c ': skipped ' "$SCRATCH/out")"

# Same content again: unchanged, and the warehouse holds the same.
run 0 --db "$DB" ingest samples
expect_eq "second run: unchanged" 41 "$(grep -c ': unchanged ' "$SCRATCH/out")"
expect_eq "second run: nothing loaded" 0 "$(grep -c ': loaded ' "$SCRATCH/out" || true)"
"$WHDUMP" "$DB" >"$SCRATCH/dump2"
expect_file_eq "warehouse after the second run" "$SCRATCH/dump1" "$SCRATCH/dump2"

# The IRIS of a commune add up to the commune (census IRIS base, age bands
# that exist only there): sums checked against awk on the raw file and
# against the commune base.
q() { "$WHDUMP" "$DB" --sql "$1" | tail -n +2; }
expect_eq "IRIS of Saint-Jean in the census 2021" "31488|4|4" \
    "$(q "SELECT commune, iris, iris_known FROM commune_from_iris WHERE family = 'census_ic_pop' AND commune = '31488' AND period = '2021' AND variable = 'pop0002'")"
awk_sum=$(awk -F';' 'NR > 1 && $5 == "31488" { s += $14 } END { printf "%.6f", s }' samples/generated/base-ic-evol-struct-pop-2021.CSV)
expect_eq "0-2 year-olds of Saint-Jean, 2021" "$awk_sum" \
    "$(q "SELECT printf('%.6f', value_known) FROM commune_from_iris WHERE family = 'census_ic_pop' AND commune = '31488' AND period = '2021' AND variable = 'pop0002'")"
expect_eq "IRIS populations of every commune add up to the commune base (2021)" "0" \
    "$(q "SELECT count(*) FROM commune_from_iris s JOIN observation o ON o.family = 'census_cc_pop' AND o.level = 'commune' AND o.code = s.commune AND o.period = s.period AND o.variable = s.variable WHERE s.family = 'census_ic_pop' AND s.variable = 'pop' AND s.period = '2021' AND abs(s.value_known - o.value) > 1e-9 * o.value")"
expect_eq "communes compared" "900" \
    "$(q "SELECT count(*) FROM commune_from_iris s JOIN observation o ON o.family = 'census_cc_pop' AND o.level = 'commune' AND o.code = s.commune AND o.period = s.period AND o.variable = s.variable WHERE s.family = 'census_ic_pop' AND s.variable = 'pop' AND s.period = '2021'")"
# CAF IRIS: an IRIS withheld makes the commune sum a lower bound, said by iris_known < iris.
expect_eq "a commune with withheld IRIS in the CAF 2018 file" "1" \
    "$(q "SELECT count(*) > 0 FROM commune_from_iris WHERE family = 'caf_iris' AND iris_known < iris")"

# status accounts for every row: rows read = loaded + rejected + duplicates.
run 0 --db "$DB" status
grep -q '^all files: 41, rows read 30934 = loaded 30930 + rejected 0 + duplicates 4;' "$SCRATCH/out" ||
    fail "status totals: $(grep '^all files' "$SCRATCH/out")"

# Compute on the samples: the indicators of CA Gaillac-Graulhet (golden file,
# checked by eye), and its 2021 population = the sum of its 59 communes in
# the census file, read with awk.
run 0 --db "$DB" compute
grep -q '^computed geo_year=2022 indicators=53 ' "$SCRATCH/out" || fail "compute: $(cat "$SCRATCH/out")"
run 0 --db "$DB" export --level epci --in epci:200066124
expect_file_eq "indicators of CA Gaillac-Graulhet" "$SRC/tests/e2e/golden/samples_export_gaillac.csv" "$SCRATCH/out"
pop=$(awk -F';' 'NR == FNR { if (FNR > 6 && $5 == "200066124") m[$1] = 1; next }
    FNR > 1 && ($1 in m) { s += $2 } END { printf "%.15g", s }' \
    samples/insee/table-appartenance-geo-communes-22_COM.csv samples/generated/base-cc-evol-struct-pop-2021.CSV)
grep -q "^epci;200066124;CA Gaillac-Graulhet;pop_total;2021;$pop;ok;" "$SCRATCH/out" ||
    fail "population 2021 of CA Gaillac-Graulhet: $pop expected"

# CA Gaillac-Graulhet: 59 communes in 2022, names as the COG writes them,
# checked against an independent reading of the table d'appartenance.
run 0 --db "$DB" geo --level commune --in epci:200066124 --year 2022
expect_eq "communes of CA Gaillac-Graulhet" 60 "$(wc -l <"$SCRATCH/out")"
awk -F';' 'NR > 6 && $5 == "200066124" { print "commune;" $1 ";" $2 ";;" $5 ";" $3 ";" $4 }' \
    samples/insee/table-appartenance-geo-communes-22_COM.csv | sort >"$SCRATCH/expected"
tail -n +2 "$SCRATCH/out" | sort >"$SCRATCH/actual"
expect_file_eq "communes of CA Gaillac-Graulhet" "$SCRATCH/expected" "$SCRATCH/actual"
grep -q '^commune;81099;Gaillac;;200066124;81;76$' "$SCRATCH/out" || fail "Gaillac missing"
grep -q '^commune;81105;Graulhet;;200066124;81;76$' "$SCRATCH/out" || fail "Graulhet missing"

# Saint-Jean and its four IRIS; the EPCI of the Tarn; the départements of Occitanie.
run 0 --db "$DB" geo --level iris --in commune:31488
expect_eq "IRIS of Saint-Jean" 5 "$(wc -l <"$SCRATCH/out")"
grep -q '^iris;314880101;Ouest;31488;243100518;31;76$' "$SCRATCH/out" || fail "IRIS 314880101"
run 0 --db "$DB" geo --level dep --in reg:76
grep -q '^dep;81;Tarn;;;;76$' "$SCRATCH/out" || fail "département 81 and its name"
run 0 --db "$DB" geo --level epci --in dep:81
grep -q '^epci;200066124;CA Gaillac-Graulhet;;;81;76$' "$SCRATCH/out" || fail "CA Gaillac-Graulhet and its name"
expect_eq "EPCI of the Tarn" 17 "$(wc -l <"$SCRATCH/out")"
run 0 --db "$DB" geo --level commune --format json --in commune:81099
grep -q '"name": "Gaillac"' "$SCRATCH/out" || fail "json output"

finish
