/* geo_sink.c - rows of geography and dictionary families into their tables
 * (geo_commune, geo_membership, geo_iris, geo_area, geo_event, geo_passage,
 * dictionary). Each target is described by a table of its fields below: how
 * each is normalised and which make the unit's key. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/geocode.h"
#include "core/number.h"
#include "ingest/load.h"

typedef enum field_kind {
    FK_TEXT,      /* text as written; empty = NULL */
    FK_UPPER,     /* text, upper-cased (TYPECOM) */
    FK_COMMUNE,   /* commune or arrondissement code */
    FK_IRIS,      /* IRIS code */
    FK_DEP,       /* département code */
    FK_REG,       /* région code */
    FK_EPCI,      /* EPCI SIREN; the family's pseudo-codes mean "none" */
    FK_AREA,      /* a code of the family's [unit] level */
    FK_DATE,      /* a date: dd-mm-yyyy, dd/mm/yyyy or yyyy-mm-dd, stored ISO */
    FK_RATIO      /* a number >= 0 */
} field_kind;

typedef struct target_field {
    const char *name;     /* field name in the .family file = column in the table */
    field_kind kind;
    int key;              /* part of the unit's key */
    int required;         /* a family of this target must bind it */
} target_field;

#define MAX_TFIELDS 14

typedef struct target_desc {
    ctg_target target;
    const char *table;
    int has_geo_year;     /* table has geo_year (the file's geography year) */
    int has_line;         /* table has line */
    target_field fields[MAX_TFIELDS];
} target_desc;

static const target_desc TARGETS[] = {
    {CTG_TARGET_GEO_COMMUNE, "geo_commune", 1, 0,
     {{"typecom", FK_UPPER, 1, 1}, {"code", FK_COMMUNE, 1, 1}, {"name", FK_TEXT, 0, 1},
      {"dep", FK_DEP, 0, 0}, {"reg", FK_REG, 0, 0}, {"arr", FK_TEXT, 0, 0},
      {"parent", FK_COMMUNE, 0, 0}}},
    {CTG_TARGET_GEO_MEMBERSHIP, "geo_membership", 1, 0,
     {{"code", FK_COMMUNE, 1, 1}, {"name", FK_TEXT, 0, 1}, {"dep", FK_DEP, 0, 0},
      {"reg", FK_REG, 0, 0}, {"epci", FK_EPCI, 0, 0}, {"epci_nature", FK_TEXT, 0, 0},
      {"arr", FK_TEXT, 0, 0}, {"cv", FK_TEXT, 0, 0}, {"ze", FK_TEXT, 0, 0}, {"uu", FK_TEXT, 0, 0},
      {"aav", FK_TEXT, 0, 0}, {"bv", FK_TEXT, 0, 0}, {"parent", FK_COMMUNE, 0, 0}}},
    {CTG_TARGET_GEO_IRIS, "geo_iris", 1, 0,
     {{"code", FK_IRIS, 1, 1}, {"name", FK_TEXT, 0, 1}, {"typ", FK_UPPER, 0, 0},
      {"commune", FK_COMMUNE, 0, 1}}},
    {CTG_TARGET_GEO_AREA, "geo_area", 1, 0,
     {{"code", FK_AREA, 1, 1}, {"name", FK_TEXT, 0, 1}, {"parent", FK_REG, 0, 0},
      {"nature", FK_TEXT, 0, 0}}},
    /* events and passage rows are keyed by their whole text (geo_row) */
    {CTG_TARGET_GEO_EVENT, "geo_event", 0, 1,
     {{"mod", FK_TEXT, 0, 1}, {"code_before", FK_COMMUNE, 0, 1}, {"date_eff", FK_DATE, 0, 0},
      {"name_before", FK_TEXT, 0, 0}, {"code_after", FK_COMMUNE, 0, 0},
      {"name_after", FK_TEXT, 0, 0}}},
    {CTG_TARGET_GEO_PASSAGE, "geo_passage", 0, 1,
     {{"code_from", FK_COMMUNE, 0, 1}, {"code_to", FK_COMMUNE, 0, 1}, {"ratio", FK_RATIO, 0, 1},
      {"kind", FK_TEXT, 0, 0}}},
    {CTG_TARGET_DICTIONARY, "dictionary", 0, 1,
     {{"column_name", FK_TEXT, 1, 1}, {"label", FK_TEXT, 0, 1}, {"label_long", FK_TEXT, 0, 0},
      {"modality", FK_TEXT, 1, 0}, {"modality_label", FK_TEXT, 0, 0}, {"type", FK_TEXT, 0, 0},
      {"length", FK_TEXT, 0, 0}}},
};

