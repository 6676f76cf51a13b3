/* family.c - reading the .family files of schemas/families into ctg_family (family.h). */
#include "family.h"

#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/conf.h"

struct ctg_families {
    ctg_family **items;
    size_t count, cap;
};

static const char *const TARGET_NAMES[CTG_TARGET_COUNT] = {
    "observations", "geo_commune", "geo_membership", "geo_iris",
    "geo_area",     "geo_event",   "geo_passage",    "dictionary"};

static const char *const KIND_NAMES[] = {"count", "rate", "ratio", "amount", "real"};

const char *ctg_target_name(ctg_target t)
{
    return (unsigned)t < CTG_TARGET_COUNT ? TARGET_NAMES[t] : "?";
}

const char *ctg_kind_name(ctg_kind k)
{
    return (unsigned)k <= CTG_KIND_REAL ? KIND_NAMES[k] : "?";
}

/* ------------------------------------------------------------- helpers */

typedef struct parse_ctx {
    const char *path;
    ctg_error *err;
} parse_ctx;

static ctg_status bad(parse_ctx *p, long line, const char *fmt, const char *arg)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 0)))
#endif
    ;

/* Records a schema error; fmt has one %s for arg. */
static ctg_status bad(parse_ctx *p, long line, const char *fmt, const char *arg)
{
    char msg[CTG_ERROR_MSG_MAX];
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#endif
    snprintf(msg, sizeof msg, fmt, arg);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
    return ctg_fail(p->err, CTG_ERR_SCHEMA, p->path, line, "%s", msg);
}

static ctg_status compile(parse_ctx *p, long line, const char *pattern, regex_t *re)
{
    int rc = regcomp(re, pattern, REG_EXTENDED | REG_ICASE);
    if (rc != 0) {
        char msg[256];
        regerror(rc, re, msg, sizeof msg);
        return ctg_fail(p->err, CTG_ERR_SCHEMA, p->path, line, "bad pattern '%s': %s", pattern,
                        msg);
    }
    return CTG_OK;
}

static char *dup_trim(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s)) {
        s++;
        n--;
    }
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Appends the blank-separated words of value to a list. */
static ctg_status add_words(char ***list, size_t *n, const char *value)
{
    const char *s = value;
    while (*s) {
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s)
            break;
        const char *e = s;
        while (*e && *e != ' ' && *e != '\t')
            e++;
        char **l = realloc(*list, (*n + 1) * sizeof *l);
        if (!l)
            return CTG_ERR_NOMEM;
        *list = l;
        l[*n] = dup_trim(s, (size_t)(e - s));
        if (!l[*n])
            return CTG_ERR_NOMEM;
        (*n)++;
        s = e;
    }
    return CTG_OK;
}

static void free_words(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

/* Parses "PATTERN" or "PATTERN + PATTERN" into a field rule. */
static ctg_status parse_field(parse_ctx *p, long line, const char *field, const char *value,
                              ctg_field_rule *f)
{
    memset(f, 0, sizeof *f);
    f->line = line;
    f->field = strdup(field);
    if (!f->field)
        return CTG_ERR_NOMEM;
    const char *plus = strstr(value, " + ");
    if (!plus) {
        size_t n = strlen(value);
        if (n >= 2 && value[n - 1] == '+' && value[n - 2] == ' ')
            return bad(p, line, "a second column pattern is missing after '+' in %s", value);
    }
    f->parts = plus ? 2 : 1;
    f->pattern[0] = plus ? dup_trim(value, (size_t)(plus - value)) : dup_trim(value, strlen(value));
    if (plus)
        f->pattern[1] = dup_trim(plus + 3, strlen(plus + 3));
    for (int i = 0; i < f->parts; i++) {
        if (!f->pattern[i])
            return CTG_ERR_NOMEM;
        if (!f->pattern[i][0])
            return bad(p, line, "empty column pattern for '%s'", field);
        ctg_status st = compile(p, line, f->pattern[i], &f->re[i]);
        if (st != CTG_OK) {
            f->parts = i; /* only the compiled ones are freed */
            return st;
        }
    }
    return CTG_OK;
}

static void free_field(ctg_field_rule *f)
{
    free(f->field);
    for (int i = 0; i < 2; i++) {
        if (i < f->parts)
            regfree(&f->re[i]);
        free(f->pattern[i]);
    }
}

/* "PATTERN -> VARIABLE [@ PERIOD] [: KIND]" */
static ctg_status parse_map(parse_ctx *p, long line, const char *value, ctg_column_rule *c)
{
    memset(c, 0, sizeof *c);
    c->line = line;
    const char *arrow = strstr(value, " -> ");
    if (!arrow)
        return bad(p, line, "a column rule reads 'PATTERN -> VARIABLE [@ PERIOD] [: KIND]': %s",
                   value);
    c->pattern = dup_trim(value, (size_t)(arrow - value));
    const char *rhs = arrow + 4;
    const char *colon = strstr(rhs, " : ");
    const char *at = strstr(rhs, " @ ");
    if (colon && at && at > colon)
        return bad(p, line, "write '@ PERIOD' before ': KIND' in %s", value);
    const char *var_end = at ? at : colon ? colon : rhs + strlen(rhs);
    c->variable = dup_trim(rhs, (size_t)(var_end - rhs));
    if (at) {
        const char *pe = colon ? colon : at + strlen(at);
        c->period = dup_trim(at + 3, (size_t)(pe - (at + 3)));
    } else {
        c->period = strdup("");
    }
    if (!c->pattern || !c->variable || !c->period)
        return CTG_ERR_NOMEM;
    c->kind = CTG_KIND_COUNT;
    if (colon) {
        char *k = dup_trim(colon + 3, strlen(colon + 3));
        if (!k)
            return CTG_ERR_NOMEM;
        int found = 0;
        for (int i = 0; i <= CTG_KIND_REAL; i++)
            if (!strcmp(k, KIND_NAMES[i])) {
                c->kind = (ctg_kind)i;
                found = 1;
            }
        if (!found) {
            ctg_status st = bad(p, line, "unknown kind '%s' (count, rate, ratio, amount, real)", k);
            free(k);
            return st;
        }
        free(k);
    }
    if (!c->pattern[0] || !c->variable[0])
        return bad(p, line, "empty pattern or variable in %s", value);
    ctg_status st = compile(p, line, c->pattern, &c->re);
    if (st != CTG_OK) {
        free(c->pattern);
        c->pattern = NULL; /* marks re as not compiled */
    }
    return st;
}

static ctg_status parse_vintage(parse_ctx *p, long line, const char *value, ctg_vintage_rule *v)
{
    memset(v, 0, sizeof *v);
    if (!strncmp(value, "column ", 7)) {
        v->source = CTG_VINTAGE_COLUMN;
        v->pattern = dup_trim(value + 7, strlen(value + 7));
        if (!v->pattern)
            return CTG_ERR_NOMEM;
        ctg_status st = compile(p, line, v->pattern, &v->re);
        if (st != CTG_OK) {
            free(v->pattern);
            v->pattern = NULL;
        }
        return st;
    }
    if (!strcmp(value, "period"))
        v->source = CTG_VINTAGE_PERIOD;
    else if (!strcmp(value, "title"))
        v->source = CTG_VINTAGE_TITLE;
    else if (!strcmp(value, "filename"))
        v->source = CTG_VINTAGE_FILENAME;
    else
        return bad(p, line, "vintage is 'column PATTERN', 'period', 'title' or 'filename', not '%s'",
                   value);
    return CTG_OK;
}

static ctg_status parse_geo_year(parse_ctx *p, long line, const char *value, ctg_family *f)
{
    if (!strncmp(value, "vintage", 7)) {
        const char *s = value + 7;
        while (*s == ' ')
            s++;
        if (!*s)
            return CTG_OK;
        int sign = *s == '-' ? -1 : *s == '+' ? 1 : 0;
        if (!sign)
            return bad(p, line, "geo_year reads 'vintage', 'vintage + N' or a year: '%s'", value);
        s++;
        char *end;
        long n = strtol(s, &end, 10);
        if (end == s || *end || n < 0 || n > 20)
            return bad(p, line, "geo_year reads 'vintage', 'vintage + N' or a year: '%s'", value);
        f->geo_year_offset = (int)(sign * n);
        return CTG_OK;
    }
    char *end;
    long y = strtol(value, &end, 10);
    if (*end || y < 1900 || y > 2100)
        return bad(p, line, "geo_year reads 'vintage', 'vintage + N' or a year: '%s'", value);
    f->geo_year_fixed = (int)y;
    return CTG_OK;
}

static ctg_status add_regex(parse_ctx *p, long line, const char *value, regex_t **list,
                            char ***src, size_t *n)
{
    regex_t *l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l)
        return CTG_ERR_NOMEM;
    *list = l;
    char **s = realloc(*src, (*n + 1) * sizeof *s);
    if (!s)
        return CTG_ERR_NOMEM;
    *src = s;
    s[*n] = strdup(value);
    if (!s[*n])
        return CTG_ERR_NOMEM;
    ctg_status st = compile(p, line, value, &l[*n]);
    if (st != CTG_OK) {
        free(s[*n]);
        return st;
    }
    (*n)++;
    return CTG_OK;
}

/* ------------------------------------------------------------ sections */

static ctg_status set_string(char **slot, const char *value)
{
    free(*slot);
    *slot = strdup(value);
    return *slot ? CTG_OK : CTG_ERR_NOMEM;
}

static ctg_status family_key(parse_ctx *p, ctg_family *f, const ctg_conf_entry *e)
{
    if (!strcmp(e->key, "id")) {
        if (!e->value[0])
            return bad(p, e->line, "an id cannot be empty%s", "");
        for (const char *s = e->value; *s; s++)
            if (!(islower((unsigned char)*s) || isdigit((unsigned char)*s) || *s == '_'))
                return bad(p, e->line, "an id is lower-case letters, digits and '_': '%s'",
                           e->value);
        return set_string(&f->id, e->value);
    }
    if (!strcmp(e->key, "label"))
        return set_string(&f->label, e->value);
    if (!strcmp(e->key, "producer"))
        return set_string(&f->producer, e->value);
    if (!strcmp(e->key, "description"))
        return set_string(&f->description, e->value);
    if (!strcmp(e->key, "target")) {
        for (int t = 0; t < CTG_TARGET_COUNT; t++)
            if (!strcmp(e->value, TARGET_NAMES[t])) {
                f->target = (ctg_target)t;
                return CTG_OK;
            }
        return bad(p, e->line, "unknown target '%s' (see docs/schemas.md)", e->value);
    }
    return bad(p, e->line, "unknown key '%s' in [family]", e->key);
}

static ctg_status recognise_key(parse_ctx *p, ctg_family *f, const ctg_conf_entry *e)
{
    if (!strcmp(e->key, "require"))
        return add_regex(p, e->line, e->value, &f->require, &f->require_src, &f->nrequire);
    if (!strcmp(e->key, "forbid"))
        return add_regex(p, e->line, e->value, &f->forbid, &f->forbid_src, &f->nforbid);
    if (!strcmp(e->key, "separator")) {
        size_t n = 0;
        char **words = NULL;
        ctg_status st = add_words(&words, &n, e->value);
        for (size_t i = 0; st == CTG_OK && i < n; i++) {
            char c = !strcmp(words[i], ";") ? ';' : !strcmp(words[i], ",") ? ','
                     : !strcmp(words[i], "tab") ? '\t' : 0;
            size_t used = strlen(f->separators);
            if (!c)
                st = bad(p, e->line, "separator is ';', ',' or 'tab', not '%s'", words[i]);
            else if (used < 3 && !strchr(f->separators, c))
                f->separators[used] = c;
        }
        free_words(words, n);
        return st;
    }
    return bad(p, e->line, "unknown key '%s' in [recognise]", e->key);
}

static ctg_status read_key(parse_ctx *p, ctg_family *f, const ctg_conf_entry *e)
{
    if (!strcmp(e->key, "empty")) {
        if (!strcmp(e->value, "secret"))
            f->empty_is_secret = 1;
        else if (!strcmp(e->value, "missing"))
            f->empty_is_secret = 0;
        else
            return bad(p, e->line, "empty is 'secret' or 'missing', not '%s'", e->value);
        return CTG_OK;
    }
    if (!strcmp(e->key, "absent")) {
        if (!strcmp(e->value, "zero"))
            f->absent_is_zero = 1;
        else if (!strcmp(e->value, "missing"))
            f->absent_is_zero = 0;
        else
            return bad(p, e->line, "absent is 'zero' or 'missing', not '%s'", e->value);
        return CTG_OK;
    }
    if (!strcmp(e->key, "secret"))
        return add_words(&f->secret, &f->nsecret, e->value);
    if (!strcmp(e->key, "missing"))
        return add_words(&f->missing, &f->nmissing, e->value);
    if (!strcmp(e->key, "vintage")) {
        ctg_vintage_rule *v = realloc(f->vintage, (f->nvintage + 1) * sizeof *v);
        if (!v)
            return CTG_ERR_NOMEM;
        f->vintage = v;
        ctg_status st = parse_vintage(p, e->line, e->value, &v[f->nvintage]);
        if (st == CTG_OK)
            f->nvintage++;
        return st;
    }
    if (!strcmp(e->key, "geo_year"))
        return parse_geo_year(p, e->line, e->value, f);
    return bad(p, e->line, "unknown key '%s' in [read]", e->key);
}

