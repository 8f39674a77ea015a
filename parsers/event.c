/*
 * event.c - helpers on the normalized event (kbc_event.h): resetting it,
 * looking up an EventData field by name, and printing where it came from.
 *
 * Absent strings are empty views with a non-NULL pointer, so that a
 * consumer may memcpy/memcmp/fwrite any view without a NULL check.
 */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "kbc_buf.h"
#include "kbc_event.h"
#include "kbc_time.h"

static const char empty[1] = "";

void kbc_event_reset(kbc_event *ev)
{
        memset(ev, 0, sizeof(*ev));
        ev->time_ms = KBC_TIME_NONE;
        ev->host = ev->channel = ev->provider = kbc_str_make(empty, 0);
        ev->level = ev->message = kbc_str_make(empty, 0);
}

/* s copied to store with a NUL after it, and pointed there; store has
 * room reserved, so nothing copied before moves. */
static void copy_view(kbc_buf *store, kbc_str *s)
{
        const char *at = store->data + store->len;
        kbc_buf_append(store, s->ptr, s->len);
        kbc_buf_putc(store, '\0');
        s->ptr = at;
}

int kbc_event_copy(kbc_event *dst, const kbc_event *src, kbc_buf *store)
{
        kbc_str *strs[] = {&dst->host, &dst->channel, &dst->provider,
                           &dst->level, &dst->message};
        size_t nstrs = sizeof(strs) / sizeof(*strs);
        size_t n = src->nfields < KBC_EVENT_MAX_FIELDS ? src->nfields
                                                       : KBC_EVENT_MAX_FIELDS;
        /* the scalars, and the views copied below only up to n fields */
        memcpy(dst, src, offsetof(kbc_event, fields));
        memcpy(dst->fields, src->fields, n * sizeof(kbc_field));
        dst->origin = src->origin;
        /* the reader's name for its input may not outlive the line */
        kbc_str source = kbc_str_cstr(src->origin.source);
        size_t need = source.len + 1;
        for (size_t i = 0; i < nstrs; i++)
                need += strs[i]->len + 1;
        for (size_t i = 0; i < n; i++)
                need += dst->fields[i].name.len + dst->fields[i].value.len + 2;
        kbc_buf_reset(store);
        if (kbc_buf_reserve(store, need))
                return -1;
        for (size_t i = 0; i < nstrs; i++)
                copy_view(store, strs[i]);
        for (size_t i = 0; i < n; i++) {
                copy_view(store, &dst->fields[i].name);
                copy_view(store, &dst->fields[i].value);
        }
        if (src->origin.source) {
                copy_view(store, &source);
                dst->origin.source = source.ptr;
        }
        return 0;
}

kbc_str kbc_event_field(const kbc_event *ev, kbc_str name)
{
        size_t n = ev->nfields < KBC_EVENT_MAX_FIELDS ? ev->nfields
                                                      : KBC_EVENT_MAX_FIELDS;
        for (size_t i = 0; i < n; i++)
                if (kbc_str_caseeq(ev->fields[i].name, name))
                        return ev->fields[i].value;
        return kbc_str_make(empty, 0);
}

bool kbc_event_reports_problem(const kbc_event *ev)
{
        static const kbc_str problem_levels[] = {KBC_STR_LIT("warning"),
                                                 KBC_STR_LIT("error"),
                                                 KBC_STR_LIT("critical")};
        /* Sources that only ever report a failure, at level Information:
         * the error dialogs Windows logs, and the crash records of NT 4.0
         * and 2000 (a STOP error after the reboot, an application crash). */
        static const kbc_str failure_sources[] = {
            KBC_STR_LIT("Application Popup"), KBC_STR_LIT("Save Dump"),
            KBC_STR_LIT("DrWatson")};
        if (!ev->level.len)
                return true;
        for (size_t i = 0;
             i < sizeof(failure_sources) / sizeof(*failure_sources); i++)
                if (kbc_str_caseeq(ev->provider, failure_sources[i]))
                        return true;
        for (size_t i = 0; i < sizeof(problem_levels) / sizeof(*problem_levels);
             i++)
                if (kbc_str_caseeq(ev->level, problem_levels[i]))
                        return true;
        return false;
}

/* UTF-8 continuation byte: never start a kept tail in the middle of a
 * character. */
static int is_cont(unsigned char c)
{
        return (c & 0xC0) == 0x80;
}

void kbc_origin_format(const kbc_origin *o, char *buf, size_t size)
{
        if (!buf || size == 0)
                return;
        buf[0] = '\0';
        if (!o || o->kind == KBC_ORIGIN_NONE) {
                snprintf(buf, size, "(unknown origin)");
                return;
        }

        /* The position part is short and the most useful (which line?),
         * so it is formatted first and always kept whole when it fits. */
        char pos[64];
        switch (o->kind) {
        case KBC_ORIGIN_FILE:
        case KBC_ORIGIN_INLINE:
                if (o->position > 0)
                        snprintf(pos, sizeof(pos), ":%" PRId64, o->position);
                else
                        pos[0] = '\0';
                break;
        case KBC_ORIGIN_RECORD:
                snprintf(pos, sizeof(pos), "#record %" PRId64, o->position);
                break;
        case KBC_ORIGIN_OBJECT:
                snprintf(pos, sizeof(pos), "#object %" PRId64, o->position);
                break;
        case KBC_ORIGIN_KAFKA:
                snprintf(pos, sizeof(pos), "/%" PRId32 "@%" PRId64,
                         o->partition, o->position);
                break;
        default:
                snprintf(pos, sizeof(pos), "?%" PRId64, o->position);
                break;
        }

        const char *src = o->source && o->source[0] ? o->source : "-";
        size_t slen = strlen(src), plen = strlen(pos);
        size_t room = size - 1; /* for the NUL */
        if (plen > room) {
                /* Not even the position fits: plain truncation. */
                memcpy(buf, pos, room);
                buf[room] = '\0';
                return;
        }
        if (slen + plen <= room) {
                memcpy(buf, src, slen);
                memcpy(buf + slen, pos, plen + 1);
                return;
        }

        /* A long path: keep its tail (the file name) behind "...". */
        static const char dots[] = "...";
        size_t keep = room - plen;
        size_t dlen = keep >= sizeof(dots) - 1 ? sizeof(dots) - 1 : keep;
        keep -= dlen;
        const char *tail = src + slen - keep;
        while (keep > 0 && is_cont((unsigned char)*tail)) {
                tail++;
                keep--;
        }
        char *p = buf;
        memcpy(p, dots, dlen);
        p += dlen;
        memcpy(p, tail, keep);
        p += keep;
        memcpy(p, pos, plen);
        p[plen] = '\0';
}

bool kbc_message_undescribed(kbc_str msg)
{
        static const char prefix[] = "The description for Event ID";
        return msg.len >= sizeof(prefix) - 1 &&
               kbc_str_caseeq(kbc_str_make(msg.ptr, sizeof(prefix) - 1),
                              kbc_str_cstr(prefix));
}
