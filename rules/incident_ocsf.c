/*
 * incident_ocsf.c - an incident as an OCSF 1.8.0 Detection Finding
 * (class 2004, category Findings), one JSON object. docs/incident-schema.md
 * maps every field beside ECS and CEF and gives the enum maps; the keys
 * come in a fixed order, so the same incident is always the same bytes.
 */
#include <stdio.h>

#include "incident_internal.h"
#include "rule_internal.h"

#define OCSF_VERSION      "1.8.0"
#define OCSF_CATEGORY_UID 2
#define OCSF_CLASS_UID    2004
/* activity_id: the first emission of an incident creates the finding,
 * every later one (open states, the close, repeats) updates it. */
#define OCSF_CREATE 1
#define OCSF_UPDATE 2

typedef struct ocsf_enum {
        int id;
        const char *name;
} ocsf_enum;

/* The rule's severity (ECS 21/47/73/99) to severity_id. */
static ocsf_enum severity_of(int severity)
{
        if (severity >= KBC_SEVERITY_CRITICAL)
                return (ocsf_enum){5, "Critical"};
        if (severity >= KBC_SEVERITY_HIGH)
                return (ocsf_enum){4, "High"};
        if (severity >= KBC_SEVERITY_MEDIUM)
                return (ocsf_enum){3, "Medium"};
        if (severity >= KBC_SEVERITY_LOW)
                return (ocsf_enum){2, "Low"};
        return (ocsf_enum){1, "Informational"};
}

/* kb.confidence to confidence_id: below 0.4 Low, below 0.7 Medium. */
static ocsf_enum confidence_of(double c)
{
        if (c >= 0.7)
                return (ocsf_enum){3, "High"};
        if (c >= 0.4)
                return (ocsf_enum){2, "Medium"};
        return (ocsf_enum){1, "Low"};
}

static void put_enum(kbc_buf *b, const char *id_key, const char *name_key,
                     ocsf_enum e)
{
        kbc_buf_json_key(b, id_key, true);
        kbc_buf_printf(b, "%d", e.id);
        kbc_json_put_str(b, name_key, true, e.name);
}

static void put_int(kbc_buf *b, const char *key, bool comma, long long v)
{
        kbc_buf_json_key(b, key, comma);
        kbc_buf_printf(b, "%lld", v);
}

/* "Service Control Manager event 7036": what an evidence event is. */
static void put_event_name(kbc_buf *b, const char *key, const kbc_evidence *ev)
{
        char name[EVENT_NAME_MAX + 32];
        const char *p = ev->provider ? ev->provider : "";
        snprintf(name, sizeof(name), "%.*s event %u",
                 (int)kbc_utf8_prefix(p, EVENT_NAME_MAX), p,
                 (unsigned)ev->event_id);
        kbc_json_put_str(b, key, true, name);
}

/* related_event: a Windows event, not an OCSF one, so type and not
 * type_uid; its origin (file:line, topic/partition@offset) is its uid. */
static void put_related_event(kbc_buf *b, const kbc_incident *inc,
                              const kbc_evidence *ev)
{
        (void)inc;
        kbc_buf_putc(b, '{');
        kbc_json_put_str(b, "uid", false, ev->origin);
        kbc_json_put_str(b, "type", true, "Windows Event Log");
        put_event_name(b, "title", ev);
        put_int(b, "created_time", true, ev->time_ms);
        kbc_buf_putc(b, '}');
}

/* evidences: the whole event, as ECS lists it, under data, and the host
 * that logged it (whether a server or a desktop, kbcorr cannot tell). */
static void put_evidence(kbc_buf *b, const kbc_incident *inc,
                         const kbc_evidence *ev)
{
        kbc_buf_putc(b, '{');
        kbc_json_put_str(b, "uid", false, ev->origin);
        put_event_name(b, "name", ev);
        kbc_buf_puts(b, ",\"device\":{\"type_id\":0,\"type\":\"Unknown\"");
        kbc_json_put_str(b, "hostname", true, inc->host);
        kbc_buf_putc(b, '}');
        kbc_buf_json_key(b, "data", true);
        kbc_evidence_put_json(b, ev);
        kbc_buf_putc(b, '}');
}

static void put_metadata(kbc_buf *b, const kbc_incident *inc)
{
        char uid[64];
        snprintf(uid, sizeof(uid), "%s.%llu", inc->id,
                 (unsigned long long)inc->sequence);
        kbc_buf_puts(b, ",\"metadata\":{\"version\":\"" OCSF_VERSION "\"");
        kbc_buf_puts(b, ",\"product\":{\"name\":\"kbcorr\",\"vendor_name\":"
                        "\"kbcorr\",\"version\":\"" KBC_VERSION "\"}");
        kbc_json_put_str(b, "uid", true, uid);
        kbc_json_put_str(b, "correlation_uid", true, inc->id);
        put_int(b, "sequence", true, (long long)inc->sequence);
        kbc_buf_putc(b, '}');
}

