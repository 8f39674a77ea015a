/*
 * test_decode_roundtrip.c - the same normalized event from every input
 * format. The first 200 real Winlogbeat 7 records of ../shared (read in
 * place through xz) are decoded; each event is written back out, in C, by
 * bench/convert_events.h as Windows event XML, a Snare MSWinEventLog line
 * with a syslog header, Fluent Bit winevtlog JSON and msgpack, NXLog JSON
 * and Winlogbeat 6 JSON; each conversion is decoded (format auto-detected,
 * and the detected format checked) and compared field by field with the
 * original event where the format can carry the field. So the Fluent Bit
 * and Snare fixtures are made at test time from real records, not stored.
 *
 * What each format cannot carry (and so is not compared):
 *   winxml      nothing is lost: time to the 100 ns Windows keeps (the
 *               records have ms), record id, message, named EventData.
 *   snare       time below the second (DateTime has whole seconds); the
 *               record id (its counters are the agent's); EventData
 *               entirely (the decoder keeps none: the strings are the
 *               rendered message); TAB, CR and LF in the message, which the
 *               agent turns into spaces (and leading/trailing blanks, which
 *               the decoder trims).
 *   fluentbit   time below the second (TimeCreated "YYYY-MM-DD HH:MM:SS
 *   (JSON and   +hhmm"); EventData names: StringInserts carry the values
 *   msgpack)    only, in order, read back as param1..paramN.
 *   nxlog       time below the second (EventTime); EventData fields whose
 *               names are NXLog's or Logstash's own members (Category,
 *               Domain, ProcessID, ...: conv_nxlog_reserved), since
 *               NXLog flattens EventData into the record.
 *   winlogbeat6 nothing: ms time, record id, message, named event_data.
 * The level is compared too, as Winlogbeat's name (case aside: Winlogbeat 6
 * writes "Information"), since every format carries it in some encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../bench/convert_events.h"
#include "kbc_decode.h"

#define WLB7_XZ  KBC_SHARED_DIR "/data/events/winlogbeat7-ecs.jsonl.xz"
#define NRECORDS 200

enum {
        CAP_MS = 1 << 0,           /* time to the millisecond, else second */
        CAP_RECORD = 1 << 1,       /* record id */
        CAP_NAMES = 1 << 2,        /* EventData with names */
        CAP_VALUES = 1 << 3,       /* EventData values in order (param1..) */
        CAP_NXLOG_FIELDS = 1 << 4, /* named, minus NXLog's own members */
        CAP_SNARE_TEXT = 1 << 5,   /* message with TAB/CR/LF as spaces */
};

typedef struct target {
        const char *name;
        kbc_format format;
        int (*write)(const kbc_event *ev, kbc_buf *b);
        unsigned caps;
} target;

