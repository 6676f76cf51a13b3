/*
 * load.h - internal to ingest/: the state of one file being loaded, shared
 * by ingest.c (the driver) and the sinks that write its rows
 * (obs_sink.c for observations, geo_sink.c for geography and dictionaries).
 *
 * Not part of the public API: nothing outside ingest/ includes it.
 */
#ifndef CTG_LOAD_H
#define CTG_LOAD_H

#include <sqlite3.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/warehouse.h"
#include "ingest/family.h"
#include "ingest/ingest.h"
#include "ingest/reader.h"

typedef struct ctg_unitmap ctg_unitmap;

/* What the unit map remembers of the first row seen for a unit. */
typedef struct ctg_unit_seen {
    long line;            /* line of that row */
    uint64_t hash[2];     /* hash of its text */
    sqlite3_int64 rowid;  /* row stored for it (obs_row / geo row), 0 when none */
    int conflicted;       /* a later row disagreed: the unit is rejected */
    long secret, missing; /* cells of the stored row by status, taken back if it is unstored */
    int noticed;          /* notices were written for the stored row */
    int pseudo;           /* it counted as a pseudo-unit */
} ctg_unit_seen;

/* Creates an empty map of unit keys. */
ctg_unitmap *ctg_unitmap_new(void);

/* Finds key; when absent, inserts it with *seen zeroed and sets *is_new.
 * Returns NULL when out of memory. The pointer is valid until the next insert. */
ctg_unit_seen *ctg_unitmap_get(ctg_unitmap *m, const char *key, size_t len, int *is_new);

/* Empties the map, keeping its memory for the next file's units. */
void ctg_unitmap_clear(ctg_unitmap *m);

/* Frees the map; m may be NULL. */
void ctg_unitmap_free(ctg_unitmap *m);

/* A row whose text must be fetched for the reject table (a conflict found
 * after the row itself was stored). */
typedef struct ctg_late_reject {
    long line;
    char *reason;
} ctg_late_reject;

typedef struct ctg_sink ctg_sink;

/*
 * The row queue: an observations file's rows are stored in obs_row by a
 * second thread, in the order they were put, while the loading thread reads
 * the next ones (row_queue.c). The loading thread must not use the
 * warehouse while rows are queued: ctg_load_sync waits for them first.
 */
typedef struct ctg_row_queue ctg_row_queue;

/* One row for obs_row; strings NUL-terminated, NULL for SQL NULL. Copied by
 * ctg_row_queue_put. */
typedef struct ctg_queued_row {
    long line;
    const char *level, *code, *period, *name, *parent, *measure;
    const void *vals;
    size_t vals_len;
} ctg_queued_row;

/* Prepares the insert into obs_row for file_id and starts the writer thread
 * (or, if no thread can be made, stores each buffer on the caller's). The
 * caller stops the queue with ctg_row_queue_stop. */
ctg_status ctg_row_queue_start(ctg_warehouse *wh, sqlite3_int64 file_id, ctg_row_queue **out,
                               ctg_error *err);

/* Queues a copy of row; *id receives the obs_row id it will have (ids follow
 * the largest in the table, as SQLite would give them). Fails with the
 * writer's error when an earlier row could not be stored. */
ctg_status ctg_row_queue_put(ctg_row_queue *q, const ctg_queued_row *row, sqlite3_int64 *id,
                             ctg_error *err);

/* Returns once every queued row is stored: CTG_OK, or the first failure of
 * the writer (then the rows after it are not stored). */
ctg_status ctg_row_queue_sync(ctg_row_queue *q, ctg_error *err);

/* Waits for the queued rows, stops the writer and frees q (NULL is fine). */
void ctg_row_queue_stop(ctg_row_queue *q);

