/*
 * formats.h - internal: the per-format decoders behind kbc_decode, one file
 * each (winlogbeat.c, winlogbeat6.c, nxlog.c, fluentbit.c, winxml.c,
 * snare.c, json_mapping.c), and the helpers they share (defined in
 * decode.c).
 *
 * decode.c owns the detection order (docs/input-formats.md). A JSON message
 * is tokenized once there and every JSON format's detect predicate looks at
 * that same parse (token 0 is the top-level object), so detection costs a
 * member lookup or two, never a second parse. The other formats are told
 * apart by their first bytes: '<' and a letter is XML, "<digits>" a syslog
 * header (Snare), a msgpack map or array byte is Fluent Bit's msgpack, and
 * a line holding a MSWinEventLog tab field is Snare.
 *
 * A decode function receives an event already reset (origin kept), fills
 * it with views into the message or into its own scratch, and returns 0;
 * or returns -1 with a reason that starts with the format's name
 * ("winlogbeat: missing winlog.event_id"). It must not allocate once its
 * buffers have grown to the largest message seen.
 */
#ifndef KBC_FORMATS_H
#define KBC_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "kbc_err.h"
#include "kbc_decode.h"
#include "kbc_event.h"

/* Decoder options every format may read, and the decoder's state a JSON
 * format may use: a second parser for event data sent as a JSON-encoded
 * string, scratch for XML text with entities, and where each part of the
 * last event came from (kbc_decoder_part_source). */
typedef struct kbc_fmt_opts {
        int local_offset_min; /* zone of zone-less times, minutes east */
        kbc_json *inner;
        char *scratch; /* emptied for each message */
        size_t scratch_cap, scratch_used;
        /* The key token of each part's member, or -1; valid only when
         * from_set (a flat shape decoded the last message), so that other
         * formats pay nothing for it. */
        int from_key[KBC_PART__COUNT];
        bool from_set;
} kbc_fmt_opts;

typedef struct kbc_json_format {
        kbc_format format;
        bool (*detect)(const kbc_json *j);
        int (*decode)(kbc_json *j, kbc_fmt_opts *o, kbc_event *ev, char *errstr,
                      size_t errsize);
} kbc_json_format;

/* Winlogbeat 7/8 ECS JSON: a top-level "winlog" object. */
bool kbc_winlogbeat_detect(const kbc_json *j);
int kbc_winlogbeat_decode(kbc_json *j, kbc_fmt_opts *o, kbc_event *ev,
                          char *errstr, size_t errsize);

/* The flat JSON shapes (shapes.c), each read through the alias table
 * (aliases.c): Winlogbeat 6, NXLog, Fluent Bit's JSON form, PowerShell,
 * Log Analytics, the XML as JSON, Wazuh, and the generic flat record. */
extern const kbc_json_format kbc_flat_shapes[];
extern const size_t kbc_flat_nshapes;
/* The generic flat record, asked after the configured mappings. */
extern const kbc_json_format kbc_winjson_shape;

/* Is name one of the members a flat record carries beside its parts
 * that is not event data either (NXLog's ProcessID, Logstash's
 * @version)? By exact name. */
bool kbc_shape_system_member(kbc_str name);

/* Where the alias table found each part in an object: the member's value
 * and key tokens, or -1. */
typedef struct kbc_alias_hits {
        int tok[KBC_PART__COUNT];
        int key[KBC_PART__COUNT];
} kbc_alias_hits;

/* One pass over obj's members; the best-ranked alias of each part wins;
 * null members count as absent. */
void kbc_alias_scan(const kbc_json *j, int obj, kbc_alias_hits *h);

/* "eventtime, timecreated, ..." for an error naming what was looked
 * for. Returns buf. */
const char *kbc_alias_list(kbc_part part, char *buf, size_t size);

/* Event data from tok, whatever its form: an object of named values
 * (also the XML-as-JSON "Data" lists), an array of values or of
 * {"Value": v} (PowerShell's Properties), a JSON-encoded string of an
 * object, or an XML string of <Data Name="..">/<Param> elements. Absent
 * or another type: nothing. */
