/* test_geocode.c - levels, code normalisation, arrondissements municipaux. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/geocode.h"

/* Asserts that `in` normalises at level to want. */
static void assert_code(ctg_level level, const char *in, const char *want)
{
    char out[CTG_CODE_MAX];
    int ok = ctg_code_normalise(level, in, strlen(in), out);
    if (!ok)
        print_error("level %s, input \"%s\": rejected\n", ctg_level_name(level), in);
    assert_int_equal(ok, 1);
    assert_string_equal(out, want);
}

/* Asserts that `in` is not a code of level. */
static void assert_not_code(ctg_level level, const char *in)
{
    char out[CTG_CODE_MAX];
    int ok = ctg_code_normalise(level, in, strlen(in), out);
    if (ok)
        print_error("level %s, input \"%s\": accepted as \"%s\"\n", ctg_level_name(level), in,
                    out);
    assert_int_equal(ok, 0);
}

static void test_level_names(void **state)
{
    (void)state;
    static const char *const names[] = {"commune", "arm", "iris", "epci",
                                        "dep",     "reg", "fr",   "pseudo"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        ctg_level level = ctg_level_parse(names[i]);
        assert_int_not_equal(level, CTG_LEVEL_NONE);
        assert_string_equal(ctg_level_name(level), names[i]);
    }
    assert_int_equal(ctg_level_parse("COMMUNE"), CTG_LEVEL_COMMUNE);
    assert_int_equal(ctg_level_parse("Iris"), CTG_LEVEL_IRIS);
    assert_int_equal(ctg_level_parse("FR"), CTG_LEVEL_FR);
    assert_int_equal(ctg_level_parse("canton"), CTG_LEVEL_NONE);
    assert_int_equal(ctg_level_parse("none"), CTG_LEVEL_NONE);
    assert_int_equal(ctg_level_parse(""), CTG_LEVEL_NONE);
    assert_int_equal(ctg_level_parse("communes"), CTG_LEVEL_NONE);
    assert_string_equal(ctg_level_name(CTG_LEVEL_NONE), "none");
    assert_string_equal(ctg_level_name((ctg_level)42), "none");
}

static void test_padding(void **state)
{
    (void)state;
    assert_code(CTG_LEVEL_COMMUNE, "1001", "01001");
    assert_code(CTG_LEVEL_IRIS, "10040101", "010040101");
    assert_code(CTG_LEVEL_DEP, "1", "01");
    assert_code(CTG_LEVEL_REG, "6", "06");
    assert_code(CTG_LEVEL_EPCI, "200054781", "200054781");
    assert_code(CTG_LEVEL_EPCI, "54781", "000054781");
    assert_code(CTG_LEVEL_REG, "84", "84");
    assert_not_code(CTG_LEVEL_COMMUNE, "810991");
    assert_not_code(CTG_LEVEL_REG, "123");
    assert_not_code(CTG_LEVEL_EPCI, "1234567890");
}

static void test_commune_codes(void **state)
{
    (void)state;
    assert_code(CTG_LEVEL_COMMUNE, "81099", "81099");
    assert_code(CTG_LEVEL_COMMUNE, "2a004", "2A004");
    assert_code(CTG_LEVEL_COMMUNE, "2B033", "2B033");
    assert_code(CTG_LEVEL_COMMUNE, "97101", "97101");
    assert_code(CTG_LEVEL_COMMUNE, "97611", "97611");
    assert_code(CTG_LEVEL_COMMUNE, "75101", "75101"); /* an ARM has the commune shape */
    assert_not_code(CTG_LEVEL_COMMUNE, "8109A");
    assert_not_code(CTG_LEVEL_COMMUNE, "2C004");
    assert_not_code(CTG_LEVEL_COMMUNE, "2A04");
    assert_not_code(CTG_LEVEL_COMMUNE, "97801");
    assert_not_code(CTG_LEVEL_COMMUNE, "99999");
    assert_not_code(CTG_LEVEL_COMMUNE, "XXXXX");
    assert_not_code(CTG_LEVEL_COMMUNE, "");
    assert_not_code(CTG_LEVEL_COMMUNE, "   ");
    assert_not_code(CTG_LEVEL_COMMUNE, "-1001");
    assert_not_code(CTG_LEVEL_COMMUNE, "1001.0");
}

