/* test_pdf.c - render/pdf.h: the line breaker, a report-like document checked
 * with poppler's tools (text, bookmarks, pages, rendering), reproducibility
 * and the error paths. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "core/text.h"
#include "render/pdf.h"
#include "testutil.h"

#define NNBSP "\xE2\x80\xAF" /* U+202F */
#define NBSP "\xC2\xA0"      /* U+00A0 */

#define HEADER_TEXT "CA Gaillac-Graulhet \xC2\xB7 g\xC3\xA9ographie 2022"
#define TITLE_TEXT "Diagnostic CTG \xE2\x80\x93 CA Gaillac-Graulhet"

/* A French sentence with every kind of character the reports print. */
static const char SENTENCE[] =
    "Le taux de couverture du territoire, 59,6" NNBSP "%, est inf\xC3\xA9rieur de 7,5 points "
    "\xC3\xA0 celui de la France ; les 16" NNBSP "080 allocataires de la Communaut\xC3\xA9 "
    "d'agglom\xC3\xA9ration Gaillac-Graulhet b\xC3\xA9n\xC3\xA9" "ficient de l'\xC5\x93uvre "
    "sociale \xC2\xAB" NBSP "petite enfance" NBSP "\xC2\xBB pour 1" NNBSP "250" NBSP "\xE2\x82\xAC "
    "par an et par famille, soit 59,6" NNBSP "% des foyers.";

static char g_font_dir[1024]; /* where the fonts are: $CTG_FONT_DIR or the default */
static int g_font_env;         /* 1 when CTG_FONT_DIR was set */

static int group_setup(void **state)
{
    (void)state;
    const char *dir = getenv("CTG_FONT_DIR");
    g_font_env = dir && dir[0];
    snprintf(g_font_dir, sizeof g_font_dir, "%s", g_font_env ? dir : CTG_PDF_FONT_DIR);
    return testutil_scratch("pdf");
}

/* A new document; fails the test when it cannot be created. */
static ctg_pdf *new_doc(void)
{
    ctg_pdf *pdf = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_pdf_new(TITLE_TEXT, HEADER_TEXT, &pdf, &err);
    if (st != CTG_OK)
        print_error("ctg_pdf_new: %s\n", err.msg);
    assert_int_equal(st, CTG_OK);
    assert_non_null(pdf);
    return pdf;
}

/* Runs a shell command; returns its standard output (to free) and its exit
 * status in *status. */
