/* cmd_status.c - `ctgdiag status`: what the warehouse holds and from where. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common_opts.h"

/* Runs a query and calls show for each row. */
static ctg_status each_row(ctg_warehouse *wh, const char *sql, void (*show)(sqlite3_stmt *),
                           ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, sql, &st, err);
    if (s != CTG_OK)
        return s;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        show(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(wh, rc, err, "reading the warehouse");
    return CTG_OK;
}

static void show_file(sqlite3_stmt *st)
{
    printf("%-24s %-8s %8lld %8lld %6lld %5lld %7lld  %.12s  %s  %s\n", ctg_column_text(st, 0),
           ctg_column_text(st, 1), sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
           sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6),
           ctg_column_text(st, 7), ctg_column_text(st, 8), ctg_column_text(st, 9));
}

static void show_family_total(sqlite3_stmt *st)
{
    printf("%-24s %5lld  %-22s %9lld %9lld %7lld %6lld %8lld  %s\n", ctg_column_text(st, 0),
           sqlite3_column_int64(st, 1), ctg_column_text(st, 2), sqlite3_column_int64(st, 3),
           sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6),
           sqlite3_column_int64(st, 7), ctg_column_text(st, 8));
}

static void show_total(sqlite3_stmt *st)
{
    printf("all files: %lld, rows read %lld = loaded %lld + rejected %lld + duplicates %lld; "
           "secret cells %lld, missing cells %lld, pseudo-units %lld\n",
           sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
           sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5),
           sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7));
}

static void show_geo(sqlite3_stmt *st)
{
    printf("  %-6s %-28s %7lld\n", ctg_column_text(st, 0), ctg_column_text(st, 1), sqlite3_column_int64(st, 2));
}

static void show_run(sqlite3_stmt *st)
{
    int finished = sqlite3_column_type(st, 8) != SQLITE_NULL;
    printf("  #%-4lld %-20s %-8s exit %-4s loaded %lld, unchanged %lld, rejected %lld, "
           "skipped %lld",
           sqlite3_column_int64(st, 0), ctg_column_text(st, 1), ctg_column_text(st, 2),
           !finished ? "?" : ctg_column_text(st, 3), sqlite3_column_int64(st, 4),
           sqlite3_column_int64(st, 5), sqlite3_column_int64(st, 6), sqlite3_column_int64(st, 7));
    if (!strcmp(ctg_column_text(st, 2), "run") && sqlite3_column_count(st) > 9)
        printf("; values changed %lld, reports written %lld", sqlite3_column_int64(st, 9),
               sqlite3_column_int64(st, 10));
    if (!finished)
        printf(" (interrupted, or still running)");
    putchar('\n');
}

static void show_reject(sqlite3_stmt *st)
{
    printf("%s:%lld: %s\n    %s\n", ctg_column_text(st, 0), sqlite3_column_int64(st, 1), ctg_column_text(st, 2),
           ctg_column_text(st, 3));
}

static void show_notice(sqlite3_stmt *st)
{
    printf("%s:%lld: %s '%s': %s\n", ctg_column_text(st, 0), sqlite3_column_int64(st, 1), ctg_column_text(st, 2),
           ctg_column_text(st, 3), ctg_column_text(st, 4));
}

static void show_unmapped_file(sqlite3_stmt *st)
{
    long long n = sqlite3_column_int64(st, 3);
    if (n < 0)
        printf("  %s: its geography (%s) is not loaded: its codes are not checked\n",
               ctg_column_text(st, 0), ctg_column_text(st, 2));
    else if (n > 0)
        printf("  %s: %lld code(s) not in the geography of %s (`status --unmapped`)\n",
               ctg_column_text(st, 0), n, ctg_column_text(st, 2));
}

static void show_unmapped_code(sqlite3_stmt *st)
{
    printf("%s:%lld: %s %s (%s) is not in the geography of %s\n", ctg_column_text(st, 0),
           sqlite3_column_int64(st, 1), ctg_column_text(st, 2), ctg_column_text(st, 3), ctg_column_text(st, 4),
           ctg_column_text(st, 5));
}

/* Codes of communes and arrondissements that the geography of the file's
 * year (COG or table d'appartenance) does not hold (formats.md, rule 13):
 * kept, and reported here; -1 when that geography is not loaded. */
