/*
 * geo.h - internal to compute/: the geography of one year in memory: its
 * communes and arrondissements (the units values are attached to), the
 * groups they form (EPCI, département, région, France), and how a code of
 * another year is placed: a delegated or associated commune goes to the
 * commune it belongs to; a code of an older geography goes where the
 * passage tables loaded between its year and this one send it (merges
 * whole, splits by their population ratio).
 *
 * Ownership: ctg_geo_load returns a geography the caller frees with
 * ctg_geo_free.
 */
#ifndef CTG_COMPUTE_GEO_H
#define CTG_COMPUTE_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/geocode.h"
#include "core/warehouse.h"

/* A unit: a commune, an arrondissement or an IRIS (in that order). */
typedef struct ctg_unit {
    ctg_level level;             /* commune, arm or iris */
    char code[CTG_CODE_MAX];
    char epci[CTG_CODE_MAX];     /* "" when in no EPCI */
    char dep[4];
    char reg[4];
    int parent;                  /* arrondissement: index of its commune; IRIS: of its
                                  * commune or arrondissement; -1 for a commune */
} ctg_unit;

/* A group of communes at one level. */
typedef struct ctg_group {
    ctg_level level;             /* epci, dep, reg or fr */
    char code[CTG_CODE_MAX];
    int *members;                /* indexes of its communes */
    size_t n;
} ctg_group;

/* Where a code of an older geography goes: one destination (a code may
 * have several, a split). */
typedef struct ctg_carry {
    int year;                    /* the geography year of the code */
    char code[CTG_CODE_MAX];
    int unit;                    /* destination unit; -1 when this geography lacks it */
    double ratio;                /* share of the code's value (1 for a merge) */
} ctg_carry;

typedef struct ctg_geo {
    int year;
    ctg_unit *units;
    size_t n;                    /* communes, arrondissements and IRIS */
    size_t ncommunes;            /* units[0..ncommunes) are the communes */
    size_t nmain;                /* units[ncommunes..nmain) the arrondissements,
                                  * units[nmain..n) the IRIS */
    int iris_year;               /* the year of the IRIS list used (0 none) */
    ctg_group *groups;           /* every EPCI, département, région, and France */
    size_t ngroups;
    /* lookups, sorted by code */
    struct ctg_geo_key { char code[CTG_CODE_MAX]; int unit; } *keys, *merges;
    size_t nkeys, nmerges;
    uint32_t *key_index;         /* hash index of keys: position + 1, 0 = empty */
    size_t key_index_mask;       /* its slots - 1 (a power of two, at least 2 x nkeys) */
    ctg_carry *carries;          /* sorted by year, code */
    size_t ncarries;
} ctg_geo;

/* Loads the geography of year (COG communes, table d'appartenance) and
 * writes its geo_unit rows (inside the caller's transaction). */
ctg_status ctg_geo_load(ctg_warehouse *wh, int year, ctg_geo **out, ctg_error *err);

void ctg_geo_free(ctg_geo *g);

/* The unit of a commune, arrondissement or IRIS code of this year; -1 if
 * none. */
int ctg_geo_find(const ctg_geo *g, const char *code);

/* The commune an old code (delegated, associated commune) now belongs to;
 * -1 if none. */
int ctg_geo_merged(const ctg_geo *g, const char *code);

/* The destinations of a code of geography year `year` (< this one) through
 * the passage tables: *first and *n; n = 0 when the tables leave it as it is
 * (then it is placed by its code). */
void ctg_geo_carry(const ctg_geo *g, int year, const char *code, const ctg_carry **first,
                   size_t *n);

#endif
