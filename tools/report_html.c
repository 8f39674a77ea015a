/*
 * report_html.c - renders the replay report (report_page.h) as one HTML
 * page that needs nothing else: the style is inline, there is no script,
 * no font, no image to fetch, and a Content-Security-Policy forbids any
 * fetch, so even a string that escaped the escaper could not load or run
 * anything. Every string from the logs and the rules goes through
 * kbc_buf_html. The page is built in a buffer flushed to the file after
 * each block, so memory stays at one incident's worth.
 *
 * Anchors: host sections are "host-N" (in page order), an incident is
 * "inc-ID" and its evidence events "inc-ID-eN" (N from 1, by time), so a
 * link into the report survives a new replay of the same input.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kbc_html.h"
#include "kbc_time.h"
#include "report_page.h"
#include "rule_internal.h"

#define FLUSH_AT (256 * 1024)
/* One block between flushes: an incident is at most ~2 MB, a host's
 * timeline strip ~3 kB per incident. */
#define PAGE_MAX (64 << 20)

static const char page_style[] =
    "body{font:14px/1.45 system-ui,sans-serif;color:#1a1a1a;"
    "background:#fff;margin:0 auto;max-width:1200px;padding:0 16px 32px}"
    "h1{font-size:22px;margin:16px 0 4px}h2{font-size:19px;margin:28px 0 8px;"
    "border-bottom:2px solid #333}h3{font-size:16px;margin:20px 0 6px}"
    "h4{font-size:14px;margin:12px 0 4px}"
    "code,.mono{font-family:ui-monospace,monospace;font-size:12.5px}"
    "a{color:#0550ae}table{border-collapse:collapse;width:100%;margin:4px 0}"
    "th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;"
    "vertical-align:top}th{background:#f2f2f2}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;"
    "gap:2px 16px;margin:6px 0}dl.facts dt{font-weight:600}"
    "dl.facts dd{margin:0}"
    ".incident{border:1px solid #bbb;border-left:6px solid var(--kb);"
    "padding:4px 12px 10px;margin:16px 0}"
    ".diagnosis{display:grid;grid-template-columns:1fr 1fr;gap:12px}"
    ".diagnosis>div{border:1px solid #ddd;padding:4px 10px;"
    "background:#fafafa}.diagnosis p,.msg{white-space:pre-wrap;"
    "overflow-wrap:anywhere;margin:4px 0}"
    ".badge{display:inline-block;border:1px solid #9a6700;color:#6b4700;"
    "background:#fff8c5;border-radius:3px;padding:0 5px;font-size:12px;"
    "font-weight:600;vertical-align:middle}"
    ".swatch{display:inline-block;width:10px;height:10px;margin-right:5px;"
    "background:var(--kb)}"
    ".meter{display:inline-block;width:120px;height:9px;border:1px solid "
    "#555;vertical-align:middle;margin-right:6px}"
    ".meter>span{display:block;height:100%;background:#555}"
    "table.timeline td,table.timeline th{border:none;padding:2px 4px}"
    "table.timeline th{background:none;width:210px;font-weight:normal;"
    "overflow-wrap:anywhere}svg.strip{display:block;"
    "background:#f6f6f6}svg .tick{stroke:#ddd}"
    "svg .bar.ambiguous{stroke:#000;stroke-dasharray:3 2}"
    "svg circle{fill:#fff;stroke:#000;stroke-width:1}"
    "svg.axis text{font-size:11px;fill:#333}"
    "tr:target,.incident:target{outline:3px solid #e69f00}"
    ".sym{font-weight:600}td.num{text-align:right}td.msg{width:40%}"
    "@media print{body{max-width:none;font-size:10pt;padding:0}"
    "section.host{break-before:page}h2,h3,h4{break-after:avoid}"
    "tr,.diagnosis{break-inside:avoid}thead{display:table-header-group}"
    "a{color:inherit;text-decoration:none}"
    "th,.diagnosis>div,svg.strip{background:none}"
    ".badge{background:none;color:#000;border-color:#000}"
    "svg,.swatch,.meter>span,.incident{print-color-adjust:exact;"
    "-webkit-print-color-adjust:exact}}";

