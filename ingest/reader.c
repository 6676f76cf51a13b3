/* reader.c - one CSV extract in, UTF-8 records out (see reader.h). */
#include "reader.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/text.h"

#define BLOCK_BYTES (1u << 20)

typedef enum { ENC_ASCII, ENC_UTF8, ENC_UTF8_BOM, ENC_CP1252 } encoding;

/* A record completed by the parser, waiting to be handed out. */
typedef struct pending_record {
    size_t first_field;  /* index into the field arrays */
    size_t nfields;
    long line;
    size_t raw_off, raw_len;  /* into raw_done */
} pending_record;

struct ctg_reader {
    char *path;
    int fd;
    long long size;

    /* block buffer: bytes [pos, len) not consumed yet */
    unsigned char *block;
    size_t cap, len, pos;
    int eof;
    long line;            /* physical lines consumed */
    char term;            /* line terminator: '\n', or '\r' for CR-only files */

    encoding enc;
    ctg_buf conv;         /* the current line converted to UTF-8 */

    /* the SHA-256 of the file, computed on the second core while it is parsed */
    pthread_t hasher;
    int hashing;          /* the hasher thread runs and is not joined yet */
    ctg_status hash_status;
    char sha_hex[CTG_SHA256_HEX_LEN + 1];

    /* parsing */
    struct csv_parser csv;
    int csv_ready;
    char sep;             /* the field separator of this pass */
    int finished;         /* csv_fini done */
    ctg_buf arena;        /* bytes of the fields of pending records, NUL-separated */
    size_t *field_off, *field_len;
    size_t nfield, field_cap;
    size_t cur_fields;    /* fields of the record in progress */
    size_t first_of_cur;  /* index of its first field */
    long cur_line;        /* line where it started, 0 if none started */
    size_t bytes_since_field;
    ctg_buf raw_cur;      /* text of the record in progress */
    ctg_buf raw_done;     /* texts of pending records */
    pending_record *recs;
    size_t nrec, rec_cap, rec_next;
    int libcsv_only;      /* every line through libcsv (no split_plain_line) */
    int cb_error;         /* set by a callback: 1 field too long, 2 too many columns, 3 no memory */
    long cb_error_line;

    /* what ctg_reader_next hands out */
    const char **fptr;
    size_t fptr_cap;
    ctg_record out;
};

/* ------------------------------------------------------------------ hashing */

/* Two independent 64-bit hashes of the record text, 8 bytes a step;
 * together 128 bits: two rows with equal hashes are taken as equal. */
static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static void hash128(const char *s, size_t n, uint64_t out[2])
{
    uint64_t a = 0x9e3779b97f4a7c15ULL ^ n;
    uint64_t b = 0xc2b2ae3d27d4eb4fULL + n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        a = (a ^ w) * 0x100000001b3ULL;
        a ^= a >> 29;
        b = (b + w) * 0x9fb21c651e98df25ULL;
        b = (b << 31) | (b >> 33);
    }
    uint64_t tail = 0;
    memcpy(&tail, s + i, n - i);
    a = mix64(a ^ tail);
    b = mix64(b + tail + 0x2545f4914f6cdd1dULL);
    out[0] = a;
    out[1] = b;
}

/* ------------------------------------------------------------------ SHA-256 */

/* Hashes the whole file behind fd with pread (the parser's offset is not
 * touched). Returns 0 or an errno. */
static int hash_fd(int fd, char hex[CTG_SHA256_HEX_LEN + 1])
{
    enum { HASH_BLOCK = 1 << 20 };
    unsigned char *buf = malloc(HASH_BLOCK);
    if (!buf)
        return ENOMEM;
    ctg_sha256 h;
    ctg_sha256_init(&h);
    off_t off = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = pread(fd, buf, HASH_BLOCK, off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            rc = errno;
            break;
        }
        if (n == 0)
            break;
        ctg_sha256_update(&h, buf, (size_t)n);
        off += n;
    }
    if (rc == 0)
        ctg_sha256_final_hex(&h, hex);
    free(buf);
    return rc;
}

