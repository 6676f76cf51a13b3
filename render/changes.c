/* changes.c - the change report of `ctgdiag run` as CSV and PDF (changes.h). */
#include "render/changes.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/number.h"
#include "core/text.h"
#include "render/pdf.h"

/* U+00A0 NO-BREAK SPACE: between a count and its noun. */
#define NBSP "\xC2\xA0"
/* U+2014 EM DASH: an empty value in the PDF. */
#define DASH "\xE2\x80\x94"
/* U+2192 RIGHTWARDS ARROW: old status to new. */
#define ARROW "\xE2\x86\x92"

/* The name of the unit of the change row `c`: from the latest geography
 * year that names it. The list of years is computed once per statement. */
#define UNIT_NAME                                                                              \
    "(SELECT u.name FROM geo_unit u WHERE u.geo_year IN (SELECT DISTINCT geo_year FROM "       \
    "geo_unit) AND u.level = c.level AND u.code = c.code AND u.name <> '' "                    \
    "ORDER BY u.geo_year DESC LIMIT 1)"

/* ------------------------------------------------------------- shared */

/* Prepares sql and binds the id range to ?1 and ?2. */
static ctg_status prepare_range(ctg_warehouse *wh, const char *sql, long long first_id,
                                long long last_id, sqlite3_stmt **q, ctg_error *err)
{
    ctg_status st = ctg_wh_prepare(wh, sql, q, err);
    if (st != CTG_OK)
        return st;
    int rc = sqlite3_bind_int64(*q, 1, first_id);
    if (rc == SQLITE_OK)
        rc = sqlite3_bind_int64(*q, 2, last_id);
    if (rc != SQLITE_OK) {
        st = ctg_wh_fail(wh, rc, err, "reading the changes");
        sqlite3_finalize(*q);
        *q = NULL;
    }
    return st;
}

/* Column i of the current row as text ("" for NULL). */
static const char *column_text(sqlite3_stmt *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q, i);
    return t ? (const char *)t : "";
}

/* Creates PATH.tmp-XXXXXX: *tmp receives its name (to free), *fd the open
 * descriptor. */
static ctg_status create_temp(const char *path, char **tmp, int *fd, ctg_error *err)
{
    size_t n = strlen(path) + sizeof ".tmp-XXXXXX";
    *tmp = malloc(n);
    if (!*tmp)
        return ctg_fail(err, CTG_ERR_NOMEM, path, 0, "out of memory");
    snprintf(*tmp, n, "%s.tmp-XXXXXX", path);
    *fd = mkstemp(*tmp);
    if (*fd < 0) {
        ctg_status st = ctg_fail(err, CTG_ERR_CANTCREAT, path, 0,
                                 "cannot create a temporary file next to it: %s", strerror(errno));
        free(*tmp);
        *tmp = NULL;
        return st;
    }
    return CTG_OK;
}

/* --------------------------------------------------------------- CSV */

/* All the columns of the CSV, in CTG_CHANGES_CSV_HEADER's order. */
static const char CSV_SQL[] =
    "SELECT c.run_id, c.kind, c.family, c.file, c.indicator, c.year, c.level, c.code, "
    UNIT_NAME ", c.old_value, c.new_value, c.old_status, c.new_status, c.units, c.detail "
    "FROM change c WHERE c.id BETWEEN ?1 AND ?2 ORDER BY c.id";
#define CSV_COLUMNS 15

/* Writes v as `export` does (cli's ctg_out_number): up to 15 significant
 * digits, '.' as decimal mark, no "-0"; "" for NaN. */
static void format_number(double v, char *buf, size_t size)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, size, "%.15g", v == 0 ? 0.0 : v);
}

/* Column i of the current row as a CSV value: "" for NULL, numbers as
 * export writes them (in num[size]), text as stored. */
static const char *csv_value(sqlite3_stmt *q, int i, char *num, size_t size)
{
    switch (sqlite3_column_type(q, i)) {
    case SQLITE_NULL:
        return "";
    case SQLITE_INTEGER:
        snprintf(num, size, "%lld", (long long)sqlite3_column_int64(q, i));
        return num;
    case SQLITE_FLOAT:
        format_number(sqlite3_column_double(q, i), num, size);
        return num;
    default:
        return column_text(q, i);
    }
}

