/*
 * offsets.h - a partition's at-least-once bookkeeping: which offset is
 * safe to commit, given the next offset to read, the engine's low mark and
 * the items still in flight. Plain data and functions, no Kafka calls and
 * no locks: the caller serializes (kbcorrd holds its out lock around the
 * in-flight lists, workers.h), and unit tests drive it alone
 * (tests/test_offsets.c).
 *
 * The rule (kbcorrd.h): the safe offset is the lowest of the next offset to
 * read, the engine's low mark, and the replay_from of every item in flight.
 * An item (an incident or a dead letter) is in flight from the moment it is
 * written until every sink has acknowledged it. One that can never be
 * delivered is stuck: it holds its offset for good, until its partition is
 * revoked (whoever reads the partition next meets it again) or the process
 * restarts.
 */
#ifndef KBCD_OFFSETS_H
#define KBCD_OFFSETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct kbcd_offsets kbcd_offsets;

/* One incident or dead letter not yet acknowledged by every sink. */
typedef struct kbcd_inflight {
        kbcd_offsets *book;  /* whose offset it holds; NULL once let go */
        int64_t replay_from; /* offset to re-read from if it is lost */
        int waiting;         /* acknowledgments still to come */
        bool stuck;          /* cannot be delivered: held for good */
        struct kbcd_inflight *prev, *next;
} kbcd_inflight;

/* One partition's book. */
struct kbcd_offsets {
        int64_t next;            /* next offset to read; -1 = none read */
        kbcd_inflight *inflight; /* newest first */
        void *owner;             /* the caller's (its partition) */
};

/* An empty book, nothing read yet, for owner. */
void kbcd_offsets_init(kbcd_offsets *o, void *owner);
/* Nothing read since a (re)assignment: no offset is safe to store until a
 * message is. The items in flight stay. */
void kbcd_offsets_restart(kbcd_offsets *o);
/* The message at offset is handled (fed, or sent to the dead letters):
 * reading goes on after it. */
void kbcd_offsets_consumed(kbcd_offsets *o, int64_t offset);
/* The offset a restart must read from: the lowest of the next offset to
 * read, low_mark (kbc_engine_low_mark; INT64_MAX when the engine holds
 * nothing) and every item's replay_from. -1 when nothing was read. */
int64_t kbcd_offsets_safe(const kbcd_offsets *o, int64_t low_mark);
/* How many items are in the book. */
size_t kbcd_offsets_count(const kbcd_offsets *o);
/* At revocation: lets go of the stuck items, which no longer hold the
 * offset (each is freed once no sink holds it any more). The items still
 * waiting for their sinks stay. */
void kbcd_offsets_drop_stuck(kbcd_offsets *o);
/* At exit, after the sinks are closed: frees every item left. */
void kbcd_offsets_free(kbcd_offsets *o);

/* A new item in o replaying from replay_from, with one share (the
 * writer's, given back with kbcd_inflight_ack once every sink has taken
 * it). NULL when out of memory. */
kbcd_inflight *kbcd_inflight_new(kbcd_offsets *o, int64_t replay_from);
/* One more acknowledgment to come (a sink holds f). */
void kbcd_inflight_take(kbcd_inflight *f);
/* One acknowledgment given back; the last one frees f, which then no
 * longer holds the offset. */
void kbcd_inflight_ack(kbcd_inflight *f);
/* f can never be delivered: it keeps a share for good, so it holds its
 * offset until kbcd_offsets_drop_stuck. true the first time; false when f
 * is stuck already or let go (the caller then has nothing to report). */
bool kbcd_inflight_stick(kbcd_inflight *f);

#endif
