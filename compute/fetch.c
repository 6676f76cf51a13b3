/* fetch.c - one variable of one family for one period, on the units of a
 * geography (fetch.h). */
#include "compute/fetch.h"

#include <stdlib.h>
#include <string.h>

#include "core/packed.h"

/* What is known of a unit while a file's rows are placed: the file that
 * reached it, its own row, the parts that make it up when it has none
 * (arrondissements, IRIS), and former communes merged into it, which add up
 * to it in every case. finish_cell makes a cell of it. */
typedef struct slot {
    sqlite3_int64 file;
    unsigned char has_own, approx;
    part_sum own, parts, merged;
} slot;

/* The files of a family that hold a variable (a wide file's column, or a
 * long file's value column, whose rows name their variable), most recent
 * first. */
static const char PAIRS_SQL[] =
    "SELECT f.id, v.idx, v.period, v.variable = '', ifnull(f.rounded_to, 0), "
    "f.absent_zero AND v.kind = 'count', ifnull(f.geo_year, 0) "
    "FROM source_file f JOIN file_variable v ON v.file_id = f.id "
    "WHERE f.family = ?1 AND (v.variable = ?2 OR v.variable = '') "
    "ORDER BY f.vintage DESC, f.id DESC";

/* The rows of one file for a period (and, in a long file, a variable).
 * (Reading a whole file's rows by their run of ids instead of through
 * obs_row_key made no difference within the noise: six alternating runs of
 * `compute --year 2019` on the national workload.) */
static const char ROWS_SQL[] =
    "SELECT level, code, parent, vals FROM obs_row WHERE file_id = ?1 "
    "AND (?2 IS NULL OR period = ?2) AND (?3 IS NULL OR measure = ?3)";

/* The periods a file's rows give (when its variables do not carry one). */
static const char FILE_PERIODS_SQL[] = "SELECT DISTINCT period FROM obs_row WHERE file_id = ?1";

/* The variables (measures) a long file's rows give, with their periods. */
static const char FILE_MEASURES_SQL[] =
    "SELECT DISTINCT measure, period FROM obs_row WHERE file_id = ?1 AND measure IS NOT NULL";

/* The row periods of the files met so far in a compute: a family whose
 * files give one month or year each (CAF, Sitadel) has its period on the
 * rows, so a fetch would otherwise scan the index of every file of the
 * family for the rows of one period, a cost that grows with the square of
 * the number of vintages. */
typedef struct file_periods {
    sqlite3_int64 file;
    char *list;               /* "\x1fP1\x1fP2\x1f": every period of its rows */
    char *measures;           /* a long file: "\x1eM\x1fP\x1e..." every (measure, period)
                               * of its rows; NULL until asked for */
} file_periods;

typedef struct period_index {
    file_periods *files;
    size_t n, cap;
} period_index;

/* Reads the rows of sql (file bound as ?1) into a string: each row's
 * columns joined by \x1f, each row ended by end, the whole begun by end. */
static ctg_status read_strings(ctg_warehouse *wh, const char *sql, sqlite3_int64 file, char end,
                               char **out, ctg_error *err)
{
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, sql, &st, err);
    if (s != CTG_OK)
        return s;
    ctg_buf b = CTG_BUF_INIT;
    s = ctg_buf_putc(&b, end);
    sqlite3_bind_int64(st, 1, file);
    int rc = SQLITE_DONE;
    while (s == CTG_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        for (int c = 0; s == CTG_OK && c < sqlite3_column_count(st); c++) {
            const unsigned char *t = sqlite3_column_text(st, c);
            s = ctg_buf_printf(&b, "%s%s", c ? "\x1f" : "", t ? (const char *)t : "");
        }
        if (s == CTG_OK)
            s = ctg_buf_putc(&b, end);
    }
    sqlite3_finalize(st);
    if (s == CTG_OK && rc != SQLITE_DONE)
        s = ctg_wh_fail(wh, rc, err, "reading the periods of a file");
    else if (s != CTG_OK)
        s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    if (s != CTG_OK) {
        ctg_buf_free(&b);
        return s;
    }
    *out = b.data;
    return CTG_OK;
}