/* Writes s as one CSV field: quoted (quotes doubled) when it holds ';',
 * '"', CR or LF. */
static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ";\"\r\n")) {
        fputs(s, f);
        return;
    }
    putc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', f);
        putc(*s, f);
    }
    putc('"', f);
}

/* Writes the current row as one CSV line. */
static void csv_row(FILE *f, sqlite3_stmt *q)
{
    for (int i = 0; i < CSV_COLUMNS; i++) {
        char num[64];
        if (i)
            putc(';', f);
        csv_field(f, csv_value(q, i, num, sizeof num));
    }
    putc('\n', f);
}

/* Writes the header and every row of q to f. */
static ctg_status csv_rows(ctg_warehouse *wh, sqlite3_stmt *q, FILE *f, ctg_error *err)
{
    fputs(CTG_CHANGES_CSV_HEADER "\n", f);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
        csv_row(f, q);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(wh, rc, err, "reading the changes");
    return CTG_OK;
}

/* Flushes f to disk, readable by all, and closes it (*f becomes NULL). */
static ctg_status csv_close(const char *path, FILE **f, ctg_error *err)
{
    FILE *file = *f;
    *f = NULL;
    const char *why = NULL;
    if (fflush(file) != 0 || fchmod(fileno(file), 0644) != 0 || fsync(fileno(file)) != 0)
        why = strerror(errno);
    else if (ferror(file))
        why = "write error";
    if (fclose(file) != 0 && !why)
        why = strerror(errno);
    if (why)
        return ctg_fail(err, CTG_ERR_CANTCREAT, path, 0, "cannot write the CSV: %s", why);
    return CTG_OK;
}

ctg_status ctg_changes_csv_write(ctg_warehouse *wh, const char *path, long long first_id,
                                 long long last_id, ctg_error *err)
{
    sqlite3_stmt *q = NULL;
    char *tmp = NULL;
    FILE *f = NULL;
    int fd = -1;
    ctg_status st = prepare_range(wh, CSV_SQL, first_id, last_id, &q, err);
    if (st != CTG_OK)
        goto cleanup;
    st = create_temp(path, &tmp, &fd, err);
    if (st != CTG_OK)
        goto cleanup;
    f = fdopen(fd, "w");
    if (!f) {
        st = ctg_fail(err, CTG_ERR_CANTCREAT, path, 0, "cannot write the CSV: %s",
                      strerror(errno));
        close(fd);
        goto cleanup;
    }
    st = csv_rows(wh, q, f, err);
    if (st != CTG_OK)
        goto cleanup;
    st = csv_close(path, &f, err);
    if (st != CTG_OK)
        goto cleanup;
    if (rename(tmp, path) != 0)
        st = ctg_fail(err, CTG_ERR_CANTCREAT, path, 0, "cannot rename %s into place: %s", tmp,
                      strerror(errno));
cleanup:
    if (f)
        fclose(f);
    if (tmp && st != CTG_OK)
        unlink(tmp);
    free(tmp);
    sqlite3_finalize(q);
    return st;
}

/* --------------------------------------------------------------- PDF */

/* What every section of the PDF needs. */
typedef struct changes_doc {
    ctg_warehouse *wh;
    ctg_pdf *pdf;
    long long first_id, last_id;
} changes_doc;

/* Copies src into dst[size] as valid UTF-8: each byte that starts no valid
 * sequence becomes U+FFFD; cut (when too long) between two characters. */
static void safe_text(const char *src, char *dst, size_t size)
{
    static const char REPLACEMENT[] = "\xEF\xBF\xBD";
    const char *s = src;
    size_t n = strlen(src), o = 0;
    while (n > 0) {
        size_t good = ctg_utf8_check((const uint8_t *)s, n);
        const char *from = good ? s : REPLACEMENT;
        size_t take = good ? good : 3, skip = good ? good : 1;
        if (o + take >= size) {
            take = size - 1 - o;
            while (take > 0 && ((unsigned char)from[take] & 0xC0) == 0x80)
                take--;
            memcpy(dst + o, from, take);
            o += take;
            break;
        }
        memcpy(dst + o, from, take);
        o += take;
        s += skip;
        n -= skip;
    }
    dst[o] = '\0';
}

