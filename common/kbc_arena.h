/*
 * kbc_arena.h - region allocator. Everything a rule set or a test case owns
 * is carved from one arena and released at once, so a rule reload cannot
 * leak half a rule set and no loader needs per-field cleanup.
 */
#ifndef KBC_ARENA_H
#define KBC_ARENA_H

#include <stddef.h>

#include "kbc_str.h"

typedef struct kbc_arena kbc_arena;

kbc_arena *kbc_arena_new(void);
void kbc_arena_free(kbc_arena *a);
/* Gives back everything allocated from a at once, for reuse: keeps its
 * first block (zeroed again as far as it was used), frees the rest. For
 * scratch memory used over and over (the engine's rankings): a fresh
 * arena's first block is a 64 KiB calloc. */
void kbc_arena_reset(kbc_arena *a);

/* Zeroed, 16-byte aligned memory; aborts on exhaustion (like xmalloc). */
void *kbc_arena_alloc(kbc_arena *a, size_t size);
/* NUL-terminated copy of the view. */
char *kbc_arena_strndup(kbc_arena *a, const char *s, size_t len);
char *kbc_arena_strdup(kbc_arena *a, const char *s);
/* A formatted string in the arena. */
char *kbc_arena_printf(kbc_arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
kbc_str kbc_arena_str(kbc_arena *a, kbc_str s);

#endif
