/*
 * error.h - the one error convention of ctgdiag.
 *
 * Every fallible function returns a ctg_status. CTG_OK is 0; anything else
 * is a failure whose kind decides the process exit code (sysexits, see
 * ctg_exit_code). Functions that can say more about a failure take a
 * ctg_error * and fill it with ctg_fail(): the path and line the problem is
 * about (or NULL / 0) and a message. Callers print it with ctg_error_print()
 * as "PATH:LINE: message" on stderr.
 *
 * Ownership: a ctg_error is a plain value (fixed buffers), owned by the
 * caller, never freed.
 */
#ifndef CTG_ERROR_H
#define CTG_ERROR_H

#include <stdio.h>

typedef enum ctg_status {
    CTG_OK = 0,
    CTG_ERR_USAGE,     /* bad command line (exit 64) */
    CTG_ERR_DATA,      /* an input file is malformed or not of a known kind (exit 65) */
    CTG_ERR_NOINPUT,   /* an input file or folder is missing or unreadable (exit 66) */
    CTG_ERR_SCHEMA,    /* a schema file in schemas/ is malformed (exit 65) */
    CTG_ERR_CANTCREAT, /* an output cannot be written: disk full, permissions (exit 73) */
    CTG_ERR_LOCKED,    /* another run holds the warehouse (exit 75) */
    CTG_ERR_NOMEM,     /* out of memory (exit 70) */
    CTG_ERR_DB,        /* SQLite reported an unexpected error (exit 70) */
    CTG_ERR_INTERNAL   /* a bug: an invariant did not hold (exit 70) */
} ctg_status;

/* sysexits codes used by the command-line contract (product.md). */
enum {
    CTG_EXIT_OK = 0,
    CTG_EXIT_USAGE = 64,
    CTG_EXIT_DATAERR = 65,
    CTG_EXIT_NOINPUT = 66,
    CTG_EXIT_SOFTWARE = 70,
    CTG_EXIT_CANTCREAT = 73,
    CTG_EXIT_TEMPFAIL = 75
};

#define CTG_ERROR_PATH_MAX 1024
#define CTG_ERROR_MSG_MAX 1024

typedef struct ctg_error {
    ctg_status code;                 /* CTG_OK when nothing failed */
    char path[CTG_ERROR_PATH_MAX];   /* file the message is about, "" if none */
    long line;                       /* 1-based line in that file, 0 if none */
    char msg[CTG_ERROR_MSG_MAX];     /* human-readable detail, UTF-8 */
} ctg_error;

/* Returns a short, constant, English description of a status code. */
const char *ctg_strerror(ctg_status code);

/* Returns the process exit code (sysexits) for a status code. */
int ctg_exit_code(ctg_status code);

/* Resets *err to "no error". err may be NULL. */
void ctg_error_clear(ctg_error *err);

/*
 * Records a failure in *err (if err is not NULL) and returns code, so that
 * callers can write `return ctg_fail(err, CTG_ERR_DATA, path, line, "...")`.
 * path may be NULL; line 0 means "no line". The message is printf-formatted
 * and truncated to CTG_ERROR_MSG_MAX bytes.
 */
ctg_status ctg_fail(ctg_error *err, ctg_status code, const char *path, long line,
                    const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

/*
 * Prints *err on stream as "PATH:LINE: message", "PATH: message" or
 * "ctgdiag: message" depending on what is known, followed by a newline.
 */
void ctg_error_print(const ctg_error *err, FILE *stream);

/* Prints one diagnostic "PATH:LINE: message" (or "PATH: message" when line
 * is 0) on stream. */
void ctg_diag(FILE *stream, const char *path, long line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif
