/* geo.c - the geography of one year in memory, and its geo_unit rows. */
#include "compute/geo.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

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
    size_t len = strnlen(code, sizeof k.code - 1);
    memcpy(k.code, code, len);
    k.code[len] = '\0';
    const struct ctg_geo_key *hit = bsearch(&k, keys, n, sizeof *keys, cmp_key);
    return hit ? hit->unit : -1;
}

/* FNV-1a of s[0..n). */
static uint64_t code_hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
    return h;
}

/* Indexes g->keys by the hash of their codes (open addressing, linear
 * probing, at most half full): a fetch looks up the unit of every row it
 * places, where a binary search cost 17 string comparisons. */
static ctg_status index_keys(ctg_geo *g, ctg_error *err)
{
    size_t slots = 16;
    while (slots < 2 * g->nkeys)
        slots *= 2;
    free(g->key_index);
    g->key_index = calloc(slots, sizeof *g->key_index);
    if (!g->key_index)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    g->key_index_mask = slots - 1;
    for (size_t k = 0; k < g->nkeys; k++) {
        const char *code = g->keys[k].code;
        size_t i = code_hash(code, strlen(code)) & g->key_index_mask;
        for (; g->key_index[i]; i = (i + 1) & g->key_index_mask)
            if (!strcmp(g->keys[g->key_index[i] - 1].code, code))
                break; /* the same code twice: the first one answers */
        if (!g->key_index[i])
            g->key_index[i] = (uint32_t)(k + 1);
    }
    return CTG_OK;
}