/* Writes v for a French reader with 5 significant digits, no trailing
 * zeros after the comma ("16 080", "59,63", "0,12346"); DASH for NaN. */
static void fr_value(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, DASH);
        return;
    }
    int decimals = v == 0 ? 0 : 4 - (int)floor(log10(fabs(v)));
    decimals = decimals < 0 ? 0 : decimals > 6 ? 6 : decimals;
    ctg_format_fr(v, decimals, buf, size);
    if (!strchr(buf, ','))
        return;
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        n--;
    if (n > 0 && buf[n - 1] == ',')
        n--;
    buf[n] = '\0';
}

/* Column i as a French number (fr_value), DASH for NULL. */
static void fr_column(sqlite3_stmt *q, int i, char *buf, size_t size)
{
    fr_value(sqlite3_column_type(q, i) == SQLITE_NULL ? NAN : sqlite3_column_double(q, i), buf,
             size);
}

/* A count in French ("16 080"). */
static void fr_count(long long n, char *buf, size_t size)
{
    ctg_format_fr((double)n, 0, buf, size);
}

/* Appends "N noun" (one/many by French agreement: 0 and 1 singular) with a
 * no-break space between them. */
static ctg_status count_phrase(ctg_buf *b, long long n, const char *one, const char *many)
{
    char num[64];
    fr_count(n, num, sizeof num);
    return ctg_buf_printf(b, "%s" NBSP "%s", num, n > 1 ? many : one);
}

/* The status of a value in French: DASH when none. */
static const char *status_fr(sqlite3_stmt *q, int i)
{
    static const char *const NAMES[][2] = {{"ok", "ok"},          {"secret", "secret"},
                                           {"missing", "n.d."},   {"partial", "partiel"},
                                           {"approx", "approché"}, {"rounded", "arrondi"}};
    if (sqlite3_column_type(q, i) == SQLITE_NULL)
        return DASH;
    const char *s = column_text(q, i);
    for (size_t k = 0; k < sizeof NAMES / sizeof NAMES[0]; k++)
        if (!strcmp(s, NAMES[k][0]))
            return NAMES[k][1];
    return s;
}

/* Runs the statement of a table: each row is turned into cells by
 * `fill` and added, up to `max` rows (0: no limit); *rows receives the
 * number of rows the statement gave, shown or not. */
typedef void (*row_filler)(sqlite3_stmt *q, char (*cells)[1024]);

static ctg_status run_table(changes_doc *d, sqlite3_stmt *q, const ctg_pdf_column *cols,
                            size_t ncols, row_filler fill, long long max, long long *rows,
                            ctg_error *err)
{
    ctg_pdf_table *tab = NULL;
    char cells[8][1024];
    const char *ptrs[8];
    int rc = SQLITE_DONE;
    ctg_status st = CTG_OK;
    *rows = 0;
    while (st == CTG_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (max == 0 || *rows < max) {
            if (!tab)
                st = ctg_pdf_table_begin(d->pdf, cols, ncols, &tab, err);
            if (st != CTG_OK)
                break;
            fill(q, cells);
            for (size_t c = 0; c < ncols; c++)
                ptrs[c] = cells[c];
            st = ctg_pdf_table_row(tab, ptrs, 0, err);
        }
        (*rows)++;
    }
    if (st == CTG_OK && rc != SQLITE_DONE)
        st = ctg_wh_fail(d->wh, rc, err, "reading the changes");
    ctg_status end = tab ? ctg_pdf_table_end(tab, err) : CTG_OK;
    return st != CTG_OK ? st : end;
}

/* A section: its heading, then the table of sql's rows, or `none` when it
 * has none. */
