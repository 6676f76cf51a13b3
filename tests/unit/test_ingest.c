/* test_ingest.c - the helpers of ingest/ingest.h and ingest/load.h (periods,
 * canonical names, codes over two columns), then one CAF commune file
 * ingested in process into an in-memory warehouse: counts, values and
 * statuses, rejects with their lines and reasons, unchanged on a second run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/sha256.h"
#include "core/warehouse.h"
#include "ingest/family.h"
#include "ingest/ingest.h"
#include "ingest/load.h"
#include "ingest/reader.h"

/* ------------------------------------------------------------ periods */

static void assert_period(const char *in, const char *want)
{
    char out[16] = "untouched";
    int ok = ctg_period_normalise(in, out);
    if (!ok || strcmp(out, want) != 0)
        print_error("period '%s': %d '%s', expected '%s'\n", in, ok, out, want);
    assert_int_equal(ok, 1);
    assert_string_equal(out, want);
}

static void assert_not_period(const char *in)
{
    char out[16] = "";
    int ok = ctg_period_normalise(in, out);
    if (ok)
        print_error("period '%s' accepted as '%s'\n", in, out);
    assert_int_equal(ok, 0);
}

static void test_period_normalise(void **state)
{
    (void)state;
    assert_period("2021", "2021");
    assert_period("2021-06", "2021-06");
    assert_period("202106", "2021-06");
    assert_period("06/2021", "2021-06");
    assert_period("2021-06-30", "2021-06");
    assert_period("2021/06", "2021-06");
    assert_period("2021/12/31", "2021-12");
    assert_period("06-2021", "2021-06");
    assert_period("2019-12", "2019-12");
    assert_period("1990", "1990");
    assert_period("2021-01", "2021-01");

    assert_not_period("2021-13");
    assert_not_period("21");
    assert_not_period("abcd");
    assert_not_period("2021-6");
    assert_not_period("");
    assert_not_period("2021-00");
    assert_not_period("202100");
    assert_not_period("202113");
    assert_not_period("13/2021");
    assert_not_period("1850");
    assert_not_period("2021-06/30");
    assert_not_period(" 2021");
    assert_not_period("2021 ");
    assert_not_period("+021");
    assert_not_period("2021--6");
    assert_not_period("2021-6x");
    assert_not_period("20211");
    assert_not_period("2021-06-30T00");
    assert_not_period("T2 2021");
}

/* ----------------------------------------------------- canonical names */

static void assert_canonical(const char *in, const char *want)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", in);
    ctg_canonical_name(buf);
    assert_string_equal(buf, want);
}

static void test_canonical_name(void **state)
{
    (void)state;
    assert_canonical("POP0014", "pop0014");
    assert_canonical("indfoy_ndur", "indfoy_ndur");
    assert_canonical("Nombre foyers NDUR", "nombre_foyers_ndur");
    assert_canonical("RP-PROP", "rp_prop");
    assert_canonical("TP60AGE1", "tp60age1");
    assert_canonical("", "");
    /* non-ASCII bytes are left alone */
    assert_canonical("R\xC3\xA9sidences", "r\xC3\xA9sidences");
}

/* -------------------------------------------- codes over two columns */

static void field_value(const char *a, const char *b, int parts, char *out, size_t size)
{
    const char *fields[2] = {a, b ? b : ""};
    size_t lens[2] = {strlen(a), b ? strlen(b) : 0};
    ctg_record rec;
    memset(&rec, 0, sizeof rec);
    rec.nfields = 2;
    rec.fields = fields;
    rec.lens = lens;
    rec.line = 2;
    rec.raw = "";
    size_t col[2] = {0, 1};
    ctg_buf buf = CTG_BUF_INIT;
    ctg_load_field_value(&rec, col, parts, &buf);
    snprintf(out, size, "%s", ctg_buf_str(&buf));
    ctg_buf_free(&buf);
}

static void assert_code(const char *dep, const char *com, const char *want)
{
    char out[32];
    field_value(dep, com, 2, out, sizeof out);
    if (strcmp(out, want) != 0)
        print_error("'%s' + '%s' gave '%s', expected '%s'\n", dep, com, out, want);
    assert_string_equal(out, want);
}

