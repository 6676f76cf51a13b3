/* test_results.c - compute/results.h on the samples, ingested and computed in
 * process, read back on a read-only connection: a territory given as a list
 * of communes aggregates to its EPCI whatever the order of the list, with an
 * unknown code passed over and a code given twice counted once (the parser
 * refuses a code twice; a territory built by hand may hold one); lists read
 * in turn by one handle and by two handles of one connection; a failure to
 * read the warehouse reaches the caller of a list's value; a unit's values
 * and members are answered as first read; a snapshot of the warehouse; the
 * periods of every variable listed from each file's facts as by SQL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compute/catalogue.h"
#include "compute/compute.h"
#include "compute/fetch.h"
#include "compute/geo.h"
#include "compute/results.h"
#include "core/error.h"
#include "core/warehouse.h"
#include "ingest/family.h"
#include "ingest/ingest.h"

#define EPCI "200066124" /* CA Gaillac-Graulhet: 59 communes of the Tarn */

static char g_db[512];
static ctg_catalogue *g_cat;

/* ------------------------------------------------------------ the samples */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int extract_name(const char *name)
{
    size_t n = strlen(name);
    return n > 4 && (!strcasecmp(name + n - 4, ".csv") || !strcasecmp(name + n - 4, ".txt"));
}

/* Ingests the extracts of a folder and those below it, in name order (as
 * `ctgdiag ingest samples` does); the plans of samples/plans are no extract. */
static void ingest_tree(ctg_warehouse *wh, const ctg_families *fams, const char *path)
{
    DIR *d = opendir(path);
    assert_non_null(d);
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' || !strcmp(de->d_name, "plans"))
            continue;
        names = realloc(names, (n + 1) * sizeof *names);
        assert_non_null(names);
        names[n] = strdup(de->d_name);
        assert_non_null(names[n++]);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_name);
    for (size_t i = 0; i < n; i++) {
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, names[i]);
        struct stat sb;
        assert_int_equal(stat(sub, &sb), 0);
        if (S_ISDIR(sb.st_mode)) {
            ingest_tree(wh, fams, sub);
        } else if (extract_name(names[i])) {
            ctg_ingest_options opt;
            ctg_ingest_options_init(&opt);
            ctg_ingest_result res;
            ctg_error err;
            ctg_error_clear(&err);
            ctg_status st = ctg_ingest_file(wh, fams, sub, &opt, &res, &err);
            if (st != CTG_OK)
                print_error("%s: %s\n", sub, err.msg);
            assert_int_equal(st, CTG_OK);
        }
        free(names[i]);
    }
    free(names);
}

/* The samples ingested and computed into a warehouse file of the scratch
 * folder, then closed: each test reads it on a connection of its own. */
static int setup(void **state)
{
    (void)state;
    if (testutil_scratch("results") != 0)
        return -1;
    snprintf(g_db, sizeof g_db, "%s/w.db", g_dir);
    ctg_error err;
    ctg_error_clear(&err);
    ctg_warehouse *wh = NULL;
    ctg_families *fams = NULL;
    if (ctg_wh_open(g_db, CTG_WH_CREATE | CTG_WH_WRITER, &wh, &err) != CTG_OK ||
        ctg_families_load(CTG_SOURCE_DIR "/schemas/families", &fams, &err) != CTG_OK ||
        ctg_catalogue_load(CTG_SOURCE_DIR "/schemas/indicators.csv", &g_cat, &err) != CTG_OK) {
        print_error("setup: %s\n", err.msg);
        return -1;
    }
    ingest_tree(wh, fams, CTG_SOURCE_DIR "/samples");
    ctg_compute_options opt;
    memset(&opt, 0, sizeof opt);
    ctg_compute_result res;
    memset(&res, 0, sizeof res);
    ctg_status st = ctg_compute(wh, g_cat, &opt, &res, &err);
    if (st != CTG_OK)
        print_error("compute: %s\n", err.msg);
    ctg_families_free(fams);
    ctg_wh_close(wh);
    return st == CTG_OK ? 0 : -1;
}

