# End-to-end: the bad-input corpus (tests/bad, product.md "Bad input").
#
# Each line of tests/bad/cases.tsv is one case: an input (a fixture of
# tests/bad, or a gen_* function below that writes it) ingested into a copy of
# a small baseline warehouse, with its expected exit code, stderr and stdout.
#   kind file: a bad file. Exit 64/65/66 and the warehouse exactly as before
#              (whdump, which leaves out the run log); or exit 0 for the inputs
#              that must load (checked by their check_* function).
#   kind row:  bad rows. Exit 0, the file loaded, rows = loaded + rejected +
#              duplicates, the rows stored and the rejects kept match the
#              summary line, and every row diagnostic on stderr is in
#              `ctgdiag status --rejects` with the same line and reason.
# A function check_<id> (dashes as underscores), when defined, adds checks.
# Lines starting with '#' followed by an id are known bugs, not run; run them
# with CTG_BAD_KNOWN=1. CTG_BAD_ONLY=id runs that case alone.
. "$SRC/tests/lib.sh"

BAD="$SRC/tests/bad"
TAB=$(printf '\t')
TO=
if command -v timeout >/dev/null 2>&1; then TO="timeout 120"; fi

# section TITLE DUMP: the lines of one section of a whdump output.
section() {
    awk -v s="== $1" '$0 == s { on = 1; next } /^== / { on = 0 } on' "$2"
}

# count_lines_from NAME FILE: lines of FILE starting with "NAME|".
count_lines_from() {
    awk -F'|' -v n="$1" '$1 == n { c++ } END { print c + 0 }' "$2"
}

# ---------------------------------------------------------------- baseline

cd "$SRC"
"$CTGDIAG" --db "$SCRATCH/base.db" ingest samples/insee/cog_commune_2022.csv \
    samples/caf/data_CAF_2020_IRIS.csv >"$SCRATCH/base.out" 2>&1 || {
    cat "$SCRATCH/base.out" >&2
    echo "FAIL: the baseline does not load" >&2
    exit 1
}
"$WHDUMP" "$SCRATCH/base.db" >"$SCRATCH/base.dump"
rm -f "$SCRATCH/base.db-wal" "$SCRATCH/base.db-shm"

# ------------------------------------------------------------- generators
# Each runs in the case's folder, writes its input there and prints the
# argument(s) to give to `ctgdiag ingest`.

# A PNG image saved under a .csv name: signature and the start of IHDR.
gen_binary_png() {
    printf '\211PNG\r\n\032\n\000\000\000\rIHDR\000\000\001\000\000\000\001\000\010\006\000\000\000' >image.csv
    echo image.csv
}

# A .csv.gz renamed .csv (gzip magic 1F 8B).
gen_gzip_renamed() {
    gzip -cn "$BAD/filosofi-valid.csv" >cc_filosofi_2021_COM.csv
    echo cc_filosofi_2021_COM.csv
}

# "Unicode text" saved by a spreadsheet: UTF-16LE with its BOM.
gen_utf16() {
    { printf '\377\376'; iconv -f UTF-8 -t UTF-16LE "$BAD/filosofi-valid.csv"; } >filosofi-utf16.csv
    echo filosofi-utf16.csv
}

# The real Filosofi sample (900 rows) with a NUL byte on line 200, beyond the
# lines peeked to find the header.
gen_nul_in_real_file() {
    f="$SRC/samples/insee/cc_filosofi_2021_COM.csv"
    {
        head -n 199 "$f"
        sed -n 200p "$f" | cut -d';' -f1 | tr -d '\n'
        printf ';\000'
        sed -n 200p "$f" | cut -d';' -f2-
        tail -n +201 "$f"
    } >cc_filosofi_2021_COM-nul.csv
    echo cc_filosofi_2021_COM-nul.csv
}

# An ESC byte (a terminal colour code) inside line 12.
gen_control_byte() {
    esc=$(printf '\033')
    sed "12s/;/;${esc}[0m/" "$BAD/filosofi-valid.csv" >filosofi-escape.csv
    echo filosofi-escape.csv
}

