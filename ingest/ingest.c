/* ingest.c - one file into the warehouse: recognise, read, load, decide. */
#include "ingest/ingest.h"

#include <ctype.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "ingest/load.h"
#include "ingest/reader.h"

void ctg_ingest_options_init(ctg_ingest_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->max_rejects_pct = 5.0;
    opt->diag_limit = 10;
}

const char *ctg_file_status_name(ctg_file_status s)
{
    switch (s) {
    case CTG_FILE_LOADED: return "loaded";
    case CTG_FILE_UNCHANGED: return "unchanged";
    case CTG_FILE_REJECTED: return "rejected";
    }
    return "?";
}

/* ------------------------------------------------------ small helpers */

int ctg_word_in(const char *word, char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcasecmp(word, list[i]))
            return 1;
    return 0;
}

void ctg_canonical_name(char *s)
{
    for (; *s; s++) {
        if (*s == ' ' || *s == '-')
            *s = '_';
        else
            *s = (char)tolower((unsigned char)*s);
    }
}

int ctg_period_normalise(const char *in, char out[16])
{
    size_t n = strlen(in);
    int y = 0, m = 0;
    char rest[2];
    if (n == 4 && sscanf(in, "%4d%1s", &y, rest) == 1) {
        m = 0;
    } else if (n == 6 && strspn(in, "0123456789") == 6) {
        y = atoi(in) / 100;
        m = atoi(in) % 100;
    } else if ((n == 7 || n == 10) && (in[4] == '-' || in[4] == '/') &&
               sscanf(in, "%4d%*c%2d", &y, &m) == 2) {
        if (n == 10 && in[7] != in[4])
            return 0;
    } else if (n == 7 && (in[2] == '/' || in[2] == '-') && sscanf(in, "%2d%*c%4d", &m, &y) == 2) {
    } else {
        return 0;
    }
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)in[i]) && in[i] != '-' && in[i] != '/')
            return 0;
    if (y < 1900 || y > 2100 || m < 0 || m > 12 || (m == 0 && n != 4))
        return 0;
    if (m)
        snprintf(out, 16, "%04d-%02d", y, m);
    else
        snprintf(out, 16, "%04d", y);
    return 1;
}

static void trim_buf(ctg_buf *b)
{
    size_t start = 0, end = b->len;
    while (start < end && (b->data[start] == ' ' || b->data[start] == '\t'))
        start++;
    while (end > start && (b->data[end - 1] == ' ' || b->data[end - 1] == '\t'))
        end--;
    if (start > 0)
        memmove(b->data, b->data + start, end - start);
    b->len = end - start;
    if (b->data)
        b->data[b->len] = '\0';
}

void ctg_load_field_value(const ctg_record *rec, const size_t col[2], int parts, ctg_buf *out)
{
    ctg_buf_reset(out);
    ctg_buf_append(out, rec->fields[col[0]], rec->lens[col[0]]);
    trim_buf(out);
    if (parts < 2)
        return;
    /* a département that lost its zero: 1 -> 01 */
    if (out->len == 1 && isdigit((unsigned char)out->data[0])) {
        char d = out->data[0];
        ctg_buf_reset(out);
        ctg_buf_putc(out, '0');
        ctg_buf_putc(out, d);
    }
    size_t first = out->len;
    ctg_buf_append(out, rec->fields[col[1]], rec->lens[col[1]]);
    trim_buf(out);
    /* a commune number that lost its zeros: 81 + 99 -> 81 + 099 */
    size_t second = out->len - first;
    if (second > 0 && second < 3 && strspn(out->data + first, "0123456789") == second) {
        char num[4];
        memcpy(num, out->data + first, second);
        out->len = first;
        for (size_t i = second; i < 3; i++)
            ctg_buf_putc(out, '0');
        ctg_buf_append(out, num, second);
    }
    /* 971 + 101 -> 97101: an overseas département repeats in the commune number */
    if (first == 3 && out->len == 6 && out->data[0] == '9' && out->data[1] == '7' &&
        out->data[2] == out->data[3]) {
        memmove(out->data + 3, out->data + 4, 2);
        out->len = 5;
        out->data[5] = '\0';
    }
    trim_buf(out);
}

int ctg_load_bind(ctg_load *load, const ctg_field_rule *f, size_t col[2], regmatch_t *m, size_t nm)
{
    size_t found[2];
    for (int p = 0; p < f->parts; p++) {
        size_t c = 0;
        while (c < load->ncols &&
               (load->bound[c] ||
                regexec(&f->re[p], load->cols[c], p == 0 ? nm : 0, p == 0 ? m : NULL, 0) != 0))
            c++;
        if (c == load->ncols) {
            for (int q = 0; q < p; q++)
                load->bound[found[q]] = 0; /* all parts or none */
            return 0;
        }
        found[p] = c;
        load->bound[c] = 1;
    }
    for (int p = 0; p < f->parts; p++)
        col[p] = found[p];
    return 1;
}

/* -------------------------------------------------- rejects and notices */

static void show_row_diag(ctg_load *load, long line, const char *reason)
{
    const ctg_ingest_options *opt = load->opt;
    if (!opt->diag)
        return;
    long shown = load->rejected;
    if (shown <= opt->diag_limit)
        ctg_diag(opt->diag, load->path, line, "row rejected: %s", reason);
}

ctg_status ctg_load_sync(ctg_load *load, ctg_error *err)
{
    if (!load->queue)
        return CTG_OK;
    ctg_status st = ctg_row_queue_sync(load->queue, err);
    if (st != CTG_OK && err->path[0] == '\0')
        snprintf(err->path, sizeof err->path, "%s", load->path);
    return st;
}

