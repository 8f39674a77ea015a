/*
 * kb_generalize.c - an article's quoted message with its example values
 * turned into placeholders, so that the rule finds the same message with
 * another machine's values (docs/kb-compiler.md, "Example values").
 *
 * A KB article quotes one real event: its server was EXCH01, its log file
 * ex990628.log, the dump took 23 seconds. The fixed wording is what tells
 * the articles apart; the values are what every other machine has
 * differently. Each value below becomes `<value>`, which the `text:`
 * language (rules/kbc_text.h) turns into a bounded wildcard:
 *
 *   GUIDs, IPv4 addresses, e-mail addresses
 *   dates (6/28/99, 1999-06-28) and times (10:15, 10:15:32 AM)
 *   numbers: before a unit (23 seconds, 120000 milliseconds, 12 MB, 80%),
 *   after a process or thread id, and any other plain number (line 117,
 *   instance 1) but an error, event or message number (error 1067)
 *   names with a run of 4 digits (ex990628.log, LOG00012)
 *   hex values that are no status code (addresses, 0x00000002), and every
 *   hex value after a STOP code in its sentence (the STOP parameters)
 *   \\server\share, the folders of a drive path (the file name stays:
 *   it is often the point, ntoskrnl.exe, PRIV.EDB), DOMAIN\user
 *   the name after server, computer, domain, user, parameter, method,
 *   ProgId, ... when it is quoted, in capitals or has a digit (server
 *   EXCH01, user 'jsmith', parameter Parameter1)
 *   placeholders written in parentheses: (instance), (pid), (date)
 *   ESE's prefix, "services (836,D,35) " and an instance's "SRUJet: ",
 *   is dropped: the message starts after it
 *
 * The article's own placeholders stay as they are ("%1", "<server name>"):
 * the text language matches them already.
 *
 * Error numbers, status codes and the words themselves stay: "error 1067",
 * 0x80004005 and a STOP code are what the article is about, unless the
 * caller says codes vary: an event's description quotes the code of the
 * article's case ("halted due to error code 0x80004005"), while the event
 * id and source already say which event it is.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "kb_generalize.h"
#include "kbc_buf.h"

static bool is_digit(unsigned char c)
{
        return c >= '0' && c <= '9';
}

static bool is_alpha(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_hex(unsigned char c)
{
        return is_digit(c) || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

static bool is_wordc(unsigned char c)
{
        return is_alpha(c) || is_digit(c) || c == '_' || c >= 0x80;
}

/* Name characters: a file, host or user name (no path separators). */
static bool is_namec(unsigned char c)
{
        return is_wordc(c) || c == '.' || c == '-' || c == '$';
}

static size_t run(const unsigned char *s, size_t n, size_t i,
                  bool (*pred)(unsigned char))
{
        size_t j = i;
        while (j < n && pred(s[j]))
                j++;
        return j - i;
}

/* A name run without a trailing period (the end of a sentence). */
static size_t name_run(const unsigned char *s, size_t n, size_t i)
{
        size_t k = run(s, n, i, is_namec);
        while (k && (s[i + k - 1] == '.' || s[i + k - 1] == '-'))
                k--;
        return k;
}

static bool word_is(const unsigned char *s, size_t len, const char *w)
{
        return strlen(w) == len && !strncasecmp((const char *)s, w, len);
}

static bool in_list(const unsigned char *s, size_t len, const char *const *l)
{
        for (; *l; l++)
                if (word_is(s, len, *l))
                        return true;
        return false;
}

/* hex digits with fixed groups: 8-4-4-4-12 */
static size_t guid_len(const unsigned char *s, size_t n, size_t i)
{
        static const size_t groups[] = {8, 4, 4, 4, 12};
        size_t j = i + (s[i] == '{');
        for (size_t g = 0; g < 5; g++) {
                if (g && (j >= n || s[j++] != '-'))
                        return 0;
                if (run(s, n, j, is_hex) != groups[g])
                        return 0;
                j += groups[g];
        }
        if (s[i] == '{') {
                if (j >= n || s[j] != '}')
                        return 0;
                j++;
        }
        return j - i;
}

