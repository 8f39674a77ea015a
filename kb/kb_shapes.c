/*
 * kb_shapes.c - what Windows logs for what an article quotes in another
 * form. Many articles of the NT 4.0 and 2000 years show the problem as the
 * administrator met it: a Dr. Watson log excerpt, the Dr. Watson dialog,
 * the output of `net start`. None of these is a log line, but each has a
 * counterpart in the event log whose wording is fixed by Windows:
 *
 *   drwtsn32.log              Application exception occurred:
 *                                 App: exe\snaservr.dbg (pid=150)
 *                                 Exception number: c0000005 (access ...)
 *                             function: DlcGetDlcApiBuffer / FAULT ->...
 *   Dr. Watson dialog         An application error has occurred ...
 *                             Setup.exe
 *                             Exception: access violation (0xc0000005)
 *     -> DrWatson 4097        The application, C:\...\snaservr.exe,
 *                             generated an application error The error
 *                             occurred on DATE The exception generated
 *                             was c0000005 at address ADDR (FUNCTION)
 *     -> Application Error    Faulting application snaservr.exe, ...
 *        1000 (2000 and later)
 *
 *   net start, Services       Could not start the X service on \\SERVER.
 *                             Error 1069: The service did not start ...
 *                             (or: The X service could not be started.
 *                             System error 13 has occurred. The data ...)
 *     -> Service Control      The X service failed to start due to the
 *        Manager 7000, 7023   following error: The service did not ...
 *
 *   a stack back trace        SNASERVR!s1pupcds+0xc8 (its top frame)
 *   or prose                  the access violation occurs in Function1
 *     -> DrWatson 4097        ... at address ADDR (s1pupcds)
 *
 *   a STOP error              STOP 0x0000007B (0xF741B84C, 0xC0000034)
 *     -> Save Dump 1001       The bugcheck was: 0x0000007b (0xf8a3c84c,
 *                             0xc0000034, 0x00000000, 0x00000000)
 *
 *   a quote of the           The OpenSSH SSH Server service terminated
 *   Service Control Manager  unexpectedly.  It has done this 1 time(s).
 *   in other words (kb_scm.c)
 *
 * The program's file name (not its folder or extension: a .dbg in the log
 * is the .exe on disk), the exception code, the faulting function, the
 * service name and the error text are what the article's case has; the
 * rest of the wording is Windows'. The scan reads the article's section
 * texts line by line, so it finds excerpts that the message extractor
 * leaves alone (a log quoted after "For example:").
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kb_generalize.h"
#include "kb_scm.h"
#include "kb_shapes.h"
#include "kbc_buf.h"
#include "kbc_text.h"

#define NAME_MAX_LEN   64  /* bytes of a program or function name */
#define CODE_REACH     4   /* lines from "App:" to its exception number */
#define FAULT_REACH    12  /* lines from "function:" to its FAULT line */
#define FRAME_REACH    4   /* lines from a stack's heading to its top frame */
#define ERROR_REACH    3   /* lines from "Could not start" to its error */
#define START_REACH    5   /* lines from a service's start to net's error */
#define SERVICE_MAX    64  /* bytes of a service's display name */
#define ERROR_TEXT_MAX 200 /* bytes of the error text kept, as for messages */

typedef struct scan {
        kbc_arena *a;
        kbc_kb_shape *out;
        size_t n, max;
        int line;
} scan;

static bool name_char(char c)
{
        return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '$';
}

/* The file name a path ends in, without folders or extension, when it is
 * a plain name: "exe\snaservr.DBG" gives "snaservr". NULL if none. */
static const char *program_name(kbc_arena *a, const char *p, size_t len)
{
        size_t b = 0, e = len;
        for (size_t i = 0; i < len; i++)
                if (p[i] == '\\' || p[i] == '/' || p[i] == ':')
                        b = i + 1;
        for (size_t i = e; i > b; i--)
                if (p[i - 1] == '.') {
                        e = i - 1;
                        break;
                }
        if (e - b < 2 || e - b > NAME_MAX_LEN)
                return NULL;
        for (size_t i = b; i < e; i++)
                if (!name_char(p[i]))
                        return NULL;
        return kbc_arena_strndup(a, p + b, e - b);
}

/* The token at p (up to white space, a comma or a parenthesis). */
static size_t token_len(const char *p, size_t avail)
{
        size_t k = 0;
        while (k < avail && !isspace((unsigned char)p[k]) && p[k] != ',' &&
               p[k] != '(')
                k++;
        return k;
}

