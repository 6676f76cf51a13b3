/* sha256.c - SHA-256 as specified by FIPS 180-4. */
#include "sha256.h"

#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SHA_NI_PATH 1
#include <cpuid.h>
#include <immintrin.h>
#else
#define HAVE_SHA_NI_PATH 0
#endif

static const uint32_t round_constants[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u,
    0x923f82a4u, 0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u,
    0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u,
    0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u,
    0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u,
    0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au,
    0x5b9cca4fu, 0x682e6ff3u, 0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u,
    0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u};

static const uint32_t initial_state[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u,
                                          0xa54ff53au, 0x510e527fu, 0x9b05688cu,
                                          0x1f83d9abu, 0x5be0cd19u};

static inline uint32_t rotr(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32u - n));
}

static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) |
           (uint32_t)p[3];
}

static inline void store_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Expands one 64-byte block into the 64-word message schedule. */
static void expand_schedule(const uint8_t *block, uint32_t w[64])
{
    for (int t = 0; t < 16; t++)
        w[t] = load_be32(block + 4 * t);
    for (int t = 16; t < 64; t++) {
        uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
        uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
        w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
}

/* Applies the compression function to one 64-byte block. */
static void compress_block(uint32_t state[8], const uint8_t *block)
{
    uint32_t w[64];
    expand_schedule(block, w);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; t++) {
        uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        uint32_t ch = (e & f) ^ (~e & g);
        uint32_t t1 = h + s1 + ch + round_constants[t] + w[t];
        uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
        uint32_t t2 = s0 + maj;
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
}

#if HAVE_SHA_NI_PATH
/* 1 when the CPU has the SHA extensions (and the SSSE3 and SSE4.1 the code
 * below also uses). */
static int cpu_has_sha_ni(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int ssse3 = (c >> 9) & 1, sse41 = (c >> 19) & 1;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return ssse3 && sse41 && ((b >> 29) & 1);
}

/*
 * The compression function on nblocks blocks with the CPU's SHA
 * instructions: four rounds per pair of sha256rnds2, the message schedule by
 * sha256msg1/msg2 four words at a time (the schedule words W[4g..4g+3] live
 * in msg[g % 4]). The state is kept as ABEF / CDGH, the instructions' order.
 * About five times the portable code's speed.
 */
__attribute__((target("sha,ssse3,sse4.1"))) static void
compress_blocks_sha_ni(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
    const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)&state[0]);
    __m128i state1 = _mm_loadu_si128((const __m128i *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);                   /* CDAB */
    state1 = _mm_shuffle_epi32(state1, 0x1B);             /* EFGH */
    __m128i state0 = _mm_alignr_epi8(tmp, state1, 8);     /* ABEF */
    state1 = _mm_blend_epi16(state1, tmp, 0xF0);          /* CDGH */
    for (; nblocks > 0; nblocks--, data += 64) {
        __m128i abef = state0, cdgh = state1;
        __m128i msg[4];
        for (int g = 0; g < 16; g++) {
            __m128i *w = &msg[g % 4];
            if (g < 4)
                *w = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(data + 16 * g)),
                                      byte_swap);
            __m128i k = _mm_loadu_si128((const __m128i *)&round_constants[4 * g]);
            __m128i m = _mm_add_epi32(*w, k);
            state1 = _mm_sha256rnds2_epu32(state1, state0, m);
            if (g >= 3 && g <= 14) { /* W[4g+4..4g+7] completed */
                __m128i *next = &msg[(g + 1) % 4];
                *next = _mm_add_epi32(*next, _mm_alignr_epi8(*w, msg[(g + 3) % 4], 4));
                *next = _mm_sha256msg2_epu32(*next, *w);
            }
            m = _mm_shuffle_epi32(m, 0x0E);
            state0 = _mm_sha256rnds2_epu32(state0, state1, m);
            if (g >= 1 && g <= 12) { /* W[4g+12..4g+15] begun */
                __m128i *prev = &msg[(g + 3) % 4];
                *prev = _mm_sha256msg1_epu32(*prev, *w);
            }
        }
        state0 = _mm_add_epi32(state0, abef);
        state1 = _mm_add_epi32(state1, cdgh);
    }
    tmp = _mm_shuffle_epi32(state0, 0x1B);                /* FEBA */
    state1 = _mm_shuffle_epi32(state1, 0xB1);             /* DCHG */
    state0 = _mm_blend_epi16(tmp, state1, 0xF0);          /* DCBA */
    state1 = _mm_alignr_epi8(state1, tmp, 8);             /* ABEF */
    _mm_storeu_si128((__m128i *)&state[0], state0);
    _mm_storeu_si128((__m128i *)&state[4], state1);
}
#endif

/* The compression function on nblocks consecutive blocks. */
static void compress_blocks(ctg_sha256 *h, const uint8_t *p, size_t nblocks)
{
#if HAVE_SHA_NI_PATH
    if (h->sha_ni) {
        compress_blocks_sha_ni(h->state, p, nblocks);
        return;
    }
#endif
    for (; nblocks > 0; nblocks--, p += 64)
        compress_block(h->state, p);
}

void ctg_sha256_init_portable(ctg_sha256 *h)
{
    memcpy(h->state, initial_state, sizeof h->state);
    h->total = 0;
    h->block_len = 0;
    h->sha_ni = 0;
    memset(h->block, 0, sizeof h->block);
}

void ctg_sha256_init(ctg_sha256 *h)
{
    ctg_sha256_init_portable(h);
#if HAVE_SHA_NI_PATH
    h->sha_ni = cpu_has_sha_ni();
#endif
}

int ctg_sha256_uses_cpu_instructions(const ctg_sha256 *h)
{
    return h->sha_ni;
}

void ctg_sha256_update(ctg_sha256 *h, const void *bytes, size_t n)
{
    const uint8_t *p = bytes;
    if (n == 0)
        return;
    h->total += n;
    if (h->block_len > 0) {
        size_t take = sizeof h->block - h->block_len;
        if (take > n)
            take = n;
        memcpy(h->block + h->block_len, p, take);
        h->block_len += take;
        p += take;
        n -= take;
        if (h->block_len < sizeof h->block)
            return;
        compress_blocks(h, h->block, 1);
        h->block_len = 0;
    }
    compress_blocks(h, p, n / 64);
    p += n / 64 * 64;
    n %= 64;
    if (n > 0) {
        memcpy(h->block, p, n);
        h->block_len = n;
    }
}

void ctg_sha256_final(ctg_sha256 *h, uint8_t digest[32])
{
    uint64_t bit_len = h->total * 8u;
    uint8_t *block = h->block;
    block[h->block_len++] = 0x80;
    if (h->block_len > 56) {
        memset(block + h->block_len, 0, 64 - h->block_len);
        compress_blocks(h, block, 1);
        h->block_len = 0;
    }
    memset(block + h->block_len, 0, 56 - h->block_len);
    store_be32(block + 56, (uint32_t)(bit_len >> 32));
    store_be32(block + 60, (uint32_t)bit_len);
    compress_blocks(h, block, 1);
    h->block_len = 0;
    for (int i = 0; i < 8; i++)
        store_be32(digest + 4 * i, h->state[i]);
}

void ctg_sha256_final_hex(ctg_sha256 *h, char hex[CTG_SHA256_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t digest[32];
    ctg_sha256_final(h, digest);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[digest[i] >> 4];
        hex[2 * i + 1] = digits[digest[i] & 0x0f];
    }
    hex[CTG_SHA256_HEX_LEN] = '\0';
}
