/* state.c - what each indicator was computed from (its fingerprint), and
 * the changes a recompute makes (compute.h, "Incremental compute"). */
#include "compute/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/sha256.h"

#ifndef CTG_VERSION
#define CTG_VERSION "0"
#endif

/* The digest of the files of one family: name, content, vintage and the
 * definition they were read with, in a stable order. */
typedef struct family_digest {
    char family[CTG_NAME_MAX];
    char hex[CTG_SHA256_HEX_LEN + 1];
} family_digest;

struct ctg_state {
    family_digest *fams;      /* sorted by family */
    size_t nfams;
    char geo[CTG_SHA256_HEX_LEN + 1];   /* every file that is not observations */
    int geo_year;
};

static void add_str(ctg_sha256 *h, const char *s)
{
    ctg_sha256_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static void add_int(ctg_sha256 *h, long long v)
{
    char b[32];
    snprintf(b, sizeof b, "%lld", v);
    add_str(h, b);
}

static void add_double(ctg_sha256 *h, double v)
{
    char b[40];
    snprintf(b, sizeof b, "%.17g", v);
    add_str(h, b);
}

static void add_sum(ctg_sha256 *h, const ctg_sum *s)
{
    add_int(h, (long long)s->n);
    for (size_t i = 0; i < s->n; i++) {
        add_str(h, s->terms[i].family);
        add_str(h, s->terms[i].variable);
        add_int(h, s->terms[i].from);
        add_int(h, s->terms[i].to);
        add_int(h, s->terms[i].span);
    }
}

/* Everything the catalogue says of an indicator. */
static void add_indicator(ctg_sha256 *h, const ctg_indicator *ind)
{
    add_str(h, ind->id);
    add_str(h, ind->label);
    add_str(h, ind->unit);
    add_str(h, ind->axis);
    add_str(h, ind->definition);
    add_double(h, ind->scale);
    for (size_t a = 0; a < ind->nalts; a++) {
        const ctg_source *s = &ind->alts[a];
        add_int(h, s->rank);
        add_int(h, s->agg);
        add_int(h, s->years);
        add_int(h, s->approx);
        add_int(h, s->pm_part);
        add_str(h, s->definition);
        const ctg_sum *sums[CTG_SOURCE_SUMS];
        ctg_source_sums(s, sums);
        for (int k = 0; k < CTG_SOURCE_SUMS; k++)
            add_sum(h, sums[k]);
    }
}

/* Reads the digests of the loaded files, family by family. */
static ctg_status read_files(ctg_warehouse *wh, ctg_state *s, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status rc = ctg_wh_prepare(
        wh,
        "SELECT f.family, fam.target, f.name, f.sha256, f.vintage, f.family_sha256, "
        "f.geo_year, f.absent_zero FROM source_file f JOIN family fam ON fam.id = f.family "
        "ORDER BY f.family, f.vintage, f.name, f.sha256",
        &st, err);
    if (rc != CTG_OK)
        return rc;
    ctg_sha256 geo, fam;
    ctg_sha256_init(&geo);
    ctg_sha256_init(&fam);
    int open = 0, step;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const char *family = (const char *)sqlite3_column_text(st, 0);
        const char *target = (const char *)sqlite3_column_text(st, 1);
        if (!open || strcmp(s->fams[s->nfams - 1].family, family) != 0) {
            if (open)
                ctg_sha256_final_hex(&fam, s->fams[s->nfams - 1].hex);
            family_digest *d = realloc(s->fams, (s->nfams + 1) * sizeof *d);
            if (!d) {
                sqlite3_finalize(st);
                return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
            }
            s->fams = d;
            snprintf(d[s->nfams].family, sizeof d[s->nfams].family, "%s", family);
            s->nfams++;
            ctg_sha256_init(&fam);
            open = 1;
        }
        ctg_sha256 *h = strcmp(target, "observations") != 0 ? &geo : &fam;
        for (int c = 0; c < 8; c++)
            add_str(h, (const char *)sqlite3_column_text(st, c));
    }
    if (open)
        ctg_sha256_final_hex(&fam, s->fams[s->nfams - 1].hex);
    ctg_sha256_final_hex(&geo, s->geo);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ctg_wh_fail(wh, step, err, "reading the loaded files");
    return CTG_OK;
}

ctg_status ctg_state_open(ctg_warehouse *wh, int geo_year, ctg_state **out, ctg_error *err)
{
    *out = NULL;
    ctg_state *s = calloc(1, sizeof *s);
    if (!s)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    s->geo_year = geo_year;
    ctg_status st = read_files(wh, s, err);
    if (st != CTG_OK) {
        ctg_state_free(s);
        return st;
    }
    *out = s;
    return CTG_OK;
}

