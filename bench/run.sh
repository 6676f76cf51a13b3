#!/bin/sh
# bench/run.sh: the performance benchmark of issue 6. Generates (or reuses) a
# CAF/INSEE workload, then times, each as one whole process under
# /usr/bin/time -v: the floors (cat, libcsv parse), the peers (sqlite3 .import,
# Python csv + sqlite3, pandas, DuckDB) and ctgdiag (ingest, compute, the
# Gaillac-Graulhet diagnosis, every EPCI's diagnosis). Prints a Markdown table
# and the target checks; see bench/README.md. POSIX sh (runs under dash).
#
#   sh bench/run.sh [--small] [--runs N] [--workload DIR] [--scratch DIR] ...
#
# Exit 0 when every step ran (whatever the targets say), 1 when a ctgdiag step
# or an installed peer failed, 2 on a bad command line or a missing tool.

set -u

usage() {
    cat <<'EOF'
usage: sh bench/run.sh [OPTIONS]

  --workload DIR    time this workload folder (its *.csv files, recursively)
                    instead of generating one
  --gen PATH        the workload generator (default ../shared/bench/gen_workload.py,
                    relative to the project root)
  --deps LIST       départements of the generated workload (default: all France)
  --vintages N      census vintages of the generated workload (1..14, default 10)
  --small           --deps 81,31 --vintages 3 (14.6 MB; what CI runs)
  --runs N          runs per step, the table gives the median (default 3)
  --grouped         the runs of each load step one after the other (default:
                    round by round, each round one run of every load step)
  --scratch DIR     work folder: workloads, build, databases, logs, results
                    (default ${TMPDIR:-/tmp}/ctgdiag-bench)
  --ctgdiag PATH    the binary to time (default: a Release build of this tree
                    into SCRATCH/build)
  --jobs J          parallel diagnoses in the EPCI batch (default 2)
  --skip-peers      no sqlite3 / Python / pandas / DuckDB loads
  --skip-batch      no batch of every EPCI's diagnosis
  --scaling         also ingest + compute workloads of 1, 3 and 10 vintages
                    (same --deps) and report seconds per MB
  -h, --help        this text

Writes SCRATCH/results.md (the table printed) and SCRATCH/runs.tsv (every run).
EOF
}

say() { printf 'bench: %s\n' "$*" >&2; }
usage_err() { say "$*"; echo "Try 'sh bench/run.sh --help'." >&2; exit 2; }
fatal() { say "$*"; exit 1; }

PWD0=$(pwd)
ROOT=$(cd "$(dirname "$0")/.." && pwd) || exit 2
CMDLINE="sh bench/run.sh $*"

abspath() {
    case $1 in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$PWD0" "$1" ;;
    esac
}

WORKLOAD=
GEN="$ROOT/../shared/bench/gen_workload.py"
DEPS=
VINTAGES=10
SMALL=0
RUNS=3
SCRATCH="${TMPDIR:-/tmp}/ctgdiag-bench"
BIN=
JOBS=2
SKIP_PEERS=0
SKIP_BATCH=0
SCALING=0
GROUPED=0