static const char *const STATUS_NAMES[] = {"ok", "missing", "secret"};

/* "PATTERN : CODE=MEANING CODE=MEANING..." for a level or status column. */
static ctg_status parse_coded(parse_ctx *p, long line, const char *key, const char *value,
                              int is_level, ctg_coded_field *c)
{
    const char *colon = strstr(value, " : ");
    if (!colon)
        return bad(p, line, "this key reads 'PATTERN : CODE=MEANING ...': %s", value);
    char *pat = dup_trim(value, (size_t)(colon - value));
    if (!pat)
        return CTG_ERR_NOMEM;
    ctg_status st = parse_field(p, line, key, pat, &c->column);
    free(pat);
    char **words = NULL;
    size_t n = 0;
    if (st == CTG_OK)
        st = add_words(&words, &n, colon + 3);
    if (st == CTG_OK && n == 0)
        st = bad(p, line, "no CODE=MEANING after ' : ' in %s", value);
    if (st == CTG_OK && !(c->codes = calloc(n, sizeof *c->codes)))
        st = CTG_ERR_NOMEM;
    if (st == CTG_OK && !(c->meanings = calloc(n, sizeof *c->meanings)))
        st = CTG_ERR_NOMEM;
    for (size_t i = 0; st == CTG_OK && i < n; i++) {
        char *eq = strchr(words[i], '=');
        if (!eq || eq == words[i] || !eq[1]) {
            st = bad(p, line, "'%s' is not CODE=MEANING", words[i]);
            break;
        }
        *eq = '\0';
        int meaning = -1;
        if (is_level) {
            ctg_level l = ctg_level_parse(eq + 1);
            meaning = (l == CTG_LEVEL_NONE || l == CTG_LEVEL_PSEUDO) ? -1 : (int)l;
        } else {
            for (int k = 0; k < 3; k++)
                if (!strcmp(eq + 1, STATUS_NAMES[k]))
                    meaning = k;
        }
        if (meaning < 0) {
            st = bad(p, line,
                     is_level ? "'%s' is not a level (commune, arm, iris, epci, dep, reg, fr)"
                              : "'%s' is not a status (ok, missing, secret)",
                     eq + 1);
            break;
        }
        c->codes[c->n] = strdup(words[i]);
        if (!c->codes[c->n]) {
            st = CTG_ERR_NOMEM;
            break;
        }
        c->meanings[c->n++] = meaning;
    }
    free_words(words, n);
    return st;
}

static void free_coded(ctg_coded_field *c)
{
    free_field(&c->column);
    for (size_t i = 0; i < c->n; i++)
        free(c->codes[i]);
    free(c->codes);
    free(c->meanings);
}

/* Appends a field rule to a list (measure, ignore). */
static ctg_status add_field_rule(parse_ctx *p, long line, const char *key, const char *value,
                                 ctg_field_rule **list, size_t *n)
{
    ctg_field_rule *l = realloc(*list, (*n + 1) * sizeof *l);
    if (!l)
        return CTG_ERR_NOMEM;
    *list = l;
    ctg_status st = parse_field(p, line, key, value, &l[*n]);
    (*n)++; /* counted even on failure so that it is freed */
    return st;
}