static void test_field_value_two_parts(void **state)
{
    (void)state;
    /* the overseas rule: 971 + 101 -> 97101 */
    assert_code("971", "101", "97101");
    assert_code("972", "209", "97209");
    assert_code("974", "411", "97411");
    assert_code("976", "608", "97608");
    /* metropolitan départements and Corsica: plain concatenation */
    assert_code("01", "001", "01001");
    assert_code("81", "099", "81099");
    assert_code("2A", "004", "2A004");
    assert_code("2B", "033", "2B033");
    /* blanks around the parts */
    assert_code(" 971 ", "101", "97101");
    assert_code("81", "099 ", "81099");
    /* one column: trimmed */
    char out[32];
    field_value("  81099\t", NULL, 1, out, sizeof out);
    assert_string_equal(out, "81099");
    field_value("", NULL, 1, out, sizeof out);
    assert_string_equal(out, "");
}

/* -------------------------------------------------- in-process ingest */

static int group_setup(void **state)
{
    (void)state;
    return testutil_scratch("ingest");
}

static const char *const CAF_COLUMNS[] = {
    "dtreffre",      "numcomdo",        "nomcom",           "indfoy_ndur",       "indnbp_ndur",
    "indmtt_ndur",   "indfoy_paje",     "indfoy_ab",        "indfoy_cmg",        "indfoy_af",
    "indfoy_cf",     "indfoy_ars",      "indfoy_asf",       "indfoy_apl",        "indnbp_apl",
    "indfoy_alf",    "indfoy_als",      "indfoy_rsa",       "indnbp_rsa",        "indmtt_rsa",
    "indfoy_ppa",    "indmtt_ppa",      "indfoy_monoparent", "indfoy_couple_enf", "indfoy_bas_revenus",
    "indnbp_bas_revenus"};
#define NCOLS (sizeof CAF_COLUMNS / sizeof CAF_COLUMNS[0])
#define NVARS (NCOLS - 3)

/* What the test file holds, and where. */
typedef struct caf_file {
    ctg_buf text;
    long lines;           /* lines written so far */
    long dup_line, conflict_a, conflict_b, negative_line, gaillac_line;
    char conflict_a_raw[512], conflict_b_raw[512], negative_raw[512];
    int secret_cells;     /* empty or 's' cells in the rows that must load */
    int missing_cells;    /* 'nd' cells in the rows that must load */
} caf_file;

/* Appends one data row; returns its line. cells[NVARS] are the values. */
static long add_row(caf_file *f, const char *code, const char *name, const char *const *cells,
                    char *raw_out, size_t raw_size)
{
    size_t start = f->text.len;
    assert_int_equal(ctg_buf_printf(&f->text, "2021-12;%s;%s", code, name), CTG_OK);
    for (size_t i = 0; i < NVARS; i++)
        assert_int_equal(ctg_buf_printf(&f->text, ";%s", cells[i]), CTG_OK);
    if (raw_out)
        snprintf(raw_out, raw_size, "%.*s", (int)(f->text.len - start), f->text.data + start);
    assert_int_equal(ctg_buf_putc(&f->text, '\n'), CTG_OK);
    return ++f->lines;
}

/* Numeric cells for a row: counts derived from k, amounts in hundreds. */
static void numeric_cells(int k, char store[NVARS][16], const char *cells[NVARS])
{
    for (size_t i = 0; i < NVARS; i++) {
        const char *col = CAF_COLUMNS[i + 3];
        if (!strncmp(col, "indmtt_", 7))
            snprintf(store[i], 16, "%d", 100 * (k * 7 + (int)i));
        else
            snprintf(store[i], 16, "%d", 5 * (k + (int)i));
        cells[i] = store[i];
    }
}

