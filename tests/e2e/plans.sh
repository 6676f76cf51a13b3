# The plan files of samples/plans/ (samples/plans/README.md), checked
# without ctgdiag: every file parses as the documented CSV (header, kinds,
# hierarchy, numbering, notes); every indicator id is in
# schemas/indicators.csv; the two seed plans have their counts (CA
# Gaillac-Graulhet: 6 axes I..VI, 24 objectives, 24 actions 1..24 in order;
# Saint-Jean: 7 axes, 39 actions 1.1.. numbered in order within each axis).
# When the documents are beside the project (../shared/plans: CI has them),
# every title of both files is found verbatim in its document (whitespace
# normalised only), and an independent reading of each document gives the
# same axes, objectives and actions in the same order; without them only
# that comparison is skipped.
. "$SRC/tests/lib.sh"
cd "$SRC"
command -v python3 >/dev/null 2>&1 || { echo "skipped: no python3"; exit 77; }

PLANS_DOCS="$SRC/../shared/plans"
if [ -f "$PLANS_DOCS/gaillac-graulhet-ctg-plan-action.txt" ] &&
    [ -f "$PLANS_DOCS/saint-jean-ctg-2024-2028.txt" ]; then
    docs=$PLANS_DOCS
else
    docs=
    echo "skipped part: no $PLANS_DOCS, titles not compared with the documents"
fi

set +e
python3 - samples/plans schemas/indicators.csv "$docs" >"$SCRATCH/failures" 2>"$SCRATCH/err" <<'EOF'
import csv, io, os, re, sys

plans_dir, catalogue, docs = sys.argv[1:4]
HEADER = ["kind", "number", "title", "indicators", "note"]
META = ["plan", "territory", "period", "source"]
NONE_NOTE = "aucun indicateur du catalogue"
NOACT_NOTE = "aucune action dans le plan"
problems = []


def bad(where, msg):
    problems.append(f"{where}: {msg}")


def norm(text):
    return " ".join(text.split())


# Catalogue ids (several lines per id; quoted fields).
with open(catalogue, encoding="utf-8", newline="") as f:
    ids = {r["id"] for r in csv.DictReader(f, delimiter=";")}
if len(ids) < 50:
    bad(catalogue, f"only {len(ids)} ids read")


def read_plan(path):
    """Rows of a plan file as dicts with their line number, or None."""
    raw = open(path, "rb").read()
    if raw.startswith(b"\xef\xbb\xbf"):
        bad(path, "starts with a BOM")
    if b"\r" in raw:
        bad(path, "has CR characters (line ends must be LF)")
    if not raw.endswith(b"\n"):
        bad(path, "does not end with a line end")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        bad(path, f"not UTF-8: {e}")
        return None
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", strict=True))
    except csv.Error as e:
        bad(path, f"not a CSV file: {e}")
        return None
    if not records or records[0] != HEADER:
        bad(path, f"header must be {';'.join(HEADER)}")
        return None
    rows = []
    for n, rec in enumerate(records[1:], 2):
        where = f"{path}:{n}"
        if len(rec) != len(HEADER):
            bad(where, f"{len(rec)} fields, {len(HEADER)} expected")
            continue
        r = dict(zip(HEADER, rec))
        r["line"] = where
        for k in HEADER:
            if r[k] != r[k].strip():
                bad(where, f"{k} has blanks at its ends")
        if "\n" in r["title"] or "  " in r["title"]:
            bad(where, "title is not on one line with single blanks")
        rows.append(r)
    return rows


