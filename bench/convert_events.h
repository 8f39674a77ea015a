/*
 * convert_events.h - writes a normalized event (kbc_event) back out in each
 * input format kbcorr reads, so that real Winlogbeat 7 records can stand in
 * for formats we have no capture of (Windows XML, Snare, Fluent Bit JSON
 * and msgpack) and for round-trip tests of the others (NXLog, Winlogbeat 6).
 * Shared by tests/test_decode_roundtrip.c and bench/bench_decode.c.
 *
 * Every writer appends one message to a kbc_buf (reset it first) and
 * returns 0, or -1 when the buffer is full. The shapes follow what the real
 * collectors write (member names, time formats, level encodings); what each
 * format cannot carry is listed in tests/test_decode_roundtrip.c.
 *
 * Escaping: JSON strings escape '"', '\\' and every C0 control (\n, \r,
 * \t, \b, \f by name, the rest as \u00XX); UTF-8 passes through. XML
 * escapes & < > " ' as entities and TAB, LF, CR as character references,
 * so that attribute-value and end-of-line normalization cannot change them.
 * Snare replaces TAB, CR and LF inside a field by a space, as the agent
 * does, since TAB separates its fields and LF ends its record.
 *
 * Everything is static inline so that a file including it and using only
 * part of it compiles without unused-function warnings.
 */
#ifndef KBC_CONVERT_EVENTS_H
#define KBC_CONVERT_EVENTS_H

#include <inttypes.h>
#include <msgpack.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kbc_buf.h"
#include "kbc_event.h"

/* ---- helpers ----------------------------------------------------------- */

/* The UTC calendar time of ms (floor to the second) and its milliseconds. */
static inline void conv_tm(int64_t ms, struct tm *tm, unsigned *millis)
{
        int64_t s = ms / 1000, r = ms % 1000;
        if (r < 0) {
                r += 1000;
                s--;
        }
        time_t t = (time_t)s;
        gmtime_r(&t, tm);
        *millis = (unsigned)r;
}

/* Windows' level number for a Winlogbeat level name (0 for unknown). */
static inline unsigned conv_level_number(kbc_str level)
{
        static const char *const names[] = {
            "", "critical", "error", "warning", "information", "verbose"};
        for (unsigned i = 1; i < sizeof(names) / sizeof(names[0]); i++)
                if (kbc_str_caseeq(level, kbc_str_cstr(names[i])))
                        return i;
        return 4;
}

static inline int conv_json_str(kbc_buf *b, kbc_str s)
{
        static const char hex[] = "0123456789abcdef";
        int rc = kbc_buf_putc(b, '"');
        for (size_t i = 0; i < s.len; i++) {
                unsigned char c = (unsigned char)s.ptr[i];
                switch (c) {
                case '"':
                        rc |= kbc_buf_puts(b, "\\\"");
                        break;
                case '\\':
                        rc |= kbc_buf_puts(b, "\\\\");
                        break;
                case '\n':
                        rc |= kbc_buf_puts(b, "\\n");
                        break;
                case '\r':
                        rc |= kbc_buf_puts(b, "\\r");
                        break;
                case '\t':
                        rc |= kbc_buf_puts(b, "\\t");
                        break;
                case '\b':
                        rc |= kbc_buf_puts(b, "\\b");
                        break;
                case '\f':
                        rc |= kbc_buf_puts(b, "\\f");
                        break;
                default:
                        if (c < 0x20) {
                                char u[7] = {'\\',        'u',         '0', '0',
                                             hex[c >> 4], hex[c & 15], 0};
                                rc |= kbc_buf_puts(b, u);
                        } else {
                                rc |= kbc_buf_putc(b, (char)c);
                        }
                }
        }
        return rc | kbc_buf_putc(b, '"');
}

/* ,"key":"value" (no comma when first) */
static inline int conv_json_kv(kbc_buf *b, bool first, const char *key,
                               kbc_str v)
{
        int rc = first ? 0 : kbc_buf_putc(b, ',');
        rc |= conv_json_str(b, kbc_str_cstr(key));
        rc |= kbc_buf_putc(b, ':');
        return rc | conv_json_str(b, v);
}

static inline int conv_json_ku(kbc_buf *b, const char *key, uint64_t v)
{
        return kbc_buf_printf(b, ",\"%s\":%" PRIu64, key, v);
}