static int teardown(void **state)
{
    ctg_catalogue_free(g_cat);
    g_cat = NULL;
    return testutil_teardown(state);
}

/* The warehouse opened read-only, as report, compare, rank and export do. */
static ctg_warehouse *open_read(void)
{
    ctg_error err;
    ctg_error_clear(&err);
    ctg_warehouse *wh = NULL;
    assert_int_equal(ctg_wh_open(g_db, CTG_WH_READONLY, &wh, &err), CTG_OK);
    assert_int_equal(sqlite3_db_readonly(ctg_wh_db(wh), "main"), 1);
    return wh;
}

/* The communes of the EPCI, in code order, into codes (n of them). */
static size_t epci_communes(ctg_warehouse *wh, int geo_year, char codes[][CTG_CODE_MAX],
                            size_t max)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctg_wh_db(wh),
                                        "SELECT code FROM geo_unit WHERE geo_year = ?1 AND "
                                        "level = 'commune' AND epci = ?2 ORDER BY code",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(q, 1, geo_year);
    sqlite3_bind_text(q, 2, EPCI, -1, SQLITE_STATIC);
    size_t n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        assert_true(n < max);
        snprintf(codes[n++], CTG_CODE_MAX, "%s", (const char *)sqlite3_column_text(q, 0));
    }
    sqlite3_finalize(q);
    return n;
}

/* ------------------------------------------------------------ the parser */

static void test_parse_list(void **state)
{
    (void)state;
    ctg_territory t;
    ctg_error err;
    ctg_error_clear(&err);
    /* the order given is kept; a code the geography lacks is a code */
    assert_int_equal(ctg_territory_parse("communes:81105,81999,81004", &t, &err), CTG_OK);
    assert_int_equal(t.level, CTG_LEVEL_NONE);
    assert_int_equal(t.ncommunes, 3);
    assert_string_equal(t.communes[0], "81105");
    assert_string_equal(t.communes[1], "81999");
    assert_string_equal(t.communes[2], "81004");
    ctg_territory_clear(&t);
    /* a commune given twice is refused, not counted twice */
    assert_int_equal(ctg_territory_parse("communes:81105,81004,81105", &t, &err),
                     CTG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "commune 81105 is listed twice"));
    assert_null(t.communes);
    assert_int_equal(t.ncommunes, 0);
}

/* ------------------------------------------------- lists against the EPCI */

typedef struct iy {
    char indicator[CTG_NAME_MAX];
    char year[16];
} iy;

/* Every (indicator, year) computed, into *out (malloc'ed). */
static size_t computed_pairs(ctg_warehouse *wh, int geo_year, iy **out)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctg_wh_db(wh),
                                        "SELECT indicator, year FROM indicator_year WHERE "
                                        "geo_year = ?1 ORDER BY indicator, year",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int(q, 1, geo_year);
    iy *pairs = NULL;
    size_t n = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        pairs = realloc(pairs, (n + 1) * sizeof *pairs);
        assert_non_null(pairs);
        snprintf(pairs[n].indicator, sizeof pairs[n].indicator, "%s",
                 (const char *)sqlite3_column_text(q, 0));
        snprintf(pairs[n].year, sizeof pairs[n].year, "%s",
                 (const char *)sqlite3_column_text(q, 1));
        n++;
    }
    sqlite3_finalize(q);
    *out = pairs;
    return n;
}

static int same_number(double a, double b)
{
    return (isnan(a) && isnan(b)) || a == b;
}

static int close_number(double a, double b)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * fmax(1, fabs(b));
}

/* Two aggregations of the same communes: the same to the bit. */
static void assert_same_value(const char *what, const iy *p, int fa, const ctg_value *a, int fb,
                              const ctg_value *b)
{
    int same = fa == fb;
    if (same && fa) {
        same = same_number(a->value, b->value) && same_number(a->coverage, b->coverage) &&
               !strcmp(a->status, b->status) && !strcmp(a->flags, b->flags) &&
               a->nin == b->nin && !strcmp(a->year, b->year);
        for (int k = 0; same && k < a->nin; k++)
            same = a->in[k] == b->in[k];
    }
    if (!same)
        print_error("%s, %s %s: found %d/%d value %.17g/%.17g coverage %.17g/%.17g status "
                    "%s/%s flags %s/%s\n",
                    what, p->indicator, p->year, fa, fb, a->value, b->value, a->coverage,
                    b->coverage, a->status, b->status, a->flags, b->flags);
    assert_true(same);
}

