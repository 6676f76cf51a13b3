/* test_stats.c - distribution (R type 7 quantiles), positions, Wilson
 * interval, trend and growth split. Every expected value is derived in a
 * comment, by hand or with Python's math module, not by GSL. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "compute/stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Asserts |got - want| <= eps, printing both on failure. */
static void assert_near(double got, double want, double eps)
{
    if (!(fabs(got - want) <= eps))
        print_error("got %.17g, want %.17g (+/- %g)\n", got, want, eps);
    assert_true(fabs(got - want) <= eps);
}

/* Asserts a NaN. */
static void assert_nan(double got)
{
    if (!isnan(got))
        print_error("got %.17g, want NaN\n", got);
    assert_true(isnan(got));
}

/* Asserts that a call failed with code and left a message. */
static void assert_failed(ctg_status st, const ctg_error *err, ctg_status code)
{
    assert_int_equal(st, code);
    assert_int_equal(err->code, code);
    assert_true(err->msg[0] != '\0');
}

static int group_setup(void **state)
{
    (void)state;
    ctg_stats_init();
    ctg_stats_init(); /* idempotent */
    return 0;
}

/* ------------------------------------------------------------ distribution */

/* R type 7: h = (n - 1) p + 1, Q(p) = x[floor h] + (h - floor h)(x[floor h + 1]
 * - x[floor h]), x 1-based and sorted. For 1..10 (n = 10): h(.25) = 3.25 ->
 * 3 + .25 = 3.25; h(.5) = 5.5 -> 5.5; h(.75) = 7.75 -> 7.75. Mean 5.5; sd:
 * sum of squared deviations 2 (4.5² + 3.5² + 2.5² + 1.5² + .5²) = 82.5,
 * / 9 = 9.1666..., sqrt = 3.0276503540974917. IQR 4.5: fences 3.25 - 6.75 =
 * -3.5 and 7.75 + 6.75 = 14.5. Given unsorted. */
static void test_quantiles_one_to_ten(void **state)
{
    (void)state;
    double v[] = {10, 3, 7, 1, 9, 2, 8, 4, 6, 5};
    ctg_distribution d;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(v, N_OF(v), &d, &err), CTG_OK);
    assert_int_equal(d.n, 10);
    assert_true(d.min == 1 && d.max == 10);
    assert_near(d.q1, 3.25, 1e-12);
    assert_near(d.median, 5.5, 1e-12);
    assert_near(d.q3, 7.75, 1e-12);
    assert_near(d.mean, 5.5, 1e-12);
    assert_near(d.sd, 3.0276503540974917, 1e-12);
    assert_near(d.low_fence, -3.5, 1e-12);
    assert_near(d.high_fence, 14.5, 1e-12);
}

/* {7, 15, 36, 39, 40, 41}, n = 6: h(.25) = 5 x .25 + 1 = 2.25 -> 15 + .25 x
 * (36 - 15) = 20.25; h(.5) = 3.5 -> 36 + .5 x 3 = 37.5; h(.75) = 4.75 -> 39
 * + .75 x 1 = 39.75 (R: quantile(c(7,15,36,39,40,41)) gives the same).
 * Given unsorted with NaN and infinities among them, which are skipped; the
 * input is left as it was. */
static void test_quantiles_skip_and_keep_input(void **state)
{
    (void)state;
    double v[] = {40, NAN, 7, 41, INFINITY, 36, 15, NAN, -INFINITY, 39};
    double copy[N_OF(v)];
    memcpy(copy, v, sizeof v);
    ctg_distribution d;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(v, N_OF(v), &d, &err), CTG_OK);
    assert_int_equal(d.n, 6);
    assert_true(d.min == 7 && d.max == 41);
    assert_near(d.q1, 20.25, 1e-12);
    assert_near(d.median, 37.5, 1e-12);
    assert_near(d.q3, 39.75, 1e-12);
    assert_near(d.mean, 178.0 / 6.0, 1e-12);
    assert_memory_equal(v, copy, sizeof v); /* bitwise: NaNs included */
}

/* {2, 4, 4, 4, 5, 5, 7, 9}: mean 40 / 8 = 5; squared deviations 9 + 1 + 1 +
 * 1 + 0 + 0 + 4 + 16 = 32; sample sd sqrt(32 / 7) = 2.138089935299395 (the
 * population sd would be 2). */
