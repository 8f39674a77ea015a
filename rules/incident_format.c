/*
 * incident_format.c - one entry point for every output format, so that a
 * sink names a format and never a serializer.
 */
#include <string.h>

#include "incident_internal.h"
#include "kbc_incident_format.h"

static const char *const names[] = {
    [KBC_OUT_ECS] = "ecs",
    [KBC_OUT_MSGPACK] = "msgpack",
    [KBC_OUT_OCSF] = "ocsf",
    [KBC_OUT_CEF] = "cef",
};

int kbc_out_format_parse(const char *name, kbc_out_format *f)
{
        if (!strcmp(name, "json")) { /* before formats were per sink */
                *f = KBC_OUT_ECS;
                return 0;
        }
        for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if (!strcmp(name, names[i])) {
                        *f = (kbc_out_format)i;
                        return 0;
                }
        return -1;
}

const char *kbc_out_format_name(kbc_out_format f)
{
        return names[f];
}

bool kbc_out_format_is_line(kbc_out_format f)
{
        return f != KBC_OUT_MSGPACK;
}

int kbc_incident_format(const kbc_incident *inc, kbc_out_format f,
                        kbc_buf *scratch, kbc_buf *out)
{
        switch (f) {
        case KBC_OUT_MSGPACK:
                return kbc_incident_to_msgpack(inc, scratch, out);
        case KBC_OUT_OCSF:
                return kbc_incident_to_ocsf(inc, scratch, out);
        case KBC_OUT_CEF:
                return kbc_incident_to_cef(inc, scratch, out);
        case KBC_OUT_ECS:
        default:
                return kbc_incident_to_json(inc, out);
        }
}
