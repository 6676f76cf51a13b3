/* cmd_export.c - `ctgdiag export`: computed indicator values as CSV or JSON. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "compute/compute.h"
#include "compute/results.h"
#include "core/buf.h"
#include "core/geocode.h"
#include "ingest/ingest.h"

typedef struct export_args {
    const char *indicators;      /* "id,id" or NULL for all */
    ctg_level level;
    const char *in;              /* the territory of --in, NULL for none */
    ctg_territory territory;
    char year[16];               /* "", "latest" or "all" handled apart */
    int latest, all;
    int geo_year;
    int json;
    int decimal_comma;
} export_args;

static int parse_args(ctg_cli *cli, int argc, char **argv, export_args *a, int *exit_now)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS,
                                         {"indicators", required_argument, NULL, 'i'},
                                         {"level", required_argument, NULL, 'l'},
                                         {"in", required_argument, NULL, 'n'},
                                         {"year", required_argument, NULL, 'y'},
                                         {"geo-year", required_argument, NULL, 'g'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"decimal-comma", no_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("export");
    a->level = CTG_LEVEL_COMMUNE;
    a->latest = 1;
    int o;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, o, optarg, exit_now)) {
            if (*exit_now)
                return 0;
            continue;
        }
        switch (o) {
        case 'i': a->indicators = optarg; break;
        case 'l':
            a->level = ctg_level_parse(optarg);
            if (a->level == CTG_LEVEL_NONE || a->level == CTG_LEVEL_PSEUDO)
                return ctg_usage_error("export", "--level is commune, arm, iris, epci, dep, reg "
                                                 "or fr, not '%s'", optarg);
            break;
        case 'n':
            ctg_territory_clear(&a->territory);
            if (ctg_territory_parse(optarg, &a->territory, NULL) != CTG_OK)
                return ctg_usage_error("export", "--in takes LEVEL:CODE (epci:200066124, "
                                                 "dep:81, commune:75056...) or "
                                                 "communes:CODE,CODE..., not '%s'",
                                       optarg);
            a->in = optarg;
            break;
        case 'y':
            a->latest = !strcmp(optarg, "latest");
            a->all = !strcmp(optarg, "all");
            if (!a->latest && !a->all && !ctg_period_normalise(optarg, a->year))
                return ctg_usage_error("export", "--year takes YYYY, YYYY-MM, latest or all, "
                                                 "not '%s'", optarg);
            break;
        case 'g':
            a->geo_year = ctg_parse_year(optarg);
            if (!a->geo_year)
                return ctg_usage_error("export", "--geo-year takes a year, not '%s'", optarg);
            break;
        case 'f':
            if (!strcmp(optarg, "json"))
                a->json = 1;
            else if (strcmp(optarg, "csv"))
                return ctg_usage_error("export", "--format is csv or json, not '%s'", optarg);
            break;
        case 'c': a->decimal_comma = 1; break;
        default:
            return ctg_usage_error("export", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ctg_usage_error("export", "unexpected argument '%s'", argv[optind]);
    return 0;
}

static const char *const FIELDS[] = {"level", "code", "name", "indicator", "year", "value",
                                     "status", "geo_year", "coverage", "flags", "unit", "sources",
                                     "low", "high"};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

static void print_row(sqlite3_stmt *st, const export_args *a, const ctg_catalogue *cat, long n)
{
    char value[64] = "", coverage[64] = "", geo[16], low[64] = "", high[64] = "";
    if (sqlite3_column_type(st, 5) != SQLITE_NULL)
        ctg_out_number(sqlite3_column_double(st, 5), a->decimal_comma && !a->json, value,
                      sizeof value);
    if (sqlite3_column_type(st, 8) != SQLITE_NULL)
        ctg_out_number(sqlite3_column_double(st, 8), a->decimal_comma && !a->json, coverage,
                      sizeof coverage);
    if (sqlite3_column_type(st, 11) != SQLITE_NULL) {
        ctg_out_number(sqlite3_column_double(st, 11), a->decimal_comma && !a->json, low,
                      sizeof low);
        ctg_out_number(sqlite3_column_double(st, 12), a->decimal_comma && !a->json, high,
                      sizeof high);
    }
    snprintf(geo, sizeof geo, "%d", sqlite3_column_int(st, 7));
    const ctg_indicator *ind = ctg_catalogue_find(cat, ctg_column_text(st, 3));
    const char *f[NFIELDS] = {ctg_column_text(st, 0), ctg_column_text(st, 1),
                              ctg_column_text(st, 2), ctg_column_text(st, 3),
                              ctg_column_text(st, 4), value,
                              ctg_column_text(st, 6), geo,
                              coverage,               ctg_column_text(st, 9),
                              ind ? ind->unit : "",   ctg_column_text(st, 10),
                              low,                    high};
    if (a->json) {
        printf("%s\n  {", n ? "," : "");
        for (size_t i = 0; i < NFIELDS; i++) {
            printf("%s\"%s\": ", i ? ", " : "", FIELDS[i]);
            int numeric = i == 5 || i == 7 || i == 8 || i == 12 || i == 13;
            if (numeric && !f[i][0])
                fputs("null", stdout);
            else if (numeric)
                fputs(f[i], stdout);
            else
                ctg_out_json_string(f[i]);
        }
        putchar('}');
        return;
    }
    for (size_t i = 0; i < NFIELDS; i++) {
        if (i)
            putchar(';');
        ctg_out_csv_field(f[i]);
    }
    putchar('\n');
}

/* Builds the query: the values of the chosen units, indicators and years. */
static void build_query(const export_args *a, ctg_buf *sql)
{
    /* the latest year of each indicator for the level: compute writes a row
     * for every unit of a level in each (indicator, year) the level has, so
     * that is each unit's latest year; found once, by a seek per (indicator,
     * year), not by a scan of the indicator's values for every row */
    if (!a->year[0] && a->latest)
        ctg_buf_puts(sql,
                     "WITH latest(indicator, year) AS MATERIALIZED (SELECT y2.indicator, "
                     "max(y2.year) FROM indicator_year y2 WHERE y2.geo_year = ?1 AND EXISTS "
                     "(SELECT 1 FROM indicator_value w WHERE w.geo_year = y2.geo_year AND "
                     "w.indicator = y2.indicator AND w.year = y2.year AND w.level = ?2) GROUP BY "
                     "y2.indicator) ");
    ctg_buf_printf(sql,
                   "SELECT v.level, v.code, u.name, v.indicator, v.year, v.value, v.status, "
                   "v.geo_year, v.coverage, v.flags, y.sources, v.low, v.high FROM %s "
                   "indicator_value v "
                   "JOIN geo_unit u ON u.geo_year = v.geo_year AND u.level = v.level AND "
                   "u.code = v.code JOIN indicator_year y ON y.geo_year = v.geo_year AND "
                   "y.indicator = v.indicator AND y.year = v.year "
                   "WHERE v.geo_year = ?1 AND v.level = ?2 AND %s",
                   !a->year[0] && a->latest ? "latest l JOIN" : "",
                   a->in ? ctg_territory_condition(a->territory.level) : "1");
    if (a->indicators)
        ctg_buf_puts(sql, " AND instr(',' || ?4 || ',', ',' || v.indicator || ',') > 0");
    if (a->year[0])
        ctg_buf_puts(sql, " AND v.year = ?5");
    else if (a->latest)
        ctg_buf_puts(sql, " AND v.indicator = l.indicator AND v.year = l.year");
    ctg_buf_puts(sql, " ORDER BY v.indicator, v.year, v.code");
}

int ctg_cmd_export(ctg_cli *cli, int argc, char **argv)
{
    export_args a;
    memset(&a, 0, sizeof a);
    int exit_now = 0;
    int rc = parse_args(cli, argc, argv, &a, &exit_now);
    if (rc || exit_now) {
        ctg_territory_clear(&a.territory);
        return rc;
    }
    ctg_error err;
    ctg_error_clear(&err);
    ctg_warehouse *wh = NULL;
    ctg_catalogue *cat = NULL;
    sqlite3_stmt *st = NULL;
    ctg_buf sql = CTG_BUF_INIT;
    ctg_status s = ctg_cli_catalogue(cli, &cat, &err);
    if (s == CTG_OK && a.indicators) {
        /* every id asked for must be in the catalogue */
        char *ids = strdup(a.indicators), *save = NULL;
        for (char *id = ids ? strtok_r(ids, ",", &save) : NULL; id; id = strtok_r(NULL, ",", &save))
            if (!ctg_catalogue_find(cat, id)) {
                rc = ctg_usage_error("export", "no indicator '%s' (see `ctgdiag indicators`)", id);
                break;
            }
        free(ids);
        if (rc) {
            ctg_catalogue_free(cat);
            ctg_territory_clear(&a.territory);
            return rc;
        }
    }
    if (s == CTG_OK)
        s = ctg_cli_open_read(cli, &wh, &err);
    int geo_year = a.geo_year;
    if (s == CTG_OK && !geo_year) {
        sqlite3_stmt *q = NULL;
        if (sqlite3_prepare_v2(ctg_wh_db(wh), "SELECT max(geo_year) FROM indicator_value", -1, &q,
                               NULL) == SQLITE_OK &&
            sqlite3_step(q) == SQLITE_ROW)
            geo_year = sqlite3_column_int(q, 0);
        sqlite3_finalize(q);
        if (!geo_year)
            s = ctg_fail(&err, CTG_ERR_NOINPUT, cli->db_path, 0,
                         "no indicator computed: run `ctgdiag compute` first");
    }
    if (s == CTG_OK) {
        build_query(&a, &sql);
        s = ctg_wh_prepare(wh, ctg_buf_str(&sql), &st, &err);
    }
    if (s == CTG_OK) {
        sqlite3_bind_int(st, 1, geo_year);
        sqlite3_bind_text(st, 2, ctg_level_name(a.level), -1, SQLITE_STATIC);
        if (a.in)
            ctg_territory_bind(st, 3, &a.territory);
        if (a.indicators)
            sqlite3_bind_text(st, 4, a.indicators, -1, SQLITE_STATIC);
        if (a.year[0] && !strcmp(a.year + 4, "-12"))
            a.year[4] = '\0'; /* a December extract gives its year */
        if (a.year[0])
            sqlite3_bind_text(st, 5, a.year, -1, SQLITE_STATIC);
        if (a.json) {
            printf("[");
        } else {
            for (size_t i = 0; i < NFIELDS; i++)
                printf("%s%s", i ? ";" : "", FIELDS[i]);
            putchar('\n');
        }
        long n = 0;
        int r;
        while ((r = sqlite3_step(st)) == SQLITE_ROW)
            print_row(st, &a, cat, n++);
        if (a.json)
            printf("%s]\n", n ? "\n" : "");
        if (r != SQLITE_DONE)
            s = ctg_wh_fail(wh, r, &err, "reading indicator values");
    }
    rc = s == CTG_OK ? 0 : ctg_report(&err);
    sqlite3_finalize(st);
    ctg_buf_free(&sql);
    ctg_wh_close(wh);
    ctg_catalogue_free(cat);
    ctg_territory_clear(&a.territory);
    return rc;
}
