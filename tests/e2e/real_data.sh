# End-to-end on the real INSEE and CAF files of ../shared/data/real (CI has
# them beside the clone; skipped when they are absent): every file loads, a
# second run finds each unchanged, status accounts for every row, and the
# figures stored are the files' own, checked against independent readings
# of the raw files with awk.
. "$SRC/tests/lib.sh"
[ -d "$REAL/insee" ] || { echo "skipped: no $REAL"; exit 77; }

run 0 --db "$DB" ingest "$REAL"
expect_eq "real files loaded" 14 "$(grep -c ': loaded ' "$SCRATCH/out")"
expect_eq "nothing rejected" 0 "$(grep -c ': rejected' "$SCRATCH/out" || true)"
grep -q 'PROVENANCE.md: skipped' "$SCRATCH/out" || fail "PROVENANCE.md not listed as skipped"

# Rows read per file equal the data lines of the raw file (header and title
# lines excluded, the trailing row of separators of the table d'appartenance
# counted as blank).
rows_of() { grep "/$1: " "$SCRATCH/out" | sed 's/.* rows=\([0-9]*\) .*/\1/'; }
lines_after() { # FILE HEADER_LINE: non-blank data lines
    tail -n +"$(($2 + 1))" "$1" | grep -cv '^[;[:space:]]*$'
}
for f in base_cc_comparateur.CSV cc_filosofi_2020_COM.csv cc_filosofi_2021_COM.csv \
    cog_commune_2022.csv historiq2017.txt passage_2016_2017.csv reference_IRIS_2021.csv \
    meta_base_cc_comparateur.CSV meta_base-cc-logement-2021.CSV; do
    expect_eq "rows of $f" "$(lines_after "$REAL/insee/$f" 1)" "$(rows_of "$f")"
done
expect_eq "rows of the appartenance COM sheet" \
    "$(lines_after "$REAL/insee/table-appartenance-geo-communes-22_COM.csv" 6)" \
    "$(rows_of table-appartenance-geo-communes-22_COM.csv)"
for y in 2018 2019 2020; do
    expect_eq "rows of CAF $y" "$(lines_after "$REAL/caf/data_CAF_${y}_IRIS.csv" 1)" \
        "$(rows_of "data_CAF_${y}_IRIS.csv")"
done
grep -q 'historiq2017.txt: loaded schema=historiq vintage=2017 rows=15673 loaded=15673 rejected=0' \
    "$SCRATCH/out" || fail "historiq: $(grep historiq "$SCRATCH/out")"

# Secret cells of Filosofi 2021 = the 's' cells of the file.
expect_eq "secret cells of Filosofi 2021" \
    "$(tail -n +2 "$REAL/insee/cc_filosofi_2021_COM.csv" | tr ';' '\n' | grep -cx 's')" \
    "$(grep '/cc_filosofi_2021_COM.csv: ' "$SCRATCH/out" | sed 's/.* secret=\([0-9]*\).*/\1/')"

# Second run: every file unchanged, nothing changes.
"$WHDUMP" "$DB" >"$SCRATCH/dump1"
run 0 --db "$DB" ingest "$REAL"
expect_eq "second run unchanged" 14 "$(grep -c ': unchanged ' "$SCRATCH/out")"
"$WHDUMP" "$DB" >"$SCRATCH/dump2"
expect_file_eq "warehouse after the second run" "$SCRATCH/dump1" "$SCRATCH/dump2"

# Values: Gaillac P18_POP 15,345 and P13_POP 14,334 (formats.md); the
# comparateur's communes (2021 geography: 34,965) apart from its 45
# arrondissements, so that Paris is counted once per level.
grep -q '^census_comparateur|commune|81099|2018|pop|15345|ok$' "$SCRATCH/dump1" || fail "P18_POP Gaillac"
grep -q '^census_comparateur|commune|81099|2013|pop|14334|ok$' "$SCRATCH/dump1" || fail "P13_POP Gaillac"
expect_eq "comparateur communes" 34965 "$(grep -c '^census_comparateur|commune|[^|]*|2018|pop|' "$SCRATCH/dump1")"
expect_eq "comparateur arrondissements" 45 "$(grep -c '^census_comparateur|arm|[^|]*|2018|pop|' "$SCRATCH/dump1")"
paris=$(awk -F';' '$1 == "75056" { print $2 }' "$REAL/insee/base_cc_comparateur.CSV")
arms=$(awk -F';' '$1 ~ /^751[0-2][0-9]$/ { s += $2 } END { print s }' "$REAL/insee/base_cc_comparateur.CSV")
expect_eq "Paris = the sum of its arrondissements in the raw file" "$paris" "$arms"
grep -q "^census_comparateur|commune|75056|2018|pop|$paris|ok$" "$SCRATCH/dump1" || fail "Paris P18_POP"

