/* test_number.c - French/English number parsing and shortest round-trip output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/number.h"

/* Parses a NUL-terminated text with the given file mark (updated). */
static ctg_num_result parse(const char *s, char *mark, double *v, int *flags)
{
    return ctg_parse_number(s, strlen(s), mark, v, flags);
}

/* Asserts that s parses to exactly want, starting from mark `before` and
 * leaving mark `after`. */
static void assert_parses(const char *s, char before, double want, char after)
{
    char mark = before;
    double v = -1.0;
    int flags = -1;
    ctg_num_result r = parse(s, &mark, &v, &flags);
    if (r != CTG_NUM_OK || v != want || mark != after)
        print_error("input \"%s\": result %d value %.17g mark '%c'\n", s, (int)r, v,
                    mark ? mark : '0');
    assert_int_equal(r, CTG_NUM_OK);
    assert_true(v == want);
    assert_int_equal(mark, after);
    assert_int_equal(flags, 0);
}

/* Asserts that s gives result want and leaves the mark unchanged. */
static void assert_result(const char *s, char before, ctg_num_result want)
{
    char mark = before;
    double v = -1.0;
    ctg_num_result r = parse(s, &mark, &v, NULL);
    if (r != want)
        print_error("input \"%s\": result %d, expected %d\n", s, (int)r, (int)want);
    assert_int_equal(r, want);
    assert_int_equal(mark, before);
}

static void test_plain_values(void **state)
{
    (void)state;
    assert_parses("353.730434782608", 0, 353.730434782608, '.');
    assert_parses("353.730434782608", '.', 353.730434782608, '.');
    assert_parses("0", 0, 0.0, 0);
    assert_parses("42", ',', 42.0, ',');
    assert_parses("+5", 0, 5.0, 0);
    assert_parses("-14,5", 0, -14.5, ',');
    assert_parses("  12,25\t", 0, 12.25, ',');
    assert_parses("007", 0, 7.0, 0);
    assert_parses("0,001", 0, 0.001, ',');
}

static void test_thousands_separators(void **state)
{
    (void)state;
    assert_parses("4\xC2\xA0" "516\xC2\xA0" "797", 0, 4516797.0, 0);
    assert_parses("75\xE2\x80\xAF" "020", 0, 75020.0, 0);
    assert_parses("1 234,5", 0, 1234.5, ',');
    assert_parses("-1 234 567,125", ',', -1234567.125, ',');
    assert_parses("1 234.5", 0, 1234.5, '.');
    assert_result("12 34", 0, CTG_NUM_INVALID);
    assert_result("1 2345", 0, CTG_NUM_INVALID);
    assert_result("1234 567", 0, CTG_NUM_INVALID);
    assert_result("1  234", 0, CTG_NUM_INVALID);
    assert_result(" 234,5 6", 0, CTG_NUM_INVALID);
    assert_result("1,234 5", 0, CTG_NUM_INVALID);
    assert_result("- 5", 0, CTG_NUM_INVALID);
    assert_result("1\xC2", 0, CTG_NUM_INVALID);
}

static void test_percent(void **state)
{
    (void)state;
    static const char *const texts[] = {"5,91%", "5,91 %", "5,91\xC2\xA0%", "5,91\xE2\x80\xAF%",
                                        " 5,91% "};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        char mark = 0;
        double v = 0.0;
        int flags = 0;
        assert_int_equal(parse(texts[i], &mark, &v, &flags), CTG_NUM_OK);
        assert_true(v == 5.91);
        assert_int_equal(flags, CTG_NUM_PERCENT);
        assert_int_equal(mark, ',');
    }
    char mark = 0;
    double v = 0.0;
    assert_int_equal(parse("100%", &mark, &v, NULL), CTG_NUM_OK);
    assert_true(v == 100.0);
    assert_result("%", 0, CTG_NUM_INVALID);
    assert_result("5  %", 0, CTG_NUM_INVALID);
    assert_result("5%%", 0, CTG_NUM_INVALID);
    assert_result("%5", 0, CTG_NUM_INVALID);
}

