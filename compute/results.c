/* results.c - reading computed values (results.h). */
#include "compute/results.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compute/formula.h"
#include "core/buf.h"
#include "core/number.h"

#define MEMO_BUCKETS 1024
#define MEMO_BUDGET (8u << 20)
#define MEMO_KEY_MAX 256

/* A query's answer: its values (one for a value, the members for a list of
 * members), found or not. */
typedef struct memo_entry {
    struct memo_entry *next;
    size_t n;
    int found;
    ctg_value *vals;               /* owned; NULL when n is 0 */
    char key[];                    /* what was asked, NUL-terminated */
} memo_entry;

struct ctg_results {
    ctg_warehouse *wh;
    const ctg_catalogue *cat;
    int geo_year;
    /* The list of communes of the last `communes:` territory read, held in a
     * TEMP table of the connection (code TEXT PRIMARY KEY) that the queries
     * join on; one table per handle, named after it, created when first
     * needed, refilled when another list is read, dropped by
     * ctg_results_free. TEMP lives in the connection's own temporary
     * database, writable even when the warehouse is opened read-only. */
    char list_table[48];           /* "ctg_list_<address of the handle>" */
    int list_created;              /* the table exists */
    char (*list)[CTG_CODE_MAX];    /* the codes it was filled from, as given */
    size_t nlist;                  /* 0: nothing loaded (or a failed load) */
    size_t list_cap;
    /* The values of that list already aggregated, per (indicator, year):
     * a report asks for the same ones again and again (its summary, each
     * axis, evolutions). Emptied when another list is loaded. */
    struct list_value *cache;
    size_t ncache, cache_cap;
    /* The statements of the queries asked so far, prepared once: a report
     * asks the same few queries thousands of times, and preparing them was
     * a tenth of its time. Kept reset, freed by ctg_results_free. */
    struct kept_statement {
        char *sql;                 /* owned; NULL for a free slot */
        sqlite3_stmt *q;
    } kept[16];
    size_t next_kept;              /* the slot the next new statement replaces */
    /* The values and member lists of units already read, by query: a
     * report draws each indicator twice (its axis file and the diagnosis)
     * and reads the same years again for evolutions and findings. Kept
     * until ctg_results_free, up to MEMO_BUDGET bytes (then not kept). */
    struct memo_entry *memo[MEMO_BUCKETS];
    size_t memo_bytes;
};

/* The statement of sql, from the handle (prepared on first use): the handle
 * keeps it; the caller gives it back with statement_done, never finalizes
 * it. */
static ctg_status statement(ctg_results *r, const char *sql, sqlite3_stmt **q, ctg_error *err)
{
    const size_t n = sizeof r->kept / sizeof r->kept[0];
    for (size_t i = 0; i < n; i++)
        if (r->kept[i].sql && !strcmp(r->kept[i].sql, sql)) {
            *q = r->kept[i].q;
            return CTG_OK;
        }
    ctg_status st = ctg_wh_prepare(r->wh, sql, q, err);
    if (st != CTG_OK)
        return st;
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(*q);
        *q = NULL;
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    }
    struct kept_statement *k = &r->kept[r->next_kept];
    r->next_kept = (r->next_kept + 1) % n;
    sqlite3_finalize(k->q);
    free(k->sql);
    k->sql = copy;
    k->q = *q;
    return CTG_OK;
}

/* Gives back a statement of statement(): reset, bindings cleared. */
static void statement_done(sqlite3_stmt *q)
{
    if (q) {
        sqlite3_reset(q);
        sqlite3_clear_bindings(q);
    }
}

struct list_value {
    char indicator[CTG_NAME_MAX];
    char year[16];
    int found;
    ctg_value v;
};

/* ------------------------------------------------------------ territories */

static ctg_status parse_list(const char *list, ctg_territory *t, ctg_error *err)
{
    const char *p = list;
    while (*p) {
        size_t n = strcspn(p, ",");
        char code[CTG_CODE_MAX];
        if (n == 0 || !ctg_code_normalise(CTG_LEVEL_COMMUNE, p, n, code) ||
            ctg_code_is_arm(code))
            return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                            "'%.*s' in '%s' is not a commune code", (int)n, p, list);
        for (size_t i = 0; i < t->ncommunes; i++)
            if (!strcmp(t->communes[i], code))
                return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                                "commune %s is listed twice in '%s'", code, list);
        if (t->ncommunes == CTG_TERRITORY_MAX)
            return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                            "a list of communes holds at most %d codes", CTG_TERRITORY_MAX);
        if (!t->communes && !(t->communes = malloc(CTG_TERRITORY_MAX * sizeof *t->communes)))
            return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        memcpy(t->communes[t->ncommunes++], code, CTG_CODE_MAX);
        p += n;
        if (*p == ',')
            p++;
    }
    if (!t->ncommunes)
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0, "'communes:' needs at least one code");
    return CTG_OK;
}

