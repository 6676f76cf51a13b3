/* report.c - the diagnostic reports of a territory (report.h). */
#include "render/report.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "compute/results.h"
#include "compute/stats.h"
#include "core/buf.h"
#include "core/number.h"
#include "core/sha256.h"
#include "render/pdf.h"

#define MAX_REFS 4

/* What every page of a territory's reports needs. */
typedef struct report {
    ctg_warehouse *wh;
    ctg_results *res;
    const ctg_catalogue *cat;
    const ctg_plan *plan;
    const ctg_report_options *opt;
    ctg_territory terr;
    char name[200];              /* the territory's name */
    ctg_territory refs[MAX_REFS];/* the territory, then its EPCI, département, France */
    char ref_names[MAX_REFS][200];
    size_t nrefs;
    ctg_level members;           /* the units compared: communes, or a commune's IRIS */
    char header[300];            /* the running header */
} report;

/* ------------------------------------------------------------- territory */

/* Copies src into dst[size], cut (when too long) between two UTF-8
 * characters, never inside one. */
static void copy_utf8(char *dst, size_t size, const char *src)
{
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void add_ref(report *r, ctg_level level, const char *code, const char *name)
{
    if (r->nrefs == MAX_REFS || !code[0])
        return;
    ctg_territory *t = &r->refs[r->nrefs];
    memset(t, 0, sizeof *t);
    t->level = level;
    snprintf(t->code, sizeof t->code, "%s", code);
    snprintf(r->ref_names[r->nrefs], sizeof r->ref_names[0], "%s", name);
    r->nrefs++;
}

/* The territory, its name, the references it is compared with, and the
 * units inside it. */
static ctg_status setup(report *r, ctg_error *err)
{
    const char *spec = r->opt->territory ? r->opt->territory : r->plan->territory;
    if (!spec || !spec[0])
        return ctg_fail(err, CTG_ERR_USAGE, NULL, 0,
                        "which territory? (--territory, or a `territory` line in the plan)");
    ctg_status st = ctg_territory_parse(spec, &r->terr, err);
    if (st == CTG_OK)
        st = ctg_results_check_territory(r->res, &r->terr, err);
    if (st != CTG_OK)
        return st;
    ctg_unit_info u;
    memset(&u, 0, sizeof u);
    int found = 0;
    if (r->terr.level != CTG_LEVEL_NONE && r->terr.level != CTG_LEVEL_FR)
        st = ctg_results_unit(r->res, r->terr.level, r->terr.code, &u, &found, err);
    if (st != CTG_OK)
        return st;
    if (r->opt->name)
        copy_utf8(r->name, sizeof r->name, r->opt->name);
    else if (found && u.name[0])
        copy_utf8(r->name, sizeof r->name, u.name);
    else if (r->terr.level == CTG_LEVEL_FR)
        snprintf(r->name, sizeof r->name, "France");
    else if (r->terr.level == CTG_LEVEL_NONE)
        snprintf(r->name, sizeof r->name, "le territoire de %zu commune%s", r->terr.ncommunes,
                 r->terr.ncommunes > 1 ? "s" : "");
    else
        copy_utf8(r->name, sizeof r->name, spec);
    /* the references: the territory itself, its EPCI and département (a
     * commune's) or its département (an EPCI's), France */
    r->refs[0] = r->terr;
    r->refs[0].communes = NULL; /* borrowed: freed with r->terr */
    if (r->terr.level == CTG_LEVEL_NONE) {
        r->refs[0].communes = r->terr.communes;
        r->refs[0].ncommunes = r->terr.ncommunes;
    }
    snprintf(r->ref_names[0], sizeof r->ref_names[0], "%s", r->name);
    r->nrefs = 1;
    ctg_unit_info p;
    if (found && (r->terr.level == CTG_LEVEL_COMMUNE || r->terr.level == CTG_LEVEL_ARM)) {
        int f = 0;
        if (u.epci[0] && ctg_results_unit(r->res, CTG_LEVEL_EPCI, u.epci, &p, &f, err) == CTG_OK)
            add_ref(r, CTG_LEVEL_EPCI, u.epci, f && p.name[0] ? p.name : u.epci);
        if (u.dep[0] && ctg_results_unit(r->res, CTG_LEVEL_DEP, u.dep, &p, &f, err) == CTG_OK)
            add_ref(r, CTG_LEVEL_DEP, u.dep, f && p.name[0] ? p.name : u.dep);
    } else if (found && r->terr.level == CTG_LEVEL_EPCI && u.dep[0]) {
        /* an EPCI within one département (geo_unit.dep is empty for one
         * that spans several) is compared with it too */
        int f = 0;
        if (ctg_results_unit(r->res, CTG_LEVEL_DEP, u.dep, &p, &f, err) == CTG_OK)
            add_ref(r, CTG_LEVEL_DEP, u.dep, f && p.name[0] ? p.name : u.dep);
    }
    if (r->terr.level != CTG_LEVEL_FR)
        add_ref(r, CTG_LEVEL_FR, "FR", "France");
    r->members = r->terr.level == CTG_LEVEL_COMMUNE || r->terr.level == CTG_LEVEL_ARM
                     ? CTG_LEVEL_IRIS
                     : CTG_LEVEL_COMMUNE;
    snprintf(r->header, sizeof r->header, "%s · diagnostic CTG · géographie %d", r->name,
             ctg_results_geo_year(r->res));
    return CTG_OK;
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

/* "epci-200066124", "commune-31488"; a list of communes, in code order:
 * "communes-81099-81105" up to 4 codes, else "communes-N-" and the first 8
 * hex digits of the SHA-256 of the sorted codes (one name per set). */
static void file_stem(const report *r, char *out, size_t size)
{
    if (r->terr.level != CTG_LEVEL_NONE) {
        snprintf(out, size, "%s-%s", ctg_level_name(r->terr.level), r->terr.code);
        return;
    }
    size_t n = r->terr.ncommunes;
    char(*codes)[CTG_CODE_MAX] = malloc(n * sizeof *codes);
    if (!codes) {
        snprintf(out, size, "communes-%zu", n);
        return;
    }
    memcpy(codes, r->terr.communes, n * sizeof *codes);
    qsort(codes, n, sizeof *codes, cmp_code);
    if (n <= 4) {
        size_t o = (size_t)snprintf(out, size, "communes");
        for (size_t i = 0; i < n && o < size; i++)
            o += (size_t)snprintf(out + o, size - o, "-%s", codes[i]);
    } else {
        ctg_sha256 h;
        char hex[CTG_SHA256_HEX_LEN + 1];
        ctg_sha256_init(&h);
        for (size_t i = 0; i < n; i++)
            ctg_sha256_update(&h, codes[i], strlen(codes[i]) + 1);
        ctg_sha256_final_hex(&h, hex);
        snprintf(out, size, "communes-%zu-%.8s", n, hex);
    }
    free(codes);
}

/* ----------------------------------------------------------------- values */

/* The year shown for an indicator: --year, else its latest. */
static ctg_status year_of(const report *r, const char *id, char year[16], ctg_error *err)
{
    if (r->opt->year) {
        snprintf(year, 16, "%s", r->opt->year);
        return CTG_OK;
    }
    return ctg_results_latest_year(r->res, id, year, err);
}

/* The status of a value in words; `brief` leaves out the rounding (said
 * once under a table of units). */
static void remark(const ctg_value *v, int found, int brief, char *buf, size_t size)
{
    char cov[32];
    if (!found) {
        snprintf(buf, size, "non calculé");
        return;
    }
    if (!strcmp(v->status, "secret"))
        snprintf(buf, size, "secret statistique");
    else if (!strcmp(v->status, "missing"))
        snprintf(buf, size, "non disponible");
    else if (!strcmp(v->status, "partial") && !isnan(v->coverage)) {
        /* never "100 %" for a partial value: one decimal, rounded down */
        ctg_format_fr(floor(1000 * v->coverage) / 10, 1, cov, sizeof cov);
        snprintf(buf, size, "partiel : %s" CTG_NNBSP "%% de la population couverte%s", cov,
                 v->coverage < 0.5 ? " (insuffisant)" : "");
    } else if (!strcmp(v->status, "approx"))
        snprintf(buf, size, "approché");
    else if (!strcmp(v->status, "rounded") && !brief)
        snprintf(buf, size, "effectifs arrondis par la CAF");
    else
        buf[0] = '\0';
    if (strstr(v->flags, "caution") || strstr(v->flags, "small"))
        snprintf(buf + strlen(buf), size - strlen(buf), "%seffectif faible",
                 buf[0] ? " ; " : "");
}

/* The sums the territory rests on, from its communes' (a proportion's
 * counts for a Wilson interval): *n = 0 when unknown. */
static ctg_status territory_counts(report *r, const char *id, const char *year, double *k,
                                   double *n, ctg_error *err)
{
    *k = *n = 0;
    if (r->terr.level == CTG_LEVEL_FR)
        return CTG_OK;
    ctg_value *vals = NULL;
    size_t nv = 0;
    ctg_status st = r->terr.level == CTG_LEVEL_COMMUNE || r->terr.level == CTG_LEVEL_ARM
                        ? CTG_OK
                        : ctg_results_members(r->res, id, year, CTG_LEVEL_COMMUNE, &r->terr,
                                              &vals, &nv, err);
    if (st != CTG_OK)
        return st;
    if (!vals) { /* a commune: its own sums */
        ctg_value v;
        int found = 0;
        st = ctg_results_value(r->res, id, year, &r->terr, &v, &found, err);
        if (st == CTG_OK && found && v.nin >= 2) {
            *k = v.in[0];
            *n = v.in[1];
        }
        return st;
    }
    for (size_t i = 0; i < nv; i++)
        if (vals[i].nin >= 2) {
            *k += vals[i].in[0];
            *n += vals[i].in[1];
        }
    free(vals);
    return CTG_OK;
}

/*
 * The key finding of an indicator, as a French sentence: the territory
 * against France. For a proportion resting on counts, a difference is
 * called a difference only when France's value lies outside the
 * territory's Wilson 95 % interval; otherwise the sentence says the gap is
 * within the uncertainty.
 */
static ctg_status finding(report *r, const ctg_indicator *ind, const char *year,
                          const ctg_value *t, const ctg_value *fr, ctg_buf *out, ctg_error *err)
{
    if (isnan(t->value) || isnan(fr->value) || r->terr.level == CTG_LEVEL_FR)
        return CTG_OK;
    ctg_aggregation agg = ctg_results_aggregation(r->res, ind->id, year);
    if (agg == CTG_AGG_SUM || agg == CTG_AGG_POINT_MORT)
        return CTG_OK; /* counts: a territory and France are not comparable */
    int dec = ctg_unit_decimals(ind->unit);
    char tv[64], fv[64], gap[64], cov[32];
    /* an index has no unit to print after its figures */
    const char *unit = !strcmp(ind->unit, "indice") ? "" : ind->unit;
    const char *sp = ctg_unit_space(unit);
    ctg_format_fr(t->value, dec, tv, sizeof tv);
    ctg_format_fr(fr->value, dec, fv, sizeof fv);
    /* under half the population known, the value is not the territory's
     * (../shared/docs/indicators.md) */
    if (!strcmp(t->status, "partial") && t->coverage < 0.5) {
        ctg_format_fr(floor(1000 * t->coverage) / 10, 1, cov, sizeof cov);
        ctg_buf_printf(out,
                       "%s : couverture insuffisante pour %s (valeurs connues pour %s" CTG_NNBSP
                       "%% de la population seulement) ; pas de comparaison avec la France.",
                       ind->label, r->name, cov);
        return CTG_OK;
    }
    if (!strcmp(fr->status, "partial") && fr->coverage < 0.5) {
        ctg_format_fr(floor(1000 * fr->coverage) / 10, 1, cov, sizeof cov);
        ctg_buf_printf(out,
                       "%s : %s%s%s pour %s ; la valeur de la France ne repose que sur %s" CTG_NNBSP
                       "%% de sa population : pas de comparaison.",
                       ind->label, tv, sp, unit, r->name, cov);
        return CTG_OK;
    }
    /* what the reader must know of the territory's value */
    char caveat[160] = "";
    if (!strcmp(t->status, "partial") && isfinite(t->coverage)) {
        ctg_format_fr(floor(1000 * t->coverage) / 10, 1, cov, sizeof cov);
        snprintf(caveat, sizeof caveat, " (valeur partielle : %s" CTG_NNBSP "%% de la population)",
                 cov);
    } else if (!strcmp(t->status, "approx") || strstr(t->flags, "approx")) {
        snprintf(caveat, sizeof caveat, " (valeur approchée)");
    }
    const char *approx = caveat;
    int tested = 0; /* a share whose Wilson interval could be computed */
    /* the gap between the figures as printed, so that the sentence adds up */
    double scale = pow(10, dec);
    double diff = (round(t->value * scale) - round(fr->value * scale)) / scale;
    ctg_format_fr(fabs(diff), dec, gap, sizeof gap);
    if (ctg_results_is_share(r->res, ind->id, year)) {
        double k, n, lo, hi;
        ctg_status st = territory_counts(r, ind->id, year, &k, &n, err);
        if (st != CTG_OK)
            return st;
        if (n > 0 && k >= 0 && k <= n && ctg_wilson(k, n, 0.95, &lo, &hi, NULL) == CTG_OK) {
            tested = 1;
            double f = fr->value / 100;
            if (f >= lo && f <= hi) {
                ctg_buf_printf(out,
                               "%s : %s%s%s pour %s%s, %s%s%s pour la France ; l'écart n'est pas "
                               "significatif (la valeur de la France est dans l'intervalle de "
                               "confiance à 95" CTG_NNBSP "%% du territoire).",
                               ind->label, tv, sp, unit, r->name, approx, fv, sp, unit);
                return CTG_OK;
            }
        }
    }
    if (diff == 0) {
        ctg_buf_printf(out, "%s : %s%s%s pour %s%s, comme pour la France.", ind->label, tv, sp,
                       unit, r->name, approx);
        return CTG_OK;
    }
    /* the gap: points for a percentage (singular under 2), else the unit */
    double shown = fabs(diff); /* as printed */
    const char *by = !strcmp(ind->unit, "%") ? (shown < 2 ? "\xC2\xA0point" : "\xC2\xA0points")
                     : unit[0]                ? sp
                                              : "";
    int share = ctg_results_is_share(r->res, ind->id, year);
    ctg_buf_printf(out, "%s : %s%s%s pour %s%s contre %s%s%s pour la France, soit %s%s%s de %s%s.",
                   ind->label, tv, sp, unit, r->name, approx, fv, sp, unit, gap, by,
                   !strcmp(ind->unit, "%") ? "" : unit, diff > 0 ? "plus" : "moins",
                   share && !tested ? " (écart non testé : effectifs inconnus)" : "");
    return CTG_OK;
}

/* ----------------------------------------------------------------- pages */

/* The territory beside its references. */
static ctg_status reference_table(ctg_pdf *pdf, report *r, const ctg_indicator *ind,
                                  const char *year, ctg_value *t_out, ctg_value *fr_out,
                                  ctg_error *err)
{
    static const ctg_pdf_column COLS[] = {
        {"Territoire", 0.42, 0}, {"Valeur", 0.22, 1}, {"Remarque", 0.36, 0}};
    ctg_pdf_table *tab = NULL;
    ctg_status st = ctg_pdf_table_begin(pdf, COLS, 3, &tab, err);
    t_out->value = fr_out->value = NAN;
    for (size_t i = 0; st == CTG_OK && i < r->nrefs; i++) {
        ctg_value v;
        int found = 0;
        st = ctg_results_value(r->res, ind->id, year, &r->refs[i], &v, &found, err);
        if (st != CTG_OK)
            break;
        if (!found)
            v.value = NAN;
        if (i == 0)
            *t_out = v;
        if (r->refs[i].level == CTG_LEVEL_FR)
            *fr_out = v;
        char value[128], rem[160];
        ctg_value_display_unit(&v, found, ind->unit, value, sizeof value);
        remark(&v, found, 0, rem, sizeof rem);
        const char *cells[3] = {r->ref_names[i], value, rem};
        st = ctg_pdf_table_row(tab, cells, i == 0, err);
    }
    ctg_status end = tab ? ctg_pdf_table_end(tab, err) : CTG_OK;
    return st != CTG_OK ? st : end;
}

/* The frame of a chart: its vertical axis from bottom to top, its
 * horizontal axis at `base`, and the values hi and lo labelled at the top
 * and the bottom of the vertical one. */
static ctg_status chart_frame(ctg_pdf *pdf, double left, double right, double top, double bottom,
                              double base, double hi, double lo, int dec, ctg_error *err)
{
    char a[64], b[64];
    ctg_status st = ctg_pdf_line(pdf, left, bottom, left, top, 0.5, 0, 0, err);
    if (st == CTG_OK)
        st = ctg_pdf_line(pdf, left, base, right, base, 0.5, 0, 0, err);
    ctg_format_fr(hi, dec, a, sizeof a);
    ctg_format_fr(lo, dec, b, sizeof b);
    if (st == CTG_OK)
        st = ctg_pdf_text_at(pdf, left - 3, top - 3, 7, 2, a, err);
    if (st == CTG_OK)
        st = ctg_pdf_text_at(pdf, left - 3, bottom, 7, 2, b, err);
    return st;
}

/*
 * The yearly series of the territory (solid line) and of France (dashed,
 * rates only) up to `year`, over the years of the same source: drawn when
 * it has at least three years and is not a census indicator (whose
 * vintages overlap: ../shared/docs/indicators.md).
 */
static ctg_status series_chart(ctg_pdf *pdf, report *r, const ctg_indicator *ind,
                               const char *year, int rate, ctg_error *err)
{
    char *years = NULL;
    size_t ny = 0;
    ctg_status st = ctg_results_years(r->res, ind->id, &years, &ny, err);
    double tv[64], fv[64];
    char ys[64][16];
    size_t n = 0;
    int rank = ctg_results_source_rank(r->res, ind->id, year);
    const char *p = years;
    for (size_t i = 0; st == CTG_OK && i < ny; i++, p += strlen(p) + 1) {
        if (strlen(p) != strlen(year) || strcmp(p, year) > 0 ||
            ctg_results_source_rank(r->res, ind->id, p) != rank)
            continue;
        ctg_value v;
        int found = 0;
        st = ctg_results_value(r->res, ind->id, p, &r->refs[0], &v, &found, err);
        if (st != CTG_OK || !found || isnan(v.value))
            continue;
        if (n == 64) { /* keep the latest 64 */
            memmove(tv, tv + 1, 63 * sizeof *tv);
            memmove(fv, fv + 1, 63 * sizeof *fv);
            memmove(ys, ys + 1, 63 * sizeof *ys);
            n--;
        }
        tv[n] = v.value;
        fv[n] = NAN;
        if (rate && r->terr.level != CTG_LEVEL_FR) {
            st = ctg_results_value(r->res, ind->id, p, &r->refs[r->nrefs - 1], &v, &found, err);
            if (st == CTG_OK && found)
                fv[n] = v.value;
        }
        snprintf(ys[n], sizeof ys[n], "%s", p);
        n++;
    }
    free(years);
    if (st != CTG_OK || n < 3)
        return st;
    double hi = tv[0], lo = tv[0];
    for (size_t i = 0; i < n; i++) {
        hi = fmax(hi, tv[i]);
        lo = fmin(lo, tv[i]);
        if (isfinite(fv[i])) {
            hi = fmax(hi, fv[i]);
            lo = fmin(lo, fv[i]);
        }
    }
    if (!(hi > lo)) { /* a flat series: a band around it */
        hi += fabs(hi) * 0.1 + 1;
        lo -= fabs(lo) * 0.1 + 1;
    }
    double pad = (hi - lo) * 0.1; /* the scale of the data, not from 0: its labels say so */
    hi += pad;
    lo = lo - pad < 0 && lo >= 0 ? 0 : lo - pad;
    double x0, y0, w;
    st = ctg_pdf_area(pdf, 140, &x0, &y0, &w, err);
    if (st != CTG_OK)
        return st;
    const double left = x0 + 44, right = x0 + w - 10, top = y0 - 8, bottom = y0 - 104;
    const double sy = (top - bottom) / (hi - lo), sx = (right - left) / (double)(n - 1);
    st = chart_frame(pdf, left, right, top, bottom, bottom, hi, lo,
                     ctg_unit_decimals(ind->unit), err);
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        double x = left + i * sx;
        if (i + 1 < n)
            st = ctg_pdf_line(pdf, x, bottom + (tv[i] - lo) * sy, x + sx,
                              bottom + (tv[i + 1] - lo) * sy, 1.4, 0, 0, err);
        if (st == CTG_OK && i + 1 < n && isfinite(fv[i]) && isfinite(fv[i + 1]))
            st = ctg_pdf_line(pdf, x, bottom + (fv[i] - lo) * sy, x + sx,
                              bottom + (fv[i + 1] - lo) * sy, 1, 0.35, 3, err);
        if (st == CTG_OK && (n <= 12 || i % 2 == 0 || i == n - 1))
            st = ctg_pdf_text_at(pdf, x, bottom - 10, 7, 1, ys[i], err);
    }
    char caption[400];
    snprintf(caption, sizeof caption, "Trait plein : %s%s.", r->name,
             rate && r->terr.level != CTG_LEVEL_FR ? " ; tirets : France" : "");
    if (st == CTG_OK)
        st = ctg_pdf_text_at(pdf, left, bottom - 22, 7, 0, caption, err);
    return st;
}

/* The evolution of the territory's value, as a sentence. */
static ctg_status evolution(ctg_pdf *pdf, report *r, const ctg_indicator *ind, const char *year,
                            const ctg_value *t, ctg_error *err)
{
    ctg_evolution ev;
    if (isnan(t->value))
        return CTG_OK;
    ctg_status st = ctg_results_evolution(r->res, ind->id, year, &r->refs[0], &ev, err);
    if (st != CTG_OK)
        return st;
    int dec = ctg_unit_decimals(ind->unit);
    char a[64], b[64], s[64], se[64];
    ctg_buf text = CTG_BUF_INIT;
    if (ev.census && ev.previous[0]) {
        ctg_format_fr(ev.previous_value, dec, a, sizeof a);
        ctg_format_fr(t->value, dec, b, sizeof b);
        ctg_buf_printf(&text, "Évolution : %s en %s, %s en %s (recensements à cinq ans d'écart).",
                       a, ev.previous, b, year);
    } else if (!ev.census && ev.trend.n >= 3 && !isnan(ev.trend.se)) {
        ctg_format_fr(ev.trend.slope, dec + 1, s, sizeof s);
        ctg_format_fr(ev.trend.se, dec + 1, se, sizeof se);
        /* the slope of a rate is in points of it a year */
        int many = fabs(ev.trend.slope) >= 2;
        const char *per = !strcmp(ind->unit, "%") || !strcmp(ind->unit, "% par an")
                              ? (many ? "\xC2\xA0points par an" : "\xC2\xA0point par an")
                          : !strcmp(ind->unit, "‰") ? CTG_NNBSP "‰ par an"
                          : !strcmp(ind->unit, "indice") ? " par an"
                                                          : NULL;
        char unit_per[96];
        if (!per) {
            snprintf(unit_per, sizeof unit_per, "\xC2\xA0%s par an", ind->unit);
            per = unit_per;
        }
        ctg_buf_printf(&text,
                       "Tendance %s-%s (%zu valeurs annuelles, même source) : %s%s%s (erreur "
                       "type %s), %s au seuil de 5" CTG_NNBSP "%%.",
                       ev.first, year, ev.trend.n, ev.trend.slope > 0 ? "+" : "", s, per, se,
                       ev.trend.significant ? "significative" : "non significative");
    } else if (ev.previous[0]) {
        ctg_format_fr(ev.previous_value, dec, a, sizeof a);
        ctg_format_fr(t->value, dec, b, sizeof b);
        ctg_buf_printf(&text, "Évolution : %s en %s, %s en %s.", a, ev.previous, b, year);
    }
    if (!ev.census && ev.n >= 3) /* the sentence with its chart */
        st = ctg_pdf_keep(pdf, 175, err);
    if (st == CTG_OK && text.len)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, ctg_buf_str(&text), err);
    ctg_buf_free(&text);
    if (st == CTG_OK && !ev.census) {
        ctg_aggregation agg = ctg_results_aggregation(r->res, ind->id, year);
        st = series_chart(pdf, r, ind, year, agg != CTG_AGG_SUM && agg != CTG_AGG_POINT_MORT,
                          err);
    }
    return st;
}

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * Sorted bars of the units' values, with the territory's value (solid line)
 * and France's (dashed) as references, greys that print in black and white.
 */
