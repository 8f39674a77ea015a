/*
 * winlogbeat.c - Winlogbeat 7/8 ECS JSON (what its Kafka output sends) to
 * the normalized event.
 *
 * The message has already been tokenized by decode.c; this file only looks
 * members up by name and takes views, so it allocates and copies nothing
 * (strings with escapes are unescaped into the parser's scratch).
 *
 * Where the fields come from:
 *   time      @timestamp (RFC 3339, UTC)
 *   host      winlog.computer_name, else host.name, else agent.hostname
 *   channel   winlog.channel          provider  winlog.provider_name
 *   event id  winlog.event_id (a number in 7, a string in 8), else
 *             event.code
 *   record id winlog.record_id (number or string; optional)
 *   level     log.level               message   message (optional: some
 *                                               providers have none)
 *   fields    winlog.event_data, then winlog.user_data, read as every
 *             JSON shape's event data is (event_data.c): name -> value,
 *             numbers and booleans as written, null as an empty value.
 * An event without an event id, a time or a host cannot be correlated, so
 * each of those is a decode error rather than a half-filled event.
 */
#include <stdint.h>

#include "formats.h"
#include "kbc_time.h"

#define WLB "winlogbeat: "

bool kbc_winlogbeat_detect(const kbc_json *j)
{
        int wl = kbc_json_find(j, 0, KBC_STR_LIT("winlog"));
        return kbc_json_typeof(j, wl) == KBC_JSON_OBJECT;
}

/* The value at obj.a.b, or -1. */
static int find2(const kbc_json *j, int obj, kbc_str a, kbc_str b)
{
        return kbc_json_find(j, kbc_json_find(j, obj, a), b);
}

/* Sets *out to the text of tok when it is a scalar; leaves it alone when
 * tok is absent, null or a container. -1 only for a string that cannot be
 * unescaped, which is reported as an error naming the field. */
static int opt_text(kbc_json *j, int tok, kbc_str *out, const char *what,
                    char *errstr, size_t errsize)
{
        kbc_str s;
        int rc = kbc_json_text(j, tok, &s);
        if (rc == KBC_JSON_OK) {
                *out = s;
                return 0;
        }
        if (rc == KBC_JSON_ETYPE)
                return 0;
        return kbc_errf(errstr, errsize, WLB "invalid string in %s", what);
}

static int decode_time(kbc_json *j, kbc_event *ev, char *errstr, size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        int ts = kbc_json_find(j, 0, KBC_STR_LIT("@timestamp"));
        kbc_str s;
        if (ts < 0)
                return kbc_errf(errstr, errsize, WLB "missing @timestamp");
        if (kbc_json_text(j, ts, &s) != KBC_JSON_OK ||
            kbc_time_parse_iso(s, 0, &ev->time_ms))
                return kbc_errf(errstr, errsize,
                                WLB "unparseable @timestamp \"%s\"",
                                kbc_fmt_preview(kbc_json_raw(j, ts), pv));
        return 0;
}

static int decode_event_id(kbc_json *j, int wl, kbc_event *ev, char *errstr,
                           size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        const char *what = "winlog.event_id";
        int id = kbc_json_find(j, wl, KBC_STR_LIT("event_id"));
        if (id < 0) {
                what = "event.code";
                id = find2(j, 0, KBC_STR_LIT("event"), KBC_STR_LIT("code"));
        }
        if (id < 0)
                return kbc_errf(errstr, errsize, WLB "missing winlog.event_id");
        int64_t v;
        if (kbc_json_int(j, id, &v) || v < 0 || v > UINT32_MAX)
                return kbc_errf(errstr, errsize,
                                WLB "%s is not an event id: \"%s\"", what,
                                kbc_fmt_preview(kbc_json_raw(j, id), pv));
        ev->event_id = (uint32_t)v;
        ev->has_event_id = true;
        return 0;
}

/* The first non-empty of the three places Winlogbeat versions put it. */
static int decode_host(kbc_json *j, int wl, kbc_event *ev, char *errstr,
                       size_t errsize)
{
        int cand[3] = {
            kbc_json_find(j, wl, KBC_STR_LIT("computer_name")),
            find2(j, 0, KBC_STR_LIT("host"), KBC_STR_LIT("name")),
            find2(j, 0, KBC_STR_LIT("agent"), KBC_STR_LIT("hostname")),
        };
        for (int i = 0; i < 3; i++) {
                kbc_str s = {0};
                if (opt_text(j, cand[i], &s, "the host name", errstr, errsize))
                        return -1;
                if (s.len > 0) {
                        ev->host = s;
                        return 0;
                }
        }
        return kbc_errf(errstr, errsize,
                        WLB "missing host (winlog.computer_name, "
                            "host.name, agent.hostname)");
}

/* A record id that is present but not a non-negative integer is left out
 * rather than failing the event: only evidence listings show it. */
static void decode_record_id(kbc_json *j, int wl, kbc_event *ev)
{
        int64_t v;
        int rid = kbc_json_find(j, wl, KBC_STR_LIT("record_id"));
        if (rid >= 0 && kbc_json_int(j, rid, &v) == KBC_JSON_OK && v >= 0) {
                ev->record_id = (uint64_t)v;
                ev->has_record_id = true;
        }
}

int kbc_winlogbeat_decode(kbc_json *j, kbc_fmt_opts *o, kbc_event *ev,
                          char *errstr, size_t errsize)
{
        /* Every Winlogbeat time carries its zone: o serves the event
         * data only. */
        int wl = kbc_json_find(j, 0, KBC_STR_LIT("winlog"));
        if (kbc_json_typeof(j, wl) != KBC_JSON_OBJECT)
                return kbc_errf(errstr, errsize, WLB "missing winlog object");

        if (decode_event_id(j, wl, ev, errstr, errsize) ||
            decode_time(j, ev, errstr, errsize) ||
            decode_host(j, wl, ev, errstr, errsize))
                return -1;

        int channel = kbc_json_find(j, wl, KBC_STR_LIT("channel"));
        int provider = kbc_json_find(j, wl, KBC_STR_LIT("provider_name"));
        int level = find2(j, 0, KBC_STR_LIT("log"), KBC_STR_LIT("level"));
        int message = kbc_json_find(j, 0, KBC_STR_LIT("message"));
        if (opt_text(j, channel, &ev->channel, "winlog.channel", errstr,
                     errsize) ||
            opt_text(j, provider, &ev->provider, "winlog.provider_name", errstr,
                     errsize) ||
            opt_text(j, level, &ev->level, "log.level", errstr, errsize) ||
            opt_text(j, message, &ev->message, "message", errstr, errsize))
                return -1;
        decode_record_id(j, wl, ev);

        int ed = kbc_json_find(j, wl, KBC_STR_LIT("event_data"));
        int ud = kbc_json_find(j, wl, KBC_STR_LIT("user_data"));
        return kbc_fmt_event_data(j, ed, o, ev, "winlogbeat", errstr,
                                  errsize) ||
               kbc_fmt_event_data(j, ud, o, ev, "winlogbeat", errstr, errsize);
}
