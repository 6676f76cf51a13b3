/* test_buf.c - core/buf.h: ctg_grow, the growable array of any type. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "core/buf.h"

typedef struct pair {
    long a;
    double b;
} pair;

/* Room appears only when full: `first` items, then doubling; the items
 * already there are kept. */
static void test_grow_doubles_when_full(void **state)
{
    (void)state;
    pair *items = NULL;
    size_t n = 0, cap = 0;
    size_t caps_seen[8], ncaps = 0;
    for (long i = 0; i < 100; i++) {
        size_t before = cap;
        assert_int_equal(ctg_grow(&items, n, &cap, sizeof *items, 3), CTG_OK);
        assert_true(cap > n);
        if (cap != before) {
            assert_true(ncaps < 8);
            caps_seen[ncaps++] = cap;
        }
        items[n++] = (pair){i, i / 2.0};
    }
    /* 3, 6, 12, 24, 48, 96, then 192 for the 97th item */
    assert_int_equal(ncaps, 7);
    assert_int_equal(caps_seen[0], 3);
    assert_int_equal(caps_seen[1], 6);
    assert_int_equal(caps_seen[5], 96);
    assert_int_equal(caps_seen[6], 192);
    for (long i = 0; i < 100; i++) {
        assert_int_equal(items[i].a, i);
        assert_true(items[i].b == i / 2.0);
    }
    free(items);
}

/* A size that would overflow: CTG_ERR_NOMEM, nothing changed. */
static void test_grow_overflow(void **state)
{
    (void)state;
    char *items = NULL;
    size_t cap = ((size_t)-1) / 4 + 1;
    char *before = items;
    assert_int_equal(ctg_grow(&items, cap, &cap, 4, 8), CTG_ERR_NOMEM);
    assert_ptr_equal(items, before);
    assert_int_equal(cap, ((size_t)-1) / 4 + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grow_doubles_when_full),
        cmocka_unit_test(test_grow_overflow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
