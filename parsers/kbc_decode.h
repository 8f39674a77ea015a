/*
 * kbc_decode.h - turns one input message (a Kafka message, a line of a file,
 * a record of an EVTX file) into a normalized event. The format is detected
 * per message unless forced, so one topic may carry several formats; the
 * detection order and every format's field mapping are in
 * docs/input-formats.md.
 */
#ifndef KBC_DECODE_H
#define KBC_DECODE_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_event.h"

typedef enum kbc_format {
        KBC_FMT_AUTO = 0,
        KBC_FMT_WINLOGBEAT,  /* Winlogbeat 7/8 ECS JSON */
        KBC_FMT_WINLOGBEAT6, /* Winlogbeat 6 JSON */
        KBC_FMT_NXLOG,       /* NXLog im_msvistalog JSON */
        KBC_FMT_FLUENTBIT,   /* Fluent Bit winevtlog, JSON or msgpack */
        KBC_FMT_WINXML,      /* Windows event XML (WEF, wevtutil, EVTX) */
        KBC_FMT_SNARE,       /* Snare MSWinEventLog, tab-separated */
        KBC_FMT_MAPPED,     /* a JSON flavour described by a kbc_json_mapping */
        KBC_FMT_POWERSHELL, /* Get-WinEvent | ConvertTo-Json */
        KBC_FMT_LOGANALYTICS, /* Log Analytics Event, SecurityEvent,
                               * WindowsEvent rows */
        KBC_FMT_EVTXJSON,     /* the XML as JSON: evtx_dump, xmltodict */
        KBC_FMT_WAZUH,        /* Wazuh alerts of its eventchannel reader */
        KBC_FMT_WINJSON,      /* any other flat record the aliases read */
        KBC_FMT__COUNT
} kbc_format;

/* Whether text (a message after leading whitespace, a file after a BOM
 * and blanks) starts like Windows event XML: '<' and a non-digit, since
 * "<13>" is a syslog header (Snare), never XML. */
bool kbc_winxml_starts(const char *p, size_t n);

const char *kbc_format_name(kbc_format f);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int kbc_format_parse(const char *name, kbc_format *out);

/* Larger messages are refused before any parsing: a Windows event is a few
 * KiB, and Kafka's default message.max.bytes is also 1 MiB. */
#define KBC_DECODE_MAX_MESSAGE (1024 * 1024)

typedef struct kbc_decoder kbc_decoder;

kbc_decoder *kbc_decoder_new(void);
void kbc_decoder_free(kbc_decoder *d);

/* The zone of times logged without one (NXLog's EventTime, Snare's date),
 * in minutes east of UTC: -300 for a collector on US Eastern standard time.
 * Default 0 (UTC). Returns 0, or -1 outside -14h..+14h. */
int kbc_decoder_set_local_offset(kbc_decoder *d, int minutes);

/* A declarative description of another JSON flavour: each member is a
 * dotted path into the message ("System.Computer"; a key that itself holds
 * a dot cannot be named). NULL leaves that part of the event absent; time,
 * host and event_id are required. event_data names an object whose scalar
 * members become fields, or an array whose items become param1... The
 * message is claimed in auto mode when every path of detect (up to
 * KBC_MAPPING_MAX_DETECT, NULL-terminated) is present. */
#define KBC_MAPPING_MAX_DETECT 4
typedef struct kbc_json_mapping {
        const char *time; /* ISO 8601 (zone-less = local offset) */
        const char *host;
        const char *channel;
        const char *provider;
        const char *event_id; /* number or string */
        const char *record_id;
        const char *level;
        const char *message;
        const char *event_data;
        const char *detect[KBC_MAPPING_MAX_DETECT + 1];
} kbc_json_mapping;

#define KBC_MAX_MAPPINGS 16

/* Registers mapping m under name (copied; the paths are copied too). The
 * mappings are tried after the built-in JSON formats, in registration
 * order; KBC_FMT_MAPPED forced tries only them. Returns 0, or -1 with the
 * reason (a missing required path, a duplicate name, too many) in errstr. */
int kbc_decoder_add_mapping(kbc_decoder *d, const char *name,
                            const kbc_json_mapping *m, char *errstr,
                            size_t errsize);

/* Replaces dst's mappings with those registered on src: files are read
 * and checked once, then handed to every pipeline. */
void kbc_decoder_copy_mappings(kbc_decoder *dst, const kbc_decoder *src);

/* The name of the mapping that decoded the last KBC_FMT_MAPPED event, or
 * NULL. */
const char *kbc_decoder_last_mapping(const kbc_decoder *d);

/* The parts of an event a JSON shape may find under several names
 * (docs/input-formats.md has the alias table). */
typedef enum kbc_part {
        KBC_PART_TIME,
        KBC_PART_HOST,
        KBC_PART_PROVIDER,
        KBC_PART_CHANNEL,
        KBC_PART_EVENT_ID,
        KBC_PART_RECORD_ID,
        KBC_PART_LEVEL,
        KBC_PART_MESSAGE,
        KBC_PART_EVENT_DATA,
        KBC_PART_USER_DATA,
        KBC_PART__COUNT
} kbc_part;

const char *kbc_part_name(kbc_part p);

/* The member the last event's part was read from, by its name in the
 * message ("TimeCreated"), for `kbcorr explain`; empty when the part was
 * absent or the format reads fixed places (Winlogbeat, XML, Snare). Valid
 * until the next decode. */
kbc_str kbc_decoder_part_source(const kbc_decoder *d, kbc_part p);

/* Decodes one message of len bytes (not necessarily NUL-terminated) into
 * *ev, whose views point into buf or into the decoder; valid until the next
 * call on d. ev->origin is left as the caller set it. On success returns the
 * format that was decoded; on failure returns KBC_FMT_AUTO and writes the
 * reason (without the origin, which the caller prepends) to errstr. */
kbc_format kbc_decode(kbc_decoder *d, kbc_format forced, const char *buf,
                      size_t len, kbc_event *ev, char *errstr, size_t errsize);

#endif