/* The entry of file in idx, read when first asked for. */
static ctg_status file_entry(ctg_warehouse *wh, period_index *idx, sqlite3_int64 file,
                             file_periods **out, ctg_error *err)
{
    for (size_t i = 0; i < idx->n; i++)
        if (idx->files[i].file == file) {
            *out = &idx->files[i];
            return CTG_OK;
        }
    if (ctg_grow(&idx->files, idx->n, &idx->cap, sizeof *idx->files, 32) != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    char *list = NULL;
    ctg_status s = read_strings(wh, FILE_PERIODS_SQL, file, '\x1f', &list, err);
    if (s != CTG_OK)
        return s;
    idx->files[idx->n] = (file_periods){file, list, NULL};
    *out = &idx->files[idx->n++];
    return CTG_OK;
}

/* The periods of file's rows, from idx or read (and kept there). */
static ctg_status row_periods(ctg_warehouse *wh, period_index *idx, sqlite3_int64 file,
                              const char **list, ctg_error *err)
{
    file_periods *f = NULL;
    ctg_status s = file_entry(wh, idx, file, &f, err);
    if (s == CTG_OK)
        *list = f->list;
    return s;
}

/* The (measure, period) pairs of a long file's rows, from idx or read. */
static ctg_status row_measures(ctg_warehouse *wh, period_index *idx, sqlite3_int64 file,
                               const char **pairs, ctg_error *err)
{
    file_periods *f = NULL;
    ctg_status s = file_entry(wh, idx, file, &f, err);
    if (s == CTG_OK && !f->measures)
        s = read_strings(wh, FILE_MEASURES_SQL, file, '\x1e', &f->measures, err);
    if (s == CTG_OK)
        *pairs = f->measures;
    return s;
}

/* Whether some row of file gives period (always, without an index). */
static ctg_status has_rows_of(ctg_warehouse *wh, period_index *idx, sqlite3_int64 file,
                              const char *period, int *has, ctg_error *err)
{
    *has = 1;
    if (!idx)
        return CTG_OK;
    const char *list = NULL;
    ctg_status s = row_periods(wh, idx, file, &list, err);
    if (s != CTG_OK)
        return s;
    char key[48];
    snprintf(key, sizeof key, "\x1f%s\x1f", period);
    *has = strstr(list, key) != NULL;
    return CTG_OK;
}

/* The periods of a variable in its files: the files' own, and the rows'. */
static const char PERIODS_SQL[] =
    "SELECT v.period FROM source_file f JOIN file_variable v ON v.file_id = f.id "
    " WHERE f.family = ?1 AND v.variable = ?2 AND v.period != '' "
    "UNION SELECT v.period FROM source_file f JOIN file_variable v ON v.file_id = f.id "
    " WHERE f.family = ?1 AND v.variable = '' AND v.period != '' "
    " AND EXISTS (SELECT 1 FROM obs_row r WHERE r.file_id = f.id AND r.measure = ?2) "
    "UNION SELECT r.period FROM source_file f JOIN file_variable v ON v.file_id = f.id "
    " JOIN obs_row r ON r.file_id = f.id WHERE f.family = ?1 AND v.period = '' "
    " AND v.variable = ?2 "
    "UNION SELECT r.period FROM source_file f JOIN file_variable v ON v.file_id = f.id "
    " JOIN obs_row r ON r.file_id = f.id WHERE f.family = ?1 AND v.period = '' "
    " AND v.variable = '' AND r.measure = ?2 "
    "ORDER BY 1";

void ctg_fetch_info_reset(fetch_info *info)
{
    info->any = info->rounded = 0;
    info->unmapped = 0;
    ctg_buf_reset(&info->files);
    ctg_buf_reset(&info->unmapped_deps);
    info->ngroups = 0;
}

void ctg_fetch_info_free(fetch_info *info)
{
    ctg_buf_free(&info->files);
    ctg_buf_free(&info->unmapped_deps);
    free(info->groups);
    info->groups = NULL;
    info->ngroups = 0;
}

/* Adds a value (or its absence) to a sum of parts; hw: how far a count of
 * its file may be off, half its rounding step in whole units (a count the
 * CAF rounds to 5 lies within 2 of the true count; 0 when not rounded). */
static void add_part(part_sum *p, const ctg_value *v, double hw)
{
    p->parts++;
    if (v->status == CTG_VAL_OK) {
        p->v += v->value;
        p->hw += hw;
        p->known++;
    } else if (v->status == CTG_VAL_SECRET) {
        p->secret++;
    }
}

/* Whether this file may write the cell: the first file to reach a unit
 * keeps it (files come most recent first). */
static int claim(slot *c, sqlite3_int64 file)
{
    if (c->file && c->file != file)
        return 0;
    c->file = file;
    return 1;
}

/* The unit: its own row, else its parts; plus the communes merged into it. */
static void finish_cell(const slot *s, cell *c)
{
    part_sum t = s->has_own ? s->own : s->parts;
    c->approx = s->approx;
    t.v += s->merged.v;
    t.hw += s->merged.hw;
    t.parts += s->merged.parts;
    t.known += s->merged.known;
    t.secret += s->merged.secret;
    c->v = t.v;
    c->hw = t.hw;
    if (t.parts == 0) {
        c->st = CS_ABSENT;
        c->cov = 0;
    } else if (t.known == t.parts) {
        c->st = CS_OK;
        c->cov = 1;
    } else if (t.known == 0) {
        c->st = t.secret ? CS_SECRET : CS_MISSING;
        c->cov = 0;
    } else {
        c->st = CS_PARTIAL;
        c->cov = (double)t.known / t.parts;
    }
}

static ctg_status add_group_figure(fetch_info *info, const char *level, const char *code,
                                   const ctg_value *v, ctg_error *err)
{
    for (size_t i = 0; i < info->ngroups; i++)
        if (!strcmp(info->groups[i].level, level) && !strcmp(info->groups[i].code, code))
            return CTG_OK; /* a more recent file gave it already */
    group_figure *l = realloc(info->groups, (info->ngroups + 1) * sizeof *l);
    if (!l)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    info->groups = l;
    group_figure *gf = &l[info->ngroups++];
    snprintf(gf->level, sizeof gf->level, "%s", level);
    snprintf(gf->code, sizeof gf->code, "%s", code);
    gf->v = v->value;
    gf->st = v->status == CTG_VAL_OK ? CS_OK : v->status == CTG_VAL_SECRET ? CS_SECRET : CS_MISSING;
    return CTG_OK;
}

/* Notes the département of a code in a ";81;31;" list. */
static void note_covered(ctg_buf *covered, const char *code)
{
    char dep[4], key[8];
    if (!code || !ctg_code_dep(code, dep))
        return;
    snprintf(key, sizeof key, ";%s;", dep);
    if (!strstr(ctg_buf_str(covered), key)) {
        if (!covered->len)
            ctg_buf_putc(covered, ';');
        ctg_buf_printf(covered, "%s;", dep);
    }
}

/* Places a commune row of an older geography that the passage tables move:
 * into each destination, its share of the value (a split is an
 * approximation by population ratio). */
static void place_carried(slot *cells, fetch_info *info, const ctg_carry *c, size_t n,
                          const char *code, const ctg_value *v, double hw, sqlite3_int64 file)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i].unit < 0) {
            info->unmapped++;
            note_covered(&info->unmapped_deps, code);
            continue;
        }
        slot *cl = &cells[c[i].unit];
        if (!claim(cl, file))
            continue;
        ctg_value share = *v;
        share.value *= c[i].ratio;
        add_part(&cl->merged, &share, hw * c[i].ratio);
        if (c[i].ratio < 1)
            cl->approx = 1;
        info->any = 1;
    }
}