static void *hasher_main(void *arg)
{
    ctg_reader *r = arg;
    r->hash_status = hash_fd(r->fd, r->sha_hex) ? CTG_ERR_NOINPUT : CTG_OK;
    return NULL;
}

/* Starts hashing the file on another thread (or here, if no thread). */
static void start_hashing(ctg_reader *r)
{
    if (r->hashing)
        return;
    r->sha_hex[0] = '\0';
    if (pthread_create(&r->hasher, NULL, hasher_main, r) == 0)
        r->hashing = 1;
    else
        hasher_main(r);
}

static ctg_status finish_hashing(ctg_reader *r, ctg_error *err)
{
    if (r->hashing) {
        pthread_join(r->hasher, NULL);
        r->hashing = 0;
    }
    if (r->hash_status != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOINPUT, r->path, 0, "read error while hashing the file");
    return CTG_OK;
}

/* ------------------------------------------------------------------- blocks */

static ctg_status fill(ctg_reader *r, ctg_error *err)
{
    if (r->pos > 0) {
        memmove(r->block, r->block + r->pos, r->len - r->pos);
        r->len -= r->pos;
        r->pos = 0;
    }
    if (r->len == r->cap) {
        if (r->cap >= CTG_MAX_LINE_BYTES)
            return ctg_fail(err, CTG_ERR_DATA, r->path, r->line + 1,
                            "line longer than 4 MiB (a field of 1,000,000 bytes or more, or "
                            "more than 10,000 columns)");
        size_t cap = r->cap * 2;
        unsigned char *b = realloc(r->block, cap);
        if (!b)
            return ctg_fail(err, CTG_ERR_NOMEM, r->path, 0, "out of memory");
        r->block = b;
        r->cap = cap;
    }
    while (r->len < r->cap) {
        ssize_t n = read(r->fd, r->block + r->len, r->cap - r->len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return ctg_fail(err, CTG_ERR_NOINPUT, r->path, 0, "read error: %s", strerror(errno));
        }
        if (n == 0) {
            r->eof = 1;
            break;
        }
        r->len += (size_t)n;
    }
    return CTG_OK;
}

/*
 * Gets the next physical line: *line / *n cover it without its terminator.
 * Returns CTG_OK with *line NULL at the end of the file.
 */
static ctg_status next_line(ctg_reader *r, const unsigned char **line, size_t *n, ctg_error *err)
{
    for (;;) {
        unsigned char *start = r->block + r->pos;
        unsigned char *nl = memchr(start, r->term, r->len - r->pos);
        if (nl) {
            size_t len = (size_t)(nl - start);
            r->pos += len + 1;
            r->line++;
            if (len > 0 && r->term == '\n' && start[len - 1] == '\r')
                len--;
            *line = start;
            *n = len;
            return CTG_OK;
        }
        if (r->eof) {
            if (r->pos == r->len) {
                *line = NULL;
                *n = 0;
                return CTG_OK;
            }
            size_t len = r->len - r->pos;
            r->pos = r->len;
            r->line++;
            if (len > 0 && start[len - 1] == '\r')
                len--;
            *line = start;
            *n = len;
            return CTG_OK;
        }
        ctg_status st = fill(r, err);
        if (st != CTG_OK)
            return st;
    }
}

/* ----------------------------------------------------------------- encoding */

/* Bytes that never occur in text: C0 controls but TAB, LF, CR; and DEL. */
static int is_binary_byte(unsigned char c)
{
    return (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
}

static ctg_status check_binary(ctg_reader *r, const unsigned char *s, size_t n, ctg_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (is_binary_byte(s[i])) {
            if (s[i] == 0)
                return ctg_fail(err, CTG_ERR_DATA, r->path, r->line,
                                "NUL byte: this is not a text file");
            return ctg_fail(err, CTG_ERR_DATA, r->path, r->line,
                            "control byte 0x%02X: this is not a text file", s[i]);
        }
    }
    return CTG_OK;
}

/* 1 when every byte of s[0..n) is printable ASCII (0x20 to 0x7E): nothing
 * to check or decode. Eight bytes a step: a byte below 0x20 borrows in
 * w - 0x20..., DEL carries into the high bit in w + 1..., and a byte from
 * 0x80 up has it already (a carry out of 0xFF only follows such a byte). */
