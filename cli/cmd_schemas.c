/* cmd_schemas.c - `ctgdiag schemas [ID]`: the families of files known. */
#include <getopt.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/common_opts.h"

static void show_field(const char *key, const ctg_field_rule *f)
{
    if (f->parts == 2)
        printf("  %-12s %s + %s\n", key, f->pattern[0], f->pattern[1]);
    else
        printf("  %-12s %s\n", key, f->pattern[0]);
}

static void show_words(const char *key, char *const *w, size_t n)
{
    if (!n)
        return;
    printf("  %-12s", key);
    for (size_t i = 0; i < n; i++)
        printf(" %s", w[i]);
    putchar('\n');
}

static void show_coded(const char *key, const ctg_coded_field *c, int levels)
{
    static const char *const STATUS[] = {"ok", "missing", "secret"};
    show_field(key, &c->column);
    printf("  %-12s", "  meaning");
    for (size_t i = 0; i < c->n; i++)
        printf(" %s=%s", c->codes[i],
               levels ? ctg_level_name((ctg_level)c->meanings[i]) : STATUS[c->meanings[i]]);
    putchar('\n');
}

static void show_family(const ctg_family *f)
{
    static const char *const VINTAGE[] = {"column", "period", "title", "filename"};
    printf("%s: %s\n", f->id, f->label);
    printf("  producer     %s\n  target       %s\n  defined in   %s\n", f->producer,
           ctg_target_name(f->target), f->path);
    if (f->description)
        printf("  description  %s\n", f->description);
    printf("recognised by a header line with:\n");
    for (size_t i = 0; i < f->nrequire; i++)
        printf("  a column matching   %s\n", f->require_src[i]);
    for (size_t i = 0; i < f->nforbid; i++)
        printf("  no column matching  %s\n", f->forbid_src[i]);
    printf("read:\n  empty cell   %s\n", f->empty_is_secret ? "secret" : "missing");
    if (f->absent_is_zero)
        printf("  absent       zero (a commune the file does not list has 0 of its counts)\n");
    show_words("secret", f->secret, f->nsecret);
    show_words("missing", f->missing, f->nmissing);
    for (size_t i = 0; i < f->nvintage; i++)
        printf("  vintage      %s%s%s\n", VINTAGE[f->vintage[i].source],
               f->vintage[i].pattern ? " " : "", f->vintage[i].pattern ? f->vintage[i].pattern : "");
    if (f->geo_year_fixed)
        printf("  geo_year     %d\n", f->geo_year_fixed);
    else
        printf("  geo_year     vintage %+d\n", f->geo_year_offset);
    if (f->target == CTG_TARGET_OBSERVATIONS) {
        printf("unit:\n");
        show_field("code", &f->code);
        if (f->level != CTG_LEVEL_NONE)
            printf("  %-12s %s\n", "level", ctg_level_name(f->level));
        if (f->has_level_column)
            show_coded("level_column", &f->level_column, 1);
        if (f->has_status)
            show_coded("status", &f->status, 0);
        if (f->has_value) {
            show_field("value", &f->value);
            printf("  %-12s %s\n", "  kind", ctg_kind_name(f->value_kind));
        }
        for (size_t i = 0; i < f->nignores; i++)
            show_field("ignore", &f->ignores[i]);
        for (size_t i = 0; i < f->nmeasures; i++)
            show_field("measure", &f->measures[i]);
        if (f->has_name)
            show_field("name", &f->name);
        if (f->has_period)
            show_field("period", &f->period);
        if (f->has_parent)
            show_field("parent", &f->parent);
        if (f->has_withheld) {
            show_field("withheld", &f->withheld);
            show_words("  when", f->withheld_values, f->nwithheld_values);
        }
        if (f->has_total)
            printf("  %-12s %s\n", "total", f->total_pattern);
        if (f->rounded_to)
            printf("  %-12s counts rounded to multiples of %d\n", "rounded", f->rounded_to);
    }
    show_words("pseudo", f->pseudo, f->npseudo);
    if (f->nfields) {
        printf("fields:\n");
        for (size_t i = 0; i < f->nfields; i++)
            show_field(f->fields[i].field, &f->fields[i]);
    }
    if (f->ncolumns) {
        printf("columns (first matching rule wins):\n");
        for (size_t i = 0; i < f->ncolumns; i++) {
            const ctg_column_rule *c = &f->columns[i];
            printf("  %-40s -> %s%s%s : %s\n", c->pattern, c->variable, c->period[0] ? " @ " : "",
                   c->period, ctg_kind_name(c->kind));
        }
    }
}

int ctg_cmd_schemas(ctg_cli *cli, int argc, char **argv)
{
    static const struct option LONG[] = {CTG_COMMON_LONG_OPTIONS, {NULL, 0, NULL, 0}};
    const ctg_command *cmd = ctg_command_find("schemas");
    int opt, exit_now = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", LONG, NULL)) != -1) {
        if (ctg_cli_common_option(cli, cmd, opt, optarg, &exit_now)) {
            if (exit_now)
                return 0;
            continue;
        }
        return ctg_usage_error("schemas", "unknown option '%s'", argv[optind - 1]);
    }
    if (argc - optind > 1)
        return ctg_usage_error("schemas", "give at most one family id");
    ctg_families *fams = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    if (ctg_cli_families(cli, &fams, &err) != CTG_OK)
        return ctg_report(&err);
    int rc = 0;
    if (optind < argc) {
        const ctg_family *f = ctg_families_find(fams, argv[optind]);
        if (f)
            show_family(f);
        else
            rc = ctg_usage_error("schemas", "no family '%s'", argv[optind]);
    } else {
        printf("%-26s %-15s %-10s %s\n", "id", "target", "producer", "label");
        for (size_t i = 0; i < ctg_families_count(fams); i++) {
            const ctg_family *f = ctg_families_at(fams, i);
            printf("%-26s %-15s %-10s %s\n", f->id, ctg_target_name(f->target), f->producer,
                   f->label);
        }
    }
    ctg_families_free(fams);
    return rc;
}