typedef struct geo_state {
    const target_desc *desc;
    size_t nf;                       /* fields in desc */
    int bound[MAX_TFIELDS];          /* the family binds this field */
    size_t col[MAX_TFIELDS][2];
    int parts[MAX_TFIELDS];
    int year_from, year_to;          /* passage tables: years from the header */
    ctg_buf value[MAX_TFIELDS];      /* normalised values of the current row */
    double number[MAX_TFIELDS];      /* the value of the number fields (ratio) */
    int null[MAX_TFIELDS];
    ctg_buf key;
    sqlite3_stmt *ins;
    sqlite3_stmt *owner;             /* who holds a key already (tables with a primary key) */
    sqlite3_stmt *del;
} geo_state;

static const target_desc *find_target(ctg_target t)
{
    for (size_t i = 0; i < sizeof TARGETS / sizeof TARGETS[0]; i++)
        if (TARGETS[i].target == t)
            return &TARGETS[i];
    return NULL;
}

int ctg_target_keyed_by_year(ctg_target t)
{
    const target_desc *d = find_target(t);
    return d && d->has_geo_year;
}

const char *ctg_target_field_list(ctg_target t, int required, char *buf, size_t size)
{
    const target_desc *d = find_target(t);
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; d && i < MAX_TFIELDS && d->fields[i].name; i++) {
        if (d->fields[i].required != required)
            continue;
        int n = snprintf(buf + o, size - o, "%s%s", o ? " " : "", d->fields[i].name);
        if (n < 0 || (size_t)n >= size - o)
            break;
        o += (size_t)n;
    }
    return buf;
}

static size_t count_fields(const target_desc *d)
{
    size_t n = 0;
    while (n < MAX_TFIELDS && d->fields[n].name)
        n++;
    return n;
}

/* Year of a passage column from the first group of its pattern's match. */
static int header_year(ctg_load *load, const ctg_field_rule *f, size_t col)
{
    regmatch_t m[2];
    if (regexec(&f->re[0], load->cols[col], 2, m, 0) != 0 || m[1].rm_so < 0)
        return 0;
    char y[8] = "";
    int n = (int)(m[1].rm_eo - m[1].rm_so);
    if (n != 4)
        return 0;
    memcpy(y, load->cols[col] + m[1].rm_so, 4);
    return atoi(y);
}

