# End-to-end: `ctgdiag run --config`, the unattended refresh, doing what
# cron does on a copy of the samples. A first run loads, computes and
# renders everything; a second does nothing and says so; a new month's CAF
# extract recomputes exactly the indicators that read that family and
# re-renders exactly the reports that show them, and the warehouse then
# equals one built from scratch; a corrected file lists the communes whose
# values moved; a bad file is rejected (65) while a good one beside it loads
# and the reports refresh; two runs never write at once (75, or --wait);
# configuration errors, an unwritable reports folder (73), a file-size limit
# (73, warehouse intact) and SIGTERM (143) leave a warehouse that a next run
# completes.
. "$SRC/tests/lib.sh"
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }
command -v pdfinfo >/dev/null || { echo "skipped: no poppler-utils"; exit 77; }
export SOURCE_DATE_EPOCH=1700000000

S="$SCRATCH/site"
mkdir -p "$S/inbox" "$S/plans"
cp -r "$SRC/samples/insee" "$SRC/samples/cog" "$SRC/samples/caf" "$SRC/samples/generated" "$S/inbox/"
cp "$SRC/samples/plans/gaillac-graulhet.csv" "$SRC/samples/plans/saint-jean.csv" "$S/plans/"
# a plan that shows census housing only: a new CAF month must not touch it
cat >"$S/plans/logement.csv" <<'EOF'
kind;number;title;indicators;note
plan;;Logement à Gaillac;;
axis;1;Le parc de logements;vacancy_rate,owner_share;
action;1;Observer la vacance;vacancy_rate;
EOF
cat >"$S/ctgdiag.conf" <<'EOF'
# the test's refresh
warehouse = w.db
inbox = inbox
reports = reports
log = run.log

[gaillac_graulhet]
territory = epci:200066124
plan = plans/gaillac-graulhet.csv

[saint_jean]
territory = commune:31488
plan = plans/saint-jean.csv

[logement_gaillac]
territory = commune:81099
plan = plans/logement.csv
EOF
W="$S/w.db"
R="$S/reports"
CONF="$S/ctgdiag.conf"

# id;inode;size of every PDF of the reports folder
pdf_state() { (cd "$R" && for f in *.pdf; do echo "$f $(stat -c '%i %s' "$f")"; done); }
changes_of_run() { cat "$R/changes/run-$(printf '%06d' "$1")-changes.csv"; }
# rows FILE KIND [COLUMN VALUE]...: the change rows of that kind whose
# columns hold those values (1 run, 2 kind, 3 family, 4 file, 5 indicator,
# 6 year, 7 level, 8 code, 9 name, 10 old, 11 new, 12 old status, 13 new
# status, 14 units, 15 detail; a VALUE ending in '*' is a prefix, one
# starting with '*' a suffix)
rows() {
    f=$1 kind=$2
    shift 2
    conds=$(printf '%s\037' "$@")
    awk -F';' -v kind="$kind" -v conds="$conds" '
        BEGIN { n = split(conds, c, "\037") - 1 }
        $2 != kind { next }
        {
            for (i = 1; i < n; i += 2) {
                v = c[i + 1]; x = $(c[i])
                if (v ~ /\*$/) { if (index(x, substr(v, 1, length(v) - 1)) != 1) next }
                else if (v ~ /^\*/) { if (substr(x, length(x) - length(v) + 2) != substr(v, 2)) next }
                else if (x != v) next
            }
            print
        }' "$f"
}
count_rows() { rows "$@" | wc -l | tr -d ' '; }
last_run() { sqlite3 "$W" "SELECT max(id) FROM run WHERE command = 'run'"; }
integrity() { sqlite3 "$W" "PRAGMA integrity_check"; }
# the values a warehouse holds, in a canonical order
# (level to flags: the sources name file ids, which differ with the order of loading)
values() { "$CTGDIAG" --db "$1" export --year all --level "$2" | cut -d';' -f1-10 | sort; }