/* Places one row of a file whose codes are those of geography year
 * file_geo (0 unknown) and whose counts are off by at most hw. */
static ctg_status place(const ctg_geo *g, slot *cells, fetch_info *info, const char *level,
                        const char *code, const char *parent, const ctg_value *v,
                        sqlite3_int64 file, int file_geo, double hw, ctg_error *err)
{
    if (!strcmp(level, "pseudo"))
        return CTG_OK; /* names no place: part of no unit and no group */
    if (!strcmp(level, "commune") || !strcmp(level, "arm")) {
        const ctg_carry *carried = NULL;
        size_t ncarried = 0;
        if (file_geo && file_geo < g->year)
            ctg_geo_carry(g, file_geo, code, &carried, &ncarried);
        if (ncarried) {
            place_carried(cells, info, carried, ncarried, code, v, hw, file);
            return CTG_OK;
        }
        int u = ctg_geo_find(g, code);
        if (u >= 0) {
            if (claim(&cells[u], file)) {
                memset(&cells[u].own, 0, sizeof cells[u].own);
                add_part(&cells[u].own, v, hw);
                cells[u].has_own = 1;
                info->any = 1;
            }
            int p = g->units[u].parent;
            if (p >= 0 && claim(&cells[p], file)) {
                add_part(&cells[p].parts, v, hw); /* arrondissements make up their commune */
                info->any = 1;
            }
            return CTG_OK;
        }
        u = ctg_geo_merged(g, code);
        if (u >= 0) {
            if (claim(&cells[u], file)) {
                add_part(&cells[u].merged, v, hw); /* a former commune adds up into its commune */
                info->any = 1;
            }
            return CTG_OK;
        }
        info->unmapped++;
        note_covered(&info->unmapped_deps, code);
        return CTG_OK;
    }
    if (!strcmp(level, "iris")) {
        /* the first five characters (snprintf "%.5s" was 2 % of a compute) */
        char commune[CTG_CODE_MAX];
        const char *from = parent && parent[0] ? parent : code;
        size_t k = 0;
        for (; k < 5 && from[k]; k++)
            commune[k] = from[k];
        commune[k] = '\0';
        int u = ctg_geo_find(g, commune);
        part_sum *into = u >= 0 ? &cells[u].parts : NULL;
        if (u < 0) {
            u = ctg_geo_merged(g, commune);
            into = u >= 0 ? &cells[u].merged : NULL;
        }
        if (u < 0) {
            info->unmapped++;
            note_covered(&info->unmapped_deps, commune);
            return CTG_OK;
        }
        if (claim(&cells[u], file)) {
            add_part(into, v, hw);
            info->any = 1;
        }
        /* an IRIS of an arrondissement makes up its commune too (Paris,
         * Lyon, Marseille from the IRIS files) */
        int p = g->units[u].parent;
        if (into == &cells[u].parts && p >= 0 && claim(&cells[p], file))
            add_part(&cells[p].parts, v, hw);
        int iu = ctg_geo_find(g, code); /* the IRIS itself, when the geography lists it */
        if (iu >= 0 && g->units[iu].level == CTG_LEVEL_IRIS && claim(&cells[iu], file)) {
            memset(&cells[iu].own, 0, sizeof cells[iu].own);
            add_part(&cells[iu].own, v, hw);
            cells[iu].has_own = 1;
        }
        return CTG_OK;
    }
    return add_group_figure(info, level, code, v, err);
}

