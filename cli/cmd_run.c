/* cmd_run.c - `ctgdiag run --config FILE`: the unattended refresh (cron).
 *
 * One run: take the warehouse (or wait for it), ingest what is new or
 * changed in the inbox folders, recompute the indicators whose inputs
 * changed, re-render the reports whose figures changed, and write a change
 * report of what moved. Every step is atomic on its own (a file's load, the
 * compute, each PDF), so a run killed at any instant leaves a consistent
 * warehouse and the next run finishes the work (docs/operations.md). */
#define _XOPEN_SOURCE 700 /* realpath */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "cli/runconf.h"
#include "compute/compute.h"
#include "core/buf.h"
#include "core/sha256.h"
#include "render/changes.h"
#include "render/plan.h"
#include "render/report.h"

#ifndef CTG_VERSION
#define CTG_VERSION "0"
#endif

/* The only process-wide state of ctgdiag: what a signal handler may touch.
 * SIGTERM or SIGINT sets stop_signal and interrupts the SQL statement under
 * way (sqlite3_interrupt, as the sqlite3 shell does on Ctrl-C); the run
 * rolls the current step back and stops. */
static volatile sig_atomic_t stop_signal;
static sqlite3 *volatile interrupt_db;

static void on_signal(int sig)
{
    stop_signal = sig;
    sqlite3 *db = interrupt_db;
    if (db)
        sqlite3_interrupt(db);
}

/* Called by SQLite every few thousand instructions of a statement: a signal
 * that came while the compute was between statements (where
 * sqlite3_interrupt has no effect) stops the next one. */
static int stop_requested(void *unused)
{
    (void)unused;
    return stop_signal != 0;
}

typedef struct run_args {
    const char *config;
    const char *log;
    double wait;               /* seconds to wait for the warehouse */
    int quiet;
} run_args;

typedef struct refresh {
    ctg_cli *cli;
    const ctg_runconf *conf;
    run_args args;
    FILE *log;                 /* NULL when none */
    ctg_families *fams;
    ctg_catalogue *cat;
    ctg_warehouse *wh;
    long long run_id;
    long long date;            /* SOURCE_DATE_EPOCH, -1 */
    int geo_year;              /* computed on */
    ctg_walk walk;
    long recomputed, up_to_date, values_changed;
    long reports_written, reports_same;
    int rc;                    /* worst exit code so far */
    char *reports_key;         /* the reports folder's real path: report_state's key */
} refresh;

/* ------------------------------------------------------------- messages */

/* How bad an exit code is: the run ends with the worst it met. */
static int severity(int code)
{
    switch (code) {
    case 0: return 0;
    case CTG_EXIT_DATAERR: return 1;
    case CTG_EXIT_NOINPUT: return 2;
    case CTG_EXIT_USAGE: return 3;
    case CTG_EXIT_TEMPFAIL: return 4;
    case CTG_EXIT_CANTCREAT: return 5;
    default: return 6;
    }
}

static void worsen(refresh *r, int code)
{
    if (severity(code) > severity(r->rc))
        r->rc = code;
}

static void log_line(refresh *r, const char *level, const char *msg)
{
    if (!r->log)
        return;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(r->log, "%s %s %s\n", stamp, level, msg);
    fflush(r->log);
}

/* A note: on stdout unless --quiet, and in the log. */
static void say(refresh *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static void say(refresh *r, const char *fmt, ...)
{
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!r->args.quiet) {
        printf("%s\n", msg);
        fflush(stdout);
    }
    log_line(r, "info", msg);
}

/* A detail only the log keeps. */
static void detail(refresh *r, const char *msg)
{
    log_line(r, "info", msg);
}

/* Each line of text (the compute's notes) in the log. */
static void log_lines(refresh *r, char *text)
{
    for (char *line = text; line && *line;) {
        char *end = strchr(line, '\n');
        if (end)
            *end = '\0';
        log_line(r, "note", line);
        line = end ? end + 1 : NULL;
    }
}

