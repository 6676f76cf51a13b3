/* obs_sink.c - rows of an observations family into obs_row (one row per
 * unit and period, its values packed in the order of file_variable). */
#include <stdlib.h>
#include <strings.h>
#include <string.h>

#include "core/geocode.h"
#include "core/number.h"
#include "core/packed.h"
#include "ingest/load.h"

typedef struct obs_var {
    size_t col;              /* header column */
    char variable[64];       /* canonical name */
    char period[24];         /* "" = the row's period, or the vintage when rows have none */
    ctg_kind kind;
} obs_var;

typedef struct obs_state {
    size_t code_col[2];
    int has_name, has_period, has_parent, has_withheld, has_level, has_status;
    size_t name_col[2], period_col[2], parent_col[2], withheld_col[2], level_col[2],
        status_col[2];
    size_t *measure_cols;    /* long files: columns naming the row's variable */
    size_t nmeasure_cols;
    ctg_buf measure;         /* the current row's variable (long files) */
    obs_var *vars;
    size_t nvars;
    ctg_value *vals;
    ctg_buf blob, key, code, field, name;
    sqlite3_stmt *del_row;
} obs_state;

/* ------------------------------------------------------------- header */

static ctg_status bind_unit_field(ctg_load *load, const ctg_field_rule *f, int present,
                                  int *has, size_t col[2], int required, ctg_error *err)
{
    *has = 0;
    if (!present)
        return CTG_OK;
    if (ctg_load_bind(load, f, col, NULL, 0)) {
        *has = 1;
        return CTG_OK;
    }
    if (!required)
        return CTG_OK;
    return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line,
                    "no column for the %s (pattern %s) in the header of family %s", f->field,
                    f->pattern[0], load->fam->id);
}

/* Finds the rule mapping column c; fills v. Returns 0 when no rule maps it. */
static int map_column(ctg_load *load, size_t c, obs_var *v)
{
    const ctg_family *fam = load->fam;
    const char *name = load->cols[c];
    regmatch_t m[10];
    for (size_t r = 0; r < fam->ncolumns; r++) {
        const ctg_column_rule *rule = &fam->columns[r];
        if (regexec(&rule->re, name, 10, m, 0) != 0)
            continue;
        v->col = c;
        v->kind = rule->kind;
        ctg_template_expand(rule->variable, name, m, v->variable, sizeof v->variable);
        ctg_canonical_name(v->variable);
        ctg_template_expand(rule->period, name, m, v->period, sizeof v->period);
        return 1;
    }
    return 0;
}

static ctg_status prepare_rows(ctg_load *load, obs_state *s, ctg_error *err)
{
    ctg_status st = ctg_wh_prepare(load->wh, "DELETE FROM obs_row WHERE id = ?1", &s->del_row,
                                   err);
    if (st == CTG_OK)
        st = ctg_row_queue_start(load->wh, load->file_id, &load->queue, err);
    return st;
}

/*
 * A long file (one value per row, Melodi style): the value column is the one
 * variable of the file, named by each row's measure columns. Columns the
 * family ignores are bound first, then every other column matching a
 * measure pattern, in header order.
 */
static ctg_status begin_long(ctg_load *load, obs_state *s, ctg_error *err)
{
    const ctg_family *fam = load->fam;
    size_t col[2];
    if (!ctg_load_bind(load, &fam->value, col, NULL, 0))
        return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line,
                        "no column for the value (pattern %s) in the header of family %s",
                        fam->value.pattern[0], fam->id);
    s->vars[0] = (obs_var){col[0], "", "", fam->value_kind};
    s->nvars = 1;
    for (size_t i = 0; i < fam->nignores; i++)
        while (ctg_load_bind(load, &fam->ignores[i], col, NULL, 0))
            ;
    for (size_t i = 0; i < fam->nmeasures; i++)
        while (ctg_load_bind(load, &fam->measures[i], col, NULL, 0))
            s->measure_cols[s->nmeasure_cols++] = col[0];
    if (s->nmeasure_cols == 0)
        return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line,
                        "no column names the variable of the rows (measure %s) in family %s",
                        fam->measures[0].pattern[0], fam->id);
    /* header order, so that the variable reads as the columns do */
    for (size_t i = 1; i < s->nmeasure_cols; i++)
        for (size_t j = i; j > 0 && s->measure_cols[j - 1] > s->measure_cols[j]; j--) {
            size_t t = s->measure_cols[j];
            s->measure_cols[j] = s->measure_cols[j - 1];
            s->measure_cols[j - 1] = t;
        }
    return prepare_rows(load, s, err);
}

