/*
 * incident_internal.h - the parts of the ECS writer (incident.c) that the
 * other formats reuse, so every format says the same thing in the same
 * words: the dashboard message, the candidates and the evidence entries.
 */
#ifndef KBC_INCIDENT_INTERNAL_H
#define KBC_INCIDENT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_buf.h"
#include "kbc_engine.h"

/* Names taken from events (provider, channel) are cut to this many bytes
 * in every format. */
#define EVENT_NAME_MAX 256

/* The length of s's longest prefix of at most max bytes that does not end
 * inside a UTF-8 sequence. */
size_t kbc_utf8_prefix(const char *s, size_t max);

/* "key":"v" (v NULL: ""), with the comma before it unless first. */
void kbc_json_put_str(kbc_buf *b, const char *key, bool comma, const char *v);
/* The same, v cut to max bytes at a UTF-8 boundary; always a comma. */
void kbc_json_put_str_max(kbc_buf *b, const char *key, const char *v,
                          size_t max);

/* The one-line summary of ECS message: host, symptom, cause's first
 * sentence, KB and confidence; or the tied articles. */
void kbc_incident_message(const kbc_incident *inc, kbc_buf *m);

/* The ranked candidates as ECS's candidates array. */
void kbc_incident_put_candidates(kbc_buf *b, const kbc_incident *inc);

/* One evidence event as ECS's evidence entry (an object). */
void kbc_evidence_put_json(kbc_buf *b, const kbc_evidence *ev);

/* The evidence as a JSON array of put_one's entries, stopping once the
 * array passes the cap that keeps an incident within one Kafka message. */
typedef void kbc_evidence_writer(kbc_buf *b, const kbc_incident *inc,
                                 const kbc_evidence *ev);
void kbc_incident_put_evidence(kbc_buf *b, const kbc_incident *inc,
                               kbc_evidence_writer *put_one);

/* The other formats (kbc_incident_format.h dispatches to them); scratch
 * is reused between calls. 0, or -1 if out grew past its cap. */
int kbc_incident_to_ocsf(const kbc_incident *inc, kbc_buf *scratch,
                         kbc_buf *out);
int kbc_incident_to_cef(const kbc_incident *inc, kbc_buf *scratch,
                        kbc_buf *out);

#endif
