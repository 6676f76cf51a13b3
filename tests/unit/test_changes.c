/* test_changes.c - render/changes.h: the change report of `ctgdiag run` as
 * CSV (checked byte for byte) and as PDF (its text checked with poppler's
 * pdftotext when installed), and the failures that must leave no temporary
 * file behind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/warehouse.h"
#include "render/changes.h"
#include "testutil.h"

static ctg_warehouse *g_wh; /* the group's warehouse, in g_dir */

/* The events of one run of every kind (ids 1 to 11), one outside the range
 * the tests report (12), and the names of their units: 81099 renamed in
 * 2022, 81105 named in 2021 only, 31488 nameless in 2023 (its 2022 name
 * counts), 99999 never named. */
static const char FIXTURE[] =
    "INSERT INTO geo_unit (geo_year, level, code, name) VALUES "
    "(2021, 'commune', '81099', 'Ancien nom'), (2022, 'commune', '81099', 'Gaillac'), "
    "(2021, 'commune', '81105', 'Graulhet'), (2022, 'commune', '31488', 'Saint-Jean'), "
    "(2023, 'commune', '31488', ''), (2022, 'epci', '200066124', 'CA Gaillac-Graulhet; Tarn');"
    "INSERT INTO change (id, run_id, kind, family, file, indicator, year, level, code, "
    "old_value, new_value, old_status, new_status, units, detail) VALUES "
    "(1, 12, 'file_loaded', 'filosofi_com', 'samples/insee/cc_filosofi_2021_COM.csv', NULL, "
    " '2021', NULL, NULL, NULL, NULL, NULL, NULL, NULL, 'new vintage'),"
    "(2, 12, 'file_replaced', 'caf_com', 'in/caf_2022.csv', NULL, '2022', NULL, NULL, NULL, "
    " NULL, NULL, NULL, NULL, 'in/caf_2022_v1.csv'),"
    "(3, 12, 'file_rejected', '', 'in/bad;name.csv', NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
    " NULL, NULL, 'line 3: \"x\" is not a number'),"
    "(4, 12, 'year_new', '', NULL, 'poverty_rate', '2021', NULL, NULL, NULL, NULL, NULL, NULL, "
    " 900, ''),"
    "(5, 12, 'year_removed', '', NULL, 'old_indicator', '2015', NULL, NULL, NULL, NULL, NULL, "
    " NULL, 12, 'removed from' || char(10) || 'the catalogue'),"
    "(6, 12, 'value_changed', '', NULL, 'single_parent_share', '2021', 'commune', '81099', "
    " 0.25, 1.0 / 3, 'ok', 'ok', NULL, ''),"
    "(7, 12, 'value_changed', '', NULL, 'allocataires', '2022', 'commune', '81105', NULL, "
    " 16080, NULL, 'ok', NULL, ''),"
    "(8, 12, 'value_changed', '', NULL, 'allocataires', '2022', 'commune', '31488', 1234.5, "
    " NULL, 'ok', 'secret', NULL, ''),"
    "(9, 12, 'value_changed', '', NULL, 'allocataires', '2022', 'epci', '200066124', 1e-7, "
    " 2.5e20, 'ok', 'ok', NULL, ''),"
    "(10, NULL, 'value_changed', '', NULL, 'allocataires', '2022', 'commune', '99999', 1, 2, "
    " 'ok', 'partial', NULL, ''),"
    "(11, 12, 'report_written', '', 'reports/epci-200066124-diagnostic.pdf', NULL, NULL, NULL, "
    " NULL, NULL, NULL, NULL, NULL, NULL, 'epci:200066124'),"
    "(12, 13, 'file_loaded', 'caf_com', 'in/later.csv', NULL, '2023', NULL, NULL, NULL, NULL, "
    " NULL, NULL, NULL, '');";

