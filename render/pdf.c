/* pdf.c - the layout layer of the reports over libharu (see pdf.h). */
#include "pdf.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hpdf.h>

#include "core/text.h"

/* ------------------------------------------------------------ the page */

#define PAGE_W 595.276                  /* A4 portrait, points */
#define PAGE_H 841.89
#define MARGIN_X 50.0                   /* left and right */
#define TEXT_LEFT MARGIN_X
#define TEXT_WIDTH (PAGE_W - 2.0 * MARGIN_X)
#define TEXT_TOP (PAGE_H - 60.0)        /* top of the text area */
#define TEXT_BOTTOM 56.0                /* bottom of the text area */
#define HEADER_BASELINE (PAGE_H - 36.0) /* running header */
#define HEADER_RULE (PAGE_H - 41.0)     /* the thin rule under it */
#define FOOTER_BASELINE 32.0            /* "page N / M" */
#define DECOR_SIZE 8.0                  /* header and page number, points */
#define DECOR_GREY 0.35

#define LEADING 1.3                     /* line height / font size */
#define BASELINE_DROP 1.0               /* top of a line to its baseline / font size */
#define KEEP_LINES (3.0 * 10.0 * LEADING) /* body lines kept under a heading */

#define CELL_SIZE 9.0                   /* table text, points */
#define CELL_PAD 3.0
#define CELL_LEADING 1.25
#define HEADER_BG 0.9                   /* grey of a table's header row */
#define RULE_WIDTH 0.4
#define RULE_GREY 0.55

#define EPS 1e-6                        /* tolerance of width and height comparisons */
#define MAX_LEVELS 3                    /* heading levels 0, 1, 2 */

static const char FONT_REGULAR[] = "DejaVuSans.ttf";
static const char FONT_BOLD[] = "DejaVuSans-Bold.ttf";
/* Their Windows-1252 subsets (render/fonts/make_subsets.py) */
static const char SUBSET_REGULAR[] = "DejaVuSansCTG.ttf";
static const char SUBSET_BOLD[] = "DejaVuSansCTG-Bold.ttf";

/*
 * A font face of the document. Text is drawn in two libharu fonts: a simple
 * font in Windows-1252 for the characters that encoding holds (all of
 * French, with « » œ € ‰ and the typographic dashes and quotes), from a
 * subset of DejaVu with only those glyphs (render/fonts: libharu embeds
 * every table of a TrueType file, and writing the full DejaVu into each PDF
 * was over half a report's time), and, only for the pages that need one, a
 * UTF-8 font (CID) over the full DejaVu file for any other character. The UTF-8 font is what a
 * document costs most to open (libharu looks each of the 65,536 code points
 * up in the font and writes a 128 KB glyph map and a code map for it, then
 * compresses them: about 40 % of a report's time), so it is made only when
 * a text needs it. U+202F (the narrow no-break space of French figures,
 * which Windows-1252 lacks) is drawn as U+00A0 narrowed to its width.
 *
 * The widths of the characters are measured once and kept: lines are
 * measured many times.
 */
#define FACE_CHARS 0x3000               /* cached: U+0000..U+2FFF (Latin, punctuation, U+202F) */
typedef struct face {
    HPDF_Doc doc;                       /* the document the fonts belong to */
    const char *name;                   /* the simple font's TrueType name in it (libharu's) */
    HPDF_Font font;                     /* the simple font, Windows-1252 */
    char full_path[4096];               /* the full DejaVu file, for the UTF-8 font */
    HPDF_Font wide;                     /* the UTF-8 font; NULL until a text needs it */
    uint16_t width[FACE_CHARS];         /* 1 + the width in font units; 0: not measured yet */
} face;

struct ctg_pdf {
    HPDF_Doc doc;                       /* the libharu document */
    face regular;                       /* DejaVu Sans */
    face bold;                          /* DejaVu Sans Bold */
    HPDF_Encoder utf8;                  /* the encoder of bookmark titles */
    HPDF_Page *pages;                   /* every page, in order */
    size_t npages;                      /* pages used in pages */
    size_t cap;                         /* pages allocated in pages */
    double y;                           /* top of the free space on the last page (page coords) */
    int page_empty;                     /* 1 while nothing was placed on the last page */
    int saved;                          /* 1 once headers and page numbers are drawn */
    HPDF_Outline outline[MAX_LEVELS];   /* last bookmark of each level, NULL when none */
    char *header;                       /* running header (owned) */
    HPDF_STATUS hpdf_error;             /* first libharu error, 0 while none */
    HPDF_STATUS hpdf_detail;            /* its detail number */
    ctg_error failure;                  /* first failure; failure.code CTG_OK while none */
};

struct ctg_pdf_table {
    ctg_pdf *pdf;                       /* the document the table is written in */
    size_t ncols;                       /* columns */
    char **heads;                       /* copies of their headers (owned) */
    int *right;                         /* 1 for a right-aligned column */
    double *x;                          /* left edge of each column, x[ncols] the right edge */
    double head_height;                 /* height of the header row */
};

/* -------------------------------------------------------------- errors */

/* The libharu error handler: keeps the first error in the document (libharu
 * then refuses every later call on it until HPDF_ResetError, never called). */
static void HPDF_STDCALL on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no,
                                       void *user_data)
{
    ctg_pdf *pdf = user_data;
    if (pdf->hpdf_error == 0) {
        pdf->hpdf_error = error_no;
        pdf->hpdf_detail = detail_no;
    }
}

/* Records a failure in the document (the first one stays) and copies the
 * recorded failure to err. Returns its status. */