static int printable_ascii(const unsigned char *s, size_t n)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        if ((((w - 0x20 * ones) & ~w) | ((w + ones) | w)) & highs)
            return 0;
    }
    for (; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7E)
            return 0;
    return 1;
}

/*
 * Checks the line against the file's encoding and leaves its UTF-8 text in
 * *text / *tn (the line itself, or r->conv after conversion).
 */
static ctg_status decode_line(ctg_reader *r, const unsigned char *s, size_t n, const char **text,
                              size_t *tn, ctg_error *err)
{
    if (r->enc != ENC_CP1252 && printable_ascii(s, n)) {
        *text = (const char *)s;
        *tn = n;
        return CTG_OK;
    }
    ctg_status st = check_binary(r, s, n, err);
    if (st != CTG_OK)
        return st;
    if (r->enc != ENC_CP1252 && !ctg_has_non_ascii(s, n)) {
        *text = (const char *)s;
        *tn = n;
        return CTG_OK;
    }
    if (r->enc == ENC_ASCII) {
        r->enc = ctg_utf8_check(s, n) == n ? ENC_UTF8 : ENC_CP1252;
    }
    if (r->enc == ENC_UTF8 || r->enc == ENC_UTF8_BOM) {
        if (ctg_utf8_check(s, n) != n)
            return ctg_fail(err, CTG_ERR_DATA, r->path, r->line,
                            "mixed encodings: this line is not UTF-8, earlier lines were");
        *text = (const char *)s;
        *tn = n;
        return CTG_OK;
    }
    if (ctg_has_utf8_multibyte(s, n))
        return ctg_fail(err, CTG_ERR_DATA, r->path, r->line,
                        "mixed encodings: UTF-8 text in a Windows-1252 file");
    size_t bad = 0;
    ctg_buf_reset(&r->conv);
    st = ctg_cp1252_to_utf8(s, n, &r->conv, &bad);
    if (st == CTG_ERR_DATA)
        return ctg_fail(err, CTG_ERR_DATA, r->path, r->line,
                        "byte 0x%02X is neither UTF-8 nor Windows-1252 text", s[bad]);
    if (st != CTG_OK)
        return ctg_fail(err, st, r->path, 0, "out of memory");
    *text = r->conv.data ? r->conv.data : "";
    *tn = r->conv.len;
    return CTG_OK;
}

/* Decides the encoding and line terminator from the first block. */
static void sniff_block(ctg_reader *r)
{
    size_t bom = ctg_utf8_bom_len(r->block, r->len);
    if (bom) {
        r->enc = ENC_UTF8_BOM;
        r->pos = bom;
    }
    const unsigned char *s = r->block + r->pos;
    size_t n = r->len - r->pos;
    if (!memchr(s, '\n', n) && memchr(s, '\r', n))
        r->term = '\r';
    /* Without a BOM the encoding is decided by the first line that is not
     * ASCII (decode_line), so that a mixed file is reported at the line
     * where it changes. */
}

/* ------------------------------------------------------------------ open */

