/*
 * ingest.h - the ingest stage: one CSV extract into the warehouse.
 *
 * ctg_ingest_file reads a file, recognises its family (schemas/families),
 * normalises it and loads it, with its provenance, in one transaction:
 * either the whole file is in the warehouse afterwards or nothing of it is
 * (product.md, "Bad input"). Rows that are bad alone go to the `reject`
 * table with their reason; the file loads unless they pass max_rejects_pct.
 *
 * Ownership: the caller owns the warehouse, the families and the result;
 * nothing returned needs freeing.
 */
#ifndef CTG_INGEST_H
#define CTG_INGEST_H

#include <stdio.h>

#include "core/error.h"
#include "core/warehouse.h"
#include "ingest/family.h"

/* What a load leaves to the next when files are ingested one after
 * another: the map of a file's units, emptied but keeping its memory, so
 * that the next file does not fault the same pages in again (a national
 * ingest faulted 122,054 pages with a new map per file, 4,827 with one kept).
 * Used by one load at a time; owned by the caller. */
typedef struct ctg_ingest_scratch ctg_ingest_scratch;

/* A new, empty scratch; NULL when out of memory (loads then do without). */
ctg_ingest_scratch *ctg_ingest_scratch_new(void);

/* Frees s and what it keeps; s may be NULL. */
void ctg_ingest_scratch_free(ctg_ingest_scratch *s);

typedef struct ctg_ingest_options {
    int dry_run;             /* do everything, then roll back */
    int strict;              /* any rejected row rejects the file */
    int replace;             /* a file colliding with a loaded one replaces it */
    double max_rejects_pct;  /* rejected rows above this share reject the file (default 5) */
    const char *schema_id;   /* force this family instead of recognising one; NULL */
    const char *vintage;     /* the file's year when nothing in it says; NULL */
    int geo_year;            /* the geography year of its codes; 0 = the family's rule */
    long long run_id;        /* the run this load belongs to; 0 = none */
    FILE *diag;              /* where row diagnostics go ("PATH:LINE: message"); NULL = none */
    int diag_limit;          /* at most this many row diagnostics per file */
    ctg_ingest_scratch *scratch; /* memory kept from file to file; NULL = none (the caller's) */
} ctg_ingest_options;

/* Fills *opt with the defaults of the command line. */
void ctg_ingest_options_init(ctg_ingest_options *opt);

typedef enum ctg_file_status {
    CTG_FILE_LOADED = 0,
    CTG_FILE_UNCHANGED,
    CTG_FILE_REJECTED
} ctg_file_status;

typedef struct ctg_ingest_result {
    ctg_file_status status;
    char family[64];         /* family id ("" when none was recognised) */
    char vintage[16];        /* "2021", "2021-12" ("" when unknown) */
    long rows;               /* data rows read */
    long loaded;             /* rows stored */
    long rejected;           /* rows rejected alone */
    long duplicates;         /* rows repeated byte for byte, stored once */
    long secret;             /* cells secret */
    char replaced[256];      /* name of the file this one replaced, "" if none */
} ctg_ingest_result;

/* Normalises a period: 2021, 2021-06, 202106, 06/2021, 2021-06-30 -> "2021"
 * or "2021-06". Returns 0 when the text is none of these. */
int ctg_period_normalise(const char *in, char out[16]);

/* Name of a file status: "loaded", "unchanged", "rejected". */
const char *ctg_file_status_name(ctg_file_status s);

/*
 * Ingests one file. Returns CTG_OK when it is loaded or unchanged (see
 * res->status); CTG_ERR_DATA when the file is rejected, with the reason in
 * *err and the warehouse exactly as it was; CTG_ERR_NOINPUT when it cannot
 * be read; CTG_ERR_CANTCREAT / CTG_ERR_LOCKED / CTG_ERR_DB when the warehouse
 * cannot take it (nothing of the file is kept then either).
 */
ctg_status ctg_ingest_file(ctg_warehouse *wh, const ctg_families *fams, const char *path,
                           const ctg_ingest_options *opt, ctg_ingest_result *res,
                           ctg_error *err);

#endif
