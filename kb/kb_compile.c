/*
 * kb_compile.c - writes the rule file for a parsed KB article.
 *
 * Each article signal becomes one rule signal:
 *
 *   event id + source + description   provider, event_id, text   weight 3
 *   event id + source                 provider, event_id         weight 2
 *   event id + description            event_id, text             weight 2
 *   event id alone                    (dropped: "event 1" is every Sysmon
 *                                     process start, every boot, ...)
 *   quoted message                    text                       weight 2
 *   error code                        message: \b(0x)?CODE\b     weight 2
 *
 * and is a symptom (may open a case) only when it is specific: a message
 * of at least four words, a (source, id) pair that is not one of Windows'
 * routine events, and in every case shared by at most SHARED_MAX articles
 * of the corpus (counted in pass 1). Anything else supports a diagnosis at
 * weight 1 but never raises an incident alone: a bare "Access is denied"
 * or a lone 7036 would fire on every healthy server. An article left with
 * no symptom is skipped, counted by reason.
 *
 * Messages are cut to their first sentence (at most MESSAGE_MAX bytes):
 * rendered events rarely repeat a long dialog text word for word, and the
 * first sentence is what tells the articles apart. Each rule gets a test
 * made of one event per signal, expecting the article at the top.
 *
 * YAML is written by hand with a fixed layout so that the output is
 * stable: double-quoted scalars with escapes for one-line values (bytes
 * that are not UTF-8 are read as Latin-1, as the corpus is), literal
 * blocks for cause and resolution so that a reviewer sees the paragraphs.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kb_generalize.h"
#include "kb_scm.h"
#include "kb_shapes.h"
#include "kbc_compile.h"
#include "kbc_code.h"
#include "kbc_hash.h"
#include "kbc_str.h"
#include "kbc_text.h"

#define SHARED_MAX       5    /* articles a symptom may share */
#define MESSAGE_MAX      200  /* bytes of a message kept in a pattern */
#define HEAD_WORDS       4    /* words a message's first sentence needs */
#define SPECIFIC_WORDS   3    /* content words a symptom message needs */
#define SECTION_MAX      4000 /* bytes of cause/resolution kept */
#define MAX_RULE_SIGNALS 32
/* The event logs of Windows NT and 2000, which the corpus (to 2002)
 * describes; the Applications and Services channels came with Vista. */
#define CLASSIC_CHANNELS                                                       \
        "[Application, System, Security, Directory Service, DNS Server, "      \
        "File Replication Service]"
/* And those of Windows Server 2008 and later that the Learn articles'
 * events are logged in (Applications and Services logs of the roles). */
#define MODERN_CHANNELS                                                        \
        "[Application, System, Security, Directory Service, DNS Server, "      \
        "DFS Replication, File Replication Service, Key Management Service, "  \
        "Active Directory Web Services]"
#define SUPPORT_WORDS 2 /* content words a supporting one needs */
/* Articles a supporting signal may share. Support never opens a case, so
 * a phrase of a few dozen articles costs only matching time, and within a
 * case it tells the article that also explains the crash beside the
 * symptom (a 686 event with SNASERVR's Dr. Watson record) from one that
 * quotes the symptom alone. */
#define SUPPORT_SHARED_MAX 50
#define SHARED_TOO_WIDE    "shared by more than 50 articles"
/* The error a Learn article's title names ("Error 0xC004F074 when you
 * activate Windows", "AD Replication error 8333"), in an event: it names
 * the article more surely than an event with its words, which the
 * articles about the other errors of that event quote too. */
#define TITLED_CODE_WEIGHT 4
#define PREFIX_WORDS       40 /* leading words of a quote counted */

/* Routine events of a healthy Windows server: as evidence they help, as a
 * trigger they would fire all day. */
static const struct {
        const char *source;
        long id;
} routine_events[] = {
    {"service control manager", 7035},
    {"service control manager", 7036},
    {"service control manager", 7040},
    {"eventlog", 6005},
    {"eventlog", 6006},
    {"eventlog", 6009},
    {"eventlog", 6013},
    {"security", 528},
    {"security", 538},
    {"security", 540},
    {"security", 576},
    {"security", 4624},
    {"security", 4634},
    {"security", 4672},
    {"userenv", 1517},
    {"microsoft-windows-user profiles service", 1517},
    {"winlogon", 7001},
    {"winlogon", 7002},
};

/* Messages that name no particular problem (compared without case and
 * punctuation); corpus counts catch most, these are common in logs even
 * where the corpus is quiet. */
static const char *const routine_messages[] = {
    "the operation completed successfully",
    "the service entered the running state",
    "the service entered the stopped state",
    "the command completed successfully",
    /* ERROR_SERVICE_REQUEST_TIMEOUT, in every slow boot's 7000 and 7009 */
    ("the service did not respond to the start or control request in a "
     "timely fashion"),
    /* Save Dump's template without the code it reports */
    "the computer has rebooted from a bugcheck",
};

struct kbc_compiler {
        uint64_t *keys; /* open addressing; 0 = empty */
        uint32_t *counts;
        size_t nslots, used;
};

typedef struct rule_signal {
        char id[64];
        bool symptom;
        int weight;
        const char *provider;  /* NULL = any */
        const char *provider2; /* another name of it, or NULL */
        const char *channel;   /* of an event without provider, or NULL */
        long event_id;         /* -1 = any */
        long event_id2;        /* a second id it may have, or -1 */
        const char *text;      /* for text: */
        const char *regex;     /* for message: (codes, shapes), or NULL */
        const char *example;   /* message of its test event */
        bool problem_level;    /* only on events reporting a problem */
        const char *support;   /* why it is no symptom, for --explain */
} rule_signal;

const char *kbc_compile_outcome_name(kbc_compile_outcome o)
{
        static const char *const names[KBC_COMPILE__COUNT] = {
            [KBC_COMPILED] = "compiled",
            [KBC_SKIP_NO_SIGNAL] = "no log signal",
            [KBC_SKIP_ONLY_GENERIC] = "only generic signals",
        };
        return (unsigned)o < KBC_COMPILE__COUNT ? names[o] : "unknown";
}

/* ---- corpus counts --------------------------------------------------- */

kbc_compiler *kbc_compiler_new(void)
{
        kbc_compiler *c = calloc(1, sizeof(*c));
        if (!c)
                return NULL;
        c->nslots = 1 << 16;
        c->keys = calloc(c->nslots, sizeof(*c->keys));
        c->counts = calloc(c->nslots, sizeof(*c->counts));
        if (!c->keys || !c->counts) {
                kbc_compiler_free(c);
                return NULL;
        }
        return c;
}

void kbc_compiler_free(kbc_compiler *c)
{
        if (!c)
                return;
        free(c->keys);
        free(c->counts);
        free(c);
}

static size_t slot_of(const kbc_compiler *c, uint64_t key)
{
        size_t i = key & (c->nslots - 1);
        while (c->keys[i] && c->keys[i] != key)
                i = (i + 1) & (c->nslots - 1);
        return i;
}

static void grow(kbc_compiler *c)
{
        kbc_compiler big = {calloc(c->nslots * 2, sizeof(uint64_t)),
                            calloc(c->nslots * 2, sizeof(uint32_t)),
                            c->nslots * 2, c->used};
        if (!big.keys || !big.counts) {
                free(big.keys);
                free(big.counts);
                return; /* stays correct, just fuller */
        }
        for (size_t i = 0; i < c->nslots; i++) {
                if (!c->keys[i])
                        continue;
                size_t j = slot_of(&big, c->keys[i]);
                big.keys[j] = c->keys[i];
                big.counts[j] = c->counts[i];
        }
        free(c->keys);
        free(c->counts);
        *c = big;
}

