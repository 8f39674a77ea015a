/*
 * decode.c - kbc_decode: one message in, one normalized event out, with the
 * format detected per message (a topic may mix collectors) or forced.
 *
 * How: refuse what no format can be (too large, empty), then look at the
 * first bytes. A message that starts with '{' is tokenized once (json.c)
 * and each JSON format's cheap predicate is asked in turn (formats.h), the
 * configured mappings last; '<' and a letter goes to the XML decoder, '<'
 * and a digit is a syslog header (Snare); a msgpack map or array byte goes
 * to Fluent Bit's msgpack form; a line with a MSWinEventLog tab field is
 * Snare. The predicates are written so that no two formats claim the same
 * message (docs/input-formats.md lists them). After any decoder, the
 * well-known channel names are put in one case, so "security" from NXLog
 * and "Security" from Winlogbeat are the same channel downstream.
 *
 * The decoder owns the token array, the XML parser, the msgpack zone and
 * the scratch buffers and reuses them, so decoding allocates nothing once
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
#include "kbc_msgpack.h"
#include "kbc_time.h"

struct kbc_decoder {
        kbc_json *json;
        kbc_json *inner; /* event data sent as a JSON-encoded string */
        kbc_winxml *xml;
        kbc_msgpack_state *msgpack;
        kbc_mapping_set *mappings;
        kbc_fmt_opts opts;
        const char *last_mapping;
};

/* Asked in order on a JSON message in auto mode: Winlogbeat 7/8 (a
 * "winlog" object), then the flat shapes (shapes.c, whose predicates
 * exclude one another), then the configured mappings, then the generic
 * flat record (kbc_winjson_shape), so that a mapping can take a record
 * from the generic reader but never from a named shape. */
static const kbc_json_format *json_format(kbc_format f)
{
        static const kbc_json_format winlogbeat = {
            KBC_FMT_WINLOGBEAT, kbc_winlogbeat_detect, kbc_winlogbeat_decode};
        if (f == KBC_FMT_WINLOGBEAT)
                return &winlogbeat;
        if (f == KBC_FMT_WINJSON)
                return &kbc_winjson_shape;
        for (size_t i = 0; i < kbc_flat_nshapes; i++)
                if (kbc_flat_shapes[i].format == f)
                        return &kbc_flat_shapes[i];
        return NULL;
}

static const char *const format_names[KBC_FMT__COUNT] = {
    [KBC_FMT_AUTO] = "auto",
    [KBC_FMT_WINLOGBEAT] = "winlogbeat",
    [KBC_FMT_WINLOGBEAT6] = "winlogbeat6",
    [KBC_FMT_NXLOG] = "nxlog",
    [KBC_FMT_FLUENTBIT] = "fluentbit",
    [KBC_FMT_WINXML] = "winxml",
    [KBC_FMT_SNARE] = "snare",
    [KBC_FMT_MAPPED] = "mapped",
    [KBC_FMT_POWERSHELL] = "powershell",
    [KBC_FMT_LOGANALYTICS] = "loganalytics",
    [KBC_FMT_EVTXJSON] = "evtxjson",
    [KBC_FMT_WAZUH] = "wazuh",
    [KBC_FMT_WINJSON] = "winjson",
};

const char *kbc_part_name(kbc_part p)
{
        /* The keys of a mapping file (docs/input-formats.md). */
        static const char *const names[KBC_PART__COUNT] = {
            "time",      "host",  "provider", "channel",    "event_id",
            "record_id", "level", "message",  "event_data", "user_data"};
        return (unsigned)p < KBC_PART__COUNT ? names[p] : "unknown";
}