/* Eight hex digits at p, as a lower-case code; NULL if not. */
static const char *hex8(kbc_arena *a, const char *p, size_t avail)
{
        if (avail >= 2 && p[0] == '0' && (p[1] | 0x20) == 'x') {
                p += 2;
                avail -= 2;
        }
        if (avail < 8 || (avail > 8 && isxdigit((unsigned char)p[8])))
                return NULL;
        char *code = kbc_arena_alloc(a, 9);
        for (size_t i = 0; i < 8; i++) {
                if (!isxdigit((unsigned char)p[i]))
                        return NULL;
                code[i] = (char)tolower((unsigned char)p[i]);
        }
        code[8] = '\0';
        return code;
}

static void add(scan *sc, kbc_kb_shape sh)
{
        for (size_t i = 0; i < sc->n; i++)
                if (!strcmp(sc->out[i].kind, sh.kind) &&
                    !strcasecmp(sc->out[i].what, sh.what))
                        return;
        if (sc->n >= sc->max)
                return;
        sh.line = sc->line;
        sc->out[sc->n++] = sh;
}

/* A crash of program app, with its exception code when the article gives
 * one: the DrWatson event, and Application Error's of later Windows. */
/* name as a regex: every character that is no letter, digit or '_'
 * escaped ("foo$bar" would otherwise end the pattern at "foo"). */
static const char *regex_literal(kbc_arena *a, const char *name)
{
        char *out = kbc_arena_alloc(a, 2 * strlen(name) + 1), *o = out;
        for (const char *p = name; *p; p++) {
                if (!isalnum((unsigned char)*p) && *p != '_')
                        *o++ = '\\';
                *o++ = *p;
        }
        *o = '\0';
        return out;
}

static void add_crash(scan *sc, const char *app, const char *code)
{
        const char *re_app = regex_literal(sc->a, app);
        kbc_kb_shape d = {.kind = "drwatson",
                          .provider = "DrWatson",
                          .event_ids = {4097, -1}};
        if (code) {
                d.regex = kbc_arena_printf(
                    sc->a,
                    "application,\\s{1,8}+" KBC_PATH_PREFIX
                    "%s\\.(?:exe|dbg|com|dll)\\b[\\s\\S]{0,240}?"
                    "exception generated was (?:0x)?%s\\b",
                    re_app, code);
                d.what = kbc_arena_printf(sc->a, "%s %s", app, code);
        } else {
                d.regex = kbc_arena_printf(
                    sc->a,
                    "application,\\s{1,8}+" KBC_PATH_PREFIX
                    "%s\\.(?:exe|dbg|com|dll),\\s{1,8}+generated an "
                    "application error",
                    re_app);
                d.what = app;
        }
        d.example = kbc_arena_printf(
            sc->a,
            "The application, C:\\Program Files\\%s.exe, "
            "generated an application error The error occurred "
            "on 1/1/2001 @ 00:00:00.000 The exception generated "
            "was %s at address 00000000 (<nosymbols>)",
            app, code ? code : "c0000005");
        add(sc, d);
        kbc_kb_shape e = {.kind = "app-error",
                          .provider = "Application Error",
                          .event_ids = {1000, -1}};
        e.regex = kbc_arena_printf(
            sc->a, "Faulting application " KBC_PATH_PREFIX "%s\\.exe\\b",
            re_app);
        e.what = app;
        e.example =
            kbc_arena_printf(sc->a,
                             "Faulting application %s.exe, version 1.0.0.0, "
                             "faulting module %s.exe, version 1.0.0.0, fault "
                             "address 0x00001000.",
                             app, app);
        add(sc, e);
}

/* Functions of Windows itself, where many programs' crashes land: the
 * fault names no one program's problem. */
static bool system_function(const char *f)
{
        static const char *const prefixes[] = {"Rtl", "Nt", "Zw",  "Ldr", "Dbg",
                                               "Ki",  "Ke", "mem", "str", NULL};
        for (size_t i = 0; prefixes[i]; i++)
                if (!strncmp(f, prefixes[i], strlen(prefixes[i])))
                        return true;
        return false;
}

/* "function: NAME" heading a thread's disassembly that holds the FAULT
 * line: the function the DrWatson event names in parentheses. */