static char *capture(const char *cmd, int *status)
{
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    assert_non_null(out);
    size_t got;
    while ((got = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += got;
        if (cap - len - 1 == 0) {
            cap *= 2;
            out = realloc(out, cap);
            assert_non_null(out);
        }
    }
    out[len] = '\0';
    int rc = pclose(p);
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

/* Runs a command and returns its output, failing the test unless it exits 0. */
static char *capture_ok(const char *cmd)
{
    int status;
    char *out = capture(cmd, &status);
    if (status != 0)
        print_error("command failed (%d): %s\n", status, cmd);
    assert_int_equal(status, 0);
    return out;
}

static size_t count_substr(const char *hay, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (const char *p = strstr(hay, needle); p; p = strstr(p + k, needle))
        n++;
    return n;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The lines of text at a width: their count, and starts/lens (to free). */
static size_t break_all(ctg_pdf *pdf, const char *text, double size, int bold, double width,
                        size_t **starts, size_t **lens)
{
    size_t n = ctg_pdf_break_lines(pdf, text, size, bold, width, NULL, NULL, 0);
    *starts = calloc(n + 1, sizeof **starts);
    *lens = calloc(n + 1, sizeof **lens);
    assert_non_null(*starts);
    assert_non_null(*lens);
    assert_int_equal(ctg_pdf_break_lines(pdf, text, size, bold, width, *starts, *lens, n), n);
    return n;
}

/* The width of text[0..n) in the regular font. */
static double width_of(ctg_pdf *pdf, double size, const char *text, size_t n)
{
    char *copy = strndup(text, n);
    assert_non_null(copy);
    double w = ctg_pdf_text_width(pdf, size, copy);
    free(copy);
    return w;
}

/* The number of UTF-8 characters in s[0..n). */
static size_t utf8_chars(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            k++;
    return k;
}

/*
 * Checks the lines of text at a width: valid UTF-8, no blank at either end,
 * no wider than the width (a line of one character excepted), what lies
 * between two lines is blanks or nothing (a cut word), and nothing of the
 * text is lost. Returns the number of lines.
 */
static size_t check_lines(ctg_pdf *pdf, const char *text, double size, double width)
{
    size_t *starts, *lens;
    size_t n = break_all(pdf, text, size, 0, width, &starts, &lens);
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        const char *line = text + starts[i];
        assert_true(lens[i] > 0);
        assert_int_equal(ctg_utf8_check((const uint8_t *)line, lens[i]), lens[i]);
        assert_false(is_blank(line[0]));
        assert_false(is_blank(line[lens[i] - 1]));
        double w = width_of(pdf, size, line, lens[i]);
        if (w > width + 1e-6 && utf8_chars(line, lens[i]) > 1)
            fail_msg("line %zu at width %g is %g wide: %.*s", i, width, w, (int)lens[i], line);
        for (size_t k = pos; k < starts[i]; k++)
            assert_true(is_blank(text[k]));
        pos = starts[i] + lens[i];
    }
    for (size_t k = pos; text[k]; k++)
        assert_true(is_blank(text[k]));
    free(starts);
    free(lens);
    return n;
}

/* Joins the lines of text at a width with one blank between each (to free). */
static char *joined(ctg_pdf *pdf, const char *text, double size, double width)
{
    size_t *starts, *lens;
    size_t n = break_all(pdf, text, size, 0, width, &starts, &lens);
    char *out = calloc(strlen(text) + n + 1, 1);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            strcat(out, " ");
        strncat(out, text + starts[i], lens[i]);
    }
    free(starts);
    free(lens);
    return out;
}

static void test_break_sentence(void **state)
{
    (void)state;
    ctg_pdf *pdf = new_doc();
    /* the widest word of the sentence: from this width on no word is cut */
    double widest = width_of(pdf, 10.0, "d'agglom\xC3\xA9ration", strlen("d'agglom\xC3\xA9ration"));
    assert_true(widest > 60.0 && widest < 90.0);
    size_t last = 0;
    for (double width = 20.0; width <= 500.0; width += 7.5) {
        size_t n = check_lines(pdf, SENTENCE, 10.0, width);
        assert_true(n >= 1);
        if (width >= widest) {
            /* only blanks were broken: single blanks give the text back */
            char *j = joined(pdf, SENTENCE, 10.0, width);
            assert_string_equal(j, SENTENCE);
            free(j);
        }
        if (width > 60.0) {
            /* "59,6 %" (U+202F) and "« petite enfance »" (U+00A0) stay together */
            size_t *starts, *lens;
            size_t m = break_all(pdf, SENTENCE, 10.0, 0, width, &starts, &lens);
            size_t whole = 0;
            for (size_t i = 0; i < m; i++) {
                char *line = strndup(SENTENCE + starts[i], lens[i]);
                whole += count_substr(line, "59,6" NNBSP "%");
                free(line);
                assert_false(SENTENCE[starts[i] + lens[i]] == '\xE2' &&
                             SENTENCE[starts[i] + lens[i] + 2] == '\xAF');
            }
            assert_int_equal(whole, 2);
            free(starts);
            free(lens);
        }
        if (last)
            assert_true(n <= last); /* wider never takes more lines */
        last = n;
    }
    /* the full text width: a few lines; bold is wider */
    size_t regular = ctg_pdf_break_lines(pdf, SENTENCE, 10.0, 0, 495.0, NULL, NULL, 0);
    size_t bold = ctg_pdf_break_lines(pdf, SENTENCE, 10.0, 1, 495.0, NULL, NULL, 0);
    assert_true(regular >= 2 && regular <= 5);
    assert_true(bold >= regular);
    /* max bounds what is filled, not the count */
    size_t s[1] = {99}, l[1] = {99};
    assert_int_equal(ctg_pdf_break_lines(pdf, SENTENCE, 10.0, 0, 100.0, s, l, 1),
                     ctg_pdf_break_lines(pdf, SENTENCE, 10.0, 0, 100.0, NULL, NULL, 0));
    assert_int_equal(s[0], 0);
    /* nothing to break */
    assert_int_equal(ctg_pdf_break_lines(pdf, "", 10.0, 0, 100.0, NULL, NULL, 0), 0);
    assert_int_equal(ctg_pdf_break_lines(pdf, "  \t\n ", 10.0, 0, 100.0, NULL, NULL, 0), 0);
    /* runs of blanks are one break */
    char *j = joined(pdf, "  un   deux\tcinq\n\nsix  ", 10.0, 1000.0);
    assert_string_equal(j, "un   deux\tcinq\n\nsix");
    free(j);
    ctg_pdf_free(pdf);
}

static void test_break_long_words(void **state)
{
    (void)state;
    ctg_pdf *pdf = new_doc();
    /* a word wider than the line: cut between characters, never inside one */
    static const char word[] = "Anticonstitutionnellement\xC3\xA9\xC3\xA9\xC5\x93\xC5\x93\xE2\x82\xAC"
                               "\xC3\xA9t\xC3\xA9";
    for (double width = 4.0; width <= 60.0; width += 3.5) {
        size_t *starts, *lens;
        size_t n = break_all(pdf, word, 10.0, 0, width, &starts, &lens);
        assert_true(n >= 2);
        size_t pos = 0;
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(starts[i], pos); /* no byte lost or repeated */
            pos += lens[i];
        }
        assert_int_equal(pos, strlen(word));
        free(starts);
        free(lens);
        check_lines(pdf, word, 10.0, width);
    }
    /* a width narrower than one character: one character a line */
    assert_int_equal(ctg_pdf_break_lines(pdf, "\xC3\xA9t\xC3\xA9", 10.0, 0, 1.0, NULL, NULL, 0), 3);
    /* an accent written as a combining mark stays with its letter */
    size_t s[4], l[4];
    assert_int_equal(ctg_pdf_break_lines(pdf, "e\xCC\x81t\xC3\xA9", 10.0, 0, 1.0, s, l, 4), 3);
    assert_int_equal(l[0], 3);

    /* a hyphenated word too wide breaks after the hyphen */
    const char *gg = "Gaillac-Graulhet";
    double w = ctg_pdf_text_width(pdf, 10.0, "Gaillac-Grau");
    size_t n = ctg_pdf_break_lines(pdf, gg, 10.0, 0, w, s, l, 4);
    assert_int_equal(n, 2);
    assert_int_equal(l[0], strlen("Gaillac-"));
    assert_int_equal(s[1], strlen("Gaillac-"));
    assert_int_equal(l[1], strlen("Graulhet"));
    /* ... also at the end of a line that has words */
    const char *sp = "\xC3\xA0 Saint-Sulpice-la-Pointe";
    w = ctg_pdf_text_width(pdf, 10.0, "\xC3\xA0 Saint-Sulpice-") + 0.5;
    n = ctg_pdf_break_lines(pdf, sp, 10.0, 0, w, s, l, 4);
    assert_int_equal(n, 2);
    assert_int_equal(l[0], strlen("\xC3\xA0 Saint-Sulpice-"));
    assert_string_equal(sp + s[1], "la-Pointe");
    /* a word that fits a line is moved whole, not hyphenated */
    const char *cc = "Communaut\xC3\xA9 de communes Gaillac-Graulhet";
    w = ctg_pdf_text_width(pdf, 10.0, "Communaut\xC3\xA9 de communes Gaillac-") + 0.5;
    n = ctg_pdf_break_lines(pdf, cc, 10.0, 0, w, s, l, 4);
    assert_int_equal(n, 2);
    assert_string_equal(cc + s[1], "Gaillac-Graulhet");
    /* the last hyphen that fits */
    const char *many = "Saint-Jean-de-Luz-sur-Mer";
    w = ctg_pdf_text_width(pdf, 10.0, "Saint-Jean-de-") + 0.5;
    n = ctg_pdf_break_lines(pdf, many, 10.0, 0, w, s, l, 4);
    assert_int_equal(n, 2);
    assert_int_equal(l[0], strlen("Saint-Jean-de-"));
    ctg_pdf_free(pdf);
}

