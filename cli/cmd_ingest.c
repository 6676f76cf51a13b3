/* cmd_ingest.c - `ctgdiag ingest`: files and folders into the warehouse. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "core/buf.h"
#include "ingest/ingest.h"

/* What the ingest command keeps besides the walk. */
typedef struct ingest_run {
    ctg_cli *cli;
    ctg_warehouse *wh;
    ctg_families *fams;
    ctg_walk walk;
} ingest_run;

static int readable_name(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && (!strcasecmp(dot, ".csv") || !strcasecmp(dot, ".tsv") || !strcasecmp(dot, ".txt"));
}

static void print_counts(ctg_buf *line, const ctg_ingest_result *res)
{
    ctg_buf_printf(line,
                   " schema=%s vintage=%s rows=%ld loaded=%ld rejected=%ld duplicates=%ld secret=%ld",
                   res->family[0] ? res->family : "-", res->vintage[0] ? res->vintage : "-",
                   res->rows, res->status == CTG_FILE_REJECTED ? 0 : res->loaded, res->rejected,
                   res->duplicates, res->secret);
}

/* Hands one file's line to the walk's stream and callback. */
static void emit(ctg_walk *w, const char *path, const char *kind, const ctg_buf *line,
                 const ctg_ingest_result *res, const ctg_error *err)
{
    if (w->out) {
        fprintf(w->out, "%s\n", ctg_buf_str(line));
        fflush(w->out);
    }
    if (w->on_file)
        w->on_file(w->ctx, path, kind, ctg_buf_str(line), res, err);
}

/* A file that is not read: hidden, not a .csv, a plan... */
static void emit_skipped(ctg_walk *w, const char *path, const char *why)
{
    ctg_buf line = CTG_BUF_INIT;
    ctg_buf_printf(&line, "%s: skipped (%s)", path, why);
    emit(w, path, "skipped", &line, NULL, NULL);
    ctg_buf_free(&line);
    w->skipped++;
}

/* A file named that cannot be read at all. */
static void emit_missing(ctg_walk *w, const char *path, const char *why)
{
    ctg_buf line = CTG_BUF_INIT;
    ctg_buf_printf(&line,
                   "%s: rejected schema=- vintage=- rows=0 loaded=0 rejected=0 duplicates=0 "
                   "secret=0 reason: %s",
                   path, why);
    ctg_error err;
    ctg_fail(&err, CTG_ERR_NOINPUT, path, 0, "%s", why);
    emit(w, path, "missing", &line, NULL, &err);
    ctg_buf_free(&line);
    w->missing++;
}

static void ingest_one(ctg_walk *w, const char *path)
{
    ctg_ingest_result res;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_buf line = CTG_BUF_INIT;
    if (!w->opt.scratch)
        w->opt.scratch = ctg_ingest_scratch_new(); /* NULL: each file allocates its own */
    ctg_status st = ctg_ingest_file(w->wh, w->fams, path, &w->opt, &res, &err);
    if (st == CTG_OK) {
        ctg_buf_printf(&line, "%s: %s", path, ctg_file_status_name(res.status));
        print_counts(&line, &res);
        if (res.replaced[0])
            ctg_buf_printf(&line, " replaced=%s", res.replaced);
        emit(w, path, ctg_file_status_name(res.status), &line, &res, NULL);
        if (res.status == CTG_FILE_UNCHANGED)
            w->unchanged++;
        else
            w->loaded++;
        if (res.status == CTG_FILE_LOADED && res.rejected > w->opt.diag_limit && w->opt.diag)
            ctg_diag(w->opt.diag, path, 0, "%ld rows rejected in all (`ctgdiag status --rejects`)",
                     res.rejected);
        ctg_buf_free(&line);
        return;
    }
    ctg_buf_printf(&line, "%s: rejected", path);
    print_counts(&line, &res);
    ctg_buf_printf(&line, " reason: %s", err.msg[0] ? err.msg : ctg_strerror(st));
    /* a fault of the warehouse (disk full, locked, interrupted) is not the
     * file's: it stops the walk, and the callback hears "failed" */
    emit(w, path,
         st == CTG_ERR_DATA || st == CTG_ERR_SCHEMA ? "rejected"
         : st == CTG_ERR_NOINPUT                    ? "missing"
                                                    : "failed",
         &line, &res, &err);
    if (w->opt.diag)
        ctg_error_print(&err, w->opt.diag);
    if (st == CTG_ERR_DATA || st == CTG_ERR_SCHEMA) {
        w->rejected++;
    } else if (st == CTG_ERR_NOINPUT) {
        w->missing++;
    } else {
        w->fatal = st; /* the warehouse cannot go on: stop */
        w->fatal_error = err;
    }
    ctg_buf_free(&line);
}