/* The CSV of events 1 to 11, written by hand. */
static const char EXPECTED_CSV[] =
    "run;kind;family;file;indicator;year;level;code;name;old_value;new_value;old_status;"
    "new_status;units;detail\n"
    "12;file_loaded;filosofi_com;samples/insee/cc_filosofi_2021_COM.csv;;2021;;;;;;;;;"
    "new vintage\n"
    "12;file_replaced;caf_com;in/caf_2022.csv;;2022;;;;;;;;;in/caf_2022_v1.csv\n"
    "12;file_rejected;;\"in/bad;name.csv\";;;;;;;;;;;\"line 3: \"\"x\"\" is not a number\"\n"
    "12;year_new;;;poverty_rate;2021;;;;;;;;900;\n"
    "12;year_removed;;;old_indicator;2015;;;;;;;;12;\"removed from\nthe catalogue\"\n"
    "12;value_changed;;;single_parent_share;2021;commune;81099;Gaillac;0.25;0.333333333333333;"
    "ok;ok;;\n"
    "12;value_changed;;;allocataires;2022;commune;81105;Graulhet;;16080;;ok;;\n"
    "12;value_changed;;;allocataires;2022;commune;31488;Saint-Jean;1234.5;;ok;secret;;\n"
    "12;value_changed;;;allocataires;2022;epci;200066124;\"CA Gaillac-Graulhet; Tarn\";1e-07;"
    "2.5e+20;ok;ok;;\n"
    ";value_changed;;;allocataires;2022;commune;99999;;1;2;ok;partial;;\n"
    "12;report_written;;reports/epci-200066124-diagnostic.pdf;;;;;;;;;;;epci:200066124\n";

static int group_setup(void **state)
{
    (void)state;
    if (testutil_scratch("changes") != 0)
        return -1;
    char path[512];
    snprintf(path, sizeof path, "%s/wh.db", g_dir);
    ctg_error err;
    ctg_error_clear(&err);
    if (ctg_wh_open(path, CTG_WH_CREATE, &g_wh, &err) != CTG_OK ||
        ctg_wh_exec(g_wh, FIXTURE, &err) != CTG_OK) {
        print_error("setup: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    ctg_wh_close(g_wh);
    return testutil_teardown(state);
}

/* The whole file at path (to free), its length in *len. */
static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 4096, n = 0, got;
    char *data = malloc(cap);
    assert_non_null(data);
    while ((got = fread(data + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            data = realloc(data, cap);
            assert_non_null(data);
        }
    }
    fclose(f);
    data[n] = '\0';
    if (len)
        *len = n;
    return data;
}

/* The text of a PDF as pdftotext extracts it, every run of blanks (line
 * ends, U+00A0 and U+202F, which pdftotext writes as spaces) made one space;
 * NULL when pdftotext is not installed. */
static char *pdf_text(const char *path)
{
    if (system("command -v pdftotext >/dev/null 2>&1") != 0)
        return NULL;
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "pdftotext -enc UTF-8 '%s' - 2>/dev/null", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    int c, blank = 0;
    while ((c = getc(p)) != EOF) {
        int is_blank = c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
        if (is_blank && blank)
            continue;
        blank = is_blank;
        if (n + 2 >= cap) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
        out[n++] = is_blank ? ' ' : (char)c;
    }
    out[n] = '\0';
    int rc = pclose(p);
    assert_true(WIFEXITED(rc) && WEXITSTATUS(rc) == 0);
    return out;
}

/* Fails the test when text lacks needle, showing the text. */
static void assert_contains(const char *text, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("\"%s\" not found in:\n%s", needle, text);
}

/* Fails the test when g_dir holds a temporary file (NAME.tmp-XXXXXX). */
static void assert_no_temp(void)
{
    DIR *d = opendir(g_dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, ".tmp-"))
            fail_msg("a temporary file was left behind: %s", de->d_name);
    closedir(d);
}

static void test_csv(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof path, "%s/changes.csv", g_dir);
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_changes_csv_write(g_wh, path, 1, 11, &err);
    if (st != CTG_OK)
        print_error("%s: %s\n", err.path, err.msg);
    assert_int_equal(st, CTG_OK);
    char *text = slurp(path, NULL);
    assert_string_equal(text, EXPECTED_CSV);
    free(text);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0644);

    /* an empty range: the header alone, replacing the file */
    assert_int_equal(ctg_changes_csv_write(g_wh, path, 100, 50, &err), CTG_OK);
    text = slurp(path, NULL);
    assert_string_equal(text, CTG_CHANGES_CSV_HEADER "\n");
    free(text);
    /* the event outside 1..11 is taken when the range holds it */
    assert_int_equal(ctg_changes_csv_write(g_wh, path, 12, 12, &err), CTG_OK);
    text = slurp(path, NULL);
    assert_string_equal(text, CTG_CHANGES_CSV_HEADER "\n"
                              "13;file_loaded;caf_com;in/later.csv;;2023;;;;;;;;;\n");
    free(text);
    assert_no_temp();
}

