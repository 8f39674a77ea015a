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

#endif