static void test_sample_sd(void **state)
{
    (void)state;
    double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
    ctg_distribution d;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(v, N_OF(v), &d, &err), CTG_OK);
    assert_near(d.mean, 5.0, 1e-12);
    assert_near(d.sd, 2.138089935299395, 1e-12);
}

/* No value (n = 0, or only NaN): n 0, every field NaN. */
static void test_distribution_empty(void **state)
{
    (void)state;
    double v[] = {NAN, NAN, NAN};
    ctg_distribution d;
    ctg_error err;
    ctg_error_clear(&err);
    for (int pass = 0; pass < 2; pass++) {
        memset(&d, 0, sizeof d);
        assert_int_equal(ctg_distribution_of(pass ? v : NULL, pass ? N_OF(v) : 0, &d, &err),
                         CTG_OK);
        assert_int_equal(d.n, 0);
        assert_nan(d.min);
        assert_nan(d.q1);
        assert_nan(d.median);
        assert_nan(d.q3);
        assert_nan(d.max);
        assert_nan(d.mean);
        assert_nan(d.sd);
        assert_nan(d.low_fence);
        assert_nan(d.high_fence);
    }
}

/* One value: every order statistic is that value, the sd is undefined. */
static void test_distribution_one_value(void **state)
{
    (void)state;
    double v[] = {NAN, 42.5};
    ctg_distribution d;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(v, N_OF(v), &d, &err), CTG_OK);
    assert_int_equal(d.n, 1);
    assert_true(d.min == 42.5 && d.q1 == 42.5 && d.median == 42.5 && d.q3 == 42.5
                && d.max == 42.5 && d.mean == 42.5);
    assert_nan(d.sd);
    assert_true(d.low_fence == 42.5 && d.high_fence == 42.5);
}

/* --------------------------------------------------------------- positions */

/* {10, 12, 12, 14, 15, 16, 18, 100, -50} and a NaN. Sorted: -50 10 12 12 14
 * 15 16 18 100 (n = 9): h(.25) = 3 -> q1 12, h(.5) = 5 -> median 14, h(.75)
 * = 7 -> q3 16; IQR 4, fences 12 - 6 = 6 and 16 + 6 = 22: 100 is above, -50
 * below. Ranks from the top: 100 1, 18 2, 16 3, 15 4, 14 5, 12 6 (twice),
 * 10 8, -50 9. Quartiles by <=: -50, 10, 12 -> 1; 14 -> 2; 15, 16 -> 3; 18,
 * 100 -> 4. */
static void test_positions_ranks_quartiles_outliers(void **state)
{
    (void)state;
    double v[] = {10, 12, 12, 14, 15, 16, 18, 100, -50, NAN};
    const int rank[] = {8, 6, 6, 5, 4, 3, 2, 1, 9, 0};
    const int quartile[] = {1, 1, 1, 2, 3, 3, 4, 4, 1, 0};
    const int outlier[] = {0, 0, 0, 0, 0, 0, 0, 1, -1, 0};
    ctg_distribution d;
    ctg_position pos[N_OF(v)];
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(v, N_OF(v), &d, &err), CTG_OK);
    assert_near(d.q1, 12, 1e-12);
    assert_near(d.median, 14, 1e-12);
    assert_near(d.q3, 16, 1e-12);
    assert_near(d.low_fence, 6, 1e-12);
    assert_near(d.high_fence, 22, 1e-12);
    assert_int_equal(ctg_positions_of(v, N_OF(v), &d, pos, &err), CTG_OK);
    for (size_t i = 0; i < N_OF(v); i++) {
        if (pos[i].rank != rank[i] || pos[i].quartile != quartile[i]
            || pos[i].outlier != outlier[i])
            print_error("value %g: rank %d quartile %d outlier %d\n", v[i], pos[i].rank,
                        pos[i].quartile, pos[i].outlier);
        assert_int_equal(pos[i].rank, rank[i]);
        assert_int_equal(pos[i].quartile, quartile[i]);
        assert_int_equal(pos[i].outlier, outlier[i]);
    }
    assert_nan(pos[9].z);
}