static void test_decimal_mark_decision(void **state)
{
    (void)state;
    /* "1,234" is French for 1.234 when the file has not decided */
    assert_parses("1,234", 0, 1.234, ',');
    /* integers do not decide */
    assert_parses("1234", 0, 1234.0, 0);
    assert_parses("1 234", 0, 1234.0, 0);
    /* the other mark */
    assert_result("12,5", '.', CTG_NUM_OTHER_MARK);
    assert_result("12.5", ',', CTG_NUM_OTHER_MARK);
    assert_result("1,234", '.', CTG_NUM_OTHER_MARK);
    /* two marks */
    assert_result("1.234,5", 0, CTG_NUM_INVALID);
    assert_result("1.234,5", ',', CTG_NUM_INVALID);
    assert_result("1,2,3", 0, CTG_NUM_INVALID);
    assert_result("1.2.3", 0, CTG_NUM_INVALID);
    assert_result("12.", 0, CTG_NUM_INVALID);
    assert_result("12,", 0, CTG_NUM_INVALID);
}

static void test_exponent(void **state)
{
    (void)state;
    /* an exponent alone decides no mark; the mantissa's mark does */
    assert_parses("1e3", 0, 1000.0, 0);
    assert_parses("1E3", '.', 1000.0, '.');
    assert_parses("1E3", ',', 1000.0, ',');
    assert_parses("1,5E3", 0, 1500.0, ',');
    assert_parses("1,5E3", ',', 1500.0, ',');
    assert_parses("2.5e-3", 0, 0.0025, '.');
    assert_parses("-1.5E+2", 0, -150.0, '.');
    assert_parses("1e22", 0, 1e22, 0);
    assert_parses("1e23", 0, 1e23, 0);
    assert_parses("123456789e-22", 0, 123456789e-22, 0);
    assert_parses("1e-400", 0, 0.0, 0);
    assert_result("1.5e3", ',', CTG_NUM_OTHER_MARK);
    assert_result("1,5e3", '.', CTG_NUM_OTHER_MARK);
    assert_result("1e", 0, CTG_NUM_INVALID);
    assert_result("1e+", 0, CTG_NUM_INVALID);
    assert_result("e5", 0, CTG_NUM_INVALID);
    assert_result("1e400", 0, CTG_NUM_INVALID);
    assert_result("-1e400", 0, CTG_NUM_INVALID);
    assert_result("1e99999999999999999999", 0, CTG_NUM_INVALID);
}

static void test_not_numbers(void **state)
{
    (void)state;
    assert_result("", 0, CTG_NUM_EMPTY);
    assert_result("  ", 0, CTG_NUM_EMPTY);
    assert_result(" \t ", ',', CTG_NUM_EMPTY);
    assert_result("abc", 0, CTG_NUM_INVALID);
    assert_result("12abc", 0, CTG_NUM_INVALID);
    assert_result("inf", 0, CTG_NUM_INVALID);
    assert_result("nan", 0, CTG_NUM_INVALID);
    assert_result("0x10", 0, CTG_NUM_INVALID);
    assert_result("-", 0, CTG_NUM_INVALID);
    assert_result("+-5", 0, CTG_NUM_INVALID);
    assert_result(".", 0, CTG_NUM_INVALID);
    assert_result("secret", 0, CTG_NUM_INVALID);
    double v;
    assert_int_equal(ctg_parse_number(NULL, 0, NULL, &v, NULL), CTG_NUM_EMPTY);
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    char mark = 0;
    double v = 0.0;
    assert_int_equal(ctg_parse_number("12345", 3, &mark, &v, NULL), CTG_NUM_OK);
    assert_true(v == 123.0);
    assert_int_equal(ctg_parse_number("2,5;x", 3, &mark, &v, NULL), CTG_NUM_OK);
    assert_true(v == 2.5);
    assert_int_equal(mark, ',');
}