static ctg_status obs_begin(ctg_load *load, ctg_error *err)
{
    const ctg_family *fam = load->fam;
    obs_state *s = calloc(1, sizeof *s);
    if (!s)
        return ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    load->sink->state = s;
    int has_code;
    ctg_status st = bind_unit_field(load, &fam->code, 1, &has_code, s->code_col, 1, err);
    if (st == CTG_OK)
        st = bind_unit_field(load, &fam->period, fam->has_period, &s->has_period, s->period_col,
                             1, err);
    if (st == CTG_OK)
        st = bind_unit_field(load, &fam->name, fam->has_name, &s->has_name, s->name_col, 0, err);
    if (st == CTG_OK)
        st = bind_unit_field(load, &fam->parent, fam->has_parent, &s->has_parent, s->parent_col,
                             0, err);
    if (st == CTG_OK)
        st = bind_unit_field(load, &fam->withheld, fam->has_withheld, &s->has_withheld,
                             s->withheld_col, 0, err);
    if (st == CTG_OK)
        st = bind_unit_field(load, &fam->level_column.column, fam->has_level_column,
                             &s->has_level, s->level_col, 1, err);
    if (st == CTG_OK)
        st = bind_unit_field(load, &fam->status.column, fam->has_status, &s->has_status,
                             s->status_col, 0, err);
    if (st != CTG_OK)
        return st;
    s->vars = calloc(load->ncols ? load->ncols : 1, sizeof *s->vars);
    s->vals = calloc(load->ncols ? load->ncols : 1, sizeof *s->vals);
    s->measure_cols = calloc(load->ncols ? load->ncols : 1, sizeof *s->measure_cols);
    if (!s->vars || !s->vals || !s->measure_cols)
        return ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    if (fam->has_value)
        return begin_long(load, s, err);
    for (size_t c = 0; c < load->ncols; c++) {
        if (load->bound[c])
            continue;
        obs_var v;
        if (!map_column(load, c, &v))
            continue;
        for (size_t i = 0; i < s->nvars; i++)
            if (!strcmp(s->vars[i].variable, v.variable) && !strcmp(s->vars[i].period, v.period))
                return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line,
                                "columns %s and %s both give variable %s%s%s",
                                load->cols[s->vars[i].col], load->cols[c], v.variable,
                                v.period[0] ? " for " : "", v.period);
        s->vars[s->nvars++] = v;
    }
    if (s->nvars == 0)
        return ctg_fail(err, CTG_ERR_DATA, load->path, load->header_line,
                        "no column of the header maps to a variable of family %s", fam->id);
    return prepare_rows(load, s, err);
}

/* --------------------------------------------------------------- rows */


/* Trims ASCII blanks; returns the start and sets *len. */
static const char *trimmed(const char *s, size_t n, size_t *len)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return s;
}

/*
 * Reads one cell into *v. Returns NULL when fine, else a reason (in buf).
 */
