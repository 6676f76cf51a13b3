/* stats.c - distribution, positions, Wilson interval, trend and growth split
 * over GSL (stats.h). Arguments are checked here, before GSL sees them. */
#include "compute/stats.h"

#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

/* Significance threshold of ctg_trend.significant. */
#define CTG_TREND_ALPHA 0.05

/* GSL's error handler: does nothing, so that the failing GSL call returns
 * its error code (or a NaN) to its caller instead of aborting. Nothing is
 * recorded: that would need global mutable state, and every caller here
 * checks its arguments first, so the handler should never fire. */
static void ignore_gsl_error(const char *reason, const char *file, int line, int gsl_errno)
{
    (void)reason;
    (void)file;
    (void)line;
    (void)gsl_errno;
}

/*
 * GSL keeps its error handler in one process-wide variable, and its default
 * handler aborts the process: a degenerate input must never kill ctgdiag
 * (which reports failures by exit codes). This is the one process-wide
 * setting of the module; set it once at start-up, before any thread may call
 * GSL (the variable is not synchronised). Setting the same handler again is
 * harmless, so the function is idempotent.
 */
void ctg_stats_init(void)
{
    gsl_set_error_handler(ignore_gsl_error);
}

/* ------------------------------------------------------------ distribution */

/* Values that take part in a statistic: NaN (and infinite) ones do not. */
static int usable(double v)
{
    return isfinite(v);
}

/* A distribution of nothing: n 0, every other field NaN. */
static void distribution_empty(ctg_distribution *d)
{
    d->n = 0;
    d->min = d->q1 = d->median = d->q3 = d->max = NAN;
    d->mean = d->sd = NAN;
    d->low_fence = d->high_fence = NAN;
}

/* Copies the usable values[0..n) into a new array sorted ascending: *out
 * (NULL when there is none, free() it otherwise) and their count *m. */
static ctg_status sorted_usable_copy(const double *values, size_t n, double **out, size_t *m,
                                     ctg_error *err)
{
    size_t count = 0;
    *out = NULL;
    *m = 0;
    for (size_t i = 0; i < n; i++)
        count += usable(values[i]) ? 1 : 0;
    if (count == 0)
        return CTG_OK;
    if (count > SIZE_MAX / sizeof(double))
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    double *s = malloc(count * sizeof *s);
    if (!s)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (usable(values[i]))
            s[k++] = values[i];
    gsl_sort(s, 1, count);
    *out = s;
    *m = count;
    return CTG_OK;
}

/* Fills d from the m >= 1 sorted values s. */
static void distribution_from_sorted(const double *s, size_t m, ctg_distribution *d)
{
    d->n = m;
    d->min = s[0];
    d->max = s[m - 1];
    d->q1 = gsl_stats_quantile_from_sorted_data(s, 1, m, 0.25);
    d->median = gsl_stats_quantile_from_sorted_data(s, 1, m, 0.50);
    d->q3 = gsl_stats_quantile_from_sorted_data(s, 1, m, 0.75);
    d->mean = gsl_stats_mean(s, 1, m);
    /* GSL gives NaN for the sd of one value; say so ourselves. */
    d->sd = m >= 2 ? gsl_stats_sd(s, 1, m) : NAN;
    double iqr = d->q3 - d->q1;
    d->low_fence = d->q1 - 1.5 * iqr;
    d->high_fence = d->q3 + 1.5 * iqr;
}

ctg_status ctg_distribution_of(const double *values, size_t n, ctg_distribution *d,
                               ctg_error *err)
{
    double *s = NULL;
    size_t m = 0;
    distribution_empty(d);
    ctg_status st = sorted_usable_copy(values, n, &s, &m, err);
    if (st != CTG_OK || m == 0)
        goto cleanup;
    distribution_from_sorted(s, m, d);
cleanup:
    free(s);
    return st;
}

/* --------------------------------------------------------------- positions */

