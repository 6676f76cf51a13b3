/* cmd_compare.c - `ctgdiag compare`: territories side by side with their
 * EPCI, département and France, one indicator per row. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "cli/table.h"
#include "compute/results.h"
#include "ingest/ingest.h"

/* The indicators every warehouse offers (product.md), the default rows. */
static const char DEFAULT_INDICATORS[] =
    "pop_total,pop_growth_rate,pop_0_2,pop_3_5,pop_6_10,pop_11_17,pop_18_24,"
    "childcare_coverage,caf_allocataires,single_parent_share,poverty_rate,median_income,"
    "vacancy_rate,secondary_home_share,social_housing_rate,housing_benefit_share,point_mort";

#define MAX_SPECS 10
#define MAX_COLUMNS (3 * MAX_SPECS + 1) /* each with its EPCI and département, France */
#define LABEL_WIDTH 34
#define HEADER_WIDTH 14

typedef struct compare_args {
    const char *indicators;
    char year[16];
    int geo_year;
    ctg_out_format format;
    char **specs;                /* the territories asked for */
    int nspecs;
} compare_args;

/* A column: a territory and the name it is shown under. */
typedef struct column {
    ctg_territory t;
    char *spec;                  /* "commune:81099" (owned) */
    char name[160];
} column;

static int parse_args(ctg_cli *cli, int argc, char **argv, compare_args *a, int *exit_now)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS,
                                         {"indicators", required_argument, NULL, 'i'},
                                         {"year", required_argument, NULL, 'y'},
                                         {"geo-year", required_argument, NULL, 'g'},
                                         {"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("compare");
    int o, rc;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, o, optarg, exit_now)) {
            if (*exit_now)
                return 0;
            continue;
        }
        switch (o) {
        case 'i': a->indicators = optarg; break;
        case 'y':
            if (!ctg_period_normalise(optarg, a->year))
                return ctg_usage_error("compare", "--year takes YYYY or YYYY-MM, not '%s'",
                                       optarg);
            if (!strcmp(a->year + 4, "-12"))
                a->year[4] = '\0'; /* a December extract gives its year */
            break;
        case 'g':
            a->geo_year = ctg_parse_year(optarg);
            if (!a->geo_year)
                return ctg_usage_error("compare", "--geo-year takes a year, not '%s'", optarg);
            break;
        case 'f':
            if ((rc = ctg_parse_out_format("compare", optarg, &a->format)) != 0)
                return rc;
            break;
        default:
            return ctg_usage_error("compare", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return ctg_usage_error("compare", "which communes? (codes such as 81099, or "
                                          "LEVEL:CODE, or communes:C1,C2)");
    a->specs = argv + optind;
    a->nspecs = argc - optind;
    if (a->nspecs > MAX_SPECS)
        return ctg_usage_error("compare", "at most %d territories side by side", MAX_SPECS);
    return 0;
}

/* A plain code is a commune (or an arrondissement). */
static ctg_status parse_spec(const char *arg, column *c, ctg_error *err)
{
    int plain = !strchr(arg, ':') && strcmp(arg, "fr") && strcmp(arg, "FR");
    size_t size = strlen(arg) + sizeof "commune:";
    if (!(c->spec = malloc(size)))
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    snprintf(c->spec, size, "%s%s", plain ? "commune:" : "", arg);
    ctg_status st = ctg_territory_parse(c->spec, &c->t, err);
    if (st == CTG_OK && c->t.level == CTG_LEVEL_FR)
        snprintf(c->spec, size, "fr:FR");
    return st;
}

/* A column for a unit of the geography (a reference). */
static ctg_status reference_column(column *c, ctg_level level, const char *code, ctg_error *err)
{
    memset(c, 0, sizeof *c);
    c->t.level = level;
    snprintf(c->t.code, sizeof c->t.code, "%s", code);
    size_t size = strlen(code) + 16;
    if (!(c->spec = malloc(size)))
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    snprintf(c->spec, size, "%s:%s", ctg_level_name(level), code);
    return CTG_OK;
}

static int has_column(const column *cols, size_t n, ctg_level level, const char *code)
{
    for (size_t i = 0; i < n; i++)
        if (cols[i].t.level == level && !strcmp(cols[i].t.code, code))
            return 1;
    return 0;
}

/* Names the columns asked for and appends their EPCI, départements and
 * France (each once). */
static ctg_status build_columns(ctg_results *res, const compare_args *a, column *cols,
                                size_t *ncols, ctg_error *err)
{
    size_t n = 0;
    ctg_unit_info info[MAX_COLUMNS];
    ctg_status st = CTG_OK;
    for (int i = 0; i < a->nspecs && st == CTG_OK; i++) {
        column *c = &cols[n];
        st = parse_spec(a->specs[i], c, err);
        if (st != CTG_OK)
            break;
        n++;
        memset(&info[i], 0, sizeof info[i]);
        if (c->t.level == CTG_LEVEL_NONE) {
            st = ctg_results_check_territory(res, &c->t, err);
            snprintf(c->name, sizeof c->name, "%zu commune%s", c->t.ncommunes,
                     c->t.ncommunes > 1 ? "s" : "");
            continue;
        }
        if (c->t.level == CTG_LEVEL_FR) {
            snprintf(c->name, sizeof c->name, "France");
            continue;
        }
        int found = 0;
        st = ctg_results_unit(res, c->t.level, c->t.code, &info[i], &found, err);
        if (st == CTG_OK && !found)
            st = ctg_fail(err, CTG_ERR_USAGE, NULL, 0, "no %s %s in the geography of %d",
                          ctg_level_name(c->t.level), c->t.code, ctg_results_geo_year(res));
        if (st == CTG_OK)
            snprintf(c->name, sizeof c->name, "%s", info[i].name[0] ? info[i].name : c->t.code);
    }
    /* the references: EPCI, then départements, then France */
    for (int pass = 0; pass < 3 && st == CTG_OK; pass++)
        for (int i = 0; i < a->nspecs && st == CTG_OK; i++) {
            ctg_level level = pass == 0 ? CTG_LEVEL_EPCI : pass == 1 ? CTG_LEVEL_DEP
                                                                      : CTG_LEVEL_FR;
            const char *code = pass == 0 ? info[i].epci : pass == 1 ? info[i].dep : "FR";
            if (pass < 2 && cols[i].t.level != CTG_LEVEL_COMMUNE &&
                cols[i].t.level != CTG_LEVEL_ARM)
                continue;
            if (!code[0] || has_column(cols, n, level, code))
                continue;
            column *c = &cols[n];
            ctg_unit_info u;
            int found = 0;
            st = reference_column(c, level, code, err);
            if (st == CTG_OK)
                st = ctg_results_unit(res, level, code, &u, &found, err);
            snprintf(c->name, sizeof c->name, "%s",
                     level == CTG_LEVEL_FR ? "France" : found && u.name[0] ? u.name : code);
            n++;
        }
    *ncols = n;
    return st;
}

static void print_value_csv(const column *c, const char *indicator, const char *year,
                            const ctg_value *v, int found)
{
    char value[32] = "", cov[32] = "";
    if (found) {
        ctg_out_number(v->value, 0, value, sizeof value);
        ctg_out_number(v->coverage, 0, cov, sizeof cov);
    }
    printf("%s;", c->spec);
    ctg_out_csv_field(c->name);
    printf(";%s;%s;%s;%s;%s;%s\n", indicator, year, value, found ? v->status : "missing", cov,
           found ? v->flags : "");
}

static void print_value_json(const column *c, const char *indicator, const char *year,
                             const ctg_value *v, int found, int first)
{
    char value[32] = "", cov[32] = "";
    if (found) {
        ctg_out_number(v->value, 0, value, sizeof value);
        ctg_out_number(v->coverage, 0, cov, sizeof cov);
    }
    printf("%s\n  {\"territory\": ", first ? "" : ",");
    ctg_out_json_string(c->spec);
    printf(", \"name\": ");
    ctg_out_json_string(c->name);
    printf(", \"indicator\": ");
    ctg_out_json_string(indicator);
    printf(", \"year\": ");
    ctg_out_json_string(year);
    printf(", \"value\": %s, \"status\": \"%s\", \"coverage\": %s, \"flags\": ",
           value[0] ? value : "null", found ? v->status : "missing", cov[0] ? cov : "null");
    ctg_out_json_string(found ? v->flags : "");
    putchar('}');
}

/* One indicator: a table row, or a record per column. */
static ctg_status compare_indicator(ctg_results *res, const compare_args *a,
                                    const ctg_indicator *ind, const column *cols, size_t ncols,
                                    ctg_table *table, long *records, ctg_error *err)
{
    char year[16];
    ctg_status st = CTG_OK;
    if (a->year[0])
        snprintf(year, sizeof year, "%s", a->year);
    else
        st = ctg_results_latest_year(res, ind->id, year, err);
    if (st != CTG_OK)
        return st;
    char *cells[MAX_COLUMNS + 2];
    char texts[MAX_COLUMNS + 2][256];
    char label[256];
    snprintf(label, sizeof label, "%s (%s)", ind->label, ind->unit);
    ctg_table_wrap(label, LABEL_WIDTH, texts[0], sizeof texts[0]);
    snprintf(texts[1], sizeof texts[1], "%s", year[0] ? year : "n.d.");
    for (size_t i = 0; i < ncols && st == CTG_OK; i++) {
        ctg_value v;
        int found = 0;
        if (year[0])
            st = ctg_results_value(res, ind->id, year, &cols[i].t, &v, &found, err);
        if (st != CTG_OK)
            break;
        if (a->format == CTG_OUT_CSV)
            print_value_csv(&cols[i], ind->id, year, &v, found);
        else if (a->format == CTG_OUT_JSON)
            print_value_json(&cols[i], ind->id, year, &v, found, *records == 0);
        else if (found)
            ctg_value_display(&v, ind->unit, texts[i + 2], sizeof texts[i + 2]);
        else
            snprintf(texts[i + 2], sizeof texts[i + 2], "n.d.");
        (*records)++;
    }
    if (st != CTG_OK || a->format != CTG_OUT_TABLE)
        return st;
    for (size_t i = 0; i < ncols + 2; i++)
        cells[i] = texts[i];
    return ctg_table_add(table, (const char *const *)cells) == CTG_OK
               ? CTG_OK
               : ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
}

static ctg_status check_indicators(const ctg_catalogue *cat, const char *list, ctg_error *err)
{
    char *ids = strdup(list), *save = NULL;
    if (!ids)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    ctg_status st = CTG_OK;
    for (char *id = strtok_r(ids, ",", &save); id && st == CTG_OK; id = strtok_r(NULL, ",", &save))
        if (!ctg_catalogue_find(cat, id))
            st = ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                          "no indicator '%s' (see `ctgdiag indicators`)", id);
    free(ids);
    return st;
}

