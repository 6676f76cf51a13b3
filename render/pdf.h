/*
 * pdf.h - a small layout layer over libharu for the diagnostic reports: A4
 * pages with a running header (territory, vintage) and page numbers, an
 * embedded Unicode font (DejaVu Sans, regular and bold) so that French text
 * renders and extracts, paragraphs broken into lines by measured width,
 * headings with bookmarks, tables that break across pages with their header
 * repeated, and the drawing primitives charts are made of.
 *
 * Text is UTF-8 throughout (text that is not valid UTF-8 is CTG_ERR_DATA).
 * It is drawn in a simple font in Windows-1252 (all of French: « » œ € ‰,
 * typographic quotes and dashes), and only where a text holds another
 * character, in a Unicode (CID) font of the same face, which a document
 * opens only then: it is what makes a document slow to open and large.
 * U+202F, which Windows-1252 lacks, is drawn as U+00A0 narrowed to its
 * width: it looks the same. In the text layer (copy, search), both are
 * plain blanks, as the PDF encoding of U+00A0 (WinAnsi) has it.
 * The document keeps a cursor that goes down the text area of the last page
 * as it writes (A4, 50 pt side margins): a block that does not fit there
 * starts a new page. The drawing primitives take page coordinates: points
 * (1/72 inch) from the bottom-left of the page, inside an area reserved with
 * ctg_pdf_area.
 *
 * Reproducible: nothing depends on the clock. The document carries no date
 * unless ctg_pdf_set_date is called (with a date from the data or from
 * SOURCE_DATE_EPOCH); identical calls give byte-identical files.
 *
 * Errors: libharu's are caught and turned into a ctg_status (CTG_ERR_INTERNAL,
 * "libharu error 0xNNNN (detail N) while ..."); once a call failed, the
 * document stays failed and later calls return that status and message.
 *
 * Ownership: ctg_pdf_new returns a document the caller frees with
 * ctg_pdf_free; strings passed in are copied or used before the call
 * returns.
 */
#ifndef CTG_RENDER_PDF_H
#define CTG_RENDER_PDF_H

#include <stddef.h>

#include "core/error.h"

typedef struct ctg_pdf ctg_pdf;

/* Where the fonts are looked for when CTG_FONT_DIR is not set in the
 * environment: Debian's fonts-dejavu-core. */
#define CTG_PDF_FONT_DIR "/usr/share/fonts/truetype/dejavu"

/* A new A4 document, its fonts loaded (DejaVuSans.ttf and
 * DejaVuSans-Bold.ttf from $CTG_FONT_DIR or CTG_PDF_FONT_DIR: CTG_ERR_NOINPUT
 * naming the file when missing; their Windows-1252 subsets, which draw the
 * text that encoding holds, from $CTG_SUBSET_FONT_DIR or the build's
 * render/fonts, else the full files do). `header` is the running header printed at
 * the top of every page ("CA Gaillac-Graulhet · géographie 2022"); title is
 * the document's metadata title. No page exists until something is written. */
ctg_status ctg_pdf_new(const char *title, const char *header, ctg_pdf **out, ctg_error *err);

void ctg_pdf_free(ctg_pdf *pdf);

/* Sets the document's creation and modification dates from a Unix time
 * (SOURCE_DATE_EPOCH or a date from the data), written in UTC; CTG_ERR_DATA
 * for a year outside 1..9999. Without it the file has no date. */
ctg_status ctg_pdf_set_date(ctg_pdf *pdf, long long unix_time, ctg_error *err);

/* Starts a new page (the running header and the page number are drawn on
 * every page when the document is saved). */
ctg_status ctg_pdf_new_page(ctg_pdf *pdf, ctg_error *err);

/* The level of a heading: 0 a part (an axis: on a new page unless the page
 * is still empty; 16 pt bold), 1 a section (13 pt), 2 a subsection (11 pt).
 * A heading is kept with about three lines of text after it. Each heading
 * is a bookmark nested under the previous heading of a lower level; the
 * bookmark shows the page at the heading, fitted to the page width (libharu
 * 2.3.0 cannot write "keep the reader's zoom"). */
ctg_status ctg_pdf_heading(ctg_pdf *pdf, int level, const char *text, ctg_error *err);

/* Text styles. */
typedef enum ctg_pdf_style {
    CTG_PDF_BODY = 0,            /* 10 pt regular */
    CTG_PDF_BOLD,                /* 10 pt bold */
    CTG_PDF_SMALL,               /* 8 pt regular: notes, sources */
    CTG_PDF_TITLE                /* 20 pt bold: a cover title */
} ctg_pdf_style;

/* A paragraph: text broken into lines by ctg_pdf_break_lines to the width
 * of the text area minus `indent` points (0 to half the text width),
 * continued on new pages as needed, followed by a small space. */
