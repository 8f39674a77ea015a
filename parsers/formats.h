/*
 * formats.h - internal: the per-format decoders behind kbc_decode, one file
 * each (winlogbeat.c now; Winlogbeat 6, NXLog, Windows XML, Fluent Bit and
 * Snare to follow), and the few helpers they share (defined in decode.c).
 *
 * decode.c owns the detection order. A JSON message is tokenized once there
 * and every JSON format's detect predicate looks at that same parse (token
 * 0 is the top-level object), so detection costs a member lookup or two,
 * never a second parse. Formats that are not JSON (XML, Snare) will get a
 * predicate over the raw bytes instead.
 *
 * A decode function receives an event already reset (origin kept), fills
 * it with views into the message or into the parser's scratch, and returns
 * 0; or returns -1 with a reason that starts with the format's name
 * ("winlogbeat: missing winlog.event_id"). It must not allocate.
 */
#ifndef KBC_FORMATS_H
#define KBC_FORMATS_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "kbc_err.h"
#include "kbc_decode.h"
#include "kbc_event.h"

typedef struct kbc_json_format {
        kbc_format format;
        bool (*detect)(const kbc_json *j);
        int (*decode)(kbc_json *j, kbc_event *ev, char *errstr, size_t errsize);
} kbc_json_format;

/* Winlogbeat 7/8 ECS JSON: a top-level "winlog" object. */
bool kbc_winlogbeat_detect(const kbc_json *j);
int kbc_winlogbeat_decode(kbc_json *j, kbc_event *ev, char *errstr,
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

#endif