static ctg_status table_section(changes_doc *d, const char *heading, const char *sql,
                                const ctg_pdf_column *cols, size_t ncols, row_filler fill,
                                const char *none, ctg_error *err)
{
    sqlite3_stmt *q = NULL;
    long long rows = 0;
    ctg_status st = ctg_pdf_heading(d->pdf, 1, heading, err);
    if (st == CTG_OK)
        st = prepare_range(d->wh, sql, d->first_id, d->last_id, &q, err);
    if (st == CTG_OK)
        st = run_table(d, q, cols, ncols, fill, 0, &rows, err);
    if (st == CTG_OK && rows == 0)
        st = ctg_pdf_paragraph(d->pdf, CTG_PDF_BODY, 0, none, err);
    sqlite3_finalize(q);
    return st;
}

/* The counts of the summary. */
typedef struct change_counts {
    long long loaded, replaced, rejected, year_new, year_removed, values, communes, reports;
} change_counts;

static ctg_status read_counts(changes_doc *d, change_counts *n, ctg_error *err)
{
    static const char SQL[] =
        "SELECT sum(kind = 'file_loaded'), sum(kind = 'file_replaced'), "
        "sum(kind = 'file_rejected'), sum(kind = 'year_new'), sum(kind = 'year_removed'), "
        "sum(kind = 'value_changed'), count(DISTINCT CASE WHEN kind = 'value_changed' AND "
        "level = 'commune' THEN code END), sum(kind = 'report_written') "
        "FROM change WHERE id BETWEEN ?1 AND ?2";
    sqlite3_stmt *q = NULL;
    memset(n, 0, sizeof *n);
    ctg_status st = prepare_range(d->wh, SQL, d->first_id, d->last_id, &q, err);
    if (st != CTG_OK)
        return st;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        long long *out[8] = {&n->loaded,       &n->replaced, &n->rejected, &n->year_new,
                             &n->year_removed, &n->values,   &n->communes, &n->reports};
        for (int i = 0; i < 8; i++)
            *out[i] = sqlite3_column_int64(q, i);
    } else {
        st = ctg_wh_fail(d->wh, rc, err, "counting the changes");
    }
    sqlite3_finalize(q);
    return st;
}

/* The summary sentence: every count with its noun, agreed in number. */
static ctg_status summary_text(const change_counts *n, ctg_buf *b)
{
    const struct {
        long long n;
        const char *one, *many, *after;
    } parts[] = {
        {n->loaded, "fichier chargé", "fichiers chargés", ", "},
        {n->replaced, "fichier remplacé", "fichiers remplacés", ", "},
        {n->rejected, "fichier rejeté", "fichiers rejetés", " ; "},
        {n->year_new, "année nouvelle", "années nouvelles", ", "},
        {n->year_removed, "année retirée", "années retirées", " ; "},
        {n->values, "valeur modifiée", "valeurs modifiées", ", "},
        {n->communes, "commune concernée", "communes concernées", " ; "},
        {n->reports, "rapport réécrit", "rapports réécrits", "."},
    };
    ctg_status st = CTG_OK;
    for (size_t i = 0; st == CTG_OK && i < sizeof parts / sizeof parts[0]; i++) {
        st = count_phrase(b, parts[i].n, parts[i].one, parts[i].many);
        if (st == CTG_OK)
            st = ctg_buf_puts(b, parts[i].after);
    }
    return st;
}

/* The title and the summary sentence. */
static ctg_status summary(changes_doc *d, const char *title, ctg_error *err)
{
    change_counts n;
    ctg_buf b = CTG_BUF_INIT;
    ctg_status st = read_counts(d, &n, err);
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(d->pdf, CTG_PDF_TITLE, 0, title, err);
    if (st == CTG_OK && summary_text(&n, &b) != CTG_OK)
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory writing the change report");
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(d->pdf, CTG_PDF_BODY, 0, ctg_buf_str(&b), err);
    ctg_buf_free(&b);
    return st;
}

/* Fichiers: one line per file loaded, replaced or rejected. */
static void file_cells(sqlite3_stmt *q, char (*cells)[1024])
{
    const char *kind = column_text(q, 0);
    snprintf(cells[0], 1024, "%s",
             !strcmp(kind, "file_loaded")     ? "chargé"
             : !strcmp(kind, "file_replaced") ? "remplacé"
                                              : "rejeté");
    for (int i = 1; i < 5; i++)
        safe_text(column_text(q, i), cells[i], 1024);
}

