/*
 * incident.c - an incident as one line of JSON, ECS-aligned so a SIEM maps
 * it without glue (field list: docs/incident-schema.md). Keys come in a
 * fixed order and numbers in fixed formats, so the same incident is always
 * the same bytes: replays can be compared with cmp and SIEMs can upsert on
 * event.id.
 */
#include <stdio.h>
#include <string.h>

#include "incident_internal.h"
#include "json.h"
#include "kbc_engine.h"
#include "kbc_time.h"
#include "rule_internal.h"

#define SYMPTOM_EXCERPT_MAX 160
#define CAUSE_EXCERPT_MAX   240
/* Every incident must fit in one Kafka message (1,000,000 bytes by
 * default): evidence stops being listed past this much JSON (64 messages
 * of 4 KiB of control characters would escape to 1.5 MB), and names taken
 * from events are cut (EVENT_NAME_MAX). event.count still counts
 * everything. */
#define EVIDENCE_JSON_MAX (256u << 10)

static void put_time(kbc_buf *b, const char *key, bool comma, int64_t ms)
{
        char t[KBC_TIME_STRLEN + 1];
        kbc_time_format(ms, t);
        kbc_buf_json_key(b, key, comma);
        kbc_buf_json_str(b, kbc_str_cstr(t));
}

void kbc_json_put_str(kbc_buf *b, const char *key, bool comma, const char *v)
{
        kbc_buf_json_key(b, key, comma);
        kbc_buf_json_str(b, kbc_str_cstr(v ? v : ""));
}

size_t kbc_utf8_prefix(const char *s, size_t max)
{
        size_t n = strlen(s);
        if (n > max)
                for (n = max; n && ((unsigned char)s[n] & 0xC0) == 0x80; n--)
                        ;
        return n;
}

void kbc_json_put_str_max(kbc_buf *b, const char *key, const char *v,
                          size_t max)
{
        kbc_buf_json_key(b, key, true);
        kbc_buf_json_str(
            b, kbc_str_make(v ? v : "", v ? kbc_utf8_prefix(v, max) : 0));
}

/* Signal names are qualified by their rule: "Q247773/imcadmin-not-current". */
static void put_signal(kbc_buf *b, const kbc_signal *s, bool qualified)
{
        char name[512];
        if (qualified)
                snprintf(name, sizeof(name), "%s/%s", s->rule->id, s->id);
        else
                snprintf(name, sizeof(name), "%s", s->id);
        kbc_buf_json_str(b, kbc_str_cstr(name));
}

static void put_signals(kbc_buf *b, const kbc_signal *const *s, size_t n,
                        bool qualified)
{
        kbc_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
                if (i)
                        kbc_buf_putc(b, ',');
                put_signal(b, s[i], qualified);
        }
        kbc_buf_putc(b, ']');
}

/* Appends s with runs of whitespace collapsed, cut at max bytes on a word
 * boundary (with "..." when cut). */
