# End-to-end: compute and export on a constructed warehouse whose every
# figure is worked by hand (tests/e2e/fixtures/compute: three communes of
# the Tarn, a commune déléguée merged into one, Paris given by its
# arrondissements, a secret cell, a pseudo-unit), against the known answers
# of ../shared/docs/indicators.md.
. "$SRC/tests/lib.sh"
F="$SRC/tests/e2e/fixtures/compute"
run 0 --db "$DB" ingest "$F"
run 0 --db "$DB" compute
grep -q '^computed geo_year=2022 ' "$SCRATCH/out" || fail "compute: $(cat "$SCRATCH/out")"

# value;status;coverage;flags of one unit: get LEVEL CODE INDICATOR [YEAR]
get() {
    "$CTGDIAG" --db "$DB" export --level "$1" --indicators "$3" --year "${4:-latest}" |
        awk -F';' -v c="$2" '$2 == c { print $6 ";" $7 ";" $9 ";" $10 }'
}

# Counts: a pseudo-unit (allocataires the CAF cannot place) is in no group;
# Paris is the sum of its arrondissements, counted once; a commune déléguée
# (81099) adds up into its commune (81003); CAF counts are rounded.
expect_eq "allocataires of France" "450;rounded;1;" "$(get fr FR caf_allocataires)"
expect_eq "allocataires of Paris" "270;rounded;;" "$(get commune 75056 caf_allocataires)"
expect_eq "allocataires of 81003 with its commune déléguée" "40;rounded;;" "$(get commune 81003 caf_allocataires)"
expect_eq "allocataires of the Tarn" "180;rounded;1;" "$(get dep 81 caf_allocataires)"
expect_eq "population of France, Paris once" "2900;ok;1;" "$(get fr FR pop_total 2021)"

# Ratio of sums with a secret member: secret, never zero, and the group
# partial over the members known, coverage by population.
expect_eq "single parents, secret cell" ";secret;;" "$(get commune 81002 single_parent_share)"
expect_eq "single parents, 81001" "25;rounded;;" "$(get commune 81001 single_parent_share)"
expect_eq "single parents, a denominator under 30" "20;rounded;;small" "$(get commune 81003 single_parent_share)"
expect_eq "single parents, EPCI with a secret member" "25;partial;0.6875;rounded" \
    "$(get epci 200000001 single_parent_share)"
# France: (10 + 5 + 60) / (40 + 25 + 200), over 2400 of 2900 inhabitants
expect_eq "single parents, France" "28.3018867924528;partial;0.827586206896552;rounded" \
    "$(get fr FR single_parent_share)"
# Housing-benefit share: CAF numerator, census denominator (main residences)
expect_eq "housing benefit, France" "7.43589743589744;partial;0.827586206896552;rounded" \
    "$(get fr FR housing_benefit_share)"
expect_eq "housing benefit, Paris" "12.5;rounded;;" "$(get commune 75056 housing_benefit_share)"

# Point mort, constructed check of indicators.md (dwellings 1000 -> 1100,
# main residences 900 -> 1000, RS+LV 100 -> 100, household population
# 2340 -> 2400, 130 dwellings started in 2017-2021): totals 30 / 0 / 75 /
# 105 / 25, reported a year (/ 5).
expect_eq "point mort" "21;ok;;" "$(get commune 81001 point_mort)"
expect_eq "renouvellement" "6;ok;;" "$(get commune 81001 point_mort_renouvellement)"
expect_eq "RS + LV" "0;ok;;" "$(get commune 81001 point_mort_rslv)"
expect_eq "desserrement" "15;ok;;" "$(get commune 81001 point_mort_desserrement)"
expect_eq "effet démographique" "5;ok;;" "$(get commune 81001 point_mort_effet_demographique)"
# Sitadel lists only communes with starts: 75102 (absent) has none.
expect_eq "housing starts of Paris" "3;ok;;" "$(get commune 75056 housing_starts)"