/* Writes the test document to path: headings, paragraphs, an 80-row table
 * and a chart. *table_pages receives the number of pages the table spans. */
static void build_doc(const char *path, int *table_pages)
{
    ctg_error err;
    ctg_error_clear(&err);
    ctg_pdf *pdf = new_doc();
    assert_int_equal(ctg_pdf_page_count(pdf), 0);
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_TITLE, 0, "Diagnostic territorial", &err), CTG_OK);
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_SMALL, 0, "Sources : CAF, INSEE.", &err), CTG_OK);
    assert_int_equal(ctg_pdf_page_count(pdf), 1);

    /* a part starts a new page */
    assert_int_equal(ctg_pdf_heading(pdf, 0, "Acc\xC3\xA8s aux droits", &err), CTG_OK);
    assert_int_equal(ctg_pdf_page_count(pdf), 2);
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, SENTENCE, &err), CTG_OK);
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BOLD, 20.0, SENTENCE, &err), CTG_OK);
    assert_int_equal(ctg_pdf_space(pdf, 12.0, &err), CTG_OK);

    assert_int_equal(ctg_pdf_heading(pdf, 1, "Petite enfance et parentalit\xC3\xA9", &err), CTG_OK);
    static const ctg_pdf_column cols[] = {
        {"Commune", 0.40, 0},
        {"Allocataires", 0.20, 1},
        {"Taux de couverture (%)", 0.20, 1},
        {"Rang", 0.10, 1},
    };
    ctg_pdf_table *t = NULL;
    assert_int_equal(ctg_pdf_table_begin(pdf, cols, 4, &t, &err), CTG_OK);
    int first = ctg_pdf_page_count(pdf);
    for (int i = 0; i < 80; i++) {
        char name[128], count[32], rate[32], rank[16];
        if (i % 10 == 3)
            snprintf(name, sizeof name,
                     "Saint-Martin-de-l'\xC3\x89tang-et-Villeneuve-sur-Tarn-les-Coteaux %d", i);
        else
            snprintf(name, sizeof name, "B\xC3\xA9zi\xC3\xA8s-sur-Ta\xC3\xAFs %d", i);
        snprintf(count, sizeof count, "%d" NNBSP "%03d", 1 + i, (i * 37) % 1000);
        snprintf(rate, sizeof rate, "%d,%d" NNBSP "%%", 40 + i % 30, i % 10);
        snprintf(rank, sizeof rank, "%d", i + 1);
        const char *cells[4] = {name, count, rate, rank};
        assert_int_equal(ctg_pdf_table_row(t, cells, i == 79, &err), CTG_OK);
    }
    *table_pages = ctg_pdf_page_count(pdf) - first + 1;
    assert_int_equal(ctg_pdf_table_end(t, &err), CTG_OK);

    assert_int_equal(ctg_pdf_heading(pdf, 2, "\xC3\x89volution", &err), CTG_OK);
    double x0, y0, w;
    assert_int_equal(ctg_pdf_area(pdf, 150.0, &x0, &y0, &w, &err), CTG_OK);
    assert_true(w > 400.0 && y0 <= 841.89 && y0 - 150.0 >= 0.0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ctg_pdf_rect(pdf, x0 + 120.0, y0 - 20.0 - 25.0 * i, 60.0 * (i + 1), 15.0,
                                      0.25 + 0.1 * i, &err),
                         CTG_OK);
    assert_int_equal(ctg_pdf_line(pdf, x0 + 200.0, y0, x0 + 200.0, y0 - 140.0, 1.0, 0.0, 3.0, &err),
                     CTG_OK);
    assert_int_equal(ctg_pdf_line(pdf, x0 + 120.0, y0 - 140.0, x0 + w, y0 - 140.0, 0.5, 0.5, 0,
                                  &err),
                     CTG_OK);
    assert_int_equal(ctg_pdf_text_at(pdf, x0 + 115.0, y0 - 32.0, 8.0, 2, "L\xC3\xA9vis", &err), CTG_OK);
    assert_int_equal(ctg_pdf_text_at(pdf, x0 + 200.0, y0 - 150.0, 8.0, 1, "France", &err), CTG_OK);
    assert_int_equal(ctg_pdf_text_at(pdf, x0, y0 - 150.0, 8.0, 0, "0", &err), CTG_OK);

    assert_int_equal(ctg_pdf_heading(pdf, 0, "Annexes", &err), CTG_OK);
    assert_int_equal(ctg_pdf_heading(pdf, 1, "M\xC3\xA9thode", &err), CTG_OK);
    for (int i = 0; i < 40; i++) /* a long run of paragraphs: continued on new pages */
        assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, SENTENCE, &err), CTG_OK);
    assert_int_equal(ctg_pdf_keep(pdf, 2000.0, &err), CTG_OK); /* more than a page: new page */
    assert_int_equal(ctg_pdf_new_page(pdf, &err), CTG_OK);
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, "Fin.", &err), CTG_OK);
    int pages = ctg_pdf_page_count(pdf);

    assert_int_equal(ctg_pdf_save(pdf, path, &err), CTG_OK);
    assert_int_equal(ctg_pdf_page_count(pdf), pages);
    /* saved again: the same bytes; writing more is refused */
    char again[512];
    snprintf(again, sizeof again, "%s.again.pdf", path);
    assert_int_equal(ctg_pdf_save(pdf, again, &err), CTG_OK);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cmp -s '%s' '%s'", path, again);
    assert_int_equal(system(cmd), 0);
    unlink(again);
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, "trop tard", &err), CTG_ERR_INTERNAL);
    ctg_pdf_free(pdf);
}