static void test_pdf(void **state)
{
    (void)state;
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/changes-a.pdf", g_dir);
    snprintf(b, sizeof b, "%s/changes-b.pdf", g_dir);
    ctg_error err;
    ctg_error_clear(&err);
    const char *title = "Changements \xE2\x80\x94 run 12";
    ctg_status st = ctg_changes_pdf_write(g_wh, a, title, 1, 11, 1700000000, &err);
    if (st != CTG_OK)
        print_error("%s: %s\n", err.path, err.msg);
    assert_int_equal(st, CTG_OK);
    assert_int_equal(ctg_changes_pdf_write(g_wh, b, title, 1, 11, 1700000000, &err), CTG_OK);
    size_t na, nb;
    char *pa = slurp(a, &na), *pb = slurp(b, &nb);
    assert_true(na > 5000);
    assert_memory_equal(pa, "%PDF-", 5);
    /* reproducible: the same events and date give the same bytes */
    assert_int_equal(na, nb);
    assert_memory_equal(pa, pb, na);
    free(pa);
    free(pb);
    assert_no_temp();

    char *text = pdf_text(a);
    if (!text) {
        print_message("pdftotext not installed: the PDF's text is not checked\n");
        return;
    }
    assert_contains(text, "Changements \xE2\x80\x94 run 12");
    assert_contains(text, "1 fichier charg\xC3\xA9, 1 fichier remplac\xC3\xA9, 1 fichier "
                          "rejet\xC3\xA9 ; 1 ann\xC3\xA9" "e nouvelle, 1 ann\xC3\xA9" "e "
                          "retir\xC3\xA9" "e ; 5 valeurs modifi\xC3\xA9" "es, 4 communes "
                          "concern\xC3\xA9" "es ; 1 rapport r\xC3\xA9\xC3\xA9" "crit.");
    /* the sections, with the figures in French */
    assert_contains(text, "Fichiers");
    assert_contains(text, "in/caf_2022_v1.csv");
    assert_contains(text, "Indicateurs");
    assert_contains(text, "poverty_rate");
    assert_contains(text, "900");
    assert_contains(text, "0,083333");                  /* largest move, 0.25 to 1/3 */
    assert_contains(text, "Communes concern\xC3\xA9" "es");
    assert_contains(text, "Gaillac");
    assert_contains(text, "Graulhet");
    assert_contains(text, "Saint-Jean");
    assert_contains(text, "16 080");                    /* new value of 81105 */
    assert_contains(text, "1 234,5");                   /* old value of 31488 */
    assert_contains(text, "0,33333");
    assert_contains(text, "ok \xE2\x86\x92 secret");
    assert_contains(text, "partiel");
    assert_contains(text, "Rapports r\xC3\xA9\xC3\xA9" "crits");
    assert_contains(text, "epci:200066124 : reports/epci-200066124-diagnostic.pdf");
    assert_null(strstr(text, "in/later.csv"));          /* outside the range */
    assert_null(strstr(text, "Ancien nom"));            /* 81099's older name */
    assert_null(strstr(text, "Aucun"));                 /* every section has rows */
    free(text);
}

/* More value changes of communes than the PDF's table shows, and nothing
 * else: the table is cut, the other sections say "Aucun.". */