static void test_trimming(void **state)
{
    (void)state;
    assert_code(CTG_LEVEL_COMMUNE, "  81099 ", "81099");
    assert_code(CTG_LEVEL_COMMUNE, "\"81099\"", "81099");
    assert_code(CTG_LEVEL_COMMUNE, " \" 2a004\" ", "2A004");
    assert_code(CTG_LEVEL_COMMUNE, "'1001'", "01001");
    assert_code(CTG_LEVEL_DEP, "\"2b\"", "2B");
    /* a rejected code leaves the trimmed input in out */
    char out[CTG_CODE_MAX];
    assert_int_equal(ctg_code_normalise(CTG_LEVEL_COMMUNE, " 8109A ", 7, out), 0);
    assert_string_equal(out, "8109A");
    assert_int_equal(
        ctg_code_normalise(CTG_LEVEL_COMMUNE, "abcdefghijklmnopqrstuvwxyz", 26, out), 0);
    assert_string_equal(out, "abcdefghijklmno");
    /* the length is honoured: no NUL needed */
    assert_int_equal(ctg_code_normalise(CTG_LEVEL_COMMUNE, "81099;Albi", 5, out), 1);
    assert_string_equal(out, "81099");
}

static void test_departements(void **state)
{
    (void)state;
    assert_code(CTG_LEVEL_DEP, "81", "81");
    assert_code(CTG_LEVEL_DEP, "2A", "2A");
    assert_code(CTG_LEVEL_DEP, "2a", "2A");
    assert_code(CTG_LEVEL_DEP, "971", "971");
    assert_code(CTG_LEVEL_DEP, "976", "976");
    assert_code(CTG_LEVEL_DEP, "95", "95");
    assert_not_code(CTG_LEVEL_DEP, "97");
    assert_not_code(CTG_LEVEL_DEP, "977");
    assert_not_code(CTG_LEVEL_DEP, "20");
    assert_not_code(CTG_LEVEL_DEP, "00");
    assert_not_code(CTG_LEVEL_DEP, "0");
    assert_not_code(CTG_LEVEL_DEP, "2C");
    assert_not_code(CTG_LEVEL_DEP, "081");
    assert_not_code(CTG_LEVEL_DEP, "AB");
}

static void test_iris_epci_reg_fr(void **state)
{
    (void)state;
    assert_code(CTG_LEVEL_IRIS, "751010101", "751010101");
    assert_code(CTG_LEVEL_IRIS, "2A0040000", "2A0040000");
    assert_code(CTG_LEVEL_IRIS, "2a0040000", "2A0040000");
    assert_code(CTG_LEVEL_IRIS, "971010105", "971010105");
    assert_not_code(CTG_LEVEL_IRIS, "2A004000");
    assert_not_code(CTG_LEVEL_IRIS, "7510101O1");
    assert_not_code(CTG_LEVEL_IRIS, "ZZZZZZZZZ");
    assert_not_code(CTG_LEVEL_EPCI, "ZZZZZZZZZ");
    assert_not_code(CTG_LEVEL_EPCI, "20005478A");
    assert_not_code(CTG_LEVEL_REG, "R6");
    assert_code(CTG_LEVEL_FR, "FR", "FR");
    assert_code(CTG_LEVEL_FR, "fr", "FR");
    assert_code(CTG_LEVEL_FR, " \"FR\" ", "FR");
    assert_not_code(CTG_LEVEL_FR, "Fr");
    assert_not_code(CTG_LEVEL_FR, "France");
    assert_not_code(CTG_LEVEL_NONE, "81099");
    char out[CTG_CODE_MAX];
    assert_int_equal(ctg_code_normalise(CTG_LEVEL_PSEUDO, " 99999 ", 7, out), 1);
    assert_string_equal(out, "99999");
}