static ctg_status pdf_fail(ctg_pdf *pdf, ctg_error *err, ctg_status code, const char *path,
                           const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

static ctg_status pdf_fail(ctg_pdf *pdf, ctg_error *err, ctg_status code, const char *path,
                           const char *fmt, ...)
{
    if (pdf->failure.code == CTG_OK) {
        char msg[CTG_ERROR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        ctg_fail(&pdf->failure, code, path, 0, "%s", msg);
    }
    if (err)
        *err = pdf->failure;
    return pdf->failure.code;
}

/* CTG_OK when the document can still be used; its first failure otherwise. */
static ctg_status pdf_usable(ctg_pdf *pdf, ctg_error *err)
{
    if (pdf->failure.code != CTG_OK) {
        if (err)
            *err = pdf->failure;
        return pdf->failure.code;
    }
    if (pdf->saved)
        return pdf_fail(pdf, err, CTG_ERR_INTERNAL, NULL,
                        "PDF document written to after it was saved");
    return CTG_OK;
}

/* Turns a libharu error recorded by the handler into a failure of kind
 * `code`; CTG_OK when libharu reported nothing. */
static ctg_status check_hpdf(ctg_pdf *pdf, ctg_error *err, ctg_status code, const char *what)
{
    if (pdf->hpdf_error == 0)
        return CTG_OK;
    return pdf_fail(pdf, err, code, NULL, "libharu error 0x%04X (detail %u) while %s",
                    (unsigned)pdf->hpdf_error, (unsigned)pdf->hpdf_detail, what);
}

/* CTG_ERR_DATA when text is not valid UTF-8 (libharu would write garbage). */
static ctg_status check_utf8(ctg_pdf *pdf, const char *text, ctg_error *err)
{
    size_t n = strlen(text);
    size_t bad = ctg_utf8_check((const uint8_t *)text, n);
    if (bad == n)
        return CTG_OK;
    return pdf_fail(pdf, err, CTG_ERR_DATA, NULL,
                    "text for the PDF is not valid UTF-8 at byte %zu: \"%.40s\"", bad, text);
}

/* ------------------------------------------------------- line breaking */

/* The state of breaking one text into lines: where the next line starts and
 * how wide a line may be, in font units (1/1000 of the font size). */
typedef struct breaker {
    face *font;          /* font the text is measured in */
    const char *text;    /* the text, UTF-8 */
    size_t n;            /* bytes in text */
    size_t pos;          /* where the next line is looked for */
    double max;          /* the line width in font units */
    double space;        /* the width of a blank in font units */
} breaker;

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The code point of the UTF-8 character at s[0..n) and its length in
 * bytes; -1 when it is not a well-formed character of 1 to 3 bytes. */
static long decode_char(const unsigned char *s, size_t n, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0 && n >= 2 && (s[1] & 0xC0) == 0x80) {
        *len = 2;
        return ((long)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if ((s[0] & 0xF0) == 0xE0 && n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
        *len = 3;
        return ((long)(s[0] & 0x0F) << 12) | ((long)(s[1] & 0x3F) << 6) | (s[2] & 0x3F);
    }
    return -1;
}

/* The byte of code point cp in Windows-1252, 0 when it has none. */
static unsigned char cp1252_byte(long cp)
{
    /* U+0080..U+009F are not characters of it; 0x80..0x9F hold these */
    static const uint16_t HIGH[32] = {
        0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0, 0x017D, 0, 0, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178};
    if ((cp >= 0x20 && cp < 0x7F) || (cp >= 0xA0 && cp <= 0xFF))
        return (unsigned char)cp;
    for (int i = 0; i < 32 && cp > 0xFF; i++)
        if (HIGH[i] == cp)
            return (unsigned char)(0x80 + i);
    return 0;
}

/* The face's UTF-8 font, made on first use; NULL when libharu fails (its
 * error handler has recorded why). */
static HPDF_Font wide_font(face *f)
{
    if (!f->wide) {
        const char *name = HPDF_LoadTTFontFromFile(f->doc, f->full_path, HPDF_TRUE);
        f->wide = name ? HPDF_GetFont(f->doc, name, "UTF-8") : NULL;
    }
    return f->wide;
}

/* The width of s[0..n) in font units, as libharu measures it. libharu's
 * TrueType fonts have no kerning, so widths add up: the width of a text is
 * that of its characters, each measured once and kept in the face. */
static double font_units(face *f, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    double total = 0.0;
    size_t i = 0;
    while (i < n) {
        size_t len = 0;
        long cp = decode_char(u + i, n - i, &len);
        if (cp < 0 || cp >= FACE_CHARS) {
            /* beyond the cache (or not UTF-8): the rest as libharu sees it */
            HPDF_Font wide = wide_font(f);
            if (!wide)
                return total;
            HPDF_TextWidth tw = HPDF_Font_TextWidth(wide, u + i, (HPDF_UINT)(n - i));
            return total + (double)tw.width;
        }
        if (!f->width[cp]) {
            /* the simple font holds the glyphs of Windows-1252 only */
            HPDF_Font font = cp == 0x202F || cp1252_byte(cp) ? f->font : wide_font(f);
            if (!font)
                return total;
            HPDF_INT w = HPDF_Font_GetUnicodeWidth(font, (HPDF_UNICODE)cp);
            f->width[cp] = (uint16_t)(w < 0 ? 1 : w < 65534 ? w + 1 : 65535);
        }
        total += f->width[cp] - 1;
        i += len;
    }
    return total;
}

static size_t skip_blanks(const char *t, size_t n, size_t i)
{
    while (i < n && is_blank(t[i]))
        i++;
    return i;
}

static size_t word_end(const char *t, size_t n, size_t i)
{
    while (i < n && !is_blank(t[i]))
        i++;
    return i;
}

/* The end of the character at t[i] (before `to`): its UTF-8 continuation
 * bytes and any combining marks U+0300..U+036F that follow it, so that a
 * cut never separates a letter from its accent. */
static size_t char_end(const char *t, size_t i, size_t to)
{
    const unsigned char *u = (const unsigned char *)t;
    i++;
    for (;;) {
        while (i < to && (u[i] & 0xC0) == 0x80)
            i++;
        int combining = i + 1 < to && ((u[i] == 0xCC && u[i + 1] >= 0x80) ||
                                       (u[i] == 0xCD && u[i + 1] <= 0xAF));
        if (!combining)
            return i;
        i++;
    }
}

/* The longest prefix of the word t[from..to) that ends right after an
 * ASCII hyphen (not the first or last byte) and is at most `avail` font
 * units wide: returns its end, or `from` when there is none. */
static size_t hyphen_cut(const breaker *b, size_t from, size_t to, double avail)
{
    size_t best = from, seg = from;
    double acc = 0.0;
    for (size_t i = from + 1; i + 1 < to; i++) {
        if (b->text[i] != '-')
            continue;
        acc += font_units(b->font, b->text + seg, i + 1 - seg);
        seg = i + 1;
        if (acc > avail + EPS)
            break;
        best = i + 1;
    }
    return best;
}

/* The longest prefix of t[from..to) made of whole characters that fits a
 * line (at least one character, so that the breaker always advances):
 * returns its end. */
static size_t char_cut(const breaker *b, size_t from, size_t to)
{
    size_t i = from;
    double acc = 0.0;
    while (i < to) {
        size_t next = char_end(b->text, i, to);
        double w = font_units(b->font, b->text + i, next - i);
        if (i > from && acc + w > b->max + EPS)
            break;
        acc += w;
        i = next;
    }
    return i;
}

/* Starts breaking text in `size` points of font to lines of `width` points. */
static void breaker_init(breaker *b, face *font, const char *text, double size,
                         double width)
{
    b->font = font;
    b->text = text;
    b->n = strlen(text);
    b->pos = 0;
    b->max = size > 0.0 ? width * 1000.0 / size : HUGE_VAL;
    b->space = font_units(font, " ", 1);
}

/*
 * Finds the next line: *start and *len receive its bytes (no blank at
 * either end; the blanks inside are those of the text). Returns 0 when the
 * text is exhausted. Greedy: words go on the line while they fit with one
 * blank before each; a word wider than a whole line is broken after its
 * last hyphen that fits (on this line or, failing that, on a new one), else
 * cut between characters. U+00A0 and U+202F are not blanks: "59,6 %" stays
 * together.
 */
static int next_line(breaker *b, size_t *start, size_t *len)
{
    const char *t = b->text;
    size_t pos = skip_blanks(t, b->n, b->pos);
    if (pos >= b->n) {
        b->pos = pos;
        return 0;
    }
    size_t first = pos, end = pos;
    double used = 0.0;
    int have = 0; /* the line holds a word or part of one */
    for (;;) {
        size_t wend = word_end(t, b->n, pos);
        double w = font_units(b->font, t + pos, wend - pos);
        double gap = have ? b->space : 0.0;
        if (used + gap + w <= b->max + EPS) {
            used += gap + w;
            end = wend;
            have = 1;
            pos = skip_blanks(t, b->n, wend);
            if (pos >= b->n)
                break;
            continue;
        }
        if (w <= b->max + EPS)
            break; /* the line has words; this one starts the next line */
        size_t cut = hyphen_cut(b, pos, wend, b->max - used - gap);
        if (cut > pos) {
            end = pos = cut;
            break;
        }
        if (have)
            break; /* the long word starts on a new line */
        end = pos = char_cut(b, pos, wend);
        break;
    }
    b->pos = pos;
    *start = first;
    *len = end - first;
    return 1;
}

size_t ctg_pdf_break_lines(ctg_pdf *pdf, const char *text, double size, int bold, double width,
                           size_t *starts, size_t *lens, size_t max)
{
    if (!pdf || !text)
        return 0;
    breaker b;
    breaker_init(&b, bold ? &pdf->bold : &pdf->regular, text, size, width);
    size_t count = 0, s, l;
    while (next_line(&b, &s, &l)) {
        if (count < max) {
            if (starts)
                starts[count] = s;
            if (lens)
                lens[count] = l;
        }
        count++;
    }
    return count;
}

/* The number of lines text takes in a width (at least 1: an empty cell is
 * one empty line high). */
static size_t count_lines(face *font, const char *text, double size, double width)
{
    breaker b;
    breaker_init(&b, font, text, size, width);
    size_t count = 0, s, l;
    while (next_line(&b, &s, &l))
        count++;
    return count ? count : 1;
}

/* ------------------------------------------------------------ drawing */

/* A NUL-terminated copy of s[0..n) with each run of blanks made one space
 * (what the breaker measured). NULL when out of memory. */
static char *line_copy(const char *s, size_t n)
{
    char *out = malloc(n + 1);
    if (!out)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (is_blank(s[i])) {
            if (k > 0 && out[k - 1] == ' ')
                continue;
            out[k++] = ' ';
        } else {
            out[k++] = s[i];
        }
    }
    out[k] = '\0';
    return out;
}

/* A piece of a line drawn in one font: bytes in its encoding. */
typedef struct run {
    HPDF_Font font;
    char *text;          /* NUL-terminated, in the font's encoding */
    size_t len;
    double units;        /* its width in font units */
    int narrow;          /* the narrow no-break space, drawn as U+00A0 narrowed */
} run;

/* Shows one run at (x, y) in size points; returns its width in points. */
static double show_run(HPDF_Page page, face *f, const run *r, double size, double x, double y)
{
    /* the font is part of the text state, which outlives BT/ET (q/Q
     * restore it, and libharu follows them): set only a change */
    if (HPDF_Page_GetCurrentFont(page) != r->font ||
        HPDF_Page_GetCurrentFontSize(page) != (HPDF_REAL)size)
        HPDF_Page_SetFontAndSize(page, r->font, (HPDF_REAL)size);
    if (r->narrow) {
        double nbsp = font_units(f, "\xC2\xA0", 2);
        HPDF_Page_SetHorizontalScalling(page, (HPDF_REAL)(nbsp > 0 ? 100.0 * r->units / nbsp
                                                                    : 100.0));
        HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)y, "\xA0");
        HPDF_Page_SetHorizontalScalling(page, 100);
    } else {
        HPDF_Page_TextOut(page, (HPDF_REAL)x, (HPDF_REAL)y, r->text);
    }
    return r->units * size / 1000.0;
}