int kbc_fmt_event_data(kbc_json *j, int tok, kbc_fmt_opts *o, kbc_event *ev,
                       const char *fmt, char *errstr, size_t errsize);

/* The <Data>/<Param> elements of an XML fragment as fields, their text
 * entity-decoded into out (at least xml.len bytes, not moved while the
 * event lives). Returns the bytes of out used. */
size_t kbc_fmt_xml_data(kbc_str xml, char *out, kbc_event *ev);

/* Fluent Bit winevtlog, msgpack form (fluentbit.c). The state owns the
 * unpacked object's memory, reused from message to message. */
typedef struct kbc_msgpack_state kbc_msgpack_state;
kbc_msgpack_state *kbc_msgpack_state_new(void);
void kbc_msgpack_state_free(kbc_msgpack_state *s);
/* Detected by kbc_msgpack_starts_record (kbc_msgpack.h). */
int kbc_fluentbit_msgpack_decode(kbc_msgpack_state *s, const char *buf,
                                 size_t len, const kbc_fmt_opts *o,
                                 kbc_event *ev, char *errstr, size_t errsize);

/* Windows event XML (winxml.c). The state holds a reusable expat parser
 * and the scratch for entity-decoded text. */
typedef struct kbc_winxml kbc_winxml;
kbc_winxml *kbc_winxml_new(void);
void kbc_winxml_free(kbc_winxml *x);
int kbc_winxml_decode(kbc_winxml *x, const char *buf, size_t len, kbc_event *ev,
                      char *errstr, size_t errsize);

/* Snare MSWinEventLog (snare.c): a "MSWinEventLog" tab field near the
 * start, after an optional syslog header. */
bool kbc_snare_detect(const char *buf, size_t len);
int kbc_snare_decode(const char *buf, size_t len, const kbc_fmt_opts *o,
                     kbc_event *ev, char *errstr, size_t errsize);

/* Declarative JSON mappings (json_mapping.c). */
typedef struct kbc_mapping_set kbc_mapping_set;
kbc_mapping_set *kbc_mapping_set_new(void);
void kbc_mapping_set_free(kbc_mapping_set *ms);
void kbc_mapping_set_copy(kbc_mapping_set *dst, const kbc_mapping_set *src);
int kbc_mapping_set_add(kbc_mapping_set *ms, const char *name,
                        const kbc_json_mapping *m, char *errstr,
                        size_t errsize);
/* The index of the first mapping whose detect paths are all present, or
 * -1. */
int kbc_mapping_set_detect(const kbc_mapping_set *ms, const kbc_json *j);
size_t kbc_mapping_set_count(const kbc_mapping_set *ms);
const char *kbc_mapping_set_name(const kbc_mapping_set *ms, int i);
int kbc_mapping_decode(const kbc_mapping_set *ms, int i, kbc_json *j,
                       kbc_fmt_opts *o, kbc_event *ev, char *errstr,
                       size_t errsize);

/* Shared helpers (decode.c). */

/* A short printable excerpt of untrusted input for an error line: at most
 * 40 characters, bytes outside printable ASCII as \xNN, "..." when cut.
 * Returns buf. */
#define KBC_FMT_PREVIEW_SIZE 48
const char *kbc_fmt_preview(kbc_str s, char buf[KBC_FMT_PREVIEW_SIZE]);

/* Appends an EventData field, or counts it in fields_dropped past the
 * KBC_EVENT_MAX_FIELDS cap. */
static inline void kbc_fmt_add_field(kbc_event *ev, kbc_str name, kbc_str value)
{
        if (ev->nfields < KBC_EVENT_MAX_FIELDS)
                ev->fields[ev->nfields++] = (kbc_field){name, value};
        else
                ev->fields_dropped++;
}

/* "param1".."param64": names for values that have none (unnamed
 * EventData, StringInserts). i is 0-based; NULL-free views of static
 * storage. */