/* The value of a "Key: value" line of pdfinfo output (static buffer). */
static const char *info_value(const char *info, const char *key)
{
    static char value[512];
    const char *p = strstr(info, key);
    assert_non_null(p);
    p += strlen(key);
    while (*p == ' ')
        p++;
    size_t n = strcspn(p, "\n");
    snprintf(value, sizeof value, "%.*s", (int)n, p);
    return value;
}

/* Checks that every word pdftotext -bbox finds lies inside the margins. */
static void check_inside_margins(const char *path)
{
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - 2>/dev/null", path);
    char *html = capture_ok(cmd);
    size_t words = 0;
    for (const char *p = strstr(html, "<word "); p; p = strstr(p + 1, "<word ")) {
        double x0 = -1, x1 = -1;
        const char *a = strstr(p, "xMin=\""), *b = strstr(p, "xMax=\"");
        assert_non_null(a);
        assert_non_null(b);
        x0 = strtod(a + 6, NULL);
        x1 = strtod(b + 6, NULL);
        if (x0 < 49.0 || x1 > 595.276 - 49.0)
            fail_msg("a word overflows the margins: %.80s", p);
        words++;
    }
    assert_true(words > 1000);
    free(html);
}

static void test_document(void **state)
{
    (void)state;
    char a[512], b[512], cmd[1400];
    snprintf(a, sizeof a, "%s/a.pdf", g_dir);
    snprintf(b, sizeof b, "%s/b.pdf", g_dir);
    int table_pages = 0, table_pages_b = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    build_doc(a, &table_pages);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    build_doc(b, &table_pages_b);
    assert_true(table_pages >= 2);
    assert_int_equal(table_pages, table_pages_b);

    /* reproducible */
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", a, b);
    assert_int_equal(system(cmd), 0);
    struct stat sb;
    assert_int_equal(stat(a, &sb), 0);
    printf("# test document: %lld bytes, built and saved in %.1f ms\n", (long long)sb.st_size,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    assert_true(sb.st_size < 400000); /* compressed, fonts subset */
    assert_int_equal(sb.st_mode & 0777, 0644);

    /* pages, title, no date */
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>/dev/null", a);
    char *info = capture_ok(cmd);
    int pages = atoi(info_value(info, "Pages:"));
    assert_true(pages >= 8);
    assert_string_equal(info_value(info, "Title:"), TITLE_TEXT);
    assert_string_equal(info_value(info, "Page size:"), "595.276 x 841.89 pts (A4)");
    assert_null(strstr(info, "CreationDate"));
    free(info);

    /* the text extracts exactly (pdftotext writes U+00A0 and U+202F as blanks,
     * as it does every Unicode white space; pdftohtml below keeps them) */
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - 2>/dev/null", a);
    char *text = capture_ok(cmd);
    assert_non_null(strstr(text, "Acc\xC3\xA8s aux droits"));
    assert_non_null(strstr(text, "Petite enfance et parentalit\xC3\xA9"));
    assert_non_null(strstr(text, "59,6 %"));
    assert_non_null(strstr(text, "l'\xC5\x93uvre"));
    assert_non_null(strstr(text, "\xC2\xAB petite enfance \xC2\xBB"));
    assert_non_null(strstr(text, "1 250 \xE2\x82\xAC"));
    assert_non_null(strstr(text, "B\xC3\xA9zi\xC3\xA8s-sur-Ta\xC3\xAFs 42"));
    assert_non_null(strstr(text, HEADER_TEXT));
    char label[64];
    snprintf(label, sizeof label, "page %d / %d", pages, pages);
    assert_non_null(strstr(text, label));
    assert_non_null(strstr(text, "page 1 / "));
    /* the table header is repeated on every page of the table */
    assert_int_equal(count_substr(text, "Allocataires"), (size_t)table_pages);
    assert_int_equal(count_substr(text, HEADER_TEXT), (size_t)pages);
    free(text);

    /* the bookmarks, nested, with their accents */
    snprintf(cmd, sizeof cmd, "pdftohtml -xml -i -stdout '%s' 2>/dev/null", a);
    char *xml = capture_ok(cmd);
    const char *o1 = strstr(xml, "<item page=\"2\">Acc\xC3\xA8s aux droits</item>");
    const char *o2 = strstr(xml, ">Petite enfance et parentalit\xC3\xA9</item>");
    const char *o3 = strstr(xml, ">\xC3\x89volution</item>");
    const char *o4 = strstr(xml, ">Annexes</item>");
    const char *o5 = strstr(xml, ">M\xC3\xA9thode</item>");
    assert_true(o1 && o2 && o3 && o4 && o5);
    assert_true(o1 < o2 && o2 < o3 && o3 < o4 && o4 < o5);
    /* nesting: an <outline> opens between a heading and its first child */
    assert_non_null(strstr(o1, "</item>\n<outline>\n<item page=\"2\">Petite enfance"));
    assert_int_equal(count_substr(xml, "<outline>"), 4);
    /* the no-break spaces are drawn as Windows-1252's no-break space, which
     * the PDF encoding (WinAnsi) names "space": extracted as blanks (pdf.h) */
    assert_non_null(strstr(xml, "59,6 %"));
    assert_non_null(strstr(xml, "\xC2\xAB petite enfance \xC2\xBB"));
    assert_non_null(strstr(xml, "1 250 \xE2\x82\xAC"));
    free(xml);

    /* every page renders; poppler's only complaint is libharu 2.3.0's ToUnicode map */
    snprintf(cmd, sizeof cmd, "pdftoppm -r 30 -png '%s' '%s/page' 2>'%s/ppm.err'", a, g_dir, g_dir);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd,
             "grep -v \"Invalid 'begincidrange' operator\" '%s/ppm.err' | grep -c -i error", g_dir);
    int status;
    char *errors = capture(cmd, &status);
    assert_int_equal(atoi(errors), 0);
    free(errors);
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c '^page-.*\\.png$'", g_dir);
    char *pngs = capture_ok(cmd);
    assert_int_equal(atoi(pngs), pages);
    free(pngs);

    check_inside_margins(a);

    /* French only: the simple fonts, no Unicode (CID) font opened */
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>/dev/null", a);
    char *fonts = capture_ok(cmd);
    assert_int_equal(count_substr(fonts, "TrueType"), 2);
    assert_null(strstr(fonts, "CID"));
    free(fonts);
}