# ---- 1. the first run does everything
run 0 run --config "$CONF"
grep -q "reports/epci-200066124-diagnostic.pdf: written, 7 files" "$SCRATCH/out" || fail "first run: Gaillac-Graulhet not written: $(cat "$SCRATCH/out")"
grep -q "reports/commune-31488-diagnostic.pdf: written, 8 files" "$SCRATCH/out" || fail "first run: Saint-Jean not written"
grep -q "reports/commune-81099-diagnostic.pdf: written, 2 files" "$SCRATCH/out" || fail "first run: the housing plan not written"
first=$(last_run)
changes_of_run "$first" >"$SCRATCH/c1" || fail "first run: no change report"
[ -s "$R/changes/run-$(printf '%06d' "$first")-changes.pdf" ] || fail "first run: no PDF change report"
expect_eq "first run: every sample file loaded" \
    "$(sqlite3 "$W" "SELECT count(*) FROM source_file")" "$(count_rows "$SCRATCH/c1" file_loaded 1 "$first")"
expect_eq "first run: three reports" 3 "$(count_rows "$SCRATCH/c1" report_written)"
expect_eq "first run: year_new of caf_allocataires 2021" 1 "$(count_rows "$SCRATCH/c1" year_new 5 caf_allocataires 6 2021)"
expect_eq "first run: log has timestamps" 0 "$(grep -cv '^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-9:]*Z ' "$S/run.log")"
expect_eq "first run: integrity" ok "$(integrity)"
pdf_state >"$SCRATCH/pdfs1"

# ---- 2. a second run does nothing, says so, exits 0
run 0 run --config "$CONF"
grep -q '^nothing new: ' "$SCRATCH/out" || fail "second run: does not say nothing new: $(cat "$SCRATCH/out")"
second=$(last_run)
[ ! -e "$R/changes/run-$(printf '%06d' "$second")-changes.csv" ] || fail "second run: wrote a change report"
pdf_state >"$SCRATCH/pdfs2"
expect_file_eq "second run: no PDF rewritten" "$SCRATCH/pdfs1" "$SCRATCH/pdfs2"
expect_eq "second run: no change row" 0 "$(sqlite3 "$W" "SELECT count(*) FROM change WHERE run_id = $second")"
# --quiet: nothing at all on success
run 0 run --config "$CONF" --quiet
expect_eq "quiet run: stdout" "" "$(cat "$SCRATCH/out")"
expect_eq "quiet run: stderr" "" "$(cat "$SCRATCH/err")"

# an axis file deleted: that territory's reports are written again, no other
rm "$R/epci-200066124-axe-3.pdf"
run 0 run --config "$CONF"
grep -q "reports/epci-200066124-diagnostic.pdf: written, 7 files" "$SCRATCH/out" || fail "axis file deleted: not re-rendered: $(cat "$SCRATCH/out")"
expect_eq "axis file deleted: one territory re-rendered" 1 "$(grep -c ': written, ' "$SCRATCH/out")"
[ -e "$R/epci-200066124-axe-3.pdf" ] || fail "axis file deleted: not written again"

# ---- 3. a new month of CAF allocataires
month="$S/inbox/caf_allocataires_com_202206.csv"
sed 's/^2021-12;/2022-06;/' "$SRC/samples/generated/caf_allocataires_com_202112.csv" >"$month"
run 0 run --config "$CONF"
third=$(last_run)
changes_of_run "$third" >"$SCRATCH/c3"
expect_eq "new month: its file_loaded line" 1 \
    "$(count_rows "$SCRATCH/c3" file_loaded 3 caf_com_allocataires 4 '*/caf_allocataires_com_202206.csv' 6 2022-06 15 'nouvelle période')"