static ctg_status files_section(changes_doc *d, ctg_error *err)
{
    static const ctg_pdf_column COLS[] = {{"Statut", 0.11, 0},  {"Famille", 0.17, 0},
                                          {"Période", 0.10, 0}, {"Fichier", 0.34, 0},
                                          {"Détail", 0.28, 0}};
    return table_section(d, "Fichiers",
                         "SELECT kind, family, year, file, detail FROM change WHERE id BETWEEN "
                         "?1 AND ?2 AND kind IN ('file_loaded', 'file_replaced', "
                         "'file_rejected') ORDER BY id",
                         COLS, 5, file_cells, "Aucun.", err);
}

/* Indicateurs: one line per (indicator, year, kind of change). */
static void indicator_cells(sqlite3_stmt *q, char (*cells)[1024])
{
    const char *kind = column_text(q, 2);
    int values = !strcmp(kind, "value_changed");
    safe_text(column_text(q, 0), cells[0], 1024);
    safe_text(column_text(q, 1), cells[1], 1024);
    snprintf(cells[2], 1024, "%s",
             values ? "valeurs modifiées"
             : !strcmp(kind, "year_new") ? "année nouvelle"
                                         : "année retirée");
    if (values)
        fr_count(sqlite3_column_int64(q, 3), cells[3], 1024);
    else if (sqlite3_column_type(q, 4) == SQLITE_NULL)
        snprintf(cells[3], 1024, DASH);
    else
        fr_count(sqlite3_column_int64(q, 4), cells[3], 1024);
    if (values)
        fr_column(q, 5, cells[4], 1024);
    else
        cells[4][0] = '\0';
}

static ctg_status indicators_section(changes_doc *d, ctg_error *err)
{
    static const ctg_pdf_column COLS[] = {{"Indicateur", 0.32, 0},
                                          {"Année", 0.10, 0},
                                          {"Changement", 0.20, 0},
                                          {"Unités", 0.14, 1},
                                          {"Plus grand écart", 0.24, 1}};
    return table_section(d, "Indicateurs",
                         "SELECT indicator, year, kind, count(*), sum(units), "
                         "max(abs(new_value - old_value)) FROM change WHERE id BETWEEN ?1 AND "
                         "?2 AND kind IN ('year_new', 'year_removed', 'value_changed') "
                         "GROUP BY indicator, year, kind ORDER BY indicator, year, kind",
                         COLS, 5, indicator_cells, "Aucun.", err);
}

/* Communes concernées: the value changes of communes, by code. */
static void commune_cells(sqlite3_stmt *q, char (*cells)[1024])
{
    for (int i = 0; i < 4; i++)
        safe_text(column_text(q, i), cells[i], 1024);
    fr_column(q, 4, cells[4], 1024);
    fr_column(q, 5, cells[5], 1024);
    char status[512];
    snprintf(status, sizeof status, "%s " ARROW " %s", status_fr(q, 6), status_fr(q, 7));
    safe_text(status, cells[6], 1024);
}

/* The sentence under a table cut at CTG_CHANGES_PDF_MAX_COMMUNE_ROWS. */
static ctg_status more_rows(changes_doc *d, long long more, ctg_error *err)
{
    char shown[64], rest[64], text[400];
    fr_count(CTG_CHANGES_PDF_MAX_COMMUNE_ROWS, shown, sizeof shown);
    fr_count(more, rest, sizeof rest);
    if (more == 1)
        snprintf(text, sizeof text,
                 "Seules les %s premières lignes sont montrées ; la dernière est dans le "
                 "fichier CSV des changements.",
                 shown);
    else
        snprintf(text, sizeof text,
                 "Seules les %s premières lignes sont montrées ; les %s autres sont dans le "
                 "fichier CSV des changements.",
                 shown, rest);
    return ctg_pdf_paragraph(d->pdf, CTG_PDF_SMALL, 0, text, err);
}