/* Shows the UTF-8 line at (x, y): its runs of Windows-1252 characters in the
 * simple font, of others in the UTF-8 font (face). out: a buffer of at least
 * strlen(line) + 1 bytes. */
static void show_line(HPDF_Page page, face *f, double size, double x, double y,
                      const char *line, char *out)
{
    const unsigned char *u = (const unsigned char *)line;
    size_t n = strlen(line), i = 0;
    while (i < n) {
        run r = {f->font, out, 0, 0.0, 0};
        size_t from = i, len = 0;
        long cp = decode_char(u + i, n - i, &len);
        if (cp == 0x202F) {
            r.narrow = 1;
            i += len;
        } else if (cp >= 0 && cp1252_byte(cp)) {
            while (i < n && (cp = decode_char(u + i, n - i, &len)) >= 0 && cp1252_byte(cp)) {
                out[r.len++] = (char)cp1252_byte(cp);
                i += len;
            }
        } else {
            r.font = wide_font(f);
            while (i < n && ((cp = decode_char(u + i, n - i, &len)) < 0 ||
                             (!cp1252_byte(cp) && cp != 0x202F))) {
                size_t k = cp < 0 ? 1 : len;
                memcpy(out + r.len, u + i, k);
                r.len += k;
                i += k;
            }
            if (!r.font)
                return; /* libharu's error is recorded */
        }
        out[r.len] = '\0';
        r.units = font_units(f, line + from, i - from);
        x += show_run(page, f, &r, size, x, y);
    }
}