static void test_negative_zero(void **state)
{
    (void)state;
    char mark = 0;
    double v = 1.0;
    assert_int_equal(parse("-0", &mark, &v, NULL), CTG_NUM_OK);
    assert_true(v == 0.0);
    assert_false(signbit(v));
    assert_int_equal(parse("-0,000", &mark, &v, NULL), CTG_NUM_OK);
    assert_false(signbit(v));
}

/* Values beyond Clinger's fast path go through strtod. */
static void test_slow_path(void **state)
{
    (void)state;
    assert_parses("12345678901234567", 0, 12345678901234567.0, 0);
    assert_parses("9007199254740993", 0, 9007199254740992.0, 0);
    assert_parses("9007199254740995", 0, 9007199254740996.0, 0);
    assert_parses("0.30000000000000004", 0, 0.30000000000000004, '.');
    assert_parses("0,12345678901234567", 0, 0.12345678901234567, ',');
    assert_parses("98765432109876543.21", 0, 98765432109876543.21, '.');
    assert_parses("2.2250738585072014e-308", 0, 2.2250738585072014e-308, '.');
    assert_parses("4.9e-324", 0, 4.9e-324, '.');
    assert_parses("1.7976931348623157e308", 0, 1.7976931348623157e308, '.');
    assert_parses("123456789012345678901234567890", 0, 123456789012345678901234567890.0, 0);
}

/* Texts longer than the parser's stack buffer. */
static void test_long_texts(void **state)
{
    (void)state;
    char text[300];
    strcpy(text, "0,");
    memset(text + 2, '0', 200);
    strcpy(text + 202, "1");
    assert_parses(text, 0, 1e-201, ',');
    text[0] = '1';
    memset(text + 1, '0', 150);
    text[151] = '\0';
    assert_parses(text, 0, 1e150, 0);
    text[151] = 'x';
    text[152] = '\0';
    assert_result(text, 0, CTG_NUM_INVALID);
}

/* A small xorshift generator, state owned by the caller. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Writes a random decimal of 1..17 digits with mark '.' into dot, the same
 * with mark ',' into comma; returns 1 when it has a fractional part. */
static int random_decimal(uint64_t *rng, char dot[64], char comma[64])
{
    int digits = 1 + (int)(next_random(rng) % 17);
    int int_digits = (int)(next_random(rng) % (uint64_t)(digits + 1));
    if (int_digits == 0)
        int_digits = 1;
    size_t k = 0;
    if (next_random(rng) % 3 == 0)
        dot[k++] = '-';
    for (int i = 0; i < digits; i++) {
        if (i == int_digits)
            dot[k++] = '.';
        dot[k++] = (char)('0' + next_random(rng) % 10);
    }
    dot[k] = '\0';
    memcpy(comma, dot, k + 1);
    char *point = strchr(comma, '.');
    if (point)
        *point = ',';
    return point != NULL;
}

static void test_random_round_trips(void **state)
{
    (void)state;
    uint64_t rng = UINT64_C(0x9E3779B97F4A7C15);
    for (int i = 0; i < 5000; i++) {
        char dot[64], comma[64];
        int has_fraction = random_decimal(&rng, dot, comma);
        double want = strtod(dot, NULL);
        char mark = '.';
        double v = 0.0;
        assert_int_equal(parse(dot, &mark, &v, NULL), CTG_NUM_OK);
        if (v != want)
            print_error("\"%s\": %.17g, strtod %.17g\n", dot, v, want);
        assert_true(v == want);
        mark = 0;
        assert_int_equal(parse(comma, &mark, &v, NULL), CTG_NUM_OK);
        assert_true(v == want);
        assert_int_equal(mark, has_fraction ? ',' : 0);
    }
}