kbc_str kbc_decoder_part_source(const kbc_decoder *d, kbc_part p)
{
        if ((unsigned)p >= KBC_PART__COUNT || !d->opts.from_set ||
            d->opts.from_key[p] < 0)
                return kbc_str_make("", 0);
        return kbc_json_raw(d->json, d->opts.from_key[p]);
}

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
        d->inner = kbc_json_new(KBC_DECODE_MAX_MESSAGE);
        d->xml = kbc_winxml_new();
        d->msgpack = kbc_msgpack_state_new();
        d->mappings = kbc_mapping_set_new();
        /* Untouched pages cost nothing: most decoders never see XML
         * event data. */
        d->opts.scratch = malloc(KBC_DECODE_MAX_MESSAGE);
        d->opts.scratch_cap = KBC_DECODE_MAX_MESSAGE;
        d->opts.inner = d->inner;
        if (!d->json || !d->inner || !d->xml || !d->msgpack || !d->mappings ||
            !d->opts.scratch) {
                kbc_decoder_free(d);
                return NULL;
        }
        return d;
}

void kbc_decoder_free(kbc_decoder *d)
{
        if (!d)
                return;
        kbc_json_free(d->json);
        kbc_json_free(d->inner);
        free(d->opts.scratch);
        kbc_winxml_free(d->xml);
        kbc_msgpack_state_free(d->msgpack);
        kbc_mapping_set_free(d->mappings);
        free(d);
}

int kbc_decoder_set_local_offset(kbc_decoder *d, int minutes)
{
        if (minutes < -14 * 60 || minutes > 14 * 60)
                return -1;
        d->opts.local_offset_min = minutes;
        return 0;
}

int kbc_decoder_add_mapping(kbc_decoder *d, const char *name,
                            const kbc_json_mapping *m, char *errstr,
                            size_t errsize)
{
        return kbc_mapping_set_add(d->mappings, name, m, errstr, errsize);
}

void kbc_decoder_copy_mappings(kbc_decoder *dst, const kbc_decoder *src)
{
        kbc_mapping_set_copy(dst->mappings, src->mappings);
}

const char *kbc_decoder_last_mapping(const kbc_decoder *d)
{
        return d->last_mapping;
}

kbc_str kbc_fmt_param_name(size_t i)
{
        /* Built once at compile time: views of static storage, so a field
         * name never points into a buffer that changes. */
#define P10(t)                                                                 \
        "param" #t "0", "param" #t "1", "param" #t "2", "param" #t "3",        \
            "param" #t "4", "param" #t "5", "param" #t "6", "param" #t "7",    \
            "param" #t "8", "param" #t "9"
        static const char *const names[] = {
            "param0", "param1", "param2", "param3", "param4", "param5",
            "param6", "param7", "param8", "param9", P10(1),   P10(2),
            P10(3),   P10(4),   P10(5),   P10(6),   "param70"};
#undef P10
        if (i + 1 >= sizeof(names) / sizeof(names[0]))
                return KBC_STR_LIT("param");
        return kbc_str_cstr(names[i + 1]);
}

kbc_str kbc_fmt_level_name(kbc_str level)
{
        static const char *const numbered[] = {"information", "critical",
                                               "error",       "warning",
                                               "information", "verbose"};
        static const struct {
                kbc_str as_logged;
                const char *name;
        } named[] = {
            {KBC_STR_LIT("information"), "information"},
            {KBC_STR_LIT("informational"), "information"},
            {KBC_STR_LIT("info"), "information"},
            {KBC_STR_LIT("error"), "error"},
            {KBC_STR_LIT("err"), "error"},
            {KBC_STR_LIT("warning"), "warning"},
            {KBC_STR_LIT("warn"), "warning"},
            {KBC_STR_LIT("critical"), "critical"},
            {KBC_STR_LIT("crit"), "critical"},
            {KBC_STR_LIT("verbose"), "verbose"},
            {KBC_STR_LIT("debug"), "verbose"},
        };
        if (level.len == 1 && level.ptr[0] >= '0' && level.ptr[0] <= '5')
                return kbc_str_cstr(numbered[level.ptr[0] - '0']);
        for (size_t i = 0; i < sizeof(named) / sizeof(named[0]); i++)
                if (kbc_str_caseeq(level, named[i].as_logged))
                        return kbc_str_cstr(named[i].name);
        return level;
}

/* Epoch time as digits with an optional fraction, told by its size:
 * seconds, milliseconds, microseconds or nanoseconds (a time after
 * 1973 in each). */