# Line 12: MED21 is 1,000,000 digits.
gen_field_1mb() {
    {
        head -n 11 "$BAD/filosofi-valid.csv"
        printf '81099;7174;14806;'
        head -c 1000000 /dev/zero | tr '\0' '7'
        printf ';43,0;19,0\n'
        tail -n +13 "$BAD/filosofi-valid.csv"
    } >filosofi-field-1mb.csv
    echo filosofi-field-1mb.csv
}

# Line 1: a header field of 1,100,000 bytes (past the first block of the reader).
gen_field_1mb_in_header() {
    {
        printf 'CODGEO;LIBGEO'
        head -c 1100000 /dev/zero | tr '\0' 'A'
        tail -c +7 "$BAD/filosofi-valid.csv"
    } >filosofi-header-field-1mb.csv
    echo filosofi-header-field-1mb.csv
}

# Line 12: a million columns (1,000,000 fields).
gen_million_columns() {
    {
        head -n 11 "$BAD/filosofi-valid.csv"
        printf '81099'
        head -c 999999 /dev/zero | tr '\0' ';'
        printf '\n'
        tail -n +13 "$BAD/filosofi-valid.csv"
    } >filosofi-million-columns.csv
    echo filosofi-million-columns.csv
}

# Line 12: a real row followed by 9,973 more fields: 10,001 in all.
gen_columns_10001_row() {
    {
        head -n 11 "$BAD/filosofi-valid.csv"
        sed -n 12p "$BAD/filosofi-valid.csv" | tr -d '\n'
        awk 'BEGIN { for (i = 29; i <= 10001; i++) printf ";1"; printf "\n" }'
        tail -n +13 "$BAD/filosofi-valid.csv"
    } >filosofi-row-10001-columns.csv
    echo filosofi-row-10001-columns.csv
}

# wide_header LAST NAME: the Filosofi header with columns X29..XLAST after
# its 28, and every row padded with empty fields to the same width.
wide_header() {
    awk -v last="$1" 'NR == 1 { printf "%s", $0; for (i = 29; i <= last; i++) printf ";X%d", i; printf "\n"; next }
        { printf "%s", $0; for (i = 29; i <= last; i++) printf ";"; printf "\n" }' \
        "$BAD/filosofi-valid.csv" >"$2"
    echo "$2"
}
gen_columns_10001_header() { wide_header 10001 filosofi-header-10001-columns.csv; }
gen_columns_513_header() { wide_header 513 filosofi-header-513-columns.csv; }

# 70 title lines, then the header: beyond the 64 lines searched for it.
gen_header_after_70_lines() {
    {
        i=1
        while [ $i -le 70 ]; do
            echo "Revenus et pauvreté des ménages en 2021 - note $i"
            i=$((i + 1))
        done
        cat "$BAD/filosofi-valid.csv"
    } >filosofi-header-line-71.csv
    echo filosofi-header-line-71.csv
}

# A valid file with CR-only line ends (old Mac).
gen_cr_only() {
    tr '\n' '\r' <"$BAD/filosofi-valid.csv" >filosofi-cr-only.csv
    echo filosofi-cr-only.csv
}

# A folder holding two real files and three links that make loops.
gen_symlink_loop() {
    mkdir -p drop/sub
    cp "$BAD/rpls.csv" drop/rpls_2021.csv
    cp "$BAD/filosofi-valid.csv" drop/sub/cc_filosofi_2021_COM.csv
    ln -s . drop/self
    ln -s .. drop/sub/up
    ln -s ../sub drop/sub/again
    echo drop
}

gen_missing_path() {
    echo does-not-exist.csv
}

# A corrected version of a loaded file: same name, other folder.
gen_same_name_corrected() {
    mkdir -p corrige
    cp "$BAD/data_CAF_2020_IRIS-31044-corrige.csv" corrige/data_CAF_2020_IRIS.csv
    echo corrige/data_CAF_2020_IRIS.csv
}

# ------------------------------------------------------- per-case checks
# They run in the case's folder after the generic checks; $DB is the case's
# warehouse, out / err / after.dump what the run left.

# load_fresh DB FILE: loads FILE into a fresh copy of the baseline.
load_fresh() {
    cp "$SCRATCH/base.db" "$1"
    "$CTGDIAG" --db "$1" ingest "$2" >/dev/null 2>&1 </dev/null || fail "case $id: $2 does not load"
}