kbc_str kbc_fmt_param_name(size_t i);

/* A level as the lowercase names Winlogbeat uses: Windows' numbers (1
 * critical, 2 error, 3 warning, 4 and 0 information, 5 verbose) and the
 * names collectors write ("Error", "INFO", "Warn", "DEBUG"); anything else
 * as written (the view passed in). */
kbc_str kbc_fmt_level_name(kbc_str number);

/* Clears ev for the next message except its origin (the caller's) and
 * the fields array, which nfields = 0 hides: what kbc_decode does first. */
void kbc_fmt_reset_event(kbc_event *ev);

/* The well-known channel names in the case Windows shows them
 * ("security" from NXLog becomes "Security"); others stay as logged. */
void kbc_fmt_normalize_channel(kbc_event *ev);

/* Event time from text: ISO 8601 with 'T' or ' ', with or without a zone
 * (zone-less = offset_min east of UTC), also "YYYY-MM-DD HH:MM:SS +hhmm"
 * as Fluent Bit writes and "YYYY/MM/DD ..." as Fluentd does; PowerShell's
 * "/Date(1690000000000)/"; epoch seconds or milliseconds (a fraction
 * allowed). 0, or -1. */
int kbc_fmt_time(kbc_str s, int offset_min, int64_t *out_ms);

/* A Windows FILETIME (100 ns ticks since 1601) as Unix milliseconds. */
int64_t kbc_fmt_filetime_ms(uint64_t ft);

/* A decimal event id ("4624", optionally with surrounding spaces) within
 * 0..UINT32_MAX. 0 or -1. */
int kbc_fmt_parse_u32(kbc_str s, uint32_t *out);

/* JSON helpers shared by the JSON formats. fmt is the format's name for
 * the error ("nxlog"), what the member's name. */

/* The token at a dotted path below obj ("winlog.event_id"), or -1. */
int kbc_fmt_json_path(const kbc_json *j, int obj, const char *path);

/* Sets *out to tok's text when it is a scalar (string unescaped, number or
 * boolean as written); leaves it alone when absent, null or a container.
 * -1 only for a string that cannot be unescaped. */
int kbc_fmt_json_text(kbc_json *j, int tok, kbc_str *out, const char *fmt,
                      const char *what, char *errstr, size_t errsize);

/* The event id from tok (number, or string of digits); a missing or bad
 * one is an error. */
int kbc_fmt_json_event_id(const kbc_json *j, int tok, kbc_event *ev,
                          const char *fmt, const char *what, char *errstr,
                          size_t errsize);

/* The record id from tok when it is a non-negative integer (number or
 * string); anything else leaves it absent. */
void kbc_fmt_json_record_id(const kbc_json *j, int tok, kbc_event *ev);

/* Member paths of the fields every flat JSON format has (NULL = absent). */
typedef struct kbc_fmt_json_names {
        const char *event_id, *time, *host; /* required */
        const char *channel, *provider, *level, *message, *record_id;
} kbc_fmt_json_names;

/* Decodes those fields into ev. Event id, time and a non-empty host are
 * required; errors name the format and the member. The level is left as
 * logged (formats name numeric levels their own way). */
int kbc_fmt_json_common(kbc_json *j, const kbc_fmt_json_names *n,
                        int local_offset_min, kbc_event *ev, const char *fmt,
                        char *errstr, size_t errsize);

/* The event time from tok, required. */
int kbc_fmt_json_time(kbc_json *j, int tok, int offset_min, kbc_event *ev,
                      const char *fmt, const char *what, char *errstr,
                      size_t errsize);

/* Fields from tok: an object's scalar members by name (nested containers
 * skipped, null empty), or an array's scalar items as param1.. . Absent
 * or another type: nothing. */
int kbc_fmt_json_fields(kbc_json *j, int tok, kbc_event *ev, const char *fmt,
                        const char *what, char *errstr, size_t errsize);

#endif
