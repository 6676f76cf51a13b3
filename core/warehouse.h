/*
 * warehouse.h - the SQLite warehouse every stage reads and writes.
 *
 * A ctg_warehouse is an opaque handle on one open SQLite connection with the
 * schema of schemas/warehouse.sql applied, WAL journaling, foreign keys on,
 * and the SQL functions obs_value(vals, idx) / obs_status(vals, idx) plus
 * the temporary views `observation` (obs_row unpacked) and
 * `commune_from_iris` (IRIS figures summed by commune), docs/warehouse.md.
 *
 * A writing command opens the warehouse with CTG_WH_WRITER: it holds an
 * exclusive lock on FILE.lock (flock, released when the process ends, even
 * killed) for the whole run, so two runs never write at once; the second
 * gets CTG_ERR_LOCKED (exit 75) at once. Within a run, each transaction is
 * taken with ctg_wh_begin (BEGIN IMMEDIATE), which also waits a little for
 * readers of other processes.
 *
 * Ownership: ctg_wh_open returns a handle the caller closes with ctg_wh_close;
 * statements prepared through ctg_wh_prepare belong to the caller
 * (sqlite3_finalize).
 */
#ifndef CTG_WAREHOUSE_H
#define CTG_WAREHOUSE_H

#include <sqlite3.h>

#include "error.h"

typedef struct ctg_warehouse ctg_warehouse;

#define CTG_WH_SCHEMA_VERSION "4"

enum {
    CTG_WH_CREATE = 1,   /* create the file (and the schema) when missing */
    CTG_WH_READONLY = 2, /* open for reading only; the file must exist */
    CTG_WH_MEMORY = 4,   /* ignore path: a private in-memory warehouse (dry runs) */
    CTG_WH_WRITER = 8    /* hold the writer's lock (FILE.lock) until closed: one
                            writing run at a time; another gets CTG_ERR_LOCKED */
};

/* Configures the SQLite library for the process, before any warehouse is
 * opened (a later call does nothing): no memory statistics, whose global
 * mutex every allocation of every thread would take (the ingest's row
 * writer allocates beside the loading thread). */
void ctg_wh_library_init(void);

/* Opens (and with CTG_WH_CREATE creates) the warehouse at path. A missing
 * file without CTG_WH_CREATE is CTG_ERR_NOINPUT; a file that is not a
 * warehouse (or of a newer schema) is CTG_ERR_DATA. */
ctg_status ctg_wh_open(const char *path, int flags, ctg_warehouse **out, ctg_error *err);

/* Closes the connection; wh may be NULL. Rolls back an open transaction. */
void ctg_wh_close(ctg_warehouse *wh);

/* The underlying connection, for modules that run their own SQL. */
sqlite3 *ctg_wh_db(ctg_warehouse *wh);

/* The path the warehouse was opened with (":memory:" for CTG_WH_MEMORY). */
const char *ctg_wh_path(const ctg_warehouse *wh);

/* Starts a write transaction (BEGIN IMMEDIATE). CTG_ERR_LOCKED when another
 * process holds the warehouse beyond the busy timeout. */
ctg_status ctg_wh_begin(ctg_warehouse *wh, ctg_error *err);

/* Commits the open transaction. A failure to write (disk full, read-only
 * file) is CTG_ERR_CANTCREAT and the transaction is rolled back. */
ctg_status ctg_wh_commit(ctg_warehouse *wh, ctg_error *err);

/* Rolls back the open transaction, if any. Never fails. */
void ctg_wh_rollback(ctg_warehouse *wh);

/* Starts a read snapshot when no transaction is open and the warehouse is
 * in WAL mode (*started says whether one was): every query until
 * ctg_wh_snapshot_end sees the same state of the warehouse, even if another
 * process commits meanwhile, and SQLite keeps its page cache between queries
 * instead of checking the file again at each one. In rollback mode (a bulk
 * ingest or compute at work) none is started: a reader holding the file
 * would keep that writer from its commit, so queries read one by one. */
ctg_status ctg_wh_snapshot_begin(ctg_warehouse *wh, int *started, ctg_error *err);

/* Ends the snapshot ctg_wh_snapshot_begin started (nothing when started is
 * 0). Never fails: a snapshot wrote nothing to the warehouse. */
void ctg_wh_snapshot_end(ctg_warehouse *wh, int started);

/* Bulk writing (ingest, compute): a rollback journal instead of the WAL
 * until ctg_wh_bulk_end. The pages a transaction appends to the file are
 * then written once, where the WAL writes them twice (to the log, then to
 * the file at the checkpoint); the journal keeps only the pages the
 * transaction changes. Readers wait (busy timeout, 30 s for a read-only
 * handle) while a transaction holds the file. Call outside a transaction; nothing to do for a warehouse in
 * memory. Never fails the caller: while another process reads the
 * warehouse, the mode cannot change and the WAL stays (slower, as safe). */
void ctg_wh_bulk_begin(ctg_warehouse *wh);

/* During a bulk write: asks the system to start writing to the disk the
 * pages SQLite has handed it so far, without waiting for them, so that the
 * sync of the next commit finds most of them written instead of all of them
 * still to write (Linux; nothing elsewhere, or outside a bulk write). Uses
 * no SQLite connection: the thread storing a load's rows may call it. */
void ctg_wh_start_writeback(ctg_warehouse *wh);

/* Back to the WAL after ctg_wh_bulk_begin. Never fails the caller: a
 * warehouse left in rollback mode is put back in WAL by the next writer
 * that opens it. */
void ctg_wh_bulk_end(ctg_warehouse *wh);

/* Runs SQL without results. */
ctg_status ctg_wh_exec(ctg_warehouse *wh, const char *sql, ctg_error *err);

/* Prepares one statement; on failure fills *err with SQLite's message. */
ctg_status ctg_wh_prepare(ctg_warehouse *wh, const char *sql, sqlite3_stmt **stmt,
                          ctg_error *err);

/* Prepares head ("INSERT INTO t(a, b) VALUES ") followed by rows tuples of
 * params anonymous parameters each: row k's parameter j (from 1) is number
 * k * params + j. For the inserts of many rows to a statement. */
ctg_status ctg_wh_prepare_rows(ctg_warehouse *wh, const char *head, int params, int rows,
                               sqlite3_stmt **stmt, ctg_error *err);

/* Turns an SQLite result code into a ctg_status (CTG_ERR_CANTCREAT for full
 * disk / I/O / read-only, CTG_ERR_LOCKED for busy, CTG_ERR_DB otherwise) and
 * fills *err with the connection's message. */
ctg_status ctg_wh_fail(ctg_warehouse *wh, int rc, ctg_error *err, const char *what);

/* Records the start of a run (a row in `run`), in its own transaction.
 * *run_id receives its id. */
ctg_status ctg_wh_run_start(ctg_warehouse *wh, const char *command, const char *arguments,
                            long long *run_id, ctg_error *err);

/* Records the end of a run with its exit code and file counts. */
ctg_status ctg_wh_run_finish(ctg_warehouse *wh, long long run_id, int exit_code, long loaded,
                             long unchanged, long rejected, long skipped, ctg_error *err);

#endif
