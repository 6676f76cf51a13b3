/* error.c - status codes, their messages and exit codes. */
#include "error.h"

#include <stdarg.h>
#include <string.h>

const char *ctg_strerror(ctg_status code)
{
    switch (code) {
    case CTG_OK: return "success";
    case CTG_ERR_USAGE: return "bad usage";
    case CTG_ERR_DATA: return "malformed input";
    case CTG_ERR_NOINPUT: return "input missing or unreadable";
    case CTG_ERR_SCHEMA: return "malformed schema file";
    case CTG_ERR_CANTCREAT: return "output cannot be written";
    case CTG_ERR_LOCKED: return "another run holds the warehouse";
    case CTG_ERR_NOMEM: return "out of memory";
    case CTG_ERR_DB: return "warehouse (SQLite) error";
    case CTG_ERR_INTERNAL: return "internal error";
    }
    return "unknown error";
}

int ctg_exit_code(ctg_status code)
{
    switch (code) {
    case CTG_OK: return CTG_EXIT_OK;
    case CTG_ERR_USAGE: return CTG_EXIT_USAGE;
    case CTG_ERR_DATA:
    case CTG_ERR_SCHEMA: return CTG_EXIT_DATAERR;
    case CTG_ERR_NOINPUT: return CTG_EXIT_NOINPUT;
    case CTG_ERR_CANTCREAT: return CTG_EXIT_CANTCREAT;
    case CTG_ERR_LOCKED: return CTG_EXIT_TEMPFAIL;
    case CTG_ERR_NOMEM:
    case CTG_ERR_DB:
    case CTG_ERR_INTERNAL: return CTG_EXIT_SOFTWARE;
    }
    return CTG_EXIT_SOFTWARE;
}

void ctg_error_clear(ctg_error *err)
{
    if (!err)
        return;
    err->code = CTG_OK;
    err->path[0] = '\0';
    err->line = 0;
    err->msg[0] = '\0';
}

ctg_status ctg_fail(ctg_error *err, ctg_status code, const char *path, long line,
                    const char *fmt, ...)
{
    if (!err)
        return code;
    err->code = code;
    snprintf(err->path, sizeof err->path, "%s", path ? path : "");
    err->line = line;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return code;
}

void ctg_error_print(const ctg_error *err, FILE *stream)
{
    const char *msg = err->msg[0] ? err->msg : ctg_strerror(err->code);
    if (err->path[0] && err->line > 0)
        fprintf(stream, "%s:%ld: %s\n", err->path, err->line, msg);
    else if (err->path[0])
        fprintf(stream, "%s: %s\n", err->path, msg);
    else
        fprintf(stream, "ctgdiag: %s\n", msg);
}

void ctg_diag(FILE *stream, const char *path, long line, const char *fmt, ...)
{
    if (line > 0)
        fprintf(stream, "%s:%ld: ", path, line);
    else
        fprintf(stream, "%s: ", path);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stream, fmt, ap);
    va_end(ap);
    fputc('\n', stream);
}