/* A failure: on stderr always (cron mails it), and in the log. */
static void complain(refresh *r, const ctg_error *err)
{
    char msg[CTG_ERROR_PATH_MAX + CTG_ERROR_MSG_MAX + 32];
    if (err->path[0] && err->line > 0)
        snprintf(msg, sizeof msg, "%s:%ld: %s", err->path, err->line, err->msg);
    else if (err->path[0])
        snprintf(msg, sizeof msg, "%s: %s", err->path, err->msg);
    else
        snprintf(msg, sizeof msg, "%s", err->msg[0] ? err->msg : ctg_strerror(err->code));
    fprintf(stderr, "ctgdiag run: %s\n", msg);
    log_line(r, "error", msg);
}

/* ------------------------------------------------------------- changes */

/* Adds a row to `change` (files and reports; values are the compute's). */
static ctg_status record(refresh *r, const char *kind, const char *family, const char *file,
                         const char *year, const char *detail_text, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status rc = ctg_wh_prepare(r->wh,
                                   "INSERT INTO change(run_id, kind, family, file, year, detail) "
                                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                   &st, err);
    if (rc != CTG_OK)
        return rc;
    sqlite3_bind_int64(st, 1, r->run_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, family ? family : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, file ? file : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, year ? year : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, detail_text ? detail_text : "", -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ctg_wh_fail(r->wh, step, err, "recording a change");
    return CTG_OK;
}

/* Whether the file just loaded is the only one of its family and period. */
static int new_vintage(refresh *r, const ctg_ingest_result *res)
{
    sqlite3_stmt *st = NULL;
    int n = 0;
    if (ctg_wh_prepare(r->wh,
                       "SELECT count(*) FROM source_file WHERE family = ?1 AND vintage = ?2", &st,
                       NULL) == CTG_OK) {
        sqlite3_bind_text(st, 1, res->family, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, res->vintage, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return n == 1;
}

/* The walk's callback: each file's line to the log (and stdout when it
 * changed something), and its change row. */
static void on_file(void *ctx, const char *path, const char *kind, const char *line,
                    const ctg_ingest_result *res, const ctg_error *ferr)
{
    refresh *r = ctx;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = CTG_OK;
    if (!strcmp(kind, "loaded")) {
        say(r, "%s", line);
        if (res->replaced[0]) {
            char what[300];
            snprintf(what, sizeof what, "remplace %s", res->replaced);
            st = record(r, "file_replaced", res->family, path, res->vintage, what, &err);
        } else {
            st = record(r, "file_loaded", res->family, path, res->vintage,
                        new_vintage(r, res) ? "nouvelle période" : "", &err);
        }
    } else if (!strcmp(kind, "rejected") || !strcmp(kind, "missing")) {
        if (!r->args.quiet)
            say(r, "%s", line);
        if (ferr)
            complain(r, ferr); /* on stderr even with --quiet: cron mails it */
        st = record(r, "file_rejected", res && res->family[0] ? res->family : "", path,
                    res ? res->vintage : "", ferr && ferr->msg[0] ? ferr->msg : kind, &err);
    } else {
        detail(r, line); /* unchanged, skipped; failed is reported by the run */
    }
    if (st != CTG_OK)
        complain(r, &err);
}

/* ------------------------------------------------------------- stages */

/* Opens the warehouse as its writer, waiting up to --wait seconds for
 * another run to finish. */
static ctg_status open_warehouse(refresh *r, ctg_error *err)
{
    struct timespec start, now, pause = {0, 100 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        ctg_status st = ctg_wh_open(r->cli->db_path, CTG_WH_CREATE | CTG_WH_WRITER, &r->wh, err);
        if (st != CTG_ERR_LOCKED || stop_signal)
            return st;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double waited = (double)(now.tv_sec - start.tv_sec) +
                        (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        if (waited >= r->args.wait)
            return st;
        nanosleep(&pause, NULL);
    }
}

/* Creates the folder (and its parents) when missing. */
static int make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0777) != 0 && errno != EEXIST) {
            free(p);
            return -1;
        }
        *s = '/';
    }
    int rc = mkdir(p, 0777) != 0 && errno != EEXIST ? -1 : 0;
    free(p);
    return rc;
}