ctg_status ctg_reader_open(const char *path, ctg_reader **out, ctg_error *err)
{
    ctg_reader *r = calloc(1, sizeof *r);
    if (!r)
        return ctg_fail(err, CTG_ERR_NOMEM, path, 0, "out of memory");
    r->fd = -1;
    r->term = '\n';
    ctg_status st = CTG_ERR_NOMEM;
    r->path = strdup(path);
    r->block = malloc(BLOCK_BYTES);
    r->cap = BLOCK_BYTES;
    if (!r->path || !r->block) {
        ctg_fail(err, st, path, 0, "out of memory");
        goto fail;
    }
    r->fd = open(path, O_RDONLY);
    if (r->fd < 0) {
        st = ctg_fail(err, CTG_ERR_NOINPUT, path, 0, "cannot open: %s", strerror(errno));
        goto fail;
    }
    struct stat sb;
    if (fstat(r->fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        st = ctg_fail(err, CTG_ERR_NOINPUT, path, 0, "not a regular file");
        goto fail;
    }
    r->size = (long long)sb.st_size;
    *out = r;
    return CTG_OK;
fail:
    ctg_reader_close(r);
    return st;
}

long long ctg_reader_size(const ctg_reader *r)
{
    return r->size;
}

static ctg_status rewind_file(ctg_reader *r, ctg_error *err)
{
    if (lseek(r->fd, 0, SEEK_SET) != 0)
        return ctg_fail(err, CTG_ERR_NOINPUT, r->path, 0, "cannot seek: %s", strerror(errno));
    r->len = r->pos = 0;
    r->eof = 0;
    r->line = 0;
    ctg_status st = fill(r, err);
    if (st != CTG_OK)
        return st;
    r->enc = ENC_ASCII;
    sniff_block(r);
    if (r->len - r->pos >= 2 && ((r->block[0] == 0xFF && r->block[1] == 0xFE) ||
                                 (r->block[0] == 0xFE && r->block[1] == 0xFF)))
        return ctg_fail(err, CTG_ERR_DATA, r->path, 1,
                        "UTF-16 text: save the file as UTF-8 (or Windows-1252) CSV");
    return CTG_OK;
}

ctg_status ctg_reader_peek(ctg_reader *r, ctg_buf *lines, size_t *n, ctg_error *err)
{
    *n = 0;
    ctg_status st = rewind_file(r, err);
    if (st != CTG_OK)
        return st;
    size_t limit = r->len;  /* stay inside the first block */
    while (*n < CTG_PEEK_LINES) {
        if (r->pos >= limit)
            break;
        unsigned char *start = r->block + r->pos;
        if (!memchr(start, r->term, limit - r->pos) && !r->eof) {
            if (*n == 0)
                return ctg_fail(err, CTG_ERR_DATA, r->path, 1,
                                "the first line is longer than 1 MiB: no header can be read "
                                "(a field of 1,000,000 bytes or more?)");
            break;
        }
        const unsigned char *line;
        size_t len;
        st = next_line(r, &line, &len, err);
        if (st != CTG_OK || !line)
            return st;
        const char *text;
        size_t tn;
        st = decode_line(r, line, len, &text, &tn, err);
        if (st != CTG_OK)
            return st;
        ctg_buf_reset(&lines[*n]);
        if (ctg_buf_append(&lines[*n], text, tn) != CTG_OK)
            return ctg_fail(err, CTG_ERR_NOMEM, r->path, 0, "out of memory");
        (*n)++;
    }
    return CTG_OK;
}

/* ---------------------------------------------------------------- parsing */

static void on_field(void *s, size_t len, void *data)
{
    ctg_reader *r = data;
    if (r->cb_error)
        return;
    r->bytes_since_field = 0;
    if (len >= CTG_MAX_FIELD_BYTES) {
        r->cb_error = 1;
        return;
    }
    if (r->cur_fields >= CTG_MAX_COLUMNS) {
        r->cb_error = 2;
        return;
    }
    if (r->nfield == r->field_cap) {
        size_t cap = r->field_cap ? r->field_cap * 2 : 256;
        size_t *o = realloc(r->field_off, cap * sizeof *o);
        if (!o) {
            r->cb_error = 3;
            return;
        }
        r->field_off = o;
        size_t *l = realloc(r->field_len, cap * sizeof *l);
        if (!l) {
            r->cb_error = 3;
            return;
        }
        r->field_len = l;
        r->field_cap = cap;
    }
    r->field_off[r->nfield] = r->arena.len;
    r->field_len[r->nfield] = len;
    if (ctg_buf_append(&r->arena, s ? s : "", s ? len : 0) != CTG_OK ||
        ctg_buf_putc(&r->arena, '\0') != CTG_OK) {
        r->cb_error = 3;
        return;
    }
    r->nfield++;
    r->cur_fields++;
}

/* Ends the record in progress: its fields are those since first_of_cur, its
 * text raw[0..n) without the line break that ended it. */
static void end_record(ctg_reader *r, const char *raw, size_t n)
{
    if (r->nrec == r->rec_cap) {
        size_t cap = r->rec_cap ? r->rec_cap * 2 : 8;
        pending_record *p = realloc(r->recs, cap * sizeof *p);
        if (!p) {
            r->cb_error = 3;
            return;
        }
        r->recs = p;
        r->rec_cap = cap;
    }
    while (n > 0 && (raw[n - 1] == '\n' || raw[n - 1] == '\r'))
        n--;
    pending_record *p = &r->recs[r->nrec++];
    p->first_field = r->first_of_cur;
    p->nfields = r->cur_fields;
    p->line = r->cur_line ? r->cur_line : r->line;
    p->raw_off = r->raw_done.len;
    p->raw_len = n;
    if (ctg_buf_append(&r->raw_done, raw ? raw : "", n) != CTG_OK) {
        r->cb_error = 3;
        return;
    }
    r->first_of_cur = r->nfield;
    r->cur_fields = 0;
    r->cur_line = 0;
}

static void on_row(int c, void *data)
{
    ctg_reader *r = data;
    (void)c;
    if (r->cb_error)
        return;
    end_record(r, r->raw_cur.data, r->raw_cur.len);
    ctg_buf_reset(&r->raw_cur);
}

static int space_not_tab(unsigned char c)
{
    return c == ' ';
}

/* Records end at the file's line terminator only: a lone CR inside an LF
 * line (or a lone LF in a CR file) is data, as the line splitting says. */
static int term_lf(unsigned char c)
{
    return c == '\n';
}

static int term_cr(unsigned char c)
{
    return c == '\r';
}

/* The blanks libcsv trims around an unquoted field: space, and TAB unless
 * TAB separates the fields. */
static int trimmed_blank(char c, char sep)
{
    return c == ' ' || (c == '\t' && sep != '\t');
}

/*
 * A line without a quote that starts a record is the whole record: its
 * fields are cut at the separator and trimmed of blanks here, as libcsv
 * would (tests/fuzz/fuzz_reader.c checks that both agree), at a fraction of
 * its per-byte cost.
 */
static void split_plain_line(ctg_reader *r, const char *text, size_t n)
{
    const char *p = text, *end = text + n;
    char sep = r->sep;
    for (;;) {
        const char *stop = memchr(p, sep, (size_t)(end - p));
        const char *field_end = stop ? stop : end;
        const char *a = p, *b = field_end;
        while (a < b && trimmed_blank(*a, sep))
            a++;
        while (b > a && trimmed_blank(b[-1], sep))
            b--;
        on_field((void *)a, (size_t)(b - a), r);
        if (r->cb_error || !stop)
            break;
        p = stop + 1;
    }
    if (!r->cb_error)
        end_record(r, text, n);
}

/* A line of blanks between records is a blank line (TAB is a blank unless
 * it separates the fields). */
static int blank_line(const char *s, size_t n, char sep)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && (s[i] != '\t' || sep == '\t'))
            return 0;
    return 1;
}

