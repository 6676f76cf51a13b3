/* main.c - ctgdiag's entry point: global options, then the subcommand. */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include "cli/cli.h"
#include "compute/stats.h"
#include "compute/catalogue.h"
#include "core/buf.h"

#ifndef CTG_VERSION
#define CTG_VERSION "0"
#endif
#ifndef CTG_DEFAULT_SCHEMA_DIR
#define CTG_DEFAULT_SCHEMA_DIR "schemas"
#endif

static const ctg_command COMMANDS[] = {
    {"ingest", "load CSV extracts (files or folders) into the warehouse",
     "ctgdiag [--db FILE] ingest [--dry-run] [--strict] [--replace] [--max-rejects PCT]\n"
     "                           [--schema ID] [--vintage YEAR] [--geo-year Y] PATH...\n"
     "\n"
     "Reads each file (folders are searched recursively for .csv, .tsv and .txt\n"
     "files; other files are listed as skipped), recognises its family from its\n"
     "header (see `ctgdiag schemas`), normalises it and loads it in one\n"
     "transaction. Prints one line per file:\n"
     "  PATH: STATUS schema=ID vintage=YEAR rows=N loaded=N rejected=N duplicates=N secret=N\n"
     "STATUS is loaded, unchanged (same content already loaded), rejected (the\n"
     "reason follows) or skipped. Rows rejected alone are kept in the warehouse\n"
     "with their reason (`ctgdiag status --rejects`).\n"
     "\n"
     "  --dry-run          read and check everything, write nothing\n"
     "  --strict           any rejected row rejects the whole file\n"
     "  --replace          a file of the same family and year that shares units with\n"
     "                     a loaded file of another name replaces it\n"
     "  --max-rejects PCT  reject the file when more than PCT % of its rows are\n"
     "                     rejected (default 5)\n"
     "  --schema ID        read the files as family ID instead of recognising it\n"
     "  --vintage YEAR     the file's year (YYYY or YYYY-MM) when neither its name,\n"
     "                     title lines nor columns say\n"
     "  --geo-year Y       the geography year of the file's codes\n"
     "\n"
     "Exit: 0 all files loaded or unchanged; 65 some file rejected; 66 an input is\n"
     "missing; 73 the warehouse cannot be written; 75 another run holds it.\n",
     ctg_cmd_ingest},
    {"status", "what the warehouse holds, from which files, how fresh",
     "ctgdiag [--db FILE] status [--rejects] [--notices] [--unmapped]\n"
     "\n"
     "Lists every loaded file (family, vintage, rows read, loaded, rejected,\n"
     "duplicates, secret cells, sha256 prefix, when loaded), totals per family,\n"
     "the geography vintages held, the files whose codes are not all in the\n"
     "geography of their year, and the last runs.\n"
     "  --rejects   also list every rejected row: file, line, reason, text\n"
     "  --notices   also list pseudo-codes, totals, withheld units and blank rows\n"
     "  --unmapped  also list the codes that the geography of their file's year\n"
     "              (COG or table d'appartenance, when loaded) does not hold\n",
     ctg_cmd_status},
    {"compute", "compute the indicators of the catalogue on one geography",
     "ctgdiag [--db FILE] compute [--year Y] [--geo-year Y] [--incremental]\n"
     "\n"
     "Computes every indicator of the catalogue (`ctgdiag indicators`) for every\n"
     "year its inputs allow (or year Y), for the communes and arrondissements of\n"
     "the geography of --geo-year (default: the latest loaded) and their groups:\n"
     "EPCI, départements, régions, France, by ratio of sums. Replaces what an\n"
     "earlier compute wrote for that geography.\n"
     "\n"
     "  --incremental  recompute only the indicators whose inputs changed since\n"
     "                 they were computed (their files, the geography, the\n"
     "                 catalogue's lines, the ctgdiag version); the others keep\n"
     "                 their values (up_to_date= in the summary line)\n",
     ctg_cmd_compute},
    {"export", "write indicator values as CSV or JSON",
     "ctgdiag [--db FILE] export [--indicators ID,...] [--level LEVEL] [--in LEVEL:CODE]\n"
     "                           [--year Y|latest|all] [--geo-year Y] [--format csv|json]\n"
     "                           [--decimal-comma]\n"
     "\n"
     "Writes level;code;name;indicator;year;value;status;geo_year;coverage;flags;\n"
     "unit;sources;low;high (UTF-8, ';'-separated) for the computed values (low and\n"
     "high: the bounds left by counts the producer rounded): LEVEL commune\n"
     "(default), arm, iris, epci, dep, reg or fr; --in keeps the units inside one\n"
     "(epci:200066124, dep:81...); --year latest (default) keeps each indicator's\n"
     "latest year. Values at full precision; --decimal-comma writes 59,6 for\n"
     "French spreadsheets. status is ok, rounded, approx, partial, secret or\n"
     "missing (value empty for the last two).\n",
     ctg_cmd_export},
    {"compare", "communes side by side with their EPCI, département and France",
     "ctgdiag [--db FILE] compare CODE... [--indicators ID,...] [--year Y] [--geo-year Y]\n"
     "                            [--format table|csv|json]\n"
     "\n"
     "One row per indicator (default: the ids every warehouse offers), one column\n"
     "per territory: each CODE (a commune such as 81099, or LEVEL:CODE such as\n"
     "epci:200066124, or communes:81099,81105 for a territory made of communes,\n"
     "aggregated by ratio of sums), then their EPCI, départements and France.\n"
     "Values in French format with the marks ~ approx, * partial, ! small count;\n"
     "each indicator at its latest year computed unless --year. csv and json\n"
     "give territory;name;indicator;year;value;status;coverage;flags.\n",
     ctg_cmd_compare},
    {"rank", "rank the units of a territory on one indicator",
     "ctgdiag [--db FILE] rank INDICATOR [--in TERRITORY] [--level LEVEL] [--year Y]\n"
     "                         [--geo-year Y] [--format table|csv|json]\n"
     "\n"
     "Ranks the units of LEVEL (commune by default; arm, iris, epci, dep, reg) inside\n"
     "TERRITORY (epci:200066124, dep:81, communes:81099,81105...; default all of\n"
     "France) on INDICATOR at year Y (default its latest): rank (1 = highest),\n"
     "quartile, z-score, outliers beyond 1.5 IQR, a Wilson 95 % interval for\n"
     "proportions, then the distribution (min, quartiles as R's type 7, max,\n"
     "mean, sd) and the territory's own value. Secret and missing values are\n"
     "listed last, unranked.\n",
     ctg_cmd_rank},
    {"run", "the unattended refresh (cron): ingest what is new, recompute, re-render",
     "ctgdiag run --config FILE [--wait SECONDS] [--quiet] [--log FILE]\n"
     "\n"
     "Reads the configuration FILE (docs/operations.md): the warehouse, the inbox\n"
     "folders, the reports folder and the territories to render. Then, holding\n"
     "the warehouse: ingests the files of the inbox that are new or changed,\n"
     "recomputes the indicators whose inputs changed, re-renders the reports\n"
     "whose figures changed, and writes a change report (CSV and PDF) into\n"
     "REPORTS/changes/. A run with nothing new changes nothing and says so.\n"
     "\n"
     "  --wait SECONDS  wait that long for another run to release the warehouse\n"
     "                  (default: exit 75 at once)\n"
     "  --quiet         print nothing on success (cron mails only failures)\n"
     "  --log FILE      append timestamped lines of what the run did to FILE\n"
     "\n"
     "Exit codes: 0 done; 65 a file of the inbox was rejected (the rest loaded\n"
     "and the reports refreshed); 66 an inbox or a plan is missing; 73 the\n"
     "warehouse, a report or the log cannot be written (disk full, rights); 75\n"
     "another run holds the warehouse; 128+N stopped by signal N (the step under\n"
     "way rolled back).\n",
     ctg_cmd_run},
    {"report", "write the PDF diagnosis of a territory, one file per axis of its plan",
     "ctgdiag [--db FILE] report --territory LEVEL:CODE [--plan FILE] [--name TEXT]\n"
     "                           [--year Y] [--geo-year Y] [--out DIR]\n"
     "\n"
     "Writes DIR/<territory>-axe-<N>.pdf for each axis of the plan (a plan file,\n"
     "samples/plans/README.md; default: schemas/plan_default.csv, the usual CTG\n"
     "axes with the indicators of the catalogue that serve each) and\n"
     "DIR/<territory>-diagnostic.pdf (cover, every axis, annexes). TERRITORY is\n"
     "epci:CODE, commune:CODE, dep:CODE or communes:C1,C2 (--name names it); the\n"
     "plan's own territory when omitted. DIR defaults to ./reports. The PDFs are\n"
     "reproducible: no clock; a date only from SOURCE_DATE_EPOCH.\n",
     ctg_cmd_report},
    {"indicators", "list the indicators of the catalogue, with definitions",
     "ctgdiag [--db FILE] indicators [ID]\n"
     "\n"
     "Lists the catalogue (schemas/indicators.csv): id, label, unit, axis, how\n"
     "groups aggregate it, and whether the warehouse holds its inputs. With ID:\n"
     "its definition and every source alternative.\n",
     ctg_cmd_indicators},
    {"schemas", "list the families of files ctgdiag recognises",
     "ctgdiag schemas [ID]\n"
     "\n"
     "Without ID: one line per family (id, target, producer, label). With ID:\n"
     "the family's definition: how it is recognised, read and mapped.\n"
     "Families are read from schemas/families/*.family (docs/schemas.md); more\n"
     "folders can be given with --schemas DIR[:DIR...] or $CTGDIAG_SCHEMAS.\n",
     ctg_cmd_schemas},
    {"geo", "list the geographic units of a vintage, with their parents",
     "ctgdiag [--db FILE] geo [--level LEVEL] [--in LEVEL:CODE] [--year Y]\n"
     "                        [--format csv|json]\n"
     "\n"
     "Writes level;code;name;commune;epci;dep;reg (UTF-8, ';'-separated) for the\n"
     "units of LEVEL (commune, arm, iris, epci, dep, reg, fr; default commune) in\n"
     "the geography of year Y (default: the latest loaded), restricted with --in\n"
     "to those inside one unit, e.g. --in epci:200066124 or --in dep:81.\n",
     ctg_cmd_geo},
};