static ctg_status unit_key(parse_ctx *p, ctg_family *f, const ctg_conf_entry *e)
{
    ctg_field_rule *slot = NULL;
    int *flag = NULL;
    if (!strcmp(e->key, "code")) {
        free_field(&f->code);
        return parse_field(p, e->line, "code", e->value, &f->code);
    }
    if (!strcmp(e->key, "name")) {
        slot = &f->name;
        flag = &f->has_name;
    } else if (!strcmp(e->key, "period")) {
        slot = &f->period;
        flag = &f->has_period;
    } else if (!strcmp(e->key, "parent")) {
        slot = &f->parent;
        flag = &f->has_parent;
    }
    if (slot) {
        if (*flag)
            free_field(slot);
        *flag = 1;
        return parse_field(p, e->line, e->key, e->value, slot);
    }
    if (!strcmp(e->key, "level")) {
        f->level = ctg_level_parse(e->value);
        if (f->level == CTG_LEVEL_NONE || f->level == CTG_LEVEL_PSEUDO)
            return bad(p, e->line, "unknown level '%s' (commune, arm, iris, epci, dep, reg, fr)",
                       e->value);
        return CTG_OK;
    }
    if (!strcmp(e->key, "withheld")) {
        /* "PATTERN : VALUE VALUE..." */
        const char *colon = strstr(e->value, " : ");
        if (!colon)
            return bad(p, e->line, "withheld reads 'PATTERN : VALUE...': %s", e->value);
        char *pat = dup_trim(e->value, (size_t)(colon - e->value));
        if (!pat)
            return CTG_ERR_NOMEM;
        if (f->has_withheld) {
            free_field(&f->withheld);
            free_words(f->withheld_values, f->nwithheld_values);
            f->withheld_values = NULL;
            f->nwithheld_values = 0;
        }
        f->has_withheld = 1;
        ctg_status st = parse_field(p, e->line, "withheld", pat, &f->withheld);
        free(pat);
        if (st == CTG_OK)
            st = add_words(&f->withheld_values, &f->nwithheld_values, colon + 3);
        return st;
    }
    if (!strcmp(e->key, "level_column") || !strcmp(e->key, "status")) {
        int is_level = e->key[0] == 'l';
        int *has = is_level ? &f->has_level_column : &f->has_status;
        ctg_coded_field *c = is_level ? &f->level_column : &f->status;
        if (*has)
            return bad(p, e->line, "%s is given twice", e->key);
        *has = 1;
        return parse_coded(p, e->line, e->key, e->value, is_level, c);
    }
    if (!strcmp(e->key, "value")) {
        if (f->has_value)
            return bad(p, e->line, "value is given twice%s", "");
        f->has_value = 1;
        f->value_kind = CTG_KIND_COUNT;
        const char *colon = strstr(e->value, " : ");
        char *pat = dup_trim(e->value, colon ? (size_t)(colon - e->value) : strlen(e->value));
        if (!pat)
            return CTG_ERR_NOMEM;
        ctg_status st = parse_field(p, e->line, "value", pat, &f->value);
        free(pat);
        if (st != CTG_OK || !colon)
            return st;
        const char *k = colon + 3;
        for (int i = 0; i <= CTG_KIND_REAL; i++)
            if (!strcmp(k, KIND_NAMES[i])) {
                f->value_kind = (ctg_kind)i;
                return CTG_OK;
            }
        return bad(p, e->line, "unknown kind '%s' (count, rate, ratio, amount, real)", k);
    }
    if (!strcmp(e->key, "measure"))
        return add_field_rule(p, e->line, "measure", e->value, &f->measures, &f->nmeasures);
    if (!strcmp(e->key, "ignore"))
        return add_field_rule(p, e->line, "ignore", e->value, &f->ignores, &f->nignores);
    if (!strcmp(e->key, "pseudo"))
        return add_words(&f->pseudo, &f->npseudo, e->value);
    if (!strcmp(e->key, "total")) {
        if (f->has_total)
            return bad(p, e->line, "total is given twice", "");
        f->total_pattern = strdup(e->value);
        if (!f->total_pattern)
            return CTG_ERR_NOMEM;
        ctg_status st = compile(p, e->line, e->value, &f->total_re);
        if (st == CTG_OK)
            f->has_total = 1;
        return st;
    }
    if (!strcmp(e->key, "rounded")) {
        char *end;
        long n = strtol(e->value, &end, 10);
        if (*end || n < 1 || n > 1000)
            return bad(p, e->line, "rounded is the multiple counts are rounded to: '%s'",
                       e->value);
        f->rounded_to = (int)n;
        return CTG_OK;
    }
    return bad(p, e->line, "unknown key '%s' in [unit]", e->key);
}

static ctg_status fields_key(parse_ctx *p, ctg_family *f, const ctg_conf_entry *e)
{
    ctg_field_rule *l = realloc(f->fields, (f->nfields + 1) * sizeof *l);
    if (!l)
        return CTG_ERR_NOMEM;
    f->fields = l;
    ctg_status st = parse_field(p, e->line, e->key, e->value, &l[f->nfields]);
    f->nfields++; /* counted even on failure so that free_family frees it */
    return st;
}