/* Forgets everything of a previous pass (records pending, a record cut by
 * an error), so that ctg_reader_start really starts from the beginning. */
static void reset_parse(ctg_reader *r)
{
    ctg_buf_reset(&r->arena);
    ctg_buf_reset(&r->raw_cur);
    ctg_buf_reset(&r->raw_done);
    r->nfield = r->cur_fields = r->first_of_cur = 0;
    r->nrec = r->rec_next = 0;
    r->cur_line = 0;
    r->bytes_since_field = 0;
    r->cb_error = 0;
    r->finished = 0;
}

ctg_status ctg_reader_start(ctg_reader *r, char sep, long skip, ctg_error *err)
{
    if (r->hashing) { /* a previous pass still hashing: wait for it */
        pthread_join(r->hasher, NULL);
        r->hashing = 0;
    }
    reset_parse(r);
    r->sep = sep;
    ctg_status st = rewind_file(r, err);
    if (st != CTG_OK)
        return st;
    if (r->csv_ready)
        csv_free(&r->csv);
    if (csv_init(&r->csv, CSV_APPEND_NULL) != 0)
        return ctg_fail(err, CTG_ERR_NOMEM, r->path, 0, "out of memory");
    r->csv_ready = 1;
    csv_set_delim(&r->csv, (unsigned char)sep);
    if (sep == '\t')
        csv_set_space_func(&r->csv, space_not_tab); /* default: blanks are space and TAB */
    csv_set_term_func(&r->csv, r->term == '\r' ? term_cr : term_lf);
    start_hashing(r);
    csv_set_blk_size(&r->csv, 64 * 1024);
    for (long i = 0; i < skip; i++) {
        const unsigned char *line;
        size_t n;
        st = next_line(r, &line, &n, err);
        if (st != CTG_OK)
            return st;
        if (!line)
            break;
        const char *text;
        size_t tn;
        st = decode_line(r, line, n, &text, &tn, err);
        if (st != CTG_OK)
            return st;
    }
    return CTG_OK;
}

