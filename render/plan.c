/*
 * plan.c - reader of the plan files of samples/plans/ (README.md there).
 *
 * The file is read whole (it is small), checked as UTF-8, then cut into
 * records by an RFC 4180 scanner working in place: a field's text is moved
 * to the start of its own bytes (a quoted field only shrinks) and
 * NUL-terminated over the separator that ended it. Each record is then one
 * line of the plan, copied into the ctg_plan.
 */
#include "render/plan.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compute/catalogue.h"
#include "core/buf.h"
#include "core/sha256.h"
#include "core/text.h"

#define PLAN_MAX_BYTES (1L << 20) /* a plan of a few hundred lines is ~30 KB */

/* ------------------------------------------------------------ scanner */

typedef struct scanner {
    char *p;          /* next byte to read */
    char *end;        /* end of the text; *end == '\0' */
    long line;        /* line of *p, 1-based */
    const char *path;
    ctg_error *err;
} scanner;

/* One record: fields point into the scanned text. */
typedef struct record {
    char **fields;
    size_t n, cap;
    long line;        /* line where it starts */
} record;

/* A byte no field may hold: C0 controls but TAB, and DEL. */
static int is_control(char c)
{
    unsigned char u = (unsigned char)c;
    return (u < 0x20 && u != '\t') || u == 0x7F;
}

/* The blanks trimmed around unquoted fields and indicator ids. */
static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Fails on the control byte at s->p (a line break being reported as one). */
static ctg_status bad_byte(const scanner *s, int quoted)
{
    if (*s->p == '\n' || *s->p == '\r')
        return ctg_fail(s->err, CTG_ERR_DATA, s->path, s->line,
                        quoted ? "a quoted field is not closed at the end of the line (titles "
                                 "and notes are on one line)"
                               : "a carriage return not followed by a line feed");
    return ctg_fail(s->err, CTG_ERR_DATA, s->path, s->line,
                    "control character 0x%02X in a field", (unsigned)(unsigned char)*s->p);
}

/* Reads a quoted field whose opening quote is at s->p, moving its text to
 * *w onwards (doubled quotes made single); leaves s->p after the closing
 * quote and the blanks that follow it. */
static ctg_status scan_quoted(scanner *s, char **w)
{
    s->p++;
    for (;;) {
        if (s->p == s->end)
            return ctg_fail(s->err, CTG_ERR_DATA, s->path, s->line,
                            "a quoted field is not closed at the end of the file");
        if (*s->p == '"') {
            if (s->p[1] != '"')
                break;
            s->p++;
        } else if (is_control(*s->p)) {
            return bad_byte(s, 1);
        }
        *(*w)++ = *s->p++;
    }
    s->p++;
    while (s->p < s->end && is_blank(*s->p))
        s->p++;
    if (s->p < s->end && *s->p != ';' && *s->p != '\n' && *s->p != '\r')
        return ctg_fail(s->err, CTG_ERR_DATA, s->path, s->line,
                        "text after the closing quote of a field (a '\"' inside a quoted "
                        "field is written '\"\"')");
    return CTG_OK;
}

/* Reads an unquoted field from s->p (after its leading blanks) to the next
 * separator or line end; *w is left after its last non-blank byte. A '"'
 * inside it is kept as written. */
static ctg_status scan_plain(scanner *s, char **w)
{
    char *last = s->p;
    while (s->p < s->end && *s->p != ';' && *s->p != '\n' && *s->p != '\r') {
        if (is_control(*s->p))
            return bad_byte(s, 0);
        if (!is_blank(*s->p))
            last = s->p + 1;
        s->p++;
    }
    *w = last;
    return CTG_OK;
}

/* Consumes what ends a field: ';' (*last = 0), a line end or the end of
 * the text (*last = 1). */
static ctg_status scan_end(scanner *s, int *last)
{
    *last = 1;
    if (s->p == s->end)
        return CTG_OK;
    if (*s->p == ';') {
        *last = 0;
        s->p++;
        return CTG_OK;
    }
    if (*s->p == '\r') {
        if (s->p[1] != '\n')
            return bad_byte(s, 0);
        s->p++;
    }
    s->p++; /* the '\n' */
    s->line++;
    return CTG_OK;
}