# exactly the indicators whose catalogue lines read caf_com_allocataires
awk -F';' 'NR > 1 && /caf_com_allocataires:/ {print $1}' "$SRC/schemas/indicators.csv" | sort -u >"$SCRATCH/expected_ids"
sqlite3 "$W" "SELECT indicator FROM indicator_state WHERE run_id = $third ORDER BY 1" >"$SCRATCH/recomputed"
expect_file_eq "new month: indicators recomputed" "$SCRATCH/expected_ids" "$SCRATCH/recomputed"
awk -F';' '$2 == "year_new" {print $5}' "$SCRATCH/c3" | sort -u >"$SCRATCH/new_years"
expect_file_eq "new month: indicators with a new year" "$SCRATCH/expected_ids" "$SCRATCH/new_years"
expect_eq "new month: year_new rows are 2022-06" 0 "$(awk -F';' '$2 == "year_new" && $6 != "2022-06"' "$SCRATCH/c3" | wc -l)"
expect_eq "new month: no value of an earlier year moved" 0 "$(grep -c ';value_changed;' "$SCRATCH/c3" || true)"
# the reports that show CAF allocataires were re-rendered, the housing one was not
pdf_state >"$SCRATCH/pdfs3"
grep 'commune-81099' "$SCRATCH/pdfs1" >"$SCRATCH/h1"
grep 'commune-81099' "$SCRATCH/pdfs3" >"$SCRATCH/h3"
expect_file_eq "new month: the housing report untouched" "$SCRATCH/h1" "$SCRATCH/h3"
expect_eq "new month: Gaillac-Graulhet re-rendered" 1 "$(count_rows "$SCRATCH/c3" report_written 4 '*/epci-200066124-diagnostic.pdf' 15 epci:200066124)"
expect_eq "new month: Saint-Jean re-rendered" 1 "$(count_rows "$SCRATCH/c3" report_written 4 '*/commune-31488-diagnostic.pdf')"
expect_eq "new month: two reports" 2 "$(count_rows "$SCRATCH/c3" report_written)"
# the refreshed warehouse holds what one built from scratch holds
run 0 --db "$SCRATCH/fresh.db" ingest "$S/inbox"
run 0 --db "$SCRATCH/fresh.db" compute
for level in commune epci dep fr; do
    values "$W" $level >"$SCRATCH/inc.$level"
    values "$SCRATCH/fresh.db" $level >"$SCRATCH/fresh.$level"
    expect_file_eq "new month: $level values equal a whole compute" "$SCRATCH/fresh.$level" "$SCRATCH/inc.$level"
done

# ---- 4. a corrected version of that month: Gaillac's allocataires + 100
awk -F';' 'BEGIN {OFS = ";"} $2 == "81099" {$4 = $4 + 100} {print}' "$month" >"$month.new"
mv "$month.new" "$month"
run 0 run --config "$CONF"
fourth=$(last_run)
changes_of_run "$fourth" >"$SCRATCH/c4"
expect_eq "correction: its file_replaced line" 1 "$(count_rows "$SCRATCH/c4" file_replaced 3 caf_com_allocataires 15 'remplace caf_allocataires_com_202206.csv')"
expect_eq "correction: Gaillac's caf_allocataires listed" 1 \
    "$(count_rows "$SCRATCH/c4" value_changed 5 caf_allocataires 6 2022-06 7 commune 8 81099 9 Gaillac 12 rounded 13 rounded)"
expect_eq "correction: the only commune whose allocataires moved" "81099" \
    "$(rows "$SCRATCH/c4" value_changed 5 caf_allocataires 7 commune | cut -d';' -f8 | sort -u | tr '\n' ' ' | sed 's/ $//')"
# 100 more allocataires in an EPCI of about 15,500 is under the 1 % threshold
expect_eq "correction: the EPCI moved under the threshold" 0 "$(count_rows "$SCRATCH/c4" value_changed 5 caf_allocataires 7 epci)"
old=$(awk -F';' '$2 == "value_changed" && $5 == "caf_allocataires" && $8 == "81099" {print $10}' "$SCRATCH/c4")
new=$(awk -F';' '$2 == "value_changed" && $5 == "caf_allocataires" && $8 == "81099" {print $11}' "$SCRATCH/c4")
expect_eq "correction: the move is the 100 added" 100 "$(awk -v a="$old" -v b="$new" 'BEGIN {print b - a}')"