# same_content_as FILE: the warehouse holds what loading FILE gives.
same_content_as() {
    load_fresh ref.db "$1"
    "$WHDUMP" ref.db --content >ref.content
    "$WHDUMP" "$DB" --content >case.content
    if ! cmp -s ref.content case.content; then
        fail "case $id: the warehouse differs from a load of $1"
        diff ref.content case.content | head -20 >&2 || true
    fi
}

check_cr_only() {
    cp "$BAD/filosofi-valid.csv" .
    same_content_as filosofi-valid.csv
}

check_lost_zeros() {
    awk -F';' -v OFS=';' 'NR > 1 { $1 = sprintf("%05d", $1) } { print }' \
        cc_filosofi_2021_COM-lost-zeros.csv >cc_filosofi_2021_COM-zeros.csv
    same_content_as cc_filosofi_2021_COM-zeros.csv
    grep -q '^filosofi_com|commune|01001|2021|med|25820|ok$' case.content ||
        fail "case $id: 01001 (written 1001) is not in the observations"
}

check_collision_replace() {
    section "source files" after.dump | cut -d'|' -f1 >names
    if grep -qx 'data_CAF_2020_IRIS.csv' names; then fail "case $id: the replaced file is still there"; fi
    grep -qx 'data_CAF_2020_IRIS-31044-corrige.csv' names || fail "case $id: the new file is not there"
    expect_eq "case $id: rows of the replaced file" 0 \
        "$(section rows after.dump | count_lines_from data_CAF_2020_IRIS.csv -)"
}

check_same_name_corrected() {
    "$CTGDIAG" --db "$DB" status >status.out </dev/null
    grep -q ' corrige/data_CAF_2020_IRIS.csv$' status.out || fail "case $id: the corrected file is not listed"
    if grep -q 'samples/caf/data_CAF_2020_IRIS.csv' status.out; then
        fail "case $id: the replaced file is still listed"
    fi
    expect_eq "case $id: rows of IRIS 2020" 5 "$(section rows after.dump | count_lines_from data_CAF_2020_IRIS.csv -)"
}

check_symlink_loop() {
    expect_eq "case $id: files loaded" 2 "$(grep -c ': loaded ' out || true)"
    expect_eq "case $id: loops skipped" 3 "$(grep -c ': skipped (a folder already read: a loop of links)$' out || true)"
    grep -qx 'drop/self: skipped (a folder already read: a loop of links)' out || fail "case $id: drop/self"
    grep -qx 'drop/sub/again: skipped (a folder already read: a loop of links)' out || fail "case $id: drop/sub/again"
    expect_eq "case $id: rows of the RPLS file" 24 "$(section rows after.dump | count_lines_from rpls_2021.csv -)"
    expect_eq "case $id: rows of the Filosofi file" 24 \
        "$(section rows after.dump | count_lines_from cc_filosofi_2021_COM.csv -)"
}

check_conflict() {
    # the other row of the pair names the first one
    grep -qF 'filosofi-conflict-same-unit.csv:4: row rejected: same unit as line 5 with different values (both rows rejected)' err ||
        fail "case $id: line 4 is not rejected naming line 5"
    if section rows after.dump | grep -q '^filosofi-conflict-same-unit.csv|commune|81018|'; then
        fail "case $id: 81018 was stored"
    fi
}

check_duplicate_row() {
    expect_eq "case $id: rows for 81018" 1 \
        "$(section rows after.dump | grep -c '^filosofi-duplicate-row.csv|commune|81018|' || true)"
}

check_pseudo_codes() {
    "$CTGDIAG" --db "$DB" status --notices >notices.out </dev/null
    for want in \
        "caf_allocataires_com-pseudo-codes.csv:2: pseudo '99999': a pseudo-code that names no place" \
        "caf_allocataires_com-pseudo-codes.csv:3: pseudo 'XXXXX': a pseudo-code that names no place" \
        "caf_allocataires_com-pseudo-codes.csv:28: pseudo '': no code: units the producer could not place"; do
        grep -qxF "$want" notices.out || fail "case $id: no notice '$want'"
    done
    expect_eq "case $id: pseudo rows stored" 3 \
        "$(section rows after.dump | grep -c '^caf_allocataires_com-pseudo-codes.csv|pseudo|' || true)"
    section counts after.dump | grep -qx 'caf_com_allocataires|2021-12|27|27|0|0|0|0|3' ||
        fail "case $id: the file's counts do not show 3 pseudo-units"
}

