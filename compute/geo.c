/* geo.c - the geography of one year in memory, and its geo_unit rows. */
#include "compute/geo.h"

#include <stdlib.h>
#include <string.h>

/* The communes of year ?1: the COG's, joined to their EPCI; those the COG of
 * that year lacks but the table d'appartenance has come from it. */
static const char COMMUNES_SQL[] =
    "SELECT code, ifnull(name, ''), ifnull(epci, ''), ifnull(dep, ''), ifnull(reg, '') FROM ("
    " SELECT c.code AS code, c.name AS name, m.epci AS epci, c.dep AS dep, c.reg AS reg"
    "  FROM geo_commune c LEFT JOIN geo_membership m ON m.geo_year = c.geo_year"
    "   AND m.level = 'commune' AND m.code = c.code"
    "  WHERE c.geo_year = ?1 AND c.typecom = 'COM'"
    " UNION ALL"
    " SELECT m.code, m.name, m.epci, m.dep, m.reg FROM geo_membership m"
    "  WHERE m.geo_year = ?1 AND m.level = 'commune' AND NOT EXISTS (SELECT 1 FROM geo_commune c"
    "   WHERE c.geo_year = ?1 AND c.typecom = 'COM' AND c.code = m.code))"
    " ORDER BY code";

static const char ARMS_SQL[] =
    "SELECT a.code, ifnull(a.name, ''), ifnull(a.parent, ''), ifnull(m.epci, ''),"
    " ifnull(a.dep, ''), ifnull(a.reg, '') FROM ("
    " SELECT code, name, parent, dep, reg FROM geo_commune WHERE geo_year = ?1 AND typecom = 'ARM'"
    " UNION ALL SELECT code, name, parent, dep, reg FROM geo_membership g"
    "  WHERE geo_year = ?1 AND level = 'arm' AND NOT EXISTS (SELECT 1 FROM geo_commune c"
    "   WHERE c.geo_year = ?1 AND c.typecom = 'ARM' AND c.code = g.code)) a"
    " LEFT JOIN geo_membership m ON m.geo_year = ?1 AND m.level = 'arm' AND m.code = a.code"
    " ORDER BY a.code";

static const char MERGES_SQL[] =
    "SELECT code, parent FROM geo_commune WHERE geo_year = ?1 AND typecom IN ('COMD', 'COMA')"
    " AND parent IS NOT NULL";

/* The name of an area: the nearest list not after the year, else after. */
static const char AREA_NAME_SQL[] =
    "SELECT name FROM geo_area WHERE level = ?2 AND code = ?3"
    " ORDER BY geo_year > ?1, abs(geo_year - ?1) LIMIT 1";

static const char *text_of(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(((const struct ctg_geo_key *)a)->code, ((const struct ctg_geo_key *)b)->code);
}

static int find_key(const struct ctg_geo_key *keys, size_t n, const char *code)
{
    struct ctg_geo_key k;
    snprintf(k.code, sizeof k.code, "%s", code);
    const struct ctg_geo_key *hit = bsearch(&k, keys, n, sizeof *keys, cmp_key);
    return hit ? hit->unit : -1;
}

int ctg_geo_find(const ctg_geo *g, const char *code)
{
    return find_key(g->keys, g->nkeys, code);
}

int ctg_geo_merged(const ctg_geo *g, const char *code)
{
    return find_key(g->merges, g->nmerges, code);
}

/* Appends a unit; grows the array. */
static ctg_unit *add_unit(ctg_geo *g, size_t *cap)
{
    if (g->n == *cap) {
        size_t c = *cap ? *cap * 2 : 1024;
        ctg_unit *u = realloc(g->units, c * sizeof *u);
        if (!u)
            return NULL;
        g->units = u;
        *cap = c;
    }
    ctg_unit *u = &g->units[g->n++];
    memset(u, 0, sizeof *u);
    u->parent = -1;
    return u;
}

typedef struct unit_writer {
    sqlite3_stmt *ins;
    ctg_warehouse *wh;
    int year;
} unit_writer;

