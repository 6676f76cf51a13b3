/*
 * stats.h - the statistics an analyst reads beside a figure (GSL underneath):
 * the distribution of an indicator over the communes of a territory, each
 * commune's place in it, a proportion's Wilson interval, the trend of a
 * yearly series, and the split of a growth rate into its natural and
 * migration parts (../shared/docs/indicators.md, "Statistics across
 * communes", "Population dynamics").
 *
 * Every function checks its arguments before GSL sees them (GSL returns NaN
 * or loops on some degenerate inputs, engineering.md) and says what it could
 * not compute by a NaN field or an error, never by a made-up number.
 * ctg_stats_init installs a GSL error handler that does not abort the
 * process; call it once at start-up, before any other function here.
 *
 * Ownership: plain values; inputs are read, never kept or modified.
 */
#ifndef CTG_STATS_H
#define CTG_STATS_H

#include <stddef.h>

#include "core/error.h"

/* Replaces GSL's default error handler (which aborts) by one that lets the
 * failing call return its error code. Idempotent. */
void ctg_stats_init(void);

/* The distribution of a set of values. Quantiles are R's type 7 (GSL's
 * gsl_stats_quantile_from_sorted_data on a sorted copy). */
typedef struct ctg_distribution {
    size_t n;              /* values used (NaN and infinite ones are skipped) */
    double min, q1, median, q3, max;
    double mean;
    double sd;             /* sample standard deviation (n - 1); NaN when n < 2 */
    double low_fence;      /* q1 - 1.5 IQR */
    double high_fence;     /* q3 + 1.5 IQR */
} ctg_distribution;

/*
 * Fills d with the distribution of values[0..n), NaN entries skipped. With no
 * value left, d->n is 0 and every other field NaN. CTG_ERR_NOMEM when the
 * sorted copy cannot be made. Infinite entries are skipped like NaN ones (an
 * infinity would turn the quantiles into NaN).
 */
ctg_status ctg_distribution_of(const double *values, size_t n, ctg_distribution *d,
                               ctg_error *err);

/* Where one value stands in a set. */
typedef struct ctg_position {
    int rank;              /* 1 = the highest value; equal values share the best
                            * rank ("1, 2, 2, 4"); 0 for a NaN (or infinite)
                            * value */
    int quartile;          /* 1 (value <= q1), 2 (<= median), 3 (<= q3), 4; 0 for
                            * NaN (or infinite) */
    double z;              /* (value - mean) / sd; NaN when sd is NaN or 0 */
    int outlier;           /* -1 below the low fence, +1 above the high fence, 0 */
} ctg_position;

/*
 * Fills pos[0..n) with the position of each of values[0..n) within the set
 * itself, whose distribution d was computed by ctg_distribution_of on the
 * same values. CTG_ERR_NOMEM when scratch memory is lacking; CTG_ERR_INTERNAL
 * when d->n is not the number of usable values (d is not of this set).
 */
ctg_status ctg_positions_of(const double *values, size_t n, const ctg_distribution *d,
                            ctg_position *pos, ctg_error *err);

/*
 * The Wilson score interval at confidence `level` (0.95) for `successes`
 * out of `trials`: [*lo, *hi] within [0, 1]. 12 / 40 gives [0.1807, 0.4543],
 * 0 / 50 gives [0, 0.0713]. CTG_ERR_USAGE (with a message) when trials <= 0,
 * successes < 0 or > trials, a count that is not finite, or level not in
 * (0, 1).
 */
ctg_status ctg_wilson(double successes, double trials, double level, double *lo, double *hi,
                      ctg_error *err);

/* A least-squares line y = intercept + slope x. */
typedef struct ctg_trend {
    size_t n;              /* points used (pairs with a NaN or infinite value
                            * are skipped) */
    double slope, intercept;
    double se;             /* standard error of the slope; NaN when n < 3 */
    double t;              /* slope / se; NaN when se is NaN or 0 */
    double p;              /* two-sided p-value of slope = 0 (Student, n - 2
                            * degrees of freedom); NaN when t is NaN; 0 when the
                            * points lie exactly on a line that is not flat */
    int significant;       /* p < 0.05 */
} ctg_trend;

/*
 * Fits a trend through (x[i], y[i]), i < n. Fewer than 2 usable points, or
 * all x equal, leave slope and the rest NaN and return CTG_OK with t->n set:
 * "no trend" is an answer, not an error. CTG_ERR_NOMEM when the copy of the
 * usable points cannot be made.
 */
ctg_status ctg_trend_fit(const double *x, const double *y, size_t n, ctg_trend *t,
                         ctg_error *err);

/* A yearly growth rate and its split (fractions a year, not percent). */
typedef struct ctg_growth {
    double tcam;           /* (end / start)^(1 / years) - 1 */
    double natural;        /* natural_balance x tcam / (end - start) */
    double migration;      /* tcam - natural */
} ctg_growth;

/*
 * TCAM of a population going from `start` to `end` over `years`, split by
 * the natural balance (births - deaths over the period) and the apparent
 * migration balance (the rest). 1000 -> 1100 over 6 years with 80 births
 * and 50 deaths: 1.6012 %, natural 0.4804 %, migration 1.1208 %. When
 * end == start the split is not defined: natural and migration are NaN (the
 * tcam is 0). CTG_ERR_USAGE when start or end is not > 0, years not > 0, or
 * a value is not finite.
 */
ctg_status ctg_growth_split(double start, double end, double years, double natural_balance,
                            ctg_growth *g, ctg_error *err);

#endif
