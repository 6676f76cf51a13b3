/* cmd_report.c - `ctgdiag report`: the PDF diagnosis of a territory, one
 * file per axis of its plan and the complete diagnosis. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "compute/catalogue.h"
#include "ingest/ingest.h"
#include "render/plan.h"
#include "render/report.h"

typedef struct report_args {
    const char *plan;
    char year[16];
    ctg_report_options opt;
} report_args;

static int parse_args(ctg_cli *cli, int argc, char **argv, report_args *a, int *exit_now)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS,
                                         {"territory", required_argument, NULL, 't'},
                                         {"plan", required_argument, NULL, 'p'},
                                         {"name", required_argument, NULL, 'N'},
                                         {"year", required_argument, NULL, 'y'},
                                         {"geo-year", required_argument, NULL, 'g'},
                                         {"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("report");
    a->opt.out_dir = "reports";
    a->opt.date = -1;
    int o;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, o, optarg, exit_now)) {
            if (*exit_now)
                return 0;
            continue;
        }
        switch (o) {
        case 't': a->opt.territory = optarg; break;
        case 'p': a->plan = optarg; break;
        case 'N': a->opt.name = optarg; break;
        case 'o': a->opt.out_dir = optarg; break;
        case 'y':
            if (!ctg_period_normalise(optarg, a->year))
                return ctg_usage_error("report", "--year takes YYYY or YYYY-MM, not '%s'", optarg);
            if (!strcmp(a->year + 4, "-12"))
                a->year[4] = '\0';
            a->opt.year = a->year;
            break;
        case 'g':
            a->opt.geo_year = ctg_parse_year(optarg);
            if (!a->opt.geo_year)
                return ctg_usage_error("report", "--geo-year takes a year, not '%s'", optarg);
            break;
        default:
            return ctg_usage_error("report", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ctg_usage_error("report", "unexpected argument '%s'", argv[optind]);
    return 0;
}

int ctg_cmd_report(ctg_cli *cli, int argc, char **argv)
{
    report_args a;
    memset(&a, 0, sizeof a);
    int exit_now = 0;
    int rc = parse_args(cli, argc, argv, &a, &exit_now);
    if (rc || exit_now)
        return rc;
    if (!ctg_cli_source_date(&a.opt.date))
        return ctg_usage_error("report", "SOURCE_DATE_EPOCH is not a number of seconds");
    ctg_error err;
    ctg_error_clear(&err);
    ctg_catalogue *cat = NULL;
    ctg_plan *plan = NULL;
    ctg_warehouse *wh = NULL;
    ctg_report_result res;
    ctg_buf default_plan = CTG_BUF_INIT;
    ctg_cli_schema_file(cli, "plan_default.csv", &default_plan);
    const char *plan_path = a.plan ? a.plan : ctg_buf_str(&default_plan);
    ctg_status st = ctg_cli_catalogue(cli, &cat, &err);
    if (st == CTG_OK)
        st = ctg_plan_load(plan_path, &plan, &err);
    if (st == CTG_OK)
        st = ctg_plan_check(plan, cat, plan_path, &err);
    if (st == CTG_OK && !a.opt.territory && !plan->territory[0])
        st = ctg_fail(&err, CTG_ERR_USAGE, NULL, 0,
                      "which territory? --territory LEVEL:CODE (the plan names none)");
    if (st == CTG_OK)
        st = ctg_cli_open_read(cli, &wh, &err);
    if (st == CTG_OK)
        st = ctg_report_write(wh, cat, plan, &a.opt, &res, &err);
    if (st == CTG_OK)
        printf("%s/%s: %d files, the diagnosis %d pages\n", a.opt.out_dir, res.stem, res.files,
               res.pages);
    else
        rc = ctg_report(&err);
    ctg_wh_close(wh);
    ctg_plan_free(plan);
    ctg_catalogue_free(cat);
    ctg_buf_free(&default_plan);
    return rc;
}
