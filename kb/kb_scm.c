/*
 * kb_scm.c - the Service Control Manager's messages as Windows logs them.
 * Articles quote them in other words than the log's: "The openSSH SSH
 * Server terminated unexpectedly." for Windows' "The OpenSSH SSH Server
 * service terminated unexpectedly.  It has done this 1 time(s).", NT
 * 4.0's "terminated with service-specific error 2550." for today's "...
 * terminated with the following service-specific error: ...", a 7026
 * cut before the driver it names. The table below holds each message's
 * wording as Windows logs it (message file of services.exe, the
 * versions that differ written as alternatives); a quote is recognized
 * by those words, with or without "service" after the name and with any
 * white space, and the name it gives is kept as what tells one
 * article's case from another's. The values (times, counts, errors) are
 * bounded wildcards: another machine logs its own.
 *
 * A template that names no service (a placeholder, `%1`, nothing) is
 * every service's event: no pattern is made of it, and the compiler
 * keeps the quote as support (kb_compile.c, routine_message).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "kb_scm.h"
#include "kbc_buf.h"
#include "kbc_text.h"

#define NAME_MAX_LEN  64  /* bytes of a service's display name */
#define NAME_WORDS    8   /* words of it; more is prose */
#define VALUE_MAX     60  /* bytes a `*` value spans */
#define DRIVERS_AHEAD 8   /* drivers listed before the one named */
#define PATTERN_MAX   512 /* bytes of a wording with one alternative chosen */

/* The wording language of the table: a space is any run of white space,
 * `*` a value (1 to VALUE_MAX bytes), `{a|b}` either wording (another
 * Windows version's), any other byte itself, letters in either case. */
typedef struct scm_template {
        long ids[2];         /* the event ids; -1 when unused */
        const char *before;  /* the words before the name */
        const char *after;   /* after it (and an optional "service"); NULL
                                when the name ends the message (7026) */
        const char *example; /* as Windows logs it, %s the name */
        bool error;          /* the error the service met follows */
        bool routine;        /* a healthy server logs it too */
} scm_template;