/* Appends a field to the record. */
static ctg_status record_push(record *r, char *field)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        char **f = realloc(r->fields, cap * sizeof *f);
        if (!f)
            return CTG_ERR_NOMEM;
        r->fields = f;
        r->cap = cap;
    }
    r->fields[r->n++] = field;
    return CTG_OK;
}

/* Reads the next record into *r; *eof is set at the end of the text. */
static ctg_status scan_record(scanner *s, record *r, int *eof)
{
    r->n = 0;
    r->line = s->line;
    *eof = s->p == s->end;
    if (*eof)
        return CTG_OK;
    int last = 0;
    while (!last) {
        while (s->p < s->end && is_blank(*s->p))
            s->p++;
        char *start = s->p, *w = s->p;
        ctg_status st = *s->p == '"' ? scan_quoted(s, &w) : scan_plain(s, &w);
        if (st == CTG_OK)
            st = scan_end(s, &last);
        if (st != CTG_OK)
            return st;
        *w = '\0'; /* over the field's own bytes or its terminator, both read */
        if (record_push(r, start) != CTG_OK)
            return ctg_fail(s->err, CTG_ERR_NOMEM, s->path, r->line, "out of memory");
    }
    return CTG_OK;
}

/* 1 when every field of the record is empty (a blank line, ";;;;"). */
static int record_is_blank(const record *r)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->fields[i][0])
            return 0;
    return 1;
}

/* ------------------------------------------------------------- loader */

enum { COL_KIND, COL_NUMBER, COL_TITLE, COL_INDICATORS, COL_NOTE, NCOLS };
static const char *const COLUMNS[NCOLS] = {"kind", "number", "title", "indicators", "note"};

enum { META_PLAN, META_TERRITORY, META_PERIOD, META_SOURCE, NMETA };
static const char *const META_KINDS[NMETA] = {"plan", "territory", "period", "source"};

typedef struct loader {
    ctg_plan *plan;
    const char *path;
    ctg_error *err;
    long line;               /* of the line being read */
    size_t ncols;            /* fields of the header */
    size_t col[NCOLS];       /* index of each column in a record */
    long meta[NMETA];        /* line of each plan/territory/... line, 0 when none */
} loader;

/* The fields of one line of the plan, by column. */
typedef struct line_fields {
    const char *f[NCOLS];
} line_fields;

/* Records an out-of-memory failure at the current line. */
static ctg_status nomem(const loader *ld)
{
    return ctg_fail(ld->err, CTG_ERR_NOMEM, ld->path, ld->line, "out of memory");
}

/* strdup that reports failure through the loader. */
static ctg_status copy_str(const loader *ld, const char *s, char **out)
{
    *out = strdup(s);
    return *out ? CTG_OK : nomem(ld);
}

/* Returns arr (n elements of size bytes) grown by one zeroed element, or
 * NULL when out of memory (arr is then unchanged). Plans are small: one
 * realloc per element is fine. */
static void *grow(void *arr, size_t n, size_t size)
{
    char *a = realloc(arr, (n + 1) * size);
    if (a)
        memset(a + n * size, 0, size);
    return a;
}

/* Frees an array of n owned strings. */
static void free_strings(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

/* Binds the header's columns by name; every column of COLUMNS once, others
 * ignored. */
static ctg_status bind_header(loader *ld, const record *r)
{
    static const char expected[] = "kind;number;title;indicators;note";
    for (int c = 0; c < NCOLS; c++) {
        ld->col[c] = r->n;
        for (size_t i = 0; i < r->n; i++) {
            if (strcmp(r->fields[i], COLUMNS[c]) != 0)
                continue;
            if (ld->col[c] != r->n)
                return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                                "not a plan file: column '%s' twice in the header", COLUMNS[c]);
            ld->col[c] = i;
        }
        if (ld->col[c] == r->n)
            return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                            "not a plan file: the header has no column '%s' (a plan's "
                            "header is %s)",
                            COLUMNS[c], expected);
    }
    ld->ncols = r->n;
    return CTG_OK;
}

/* Splits an indicators cell on ',' into owned ids, blanks around each
 * trimmed, empty items skipped; an id twice is an error. */
