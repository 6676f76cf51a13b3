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
 * Ownership: the caller owns the warehouse and the catalogue.
 */
#ifndef CTG_COMPUTE_H
#define CTG_COMPUTE_H

#include <stdio.h>

#include "compute/catalogue.h"
#include "core/error.h"
#include "core/warehouse.h"

typedef struct ctg_compute_options {
    int geo_year;            /* geography vintage; 0 = the latest loaded */
    const char *year;        /* compute this year only ("2021"); NULL = every year */
    FILE *diag;              /* notes on what could not be computed; NULL = none */
} ctg_compute_options;

typedef struct ctg_compute_result {
    int geo_year;            /* the vintage used */
    long indicators;         /* indicator ids computed for at least one year */
    long years;              /* (indicator, year) pairs computed */
    long values;             /* rows written */
    long unmapped;           /* input rows whose code the geography could not place */
} ctg_compute_result;

/* Computes every indicator of the catalogue (see above). */
ctg_status ctg_compute(ctg_warehouse *wh, const ctg_catalogue *cat,
                       const ctg_compute_options *opt, ctg_compute_result *res, ctg_error *err);

/* The latest geography year loaded (COG or table d'appartenance), 0 if none. */
int ctg_latest_geo_year(ctg_warehouse *wh);

#endif
