/* test_display.c - how a value is printed in the PDF reports: French
 * number format with the unit's decimals (compute/results.h,
 * ctg_value_display and ctg_value_display_unit): "59,6 %" with U+202F,
 * "16 080 habitants" with U+202F between thousands and U+00A0 before the
 * word, the marks of approximate, partial and weak values, secret and n.d. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "compute/results.h"
#include "core/number.h"

#define NBSP "\xC2\xA0"

static ctg_value make(double value, const char *status, const char *flags)
{
    ctg_value v;
    memset(&v, 0, sizeof v);
    v.value = value;
    snprintf(v.status, sizeof v.status, "%s", status);
    snprintf(v.flags, sizeof v.flags, "%s", flags);
    v.coverage = NAN;
    v.low = v.high = NAN;
    return v;
}

static void assert_shown(double value, const char *status, const char *flags, const char *unit,
                         const char *want)
{
    ctg_value v = make(value, status, flags);
    char buf[128];
    ctg_value_display_unit(&v, 1, unit, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void test_decimals_of_units(void **state)
{
    (void)state;
    assert_int_equal(ctg_unit_decimals("%"), 1);
    assert_int_equal(ctg_unit_decimals("‰"), 1);
    assert_int_equal(ctg_unit_decimals("% par an"), 2);
    assert_int_equal(ctg_unit_decimals("personnes par ménage"), 2);
    assert_int_equal(ctg_unit_decimals("logements par an"), 1);
    assert_int_equal(ctg_unit_decimals("habitants"), 0);
    assert_int_equal(ctg_unit_decimals("euros"), 0);
}

static void test_the_issues_examples(void **state)
{
    (void)state;
    /* "59,6 %" and "16 080": the render issue's examples */
    assert_shown(59.63, "ok", "", "%", "59,6" CTG_NNBSP "%");
    assert_shown(16080, "ok", "", "habitants", "16" CTG_NNBSP "080" NBSP "habitants");
    assert_shown(52.1, "ok", "", "%", "52,1" CTG_NNBSP "%");
    assert_shown(10.8017, "ok", "", "‰", "10,8" CTG_NNBSP "‰");
    assert_shown(0.4804, "ok", "", "% par an", "0,48" CTG_NNBSP "% par an");
    assert_shown(2.2449, "ok", "", "personnes par ménage", "2,24" NBSP "personnes par ménage");
    assert_shown(21340.4, "rounded", "", "euros", "21" CTG_NNBSP "340" NBSP "euros");
    assert_shown(-1.25, "ok", "", "% par an", "-1,25" CTG_NNBSP "% par an");
    assert_shown(12, "ok", "", "", "12");
}

static void test_marks(void **state)
{
    (void)state;
    assert_shown(59.63, "approx", "", "%", "~59,6" CTG_NNBSP "%");
    assert_shown(59.63, "ok", "approx", "%", "~59,6" CTG_NNBSP "%");
    assert_shown(59.63, "partial", "", "%", "59,6*" CTG_NNBSP "%");
    assert_shown(59.63, "partial", "approx,caution", "%", "~59,6*!" CTG_NNBSP "%");
    assert_shown(150, "ok", "small", "enfants", "150!" NBSP "enfants");
    assert_shown(150, "ok", "rounded", "enfants", "150" NBSP "enfants");
}

static void test_secret_and_missing(void **state)
{
    (void)state;
    assert_shown(NAN, "secret", "", "%", "secret");
    assert_shown(NAN, "missing", "", "%", "n.d.");
    ctg_value v = make(3, "ok", "");
    char buf[32];
    ctg_value_display_unit(&v, 0, "%", buf, sizeof buf); /* not computed */
    assert_string_equal(buf, "n.d.");
    /* a buffer too small is cut, never overrun */
    char tiny[4];
    v = make(16080, "ok", "");
    ctg_value_display_unit(&v, 1, "habitants", tiny, sizeof tiny);
    assert_int_equal(strlen(tiny), 3);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimals_of_units),
        cmocka_unit_test(test_the_issues_examples),
        cmocka_unit_test(test_marks),
        cmocka_unit_test(test_secret_and_missing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