void ctg_state_free(ctg_state *s)
{
    if (!s)
        return;
    free(s->fams);
    free(s);
}

static const char *family_hex(const ctg_state *s, const char *family)
{
    for (size_t i = 0; i < s->nfams; i++)
        if (!strcmp(s->fams[i].family, family))
            return s->fams[i].hex;
    return "";
}

/* Adds the digests of the families a sum reads. */
static void add_sum_files(ctg_sha256 *h, const ctg_state *s, const ctg_sum *sum)
{
    for (size_t i = 0; i < sum->n; i++) {
        add_str(h, sum->terms[i].family);
        add_str(h, family_hex(s, sum->terms[i].family));
    }
}

static void add_files(ctg_sha256 *h, const ctg_state *s, const ctg_indicator *ind)
{
    for (size_t a = 0; a < ind->nalts; a++) {
        const ctg_sum *sums[CTG_SOURCE_SUMS];
        ctg_source_sums(&ind->alts[a], sums);
        for (int k = 0; k < CTG_SOURCE_SUMS; k++)
            add_sum_files(h, s, sums[k]);
    }
}

void ctg_state_fingerprint(const ctg_state *s, const ctg_catalogue *cat, const ctg_indicator *ind,
                           char hex[CTG_SHA256_HEX_LEN + 1])
{
    ctg_sha256 h;
    ctg_sha256_init(&h);
    add_str(&h, "ctgdiag " CTG_VERSION);
    add_int(&h, s->geo_year);
    add_str(&h, s->geo);
    add_indicator(&h, ind);
    add_files(&h, s, ind);
    /* the census that weighs groups and gives coverage */
    const ctg_indicator *pop = ctg_catalogue_find(cat, "pop_total");
    if (pop && pop != ind) {
        add_indicator(&h, pop);
        add_files(&h, s, pop);
    }
    ctg_sha256_final_hex(&h, hex);
}