static void add_fault(scan *sc, const char *fn)
{
        kbc_kb_shape f = {
            .kind = "fault", .provider = "DrWatson", .event_ids = {4097, -1}};
        f.regex = kbc_arena_printf(
            sc->a,
            "exception generated was (?:0x)?[0-9a-f]{8} at address "
            "(?:0x)?[0-9a-f]{1,16} \\(%s\\)",
            regex_literal(sc->a, fn));
        f.what = fn;
        f.example = kbc_arena_printf(
            sc->a,
            "The application, C:\\app.exe, generated an "
            "application error The error occurred on 1/1/2001 @ "
            "00:00:00.000 The exception generated was c0000005 "
            "at address 00000000 (%s)",
            fn);
        f.support_only = system_function(fn);
        add(sc, f);
}

/* "Could not start the X service on ..." with its "Error N: TEXT" a line
 * or two below (or on the same kbc_str); service NULL when the article
 * says a service did not start with that error but not by the name the
 * event gives it (net start's "System error 1 has occurred." under "When
 * you start the WINS service", which Windows names "Windows Internet Name
 * Service"): the error alone then tells the article's case. */
static void add_service(scan *sc, const char *service, const char *error)
{
        /* A service's display name is a few words; more is prose that
         * happens to hold "could not start the". */
        size_t words = 1;
        for (const char *p = service ? service : ""; *p; p++)
                words += *p == ' ';
        if ((service && strlen(service) > SERVICE_MAX) || words > 8)
                return;
        const char *svc =
            service ? kbc_kb_generalize(sc->a, service, false) : NULL;
        const char *err = kbc_kb_generalize(sc->a, error, false);
        kbc_kb_shape s = {.kind = "scm",
                          .provider = "Service Control Manager",
                          .event_ids = {7000, 7023}};
        /* "..." spans "failed to start due to" and "terminated with" */
        s.text = kbc_arena_printf(sc->a,
                                  "%s%sservice ... the following "
                                  "error: %s",
                                  svc ? svc : "", svc ? " " : "", err);
        s.what = svc ? kbc_arena_printf(sc->a, "%s %s", service, error)
                     : kbc_arena_printf(sc->a, "service %s", error);
        s.example =
            kbc_arena_printf(sc->a,
                             "The %s service failed to start due to the "
                             "following error: %s",
                             svc ? svc : "Example", err);
        add(sc, s);
}

/* The Win32 message at p, to its first period (cut on a word when
 * longer than ERROR_TEXT_MAX); NULL when too short to be one. */
static const char *message_text(kbc_arena *a, const char *p, size_t avail)
{
        size_t e = 0;
        while (e < avail && p[e] != '.' && e < ERROR_TEXT_MAX)
                e++;
        while (e < avail && e > 0 && p[e] != '.' && p[e - 1] != ' ')
                e--; /* cut on a word */
        return e >= 8 ? kbc_arena_strndup(a, p, e) : NULL;
}

/* The text after "Error N:" (the Win32 message), to its first period. */
static const char *error_text(kbc_arena *a, kbc_str l)
{
        long at = kbc_str_casefind(l, "error ");
        if (at < 0)
                return NULL;
        size_t i = (size_t)at + 6;
        while (i < l.len && isdigit((unsigned char)l.ptr[i]))
                i++;
        if (i == (size_t)at + 6 || i >= l.len || l.ptr[i] != ':')
                return NULL;
        i++;
        while (i < l.len && isspace((unsigned char)l.ptr[i]))
                i++;
        return message_text(a, l.ptr + i, l.len - i);
}

/* net's "System error N has occurred." on line i: the Win32 message
 * after it, on its line or the next one written, or NULL. */
static const char *system_error(kbc_arena *a, const kbc_str *L, size_t i,
                                size_t n)
{
        kbc_str l = L[i];
        long at = kbc_str_casefind(l, "system error ");
        if (at < 0)
                return NULL;
        size_t j = (size_t)at + 13, digits = j;
        while (j < l.len && isdigit((unsigned char)l.ptr[j]))
                j++;
        kbc_str rest = {l.ptr + j, l.len - j};
        if (j == digits || kbc_str_casefind(rest, " has occurred") != 0)
                return NULL;
        j += 13;
        while (j < l.len &&
               (l.ptr[j] == '.' || isspace((unsigned char)l.ptr[j])))
                j++;
        if (j < l.len)
                return message_text(a, l.ptr + j, l.len - j);
        for (size_t k = i + 1; k < n && k <= i + 2; k++)
                if (L[k].len)
                        return message_text(a, L[k].ptr, L[k].len);
        return NULL;
}

