/*
 * kbc_event.h - the normalized Windows event (SPEC.md §2) that every decoder
 * produces and the matcher consumes. Strings are views: into the input
 * message, or into the decoder's scratch when unescaping was needed. They are
 * valid until the decoder's next call; keep nothing without copying it.
 */
#ifndef KBC_EVENT_H
#define KBC_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kbc_str.h"

/* Where an event was read: a file and line (or record), or a Kafka topic,
 * partition and offset. Reported on every error and in incident evidence. */
typedef enum kbc_origin_kind {
        KBC_ORIGIN_NONE = 0,
        KBC_ORIGIN_FILE,   /* source = path, position = line (1-based) */
        KBC_ORIGIN_RECORD, /* source = path, position = record number */
        KBC_ORIGIN_KAFKA,  /* source = topic, partition, position = offset */
        KBC_ORIGIN_INLINE, /* source = rule file, position = line of a test */
        KBC_ORIGIN_OBJECT, /* source = path, position = msgpack object no. */
} kbc_origin_kind;

typedef struct kbc_origin {
        kbc_origin_kind kind;
        const char *source;
        int32_t partition;
        int64_t position;
        int64_t stamp_ms; /* the Kafka message's timestamp; <= 0: none */
} kbc_origin;

#define KBC_ORIGIN_STRLEN 512

/* "path:12", "path#record 12", "path#object 12", "topic/3@1234"; always
 * NUL-terminated. */
void kbc_origin_format(const kbc_origin *o, char *buf, size_t size);

typedef struct kbc_field {
        kbc_str name; /* "param1".. when the source has no names */
        kbc_str value;
} kbc_field;

/* A cap, not a guess: Security events carry ~20 fields; more are counted
 * in fields_dropped rather than growing without bound. */
#define KBC_EVENT_MAX_FIELDS 64

typedef struct kbc_event {
        int64_t time_ms; /* event time, UTC; KBC_TIME_NONE if unknown */
        kbc_str host;    /* computer name as logged */
        kbc_str channel;
        kbc_str provider;
        kbc_str level;
        kbc_str message; /* rendered message; empty when absent (EVTX) */
        uint32_t event_id;
        bool has_event_id;
        bool has_record_id;
        uint64_t record_id;
        size_t nfields;
        size_t fields_dropped;
        kbc_field fields[KBC_EVENT_MAX_FIELDS];
        kbc_origin origin;
} kbc_event;

/* Clears every field (origin too). */
void kbc_event_reset(kbc_event *ev);

/* dst as a copy of src whose strings live in store (reset first), so
 * that it outlives the decoder's next call; each string NUL-terminated.
 * 0, or -1 if store's cap is too small. */
struct kbc_buf;
int kbc_event_copy(kbc_event *dst, const kbc_event *src, struct kbc_buf *store);

/* Value of the named EventData field (ASCII case-insensitive), or an
 * empty view. */
kbc_str kbc_event_field(const kbc_event *ev, kbc_str name);

/* Does the event report a problem? Level warning, error or critical; an
 * event of a source that only reports failures, whatever its level
 * (Application Popup, Save Dump, DrWatson: dialogs, STOP errors and
 * crashes logged at level Information); or no level at all (the source
 * did not say). */
bool kbc_event_reports_problem(const kbc_event *ev);

/* Is the message Windows' stand-in for one it could not render ("The
 * description for Event ID ( 528 ) in Source ( Security ) could not be
 * found. It contains the following insertion string(s): ...": the
 * collector lacked the source's message file)? */
bool kbc_message_undescribed(kbc_str message);

#endif
