/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Ownership: a ctg_buf owns its bytes; ctg_buf_free releases them. A zeroed
 * ctg_buf (CTG_BUF_INIT) is a valid empty buffer. Appending never fails
 * silently: it returns CTG_ERR_NOMEM and leaves the buffer as it was.
 */
#ifndef CTG_BUF_H
#define CTG_BUF_H

#include <stddef.h>
#include <string.h>

#include "error.h"

typedef struct ctg_buf {
    char *data;   /* bytes, data[len] == '\0' once anything was appended; may be NULL when empty */
    size_t len;   /* bytes used, excluding the terminating NUL */
    size_t cap;   /* bytes allocated */
} ctg_buf;

#define CTG_BUF_INIT {NULL, 0, 0}

/* Makes room for at least `extra` more bytes (plus the NUL). */
ctg_status ctg_buf_reserve(ctg_buf *b, size_t extra);

/* Appends n bytes. Inline: the parsers append every field, and the call
 * cost more than the copy when the room is there (the growth is not
 * inline). */
static inline ctg_status ctg_buf_append(ctg_buf *b, const void *bytes, size_t n)
{
    if (n >= b->cap - b->len) { /* len + n + 1 > cap, also when nothing is allocated */
        ctg_status st = ctg_buf_reserve(b, n);
        if (st != CTG_OK)
            return st;
    }
    if (n)
        memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CTG_OK;
}

/* Appends a NUL-terminated string. */
ctg_status ctg_buf_puts(ctg_buf *b, const char *s);

/* Appends one byte (inline, as ctg_buf_append). */
static inline ctg_status ctg_buf_putc(ctg_buf *b, char c)
{
    if (b->cap - b->len < 2) {
        ctg_status st = ctg_buf_reserve(b, 1);
        if (st != CTG_OK)
            return st;
    }
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return CTG_OK;
}

/* Appends printf-formatted text. */
ctg_status ctg_buf_printf(ctg_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Empties the buffer, keeping its allocation. */
void ctg_buf_reset(ctg_buf *b);

/* Returns the contents as a C string ("" when empty); valid until the next
 * change to the buffer. */
const char *ctg_buf_str(const ctg_buf *b);

/* Releases the bytes; the buffer is empty and reusable afterwards. */
void ctg_buf_free(ctg_buf *b);

/*
 * Makes room for one more item in a growable array of any type: `items` is
 * the address of the array's pointer (NULL when empty), holding n items of
 * `size` bytes in room for *cap. When full, the room doubles (`first` items
 * the first time). CTG_ERR_NOMEM, with the array and *cap as they were, when
 * out of memory or when the size would overflow.
 */
ctg_status ctg_grow(void *items, size_t n, size_t *cap, size_t size, size_t first);

#endif
