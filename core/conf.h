/*
 * conf.h - the syntax of ctgdiag's data files in schemas/ (families of
 * source files today; the indicator catalogue and plans reuse it).
 *
 *     # a comment line (a '#' after text is part of the value)
 *     [section]
 *     key = value
 *     key = another value        <- keys may repeat; order is kept
 *
 * Keys are lower-case words ([a-z0-9_]); the value is everything after the
 * first '=' with blanks trimmed at both ends. Blank lines are ignored. A line
 * that is neither is an error naming the file and line. Files are UTF-8.
 *
 * Ownership: ctg_conf_load returns a ctg_conf the caller frees with
 * ctg_conf_free; entry strings live inside it.
 */
#ifndef CTG_CONF_H
#define CTG_CONF_H

#include <stddef.h>

#include "error.h"

typedef struct ctg_conf_entry {
    const char *section;  /* "" before any [section] line */
    const char *key;
    const char *value;
    long line;            /* 1-based line in the file */
} ctg_conf_entry;

typedef struct ctg_conf ctg_conf;

/* Reads and parses the file at path. On failure returns CTG_ERR_NOINPUT (file
 * unreadable) or CTG_ERR_SCHEMA (syntax) with the line in *err. */
ctg_status ctg_conf_load(const char *path, ctg_conf **out, ctg_error *err);

/* Parses text already in memory (len bytes); path is used in messages only. */
ctg_status ctg_conf_parse(const char *path, const char *text, size_t len, ctg_conf **out,
                          ctg_error *err);

/* Number of entries, and entry i (0-based, in file order). */
size_t ctg_conf_count(const ctg_conf *conf);
const ctg_conf_entry *ctg_conf_entry_at(const ctg_conf *conf, size_t i);

/* The value of the first entry with this section and key, or NULL. */
const char *ctg_conf_get(const ctg_conf *conf, const char *section, const char *key);

/* The path the conf was read from, and its full text (for provenance). */
const char *ctg_conf_path(const ctg_conf *conf);
const char *ctg_conf_text(const ctg_conf *conf);

/* Frees everything; conf may be NULL. */
void ctg_conf_free(ctg_conf *conf);

#endif