static ctg_status split_indicators(const loader *ld, const char *cell, char ***out, size_t *n)
{
    char **v = NULL;
    size_t count = 0;
    ctg_status st = CTG_OK;
    const char *s = cell;
    while (*s) {
        while (is_blank(*s))
            s++;
        size_t len = strcspn(s, ",");
        const char *next = s[len] ? s + len + 1 : s + len;
        while (len > 0 && is_blank(s[len - 1]))
            len--;
        if (len > 0) {
            for (size_t i = 0; i < count; i++)
                if (strlen(v[i]) == len && !memcmp(v[i], s, len)) {
                    st = ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                                  "indicator '%s' twice on the line", v[i]);
                    goto fail;
                }
            char **grown = grow(v, count, sizeof *v);
            if (!grown) {
                st = nomem(ld);
                goto fail;
            }
            v = grown;
            v[count] = strndup(s, len);
            if (!v[count]) {
                st = nomem(ld);
                goto fail;
            }
            count++;
        }
        s = next;
    }
    *out = v;
    *n = count;
    return CTG_OK;
fail:
    free_strings(v, count);
    return st;
}

/* Fails when a title is empty (or blanks only). */
static ctg_status need_title(const loader *ld, const char *kind, const char *title)
{
    for (const char *s = title; *s; s++)
        if (!is_blank(*s))
            return CTG_OK;
    return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line, "an %s without a title", kind);
}

/* Fails when number is empty or already used by an earlier axis (kind
 * "axis") or action ("action") of the plan. */
static ctg_status need_number(const loader *ld, const char *kind, const char *number)
{
    if (!number[0])
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line, "an %s without a number",
                        kind);
    const ctg_plan *p = ld->plan;
    int is_axis = !strcmp(kind, "axis");
    for (size_t a = 0; a < p->naxes; a++) {
        const ctg_plan_axis *ax = &p->axes[a];
        if (is_axis && !strcmp(ax->number, number))
            return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                            "axis %s already at line %ld", number, ax->line);
        for (size_t i = 0; !is_axis && i < ax->nactions; i++)
            if (!strcmp(ax->actions[i].number, number))
                return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                                "action %s already at line %ld", number, ax->actions[i].line);
    }
    return CTG_OK;
}

/* A plan, territory, period or source line: at most once, before the first
 * axis, without indicators. */
static ctg_status add_meta(loader *ld, int which, const line_fields *lf)
{
    ctg_plan *p = ld->plan;
    const char *kind = META_KINDS[which];
    if (p->naxes > 0)
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                        "a '%s' line after the first axis (the plan's own lines come first)",
                        kind);
    if (ld->meta[which])
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                        "a second '%s' line (the first at line %ld)", kind, ld->meta[which]);
    if (lf->f[COL_INDICATORS][0])
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                        "indicators on a '%s' line (only on axis, objective and action lines)",
                        kind);
    ld->meta[which] = ld->line;
    const char *title = lf->f[COL_TITLE];
    switch (which) {
    case META_PLAN: {
        ctg_status st = copy_str(ld, title, &p->title);
        return st == CTG_OK ? copy_str(ld, lf->f[COL_NOTE], &p->note) : st;
    }
    case META_TERRITORY: {
        /* its number may be empty: a generic plan leaves it to --territory */
        ctg_status st = copy_str(ld, lf->f[COL_NUMBER], &p->territory);
        return st == CTG_OK ? copy_str(ld, title, &p->territory_name) : st;
    }
    case META_PERIOD:
        return copy_str(ld, title, &p->period);
    default:
        return copy_str(ld, title, &p->source);
    }
}

/* An axis line: a new axis, numbered, titled, after the plan's own lines. */
static ctg_status add_axis(loader *ld, const line_fields *lf)
{
    ctg_plan *p = ld->plan;
    ctg_status st = need_number(ld, "axis", lf->f[COL_NUMBER]);
    if (st == CTG_OK)
        st = need_title(ld, "axis", lf->f[COL_TITLE]);
    if (st != CTG_OK)
        return st;
    ctg_plan_axis *axes = grow(p->axes, p->naxes, sizeof *axes);
    if (!axes)
        return nomem(ld);
    p->axes = axes;
    ctg_plan_axis *ax = &p->axes[p->naxes++];
    ax->line = ld->line;
    st = copy_str(ld, lf->f[COL_NUMBER], &ax->number);
    if (st == CTG_OK)
        st = copy_str(ld, lf->f[COL_TITLE], &ax->title);
    if (st == CTG_OK)
        st = copy_str(ld, lf->f[COL_NOTE], &ax->note);
    if (st == CTG_OK)
        st = split_indicators(ld, lf->f[COL_INDICATORS], &ax->indicators, &ax->nindicators);
    return st;
}

