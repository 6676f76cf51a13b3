# End-to-end: `ctgdiag run` killed with SIGKILL at 50 instants spread over
# a whole refresh (ingest, compute, reports, change report). After each
# kill the warehouse passes PRAGMA integrity_check, holds no half-loaded
# file (every file's rows are all there), and no PDF of the reports folder
# is cut short; a next run then ends in the state an uninterrupted run
# reaches: the same files, the same values, the same reports (their text).
. "$SRC/tests/lib.sh"
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }
command -v pdftotext >/dev/null || { echo "skipped: no poppler-utils"; exit 77; }
export SOURCE_DATE_EPOCH=1700000000
KILLS=${CTG_CRASH_KILLS:-50}

# a small site: the geography, two census vintages, three CAF extracts, a
# short plan for one EPCI
SITE="$SCRATCH/site"
mkdir -p "$SITE/inbox"
for f in insee/cog_commune_2022.csv insee/table-appartenance-geo-communes-22_COM.csv \
         cog/epci_2022.csv cog/departement_2022.csv cog/region_2022.csv \
         generated/base-cc-evol-struct-pop-2020.CSV generated/base-cc-evol-struct-pop-2021.CSV \
         generated/caf_allocataires_com_201912.csv generated/caf_allocataires_com_202012.csv \
         generated/caf_allocataires_com_202112.csv; do
    cp "$SRC/samples/$f" "$SITE/inbox/"
done
cat >"$SITE/plan.csv" <<'EOF'
kind;number;title;indicators;note
plan;;Essai;;
axis;1;Familles;caf_allocataires,single_parent_share;
action;1;Suivre les familles;caf_allocataires,rsa_share;
axis;2;Population;pop_total,share_0_2;
action;2;Suivre la population;pop_total;
EOF
# the plan's indicators only (the catalogue of its schemas folder), so
# that 50 kills and their next runs stay short
mkdir -p "$SITE/schemas"
awk -F';' 'NR == 1 || $1 ~ /^(pop_total|share_0_2|pop_0_2|caf_allocataires|single_parent_share|rsa_share)$/' \
    "$SRC/schemas/indicators.csv" >"$SITE/schemas/indicators.csv"
cat >"$SITE/ctgdiag.conf" <<'EOF'
warehouse = w.db
inbox = inbox
reports = reports
schemas = schemas
[gaillac]
territory = epci:200066124
plan = plan.csv
EOF

# state DIR: what a finished refresh leaves, in a comparable form
state() {
    {
        echo "== files"
        sqlite3 "$1/w.db" "SELECT name, sha256, rows_loaded FROM source_file ORDER BY name"
        echo "== values"
        "$CTGDIAG" --db "$1/w.db" export --year all | cut -d';' -f1-10 | sort
        echo "== reports"
        for f in "$1"/reports/*.pdf; do
            echo "${f##*/}"
            pdftotext "$f" - 2>/dev/null | sed 's/20[0-9][0-9]-[01][0-9]-[0-3][0-9]/DATE/g'
        done
    } >"$2"
}

# no file is half loaded: each has all the rows it says it loaded
half_loaded() {
    sqlite3 "$1" "SELECT count(*) FROM source_file f JOIN family m ON m.id = f.family
                  WHERE m.target = 'observations'
                  AND f.rows_loaded != (SELECT count(*) FROM obs_row o WHERE o.file_id = f.id)"
}

fresh_copy() {
    rm -rf "$1"
    mkdir -p "$1"
    cp -r "$SITE/inbox" "$SITE/schemas" "$SITE/plan.csv" "$SITE/ctgdiag.conf" "$1/"
}

# the uninterrupted refresh, timed in milliseconds
REF="$SCRATCH/ref"
fresh_copy "$REF"
t0=$(date +%s%N)
run 0 run --config "$REF/ctgdiag.conf" --quiet
t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000000 ))
state "$REF" "$SCRATCH/ref.state"
grep -q 'epci-200066124-diagnostic.pdf' "$SCRATCH/ref.state" || fail "the reference run wrote no report"
echo "uninterrupted refresh: $span ms; killing at $KILLS instants over it"

# one kill: a fresh copy, a run killed after AT ms, the checks, a run to the
# end, its state against the reference. In a subshell of its own: it writes
# its failures to $D.fail and "killed" or "ended" to $D.outcome.
one_kill() { # I AT
    D="$SCRATCH/k$1" at=$2
    fresh_copy "$D"
    : >"$D.fail"
    bad() { echo "kill $1 at $at ms: $*" >>"$D.fail"; }
    "$CTGDIAG" run --config "$D/ctgdiag.conf" --quiet >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    if kill -KILL $pid 2>/dev/null; then echo killed >"$D.outcome"; else echo ended >"$D.outcome"; fi
    wait $pid 2>/dev/null || true
    if [ -e "$D/w.db" ]; then
        [ "$(sqlite3 "$D/w.db" "PRAGMA integrity_check")" = ok ] || bad "integrity_check fails"
        # (killed before the schema was made, the file has no table yet)
        if [ "$(sqlite3 "$D/w.db" "SELECT count(*) FROM sqlite_schema WHERE name = 'source_file'")" = 1 ]; then
            [ "$(half_loaded "$D/w.db")" = 0 ] || bad "a file is half loaded"
        fi
    fi
    for f in "$D"/reports/*.pdf "$D"/reports/changes/*.pdf; do
        [ -e "$f" ] || continue
        pdfinfo "$f" >/dev/null 2>&1 || bad "${f##*/} is not a whole PDF"
    done
    "$CTGDIAG" run --config "$D/ctgdiag.conf" --quiet >"$D.out" 2>&1 || bad "the next run failed: $(cat "$D.out")"
    state "$D" "$D.state"
    cmp -s "$SCRATCH/ref.state" "$D.state" || bad "the next run's end state differs: $(diff "$SCRATCH/ref.state" "$D.state" | head -5)"
    [ -z "$(find "$D/reports" -name '*.tmp-*')" ] || bad "temporary files left"
    rm -rf "$D"
}

# two kills at a time (the machine's two cores), at instants spread over
# the uninterrupted run
i=1
while [ $i -le "$KILLS" ]; do
    one_kill $i $(( span * i / (KILLS + 1) )) &
    p1=$!
    p2=
    if [ $((i + 1)) -le "$KILLS" ]; then
        one_kill $((i + 1)) $(( span * (i + 1) / (KILLS + 1) )) &
        p2=$!
    fi
    wait $p1
    [ -z "$p2" ] || wait $p2
    i=$((i + 2))
done
killed=$(cat "$SCRATCH"/k*.outcome | grep -c killed || true)
cat "$SCRATCH"/k*.fail >"$SCRATCH/failures"
while IFS= read -r line; do fail "$line"; done <"$SCRATCH/failures"
echo "killed $killed of $KILLS runs mid-way; the others had ended before their kill"
[ "$killed" -ge $((KILLS / 2)) ] || fail "only $killed of $KILLS runs were killed mid-way"
finish