static ctg_status bar_chart(ctg_pdf *pdf, report *r, const ctg_indicator *ind, const double *x,
                            size_t n, double territory, double france, ctg_error *err)
{
    double *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    size_t m = 0;
    double hi = 0, lo = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(x[i])) {
            v[m++] = x[i];
            hi = fmax(hi, x[i]);
            lo = fmin(lo, x[i]);
        }
    if (isfinite(territory)) { /* the reference lines stay inside the chart */
        hi = fmax(hi, territory);
        lo = fmin(lo, territory);
    }
    if (isfinite(france)) {
        hi = fmax(hi, france);
        lo = fmin(lo, france);
    }
    ctg_status st = CTG_OK;
    if (m < 2 || !(hi > lo))
        goto cleanup;
    qsort(v, m, sizeof *v, cmp_desc);
    double x0, y0, w;
    st = ctg_pdf_area(pdf, 150, &x0, &y0, &w, err);
    if (st != CTG_OK)
        goto cleanup;
    const double left = x0 + 44, right = x0 + w, top = y0 - 8, bottom = y0 - 124;
    const double scale = (top - bottom) / (hi - lo), zero = bottom - lo * scale;
    double bar = (right - left) / (double)m;
    int dec = ctg_unit_decimals(ind->unit);
    char a[64], b[64], caption[600];
    for (size_t i = 0; st == CTG_OK && i < m; i++) {
        double h = v[i] * scale;
        st = ctg_pdf_rect(pdf, left + i * bar + (bar > 4 ? 0.5 : 0), h >= 0 ? zero : zero + h,
                          bar > 4 ? bar - 1 : bar, fabs(h), 0.65, err);
    }
    if (st == CTG_OK)
        st = chart_frame(pdf, left, right, top, bottom, zero, hi, lo, dec, err);
    if (st == CTG_OK && isfinite(territory))
        st = ctg_pdf_line(pdf, left, zero + territory * scale, right, zero + territory * scale,
                          1.2, 0, 0, err);
    if (st == CTG_OK && isfinite(france))
        st = ctg_pdf_line(pdf, left, zero + france * scale, right, zero + france * scale, 1,
                          0.3, 3, err);
    ctg_format_fr(territory, dec, a, sizeof a);
    ctg_format_fr(france, dec, b, sizeof b);
    int o = snprintf(caption, sizeof caption, "%zu %s, de la valeur la plus haute à la plus basse",
                     m, r->members == CTG_LEVEL_IRIS ? "IRIS" : "communes");
    if (isfinite(territory) && o > 0 && (size_t)o < sizeof caption)
        o += snprintf(caption + o, sizeof caption - (size_t)o, " ; trait plein : %s (%s)",
                      r->name, a);
    if (isfinite(france) && o > 0 && (size_t)o < sizeof caption)
        snprintf(caption + o, sizeof caption - (size_t)o, " ; tirets : France (%s)", b);
    if (st == CTG_OK)
        st = ctg_pdf_text_at(pdf, left, bottom - 14, 7, 0, caption, err);
