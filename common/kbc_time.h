/*
 * kbc_time.h - event time: milliseconds since the Unix epoch, UTC. All
 * correlation runs on event time, never on the wall clock.
 */
#ifndef KBC_TIME_H
#define KBC_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "kbc_str.h"

#define KBC_TIME_NONE   INT64_MIN
#define KBC_TIME_STRLEN 24 /* "2019-08-02T09:46:20.000Z" */

/* Parses ISO 8601 / RFC 3339: "YYYY-MM-DDTHH:MM:SS[.fff...][Z|+hh:mm|-hhmm]",
 * a space allowed for 'T'. Without a zone the time is taken as
 * default_offset_min minutes east of UTC (0 = UTC). Fractions beyond
 * milliseconds are truncated. Returns 0, or -1 if s is not such a time. */
int kbc_time_parse_iso(kbc_str s, int default_offset_min, int64_t *out_ms);

/* Writes "YYYY-MM-DDTHH:MM:SS.mmmZ" and a NUL; buf holds at least
 * KBC_TIME_STRLEN + 1 bytes. */
void kbc_time_format(int64_t ms, char *buf);

/* Parses a duration: "500ms", "30s", "10m", "2h", "1d", or combinations
 * such as "1h30m". Returns 0, or -1 if malformed or negative. */
int kbc_duration_parse(const char *s, int64_t *out_ms);

/* Parses a zone offset "+HH:MM", "-HHMM" or "+H" (up to 14 hours) into
 * minutes east of UTC. Returns 0, or -1 if malformed. */
int kbc_utc_offset_parse(const char *s, int *minutes);

#endif