/* Draws s[0..n) on the last page with its baseline at y: starting at x
 * (align 0), centred on x (1) or ending at x (2), in grey level `grey`.
 * Inside a text object the caller began (a table row: grey 0), it adds to
 * that object. */
static ctg_status draw_text(ctg_pdf *pdf, HPDF_Page page, face *font, double size, double x,
                            double y, int align, double grey, const char *s, size_t n,
                            ctg_error *err)
{
    char *line = line_copy(s, n);
    char *encoded = malloc(n + 1);
    if (!line || !encoded) {
        free(line);
        free(encoded);
        return pdf_fail(pdf, err, CTG_ERR_NOMEM, NULL, "out of memory drawing text");
    }
    if (align != 0) {
        double w = font_units(font, line, strlen(line)) * size / 1000.0;
        x -= align == 1 ? w / 2.0 : w;
    }
    int own_object = HPDF_Page_GetGMode(page) != HPDF_GMODE_TEXT_OBJECT;
    if (own_object && grey != 0.0) {
        HPDF_Page_GSave(page);
        HPDF_Page_SetGrayFill(page, (HPDF_REAL)grey);
    }
    if (own_object)
        HPDF_Page_BeginText(page);
    show_line(page, font, size, x, y, line, encoded);
    if (own_object)
        HPDF_Page_EndText(page);
    if (own_object && grey != 0.0)
        HPDF_Page_GRestore(page);
    free(line);
    free(encoded);
    return check_hpdf(pdf, err, CTG_ERR_INTERNAL, "drawing text");
}

/* A filled rectangle on a page. */
static void fill_rect(HPDF_Page page, double x, double y, double w, double h, double grey)
{
    HPDF_Page_GSave(page);
    HPDF_Page_SetGrayFill(page, (HPDF_REAL)grey);
    HPDF_Page_Rectangle(page, (HPDF_REAL)x, (HPDF_REAL)y, (HPDF_REAL)w, (HPDF_REAL)h);
    HPDF_Page_Fill(page);
    HPDF_Page_GRestore(page);
}

/* A straight line on a page, dashed when dash > 0 (dash and gap of that many
 * points, rounded to whole points as libharu takes them). */
static void stroke_line(HPDF_Page page, double x1, double y1, double x2, double y2, double width,
                        double grey, double dash)
{
    HPDF_Page_GSave(page);
    HPDF_Page_SetLineWidth(page, (HPDF_REAL)width);
    HPDF_Page_SetGrayStroke(page, (HPDF_REAL)grey);
    if (dash > 0.0) {
        double r = dash < 1.0 ? 1.0 : dash > 1000.0 ? 1000.0 : floor(dash + 0.5);
        HPDF_UINT16 pattern[2] = {(HPDF_UINT16)r, (HPDF_UINT16)r};
        HPDF_Page_SetDash(page, pattern, 2, 0);
    }
    HPDF_Page_MoveTo(page, (HPDF_REAL)x1, (HPDF_REAL)y1);
    HPDF_Page_LineTo(page, (HPDF_REAL)x2, (HPDF_REAL)y2);
    HPDF_Page_Stroke(page);
    HPDF_Page_GRestore(page);
}

/* ------------------------------------------------------------- pages */

/* The page being written (the last one). */
static HPDF_Page last_page(const ctg_pdf *pdf)
{
    return pdf->npages ? pdf->pages[pdf->npages - 1] : NULL;
}

/* Adds an A4 page; the cursor goes to the top of its text area. */
static ctg_status add_page(ctg_pdf *pdf, ctg_error *err)
{
    if (pdf->npages == pdf->cap) {
        size_t cap = pdf->cap ? 2 * pdf->cap : 16;
        HPDF_Page *pages = realloc(pdf->pages, cap * sizeof *pages);
        if (!pages)
            return pdf_fail(pdf, err, CTG_ERR_NOMEM, NULL, "out of memory adding a PDF page");
        pdf->pages = pages;
        pdf->cap = cap;
    }
    HPDF_Page page = HPDF_AddPage(pdf->doc);
    if (page)
        HPDF_Page_SetSize(page, HPDF_PAGE_SIZE_A4, HPDF_PAGE_PORTRAIT);
    ctg_status st = check_hpdf(pdf, err, CTG_ERR_INTERNAL, "adding a page");
    if (st != CTG_OK)
        return st;
    pdf->pages[pdf->npages++] = page;
    pdf->y = TEXT_TOP;
    pdf->page_empty = 1;
    return CTG_OK;
}

/* Makes room for a block of `height` points: a first page when there is
 * none, a new page when the block does not fit on a page that already has
 * something (a block taller than a page is placed at the top of one). */
static ctg_status need(ctg_pdf *pdf, double height, ctg_error *err)
{
    if (pdf->npages == 0 || (pdf->y - height < TEXT_BOTTOM - EPS && !pdf->page_empty))
        return add_page(pdf, err);
    return CTG_OK;
}

/* A page to draw on: the first one when there is none (drawing never
 * breaks a page: it goes where the caller's area is). */
static ctg_status ensure_page(ctg_pdf *pdf, ctg_error *err)
{
    return pdf->npages == 0 ? add_page(pdf, err) : CTG_OK;
}

/* Draws the running header, its rule and "page N / M" on every page. */
static ctg_status decorate_pages(ctg_pdf *pdf, ctg_error *err)
{
    char label[64];
    ctg_status st = CTG_OK;
    for (size_t i = 0; i < pdf->npages && st == CTG_OK; i++) {
        HPDF_Page page = pdf->pages[i];
        if (pdf->header[0]) {
            size_t start = 0, len = 0; /* the first line of the header: never overflows */
            ctg_pdf_break_lines(pdf, pdf->header, DECOR_SIZE, 0, TEXT_WIDTH, &start, &len, 1);
            st = draw_text(pdf, page, &pdf->regular, DECOR_SIZE, TEXT_LEFT, HEADER_BASELINE, 0,
                           DECOR_GREY, pdf->header + start, len, err);
        }
        stroke_line(page, TEXT_LEFT, HEADER_RULE, TEXT_LEFT + TEXT_WIDTH, HEADER_RULE, RULE_WIDTH,
                    DECOR_GREY, 0.0);
        snprintf(label, sizeof label, "page %zu / %zu", i + 1, pdf->npages);
        if (st == CTG_OK)
            st = draw_text(pdf, page, &pdf->regular, DECOR_SIZE, TEXT_LEFT + TEXT_WIDTH,
                           FOOTER_BASELINE, 2, DECOR_GREY, label, strlen(label), err);
    }
    if (st != CTG_OK)
        return st;
    return check_hpdf(pdf, err, CTG_ERR_INTERNAL, "drawing page headers");
}