static void test_arrondissements(void **state)
{
    (void)state;
    assert_true(ctg_code_is_arm("75101"));
    assert_string_equal(ctg_arm_parent("75101"), "75056");
    assert_string_equal(ctg_arm_parent("75120"), "75056");
    assert_false(ctg_code_is_arm("75100"));
    assert_null(ctg_arm_parent("75100"));
    assert_false(ctg_code_is_arm("75121"));
    assert_true(ctg_code_is_arm("69381"));
    assert_true(ctg_code_is_arm("69389"));
    assert_string_equal(ctg_arm_parent("69389"), "69123");
    assert_false(ctg_code_is_arm("69380"));
    assert_false(ctg_code_is_arm("69390"));
    assert_true(ctg_code_is_arm("13201"));
    assert_true(ctg_code_is_arm("13216"));
    assert_string_equal(ctg_arm_parent("13216"), "13055");
    assert_false(ctg_code_is_arm("13217"));
    assert_false(ctg_code_is_arm("13200"));
    assert_false(ctg_code_is_arm("75056"));
    assert_false(ctg_code_is_arm("751010"));
    assert_false(ctg_code_is_arm(NULL));
    int count = 0;
    for (int i = 0; i < 100000; i++) {
        char code[8];
        code[0] = (char)('0' + i / 10000);
        code[1] = (char)('0' + i / 1000 % 10);
        code[2] = (char)('0' + i / 100 % 10);
        code[3] = (char)('0' + i / 10 % 10);
        code[4] = (char)('0' + i % 10);
        code[5] = '\0';
        count += ctg_code_is_arm(code);
    }
    assert_int_equal(count, 45);
    assert_code(CTG_LEVEL_ARM, "75101", "75101");
    assert_code(CTG_LEVEL_ARM, " 13216 ", "13216");
    assert_not_code(CTG_LEVEL_ARM, "75100");
    assert_not_code(CTG_LEVEL_ARM, "13217");
    assert_not_code(CTG_LEVEL_ARM, "75056");
}

static void test_plm(void **state)
{
    (void)state;
    assert_true(ctg_code_is_plm("75056"));
    assert_true(ctg_code_is_plm("69123"));
    assert_true(ctg_code_is_plm("13055"));
    assert_false(ctg_code_is_plm("75101"));
    assert_false(ctg_code_is_plm("81099"));
    assert_false(ctg_code_is_plm(""));
}

/* Asserts ctg_code_dep(code) == want (NULL: no département). */
static void assert_dep(const char *code, const char *want)
{
    char dep[4];
    int ok = ctg_code_dep(code, dep);
    if (!want) {
        assert_int_equal(ok, 0);
        return;
    }
    assert_int_equal(ok, 1);
    assert_string_equal(dep, want);
}

static void test_code_dep(void **state)
{
    (void)state;
    assert_dep("81099", "81");
    assert_dep("2A004", "2A");
    assert_dep("2B033", "2B");
    assert_dep("97101", "971");
    assert_dep("97611", "976");
    assert_dep("75101", "75");
    assert_dep("01001", "01");
    assert_dep("751010101", "75");
    assert_dep("2A0040000", "2A");
    assert_dep("971010105", "971");
    assert_dep("99999", NULL);
    assert_dep("97801", NULL);
    assert_dep("FR", NULL);
    assert_dep("", NULL);
    assert_dep("8109", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_names),
        cmocka_unit_test(test_padding),
        cmocka_unit_test(test_commune_codes),
        cmocka_unit_test(test_trimming),
        cmocka_unit_test(test_departements),
        cmocka_unit_test(test_iris_epci_reg_fr),
        cmocka_unit_test(test_arrondissements),
        cmocka_unit_test(test_plm),
        cmocka_unit_test(test_code_dep),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
