# End-to-end: the analysts' commands on the samples. `rank` against an
# independent computation from the raw file (R type-7 quartiles, sample sd,
# z-scores, competition ranks, 1.5 IQR outliers, Wilson intervals); a
# territory given as a list of communes equals the EPCI those communes make;
# `compare` against a golden table checked by eye; bad arguments.
. "$SRC/tests/lib.sh"
cd "$SRC"

# Before any compute: nothing to rank (66), with a message saying what to run.
run 0 --db "$DB" ingest samples
run 66 --db "$DB" rank pop_total
grep -q 'run `ctgdiag compute` first' "$SCRATCH/err" || fail "rank before compute: $(cat "$SCRATCH/err")"
run 0 --db "$DB" compute

# ------------------------------------------------------------------ rank
# single_parent_share 2021 over the 59 communes of CA Gaillac-Graulhet, from
# the raw Cafdata extract: indfoy_monoparent / (indfoy_monoparent +
# indfoy_couple_enf), each commune's counts.
run 0 --db "$DB" rank single_parent_share --in epci:200066124 --format csv
cp "$SCRATCH/out" "$SCRATCH/rank.csv"
run 0 --db "$DB" geo --level commune --in epci:200066124
cut -d';' -f2 "$SCRATCH/out" | tail -n +2 >"$SCRATCH/members"
expect_eq "communes of CA Gaillac-Graulhet" 59 "$(wc -l <"$SCRATCH/members")"
python3 - "$SCRATCH/rank.csv" "$SCRATCH/members" samples/generated/caf_allocataires_com_202112.csv <<'EOF' >"$SCRATCH/rank_check" || fail "rank: independent computation"
import csv, math, statistics, sys
rank_file, members_file, raw_file = sys.argv[1:]
members = set(open(members_file).read().split())
counts = {}
with open(raw_file, newline='', encoding='utf-8-sig') as f:
    for r in csv.DictReader(f, delimiter=';'):
        code = r['numcomdo'].zfill(5)
        if code in members:
            counts[code] = (float(r['indfoy_monoparent']), float(r['indfoy_couple_enf']))
assert len(counts) == 59, len(counts)
values = {c: 100 * m / (m + k) for c, (m, k) in counts.items()}
xs = sorted(values.values())
q1, med, q3 = statistics.quantiles(xs, n=4, method='inclusive')  # R type 7
mean, sd = statistics.fmean(xs), statistics.stdev(xs)
lo_f, hi_f = q1 - 1.5 * (q3 - q1), q3 + 1.5 * (q3 - q1)
z = 1.959963984540054
def wilson(k, n):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, c - h) if k > 0 else 0.0, min(1.0, c + h) if k < n else 1.0
bad = 0
with open(rank_file, newline='') as f:
    got = list(csv.DictReader(f, delimiter=';'))
assert len(got) == 59, len(got)
def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(b))
for r in got:
    c = r['code']
    v = values[c]
    want_rank = 1 + sum(1 for x in xs if x > v)
    want_q = 1 if v <= q1 else 2 if v <= med else 3 if v <= q3 else 4
    want_out = -1 if v < lo_f else 1 if v > hi_f else 0
    m, k = counts[c]
    lo, hi = wilson(m, m + k)
    checks = [('value', close(float(r['value']), v)), ('rank', int(r['rank']) == want_rank),
              ('quartile', int(r['quartile']) == want_q), ('z', close(float(r['z']), (v - mean) / sd)),
              ('outlier', int(r['outlier']) == want_out),
              ('ci_low', close(float(r['ci_low']), lo)), ('ci_high', close(float(r['ci_high']), hi))]
    for name, ok in checks:
        if not ok:
            bad += 1
            print(f'{c} {name}: got {r}', file=sys.stderr)