static const char *read_value(ctg_load *load, const obs_var *var, const char *cell, size_t n,
                              ctg_value *v, char *buf, size_t size)
{
    const ctg_family *fam = load->fam;
    size_t len;
    const char *s = trimmed(cell, n, &len);
    v->value = 0;
    if (len == 0) {
        v->status = fam->empty_is_secret ? CTG_VAL_SECRET : CTG_VAL_MISSING;
        return NULL;
    }
    int flags = 0;
    double d;
    ctg_num_result r = ctg_parse_number(s, len, &load->decimal_mark, &d, &flags);
    if (r != CTG_NUM_OK) {
        /* not a number: a marker of secret or missing cells? (markers are
         * words such as s, nd, NA, never numbers) */
        char text[64];
        if (len < sizeof text) {
            memcpy(text, s, len);
            text[len] = '\0';
            if (ctg_word_in(text, fam->secret, fam->nsecret)) {
                v->status = CTG_VAL_SECRET;
                return NULL;
            }
            if (ctg_word_in(text, fam->missing, fam->nmissing)) {
                v->status = CTG_VAL_MISSING;
                return NULL;
            }
        }
    }
    const char *col = load->cols[var->col];
    int shown = len > 40 ? 40 : (int)len;
    if (r == CTG_NUM_OTHER_MARK) {
        snprintf(buf, size, "column %s: '%.*s' uses '%c' as decimal mark, the file uses '%c'",
                 col, shown, s, load->decimal_mark == ',' ? '.' : ',', load->decimal_mark);
        return buf;
    }
    if (r != CTG_NUM_OK) {
        snprintf(buf, size, "column %s: '%.*s' is not a number", col, shown, s);
        return buf;
    }
    if ((flags & CTG_NUM_PERCENT) && var->kind != CTG_KIND_RATE && var->kind != CTG_KIND_RATIO &&
        var->kind != CTG_KIND_REAL) {
        snprintf(buf, size, "column %s: '%.*s' is a percentage, the column holds a %s", col,
                 shown, s, ctg_kind_name(var->kind));
        return buf;
    }
    if (d < 0 && var->kind != CTG_KIND_REAL) {
        snprintf(buf, size, "column %s: %.*s is negative, the column holds a %s", col, shown, s,
                 ctg_kind_name(var->kind));
        return buf;
    }
    if (d > 100 && var->kind == CTG_KIND_RATE) {
        snprintf(buf, size, "column %s: %.*s is over 100, the column holds a rate in %%", col,
                 shown, s);
        return buf;
    }
    v->status = CTG_VAL_OK;
    v->value = d;
    return NULL;
}

/* What the code in a coded column of the row means (-1: none). */
static int coded_meaning(const ctg_coded_field *c, const ctg_record *rec, const size_t col[2],
                         ctg_buf *field)
{
    ctg_load_field_value(rec, col, c->column.parts, field);
    for (size_t i = 0; i < c->n; i++)
        if (!strcasecmp(ctg_buf_str(field), c->codes[i]))
            return c->meanings[i];
    return -1;
}

/* Long files: the variable the row's measure columns name, in s->measure. */
static void row_measure(obs_state *s, const ctg_record *rec)
{
    ctg_buf_reset(&s->measure);
    for (size_t i = 0; i < s->nmeasure_cols; i++) {
        size_t c = s->measure_cols[i];
        if (i)
            ctg_buf_putc(&s->measure, '_');
        ctg_buf_append(&s->measure, rec->fields[c], rec->lens[c]);
    }
    if (s->measure.data)
        ctg_canonical_name(s->measure.data);
}

/* Decides the unit of a row: level and code. Returns NULL or a reason. */
static const char *row_unit(ctg_load *load, obs_state *s, const ctg_record *rec, ctg_level *level,
                            char code[CTG_CODE_MAX], int *notice, char *buf, size_t size)
{
    const ctg_family *fam = load->fam;
    ctg_load_field_value(rec, s->code_col, fam->code.parts, &s->code);
    const char *raw = ctg_buf_str(&s->code);
    *notice = 0;
    if (fam->has_total && regexec(&fam->total_re, raw, 0, NULL, 0) == 0) {
        /* a total row: kept out of every unit and group (it may cover only
         * the rows of an extract), available to check sums against */
        *level = CTG_LEVEL_PSEUDO;
        snprintf(code, CTG_CODE_MAX, "TOTAL");
        *notice = 2;
        return NULL;
    }
    if (s->code.len == 0 || ctg_word_in(raw, fam->pseudo, fam->npseudo)) {
        *level = CTG_LEVEL_PSEUDO;
        snprintf(code, CTG_CODE_MAX, "%s", s->code.len < CTG_CODE_MAX ? raw : "");
        *notice = 1;
        return NULL;
    }
    ctg_level want = fam->level;
    if (s->has_level) {
        int meaning = coded_meaning(&fam->level_column, rec, s->level_col, &s->field);
        if (meaning < 0) {
            snprintf(buf, size, "column %s: '%.30s' is not a level of family %s",
                     load->cols[s->level_col[0]], ctg_buf_str(&s->field), fam->id);
            return buf;
        }
        want = (ctg_level)meaning;
    }
    ctg_level as = want == CTG_LEVEL_ARM ? CTG_LEVEL_COMMUNE : want;
    if (want == CTG_LEVEL_FR) {
        snprintf(code, CTG_CODE_MAX, "FR");
        *level = CTG_LEVEL_FR;
        return NULL;
    }
    if (!ctg_code_normalise(as, raw, s->code.len, code)) {
        snprintf(buf, size, "'%.40s' is not a %s code", raw, ctg_level_name(want));
        return buf;
    }
    *level = (as == CTG_LEVEL_COMMUNE && ctg_code_is_arm(code)) ? CTG_LEVEL_ARM : want;
    return NULL;
}

