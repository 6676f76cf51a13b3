# End-to-end: the same data saved in other ways load to the same warehouse
# content (product.md, "What real means"): another encoding (Windows-1252),
# a BOM and CRLF line ends, lost leading zeros, reordered columns with the
# header in another case, every field quoted, the other decimal mark,
# thousands separated by U+202F / U+00A0.
# Fixtures: real rows of Filosofi 2021 and of the table d'appartenance 2022
# (Insee), tests/e2e/fixtures/*_extract.csv.
. "$SRC/tests/lib.sh"
F="$SRC/tests/e2e/fixtures"
V="$SCRATCH/variants"
mkdir -p "$V"

# load NAME FILE...: loads the files into their own warehouse and dumps its content.
load() {
    name=$1
    shift
    run 0 --db "$SCRATCH/$name.db" ingest "$@"
    grep -q ': loaded ' "$SCRATCH/out" || fail "$name: not loaded: $(cat "$SCRATCH/out")"
    "$WHDUMP" "$SCRATCH/$name.db" --content >"$SCRATCH/$name.dump"
}

# Each variant keeps the original file names (a file's name is part of its identity).
variant() {
    mkdir -p "$V/$1"
    echo "$V/$1"
}

APP=appartenance_2022_extract.csv
FIL=filosofi_2021_extract.csv

load original "$F/$APP" "$F/$FIL"

# Windows-1252
d=$(variant cp1252)
iconv -f UTF-8 -t CP1252 "$F/$APP" >"$d/$APP"
cp "$F/$FIL" "$d/$FIL"
load cp1252 "$d/$APP" "$d/$FIL"
"$WHDUMP" "$SCRATCH/cp1252.db" | grep -q "^$APP|.*|Windows-1252|;|" || fail "the CP1252 variant was not read as Windows-1252"

# BOM and CRLF
d=$(variant bom_crlf)
{ printf '\357\273\277'; sed 's/$/\r/' "$F/$APP"; } >"$d/$APP"
{ printf '\357\273\277'; sed 's/$/\r/' "$F/$FIL"; } >"$d/$FIL"
load bom_crlf "$d/$APP" "$d/$FIL"

# Lost leading zeros (a spreadsheet round trip): codes 01001 -> 1001, département 01 -> 1
d=$(variant zeros)
awk -F';' 'BEGIN { OFS = ";" } NR > 6 { sub(/^0/, "", $1); sub(/^0/, "", $3) } { print }' \
    "$F/$APP" >"$d/$APP"
sed 's/^0\([1-9]\)/\1/' "$F/$FIL" >"$d/$FIL"
grep -q '^1001;' "$d/$FIL" || fail "the lost-zeros variant lost no zero"
load zeros "$d/$APP" "$d/$FIL"

# Columns in reverse order, header in lower case
d=$(variant reordered)
awk -F';' 'BEGIN { OFS = ";" }
    NR <= 4 { print; next }
    { line = $NF; for (i = NF - 1; i >= 1; i--) line = line ";" $i; print (NR == 6 ? tolower(line) : line) }' \
    "$F/$APP" >"$d/$APP"
awk -F';' '{ line = $NF; for (i = NF - 1; i >= 1; i--) line = line ";" $i; print (NR == 1 ? tolower(line) : line) }' \
    "$F/$FIL" >"$d/$FIL"
load reordered "$d/$APP" "$d/$FIL"

# Every field quoted (Melodi-style exports), with a doubled quote kept inside a name
d=$(variant quoted)
awk -F';' 'BEGIN { OFS = ";" } NR <= 4 { print; next } { for (i = 1; i <= NF; i++) { gsub(/"/, "\"\"", $i); $i = "\"" $i "\"" } print }' \
    "$F/$APP" >"$d/$APP"
awk -F';' 'BEGIN { OFS = ";" } { for (i = 1; i <= NF; i++) $i = "\"" $i "\""; print }' "$F/$FIL" >"$d/$FIL"
load quoted "$d/$APP" "$d/$FIL"

# Decimal point instead of comma; thousands grouped with U+202F (counts) and U+00A0 (incomes)
d=$(variant numbers)
cp "$F/$APP" "$d/$APP"
awk -F';' 'BEGIN { OFS = ";"; nnbsp = "\342\200\257"; nbsp = "\302\240" }
    function group(v, sep,   out) {
        if (v !~ /^[0-9]+$/ || length(v) <= 3) return v
        out = ""
        while (length(v) > 3) { out = sep substr(v, length(v) - 2) out; v = substr(v, 1, length(v) - 3) }
        return v out
    }
    NR > 1 { for (i = 2; i <= NF; i++) gsub(/,/, ".", $i); $2 = group($2, nnbsp); $3 = group($3, nnbsp); $4 = group($4, nbsp) }
    { print }' "$F/$FIL" >"$d/$FIL"
grep -q "1$(printf '\342\200\257')958$(printf '\342\200\257')437" "$d/$FIL" || fail "no grouped thousands in the variant"
load numbers "$d/$APP" "$d/$FIL"

for v in cp1252 bom_crlf zeros reordered quoted numbers; do
    expect_file_eq "content of the $v variant" "$SCRATCH/original.dump" "$SCRATCH/$v.dump"
done

# The content is right, not only equal: names with accents, codes in full
# width, Corsica, overseas, secret cells, values.
grep -q "|commune|01001|L'Abergement-Clémenciat|01|84|200069193|CC|" "$SCRATCH/original.dump" ||
    fail "01001 and its name"
grep -q "|commune|22016|Île-de-Bréhat|22|53|NULL|ZZ|" "$SCRATCH/original.dump" ||
    fail "Île-de-Bréhat in no EPCI (ZZZZZZZZZ)"
grep -q "|commune|97101|Les Abymes|971|01|" "$SCRATCH/original.dump" || fail "97101"
grep -q "^filosofi_com|commune|2A004|2021|med|23320|ok$" "$SCRATCH/original.dump" || fail "Ajaccio MED21"
grep -q "^filosofi_com|commune|01001|2021|tp60|NULL|secret$" "$SCRATCH/original.dump" || fail "01001 TP6021 secret"
grep -q "^filosofi_com|commune|01004|2021|pimpot|-14.800000000000001|ok$" "$SCRATCH/original.dump" ||
    fail "01004 PIMPOT21 -14,8"
grep -q "^filosofi_com|commune|75056|2021|nbpersmenfisc|1958437|ok$" "$SCRATCH/original.dump" ||
    fail "Paris NBPERSMENFISC21"
grep -q "^filosofi_com|arm|75101|2021|med|35030|ok$" "$SCRATCH/original.dump" ||
    fail "75101 is an arrondissement, kept apart from the commune 75056"

finish
