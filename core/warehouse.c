/* warehouse.c - opening, creating and locking the SQLite warehouse. */
#define _GNU_SOURCE /* sync_file_range */
#include "warehouse.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "packed.h"

extern const char ctg_warehouse_sql[];  /* schemas/warehouse.sql, embedded at build time */

struct ctg_warehouse {
    sqlite3 *db;
    char *path;
    int lock_fd;   /* FILE.lock held by a writer, -1 if none */
    int memory;    /* opened with CTG_WH_MEMORY */
    int flush_fd;  /* the file, read-only, during a bulk write (ctg_wh_start_writeback); -1 */
};

/* Busy timeout for a writer that finds the warehouse locked. A second run
 * waits this long, then exits 75 (product.md). */
#define CTG_WH_BUSY_MS 2000

/* Busy timeout of a reader: while `ingest` or `compute` write under a
 * rollback journal (ctg_wh_bulk_begin), a reader waits for the file or the
 * pages being written to be committed. */
#define CTG_WH_READ_BUSY_MS 30000

static void sql_obs_unpack(sqlite3_context *ctx, sqlite3_value **argv, ctg_value *v, int *ok)
{
    *ok = 0;
    if (sqlite3_value_type(argv[0]) != SQLITE_BLOB)
        return;
    const void *blob = sqlite3_value_blob(argv[0]);
    int len = sqlite3_value_bytes(argv[0]);
    sqlite3_int64 idx = sqlite3_value_int64(argv[1]);
    if (idx < 0 || ctg_unpack_one(blob, (size_t)len, (size_t)idx, v) != CTG_OK) {
        sqlite3_result_error(ctx, "obs_value: malformed packed values or index out of range", -1);
        return;
    }
    *ok = 1;
}

/* obs_value(vals, idx): the value, or NULL when missing or secret. */
static void sql_obs_value(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    ctg_value v;
    int ok;
    sql_obs_unpack(ctx, argv, &v, &ok);
    if (!ok)
        return;
    if (v.status == CTG_VAL_OK)
        sqlite3_result_double(ctx, v.value);
    else
        sqlite3_result_null(ctx);
}

/* obs_status(vals, idx): 'ok', 'missing' or 'secret'. */
static void sql_obs_status(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    ctg_value v;
    int ok;
    sql_obs_unpack(ctx, argv, &v, &ok);
    if (ok)
        sqlite3_result_text(ctx, ctg_value_status_name(v.status), -1, SQLITE_STATIC);
}

static const char OBSERVATION_VIEW[] =
    "CREATE TEMP VIEW IF NOT EXISTS observation AS "
    "SELECT r.file_id AS file_id, f.family AS family, r.level AS level, r.code AS code, "
    "       CASE WHEN v.period = '' THEN r.period ELSE v.period END AS period, "
    "       CASE WHEN r.measure IS NULL THEN v.variable WHEN v.variable = '' THEN r.measure "
    "            ELSE r.measure || '_' || v.variable END AS variable, "
    "       obs_value(r.vals, v.idx) AS value, "
    "       obs_status(r.vals, v.idx) AS status, f.geo_year AS geo_year, r.line AS line "
    "FROM obs_row r JOIN source_file f ON f.id = r.file_id "
    "JOIN file_variable v ON v.file_id = r.file_id;"
    /* IRIS figures summed by commune (the commune the file gives, else the
     * IRIS code's first five characters): value_known is the sum over the
     * IRIS whose value is known; iris_known < iris means some are secret
     * or missing, and the sum is then only a lower bound. */
    "CREATE TEMP VIEW IF NOT EXISTS commune_from_iris AS "
    "SELECT r.file_id AS file_id, f.family AS family, "
    "       ifnull(r.parent, substr(r.code, 1, 5)) AS commune, "
    "       CASE WHEN v.period = '' THEN r.period ELSE v.period END AS period, "
    "       CASE WHEN r.measure IS NULL THEN v.variable WHEN v.variable = '' THEN r.measure "
    "            ELSE r.measure || '_' || v.variable END AS variable, "
    "       sum(obs_value(r.vals, v.idx)) AS value_known, "
    "       count(*) AS iris, sum(obs_status(r.vals, v.idx) = 'ok') AS iris_known "
    "FROM obs_row r JOIN source_file f ON f.id = r.file_id "
    "JOIN file_variable v ON v.file_id = r.file_id "
    "WHERE r.level = 'iris' GROUP BY r.file_id, 3, 4, 5;";