print(f'{q1:.12g} {med:.12g} {q3:.12g} {mean:.12g} {sd:.12g} {bad}')
EOF
set -- $(cat "$SCRATCH/rank_check")
expect_eq "rank: every commune as computed independently" 0 "${6:-x}"
run 0 --db "$DB" rank single_parent_share --in epci:200066124 --format json
python3 - "$SCRATCH/out" "$1" "$2" "$3" "$4" "$5" <<'EOF' || fail "rank --format json: distribution"
import json, sys
d = json.load(open(sys.argv[1]))['distribution']
want = [float(x) for x in sys.argv[2:7]]
got = [d['q1'], d['median'], d['q3'], d['mean'], d['sd']]
assert d['n'] == 59, d
for g, w in zip(got, want):
    assert abs(g - w) <= 1e-9 * max(1, abs(w)), (got, want)
EOF
# The table: ranks, the territory's own value, the legend.
run 0 --db "$DB" rank single_parent_share --in epci:200066124
grep -q '^CA Gaillac-Graulhet : 33,7 (calculé sur les sommes des communes)$' "$SCRATCH/out" ||
    fail "rank table: the EPCI's value"
grep -q '^Distribution sur 59 unités : ' "$SCRATCH/out" || fail "rank table: distribution line"
# The trend of a yearly series (births of the EPCI, 2011-2021, one source):
# slope and its standard error against least squares computed here.
run 0 --db "$DB" export --indicators births --level epci --in epci:200066124 --year all
cut -d';' -f5,6 "$SCRATCH/out" | tail -n +2 >"$SCRATCH/births"
run 0 --db "$DB" rank births --in epci:200066124 --format json
python3 - "$SCRATCH/births" "$SCRATCH/out" <<'EOF2' || fail "rank: the trend of births"
import json, math, sys
pts = [tuple(float(x) for x in l.split(';')) for l in open(sys.argv[1]) if l.strip()]
n = len(pts)
assert n == 11, pts
mx = sum(x for x, _ in pts) / n
my = sum(y for _, y in pts) / n
sxx = sum((x - mx) ** 2 for x, _ in pts)
slope = sum((x - mx) * (y - my) for x, y in pts) / sxx
rss = sum((y - my - slope * (x - mx)) ** 2 for x, y in pts)
se = math.sqrt(rss / (n - 2) / sxx)
ev = json.load(open(sys.argv[2]))['territory']['evolution']
t = ev['trend']
assert ev['census'] is False and t['n'] == n and t['from'] == '2011', ev
assert abs(t['slope'] - slope) <= 1e-9 * max(1, abs(slope)), (t, slope)
assert abs(t['se'] - se) <= 1e-9 * max(1, se), (t, se)
assert t['significant'] == (t['p'] < 0.05), t
EOF2
# A census indicator: no regression, the vintage five years before.
run 0 --db "$DB" rank pop_total --in epci:200066124
grep -q '^Évolution 2016 → 2021 (recensements à cinq ans d.écart, seule comparaison valable) : ' "$SCRATCH/out" ||
    fail "rank: census evolution"
grep -q '^Tendance' "$SCRATCH/out" && fail "rank: a trend over census vintages"
# Ranking EPCI of a département: the Tarn's EPCI, each once.
run 0 --db "$DB" rank pop_total --level epci --in dep:81 --format csv
expect_eq "EPCI of the Tarn ranked" "$(grep -c '^[0-9]*;epci;' "$SCRATCH/out")" \
    "$("$CTGDIAG" --db "$DB" geo --level epci --in dep:81 2>/dev/null | tail -n +2 | wc -l)"

# ------------------------------------------- a territory as a list of communes
# The 59 communes of CA Gaillac-Graulhet given one by one aggregate to the
# EPCI's values, statuses, coverages and flags, for every indicator computed.
list=$(paste -sd, "$SCRATCH/members")
ids=$("$CTGDIAG" --db "$DB" export --level epci --in epci:200066124 | tail -n +2 | cut -d';' -f4 | sort -u | paste -sd,)
cat >"$SCRATCH/list_is_epci.py" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline=''), delimiter=';'))
by = {}
for r in rows:
    kind = r['territory'].split(':')[0]
    if kind in ('communes', 'epci'):
        by.setdefault(r['indicator'], {})[kind] = r
