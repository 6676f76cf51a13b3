/*
 * cli.h - the command-line front of ctgdiag: one function per subcommand,
 * sharing the global options (product.md, "The command-line contract").
 *
 * Every command returns a process exit code (sysexits, core/error.h) and
 * writes its results on stdout, its diagnostics on stderr as
 * "PATH:LINE: message".
 */
#ifndef CTG_CLI_H
#define CTG_CLI_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/number.h"
#include "core/warehouse.h"
#include "ingest/family.h"
#include "ingest/ingest.h"

/* Options every command knows. */
typedef struct ctg_cli {
    const char *db_path;       /* --db, else $CTGDIAG_DB, else ./ctgdiag.db */
    const char *schema_dirs;   /* --schemas, else $CTGDIAG_SCHEMAS, else the built-in folder */
    const char *argv0;
} ctg_cli;

/* A subcommand: its name, one-line summary, usage text and entry point.
 * argv[0] is the subcommand's name. */
typedef struct ctg_command {
    const char *name;
    const char *summary;
    const char *usage;
    int (*run)(ctg_cli *cli, int argc, char **argv);
} ctg_command;

/* A walk over files and folders that ingests what it finds (the loop of
 * `ingest`, shared with `run`). Fill wh, fams, opt (ctg_ingest_options_init
 * first), and out and/or on_file; the rest starts zeroed. The walk owns its
 * list of folders seen and the memory its loads keep from file to file
 * (opt.scratch, made at the first file), freed by ctg_walk_free. */
typedef struct ctg_walk {
    ctg_warehouse *wh;
    const ctg_families *fams;
    ctg_ingest_options opt;
    FILE *out;                 /* one line per file, ingest's contract; NULL = none */
    /* called for each file with its kind (loaded, unchanged, rejected,
     * skipped, missing, failed), its line, and the result (NULL for skipped
     * and missing) or the error (NULL unless rejected, missing, failed) */
    void (*on_file)(void *ctx, const char *path, const char *kind, const char *line,
                    const ctg_ingest_result *res, const ctg_error *err);
    void *ctx;
    const volatile sig_atomic_t *stop;  /* non-zero: read no further file; NULL = never */
    long loaded, unchanged, rejected, skipped, missing;
    ctg_status fatal;          /* a failure of the warehouse that stopped the walk */
    ctg_error fatal_error;     /* and its message */
    dev_t *dirs_dev;           /* folders visited, to stop at loops */
    ino_t *dirs_ino;
    size_t ndirs;
} ctg_walk;

/* Ingests path: a file, or a folder searched recursively in name order
 * (product.md, "Folders"). named: the user named it (always read). */
void ctg_walk_path(ctg_walk *w, const char *path, int named);

/* The exit code of a walk: the fatal failure's, else 66 if an input was
 * missing, 65 if one was rejected, else 0. */
int ctg_walk_exit_code(const ctg_walk *w);

/* Frees what the walk holds (not the warehouse nor the families). */
void ctg_walk_free(ctg_walk *w);

int ctg_cmd_ingest(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_status(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_schemas(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_geo(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_compute(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_export(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_indicators(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_compare(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_rank(ctg_cli *cli, int argc, char **argv);
int ctg_cmd_report(ctg_cli *cli, int argc, char **argv);

/* Looks a command up by name; NULL if unknown. */
const ctg_command *ctg_command_find(const char *name);

/* Prints a command's usage on stream. */
void ctg_command_usage(const ctg_command *cmd, FILE *stream);

/* Prints "ctgdiag COMMAND: message" and the hint to --help on stderr;
 * returns 64 (bad usage). */
int ctg_usage_error(const char *command, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Reports err on stderr and returns its exit code. */
int ctg_report(const ctg_error *err);

/* Loads the families of cli->schema_dirs. */
ctg_status ctg_cli_families(const ctg_cli *cli, ctg_families **out, ctg_error *err);

/* The path of schema file `name` into path: that of the first --schemas
 * folder that has one, else the built-in schemas folder's. */
void ctg_cli_schema_file(const ctg_cli *cli, const char *name, ctg_buf *path);

/* Loads the indicator catalogue: indicators.csv of the first --schemas
 * folder that has one, else the built-in schemas/indicators.csv. */
struct ctg_catalogue;
ctg_status ctg_cli_catalogue(const ctg_cli *cli, struct ctg_catalogue **out, ctg_error *err);

/* The date of the PDFs: SOURCE_DATE_EPOCH (Unix time) when set, else -1
 * (none: the PDFs carry no date). Returns 0 when it is not a number. */
int ctg_cli_source_date(long long *date);

/* Runs `ctgdiag run` (cmd_run.c). */
int ctg_cmd_run(ctg_cli *cli, int argc, char **argv);

/* Opens the warehouse for reading (it must exist). */
ctg_status ctg_cli_open_read(const ctg_cli *cli, ctg_warehouse **out, ctg_error *err);

/* Handles the options every subcommand takes (--help, --version, --db,
 * --schemas) inside a getopt_long loop: returns 1 when it consumed the
 * option, and sets *exit_now to 1 after printing the help or the version
 * (the command then returns 0). */
int ctg_cli_common_option(ctg_cli *cli, const ctg_command *cmd, int opt, const char *arg,
                          int *exit_now);

/* Writes s on stdout as one CSV field: quoted (quotes doubled) when it holds
 * ';', '"' or a line break. */
void ctg_out_csv_field(const char *s);

/* Writes s on stdout as a JSON string (quotes, backslashes and control
 * characters escaped). */
void ctg_out_json_string(const char *s);

/* Column i of the current row as text ("" for NULL). */
const char *ctg_column_text(sqlite3_stmt *st, int i);

/* The output formats of compare and rank. */
typedef enum ctg_out_format { CTG_OUT_TABLE = 0, CTG_OUT_CSV, CTG_OUT_JSON } ctg_out_format;

/* Parses --format ARG (table, csv, json) of command into *f; returns 0, or
 * 64 after printing the usage error. */
int ctg_parse_out_format(const char *command, const char *arg, ctg_out_format *f);

/* Writes v as export writes values, into buf: up to 15 significant digits,
 * no trailing zeros, no "-0", ',' as decimal mark when decimal_comma; ""
 * for NaN. */
void ctg_out_number(double v, int decimal_comma, char *buf, size_t size);


#endif