static ctg_status communes_section(changes_doc *d, ctg_error *err)
{
    static const ctg_pdf_column COLS[] = {
        {"Code", 0.08, 0},   {"Commune", 0.22, 0},          {"Indicateur", 0.22, 0},
        {"Année", 0.08, 0},  {"Ancienne valeur", 0.12, 1},  {"Nouvelle valeur", 0.12, 1},
        {"Statut", 0.16, 0}};
    static const char SQL[] =
        "SELECT c.code, " UNIT_NAME ", c.indicator, c.year, c.old_value, c.new_value, "
        "c.old_status, c.new_status FROM change c WHERE c.id BETWEEN ?1 AND ?2 AND "
        "c.kind = 'value_changed' AND c.level = 'commune' "
        "ORDER BY c.code, c.indicator, c.year, c.id";
    sqlite3_stmt *q = NULL;
    long long rows = 0;
    ctg_status st = ctg_pdf_heading(d->pdf, 1, "Communes concernées", err);
    if (st == CTG_OK)
        st = prepare_range(d->wh, SQL, d->first_id, d->last_id, &q, err);
    if (st == CTG_OK)
        st = run_table(d, q, COLS, 7, commune_cells, CTG_CHANGES_PDF_MAX_COMMUNE_ROWS, &rows,
                       err);
    if (st == CTG_OK && rows == 0)
        st = ctg_pdf_paragraph(d->pdf, CTG_PDF_BODY, 0, "Aucune.", err);
    if (st == CTG_OK && rows > CTG_CHANGES_PDF_MAX_COMMUNE_ROWS)
        st = more_rows(d, rows - CTG_CHANGES_PDF_MAX_COMMUNE_ROWS, err);
    sqlite3_finalize(q);
    return st;
}

/* Rapports réécrits: one line per report, its territory and its file. */
static ctg_status reports_section(changes_doc *d, ctg_error *err)
{
    sqlite3_stmt *q = NULL;
    long long rows = 0;
    int rc = SQLITE_DONE;
    ctg_status st = ctg_pdf_heading(d->pdf, 1, "Rapports réécrits", err);
    if (st == CTG_OK)
        st = prepare_range(d->wh,
                           "SELECT detail, file FROM change WHERE id BETWEEN ?1 AND ?2 AND "
                           "kind = 'report_written' ORDER BY id",
                           d->first_id, d->last_id, &q, err);
    while (st == CTG_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        char line[2200], territory[1024], file[1024];
        safe_text(column_text(q, 0), territory, sizeof territory);
        safe_text(column_text(q, 1), file, sizeof file);
        snprintf(line, sizeof line, "\xE2\x80\xA2 %s%s%s", territory, territory[0] ? " : " : "",
                 file);
        st = ctg_pdf_paragraph(d->pdf, CTG_PDF_BODY, 8, line, err);
        rows++;
    }
    if (st == CTG_OK && rc != SQLITE_DONE)
        st = ctg_wh_fail(d->wh, rc, err, "reading the changes");
    if (st == CTG_OK && rows == 0)
        st = ctg_pdf_paragraph(d->pdf, CTG_PDF_BODY, 0, "Aucun.", err);
    sqlite3_finalize(q);
    return st;
}

ctg_status ctg_changes_pdf_write(ctg_warehouse *wh, const char *path, const char *title,
                                 long long first_id, long long last_id, long long date,
                                 ctg_error *err)
{
    changes_doc d = {wh, NULL, first_id, last_id};
    ctg_status st = ctg_pdf_new(title, title, &d.pdf, err);
    if (st != CTG_OK)
        goto cleanup;
    if (date >= 0)
        st = ctg_pdf_set_date(d.pdf, date, err);
    if (st == CTG_OK)
        st = summary(&d, title, err);
    if (st == CTG_OK)
        st = files_section(&d, err);
    if (st == CTG_OK)
        st = indicators_section(&d, err);
    if (st == CTG_OK)
        st = communes_section(&d, err);
    if (st == CTG_OK)
        st = reports_section(&d, err);
    if (st == CTG_OK)
        st = ctg_pdf_save(d.pdf, path, err);
cleanup:
    ctg_pdf_free(d.pdf);
    return st;
}