static int row_withheld(ctg_load *load, obs_state *s, const ctg_record *rec)
{
    if (!s->has_withheld)
        return 0;
    ctg_load_field_value(rec, s->withheld_col, 1, &s->field);
    return ctg_word_in(ctg_buf_str(&s->field), load->fam->withheld_values,
                     load->fam->nwithheld_values);
}

static ctg_status store_row(ctg_load *load, obs_state *s, const ctg_record *rec, ctg_level level,
                            const char *code, const char *period, ctg_unit_seen *seen,
                            ctg_error *err)
{
    ctg_queued_row row = {rec->line, ctg_level_name(level), code, period, NULL, NULL, NULL,
                          s->blob.data, s->blob.len};
    char parent[CTG_CODE_MAX];
    if (s->has_name) {
        ctg_load_field_value(rec, s->name_col, load->fam->name.parts, &s->name);
        row.name = ctg_buf_str(&s->name);
    }
    if (s->has_parent) {
        ctg_load_field_value(rec, s->parent_col, load->fam->parent.parts, &s->field);
        if (ctg_code_normalise(CTG_LEVEL_COMMUNE, ctg_buf_str(&s->field), s->field.len, parent))
            row.parent = parent;
    }
    if (s->nmeasure_cols)
        row.measure = ctg_buf_str(&s->measure);
    ctg_status st = ctg_row_queue_put(load->queue, &row, &seen->rowid, err);
    if (st != CTG_OK)
        return st;
    load->loaded++;
    return CTG_OK;
}

static ctg_status obs_row(ctg_load *load, const ctg_record *rec, ctg_error *err)
{
    obs_state *s = load->sink->state;
    char reason[256];
    char code[CTG_CODE_MAX];
    ctg_level level;
    int notice;
    const char *why = row_unit(load, s, rec, &level, code, &notice, reason, sizeof reason);
    if (why)
        return ctg_load_reject(load, rec->line, rec->raw, rec->raw_len, why, err);

    char period[16] = "";
    if (s->has_period) {
        ctg_load_field_value(rec, s->period_col, load->fam->period.parts, &s->field);
        if (!ctg_period_normalise(ctg_buf_str(&s->field), period)) {
            snprintf(reason, sizeof reason, "'%.40s' is not a year or a month",
                     ctg_buf_str(&s->field));
            return ctg_load_reject(load, rec->line, rec->raw, rec->raw_len, reason, err);
        }
    }

    int withheld = row_withheld(load, s, rec);
    int row_status = s->has_status
                         ? coded_meaning(&load->fam->status, rec, s->status_col, &s->field)
                         : -1;
    if (withheld)
        row_status = CTG_VAL_SECRET;
    long secret = 0, missing = 0;
    for (size_t i = 0; i < s->nvars; i++) {
        const obs_var *v = &s->vars[i];
        if (row_status == CTG_VAL_SECRET || row_status == CTG_VAL_MISSING) {
            /* the row says so (NOTE, OBS_STATUS): whatever the cell holds */
            s->vals[i].status = (unsigned char)row_status;
            s->vals[i].value = 0;
        } else {
            why = read_value(load, v, rec->fields[v->col], rec->lens[v->col], &s->vals[i],
                             reason, sizeof reason);
            if (why)
                return ctg_load_reject(load, rec->line, rec->raw, rec->raw_len, why, err);
        }
        secret += s->vals[i].status == CTG_VAL_SECRET;
        missing += s->vals[i].status == CTG_VAL_MISSING;
    }

    /* the unit's key: level, code, period, the variable of a long file's
     * row, and for pseudo-units their name */
    if (s->nmeasure_cols)
        row_measure(s, rec);
    ctg_buf_reset(&s->key);
    const char *parts[4] = {ctg_level_name(level), code, period, ctg_buf_str(&s->measure)};
    for (size_t i = 0; i < 4; i++) {
        if (i > 0)
            ctg_buf_putc(&s->key, '\x1f');
        ctg_buf_puts(&s->key, parts[i]);
    }
    if (level == CTG_LEVEL_PSEUDO) {
        /* places that are none: told apart by their code cell as written
         * (each total row) and their name (each "non localisés" row) */
        ctg_buf_putc(&s->key, '\x1f');
        ctg_buf_append(&s->key, s->code.data ? s->code.data : "", s->code.len);
        if (s->has_name) {
            ctg_load_field_value(rec, s->name_col, load->fam->name.parts, &s->field);
            ctg_buf_putc(&s->key, '\x1f');
            ctg_buf_append(&s->key, s->field.data ? s->field.data : "", s->field.len);
        }
    }
    ctg_status st = CTG_OK;
    ctg_unit_seen *seen = NULL;
    if (!ctg_load_check_unit(load, ctg_buf_str(&s->key), s->key.len, rec, &seen, &st, err))
        return st;

    ctg_buf_reset(&s->blob);
    if (ctg_pack(s->vals, s->nvars, &s->blob) != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOMEM, load->path, 0, "out of memory");
    st = store_row(load, s, rec, level, code, period, seen, err);
    if (st != CTG_OK)
        return st;
    load->secret += secret;
    load->missing += missing;
    seen->secret = secret;
    seen->missing = missing;
    if (period[0] && strcmp(period, load->max_period) > 0)
        snprintf(load->max_period, sizeof load->max_period, "%s", period);
    seen->noticed = withheld || notice;
    seen->pseudo = notice != 0;
    if (withheld)
        st = ctg_load_notice(load, rec->line, "withheld", code,
                             "the producer withheld every value of this unit", err);
    if (st == CTG_OK && notice == 1) {
        load->pseudo++;
        st = ctg_load_notice(load, rec->line, "pseudo", code,
                             code[0] ? "a pseudo-code that names no place"
                                     : "no code: units the producer could not place",
                             err);
    } else if (st == CTG_OK && notice == 2) {
        load->pseudo++;
        st = ctg_load_notice(load, rec->line, "total", code, "a total row, kept apart from the units (level pseudo, code TOTAL)",
                             err);
    }
    return st;
}

