/* formula.c - a value from its sums (formula.h). */
#include "compute/formula.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/stats.h"

/* The point mort's parts; in: dwellings end, start, main residences end,
 * start, secondary + vacant end, start, household population end, start,
 * dwellings built in between. */
static int point_mort(const ctg_source *src, const double *in, double *value)
{
    double renouv = in[8] - (in[0] - in[1]);
    double rslv = in[4] - in[5];
    if (!(in[2] > 0) || !(in[6] > 0))
        return 0;
    double dess = in[7] / (in[6] / in[2]) - in[3];
    double pm = renouv + rslv + dess;
    double total = 0;
    switch (src->pm_part) {
    case CTG_PM_TOTAL: total = pm; break;
    case CTG_PM_RENOUVELLEMENT: total = renouv; break;
    case CTG_PM_RSLV: total = rslv; break;
    case CTG_PM_DESSERREMENT: total = dess; break;
    case CTG_PM_EFFET_DEMO: total = in[8] - pm; break;
    }
    *value = total / 5.0; /* a year of the census interval */
    return 1;
}

/* The natural or migration part of a growth rate; in: population at the
 * end, at the start, births, deaths. The split is undefined when the
 * population did not change. */
static int growth_split(const ctg_indicator *ind, const ctg_source *src, const double *in,
                        double *value)
{
    ctg_growth gr;
    if (!(in[0] > 0) || !(in[1] > 0) || in[0] == in[1])
        return 0;
    if (ctg_growth_split(in[1], in[0], src->years, in[2] - in[3], &gr, NULL) != CTG_OK)
        return 0;
    double part = src->agg == CTG_AGG_GROWTH_NATURAL ? gr.natural : gr.migration;
    if (!isfinite(part))
        return 0;
    *value = ind->scale * part;
    return 1;
}

int ctg_formula_value(const ctg_indicator *ind, const ctg_source *src, const double *in,
                      double *value)
{
    switch (src->agg) {
    case CTG_AGG_SUM:
        *value = in[0];
        return 1;
    case CTG_AGG_RATIO:
        if (!(in[1] > 0))
            return 0;
        *value = ind->scale * in[0] / in[1];
        return 1;
    case CTG_AGG_PUBLISHED:
        /* in[0] = weight x value, in[1] = weight; a unit: value itself */
        if (!(in[1] > 0))
            return 0;
        *value = in[0] / in[1];
        return 1;
    case CTG_AGG_GROWTH:
        if (!(in[0] > 0) || !(in[1] > 0))
            return 0;
        *value = ind->scale * (pow(in[0] / in[1], 1.0 / src->years) - 1.0);
        return 1;
    case CTG_AGG_POINT_MORT:
        return point_mort(src, in, value);
    case CTG_AGG_GROWTH_NATURAL:
    case CTG_AGG_GROWTH_MIGRATION:
        return growth_split(ind, src, in, value);
    }
    return 0;
}

int ctg_formula_bounds(const ctg_indicator *ind, const ctg_source *src, const double *in,
                       const double *hw, double *low, double *high)
{
    switch (src->agg) {
    case CTG_AGG_SUM:
        if (!(hw[0] > 0))
            return 0;
        *low = fmax(0, in[0] - hw[0]);
        *high = in[0] + hw[0];
        return 1;
    case CTG_AGG_RATIO:
        if (!(hw[0] > 0) && !(hw[1] > 0))
            return 0;
        if (!(in[1] - hw[1] > 0))
            return 0;
        *low = ind->scale * fmax(0, in[0] - hw[0]) / (in[1] + hw[1]);
        *high = ind->scale * (in[0] + hw[0]) / (in[1] - hw[1]);
        return 1;
    default:
        return 0;
    }
}

int ctg_formula_inputs(const ctg_source *src)
{
    switch (src->agg) {
    case CTG_AGG_SUM:
        return 1;
    case CTG_AGG_POINT_MORT:
        return 9;
    case CTG_AGG_GROWTH_NATURAL:
    case CTG_AGG_GROWTH_MIGRATION:
        return 4;
    default: /* ratio, growth, published (weight x value, weight) */
        return 2;
    }
}

int ctg_period_key(const char *p)
{
    int y = atoi(p);
    if (strlen(p) == 7 && p[4] == '-')
        return y * 100 + atoi(p + 5);
    if (strlen(p) == 9 && p[4] == '-')
        return atoi(p + 5) * 100 + 12;
    return y * 100 + 12;
}