/* Characters beyond Windows-1252 are drawn in the Unicode font, opened for
 * them, in their place in the line. */
static void test_unicode_fallback(void **state)
{
    (void)state;
    char path[512], cmd[1200];
    snprintf(path, sizeof path, "%s/unicode.pdf", g_dir);
    ctg_error err;
    ctg_error_clear(&err);
    ctg_pdf *pdf = new_doc();
    /* U+2265, U+2192, U+03A9 between French words and a U+202F */
    static const char LINE[] = "Seuil \xE2\x89\xA5 3 \xE2\x86\x92 \xCE\xA9 pour l'\xC5\x93uvre, "
                               "59,6" NNBSP "% des foyers";
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, LINE, &err), CTG_OK);
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BOLD, 0, "\xE2\x89\xA4 bold", &err), CTG_OK);
    /* a width that adds up, character by character */
    double w1 = ctg_pdf_text_width(pdf, 10.0, "a\xE2\x89\xA5");
    double w2 = ctg_pdf_text_width(pdf, 10.0, "a") + ctg_pdf_text_width(pdf, 10.0, "\xE2\x89\xA5");
    assert_true(w1 > 5.0);
    assert_true(fabs(w1 - w2) < 1e-9);
    assert_int_equal(ctg_pdf_save(pdf, path, &err), CTG_OK);
    ctg_pdf_free(pdf);

    snprintf(cmd, sizeof cmd, "pdftotext '%s' - 2>/dev/null", path);
    char *text = capture_ok(cmd);
    assert_non_null(strstr(text, "Seuil \xE2\x89\xA5 3 \xE2\x86\x92 \xCE\xA9 pour l'\xC5\x93uvre, 59,6 % des foyers"));
    assert_non_null(strstr(text, "\xE2\x89\xA4 bold"));
    free(text);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>/dev/null", path);
    char *fonts = capture_ok(cmd);
    assert_int_equal(count_substr(fonts, "CID TrueType"), 2); /* regular and bold */
    free(fonts);
}

