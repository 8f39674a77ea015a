/*
 * workers.c - the pipeline threads and the queues that feed them
 * (workers.h says who owns what).
 */
#include <errno.h>
#include <stdlib.h>

#include "kbc_cores.h"
#include "kbcorrd.h"

/* Jobs a worker takes per round: one lock of its queue and one read lock
 * of the world per batch, not per message. */
#define WORKER_BATCH 256

static void take_batch(kbcd_worker *w, kbcd_job *batch, size_t *n)
{
        *n = 0;
        while (*n < WORKER_BATCH && w->len) {
                batch[(*n)++] = w->ring[w->head];
                w->head = (w->head + 1) % KBCD_WORKER_QUEUE;
                w->len--;
        }
        w->busy = *n;
        pthread_cond_signal(&w->room);
}

/* What /metrics shows: the worker's figures and those of the partitions
 * it fed (each once per run of its messages), read by the loop under the
 * worker's lock while the workers go on. */
static void publish(kbcd_worker *w, const kbcd_job *batch, size_t n)
{
        pthread_mutex_lock(&w->lock);
        w->published = w->figures;
        for (size_t i = 0; i < n; i++)
                if (batch[i].gen == batch[i].p->gen &&
                    (i + 1 == n || batch[i + 1].p != batch[i].p))
                        kbcd_part_publish(batch[i].p);
        pthread_mutex_unlock(&w->lock);
}

static void *worker_run(void *arg)
{
        kbcd_worker *w = arg;
        kbcd *d = w->d;
        kbcd_job batch[WORKER_BATCH];
        size_t n;
        pthread_mutex_lock(&w->lock);
        for (;;) {
                while (!w->len && !w->quit)
                        pthread_cond_wait(&w->more, &w->lock);
                if (w->quit)
                        break;
                take_batch(w, batch, &n);
                pthread_mutex_unlock(&w->lock);
                pthread_rwlock_rdlock(&d->world);
                for (size_t i = 0; i < n; i++)
                        if (batch[i].gen == batch[i].p->gen)
                                kbcd_part_feed(w, batch[i].p, batch[i].m);
                publish(w, batch, n);
                pthread_rwlock_unlock(&d->world);
                for (size_t i = 0; i < n; i++)
                        rd_kafka_message_destroy(batch[i].m);
                pthread_mutex_lock(&w->lock);
                w->busy = 0;
        }
        pthread_mutex_unlock(&w->lock);
        return NULL;
}

static int cores(void)
{
        int n = kbc_cores();
        return n > KBCD_MAX_WORKERS ? KBCD_MAX_WORKERS : n;
}

int kbcd_workers_start(kbcd *d)
{
        int n = d->cfg.workers ? d->cfg.workers : cores();
        d->workers = calloc((size_t)n, sizeof(*d->workers));
        if (!d->workers)
                return -1;
        for (int i = 0; i < n; i++) {
                kbcd_worker *w = &d->workers[i];
                w->d = d;
                pthread_mutex_init(&w->lock, NULL);
                pthread_cond_init(&w->more, NULL);
                pthread_cond_init(&w->room, NULL);
                int err = pthread_create(&w->thread, NULL, worker_run, w);
                if (err) {
                        kbcd_log("error", "cannot start worker %d: %s", i,
                                 strerror(err));
                        return -1;
                }
                d->nworkers++;
        }
        kbcd_log("info", "%zu pipeline workers", d->nworkers);
        return 0;
}

void kbcd_workers_stop(kbcd *d)
{
        for (size_t i = 0; i < d->nworkers; i++) {
                kbcd_worker *w = &d->workers[i];
                pthread_mutex_lock(&w->lock);
                bool running = !w->quit;
                w->quit = true;
                pthread_cond_signal(&w->more);
                pthread_mutex_unlock(&w->lock);
                if (running)
                        pthread_join(w->thread, NULL);
                for (; w->len; w->len--) {
                        rd_kafka_message_destroy(w->ring[w->head].m);
                        w->head = (w->head + 1) % KBCD_WORKER_QUEUE;
                }
        }
}

void kbcd_workers_free(kbcd *d)
{
        for (size_t i = 0; i < d->nworkers; i++) {
                kbcd_worker *w = &d->workers[i];
                pthread_mutex_destroy(&w->lock);
                pthread_cond_destroy(&w->more);
                pthread_cond_destroy(&w->room);
        }
        free(d->workers);
        d->workers = NULL;
        d->nworkers = 0;
}

kbcd_worker *kbcd_workers_pick(kbcd *d)
{
        kbcd_worker *best = &d->workers[0];
        for (size_t i = 1; i < d->nworkers; i++)
                if (d->workers[i].nparts < best->nparts)
                        best = &d->workers[i];
        return best;
}

bool kbcd_workers_push(kbcd_part *p, rd_kafka_message_t *m, int wait_ms)
{
        kbcd_worker *w = p->worker;
        pthread_mutex_lock(&w->lock);
        if (w->len == KBCD_WORKER_QUEUE) { /* rare: the clock only then */
                struct timespec until;
                clock_gettime(CLOCK_REALTIME, &until);
                until.tv_nsec += (long)wait_ms * 1000000L;
                until.tv_sec += until.tv_nsec / 1000000000L;
                until.tv_nsec %= 1000000000L;
                while (w->len == KBCD_WORKER_QUEUE &&
                       pthread_cond_timedwait(&w->room, &w->lock, &until) !=
                           ETIMEDOUT)
                        ;
        }
        bool queued = w->len < KBCD_WORKER_QUEUE;
        if (queued) {
                w->ring[(w->head + w->len) % KBCD_WORKER_QUEUE] =
                    (kbcd_job){m, p, p->gen};
                w->len++;
                pthread_cond_signal(&w->more);
        }
        pthread_mutex_unlock(&w->lock);
        return queued;
}

bool kbcd_workers_idle(kbcd *d)
{
        bool idle = true;
        for (size_t i = 0; i < d->nworkers && idle; i++) {
                kbcd_worker *w = &d->workers[i];
                pthread_mutex_lock(&w->lock);
                idle = !w->len && !w->busy;
                pthread_mutex_unlock(&w->lock);
        }
        return idle;
}
