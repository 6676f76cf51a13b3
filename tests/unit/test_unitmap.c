/* test_unitmap.c - the map of the units seen in one file (ingest/load.h):
 * every key found again with what was recorded for it, through the growth of
 * its index, whatever the keys' lengths and shared prefixes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ingest/load.h"

/* The key of unit i, the way obs_sink builds them: level, code, period and
 * measure separated by 0x1F. */
static size_t key_of(long i, char *buf, size_t size)
{
    int n = snprintf(buf, size, "iris\x1f%09ld\x1f%ld\x1f", i % 60000, 2012 + i / 60000);
    return (size_t)n;
}

static void test_keys_found_again_through_growth(void **state)
{
    (void)state;
    enum { UNITS = 200000 }; /* the index doubles from 1,024 slots to 262,144 */
    ctg_unitmap *m = ctg_unitmap_new();
    assert_non_null(m);
    char key[64];
    for (long i = 0; i < UNITS; i++) {
        int is_new = -1;
        ctg_unit_seen *s = ctg_unitmap_get(m, key, key_of(i, key, sizeof key), &is_new);
        assert_non_null(s);
        assert_int_equal(is_new, 1);
        assert_int_equal(s->line, 0); /* a new unit starts zeroed */
        assert_int_equal(s->rowid, 0);
        s->line = i + 2;
        s->rowid = 1000 + i;
    }
    for (long i = UNITS - 1; i >= 0; i--) {
        int is_new = -1;
        ctg_unit_seen *s = ctg_unitmap_get(m, key, key_of(i, key, sizeof key), &is_new);
        assert_non_null(s);
        assert_int_equal(is_new, 0);
        assert_int_equal(s->line, i + 2);
        assert_int_equal(s->rowid, 1000 + i);
    }
    ctg_unitmap_free(m);
}

/* A map emptied for the next file (ctg_unitmap_clear, kept by the ingest
 * scratch): every key of the first file is new again and starts zeroed, a
 * smaller second file is found again, and a larger one grows the index
 * further. */
static void test_cleared_map_starts_empty(void **state)
{
    (void)state;
    ctg_unitmap *m = ctg_unitmap_new();
    assert_non_null(m);
    char key[64];
    static const long sizes[] = {50000, 3000, 120000};
    for (size_t f = 0; f < 3; f++) {
        for (long i = 0; i < sizes[f]; i++) {
            int is_new = -1;
            ctg_unit_seen *s = ctg_unitmap_get(m, key, key_of(i, key, sizeof key), &is_new);
            assert_non_null(s);
            assert_int_equal(is_new, 1);
            assert_int_equal(s->line, 0);
            assert_int_equal(s->rowid, 0);
            assert_int_equal(s->conflicted, 0);
            s->line = i + 2;
            s->rowid = (long)f * 1000000 + i;
            s->conflicted = 1;
        }
        for (long i = 0; i < sizes[f]; i += 7) {
            int is_new = -1;
            ctg_unit_seen *s = ctg_unitmap_get(m, key, key_of(i, key, sizeof key), &is_new);
            assert_int_equal(is_new, 0);
            assert_int_equal(s->rowid, (long)f * 1000000 + i);
        }
        ctg_unitmap_clear(m);
    }
    ctg_unitmap_free(m);
}

/* Keys that are prefixes of one another, the empty key, keys of 7, 8, 9 and
 * 16 bytes (the hash reads 8 bytes a step) and keys that differ only in
 * their last byte are all different units. */
static void test_close_keys_are_different_units(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "",         "c",         "commune",   "commune\x1f", "commune\x1f" "8",
        "commune\x1f" "81099",   "commune\x1f" "81098",      "commune\x1f" "81099\x1f",
        "12345678", "123456789", "1234567812345678",         "1234567812345679"};
    size_t n = sizeof keys / sizeof keys[0];
    ctg_unitmap *m = ctg_unitmap_new();
    assert_non_null(m);
    for (size_t i = 0; i < n; i++) {
        int is_new = -1;
        ctg_unit_seen *s = ctg_unitmap_get(m, keys[i], strlen(keys[i]), &is_new);
        assert_non_null(s);
        assert_int_equal(is_new, 1);
        s->line = (long)i + 1;
    }
    for (size_t i = 0; i < n; i++) {
        int is_new = -1;
        ctg_unit_seen *s = ctg_unitmap_get(m, keys[i], strlen(keys[i]), &is_new);
        assert_int_equal(is_new, 0);
        assert_int_equal(s->line, (long)i + 1);
    }
    /* a key with a NUL inside is its bytes, not a C string */
    int is_new = -1;
    ctg_unit_seen *s = ctg_unitmap_get(m, "commune\0x", 9, &is_new);
    assert_int_equal(is_new, 1);
    assert_int_equal(s->line, 0);
    ctg_unitmap_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_found_again_through_growth),
        cmocka_unit_test(test_close_keys_are_different_units),
        cmocka_unit_test(test_cleared_map_starts_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