static uint32_t count_of(const kbc_compiler *c, uint64_t key)
{
        size_t i = slot_of(c, key);
        return c->keys[i] ? c->counts[i] : 0;
}

/* ---- text helpers ---------------------------------------------------- */

static bool is_alnum(unsigned char ch)
{
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
               (ch >= '0' && ch <= '9') || ch >= 0x80;
}

/* Hash of the words of s, lower case, punctuation and spacing ignored:
 * the same message quoted two ways is one key. */
static uint64_t words_key(uint64_t h, const char *s)
{
        bool gap = false;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (!is_alnum(*p)) {
                        gap = true;
                        continue;
                }
                if (gap)
                        h = kbc_fnv64(h, " ", 1);
                gap = false;
                h = kbc_fnv64_lower(h, p, 1);
        }
        return h ? h : 1;
}

static bool words_equal(const char *s, const char *plain)
{
        return words_key(KBC_FNV64_INIT, s) == words_key(KBC_FNV64_INIT, plain);
}

/* Where the sentence that starts at or after from ends: after the first
 * ". " that closes at least HEAD_WORDS words; the end of the text if
 * none does. */
static size_t sentence_end(kbc_arena *a, const char *text, size_t from)
{
        size_t n = strlen(text);
        for (size_t i = from; i + 1 < n; i++) {
                if (text[i] != '.' || text[i + 1] != ' ')
                        continue;
                char *part = kbc_arena_strndup(a, text + from, i + 1 - from);
                if (kbc_text_literal_words(part) >= HEAD_WORDS)
                        return i + 1;
        }
        return n;
}

/* The first hex code in text[0..len) that generalizing kept (a status or
 * STOP code: "0x0000003f", "0xC0000221"), or NULL. */
static const char *find_code(const char *text, size_t len)
{
        for (size_t i = 0; i + 2 < len; i++)
                if (text[i] == '0' && (text[i + 1] | 0x20) == 'x' &&
                    isxdigit((unsigned char)text[i + 2]) &&
                    (i == 0 || !is_alnum((unsigned char)text[i - 1])))
                        return text + i;
        return NULL;
}

/* Is there an example value at i, as kb_generalize.c marks it? The
 * article's own placeholders ("<service name>", "%1") are not: the author
 * abstracted them, and what follows is meant to be matched. */
static bool example_value_at(const char *text, size_t i)
{
        return !strncmp(text + i, KBC_KB_VALUE, strlen(KBC_KB_VALUE));
}

/* Is text[i..end) nothing but the article's own placeholders and the
 * punctuation between them ("<'Path to Office'>; <'Path to System'>.")?
 * Such a tail only asks for "something": a real event has its own paths
 * there, with its own separators, which the pattern could not foresee. */
static bool placeholder_tail(const char *text, size_t i, size_t end)
{
        if (text[i] != '<')
                return false;
        while (i < end) {
                if (text[i] == '<') {
                        const char *gt = memchr(text + i, '>', end - i);
                        if (!gt)
                                return false;
                        i = (size_t)(gt - text) + 1;
                } else if (is_alnum((unsigned char)text[i]))
                        return false;
                else
                        i++;
        }
        return true;
}

/* Would the text up to end make a pattern on its own: enough words, and
 * enough of them that tell something? */
static bool head_enough(kbc_arena *a, const char *text, size_t end)
{
        char *head = kbc_arena_strndup(a, text, end);
        return kbc_text_literal_words(head) >= HEAD_WORDS &&
               kbc_text_content_words(head) >= SPECIFIC_WORDS;
}

/* Where the word that an example value at i is glued to starts: "from the
 * server host/<value>" is one name, an SPN, and Windows logs another
 * service class or none there ("from the server iisnode03$"), as it
 * logs another domain before "DOMAIN\<value>". A word with a value in it
 * is a value too. i itself when nothing is glued to it or the words
 * before the word would not make a pattern on their own. */
static size_t glued_start(kbc_arena *a, const char *text, size_t i)
{
        size_t w = i;
        while (w > 0 && text[w - 1] != ' ' && !strchr("(['\"", text[w - 1]))
                w--;
        return w < i && head_enough(a, text, w) ? w : i;
}

/* What a pattern keeps of a message: its first sentence with at least
 * HEAD_WORDS words, and no further than the first example value (or a
 * tail of the article's placeholders alone) once the words before it are
 * specific on their own. Past a value a message tends to vary (the tail
 * names the other machine's object, the nested error it got), while the
 * wording up to it is the program's fixed text.
 * Cut at MESSAGE_MAX bytes on a word boundary. */
static const char *message_head(kbc_arena *a, const char *text)
{
        /* Nothing past twice the kept length can end up in the head; the
         * scans below copy and count prefixes, so they look no further. */
        size_t n = strlen(text);
        if (n > 2 * MESSAGE_MAX)
                text = kbc_arena_strndup(a, text, n = 2 * MESSAGE_MAX);
        size_t end = sentence_end(a, text, 0);
        /* "The computer has rebooted from a bugcheck. The bugcheck was:
         * 0x0000003f (...)": when the first sentence is the event's
         * template and the code it reports comes next, the next sentence
         * is what tells one article's case from another's. */
        if (end < n && !find_code(text, end) &&
            find_code(text, sentence_end(a, text, end)))
                end = sentence_end(a, text, end);
        for (size_t i = 1; i < end; i++) {
                if (!(example_value_at(text, i) ||
                      placeholder_tail(text, i, end)) ||
                    !head_enough(a, text, i))
                        continue;
                i = glued_start(a, text, i);
                while (i > 0 && strchr(" :=,(['\"", text[i - 1]))
                        i--;
                end = i;
                break;
        }
        if (end > MESSAGE_MAX) {
                size_t cut = MESSAGE_MAX;
                while (cut > 0 && text[cut] != ' ')
                        cut--;
                end = cut ? cut : MESSAGE_MAX;
        }
        return kbc_arena_strndup(a, text, end);
}

static void slug(char *out, size_t size, const char *prefix, const char *s,
                 size_t max_words)
{
        size_t o = (size_t)snprintf(out, size, "%s", prefix), words = 0;
        bool gap = true;
        for (const unsigned char *p = (const unsigned char *)s;
             *p && o + 2 < size; p++) {
                bool word = (*p >= 'a' && *p <= 'z') ||
                            (*p >= 'A' && *p <= 'Z') ||
                            (*p >= '0' && *p <= '9');
                if (!word) {
                        gap = true;
                        continue;
                }
                if (gap) {
                        if (words++ == max_words)
                                break;
                        if (o > strlen(prefix))
                                out[o++] = '-';
                }
                gap = false;
                out[o++] = (char)kbc_ascii_lower((char)*p);
        }
        out[o] = '\0';
}

/* ---- article signals to rule signals --------------------------------- */

static bool routine_event(const char *source, long id)
{
        for (size_t i = 0; i < sizeof(routine_events) / sizeof(*routine_events);
             i++)
                if (routine_events[i].id == id &&
                    kbc_str_caseeq(kbc_str_cstr(source),
                                   kbc_str_cstr(routine_events[i].source)))
                        return true;
        return false;
}

/* The next word of a text that kbc_text_example has written (its
 * placeholders are "X1"; "0xX1", from 0xXXXXXXXX, is "X1" too) after *p,
 * moving *p past it: its start and *len, or NULL at the end. */
