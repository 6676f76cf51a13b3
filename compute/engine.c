/* engine.c - indicators from observations (compute.h). */
#include "compute/compute.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compute/fetch.h"
#include "compute/formula.h"
#include "compute/geo.h"
#include "compute/stats.h"
#include "core/buf.h"
#include "core/number.h"

/* Statuses of a value, in the order product.md gives them (the first that
 * applies wins): secret, missing, partial, approx, rounded, ok. */
typedef enum vstatus { VS_OK = 0, VS_ROUNDED, VS_APPROX, VS_PARTIAL, VS_MISSING, VS_SECRET } vstatus;

static const char *const VSTATUS_NAMES[] = {"ok", "rounded", "approx", "partial", "missing",
                                            "secret"};

/* The inputs a value rests on, the sums a group adds up. */
#define MAX_INPUTS 9
_Static_assert(MAX_INPUTS == CTG_FORMULA_INPUTS, "one count of inputs");

typedef struct value_row {
    double in[MAX_INPUTS];    /* see the aggregations below */
    double hw[MAX_INPUTS];    /* how far each sum may be off (rounded counts) */
    double value;
    double cov;               /* share known (1 for a unit fully known) */
    cell_status st;           /* of the inputs combined */
    int approx;               /* an input was carried by a population ratio */
    unsigned char ok;         /* the value could be computed */
    unsigned char approx_group;   /* a group's weighted mean of a published rate */
    unsigned char unmapped;   /* a group some unplaced inputs belong to */
    int caution, small;
} value_row;

/* What one (indicator alternative, year) needs while it is computed. */
typedef struct job {
    ctg_warehouse *wh;
    ctg_fetch_cache *cache;
    const ctg_geo *g;
    const ctg_indicator *ind;
    const ctg_source *src;
    const ctg_term *main;     /* the first numerator term (point mort: log; growth split: end) */
    const char *main_period;  /* its period for this job */
    int year_key;             /* comparable form of main_period */
    cell *tmp, *acc;          /* scratch cells */
    cell *sums[MAX_INPUTS];   /* the summed inputs per unit */
    int nsums;
    fetch_info info;
    ctg_buf sources;          /* "family period (files)" of each input */
    int rounded;              /* an input is rounded by its producer */
    int census[MAX_INPUTS];   /* input k comes from a census family (caution < 200) */
    long unmapped;
    ctg_buf unmapped_deps;    /* ";19;25;": départements of inputs not placed */
    int any;                  /* some unit has every input present */
    group_figure *figures;    /* published: the producer's group figures */
    size_t nfigures;
} job;

/* -------------------------------------------------------------- periods */

/* The period written like model, shifted by years; "" for a span shifted. */
static void shift_period(const char *model, int years, char out[16])
{
    size_t n = strlen(model);
    if (n == 9 && model[4] == '-') {
        snprintf(out, 16, "%s", years ? "" : model);
        return;
    }
    int y = atoi(model) + years;
    if (n == 7 && model[4] == '-')
        snprintf(out, 16, "%04d-%.2s", y % 10000, model + 5);
    else
        snprintf(out, 16, "%04d", y % 10000);
}

/* The span period of a term `@span:FROM..TO` for the main period model:
 * "YYYY-YYYY" from its year + from to its year + to; "" when the model is
 * itself a span (it has no one year). */
static void span_period(const char *model, int from, int to, char out[16])
{
    if (strlen(model) == 9 && model[4] == '-') {
        out[0] = '\0';
        return;
    }
    int y = atoi(model);
    snprintf(out, 16, "%04d-%04d", (y + from) % 10000, (y + to) % 10000);
}

/* The label of an indicator's year from its main period: a December month
 * gives its year. */
static void year_label(const char *period, char out[16])
{
    if (strlen(period) == 7 && !strcmp(period + 4, "-12"))
        snprintf(out, 16, "%.4s", period);
    else
        snprintf(out, 16, "%s", period);
}

/*
 * The period of a term for this job: the main family's terms take the main
 * period shifted by the offset, exactly, and so do terms with an offset or a
 * range; a span term asks for exactly its span (`@span:-5..0` of 2018 is
 * "2013-2018"; offset then shifts both ends); the other terms (another
 * family, same period) take that period, or their latest not after it, or
 * their earliest (product.md, "Years that mix sources"). "" when none.
 */
static ctg_status resolve_period(job *j, const ctg_term *t, int offset, char out[16],
                                 ctg_error *err)
{
    const ctg_term *main = j->main;
    char want[16];
    if (t->span)
        span_period(j->main_period, t->from + offset, t->to + offset, want);
    else
        shift_period(j->main_period, offset, want);
    out[0] = '\0';
    if (!want[0])
        return CTG_OK;
    const char *list = NULL;
    size_t n = 0;
    ctg_status st = ctg_fetch_periods_cached(j->cache, j->wh, t->family, t->variable, &list, &n,
                                             err);
    if (st != CTG_OK)
        return st;
    int key = ctg_period_key(want);
    /* only a term of another family, at the indicator's own period, may take
     * the nearest earlier period: an offset or a range asks for those years */
    int same_family =
        !strcmp(t->family, main->family) || t->from != 0 || t->to != 0 || t->span;
    const char *best = NULL, *earliest = NULL;
    int best_key = 0, earliest_key = 0;
    const char *p = list;
    for (size_t i = 0; i < n; i++, p += strlen(p) + 1) {
        int k = ctg_period_key(p);
        if (!strcmp(p, want) || (!same_family && k == key)) {
            best = p;
            break;
        }
        if (!same_family && k <= key && (!best || k > best_key)) {
            best = p;
            best_key = k;
        }
        if (!earliest || k < earliest_key) {
            earliest = p;
            earliest_key = k;
        }
    }
    if (!best && !same_family)
        best = earliest;
    if (best)
        snprintf(out, 16, "%s", best);
    return CTG_OK;
}

/* ---------------------------------------------------------------- sums */

/* acc += tmp, unit by unit: values add, the worst status wins. */
static void combine(cell *acc, const cell *tmp, size_t n, int first)
{
    for (size_t i = 0; i < n; i++) {
        if (first) {
            acc[i] = tmp[i];
            continue;
        }
        acc[i].v += tmp[i].v;
        acc[i].hw += tmp[i].hw;
        acc[i].approx |= tmp[i].approx;
        if (tmp[i].st > acc[i].st)
            acc[i].st = tmp[i].st;
        if (tmp[i].cov < acc[i].cov)
            acc[i].cov = tmp[i].cov;
    }
}

static int is_census(const char *family)
{
    return !strncmp(family, "census_", 7);
}