typedef struct page_writer {
        FILE *f;
        kbc_buf b;
        int rc;
} page_writer;

static void flush(page_writer *w)
{
        if (w->b.overflow ||
            (w->b.len && fwrite(w->b.data, 1, w->b.len, w->f) != w->b.len))
                w->rc = -1;
        kbc_buf_reset(&w->b);
}

static void maybe_flush(page_writer *w)
{
        if (w->b.len >= FLUSH_AT)
                flush(w);
}

static void esc(kbc_buf *b, const char *s)
{
        kbc_buf_html(b, kbc_str_cstr(s ? s : ""));
}

static void put_time(kbc_buf *b, int64_t ms)
{
        char t[KBC_TIME_STRLEN + 1];
        kbc_time_format(ms, t);
        kbc_buf_printf(b, "<time>%s</time>", t);
}

/* "350 ms", "45 s", "2 min 25 s", "3 h 05 min", "2 d 4 h". */
static void put_duration(kbc_buf *b, int64_t ms)
{
        int64_t s = ms / 1000, m = s / 60, h = m / 60, d = h / 24;
        if (s < 1)
                kbc_buf_printf(b, "%lld ms", (long long)ms);
        else if (m < 1)
                kbc_buf_printf(b, "%lld s", (long long)s);
        else if (h < 1)
                kbc_buf_printf(b, "%lld min %02lld s", (long long)m,
                               (long long)(s % 60));
        else if (d < 1)
                kbc_buf_printf(b, "%lld h %02lld min", (long long)h,
                               (long long)(m % 60));
        else
                kbc_buf_printf(b, "%lld d %lld h", (long long)d,
                               (long long)(h % 24));
}

static void put_span(kbc_buf *b, int64_t start, int64_t end)
{
        put_time(b, start);
        kbc_buf_puts(b, " to ");
        put_time(b, end);
        kbc_buf_puts(b, " (");
        put_duration(b, end - start);
        kbc_buf_putc(b, ')');
}

static const char *severity_name(int severity)
{
        if (severity >= KBC_SEVERITY_CRITICAL)
                return "critical";
        if (severity >= KBC_SEVERITY_HIGH)
                return "high";
        if (severity >= KBC_SEVERITY_MEDIUM)
                return "medium";
        return "low";
}

static bool same_host(const report_incident *a, const report_incident *b)
{
        return !strcasecmp(a->host, b->host);
}

/* How many incidents from i on belong to the host of incidents[i]. */
static size_t host_run(const report_page *pg, size_t i)
{
        size_t n = 1;
        while (i + n < pg->nincidents &&
               same_host(pg->incidents[i], pg->incidents[i + n]))
                n++;
        return n;
}

static void page_head(kbc_buf *b, const report_page *pg, size_t nhosts)
{
        kbc_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
                        "<meta charset=\"utf-8\">\n"
                        "<meta http-equiv=\"Content-Security-Policy\" "
                        "content=\"default-src 'none'; "
                        "style-src 'unsafe-inline'\">\n"
                        "<meta name=\"viewport\" "
                        "content=\"width=device-width, initial-scale=1\">\n");
        kbc_buf_printf(b,
                       "<title>kbcorr replay: %zu incident%s on %zu "
                       "host%s</title>\n<style>",
                       pg->nincidents, pg->nincidents == 1 ? "" : "s", nhosts,
                       nhosts == 1 ? "" : "s");
        kbc_buf_puts(b, page_style);
        kbc_buf_puts(b, "</style>\n</head>\n<body>\n<header>\n"
                        "<h1>kbcorr replay report</h1>\n<p>Input: ");
        for (size_t i = 0; i < pg->ninputs; i++) {
                kbc_buf_puts(b, i ? ", <code>" : "<code>");
                esc(b, strcmp(pg->inputs[i], "-") ? pg->inputs[i] : "stdin");
                kbc_buf_puts(b, "</code>");
        }
        kbc_buf_puts(b, ". All times are event times, UTC.</p>\n</header>\n");
}