ctg_status ctg_territory_parse(const char *spec, ctg_territory *t, ctg_error *err)
{
    memset(t, 0, sizeof *t);
    static const char EXPECTED[] = "a territory is LEVEL:CODE (commune:31488, epci:200066124, "
                                   "dep:81, reg:76), fr, or communes:CODE,CODE,...";
    if (!strcmp(spec, "fr") || !strcmp(spec, "fr:FR") || !strcmp(spec, "FR") ||
        !strcmp(spec, "fr:fr")) {
        t->level = CTG_LEVEL_FR;
        strcpy(t->code, "FR");
        return CTG_OK;
    }
    const char *colon = strchr(spec, ':');
    char level[16];
    if (!colon || (size_t)(colon - spec) >= sizeof level)
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0, "'%s': %s", spec, EXPECTED);
    memcpy(level, spec, (size_t)(colon - spec));
    level[colon - spec] = '\0';
    if (!strcmp(level, "communes")) {
        ctg_status st = parse_list(colon + 1, t, err);
        if (st != CTG_OK)
            ctg_territory_clear(t);
        return st;
    }
    t->level = ctg_level_parse(level);
    if (t->level == CTG_LEVEL_FR) {
        if (strcmp(colon + 1, "FR") && strcmp(colon + 1, "fr"))
            return ctg_fail(err, CTG_ERR_USAGE, NULL, 0, "'%s': %s", spec, EXPECTED);
        strcpy(t->code, "FR");
        return CTG_OK;
    }
    if ((t->level != CTG_LEVEL_COMMUNE && t->level != CTG_LEVEL_ARM &&
         t->level != CTG_LEVEL_EPCI && t->level != CTG_LEVEL_DEP && t->level != CTG_LEVEL_REG) ||
        !ctg_code_normalise(t->level, colon + 1, strlen(colon + 1), t->code))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0, "'%s': %s", spec, EXPECTED);
    if (t->level == CTG_LEVEL_COMMUNE && ctg_code_is_arm(t->code))
        t->level = CTG_LEVEL_ARM;
    return CTG_OK;
}

void ctg_territory_clear(ctg_territory *t)
{
    free(t->communes);
    t->communes = NULL;
    t->ncommunes = 0;
}

/* ------------------------------------------------------------------ open */

ctg_status ctg_results_open(ctg_warehouse *wh, const ctg_catalogue *cat, int geo_year,
                            ctg_results **out, ctg_error *err)
{
    *out = NULL;
    sqlite3_stmt *q = NULL;
    ctg_status st = ctg_wh_prepare(wh,
                                   geo_year ? "SELECT geo_year FROM indicator_year WHERE "
                                              "geo_year = ?1 LIMIT 1"
                                            : "SELECT max(geo_year) FROM indicator_year",
                                   &q, err);
    if (st != CTG_OK)
        return st;
    if (geo_year)
        sqlite3_bind_int(q, 1, geo_year);
    int rc = sqlite3_step(q);
    int found = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    sqlite3_finalize(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ctg_wh_fail(wh, rc, err, "reading the computed geography years");
    if (!found) {
        if (geo_year)
            return ctg_fail(err, CTG_ERR_NOINPUT, ctg_wh_path(wh), 0,
                            "no indicator computed on the geography of %d: run `ctgdiag "
                            "compute --geo-year %d` first",
                            geo_year, geo_year);
        return ctg_fail(err, CTG_ERR_NOINPUT, ctg_wh_path(wh), 0,
                        "no indicator computed: run `ctgdiag compute` first");
    }
    ctg_results *r = calloc(1, sizeof *r);
    if (!r)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    r->wh = wh;
    r->cat = cat;
    r->geo_year = found;
    snprintf(r->list_table, sizeof r->list_table, "ctg_list_%" PRIxPTR, (uintptr_t)r);
    *out = r;
    return CTG_OK;
}

void ctg_results_free(ctg_results *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < sizeof r->kept / sizeof r->kept[0]; i++) {
        sqlite3_finalize(r->kept[i].q);
        free(r->kept[i].sql);
    }
    if (r->list_created) {
        /* never fails the caller: the table goes with the connection anyway */
        char sql[96];
        snprintf(sql, sizeof sql, "DROP TABLE IF EXISTS temp.%s", r->list_table);
        sqlite3_exec(ctg_wh_db(r->wh), sql, NULL, NULL, NULL);
    }
    free(r->list);
    free(r->cache);
    for (size_t b = 0; b < MEMO_BUCKETS; b++)
        for (memo_entry *e = r->memo[b], *next; e; e = next) {
            next = e->next;
            free(e->vals);
            free(e);
        }
    free(r);
}

/* ------------------------------------------------------------------ memo */

static size_t memo_bucket(const char *key)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++)
        h = (h ^ *p) * 16777619u;
    return h % MEMO_BUCKETS;
}

/* Writes the key of a query into key[MEMO_KEY_MAX]; 0 (nothing to keep
 * or find) when it does not fit, so that two queries never share a key. */