ctg_status ctg_load_reject(ctg_load *load, long line, const char *raw, size_t raw_len,
                           const char *reason, ctg_error *err)
{
    enum { RAW_MAX = 4096 };
    ctg_status synced = ctg_load_sync(load, err);
    if (synced != CTG_OK)
        return synced;
    size_t n = raw_len > RAW_MAX ? RAW_MAX : raw_len;
    /* do not cut a UTF-8 character in two */
    while (n < raw_len && n > 0 && ((unsigned char)raw[n] & 0xC0) == 0x80)
        n--;
    sqlite3_stmt *st = load->ins_reject;
    sqlite3_bind_int64(st, 1, load->file_id);
    sqlite3_bind_int64(st, 2, line);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, raw, (int)n, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(load->wh, rc, err, "storing a rejected row");
    load->rejected++;
    show_row_diag(load, line, reason);
    return CTG_OK;
}

ctg_status ctg_load_notice(ctg_load *load, long line, const char *kind, const char *code,
                           const char *detail, ctg_error *err)
{
    ctg_status synced = ctg_load_sync(load, err);
    if (synced != CTG_OK)
        return synced;
    sqlite3_stmt *st = load->ins_notice;
    sqlite3_bind_int64(st, 1, load->file_id);
    sqlite3_bind_int64(st, 2, line);
    sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, detail, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(load->wh, rc, err, "storing a notice");
    return CTG_OK;
}

