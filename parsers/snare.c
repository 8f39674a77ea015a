/*
 * snare.c - Snare's MSWinEventLog lines (the Snare agent for Windows, and
 * NXLog's and others' Snare output), with or without a syslog header, to
 * the normalized event.
 *
 * The format (Snare "Appendix A - Windows Event Output Format"; LogLogic's
 * and LogZilla's descriptions agree) is one line of TAB-separated tokens:
 *
 *   [<PRI>Mmm dd hh:mm:ss ]HOST  MSWinEventLog  Criticality  LogName
 *   SnareCounter  DateTime  EventID  SourceName  UserName  SIDType
 *   EventLogType  ComputerName  CategoryString  DataString
 *   ExpandedString  EventLogCounter[  optional key=value fields]
 *
 * where HOST is separated from MSWinEventLog by a tab (plain Snare) or a
 * space (after a syslog header, whose host the agent fills in), DateTime
 * is the agent's local time as "Fri Nov 27 09:58:51 2015", EventLogType is
 * "Information", "Warning", "Error", "Success Audit" or "Failure Audit",
 * and the strings are the rendered message (older agents write one string
 * field, newer ones DataString and ExpandedString, often one of them
 * empty). So:
 *   time      DateTime, in the decoder's local offset (UTC by default)
 *   host      ComputerName, else HOST      channel   LogName
 *   provider  SourceName                   event id  EventID
 *   level     EventLogType, named as Winlogbeat names levels (audits are
 *             "information", as Windows logs them at level 0)
 *   message   the last non-empty string between CategoryString and the
 *             trailing counter
 * Snare carries no record id (its counters are the agent's) and no
 * EventData names, so both stay absent.
 *
 * Detected by a "MSWinEventLog" token followed by a tab within the first
 * 512 bytes. Every read is bounded by the message length; nothing is
 * copied: all strings are views of the line.
 */
#include <string.h>

#include "formats.h"
#include "kbc_time.h"

#define FMT        "snare"
#define TAG        "MSWinEventLog"
#define TAG_LEN    (sizeof(TAG) - 1)
#define DETECT_MAX 512
#define MAX_TOKENS (16 + 32)

/* Where the tag starts, or NULL. It must be a whole token: at the start
 * or after a space or tab, and followed by a tab. */
static const char *find_tag(const char *buf, size_t len)
{
        size_t lim = len < DETECT_MAX ? len : DETECT_MAX;
        const char *p = buf, *end = buf + lim;
        while (p < end && (p = memchr(p, 'M', (size_t)(end - p))) != NULL) {
                if ((size_t)(buf + len - p) > TAG_LEN &&
                    !memcmp(p, TAG, TAG_LEN) && p[TAG_LEN] == '\t' &&
                    (p == buf || p[-1] == ' ' || p[-1] == '\t'))
                        return p;
                p++;
        }
        return NULL;
}

bool kbc_snare_detect(const char *buf, size_t len)
{
        return find_tag(buf, len) != NULL;
}

static bool is_digits(kbc_str s)
{
        if (s.len == 0)
                return false;
        for (size_t i = 0; i < s.len; i++)
                if (s.ptr[i] < '0' || s.ptr[i] > '9')
                        return false;
        return true;
}

/* "EventSourceId=AU_123": an optional field after the counter. */
static bool is_key_value(kbc_str s)
{
        return s.len && memchr(s.ptr, '=', s.len) && !memchr(s.ptr, ' ', s.len);
}

static kbc_str trim(kbc_str s)
{
        while (s.len &&
               (s.ptr[0] == ' ' || s.ptr[0] == '\r' || s.ptr[0] == '\n'))
                s = kbc_str_make(s.ptr + 1, s.len - 1);
        while (s.len && (s.ptr[s.len - 1] == ' ' || s.ptr[s.len - 1] == '\r' ||
                         s.ptr[s.len - 1] == '\n'))
                s.len--;
        return s;
}