# TCAM, constructed check: 1000 -> 1100 over 6 years = 1.6012 % a year (a
# catalogue of a few lines, in another folder: a new indicator is a line).
# Its split (../shared/docs/indicators.md, "Population dynamics"): 80 births
# and 50 deaths in 2015-2020 (fixture base_naissances_2020.csv, NAISD15-20
# and DECESD15-20 of 81001), natural 0.4804 % and migration 1.1208 % a year.
GS6='"end=census_cc_pop:pop; start=census_cc_pop:pop@-6; births=births:naisd@-6..-1; deaths=births:decesd@-6..-1"'
mkdir -p "$SCRATCH/cat"
{ head -1 "$SRC/schemas/indicators.csv"
  echo 'tcam_6;1;TCAM sur 6 ans;% par an;100;census_cc_pop:pop;census_cc_pop:pop@-6;;growth:6;ok;portrait;Taux de croissance annuel moyen sur six ans.'
  echo "natural_6;1;TCAM dû au solde naturel sur 6 ans;% par an;100;$GS6;;;growth_natural:6;ok;portrait;Part du TCAM due au solde naturel."
  echo "migration_6;1;TCAM dû au solde migratoire sur 6 ans;% par an;100;$GS6;;;growth_migration:6;ok;portrait;Part du TCAM due au solde apparent des entrées et sorties."
  grep '^pop_total;' "$SRC/schemas/indicators.csv"; } >"$SCRATCH/cat/indicators.csv"
run 0 --db "$DB" --schemas "$SCRATCH/cat" compute
# value of LEVEL CODE INDICATOR (year 2021) in the test's catalogue, printf FORMAT
val() {
    "$CTGDIAG" --db "$DB" --schemas "$SCRATCH/cat" export --level "$1" --indicators "$3" --year 2021 |
        awk -F';' -v c="$2" -v f="$4" '$2 == c { printf f, $6 }'
}
expect_eq "TCAM 1000 -> 1100 over 6 years" "1.6012" "$(val commune 81001 tcam_6 %.4f)"
expect_eq "TCAM due to the natural balance" "0.4804" "$(val commune 81001 natural_6 %.4f)"
expect_eq "TCAM due to migration" "1.1208" "$(val commune 81001 migration_6 %.4f)"
expect_eq "natural + migration = TCAM" "1.6011867773" \
    "$(awk -v a="$(val commune 81001 natural_6 %.17g)" -v b="$(val commune 81001 migration_6 %.17g)" \
        'BEGIN { printf "%.10f", a + b }')"
# A group: the four inputs summed over its communes, then the split (ratio
# of sums, not the mean of the communes' rates, which would be 0.0695 %):
# EPCI 200000001 = 81001 + 81002, population 1480 -> 1600, births 80 + 30,
# deaths 50 + 40; TCAM = (1600/1480)^(1/6) - 1 = 1.30783737548 %, natural
# 20 x TCAM / 120 = 0.217972895913 %, migration 1.08986447956 %.
# No caution flag on these lines, even where the counts are small.
get6() {
    "$CTGDIAG" --db "$DB" --schemas "$SCRATCH/cat" export --level "$1" --indicators "$3" --year 2021 |
        awk -F';' -v c="$2" '$2 == c { printf "%s;%s;%s;%s", $6 == "" ? "" : sprintf("%.12g", $6), $7, $9, $10 }'
}
expect_eq "natural part, EPCI of two communes" "0.217972895913;ok;1;" "$(get6 epci 200000001 natural_6)"
expect_eq "migration part, EPCI of two communes" "1.08986447956;ok;1;" "$(get6 epci 200000001 migration_6)"
expect_eq "natural part of 81002 (population 480 -> 500, 30 births, 40 deaths)" \
    "-0.341343163338;ok;;" "$(get6 commune 81002 natural_6)"