cleanup:
    free(v);
    return st;
}

/* The units compared (the communes, or a commune's IRIS): value, rank,
 * quartile, remarks. */
static ctg_status members_table(ctg_pdf *pdf, report *r, const ctg_indicator *ind,
                                const char *year, const ctg_value *t, const ctg_value *fr,
                                ctg_error *err)
{
    if (r->terr.level == CTG_LEVEL_FR || r->terr.level == CTG_LEVEL_REG)
        return CTG_OK; /* thousands of communes: `ctgdiag rank` */
    ctg_value *vals = NULL;
    size_t n = 0;
    ctg_status st = ctg_results_members(r->res, ind->id, year, r->members, &r->terr, &vals, &n,
                                        err);
    if (st != CTG_OK || n < 2) {
        free(vals);
        return st;
    }
    double *x = malloc(n * sizeof *x);
    ctg_position *pos = malloc(n * sizeof *pos);
    ctg_distribution d;
    if (!x || !pos)
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    for (size_t i = 0; st == CTG_OK && i < n; i++)
        x[i] = vals[i].value;
    if (st == CTG_OK)
        st = ctg_distribution_of(x, n, &d, err);
    if (st == CTG_OK)
        st = ctg_positions_of(x, n, &d, pos, err);
    static const ctg_pdf_column COLS[] = {{"Unité", 0.40, 0}, {"Valeur", 0.18, 1},
                                          {"Rang", 0.10, 1},  {"Quartile", 0.10, 1},
                                          {"Remarque", 0.22, 0}};
    char title[300];
    snprintf(title, sizeof title, "%s de %s (%s)",
             r->members == CTG_LEVEL_IRIS ? "IRIS" : "Communes", r->name, year);
    if (st == CTG_OK) /* the title with its chart */
        st = ctg_pdf_keep(pdf, 190, err);
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_BOLD, 0, title, err);
    /* reference lines for rates only: a territory's count is not on the
     * scale of its communes' */
    ctg_aggregation agg = ctg_results_aggregation(r->res, ind->id, year);
    int rate = agg != CTG_AGG_SUM && agg != CTG_AGG_POINT_MORT;
    if (st == CTG_OK)
        st = bar_chart(pdf, r, ind, x, n, rate ? t->value : NAN, rate ? fr->value : NAN, err);
    ctg_pdf_table *tab = NULL;
    int rounded = 0;
    if (st == CTG_OK)
        st = ctg_pdf_table_begin(pdf, COLS, 5, &tab, err);
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        char value[128], rank[16] = "", q[8] = "", rem[160];
        ctg_value_display_unit(&vals[i], 1, ind->unit, value, sizeof value);
        remark(&vals[i], 1, 1, rem, sizeof rem);
        rounded |= !strcmp(vals[i].status, "rounded") || strstr(vals[i].flags, "rounded");
        if (pos[i].rank) {
            snprintf(rank, sizeof rank, "%d", pos[i].rank);
            snprintf(q, sizeof q, "Q%d", pos[i].quartile);
        }
        if (pos[i].outlier)
            snprintf(rem + strlen(rem), sizeof rem - strlen(rem), "%satypique",
                     rem[0] ? " ; " : "");
        char unit_name[200];
        snprintf(unit_name, sizeof unit_name, "%s (%s)", vals[i].name[0] ? vals[i].name : "?",
                 vals[i].code);
        const char *cells[5] = {unit_name, value, rank, q, rem};
        st = ctg_pdf_table_row(tab, cells, 0, err);
    }
    ctg_status end = tab ? ctg_pdf_table_end(tab, err) : CTG_OK;
    if (st == CTG_OK && end == CTG_OK && rounded)
        end = ctg_pdf_paragraph(pdf, CTG_PDF_SMALL, 0,
                                "Effectifs arrondis par la CAF : chaque effectif est à 2 près.",
                                err);
    free(x);
    free(pos);
    free(vals);
    return st != CTG_OK ? st : end;
}