/* d.d.d.d, d/d/d, d-d-d (4-digit year first), h:mm[:ss[.f]] [AM|PM] */
static size_t separated_numbers(const unsigned char *s, size_t n, size_t i,
                                char sep, size_t *parts)
{
        size_t j = i;
        *parts = 0;
        while (j < n && is_digit(s[j])) {
                size_t d = run(s, n, j, is_digit);
                j += d;
                ++*parts;
                if (j + 1 < n && s[j] == sep && is_digit(s[j + 1]))
                        j++;
                else
                        break;
        }
        return j - i;
}

static size_t date_time_len(const unsigned char *s, size_t n, size_t i)
{
        size_t parts, len;
        if ((len = separated_numbers(s, n, i, '.', &parts)) && parts == 4)
                return len; /* IPv4 */
        if ((len = separated_numbers(s, n, i, '/', &parts)) && parts == 3)
                return len;
        if ((len = separated_numbers(s, n, i, '-', &parts)) && parts == 3 &&
            run(s, n, i, is_digit) == 4)
                return len;
        if ((len = separated_numbers(s, n, i, ':', &parts)) && parts >= 2 &&
            run(s, n, i, is_digit) <= 2) {
                size_t j = i + len;
                if (j + 1 < n && s[j] == '.' && is_digit(s[j + 1]))
                        j += 1 + run(s, n, j + 1, is_digit);
                size_t k = j + (j < n && s[j] == ' ');
                if (k + 1 < n &&
                    ((s[k] | 0x20) == 'a' || (s[k] | 0x20) == 'p') &&
                    (s[k + 1] | 0x20) == 'm' &&
                    (k + 2 >= n || !is_wordc(s[k + 2])))
                        j = k + 2;
                return j - i;
        }
        return 0;
}

static bool unit_word(const unsigned char *s, size_t len)
{
        static const char *const units[] = {
            "second",      "seconds",      "sec",       "secs",
            "millisecond", "milliseconds", "ms",        "minute",
            "minutes",     "min",          "mins",      "hour",
            "hours",       "day",          "days",      "byte",
            "bytes",       "kb",           "mb",        "gb",
            "k",           "percent",      "times",     "attempts",
            "retries",     "records",      "messages",  "objects",
            "items",       "entries",      "files",     "users",
            "connections", "threads",      "handles",   "pages",
            "blocks",      "sectors",      "kilobytes", "megabytes",
            NULL};
        return in_list(s, len, units);
}

/* The word that ends just before i (skipping spaces and a colon), as a
 * pointer and length; len 0 when there is none. */
static const unsigned char *word_before(const unsigned char *s, size_t i,
                                        size_t *len)
{
        size_t e = i;
        while (e > 0 && (s[e - 1] == ' ' || s[e - 1] == ':' || s[e - 1] == '='))
                e--;
        size_t b = e;
        while (b > 0 && is_wordc(s[b - 1]))
                b--;
        *len = e - b;
        return s + b;
}

static bool id_noun_before(const unsigned char *s, size_t i)
{
        static const char *const nouns[] = {"pid", "process", "thread", "id",
                                            "tid", "session", NULL};
        size_t len;
        const unsigned char *w = word_before(s, i, &len);
        if (!len || !in_list(w, len, nouns))
                return false;
        if (!word_is(w, len, "id"))
                return true;
        /* "process id 1234", not "event id 1234" */
        const unsigned char *v = word_before(s, (size_t)(w - s), &len);
        return len && (word_is(v, len, "process") || word_is(v, len, "thread"));
}

static bool error_word_before(const unsigned char *s, size_t i)
{
        static const char *const words[] = {
            "error",   "code",      "status", "stop",     "hr",
            "hresult", "exception", "result", "return",   "returned",
            "err",     "failure",   "reason", "bugcheck", NULL};
        size_t len;
        const unsigned char *w = word_before(s, i, &len);
        return len && in_list(w, len, words);
}

/* Does the word before i say that the number after it is fixed text: an
 * error, event or message number? */
static bool number_word_before(const unsigned char *s, size_t i)
{
        static const char *const words[] = {"event",  "id",    "message", "msg",
                                            "number", "win32", "no",      NULL};
        size_t len, k = i;
        const unsigned char *w = word_before(s, i, &len);
        while (k > 0 && s[k - 1] == ' ')
                k--;
        /* "#9405", "Event # 9405" */
        return error_word_before(s, i) || (len && in_list(w, len, words)) ||
               (k > 0 && s[k - 1] == '#');
}