static const char MAIN_USAGE[] =
    "usage: ctgdiag [--db FILE] [--schemas DIR] COMMAND [OPTIONS] [ARGS]\n"
    "\n"
    "Turns CAF and INSEE CSV extracts into checked per-commune indicators for\n"
    "Conventions Territoriales Globales.\n"
    "\n"
    "Global options:\n"
    "  --db FILE       the warehouse (default $CTGDIAG_DB, else ./ctgdiag.db)\n"
    "  --schemas DIR   folders of family definitions searched before the built-in\n"
    "                  one (':'-separated; default $CTGDIAG_SCHEMAS)\n"
    "  --help          this help; `ctgdiag COMMAND --help` for a command\n"
    "  --version       the version\n"
    "\n"
    "Commands:\n";

const ctg_command *ctg_command_find(const char *name)
{
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (!strcmp(COMMANDS[i].name, name))
            return &COMMANDS[i];
    return NULL;
}

void ctg_command_usage(const ctg_command *cmd, FILE *stream)
{
    fprintf(stream, "usage: %s", cmd->usage);
}

static void main_usage(FILE *stream)
{
    fputs(MAIN_USAGE, stream);
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        fprintf(stream, "  %-10s %s\n", COMMANDS[i].name, COMMANDS[i].summary);
    fputs("\nExit codes: 0 success, 64 bad usage, 65 input rejected, 66 input missing,\n"
          "70 internal error, 73 output cannot be written, 75 warehouse locked.\n",
          stream);
}

