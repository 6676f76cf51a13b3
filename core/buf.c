/* buf.c - growable byte buffer. */
#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ctg_status ctg_buf_reserve(ctg_buf *b, size_t extra)
{
    if (extra > ((size_t)-1) / 2 - b->len)
        return CTG_ERR_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return CTG_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *data = realloc(b->data, cap);
    if (!data)
        return CTG_ERR_NOMEM;
    b->data = data;
    b->cap = cap;
    return CTG_OK;
}

ctg_status ctg_grow(void *items, size_t n, size_t *cap, size_t size, size_t first)
{
    if (n < *cap)
        return CTG_OK;
    size_t ncap = *cap ? *cap * 2 : (first ? first : 1);
    if (ncap < *cap || size == 0 || ncap > ((size_t)-1) / size)
        return CTG_ERR_NOMEM;
    void *old;
    memcpy(&old, items, sizeof old); /* the caller's pointer, whatever its type */
    void *grown = realloc(old, ncap * size);
    if (!grown)
        return CTG_ERR_NOMEM;
    memcpy(items, &grown, sizeof grown);
    *cap = ncap;
    return CTG_OK;
}

ctg_status ctg_buf_puts(ctg_buf *b, const char *s)
{
    return ctg_buf_append(b, s, strlen(s));
}

ctg_status ctg_buf_printf(ctg_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return CTG_ERR_INTERNAL;
    ctg_status st = ctg_buf_reserve(b, (size_t)n);
    if (st != CTG_OK)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return CTG_OK;
}

void ctg_buf_reset(ctg_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

const char *ctg_buf_str(const ctg_buf *b)
{
    return b->data ? b->data : "";
}

void ctg_buf_free(ctg_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
