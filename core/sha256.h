/*
 * sha256.h - SHA-256 (FIPS 180-4), for the provenance of source files.
 *
 * None of the five libraries provides a hash, so this is a plain portable
 * implementation checked against the FIPS 180-4 / NIST test vectors.
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
} ctg_sha256;

#define CTG_SHA256_HEX_LEN 64

/* Starts a new hash. */
void ctg_sha256_init(ctg_sha256 *h);

/* Hashes n more bytes (n may be 0). */
void ctg_sha256_update(ctg_sha256 *h, const void *bytes, size_t n);

/* Finishes the hash and writes the 32-byte digest. *h must be re-initialised
 * before reuse. */
void ctg_sha256_final(ctg_sha256 *h, uint8_t digest[32]);

/* Finishes the hash and writes it as 64 lower-case hex digits plus NUL. */
void ctg_sha256_final_hex(ctg_sha256 *h, char hex[CTG_SHA256_HEX_LEN + 1]);

#endif