# A population that did not change (75102: 400 -> 400): the split is
# undefined, missing (the TCAM itself is 0).
expect_eq "natural part when end = start" ";missing;;" "$(get6 arm 75102 natural_6)"
expect_eq "migration part when end = start" ";missing;;" "$(get6 arm 75102 migration_6)"
expect_eq "TCAM when end = start" "0;ok;;" "$(get6 arm 75102 tcam_6)"
# No births file for 81003: the split has no input there.
expect_eq "natural part without births" ";missing;;" "$(get6 commune 81003 natural_6)"

# Catalogue errors: exit 65 and PATH:LINE: message. (A span names one
# period YYYY-YYYY and needs FROM < TO; a growth split needs its four
# named inputs; N from 1 to 50.)
cat_error() { # WHAT LINE EXPECTED-MESSAGE
    mkdir -p "$SCRATCH/bad"
    { head -1 "$SRC/schemas/indicators.csv"; echo "$2"; } >"$SCRATCH/bad/indicators.csv"
    run 65 --schemas "$SCRATCH/bad" indicators
    grep -qF "$SCRATCH/bad/indicators.csv:2: $3" "$SCRATCH/err" || fail "$1: $(cat "$SCRATCH/err")"
}
cat_error "span with FROM >= TO" \
    "x;1;X;% par an;100;census_comparateur:nais@span:0..-5;census_comparateur:pop;;ratio;ok;portrait;X." \
    "a span @span:FROM..TO needs FROM < TO: 'census_comparateur:nais@span:0..-5'"
cat_error "span of one year" \
    "x;1;X;% par an;100;census_comparateur:nais@span:0..0;census_comparateur:pop;;ratio;ok;portrait;X." \
    "a span @span:FROM..TO needs FROM < TO"
cat_error "span without a range" \
    "x;1;X;% par an;100;census_comparateur:nais@span:-5;census_comparateur:pop;;ratio;ok;portrait;X." \
    "a span reads @span:FROM..TO (@span:-5..0): 'census_comparateur:nais@span:-5'"
cat_error "span with text after it" \
    "x;1;X;% par an;100;census_comparateur:nais@span:-5..0x;census_comparateur:pop;;ratio;ok;portrait;X." \
    "a span reads @span:FROM..TO (@span:-5..0)"
cat_error "growth split without deaths" \
    "x;1;X;% par an;100;\"end=census_cc_pop:pop; start=census_cc_pop:pop@-5; births=births:naisd@-5..-1\";;;growth_natural:5;ok;portrait;X." \
    "a growth-split line needs end, start, births and deaths"
cat_error "growth split with an unknown input" \
    "x;1;X;% par an;100;\"end=census_cc_pop:pop; begin=census_cc_pop:pop@-5\";;;growth_migration:5;ok;portrait;X." \
    "growth-split inputs are end, start, births and deaths: 'begin'"
cat_error "growth split of 0 years" \
    "x;1;X;% par an;100;$GS6;;;growth_natural:0;ok;portrait;X." \
    "growth_natural reads growth_natural:YEARS (1 to 50): 'growth_natural:0'"

# Export formats: the decimal comma, JSON (null for a secret value).
run 0 --db "$DB" compute
run 0 --db "$DB" export --level fr --indicators single_parent_share --decimal-comma
grep -q '^fr;FR;France;single_parent_share;2021;28,3018867924528;partial;2022;0,827586206896552;rounded;%;' \
    "$SCRATCH/out" || fail "decimal comma: $(cat "$SCRATCH/out")"
head -1 "$SCRATCH/out" | grep -q '^level;code;name;indicator;year;value;status;geo_year;coverage;flags;' ||
    fail "export header"
run 0 --db "$DB" export --level commune --indicators single_parent_share --format json
python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
by = {r["code"]: r for r in rows}
assert by["81002"]["value"] is None and by["81002"]["status"] == "secret", by["81002"]
assert by["81001"]["value"] == 25, by["81001"]
' "$SCRATCH/out" || fail "json export"
run 0 --db "$DB" export --level commune --in epci:200000001 --indicators caf_allocataires
expect_eq "units in an EPCI" 3 "$(wc -l <"$SCRATCH/out")"
run 0 --db "$DB" export --level fr --indicators pop_total --year all
expect_eq "every year of pop_total" "2015 2016 2021" "$(tail -n +2 "$SCRATCH/out" | cut -d';' -f5 | tr '\n' ' ' | sed 's/ $//')"