static inline int conv_xml_text(kbc_buf *b, kbc_str s)
{
        int rc = 0;
        for (size_t i = 0; i < s.len; i++) {
                char c = s.ptr[i];
                switch (c) {
                case '&':
                        rc |= kbc_buf_puts(b, "&amp;");
                        break;
                case '<':
                        rc |= kbc_buf_puts(b, "&lt;");
                        break;
                case '>':
                        rc |= kbc_buf_puts(b, "&gt;");
                        break;
                case '"':
                        rc |= kbc_buf_puts(b, "&quot;");
                        break;
                case '\'':
                        rc |= kbc_buf_puts(b, "&apos;");
                        break;
                case '\t':
                        rc |= kbc_buf_puts(b, "&#9;");
                        break;
                case '\n':
                        rc |= kbc_buf_puts(b, "&#10;");
                        break;
                case '\r':
                        rc |= kbc_buf_puts(b, "&#13;");
                        break;
                default:
                        rc |= kbc_buf_putc(b, c);
                }
        }
        return rc;
}

/* <name>text</name> */
static inline int conv_xml_elem(kbc_buf *b, const char *name, kbc_str text)
{
        int rc = kbc_buf_printf(b, "<%s>", name);
        rc |= conv_xml_text(b, text);
        return rc | kbc_buf_printf(b, "</%s>", name);
}

/* A Snare field: TAB, CR and LF become spaces. */
static inline int conv_snare_field(kbc_buf *b, kbc_str s)
{
        int rc = 0;
        for (size_t i = 0; i < s.len; i++) {
                char c = s.ptr[i];
                rc |= kbc_buf_putc(b, c == '\t' || c == '\r' || c == '\n' ? ' '
                                                                          : c);
        }
        return rc;
}

/* ---- Windows event XML (RenderEvent with EvtRenderEventXml, plus the
 * RenderingInfo that WEF's RenderedText format adds) ----------------------- */

static inline int conv_to_winxml(const kbc_event *ev, kbc_buf *b)
{
        struct tm tm;
        unsigned ms;
        conv_tm(ev->time_ms, &tm, &ms);
        int rc = kbc_buf_puts(
            b, "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/"
               "event'><System><Provider Name='");
        rc |= conv_xml_text(b, ev->provider);
        rc |= kbc_buf_printf(b,
                             "'/><EventID>%" PRIu32 "</EventID><Version>0"
                             "</Version><Level>%u</Level><Task>0</Task>"
                             "<Opcode>0</Opcode><Keywords>0x8020000000000000"
                             "</Keywords><TimeCreated SystemTime='%04d-%02d-"
                             "%02dT%02d:%02d:%02d.%03u0000Z'/>",
                             ev->event_id, conv_level_number(ev->level),
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
        if (ev->has_record_id)
                rc |= kbc_buf_printf(
                    b, "<EventRecordID>%" PRIu64 "</EventRecordID>",
                    ev->record_id);
        rc |= kbc_buf_puts(b, "<Correlation/><Execution ProcessID='4' "
                              "ThreadID='8'/>");
        rc |= conv_xml_elem(b, "Channel", ev->channel);
        rc |= conv_xml_elem(b, "Computer", ev->host);
        rc |= kbc_buf_puts(b, "<Security/></System><EventData>");
        for (size_t i = 0; i < ev->nfields; i++) {
                rc |= kbc_buf_puts(b, "<Data Name='");
                rc |= conv_xml_text(b, ev->fields[i].name);
                rc |= kbc_buf_puts(b, "'>");
                rc |= conv_xml_text(b, ev->fields[i].value);
                rc |= kbc_buf_puts(b, "</Data>");
        }
        rc |= kbc_buf_puts(b, "</EventData><RenderingInfo Culture='en-US'>");
        rc |= conv_xml_elem(b, "Message", ev->message);
        rc |= conv_xml_elem(b, "Level", KBC_STR_LIT("Information"));
        rc |= conv_xml_elem(b, "Task", KBC_STR_LIT(""));
        rc |= conv_xml_elem(b, "Channel", ev->channel);
        rc |= conv_xml_elem(b, "Provider", ev->provider);
        return rc | kbc_buf_puts(b, "</RenderingInfo></Event>");
}

/* ---- Snare MSWinEventLog, after a syslog header ------------------------- */

static inline int conv_to_snare(const kbc_event *ev, kbc_buf *b)
{
        static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed",
                                         "Thu", "Fri", "Sat"};
        static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr",
                                          "May", "Jun", "Jul", "Aug",
                                          "Sep", "Oct", "Nov", "Dec"};
        static const char *const type[] = {"Information", "Critical",
                                           "Error",       "Warning",
                                           "Information", "Verbose"};
        struct tm tm;
        unsigned ms;
        conv_tm(ev->time_ms, &tm, &ms);
        unsigned lv = conv_level_number(ev->level);
        bool audit =
            lv == 4 && kbc_str_eq(ev->channel, KBC_STR_LIT("Security"));
        /* syslog header: <PRI>Mmm dd hh:mm:ss HOST, then a space */
        int rc = kbc_buf_printf(b, "<13>%s %2d %02d:%02d:%02d ", mon[tm.tm_mon],
                                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        rc |= conv_snare_field(b, ev->host);
        rc |= kbc_buf_puts(b, " MSWinEventLog\t1\t");
        rc |= conv_snare_field(b, ev->channel);
        rc |= kbc_buf_printf(b,
                             "\t%" PRIu64 "\t%s %s %2d %02d:%02d:%02d %04d"
                             "\t%" PRIu32 "\t",
                             ev->has_record_id ? ev->record_id : 0,
                             wd[tm.tm_wday], mon[tm.tm_mon], tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec,
                             tm.tm_year + 1900, ev->event_id);
        rc |= conv_snare_field(b, ev->provider);
        rc |= kbc_buf_printf(b, "\tN/A\tN/A\t%s\t",
                             audit ? "Success Audit" : type[lv]);
        rc |= conv_snare_field(b, ev->host);
        /* CategoryString, DataString (empty), ExpandedString, counter */
        rc |= kbc_buf_puts(b, "\tNone\t\t");
        rc |= conv_snare_field(b, ev->message);
        return rc | kbc_buf_puts(b, "\t1\n");
}