/* Is net's error on line i a service's that did not start? net start's
 * own report above it ("The Alerter service could not be started.")
 * names the service (*name); "net start" or prose that starts a service
 * ("When you start the WINS service") say a service's start failed with
 * it, by a name the event need not use (*name NULL). net use's errors
 * (a share, a logon) reach no event. */
static bool service_start(kbc_arena *a, const kbc_str *L, size_t i,
                          const char **name)
{
        *name = NULL;
        for (size_t k = i + 1; k-- > 0 && i - k <= START_REACH;) {
                kbc_str l = L[k];
                long at = kbc_str_casefind(l, " service could not be started");
                if (at > 4 && !strncasecmp(l.ptr, "The ", 4)) {
                        *name = kbc_arena_strndup(a, l.ptr + 4, (size_t)at - 4);
                        return true;
                }
                if (kbc_str_casefind(l, "net start") >= 0)
                        return true;
                long s = kbc_str_casefind(l, "start the ");
                if (s < 0)
                        continue;
                kbc_str after = {l.ptr + s + 10, l.len - (size_t)s - 10};
                if (kbc_str_casefind(after, " service") > 0)
                        return true;
        }
        return false;
}

/* The exception code on a line: "Exception number: c0000005", "The
 * exception generated was c0000005", "Exception: access violation
 * (0xc0000005)". */
static const char *exception_code(kbc_arena *a, kbc_str l)
{
        static const char *const labels[] = {
            "exception number:", "exception generated was", NULL};
        for (size_t i = 0; labels[i]; i++) {
                long c = kbc_str_casefind(l, labels[i]);
                if (c < 0)
                        continue;
                size_t at = (size_t)c + strlen(labels[i]);
                while (at < l.len && isspace((unsigned char)l.ptr[at]))
                        at++;
                return hex8(a, l.ptr + at, l.len - at);
        }
        long c = kbc_str_casefind(l, "exception:"),
             o = kbc_str_casefind(l, "(0x");
        return c >= 0 && o > c ? hex8(a, l.ptr + o + 1, l.len - (size_t)o - 1)
                               : NULL;
}

/* The program a crash report on line i is about: "App: exe\x.dbg",
 * "The application, C:\x.exe, generated", or the Dr. Watson dialog's
 * "Setup.exe" alone on the line above "Exception: ...". */
static const char *crashed_program(kbc_arena *a, const kbc_str *L, size_t i)
{
        long at;
        kbc_str l = L[i];
        /* "App:" starts the line, or follows "Application exception
         * occurred:" on it; elsewhere it is prose. */
        at = kbc_str_casefind(l, "app:");
        long head = kbc_str_casefind(l, "exception occurred:");
        if (at == 0 || (head >= 0 && at == head + 20) ||
            (head >= 0 && at == head + 19)) {
                size_t b = (size_t)at + 4;
                while (b < l.len && isspace((unsigned char)l.ptr[b]))
                        b++;
                return program_name(a, l.ptr + b,
                                    token_len(l.ptr + b, l.len - b));
        }
        if ((at = kbc_str_casefind(l, "the application, ")) >= 0 &&
            kbc_str_casefind(l, "generated an application error") > at) {
                const char *p = l.ptr + at + 17;
                const char *comma = memchr(p, ',', l.len - (size_t)at - 17);
                return comma ? program_name(a, p, (size_t)(comma - p)) : NULL;
        }
        if (kbc_str_casefind(l, "exception:") < 0)
                return NULL;
        /* the line above, skipping at most two blank ones */
        size_t k = i;
        while (k > 0 && i - k < 2 && !L[k - 1].len)
                k--;
        if (k > 0 && L[k - 1].len &&
            L[k - 1].len == token_len(L[k - 1].ptr, L[k - 1].len))
                return program_name(a, L[k - 1].ptr, L[k - 1].len);
        return NULL;
}

/* The length of the function name at p. A C++ member keeps its class:
 * DrWatson's event names "(CNotifyQTarget::PutTailItem)", and the class
 * alone is in no event. */
static size_t function_len(const char *p, size_t avail)
{
        size_t len = 0;
        for (;;) {
                while (len < avail && name_char(p[len]))
                        len++;
                if (len + 2 < avail && p[len] == ':' && p[len + 1] == ':' &&
                    name_char(p[len + 2]))
                        len += 2;
                else
                        return len;
        }
}