static ctg_status callback_error(ctg_reader *r, ctg_error *err)
{
    long line = r->cur_line ? r->cur_line : r->line;
    switch (r->cb_error) {
    case 1:
        return ctg_fail(err, CTG_ERR_DATA, r->path, line, "a field of 1,000,000 bytes or more");
    case 2:
        return ctg_fail(err, CTG_ERR_DATA, r->path, line, "more than 10,000 columns");
    default:
        return ctg_fail(err, CTG_ERR_NOMEM, r->path, line, "out of memory");
    }
}

/* Feeds one more physical line to the parser (or finishes at the end). */
static ctg_status feed(ctg_reader *r, ctg_error *err)
{
    const unsigned char *line;
    size_t n;
    ctg_status st = next_line(r, &line, &n, err);
    if (st != CTG_OK)
        return st;
    if (!line) {
        r->finished = 1;
        /* libcsv checks an unclosed quote at the end only in strict mode,
         * which would also refuse a stray quote inside a field: look at its
         * state instead (2 = inside a field, quoted = it opened with '"') */
        if (r->csv.pstate == 2 && r->csv.quoted)
            return ctg_fail(err, CTG_ERR_DATA, r->path, r->cur_line ? r->cur_line : r->line,
                            "the file ends inside a quoted field (cut short?)");
        if (csv_fini(&r->csv, on_field, on_row, r) != 0)
            return ctg_fail(err, CTG_ERR_DATA, r->path, r->cur_line ? r->cur_line : r->line,
                            "the file ends inside a quoted field (cut short?)");
        return r->cb_error ? callback_error(r, err) : CTG_OK;
    }
    const char *text;
    size_t tn;
    st = decode_line(r, line, n, &text, &tn, err);
    if (st != CTG_OK)
        return st;
    int in_record = r->cur_fields > 0 || r->raw_cur.len > 0;
    if (!in_record && blank_line(text, tn, r->sep))
        return CTG_OK; /* a blank line between records */
    if (!in_record && !r->libcsv_only && r->sep != ' ' && !memchr(text, '"', tn)) {
        r->cur_line = r->line;
        split_plain_line(r, text, tn);
        return r->cb_error ? callback_error(r, err) : CTG_OK;
    }
    if (!r->cur_line)
        r->cur_line = r->line;
    char eol = r->term;
    if (ctg_buf_append(&r->raw_cur, text, tn) != CTG_OK || ctg_buf_putc(&r->raw_cur, eol) != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOMEM, r->path, 0, "out of memory");
    r->bytes_since_field += tn + 1;
    if (csv_parse(&r->csv, text, tn, on_field, on_row, r) != tn ||
        csv_parse(&r->csv, &eol, 1, on_field, on_row, r) != 1)
        return ctg_fail(err, CTG_ERR_DATA, r->path, r->line, "CSV syntax: %s",
                        csv_strerror(csv_error(&r->csv)));
    if (r->cb_error)
        return callback_error(r, err);
    if (r->bytes_since_field > CTG_MAX_FIELD_BYTES + 2)
        return ctg_fail(err, CTG_ERR_DATA, r->path, r->cur_line,
                        "a field of 1,000,000 bytes or more (an unclosed quote?)");
    return CTG_OK;
}