def check_generic(path, rows):
    """The rules of every plan file (samples/plans/README.md)."""
    if not rows or rows[0]["kind"] != "plan":
        bad(path, "the first data line must be the plan line")
    seen_meta = {}
    in_body = False
    axes, actions, objectives = set(), set(), set()
    axis_seen = False
    for k, r in enumerate(rows):
        kind, where = r["kind"], r["line"]
        if kind in META:
            if in_body:
                bad(where, f"{kind} line after the first axis")
            if kind in seen_meta:
                bad(where, f"a second {kind} line")
            seen_meta[kind] = r
            if r["indicators"]:
                bad(where, f"a {kind} line has no indicators")
            continue
        if kind not in ("axis", "objective", "action"):
            bad(where, f"unknown kind '{kind}'")
            continue
        in_body = True
        if not r["title"]:
            bad(where, f"{kind} without a title")
        if kind == "axis":
            axis_seen = True
            axes_key = r["number"]
            if not axes_key:
                bad(where, "axis without a number")
            elif axes_key in axes:
                bad(where, f"axis number {axes_key} twice")
            axes.add(axes_key)
        elif not axis_seen:
            bad(where, f"{kind} before the first axis")
        if kind == "action":
            if not r["number"]:
                bad(where, "action without a number")
            elif r["number"] in actions:
                bad(where, f"action number {r['number']} twice")
            actions.add(r["number"])
        if kind == "objective" and r["number"]:
            if r["number"] in objectives:
                bad(where, f"objective number {r['number']} twice")
            objectives.add(r["number"])
        ind = r["indicators"]
        if ind:
            lst = ind.split(",")
            for i in lst:
                if i not in ids:
                    bad(where, f"indicator '{i}' is not in {catalogue}")
            if len(set(lst)) != len(lst):
                bad(where, "an indicator listed twice")
        if kind in ("axis", "action"):
            if not ind and not r["note"].startswith(NONE_NOTE):
                bad(where, f"{kind} without indicators: note must say '{NONE_NOTE}'")
            if ind and r["note"].startswith(NONE_NOTE):
                bad(where, f"{kind} with indicators noted '{NONE_NOTE}'")
        if kind == "objective":
            nxt = rows[k + 1]["kind"] if k + 1 < len(rows) else None
            if (nxt != "action") != r["note"].startswith(NOACT_NOTE):
                bad(where, f"objective: note '{NOACT_NOTE}' iff no action follows it")
    if "territory" not in seen_meta:
        bad(path, "no territory line")
    elif not re.fullmatch(r"(commune|arm|epci|dep|reg|fr|communes):[0-9A-Za-z,]+",
                          seen_meta["territory"]["number"]):
        bad(seen_meta["territory"]["line"], "territory number must read LEVEL:CODE")
    if not axis_seen:
        bad(path, "no axis")


def structure(rows):
    return [(r["kind"], r["number"], r["title"]) for r in rows if r["kind"] not in META]


def meta(rows, kind):
    return next((r for r in rows if r["kind"] == kind), {"number": "", "title": ""})


ROMAN = ["I", "II", "III", "IV", "V", "VI"]


def check_gaillac(path, rows):
    s = structure(rows)
    expect = lambda what, want, got: got == want or bad(path, f"{what}: expected {want}, got {got}")
    expect("axes", ROMAN, [n for k, n, t in s if k == "axis"])
    expect("actions", [str(i) for i in range(1, 25)], [n for k, n, t in s if k == "action"])
    expect("objectives", 24, sum(k == "objective" for k, n, t in s))
    expect("objective numbers", set([""]), {n for k, n, t in s if k == "objective"})
    expect("territory", "epci:200066124", meta(rows, "territory")["number"])
    # Each action belongs to an objective (the plan has no action straight under an axis).
    for a, b in zip(s, s[1:]):
        if b[0] == "action" and a[0] == "axis":
            bad(path, f"action {b[1]} straight under axis {a[1]}")
    if "RENFORER" not in dict(((k, n), t) for k, n, t in s).get(("axis", "IV"), ""):
        bad(path, "axis IV must read RENFORER, as the plan writes it")


def check_saint_jean(path, rows):
    s = structure(rows)
    expect = lambda what, want, got: got == want or bad(path, f"{what}: expected {want}, got {got}")
    expect("axes", [str(i) for i in range(1, 8)], [n for k, n, t in s if k == "axis"])
    expect("objectives", 0, sum(k == "objective" for k, n, t in s))
    per_axis = [5, 9, 4, 3, 8, 4, 6]
    expect("actions", [f"{a}.{i}" for a, c in enumerate(per_axis, 1) for i in range(1, c + 1)],
           [n for k, n, t in s if k == "action"])
    expect("number of actions", 39, sum(k == "action" for k, n, t in s))
    expect("territory", "commune:31488", meta(rows, "territory")["number"])
    note = meta(rows, "plan").get("note", "")
    if "39" not in note or "43" not in note:
        bad(path, "the plan line must say that the brochure lists 39 of its 43 actions")


