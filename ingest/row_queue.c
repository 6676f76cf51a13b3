/* row_queue.c - the rows of an observations file stored by a second thread
 * (see load.h): the parse, checks and packing of the next rows run on one
 * core while SQLite stores the previous ones on the other.
 *
 * Two buffers: the loading thread copies rows into one while the writer
 * thread stores the other; they swap when the first is full or when the
 * loading thread syncs. The warehouse connection is used by one thread at a
 * time: the writer only between a swap and the end of its buffer, the
 * loading thread only after a sync (ctg_load_sync). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/load.h"

#define QUEUE_BUFFER_BYTES (256u * 1024u)

/* Rows to an INSERT statement: SQLite's cost of running a statement is
 * about that of the B-tree insert of a row, so rows go 64 at a time (the
 * rest of a buffer one by one). */
#define INSERT_BATCH 64
#define ROW_PARAMS 10 /* id, file_id, line and the NFIELDS fields */

enum { FIELD_LEVEL, FIELD_CODE, FIELD_PERIOD, FIELD_NAME, FIELD_PARENT, FIELD_VALS,
       FIELD_MEASURE, NFIELDS };
_Static_assert(ROW_PARAMS == 3 + NFIELDS, "a row binds its id, file id, line and fields");

struct ctg_row_queue {
    ctg_warehouse *wh;
    sqlite3_stmt *ins;       /* one row */
    sqlite3_stmt *ins_batch; /* INSERT_BATCH rows */
    sqlite3_int64 file_id;
    sqlite3_int64 next_id;

    ctg_buf buf[2];
    size_t rows[2];        /* rows in each buffer */
    int fill;              /* the buffer the loading thread copies into */
    int threaded;          /* 0: no second thread, buffers are stored in place */

    pthread_t writer;
    pthread_mutex_t lock;
    pthread_cond_t work;   /* a buffer to store, or stop */
    pthread_cond_t done;   /* the writer finished its buffer */
    int busy;              /* the writer has buf[!fill] to store */
    int stopping;
    int failed;            /* a row could not be stored: err says why */
    ctg_error err;
};

/* ------------------------------------------------------------ encoding */

/* A row in a buffer: id and line, then each field as a length (-1 for
 * NULL) and its bytes. */
static ctg_status put_field(ctg_buf *b, const void *bytes, size_t n, int present)
{
    int64_t len = present ? (int64_t)n : -1;
    ctg_status st = ctg_buf_append(b, &len, sizeof len);
    if (st == CTG_OK && present && n > 0)
        st = ctg_buf_append(b, bytes, n);
    return st;
}

static const char *take_field(const char **p, int64_t *len)
{
    memcpy(len, *p, sizeof *len);
    *p += sizeof *len;
    const char *bytes = *p;
    if (*len > 0)
        *p += *len;
    return bytes;
}

/* Binds the row at p to the parameters base + 1 .. base + ROW_PARAMS of st
 * (id, file id, line, then the fields); returns the next row. The bytes are
 * bound in place: the buffer outlives the statement's run. */
static const char *bind_row(sqlite3_stmt *st, int base, sqlite3_int64 file_id, const char *p)
{
    sqlite3_int64 id, line;
    memcpy(&id, p, sizeof id);
    memcpy(&line, p + sizeof id, sizeof line);
    p += sizeof id + sizeof line;
    sqlite3_bind_int64(st, base + 1, id);
    sqlite3_bind_int64(st, base + 2, file_id);
    sqlite3_bind_int64(st, base + 3, line);
    for (int f = 0; f < NFIELDS; f++) {
        int64_t len;
        const char *bytes = take_field(&p, &len);
        int param = base + 4 + f;
        if (len < 0)
            sqlite3_bind_null(st, param);
        else if (f == FIELD_VALS)
            sqlite3_bind_blob(st, param, bytes, (int)len, SQLITE_STATIC);
        else
            sqlite3_bind_text(st, param, bytes, (int)len, SQLITE_STATIC);
    }
    return p;
}

/* Runs st once; on failure sets q->err and q->failed. */
static void run_insert(ctg_row_queue *q, sqlite3_stmt *st, const char *what)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        ctg_wh_fail(q->wh, rc, &q->err, what);
        q->failed = 1;
    }
}

/* Stores the rows of buffer b (nrows of them), INSERT_BATCH rows to a
 * statement and the rows left one by one; stops at the first failure
 * (q->err). */
static void store_buffer(ctg_row_queue *q, const ctg_buf *b, size_t nrows)
{
    const char *p = b->data;
    size_t left = nrows;
    for (; left >= INSERT_BATCH && !q->failed; left -= INSERT_BATCH) {
        for (int k = 0; k < INSERT_BATCH; k++)
            p = bind_row(q->ins_batch, k * ROW_PARAMS, q->file_id, p);
        run_insert(q, q->ins_batch, "storing rows");
    }
    for (; left > 0 && !q->failed; left--) {
        p = bind_row(q->ins, 0, q->file_id, p);
        run_insert(q, q->ins, "storing a row");
    }
    sqlite3_clear_bindings(q->ins_batch);
    sqlite3_clear_bindings(q->ins);
    /* the pages SQLite spilled from its cache go to the disk while the
     * next rows are parsed, not all at the commit's sync */
    ctg_wh_start_writeback(q->wh);
}

/* -------------------------------------------------------------- thread */