/* ---- Fluent Bit winevtlog (plugins/in_winevtlog/pack.c) ----------------- */

/* "2019-08-02 09:46:20 +0000": Fluent Bit keeps whole seconds. The size
 * covers any int fields, so the compiler can prove nothing is cut. */
#define CONV_TIME_SIZE 96
static inline void conv_fluentbit_time(int64_t ms, char out[CONV_TIME_SIZE])
{
        struct tm tm;
        unsigned millis;
        conv_tm(ms, &tm, &millis);
        snprintf(out, CONV_TIME_SIZE, "%04d-%02d-%02d %02d:%02d:%02d +0000",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec);
}

static inline int conv_to_fluentbit_json(const kbc_event *ev, kbc_buf *b)
{
        char t[CONV_TIME_SIZE];
        conv_fluentbit_time(ev->time_ms, t);
        int rc = kbc_buf_putc(b, '{');
        rc |= conv_json_kv(b, true, "ProviderName", ev->provider);
        rc |= conv_json_kv(b, false, "ProviderGuid",
                           KBC_STR_LIT("{54849625-5478-4994-A5BA-"
                                       "3E3B0328C30D}"));
        rc |= kbc_buf_puts(b, ",\"Qualifiers\":0");
        rc |= conv_json_ku(b, "EventID", ev->event_id);
        rc |= kbc_buf_puts(b, ",\"Version\":0");
        rc |= conv_json_ku(b, "Level", conv_level_number(ev->level));
        rc |= kbc_buf_puts(b, ",\"Task\":0,\"Opcode\":0,\"Keywords\":"
                              "\"0x8020000000000000\"");
        rc |= conv_json_kv(b, false, "TimeCreated", kbc_str_cstr(t));
        if (ev->has_record_id)
                rc |= conv_json_ku(b, "EventRecordID", ev->record_id);
        rc |= kbc_buf_puts(b, ",\"ActivityID\":\"\",\"RelatedActivityID\":"
                              "\"\",\"ProcessID\":4,\"ThreadID\":8");
        rc |= conv_json_kv(b, false, "Channel", ev->channel);
        rc |= conv_json_kv(b, false, "Computer", ev->host);
        rc |= conv_json_kv(b, false, "UserID", KBC_STR_LIT(""));
        rc |= conv_json_kv(b, false, "Message", ev->message);
        rc |= kbc_buf_puts(b, ",\"StringInserts\":[");
        for (size_t i = 0; i < ev->nfields; i++) {
                if (i)
                        rc |= kbc_buf_putc(b, ',');
                rc |= conv_json_str(b, ev->fields[i].value);
        }
        return rc | kbc_buf_puts(b, "]}");
}

static inline int conv_mp_write(void *data, const char *buf, size_t len)
{
        return kbc_buf_append(data, buf, len);
}

static inline void conv_mp_str(msgpack_packer *pk, kbc_str s)
{
        msgpack_pack_str(pk, s.len);
        msgpack_pack_str_body(pk, s.ptr, s.len);
}

