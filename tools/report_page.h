/*
 * report_page.h - what the replay report holds (report.c collects it)
 * and the function that renders it as HTML (report_html.c).
 */
#ifndef KBC_REPORT_PAGE_H
#define KBC_REPORT_PAGE_H

#include <stdio.h>

#include "kbc_engine.h"
#include "kbc_pipeline.h"

/* One state of an incident as it was handed out: open while its case
 * ran (the winner then, and the last evidence time), then closed. */
typedef struct report_state {
        const kbc_rule *winner;
        bool open;
        int64_t at_ms;
} report_state;

#define REPORT_MAX_STATES 8

/* An incident copied out of the engine's callback; rules and signals are
 * borrowed from the rule set. */
typedef struct report_incident {
        char id[17];
        char *host;
        int64_t start_ms, end_ms;
        uint64_t count, occurrences;
        double confidence;
        size_t ntied;
        kbc_candidate *candidates; /* ranked; [0] is the diagnosis */
        size_t ncandidates;
        kbc_evidence *evidence; /* by time */
        size_t nevidence;
        /* its states, oldest first; past the cap the last slot holds the
         * latest and states_skipped counts those in between */
        report_state states[REPORT_MAX_STATES];
        size_t nstates;
        uint64_t states_skipped;
} report_incident;

typedef struct report_page {
        /* By host (ignoring case), then start time, then id. */
        report_incident *const *incidents;
        /* The same, by winning KB id, then host, then id. */
        report_incident *const *by_kb;
        size_t nincidents;
        size_t not_shown;          /* incidents past the report's cap */
        int64_t first_ms, last_ms; /* input span; KBC_TIME_NONE if none */
        kbc_pipeline_stats stats;
        const char *const *inputs;
        size_t ninputs;
} report_page;

/* Writes the whole page to f. Returns 0, or -1 on a write error. */
int report_html_write(FILE *f, const report_page *page);

/* The timeline (report_timeline.c), on the event-time axis [t0, t1),
 * t1 > t0: one host's n incidents as an SVG strip, and the axis's labels. */
void report_timeline_strip(kbc_buf *b, report_incident *const *inc, size_t n,
                           int64_t t0, int64_t t1);
void report_timeline_axis(kbc_buf *b, int64_t t0, int64_t t1);

/* The colour of a KB article's bars and swatches. */
const char *report_kb_color(const kbc_rule *r);

#endif