/* The function of a stack frame "module!function+0x1c" on a line, or
 * NULL. */
static const char *frame_function(kbc_arena *a, kbc_str l)
{
        for (size_t i = 1; i + 1 < l.len; i++) {
                if (l.ptr[i] != '!' || !name_char(l.ptr[i - 1]))
                        continue;
                size_t len = function_len(l.ptr + i + 1, l.len - i - 1);
                return len >= 3 && len <= NAME_MAX_LEN
                           ? kbc_arena_strndup(a, l.ptr + i + 1, len)
                           : NULL;
        }
        return NULL;
}

/* The top frame of a stack back trace (the heading of Dr. Watson's, or of
 * a debugger's: "FramePtr RetAddr ...", "ChildEBP RetAddr ...") on line
 * i: the function the fault is in, which the DrWatson event names. */
static const char *top_frame(kbc_arena *a, const kbc_str *L, size_t i, size_t n)
{
        if (kbc_str_casefind(L[i], "stack back trace") < 0 &&
            kbc_str_casefind(L[i], "frameptr ") < 0 &&
            kbc_str_casefind(L[i], "childebp ") < 0)
                return NULL;
        for (size_t k = i + 1; k < n && k <= i + FRAME_REACH; k++) {
                const char *fn = frame_function(a, L[k]);
                if (fn)
                        return fn;
        }
        return NULL;
}

/* Skips word w and the space after it at *i, when it is there. */
static bool skip_word(kbc_str l, size_t *i, const char *w)
{
        size_t n = strlen(w);
        if (*i + n >= l.len || strncasecmp(l.ptr + *i, w, n) ||
            l.ptr[*i + n] != ' ')
                return false;
        *i += n + 1;
        return true;
}

/* Lower-case letters followed by a capital, in name: "GetUserAccounts"
 * has two such humps. */
static int camel_humps(const char *name, size_t len)
{
        int humps = 0;
        for (size_t i = 1; i < len; i++)
                humps += islower((unsigned char)name[i - 1]) &&
                         isupper((unsigned char)name[i]);
        return humps;
}

/* Where prose names the site of a crash: "The access violation occurs in
 * NAME", "AV in NAME", "an exception occurred in the function NAME". The
 * name (a function's, or a module's before its extension), empty when
 * there is none; *said tells whether "function" stood before it. */
static kbc_str crash_site(kbc_str l, bool *said)
{
        static const char *const crashes[] = {"access violation ", "av ",
                                              "exception ", NULL};
        for (size_t k = 0; crashes[k]; k++) {
                long at = kbc_str_casefind(l, crashes[k]);
                if (at < 0 || (at > 0 && name_char(l.ptr[at - 1])))
                        continue;
                size_t i = (size_t)at + strlen(crashes[k]);
                if (!skip_word(l, &i, "occurs"))
                        skip_word(l, &i, "occurred");
                if (!skip_word(l, &i, "in"))
                        continue;
                skip_word(l, &i, "the");
                *said = skip_word(l, &i, "function");
                return (kbc_str){l.ptr + i, function_len(l.ptr + i, l.len - i)};
        }
        return (kbc_str){l.ptr, 0};
}

/* The function a crash is in, where prose names it (crash_site): a name
 * is a function where "()" or "function" says so or where words run
 * together in camel case (two humps; programs and modules, "Snaservr",
 * "SnaBase", "Lsass.exe", are not written so). NULL if none. */
static const char *prose_fault(kbc_arena *a, kbc_str l)
{
        bool said = false;
        kbc_str name = crash_site(l, &said);
        const char *end = name.ptr + name.len, *stop = l.ptr + l.len;
        bool parens = stop - end > 1 && end[0] == '(' && end[1] == ')';
        bool module =
            stop - end > 1 && end[0] == '.' && isalpha((unsigned char)end[1]);
        if (name.len >= 3 && name.len <= NAME_MAX_LEN && !module &&
            (said || parens || camel_humps(name.ptr, name.len) >= 2))
                return kbc_arena_strndup(a, name.ptr, name.len);
        return NULL;
}

/* The DLL a crash is in, where prose names it ("AV in RepODBC.dll"), or
 * NULL. */
