/* cmd_rank.c - `ctgdiag rank`: the units of a territory ranked on one
 * indicator, with their quartile, z-score, outliers and, for proportions,
 * Wilson intervals; the distribution and the territory's own value. */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common_opts.h"
#include "cli/table.h"
#include "compute/results.h"
#include "compute/stats.h"
#include "core/number.h"
#include "ingest/ingest.h"

typedef struct rank_args {
    const char *indicator;
    const char *in;              /* territory spec; NULL = France */
    ctg_level level;
    char year[16];
    int geo_year;
    ctg_out_format format;
} rank_args;

/* One ranked unit. */
typedef struct ranked {
    ctg_value v;
    ctg_position pos;
    double ci_lo, ci_hi;         /* NaN when not a proportion of counts */
} ranked;

static int parse_args(ctg_cli *cli, int argc, char **argv, rank_args *a, int *exit_now)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS,
                                         {"in", required_argument, NULL, 'n'},
                                         {"level", required_argument, NULL, 'l'},
                                         {"year", required_argument, NULL, 'y'},
                                         {"geo-year", required_argument, NULL, 'g'},
                                         {"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("rank");
    a->level = CTG_LEVEL_COMMUNE;
    int o, rc;
    opterr = 0;
    while ((o = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, o, optarg, exit_now)) {
            if (*exit_now)
                return 0;
            continue;
        }
        switch (o) {
        case 'n': a->in = optarg; break;
        case 'l':
            a->level = ctg_level_parse(optarg);
            if (a->level != CTG_LEVEL_COMMUNE && a->level != CTG_LEVEL_ARM &&
                a->level != CTG_LEVEL_IRIS && a->level != CTG_LEVEL_EPCI &&
                a->level != CTG_LEVEL_DEP && a->level != CTG_LEVEL_REG)
                return ctg_usage_error("rank", "--level is commune, arm, iris, epci, dep or reg, "
                                               "not '%s'", optarg);
            break;
        case 'y':
            if (!ctg_period_normalise(optarg, a->year))
                return ctg_usage_error("rank", "--year takes YYYY or YYYY-MM, not '%s'", optarg);
            if (!strcmp(a->year + 4, "-12"))
                a->year[4] = '\0'; /* a December extract gives its year */
            break;
        case 'g':
            a->geo_year = ctg_parse_year(optarg);
            if (!a->geo_year)
                return ctg_usage_error("rank", "--geo-year takes a year, not '%s'", optarg);
            break;
        case 'f':
            if ((rc = ctg_parse_out_format("rank", optarg, &a->format)) != 0)
                return rc;
            break;
        default:
            return ctg_usage_error("rank", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc)
        return ctg_usage_error("rank", "which indicator? (see `ctgdiag indicators`)");
    a->indicator = argv[optind++];
    if (optind < argc)
        return ctg_usage_error("rank", "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* The name a reader knows the territory by (it exists: checked). */
static ctg_status territory_name(ctg_results *res, const ctg_territory *t, char *buf, size_t size,
                                 ctg_error *err)
{
    ctg_status st = ctg_results_check_territory(res, t, err);
    if (st != CTG_OK)
        return st;
    if (t->level == CTG_LEVEL_NONE) {
        snprintf(buf, size, "territoire de %zu commune%s", t->ncommunes,
                 t->ncommunes > 1 ? "s" : "");
        return CTG_OK;
    }
    if (t->level == CTG_LEVEL_FR) {
        snprintf(buf, size, "France");
        return CTG_OK;
    }
    ctg_unit_info u;
    int found = 0;
    st = ctg_results_unit(res, t->level, t->code, &u, &found, err);
    snprintf(buf, size, "%s", found && u.name[0] ? u.name : t->code);
    return st;
}

/* Ranked units first (by rank, then code), then those without a value. */
static int by_rank(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    int ra = a->pos.rank ? a->pos.rank : 1 << 30, rb = b->pos.rank ? b->pos.rank : 1 << 30;
    if (ra != rb)
        return ra < rb ? -1 : 1;
    return strcmp(a->v.code, b->v.code);
}

/* Places every unit: distribution, positions, intervals. */
static ctg_status place_units(ranked *units, size_t n, int share, ctg_distribution *d,
                              ctg_error *err)
{
    double *values = malloc((n ? n : 1) * sizeof *values);
    ctg_position *pos = malloc((n ? n : 1) * sizeof *pos);
    ctg_status st = CTG_OK;
    if (!values || !pos) {
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++)
        values[i] = units[i].v.value;
    st = ctg_distribution_of(values, n, d, err);
    if (st == CTG_OK)
        st = ctg_positions_of(values, n, d, pos, err);
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        ranked *u = &units[i];
        u->pos = pos[i];
        u->ci_lo = u->ci_hi = NAN;
        if (share && u->v.nin >= 2 && !isnan(u->v.value) && u->v.in[1] > 0 && u->v.in[0] >= 0 &&
            u->v.in[0] <= u->v.in[1] &&
            ctg_wilson(u->v.in[0], u->v.in[1], 0.95, &u->ci_lo, &u->ci_hi, NULL) != CTG_OK)
            u->ci_lo = u->ci_hi = NAN;
    }
cleanup:
    free(values);
    free(pos);
    return st;
}

static const char *outlier_text(int outlier)
{
    return outlier > 0 ? "atypique (haut)" : outlier < 0 ? "atypique (bas)" : "";
}

static void fr_number(double v, int decimals, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "n.d.");
    else
        ctg_format_fr(v, decimals, buf, size);
}

/* The territory's evolution, as a sentence. */
static void print_evolution(const ctg_indicator *ind, const char *year, const ctg_evolution *ev,
                            const ctg_value *whole)
{
    int dec = ctg_unit_decimals(ind->unit);
    char a[64], b[64], slope[64], se[64], pval[64];
    if (ev->census) {
        if (!ev->previous[0]) {
            printf("Évolution : pas de recensement cinq ans avant %s\n", year);
            return;
        }
        fr_number(ev->previous_value, dec, a, sizeof a);
        fr_number(whole->value, dec, b, sizeof b);
        printf("Évolution %s → %s (recensements à cinq ans d'écart, seule comparaison valable) : "
               "%s → %s\n",
               ev->previous, year, a, b);
        return;
    }
    if (ev->trend.n < 3 || isnan(ev->trend.se)) {
        if (ev->previous[0]) {
            fr_number(ev->previous_value, dec, a, sizeof a);
            fr_number(whole->value, dec, b, sizeof b);
            printf("Évolution %s → %s : %s → %s (%zu années : pas de test de tendance)\n",
                   ev->previous, year, a, b, ev->n);
        }
        return;
    }
    fr_number(ev->trend.slope, dec + 2, slope, sizeof slope);
    fr_number(ev->trend.se, dec + 2, se, sizeof se);
    fr_number(ev->trend.p, 3, pval, sizeof pval);
    printf("Tendance %s-%s (%zu années, même source) : %s%s par an, erreur type %s, p = %s : %s\n",
           ev->first, year, ev->trend.n, ev->trend.slope > 0 ? "+" : "", slope, se, pval,
           ev->trend.significant ? "significative au seuil de 5 %"
                                 : "non significative au seuil de 5 %");
}

/* How the territory's own value was obtained, in words. */
static const char *whole_method(ctg_aggregation agg, const ctg_value *whole)
{
    switch (agg) {
    case CTG_AGG_SUM:
        return "somme des communes";
    case CTG_AGG_PUBLISHED:
        return !strcmp(whole->status, "approx") || strstr(whole->flags, "approx")
                   ? "moyenne des communes pondérée, approchée"
                   : "chiffre publié par le producteur";
    default:
        return "calculé sur les sommes des communes";
    }
}

static void print_table(const rank_args *a, const ctg_indicator *ind, const char *year,
                        const char *tname, int geo_year, const ranked *units, size_t n,
                        const ctg_distribution *d, const ctg_value *whole,
                        const ctg_evolution *ev, ctg_aggregation agg)
{
    int dec = ctg_unit_decimals(ind->unit);
    size_t ranked_n = 0;
    for (size_t i = 0; i < n; i++)
        ranked_n += units[i].pos.rank > 0;
    printf("%s : %s (%s), %s\n", ind->id, ind->label, ind->unit, year);
    printf("%s (%s), unités : %s, géographie %d ; %zu unité%s, %zu classée%s\n\n", tname,
           a->in ? a->in : "fr", ctg_level_name(a->level), geo_year, n, n > 1 ? "s" : "",
           ranked_n, ranked_n > 1 ? "s" : "");
    ctg_table *t = ctg_table_new(8);
    if (!t)
        return;
    static const char *const HEAD[] = {"Rang", "Code", "Nom", "Valeur", "Quartile", "z",
                                       "IC 95 %", "Remarque"};
    ctg_table_add(t, HEAD);
    ctg_table_right(t, 0);
    ctg_table_right(t, 3);
    ctg_table_right(t, 4);
    ctg_table_right(t, 5);
    for (size_t i = 0; i < n; i++) {
        const ranked *u = &units[i];
        char rank[16] = "", value[64], quart[8] = "", z[32] = "", ci[80] = "", lo[32], hi[32];
        if (u->pos.rank) {
            snprintf(rank, sizeof rank, "%d", u->pos.rank);
            snprintf(quart, sizeof quart, "Q%d", u->pos.quartile);
            if (!isnan(u->pos.z))
                ctg_format_fr(u->pos.z, 2, z, sizeof z);
        }
        ctg_value_display(&u->v, ind->unit, value, sizeof value);
        if (!isnan(u->ci_lo)) {
            ctg_format_fr(100 * u->ci_lo, 1, lo, sizeof lo);
            ctg_format_fr(100 * u->ci_hi, 1, hi, sizeof hi);
            snprintf(ci, sizeof ci, "[%s ; %s]", lo, hi);
        }
        const char *cells[8] = {rank, u->v.code, u->v.name, value, quart, z, ci,
                                outlier_text(u->pos.outlier)};
        ctg_table_add(t, cells);
    }
    ctg_table_print(t, stdout);
    ctg_table_free(t);
    char mn[64], q1[64], med[64], q3[64], mx[64], mean[64], sd[64], tv[64];
    fr_number(d->min, dec, mn, sizeof mn);
    fr_number(d->q1, dec + 1, q1, sizeof q1);
    fr_number(d->median, dec + 1, med, sizeof med);
    fr_number(d->q3, dec + 1, q3, sizeof q3);
    fr_number(d->max, dec, mx, sizeof mx);
    fr_number(d->mean, dec + 1, mean, sizeof mean);
    fr_number(d->sd, dec + 1, sd, sizeof sd);
    size_t outliers = 0;
    for (size_t i = 0; i < n; i++)
        outliers += units[i].pos.outlier != 0;
    printf("\nDistribution sur %zu unité%s : min %s ; 1er quartile %s ; médiane %s ; "
           "3e quartile %s ; max %s\n",
           d->n, d->n > 1 ? "s" : "", mn, q1, med, q3, mx);
    printf("Moyenne %s ; écart-type %s ; %zu valeur%s atypique%s (au-delà de 1,5 écart "
           "interquartile)\n",
           mean, sd, outliers, outliers > 1 ? "s" : "", outliers > 1 ? "s" : "");
    if (whole) {
        ctg_value_display(whole, ind->unit, tv, sizeof tv);
        printf("%s : %s (%s)\n", tname, tv, whole_method(agg, whole));
        if (!isnan(whole->value))
            print_evolution(ind, year, ev, whole);
    }
    int intervals = 0;
    for (size_t i = 0; i < n; i++)
        intervals |= !isnan(units[i].ci_lo);
    if (intervals)
        puts("IC 95 % : intervalle de Wilson de la proportion, sur les effectifs de l'unité");
    printf("Quartile : Q1 jusqu'au 1er quartile, ..., Q4 au-delà du 3e ; rang 1 = valeur la plus "
           "haute\n%s\n",
           CTG_VALUE_LEGEND);
}

static void print_csv(const char *indicator, const char *year, const ranked *units, size_t n)
{
    printf("rank;level;code;name;indicator;year;value;status;flags;quartile;z;outlier;"
           "ci_low;ci_high;low;high\n");
    for (size_t i = 0; i < n; i++) {
        const ranked *u = &units[i];
        char value[32], z[32], lo[32], hi[32], low[32], high[32];
        ctg_out_number(u->v.value, 0, value, sizeof value);
        ctg_out_number(u->v.low, 0, low, sizeof low);
        ctg_out_number(u->v.high, 0, high, sizeof high);
        ctg_out_number(u->pos.z, 0, z, sizeof z);
        ctg_out_number(u->ci_lo, 0, lo, sizeof lo);
        ctg_out_number(u->ci_hi, 0, hi, sizeof hi);
        if (u->pos.rank)
            printf("%d;", u->pos.rank);
        else
            putchar(';');
        printf("%s;%s;", ctg_level_name(u->v.level), u->v.code);
        ctg_out_csv_field(u->v.name);
        printf(";%s;%s;%s;%s;%s;", indicator, year, value, u->v.status, u->v.flags);
        if (u->pos.quartile)
            printf("%d", u->pos.quartile);
        printf(";%s;%d;%s;%s;%s;%s\n", z, u->pos.outlier, lo, hi, low, high);
    }
}

static void json_number(double v)
{
    char buf[32];
    ctg_out_number(v, 0, buf, sizeof buf);
    fputs(buf[0] ? buf : "null", stdout);
}

static void print_json_evolution(const ctg_evolution *ev)
{
    printf(", \"evolution\": {\"census\": %s, \"previous_year\": ", ev->census ? "true" : "false");
    if (ev->previous[0])
        ctg_out_json_string(ev->previous);
    else
        printf("null");
    printf(", \"previous_value\": ");
    json_number(ev->previous_value);
    printf(", \"trend\": ");
    if (ev->census || ev->trend.n < 2) {
        printf("null}");
        return;
    }
    printf("{\"from\": ");
    ctg_out_json_string(ev->first);
    printf(", \"n\": %zu, \"slope\": ", ev->trend.n);
    json_number(ev->trend.slope);
    printf(", \"se\": ");
    json_number(ev->trend.se);
    printf(", \"p\": ");
    json_number(ev->trend.p);
    printf(", \"significant\": %s}}", ev->trend.significant ? "true" : "false");
}

static void print_json(const rank_args *a, const char *year, int geo_year, const ranked *units,
                       size_t n, const ctg_distribution *d, const ctg_value *whole,
                       const ctg_evolution *ev)
{
    printf("{\"indicator\": ");
    ctg_out_json_string(a->indicator);
    printf(", \"year\": ");
    ctg_out_json_string(year);
    printf(", \"geo_year\": %d, \"in\": ", geo_year);
    ctg_out_json_string(a->in ? a->in : "fr");
    printf(", \"level\": \"%s\",\n \"distribution\": {\"n\": %zu", ctg_level_name(a->level), d->n);
    const char *const names[] = {"min", "q1", "median", "q3", "max", "mean", "sd",
                                 "low_fence", "high_fence"};
    const double vals[] = {d->min, d->q1, d->median, d->q3, d->max, d->mean, d->sd,
                           d->low_fence, d->high_fence};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        printf(", \"%s\": ", names[i]);
        json_number(vals[i]);
    }
    printf("},\n \"territory\": ");
    if (whole) {
        printf("{\"value\": ");
        json_number(whole->value);
        printf(", \"status\": \"%s\", \"coverage\": ", whole->status);
        json_number(whole->coverage);
        printf(", \"flags\": ");
        ctg_out_json_string(whole->flags);
        print_json_evolution(ev);
        putchar('}');
    } else {
        printf("null");
    }
    printf(",\n \"units\": [");
    for (size_t i = 0; i < n; i++) {
        const ranked *u = &units[i];
        printf("%s\n  {\"rank\": ", i ? "," : "");
        if (u->pos.rank)
            printf("%d", u->pos.rank);
        else
            printf("null");
        printf(", \"code\": ");
        ctg_out_json_string(u->v.code);
        printf(", \"name\": ");
        ctg_out_json_string(u->v.name);
        printf(", \"value\": ");
        json_number(u->v.value);
        printf(", \"status\": \"%s\", \"flags\": ", u->v.status);
        ctg_out_json_string(u->v.flags);
        printf(", \"quartile\": ");
        if (u->pos.quartile)
            printf("%d", u->pos.quartile);
        else
            printf("null");
        printf(", \"z\": ");
        json_number(u->pos.z);
        printf(", \"outlier\": %d, \"ci_low\": ", u->pos.outlier);
        json_number(u->ci_lo);
        printf(", \"ci_high\": ");
        json_number(u->ci_hi);
        putchar('}');
    }
    printf("%s]}\n", n ? "\n " : "");
}