static int memo_key(char key[MEMO_KEY_MAX], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int memo_key(char key[MEMO_KEY_MAX], const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(key, MEMO_KEY_MAX, fmt, ap);
    va_end(ap);
    return n > 0 && n < MEMO_KEY_MAX;
}

/* The answer kept for key, NULL when none. */
static const memo_entry *memo_find(const ctg_results *r, const char *key)
{
    for (const memo_entry *e = r->memo[memo_bucket(key)]; e; e = e->next)
        if (!strcmp(e->key, key))
            return e;
    return NULL;
}

/* Keeps a copy of n values (found or not) for key. Out of memory, or
 * beyond the budget, only means it is not kept. */
static void memo_keep(ctg_results *r, const char *key, const ctg_value *vals, size_t n,
                      int found)
{
    size_t klen = strlen(key) + 1, bytes = sizeof(memo_entry) + klen + n * sizeof *vals;
    if (r->memo_bytes + bytes > MEMO_BUDGET)
        return;
    memo_entry *e = malloc(sizeof *e + klen);
    if (!e)
        return;
    e->vals = n ? malloc(n * sizeof *vals) : NULL;
    if (n && !e->vals) {
        free(e);
        return;
    }
    if (n)
        memcpy(e->vals, vals, n * sizeof *vals);
    e->n = n;
    e->found = found;
    memcpy(e->key, key, klen);
    size_t b = memo_bucket(key);
    e->next = r->memo[b];
    r->memo[b] = e;
    r->memo_bytes += bytes;
}

int ctg_results_geo_year(const ctg_results *r)
{
    return r->geo_year;
}

/* ----------------------------------------------------------------- units */

static void copy_text(char *dst, size_t size, sqlite3_stmt *q, int col)
{
    const unsigned char *s = sqlite3_column_text(q, col);
    snprintf(dst, size, "%s", s ? (const char *)s : "");
}

ctg_status ctg_results_unit(ctg_results *r, ctg_level level, const char *code,
                            ctg_unit_info *out, int *found, ctg_error *err)
{
    memset(out, 0, sizeof *out);
    *found = 0;
    sqlite3_stmt *q = NULL;
    ctg_status st = statement(r,
                                   "SELECT name, epci, dep, reg FROM geo_unit WHERE "
                                   "geo_year = ?1 AND level = ?2 AND code = ?3",
                                   &q, err);
    if (st != CTG_OK)
        return st;
    sqlite3_bind_int(q, 1, r->geo_year);
    sqlite3_bind_text(q, 2, ctg_level_name(level), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *found = 1;
        out->level = level;
        snprintf(out->code, sizeof out->code, "%s", code);
        copy_text(out->name, sizeof out->name, q, 0);
        copy_text(out->epci, sizeof out->epci, q, 1);
        copy_text(out->dep, sizeof out->dep, q, 2);
        copy_text(out->reg, sizeof out->reg, q, 3);
    } else if (rc != SQLITE_DONE) {
        st = ctg_wh_fail(r->wh, rc, err, "reading the geography");
    }
    statement_done(q);
    return st;
}

/* ----------------------------------------------------------------- years */

ctg_status ctg_results_years(ctg_results *r, const char *indicator, char **years, size_t *n,
                             ctg_error *err)
{
    *years = NULL;
    *n = 0;
    sqlite3_stmt *q = NULL;
    ctg_buf list = CTG_BUF_INIT;
    ctg_status st = statement(r,
                                   "SELECT year FROM indicator_year WHERE geo_year = ?1 AND "
                                   "indicator = ?2",
                                   &q, err);
    if (st != CTG_OK)
        return st;
    sqlite3_bind_int(q, 1, r->geo_year);
    sqlite3_bind_text(q, 2, indicator, -1, SQLITE_STATIC);
    /* few years: collect, then sort by period key (insertion) */
    char (*ys)[16] = NULL;
    size_t count = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            char(*grown)[16] = realloc(ys, ncap * sizeof *ys);
            if (!grown) {
                st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
                goto cleanup;
            }
            ys = grown;
            cap = ncap;
        }
        copy_text(ys[count], 16, q, 0);
        size_t i = count++;
        while (i > 0 && ctg_period_key(ys[i - 1]) > ctg_period_key(ys[i])) {
            char tmp[16];
            memcpy(tmp, ys[i - 1], 16);
            memcpy(ys[i - 1], ys[i], 16);
            memcpy(ys[i], tmp, 16);
            i--;
        }
    }
    if (rc != SQLITE_DONE) {
        st = ctg_wh_fail(r->wh, rc, err, "reading the years of an indicator");
        goto cleanup;
    }
    for (size_t i = 0; i < count; i++)
        ctg_buf_append(&list, ys[i], strlen(ys[i]) + 1);
    if (count && !list.data) {
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        goto cleanup;
    }
    *years = list.data;
    list.data = NULL;
    *n = count;
cleanup:
    free(ys);
    ctg_buf_free(&list);
    statement_done(q);
    return st;
}

ctg_status ctg_results_latest_year(ctg_results *r, const char *indicator, char year[16],
                                   ctg_error *err)
{
    char *years = NULL;
    size_t n = 0;
    year[0] = '\0';
    ctg_status st = ctg_results_years(r, indicator, &years, &n, err);
    const char *p = years;
    for (size_t i = 0; st == CTG_OK && i < n; i++, p += strlen(p) + 1)
        if (i == n - 1)
            snprintf(year, 16, "%s", p);
    free(years);
    return st;
}

/* The alternative of the catalogue that gave indicator's values for year
 * into *src, NULL when none (an indicator not in the catalogue, or not
 * computed that year); the indicator into *ind (NULL when not in the
 * catalogue). A failure to read the warehouse is an error (CTG_ERR_DB...). */
