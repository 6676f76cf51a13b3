/*
 * runconf.h - the configuration file of `ctgdiag run` (docs/operations.md):
 *
 *     # the monthly refresh of the Tarn
 *     warehouse = ../ctgdiag.db          the SQLite warehouse
 *     inbox = .                          a folder (or file) of extracts; may repeat
 *     reports = ../reports               where the PDF reports and change reports go
 *     schemas = my-schemas               optional: a folder of schema files first
 *     geo_year = 2022                    optional: the geography (default: latest)
 *     max_rejects = 5                    optional: % of bad rows that rejects a file
 *     threshold_points = 0.1             optional: a rate moved by this many points
 *     threshold_percent = 1              optional: another value moved by this %
 *     log = ../ctgdiag.log               optional: the log file (--log wins)
 *
 *     [gaillac_graulhet]                 one section per territory to render
 *     territory = epci:200066124
 *     plan = plans/gaillac-graulhet.csv  optional: default plan of schemas/
 *     name = CA Gaillac-Graulhet         optional
 *     year = 2021                        optional
 *
 * The syntax is that of core/conf.h. Relative paths are relative to the
 * folder of the configuration file, not to the current folder.
 *
 * Ownership: ctg_runconf_load returns a configuration the caller frees with
 * ctg_runconf_free; every string lives inside it.
 */
#ifndef CTG_RUNCONF_H
#define CTG_RUNCONF_H

#include <stddef.h>

#include "core/error.h"

typedef struct ctg_run_territory {
    const char *section;       /* the [section] name */
    const char *territory;     /* LEVEL:CODE, or communes:a,b,c, as written */
    const char *key;           /* its canonical form: equal keys, same files */
    const char *plan;          /* resolved path, NULL for the default plan */
    const char *name;          /* NULL when not given */
    const char *year;          /* normalised (YYYY or YYYY-MM), NULL when not given */
    long line;                 /* of the section line */
} ctg_run_territory;

typedef struct ctg_runconf {
    const char *path;          /* of the configuration file */
    const char *warehouse;     /* resolved paths */
    const char **inbox;
    size_t ninbox;
    const char *reports;
    const char *schemas;       /* NULL when not given */
    const char *log;           /* NULL when not given */
    int geo_year;              /* 0 = latest */
    double max_rejects;        /* percent */
    double threshold_points;
    double threshold_percent;
    ctg_run_territory *territories;
    size_t nterritories;
} ctg_runconf;

/* Reads and checks the file at path: a missing file is CTG_ERR_NOINPUT, a
 * syntax error, an unknown key, a missing `warehouse`, `inbox` or
 * `reports`, or a bad value is CTG_ERR_USAGE naming the line. */
ctg_status ctg_runconf_load(const char *path, ctg_runconf **out, ctg_error *err);

/* Frees everything; conf may be NULL. */
void ctg_runconf_free(ctg_runconf *conf);

#endif
