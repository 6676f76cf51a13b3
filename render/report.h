/*
 * report.h - the diagnostic reports of a territory, organised by its CTG
 * action plan (plan.h): one PDF per axis (`DIR/<territory>-axe-<N>.pdf`) and
 * the complete diagnosis (`DIR/<territory>-diagnostic.pdf`: cover, every
 * axis, annexes), from the values `compute` wrote (results.h).
 *
 * For each axis: its objectives and actions as the plan writes them, each
 * action with the indicators that document it (or "aucun indicateur du
 * catalogue"); then for each indicator: its definition, the territory's
 * value beside its EPCI, département and France, its evolution, and the
 * table of the units compared (the communes of an EPCI or of a list; the
 * IRIS of a commune where data exist) with rank, quartile and flags.
 *
 * Ownership: the caller owns the warehouse, the catalogue and the plan.
 */
#ifndef CTG_RENDER_REPORT_H
#define CTG_RENDER_REPORT_H

#include "compute/catalogue.h"
#include "core/error.h"
#include "core/warehouse.h"
#include "render/plan.h"

typedef struct ctg_report_options {
    const char *territory;       /* LEVEL:CODE or communes:...; NULL: the plan's */
    const char *name;            /* the territory's name; NULL: the geography's */
    const char *year;            /* NULL: each indicator's latest year */
    int geo_year;                /* 0: the latest computed */
    const char *out_dir;         /* folder of the PDFs (created if missing) */
    long long date;              /* creation date (Unix time) of the PDFs; -1: none */
} ctg_report_options;

typedef struct ctg_report_result {
    int files;                   /* PDFs written */
    int pages;                   /* pages of the complete diagnosis */
    char stem[64];               /* the file names' territory part ("epci-200066124") */
} ctg_report_result;

/* Writes the reports (see above). CTG_ERR_USAGE for a territory the
 * geography lacks, CTG_ERR_NOINPUT when nothing was computed,
 * CTG_ERR_CANTCREAT when a PDF cannot be written (files already written
 * stay; none is half-written). */
ctg_status ctg_report_write(ctg_warehouse *wh, const ctg_catalogue *cat, const ctg_plan *plan,
                            const ctg_report_options *opt, ctg_report_result *res,
                            ctg_error *err);

#endif
