/*
 * testutil.h - the scratch folder of a cmocka test group: created by its
 * setup with testutil_scratch(), removed with everything below it by
 * testutil_teardown(). Header-only (each tests/unit/test_*.c is its own
 * executable); include after <cmocka.h> and the system headers below.
 */
#ifndef CTG_TESTUTIL_H
#define CTG_TESTUTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char g_dir[256]; /* the group's scratch folder */

/* Removes a folder and everything below it. */
static inline void testutil_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (d) {
        struct dirent *de;
        while ((de = readdir(d)) != NULL) {
            if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
                continue;
            char sub[4096];
            int n = snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
            if (n < 0 || (size_t)n >= sizeof sub)
                continue; /* cannot be ours: the scratch paths are short */
            struct stat sb;
            if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
                testutil_remove_tree(sub);
            else
                unlink(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

/* Creates g_dir as /tmp/ctg_test_NAME_XXXXXX; 0 on success (a cmocka setup). */
static inline int testutil_scratch(const char *name)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/ctg_test_%s_XXXXXX", name);
    return mkdtemp(g_dir) ? 0 : -1;
}

/* A cmocka group teardown: removes g_dir. */
static inline int testutil_teardown(void **state)
{
    (void)state;
    testutil_remove_tree(g_dir);
    return 0;
}

#endif