/* The list of the EPCI's communes and the EPCI: the same figures, statuses
 * and flags, but for a producer's own EPCI figure (a list never has one);
 * the same coverage too when `coverage` (the latest year of an indicator:
 * for an earlier one the population weights of a list may be those of
 * another census than compute's, docs/indicators.md). */
static int assert_list_is_epci(const iy *p, int fl, const ctg_value *l, int fe,
                               const ctg_value *e, int coverage)
{
    if (!fe)
        return 0;
    assert_int_equal(fl, 1);
    if (!strcmp(e->status, "ok") && !strstr(e->flags, "approx") && !strcmp(l->status, "approx"))
        return 0; /* a published rate of the EPCI: the list is a weighted mean */
    int same = !strcmp(l->status, e->status) && !strcmp(l->flags, e->flags) &&
               close_number(l->value, e->value) &&
               (!coverage || close_number(l->coverage, e->coverage));
    if (!same)
        print_error("list against EPCI, %s %s: value %.17g/%.17g coverage %.17g/%.17g status "
                    "%s/%s flags %s/%s\n",
                    p->indicator, p->year, l->value, e->value, l->coverage, e->coverage,
                    l->status, e->status, l->flags, e->flags);
    assert_true(same);
    return 1;
}

static void test_list_any_order_is_epci(void **state)
{
    (void)state;
    ctg_warehouse *wh = open_read();
    ctg_error err;
    ctg_error_clear(&err);
    ctg_results *r = NULL, *r2 = NULL, *r3 = NULL;
    assert_int_equal(ctg_results_open(wh, g_cat, 0, &r, &err), CTG_OK);
    /* other handles on the same connection, each list in its own table */
    assert_int_equal(ctg_results_open(wh, g_cat, 0, &r2, &err), CTG_OK);
    assert_int_equal(ctg_results_open(wh, g_cat, 0, &r3, &err), CTG_OK);
    int geo_year = ctg_results_geo_year(r);
    char codes[CTG_TERRITORY_MAX][CTG_CODE_MAX];
    size_t n = epci_communes(wh, geo_year, codes, CTG_TERRITORY_MAX);
    assert_int_equal(n, 59);

    /* in code order, as the parser reads it */
    char spec[4096] = "communes:";
    for (size_t i = 0; i < n; i++)
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "%s%s", i ? "," : "",
                 codes[i]);
    ctg_territory sorted;
    assert_int_equal(ctg_territory_parse(spec, &sorted, &err), CTG_OK);
    /* backwards, with two codes the geography lacks in it (passed over) */
    snprintf(spec, sizeof spec, "communes:");
    for (size_t i = n; i-- > 0;)
        snprintf(spec + strlen(spec), sizeof spec - strlen(spec), "%s%s%s",
                 i == n - 1 ? "" : ",", codes[i], i == n / 2 ? ",81999,31999" : "");
    ctg_territory shuffled;
    assert_int_equal(ctg_territory_parse(spec, &shuffled, &err), CTG_OK);
    assert_int_equal(shuffled.ncommunes, n + 2);
    assert_int_not_equal(strcmp(shuffled.communes[0], sorted.communes[0]), 0);
    /* refused by the commands... */
    assert_int_equal(ctg_results_check_territory(r, &shuffled, &err), CTG_ERR_USAGE);
    assert_non_null(strstr(err.msg, "no commune 81999"));
    ctg_error_clear(&err);
    /* ...and a list built by hand with a commune three times and one twice:
     * each counts once */
    char twice[CTG_TERRITORY_MAX][CTG_CODE_MAX];
    size_t nt = 0;
    for (size_t i = 0; i < shuffled.ncommunes; i++) {
        memcpy(twice[nt++], shuffled.communes[i], CTG_CODE_MAX);
        if (i == 3 || i == 40)
            memcpy(twice[nt++], shuffled.communes[i], CTG_CODE_MAX);
        if (i == 3)
            memcpy(twice[nt++], shuffled.communes[i], CTG_CODE_MAX);
    }
    snprintf(twice[nt++], CTG_CODE_MAX, "%s", "81999");
    ctg_territory dup = {.level = CTG_LEVEL_NONE, .code = "", .communes = twice,
                         .ncommunes = nt};
    /* every other commune, backwards: other values, in turn with the others */
    char halfc[CTG_TERRITORY_MAX][CTG_CODE_MAX];
    size_t nh = 0;
    for (size_t i = n; i-- > 0;)
        if (i % 2 == 0)
            memcpy(halfc[nh++], codes[i], CTG_CODE_MAX);
    ctg_territory half = {.level = CTG_LEVEL_NONE, .code = "", .communes = halfc,
                          .ncommunes = nh};
    ctg_territory epci;
    assert_int_equal(ctg_territory_parse("epci:" EPCI, &epci, &err), CTG_OK);

    iy *pairs = NULL;
    size_t np = computed_pairs(wh, geo_year, &pairs);
    assert_true(np >= 100);
    ctg_value *first = calloc(np, sizeof *first);
    int *ffirst = calloc(np, sizeof *ffirst);
    assert_non_null(first);
    assert_non_null(ffirst);
    size_t checked = 0;
    for (size_t i = 0; i < np; i++) {
        const iy *p = &pairs[i];
        ctg_value vs, vh, vd, ve, v2, va, vb;
        int fs = 0, fh = 0, fd = 0, fe = 0, f2 = 0, fa = 0, fb = 0;
        /* one handle going from list to list: reloaded each time */
        assert_int_equal(ctg_results_value(r, p->indicator, p->year, &sorted, &vs, &fs, &err),
                         CTG_OK);
        assert_int_equal(ctg_results_value(r, p->indicator, p->year, &half, &va, &fa, &err),
                         CTG_OK);
        assert_int_equal(ctg_results_value(r, p->indicator, p->year, &shuffled, &vh, &fh, &err),
                         CTG_OK);
        assert_int_equal(ctg_results_value(r, p->indicator, p->year, &dup, &vd, &fd, &err),
                         CTG_OK);
        assert_int_equal(ctg_results_value(r, p->indicator, p->year, &epci, &ve, &fe, &err),
                         CTG_OK);
        /* the other handle keeps its own list */
        assert_int_equal(ctg_results_value(r2, p->indicator, p->year, &shuffled, &v2, &f2, &err),
                         CTG_OK);
        assert_int_equal(ctg_results_value(r3, p->indicator, p->year, &half, &vb, &fb, &err),
                         CTG_OK);
        assert_same_value("half the list, in turn with others", p, fb, &vb, fa, &va);
        if (!strcmp(p->indicator, "pop_total"))
            assert_true(fs && fa && va.value < 0.8 * vs.value);
        assert_same_value("backwards with unknown codes", p, fs, &vs, fh, &vh);
        assert_same_value("a code given twice", p, fs, &vs, fd, &vd);
        assert_same_value("second handle", p, fs, &vs, f2, &v2);
        char latest[16];
        assert_int_equal(ctg_results_latest_year(r, p->indicator, latest, &err), CTG_OK);
        checked += (size_t)assert_list_is_epci(p, fs, &vs, fe, &ve, !strcmp(latest, p->year));
        first[i] = vs;
        ffirst[i] = fs;
    }
    print_message("list = EPCI on %zu of %zu (indicator, year)\n", checked, np);
    assert_true(checked >= 150);
    /* the same list again and again: the values kept by the handle are those
     * it computed */
    for (size_t i = 0; i < np; i++) {
        ctg_value v;
        int f = 0;
        assert_int_equal(ctg_results_value(r2, pairs[i].indicator, pairs[i].year, &shuffled, &v,
                                           &f, &err),
                         CTG_OK);
        assert_same_value("asked again", &pairs[i], ffirst[i], &first[i], f, &v);
    }

    /* the communes of the list: in code order, each once, none unknown */
    ctg_value *vals = NULL;
    size_t nv = 0;
    assert_int_equal(ctg_results_members(r, "pop_total", "2021", CTG_LEVEL_COMMUNE, &dup, &vals,
                                         &nv, &err),
                     CTG_OK);
    assert_int_equal(nv, n);
    for (size_t i = 0; i < nv; i++)
        assert_string_equal(vals[i].code, codes[i]);
    free(vals);
    /* a list holds communes: no EPCI is inside it */
    assert_int_equal(ctg_results_members(r, "pop_total", "2021", CTG_LEVEL_EPCI, &shuffled, &vals,
                                         &nv, &err),
                     CTG_OK);
    assert_int_equal(nv, 0);
    free(vals);

    /* the evolution of a yearly series over the list, as over the EPCI */
    ctg_evolution el, ee;
    assert_int_equal(ctg_results_evolution(r, "births", "2021", &shuffled, &el, &err), CTG_OK);
    assert_int_equal(ctg_results_evolution(r, "births", "2021", &epci, &ee, &err), CTG_OK);
    assert_int_equal(el.n, ee.n);
    assert_true(el.n >= 3);
    assert_true(close_number(el.trend.slope, ee.trend.slope));
    assert_true(close_number(el.previous_value, ee.previous_value));

    free(first);
    free(ffirst);
    free(pairs);
    ctg_territory_clear(&sorted);
    ctg_territory_clear(&shuffled);
    ctg_territory_clear(&epci);
    ctg_results_free(r);
    ctg_results_free(r2);
    ctg_results_free(r3);
    /* each handle dropped its table */
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctg_wh_db(wh),
                                        "SELECT count(*) FROM sqlite_temp_master WHERE "
                                        "type = 'table'",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 0);
    sqlite3_finalize(q);
    ctg_wh_close(wh);
}