static void test_random_exponents(void **state)
{
    (void)state;
    uint64_t rng = UINT64_C(0x243F6A8885A308D3);
    for (int i = 0; i < 3000; i++) {
        char dot[64], comma[64];
        random_decimal(&rng, dot, comma);
        int e = (int)(next_random(&rng) % 61) - 30;
        char text[96];
        snprintf(text, sizeof text, "%se%d", dot, e);
        double want = strtod(text, NULL);
        char mark = 0;
        double v = 0.0;
        assert_int_equal(parse(text, &mark, &v, NULL), CTG_NUM_OK);
        if (v != want)
            print_error("\"%s\": %.17g, strtod %.17g\n", text, v, want);
        assert_true(v == want);
        assert_int_equal(mark, strchr(dot, '.') ? '.' : 0);
    }
}

/* Asserts that ctg_parse_number and ctg_parse_number_general agree on
 * s[0..n) from the file mark `mark`: result, value to the bit, mark, flags. */
static void assert_paths_agree(const char *s, size_t n, char mark)
{
    char mark_a = mark, mark_b = mark;
    double a = -1.0, b = -1.0;
    int flags_a = -1, flags_b = -1;
    ctg_num_result ra = ctg_parse_number(s, n, &mark_a, &a, &flags_a);
    ctg_num_result rb = ctg_parse_number_general(s, n, &mark_b, &b, &flags_b);
    if (ra != rb || memcmp(&a, &b, sizeof a) != 0 || mark_a != mark_b || flags_a != flags_b)
        print_error("\"%.*s\" mark '%c': %d %.17g '%c' against %d %.17g '%c'\n", (int)n, s,
                    mark ? mark : '0', (int)ra, a, mark_a ? mark_a : '0', (int)rb, b,
                    mark_b ? mark_b : '0');
    assert_int_equal(ra, rb);
    assert_memory_equal(&a, &b, sizeof a);
    assert_int_equal(mark_a, mark_b);
    assert_int_equal(flags_a, flags_b);
}

/* The shortcut for plain numbers gives what the general scanner gives, on
 * its edges (19 and 20 digits, 2^53, marks, signs, zeros) and on random
 * texts over the characters numbers are made of. */
static void test_plain_shortcut_agrees(void **state)
{
    (void)state;
    static const char *const edges[] = {
        "0", "-0", "00", "-0.000", "0,0", "7", "-7", "+7", "12.", ".5", "-.5", "1.2.3",
        "1,2", "1.5,", "9007199254740992", "9007199254740993", "9007199254740991.5",
        "1234567890123456789", "12345678901234567890", "1.234567890123456789",
        "0.0000000000000000001", "0.00000000000000000001", "99999999.99999999999",
        "255.556225126651", "7.7149049094838", "12345678", "123456789", "1234567.8",
        "12345678.12345678", "-12345678.1234567", " 5", "5 ", "5%", "1 234", "1e3", "--1",
        "-", "", "1-", "0x10", "١٢"};
    static const char marks[] = {0, '.', ','};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        for (size_t m = 0; m < sizeof marks; m++)
            assert_paths_agree(edges[i], strlen(edges[i]), marks[m]);
    uint64_t rng = UINT64_C(0x13198A2E03707344);
    static const char alphabet[] = "0123456789012345678901234567890123456789.,-+ e%";
    for (int i = 0; i < 40000; i++) {
        char text[32];
        size_t n = (size_t)(next_random(&rng) % 24);
        for (size_t k = 0; k < n; k++)
            text[k] = alphabet[next_random(&rng) % (sizeof alphabet - 1)];
        assert_paths_agree(text, n, marks[i % 3]);
        char dot[64], comma[64];
        random_decimal(&rng, dot, comma);
        assert_paths_agree(dot, strlen(dot), marks[i % 3]);
        assert_paths_agree(comma, strlen(comma), marks[(i + 1) % 3]);
    }
}

