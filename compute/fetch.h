/*
 * fetch.h - internal to compute/: the values of one variable of one family
 * for one period, placed on the units of a geography (ctg_geo): a commune
 * row goes to its commune, an arrondissement row to itself and, added up, to
 * its commune when the file has no row for that commune, an IRIS row added
 * up into its commune, a delegated or associated commune into the commune
 * it belongs to, a code of an older geography where the passage tables send
 * it (its share of a split marks the cell approx). The most recent file of
 * the family that gives a unit wins.
 *
 * A cell says what is known of a unit: its value (the sum of its known
 * parts), and its status.
 */
#ifndef CTG_COMPUTE_FETCH_H
#define CTG_COMPUTE_FETCH_H

#include <sqlite3.h>

#include "compute/geo.h"
#include "core/buf.h"
#include "core/error.h"
#include "core/warehouse.h"

/* Statuses of a cell, by increasing severity (combining keeps the worst). */
typedef enum cell_status {
    CS_OK = 0,       /* the value is the unit's */
    CS_PARTIAL,      /* the value sums the parts known; cov says how much is known */
    CS_ABSENT,       /* no file gives this unit */
    CS_MISSING,      /* given as missing */
    CS_SECRET        /* given as secret */
} cell_status;

/* Parts met while placing rows: counts and the sum of the known ones. */
typedef struct part_sum {
    double v;
    double hw;                /* the most the known parts may be off: for each count a
                               * producer rounded, half its step in whole units (2 for 5) */
    int parts, known, secret;
} part_sum;

typedef struct cell {
    double v;                 /* the value, or the sum of the known parts */
    double cov;               /* share of the parts known (1 when ok) */
    double hw;                /* half-width of the rounding: |true - v| <= hw */
    unsigned char st;         /* a cell_status */
    unsigned char approx;     /* part of it was carried by a population ratio (a split) */
} cell;

/* A figure a file gives for a group (producer's own: an EPCI, a département,
 * a région, France). */
typedef struct group_figure {
    char level[8];
    char code[16];
    double v;
    unsigned char st;
} group_figure;

typedef struct fetch_info {
    int any;                  /* some unit got a value, missing or secret */
    int rounded;              /* a file used rounds its counts */
    long unmapped;            /* rows whose code the geography cannot place */
    ctg_buf unmapped_deps;    /* ";19;25;": their départements */
    ctg_buf files;            /* "12,15": the files used */
    group_figure *groups;     /* producer figures for groups */
    size_t ngroups;
} fetch_info;

/* Clears info for a new fetch (keeps its buffers). */
void ctg_fetch_info_reset(fetch_info *info);

/* Frees what info holds. */
void ctg_fetch_info_free(fetch_info *info);

/*
 * Places the values of family:variable for period on the units of g:
 * cells[0..g->n) (initialised here) and info. The period is compared as
 * written ("2021", "2021-12", "2013-2018").
 */
ctg_status ctg_fetch(ctg_warehouse *wh, const ctg_geo *g, const char *family,
                     const char *variable, const char *period, cell *cells, fetch_info *info,
                     ctg_error *err);

/* The periods family:variable has in the warehouse, sorted, into list (a
 * NUL-separated sequence; *n receives how many). */
ctg_status ctg_fetch_periods(ctg_warehouse *wh, const char *family, const char *variable,
                             ctg_buf *list, size_t *n, ctg_error *err);

/*
 * A cache of fetches and periods for one compute run: the same input serves
 * many indicators and years (the population, the main residences...). It
 * keeps the finished cells of the last fetches (a bounded number) and every
 * list of periods asked for.
 */
typedef struct ctg_fetch_cache ctg_fetch_cache;

/* A cache keeping the results of up to `entries` fetches. NULL when out of
 * memory. */
ctg_fetch_cache *ctg_fetch_cache_new(const ctg_geo *g, size_t entries);

void ctg_fetch_cache_free(ctg_fetch_cache *c);

/* ctg_fetch through the cache. */
ctg_status ctg_fetch_cached(ctg_fetch_cache *c, ctg_warehouse *wh, const char *family,
                            const char *variable, const char *period, cell *cells,
                            fetch_info *info, ctg_error *err);

/* ctg_fetch_periods through the cache: *list points into the cache (valid
 * until it is freed). */
ctg_status ctg_fetch_periods_cached(ctg_fetch_cache *c, ctg_warehouse *wh, const char *family,
                                    const char *variable, const char **list, size_t *n,
                                    ctg_error *err);

#endif
