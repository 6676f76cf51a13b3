/*
 * fuzz_reader.c - libFuzzer target for ingest/reader.h.
 *
 * Each input is written to one file created once per process (an in-memory
 * memfd on Linux, else a mkstemp file in $TMPDIR), then read the way the
 * ingest reads it: open, peek, and for each separator (';' ',' TAB) start
 * (with 0 title lines, and with a few chosen by the input's first byte) and
 * read every record. Besides crashes, leaks and hangs (ASan, UBSan,
 * libFuzzer's -timeout and -rss_limit_mb), it checks the reader's contract and
 * aborts when it does not hold:
 *   - a status is CTG_OK, CTG_ERR_DATA or CTG_ERR_NOMEM, and the error says so;
 *   - peeked lines: at most CTG_PEEK_LINES, valid UTF-8, no NUL, no line end;
 *   - records: fields NUL-terminated with their length, valid UTF-8, fewer
 *     than CTG_MAX_FIELD_BYTES bytes, at most CTG_MAX_COLUMNS of them; raw
 *     text valid UTF-8; lines never decreasing; equal raw texts hash equal;
 *   - every field read as a number (core/number.h) gives the same result,
 *     value bits, mark and flags through ctg_parse_number's shortcut for
 *     plain numbers as through the general scanner, from each file mark;
 *   - at the end, the SHA-256 is that of the input bytes, and a second pass
 *     over the same file gives the same records, fields included; the second
 *     pass sends every line through libcsv (ctg_reader_use_libcsv_only), so
 *     the reader's own cutting of quote-free lines is checked against it.
 *
 * FUZZ_READER_PAD=N (environment) puts N bytes of ASCII lines (1,024-byte
 * lines, the last one shorter) before each input, so that the input falls on
 * the reader's 1 MiB block boundary with N = 1048576 - a few dozen bytes:
 * the block refill, the encoding sniffing of the first block and lines cut
 * by it get exercised. Slower; run it as a campaign of its own.
 *
 * The first pass follows a peek on the same reader, as the ingest does, and
 * every later pass restarts that same reader (ctg_reader_start promises a
 * fresh start; the first campaign found it did not, see
 * test_restart_after_partial_pass). FUZZ_READER_STRICT_RESTART=0 gives each
 * later pass a fresh reader instead.
 */
#define _GNU_SOURCE 1
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/number.h"
#include "core/sha256.h"
#include "core/text.h"
#include "ingest/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char g_path[256];
static int g_fd = -1;
static int g_strict_restart;
static size_t g_pad;             /* bytes of ASCII lines before each input */
static ctg_sha256 g_pad_sha;     /* hash state after the padding */

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz_reader: check failed at %s:%d: %s\n", __FILE__, __LINE__,   \
                    #cond);                                                                    \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static void remove_file(void)
{
    if (g_path[0] && strncmp(g_path, "/proc/", 6) != 0)
        unlink(g_path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *strict = getenv("FUZZ_READER_STRICT_RESTART");
    g_strict_restart = !strict || strcmp(strict, "0") != 0;
    const char *pad = getenv("FUZZ_READER_PAD");
    g_pad = pad ? (size_t)strtoul(pad, NULL, 10) : 0;
    if (g_pad > (8u << 20))
        g_pad = 8u << 20;
#if defined(__linux__) && defined(MFD_CLOEXEC)
    g_fd = memfd_create("fuzz_reader", MFD_CLOEXEC);
    if (g_fd >= 0) {
        snprintf(g_path, sizeof g_path, "/proc/self/fd/%d", g_fd);
        if (access(g_path, R_OK) != 0) {
            close(g_fd);
            g_fd = -1;
        }
    }
#endif
    if (g_fd < 0) {
        const char *tmp = getenv("TMPDIR");
        snprintf(g_path, sizeof g_path, "%s/fuzz_reader_XXXXXX", tmp && *tmp ? tmp : "/tmp");
        g_fd = mkstemp(g_path);
        if (g_fd < 0) {
            perror("fuzz_reader: mkstemp");
            abort();
        }
        atexit(remove_file);
    }
    ctg_sha256_init(&g_pad_sha);
    if (g_pad) {
        char *prefix = malloc(g_pad);
        CHECK(prefix != NULL);
        memset(prefix, 'a', g_pad);
        for (size_t i = 1023; i < g_pad; i += 1024)
            prefix[i] = '\n';
        prefix[g_pad - 1] = '\n';
        CHECK(ftruncate(g_fd, 0) == 0);
        size_t done = 0;
        while (done < g_pad) {
            ssize_t n = pwrite(g_fd, prefix + done, g_pad - done, (off_t)done);
            CHECK(n > 0);
            done += (size_t)n;
        }
        ctg_sha256_update(&g_pad_sha, prefix, g_pad);
        free(prefix);
    }
    return 0;
}

static void write_input(const uint8_t *data, size_t size)
{
    CHECK(ftruncate(g_fd, (off_t)g_pad) == 0);
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(g_fd, data + done, size - done, (off_t)(g_pad + done));
        CHECK(n > 0);
        done += (size_t)n;
    }
}