# CAF IRIS: NOTE 2..5 means the whole IRIS is withheld: secret, never zero.
grep -q '^caf_iris|iris|751010102|2018|a|NULL|secret$' "$SCRATCH/dump1" || fail "withheld IRIS 751010102"
grep -q '^caf_iris|iris|751010101|2018|a|162|ok$' "$SCRATCH/dump1" || fail "IRIS 751010101 A"

# Geography: the 59 communes of CA Gaillac-Graulhet in 2022 with their names,
# independently read from the table d'appartenance; Île-de-Bréhat and
# Ouessant in no EPCI; the 45 arrondissements and their communes.
run 0 --db "$DB" geo --level commune --in epci:200066124 --year 2022
awk -F';' 'NR > 6 && $5 == "200066124" { print "commune;" $1 ";" $2 ";;" $5 ";" $3 ";" $4 }' \
    "$REAL/insee/table-appartenance-geo-communes-22_COM.csv" | sort >"$SCRATCH/expected"
tail -n +2 "$SCRATCH/out" | sort >"$SCRATCH/actual"
expect_eq "communes of CA Gaillac-Graulhet" 59 "$(wc -l <"$SCRATCH/actual")"
expect_file_eq "communes of CA Gaillac-Graulhet" "$SCRATCH/expected" "$SCRATCH/actual"
run 0 --db "$DB" geo --level commune --in commune:22016
grep -q '^commune;22016;Île-de-Bréhat;;;22;53$' "$SCRATCH/out" || fail "Île-de-Bréhat: $(cat "$SCRATCH/out")"
run 0 --db "$DB" geo --level arm --in commune:69123
expect_eq "arrondissements of Lyon" 10 "$(wc -l <"$SCRATCH/out")"
run 0 --db "$DB" geo --level commune
expect_eq "communes of France in 2022" 34956 "$(wc -l <"$SCRATCH/out")"