static int epoch_time(kbc_str s, int64_t *out_ms)
{
        uint64_t v = 0, frac_ms = 0;
        size_t i = 0, nd = 0;
        for (; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9'; i++, nd++) {
                if (nd >= 19)
                        return -1;
                v = v * 10 + (uint64_t)(s.ptr[i] - '0');
        }
        if (!nd)
                return -1;
        if (i < s.len && s.ptr[i] == '.') {
                size_t f = 0;
                for (i++; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9';
                     i++, f++)
                        if (f < 3)
                                frac_ms =
                                    frac_ms * 10 + (uint64_t)(s.ptr[i] - '0');
                for (; f < 3; f++)
                        frac_ms *= 10;
        }
        if (i != s.len)
                return -1;
        if (v < 100000000000ULL)
                *out_ms = (int64_t)(v * 1000 + frac_ms);
        else if (v < 100000000000000ULL)
                *out_ms = (int64_t)v;
        else if (v < 100000000000000000ULL)
                *out_ms = (int64_t)(v / 1000);
        else
                *out_ms = (int64_t)(v / 1000000);
        return 0;
}

/* PowerShell 5.1's "/Date(1690000000000)/", milliseconds since the epoch
 * (a zone suffix such as "+0200" only says how to show it). */
static int ms_date(kbc_str s, int64_t *out_ms)
{
        static const kbc_str open = KBC_STR_LIT("/Date(");
        size_t i = open.len, start;
        bool neg = false;
        if (s.len < open.len + 3 || memcmp(s.ptr, open.ptr, open.len) ||
            memcmp(s.ptr + s.len - 2, ")/", 2))
                return -1;
        if (s.ptr[i] == '-') {
                neg = true;
                i++;
        }
        int64_t v = 0;
        for (start = i; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9'; i++) {
                if (i - start >= 16)
                        return -1;
                v = v * 10 + (s.ptr[i] - '0');
        }
        if (i == start)
                return -1;
        *out_ms = neg ? -v : v;
        return 0;
}

/* Up to max digits at s[*i] into *out; false when there are none. */
static bool digits(kbc_str s, size_t *i, size_t max, unsigned *out)
{
        size_t start = *i;
        *out = 0;
        while (*i < s.len && *i - start < max && s.ptr[*i] >= '0' &&
               s.ptr[*i] <= '9')
                *out = *out * 10 + (unsigned)(s.ptr[(*i)++] - '0');
        return *i > start;
}

static bool skip_char(kbc_str s, size_t *i, char c)
{
        if (*i >= s.len || s.ptr[*i] != c)
                return false;
        (*i)++;
        return true;
}

/* The Azure portal's and US-locale PowerShell's "9/21/2020, 7:39:49.123
 * PM" (month first; the comma, the seconds and the fraction optional),
 * rewritten as ISO 8601 into iso[64]. 0, or -1 when s is not one. */
static int us_time(kbc_str s, char iso[64])
{
        size_t i = 0;
        unsigned mo, d, y, h, mi, sec = 0, ms = 0, frac, nd = 0;
        if (!digits(s, &i, 2, &mo) || !skip_char(s, &i, '/') ||
            !digits(s, &i, 2, &d) || !skip_char(s, &i, '/') ||
            !digits(s, &i, 4, &y) || y < 1000)
                return -1;
        skip_char(s, &i, ',');
        if (!skip_char(s, &i, ' ') || !digits(s, &i, 2, &h) ||
            !skip_char(s, &i, ':') || !digits(s, &i, 2, &mi))
                return -1;
        if (skip_char(s, &i, ':') && !digits(s, &i, 2, &sec))
                return -1;
        if (skip_char(s, &i, '.'))
                for (; digits(s, &i, 1, &frac); nd++)
                        if (nd < 3)
                                ms = ms * 10 + frac;
        for (; nd < 3; nd++)
                ms *= 10;
        if (!skip_char(s, &i, ' ') || i + 2 != s.len ||
            kbc_ascii_lower(s.ptr[i + 1]) != 'm' || h < 1 || h > 12)
                return -1;
        char ap = kbc_ascii_lower(s.ptr[i]);
        if (ap != 'a' && ap != 'p')
                return -1;
        snprintf(iso, 64, "%04u-%02u-%02uT%02u:%02u:%02u.%03u", y, mo, d,
                 h % 12 + (ap == 'p' ? 12 : 0), mi, sec, ms);
        return 0;
}

