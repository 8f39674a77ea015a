/*
 * time.c - event time parsing and formatting (see kbc_time.h).
 *
 * Everything is hand-written integer arithmetic: dates become day numbers
 * with Howard Hinnant's days_from_civil / civil_from_days algorithms, so no
 * libc time zone function (timegm, mktime, TZ) is involved. That keeps the
 * result independent of the host's zone settings, locale and thread safety
 * of libc, and lets every read be bounded by the view's length: the input is
 * a kbc_str, never assumed to be NUL-terminated.
 */
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>

#include "kbc_time.h"

#define MS_PER_SEC  1000LL
#define MS_PER_MIN  (60 * MS_PER_SEC)
#define MS_PER_HOUR (60 * MS_PER_MIN)
#define MS_PER_DAY  (24 * MS_PER_HOUR)

/* Limits of what kbc_time_format can print in KBC_TIME_STRLEN characters:
 * 0000-01-01T00:00:00.000Z .. 9999-12-31T23:59:59.999Z. */
#define DAYS_YEAR0     (-719528LL) /* days_from_civil(0, 1, 1) */
#define DAYS_YEAR10000 2932897LL   /* days_from_civil(10000, 1, 1) */

/* Days since 1970-01-01 of a proleptic Gregorian date (y may be any year;
 * m 1..12, d 1..31). Eras of 400 years make the leap rule exact. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
        y -= m <= 2;
        int64_t era = (y >= 0 ? y : y - 399) / 400;
        unsigned yoe = (unsigned)(y - era * 400);
        unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
        z += 719468;
        int64_t era = (z >= 0 ? z : z - 146096) / 146097;
        unsigned doe = (unsigned)(z - era * 146097);
        unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        unsigned mp = (5 * doy + 2) / 153;
        *d = doy - (153 * mp + 2) / 5 + 1;
        *m = mp < 10 ? mp + 3 : mp - 9;
        *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(unsigned y)
{
        return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
        static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30,
                                              31, 31, 30, 31, 30, 31};
        return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/* A cursor over a view: every read checks the remaining length. */
typedef struct cursor {
        const char *p;
        size_t n;
} cursor;

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* Reads exactly ndig decimal digits. */
static bool read_digits(cursor *c, int ndig, unsigned *out)
{
        if (c->n < (size_t)ndig)
                return false;
        unsigned v = 0;
        for (int i = 0; i < ndig; i++) {
                if (!is_digit(c->p[i]))
                        return false;
                v = v * 10 + (unsigned)(c->p[i] - '0');
        }
        c->p += ndig;
        c->n -= (size_t)ndig;
        *out = v;
        return true;
}

static bool read_char(cursor *c, char want)
{
        if (c->n == 0 || c->p[0] != want)
                return false;
        c->p++;
        c->n--;
        return true;
}

/* "Z", "+hh:mm", "-hhmm", "+hh" → minutes east of UTC. */
static bool read_zone(cursor *c, int *offset_min)
{
        if (read_char(c, 'Z') || read_char(c, 'z')) {
                *offset_min = 0;
                return true;
        }
        int sign;
        if (read_char(c, '+'))
                sign = 1;
        else if (read_char(c, '-'))
                sign = -1;
        else
                return false;
        unsigned hh, mm = 0;
        if (!read_digits(c, 2, &hh) || hh > 23)
                return false;
        if (c->n > 0) {
                read_char(c, ':'); /* optional: "+hh:mm" or "+hhmm" */
                if (!read_digits(c, 2, &mm) || mm > 59)
                        return false;
        }
        *offset_min = sign * (int)(hh * 60 + mm);
        return true;
}

int kbc_time_parse_iso(kbc_str s, int default_offset_min, int64_t *out_ms)
{
        cursor c = {s.ptr, s.ptr ? s.len : 0};
        unsigned y, mo, d, h, mi, sec, ms = 0;

        if (!read_digits(&c, 4, &y) || !read_char(&c, '-') ||
            !read_digits(&c, 2, &mo) || !read_char(&c, '-') ||
            !read_digits(&c, 2, &d))
                return -1;
        if (!read_char(&c, 'T') && !read_char(&c, 't') && !read_char(&c, ' '))
                return -1;
        if (!read_digits(&c, 2, &h) || !read_char(&c, ':') ||
            !read_digits(&c, 2, &mi) || !read_char(&c, ':') ||
            !read_digits(&c, 2, &sec))
                return -1;
        if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
            mi > 59 || sec > 60) /* 60: a leap second */
                return -1;

        /* Fraction of any length; digits past milliseconds are truncated,
         * as the header promises (the event order is kept to the ms). */
        if (read_char(&c, '.') || read_char(&c, ',')) {
                int ndig = 0;
                while (c.n > 0 && is_digit(c.p[0])) {
                        if (ndig < 3)
                                ms = ms * 10 + (unsigned)(c.p[0] - '0');
                        ndig++;
                        c.p++;
                        c.n--;
                }
                if (ndig == 0)
                        return -1;
                for (; ndig < 3; ndig++)
                        ms *= 10;
        }

        int offset_min = default_offset_min;
        if (c.n > 0 && !read_zone(&c, &offset_min))
                return -1;
        if (c.n != 0)
                return -1; /* trailing characters */

        /* A leap second rolls into the next minute, as POSIX time does. */
        *out_ms = days_from_civil(y, mo, d) * MS_PER_DAY + h * MS_PER_HOUR +
                  mi * MS_PER_MIN + sec * MS_PER_SEC + ms -
                  (int64_t)offset_min * MS_PER_MIN;
        return 0;
}