/* The simple fonts come from the Windows-1252 subsets of DejaVu in
 * render/fonts: every character they draw measures as in the full DejaVu
 * files (which they fall back to when the subsets are missing), characters
 * beyond still measure through the full files, and a document embeds the
 * small subsets. */
static void test_subset_fonts(void **state)
{
    (void)state;
    char empty[512], path[600], cmd[3000];
    snprintf(empty, sizeof empty, "%s/no_subsets", g_dir);
    assert_int_equal(mkdir(empty, 0755), 0);
    ctg_pdf *sub = new_doc();
    setenv("CTG_SUBSET_FONT_DIR", empty, 1);
    ctg_pdf *full = new_doc();
    unsetenv("CTG_SUBSET_FONT_DIR");
    size_t compared = 0;
    for (long cp = 0x20; cp < 0x2300; cp++) {
        char u[4];
        size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
        if (n == 1) {
            u[0] = (char)cp;
        } else if (n == 2) {
            u[0] = (char)(0xC0 | (cp >> 6));
            u[1] = (char)(0x80 | (cp & 0x3F));
        } else {
            u[0] = (char)(0xE0 | (cp >> 12));
            u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            u[2] = (char)(0x80 | (cp & 0x3F));
        }
        if (cp >= 0x7F && cp < 0xA0)
            continue;
        /* Windows-1252's characters, U+202F, and a few others beyond */
        int wanted = cp < 0x180 || cp == 0x202F || cp == 0x2265 || cp == 0x2192 ||
                     cp == 0x03A9 || (cp >= 0x2010 && cp <= 0x2044) || cp == 0x20AC ||
                     cp == 0x2122 || cp == 0x02C6 || cp == 0x02DC;
        if (!wanted)
            continue;
        double a = width_of(sub, 10.0, u, n), b = width_of(full, 10.0, u, n);
        if (fabs(a - b) > 1e-9)
            print_error("U+%04lX: %g with the subset, %g with the full font\n", cp, a, b);
        assert_true(fabs(a - b) <= 1e-9);
        compared++;
    }
    assert_true(compared > 300);

    ctg_pdf_free(sub);
    ctg_pdf_free(full);

    /* a French page: the subsets embedded, a file a fraction of the size
     * (measuring beyond Windows-1252 opened the Unicode fonts above: fresh
     * documents here) */
    sub = new_doc();
    setenv("CTG_SUBSET_FONT_DIR", empty, 1);
    full = new_doc();
    unsetenv("CTG_SUBSET_FONT_DIR");
    ctg_error err;
    ctg_error_clear(&err);
    char small[600];
    snprintf(small, sizeof small, "%s/subset.pdf", g_dir);
    snprintf(path, sizeof path, "%s/full.pdf", g_dir);
    assert_int_equal(ctg_pdf_paragraph(sub, CTG_PDF_BODY, 0, SENTENCE, &err), CTG_OK);
    assert_int_equal(ctg_pdf_paragraph(full, CTG_PDF_BODY, 0, SENTENCE, &err), CTG_OK);
    assert_int_equal(ctg_pdf_paragraph(sub, CTG_PDF_BOLD, 0, "Synth\xC3\xA8se", &err), CTG_OK);
    assert_int_equal(ctg_pdf_paragraph(full, CTG_PDF_BOLD, 0, "Synth\xC3\xA8se", &err), CTG_OK);
    assert_int_equal(ctg_pdf_save(sub, small, &err), CTG_OK);
    assert_int_equal(ctg_pdf_save(full, path, &err), CTG_OK);
    ctg_pdf_free(sub);
    ctg_pdf_free(full);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>/dev/null", small);
    char *fonts = capture_ok(cmd);
    assert_int_equal(count_substr(fonts, "DejaVuSansCTGsubset"), 2);
    free(fonts);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>/dev/null", path);
    fonts = capture_ok(cmd);
    assert_int_equal(count_substr(fonts, "DejaVuSansCTGsubset"), 0);
    assert_int_equal(count_substr(fonts, "DejaVuSans"), 2);
    assert_null(strstr(fonts, "CID"));
    free(fonts);
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - | tr -s ' \n' ' ' > '%s.txt' && "
                              "pdftotext '%s' - | tr -s ' \n' ' ' | cmp -s - '%s.txt'",
             small, small, path, small);
    char *same = capture_ok(cmd); /* the same text either way */
    free(same);
    FILE *f = fopen(small, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long small_size = ftell(f);
    fclose(f);
    f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long full_size = ftell(f);
    fclose(f);
    if (small_size * 3 >= full_size)
        print_error("subset %ld bytes, full %ld bytes\n", small_size, full_size);
    assert_true(small_size * 3 < full_size);
}