static void put_finding_info(kbc_buf *b, const kbc_incident *inc)
{
        const kbc_rule *top = inc->candidates[0].rule;
        kbc_buf_puts(b, ",\"finding_info\":{");
        kbc_json_put_str(b, "uid", false, inc->id);
        kbc_json_put_str(b, "title", true, top->title);
        kbc_json_put_str(b, "desc", true, top->cause);
        kbc_json_put_str(b, "src_url", true, top->reference);
        kbc_buf_puts(b, ",\"analytic\":{\"type_id\":1,\"type\":\"Rule\"");
        kbc_json_put_str(b, "uid", true, top->id);
        kbc_json_put_str(b, "name", true, top->title);
        kbc_buf_putc(b, '}');
        put_int(b, "first_seen_time", true, inc->start_ms);
        put_int(b, "last_seen_time", true, inc->end_ms);
        put_int(b, "related_events_count", true, (long long)inc->nevidence);
        kbc_buf_json_key(b, "related_events", true);
        kbc_incident_put_evidence(b, inc, put_related_event);
        kbc_buf_putc(b, '}');
}

/* The winner's resolution; every candidate's article, the winner first. */
static void put_remediation(kbc_buf *b, const kbc_incident *inc)
{
        kbc_buf_puts(b, ",\"remediation\":{");
        kbc_json_put_str(b, "desc", false, inc->candidates[0].rule->resolution);
        kbc_buf_puts(b, ",\"kb_article_list\":[");
        for (size_t i = 0; i < inc->ncandidates; i++) {
                const kbc_rule *r = inc->candidates[i].rule;
                kbc_buf_puts(b, i ? ",{" : "{");
                kbc_json_put_str(b, "uid", false, r->id);
                kbc_json_put_str(b, "title", true, r->title);
                if (r->reference && r->reference[0])
                        kbc_json_put_str(b, "src_url", true, r->reference);
                kbc_buf_putc(b, '}');
        }
        kbc_buf_puts(b, "]}");
}

static void put_host(kbc_buf *b, const kbc_incident *inc)
{
        kbc_buf_puts(b, ",\"resources\":[{");
        kbc_json_put_str(b, "name", false, inc->host);
        kbc_json_put_str(b, "hostname", true, inc->host);
        kbc_json_put_str(b, "type", true, "Windows host");
        kbc_buf_puts(b, "}],\"observables\":[{\"name\":\"resources."
                        "hostname\",\"type_id\":1,\"type\":\"Hostname\"");
        kbc_json_put_str(b, "value", true, inc->host);
        kbc_buf_puts(b, "}]");
}

/* What OCSF has no attribute for. */
static void put_unmapped(kbc_buf *b, const kbc_incident *inc)
{
        kbc_buf_puts(b, ",\"unmapped\":{\"kbcorr\":{");
        kbc_json_put_str(b, "state", false, inc->open ? "open" : "closed");
        put_int(b, "occurrences", true, (long long)inc->occurrences);
        kbc_buf_printf(b, ",\"ambiguous\":%s",
                       inc->ntied > 1 ? "true" : "false");
        put_int(b, "tied", true, (long long)inc->ntied);
        kbc_buf_json_key(b, "candidates", true);
        kbc_incident_put_candidates(b, inc);
        kbc_buf_puts(b, "}}");
}

int kbc_incident_to_ocsf(const kbc_incident *inc, kbc_buf *scratch, kbc_buf *b)
{
        const kbc_rule *top = inc->candidates[0].rule;
        int activity = inc->first ? OCSF_CREATE : OCSF_UPDATE;
        double conf = inc->confidence < 0   ? 0
                      : inc->confidence > 1 ? 1
                                            : inc->confidence;
        kbc_buf_reset(scratch);
        kbc_incident_message(inc, scratch);

        kbc_buf_printf(b, "{\"activity_id\":%d", activity);
        kbc_json_put_str(b, "activity_name", true,
                         activity == OCSF_CREATE ? "Create" : "Update");
        kbc_buf_printf(b,
                       ",\"category_uid\":%d,\"category_name\":\"Findings\""
                       ",\"class_uid\":%d,\"class_name\":\"Detection "
                       "Finding\",\"type_uid\":%d",
                       OCSF_CATEGORY_UID, OCSF_CLASS_UID,
                       OCSF_CLASS_UID * 100 + activity);
        kbc_buf_printf(b, ",\"type_name\":\"Detection Finding: %s\"",
                       activity == OCSF_CREATE ? "Create" : "Update");
        put_int(b, "time", true, inc->end_ms);
        put_int(b, "start_time", true, inc->start_ms);
        put_int(b, "end_time", true, inc->end_ms);
        put_int(b, "count", true, (long long)inc->count);
        put_enum(b, "severity_id", "severity", severity_of(top->severity));
        /* kbcorr cannot know a SOC's triage: every state is New to it;
         * status_detail says whether the diagnosis is still provisional. */
        kbc_buf_puts(b, ",\"status_id\":1,\"status\":\"New\"");
        kbc_json_put_str(b, "status_detail", true,
                         inc->open ? "open: provisional diagnosis, the case "
                                     "is still collecting evidence"
                                   : "closed: final diagnosis");
        put_enum(b, "confidence_id", "confidence", confidence_of(conf));
        put_int(b, "confidence_score", true, (long long)(conf * 100 + 0.5));
        kbc_buf_puts(b, ",\"is_alert\":true");
        kbc_json_put_str(b, "message", true, scratch->data);
        kbc_buf_puts(b, ",\"timezone_offset\":0"); /* times are UTC */
        put_metadata(b, inc);
        put_finding_info(b, inc);
        put_remediation(b, inc);
        put_host(b, inc);
        kbc_buf_json_key(b, "evidences", true);
        kbc_incident_put_evidence(b, inc, put_evidence);
        put_unmapped(b, inc);
        kbc_buf_putc(b, '}');
        return b->overflow || scratch->overflow ? -1 : 0;
}
