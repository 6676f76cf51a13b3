# End-to-end: an analyst adds a family of files with a text file only (no C),
# as docs/schemas.md describes, and ctgdiag reads such files from then on.
. "$SRC/tests/lib.sh"
mkdir -p "$SCRATCH/schemas" "$SCRATCH/in"
cat >"$SCRATCH/schemas/ecoles.family" <<'FAMILY'
# Schools per commune at the start of a school year (a made-up extract in the
# style of the Éducation nationale open data), to prove a family is data.
[family]
id = ecoles_commune
label = Écoles du premier degré par commune
producer = Éducation nationale
target = observations

[recognise]
require = ^code_commune$
require = ^nb_ecoles_publiques$

[read]
empty = missing
secret = s
vintage = column ^effectifs_([0-9]{4})$
vintage = filename
geo_year = vintage

[unit]
code = ^code_commune$
level = commune
name = ^nom_commune$

[columns]
map = ^nb_ecoles_(publiques|privees)$ -> ecoles_\1 : count
map = ^effectifs_([0-9]{4})$ -> eleves @ \1 : count
map = ^taux_remplissage$ -> taux_remplissage : rate
FAMILY
printf 'nom_commune;code_commune;nb_ecoles_publiques;nb_ecoles_privees;effectifs_2023;taux_remplissage\n' >"$SCRATCH/in/ecoles.csv"
printf 'Gaillac;81099;9;2;1 204;87,5\n' >>"$SCRATCH/in/ecoles.csv"
printf 'Graulhet;81105;8;1;s;91,0\n' >>"$SCRATCH/in/ecoles.csv"
printf 'Saint-Jean;31488;6;0;1 010;\n' >>"$SCRATCH/in/ecoles.csv"

# Without the family, the file is of no known family.
run 65 --db "$DB" ingest "$SCRATCH/in/ecoles.csv"
grep -q 'no header of a known family' "$SCRATCH/err" || fail "unknown before: $(cat "$SCRATCH/err")"

# With it (--schemas, or $CTGDIAG_SCHEMAS), `schemas` lists it and the file loads.
run 0 --schemas "$SCRATCH/schemas" schemas
grep -q '^ecoles_commune  *observations  *Éducation nationale' "$SCRATCH/out" || fail "schemas: $(cat "$SCRATCH/out")"
run 0 --schemas "$SCRATCH/schemas" schemas ecoles_commune
grep -q 'nb_ecoles_(publiques|privees)' "$SCRATCH/out" || fail "schemas ecoles_commune"
CTGDIAG_SCHEMAS="$SCRATCH/schemas" run 0 --db "$DB" ingest "$SCRATCH/in/ecoles.csv"
grep -q 'ecoles.csv: loaded schema=ecoles_commune vintage=2023 rows=3 loaded=3 rejected=0 duplicates=0 secret=1$' \
    "$SCRATCH/out" || fail "ingest: $(cat "$SCRATCH/out")"

"$WHDUMP" "$DB" --content >"$SCRATCH/dump"
for want in \
    'ecoles_commune|commune|81099|2023|ecoles_publiques|9|ok' \
    'ecoles_commune|commune|81099|2023|ecoles_privees|2|ok' \
    'ecoles_commune|commune|81099|2023|eleves|1204|ok' \
    'ecoles_commune|commune|81099|2023|taux_remplissage|87.5|ok' \
    'ecoles_commune|commune|81105|2023|eleves|NULL|secret' \
    'ecoles_commune|commune|31488|2023|taux_remplissage|NULL|missing'; do
    grep -qxF "$want" "$SCRATCH/dump" || fail "missing: $want"
done

# A mistake in a family file is reported with its file and line.
printf '[family]\nid = broken\nlabel = x\nproducer = y\n[columns]\nmap = ^a$ -> a : percent\n' \
    >"$SCRATCH/schemas/broken.family"
run 65 --schemas "$SCRATCH/schemas" schemas
grep -q 'broken.family:6: unknown kind .percent.' "$SCRATCH/err" || fail "broken family: $(cat "$SCRATCH/err")"

finish
