/*
 * fuzz_family.c - libFuzzer target for core/conf.h and ingest/family.h.
 *
 * Each input is parsed as a conf text in memory (ctg_conf_parse), then
 * written as the only .family file of a folder created once per process and
 * loaded with ctg_families_load. A loaded family is then matched against a
 * header made of the input's own conf values, and its column rules expanded
 * on it. Checks: statuses are CTG_OK, CTG_ERR_SCHEMA (with a line no larger
 * than the file's) or CTG_ERR_NOMEM; nothing crashes or leaks.
 *
 * Schema files are written by the people who maintain ctgdiag, not by its
 * users, so this target matters less than fuzz_reader; glibc's regcomp may
 * be slow on adversarial patterns (long repetition counts), which is why
 * patterns with '{' counts above 2 digits are skipped before loading.
 */
#define _GNU_SOURCE 1
#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/conf.h"
#include "core/error.h"
#include "ingest/family.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char g_dir[256];
static char g_file[300];

#define CHECK(cond)                                                                            \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "fuzz_family: check failed at %s:%d: %s\n", __FILE__, __LINE__,   \
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
    snprintf(g_dir, sizeof g_dir, "%s/fuzz_family_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("fuzz_family: mkdtemp");
        abort();
    }
    snprintf(g_file, sizeof g_file, "%s/f.family", g_dir);
    atexit(cleanup);
    return 0;
}

/* Regex repetition counts of 3 digits or more make glibc's regcomp slow or
 * huge: not what this target looks for. */
static int has_big_repetition(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i + 3 < size; i++)
        if (data[i] == '{' && data[i + 1] >= '0' && data[i + 1] <= '9' && data[i + 2] >= '0' &&
            data[i + 2] <= '9' && (data[i + 3] >= '0' && data[i + 3] <= '9'))
            return 1;
    /* many nested repetitions multiply too */
    size_t braces = 0;
    for (size_t i = 0; i < size; i++)
        braces += data[i] == '{';
    return braces > 8;
}

static long count_lines(const uint8_t *data, size_t size)
{
    long n = 1;
    for (size_t i = 0; i < size; i++)
        n += data[i] == '\n';
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_dir[0])
        LLVMFuzzerInitialize(NULL, NULL);
    if (size > 16384 || has_big_repetition(data, size))
        return -1; /* not added to the corpus */
    long nlines = count_lines(data, size);

    /* 1. the conf syntax, in memory */
    ctg_conf *conf = NULL;
    ctg_error err;
    ctg_error_clear(&err);
    ctg_status st = ctg_conf_parse("fuzz.conf", (const char *)data, size, &conf, &err);
    CHECK(st == CTG_OK || st == CTG_ERR_SCHEMA || st == CTG_ERR_NOMEM);
    const char *header[64];
    size_t nheader = 0;
    if (st == CTG_OK) {
        CHECK(conf != NULL);
        for (size_t i = 0; i < ctg_conf_count(conf); i++) {
            const ctg_conf_entry *e = ctg_conf_entry_at(conf, i);
            CHECK(e && e->key && e->value && e->section);
            CHECK(e->line >= 1 && e->line <= nlines);
        }
        CHECK(ctg_conf_entry_at(conf, ctg_conf_count(conf)) == NULL);
    } else {
        CHECK(conf == NULL);
        CHECK(err.line >= 0 && err.line <= nlines);
    }

    /* 2. the same bytes as a family file */
    FILE *f = fopen(g_file, "wb");
    CHECK(f != NULL);
    CHECK(fwrite(data, 1, size, f) == size);
    CHECK(fclose(f) == 0);
    ctg_families *fams = NULL;
    ctg_error_clear(&err);
    st = ctg_families_load(g_dir, &fams, &err);
    CHECK(st == CTG_OK || st == CTG_ERR_SCHEMA || st == CTG_ERR_NOMEM);
    if (st != CTG_OK) {
        CHECK(fams == NULL);
        CHECK(err.line >= 0 && err.line <= nlines);
    } else {
        CHECK(conf != NULL);
        CHECK(ctg_families_count(fams) == 1);
        const ctg_family *fam = ctg_families_at(fams, 0);
        CHECK(fam->id && fam->label && fam->producer && fam->nrequire > 0);
        CHECK(ctg_families_find(fams, fam->id) == fam);
        CHECK(ctg_target_name(fam->target)[0] != '?');
        /* a header made of the conf's values */
        for (size_t i = 0; i < ctg_conf_count(conf) && nheader < 64; i++)
            header[nheader++] = ctg_conf_entry_at(conf, i)->value;
        (void)ctg_family_matches(fam, header, nheader);
        for (size_t c = 0; c < fam->ncolumns; c++) {
            CHECK(ctg_kind_name(fam->columns[c].kind)[0] != '?');
            for (size_t i = 0; i < nheader; i++) {
                regmatch_t m[10];
                if (regexec(&fam->columns[c].re, header[i], 10, m, 0) != 0)
                    continue;
                char out[64];
                ctg_template_expand(fam->columns[c].variable, header[i], m, out, sizeof out);
                CHECK(strlen(out) < sizeof out);
                ctg_template_expand(fam->columns[c].period, header[i], m, out, sizeof out);
            }
        }
    }
    ctg_families_free(fams);
    ctg_conf_free(conf);
    return 0;
}