int ctg_usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "ctgdiag%s%s: ", command ? " " : "", command ? command : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry `ctgdiag %s%s--help`.\n", command ? command : "", command ? " " : "");
    return CTG_EXIT_USAGE;
}

int ctg_report(const ctg_error *err)
{
    ctg_error_print(err, stderr);
    return ctg_exit_code(err->code);
}

void ctg_out_csv_field(const char *s)
{
    if (!strpbrk(s, ";\"\n\r")) {
        fputs(s, stdout);
        return;
    }
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

void ctg_out_json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

const char *ctg_column_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

ctg_status ctg_cli_families(const ctg_cli *cli, ctg_families **out, ctg_error *err)
{
    ctg_buf dirs = CTG_BUF_INIT;
    if (cli->schema_dirs && *cli->schema_dirs)
        ctg_buf_printf(&dirs, "%s:", cli->schema_dirs);
    ctg_buf_puts(&dirs, CTG_DEFAULT_SCHEMA_DIR "/families");
    ctg_status st = ctg_families_load(ctg_buf_str(&dirs), out, err);
    ctg_buf_free(&dirs);
    return st;
}

void ctg_cli_schema_file(const ctg_cli *cli, const char *name, ctg_buf *path)
{
    if (cli->schema_dirs && *cli->schema_dirs) {
        char *dirs = strdup(cli->schema_dirs);
        char *save = NULL;
        for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d; d = strtok_r(NULL, ":", &save)) {
            struct stat sb;
            ctg_buf_reset(path);
            ctg_buf_printf(path, "%s/%s", d, name);
            if (stat(ctg_buf_str(path), &sb) == 0) {
                free(dirs);
                return;
            }
        }
        free(dirs);
    }
    ctg_buf_reset(path);
    ctg_buf_printf(path, "%s/%s", CTG_DEFAULT_SCHEMA_DIR, name);
}