/* The axis an objective or action line belongs to: the last one. */
static ctg_status current_axis(const loader *ld, const char *kind, ctg_plan_axis **out)
{
    if (ld->plan->naxes == 0)
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                        "an %s before any axis (an axis line comes first)", kind);
    *out = &ld->plan->axes[ld->plan->naxes - 1];
    return CTG_OK;
}

/* An objective line: a titled objective of the last axis. */
static ctg_status add_objective(loader *ld, const line_fields *lf)
{
    ctg_plan_axis *ax = NULL;
    ctg_status st = current_axis(ld, "objective", &ax);
    if (st == CTG_OK)
        st = need_title(ld, "objective", lf->f[COL_TITLE]);
    if (st != CTG_OK)
        return st;
    ctg_plan_objective *objs = grow(ax->objectives, ax->nobjectives, sizeof *objs);
    if (!objs)
        return nomem(ld);
    ax->objectives = objs;
    ctg_plan_objective *o = &ax->objectives[ax->nobjectives++];
    o->line = ld->line;
    st = copy_str(ld, lf->f[COL_NUMBER], &o->number);
    if (st == CTG_OK)
        st = copy_str(ld, lf->f[COL_TITLE], &o->title);
    if (st == CTG_OK)
        st = copy_str(ld, lf->f[COL_NOTE], &o->note);
    if (st == CTG_OK)
        st = split_indicators(ld, lf->f[COL_INDICATORS], &o->indicators, &o->nindicators);
    return st;
}

/* An action line: a numbered, titled action of the last axis, under the
 * nearest objective above it. */
static ctg_status add_action(loader *ld, const line_fields *lf)
{
    ctg_plan_axis *ax = NULL;
    ctg_status st = current_axis(ld, "action", &ax);
    if (st == CTG_OK)
        st = need_number(ld, "action", lf->f[COL_NUMBER]);
    if (st == CTG_OK)
        st = need_title(ld, "action", lf->f[COL_TITLE]);
    if (st != CTG_OK)
        return st;
    ctg_plan_action *acts = grow(ax->actions, ax->nactions, sizeof *acts);
    if (!acts)
        return nomem(ld);
    ax->actions = acts;
    ctg_plan_action *a = &ax->actions[ax->nactions++];
    a->line = ld->line;
    /* the nearest objective above (objectives only belong to the last axis),
     * -1 when none; a file of at most 1 MiB has far fewer than INT_MAX */
    a->objective = (int)ax->nobjectives - 1;
    st = copy_str(ld, lf->f[COL_NUMBER], &a->number);
    if (st == CTG_OK)
        st = copy_str(ld, lf->f[COL_TITLE], &a->title);
    if (st == CTG_OK)
        st = copy_str(ld, lf->f[COL_NOTE], &a->note);
    if (st == CTG_OK)
        st = split_indicators(ld, lf->f[COL_INDICATORS], &a->indicators, &a->nindicators);
    return st;
}

/* Dispatches one non-blank line after the header on its kind. */
static ctg_status add_line(loader *ld, const record *r)
{
    if (r->n != ld->ncols)
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                        "%zu fields where the header has %zu", r->n, ld->ncols);
    line_fields lf;
    for (int c = 0; c < NCOLS; c++)
        lf.f[c] = r->fields[ld->col[c]];
    const char *kind = lf.f[COL_KIND];
    for (int m = 0; m < NMETA; m++)
        if (!strcmp(kind, META_KINDS[m]))
            return add_meta(ld, m, &lf);
    if (!strcmp(kind, "axis"))
        return add_axis(ld, &lf);
    if (!strcmp(kind, "objective"))
        return add_objective(ld, &lf);
    if (!strcmp(kind, "action"))
        return add_action(ld, &lf);
    if (!kind[0])
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line, "a line without a kind");
    return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, ld->line,
                    "unknown kind '%s' (plan, territory, period, source, axis, objective or "
                    "action)",
                    kind);
}

/* After the last line: the plan line and an axis are there; the strings of
 * absent territory, period and source lines become "". */