static ctg_status write_unit(unit_writer *w, const char *level, const char *code,
                             const char *name, const char *commune, const char *epci,
                             const char *dep, const char *reg, ctg_error *err)
{
    sqlite3_stmt *st = w->ins;
    sqlite3_bind_int(st, 1, w->year);
    sqlite3_bind_text(st, 2, level, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_TRANSIENT);
    const char *v[4] = {commune, epci, dep, reg};
    for (int i = 0; i < 4; i++) {
        if (v[i] && v[i][0])
            sqlite3_bind_text(st, 5 + i, v[i], -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(st, 5 + i);
    }
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return ctg_wh_fail(w->wh, rc, err, "writing geo_unit");
    return CTG_OK;
}

static ctg_status load_communes(ctg_warehouse *wh, ctg_geo *g, unit_writer *w, size_t *cap,
                                ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, COMMUNES_SQL, &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int(st, 1, g->year);
    while (s == CTG_OK && sqlite3_step(st) == SQLITE_ROW) {
        ctg_unit *u = add_unit(g, cap);
        if (!u) {
            s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
            break;
        }
        snprintf(u->code, sizeof u->code, "%s", text_of(st, 0));
        snprintf(u->epci, sizeof u->epci, "%s", text_of(st, 2));
        snprintf(u->dep, sizeof u->dep, "%s", text_of(st, 3));
        snprintf(u->reg, sizeof u->reg, "%s", text_of(st, 4));
        s = write_unit(w, "commune", u->code, text_of(st, 1), NULL, u->epci, u->dep, u->reg, err);
    }
    sqlite3_finalize(st);
    g->ncommunes = g->n;
    return s;
}

static ctg_status build_keys(ctg_geo *g, ctg_error *err)
{
    g->keys = calloc(g->n ? g->n : 1, sizeof *g->keys);
    if (!g->keys)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; i < g->n; i++) {
        snprintf(g->keys[i].code, sizeof g->keys[i].code, "%s", g->units[i].code);
        g->keys[i].unit = (int)i;
    }
    g->nkeys = g->n;
    qsort(g->keys, g->nkeys, sizeof *g->keys, cmp_key);
    return CTG_OK;
}

static ctg_status load_arms(ctg_warehouse *wh, ctg_geo *g, unit_writer *w, size_t *cap,
                            ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, ARMS_SQL, &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int(st, 1, g->year);
    while (s == CTG_OK && sqlite3_step(st) == SQLITE_ROW) {
        int parent = find_key(g->keys, g->nkeys, text_of(st, 2));
        if (parent < 0)
            continue; /* an arrondissement of a commune this year does not have */
        ctg_unit *u = add_unit(g, cap);
        if (!u) {
            s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
            break;
        }
        snprintf(u->code, sizeof u->code, "%s", text_of(st, 0));
        u->parent = parent;
        snprintf(u->epci, sizeof u->epci, "%s",
                 text_of(st, 3)[0] ? text_of(st, 3) : g->units[parent].epci);
        snprintf(u->dep, sizeof u->dep, "%s", text_of(st, 4));
        snprintf(u->reg, sizeof u->reg, "%s", text_of(st, 5));
        s = write_unit(w, "arm", u->code, text_of(st, 1), g->units[parent].code, u->epci, u->dep,
                       u->reg, err);
    }
    sqlite3_finalize(st);
    return s;
}

static ctg_status load_merges(ctg_warehouse *wh, ctg_geo *g, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, MERGES_SQL, &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int(st, 1, g->year);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        int target = find_key(g->keys, g->nkeys, text_of(st, 1));
        if (target < 0 || find_key(g->keys, g->nkeys, text_of(st, 0)) >= 0)
            continue; /* a COMD sharing the code of its commune nouvelle is that commune */
        if (g->nmerges == cap) {
            cap = cap ? cap * 2 : 256;
            struct ctg_geo_key *m = realloc(g->merges, cap * sizeof *m);
            if (!m) {
                s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
                break;
            }
            g->merges = m;
        }
        snprintf(g->merges[g->nmerges].code, sizeof g->merges[0].code, "%s", text_of(st, 0));
        g->merges[g->nmerges].unit = target;
        g->nmerges++;
    }
    sqlite3_finalize(st);
    if (s == CTG_OK && g->nmerges)
        qsort(g->merges, g->nmerges, sizeof *g->merges, cmp_key);
    return s;
}

/* The code of commune i at a group level. */
static const char *group_code(const ctg_unit *u, ctg_level level)
{
    switch (level) {
    case CTG_LEVEL_EPCI: return u->epci;
    case CTG_LEVEL_DEP: return u->dep;
    case CTG_LEVEL_REG: return u->reg;
    default: return "FR";
    }
}

typedef struct sort_item {
    const char *code;
    int unit;
} sort_item;

static int cmp_item(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    int c = strcmp(x->code, y->code);
    return c ? c : (x->unit > y->unit) - (x->unit < y->unit);
}