static int seen_dir(ctg_walk *run, const struct stat *sb)
{
    for (size_t i = 0; i < run->ndirs; i++)
        if (run->dirs_dev[i] == sb->st_dev && run->dirs_ino[i] == sb->st_ino)
            return 1;
    dev_t *d = realloc(run->dirs_dev, (run->ndirs + 1) * sizeof *d);
    if (d)
        run->dirs_dev = d;
    ino_t *n = realloc(run->dirs_ino, (run->ndirs + 1) * sizeof *n);
    if (n)
        run->dirs_ino = n;
    if (!d || !n)
        return 0;
    run->dirs_dev[run->ndirs] = sb->st_dev;
    run->dirs_ino[run->ndirs] = sb->st_ino;
    run->ndirs++;
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}


/* Reads a folder's entries in name order and ingests them. */
static void ingest_dir(ctg_walk *run, const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        if (run->opt.diag)
            ctg_diag(run->opt.diag, path, 0, "cannot open the folder: %s", strerror(errno));
        emit_missing(run, path, strerror(errno));
        return;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char **l = realloc(names, (n + 1) * sizeof *l);
        if (!l)
            break;
        names = l;
        names[n] = strdup(de->d_name);
        if (names[n])
            n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str);
    for (size_t i = 0; i < n; i++) {
        ctg_buf child = CTG_BUF_INIT;
        size_t len = strlen(path);
        ctg_buf_printf(&child, "%s%s%s", path, len && path[len - 1] == '/' ? "" : "/", names[i]);
        if (!run->fatal && !(run->stop && *run->stop))
            ctg_walk_path(run, ctg_buf_str(&child), 0);
        ctg_buf_free(&child);
        free(names[i]);
    }
    free(names);
}

/* The last component of a path starts with a dot. */
static int hidden(const char *path)
{
    const char *slash = strrchr(path, '/');
    return (slash ? slash[1] : path[0]) == '.';
}

/* A territory plan (samples/plans/, read by `report --plan`), whose first
 * line is its header: not an extract, so a folder's plans are skipped. */
static int is_plan_file(const char *path)
{
    static const char HEADER[] = "kind;number;title;indicators;note";
    char head[sizeof HEADER + 3];
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    size_t n = fread(head, 1, sizeof head - 1, f);
    fclose(f);
    head[n] = '\0';
    const char *p = !strncmp(head, "\xEF\xBB\xBF", 3) ? head + 3 : head;
    return !strncmp(p, HEADER, sizeof HEADER - 1);
}

void ctg_walk_path(ctg_walk *run, const char *path, int named)
{
    struct stat sb;
    if (!named && hidden(path)) {
        emit_skipped(run, path, "hidden");
        return;
    }
    if (stat(path, &sb) != 0 && !named) {
        /* inside a folder: a broken link or a loop of links is not an input
         * the user named; list it and go on */
        emit_skipped(run, path, strerror(errno));
        return;
    }
    if (stat(path, &sb) != 0) {
        if (run->opt.diag)
            ctg_diag(run->opt.diag, path, 0, "%s", strerror(errno));
        emit_missing(run, path, strerror(errno));
        return;
    }
    if (S_ISDIR(sb.st_mode)) {
        if (seen_dir(run, &sb)) {
            emit_skipped(run, path, "a folder already read: a loop of links");
            return;
        }
        ingest_dir(run, path);
        return;
    }
    if (named && !S_ISREG(sb.st_mode)) {
        /* named, it must be read; a pipe or a device cannot be read twice */
        if (run->opt.diag)
            ctg_diag(run->opt.diag, path, 0,
                     "not a regular file: save it to a file, then ingest that");
        emit_missing(run, path, "not a regular file");
        return;
    }
    if (!S_ISREG(sb.st_mode) || (!named && !readable_name(path))) {
        emit_skipped(run, path,
                     S_ISREG(sb.st_mode) ? "not a .csv, .tsv or .txt file" : "not a regular file");
        return;
    }
    if (!named && is_plan_file(path)) {
        emit_skipped(run, path, "a territory plan, read by `ctgdiag report --plan`");
        return;
    }
    ingest_one(run, path);
}

