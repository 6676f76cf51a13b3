/* packed.c - packing of a unit's values into one BLOB. */
#include "packed.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

enum { W_NONE = 0, W_I8 = 1, W_I16 = 2, W_I32 = 3, W_F64 = 4 };

static const size_t WIDTH_BYTES[5] = {0, 1, 2, 4, 8};

const char *ctg_value_status_name(int status)
{
    switch (status) {
    case CTG_VAL_OK: return "ok";
    case CTG_VAL_MISSING: return "missing";
    case CTG_VAL_SECRET: return "secret";
    }
    return "?";
}

static int width_of(const ctg_value *v)
{
    if (v->status != CTG_VAL_OK)
        return W_NONE;
    double d = v->value;
    /* in range, the conversion truncates: equal back exactly for integers */
    if (d >= -2147483648.0 && d <= 2147483647.0 && (double)(int32_t)d == d &&
        !(d == 0 && signbit(d))) {
        if (d >= -128 && d <= 127)
            return W_I8;
        if (d >= -32768 && d <= 32767)
            return W_I16;
        return W_I32;
    }
    return W_F64;
}

static void put_le(unsigned char *p, uint64_t x, size_t bytes)
{
    for (size_t i = 0; i < bytes; i++)
        p[i] = (unsigned char)(x >> (8 * i));
}

static uint64_t get_le(const unsigned char *p, size_t bytes)
{
    uint64_t x = 0;
    for (size_t i = 0; i < bytes; i++)
        x |= (uint64_t)p[i] << (8 * i);
    return x;
}

ctg_status ctg_pack(const ctg_value *vals, size_t n, ctg_buf *out)
{
    unsigned char head[10];
    size_t hn = 0;
    size_t x = n;
    do {
        head[hn] = (unsigned char)(x & 0x7f);
        x >>= 7;
        if (x)
            head[hn] |= 0x80;
        hn++;
    } while (x);
    /* room for the widest values; one pass decides each width and writes */
    ctg_status st = ctg_buf_reserve(out, hn + n + n * WIDTH_BYTES[W_F64]);
    if (st != CTG_OK)
        return st;
    unsigned char *p = (unsigned char *)out->data + out->len;
    memcpy(p, head, hn);
    unsigned char *tags = p + hn;
    unsigned char *data = tags + n;
    for (size_t i = 0; i < n; i++) {
        int w = width_of(&vals[i]);
        tags[i] = (unsigned char)((vals[i].status & 0x0f) << 4 | w);
        if (w == W_F64) {
            uint64_t bits;
            memcpy(&bits, &vals[i].value, 8);
            put_le(data, bits, 8);
        } else if (w != W_NONE) {
            int64_t iv = (int64_t)vals[i].value;
            put_le(data, (uint64_t)iv, WIDTH_BYTES[w]);
        }
        data += WIDTH_BYTES[w];
    }
    out->len = (size_t)((char *)data - out->data);
    out->data[out->len] = '\0';
    return CTG_OK;
}

/* Reads the count; returns header length or 0 on malformed input. */
static size_t read_count(const unsigned char *p, size_t len, size_t *n)
{
    size_t x = 0;
    for (size_t i = 0; i < len && i < 9; i++) {
        x |= (size_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *n = x;
            return i + 1;
        }
    }
    return 0;
}

static ctg_status decode(const unsigned char *tagp, const unsigned char *data, ctg_value *v)
{
    int w = *tagp & 0x0f;
    int status = *tagp >> 4;
    if (w > W_F64 || status > CTG_VAL_SECRET || (status != CTG_VAL_OK) != (w == W_NONE))
        return CTG_ERR_DATA;
    v->status = (unsigned char)status;
    if (w == W_NONE) {
        v->value = 0;
    } else if (w == W_F64) {
        uint64_t bits = get_le(data, 8);
        memcpy(&v->value, &bits, 8);
    } else {
        size_t b = WIDTH_BYTES[w];
        uint64_t raw = get_le(data, b);
        int64_t iv = (raw & ((uint64_t)1 << (8 * b - 1))) ? (int64_t)(raw | (~(uint64_t)0 << (8 * b)))
                                                           : (int64_t)raw;
        v->value = (double)iv;
    }
    return CTG_OK;
}

ctg_status ctg_unpack(const void *blob, size_t len, ctg_value *vals, size_t cap, size_t *n)
{
    const unsigned char *p = blob;
    size_t count;
    size_t hn = read_count(p, len, &count);
    if (!hn || count > len - hn)
        return CTG_ERR_DATA;
    const unsigned char *tags = p + hn;
    const unsigned char *data = tags + count;
    const unsigned char *end = p + len;
    for (size_t i = 0; i < count; i++) {
        int w = tags[i] & 0x0f;
        if (w > W_F64 || (size_t)(end - data) < WIDTH_BYTES[w])
            return CTG_ERR_DATA;
        if (i < cap) {
            if (decode(&tags[i], data, &vals[i]) != CTG_OK)
                return CTG_ERR_DATA;
        }
        data += WIDTH_BYTES[w];
    }
    if (data != end)
        return CTG_ERR_DATA;
    *n = count;
    return CTG_OK;
}

ctg_status ctg_unpack_one(const void *blob, size_t len, size_t idx, ctg_value *v)
{
    const unsigned char *p = blob;
    size_t count;
    size_t hn = read_count(p, len, &count);
    if (!hn || count > len - hn || idx >= count)
        return CTG_ERR_DATA;
    const unsigned char *tags = p + hn;
    size_t off = 0;
    for (size_t i = 0; i < idx; i++) {
        int w = tags[i] & 0x0f;
        if (w > W_F64)
            return CTG_ERR_DATA;
        off += WIDTH_BYTES[w];
    }
    const unsigned char *data = tags + count + off;
    int w = tags[idx] & 0x0f;
    if (w > W_F64 || data + WIDTH_BYTES[w] > p + len)
        return CTG_ERR_DATA;
    return decode(&tags[idx], data, v);
}