static const unsigned char *next_word(const unsigned char **p, size_t *len)
{
        const unsigned char *w = *p;
        while (*w && !is_alnum(*w))
                w++;
        const unsigned char *e = w;
        while (is_alnum(*e))
                e++;
        *p = e;
        if (e - w == 4 && !strncasecmp((const char *)w, "0xx1", 4))
                w += 2;
        *len = (size_t)(e - w);
        return *len ? w : NULL;
}

/* The words of Windows' own crash and loader dialogs and of its STOP
 * error record, whatever program or driver they are about: "The instruction at
 * X referenced memory at Y. The memory could not be read", "The procedure entry
 * point X could not be located in the dynamic link library Y", "X caused an
 * invalid page fault in module Y". A quote made of nothing else (and
 * placeholders) names the template, not a problem; its names (crypt32.dll,
 * _adjust_fdiv) are what do. */
static bool template_word(const unsigned char *w, size_t len)
{
        static const char *const words[] = {"instruction", "referenced",
                                            "memory",      "read",
                                            "written",     "procedure",
                                            "entry",       "point",
                                            "located",     "locate",
                                            "dynamic",     "link",
                                            "library",     "initialization",
                                            "initialize",  "properly",
                                            "application", "terminate",
                                            "terminating", "abnormally",
                                            "click",       "ok",
                                            "cancel",      "debug",
                                            "process",     "program",
                                            "illegal",     "operation",
                                            "performed",   "shut",
                                            "down",        "found",
                                            "specified",   "path",
                                            "component",   "exception",
                                            "unknown",     "software",
                                            "location",    "address",
                                            "caused",      "invalid",
                                            "page",        "fault",
                                            "module",      "general",
                                            "protection",  "dll",
                                            "exe",         "computer",
                                            "rebooted",    "bugcheck",
                                            "dump",        "saved",
                                            "stop",        NULL};
        for (size_t i = 0; words[i]; i++)
                if (strlen(words[i]) == len &&
                    !strncasecmp((const char *)w, words[i], len))
                        return true;
        return false;
}

static bool template_only(kbc_arena *a, const char *text)
{
        const unsigned char *p = (const unsigned char *)kbc_text_example(a,
                                                                         text),
                            *w;
        size_t len;
        while ((w = next_word(&p, &len))) {
                if (len == 2 && !strncasecmp((const char *)w, "x1", 2))
                        continue; /* a placeholder */
                if (!template_word(w, len) &&
                    kbc_text_content_words(
                        kbc_arena_strndup(a, (const char *)w, len)))
                        return false;
        }
        return true;
}

/* A Service Control Manager message that names no service or driver
 * ("The %1 service terminated unexpectedly", a 7026 cut before its
 * driver) and no error of its own, or one a healthy server logs: every
 * service's event. "The <service> service failed to start due to the
 * following error: An instance of the service is already running." still
 * says which problem. */
static bool scm_generic(kbc_arena *a, const char *text)
{
        kbc_kb_scm_event ev;
        return kbc_kb_scm_recognize(a, text, &ev) && !ev.regex &&
               !(ev.error && kbc_text_content_words(ev.error) >= 2);
}

static bool routine_message(kbc_arena *a, const char *text)
{
        bool routine = template_only(a, text) || scm_generic(a, text);
        for (size_t i = 0; !routine && i < sizeof(routine_messages) /
                                               sizeof(*routine_messages);
             i++)
                routine = words_equal(text, routine_messages[i]);
        return routine;
}

/* "Netlogon Event 3051, with an invalid registry entry.": the article's
 * sentence goes on about the event in lower case after a comma. A
 * description set off by a comma starts with a capital or a number
 * ("Event 650, SNA Server, Warning, ConnectNmPipe returned ..."). */
static bool prose_after_event(const char *text)
{
        if (!text || (text[0] != ',' && text[0] != ';'))
                return false;
        while (*++text == ' ')
                ;
        return *text >= 'a' && *text <= 'z';
}

/* The message a signal quotes. "Source: X Thread ID: 354 Description:
 * ...": the description is the message; the labels before it are other
 * fields of the event. NULL if none. */
static const char *quoted_text(const kbc_kb_signal *s)
{
        const char *d = s->text ? strstr(s->text, "Description: ") : NULL;
        if (d && d[13])
                return kbc_kb_scm_popup_body(d + 13);
        if (s->kind == KBC_KB_EVENT && prose_after_event(s->text))
                return NULL;
        /* the dialog of a failed boot is the same message with or without
         * its popup title, and counted as one */
        return s->text ? kbc_kb_scm_popup_body(s->text) : NULL;
}

/* The part of the message a signal quotes that its rule looks for: the
 * first sentence, example values as placeholders; NULL if none. */
static const char *signal_text(kbc_arena *a, const kbc_kb_signal *s)
{
        const char *quote = quoted_text(s);
        if (!quote)
                return NULL;
        return message_head(
            a, kbc_kb_generalize(a, quote, s->kind == KBC_KB_EVENT));
}

/* Enough words that tell something, and no routine message. */
static bool specific(kbc_arena *a, const char *text)
{
        return kbc_text_content_words(text) >= SPECIFIC_WORDS &&
               !routine_message(a, text);
}

/* A text's words as the corpus counts them: placeholders of every
 * spelling alike ("0xXXXXXXXX", "0xnnnnnnnn", "<address>" and an example
 * value all read "0x X1"), case, quotes and punctuation ignored. Calls
 * each(key) for every leading run of words, the first word, the first
 * two, ... (at most PREFIX_WORDS): a pattern is shared by every article
 * whose quote starts with it, not only by those quoting it whole, or
 * Windows' own templates ("The instruction at X referenced memory at X")
 * would pass for one article's words in each of their spellings. */
static void prefix_keys(kbc_arena *a, const char *text,
                        void (*each)(void *, uint64_t), void *arg)
{
        const unsigned char *p =
            (const unsigned char *)kbc_text_example(a, text);
        uint64_t h = kbc_fnv64(KBC_FNV64_INIT, "p", 1);
        const unsigned char *w;
        size_t len;
        for (size_t words = 0;
             words < PREFIX_WORDS && (w = next_word(&p, &len)); words++) {
                h = kbc_fnv64_lower(kbc_fnv64(h, " ", 1), w, len);
                each(arg, h ? h : 1);
        }
}

static void last_key(void *arg, uint64_t key)
{
        *(uint64_t *)arg = key;
}

/* Key of the message a signal quotes, whatever its kind, as a pattern:
 * counted by the articles whose quotes start with it. 0 if none. */
static uint64_t text_key(kbc_arena *a, const kbc_kb_signal *s)
{
        const char *text = signal_text(a, s);
        uint64_t key = 0;
        if (text)
                prefix_keys(a, text, last_key, &key);
        return key;
}

/* Key of an event's (source, id) for corpus counts, and with its
 * description when with_text: 7000 from the Service Control Manager is in
 * dozens of articles, 7000 saying which service failed and why in one or
 * two. Both are counted; a bare id is judged by the first. */
static uint64_t event_key(kbc_arena *a, const kbc_kb_signal *s, bool with_text)
{
        const char *text = with_text ? signal_text(a, s) : NULL;
        uint64_t h = kbc_fnv64(KBC_FNV64_INIT, "e", 1);
        if (s->source)
                h = words_key(h, s->source);
        h = kbc_fnv64(h, &s->event_id, sizeof(s->event_id));
        if (text && specific(a, text))
                h = words_key(kbc_fnv64(h, "t", 1), text);
        return h ? h : 1;
}