static const char *prose_module(kbc_arena *a, kbc_str l)
{
        bool said = false;
        kbc_str name = crash_site(l, &said);
        const char *end = name.ptr + name.len, *stop = l.ptr + l.len;
        if (name.len < 2 || name.len > NAME_MAX_LEN || stop - end < 4 ||
            strncasecmp(end, ".dll", 4) ||
            (stop - end > 4 && name_char(end[4])))
                return NULL;
        return kbc_arena_strndup(a, name.ptr, name.len + 4);
}

/* DLLs of Windows itself, where many programs' crashes land: the module
 * names no one program's problem. */
static bool system_module(const char *dll)
{
        static const char *const modules[] = {
            "ntdll",    "kernel32", "kernelbase", "user32",
            "gdi32",    "advapi32", "rpcrt4",     "ole32",
            "oleaut32", "combase",  "msvcrt",     "ucrtbase",
            "shell32",  "comctl32", "ws2_32",     NULL};
        size_t len = strlen(dll) - 4; /* without ".dll" */
        for (size_t i = 0; modules[i]; i++)
                if (strlen(modules[i]) == len &&
                    !strncasecmp(dll, modules[i], len))
                        return true;
        return false;
}

/* A crash in a DLL: Application Error's event names it as the faulting
 * module, whichever program loaded it. */
static void add_module(scan *sc, const char *dll)
{
        kbc_kb_shape m = {.kind = "module",
                          .provider = "Application Error",
                          .event_ids = {1000, -1}};
        m.regex =
            kbc_arena_printf(sc->a, "faulting module " KBC_PATH_PREFIX "%s\\b",
                             regex_literal(sc->a, dll));
        m.what = dll;
        m.example = kbc_arena_printf(
            sc->a,
            "Faulting application app.exe, version 1.0.0.0, faulting module "
            "%s, version 1.0.0.0, fault address 0x00001000.",
            dll);
        m.support_only = system_module(dll);
        add(sc, m);
}

/* A crash's function or module where a line of prose names it. */
static void scan_prose_crash(scan *sc, kbc_str l)
{
        const char *site;
        if ((site = prose_fault(sc->a, l)))
                add_fault(sc, site);
        else if ((site = prose_module(sc->a, l)))
                add_module(sc, site);
}

/* "function: NAME" heading a thread's disassembly that holds the FAULT
 * line, before the next function: the faulting function, or NULL. */
static const char *faulting_function(kbc_arena *a, const kbc_str *L, size_t i,
                                     size_t n)
{
        long at = kbc_str_casefind(L[i], "function: ");
        if (at < 0)
                return NULL;
        const char *p = L[i].ptr + at + 10;
        size_t len = function_len(p, L[i].len - (size_t)at - 10);
        for (size_t k = i + 1; k < n && k <= i + FAULT_REACH; k++) {
                if (kbc_str_casefind(L[k], "function: ") >= 0)
                        break;
                if (kbc_str_casefind(L[k], "FAULT ->") >= 0 && len >= 3 &&
                    len <= NAME_MAX_LEN)
                        return kbc_arena_strndup(a, p, len);
        }
        return NULL;
}

/* A STOP error's bugcheck as Save Dump 1001 logs it after the reboot ("The
 * bugcheck was: 0x0000007b (0xf741b84c, 0xc0000034, ...)"): the code and
 * the first parameter that is a status of the system (0xC000xxxx), which
 * says what failed where the other parameters are addresses. A STOP
 * shown as a status ("STOP: c0000143 {Missing System File}") is a hard
 * error, logged as that code or as 0x4C with the status first. */
static void add_bugcheck(scan *sc, uint32_t code, uint32_t status)
{
        kbc_kb_shape b = {.kind = "bugcheck",
                          .provider = "Save Dump",
                          .event_ids = {1001, -1}};
        const char *hard = code >= 0xC0000000u ? "(?:0x0000004c \\()?" : "";
        if (status) {
                b.regex = kbc_arena_printf(
                    sc->a, "bugcheck was: %s0x%08x \\([^)]{0,60}?\\b0x%08x\\b",
                    hard, code, status);
                b.what = kbc_arena_printf(sc->a, "%08x %08x", code, status);
        } else {
                b.regex = kbc_arena_printf(sc->a, "bugcheck was: %s0x%08x\\b",
                                           hard, code);
                b.what = kbc_arena_printf(sc->a, "%08x", code);
        }
        b.example = kbc_arena_printf(
            sc->a,
            "The computer has rebooted from a bugcheck.  The bugcheck was: "
            "0x%08x (0x%08x, 0x00000000, 0x00000000, 0x00000000). A dump "
            "was saved in: C:\\WINNT\\MEMORY.DMP.",
            code, status);
        add(sc, b);
}