checked = 0
for ind, pair in sorted(by.items()):
    a, b = pair['communes'], pair['epci']
    if b['status'] == 'ok' and 'approx' not in b['flags'] and a['status'] == 'approx':
        continue  # a producer's own EPCI figure (published rate): the list is a weighted mean
    for k in ('year', 'status', 'flags'):
        assert a[k] == b[k], (ind, k, a, b)
    for k in ('value', 'coverage'):
        if a[k] == '' or b[k] == '':
            assert a[k] == b[k], (ind, k, a, b)
        else:
            x, y = float(a[k]), float(b[k])
            assert abs(x - y) <= 1e-9 * max(1, abs(y)), (ind, k, a, b)
    checked += 1
assert checked >= 40, checked
print(checked)
EOF
run 0 --db "$DB" compare "communes:$list" epci:200066124 --indicators "$ids" --format csv
python3 "$SCRATCH/list_is_epci.py" "$SCRATCH/out" || fail "a list of communes against its EPCI"
# The same communes backwards: a list is a set, its order changes nothing.
rev=$(sort -r "$SCRATCH/members" | paste -sd,)
run 0 --db "$DB" compare "communes:$rev" epci:200066124 --indicators "$ids" --format csv
python3 "$SCRATCH/list_is_epci.py" "$SCRATCH/out" || fail "a list of communes backwards against its EPCI"
# export --in a list backwards, with a code the geography lacks (passed over):
# the EPCI's communes, each once, in code order, as export --in the EPCI.
run 0 --db "$DB" export --in "communes:$rev,81999" --year all
cp "$SCRATCH/out" "$SCRATCH/export_list"
run 0 --db "$DB" export --in epci:200066124 --year all
expect_file_eq "export --in a list backwards" "$SCRATCH/out" "$SCRATCH/export_list"
# A commune given twice is refused, never counted twice.
run 64 --db "$DB" export --in "communes:$rev,81099"

# ----------------------------------------------------------------- compare
run 0 --db "$DB" compare 81099 81105 31488
expect_file_eq "compare 81099 81105 31488" "$SRC/tests/e2e/golden/compare_81099_81105_31488.txt" "$SCRATCH/out"
# The figures of the table are export's, rounded: Gaillac's population.
pop=$("$CTGDIAG" --db "$DB" export --indicators pop_total --in commune:81099 | awk -F';' 'NR == 2 { printf "%.0f", $6 }')
grep -q "^Population municipale (habitants)   2021    $(echo "$pop" | sed "s/\(..\)\(...\)\$/\1$(printf '\342\200\257')\2/")" "$SCRATCH/out" ||
    fail "compare: Gaillac's population $pop"

# ------------------------------------------------ coverage decomposition
# On the samples every commune's tot_offre is the sum of its places by mode:
# for every EPCI, département and France (ratio of sums), the global coverage
# equals the sum of its four components.
for level in epci dep fr; do
    run 0 --db "$DB" export --level "$level" --year 2021 --indicators \
        childcare_coverage,childcare_coverage_eaje,childcare_coverage_am,childcare_coverage_gad,childcare_coverage_prescol
    python3 - "$SCRATCH/out" <<'EOF2' || fail "coverage decomposition at level $level"
import collections, csv, sys
v = collections.defaultdict(dict)
for r in csv.DictReader(open(sys.argv[1], newline=''), delimiter=';'):
    if r['value']:
        v[r['code']][r['indicator']] = float(r['value'])
n = 0
for code, d in v.items():
    if len(d) < 5:
        continue
    parts = sum(d['childcare_coverage_' + p] for p in ('eaje', 'am', 'gad', 'prescol'))
    assert abs(parts - d['childcare_coverage']) <= 1e-9 * d['childcare_coverage'], (code, d)
    n += 1
assert n > 0
EOF2
done

# -------------------------------------------------------------- IRIS level
# Saint-Jean (31488) is split into 4 IRIS: each IRIS's 0-2 year-olds of 2021
# equal the raw IRIS base (awk), and they add up to the commune's value.
run 0 --db "$DB" export --level iris --in commune:31488 --indicators pop_0_2 --year 2021
awk -F';' 'NR > 1 { printf "%s;%.6f;%s\n", $2, $6, $7 }' "$SCRATCH/out" >"$SCRATCH/iris_got"
awk -F';' 'NR > 1 && $5 == "31488" { printf "%s;%.6f;ok\n", $1, $14 }' \
    samples/generated/base-ic-evol-struct-pop-2021.CSV | sort >"$SCRATCH/iris_want"
