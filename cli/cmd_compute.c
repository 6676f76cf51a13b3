/* cmd_compute.c - `ctgdiag compute`: the indicators of the catalogue. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "compute/compute.h"
#include "ingest/ingest.h"

int ctg_cmd_compute(ctg_cli *cli, int argc, char **argv)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS,
                                         {"year", required_argument, NULL, 'y'},
                                         {"geo-year", required_argument, NULL, 'g'},
                                         {"incremental", no_argument, NULL, 'i'},
                                         {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("compute");
    ctg_compute_options opt;
    memset(&opt, 0, sizeof opt);
    opt.diag = stderr;
    char year[16];
    int o, exit_now = 0;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, o, optarg, &exit_now)) {
            if (exit_now)
                return 0;
            continue;
        }
        switch (o) {
        case 'y':
            if (!ctg_period_normalise(optarg, year))
                return ctg_usage_error("compute", "--year takes YYYY or YYYY-MM, not '%s'", optarg);
            if (!strcmp(year + 4, "-12"))
                year[4] = '\0'; /* a December extract gives its year */
            opt.year = year;
            break;
        case 'i': opt.incremental = 1; break;
        case 'g':
            opt.geo_year = ctg_parse_year(optarg);
            if (!opt.geo_year)
                return ctg_usage_error("compute", "--geo-year takes a year, not '%s'", optarg);
            break;
        default:
            return ctg_usage_error("compute", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ctg_usage_error("compute", "unexpected argument '%s'", argv[optind]);
    ctg_error err;
    ctg_error_clear(&err);
    ctg_catalogue *cat = NULL;
    ctg_warehouse *wh = NULL;
    ctg_compute_result res;
    ctg_status st = ctg_cli_catalogue(cli, &cat, &err);
    if (st == CTG_OK)
        st = ctg_wh_open(cli->db_path, CTG_WH_WRITER, &wh, &err);
    if (st == CTG_OK)
        st = ctg_compute(wh, cat, &opt, &res, &err);
    int rc = 0;
    if (st == CTG_OK)
        printf("computed geo_year=%d indicators=%ld years=%ld values=%ld unmapped=%ld "
               "up_to_date=%ld\n",
               res.geo_year, res.indicators, res.years, res.values, res.unmapped,
               res.up_to_date);
    else
        rc = ctg_report(&err);
    ctg_wh_close(wh);
    ctg_catalogue_free(cat);
    return rc;
}