/* Competition ranking "1, 2, 2, 4" on {7, 9, 3, 7}. */
static void test_positions_ties(void **state)
{
    (void)state;
    double v[] = {7, 9, 3, 7};
    ctg_distribution d;
    ctg_position pos[4];
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(v, 4, &d, &err), CTG_OK);
    assert_int_equal(ctg_positions_of(v, 4, &d, pos, &err), CTG_OK);
    assert_int_equal(pos[0].rank, 2);
    assert_int_equal(pos[1].rank, 1);
    assert_int_equal(pos[2].rank, 4);
    assert_int_equal(pos[3].rank, 2);
}

/* z = (value - mean) / sd on {2, 4, 4, 4, 5, 5, 7, 9} (mean 5, sd
 * sqrt(32 / 7)): 9 -> 4 / sqrt(32 / 7) = 1.8708286933869707, 5 -> 0, 2 ->
 * -3 / sqrt(32 / 7) = -1.403121520040228 (Python, math.sqrt). */
static void test_positions_z(void **state)
{
    (void)state;
    double v[] = {2, 4, 4, 4, 5, 5, 7, 9};
    ctg_distribution d;
    ctg_position pos[N_OF(v)];
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(v, N_OF(v), &d, &err), CTG_OK);
    assert_int_equal(ctg_positions_of(v, N_OF(v), &d, pos, &err), CTG_OK);
    assert_near(pos[7].z, 1.8708286933869707, 1e-12);
    assert_near(pos[4].z, 0.0, 1e-12);
    assert_near(pos[0].z, -1.403121520040228, 1e-12);
}

/* All equal (sd 0) and a single value (sd NaN): z NaN, rank 1, quartile 1,
 * no outlier. */
static void test_positions_no_spread(void **state)
{
    (void)state;
    double same[] = {3, 3, 3};
    double one[] = {8};
    ctg_distribution d;
    ctg_position pos[3];
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(same, 3, &d, &err), CTG_OK);
    assert_true(d.sd == 0);
    assert_int_equal(ctg_positions_of(same, 3, &d, pos, &err), CTG_OK);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pos[i].rank, 1);
        assert_int_equal(pos[i].quartile, 1);
        assert_int_equal(pos[i].outlier, 0);
        assert_nan(pos[i].z);
    }
    assert_int_equal(ctg_distribution_of(one, 1, &d, &err), CTG_OK);
    assert_int_equal(ctg_positions_of(one, 1, &d, pos, &err), CTG_OK);
    assert_int_equal(pos[0].rank, 1);
    assert_int_equal(pos[0].quartile, 1);
    assert_int_equal(pos[0].outlier, 0);
    assert_nan(pos[0].z);
}

/* A distribution of another set is a caller's bug. */
static void test_positions_mismatch(void **state)
{
    (void)state;
    double v[] = {1, 2, 3};
    ctg_distribution d;
    ctg_position pos[3];
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_distribution_of(v, 2, &d, &err), CTG_OK);
    assert_failed(ctg_positions_of(v, 3, &d, pos, &err), &err, CTG_ERR_INTERNAL);
}

/* ------------------------------------------------------------------ Wilson */

/* Expected values: z = Phi^-1(0.975) = 1.9599639845400536 (Python
 * statistics.NormalDist().inv_cdf), then p = k / n, centre = (p + z² / 2n) /
 * (1 + z² / n), half = z / (1 + z² / n) sqrt(p (1 - p) / n + z² / 4n²):
 *   12 / 40 -> [0.18074845229746530, 0.45430018818144935]
 *    0 / 50 -> [-6.9e-18 (rounding; must be exactly 0), 0.0713475991333587]
 *   50 / 50 -> [0.9286524008666414, 1]
 *   28 / 40 -> [0.5456998118185507, 0.8192515477025347] (12 / 40 mirrored)
 *   12 / 40 at 90 % (z = 1.6448536269514715) -> [0.19663289160383807,
 *   0.4287084878543452]. */
