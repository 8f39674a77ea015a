/*
 * fluentbit.c - Fluent Bit's winevtlog input (plugins/in_winevtlog/pack.c)
 * to the normalized event, in its msgpack form (the kafka output's format
 * msgpack). Its JSON form is one of the flat shapes (shapes.c) and reads
 * the same members through the alias table.
 *
 * The record is a map with these members (all from the System part except
 * Message and StringInserts):
 *   time      TimeCreated, "YYYY-MM-DD HH:MM:SS +hhmm" (local time with
 *             its offset; ISO 8601 also accepted); if absent or
 *             unreadable, the Fluent Bit record timestamp (msgpack forms)
 *   host      Computer                 channel  Channel
 *   provider  ProviderName             event id EventID (number or string)
 *   record id EventRecordID            level    Level (a number, named as
 *                                               Winlogbeat names it)
 *   message   Message                  fields   StringInserts[] as
 *                                               param1..paramN
 * The msgpack form is detected by its first byte,
 * a map or an array, and the record may be the plain map, Fluent Bit's
 * [timestamp, map] or its newer [[timestamp, metadata], map].
 *
 * msgpack: msgpack-c's msgpack_unpack builds the object tree in a zone
 * that is cleared, not freed, between messages, and its strings point
 * into the message. Before unpacking, kbc_msgpack_span (msgpack_span.c)
 * checks that every container's element count fits in the bytes that
 * remain: msgpack-c allocates a container's elements from its header's
 * count before reading them, so "array of 4 billion" in five bytes would
 * otherwise ask for 96 GB. Numbers that must become text (an integer insert)
 * are printed into a buffer in the state, one slot per field.
 */
#include <inttypes.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "kbc_msgpack.h"
#include "kbc_time.h"

#define FMT "fluentbit"

/* A first chunk that holds any real event's tree: ~30 members plus the
 * inserts at 24-32 bytes each. Larger messages grow the zone. */
#define ZONE_CHUNK (64 * 1024)
#define NUM_SLOT   32

struct kbc_msgpack_state {
        msgpack_zone zone;
        char num[KBC_EVENT_MAX_FIELDS + 8][NUM_SLOT];
        size_t nnum;
};

/* ---- msgpack form ------------------------------------------------------ */

kbc_msgpack_state *kbc_msgpack_state_new(void)
{
        kbc_msgpack_state *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        if (!msgpack_zone_init(&s->zone, ZONE_CHUNK)) {
                free(s);
                return NULL;
        }
        return s;
}

void kbc_msgpack_state_free(kbc_msgpack_state *s)
{
        if (!s)
                return;
        msgpack_zone_destroy(&s->zone);
        free(s);
}

static uint32_t be(const unsigned char *p, int n)
{
        uint32_t v = 0;
        for (int i = 0; i < n; i++)
                v = v << 8 | p[i];
        return v;
}

static kbc_str mp_str(const msgpack_object *o)
{
        if (o->type == MSGPACK_OBJECT_STR)
                return kbc_str_make(o->via.str.size ? o->via.str.ptr : "",
                                    o->via.str.size);
        return kbc_str_make("", 0);
}

/* A scalar as text: strings as they are, numbers and booleans printed
 * into the next number slot. Empty for nil and containers. */
static kbc_str mp_text(kbc_msgpack_state *s, const msgpack_object *o)
{
        if (o->type == MSGPACK_OBJECT_STR)
                return mp_str(o);
        if (s->nnum >= sizeof(s->num) / sizeof(s->num[0]))
                return kbc_str_make("", 0);
        char *b = s->num[s->nnum];
        int n;
        switch (o->type) {
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
                n = snprintf(b, NUM_SLOT, "%" PRIu64, o->via.u64);
                break;
        case MSGPACK_OBJECT_NEGATIVE_INTEGER:
                n = snprintf(b, NUM_SLOT, "%" PRId64, o->via.i64);
                break;
        case MSGPACK_OBJECT_BOOLEAN:
                n = snprintf(b, NUM_SLOT, "%s",
                             o->via.boolean ? "true" : "false");
                break;
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
                n = snprintf(b, NUM_SLOT, "%.17g", o->via.f64);
                break;
        default:
                return kbc_str_make("", 0);
        }
        s->nnum++;
        return kbc_str_make(b, n > 0 && n < NUM_SLOT ? (size_t)n : 0);
}