int ctg_cmd_rank(ctg_cli *cli, int argc, char **argv)
{
    rank_args a;
    memset(&a, 0, sizeof a);
    int exit_now = 0;
    int rc = parse_args(cli, argc, argv, &a, &exit_now);
    if (rc || exit_now)
        return rc;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_catalogue *cat = NULL;
    ctg_warehouse *wh = NULL;
    ctg_results *res = NULL;
    ctg_territory terr;
    memset(&terr, 0, sizeof terr);
    ctg_value *vals = NULL;
    ranked *units = NULL;
    size_t n = 0;
    char tname[200] = "";
    ctg_status st = ctg_territory_parse(a.in ? a.in : "fr", &terr, &err);
    if (st == CTG_OK && terr.level == CTG_LEVEL_NONE && a.level != CTG_LEVEL_COMMUNE)
        st = ctg_fail(&err, CTG_ERR_USAGE, NULL, 0,
                      "a list of communes is ranked at --level commune only");
    if (st == CTG_OK)
        st = ctg_cli_catalogue(cli, &cat, &err);
    const ctg_indicator *ind = st == CTG_OK ? ctg_catalogue_find(cat, a.indicator) : NULL;
    if (st == CTG_OK && !ind)
        st = ctg_fail(&err, CTG_ERR_USAGE, NULL, 0, "no indicator '%s' (see `ctgdiag indicators`)",
                      a.indicator);
    if (st == CTG_OK)
        st = ctg_cli_open_read(cli, &wh, &err);
    if (st == CTG_OK)
        st = ctg_results_open(wh, cat, a.geo_year, &res, &err);
    if (st == CTG_OK)
        st = territory_name(res, &terr, tname, sizeof tname, &err);
    if (st == CTG_OK && !a.year[0]) {
        st = ctg_results_latest_year(res, a.indicator, a.year, &err);
        if (st == CTG_OK && !a.year[0])
            st = ctg_fail(&err, CTG_ERR_NOINPUT, NULL, 0,
                          "%s was computed for no year (see `ctgdiag indicators %s`)", a.indicator,
                          a.indicator);
    }
    if (st == CTG_OK)
        st = ctg_results_members(res, a.indicator, a.year, a.level, &terr, &vals, &n, &err);
    if (st == CTG_OK && n == 0)
        st = ctg_fail(&err, CTG_ERR_NOINPUT, NULL, 0, "no value of %s for %s in %s",
                      a.indicator, a.year, a.in ? a.in : "fr");
    if (st == CTG_OK && !(units = calloc(n, sizeof *units)))
        st = ctg_fail(&err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
    ctg_distribution d;
    ctg_value whole;
    int has_whole = 0;
    int share = st == CTG_OK && ctg_results_is_share(res, a.indicator, a.year);
    if (st == CTG_OK) {
        for (size_t i = 0; i < n; i++)
            units[i].v = vals[i];
        st = place_units(units, n, share, &d, &err);
    }
    ctg_evolution ev;
    if (st == CTG_OK)
        st = ctg_results_value(res, a.indicator, a.year, &terr, &whole, &has_whole, &err);
    if (st == CTG_OK)
        st = ctg_results_evolution(res, a.indicator, a.year, &terr, &ev, &err);
    if (st == CTG_OK) {
        qsort(units, n, sizeof *units, by_rank);
        if (a.format == CTG_OUT_TABLE)
            print_table(&a, ind, a.year, tname, ctg_results_geo_year(res), units, n, &d,
                        has_whole ? &whole : NULL, &ev,
                        ctg_results_aggregation(res, a.indicator, a.year));
        else if (a.format == CTG_OUT_CSV)
            print_csv(a.indicator, a.year, units, n);
        else
            print_json(&a, a.year, ctg_results_geo_year(res), units, n, &d,
                       has_whole ? &whole : NULL, &ev);
    }
    rc = st == CTG_OK ? 0 : ctg_report(&err);
    free(units);
    free(vals);
    ctg_territory_clear(&terr);
    ctg_results_free(res);
    ctg_wh_close(wh);
    ctg_catalogue_free(cat);
    return rc;
}
