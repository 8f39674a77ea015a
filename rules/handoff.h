/*
 * handoff.h - ordered work on two threads: the caller fills slots (a
 * replay's raw messages), both the caller and a thread of the handoff's own
 * work on them (decode), and the handoff's thread finishes them one by one
 * in the order they were filled (correlate). Whichever thread would
 * otherwise wait does the work, so the two share it however it splits:
 * decoding heavy with few rules, matching heavy with the whole KB. Used by
 * kbc_pipeline when kbc_pipeline_opts.threaded is set (`kbcorr replay`).
 *
 * Slots are indices into the caller's own array of KBC_HANDOFF_SLOTS items.
 */
#ifndef KBC_HANDOFF_H
#define KBC_HANDOFF_H

#include <stddef.h>

#define KBC_HANDOFF_SLOTS 512

typedef struct kbc_handoff kbc_handoff;

/* work(opaque, slot, side) runs on the caller's thread (side 0) or the
 * handoff's (side 1), at most one call per side at a time; finish(opaque,
 * slot, 1) runs on the handoff's thread, in the order of the slots' commits,
 * after their work. */
typedef void kbc_handoff_fn(void *opaque, size_t slot, int side);

/* Starts the thread. NULL if out of memory or threads. */
kbc_handoff *kbc_handoff_new(kbc_handoff_fn *work, kbc_handoff_fn *finish,
                             void *opaque);
/* Finishes what is committed, then stops and joins the thread. */
void kbc_handoff_free(kbc_handoff *h);
/* The slot to fill next; while every slot is taken, works on committed
 * ones or waits. */
size_t kbc_handoff_reserve(kbc_handoff *h);
/* Queues the slot kbc_handoff_reserve gave. */
void kbc_handoff_commit(kbc_handoff *h);
/* Returns once every committed slot is finished: the caller may then use
 * what finish touches until its next commit. */
void kbc_handoff_drain(kbc_handoff *h);

#endif