static ctg_status source_for(ctg_results *r, const char *indicator, const char *year,
                             const ctg_indicator **ind_out, const ctg_source **src,
                             ctg_error *err)
{
    const ctg_indicator *ind = ctg_catalogue_find(r->cat, indicator);
    *ind_out = ind;
    *src = NULL;
    if (!ind)
        return CTG_OK;
    sqlite3_stmt *q = NULL;
    ctg_status st = statement(r,
                                   "SELECT source_rank FROM indicator_year WHERE geo_year = ?1 "
                                   "AND indicator = ?2 AND year = ?3",
                                   &q, err);
    if (st != CTG_OK)
        return st;
    sqlite3_bind_int(q, 1, r->geo_year);
    sqlite3_bind_text(q, 2, indicator, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, year, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    int rank = rc == SQLITE_ROW ? sqlite3_column_int(q, 0) : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = ctg_wh_fail(r->wh, rc, err, "reading the source of an indicator");
    statement_done(q);
    if (st != CTG_OK)
        return st;
    for (size_t a = 0; a < ind->nalts; a++)
        if (ind->alts[a].rank == rank) {
            *src = &ind->alts[a];
            break;
        }
    return CTG_OK;
}

/* source_for for the functions that answer without a ctg_status (their
 * results.h fallback on a failure to read the warehouse, as when none). */
static const ctg_source *source_or_none(ctg_results *r, const char *indicator, const char *year,
                                        const ctg_indicator **ind)
{
    const ctg_source *src = NULL;
    if (source_for(r, indicator, year, ind, &src, NULL) != CTG_OK)
        return NULL;
    return src;
}

ctg_aggregation ctg_results_aggregation(ctg_results *r, const char *indicator, const char *year)
{
    const ctg_indicator *ind = NULL;
    const ctg_source *src = source_or_none(r, indicator, year, &ind);
    return src ? src->agg : CTG_AGG_SUM;
}

ctg_status ctg_results_check_territory(ctg_results *r, const ctg_territory *t, ctg_error *err)
{
    if (t->level == CTG_LEVEL_FR)
        return CTG_OK;
    ctg_unit_info u;
    int found = 0;
    for (size_t i = 0; i < (t->level == CTG_LEVEL_NONE ? t->ncommunes : 1); i++) {
        ctg_level level = t->level == CTG_LEVEL_NONE ? CTG_LEVEL_COMMUNE : t->level;
        const char *code = t->level == CTG_LEVEL_NONE ? t->communes[i] : t->code;
        ctg_status st = ctg_results_unit(r, level, code, &u, &found, err);
        if (st != CTG_OK)
            return st;
        if (!found)
            return ctg_fail(err, CTG_ERR_USAGE, NULL, 0, "no %s %s in the geography of %d",
                            ctg_level_name(level), code, r->geo_year);
    }
    return CTG_OK;
}

int ctg_results_source_rank(ctg_results *r, const char *indicator, const char *year)
{
    const ctg_indicator *ind = NULL;
    const ctg_source *src = source_or_none(r, indicator, year, &ind);
    return src ? src->rank : 0;
}

int ctg_results_is_share(ctg_results *r, const char *indicator, const char *year)
{
    const ctg_indicator *ind = NULL;
    const ctg_source *src = source_or_none(r, indicator, year, &ind);
    return src && src->agg == CTG_AGG_RATIO && ind->scale == 100 && !strcmp(ind->unit, "%");
}

/* ---------------------------------------------------------------- values */

#define VALUE_COLUMNS "v.level, v.code, u.name, v.year, v.value, v.status, v.coverage, " \
                      "v.flags, v.inputs, v.low, v.high"

static void read_value(sqlite3_stmt *q, ctg_value *v)
{
    memset(v, 0, sizeof *v);
    char level[16];
    copy_text(level, sizeof level, q, 0);
    v->level = ctg_level_parse(level);
    copy_text(v->code, sizeof v->code, q, 1);
    copy_text(v->name, sizeof v->name, q, 2);
    copy_text(v->year, sizeof v->year, q, 3);
    v->value = sqlite3_column_type(q, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 4);
    copy_text(v->status, sizeof v->status, q, 5);
    v->coverage = sqlite3_column_type(q, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 6);
    copy_text(v->flags, sizeof v->flags, q, 7);
    v->low = sqlite3_column_type(q, 9) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 9);
    v->high = sqlite3_column_type(q, 10) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 10);
    int bytes = sqlite3_column_bytes(q, 8);
    const void *blob = sqlite3_column_blob(q, 8);
    if (blob && bytes > 0 && (size_t)bytes <= sizeof v->in && bytes % sizeof(double) == 0) {
        memcpy(v->in, blob, (size_t)bytes);
        v->nin = bytes / (int)sizeof(double);
    }
}

/* The codes of the list bound as ?3 ("C1,C2,..."), one row each (column c):
 * split once per run of the statement, SQLite keeping the result of an
 * uncorrelated IN (...) in an index that drives the lookups of the units,
 * where a test of each unit against the whole string cost a scan of the
 * indicator's values and the string for each. */
#define LIST_SPLIT                                                                               \
    "WITH RECURSIVE ctg_split(c, rest) AS (SELECT NULL, ?3 || ',' UNION ALL "                    \
    "SELECT substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) "          \
    "FROM ctg_split WHERE rest <> '') SELECT c FROM ctg_split WHERE c IS NOT NULL"

const char *ctg_territory_condition(ctg_level level)
{
    switch (level) {
    case CTG_LEVEL_NONE:
        return "u.code IN (" LIST_SPLIT ")";
    case CTG_LEVEL_COMMUNE:
    case CTG_LEVEL_ARM:
        return "(u.code = ?3 OR u.commune = ?3)";
    case CTG_LEVEL_EPCI:
        return "(u.epci = ?3 OR (u.level = 'epci' AND u.code = ?3))";
    case CTG_LEVEL_DEP:
        return "(u.dep = ?3 OR (u.level = 'dep' AND u.code = ?3) OR (u.level = 'epci' AND EXISTS "
               "(SELECT 1 FROM geo_unit c WHERE c.geo_year = u.geo_year AND c.level = 'commune' "
               "AND c.epci = u.code AND c.dep = ?3)))";
    case CTG_LEVEL_REG:
        return "(u.reg = ?3 OR (u.level = 'reg' AND u.code = ?3) OR (u.level = 'epci' AND EXISTS "
               "(SELECT 1 FROM geo_unit c WHERE c.geo_year = u.geo_year AND c.level = 'commune' "
               "AND c.epci = u.code AND c.reg = ?3)) OR (u.level = 'dep' AND EXISTS "
               "(SELECT 1 FROM geo_unit c WHERE c.geo_year = u.geo_year AND c.level = 'commune' "
               "AND c.dep = u.code AND c.reg = ?3)))";
    default:
        return "1";
    }
}