/* One indicator of an axis. */
static ctg_status indicator_section(ctg_pdf *pdf, report *r, const ctg_indicator *ind,
                                    ctg_error *err)
{
    char year[16] = "", heading[300];
    ctg_status st = year_of(r, ind->id, year, err);
    if (st != CTG_OK)
        return st;
    snprintf(heading, sizeof heading, "%s (%s)", ind->label, ind->unit);
    st = ctg_pdf_heading(pdf, 1, heading, err);
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_SMALL, 0, ind->definition, err);
    if (st != CTG_OK)
        return st;
    if (!year[0])
        return ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0,
                                 "Non disponible : aucun fichier chargé ne fournit ses données.",
                                 err);
    char line[64];
    snprintf(line, sizeof line, "Année %s.", year);
    st = ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, line, err);
    ctg_value t, fr;
    if (st == CTG_OK)
        st = reference_table(pdf, r, ind, year, &t, &fr, err);
    ctg_buf text = CTG_BUF_INIT;
    if (st == CTG_OK)
        st = finding(r, ind, year, &t, &fr, &text, err);
    if (st == CTG_OK && text.len)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_BOLD, 0, ctg_buf_str(&text), err);
    ctg_buf_free(&text);
    if (st == CTG_OK)
        st = evolution(pdf, r, ind, year, &t, err);
    if (st == CTG_OK)
        st = members_table(pdf, r, ind, year, &t, &fr, err);
    return st;
}

