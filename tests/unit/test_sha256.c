/* test_sha256.c - SHA-256 against the FIPS 180-4 / NIST test vectors. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/sha256.h"

static void hash_hex(const void *bytes, size_t n, char hex[CTG_SHA256_HEX_LEN + 1])
{
    ctg_sha256 h;
    ctg_sha256_init(&h);
    ctg_sha256_update(&h, bytes, n);
    ctg_sha256_final_hex(&h, hex);
}

static void assert_hash(const char *msg, const char *expected)
{
    char hex[CTG_SHA256_HEX_LEN + 1];
    hash_hex(msg, strlen(msg), hex);
    assert_string_equal(hex, expected);
}

static void test_empty(void **state)
{
    (void)state;
    assert_hash("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_empty_with_null_pointer(void **state)
{
    (void)state;
    char hex[CTG_SHA256_HEX_LEN + 1];
    hash_hex(NULL, 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_abc(void **state)
{
    (void)state;
    assert_hash("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_448_bits(void **state)
{
    (void)state;
    assert_hash("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_896_bits(void **state)
{
    (void)state;
    assert_hash("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
                "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a_uneven_chunks(void **state)
{
    (void)state;
    enum { TOTAL = 1000000 };
    char *a = malloc(TOTAL);
    assert_non_null(a);
    memset(a, 'a', TOTAL);
    static const size_t chunks[] = {1, 63, 64, 65, 7, 128, 1000, 3, 4096, 55, 56, 57};
    size_t nchunks = sizeof chunks / sizeof chunks[0];
    ctg_sha256 h;
    ctg_sha256_init(&h);
    size_t done = 0;
    for (size_t i = 0; done < TOTAL; i++) {
        size_t take = chunks[i % nchunks];
        if (take > TOTAL - done)
            take = TOTAL - done;
        ctg_sha256_update(&h, a + done, take);
        done += take;
    }
    char hex[CTG_SHA256_HEX_LEN + 1];
    ctg_sha256_final_hex(&h, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    hash_hex(a, TOTAL, hex);
    assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
}

static void fill_pattern(uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)((i * 7 + 3) & 0xff);
}

/* Lengths around the padding boundaries (55/56 and 119/120 bytes). */
static void test_padding_boundaries(void **state)
{
    (void)state;
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
        {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
        {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
    };
    uint8_t data[128];
    fill_pattern(data, sizeof data);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char hex[CTG_SHA256_HEX_LEN + 1];
        hash_hex(data, cases[i].len, hex);
        assert_string_equal(hex, cases[i].hex);
    }
}

static void test_byte_by_byte_equals_whole(void **state)
{
    (void)state;
    uint8_t data[1000];
    fill_pattern(data, sizeof data);
    for (size_t len = 0; len <= sizeof data; len += 37) {
        char whole[CTG_SHA256_HEX_LEN + 1];
        hash_hex(data, len, whole);
        ctg_sha256 h;
        ctg_sha256_init(&h);
        for (size_t i = 0; i < len; i++)
            ctg_sha256_update(&h, data + i, 1);
        ctg_sha256_update(&h, data, 0);
        char bytewise[CTG_SHA256_HEX_LEN + 1];
        ctg_sha256_final_hex(&h, bytewise);
        assert_string_equal(bytewise, whole);
    }
}

static void test_binary_digest_and_reinit(void **state)
{
    (void)state;
    static const uint8_t expected[32] = {
        0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
        0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
        0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
    ctg_sha256 h;
    uint8_t digest[32];
    ctg_sha256_init(&h);
    ctg_sha256_update(&h, "xyz", 3);
    ctg_sha256_final(&h, digest);
    ctg_sha256_init(&h);
    ctg_sha256_update(&h, "ab", 2);
    ctg_sha256_update(&h, "c", 1);
    ctg_sha256_final(&h, digest);
    assert_memory_equal(digest, expected, 32);
}

/* The portable path and the CPU's SHA instructions (when this CPU has them:
 * then ctg_sha256_init takes them) give the same digests: the NIST vectors
 * through the portable path, then pseudo-random inputs of every length up
 * to 1,100 bytes and of 1 MB fed in uneven chunks through both. */
static void hex_with(int portable, const void *bytes, size_t n, size_t chunk,
                     char hex[CTG_SHA256_HEX_LEN + 1])
{
    ctg_sha256 h;
    if (portable)
        ctg_sha256_init_portable(&h);
    else
        ctg_sha256_init(&h);
    assert_int_equal(ctg_sha256_uses_cpu_instructions(&h) && portable, 0);
    const unsigned char *p = bytes;
    for (size_t done = 0; done < n;) {
        size_t take = n - done < chunk ? n - done : chunk;
        ctg_sha256_update(&h, p + done, take);
        done += take;
    }
    ctg_sha256_final_hex(&h, hex);
}

static void test_portable_and_cpu_paths_agree(void **state)
{
    (void)state;
    char a[CTG_SHA256_HEX_LEN + 1], b[CTG_SHA256_HEX_LEN + 1];
    hex_with(1, "abc", 3, 3, a);
    assert_string_equal(a, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    static const char m896[] = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                               "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hex_with(1, m896, sizeof m896 - 1, 7, a);
    assert_string_equal(a, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");

    enum { BIG = 1 << 20 };
    unsigned char *data = malloc(BIG);
    assert_non_null(data);
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < BIG; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data[i] = (unsigned char)x;
    }
    for (size_t n = 0; n <= 1100; n++) {
        hex_with(1, data, n, n + 1, a);
        hex_with(0, data, n, 37, b);
        assert_string_equal(a, b);
    }
    hex_with(1, data, BIG, 4096, a);
    hex_with(0, data, BIG, 65537, b);
    assert_string_equal(a, b);
    free(data);
    ctg_sha256 h;
    ctg_sha256_init(&h);
    print_message("SHA-256 through the CPU's SHA instructions: %s\n",
                  ctg_sha256_uses_cpu_instructions(&h) ? "yes" : "no (portable path only)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_empty_with_null_pointer),
        cmocka_unit_test(test_abc),
        cmocka_unit_test(test_448_bits),
        cmocka_unit_test(test_896_bits),
        cmocka_unit_test(test_million_a_uneven_chunks),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_byte_by_byte_equals_whole),
        cmocka_unit_test(test_binary_digest_and_reinit),
        cmocka_unit_test(test_portable_and_cpu_paths_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