/* ------------------------------------------------------------ document */

/* The path of a font file: $CTG_FONT_DIR/name, else CTG_PDF_FONT_DIR/name.
 * CTG_ERR_NOINPUT naming it when it cannot be read. */
static ctg_status font_path(const char *name, char *path, size_t size, ctg_error *err)
{
    const char *dir = getenv("CTG_FONT_DIR");
    if (!dir || !dir[0])
        dir = CTG_PDF_FONT_DIR;
    int n = snprintf(path, size, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= size)
        return ctg_fail(err, CTG_ERR_NOINPUT, NULL, 0, "font folder path too long: %s", dir);
    if (access(path, R_OK) != 0)
        return ctg_fail(err, CTG_ERR_NOINPUT, path, 0,
                        "cannot read the font %s (%s): install fonts-dejavu-core or set "
                        "CTG_FONT_DIR to the folder that holds it",
                        name, strerror(errno));
    return CTG_OK;
}

/* The font of the simple (Windows-1252) font: the subset `subset` from
 * $CTG_SUBSET_FONT_DIR, else CTG_SUBSET_FONT_DIR (the build's render/fonts),
 * else the full file `full` (bigger PDFs, same text). */
static const char *simple_font_path(const char *subset, const char *full, char *path,
                                    size_t size)
{
    const char *dir = getenv("CTG_SUBSET_FONT_DIR");
    if (!dir || !dir[0])
        dir = CTG_SUBSET_FONT_DIR;
    int n = snprintf(path, size, "%s/%s", dir, subset);
    if (n > 0 && (size_t)n < size && access(path, R_OK) == 0)
        return path;
    return full;
}

/* Loads face f of the document: its simple font (embedded) from simple_path;
 * its UTF-8 font, from full_path, waits for a text that needs it. */
static void load_face(ctg_pdf *pdf, face *f, const char *simple_path, const char *full_path)
{
    f->doc = pdf->doc;
    snprintf(f->full_path, sizeof f->full_path, "%s", full_path);
    f->name = HPDF_LoadTTFontFromFile(pdf->doc, simple_path, HPDF_TRUE);
    f->font = f->name ? HPDF_GetFont(pdf->doc, f->name, "CP1252") : NULL;
}

/* Creates the libharu document: compression, UTF-8, metadata, fonts. */
static ctg_status open_document(ctg_pdf *pdf, const char *title, ctg_error *err)
{
    char regular[4096], bold[4096], simple_regular[4096], simple_bold[4096];
    ctg_status st = font_path(FONT_REGULAR, regular, sizeof regular, err);
    if (st == CTG_OK)
        st = font_path(FONT_BOLD, bold, sizeof bold, err);
    if (st != CTG_OK)
        return st;
    pdf->doc = HPDF_New(on_hpdf_error, pdf);
    if (!pdf->doc)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "cannot create a PDF document (libharu)");
    HPDF_SetCompressionMode(pdf->doc, HPDF_COMP_ALL);
    HPDF_UseUTFEncodings(pdf->doc);
    HPDF_SetCurrentEncoder(pdf->doc, "UTF-8"); /* the encoding of metadata strings */
    pdf->utf8 = HPDF_GetEncoder(pdf->doc, "UTF-8");
    const char *sr = simple_font_path(SUBSET_REGULAR, regular, simple_regular,
                                      sizeof simple_regular);
    const char *sb = simple_font_path(SUBSET_BOLD, bold, simple_bold, sizeof simple_bold);
    load_face(pdf, &pdf->regular, sr, regular);
    load_face(pdf, &pdf->bold, sb, bold);
    HPDF_SetInfoAttr(pdf->doc, HPDF_INFO_CREATOR, "ctgdiag");
    if (title && title[0])
        HPDF_SetInfoAttr(pdf->doc, HPDF_INFO_TITLE, title);
    if (pdf->hpdf_error != 0)
        return ctg_fail(err, CTG_ERR_INTERNAL, NULL, 0,
                        "libharu error 0x%04X (detail %u) while loading the fonts %s and %s",
                        (unsigned)pdf->hpdf_error, (unsigned)pdf->hpdf_detail, sr, sb);
    return CTG_OK;
}

ctg_status ctg_pdf_new(const char *title, const char *header, ctg_pdf **out, ctg_error *err)
{
    *out = NULL;
    ctg_status st = CTG_OK;
    ctg_pdf *pdf = calloc(1, sizeof *pdf);
    if (!pdf)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory creating a PDF document");
    size_t hlen = header ? strlen(header) : 0;
    pdf->header = malloc(hlen + 1);
    if (!pdf->header) {
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory creating a PDF document");
        goto cleanup;
    }
    memcpy(pdf->header, header ? header : "", hlen + 1);
    if (ctg_utf8_check((const uint8_t *)pdf->header, hlen) != hlen ||
        (title && ctg_utf8_check((const uint8_t *)title, strlen(title)) != strlen(title))) {
        st = ctg_fail(err, CTG_ERR_DATA, NULL, 0, "PDF title or header is not valid UTF-8");
        goto cleanup;
    }
    st = open_document(pdf, title, err);
cleanup:
    if (st != CTG_OK) {
        ctg_pdf_free(pdf);
        return st;
    }
    *out = pdf;
    return CTG_OK;
}

void ctg_pdf_free(ctg_pdf *pdf)
{
    if (!pdf)
        return;
    if (pdf->doc)
        HPDF_Free(pdf->doc);
    free(pdf->pages);
    free(pdf->header);
    free(pdf);
}

ctg_status ctg_pdf_set_date(ctg_pdf *pdf, long long unix_time, ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    if (st != CTG_OK)
        return st;
    time_t t = (time_t)unix_time;
    struct tm tm;
    if ((long long)t != unix_time || !gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1 ||
        tm.tm_year + 1900 > 9999)
        return pdf_fail(pdf, err, CTG_ERR_DATA, NULL, "PDF date out of range: %lld", unix_time);
    HPDF_Date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                   tm.tm_sec, 'Z', 0, 0};
    HPDF_SetInfoDateAttr(pdf->doc, HPDF_INFO_CREATION_DATE, d);
    HPDF_SetInfoDateAttr(pdf->doc, HPDF_INFO_MOD_DATE, d);
    return check_hpdf(pdf, err, CTG_ERR_INTERNAL, "setting the document date");
}

