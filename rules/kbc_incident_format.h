/*
 * kbc_incident_format.h - an incident in the formats a sink can write
 * (docs/incident-schema.md maps every field to each of them).
 */
#ifndef KBC_INCIDENT_FORMAT_H
#define KBC_INCIDENT_FORMAT_H

#include <stdbool.h>

#include "kbc_buf.h"
#include "kbc_engine.h"

typedef enum kbc_out_format {
        KBC_OUT_ECS,     /* one JSON object, ECS-aligned (the default) */
        KBC_OUT_MSGPACK, /* the same keys and values as one msgpack map */
        KBC_OUT_OCSF,    /* OCSF Detection Finding (class 2004), JSON */
        KBC_OUT_CEF,     /* one ArcSight CEF line */
} kbc_out_format;

/* "ecs" (or its old name "json"), "msgpack", "ocsf", "cef". 0, or -1 if
 * name is none of them. */
int kbc_out_format_parse(const char *name, kbc_out_format *f);
const char *kbc_out_format_name(kbc_out_format f);
/* Whether records of f are text, written one a line; msgpack objects
 * delimit themselves. */
bool kbc_out_format_is_line(kbc_out_format f);

/* inc in format f appended to out, without a newline; scratch is reused
 * between calls. Returns 0, or -1 if out grew past its cap. */
int kbc_incident_format(const kbc_incident *inc, kbc_out_format f,
                        kbc_buf *scratch, kbc_buf *out);

#endif
