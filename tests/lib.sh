# tests/lib.sh - helpers for the end-to-end tests (sourced, POSIX sh).
# The environment gives CTGDIAG (the binary), WHDUMP (tests/tools/whdump),
# SRC (the source tree) and SCRATCH (a folder of this test's own).
set -eu
: "${CTGDIAG:?}" "${SRC:?}" "${SCRATCH:?}"
rm -rf "$SCRATCH"
mkdir -p "$SCRATCH"
DB="$SCRATCH/w.db"
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect_eq WHAT EXPECTED ACTUAL
expect_eq() {
    if [ "$2" != "$3" ]; then fail "$1: expected '$2', got '$3'"; fi
}

# expect_file_eq WHAT EXPECTED_FILE ACTUAL_FILE
expect_file_eq() {
    if ! cmp -s "$2" "$3"; then
        fail "$1: $3 differs from $2"
        diff -u "$2" "$3" | head -40 >&2 || true
    fi
}

# run CODE ARGS...: runs ctgdiag, keeps stdout in $SCRATCH/out and stderr in
# $SCRATCH/err, and checks its exit code.
run() {
    want=$1
    shift
    set +e
    "$CTGDIAG" "$@" >"$SCRATCH/out" 2>"$SCRATCH/err"
    got=$?
    set -e
    if [ "$got" != "$want" ]; then
        fail "ctgdiag $*: exit $got, expected $want"
        sed 's/^/    stderr: /' "$SCRATCH/err" | head -20 >&2
    fi
}

# The shared real data beside the project (CI has it; a user's clone may not).
REAL="$SRC/../shared/data/real"

finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures failure(s)" >&2
        exit 1
    fi
    echo "ok"
}
