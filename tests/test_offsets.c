/*
 * test_offsets.c - kbcorrd's at-least-once bookkeeping (daemon/offsets.h):
 * the offset a partition may commit never passes what a restart must read
 * again (an unacknowledged incident, an event the engine still needs, the
 * next message), and it moves on as the sinks acknowledge.
 *
 * offsets.c is compiled into this test with cmocka's allocators
 * (UNIT_TESTING), so an item leaked or freed twice fails the test that
 * did it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#define UNIT_TESTING 1
#include <cmocka.h>

#include "../daemon/offsets.c"

/* The engine holds nothing. */
#define NO_LOW_MARK INT64_MAX

static int64_t safe(const kbcd_offsets *o)
{
        return kbcd_offsets_safe(o, NO_LOW_MARK);
}

/* Each test gets an empty book, and ends with every item freed: one left
 * allocated is a leak cmocka reports. */
static int book_new(void **state)
{
        static kbcd_offsets o;
        kbcd_offsets_init(&o, NULL);
        *state = &o;
        return 0;
}

/* Nothing read since the assignment: nothing may be stored, whatever the
 * engine or the sinks hold (the committed offset stays where it was). */
static void nothing_read_stores_nothing(void **state)
{
        kbcd_offsets *o = *state;
        int owner;
        kbcd_offsets_init(o, &owner);
        assert_ptr_equal(o->owner, &owner);
        assert_int_equal(safe(o), -1);
        assert_int_equal(kbcd_offsets_safe(o, 3), -1);
        kbcd_inflight *f = kbcd_inflight_new(o, 7);
        assert_int_equal(safe(o), -1);
        kbcd_offsets_consumed(o, 0);
        assert_int_equal(safe(o), 1);
        kbcd_offsets_restart(o); /* reassigned */
        assert_int_equal(safe(o), -1);
        kbcd_inflight_ack(f);
        assert_null(o->inflight);
}

/* With nothing held, the next offset to read: offset 0 read is 1 stored. */
static void reading_moves_it_on(void **state)
{
        kbcd_offsets *o = *state;
        kbcd_offsets_consumed(o, 0);
        assert_int_equal(safe(o), 1);
        kbcd_offsets_consumed(o, 41);
        assert_int_equal(safe(o), 42);
        assert_int_equal(kbcd_offsets_count(o), 0);
}

/* An event an open case still needs is read again after a restart. */
static void never_past_the_low_mark(void **state)
{
        kbcd_offsets *o = *state;
        kbcd_offsets_consumed(o, 99);
        assert_int_equal(kbcd_offsets_safe(o, 12), 12);
        assert_int_equal(kbcd_offsets_safe(o, 0), 0);
        assert_int_equal(kbcd_offsets_safe(o, 100), 100);
        assert_int_equal(kbcd_offsets_safe(o, 500), 100); /* not ahead */
        kbcd_inflight *f = kbcd_inflight_new(o, 30);
        assert_int_equal(kbcd_offsets_safe(o, 12), 12);
        assert_int_equal(kbcd_offsets_safe(o, 60), 30);
        kbcd_inflight_ack(f);
        assert_null(o->inflight);
}

/* An incident no sink has acknowledged yet holds the offset at its
 * replay_from, however far reading goes on. */
static void never_past_an_unacknowledged_incident(void **state)
{
        kbcd_offsets *o = *state;
        kbcd_offsets_consumed(o, 20);
        kbcd_inflight *f = kbcd_inflight_new(o, 15);
        kbcd_inflight_take(f); /* one sink holds it */
        kbcd_inflight_ack(f);  /* the writer's share */
        for (int64_t off = 21; off < 1000; off++) {
                kbcd_offsets_consumed(o, off);
                assert_int_equal(safe(o), 15);
        }
        assert_int_equal(kbcd_offsets_count(o), 1);
        kbcd_inflight_ack(f); /* delivered */
        assert_int_equal(safe(o), 1000);
        assert_int_equal(kbcd_offsets_count(o), 0);
}

/* A dead letter replays from its own message: read, it is still not
 * stored past until every sink has it. */
static void dead_letter_holds_its_message(void **state)
{
        kbcd_offsets *o = *state;
        kbcd_inflight *f = kbcd_inflight_new(o, 8);
        kbcd_offsets_consumed(o, 8);
        assert_int_equal(safe(o), 8);
        kbcd_inflight_ack(f);
        assert_int_equal(safe(o), 9);
}

/* Acknowledgments come in any order: the offset is held by the oldest
 * item still waiting, and moves forward as soon as it is acknowledged.
 * Three items replaying from 10, 20 and 30, 49 read, acknowledged in each
 * of the six orders (the list unlinks from its head, middle and tail). */
static void acks_in_any_order_move_it_forward(void **state)
{
        kbcd_offsets *o = *state;
        static const struct {
                int order[3];
                int64_t safe[3]; /* after each acknowledgment */
        } cases[] = {
            {{0, 1, 2}, {20, 30, 50}}, {{0, 2, 1}, {20, 20, 50}},
            {{1, 0, 2}, {10, 30, 50}}, {{1, 2, 0}, {10, 10, 50}},
            {{2, 0, 1}, {10, 20, 50}}, {{2, 1, 0}, {10, 10, 50}},
        };
        for (size_t c = 0; c < sizeof(cases) / sizeof(*cases); c++) {
                kbcd_inflight *f[3];
                for (int i = 0; i < 3; i++)
                        f[i] = kbcd_inflight_new(o, 10 * (i + 1));
                kbcd_offsets_consumed(o, 49);
                assert_int_equal(safe(o), 10);
                assert_int_equal(kbcd_offsets_count(o), 3);
                for (int i = 0; i < 3; i++) {
                        kbcd_inflight_ack(f[cases[c].order[i]]);
                        assert_int_equal(safe(o), cases[c].safe[i]);
                        assert_int_equal(kbcd_offsets_count(o), 2 - i);
                }
                assert_null(o->inflight);
        }
}