/* Key of a signal for corpus counts; 0 when it has none. */
static uint64_t signal_key(kbc_arena *a, const kbc_kb_signal *s)
{
        uint64_t h = KBC_FNV64_INIT;
        switch (s->kind) {
        case KBC_KB_EVENT:
                return event_key(a, s, true);
        case KBC_KB_MESSAGE:
                return text_key(a, s);
        case KBC_KB_CODE:
                return s->code ? words_key(kbc_fnv64(h, "c", 1), s->code) : 0;
        }
        return 0;
}

/* Does a Learn article's event also stand for itself, without its text?
 * Its description is one rendering of the event (another build words it
 * differently, another failure ends it with another error); the event,
 * as Windows logs it with its provider and a problem level, says which
 * article as well, just less surely. */
static bool identity_too(const kbc_kb_article *art, const kbc_kb_signal *s)
{
        return art->url && s->kind == KBC_KB_EVENT && s->source && s->text;
}

/* Security auditing logs every event at level Information, the failures
 * too (its keywords tell success from failure): the level says nothing. */
static bool audit_event(const char *provider)
{
        return provider &&
               (!strcasecmp(provider, "Microsoft-Windows-Security-Auditing") ||
                !strcasecmp(provider, "Security-Auditing"));
}

/* Does Windows log many different problems under one id of this provider
 * (a service that failed, a dialog, a crash)? */
static bool hub_provider(const char *source)
{
        static const char *const hubs[] = {
            "Service Control Manager",
            "Application Popup",
            "Application Error",
            "Application Hang",
            "Windows Error Reporting",
            "EventLog",
            "Microsoft-Windows-Security-Auditing",
            "MsiInstaller",
            "Userenv",
            "User32",
            "ESENT",
            "VSS",
            "SceCli"};
        for (size_t k = 0; source && k < sizeof(hubs) / sizeof(*hubs); k++)
                if (!strcasecmp(source, hubs[k]))
                        return true;
        return false;
}

/* Is s the event its Learn article is about (its title names it,
 * kbc_kb_signal.titled), from a provider that does not log many problems
 * under the id? */
static bool titled_event(const kbc_kb_signal *s)
{
        return s->kind == KBC_KB_EVENT && s->titled && s->source &&
               !hub_provider(s->source);
}

/* Key of a titled event for corpus counts: how many articles are about
 * it. */
static uint64_t title_key(kbc_arena *a, const kbc_kb_signal *s)
{
        return kbc_fnv64(event_key(a, s, false), "T", 1);
}

/* Why an event without its text is no signal of its own, or NULL: the
 * providers under which Windows logs many different problems with one id,
 * and events other articles show too, would name no article by
 * themselves. The event an article is about names it whoever else shows
 * the event. */
static const char *identity_dropped(const kbc_compiler *c, kbc_arena *a,
                                    const kbc_kb_signal *s)
{
        /* Userenv's ids are Group Policy's today, where one id is one
         * problem; as Userenv logged them, only the one the article is
         * about names it. */
        if (hub_provider(s->source) ||
            (hub_provider(s->source_written) && !s->titled))
                return "its provider logs many problems under one id";
        if (!titled_event(s) && count_of(c, event_key(a, s, false)) > 1)
                return "the event alone is in other articles too";
        return NULL;
}

/* The article's signals as the compiler judges them: a quoted message
 * one per line the author broke (a dialog's caption, its text and the
 * prompt under it, which one event never shows together); a Learn
 * article's event with its text, then without (identity_too). */
static size_t compile_units(kbc_arena *a, const kbc_kb_article *art,
                            const kbc_kb_signal **out)
{
        size_t n = 0;
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *s = &art->signals[i];
                n += 1 + identity_too(art, s);
                for (const char *p = s->text; p && *p; p++)
                        n += *p == '\n' && s->kind == KBC_KB_MESSAGE;
        }
        kbc_kb_signal *u = kbc_arena_alloc(a, (n + 1) * sizeof(*u));
        size_t k = 0;
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *s = &art->signals[i];
                if (s->kind != KBC_KB_MESSAGE || !s->text) {
                        u[k++] = *s;
                        if (identity_too(art, s)) {
                                u[k] = *s;
                                u[k++].text = NULL;
                        }
                        continue;
                }
                for (const char *p = s->text; p;) {
                        const char *nl = strchr(p, '\n');
                        u[k] = *s;
                        u[k++].text = kbc_arena_strndup(
                            a, p, nl ? (size_t)(nl - p) : strlen(p));
                        p = nl ? nl + 1 : NULL;
                }
        }
        *out = u;
        return k;
}

/* Key of a shape for corpus counts: its kind and what it names. */
static uint64_t shape_key(const kbc_kb_shape *sh)
{
        uint64_t h = kbc_fnv64(KBC_FNV64_INIT, "s", 1);
        h = kbc_fnv64(h, sh->kind, strlen(sh->kind));
        return words_key(h, sh->what);
}

/* One article's keys: each counted once however often it quotes it. */
typedef struct article_keys {
        kbc_compiler *c;
        uint64_t *seen;
        size_t n, cap;
} article_keys;

static void count_key(void *arg, uint64_t key)
{
        article_keys *k = arg;
        if (!key || k->n == k->cap)
                return;
        for (size_t j = 0; j < k->n; j++)
                if (k->seen[j] == key)
                        return;
        k->seen[k->n++] = key;
        kbc_compiler *c = k->c;
        if (c->used * 2 >= c->nslots)
                grow(c);
        size_t slot = slot_of(c, key);
        if (!c->keys[slot]) {
                c->keys[slot] = key;
                c->used++;
        }
        c->counts[slot]++;
}

void kbc_compiler_count(kbc_compiler *c, const kbc_kb_article *art)
{
        kbc_arena *a = kbc_arena_new();
        kbc_kb_shape shapes[MAX_RULE_SIGNALS];
        size_t nshapes = kbc_kb_shapes(a, art, shapes, MAX_RULE_SIGNALS);
        const kbc_kb_signal *units;
        size_t nunits = compile_units(a, art, &units);
        article_keys k = {c, NULL, 0, (3 + PREFIX_WORDS) * nunits + nshapes};
        k.seen = kbc_arena_alloc(a, (k.cap + 1) * sizeof(*k.seen));
        for (size_t i = 0; i < nunits; i++) {
                const kbc_kb_signal *s = &units[i];
                count_key(&k, signal_key(a, s));
                /* An event's text counts as a message too: how common the
                 * words are matters apart from how common the event id is.
                 * The whole quote is counted, before it is cut to a
                 * pattern, so that its every leading run of words is. */
                if (quoted_text(s))
                        prefix_keys(a,
                                    kbc_kb_generalize(a, quoted_text(s),
                                                      s->kind == KBC_KB_EVENT),
                                    count_key, &k);
                if (s->kind == KBC_KB_EVENT)
                        count_key(&k, event_key(a, s, false));
                if (titled_event(s))
                        count_key(&k, title_key(a, s));
        }
        for (size_t i = 0; i < nshapes; i++)
                count_key(&k, shape_key(&shapes[i]));
        kbc_arena_free(a);
}

/* Error codes that name no error: success, and -1 (any unset field). */
static bool code_names_nothing(unsigned long long v)
{
        return v == 0 || v == 0xffffffffULL || v == 0xffffffffffffffffULL;
}

/* Would the signal's message pattern run on every event? Only patterns
 * with a required literal go through the prefilter (prefilter.h). */
static bool unfiltered_text(kbc_arena *a, const rule_signal *r)
{
        return r->text && r->event_id < 0 && !r->provider &&
               !kbc_text_filterable(a, r->text);
}

