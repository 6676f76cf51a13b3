/* cmd_indicators.c - `ctgdiag indicators [ID]`: the catalogue. */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "cli/table.h"
#include "compute/catalogue.h"
#include "compute/fetch.h"

/* Whether the warehouse holds every term of the sum (some period of it). */
static int holds_sum(ctg_warehouse *wh, const ctg_sum *sum)
{
    for (size_t t = 0; t < sum->n; t++) {
        ctg_buf list = CTG_BUF_INIT;
        size_t n = 0;
        ctg_error err;
        ctg_status st = ctg_fetch_periods(wh, sum->terms[t].family, sum->terms[t].variable, &list,
                                          &n, &err);
        ctg_buf_free(&list);
        if (st != CTG_OK || n == 0)
            return 0;
    }
    return 1;
}

/* The number of years compute wrote for id (any geography); -1 when
 * compute never ran on this warehouse. */
static long computed_years(ctg_warehouse *wh, const char *id)
{
    sqlite3_stmt *st = NULL;
    long n = -1;
    if (ctg_wh_prepare(wh,
                       "SELECT (SELECT count(*) FROM indicator_year WHERE indicator = ?1), "
                       "EXISTS (SELECT 1 FROM indicator_year)",
                       &st, NULL) != CTG_OK)
        return -1;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 1))
        n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

/* What the warehouse can give: "computed" (compute wrote values), "no-years"
 * (compute ran: the inputs are there but their periods never line up, e.g.
 * housing starts of other years than the census interval), "available"
 * (every input of some alternative is held in some period; compute not run),
 * "unavailable". */
static const char *availability(ctg_warehouse *wh, const ctg_indicator *ind)
{
    if (!wh)
        return "";
    long years = computed_years(wh, ind->id);
    if (years > 0)
        return "computed";
    for (size_t a = 0; a < ind->nalts; a++) {
        const ctg_source *s = &ind->alts[a];
        int all = 1;
        if (s->agg == CTG_AGG_POINT_MORT) {
            for (int k = 0; k < CTG_PM_INPUTS && all; k++)
                all = holds_sum(wh, &s->pm[k]);
        } else if (s->agg == CTG_AGG_GROWTH_NATURAL || s->agg == CTG_AGG_GROWTH_MIGRATION) {
            for (int k = 0; k < CTG_GS_INPUTS && all; k++)
                all = holds_sum(wh, &s->gs[k]);
        } else {
            all = holds_sum(wh, &s->num) && holds_sum(wh, &s->den);
        }
        if (all)
            return years == 0 ? "no-years" : "available";
    }
    return "unavailable";
}

static void show_sum(const char *name, const ctg_sum *s)
{
    char buf[512];
    if (!s->n)
        return;
    ctg_sum_format(s, buf, sizeof buf);
    printf("    %-12s %s\n", name, buf);
}

static void show_one(const ctg_indicator *ind, const char *avail)
{
    static const char *const PM[CTG_PM_INPUTS] = {"log", "rp", "rslv", "pmen", "built"};
    static const char *const GS[CTG_GS_INPUTS] = {"end", "start", "births", "deaths"};
    printf("%s: %s\n  unit         %s\n  axis         %s\n", ind->id, ind->label, ind->unit,
           ind->axis);
    if (avail[0])
        printf("  inputs       %s in this warehouse\n", avail);
    printf("  definition   %s\n", ind->definition);
    for (size_t a = 0; a < ind->nalts; a++) {
        const ctg_source *s = &ind->alts[a];
        static const char *const PARTS[] = {"total", "renouvellement", "rslv", "desserrement",
                                            "effet_demographique"};
        printf("  source %d     %s%s%s%s\n", s->rank, ctg_aggregation_name(s->agg),
               s->agg == CTG_AGG_POINT_MORT ? ":" : "",
               s->agg == CTG_AGG_POINT_MORT ? PARTS[s->pm_part] : "",
               s->approx ? " (an approximation)" : "");
        if (s->agg == CTG_AGG_GROWTH || s->agg == CTG_AGG_GROWTH_NATURAL ||
            s->agg == CTG_AGG_GROWTH_MIGRATION)
            printf("    %-12s %d\n", "years", s->years);
        if (a > 0 && s->definition && s->definition[0])
            printf("    %-12s %s\n", "definition", s->definition);
        show_sum("numerator", &s->num);
        show_sum("denominator", &s->den);
        show_sum("weight", &s->weight);
        for (int k = 0; k < CTG_PM_INPUTS; k++)
            show_sum(PM[k], &s->pm[k]);
        for (int k = 0; k < CTG_GS_INPUTS; k++)
            show_sum(GS[k], &s->gs[k]);
    }
}

int ctg_cmd_indicators(ctg_cli *cli, int argc, char **argv)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("indicators");
    int o, exit_now = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, o, optarg, &exit_now)) {
            if (exit_now)
                return 0;
            continue;
        }
        return ctg_usage_error("indicators", "unknown option '%s'", argv[optind - 1]);
    }
    if (argc - optind > 1)
        return ctg_usage_error("indicators", "give at most one indicator id");
    ctg_error err;
    ctg_error_clear(&err);
    ctg_catalogue *cat = NULL;
    if (ctg_cli_catalogue(cli, &cat, &err) != CTG_OK)
        return ctg_report(&err);
    /* the warehouse, when there is one, says which indicators have inputs */
    ctg_warehouse *wh = NULL;
    struct stat sb;
    if (stat(cli->db_path, &sb) == 0 && ctg_cli_open_read(cli, &wh, &err) != CTG_OK)
        wh = NULL;
    int rc = 0;
    if (optind < argc) {
        const ctg_indicator *ind = ctg_catalogue_find(cat, argv[optind]);
        if (ind)
            show_one(ind, availability(wh, ind));
        else
            rc = ctg_usage_error("indicators", "no indicator '%s'", argv[optind]);
    } else {
        ctg_table *t = ctg_table_new(6);
        const char *head[6] = {"id", "axis", "unit", "aggregation", wh ? "inputs" : "", "label"};
        ctg_status st = t ? ctg_table_add(t, head) : CTG_ERR_NOMEM;
        for (size_t i = 0; st == CTG_OK && i < ctg_catalogue_count(cat); i++) {
            const ctg_indicator *ind = ctg_catalogue_at(cat, i);
            const char *row[6] = {ind->id, ind->axis, ind->unit,
                                  ctg_aggregation_name(ind->alts[0].agg), availability(wh, ind),
                                  ind->label};
            st = ctg_table_add(t, row);
        }
        if (st == CTG_OK)
            ctg_table_print(t, stdout);
        else
            rc = ctg_report(&(ctg_error){CTG_ERR_NOMEM, "", 0, "out of memory"});
        ctg_table_free(t);
    }
    ctg_wh_close(wh);
    ctg_catalogue_free(cat);
    return rc;
}