/* A file that lists only the communes with at least one (Sitadel starts,
 * RPLS dwellings): the communes of its départements it does not list have
 * none. */
static void zero_absent(const ctg_geo *g, slot *cells, const ctg_buf *covered)
{
    static const ctg_value ZERO = {0, CTG_VAL_OK};
    for (size_t i = 0; i < g->n; i++) {
        slot *c = &cells[i];
        char key[8];
        if (c->has_own || c->parts.parts || c->merged.parts || i >= g->nmain)
            continue; /* given, or an IRIS: a commune-level file says nothing of them */
        int p = g->units[i].parent;
        if (p >= 0 && cells[p].has_own)
            continue; /* the file gives the whole commune, not its arrondissements */
        snprintf(key, sizeof key, ";%s;", g->units[i].dep);
        if (!strstr(ctg_buf_str(covered), key))
            continue;
        add_part(&c->own, &ZERO, 0);
        c->has_own = 1;
    }
}

/* Notes a file in info->files once. */
static void note_file(fetch_info *info, sqlite3_int64 file)
{
    char id[32];
    snprintf(id, sizeof id, "%lld", (long long)file);
    const char *s = ctg_buf_str(&info->files);
    size_t n = strlen(id);
    for (const char *p = s; (p = strstr(p, id)) != NULL; p += n)
        if ((p == s || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
            return;
    if (info->files.len)
        ctg_buf_putc(&info->files, ',');
    ctg_buf_puts(&info->files, id);
}

/* Places the rows of one file holding the variable at position idx. */
static ctg_status place_file(ctg_warehouse *wh, const ctg_geo *g, sqlite3_stmt *rows,
                             sqlite3_int64 file, int idx, const char *period,
                             const char *measure, int rounded, int file_geo, slot *cells,
                             fetch_info *info, ctg_buf *covered, int absent_zero, ctg_error *err)
{
    sqlite3_reset(rows);
    sqlite3_bind_int64(rows, 1, file);
    if (period)
        sqlite3_bind_text(rows, 2, period, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(rows, 2);
    if (measure)
        sqlite3_bind_text(rows, 3, measure, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(rows, 3);
    ctg_status s = CTG_OK;
    int rc;
    int noted = 0;
    while (s == CTG_OK && (rc = sqlite3_step(rows)) == SQLITE_ROW) {
        ctg_value v;
        const void *blob = sqlite3_column_blob(rows, 3);
        int len = sqlite3_column_bytes(rows, 3);
        if (ctg_unpack_one(blob, (size_t)len, (size_t)idx, &v) != CTG_OK)
            return ctg_fail(err, CTG_ERR_DATA, ctg_wh_path(wh), 0,
                            "malformed packed values in the warehouse (file %lld)",
                            (long long)file);
        if (!noted) {
            note_file(info, file);
            info->rounded |= rounded > 0;
            noted = 1;
        }
        const char *code = (const char *)sqlite3_column_text(rows, 1);
        s = place(g, cells, info, (const char *)sqlite3_column_text(rows, 0), code,
                  (const char *)sqlite3_column_text(rows, 2), &v, file, file_geo, rounded / 2,
                  err);
        if (absent_zero)
            note_covered(covered, code);
    }
    if (s == CTG_OK && rc != SQLITE_DONE)
        s = ctg_wh_fail(wh, rc, err, "reading observations");
    return s;
}

/* ctg_fetch with slots[0..g->n) as scratch, skipping the files whose rows
 * have not the period (known: their periods; NULL: read every file). */
static ctg_status fetch_with(ctg_warehouse *wh, slot *slots, period_index *known,
                             const ctg_geo *g,
                             const char *family, const char *variable, const char *period,
                             cell *cells, fetch_info *info, ctg_error *err)
{
    memset(slots, 0, g->n * sizeof *slots);
    ctg_fetch_info_reset(info);
    sqlite3_stmt *pairs = NULL, *rows = NULL;
    ctg_buf covered = CTG_BUF_INIT; /* départements of files where absent means zero */
    ctg_status s = ctg_wh_prepare(wh, PAIRS_SQL, &pairs, err);
    if (s == CTG_OK)
        s = ctg_wh_prepare(wh, ROWS_SQL, &rows, err);
    if (s == CTG_OK) {
        sqlite3_bind_text(pairs, 1, family, -1, SQLITE_STATIC);
        sqlite3_bind_text(pairs, 2, variable, -1, SQLITE_STATIC);
    }
    int rc = SQLITE_DONE;
    while (s == CTG_OK && (rc = sqlite3_step(pairs)) == SQLITE_ROW) {
        sqlite3_int64 file = sqlite3_column_int64(pairs, 0);
        int idx = sqlite3_column_int(pairs, 1);
        const char *vperiod = (const char *)sqlite3_column_text(pairs, 2);
        int is_long = sqlite3_column_int(pairs, 3);
        if (vperiod && vperiod[0] && strcmp(vperiod, period))
            continue; /* the column of another period */
        int has = 1;
        if (!(vperiod && vperiod[0]))
            s = has_rows_of(wh, known, file, period, &has, err);
        if (s != CTG_OK || !has)
            continue; /* no row of this period */
        s = place_file(wh, g, rows, file, idx, vperiod && vperiod[0] ? NULL : period,
                       is_long ? variable : NULL, sqlite3_column_int(pairs, 4),
                       sqlite3_column_int(pairs, 6), slots, info, &covered,
                       sqlite3_column_int(pairs, 5), err);
    }
    if (s == CTG_OK && rc != SQLITE_DONE)
        s = ctg_wh_fail(wh, rc, err, "reading observations");
    sqlite3_finalize(pairs);
    sqlite3_finalize(rows);
    if (covered.len)
        zero_absent(g, slots, &covered);
    ctg_buf_free(&covered);
    for (size_t i = 0; i < g->n; i++)
        finish_cell(&slots[i], &cells[i]);
    return s;
}

ctg_status ctg_fetch(ctg_warehouse *wh, const ctg_geo *g, const char *family,
                     const char *variable, const char *period, cell *cells, fetch_info *info,
                     ctg_error *err)
{
    slot *slots = malloc((g->n ? g->n : 1) * sizeof *slots);
    if (!slots)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    ctg_status s = fetch_with(wh, slots, NULL, g, family, variable, period, cells, info, err);
    free(slots);
    return s;
}

ctg_status ctg_fetch_periods(ctg_warehouse *wh, const char *family, const char *variable,
                             ctg_buf *list, size_t *n, ctg_error *err)
{
    ctg_buf_reset(list);
    *n = 0;
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, PERIODS_SQL, &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, variable, -1, SQLITE_STATIC);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *p = (const char *)sqlite3_column_text(st, 0);
        if (!p || !p[0])
            continue;
        if (ctg_buf_append(list, p, strlen(p) + 1) != CTG_OK) {
            s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
            break;
        }
        (*n)++;
    }
    if (s == CTG_OK && rc != SQLITE_DONE)
        s = ctg_wh_fail(wh, rc, err, "reading periods");
    sqlite3_finalize(st);
    return s;
}

/* ---------------------------------------------------------------- cache */

typedef struct fetch_entry {
    char key[192];            /* family \x1f variable \x1f period; "" when free */
    cell *cells;
    int any, rounded;
    long unmapped;
    ctg_buf files, unmapped_deps;
    group_figure *groups;
    size_t ngroups;
    unsigned long used;       /* last use, for eviction */
} fetch_entry;

typedef struct period_entry {
    char key[160];
    ctg_buf list;
    size_t n;
} period_entry;

struct ctg_fetch_cache {
    const ctg_geo *g;
    fetch_entry *fetches;
    size_t nfetches;
    period_entry *periods;
    size_t nperiods, cap_periods;
    slot *slots;              /* scratch of a fetch: g->n */
    period_index row_periods; /* the periods of the rows of each file met */
    unsigned long clock;
};

ctg_fetch_cache *ctg_fetch_cache_new(const ctg_geo *g, size_t entries)
{
    ctg_fetch_cache *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->g = g;
    c->fetches = calloc(entries, sizeof *c->fetches);
    c->slots = malloc((g->n ? g->n : 1) * sizeof *c->slots);
    if (!c->fetches || !c->slots) {
        free(c->fetches);
        free(c->slots);
        free(c);
        return NULL;
    }
    c->nfetches = entries;
    return c;
}

void ctg_fetch_cache_free(ctg_fetch_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->nfetches; i++) {
        free(c->fetches[i].cells);
        ctg_buf_free(&c->fetches[i].files);
        ctg_buf_free(&c->fetches[i].unmapped_deps);
        free(c->fetches[i].groups);
    }
    free(c->fetches);
    for (size_t i = 0; i < c->nperiods; i++)
        ctg_buf_free(&c->periods[i].list);
    free(c->periods);
    free(c->slots);
    for (size_t i = 0; i < c->row_periods.n; i++) {
        free(c->row_periods.files[i].list);
        free(c->row_periods.files[i].measures);
    }
    free(c->row_periods.files);
    free(c);
}

/* Copies a cached entry out to the caller's cells and info. */
static ctg_status entry_out(const fetch_entry *e, size_t n, cell *cells, fetch_info *info,
                            ctg_error *err)
{
    memcpy(cells, e->cells, n * sizeof *cells);
    ctg_fetch_info_reset(info);
    info->any = e->any;
    info->rounded = e->rounded;
    info->unmapped = e->unmapped;
    ctg_buf_append(&info->files, e->files.data ? e->files.data : "", e->files.len);
    ctg_buf_append(&info->unmapped_deps, e->unmapped_deps.data ? e->unmapped_deps.data : "",
                   e->unmapped_deps.len);
    if (e->ngroups) {
        group_figure *gf = realloc(info->groups, e->ngroups * sizeof *gf);
        if (!gf)
            return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        memcpy(gf, e->groups, e->ngroups * sizeof *gf);
        info->groups = gf;
        info->ngroups = e->ngroups;
    }
    return CTG_OK;
}

/* Keeps a fetch in the least recently used entry. Out of memory only means
 * it is not kept. */
static void entry_in(ctg_fetch_cache *c, const char *key, const cell *cells,
                     const fetch_info *info)
{
    fetch_entry *e = &c->fetches[0];
    for (size_t i = 1; i < c->nfetches; i++)
        if (c->fetches[i].used < e->used)
            e = &c->fetches[i];
    size_t n = c->g->n;
    if (!e->cells && !(e->cells = malloc((n ? n : 1) * sizeof *e->cells)))
        return;
    memcpy(e->cells, cells, n * sizeof *cells);
    free(e->groups);
    e->groups = NULL;
    e->ngroups = 0;
    if (info->ngroups && (e->groups = malloc(info->ngroups * sizeof *e->groups))) {
        memcpy(e->groups, info->groups, info->ngroups * sizeof *e->groups);
        e->ngroups = info->ngroups;
    }
    e->any = info->any;
    e->rounded = info->rounded;
    e->unmapped = info->unmapped;
    ctg_buf_reset(&e->files);
    ctg_buf_append(&e->files, info->files.data ? info->files.data : "", info->files.len);
    ctg_buf_reset(&e->unmapped_deps);
    ctg_buf_append(&e->unmapped_deps, info->unmapped_deps.data ? info->unmapped_deps.data : "",
                   info->unmapped_deps.len);
    snprintf(e->key, sizeof e->key, "%s", key);
    e->used = ++c->clock;
}

ctg_status ctg_fetch_cached(ctg_fetch_cache *c, ctg_warehouse *wh, const char *family,
                            const char *variable, const char *period, cell *cells,
                            fetch_info *info, ctg_error *err)
{
    char key[192];
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s", family, variable, period);
    for (size_t i = 0; i < c->nfetches; i++) {
        if (c->fetches[i].key[0] && !strcmp(c->fetches[i].key, key)) {
            c->fetches[i].used = ++c->clock;
            return entry_out(&c->fetches[i], c->g->n, cells, info, err);
        }
    }
    ctg_status st = fetch_with(wh, c->slots, &c->row_periods, c->g, family, variable, period, cells, info, err);
    if (st == CTG_OK)
        entry_in(c, key, cells, info);
    return st;
}

/* The files of a family that may give a variable, with the period their
 * variable carries ('' when their rows carry it). */
static const char VARIABLE_FILES_SQL[] =
    "SELECT f.id, v.variable = '', v.period FROM source_file f JOIN file_variable v "
    "ON v.file_id = f.id WHERE f.family = ?1 AND (v.variable = ?2 OR v.variable = '')";

/* Whether the \x1e-framed (measure, period) pairs of a long file's rows
 * hold measure. */
static int has_measure(const char *pairs, const char *measure)
{
    size_t m = strlen(measure);
    for (const char *p = pairs; (p = strchr(p, '\x1e')) != NULL && p[1]; p++)
        if (!strncmp(p + 1, measure, m) && p[1 + m] == '\x1f')
            return 1;
    return 0;
}

/* Adds the periods of a framed list ("<sep>P<sep>..." or, for a long
 * file's pairs, those of measure) to l. */
static ctg_status add_listed(ctg_buf *l, size_t *n, const char *list, char sep,
                             const char *measure)
{
    size_t m = measure ? strlen(measure) : 0;
    for (const char *p = list; (p = strchr(p, sep)) != NULL && p[1]; p++) {
        const char *item = p + 1, *end = strchr(item, sep);
        if (measure) {
            if (strncmp(item, measure, m) || item[m] != '\x1f')
                continue;
            item += m + 1;
        }
        if (end > item) {
            if (ctg_buf_append(l, item, (size_t)(end - item)) != CTG_OK ||
                ctg_buf_putc(l, '\0') != CTG_OK)
                return CTG_ERR_NOMEM;
            (*n)++;
        }
    }
    return CTG_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts the NUL-separated list l of n strings and drops repeats. */
static ctg_status sort_unique(ctg_buf *l, size_t *n)
{
    if (*n < 2)
        return CTG_OK;
    const char **items = malloc(*n * sizeof *items);
    if (!items)
        return CTG_ERR_NOMEM;
    const char *p = l->data;
    for (size_t i = 0; i < *n; i++, p += strlen(p) + 1)
        items[i] = p;
    qsort(items, *n, sizeof *items, cmp_str);
    ctg_buf out = CTG_BUF_INIT;
    size_t kept = 0;
    ctg_status s = CTG_OK;
    for (size_t i = 0; s == CTG_OK && i < *n; i++)
        if (!i || strcmp(items[i], items[i - 1])) {
            s = ctg_buf_append(&out, items[i], strlen(items[i]) + 1);
            kept++;
        }
    free(items);
    if (s != CTG_OK) {
        ctg_buf_free(&out);
        return s;
    }
    ctg_buf_free(l);
    *l = out;
    *n = kept;
    return CTG_OK;
}

/* ctg_fetch_periods from the facts of each file, read once per file for a
 * whole compute (the periods of its rows, a long file's measures) where
 * PERIODS_SQL joins the rows of every file of the family again for each
 * variable. Same list (test_results compares them). */
static ctg_status periods_from_files(ctg_warehouse *wh, period_index *idx, const char *family,
                                     const char *variable, ctg_buf *list, size_t *n,
                                     ctg_error *err)
{
    ctg_buf_reset(list);
    *n = 0;
    sqlite3_stmt *st = NULL;
    ctg_status s = ctg_wh_prepare(wh, VARIABLE_FILES_SQL, &st, err);
    if (s != CTG_OK)
        return s;
    sqlite3_bind_text(st, 1, family, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, variable, -1, SQLITE_STATIC);
    int rc = SQLITE_DONE;
    while (s == CTG_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        sqlite3_int64 file = sqlite3_column_int64(st, 0);
        int is_long = sqlite3_column_int(st, 1);
        const char *period = (const char *)sqlite3_column_text(st, 2);
        const char *facts = NULL;
        if (is_long)
            s = row_measures(wh, idx, file, &facts, err);
        else if (!(period && period[0]))
            s = row_periods(wh, idx, file, &facts, err);
        if (s != CTG_OK)
            break;
        if (period && period[0]) { /* the variable's period: a long file's if a row gives it */
            if (is_long && !has_measure(facts, variable))
                continue;
            s = ctg_buf_append(list, period, strlen(period) + 1);
            if (s == CTG_OK)
                (*n)++;
        } else {
            s = add_listed(list, n, facts, is_long ? '\x1e' : '\x1f', is_long ? variable : NULL);
        }
        if (s == CTG_ERR_NOMEM)
            s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    }
    if (s == CTG_OK && rc != SQLITE_DONE)
        s = ctg_wh_fail(wh, rc, err, "reading periods");
    sqlite3_finalize(st);
    if (s == CTG_OK && sort_unique(list, n) != CTG_OK)
        s = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    return s;
}

ctg_status ctg_fetch_periods_cached(ctg_fetch_cache *c, ctg_warehouse *wh, const char *family,
                                    const char *variable, const char **list, size_t *n,
                                    ctg_error *err)
{
    char key[160];
    snprintf(key, sizeof key, "%s\x1f%s", family, variable);
    for (size_t i = 0; i < c->nperiods; i++)
        if (!strcmp(c->periods[i].key, key)) {
            *list = c->periods[i].list.data;
            *n = c->periods[i].n;
            return CTG_OK;
        }
    if (ctg_grow(&c->periods, c->nperiods, &c->cap_periods, sizeof *c->periods, 32) != CTG_OK)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    period_entry *e = &c->periods[c->nperiods];
    memset(e, 0, sizeof *e);
    snprintf(e->key, sizeof e->key, "%s", key);
    ctg_status st = periods_from_files(wh, &c->row_periods, family, variable, &e->list, &e->n, err);
    if (st != CTG_OK) {
        ctg_buf_free(&e->list);
        return st;
    }
    c->nperiods++;
    *list = e->list.data;
    *n = e->n;
    return CTG_OK;
}
