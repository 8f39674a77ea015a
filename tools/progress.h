/*
 * progress.h - a one-line progress bar for long runs over files: events
 * read, their rate, the latest event time seen and, when the input's size
 * is known, the share of input bytes read. Drawn only on a terminal; on
 * anything else nothing at all is written.
 */
#ifndef TOOL_PROGRESS_H
#define TOOL_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct tool_progress tool_progress;

/* A bar on out when out is a terminal, else NULL; every function below
 * accepts NULL and then does nothing. */
tool_progress *tool_progress_new(FILE *out);

/* Counts one event read, with its time (KBC_TIME_NONE when it has none)
 * and the input bytes read so far of total (0: unknown). Redraws the bar
 * at most 10 times a second. */
void tool_progress_event(tool_progress *p, int64_t time_ms, uint64_t bytes,
                         uint64_t total);

/* Before a line is written to f: takes the bar off the screen when f
 * shows on the same terminal (out itself, or a terminal stdout), so the
 * line does not land behind it. The next redraw brings the bar back. */
void tool_progress_make_way(tool_progress *p, FILE *f);

/* Clears the bar for good and frees p. */
void tool_progress_end(tool_progress *p);

#endif
