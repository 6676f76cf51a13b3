/*
 * value_store.c - the floor of writing indicator values one row each in
 * SQLite (docs/performance.md, "Where the time goes now": compute).
 *
 * Inserts N rows shaped like the warehouse's `indicator_value` (a year's
 * commune values of 60 indicators after another, codes in order) into a new
 * database, 64 rows to an INSERT statement, in one transaction under a
 * rollback journal, as `ctgdiag compute` writes them; then prints the time
 * and the bytes per row. The table has one of four shapes:
 *
 *   0  as in schemas/warehouse.sql (text ids, a 16-byte inputs BLOB);
 *   1  integer ids for the indicator, year, level, status and flags;
 *   2  as 0 without the inputs BLOB;
 *   3  as 0 in a rowid table without the primary key (no B-tree seek).
 *
 * Build and run (nothing of ctgdiag is needed):
 *   cc -O2 -o value_store bench/value_store.c -lsqlite3
 *   for v in 0 1 2 3; do ./value_store $v 3000000 /tmp/value_store.db; done
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define ROWS_PER_INSERT 64
#define PARAMS 12

static const char *const SHAPES[] = {
    "CREATE TABLE iv(geo_year INTEGER NOT NULL, indicator TEXT NOT NULL, year TEXT NOT NULL, "
    "level TEXT NOT NULL, code TEXT NOT NULL, value REAL, status TEXT NOT NULL, coverage REAL, "
    "flags TEXT NOT NULL, inputs BLOB, low REAL, high REAL, "
    "PRIMARY KEY (geo_year, indicator, year, level, code)) WITHOUT ROWID",
    "CREATE TABLE iv(geo_year INTEGER NOT NULL, indicator INTEGER NOT NULL, year INTEGER NOT NULL, "
    "level INTEGER NOT NULL, code TEXT NOT NULL, value REAL, status INTEGER NOT NULL, "
    "coverage REAL, flags INTEGER NOT NULL, inputs BLOB, low REAL, high REAL, "
    "PRIMARY KEY (geo_year, indicator, year, level, code)) WITHOUT ROWID",
    "CREATE TABLE iv(geo_year INTEGER NOT NULL, indicator TEXT NOT NULL, year TEXT NOT NULL, "
    "level TEXT NOT NULL, code TEXT NOT NULL, value REAL, status TEXT NOT NULL, coverage REAL, "
    "flags TEXT NOT NULL, inputs BLOB, low REAL, high REAL, "
    "PRIMARY KEY (geo_year, indicator, year, level, code)) WITHOUT ROWID",
    "CREATE TABLE iv(id INTEGER PRIMARY KEY, geo_year INTEGER NOT NULL, indicator TEXT NOT NULL, "
    "year TEXT NOT NULL, level TEXT NOT NULL, code TEXT NOT NULL, value REAL, "
    "status TEXT NOT NULL, coverage REAL, flags TEXT NOT NULL, inputs BLOB, low REAL, high REAL)",
};

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "value_store: %s: %s\n", what, sqlite3_errmsg(db));
    sqlite3_close(db);
    return 1;
}

/* Binds row b of the statement: indicator k, year y, commune number c. */
static void bind_row(sqlite3_stmt *st, int shape, int b, int k, int y, int c)
{
    static const double inputs[2] = {12345.0, 67890.0};
    char indicator[48], year[12], code[12];
    int p = b * PARAMS;
    snprintf(indicator, sizeof indicator, "indicator_%02d_of_some_length", k);
    snprintf(year, sizeof year, "%d", y);
    snprintf(code, sizeof code, "%05d", 1000 + c);
    sqlite3_bind_int(st, p + 1, 2022);
    if (shape == 1) {
        sqlite3_bind_int(st, p + 2, k);
        sqlite3_bind_int(st, p + 3, y);
        sqlite3_bind_int(st, p + 4, 1);
    } else {
        sqlite3_bind_text(st, p + 2, indicator, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, p + 3, year, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, p + 4, "commune", -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(st, p + 5, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, p + 6, 1.5 + b);
    if (shape == 1)
        sqlite3_bind_int(st, p + 7, 0);
    else
        sqlite3_bind_text(st, p + 7, "ok", -1, SQLITE_STATIC);
    sqlite3_bind_null(st, p + 8);
    if (shape == 1)
        sqlite3_bind_int(st, p + 9, 0);
    else
        sqlite3_bind_text(st, p + 9, "", -1, SQLITE_STATIC);
    if (shape == 2)
        sqlite3_bind_null(st, p + 10);
    else
        sqlite3_bind_blob(st, p + 10, inputs, sizeof inputs, SQLITE_STATIC);
    sqlite3_bind_null(st, p + 11);
    sqlite3_bind_null(st, p + 12);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: value_store SHAPE(0-3) ROWS NEW_DATABASE\n");
        return 2;
    }
    int shape = atoi(argv[1]);
    long rows = atol(argv[2]);
    if (shape < 0 || shape > 3 || rows <= 0) {
        fprintf(stderr, "value_store: SHAPE is 0 to 3, ROWS a positive count\n");
        return 2;
    }
    remove(argv[3]);
    sqlite3 *db = NULL;
    if (sqlite3_open(argv[3], &db) != SQLITE_OK)
        return fail(db, "opening");
    if (sqlite3_exec(db, "PRAGMA journal_mode = DELETE; PRAGMA synchronous = NORMAL", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_exec(db, SHAPES[shape], NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "creating the table");
    char sql[ROWS_PER_INSERT * 28 + 200];
    int o = snprintf(sql, sizeof sql, "INSERT INTO iv(geo_year, indicator, year, level, code, "
                                      "value, status, coverage, flags, inputs, low, high) VALUES ");
    for (int i = 0; i < ROWS_PER_INSERT; i++)
        o += snprintf(sql + o, sizeof sql - (size_t)o, "%s(?,?,?,?,?,?,?,?,?,?,?,?)", i ? "," : "");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return fail(db, "preparing the INSERT");
    double start = seconds();
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    long written = 0;
    for (int y = 2012; written < rows; y++)
        for (int k = 0; k < 60 && written < rows; k++)
            for (int c = 0; c < 34000 && written < rows; c += ROWS_PER_INSERT) {
                for (int b = 0; b < ROWS_PER_INSERT; b++)
                    bind_row(st, shape, b, k, y, c + b);
                if (sqlite3_step(st) != SQLITE_DONE)
                    return fail(db, "inserting");
                sqlite3_reset(st);
                written += ROWS_PER_INSERT;
            }
    if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        return fail(db, "committing");
    double elapsed = seconds() - start;
    sqlite3_finalize(st);
    sqlite3_stmt *q = NULL;
    long long pages = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        pages = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    printf("shape %d: %ld rows in %.2f s, %.3f us a row, %.1f bytes a row\n", shape, written,
           elapsed, elapsed / (double)written * 1e6, (double)pages * 4096.0 / (double)written);
    sqlite3_close(db);
    return 0;
}