static void append_excerpt(kbc_buf *b, const char *s, size_t max)
{
        size_t start = b->len, last_space = 0;
        bool space = false, cut = false;
        for (; *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'; s++)
                ;
        for (; *s; s++) {
                bool ws = *s == ' ' || *s == '\t' || *s == '\r' || *s == '\n';
                if (ws) {
                        space = true;
                        continue;
                }
                if (b->len - start >= max) {
                        cut = true;
                        break;
                }
                if (space) {
                        last_space = b->len;
                        kbc_buf_putc(b, ' ');
                        space = false;
                }
                kbc_buf_putc(b, *s);
        }
        if (cut) {
                if (last_space > start)
                        b->len = last_space;
                kbc_buf_puts(b, "...");
        }
}

/* First sentence of the cause, which is what a reader of a dashboard line
 * needs; the whole text is in kb.cause. */
static void append_first_sentence(kbc_buf *b, const char *text, size_t max)
{
        const char *end = text;
        while (*end && !(end[0] == '.' &&
                         (end[1] == ' ' || end[1] == '\n' || end[1] == '\0')))
                end++;
        size_t n = (size_t)(end - text) + (*end == '.');
        char tmp[CAUSE_EXCERPT_MAX + 1];
        if (n > CAUSE_EXCERPT_MAX)
                n = CAUSE_EXCERPT_MAX;
        memcpy(tmp, text, n);
        tmp[n] = '\0';
        append_excerpt(b, tmp, max);
}

static const kbc_evidence *first_symptom(const kbc_incident *inc)
{
        for (size_t i = 0; i < inc->nevidence; i++)
                for (size_t j = 0; j < inc->evidence[i].nsignals; j++)
                        if (inc->evidence[i].signals[j]->symptom)
                                return &inc->evidence[i];
        return &inc->evidence[0];
}

void kbc_incident_message(const kbc_incident *inc, kbc_buf *m)
{
        const kbc_rule *top = inc->candidates[0].rule;
        const kbc_evidence *sym = first_symptom(inc);
        kbc_buf_printf(m, "%s: \"", inc->host);
        append_excerpt(m, sym->message[0] ? sym->message : sym->provider,
                       SYMPTOM_EXCERPT_MAX);
        kbc_buf_putc(m, '"');
        if (inc->ntied > 1) {
                kbc_buf_printf(m, " fits %zu KB articles equally (",
                               inc->ntied);
                for (size_t i = 0; i < inc->ntied; i++)
                        kbc_buf_printf(m, "%s%s", i ? ", " : "",
                                       inc->candidates[i].rule->id);
                kbc_buf_puts(m, "); more evidence is needed to tell them "
                                "apart, see each candidate's cause");
                return;
        }
        kbc_buf_puts(m, " - cause: ");
        append_first_sentence(m, top->cause, CAUSE_EXCERPT_MAX);
        kbc_buf_printf(m, " (KB %s, confidence %.2f)", top->id,
                       inc->confidence);
}

void kbc_signal_describe(const kbc_signal *s, kbc_buf *out)
{
        size_t start = out->len;
        if (s->provider)
                kbc_buf_printf(out, "%s ", s->provider);
        for (size_t i = 0; i < s->nevent_ids; i++)
                kbc_buf_printf(out, "%s%u", i ? "/" : "event ",
                               (unsigned)s->event_ids[i]);
        if (s->problem)
                kbc_buf_puts(out, out->len > start ? " reporting a problem"
                                                   : "a problem");
        for (size_t i = 0; i < s->ndata; i++)
                kbc_buf_printf(out, "%s%s matching /%s/",
                               out->len > start ? ", " : "", s->data[i].name,
                               s->data[i].src ? s->data[i].src : "");
        if (s->text || s->message_src) {
                kbc_buf_puts(out, out->len > start ? ": " : "");
                if (s->text) {
                        kbc_buf_putc(out, '"');
                        append_excerpt(out, s->text, SYMPTOM_EXCERPT_MAX);
                        kbc_buf_putc(out, '"');
                } else {
                        kbc_buf_printf(out, "a message matching /");
                        append_excerpt(out, s->message_src,
                                       SYMPTOM_EXCERPT_MAX);
                        kbc_buf_putc(out, '/');
                }
        }
        while (out->len > start && out->data[out->len - 1] == ' ')
                out->data[--out->len] = '\0';
}

/* A tied candidate's signals not seen: what to check next. */
static void put_check_next(kbc_buf *b, const kbc_candidate *c)
{
        kbc_buf what;
        kbc_buf_init(&what, 1024);
        kbc_buf_json_key(b, "check_next", true);
        kbc_buf_putc(b, '[');
        for (size_t i = 0; i < c->nunseen; i++) {
                kbc_buf_reset(&what);
                kbc_signal_describe(c->unseen[i], &what);
                kbc_buf_puts(b, i ? ",{" : "{");
                kbc_json_put_str(b, "signal", false, c->unseen[i]->id);
                kbc_json_put_str(b, "look_for", true,
                                 what.data ? what.data : "");
                kbc_buf_putc(b, '}');
        }
        kbc_buf_putc(b, ']');
        kbc_buf_free(&what);
}

void kbc_incident_put_candidates(kbc_buf *b, const kbc_incident *inc)
{
        kbc_buf_putc(b, '[');
        for (size_t i = 0; i < inc->ncandidates; i++) {
                const kbc_candidate *c = &inc->candidates[i];
                kbc_buf_puts(b, i ? ",{" : "{");
                kbc_json_put_str(b, "kb.id", false, c->rule->id);
                kbc_buf_json_key(b, "score", true);
                kbc_buf_printf(b, "%g", c->score);
                kbc_buf_json_key(b, "signals", true);
                put_signals(b, c->signals, c->nsignals, false);
                if (c->nunseen)
                        put_check_next(b, c);
                kbc_buf_putc(b, '}');
        }
        kbc_buf_putc(b, ']');
}

void kbc_evidence_put_json(kbc_buf *b, const kbc_evidence *ev)
{
        kbc_buf_putc(b, '{');
        put_time(b, "@timestamp", false, ev->time_ms);
        kbc_json_put_str_max(b, "provider", ev->provider, EVENT_NAME_MAX);
        kbc_buf_json_key(b, "event_id", true);
        kbc_buf_printf(b, "%u", (unsigned)ev->event_id);
        kbc_json_put_str_max(b, "channel", ev->channel, EVENT_NAME_MAX);
        if (ev->has_record_id) {
                kbc_buf_json_key(b, "record_id", true);
                kbc_buf_printf(b, "%llu", (unsigned long long)ev->record_id);
        }
        kbc_json_put_str(b, "message", true, ev->message);
        kbc_buf_json_key(b, "signals", true);
        put_signals(b, ev->signals, ev->nsignals, true);
        kbc_json_put_str(b, "origin", true, ev->origin);
        kbc_buf_putc(b, '}');
}

void kbc_incident_put_evidence(kbc_buf *b, const kbc_incident *inc,
                               kbc_evidence_writer *put_one)
{
        kbc_buf_putc(b, '[');
        size_t start = b->len;
        for (size_t i = 0;
             i < inc->nevidence && b->len - start < EVIDENCE_JSON_MAX; i++) {
                if (i)
                        kbc_buf_putc(b, ',');
                put_one(b, inc, &inc->evidence[i]);
        }
        kbc_buf_putc(b, ']');
}

static void put_evidence_entry(kbc_buf *b, const kbc_incident *inc,
                               const kbc_evidence *ev)
{
        (void)inc;
        kbc_evidence_put_json(b, ev);
}

int kbc_incident_to_json(const kbc_incident *inc, kbc_buf *b)
{
        const kbc_rule *top = inc->candidates[0].rule;
        kbc_buf msg;
        kbc_buf_init(&msg, 4096);
        kbc_incident_message(inc, &msg);

        kbc_buf_putc(b, '{');
        put_time(b, "@timestamp", false, inc->end_ms);
        kbc_buf_puts(b, ",\"event\":{\"kind\":\"alert\"");
        kbc_json_put_str(b, "id", true, inc->id);
        put_time(b, "start", true, inc->start_ms);
        put_time(b, "end", true, inc->end_ms);
        kbc_buf_printf(b, ",\"severity\":%d,\"count\":%llu,\"sequence\":%llu",
                       top->severity, (unsigned long long)inc->count,
                       (unsigned long long)inc->sequence);
        kbc_buf_puts(b, ",\"module\":\"kbcorr\"}");
        kbc_buf_puts(b, ",\"host\":{");
        kbc_json_put_str(b, "name", false, inc->host);
        kbc_buf_puts(b, "},\"rule\":{");
        kbc_json_put_str(b, "id", false, top->id);
        kbc_json_put_str(b, "name", true, top->title);
        kbc_json_put_str(b, "reference", true, top->reference);
        kbc_buf_puts(b, "},\"kb\":{");
        kbc_json_put_str(b, "id", false, top->id);
        kbc_json_put_str(b, "title", true, top->title);
        kbc_json_put_str(b, "cause", true, top->cause);
        kbc_json_put_str(b, "resolution", true, top->resolution);
        kbc_buf_printf(b, ",\"confidence\":%.2f,\"ambiguous\":%s}",
                       inc->confidence, inc->ntied > 1 ? "true" : "false");
        kbc_buf_printf(b, ",\"kbcorr\":{\"state\":\"%s\",\"occurrences\":%llu}",
                       inc->open ? "open" : "closed",
                       (unsigned long long)inc->occurrences);
        kbc_buf_json_key(b, "candidates", true);
        kbc_incident_put_candidates(b, inc);
        kbc_buf_json_key(b, "evidence", true);
        kbc_incident_put_evidence(b, inc, put_evidence_entry);
        kbc_json_put_str(b, "message", true, msg.data ? msg.data : "");
        kbc_buf_putc(b, '}');
        kbc_buf_free(&msg);
        return b->overflow ? -1 : 0;
}

int kbc_incident_to_msgpack(const kbc_incident *inc, kbc_buf *json,
                            kbc_buf *out)
{
        kbc_buf_reset(json);
        if (kbc_incident_to_json(inc, json))
                return -1;
        return kbc_json_to_msgpack(json->data, json->len, out);
}