expect_file_eq "0-2 year-olds of Saint-Jean's IRIS" "$SCRATCH/iris_want" "$SCRATCH/iris_got"
expect_eq "IRIS of Saint-Jean" 4 "$(wc -l <"$SCRATCH/iris_got")"
iris_sum=$(awk -F';' 'NR > 1 { s += $6 } END { printf "%.6f", s }' "$SCRATCH/out")
commune=$("$CTGDIAG" --db "$DB" export --in commune:31488 --indicators pop_0_2 --year 2021 | awk -F';' 'NR == 2 { printf "%.6f", $6 }')
expect_eq "Saint-Jean's IRIS add up to the commune" "$commune" "$iris_sum"
# Ranked within the commune, with quartiles over 4 IRIS.
run 0 --db "$DB" rank share_0_2 --level iris --in commune:31488 --year 2021 --format csv
expect_eq "IRIS ranked" 4 "$(grep -c '^[1-4];iris;31488' "$SCRATCH/out")"
# Indicators of commune-level files have no IRIS value (no IRIS row written).
run 0 --db "$DB" export --level iris --indicators pop_total
expect_eq "no IRIS value from commune files" 1 "$(wc -l <"$SCRATCH/out")"
# CAF IRIS 2018 (real file restricted to 81/31): a withheld cell is secret at
# the IRIS level, never 0.
secret_raw=$(awk -F';' 'NR > 1 && ($3 ~ /^(81|31)/) && $9 == "" { n++ } END { print n + 0 }' samples/caf/data_CAF_2018_IRIS.csv)
run 0 --db "$DB" export --level iris --indicators caf_allocataires --year 2018
[ "$secret_raw" -gt 0 ] || fail "the CAF IRIS sample has no withheld cell"
expect_eq "CAF IRIS 2018: withheld IRIS secret" "$secret_raw" "$(awk -F';' '$7 == "secret" && $6 == ""' "$SCRATCH/out" | wc -l)"

# ------------------------------------------------------------ bad arguments
run 64 --db "$DB" rank no_such_indicator
run 64 --db "$DB" rank pop_total --in epci:12
run 64 --db "$DB" rank pop_total --in epci:999999999
grep -q 'no epci 999999999 in the geography of 2022' "$SCRATCH/err" || fail "unknown EPCI: $(cat "$SCRATCH/err")"
run 64 --db "$DB" rank pop_total --in communes:81099,81099
run 64 --db "$DB" rank pop_total --level pseudo
run 64 --db "$DB" compare
run 64 --db "$DB" compare 81099 --indicators pop_total,nope
run 64 --db "$DB" compare 99999
run 64 --db "$DB" compare 81099 --format xml
run 64 --db "$DB" rank pop_total --in fr:81
run 64 --db "$DB" rank pop_total --in communes:81099,81999
grep -q 'no commune 81999 in the geography of 2022' "$SCRATCH/err" || fail "a list with an unknown commune: $(cat "$SCRATCH/err")"
run 64 --db "$DB" compare communes:81099,81999
run 64 --db "$DB" compare 81099 81105 81004 81065 81060 81140 81163 81271 31555 31069 31395
# Ten communes (the most compare takes) of seven EPCI (Castres and Mazamet,
# Lavaur and Saint-Sulpice, Toulouse and Blagnac share theirs) and two
# départements: 10 + 7 + 2 + 1 columns.
run 0 --db "$DB" compare 81099 81004 81065 81060 81140 81163 81271 31555 31069 31395 --indicators pop_total --format csv
expect_eq "compare: columns with their EPCI, départements and France" 20 "$(tail -n +2 "$SCRATCH/out" | wc -l)"
run 0 --db "$DB" compare FR --indicators pop_total --format csv
expect_eq "compare FR" "fr:FR" "$(tail -n +2 "$SCRATCH/out" | cut -d';' -f1)"

finish