ctg_status ctg_cli_catalogue(const ctg_cli *cli, ctg_catalogue **out, ctg_error *err)
{
    ctg_buf path = CTG_BUF_INIT;
    ctg_cli_schema_file(cli, "indicators.csv", &path);
    ctg_status st = ctg_catalogue_load(ctg_buf_str(&path), out, err);
    ctg_buf_free(&path);
    return st;
}

int ctg_parse_out_format(const char *command, const char *arg, ctg_out_format *f)
{
    if (!strcmp(arg, "table"))
        *f = CTG_OUT_TABLE;
    else if (!strcmp(arg, "csv"))
        *f = CTG_OUT_CSV;
    else if (!strcmp(arg, "json"))
        *f = CTG_OUT_JSON;
    else
        return ctg_usage_error(command, "--format is table, csv or json, not '%s'", arg);
    return 0;
}

void ctg_out_number(double v, int decimal_comma, char *buf, size_t size)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    snprintf(buf, size, "%.15g", v == 0 ? 0.0 : v);
    if (decimal_comma)
        for (char *p = buf; *p; p++)
            if (*p == '.')
                *p = ',';
}

int ctg_cli_source_date(long long *date)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    *date = -1;
    if (!s || !*s)
        return 1;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*end || v < 0)
        return 0;
    *date = v;
    return 1;
}

ctg_status ctg_cli_open_read(const ctg_cli *cli, ctg_warehouse **out, ctg_error *err)
{
    return ctg_wh_open(cli->db_path, CTG_WH_READONLY, out, err);
}

int ctg_cli_common_option(ctg_cli *cli, const ctg_command *cmd, int opt, const char *arg,
                          int *exit_now)
{
    switch (opt) {
    case 'h':
        ctg_command_usage(cmd, stdout);
        *exit_now = 1;
        return 1;
    case 'D':
        cli->db_path = arg;
        return 1;
    case 'S':
        cli->schema_dirs = arg;
        return 1;
    case 'V':
        printf("ctgdiag %s %s\n", cmd->name, CTG_VERSION);
        *exit_now = 1;
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static const struct option LONG[] = {{"db", required_argument, NULL, 'D'},
                                         {"schemas", required_argument, NULL, 'S'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    ctg_cli cli = {getenv("CTGDIAG_DB"), getenv("CTGDIAG_SCHEMAS"), argv[0]};
    if (!cli.db_path || !*cli.db_path)
        cli.db_path = "ctgdiag.db";
    /* a full disk under a file-size limit must be an error, not a signal */
    signal(SIGXFSZ, SIG_IGN);
    ctg_stats_init(); /* GSL must report its errors, not abort */
    ctg_wh_library_init();
    opterr = 0;
    int opt;
    while ((opt = getopt_long(argc, argv, "+h", LONG, NULL)) != -1) {
        switch (opt) {
        case 'D': cli.db_path = optarg; break;
        case 'S': cli.schema_dirs = optarg; break;
        case 'h': main_usage(stdout); return 0;
        case 'V': printf("ctgdiag %s\n", CTG_VERSION); return 0;
        default:
            return ctg_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) {
        main_usage(stderr);
        return CTG_EXIT_USAGE;
    }
    const ctg_command *cmd = ctg_command_find(argv[optind]);
    if (!cmd)
        return ctg_usage_error(NULL, "unknown command '%s'", argv[optind]);
    int sub_argc = argc - optind;
    char **sub_argv = argv + optind;
    optind = 0; /* restart getopt for the subcommand */
    return cmd->run(&cli, sub_argc, sub_argv);
}