static void test_date(void **state)
{
    (void)state;
    char a[512], b[512], cmd[1200];
    snprintf(a, sizeof a, "%s/dated-a.pdf", g_dir);
    snprintf(b, sizeof b, "%s/dated-b.pdf", g_dir);
    ctg_error err;
    for (int k = 0; k < 2; k++) {
        ctg_pdf *pdf = new_doc();
        assert_int_equal(ctg_pdf_set_date(pdf, 1700000000LL, &err), CTG_OK);
        assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, "Dat\xC3\xA9.", &err), CTG_OK);
        assert_int_equal(ctg_pdf_save(pdf, k ? b : a, &err), CTG_OK);
        ctg_pdf_free(pdf);
    }
    snprintf(cmd, sizeof cmd, "cmp '%s' '%s'", a, b);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "pdfinfo -isodates '%s' 2>/dev/null", a);
    char *info = capture_ok(cmd);
    assert_non_null(strstr(info, "2023-11-14T22:13:20"));
    free(info);

    ctg_pdf *pdf = new_doc();
    assert_int_equal(ctg_pdf_set_date(pdf, 1000000LL * 1000000LL * 1000LL, &err), CTG_ERR_DATA);
    ctg_pdf_free(pdf);
}

static void test_missing_fonts(void **state)
{
    (void)state;
    char dir[512], path[1600];
    snprintf(dir, sizeof dir, "%s/fonts", g_dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    setenv("CTG_FONT_DIR", dir, 1);
    ctg_pdf *pdf = (ctg_pdf *)1;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_pdf_new("t", "h", &pdf, &err), CTG_ERR_NOINPUT);
    assert_null(pdf);
    assert_non_null(strstr(err.path, "DejaVuSans.ttf"));
    assert_non_null(strstr(err.msg, "DejaVuSans.ttf"));
    assert_non_null(strstr(err.msg, "CTG_FONT_DIR"));

    /* the regular font there (a copy), the bold one missing */
    snprintf(path, sizeof path, "cp '%s/DejaVuSans.ttf' '%s/'", g_font_dir, dir);
    assert_int_equal(system(path), 0);
    ctg_error_clear(&err);
    assert_int_equal(ctg_pdf_new("t", "h", &pdf, &err), CTG_ERR_NOINPUT);
    assert_non_null(strstr(err.msg, "DejaVuSans-Bold.ttf"));
    if (g_font_env)
        setenv("CTG_FONT_DIR", g_font_dir, 1);
    else
        unsetenv("CTG_FONT_DIR");
}

