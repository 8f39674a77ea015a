/*
 * clock.h - the daemon's monotonic clock in milliseconds: the loop's
 * periods, the sinks' retries and deadlines, /healthz's staleness.
 */
#ifndef KBCD_CLOCK_H
#define KBCD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t kbcd_now_ms(void)
{
        struct timespec t;
        clock_gettime(CLOCK_MONOTONIC, &t);
        return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

#endif