static void summary_facts(kbc_buf *b, const report_page *pg, size_t nhosts,
                          size_t nambiguous)
{
        const kbc_pipeline_stats *s = &pg->stats;
        kbc_buf_puts(b, "<dl class=\"facts\">\n<dt>Input span</dt><dd>");
        if (pg->first_ms == KBC_TIME_NONE)
                kbc_buf_puts(b, "no timed event");
        else
                put_span(b, pg->first_ms, pg->last_ms);
        kbc_buf_printf(b,
                       "</dd>\n<dt>Events</dt><dd>%llu read, %llu not "
                       "decoded, %llu filtered out (--from/--to, --host), "
                       "%llu matched a "
                       "rule</dd>\n",
                       (unsigned long long)s->messages,
                       (unsigned long long)s->decode_errors,
                       (unsigned long long)s->filtered,
                       (unsigned long long)s->engine.matched_events);
        kbc_buf_printf(b,
                       "<dt>Hosts</dt><dd>%llu in the input, %zu with "
                       "incidents</dd>\n",
                       (unsigned long long)(s->engine.hosts +
                                            s->engine.evicted_hosts +
                                            s->engine.evicted_for_memory),
                       nhosts);
        kbc_buf_printf(b, "<dt>Incidents</dt><dd>%zu", pg->nincidents);
        if (nambiguous)
                kbc_buf_printf(b, ", %zu of them ambiguous (tied candidates)",
                               nambiguous);
        if (s->engine.suppressed)
                kbc_buf_printf(b, "; %llu repeats folded into them",
                               (unsigned long long)s->engine.suppressed);
        if (s->engine.unresolved)
                kbc_buf_printf(b,
                               "; %llu cases fit more than three articles "
                               "equally and raised nothing",
                               (unsigned long long)s->engine.unresolved);
        if (pg->not_shown)
                kbc_buf_printf(b,
                               "; <strong>%zu more are not shown</strong> "
                               "(the report's cap; the JSON lines have them)",
                               pg->not_shown);
        kbc_buf_puts(b, "</dd>\n</dl>\n");
}

/* Incidents by winning KB article, each row linking to its incidents. */
static void summary_by_kb(kbc_buf *b, const report_page *pg)
{
        report_incident *const *byk = pg->by_kb;
        kbc_buf_puts(b, "<h3>Incidents by KB article</h3>\n<table "
                        "class=\"bykb\"><thead><tr><th>KB</th><th>Title</th>"
                        "<th>Incidents</th><th>On hosts</th></tr></thead>"
                        "<tbody>\n");
        for (size_t i = 0, n; i < pg->nincidents; i += n) {
                const kbc_rule *r = byk[i]->candidates[0].rule;
                for (n = 1; i + n < pg->nincidents &&
                            byk[i + n]->candidates[0].rule == r;
                     n++)
                        ;
                kbc_buf_printf(b,
                               "<tr><td style=\"--kb:%s\"><span "
                               "class=\"swatch\"></span>",
                               report_kb_color(r));
                esc(b, r->id);
                kbc_buf_puts(b, "</td><td>");
                esc(b, r->title);
                kbc_buf_printf(b, "</td><td class=\"num\">%zu</td><td>", n);
                for (size_t k = i; k < i + n; k++) {
                        kbc_buf_printf(b, "%s<a href=\"#inc-%s\">",
                                       k > i ? ", " : "", byk[k]->id);
                        esc(b, byk[k]->host);
                        kbc_buf_puts(b, byk[k]->ntied > 1 ? "</a> (ambiguous)"
                                                          : "</a>");
                }
                kbc_buf_puts(b, "</td></tr>\n");
        }
        kbc_buf_puts(b, "</tbody></table>\n");
}

static void summary_timeline(page_writer *w, const report_page *pg, int64_t t0,
                             int64_t t1)
{
        kbc_buf *b = &w->b;
        kbc_buf_puts(b, "<h3>Timeline</h3>\n<p>Each bar is an incident, from "
                        "its first to its last evidence event (the dots); "
                        "a dashed bar is ambiguous. ");
        put_span(b, t0, t1);
        kbc_buf_puts(b, ".</p>\n<table class=\"timeline\">\n");
        for (size_t i = 0, h = 1, n; i < pg->nincidents; i += n, h++) {
                n = host_run(pg, i);
                kbc_buf_printf(b, "<tr><th><a href=\"#host-%zu\">", h);
                esc(b, pg->incidents[i]->host);
                kbc_buf_puts(b, "</a></th><td>");
                report_timeline_strip(b, pg->incidents + i, n, t0, t1);
                kbc_buf_puts(b, "</td></tr>\n");
                maybe_flush(w);
        }
        kbc_buf_puts(b, "<tr><th></th><td>");
        report_timeline_axis(b, t0, t1);
        kbc_buf_puts(b, "</td></tr>\n</table>\n");
}

