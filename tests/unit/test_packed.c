/* test_packed.c - core/packed.h: values packed into one BLOB per unit. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "core/buf.h"
#include "core/packed.h"

#define OK(v) {(v), CTG_VAL_OK}
#define MISSING {0, CTG_VAL_MISSING}
#define SECRET {0, CTG_VAL_SECRET}

/* Exact equality of doubles, telling -0.0 from 0.0. */
static int same_double(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Packs vals, unpacks them back (whole and one by one), asserts identity;
 * returns the blob length. */
static size_t round_trip(const ctg_value *vals, size_t n)
{
    ctg_buf blob = CTG_BUF_INIT;
    assert_int_equal(ctg_pack(vals, n, &blob), CTG_OK);
    size_t len = blob.len;
    ctg_value back[400];
    assert_true(n <= 400);
    size_t got = 12345;
    assert_int_equal(ctg_unpack(blob.data, blob.len, back, n, &got), CTG_OK);
    assert_int_equal(got, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(back[i].status, vals[i].status);
        if (vals[i].status == CTG_VAL_OK) {
            if (!same_double(back[i].value, vals[i].value))
                print_error("value %zu: %.17g came back as %.17g\n", i, vals[i].value,
                            back[i].value);
            assert_true(same_double(back[i].value, vals[i].value));
        }
        ctg_value one = {-1, 9};
        assert_int_equal(ctg_unpack_one(blob.data, blob.len, i, &one), CTG_OK);
        assert_int_equal(one.status, vals[i].status);
        if (vals[i].status == CTG_VAL_OK)
            assert_true(same_double(one.value, vals[i].value));
    }
    /* past the last index */
    ctg_value v;
    assert_int_equal(ctg_unpack_one(blob.data, blob.len, n, &v), CTG_ERR_DATA);
    ctg_buf_free(&blob);
    return len;
}

static void test_statuses(void **state)
{
    (void)state;
    const ctg_value vals[] = {OK(12), MISSING, SECRET, OK(0), SECRET};
    /* count 1 + 5 tags + int8 + int8 */
    assert_int_equal(round_trip(vals, 5), 1 + 5 + 1 + 1);
    assert_string_equal(ctg_value_status_name(CTG_VAL_OK), "ok");
    assert_string_equal(ctg_value_status_name(CTG_VAL_MISSING), "missing");
    assert_string_equal(ctg_value_status_name(CTG_VAL_SECRET), "secret");
    assert_string_equal(ctg_value_status_name(7), "?");
    /* a missing or secret value carries no payload, whatever its value field */
    const ctg_value odd[] = {{123456.5, CTG_VAL_SECRET}, {-1, CTG_VAL_MISSING}};
    assert_int_equal(round_trip(odd, 2), 1 + 2);
    ctg_value back[2];
    size_t n;
    ctg_buf blob = CTG_BUF_INIT;
    assert_int_equal(ctg_pack(odd, 2, &blob), CTG_OK);
    assert_int_equal(ctg_unpack(blob.data, blob.len, back, 2, &n), CTG_OK);
    assert_true(back[0].value == 0 && back[1].value == 0);
    ctg_buf_free(&blob);
}

static void test_integer_widths(void **state)
{
    (void)state;
    /* each value alone: 1 count byte + 1 tag + payload */
    struct {
        double v;
        size_t payload;
    } cases[] = {
        {0, 1},           {1, 1},           {-1, 1},           {-128, 1},
        {127, 1},         {128, 2},         {-129, 2},         {32767, 2},
        {-32768, 2},      {32768, 4},       {-32769, 4},       {2147483647, 4},
        {-2147483648.0, 4}, {2147483648.0, 8}, {-2147483649.0, 8}, {4516797, 4},
        {2147483646.5, 8}, {-2147483647.5, 8}, {0.5, 8},  {-0.5, 8},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ctg_value v = OK(cases[i].v);
        size_t len = round_trip(&v, 1);
        if (len != 2 + cases[i].payload)
            print_error("%.17g: %zu bytes, expected %zu\n", cases[i].v, len, 2 + cases[i].payload);
        assert_int_equal(len, 2 + cases[i].payload);
    }
    /* all together */
    const ctg_value vals[] = {OK(0), OK(-128), OK(127), OK(128), OK(-32769), OK(2147483647)};
    assert_int_equal(round_trip(vals, 6), 1 + 6 + 1 + 1 + 1 + 2 + 4 + 4);
}

static void test_fractional_and_special(void **state)
{
    (void)state;
    const ctg_value vals[] = {
        OK(353.730434782608), OK(53.6608695652175), OK(7035.5070985379), OK(0.5),
        OK(-0.0),             OK(1e300),            OK(-1e300),          OK(4.9406564584124654e-324),
        OK(9007199254740993.0), OK(1e15),           OK(-17.2),           OK(2.5e9),
        OK(HUGE_VAL),         OK(-HUGE_VAL),
    };
    size_t n = sizeof vals / sizeof vals[0];
    round_trip(vals, n);
    /* a fractional value takes 8 bytes; -0.0 keeps its sign */
    ctg_value one = OK(353.730434782608);
    assert_int_equal(round_trip(&one, 1), 2 + 8);
    ctg_value nz = OK(-0.0);
    assert_int_equal(round_trip(&nz, 1), 2 + 8);
    ctg_buf blob = CTG_BUF_INIT;
    assert_int_equal(ctg_pack(&nz, 1, &blob), CTG_OK);
    ctg_value back;
    assert_int_equal(ctg_unpack_one(blob.data, blob.len, 0, &back), CTG_OK);
    assert_true(back.value == 0 && signbit(back.value));
    ctg_buf_free(&blob);
    /* +0.0 is an int8 */
    ctg_value pz = OK(0.0);
    assert_int_equal(round_trip(&pz, 1), 3);
    /* NaN survives as a double */
    ctg_value nan_v = OK(NAN);
    blob = (ctg_buf)CTG_BUF_INIT;
    assert_int_equal(ctg_pack(&nan_v, 1, &blob), CTG_OK);
    assert_int_equal(blob.len, 2 + 8);
    assert_int_equal(ctg_unpack_one(blob.data, blob.len, 0, &back), CTG_OK);
    assert_true(isnan(back.value));
    ctg_buf_free(&blob);
}

static void test_many_values(void **state)
{
    (void)state;
    /* more than 127 values: a two-byte count */
    ctg_value vals[300];
    for (size_t i = 0; i < 300; i++) {
        if (i % 7 == 3)
            vals[i] = (ctg_value)SECRET;
        else if (i % 11 == 5)
            vals[i] = (ctg_value)MISSING;
        else if (i % 2)
            vals[i] = (ctg_value)OK((double)i * 1000.25);
        else
            vals[i] = (ctg_value)OK((double)i * (i % 4 ? -300 : 300));
    }
    round_trip(vals, 300);
    /* no values at all */
    ctg_buf blob = CTG_BUF_INIT;
    assert_int_equal(ctg_pack(vals, 0, &blob), CTG_OK);
    assert_int_equal(blob.len, 1);
    size_t n = 99;
    assert_int_equal(ctg_unpack(blob.data, blob.len, vals, 300, &n), CTG_OK);
    assert_int_equal(n, 0);
    ctg_value v;
    assert_int_equal(ctg_unpack_one(blob.data, blob.len, 0, &v), CTG_ERR_DATA);
    ctg_buf_free(&blob);
}

static void test_pack_appends(void **state)
{
    (void)state;
    ctg_buf blob = CTG_BUF_INIT;
    assert_int_equal(ctg_buf_puts(&blob, "xy"), CTG_OK);
    const ctg_value vals[] = {OK(5), SECRET};
    assert_int_equal(ctg_pack(vals, 2, &blob), CTG_OK);
    assert_int_equal(blob.len, 2 + 1 + 2 + 1);
    assert_memory_equal(blob.data, "xy", 2);
    ctg_value back[2];
    size_t n;
    assert_int_equal(ctg_unpack(blob.data + 2, blob.len - 2, back, 2, &n), CTG_OK);
    assert_int_equal(n, 2);
    assert_true(back[0].value == 5);
    assert_int_equal(back[1].status, CTG_VAL_SECRET);
    ctg_buf_free(&blob);
}

static void test_partial_unpack(void **state)
{
    (void)state;
    const ctg_value vals[] = {OK(1), OK(2.5), SECRET, OK(40000)};
    ctg_buf blob = CTG_BUF_INIT;
    assert_int_equal(ctg_pack(vals, 4, &blob), CTG_OK);
    ctg_value back[2] = {{-1, 9}, {-1, 9}};
    size_t n = 0;
    /* cap smaller than the count: n says how many the blob holds */
    assert_int_equal(ctg_unpack(blob.data, blob.len, back, 2, &n), CTG_OK);
    assert_int_equal(n, 4);
    assert_true(back[0].value == 1);
    assert_true(back[1].value == 2.5);
    assert_int_equal(ctg_unpack(blob.data, blob.len, NULL, 0, &n), CTG_OK);
    assert_int_equal(n, 4);
    ctg_buf_free(&blob);
}

static void test_malformed(void **state)
{
    (void)state;
    const ctg_value vals[] = {OK(1), OK(300), OK(353.730434782608), SECRET, OK(70000)};
    ctg_buf blob = CTG_BUF_INIT;
    assert_int_equal(ctg_pack(vals, 5, &blob), CTG_OK);
    const unsigned char *b = (const unsigned char *)blob.data;
    size_t len = blob.len;
    assert_int_equal(len, 1 + 5 + 1 + 2 + 8 + 0 + 4);
    ctg_value out[8];
    size_t n;
    ctg_value v;

    /* truncated at every length */
    for (size_t cut = 0; cut < len; cut++) {
        assert_int_equal(ctg_unpack(b, cut, out, 8, &n), CTG_ERR_DATA);
        /* the last value's payload is cut whatever the cut */
        assert_int_equal(ctg_unpack_one(b, cut, 4, &v), CTG_ERR_DATA);
    }
    /* trailing bytes */
    unsigned char longer[64];
    memcpy(longer, b, len);
    longer[len] = 0;
    assert_int_equal(ctg_unpack(longer, len + 1, out, 8, &n), CTG_ERR_DATA);

    unsigned char bad[64];
    /* a width nibble above 4 */
    memcpy(bad, b, len);
    bad[1] = (unsigned char)((bad[1] & 0xF0) | 5);
    assert_int_equal(ctg_unpack(bad, len, out, 8, &n), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(bad, len, 0, &v), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(bad, len, 3, &v), CTG_ERR_DATA);
    /* an unknown status */
    memcpy(bad, b, len);
    bad[1] = (unsigned char)(0x30 | (bad[1] & 0x0F));
    assert_int_equal(ctg_unpack(bad, len, out, 8, &n), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(bad, len, 0, &v), CTG_ERR_DATA);
    /* status and width disagree: a secret with a payload, an ok without */
    memcpy(bad, b, len);
    bad[1] = (unsigned char)(0x20 | 1);
    assert_int_equal(ctg_unpack(bad, len, out, 8, &n), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(bad, len, 0, &v), CTG_ERR_DATA);
    const unsigned char ok_empty[] = {1, 0x00};
    assert_int_equal(ctg_unpack(ok_empty, 2, out, 8, &n), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(ok_empty, 2, 0, &v), CTG_ERR_DATA);
    /* a count larger than the blob */
    memcpy(bad, b, len);
    bad[0] = 60;
    assert_int_equal(ctg_unpack(bad, len, out, 8, &n), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(bad, len, 0, &v), CTG_ERR_DATA);
    const unsigned char huge_count[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x10};
    assert_int_equal(ctg_unpack(huge_count, sizeof huge_count, out, 8, &n), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(huge_count, sizeof huge_count, 0, &v), CTG_ERR_DATA);
    /* a count that never ends */
    const unsigned char endless[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};
    assert_int_equal(ctg_unpack(endless, sizeof endless, out, 8, &n), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(endless, sizeof endless, 0, &v), CTG_ERR_DATA);
    /* an empty blob */
    assert_int_equal(ctg_unpack(b, 0, out, 8, &n), CTG_ERR_DATA);
    assert_int_equal(ctg_unpack_one(b, 0, 0, &v), CTG_ERR_DATA);
    ctg_buf_free(&blob);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_statuses),
        cmocka_unit_test(test_integer_widths),
        cmocka_unit_test(test_fractional_and_special),
        cmocka_unit_test(test_many_values),
        cmocka_unit_test(test_pack_appends),
        cmocka_unit_test(test_partial_unpack),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
