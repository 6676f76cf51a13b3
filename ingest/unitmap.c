/* unitmap.c - the units seen in one file, for duplicate and conflict checks.
 *
 * The units live in an array in the order they were first seen; an open
 * addressing index (linear probing) maps a key's hash to its unit. A slot of
 * the index is 8 bytes, the upper half of the hash beside the unit's number,
 * so that a probe touches only the index until the hashes agree: for the
 * 50,000 IRIS of a national file the index is 1 MiB, where slots holding the
 * units themselves made 12 MiB to miss the cache in. Keys are copied into one
 * arena. The size follows the number of distinct units of the file, not the
 * file's bytes. */
#include <stdlib.h>
#include <string.h>

#include "ingest/load.h"

typedef struct unit {
    uint64_t hash;
    size_t key_off;
    size_t key_len;
    ctg_unit_seen seen;
} unit;

struct ctg_unitmap {
    uint64_t *index;    /* (hash >> 32) << 32 | unit number + 1; 0 = empty */
    size_t cap;         /* slots, a power of two */
    unit *units;
    size_t count, units_cap;
    ctg_buf keys;
};

#define FIRST_SLOTS 1024

/* A hash of the key, 8 bytes a step (FNV-style mixing, finished by a
 * multiply-xorshift so that both halves of the result are used). */
static uint64_t key_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x100000001b3ULL;
        h ^= h >> 29;
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, n - i);
    h = (h ^ tail) * 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t slot_of(uint64_t hash, size_t number)
{
    return (hash >> 32) << 32 | (uint64_t)(number + 1);
}

static int slot_matches(uint64_t slot, uint64_t hash)
{
    return slot >> 32 == hash >> 32;
}

static size_t slot_unit(uint64_t slot)
{
    return (size_t)(slot & 0xffffffffu) - 1;
}

ctg_unitmap *ctg_unitmap_new(void)
{
    ctg_unitmap *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = FIRST_SLOTS;
    m->index = calloc(m->cap, sizeof *m->index);
    if (!m->index) {
        free(m);
        return NULL;
    }
    return m;
}

/* Doubles the index and places every unit again. */
static int grow_index(ctg_unitmap *m)
{
    size_t cap = m->cap * 2;
    uint64_t *index = calloc(cap, sizeof *index);
    if (!index)
        return 0;
    for (size_t k = 0; k < m->count; k++) {
        size_t j = m->units[k].hash & (cap - 1);
        while (index[j])
            j = (j + 1) & (cap - 1);
        index[j] = slot_of(m->units[k].hash, k);
    }
    free(m->index);
    m->index = index;
    m->cap = cap;
    return 1;
}

ctg_unit_seen *ctg_unitmap_get(ctg_unitmap *m, const char *key, size_t len, int *is_new)
{
    if (m->count >= 0xfffffffeu)
        return NULL; /* the index holds unit numbers in 32 bits */
    if ((m->count + 1) * 4 > m->cap * 3 && !grow_index(m))
        return NULL;
    uint64_t h = key_hash(key, len);
    size_t i = h & (m->cap - 1);
    for (; m->index[i]; i = (i + 1) & (m->cap - 1)) {
        if (!slot_matches(m->index[i], h))
            continue;
        unit *u = &m->units[slot_unit(m->index[i])];
        if (u->hash == h && u->key_len == len && !memcmp(m->keys.data + u->key_off, key, len)) {
            *is_new = 0;
            return &u->seen;
        }
    }
    if (ctg_grow(&m->units, m->count, &m->units_cap, sizeof *m->units, 1024) != CTG_OK)
        return NULL;
    size_t off = m->keys.len;
    if (ctg_buf_append(&m->keys, key, len) != CTG_OK)
        return NULL;
    unit *u = &m->units[m->count];
    u->hash = h;
    u->key_off = off;
    u->key_len = len;
    memset(&u->seen, 0, sizeof u->seen);
    m->index[i] = slot_of(h, m->count);
    m->count++;
    *is_new = 1;
    return &u->seen;
}

void ctg_unitmap_clear(ctg_unitmap *m)
{
    memset(m->index, 0, m->cap * sizeof *m->index);
    m->count = 0;
    ctg_buf_reset(&m->keys);
}

void ctg_unitmap_free(ctg_unitmap *m)
{
    if (!m)
        return;
    free(m->index);
    free(m->units);
    ctg_buf_free(&m->keys);
    free(m);
}
