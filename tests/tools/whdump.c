/*
 * whdump - prints a warehouse in a canonical text form, for tests.
 *
 *   whdump DB            everything but the run log: provenance, rows,
 *                        rejects, notices, geography (ids replaced by file
 *                        names, loading times removed)
 *   whdump DB --content  only what the data say: observations unpacked
 *                        (family, level, code, period, variable, value,
 *                        status), geography, dictionaries; none of the
 *                        provenance that differs between two encodings of
 *                        the same data (path, size, sha256, encoding, lines)
 *
 *   whdump DB --sql SQL  the rows of one query, run in a ctgdiag connection
 *                        (with obs_value, obs_status and the temp views)
 *
 * Two warehouses hold the same data when their --content dumps are equal.
 */
#include <stdio.h>
#include <string.h>

#include "core/warehouse.h"

static int dump(sqlite3 *db, const char *title, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "whdump: %s: %s\n", title, sqlite3_errmsg(db));
        return 1;
    }
    printf("== %s\n", title);
    int n = sqlite3_column_count(st);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int i = 0; i < n; i++) {
            if (i)
                putchar('|');
            if (sqlite3_column_type(st, i) == SQLITE_FLOAT)
                printf("%.17g", sqlite3_column_double(st, i));
            else if (sqlite3_column_type(st, i) == SQLITE_NULL)
                fputs("NULL", stdout);
            else
                fputs((const char *)sqlite3_column_text(st, i), stdout);
        }
        putchar('\n');
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : 1;
}

static const char *const CONTENT[][2] = {
    {"observations",
     "SELECT family, level, code, period, variable, value, status FROM observation "
     "ORDER BY family, level, code, period, variable"},
    {"file variables",
     "SELECT f.family, f.vintage, f.geo_year, v.variable, v.period, v.kind FROM file_variable v "
     "JOIN source_file f ON f.id = v.file_id ORDER BY 1, 2, 4, 5"},
    {"unit names", "SELECT f.family, r.level, r.code, r.period, r.measure, r.name, r.parent "
                   "FROM obs_row r JOIN source_file f ON f.id = r.file_id ORDER BY 1, 2, 3, 4, 5, 6"},
    {"geo_commune", "SELECT geo_year, typecom, code, name, dep, reg, arr, parent FROM geo_commune "
                    "ORDER BY 1, 2, 3"},
    {"geo_membership", "SELECT geo_year, level, code, name, dep, reg, epci, epci_nature, arr, cv, "
                       "ze, uu, aav, bv, parent FROM geo_membership ORDER BY 1, 2, 3"},
    {"geo_iris", "SELECT geo_year, code, name, typ, commune FROM geo_iris ORDER BY 1, 2"},
    {"geo_area", "SELECT geo_year, level, code, name, parent, nature FROM geo_area ORDER BY 1, 2, 3"},
    {"geo_event", "SELECT mod, date_eff, code_before, name_before, code_after, name_after "
                  "FROM geo_event ORDER BY 1, 2, 3, 4, 5, 6"},
    {"geo_passage", "SELECT year_from, year_to, code_from, code_to, kind, ratio FROM geo_passage "
                    "ORDER BY 1, 2, 3, 4"},
    {"dictionary", "SELECT column_name, variable, period, label, label_long, modality, "
                   "modality_label, type, length FROM dictionary ORDER BY 1, 6"},
    {"counts", "SELECT family, vintage, rows_read, rows_loaded, rows_rejected, rows_duplicate, "
               "values_secret, values_missing, units_pseudo FROM source_file ORDER BY 1, 2, 3"},
};

static const char *const PROVENANCE[][2] = {
    {"source files",
     "SELECT name, size, sha256, family, vintage, geo_year, encoding, separator, decimal_mark, "
     "header_line, rows_read, rows_loaded, rows_rejected, rows_duplicate, values_secret, "
     "values_missing, units_pseudo, rounded_to FROM source_file ORDER BY name, sha256"},
    {"rows", "SELECT f.name, r.level, r.code, r.period, r.measure, r.name, r.parent, r.line, "
             "hex(r.vals) "
             "FROM obs_row r JOIN source_file f ON f.id = r.file_id ORDER BY 1, 8"},
    {"rejects", "SELECT f.name, r.line, r.reason, r.raw FROM reject r "
                "JOIN source_file f ON f.id = r.file_id ORDER BY 1, 2, 3"},
    {"notices", "SELECT f.name, n.line, n.kind, n.code, n.detail FROM file_notice n "
                "JOIN source_file f ON f.id = n.file_id ORDER BY 1, 2, 3"},
    {"families", "SELECT id, label, producer, target, definition_sha256 FROM family ORDER BY 1"},
};

int main(int argc, char **argv)
{
    int sql = argc == 4 && !strcmp(argv[2], "--sql");
    if (argc < 2 || (argc == 3 && strcmp(argv[2], "--content")) || (argc == 4 && !sql) ||
        argc > 4) {
        fprintf(stderr, "usage: whdump DB [--content | --sql SQL]\n");
        return 64;
    }
    ctg_warehouse *wh = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    if (ctg_wh_open(argv[1], CTG_WH_READONLY, &wh, &err) != CTG_OK) {
        ctg_error_print(&err, stderr);
        return ctg_exit_code(err.code);
    }
    int bad = 0;
    if (sql) {
        bad = dump(ctg_wh_db(wh), "query", argv[3]);
        ctg_wh_close(wh);
        return bad;
    }
    for (size_t i = 0; i < sizeof CONTENT / sizeof CONTENT[0]; i++)
        bad |= dump(ctg_wh_db(wh), CONTENT[i][0], CONTENT[i][1]);
    if (argc == 2)
        for (size_t i = 0; i < sizeof PROVENANCE / sizeof PROVENANCE[0]; i++)
            bad |= dump(ctg_wh_db(wh), PROVENANCE[i][0], PROVENANCE[i][1]);
    ctg_wh_close(wh);
    return bad;
}