static char *put_digits(char *p, unsigned v, int ndig)
{
        for (int i = ndig - 1; i >= 0; i--) {
                p[i] = (char)('0' + v % 10);
                v /= 10;
        }
        return p + ndig;
}

void kbc_time_format(int64_t ms, char *buf)
{
        /* Floor division, so times before 1970 format correctly. */
        int64_t days = ms / MS_PER_DAY;
        int64_t rem = ms % MS_PER_DAY;
        if (rem < 0) {
                rem += MS_PER_DAY;
                days--;
        }
        /* Clamp to the four-digit years the fixed-size output can hold
         * (KBC_TIME_NONE thus prints as year 0000, never overflowing). */
        if (days < DAYS_YEAR0) {
                days = DAYS_YEAR0;
                rem = 0;
        } else if (days >= DAYS_YEAR10000) {
                days = DAYS_YEAR10000 - 1;
                rem = MS_PER_DAY - 1;
        }

        int64_t y;
        unsigned m, d;
        civil_from_days(days, &y, &m, &d);
        unsigned r = (unsigned)rem;
        char *p = buf;
        p = put_digits(p, (unsigned)y, 4);
        *p++ = '-';
        p = put_digits(p, m, 2);
        *p++ = '-';
        p = put_digits(p, d, 2);
        *p++ = 'T';
        p = put_digits(p, r / (unsigned)MS_PER_HOUR, 2);
        *p++ = ':';
        p = put_digits(p, r / (unsigned)MS_PER_MIN % 60, 2);
        *p++ = ':';
        p = put_digits(p, r / (unsigned)MS_PER_SEC % 60, 2);
        *p++ = '.';
        p = put_digits(p, r % (unsigned)MS_PER_SEC, 3);
        *p++ = 'Z';
        *p = '\0';
}

/* The unit at s (and its length), in milliseconds; 0 if none. "ms" must be
 * tried before "m". Upper case is refused: "10M" could mean months. */
static int64_t duration_unit(const char *s, int *len)
{
        if (s[0] == 'm' && s[1] == 's') {
                *len = 2;
                return 1;
        }
        *len = 1;
        switch (s[0]) {
        case 's':
                return MS_PER_SEC;
        case 'm':
                return MS_PER_MIN;
        case 'h':
                return MS_PER_HOUR;
        case 'd':
                return MS_PER_DAY;
        default:
                return 0;
        }
}

/* Sums "<number><unit>" terms; a number may have a decimal fraction
 * ("1.5h"), truncated to whole milliseconds. A bare number is refused:
 * "600" could be seconds or milliseconds, and a rule author should say. */
int kbc_duration_parse(const char *s, int64_t *out_ms)
{
        if (!s || !*s)
                return -1;
        int64_t total = 0;
        while (*s) {
                if (!is_digit(*s))
                        return -1;
                int64_t whole = 0;
                for (; is_digit(*s); s++) {
                        if (whole > (INT64_MAX - 9) / 10)
                                return -1;
                        whole = whole * 10 + (*s - '0');
                }
                /* Up to 9 fraction digits matter (1ms of a day is 1.2e-8);
                 * further ones are read and ignored. */
                int64_t frac = 0, scale = 1;
                if (*s == '.') {
                        s++;
                        if (!is_digit(*s))
                                return -1;
                        for (; is_digit(*s); s++) {
                                if (scale < 1000000000LL) {
                                        frac = frac * 10 + (*s - '0');
                                        scale *= 10;
                                }
                        }
                }
                int ulen;
                int64_t unit = duration_unit(s, &ulen);
                if (!unit)
                        return -1;
                s += ulen;
                if (whole > INT64_MAX / unit)
                        return -1;
                int64_t term = whole * unit + frac * unit / scale;
                if (term > INT64_MAX - total)
                        return -1;
                total += term;
        }
        *out_ms = total;
        return 0;
}

int kbc_utc_offset_parse(const char *s, int *minutes)
{
        int sign = 1, hours = 0, mins = 0, n = 0;
        const char *p = s;
        if (*p == '+' || *p == '-')
                sign = *p++ == '-' ? -1 : 1;
        if (sscanf(p, "%2d%n", &hours, &n) == 1) {
                p += n;
                if (*p == ':')
                        p++;
                if (*p && sscanf(p, "%2d%n", &mins, &n) == 1)
                        p += n;
        }
        if (!n || *p || hours > 14 || mins > 59 || hours < 0 || mins < 0)
                return -1;
        *minutes = sign * (hours * 60 + mins);
        return 0;
}