static void test_wilson_values(void **state)
{
    (void)state;
    double lo, hi;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_wilson(12, 40, 0.95, &lo, &hi, &err), CTG_OK);
    assert_near(lo, 0.1807, 1e-4);
    assert_near(hi, 0.4543, 1e-4);
    assert_near(lo, 0.1807484522974653, 1e-9);
    assert_near(hi, 0.45430018818144935, 1e-9);
    assert_int_equal(ctg_wilson(0, 50, 0.95, &lo, &hi, &err), CTG_OK);
    assert_true(lo == 0.0);
    assert_near(hi, 0.0713, 1e-4);
    assert_near(hi, 0.0713475991333587, 1e-9);
    assert_int_equal(ctg_wilson(50, 50, 0.95, &lo, &hi, &err), CTG_OK);
    assert_true(hi == 1.0);
    assert_near(lo, 0.9286524008666414, 1e-9);
    assert_int_equal(ctg_wilson(28, 40, 0.95, &lo, &hi, &err), CTG_OK);
    assert_near(lo, 0.5456998118185507, 1e-9);
    assert_near(hi, 0.8192515477025347, 1e-9);
    assert_int_equal(ctg_wilson(12, 40, 0.90, &lo, &hi, &err), CTG_OK);
    assert_near(lo, 0.19663289160383807, 1e-9);
    assert_near(hi, 0.4287084878543452, 1e-9);
}

/* Each bad argument is a usage error with a message, and GSL never sees it
 * (1 - 2^-53 is the largest double below 1: the quantile argument would
 * round to exactly 1). */
static void test_wilson_errors(void **state)
{
    (void)state;
    const struct {
        double k, n, level;
    } bad[] = {
        {0, 0, 0.95},    {1, 0, 0.95},       {-1, 10, 0.95},       {11, 10, 0.95},
        {5, 10, 1.0},    {5, 10, 0.0},       {5, 10, -0.5},        {5, 10, 1.5},
        {NAN, 10, 0.95}, {5, NAN, 0.95},     {5, 10, NAN},         {5, INFINITY, 0.95},
        {5, -10, 0.95},  {5, 10, 1 - 0x1p-53},
    };
    for (size_t i = 0; i < N_OF(bad); i++) {
        double lo = 0, hi = 0;
        ctg_error err;
        ctg_error_clear(&err);
        ctg_status st = ctg_wilson(bad[i].k, bad[i].n, bad[i].level, &lo, &hi, &err);
        if (st != CTG_ERR_USAGE)
            print_error("case %zu: status %d\n", i, (int)st);
        assert_failed(st, &err, CTG_ERR_USAGE);
        assert_nan(lo);
        assert_nan(hi);
    }
}

/* ------------------------------------------------------------------- trend */

/* y = 2x + 1 over 2015..2020: slope 2, intercept 1, residuals 0, so se 0, t
 * undefined, p 0 and significant. */
static void test_trend_exact_line(void **state)
{
    (void)state;
    double x[6], y[6];
    for (int i = 0; i < 6; i++) {
        x[i] = 2015 + i;
        y[i] = 2 * x[i] + 1;
    }
    ctg_trend t;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_trend_fit(x, y, 6, &t, &err), CTG_OK);
    assert_int_equal(t.n, 6);
    assert_near(t.slope, 2.0, 1e-12);
    assert_near(t.intercept, 1.0, 1e-8);
    assert_true(t.se == 0.0);
    assert_nan(t.t);
    assert_true(t.p == 0.0);
    assert_int_equal(t.significant, 1);
}

/* A flat exact line: slope 0, se 0, no p, not significant. */
static void test_trend_flat_line(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4};
    double y[] = {7, 7, 7, 7};
    ctg_trend t;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_trend_fit(x, y, 4, &t, &err), CTG_OK);
    assert_true(t.slope == 0.0);
    assert_near(t.intercept, 7.0, 1e-12);
    assert_true(t.se == 0.0);
    assert_nan(t.t);
    assert_nan(t.p);
    assert_int_equal(t.significant, 0);
}