ctg_status ctg_pdf_new_page(ctg_pdf *pdf, ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    return st != CTG_OK ? st : add_page(pdf, err);
}

int ctg_pdf_page_count(const ctg_pdf *pdf)
{
    return pdf ? (int)pdf->npages : 0;
}

/* ------------------------------------------------------------- text */

/* Font and size of a paragraph style. */
static face *style_font(ctg_pdf *pdf, ctg_pdf_style style, double *size)
{
    switch (style) {
    case CTG_PDF_BOLD:
        *size = 10.0;
        return &pdf->bold;
    case CTG_PDF_SMALL:
        *size = 8.0;
        return &pdf->regular;
    case CTG_PDF_TITLE:
        *size = 20.0;
        return &pdf->bold;
    case CTG_PDF_BODY:
    default:
        *size = 10.0;
        return &pdf->regular;
    }
}

/* Writes text broken into lines at the cursor, from x = TEXT_LEFT + indent,
 * one line of size * LEADING at a time (a line that does not fit goes to a
 * new page). */
static ctg_status write_lines(ctg_pdf *pdf, face *font, double size, double indent,
                              const char *text, ctg_error *err)
{
    breaker b;
    breaker_init(&b, font, text, size, TEXT_WIDTH - indent);
    double lh = size * LEADING;
    size_t start, len;
    while (next_line(&b, &start, &len)) {
        ctg_status st = need(pdf, lh, err);
        if (st == CTG_OK)
            st = draw_text(pdf, last_page(pdf), font, size, TEXT_LEFT + indent,
                           pdf->y - size * BASELINE_DROP, 0, 0.0, text + start, len, err);
        if (st != CTG_OK)
            return st;
        pdf->y -= lh;
        pdf->page_empty = 0;
    }
    return CTG_OK;
}

ctg_status ctg_pdf_paragraph(ctg_pdf *pdf, ctg_pdf_style style, double indent, const char *text,
                             ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        st = check_utf8(pdf, text, err);
    if (st != CTG_OK)
        return st;
    double size;
    face *font = style_font(pdf, style, &size);
    if (indent < 0.0 || indent > TEXT_WIDTH / 2.0)
        indent = indent < 0.0 ? 0.0 : TEXT_WIDTH / 2.0;
    st = need(pdf, 0.0, err);
    if (st == CTG_OK)
        st = write_lines(pdf, font, size, indent, text, err);
    if (st == CTG_OK)
        pdf->y -= size * 0.5;
    return st;
}

ctg_status ctg_pdf_space(ctg_pdf *pdf, double points, ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        st = need(pdf, 0.0, err);
    if (st != CTG_OK)
        return st;
    if (pdf->y - points < TEXT_BOTTOM - EPS)
        return add_page(pdf, err);
    pdf->y -= points;
    return CTG_OK;
}

ctg_status ctg_pdf_keep(ctg_pdf *pdf, double points, ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    return st != CTG_OK ? st : need(pdf, points, err);
}

/* Adds the bookmark of a heading whose top is at the cursor: nested under
 * the last heading of a lower level, pointing at this page, this height. */
static ctg_status add_bookmark(ctg_pdf *pdf, int level, const char *text, ctg_error *err)
{
    HPDF_Outline parent = NULL;
    for (int l = level - 1; l >= 0 && !parent; l--)
        parent = pdf->outline[l];
    HPDF_Outline o = HPDF_CreateOutline(pdf->doc, parent, text, pdf->utf8);
    HPDF_Destination dst = o ? HPDF_Page_CreateDestination(last_page(pdf)) : NULL;
    if (dst) {
        /* FitH: libharu 2.3.0 refuses SetXYZ with zoom 0 ("keep the zoom") */
        HPDF_Destination_SetFitH(dst, (HPDF_REAL)pdf->y);
        HPDF_Outline_SetDestination(o, dst);
    }
    if (o && level == 0)
        HPDF_Outline_SetOpened(o, HPDF_TRUE);
    HPDF_SetPageMode(pdf->doc, HPDF_PAGE_MODE_USE_OUTLINE); /* viewers open the bookmarks */
    ctg_status st = check_hpdf(pdf, err, CTG_ERR_INTERNAL, "adding a bookmark");
    if (st != CTG_OK)
        return st;
    pdf->outline[level] = o;
    for (int l = level + 1; l < MAX_LEVELS; l++)
        pdf->outline[l] = NULL;
    return CTG_OK;
}

ctg_status ctg_pdf_heading(ctg_pdf *pdf, int level, const char *text, ctg_error *err)
{
    static const double sizes[MAX_LEVELS] = {16.0, 13.0, 11.0};
    static const double before[MAX_LEVELS] = {0.0, 10.0, 6.0};
    static const double after[MAX_LEVELS] = {8.0, 4.0, 3.0};
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        st = check_utf8(pdf, text, err);
    if (st != CTG_OK)
        return st;
    if (level < 0 || level >= MAX_LEVELS)
        return pdf_fail(pdf, err, CTG_ERR_INTERNAL, NULL, "heading level %d (0 to 2)", level);
    double size = sizes[level];
    size_t nlines = count_lines(&pdf->bold, text, size, TEXT_WIDTH);
    double height = (double)nlines * size * LEADING + after[level];
    if (level == 0 && pdf->npages > 0 && !pdf->page_empty)
        st = add_page(pdf, err);
    if (st == CTG_OK)
        st = need(pdf, before[level] + height + KEEP_LINES, err);
    if (st != CTG_OK)
        return st;
    if (!pdf->page_empty)
        pdf->y -= before[level];
    st = add_bookmark(pdf, level, text, err);
    if (st == CTG_OK)
        st = write_lines(pdf, &pdf->bold, size, 0.0, text, err);
    if (st == CTG_OK)
        pdf->y -= after[level];
    return st;
}

/* ------------------------------------------------------------- tables */