/* Is the hex value at i a STOP code: "STOP: 0x...", "bugcheck 0x...",
 * "The bugcheck was: 0x..."? */
static bool stop_code_at(const unsigned char *s, size_t i)
{
        size_t wl;
        const unsigned char *w = word_before(s, i, &wl);
        if (word_is(w, wl, "was"))
                w = word_before(s, (size_t)(w - s), &wl);
        return word_is(w, wl, "stop") || word_is(w, wl, "bugcheck");
}

/* A number, a hex value or a name with digits starting at i (a word
 * start): how long the value is, 0 if it stays. *stop is set when it is a
 * STOP code, so that what follows in the sentence are its parameters. */
static size_t number_value(const unsigned char *s, size_t n, size_t i,
                           bool after_stop, bool codes, bool *stop)
{
        size_t len;
        if ((len = guid_len(s, n, i)) || (len = date_time_len(s, n, i)))
                return len;
        bool ox = s[i] == '0' && i + 1 < n && (s[i + 1] | 0x20) == 'x';
        size_t hex = ox ? run(s, n, i + 2, is_hex) : run(s, n, i, is_hex);
        size_t word = name_run(s, n, i);
        if (ox && hex && (i + 2 + hex >= n || !is_wordc(s[i + 2 + hex]))) {
                if (after_stop)
                        return 2 + hex;
                if ((*stop = stop_code_at(s, i)))
                        return 0;
                if (codes)
                        return 2 + hex;
                if (error_word_before(s, i))
                        return 0;
                unsigned char lead = (unsigned char)(s[i + 2] | 0x20);
                return hex == 8 && (lead == '8' || lead == 'c') ? 0 : 2 + hex;
        }
        size_t digits = run(s, n, i, is_digit);
        /* "%1", "%%1": the article's own placeholder, which the text
         * language matches as one already */
        if (digits == word && digits && i > 0 && s[i - 1] == '%')
                return 0;
        if (digits == word && digits) {
                if (after_stop && hex == word)
                        return word;
                size_t k = i + digits;
                size_t u = k + (k < n && s[k] == ' ');
                if (k < n && s[k] == '%')
                        return digits;
                if (unit_word(s + u, run(s, n, u, is_wordc)) ||
                    id_noun_before(s, i))
                        return digits;
                /* Any other number varies too (line 117, instance 1, port
                 * 8080, a count) unless it names the error or the event:
                 * "error 1067", "event 2037", "STOP 0x1E". */
                return number_word_before(s, i) ? 0 : digits;
        }
        if (after_stop && hex == 8 && word == 8)
                return 8;
        /* a name with a run of four digits: ex990628.log */
        for (size_t k = i, d = 0; k < i + word; k++)
                if ((d = is_digit(s[k]) ? d + 1 : 0) == 4)
                        return word;
        return 0;
}

static bool name_noun(const unsigned char *w, size_t len)
{
        static const char *const nouns[] = {
            "server", "computer", "machine", "host", "domain", "user",
            "account", "workstation", "controller", "node", "site", "printer",
            "organization", "mailbox", "client",
            /* the machine's device driver: "Driver SCSI returned invalid
             * ID for a child device", logged as "Driver stornvme ..." */
            "driver",
            /* a program's objects: "parameter Parameter1 in method
             * Method1", "(ProgId: ADODB.Connection.1.5)" */
            "parameter", "method", "property", "progid", "table", "database",
            "queue", "project", NULL};
        return in_list(w, len, nouns);
}

/* The name after "server", "user", ...: quoted, in capitals or with a
 * digit ("server EXCH01", "user 'jsmith'"); its length with quotes. */
