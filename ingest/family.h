/*
 * family.h - families of source files, read from schemas/families (files named *.family).
 *
 * A family says how to recognise a file from its header, how to read it
 * (separator, secret and missing markers, which columns give the unit's code,
 * its level, its period), where its rows go (observations, or one of the
 * geography and dictionary tables), and how its columns map to canonical
 * variables. The syntax is documented in docs/schemas.md; nothing about a
 * family lives in C.
 *
 * Ownership: ctg_families_load returns a set the caller frees with
 * ctg_families_free; the ctg_family pointers it hands out live as long as
 * the set.
 */
#ifndef CTG_FAMILY_H
#define CTG_FAMILY_H

#include <regex.h>
#include <stddef.h>

#include "core/error.h"
#include "core/geocode.h"
#include "core/sha256.h"

/* Where the rows of a family go. */
typedef enum ctg_target {
    CTG_TARGET_OBSERVATIONS = 0, /* obs_row: one row per unit with packed values */
    CTG_TARGET_GEO_COMMUNE,      /* geo_commune (COG communes) */
    CTG_TARGET_GEO_MEMBERSHIP,   /* geo_membership (table d'appartenance) */
    CTG_TARGET_GEO_IRIS,         /* geo_iris (IRIS reference) */
    CTG_TARGET_GEO_AREA,         /* geo_area (names of EPCI, départements, régions) */
    CTG_TARGET_GEO_EVENT,        /* geo_event (commune events, historiq) */
    CTG_TARGET_GEO_PASSAGE,      /* geo_passage (passage tables between years) */
    CTG_TARGET_DICTIONARY,       /* dictionary (INSEE meta_*.CSV) */
    CTG_TARGET_COUNT
} ctg_target;

/* What a value column holds, which decides the range it must lie in. */
typedef enum ctg_kind {
    CTG_KIND_COUNT = 0, /* >= 0, possibly fractional (census weights) */
    CTG_KIND_RATE,      /* percent, 0..100 */
    CTG_KIND_RATIO,     /* >= 0, no upper bound (coverage rates can pass 100) */
    CTG_KIND_AMOUNT,    /* euros, >= 0 */
    CTG_KIND_REAL       /* any value */
} ctg_kind;

/* One rule of [columns]: a header pattern and what it gives. */
typedef struct ctg_column_rule {
    char *pattern;        /* POSIX extended regex, case-insensitive, as written */
    regex_t re;
    char *variable;       /* template: \1..\9 are the pattern's groups */
    char *period;         /* template; "" = the file's vintage or the row's period */
    ctg_kind kind;
    long line;            /* line in the .family file */
} ctg_column_rule;

/* One field of a geography or dictionary target bound to a column pattern. */
typedef struct ctg_field_rule {
    char *field;          /* target field name: code, name, dep, epci, ... */
    char *pattern[2];     /* one column, or two concatenated ("A + B") */
    regex_t re[2];
    int parts;            /* 1 or 2 */
    long line;
} ctg_field_rule;

/* How the vintage (the file's year) is found; tried in order. */
typedef enum ctg_vintage_source {
    CTG_VINTAGE_COLUMN,   /* the highest year among header columns matching a pattern */
    CTG_VINTAGE_PERIOD,   /* the highest period of the rows (period column) */
    CTG_VINTAGE_TITLE,    /* a year (19xx/20xx) in the title lines above the header */
    CTG_VINTAGE_FILENAME  /* a year (19xx/20xx) in the file name */
} ctg_vintage_source;

typedef struct ctg_vintage_rule {
    ctg_vintage_source source;
    char *pattern;        /* CTG_VINTAGE_COLUMN: group 1 is a 2- or 4-digit year */
    regex_t re;
} ctg_vintage_rule;

/* A column whose values are codes with a meaning: the level of the row's
 * unit (GEO_OBJECT: COM=commune ...) or the status of its values
 * (OBS_STATUS: K=secret ...). */
typedef struct ctg_coded_field {
    ctg_field_rule column;
    char **codes;         /* values of the column, compared case-insensitively */
    int *meanings;        /* a ctg_level or a ctg_value_status for each code */
    size_t n;
} ctg_coded_field;