static void build_caf_file(caf_file *f)
{
    memset(f, 0, sizeof *f);
    assert_int_equal(ctg_buf_puts(&f->text, "\xEF\xBB\xBF"), CTG_OK);
    for (size_t i = 0; i < NCOLS; i++)
        assert_int_equal(ctg_buf_printf(&f->text, "%s%s", i ? ";" : "", CAF_COLUMNS[i]), CTG_OK);
    assert_int_equal(ctg_buf_putc(&f->text, '\n'), CTG_OK);
    f->lines = 1;

    char store[NVARS][16];
    const char *cells[NVARS];
    char code[8], name[32];
    for (int k = 1; k <= 39; k++) {
        snprintf(code, sizeof code, "81%03d", k);
        snprintf(name, sizeof name, "COMMUNE %d", k);
        numeric_cells(k, store, cells);
        if (k == 10) {
            /* two secret cells: empty (the family says empty = secret) and 's' */
            cells[3] = "";
            cells[4] = "s";
            f->secret_cells += 2;
        }
        add_row(f, code, name, cells, NULL, 0);
        if (k == 2) /* the same row again, byte for byte */
            f->dup_line = add_row(f, code, name, cells, NULL, 0);
        if (k == 12) {
            /* first row of a conflicting pair, with an empty (secret) cell */
            numeric_cells(50, store, cells);
            cells[5] = "";
            f->conflict_a =
                add_row(f, "81050", "CONFLIT", cells, f->conflict_a_raw, sizeof f->conflict_a_raw);
        }
        if (k == 20) {
            /* a negative count */
            numeric_cells(60, store, cells);
            cells[0] = "-5";
            f->negative_line =
                add_row(f, "81060", "NEGATIF", cells, f->negative_raw, sizeof f->negative_raw);
        }
        if (k == 30) {
            /* the second row of the pair: other values */
            numeric_cells(51, store, cells);
            f->conflict_b =
                add_row(f, "81050", "CONFLIT", cells, f->conflict_b_raw, sizeof f->conflict_b_raw);
        }
    }
    /* Gaillac: real-looking figures, one empty cell, one 's', one 'nd' */
    numeric_cells(99, store, cells);
    cells[0] = "2935";     /* indfoy_ndur */
    cells[1] = "6840";     /* indnbp_ndur */
    cells[2] = "1853900";  /* indmtt_ndur */
    cells[3] = "";         /* indfoy_paje: secret */
    cells[4] = "s";        /* indfoy_ab: secret */
    cells[5] = "nd";       /* indfoy_cmg: missing */
    cells[16] = "1 245";   /* indmtt_rsa, with a thousands separator */
    f->secret_cells += 2;
    f->missing_cells += 1;
    f->gaillac_line = add_row(f, "81099", "GAILLAC", cells, NULL, 0);
}