while [ $# -gt 0 ]; do
    opt=$1
    has_val=0
    case $opt in
        --*=*) val=${opt#*=}; opt=${opt%%=*}; has_val=1 ;;
    esac
    case $opt in
        --workload|--gen|--deps|--vintages|--runs|--scratch|--ctgdiag|--jobs)
            if [ "$has_val" = 0 ]; then
                [ $# -ge 2 ] || usage_err "$opt needs a value"
                val=$2
                shift
            fi ;;
        *)
            [ "$has_val" = 0 ] || usage_err "$opt takes no value" ;;
    esac
    case $opt in
        --workload) WORKLOAD=$(abspath "$val") ;;
        --gen) GEN=$(abspath "$val") ;;
        --deps) DEPS=$val ;;
        --vintages) VINTAGES=$val ;;
        --small) DEPS=81,31; VINTAGES=3; SMALL=1 ;;
        --runs) RUNS=$val ;;
        --scratch) SCRATCH=$(abspath "$val") ;;
        --ctgdiag)
            case $val in
                */*) BIN=$(abspath "$val") ;;
                *) BIN=$(command -v "$val") || usage_err "--ctgdiag: no $val on the PATH" ;;
            esac ;;
        --jobs) JOBS=$val ;;
        --skip-peers) SKIP_PEERS=1 ;;
        --skip-batch) SKIP_BATCH=1 ;;
        --scaling) SCALING=1 ;;
        --grouped) GROUPED=1 ;;
        -h|--help) usage; exit 0 ;;
        *) usage_err "unknown option '$opt'" ;;
    esac
    shift
done

is_count() { case $1 in ''|*[!0-9]*|0*) return 1 ;; esac; return 0; }
is_count "$RUNS" || usage_err "--runs wants a positive integer, not '$RUNS'"
is_count "$JOBS" || usage_err "--jobs wants a positive integer, not '$JOBS'"
if ! is_count "$VINTAGES" || [ "$VINTAGES" -gt 14 ]; then usage_err "--vintages wants 1..14, not '$VINTAGES'"; fi
case $DEPS in *[!0-9A-Za-z,]*) usage_err "--deps wants a list like 81,31, not '$DEPS'" ;; esac
if [ -n "$WORKLOAD" ] && [ ! -d "$WORKLOAD" ]; then usage_err "--workload: no folder $WORKLOAD"; fi

[ -x /usr/bin/time ] || { say "/usr/bin/time is missing (Debian package 'time')"; exit 2; }
command -v python3 >/dev/null 2>&1 || { say "python3 is missing"; exit 2; }
/usr/bin/time -v true 2>&1 | grep -q 'Maximum resident set size' ||
    { say "/usr/bin/time -v does not report the peak RSS (GNU time needed)"; exit 2; }
case $(date +%s%N) in *N) NS_CLOCK=0 ;; *) NS_CLOCK=1 ;; esac

mkdir -p "$SCRATCH" || exit 2
LOGS="$SCRATCH/logs"
DBS="$SCRATCH/db"
OUTS="$SCRATCH/out"
RUNS_TSV="$SCRATCH/runs.tsv"
META="$SCRATCH/meta.tsv"
rm -rf "$LOGS" "$DBS" "$OUTS" "$SCRATCH/lists" "$SCRATCH"/lists-v*
rm -f "$RUNS_TSV" "$META" "$SCRATCH/results.md" "$SCRATCH/epci.txt"
mkdir -p "$LOGS" "$DBS" "$OUTS" || exit 2
# Every path below is absolute; anything a tool writes beside itself lands in the scratch folder.
cd "$SCRATCH" || exit 2
printf 'step\trun\twall_s\tuser_s\tsys_s\tmaxrss_kib\texit\ttime_wall_s\n' >"$RUNS_TSV"
: >"$META"

FAILED=
STDIN=''
STDOUT=''
NOTE=''
info() { printf 'info\t%s\t%s\n' "$1" "$2" >>"$META"; }
# step_meta ID LABEL KIND STATUS [NOTE]
step_meta() { printf 'step\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "${5:-}" >>"$META"; }
failed() { # LABEL RC LOGBASE
    FAILED="$FAILED${FAILED:+; }$1 (exit $2)"
    say "step '$1' FAILED with exit $2; its output: $3.out, $3.err"
    if [ -s "$3.err" ]; then tail -n 5 "$3.err" | sed 's/^/    /' >&2; fi
}

# clean PATH: the output of a run (a database with its companions, or a folder)
clean() {
    [ "$1" = - ] && return 0
    rm -rf -- "$1" "$1-wal" "$1-shm" "$1-journal" "$1.lock" "$1.wal"
}

# timed ID RUN CMD...: one run of CMD under /usr/bin/time -v; stdin from $STDIN
# (default /dev/null), stdout to $STDOUT (default LOGS/ID.RUN.out), stderr to
# LOGS/ID.RUN.err. Appends its figures to runs.tsv; returns CMD's exit status.
timed() {
    t_id=$1 t_run=$2
    shift 2
    t_log="$LOGS/$t_id.$t_run"
    t_out=${STDOUT:-$t_log.out}
    [ "$t_out" = "$t_log.out" ] || : >"$t_log.out"
    t_0=$(date +%s%N)
    /usr/bin/time -v -o "$t_log.time" "$@" <"${STDIN:-/dev/null}" >"$t_out" 2>"$t_log.err"
    t_rc=$?
    t_1=$(date +%s%N)
    [ "$NS_CLOCK" = 1 ] || { t_0=0; t_1=-1; }
    [ -f "$t_log.time" ] || : >"$t_log.time"
    awk -v id="$t_id" -v run="$t_run" -v t0="$t_0" -v t1="$t_1" -v rc="$t_rc" '
        /User time \(seconds\)/ { user = $NF }
        /System time \(seconds\)/ { sys = $NF }
        /Maximum resident set size/ { rss = $NF }
        /Elapsed \(wall clock\)/ {
            n = split($NF, p, ":"); el = 0
            for (i = 1; i <= n; i++) el = el * 60 + p[i]
        }
        END {
            wall = (t1 >= t0) ? (t1 - t0) / 1e9 : el
            printf "%s\t%s\t%.4f\t%.2f\t%.2f\t%d\t%d\t%.2f\n", id, run, wall, user, sys, rss, rc, el
        }' "$t_log.time" >>"$RUNS_TSV"
    return $t_rc
}

# The runs FIRST_RUN..LAST_RUN of the steps: 1..RUNS when they are grouped,
# one run at a time when the load steps go round by round (load_steps below).
FIRST_RUN=1
LAST_RUN=$RUNS
STEPS_FAILED=' '

# absent ID LABEL KIND STATUS [NOTE]: a peer that does not run (not installed),
# recorded once: with the last round of the load steps.
absent() {
    [ "$LAST_RUN" = "$RUNS" ] || return 0
    step_meta "$@"
}

# series ID LABEL KIND CLEAN CMD...: runs FIRST_RUN..LAST_RUN of CMD, CLEAN
# deleted and sync before each; records the step after its last run or its
# failure, and runs it no more once it failed. Returns 0, or the exit status
# of the failed run.
series() {
    s_id=$1 s_label=$2 s_kind=$3 s_clean=$4
    shift 4
    case $STEPS_FAILED in *" $s_id "*) return 1 ;; esac
    s_i=$FIRST_RUN
    s_rc=0
    if [ "$FIRST_RUN" = "$LAST_RUN" ]; then
        say "$s_label: run $s_i of $RUNS"
    else
        say "$s_label: $RUNS run(s)"
    fi
    while [ "$s_i" -le "$LAST_RUN" ]; do
        clean "$s_clean"
        sync
        timed "$s_id" "$s_i" "$@" || { s_rc=$?; break; }
        s_i=$((s_i + 1))
    done
    if [ "$s_rc" != 0 ]; then
        STEPS_FAILED="$STEPS_FAILED$s_id "
        step_meta "$s_id" "$s_label" "$s_kind" failed "${NOTE:-}"
        failed "$s_label" "$s_rc" "$LOGS/$s_id.$s_i"
    elif [ "$LAST_RUN" = "$RUNS" ]; then
        step_meta "$s_id" "$s_label" "$s_kind" ok "${NOTE:-}"
    fi
    return "$s_rc"
}

# with_list LIST CMD...: runs CMD... followed by every line of LIST as arguments
with_list() {
    w_list=$1
    shift
    while IFS= read -r w_f; do set -- "$@" "$w_f"; done <"$w_list"
    "$@"
}

# workload_for V: sets WL to a workload of V vintages with --deps $DEPS in
# SCRATCH, generating it unless the same one is there already
workload_for() {
    w_v=$1
    w_tag=$(printf '%s' "${DEPS:-all}" | tr -c 'A-Za-z0-9' '_')
    WL="$SCRATCH/workload-$w_tag-v$w_v"
    w_want="vintages=$w_v deps=${DEPS:-ALL} seed=1"
    if [ -f "$WL/MANIFEST.txt" ] && [ "$(cat "$WL/.bench-gen" 2>/dev/null)" = "$w_want" ]; then
        say "reusing the workload $WL"
        return 0
    fi
    [ -f "$GEN" ] || fatal "no workload generator at $GEN: give --gen PATH or --workload DIR"
    rm -rf "$WL"
    say "generating $WL (gen_workload.py --vintages $w_v${DEPS:+ --deps $DEPS})"
    if [ -n "$DEPS" ]; then set -- --deps "$DEPS"; else set --; fi
    python3 "$GEN" --out "$WL" --vintages "$w_v" "$@" 2>"$LOGS/gen-v$w_v.log" ||
        fatal "the workload generator failed: see $LOGS/gen-v$w_v.log"
    printf '%s\n' "$w_want" >"$WL/.bench-gen"
}

# lists_for WL DIR: the file lists of a workload; sets NFILES and NBYTES
lists_for() {
    l_res=$(python3 "$ROOT/bench/lists.py" "$1" "$2") || fatal "bench/lists.py failed on $1"
    NFILES=${l_res% *}
    NBYTES=${l_res#* }
}

# ------------------------------------------------------------------ workload
if [ -n "$WORKLOAD" ]; then
    WL=$WORKLOAD
    say "workload $WL (given)"
else
    workload_for "$VINTAGES"
fi
MAIN_WL=$WL
LISTS="$SCRATCH/lists"
lists_for "$WL" "$LISTS"
FILES="$LISTS/files.txt"

# The geography year of the workload: that of its COG file (geo/cog_commune_2022.csv).
GEO_YEAR=$(find "$WL" -name 'cog_commune_*.csv' 2>/dev/null | sed -n 's/.*cog_commune_\([0-9][0-9][0-9][0-9]\)\.csv$/\1/p' | sort | tail -n 1)
if [ -n "$GEO_YEAR" ]; then GEO_ARGS="--geo-year $GEO_YEAR"; else GEO_ARGS=; fi

# ------------------------------------------------------------------ binaries
BUILD_DESC=
if [ -z "$BIN" ]; then
    say "building a Release ctgdiag into $SCRATCH/build"
    { cmake -S "$ROOT" -B "$SCRATCH/build" -DCMAKE_BUILD_TYPE=Release -DCTG_TESTS=OFF &&
        cmake --build "$SCRATCH/build" -j "$(nproc 2>/dev/null || echo 2)" --target ctgdiag; } \
        >"$LOGS/build.log" 2>&1 || { tail -n 20 "$LOGS/build.log" >&2; fatal "the ctgdiag build failed: see $LOGS/build.log"; }
    BIN="$SCRATCH/build/ctgdiag"
    BUILD_DESC="Release, built by bench/run.sh (cmake -DCMAKE_BUILD_TYPE=Release -DCTG_TESTS=OFF)"
else
    [ -x "$BIN" ] || usage_err "--ctgdiag: $BIN is not an executable"
    cache="$(dirname "$BIN")/CMakeCache.txt"
    if [ -f "$cache" ]; then
        bt=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache")
        san=$(sed -n 's/^CTG_SANITIZE:BOOL=//p' "$cache")
        BUILD_DESC="given (--ctgdiag); CMAKE_BUILD_TYPE=${bt:-?}, CTG_SANITIZE=${san:-?}"
    else
        BUILD_DESC="given (--ctgdiag)"
    fi
fi

CSVPARSE="$SCRATCH/csvparse"
CSVPARSE_OK=1
cc -O2 -o "$CSVPARSE" "$ROOT/bench/csvparse.c" -lcsv >"$LOGS/csvparse-build.log" 2>&1 || {
    CSVPARSE_OK=0
    say "cannot build bench/csvparse.c with libcsv: see $LOGS/csvparse-build.log"
}

# ------------------------------------------------------------------ what is measured
info date "$(date -u '+%Y-%m-%d %H:%M:%S')"
info load_start "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"
info machine "$(uname -srm), $(nproc 2>/dev/null || echo '?') cores"
info cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)"
info memory "$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null)"
info ctgdiag "$("$BIN" --version 2>/dev/null | head -n 1)"
info build "$BUILD_DESC"
if command -v git >/dev/null 2>&1 && git -C "$ROOT" rev-parse --short HEAD >/dev/null 2>&1; then
    c=$(git -C "$ROOT" rev-parse --short HEAD)
    [ -z "$(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null)" ] || c="$c + local changes"
    info commit "$c"
fi
command -v sqlite3 >/dev/null 2>&1 && info sqlite3 "$(sqlite3 --version | cut -d' ' -f1)"
info python "$(python3 --version 2>&1)"
info cc "$(cc --version 2>/dev/null | head -n 1)"
info libcsv "$(awk '/^#define CSV_(MAJOR|MINOR|RELEASE) / { v = v (v == "" ? "" : ".") $3 } END { print v }' /usr/include/csv.h 2>/dev/null)"
manifest_args=$(sed -n '1s/^# workload written by gen_workload.py //p' "$WL/MANIFEST.txt" 2>/dev/null)
info workload "$WL${manifest_args:+ (gen_workload.py $manifest_args)}"
info command "$CMDLINE"
info files "$NFILES"
info bytes "$NBYTES"
info geo_year "$GEO_YEAR"
info runs "$RUNS"
if [ "$GROUPED" = 1 ]; then info order grouped; else info order rounds; fi
info jobs "$JOBS"
info small "$SMALL"
info skip_batch "$SKIP_BATCH"

say "input: $NFILES files, $NBYTES bytes, geography year ${GEO_YEAR:-default}"
say "warming the page cache"
with_list "$FILES" cat >/dev/null

# ------------------------------------------------------------------ floors
# load_steps: the runs FIRST_RUN..LAST_RUN of every load step (the floors, the
# peers, ctgdiag ingest + compute).
load_steps() {
# (variables are set and reset around the calls: POSIX leaves it open whether an
# assignment before a function call outlives it)
STDOUT=/dev/null
with_list "$FILES" series cat 'cat of all files > /dev/null (I/O floor)' load - cat
STDOUT=
if [ "$CSVPARSE_OK" = 1 ]; then
    with_list "$FILES" series csvparse 'libcsv parse + count fields (parse floor)' load - "$CSVPARSE"
else
    if [ "$LAST_RUN" = "$RUNS" ]; then
        step_meta csvparse 'libcsv parse + count fields (parse floor)' load failed 'bench/csvparse.c does not build'
        FAILED="$FAILED${FAILED:+; }libcsv parse (bench/csvparse.c does not build)"
    fi
fi

# ------------------------------------------------------------------ peers
if [ "$SKIP_PEERS" = 1 ]; then
    [ "$FIRST_RUN" != 1 ] || say "peers skipped (--skip-peers)"
else
    if command -v sqlite3 >/dev/null 2>&1; then
        STDIN="$LISTS/sqlite_import.sql"
        series sqlite3 'sqlite3 CLI .import, one table per file' load \
            "$DBS/sqlite3.db" sqlite3 -bail "$DBS/sqlite3.db"
        STDIN=
    else
        absent sqlite3 'sqlite3 CLI .import, one table per file' load 'not installed'
    fi
    if python3 -c 'import sqlite3' 2>/dev/null; then
        series python 'Python csv + sqlite3.executemany' load "$DBS/python.db" \
            python3 "$ROOT/bench/peer_python.py" "$LISTS/items.json" "$DBS/python.db"
    else
        absent python 'Python csv + sqlite3.executemany' load 'not installed' 'python3 has no sqlite3 module'
    fi
    if python3 -c 'import pandas' 2>/dev/null; then
        series pandas 'pandas read_csv(sep, dtype=str) + to_sql' load "$DBS/pandas.db" \
            python3 "$ROOT/bench/peer_pandas.py" "$LISTS/items.json" "$DBS/pandas.db"
    else
        absent pandas 'pandas read_csv(sep, dtype=str) + to_sql' load 'not installed' "python3 -c 'import pandas' fails"
    fi
    if command -v duckdb >/dev/null 2>&1; then
        STDIN="$LISTS/duckdb_import.sql"
        NOTE="duckdb CLI $(duckdb --version 2>/dev/null | head -n 1)"
        series duckdb 'DuckDB read_csv(all_varchar=true)' load "$DBS/duckdb.db" duckdb -bail "$DBS/duckdb.db"
        STDIN=''
        NOTE=''
    elif python3 -c 'import duckdb' 2>/dev/null; then
        NOTE="duckdb Python module $(python3 -c 'import duckdb; print(duckdb.__version__)' 2>/dev/null)"
        series duckdb 'DuckDB read_csv(all_varchar=true)' load "$DBS/duckdb.db" \
            python3 "$ROOT/bench/peer_duckdb.py" "$LISTS/items.json" "$DBS/duckdb.db"
        NOTE=
    else
        absent duckdb 'DuckDB read_csv(all_varchar=true)' load 'not installed' 'no duckdb CLI, no duckdb Python module'
    fi
fi

# ------------------------------------------------------------------ ctgdiag
[ "$CTG_OK" = 1 ] || return 0
if [ "$FIRST_RUN" = "$LAST_RUN" ]; then
    say "ctgdiag ingest + compute: run $FIRST_RUN of $RUNS"
else
    say "ctgdiag ingest + compute: $RUNS run(s)"
fi
i=$FIRST_RUN
while [ "$i" -le "$LAST_RUN" ]; do
    clean "$DB"
    sync
    # the workload's CSV files, as the peers load them (a folder would add MANIFEST.txt,
    # which no family recognises: a rejected file, exit 65)
    with_list "$FILES" timed ingest "$i" "$BIN" --db "$DB" ingest || { rc=$?; CTG_OK=0; failed 'ctgdiag ingest' "$rc" "$LOGS/ingest.$i"; break; }
    sync
    # shellcheck disable=SC2086  # GEO_ARGS is empty or --geo-year YYYY
    timed compute "$i" "$BIN" --db "$DB" compute $GEO_ARGS || { rc=$?; CTG_OK=0; failed 'ctgdiag compute' "$rc" "$LOGS/compute.$i"; break; }
    i=$((i + 1))
done
CTG_LAST=$i
}

# The load steps: round by round (each round one run of every step, so that the
# machine's drift, which reaches 50 % within minutes on a shared machine, falls on
# all of them alike and the ratios hold), or each step's runs together (--grouped).
# The database of the last ctgdiag run stays for the reports.
DB="$DBS/ctgdiag.db"
CTG_OK=1
CTG_LAST=1
if [ "$GROUPED" = 1 ]; then
    load_steps
else
    round=1
    while [ "$round" -le "$RUNS" ]; do
        FIRST_RUN=$round
        LAST_RUN=$round
        load_steps
        round=$((round + 1))
    done
    FIRST_RUN=1
    LAST_RUN=$RUNS
fi
i=$CTG_LAST
if [ "$CTG_OK" = 1 ]; then
    step_meta ingest 'ctgdiag ingest' load ok
    step_meta compute 'ctgdiag compute' compute ok
elif [ -f "$LOGS/compute.$i.time" ]; then
    step_meta ingest 'ctgdiag ingest' load ok
    step_meta compute 'ctgdiag compute' compute failed
else
    step_meta ingest 'ctgdiag ingest' load failed
    step_meta compute 'ctgdiag compute' compute skipped 'ingest failed'
fi

GAILLAC_LABEL='ctgdiag report, CA Gaillac-Graulhet (epci:200066124, its plan)'
if [ "$CTG_OK" = 1 ]; then
    # shellcheck disable=SC2086
    series report "$GAILLAC_LABEL" report "$OUTS/gaillac" \
        "$BIN" --db "$DB" report --territory epci:200066124 --plan "$ROOT/samples/plans/gaillac-graulhet.csv" \
        $GEO_ARGS --out "$OUTS/gaillac" || CTG_OK=0
else
    step_meta report "$GAILLAC_LABEL" report skipped 'an earlier ctgdiag step failed'
fi

BATCH_LABEL="ctgdiag report, every EPCI (xargs -P $JOBS)"
if [ "$SKIP_BATCH" = 1 ]; then
    step_meta batch "$BATCH_LABEL" batch skipped '--skip-batch'
elif [ "$CTG_OK" != 1 ]; then
    step_meta batch "$BATCH_LABEL" batch skipped 'an earlier ctgdiag step failed'
else
    # The EPCI of the warehouse: those with a commune (or arrondissement) some loaded
    # file has a row for, in the geography computed (docs/warehouse.md: geo_unit, obs_row).
    EPCI="$SCRATCH/epci.txt"
    if command -v sqlite3 >/dev/null 2>&1; then
        gy=${GEO_YEAR:-"(SELECT max(geo_year) FROM geo_unit)"}
        sqlite3 -readonly "$DB" "SELECT DISTINCT epci FROM geo_unit WHERE geo_year = $gy
            AND level IN ('commune', 'arm') AND epci IS NOT NULL AND epci <> ''
            AND code IN (SELECT code FROM obs_row WHERE level IN ('commune', 'arm')) ORDER BY 1;" \
            >"$EPCI" 2>"$LOGS/epci.err"
        src="EPCI with a commune some file has rows for (sqlite3 on geo_unit, obs_row)"
    else
        # shellcheck disable=SC2086
        "$BIN" --db "$DB" geo --level epci ${GEO_YEAR:+--year "$GEO_YEAR"} 2>"$LOGS/epci.err" |
            sed '1d' | cut -d';' -f2 >"$EPCI"
        src="every EPCI of the geography (ctgdiag geo --level epci; no sqlite3 CLI)"
    fi
    n=$(grep -c . "$EPCI" 2>/dev/null)
    n=${n:-0}
    info epci_count "$n"
    info epci_source "$src"
    if [ "$n" -eq 0 ]; then
        step_meta batch "$BATCH_LABEL" batch failed 'no EPCI found in the warehouse'
        FAILED="$FAILED${FAILED:+; }ctgdiag report batch (no EPCI found: $LOGS/epci.err)"
        say "no EPCI found in the warehouse: see $LOGS/epci.err"
    else
        say "$BATCH_LABEL: $n EPCI, one run"
        clean "$OUTS/batch"
        mkdir -p "$OUTS/batch"
        sync
        # shellcheck disable=SC2086
        STDIN=$EPCI
        # shellcheck disable=SC2086
        timed batch 1 xargs -P "$JOBS" -I '{}' \
            "$BIN" --db "$DB" report --territory 'epci:{}' $GEO_ARGS --out "$OUTS/batch"
        rc=$?
        STDIN=
        if [ "$rc" = 0 ]; then
            step_meta batch "ctgdiag report, $n EPCI, default plan (xargs -P $JOBS)" batch ok \
                "$n EPCI: $src; the default plan; one run"
        else
            step_meta batch "ctgdiag report, $n EPCI, default plan (xargs -P $JOBS)" batch failed
            failed "ctgdiag report batch" "$rc" "$LOGS/batch.1"
        fi
    fi
fi

# ------------------------------------------------------------------ scaling
if [ "$SCALING" = 1 ]; then
    # every workload first, then the runs in rounds (each round 1, 3, 10 vintages), as the load
    # steps: the series compares costs per MB, which a slow spell on one size would skew
    for v in 1 3 10; do
        workload_for "$v"
        lists_for "$WL" "$SCRATCH/lists-v$v"
        printf '%s\t%s\n' "$NFILES" "$NBYTES" >"$SCRATCH/lists-v$v/size"
    done
    sdb="$DBS/scale.db"
    SCALE_FAILED=' '
    round=1
    while [ "$round" -le "$RUNS" ]; do
        for v in 1 3 10; do
            case $SCALE_FAILED in *" $v "*) continue ;; esac
            with_list "$SCRATCH/lists-v$v/files.txt" cat >/dev/null
            say "scaling, $v vintage(s): ingest + compute, run $round of $RUNS"
            clean "$sdb"
            sync
            with_list "$SCRATCH/lists-v$v/files.txt" timed "scale$v-ingest" "$round" "$BIN" --db "$sdb" ingest ||
                { rc=$?; SCALE_FAILED="$SCALE_FAILED$v "; failed "ctgdiag ingest, $v vintage(s)" "$rc" "$LOGS/scale$v-ingest.$round"; continue; }
            sync
            # shellcheck disable=SC2086
            timed "scale$v-compute" "$round" "$BIN" --db "$sdb" compute $GEO_ARGS ||
                { rc=$?; SCALE_FAILED="$SCALE_FAILED$v "; failed "ctgdiag compute, $v vintage(s)" "$rc" "$LOGS/scale$v-compute.$round"; }
        done
        round=$((round + 1))
    done
    for v in 1 3 10; do
        st=ok
        case $SCALE_FAILED in *" $v "*) st=failed ;; esac
        printf 'scale\t%s\t%s\t%s\n' "$v" "$(cat "$SCRATCH/lists-v$v/size")" "$st" >>"$META"
    done
    clean "$sdb"
fi

# ------------------------------------------------------------------ report
info load_end "$(cut -d' ' -f1 /proc/loadavg 2>/dev/null)"
python3 "$ROOT/bench/report.py" "$SCRATCH" || fatal "bench/report.py failed"
say "workload: $MAIN_WL"
say "results: $SCRATCH/results.md, every run: $SCRATCH/runs.tsv, logs: $LOGS"
if [ -n "$FAILED" ]; then
    say "FAILED: $FAILED"
    exit 1
fi
exit 0
