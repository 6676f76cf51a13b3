/* cmd_geo.c - `ctgdiag geo`: the units of a geography vintage and their
 * parents, from the COG, the table d'appartenance and the IRIS reference. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "core/buf.h"
#include "core/geocode.h"

/* The communes of year ?1: from the COG, joined to their EPCI; communes the
 * COG of that year lacks but the table d'appartenance has come from it. */
static const char COMMUNES_CTE[] =
    "com(code, name, dep, reg, epci) AS ("
    " SELECT c.code, c.name, c.dep, c.reg, m.epci FROM geo_commune c"
    "  LEFT JOIN geo_membership m ON m.geo_year = c.geo_year AND m.level = 'commune'"
    "   AND m.code = c.code"
    "  WHERE c.geo_year = ?1 AND c.typecom = 'COM'"
    " UNION ALL"
    " SELECT m.code, m.name, m.dep, m.reg, m.epci FROM geo_membership m"
    "  WHERE m.geo_year = ?1 AND m.level = 'commune' AND NOT EXISTS (SELECT 1 FROM geo_commune c"
    "   WHERE c.geo_year = ?1 AND c.typecom = 'COM' AND c.code = m.code))";

/* The name of an area (?level, code) for year ?1: the nearest list not after
 * the year, else the nearest after. */
#define AREA_NAME(level, code)                                                                     \
    "ifnull((SELECT a.name FROM geo_area a WHERE a.level = '" level "' AND a.code = " code          \
    " ORDER BY a.geo_year > ?1, abs(a.geo_year - ?1) LIMIT 1), '')"

static const char *const LEVEL_SQL[] = {
    [CTG_LEVEL_COMMUNE] = "SELECT 'commune', code, name, '', ifnull(epci, ''), ifnull(dep, ''), "
                          "ifnull(reg, ''), ifnull(dep, ''), ifnull(reg, '') FROM com",
    [CTG_LEVEL_ARM] =
        "SELECT 'arm', a.code, a.name, ifnull(a.parent, ''), ifnull(ifnull(m.epci, p.epci), ''), "
        "ifnull(a.dep, ''), ifnull(a.reg, ''), ifnull(a.dep, ''), ifnull(a.reg, '') FROM ("
        " SELECT code, name, parent, dep, reg FROM geo_commune WHERE geo_year = ?1 AND typecom = 'ARM'"
        " UNION ALL SELECT code, name, parent, dep, reg FROM geo_membership g"
        "  WHERE geo_year = ?1 AND level = 'arm' AND NOT EXISTS (SELECT 1 FROM geo_commune c"
        "   WHERE c.geo_year = ?1 AND c.typecom = 'ARM' AND c.code = g.code)) a"
        " LEFT JOIN geo_membership m ON m.geo_year = ?1 AND m.level = 'arm' AND m.code = a.code"
        " LEFT JOIN com p ON p.code = a.parent",
    [CTG_LEVEL_IRIS] =
        "SELECT 'iris', i.code, i.name, i.commune, ifnull(c.epci, ''), ifnull(c.dep, ''), "
        "ifnull(c.reg, ''), ifnull(c.dep, ''), ifnull(c.reg, '') FROM geo_iris i"
        " LEFT JOIN com c ON c.code = i.commune WHERE i.geo_year = ?2",
    [CTG_LEVEL_EPCI] =
        "SELECT 'epci', c.epci, " AREA_NAME("epci", "c.epci") ", '', '', "
        "CASE WHEN count(DISTINCT c.dep) = 1 THEN max(c.dep) ELSE '' END, "
        "CASE WHEN count(DISTINCT c.reg) = 1 THEN max(c.reg) ELSE '' END, "
        "group_concat(DISTINCT c.dep), group_concat(DISTINCT c.reg) "
        "FROM com c WHERE c.epci IS NOT NULL GROUP BY c.epci",
    [CTG_LEVEL_DEP] = "SELECT 'dep', c.dep, " AREA_NAME("dep", "c.dep") ", '', '', '', "
                      "ifnull(max(c.reg), ''), c.dep, ifnull(max(c.reg), '') FROM com c "
                      "WHERE c.dep IS NOT NULL GROUP BY c.dep",
    [CTG_LEVEL_REG] = "SELECT 'reg', c.reg, " AREA_NAME("reg", "c.reg") ", '', '', '', '', "
                      "group_concat(DISTINCT c.dep), c.reg FROM com c WHERE c.reg IS NOT NULL "
                      "GROUP BY c.reg",
    [CTG_LEVEL_FR] = "SELECT 'fr', 'FR', 'France', '', '', '', '', '', ''",
};

