/* runconf.c - the configuration file of `ctgdiag run` (runconf.h). */
#include "cli/runconf.h"

#include <stdlib.h>
#include <string.h>

#include "compute/results.h"
#include "core/buf.h"
#include "core/conf.h"
#include "core/number.h"
#include "ingest/ingest.h"

/* Everything the configuration owns: the parsed file and the strings made
 * from it, freed together. */
typedef struct owned {
    ctg_runconf pub;
    ctg_conf *conf;
    char **strings;
    size_t nstrings;
} owned;

static const char *keep(owned *o, char *s)
{
    if (!s)
        return NULL;
    char **l = realloc(o->strings, (o->nstrings + 1) * sizeof *l);
    if (!l) {
        free(s);
        return NULL;
    }
    o->strings = l;
    o->strings[o->nstrings++] = s;
    return s;
}

/* Removes the "." components of a path ("a/./b" -> "a/b", "a/." -> "a"),
 * in place; ".." is kept (a link makes it mean something else). */
static void drop_dots(char *s)
{
    char *out = s;
    const char *p = s;
    while (*p) {
        if (p[0] == '.' && (p[1] == '/' || !p[1]) && (p == s || p[-1] == '/')) {
            p += p[1] ? 2 : 1;
            continue;
        }
        *out++ = *p++;
    }
    while (out > s + 1 && out[-1] == '/')
        out--;
    if (out == s)
        *out++ = '.';
    *out = '\0';
}

/* value relative to the folder of the configuration file. */
static const char *resolve(owned *o, const char *value)
{
    const char *slash = strrchr(o->pub.path, '/');
    size_t dir = slash ? (size_t)(slash - o->pub.path) : 0;
    size_t n = dir + 1 + strlen(value) + 1;
    char *s = malloc(n);
    if (!s)
        return NULL;
    if (value[0] == '/' || !slash)
        snprintf(s, n, "%s", value);
    else
        snprintf(s, n, "%.*s/%s", (int)dir, o->pub.path, value);
    drop_dots(s);
    return keep(o, s);
}

static ctg_status bad(ctg_error *err, const owned *o, const ctg_conf_entry *e, const char *what)
{
    return ctg_fail(err, CTG_ERR_USAGE, o->pub.path, e->line, "%s = %s: %s", e->key, e->value,
                    what);
}

static int parse_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return 0;
    *out = v;
    return 1;
}

static ctg_status path_value(owned *o, const ctg_conf_entry *e, const char **out, ctg_error *err)
{
    if (!e->value[0])
        return bad(err, o, e, "a path is needed");
    *out = resolve(o, e->value);
    if (!*out)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    return CTG_OK;
}

/* A key of the top of the file. */
static ctg_status global_key(owned *o, const ctg_conf_entry *e, ctg_error *err)
{
    ctg_runconf *c = &o->pub;
    if (!strcmp(e->key, "warehouse"))
        return path_value(o, e, &c->warehouse, err);
    if (!strcmp(e->key, "reports"))
        return path_value(o, e, &c->reports, err);
    if (!strcmp(e->key, "schemas"))
        return path_value(o, e, &c->schemas, err);
    if (!strcmp(e->key, "log"))
        return path_value(o, e, &c->log, err);
    if (!strcmp(e->key, "inbox")) {
        const char **l = realloc(c->inbox, (c->ninbox + 1) * sizeof *l);
        if (!l)
            return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        c->inbox = l;
        return path_value(o, e, &c->inbox[c->ninbox++], err);
    }
    if (!strcmp(e->key, "geo_year")) {
        c->geo_year = ctg_parse_year(e->value);
        return c->geo_year ? CTG_OK : bad(err, o, e, "a year is needed");
    }
    if (!strcmp(e->key, "max_rejects"))
        return parse_number(e->value, 0, 100, &c->max_rejects)
                   ? CTG_OK
                   : bad(err, o, e, "a percentage 0..100 is needed");
    if (!strcmp(e->key, "threshold_points"))
        return parse_number(e->value, 0, 1e9, &c->threshold_points)
                   ? CTG_OK
                   : bad(err, o, e, "a number of points, 0 or more, is needed");
    if (!strcmp(e->key, "threshold_percent"))
        return parse_number(e->value, 0, 1e9, &c->threshold_percent)
                   ? CTG_OK
                   : bad(err, o, e, "a percentage, 0 or more, is needed");
    return ctg_fail(err, CTG_ERR_USAGE, c->path, e->line,
                    "unknown key '%s' (warehouse, inbox, reports, schemas, log, geo_year, "
                    "max_rejects, threshold_points, threshold_percent; a territory goes in a "
                    "[section])",
                    e->key);
}