/* ------------------------------------------------------------ kept answers */

/* One number from SQL on the connection of wh. */
static double sql_number(ctg_warehouse *wh, const char *sql)
{
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctg_wh_db(wh), sql, -1, &q, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    double x = sqlite3_column_double(q, 0);
    sqlite3_finalize(q);
    return x;
}

/* A handle answers a unit's value and its members as first read (results.h):
 * the same figures as SQL, a fresh copy of the members each time, and still
 * when the table is hidden afterwards, where a new handle finds nothing. */
static void test_unit_answers_kept(void **state)
{
    (void)state;
    ctg_warehouse *wh = open_read();
    ctg_error err;
    ctg_error_clear(&err);
    ctg_results *r = NULL, *fresh = NULL;
    assert_int_equal(ctg_results_open(wh, g_cat, 0, &r, &err), CTG_OK);
    ctg_territory t;
    assert_int_equal(ctg_territory_parse("epci:" EPCI, &t, &err), CTG_OK);
    char year[16];
    assert_int_equal(ctg_results_latest_year(r, "pop_total", year, &err), CTG_OK);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT value FROM indicator_value WHERE indicator = 'pop_total' AND year = '%s' "
             "AND level = 'epci' AND code = '" EPCI "'",
             year);
    double expected = sql_number(wh, sql);
    snprintf(sql, sizeof sql,
             "SELECT v.value FROM indicator_value v JOIN geo_unit u ON u.geo_year = v.geo_year "
             "AND u.level = v.level AND u.code = v.code WHERE v.indicator = 'pop_total' AND "
             "v.year = '%s' AND v.level = 'commune' AND u.epci = '" EPCI "' ORDER BY v.code "
             "LIMIT 1",
             year);
    double first_member = sql_number(wh, sql);
    assert_true(expected > first_member && first_member > 0);

    ctg_value v;
    int found = 0;
    ctg_value *vals = NULL;
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        assert_int_equal(ctg_results_value(r, "pop_total", year, &t, &v, &found, &err), CTG_OK);
        assert_int_equal(found, 1);
        assert_true(v.value == expected);
        assert_string_equal(v.code, EPCI);
        assert_int_equal(ctg_results_members(r, "pop_total", year, CTG_LEVEL_COMMUNE, &t, &vals,
                                             &n, &err),
                         CTG_OK);
        assert_int_equal(n, 59);
        assert_true(vals[0].value == first_member);
        vals[0].value = -1; /* the caller's copy: the next answer is untouched */
        free(vals);
        /* a year never computed is not found, the second time too */
        assert_int_equal(ctg_results_value(r, "pop_total", "1900", &t, &v, &found, &err), CTG_OK);
        assert_int_equal(found, 0);
    }

    /* the values hidden (a TEMP table of the same name): the handle answers
     * as first read, a new handle reads the empty table */
    assert_int_equal(ctg_wh_exec(wh,
                                 "CREATE TEMP TABLE indicator_value AS SELECT * FROM "
                                 "main.indicator_value WHERE 0",
                                 &err),
                     CTG_OK);
    assert_int_equal(ctg_results_value(r, "pop_total", year, &t, &v, &found, &err), CTG_OK);
    assert_int_equal(found, 1);
    assert_true(v.value == expected);
    assert_int_equal(ctg_results_open(wh, g_cat, 0, &fresh, &err), CTG_OK);
    assert_int_equal(ctg_results_value(fresh, "pop_total", year, &t, &v, &found, &err), CTG_OK);
    assert_int_equal(found, 0);
    assert_int_equal(ctg_results_members(fresh, "pop_total", year, CTG_LEVEL_COMMUNE, &t, &vals,
                                         &n, &err),
                     CTG_OK);
    assert_int_equal(n, 0);
    free(vals);
    assert_int_equal(ctg_results_members(r, "pop_total", year, CTG_LEVEL_COMMUNE, &t, &vals, &n,
                                         &err),
                     CTG_OK);
    assert_int_equal(n, 59);
    assert_true(vals[0].value == first_member);
    free(vals);
    /* an id too long for a kept answer's key: each year still its own value */
    char id[251];
    memset(id, 'x', sizeof id - 1);
    id[sizeof id - 1] = '\0';
    char insert[1024];
    snprintf(insert, sizeof insert,
             "INSERT INTO temp.indicator_value (geo_year, indicator, year, level, code, value, "
             "status, flags) VALUES (%d, '%s', '2020', 'epci', '" EPCI "', 1, 'ok', ''), "
             "(%d, '%s', '2021', 'epci', '" EPCI "', 2, 'ok', '')",
             ctg_results_geo_year(fresh), id, ctg_results_geo_year(fresh), id);
    assert_int_equal(ctg_wh_exec(wh, insert, &err), CTG_OK);
    assert_int_equal(ctg_results_value(fresh, id, "2020", &t, &v, &found, &err), CTG_OK);
    assert_int_equal(found, 1);
    assert_true(v.value == 1);
    assert_int_equal(ctg_results_value(fresh, id, "2021", &t, &v, &found, &err), CTG_OK);
    assert_int_equal(found, 1);
    assert_true(v.value == 2);
    assert_int_equal(ctg_wh_exec(wh, "DROP TABLE temp.indicator_value", &err), CTG_OK);
    ctg_territory_clear(&t);
    ctg_results_free(fresh);
    ctg_results_free(r);
    ctg_wh_close(wh);
}