static size_t named_value(const unsigned char *s, size_t n, size_t i)
{
        size_t wl;
        const unsigned char *w = word_before(s, i, &wl);
        if (!wl || !name_noun(w, wl) || (size_t)(w - s) + wl == i)
                return 0; /* needs a space between the noun and the name */
        if (s[i] == '\'' || s[i] == '"') {
                const unsigned char *q = memchr(s + i + 1, s[i], n - i - 1);
                size_t len = q ? (size_t)(q - s) - i + 1 : 0;
                return len > 2 && len <= 66 && !memchr(s + i + 1, ' ', len - 2)
                           ? len
                           : 0;
        }
        size_t len = name_run(s, n, i);
        /* a driver's file ("driver WORKGRP.SYS") is what the article is
         * about; its name on a device (SCSI, stornvme) is the machine's */
        if (word_is(w, wl, "driver") && memchr(s + i, '.', len))
                return 0;
        bool lower = false, digit = false;
        for (size_t k = i; k < i + len; k++) {
                lower |= s[k] >= 'a' && s[k] <= 'z';
                digit |= is_digit(s[k]);
        }
        return len >= 2 && (digit || !lower) ? len : 0;
}

/* \\server\share, X:\folder\...\ (up to the file name), DOMAIN\user. */
static size_t path_value(const unsigned char *s, size_t n, size_t i,
                         size_t *keep)
{
        *keep = 0;
        if (s[i] == '\\' && i + 2 < n && s[i + 1] == '\\' &&
            is_wordc(s[i + 2])) {
                size_t j = i + 2 + run(s, n, i + 2, is_namec);
                if (j < n && s[j] == '\\')
                        j += 1 + run(s, n, j + 1, is_namec);
                return j - i;
        }
        if (is_alpha(s[i]) && i + 2 < n && s[i + 1] == ':' &&
            s[i + 2] == '\\' && (i == 0 || !is_wordc(s[i - 1]))) {
                size_t j = i + 3, last = j;
                while (j < n &&
                       (is_namec(s[j]) || s[j] == '\\' ||
                        (s[j] == ' ' && j + 1 < n && is_alpha(s[j + 1]) &&
                         memchr(s + j, '\\', n - j > 32 ? 32 : n - j)))) {
                        if (s[j] == '\\')
                                last = j + 1;
                        j++;
                }
                *keep = last - i; /* the folders; the file name stays */
                return last > i + 3 ? last - i : 0;
        }
        size_t w = run(s, n, i, is_wordc);
        if (w >= 2 && i + w + 1 < n && s[i + w] == '\\' &&
            is_alpha(s[i + w + 1])) {
                bool caps = true;
                for (size_t k = i; k < i + w; k++)
                        caps &= !(s[k] >= 'a' && s[k] <= 'z');
                size_t u = name_run(s, n, i + w + 1);
                if (!caps || s[i + w + 1 + u] == '\\' ||
                    !strncasecmp((const char *)s + i, "HKEY", 4) ||
                    word_is(s + i, w, "BUILTIN") ||
                    word_is(s + i, w, "AUTHORITY"))
                        return 0;
                return w + 1 + u;
        }
        return 0;
}

/* "(instance)", "(pid)", "(computer name)": a placeholder written in
 * parentheses, as Dr. Watson excerpts and service names in articles do. */
static size_t paren_placeholder(const unsigned char *s, size_t n, size_t i)
{
        static const char *const names[] = {
            "instance",     "pid",         "process id",    "thread id",
            "date",         "time",        "server",        "server name",
            "servername",   "computer",    "computer name", "computername",
            "machine name", "user",        "user name",     "username",
            "domain",       "domain name", "path",          "file name",
            "filename",     "drive",       "number",        "name",
            "service name", "share name",  "printer name",  NULL};
        if (s[i] != '(')
                return 0;
        const unsigned char *close = memchr(s + i, ')', n - i);
        if (!close)
                return 0;
        size_t len = (size_t)(close - s) - i - 1;
        return in_list(s + i + 1, len, names) ? len + 2 : 0;
}

/* The prefix ESE puts before each of its messages, "PROCESS (PID,D,N) "
 * and the database instance's "NAME: " after it when the process has one
 * ("svchost (2716,D,12) SRUJet: Error -1919 validating header page ...",
 * "services (836,D,35) Error -1919 ..."): the process and instance of the
 * article's machine, which another machine logs otherwise. Its length, or
 * 0. */