/* Keeps the units inside (?3 level, ?4 code). */
static const char *in_filter(ctg_level level)
{
    switch (level) {
    case CTG_LEVEL_COMMUNE:
    case CTG_LEVEL_ARM:
        return "u.code = ?4 OR u.commune = ?4";
    case CTG_LEVEL_IRIS:
        return "u.code = ?4";
    case CTG_LEVEL_EPCI:
        return "u.epci = ?4 OR (u.level = 'epci' AND u.code = ?4)";
    case CTG_LEVEL_DEP:
        return "',' || u.deps || ',' LIKE '%,' || ?4 || ',%' OR (u.level = 'dep' AND u.code = ?4)";
    case CTG_LEVEL_REG:
        return "',' || u.regs || ',' LIKE '%,' || ?4 || ',%' OR (u.level = 'reg' AND u.code = ?4)";
    default:
        return "1";
    }
}

typedef struct geo_args {
    ctg_level level;
    ctg_level in_level;
    char in_code[CTG_CODE_MAX];
    int year;
    int json;
} geo_args;

static int parse_in(const char *arg, geo_args *a)
{
    const char *colon = strchr(arg, ':');
    if (!colon)
        return 0;
    char level[16];
    size_t n = (size_t)(colon - arg);
    if (n >= sizeof level)
        return 0;
    memcpy(level, arg, n);
    level[n] = '\0';
    a->in_level = ctg_level_parse(level);
    if (a->in_level == CTG_LEVEL_NONE || a->in_level == CTG_LEVEL_PSEUDO)
        return 0;
    if (a->in_level == CTG_LEVEL_FR)
        return 1;
    ctg_level code_level = a->in_level == CTG_LEVEL_ARM ? CTG_LEVEL_COMMUNE : a->in_level;
    return ctg_code_normalise(code_level, colon + 1, strlen(colon + 1), a->in_code);
}