static const scm_template templates[] = {
    /* The %1 service failed to start due to the following error: %n%2 */
    {{7000, -1},
     "The",
     "failed to start due to the following error",
     "The %s service failed to start due to the following error: \r\n"
     "The system cannot find the file specified.",
     true,
     false},
    /* The %1 service depends on the %2 service which failed to start
     * because of the following error: %n%3 */
    {{7001, -1},
     "The",
     "depends on the * service which failed to start",
     "The %s service depends on the Workstation service which failed to "
     "start because of the following error: \r\nThe dependency service or "
     "group failed to start.",
     true,
     false},
    /* The %1 service depends on the %2 group and no member of this group
     * started. */
    {{7002, -1},
     "The",
     "depends on the * group and no member of this group started",
     "The %s service depends on the TDI group and no member of this group "
     "started.",
     false,
     false},
    /* The %1 service depends on the following service: %2. This service
     * might not be installed. (NT 4.0: "... the following nonexistent
     * service: %2") */
    {{7003, -1},
     "The",
     "depends on the following {nonexistent service|service}:",
     "The %s service depends on the following service: Netman. This "
     "service might not be installed.",
     false,
     false},
    /* A timeout was reached (%1 milliseconds) while waiting for the %2
     * service to connect. (NT 4.0, 2000: "Timeout (%1 milliseconds)
     * waiting for the %2 service to connect.") */
    {{7009, -1},
     "{A timeout was reached (* milliseconds) while|Timeout (* "
     "milliseconds)} waiting for the",
     "to connect",
     "A timeout was reached (30000 milliseconds) while waiting for the %s "
     "service to connect.",
     false,
     false},
    /* A timeout (%1 milliseconds) was reached while waiting for a
     * transaction response from the %2 service. (NT 4.0, 2000: "Timeout
     * (%1 milliseconds) waiting for a transaction response from the %2
     * service.") */
    {{7011, -1},
     "{A timeout (* milliseconds) was reached while|Timeout (* "
     "milliseconds)} waiting for a transaction response from the",
     ".",
     "A timeout (30000 milliseconds) was reached while waiting for a "
     "transaction response from the %s service.",
     false,
     false},
    /* The %1 service hung on starting. */
    {{7022, -1},
     "The",
     "hung on starting",
     "The %s service hung on starting.",
     false,
     false},
    /* The %1 service terminated with the following error: %n%2 */
    {{7023, -1},
     "The",
     "terminated with the following error",
     "The %s service terminated with the following error: \r\nIncorrect "
     "function.",
     true,
     false},
    /* The %1 service terminated with the following service-specific
     * error: %n%2 (NT 4.0 to 2003: "... terminated with service-specific
     * error %2.") */
    {{7024, -1},
     "The",
     "terminated with {the following service-specific|service-specific} "
     "error",
     "The %s service terminated with the following service-specific "
     "error: \r\nThe system cannot find the file specified.",
     true,
     false},
    /* The following boot-start or system-start driver(s) failed to load:
     * %n%1 (Windows 10 and later: "... did not load:"), one driver a
     * line, without its .sys */
    {{7026, -1},
     "The following boot-start or system-start driver(s) {failed to|did "
     "not} load:",
     NULL,
     "The following boot-start or system-start driver(s) failed to load: "
     "\r\n%s",
     false,
     false},
    /* 7031: The %1 service terminated unexpectedly.  It has done this %2
     * time(s).  The following corrective action will be taken in %3
     * milliseconds: %5.  7034: the same without the action. */
    {{7031, 7034},
     "The",
     "terminated unexpectedly",
     "The %s service terminated unexpectedly.  It has done this 1 "
     "time(s).",
     false,
     false},
    /* The Service Control Manager tried to take a corrective action (%2)
     * after the unexpected termination of the %3 service, but this action
     * failed with the following error: %n%4 */
    {{7032, -1},
     "The Service Control Manager tried to take a corrective action (*) "
     "after the unexpected termination of the",
     ", but this action failed",
     "The Service Control Manager tried to take a corrective action "
     "(Restart the service) after the unexpected termination of the %s "
     "service, but this action failed with the following error: \r\nAn "
     "instance of the service is already running.",
     true,
     false},
    /* 7038: The %1 service was unable to log on as %2 with the currently
     * configured password due to the following error: %n%3  7041: the
     * same, the error being a logon type the account lacks. */
    {{7038, 7041},
     "The",
     "was unable to log on as * with the currently configured password",
     "The %s service was unable to log on as .\\svc with the currently "
     "configured password due to the following error: \r\nLogon failure: "
     "unknown user name or bad password.",
     true,
     false},
    /* The %1 service is marked as an interactive service.  However, the
     * system is configured to not allow interactive services.  This
     * service may not function properly. */
    {{7030, -1},
     "The",
     "is marked as an interactive service",
     "The %s service is marked as an interactive service.  However, the "
     "system is configured to not allow interactive services.  This "
     "service may not function properly.",
     false,
     false},
    /* The %1 service did not shut down properly after receiving a
     * preshutdown control. */
    {{7043, -1},
     "The",
     "did not shut down properly after receiving a preshutdown control",
     "The %s service did not shut down properly after receiving a "
     "preshutdown control.",
     false,
     false},
    /* The %1 service was successfully sent a %2 control. */
    {{7035, -1}, "The", "was successfully sent a * control", NULL, false, true},
    /* The %1 service entered the %2 state. */
    {{7036, -1}, "The", "entered the * state", NULL, false, true},
    /* The start type of the %1 service was changed from %2 to %3. */
    {{7040, -1},
     "The start type of the",
     "was changed from",
     NULL,
     false,
     true},
    /* The dialog of a boot where any service failed (Application Popup
     * 26, titled Service Control Manager): every such boot's. */
    {{26, -1},
     "At least one service or driver failed during system startup",
     NULL,
     NULL,
     false,
     true},
};

static const char *fixed_match(const char *t, const char *f);

/* f at a `{`: t matched by one of its alternatives and the rest. */
static const char *alternatives(const char *t, const char *f)
{
        const char *close = strchr(f, '}');
        if (!close)
                return NULL;
        for (const char *alt = f + 1; alt < close;) {
                const char *bar = alt;
                while (bar < close && *bar != '|')
                        bar++;
                char buf[PATTERN_MAX];
                size_t len = (size_t)(bar - alt), rest = strlen(close + 1);
                if (len + rest < sizeof(buf)) {
                        memcpy(buf, alt, len);
                        memcpy(buf + len, close + 1, rest + 1);
                        const char *e = fixed_match(t, buf);
                        if (e)
                                return e;
                }
                alt = bar + 1;
        }
        return NULL;
}

/* Where t's match of the wording f ends, or NULL. A final "." may be
 * missing at the end of t (quotes drop it). */
static const char *fixed_match(const char *t, const char *f)
{
        while (*f) {
                if (*f == '{')
                        return alternatives(t, f);
                if (*f == '*') {
                        for (size_t k = 1; k <= VALUE_MAX && t[k - 1]; k++) {
                                const char *e = fixed_match(t + k, f + 1);
                                if (e)
                                        return e;
                        }
                        return NULL;
                }
                if (*f == ' ') {
                        if (!isspace((unsigned char)*t))
                                return NULL;
                        while (isspace((unsigned char)*t))
                                t++;
                        f++;
                        continue;
                }
                if (tolower((unsigned char)*t) != tolower((unsigned char)*f))
                        return *f == '.' && !f[1] && !*t ? t : NULL;
                t++;
                f++;
        }
        return t;
}

