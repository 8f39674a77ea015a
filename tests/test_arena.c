/*
 * test_arena.c - the region allocator (kbc_arena.h): zeroed, aligned
 * memory, also after kbc_arena_reset, which the engine uses to reuse one
 * arena for every ranking.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_arena.h"

static void assert_zero(const unsigned char *p, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (p[i])
                        fail_msg("byte %zu of %zu is %u, not 0", i, n, p[i]);
}

/* Memory handed out after a reset is zeroed again, the first block's
 * as well as a large request's, and aligned to 16. */
static void reset_gives_zeroed_memory(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        for (int round = 0; round < 3; round++) {
                unsigned char *small = kbc_arena_alloc(a, 1000);
                unsigned char *big = kbc_arena_alloc(a, 200000);
                unsigned char *more = kbc_arena_alloc(a, 60000);
                assert_zero(small, 1000);
                assert_zero(big, 200000);
                assert_zero(more, 60000);
                assert_int_equal((uintptr_t)small % 16, 0);
                assert_int_equal((uintptr_t)big % 16, 0);
                assert_int_equal((uintptr_t)more % 16, 0);
                memset(small, 0xAB, 1000);
                memset(big, 0xAB, 200000);
                memset(more, 0xAB, 60000);
                kbc_arena_reset(a);
        }
        kbc_arena_reset(a); /* an empty arena too */
        assert_non_null(kbc_arena_alloc(a, 16));
        kbc_arena_free(a);
}

/* A reset arena that began with a large request holds no block. */
static void reset_after_large_first(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        unsigned char *big = kbc_arena_alloc(a, 100000);
        memset(big, 1, 100000);
        kbc_arena_reset(a);
        unsigned char *p = kbc_arena_alloc(a, 100000);
        assert_zero(p, 100000);
        kbc_arena_free(a);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(reset_gives_zeroed_memory),
            cmocka_unit_test(reset_after_large_first),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