void ctg_territory_bind(sqlite3_stmt *q, int index, const ctg_territory *t)
{
    if (t->level != CTG_LEVEL_NONE) {
        sqlite3_bind_text(q, index, t->code, -1, SQLITE_TRANSIENT);
        return;
    }
    ctg_buf list = CTG_BUF_INIT;
    for (size_t i = 0; i < t->ncommunes; i++)
        ctg_buf_printf(&list, "%s%s", i ? "," : "", t->communes[i]);
    sqlite3_bind_text(q, index, ctg_buf_str(&list), -1, SQLITE_TRANSIENT);
    ctg_buf_free(&list);
}

/* Loads the list of territory t (level NONE) into the handle's TEMP table,
 * unless it holds it already. A code given twice is held once. */
static ctg_status load_list(ctg_results *r, const ctg_territory *t, ctg_error *err)
{
    if (r->nlist && r->nlist == t->ncommunes) {
        size_t i = 0;
        while (i < t->ncommunes && !strcmp(r->list[i], t->communes[i]))
            i++;
        if (i == t->ncommunes)
            return CTG_OK;
    }
    r->nlist = 0; /* until the table holds t's list */
    r->ncache = 0;
    if (t->ncommunes > r->list_cap) {
        char(*grown)[CTG_CODE_MAX] = realloc(r->list, t->ncommunes * sizeof *r->list);
        if (!grown)
            return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        r->list = grown;
        r->list_cap = t->ncommunes;
    }
    char sql[160];
    ctg_status st = CTG_OK;
    if (!r->list_created) {
        snprintf(sql, sizeof sql,
                 "CREATE TEMP TABLE IF NOT EXISTS %s (code TEXT PRIMARY KEY) WITHOUT ROWID",
                 r->list_table);
        st = ctg_wh_exec(r->wh, sql, err);
        if (st != CTG_OK)
            return st;
        r->list_created = 1;
    }
    snprintf(sql, sizeof sql, "DELETE FROM temp.%s", r->list_table);
    st = ctg_wh_exec(r->wh, sql, err);
    if (st != CTG_OK)
        return st;
    /* one statement, so that the table never holds part of the list */
    snprintf(sql, sizeof sql, "INSERT OR IGNORE INTO temp.%s (code) ", r->list_table);
    ctg_buf ins = CTG_BUF_INIT;
    ctg_buf_puts(&ins, sql);
    ctg_buf_puts(&ins, LIST_SPLIT);
    sqlite3_stmt *q = NULL;
    st = ctg_wh_prepare(r->wh, ctg_buf_str(&ins), &q, err);
    ctg_buf_free(&ins);
    if (st != CTG_OK)
        return st;
    ctg_territory_bind(q, 3, t);
    int rc = sqlite3_step(q);
    if (rc != SQLITE_DONE)
        st = ctg_wh_fail(r->wh, rc, err, "loading a list of communes");
    sqlite3_finalize(q);
    if (st != CTG_OK)
        return st;
    for (size_t i = 0; i < t->ncommunes; i++)
        snprintf(r->list[i], CTG_CODE_MAX, "%s", t->communes[i]);
    r->nlist = t->ncommunes;
    return CTG_OK;
}

/* The condition for the units of `member` level inside a territory of
 * level `tl`: without the territory itself when the levels differ, so that
 * SQLite drives the query from the indexes of geo_unit (an EPCI's
 * communes, a commune's IRIS) instead of every value of the indicator; for
 * a list, a join on the handle's TEMP table (load_list), into buf. */
static const char *members_condition(const ctg_results *r, ctg_level tl, ctg_level member,
                                     char *buf, size_t size)
{
    if (tl == CTG_LEVEL_NONE) {
        snprintf(buf, size, "u.code IN (SELECT code FROM temp.%s)", r->list_table);
        return buf;
    }
    if (tl == CTG_LEVEL_EPCI && member != CTG_LEVEL_EPCI)
        return "u.epci = ?3";
    if ((tl == CTG_LEVEL_COMMUNE || tl == CTG_LEVEL_ARM) &&
        (member == CTG_LEVEL_IRIS || member == CTG_LEVEL_ARM))
        return "u.commune = ?3";
    return ctg_territory_condition(tl);
}

