/* test_text.c - UTF-8 validation, CP1252 conversion, BOM, mixed encodings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/text.h"

#define U8(s) ((const uint8_t *)(s))

/* ctg_utf8_check on a string literal (length without the NUL). */
static size_t check(const char *s)
{
    return ctg_utf8_check(U8(s), strlen(s));
}

static void test_utf8_ascii_and_empty(void **state)
{
    (void)state;
    assert_int_equal(ctg_utf8_check(NULL, 0), 0);
    assert_int_equal(check("hello"), 5);
    assert_int_equal(check("code_commune;libelle;valeur\n81099;Albi;12,5\n"), 44);
}

static void test_utf8_valid_french(void **state)
{
    (void)state;
    assert_int_equal(check("\xC3\xA9"), 2);             /* é */
    assert_int_equal(check("\xC5\x93"), 2);             /* œ */
    assert_int_equal(check("\xE2\x82\xAC"), 3);         /* € */
    assert_int_equal(check("\xE2\x80\xAF"), 3);         /* U+202F */
    assert_int_equal(check("\xF0\x9F\x98\x80"), 4);     /* U+1F600 */
    assert_int_equal(check("\xF4\x8F\xBF\xBF"), 4);     /* U+10FFFF */
    assert_int_equal(check("\xEF\xBF\xBF"), 3);         /* U+FFFF */
    assert_int_equal(check("\xED\x9F\xBF"), 3);         /* U+D7FF */
    assert_int_equal(check("Sa\xC3\xB4ne-et-Loire, c\xC5\x93ur"), 22);
}

static void test_utf8_overlong(void **state)
{
    (void)state;
    assert_int_equal(check("ab\xC0\xAF"), 2);
    assert_int_equal(check("\xC1\xBF"), 0);
    assert_int_equal(check("x\xE0\x80\xAF"), 1);
    assert_int_equal(check("\xF0\x8F\xBF\xBF"), 0);
}

static void test_utf8_surrogate(void **state)
{
    (void)state;
    assert_int_equal(check("abc\xED\xA0\x80"), 3);
    assert_int_equal(check("\xED\xBF\xBF"), 0);
}

static void test_utf8_above_max(void **state)
{
    (void)state;
    assert_int_equal(check("\xF4\x90\x80\x80"), 0);
    assert_int_equal(check("ok\xF5\x80\x80\x80"), 2);
    assert_int_equal(check("\xFF"), 0);
}

static void test_utf8_truncated_and_stray(void **state)
{
    (void)state;
    assert_int_equal(check("abc\xC3"), 3);
    assert_int_equal(check("abc\xE2\x82"), 3);
    assert_int_equal(check("abcdefghij\xF0\x9F\x98"), 10);
    assert_int_equal(check("\xC3\xA9\x80"), 2);       /* lone continuation */
    assert_int_equal(check("\xE2\x41\xAC"), 0);       /* bad continuation */
    assert_int_equal(check("\xC3\xA9\xC3(\xC3\xA9"), 2);
    /* the first invalid byte is reported even after a long ASCII run */
    char text[100];
    memset(text, 'a', sizeof text);
    text[77] = (char)0xE9;
    assert_int_equal(ctg_utf8_check(U8(text), sizeof text), 77);
}

static void test_has_non_ascii(void **state)
{
    (void)state;
    assert_int_equal(ctg_has_non_ascii(U8(""), 0), 0);
    assert_int_equal(ctg_has_non_ascii(U8("plain ascii text, 32 bytes long"), 31), 0);
    assert_int_equal(ctg_has_non_ascii(U8("plain ascii text then \xE9"), 23), 1);
    assert_int_equal(ctg_has_non_ascii(U8("\x80"), 1), 1);
}