/* A snapshot (ctg_wh_snapshot_begin) does not see what another connection
 * commits until it ends; inside a transaction, or while a bulk writer has
 * the warehouse in rollback mode, it starts nothing. */
static void test_snapshot(void **state)
{
    (void)state;
    ctg_warehouse *reader = open_read(), *writer = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_wh_open(g_db, CTG_WH_WRITER, &writer, &err), CTG_OK);
    const char *tables = "SELECT count(*) FROM sqlite_schema";
    double before = sql_number(reader, tables);
    int started = 0;
    assert_int_equal(ctg_wh_snapshot_begin(reader, &started, &err), CTG_OK);
    assert_int_equal(started, 1);
    assert_int_equal(ctg_wh_exec(writer, "CREATE TABLE snapshot_probe (x)", &err), CTG_OK);
    assert_true(sql_number(writer, tables) == before + 1);
    assert_true(sql_number(reader, tables) == before); /* the snapshot's state */
    int nested = 1;
    assert_int_equal(ctg_wh_snapshot_begin(reader, &nested, &err), CTG_OK);
    assert_int_equal(nested, 0);
    ctg_wh_snapshot_end(reader, nested); /* ends nothing */
    assert_true(sql_number(reader, tables) == before);
    ctg_wh_snapshot_end(reader, started);
    assert_true(sql_number(reader, tables) == before + 1);
    assert_int_equal(ctg_wh_exec(writer, "DROP TABLE snapshot_probe", &err), CTG_OK);
    ctg_wh_close(reader);

    /* a bulk writer at work (rollback journal): no snapshot, the reader
     * reads query by query and never holds the writer's commit up */
    ctg_wh_bulk_begin(writer);
    assert_true(sql_number(writer, "SELECT journal_mode = 'delete' FROM pragma_journal_mode") == 1);
    reader = open_read();
    started = 1;
    assert_int_equal(ctg_wh_snapshot_begin(reader, &started, &err), CTG_OK);
    assert_int_equal(started, 0);
    assert_int_equal(sqlite3_get_autocommit(ctg_wh_db(reader)), 1); /* no lock kept */
    assert_int_equal(ctg_wh_exec(writer, "BEGIN IMMEDIATE; CREATE TABLE snapshot_probe (x); "
                                         "COMMIT; DROP TABLE snapshot_probe",
                                 &err),
                     CTG_OK);
    ctg_wh_snapshot_end(reader, started);
    ctg_wh_close(reader);
    ctg_wh_bulk_end(writer);
    ctg_wh_close(writer);
}