static void *writer_main(void *arg)
{
    ctg_row_queue *q = arg;
    pthread_mutex_lock(&q->lock);
    for (;;) {
        while (!q->busy && !q->stopping)
            pthread_cond_wait(&q->work, &q->lock);
        if (!q->busy)
            break;
        int i = !q->fill;
        int skip = q->failed;
        pthread_mutex_unlock(&q->lock);
        if (!skip)
            store_buffer(q, &q->buf[i], q->rows[i]);
        pthread_mutex_lock(&q->lock);
        q->busy = 0;
        pthread_cond_signal(&q->done);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* Waits until the writer has no buffer (the lock held). */
static void wait_idle(ctg_row_queue *q)
{
    while (q->busy)
        pthread_cond_wait(&q->done, &q->lock);
}

/* Hands the filled buffer to the writer (or stores it here). Returns 1 when
 * a row of an earlier buffer could not be stored. */
static int hand_over(ctg_row_queue *q)
{
    if (!q->threaded) {
        if (!q->failed && q->rows[q->fill] > 0)
            store_buffer(q, &q->buf[q->fill], q->rows[q->fill]);
        ctg_buf_reset(&q->buf[q->fill]);
        q->rows[q->fill] = 0;
        return q->failed;
    }
    pthread_mutex_lock(&q->lock);
    wait_idle(q);
    int failed = q->failed;
    if (q->rows[q->fill] > 0 && !failed) {
        q->fill = !q->fill;
        ctg_buf_reset(&q->buf[q->fill]);
        q->rows[q->fill] = 0;
        q->busy = 1;
        pthread_cond_signal(&q->work);
    }
    pthread_mutex_unlock(&q->lock);
    return failed;
}

/* -------------------------------------------------------------- public */

/* The head of the INSERT of obs_row rows, ROW_PARAMS parameters a row. */
static const char INSERT_HEAD[] = "INSERT INTO obs_row(id, file_id, line, level, code, period, "
                                  "name, parent, vals, measure) VALUES ";

ctg_status ctg_row_queue_start(ctg_warehouse *wh, sqlite3_int64 file_id, ctg_row_queue **out,
                               ctg_error *err)
{
    *out = NULL;
    ctg_row_queue *q = calloc(1, sizeof *q);
    if (!q)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    q->wh = wh;
    q->file_id = file_id;
    ctg_error_clear(&q->err);
    sqlite3_stmt *max = NULL;
    ctg_status st = ctg_wh_prepare(wh, "SELECT coalesce(max(id), 0) FROM obs_row", &max, err);
    if (st == CTG_OK) {
        int rc = sqlite3_step(max);
        if (rc == SQLITE_ROW)
            q->next_id = sqlite3_column_int64(max, 0) + 1;
        else
            st = ctg_wh_fail(wh, rc, err, "reading the last row id");
    }
    sqlite3_finalize(max);
    if (st == CTG_OK)
        st = ctg_wh_prepare_rows(wh, INSERT_HEAD, ROW_PARAMS, 1, &q->ins, err);
    if (st == CTG_OK)
        st = ctg_wh_prepare_rows(wh, INSERT_HEAD, ROW_PARAMS, INSERT_BATCH, &q->ins_batch, err);
    if (st != CTG_OK) {
        sqlite3_finalize(q->ins);
        sqlite3_finalize(q->ins_batch);
        free(q);
        return st;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->work, NULL);
    pthread_cond_init(&q->done, NULL);
    q->threaded = pthread_create(&q->writer, NULL, writer_main, q) == 0;
    *out = q;
    return CTG_OK;
}

ctg_status ctg_row_queue_put(ctg_row_queue *q, const ctg_queued_row *row, sqlite3_int64 *id,
                             ctg_error *err)
{
    ctg_buf *b = &q->buf[q->fill];
    size_t start = b->len;
    sqlite3_int64 line = row->line;
    const char *text[NFIELDS] = {row->level, row->code, row->period, row->name, row->parent,
                                 NULL, row->measure};
    ctg_status st = ctg_buf_append(b, &q->next_id, sizeof q->next_id);
    if (st == CTG_OK)
        st = ctg_buf_append(b, &line, sizeof line);
    for (int f = 0; f < NFIELDS && st == CTG_OK; f++) {
        if (f == FIELD_VALS)
            st = put_field(b, row->vals, row->vals_len, 1);
        else
            st = put_field(b, text[f], text[f] ? strlen(text[f]) : 0, text[f] != NULL);
    }
    if (st != CTG_OK) {
        b->len = start; /* no half row left behind */
        if (b->data)
            b->data[start] = '\0';
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    }
    q->rows[q->fill]++;
    *id = q->next_id++;
    if (b->len >= QUEUE_BUFFER_BYTES && hand_over(q))
        return ctg_row_queue_sync(q, err);
    return CTG_OK;
}

ctg_status ctg_row_queue_sync(ctg_row_queue *q, ctg_error *err)
{
    int failed = hand_over(q);
    if (q->threaded) {
        pthread_mutex_lock(&q->lock);
        wait_idle(q);
        failed = q->failed;
        pthread_mutex_unlock(&q->lock);
    }
    if (failed) {
        *err = q->err;
        return q->err.code;
    }
    return CTG_OK;
}

void ctg_row_queue_stop(ctg_row_queue *q)
{
    if (!q)
        return;
    if (q->threaded) {
        pthread_mutex_lock(&q->lock);
        wait_idle(q);
        q->stopping = 1;
        pthread_cond_signal(&q->work);
        pthread_mutex_unlock(&q->lock);
        pthread_join(q->writer, NULL);
    }
    pthread_cond_destroy(&q->done);
    pthread_cond_destroy(&q->work);
    pthread_mutex_destroy(&q->lock);
    sqlite3_finalize(q->ins);
    sqlite3_finalize(q->ins_batch);
    ctg_buf_free(&q->buf[0]);
    ctg_buf_free(&q->buf[1]);
    free(q);
}