/* Computes the sum s of terms, each at its period(s), into out[0..g->n);
 * *census is set when a term is a census count. */
static ctg_status sum_terms(job *j, const ctg_sum *s, int extra_offset, cell *out, int *census,
                            ctg_error *err)
{
    int first = 1;
    for (size_t t = 0; t < s->n; t++) {
        const ctg_term *term = &s->terms[t];
        /* a range is one period per year; a span is one period */
        int last = term->span ? term->from : term->to;
        for (int off = term->from; off <= last; off++) {
            char period[16];
            ctg_status st =
                resolve_period(j, term, (term->span ? 0 : off) + extra_offset, period, err);
            if (st != CTG_OK)
                return st;
            if (!period[0]) { /* no such period: every unit is without it */
                memset(j->tmp, 0, j->g->n * sizeof *j->tmp);
                for (size_t i = 0; i < j->g->n; i++)
                    j->tmp[i].st = CS_ABSENT;
            } else {
                st = ctg_fetch_cached(j->cache, j->wh, term->family, term->variable, period,
                                      j->tmp, &j->info, err);
                if (st != CTG_OK)
                    return st;
                j->rounded |= j->info.rounded;
                j->unmapped += j->info.unmapped;
                for (size_t o = 0; o < j->info.unmapped_deps.len; o++) {
                    /* merge the ";dep;" lists */
                    const char *d = j->info.unmapped_deps.data + o;
                    if (*d != ';' || !d[1])
                        continue;
                    const char *e = strchr(d + 1, ';');
                    if (!e)
                        break;
                    char key[8];
                    snprintf(key, sizeof key, "%.*s", (int)(e - d + 1), d);
                    if (!strstr(ctg_buf_str(&j->unmapped_deps), key)) {
                        if (!j->unmapped_deps.len)
                            ctg_buf_putc(&j->unmapped_deps, ';');
                        ctg_buf_printf(&j->unmapped_deps, "%.*s", (int)(e - d), d + 1);
                    }
                }
                if (j->info.ngroups && !j->figures && j->src->agg == CTG_AGG_PUBLISHED &&
                    t == 0 && s == &j->src->num) {
                    /* the producer's own figures for groups (published rates) */
                    j->figures = j->info.groups;
                    j->nfigures = j->info.ngroups;
                    j->info.groups = NULL;
                    j->info.ngroups = 0;
                }
                ctg_buf_printf(&j->sources, "%s%s:%s %s (file %s)", j->sources.len ? "; " : "",
                               term->family, term->variable, period,
                               j->info.files.len ? ctg_buf_str(&j->info.files) : "none");
            }
            if (is_census(term->family))
                *census = 1;
            combine(out, j->tmp, j->g->n, first);
            first = 0;
        }
    }
    return CTG_OK;
}

/* ---------------------------------------------------------- finishing */

/* What a value is, from its inputs (formula.h). Returns 0 when it cannot
 * be computed (a zero denominator...). */
static int finish_value(const ctg_indicator *ind, const ctg_source *src, value_row *r)
{
    return ctg_formula_value(ind, src, r->in, &r->value);
}

/* The status and flags of a value, as text. */
static vstatus value_status(const value_row *r, int computable, const job *j, int approx_group,
                            int unmapped, char *flags, size_t size)
{
    vstatus vs;
    if (r->st == CS_SECRET)
        vs = VS_SECRET;
    else if (r->st == CS_MISSING || r->st == CS_ABSENT || !computable)
        vs = VS_MISSING;
    else if (r->st == CS_PARTIAL)
        vs = VS_PARTIAL;
    else if (j->src->approx || approx_group || r->approx)
        vs = VS_APPROX;
    else if (j->rounded)
        vs = VS_ROUNDED;
    else
        vs = VS_OK;
    size_t o = 0;
    flags[0] = '\0';
    /* appended by hand: formatting them was a noticeable share of writing
     * 20 M values (a flag that does not fit is left out whole) */
#define ADD_FLAG(name)                                                                             \
    do {                                                                                           \
        size_t n_ = sizeof(name) - 1 + (o > 0);                                                   \
        if (n_ < size - o) {                                                                       \
            if (o > 0)                                                                             \
                flags[o++] = ',';                                                                  \
            memcpy(flags + o, name, sizeof(name));                                                 \
            o += sizeof(name) - 1;                                                                 \
        }                                                                                          \
    } while (0)
    if (vs <= VS_PARTIAL) { /* a value there: what its status does not say */
        if ((j->src->approx || approx_group || r->approx) && vs > VS_APPROX)
            ADD_FLAG("approx");
        if (j->rounded && vs > VS_ROUNDED)
            ADD_FLAG("rounded");
        if (r->caution)
            ADD_FLAG("caution");
        if (r->small)
            ADD_FLAG("small");
    }
    if (unmapped)
        ADD_FLAG("unmapped");
#undef ADD_FLAG
    return vs;
}

/* Caution (a census count under 200) and small (a proportion over fewer
 * than 30) for a value from its inputs. */
static void size_flags(const job *j, value_row *r)
{
    const ctg_source *src = j->src;
    r->caution = r->small = 0;
    if (src->agg == CTG_AGG_POINT_MORT || src->agg == CTG_AGG_PUBLISHED ||
        src->agg == CTG_AGG_GROWTH_NATURAL || src->agg == CTG_AGG_GROWTH_MIGRATION)
        return;
    if ((j->census[0] && r->in[0] < 200) || (src->den.n && j->census[1] && r->in[1] < 200))
        r->caution = 1;
    if (src->agg == CTG_AGG_RATIO && j->ind->scale == 100 && r->in[1] < 30)
        r->small = 1;
}

/* ------------------------------------------------------------- storage */

/*
 * Values are written BATCH_ROWS at a time by one multi-row INSERT: SQLite's
 * cost per statement run (about a microsecond) is then paid once per batch
 * instead of once per row, which halves the time spent writing 20 M values.
 * A row waiting in the batch holds copies of what it binds, except the
 * indicator id and the unit's level and code, which live as long as the
 * catalogue and the geography.
 */
#define BATCH_ROWS 64
#define VALUE_PARAMS 12           /* parameters of one row of the INSERT */

typedef struct pending_row {
    const char *indicator, *level, *code;
    char year[16];
    char flags[64];
    vstatus status;
    double value, coverage, low, high;
    unsigned char has_value, has_coverage, has_bounds;
    int ninputs;              /* doubles in inputs; 0 for NULL */
    double inputs[MAX_INPUTS];
} pending_row;

