/*
 * handoff.c - a ring of slots in batches between the caller and one
 * thread (handoff.h).
 *
 * Why by hand: what matters is that the two sides meet rarely, and the
 * sharing of work, which no queue library offers. The caller publishes
 * slots by the batch (one lock per BATCH slots) and leaves AHEAD batches
 * for the thread to take; the thread finishes batches in order and, when
 * the next one is not worked yet, takes the oldest one nobody works on.
 * The lock thus costs a few nanoseconds per slot against the microseconds
 * of decoding and matching one (BENCHMARKS.md, "Threads").
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "handoff.h"

#define SLOTS KBC_HANDOFF_SLOTS
#define BATCH 32
#define AHEAD 2 /* published batches the caller leaves to the thread */

typedef enum { READY, WORKING, DONE } batch_state;

typedef struct batch {
        size_t from, to; /* slots, counted since the start */
        batch_state state;
} batch;

struct kbc_handoff {
        kbc_handoff_fn *work, *finish;
        void *opaque;
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t wake, room; /* the thread's and the caller's */
        /* the caller's own: slots committed, slots in published batches */
        size_t written, closed;
        /* slots finished, written by the thread under the lock; the
         * caller peeks at it without the lock to see room */
        atomic_size_t finished;
        /* under the lock: batches published, finished, and ready (published,
         * nobody working on them); each holds a slot at least, so no more
         * than SLOTS are out at once */
        size_t nclosed, nfinished, nready;
        bool quit;
        batch batches[SLOTS];
};

/* Publishes what the caller committed since the last batch. */
static void publish(kbc_handoff *h)
{
        if (h->written == h->closed)
                return;
        h->batches[h->nclosed % SLOTS] = (batch){h->closed, h->written, READY};
        h->nclosed++;
        h->nready++;
        h->closed = h->written;
        pthread_cond_signal(&h->wake);
}

/* The oldest batch nobody works on, now the caller's; NULL if none. */
static batch *claim(kbc_handoff *h)
{
        if (!h->nready)
                return NULL;
        for (size_t n = h->nfinished; n != h->nclosed; n++) {
                batch *b = &h->batches[n % SLOTS];
                if (b->state == READY) {
                        b->state = WORKING;
                        h->nready--;
                        return b;
                }
        }
        return NULL;
}

/* Works on b's slots outside the lock, held on entry and return. */
static void work_batch(kbc_handoff *h, batch *b, int side)
{
        size_t from = b->from, to = b->to;
        pthread_mutex_unlock(&h->lock);
        for (size_t i = from; i != to; i++)
                h->work(h->opaque, i % SLOTS, side);
        pthread_mutex_lock(&h->lock);
        b->state = DONE;
        pthread_cond_signal(&h->wake); /* the thread may wait for it */
}

static void *run(void *arg)
{
        kbc_handoff *h = arg;
        pthread_mutex_lock(&h->lock);
        for (;;) {
                batch *next = &h->batches[h->nfinished % SLOTS], *b;
                if (h->nfinished != h->nclosed && next->state == DONE) {
                        size_t from = next->from, to = next->to;
                        pthread_mutex_unlock(&h->lock);
                        for (size_t i = from; i != to; i++)
                                h->finish(h->opaque, i % SLOTS, 1);
                        pthread_mutex_lock(&h->lock);
                        h->nfinished++;
                        atomic_store(&h->finished, to);
                        pthread_cond_signal(&h->room);
                } else if ((b = claim(h)))
                        work_batch(h, b, 1);
                else if (h->quit && h->nfinished == h->nclosed)
                        break;
                else
                        pthread_cond_wait(&h->wake, &h->lock);
        }
        pthread_mutex_unlock(&h->lock);
        return NULL;
}

kbc_handoff *kbc_handoff_new(kbc_handoff_fn *work, kbc_handoff_fn *finish,
                             void *opaque)
{
        kbc_handoff *h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;
        h->work = work;
        h->finish = finish;
        h->opaque = opaque;
        pthread_mutex_init(&h->lock, NULL);
        pthread_cond_init(&h->wake, NULL);
        pthread_cond_init(&h->room, NULL);
        if (pthread_create(&h->thread, NULL, run, h)) {
                pthread_mutex_destroy(&h->lock);
                pthread_cond_destroy(&h->wake);
                pthread_cond_destroy(&h->room);
                free(h);
                return NULL;
        }
        return h;
}

/* With the lock held: works on ready batches, else waits for the thread
 * to finish one, until at most left committed slots are unfinished. */
static void settle_to(kbc_handoff *h, size_t left)
{
        publish(h);
        while (h->written - atomic_load(&h->finished) > left) {
                batch *b = claim(h);
                if (b)
                        work_batch(h, b, 0);
                else
                        pthread_cond_wait(&h->room, &h->lock);
        }
}

size_t kbc_handoff_reserve(kbc_handoff *h)
{
        if (h->written - atomic_load(&h->finished) == SLOTS) {
                pthread_mutex_lock(&h->lock);
                settle_to(h, SLOTS - 1);
                pthread_mutex_unlock(&h->lock);
        }
        return h->written % SLOTS;
}

void kbc_handoff_commit(kbc_handoff *h)
{
        if (++h->written - h->closed < BATCH)
                return;
        pthread_mutex_lock(&h->lock);
        publish(h);
        while (h->nready > AHEAD)
                work_batch(h, claim(h), 0);
        pthread_mutex_unlock(&h->lock);
}

void kbc_handoff_drain(kbc_handoff *h)
{
        pthread_mutex_lock(&h->lock);
        settle_to(h, 0);
        pthread_mutex_unlock(&h->lock);
}

void kbc_handoff_free(kbc_handoff *h)
{
        if (!h)
                return;
        /* the thread works and finishes what is left before it sees quit */
        pthread_mutex_lock(&h->lock);
        publish(h);
        h->quit = true;
        pthread_cond_signal(&h->wake);
        pthread_mutex_unlock(&h->lock);
        pthread_join(h->thread, NULL);
        pthread_mutex_destroy(&h->lock);
        pthread_cond_destroy(&h->wake);
        pthread_cond_destroy(&h->room);
        free(h);
}