/* Why a signal is not a symptom (--explain). */
static const char *support_reason(kbc_arena *a, bool shared, bool small_code,
                                  const rule_signal *r, const char *text)
{
        if (shared)
                return "shared by more than 5 articles";
        if (small_code)
                return "a code below 0x10000 is also a plain number";
        if (r->event_id >= 0 && !r->provider)
                return "an event id without its source, and no specific text";
        if (r->event_id >= 0 && routine_event(r->provider, r->event_id))
                return "a routine event of a healthy server";
        if (text && scm_generic(a, text))
                return "a Service Control Manager message that names no "
                       "service";
        return text && routine_message(a, text) ? "a routine message"
                                                : "fewer than 3 content words";
}

/* A text whose only words of its own are an error code ("The computer has
 * rebooted from a bugcheck. The bugcheck was: 0x0000000a") is as common as
 * the code: the number of articles that give it; 0 for any other text. */
static uint32_t code_count(const kbc_compiler *c, kbc_arena *a,
                           const char *text)
{
        const char *p = find_code(text, strlen(text));
        if (!p)
                return 0;
        size_t len = 2;
        while (isxdigit((unsigned char)p[len]))
                len++;
        char *rest = kbc_arena_printf(a, "%.*s%s%s", (int)(p - text), text,
                                      KBC_KB_VALUE, p + len);
        if (len > 10 || !template_only(a, rest))
                return 0;
        char code[16];
        snprintf(code, sizeof(code), "0x%08lX",
                 strtoul(kbc_arena_strndup(a, p + 2, len - 2), NULL, 16));
        return count_of(c, words_key(kbc_fnv64(KBC_FNV64_INIT, "c", 1), code));
}

/* Fills r from s. Returns NULL, or why the signal is dropped: too generic
 * to keep even as support, it would match benign logs all day and tell no
 * article apart. */
static const char *to_rule_signal(const kbc_compiler *c, kbc_arena *a,
                                  const kbc_kb_signal *s, rule_signal *r)
{
        const char *text = signal_text(a, s);
        uint32_t articles = count_of(c, signal_key(a, s)),
                 by_code = text ? code_count(c, a, text) : 0;
        if (by_code > articles)
                articles = by_code;
        bool shared = articles > SHARED_MAX;
        bool specific_text = text && specific(a, text);

        bool small_code = false;

        memset(r, 0, sizeof(*r));
        r->event_id = r->event_id2 = -1;
        switch (s->kind) {
        case KBC_KB_EVENT:
                r->event_id = s->event_id;
                r->provider = s->source;
                r->provider2 = s->source_written;
                r->channel = s->source ? NULL : s->channel;
                r->text = text;
                snprintf(r->id, sizeof(r->id), "event-%ld", s->event_id);
                if (s->source || r->channel)
                        slug(r->id + strlen(r->id),
                             sizeof(r->id) - strlen(r->id), "-",
                             s->source ? s->source : r->channel, 4);
                /* a template that names none of the article's services
                 * says no more than every service's event */
                if (s->source && specific_text)
                        r->weight = 3;
                else if (s->source && !routine_event(s->source, s->event_id) &&
                         !(text && scm_generic(a, text)))
                        r->weight = 2;
                else if (r->channel) /* (log, id) names an event too */
                        r->weight = 2;
                else if (specific_text)
                        r->weight = 2;
                else
                        r->weight = 1;
                /* The event an article is about names it as surely as
                 * one with its words, however Windows words it today; in
                 * an article that only shows it beside its own problem
                 * ("1311 is logged too" under event 1865), it says less
                 * than in the one about it. */
                if (titled_event(s) && r->weight == 2 && s->source)
                        r->weight = 3;
                else if (!titled_event(s) && r->weight == 3 &&
                         count_of(c, title_key(a, s)))
                        r->weight = 2;
                r->example = text ? kbc_text_example(a, text)
                                  : "An event described in the article.";
                break;
        case KBC_KB_MESSAGE:
                r->text = text;
                slug(r->id, sizeof(r->id), "msg-", text ? text : "", 6);
                r->weight = specific_text ? 2 : 1;
                r->example = kbc_text_example(a, text ? text : "");
                break;
        case KBC_KB_CODE: {
                const char *hex = s->code;
                if (hex[0] == '0' && (hex[1] | 0x20) == 'x')
                        hex += 2;
                unsigned long long value = strtoull(hex, NULL, 16);
                if (code_names_nothing(value))
                        return "the code names no error (0 or -1)";
                small_code = value <= KBC_CODE_PLAIN_MAX && !s->titled;
                snprintf(r->id, sizeof(r->id), "code-0x%.40s", hex);
                for (char *p = r->id; *p; p++)
                        *p = kbc_ascii_lower(*p);
                char re[256];
                int n = kbc_code_pattern(re, sizeof(re), hex, s->titled);
                if (n < 0 || (size_t)n >= sizeof(re))
                        return "the code is too long";
                r->regex = kbc_arena_strdup(a, re);
                r->weight = s->titled ? TITLED_CODE_WEIGHT : 2;
                char *ex = kbc_arena_alloc(a, 96);
                snprintf(ex, 96, "The operation failed with error 0x%.40s.",
                         hex);
                r->example = ex;
                break;
        }
        }
        r->symptom = r->weight >= 2 && !shared && !small_code;
        /* Support weighs 1, unless it quotes a message few articles share:
         * "5004" is common, 5004 with its text is not. */
        if (!r->symptom)
                r->weight = s->kind == KBC_KB_EVENT && specific_text &&
                                    count_of(c, text_key(a, s)) <= SHARED_MAX
                                ? 2
                                : 1;
        /* A message or a code alone opens a case only where Windows logged
         * a problem, in a log that existed when the article was written:
         * the same words in an informational event (a service starting, a
         * command's output echoed) or in a Vista-era trace channel (an HTTP
         * header in CAPI2/Operational) are no symptom. */
        r->problem_level = r->symptom && r->event_id < 0;
        if (unfiltered_text(a, r))
                return "no literal of 8 bytes for the prefilter";
        if (r->symptom)
                return NULL;
        r->support = support_reason(a, shared, small_code, r, text);
        if (articles > SUPPORT_SHARED_MAX)
                return SHARED_TOO_WIDE;
        if (r->text && !r->provider &&
            kbc_text_content_words(r->text) < SUPPORT_WORDS)
                return "fewer than 2 content words";
        return NULL;
}

/* A shape (kb_shapes.h) as a rule signal; why it is dropped, or NULL. */
static const char *shape_signal(const kbc_compiler *c, kbc_arena *a,
                                const kbc_kb_shape *sh, rule_signal *r)
{
        uint32_t articles = count_of(c, shape_key(sh));
        memset(r, 0, sizeof(*r));
        r->provider = sh->provider;
        r->event_id = sh->event_ids[0];
        r->event_id2 = sh->event_ids[1];
        r->text = sh->text;
        r->regex = sh->regex;
        r->example = kbc_text_example(a, sh->example);
        slug(r->id, sizeof(r->id), kbc_arena_printf(a, "%s-", sh->kind),
             sh->what, 5);
        if (articles > SUPPORT_SHARED_MAX)
                return SHARED_TOO_WIDE;
        r->symptom = !sh->support_only && articles <= SHARED_MAX;
        /* A program with its exception code, a faulting function or
         * module, a service with its error text: as much as an event with
         * its source and description. A program alone says less. */
        bool whole = strchr(sh->what, ' ') || sh->text ||
                     !strcmp(sh->kind, "fault") || !strcmp(sh->kind, "module");
        r->weight = !r->symptom ? 1 : whole ? 3 : 2;
        if (!r->symptom)
                r->support =
                    sh->support_only
                        ? "a function or module of Windows, where many "
                          "programs' crashes land"
                        : "shared by more than 5 articles";
        return NULL;
}