static void put_diagnosis(kbc_buf *b, const kbc_rule *r, bool named)
{
        kbc_buf_puts(b, "<div class=\"diagnosis\"><div><h4>Cause");
        if (named) {
                kbc_buf_puts(b, " if ");
                esc(b, r->id);
        }
        kbc_buf_puts(b, "</h4><p>");
        esc(b, r->cause);
        kbc_buf_puts(b, "</p></div><div><h4>Resolution");
        if (named) {
                kbc_buf_puts(b, " if ");
                esc(b, r->id);
        }
        kbc_buf_puts(b, "</h4><p>");
        esc(b, r->resolution);
        kbc_buf_puts(b, "</p></div></div>\n");
}

static void incident_facts(kbc_buf *b, const report_incident *inc)
{
        const kbc_rule *top = inc->candidates[0].rule;
        kbc_buf_printf(b,
                       "<dl class=\"facts\">\n<dt>Incident</dt><dd><code>"
                       "%s</code> (event.id)</dd>\n<dt>Span</dt><dd>",
                       inc->id);
        put_span(b, inc->start_ms, inc->end_ms);
        kbc_buf_printf(b,
                       "</dd>\n<dt>Confidence</dt><dd><span class=\"meter\">"
                       "<span style=\"width:%.0f%%\"></span></span>%.2f</dd>"
                       "\n<dt>Severity</dt><dd>%s (%d)</dd>\n"
                       "<dt>Matching events</dt><dd>%llu",
                       inc->confidence * 100.0, inc->confidence,
                       severity_name(top->severity), top->severity,
                       (unsigned long long)inc->count);
        if (inc->occurrences > 1)
                kbc_buf_printf(b, ", in %llu repeated cases (shown: the last)",
                               (unsigned long long)inc->occurrences);
        kbc_buf_puts(b, "</dd>\n<dt>States</dt><dd>");
        for (size_t i = 0; i < inc->nstates; i++) {
                const report_state *st = &inc->states[i];
                char t[KBC_TIME_STRLEN + 1];
                kbc_time_format(st->at_ms, t);
                if (i && i + 1 == inc->nstates && inc->states_skipped)
                        kbc_buf_printf(b, " &rarr; (%llu more)",
                                       (unsigned long long)inc->states_skipped);
                kbc_buf_printf(b, "%s%s ", i ? " &rarr; " : "",
                               st->open ? "open" : "closed");
                esc(b, st->winner->id);
                kbc_buf_printf(b, " (%s)", t);
        }
        kbc_buf_puts(b, "</dd>\n<dt>KB reference</dt><dd>");
        esc(b, top->reference ? top->reference : "none");
        kbc_buf_puts(b, "</dd>\n<dt>Evidence</dt><dd>");
        for (size_t i = 0; i < inc->nevidence; i++)
                kbc_buf_printf(b, "%s<a href=\"#inc-%s-e%zu\">E%zu</a>",
                               i ? " " : "", inc->id, i + 1, i + 1);
        kbc_buf_puts(b, "</dd>\n</dl>\n");
}

static void put_signal_list(kbc_buf *b, const kbc_signal *const *s, size_t n,
                            bool qualified)
{
        for (size_t i = 0; i < n; i++) {
                kbc_buf_printf(b, "%s<span class=\"mono%s\">", i ? ", " : "",
                               s[i]->symptom ? " sym" : "");
                if (qualified) {
                        esc(b, s[i]->rule->id);
                        kbc_buf_putc(b, '/');
                }
                esc(b, s[i]->id);
                kbc_buf_puts(b, "</span>");
        }
}

