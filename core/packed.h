/*
 * packed.h - the values a source file gives for one unit, packed into one
 * BLOB (obs_row.vals), in the order of that file's variables (file_variable).
 *
 * Layout: a count n (LEB128 varint), then n tag bytes, then the payloads of
 * the values in order. A tag's high nibble is the status (ctg_value_status),
 * its low nibble the payload width: 0 none (missing / secret), 1 int8, 2 int16,
 * 3 int32 (little-endian two's complement, for integral values), 4 an IEEE
 * double (8 bytes little-endian). Census counts are fractional and take 8
 * bytes; CAF counts and most others fit in 1 to 4.
 *
 * A value type: no handles, nothing to free besides the caller's buffers.
 */
#ifndef CTG_PACKED_H
#define CTG_PACKED_H

#include <stddef.h>

#include "buf.h"
#include "error.h"

typedef enum ctg_value_status {
    CTG_VAL_OK = 0,       /* value holds the figure */
    CTG_VAL_MISSING = 1,  /* no figure: empty cell, "nd", "NA"... never zero */
    CTG_VAL_SECRET = 2    /* withheld by the producer (statistical secret) */
} ctg_value_status;

typedef struct ctg_value {
    double value;         /* meaningful only when status is CTG_VAL_OK */
    unsigned char status; /* a ctg_value_status */
} ctg_value;

/* Names "ok", "missing", "secret" (and "?" for anything else). */
const char *ctg_value_status_name(int status);

/* Appends the packed form of vals[0..n) to out (which is not reset). */
ctg_status ctg_pack(const ctg_value *vals, size_t n, ctg_buf *out);

/*
 * Unpacks a blob into vals[0..cap). Sets *n to the number of values the
 * blob holds; fills min(n, cap). Returns CTG_ERR_DATA when the blob is
 * malformed (truncated, bad tag).
 */
ctg_status ctg_unpack(const void *blob, size_t len, ctg_value *vals, size_t cap, size_t *n);

/* Unpacks value idx alone. Returns CTG_ERR_DATA when the blob is malformed or
 * idx is out of range. */
ctg_status ctg_unpack_one(const void *blob, size_t len, size_t idx, ctg_value *v);

#endif