/* The verdict and, unless a symptom, the reason: the end of an --explain
 * entry. */
static void explain_verdict(kbc_buf *b, const rule_signal *r,
                            const char *dropped)
{
        kbc_buf_json_key(b, "verdict", true);
        kbc_buf_json_str(b, kbc_str_cstr(dropped      ? "dropped"
                                         : r->symptom ? "symptom"
                                                      : "support"));
        if (dropped || !r->symptom) {
                kbc_buf_json_key(b, "reason", true);
                kbc_buf_json_str(b,
                                 kbc_str_cstr(dropped ? dropped : r->support));
        }
        kbc_buf_putc(b, '}');
}

/* A shape's fate as a JSON object, for --explain. */
static void explain_shape(kbc_buf *b, bool first, const kbc_kb_shape *sh,
                          const rule_signal *r, const char *dropped)
{
        if (!first)
                kbc_buf_putc(b, ',');
        kbc_buf_printf(b, "{\"line\":%d,\"kind\":\"shape\",\"shape\":\"%s\"",
                       sh->line, sh->kind);
        kbc_buf_json_key(b, "what", true);
        kbc_buf_json_str(b, kbc_str_cstr(sh->what));
        if (!dropped) {
                kbc_buf_json_key(b, "rule_signal", true);
                kbc_buf_json_str(b, kbc_str_cstr(r->id));
                kbc_buf_json_key(b, r->text ? "pattern_text" : "pattern", true);
                kbc_buf_json_str(b, kbc_str_cstr(r->text ? r->text : r->regex));
        }
        explain_verdict(b, r, dropped);
}

/* ---- YAML output ----------------------------------------------------- */

/* The code point of the len-byte UTF-8 character at p (kbc_utf8_len). */
static uint32_t utf8_code(const unsigned char *p, size_t len)
{
        static const unsigned char lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
        uint32_t cp = p[0] & lead_mask[len];
        for (size_t i = 1; i < len; i++)
                cp = cp << 6 | (p[i] & 0x3f);
        return cp;
}

/* The length of the character at p (avail bytes) when it may stand as it
 * is in YAML, else 0: no control character, no byte that is not UTF-8,
 * nothing libyaml refuses in its input (the C1 controls, U+FFFE, U+FFFF:
 * "control characters are not allowed" fails the whole file) or reads as
 * a line break (U+0085, U+2028, U+2029). */
static size_t yaml_char_len(const unsigned char *p, size_t avail)
{
        size_t len = p[0] >= 0x20 && p[0] != 0x7f ? kbc_utf8_len(p, avail) : 0;
        uint32_t cp = len > 1 ? utf8_code(p, len) : 0;
        if (cp && (cp <= 0x9f || cp == 0x2028 || cp == 0x2029 || cp == 0xfffe ||
                   cp == 0xffff))
                return 0;
        return len;
}

/* A double-quoted YAML scalar; bytes that are not UTF-8 are taken as
 * Latin-1 (\xNN is the code point U+00NN in YAML). */
static void yaml_quoted(kbc_buf *b, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);
        kbc_buf_putc(b, '"');
        for (size_t i = 0; i < n;) {
                size_t raw = yaml_char_len(p + i, n - i);
                size_t len = raw ? raw : kbc_utf8_len(p + i, n - i);
                if (p[i] == '"' || p[i] == '\\') {
                        kbc_buf_putc(b, '\\');
                        kbc_buf_putc(b, (char)p[i++]);
                } else if (raw) {
                        kbc_buf_append(b, p + i, raw);
                        i += raw;
                } else if (len > 1) { /* UTF-8 that YAML wants escaped */
                        kbc_buf_printf(b, "\\u%04x",
                                       (unsigned)utf8_code(p + i, len));
                        i += len;
                } else {
                        kbc_buf_printf(b, "\\x%02x", p[i++]);
                }
        }
        kbc_buf_putc(b, '"');
}

/* Can s be written as a literal block: printable UTF-8 lines, tabs and
 * line breaks allowed? */
static bool block_safe(const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);
        if (!n || s[n - 1] == '\n' || s[0] == '\n')
                return false;
        for (size_t i = 0; i < n;) {
                if (p[i] == '\n' || p[i] == '\t') {
                        i++;
                        continue;
                }
                size_t len = yaml_char_len(p + i, n - i);
                if (!len)
                        return false;
                i += len;
        }
        return true;
}

/* A prose field: a literal block when possible, so paragraphs survive. */
static void yaml_prose(kbc_buf *b, const char *key, const char *text)
{
        char *cut = NULL;
        size_t n = strlen(text);
        if (n > SECTION_MAX) {
                size_t end = SECTION_MAX;
                while (end > 0 && text[end] != '\n')
                        end--;
                cut = strndup(text, end ? end : SECTION_MAX);
                text = cut ? cut : text;
        }
        kbc_buf_printf(b, "%s:", key);
        if (!block_safe(text)) {
                kbc_buf_putc(b, ' ');
                yaml_quoted(b, text);
                kbc_buf_putc(b, '\n');
                free(cut);
                return;
        }
        /* An explicit indent when the text itself starts indented: YAML
         * would take the spaces as the block's indent, and a tab there is
         * an error ("found a tab character where an indentation space is
         * expected"). */
        kbc_buf_puts(b, text[0] == ' ' || text[0] == '\t' ? " |2-\n" : " |-\n");
        for (const char *line = text; line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                if (len)
                        kbc_buf_puts(b, "  ");
                kbc_buf_append(b, line, len);
                kbc_buf_putc(b, '\n');
                line = nl ? nl + 1 : NULL;
        }
        free(cut);
}

static bool list_item(const char *p)
{
        if ((p[0] == '-' || p[0] == '*') && p[1] == ' ')
                return true;
        while (isdigit((unsigned char)*p))
                p++;
        return *p == '.' && p[1] == ' ';
}

/* What an operator reads of a Learn article's section on an incident: its
 * first paragraph, and when that announces more (ends in ':') or is a list
 * item, the list that follows it. The rest is at the reference. */
static const char *brief(kbc_arena *a, const char *text)
{
        const char *gap = strstr(text, "\n\n");
        size_t end = gap ? (size_t)(gap - text) : strlen(text);
        bool list = list_item(text) ||
                    strstr(kbc_arena_strndup(a, text, end), "\n- ") != NULL;
        if (gap && end && text[end - 1] == ':') { /* and what it announces */
                list |= list_item(gap + 2);
                gap = strstr(gap + 2, "\n\n");
                end = gap ? (size_t)(gap - text) : strlen(text);
        }
        while (list && gap && list_item(gap + 2)) {
                gap = strstr(gap + 2, "\n\n");
                end = gap ? (size_t)(gap - text) : strlen(text);
        }
        return kbc_arena_strndup(a, text, end);
}

/* A Learn article without a Cause or Resolution heading names its parts
 * by what they say ("The SD differs from the template SD of the
 * AdminSDHolder object", then "Edit the SD ..."; "Diagnosis"): its nth
 * section that is none of the known parts (0: the cause, 1: the fix), or
 * NULL. */
static const kbc_kb_section *own_section(const kbc_kb_article *art, int nth)
{
        static const char *const known[] = {
            "SYMPTOMS",       "CAUSE",      "RESOLUTION", "WORKAROUND",
            "STATUS",         "REFERENCES", "SUMMARY",    "MORE INFORMATION",
            "DATA COLLECTION"};
        for (size_t i = 0; art->url && i < art->nsections; i++) {
                bool is_known = false;
                for (size_t k = 0; k < sizeof(known) / sizeof(*known); k++)
                        is_known |= !strcmp(art->sections[i].name, known[k]);
                if (!is_known && *art->sections[i].text && nth-- == 0)
                        return &art->sections[i];
        }
        return NULL;
}