ctg_status ctg_results_members(ctg_results *r, const char *indicator, const char *year,
                               ctg_level level, const ctg_territory *t, ctg_value **vals,
                               size_t *n, ctg_error *err)
{
    *vals = NULL;
    *n = 0;
    ctg_buf sql = CTG_BUF_INIT;
    sqlite3_stmt *q = NULL;
    ctg_value *out = NULL;
    size_t count = 0, cap = 0;
    char cond[96], key[MEMO_KEY_MAX] = "";
    /* a list's table is refilled: its members are not kept */
    if (t->level != CTG_LEVEL_NONE &&
        memo_key(key, "m\x1f%s\x1f%s\x1f%d\x1f%d\x1f%s", indicator, year, (int)level,
                 (int)t->level, t->code)) {
        const memo_entry *e = memo_find(r, key);
        if (e) {
            if (e->n && !(*vals = malloc(e->n * sizeof **vals)))
                return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
            if (e->n)
                memcpy(*vals, e->vals, e->n * sizeof **vals);
            *n = e->n;
            return CTG_OK;
        }
    }
    ctg_status st = t->level == CTG_LEVEL_NONE ? load_list(r, t, err) : CTG_OK;
    if (st != CTG_OK)
        return st;
    ctg_buf_printf(&sql,
                   "SELECT " VALUE_COLUMNS " FROM indicator_value v JOIN geo_unit u ON "
                   "u.geo_year = v.geo_year AND u.level = v.level AND u.code = v.code "
                   "WHERE v.geo_year = ?1 AND v.indicator = ?2 AND v.year = ?4 AND "
                   "v.level = ?5 AND %s ORDER BY v.code",
                   members_condition(r, t->level, level, cond, sizeof cond));
    st = statement(r, ctg_buf_str(&sql), &q, err);
    if (st != CTG_OK)
        goto cleanup;
    sqlite3_bind_int(q, 1, r->geo_year);
    sqlite3_bind_text(q, 2, indicator, -1, SQLITE_STATIC);
    if (t->level != CTG_LEVEL_NONE)
        ctg_territory_bind(q, 3, t);
    sqlite3_bind_text(q, 4, year, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, ctg_level_name(level), -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        if (count == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            ctg_value *grown = realloc(out, ncap * sizeof *out);
            if (!grown) {
                st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
                goto cleanup;
            }
            out = grown;
            cap = ncap;
        }
        read_value(q, &out[count++]);
    }
    if (rc != SQLITE_DONE) {
        st = ctg_wh_fail(r->wh, rc, err, "reading indicator values");
        goto cleanup;
    }
    if (key[0])
        memo_keep(r, key, out, count, 1);
    *vals = out;
    *n = count;
    out = NULL;
cleanup:
    free(out);
    statement_done(q);
    ctg_buf_free(&sql);
    return st;
}

/* ------------------------------------------------- a list of communes */

/* The population weights of coverage for year: pop_total of the communes at
 * the latest year it has not after `year`, else its earliest (as compute
 * does); NULL when pop_total was never computed (every commune weighs 1). */
static ctg_status coverage_year(ctg_results *r, const char *year, char out[16], ctg_error *err)
{
    char *years = NULL;
    size_t n = 0;
    out[0] = '\0';
    ctg_status st = ctg_results_years(r, "pop_total", &years, &n, err);
    const char *p = years, *best = NULL;
    int key = ctg_period_key(year);
    for (size_t i = 0; st == CTG_OK && i < n; i++, p += strlen(p) + 1)
        if (!best || ctg_period_key(p) <= key)
            best = p; /* sorted: the last not after, else the first */
    if (best)
        snprintf(out, 16, "%s", best);
    free(years);
    return st;
}