/* A tied candidate's unseen signals, each in words. */
static void put_check_next(kbc_buf *b, const kbc_candidate *c)
{
        kbc_buf what;
        if (!c->nunseen)
                return;
        kbc_buf_init(&what, 1024);
        kbc_buf_puts(b, "<ul class=\"check\">");
        for (size_t i = 0; i < c->nunseen; i++) {
                kbc_buf_reset(&what);
                kbc_signal_describe(c->unseen[i], &what);
                kbc_buf_puts(b, "<li>");
                esc(b, what.data ? what.data : "");
                kbc_buf_puts(b, "</li>");
        }
        kbc_buf_puts(b, "</ul>");
        kbc_buf_free(&what);
}

static void incident_candidates(kbc_buf *b, const report_incident *inc)
{
        kbc_buf_puts(b, "<h4>Candidates</h4>\n<table class=\"candidates\">"
                        "<thead><tr><th>#</th><th>KB</th><th>Title</th>"
                        "<th>Score</th><th>Signals seen (bold: a symptom)"
                        "</th><th>Check next (not seen; tells a tie apart)"
                        "</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < inc->ncandidates; i++) {
                const kbc_candidate *c = &inc->candidates[i];
                kbc_buf_printf(b, "<tr><td class=\"num\">%zu</td><td>", i + 1);
                esc(b, c->rule->id);
                kbc_buf_puts(b, "</td><td>");
                esc(b, c->rule->title);
                kbc_buf_printf(b, "</td><td class=\"num\">%g</td><td>",
                               c->score);
                put_signal_list(b, c->signals, c->nsignals, false);
                kbc_buf_puts(b, "</td><td>");
                put_check_next(b, c);
                kbc_buf_puts(b, "</td></tr>\n");
        }
        kbc_buf_puts(b, "</tbody></table>\n");
}

static void incident_evidence(kbc_buf *b, const report_incident *inc)
{
        kbc_buf_puts(b, "<h4>Evidence</h4>\n<table class=\"evidence\">"
                        "<thead><tr><th></th><th>Time</th><th>Provider</th>"
                        "<th>Event ID</th><th>Channel</th><th>Record</th>"
                        "<th>Message</th><th>Matched signals</th>"
                        "<th>Origin</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < inc->nevidence; i++) {
                const kbc_evidence *e = &inc->evidence[i];
                kbc_buf_printf(b,
                               "<tr id=\"inc-%s-e%zu\"><td><a href=\"#inc-%s\" "
                               "title=\"back to incident %s\">E%zu&#8593;</a>"
                               "</td><td class=\"mono\">",
                               inc->id, i + 1, inc->id, inc->id, i + 1);
                put_time(b, e->time_ms);
                kbc_buf_puts(b, "</td><td>");
                esc(b, e->provider);
                kbc_buf_printf(b, "</td><td class=\"num\">%u</td><td>",
                               (unsigned)e->event_id);
                esc(b, e->channel);
                kbc_buf_puts(b, "</td><td class=\"num\">");
                if (e->has_record_id)
                        kbc_buf_printf(b, "%llu",
                                       (unsigned long long)e->record_id);
                kbc_buf_puts(b, "</td><td class=\"msg\">");
                esc(b, e->message);
                kbc_buf_puts(b, "</td><td>");
                put_signal_list(b, e->signals, e->nsignals, true);
                kbc_buf_puts(b, "</td><td class=\"mono\">");
                esc(b, e->origin);
                kbc_buf_puts(b, "</td></tr>\n");
        }
        kbc_buf_puts(b, "</tbody></table>\n");
}

static void put_incident(kbc_buf *b, const report_incident *inc)
{
        const kbc_rule *top = inc->candidates[0].rule;
        kbc_buf_printf(b,
                       "<article class=\"incident\" id=\"inc-%s\" "
                       "style=\"--kb:%s\">\n<h3>",
                       inc->id, report_kb_color(top));
        esc(b, top->id);
        kbc_buf_puts(b, ": ");
        esc(b, top->title);
        if (inc->ntied > 1)
                kbc_buf_printf(b,
                               " <span class=\"badge\">ambiguous: %zu "
                               "articles fit equally</span>",
                               inc->ntied);
        kbc_buf_puts(b, "</h3>\n");
        incident_facts(b, inc);
        for (size_t i = 0; i < inc->ntied; i++) /* one, or each tied one */
                put_diagnosis(b, inc->candidates[i].rule, inc->ntied > 1);
        incident_candidates(b, inc);
        incident_evidence(b, inc);
        kbc_buf_puts(b, "</article>\n");
}