static const char *section_text(kbc_arena *a, const kbc_kb_article *art,
                                const char *const *names, int nth,
                                const char *fallback)
{
        for (; *names; names++) {
                const kbc_kb_section *s = kbc_kb_section_get(art, *names);
                if (s && s->text && *s->text)
                        return art->url ? brief(a, s->text) : s->text;
        }
        const kbc_kb_section *own = own_section(art, nth);
        return own ? brief(a, own->text) : fallback;
}

static void write_signal(kbc_buf *b, const rule_signal *r, const char *channels)
{
        kbc_buf_printf(b, "  - id: %s\n", r->id);
        if (r->symptom)
                kbc_buf_puts(b, "    symptom: true\n");
        kbc_buf_printf(b, "    weight: %d\n    match:\n", r->weight);
        if (r->provider) {
                kbc_buf_puts(b, r->provider2 ? "      provider: [" /* any */
                                             : "      provider: ");
                yaml_quoted(b, r->provider);
                if (r->provider2) {
                        kbc_buf_puts(b, ", ");
                        yaml_quoted(b, r->provider2);
                        kbc_buf_putc(b, ']');
                }
                kbc_buf_putc(b, '\n');
        }
        if (r->event_id2 >= 0)
                kbc_buf_printf(b, "      event_id: [%ld, %ld]\n", r->event_id,
                               r->event_id2);
        else if (r->event_id >= 0)
                kbc_buf_printf(b, "      event_id: %ld\n", r->event_id);
        if (r->problem_level)
                kbc_buf_puts(b, "      problem: true\n");
        if (r->problem_level && r->event_id < 0)
                kbc_buf_printf(b, "      channel: %s\n", channels);
        else if (r->channel) {
                kbc_buf_puts(b, "      channel: ");
                yaml_quoted(b, r->channel);
                kbc_buf_putc(b, '\n');
        }
        if (r->text) {
                kbc_buf_puts(b, "      text: ");
                yaml_quoted(b, r->text);
                kbc_buf_putc(b, '\n');
        } else if (r->regex) {
                kbc_buf_puts(b, "      message: ");
                yaml_quoted(b, r->regex);
                kbc_buf_putc(b, '\n');
        }
}

static void write_test_event(kbc_buf *b, const rule_signal *r, size_t i)
{
        kbc_buf_printf(b, "      - time: \"2001-01-01T00:00:%02zuZ\"\n",
                       i % 60);
        kbc_buf_puts(b, "        provider: ");
        yaml_quoted(b, r->provider ? r->provider : "Application Popup");
        kbc_buf_printf(b, "\n        event_id: %ld\n",
                       r->event_id >= 0 ? r->event_id : 26);
        if (r->problem_level)
                kbc_buf_puts(b, "        level: error\n");
        if (r->channel) {
                kbc_buf_puts(b, "        channel: ");
                yaml_quoted(b, r->channel);
                kbc_buf_putc(b, '\n');
        }
        kbc_buf_puts(b, "        message: ");
        yaml_quoted(b, r->example);
        kbc_buf_putc(b, '\n');
}

static bool id_taken(const rule_signal *sigs, size_t n, const char *id)
{
        for (size_t i = 0; i < n; i++)
                if (!strcmp(sigs[i].id, id))
                        return true;
        return false;
}

/* Distinct ids within the rule: a second "event-7000" becomes
 * "event-7000-2". */
static void make_id_unique(rule_signal *sigs, size_t n)
{
        rule_signal *last = &sigs[n - 1];
        char base[sizeof(last->id) - 8];
        snprintf(base, sizeof(base), "%.*s", (int)sizeof(base) - 1, last->id);
        for (unsigned k = 2; id_taken(sigs, n - 1, last->id); k++)
                snprintf(last->id, sizeof(last->id), "%s-%u", base, k);
}

static bool same_signal(const rule_signal *a, const rule_signal *b)
{
        return a->event_id == b->event_id && a->event_id2 == b->event_id2 &&
               !strcmp(a->provider ? a->provider : "",
                       b->provider ? b->provider : "") &&
               !strcmp(a->text ? a->text : "", b->text ? b->text : "") &&
               !strcmp(a->regex ? a->regex : "", b->regex ? b->regex : "");
}

/* s as the rule file gives it to the loader: bytes that are not UTF-8
 * are Latin-1 (yaml_quoted writes them as \xNN, U+00NN). */
static const char *as_utf8(kbc_arena *a, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        size_t n = strlen(s);
        kbc_buf b;
        kbc_buf_init(&b, 2 * n + 1);
        for (size_t i = 0; i < n;) {
                size_t len = kbc_utf8_len(p + i, n - i);
                if (len) {
                        kbc_buf_append(&b, p + i, len);
                        i += len;
                } else {
                        kbc_buf_putc(&b, (char)(0xc0 | p[i] >> 6));
                        kbc_buf_putc(&b, (char)(0x80 | (p[i++] & 0x3f)));
                }
        }
        const char *out = kbc_arena_strndup(a, b.data ? b.data : "", b.len);
        kbc_buf_free(&b);
        return out;
}

/* Keeps sigs[*n], the signal just filled, unless it is dropped already,
 * its pattern does not compile or it is the same as an earlier one.
 * Returns why it is not kept, or NULL. */
static const char *keep_signal(kbc_arena *a, rule_signal *sigs, size_t *n,
                               size_t *nsymptoms, const char *dropped)
{
        const rule_signal *r = &sigs[*n];
        /* A pattern the loader would refuse keeps the whole set from
         * loading: a quote long enough to pass PCRE2's size limit. */
        if (!dropped && (r->text || r->regex) &&
            !kbc_pattern_compiles(a, as_utf8(a, r->text ? r->text : r->regex),
                                  r->text))
                dropped = "its pattern does not compile (too long)";
        for (size_t j = 0; j < *n && !dropped; j++)
                if (same_signal(&sigs[j], &sigs[*n]))
                        dropped = "the same as an earlier signal";
        if (!dropped) {
                *nsymptoms += sigs[*n].symptom;
                ++*n;
                make_id_unique(sigs, *n);
        }
        return dropped;
}

/* One article signal's fate as a JSON object, for --explain. */
static void explain_signal(kbc_buf *b, bool first, const kbc_kb_signal *s,
                           const rule_signal *r, const char *dropped)
{
        static const char *const kinds[] = {"event", "message", "code"};
        if (!first)
                kbc_buf_putc(b, ',');
        kbc_buf_printf(b, "{\"line\":%d,\"kind\":\"%s\"", s->line,
                       kinds[s->kind]);
        if (s->event_id >= 0)
                kbc_buf_printf(b, ",\"event_id\":%ld", s->event_id);
        if (s->source) {
                kbc_buf_json_key(b, "source", true);
                kbc_buf_json_str(b, kbc_str_cstr(s->source));
        }
        if (s->text || s->code) {
                kbc_buf_json_key(b, s->text ? "text" : "code", true);
                kbc_buf_json_str(b, kbc_str_cstr(s->text ? s->text : s->code));
        }
        if (!dropped) {
                kbc_buf_json_key(b, "rule_signal", true);
                kbc_buf_json_str(b, kbc_str_cstr(r->id));
                if (r->text) {
                        kbc_buf_json_key(b, "pattern_text", true);
                        kbc_buf_json_str(b, kbc_str_cstr(r->text));
                }
        }
        explain_verdict(b, r, dropped);
}

