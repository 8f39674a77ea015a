/*
 * report_timeline.c - the replay report's timeline: per host one inline
 * SVG strip on an event-time axis shared by all hosts, each incident a bar
 * from its first to its last evidence (a link to the incident) and each
 * evidence event a dot on it (a link to the event's row). Positions are
 * percentages of the strip's width, so the SVG needs no viewBox and
 * scales with the page; overlapping incidents go to separate lanes.
 */
#include <string.h>

#include "kbc_hash.h"
#include "kbc_html.h"
#include "kbc_time.h"
#include "report_page.h"

#define LANE_HEIGHT  18
#define BAR_HEIGHT   12
#define MAX_LANES    8
#define MIN_BAR_PCT  0.8 /* an incident of one instant is still visible */
#define LANE_GAP_PCT 0.5
#define MAX_DOTS     16 /* per bar; the evidence table lists them all */

/* Okabe-Ito colours (told apart with colour blindness too), by KB id so
 * that an article has the same colour in every report. */
static const char *const palette[] = {"#0072b2", "#e69f00", "#009e73",
                                      "#cc79a7", "#d55e00", "#56b4e9",
                                      "#8c7a00", "#666666"};

const char *report_kb_color(const kbc_rule *r)
{
        const char *id = kbc_rule_id(r);
        uint64_t h = kbc_fnv64(KBC_FNV64_INIT, id, strlen(id));
        return palette[h % (sizeof(palette) / sizeof(*palette))];
}

static double pct(int64_t t, int64_t t0, int64_t t1)
{
        return (double)(t - t0) * 100.0 / (double)(t1 - t0);
}

typedef struct lanes {
        double end[MAX_LANES]; /* right edge of each lane's last bar */
        size_t n;
} lanes;

/* The first lane free at x0 (bars come by start time); when all are taken
 * the one that frees first, overlapping rather than growing without end. */
static size_t lane_take(lanes *l, double x0, double x1)
{
        size_t best = 0;
        for (size_t i = 0; i < l->n; i++) {
                if (l->end[i] + LANE_GAP_PCT <= x0) {
                        best = i;
                        goto take;
                }
                if (l->end[i] < l->end[best])
                        best = i;
        }
        if (l->n < MAX_LANES)
                best = l->n++;
take:
        l->end[best] = x1;
        return best;
}

static void bar_extent(const report_incident *inc, int64_t t0, int64_t t1,
                       double *x0, double *x1)
{
        *x0 = pct(inc->start_ms, t0, t1);
        *x1 = pct(inc->end_ms, t0, t1);
        if (*x1 - *x0 < MIN_BAR_PCT)
                *x1 = *x0 + MIN_BAR_PCT;
        if (*x1 > 100.0) { /* keep the last instant's bar on the strip */
                *x0 -= *x1 - 100.0;
                *x1 = 100.0;
        }
}

static void put_event_dots(kbc_buf *b, const report_incident *inc, int y,
                           int64_t t0, int64_t t1)
{
        char t[KBC_TIME_STRLEN + 1];
        for (size_t i = 0; i < inc->nevidence && i < MAX_DOTS; i++) {
                const kbc_evidence *e = &inc->evidence[i];
                kbc_time_format(e->time_ms, t);
                kbc_buf_printf(b, "<a href=\"#inc-%s-e%zu\"><title>E%zu %s ",
                               inc->id, i + 1, i + 1, t);
                kbc_buf_html(b, kbc_str_cstr(e->provider));
                kbc_buf_printf(b,
                               " %u</title><circle cx=\"%.3f%%\" cy=\"%d\" "
                               "r=\"3\"/></a>",
                               (unsigned)e->event_id, pct(e->time_ms, t0, t1),
                               y + BAR_HEIGHT / 2);
        }
}

void report_timeline_strip(kbc_buf *b, report_incident *const *inc, size_t n,
                           int64_t t0, int64_t t1)
{
        lanes l = {{0}, 0};
        double x0, x1;
        for (size_t i = 0; i < n; i++) { /* how many lanes: the height */
                bar_extent(inc[i], t0, t1, &x0, &x1);
                lane_take(&l, x0, x1);
        }
        int height = (int)l.n * LANE_HEIGHT + 4;
        kbc_buf_printf(b,
                       "<svg class=\"strip\" width=\"100%%\" height=\"%d\" "
                       "role=\"img\" aria-label=\"%zu incident%s\">",
                       height, n, n == 1 ? "" : "s");
        for (int q = 1; q < 4; q++)
                kbc_buf_printf(b,
                               "<line class=\"tick\" x1=\"%d%%\" y1=\"0\" "
                               "x2=\"%d%%\" y2=\"%d\"/>",
                               25 * q, 25 * q, height);
        l = (lanes){{0}, 0};
        for (size_t i = 0; i < n; i++) {
                char s[KBC_TIME_STRLEN + 1], e[KBC_TIME_STRLEN + 1];
                const kbc_rule *top = inc[i]->candidates[0].rule;
                bar_extent(inc[i], t0, t1, &x0, &x1);
                int y = 2 + (int)lane_take(&l, x0, x1) * LANE_HEIGHT;
                kbc_time_format(inc[i]->start_ms, s);
                kbc_time_format(inc[i]->end_ms, e);
                kbc_buf_printf(b, "<a href=\"#inc-%s\"><title>", inc[i]->id);
                kbc_buf_html(b, kbc_str_cstr(kbc_rule_id(top)));
                kbc_buf_printf(b,
                               "%s, %s to %s</title><rect class=\"bar%s\" "
                               "x=\"%.3f%%\" y=\"%d\" width=\"%.3f%%\" "
                               "height=\"%d\" rx=\"2\" fill=\"%s\"/></a>",
                               inc[i]->ntied > 1 ? " (ambiguous)" : "", s, e,
                               inc[i]->ntied > 1 ? " ambiguous" : "", x0, y,
                               x1 - x0, BAR_HEIGHT, report_kb_color(top));
                put_event_dots(b, inc[i], y, t0, t1);
        }
        kbc_buf_puts(b, "</svg>");
}

/* "09:14:05" within a day, "2024-03-14 09:14" over longer spans. */
static void axis_label(int64_t ms, bool long_span, char *out)
{
        char t[KBC_TIME_STRLEN + 1];
        kbc_time_format(ms, t);
        if (long_span) {
                memcpy(out, t, 16);
                out[10] = ' ';
                out[16] = '\0';
        } else {
                memcpy(out, t + 11, 8);
                out[8] = '\0';
        }
}

void report_timeline_axis(kbc_buf *b, int64_t t0, int64_t t1)
{
        static const char *const anchor[] = {"start", "middle", "middle",
                                             "middle", "end"};
        bool long_span = t1 - t0 >= 24 * 3600 * 1000LL;
        char label[KBC_TIME_STRLEN + 1];
        kbc_buf_puts(b, "<svg class=\"axis\" width=\"100%\" height=\"16\" "
                        "aria-hidden=\"true\">");
        for (int q = 0; q <= 4; q++) {
                axis_label(t0 + (t1 - t0) * q / 4, long_span, label);
                kbc_buf_printf(b,
                               "<text x=\"%d%%\" y=\"12\" "
                               "text-anchor=\"%s\">%s</text>",
                               25 * q, anchor[q], label);
        }
        kbc_buf_puts(b, "</svg>");
}
