/*
 * handoff.h - correlation on a thread of its own, behind decoding: the
 * caller decodes an event, hands a copy over, and decodes the next while
 * the engine correlates. The engine sees every event in the order handed
 * over, so its incidents are the same, in the same order, as when it is
 * fed directly; they are raised on the handoff's thread. Used by
 * kbc_pipeline when kbc_pipeline_opts.threaded is set (`kbcorr replay`).
 */
#ifndef KBC_HANDOFF_H
#define KBC_HANDOFF_H

#include "kbc_engine.h"

typedef struct kbc_handoff kbc_handoff;

/* Starts the thread that feeds e. NULL if out of memory or threads. */
kbc_handoff *kbc_handoff_new(kbc_engine *e);
/* Drains, then stops and joins the thread. */
void kbc_handoff_free(kbc_handoff *h);
/* Queues a copy of ev for the engine (waits while the queue is full).
 * 0, or -1 if the event is too large to copy (then it is not fed). */
int kbc_handoff_push(kbc_handoff *h, const kbc_event *ev);
/* Returns once the engine has been fed everything pushed: the caller may
 * then use the engine itself until its next push. */
void kbc_handoff_drain(kbc_handoff *h);

#endif