static ctg_status columns_key(parse_ctx *p, ctg_family *f, const ctg_conf_entry *e)
{
    if (strcmp(e->key, "map"))
        return bad(p, e->line, "[columns] holds 'map = PATTERN -> VARIABLE ...' lines, not '%s'",
                   e->key);
    ctg_column_rule *l = realloc(f->columns, (f->ncolumns + 1) * sizeof *l);
    if (!l)
        return CTG_ERR_NOMEM;
    f->columns = l;
    ctg_status st = parse_map(p, e->line, e->value, &l[f->ncolumns]);
    f->ncolumns++;
    return st;
}

/* ------------------------------------------------------------- checks */

static int word_in(const char *word, const char *list)
{
    size_t n = strlen(word);
    for (const char *s = list; (s = strstr(s, word)) != NULL; s += n)
        if ((s == list || s[-1] == ' ') && (s[n] == ' ' || s[n] == '\0'))
            return 1;
    return 0;
}

static ctg_status check_family(parse_ctx *p, ctg_family *f)
{
    if (!f->id || !f->label || !f->producer)
        return bad(p, 0, "[family] needs id, label and producer%s", "");
    if (f->nrequire == 0)
        return bad(p, 0, "[recognise] needs at least one 'require' pattern%s", "");
    char required[160], optional[160];
    ctg_target_field_list(f->target, 1, required, sizeof required);
    ctg_target_field_list(f->target, 0, optional, sizeof optional);
    if (f->target == CTG_TARGET_OBSERVATIONS) {
        if (!f->code.parts)
            return bad(p, 0, "an observations family needs [unit] code%s", "");
        if (f->level == CTG_LEVEL_NONE && !f->has_level_column)
            return bad(p, 0, "an observations family needs [unit] level or level_column%s", "");
        if (f->has_value && f->ncolumns)
            return bad(p, f->columns[0].line,
                       "a family reads wide files ([columns]) or long ones ([unit] value), not "
                       "both%s",
                       "");
        if (f->has_value && !f->nmeasures)
            return bad(p, f->value.line,
                       "a long file's [unit] value needs [unit] measure columns naming its "
                       "variable%s",
                       "");
        if (!f->has_value && f->ncolumns == 0)
            return bad(p, 0, "an observations family needs [columns] map lines (or a [unit] "
                             "value for long files)%s",
                       "");
        if (f->nfields)
            return bad(p, f->fields[0].line, "[fields] is for geography and dictionary targets%s",
                       "");
        return CTG_OK;
    }
    for (size_t i = 0; i < f->nfields; i++)
        if (!word_in(f->fields[i].field, required) && !word_in(f->fields[i].field, optional))
            return ctg_fail(p->err, CTG_ERR_SCHEMA, p->path, f->fields[i].line,
                            "target %s has no field '%s' (fields: %s %s)",
                            TARGET_NAMES[f->target], f->fields[i].field, required, optional);
    char need[160];
    snprintf(need, sizeof need, "%s", required);
    for (char *w = strtok(need, " "); w; w = strtok(NULL, " ")) {
        int found = 0;
        for (size_t i = 0; i < f->nfields; i++)
            found |= !strcmp(f->fields[i].field, w);
        if (!found)
            return ctg_fail(p->err, CTG_ERR_SCHEMA, p->path, 0,
                            "target %s needs the field '%s' in [fields]", TARGET_NAMES[f->target],
                            w);
    }
    if (f->target == CTG_TARGET_GEO_AREA && f->level != CTG_LEVEL_EPCI &&
        f->level != CTG_LEVEL_DEP && f->level != CTG_LEVEL_REG)
        return bad(p, 0, "a geo_area family needs [unit] level epci, dep or reg%s", "");
    return CTG_OK;
}

/* ------------------------------------------------------------- loading */