typedef struct ctg_family {
    char *id, *label, *producer, *description;
    char *path;                  /* the .family file */
    char *text;                  /* its text, for provenance */
    char sha256[CTG_SHA256_HEX_LEN + 1];
    ctg_target target;

    /* [recognise] */
    regex_t *require;            /* every pattern must match some header column */
    char **require_src;
    size_t nrequire;
    regex_t *forbid;             /* no header column may match */
    char **forbid_src;
    size_t nforbid;
    char separators[4];          /* allowed separators; "" = any of ; , TAB */

    /* [read] */
    int empty_is_secret;         /* an empty cell: 1 secret, 0 missing */
    int absent_is_zero;          /* a commune the file does not list has 0 of its counts */
    char **secret;               /* markers of secret cells ("s") */
    size_t nsecret;
    char **missing;              /* markers of missing cells ("nd", "NA") */
    size_t nmissing;
    ctg_vintage_rule *vintage;
    size_t nvintage;
    int geo_year_fixed;          /* > 0: geography year stated by the family */
    int geo_year_offset;         /* else: vintage year + this */

    /* [unit] (observations and geography targets) */
    ctg_field_rule code;         /* code column(s) */
    ctg_level level;             /* level of the codes (commune includes arrondissements) */
    int has_level_column;        /* or a column whose value names the level of each row */
    ctg_coded_field level_column;
    int has_status;              /* a column giving the status of the row's values */
    ctg_coded_field status;
    /* long files (one value per row): the value column, and the columns whose
     * values, joined by '_', name the variable of each row */
    int has_value;
    ctg_field_rule value;
    ctg_kind value_kind;
    ctg_field_rule *measures;
    size_t nmeasures;
    ctg_field_rule *ignores;     /* columns read by no rule on purpose */
    size_t nignores;
    int has_name, has_period, has_parent, has_withheld;
    ctg_field_rule name, period, parent, withheld;
    char **withheld_values;      /* values of the withheld column that mean "all secret" */
    size_t nwithheld_values;
    char **pseudo;               /* codes that name no place (99999, XXXXX, ZZZZZZZZZ) */
    size_t npseudo;
    char *total_pattern;         /* a code cell matching this is a total row (of France, or
                                    of what the extract covers): kept apart, level pseudo */
    regex_t total_re;
    int has_total;
    int rounded_to;              /* counts rounded by the producer to this multiple; 0 none */

    /* [fields] (geography and dictionary targets) */
    ctg_field_rule *fields;
    size_t nfields;

    /* [columns] */
    ctg_column_rule *columns;
    size_t ncolumns;
} ctg_family;

typedef struct ctg_families ctg_families;

/*
 * Loads every *.family file of the folders in dirs (a ':'-separated list,
 * searched in order: a family id found in an earlier folder hides the same id
 * in a later one). A malformed file is CTG_ERR_SCHEMA naming its line.
 */
ctg_status ctg_families_load(const char *dirs, ctg_families **out, ctg_error *err);

/* Frees the set; fams may be NULL. */
void ctg_families_free(ctg_families *fams);

/* Number of families, and family i (sorted by id). */
size_t ctg_families_count(const ctg_families *fams);
const ctg_family *ctg_families_at(const ctg_families *fams, size_t i);

/* The family with this id, or NULL. */
const ctg_family *ctg_families_find(const ctg_families *fams, const char *id);

/*
 * Tests a candidate header (fields already trimmed, UTF-8) against one
 * family. Returns the number of required patterns matched (> 0) when the
 * header is of that family, 0 when it is not.
 */
int ctg_family_matches(const ctg_family *fam, const char *const *cols, size_t ncols);

/* The fields a geography or dictionary target takes, blank-separated: the
 * required ones (required = 1) or the optional ones; written into buf. */
const char *ctg_target_field_list(ctg_target t, int required, char *buf, size_t size);

/* 1 when a target's rows are keyed by geography year and code (geo_commune,
 * geo_membership, geo_iris, geo_area): files collide row by row there. */
int ctg_target_keyed_by_year(ctg_target t);

/* Name of a target ("observations", "geo_commune"...). */
const char *ctg_target_name(ctg_target t);

/* Name of a kind ("count", "rate"...). */
const char *ctg_kind_name(ctg_kind k);

/*
 * Expands a template with the groups of a regex match of subject: \1..\9 are
 * replaced by the groups (empty when a group did not take part); any other
 * character is copied. Result in out (NUL-terminated, truncated to size).
 */
void ctg_template_expand(const char *tmpl, const char *subject, const regmatch_t *m, char *out,
                         size_t size);

#endif