static inline void conv_mp_key(msgpack_packer *pk, const char *k)
{
        conv_mp_str(pk, kbc_str_cstr(k));
}

/* Fluent Bit's current record, [[EventTime, {}], map], as its Kafka output
 * sends it with format msgpack. */
static inline int conv_to_fluentbit_msgpack(const kbc_event *ev, kbc_buf *b)
{
        msgpack_packer pk;
        char t[CONV_TIME_SIZE];
        conv_fluentbit_time(ev->time_ms, t);
        msgpack_packer_init(&pk, b, conv_mp_write);
        msgpack_pack_array(&pk, 2);
        msgpack_pack_array(&pk, 2);
        int64_t sec = ev->time_ms / 1000, nsec = ev->time_ms % 1000 * 1000000;
        unsigned char et[8];
        for (int i = 0; i < 4; i++) {
                et[i] = (unsigned char)((uint64_t)sec >> (24 - 8 * i));
                et[4 + i] = (unsigned char)((uint64_t)nsec >> (24 - 8 * i));
        }
        msgpack_pack_ext(&pk, 8, 0);
        msgpack_pack_ext_body(&pk, et, 8);
        msgpack_pack_map(&pk, 0);
        msgpack_pack_map(&pk, ev->has_record_id ? 10 : 9);
        conv_mp_key(&pk, "ProviderName");
        conv_mp_str(&pk, ev->provider);
        conv_mp_key(&pk, "EventID");
        msgpack_pack_uint32(&pk, ev->event_id);
        conv_mp_key(&pk, "Level");
        msgpack_pack_uint8(&pk, (uint8_t)conv_level_number(ev->level));
        conv_mp_key(&pk, "TimeCreated");
        conv_mp_str(&pk, kbc_str_cstr(t));
        if (ev->has_record_id) {
                conv_mp_key(&pk, "EventRecordID");
                msgpack_pack_uint64(&pk, ev->record_id);
        }
        conv_mp_key(&pk, "ProcessID");
        msgpack_pack_uint32(&pk, 4);
        conv_mp_key(&pk, "Channel");
        conv_mp_str(&pk, ev->channel);
        conv_mp_key(&pk, "Computer");
        conv_mp_str(&pk, ev->host);
        conv_mp_key(&pk, "Message");
        conv_mp_str(&pk, ev->message);
        conv_mp_key(&pk, "StringInserts");
        msgpack_pack_array(&pk, ev->nfields);
        for (size_t i = 0; i < ev->nfields; i++)
                conv_mp_str(&pk, ev->fields[i].value);
        return b->overflow ? -1 : 0;
}

/* ---- NXLog im_msvistalog JSON (to_json()), as Logstash forwards it ------ */

/* NXLog's own members and those Logstash adds (docs/input-formats.md): an
 * EventData field of one of these names cannot be told from them, so the
 * writer leaves it out (NXLog would overwrite it). */
static inline bool conv_nxlog_reserved(kbc_str name)
{
        static const char *const sys[] = {"EventTime",
                                          "EventReceivedTime",
                                          "Hostname",
                                          "SourceName",
                                          "ProviderGuid",
                                          "EventID",
                                          "EventType",
                                          "EventTypeOrignal",
                                          "Severity",
                                          "SeverityValue",
                                          "Keywords",
                                          "Version",
                                          "Task",
                                          "Opcode",
                                          "OpcodeValue",
                                          "RecordNumber",
                                          "ActivityID",
                                          "RelatedActivityID",
                                          "ProcessID",
                                          "ExecutionProcessID",
                                          "ThreadID",
                                          "Channel",
                                          "Category",
                                          "Domain",
                                          "AccountName",
                                          "UserID",
                                          "AccountType",
                                          "Message",
                                          "SourceModuleName",
                                          "SourceModuleType",
                                          "ERROR_EVT_UNRESOLVED",
                                          "host",
                                          "port",
                                          "type",
                                          "tags",
                                          "@timestamp",
                                          "@version"};
        for (size_t i = 0; i < sizeof(sys) / sizeof(sys[0]); i++)
                if (kbc_str_eq(name, kbc_str_cstr(sys[i])))
                        return true;
        return false;
}