/* The reports folder exists (or is made) and takes files. */
static ctg_status check_reports_dir(refresh *r, const char *dir, ctg_error *err)
{
    if (make_dirs(dir) != 0)
        return ctg_fail(err, CTG_ERR_CANTCREAT, dir, 0, "cannot create the reports folder: %s",
                        strerror(errno));
    struct stat sb;
    if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return ctg_fail(err, CTG_ERR_CANTCREAT, dir, 0, "the reports folder is not a folder");
    if (access(dir, W_OK | X_OK) != 0)
        return ctg_fail(err, CTG_ERR_CANTCREAT, dir, 0, "cannot write in the reports folder: %s",
                        strerror(errno));
    /* one key however the configuration's path was spelled */
    r->reports_key = realpath(dir, NULL);
    if (!r->reports_key)
        return ctg_fail(err, CTG_ERR_CANTCREAT, dir, 0, "cannot resolve the reports folder: %s",
                        strerror(errno));
    return CTG_OK;
}

/* Removes the temporary files a killed run left (NAME.tmp-XXXXXX, where
 * PDFs and change reports are written before their rename). */
static void remove_leftovers(refresh *r, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *tmp = strstr(de->d_name, ".tmp-");
        if (!tmp || strlen(tmp) != 11)
            continue;
        ctg_buf path = CTG_BUF_INIT;
        ctg_buf_printf(&path, "%s/%s", dir, de->d_name);
        if (unlink(ctg_buf_str(&path)) == 0) {
            char msg[1200];
            snprintf(msg, sizeof msg, "removed %s, left by an interrupted run",
                     ctg_buf_str(&path));
            detail(r, msg);
        }
        ctg_buf_free(&path);
    }
    closedir(d);
}

static void ingest_stage(refresh *r)
{
    memset(&r->walk, 0, sizeof r->walk);
    ctg_ingest_options_init(&r->walk.opt);
    r->walk.opt.max_rejects_pct = r->conf->max_rejects;
    r->walk.opt.run_id = r->run_id;
    r->walk.opt.diag = NULL;
    r->walk.wh = r->wh;
    r->walk.fams = r->fams;
    r->walk.on_file = on_file;
    r->walk.ctx = r;
    r->walk.stop = &stop_signal;
    /* the WAL stays (no ctg_wh_bulk_begin, unlike ingest): an unattended
     * refresh loads a few files while analysts may be reading */
    for (size_t i = 0; i < r->conf->ninbox && !r->walk.fatal && !stop_signal; i++)
        ctg_walk_path(&r->walk, r->conf->inbox[i], 1);
    if (r->walk.fatal && !stop_signal)
        complain(r, &r->walk.fatal_error);
    worsen(r, ctg_walk_exit_code(&r->walk));
}

static ctg_status compute_stage(refresh *r, ctg_error *err)
{
    int geo_year = r->conf->geo_year ? r->conf->geo_year : ctg_latest_geo_year(r->wh);
    if (!geo_year)
        return ctg_fail(err, CTG_ERR_NOINPUT, NULL, 0,
                        "no geography in the warehouse: put a COG communes file or a table "
                        "d'appartenance in the inbox");
    ctg_change_options changes = {r->run_id, r->conf->threshold_points,
                                  r->conf->threshold_percent};
    ctg_compute_options opt;
    memset(&opt, 0, sizeof opt);
    opt.geo_year = geo_year;
    char *notes = NULL;
    size_t notes_len = 0;
    opt.diag = r->log ? open_memstream(&notes, &notes_len) : NULL;
    opt.incremental = 1;
    opt.run_id = r->run_id;
    opt.changes = &changes;
    ctg_compute_result res;
    ctg_status st = ctg_compute(r->wh, r->cat, &opt, &res, err);
    if (opt.diag) {
        fclose(opt.diag);
        log_lines(r, notes);
        free(notes);
    }
    if (st != CTG_OK)
        return st;
    r->geo_year = res.geo_year;
    r->up_to_date = res.up_to_date;
    r->recomputed = (long)ctg_catalogue_count(r->cat) - res.up_to_date;
    r->values_changed = res.changes;
    if (r->recomputed)
        say(r, "computed geo_year=%d indicators=%ld up_to_date=%ld values=%ld changes=%ld",
            res.geo_year, r->recomputed, res.up_to_date, res.values, res.changes);
    else
        detail(r, "indicators: all up to date");
    return CTG_OK;
}