/* The hex number at p ("0x1E", "0000001E", "c0000221"): its value and
 * length, 0 when none. Without 0x it has all 8 digits and one of them
 * a decimal digit (a word of letters is no code). */
static size_t hex_number(const char *p, size_t avail, uint32_t *v)
{
        bool ox = avail > 2 && p[0] == '0' && (p[1] | 0x20) == 'x';
        size_t b = ox ? 2 : 0, e = b;
        bool digit = false;
        *v = 0;
        while (e < avail && e - b <= 8 && isxdigit((unsigned char)p[e])) {
                digit |= isdigit((unsigned char)p[e]) != 0;
                *v = *v << 4 | (uint32_t)(isdigit((unsigned char)p[e])
                                              ? p[e] - '0'
                                              : (p[e] | 0x20) - 'a' + 10);
                e++;
        }
        if (e == b || e - b > 8 || (e < avail && name_char(p[e])))
                return 0;
        return ox || (e - b == 8 && digit) ? e : 0;
}

/* The first status of the system (0xC000xxxx) among a STOP's parameters
 * in parentheses at p, or 0. */
static uint32_t status_parameter(const char *p, size_t avail)
{
        size_t i = 0;
        while (i < avail && (isspace((unsigned char)p[i]) || p[i] == ':'))
                i++;
        if (i >= avail || p[i] != '(')
                return 0;
        for (i++; i < avail && p[i] != ')'; i++) {
                uint32_t v;
                size_t len =
                    isxdigit((unsigned char)p[i]) && !name_char(p[i - 1])
                        ? hex_number(p + i, avail - i, &v)
                        : 0;
                if (len && v >> 16 == 0xC000u)
                        return v;
                i += len ? len - 1 : 0;
        }
        return 0;
}

/* "Q146054 Stop 0xC0000263 When Upgrading ...": another article's title,
 * where a line starts with its id (the references of an article). */
static bool article_reference(kbc_str l)
{
        size_t d = 1;
        while (d < l.len && isdigit((unsigned char)l.ptr[d]))
                d++;
        return l.len && l.ptr[0] == 'Q' && d >= 6 && d <= 8;
}

/* "STOP 0x0000007B (...)", "*** STOP: 0xC000021A", "Stop c0000221" on a
 * line. */
static void scan_stop(scan *sc, kbc_str l)
{
        if (article_reference(l))
                return;
        for (size_t i = 0; i + 4 < l.len; i++) {
                if ((i > 0 && name_char(l.ptr[i - 1])) ||
                    strncmp(l.ptr + i, l.ptr[i + 1] == 'T' ? "STOP" : "Stop",
                            4) ||
                    name_char(l.ptr[i + 4]))
                        continue;
                size_t j = i + 4;
                while (j < l.len &&
                       (isspace((unsigned char)l.ptr[j]) || l.ptr[j] == ':'))
                        j++;
                uint32_t code;
                size_t len = hex_number(l.ptr + j, l.len - j, &code);
                if (!len || !code)
                        continue;
                j += len;
                add_bugcheck(sc, code, status_parameter(l.ptr + j, l.len - j));
        }
}

static void add_scm_event(scan *sc, const char *text, int line);

/* A driver whose imports Windows could not resolve (the hard error of a
 * STOP 0xC0000263 or the Driver Entry Point Not Found popup: "The
 * \SystemRoot\System32\drivers\Sysmgmt.sys device driver could not
 * locate the entry point ... in driver hal.dll.") does not load: once the
 * system starts without it, the Service Control Manager's 7026 lists it. */
static void scan_driver_entry(scan *sc, kbc_str l)
{
        long at = kbc_str_casefind(l, " device driver could not locate");
        if (at <= 0)
                return;
        size_t b = (size_t)at;
        while (b > 0 && !isspace((unsigned char)l.ptr[b - 1]))
                b--;
        const char *drv = program_name(sc->a, l.ptr + b, (size_t)at - b);
        if (drv)
                add_scm_event(sc,
                              kbc_arena_printf(sc->a,
                                               "The following boot-start or "
                                               "system-start driver(s) failed "
                                               "to load: %s",
                                               drv),
                              sc->line);
}

