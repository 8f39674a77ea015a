/*
 * json_ways.h - three ways to get the members a decoder needs out of one
 * JSON event, measured against each other by bench/json_ways.c (issue 16,
 * BENCHMARKS.md "JSON by measurement"):
 *
 *   current   kbc_decode: the jsmn-derived tokenizer, the validation walk
 *             and the decoders of parsers/ as they are;
 *   simdjson  simdjson's On-Demand API through a C shim
 *             (json_ways_simdjson.cpp);
 *   lazy      one validating pass over the text that keeps the top-level
 *             members and descends only into the objects a decoder reads
 *             (json_ways_lazy.c).
 *
 * The two prototypes share everything after the JSON walk: they fill a
 * jw_parts (the members, found by name), and json_ways_finish.c turns it
 * into the same kbc_event that kbc_decode makes, with the library's own
 * time, id and level conversions. So the figures differ by the JSON work
 * only. They cover the three formats of the real captures (Winlogbeat 7,
 * Winlogbeat 6, NXLog) in their common shapes; any other record, and any
 * error, returns JW_FALLBACK and the driver hands it to kbc_decode, as an
 * integration would, so error messages stay the library's.
 */
#ifndef KBC_BENCH_JSON_WAYS_H
#define KBC_BENCH_JSON_WAYS_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_decode.h"
#include "kbc_event.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum jw_type {
        JW_ABSENT = 0,
        JW_STRING,
        JW_NUMBER,
        JW_BOOL,
        JW_NULL,
        JW_OBJECT,
        JW_ARRAY,
} jw_type;

/* A member: its name and, for a scalar, its text (a number or boolean as
 * written). When esc is set the text is still escaped JSON (the lazy scan
 * unescapes only what is used); otherwise it is final. */
typedef struct jw_member {
        kbc_str key, val;
        unsigned char type; /* jw_type */
        bool esc;
} jw_member;

/* The names a decoder asks for: top level (the union of the three
 * formats), then the members of the objects it descends into. */
enum {
        JW_TIMESTAMP, /* @timestamp */
        JW_WINLOG,
        JW_HOST,
        JW_AGENT,
        JW_LOG,
        JW_EVENT,
        JW_MESSAGE,
        JW_EVENT_ID_, /* event_id */
        JW_LOG_NAME,
        JW_COMPUTER_NAME,
        JW_SOURCE_NAME,
        JW_RECORD_NUMBER,
        JW_LEVEL_,
        JW_EVENT_DATA,
        JW_USER_DATA,
        JW_NX_EVENTTIME,
        JW_NX_HOSTNAME,
        JW_NX_SOURCENAME,
        JW_NX_CHANNEL,
        JW_NX_EVENTID,
        JW_NX_RECORDNUMBER,
        JW_NX_SEVERITY,
        JW_NX_MESSAGE,
        JW_NTOP,
        /* winlog.*, host.name, agent.hostname, log.level, event.code */
        JW_W_EVENT_ID = JW_NTOP,
        JW_W_COMPUTER_NAME,
        JW_W_CHANNEL,
        JW_W_PROVIDER,
        JW_W_RECORD_ID,
        JW_W_EVENT_DATA,
        JW_W_USER_DATA,
        JW_HOST_NAME,
        JW_AGENT_HOSTNAME,
        JW_LOG_LEVEL,
        JW_EVENT_CODE,
        JW_NSLOTS
};

#define JW_MAX_MEMBERS 128
#define JW_FALLBACK    (-1)

/* What a walk found. slot[s] is the first member of that name (the
 * index into m for a top-level name), or -1. Event data objects are
 * added to ev as they are walked (ed_from says from which object). */
typedef struct jw_parts {
        jw_member m[JW_MAX_MEMBERS];
        size_t nm;
        jw_member nested[JW_NSLOTS - JW_NTOP];
        int slot[JW_NSLOTS];
        int ed_from;   /* JW_EVENT_DATA, JW_W_EVENT_DATA, JW_W_USER_DATA or
                        * -1: whose members are in ev->fields */
        char *scratch; /* unescaped text; at least the message's length */
        size_t scratch_used;
} jw_parts;

/* Starts a walk: no members, no slots, ev cleared but for its origin
 * (as kbc_decode does). */
void jw_start(jw_parts *p, char *scratch, kbc_event *ev);

/* The slot of a top-level name, of a member of the object in top-level
 * slot parent (JW_WINLOG, JW_HOST, ...), or -1. */
int jw_top_slot(kbc_str key);
int jw_nested_slot(int parent, kbc_str key);

/* Whether a top-level object's members are read (winlog, host, ...) or
 * are event data (event_data). */
bool jw_descends(int top_slot);

/* Adds an event data member (name unescaped, value as found) to ev, as
 * object_fields in event_data.c does for a flat object; JW_FALLBACK for
 * what that reader would treat otherwise ("Data", a nested object). */
int jw_event_data_member(jw_parts *p, kbc_str name, const jw_member *v,
                         kbc_event *ev);

/* The event from the parts: the format (KBC_FMT_WINLOGBEAT, _WINLOGBEAT6,
 * _NXLOG) as kbc_decode would detect it, or JW_FALLBACK. */
int jw_finish(jw_parts *p, kbc_event *ev);

/* The prototypes: one message in, the event out; the format or
 * JW_FALLBACK. */
typedef struct jw_simdjson jw_simdjson;
jw_simdjson *jw_simdjson_new(size_t max_len);
void jw_simdjson_free(jw_simdjson *s);
int jw_simdjson_decode(jw_simdjson *s, const char *buf, size_t len,
                       kbc_event *ev);

typedef struct jw_lazy jw_lazy;
jw_lazy *jw_lazy_new(size_t max_len);
void jw_lazy_free(jw_lazy *s);
int jw_lazy_decode(jw_lazy *s, const char *buf, size_t len, kbc_event *ev);

#ifdef __cplusplus
}
#endif

#endif