static const msgpack_object *mp_get(const msgpack_object *map, kbc_str key)
{
        for (uint32_t i = 0; i < map->via.map.size; i++) {
                const msgpack_object_kv *kv = &map->via.map.ptr[i];
                if (kv->key.type == MSGPACK_OBJECT_STR &&
                    kbc_str_eq(mp_str(&kv->key), key))
                        return &kv->val;
        }
        return NULL;
}

/* The Fluent Bit record timestamp: an integer or float of seconds, or
 * its EventTime extension (type 0: 4 bytes seconds, 4 bytes nanoseconds,
 * big-endian). */
static bool mp_record_time(const msgpack_object *o, int64_t *ms)
{
        switch (o->type) {
        case MSGPACK_OBJECT_POSITIVE_INTEGER:
                if (o->via.u64 > INT64_MAX / 1000)
                        return false;
                *ms = (int64_t)o->via.u64 * 1000;
                return true;
        case MSGPACK_OBJECT_FLOAT32:
        case MSGPACK_OBJECT_FLOAT64:
                if (!(o->via.f64 >= 0 && o->via.f64 < 1e15))
                        return false;
                *ms = (int64_t)(o->via.f64 * 1000);
                return true;
        case MSGPACK_OBJECT_EXT:
                if (o->via.ext.type != 0 || o->via.ext.size != 8)
                        return false;
                const unsigned char *p = (const unsigned char *)o->via.ext.ptr;
                *ms = (int64_t)be(p, 4) * 1000 + be(p + 4, 4) / 1000000;
                return true;
        default:
                return false;
        }
}

/* Finds the map in the three shapes; *ts is the record timestamp, if
 * any. */
static const msgpack_object *mp_record(const msgpack_object *root,
                                       const msgpack_object **ts)
{
        *ts = NULL;
        if (root->type == MSGPACK_OBJECT_MAP)
                return root;
        if (root->type != MSGPACK_OBJECT_ARRAY || root->via.array.size != 2 ||
            root->via.array.ptr[1].type != MSGPACK_OBJECT_MAP)
                return NULL;
        const msgpack_object *head = &root->via.array.ptr[0];
        if (head->type == MSGPACK_OBJECT_ARRAY && head->via.array.size >= 1)
                head = &head->via.array.ptr[0];
        *ts = head;
        return &root->via.array.ptr[1];
}

static int mp_event_id(kbc_msgpack_state *s, const msgpack_object *o,
                       kbc_event *ev, char *errstr, size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        if (!o)
                return kbc_errf(errstr, errsize, FMT ": missing EventID");
        kbc_str t = mp_text(s, o);
        if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER ||
            kbc_fmt_parse_u32(t, &ev->event_id))
                return kbc_errf(errstr, errsize,
                                FMT ": EventID is not an event id: \"%s\"",
                                kbc_fmt_preview(t, pv));
        ev->has_event_id = true;
        return 0;
}

static int mp_time(const msgpack_object *tc, const msgpack_object *ts,
                   const kbc_fmt_opts *o, kbc_event *ev, char *errstr,
                   size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        if (tc && tc->type == MSGPACK_OBJECT_STR &&
            kbc_fmt_time(mp_str(tc), o->local_offset_min, &ev->time_ms) == 0)
                return 0;
        if (ts && mp_record_time(ts, &ev->time_ms))
                return 0;
        if (!tc)
                return kbc_errf(errstr, errsize, FMT ": missing TimeCreated");
        return kbc_errf(errstr, errsize, FMT ": unparseable TimeCreated \"%s\"",
                        kbc_fmt_preview(mp_str(tc), pv));
}

