/* table.c - aligned terminal tables (table.h). */
#include "cli/table.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

struct ctg_table {
    size_t ncols;
    char **cells;        /* rows x ncols, row-major */
    size_t rows, cap;
    size_t *width;       /* per column, in terminal columns */
    unsigned char *right;
};

ctg_table *ctg_table_new(size_t ncols)
{
    ctg_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->ncols = ncols;
    t->width = calloc(ncols ? ncols : 1, sizeof *t->width);
    t->right = calloc(ncols ? ncols : 1, 1);
    if (!t->width || !t->right) {
        ctg_table_free(t);
        return NULL;
    }
    return t;
}

void ctg_table_free(ctg_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->rows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->width);
    free(t->right);
    free(t);
}

void ctg_table_right(ctg_table *t, size_t col)
{
    if (col < t->ncols)
        t->right[col] = 1;
}

/* The width of the widest line of a cell. */
static size_t widest_line(const char *s)
{
    size_t widest = 0;
    for (;;) {
        size_t n = strcspn(s, "\n");
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line ? n : sizeof line - 1), s);
        size_t w = ctg_utf8_width(line);
        if (w > widest)
            widest = w;
        if (!s[n])
            return widest;
        s += n + 1;
    }
}

ctg_status ctg_table_add(ctg_table *t, const char *const *cells)
{
    if (t->rows == t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 32;
        char **grown = realloc(t->cells, ncap * t->ncols * sizeof *grown);
        if (!grown)
            return CTG_ERR_NOMEM;
        t->cells = grown;
        t->cap = ncap;
    }
    char **row = t->cells + t->rows * t->ncols;
    for (size_t c = 0; c < t->ncols; c++) {
        row[c] = strdup(cells[c] ? cells[c] : "");
        if (!row[c]) {
            while (c-- > 0)
                free(row[c]);
            return CTG_ERR_NOMEM;
        }
    }
    for (size_t c = 0; c < t->ncols; c++) {
        size_t w = widest_line(row[c]);
        if (w > t->width[c])
            t->width[c] = w;
    }
    t->rows++;
    return CTG_OK;
}

static void pad(FILE *out, size_t n, char c)
{
    while (n-- > 0)
        fputc(c, out);
}

/* Line k of a cell ("" past its last line), into buf. */
static const char *cell_line(const char *cell, size_t k, char *buf, size_t size)
{
    for (; k > 0; k--) {
        const char *nl = strchr(cell, '\n');
        if (!nl)
            return "";
        cell = nl + 1;
    }
    size_t n = strcspn(cell, "\n");
    snprintf(buf, size, "%.*s", (int)(n < size ? n : size - 1), cell);
    return buf;
}

static size_t line_count(const char *cell)
{
    size_t n = 1;
    for (const char *p = cell; (p = strchr(p, '\n')) != NULL; p++)
        n++;
    return n;
}

/* Prints a row, a cell holding several lines ('\n') over as many lines. */
static void print_row(const ctg_table *t, char *const *row, FILE *out)
{
    size_t height = 1;
    for (size_t c = 0; c < t->ncols; c++)
        if (line_count(row[c]) > height)
            height = line_count(row[c]);
    for (size_t k = 0; k < height; k++) {
        char bufs[2][1024];
        /* the last non-empty cell ends the line without padding */
        size_t last = t->ncols;
        while (last > 0 && !cell_line(row[last - 1], k, bufs[0], sizeof bufs[0])[0])
            last--;
        for (size_t c = 0; c < last; c++) {
            const char *text = cell_line(row[c], k, bufs[1], sizeof bufs[1]);
            size_t gap = t->width[c] - ctg_utf8_width(text);
            if (c)
                fputs("  ", out);
            if (t->right[c])
                pad(out, gap, ' ');
            fputs(text, out);
            if (!t->right[c] && c + 1 < last)
                pad(out, gap, ' ');
        }
        fputc('\n', out);
    }
}

void ctg_table_print(const ctg_table *t, FILE *out)
{
    for (size_t r = 0; r < t->rows; r++) {
        print_row(t, t->cells + r * t->ncols, out);
        if (r == 0) {
            size_t total = 0;
            for (size_t c = 0; c < t->ncols; c++)
                total += t->width[c] + (c ? 2 : 0);
            pad(out, total, '-');
            fputc('\n', out);
        }
    }
}

/* The columns of s[0..n). */
static size_t span_width(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Appends s[0..n) to buf at *o, truncating at size - 1. */
static void put(char *buf, size_t size, size_t *o, const char *s, size_t n)
{
    if (*o + n >= size)
        n = *o + 1 < size ? size - 1 - *o : 0;
    memcpy(buf + *o, s, n);
    *o += n;
}

void ctg_table_wrap(const char *text, size_t width, char *buf, size_t size)
{
    size_t o = 0, line = 0; /* bytes written, columns on the current line */
    if (size == 0)
        return;
    for (const char *p = text; *p;) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        const char *w = p;
        size_t left = n;
        while (left) {
            size_t blank = line > 0 && w == p; /* a blank before the word */
            size_t avail = width > line + blank ? width - line - blank : 0;
            size_t piece = left;
            if (span_width(w, left) > avail) {
                size_t best = 0; /* the longest prefix ending in a hyphen that fits */
                for (size_t i = 0; i + 1 < left; i++)
                    if (w[i] == '-' && span_width(w, i + 1) <= avail)
                        best = i + 1;
                if (best) {
                    piece = best;
                } else if (line > 0) { /* try again on a new line */
                    put(buf, size, &o, "\n", 1);
                    line = 0;
                    continue;
                }
            }
            if (blank && line > 0) {
                put(buf, size, &o, " ", 1);
                line++;
            }
            put(buf, size, &o, w, piece);
            line += span_width(w, piece);
            w += piece;
            left -= piece;
            if (left) { /* broken after a hyphen */
                put(buf, size, &o, "\n", 1);
                line = 0;
            }
        }
        p += n;
    }
    buf[o] = '\0';
}