static ctg_status finish(loader *ld)
{
    ctg_plan *p = ld->plan;
    ld->line = 0;
    if (!ld->meta[META_PLAN])
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, 0, "no 'plan' line");
    if (p->naxes == 0)
        return ctg_fail(ld->err, CTG_ERR_DATA, ld->path, 0, "no axis: a plan has at least one");
    char **optional[] = {&p->territory, &p->territory_name, &p->period, &p->source};
    for (size_t i = 0; i < sizeof optional / sizeof optional[0]; i++)
        if (!*optional[i] && copy_str(ld, "", optional[i]) != CTG_OK)
            return CTG_ERR_NOMEM;
    return CTG_OK;
}

/* Reads the whole file into buf (at most PLAN_MAX_BYTES). */
static ctg_status read_whole(const char *path, ctg_buf *buf, ctg_error *err)
{
    ctg_status st = CTG_OK;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ctg_fail(err, CTG_ERR_NOINPUT, path, 0, "cannot open: %s", strerror(errno));
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (buf->len + n > (size_t)PLAN_MAX_BYTES) {
            st = ctg_fail(err, CTG_ERR_DATA, path, 0,
                          "larger than %ld bytes: not a plan file", PLAN_MAX_BYTES);
            goto cleanup;
        }
        if (ctg_buf_append(buf, chunk, n) != CTG_OK) {
            st = ctg_fail(err, CTG_ERR_NOMEM, path, 0, "out of memory");
            goto cleanup;
        }
    }
    if (ferror(f))
        st = ctg_fail(err, CTG_ERR_NOINPUT, path, 0, "cannot read: %s", strerror(errno));
cleanup:
    fclose(f);
    return st;
}

/* Fails when text[0..len) is not UTF-8, naming the line of the first bad
 * byte. */
static ctg_status check_utf8(const char *path, const char *text, size_t len, ctg_error *err)
{
    size_t bad = ctg_utf8_check((const uint8_t *)text, len);
    if (bad == len)
        return CTG_OK;
    long line = 1;
    for (size_t i = 0; i < bad; i++)
        line += text[i] == '\n';
    return ctg_fail(err, CTG_ERR_DATA, path, line,
                    "not UTF-8 (byte 0x%02X): save the plan as CSV UTF-8",
                    (unsigned)(unsigned char)text[bad]);
}

/* Reads the header then every line of the text into ld->plan. */
static ctg_status parse(loader *ld, scanner *s)
{
    record r = {NULL, 0, 0, 0};
    int header = 0, eof = 0;
    ctg_status st;
    for (;;) {
        st = scan_record(s, &r, &eof);
        if (st != CTG_OK || eof)
            break;
        ld->line = r.line;
        if (record_is_blank(&r))
            continue;
        st = header ? add_line(ld, &r) : bind_header(ld, &r);
        if (st != CTG_OK)
            break;
        header = 1;
    }
    if (st == CTG_OK && !header)
        st = ctg_fail(ld->err, CTG_ERR_DATA, ld->path, 0, "empty file: not a plan file");
    if (st == CTG_OK)
        st = finish(ld);
    free(r.fields);
    return st;
}

ctg_status ctg_plan_load(const char *path, ctg_plan **out, ctg_error *err)
{
    ctg_buf buf = CTG_BUF_INIT;
    loader ld = {0};
    ld.path = path;
    ld.err = err;
    ctg_status st = read_whole(path, &buf, err);
    if (st != CTG_OK)
        goto cleanup;
    /* an empty file left the buffer without storage: give it its NUL */
    if (ctg_buf_append(&buf, "", 0) != CTG_OK) {
        st = ctg_fail(err, CTG_ERR_NOMEM, path, 0, "out of memory");
        goto cleanup;
    }
    size_t bom = ctg_utf8_bom_len((const uint8_t *)buf.data, buf.len);
    st = check_utf8(path, buf.data + bom, buf.len - bom, err);
    if (st != CTG_OK)
        goto cleanup;
    ld.plan = calloc(1, sizeof *ld.plan);
    if (!ld.plan) {
        st = ctg_fail(err, CTG_ERR_NOMEM, path, 0, "out of memory");
        goto cleanup;
    }
    ctg_sha256 h;
    ctg_sha256_init(&h);
    ctg_sha256_update(&h, buf.data, buf.len);
    ctg_sha256_final_hex(&h, ld.plan->sha256);
    scanner s = {buf.data + bom, buf.data + buf.len, 1, path, err};
    st = parse(&ld, &s);
    if (st == CTG_OK) {
        *out = ld.plan;
        ld.plan = NULL;
    }
cleanup:
    ctg_plan_free(ld.plan);
    ctg_buf_free(&buf);
    return st;
}