ctg_status ctg_state_stored(ctg_warehouse *wh, int geo_year, const char *indicator,
                            char hex[CTG_SHA256_HEX_LEN + 1], ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    hex[0] = '\0';
    ctg_status rc = ctg_wh_prepare(
        wh, "SELECT fingerprint FROM indicator_state WHERE geo_year = ?1 AND indicator = ?2", &st,
        err);
    if (rc != CTG_OK)
        return rc;
    sqlite3_bind_int(st, 1, geo_year);
    sqlite3_bind_text(st, 2, indicator, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        snprintf(hex, CTG_SHA256_HEX_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        return ctg_wh_fail(wh, step, err, "reading indicator_state");
    return CTG_OK;
}

ctg_status ctg_state_store(ctg_warehouse *wh, int geo_year, const char *indicator,
                           const char *hex, long long run_id, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status rc = ctg_wh_prepare(wh,
                                   "INSERT OR REPLACE INTO indicator_state(geo_year, indicator, "
                                   "fingerprint, run_id) VALUES (?1, ?2, ?3, ?4)",
                                   &st, err);
    if (rc != CTG_OK)
        return rc;
    sqlite3_bind_int(st, 1, geo_year);
    sqlite3_bind_text(st, 2, indicator, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
    if (run_id)
        sqlite3_bind_int64(st, 4, run_id);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ctg_wh_fail(wh, step, err, "writing indicator_state");
    return CTG_OK;
}

/* ------------------------------------------------------------- changes */

/* Runs one statement with ?1 geo_year and ?2 indicator bound, then the
 * extra doubles/ints the caller gives through `bind`. */
static ctg_status exec_bound(ctg_warehouse *wh, const char *sql, int geo_year,
                             const char *indicator, const ctg_change_options *opt, int points,
                             ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status rc = ctg_wh_prepare(wh, sql, &st, err);
    if (rc != CTG_OK)
        return rc;
    sqlite3_bind_int(st, 1, geo_year);
    sqlite3_bind_text(st, 2, indicator, -1, SQLITE_STATIC);
    int n = sqlite3_bind_parameter_count(st);
    if (n >= 3) {
        if (opt->run_id)
            sqlite3_bind_int64(st, 3, opt->run_id);
        else
            sqlite3_bind_null(st, 3);
    }
    if (n >= 4)
        sqlite3_bind_int(st, 4, points);
    if (n >= 5)
        sqlite3_bind_double(st, 5, opt->threshold_points);
    if (n >= 6)
        sqlite3_bind_double(st, 6, opt->threshold_percent / 100.0);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ctg_wh_fail(wh, step, err, "recording changes");
    return CTG_OK;
}

ctg_status ctg_changes_before(ctg_warehouse *wh, int geo_year, const char *indicator,
                              ctg_error *err)
{
    static const ctg_change_options none = {0, 0, 0};
    ctg_status st = ctg_wh_exec(wh,
                                "CREATE TEMP TABLE IF NOT EXISTS prev_value ("
                                "indicator TEXT, year TEXT, level TEXT, code TEXT, value REAL, "
                                "status TEXT, PRIMARY KEY (indicator, year, level, code)) "
                                "WITHOUT ROWID",
                                err);
    if (st == CTG_OK)
        st = exec_bound(wh,
                        "INSERT OR REPLACE INTO temp.prev_value SELECT indicator, year, level, "
                        "code, value, status FROM main.indicator_value WHERE geo_year = ?1 AND "
                        "indicator = ?2",
                        geo_year, indicator, &none, 0, err);
    return st;
}

/* Whether an indicator's changes are measured in points (a rate or a
 * share: its unit starts with % or ‰) or relatively. */
static int in_points(const ctg_indicator *ind)
{
    return ind->unit && (ind->unit[0] == '%' || !strncmp(ind->unit, "\xE2\x80\xB0", 3));
}

ctg_status ctg_changes_after(ctg_warehouse *wh, int geo_year, const ctg_indicator *ind,
                             const ctg_change_options *opt, ctg_error *err)
{
    /* ?1 geo_year, ?2 indicator, ?3 run, ?4 1 for points, ?5 points, ?6 share */
    static const char *const SQL[] = {
        /* years that were not there */
        "INSERT INTO change(run_id, kind, family, indicator, year, units) "
        "SELECT ?3, 'year_new', '', ?2, v.year, count(*) FROM indicator_value v "
        "WHERE v.geo_year = ?1 AND v.indicator = ?2 AND NOT EXISTS (SELECT 1 FROM "
        "temp.prev_value p WHERE p.indicator = ?2 AND p.year = v.year) GROUP BY v.year",
        /* years that are gone */
        "INSERT INTO change(run_id, kind, family, indicator, year, units) "
        "SELECT ?3, 'year_removed', '', ?2, p.year, count(*) FROM temp.prev_value p "
        "WHERE p.indicator = ?2 AND NOT EXISTS (SELECT 1 FROM indicator_value v WHERE "
        "v.geo_year = ?1 AND v.indicator = ?2 AND v.year = p.year) GROUP BY p.year",
        /* values of a year present before and after: moved beyond the
         * threshold, status changed, or unit appeared */
        "INSERT INTO change(run_id, kind, family, indicator, year, level, code, old_value, "
        "new_value, old_status, new_status) "
        "SELECT ?3, 'value_changed', '', ?2, v.year, v.level, v.code, p.value, v.value, "
        "p.status, v.status FROM indicator_value v LEFT JOIN temp.prev_value p ON "
        "p.indicator = ?2 AND p.year = v.year AND p.level = v.level AND p.code = v.code "
        "WHERE v.geo_year = ?1 AND v.indicator = ?2 AND EXISTS (SELECT 1 FROM "
        "temp.prev_value q WHERE q.indicator = ?2 AND q.year = v.year) AND ("
        "p.status IS NULL OR p.status != v.status OR "
        "(p.value IS NULL) != (v.value IS NULL) OR "
        "(v.value IS NOT NULL AND p.value IS NOT NULL AND "
        " CASE WHEN ?4 THEN abs(v.value - p.value) >= ?5 - 1e-9 "
        "      WHEN p.value = 0 THEN v.value != 0 "
        "      ELSE abs(v.value - p.value) >= ?6 * abs(p.value) * (1 - 1e-12) END "
        " AND v.value != p.value))",
        /* units gone from a year that is still there */
        "INSERT INTO change(run_id, kind, family, indicator, year, level, code, old_value, "
        "old_status) SELECT ?3, 'value_changed', '', ?2, p.year, p.level, p.code, p.value, "
        "p.status FROM temp.prev_value p WHERE p.indicator = ?2 AND EXISTS (SELECT 1 FROM "
        "indicator_value w WHERE w.geo_year = ?1 AND w.indicator = ?2 AND w.year = p.year) AND "
        "NOT EXISTS (SELECT 1 FROM indicator_value v WHERE v.geo_year = ?1 AND v.indicator = ?2 "
        "AND v.year = p.year AND v.level = p.level AND v.code = p.code)",
        "DELETE FROM temp.prev_value WHERE indicator = ?2"};
    int points = in_points(ind);
    for (size_t i = 0; i < sizeof SQL / sizeof *SQL; i++) {
        ctg_status st = exec_bound(wh, SQL[i], geo_year, ind->id, opt, points, err);
        if (st != CTG_OK)
            return st;
    }
    return CTG_OK;
}
