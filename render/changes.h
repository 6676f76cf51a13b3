/*
 * changes.h - the change report of `ctgdiag run` (the unattended monthly
 * refresh): what a refresh changed in the warehouse, read from the `change`
 * table (schemas/warehouse.sql), as a CSV file for scripts and spreadsheets
 * and as a PDF for the people who follow the territories.
 *
 * Both writers take the events whose id lies in [first_id, last_id], in id
 * order, whatever their `reported` flag: they only read the warehouse.
 * Setting `reported` = 1 is the caller's job, once both files are written,
 * so that a report that failed lists its events again next time.
 *
 * A unit's name comes from `geo_unit` (same level and code), from the latest
 * geography year that gives it a name; "" when none does.
 *
 * Both files are written atomically: to PATH.tmp-XXXXXX next to PATH,
 * synced, made readable by all (0644), then renamed into place. On any
 * failure the temporary file is removed and PATH is left as it was.
 *
 * Errors (core/error.h): CTG_ERR_CANTCREAT naming the path when the file
 * cannot be written (missing folder, full disk, PATH is a folder...);
 * CTG_ERR_DB when the warehouse cannot be read (a warehouse of schema
 * version 3 opened read-only has no `change` table); CTG_ERR_NOMEM.
 *
 * Ownership: the caller owns the warehouse and every string passed in;
 * nothing is kept after a call returns.
 */
#ifndef CTG_RENDER_CHANGES_H
#define CTG_RENDER_CHANGES_H

#include "core/error.h"
#include "core/warehouse.h"

/* The CSV header, one field per column of ctg_changes_csv_write. */
#define CTG_CHANGES_CSV_HEADER                                                                 \
    "run;kind;family;file;indicator;year;level;code;name;old_value;new_value;old_status;"      \
    "new_status;units;detail"

/* The most rows of the PDF's table of communes; the others are counted in a
 * sentence that sends the reader to the CSV. */
#define CTG_CHANGES_PDF_MAX_COMMUNE_ROWS 2000

/*
 * Writes the events first_id <= id <= last_id to path as UTF-8 CSV, ';'
 * separated, '\n' line ends: the header CTG_CHANGES_CSV_HEADER, then one
 * line per event in id order. `run` is the run id; `name` the unit's name
 * (see above); numbers as `export` writes them (up to 15 significant digits,
 * '.' as decimal mark, no "-0"); NULL is an empty field. A field holding
 * ';', '"', CR or LF is quoted, its quotes doubled. An empty range gives the
 * header alone. Atomic, errors: see above.
 */
ctg_status ctg_changes_csv_write(ctg_warehouse *wh, const char *path, long long first_id,
                                 long long last_id, ctg_error *err);

/*
 * Writes the events first_id <= id <= last_id to path as an A4 PDF in
 * French (render/pdf.h; the fonts must be found: CTG_ERR_NOINPUT
 * otherwise): `title` (e.g. "Changements — run 12", UTF-8) as the document
 * title and running header, a summary sentence with the counts (fichiers
 * chargés, remplacés, rejetés; années nouvelles, retirées; valeurs
 * modifiées, communes concernées; rapports réécrits), then the sections
 * "Fichiers" (statut, famille, période, fichier, détail), "Indicateurs"
 * (one line per indicator, year and kind of change: units of a new or
 * removed year, or units changed and the largest absolute move),
 * "Communes concernées" (the value changes of communes, by code, at most
 * CTG_CHANGES_PDF_MAX_COMMUNE_ROWS lines) and "Rapports réécrits"; an empty
 * section says so ("Aucun."). Numbers in French typography ("16 080" with
 * U+202F, decimal comma). Text from the warehouse that is not valid UTF-8
 * is shown with U+FFFD in place of the bad bytes. `date` is the document's
 * date (Unix time) or -1 for none, as in ctg_report_options: identical
 * calls give identical bytes. Atomic, errors: see above.
 */
ctg_status ctg_changes_pdf_write(ctg_warehouse *wh, const char *path, const char *title,
                                 long long first_id, long long last_id, long long date,
                                 ctg_error *err);

#endif
