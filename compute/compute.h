/*
 * compute.h - the compute stage: indicators per commune, arrondissement and
 * group (EPCI, département, région, France) from the observations of the
 * warehouse and the catalogue (schemas/indicators.csv), on one geography
 * vintage.
 *
 * ctg_compute writes, in one transaction, the table geo_unit (the units of
 * the geography year and their parents) and indicator_value (one row per
 * indicator, year, unit: value, status, coverage, flags, sources, and for
 * communes the sums groups add up) for that geography year, replacing what
 * an earlier compute wrote for it. Groups aggregate their communes by ratio
 * of sums (docs/indicators.md); a territory that is a list of communes is
 * aggregated the same way by ctg_aggregate_members.
 *
 * Every indicator computed gets its fingerprint in indicator_state (state.h)
 * in the same transaction. With `incremental`, the indicators whose
 * fingerprint is unchanged are left as they are, and nothing is written at
 * all when every one is; with `changes`, what moved is written to `change`
 * in the same transaction too, so a run killed at any instant leaves values,
 * fingerprints and changes consistent. A compute of one year forgets every
 * fingerprint of the geography year (the next incremental compute redoes all).
 *
 * Ownership: the caller owns the warehouse and the catalogue.
 */
#ifndef CTG_COMPUTE_H
#define CTG_COMPUTE_H

#include <stdio.h>

#include "compute/catalogue.h"
#include "compute/state.h"
#include "core/error.h"
#include "core/warehouse.h"

typedef struct ctg_compute_options {
    int geo_year;            /* geography vintage; 0 = the latest loaded */
    const char *year;        /* compute this year only ("2021"); NULL = every year */
    FILE *diag;              /* notes on what could not be computed; NULL = none */
    int incremental;         /* only the indicators whose fingerprint changed (state.h) */
    long long run_id;        /* the run that computes (indicator_state.run_id); 0 = none */
    const ctg_change_options *changes;  /* write the `change` rows of what moved; NULL = none */
} ctg_compute_options;

typedef struct ctg_compute_result {
    int geo_year;            /* the vintage used */
    long indicators;         /* indicator ids computed for at least one year */
    long years;              /* (indicator, year) pairs computed */
    long values;             /* rows written */
    long unmapped;           /* input rows whose code the geography could not place */
    long up_to_date;         /* incremental: indicators left as they were */
    long changes;            /* rows written to `change` */
} ctg_compute_result;

/* Computes every indicator of the catalogue (see above). */
ctg_status ctg_compute(ctg_warehouse *wh, const ctg_catalogue *cat,
                       const ctg_compute_options *opt, ctg_compute_result *res, ctg_error *err);

/* The latest geography year loaded (COG or table d'appartenance), 0 if none. */
int ctg_latest_geo_year(ctg_warehouse *wh);

#endif