typedef struct writer {
    sqlite3_stmt *ins;        /* indicator_value, BATCH_ROWS rows */
    sqlite3_stmt *ins_one;    /* indicator_value, one row: the end of a job */
    sqlite3_stmt *ins_year;   /* indicator_year */
    ctg_warehouse *wh;
    int geo_year;
    long rows;                /* written */
    pending_row pending[BATCH_ROWS];
    int npending;
} writer;

/* The INSERT of n rows of indicator_value into *st. */
static ctg_status prepare_insert(ctg_warehouse *wh, int n, sqlite3_stmt **st, ctg_error *err)
{
    return ctg_wh_prepare_rows(wh,
                               "INSERT OR REPLACE INTO indicator_value(geo_year, indicator, year, "
                               "level, code, value, status, coverage, flags, inputs, low, high) "
                               "VALUES ",
                               VALUE_PARAMS, n, st, err);
}

/* Binds row r to the parameters from base + 1 of st. */
static void bind_row(sqlite3_stmt *st, int base, int geo_year, const pending_row *r)
{
    sqlite3_bind_int(st, base + 1, geo_year);
    sqlite3_bind_text(st, base + 2, r->indicator, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, base + 3, r->year, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, base + 4, r->level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, base + 5, r->code, -1, SQLITE_STATIC);
    if (r->has_value)
        sqlite3_bind_double(st, base + 6, r->value);
    else
        sqlite3_bind_null(st, base + 6);
    sqlite3_bind_text(st, base + 7, VSTATUS_NAMES[r->status], -1, SQLITE_STATIC);
    if (r->has_coverage)
        sqlite3_bind_double(st, base + 8, r->coverage);
    else
        sqlite3_bind_null(st, base + 8);
    sqlite3_bind_text(st, base + 9, r->flags, -1, SQLITE_STATIC);
    if (r->ninputs)
        sqlite3_bind_blob(st, base + 10, r->inputs, (int)(r->ninputs * sizeof r->inputs[0]),
                          SQLITE_STATIC);
    else
        sqlite3_bind_null(st, base + 10);
    if (r->has_bounds) {
        sqlite3_bind_double(st, base + 11, r->low);
        sqlite3_bind_double(st, base + 12, r->high);
    } else {
        sqlite3_bind_null(st, base + 11);
        sqlite3_bind_null(st, base + 12);
    }
}

static ctg_status run_insert(writer *w, sqlite3_stmt *st, ctg_error *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(w->wh, rc, err, "writing an indicator value");
    return CTG_OK;
}

/* Writes the rows waiting: a whole batch in one statement, fewer one by
 * one. Called when the batch is full and at the end of every job. */
static ctg_status flush_values(writer *w, ctg_error *err)
{
    ctg_status s = CTG_OK;
    if (w->npending == BATCH_ROWS) {
        for (int i = 0; i < BATCH_ROWS; i++)
            bind_row(w->ins, i * VALUE_PARAMS, w->geo_year, &w->pending[i]);
        s = run_insert(w, w->ins, err);
    } else {
        for (int i = 0; s == CTG_OK && i < w->npending; i++) {
            bind_row(w->ins_one, 0, w->geo_year, &w->pending[i]);
            s = run_insert(w, w->ins_one, err);
        }
    }
    if (s == CTG_OK)
        w->rows += w->npending;
    w->npending = 0;
    return s;
}

static ctg_status write_value(writer *w, const job *j, const char *year, const char *level,
                              const char *code, const value_row *r, int computable,
                              int approx_group, int unmapped, int with_inputs, ctg_error *err)
{
    pending_row *p = &w->pending[w->npending++];
    p->status = value_status(r, computable, j, approx_group, unmapped, p->flags, sizeof p->flags);
    p->indicator = j->ind->id;
    size_t year_len = strnlen(year, sizeof p->year - 1);
    memcpy(p->year, year, year_len);
    p->year[year_len] = '\0';
    p->level = level;
    p->code = code;
    p->has_value = p->status < VS_MISSING && isfinite(r->value);
    p->value = r->value;
    /* a unit's coverage when its inputs are known in part (IRIS withheld),
     * whatever its status; a group's always */
    p->has_coverage = (r->cov < 1 && r->st <= CS_PARTIAL) ||
                      (strcmp(level, "commune") && strcmp(level, "arm") && strcmp(level, "iris"));
    p->coverage = r->cov;
    /* the sums a group adds up, exactly when the unit's inputs are known (a
     * value not computable, 0 / 0, still counts in its groups) */
    p->ninputs = with_inputs && r->st <= CS_PARTIAL ? ctg_formula_inputs(j->src) : 0;
    memcpy(p->inputs, r->in, (size_t)p->ninputs * sizeof r->in[0]);
    p->has_bounds = p->status <= VS_PARTIAL && isfinite(r->value) &&
                    ctg_formula_bounds(j->ind, j->src, r->in, r->hw, &p->low, &p->high);
    return w->npending == BATCH_ROWS ? flush_values(w, err) : CTG_OK;
}

/* ----------------------------------------------------------- the job */

/* The inputs of unit i from the summed cells. */
static void unit_inputs(const job *j, size_t i, value_row *r)
{
    memset(r, 0, sizeof *r);
    r->st = CS_OK;
    r->cov = 1;
    for (int k = 0; k < j->nsums; k++) {
        const cell *c = &j->sums[k][i];
        if (c->st > r->st)
            r->st = c->st;
        if (c->cov < r->cov)
            r->cov = c->cov;
        r->approx |= c->approx;
    }
    if (j->src->agg == CTG_AGG_PUBLISHED) {
        /* in[0] = weight x value, in[1] = weight: a unit alone gives its value */
        double w = j->nsums > 1 && j->sums[1][i].st <= CS_PARTIAL ? j->sums[1][i].v : 1.0;
        r->in[0] = w * j->sums[0][i].v;
        r->in[1] = w;
        return;
    }
    for (int k = 0; k < j->nsums; k++) {
        r->in[k] = j->sums[k][i].v;
        r->hw[k] = j->sums[k][i].hw;
    }
}

