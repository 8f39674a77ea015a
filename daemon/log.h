/*
 * log.h - kbcorrd's structured logs on stderr (log.c).
 */
#ifndef KBCD_LOG_H
#define KBCD_LOG_H

#include <stdbool.h>

/* One record at level "debug", "info", "warn" or "error", as logfmt
 * (ts=... level=... msg="...") or JSON. */
void kbcd_log(const char *level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The lowest level written and the format ("logfmt" or "json"; NULL for
 * the defaults info, logfmt). -1 if either is unknown. */
int kbcd_log_setup(const char *level, const char *format);
/* For configuration checks, without changing the logging. */
bool kbcd_log_level_known(const char *level);
bool kbcd_log_format_known(const char *format);

#endif