static inline int conv_to_nxlog(const kbc_event *ev, kbc_buf *b)
{
        static const char *const sev[] = {"INFO",    "CRITICAL", "ERROR",
                                          "WARNING", "INFO",     "DEBUG"};
        struct tm tm;
        unsigned ms;
        conv_tm(ev->time_ms, &tm, &ms);
        unsigned lv = conv_level_number(ev->level);
        /* EventTime: local time without a zone (the decoder's offset is 0) */
        int rc = kbc_buf_printf(b,
                                "{\"EventTime\":\"%04d-%02d-%02d %02d:%02d:"
                                "%02d\"",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                tm.tm_hour, tm.tm_min, tm.tm_sec);
        rc |= conv_json_kv(b, false, "Hostname", ev->host);
        rc |= kbc_buf_printf(b,
                             ",\"Keywords\":-9223372036854775808,"
                             "\"EventType\":\"%s\",\"SeverityValue\":2,"
                             "\"Severity\":\"%s\"",
                             sev[lv], sev[lv]);
        rc |= conv_json_ku(b, "EventID", ev->event_id);
        rc |= conv_json_kv(b, false, "SourceName", ev->provider);
        rc |= kbc_buf_puts(b, ",\"Version\":0,\"Task\":0,\"OpcodeValue\":0");
        if (ev->has_record_id)
                rc |= conv_json_ku(b, "RecordNumber", ev->record_id);
        rc |= kbc_buf_puts(b, ",\"ProcessID\":4,\"ThreadID\":8");
        rc |= conv_json_kv(b, false, "Channel", ev->channel);
        if (ev->message.len)
                rc |= conv_json_kv(b, false, "Message", ev->message);
        for (size_t i = 0; i < ev->nfields; i++) {
                if (conv_nxlog_reserved(ev->fields[i].name))
                        continue;
                rc |= kbc_buf_putc(b, ',');
                rc |= conv_json_str(b, ev->fields[i].name);
                rc |= kbc_buf_putc(b, ':');
                rc |= conv_json_str(b, ev->fields[i].value);
        }
        rc |= kbc_buf_printf(b,
                             ",\"EventReceivedTime\":\"%04d-%02d-%02d %02d:"
                             "%02d:%02d\",\"SourceModuleName\":\"eventlog\","
                             "\"SourceModuleType\":\"im_msvistalog\","
                             "\"@version\":\"1\",\"host\":\"collector\","
                             "\"port\":49730,\"type\":\"nxlog\","
                             "\"@timestamp\":\"%04d-%02d-%02dT%02d:%02d:"
                             "%02d.%03uZ\"}",
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec,
                             tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
        return rc;
}

/* ---- Winlogbeat 6 JSON (its Kafka output) ------------------------------- */

static inline int conv_to_winlogbeat6(const kbc_event *ev, kbc_buf *b)
{
        static const char *const lvname[] = {"Information", "Critical",
                                             "Error",       "Warning",
                                             "Information", "Verbose"};
        struct tm tm;
        unsigned ms;
        conv_tm(ev->time_ms, &tm, &ms);
        int rc = kbc_buf_printf(b,
                                "{\"@timestamp\":\"%04d-%02d-%02dT%02d:%02d:"
                                "%02d.%03uZ\",\"@metadata\":{\"beat\":"
                                "\"winlogbeat\",\"type\":\"doc\",\"version\":"
                                "\"6.7.0\",\"topic\":\"winlogbeat\"}",
                                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                                tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
        if (ev->message.len)
                rc |= conv_json_kv(b, false, "message", ev->message);
        rc |= kbc_buf_puts(b, ",\"version\":0,\"thread_id\":8,\"beat\":{"
                              "\"name\":\"collector\",\"hostname\":"
                              "\"collector\",\"version\":\"6.7.0\"}");
        if (ev->has_record_id)
                rc |= kbc_buf_printf(b, ",\"record_number\":\"%" PRIu64 "\"",
                                     ev->record_id);
        rc |= conv_json_kv(b, false, "source_name", ev->provider);
        rc |= conv_json_kv(b, false, "log_name", ev->channel);
        rc |= kbc_buf_puts(b, ",\"event_data\":{");
        for (size_t i = 0; i < ev->nfields; i++) {
                if (i)
                        rc |= kbc_buf_putc(b, ',');
                rc |= conv_json_str(b, ev->fields[i].name);
                rc |= kbc_buf_putc(b, ':');
                rc |= conv_json_str(b, ev->fields[i].value);
        }
        rc |= kbc_buf_puts(b, "},\"host\":{\"name\":\"collector\"}");
        rc |= conv_json_kv(b, false, "level",
                           kbc_str_cstr(lvname[conv_level_number(ev->level)]));
        rc |= conv_json_ku(b, "event_id", ev->event_id);
        rc |= conv_json_kv(b, false, "computer_name", ev->host);
        return rc | kbc_buf_puts(b, ",\"type\":\"wineventlog\"}");
}

#endif
