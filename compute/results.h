/*
 * results.h - reading what `compute` wrote, for the analysts' commands
 * (compare, rank) and the reports: a value of an indicator for a unit and a
 * year, the values of the communes of a territory, the years of a series,
 * and the value of a territory given as a list of communes, aggregated from
 * the sums its communes keep (ratio of sums, as compute does for an EPCI).
 *
 * A territory is written LEVEL:CODE (`epci:200066124`, `dep:81`,
 * `commune:31488`, `fr`) or `communes:81099,81105,81004` (product.md).
 *
 * Ownership: ctg_results_open returns a handle the caller frees with
 * ctg_results_free; it borrows the warehouse and the catalogue, which must
 * outlive it (the handle keeps statements prepared on the warehouse's
 * connection, finalized by ctg_results_free). Arrays returned through
 * ctg_value ** belong to the caller (free()). A handle keeps the list of
 * communes it last read in a TEMP table of the connection (writable on a
 * read-only warehouse too), the values of that list it aggregated, and the
 * values and member lists of units it read (up to 8 MB): it answers as the
 * warehouse was when a value was first asked, so open a new one after a
 * compute.
 */
#ifndef CTG_RESULTS_H
#define CTG_RESULTS_H

#include <stddef.h>

#include <sqlite3.h>

#include "compute/catalogue.h"
#include "compute/stats.h"
#include "core/error.h"
#include "core/geocode.h"
#include "core/warehouse.h"

#define CTG_TERRITORY_MAX 256      /* communes in a `communes:` territory */

/* A territory: one unit of a level, or a list of communes (level NONE). */
typedef struct ctg_territory {
    ctg_level level;               /* CTG_LEVEL_NONE for a list of communes */
    char code[CTG_CODE_MAX];       /* "FR" for France; "" for a list */
    char (*communes)[CTG_CODE_MAX];/* the list (owned: ctg_territory_clear) */
    size_t ncommunes;
} ctg_territory;

/* Parses `LEVEL:CODE`, `fr` or `communes:C1,C2,...` (codes normalised; a
 * list holds 1 to CTG_TERRITORY_MAX distinct communes). CTG_ERR_USAGE with a
 * message saying what is expected when it is none of these. */
ctg_status ctg_territory_parse(const char *spec, ctg_territory *t, ctg_error *err);

/* Frees the list of a territory (t may hold none). */
void ctg_territory_clear(ctg_territory *t);

/* The SQL condition "geo_unit u lies inside a territory of this level (or
 * is that unit)", the territory being bound as parameter ?3 with
 * ctg_territory_bind (for a list of communes: "C1,C2,..."). */
const char *ctg_territory_condition(ctg_level level);

/* Binds territory t to parameter `index` of q, as ctg_territory_condition
 * expects it. */
void ctg_territory_bind(sqlite3_stmt *q, int index, const ctg_territory *t);

/* What a unit is: its name and parents, from the geography compute used. */
typedef struct ctg_unit_info {
    ctg_level level;
    char code[CTG_CODE_MAX];
    char name[160];                /* "" when no list of names is loaded */
    char epci[CTG_CODE_MAX], dep[4], reg[4];   /* "" where none */
} ctg_unit_info;

/* One value as compute wrote it (export's columns). */
typedef struct ctg_value {
    ctg_level level;               /* CTG_LEVEL_NONE: a list of communes */
    char code[CTG_CODE_MAX];
    char name[160];
    char year[16];
    double value;                  /* NaN exactly when secret or missing */
    char status[8];                /* secret, missing, partial, approx, rounded, ok */
    double coverage;               /* NaN when none */
    char flags[64];
    double low, high;              /* bounds left by rounded counts; NaN when none */
    double in[9];                  /* communes: the sums groups add up */
    int nin;                       /* how many of in[] hold a sum (0 for groups) */
} ctg_value;

typedef struct ctg_results ctg_results;

/* Opens the values computed on geography year geo_year (0: the latest one
 * computed). CTG_ERR_NOINPUT when nothing was computed (or not for that
 * year), naming the warehouse and what to run. */
ctg_status ctg_results_open(ctg_warehouse *wh, const ctg_catalogue *cat, int geo_year,
                            ctg_results **out, ctg_error *err);

/* Frees r; NULL is allowed. */
void ctg_results_free(ctg_results *r);

/* The geography year of the values. */
int ctg_results_geo_year(const ctg_results *r);

/* The unit (level, code) of the geography, *found = 0 when it has none. */
ctg_status ctg_results_unit(ctg_results *r, ctg_level level, const char *code,
                            ctg_unit_info *out, int *found, ctg_error *err);

/* The latest year indicator was computed for (any unit), into year[16];
 * "" when never. Years compare as written, a month after its year. */