static void scan_lines(scan *sc, const kbc_str *L, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                const char *app = crashed_program(sc->a, L, i), *fn;
                if (app) {
                        const char *code = NULL;
                        for (size_t k = i;
                             k < n && k <= i + CODE_REACH && !code; k++)
                                code = exception_code(sc->a, L[k]);
                        add_crash(sc, app, code);
                }
                if ((fn = faulting_function(sc->a, L, i, n)) ||
                    (fn = top_frame(sc->a, L, i, n)))
                        add_fault(sc, fn);
                else
                        scan_prose_crash(sc, L[i]);
                scan_stop(sc, L[i]);
                scan_driver_entry(sc, L[i]);
                const char *net = system_error(sc->a, L, i, n), *svc;
                if (net && service_start(sc->a, L, i, &svc))
                        add_service(sc, svc, net);
                long at = kbc_str_casefind(L[i], "could not start the ");
                if (at < 0)
                        continue;
                kbc_str rest = {L[i].ptr + at + 20, L[i].len - (size_t)at - 20};
                long on = kbc_str_casefind(rest, " service");
                const char *err = NULL;
                for (size_t k = i; k < n && k <= i + ERROR_REACH && !err; k++)
                        err = error_text(sc->a, L[k]);
                if (on > 0 && err)
                        add_service(
                            sc, kbc_arena_strndup(sc->a, rest.ptr, (size_t)on),
                            err);
        }
}

/* The Service Control Manager's event for a quote of it that names a
 * service or driver (kb_scm.h), at the quote's line. */
static void add_scm_event(scan *sc, const char *text, int line)
{
        kbc_kb_scm_event ev;
        if (!kbc_kb_scm_recognize(sc->a, text, &ev) || !ev.regex)
                return;
        kbc_kb_shape s = {.kind = "scm-event",
                          .provider = "Service Control Manager",
                          .event_ids = {ev.event_ids[0], ev.event_ids[1]},
                          .regex = ev.regex,
                          .example = ev.example};
        s.what = kbc_arena_printf(sc->a, "%ld %s", ev.event_ids[0], ev.name);
        sc->line = line;
        add(sc, s);
}

/* The article's quotes and event descriptions in the Service Control
 * Manager's words; and 7026's driver list, which articles set apart from
 * its first line (a blank line, deeper indentation) so that the quote
 * the parser took ends before the driver it names. */
static void scan_scm(scan *sc, const kbc_kb_article *art)
{
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *s = &art->signals[i];
                if (s->text && s->kind != KBC_KB_CODE &&
                    (!s->source ||
                     !strcasecmp(s->source, "Service Control Manager")))
                        add_scm_event(sc, s->text, s->line);
        }
        for (size_t i = 0; i < art->nsections; i++) {
                kbc_str t = kbc_str_cstr(art->sections[i].text);
                long at;
                while ((at = kbc_str_casefind(t, "The following boot-start")) >=
                       0) {
                        add_scm_event(sc, t.ptr + at, art->sections[i].line);
                        t.ptr += at + 1;
                        t.len -= (size_t)at + 1;
                }
        }
}

size_t kbc_kb_shapes(kbc_arena *a, const kbc_kb_article *art, kbc_kb_shape *out,
                     size_t max)
{
        scan sc = {a, out, 0, max, 0};
        scan_scm(&sc, art);
        if (art->title) /* "FIX: AV in RepODBC.dll When You Try to ..." */
                scan_prose_crash(&sc, kbc_str_cstr(art->title));
        for (size_t s = 0; s < art->nsections; s++) {
                const char *t = art->sections[s].text;
                size_t nl = 1;
                for (const char *p = t; *p; p++)
                        nl += *p == '\n';
                kbc_str *L = kbc_arena_alloc(a, nl * sizeof(*L));
                size_t n = 0;
                for (const char *p = t; p;) {
                        const char *e = strchr(p, '\n');
                        size_t len = e ? (size_t)(e - p) : strlen(p), b = 0;
                        while (b < len && isspace((unsigned char)p[b]))
                                b++; /* quotes are indented */
                        L[n++] = (kbc_str){p + b, len - b};
                        p = e ? e + 1 : NULL;
                }
                sc.line = art->sections[s].line;
                scan_lines(&sc, L, n);
        }
        return sc.n;
}