static void test_pdf_cap(void **state)
{
    (void)state;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_wh_exec(g_wh,
                                 "WITH RECURSIVE n(i) AS (SELECT 1001 UNION ALL SELECT i + 1 "
                                 "FROM n WHERE i < 3003) INSERT INTO change (id, run_id, kind, "
                                 "indicator, year, level, code, old_value, new_value, "
                                 "old_status, new_status) SELECT i, 14, 'value_changed', "
                                 "'allocataires', '2023', 'commune', printf('%05d', i), i, "
                                 "i + 0.5, 'ok', 'ok' FROM n",
                                 &err),
                     CTG_OK);
    char path[512];
    snprintf(path, sizeof path, "%s/cap.pdf", g_dir);
    ctg_status st = ctg_changes_pdf_write(g_wh, path, "Changements \xE2\x80\x94 run 14", 1001,
                                          3003, -1, &err);
    if (st != CTG_OK)
        print_error("%s: %s\n", err.path, err.msg);
    assert_int_equal(st, CTG_OK);
    char *text = pdf_text(path);
    if (!text) {
        size_t n;
        char *data = slurp(path, &n);
        assert_memory_equal(data, "%PDF-", 5);
        free(data);
        return;
    }
    assert_contains(text, "0 fichier charg\xC3\xA9");
    assert_contains(text, "2 003 valeurs modifi\xC3\xA9" "es, 2 003 communes concern\xC3\xA9" "es");
    assert_contains(text, "Fichiers Aucun.");
    assert_contains(text, "Rapports r\xC3\xA9\xC3\xA9" "crits Aucun.");
    assert_contains(text, "Seules les 2 000 premi\xC3\xA8res lignes sont montr\xC3\xA9" "es ; "
                          "les 3 autres sont dans le fichier CSV des changements.");
    assert_contains(text, "03000");                     /* the 2,000th commune by code */
    assert_null(strstr(text, "03001"));                 /* the first one left out */
    assert_contains(text, "2 002,5");                   /* a new value of 4 digits */
    free(text);
}

/* A file name that is not UTF-8 (a Windows-1252 name on disk): shown with
 * U+FFFD in the PDF, written as it is in the CSV. */
static void test_not_utf8(void **state)
{
    (void)state;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_wh_exec(g_wh,
                                 "INSERT INTO change (id, run_id, kind, family, file, detail) "
                                 "VALUES (5001, 15, 'file_rejected', 'caf_com', "
                                 "CAST(X'696E2F6361665FE92E637376' AS TEXT), 'encoding')",
                                 &err),
                     CTG_OK);
    char csv[512], pdf[512];
    snprintf(csv, sizeof csv, "%s/latin1.csv", g_dir);
    snprintf(pdf, sizeof pdf, "%s/latin1.pdf", g_dir);
    assert_int_equal(ctg_changes_csv_write(g_wh, csv, 5001, 5001, &err), CTG_OK);
    char *text = slurp(csv, NULL);
    assert_string_equal(text, CTG_CHANGES_CSV_HEADER "\n"
                              "15;file_rejected;caf_com;in/caf_\xE9.csv;;;;;;;;;;;encoding\n");
    free(text);
    ctg_status st = ctg_changes_pdf_write(g_wh, pdf, "Changements", 5001, 5001, -1, &err);
    if (st != CTG_OK)
        print_error("%s: %s\n", err.path, err.msg);
    assert_int_equal(st, CTG_OK);
    text = pdf_text(pdf);
    if (text) {
        assert_contains(text, "in/caf_\xEF\xBF\xBD.csv");
        assert_contains(text, "1 fichier rejet\xC3\xA9");
        free(text);
    }
}

static void test_cannot_write(void **state)
{
    (void)state;
    char missing[512], folder[512];
    snprintf(missing, sizeof missing, "%s/no-such-folder/changes.csv", g_dir);
    snprintf(folder, sizeof folder, "%s/a-folder", g_dir);
    assert_int_equal(mkdir(folder, 0755), 0);
    ctg_error err;

    /* no folder to create the temporary file in */
    ctg_error_clear(&err);
    assert_int_equal(ctg_changes_csv_write(g_wh, missing, 1, 11, &err), CTG_ERR_CANTCREAT);
    assert_string_equal(err.path, missing);
    ctg_error_clear(&err);
    assert_int_equal(ctg_changes_pdf_write(g_wh, missing, "t", 1, 11, -1, &err),
                     CTG_ERR_CANTCREAT);
    assert_string_equal(err.path, missing);

    /* the temporary file is written, but cannot replace a folder: removed */
    ctg_error_clear(&err);
    assert_int_equal(ctg_changes_csv_write(g_wh, folder, 1, 11, &err), CTG_ERR_CANTCREAT);
    assert_string_equal(err.path, folder);
    ctg_error_clear(&err);
    assert_int_equal(ctg_changes_pdf_write(g_wh, folder, "t", 1, 11, -1, &err),
                     CTG_ERR_CANTCREAT);
    assert_string_equal(err.path, folder);
    assert_no_temp();
    struct stat sb;
    assert_int_equal(stat(folder, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_pdf),
        cmocka_unit_test(test_pdf_cap),
        cmocka_unit_test(test_not_utf8),
        cmocka_unit_test(test_cannot_write),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
