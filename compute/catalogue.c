/* catalogue.c - reading schemas/indicators.csv (catalogue.h). */
#include "compute/catalogue.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "ingest/reader.h"

struct ctg_catalogue {
    ctg_indicator *items;
    size_t count, cap;
};

static const char *const AGG_NAMES[] = {"sum",        "ratio",          "published",
                                        "growth",     "point_mort",     "growth_natural",
                                        "growth_migration"};

const char *ctg_aggregation_name(ctg_aggregation a)
{
    return (unsigned)a <= CTG_AGG_GROWTH_MIGRATION ? AGG_NAMES[a] : "?";
}

/* The columns of the file, bound by name. */
enum { C_ID, C_RANK, C_LABEL, C_UNIT, C_SCALE, C_NUM, C_DEN, C_WEIGHT, C_AGG, C_STATUS, C_AXIS,
       C_DEF, C_COUNT };
static const char *const COLUMNS[C_COUNT] = {"id",          "rank",        "label",  "unit",
                                             "scale",       "numerator",   "denominator",
                                             "weight",      "aggregation", "status", "axis",
                                             "definition"};

typedef struct parse_ctx {
    const char *path;
    long line;
    ctg_error *err;
} parse_ctx;

static ctg_status bad(parse_ctx *p, const char *what, const char *text)
{
    return ctg_fail(p->err, CTG_ERR_SCHEMA, p->path, p->line, "%s: '%.80s'", what, text);
}