static const target targets[] = {
    {"winxml", KBC_FMT_WINXML, conv_to_winxml, CAP_MS | CAP_RECORD | CAP_NAMES},
    {"snare", KBC_FMT_SNARE, conv_to_snare, CAP_SNARE_TEXT},
    {"fluentbit-json", KBC_FMT_FLUENTBIT, conv_to_fluentbit_json,
     CAP_RECORD | CAP_VALUES},
    {"fluentbit-msgpack", KBC_FMT_FLUENTBIT, conv_to_fluentbit_msgpack,
     CAP_RECORD | CAP_VALUES},
    {"nxlog", KBC_FMT_NXLOG, conv_to_nxlog, CAP_RECORD | CAP_NXLOG_FIELDS},
    {"winlogbeat6", KBC_FMT_WINLOGBEAT6, conv_to_winlogbeat6,
     CAP_MS | CAP_RECORD | CAP_NAMES},
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

typedef struct ctx {
        const char *fmt;
        size_t line;
} ctx;

#define check_str(c, what, got, want)                                          \
        do {                                                                   \
                kbc_str g_ = (got), w_ = (want);                               \
                if (!kbc_str_eq(g_, w_))                                       \
                        fail_msg("record %zu, %s: %s is \"%.*s\", want "       \
                                 "\"%.*s\"",                                   \
                                 (c)->line, (c)->fmt, (what), (int)g_.len,     \
                                 g_.ptr, (int)w_.len, w_.ptr);                 \
        } while (0)

#define check_int(c, what, got, want)                                          \
        do {                                                                   \
                long long g_ = (long long)(got), w_ = (long long)(want);       \
                if (g_ != w_)                                                  \
                        fail_msg("record %zu, %s: %s is %lld, want %lld",      \
                                 (c)->line, (c)->fmt, (what), g_, w_);         \
        } while (0)

/* What Snare makes of a message: TAB, CR, LF as spaces; the decoder then
 * trims blanks at both ends. */
static kbc_str snare_text(kbc_str s, char *buf)
{
        for (size_t i = 0; i < s.len; i++)
                buf[i] =
                    s.ptr[i] == '\t' || s.ptr[i] == '\r' || s.ptr[i] == '\n'
                        ? ' '
                        : s.ptr[i];
        kbc_str t = kbc_str_make(buf, s.len);
        while (t.len && t.ptr[0] == ' ')
                t = kbc_str_make(t.ptr + 1, t.len - 1);
        while (t.len && t.ptr[t.len - 1] == ' ')
                t.len--;
        return t;
}

static bool has_xml_special(kbc_str s)
{
        for (size_t i = 0; i < s.len; i++)
                if (strchr("&<>\"", s.ptr[i]) && s.ptr[i])
                        return true;
        return false;
}

static void compare(const ctx *c, unsigned caps, const kbc_event *want,
                    const kbc_event *got)
{
        int64_t wt = want->time_ms;
        if (!(caps & CAP_MS))
                wt -= ((wt % 1000) + 1000) % 1000;
        check_int(c, "time_ms", got->time_ms, wt);
        check_str(c, "host", got->host, want->host);
        check_str(c, "channel", got->channel, want->channel);
        check_str(c, "provider", got->provider, want->provider);
        check_int(c, "has_event_id", got->has_event_id, true);
        check_int(c, "event_id", got->event_id, want->event_id);
        if (!kbc_str_caseeq(got->level, want->level))
                fail_msg("record %zu, %s: level is \"%.*s\", want \"%.*s\"",
                         c->line, c->fmt, (int)got->level.len, got->level.ptr,
                         (int)want->level.len, want->level.ptr);
        if (caps & CAP_RECORD) {
                check_int(c, "has_record_id", got->has_record_id,
                          want->has_record_id);
                check_int(c, "record_id", got->record_id, want->record_id);
        } else {
                check_int(c, "has_record_id", got->has_record_id, false);
        }
        if (caps & CAP_SNARE_TEXT) {
                char *tmp = malloc(want->message.len + 1);
                assert_non_null(tmp);
                check_str(c, "message", got->message,
                          snare_text(want->message, tmp));
                free(tmp);
        } else {
                check_str(c, "message", got->message, want->message);
        }

        check_int(c, "fields_dropped", got->fields_dropped,
                  want->fields_dropped);
        if (caps & (CAP_NAMES | CAP_VALUES)) {
                check_int(c, "nfields", got->nfields, want->nfields);
                for (size_t i = 0; i < want->nfields; i++) {
                        char what[64];
                        snprintf(what, sizeof(what), "field %zu value", i + 1);
                        check_str(c, what, got->fields[i].value,
                                  want->fields[i].value);
                        snprintf(what, sizeof(what), "field %zu name", i + 1);
                        if (caps & CAP_NAMES) {
                                check_str(c, what, got->fields[i].name,
                                          want->fields[i].name);
                        } else {
                                char pn[32];
                                snprintf(pn, sizeof(pn), "param%zu", i + 1);
                                check_str(c, what, got->fields[i].name,
                                          kbc_str_cstr(pn));
                        }
                }
        } else if (caps & CAP_NXLOG_FIELDS) {
                size_t n = 0;
                for (size_t i = 0; i < want->nfields; i++) {
                        if (conv_nxlog_reserved(want->fields[i].name))
                                continue;
                        kbc_str name = want->fields[i].name;
                        char what[160];
                        snprintf(what, sizeof(what), "field \"%.*s\"",
                                 (int)(name.len < 100 ? name.len : 100),
                                 name.ptr);
                        if (n >= got->nfields)
                                fail_msg("record %zu, %s: %s missing", c->line,
                                         c->fmt, what);
                        check_str(c, what, got->fields[n].name, name);
                        check_str(c, what, got->fields[n].value,
                                  want->fields[i].value);
                        n++;
                }
                check_int(c, "nfields", got->nfields, n);
        } else {
                check_int(c, "nfields", got->nfields, 0);
        }
}

static void test_roundtrip_every_format(void **state)
{
        (void)state;
        FILE *in = popen("xz -dc '" WLB7_XZ "'", "r");
        if (!in)
                fail_msg("cannot run xz on %s", WLB7_XZ);
        kbc_decoder *d0 = kbc_decoder_new(), *d1 = kbc_decoder_new();
        assert_non_null(d0);
        assert_non_null(d1);
        kbc_event *want = calloc(1, sizeof(*want));
        kbc_event *got = calloc(1, sizeof(*got));
        assert_non_null(want);
        assert_non_null(got);
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        char err[512];
        char *line = NULL;
        size_t cap = 0, nrec = 0, nfields = 0, nmsg_ctl = 0, nxml_special = 0;
        size_t per_format[NTARGETS] = {0};
        ssize_t n;

        while (nrec < NRECORDS && (n = getline(&line, &cap, in)) > 0) {
                while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        n--;
                nrec++;
                kbc_event_reset(want);
                if (kbc_decode(d0, KBC_FMT_AUTO, line, (size_t)n, want, err,
                               sizeof(err)) != KBC_FMT_WINLOGBEAT)
                        fail_msg("record %zu: not decoded as winlogbeat: %s",
                                 nrec, err);
                nfields += want->nfields;
                if (want->message.len &&
                    (memchr(want->message.ptr, '\n', want->message.len) ||
                     memchr(want->message.ptr, '\t', want->message.len)))
                        nmsg_ctl++;
                bool special = has_xml_special(want->message);
                for (size_t i = 0; i < want->nfields; i++)
                        special |= has_xml_special(want->fields[i].value);
                nxml_special += special;
                for (size_t t = 0; t < NTARGETS; t++) {
                        ctx c = {targets[t].name, nrec};
                        kbc_buf_reset(&out);
                        assert_int_equal(targets[t].write(want, &out), 0);
                        kbc_event_reset(got);
                        kbc_format f =
                            kbc_decode(d1, KBC_FMT_AUTO, out.data, out.len, got,
                                       err, sizeof(err));
                        if (f != targets[t].format)
                                fail_msg("record %zu, %s: decoded as %s (%s); "
                                         "message: %.*s",
                                         nrec, c.fmt, kbc_format_name(f),
                                         f ? "" : err,
                                         (int)(out.len < 2000 ? out.len : 2000),
                                         out.data);
                        compare(&c, targets[t].caps, want, got);
                        per_format[t]++;
                }
        }
        pclose(in);
        free(line);
        kbc_buf_free(&out);
        free(want);
        free(got);
        kbc_decoder_free(d0);
        kbc_decoder_free(d1);

        assert_int_equal(nrec, NRECORDS);
        for (size_t t = 0; t < NTARGETS; t++)
                assert_int_equal(per_format[t], NRECORDS);
        /* The sample exercises what the escaping is for: counts from jq
         * over the same 200 records (event_data and user_data members;
         * messages holding a newline or a tab; records with one of
         * & < > " in the message or an EventData value). */
        assert_int_equal(nfields, 760);
        assert_int_equal(nmsg_ctl, 53);
        assert_int_equal(nxml_special, 2);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_roundtrip_every_format),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