/*
 * x = 1..5, y = {2, 4, 5, 4, 5}: means 3 and 4; Sxx = 4 + 1 + 0 + 1 + 4 = 10;
 * Sxy = (-2)(-2) + (-1)(0) + 0(1) + 1(0) + 2(1) = 6; slope 0.6, intercept 4 -
 * 0.6 x 3 = 2.2. Fitted 2.8 3.4 4.0 4.6 5.2, residuals -.8 .6 1 -.6 -.2, RSS
 * .64 + .36 + 1 + .36 + .04 = 2.4; s² = 2.4 / 3 = 0.8; se = sqrt(0.8 / 10) =
 * 0.28284271247461906; t = 0.6 / se = 3 / sqrt(2) = 2.1213203435596424.
 * Student with 3 df has a closed form: with th = atan(t / sqrt 3), the
 * two-sided p = 1 - (2 / pi)(th + sin th cos th). Here t / sqrt 3 = sqrt 1.5,
 * so cos² th = 1 / 2.5 = 0.4, sin th cos th = sqrt(1.5) x 0.4 = 0.4898979,
 * th = 0.8860771, p = 1 - 0.6366198 x 1.3759751 = 0.1240271 (Python, math
 * only: 0.1240270626575547; a Simpson integration of the t3 density
 * 6 sqrt 3 / (pi (3 + u²)²) over [0, t] agrees to 1e-14). Not significant.
 */
static void assert_textbook_fit(const ctg_trend *t)
{
    assert_int_equal(t->n, 5);
    assert_near(t->slope, 0.6, 1e-12);
    assert_near(t->intercept, 2.2, 1e-12);
    assert_near(t->se, 0.28284271247461906, 1e-12);
    assert_near(t->t, 2.1213203435596424, 1e-10);
    assert_near(t->p, 0.1240270626575547, 1e-9);
    assert_near(t->p, 0.1240, 1e-4);
    assert_int_equal(t->significant, 0);
}

static void test_trend_textbook(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4, 5};
    double y[] = {2, 4, 5, 4, 5};
    ctg_trend t;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_trend_fit(x, y, 5, &t, &err), CTG_OK);
    assert_textbook_fit(&t);
}

/* The same points among pairs with a NaN (either side) or an infinity: they
 * are skipped, the answer is the textbook one; the inputs are unchanged. */
static void test_trend_skips_nan_pairs(void **state)
{
    (void)state;
    double x[] = {1, NAN, 2, 3, 9, 4, 5, 6};
    double y[] = {2, 100, 4, 5, NAN, 4, 5, INFINITY};
    double xc[N_OF(x)], yc[N_OF(y)];
    memcpy(xc, x, sizeof x);
    memcpy(yc, y, sizeof y);
    ctg_trend t;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_trend_fit(x, y, N_OF(x), &t, &err), CTG_OK);
    assert_textbook_fit(&t);
    assert_memory_equal(x, xc, sizeof x);
    assert_memory_equal(y, yc, sizeof y);
}

/* Two points: the line through them, but no standard error (0 df). */
static void test_trend_two_points(void **state)
{
    (void)state;
    double x[] = {2018, 2020};
    double y[] = {10, 16};
    ctg_trend t;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_trend_fit(x, y, 2, &t, &err), CTG_OK);
    assert_int_equal(t.n, 2);
    assert_near(t.slope, 3.0, 1e-12);          /* (16 - 10) / 2 */
    assert_near(t.intercept, -6044.0, 1e-8);   /* 10 - 3 x 2018 */
    assert_nan(t.se);
    assert_nan(t.t);
    assert_nan(t.p);
    assert_int_equal(t.significant, 0);
}

/* No trend: all x equal, one point, no point. CTG_OK with n set. */
static void test_trend_none(void **state)
{
    (void)state;
    double x[] = {2020, 2020, 2020, NAN};
    double y[] = {1, 2, 3, 4};
    ctg_trend t;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_trend_fit(x, y, 4, &t, &err), CTG_OK);
    assert_int_equal(t.n, 3);
    assert_nan(t.slope);
    assert_nan(t.intercept);
    assert_nan(t.se);
    assert_nan(t.t);
    assert_nan(t.p);
    assert_int_equal(t.significant, 0);
    assert_int_equal(ctg_trend_fit(x, y, 1, &t, &err), CTG_OK);
    assert_int_equal(t.n, 1);
    assert_nan(t.slope);
    assert_int_equal(ctg_trend_fit(NULL, NULL, 0, &t, &err), CTG_OK);
    assert_int_equal(t.n, 0);
    assert_nan(t.slope);
    assert_int_equal(t.significant, 0);
}

/* ------------------------------------------------------------------ growth */

