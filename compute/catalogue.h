/*
 * catalogue.h - the indicator catalogue, read from schemas/indicators.csv
 * (docs/indicators.md describes the file for analysts).
 *
 * One line per source alternative of an indicator: lines sharing an id are
 * tried in rank order. An alternative names its inputs as sums of terms
 * `family:variable`, with an optional period offset (`@-5`), range
 * (`@-4..0`) or span (`@span:-5..0`, the one period written `2013-2018`),
 * and says how groups aggregate them.
 *
 * Ownership: ctg_catalogue_load returns a catalogue the caller frees with
 * ctg_catalogue_free; every pointer inside lives as long as it.
 */
#ifndef CTG_CATALOGUE_H
#define CTG_CATALOGUE_H

#include <stddef.h>

#include "core/error.h"

#define CTG_NAME_MAX 64

/* One input: a family's variable, at the indicator's period shifted by
 * from..to years (both 0 for the same period; a range is summed). A span
 * term (`@span:FROM..TO`) is one period instead, written `YYYY-YYYY` from
 * the indicator's year + from to its year + to (`@span:-5..0` of 2018 is
 * `2013-2018`, the comparateur's NAIS1318). */
typedef struct ctg_term {
    char family[CTG_NAME_MAX];
    char variable[CTG_NAME_MAX];
    int from, to;         /* period offsets in years, from <= to (span: from < to) */
    int span;             /* 1: the single period "year+from-year+to" */
} ctg_term;

/* A sum of terms. */
typedef struct ctg_sum {
    ctg_term *terms;
    size_t n;
} ctg_sum;

typedef enum ctg_aggregation {
    CTG_AGG_SUM = 0,      /* a count: groups add it up */
    CTG_AGG_RATIO,        /* scale x sum of numerators / sum of denominators */
    CTG_AGG_PUBLISHED,    /* the producer's rate: not re-aggregable */
    CTG_AGG_GROWTH,       /* 100 x ((sum num / sum den)^(1/years) - 1), % a year */
    CTG_AGG_POINT_MORT,   /* the point-mort method, from named inputs: point_mort:PART */
    CTG_AGG_GROWTH_NATURAL,   /* scale x the natural part of the growth rate: growth_natural:N */
    CTG_AGG_GROWTH_MIGRATION  /* scale x the migration part: growth_migration:N */
} ctg_aggregation;

/* The components of the point-mort method a line asks for
 * (aggregation point_mort:total, :renouvellement, :rslv, :desserrement,
 * :effet_demographique); each is a yearly figure, the total over the census
 * interval divided by its 5 years. */
typedef enum ctg_point_mort_part {
    CTG_PM_TOTAL = 0,     /* point mort */
    CTG_PM_RENOUVELLEMENT,
    CTG_PM_RSLV,
    CTG_PM_DESSERREMENT,
    CTG_PM_EFFET_DEMO
} ctg_point_mort_part;

/* The named inputs of the point-mort method. */
enum { CTG_PM_LOG, CTG_PM_RP, CTG_PM_RSLV_STOCK, CTG_PM_PMEN, CTG_PM_BUILT, CTG_PM_INPUTS };

/* The named inputs of the growth split (growth_natural:N, growth_migration:N):
 * population at the end and at the start of the N years, births and deaths
 * in between. */
enum { CTG_GS_END, CTG_GS_START, CTG_GS_BIRTHS, CTG_GS_DEATHS, CTG_GS_INPUTS };

typedef struct ctg_source {
    int rank;
    ctg_sum num, den, weight;
    ctg_aggregation agg;
    int years;            /* growth, growth split: the number of years */
    int approx;           /* this alternative approximates the definition */
    ctg_sum pm[CTG_PM_INPUTS];     /* point mort: its named inputs */
    ctg_point_mort_part pm_part;
    ctg_sum gs[CTG_GS_INPUTS];     /* growth split: its named inputs */
    char *definition;     /* what this alternative computes, in French */
    long line;            /* line in the catalogue file */
} ctg_source;

typedef struct ctg_indicator {
    char *id, *label, *unit, *axis;
    char *definition;     /* the first alternative's; each has its own */
    double scale;
    ctg_source *alts;     /* in rank order */
    size_t nalts;
} ctg_indicator;

/* How many sums an alternative has: numerator, denominator, weight, the
 * point-mort inputs and the growth-split inputs. */
#define CTG_SOURCE_SUMS (3 + CTG_PM_INPUTS + CTG_GS_INPUTS)

/* Every sum of src, in a fixed order, into out (some may be empty). */
void ctg_source_sums(const ctg_source *src, const ctg_sum *out[CTG_SOURCE_SUMS]);

typedef struct ctg_catalogue ctg_catalogue;

/* Reads the catalogue at path. A malformed line is CTG_ERR_SCHEMA naming it. */
ctg_status ctg_catalogue_load(const char *path, ctg_catalogue **out, ctg_error *err);

/* Frees the catalogue; cat may be NULL. */
void ctg_catalogue_free(ctg_catalogue *cat);

/* Number of indicators and indicator i, in the order of the file. */
size_t ctg_catalogue_count(const ctg_catalogue *cat);
const ctg_indicator *ctg_catalogue_at(const ctg_catalogue *cat, size_t i);

/* The indicator with this id, or NULL. */
const ctg_indicator *ctg_catalogue_find(const ctg_catalogue *cat, const char *id);

/* Name of an aggregation ("sum", "ratio", "published", "growth", "point_mort",
 * "growth_natural", "growth_migration"). */
const char *ctg_aggregation_name(ctg_aggregation a);

/* Writes a sum of terms back as the catalogue writes it. */
void ctg_sum_format(const ctg_sum *s, char *buf, size_t size);

#endif