/* How many of the m sorted values s are greater than v. */
static size_t count_above(const double *s, size_t m, double v)
{
    size_t lo = 0, hi = m; /* the first index whose value is > v lies in [lo, hi] */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] > v)
            hi = mid;
        else
            lo = mid + 1;
    }
    return m - lo;
}

/* The quartile of a usable value v in d (1 to 4). */
static int quartile_of(double v, const ctg_distribution *d)
{
    if (v <= d->q1)
        return 1;
    if (v <= d->median)
        return 2;
    if (v <= d->q3)
        return 3;
    return 4;
}

/* The position of value v among the m sorted values s, of distribution d. */
static ctg_position position_of(double v, const double *s, size_t m, const ctg_distribution *d)
{
    ctg_position p = {0, 0, NAN, 0};
    if (!usable(v))
        return p;
    p.rank = (int)count_above(s, m, v) + 1; /* competition ranking: 1, 2, 2, 4 */
    p.quartile = quartile_of(v, d);
    if (d->sd > 0) /* false for a NaN sd too */
        p.z = (v - d->mean) / d->sd;
    p.outlier = v < d->low_fence ? -1 : v > d->high_fence ? 1 : 0;
    return p;
}

ctg_status ctg_positions_of(const double *values, size_t n, const ctg_distribution *d,
                            ctg_position *pos, ctg_error *err)
{
    double *s = NULL;
    size_t m = 0;
    ctg_status st = sorted_usable_copy(values, n, &s, &m, err);
    if (st != CTG_OK)
        goto cleanup;
    if (m != d->n) {
        st = ctg_fail(err, CTG_ERR_INTERNAL, NULL, 0,
                      "positions: the distribution has %zu values, the set %zu", d->n, m);
        goto cleanup;
    }
    if (m > (size_t)INT_MAX) {
        st = ctg_fail(err, CTG_ERR_USAGE, NULL, 0, "positions: too many values (%zu)", m);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        pos[i] = position_of(values[i], s, m, d);
cleanup:
    free(s);
    return st;
}

/* ------------------------------------------------------------------ Wilson */

/* CTG_OK when successes out of trials at confidence level can be asked. */
static ctg_status wilson_check(double successes, double trials, double level, ctg_error *err)
{
    if (!isfinite(successes) || !isfinite(trials))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "Wilson interval: counts must be finite (%g out of %g)", successes,
                        trials);
    if (!(trials > 0))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "Wilson interval: trials must be > 0 (%g)", trials);
    if (successes < 0 || successes > trials)
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "Wilson interval: successes must be within [0, trials] (%g out of %g)",
                        successes, trials);
    if (!(level > 0 && level < 1))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "Wilson interval: level must be within (0, 1) (%g)", level);
    return CTG_OK;
}

ctg_status ctg_wilson(double successes, double trials, double level, double *lo, double *hi,
                      ctg_error *err)
{
    *lo = *hi = NAN;
    ctg_status st = wilson_check(successes, trials, level, err);
    if (st != CTG_OK)
        return st;
    /* A level a hair below 1 can round this to 1: never call _Pinv there. */
    double prob = 1.0 - (1.0 - level) / 2.0;
    if (!(prob > 0 && prob < 1))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "Wilson interval: level too close to 0 or 1 (%.17g)", level);
    double z = gsl_cdf_ugaussian_Pinv(prob);
    double n = trials, p = successes / trials, z2 = z * z;
    double denom = 1.0 + z2 / n;
    double centre = (p + z2 / (2.0 * n)) / denom;
    double half = z / denom * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
    /* At k = 0 (k = n) centre and half are equal in exact arithmetic; the
     * rounding is not allowed to move the bound off 0 (1). */
    *lo = successes == 0 ? 0.0 : fmax(0.0, centre - half);
    *hi = successes == trials ? 1.0 : fmin(1.0, centre + half);
    return CTG_OK;
}

/* ------------------------------------------------------------------- trend */

/* A trend that could not be fitted through n points: all NaN. */
static void trend_empty(ctg_trend *t, size_t n)
{
    t->n = n;
    t->slope = t->intercept = NAN;
    t->se = t->t = t->p = NAN;
    t->significant = 0;
}