/* ------------------------------------------------------------ periods */

/* The periods compute lists for every variable of the warehouse, from the
 * facts of each file (ctg_fetch_periods_cached), are those of the SQL
 * reading (ctg_fetch_periods, as `indicators` shows them): wide files whose
 * variables carry the period (census), wide files whose rows do (CAF,
 * Sitadel), and a long file whose rows carry both variable and period
 * (Melodi, ingested here), plus a variable no file has. */
static void test_periods_from_files(void **state)
{
    (void)state;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_warehouse *wh = NULL;
    ctg_families *fams = NULL;
    assert_int_equal(ctg_wh_open(g_db, CTG_WH_WRITER, &wh, &err), CTG_OK);
    assert_int_equal(ctg_families_load(CTG_SOURCE_DIR "/schemas/families", &fams, &err), CTG_OK);
    ctg_ingest_options opt;
    ctg_ingest_options_init(&opt);
    opt.max_rejects_pct = 50; /* the fixture's three bad rows of 13 */
    ctg_ingest_result res;
    assert_int_equal(ctg_ingest_file(wh, fams, CTG_SOURCE_DIR
                                     "/tests/e2e/fixtures/DS_POPULATIONS_REFERENCE_2021_extract.csv",
                                     &opt, &res, &err),
                     CTG_OK);
    ctg_families_free(fams);
    ctg_geo *g = NULL;
    int geo_year = (int)sql_number(wh, "SELECT max(geo_year) FROM geo_unit");
    /* loading a geography writes its units, as compute does after clearing
     * them: inside a transaction rolled back at the end */
    assert_int_equal(ctg_wh_begin(wh, &err), CTG_OK);
    assert_int_equal(ctg_wh_exec(wh, "DELETE FROM geo_unit", &err), CTG_OK);
    if (ctg_geo_load(wh, geo_year, &g, &err) != CTG_OK)
        print_error("geography %d: %s\n", geo_year, err.msg);
    assert_non_null(g);
    ctg_fetch_cache *cache = ctg_fetch_cache_new(g, 2);
    assert_non_null(cache);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctg_wh_db(wh),
                                        "SELECT f.family, v.variable FROM file_variable v JOIN "
                                        "source_file f ON f.id = v.file_id WHERE v.variable != '' "
                                        "UNION SELECT f.family, r.measure FROM obs_row r JOIN "
                                        "source_file f ON f.id = r.file_id WHERE r.measure IS "
                                        "NOT NULL UNION SELECT 'census_cc_pop', 'no_such' "
                                        "ORDER BY 1, 2",
                                        -1, &q, NULL),
                     SQLITE_OK);
    ctg_buf sql_list = CTG_BUF_INIT;
    size_t pairs = 0, long_pairs = 0, row_period_pairs = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *family = (const char *)sqlite3_column_text(q, 0);
        const char *variable = (const char *)sqlite3_column_text(q, 1);
        size_t n_sql = 0, n_files = 0;
        const char *files_list = NULL;
        assert_int_equal(ctg_fetch_periods(wh, family, variable, &sql_list, &n_sql, &err), CTG_OK);
        assert_int_equal(ctg_fetch_periods_cached(cache, wh, family, variable, &files_list,
                                                  &n_files, &err),
                         CTG_OK);
        if (n_sql != n_files)
            print_error("%s:%s: %zu periods by SQL, %zu from the files\n", family, variable,
                        n_sql, n_files);
        assert_int_equal(n_sql, n_files);
        if (n_sql)
            assert_memory_equal(sql_list.data, files_list, sql_list.len);
        pairs++;
        long_pairs += !strcmp(family, "melodi") && n_sql > 0;
        row_period_pairs += !strcmp(family, "caf_com_allocataires") && n_sql > 1;
    }
    sqlite3_finalize(q);
    ctg_buf_free(&sql_list);
    assert_true(pairs > 100);
    assert_true(long_pairs >= 2);       /* pmun, ptot */
    assert_true(row_period_pairs >= 1); /* monthly extracts */
    ctg_fetch_cache_free(cache);
    ctg_geo_free(g);
    ctg_wh_rollback(wh);
    ctg_wh_close(wh);
}