# Compute, then export against independent sums of the raw files.
run 0 --db "$DB" compute
get() { # LEVEL CODE INDICATOR YEAR -> value;status;flags
    "$CTGDIAG" --db "$DB" export --level "$1" --indicators "$3" --year "$4" |
        awk -F';' -v c="$2" '$2 == c { print $6 ";" $7 ";" $10 }'
}
# CA Gaillac-Graulhet 2018: the sum of its 59 communes (comparateur P18_POP).
gaillac=$(awk -F';' 'NR == FNR { if (FNR > 6 && $5 == "200066124") m[$1] = 1; next }
    ($1 in m) { s += $2; n++ } END { if (n == 59) print s }' \
    "$REAL/insee/table-appartenance-geo-communes-22_COM.csv" "$REAL/insee/base_cc_comparateur.CSV")
expect_eq "population 2018 of CA Gaillac-Graulhet" "$gaillac;ok;" "$(get epci 200066124 pop_total 2018)"
# The Tarn: the sum of its communes.
tarn=$(awk -F';' '$1 ~ /^81/ { s += $2 } END { print s }' "$REAL/insee/base_cc_comparateur.CSV")
expect_eq "population 2018 of the Tarn" "$tarn;ok;" "$(get dep 81 pop_total 2018)"
# France: every commune once (Paris, Lyon, Marseille without their
# arrondissements), less the three codes the COG 2022 cannot place
# (19092, 25134, 25628: flagged unmapped), Mayotte's empty cells missing
# (so partial), never zero.
france=$(awk -F';' 'NR > 1 && $1 !~ /^(751[0-2][0-9]|6938[0-9]|132[0-1][0-9])$/ &&
    $1 !~ /^(19092|25134|25628)$/ { s += $2 } END { print s }' "$REAL/insee/base_cc_comparateur.CSV")
expect_eq "population 2018 of France" "$france;partial;unmapped" "$(get fr FR pop_total 2018)"
expect_eq "Mayotte's empty cell" ";missing;" "$(get commune 97608 pop_total 2018)"
# Growth split 2018 from the comparateur (P18_POP, P13_POP, NAIS1318,
# DECE1318): TCAM = (P18/P13)^(1/5) - 1, natural = 100 x (NAIS - DECE) x
# TCAM / (P18 - P13), migration = 100 x TCAM - natural; Gaillac, and CA
# Gaillac-Graulhet from the sums of its 59 communes (ratio of sums), to 10
# significant digits.
split_awk='function gsplit(e, s, b, d) { t = (e / s) ^ (1 / 5) - 1; n = (b - d) * t / (e - s)
    printf "%.10g %.10g", 100 * n, 100 * (t - n) }'
expected=$(awk -F';' "$split_awk"' $1 == "81099" { gsplit($2, $3, $5, $6) }' "$REAL/insee/base_cc_comparateur.CSV")
g10() { # LEVEL CODE: natural and migration 2018, to 10 significant digits, and their statuses
    for ind in pop_growth_natural pop_growth_migration; do
        "$CTGDIAG" --db "$DB" export --level "$1" --indicators "$ind" --year 2018 |
            awk -F';' -v c="$2" '$2 == c { printf "%.10g;%s;%s\n", $6, $7, $10 }'
    done | tr '\n' ' ' | sed 's/ $//'
}
expect_eq "growth split 2018 of Gaillac" \
    "$(echo "$expected" | awk '{ print $1 ";ok; " $2 ";ok;" }')" "$(g10 commune 81099)"
expected=$(awk -F';' "$split_awk"' NR == FNR { if (FNR > 6 && $5 == "200066124") m[$1] = 1; next }
    ($1 in m) { e += $2; s += $3; b += $5; d += $6; n++ } END { if (n == 59) gsplit(e, s, b, d) }' \
    "$REAL/insee/table-appartenance-geo-communes-22_COM.csv" "$REAL/insee/base_cc_comparateur.CSV")
expect_eq "growth split 2018 of CA Gaillac-Graulhet" \
    "$(echo "$expected" | awk '{ print $1 ";ok; " $2 ";ok;" }')" "$(g10 epci 200066124)"
# Filosofi 2021: 's' is secret, never 0; a published rate as published.
expect_eq "poverty rate of 81007 (s)" ";secret;" "$(get commune 81007 poverty_rate 2021)"
tp=$(awk -F';' '$1 == "01004" { sub(",", ".", $6); printf "%.15g", $6 }' "$REAL/insee/cc_filosofi_2021_COM.csv")
expect_eq "poverty rate of 01004" "$tp;ok;" "$(get commune 01004 poverty_rate 2021)"

# The product.md ids the real files feed (population 2013 and 2018, growth,
# vacancy, secondary homes from the comparateur; allocataires and single
# parents from the CAF IRIS files 2018-2020), at commune, EPCI, département
# and France levels, against an independent computation from the raw files
# (tests/e2e/real_indicators.py: every value, to the last printed digit).
for level in commune epci dep fr; do
    "$CTGDIAG" --db "$DB" export --level "$level" --year all --indicators \
        pop_total,pop_growth_rate,vacancy_rate,secondary_home_share,caf_allocataires,single_parent_share
done >"$SCRATCH/real_export.csv"
python3 "$SRC/tests/e2e/real_indicators.py" "$REAL" "$SCRATCH/real_export.csv" >"$SCRATCH/real_check" ||
    fail "product.md ids against the raw files: $(cat "$SCRATCH/real_check")"
grep -q '^checked 1[0-9]\{5\} values, 0 differ, 0 in export only$' "$SCRATCH/real_check" ||
    fail "independent check: $(cat "$SCRATCH/real_check")"

# status accounts for every file and row.
run 0 --db "$DB" status
total=$(grep '^all files' "$SCRATCH/out")
case "$total" in
"all files: 14, rows read "*) ;;
*) fail "status total: $total" ;;
esac
read_n=$(echo "$total" | sed 's/.*rows read \([0-9]*\) = .*/\1/')
sum=$(echo "$total" | sed 's/.*= loaded \([0-9]*\) + rejected \([0-9]*\) + duplicates \([0-9]*\);.*/\1 + \2 + \3/')
expect_eq "rows read = loaded + rejected + duplicates" "$read_n" "$(($sum))"

finish