ctg_status ctg_wh_fail(ctg_warehouse *wh, int rc, ctg_error *err, const char *what)
{
    int primary = rc & 0xff;
    ctg_status code = CTG_ERR_DB;
    if (primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_READONLY ||
        primary == SQLITE_CANTOPEN || primary == SQLITE_PERM)
        code = CTG_ERR_CANTCREAT;
    else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
        code = CTG_ERR_LOCKED;
    else if (primary == SQLITE_NOMEM)
        code = CTG_ERR_NOMEM;
    else if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)
        code = CTG_ERR_DATA;
    const char *msg = wh && wh->db ? sqlite3_errmsg(wh->db) : sqlite3_errstr(rc);
    if (code == CTG_ERR_LOCKED)
        return ctg_fail(err, code, wh ? wh->path : NULL, 0,
                        "the warehouse is locked by another run (%s)", msg);
    return ctg_fail(err, code, wh ? wh->path : NULL, 0, "%s: %s", what, msg);
}

void ctg_wh_bulk_begin(ctg_warehouse *wh)
{
    if (wh->memory)
        return;
    sqlite3_exec(wh->db, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
    if (wh->flush_fd < 0)
        wh->flush_fd = open(wh->path, O_RDONLY | O_CLOEXEC);
}

void ctg_wh_bulk_end(ctg_warehouse *wh)
{
    if (wh->memory)
        return;
    sqlite3_exec(wh->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    if (wh->flush_fd >= 0)
        close(wh->flush_fd);
    wh->flush_fd = -1;
}

void ctg_wh_start_writeback(ctg_warehouse *wh)
{
#if defined(__linux__) && defined(SYNC_FILE_RANGE_WRITE)
    if (wh->flush_fd >= 0)
        (void)sync_file_range(wh->flush_fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#else
    (void)wh;
#endif
}

ctg_status ctg_wh_exec(ctg_warehouse *wh, const char *sql, ctg_error *err)
{
    int rc = sqlite3_exec(wh->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return ctg_wh_fail(wh, rc, err, "SQL");
    return CTG_OK;
}

ctg_status ctg_wh_prepare(ctg_warehouse *wh, const char *sql, sqlite3_stmt **stmt,
                          ctg_error *err)
{
    int rc = sqlite3_prepare_v2(wh->db, sql, -1, stmt, NULL);
    if (rc != SQLITE_OK)
        return ctg_wh_fail(wh, rc, err, "preparing SQL");
    return CTG_OK;
}

ctg_status ctg_wh_prepare_rows(ctg_warehouse *wh, const char *head, int params, int rows,
                               sqlite3_stmt **stmt, ctg_error *err)
{
    ctg_buf sql = CTG_BUF_INIT;
    ctg_status st = ctg_buf_puts(&sql, head);
    for (int k = 0; k < rows && st == CTG_OK; k++) {
        for (int j = 0; j < params && st == CTG_OK; j++)
            st = ctg_buf_puts(&sql, j ? ",?" : k ? ",(?" : "(?");
        if (st == CTG_OK)
            st = ctg_buf_putc(&sql, ')');
    }
    if (st == CTG_OK)
        st = ctg_wh_prepare(wh, ctg_buf_str(&sql), stmt, err);
    else
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    ctg_buf_free(&sql);
    return st;
}

/* Upgrades a warehouse of an older schema version, in one transaction:
 * 2 to 3 adds the bounds of values resting on rounded counts; 3 to 4 the
 * refresh tables (indicator_state, report_state, change), which the schema
 * creates when they are missing. */
static ctg_status upgrade(ctg_warehouse *wh, const char *version, ctg_error *err)
{
    ctg_status st = ctg_wh_begin(wh, err);
    if (st == CTG_OK && !strcmp(version, "2"))
        st = ctg_wh_exec(wh,
                         "ALTER TABLE indicator_value ADD COLUMN low REAL; "
                         "ALTER TABLE indicator_value ADD COLUMN high REAL;",
                         err);
    if (st == CTG_OK)
        st = ctg_wh_exec(wh, ctg_warehouse_sql, err);
    if (st == CTG_OK)
        st = ctg_wh_exec(wh,
                         "UPDATE meta SET value = '" CTG_WH_SCHEMA_VERSION
                         "' WHERE key = 'schema_version'",
                         err);
    if (st != CTG_OK) {
        ctg_wh_rollback(wh);
        return st;
    }
    return ctg_wh_commit(wh, err);
}

/* Reads meta.schema_version; "" when the table or the key is absent. */
static ctg_status schema_version(ctg_warehouse *wh, char *out, size_t size, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    out[0] = '\0';
    int rc = sqlite3_prepare_v2(wh->db,
                                "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st,
                                NULL);
    if (rc != SQLITE_OK) {
        /* No meta table: an empty database, or something that is not ours. */
        sqlite3_finalize(st);
        return CTG_OK;
    }
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return ctg_wh_fail(wh, rc, err, "reading the schema version");
    return CTG_OK;
}

static int table_count(ctg_warehouse *wh)
{
    sqlite3_stmt *st = NULL;
    int n = -1;
    if (sqlite3_prepare_v2(wh->db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return n;
}

static ctg_status create_schema(ctg_warehouse *wh, ctg_error *err)
{
    ctg_status st = ctg_wh_begin(wh, err);
    if (st != CTG_OK)
        return st;
    st = ctg_wh_exec(wh, ctg_warehouse_sql, err);
    if (st == CTG_OK)
        st = ctg_wh_exec(wh,
                         "INSERT OR REPLACE INTO meta(key, value) VALUES "
                         "('schema_version', '" CTG_WH_SCHEMA_VERSION "'), "
                         "('created_by', 'ctgdiag " CTG_VERSION "');",
                         err);
    if (st != CTG_OK) {
        ctg_wh_rollback(wh);
        return st;
    }
    return ctg_wh_commit(wh, err);
}

static ctg_status configure(ctg_warehouse *wh, int flags, ctg_error *err)
{
    ctg_status st;
    sqlite3_busy_timeout(wh->db, (flags & CTG_WH_READONLY) ? CTG_WH_READ_BUSY_MS : CTG_WH_BUSY_MS);
    if (!(flags & (CTG_WH_READONLY | CTG_WH_MEMORY))) {
        st = ctg_wh_exec(wh, "PRAGMA journal_mode = WAL", err);
        if (st != CTG_OK)
            return st;
    }
    st = ctg_wh_exec(wh, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;", err);
    if (st != CTG_OK)
        return st;
    int rc = sqlite3_create_function(wh->db, "obs_value", 2,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_obs_value,
                                     NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function(wh->db, "obs_status", 2,
                                     SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL, sql_obs_status,
                                     NULL, NULL);
    if (rc != SQLITE_OK)
        return ctg_wh_fail(wh, rc, err, "registering SQL functions");
    return CTG_OK;
}

/* Takes the writer's lock: an exclusive flock on PATH.lock. */
static ctg_status take_lock(ctg_warehouse *wh, const char *path, ctg_error *err)
{
    size_t n = strlen(path);
    char *lock = malloc(n + 6);
    if (!lock)
        return ctg_fail(err, CTG_ERR_NOMEM, path, 0, "out of memory");
    memcpy(lock, path, n);
    memcpy(lock + n, ".lock", 6);
    ctg_status st = CTG_OK;
    wh->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (wh->lock_fd < 0)
        st = ctg_fail(err, CTG_ERR_CANTCREAT, lock, 0, "cannot create the lock file: %s",
                      strerror(errno));
    else if (flock(wh->lock_fd, LOCK_EX | LOCK_NB) != 0)
        st = ctg_fail(err, errno == EWOULDBLOCK ? CTG_ERR_LOCKED : CTG_ERR_CANTCREAT, path, 0,
                      errno == EWOULDBLOCK ? "another run holds the warehouse (lock %s)"
                                           : "cannot lock %s",
                      lock);
    free(lock);
    return st;
}

void ctg_wh_library_init(void)
{
    /* SQLITE_MISUSE once the library is initialised: nothing to do then */
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

ctg_status ctg_wh_open(const char *path, int flags, ctg_warehouse **out, ctg_error *err)
{
    ctg_status st = CTG_ERR_NOMEM;
    ctg_warehouse *wh = calloc(1, sizeof *wh);
    if (!wh)
        return ctg_fail(err, st, path, 0, "out of memory");
    const char *real = (flags & CTG_WH_MEMORY) ? ":memory:" : path;
    wh->lock_fd = -1;
    wh->flush_fd = -1;
    wh->memory = (flags & CTG_WH_MEMORY) != 0;
    wh->path = strdup(real);
    if (!wh->path) {
        ctg_fail(err, st, path, 0, "out of memory");
        goto fail;
    }
    struct stat sb;
    int exists = (flags & CTG_WH_MEMORY) || stat(path, &sb) == 0;
    if (!exists && !(flags & CTG_WH_CREATE)) {
        st = ctg_fail(err, CTG_ERR_NOINPUT, path, 0,
                      "no warehouse here (run `ctgdiag ingest` first, or give --db)");
        goto fail;
    }
    if ((flags & CTG_WH_WRITER) && !(flags & CTG_WH_MEMORY)) {
        st = take_lock(wh, path, err);
        if (st != CTG_OK)
            goto fail;
    }
    /* one connection per handle, used by one thread: no SQLite mutexes */
    int oflags = ((flags & CTG_WH_READONLY) ? SQLITE_OPEN_READONLY
                                            : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
                 SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(real, &wh->db, oflags, NULL);
    if (rc != SQLITE_OK) {
        st = ctg_wh_fail(wh, rc, err, "opening the warehouse");
        goto fail;
    }
    st = configure(wh, flags, err);
    if (st != CTG_OK)
        goto fail;
    char version[32];
    st = schema_version(wh, version, sizeof version, err);
    if (st != CTG_OK)
        goto fail;
    if (version[0] == '\0') {
        if (table_count(wh) != 0) {
            st = ctg_fail(err, CTG_ERR_DATA, path, 0,
                          "this SQLite file is not a ctgdiag warehouse");
            goto fail;
        }
        if (flags & CTG_WH_READONLY) {
            st = ctg_fail(err, CTG_ERR_NOINPUT, path, 0, "the warehouse is empty");
            goto fail;
        }
        st = create_schema(wh, err);
        if (st != CTG_OK)
            goto fail;
    } else if ((!strcmp(version, "2") || !strcmp(version, "3")) &&
               !(flags & CTG_WH_READONLY)) {
        st = upgrade(wh, version, err);
        if (st != CTG_OK)
            goto fail;
    } else if (!strcmp(version, "2")) {
        st = ctg_fail(err, CTG_ERR_DATA, path, 0,
                      "warehouse schema version 2: run `ctgdiag compute` once to upgrade it to "
                      "version %s",
                      CTG_WH_SCHEMA_VERSION);
        goto fail;
    } else if (strcmp(version, CTG_WH_SCHEMA_VERSION) != 0 && strcmp(version, "3") != 0) {
        /* a reader reads version 3 as it is: what 4 adds only writers use */
        st = ctg_fail(err, CTG_ERR_DATA, path, 0,
                      "warehouse schema version %s, this ctgdiag reads version %s", version,
                      CTG_WH_SCHEMA_VERSION);
        goto fail;
    }
    st = ctg_wh_exec(wh, OBSERVATION_VIEW, err);
    if (st != CTG_OK)
        goto fail;
    *out = wh;
    return CTG_OK;
fail:
    ctg_wh_close(wh);
    return st;
}

void ctg_wh_close(ctg_warehouse *wh)
{
    if (!wh)
        return;
    if (wh->db) {
        if (!sqlite3_get_autocommit(wh->db))
            sqlite3_exec(wh->db, "ROLLBACK", NULL, NULL, NULL);
        sqlite3_close_v2(wh->db);
    }
    if (wh->lock_fd >= 0)
        close(wh->lock_fd); /* releases the lock */
    if (wh->flush_fd >= 0)
        close(wh->flush_fd);
    free(wh->path);
    free(wh);
}

sqlite3 *ctg_wh_db(ctg_warehouse *wh)
{
    return wh->db;
}

const char *ctg_wh_path(const ctg_warehouse *wh)
{
    return wh->path;
}

ctg_status ctg_wh_begin(ctg_warehouse *wh, ctg_error *err)
{
    int rc = sqlite3_exec(wh->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return ctg_wh_fail(wh, rc, err, "starting a transaction");
    return CTG_OK;
}

ctg_status ctg_wh_commit(ctg_warehouse *wh, ctg_error *err)
{
    int rc = sqlite3_exec(wh->db, "COMMIT", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        ctg_status st = ctg_wh_fail(wh, rc, err, "committing");
        ctg_wh_rollback(wh);
        return st;
    }
    return CTG_OK;
}

void ctg_wh_rollback(ctg_warehouse *wh)
{
    if (!sqlite3_get_autocommit(wh->db))
        sqlite3_exec(wh->db, "ROLLBACK", NULL, NULL, NULL);
}

ctg_status ctg_wh_snapshot_begin(ctg_warehouse *wh, int *started, ctg_error *err)
{
    *started = 0;
    if (!sqlite3_get_autocommit(wh->db))
        return CTG_OK; /* inside the caller's transaction: its snapshot already */
    /* BEGIN takes no lock; the read that follows takes it, so that a
     * warehouse another process holds is waited for here, once */
    int rc = sqlite3_exec(wh->db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        ctg_status st = ctg_wh_fail(wh, rc, err, "starting to read");
        ctg_wh_rollback(wh);
        return st;
    }
    /* Only in WAL mode, where a reader never holds a writer up: in rollback
     * mode (a bulk ingest or compute at work) a snapshot would keep the
     * writer from its commit for as long as the reading lasts. */
    sqlite3_stmt *q = NULL;
    int wal = sqlite3_prepare_v2(wh->db, "PRAGMA main.journal_mode", -1, &q, NULL) == SQLITE_OK &&
              sqlite3_step(q) == SQLITE_ROW &&
              !sqlite3_stricmp((const char *)sqlite3_column_text(q, 0), "wal");
    sqlite3_finalize(q);
    if (!wal) {
        ctg_wh_snapshot_end(wh, 1);
        return CTG_OK;
    }
    *started = 1;
    return CTG_OK;
}

void ctg_wh_snapshot_end(ctg_warehouse *wh, int started)
{
    if (started && sqlite3_exec(wh->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        ctg_wh_rollback(wh);
}

ctg_status ctg_wh_run_start(ctg_warehouse *wh, const char *command, const char *arguments,
                            long long *run_id, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(
        wh,
        "INSERT INTO run(command, arguments, started_at) "
        "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_text(st, 1, command, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, arguments, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(wh, rc, err, "recording the run");
    *run_id = sqlite3_last_insert_rowid(wh->db);
    return CTG_OK;
}

ctg_status ctg_wh_run_finish(ctg_warehouse *wh, long long run_id, int exit_code, long loaded,
                             long unchanged, long rejected, long skipped, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(
        wh,
        "UPDATE run SET finished_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), exit_code = ?2, "
        "files_loaded = ?3, files_unchanged = ?4, files_rejected = ?5, files_skipped = ?6 "
        "WHERE id = ?1",
        &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int64(st, 1, run_id);
    sqlite3_bind_int(st, 2, exit_code);
    sqlite3_bind_int64(st, 3, loaded);
    sqlite3_bind_int64(st, 4, unchanged);
    sqlite3_bind_int64(st, 5, rejected);
    sqlite3_bind_int64(st, 6, skipped);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(wh, rc, err, "recording the end of the run");
    return CTG_OK;
}