# indicators lists the catalogue and says what the warehouse can feed.
run 0 --db "$DB" indicators
grep -q '^median_income .* unavailable ' "$SCRATCH/out" || fail "median income unavailable here"
grep -q '^childcare_coverage .* computed ' "$SCRATCH/out" || fail "childcare computed here"
grep -q '^single_parent_share .* computed ' "$SCRATCH/out" || fail "single parents computed"
run 0 --db "$DB" indicators point_mort
grep -q 'built        sitadel:log_com@-4..0' "$SCRATCH/out" || fail "indicators point_mort: $(cat "$SCRATCH/out")"
# a span is written back as the catalogue writes it
run 0 --db "$DB" indicators pop_growth_natural
grep -q '^    births       census_comparateur:nais@span:-5..0$' "$SCRATCH/out" ||
    fail "indicators pop_growth_natural: $(cat "$SCRATCH/out")"
grep -q '^    deaths       births:decesd@-5..-1$' "$SCRATCH/out" ||
    fail "indicators pop_growth_natural: $(cat "$SCRATCH/out")"
grep -q '^  source 2     growth_natural$' "$SCRATCH/out" ||
    fail "indicators pop_growth_natural: $(cat "$SCRATCH/out")"

# The coverage decomposition of ../shared/docs/indicators.md (France 2015:
# 56.6 = assistantes maternelles 33.1 + EAJE 17.8 + pre-school 3.9 + home
# 1.7, whose rounded parts add up to 56.5), on places for 100,000 children
# (fixture caf_accueil_jeune_enfant_com_2021.csv): parts and total each to
# one decimal, and the unrounded parts add up to the total exactly.
one() { get commune 81001 "$1" 2021 | awk -F';' '{ printf "%.1f", $1 }'; }
expect_eq "coverage, total" "56.6" "$(one childcare_coverage)"
expect_eq "coverage, assistantes maternelles" "33.1" "$(one childcare_coverage_am)"
expect_eq "coverage, EAJE" "17.8" "$(one childcare_coverage_eaje)"
expect_eq "coverage, pre-school" "3.9" "$(one childcare_coverage_prescol)"
expect_eq "coverage, home" "1.7" "$(one childcare_coverage_gad)"
for part in am eaje prescol gad; do get commune 81001 childcare_coverage_$part 2021; done >"$SCRATCH/parts"
expect_eq "coverage: the parts add up to the total" "56.600000000" \
    "$(awk -F';' '{ s += $1 } END { printf "%.9f", s }' "$SCRATCH/parts")"

# Counts the CAF rounds to 5 give bounds (export's low;high): each count
# within 2 of the true one (../shared/docs/indicators.md). 81001: 100 -+ 2;
# 81003 with its commune déléguée, two counts: 40 -+ 4; France, six counts:
# 450 -+ 12. A ratio: the numerator at its least over the denominator at its
# greatest (10 - 2) / (10 + 30 + 4), and the other way round (10 + 2) / (40 - 4).
bounds() {
    "$CTGDIAG" --db "$DB" export --level "$1" --indicators "$3" --year "${4:-latest}" |
        awk -F';' -v c="$2" '$2 == c { print $(NF - 1) ";" $NF }'
}
expect_eq "bounds, a rounded count" "98;102" "$(bounds commune 81001 caf_allocataires)"
expect_eq "bounds, two rounded counts" "36;44" "$(bounds commune 81003 caf_allocataires)"
expect_eq "bounds, France" "438;462" "$(bounds fr FR caf_allocataires)"
expect_eq "bounds, a ratio" "18.1818181818182;33.3333333333333" "$(bounds commune 81001 single_parent_share)"
expect_eq "no bounds for a secret value" ";" "$(bounds commune 81002 single_parent_share)"
expect_eq "no bounds for census counts" ";" "$(bounds commune 81001 pop_total 2021)"