/* Runs a query returning one integer. */
static long long query_int(ctg_warehouse *wh, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(ctg_wh_db(wh), sql, -1, &st, NULL);
    if (rc != SQLITE_OK)
        print_error("%s: %s\n", sql, sqlite3_errmsg(ctg_wh_db(wh)));
    assert_int_equal(rc, SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static long long rows_everywhere(ctg_warehouse *wh)
{
    return query_int(wh, "SELECT (SELECT count(*) FROM source_file) + (SELECT count(*) FROM "
                         "obs_row) + (SELECT count(*) FROM reject) + (SELECT count(*) FROM "
                         "file_variable) + (SELECT count(*) FROM file_notice) + (SELECT "
                         "count(*) FROM family)");
}

/* value and status of one variable of one commune */
static void observed(ctg_warehouse *wh, const char *code, const char *variable, int *is_null,
                     double *value, char status[16], char period[16])
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(ctg_wh_db(wh),
                                        "SELECT value, status, period, level FROM observation "
                                        "WHERE code = ?1 AND variable = ?2",
                                        -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, variable, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW)
        print_error("no observation for %s %s\n", code, variable);
    assert_int_equal(rc, SQLITE_ROW);
    *is_null = sqlite3_column_type(st, 0) == SQLITE_NULL;
    *value = sqlite3_column_double(st, 0);
    snprintf(status, 16, "%s", (const char *)sqlite3_column_text(st, 1));
    snprintf(period, 16, "%s", (const char *)sqlite3_column_text(st, 2));
    assert_string_equal((const char *)sqlite3_column_text(st, 3), "commune");
    /* exactly one */
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
}

static void assert_value(ctg_warehouse *wh, const char *code, const char *variable, double want)
{
    int is_null;
    double v;
    char status[16], period[16];
    observed(wh, code, variable, &is_null, &v, status, period);
    assert_false(is_null);
    if (v != want)
        print_error("%s %s: %.17g, expected %.17g\n", code, variable, v, want);
    assert_true(v == want);
    assert_string_equal(status, "ok");
    assert_string_equal(period, "2021-12");
}

static void assert_status(ctg_warehouse *wh, const char *code, const char *variable,
                          const char *want)
{
    int is_null;
    double v;
    char status[16], period[16];
    observed(wh, code, variable, &is_null, &v, status, period);
    assert_true(is_null);
    assert_string_equal(status, want);
}

static void test_ingest_caf_commune_file(void **state)
{
    (void)state;
    caf_file f;
    build_caf_file(&f);
    const long rows = f.lines - 1;
    assert_int_equal(rows, 44);
    char path[512];
    snprintf(path, sizeof path, "%s/caf_allocataires_com_202112.csv", g_dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(f.text.data, 1, f.text.len, fp), f.text.len);
    assert_int_equal(fclose(fp), 0);
    char sha[CTG_SHA256_HEX_LEN + 1];
    ctg_sha256 h;
    ctg_sha256_init(&h);
    ctg_sha256_update(&h, f.text.data, f.text.len);
    ctg_sha256_final_hex(&h, sha);

    ctg_error err;
    ctg_error_clear(&err);
    ctg_warehouse *wh = NULL;
    assert_int_equal(ctg_wh_open("ignored.db", CTG_WH_MEMORY, &wh, &err), CTG_OK);
    assert_string_equal(ctg_wh_path(wh), ":memory:");
    ctg_families *fams = NULL;
    assert_int_equal(ctg_families_load(CTG_SOURCE_DIR "/schemas/families", &fams, &err), CTG_OK);
    long long empty = rows_everywhere(wh);
    assert_int_equal(empty, 0);

    /* 1. with the default --max-rejects 5: 3 of 44 rows (6.8 %) reject the file */
    ctg_ingest_options opt;
    ctg_ingest_options_init(&opt);
    assert_true(opt.max_rejects_pct == 5.0);
    ctg_ingest_result res;
    ctg_status st = ctg_ingest_file(wh, fams, path, &opt, &res, &err);
    assert_int_equal(st, CTG_ERR_DATA);
    assert_int_equal(res.status, CTG_FILE_REJECTED);
    assert_string_equal(res.family, "caf_com_allocataires");
    assert_non_null(strstr(err.msg, "3 of 44 rows rejected"));
    assert_string_equal(err.path, path);
    /* the warehouse is exactly as it was */
    assert_int_equal(rows_everywhere(wh), 0);

    /* 2. a dry run with --max-rejects 100: loads, then nothing is kept */
    ctg_ingest_options_init(&opt);
    opt.max_rejects_pct = 100;
    opt.dry_run = 1;
    ctg_error_clear(&err);
    st = ctg_ingest_file(wh, fams, path, &opt, &res, &err);
    if (st != CTG_OK)
        print_error("%s:%ld: %s\n", err.path, err.line, err.msg);
    assert_int_equal(st, CTG_OK);
    assert_int_equal(res.status, CTG_FILE_LOADED);
    assert_int_equal(res.rows, rows);
    assert_int_equal(res.loaded, 40);
    assert_int_equal(rows_everywhere(wh), 0);

    /* 3. the load */
    opt.dry_run = 0;
    st = ctg_ingest_file(wh, fams, path, &opt, &res, &err);
    if (st != CTG_OK)
        print_error("%s:%ld: %s\n", err.path, err.line, err.msg);
    assert_int_equal(st, CTG_OK);
    assert_int_equal(res.status, CTG_FILE_LOADED);
    assert_string_equal(ctg_file_status_name(res.status), "loaded");
    assert_string_equal(res.family, "caf_com_allocataires");
    assert_string_equal(res.vintage, "2021-12");
    assert_int_equal(res.rows, 44);
    assert_int_equal(res.loaded, 40);
    assert_int_equal(res.rejected, 3);
    assert_int_equal(res.duplicates, 1);
    assert_string_equal(res.replaced, "");

    /* provenance */
    sqlite3 *db = ctg_wh_db(wh);
    sqlite3_stmt *q = NULL;
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT id, name, size, sha256, family, vintage, geo_year, "
                                        "encoding, separator, decimal_mark, header_line, "
                                        "rows_read, rows_loaded, rows_rejected, rows_duplicate, "
                                        "values_secret, values_missing, units_pseudo, rounded_to "
                                        "FROM source_file",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    long long file_id = sqlite3_column_int64(q, 0);
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "caf_allocataires_com_202112.csv");
    assert_int_equal(sqlite3_column_int64(q, 2), (long long)f.text.len);
    assert_string_equal((const char *)sqlite3_column_text(q, 3), sha);
    assert_string_equal((const char *)sqlite3_column_text(q, 4), "caf_com_allocataires");
    assert_string_equal((const char *)sqlite3_column_text(q, 5), "2021-12");
    assert_int_equal(sqlite3_column_int(q, 6), 2021);
    assert_string_equal((const char *)sqlite3_column_text(q, 7), "UTF-8 BOM");
    assert_string_equal((const char *)sqlite3_column_text(q, 8), ";");
    assert_int_equal(sqlite3_column_type(q, 9), SQLITE_NULL); /* no decimal seen */
    assert_int_equal(sqlite3_column_int(q, 10), 1);
    assert_int_equal(sqlite3_column_int(q, 11), 44);
    assert_int_equal(sqlite3_column_int(q, 12), 40);
    assert_int_equal(sqlite3_column_int(q, 13), 3);
    assert_int_equal(sqlite3_column_int(q, 14), 1);
    long long values_secret = sqlite3_column_int64(q, 15);
    long long values_missing = sqlite3_column_int64(q, 16);
    assert_int_equal(sqlite3_column_int(q, 17), 0);
    assert_int_equal(sqlite3_column_int(q, 18), 5);
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);

    /* the variables, in file order, with their kinds */
    assert_int_equal(query_int(wh, "SELECT count(*) FROM file_variable"), NVARS);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM file_variable WHERE kind = 'amount'"),
                     3);
    assert_int_equal(query_int(wh, "SELECT idx FROM file_variable WHERE variable = 'indfoy_ndur' "
                                   "AND column_name = 'indfoy_ndur' AND period = '' "
                                   "AND kind = 'count'"),
                     0);
    assert_int_equal(query_int(wh, "SELECT idx FROM file_variable WHERE variable = "
                                   "'indnbp_bas_revenus'"),
                     NVARS - 1);

    /* the rows: 40, the duplicate stored once, the conflict and the negative row not at all */
    assert_int_equal(query_int(wh, "SELECT count(*) FROM obs_row"), 40);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM obs_row WHERE code = '81002'"), 1);
    assert_int_equal(query_int(wh, "SELECT line FROM obs_row WHERE code = '81002'"),
                     f.dup_line - 1);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM obs_row WHERE code IN ('81050', "
                                   "'81060')"),
                     0);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM obs_row WHERE period = '2021-12' AND "
                                   "level = 'commune'"),
                     40);
    assert_int_equal(query_int(wh, "SELECT line FROM obs_row WHERE code = '81099'"),
                     f.gaillac_line);

    /* exact values and statuses */
    assert_value(wh, "81099", "indfoy_ndur", 2935);
    assert_value(wh, "81099", "indnbp_ndur", 6840);
    assert_value(wh, "81099", "indmtt_ndur", 1853900);
    assert_value(wh, "81099", "indmtt_rsa", 1245);
    assert_status(wh, "81099", "indfoy_paje", "secret");
    assert_status(wh, "81099", "indfoy_ab", "secret");
    assert_status(wh, "81099", "indfoy_cmg", "missing");
    assert_value(wh, "81001", "indfoy_ndur", 5);
    assert_value(wh, "81001", "indmtt_ndur", 100 * (7 + 2));
    assert_value(wh, "81039", "indnbp_bas_revenus", 5 * (39 + (int)NVARS - 1));
    assert_status(wh, "81010", "indfoy_paje", "secret");
    assert_status(wh, "81010", "indfoy_ab", "secret");
    assert_value(wh, "81010", "indfoy_cmg", 5 * (10 + 5));
    {
        sqlite3_stmt *s = NULL;
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "SELECT value, status FROM observation WHERE "
                                            "code='81099' AND variable='indfoy_ndur'",
                                            -1, &s, NULL),
                         SQLITE_OK);
        assert_int_equal(sqlite3_step(s), SQLITE_ROW);
        assert_true(sqlite3_column_double(s, 0) == 2935.0);
        assert_string_equal((const char *)sqlite3_column_text(s, 1), "ok");
        sqlite3_finalize(s);
    }
    assert_int_equal(query_int(wh, "SELECT count(*) FROM observation"), 40 * NVARS);
    long long stored_secret =
        query_int(wh, "SELECT count(*) FROM observation WHERE status = 'secret'");
    long long stored_missing =
        query_int(wh, "SELECT count(*) FROM observation WHERE status = 'missing'");
    assert_int_equal(stored_secret, f.secret_cells);
    assert_int_equal(stored_missing, f.missing_cells);
    assert_int_equal(values_missing, stored_missing);
    /* the summary counts the secret cells of the rows stored, not those of
     * the first row of a conflicting pair (stored, then taken back) */
    assert_int_equal(res.secret, stored_secret);
    assert_int_equal(values_secret, stored_secret);

    /* the rejects, with their lines, reasons and text */
    assert_int_equal(query_int(wh, "SELECT count(*) FROM reject"), 3);
    assert_true(sqlite3_prepare_v2(db, "SELECT file_id, line, reason, raw FROM reject ORDER BY line",
                                   -1, &q, NULL) == SQLITE_OK);
    struct {
        long line;
        const char *raw;
        char reason[160];
    } want[3];
    want[0].line = f.conflict_a;
    want[0].raw = f.conflict_a_raw;
    snprintf(want[0].reason, sizeof want[0].reason,
             "same unit as line %ld with different values (both rows rejected)", f.conflict_b);
    want[1].line = f.negative_line;
    want[1].raw = f.negative_raw;
    snprintf(want[1].reason, sizeof want[1].reason,
             "column indfoy_ndur: -5 is negative, the column holds a count");
    want[2].line = f.conflict_b;
    want[2].raw = f.conflict_b_raw;
    snprintf(want[2].reason, sizeof want[2].reason,
             "same unit as line %ld with different values (both rows rejected)", f.conflict_a);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(sqlite3_step(q), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int64(q, 0), file_id);
        assert_int_equal(sqlite3_column_int64(q, 1), want[i].line);
        assert_string_equal((const char *)sqlite3_column_text(q, 2), want[i].reason);
        assert_string_equal((const char *)sqlite3_column_text(q, 3), want[i].raw);
    }
    assert_int_equal(sqlite3_step(q), SQLITE_DONE);
    sqlite3_finalize(q);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM file_notice"), 0);

    /* 4. the same file again: unchanged, nothing added */
    long long before = rows_everywhere(wh);
    ctg_ingest_result again;
    st = ctg_ingest_file(wh, fams, path, &opt, &again, &err);
    assert_int_equal(st, CTG_OK);
    assert_int_equal(again.status, CTG_FILE_UNCHANGED);
    assert_string_equal(ctg_file_status_name(again.status), "unchanged");
    assert_string_equal(again.family, "caf_com_allocataires");
    assert_string_equal(again.vintage, "2021-12");
    assert_int_equal(again.rows, 44);
    assert_int_equal(again.loaded, 40);
    assert_int_equal(again.rejected, 3);
    assert_int_equal(again.duplicates, 1);
    assert_int_equal(again.secret, res.secret);
    assert_int_equal(rows_everywhere(wh), before);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM source_file"), 1);

    ctg_families_free(fams);
    ctg_wh_close(wh);
    ctg_buf_free(&f.text);
}