ctg_status ctg_pdf_paragraph(ctg_pdf *pdf, ctg_pdf_style style, double indent, const char *text,
                             ctg_error *err);

/* Vertical space of `points`, or a new page when less than that is left. */
ctg_status ctg_pdf_space(ctg_pdf *pdf, double points, ctg_error *err);

/* Starts a new page unless `points` of height are left on this one (to keep
 * a block together). */
ctg_status ctg_pdf_keep(ctg_pdf *pdf, double points, ctg_error *err);

/* A table column: its header, its share of the text width (the shares of a
 * table add up to at most 1), and whether its cells are right-aligned
 * (numbers). */
typedef struct ctg_pdf_column {
    const char *header;
    double width;                /* share of the text width, 0..1 */
    int right;
} ctg_pdf_column;

/* A table being written: rows are added one by one; a row that does not fit
 * goes to a new page, under the header repeated. A cell's text (9 pt,
 * padded 3 pt) wraps inside its column and the row grows (a row taller than
 * a whole page would overflow its bottom margin); a row of bold cells with
 * `bold`. The header row is bold on a light grey ground; thin rules separate
 * the rows. A table must hold at least one column. cells has one string per
 * column (NULL is an empty cell). */
typedef struct ctg_pdf_table ctg_pdf_table;

ctg_status ctg_pdf_table_begin(ctg_pdf *pdf, const ctg_pdf_column *cols, size_t ncols,
                               ctg_pdf_table **out, ctg_error *err);
ctg_status ctg_pdf_table_row(ctg_pdf_table *t, const char *const *cells, int bold,
                             ctg_error *err);
/* Ends the table (and frees t). */
ctg_status ctg_pdf_table_end(ctg_pdf_table *t, ctg_error *err);

/* A drawing area of `height` points across the text width, reserved at the
 * current position (on a new page if it does not fit): *x0, *y0 receive its
 * top-left corner in page coordinates (points from the bottom-left, as
 * libharu draws), and *width its width. */
ctg_status ctg_pdf_area(ctg_pdf *pdf, double height, double *x0, double *y0, double *width,
                        ctg_error *err);

/* Drawing in page coordinates (inside an area): grey levels 0 (black) to 1
 * (white), readable in black-and-white print; a dashed line with dash > 0. */
ctg_status ctg_pdf_rect(ctg_pdf *pdf, double x, double y, double w, double h, double grey,
                        ctg_error *err);
ctg_status ctg_pdf_line(ctg_pdf *pdf, double x1, double y1, double x2, double y2, double width,
                        double grey, double dash, ctg_error *err);
/* Text at (x, y) (its baseline), in `size` points, aligned left (0), centred
 * (1) or right (2) on x. */
ctg_status ctg_pdf_text_at(ctg_pdf *pdf, double x, double y, double size, int align,
                           const char *text, ctg_error *err);

/* The width of text in `size` points of the regular font (0 for NULL). */
double ctg_pdf_text_width(ctg_pdf *pdf, double size, const char *text);

/*
 * Breaks text into lines no wider than `width` points in `size` points of
 * the regular font (bold when `bold`): the line breaker of paragraphs and
 * cells, exposed for tests. Fills starts[i] / lens[i] (byte offsets into
 * text) for up to max lines and returns the number of lines needed (which
 * may exceed max; starts and lens may be NULL with max 0, to count). Lines
 * hold no blank at either end. Breaks at blanks (ASCII space, tab, CR, LF;
 * a run of them is one break, drawn as one space), never at U+00A0 or
 * U+202F ("59,6 %" stays whole); a word wider than the whole line breaks
 * after its last hyphen that fits (on the current line, else on a new one),
 * else is cut between two UTF-8 characters (a combining accent stays with
 * its letter); a character wider than the line gets a line of its own.
 */
size_t ctg_pdf_break_lines(ctg_pdf *pdf, const char *text, double size, int bold, double width,
                           size_t *starts, size_t *lens, size_t max);

/* Writes the document to path through a temporary file PATH.tmp-XXXXXX
 * renamed into place (no reader sees half a PDF; mode 0644, synced):
 * CTG_ERR_CANTCREAT naming the path when it cannot be written (the
 * temporary file is removed). The first save draws the running header and
 * "page N / M" on every page (a document with nothing written gets one
 * empty page): the page count is then final, the document can be saved
 * again (same bytes) but no longer written to (CTG_ERR_INTERNAL). */
ctg_status ctg_pdf_save(ctg_pdf *pdf, const char *path, ctg_error *err);

/* The number of pages so far. */
int ctg_pdf_page_count(const ctg_pdf *pdf);

#endif