int kbc_fluentbit_msgpack_decode(kbc_msgpack_state *s, const char *buf,
                                 size_t len, const kbc_fmt_opts *o,
                                 kbc_event *ev, char *errstr, size_t errsize)
{
        msgpack_object root;
        const msgpack_object *ts, *rec;
        size_t off = 0;
        int rc = -1;

        s->nnum = 0;
        msgpack_zone_clear(&s->zone);
        size_t n = 0;
        switch (kbc_msgpack_span(buf, len, &n)) {
        case KBC_MSGPACK_SHORT:
                kbc_errf(errstr, errsize,
                         FMT ": invalid msgpack (truncated, or a length "
                             "past the end)");
                goto out;
        case KBC_MSGPACK_BAD:
                kbc_errf(errstr, errsize,
                         FMT ": invalid msgpack (a 0xc1 byte, which msgpack "
                             "never uses)");
                goto out;
        case KBC_MSGPACK_WHOLE:
                break;
        }
        if (n != len) {
                kbc_errf(errstr, errsize,
                         FMT ": trailing data after the msgpack record at "
                             "byte %zu",
                         n);
                goto out;
        }
        msgpack_unpack_return ur =
            msgpack_unpack(buf, len, &off, &s->zone, &root);
        if (ur != MSGPACK_UNPACK_SUCCESS) {
                kbc_errf(errstr, errsize, FMT ": invalid msgpack (%s)",
                         ur == MSGPACK_UNPACK_NOMEM_ERROR
                             ? "out of memory"
                             : "nested too deep or malformed");
                goto out;
        }
        rec = mp_record(&root, &ts);
        if (!rec) {
                kbc_errf(errstr, errsize,
                         FMT ": msgpack is not a map, [time, map] or "
                             "[[time, meta], map]");
                goto out;
        }
        if (mp_event_id(s, mp_get(rec, KBC_STR_LIT("EventID")), ev, errstr,
                        errsize) ||
            mp_time(mp_get(rec, KBC_STR_LIT("TimeCreated")), ts, o, ev, errstr,
                    errsize))
                goto out;
        const msgpack_object *v = mp_get(rec, KBC_STR_LIT("Computer"));
        ev->host = v ? mp_str(v) : ev->host;
        if (ev->host.len == 0) {
                kbc_errf(errstr, errsize, FMT ": missing Computer");
                goto out;
        }
        if ((v = mp_get(rec, KBC_STR_LIT("Channel"))))
                ev->channel = mp_str(v);
        if ((v = mp_get(rec, KBC_STR_LIT("ProviderName"))))
                ev->provider = mp_str(v);
        if ((v = mp_get(rec, KBC_STR_LIT("Message"))))
                ev->message = mp_str(v);
        if ((v = mp_get(rec, KBC_STR_LIT("Level"))))
                ev->level = kbc_fmt_level_name(mp_text(s, v));
        if ((v = mp_get(rec, KBC_STR_LIT("EventRecordID")))) {
                uint32_t hi;
                kbc_str t = mp_text(s, v);
                if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
                        ev->record_id = v->via.u64;
                        ev->has_record_id = true;
                } else if (kbc_fmt_parse_u32(t, &hi) == 0) {
                        ev->record_id = hi;
                        ev->has_record_id = true;
                }
        }
        v = mp_get(rec, KBC_STR_LIT("StringInserts"));
        if (v && v->type == MSGPACK_OBJECT_ARRAY) {
                for (uint32_t i = 0; i < v->via.array.size; i++) {
                        const msgpack_object *it = &v->via.array.ptr[i];
                        if (it->type == MSGPACK_OBJECT_ARRAY ||
                            it->type == MSGPACK_OBJECT_MAP)
                                continue;
                        if (ev->nfields >= KBC_EVENT_MAX_FIELDS) {
                                ev->fields_dropped++;
                                continue;
                        }
                        kbc_fmt_add_field(ev, kbc_fmt_param_name(i),
                                          mp_text(s, it));
                }
        }
        rc = 0;

out:
        return rc;
}