/* Past the white space, and "service" when it is there, between a name
 * ending at t and the wording after it; then that wording matched: where
 * it ends, or NULL. */
static const char *after_match(const char *t, const char *after, bool service)
{
        const char *p = t;
        while (isspace((unsigned char)*p))
                p++;
        if (service) {
                if (p == t || strncasecmp(p, "service", 7) ||
                    isalnum((unsigned char)p[7]))
                        return NULL;
                t = p += 7;
                while (isspace((unsigned char)*p))
                        p++;
        }
        if (isalnum((unsigned char)*after) && p == t)
                return NULL;
        return fixed_match(p, after);
}

/* A word of prose at p, which no service's display name holds ("The
 * problem occurs because the Contoso service terminated ..."). */
static bool prose_word(const char *p, size_t avail)
{
        static const char *const words[] = {"the",  "because", "when",  "if",
                                            "that", "which",   "is",    "was",
                                            "this", "then",    "after", NULL};
        for (size_t i = 0; words[i]; i++) {
                size_t n = strlen(words[i]);
                if (n <= avail && !strncmp(p, words[i], n) &&
                    (n == avail || p[n] == ' '))
                        return true;
        }
        return false;
}

/* p without the quotes around it ("The \"\" service terminated"). */
static size_t unquote(const char **p, size_t len)
{
        while (len >= 2 && strchr("\"'`", (*p)[0]) &&
               strchr("\"'`", (*p)[len - 1])) {
                ++*p;
                len -= 2;
        }
        return len;
}

/* Is the name part of a template the author's placeholder: `%1`,
 * `<service name>`, `X`, `ServiceName`, nothing? The quote is then the
 * template itself, every service's event. */
static bool placeholder_name(kbc_arena *a, const char *p, size_t len)
{
        static const char *const names[] = {
            "service", "servicename", "service name", "name", "drivername",
            "driver",  NULL};
        len = unquote(&p, len);
        const char *name = kbc_arena_strndup(a, p, len);
        if (len < 2 || strpbrk(name, "%<>*") || !kbc_text_literal_words(name))
                return true;
        for (size_t i = 0; names[i]; i++)
                if (!strcasecmp(name, names[i]))
                        return true;
        return false;
}

/* A service's display name or a driver's, as the article wrote it, or
 * NULL when it names none: a placeholder (placeholder_name), a word of
 * prose ("The problem occurs because the ..."), a sentence, a name whose
 * first word has no capital or digit ("The system process LSASS.EXE
 * terminated unexpectedly" is no service's). "SQL Server (MSSQLSERVER)"
 * keeps its instance. */
static const char *valid_name(kbc_arena *a, const char *p, size_t len,
                              bool driver)
{
        if (placeholder_name(a, p, len))
                return NULL;
        len = unquote(&p, len);
        if (driver && len > 4 && !strncasecmp(p + len - 4, ".sys", 4))
                len -= 4;
        if (len < 2 || len > NAME_MAX_LEN)
                return NULL;
        size_t words = 1;
        bool capital = driver; /* in the first word */
        for (size_t i = 0; i < len; i++) {
                if (strchr(":;[]{}\r\n\t", p[i]) ||
                    (i && p[i - 1] == ' ' && prose_word(p + i, len - i)) ||
                    (p[i] == '.' && (i + 1 == len || p[i + 1] == ' ')) ||
                    (p[i] == ' ' && driver))
                        return NULL;
                words += p[i] == ' ';
                capital |= words == 1 && (isupper((unsigned char)p[i]) ||
                                          isdigit((unsigned char)p[i]));
        }
        return capital && words <= NAME_WORDS ? kbc_arena_strndup(a, p, len)
                                              : NULL;
}

/* Where the template's wording after ends when it follows a name at t,
 * or NULL. The shortest name that leaves the rest to match goes to
 * *name; NULL when it is the author's placeholder. */
static const char *named_at(kbc_arena *a, const char *t, const char *after,
                            const char **name)
{
        size_t len = strlen(t);
        for (size_t e = 1; e <= len && e <= NAME_MAX_LEN + 1; e++) {
                if (isspace((unsigned char)t[e - 1]) ||
                    isalnum((unsigned char)t[e]))
                        continue;
                const char *end = after_match(t + e, after, true);
                if (!end)
                        end = after_match(t + e, after, false);
                if (end) {
                        /* prose that happens to end in the wording is
                         * not the template; a placeholder is */
                        *name = valid_name(a, t, e, false);
                        return *name || placeholder_name(a, t, e) ? end : NULL;
                }
        }
        return NULL;
}

