/*
 * offsets.c - a partition's at-least-once bookkeeping (offsets.h): a
 * doubly linked list of the items in flight, each counting the
 * acknowledgments it still waits for, and the safe offset drawn from it.
 */
#include <stdlib.h>

#include "offsets.h"

void kbcd_offsets_init(kbcd_offsets *o, void *owner)
{
        *o = (kbcd_offsets){.next = -1, .owner = owner};
}

void kbcd_offsets_restart(kbcd_offsets *o)
{
        o->next = -1;
}

void kbcd_offsets_consumed(kbcd_offsets *o, int64_t offset)
{
        o->next = offset + 1;
}

int64_t kbcd_offsets_safe(const kbcd_offsets *o, int64_t low_mark)
{
        if (o->next < 0)
                return -1;
        int64_t safe = o->next < low_mark ? o->next : low_mark;
        for (const kbcd_inflight *f = o->inflight; f; f = f->next)
                if (f->replay_from < safe)
                        safe = f->replay_from;
        return safe;
}

size_t kbcd_offsets_count(const kbcd_offsets *o)
{
        size_t n = 0;
        for (const kbcd_inflight *f = o->inflight; f; f = f->next)
                n++;
        return n;
}

kbcd_inflight *kbcd_inflight_new(kbcd_offsets *o, int64_t replay_from)
{
        kbcd_inflight *f = calloc(1, sizeof(*f));
        if (!f)
                return NULL;
        f->book = o;
        f->replay_from = replay_from;
        f->next = o->inflight;
        if (o->inflight)
                o->inflight->prev = f;
        o->inflight = f;
        f->waiting = 1; /* held while the sinks take it */
        return f;
}

/* Takes f out of its book: it holds the offset no more. */
static void unlink_item(kbcd_inflight *f)
{
        kbcd_offsets *o = f->book;
        if (!o)
                return;
        if (f->prev)
                f->prev->next = f->next;
        else
                o->inflight = f->next;
        if (f->next)
                f->next->prev = f->prev;
        f->book = NULL;
        f->prev = f->next = NULL;
}

void kbcd_inflight_take(kbcd_inflight *f)
{
        f->waiting++;
}

void kbcd_inflight_ack(kbcd_inflight *f)
{
        if (--f->waiting == 0) {
                unlink_item(f);
                free(f);
        }
}

bool kbcd_inflight_stick(kbcd_inflight *f)
{
        if (f->stuck || !f->book)
                return false;
        f->stuck = true;
        f->waiting++;
        return true;
}

void kbcd_offsets_drop_stuck(kbcd_offsets *o)
{
        for (kbcd_inflight *f = o->inflight, *next; f; f = next) {
                next = f->next;
                if (!f->stuck)
                        continue;
                /* A sink may still hold it (another sink refused it): it
                 * is freed with the last share. */
                unlink_item(f);
                f->stuck = false;
                if (--f->waiting <= 0) /* the share stick() took */
                        free(f);
        }
}

void kbcd_offsets_free(kbcd_offsets *o)
{
        while (o->inflight) {
                kbcd_inflight *f = o->inflight;
                o->inflight = f->next;
                free(f);
        }
}