/* Computes the sums every input of the alternative needs. */
static ctg_status gather(job *j, ctg_error *err)
{
    const ctg_source *src = j->src;
    ctg_status st = CTG_OK;
    if (src->agg == CTG_AGG_POINT_MORT) {
        /* end and start of the census interval for the stocks; the built
         * dwellings as the catalogue gives their years */
        static const int INPUT[8] = {CTG_PM_LOG, CTG_PM_LOG, CTG_PM_RP, CTG_PM_RP,
                                     CTG_PM_RSLV_STOCK, CTG_PM_RSLV_STOCK, CTG_PM_PMEN, CTG_PM_PMEN};
        for (int k = 0; k < 8 && st == CTG_OK; k++)
            st = sum_terms(j, &src->pm[INPUT[k]], k % 2 ? -5 : 0, j->sums[k], &j->census[k], err);
        if (st == CTG_OK)
            st = sum_terms(j, &src->pm[CTG_PM_BUILT], 0, j->sums[8], &j->census[8], err);
        j->nsums = 9;
        return st;
    }
    if (src->agg == CTG_AGG_GROWTH_NATURAL || src->agg == CTG_AGG_GROWTH_MIGRATION) {
        /* population end, start, births, deaths: each as its terms say */
        for (int k = 0; k < CTG_GS_INPUTS && st == CTG_OK; k++)
            st = sum_terms(j, &src->gs[k], 0, j->sums[k], &j->census[k], err);
        j->nsums = CTG_GS_INPUTS;
        return st;
    }
    st = sum_terms(j, &src->num, 0, j->sums[0], &j->census[0], err);
    j->nsums = 1;
    if (st == CTG_OK && src->den.n) {
        st = sum_terms(j, &src->den, 0, j->sums[1], &j->census[1], err);
        j->nsums = 2;
    } else if (st == CTG_OK && src->agg == CTG_AGG_PUBLISHED && src->weight.n) {
        int unused = 0;
        st = sum_terms(j, &src->weight, 0, j->sums[1], &unused, err);
        j->nsums = 2;
        /* the weight's availability does not decide the value's status: a
         * unit whose weight is unknown counts with weight 1 */
        for (size_t i = 0; i < j->g->n; i++)
            if (j->sums[1][i].st > CS_PARTIAL || !(j->sums[1][i].v > 0)) {
                memset(&j->sums[1][i], 0, sizeof j->sums[1][i]);
                j->sums[1][i].v = 1;
                j->sums[1][i].cov = 1;
                j->sums[1][i].st = CS_OK;
            }
    }
    return st;
}

/* The producer's own figure for a group, if a file gave one. */
static const group_figure *figure_for(const job *j, const ctg_group *grp)
{
    for (size_t i = 0; i < j->nfigures; i++)
        if (!strcmp(j->figures[i].level, ctg_level_name(grp->level)) &&
            !strcmp(j->figures[i].code, grp->code))
            return &j->figures[i];
    return NULL;
}

/* A group from its communes: ratio of sums over the members known,
 * coverage by population (ctg_compute_result documents it). */
static void aggregate(const job *j, const ctg_group *grp, const value_row *units,
                      const double *pop, value_row *out)
{
    memset(out, 0, sizeof *out);
    double pop_all = 0, pop_known = 0;
    int known = 0, secret = 0;
    for (size_t m = 0; m < grp->n; m++) {
        const value_row *u = &units[grp->members[m]];
        double p = pop[grp->members[m]];
        pop_all += p;
        if (u->st <= CS_PARTIAL) {
            for (int k = 0; k < MAX_INPUTS; k++) {
                out->in[k] += u->in[k];
                out->hw[k] += u->hw[k];
            }
            pop_known += p * u->cov;
            out->approx |= u->approx;
            known++;
        } else if (u->st == CS_SECRET) {
            secret++;
        }
    }
    out->cov = pop_all > 0 ? pop_known / pop_all : (grp->n ? (double)known / grp->n : 0);
    if (known == 0)
        out->st = secret ? CS_SECRET : CS_MISSING;
    else if (out->cov < 1 - 1e-12)
        out->st = CS_PARTIAL;
    else
        out->st = CS_OK;
}

/* Whether some inputs that could not be placed belong in this group: any
 * for France; those of its départements for a département or a région. */
static int misses_inputs(const job *j, const ctg_group *grp)
{
    if (!j->unmapped)
        return 0;
    if (grp->level == CTG_LEVEL_FR)
        return 1;
    if (grp->level != CTG_LEVEL_DEP && grp->level != CTG_LEVEL_REG)
        return 0;
    const char *list = ctg_buf_str(&j->unmapped_deps);
    for (size_t m = 0; m < grp->n; m++) {
        char key[8];
        snprintf(key, sizeof key, ";%s;", j->g->units[grp->members[m]].dep);
        if (strstr(list, key))
            return 1;
    }
    return 0;
}

/* Records what an (indicator, year) was computed from. */
static ctg_status write_year(writer *w, const job *j, const char *year, ctg_error *err)
{
    sqlite3_stmt *st = w->ins_year;
    sqlite3_bind_int(st, 1, w->geo_year);
    sqlite3_bind_text(st, 2, j->ind->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, year, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, j->src->rank);
    sqlite3_bind_text(st, 5, ctg_buf_str(&j->sources), -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(w->wh, rc, err, "writing an indicator's sources");
    return CTG_OK;
}

/* The value of group gi into r (its producer's figure for a published
 * rate when a file gives one, else from its communes). */
static void group_value(const job *j, size_t gi, const value_row *units, const double *pop,
                        value_row *r)
{
    const ctg_group *grp = &j->g->groups[gi];
    const group_figure *fig = j->src->agg == CTG_AGG_PUBLISHED ? figure_for(j, grp) : NULL;
    if (fig) {
        memset(r, 0, sizeof *r);
        r->value = fig->v;
        r->cov = 1;
        r->st = fig->st;
        r->in[0] = fig->v;
        r->in[1] = 1;
    } else {
        aggregate(j, grp, units, pop, r);
        r->approx_group = j->src->agg == CTG_AGG_PUBLISHED; /* a weighted mean */
    }
    r->ok = r->st <= CS_PARTIAL && finish_value(j->ind, j->src, r);
    if (fig)
        r->value = fig->v;
    size_flags(j, r);
    r->unmapped = (unsigned char)misses_inputs(j, grp);
}

/* Writes the units [from, to) of the geography. */
static ctg_status write_units(writer *w, const job *j, const char *year, const value_row *units,
                              size_t from, size_t to, ctg_error *err)
{
    ctg_status st = CTG_OK;
    for (size_t i = from; st == CTG_OK && i < to; i++)
        st = write_value(w, j, year, ctg_level_name(j->g->units[i].level), j->g->units[i].code,
                         &units[i], units[i].ok, 0, 0, 1, err);
    return st;
}

/* Writes the groups of one level (their rows follow the units'). */
static ctg_status write_groups_of(writer *w, const job *j, const char *year,
                                  const value_row *units, ctg_level level, ctg_error *err)
{
    const ctg_geo *g = j->g;
    ctg_status st = CTG_OK;
    for (size_t gi = 0; st == CTG_OK && gi < g->ngroups; gi++) {
        const value_row *r = &units[g->n + gi];
        if (g->groups[gi].level == level)
            st = write_value(w, j, year, ctg_level_name(level), g->groups[gi].code, r, r->ok,
                             r->approx_group, r->unmapped, 0, err);
    }
    return st;
}

/* Whether some unit in [from, to) has every input. */
static int some_present(const job *j, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        int present = 1;
        for (int k = 0; k < j->nsums; k++)
            present &= j->sums[k][i].st != CS_ABSENT;
        if (present)
            return 1;
    }
    return 0;
}

