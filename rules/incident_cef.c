/*
 * incident_cef.c - an incident as one ArcSight CEF line (Common Event
 * Format 0): CEF:0|kbcorr|kbcorr|VERSION|KB id|title|severity|extensions.
 * docs/incident-schema.md lists the keys, the severity formula and the
 * escaping; cut lengths follow ArcSight's field sizes.
 */
#include "incident_internal.h"
#include "rule_internal.h"

#define CEF_NAME_MAX 512  /* the header's Name */
#define CEF_MSG_MAX  1023 /* msg */
#define CEF_CS_MAX   4000 /* csN */

/* A header field: pipes and backslashes escaped; a line break, which the
 * header cannot carry, becomes a space. */
static void put_header(kbc_buf *b, const char *s, size_t max)
{
        s = s ? s : "";
        size_t n = kbc_utf8_prefix(s, max);
        kbc_buf_putc(b, '|');
        for (size_t i = 0; i < n; i++) {
                if (s[i] == '|' || s[i] == '\\')
                        kbc_buf_putc(b, '\\');
                kbc_buf_putc(b, s[i] == '\r' || s[i] == '\n' ? ' ' : s[i]);
        }
}

/* " key=value": backslashes and equal signs escaped, line breaks as \n
 * and \r, so the record stays one line. */
static void put_ext(kbc_buf *b, const char *key, const char *s, size_t max)
{
        s = s ? s : "";
        size_t n = kbc_utf8_prefix(s, max);
        kbc_buf_printf(b, " %s=", key);
        for (size_t i = 0; i < n; i++) {
                switch (s[i]) {
                case '\\':
                case '=':
                        kbc_buf_putc(b, '\\');
                        kbc_buf_putc(b, s[i]);
                        break;
                case '\n':
                        kbc_buf_puts(b, "\\n");
                        break;
                case '\r':
                        kbc_buf_puts(b, "\\r");
                        break;
                default:
                        kbc_buf_putc(b, s[i]);
                }
        }
}

static void put_labelled(kbc_buf *b, const char *key, const char *label,
                         const char *s)
{
        kbc_buf_printf(b, " %sLabel=%s", key, label);
        put_ext(b, key, s, CEF_CS_MAX);
}

static void put_number(kbc_buf *b, const char *key, const char *label,
                       long long v)
{
        if (label)
                kbc_buf_printf(b, " %sLabel=%s", key, label);
        kbc_buf_printf(b, " %s=%lld", key, v);
}

/* 0..10: the rule's severity (low 3, medium 6, high 8, critical 10)
 * scaled by how sure the diagnosis is, from half at confidence 0 to
 * all of it at 1. */
static int severity_of(int severity, double confidence)
{
        int base = severity >= KBC_SEVERITY_CRITICAL ? 10
                   : severity >= KBC_SEVERITY_HIGH   ? 8
                   : severity >= KBC_SEVERITY_MEDIUM ? 6
                                                     : 3;
        double c = confidence < 0 ? 0 : confidence > 1 ? 1 : confidence;
        return (int)(base * (0.5 + c / 2) + 0.5);
}

/* "Q247773:4,Q324332:1": the ranking in one field. */
static void candidates_text(const kbc_incident *inc, kbc_buf *t)
{
        for (size_t i = 0; i < inc->ncandidates; i++)
                kbc_buf_printf(t, "%s%s:%g", i ? "," : "",
                               inc->candidates[i].rule->id,
                               inc->candidates[i].score);
}

int kbc_incident_to_cef(const kbc_incident *inc, kbc_buf *scratch, kbc_buf *b)
{
        const kbc_rule *top = inc->candidates[0].rule;
        kbc_buf_puts(b, "CEF:0|kbcorr|kbcorr|" KBC_VERSION);
        put_header(b, top->id, CEF_NAME_MAX);
        put_header(b, top->title, CEF_NAME_MAX);
        kbc_buf_printf(b, "|%d|", severity_of(top->severity, inc->confidence));
        kbc_buf_printf(b, "rt=%lld", (long long)inc->end_ms);
        put_ext(b, "externalId", inc->id, CEF_CS_MAX);
        put_number(b, "start", NULL, inc->start_ms);
        put_number(b, "end", NULL, inc->end_ms);
        put_ext(b, "dhost", inc->host, CEF_MSG_MAX);
        put_number(b, "cnt", NULL, (long long)inc->count);
        kbc_buf_reset(scratch);
        kbc_incident_message(inc, scratch);
        bool cut = scratch->overflow; /* the reset below forgets it */
        put_ext(b, "msg", scratch->data, CEF_MSG_MAX);
        put_labelled(b, "cs1", "kbId", top->id);
        put_labelled(b, "cs2", "cause", top->cause);
        put_labelled(b, "cs3", "resolution", top->resolution);
        put_labelled(b, "cs4", "reference", top->reference);
        put_labelled(b, "cs5", "state", inc->open ? "open" : "closed");
        kbc_buf_reset(scratch);
        candidates_text(inc, scratch);
        put_labelled(b, "cs6", "candidates", scratch->data);
        put_number(b, "cn1", "sequence", (long long)inc->sequence);
        put_number(b, "cn2", "confidence",
                   (long long)(inc->confidence * 100 + 0.5));
        put_number(b, "cn3", "occurrences", (long long)inc->occurrences);
        return b->overflow || cut || scratch->overflow ? -1 : 0;
}