/* Forms the groups of one level from the communes. */
static ctg_status build_groups(ctg_geo *g, ctg_level level, ctg_error *err)
{
    sort_item *items = calloc(g->ncommunes ? g->ncommunes : 1, sizeof *items);
    if (!items)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < g->ncommunes; i++) {
        const char *code = group_code(&g->units[i], level);
        if (code[0])
            items[n++] = (sort_item){code, (int)i};
    }
    qsort(items, n, sizeof *items, cmp_item);
    ctg_status st = CTG_OK;
    for (size_t i = 0; i < n && st == CTG_OK;) {
        size_t j = i;
        while (j < n && !strcmp(items[j].code, items[i].code))
            j++;
        ctg_group *l = realloc(g->groups, (g->ngroups + 1) * sizeof *l);
        int *members = malloc((j - i) * sizeof *members);
        if (!l || !members) {
            if (l)
                g->groups = l;
            free(members);
            st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
            break;
        }
        g->groups = l;
        ctg_group *grp = &g->groups[g->ngroups++];
        grp->level = level;
        snprintf(grp->code, sizeof grp->code, "%s", items[i].code);
        grp->members = members;
        grp->n = j - i;
        for (size_t k = i; k < j; k++)
            members[k - i] = items[k].unit;
        i = j;
    }
    free(items);
    return st;
}

/* Writes the geo_unit rows of the groups, with their names. */
static ctg_status write_groups(ctg_warehouse *wh, ctg_geo *g, unit_writer *w, ctg_error *err)
{
    sqlite3_stmt *name = NULL;
    ctg_status s = ctg_wh_prepare(wh, AREA_NAME_SQL, &name, err);
    for (size_t i = 0; s == CTG_OK && i < g->ngroups; i++) {
        const ctg_group *grp = &g->groups[i];
        const ctg_unit *first = &g->units[grp->members[0]];
        const char *label = "France";
        char buf[256] = "";
        if (grp->level != CTG_LEVEL_FR) {
            sqlite3_reset(name);
            sqlite3_bind_int(name, 1, g->year);
            sqlite3_bind_text(name, 2, ctg_level_name(grp->level), -1, SQLITE_STATIC);
            sqlite3_bind_text(name, 3, grp->code, -1, SQLITE_STATIC);
            if (sqlite3_step(name) == SQLITE_ROW)
                snprintf(buf, sizeof buf, "%s", text_of(name, 0));
            label = buf;
        }
        /* a group's parents: the ones all its communes share */
        const char *dep = grp->level == CTG_LEVEL_EPCI ? first->dep : "";
        const char *reg = grp->level == CTG_LEVEL_EPCI || grp->level == CTG_LEVEL_DEP ? first->reg
                                                                                     : "";
        for (size_t k = 1; k < grp->n; k++) {
            const ctg_unit *u = &g->units[grp->members[k]];
            if (strcmp(u->dep, dep))
                dep = "";
            if (strcmp(u->reg, reg))
                reg = "";
        }
        s = write_unit(w, ctg_level_name(grp->level), grp->code, label, NULL, NULL, dep, reg,
                       err);
    }
    sqlite3_finalize(name);
    return s;
}

ctg_status ctg_geo_load(ctg_warehouse *wh, int year, ctg_geo **out, ctg_error *err)
{
    ctg_geo *g = calloc(1, sizeof *g);
    if (!g)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    g->year = year;
    unit_writer w = {NULL, wh, year};
    size_t cap = 0;
    ctg_status st = ctg_wh_prepare(wh,
                                   "INSERT INTO geo_unit(geo_year, level, code, name, commune, "
                                   "epci, dep, reg) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                                   &w.ins, err);
    if (st == CTG_OK)
        st = load_communes(wh, g, &w, &cap, err);
    if (st == CTG_OK && g->ncommunes == 0)
        st = ctg_fail(err, CTG_ERR_NOINPUT, NULL, 0,
                      "no commune in the geography of %d: ingest its COG or table "
                      "d'appartenance",
                      year);
    if (st == CTG_OK)
        st = build_keys(g, err);
    if (st == CTG_OK)
        st = load_arms(wh, g, &w, &cap, err);
    if (st == CTG_OK) { /* the keys again, arrondissements included */
        free(g->keys);
        st = build_keys(g, err);
    }
    if (st == CTG_OK)
        st = load_merges(wh, g, err);
    static const ctg_level LEVELS[] = {CTG_LEVEL_EPCI, CTG_LEVEL_DEP, CTG_LEVEL_REG, CTG_LEVEL_FR};
    for (size_t i = 0; st == CTG_OK && i < 4; i++)
        st = build_groups(g, LEVELS[i], err);
    if (st == CTG_OK)
        st = write_groups(wh, g, &w, err);
    sqlite3_finalize(w.ins);
    if (st != CTG_OK) {
        ctg_geo_free(g);
        return st;
    }
    *out = g;
    return CTG_OK;
}

void ctg_geo_free(ctg_geo *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->ngroups; i++)
        free(g->groups[i].members);
    free(g->groups);
    free(g->units);
    free(g->keys);
    free(g->merges);
    free(g);
}