static void check_status(ctg_status st, const ctg_error *err)
{
    CHECK(st == CTG_OK || st == CTG_ERR_DATA || st == CTG_ERR_NOMEM);
    if (st != CTG_OK) {
        CHECK(err->code == st);
        CHECK(err->msg[0] != '\0');
        CHECK(err->line >= 0);
    }
}

static int is_utf8(const char *s, size_t n)
{
    return ctg_utf8_check((const uint8_t *)s, n) == n;
}

/* A running digest of the records of one pass, to compare two passes. */
typedef struct pass_digest {
    uint64_t h;
    size_t records;
    ctg_status st;
    long err_line;
} pass_digest;

static void mix(pass_digest *d, uint64_t x)
{
    d->h = (d->h ^ x) * 0x100000001b3ULL;
}

/* ctg_parse_number and ctg_parse_number_general agree on s[0..n). */
static void check_number(const char *s, size_t n)
{
    static const char marks[] = {0, '.', ','};
    for (size_t m = 0; m < sizeof marks; m++) {
        char mark_a = marks[m], mark_b = marks[m];
        double a = 0.0, b = 0.0;
        int flags_a = 0, flags_b = 0;
        ctg_num_result ra = ctg_parse_number(s, n, &mark_a, &a, &flags_a);
        ctg_num_result rb = ctg_parse_number_general(s, n, &mark_b, &b, &flags_b);
        CHECK(ra == rb);
        CHECK(memcmp(&a, &b, sizeof a) == 0);
        CHECK(mark_a == mark_b && flags_a == flags_b);
    }
}

/* Reads every record with sep after skip lines; checks them. */
static void read_pass(ctg_reader *r, char sep, long skip, const char *want_sha, pass_digest *d)
{
    ctg_error err;
    ctg_error_clear(&err);
    memset(d, 0, sizeof *d);
    d->h = 0xcbf29ce484222325ULL;
    ctg_status st = ctg_reader_start(r, sep, skip, &err);
    check_status(st, &err);
    long last_line = 0;
    while (st == CTG_OK) {
        const ctg_record *rec = NULL;
        st = ctg_reader_next(r, &rec, &err);
        check_status(st, &err);
        if (st != CTG_OK)
            break;
        if (!rec) {
            CHECK(strcmp(ctg_reader_sha256(r), want_sha) == 0);
            break;
        }
        d->records++;
        CHECK(rec->line >= 1);
        CHECK(rec->line > skip);
        CHECK(rec->line >= last_line);
        last_line = rec->line;
        CHECK(rec->nfields >= 1);
        CHECK(rec->nfields <= CTG_MAX_COLUMNS);
        for (size_t i = 0; i < rec->nfields; i++) {
            CHECK(rec->fields[i] != NULL);
            CHECK(rec->lens[i] < CTG_MAX_FIELD_BYTES);
            CHECK(rec->fields[i][rec->lens[i]] == '\0');
            CHECK(memchr(rec->fields[i], '\0', rec->lens[i]) == NULL);
            CHECK(is_utf8(rec->fields[i], rec->lens[i]));
            check_number(rec->fields[i], rec->lens[i]);
        }
        CHECK(rec->raw != NULL);
        CHECK(is_utf8(rec->raw, rec->raw_len));
        CHECK(memchr(rec->raw, '\0', rec->raw_len) == NULL);
        mix(d, (uint64_t)rec->line);
        mix(d, (uint64_t)rec->nfields);
        mix(d, rec->hash[0]);
        mix(d, rec->hash[1]);
        for (size_t i = 0; i < rec->nfields; i++) {
            mix(d, (uint64_t)rec->lens[i]);
            for (size_t j = 0; j < rec->lens[i]; j++)
                mix(d, (unsigned char)rec->fields[i][j]);
        }
        /* the hash is a function of the raw text */
        if (rec->raw_len == 0) {
            static uint64_t empty_hash[2];
            static int have_empty;
            if (!have_empty) {
                empty_hash[0] = rec->hash[0];
                empty_hash[1] = rec->hash[1];
                have_empty = 1;
            }
            CHECK(rec->hash[0] == empty_hash[0] && rec->hash[1] == empty_hash[1]);
        }
        /* a reader never hands out more records than the file has bytes */
        CHECK(d->records <= (size_t)ctg_reader_size(r) + 1);
    }
    d->st = st;
    d->err_line = st == CTG_OK ? 0 : err.line;
    CHECK(ctg_reader_lines(r) >= 0);
}