/* 1000 -> 1100 over 6 years, 80 births - 50 deaths = 30: tcam = 1.1^(1/6) - 1
 * = 0.016011867773387367 (Python); natural = 30 x tcam / 100 =
 * 0.00480356033201621; migration = tcam - natural = 0.011208307441371157
 * (indicators.md: 1.6012 %, 0.4804 %, 1.1208 %). */
static void test_growth_split(void **state)
{
    (void)state;
    ctg_growth g;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_growth_split(1000, 1100, 6, 80 - 50, &g, &err), CTG_OK);
    assert_near(g.tcam, 0.016012, 1e-6);
    assert_near(g.natural, 0.004804, 1e-6);
    assert_near(g.migration, 0.011208, 1e-6);
    assert_near(g.tcam, 0.016011867773387367, 1e-14);
    assert_near(g.natural, 0.00480356033201621, 1e-14);
    assert_near(g.migration, 0.011208307441371157, 1e-14);
    /* A decline: 1100 -> 1000 over 5 years, 20 births - 40 deaths = -20:
     * tcam = (1000 / 1100)^(1/5) - 1 = -0.018881504273735694 (Python); natural
     * = -20 x tcam / -100 = -0.0037763008547471387; the rest is migration. */
    assert_int_equal(ctg_growth_split(1100, 1000, 5, -20, &g, &err), CTG_OK);
    assert_near(g.tcam, pow(1000.0 / 1100.0, 0.2) - 1, 1e-14);
    assert_near(g.natural, 0.2 * g.tcam, 1e-15);
    assert_near(g.natural + g.migration, g.tcam, 1e-15);
}

/* end == start: tcam 0, split undefined. */
static void test_growth_stable(void **state)
{
    (void)state;
    ctg_growth g;
    ctg_error err;
    ctg_error_clear(&err);
    assert_int_equal(ctg_growth_split(500, 500, 5, 12, &g, &err), CTG_OK);
    assert_true(g.tcam == 0.0);
    assert_nan(g.natural);
    assert_nan(g.migration);
}

static void test_growth_errors(void **state)
{
    (void)state;
    const double bad[][4] = {
        {0, 1100, 6, 30},   {-5, 1100, 6, 30},   {1000, 0, 6, 30},       {1000, 1100, 0, 30},
        {1000, 1100, -1, 30}, {NAN, 1100, 6, 30}, {1000, NAN, 6, 30},    {1000, 1100, NAN, 30},
        {1000, 1100, 6, NAN}, {INFINITY, 1100, 6, 30}, {1000, 1100, INFINITY, 30},
    };
    for (size_t i = 0; i < N_OF(bad); i++) {
        ctg_growth g;
        ctg_error err;
        ctg_error_clear(&err);
        ctg_status st = ctg_growth_split(bad[i][0], bad[i][1], bad[i][2], bad[i][3], &g, &err);
        if (st != CTG_ERR_USAGE)
            print_error("case %zu: status %d\n", i, (int)st);
        assert_failed(st, &err, CTG_ERR_USAGE);
        assert_nan(g.tcam);
        assert_nan(g.natural);
        assert_nan(g.migration);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantiles_one_to_ten),
        cmocka_unit_test(test_quantiles_skip_and_keep_input),
        cmocka_unit_test(test_sample_sd),
        cmocka_unit_test(test_distribution_empty),
        cmocka_unit_test(test_distribution_one_value),
        cmocka_unit_test(test_positions_ranks_quartiles_outliers),
        cmocka_unit_test(test_positions_ties),
        cmocka_unit_test(test_positions_z),
        cmocka_unit_test(test_positions_no_spread),
        cmocka_unit_test(test_positions_mismatch),
        cmocka_unit_test(test_wilson_values),
        cmocka_unit_test(test_wilson_errors),
        cmocka_unit_test(test_trend_exact_line),
        cmocka_unit_test(test_trend_flat_line),
        cmocka_unit_test(test_trend_textbook),
        cmocka_unit_test(test_trend_skips_nan_pairs),
        cmocka_unit_test(test_trend_two_points),
        cmocka_unit_test(test_trend_none),
        cmocka_unit_test(test_growth_split),
        cmocka_unit_test(test_growth_stable),
        cmocka_unit_test(test_growth_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, NULL);
}