check_pseudo_codes_portal() {
    "$CTGDIAG" --db "$DB" status --notices >notices.out </dev/null
    for want in \
        "AllocatairesCom2015-pseudo-codes.csv:2: pseudo '99999': a pseudo-code that names no place" \
        "AllocatairesCom2015-pseudo-codes.csv:3: pseudo 'XXXXX': a pseudo-code that names no place"; do
        grep -qxF "$want" notices.out || fail "case $id: no notice '$want'"
    done
    expect_eq "case $id: pseudo rows stored" 2 \
        "$(section rows after.dump | grep -c '^AllocatairesCom2015-pseudo-codes.csv|pseudo|' || true)"
}

check_row_of_separators() {
    "$CTGDIAG" --db "$DB" status --notices >notices.out </dev/null
    grep -qxF "filosofi-row-of-separators.csv:11: blank '': a row of empty fields, read as a blank line" notices.out ||
        fail "case $id: the row of separators is not reported"
}

# ---------------------------------------------------------------- runner

# run_case ID INPUT ARGS CODE STDERR STDOUT KIND
run_case() {
    id=$1 input=$2 args=$3 code=$4 want_err=$5 want_out=$6 kind=$7
    dir="$SCRATCH/cases/$id"
    mkdir -p "$dir"
    cd "$dir"
    DB="$dir/w.db"
    cp "$SCRATCH/base.db" "$DB"
    case $input in
    gen_*) inputs=$($input) || { fail "case $id: $input failed"; return 0; } ;;
    *)
        if cp "$BAD/$input" .; then inputs=$input; else
            fail "case $id: no fixture $input"
            return 0
        fi
        ;;
    esac
    [ "$args" = - ] && args=
    "$WHDUMP" "$DB" >before.dump
    set +e
    # shellcheck disable=SC2086
    $TO "$CTGDIAG" --db "$DB" ingest $args $inputs >out 2>err </dev/null
    got=$?
    set -e
    "$WHDUMP" "$DB" >after.dump
    nfail=$failures
    show="ctgdiag ingest${args:+ $args} $inputs"

    [ "$got" = "$code" ] || fail "case $id: $show: exit $got, expected $code"
    if grep -q 'Sanitizer\|runtime error:' err; then fail "case $id: a sanitizer report"; fi
    if [ "$want_err" != - ]; then
        case $want_err in
        re:*) grep -qE -- "${want_err#re:}" err || fail "case $id: stderr does not match /${want_err#re:}/" ;;
        *) grep -qF -- "$want_err" err || fail "case $id: stderr lacks '$want_err'" ;;
        esac
    fi
    if [ "$want_out" != - ]; then
        case $want_out in
        re:*) grep -qE -- "${want_out#re:}" out || fail "case $id: stdout does not match /${want_out#re:}/" ;;
        *) grep -qF -- "$want_out" out || fail "case $id: stdout lacks '$want_out'" ;;
        esac
    fi

    if [ "$kind" = file ] && [ "$code" != 0 ]; then
        cmp -s before.dump after.dump || {
            fail "case $id: the warehouse changed"
            diff before.dump after.dump | head -10 >&2 || true
        }
        if [ "$code" != 64 ]; then
            for f in $inputs; do
                grep -qF -- "$f" err || fail "case $id: stderr does not name $f"
            done
        fi
    elif [ "$kind" = file ] || [ "$kind" = row ]; then
        # exit 0: every file loaded is accounted for
        [ "$kind" = file ] || grep -q ': loaded ' out || fail "case $id: no file loaded"
        sed -n 's/: loaded .*//p' out >loaded.paths
        while IFS= read -r p; do check_loaded "$p"; done <loaded.paths
    fi
    case $kind in file | row) ;; *) fail "case $id: kind '$kind' is neither file nor row" ;; esac

    fn=check_$(echo "$id" | tr '-' '_')
    if type "$fn" >/dev/null 2>&1; then "$fn"; fi

    if [ "$failures" != "$nfail" ]; then
        sed 's/^/    stdout: /' out | cut -c1-300 | head -8 >&2
        sed 's/^/    stderr: /' err | cut -c1-300 | head -12 >&2
    fi
    cd "$SCRATCH"
}

