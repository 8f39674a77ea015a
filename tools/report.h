/*
 * report.h - `kbcorr replay --report FILE.html`: one self-contained HTML
 * page for a postmortem (docs/report.md). The replay hands it every event
 * it decodes and every incident it prints; at the end the page is written
 * with a summary, a timeline per host and each incident with its cause,
 * resolution, candidates and evidence.
 *
 * Every function accepts a NULL report and then does nothing, so the
 * replay calls them whether or not --report was given.
 */
#ifndef KBC_REPORT_H
#define KBC_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "kbc_pipeline.h"

typedef struct report report;

typedef struct report_opts {
        const char *path;          /* the page to write */
        const char *const *inputs; /* input files, named in the header */
        size_t ninputs;
} report_opts;

/* Opens (creates or truncates) opts->path, so that a path that cannot be
 * written fails before the replay. NULL after printing why on stderr.
 * The rule set the incidents come from must outlive the report. */
report *report_open(const report_opts *opts);

/* Takes the time t of an event that passed the filters into the input
 * span (KBC_TIME_NONE: none). */
void report_note_time(report *r, int64_t t);

/* Copies the incident (it is valid only during the engine's callback).
 * A repeat with the same id replaces the earlier copy, as a SIEM upserts. */
void report_add_incident(report *r, const kbc_incident *inc);

/* Adds a pipeline's counters (events read, not decoded, ...) at the end
 * of its input: the files, or one Kafka partition. */
void report_add_counts(report *r, const kbc_pipeline *p);

/* Writes the page with the counters added, closes the file and frees the
 * report. Returns 0, or -1 after printing why on stderr. */
int report_close(report *r);

#endif