static ctg_status run_compare(ctg_results *res, const ctg_catalogue *cat, const compare_args *a,
                              const column *cols, size_t ncols, ctg_error *err)
{
    const char *list = a->indicators ? a->indicators : DEFAULT_INDICATORS;
    ctg_table *table = ctg_table_new(ncols + 2);
    char *ids = strdup(list), *save = NULL;
    ctg_status st = CTG_OK;
    long records = 0;
    if (!table || !ids) {
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        goto cleanup;
    }
    char head[MAX_COLUMNS + 2][256];
    const char *cells[MAX_COLUMNS + 2];
    snprintf(head[0], sizeof head[0], "Indicateur (unité)");
    snprintf(head[1], sizeof head[1], "Année");
    for (size_t i = 0; i < ncols; i++)
        ctg_table_wrap(cols[i].name, HEADER_WIDTH, head[i + 2], sizeof head[i + 2]);
    for (size_t i = 0; i < ncols + 2; i++) {
        cells[i] = head[i];
        if (i >= 2)
            ctg_table_right(table, i);
    }
    if (ctg_table_add(table, cells) != CTG_OK) {
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        goto cleanup;
    }
    if (a->format == CTG_OUT_CSV)
        printf("territory;name;indicator;year;value;status;coverage;flags\n");
    else if (a->format == CTG_OUT_JSON)
        printf("{\"geo_year\": %d, \"values\": [", ctg_results_geo_year(res));
    for (char *id = strtok_r(ids, ",", &save); id && st == CTG_OK;
         id = strtok_r(NULL, ",", &save)) {
        const ctg_indicator *ind = ctg_catalogue_find(cat, id);
        if (ind) /* a catalogue of one's own may lack a default id */
            st = compare_indicator(res, a, ind, cols, ncols, table, &records, err);
    }
    if (st != CTG_OK)
        goto cleanup;
    if (a->format == CTG_OUT_JSON) {
        printf("%s]}\n", records ? "\n" : "");
    } else if (a->format == CTG_OUT_TABLE) {
        if (a->year[0])
            printf("Géographie %d ; année %s\n\n", ctg_results_geo_year(res), a->year);
        else
            printf("Géographie %d ; année : la plus récente calculée pour chaque indicateur\n\n",
                   ctg_results_geo_year(res));
        ctg_table_print(table, stdout);
        printf("\n%s\n", CTG_VALUE_LEGEND);
    }
cleanup:
    free(ids);
    ctg_table_free(table);
    return st;
}