#define NOT_IN_GEOGRAPHY                                                                           \
    "r.level IN ('commune', 'arm') AND NOT EXISTS (SELECT 1 FROM geo_commune g "                   \
    "WHERE g.geo_year = f.geo_year AND g.typecom IN ('COM', 'ARM') AND g.code = r.code) "          \
    "AND NOT EXISTS (SELECT 1 FROM geo_membership m WHERE m.geo_year = f.geo_year "                \
    "AND m.level IN ('commune', 'arm') AND m.code = r.code)"
#define GEOGRAPHY_LOADED                                                                           \
    "(EXISTS (SELECT 1 FROM geo_commune g WHERE g.geo_year = f.geo_year) OR "                     \
    "EXISTS (SELECT 1 FROM geo_membership m WHERE m.geo_year = f.geo_year))"

static const char UNMAPPED_SQL[] =
    "SELECT f.path, f.family, ifnull(f.geo_year, '?'), CASE WHEN NOT " GEOGRAPHY_LOADED
    " THEN -1 ELSE (SELECT count(DISTINCT r.code) FROM obs_row r WHERE r.file_id = f.id AND "
    NOT_IN_GEOGRAPHY ") END FROM source_file f JOIN family fa ON fa.id = f.family "
    "WHERE fa.target = 'observations' ORDER BY f.path";

static const char UNMAPPED_CODES_SQL[] =
    "SELECT f.path, r.line, r.level, r.code, ifnull(r.name, ''), f.geo_year FROM obs_row r "
    "JOIN source_file f ON f.id = r.file_id WHERE " GEOGRAPHY_LOADED " AND " NOT_IN_GEOGRAPHY
    " ORDER BY f.path, r.line";

static const char FILES_SQL[] =
    "SELECT family, vintage, rows_read, rows_loaded, rows_rejected, rows_duplicate, "
    "values_secret, sha256, loaded_at, path FROM source_file ORDER BY family, vintage, path";

static const char FAMILIES_SQL[] =
    "SELECT family, count(*), min(vintage) || CASE WHEN min(vintage) = max(vintage) THEN '' "
    "ELSE '..' || max(vintage) END, sum(rows_read), sum(rows_loaded), sum(rows_rejected), "
    "sum(rows_duplicate), sum(values_secret), max(loaded_at) FROM source_file GROUP BY family "
    "ORDER BY family";

static const char TOTAL_SQL[] =
    "SELECT count(*), ifnull(sum(rows_read), 0), ifnull(sum(rows_loaded), 0), "
    "ifnull(sum(rows_rejected), 0), ifnull(sum(rows_duplicate), 0), ifnull(sum(values_secret), 0), "
    "ifnull(sum(values_missing), 0), ifnull(sum(units_pseudo), 0) FROM source_file";

static const char GEO_SQL[] =
    "SELECT geo_year, what, n FROM ("
    " SELECT geo_year, 'communes (COG ' || typecom || ')' AS what, count(*) AS n FROM geo_commune"
    "  GROUP BY geo_year, typecom"
    " UNION ALL SELECT geo_year, 'membership ' || level, count(*) FROM geo_membership"
    "  GROUP BY geo_year, level"
    " UNION ALL SELECT geo_year, 'EPCI (membership)', count(DISTINCT epci) FROM geo_membership"
    "  WHERE epci IS NOT NULL GROUP BY geo_year"
    " UNION ALL SELECT geo_year, 'IRIS', count(*) FROM geo_iris GROUP BY geo_year"
    " UNION ALL SELECT geo_year, 'names of ' || level, count(*) FROM geo_area"
    "  GROUP BY geo_year, level"
    " UNION ALL SELECT year_from || '->' || year_to, 'passage rows', count(*) FROM geo_passage"
    "  GROUP BY year_from, year_to"
    " UNION ALL SELECT 'events', 'commune events', count(*) FROM geo_event HAVING count(*) > 0"
    ") ORDER BY 1, 2";

static const char RUNS_SQL[] =
    "SELECT id, started_at, command, exit_code, files_loaded, files_unchanged, files_rejected, "
    "files_skipped, finished_at FROM (SELECT * FROM run ORDER BY id DESC LIMIT 10) ORDER BY id";