/* The territory of section s, started at its first entry. */
static ctg_run_territory *territory_of(owned *o, const ctg_conf_entry *e, ctg_error *err)
{
    ctg_runconf *c = &o->pub;
    for (size_t i = 0; i < c->nterritories; i++)
        if (!strcmp(c->territories[i].section, e->section))
            return &c->territories[i];
    ctg_run_territory *l = realloc(c->territories, (c->nterritories + 1) * sizeof *l);
    if (!l) {
        ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        return NULL;
    }
    c->territories = l;
    ctg_run_territory *t = &l[c->nterritories++];
    memset(t, 0, sizeof *t);
    t->section = e->section;
    t->line = e->line;
    return t;
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* The territory in a canonical form ("3:200066124", "list:81099,81105"
 * with the codes sorted): two sections with the same form would write the
 * same files. */
static char *canonical(ctg_territory *t)
{
    ctg_buf b = CTG_BUF_INIT;
    if (t->level == CTG_LEVEL_NONE) {
        qsort(t->communes, t->ncommunes, sizeof *t->communes, cmp_code);
        ctg_buf_puts(&b, "list:");
        for (size_t i = 0; i < t->ncommunes; i++)
            ctg_buf_printf(&b, "%s%s", i ? "," : "", t->communes[i]);
    } else {
        ctg_buf_printf(&b, "%d:%s", (int)t->level, t->code);
    }
    char *key = strdup(ctg_buf_str(&b));
    ctg_buf_free(&b);
    return key;
}

static ctg_status territory_key(owned *o, const ctg_conf_entry *e, ctg_error *err)
{
    ctg_run_territory *t = territory_of(o, e, err);
    if (!t)
        return CTG_ERR_NOMEM;
    if (!strcmp(e->key, "territory")) {
        ctg_territory parsed;
        ctg_error perr;
        memset(&parsed, 0, sizeof parsed);
        ctg_status st = ctg_territory_parse(e->value, &parsed, &perr);
        if (st != CTG_OK) {
            ctg_territory_clear(&parsed);
            return bad(err, o, e, perr.msg);
        }
        t->territory = e->value;
        t->key = keep(o, canonical(&parsed));
        ctg_territory_clear(&parsed);
        return t->key ? CTG_OK : ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    }
    if (!strcmp(e->key, "plan"))
        return path_value(o, e, &t->plan, err);
    if (!strcmp(e->key, "name")) {
        t->name = e->value;
        return CTG_OK;
    }
    if (!strcmp(e->key, "year")) {
        char period[16];
        if (!ctg_period_normalise(e->value, period))
            return bad(err, o, e, "a year YYYY or a month YYYY-MM is needed");
        if (!strcmp(period + 4, "-12"))
            period[4] = '\0'; /* a December extract gives its year */
        t->year = keep(o, strdup(period));
        return t->year ? CTG_OK : ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    }
    return ctg_fail(err, CTG_ERR_USAGE, o->pub.path, e->line,
                    "unknown key '%s' in [%s] (territory, plan, name, year)", e->key, e->section);
}

static ctg_status check_complete(owned *o, ctg_error *err)
{
    ctg_runconf *c = &o->pub;
    const char *missing = !c->warehouse ? "warehouse" : !c->ninbox ? "inbox" : !c->reports ? "reports" : NULL;
    if (missing)
        return ctg_fail(err, CTG_ERR_USAGE, c->path, 0, "no '%s = ...' line (docs/operations.md)",
                        missing);
    for (size_t i = 0; i < c->nterritories; i++) {
        if (!c->territories[i].territory)
            return ctg_fail(err, CTG_ERR_USAGE, c->path, c->territories[i].line,
                            "[%s] has no 'territory = LEVEL:CODE' line",
                            c->territories[i].section);
        /* two sections of one territory would write the same files */
        for (size_t j = 0; j < i; j++)
            if (!strcmp(c->territories[i].key, c->territories[j].key))
                return ctg_fail(err, CTG_ERR_USAGE, c->path, c->territories[i].line,
                                "[%s] renders %s, as [%s] does: its reports would overwrite "
                                "those of [%s]",
                                c->territories[i].section, c->territories[i].territory,
                                c->territories[j].section, c->territories[j].section);
    }
    return CTG_OK;
}

ctg_status ctg_runconf_load(const char *path, ctg_runconf **out, ctg_error *err)
{
    *out = NULL;
    owned *o = calloc(1, sizeof *o);
    if (!o)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    o->pub.path = keep(o, strdup(path));
    o->pub.max_rejects = 5;
    o->pub.threshold_points = 0.1;
    o->pub.threshold_percent = 1;
    ctg_status st = o->pub.path ? ctg_conf_load(path, &o->conf, err)
                                : ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    if (st == CTG_ERR_SCHEMA)
        err->code = st = CTG_ERR_USAGE; /* a configuration error is a usage error */
    for (size_t i = 0; st == CTG_OK && i < ctg_conf_count(o->conf); i++) {
        const ctg_conf_entry *e = ctg_conf_entry_at(o->conf, i);
        st = e->section[0] ? territory_key(o, e, err) : global_key(o, e, err);
    }
    if (st == CTG_OK)
        st = check_complete(o, err);
    if (st != CTG_OK) {
        ctg_runconf_free(&o->pub);
        return st;
    }
    *out = &o->pub;
    return CTG_OK;
}

void ctg_runconf_free(ctg_runconf *conf)
{
    if (!conf)
        return;
    owned *o = (owned *)conf; /* pub is the first member */
    for (size_t i = 0; i < o->nstrings; i++)
        free(o->strings[i]);
    free(o->strings);
    free(o->pub.inbox);
    free(o->pub.territories);
    ctg_conf_free(o->conf);
    free(o);
}