# ---- 5. a bad file beside a good one: 65, the good one loads, reports refresh
printf 'dtreffre;numcomdo;nomcom\n2022-09;\000\000;X\n' >"$S/inbox/caf_allocataires_com_202209_broken.csv"
sed 's/^2021-12;/2022-09;/' "$SRC/samples/generated/caf_allocataires_com_202112.csv" >"$S/inbox/caf_allocataires_com_202209.csv"
run 65 run --config "$CONF"
fifth=$(last_run)
changes_of_run "$fifth" >"$SCRATCH/c5"
expect_eq "bad file: rejected with its reason" 1 "$(count_rows "$SCRATCH/c5" file_rejected 4 '*/caf_allocataires_com_202209_broken.csv' 15 'NUL byte*')"
expect_eq "bad file: the good file beside it loaded" 1 "$(count_rows "$SCRATCH/c5" file_loaded 4 '*/caf_allocataires_com_202209.csv')"
expect_eq "bad file: reports refreshed" 1 "$(count_rows "$SCRATCH/c5" report_written 4 '*/epci-200066124-diagnostic.pdf')"
grep -q "caf_allocataires_com_202209_broken.csv: rejected" "$SCRATCH/out" || fail "bad file: not said on stdout"
expect_eq "bad file: status of the run" 65 "$(sqlite3 "$W" "SELECT exit_code FROM run WHERE id = $fifth")"
rm "$S/inbox/caf_allocataires_com_202209_broken.csv"
run 0 run --config "$CONF" --quiet

# ---- 6. one run at a time
flock "$W.lock" sleep 3 &
holder=$!
sleep 0.5
run 75 run --config "$CONF"
grep -q 'another run holds the warehouse' "$SCRATCH/err" || fail "locked: message: $(cat "$SCRATCH/err")"
run 0 run --config "$CONF" --wait 20
wait "$holder"
# two first runs started together on a fresh site: one works, one exits 75
cp -r "$S" "$SCRATCH/twin"
rm -rf "$SCRATCH/twin/w.db"* "$SCRATCH/twin/reports"
set +e
"$CTGDIAG" run --config "$SCRATCH/twin/ctgdiag.conf" --quiet >/dev/null 2>"$SCRATCH/twin1.err" &
p1=$!
"$CTGDIAG" run --config "$SCRATCH/twin/ctgdiag.conf" --quiet >/dev/null 2>"$SCRATCH/twin2.err" &
p2=$!
wait $p1; c1=$?
wait $p2; c2=$?
set -e
expect_eq "two runs together: exit codes" "0 75" "$(printf '%s\n%s\n' $c1 $c2 | sort -n | tr '\n' ' ' | sed 's/ $//')"
expect_eq "two runs together: integrity" ok "$(sqlite3 "$SCRATCH/twin/w.db" "PRAGMA integrity_check")"
run 0 run --config "$SCRATCH/twin/ctgdiag.conf"
grep -q '^nothing new: ' "$SCRATCH/out" || fail "two runs together: the next run has work left: $(cat "$SCRATCH/out")"

# ---- 7. configuration errors
run 66 run --config "$S/nowhere.conf"
run 64 run
printf 'warehouse = w.db\ninbox = inbox\nreports = reports\ncolour = blue\n' >"$S/bad.conf"
run 64 run --config "$S/bad.conf"
grep -q "bad.conf:4: unknown key 'colour'" "$SCRATCH/err" || fail "bad conf: message: $(cat "$SCRATCH/err")"
printf 'warehouse = w.db\ninbox = inbox\n' >"$S/bad.conf"
run 64 run --config "$S/bad.conf"
grep -q "no 'reports = ...' line" "$SCRATCH/err" || fail "bad conf: missing reports: $(cat "$SCRATCH/err")"
printf 'warehouse = w.db\ninbox = gone\nreports = reports\n' >"$S/bad.conf"
run 66 run --config "$S/bad.conf"
printf 'warehouse = w.db\ninbox = inbox\nreports = reports\n[a]\nterritory = epci:1\n' >"$S/bad.conf"
run 64 run --config "$S/bad.conf"
# one list of communes written in two orders would write the same files
printf 'warehouse = w.db\ninbox = inbox\nreports = reports\n[a]\nterritory = communes:81099,81105\n[b]\nterritory = communes:81105,81099\n' >"$S/bad.conf"
run 64 run --config "$S/bad.conf"
grep -q "its reports would overwrite those of \[a\]" "$SCRATCH/err" || fail "same list twice: $(cat "$SCRATCH/err")"
# --quiet still says on stderr why a file was rejected (cron mails stderr)
mkdir -p "$S/inbox2"
printf 'CODGEO;FOO\n81099;1\n' >"$S/inbox2/unknown.csv"
printf 'warehouse = w.db\ninbox = inbox2\nreports = reports\n' >"$S/quiet.conf"
run 65 run --config "$S/quiet.conf" --quiet
expect_eq "quiet rejected: stdout" "" "$(cat "$SCRATCH/out")"
grep -q "unknown.csv" "$SCRATCH/err" || fail "quiet rejected: nothing on stderr"