static int listed(char **ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(ids[i], id))
            return 1;
    return 0;
}

/* The indicators of an axis, each once, in the order of first mention. */
static size_t axis_indicators(const ctg_plan_axis *axis, char **ids, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < axis->nindicators && n < max; i++)
        if (!listed(ids, n, axis->indicators[i]))
            ids[n++] = axis->indicators[i];
    for (size_t a = 0; a < axis->nactions; a++)
        for (size_t i = 0; i < axis->actions[a].nindicators && n < max; i++)
            if (!listed(ids, n, axis->actions[a].indicators[i]))
                ids[n++] = axis->actions[a].indicators[i];
    return n;
}

/* The actions of an axis under their objectives. */
static ctg_status axis_plan(ctg_pdf *pdf, report *r, const ctg_plan_axis *axis, ctg_error *err)
{
    ctg_status st = ctg_pdf_heading(pdf, 1, "Objectifs et actions du plan", err);
    for (size_t o = 0; st == CTG_OK && o <= axis->nobjectives; o++) {
        int objective = o < axis->nobjectives ? (int)o : -1;
        if (objective >= 0)
            st = ctg_pdf_paragraph(pdf, CTG_PDF_BOLD, 0, axis->objectives[o].title, err);
        int any = 0;
        for (size_t a = 0; st == CTG_OK && a < axis->nactions; a++) {
            const ctg_plan_action *act = &axis->actions[a];
            if (act->objective != objective)
                continue;
            any = 1;
            ctg_buf text = CTG_BUF_INIT;
            ctg_buf_printf(&text, "Action %s : %s", act->number, act->title);
            st = ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 12, ctg_buf_str(&text), err);
            ctg_buf_reset(&text);
            if (act->nindicators) {
                ctg_buf_puts(&text, "Indicateurs : ");
                for (size_t i = 0; i < act->nindicators; i++) {
                    const ctg_indicator *ind = ctg_catalogue_find(r->cat, act->indicators[i]);
                    ctg_buf_printf(&text, "%s%s", i ? " ; " : "",
                                   ind ? ind->label : act->indicators[i]);
                }
            } else {
                ctg_buf_puts(&text, "Aucun indicateur du catalogue ne documente cette action.");
            }
            if (st == CTG_OK)
                st = ctg_pdf_paragraph(pdf, CTG_PDF_SMALL, 24, ctg_buf_str(&text), err);
            ctg_buf_free(&text);
        }
        if (st == CTG_OK && objective >= 0 && !any)
            st = ctg_pdf_paragraph(pdf, CTG_PDF_SMALL, 12, "Aucune action listée sous cet objectif.",
                                   err);
    }
    return st;
}