static void reset_pending(ctg_reader *r)
{
    /* keep the fields of the record in progress, drop the handed-out ones */
    size_t keep_from = r->first_of_cur;
    size_t keep = r->nfield - keep_from;
    if (keep_from > 0 && keep > 0) {
        size_t base = r->field_off[keep_from];
        memmove(r->arena.data, r->arena.data + base, r->arena.len - base);
        r->arena.len -= base;
        for (size_t i = 0; i < keep; i++) {
            r->field_off[i] = r->field_off[keep_from + i] - base;
            r->field_len[i] = r->field_len[keep_from + i];
        }
    } else if (keep == 0) {
        ctg_buf_reset(&r->arena);
    }
    r->nfield = keep;
    r->first_of_cur = 0;
    r->nrec = r->rec_next = 0;
    ctg_buf_reset(&r->raw_done);
}

ctg_status ctg_reader_next(ctg_reader *r, const ctg_record **rec, ctg_error *err)
{
    *rec = NULL;
    if (!r->csv_ready)
        return ctg_fail(err, CTG_ERR_INTERNAL, r->path, 0, "reader not started");
    if (r->rec_next == r->nrec) {
        reset_pending(r);
        while (r->nrec == 0 && !r->finished) {
            ctg_status st = feed(r, err);
            if (st != CTG_OK)
                return st;
        }
        if (r->nrec == 0)
            return finish_hashing(r, err);
    }
    pending_record *p = &r->recs[r->rec_next++];
    if (p->nfields > r->fptr_cap) {
        size_t cap = p->nfields + 64;
        const char **f = realloc(r->fptr, cap * sizeof *f);
        if (!f)
            return ctg_fail(err, CTG_ERR_NOMEM, r->path, 0, "out of memory");
        r->fptr = f;
        r->fptr_cap = cap;
    }
    for (size_t i = 0; i < p->nfields; i++)
        r->fptr[i] = r->arena.data + r->field_off[p->first_field + i];
    r->out.nfields = p->nfields;
    r->out.fields = r->fptr;
    r->out.lens = r->field_len + p->first_field;
    r->out.line = p->line;
    r->out.raw = r->raw_done.data ? r->raw_done.data + p->raw_off : "";
    r->out.raw_len = p->raw_len;
    hash128(r->out.raw, r->out.raw_len, r->out.hash);
    *rec = &r->out;
    return CTG_OK;
}

void ctg_reader_use_libcsv_only(ctg_reader *r, int on)
{
    r->libcsv_only = on != 0;
}

const char *ctg_reader_sha256(const ctg_reader *r)
{
    return r->sha_hex;
}

const char *ctg_reader_encoding(const ctg_reader *r)
{
    switch (r->enc) {
    case ENC_ASCII: return "ASCII";
    case ENC_UTF8: return "UTF-8";
    case ENC_UTF8_BOM: return "UTF-8 BOM";
    case ENC_CP1252: return "Windows-1252";
    }
    return "?";
}

long ctg_reader_lines(const ctg_reader *r)
{
    return r->line;
}

void ctg_reader_close(ctg_reader *r)
{
    if (!r)
        return;
    if (r->hashing)
        pthread_join(r->hasher, NULL);
    if (r->fd >= 0)
        close(r->fd);
    if (r->csv_ready)
        csv_free(&r->csv);
    free(r->path);
    free(r->block);
    ctg_buf_free(&r->conv);
    ctg_buf_free(&r->arena);
    ctg_buf_free(&r->raw_cur);
    ctg_buf_free(&r->raw_done);
    free(r->field_off);
    free(r->field_len);
    free(r->recs);
    free(r->fptr);
    free(r);
}

ctg_status ctg_file_sha256(const char *path, char hex[CTG_SHA256_HEX_LEN + 1], ctg_error *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return ctg_fail(err, CTG_ERR_NOINPUT, path, 0, "cannot open: %s", strerror(errno));
    int rc = hash_fd(fd, hex);
    close(fd);
    if (rc)
        return ctg_fail(err, rc == ENOMEM ? CTG_ERR_NOMEM : CTG_ERR_NOINPUT, path, 0,
                        "read error: %s", strerror(rc));
    return CTG_OK;
}