# ---- 8. an unwritable reports folder: 73, warehouse untouched
"$WHDUMP" "$W" >"$SCRATCH/before"
touch "$S/afile"
printf 'warehouse = w.db\ninbox = inbox\nreports = afile/reports\n' >"$S/noreports.conf"
run 73 run --config "$S/noreports.conf"
grep -q 'reports' "$SCRATCH/err" || fail "reports folder: message: $(cat "$SCRATCH/err")"
"$WHDUMP" "$W" >"$SCRATCH/after"
expect_file_eq "reports folder: warehouse untouched" "$SCRATCH/before" "$SCRATCH/after"

# ---- 9. a full disk (a file-size limit): 73, a consistent warehouse, then a run completes
D="$SCRATCH/disk"
cp -r "$S" "$D"
rm -rf "$D/w.db"* "$D/reports"
set +e
(ulimit -f 1024; exec "$CTGDIAG" run --config "$D/ctgdiag.conf" --quiet) >/dev/null 2>"$SCRATCH/full.err"
code=$?
set -e
expect_eq "disk full: exit code" 73 "$code"
grep -qi 'full\|large\|disk\|I/O' "$SCRATCH/full.err" || fail "disk full: message: $(cat "$SCRATCH/full.err")"
expect_eq "disk full: integrity" ok "$(sqlite3 "$D/w.db" "PRAGMA integrity_check")"
run 0 run --config "$D/ctgdiag.conf" --quiet
expect_eq "disk full: then every file loaded" "$(sqlite3 "$W" "SELECT count(*) FROM source_file")" \
    "$(sqlite3 "$D/w.db" "SELECT count(*) FROM source_file")"
values "$D/w.db" commune >"$SCRATCH/disk.commune"
values "$W" commune >"$SCRATCH/site.commune"
expect_file_eq "disk full: then the values of an uninterrupted refresh" "$SCRATCH/site.commune" "$SCRATCH/disk.commune"

# ---- 10. SIGTERM stops cleanly; the next run finishes the work
T="$SCRATCH/term"
cp -r "$S" "$T"
rm -rf "$T/w.db"* "$T/reports"
set +e
"$CTGDIAG" run --config "$T/ctgdiag.conf" >/dev/null 2>"$SCRATCH/term.err" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
code=$?
set -e
if [ "$code" = 0 ]; then
    echo "note: the run ended before SIGTERM came" >&2
else
    expect_eq "SIGTERM: exit code" 143 "$code"
    grep -q 'stopped by signal 15' "$SCRATCH/term.err" || fail "SIGTERM: message: $(cat "$SCRATCH/term.err")"
fi
expect_eq "SIGTERM: integrity" ok "$(sqlite3 "$T/w.db" "PRAGMA integrity_check")"
expect_eq "SIGTERM: no temporary file left behind by the next run" "" "$(run 0 run --config "$T/ctgdiag.conf" --quiet; find "$T/reports" -name '*.tmp-*')"
values "$T/w.db" commune >"$SCRATCH/term.commune"
expect_file_eq "SIGTERM: then the values of an uninterrupted refresh" "$SCRATCH/site.commune" "$SCRATCH/term.commune"

# ---- 11. an indicator taken out of the catalogue: an incremental compute drops its values
mkdir -p "$SCRATCH/fewer"
grep -v '^pop_18_24;' "$SRC/schemas/indicators.csv" >"$SCRATCH/fewer/indicators.csv"
run 0 --db "$W" --schemas "$SCRATCH/fewer" compute --incremental
expect_eq "indicator removed: its values" 0 "$(sqlite3 "$W" "SELECT count(*) FROM indicator_value WHERE indicator = 'pop_18_24'")"
expect_eq "indicator removed: its fingerprint" 0 "$(sqlite3 "$W" "SELECT count(*) FROM indicator_state WHERE indicator = 'pop_18_24'")"
expect_eq "indicator removed: the others up to date" 1 "$(grep -c 'up_to_date=60$' "$SCRATCH/out")"

finish