int ctg_cmd_compare(ctg_cli *cli, int argc, char **argv)
{
    compare_args a;
    memset(&a, 0, sizeof a);
    int exit_now = 0;
    int rc = parse_args(cli, argc, argv, &a, &exit_now);
    if (rc || exit_now)
        return rc;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_catalogue *cat = NULL;
    ctg_warehouse *wh = NULL;
    ctg_results *res = NULL;
    column cols[MAX_COLUMNS];
    size_t ncols = 0;
    memset(cols, 0, sizeof cols);
    ctg_status st = ctg_cli_catalogue(cli, &cat, &err);
    if (st == CTG_OK && a.indicators)
        st = check_indicators(cat, a.indicators, &err);
    if (st == CTG_OK)
        st = ctg_cli_open_read(cli, &wh, &err);
    if (st == CTG_OK)
        st = ctg_results_open(wh, cat, a.geo_year, &res, &err);
    if (st == CTG_OK)
        st = build_columns(res, &a, cols, &ncols, &err);
    if (st == CTG_OK)
        st = run_compare(res, cat, &a, cols, ncols, &err);
    rc = st == CTG_OK ? 0 : ctg_report(&err);
    for (size_t i = 0; i < MAX_COLUMNS; i++) {
        ctg_territory_clear(&cols[i].t);
        free(cols[i].spec);
    }
    ctg_results_free(res);
    ctg_wh_close(wh);
    ctg_catalogue_free(cat);
    return rc;
}
