/* sha256.c - SHA-256 as specified by FIPS 180-4. */
#include "sha256.h"

#include <string.h>

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

void ctg_sha256_init(ctg_sha256 *h)
{
    memcpy(h->state, initial_state, sizeof h->state);
    h->total = 0;
    h->block_len = 0;
    memset(h->block, 0, sizeof h->block);
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
        compress_block(h->state, h->block);
        h->block_len = 0;
    }
    for (; n >= 64; p += 64, n -= 64)
        compress_block(h->state, p);
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
        compress_block(h->state, block);
        h->block_len = 0;
    }
    memset(block + h->block_len, 0, 56 - h->block_len);
    store_be32(block + 56, (uint32_t)(bit_len >> 32));
    store_be32(block + 60, (uint32_t)bit_len);
    compress_block(h->state, block);
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
