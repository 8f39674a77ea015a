/*
 * decode.c - kbc_decode: one message in, one normalized event out, with the
 * format detected per message (a topic may mix collectors) or forced.
 *
 * How: refuse what no format can be (too large, empty), then, for a message
 * that starts with '{', tokenize it once (json.c) and ask each JSON format's
 * cheap predicate in turn (formats.h). The decoder owns the token array and
 * the scratch buffer and reuses them, so decoding allocates nothing once
 * they have grown to the largest message seen. A decoder is not shared
 * between threads; make one per consumer thread.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "json.h"
#include "kbc_decode.h"
#include "kbc_time.h"

/* Larger messages are refused before any parsing: a Windows event is a few
 * KiB, and Kafka's default message.max.bytes is also 1 MiB. */
#define KBC_DECODE_MAX_MESSAGE (1024 * 1024)

struct kbc_decoder {
        kbc_json *json;
};

/* Tried in order on a JSON message in auto mode. */
static const kbc_json_format json_formats[] = {
    {KBC_FMT_WINLOGBEAT, kbc_winlogbeat_detect, kbc_winlogbeat_decode},
};
#define N_JSON_FORMATS (sizeof(json_formats) / sizeof(json_formats[0]))

static const char *const format_names[KBC_FMT__COUNT] = {
    [KBC_FMT_AUTO] = "auto",
    [KBC_FMT_WINLOGBEAT] = "winlogbeat",
};

const char *kbc_format_name(kbc_format f)
{
        if ((unsigned)f >= KBC_FMT__COUNT || !format_names[f])
                return "unknown";
        return format_names[f];
}

int kbc_format_parse(const char *name, kbc_format *out)
{
        if (!name)
                return -1;
        for (unsigned f = 0; f < KBC_FMT__COUNT; f++) {
                if (format_names[f] &&
                    kbc_str_caseeq(kbc_str_cstr(name),
                                   kbc_str_cstr(format_names[f]))) {
                        *out = (kbc_format)f;
                        return 0;
                }
        }
        return -1;
}

kbc_decoder *kbc_decoder_new(void)
{
        kbc_decoder *d = calloc(1, sizeof(*d));
        if (!d)
                return NULL;
        d->json = kbc_json_new(KBC_DECODE_MAX_MESSAGE);
        if (!d->json) {
                free(d);
                return NULL;
        }
        return d;
}

void kbc_decoder_free(kbc_decoder *d)
{
        if (!d)
                return;
        kbc_json_free(d->json);
        free(d);
}

const char *kbc_fmt_preview(kbc_str s, char buf[KBC_FMT_PREVIEW_SIZE])
{
        /* 40 output bytes, then "..." and the NUL: 44 <= 48. */
        enum { KEEP = 40 };
        static const char hex[] = "0123456789abcdef";
        size_t i = 0, o = 0;
        for (; i < s.len; i++) {
                unsigned char c = (unsigned char)s.ptr[i];
                bool plain = c >= 0x20 && c < 0x7f;
                if (o + (plain ? 1 : 4) > KEEP)
                        break;
                if (plain) {
                        buf[o++] = (char)c;
                } else {
                        /* Binary (msgpack, UTF-16) shows as \xNN. */
                        buf[o++] = '\\';
                        buf[o++] = 'x';
                        buf[o++] = hex[c >> 4];
                        buf[o++] = hex[c & 15];
                }
        }
        if (i < s.len) {
                memcpy(buf + o, "...", 3);
                o += 3;
        }
        buf[o] = '\0';
        return buf;
}

static bool is_ws(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The whole event is cleared except its origin (the caller's), and the
 * fields array, which nfields = 0 makes unreachable; clearing its 64
 * entries for every event would be most of the reset's cost. */
static void reset_event(kbc_event *ev)
{
        kbc_origin origin = ev->origin;
        ev->time_ms = KBC_TIME_NONE;
        ev->host = ev->channel = ev->provider = kbc_str_make("", 0);
        ev->level = ev->message = kbc_str_make("", 0);
        ev->event_id = 0;
        ev->has_event_id = ev->has_record_id = false;
        ev->record_id = 0;
        ev->nfields = ev->fields_dropped = 0;
        ev->origin = origin;
}

/* Picks the JSON format for a parsed message; NULL if none claims it. */
static const kbc_json_format *json_format(kbc_json *j, kbc_format forced)
{
        for (size_t i = 0; i < N_JSON_FORMATS; i++) {
                const kbc_json_format *f = &json_formats[i];
                if (forced == f->format ||
                    (forced == KBC_FMT_AUTO && f->detect(j)))
                        return f;
        }
        return NULL;
}

kbc_format kbc_decode(kbc_decoder *d, kbc_format forced, const char *buf,
                      size_t len, kbc_event *ev, char *errstr, size_t errsize)
{
        char jerr[160];
        const kbc_json_format *f;

        reset_event(ev);
        if (errstr && errsize)
                errstr[0] = '\0';
        if ((unsigned)forced >= KBC_FMT__COUNT) {
                kbc_errf(errstr, errsize, "unknown format %d", (int)forced);
                goto fail;
        }
        if (len > KBC_DECODE_MAX_MESSAGE) {
                kbc_errf(errstr, errsize,
                         "oversized message: %zu bytes (limit %d)", len,
                         KBC_DECODE_MAX_MESSAGE);
                goto fail;
        }
        /* A UTF-8 byte order mark, as PowerShell writes at a file's start. */
        if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3)) {
                buf += 3;
                len -= 3;
        }
        size_t first = 0;
        while (first < len && is_ws(buf[first]))
                first++;
        if (first == len) {
                kbc_errf(errstr, errsize, "empty message");
                goto fail;
        }

        if (buf[first] == '[') {
                kbc_errf(errstr, errsize, "%s: JSON array, not an object",
                         forced == KBC_FMT_AUTO ? "unrecognized format"
                                                : kbc_format_name(forced));
                goto fail;
        }
        if (buf[first] != '{') {
                char pv[KBC_FMT_PREVIEW_SIZE];
                kbc_errf(errstr, errsize, "%s: not JSON (starts with \"%s\")",
                         forced == KBC_FMT_AUTO ? "unrecognized format"
                                                : kbc_format_name(forced),
                         kbc_fmt_preview(kbc_str_make(buf + first, len - first),
                                         pv));
                goto fail;
        }
        if (kbc_json_parse(d->json, buf, len, jerr, sizeof(jerr))) {
                /* Forced: say which format expected it. */
                kbc_errf(errstr, errsize, "%s%s%s",
                         forced == KBC_FMT_AUTO ? "" : kbc_format_name(forced),
                         forced == KBC_FMT_AUTO ? "" : ": ", jerr);
                goto fail;
        }
        f = json_format(d->json, forced);
        if (!f) {
                kbc_errf(errstr, errsize,
                         "unrecognized format: JSON without winlog member");
                goto fail;
        }
        if (f->decode(d->json, ev, errstr, errsize))
                goto fail;
        return f->format;

fail:
        reset_event(ev);
        return KBC_FMT_AUTO;
}