/* ------------------------------------------------------------- check */

/* Fails on the first id of ids[0..n) the catalogue does not have; what
 * ("axis", "objective", "action") and number name the line's item. */
static ctg_status check_ids(const ctg_catalogue *cat, char *const *ids, size_t n,
                            const char *what, const char *number, const char *path, long line,
                            ctg_error *err)
{
    for (size_t i = 0; i < n; i++)
        if (!ctg_catalogue_find(cat, ids[i]))
            return ctg_fail(err, CTG_ERR_DATA, path, line,
                            "%s%s%s: unknown indicator '%s' (not in the catalogue; "
                            "`ctgdiag indicators` lists the ids)",
                            what, number[0] ? " " : "", number, ids[i]);
    return CTG_OK;
}

/* Checks the ids of one axis, its objectives and its actions. */
static ctg_status check_axis(const ctg_plan_axis *ax, const ctg_catalogue *cat,
                             const char *path, ctg_error *err)
{
    ctg_status st = check_ids(cat, ax->indicators, ax->nindicators, "axis", ax->number, path,
                              ax->line, err);
    for (size_t i = 0; st == CTG_OK && i < ax->nobjectives; i++) {
        const ctg_plan_objective *o = &ax->objectives[i];
        st = check_ids(cat, o->indicators, o->nindicators, "objective", o->number, path,
                       o->line, err);
    }
    for (size_t i = 0; st == CTG_OK && i < ax->nactions; i++) {
        const ctg_plan_action *a = &ax->actions[i];
        st = check_ids(cat, a->indicators, a->nindicators, "action", a->number, path, a->line,
                       err);
    }
    return st;
}

ctg_status ctg_plan_check(const ctg_plan *plan, const struct ctg_catalogue *cat,
                          const char *path, ctg_error *err)
{
    ctg_status st = CTG_OK;
    for (size_t i = 0; st == CTG_OK && i < plan->naxes; i++)
        st = check_axis(&plan->axes[i], cat, path, err);
    return st;
}

/* ------------------------------------------------------------- free */

/* Frees what an axis owns (not the axis itself). */
static void free_axis(ctg_plan_axis *ax)
{
    for (size_t i = 0; i < ax->nobjectives; i++) {
        ctg_plan_objective *o = &ax->objectives[i];
        free(o->number);
        free(o->title);
        free_strings(o->indicators, o->nindicators);
        free(o->note);
    }
    free(ax->objectives);
    for (size_t i = 0; i < ax->nactions; i++) {
        ctg_plan_action *a = &ax->actions[i];
        free(a->number);
        free(a->title);
        free_strings(a->indicators, a->nindicators);
        free(a->note);
    }
    free(ax->actions);
    free(ax->number);
    free(ax->title);
    free_strings(ax->indicators, ax->nindicators);
    free(ax->note);
}

void ctg_plan_free(ctg_plan *plan)
{
    if (!plan)
        return;
    for (size_t i = 0; i < plan->naxes; i++)
        free_axis(&plan->axes[i]);
    free(plan->axes);
    free(plan->title);
    free(plan->note);
    free(plan->territory);
    free(plan->territory_name);
    free(plan->period);
    free(plan->source);
    free(plan);
}

void ctg_plan_each_indicator(const ctg_plan *plan, void (*fn)(void *ctx, const char *id),
                             void *ctx)
{
    for (size_t a = 0; a < plan->naxes; a++) {
        const ctg_plan_axis *ax = &plan->axes[a];
        for (size_t i = 0; i < ax->nindicators; i++)
            fn(ctx, ax->indicators[i]);
        for (size_t o = 0; o < ax->nobjectives; o++)
            for (size_t i = 0; i < ax->objectives[o].nindicators; i++)
                fn(ctx, ax->objectives[o].indicators[i]);
        for (size_t k = 0; k < ax->nactions; k++)
            for (size_t i = 0; i < ax->actions[k].nindicators; i++)
                fn(ctx, ax->actions[k].indicators[i]);
    }
}