static size_t ese_prefix(const unsigned char *s, size_t n)
{
        size_t i = run(s, n, 0, is_namec);
        if (!i || i + 2 >= n || s[i] != ' ' || s[i + 1] != '(')
                return 0;
        i += 2;
        size_t d = run(s, n, i, is_digit);
        if (!d || i + d + 3 >= n || s[i + d] != ',' ||
            !is_alpha(s[i + d + 1]) || s[i + d + 2] != ',')
                return 0;
        i += d + 3;
        d = run(s, n, i, is_digit);
        if (!d || i + d + 1 >= n || s[i + d] != ')' || s[i + d + 1] != ' ')
                return 0;
        i += d + 2;
        size_t w = run(s, n, i, is_namec);
        if (w && i + w + 1 < n && s[i + w] == ':' && s[i + w + 1] == ' ')
                i += w + 2;
        return i < n ? i : 0;
}

/* "'BackupVM' background disk merge failed to complete": Hyper-V and
 * others open an event's message with the name of the object it is about
 * in quotes ('%1' in the manifest), the article's virtual machine, which
 * another host names otherwise. Its length with the quotes, or 0: one
 * word, then the message. */
static size_t quoted_subject(const unsigned char *s, size_t n, size_t i)
{
        if (s[i] != '\'' && s[i] != '"')
                return 0;
        const unsigned char *q = memchr(s + i + 1, s[i], n - i - 1);
        size_t len = q ? (size_t)(q - s) - i + 1 : 0;
        if (len <= 2 || len > 66 || memchr(s + i + 1, ' ', len - 2) ||
            i + len >= n || s[i + len] != ' ')
                return 0;
        return len;
}

const char *kbc_kb_generalize(kbc_arena *a, const char *text, bool codes)
{
        const unsigned char *s = (const unsigned char *)text;
        size_t n = strlen(text);
        kbc_buf b;
        bool after_stop = false, changed = false;

        kbc_buf_init(&b, 4 * n + 64); /* "<value>" may outgrow "23" */
        size_t skip = ese_prefix(s, n);
        changed = skip > 0;
        /* only in an event's description (where codes vary too): a
         * dialog's "'ntdsutil' is not recognized ..." is about its name */
        size_t subject = codes ? quoted_subject(s, n, skip) : 0;
        if (subject) {
                kbc_buf_puts(&b, KBC_KB_VALUE);
                skip += subject;
                changed = true;
        }
        for (size_t i = skip; i < n;) {
                bool start = i == 0 || !is_wordc(s[i - 1]);
                size_t len = 0, keep = 0;
                bool stop = false;
                if (s[i] == '.' && (i + 1 == n || s[i + 1] == ' '))
                        after_stop = false; /* a sentence ends */
                if (start && s[i] == '<') {
                        const char *gt = memchr(text + i, '>', n - i);
                        if (gt) { /* a placeholder of the article's own */
                                kbc_buf_append(&b, s + i,
                                               (size_t)(gt - text) - i + 1);
                                i = (size_t)(gt - text) + 1;
                                continue;
                        }
                }
                if (start)
                        len = paren_placeholder(s, n, i);
                if (!len && start)
                        len = path_value(s, n, i, &keep);
                if (!len && start &&
                    (is_digit(s[i]) || s[i] == '{' || is_alpha(s[i])))
                        len = number_value(s, n, i, after_stop, codes, &stop);
                if (!len && start)
                        len = named_value(s, n, i);
                if (!len && start && is_wordc(s[i])) {
                        size_t at = run(s, n, i, is_namec);
                        if (i + at < n && s[i + at] == '@' && i + at + 1 < n &&
                            is_wordc(s[i + at + 1]))
                                len = at + 1 + name_run(s, n, i + at + 1);
                }
                after_stop |= stop;
                if (!len) {
                        size_t w = start && is_wordc(s[i])
                                       ? run(s, n, i, is_wordc)
                                       : 1;
                        kbc_buf_append(&b, s + i, w);
                        i += w;
                        continue;
                }
                kbc_buf_puts(&b, KBC_KB_VALUE);
                if (keep)
                        kbc_buf_putc(&b, '\\');
                changed = true;
                i += len;
        }
        const char *out = changed ? kbc_arena_strndup(a, b.data, b.len) : text;
        kbc_buf_free(&b);
        return out;
}
