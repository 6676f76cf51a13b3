/*
 * formula.h - internal to compute/: what a value is from the sums it rests
 * on, for each aggregation of the catalogue. The engine applies it to a
 * unit and to a group's summed inputs; results.c to a territory given as a
 * list of communes, from the sums compute stored for each commune. One
 * formula, so a territory and an EPCI of the same communes agree.
 */
#ifndef CTG_COMPUTE_FORMULA_H
#define CTG_COMPUTE_FORMULA_H

#include "compute/catalogue.h"

/* The number of sums (in[]) an alternative's values rest on. */
#define CTG_FORMULA_INPUTS 9

/*
 * The value of indicator ind by alternative src from its sums in[] (see
 * engine.c, gather(), for their order per aggregation) into *value. Returns
 * 0 when it cannot be computed (a zero denominator, a growth from nothing).
 */
int ctg_formula_value(const ctg_indicator *ind, const ctg_source *src, const double *in,
                      double *value);

/*
 * The least and greatest values the sums in[] allow when each may be off by
 * hw[] (counts a producer rounded): for a `sum`, in[0] -+ hw[0] (not below
 * 0); for a `ratio`, the numerator at its least over the denominator at its
 * greatest, and the other way round. Returns 0 for the other aggregations,
 * when nothing is rounded, or when the denominator may reach 0.
 */
int ctg_formula_bounds(const ctg_indicator *ind, const ctg_source *src, const double *in,
                       const double *hw, double *low, double *high);

/* The number of sums an alternative uses (1 to CTG_FORMULA_INPUTS). */
int ctg_formula_inputs(const ctg_source *src);

/* A period's comparable key: year x 100 + month; a year, and a span by its
 * end year ("2013-2018"), count as December. */
int ctg_period_key(const char *period);

#endif