int kbc_fmt_time(kbc_str s, int offset_min, int64_t *out_ms)
{
        char tmp[64];
        if (us_time(s, tmp) == 0)
                return kbc_time_parse_iso(kbc_str_cstr(tmp), offset_min,
                                          out_ms);
        if (s.len && s.ptr[0] == '/')
                return ms_date(s, out_ms);
        if (s.len >= 10 && s.len < sizeof(tmp) && s.ptr[4] == '/' &&
            s.ptr[7] == '/') {
                /* Fluentd's "2023/07/22 06:26:40.123 +0200". */
                memcpy(tmp, s.ptr, s.len);
                tmp[4] = tmp[7] = '-';
                s = kbc_str_make(tmp, s.len);
        }
        /* Fluent Bit: "2021-02-22 18:26:33 +0900": drop the space before
         * the zone, which ISO 8601 does not allow. */
        if (s.len >= 6 && s.len < sizeof(tmp) && s.ptr[s.len - 6] == ' ' &&
            (s.ptr[s.len - 5] == '+' || s.ptr[s.len - 5] == '-')) {
                memmove(tmp, s.ptr, s.len - 6);
                memmove(tmp + s.len - 6, s.ptr + s.len - 5, 5);
                s = kbc_str_make(tmp, s.len - 1);
        }
        if (kbc_time_parse_iso(s, offset_min, out_ms) == 0)
                return 0;
        return epoch_time(s, out_ms);
}

int64_t kbc_fmt_filetime_ms(uint64_t ft)
{
        /* 11644473600 s between 1601-01-01 and 1970-01-01. */
        return (int64_t)(ft / 10000) - 11644473600000LL;
}

int kbc_fmt_parse_u32(kbc_str s, uint32_t *out)
{
        size_t i = 0, n = s.len;
        while (i < n && s.ptr[i] == ' ')
                i++;
        while (n > i && s.ptr[n - 1] == ' ')
                n--;
        if (i == n || n - i > 10)
                return -1;
        uint64_t v = 0;
        for (; i < n; i++) {
                if (s.ptr[i] < '0' || s.ptr[i] > '9')
                        return -1;
                v = v * 10 + (uint64_t)(s.ptr[i] - '0');
        }
        if (v > UINT32_MAX)
                return -1;
        *out = (uint32_t)v;
        return 0;
}

int kbc_fmt_json_path(const kbc_json *j, int obj, const char *path)
{
        int tok = obj;
        const char *p = path;
        while (tok >= 0) {
                const char *dot = strchr(p, '.');
                size_t n = dot ? (size_t)(dot - p) : strlen(p);
                tok = kbc_json_find(j, tok, kbc_str_make(p, n));
                if (!dot)
                        return tok;
                p = dot + 1;
        }
        return -1;
}

int kbc_fmt_json_text(kbc_json *j, int tok, kbc_str *out, const char *fmt,
                      const char *what, char *errstr, size_t errsize)
{
        kbc_str s;
        int rc = kbc_json_text(j, tok, &s);
        if (rc == KBC_JSON_OK) {
                *out = s;
                return 0;
        }
        if (rc == KBC_JSON_ETYPE)
                return 0;
        return kbc_errf(errstr, errsize, "%s: invalid string in %s", fmt, what);
}

int kbc_fmt_json_event_id(const kbc_json *j, int tok, kbc_event *ev,
                          const char *fmt, const char *what, char *errstr,
                          size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        int64_t v;
        if (tok < 0)
                return kbc_errf(errstr, errsize, "%s: missing %s", fmt, what);
        if (kbc_json_int(j, tok, &v) || v < 0 || v > UINT32_MAX)
                return kbc_errf(errstr, errsize,
                                "%s: %s is not an event id: \"%s\"", fmt, what,
                                kbc_fmt_preview(kbc_json_raw(j, tok), pv));
        ev->event_id = (uint32_t)v;
        ev->has_event_id = true;
        return 0;
}