static ctg_status write_axis(ctg_pdf *pdf, report *r, const ctg_plan_axis *axis, ctg_error *err)
{
    char heading[600];
    snprintf(heading, sizeof heading, "Axe %s : %s", axis->number, axis->title);
    ctg_status st = ctg_pdf_heading(pdf, 0, heading, err);
    if (st == CTG_OK)
        st = axis_plan(pdf, r, axis, err);
    char *ids[256];
    size_t n = axis_indicators(axis, ids, 256);
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        const ctg_indicator *ind = ctg_catalogue_find(r->cat, ids[i]);
        if (ind)
            st = indicator_section(pdf, r, ind, err);
    }
    return st;
}

/* ---------------------------------------------------------------- annexes */

static ctg_status cover(ctg_pdf *pdf, report *r, ctg_error *err)
{
    ctg_status st = ctg_pdf_paragraph(pdf, CTG_PDF_TITLE, 0, "Diagnostic territorial", err);
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_TITLE, 0, r->name, err);
    ctg_buf text = CTG_BUF_INIT;
    int period = r->plan->period[0] && !strstr(r->plan->title, r->plan->period);
    ctg_buf_printf(&text, "%s%s%s. Géographie %d.", r->plan->title, period ? ", " : "",
                   period ? r->plan->period : "", ctg_results_geo_year(r->res));
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, ctg_buf_str(&text), err);
    ctg_buf_reset(&text);
    ctg_buf_printf(&text, "Plan : %s (%s). ", r->plan->source, r->plan->note);
    ctg_buf_puts(&text, "Chaque axe du plan présente ses objectifs et actions tels qu'écrits, puis "
                        "les indicateurs qui les documentent : valeur du territoire comparée à "
                        "la France (et, pour une commune, à son EPCI et à son département), "
                        "évolution, et valeurs des unités qui le composent. " CTG_VALUE_LEGEND
                        ".");
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_SMALL, 0, ctg_buf_str(&text), err);
    ctg_buf_free(&text);
    return st;
}

/* Method: the definition of every indicator shown. */
static ctg_status annex_method(ctg_pdf *pdf, report *r, ctg_error *err)
{
    ctg_status st = ctg_pdf_heading(pdf, 0, "Annexe : méthode", err);
    char *seen[512];
    size_t nseen = 0;
    for (size_t a = 0; st == CTG_OK && a < r->plan->naxes; a++) {
        char *ids[256];
        size_t n = axis_indicators(&r->plan->axes[a], ids, 256);
        for (size_t i = 0; st == CTG_OK && i < n; i++) {
            const ctg_indicator *ind = ctg_catalogue_find(r->cat, ids[i]);
            if (!ind || listed(seen, nseen, ids[i]) || nseen == 512)
                continue;
            seen[nseen++] = ids[i];
            ctg_buf text = CTG_BUF_INIT;
            ctg_buf_printf(&text, "%s (%s, %s) : %s", ind->label, ind->id, ind->unit,
                           ind->definition);
            st = ctg_pdf_paragraph(pdf, CTG_PDF_SMALL, 0, ctg_buf_str(&text), err);
            ctg_buf_free(&text);
        }
    }
    return st;
}

/* Sources: every file the warehouse holds values from (producer, file,
 * vintage, SHA-256 prefix, when loaded). */
/* Adds ",FAMILY" to list for each family a sum reads that list lacks. */
static void add_families(ctg_buf *list, const ctg_sum *sum)
{
    for (size_t i = 0; i < sum->n; i++) {
        char key[CTG_NAME_MAX + 2];
        snprintf(key, sizeof key, ",%s,", sum->terms[i].family);
        if (!list->len || !strstr(ctg_buf_str(list), key))
            ctg_buf_printf(list, "%s%s,", list->len ? "" : ",", sum->terms[i].family);
    }
}

/* What report_families passes to each indicator of the plan. */
typedef struct families_ctx {
    ctg_buf *list;
    const ctg_catalogue *cat;
} families_ctx;

