/*
 * state.h - what each indicator was computed from, and what a recompute
 * changed (docs/operations.md, "What is redone").
 *
 * An indicator's fingerprint is the SHA-256 of: the ctgdiag version, the
 * geography year, every loaded file that is not observations (the
 * geography), the catalogue's lines of the indicator and of pop_total
 * (which weighs groups and gives coverage), and the files (name, sha256,
 * vintage, family definition) of every family these lines read. Equal
 * fingerprints mean equal values: `compute --incremental` recomputes only
 * the indicators whose fingerprint differs from indicator_state's.
 *
 * Changes: ctg_changes_before copies an indicator's values before it is
 * recomputed (a temporary table of the connection), ctg_changes_after
 * compares them with the new ones and writes rows of the `change` table,
 * in the caller's transaction.
 *
 * Ownership: ctg_state_open returns a handle freed with ctg_state_free; it
 * holds a summary of the files, not the warehouse.
 */
#ifndef CTG_STATE_H
#define CTG_STATE_H

#include "compute/catalogue.h"
#include "core/error.h"
#include "core/sha256.h"
#include "core/warehouse.h"

typedef struct ctg_state ctg_state;

/* Reads the digests of the loaded files, for fingerprints on geo_year. */
ctg_status ctg_state_open(ctg_warehouse *wh, int geo_year, ctg_state **out, ctg_error *err);

/* Frees the handle; s may be NULL. */
void ctg_state_free(ctg_state *s);

/* The fingerprint of indicator ind of cat, as 64 hex digits. */
void ctg_state_fingerprint(const ctg_state *s, const ctg_catalogue *cat, const ctg_indicator *ind,
                           char hex[CTG_SHA256_HEX_LEN + 1]);

/* The fingerprint stored for (geo_year, indicator), "" when none. */
ctg_status ctg_state_stored(ctg_warehouse *wh, int geo_year, const char *indicator,
                            char hex[CTG_SHA256_HEX_LEN + 1], ctg_error *err);

/* Stores the fingerprint an indicator was computed with (run_id 0: none). */
ctg_status ctg_state_store(ctg_warehouse *wh, int geo_year, const char *indicator,
                           const char *hex, long long run_id, ctg_error *err);

/* What counts as a change. */
typedef struct ctg_change_options {
    long long run_id;          /* the run the changes belong to (0: none) */
    double threshold_points;   /* a rate or share (unit % or ‰) moved by this many points */
    double threshold_percent;  /* another value moved by this share of itself, in % */
} ctg_change_options;

/* Keeps the values of indicator on geo_year before they are recomputed. */
ctg_status ctg_changes_before(ctg_warehouse *wh, int geo_year, const char *indicator,
                              ctg_error *err);

/* Writes the change rows of ind: years new and gone (one row each, with
 * the count of units), and values of a year present before and after that
 * changed status, appeared, went, or moved by the threshold or more. */
ctg_status ctg_changes_after(ctg_warehouse *wh, int geo_year, const ctg_indicator *ind,
                             const ctg_change_options *opt, ctg_error *err);

#endif
