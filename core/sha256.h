/*
 * sha256.h - SHA-256 (FIPS 180-4), for the provenance of source files.
 *
 * None of the five libraries provides a hash, so this is a plain portable
 * implementation checked against the FIPS 180-4 / NIST test vectors, with a
 * second path through the CPU's SHA instructions (x86-64 SHA-NI, chosen at
 * ctg_sha256_init when the CPU has them), checked against the first.
 * A ctg_sha256 is a value type: no allocation, nothing to free.
 */
#ifndef CTG_SHA256_H
#define CTG_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct ctg_sha256 {
    uint32_t state[8];      /* chaining value */
    uint64_t total;         /* bytes hashed so far */
    uint8_t block[64];      /* pending partial block */
    size_t block_len;       /* bytes pending in block */
    int sha_ni;             /* 1: the blocks go through the CPU's SHA instructions */
} ctg_sha256;

#define CTG_SHA256_HEX_LEN 64

/* Starts a new hash, with the CPU's SHA instructions when it has them. */
void ctg_sha256_init(ctg_sha256 *h);

/* Starts a new hash that uses the portable code only (for the tests that
 * check both paths agree). */
void ctg_sha256_init_portable(ctg_sha256 *h);

/* 1 when h goes through the CPU's SHA instructions. */
int ctg_sha256_uses_cpu_instructions(const ctg_sha256 *h);

/* Hashes n more bytes (n may be 0). */
void ctg_sha256_update(ctg_sha256 *h, const void *bytes, size_t n);

/* Finishes the hash and writes the 32-byte digest. *h must be re-initialised
 * before reuse. */
void ctg_sha256_final(ctg_sha256 *h, uint8_t digest[32]);

/* Finishes the hash and writes it as 64 lower-case hex digits plus NUL. */
void ctg_sha256_final_hex(ctg_sha256 *h, char hex[CTG_SHA256_HEX_LEN + 1]);

#endif