static void add_field(ctg_sha256 *h, const char *s)
{
    ctg_sha256_update(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

/* What report_fingerprint passes to each indicator of the plan. */
typedef struct fingerprint_ctx {
    refresh *r;
    ctg_sha256 *h;
} fingerprint_ctx;

/* Adds an indicator's stored fingerprint (what its values were computed
 * from) to the hash. */
static void add_indicator_state(void *ctx, const char *id)
{
    const fingerprint_ctx *fc = ctx;
    char fp[CTG_SHA256_HEX_LEN + 1] = "";
    ctg_error ignored;
    ctg_state_stored(fc->r->wh, fc->r->geo_year, id, fp, &ignored);
    add_field(fc->h, id);
    add_field(fc->h, fp);
}

/* The fingerprint of what a territory's reports show: the ctgdiag version,
 * the options, the plan file's bytes, and the fingerprints of the
 * indicators the plan names (and of pop_total, on every cover). */
static void report_fingerprint(refresh *r, const ctg_run_territory *t, const ctg_plan *plan,
                               char hex[CTG_SHA256_HEX_LEN + 1])
{
    ctg_sha256 h;
    ctg_sha256_init(&h);
    char num[64];
    add_field(&h, "ctgdiag " CTG_VERSION);
    add_field(&h, t->territory);
    add_field(&h, t->name);
    add_field(&h, t->year);
    snprintf(num, sizeof num, "%d %lld", r->geo_year, r->date);
    add_field(&h, num);
    add_field(&h, plan->sha256);
    fingerprint_ctx fc = {r, &h};
    add_indicator_state(&fc, "pop_total");
    ctg_plan_each_indicator(plan, add_indicator_state, &fc);
    ctg_sha256_final_hex(&h, hex);
}

/* The state report_state keeps of a territory's reports: its stem,
 * fingerprint ("" when never written) and number of files. */
static void stored_report(refresh *r, const char *territory, char *stem, size_t stem_size,
                          char fp[CTG_SHA256_HEX_LEN + 1], int *files)
{
    sqlite3_stmt *st = NULL;
    stem[0] = fp[0] = '\0';
    *files = 0;
    if (ctg_wh_prepare(r->wh,
                       "SELECT stem, fingerprint, files FROM report_state WHERE out_dir = ?1 AND "
                       "territory = ?2",
                       &st, NULL) != CTG_OK)
        return;
    sqlite3_bind_text(st, 1, r->reports_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, territory, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(stem, stem_size, "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(fp, CTG_SHA256_HEX_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 1));
        *files = sqlite3_column_int(st, 2);
    }
    sqlite3_finalize(st);
}

static ctg_status store_report(refresh *r, const ctg_run_territory *t,
                               const ctg_report_result *res, const char *fp, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status rc = ctg_wh_prepare(r->wh,
                                   "INSERT OR REPLACE INTO report_state(out_dir, territory, stem, "
                                   "fingerprint, files, run_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                                   &st, err);
    if (rc != CTG_OK)
        return rc;
    sqlite3_bind_text(st, 1, r->reports_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, t->territory, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, res->stem, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, fp, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, res->files);
    sqlite3_bind_int64(st, 6, r->run_id);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ctg_wh_fail(r->wh, step, err, "writing report_state");
    return CTG_OK;
}

static int is_file(const ctg_buf *path)
{
    struct stat sb;
    return stat(ctg_buf_str(path), &sb) == 0 && S_ISREG(sb.st_mode);
}

/* Whether every file a territory's last rendering wrote is still there:
 * STEM-diagnostic.pdf and STEM-axe-1.pdf to STEM-axe-(files - 1).pdf. */
static int reports_exist(refresh *r, const char *stem, int files)
{
    ctg_buf path = CTG_BUF_INIT;
    ctg_buf_printf(&path, "%s/%s-diagnostic.pdf", r->conf->reports, stem);
    int yes = files >= 1 && is_file(&path);
    for (int a = 1; yes && a < files; a++) {
        ctg_buf_reset(&path);
        ctg_buf_printf(&path, "%s/%s-axe-%d.pdf", r->conf->reports, stem, a);
        yes = is_file(&path);
    }
    ctg_buf_free(&path);
    return yes;
}

/* Renders one territory's reports when what they show changed. */
static ctg_status report_one(refresh *r, const ctg_run_territory *t, ctg_error *err)
{
    ctg_buf default_plan = CTG_BUF_INIT;
    ctg_plan *plan = NULL;
    ctg_cli_schema_file(r->cli, "plan_default.csv", &default_plan);
    const char *plan_path = t->plan ? t->plan : ctg_buf_str(&default_plan);
    ctg_status st = ctg_plan_load(plan_path, &plan, err);
    if (st == CTG_OK)
        st = ctg_plan_check(plan, r->cat, plan_path, err);
    if (st != CTG_OK)
        goto cleanup;
    char fp[CTG_SHA256_HEX_LEN + 1], old_fp[CTG_SHA256_HEX_LEN + 1], stem[64];
    int files = 0;
    report_fingerprint(r, t, plan, fp);
    stored_report(r, t->territory, stem, sizeof stem, old_fp, &files);
    if (!strcmp(fp, old_fp) && reports_exist(r, stem, files)) {
        r->reports_same++;
        char msg[512];
        snprintf(msg, sizeof msg, "[%s] %s: reports up to date", t->section, t->territory);
        detail(r, msg);
        goto cleanup;
    }
    ctg_report_options opt;
    memset(&opt, 0, sizeof opt);
    opt.territory = t->territory;
    opt.name = t->name;
    opt.year = t->year;
    opt.geo_year = r->geo_year;
    opt.out_dir = r->conf->reports;
    opt.date = r->date;
    ctg_report_result res;
    st = ctg_report_write(r->wh, r->cat, plan, &opt, &res, err);
    /* the state and its change row together: a kill leaves both or neither */
    if (st == CTG_OK)
        st = ctg_wh_begin(r->wh, err);
    if (st == CTG_OK) {
        ctg_buf path = CTG_BUF_INIT;
        ctg_buf_printf(&path, "%s/%s-diagnostic.pdf", r->conf->reports, res.stem);
        st = store_report(r, t, &res, fp, err);
        if (st == CTG_OK)
            st = record(r, "report_written", "", ctg_buf_str(&path), "", t->territory, err);
        if (st == CTG_OK)
            st = ctg_wh_commit(r->wh, err);
        else
            ctg_wh_rollback(r->wh);
        say(r, "%s: written, %d files, the diagnosis %d pages", ctg_buf_str(&path), res.files,
            res.pages);
        ctg_buf_free(&path);
        r->reports_written++;
    }
cleanup:
    ctg_plan_free(plan);
    ctg_buf_free(&default_plan);
    return st;
}

static void report_stage(refresh *r)
{
    for (size_t i = 0; i < r->conf->nterritories && !stop_signal; i++) {
        ctg_error err;
        ctg_error_clear(&err);
        ctg_status st = report_one(r, &r->conf->territories[i], &err);
        if (st != CTG_OK && !stop_signal) {
            complain(r, &err);
            worsen(r, ctg_exit_code(st));
            if (st == CTG_ERR_CANTCREAT)
                return; /* a full disk will not take the next one either */
        }
    }
}

/* The ids of the change rows no change report has listed yet. */
static int unreported(refresh *r, long long *first, long long *last, long long *count)
{
    sqlite3_stmt *st = NULL;
    *first = *last = *count = 0;
    if (ctg_wh_prepare(r->wh,
                       "SELECT min(id), max(id), count(*) FROM change WHERE reported = 0", &st,
                       NULL) == CTG_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *first = sqlite3_column_int64(st, 0);
        *last = sqlite3_column_int64(st, 1);
        *count = sqlite3_column_int64(st, 2);
    }
    sqlite3_finalize(st);
    return *count > 0;
}

/* Writes the change report (CSV and PDF) of the rows not yet reported,
 * then marks them reported. Rows of a killed run are in the next report. */
static ctg_status change_report_stage(refresh *r, ctg_error *err)
{
    long long first, last, count;
    if (!unreported(r, &first, &last, &count))
        return CTG_OK;
    ctg_buf dir = CTG_BUF_INIT, csv = CTG_BUF_INIT, pdf = CTG_BUF_INIT, title = CTG_BUF_INIT;
    ctg_buf_printf(&dir, "%s/changes", r->conf->reports);
    ctg_buf_printf(&csv, "%s/run-%06lld-changes.csv", ctg_buf_str(&dir), r->run_id);
    ctg_buf_printf(&pdf, "%s/run-%06lld-changes.pdf", ctg_buf_str(&dir), r->run_id);
    ctg_buf_printf(&title, "Changements \xE2\x80\x94 run %lld", r->run_id);
    ctg_status st = make_dirs(ctg_buf_str(&dir)) == 0
                        ? CTG_OK
                        : ctg_fail(err, CTG_ERR_CANTCREAT, ctg_buf_str(&dir), 0,
                                   "cannot create the folder: %s", strerror(errno));
    if (st == CTG_OK)
        remove_leftovers(r, ctg_buf_str(&dir));
    if (st == CTG_OK)
        st = ctg_changes_csv_write(r->wh, ctg_buf_str(&csv), first, last, err);
    if (st == CTG_OK)
        st = ctg_changes_pdf_write(r->wh, ctg_buf_str(&pdf), ctg_buf_str(&title), first, last,
                                   r->date, err);
    sqlite3_stmt *q = NULL;
    if (st == CTG_OK)
        st = ctg_wh_prepare(r->wh, "UPDATE change SET reported = 1 WHERE id BETWEEN ?1 AND ?2",
                            &q, err);
    if (st == CTG_OK) {
        sqlite3_bind_int64(q, 1, first);
        sqlite3_bind_int64(q, 2, last);
        int step = sqlite3_step(q);
        if (step != SQLITE_DONE)
            st = ctg_wh_fail(r->wh, step, err, "marking changes reported");
    }
    sqlite3_finalize(q);
    if (st == CTG_OK)
        say(r, "%s: %lld changes (and %s)", ctg_buf_str(&csv), count, ctg_buf_str(&pdf));
    ctg_buf_free(&dir);
    ctg_buf_free(&csv);
    ctg_buf_free(&pdf);
    ctg_buf_free(&title);
    return st;
}

/* ------------------------------------------------------------- command */

static int parse_args(ctg_cli *cli, int argc, char **argv, run_args *a, int *exit_now)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS,
                                         {"config", required_argument, NULL, 'c'},
                                         {"wait", required_argument, NULL, 'w'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"log", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("run");
    int o;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "hq", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, o, optarg, exit_now)) {
            if (*exit_now)
                return 0;
            continue;
        }
        char *end;
        switch (o) {
        case 'c': a->config = optarg; break;
        case 'q': a->quiet = 1; break;
        case 'l': a->log = optarg; break;
        case 'w':
            a->wait = strtod(optarg, &end);
            if (end == optarg || *end || !(a->wait >= 0 && a->wait <= 86400))
                return ctg_usage_error("run", "--wait takes seconds (0..86400), not '%s'",
                                       optarg);
            break;
        default:
            return ctg_usage_error("run", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return ctg_usage_error("run", "unexpected argument '%s'", argv[optind]);
    if (!a->config)
        return ctg_usage_error("run", "which configuration? --config FILE (docs/operations.md)");
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

/* Loads what the run needs before it takes the warehouse. */
static ctg_status prepare(refresh *r, ctg_error *err)
{
    const char *log = r->args.log ? r->args.log : r->conf->log;
    if (log && !(r->log = fopen(log, "a")))
        return ctg_fail(err, CTG_ERR_CANTCREAT, log, 0, "cannot open the log: %s",
                        strerror(errno));
    if (!ctg_cli_source_date(&r->date))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "SOURCE_DATE_EPOCH is not a number of seconds");
    ctg_status st = ctg_cli_families(r->cli, &r->fams, err);
    if (st == CTG_OK)
        st = ctg_cli_catalogue(r->cli, &r->cat, err);
    if (st == CTG_OK)
        st = check_reports_dir(r, r->conf->reports, err);
    if (st == CTG_OK)
        st = open_warehouse(r, err);
    return st;
}

/* The stages, each skipped once a signal came or the warehouse failed. */
static void stages(refresh *r)
{
    ctg_error err;
    ctg_error_clear(&err);
    remove_leftovers(r, r->conf->reports);
    ingest_stage(r);
    ctg_status st = CTG_OK;
    if (!stop_signal && !r->walk.fatal)
        st = compute_stage(r, &err);
    if (st == CTG_OK && !stop_signal && !r->walk.fatal)
        report_stage(r);
    if (st == CTG_OK && !stop_signal && !r->walk.fatal && severity(r->rc) < severity(CTG_EXIT_CANTCREAT))
        st = change_report_stage(r, &err);
    if (st != CTG_OK && !stop_signal) {
        complain(r, &err);
        worsen(r, ctg_exit_code(st));
    }
}

static void summary(refresh *r)
{
    const ctg_walk *w = &r->walk;
    int nothing = !w->loaded && !w->rejected && !w->missing && !r->recomputed &&
                  !r->reports_written && r->rc == 0;
    char msg[512];
    snprintf(msg, sizeof msg,
             "files: %ld loaded, %ld unchanged, %ld rejected; indicators: %ld recomputed, %ld up "
             "to date; reports: %ld written, %ld up to date",
             w->loaded, w->unchanged, w->rejected + w->missing, r->recomputed, r->up_to_date,
             r->reports_written, r->reports_same);
    if (nothing)
        say(r, "nothing new: %s", msg);
    else
        say(r, "%s", msg);
}

int ctg_cmd_run(ctg_cli *cli, int argc, char **argv)
{
    refresh r;
    memset(&r, 0, sizeof r);
    r.cli = cli;
    int exit_now = 0;
    int rc = parse_args(cli, argc, argv, &r.args, &exit_now);
    if (rc || exit_now)
        return rc;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_runconf *conf = NULL;
    ctg_status st = ctg_runconf_load(r.args.config, &conf, &err);
    if (st != CTG_OK)
        return ctg_report(&err);
    r.conf = conf;
    cli->db_path = conf->warehouse;
    if (conf->schemas)
        cli->schema_dirs = conf->schemas;
    stop_signal = 0;
    install_signals();
    st = prepare(&r, &err);
    if (st == CTG_OK) {
        interrupt_db = ctg_wh_db(r.wh);
        sqlite3_progress_handler(ctg_wh_db(r.wh), 10000, stop_requested, NULL);
        st = ctg_wh_run_start(r.wh, "run", r.args.config, &r.run_id, &err);
    }
    if (st != CTG_OK) {
        complain(&r, &err);
        rc = stop_signal ? 128 + stop_signal : ctg_exit_code(st);
        goto cleanup;
    }
    log_line(&r, "info", "run started");
    stages(&r);
    if (stop_signal) {
        char msg[128];
        snprintf(msg, sizeof msg,
                 "stopped by signal %d: the step under way was rolled back; the next run "
                 "finishes the work",
                 (int)stop_signal);
        fprintf(stderr, "ctgdiag run: %s\n", msg);
        log_line(&r, "error", msg);
        r.rc = 128 + stop_signal;
    } else {
        summary(&r);
    }
    rc = r.rc;
    ctg_error_clear(&err);
    interrupt_db = NULL; /* the run's end is recorded even after a signal */
    sqlite3_progress_handler(ctg_wh_db(r.wh), 0, NULL, NULL);
    if (ctg_wh_run_finish(r.wh, r.run_id, rc, r.walk.loaded, r.walk.unchanged, r.walk.rejected,
                          r.walk.skipped, &err) != CTG_OK && rc == 0) {
        complain(&r, &err);
        rc = ctg_exit_code(err.code);
    }
cleanup:
    interrupt_db = NULL;
    ctg_walk_free(&r.walk);
    free(r.reports_key);
    ctg_wh_close(r.wh);
    ctg_catalogue_free(r.cat);
    ctg_families_free(r.fams);
    if (r.log)
        fclose(r.log);
    ctg_runconf_free(conf);
    return rc;
}