/* Whether the m >= 1 values v are all equal. */
static int all_equal(const double *v, size_t m)
{
    for (size_t i = 1; i < m; i++)
        if (v[i] != v[0])
            return 0;
    return 1;
}

/* The number of pairs (x[i], y[i]), i < n, whose two values are usable. */
static size_t count_pairs(const double *x, const double *y, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        m += usable(x[i]) && usable(y[i]) ? 1 : 0;
    return m;
}

/* Fills se, t, p and significant from the fit of m >= 3 points whose slope
 * has variance cov11. */
static void trend_test(ctg_trend *t, size_t m, double cov11)
{
    t->se = cov11 >= 0 ? sqrt(cov11) : NAN;
    if (t->se > 0) {
        t->t = t->slope / t->se;
        /* |t| may overflow to infinity for a tiny se: that is p = 0. */
        if (isfinite(t->t))
            t->p = fmin(1.0, 2.0 * gsl_cdf_tdist_Q(fabs(t->t), (double)(m - 2)));
        else
            t->p = 0.0;
    } else if (t->se == 0 && t->slope != 0) {
        t->p = 0.0; /* exactly on a sloped line: t is undefined, p is 0 */
    } /* else a flat exact line or a NaN se: t and p stay NaN */
    t->significant = t->p < CTG_TREND_ALPHA; /* false for NaN */
}

/* Fits the line through the m >= 2 points (xs[i], ys[i]) into t. */
static void trend_from_points(const double *xs, const double *ys, size_t m, ctg_trend *t)
{
    double c0, c1, cov00, cov01, cov11, sumsq;
    /* gsl_fit_linear "succeeds" with a NaN slope when all x are equal. */
    if (all_equal(xs, m))
        return;
    if (gsl_fit_linear(xs, 1, ys, 1, m, &c0, &c1, &cov00, &cov01, &cov11, &sumsq) != GSL_SUCCESS
        || !isfinite(c0) || !isfinite(c1))
        return; /* no line to report: "no trend" */
    t->slope = c1;
    t->intercept = c0;
    if (m >= 3)
        trend_test(t, m, cov11);
}

ctg_status ctg_trend_fit(const double *x, const double *y, size_t n, ctg_trend *t,
                         ctg_error *err)
{
    ctg_status st = CTG_OK;
    double *xs = NULL, *ys = NULL;
    size_t m = count_pairs(x, y, n);
    trend_empty(t, m);
    if (m < 2)
        goto cleanup;
    if (m > SIZE_MAX / (2 * sizeof(double))
        || (xs = malloc(2 * m * sizeof *xs)) == NULL) {
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        goto cleanup;
    }
    ys = xs + m;
    for (size_t i = 0, k = 0; i < n; i++)
        if (usable(x[i]) && usable(y[i])) {
            xs[k] = x[i];
            ys[k++] = y[i];
        }
    trend_from_points(xs, ys, m, t);
cleanup:
    free(xs);
    return st;
}

/* ------------------------------------------------------------------ growth */

ctg_status ctg_growth_split(double start, double end, double years, double natural_balance,
                            ctg_growth *g, ctg_error *err)
{
    g->tcam = g->natural = g->migration = NAN;
    if (!isfinite(start) || !isfinite(end) || !isfinite(years) || !isfinite(natural_balance))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "growth: values must be finite (start %g, end %g, years %g, natural "
                        "balance %g)",
                        start, end, years, natural_balance);
    if (!(start > 0) || !(end > 0))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "growth: populations must be > 0 (start %g, end %g)", start, end);
    if (!(years > 0))
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0, "growth: years must be > 0 (%g)", years);
    /* (end / start)^(1 / years) - 1, without the cancellation of pow() - 1. */
    g->tcam = expm1(log(end / start) / years);
    if (end != start) {
        g->natural = natural_balance * g->tcam / (end - start);
        g->migration = g->tcam - g->natural;
    }
    return CTG_OK;
}
