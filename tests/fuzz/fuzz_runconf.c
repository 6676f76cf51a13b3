/*
 * fuzz_runconf.c - libFuzzer target for cli/runconf.h, the configuration
 * file of `ctgdiag run`.
 *
 * Each input is written as a configuration file in a folder created once
 * per process and loaded with ctg_runconf_load. Checks: statuses are CTG_OK,
 * CTG_ERR_USAGE (with a message and a line no larger than the file's) or
 * CTG_ERR_NOMEM; a failed load leaves *out NULL; a loaded configuration has
 * a warehouse, at least one inbox and a reports folder, every path starting
 * with the file's folder unless absolute, no "/./" left in a path, and every
 * territory section a territory; nothing crashes or leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/runconf.h"
#include "core/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char g_dir[256];
static char g_file[300];

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz_runconf: check failed at %s:%d: %s\n", __FILE__, __LINE__,  \
                    #cond);                                                                    \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

static void cleanup(void)
{
    unlink(g_file);
    rmdir(g_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/fuzz_runconf_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("fuzz_runconf: mkdtemp");
        abort();
    }
    snprintf(g_file, sizeof g_file, "%s/ctgdiag.conf", g_dir);
    atexit(cleanup);
    return 0;
}

static long count_lines(const uint8_t *data, size_t size)
{
    long n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

/* A resolved path: absolute, or under the configuration's folder; no "."
 * component left. */
static void check_path(const char *p)
{
    CHECK(p && p[0]);
    CHECK(p[0] == '/' || !strncmp(p, g_dir, strlen(g_dir)));
    CHECK(!strstr(p, "/./"));
    size_t n = strlen(p);
    CHECK(!(n >= 2 && !strcmp(p + n - 2, "/.")));
}

static void check_conf(const ctg_runconf *c)
{
    check_path(c->warehouse);
    check_path(c->reports);
    CHECK(c->ninbox >= 1 && c->inbox);
    for (size_t i = 0; i < c->ninbox; i++)
        check_path(c->inbox[i]);
    if (c->schemas)
        check_path(c->schemas);
    if (c->log)
        check_path(c->log);
    CHECK(c->max_rejects >= 0 && c->max_rejects <= 100);
    CHECK(c->threshold_points >= 0 && c->threshold_percent >= 0);
    CHECK(c->geo_year == 0 || (c->geo_year >= 1900 && c->geo_year <= 2100));
    for (size_t i = 0; i < c->nterritories; i++) {
        const ctg_run_territory *t = &c->territories[i];
        CHECK(t->section && t->section[0] && t->territory && t->territory[0] && t->key);
        if (t->plan)
            check_path(t->plan);
        if (t->year)
            CHECK(strlen(t->year) == 4 || strlen(t->year) == 7);
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(t->key, c->territories[j].key) != 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_dir[0])
        LLVMFuzzerInitialize(NULL, NULL);
    if (size > 65536)
        return -1;
    long nlines = count_lines(data, size);
    FILE *f = fopen(g_file, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);

    ctg_runconf *conf = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_runconf_load(g_file, &conf, &err);
    CHECK(st == CTG_OK || st == CTG_ERR_USAGE || st == CTG_ERR_NOMEM);
    if (st != CTG_OK) {
        CHECK(conf == NULL);
        CHECK(err.code == st && err.msg[0]);
        CHECK(err.line >= 0 && err.line <= nlines);
        return 0;
    }
    CHECK(conf != NULL);
    check_conf(conf);
    ctg_runconf_free(conf);
    return 0;
}