/* The file being loaded. */
typedef struct ctg_load {
    ctg_warehouse *wh;
    const ctg_family *fam;
    const ctg_ingest_options *opt;
    const char *path;
    sqlite3_int64 file_id;
    char vintage[16];          /* known before the rows, or "" until the end */
    int geo_year;              /* 0 until known */
    char max_period[16];       /* highest row period seen (vintage = period) */
    const char *vintage_from;  /* the rule that gave the vintage: column, period, title,
                                  filename, option */
    char decimal_mark;         /* 0, '.' or ',' */

    /* header */
    size_t ncols;
    char **cols;               /* header fields, trimmed */
    long header_line;
    unsigned char *bound;      /* 1 for columns bound to a unit field */

    /* counts */
    long rows, loaded, rejected, duplicates, secret, missing, pseudo;

    sqlite3_stmt *ins_reject;
    sqlite3_stmt *ins_notice;
    ctg_unitmap *units;
    ctg_late_reject *late;
    size_t nlate, late_cap;

    ctg_sink *sink;
    ctg_row_queue *queue;      /* the sink's rows on their way to the warehouse, or NULL */
    char replaced[256];        /* names of the files this one replaced */
} ctg_load;

/* The operations of a sink; each returns CTG_OK or a whole-file failure. */
typedef struct ctg_sink_ops {
    /* Binds the header (load->cols); may fail when columns are missing. */
    ctg_status (*begin)(ctg_load *load, ctg_error *err);
    /* Takes one data row: stores it, or rejects it through ctg_load_reject. */
    ctg_status (*row)(ctg_load *load, const ctg_record *rec, ctg_error *err);
    /* After the last row: writes what depends on the whole file. */
    ctg_status (*finish)(ctg_load *load, ctg_error *err);
    /* Deletes the row stored for a unit found in conflict, and takes back
     * what it counted. */
    ctg_status (*unstore)(ctg_load *load, const ctg_unit_seen *seen, ctg_error *err);
    /* Frees the sink's state. */
    void (*free)(ctg_load *load);
} ctg_sink_ops;

struct ctg_sink {
    const ctg_sink_ops *ops;
    void *state;
};

extern const ctg_sink_ops ctg_obs_sink;
extern const ctg_sink_ops ctg_geo_sink;

/* Waits until the rows queued by the sink (load->queue) are stored, so that
 * the warehouse can be used: every other statement of a load comes after
 * it. CTG_OK, or why a queued row could not be stored. */
ctg_status ctg_load_sync(ctg_load *load, ctg_error *err);

/* Records a rejected row (reject table, count, diagnostic). */
ctg_status ctg_load_reject(ctg_load *load, long line, const char *raw, size_t raw_len,
                           const char *reason, ctg_error *err);

/* Another loaded file holds units of this one: when it has the same file
 * name (a corrected version) or --replace was given, deletes it (it is
 * replaced, atomically with this load); otherwise fails with CTG_ERR_DATA
 * naming it. */
ctg_status ctg_load_replace(ctg_load *load, sqlite3_int64 other_file, ctg_error *err);

/* Records a notice about a row (pseudo-code, total, withheld...). */
ctg_status ctg_load_notice(ctg_load *load, long line, const char *kind, const char *code,
                           const char *detail, ctg_error *err);

/*
 * Checks a row's unit against the rows seen before in the file.
 * Returns 1 when the row is new (store it, then set *slot's rowid), 0 when it
 * must not be stored: a duplicate (counted) or a conflict (the row is
 * rejected here and the earlier row is unstored and queued for rejection).
 */
int ctg_load_check_unit(ctg_load *load, const char *key, size_t key_len, const ctg_record *rec,
                        ctg_unit_seen **slot, ctg_status *st, ctg_error *err);

/* Binds field rule f to header columns (first unbound column matching each
 * part). col[0..parts) receive column indexes; groups of the first part's
 * match go to m when not NULL. Returns 0 when a part matches no column. */
int ctg_load_bind(ctg_load *load, const ctg_field_rule *f, size_t col[2], regmatch_t *m,
                  size_t nm);

/* The value of field rule f in a row: the column, or the two columns
 * concatenated (a 3-character overseas département plus a 3-character
 * commune number drop the doubled digit: 971 + 101 = 97101). Trimmed. */
void ctg_load_field_value(const ctg_record *rec, const size_t col[2], int parts, ctg_buf *out);

/* The year of 2 or 4 digits (2-digit years: 20yy below 70, else 19yy). */
int ctg_load_year(const char *digits, size_t n);

/* 1 when word equals one of list[0..n) regardless of ASCII case. */
int ctg_word_in(const char *word, char *const *list, size_t n);

/* Lower-cases ASCII letters and turns blanks into '_' (canonical names). */
void ctg_canonical_name(char *s);

#endif