static ctg_status prepare_sql(ctg_load *load, geo_state *s, ctg_error *err)
{
    const target_desc *d = s->desc;
    ctg_buf sql = CTG_BUF_INIT, vals = CTG_BUF_INIT;
    int n = 1;
    ctg_buf_printf(&sql, "INSERT INTO %s(file_id", d->table);
    ctg_buf_printf(&vals, "?%d", n++);
    if (d->has_geo_year) {
        ctg_buf_puts(&sql, ", geo_year");
        ctg_buf_printf(&vals, ", ?%d", n++);
    }
    if (d->has_line) {
        ctg_buf_puts(&sql, ", line");
        ctg_buf_printf(&vals, ", ?%d", n++);
    }
    if (d->target == CTG_TARGET_GEO_MEMBERSHIP || d->target == CTG_TARGET_GEO_AREA) {
        ctg_buf_puts(&sql, ", level");
        ctg_buf_printf(&vals, ", ?%d", n++);
    }
    if (d->target == CTG_TARGET_GEO_PASSAGE) {
        ctg_buf_puts(&sql, ", year_from, year_to");
        ctg_buf_printf(&vals, ", ?%d, ?%d", n, n + 1);
        n += 2;
    }
    if (d->target == CTG_TARGET_DICTIONARY) {
        ctg_buf_puts(&sql, ", variable, period");
        ctg_buf_printf(&vals, ", ?%d, ?%d", n, n + 1);
        n += 2;
    }
    for (size_t i = 0; i < s->nf; i++) {
        ctg_buf_printf(&sql, ", %s", d->fields[i].name);
        ctg_buf_printf(&vals, ", ?%d", n++);
    }
    ctg_buf_printf(&sql, ") VALUES (%s)", ctg_buf_str(&vals));
    ctg_status st = ctg_wh_prepare(load->wh, ctg_buf_str(&sql), &s->ins, err);
    ctg_buf_free(&vals);
    if (st == CTG_OK && d->has_geo_year) {
        /* the owner of a primary key already taken */
        ctg_buf_reset(&sql);
        ctg_buf_printf(&sql, "SELECT file_id FROM %s WHERE geo_year = ?1", d->table);
        int p = 2;
        if (d->target == CTG_TARGET_GEO_MEMBERSHIP || d->target == CTG_TARGET_GEO_AREA)
            ctg_buf_printf(&sql, " AND level = ?%d", p++);
        for (size_t i = 0; i < s->nf; i++)
            if (d->fields[i].key)
                ctg_buf_printf(&sql, " AND %s = ?%d", d->fields[i].name, p++);
        st = ctg_wh_prepare(load->wh, ctg_buf_str(&sql), &s->owner, err);
    }
    if (st == CTG_OK) {
        ctg_buf_reset(&sql);
        if (!d->has_geo_year) {
            ctg_buf_printf(&sql, "DELETE FROM %s WHERE rowid = ?1", d->table);
        } else {
            /* WITHOUT ROWID tables have no rowid: conflicts there use the key */
            ctg_buf_printf(&sql, "DELETE FROM %s WHERE file_id = ?1 AND geo_year = ?2", d->table);
            int p = 3;
            if (d->target == CTG_TARGET_GEO_MEMBERSHIP || d->target == CTG_TARGET_GEO_AREA)
                ctg_buf_printf(&sql, " AND level = ?%d", p++);
            for (size_t i = 0; i < s->nf; i++)
                if (d->fields[i].key)
                    ctg_buf_printf(&sql, " AND %s = ?%d", d->fields[i].name, p++);
        }
        st = ctg_wh_prepare(load->wh, ctg_buf_str(&sql), &s->del, err);
    }
    ctg_buf_free(&sql);
    return st;
}