static ctg_reader *open_reader(size_t size)
{
    ctg_error err;
    ctg_error_clear(&err);
    ctg_reader *r = NULL;
    ctg_status st = ctg_reader_open(g_path, &r, &err);
    CHECK(st == CTG_OK); /* a regular file always opens */
    CHECK(ctg_reader_size(r) == (long long)(g_pad + size));
    return r;
}

/* The reader for the next pass: the same one restarted (strict mode), or a
 * fresh one. */
static ctg_reader *next_reader(ctg_reader *r, size_t size)
{
    if (g_strict_restart)
        return r;
    ctg_reader_close(r);
    return open_reader(size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (g_fd < 0)
        LLVMFuzzerInitialize(NULL, NULL);
    write_input(data, size);

    char want_sha[CTG_SHA256_HEX_LEN + 1];
    ctg_sha256 h = g_pad_sha;
    ctg_sha256_update(&h, data, size);
    ctg_sha256_final_hex(&h, want_sha);

    ctg_reader *r = open_reader(size);

    ctg_buf lines[CTG_PEEK_LINES];
    for (size_t i = 0; i < CTG_PEEK_LINES; i++)
        lines[i] = (ctg_buf)CTG_BUF_INIT;
    size_t n = 0;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_reader_peek(r, lines, &n, &err);
    check_status(st, &err);
    CHECK(n <= CTG_PEEK_LINES);
    if (st == CTG_OK) {
        for (size_t i = 0; i < n; i++) {
            const char *s = ctg_buf_str(&lines[i]);
            CHECK(strlen(s) == lines[i].len);
            CHECK(is_utf8(s, lines[i].len));
            CHECK(memchr(s, '\n', lines[i].len) == NULL);
        }
    }

    static const char SEPS[] = {';', ',', '\t'};
    long extra_skip = size > 0 ? (long)(data[0] % 5) : 0;
    for (size_t k = 0; k < sizeof SEPS; k++) {
        pass_digest a, b;
        if (k > 0)
            r = next_reader(r, size);
        read_pass(r, SEPS[k], 0, want_sha, &a);
        if (g_pad)
            continue; /* one pass per separator: 1 MiB passes are slow */
        /* the same file read again, every line through libcsv, gives the
         * same records */
        r = next_reader(r, size);
        ctg_reader_use_libcsv_only(r, 1);
        read_pass(r, SEPS[k], 0, want_sha, &b);
        ctg_reader_use_libcsv_only(r, 0);
        CHECK(a.h == b.h && a.records == b.records && a.st == b.st && a.err_line == b.err_line);
        if (extra_skip) {
            r = next_reader(r, size);
            read_pass(r, SEPS[k], extra_skip, want_sha, &b);
        }
    }
    const char *enc = ctg_reader_encoding(r);
    CHECK(!strcmp(enc, "ASCII") || !strcmp(enc, "UTF-8") || !strcmp(enc, "UTF-8 BOM") ||
          !strcmp(enc, "Windows-1252"));

    for (size_t i = 0; i < CTG_PEEK_LINES; i++)
        ctg_buf_free(&lines[i]);
    ctg_reader_close(r);
    return 0;
}