/* The token before the tag: HOST. */
static kbc_str host_before(const char *buf, const char *tag)
{
        const char *e = tag;
        while (e > buf && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
        const char *s = e;
        while (s > buf && s[-1] != ' ' && s[-1] != '\t' && s[-1] != '>')
                s--;
        return kbc_str_make(s, (size_t)(e - s));
}

/* "Fri Nov 27 09:58:51 2015" (the day may be space-padded). */
static int parse_date(kbc_str s, int offset_min, int64_t *out)
{
        static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
        char iso[24];
        size_t i = 0;
        s = trim(s);
        /* weekday */
        while (i < s.len && s.ptr[i] != ' ')
                i++;
        while (i < s.len && s.ptr[i] == ' ')
                i++;
        if (s.len - i < 3)
                return -1;
        int mon = -1;
        for (int m = 0; m < 12; m++)
                if (!memcmp(s.ptr + i, months + 3 * m, 3))
                        mon = m + 1;
        if (mon < 0)
                return -1;
        i += 3;
        while (i < s.len && s.ptr[i] == ' ')
                i++;
        unsigned day = 0;
        int nd = 0;
        for (; i < s.len && s.ptr[i] >= '0' && s.ptr[i] <= '9' && nd < 2;
             i++, nd++)
                day = day * 10 + (unsigned)(s.ptr[i] - '0');
        if (nd == 0 || i >= s.len || s.ptr[i] != ' ')
                return -1;
        i++;
        /* "hh:mm:ss yyyy" */
        if (s.len - i != 13 || s.ptr[i + 8] != ' ')
                return -1;
        memcpy(iso, s.ptr + i + 9, 4);
        iso[4] = '-';
        iso[5] = (char)('0' + mon / 10);
        iso[6] = (char)('0' + mon % 10);
        iso[7] = '-';
        iso[8] = (char)('0' + day / 10);
        iso[9] = (char)('0' + day % 10);
        iso[10] = 'T';
        memcpy(iso + 11, s.ptr + i, 8);
        return kbc_time_parse_iso(kbc_str_make(iso, 19), offset_min, out);
}

static kbc_str level_name(kbc_str t)
{
        static const struct {
                kbc_str snare, name;
        } map[] = {
            {KBC_STR_LIT("Information"), KBC_STR_LIT("information")},
            {KBC_STR_LIT("Warning"), KBC_STR_LIT("warning")},
            {KBC_STR_LIT("Error"), KBC_STR_LIT("error")},
            {KBC_STR_LIT("Critical"), KBC_STR_LIT("critical")},
            {KBC_STR_LIT("Verbose"), KBC_STR_LIT("verbose")},
            {KBC_STR_LIT("Success Audit"), KBC_STR_LIT("information")},
            {KBC_STR_LIT("Failure Audit"), KBC_STR_LIT("information")},
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (kbc_str_caseeq(t, map[i].snare))
                        return map[i].name;
        return t;
}

enum {
        F_CRIT,
        F_LOG,
        F_COUNTER,
        F_DATE,
        F_ID,
        F_SOURCE,
        F_USER,
        F_SIDTYPE,
        F_TYPE,
        F_COMPUTER,
        F_CATEGORY,
        F_STRINGS, /* first of the strings */
};

int kbc_snare_decode(const char *buf, size_t len, const kbc_fmt_opts *o,
                     kbc_event *ev, char *errstr, size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        kbc_str tok[MAX_TOKENS];
        size_t n = 0;

        while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                len--;
        const char *tag = find_tag(buf, len);
        if (!tag)
                return kbc_errf(errstr, errsize,
                                FMT ": no MSWinEventLog tab field");
        const char *p = tag + TAG_LEN + 1, *end = buf + len;
        while (n < MAX_TOKENS) {
                const char *t = memchr(p, '\t', (size_t)(end - p));
                const char *e = t ? t : end;
                tok[n++] = kbc_str_make(p, (size_t)(e - p));
                if (!t)
                        break;
                p = t + 1;
        }
        /* Tabs beyond MAX_TOKENS stay inside the last token. */
        if (n == MAX_TOKENS)
                tok[n - 1].len = (size_t)(end - tok[n - 1].ptr);
        if (n <= F_CATEGORY)
                return kbc_errf(errstr, errsize,
                                FMT ": %zu fields after MSWinEventLog, want "
                                    "at least 11",
                                n);

        if (kbc_fmt_parse_u32(tok[F_ID], &ev->event_id))
                return kbc_errf(errstr, errsize,
                                FMT ": EventID is not an event id: \"%s\"",
                                kbc_fmt_preview(tok[F_ID], pv));
        ev->has_event_id = true;
        if (parse_date(tok[F_DATE], o->local_offset_min, &ev->time_ms))
                return kbc_errf(errstr, errsize,
                                FMT ": unparseable DateTime \"%s\"",
                                kbc_fmt_preview(tok[F_DATE], pv));
        ev->host = trim(tok[F_COMPUTER]);
        if (ev->host.len == 0)
                ev->host = host_before(buf, tag);
        if (ev->host.len == 0)
                return kbc_errf(errstr, errsize, FMT ": missing ComputerName");
        ev->channel = trim(tok[F_LOG]);
        ev->provider = trim(tok[F_SOURCE]);
        ev->level = level_name(trim(tok[F_TYPE]));

        /* The strings end before the counter, which may be followed by
         * optional key=value fields (newer agents). */
        size_t last = n;
        while (last > F_STRINGS && tok[last - 1].len == 0)
                last--;
        size_t k = last;
        while (k > F_STRINGS + 1 && is_key_value(tok[k - 1]))
                k--;
        if (k > F_STRINGS + 1 && is_digits(trim(tok[k - 1])))
                last = k - 1;
        for (size_t i = last; i > F_STRINGS; i--) {
                kbc_str s = trim(tok[i - 1]);
                if (s.len) {
                        ev->message = s;
                        break;
                }
        }
        return 0;
}
