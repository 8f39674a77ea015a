/*
 * kbc_hash.h - FNV-1a 64: stable across runs, machines and versions, which
 * is what deterministic incident ids need (not a keyed, randomized hash).
 */
#ifndef KBC_HASH_H
#define KBC_HASH_H

#include <stddef.h>
#include <stdint.h>

#define KBC_FNV64_INIT 0xcbf29ce484222325ULL

uint64_t kbc_fnv64(uint64_t h, const void *p, size_t n);
/* Same, folding ASCII letters to lower case first. */
uint64_t kbc_fnv64_lower(uint64_t h, const void *p, size_t n);

/* A content hash for telling whether a file changed (the rule bundle's
 * record of its YAML sources). FNV takes a byte a step; this takes eight
 * (one multiply-rotate round of XXH64's, one lane), so hashing the whole
 * compiled KB (29 MB) costs milliseconds. Not for security: it detects
 * edits, not forgeries. Stable across runs and machines. Feed any split
 * of the bytes to update(); the result depends on the bytes alone. */
typedef struct kbc_hash64 {
        uint64_t acc, len;
        unsigned char tail[8];
        size_t ntail;
} kbc_hash64;

void kbc_hash64_init(kbc_hash64 *s);
void kbc_hash64_update(kbc_hash64 *s, const void *p, size_t n);
uint64_t kbc_hash64_final(const kbc_hash64 *s);
/* init, update, final in one call. */
uint64_t kbc_hash64_of(const void *p, size_t n);

#endif