/* The height of a row: its tallest cell, padded. */
static double row_height(const ctg_pdf_table *t, const char *const *cells, face *font)
{
    size_t most = 1;
    for (size_t c = 0; c < t->ncols; c++) {
        const char *text = cells[c] ? cells[c] : "";
        double w = t->x[c + 1] - t->x[c] - 2.0 * CELL_PAD;
        size_t n = count_lines(font, text, CELL_SIZE, w);
        if (n > most)
            most = n;
    }
    return (double)most * CELL_SIZE * CELL_LEADING + 2.0 * CELL_PAD;
}

/* Draws one cell's lines from the top of its row, aligned in its column. */
static ctg_status draw_cell(ctg_pdf_table *t, size_t c, const char *text, face *font,
                            ctg_error *err)
{
    ctg_pdf *pdf = t->pdf;
    double left = t->x[c] + CELL_PAD, right = t->x[c + 1] - CELL_PAD;
    breaker b;
    breaker_init(&b, font, text, CELL_SIZE, right - left);
    double top = pdf->y - CELL_PAD;
    size_t start, len;
    while (next_line(&b, &start, &len)) {
        ctg_status st = draw_text(pdf, last_page(pdf), font, CELL_SIZE,
                                  t->right[c] ? right : left, top - CELL_SIZE * BASELINE_DROP,
                                  t->right[c] ? 2 : 0, 0.0, text + start, len, err);
        if (st != CTG_OK)
            return st;
        top -= CELL_SIZE * CELL_LEADING;
    }
    return CTG_OK;
}

/* Draws a row of `height` at the cursor (the header row on a grey ground
 * with a rule above) with a rule below, and moves the cursor under it. */
static ctg_status draw_row(ctg_pdf_table *t, const char *const *cells, face *font,
                           double height, int header, ctg_error *err)
{
    ctg_pdf *pdf = t->pdf;
    HPDF_Page page = last_page(pdf);
    double x0 = t->x[0], x1 = t->x[t->ncols];
    if (header) {
        fill_rect(page, x0, pdf->y - height, x1 - x0, height, HEADER_BG);
        stroke_line(page, x0, pdf->y, x1, pdf->y, RULE_WIDTH, RULE_GREY, 0.0);
    }
    HPDF_Page_BeginText(page); /* one text object for the row's cells */
    for (size_t c = 0; c < t->ncols; c++) {
        ctg_status st = draw_cell(t, c, cells[c] ? cells[c] : "", font, err);
        if (st != CTG_OK) {
            HPDF_Page_EndText(page);
            return st;
        }
    }
    HPDF_Page_EndText(page);
    pdf->y -= height;
    pdf->page_empty = 0;
    stroke_line(page, x0, pdf->y, x1, pdf->y, RULE_WIDTH, RULE_GREY, 0.0);
    return check_hpdf(pdf, err, CTG_ERR_INTERNAL, "drawing a table row");
}

/* Draws the header row of the table at the cursor. */
static ctg_status draw_header(ctg_pdf_table *t, ctg_error *err)
{
    return draw_row(t, (const char *const *)t->heads, &t->pdf->bold, t->head_height, 1, err);
}

/* Frees a table and its copies. */
static void table_free(ctg_pdf_table *t)
{
    if (!t)
        return;
    if (t->heads)
        for (size_t c = 0; c < t->ncols; c++)
            free(t->heads[c]);
    free(t->heads);
    free(t->right);
    free(t->x);
    free(t);
}

/* Checks the columns of a table: at least one, shares in 0..1 adding up to
 * at most 1, valid UTF-8 headers. */
static ctg_status check_columns(ctg_pdf *pdf, const ctg_pdf_column *cols, size_t ncols,
                                ctg_error *err)
{
    double sum = 0.0;
    if (ncols == 0 || !cols)
        return pdf_fail(pdf, err, CTG_ERR_INTERNAL, NULL, "a table needs a column");
    for (size_t c = 0; c < ncols; c++) {
        if (!(cols[c].width >= 0.0 && cols[c].width <= 1.0))
            return pdf_fail(pdf, err, CTG_ERR_INTERNAL, NULL, "table column %zu: share %g", c,
                            cols[c].width);
        sum += cols[c].width;
        ctg_status st = check_utf8(pdf, cols[c].header ? cols[c].header : "", err);
        if (st != CTG_OK)
            return st;
    }
    if (sum > 1.0 + 1e-9)
        return pdf_fail(pdf, err, CTG_ERR_INTERNAL, NULL,
                        "table column shares add up to %g (more than 1)", sum);
    return CTG_OK;
}

/* A table of the given columns (copied), not drawn yet. */
static ctg_status table_new(ctg_pdf *pdf, const ctg_pdf_column *cols, size_t ncols,
                            ctg_pdf_table **out, ctg_error *err)
{
    ctg_pdf_table *t = calloc(1, sizeof *t);
    if (!t)
        return pdf_fail(pdf, err, CTG_ERR_NOMEM, NULL, "out of memory starting a table");
    t->pdf = pdf;
    t->ncols = ncols;
    t->heads = calloc(ncols, sizeof *t->heads);
    t->right = calloc(ncols, sizeof *t->right);
    t->x = calloc(ncols + 1, sizeof *t->x);
    if (!t->heads || !t->right || !t->x)
        goto nomem;
    t->x[0] = TEXT_LEFT;
    for (size_t c = 0; c < ncols; c++) {
        t->heads[c] = strdup(cols[c].header ? cols[c].header : "");
        if (!t->heads[c])
            goto nomem;
        t->right[c] = cols[c].right != 0;
        t->x[c + 1] = t->x[c] + cols[c].width * TEXT_WIDTH;
    }
    t->head_height = row_height(t, (const char *const *)t->heads, &pdf->bold);
    *out = t;
    return CTG_OK;
nomem:
    table_free(t);
    return pdf_fail(pdf, err, CTG_ERR_NOMEM, NULL, "out of memory starting a table");
}

ctg_status ctg_pdf_table_begin(ctg_pdf *pdf, const ctg_pdf_column *cols, size_t ncols,
                               ctg_pdf_table **out, ctg_error *err)
{
    *out = NULL;
    ctg_pdf_table *t = NULL;
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        st = check_columns(pdf, cols, ncols, err);
    if (st == CTG_OK)
        st = table_new(pdf, cols, ncols, &t, err);
    if (st != CTG_OK)
        return st;
    /* the header with at least a one-line row under it */
    st = need(pdf, t->head_height + CELL_SIZE * CELL_LEADING + 2.0 * CELL_PAD, err);
    if (st == CTG_OK)
        st = draw_header(t, err);
    if (st != CTG_OK) {
        table_free(t);
        return st;
    }
    *out = t;
    return CTG_OK;
}