static int has_flag(const char *flags, const char *flag)
{
    size_t n = strlen(flag);
    for (const char *p = flags; (p = strstr(p, flag)) != NULL; p += n)
        if ((p == flags || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

static int sum_has_census(const ctg_sum *s)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strncmp(s->terms[i].family, "census_", 7))
            return 1;
    return 0;
}

/* Status and flags of an aggregated list, as compute writes them for a
 * group (engine.c, value_status). */
static void list_status(const ctg_indicator *ind, const ctg_source *src, int known, int secret,
                        int rounded, int approx_member, int computable, ctg_value *v)
{
    int approx = src->approx || src->agg == CTG_AGG_PUBLISHED || approx_member;
    const char *status;
    if (!known)
        status = secret ? "secret" : "missing";
    else if (!computable)
        status = "missing";
    else if (v->coverage < 1 - 1e-12)
        status = "partial";
    else if (approx)
        status = "approx";
    else if (rounded)
        status = "rounded";
    else
        status = "ok";
    snprintf(v->status, sizeof v->status, "%s", status);
    v->flags[0] = '\0';
    if (strcmp(status, "secret") && strcmp(status, "missing")) {
        ctg_buf f = CTG_BUF_INIT;
        if (approx && strcmp(status, "approx"))
            ctg_buf_puts(&f, ",approx");
        if (rounded && strcmp(status, "rounded") && strcmp(status, "approx"))
            ctg_buf_puts(&f, ",rounded");
        if (src->agg != CTG_AGG_POINT_MORT && src->agg != CTG_AGG_PUBLISHED &&
            src->agg != CTG_AGG_GROWTH_NATURAL && src->agg != CTG_AGG_GROWTH_MIGRATION &&
            ((sum_has_census(&src->num) && v->in[0] < 200) ||
             (src->den.n && sum_has_census(&src->den) && v->in[1] < 200)))
            ctg_buf_puts(&f, ",caution");
        if (src->agg == CTG_AGG_RATIO && ind->scale == 100 && v->in[1] < 30)
            ctg_buf_puts(&f, ",small");
        if (f.len)
            snprintf(v->flags, sizeof v->flags, "%s", ctg_buf_str(&f) + 1);
        ctg_buf_free(&f);
    }
    if (!strcmp(v->status, "secret") || !strcmp(v->status, "missing"))
        v->value = NAN;
}

static ctg_status aggregate_list(ctg_results *r, const char *indicator, const char *year,
                                 const ctg_territory *t, ctg_value *out, int *found,
                                 ctg_error *err)
{
    const ctg_indicator *ind = NULL;
    const ctg_source *src = NULL;
    ctg_value *members = NULL, *pops = NULL;
    size_t n = 0, npops = 0;
    *found = 0;
    ctg_status st = source_for(r, indicator, year, &ind, &src, err);
    if (st != CTG_OK || !src)
        return st;
    st = ctg_results_members(r, indicator, year, CTG_LEVEL_COMMUNE, t, &members, &n, err);
    char pop_year[16] = "";
    if (st == CTG_OK)
        st = coverage_year(r, year, pop_year, err);
    if (st == CTG_OK && pop_year[0])
        st = ctg_results_members(r, "pop_total", pop_year, CTG_LEVEL_COMMUNE, t, &pops, &npops,
                                 err);
    if (st != CTG_OK || n == 0)
        goto cleanup;
    memset(out, 0, sizeof *out);
    out->low = out->high = NAN;
    out->level = CTG_LEVEL_NONE;
    snprintf(out->year, sizeof out->year, "%s", year);
    int nsums = ctg_formula_inputs(src);
    double pop_all = 0, pop_known = 0;
    int known = 0, secret = 0, rounded = 0, approx = 0;
    size_t ip = 0; /* both lists are in code order (SQLite's, that of strcmp) */
    for (size_t i = 0; i < n; i++) {
        const ctg_value *m = &members[i];
        double p = 1;
        while (ip < npops && strcmp(pops[ip].code, m->code) < 0)
            ip++;
        if (ip < npops && !strcmp(pops[ip].code, m->code) && pops[ip].value > 0)
            p = pops[ip].value;
        pop_all += p;
        /* a commune counts when its inputs are known (compute stores its
         * sums then), even if its own value is not computable (0 / 0) */
        if (!strcmp(m->status, "secret")) {
            secret++;
        } else if (m->nin >= nsums) {
            for (int k = 0; k < nsums; k++)
                out->in[k] += m->in[k];
            pop_known += p * (isnan(m->coverage) ? 1 : m->coverage);
            known++;
            rounded |= !strcmp(m->status, "rounded") || has_flag(m->flags, "rounded");
            approx |= !strcmp(m->status, "approx") || has_flag(m->flags, "approx");
        }
    }
    out->nin = nsums;
    out->coverage = pop_all > 0 ? pop_known / pop_all : 0;
    double value = NAN;
    int computable = known && ctg_formula_value(ind, src, out->in, &value);
    out->value = value;
    list_status(ind, src, known, secret, rounded, approx, computable, out);
    *found = 1;
cleanup:
    free(members);
    free(pops);
    return st;
}

/* aggregate_list through the handle's cache of the values of its list. */
static ctg_status list_value(ctg_results *r, const char *indicator, const char *year,
                             const ctg_territory *t, ctg_value *out, int *found, ctg_error *err)
{
    ctg_status st = load_list(r, t, err); /* empties the cache when t is another list */
    if (st != CTG_OK)
        return st;
    int keyed = strlen(indicator) < CTG_NAME_MAX && strlen(year) < 16;
    for (size_t i = 0; keyed && i < r->ncache; i++)
        if (!strcmp(r->cache[i].indicator, indicator) && !strcmp(r->cache[i].year, year)) {
            if (r->cache[i].found)
                *out = r->cache[i].v;
            *found = r->cache[i].found;
            return CTG_OK;
        }
    st = aggregate_list(r, indicator, year, t, out, found, err);
    if (st != CTG_OK || !keyed)
        return st;
    if (r->ncache == r->cache_cap) {
        size_t ncap = r->cache_cap ? r->cache_cap * 2 : 64;
        struct list_value *grown = realloc(r->cache, ncap * sizeof *grown);
        if (!grown)
            return CTG_OK; /* not kept: computed again when asked again */
        r->cache = grown;
        r->cache_cap = ncap;
    }
    struct list_value *e = &r->cache[r->ncache++];
    snprintf(e->indicator, sizeof e->indicator, "%s", indicator);
    snprintf(e->year, sizeof e->year, "%s", year);
    e->found = *found;
    e->v = *out;
    return CTG_OK;
}

ctg_status ctg_results_value(ctg_results *r, const char *indicator, const char *year,
                             const ctg_territory *t, ctg_value *out, int *found,
                             ctg_error *err)
{
    memset(out, 0, sizeof *out);
    out->value = out->coverage = out->low = out->high = NAN;
    *found = 0;
    if (t->level == CTG_LEVEL_NONE)
        return list_value(r, indicator, year, t, out, found, err);
    char key[MEMO_KEY_MAX];
    int keyed = memo_key(key, "v\x1f%s\x1f%s\x1f%d\x1f%s", indicator, year, (int)t->level,
                         t->code);
    const memo_entry *e = keyed ? memo_find(r, key) : NULL;
    if (e) {
        if (e->found)
            *out = e->vals[0];
        *found = e->found;
        return CTG_OK;
    }
    sqlite3_stmt *q = NULL;
    ctg_status st = statement(r,
                                   "SELECT " VALUE_COLUMNS " FROM indicator_value v JOIN "
                                   "geo_unit u ON u.geo_year = v.geo_year AND u.level = "
                                   "v.level AND u.code = v.code WHERE v.geo_year = ?1 AND "
                                   "v.indicator = ?2 AND v.year = ?3 AND v.level = ?4 AND "
                                   "v.code = ?5",
                                   &q, err);
    if (st != CTG_OK)
        return st;
    sqlite3_bind_int(q, 1, r->geo_year);
    sqlite3_bind_text(q, 2, indicator, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, year, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 4, ctg_level_name(t->level), -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 5, t->code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        read_value(q, out);
        *found = 1;
    } else if (rc != SQLITE_DONE) {
        st = ctg_wh_fail(r->wh, rc, err, "reading an indicator value");
    }
    statement_done(q);
    if (st == CTG_OK && keyed)
        memo_keep(r, key, out, *found ? 1 : 0, *found);
    return st;
}

/* ---------------------------------------------------------------- display */

int ctg_unit_decimals(const char *unit)
{
    static const struct {
        const char *unit;
        int decimals;
    } UNITS[] = {{"%", 1},           {"‰", 1},      {"% par an", 2},
                 {"indice", 1},      {"personnes par ménage", 2},
                 {"habitants par km²", 1}, {"logements par an", 1}};
    for (size_t i = 0; i < sizeof UNITS / sizeof UNITS[0]; i++)
        if (!strcmp(unit, UNITS[i].unit))
            return UNITS[i].decimals;
    return 0;
}

void ctg_value_display(const ctg_value *v, const char *unit, char *buf, size_t size)
{
    if (!strcmp(v->status, "secret") || !strcmp(v->status, "missing") || isnan(v->value)) {
        snprintf(buf, size, "%s", !strcmp(v->status, "secret") ? "secret" : "n.d.");
        return;
    }
    char number[64];
    ctg_format_fr(v->value, ctg_unit_decimals(unit), number, sizeof number);
    int approx = !strcmp(v->status, "approx") || has_flag(v->flags, "approx");
    int partial = !strcmp(v->status, "partial");
    int weak = has_flag(v->flags, "caution") || has_flag(v->flags, "small");
    snprintf(buf, size, "%s%s%s%s", approx ? "~" : "", number, partial ? "*" : "",
             weak ? "!" : "");
}

const char *ctg_unit_space(const char *unit)
{
    if (!unit[0])
        return "";
    return unit[0] == '%' || !strncmp(unit, "\xE2\x80\xB0", 3) ? CTG_NNBSP : "\xC2\xA0";
}

void ctg_value_display_unit(const ctg_value *v, int found, const char *unit, char *buf,
                            size_t size)
{
    char number[96];
    if (!found) {
        snprintf(buf, size, "n.d.");
        return;
    }
    ctg_value_display(v, unit, number, sizeof number);
    int figure = !isnan(v->value) && strcmp(v->status, "secret") && strcmp(v->status, "missing");
    snprintf(buf, size, "%s%s%s", number, figure ? ctg_unit_space(unit) : "", figure ? unit : "");
}

/* ------------------------------------------------------------- evolution */

/* The first term whose periods give an alternative's years. */
static const ctg_term *main_term_of(const ctg_source *src)
{
    if (src->agg == CTG_AGG_POINT_MORT)
        return src->pm[CTG_PM_LOG].n ? &src->pm[CTG_PM_LOG].terms[0] : NULL;
    if (src->agg == CTG_AGG_GROWTH_NATURAL || src->agg == CTG_AGG_GROWTH_MIGRATION)
        return src->gs[CTG_GS_END].n ? &src->gs[CTG_GS_END].terms[0] : NULL;
    return src->num.n ? &src->num.terms[0] : NULL;
}

/* A year label as a number of years ("2021-06" is 2021.5). */
static double year_number(const char *year)
{
    double y = atof(year);
    if (strlen(year) == 7 && year[4] == '-')
        y += (atoi(year + 5) - 1) / 12.0;
    return y;
}

ctg_status ctg_results_evolution(ctg_results *r, const char *indicator, const char *year,
                                 const ctg_territory *t, ctg_evolution *ev, ctg_error *err)
{
    memset(ev, 0, sizeof *ev);
    ev->previous_value = NAN;
    ev->trend.slope = ev->trend.se = ev->trend.t = ev->trend.p = ev->trend.intercept = NAN;
    const ctg_indicator *ind = NULL;
    const ctg_source *src = NULL;
    ctg_status st = source_for(r, indicator, year, &ind, &src, err);
    const ctg_term *main = src ? main_term_of(src) : NULL;
    if (st != CTG_OK || !main)
        return st;
    ev->census = !strncmp(main->family, "census_", 7);
    char *years = NULL;
    size_t n = 0;
    double *x = NULL, *y = NULL;
    st = ctg_results_years(r, indicator, &years, &n, err);
    if (st == CTG_OK && n && (!(x = malloc(n * sizeof *x)) || !(y = malloc(n * sizeof *y))))
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    int key = ctg_period_key(year);
    const char *p = years;
    for (size_t i = 0; st == CTG_OK && i < n; i++, p += strlen(p) + 1) {
        int k = ctg_period_key(p);
        if (k > key)
            continue;
        const ctg_indicator *unused;
        const ctg_source *other = NULL;
        st = source_for(r, indicator, p, &unused, &other, err);
        if (st != CTG_OK)
            break;
        if (other != src)
            continue;
        if (strlen(p) != strlen(year)) /* a month beside years: another series */
            continue;
        ctg_value v;
        int found = 0;
        st = ctg_results_value(r, indicator, p, t, &v, &found, err);
        if (st != CTG_OK || !found || isnan(v.value))
            continue;
        if (ev->census) {
            if (k == key - 500) {
                snprintf(ev->previous, sizeof ev->previous, "%s", p);
                ev->previous_value = v.value;
            }
            continue;
        }
        if (k < key) { /* sorted: the last one before `year` */
            snprintf(ev->previous, sizeof ev->previous, "%s", p);
            ev->previous_value = v.value;
        }
        if (!ev->n)
            snprintf(ev->first, sizeof ev->first, "%s", p);
        x[ev->n] = year_number(p);
        y[ev->n] = v.value;
        ev->n++;
    }
    if (st == CTG_OK && !ev->census)
        st = ctg_trend_fit(x, y, ev->n, &ev->trend, err);
    free(x);
    free(y);
    free(years);
    return st;
}
