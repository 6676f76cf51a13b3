/*
 * text.h - encodings of the files analysts receive: UTF-8 (with or without
 * BOM) and Windows-1252 (CP1252, a superset of ISO-8859-1 for French: 0x9C is
 * "œ", 0x80 is "€"). Everything inside ctgdiag is UTF-8.
 */
#ifndef CTG_TEXT_H
#define CTG_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "error.h"

/*
 * Checks that s[0..n) is valid UTF-8 (RFC 3629: no overlongs, no surrogates,
 * nothing above U+10FFFF). Returns n when it is; otherwise the offset of the
 * first byte of the first invalid sequence. A sequence cut by the end of the
 * buffer counts as invalid at its first byte.
 */
size_t ctg_utf8_check(const uint8_t *s, size_t n);

/* Returns 1 when s[0..n) holds a byte >= 0x80, 0 when it is pure ASCII. */
int ctg_has_non_ascii(const uint8_t *s, size_t n);

/*
 * Appends s[0..n), read as Windows-1252, to out as UTF-8. The five bytes that
 * CP1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) are an error: returns
 * CTG_ERR_DATA and sets *bad_offset to the first of them (out then holds the
 * text converted before it). Returns CTG_ERR_NOMEM if out cannot grow.
 */
ctg_status ctg_cp1252_to_utf8(const uint8_t *s, size_t n, ctg_buf *out, size_t *bad_offset);

/* Length of a UTF-8 BOM at the start of s[0..n): 3 or 0. */
size_t ctg_utf8_bom_len(const uint8_t *s, size_t n);

/*
 * Returns 1 when s[0..n) contains a multi-byte sequence that is valid UTF-8
 * (two bytes or more). In a file already read as CP1252 this is the mark of
 * mixed encodings ("Ã©" for "é"), which French text does not otherwise show.
 */
int ctg_has_utf8_multibyte(const uint8_t *s, size_t n);

/*
 * The number of columns the NUL-terminated UTF-8 text s takes on a terminal:
 * one per code point (French text has no double-width or combining
 * characters; a combining mark U+0300..U+036F counts 0).
 */
size_t ctg_utf8_width(const char *s);

#endif