/* Why an article signal gives no rule signal before it is even judged. */
static const char *unusable(const kbc_kb_signal *s, size_t nkept)
{
        if (nkept >= MAX_RULE_SIGNALS)
                return "the rule has 32 signals already";
        if ((s->kind == KBC_KB_MESSAGE && !s->text) ||
            (s->kind == KBC_KB_CODE && !s->code))
                return "nothing to match";
        if (s->kind == KBC_KB_EVENT && !s->source && !s->channel &&
            !quoted_text(s))
                return "an event id alone: no source, no log, no text";
        return NULL;
}

kbc_compile_outcome kbc_compiler_write(const kbc_compiler *c,
                                       const kbc_kb_article *art, kbc_buf *out,
                                       kbc_buf *explain)
{
        static const char *const cause_names[] = {"CAUSE", NULL};
        static const char *const fix_names[] = {"RESOLUTION", "WORKAROUND",
                                                "STATUS", NULL};
        rule_signal sigs[MAX_RULE_SIGNALS];
        size_t n = 0, nsymptoms = 0;
        kbc_compile_outcome outcome = KBC_SKIP_NO_SIGNAL;
        kbc_arena *a = kbc_arena_new();

        if (explain)
                kbc_buf_putc(explain, '[');
        const kbc_kb_signal *units;
        size_t nunits = compile_units(a, art, &units);
        bool quote_has_message = false;
        for (size_t i = 0; i < nunits; i++) {
                const kbc_kb_signal *s = &units[i];
                const char *dropped = unusable(s, n);
                if (!dropped && i > 0 && identity_too(art, &units[i - 1]) &&
                    !s->text)
                        dropped = identity_dropped(c, a, s);
                if (!dropped)
                        dropped = to_rule_signal(c, a, s, &sigs[n]);
                /* The first line of a quote that says enough is the
                 * message (above it, at most a caption); the lines under it
                 * (a prompt, the advice that follows) support it, as they
                 * did before the author broke the quote into lines. */
                bool later = i > 0 && s->kind == KBC_KB_MESSAGE &&
                             units[i - 1].kind == KBC_KB_MESSAGE &&
                             units[i - 1].line == s->line;
                quote_has_message &= later;
                /* A field of a quoted event block ("Process ID: 1234",
                 * "Object Server: Security") says nothing on its own and
                 * would be looked for in every audit event. */
                if (!dropped && later && sigs[n].text &&
                    !specific(a, sigs[n].text))
                        dropped = "a line of a quote that says too little "
                                  "on its own";
                if (!dropped && later && quote_has_message && sigs[n].symptom) {
                        sigs[n].symptom = sigs[n].problem_level = false;
                        sigs[n].weight = 1;
                        sigs[n].support = "a later line of a quote, under "
                                          "its message";
                }
                quote_has_message |=
                    !dropped && sigs[n].text && specific(a, sigs[n].text);
                /* only placeholders: it would match anything */
                if (!dropped && sigs[n].text &&
                    !kbc_text_literal_words(sigs[n].text))
                        dropped = "only placeholders";
                dropped = keep_signal(a, sigs, &n, &nsymptoms, dropped);
                if (explain)
                        explain_signal(explain, i == 0, s, &sigs[n - !dropped],
                                       dropped);
        }
        kbc_kb_shape shapes[MAX_RULE_SIGNALS];
        size_t nshapes = kbc_kb_shapes(a, art, shapes, MAX_RULE_SIGNALS);
        for (size_t i = 0; i < nshapes; i++) {
                const char *dropped =
                    n >= MAX_RULE_SIGNALS
                        ? "the rule has 32 signals already"
                        : shape_signal(c, a, &shapes[i], &sigs[n]);
                dropped = keep_signal(a, sigs, &n, &nsymptoms, dropped);
                if (explain)
                        explain_shape(explain, i == 0 && !nunits, &shapes[i],
                                      &sigs[n - !dropped], dropped);
        }
        if (explain)
                kbc_buf_putc(explain, ']');
        if (!n)
                goto out;
        outcome = KBC_SKIP_ONLY_GENERIC;
        if (!nsymptoms)
                goto out;
        outcome = KBC_COMPILED;
        /* An article that states no symptom and no cause (how to capture
         * a dump, what an event means in general) may open a case, but any
         * troubleshooting article that explains the same evidence wins. */
        /* A Learn article is a troubleshooting article whatever its
         * headings say ("Summary", "Diagnosis", "Event ID 1388"). */
        if (!art->url && !kbc_kb_section_get(art, "SYMPTOMS") &&
            !kbc_kb_section_get(art, "CAUSE"))
                for (size_t i = 0; i < n; i++)
                        sigs[i].weight = 1;
        /* A Learn article shows the whole sequence around a failure,
         * informational events included (a service starting, a subsystem
         * changing state); Windows gives each event its level, so only
         * those reporting a problem may open a case. */
        for (size_t i = 0; art->url && i < n; i++)
                sigs[i].problem_level |=
                    sigs[i].symptom && !audit_event(sigs[i].provider);

        char ref[512];
        if (art->url)
                snprintf(ref, sizeof(ref), "%s", art->url);
        else
                snprintf(ref, sizeof(ref),
                         "https://support.microsoft.com/kb/%s",
                         art->id + (art->id[0] == 'Q'));
        const char *see = kbc_arena_strndup(a, ref, strlen(ref));
        /* A file name may hold a newline, which must not end the comment,
         * or bytes libyaml refuses even there. */
        char *from = kbc_arena_strdup(a, art->path ? art->path : "?");
        for (size_t i = 0, nf = strlen(from); i < nf;) {
                size_t len = yaml_char_len((unsigned char *)from + i, nf - i);
                if (!len)
                        from[i] = '?';
                i += len ? len : 1;
        }
        kbc_buf_printf(out,
                       "# Generated by kbcorr compile from %s.\n"
                       "# Regenerate rather than edit; curate a copy in "
                       "rules/curated/ instead.\n",
                       from);
        kbc_buf_printf(out, "id: %s\ntitle: ", art->id);
        /* The parser gives "" for an article without a title; the loader
         * requires one. */
        yaml_quoted(out, art->title && *art->title ? art->title : art->id);
        kbc_buf_puts(out, "\nproducts: [");
        for (size_t i = 0; i < art->nproducts; i++) {
                if (i)
                        kbc_buf_puts(out, ", ");
                yaml_quoted(out, art->products[i]);
        }
        kbc_buf_printf(out, "]\nreference: %s\nwindow: 10m\n", ref);
        yaml_prose(out, "cause",
                   section_text(a, art, cause_names, 0,
                                "The article names no cause; see it at the "
                                "reference."));
        /* the section after the one that stood for the cause */
        bool own_cause =
            !kbc_kb_section_get(art, "CAUSE") && own_section(art, 0);
        yaml_prose(out, "resolution",
                   section_text(a, art, fix_names, own_cause, see));
        kbc_buf_puts(out, "signals:\n");
        for (size_t i = 0; i < n; i++)
                write_signal(out, &sigs[i],
                             art->url ? MODERN_CHANNELS : CLASSIC_CHANNELS);
        kbc_buf_puts(out, "tests:\n  - name: the article's own signals\n"
                          "    events:\n");
        for (size_t i = 0; i < n; i++)
                write_test_event(out, &sigs[i], i);
        kbc_buf_printf(out, "    expect: { top: %s }\n", art->id);
out:
        kbc_arena_free(a);
        return outcome;
}