static void indicator_families(void *ctx, const char *id)
{
    const families_ctx *fc = ctx;
    const ctg_indicator *ind = ctg_catalogue_find(fc->cat, id);
    for (size_t a = 0; ind && a < ind->nalts; a++) {
        const ctg_sum *sums[CTG_SOURCE_SUMS];
        ctg_source_sums(&ind->alts[a], sums);
        for (int k = 0; k < CTG_SOURCE_SUMS; k++)
            add_families(fc->list, sums[k]);
    }
}

/* ",f1,f2,...,": the families the report's indicators read (those of its
 * plan, and pop_total, which weighs groups and gives coverage). */
static void report_families(const report *r, ctg_buf *list)
{
    families_ctx fc = {list, r->cat};
    indicator_families(&fc, "pop_total");
    ctg_plan_each_indicator(r->plan, indicator_families, &fc);
}

static ctg_status annex_sources(ctg_pdf *pdf, report *r, ctg_error *err)
{
    static const ctg_pdf_column COLS[] = {{"Producteur", 0.14, 0}, {"Fichier", 0.42, 0},
                                          {"Millésime", 0.12, 0},  {"SHA-256", 0.16, 0},
                                          {"Chargé le", 0.16, 0}};
    sqlite3_stmt *q = NULL;
    ctg_pdf_table *tab = NULL;
    ctg_status st = ctg_pdf_heading(pdf, 0, "Annexe : sources", err);
    if (st == CTG_OK)
        st = ctg_wh_prepare(r->wh,
                            "SELECT fa.producer, f.name, f.vintage, substr(f.sha256, 1, 12), "
                            "substr(f.loaded_at, 1, 10) FROM source_file f JOIN family fa ON "
                            "fa.id = f.family WHERE EXISTS (SELECT 1 FROM obs_row o WHERE "
                            "o.file_id = f.id) AND instr(?1, ',' || f.family || ',') > 0 "
                            "ORDER BY fa.producer, f.family, f.vintage, f.name",
                            &q, err);
    ctg_buf families = CTG_BUF_INIT;
    report_families(r, &families);
    if (st == CTG_OK)
        sqlite3_bind_text(q, 1, ctg_buf_str(&families), -1, SQLITE_TRANSIENT);
    ctg_buf_free(&families);
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0,
                               "Les fichiers dont proviennent les valeurs de ce diagnostic (ceux "
                               "des familles que lisent ses indicateurs), avec l'empreinte "
                               "SHA-256 de leur contenu (12 premiers caractères).",
                               err);
    if (st == CTG_OK)
        st = ctg_pdf_table_begin(pdf, COLS, 5, &tab, err);
    int rc = SQLITE_DONE;
    while (st == CTG_OK && (rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *cells[5];
        for (int i = 0; i < 5; i++) {
            const unsigned char *t = sqlite3_column_text(q, i);
            cells[i] = t ? (const char *)t : "";
        }
        st = ctg_pdf_table_row(tab, cells, 0, err);
    }
    if (st == CTG_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        st = ctg_wh_fail(r->wh, rc, err, "reading the sources");
    ctg_status end = tab ? ctg_pdf_table_end(tab, err) : CTG_OK;
    sqlite3_finalize(q);
    return st != CTG_OK ? st : end;
}

/* Data quality: for each indicator shown, how many units of the territory
 * are secret, missing, partial or approximated at the year shown. */
static ctg_status annex_quality(ctg_pdf *pdf, report *r, ctg_error *err)
{
    static const ctg_pdf_column COLS[] = {{"Indicateur", 0.40, 0}, {"Année", 0.10, 0},
                                          {"Unités", 0.10, 1},      {"Secret", 0.10, 1},
                                          {"N.d.", 0.10, 1},        {"Partiel", 0.10, 1},
                                          {"Approché", 0.10, 1}};
    ctg_pdf_table *tab = NULL;
    ctg_status st = ctg_pdf_heading(pdf, 0, "Annexe : qualité des données", err);
    char text[600];
    snprintf(text, sizeof text,
             "Pour chaque indicateur présenté, le nombre de %s de %s dont la valeur est "
             "secrète (secret statistique du producteur), non disponible, partielle (calculée sur "
             "les parties connues) ou approchée.",
             r->members == CTG_LEVEL_IRIS ? "IRIS" : "communes", r->name);
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 0, text, err);
    if (st == CTG_OK)
        st = ctg_pdf_table_begin(pdf, COLS, 7, &tab, err);
    char *seen[512];
    size_t nseen = 0;
    for (size_t a = 0; st == CTG_OK && a < r->plan->naxes; a++) {
        char *ids[256];
        size_t n = axis_indicators(&r->plan->axes[a], ids, 256);
        for (size_t i = 0; st == CTG_OK && i < n; i++) {
            const ctg_indicator *ind = ctg_catalogue_find(r->cat, ids[i]);
            char year[16] = "";
            if (!ind || listed(seen, nseen, ids[i]) || nseen == 512)
                continue;
            seen[nseen++] = ids[i];
            st = year_of(r, ind->id, year, err);
            if (st != CTG_OK || !year[0])
                continue;
            ctg_value *vals = NULL;
            size_t nv = 0;
            st = ctg_results_members(r->res, ind->id, year, r->members, &r->terr, &vals, &nv,
                                     err);
            int count[4] = {0, 0, 0, 0};
            static const char *const ST[4] = {"secret", "missing", "partial", "approx"};
            for (size_t k = 0; k < nv; k++)
                for (int c = 0; c < 4; c++)
                    count[c] += !strcmp(vals[k].status, ST[c]) ||
                                (c == 3 && strstr(vals[k].flags, "approx") != NULL);
            free(vals);
            if (st != CTG_OK || nv == 0)
                continue;
            char cells_text[5][32];
            snprintf(cells_text[0], 32, "%zu", nv);
            for (int c = 0; c < 4; c++)
                snprintf(cells_text[c + 1], 32, "%d", count[c]);
            const char *cells[7] = {ind->label,    year,          cells_text[0], cells_text[1],
                                    cells_text[2], cells_text[3], cells_text[4]};
            st = ctg_pdf_table_row(tab, cells, 0, err);
        }
    }
    ctg_status end = tab ? ctg_pdf_table_end(tab, err) : CTG_OK;
    return st != CTG_OK ? st : end;
}

