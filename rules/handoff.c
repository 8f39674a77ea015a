/*
 * handoff.c - a single-producer, single-consumer ring of event copies
 * between the decoding caller and the correlating thread (handoff.h).
 *
 * Why by hand: the ring is forty lines and needs nothing a queue library
 * offers; what matters is that the two sides meet rarely. The producer
 * publishes in batches (one lock per BATCH events) and the consumer takes
 * everything published at once, so the lock costs a few nanoseconds per
 * event against the microseconds of decoding and matching it
 * (BENCHMARKS.md, "Replay on two cores").
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

#include "handoff.h"
#include "kbc_buf.h"
#include "kbc_decode.h"

#define SLOTS 512 /* a power of two */
#define BATCH 32

typedef struct slot {
        kbc_event ev;
        kbc_buf store; /* the event's strings */
} slot;

struct kbc_handoff {
        kbc_engine *engine;
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t fed, room;
        /* events published and events fed, counted since the start; the
         * producer peeks at tail without the lock to see room */
        size_t head;
        atomic_size_t tail;
        size_t written; /* the producer's own: written, not yet published */
        bool quit;
        slot slots[SLOTS];
};

static void *correlate(void *arg)
{
        kbc_handoff *h = arg;
        pthread_mutex_lock(&h->lock);
        for (;;) {
                while (h->tail == h->head && !h->quit)
                        pthread_cond_wait(&h->fed, &h->lock);
                if (h->tail == h->head)
                        break;
                size_t from = h->tail, to = h->head;
                pthread_mutex_unlock(&h->lock);
                for (size_t i = from; i != to; i++)
                        kbc_engine_feed(h->engine, &h->slots[i % SLOTS].ev);
                pthread_mutex_lock(&h->lock);
                h->tail = to;
                pthread_cond_signal(&h->room);
        }
        pthread_mutex_unlock(&h->lock);
        return NULL;
}

kbc_handoff *kbc_handoff_new(kbc_engine *e)
{
        kbc_handoff *h = calloc(1, sizeof(*h));
        if (!h)
                return NULL;
        h->engine = e;
        for (size_t i = 0; i < SLOTS; i++)
                kbc_buf_init(&h->slots[i].store, KBC_DECODE_MAX_MESSAGE * 2);
        pthread_mutex_init(&h->lock, NULL);
        pthread_cond_init(&h->fed, NULL);
        pthread_cond_init(&h->room, NULL);
        if (pthread_create(&h->thread, NULL, correlate, h)) {
                pthread_mutex_destroy(&h->lock);
                pthread_cond_destroy(&h->fed);
                pthread_cond_destroy(&h->room);
                free(h);
                return NULL;
        }
        return h;
}

/* Makes what was written visible to the consumer, then waits until at
 * most left of it is still to be fed. */
static void publish_wait(kbc_handoff *h, size_t left)
{
        pthread_mutex_lock(&h->lock);
        h->head = h->written;
        pthread_cond_signal(&h->fed);
        while (h->written - h->tail > left)
                pthread_cond_wait(&h->room, &h->lock);
        pthread_mutex_unlock(&h->lock);
}

int kbc_handoff_push(kbc_handoff *h, const kbc_event *ev)
{
        if (h->written - atomic_load(&h->tail) == SLOTS)
                publish_wait(h, SLOTS - 1); /* full: wait for one slot */
        slot *s = &h->slots[h->written % SLOTS];
        if (kbc_event_copy(&s->ev, ev, &s->store))
                return -1;
        if (++h->written - h->head >= BATCH)
                publish_wait(h, SLOTS); /* never waits */
        return 0;
}

void kbc_handoff_drain(kbc_handoff *h)
{
        publish_wait(h, 0);
}

void kbc_handoff_free(kbc_handoff *h)
{
        if (!h)
                return;
        /* the thread feeds what is left before it sees quit */
        pthread_mutex_lock(&h->lock);
        h->head = h->written;
        h->quit = true;
        pthread_cond_signal(&h->fed);
        pthread_mutex_unlock(&h->lock);
        pthread_join(h->thread, NULL);
        for (size_t i = 0; i < SLOTS; i++)
                kbc_buf_free(&h->slots[i].store);
        pthread_mutex_destroy(&h->lock);
        pthread_cond_destroy(&h->fed);
        pthread_cond_destroy(&h->room);
        free(h);
}