def read_gaillac_doc(text):
    """Independent reading: after the first 'I- ' line, 'N- ' is an axis,
    'N. ' an action, any other non-blank line an objective."""
    out, started = [], False
    title = None
    for line in text.split("\n"):
        line = line.strip()
        m = re.fullmatch(r"([IVX]+)- (.+)", line)
        if m:
            started = True
            out.append(("axis", m.group(1), norm(m.group(2))))
        elif not started:
            if line:
                title = norm(f"{title} {line}") if title else line
        elif re.fullmatch(r"\d+\. .+", line):
            n, t = line.split(". ", 1)
            out.append(("action", n, norm(t)))
        elif line:
            out.append(("objective", "", norm(line)))
    return title, out


def read_saint_jean_doc(text):
    """Independent reading: after the line announcing the 43 actions, a
    paragraph of bullets lists the actions of the axis whose heading is the
    paragraph before it; a bullet runs on over the lines that do not start
    with one. Numbers 1..7 and 1.1.. in order."""
    lines = text.split("\n")
    start = next(i for i, l in enumerate(lines) if "43 actions" in l) + 1
    paragraphs, cur = [], []
    for l in lines[start:] + [""]:
        if l.strip():
            cur.append(l.strip())
        elif cur:
            paragraphs.append(cur)
            cur = []
    out, heading, axis = [], None, 0
    for p in paragraphs:
        if not p[0].startswith("•"):
            heading = norm(" ".join(p))
            continue
        axis += 1
        out.append(("axis", str(axis), heading))
        items = []
        for l in p:
            if l.startswith("•"):
                items.append(l[1:].strip())
            else:
                items[-1] += " " + l
        out += [("action", f"{axis}.{i}", norm(t)) for i, t in enumerate(items, 1)]
    title = norm(lines[0])
    return title, out


def compare_with_doc(path, rows, doc_path, reader):
    text = open(doc_path, encoding="utf-8").read()
    flat = norm(text)
    for r in rows:
        if r["kind"] in ("plan", "axis", "objective", "action") and r["title"] not in flat:
            bad(r["line"], f"title not found verbatim in {os.path.basename(doc_path)}: {r['title']}")
    title, doc = reader(text)
    if meta(rows, "plan")["title"] != title:
        bad(path, f"plan title: the document reads '{title}'")
    got = structure(rows)
    if got != doc:
        for i, (a, b) in enumerate(zip(doc + [None] * len(got), got + [None] * len(doc))):
            if a != b:
                bad(path, f"item {i + 1} differs from the document: document {a}, file {b}")
                break


SEEDS = {
    "gaillac-graulhet.csv": (check_gaillac, "gaillac-graulhet-ctg-plan-action.txt", read_gaillac_doc),
    "saint-jean.csv": (check_saint_jean, "saint-jean-ctg-2024-2028.txt", read_saint_jean_doc),
}
files = sorted(f for f in os.listdir(plans_dir) if f.lower().endswith(".csv"))
for seed in SEEDS:
    if seed not in files:
        bad(plans_dir, f"{seed} missing")
for f in files:
    path = os.path.join(plans_dir, f)
    rows = read_plan(path)
    if rows is None:
        continue
    check_generic(path, rows)
    if f in SEEDS:
        check, doc, reader = SEEDS[f]
        check(path, rows)
        if docs:
            compare_with_doc(path, rows, os.path.join(docs, doc), reader)
    print(f"checked {path}: {len(rows)} lines", file=sys.stderr)

for p in problems:
    print(p)
EOF
rc=$?
set -e
[ "$rc" = 0 ] || { fail "plan checker: exit $rc"; sed 's/^/    /' "$SCRATCH/err" >&2; }
while IFS= read -r line; do fail "$line"; done <"$SCRATCH/failures"
cat "$SCRATCH/err"

finish