static int parse_args(ctg_cli *cli, int argc, char **argv, geo_args *a, int *exit_now)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS,
                                         {"level", required_argument, NULL, 'l'},
                                         {"in", required_argument, NULL, 'i'},
                                         {"year", required_argument, NULL, 'y'},
                                         {"geo-year", required_argument, NULL, 'y'},
                                         {"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("geo");
    int opt;
    opterr = 0;
    a->level = CTG_LEVEL_COMMUNE;
    while ((opt = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, opt, optarg, exit_now)) {
            if (*exit_now)
                return 0;
            continue;
        }
        switch (opt) {
        case 'l':
            a->level = ctg_level_parse(optarg);
            if (a->level == CTG_LEVEL_NONE || a->level == CTG_LEVEL_PSEUDO)
                return ctg_usage_error("geo", "--level is commune, arm, iris, epci, dep, reg or "
                                              "fr, not '%s'", optarg);
            break;
        case 'i':
            if (!parse_in(optarg, a))
                return ctg_usage_error("geo", "--in takes LEVEL:CODE (e.g. epci:200066124), "
                                              "not '%s'", optarg);
            break;
        case 'y':
            a->year = ctg_parse_year(optarg);
            if (!a->year)
                return ctg_usage_error("geo", "--year takes a year, not '%s'", optarg);
            break;
        case 'f':
            if (!strcmp(optarg, "json"))
                a->json = 1;
            else if (strcmp(optarg, "csv"))
                return ctg_usage_error("geo", "--format is csv or json, not '%s'", optarg);
            break;
        default:
            return ctg_usage_error("geo", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ctg_usage_error("geo", "unexpected argument '%s'", argv[optind]);
    return 0;
}

static int int_query(ctg_warehouse *wh, const char *sql, int param)
{
    sqlite3_stmt *st = NULL;
    int v = 0;
    if (sqlite3_prepare_v2(ctg_wh_db(wh), sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int(st, 1, param);
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return v;
}

/* Chooses the year: the one asked for if loaded, else the latest. */
static ctg_status choose_year(ctg_warehouse *wh, geo_args *a, ctg_error *err)
{
    static const char YEARS[] = "SELECT max(geo_year) FROM (SELECT geo_year FROM geo_commune "
                                "UNION SELECT geo_year FROM geo_membership)";
    static const char HAS[] = "SELECT count(*) FROM (SELECT geo_year FROM geo_commune WHERE "
                              "geo_year = ?1 UNION SELECT geo_year FROM geo_membership WHERE "
                              "geo_year = ?1)";
    int latest = int_query(wh, YEARS, 0);
    if (!latest)
        return ctg_fail(err, CTG_ERR_NOINPUT, NULL, 0,
                        "no geography in the warehouse: ingest a COG communes file or a table "
                        "d'appartenance first");
    if (!a->year) {
        a->year = latest;
        return CTG_OK;
    }
    if (!int_query(wh, HAS, a->year))
        return ctg_fail(err, CTG_ERR_NOINPUT, NULL, 0,
                        "no geography of %d in the warehouse (latest: %d)", a->year, latest);
    return CTG_OK;
}

static const char *const COLUMNS[] = {"level", "code", "name", "commune", "epci", "dep", "reg"};

static void print_row(sqlite3_stmt *st, int json, long n)
{
    if (json) {
        printf("%s\n  {", n ? "," : "");
        for (int i = 0; i < 7; i++) {
            printf("%s\"%s\": ", i ? ", " : "", COLUMNS[i]);
            ctg_out_json_string((const char *)sqlite3_column_text(st, i));
        }
        putchar('}');
        return;
    }
    for (int i = 0; i < 7; i++) {
        if (i)
            putchar(';');
        ctg_out_csv_field((const char *)sqlite3_column_text(st, i));
    }
    putchar('\n');
}

static ctg_status list_units(ctg_warehouse *wh, const geo_args *a, ctg_error *err)
{
    ctg_buf sql = CTG_BUF_INIT;
    ctg_buf_printf(&sql,
                   "WITH %s, u(level, code, name, commune, epci, dep, reg, deps, regs) AS (%s) "
                   "SELECT level, code, ifnull(name, ''), ifnull(commune, ''), ifnull(epci, ''), "
                   "ifnull(dep, ''), ifnull(reg, '') FROM u WHERE %s ORDER BY code",
                   COMMUNES_CTE, LEVEL_SQL[a->level],
                   a->in_level ? in_filter(a->in_level) : "1");
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, ctg_buf_str(&sql), &st, err);
    ctg_buf_free(&sql);
    if (s != CTG_OK)
        return s;
    int iris_year = int_query(wh,
                              "SELECT ifnull((SELECT max(geo_year) FROM geo_iris WHERE geo_year <= ?1),"
                              " (SELECT min(geo_year) FROM geo_iris))",
                              a->year);
    sqlite3_bind_int(st, 1, a->year);
    sqlite3_bind_int(st, 2, iris_year);
    sqlite3_bind_text(st, 3, ctg_level_name(a->in_level), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, a->in_code, -1, SQLITE_STATIC);
    if (a->json)
        printf("[");
    else
        printf("level;code;name;commune;epci;dep;reg\n");
    long n = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        print_row(st, a->json, n++);
    if (a->json)
        printf("%s]\n", n ? "\n" : "");
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(wh, rc, err, "listing units");
    fprintf(stderr, "ctgdiag geo: %ld %s unit(s), geography of %d%s\n", n,
            ctg_level_name(a->level), a->year,
            a->level == CTG_LEVEL_IRIS && iris_year != a->year ? " (IRIS list of another year)" : "");
    if (a->level == CTG_LEVEL_IRIS && iris_year && iris_year != a->year)
        fprintf(stderr, "ctgdiag geo: the IRIS list used is that of %d\n", iris_year);
    return CTG_OK;
}

int ctg_cmd_geo(ctg_cli *cli, int argc, char **argv)
{
    geo_args a;
    memset(&a, 0, sizeof a);
    int exit_now = 0;
    int rc = parse_args(cli, argc, argv, &a, &exit_now);
    if (rc || exit_now)
        return rc;
    ctg_warehouse *wh = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_cli_open_read(cli, &wh, &err);
    if (st == CTG_OK)
        st = choose_year(wh, &a, &err);
    if (st == CTG_OK)
        st = list_units(wh, &a, &err);
    ctg_wh_close(wh);
    return st == CTG_OK ? 0 : ctg_report(&err);
}
