/*
 * arena.c - a chain of blocks; allocation bumps a pointer, free releases the
 * chain. Requests larger than a block get a block of their own.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_arena.h"

#define ARENA_BLOCK_SIZE (64 * 1024)
#define ARENA_ALIGN      16

struct arena_block {
        struct arena_block *next;
        size_t used, size;
        _Alignas(ARENA_ALIGN) unsigned char data[];
};

struct kbc_arena {
        struct arena_block *head;
};

static void *xcalloc(size_t n, size_t size)
{
        void *p = calloc(n, size);
        if (!p) {
                fputs("kbcorr: out of memory\n", stderr);
                abort();
        }
        return p;
}

kbc_arena *kbc_arena_new(void)
{
        return xcalloc(1, sizeof(kbc_arena));
}

void kbc_arena_free(kbc_arena *a)
{
        if (!a)
                return;
        struct arena_block *b = a->head;
        while (b) {
                struct arena_block *next = b->next;
                free(b);
                b = next;
        }
        free(a);
}

void kbc_arena_reset(kbc_arena *a)
{
        struct arena_block *b = a->head;
        while (b && b->next) { /* the first block is the last in the chain */
                struct arena_block *next = b->next;
                free(b);
                b = next;
        }
        if (b && b->size != ARENA_BLOCK_SIZE) { /* a large request's own */
                free(b);
                b = NULL;
        }
        if (b) {
                memset(b->data, 0, b->used);
                b->used = 0;
        }
        a->head = b;
}

void *kbc_arena_alloc(kbc_arena *a, size_t size)
{
        size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
        struct arena_block *b = a->head;
        if (!b || b->size - b->used < size) {
                size_t cap = size > ARENA_BLOCK_SIZE ? size : ARENA_BLOCK_SIZE;
                b = xcalloc(1, sizeof(*b) + cap);
                b->size = cap;
                b->next = a->head;
                a->head = b;
        }
        void *p = b->data + b->used;
        b->used += size;
        return p;
}

char *kbc_arena_strndup(kbc_arena *a, const char *s, size_t len)
{
        char *p = kbc_arena_alloc(a, len + 1);
        if (len)
                memcpy(p, s, len);
        p[len] = '\0';
        return p;
}

char *kbc_arena_strdup(kbc_arena *a, const char *s)
{
        return kbc_arena_strndup(a, s, strlen(s));
}

char *kbc_arena_printf(kbc_arena *a, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        char *p = kbc_arena_alloc(a, n > 0 ? (size_t)n + 1 : 1);
        va_start(ap, fmt);
        if (n > 0)
                vsnprintf(p, (size_t)n + 1, fmt, ap);
        va_end(ap);
        return p;
}

kbc_str kbc_arena_str(kbc_arena *a, kbc_str s)
{
        return kbc_str_make(kbc_arena_strndup(a, s.ptr, s.len), s.len);
}