# check_loaded PATH: the accounting of a file loaded (with or without bad
# rows): its summary line, the rows stored, the rejects kept, and the row
# diagnostics on stderr found in `ctgdiag status --rejects`.
check_loaded() {
    path=$1
    name=${path##*/}
    line=$(grep -F "$path: loaded " out | head -n 1)
    if [ -z "$line" ]; then
        fail "case $id: $path is not loaded"
        return 0
    fi
    # shellcheck disable=SC2046 # four numbers, split on purpose
    set -- $(echo "$line" | sed 's/.* rows=\([0-9]*\) loaded=\([0-9]*\) rejected=\([0-9]*\) duplicates=\([0-9]*\) .*/\1 \2 \3 \4/')
    n_rows=${1:-x} n_loaded=${2:-x} n_rejected=${3:-x} n_dups=${4:-x}
    case "$#:$n_rows$n_loaded$n_rejected$n_dups" in
    4:*[!0-9]*) fail "case $id: no counts in '$line'"; return 0 ;;
    4:*) ;;
    *) fail "case $id: no counts in '$line'"; return 0 ;;
    esac
    expect_eq "case $id: $path: rows = loaded + rejected + duplicates" "$n_rows" \
        $((n_loaded + n_rejected + n_dups))
    expect_eq "case $id: $path: rows stored" "$n_loaded" \
        "$(section rows after.dump | count_lines_from "$name" -)"
    expect_eq "case $id: $path: rejects kept" "$n_rejected" \
        "$(section rejects after.dump | count_lines_from "$name" -)"
    "$CTGDIAG" --db "$DB" status --rejects >rejects.out </dev/null
    grep -F "$path:" err | sed -n 's/: row rejected: /: /p' >diag.lines || true
    while IFS= read -r d; do
        grep -qxF -- "$d" rejects.out || fail "case $id: '$d' is not in status --rejects"
    done <diag.lines
    if [ "$n_rejected" -gt 0 ] && [ ! -s diag.lines ]; then
        fail "case $id: $path: no row diagnostic on stderr"
    fi
    if [ "$n_rejected" = 0 ] && [ -s err ]; then
        fail "case $id: $path: no row rejected, yet stderr is not empty"
    fi
}

ran=0 n_file=0 n_row=0 known=""
while IFS= read -r tsv <&3; do
    case $tsv in
    '' | '#' | '# '*) continue ;;
    '#'*)
        if [ "${CTG_BAD_KNOWN:-0}" = 1 ]; then
            tsv=${tsv#\#}
        else
            c_id=${tsv%%"$TAB"*}
            known="$known ${c_id#\#}"
            continue
        fi
        ;;
    esac
    IFS=$TAB read -r c_id c_input c_args c_code c_err c_out c_kind <<EOF
$tsv
EOF
    if [ -n "${CTG_BAD_ONLY:-}" ] && [ "$c_id" != "$CTG_BAD_ONLY" ] && [ "#$c_id" != "$CTG_BAD_ONLY" ]; then
        continue
    fi
    if [ -z "$c_kind" ]; then
        fail "cases.tsv: line for '$c_id' has fewer than 7 fields"
        continue
    fi
    run_case "$c_id" "$c_input" "$c_args" "$c_code" "$c_err" "$c_out" "$c_kind"
    ran=$((ran + 1))
    case $c_kind in file) n_file=$((n_file + 1)) ;; row) n_row=$((n_row + 1)) ;; esac
done 3<"$BAD/cases.tsv"

echo "$ran cases run: $n_file of kind file, $n_row of kind row"
[ -z "$known" ] || echo "known bugs, not run (CTG_BAD_KNOWN=1 runs them):$known"
[ "$ran" -gt 0 ] || fail "no case ran"
finish