static int parse_options(ingest_run *run, int argc, char **argv, int *exit_now)
{
    static const struct option LONG[] = {
        CTG_COMMON_LONG_OPTIONS,
        {"dry-run", no_argument, NULL, 'n'},
        {"strict", no_argument, NULL, 's'},
        {"replace", no_argument, NULL, 'r'},
        {"max-rejects", required_argument, NULL, 'm'},
        {"schema", required_argument, NULL, 'x'},
        {"vintage", required_argument, NULL, 'v'},
        {"geo-year", required_argument, NULL, 'g'},
        {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("ingest");
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(run->cli, cmd, opt, optarg, exit_now)) {
            if (*exit_now)
                return 0;
            continue;
        }
        char *end;
        char period[16];
        switch (opt) {
        case 'n': run->walk.opt.dry_run = 1; break;
        case 's': run->walk.opt.strict = 1; break;
        case 'r': run->walk.opt.replace = 1; break;
        case 'm':
            run->walk.opt.max_rejects_pct = strtod(optarg, &end);
            if (end == optarg || *end || run->walk.opt.max_rejects_pct < 0 ||
                run->walk.opt.max_rejects_pct > 100)
                return ctg_usage_error("ingest", "--max-rejects takes a percentage 0..100, not '%s'",
                                       optarg);
            break;
        case 'x': run->walk.opt.schema_id = optarg; break;
        case 'v':
            if (!ctg_period_normalise(optarg, period))
                return ctg_usage_error("ingest", "--vintage takes YYYY or YYYY-MM, not '%s'",
                                       optarg);
            run->walk.opt.vintage = optarg;
            break;
        case 'g':
            run->walk.opt.geo_year = ctg_parse_year(optarg);
            if (!run->walk.opt.geo_year)
                return ctg_usage_error("ingest", "--geo-year takes a year, not '%s'", optarg);
            break;
        default:
            return ctg_usage_error("ingest", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return ctg_usage_error("ingest", "give at least one file or folder to read");
    return 0;
}

/* Opens the warehouse; a dry run on a warehouse that does not exist yet
 * works on a private in-memory one. */
static ctg_status open_warehouse(ingest_run *run, ctg_error *err)
{
    struct stat sb;
    int flags = CTG_WH_CREATE | CTG_WH_WRITER;
    if (run->walk.opt.dry_run && stat(run->cli->db_path, &sb) != 0)
        flags |= CTG_WH_MEMORY;
    return ctg_wh_open(run->cli->db_path, flags, &run->wh, err);
}

static void join_args(int argc, char **argv, ctg_buf *out)
{
    for (int i = 0; i < argc; i++)
        ctg_buf_printf(out, "%s%s", i ? " " : "", argv[i]);
}

int ctg_walk_exit_code(const ctg_walk *w)
{
    if (w->fatal)
        return ctg_exit_code(w->fatal);
    if (w->missing)
        return CTG_EXIT_NOINPUT;
    if (w->rejected)
        return CTG_EXIT_DATAERR;
    return CTG_EXIT_OK;
}

void ctg_walk_free(ctg_walk *w)
{
    ctg_ingest_scratch_free(w->opt.scratch);
    w->opt.scratch = NULL;
    free(w->dirs_dev);
    free(w->dirs_ino);
    w->dirs_dev = NULL;
    w->dirs_ino = NULL;
    w->ndirs = 0;
}

int ctg_cmd_ingest(ctg_cli *cli, int argc, char **argv)
{
    ingest_run run;
    memset(&run, 0, sizeof run);
    run.cli = cli;
    ctg_ingest_options_init(&run.walk.opt);
    run.walk.opt.diag = stderr;
    int exit_now = 0;
    int rc = parse_options(&run, argc, argv, &exit_now);
    if (rc || exit_now)
        return rc;
    ctg_error err;
    ctg_error_clear(&err);
    long long run_id = 0;
    ctg_buf args = CTG_BUF_INIT;
    ctg_status st = ctg_cli_families(cli, &run.fams, &err);
    if (st == CTG_OK && run.walk.opt.schema_id && !ctg_families_find(run.fams, run.walk.opt.schema_id)) {
        rc = ctg_usage_error("ingest", "--schema %s: no such family (see `ctgdiag schemas`)",
                             run.walk.opt.schema_id);
        goto cleanup;
    }
    if (st == CTG_OK)
        st = open_warehouse(&run, &err);
    run.walk.wh = run.wh;
    run.walk.fams = run.fams;
    run.walk.out = stdout;
    if (st == CTG_OK && !run.walk.opt.dry_run) {
        join_args(argc, argv, &args);
        st = ctg_wh_run_start(run.wh, "ingest", ctg_buf_str(&args), &run_id, &err);
        run.walk.opt.run_id = run_id;
    }
    if (st != CTG_OK) {
        rc = ctg_report(&err);
        goto cleanup;
    }
    ctg_wh_bulk_begin(run.wh);
    for (int i = optind; i < argc && !run.walk.fatal; i++)
        ctg_walk_path(&run.walk, argv[i], 1);
    ctg_wh_bulk_end(run.wh);
    rc = ctg_walk_exit_code(&run.walk);
    if (run_id) {
        ctg_error_clear(&err);
        if (ctg_wh_run_finish(run.wh, run_id, rc, run.walk.loaded, run.walk.unchanged,
                              run.walk.rejected, run.walk.skipped, &err) != CTG_OK &&
            rc == CTG_EXIT_OK)
            rc = ctg_report(&err);
    }
    if (run.walk.opt.dry_run)
        fprintf(stderr, "ctgdiag ingest: dry run, the warehouse was not changed\n");
cleanup:
    ctg_buf_free(&args);
    ctg_wh_close(run.wh);
    ctg_families_free(run.fams);
    ctg_walk_free(&run.walk);
    return rc;
}
