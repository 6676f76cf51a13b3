/*
 * table.h - a terminal table: cells of UTF-8 text in aligned columns (width
 * counted in columns, not bytes), a rule under the header, left- or
 * right-aligned columns. For `compare` and `rank`.
 *
 * Ownership: ctg_table_new returns a table the caller frees with
 * ctg_table_free; cells are copied in.
 */
#ifndef CTG_CLI_TABLE_H
#define CTG_CLI_TABLE_H

#include <stdio.h>

#include "core/error.h"

typedef struct ctg_table ctg_table;

/* A table of ncols columns (all left-aligned); NULL when out of memory. */
ctg_table *ctg_table_new(size_t ncols);

void ctg_table_free(ctg_table *t);

/* Right-aligns column col (numbers). */
void ctg_table_right(ctg_table *t, size_t col);

/* Appends a row of ncols cells (NULL cells print empty; a cell may hold
 * several lines separated by '\n'). The first row is the header, ruled
 * under. CTG_ERR_NOMEM when it cannot grow. */
ctg_status ctg_table_add(ctg_table *t, const char *const *cells);

/* Prints the table on out, columns separated by two blanks, no trailing
 * blanks. */
void ctg_table_print(const ctg_table *t, FILE *out);

/*
 * Wraps text at blanks (and after a hyphen inside a word longer than the
 * line) into lines of at most `width` columns, joined by '\n', into buf. A
 * word longer than width with no hyphen is left whole.
 */
void ctg_table_wrap(const char *text, size_t width, char *buf, size_t size);

#endif
