/*
 * reader.h - reads one CSV extract as analysts receive it and hands out its
 * records as UTF-8 fields.
 *
 * What it handles (docs/formats.md): UTF-8 with or without BOM and
 * Windows-1252, detected per file and converted to UTF-8; CRLF, LF or CR line
 * ends; ';' ',' or TAB separators (chosen by the caller after peeking);
 * RFC 4180 quoting with doubled quotes and line breaks inside quotes; title
 * lines before the header (skipped). It computes the file's SHA-256 on a
 * second thread while the records are read (POSIX threads).
 *
 * What makes a whole file bad (ctg_reader_next returns CTG_ERR_DATA with the
 * line): a NUL byte or other binary control byte, bytes that are neither
 * UTF-8 nor Windows-1252, mixed encodings, a field of 1,000,000 bytes or more,
 * more than 10,000 columns, a physical line over 4 MiB, a quoted field still
 * open at the end of the file.
 *
 * Memory does not grow with the file: one block buffer (at most 4 MiB) and
 * the current record.
 *
 * Ownership: ctg_reader_open returns a reader the caller closes with
 * ctg_reader_close. A record returned by ctg_reader_next, and every pointer in
 * it, stays valid until the next call to ctg_reader_next or ctg_reader_close.
 */
#ifndef CTG_READER_H
#define CTG_READER_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/sha256.h"

#define CTG_MAX_FIELD_BYTES 1000000  /* a field this long or longer rejects the file */
#define CTG_MAX_COLUMNS 10000        /* more columns than this reject the file */
#define CTG_MAX_LINE_BYTES (4u << 20)
#define CTG_PEEK_LINES 64            /* lines examined to find the header */

typedef struct ctg_reader ctg_reader;

typedef struct ctg_record {
    size_t nfields;
    const char *const *fields;  /* NUL-terminated UTF-8, blanks around unquoted fields trimmed */
    const size_t *lens;         /* byte length of each field */
    long line;                  /* 1-based physical line where the record starts */
    const char *raw;            /* the record's text in UTF-8, line end removed */
    size_t raw_len;
    uint64_t hash[2];           /* 128-bit hash of raw: equal rows have equal hashes */
} ctg_record;

/* Opens path for reading. CTG_ERR_NOINPUT if it cannot be opened or is not a
 * regular file. */
ctg_status ctg_reader_open(const char *path, ctg_reader **out, ctg_error *err);

/* The file's size in bytes. */
long long ctg_reader_size(const ctg_reader *r);

/*
 * Reads the first physical lines (at most CTG_PEEK_LINES, within the first
 * block), decoded to UTF-8 without BOM and line ends, into lines[0..*n).
 * lines must hold CTG_PEEK_LINES buffers (initialised, owned by the caller).
 * Fails on binary content or bad encoding like ctg_reader_next.
 */
ctg_status ctg_reader_peek(ctg_reader *r, ctg_buf *lines, size_t *n, ctg_error *err);

/*
 * Starts reading records from the start of the file with separator sep,
 * skipping the first `skip` physical lines (title lines above the header).
 * The first record returned is then the header.
 */
ctg_status ctg_reader_start(ctg_reader *r, char sep, long skip, ctg_error *err);

/* Reads the next record into *rec. Sets *rec to NULL at the end of the file.
 * Returns CTG_ERR_DATA (with the line) when the file is bad, CTG_ERR_NOINPUT
 * on a read error. */
ctg_status ctg_reader_next(ctg_reader *r, const ctg_record **rec, ctg_error *err);

/* With on != 0, every line goes through libcsv, even a line without a quote
 * that the reader otherwise cuts itself (faster, same records). For the tests
 * that check both ways agree (tests/fuzz/fuzz_reader.c, test_reader). */
void ctg_reader_use_libcsv_only(ctg_reader *r, int on);

/* After the end of the file: its SHA-256 as 64 hex digits. */
const char *ctg_reader_sha256(const ctg_reader *r);

/* The encoding detected: "ASCII", "UTF-8", "UTF-8 BOM" or "Windows-1252". */
const char *ctg_reader_encoding(const ctg_reader *r);

/* Physical lines read so far. */
long ctg_reader_lines(const ctg_reader *r);

/* Closes the file and frees the reader; r may be NULL. */
void ctg_reader_close(ctg_reader *r);

/* Computes the SHA-256 of a whole file (one streaming pass). */
ctg_status ctg_file_sha256(const char *path, char hex[CTG_SHA256_HEX_LEN + 1], ctg_error *err);

#endif