static void free_family(ctg_family *f)
{
    if (!f)
        return;
    free(f->id);
    free(f->label);
    free(f->producer);
    free(f->description);
    free(f->path);
    free(f->text);
    for (size_t i = 0; i < f->nrequire; i++) {
        regfree(&f->require[i]);
        free(f->require_src[i]);
    }
    free(f->require);
    free(f->require_src);
    for (size_t i = 0; i < f->nforbid; i++) {
        regfree(&f->forbid[i]);
        free(f->forbid_src[i]);
    }
    free(f->forbid);
    free(f->forbid_src);
    free_words(f->secret, f->nsecret);
    free_words(f->missing, f->nmissing);
    for (size_t i = 0; i < f->nvintage; i++) {
        if (f->vintage[i].pattern)
            regfree(&f->vintage[i].re);
        free(f->vintage[i].pattern);
    }
    free(f->vintage);
    free_field(&f->code);
    if (f->has_level_column)
        free_coded(&f->level_column);
    if (f->has_status)
        free_coded(&f->status);
    if (f->has_value)
        free_field(&f->value);
    for (size_t i = 0; i < f->nmeasures; i++)
        free_field(&f->measures[i]);
    free(f->measures);
    for (size_t i = 0; i < f->nignores; i++)
        free_field(&f->ignores[i]);
    free(f->ignores);
    if (f->has_name)
        free_field(&f->name);
    if (f->has_period)
        free_field(&f->period);
    if (f->has_parent)
        free_field(&f->parent);
    if (f->has_withheld)
        free_field(&f->withheld);
    free_words(f->withheld_values, f->nwithheld_values);
    free_words(f->pseudo, f->npseudo);
    if (f->has_total)
        regfree(&f->total_re);
    free(f->total_pattern);
    for (size_t i = 0; i < f->nfields; i++)
        free_field(&f->fields[i]);
    free(f->fields);
    for (size_t i = 0; i < f->ncolumns; i++) {
        if (f->columns[i].pattern)
            regfree(&f->columns[i].re);
        free(f->columns[i].pattern);
        free(f->columns[i].variable);
        free(f->columns[i].period);
    }
    free(f->columns);
    free(f);
}

typedef ctg_status (*section_fn)(parse_ctx *, ctg_family *, const ctg_conf_entry *);

static ctg_status family_from_conf(const ctg_conf *conf, ctg_family **out, ctg_error *err)
{
    static const struct {
        const char *name;
        section_fn fn;
    } SECTIONS[] = {{"family", family_key}, {"recognise", recognise_key}, {"read", read_key},
                    {"unit", unit_key},     {"fields", fields_key},       {"columns", columns_key}};
    parse_ctx p = {ctg_conf_path(conf), err};
    ctg_family *f = calloc(1, sizeof *f);
    if (!f)
        return ctg_fail(err, CTG_ERR_NOMEM, p.path, 0, "out of memory");
    ctg_status st = CTG_OK;
    f->path = strdup(ctg_conf_path(conf));
    f->text = strdup(ctg_conf_text(conf));
    if (!f->path || !f->text) {
        st = CTG_ERR_NOMEM;
        goto fail;
    }
    ctg_sha256 h;
    ctg_sha256_init(&h);
    ctg_sha256_update(&h, f->text, strlen(f->text));
    ctg_sha256_final_hex(&h, f->sha256);
    for (size_t i = 0; i < ctg_conf_count(conf); i++) {
        const ctg_conf_entry *e = ctg_conf_entry_at(conf, i);
        section_fn fn = NULL;
        for (size_t s = 0; s < sizeof SECTIONS / sizeof SECTIONS[0]; s++)
            if (!strcmp(e->section, SECTIONS[s].name))
                fn = SECTIONS[s].fn;
        if (!fn) {
            st = ctg_fail(err, CTG_ERR_SCHEMA, p.path, e->line,
                          "unknown section [%s] (family, recognise, read, unit, fields, columns)",
                          e->section);
            goto fail;
        }
        st = fn(&p, f, e);
        if (st != CTG_OK)
            goto fail;
    }
    st = check_family(&p, f);
    if (st != CTG_OK)
        goto fail;
    *out = f;
    return CTG_OK;
fail:
    if (st == CTG_ERR_NOMEM)
        ctg_fail(err, st, p.path, 0, "out of memory");
    free_family(f);
    return st;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n > m && !strcmp(s + n - m, suffix);
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static ctg_status add_family(ctg_families *fams, ctg_family *f, ctg_error *err)
{
    for (size_t i = 0; i < fams->count; i++)
        if (!strcmp(fams->items[i]->id, f->id)) {
            free_family(f); /* an earlier folder wins */
            return CTG_OK;
        }
    if (fams->count == fams->cap) {
        size_t cap = fams->cap ? fams->cap * 2 : 32;
        ctg_family **l = realloc(fams->items, cap * sizeof *l);
        if (!l) {
            free_family(f);
            return ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        }
        fams->items = l;
        fams->cap = cap;
    }
    fams->items[fams->count++] = f;
    return CTG_OK;
}

/* Loads the *.family files of one folder, in name order. */
static ctg_status load_dir(ctg_families *fams, const char *dir, ctg_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return ctg_fail(err, CTG_ERR_NOINPUT, dir, 0, "cannot open the schemas folder");
    char **names = NULL;
    size_t n = 0;
    ctg_status st = CTG_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (!has_suffix(de->d_name, ".family"))
            continue;
        char **l = realloc(names, (n + 1) * sizeof *l);
        if (!l || !(l[n] = strdup(de->d_name))) {
            names = l ? l : names;
            st = ctg_fail(err, CTG_ERR_NOMEM, dir, 0, "out of memory");
            goto cleanup;
        }
        names = l;
        n++;
    }
    if (n > 1)
        qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n && st == CTG_OK; i++) {
        ctg_buf path = CTG_BUF_INIT;
        ctg_conf *conf = NULL;
        ctg_family *f = NULL;
        if (ctg_buf_printf(&path, "%s/%s", dir, names[i]) != CTG_OK)
            st = ctg_fail(err, CTG_ERR_NOMEM, dir, 0, "out of memory");
        if (st == CTG_OK)
            st = ctg_conf_load(ctg_buf_str(&path), &conf, err);
        if (st == CTG_OK)
            st = family_from_conf(conf, &f, err);
        if (st == CTG_OK)
            st = add_family(fams, f, err);
        ctg_conf_free(conf);
        ctg_buf_free(&path);
    }