static int is_name(const char *s, size_t n)
{
    if (n == 0 || n >= CTG_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    return 1;
}

/* Reads "-5" or "+2" or "0" at *s; returns 0 on failure. */
static int read_offset(const char **s, int *out)
{
    char *end;
    long v = strtol(*s, &end, 10);
    if (end == *s || v < -50 || v > 50)
        return 0;
    *out = (int)v;
    *s = end;
    return 1;
}

/* "family:variable", "family:variable@-5", "family:variable@-4..0",
 * "family:variable@span:-5..0" */
static ctg_status parse_term(parse_ctx *p, const char *s, size_t n, ctg_term *t)
{
    char text[256];
    if (n >= sizeof text)
        return bad(p, "term too long", s);
    memcpy(text, s, n);
    text[n] = '\0';
    const char *colon = strchr(text, ':');
    if (!colon || !is_name(text, (size_t)(colon - text)))
        return bad(p, "a term reads family:variable", text);
    memcpy(t->family, text, (size_t)(colon - text));
    t->family[colon - text] = '\0';
    const char *var = colon + 1;
    const char *at = strchr(var, '@');
    size_t vn = at ? (size_t)(at - var) : strlen(var);
    if (!is_name(var, vn))
        return bad(p, "a variable is lower-case letters, digits and '_'", text);
    memcpy(t->variable, var, vn);
    t->variable[vn] = '\0';
    t->from = t->to = 0;
    t->span = 0;
    if (at && !strncmp(at + 1, "span:", 5)) {
        /* one period written YYYY-YYYY, from year + FROM to year + TO */
        const char *q = at + 6;
        if (!read_offset(&q, &t->from) || q[0] != '.' || q[1] != '.')
            return bad(p, "a span reads @span:FROM..TO (@span:-5..0)", text);
        q += 2;
        if (!read_offset(&q, &t->to) || *q)
            return bad(p, "a span reads @span:FROM..TO (@span:-5..0)", text);
        if (t->to <= t->from)
            return bad(p, "a span @span:FROM..TO needs FROM < TO", text);
        t->span = 1;
    } else if (at) {
        const char *q = at + 1;
        if (!read_offset(&q, &t->from))
            return bad(p, "a period offset reads @-5, @-4..0 or @span:-5..0", text);
        t->to = t->from;
        if (q[0] == '.' && q[1] == '.') {
            q += 2;
            if (!read_offset(&q, &t->to) || t->to < t->from)
                return bad(p, "a period range reads @FROM..TO with FROM <= TO", text);
        }
        if (*q)
            return bad(p, "unexpected text after the period offset", text);
    }
    return CTG_OK;
}

static void trim_span(const char **s, size_t *n)
{
    while (*n > 0 && isspace((unsigned char)**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* "term + term + ..." ("" gives an empty sum). */
static ctg_status parse_sum(parse_ctx *p, const char *s, ctg_sum *sum)
{
    sum->terms = NULL;
    sum->n = 0;
    const char *start = s;
    for (;;) {
        const char *plus = strstr(start, " + ");
        size_t n = plus ? (size_t)(plus - start) : strlen(start);
        const char *t = start;
        trim_span(&t, &n);
        if (n == 0) {
            if (plus || sum->n > 0)
                return bad(p, "an empty term in a sum", s);
            return CTG_OK;
        }
        ctg_term *l = realloc(sum->terms, (sum->n + 1) * sizeof *l);
        if (!l)
            return ctg_fail(p->err, CTG_ERR_NOMEM, p->path, p->line, "out of memory");
        sum->terms = l;
        ctg_status st = parse_term(p, t, n, &l[sum->n]);
        if (st != CTG_OK)
            return st;
        sum->n++;
        if (!plus)
            return CTG_OK;
        start = plus + 3;
    }
}

/* Named inputs "name=terms; name=terms; ..." into sums[0..n), each of the
 * names once and every one given: the point mort ("log=...; rp=...;
 * rslv=...; pmen=...; built=...") and the growth split ("end=...;
 * start=...; births=...; deaths=..."). what names the method in messages,
 * list the names as the messages give them. */
static ctg_status parse_named(parse_ctx *p, const char *s, const char *what,
                              const char *const *names, int n, const char *list,
                              ctg_sum *sums)
{
    char msg[160];
    char *copy = strdup(s);
    if (!copy)
        return ctg_fail(p->err, CTG_ERR_NOMEM, p->path, p->line, "out of memory");
    ctg_status st = CTG_OK;
    char *save = NULL;
    for (char *part = strtok_r(copy, ";", &save); part && st == CTG_OK;
         part = strtok_r(NULL, ";", &save)) {
        char *eq = strchr(part, '=');
        if (!eq) {
            snprintf(msg, sizeof msg, "a %s input reads name=terms", what);
            st = bad(p, msg, part);
            break;
        }
        *eq = '\0';
        const char *name = part;
        size_t nn = strlen(name);
        trim_span(&name, &nn);
        int k = -1;
        for (int i = 0; i < n; i++)
            if (strlen(names[i]) == nn && !strncmp(name, names[i], nn))
                k = i;
        if (k < 0) {
            snprintf(msg, sizeof msg, "%s inputs are %s", what, list);
            st = bad(p, msg, name);
            break;
        }
        if (sums[k].n) {
            snprintf(msg, sizeof msg, "a %s input given twice", what);
            st = bad(p, msg, name);
            break;
        }
        st = parse_sum(p, eq + 1, &sums[k]);
    }
    for (int i = 0; st == CTG_OK && i < n; i++)
        if (sums[i].n == 0) {
            snprintf(msg, sizeof msg, "a %s line needs %s", what, list);
            st = bad(p, msg, s);
        }
    free(copy);
    return st;
}

/* Point mort: "log=...; rp=...; rslv=...; pmen=...; built=..." */
static ctg_status parse_point_mort(parse_ctx *p, const char *s, ctg_source *src)
{
    static const char *const NAMES[CTG_PM_INPUTS] = {"log", "rp", "rslv", "pmen", "built"};
    return parse_named(p, s, "point-mort", NAMES, CTG_PM_INPUTS,
                       "log, rp, rslv, pmen and built", src->pm);
}

/* Growth split: "end=...; start=...; births=...; deaths=..." */
static ctg_status parse_growth_split(parse_ctx *p, const char *s, ctg_source *src)
{
    static const char *const NAMES[CTG_GS_INPUTS] = {"end", "start", "births", "deaths"};
    return parse_named(p, s, "growth-split", NAMES, CTG_GS_INPUTS,
                       "end, start, births and deaths", src->gs);
}

static const char *const PM_PARTS[] = {"total", "renouvellement", "rslv", "desserrement",
                                       "effet_demographique"};

static ctg_status parse_aggregation(parse_ctx *p, const char *s, ctg_source *src)
{
    if (!strncmp(s, "point_mort:", 11)) {
        for (int i = 0; i <= CTG_PM_EFFET_DEMO; i++)
            if (!strcmp(s + 11, PM_PARTS[i])) {
                src->agg = CTG_AGG_POINT_MORT;
                src->pm_part = (ctg_point_mort_part)i;
                return CTG_OK;
            }
        return bad(p, "point_mort:PART with PART total, renouvellement, rslv, desserrement or "
                      "effet_demographique",
                   s);
    }
    static const struct {
        const char *prefix;
        ctg_aggregation agg;
        const char *msg;
    } YEARLY[] = {
        {"growth:", CTG_AGG_GROWTH, "growth reads growth:YEARS"},
        {"growth_natural:", CTG_AGG_GROWTH_NATURAL,
         "growth_natural reads growth_natural:YEARS (1 to 50)"},
        {"growth_migration:", CTG_AGG_GROWTH_MIGRATION,
         "growth_migration reads growth_migration:YEARS (1 to 50)"},
    };
    for (size_t i = 0; i < sizeof YEARLY / sizeof YEARLY[0]; i++) {
        size_t pn = strlen(YEARLY[i].prefix);
        if (strncmp(s, YEARLY[i].prefix, pn))
            continue;
        char *end;
        long n = strtol(s + pn, &end, 10);
        if (end == s + pn || *end || n < 1 || n > 50)
            return bad(p, YEARLY[i].msg, s);
        src->agg = YEARLY[i].agg;
        src->years = (int)n;
        return CTG_OK;
    }
    for (int i = 0; i < CTG_AGG_POINT_MORT; i++)
        if (i != CTG_AGG_GROWTH && !strcmp(s, AGG_NAMES[i])) {
            src->agg = (ctg_aggregation)i;
            return CTG_OK;
        }
    return bad(p, "aggregation is sum, ratio, published, growth:N, growth_natural:N, "
                  "growth_migration:N or point_mort:PART",
               s);
}

static void free_source(ctg_source *s)
{
    free(s->definition);
    free(s->num.terms);
    free(s->den.terms);
    free(s->weight.terms);
    for (int i = 0; i < CTG_PM_INPUTS; i++)
        free(s->pm[i].terms);
    for (int i = 0; i < CTG_GS_INPUTS; i++)
        free(s->gs[i].terms);
}

static void free_indicator(ctg_indicator *ind)
{
    free(ind->id);
    free(ind->label);
    free(ind->unit);
    free(ind->axis);
    free(ind->definition);
    for (size_t i = 0; i < ind->nalts; i++)
        free_source(&ind->alts[i]);
    free(ind->alts);
}

/* The indicator of this id, created at the end when new. */
static ctg_indicator *indicator_for(ctg_catalogue *cat, const char *id, int *is_new)
{
    for (size_t i = 0; i < cat->count; i++)
        if (!strcmp(cat->items[i].id, id)) {
            *is_new = 0;
            return &cat->items[i];
        }
    if (cat->count == cat->cap) {
        size_t cap = cat->cap ? cat->cap * 2 : 64;
        ctg_indicator *l = realloc(cat->items, cap * sizeof *l);
        if (!l)
            return NULL;
        cat->items = l;
        cat->cap = cap;
    }
    ctg_indicator *ind = &cat->items[cat->count++];
    memset(ind, 0, sizeof *ind);
    ind->id = strdup(id);
    *is_new = 1;
    return ind->id ? ind : NULL;
}

static ctg_status parse_source(parse_ctx *p, const char *const *f, ctg_source *src)
{
    memset(src, 0, sizeof *src);
    src->line = p->line;
    char *end;
    src->rank = (int)strtol(f[C_RANK], &end, 10);
    if (*end || src->rank < 1)
        return bad(p, "rank is 1, 2, ...", f[C_RANK]);
    ctg_status st = parse_aggregation(p, f[C_AGG], src);
    if (st != CTG_OK)
        return st;
    if (!strcmp(f[C_STATUS], "approx"))
        src->approx = 1;
    else if (strcmp(f[C_STATUS], "ok"))
        return bad(p, "status is ok or approx", f[C_STATUS]);
    src->definition = strdup(f[C_DEF]);
    if (!src->definition)
        return ctg_fail(p->err, CTG_ERR_NOMEM, p->path, p->line, "out of memory");
    if (src->agg == CTG_AGG_POINT_MORT)
        return parse_point_mort(p, f[C_NUM], src);
    if (src->agg == CTG_AGG_GROWTH_NATURAL || src->agg == CTG_AGG_GROWTH_MIGRATION)
        return parse_growth_split(p, f[C_NUM], src);
    st = parse_sum(p, f[C_NUM], &src->num);
    if (st == CTG_OK)
        st = parse_sum(p, f[C_DEN], &src->den);
    if (st == CTG_OK)
        st = parse_sum(p, f[C_WEIGHT], &src->weight);
    if (st != CTG_OK)
        return st;
    if (src->num.n == 0)
        return bad(p, "no numerator", f[C_ID]);
    if ((src->agg == CTG_AGG_RATIO || src->agg == CTG_AGG_GROWTH) && src->den.n == 0)
        return bad(p, "a ratio or a growth needs a denominator", f[C_ID]);
    if (src->agg == CTG_AGG_SUM && src->den.n)
        return bad(p, "a sum has no denominator", f[C_ID]);
    return CTG_OK;
}

static ctg_status add_line(ctg_catalogue *cat, parse_ctx *p, const char *const *f)
{
    if (!is_name(f[C_ID], strlen(f[C_ID])))
        return bad(p, "an id is lower-case letters, digits and '_'", f[C_ID]);
    int is_new;
    ctg_indicator *ind = indicator_for(cat, f[C_ID], &is_new);
    if (!ind)
        return ctg_fail(p->err, CTG_ERR_NOMEM, p->path, p->line, "out of memory");
    if (is_new) {
        char *end;
        ind->scale = strtod(f[C_SCALE], &end);
        if (*end || ind->scale <= 0)
            return bad(p, "scale is a positive number (100 for %)", f[C_SCALE]);
        ind->label = strdup(f[C_LABEL]);
        ind->unit = strdup(f[C_UNIT]);
        ind->axis = strdup(f[C_AXIS]);
        ind->definition = strdup(f[C_DEF]);
        if (!ind->label || !ind->unit || !ind->axis || !ind->definition)
            return ctg_fail(p->err, CTG_ERR_NOMEM, p->path, p->line, "out of memory");
        if (!ind->label[0])
            return bad(p, "no label", f[C_ID]);
    }
    ctg_source *l = realloc(ind->alts, (ind->nalts + 1) * sizeof *l);
    if (!l)
        return ctg_fail(p->err, CTG_ERR_NOMEM, p->path, p->line, "out of memory");
    ind->alts = l;
    ctg_status st = parse_source(p, f, &l[ind->nalts]);
    ind->nalts++; /* freed with the indicator even when malformed */
    if (st != CTG_OK)
        return st;
    for (size_t i = 0; i + 1 < ind->nalts; i++)
        if (ind->alts[i].rank == l[ind->nalts - 1].rank)
            return bad(p, "two lines of this id have the same rank", f[C_ID]);
    /* keep the alternatives in rank order */
    for (size_t i = ind->nalts - 1; i > 0 && ind->alts[i - 1].rank > ind->alts[i].rank; i--) {
        ctg_source t = ind->alts[i];
        ind->alts[i] = ind->alts[i - 1];
        ind->alts[i - 1] = t;
    }
    return CTG_OK;
}

static ctg_status bind_header(parse_ctx *p, const ctg_record *rec, int col[C_COUNT])
{
    for (int c = 0; c < C_COUNT; c++) {
        col[c] = -1;
        for (size_t i = 0; i < rec->nfields; i++)
            if (!strcmp(rec->fields[i], COLUMNS[c]))
                col[c] = (int)i;
        if (col[c] < 0)
            return ctg_fail(p->err, CTG_ERR_SCHEMA, p->path, p->line,
                            "the catalogue has no column '%s'", COLUMNS[c]);
    }
    return CTG_OK;
}

ctg_status ctg_catalogue_load(const char *path, ctg_catalogue **out, ctg_error *err)
{
    ctg_catalogue *cat = calloc(1, sizeof *cat);
    ctg_reader *r = NULL;
    parse_ctx p = {path, 0, err};
    int col[C_COUNT];
    if (!cat)
        return ctg_fail(err, CTG_ERR_NOMEM, path, 0, "out of memory");
    ctg_status st = ctg_reader_open(path, &r, err);
    if (st == CTG_OK)
        st = ctg_reader_start(r, ';', 0, err);
    const ctg_record *rec = NULL;
    if (st == CTG_OK)
        st = ctg_reader_next(r, &rec, err);
    if (st == CTG_OK && !rec)
        st = ctg_fail(err, CTG_ERR_SCHEMA, path, 0, "empty catalogue");
    if (st == CTG_OK) {
        p.line = rec->line;
        st = bind_header(&p, rec, col);
    }
    while (st == CTG_OK) {
        st = ctg_reader_next(r, &rec, err);
        if (st != CTG_OK || !rec)
            break;
        p.line = rec->line;
        const char *f[C_COUNT];
        for (int c = 0; c < C_COUNT; c++)
            f[c] = (size_t)col[c] < rec->nfields ? rec->fields[col[c]] : "";
        st = add_line(cat, &p, f);
    }
    ctg_reader_close(r);
    if (st == CTG_ERR_DATA)
        st = CTG_ERR_SCHEMA;
    if (st != CTG_OK) {
        ctg_catalogue_free(cat);
        return st;
    }
    *out = cat;
    return CTG_OK;
}

void ctg_catalogue_free(ctg_catalogue *cat)
{
    if (!cat)
        return;
    for (size_t i = 0; i < cat->count; i++)
        free_indicator(&cat->items[i]);
    free(cat->items);
    free(cat);
}

size_t ctg_catalogue_count(const ctg_catalogue *cat)
{
    return cat->count;
}

const ctg_indicator *ctg_catalogue_at(const ctg_catalogue *cat, size_t i)
{
    return i < cat->count ? &cat->items[i] : NULL;
}

const ctg_indicator *ctg_catalogue_find(const ctg_catalogue *cat, const char *id)
{
    for (size_t i = 0; i < cat->count; i++)
        if (!strcmp(cat->items[i].id, id))
            return &cat->items[i];
    return NULL;
}

void ctg_sum_format(const ctg_sum *s, char *buf, size_t size)
{
    size_t o = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->n && o < size; i++) {
        const ctg_term *t = &s->terms[i];
        int n;
        if (t->span)
            n = snprintf(buf + o, size - o, "%s%s:%s@span:%d..%d", i ? " + " : "", t->family,
                         t->variable, t->from, t->to);
        else if (t->from == 0 && t->to == 0)
            n = snprintf(buf + o, size - o, "%s%s:%s", i ? " + " : "", t->family, t->variable);
        else if (t->from == t->to)
            n = snprintf(buf + o, size - o, "%s%s:%s@%d", i ? " + " : "", t->family, t->variable,
                         t->from);
        else
            n = snprintf(buf + o, size - o, "%s%s:%s@%d..%d", i ? " + " : "", t->family,
                         t->variable, t->from, t->to);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

void ctg_source_sums(const ctg_source *src, const ctg_sum *out[CTG_SOURCE_SUMS])
{
    size_t n = 0;
    out[n++] = &src->num;
    out[n++] = &src->den;
    out[n++] = &src->weight;
    for (int k = 0; k < CTG_PM_INPUTS; k++)
        out[n++] = &src->pm[k];
    for (int k = 0; k < CTG_GS_INPUTS; k++)
        out[n++] = &src->gs[k];
}