/* Every sink must acknowledge: one delivery of two is not enough. */
static void every_sink_must_acknowledge(void **state)
{
        kbcd_offsets *o = *state;
        kbcd_offsets_consumed(o, 3);
        kbcd_inflight *f = kbcd_inflight_new(o, 2);
        kbcd_inflight_take(f); /* Kafka */
        kbcd_inflight_take(f); /* a file */
        kbcd_inflight_ack(f);  /* written to both */
        assert_int_equal(safe(o), 2);
        kbcd_inflight_ack(f); /* the delivery report */
        assert_int_equal(safe(o), 2);
        kbcd_inflight_ack(f); /* the fsync */
        assert_int_equal(safe(o), 4);
}

/* An item that cannot be delivered holds its offset for good: the
 * refusing sink's acknowledgment and every other sink's do not free it. */
static void stuck_item_holds_its_offset(void **state)
{
        kbcd_offsets *o = *state;
        kbcd_inflight *f = kbcd_inflight_new(o, 40);
        kbcd_inflight_take(f); /* the sink that refuses it */
        kbcd_inflight_take(f); /* a sink that delivers it */
        kbcd_inflight_ack(f);  /* the writer's share */
        assert_true(kbcd_inflight_stick(f));
        assert_false(kbcd_inflight_stick(f)); /* reported once */
        kbcd_inflight_ack(f);                 /* the refusal's share */
        kbcd_inflight_ack(f);                 /* delivered elsewhere */
        kbcd_offsets_consumed(o, 77);
        assert_int_equal(safe(o), 40);
        assert_int_equal(kbcd_offsets_count(o), 1);
        assert_true(f->stuck);
        kbcd_offsets_free(o); /* exit: it is freed with its book */
}

/* At revocation the stuck items go (the next owner meets them again);
 * those still waiting for their sinks stay, and keep holding the offset
 * once the partition is assigned again. */
static void revocation_drops_stuck_items(void **state)
{
        kbcd_offsets *o = *state;
        kbcd_inflight *stuck = kbcd_inflight_new(o, 3);
        kbcd_inflight *waiting = kbcd_inflight_new(o, 9);
        kbcd_inflight *stuck2 = kbcd_inflight_new(o, 12);
        assert_true(kbcd_inflight_stick(stuck));
        assert_true(kbcd_inflight_stick(stuck2));
        kbcd_inflight_ack(stuck);
        kbcd_inflight_ack(stuck2);
        kbcd_offsets_consumed(o, 19);
        assert_int_equal(safe(o), 3);
        kbcd_offsets_drop_stuck(o); /* both freed: no sink holds them */
        assert_int_equal(kbcd_offsets_count(o), 1);
        kbcd_offsets_restart(o);
        assert_int_equal(safe(o), -1);
        kbcd_offsets_consumed(o, 25); /* assigned again, read on */
        assert_int_equal(safe(o), 9);
        kbcd_inflight_ack(waiting);
        assert_int_equal(safe(o), 26);
        assert_null(o->inflight);
}

/* A stuck item another sink still holds leaves the book at revocation
 * but lives until that sink gives its share back; it is reported stuck no
 * more. */
static void dropped_item_outlives_its_book(void **state)
{
        kbcd_offsets *o = *state;
        kbcd_inflight *keep = kbcd_inflight_new(o, 1);
        kbcd_inflight *f = kbcd_inflight_new(o, 4);
        kbcd_inflight_take(f); /* a sink still sending it */
        kbcd_inflight_ack(f);
        assert_true(kbcd_inflight_stick(f)); /* another refused it */
        kbcd_offsets_consumed(o, 5);
        kbcd_offsets_drop_stuck(o);
        assert_null(f->book);
        assert_false(f->stuck);
        assert_int_equal(kbcd_offsets_count(o), 1);
        assert_ptr_equal(o->inflight, keep);
        assert_false(kbcd_inflight_stick(f)); /* let go: nothing to stop */
        kbcd_inflight_ack(f);                 /* the last share frees it */
        assert_ptr_equal(o->inflight, keep);
        assert_int_equal(safe(o), 1);
        kbcd_inflight_ack(keep);
        assert_int_equal(safe(o), 6);
}

/* At exit every item left is freed, acknowledged or not. */
static void exit_frees_what_is_left(void **state)
{
        kbcd_offsets *o = *state;
        for (int i = 0; i < 5; i++)
                kbcd_inflight_take(kbcd_inflight_new(o, i));
        assert_int_equal(kbcd_offsets_count(o), 5);
        kbcd_offsets_free(o);
        assert_null(o->inflight);
        assert_int_equal(kbcd_offsets_count(o), 0);
}

#define BOOK_TEST(f) cmocka_unit_test_setup(f, book_new)

int main(void)
{
        const struct CMUnitTest tests[] = {
            BOOK_TEST(nothing_read_stores_nothing),
            BOOK_TEST(reading_moves_it_on),
            BOOK_TEST(never_past_the_low_mark),
            BOOK_TEST(never_past_an_unacknowledged_incident),
            BOOK_TEST(dead_letter_holds_its_message),
            BOOK_TEST(acks_in_any_order_move_it_forward),
            BOOK_TEST(every_sink_must_acknowledge),
            BOOK_TEST(stuck_item_holds_its_offset),
            BOOK_TEST(revocation_drops_stuck_items),
            BOOK_TEST(dropped_item_outlives_its_book),
            BOOK_TEST(exit_frees_what_is_left),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
