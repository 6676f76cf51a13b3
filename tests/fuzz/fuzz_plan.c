/*
 * fuzz_plan.c - libFuzzer target for render/plan.h.
 *
 * Each input is written as a plan file in a folder created once per process
 * and loaded with ctg_plan_load; a loaded plan is checked against the
 * shipped catalogue (schemas/indicators.csv, read once) with ctg_plan_check.
 * Checks: statuses are CTG_OK, CTG_ERR_DATA (with a line no larger than the
 * file's) or CTG_ERR_NOMEM; a failed load leaves *out alone; a loaded plan
 * has an axis, non-NULL strings, non-empty axis and action numbers and
 * titles, objective indices within their axis and lines within the file;
 * nothing crashes or leaks.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compute/catalogue.h"
#include "core/error.h"
#include "render/plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char g_dir[256];
static char g_file[300];
static ctg_catalogue *g_cat;

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz_plan: check failed at %s:%d: %s\n", __FILE__, __LINE__,     \
                    #cond);                                                                    \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* At exit: the scratch folder and the catalogue. */
static void cleanup(void)
{
    unlink(g_file);
    rmdir(g_dir);
    ctg_catalogue_free(g_cat);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *tmp = getenv("TMPDIR");
    snprintf(g_dir, sizeof g_dir, "%s/fuzz_plan_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("fuzz_plan: mkdtemp");
        abort();
    }
    snprintf(g_file, sizeof g_file, "%s/plan.csv", g_dir);
    ctg_error err;
    ctg_error_clear(&err);
    if (ctg_catalogue_load(CTG_SOURCE_DIR "/schemas/indicators.csv", &g_cat, &err) != CTG_OK) {
        ctg_error_print(&err, stderr);
        abort();
    }
    atexit(cleanup);
    return 0;
}

/* Lines of the input (a last line without LF counts). */
static long count_lines(const uint8_t *data, size_t size)
{
    long n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

/* An indicator list: non-empty ids, no ',' inside, none twice. */
static void check_ids(char *const *ids, size_t n)
{
    CHECK(n == 0 || ids != NULL);
    for (size_t i = 0; i < n; i++) {
        CHECK(ids[i] && ids[i][0]);
        CHECK(!strchr(ids[i], ','));
        for (size_t j = 0; j < i; j++)
            CHECK(strcmp(ids[i], ids[j]) != 0);
    }
}

/* The invariants of a loaded plan (plan.h). */
static void check_plan(const ctg_plan *p, long nlines)
{
    CHECK(p->title && p->note && p->territory && p->territory_name);
    CHECK(p->period && p->source);
    CHECK(p->naxes > 0 && p->axes);
    long last = 0;
    for (size_t a = 0; a < p->naxes; a++) {
        const ctg_plan_axis *ax = &p->axes[a];
        CHECK(ax->number && ax->number[0] && ax->title && ax->title[0] && ax->note);
        CHECK(ax->line > last && ax->line <= nlines);
        last = ax->line;
        check_ids(ax->indicators, ax->nindicators);
        for (size_t o = 0; o < ax->nobjectives; o++) {
            const ctg_plan_objective *ob = &ax->objectives[o];
            CHECK(ob->number && ob->title && ob->title[0] && ob->note);
            CHECK(ob->line > ax->line && ob->line <= nlines);
            check_ids(ob->indicators, ob->nindicators);
        }
        for (size_t i = 0; i < ax->nactions; i++) {
            const ctg_plan_action *ac = &ax->actions[i];
            CHECK(ac->number && ac->number[0] && ac->title && ac->title[0] && ac->note);
            CHECK(ac->line > ax->line && ac->line <= nlines);
            CHECK(ac->objective >= -1 && ac->objective < (long)ax->nobjectives);
            if (ac->objective >= 0)
                CHECK(ax->objectives[ac->objective].line < ac->line);
            check_ids(ac->indicators, ac->nindicators);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_dir[0])
        LLVMFuzzerInitialize(NULL, NULL);
    if (size > 65536)
        return -1; /* not added to the corpus */
    long nlines = count_lines(data, size);

    FILE *f = fopen(g_file, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);

    ctg_plan *plan = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_plan_load(g_file, &plan, &err);
    CHECK(st == CTG_OK || st == CTG_ERR_DATA || st == CTG_ERR_NOMEM);
    if (st != CTG_OK) {
        CHECK(plan == NULL);
        CHECK(err.code == st && err.msg[0]);
        CHECK(err.line >= 0 && err.line <= nlines);
        return 0;
    }
    CHECK(plan != NULL);
    check_plan(plan, nlines);
    ctg_error_clear(&err);
    st = ctg_plan_check(plan, g_cat, "fuzz.csv", &err);
    CHECK(st == CTG_OK || st == CTG_ERR_DATA);
    if (st != CTG_OK)
        CHECK(err.line >= 1 && err.line <= nlines && strstr(err.msg, "unknown indicator"));
    ctg_plan_free(plan);
    return 0;
}