int ctg_geo_find(const ctg_geo *g, const char *code)
{
    if (!g->key_index)
        return find_key(g->keys, g->nkeys, code);
    size_t len = strnlen(code, CTG_CODE_MAX - 1); /* as find_key: cut at the key size */
    size_t i = code_hash(code, len) & g->key_index_mask;
    for (; g->key_index[i]; i = (i + 1) & g->key_index_mask) {
        const struct ctg_geo_key *k = &g->keys[g->key_index[i] - 1];
        if (!strncmp(k->code, code, len) && k->code[len] == '\0')
            return k->unit;
    }
    return -1;
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
        u->level = CTG_LEVEL_COMMUNE;
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
    return index_keys(g, err);
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
        u->level = CTG_LEVEL_ARM;
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

/* The IRIS of the list nearest the year (the latest not after it, else the
 * earliest), each in its commune or arrondissement of this year (a commune
 * merged since: the commune it belongs to). */
static const char IRIS_SQL[] =
    "SELECT code, name, commune, geo_year FROM geo_iris WHERE geo_year = ifnull("
    "(SELECT max(geo_year) FROM geo_iris WHERE geo_year <= ?1), "
    "(SELECT min(geo_year) FROM geo_iris)) ORDER BY code";

static ctg_status load_iris(ctg_warehouse *wh, ctg_geo *g, unit_writer *w, size_t *cap,
                            ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, IRIS_SQL, &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_int(st, 1, g->year);
    while (s == CTG_OK && sqlite3_step(st) == SQLITE_ROW) {
        g->iris_year = sqlite3_column_int(st, 3);
        int parent = find_key(g->keys, g->nkeys, text_of(st, 2));
        if (parent < 0)
            parent = ctg_geo_merged(g, text_of(st, 2));
        if (parent < 0)
            continue; /* an IRIS of a commune this geography does not have */
        ctg_unit *u = add_unit(g, cap);
        if (!u) {
            s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
            break;
        }
        const ctg_unit *p = &g->units[parent];
        u->level = CTG_LEVEL_IRIS;
        snprintf(u->code, sizeof u->code, "%s", text_of(st, 0));
        u->parent = parent;
        memcpy(u->epci, p->epci, sizeof u->epci);
        memcpy(u->dep, p->dep, sizeof u->dep);
        memcpy(u->reg, p->reg, sizeof u->reg);
        s = write_unit(w, "iris", u->code, text_of(st, 1), p->code, u->epci, u->dep, u->reg, err);
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

/* ---------------------------------------------------------- passages */

/* One row of a passage table. */
typedef struct passage {
    int from, to;                /* geography years */
    char code_from[CTG_CODE_MAX], code_to[CTG_CODE_MAX];
    double ratio;
} passage;

/* One passage table: the rows from one year to another. */
typedef struct table {
    int from, to;
} table;

typedef struct passages {
    passage *rows;               /* sorted by from, code_from */
    size_t n;
    table tables[64];            /* sorted by from (then to) */
    size_t ntables;
    ctg_carry *out;              /* the carries being built */
    size_t nout, cap;
} passages;

static int cmp_passage(const void *a, const void *b)
{
    const passage *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    return strcmp(x->code_from, y->code_from);
}

static int cmp_carry(const void *a, const void *b)
{
    const ctg_carry *x = a, *y = b;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    return strcmp(x->code, y->code);
}

/* The first row of the tables starting at year `from` for code; NULL if none. */
static const passage *passage_rows(const passages *p, int from, const char *code)
{
    passage key;
    key.from = from;
    snprintf(key.code_from, sizeof key.code_from, "%s", code);
    const passage *hit = bsearch(&key, p->rows, p->n, sizeof *p->rows, cmp_passage);
    while (hit && hit > p->rows && !cmp_passage(hit - 1, &key))
        hit--;
    return hit;
}

/* The index of the first table that starts at or after year `at`. */
static size_t table_at(const passages *p, int at)
{
    size_t t = 0;
    while (t < p->ntables && p->tables[t].from < at)
        t++;
    return t;
}

static ctg_status add_carry(passages *p, int year, const char *code, int unit, double ratio,
                            ctg_error *err)
{
    for (size_t i = p->nout; i-- > 0 && p->out[i].year == year && !strcmp(p->out[i].code, code);)
        if (p->out[i].unit == unit) { /* two paths to one unit: their shares add up */
            p->out[i].ratio += ratio;
            return CTG_OK;
        }
    if (ctg_grow(&p->out, p->nout, &p->cap, sizeof *p->out, 256) != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    ctg_carry *c = &p->out[p->nout++];
    c->year = year;
    snprintf(c->code, sizeof c->code, "%s", code);
    c->unit = unit;
    c->ratio = ratio;
    return CTG_OK;
}

/*
 * Follows code through tables t, t + 1, ... (a table that does not list it
 * leaves it as it is), its share so far being `ratio`; where the tables end,
 * the code's unit in g is a destination of (year, origin).
 */
static ctg_status follow(const ctg_geo *g, passages *p, int year, const char *origin,
                         const char *code, size_t t, double ratio, ctg_error *err)
{
    for (; t < p->ntables; t++) {
        const passage *r = passage_rows(p, p->tables[t].from, code);
        while (r && r < p->rows + p->n && r->from == p->tables[t].from &&
               r->to != p->tables[t].to && !strcmp(r->code_from, code))
            r++;
        if (!r || r >= p->rows + p->n || r->from != p->tables[t].from ||
            strcmp(r->code_from, code))
            continue;
        ctg_status st = CTG_OK;
        for (; st == CTG_OK && r < p->rows + p->n && r->from == p->tables[t].from &&
               !strcmp(r->code_from, code);
             r++)
            if (r->to == p->tables[t].to)
                st = follow(g, p, year, origin, r->code_to, table_at(p, r->to), ratio * r->ratio,
                            err);
        return st;
    }
    int unit = ctg_geo_find(g, code);
    if (unit < 0)
        unit = ctg_geo_merged(g, code);
    return add_carry(p, year, origin, unit, ratio, err);
}

static ctg_status read_passages(ctg_warehouse *wh, const ctg_geo *g, passages *p, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh,
                                  "SELECT year_from, year_to, code_from, code_to, ratio FROM "
                                  "geo_passage WHERE year_to <= ?1 AND year_from < year_to",
                                  &st, err);
    size_t cap = 0;
    if (s == CTG_OK)
        sqlite3_bind_int(st, 1, g->year);
    while (s == CTG_OK && sqlite3_step(st) == SQLITE_ROW) {
        if (p->n == cap) {
            cap = cap ? cap * 2 : 1024;
            passage *grown = realloc(p->rows, cap * sizeof *grown);
            if (!grown) {
                s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
                break;
            }
            p->rows = grown;
        }
        passage *r = &p->rows[p->n++];
        r->from = sqlite3_column_int(st, 0);
        r->to = sqlite3_column_int(st, 1);
        snprintf(r->code_from, sizeof r->code_from, "%s", text_of(st, 2));
        snprintf(r->code_to, sizeof r->code_to, "%s", text_of(st, 3));
        r->ratio = sqlite3_column_double(st, 4);
        size_t t = 0; /* its table, in order */
        while (t < p->ntables && (p->tables[t].from != r->from || p->tables[t].to != r->to))
            t++;
        if (t == p->ntables && t < sizeof p->tables / sizeof p->tables[0]) {
            while (t > 0 && (p->tables[t - 1].from > r->from ||
                             (p->tables[t - 1].from == r->from && p->tables[t - 1].to > r->to))) {
                p->tables[t] = p->tables[t - 1];
                t--;
            }
            p->tables[t].from = r->from;
            p->tables[t].to = r->to;
            p->ntables++;
        }
    }
    sqlite3_finalize(st);
    if (s == CTG_OK && p->n)
        qsort(p->rows, p->n, sizeof *p->rows, cmp_passage);
    return s;
}

/* Whether the carries from `start` on leave the code where it is: one
 * destination, its own unit, whole. */
static int stays(const ctg_geo *g, const passages *p, size_t start, const char *code)
{
    return p->nout - start == 1 && p->out[start].ratio == 1 &&
           p->out[start].unit == ctg_geo_find(g, code) && p->out[start].unit >= 0;
}

static int cmp_code_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The carries of the codes of geography year `year` the tables move. */
static ctg_status carries_of_year(const ctg_geo *g, passages *p, int year, ctg_error *err)
{
    size_t t0 = table_at(p, year);
    if (t0 == p->ntables)
        return CTG_OK;
    /* every code a table from `year` on lists, once */
    const char **codes = malloc(p->n * sizeof *codes);
    if (!codes)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->rows[i].from >= year)
            codes[n++] = p->rows[i].code_from;
    qsort(codes, n, sizeof *codes, cmp_code_ptr);
    ctg_status st = CTG_OK;
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        if (i > 0 && !strcmp(codes[i - 1], codes[i]))
            continue;
        size_t start = p->nout;
        st = follow(g, p, year, codes[i], codes[i], t0, 1.0, err);
        if (st == CTG_OK && stays(g, p, start, codes[i]))
            p->nout = start;
    }
    free(codes);
    return st;
}

/* The carries of every geography year older than g's that a loaded file
 * uses, for the codes the passage tables move. */
static ctg_status load_carries(ctg_warehouse *wh, ctg_geo *g, ctg_error *err)
{
    passages p;
    memset(&p, 0, sizeof p);
    sqlite3_stmt *years = NULL;
    ctg_status s = read_passages(wh, g, &p, err);
    if (s == CTG_OK && p.n)
        s = ctg_wh_prepare(wh,
                           "SELECT DISTINCT geo_year FROM source_file WHERE geo_year < ?1 "
                           "ORDER BY 1",
                           &years, err);
    if (s == CTG_OK && years)
        sqlite3_bind_int(years, 1, g->year);
    while (s == CTG_OK && years && sqlite3_step(years) == SQLITE_ROW)
        s = carries_of_year(g, &p, sqlite3_column_int(years, 0), err);
    sqlite3_finalize(years);
    free(p.rows);
    if (s != CTG_OK) {
        free(p.out);
        return s;
    }
    if (p.nout)
        qsort(p.out, p.nout, sizeof *p.out, cmp_carry);
    g->carries = p.out;
    g->ncarries = p.nout;
    return CTG_OK;
}

void ctg_geo_carry(const ctg_geo *g, int year, const char *code, const ctg_carry **first,
                   size_t *n)
{
    *first = NULL;
    *n = 0;
    if (!g->ncarries)
        return;
    ctg_carry key;
    key.year = year;
    snprintf(key.code, sizeof key.code, "%s", code);
    const ctg_carry *hit = bsearch(&key, g->carries, g->ncarries, sizeof *hit, cmp_carry);
    if (!hit)
        return;
    while (hit > g->carries && !cmp_carry(hit - 1, &key))
        hit--;
    const ctg_carry *end = hit;
    while (end < g->carries + g->ncarries && !cmp_carry(end, &key))
        end++;
    *first = hit;
    *n = (size_t)(end - hit);
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
    g->nmain = g->n;
    if (st == CTG_OK)
        st = load_merges(wh, g, err);
    if (st == CTG_OK)
        st = load_iris(wh, g, &w, &cap, err);
    if (st == CTG_OK) { /* the keys again, IRIS included */
        free(g->keys);
        st = build_keys(g, err);
    }
    if (st == CTG_OK)
        st = load_carries(wh, g, err);
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
    free(g->key_index);
    free(g->merges);
    free(g->carries);
    free(g);
}