/* The same, with what each `run` changed (a warehouse of schema 4). */
static const char RUNS_CHANGES_SQL[] =
    "SELECT id, started_at, command, exit_code, files_loaded, files_unchanged, files_rejected, "
    "files_skipped, finished_at, "
    "(SELECT count(*) FROM change c WHERE c.run_id = r.id AND c.kind = 'value_changed'), "
    "(SELECT count(*) FROM change c WHERE c.run_id = r.id AND c.kind = 'report_written') "
    "FROM (SELECT * FROM run ORDER BY id DESC LIMIT 10) r ORDER BY id";

static int has_table(ctg_warehouse *wh, const char *name)
{
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (ctg_wh_prepare(wh, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                       &st, NULL) == CTG_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) > 0;
    }
    sqlite3_finalize(st);
    return yes;
}

static const char REJECTS_SQL[] =
    "SELECT f.path, r.line, r.reason, r.raw FROM reject r JOIN source_file f ON f.id = r.file_id "
    "ORDER BY f.path, r.line";

static const char NOTICES_SQL[] =
    "SELECT f.path, n.line, n.kind, n.code, n.detail FROM file_notice n "
    "JOIN source_file f ON f.id = n.file_id ORDER BY f.path, n.line";

int ctg_cmd_status(ctg_cli *cli, int argc, char **argv)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS,
                                         {"rejects", no_argument, NULL, 'r'},
                                         {"notices", no_argument, NULL, 'n'},
                                         {"unmapped", no_argument, NULL, 'u'},
                                         {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("status");
    int opt, exit_now = 0, rejects = 0, notices = 0, unmapped = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, opt, optarg, &exit_now)) {
            if (exit_now)
                return 0;
            continue;
        }
        if (opt == 'r')
            rejects = 1;
        else if (opt == 'n')
            notices = 1;
        else if (opt == 'u')
            unmapped = 1;
        else
            return ctg_usage_error("status", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind < argc)
        return ctg_usage_error("status", "unexpected argument '%s'", argv[optind]);
    ctg_warehouse *wh = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_cli_open_read(cli, &wh, &err);
    if (st != CTG_OK)
        return ctg_report(&err);
    printf("warehouse %s\n\nfiles\n", cli->db_path);
    printf("%-24s %-8s %8s %8s %6s %5s %7s  %-12s  %-20s  %s\n", "family", "vintage", "rows",
           "loaded", "reject", "dupl", "secret", "sha256", "loaded at", "path");
    st = each_row(wh, FILES_SQL, show_file, &err);
    if (st == CTG_OK) {
        printf("\nby family\n%-24s %5s  %-22s %9s %9s %7s %6s %8s  %s\n", "family", "files",
               "vintages", "rows", "loaded", "reject", "dupl", "secret", "last loaded");
        st = each_row(wh, FAMILIES_SQL, show_family_total, &err);
    }
    if (st == CTG_OK) {
        putchar('\n');
        st = each_row(wh, TOTAL_SQL, show_total, &err);
    }
    if (st == CTG_OK) {
        printf("\ngeography\n");
        st = each_row(wh, GEO_SQL, show_geo, &err);
    }
    if (st == CTG_OK) {
        printf("\ncodes and their geography\n");
        st = each_row(wh, UNMAPPED_SQL, show_unmapped_file, &err);
    }
    if (st == CTG_OK) {
        printf("\nlast runs\n");
        st = each_row(wh, has_table(wh, "change") ? RUNS_CHANGES_SQL : RUNS_SQL, show_run, &err);
    }
    if (st == CTG_OK && rejects) {
        printf("\nrejected rows\n");
        st = each_row(wh, REJECTS_SQL, show_reject, &err);
    }
    if (st == CTG_OK && unmapped) {
        printf("\ncodes not in the geography of their year\n");
        st = each_row(wh, UNMAPPED_CODES_SQL, show_unmapped_code, &err);
    }
    if (st == CTG_OK && notices) {
        printf("\nnotices\n");
        st = each_row(wh, NOTICES_SQL, show_notice, &err);
    }
    ctg_wh_close(wh);
    return st == CTG_OK ? 0 : ctg_report(&err);
}