static void test_bom(void **state)
{
    (void)state;
    assert_int_equal(ctg_utf8_bom_len(U8("\xEF\xBB\xBF" "code"), 7), 3);
    assert_int_equal(ctg_utf8_bom_len(U8("\xEF\xBB"), 2), 0);
    assert_int_equal(ctg_utf8_bom_len(U8("code"), 4), 0);
    assert_int_equal(ctg_utf8_bom_len(U8(""), 0), 0);
}

static void test_utf8_multibyte_mark(void **state)
{
    (void)state;
    assert_int_equal(ctg_has_utf8_multibyte(U8("abc"), 3), 0);
    /* CP1252 "é" alone (0xE9) is not a valid multi-byte sequence */
    assert_int_equal(ctg_has_utf8_multibyte(U8("caf\xE9 cr\xE8me"), 10), 0);
    /* "Ã©" for "é": a UTF-8 é inside CP1252 text */
    assert_int_equal(ctg_has_utf8_multibyte(U8("caf\xE9 et caf\xC3\xA9"), 13), 1);
    assert_int_equal(ctg_has_utf8_multibyte(U8("\xE2\x82\xAC"), 3), 1);
    assert_int_equal(ctg_has_utf8_multibyte(U8("\xE2\x82"), 2), 0);
}

/* Converts s[0..n) from CP1252; returns the status, output in *out. */
static ctg_status convert(const char *s, size_t n, ctg_buf *out, size_t *bad)
{
    ctg_buf_reset(out);
    *bad = (size_t)-1;
    return ctg_cp1252_to_utf8(U8(s), n, out, bad);
}

static void test_cp1252_french(void **state)
{
    (void)state;
    ctg_buf out = CTG_BUF_INIT;
    size_t bad;
    assert_int_equal(convert("\x9C", 1, &out, &bad), CTG_OK);
    assert_string_equal(ctg_buf_str(&out), "\xC5\x93");
    assert_int_equal(convert("\x80", 1, &out, &bad), CTG_OK);
    assert_string_equal(ctg_buf_str(&out), "\xE2\x82\xAC");
    assert_int_equal(convert("\xE9", 1, &out, &bad), CTG_OK);
    assert_string_equal(ctg_buf_str(&out), "\xC3\xA9");
    assert_int_equal(convert("\xA0", 1, &out, &bad), CTG_OK);
    assert_string_equal(ctg_buf_str(&out), "\xC2\xA0");
    assert_int_equal(convert("C\x9Cur de l'Is\xE8re: 5\x80", 19, &out, &bad), CTG_OK);
    assert_string_equal(ctg_buf_str(&out), "C\xC5\x93ur de l'Is\xC3\xA8re: 5\xE2\x82\xAC");
    assert_int_equal(bad, (size_t)-1);
    ctg_buf_free(&out);
}

static void test_cp1252_full_c1_table(void **state)
{
    (void)state;
    static const char *const expected[32] = {
        "\xE2\x82\xAC", NULL, "\xE2\x80\x9A", "\xC6\x92", "\xE2\x80\x9E", "\xE2\x80\xA6",
        "\xE2\x80\xA0", "\xE2\x80\xA1", "\xCB\x86", "\xE2\x80\xB0", "\xC5\xA0", "\xE2\x80\xB9",
        "\xC5\x92", NULL, "\xC5\xBD", NULL, NULL, "\xE2\x80\x98", "\xE2\x80\x99",
        "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\xA2", "\xE2\x80\x93", "\xE2\x80\x94",
        "\xCB\x9C", "\xE2\x84\xA2", "\xC5\xA1", "\xE2\x80\xBA", "\xC5\x93", NULL, "\xC5\xBE",
        "\xC5\xB8"};
    ctg_buf out = CTG_BUF_INIT;
    for (int i = 0; i < 32; i++) {
        char byte = (char)(0x80 + i);
        size_t bad;
        ctg_status st = convert(&byte, 1, &out, &bad);
        if (expected[i] == NULL) {
            assert_int_equal(st, CTG_ERR_DATA);
            assert_int_equal(bad, 0);
        } else {
            assert_int_equal(st, CTG_OK);
            assert_string_equal(ctg_buf_str(&out), expected[i]);
        }
    }
    ctg_buf_free(&out);
}