/*
 * Computes one (alternative, year) for every unit and group, then writes the
 * rows in the order of indicator_value's key (level: arm, commune, dep, epci,
 * fr, iris, reg; then code), so that SQLite appends rather than seeks.
 * units holds g->n unit rows then g->ngroups group rows.
 */
static ctg_status run_job(job *j, writer *w, const double *pop, value_row *units,
                          const char *year, ctg_error *err)
{
    const ctg_geo *g = j->g;
    ctg_status st = gather(j, err);
    if (st != CTG_OK)
        return st;
    /* a year is computed when some unit has every input present */
    j->any = some_present(j, 0, g->n);
    if (!j->any)
        return CTG_OK;
    st = write_year(w, j, year, err);
    /* IRIS values when some IRIS has every input: the IRIS files' indicators */
    size_t end = some_present(j, g->nmain, g->n) ? g->n : g->nmain;
    for (size_t i = 0; i < end; i++) {
        value_row *r = &units[i];
        unit_inputs(j, i, r);
        r->ok = r->st <= CS_PARTIAL && finish_value(j->ind, j->src, r);
        size_flags(j, r);
    }
    for (size_t gi = 0; gi < g->ngroups; gi++)
        group_value(j, gi, units, pop, &units[g->n + gi]);
    if (st == CTG_OK)
        st = write_units(w, j, year, units, g->ncommunes, g->nmain, err); /* arm */
    if (st == CTG_OK)
        st = write_units(w, j, year, units, 0, g->ncommunes, err);
    if (st == CTG_OK)
        st = write_groups_of(w, j, year, units, CTG_LEVEL_DEP, err);
    if (st == CTG_OK)
        st = write_groups_of(w, j, year, units, CTG_LEVEL_EPCI, err);
    if (st == CTG_OK)
        st = write_groups_of(w, j, year, units, CTG_LEVEL_FR, err);
    if (st == CTG_OK)
        st = write_units(w, j, year, units, g->nmain, end, err); /* iris */
    if (st == CTG_OK)
        st = write_groups_of(w, j, year, units, CTG_LEVEL_REG, err);
    if (st == CTG_OK)
        st = flush_values(w, err);
    w->npending = 0;
    return st;
}

/* ------------------------------------------------------------- driver */

#define POP_YEARS 16

typedef struct engine {
    ctg_warehouse *wh;
    const ctg_compute_options *opt;
    ctg_geo *g;
    ctg_fetch_cache *cache;
    char pop_year[POP_YEARS][16]; /* the years whose population is kept */
    double *pops[POP_YEARS];
    int npops;
    cell *cells;              /* scratch: MAX_INPUTS + 2 arrays of g->n */
    value_row *units;
    double *pop;
    writer w;
    ctg_compute_result *res;
} engine;

/* Population of each commune for a year, for coverage: the census the
 * catalogue's pop_total uses (the latest not after the year, else the
 * earliest), else 1 per commune. Kept per year. */
static ctg_status load_population(engine *e, const ctg_catalogue *cat, const char *year,
                                  ctg_error *err)
{
    for (int k = 0; k < e->npops; k++)
        if (!strcmp(e->pop_year[k], year)) {
            e->pop = e->pops[k];
            return CTG_OK;
        }
    int slot = e->npops < POP_YEARS ? e->npops++ : (int)(strlen(year) % POP_YEARS);
    if (!e->pops[slot] && !(e->pops[slot] = malloc((e->g->n ? e->g->n : 1) * sizeof(double))))
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    snprintf(e->pop_year[slot], sizeof e->pop_year[slot], "%s", year);
    e->pop = e->pops[slot];
    for (size_t i = 0; i < e->g->n; i++)
        e->pop[i] = 1;
    const ctg_indicator *pop = ctg_catalogue_find(cat, "pop_total");
    for (size_t a = 0; pop && a < pop->nalts; a++) {
        const ctg_term *t = &pop->alts[a].num.terms[0];
        const char *list = NULL, *best = NULL, *earliest = NULL;
        size_t n = 0;
        ctg_status st = ctg_fetch_periods_cached(e->cache, e->wh, t->family, t->variable, &list,
                                                 &n, err);
        if (st != CTG_OK)
            return st;
        int key = ctg_period_key(year);
        const char *p = list;
        for (size_t i = 0; i < n; i++, p += strlen(p) + 1) {
            int k = ctg_period_key(p);
            if (k <= key && (!best || k > ctg_period_key(best)))
                best = p;
            if (!earliest || k < ctg_period_key(earliest))
                earliest = p;
        }
        if (!best)
            best = earliest;
        if (!best)
            continue;
        fetch_info info = {0};
        st = ctg_fetch_cached(e->cache, e->wh, t->family, t->variable, best, e->cells, &info,
                              err);
        ctg_fetch_info_free(&info);
        if (st != CTG_OK)
            return st;
        for (size_t i = 0; i < e->g->n; i++)
            if (e->cells[i].st <= CS_PARTIAL && e->cells[i].v > 0)
                e->pop[i] = e->cells[i].v;
        return CTG_OK;
    }
    return CTG_OK;
}

/* The term whose periods are an alternative's years. */
static const ctg_term *main_term(const ctg_source *src)
{
    if (src->agg == CTG_AGG_POINT_MORT)
        return &src->pm[CTG_PM_LOG].terms[0];
    if (src->agg == CTG_AGG_GROWTH_NATURAL || src->agg == CTG_AGG_GROWTH_MIGRATION)
        return &src->gs[CTG_GS_END].terms[0];
    return &src->num.terms[0];
}

/* The years one alternative can give: the periods of its main term. */
static ctg_status alt_periods(engine *e, const ctg_source *src, const char **list, size_t *n,
                              ctg_error *err)
{
    const ctg_term *t = main_term(src);
    return ctg_fetch_periods_cached(e->cache, e->wh, t->family, t->variable, list, n, err);
}