cleanup:
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    closedir(d);
    return st;
}

static int cmp_family(const void *a, const void *b)
{
    return strcmp((*(ctg_family *const *)a)->id, (*(ctg_family *const *)b)->id);
}

ctg_status ctg_families_load(const char *dirs, ctg_families **out, ctg_error *err)
{
    ctg_families *fams = calloc(1, sizeof *fams);
    char *copy = strdup(dirs);
    ctg_status st = CTG_OK;
    if (!fams || !copy) {
        st = ctg_fail(err, CTG_ERR_NOMEM, NULL, 0, "out of memory");
        goto fail;
    }
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
        st = load_dir(fams, dir, err);
        if (st != CTG_OK)
            goto fail;
    }
    if (fams->count == 0) {
        st = ctg_fail(err, CTG_ERR_NOINPUT, dirs, 0, "no *.family file in the schemas folders");
        goto fail;
    }
    qsort(fams->items, fams->count, sizeof *fams->items, cmp_family);
    free(copy);
    *out = fams;
    return CTG_OK;
fail:
    free(copy);
    ctg_families_free(fams);
    return st;
}

void ctg_families_free(ctg_families *fams)
{
    if (!fams)
        return;
    for (size_t i = 0; i < fams->count; i++)
        free_family(fams->items[i]);
    free(fams->items);
    free(fams);
}

size_t ctg_families_count(const ctg_families *fams)
{
    return fams->count;
}

const ctg_family *ctg_families_at(const ctg_families *fams, size_t i)
{
    return i < fams->count ? fams->items[i] : NULL;
}

const ctg_family *ctg_families_find(const ctg_families *fams, const char *id)
{
    for (size_t i = 0; i < fams->count; i++)
        if (!strcmp(fams->items[i]->id, id))
            return fams->items[i];
    return NULL;
}

int ctg_family_matches(const ctg_family *fam, const char *const *cols, size_t ncols)
{
    for (size_t r = 0; r < fam->nrequire; r++) {
        int found = 0;
        for (size_t c = 0; c < ncols && !found; c++)
            found = regexec(&fam->require[r], cols[c], 0, NULL, 0) == 0;
        if (!found)
            return 0;
    }
    for (size_t r = 0; r < fam->nforbid; r++)
        for (size_t c = 0; c < ncols; c++)
            if (regexec(&fam->forbid[r], cols[c], 0, NULL, 0) == 0)
                return 0;
    return (int)fam->nrequire;
}

void ctg_template_expand(const char *tmpl, const char *subject, const regmatch_t *m, char *out,
                         size_t size)
{
    size_t o = 0;
    for (const char *t = tmpl; *t && o + 1 < size; t++) {
        if (t[0] == '\\' && t[1] >= '1' && t[1] <= '9') {
            int g = t[1] - '0';
            t++;
            if (m && m[g].rm_so >= 0)
                for (regoff_t i = m[g].rm_so; i < m[g].rm_eo && o + 1 < size; i++)
                    out[o++] = subject[i];
            continue;
        }
        out[o++] = *t;
    }
    out[o] = '\0';
}