static ctg_status queue_late(ctg_load *load, long line, const char *reason, ctg_error *err)
{
    if (ctg_grow(&load->late, load->nlate, &load->late_cap, sizeof *load->late, 16) != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    load->late[load->nlate].line = line;
    load->late[load->nlate].reason = strdup(reason);
    if (!load->late[load->nlate].reason)
        return ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    load->nlate++;
    return CTG_OK;
}

/* A row found in conflict after it was stored: the notices written for it
 * (pseudo, total, withheld) go with it. */
static ctg_status take_back_notices(ctg_load *load, const ctg_unit_seen *seen, ctg_error *err)
{
    if (!seen->noticed)
        return CTG_OK;
    load->pseudo -= seen->pseudo;
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_load_sync(load, err);
    if (s != CTG_OK)
        return s;
    s = ctg_wh_prepare(load->wh,
                                  "DELETE FROM file_notice WHERE file_id = ?1 AND line = ?2", &st,
                                  err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int64(st, 1, load->file_id);
    sqlite3_bind_int64(st, 2, seen->line);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(load->wh, rc, err, "removing a notice");
    return CTG_OK;
}

int ctg_load_check_unit(ctg_load *load, const char *key, size_t key_len, const ctg_record *rec,
                        ctg_unit_seen **slot, ctg_status *st, ctg_error *err)
{
    int is_new = 0;
    ctg_unit_seen *seen = ctg_unitmap_get(load->units, key, key_len, &is_new);
    char reason[160];
    *st = CTG_OK;
    if (!seen) {
        *st = ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
        return 0;
    }
    if (is_new) {
        seen->line = rec->line;
        seen->hash[0] = rec->hash[0];
        seen->hash[1] = rec->hash[1];
        *slot = seen;
        return 1;
    }
    if (!seen->conflicted && seen->hash[0] == rec->hash[0] && seen->hash[1] == rec->hash[1]) {
        load->duplicates++;
        return 0;
    }
    long first = seen->line;
    if (!seen->conflicted) {
        seen->conflicted = 1;
        snprintf(reason, sizeof reason,
                 "same unit as line %ld with different values (both rows rejected)", rec->line);
        *st = load->sink->ops->unstore(load, seen, err);
        if (*st == CTG_OK)
            *st = take_back_notices(load, seen, err);
        if (*st == CTG_OK)
            *st = queue_late(load, first, reason, err);
        if (*st != CTG_OK)
            return 0;
    }
    snprintf(reason, sizeof reason,
             "same unit as line %ld with different values (both rows rejected)", first);
    *st = ctg_load_reject(load, rec->line, rec->raw, rec->raw_len, reason, err);
    return 0;
}

/* Rejects the rows found in conflict after they were stored: their text is
 * read again from the file (conflicts are rare; the second pass is only
 * made when there are some). */
static int cmp_late(const void *a, const void *b)
{
    long x = ((const ctg_late_reject *)a)->line, y = ((const ctg_late_reject *)b)->line;
    return (x > y) - (x < y);
}

static ctg_status reject_late(ctg_load *load, char sep, ctg_error *err)
{
    if (load->nlate == 0)
        return CTG_OK;
    qsort(load->late, load->nlate, sizeof *load->late, cmp_late);
    ctg_reader *r = NULL;
    ctg_status st = ctg_reader_open(load->path, &r, err);
    if (st == CTG_OK)
        st = ctg_reader_start(r, sep, load->header_line - 1, err);
    size_t next = 0;
    const ctg_record *rec = NULL;
    while (st == CTG_OK && next < load->nlate) {
        st = ctg_reader_next(r, &rec, err);
        if (st != CTG_OK || !rec)
            break;
        while (next < load->nlate && load->late[next].line == rec->line) {
            st = ctg_load_reject(load, rec->line, rec->raw, rec->raw_len, load->late[next].reason,
                                 err);
            next++;
        }
    }
    ctg_reader_close(r);
    if (st == CTG_OK && next < load->nlate)
        st = ctg_fail(err, CTG_ERR_INTERNAL, load->path, load->late[next].line,
                      "could not read this line again");
    return st;
}

/* ------------------------------------------------------ header finding */

/* Splits one line on sep, honouring double quotes; fields trimmed. offs
 * receives the offsets of the fields in store, then fields their pointers. */
static size_t split_line(const char *line, char sep, char **fields, size_t *offs, size_t max,
                         ctg_buf *store)
{
    ctg_buf_reset(store);
    size_t n = 0;
    const char *p = line;
    for (;;) {
        while (*p == ' ' || (*p == '\t' && sep != '\t'))
            p++;
        if (n == max)
            break; /* more columns than any family reads: the rest is not looked at */
        offs[n++] = store->len;
        if (*p == '"') {
            p++;
            while (*p) {
                if (*p == '"' && p[1] == '"') {
                    ctg_buf_putc(store, '"');
                    p += 2;
                } else if (*p == '"') {
                    p++;
                    break;
                } else {
                    ctg_buf_putc(store, *p++);
                }
            }
            while (*p && *p != sep)
                p++;
        } else {
            const char *e = p;
            while (*e && *e != sep)
                e++;
            const char *t = e;
            while (t > p && (t[-1] == ' ' || (t[-1] == '\t' && sep != '\t')))
                t--;
            ctg_buf_append(store, p, (size_t)(t - p));
            p = e;
        }
        ctg_buf_putc(store, '\0');
        if (*p != sep)
            break;
        p++;
    }
    for (size_t i = 0; i < n; i++)
        fields[i] = store->data + offs[i];
    return n;
}

typedef struct header_guess {
    size_t nlines;      /* lines peeked */
    const ctg_family *fam;
    char sep;
    long line;          /* 1-based */
    int score;
    const ctg_family *tie;
    const ctg_family *closest;  /* best partial match, for the message */
    int closest_missing;
    const char *closest_pattern;
} header_guess;

static int sep_allowed(const ctg_family *f, char sep)
{
    return f->separators[0] == '\0' || strchr(f->separators, sep) != NULL;
}

/* Notes how close a family comes to a header, for the "unknown" message. */
static void note_closest(header_guess *g, const ctg_family *f, char **cols, size_t n)
{
    int missing = 0;
    const char *first = NULL;
    for (size_t r = 0; r < f->nrequire; r++) {
        int found = 0;
        for (size_t c = 0; c < n && !found; c++)
            found = regexec(&f->require[r], cols[c], 0, NULL, 0) == 0;
        if (!found) {
            missing++;
            if (!first)
                first = f->require_src[r];
        }
    }
    int found = (int)f->nrequire - missing;
    int best = g->closest ? (int)g->closest->nrequire - g->closest_missing : 0;
    if (found > 0 && (found > best || (found == best && missing < g->closest_missing))) {
        g->closest = f;
        g->closest_missing = missing;
        g->closest_pattern = first;
    }
}

static void guess_header(const ctg_families *fams, const ctg_family *forced, ctg_buf *lines,
                         size_t nlines, header_guess *g)
{
    static const char SEPS[] = {';', ',', '\t'};
    char **cols = malloc(CTG_MAX_COLUMNS * sizeof *cols);
    size_t *offs = malloc(CTG_MAX_COLUMNS * sizeof *offs);
    ctg_buf store = CTG_BUF_INIT;
    memset(g, 0, sizeof *g);
    for (size_t i = 0; i < nlines && !g->fam && cols && offs; i++) {
        for (size_t s = 0; s < sizeof SEPS; s++) {
            size_t n = split_line(ctg_buf_str(&lines[i]), SEPS[s], cols, offs, CTG_MAX_COLUMNS,
                                  &store);
            if (n < 2)
                continue;
            size_t nf = forced ? 1 : ctg_families_count(fams);
            for (size_t k = 0; k < nf; k++) {
                const ctg_family *f = forced ? forced : ctg_families_at(fams, k);
                if (!sep_allowed(f, SEPS[s]))
                    continue;
                int score = ctg_family_matches(f, (const char *const *)cols, n);
                if (!score) {
                    note_closest(g, f, cols, n);
                    continue;
                }
                if (score > g->score) {
                    g->fam = f;
                    g->sep = SEPS[s];
                    g->line = (long)i + 1;
                    g->score = score;
                    g->tie = NULL;
                } else if (score == g->score && f != g->fam) {
                    g->tie = f;
                }
            }
        }
    }
    ctg_buf_free(&store);
    free(cols);
    free(offs);
}

/* --------------------------------------------------------- vintage */

int ctg_load_year(const char *digits, size_t n)
{
    int y = 0;
    for (size_t i = 0; i < n; i++)
        y = y * 10 + (digits[i] - '0');
    if (n == 2)
        y += y < 70 ? 2000 : 1900;
    return y;
}

/* A year 19xx / 20xx not inside a longer number; with a month after it
 * (YYYYMM) when month is not NULL. Returns 0 when none. */
static int find_year(const char *s, int *month)
{
    size_t n = strlen(s);
    for (size_t i = 0; i + 4 <= n; i++) {
        if (i > 0 && isdigit((unsigned char)s[i - 1]))
            continue;
        if (!(s[i] == '1' && s[i + 1] == '9') && !(s[i] == '2' && s[i + 1] == '0'))
            continue;
        if (!isdigit((unsigned char)s[i + 2]) || !isdigit((unsigned char)s[i + 3]))
            continue;
        size_t e = i + 4;
        int m = 0;
        if (month && e + 2 <= n && isdigit((unsigned char)s[e]) && isdigit((unsigned char)s[e + 1]) &&
            (e + 2 == n || !isdigit((unsigned char)s[e + 2]))) {
            m = (s[e] - '0') * 10 + (s[e + 1] - '0');
            if (m < 1 || m > 12)
                continue;
            e += 2;
        }
        if (e < n && isdigit((unsigned char)s[e]))
            continue;
        if (month)
            *month = m;
        return ctg_load_year(s + i, 4);
    }
    return 0;
}

/* The vintage from the rules that do not need the rows. *deferred is set
 * when the first applicable rule is the rows' period. */
static const char *const VINTAGE_FROM[] = {"column", "period", "title", "filename"};

static void early_vintage(ctg_load *load, const ctg_ingest_options *opt, ctg_buf *lines,
                          long header_line, char out[16], int *deferred)
{
    const ctg_family *fam = load->fam;
    out[0] = '\0';
    *deferred = 0;
    for (size_t r = 0; r < fam->nvintage && !out[0]; r++) {
        load->vintage_from = VINTAGE_FROM[fam->vintage[r].source];
        const ctg_vintage_rule *v = &fam->vintage[r];
        int year = 0, month = 0;
        if (v->source == CTG_VINTAGE_PERIOD ||
            (v->source == CTG_VINTAGE_COLUMN && fam->target == CTG_TARGET_DICTIONARY)) {
            /* from the rows: their period, or a dictionary's variable names */
            if ((fam->has_period || fam->target == CTG_TARGET_DICTIONARY) && !*deferred)
                *deferred = 1;
            continue;
        }
        if (v->source == CTG_VINTAGE_COLUMN) {
            regmatch_t m[2];
            for (size_t c = 0; c < load->ncols; c++) {
                if (regexec(&v->re, load->cols[c], 2, m, 0) != 0 || m[1].rm_so < 0)
                    continue;
                size_t len = (size_t)(m[1].rm_eo - m[1].rm_so);
                if (len != 2 && len != 4)
                    continue;
                int y = ctg_load_year(load->cols[c] + m[1].rm_so, len);
                if (y > year)
                    year = y;
            }
        } else if (v->source == CTG_VINTAGE_TITLE) {
            for (long i = 0; i + 1 < header_line && !year; i++)
                year = find_year(ctg_buf_str(&lines[i]), NULL);
        } else {
            char *copy = strdup(load->path);
            if (copy)
                year = find_year(basename(copy), &month);
            free(copy);
        }
        if (year && month)
            snprintf(out, 16, "%04d-%02d", year, month);
        else if (year)
            snprintf(out, 16, "%04d", year);
    }
    /* --vintage: for a file whose name, title lines and header give no year */
    if (!out[0] && !*deferred && opt->vintage) {
        ctg_period_normalise(opt->vintage, out);
        load->vintage_from = "option";
    }
}

/* Is s[0..n) a number with a fractional part written with mark? ("-14,5",
 * "5,91%"; digits on both sides) */
static int decimal_with(const char *s, size_t n, char mark)
{
    size_t i = 0;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        i++;
    size_t int_digits = 0;
    while (i < n && isdigit((unsigned char)s[i])) {
        i++;
        int_digits++;
    }
    if (!int_digits || i >= n || s[i] != mark)
        return 0;
    i++;
    size_t frac = 0;
    while (i < n && isdigit((unsigned char)s[i])) {
        i++;
        frac++;
    }
    if (i < n && s[i] == '%')
        i++;
    return frac > 0 && i == n;
}

/*
 * The decimal mark of a file, read from the data lines peeked (formats.md
 * rule 5: per file, never per family): the mark most numbers use there. A
 * stray value in the first row does not decide it alone. 0 when the sample
 * shows no decimal at all (the first number with one decides then).
 */
static char guess_decimal_mark(ctg_buf *lines, size_t nlines, long header_line, char sep)
{
    long comma = 0, point = 0;
    for (size_t i = (size_t)header_line; i < nlines; i++) {
        const char *line = ctg_buf_str(&lines[i]);
        const char *f = line;
        for (;;) {
            const char *e = strchr(f, sep);
            size_t n = e ? (size_t)(e - f) : strlen(f);
            comma += decimal_with(f, n, ',');
            point += decimal_with(f, n, '.');
            if (!e)
                break;
            f = e + 1;
        }
    }
    return comma > point ? ',' : point > comma ? '.' : 0;
}

static int geo_year_of(const ctg_family *fam, const ctg_ingest_options *opt, const char *vintage)
{
    if (opt->geo_year)
        return opt->geo_year;
    if (fam->geo_year_fixed)
        return fam->geo_year_fixed;
    if (!vintage[0])
        return 0;
    return atoi(vintage) + fam->geo_year_offset;
}

/* ------------------------------------------------ provenance and replace */

static ctg_status exec_bound(ctg_warehouse *wh, const char *sql, sqlite3_int64 id, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, sql, &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return ctg_wh_fail(wh, rc, err, "deleting a replaced file");
    return CTG_OK;
}

/* Removes every trace of a loaded file (inside the caller's transaction). */
static ctg_status delete_file(ctg_warehouse *wh, sqlite3_int64 id, ctg_error *err)
{
    static const char *const SQL[] = {
        "DELETE FROM obs_row WHERE file_id = ?1",      "DELETE FROM file_variable WHERE file_id = ?1",
        "DELETE FROM reject WHERE file_id = ?1",       "DELETE FROM file_notice WHERE file_id = ?1",
        "DELETE FROM dictionary WHERE file_id = ?1",   "DELETE FROM geo_commune WHERE file_id = ?1",
        "DELETE FROM geo_membership WHERE file_id = ?1", "DELETE FROM geo_iris WHERE file_id = ?1",
        "DELETE FROM geo_area WHERE file_id = ?1",     "DELETE FROM geo_event WHERE file_id = ?1",
        "DELETE FROM geo_passage WHERE file_id = ?1",  "DELETE FROM source_file WHERE id = ?1"};
    for (size_t i = 0; i < sizeof SQL / sizeof SQL[0]; i++) {
        ctg_status st = exec_bound(wh, SQL[i], id, err);
        if (st != CTG_OK)
            return st;
    }
    return CTG_OK;
}

ctg_status ctg_load_replace(ctg_load *load, sqlite3_int64 other, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(load->wh,
                                  "SELECT name, path, loaded_at FROM source_file WHERE id = ?1",
                                  &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int64(st, 1, other);
    char name[256] = "", path[512] = "", when[32] = "";
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(name, sizeof name, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(path, sizeof path, "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(when, sizeof when, "%s", (const char *)sqlite3_column_text(st, 2));
    }
    sqlite3_finalize(st);
    char *copy = strdup(load->path);
    int same_name = copy && !strcmp(basename(copy), name);
    free(copy);
    if (!same_name && !load->opt->replace)
        return ctg_fail(err, CTG_ERR_DATA, load->path, 0,
                        "collides with %s (loaded %s): it holds the same units for the same %s; "
                        "give --replace to replace it",
                        path, when,
                        ctg_target_keyed_by_year(load->fam->target) ? "geography year"
                                                                     : "family and period");
    s = delete_file(load->wh, other, err);
    if (s == CTG_OK) {
        size_t used = strlen(load->replaced);
        snprintf(load->replaced + used, sizeof load->replaced - used, "%s%s", used ? "," : "",
                 name);
    }
    return s;
}

/* Files of the same family and vintage sharing units with this one (the
 * units that name no place, such as the CAF's "non localisés" row of each
 * département, identify nothing and are left out). */
static ctg_status replace_overlapping(ctg_load *load, ctg_error *err)
{
    static const char *const OVERLAP[CTG_TARGET_COUNT] = {
        [CTG_TARGET_OBSERVATIONS] =
            "SELECT 1 FROM obs_row n WHERE n.file_id = ?1 AND n.level != 'pseudo' AND EXISTS "
            "(SELECT 1 FROM obs_row o WHERE o.file_id = ?2 AND o.level = n.level AND "
            "o.code = n.code AND o.period = n.period AND o.measure IS n.measure) LIMIT 1",
        [CTG_TARGET_GEO_EVENT] =
            "SELECT 1 FROM geo_event n JOIN geo_event o ON o.code_before = n.code_before AND "
            "o.mod = n.mod AND o.date_eff IS n.date_eff WHERE n.file_id = ?1 AND o.file_id = ?2 "
            "LIMIT 1",
        [CTG_TARGET_GEO_PASSAGE] =
            "SELECT 1 FROM geo_passage n JOIN geo_passage o ON o.code_from = n.code_from AND "
            "o.code_to = n.code_to AND o.year_from = n.year_from AND o.year_to = n.year_to "
            "WHERE n.file_id = ?1 AND o.file_id = ?2 LIMIT 1",
        [CTG_TARGET_DICTIONARY] =
            "SELECT 1 FROM dictionary n JOIN dictionary o ON o.column_name = n.column_name AND "
            "o.modality IS n.modality WHERE n.file_id = ?1 AND o.file_id = ?2 LIMIT 1",
    };
    const char *overlap = OVERLAP[load->fam->target];
    if (!overlap)
        return CTG_OK; /* geography tables with a key: collisions were met row by row */
    sqlite3_stmt *cand = NULL, *ov = NULL;
    ctg_buf ids = CTG_BUF_INIT; /* the candidates, read before any is deleted */
    ctg_status st = ctg_wh_prepare(load->wh,
                                   "SELECT id FROM source_file WHERE family = ?1 AND vintage = ?2 "
                                   "AND id != ?3",
                                   &cand, err);
    if (st == CTG_OK)
        st = ctg_wh_prepare(load->wh, overlap, &ov, err);
    if (st != CTG_OK)
        goto cleanup;
    sqlite3_bind_text(cand, 1, load->fam->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(cand, 2, load->vintage, -1, SQLITE_STATIC);
    sqlite3_bind_int64(cand, 3, load->file_id);
    while (st == CTG_OK && sqlite3_step(cand) == SQLITE_ROW) {
        sqlite3_int64 id = sqlite3_column_int64(cand, 0);
        if (ctg_buf_append(&ids, &id, sizeof id) != CTG_OK)
            st = ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    }
    size_t n = ids.len / sizeof(sqlite3_int64);
    for (size_t i = 0; i < n && st == CTG_OK; i++) {
        sqlite3_int64 id;
        memcpy(&id, ids.data + i * sizeof id, sizeof id);
        sqlite3_reset(ov);
        sqlite3_bind_int64(ov, 1, load->file_id);
        sqlite3_bind_int64(ov, 2, id);
        int rc = sqlite3_step(ov);
        sqlite3_reset(ov);
        if (rc == SQLITE_ROW)
            st = ctg_load_replace(load, id, err);
        else if (rc != SQLITE_DONE)
            st = ctg_wh_fail(load->wh, rc, err, "looking for overlapping files");
    }
cleanup:
    ctg_buf_free(&ids);
    sqlite3_finalize(cand);
    sqlite3_finalize(ov);
    return st;
}

static ctg_status store_family(ctg_load *load, ctg_error *err)
{
    const ctg_family *f = load->fam;
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(
        load->wh,
        "INSERT INTO family(id, label, producer, target, definition_sha256, definition) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET label = excluded.label, "
        "producer = excluded.producer, target = excluded.target, "
        "definition_sha256 = excluded.definition_sha256, definition = excluded.definition",
        &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_text(st, 1, f->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, f->label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->producer, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, ctg_target_name(f->target), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, f->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, f->text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(load->wh, rc, err, "recording the family");
    return CTG_OK;
}

static ctg_status insert_source_file(ctg_load *load, const ctg_reader *r, char sep,
                                     ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(
        load->wh,
        "INSERT INTO source_file(path, name, size, sha256, family, family_sha256, vintage, "
        "geo_year, encoding, separator, header_line, loaded_at, run_id, rows_read, rows_loaded, "
        "rows_rejected, rows_duplicate, values_secret, values_missing, units_pseudo, rounded_to, "
        "absent_zero) VALUES (?1, ?2, ?3, '', ?4, ?9, '', NULL, '', ?5, ?6, "
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), ?7, 0, 0, 0, 0, 0, 0, 0, ?8, ?10)",
        &st, err);
    if (s != CTG_OK)
        return s;
    char *copy = strdup(load->path);
    sqlite3_bind_text(st, 1, load->path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, copy ? basename(copy) : load->path, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, ctg_reader_size(r));
    sqlite3_bind_text(st, 4, load->fam->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, sep == '\t' ? "TAB" : sep == ',' ? "," : ";", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, load->header_line);
    if (load->opt->run_id)
        sqlite3_bind_int64(st, 7, load->opt->run_id);
    else
        sqlite3_bind_null(st, 7);
    if (load->fam->rounded_to)
        sqlite3_bind_int(st, 8, load->fam->rounded_to);
    else
        sqlite3_bind_null(st, 8);
    sqlite3_bind_text(st, 9, load->fam->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 10, load->fam->absent_is_zero);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    free(copy);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(load->wh, rc, err, "recording the file");
    load->file_id = sqlite3_last_insert_rowid(ctg_wh_db(load->wh));
    return CTG_OK;
}

static ctg_status update_source_file(ctg_load *load, const ctg_reader *r, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(
        load->wh,
        "UPDATE source_file SET sha256 = ?2, vintage = ?3, vintage_from = ?14, geo_year = ?4, "
        "encoding = ?5, "
        "decimal_mark = ?6, rows_read = ?7, rows_loaded = ?8, rows_rejected = ?9, "
        "rows_duplicate = ?10, values_secret = ?11, values_missing = ?12, units_pseudo = ?13 "
        "WHERE id = ?1",
        &st, err);
    if (s != CTG_OK)
        return s;
    char mark[2] = {load->decimal_mark, 0};
    sqlite3_bind_int64(st, 1, load->file_id);
    sqlite3_bind_text(st, 2, ctg_reader_sha256(r), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, load->vintage, -1, SQLITE_STATIC);
    if (load->geo_year)
        sqlite3_bind_int(st, 4, load->geo_year);
    else
        sqlite3_bind_null(st, 4);
    sqlite3_bind_text(st, 5, ctg_reader_encoding(r), -1, SQLITE_STATIC);
    if (mark[0])
        sqlite3_bind_text(st, 6, mark, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, load->rows);
    sqlite3_bind_int64(st, 8, load->loaded);
    sqlite3_bind_int64(st, 9, load->rejected);
    sqlite3_bind_int64(st, 10, load->duplicates);
    sqlite3_bind_int64(st, 11, load->secret);
    sqlite3_bind_int64(st, 12, load->missing);
    sqlite3_bind_int64(st, 13, load->pseudo);
    sqlite3_bind_text(st, 14, load->vintage_from ? load->vintage_from : "", -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(load->wh, rc, err, "recording the file");
    return CTG_OK;
}

/* Looks for a loaded file with the same bytes, read with the family
 * definition in force (a file read with an older definition is read again)
 * and, when --schema, --geo-year or --vintage is given, with that family,
 * geography year and (when the option gave it) vintage.
 * Only hashes the file first when a loaded file has its size (otherwise it
 * cannot be unchanged). */
static ctg_status find_unchanged(ctg_warehouse *wh, const ctg_families *fams,
                                 const ctg_ingest_options *opt, const char *path, long long size,
                                 ctg_ingest_result *res, int *found, ctg_error *err)
{
    *found = 0;
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, "SELECT 1 FROM source_file WHERE size = ?1 LIMIT 1", &st,
                                  err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int64(st, 1, size);
    int same_size = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    if (!same_size)
        return CTG_OK;
    char hex[CTG_SHA256_HEX_LEN + 1];
    s = ctg_file_sha256(path, hex, err);
    if (s != CTG_OK)
        return s;
    s = ctg_wh_prepare(wh,
                       "SELECT family, vintage, rows_read, rows_loaded, rows_rejected, "
                       "rows_duplicate, values_secret, family_sha256, geo_year, vintage_from "
                       "FROM source_file WHERE sha256 = ?1",
                       &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
    while (!*found && sqlite3_step(st) == SQLITE_ROW) {
        const ctg_family *fam = ctg_families_find(fams, (const char *)sqlite3_column_text(st, 0));
        if (!fam || strcmp(fam->sha256, (const char *)sqlite3_column_text(st, 7)) != 0)
            continue; /* read with another definition of its family: read it again */
        char asked[16] = "";
        if (opt->vintage)
            ctg_period_normalise(opt->vintage, asked);
        if ((opt->schema_id && strcmp(opt->schema_id, fam->id) != 0) ||
            (opt->geo_year && opt->geo_year != sqlite3_column_int(st, 8)) ||
            (asked[0] && !strcmp((const char *)sqlite3_column_text(st, 9), "option") &&
             strcmp(asked, (const char *)sqlite3_column_text(st, 1)) != 0))
            continue; /* asked to read it otherwise: read it again */
        *found = 1;
        res->status = CTG_FILE_UNCHANGED;
        snprintf(res->family, sizeof res->family, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(res->vintage, sizeof res->vintage, "%s", (const char *)sqlite3_column_text(st, 1));
        res->rows = sqlite3_column_int64(st, 2);
        res->loaded = sqlite3_column_int64(st, 3);
        res->rejected = sqlite3_column_int64(st, 4);
        res->duplicates = sqlite3_column_int64(st, 5);
        res->secret = sqlite3_column_int64(st, 6);
    }
    sqlite3_finalize(st);
    return CTG_OK;
}

/* ------------------------------------------------------------ driver */

static int row_is_empty(const ctg_record *rec)
{
    for (size_t i = 0; i < rec->nfields; i++)
        if (rec->lens[i] > 0)
            return 0;
    return 1;
}

/* Checks the row's width: extra fields are tolerated when empty (a
 * trailing separator). Returns NULL or a reason. */
static const char *row_width(const ctg_load *load, const ctg_record *rec, char *buf, size_t n)
{
    if (rec->nfields == load->ncols)
        return NULL;
    if (rec->nfields > load->ncols) {
        size_t i = load->ncols;
        while (i < rec->nfields && rec->lens[i] == 0)
            i++;
        if (i == rec->nfields)
            return NULL;
    }
    snprintf(buf, n, "%zu fields where the header has %zu", rec->nfields, load->ncols);
    return buf;
}

static ctg_status read_header(ctg_load *load, ctg_reader *r, ctg_error *err)
{
    const ctg_record *rec = NULL;
    ctg_status st = ctg_reader_next(r, &rec, err);
    if (st != CTG_OK)
        return st;
    if (!rec)
        return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line, "no header");
    load->ncols = rec->nfields;
    load->cols = calloc(rec->nfields, sizeof *load->cols);
    load->bound = calloc(rec->nfields, 1);
    if (!load->cols || !load->bound)
        return ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    for (size_t i = 0; i < rec->nfields; i++) {
        load->cols[i] = strdup(rec->fields[i]);
        if (!load->cols[i])
            return ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    }
    return CTG_OK;
}

static ctg_status read_rows(ctg_load *load, ctg_reader *r, ctg_error *err)
{
    const ctg_record *rec = NULL;
    char reason[128];
    for (;;) {
        ctg_status st = ctg_reader_next(r, &rec, err);
        if (st != CTG_OK)
            return st;
        if (!rec)
            return CTG_OK;
        if (row_is_empty(rec)) {
            /* a row of separators only (spreadsheets export them): a blank
             * line, not a data row; noted so that nothing goes unsaid */
            st = ctg_load_notice(load, rec->line, "blank", "",
                                 "a row of empty fields, read as a blank line", err);
            if (st != CTG_OK)
                return st;
            continue;
        }
        load->rows++;
        const char *why = row_width(load, rec, reason, sizeof reason);
        if (why)
            st = ctg_load_reject(load, rec->line, rec->raw, rec->raw_len, why, err);
        else
            st = load->sink->ops->row(load, rec, err);
        if (st != CTG_OK)
            return st;
    }
}

/* Reads every row into the sink; returns with the sink's rows stored,
 * whatever the outcome, so that the warehouse can be used (or rolled back). */
static ctg_status load_rows(ctg_load *load, ctg_reader *r, ctg_error *err)
{
    ctg_status st = read_rows(load, r, err);
    ctg_error sync_err;
    ctg_error_clear(&sync_err);
    ctg_status synced = ctg_load_sync(load, &sync_err);
    if (st == CTG_OK && synced != CTG_OK) {
        *err = sync_err;
        st = synced;
    }
    return st;
}

/* After the rows: thresholds that make the whole file bad. */
static ctg_status judge(ctg_load *load, ctg_error *err)
{
    const ctg_ingest_options *opt = load->opt;
    if (load->rows == 0)
        return ctg_fail(err, CTG_ERR_DATA, load->path, 0, "no data row after the header");
    if (load->loaded == 0)
        return ctg_fail(err, CTG_ERR_DATA, load->path, 0, "no row could be loaded (%ld rejected)",
                        load->rejected);
    if (opt->strict && load->rejected > 0)
        return ctg_fail(err, CTG_ERR_DATA, load->path, 0,
                        "%ld row(s) rejected and --strict was given", load->rejected);
    double pct = 100.0 * (double)load->rejected / (double)load->rows;
    if (pct > opt->max_rejects_pct)
        return ctg_fail(err, CTG_ERR_DATA, load->path, 0,
                        "%ld of %ld rows rejected (%.1f %%), more than --max-rejects %g %%",
                        load->rejected, load->rows, pct, opt->max_rejects_pct);
    return CTG_OK;
}

struct ctg_ingest_scratch {
    ctg_unitmap *units;   /* NULL while a load has it */
};

ctg_ingest_scratch *ctg_ingest_scratch_new(void)
{
    return calloc(1, sizeof(ctg_ingest_scratch));
}

void ctg_ingest_scratch_free(ctg_ingest_scratch *s)
{
    if (!s)
        return;
    ctg_unitmap_free(s->units);
    free(s);
}

static ctg_status prepare_load(ctg_load *load, ctg_error *err)
{
    ctg_status st = ctg_wh_prepare(load->wh,
                                   "INSERT INTO reject(file_id, line, reason, raw) "
                                   "VALUES (?1, ?2, ?3, ?4)",
                                   &load->ins_reject, err);
    if (st == CTG_OK)
        st = ctg_wh_prepare(load->wh,
                            "INSERT INTO file_notice(file_id, line, kind, code, detail) "
                            "VALUES (?1, ?2, ?3, ?4, ?5)",
                            &load->ins_notice, err);
    ctg_ingest_scratch *scratch = load->opt->scratch;
    if (scratch && scratch->units) {
        load->units = scratch->units; /* emptied when the last load gave it back */
        scratch->units = NULL;
    } else {
        load->units = ctg_unitmap_new();
    }
    if (st == CTG_OK && !load->units)
        st = ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    return st;
}

static void free_load(ctg_load *load)
{
    if (load->sink && load->sink->ops)
        load->sink->ops->free(load);
    sqlite3_finalize(load->ins_reject);
    sqlite3_finalize(load->ins_notice);
    ctg_ingest_scratch *scratch = load->opt->scratch;
    if (scratch && !scratch->units && load->units) {
        ctg_unitmap_clear(load->units);
        scratch->units = load->units;
    } else {
        ctg_unitmap_free(load->units);
    }
    load->units = NULL;
    for (size_t i = 0; i < load->ncols; i++)
        free(load->cols[i]);
    free(load->cols);
    free(load->bound);
    for (size_t i = 0; i < load->nlate; i++)
        free(load->late[i].reason);
    free(load->late);
}

static ctg_status recognise(const ctg_families *fams, const ctg_ingest_options *opt,
                            const char *path, ctg_buf *lines, size_t nlines, header_guess *g,
                            ctg_error *err)
{
    const ctg_family *forced = NULL;
    if (opt->schema_id) {
        forced = ctg_families_find(fams, opt->schema_id);
        if (!forced)
            return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                            "--schema %s: no such family (see `ctgdiag schemas`)", opt->schema_id);
    }
    guess_header(fams, forced, lines, nlines, g);
    g->nlines = nlines;
    if (g->fam && g->tie)
        return ctg_fail(err, CTG_ERR_DATA, path, g->line,
                        "the header fits families %s and %s equally: choose one with --schema",
                        g->fam->id, g->tie->id);
    if (g->fam)
        return CTG_OK;
    if (nlines == 0)
        return ctg_fail(err, CTG_ERR_DATA, path, 0, "empty file");
    if (forced)
        return ctg_fail(err, CTG_ERR_DATA, path, 0,
                        "no header of family %s in the first %zu lines (no column matches %s)",
                        forced->id, nlines,
                        g->closest_pattern ? g->closest_pattern : forced->require_src[0]);
    if (g->closest)
        return ctg_fail(err, CTG_ERR_DATA, path, 1,
                        "no header of a known family in the first %zu lines (closest: %s, but no "
                        "column matches %s)",
                        nlines, g->closest->id, g->closest_pattern);
    return ctg_fail(err, CTG_ERR_DATA, path, 1,
                    "no header of a known family in the first %zu lines", nlines);
}

static ctg_status run_load(ctg_load *load, ctg_reader *r, const header_guess *g, ctg_buf *lines,
                           ctg_error *err)
{
    int deferred = 0;
    ctg_status st = ctg_reader_start(r, g->sep, g->line - 1, err);
    if (st == CTG_OK)
        st = read_header(load, r, err);
    if (st != CTG_OK)
        return st;
    early_vintage(load, load->opt, lines, g->line, load->vintage, &deferred);
    if (g->sep != ',')
        load->decimal_mark = guess_decimal_mark(lines, (size_t)g->nlines, g->line, g->sep);
    if (!deferred)
        load->geo_year = geo_year_of(load->fam, load->opt, load->vintage);
    st = prepare_load(load, err);
    if (st == CTG_OK)
        st = ctg_wh_begin(load->wh, err);
    if (st != CTG_OK)
        return st;
    st = store_family(load, err);
    if (st == CTG_OK)
        st = insert_source_file(load, r, g->sep, err);
    if (st == CTG_OK)
        st = load->sink->ops->begin(load, err);
    if (st == CTG_OK)
        st = load_rows(load, r, err);
    if (st == CTG_OK)
        st = reject_late(load, g->sep, err);
    if (st != CTG_OK)
        return st;
    if (deferred && load->max_period[0]) {
        snprintf(load->vintage, sizeof load->vintage, "%s", load->max_period);
        load->vintage_from = load->fam->target == CTG_TARGET_DICTIONARY ? "column" : "period";
    }
    if (!load->vintage[0] && load->opt->vintage) {
        ctg_period_normalise(load->opt->vintage, load->vintage);
        load->vintage_from = "option";
    }
    load->geo_year = geo_year_of(load->fam, load->opt, load->vintage);
    if (!load->vintage[0])
        return ctg_fail(err, CTG_ERR_DATA, load->path, 0,
                        "no year in the file name, title lines or columns: give --vintage");
    st = load->sink->ops->finish(load, err);
    if (st == CTG_OK)
        st = judge(load, err);
    if (st == CTG_OK)
        st = replace_overlapping(load, err);
    if (st == CTG_OK)
        st = update_source_file(load, r, err);
    return st;
}

/* Fills the result line from the load. */
static void fill_result(const ctg_load *load, ctg_ingest_result *res)
{
    snprintf(res->vintage, sizeof res->vintage, "%s", load->vintage);
    res->rows = load->rows;
    res->loaded = load->loaded;
    res->rejected = load->rejected;
    res->duplicates = load->duplicates;
    res->secret = load->secret;
    snprintf(res->replaced, sizeof res->replaced, "%s", load->replaced);
}

ctg_status ctg_ingest_file(ctg_warehouse *wh, const ctg_families *fams, const char *path,
                           const ctg_ingest_options *opt, ctg_ingest_result *res,
                           ctg_error *err)
{
    memset(res, 0, sizeof *res);
    res->status = CTG_FILE_REJECTED;
    ctg_buf lines[CTG_PEEK_LINES];
    for (size_t i = 0; i < CTG_PEEK_LINES; i++)
        lines[i] = (ctg_buf)CTG_BUF_INIT;
    ctg_reader *r = NULL;
    ctg_sink sink = {NULL, NULL};
    ctg_load load;
    memset(&load, 0, sizeof load);
    load.wh = wh;
    load.opt = opt;
    load.path = path;
    load.sink = &sink;
    size_t nlines = 0;
    header_guess g;
    int found = 0;

    ctg_status st = ctg_reader_open(path, &r, err);
    if (st != CTG_OK)
        goto cleanup;
    if (ctg_reader_size(r) == 0) {
        st = ctg_fail(err, CTG_ERR_DATA, path, 0, "empty file");
        goto cleanup;
    }
    st = find_unchanged(wh, fams, opt, path, ctg_reader_size(r), res, &found, err);
    if (st != CTG_OK || found)
        goto cleanup;
    st = ctg_reader_peek(r, lines, &nlines, err);
    if (st == CTG_OK)
        st = recognise(fams, opt, path, lines, nlines, &g, err);
    if (st != CTG_OK)
        goto cleanup;
    load.fam = g.fam;
    load.header_line = g.line;
    snprintf(res->family, sizeof res->family, "%s", g.fam->id);
    sink.ops = g.fam->target == CTG_TARGET_OBSERVATIONS ? &ctg_obs_sink : &ctg_geo_sink;
    st = run_load(&load, r, &g, lines, err);
    fill_result(&load, res);
    if (st != CTG_OK)
        goto cleanup;
    if (opt->dry_run) {
        ctg_wh_rollback(wh);
    } else {
        st = ctg_wh_commit(wh, err);
        if (st != CTG_OK)
            goto cleanup;
    }
    res->status = CTG_FILE_LOADED;
cleanup:
    if (st != CTG_OK)
        ctg_wh_rollback(wh);
    if (st == CTG_ERR_DATA && err->path[0] == '\0')
        snprintf(err->path, sizeof err->path, "%s", path);
    free_load(&load);
    ctg_reader_close(r);
    for (size_t i = 0; i < CTG_PEEK_LINES; i++)
        ctg_buf_free(&lines[i]);
    return st;
}