/* ------------------------------------------------------------- finish */

static ctg_status obs_finish(ctg_load *load, ctg_error *err)
{
    obs_state *s = load->sink->state;
    sqlite3_stmt *st = NULL;
    ctg_status rc = ctg_wh_prepare(load->wh,
                                   "INSERT INTO file_variable(file_id, idx, variable, period, "
                                   "column_name, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                   &st, err);
    if (rc != CTG_OK)
        return rc;
    for (size_t i = 0; i < s->nvars && rc == CTG_OK; i++) {
        const obs_var *v = &s->vars[i];
        const char *period = v->period;
        if (!period[0] && !s->has_period)
            period = load->vintage; /* variables without a year belong to the vintage */
        sqlite3_bind_int64(st, 1, load->file_id);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)i);
        sqlite3_bind_text(st, 3, v->variable, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, period, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, load->cols[v->col], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, ctg_kind_name(v->kind), -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        sqlite3_reset(st);
        if (r != SQLITE_DONE)
            rc = ctg_wh_fail(load->wh, r, err, "storing the file's variables");
    }
    sqlite3_finalize(st);
    return rc;
}

static ctg_status obs_unstore(ctg_load *load, const ctg_unit_seen *seen, ctg_error *err)
{
    obs_state *s = load->sink->state;
    ctg_status synced = ctg_load_sync(load, err);
    if (synced != CTG_OK)
        return synced;
    load->secret -= seen->secret;
    load->missing -= seen->missing;
    sqlite3_bind_int64(s->del_row, 1, seen->rowid);
    int rc = sqlite3_step(s->del_row);
    sqlite3_reset(s->del_row);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(load->wh, rc, err, "removing a conflicting row");
    load->loaded--;
    return CTG_OK;
}

static void obs_free(ctg_load *load)
{
    obs_state *s = load->sink->state;
    ctg_row_queue_stop(load->queue);
    load->queue = NULL;
    if (!s)
        return;
    sqlite3_finalize(s->del_row);
    free(s->vars);
    free(s->vals);
    free(s->measure_cols);
    ctg_buf_free(&s->measure);
    ctg_buf_free(&s->blob);
    ctg_buf_free(&s->key);
    ctg_buf_free(&s->code);
    ctg_buf_free(&s->field);
    ctg_buf_free(&s->name);
    free(s);
    load->sink->state = NULL;
}

const ctg_sink_ops ctg_obs_sink = {obs_begin, obs_row, obs_finish, obs_unstore, obs_free};
