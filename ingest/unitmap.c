/* unitmap.c - the units seen in one file, for duplicate and conflict checks.
 * Open addressing with linear probing; keys copied into one arena. Its size
 * follows the number of distinct units of the file (at most some 50,000 IRIS
 * a period), not the file's bytes. */
#include <stdlib.h>
#include <string.h>

#include "ingest/load.h"

typedef struct slot {
    uint64_t hash;      /* 0 = empty */
    size_t key_off;
    size_t key_len;
    ctg_unit_seen seen;
} slot;

struct ctg_unitmap {
    slot *slots;
    size_t cap;         /* power of two */
    size_t count;
    ctg_buf keys;
};

static uint64_t key_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h ? h : 1;
}

ctg_unitmap *ctg_unitmap_new(void)
{
    ctg_unitmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 1024;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return NULL;
    }
    return m;
}

static int grow(ctg_unitmap *m)
{
    size_t cap = m->cap * 2;
    slot *s = calloc(cap, sizeof *s);
    if (!s)
        return 0;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].hash)
            continue;
        size_t j = m->slots[i].hash & (cap - 1);
        while (s[j].hash)
            j = (j + 1) & (cap - 1);
        s[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = s;
    m->cap = cap;
    return 1;
}

ctg_unit_seen *ctg_unitmap_get(ctg_unitmap *m, const char *key, size_t len, int *is_new)
{
    if ((m->count + 1) * 4 > m->cap * 3 && !grow(m))
        return NULL;
    uint64_t h = key_hash(key, len);
    size_t i = h & (m->cap - 1);
    while (m->slots[i].hash) {
        slot *s = &m->slots[i];
        if (s->hash == h && s->key_len == len && !memcmp(m->keys.data + s->key_off, key, len)) {
            *is_new = 0;
            return &s->seen;
        }
        i = (i + 1) & (m->cap - 1);
    }
    size_t off = m->keys.len;
    if (ctg_buf_append(&m->keys, key, len) != CTG_OK)
        return NULL;
    slot *s = &m->slots[i];
    s->hash = h;
    s->key_off = off;
    s->key_len = len;
    memset(&s->seen, 0, sizeof s->seen);
    m->count++;
    *is_new = 1;
    return &s->seen;
}

void ctg_unitmap_free(ctg_unitmap *m)
{
    if (!m)
        return;
    free(m->slots);
    ctg_buf_free(&m->keys);
    free(m);
}
