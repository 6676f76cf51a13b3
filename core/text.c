/* text.c - UTF-8 validation, CP1252 conversion, BOM and mixed-encoding marks. */
#include "text.h"

#include <string.h>

#define HIGH_BITS UINT64_C(0x8080808080808080)

/* Unicode code points of CP1252 bytes 0x80..0x9F; 0 marks the five bytes
 * that Windows-1252 leaves undefined. */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, /* 80-87 */
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,      /* 88-8F */
    0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, /* 90-97 */
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178, /* 98-9F */
};

/* Reads 8 bytes without alignment requirements. */
static inline uint64_t load_word(const uint8_t *s)
{
    uint64_t w;
    memcpy(&w, s, sizeof w);
    return w;
}

/* Returns the length of the run of ASCII bytes at the start of s[0..n). */
static size_t ascii_prefix_len(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i + 8 <= n && (load_word(s + i) & HIGH_BITS) == 0)
        i += 8;
    while (i < n && s[i] < 0x80)
        i++;
    return i;
}

static inline int is_continuation(uint8_t c)
{
    return (c & 0xC0) == 0x80;
}

/* Range allowed for the second byte of a sequence led by lead (RFC 3629
 * table), which excludes overlongs, surrogates and code points > U+10FFFF. */
static void second_byte_range(uint8_t lead, uint8_t *lo, uint8_t *hi)
{
    *lo = 0x80;
    *hi = 0xBF;
    if (lead == 0xE0)
        *lo = 0xA0;
    else if (lead == 0xED)
        *hi = 0x9F;
    else if (lead == 0xF0)
        *lo = 0x90;
    else if (lead == 0xF4)
        *hi = 0x8F;
}

/* Number of bytes announced by a lead byte: 1..4, or 0 when the byte cannot
 * start a sequence (continuation byte, C0, C1, F5..FF). */
static size_t sequence_length(uint8_t lead)
{
    if (lead < 0x80)
        return 1;
    if (lead >= 0xC2 && lead <= 0xDF)
        return 2;
    if (lead >= 0xE0 && lead <= 0xEF)
        return 3;
    if (lead >= 0xF0 && lead <= 0xF4)
        return 4;
    return 0;
}

/* Length of the valid UTF-8 sequence at s[0..n) (n >= 1), 0 if invalid. */
static size_t valid_sequence_len(const uint8_t *s, size_t n)
{
    size_t len = sequence_length(s[0]);
    if (len <= 1)
        return len;
    if (len > n)
        return 0;
    uint8_t lo, hi;
    second_byte_range(s[0], &lo, &hi);
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++) {
        if (!is_continuation(s[k]))
            return 0;
    }
    return len;
}

size_t ctg_utf8_check(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        i += ascii_prefix_len(s + i, n - i);
        if (i >= n)
            break;
        size_t len = valid_sequence_len(s + i, n - i);
        if (len == 0)
            return i;
        i += len;
    }
    return n;
}

int ctg_has_non_ascii(const uint8_t *s, size_t n)
{
    return ascii_prefix_len(s, n) < n;
}

size_t ctg_utf8_bom_len(const uint8_t *s, size_t n)
{
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        return 3;
    return 0;
}

int ctg_has_utf8_multibyte(const uint8_t *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        i += ascii_prefix_len(s + i, n - i);
        if (i >= n)
            break;
        if (valid_sequence_len(s + i, n - i) >= 2)
            return 1;
        i++;
    }
    return 0;
}

/* Writes code point cp (< U+10000) as UTF-8 into out; returns the length. */
static size_t encode_bmp(uint32_t cp, uint8_t *out)
{
    if (cp < 0x80) {
        out[0] = (uint8_t)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (uint8_t)(0xC0 | (cp >> 6));
        out[1] = (uint8_t)(0x80 | (cp & 0x3F));
        return 2;
    }
    out[0] = (uint8_t)(0xE0 | (cp >> 12));
    out[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (uint8_t)(0x80 | (cp & 0x3F));
    return 3;
}

/* Code point of CP1252 byte c (>= 0x80), 0 when undefined. */
static uint32_t cp1252_code_point(uint8_t c)
{
    if (c >= 0xA0)
        return c;
    return cp1252_c1[c - 0x80];
}

/* Converts the non-ASCII run at s[0..n) (stopping at the next ASCII byte)
 * and appends it to out; *done receives the bytes consumed. Returns
 * CTG_ERR_DATA when it stops at an undefined byte. */
static ctg_status convert_high_run(const uint8_t *s, size_t n, ctg_buf *out, size_t *done)
{
    uint8_t chunk[256];
    size_t used = 0, i = 0;
    ctg_status st = CTG_OK;
    for (; i < n && s[i] >= 0x80; i++) {
        uint32_t cp = cp1252_code_point(s[i]);
        if (cp == 0) {
            st = CTG_ERR_DATA;
            break;
        }
        if (used + 3 > sizeof chunk) {
            if (ctg_buf_append(out, chunk, used) != CTG_OK)
                return CTG_ERR_NOMEM;
            used = 0;
        }
        used += encode_bmp(cp, chunk + used);
    }
    *done = i;
    if (used > 0 && ctg_buf_append(out, chunk, used) != CTG_OK)
        return CTG_ERR_NOMEM;
    return st;
}

ctg_status ctg_cp1252_to_utf8(const uint8_t *s, size_t n, ctg_buf *out, size_t *bad_offset)
{
    size_t i = 0;
    while (i < n) {
        size_t ascii = ascii_prefix_len(s + i, n - i);
        if (ascii > 0 && ctg_buf_append(out, s + i, ascii) != CTG_OK)
            return CTG_ERR_NOMEM;
        i += ascii;
        if (i >= n)
            break;
        size_t done = 0;
        ctg_status st = convert_high_run(s + i, n - i, out, &done);
        i += done;
        if (st == CTG_ERR_DATA && bad_offset)
            *bad_offset = i;
        if (st != CTG_OK)
            return st;
    }
    return CTG_OK;
}

size_t ctg_utf8_width(const char *s)
{
    size_t width = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p & 0xC0) == 0x80)
            continue;
        /* U+0300..U+036F are CC 80..CD AF */
        if ((p[0] == 0xCC && (p[1] & 0xC0) == 0x80) || (p[0] == 0xCD && p[1] >= 0x80 && p[1] <= 0xAF))
            continue;
        width++;
    }
    return width;
}