# A warehouse of schema version 2 (no bounds): a reader asks for a compute
# (65), the compute upgrades it and the bounds are there.
cp "$DB" "$SCRATCH/v2.db"
sqlite3 "$SCRATCH/v2.db" "ALTER TABLE indicator_value DROP COLUMN low; ALTER TABLE indicator_value DROP COLUMN high; UPDATE meta SET value = '2' WHERE key = 'schema_version'"
run 65 --db "$SCRATCH/v2.db" export
grep -q 'run `ctgdiag compute` once to upgrade it to version 4' "$SCRATCH/err" || fail "version 2: $(cat "$SCRATCH/err")"
run 0 --db "$SCRATCH/v2.db" compute
expect_eq "version 2 upgraded" "4" "$(sqlite3 "$SCRATCH/v2.db" "SELECT value FROM meta WHERE key = 'schema_version'")"
run 0 --db "$SCRATCH/v2.db" export --level fr --indicators caf_allocataires
expect_eq "bounds after the upgrade" "438;462" "$(awk -F';' 'NR == 2 { print $(NF - 1) ";" $NF }' "$SCRATCH/out")"

# compute --year recomputes that year only: a value row of 2021 it no longer
# writes (a unit planted by hand) goes, the same row of 2016 stays, and the
# year's own values come back as they were.
cp "$DB" "$SCRATCH/year.db"
plant() {
    sqlite3 "$SCRATCH/year.db" "INSERT INTO indicator_value (geo_year, indicator, year, level,
        code, value, status, flags) SELECT max(geo_year), 'caf_allocataires', '$1', 'commune',
        '99999', 1, 'ok', '' FROM indicator_year"
}
plant 2021
plant 2016
planted() {
    sqlite3 "$SCRATCH/year.db" "SELECT group_concat(year, ',') FROM (SELECT year FROM indicator_value
        WHERE code = '99999' ORDER BY year)"
}
expect_eq "rows planted" "2016,2021" "$(planted)"
run 0 --db "$SCRATCH/year.db" compute --year 2021
expect_eq "compute --year 2021 clears 2021 only" "2016" "$(planted)"
before=$(get commune 81003 caf_allocataires 2021)
[ -n "$before" ] || fail "no 2021 value for 81003"
expect_eq "2021 recomputed" "$before" "$(DB="$SCRATCH/year.db" get commune 81003 caf_allocataires 2021)"

# Passage tables (fixture passage_2016_2017.csv): a CAF extract of December
# 2016 in the geography of 2016, computed on the geography of 2022. 81098
# merged into 81001 adds up whole (100 + 20); 81097 split 0.6 / 0.4 between
# 81002 and 81003 is carried by population ratio, status approx:
# 81002 = 30 + 0.6 x 50, 81003 = 10 + 0.4 x 50; their EPCI 200000001
# (81001 + 81002) = 180, approx too.
expect_eq "2016 allocataires, a merge" "120;rounded;;" "$(get commune 81001 caf_allocataires 2016)"
expect_eq "2016 allocataires, a split (0.6)" "60;approx;;rounded" "$(get commune 81002 caf_allocataires 2016)"
expect_eq "2016 allocataires, a split (0.4)" "30;approx;;rounded" "$(get commune 81003 caf_allocataires 2016)"
expect_eq "2016 allocataires, EPCI" "180;approx;1;rounded" "$(get epci 200000001 caf_allocataires 2016)"
# ratio of carried sums: (5 + 0.6 x 10) / (5 + 15 + 0.6 x (10 + 20)) = 11 / 38
expect_eq "2016 single parents, a split" "28.9473684210526;approx;;rounded" \
    "$(get commune 81002 single_parent_share 2016)"
# the 2021 extract (geography of 2021) is not moved: the tables end in 2017
expect_eq "2021 allocataires untouched by the 2016 tables" "40;rounded;;" \
    "$(get commune 81003 caf_allocataires 2021)"

finish