/* Asserts the output of ctg_format_double and that it reads back exactly. */
static void assert_format(double v, const char *want)
{
    char buf[32];
    int len = ctg_format_double(v, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(len, (int)strlen(want));
    assert_true(strtod(buf, NULL) == v || v != v);
}

static void test_format_double(void **state)
{
    (void)state;
    assert_format(0.1, "0.1");
    assert_format(1e21, "1e+21");
    assert_format(120.5, "120.5");
    assert_format(3.0, "3");
    assert_format(-0.0, "0");
    assert_format(0.0, "0");
    assert_format(-2.5, "-2.5");
    assert_format(353.730434782608, "353.730434782608");
    assert_format(4516797.0, "4516797");
    assert_format(0.1 + 0.2, "0.30000000000000004");
    assert_format(1.0 / 3.0, "0.3333333333333333");
    assert_format(1e100, "1e+100");
    assert_format(5e-324, "4.94065645841247e-324");
    assert_format(-1.7976931348623157e308, "-1.7976931348623157e+308");
}

static void test_format_round_trips(void **state)
{
    (void)state;
    uint64_t rng = UINT64_C(0xB7E151628AED2A6A);
    for (int i = 0; i < 5000; i++) {
        uint64_t bits = next_random(&rng);
        double v;
        memcpy(&v, &bits, sizeof v);
        if (!isfinite(v))
            continue;
        char buf[32];
        int len = ctg_format_double(v, buf, sizeof buf);
        assert_true(len > 0 && len < 32);
        assert_true(strtod(buf, NULL) == v);
        assert_string_not_equal(buf, "-0");
        char mark = '.';
        double back = 0.0;
        assert_int_equal(parse(buf, &mark, &back, NULL), CTG_NUM_OK);
        assert_true(back == v || (v == 0.0 && back == 0.0));
    }
}

static void assert_fr(double v, int decimals, const char *want)
{
    char buf[64];
    int len = ctg_format_fr(v, decimals, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(len, (int)strlen(want));
}

static void test_format_fr(void **state)
{
    (void)state;
    /* the examples of the render issue: "59,6 %", "16 080" (U+202F) */
    assert_fr(59.63, 1, "59,6");
    assert_fr(16080, 0, "16" CTG_NNBSP "080");
    assert_fr(73912, 0, "73" CTG_NNBSP "912");
    assert_fr(999, 0, "999");
    assert_fr(1000, 0, "1" CTG_NNBSP "000");
    assert_fr(1234567.891, 2, "1" CTG_NNBSP "234" CTG_NNBSP "567,89");
    assert_fr(-1234.5, 1, "-1" CTG_NNBSP "234,5");
    assert_fr(0.25, 2, "0,25");
    assert_fr(7.5, 0, "8");          /* 7.5 is exact: printf rounds half to even -> 8 */
    assert_fr(0.125, 2, "0,12");     /* exact binary 0.125: half to even */
    assert_fr(-0.04, 1, "0,0");      /* no "-0,0" */
    assert_fr(-0.0, 0, "0");
    assert_fr(12, 3, "12,000");
    assert_fr(NAN, 1, "");
    assert_fr(INFINITY, 1, "");
    assert_fr(1, 10, "");            /* decimals out of range */
    /* truncation never cuts a U+202F in half */
    char small[4];
    ctg_format_fr(16080, 0, small, sizeof small);
    assert_string_equal(small, "16");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_values),
        cmocka_unit_test(test_thousands_separators),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_decimal_mark_decision),
        cmocka_unit_test(test_exponent),
        cmocka_unit_test(test_not_numbers),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_negative_zero),
        cmocka_unit_test(test_slow_path),
        cmocka_unit_test(test_long_texts),
        cmocka_unit_test(test_random_round_trips),
        cmocka_unit_test(test_random_exponents),
        cmocka_unit_test(test_plain_shortcut_agrees),
        cmocka_unit_test(test_format_double),
        cmocka_unit_test(test_format_round_trips),
        cmocka_unit_test(test_format_fr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
