/*
 * test_bin.c - the rule bundle's binary encoding (kbc_bin.h): what is
 * written reads back, and a reader given too little, a NUL in a string or
 * a hostile count goes bad once, at the first failing read, and then
 * returns zeros; the reason and the offset name where it stopped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_bin.h"

static void round_trip(void **state)
{
        (void)state;
        kbc_buf b;
        kbc_buf_init(&b, 1 << 20);
        kbc_bin_put_u8(&b, 0xAB);
        kbc_bin_put_u32(&b, 0x01020304);
        kbc_bin_put_u64(&b, 0x1122334455667788ull);
        kbc_bin_put_f64(&b, -0.1);
        kbc_bin_put_str(&b, "Q247773");
        kbc_bin_put_str(&b, NULL);
        kbc_bin_put_str(&b, "");
        kbc_bin_put_u8(&b, 1);
        /* little-endian on every machine */
        assert_memory_equal(b.data + 1, "\x04\x03\x02\x01", 4);

        kbc_bin_reader r;
        kbc_bin_reader_init(&r, b.data, b.len);
        assert_int_equal(kbc_bin_get_u8(&r), 0xAB);
        assert_int_equal(kbc_bin_get_u32(&r), 0x01020304);
        assert_true(kbc_bin_get_u64(&r) == 0x1122334455667788ull);
        assert_true(kbc_bin_get_f64(&r) == -0.1);
        const char *p;
        size_t len;
        assert_true(kbc_bin_get_str(&r, &p, &len));
        assert_int_equal(len, 7);
        assert_memory_equal(p, "Q247773", 7);
        assert_false(kbc_bin_get_str(&r, &p, &len)); /* absent */
        assert_true(kbc_bin_get_str(&r, &p, &len));  /* present, empty */
        assert_int_equal(len, 0);
        assert_true(kbc_bin_get_bool(&r));
        assert_null(r.bad);
        assert_int_equal(kbc_bin_left(&r), 0);
        kbc_buf_free(&b);
}

/* The first read that cannot be satisfied makes the reader bad; later
 * reads return zeros and keep the first reason and offset. */
static void short_input_is_sticky(void **state)
{
        (void)state;
        const unsigned char in[] = {1, 2, 3, 4, 5, 6};
        kbc_bin_reader r;
        kbc_bin_reader_init(&r, in, sizeof(in));
        assert_int_equal(kbc_bin_get_u32(&r), 0x04030201);
        assert_null(r.bad);
        assert_int_equal(kbc_bin_get_u32(&r), 0); /* 2 bytes left */
        assert_non_null(r.bad);
        const char *why = r.bad;
        assert_int_equal(r.bad_at, 4);
        assert_int_equal(kbc_bin_get_u8(&r), 0); /* even one byte */
        assert_ptr_equal(r.bad, why);
        assert_int_equal(r.bad_at, 4);
}

static void bad_strings_and_bools(void **state)
{
        (void)state;
        kbc_buf b;
        kbc_buf_init(&b, 1 << 20);
        kbc_bin_put_u32(&b, 3);
        kbc_buf_append(&b, "a\0b", 3); /* a NUL inside */
        kbc_bin_reader r;
        const char *p;
        size_t len;
        kbc_bin_reader_init(&r, b.data, b.len);
        kbc_bin_get_str(&r, &p, &len);
        assert_non_null(r.bad);

        kbc_buf_reset(&b);
        kbc_bin_put_u32(&b, 100); /* runs past the end */
        kbc_buf_append(&b, "abc", 3);
        kbc_bin_reader_init(&r, b.data, b.len);
        kbc_bin_get_str(&r, &p, &len);
        assert_non_null(r.bad);

        const unsigned char two = 2;
        kbc_bin_reader_init(&r, &two, 1);
        kbc_bin_get_bool(&r);
        assert_non_null(r.bad);
        kbc_buf_free(&b);
}

/* A count is bad when the input left could not hold that many elements of
 * their least size, so a hostile count never sizes an allocation. */
static void hostile_counts(void **state)
{
        (void)state;
        kbc_buf b;
        kbc_buf_init(&b, 1 << 20);
        kbc_bin_put_u32(&b, 4);
        kbc_buf_append(&b, "12345678", 8); /* room for 4 of 2 bytes */
        kbc_bin_reader r;
        kbc_bin_reader_init(&r, b.data, b.len);
        assert_int_equal(kbc_bin_get_count(&r, 2, NULL), 4);
        assert_null(r.bad);
        kbc_bin_reader_init(&r, b.data, b.len);
        assert_int_equal(kbc_bin_get_count(&r, 3, NULL), 0); /* 12 > 8 */
        assert_non_null(r.bad);

        kbc_buf_reset(&b);
        kbc_bin_put_u32(&b, KBC_BIN_ABSENT);
        bool absent = false;
        kbc_bin_reader_init(&r, b.data, b.len);
        assert_int_equal(kbc_bin_get_count(&r, 1, &absent), 0);
        assert_true(absent);
        assert_null(r.bad);
        kbc_bin_reader_init(&r, b.data, b.len); /* absence not allowed */
        kbc_bin_get_count(&r, 1, NULL);
        assert_non_null(r.bad);
        kbc_buf_free(&b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(round_trip),
            cmocka_unit_test(short_input_is_sticky),
            cmocka_unit_test(bad_strings_and_bools),
            cmocka_unit_test(hostile_counts),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