/* One host's section: a time-ordered list, then each incident. */
static void put_host(page_writer *w, const report_page *pg, size_t first,
                     size_t n, size_t h)
{
        kbc_buf *b = &w->b;
        kbc_buf_printf(b, "<section class=\"host\" id=\"host-%zu\">\n<h2>", h);
        esc(b, pg->incidents[first]->host);
        kbc_buf_printf(b,
                       ": %zu incident%s</h2>\n<table class=\"list\">"
                       "<thead><tr><th>Start</th><th>End</th><th>KB</th>"
                       "<th>Title</th><th>Confidence</th></tr></thead>"
                       "<tbody>\n",
                       n, n == 1 ? "" : "s");
        for (size_t i = first; i < first + n; i++) {
                const report_incident *inc = pg->incidents[i];
                const kbc_rule *top = inc->candidates[0].rule;
                kbc_buf_puts(b, "<tr><td class=\"mono\">");
                put_time(b, inc->start_ms);
                kbc_buf_puts(b, "</td><td class=\"mono\">");
                put_time(b, inc->end_ms);
                kbc_buf_printf(b, "</td><td><a href=\"#inc-%s\">", inc->id);
                esc(b, top->id);
                kbc_buf_puts(b, "</a></td><td>");
                esc(b, top->title);
                kbc_buf_printf(b, "</td><td class=\"num\">%.2f%s</td></tr>\n",
                               inc->confidence,
                               inc->ntied > 1 ? " (ambiguous)" : "");
        }
        kbc_buf_puts(b, "</tbody></table>\n");
        for (size_t i = first; i < first + n; i++) {
                put_incident(b, pg->incidents[i]);
                maybe_flush(w);
        }
        kbc_buf_puts(b, "</section>\n");
}

/* The timeline's axis: the input span and every incident, never empty. */
static void time_axis(const report_page *pg, int64_t *t0, int64_t *t1)
{
        *t0 = pg->first_ms;
        *t1 = pg->last_ms;
        for (size_t i = 0; i < pg->nincidents; i++) {
                const report_incident *inc = pg->incidents[i];
                if (*t0 == KBC_TIME_NONE || inc->start_ms < *t0)
                        *t0 = inc->start_ms;
                if (*t1 == KBC_TIME_NONE || inc->end_ms > *t1)
                        *t1 = inc->end_ms;
        }
        if (*t1 - *t0 < 1000)
                *t1 = *t0 + 1000;
}

int report_html_write(FILE *f, const report_page *pg)
{
        page_writer w = {f, {0}, 0};
        size_t nhosts = 0, nambiguous = 0;
        int64_t t0, t1;
        kbc_buf_init(&w.b, PAGE_MAX);
        for (size_t i = 0; i < pg->nincidents; i += host_run(pg, i))
                nhosts++;
        for (size_t i = 0; i < pg->nincidents; i++)
                nambiguous += pg->incidents[i]->ntied > 1;

        page_head(&w.b, pg, nhosts);
        kbc_buf_puts(&w.b, "<section id=\"summary\">\n<h2>Summary</h2>\n");
        summary_facts(&w.b, pg, nhosts, nambiguous);
        if (pg->nincidents) {
                time_axis(pg, &t0, &t1);
                summary_by_kb(&w.b, pg);
                summary_timeline(&w, pg, t0, t1);
        } else {
                kbc_buf_puts(&w.b, "<p>No incidents.</p>\n");
        }
        kbc_buf_puts(&w.b, "</section>\n");
        flush(&w);
        for (size_t i = 0, h = 1, n; i < pg->nincidents; i += n, h++) {
                n = host_run(pg, i);
                put_host(&w, pg, i, n, h);
                flush(&w);
        }
        kbc_buf_puts(&w.b, "<footer><p>Written by <code>kbcorr replay "
                           "--report</code>; self-contained: nothing is "
                           "fetched, nothing runs.</p></footer>\n"
                           "</body>\n</html>\n");
        flush(&w);
        kbc_buf_free(&w.b);
        return w.rc;
}