void kbc_fmt_json_record_id(const kbc_json *j, int tok, kbc_event *ev)
{
        int64_t v;
        if (tok >= 0 && kbc_json_int(j, tok, &v) == KBC_JSON_OK && v >= 0) {
                ev->record_id = (uint64_t)v;
                ev->has_record_id = true;
        }
}

int kbc_fmt_json_time(kbc_json *j, int tok, int offset_min, kbc_event *ev,
                      const char *fmt, const char *what, char *errstr,
                      size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        kbc_str s;
        if (tok < 0)
                return kbc_errf(errstr, errsize, "%s: missing %s", fmt, what);
        if (kbc_json_text(j, tok, &s) != KBC_JSON_OK ||
            kbc_fmt_time(s, offset_min, &ev->time_ms))
                return kbc_errf(errstr, errsize, "%s: unparseable %s \"%s\"",
                                fmt, what,
                                kbc_fmt_preview(kbc_json_raw(j, tok), pv));
        return 0;
}

int kbc_fmt_json_fields(kbc_json *j, int tok, kbc_event *ev, const char *fmt,
                        const char *what, char *errstr, size_t errsize)
{
        kbc_json_type ty = kbc_json_typeof(j, tok);
        if (ty == KBC_JSON_ARRAY) {
                size_t i = 0;
                int end = kbc_json_skip(j, tok);
                for (int t = tok + 1; t < end; t = kbc_json_skip(j, t), i++) {
                        kbc_json_type it = kbc_json_typeof(j, t);
                        if (it == KBC_JSON_OBJECT || it == KBC_JSON_ARRAY)
                                continue;
                        kbc_str value = kbc_str_make("", 0);
                        if (kbc_fmt_json_text(j, t, &value, fmt, what, errstr,
                                              errsize))
                                return -1;
                        kbc_fmt_add_field(ev, kbc_fmt_param_name(i), value);
                }
                return 0;
        }
        for (int k = kbc_json_first_key(j, tok); k >= 0;
             k = kbc_json_next_key(j, tok, k)) {
                kbc_str name, value = kbc_str_make("", 0);
                kbc_json_type vt = kbc_json_typeof(j, k + 1);
                if (vt == KBC_JSON_OBJECT || vt == KBC_JSON_ARRAY)
                        continue;
                if (ev->nfields >= KBC_EVENT_MAX_FIELDS) {
                        ev->fields_dropped++;
                        continue;
                }
                if (kbc_json_string(j, k, &name) != KBC_JSON_OK)
                        return kbc_errf(errstr, errsize,
                                        "%s: invalid key in %s", fmt, what);
                if (kbc_fmt_json_text(j, k + 1, &value, fmt, what, errstr,
                                      errsize))
                        return -1;
                kbc_fmt_add_field(ev, name, value);
        }
        return 0;
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
void kbc_fmt_reset_event(kbc_event *ev)
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

/* Windows times run from 1601 (FILETIME) to 9999 (SYSTEMTIME); anything
 * else is a forged or broken value, and far enough from INT64_MAX that
 * no window or lateness added to a time can overflow. */
#define TIME_MIN_MS (-11644473600000LL) /* 1601-01-01 */
#define TIME_MAX_MS (253402300799999LL) /* 9999-12-31T23:59:59.999 */

static bool time_out_of_range(int64_t ms)
{
        return ms != KBC_TIME_NONE && (ms < TIME_MIN_MS || ms > TIME_MAX_MS);
}

/* Well-known channels in the case Windows shows them; others as logged.
 * NXLog from a WEC collector writes "security" for forwarded events. */
void kbc_fmt_normalize_channel(kbc_event *ev)
{
        static const kbc_str canon[] = {
            KBC_STR_LIT("Security"),        KBC_STR_LIT("System"),
            KBC_STR_LIT("Application"),     KBC_STR_LIT("Setup"),
            KBC_STR_LIT("ForwardedEvents"),
        };
        for (size_t i = 0; i < sizeof(canon) / sizeof(canon[0]); i++)
                if (kbc_str_caseeq(ev->channel, canon[i])) {
                        ev->channel = canon[i];
                        return;
                }
}

static bool is_json_format(kbc_format f)
{
        return json_format(f) || f == KBC_FMT_MAPPED;
}

/* The named shape whose predicate claims the message, or NULL. */
static const kbc_json_format *claim(const kbc_json *j)
{
        const kbc_json_format *wlb = json_format(KBC_FMT_WINLOGBEAT);
        if (wlb->detect(j))
                return wlb;
        for (size_t i = 0; i < kbc_flat_nshapes; i++)
                if (kbc_flat_shapes[i].detect(j))
                        return &kbc_flat_shapes[i];
        return NULL;
}

static const char *who(kbc_format forced)
{
        return forced == KBC_FMT_AUTO ? "unrecognized format"
                                      : kbc_format_name(forced);
}

/* A JSON object: the format whose predicate claims it, built-ins first. */
static kbc_format decode_json(kbc_decoder *d, kbc_format forced,
                              const char *buf, size_t len, kbc_event *ev,
                              char *errstr, size_t errsize)
{
        char jerr[160];
        if (kbc_json_parse(d->json, buf, len, jerr, sizeof(jerr))) {
                /* Forced: say which format expected it. */
                kbc_errf(errstr, errsize, "%s%s%s",
                         forced == KBC_FMT_AUTO ? "" : kbc_format_name(forced),
                         forced == KBC_FMT_AUTO ? "" : ": ", jerr);
                return KBC_FMT_AUTO;
        }
        const kbc_json_format *f = json_format(forced);
        if (forced == KBC_FMT_AUTO)
                f = claim(d->json);
        if (f)
                return f->decode(d->json, &d->opts, ev, errstr, errsize)
                           ? KBC_FMT_AUTO
                           : f->format;
        int m = kbc_mapping_set_detect(d->mappings, d->json);
        if (m < 0 && forced == KBC_FMT_MAPPED &&
            kbc_mapping_set_count(d->mappings) == 1)
                m = 0; /* the only mapping: forced means "use it" */
        if (m < 0 && forced == KBC_FMT_AUTO &&
            kbc_winjson_shape.detect(d->json))
                return kbc_winjson_shape.decode(d->json, &d->opts, ev, errstr,
                                                errsize)
                           ? KBC_FMT_AUTO
                           : KBC_FMT_WINJSON;
        if (m < 0) {
                kbc_errf(errstr, errsize,
                         "%s: JSON object of no known format (no member "
                         "names an event id and a provider or channel%s)",
                         who(forced),
                         kbc_mapping_set_count(d->mappings)
                             ? ", and no configured mapping matched"
                             : "");
                return KBC_FMT_AUTO;
        }
        if (kbc_mapping_decode(d->mappings, m, d->json, &d->opts, ev, errstr,
                               errsize))
                return KBC_FMT_AUTO;
        d->last_mapping = kbc_mapping_set_name(d->mappings, m);
        return KBC_FMT_MAPPED;
}

bool kbc_winxml_starts(const char *p, size_t n)
{
        return n > 1 && p[0] == '<' && !(p[1] >= '0' && p[1] <= '9');
}

/* Picks the decoder by the first bytes (or the forced format). */
static kbc_format dispatch(kbc_decoder *d, kbc_format forced, const char *buf,
                           size_t len, size_t first, kbc_event *ev,
                           char *errstr, size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        unsigned char b0 = (unsigned char)buf[0];
        char c = buf[first];

        /* msgpack: the raw first byte, before any whitespace skipping. */
        if ((forced == KBC_FMT_AUTO || forced == KBC_FMT_FLUENTBIT) &&
            kbc_msgpack_starts_record(b0))
                return kbc_fluentbit_msgpack_decode(
                           d->msgpack, buf, len, &d->opts, ev, errstr, errsize)
                           ? KBC_FMT_AUTO
                           : KBC_FMT_FLUENTBIT;
        if (forced == KBC_FMT_WINXML ||
            (forced == KBC_FMT_AUTO &&
             kbc_winxml_starts(buf + first, len - first)))
                return kbc_winxml_decode(d->xml, buf + first, len - first, ev,
                                         errstr, errsize)
                           ? KBC_FMT_AUTO
                           : KBC_FMT_WINXML;
        if (forced == KBC_FMT_SNARE ||
            (forced == KBC_FMT_AUTO && kbc_snare_detect(buf, len)))
                return kbc_snare_decode(buf, len, &d->opts, ev, errstr, errsize)
                           ? KBC_FMT_AUTO
                           : KBC_FMT_SNARE;
        if (c == '{' && (forced == KBC_FMT_AUTO || is_json_format(forced)))
                return decode_json(d, forced, buf, len, ev, errstr, errsize);
        if (c == '[') {
                kbc_errf(errstr, errsize, "%s: JSON array, not an object",
                         who(forced));
                return KBC_FMT_AUTO;
        }
        kbc_errf(errstr, errsize,
                 "%s: not JSON, XML, msgpack or Snare (starts with \"%s\")",
                 who(forced),
                 kbc_fmt_preview(kbc_str_make(buf + first, len - first), pv));
        return KBC_FMT_AUTO;
}

kbc_format kbc_decode(kbc_decoder *d, kbc_format forced, const char *buf,
                      size_t len, kbc_event *ev, char *errstr, size_t errsize)
{
        kbc_format got = KBC_FMT_AUTO;

        kbc_fmt_reset_event(ev);
        d->last_mapping = NULL;
        d->opts.scratch_used = 0;
        d->opts.from_set = false;
        if (errstr && errsize)
                errstr[0] = '\0';
        if ((unsigned)forced >= KBC_FMT__COUNT) {
                kbc_errf(errstr, errsize, "unknown format %d", (int)forced);
                goto out;
        }
        if (len > KBC_DECODE_MAX_MESSAGE) {
                kbc_errf(errstr, errsize,
                         "oversized message: %zu bytes (limit %d)", len,
                         KBC_DECODE_MAX_MESSAGE);
                goto out;
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
                goto out;
        }
        got = dispatch(d, forced, buf, len, first, ev, errstr, errsize);
        if (got != KBC_FMT_AUTO && time_out_of_range(ev->time_ms)) {
                kbc_errf(errstr, errsize,
                         "%s: event time out of range (before 1601 or "
                         "after 9999): %lld ms",
                         kbc_format_name(got), (long long)ev->time_ms);
                got = KBC_FMT_AUTO;
        }
        if (got != KBC_FMT_AUTO)
                kbc_fmt_normalize_channel(ev);

out:
        if (got == KBC_FMT_AUTO) {
                kbc_fmt_reset_event(ev);
                d->last_mapping = NULL;
                if (errstr && errsize && !errstr[0])
                        kbc_errf(errstr, errsize, "%s: undecodable message",
                                 who(forced));
        }
        return got;
}

static int member(const kbc_json *j, const char *path)
{
        return path ? kbc_fmt_json_path(j, 0, path) : -1;
}

int kbc_fmt_json_common(kbc_json *j, const kbc_fmt_json_names *n,
                        int local_offset_min, kbc_event *ev, const char *fmt,
                        char *errstr, size_t errsize)
{
        if (kbc_fmt_json_event_id(j, member(j, n->event_id), ev, fmt,
                                  n->event_id, errstr, errsize) ||
            kbc_fmt_json_time(j, member(j, n->time), local_offset_min, ev, fmt,
                              n->time, errstr, errsize) ||
            kbc_fmt_json_text(j, member(j, n->host), &ev->host, fmt, n->host,
                              errstr, errsize))
                return -1;
        if (ev->host.len == 0)
                return kbc_errf(errstr, errsize, "%s: missing %s", fmt,
                                n->host);
        const struct {
                const char *path;
                kbc_str *dst;
        } text[] = {
            {n->channel, &ev->channel},
            {n->provider, &ev->provider},
            {n->level, &ev->level},
            {n->message, &ev->message},
        };
        for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
                if (text[i].path &&
                    kbc_fmt_json_text(j, member(j, text[i].path), text[i].dst,
                                      fmt, text[i].path, errstr, errsize))
                        return -1;
        kbc_fmt_json_record_id(j, member(j, n->record_id), ev);
        return 0;
}