ctg_status ctg_pdf_table_row(ctg_pdf_table *t, const char *const *cells, int bold,
                             ctg_error *err)
{
    if (!t)
        return ctg_fail(err, CTG_ERR_INTERNAL, NULL, 0, "table row without a table");
    ctg_pdf *pdf = t->pdf;
    ctg_status st = pdf_usable(pdf, err);
    for (size_t c = 0; c < t->ncols && st == CTG_OK; c++)
        st = check_utf8(pdf, cells[c] ? cells[c] : "", err);
    if (st != CTG_OK)
        return st;
    face *font = bold ? &pdf->bold : &pdf->regular;
    double height = row_height(t, cells, font);
    if (pdf->y - height < TEXT_BOTTOM - EPS) {
        st = add_page(pdf, err);
        if (st == CTG_OK)
            st = draw_header(t, err);
        if (st != CTG_OK)
            return st;
    }
    return draw_row(t, cells, font, height, 0, err);
}

ctg_status ctg_pdf_table_end(ctg_pdf_table *t, ctg_error *err)
{
    if (!t)
        return CTG_OK;
    ctg_pdf *pdf = t->pdf;
    table_free(t);
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        pdf->y -= 8.0;
    return st;
}

/* ------------------------------------------------------------- charts */

ctg_status ctg_pdf_area(ctg_pdf *pdf, double height, double *x0, double *y0, double *width,
                        ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        st = need(pdf, height, err);
    if (st != CTG_OK)
        return st;
    *x0 = TEXT_LEFT;
    *y0 = pdf->y;
    *width = TEXT_WIDTH;
    pdf->y -= height;
    pdf->page_empty = 0;
    return CTG_OK;
}

ctg_status ctg_pdf_rect(ctg_pdf *pdf, double x, double y, double w, double h, double grey,
                        ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        st = ensure_page(pdf, err);
    if (st != CTG_OK)
        return st;
    fill_rect(last_page(pdf), x, y, w, h, grey);
    pdf->page_empty = 0;
    return check_hpdf(pdf, err, CTG_ERR_INTERNAL, "drawing a rectangle");
}

ctg_status ctg_pdf_line(ctg_pdf *pdf, double x1, double y1, double x2, double y2, double width,
                        double grey, double dash, ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        st = ensure_page(pdf, err);
    if (st != CTG_OK)
        return st;
    stroke_line(last_page(pdf), x1, y1, x2, y2, width, grey, dash);
    pdf->page_empty = 0;
    return check_hpdf(pdf, err, CTG_ERR_INTERNAL, "drawing a line");
}

ctg_status ctg_pdf_text_at(ctg_pdf *pdf, double x, double y, double size, int align,
                           const char *text, ctg_error *err)
{
    ctg_status st = pdf_usable(pdf, err);
    if (st == CTG_OK)
        st = check_utf8(pdf, text, err);
    if (st == CTG_OK)
        st = ensure_page(pdf, err);
    if (st != CTG_OK)
        return st;
    if (align < 0 || align > 2)
        align = 0;
    pdf->page_empty = 0;
    return draw_text(pdf, last_page(pdf), &pdf->regular, size, x, y, align, 0.0, text,
                     strlen(text), err);
}

double ctg_pdf_text_width(ctg_pdf *pdf, double size, const char *text)
{
    if (!pdf || !text)
        return 0.0;
    return font_units(&pdf->regular, text, strlen(text)) * size / 1000.0;
}

/* --------------------------------------------------------------- save */

/* Writes the document to tmp (a file mkstemp created, open as fd), makes
 * it readable by all and flushes it to disk. */
static ctg_status write_temp(ctg_pdf *pdf, const char *path, const char *tmp, int fd,
                             ctg_error *err)
{
    errno = 0;
    HPDF_SaveToFile(pdf->doc, tmp);
    int saved_errno = errno;
    if (pdf->hpdf_error != 0)
        return pdf_fail(pdf, err, CTG_ERR_CANTCREAT, path,
                        "cannot write the PDF: libharu error 0x%04X (detail %u) while saving (%s)",
                        (unsigned)pdf->hpdf_error, (unsigned)pdf->hpdf_detail,
                        saved_errno ? strerror(saved_errno) : "no system error");
    if (fchmod(fd, 0644) != 0 || fsync(fd) != 0)
        return pdf_fail(pdf, err, CTG_ERR_CANTCREAT, path, "cannot write the PDF: %s",
                        strerror(errno));
    return CTG_OK;
}

/* Before the first save: a page if there is none, then the running header
 * and "page N / M" on every page, now that M is known. */
static ctg_status finish_pages(ctg_pdf *pdf, ctg_error *err)
{
    if (pdf->saved)
        return CTG_OK;
    ctg_status st = pdf->npages == 0 ? add_page(pdf, err) : CTG_OK;
    if (st == CTG_OK)
        st = decorate_pages(pdf, err);
    pdf->saved = 1;
    return st;
}

ctg_status ctg_pdf_save(ctg_pdf *pdf, const char *path, ctg_error *err)
{
    if (pdf->failure.code != CTG_OK)
        return pdf_usable(pdf, err);
    ctg_status st = finish_pages(pdf, err);
    if (st != CTG_OK)
        return st;
    size_t n = strlen(path) + sizeof ".tmp-XXXXXX";
    char *tmp = malloc(n);
    if (!tmp)
        return pdf_fail(pdf, err, CTG_ERR_NOMEM, path, "out of memory saving the PDF");
    snprintf(tmp, n, "%s.tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        st = pdf_fail(pdf, err, CTG_ERR_CANTCREAT, path,
                      "cannot create a temporary file next to it: %s", strerror(errno));
        goto cleanup;
    }
    st = write_temp(pdf, path, tmp, fd, err);
    if (close(fd) != 0 && st == CTG_OK)
        st = pdf_fail(pdf, err, CTG_ERR_CANTCREAT, path, "cannot write the PDF: %s",
                      strerror(errno));
    if (st == CTG_OK && rename(tmp, path) != 0)
        st = pdf_fail(pdf, err, CTG_ERR_CANTCREAT, path, "cannot rename %s into place: %s", tmp,
                      strerror(errno));
    if (st != CTG_OK)
        unlink(tmp);
cleanup:
    free(tmp);
    return st;
}