/* The key findings: the sentence of every rate of every axis. */
static ctg_status summary(ctg_pdf *pdf, report *r, ctg_error *err)
{
    ctg_status st = ctg_pdf_heading(pdf, 0, "Synthèse des constats", err);
    if (st == CTG_OK)
        st = ctg_pdf_paragraph(pdf, CTG_PDF_SMALL, 0,
                               "Chaque taux du territoire comparé à celui de la France. Un écart "
                               "n'est dit significatif que lorsque la valeur de la France sort de "
                               "l'intervalle de confiance à 95 % du territoire (proportions "
                               "reposant sur des effectifs).",
                               err);
    for (size_t a = 0; st == CTG_OK && a < r->plan->naxes; a++) {
        const ctg_plan_axis *axis = &r->plan->axes[a];
        char *ids[256];
        size_t n = axis_indicators(axis, ids, 256);
        ctg_buf all = CTG_BUF_INIT;
        for (size_t i = 0; st == CTG_OK && i < n; i++) {
            const ctg_indicator *ind = ctg_catalogue_find(r->cat, ids[i]);
            char year[16] = "";
            if (!ind)
                continue;
            st = year_of(r, ind->id, year, err);
            if (st != CTG_OK || !year[0])
                continue;
            ctg_value t, fr;
            int ft = 0, ff = 0;
            st = ctg_results_value(r->res, ind->id, year, &r->refs[0], &t, &ft, err);
            if (st == CTG_OK)
                st = ctg_results_value(r->res, ind->id, year, &r->refs[r->nrefs - 1], &fr, &ff,
                                       err);
            if (st != CTG_OK || !ft || !ff)
                continue;
            ctg_buf one = CTG_BUF_INIT;
            st = finding(r, ind, year, &t, &fr, &one, err);
            if (st == CTG_OK && one.len)
                ctg_buf_printf(&all, "%s%s", all.len ? "\n" : "", ctg_buf_str(&one));
            ctg_buf_free(&one);
        }
        if (st == CTG_OK && all.len) {
            char heading[600];
            snprintf(heading, sizeof heading, "Axe %s : %s", axis->number, axis->title);
            st = ctg_pdf_paragraph(pdf, CTG_PDF_BOLD, 0, heading, err);
            char *save = NULL;
            for (char *line = strtok_r(all.data, "\n", &save); st == CTG_OK && line;
                 line = strtok_r(NULL, "\n", &save))
                st = ctg_pdf_paragraph(pdf, CTG_PDF_BODY, 8, line, err);
        }
        ctg_buf_free(&all);
    }
    return st;
}

/* ------------------------------------------------------------------ files */

static ctg_status make_dir(const char *dir, ctg_error *err)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ctg_fail(err, CTG_ERR_CANTCREAT, dir, 0, "cannot create the folder: %s",
                        strerror(errno));
    return CTG_OK;
}

static ctg_status new_doc(report *r, const char *title, ctg_pdf **pdf, ctg_error *err)
{
    ctg_status st = ctg_pdf_new(title, r->header, pdf, err);
    if (st == CTG_OK && r->opt->date >= 0)
        st = ctg_pdf_set_date(*pdf, r->opt->date, err);
    return st;
}

static ctg_status write_axis_file(report *r, size_t a, const char *stem, ctg_report_result *res,
                                  ctg_error *err)
{
    const ctg_plan_axis *axis = &r->plan->axes[a];
    char title[700], path[4096];
    snprintf(title, sizeof title, "%s : axe %s", r->name, axis->number);
    int len = snprintf(path, sizeof path, "%s/%s-axe-%zu.pdf", r->opt->out_dir, stem, a + 1);
    if (len < 0 || (size_t)len >= sizeof path)
        return ctg_fail(err, CTG_ERR_CANTCREAT, r->opt->out_dir, 0, "path too long");
    ctg_pdf *pdf = NULL;
    ctg_status st = new_doc(r, title, &pdf, err);
    if (st == CTG_OK)
        st = write_axis(pdf, r, axis, err);
    if (st == CTG_OK)
        st = ctg_pdf_save(pdf, path, err);
    if (st == CTG_OK)
        res->files++;
    ctg_pdf_free(pdf);
    return st;
}

static ctg_status write_diagnosis(report *r, const char *stem, ctg_report_result *res,
                                  ctg_error *err)
{
    char title[300], path[4096];
    snprintf(title, sizeof title, "%s : diagnostic territorial", r->name);
    int len = snprintf(path, sizeof path, "%s/%s-diagnostic.pdf", r->opt->out_dir, stem);
    if (len < 0 || (size_t)len >= sizeof path)
        return ctg_fail(err, CTG_ERR_CANTCREAT, r->opt->out_dir, 0, "path too long");
    ctg_pdf *pdf = NULL;
    ctg_status st = new_doc(r, title, &pdf, err);
    if (st == CTG_OK)
        st = cover(pdf, r, err);
    if (st == CTG_OK && r->terr.level != CTG_LEVEL_FR)
        st = summary(pdf, r, err);
    for (size_t a = 0; st == CTG_OK && a < r->plan->naxes; a++)
        st = write_axis(pdf, r, &r->plan->axes[a], err);
    if (st == CTG_OK)
        st = annex_method(pdf, r, err);
    if (st == CTG_OK)
        st = annex_sources(pdf, r, err);
    if (st == CTG_OK)
        st = annex_quality(pdf, r, err);
    if (st == CTG_OK)
        st = ctg_pdf_save(pdf, path, err);
    if (st == CTG_OK) {
        res->files++;
        res->pages = ctg_pdf_page_count(pdf);
    }
    ctg_pdf_free(pdf);
    return st;
}

ctg_status ctg_report_write(ctg_warehouse *wh, const ctg_catalogue *cat, const ctg_plan *plan,
                            const ctg_report_options *opt, ctg_report_result *res,
                            ctg_error *err)
{
    memset(res, 0, sizeof *res);
    report r;
    memset(&r, 0, sizeof r);
    r.wh = wh;
    r.cat = cat;
    r.plan = plan;
    r.opt = opt;
    /* every file of the report reads the same state of the warehouse */
    int snapshot = 0;
    ctg_status st = ctg_wh_snapshot_begin(wh, &snapshot, err);
    if (st == CTG_OK)
        st = ctg_results_open(wh, cat, opt->geo_year, &r.res, err);
    if (st == CTG_OK)
        st = setup(&r, err);
    if (st == CTG_OK)
        st = make_dir(opt->out_dir, err);
    if (st == CTG_OK)
        file_stem(&r, res->stem, sizeof res->stem);
    for (size_t a = 0; st == CTG_OK && a < plan->naxes; a++)
        st = write_axis_file(&r, a, res->stem, res, err);
    if (st == CTG_OK)
        st = write_diagnosis(&r, res->stem, res, err);
    ctg_territory_clear(&r.terr);
    ctg_results_free(r.res);
    ctg_wh_snapshot_end(wh, snapshot);
    return st;
}