/* ------------------------------------------------------------ errors */

static void test_source_error_reaches_caller(void **state)
{
    (void)state;
    ctg_warehouse *wh = open_read();
    ctg_error err;
    ctg_error_clear(&err);
    ctg_results *r = NULL;
    assert_int_equal(ctg_results_open(wh, g_cat, 0, &r, &err), CTG_OK);
    ctg_territory t;
    assert_int_equal(ctg_territory_parse("communes:81004,81099", &t, &err), CTG_OK);
    /* indicator_year hidden by a TEMP table without its columns: reading the
     * source of a value cannot be prepared */
    assert_int_equal(ctg_wh_exec(wh, "CREATE TEMP TABLE indicator_year (x)", &err), CTG_OK);
    ctg_value v;
    int found = 1;
    ctg_status st = ctg_results_value(r, "pop_total", "2021", &t, &v, &found, &err);
    assert_int_equal(st, CTG_ERR_DB);
    assert_int_equal(found, 0);
    assert_non_null(strstr(err.msg, "source_rank"));
    ctg_error_clear(&err);
    ctg_evolution ev;
    assert_int_equal(ctg_results_evolution(r, "births", "2021", &t, &ev, &err), CTG_ERR_DB);
    assert_non_null(strstr(err.msg, "source_rank"));
    /* the answers without a status fall back as results.h says */
    assert_int_equal(ctg_results_aggregation(r, "pop_total", "2021"), CTG_AGG_SUM);
    assert_int_equal(ctg_results_source_rank(r, "pop_total", "2021"), 0);
    assert_int_equal(ctg_results_is_share(r, "single_parent_share", "2021"), 0);
    ctg_territory_clear(&t);
    ctg_results_free(r);
    ctg_wh_close(wh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_list),
        cmocka_unit_test(test_list_any_order_is_epci),
        cmocka_unit_test(test_source_error_reaches_caller),
        cmocka_unit_test(test_unit_answers_kept),
        cmocka_unit_test(test_snapshot),
        cmocka_unit_test(test_periods_from_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