/* The number of entries of g_dir whose name holds ".tmp-". */
static int temp_files(void)
{
    int n = 0;
    DIR *d = opendir(g_dir);
    assert_non_null(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (strstr(de->d_name, ".tmp-"))
            n++;
    closedir(d);
    return n;
}

static void test_save_errors(void **state)
{
    (void)state;
    char path[512];
    ctg_error err;

    /* a folder that does not exist */
    ctg_pdf *pdf = new_doc();
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, "x", &err), CTG_OK);
    snprintf(path, sizeof path, "%s/missing/out.pdf", g_dir);
    ctg_error_clear(&err);
    assert_int_equal(ctg_pdf_save(pdf, path, &err), CTG_ERR_CANTCREAT);
    assert_string_equal(err.path, path);
    assert_non_null(strstr(err.msg, "No such file or directory"));
    /* the document stays failed */
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, "y", &err), CTG_ERR_CANTCREAT);
    assert_int_equal(ctg_pdf_save(pdf, path, &err), CTG_ERR_CANTCREAT);
    ctg_pdf_free(pdf);

    /* a path that is a folder: written, then the rename fails; no temp file left */
    snprintf(path, sizeof path, "%s/a-folder", g_dir);
    assert_int_equal(mkdir(path, 0755), 0);
    pdf = new_doc();
    ctg_error_clear(&err);
    assert_int_equal(ctg_pdf_save(pdf, path, &err), CTG_ERR_CANTCREAT);
    assert_string_equal(err.path, path);
    assert_int_equal(temp_files(), 0);
    ctg_pdf_free(pdf);

    /* a document with nothing written still saves (one page) */
    snprintf(path, sizeof path, "%s/empty.pdf", g_dir);
    pdf = new_doc();
    assert_int_equal(ctg_pdf_save(pdf, path, &err), CTG_OK);
    assert_int_equal(ctg_pdf_page_count(pdf), 1);
    ctg_pdf_free(pdf);
    assert_int_equal(temp_files(), 0);
}

static void test_usage_errors(void **state)
{
    (void)state;
    ctg_error err;
    ctg_error_clear(&err);

    /* a libharu error becomes CTG_ERR_INTERNAL, and stays */
    ctg_pdf *pdf = new_doc();
    assert_int_equal(ctg_pdf_rect(pdf, 10, 10, 10, 10, 2.0, &err), CTG_ERR_INTERNAL);
    assert_non_null(strstr(err.msg, "libharu error 0x"));
    assert_non_null(strstr(err.msg, "rectangle"));
    ctg_error later;
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, "x", &later), CTG_ERR_INTERNAL);
    assert_string_equal(later.msg, err.msg);
    char path[512];
    snprintf(path, sizeof path, "%s/never.pdf", g_dir);
    assert_int_equal(ctg_pdf_save(pdf, path, &later), CTG_ERR_INTERNAL);
    assert_int_equal(access(path, F_OK), -1);
    ctg_pdf_free(pdf);

    /* bad UTF-8, bad levels, bad columns */
    pdf = new_doc();
    assert_int_equal(ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, "caf\xE9", &err), CTG_ERR_DATA);
    ctg_pdf_free(pdf);
    pdf = new_doc();
    assert_int_equal(ctg_pdf_heading(pdf, 3, "x", &err), CTG_ERR_INTERNAL);
    ctg_pdf_free(pdf);
    pdf = new_doc();
    static const ctg_pdf_column cols[] = {{"a", 0.7, 0}, {"b", 0.5, 1}};
    ctg_pdf_table *t = (ctg_pdf_table *)1;
    assert_int_equal(ctg_pdf_table_begin(pdf, cols, 2, &t, &err), CTG_ERR_INTERNAL);
    assert_null(t);
    ctg_pdf_free(pdf);
    ctg_pdf_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_break_sentence),
        cmocka_unit_test(test_break_long_words),
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_unicode_fallback),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_subset_fonts),
        cmocka_unit_test(test_missing_fonts),
        cmocka_unit_test(test_save_errors),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, testutil_teardown);
}
