/*
 * kbc_decode.h - turns one input message (a Kafka message, a line of a file)
 * into a normalized event. The format is detected per message unless forced,
 * so one topic may carry several formats.
 */
#ifndef KBC_DECODE_H
#define KBC_DECODE_H

#include <stddef.h>

#include "kbc_event.h"

typedef enum kbc_format {
        KBC_FMT_AUTO = 0,
        KBC_FMT_WINLOGBEAT, /* Winlogbeat 7/8 ECS JSON */
        KBC_FMT__COUNT
} kbc_format;

const char *kbc_format_name(kbc_format f);
/* Returns 0 and sets *out, or -1 for an unknown name. */
int kbc_format_parse(const char *name, kbc_format *out);

typedef struct kbc_decoder kbc_decoder;

kbc_decoder *kbc_decoder_new(void);
void kbc_decoder_free(kbc_decoder *d);

/* Decodes one message of len bytes (not necessarily NUL-terminated) into
 * *ev, whose views point into buf or into the decoder; valid until the next
 * call on d. ev->origin is left as the caller set it. On success returns the
 * format that was decoded; on failure returns KBC_FMT_AUTO and writes the
 * reason (without the origin, which the caller prepends) to errstr. */
kbc_format kbc_decode(kbc_decoder *d, kbc_format forced, const char *buf,
                      size_t len, kbc_event *ev, char *errstr, size_t errsize);

#endif