int ctg_latest_geo_year(ctg_warehouse *wh)
{
    sqlite3_stmt *st = NULL;
    int y = 0;
    if (sqlite3_prepare_v2(ctg_wh_db(wh),
                           "SELECT max(geo_year) FROM (SELECT geo_year FROM geo_commune "
                           "UNION SELECT geo_year FROM geo_membership)",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        y = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return y;
}

/* Deletes what an earlier compute wrote for this geography year (only the
 * values of one year when year is given). */
/* Whether every row of indicator_value is of this geography year: then a
 * whole recompute empties the tables, which SQLite does page by page
 * instead of row by row (20 million rows on all of France). */
static int holds_only(ctg_warehouse *wh, int geo_year)
{
    sqlite3_stmt *st = NULL;
    if (ctg_wh_prepare(wh, "SELECT EXISTS (SELECT 1 FROM indicator_value WHERE geo_year != ?1)",
                       &st, NULL) != CTG_OK)
        return 0;
    sqlite3_bind_int(st, 1, geo_year);
    int only = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0) == 0;
    sqlite3_finalize(st);
    return only;
}

static ctg_status clear_previous(ctg_warehouse *wh, int geo_year, const char *year, ctg_error *err)
{
    const char *const SQL[] = {"DELETE FROM geo_unit WHERE geo_year = ?1",
                               /* by (indicator, year) ranges of the key, not a scan of
                                * the geography's values: every indicator with values has
                                * indicator_year rows (run_job writes both) */
                               year ? "DELETE FROM indicator_value WHERE geo_year = ?1 AND "
                                      "indicator IN (SELECT indicator FROM indicator_year "
                                      "WHERE geo_year = ?1) AND year = ?2"
                                    : "DELETE FROM indicator_value WHERE geo_year = ?1",
                               year ? "DELETE FROM indicator_year WHERE geo_year = ?1 AND year = ?2"
                                    : "DELETE FROM indicator_year WHERE geo_year = ?1"};
    const char *const ALL[] = {"DELETE FROM geo_unit", "DELETE FROM indicator_value",
                               "DELETE FROM indicator_year"};
    int truncate = !year && holds_only(wh, geo_year);
    for (int i = 0; i < 3; i++) {
        sqlite3_stmt *st = NULL;
        /* geo_unit of other years stays: only the value tables are emptied */
        const char *sql = truncate && i > 0 ? ALL[i] : SQL[i];
        ctg_status s = ctg_wh_prepare(wh, sql, &st, err);
        if (s != CTG_OK)
            return s;
        if (sql == SQL[i])
            sqlite3_bind_int(st, 1, geo_year);
        if (i > 0 && year)
            sqlite3_bind_text(st, 2, year, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        sqlite3_finalize(st);
        if (rc != SQLITE_DONE)
            return ctg_wh_fail(wh, rc, err, "clearing an earlier compute");
    }
    return CTG_OK;
}

/* One indicator of the catalogue to compute, with its fingerprint. */
typedef struct work_item {
    const ctg_indicator *ind;
    char fingerprint[CTG_SHA256_HEX_LEN + 1];
    int stale;                /* to compute */
} work_item;

static int cmp_work_item(const void *a, const void *b)
{
    return strcmp(((const work_item *)a)->ind->id, ((const work_item *)b)->ind->id);
}

static int has_units(ctg_warehouse *wh, int geo_year)
{
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (ctg_wh_prepare(wh, "SELECT EXISTS (SELECT 1 FROM geo_unit WHERE geo_year = ?1)", &st,
                       NULL) == CTG_OK) {
        sqlite3_bind_int(st, 1, geo_year);
        yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return yes;
}

/* The indicators in the order of their ids (the first column of
 * indicator_value's key after the geography year: rows are appended, not
 * inserted), each with its fingerprint, stale when it must be computed:
 * always, unless incremental and its fingerprint is the one stored. */
static ctg_status plan_work(ctg_warehouse *wh, const ctg_catalogue *cat,
                            const ctg_compute_options *opt, int geo_year, work_item **out, size_t *n,
                            size_t *nstale, ctg_error *err)
{
    *n = ctg_catalogue_count(cat);
    *nstale = 0;
    work_item *t = calloc(*n ? *n : 1, sizeof *t);
    *out = t;
    if (!t)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    ctg_state *state = NULL;
    ctg_status st = ctg_state_open(wh, geo_year, &state, err);
    int check = opt->incremental && !opt->year && st == CTG_OK && has_units(wh, geo_year);
    for (size_t i = 0; st == CTG_OK && i < *n; i++) {
        t[i].ind = ctg_catalogue_at(cat, i);
        ctg_state_fingerprint(state, cat, t[i].ind, t[i].fingerprint);
        char stored[CTG_SHA256_HEX_LEN + 1] = "";
        if (check)
            st = ctg_state_stored(wh, geo_year, t[i].ind->id, stored, err);
        t[i].stale = !check || strcmp(stored, t[i].fingerprint) != 0;
        *nstale += (size_t)t[i].stale;
    }
    ctg_state_free(state);
    if (st == CTG_OK)
        qsort(t, *n, sizeof *t, cmp_work_item);
    return st;
}

/* ",id1,id2,...,": every id of the catalogue. */
static void catalogue_ids(const ctg_catalogue *cat, ctg_buf *ids)
{
    ctg_buf_putc(ids, ',');
    for (size_t i = 0; i < ctg_catalogue_count(cat); i++)
        ctg_buf_printf(ids, "%s,", ctg_catalogue_at(cat, i)->id);
}

/* Whether the geography year holds values of indicators the catalogue no
 * longer has (a whole compute drops them; an incremental one must too). */
static int has_orphans(ctg_warehouse *wh, int geo_year, const char *ids)
{
    sqlite3_stmt *st = NULL;
    int yes = 0;
    if (ctg_wh_prepare(wh,
                       "SELECT EXISTS (SELECT 1 FROM indicator_year WHERE geo_year = ?1 AND "
                       "instr(?2, ',' || indicator || ',') = 0)",
                       &st, NULL) == CTG_OK) {
        sqlite3_bind_int(st, 1, geo_year);
        sqlite3_bind_text(st, 2, ids, -1, SQLITE_STATIC);
        yes = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
    }
    sqlite3_finalize(st);
    return yes;
}

/* Runs sql with ?1 geo_year and ?2 text (when the statement has it). */
static ctg_status exec_year(ctg_warehouse *wh, const char *sql, int geo_year, const char *text,
                            ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status rc = ctg_wh_prepare(wh, sql, &st, err);
    if (rc != CTG_OK)
        return rc;
    sqlite3_bind_int(st, 1, geo_year);
    if (text)
        sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step != SQLITE_DONE)
        return ctg_wh_fail(wh, step, err, "clearing an earlier compute");
    return CTG_OK;
}

/* Clears what the indicators to compute hold, after keeping their values
 * when changes are recorded: everything of the year when all are to be
 * computed, else the rows of the stale ones (and geo_unit, rewritten). */
static ctg_status clear_work(ctg_warehouse *wh, const ctg_catalogue *cat,
                             const ctg_compute_options *opt, int geo_year, const work_item *t, size_t n,
                             size_t nstale, ctg_error *err)
{
    ctg_status st = CTG_OK;
    for (size_t i = 0; st == CTG_OK && opt->changes && i < n; i++)
        if (t[i].stale)
            st = ctg_changes_before(wh, geo_year, t[i].ind->id, err);
    if (st != CTG_OK || nstale == n)
        return st == CTG_OK ? clear_previous(wh, geo_year, opt->year, err) : st;
    st = exec_year(wh, "DELETE FROM geo_unit WHERE geo_year = ?1", geo_year, NULL, err);
    /* the values of indicators the catalogue no longer has */
    ctg_buf ids = CTG_BUF_INIT;
    catalogue_ids(cat, &ids);
    static const char *const ORPHANS[] = {
        "DELETE FROM indicator_value WHERE geo_year = ?1 AND instr(?2, ',' || indicator || ',') = 0",
        "DELETE FROM indicator_year WHERE geo_year = ?1 AND instr(?2, ',' || indicator || ',') = 0",
        "DELETE FROM indicator_state WHERE geo_year = ?1 AND instr(?2, ',' || indicator || ',') = 0"};
    for (size_t k = 0; st == CTG_OK && k < 3; k++)
        st = exec_year(wh, ORPHANS[k], geo_year, ctg_buf_str(&ids), err);
    ctg_buf_free(&ids);
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        if (!t[i].stale)
            continue;
        st = exec_year(wh, "DELETE FROM indicator_value WHERE geo_year = ?1 AND indicator = ?2",
                       geo_year, t[i].ind->id, err);
        if (st == CTG_OK)
            st = exec_year(wh,
                           "DELETE FROM indicator_year WHERE geo_year = ?1 AND indicator = ?2",
                           geo_year, t[i].ind->id, err);
    }
    return st;
}

static long long max_change_id(ctg_warehouse *wh)
{
    sqlite3_stmt *st = NULL;
    long long id = 0;
    if (ctg_wh_prepare(wh, "SELECT coalesce(max(id), 0) FROM change", &st, NULL) == CTG_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return id;
}

/*
 * The work is done year by year, the indicators of a year in the order of
 * their ids: the inputs of a year (a census vintage, a CAF month) serve the
 * many indicators of that year while they are in the fetch cache, where an
 * indicator-by-indicator order read each census file again for each
 * indicator (a national compute: 1,700 fetches from SQLite, 921 year by year,
 * for 568 distinct inputs). Each (indicator, year) still writes one sorted
 * run of indicator_value's key, now into the middle of the table.
 */

/* One (indicator, year label) to compute: its candidates, the (alternative,
 * period) pairs that may give it, tried in the catalogue's order until one
 * gives a value. */
typedef struct candidate {
    size_t alt;
    const char *period;       /* into the fetch cache's period lists */
} candidate;

typedef struct task {
    size_t item;              /* index of the indicator in the work list */
    char label[16];
    int year;                 /* the label's first year: the order of the work */
    candidate *cands;
    size_t ncands, cap;
} task;

typedef struct task_list {
    task *t;
    size_t n, cap;
} task_list;

static void tasks_free(task_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->t[i].cands);
    free(l->t);
}

/* The task of (item, label) in l[from..n), added when missing. */
static ctg_status task_for(task_list *l, size_t from, size_t item, const char *label, task **out,
                           ctg_error *err)
{
    for (size_t i = from; i < l->n; i++)
        if (!strcmp(l->t[i].label, label)) {
            *out = &l->t[i];
            return CTG_OK;
        }
    if (ctg_grow(&l->t, l->n, &l->cap, sizeof *l->t, 256) != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    task *t = &l->t[l->n++];
    memset(t, 0, sizeof *t);
    t->item = item;
    snprintf(t->label, sizeof t->label, "%s", label);
    t->year = atoi(label);
    *out = t;
    return CTG_OK;
}

static ctg_status add_candidate(task *t, size_t alt, const char *period, ctg_error *err)
{
    if (ctg_grow(&t->cands, t->ncands, &t->cap, sizeof *t->cands, 2) != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    t->cands[t->ncands++] = (candidate){alt, period};
    return CTG_OK;
}

/* The tasks of the stale indicators of w: every year label some
 * alternative's periods give (only opt->year when set). */
static ctg_status plan_tasks(engine *e, const work_item *w, size_t n, task_list *l,
                             ctg_error *err)
{
    ctg_status st = CTG_OK;
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        if (!w[i].stale)
            continue;
        size_t first = l->n; /* this indicator's tasks start here */
        for (size_t a = 0; st == CTG_OK && a < w[i].ind->nalts; a++) {
            size_t np = 0;
            const char *periods = NULL;
            st = alt_periods(e, &w[i].ind->alts[a], &periods, &np, err);
            const char *p = periods;
            for (size_t k = 0; st == CTG_OK && k < np; k++, p += strlen(p) + 1) {
                char label[16];
                year_label(p, label);
                if (e->opt->year && strcmp(e->opt->year, label))
                    continue;
                task *t = NULL;
                st = task_for(l, first, i, label, &t, err);
                if (st == CTG_OK)
                    st = add_candidate(t, a, p, err);
            }
        }
    }
    return st;
}

static int cmp_task(const void *a, const void *b)
{
    const task *x = a, *y = b;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    if (x->item != y->item)
        return x->item < y->item ? -1 : 1;
    return strcmp(x->label, y->label);
}

/* Runs the candidates of task t until one gives a value; *given says
 * whether one did. */
static ctg_status run_task(engine *e, const ctg_catalogue *cat, const ctg_indicator *ind,
                           const task *t, int *given, ctg_error *err)
{
    ctg_status st = CTG_OK;
    *given = 0;
    for (size_t c = 0; st == CTG_OK && c < t->ncands && !*given; c++) {
        const ctg_source *src = &ind->alts[t->cands[c].alt];
        job j;
        memset(&j, 0, sizeof j);
        j.wh = e->wh;
        j.cache = e->cache;
        j.g = e->g;
        j.ind = ind;
        j.src = src;
        j.main = main_term(src);
        j.main_period = t->cands[c].period;
        j.year_key = ctg_period_key(j.main_period);
        j.tmp = e->cells;
        for (int s = 0; s < MAX_INPUTS; s++)
            j.sums[s] = e->cells + (size_t)(s + 1) * e->g->n;
        st = load_population(e, cat, t->label, err);
        if (st == CTG_OK)
            st = run_job(&j, &e->w, e->pop, e->units, t->label, err);
        if (st == CTG_OK && j.any) {
            *given = 1;
            e->res->years++;
            e->res->unmapped += j.unmapped;
        }
        ctg_fetch_info_free(&j.info);
        ctg_buf_free(&j.sources);
        ctg_buf_free(&j.unmapped_deps);
        free(j.figures);
    }
    return st;
}

/* Computes the stale indicators of w, year by year, then records their
 * changes and fingerprints. */
static ctg_status compute_work(engine *e, const ctg_catalogue *cat, const work_item *w, size_t n,
                               ctg_error *err)
{
    task_list l = {0};
    int *years = calloc(n ? n : 1, sizeof *years); /* years given, per indicator */
    ctg_status st = years ? plan_tasks(e, w, n, &l, err)
                          : ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    if (st == CTG_OK && l.n)
        qsort(l.t, l.n, sizeof *l.t, cmp_task);
    for (size_t i = 0; st == CTG_OK && i < l.n; i++) {
        int given = 0;
        st = run_task(e, cat, w[l.t[i].item].ind, &l.t[i], &given, err);
        years[l.t[i].item] += given;
    }
    /* then, indicator by indicator: what changed, and the state */
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        if (!w[i].stale)
            continue;
        if (years[i])
            e->res->indicators++;
        else if (e->opt->diag)
            fprintf(e->opt->diag,
                    "ctgdiag compute: %s: no input in the warehouse for any year\n",
                    w[i].ind->id);
        if (e->opt->changes)
            st = ctg_changes_after(e->wh, e->res->geo_year, w[i].ind, e->opt->changes, err);
        if (st == CTG_OK && !e->opt->year)
            st = ctg_state_store(e->wh, e->res->geo_year, w[i].ind->id, w[i].fingerprint,
                                 e->opt->run_id, err);
    }
    if (st == CTG_OK && e->opt->year)
        st = exec_year(e->wh, "DELETE FROM indicator_state WHERE geo_year = ?1",
                       e->res->geo_year, NULL, err);
    tasks_free(&l);
    free(years);
    return st;
}

ctg_status ctg_compute(ctg_warehouse *wh, const ctg_catalogue *cat,
                       const ctg_compute_options *opt, ctg_compute_result *res, ctg_error *err)
{
    memset(res, 0, sizeof *res);
    engine e;
    memset(&e, 0, sizeof e);
    e.wh = wh;
    e.opt = opt;
    e.res = res;
    int geo_year = opt->geo_year ? opt->geo_year : ctg_latest_geo_year(wh);
    if (!geo_year)
        return ctg_fail(err, CTG_ERR_NOINPUT, NULL, 0,
                        "no geography in the warehouse: ingest a COG communes file or a table "
                        "d'appartenance first");
    res->geo_year = geo_year;
    work_item *work = NULL;
    size_t nwork = 0, nstale = 0;
    ctg_status st = plan_work(wh, cat, opt, geo_year, &work, &nwork, &nstale, err);
    res->up_to_date = (long)(nwork - nstale);
    int orphans = 0;
    if (st == CTG_OK && nstale == 0) {
        ctg_buf ids = CTG_BUF_INIT;
        catalogue_ids(cat, &ids);
        orphans = has_orphans(wh, geo_year, ctg_buf_str(&ids));
        ctg_buf_free(&ids);
    }
    if (st != CTG_OK || (nstale == 0 && !orphans)) {
        free(work);
        return st;
    }
    /* Millions of rows in one transaction: a rollback journal (it keeps only
     * the pages the transaction changes) instead of a WAL that would grow as
     * large as the rows and slow every page read. Back to WAL afterwards. */
    ctg_wh_bulk_begin(wh);
    st = ctg_wh_begin(wh, err);
    if (st != CTG_OK) {
        ctg_wh_bulk_end(wh);
        free(work);
        return st;
    }
    long long changes_from = opt->changes ? max_change_id(wh) : 0;
    /* the IRIS of a commune, read by the reports (created here too for a
     * warehouse made before the index existed) */
    st = ctg_wh_exec(wh, "CREATE INDEX IF NOT EXISTS geo_unit_commune ON geo_unit(geo_year, commune)",
                     err);
    if (st == CTG_OK)
        st = clear_work(wh, cat, opt, geo_year, work, nwork, nstale, err);
    if (st == CTG_OK)
        st = ctg_geo_load(wh, geo_year, &e.g, err);
    if (st == CTG_OK) {
        e.cells = calloc((size_t)(MAX_INPUTS + 1) * e.g->n, sizeof *e.cells);
        e.units = calloc(e.g->n + e.g->ngroups, sizeof *e.units);
        /* 20 fetches of 32 bytes a unit: 23 MB nationally; an LRU of 24 would
         * spare 7 % of the fetches (921 -> 853, simulated on a trace of the
         * national compute) for 4.7 MB more, past the 64 MB of issue 6 */
        e.cache = ctg_fetch_cache_new(e.g, 20);
        if (!e.cells || !e.units || !e.cache)
            st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    }
    e.w.wh = wh;
    e.w.geo_year = geo_year;
    if (st == CTG_OK)
        st = prepare_insert(wh, BATCH_ROWS, &e.w.ins, err);
    if (st == CTG_OK)
        st = prepare_insert(wh, 1, &e.w.ins_one, err);
    if (st == CTG_OK)
        st = ctg_wh_prepare(wh,
                            "INSERT OR REPLACE INTO indicator_year(geo_year, indicator, year, "
                            "source_rank, sources) VALUES (?1, ?2, ?3, ?4, ?5)",
                            &e.w.ins_year, err);
    if (st == CTG_OK)
        st = compute_work(&e, cat, work, nwork, err);
    free(work);
    sqlite3_finalize(e.w.ins);
    sqlite3_finalize(e.w.ins_one);
    sqlite3_finalize(e.w.ins_year);
    res->values = e.w.rows;
    if (st == CTG_OK && opt->changes)
        res->changes = (long)(max_change_id(wh) - changes_from);
    if (st == CTG_OK)
        st = ctg_wh_commit(wh, err);
    else
        ctg_wh_rollback(wh);
    ctg_wh_bulk_end(wh);
    ctg_geo_free(e.g);
    free(e.cells);
    free(e.units);
    for (int k = 0; k < e.npops; k++)
        free(e.pops[k]);
    ctg_fetch_cache_free(e.cache);
    return st;
}