static void test_cp1252_latin1_range(void **state)
{
    (void)state;
    ctg_buf out = CTG_BUF_INIT;
    uint8_t all[96];
    for (int i = 0; i < 96; i++)
        all[i] = (uint8_t)(0xA0 + i);
    size_t bad = 0;
    assert_int_equal(ctg_cp1252_to_utf8(all, sizeof all, &out, &bad), CTG_OK);
    assert_int_equal(out.len, 192);
    assert_int_equal(ctg_utf8_check(U8(out.data), out.len), out.len);
    assert_memory_equal(out.data + 190, "\xC3\xBF", 2);
    ctg_buf_free(&out);
}

static void test_cp1252_undefined_offset(void **state)
{
    (void)state;
    ctg_buf out = CTG_BUF_INIT;
    size_t bad;
    assert_int_equal(convert("abc\xE9\x81xyz", 8, &out, &bad), CTG_ERR_DATA);
    assert_int_equal(bad, 4);
    assert_string_equal(ctg_buf_str(&out), "abc\xC3\xA9");
    assert_int_equal(convert("\x81", 1, &out, &bad), CTG_ERR_DATA);
    assert_int_equal(bad, 0);
    assert_int_equal(convert("0123456789\x9D", 11, &out, &bad), CTG_ERR_DATA);
    assert_int_equal(bad, 10);
    assert_string_equal(ctg_buf_str(&out), "0123456789");
    ctg_buf_free(&out);
}

static void test_cp1252_long_accented_run(void **state)
{
    (void)state;
    /* longer than the converter's internal chunk */
    uint8_t in[1000];
    memset(in, 0x80, sizeof in);
    ctg_buf out = CTG_BUF_INIT;
    size_t bad = 0;
    assert_int_equal(ctg_cp1252_to_utf8(in, sizeof in, &out, &bad), CTG_OK);
    assert_int_equal(out.len, 3000);
    for (size_t i = 0; i < out.len; i += 3)
        assert_memory_equal(out.data + i, "\xE2\x82\xAC", 3);
    ctg_buf_free(&out);
}

static void test_utf8_width(void **state)
{
    (void)state;
    assert_int_equal(ctg_utf8_width(""), 0);
    assert_int_equal(ctg_utf8_width("Gaillac"), 7);
    assert_int_equal(ctg_utf8_width("Lisle-sur-Tarn"), 14);
    assert_int_equal(ctg_utf8_width("Pr\xC3\xA9vert"), 7);            /* é: 2 bytes, 1 column */
    assert_int_equal(ctg_utf8_width("16\xE2\x80\xAF" "080"), 6);      /* U+202F */
    assert_int_equal(ctg_utf8_width("\xC5\x93uvre"), 5);               /* œ */
    assert_int_equal(ctg_utf8_width("e\xCC\x81"), 1);                  /* e + U+0301 */
    assert_int_equal(ctg_utf8_width("\xE2\x82\xAC"), 1);              /* € */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_ascii_and_empty),
        cmocka_unit_test(test_utf8_valid_french),
        cmocka_unit_test(test_utf8_overlong),
        cmocka_unit_test(test_utf8_surrogate),
        cmocka_unit_test(test_utf8_above_max),
        cmocka_unit_test(test_utf8_truncated_and_stray),
        cmocka_unit_test(test_has_non_ascii),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_utf8_multibyte_mark),
        cmocka_unit_test(test_cp1252_french),
        cmocka_unit_test(test_cp1252_full_c1_table),
        cmocka_unit_test(test_cp1252_latin1_range),
        cmocka_unit_test(test_cp1252_undefined_offset),
        cmocka_unit_test(test_cp1252_long_accented_run),
        cmocka_unit_test(test_utf8_width),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
