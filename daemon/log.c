/*
 * log.c - kbcorrd's structured logs on stderr: one line per record, logfmt
 * (ts=... level=... msg="...") or JSON ({"ts","level","msg"}), below a
 * level (log.level, log.format in the configuration).
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kbc_buf.h"
#include "kbc_time.h"
#include "log.h"

static const char *const levels[] = {"debug", "info", "warn", "error"};
static int min_rank = 1; /* info */
static bool as_json;

static int rank_of(const char *level)
{
        for (int i = 0; i < 4; i++)
                if (!strcmp(level, levels[i]))
                        return i;
        return -1;
}

bool kbcd_log_level_known(const char *level)
{
        return rank_of(level) >= 0;
}

bool kbcd_log_format_known(const char *format)
{
        return !strcmp(format, "logfmt") || !strcmp(format, "json");
}

int kbcd_log_setup(const char *level, const char *format)
{
        int r = rank_of(level ? level : "info");
        if (r < 0 || (format && !kbcd_log_format_known(format)))
                return -1;
        min_rank = r;
        as_json = format && !strcmp(format, "json");
        return 0;
}

void kbcd_log(const char *level, const char *fmt, ...)
{
        int r = rank_of(level);
        if (r >= 0 && r < min_rank)
                return;
        char msg[1024], ts[KBC_TIME_STRLEN + 1];
        struct timespec now;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        clock_gettime(CLOCK_REALTIME, &now);
        kbc_time_format((int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000, ts);
        kbc_buf b;
        kbc_buf_init(&b, sizeof(msg) * 8);
        if (as_json) {
                kbc_buf_puts(&b, "{\"ts\":\"");
                kbc_buf_puts(&b, ts);
                kbc_buf_puts(&b, "\",\"level\":\"");
                kbc_buf_puts(&b, level);
                kbc_buf_puts(&b, "\",\"msg\":");
                kbc_buf_json_str(&b, kbc_str_cstr(msg));
                kbc_buf_puts(&b, "}\n");
        } else {
                kbc_buf_printf(&b, "ts=%s level=%s msg=\"", ts, level);
                for (const char *p = msg; *p; p++) /* one line, quoted */
                        if (*p == '"' || *p == '\\') {
                                kbc_buf_putc(&b, '\\');
                                kbc_buf_putc(&b, *p);
                        } else {
                                kbc_buf_putc(&b, (unsigned char)*p < 0x20 ? ' '
                                                                          : *p);
                        }
                kbc_buf_puts(&b, "\"\n");
        }
        fwrite(b.data, 1, b.len, stderr); /* one write: lines never mix */
        kbc_buf_free(&b);
}