/* The first driver of a 7026's list at t: its first token. */
static const char *driver_at(kbc_arena *a, const char *t)
{
        size_t len = 0;
        while (t[len] && !isspace((unsigned char)t[len]) && t[len] != ',')
                len++;
        return len ? valid_name(a, t, len, true) : NULL;
}

/* f as a regex: the wording language turned into PCRE2. */
static void wording_regex(kbc_buf *b, const char *f)
{
        for (; *f; f++) {
                if (*f == '{')
                        kbc_buf_puts(b, "(?:");
                else if (*f == '|' || *f == '}')
                        kbc_buf_puts(b, *f == '|' ? "|" : ")");
                else if (*f == ' ')
                        kbc_buf_puts(b, "\\s+");
                else if (*f == '*')
                        kbc_buf_puts(b, "[^\\r\\n]{1,60}?");
                else {
                        if (!isalnum((unsigned char)*f))
                                kbc_buf_putc(b, '\\');
                        kbc_buf_putc(b, *f);
                }
        }
}

/* The event of template t for name, as Windows words it. */
static const char *event_regex(kbc_arena *a, const scm_template *t,
                               const char *name)
{
        kbc_buf b;
        kbc_buf_init(&b, 4096);
        kbc_buf_puts(&b, "\\b");
        wording_regex(&b, t->before);
        kbc_buf_puts(&b, t->after ? "\\s+" : "\\s+(?:\\S+\\s+){0,8}?");
        for (const char *p = name; *p; p++) {
                if (*p == ' ') {
                        kbc_buf_puts(&b, "\\s+");
                        continue;
                }
                if (!isalnum((unsigned char)*p))
                        kbc_buf_putc(&b, '\\');
                kbc_buf_putc(&b, *p);
        }
        if (t->after) {
                /* "The Windows Internet Name Service terminated" is the
                 * service Windows names "Windows Internet Name Service",
                 * "service" and all */
                kbc_buf_puts(&b, isalnum((unsigned char)*t->after)
                                     ? "(?:\\s+service){0,2}\\s+"
                                     : "(?:\\s+service){0,2}\\s*");
                wording_regex(&b, t->after);
        } else {
                kbc_buf_puts(&b, "\\b");
        }
        const char *re = kbc_arena_strndup(a, b.data, b.len);
        kbc_buf_free(&b);
        return re;
}

const char *kbc_kb_scm_popup_body(const char *text)
{
        static const char prefix[] = "Application popup: Service Control "
                                     "Manager :";
        const char *t = text;
        while (isspace((unsigned char)*t))
                t++;
        const char *e = fixed_match(t, prefix);
        if (!e)
                return text;
        while (isspace((unsigned char)*e))
                e++;
        return e;
}

bool kbc_kb_scm_recognize(kbc_arena *a, const char *text, kbc_kb_scm_event *out)
{
        const char *t = kbc_kb_scm_popup_body(text);
        while (*t && (isspace((unsigned char)*t) || strchr("\"'`", *t)))
                t++;
        if (!strncasecmp(t, "Description:", 12))
                t += 12;
        while (isspace((unsigned char)*t))
                t++;
        for (size_t i = 0; i < sizeof(templates) / sizeof(*templates); i++) {
                const scm_template *tp = &templates[i];
                const char *e = fixed_match(t, tp->before);
                if (!e)
                        continue;
                const char *at = e;
                while (isspace((unsigned char)*at))
                        at++;
                const char *name = NULL, *end = at;
                if (tp->after) {
                        if (at == e ||
                            !(end = named_at(a, at, tp->after, &name)))
                                continue;
                } else if (!tp->routine) {
                        name = driver_at(a, at);
                }
                memset(out, 0, sizeof(*out));
                out->event_ids[0] = tp->ids[0];
                out->event_ids[1] = tp->ids[1];
                out->name = tp->routine ? NULL : name;
                if (tp->error) {
                        while (*end && !isalnum((unsigned char)*end))
                                end++;
                        out->error = *end ? end : NULL;
                }
                if (out->name && tp->example) {
                        out->regex = event_regex(a, tp, out->name);
                        const char *s = strstr(tp->example, "%s");
                        out->example = kbc_arena_printf(
                            a, "%.*s%s%s", (int)(s - tp->example), tp->example,
                            out->name, s + 2);
                }
                return true;
        }
        return false;
}
