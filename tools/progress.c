/*
 * progress.c - the progress bar of progress.h. One line, rewritten in
 * place: a carriage return, the text, and "erase to the end of the line"
 * (ESC [ K), which every terminal since the VT100 understands. Redraws
 * are throttled by a monotonic clock, so the cost per event is one clock
 * read (a vDSO call, no system call).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "kbc_time.h"
#include "progress.h"

#define REDRAW_NS (100 * 1000 * 1000) /* at most 10 redraws a second */

struct tool_progress {
        /* the screen: a threaded replay makes way for incidents from its
         * correlating thread while the reading one draws; the counts are
         * the reading thread's alone */
        pthread_mutex_t lock;
        FILE *out;
        bool stdout_shared; /* stdout is a terminal too */
        bool shown;         /* the bar is on the screen */
        int64_t start_ns, drawn_ns;
        uint64_t events;
        int64_t latest_ms;
};

static int64_t now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

tool_progress *tool_progress_new(FILE *out)
{
        if (!isatty(fileno(out)))
                return NULL;
        tool_progress *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        p->out = out;
        p->stdout_shared = isatty(STDOUT_FILENO);
        p->start_ns = now_ns();
        p->drawn_ns = p->start_ns - REDRAW_NS; /* draw the first event */
        p->latest_ms = KBC_TIME_NONE;
        pthread_mutex_init(&p->lock, NULL);
        return p;
}

static void draw(tool_progress *p, int64_t now, uint64_t bytes, uint64_t total)
{
        double secs = (double)(now - p->start_ns) / 1e9;
        fprintf(p->out, "\rreplay: %llu events, %.0f events/s",
                (unsigned long long)p->events,
                secs > 0.001 ? (double)p->events / secs : 0.0);
        if (p->latest_ms != KBC_TIME_NONE) {
                char t[KBC_TIME_STRLEN + 1];
                kbc_time_format(p->latest_ms, t);
                fprintf(p->out, ", event time %.19sZ", t);
        }
        if (total)
                fprintf(p->out, ", %3.0f%% of input",
                        100.0 * (double)(bytes < total ? bytes : total) /
                            (double)total);
        fputs("\033[K", p->out);
        fflush(p->out);
        p->shown = true;
        p->drawn_ns = now;
}

void tool_progress_event(tool_progress *p, int64_t time_ms, uint64_t bytes,
                         uint64_t total)
{
        if (!p)
                return;
        p->events++;
        if (time_ms != KBC_TIME_NONE &&
            (p->latest_ms == KBC_TIME_NONE || time_ms > p->latest_ms))
                p->latest_ms = time_ms;
        int64_t now = now_ns();
        if (now - p->drawn_ns >= REDRAW_NS) {
                pthread_mutex_lock(&p->lock);
                draw(p, now, bytes, total);
                pthread_mutex_unlock(&p->lock);
        }
}

static void clear(tool_progress *p)
{
        if (!p->shown)
                return;
        fputs("\r\033[K", p->out);
        fflush(p->out);
        p->shown = false;
}

void tool_progress_make_way(tool_progress *p, FILE *f)
{
        if (p && (f == p->out || (f == stdout && p->stdout_shared))) {
                pthread_mutex_lock(&p->lock);
                clear(p);
                pthread_mutex_unlock(&p->lock);
        }
}

void tool_progress_end(tool_progress *p)
{
        if (!p)
                return;
        clear(p);
        pthread_mutex_destroy(&p->lock);
        free(p);
}