ctg_status ctg_results_latest_year(ctg_results *r, const char *indicator, char year[16],
                                   ctg_error *err);

/* Every year indicator was computed for, oldest first, as a NUL-separated
 * list in *years (malloc'ed, the caller frees) and their count in *n. */
ctg_status ctg_results_years(ctg_results *r, const char *indicator, char **years, size_t *n,
                             ctg_error *err);

/*
 * The value of indicator for year and territory t: read as computed for a
 * unit, aggregated from its communes for a list. *found = 0 when compute
 * wrote nothing for it (an indicator not computed that year, a code outside
 * the geography).
 */
ctg_status ctg_results_value(ctg_results *r, const char *indicator, const char *year,
                             const ctg_territory *t, ctg_value *out, int *found,
                             ctg_error *err);

/*
 * The values at `level` (commune, arm, epci, dep, reg) of the units inside
 * territory t (every unit of France for `fr`), for indicator and year, in
 * code order: *vals (malloc'ed, the caller frees) and *n. Units with no value
 * written that year are left out.
 */
ctg_status ctg_results_members(ctg_results *r, const char *indicator, const char *year,
                               ctg_level level, const ctg_territory *t, ctg_value **vals,
                               size_t *n, ctg_error *err);

/* Checks that territory t exists in the geography of r: its unit, or every
 * commune of its list. CTG_ERR_USAGE naming the first code it lacks. */
ctg_status ctg_results_check_territory(ctg_results *r, const ctg_territory *t, ctg_error *err);

/* The aggregation of the alternative that gave indicator's values for year
 * (CTG_AGG_SUM when unknown, or when the warehouse cannot be read). */
ctg_aggregation ctg_results_aggregation(ctg_results *r, const char *indicator, const char *year);

/* The rank of the catalogue alternative that gave indicator's values for
 * year (0 when none, or when the warehouse cannot be read): values of one
 * series come from one rank. */
int ctg_results_source_rank(ctg_results *r, const char *indicator, const char *year);

/* Whether indicator's values for year are proportions of a count (a `ratio`
 * line with scale 100 and unit %): then in[0] successes out of in[1]. 0 when
 * the warehouse cannot be read. */
int ctg_results_is_share(ctg_results *r, const char *indicator, const char *year);

/*
 * How a value of a territory evolved up to `year`. For a census indicator
 * (its main input is a census family) consecutive vintages share four of
 * their five surveys: no regression, only the vintage five years before
 * (../shared/docs/indicators.md). For a yearly series: the least-squares
 * trend over the years computed from the same source alternative as `year`
 * (a change of source breaks a series), up to `year`, x in years.
 */
typedef struct ctg_evolution {
    int census;                /* census vintages: compare 5 years apart only */
    char previous[16];         /* the year compared with ("" none): census
                                * year - 5, else the latest year before */
    double previous_value;     /* NaN when none */
    size_t n;                  /* yearly series: years with a value */
    char first[16];            /* the first year of the series used */
    ctg_trend trend;           /* yearly series; trend.n < 3 means no test */
} ctg_evolution;

/* Fills ev for indicator, territory t, up to year (see above). */
ctg_status ctg_results_evolution(ctg_results *r, const char *indicator, const char *year,
                                 const ctg_territory *t, ctg_evolution *ev, ctg_error *err);

/* The number of decimals a figure of this catalogue unit is shown with: 1
 * for %, ‰, indices and densities, 2 for % par an and household sizes, 1 for
 * logements par an, 0 for counts and euros. */
int ctg_unit_decimals(const char *unit);

/*
 * A value as a French reader sees it in a table, into buf: "secret",
 * "n.d." (missing), else the French number (ctg_format_fr) with the unit's
 * decimals, prefixed by "~" when approximated and followed by "*" when
 * partial and "!" when flagged caution or small. The legend of these marks
 * is CTG_VALUE_LEGEND.
 */
void ctg_value_display(const ctg_value *v, const char *unit, char *buf, size_t size);

/* The space between a figure and its unit: U+202F before % and ‰ (French
 * typography), U+00A0 before a word ("16 080 habitants"), "" for no unit;
 * neither breaks a line. */
const char *ctg_unit_space(const char *unit);

/* A value with its unit, as the reports print it: ctg_value_display, then
 * the unit after ctg_unit_space ("59,6 %" with U+202F, "16 080 habitants");
 * "secret" and "n.d." alone; "n.d." when not found. */
void ctg_value_display_unit(const ctg_value *v, int found, const char *unit, char *buf,
                            size_t size);

#define CTG_VALUE_LEGEND                                                                          \
    "~ approché (moyenne pondérée ou source approchée) ; * partiel (membres secrets ou "         \
    "manquants) ; ! effectif faible (moins de 200 au recensement ou de 30 au dénominateur) ; "    \
    "n.d. non disponible"

#endif