static ctg_status geo_begin(ctg_load *load, ctg_error *err)
{
    const ctg_family *fam = load->fam;
    geo_state *s = calloc(1, sizeof *s);
    if (!s)
        return ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    load->sink->state = s;
    s->desc = find_target(fam->target);
    if (!s->desc)
        return ctg_fail(err, CTG_ERR_INTERNAL, load->path, 0, "no sink for target %s",
                        ctg_target_name(fam->target));
    s->nf = count_fields(s->desc);
    for (size_t r = 0; r < fam->nfields; r++) {
        const ctg_field_rule *f = &fam->fields[r];
        size_t i = 0;
        while (i < s->nf && strcmp(s->desc->fields[i].name, f->field))
            i++;
        if (i == s->nf)
            continue; /* check_family keeps unknown fields out */
        if (!ctg_load_bind(load, f, s->col[i], NULL, 0)) {
            if (s->desc->fields[i].required)
                return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line,
                                "no column for the field %s (pattern %s) of family %s", f->field,
                                f->pattern[0], fam->id);
            continue; /* an optional field the file does not have */
        }
        s->bound[i] = 1;
        s->parts[i] = f->parts;
        if (fam->target == CTG_TARGET_GEO_PASSAGE && !strcmp(f->field, "code_from"))
            s->year_from = header_year(load, f, s->col[i][0]);
        if (fam->target == CTG_TARGET_GEO_PASSAGE && !strcmp(f->field, "code_to"))
            s->year_to = header_year(load, f, s->col[i][0]);
    }
    if (fam->target == CTG_TARGET_GEO_PASSAGE && (!s->year_from || !s->year_to))
        return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line,
                        "the code columns of a passage table must carry their years (cod2016)");
    if (fam->target == CTG_TARGET_GEO_PASSAGE && s->year_from > s->year_to) {
        /* bound by name, not by position: the older year is the origin */
        size_t from = 0, to = 0;
        for (size_t i = 0; i < s->nf; i++) {
            if (!strcmp(s->desc->fields[i].name, "code_from"))
                from = i;
            if (!strcmp(s->desc->fields[i].name, "code_to"))
                to = i;
        }
        size_t c = s->col[from][0];
        s->col[from][0] = s->col[to][0];
        s->col[to][0] = c;
        int y = s->year_from;
        s->year_from = s->year_to;
        s->year_to = y;
    }
    if (fam->target == CTG_TARGET_GEO_PASSAGE && s->year_from == s->year_to)
        return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line,
                        "the two code columns of a passage table carry the same year %d",
                        s->year_from);
    if (s->desc->has_geo_year && !load->geo_year)
        return ctg_fail(err, CTG_ERR_DATA, load->path, 0,
                        "no year found in the file name or title lines: give --vintage");
    return prepare_sql(load, s, err);
}