/* A file of some 38,000 rows goes to obs_row through several buffers of the
 * row queue: a row the writer thread cannot store fails the whole file,
 * named, with the warehouse left as it was; a conflict between the first
 * row and the last unstores the first from an early buffer. The two loads
 * share a scratch (the unit map kept from file to file). */
static void test_rows_through_the_writer_thread(void **state)
{
    (void)state;
    caf_file f;
    memset(&f, 0, sizeof f);
    for (size_t i = 0; i < NCOLS; i++)
        assert_int_equal(ctg_buf_printf(&f.text, "%s%s", i ? ";" : "", CAF_COLUMNS[i]), CTG_OK);
    assert_int_equal(ctg_buf_putc(&f.text, '\n'), CTG_OK);
    char store[NVARS][16];
    const char *cells[NVARS];
    long n = 0;
    for (int month = 1; month <= 2; month++)
        for (int dep = 1; dep <= 19; dep++)
            for (int com = 1; com <= 999; com++) {
                char code[8];
                snprintf(code, sizeof code, "%02d%03d", dep, com);
                numeric_cells(com, store, cells);
                assert_int_equal(ctg_buf_printf(&f.text, "2021-%02d;%s;C", month, code), CTG_OK);
                for (size_t i = 0; i < NVARS; i++)
                    assert_int_equal(ctg_buf_printf(&f.text, ";%s", cells[i]), CTG_OK);
                assert_int_equal(ctg_buf_putc(&f.text, '\n'), CTG_OK);
                n++;
            }
    /* the first unit again, other values: both rows rejected */
    numeric_cells(7, store, cells);
    assert_int_equal(ctg_buf_puts(&f.text, "2021-01;01001;C"), CTG_OK);
    for (size_t i = 0; i < NVARS; i++)
        assert_int_equal(ctg_buf_printf(&f.text, ";%s", cells[i]), CTG_OK);
    assert_int_equal(ctg_buf_putc(&f.text, '\n'), CTG_OK);
    n++;
    assert_true(f.text.len > 3u * 256u * 1024u);
    char path[512];
    snprintf(path, sizeof path, "%s/caf_allocataires_com_2021.csv", g_dir);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(f.text.data, 1, f.text.len, fp), f.text.len);
    assert_int_equal(fclose(fp), 0);
    ctg_buf_free(&f.text);

    ctg_error err;
    ctg_error_clear(&err);
    ctg_warehouse *wh = NULL;
    assert_int_equal(ctg_wh_open("ignored.db", CTG_WH_MEMORY, &wh, &err), CTG_OK);
    ctg_families *fams = NULL;
    assert_int_equal(ctg_families_load(CTG_SOURCE_DIR "/schemas/families", &fams, &err), CTG_OK);
    ctg_ingest_options opt;
    ctg_ingest_options_init(&opt);
    opt.max_rejects_pct = 100;
    /* both loads share the memory the command line keeps from file to file:
     * the second must find none of the units the first one saw */
    opt.scratch = ctg_ingest_scratch_new();
    assert_non_null(opt.scratch);

    /* 1. a row in the middle of the file cannot be stored */
    assert_int_equal(ctg_wh_exec(wh,
                                 "CREATE TRIGGER planted BEFORE INSERT ON obs_row "
                                 "WHEN NEW.code = '15500' AND NEW.period = '2021-01' "
                                 "BEGIN SELECT RAISE(ABORT, 'planted failure'); END",
                                 &err),
                     CTG_OK);
    ctg_ingest_result res;
    ctg_status st = ctg_ingest_file(wh, fams, path, &opt, &res, &err);
    assert_int_equal(st, CTG_ERR_DB);
    assert_int_equal(res.status, CTG_FILE_REJECTED);
    if (!strstr(err.msg, "planted failure"))
        print_error("%s\n", err.msg);
    assert_non_null(strstr(err.msg, "planted failure"));
    assert_string_equal(err.path, ":memory:"); /* a fault of the warehouse names it */
    assert_int_equal(rows_everywhere(wh), 0);

    /* 2. without it, the file loads; the conflict reaches back to the first row */
    assert_int_equal(ctg_wh_exec(wh, "DROP TRIGGER planted", &err), CTG_OK);
    ctg_error_clear(&err);
    st = ctg_ingest_file(wh, fams, path, &opt, &res, &err);
    if (st != CTG_OK)
        print_error("%s:%ld: %s\n", err.path, err.line, err.msg);
    assert_int_equal(st, CTG_OK);
    assert_int_equal(res.rows, n);
    assert_int_equal(res.rejected, 2);
    assert_int_equal(res.loaded, n - 2);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM obs_row"), n - 2);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM obs_row WHERE code = '01001'"), 1);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM obs_row WHERE code = '01001' "
                                   "AND period = '2021-01'"),
                     0);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM reject"), 2);
    assert_int_equal(query_int(wh, "SELECT min(line) FROM reject"), 2);
    assert_int_equal(query_int(wh, "SELECT max(line) FROM reject"), n + 1);
    /* ids as SQLite gives them: 1 to n - 1, the first one taken back */
    assert_int_equal(query_int(wh, "SELECT min(id) FROM obs_row"), 2);
    assert_int_equal(query_int(wh, "SELECT max(id) FROM obs_row"), n - 1);
    assert_int_equal(query_int(wh, "SELECT count(*) FROM obs_row WHERE id <> line - 1"), 0);
    /* a value from the last buffer */
    assert_int_equal(query_int(wh, "SELECT line FROM obs_row WHERE code = '19999' AND period = "
                                   "'2021-02'"),
                     n);
    ctg_ingest_scratch_free(opt.scratch);
    ctg_families_free(fams);
    ctg_wh_close(wh);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_period_normalise),
        cmocka_unit_test(test_canonical_name),
        cmocka_unit_test(test_field_value_two_parts),
        cmocka_unit_test(test_ingest_caf_commune_file),
        cmocka_unit_test(test_rows_through_the_writer_thread),
    };
    return cmocka_run_group_tests(tests, group_setup, testutil_teardown);
}