/* The number written by the digits s[0..n), or -1 when one is not a digit. */
static int digits_value(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* Parses a date, yyyy-mm-dd, dd-mm-yyyy or dd/mm/yyyy, into ISO form;
 * returns 0 when it is not a day of the calendar. */
static int normalise_date(const char *in, char out[16])
{
    static const int DAYS[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d;
    if (strlen(in) != 10)
        return 0;
    if (in[4] == '-' && in[7] == '-') {
        y = digits_value(in, 4);
        m = digits_value(in + 5, 2);
        d = digits_value(in + 8, 2);
    } else if ((in[2] == '-' || in[2] == '/') && in[5] == in[2]) {
        d = digits_value(in, 2);
        m = digits_value(in + 3, 2);
        y = digits_value(in + 6, 4);
    } else {
        return 0;
    }
    if (y < 1000 || m < 1 || m > 12 || d < 1 || d > DAYS[m - 1] ||
        (m == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
        return 0;
    snprintf(out, 16, "%04d-%02d-%02d", y % 10000, m % 100, d % 100);
    return 1;
}


/* Normalises field i of the current row in place. Returns NULL or a reason. */
static const char *normalise_field(ctg_load *load, geo_state *s, size_t i, int *notice,
                                   char *buf, size_t size)
{
    const target_field *tf = &s->desc->fields[i];
    ctg_buf *v = &s->value[i];
    const char *text = ctg_buf_str(v);
    char code[CTG_CODE_MAX];
    ctg_level level = CTG_LEVEL_NONE;
    s->null[i] = v->len == 0;
    if (s->null[i])
        return NULL;
    switch (tf->kind) {
    case FK_TEXT:
        return NULL;
    case FK_UPPER:
        for (size_t k = 0; k < v->len; k++)
            v->data[k] = (char)toupper((unsigned char)v->data[k]);
        return NULL;
    case FK_DATE: {
        char iso[16];
        if (!normalise_date(text, iso)) {
            snprintf(buf, size, "%s: '%.30s' is not a date", tf->name, text);
            return buf;
        }
        ctg_buf_reset(v);
        ctg_buf_puts(v, iso);
        return NULL;
    }
    case FK_RATIO:
        if (ctg_parse_number(text, v->len, &load->decimal_mark, &s->number[i], NULL) !=
                CTG_NUM_OK ||
            s->number[i] < 0) {
            snprintf(buf, size, "%s: '%.30s' is not a number >= 0", tf->name, text);
            return buf;
        }
        return NULL;
    case FK_EPCI:
        if (ctg_word_in(text, load->fam->pseudo, load->fam->npseudo)) {
            *notice = 1;
            s->null[i] = 1;
            return NULL;
        }
        level = CTG_LEVEL_EPCI;
        break;
    case FK_COMMUNE: level = CTG_LEVEL_COMMUNE; break;
    case FK_IRIS: level = CTG_LEVEL_IRIS; break;
    case FK_DEP: level = CTG_LEVEL_DEP; break;
    case FK_REG: level = CTG_LEVEL_REG; break;
    case FK_AREA:
        if (ctg_word_in(text, load->fam->pseudo, load->fam->npseudo)) {
            snprintf(buf, size, "'%.30s' is a pseudo-code, not a place", text);
            return buf;
        }
        level = load->fam->level;
        break;
    }
    if (!ctg_code_normalise(level, text, v->len, code)) {
        snprintf(buf, size, "%s: '%.30s' is not a %s code", tf->name, text, ctg_level_name(level));
        return buf;
    }
    ctg_buf_reset(v);
    ctg_buf_puts(v, code);
    return NULL;
}

static void bind_text_or_null(sqlite3_stmt *st, int p, const ctg_buf *b, int null)
{
    if (null)
        sqlite3_bind_null(st, p);
    else
        sqlite3_bind_text(st, p, b->data, (int)b->len, SQLITE_STATIC);
}

/* Dictionary rows: the canonical variable and period of COD_VAR. */
static void dictionary_variable(ctg_load *load, const char *column, char var[64], char per[24])
{
    const ctg_family *fam = load->fam;
    regmatch_t m[10];
    var[0] = per[0] = '\0';
    for (size_t r = 0; r < fam->ncolumns; r++) {
        if (regexec(&fam->columns[r].re, column, 10, m, 0) != 0)
            continue;
        ctg_template_expand(fam->columns[r].variable, column, m, var, 64);
        ctg_canonical_name(var);
        ctg_template_expand(fam->columns[r].period, column, m, per, 24);
        return;
    }
}

/* Dictionary rows: the year a variable name carries (P18_POP: 2018), for the
 * family's `vintage = column PATTERN` rules, which read the variable names
 * of a dictionary rather than its header. */
static void dictionary_year(ctg_load *load, const char *column)
{
    const ctg_family *fam = load->fam;
    regmatch_t m[2];
    for (size_t r = 0; r < fam->nvintage; r++) {
        const ctg_vintage_rule *v = &fam->vintage[r];
        if (v->source != CTG_VINTAGE_COLUMN || regexec(&v->re, column, 2, m, 0) != 0 ||
            m[1].rm_so < 0)
            continue;
        size_t len = (size_t)(m[1].rm_eo - m[1].rm_so);
        if (len != 2 && len != 4)
            continue;
        int y = ctg_load_year(column + m[1].rm_so, len);
        char year[16];
        snprintf(year, sizeof year, "%04d", y % 10000);
        if (strcmp(year, load->max_period) > 0)
            snprintf(load->max_period, sizeof load->max_period, "%s", year);
        return;
    }
}

static const char *row_level(const geo_state *s)
{
    if (s->desc->target == CTG_TARGET_GEO_AREA)
        return NULL;
    return ctg_code_is_arm(ctg_buf_str(&s->value[0])) ? "arm" : "commune";
}

static int bind_row(ctg_load *load, geo_state *s, sqlite3_stmt *st, const ctg_record *rec)
{
    int p = 1;
    sqlite3_bind_int64(st, p++, load->file_id);
    if (s->desc->has_geo_year)
        sqlite3_bind_int(st, p++, load->geo_year);
    if (s->desc->has_line)
        sqlite3_bind_int64(st, p++, rec->line);
    if (s->desc->target == CTG_TARGET_GEO_MEMBERSHIP)
        sqlite3_bind_text(st, p++, row_level(s), -1, SQLITE_STATIC);
    if (s->desc->target == CTG_TARGET_GEO_AREA)
        sqlite3_bind_text(st, p++, ctg_level_name(load->fam->level), -1, SQLITE_STATIC);
    if (s->desc->target == CTG_TARGET_GEO_PASSAGE) {
        sqlite3_bind_int(st, p++, s->year_from);
        sqlite3_bind_int(st, p++, s->year_to);
    }
    if (s->desc->target == CTG_TARGET_DICTIONARY) {
        char var[64], per[24];
        dictionary_variable(load, ctg_buf_str(&s->value[0]), var, per);
        if (var[0])
            sqlite3_bind_text(st, p, var, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, p);
        if (per[0])
            sqlite3_bind_text(st, p + 1, per, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, p + 1);
        p += 2;
    }
    for (size_t i = 0; i < s->nf; i++) {
        if (s->desc->fields[i].kind == FK_RATIO && !s->null[i])
            sqlite3_bind_double(st, p++, s->number[i]);
        else
            bind_text_or_null(st, p++, &s->value[i], s->null[i] || !s->bound[i]);
    }
    return p;
}

/* Binds the key of the current row to the owner / delete statements. */
static void bind_key(ctg_load *load, geo_state *s, sqlite3_stmt *st, int first)
{
    int p = first;
    sqlite3_bind_int(st, first - 1, load->geo_year);
    if (s->desc->target == CTG_TARGET_GEO_MEMBERSHIP)
        sqlite3_bind_text(st, p++, row_level(s), -1, SQLITE_STATIC);
    if (s->desc->target == CTG_TARGET_GEO_AREA)
        sqlite3_bind_text(st, p++, ctg_level_name(load->fam->level), -1, SQLITE_STATIC);
    for (size_t i = 0; i < s->nf; i++)
        if (s->desc->fields[i].key)
            bind_text_or_null(st, p++, &s->value[i], s->null[i]);
}

/* The key is held by another file: replace it or reject this one. */
static ctg_status resolve_collision(ctg_load *load, geo_state *s, ctg_error *err)
{
    sqlite3_reset(s->owner);
    bind_key(load, s, s->owner, 2);
    sqlite3_int64 owner = 0;
    if (sqlite3_step(s->owner) == SQLITE_ROW)
        owner = sqlite3_column_int64(s->owner, 0);
    sqlite3_reset(s->owner);
    if (!owner || owner == load->file_id)
        return ctg_fail(err, CTG_ERR_INTERNAL, load->path, 0,
                        "a row's key is taken and no other file holds it");
    return ctg_load_replace(load, owner, err);
}

static ctg_status insert_row(ctg_load *load, geo_state *s, const ctg_record *rec,
                             ctg_unit_seen *seen, ctg_error *err)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        bind_row(load, s, s->ins, rec);
        int rc = sqlite3_step(s->ins);
        sqlite3_reset(s->ins);
        if (rc == SQLITE_DONE) {
            seen->rowid = sqlite3_last_insert_rowid(ctg_wh_db(load->wh));
            load->loaded++;
            return CTG_OK;
        }
        if ((rc & 0xff) != SQLITE_CONSTRAINT || !s->desc->has_geo_year || attempt > 0)
            return ctg_wh_fail(load->wh, rc, err, "storing a geography row");
        ctg_status st = resolve_collision(load, s, err);
        if (st != CTG_OK)
            return st;
    }
    return CTG_OK;
}

static ctg_status geo_row(ctg_load *load, const ctg_record *rec, ctg_error *err)
{
    geo_state *s = load->sink->state;
    char reason[256];
    int notice = 0;
    ctg_buf_reset(&s->key);
    for (size_t i = 0; i < s->nf; i++) {
        ctg_buf_reset(&s->value[i]);
        s->null[i] = 1;
        if (!s->bound[i])
            continue;
        ctg_load_field_value(rec, s->col[i], s->parts[i], &s->value[i]);
        const char *why = normalise_field(load, s, i, &notice, reason, sizeof reason);
        if (why)
            return ctg_load_reject(load, rec->line, rec->raw, rec->raw_len, why, err);
        if (s->desc->fields[i].key) {
            ctg_buf_append(&s->key, s->value[i].data ? s->value[i].data : "", s->value[i].len);
            ctg_buf_putc(&s->key, '\x1f');
        }
    }
    for (size_t i = 0; i < s->nf; i++) {
        if (s->desc->fields[i].required && s->null[i]) {
            snprintf(reason, sizeof reason, "no %s (an empty cell where one is required)",
                     s->desc->fields[i].name);
            return ctg_load_reject(load, rec->line, rec->raw, rec->raw_len, reason, err);
        }
    }
    if (s->desc->target == CTG_TARGET_GEO_EVENT || s->desc->target == CTG_TARGET_GEO_PASSAGE) {
        /* events and passage rows: a code appears in several rows by nature;
         * the key is the whole row, so only verbatim repeats are duplicates */
        ctg_buf_reset(&s->key);
        ctg_buf_append(&s->key, rec->raw, rec->raw_len);
    }
    ctg_status st = CTG_OK;
    ctg_unit_seen *seen = NULL;
    if (!ctg_load_check_unit(load, ctg_buf_str(&s->key), s->key.len, rec, &seen, &st, err))
        return st;
    if (s->desc->target == CTG_TARGET_DICTIONARY)
        dictionary_year(load, ctg_buf_str(&s->value[0]));
    st = insert_row(load, s, rec, seen, err);
    seen->noticed = seen->pseudo = notice != 0;
    if (st == CTG_OK && notice) {
        load->pseudo++;
        st = ctg_load_notice(load, rec->line, "pseudo", ctg_buf_str(&s->value[0]),
                             "in no EPCI (pseudo-code in the EPCI column)", err);
    }
    return st;
}

static ctg_status geo_finish(ctg_load *load, ctg_error *err)
{
    return CTG_OK;
}

static ctg_status geo_unstore(ctg_load *load, const ctg_unit_seen *seen, ctg_error *err)
{
    geo_state *s = load->sink->state;
    if (s->desc->has_geo_year) {
        /* WITHOUT ROWID tables: the conflicting row has the key of the current row */
        sqlite3_reset(s->del);
        sqlite3_bind_int64(s->del, 1, load->file_id);
        bind_key(load, s, s->del, 3);
        int rc = sqlite3_step(s->del);
        sqlite3_reset(s->del);
        if (rc != SQLITE_DONE)
            return ctg_wh_fail(load->wh, rc, err, "removing a conflicting row");
    } else {
        sqlite3_bind_int64(s->del, 1, seen->rowid);
        int rc = sqlite3_step(s->del);
        sqlite3_reset(s->del);
        if (rc != SQLITE_DONE)
            return ctg_wh_fail(load->wh, rc, err, "removing a conflicting row");
    }
    load->loaded--;
    return CTG_OK;
}

static void geo_free(ctg_load *load)
{
    geo_state *s = load->sink->state;
    if (!s)
        return;
    sqlite3_finalize(s->ins);
    sqlite3_finalize(s->owner);
    sqlite3_finalize(s->del);
    for (size_t i = 0; i < MAX_TFIELDS; i++)
        ctg_buf_free(&s->value[i]);
    ctg_buf_free(&s->key);
    free(s);
    load->sink->state = NULL;
}

const ctg_sink_ops ctg_geo_sink = {geo_begin, geo_row, geo_finish, geo_unstore, geo_free};
