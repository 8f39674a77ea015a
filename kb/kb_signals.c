/*
 * kb_signals.c - what a log can show of a KB article: event IDs with their
 * sources and descriptions, quoted error messages, error codes (SPEC.md §4).
 *
 * How it works. kb_article.c hands over the article's body lines, each with
 * its section. The lines are grouped into paragraphs (runs of non-blank
 * lines in one section), then four passes run over them:
 *
 * 1. Event mentions. "event" followed by an optional "ID", "IDs",
 *    "ID's", "identifier", "number", "no." or "#", then separators
 *    (: = # ( - and spaces), then a number: Event ID: 2037, EVENT ID 4318,
 *    EventID : 603, Event ID=10005, Event ID (8015), event number 7003,
 *    Event #9405, Event: 57, Event 1063. A list continues the mention:
 *    "Event IDs 4224 and 4318", "event ID 1017 or 1018", "Event ID's 1,
 *    2, 3". A line starting with "ID:" counts inside a column-aligned
 *    block (one that also has a Source or Type label).
 * 2. Sources. "Source: X", "Event Source: X", "Source = X", "Source=X",
 *    "Source ( X )" / "in Source ( X )", and "Source X" at the start of a
 *    line right under an event line. The value ends at a comma, a tab, two
 *    spaces, " - ", a parenthesis, another label or a word in lower case
 *    (so "IPXRIP logs with the following description" gives IPXRIP); at
 *    most six words. Each event takes the nearest source of its paragraph
 *    (at most six lines away); a source with no event is not a signal (the
 *    corpus says "Source =" in code samples too).
 * 3. Event descriptions and quoted messages. An event mention that starts
 *    a line of a log block (indented, a bullet, or a block with labels)
 *    takes the rest of the block as its text: label lines (Type, Source,
 *    Category, Date, Time, User, Computer, ID) are skipped, "Description:"
 *    is unwrapped, and when the block ends in an empty "Description:" the
 *    next indented paragraph is the text. Any other indented paragraph
 *    (2+ columns) is a quoted message when the prose line that introduces
 *    its indented run ends in ':' and speaks of an error, a message, a
 *    warning, an event or a log ("you may receive the following error
 *    message:", "the following event is logged:"); one message per
 *    paragraph, "-or-" lines separate, a paragraph that is only a dialog
 *    caption ("Microsoft Windows NT") or an "ID no:" line is dropped, and
 *    a run that opens with a prompt ("C:\>nltest") or dcdiag's "Starting
 *    test:" is what a tool printed, no message.
 *    Whitespace is collapsed.
 * 4. Error codes, normalized to "0x" and 8 upper-case hex digits:
 *    0x0000001F after an error word, any 0x8xxxxxxx-0xFxxxxxxx; bare
 *    c0000005 / 80070005 (8 hex digits starting c0 or 80); negative
 *    HRESULTs (-2147467259 is 0x80004005); "ID no: c10312c6", "NT ID:
 *    0xC0020035"; "STOP 0x0000000A", "STOP: 0x0000007B", "Stop 0xA"
 *    (padded to 8 digits). Not codes: the parameters in parentheses after
 *    a STOP code, lines with three or more 8-digit hex words (memory
 *    dumps, stack traces, register lists), hex after "address", "at",
 *    "base", "=" or ":" (addresses, segment:offset), numbers inside
 *    versions (5.0.8000.1234), and short 0x values with no error word
 *    before them (bit masks, characters).
 *
 * Deduplication: one event per (id, source), a sourceless event is dropped
 * when the same id also appears with a source; one message per text (case
 * folded); one code per value. The first occurrence keeps its line.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kb_internal.h"
#include "kbc_buf.h"

#define MAX_EVENT_TEXT 4096 /* bytes of description kept per event */
#define MAX_MSG_TEXT   4096
#define MAX_IDS_LIST   16 /* ids in one "Event IDs a, b and c" mention */
#define SOURCE_REACH   6  /* lines between an event and its source */
/* A line that would have had room for the next line's first word within
 * this many columns was broken on purpose (the corpus wraps at 76-80). */
#define WRAP_MARGIN 70

typedef struct sig {
        kbc_kb_signal s;
        int col;      /* for ordering within a line */
        bool dropped; /* by deduplication */
        bool alone;   /* an event its line names and says nothing else of */
} sig;

typedef struct mention {
        size_t line; /* index into the lines */
        size_t col, end;
        long id;
        bool label; /* starts its line: a log block, not prose */
} mention;

typedef struct source {
        size_t line, col;
        const char *value;
        bool used;
} source;

typedef struct ctx {
        kbc_arena *a;
        const kbc_kb_line *L;
        size_t n;
        int *para;      /* paragraph per line, -1 for blank/non-body */
        bool *consumed; /* lines that are part of an event's text */
        sig *v;
        size_t nv, capv;
        mention *m;
        size_t nm, capm;
        source *src;
        size_t nsrc, capsrc;
} ctx;

/* ---- small text helpers ------------------------------------------------ */

static bool is_ws(char c)
{
        return c == ' ' || c == '\t' || c == '\xa0';
}

static bool is_alnum(char c)
{
        return isalnum((unsigned char)c) != 0;
}

static bool ci_at(const char *s, size_t len, size_t i, const char *w)
{
        size_t n = strlen(w);
        if (i > len || len - i < n)
                return false;
        for (size_t k = 0; k < n; k++)
                if (tolower((unsigned char)s[i + k]) != (unsigned char)w[k])
                        return false;
        return true;
}

/* w (lower case) at i as a whole word. */
static bool word_at(const char *s, size_t len, size_t i, const char *w)
{
        size_t n = strlen(w);
        if (!ci_at(s, len, i, w))
                return false;
        if (i > 0 && is_alnum(s[i - 1]))
                return false;
        return i + n >= len || !is_alnum(s[i + n]);
}

/* Case-insensitive search of w (lower case) in s. */
static bool ci_contains(const char *s, size_t len, const char *w)
{
        return kbc_str_casefind(kbc_str_make(s, len), w) >= 0;
}

/* Does s contain any of the n words (lower case)? */
static bool ci_contains_any(const char *s, size_t len, const char *const *w,
                            size_t n)
{
        for (size_t k = 0; k < n; k++)
                if (ci_contains(s, len, w[k]))
                        return true;
        return false;
}

static size_t skip_ws(const char *s, size_t len, size_t i)
{
        while (i < len && is_ws(s[i]))
                i++;
        return i;
}

static int hexv(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

/* First non-space column of a line, after a "- " or "* " bullet. */
static size_t line_start(const kbc_kb_line *l, bool *bullet)
{
        size_t i = skip_ws(l->s, l->len, 0);
        *bullet = false;
        if (i + 1 < l->len && (l->s[i] == '-' || l->s[i] == '*') &&
            is_ws(l->s[i + 1])) {
                *bullet = true;
                i = skip_ws(l->s, l->len, i + 1);
        }
        return i;
}

/* "<BR/>", "<B>", "</P>": formatting some articles carry as text. Its
 * length at s, or 0. */
static size_t html_tag_len(const char *s, size_t len)
{
        static const char *const tags[] = {"br", "p",  "b",      "i",
                                           "u",  "em", "strong", "tt"};
        size_t i = 1;
        if (len < 3 || s[0] != '<')
                return 0;
        if (s[i] == '/')
                i++;
        for (size_t k = 0; k < sizeof(tags) / sizeof(*tags); k++) {
                size_t n = strlen(tags[k]), j = i + n;
                if (j > len || strncasecmp(s + i, tags[k], n))
                        continue;
                while (j < len && s[j] == ' ')
                        j++;
                if (j < len && s[j] == '/')
                        j++;
                if (j < len && s[j] == '>')
                        return j + 1;
        }
        return 0;
}

/* Appends (s, len) to b with runs of white space folded to one space and
 * HTML tags dropped. */
static void collapse_into(kbc_buf *b, const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++) {
                char c = s[i];
                size_t tag = html_tag_len(s + i, len - i);
                if (tag) {
                        i += tag - 1;
                        c = ' ';
                }
                if (is_ws(c) || c == '\r' || c == '\n') {
                        if (b->len && b->data[b->len - 1] != ' ' &&
                            b->data[b->len - 1] != '\n')
                                kbc_buf_putc(b, ' ');
                        continue;
                }
                kbc_buf_putc(b, c);
        }
}

static const char *buf_final(ctx *c, kbc_buf *b)
{
        size_t len = b->len;
        while (len && b->data[len - 1] == ' ')
                len--;
        size_t st = 0;
        while (st < len && b->data[st] == ' ')
                st++;
        return len > st ? kbc_arena_strndup(c->a, b->data + st, len - st)
                        : NULL;
}

/* ---- growable arrays (malloc, freed at the end) ------------------------ */

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
        if (need <= *cap)
                return p;
        size_t nc = *cap ? *cap * 2 : 16;
        while (nc < need)
                nc *= 2;
        void *q = realloc(p, nc * size);
        if (!q)
                return NULL;
        *cap = nc;
        return q;
}

static sig *add_sig(ctx *c, kbc_kb_signal_kind kind, size_t line, size_t col)
{
        if (c->nv >= KBC_KB_MAX_SIGNALS)
                return NULL;
        sig *v = grow(c->v, &c->capv, c->nv + 1, sizeof(*v));
        if (!v)
                return NULL;
        c->v = v;
        sig *s = &c->v[c->nv++];
        memset(s, 0, sizeof(*s));
        s->s.kind = kind;
        s->s.event_id = -1;
        s->s.section = c->L[line].section;
        s->s.line = c->L[line].no;
        s->col = (int)col;
        return s;
}

/* ---- 1. event mentions -------------------------------------------------- */

static void add_mention(ctx *c, size_t line, size_t col, size_t end, long id,
                        bool label)
{
        /* Capped like the signals: pairing is quadratic in them. */
        if (c->nm >= KBC_KB_MAX_SIGNALS)
                return;
        mention *m = grow(c->m, &c->capm, c->nm + 1, sizeof(*m));
        if (!m)
                return;
        c->m = m;
        c->m[c->nm++] = (mention){line, col, end, id, label};
}

/* A number of 1-5 digits at i that stands alone (not 5.0, not 10:15, not
 * 50%); its value in *id and the index after it in *end. */
static bool event_number(const char *s, size_t len, size_t i, long *id,
                         size_t *end)
{
        size_t j = i;
        long v = 0;
        while (j < len && isdigit((unsigned char)s[j]) && j - i < 6)
                v = v * 10 + (s[j++] - '0');
        if (j == i || j - i > 5 || (j < len && is_alnum(s[j])))
                return false;
        if (j + 1 < len && (s[j] == '.' || s[j] == ':' || s[j] == ',') &&
            isdigit((unsigned char)s[j + 1]))
                return false;
        if (j < len && s[j] == '%')
                return false;
        if (v < 1 || v > 65535)
                return false;
        *id = v;
        *end = j;
        return true;
}

/* After "event" at i (already matched): the keyword and separators; the
 * index of the first digit, or 0 when this is not an event id mention. */
static size_t event_prefix(const char *s, size_t len, size_t i)
{
        size_t j = i + 5;
        bool kw = false, sep = false;
        if (j < len && (s[j] == 's' || s[j] == 'S') &&
            (j + 1 >= len || !is_alnum(s[j + 1])))
                j++;
        size_t k = j;
        while (k < len && (is_ws(s[k]) || s[k] == '_' || s[k] == '-') &&
               k - j < 3)
                k++;
        static const char *const kws[] = {"identifier", "number", "id",
                                          "no.",        "no",     "code"};
        for (size_t w = 0; w < sizeof(kws) / sizeof(*kws); w++) {
                size_t wl = strlen(kws[w]);
                if (ci_at(s, len, k, kws[w]) &&
                    (kws[w][wl - 1] == '.' || k + wl >= len ||
                     !isalpha((unsigned char)s[k + wl]) ||
                     ((s[k + wl] == 's' || s[k + wl] == 'S') &&
                      (k + wl + 1 >= len || !is_alnum(s[k + wl + 1]))))) {
                        j = k + wl;
                        kw = true;
                        break;
                }
        }
        if (kw) { /* IDs, ID's */
                if (j < len && (s[j] == 's' || s[j] == 'S'))
                        j++;
                else if (j + 1 < len && s[j] == '\'' &&
                         (s[j + 1] == 's' || s[j + 1] == 'S'))
                        j += 2;
                /* "Event ID generated: 5142": a label with one word in
                 * lower case between the id and its colon. */
                size_t w = j + 1;
                while (j < len && s[j] == ' ' && w < len &&
                       islower((unsigned char)s[w]) && w - j <= 12)
                        w++;
                if (j < len && s[j] == ' ' && w > j + 1 && w < len &&
                    s[w] == ':')
                        j = w;
        }
        size_t d = j;
        while (d < len && d - j < 6 &&
               (is_ws(s[d]) || s[d] == ':' || s[d] == '=' || s[d] == '#' ||
                s[d] == '(' || s[d] == '-')) {
                if (!is_ws(s[d]))
                        sep = true;
                d++;
        }
        if (d >= len || !isdigit((unsigned char)s[d]))
                return 0;
        if (!kw && !sep && d == j) /* "event1" */
                return 0;
        return d;
}

/* "Netlogon Event 3051", "MSExchangeIS event 1000", "Service Control
 * Manager event number 7024": the capitalized name right before an event
 * mention at i is its source (not "The", a log name or a sentence's
 * first word alone). Where the name starts; i when there is none. */
static size_t source_start(const char *s, size_t i)
{
        /* Words that start sentences and titles, and log names: a name
         * holding one is no source ("When AppleTalk event 1", "Master
         * Browser May Cause Event 8021"). */
        static const char *const not_sources[] = {"the",
                                                  "a",
                                                  "an",
                                                  "this",
                                                  "that",
                                                  "each",
                                                  "every",
                                                  "another",
                                                  "no",
                                                  "following",
                                                  "error",
                                                  "warning",
                                                  "information",
                                                  "system",
                                                  "application",
                                                  "security",
                                                  "any",
                                                  "same",
                                                  "first",
                                                  "second",
                                                  "new",
                                                  "next",
                                                  "when",
                                                  "although",
                                                  "how",
                                                  "all",
                                                  "if",
                                                  "after",
                                                  "before",
                                                  "while",
                                                  "then",
                                                  "also",
                                                  "note",
                                                  "see",
                                                  "check",
                                                  "because",
                                                  "in",
                                                  "on",
                                                  "at",
                                                  "for",
                                                  "to",
                                                  "from",
                                                  "with",
                                                  "by",
                                                  "once",
                                                  "some",
                                                  "your",
                                                  "you",
                                                  "we",
                                                  "it",
                                                  "these",
                                                  "those",
                                                  "both",
                                                  "other",
                                                  "such",
                                                  "only",
                                                  "most",
                                                  "many",
                                                  "several",
                                                  "multiple",
                                                  "troubleshoot",
                                                  "troubleshooting",
                                                  "debugging",
                                                  "log",
                                                  "logs",
                                                  "match",
                                                  "logoff",
                                                  "logon",
                                                  "success",
                                                  "failure",
                                                  "audit",
                                                  "may",
                                                  "cause",
                                                  "causes",
                                                  "reporting",
                                                  "responding",
                                                  "filtering",
                                                  "viewer",
                                                  "event",
                                                  "source",
                                                  NULL};
        size_t b = i, words = 0;
        while (words < 4) {
                size_t e = b;
                while (e > 0 && s[e - 1] == ' ')
                        e--;
                size_t w = e;
                while (w > 0 && (is_alnum(s[w - 1]) || s[w - 1] == '-' ||
                                 s[w - 1] == '_'))
                        w--;
                if (w == e || !isupper((unsigned char)s[w]))
                        break;
                for (size_t k = 0; not_sources[k]; k++)
                        if (e - w == strlen(not_sources[k]) &&
                            !strncasecmp(s + w, not_sources[k], e - w))
                                return i;
                b = w;
                words++;
        }
        size_t e = i;
        while (e > b && s[e - 1] == ' ')
                e--;
        return e - b >= 3 ? b : i;
}

static void add_source(ctx *c, size_t line, size_t col, const char *v);

/* "Error   Event 19100   Hyper-V-VMMS 19100    'BackupVM' background disk
 * merge failed ...": after the event, a row of Event Viewer's list, its
 * Source and Event ID columns (a name of at most four capitalized words,
 * then the same id again), then the message. Adds the name as a source of
 * line li and returns where the message starts; end when the row is not
 * there. */
static size_t repeated_id_source(ctx *c, size_t li, size_t end, long id)
{
        const char *s = c->L[li].s;
        size_t len = c->L[li].len, b = skip_ws(s, len, end), e = b;
        if (b == end || b >= len || !isupper((unsigned char)s[b]))
                return end;
        for (int words = 0; words < 4; words++) {
                size_t w = e;
                while (w < len && (is_alnum(s[w]) || s[w] == '-' ||
                                   s[w] == '_' || s[w] == '.'))
                        w++;
                if (w == e || !isupper((unsigned char)s[e]))
                        return end;
                size_t d = skip_ws(s, len, w), after;
                long again;
                if (d > w && event_number(s, len, d, &again, &after)) {
                        if (again != id)
                                return end;
                        add_source(c, li, b,
                                   kbc_arena_strndup(c->a, s + b, w - b));
                        return after;
                }
                if (d != w + 1) /* names are one space apart */
                        return end;
                e = d;
        }
        return end;
}

static void scan_events(ctx *c, size_t li)
{
        const kbc_kb_line *l = &c->L[li];
        const char *s = l->s;
        size_t len = l->len;
        bool bullet;
        size_t first = line_start(l, &bullet);
        for (size_t i = 0; i + 5 <= len; i++) {
                if (!ci_at(s, len, i, "event") || (i > 0 && is_alnum(s[i - 1])))
                        continue;
                size_t d = event_prefix(s, len, i);
                if (!d)
                        continue;
                long id;
                size_t end;
                if (!event_number(s, len, d, &id, &end))
                        continue;
                /* "Event ID: 2037 ..." or "MSExchangeSA Event ID: 2037
                 * ..." at the start of its line heads a log block. */
                bool label = i == first || source_start(s, i) == first;
                /* A row of a log's list heads its message as a block. */
                size_t row = repeated_id_source(c, li, end, id);
                label |= row != end;
                add_mention(c, li, i, row, id, label);
                /* Lists: ", 1002", " and 1003", " or event ID 1004". */
                for (int k = 0; k < MAX_IDS_LIST; k++) {
                        size_t j = skip_ws(s, len, end);
                        if (j < len && s[j] == ')')
                                j = skip_ws(s, len, j + 1);
                        bool sep = false;
                        if (j < len &&
                            (s[j] == ',' || s[j] == '/' || s[j] == '&')) {
                                j++;
                                sep = true;
                        }
                        j = skip_ws(s, len, j);
                        if (word_at(s, len, j, "and")) {
                                j += 3;
                                sep = true;
                        } else if (word_at(s, len, j, "or")) {
                                j += 2;
                                sep = true;
                        } else if (word_at(s, len, j, "through")) {
                                j += 7;
                                sep = true;
                        }
                        if (!sep)
                                break;
                        j = skip_ws(s, len, j);
                        if (ci_at(s, len, j, "event") &&
                            event_prefix(s, len, j))
                                j = event_prefix(s, len, j);
                        if (!event_number(s, len, j, &id, &end))
                                break;
                        add_mention(c, li, j, end, id, false);
                }
                i = end > i ? end - 1 : i;
        }
}

/* A label line of an event block: "Event Type:", "Source:", "Date:"... */
static const char *const block_labels[] = {
    "event type", "event source", "event category", "event id",     "eventid",
    "type",       "source",       "category",       "date",         "time",
    "user",       "computer",     "log name",       "log",          "id",
    "event",      "level",        "keywords",       "task category"};

/* The index after "LABEL:" when line l starts with a block label. */
static size_t label_end(const kbc_kb_line *l, bool *is_desc)
{
        bool bullet;
        size_t i = line_start(l, &bullet);
        *is_desc = false;
        if (ci_at(l->s, l->len, i, "description")) {
                size_t j = skip_ws(l->s, l->len, i + 11);
                if (j < l->len && (l->s[j] == ':' || l->s[j] == '=')) {
                        *is_desc = true;
                        return skip_ws(l->s, l->len, j + 1);
                }
                return 0;
        }
        for (size_t k = 0; k < sizeof(block_labels) / sizeof(*block_labels);
             k++) {
                if (!ci_at(l->s, l->len, i, block_labels[k]))
                        continue;
                size_t j = skip_ws(l->s, l->len, i + strlen(block_labels[k]));
                if (j < l->len && (l->s[j] == ':' || l->s[j] == '='))
                        return j + 1;
        }
        return 0;
}

/* "   Q217023 Event ID 5701 Starting Netlogon ...": a reference to another
 * article, whose title is not this article's signal. */
static bool kb_ref_line(const kbc_kb_line *l)
{
        bool bullet;
        size_t i = line_start(l, &bullet), j = i + 1;
        if (i >= l->len || (l->s[i] != 'Q' && l->s[i] != 'q'))
                return false;
        while (j < l->len && isdigit((unsigned char)l->s[j]))
                j++;
        return j - i >= 5 && j - i <= 8 &&
               (j == l->len || is_ws(l->s[j]) || l->s[j] == ':');
}

/* "1. Click Start": a numbered step, not a message. */
static bool step_line(const kbc_kb_line *l)
{
        bool bullet;
        size_t i = line_start(l, &bullet), j = i;
        while (j < l->len && isdigit((unsigned char)l->s[j]) && j - i < 3)
                j++;
        if (j > i && j + 1 < l->len && (l->s[j] == '.' || l->s[j] == ')') &&
            is_ws(l->s[j + 1]))
                return true;
        /* "a. Click", "b) Type" */
        return i + 2 < l->len && islower((unsigned char)l->s[i]) &&
               (l->s[i + 1] == '.' || l->s[i + 1] == ')') && is_ws(l->s[i + 2]);
}

/* A line of a labelled event block: a label, or "Event ID N" first. */
static bool block_line(const kbc_kb_line *l)
{
        bool d, bullet;
        if (l->indent < 1 && !label_end(l, &d))
                return false;
        if (label_end(l, &d))
                return true;
        size_t i = line_start(l, &bullet);
        return ci_at(l->s, l->len, i, "event") &&
               event_prefix(l->s, l->len, i) != 0;
}

/* Source code, not a message: statements, braces, comments. */
static bool looks_like_code(const kbc_kb_line *l)
{
        size_t n = l->len;
        while (n && is_ws(l->s[n - 1]))
                n--;
        bool bullet;
        size_t i = line_start(l, &bullet);
        if (!n || i >= n)
                return false;
        char last = l->s[n - 1];
        /* Braces alone or opening a block; "{GUID}" is not code. */
        bool brace = (n - i == 1 && (last == '{' || last == '}')) ||
                     (last == '{' && n - i > 1 && l->s[n - 2] == ' ');
        /* "eax=00000101 ebx=00000000 ...": registers of a crash dump. */
        int assigns = 0;
        for (size_t k = i + 1; k < n; k++)
                assigns += l->s[k] == '=' && is_alnum(l->s[k - 1]) &&
                           k + 1 < n && isxdigit((unsigned char)l->s[k + 1]);
        return last == ';' || brace || assigns >= 3 ||
               ci_at(l->s, n, i, "//") || ci_at(l->s, n, i, "#include") ||
               ci_at(l->s, n, i, "#define") || ci_at(l->s, n, i, "/*");
}

/* "ID: 1234" lines of column blocks, when the paragraph has a Source or a
 * Type label too. */
static void scan_id_labels(ctx *c)
{
        for (size_t li = 0; li < c->n; li++) {
                const kbc_kb_line *l = &c->L[li];
                if (c->para[li] < 0)
                        continue;
                bool bullet;
                size_t i = line_start(l, &bullet);
                if (!word_at(l->s, l->len, i, "id"))
                        continue;
                size_t j = skip_ws(l->s, l->len, i + 2);
                bool colon = j < l->len && l->s[j] == ':';
                if (colon)
                        j = skip_ws(l->s, l->len, j + 1);
                long id;
                size_t end;
                if (!event_number(l->s, l->len, j, &id, &end))
                        continue;
                /* "ID 1601 Source: DNS": the source on the line says what
                 * the bare ID is. */
                bool block = ci_contains(l->s + end, l->len - end, "source");
                if (!colon && !block)
                        continue;
                for (size_t k = li; k-- > 0 && c->para[k] == c->para[li];) {
                        bool b2;
                        size_t st = line_start(&c->L[k], &b2);
                        if (ci_at(c->L[k].s, c->L[k].len, st, "source") ||
                            ci_at(c->L[k].s, c->L[k].len, st, "type") ||
                            ci_at(c->L[k].s, c->L[k].len, st, "event type"))
                                block = true;
                }
                if (block)
                        add_mention(c, li, i, end, id, true);
        }
}

/* ---- 2. sources ---------------------------------------------------------- */

static bool stop_word(const char *w, size_t n)
{
        while (n && (w[n - 1] == ':' || w[n - 1] == '='))
                n--;
        static const char *const stops[] = {
            "description", "event",       "category", "type",     "id",
            "date",        "time",        "user",     "computer", "eventid",
            "log",         "the",         "with",     "is",       "error",
            "warning",     "information", "success",  "failure",  "audit"};
        for (size_t k = 0; k < sizeof(stops) / sizeof(*stops); k++)
                if (strlen(stops[k]) == n && ci_at(w, n, 0, stops[k]))
                        return true;
        return false;
}

/* "The", "With", "Is": a sentence's words, never a name's first. */
static bool prose_word(const char *w, size_t n)
{
        static const char *const prose[] = {"the", "with", "is"};
        for (size_t k = 0; k < sizeof(prose) / sizeof(*prose); k++)
                if (strlen(prose[k]) == n && ci_at(w, n, 0, prose[k]))
                        return true;
        return false;
}

/* Does a name go on after the word that ends at w: one space, then a
 * capitalized word that is no label's ("User Device Registration", not
 * "User: X" or "Event Category:")? */
static bool name_goes_on(const char *s, size_t len, size_t w)
{
        if (w + 1 >= len || s[w] != ' ' || s[w - 1] == ':' || s[w - 1] == '=' ||
            !isupper((unsigned char)s[w + 1]))
                return false;
        size_t e = w + 1;
        while (e < len && isalnum((unsigned char)s[e]))
                e++;
        return !stop_word(s + w + 1, e - w - 1) &&
               (e >= len || (s[e] != ':' && s[e] != '='));
}

/* Reads a source value at i; NULL when there is none. */
static const char *source_value(ctx *c, const char *s, size_t len, size_t i,
                                bool paren)
{
        size_t b = skip_ws(s, len, i), e = b, named = b;
        int words = 0;
        while (e < len && words < 6) {
                size_t w = e;
                while (w < len && !is_ws(s[w]) && s[w] != ',' && s[w] != ';' &&
                       s[w] != '(' && s[w] != ')' && s[w] != '<' &&
                       s[w] != '"' && s[w] != '[')
                        w++;
                size_t wl = w - e;
                if (!wl)
                        break;
                /* A word in lower case ends the name (except short joins
                 * like "for" in "Microsoft OLE DB Provider for ODBC"). */
                bool lower = islower((unsigned char)s[e]);
                bool join = wl <= 3 && words > 0 && lower;
                /* "Windows Firewall With Advanced Security": a capitalized
                 * "With" between capitalized words is part of the name. */
                bool title_with = words > 0 && wl == 4 &&
                                  !strncmp(s + e, "With", 4) && w + 1 < len &&
                                  s[w] == ' ' &&
                                  isupper((unsigned char)s[w + 1]);
                if ((lower && words > 0 && !join) ||
                    (words > 0 && !title_with && stop_word(s + e, wl)) ||
                    (wl == 1 && s[e] == '-'))
                        break;
                /* "Source: User Device Registration": a label's word
                 * opens a name when a capitalized word that is none
                 * follows it ("Event Category:" is two labels). */
                if (words == 0 && stop_word(s + e, wl) &&
                    !(isupper((unsigned char)s[e]) && !prose_word(s + e, wl) &&
                      name_goes_on(s, len, w)))
                        break;
                words++;
                e = w;
                if (!join)
                        named = w;
                /* The name ends at two spaces, a tab, or punctuation. */
                if (e >= len || s[e] != ' ' || (e + 1 < len && is_ws(s[e + 1])))
                        break;
                if (!paren && e + 1 < len && s[e + 1] == '-')
                        break;
                e++;
        }
        /* Drop a trailing join word ("TermDD in the system log"). */
        e = named;
        while (e > b && (is_ws(s[e - 1]) || s[e - 1] == '.' || s[e - 1] == ':'))
                e--;
        if (e <= b)
                return NULL;
        if (!isalnum((unsigned char)s[b]) && s[b] != '_')
                return NULL;
        return kbc_arena_strndup(c->a, s + b, e - b);
}

static void add_source(ctx *c, size_t line, size_t col, const char *v)
{
        if (!v || c->nsrc >= KBC_KB_MAX_SIGNALS)
                return;
        source *p = grow(c->src, &c->capsrc, c->nsrc + 1, sizeof(*p));
        if (!p)
                return;
        c->src = p;
        c->src[c->nsrc++] = (source){line, col, v, false};
}

/* Is the "from" at i right after "event [id] N": the event's source? */
static bool from_source(const char *s, size_t i)
{
        size_t e = i;
        while (e > 0 && is_ws(s[e - 1]))
                e--;
        size_t d = e;
        while (d > 0 && isdigit((unsigned char)s[d - 1]))
                d--;
        if (d == e)
                return false;
        for (size_t k = 0; k + 5 <= d; k++)
                if (ci_at(s, d, k, "event"))
                        return true;
        return false;
}

/* Is the "source" at i the one of "Event ID 56 with source X", "event
 * 1001 from the source X": "with" or "from", maybe "the", right after
 * "event [id] N"? */
static bool source_after_event(const char *s, size_t i)
{
        size_t e = i;
        while (e > 0 && is_ws(s[e - 1]))
                e--;
        if (e >= 4 && word_at(s, e, e - 3, "the"))
                for (e -= 3; e > 0 && is_ws(s[e - 1]);)
                        e--;
        if (e >= 5 &&
            (word_at(s, e, e - 4, "with") || word_at(s, e, e - 4, "from")))
                return from_source(s, e - 4);
        return false;
}

static void scan_sources(ctx *c, size_t li)
{
        const kbc_kb_line *l = &c->L[li];
        const char *s = l->s;
        size_t len = l->len;
        bool bullet;
        size_t first = line_start(l, &bullet);
        for (size_t i = 0; i + 6 <= len; i++) {
                if (word_at(s, len, i, "event") && event_prefix(s, len, i)) {
                        size_t b = source_start(s, i), e = i;
                        while (e > b && s[e - 1] == ' ')
                                e--;
                        if (b < i)
                                add_source(
                                    c, li, i,
                                    kbc_arena_strndup(c->a, s + b, e - b));
                        i += 4;
                        continue;
                }
                if (word_at(s, len, i, "from") && from_source(s, i)) {
                        /* "Event id 2078 from MSExchangeIS Private" */
                        add_source(c, li, i,
                                   source_value(c, s, len, i + 4, false));
                        i += 3;
                        continue;
                }
                if (!word_at(s, len, i, "source"))
                        continue;
                size_t j = skip_ws(s, len, i + 6);
                if (j < len && (s[j] == ':' || s[j] == '=')) {
                        add_source(c, li, i,
                                   source_value(c, s, len, j + 1, false));
                } else if (j < len && s[j] == '(') {
                        add_source(c, li, i,
                                   source_value(c, s, len, j + 1, true));
                } else if (source_after_event(s, i)) {
                        /* "Event ID 56 with source TermDD" */
                        add_source(c, li, i, source_value(c, s, len, j, false));
                } else if (i == first && li > 0 && c->para[li] >= 0 &&
                           c->para[li - 1] == c->para[li]) {
                        /* "Event ID 5002" then "Source IBMTOK". */
                        bool b2;
                        const kbc_kb_line *p = &c->L[li - 1];
                        size_t ps = line_start(p, &b2);
                        if (ci_at(p->s, p->len, ps, "event"))
                                add_source(c, li, i,
                                           source_value(c, s, len, j, false));
                }
                i += 5;
        }
}

/* ---- pairing and event texts -------------------------------------------- */

static const char *nearest_source(ctx *c, const mention *m)
{
        const source *best = NULL;
        size_t bestd = SIZE_MAX;
        for (size_t k = 0; k < c->nsrc; k++) {
                const source *s = &c->src[k];
                if (c->para[s->line] != c->para[m->line])
                        continue;
                size_t d =
                    s->line > m->line ? s->line - m->line : m->line - s->line;
                if (d > SOURCE_REACH)
                        continue;
                /* On the same line, the closer column wins. */
                size_t dd = d * 4096 + (s->col > m->col ? s->col - m->col
                                                        : m->col - s->col);
                if (dd < bestd) {
                        bestd = dd;
                        best = s;
                }
        }
        return best ? best->value : NULL;
}

/* Where the text after "Event ID: 9266 ..." on the mention's own line
 * starts; skips inline labels up to "Description:". */
static size_t inline_text(const kbc_kb_line *l, size_t i)
{
        const char *s = l->s;
        size_t len = l->len;
        for (size_t k = i; k + 12 <= len; k++)
                if (ci_at(s, len, k, "description") &&
                    (s[skip_ws(s, len, k + 11)] == ':'))
                        return skip_ws(s, len, skip_ws(s, len, k + 11) + 1);
        i = skip_ws(s, len, i);
        while (i < len &&
               (s[i] == ':' || s[i] == '-' || s[i] == ')' || is_ws(s[i])))
                i++;
        /* Labels on the line but no description: no text here. */
        if (ci_at(s, len, i, "from ") ||
            ci_contains(s + i, len - i, "source") ||
            ci_contains(s + i, len - i, "category") ||
            ci_contains(s + i, len - i, "type:"))
                return len;
        return i;
}

static bool is_log_block(ctx *c, const mention *m)
{
        const kbc_kb_line *l = &c->L[m->line];
        bool bullet;
        line_start(l, &bullet);
        if (!m->label)
                return false;
        if (l->indent >= 2 || bullet)
                return true;
        /* A labelled block at the margin: "Event ID: 1\nSource: X". */
        for (size_t k = m->line; k < c->n && c->para[k] == c->para[m->line];
             k++) {
                bool d;
                if (k != m->line && label_end(&c->L[k], &d))
                        return true;
        }
        return false;
}

/* The text of the event block that starts with mention m. */
static const char *event_text(ctx *c, const mention *m, size_t next_line)
{
        kbc_buf b;
        const char *out = NULL;
        kbc_buf_init(&b, MAX_EVENT_TEXT);
        const kbc_kb_line *l = &c->L[m->line];
        size_t t = inline_text(l, m->end);
        bool want_next = false;
        if (t < l->len) {
                collapse_into(&b, l->s + t, l->len - t);
                kbc_buf_putc(&b, ' ');
        } else
                want_next = ci_contains(l->s, l->len, "description");
        size_t k = m->line + 1;
        for (; k < c->n && k < next_line; k++) {
                bool desc;
                if (c->para[k] < 0 && c->L[k].blank && k + 1 < c->n &&
                    c->para[k + 1] == c->para[m->line])
                        continue; /* a blank inside a joined block */
                if (c->para[k] != c->para[m->line])
                        break;
                size_t e = label_end(&c->L[k], &desc);
                c->consumed[k] = true;
                if (e && !desc)
                        continue;
                if (desc) {
                        if (e >= c->L[k].len)
                                want_next = true;
                        else
                                collapse_into(&b, c->L[k].s + e,
                                              c->L[k].len - e);
                        kbc_buf_putc(&b, ' ');
                        continue;
                }
                collapse_into(&b, c->L[k].s, c->L[k].len);
                kbc_buf_putc(&b, ' ');
        }
        /* Labels above the event line belong to it too. */
        for (size_t p = m->line; p-- > 0;) {
                bool desc;
                if (c->para[p] < 0 && c->L[p].blank && p > 0 &&
                    c->para[p - 1] == c->para[m->line])
                        continue;
                if (c->para[p] != c->para[m->line])
                        break;
                if (!label_end(&c->L[p], &desc))
                        break;
                c->consumed[p] = true;
        }
        /* "Description:" alone: the text is the next indented paragraph. */
        if (want_next && b.len == 0 && k == next_line) {
                size_t q = k;
                while (q < c->n && c->para[q] < 0 && c->L[q].blank)
                        q++;
                int pp = q < c->n ? c->para[q] : -1;
                for (; q < c->n && pp >= 0 && c->para[q] == pp &&
                       c->L[q].indent >= 2;
                     q++) {
                        c->consumed[q] = true;
                        collapse_into(&b, c->L[q].s, c->L[q].len);
                        kbc_buf_putc(&b, ' ');
                }
        } else if (want_next && b.len == 0) {
                size_t q = k;
                while (q < c->n && c->L[q].blank && c->L[q].body)
                        q++;
                int pp = q < c->n ? c->para[q] : -1;
                bool has_event = false;
                for (size_t r = 0; r < c->nm; r++)
                        if (c->m[r].line < c->n && pp >= 0 &&
                            c->para[c->m[r].line] == pp)
                                has_event = true;
                for (; !has_event && q < c->n && pp >= 0 && c->para[q] == pp &&
                       c->L[q].indent >= 2;
                     q++) {
                        c->consumed[q] = true;
                        collapse_into(&b, c->L[q].s, c->L[q].len);
                        kbc_buf_putc(&b, ' ');
                }
        }
        out = buf_final(c, &b);
        kbc_buf_free(&b);
        return out;
}

/* "- Event 5788" over the words it logs: the mention is all its line
 * says (a colon may follow). */
static bool mention_alone(const ctx *c, const mention *m)
{
        const kbc_kb_line *l = &c->L[m->line];
        bool bullet;
        if (line_start(l, &bullet) != m->col)
                return false;
        for (size_t k = m->end; k < l->len; k++)
                if (!is_ws(l->s[k]) && l->s[k] != ':')
                        return false;
        return true;
}

static void emit_events(ctx *c)
{
        for (size_t k = 0; k < c->nm; k++) {
                mention *m = &c->m[k];
                sig *s = add_sig(c, KBC_KB_EVENT, m->line, m->col);
                if (!s)
                        return;
                s->s.event_id = m->id;
                s->s.source = nearest_source(c, m);
                s->alone = mention_alone(c, m);
                /* A line naming an event is not a quoted message. */
                if (c->L[m->line].indent >= 2)
                        c->consumed[m->line] = true;
                if (!is_log_block(c, m))
                        continue;
                c->consumed[m->line] = true;
                /* The block runs to the next labelled event mention of the
                 * paragraph (several events can share one paragraph). */
                size_t next = c->n;
                for (size_t r = k + 1; r < c->nm; r++)
                        if (c->m[r].label && c->m[r].line > m->line) {
                                next = c->m[r].line;
                                break;
                        }
                s->s.text = event_text(c, m, next);
        }
}

/* ---- 3. quoted messages ------------------------------------------------- */

/* Does the sentence announce a list of things ("any of the following
 * products:", "the following files")? The noun after "following" says. */
static bool following_list(const char *s, size_t len)
{
        static const char *const things[] = {
            "product",   "program",  "application", "file",     "folder",
            "director",  "key",      "value",       "setting",  "driver",
            "version",   "item",     "option",      "line",     "entr",
            "step",      "compon",   "method",      "command",  "parameter",
            "propert",   "server",   "computer",    "platform", "operating",
            "situation", "condition"};
        for (size_t i = 0; i + 10 <= len; i++) {
                if (!word_at(s, len, i, "following"))
                        continue;
                size_t j = skip_ws(s, len, i + 9);
                bool thing = false;
                for (size_t k = 0; k < sizeof(things) / sizeof(*things); k++)
                        thing |= ci_at(s, len, j, things[k]);
                /* "the following application error:", "the following
                 * program message": a message after all */
                size_t e = j;
                for (int w = 0; w < 3 && e < len; w++) {
                        while (e < len && !is_ws(s[e]))
                                e++;
                        e = skip_ws(s, len, e);
                }
                static const char *const said[] = {"error", "message", "event",
                                                   "warning", "dialog"};
                if (thing && !ci_contains_any(s + j, e - j, said,
                                              sizeof(said) / sizeof(*said)))
                        return true;
        }
        return false;
}

/* Does the prose that introduces an indented run announce a message? */
static bool announces_message(ctx *c, size_t li)
{
        const kbc_kb_line *l = &c->L[li];
        size_t len = l->len;
        while (len && is_ws(l->s[len - 1]))
                len--;
        if (!len)
                return false;
        char last = l->s[len - 1];
        /* The sentence: this line and up to two before it. */
        char sent[512];
        size_t sl = 0;
        size_t from = li;
        while (from > 0 && li - from < 2 && c->para[from - 1] == c->para[li])
                from--;
        for (size_t k = from; k <= li; k++) {
                size_t n = c->L[k].len, room = sizeof(sent) - 2 - sl;
                if (sl + 2 >= sizeof(sent))
                        break;
                if (n > room)
                        n = room;
                memcpy(sent + sl, c->L[k].s, n);
                sl += n;
                sent[sl++] = ' ';
        }
        sent[sl] = '\0';
        bool following = ci_contains(sent, sl, "following");
        /* "the following products:", "the following files": a list of
         * things, not what the program said; but "may log the following
         * entry:" is a line of a log. */
        bool logs =
            word_at(sent, sl, 0, "log") || ci_contains(sent, sl, " log ") ||
            ci_contains(sent, sl, "logged") || ci_contains(sent, sl, "logs ");
        if (!logs && following_list(sent, sl))
                return false;
        static const char *const strong[] = {
            "error message",     "following error", "following event",
            "following warning", "error:",          "errors:"};
        bool said =
            ci_contains_any(sent, sl, strong, sizeof(strong) / sizeof(*strong));
        /* "you may receive the following error message" may end in no
         * punctuation at all. */
        if (said && following && is_alnum(last))
                return true;
        if (last != ':' && !(last == '.' && following))
                return false;
        if (said)
                return true;
        static const char *const no[] = {"steps",  "registry",        "command",
                                         "syntax", "procedure",       "sample",
                                         "code:",  "following lines", "entries",
                                         "key:",   "values",          "macro",
                                         "script", "following files"};
        /* Instructions ("the following steps:") on the line itself. */
        if (ci_contains_any(l->s, len, no, sizeof(no) / sizeof(*no)))
                return false;
        static const char *const yes[] = {
            "error",   "message",   "warning", "event",       "logged",
            "log:",    "displayed", "dialog",  "alert",       "prompt",
            "receive", "reports",   "screen",  "fails with",  "text:",
            "returns", "returned",  "stop",    "followed by", "entry:"};
        return ci_contains_any(sent, sl, yes, sizeof(yes) / sizeof(*yes));
}

/* "ID no: c10312c6", "NT ID: ...", "-or-": lines that are not message. */
static bool aside_line(const kbc_kb_line *l)
{
        bool bullet;
        size_t i = line_start(l, &bullet);
        const char *s = l->s + i;
        size_t n = l->len - i;
        while (n && is_ws(s[n - 1]))
                n--;
        if (ci_at(s, n, 0, "id no") || ci_at(s, n, 0, "nt id") ||
            ci_at(s, n, 0, "-or-") || ci_at(s, n, 0, "- or -") ||
            ci_at(s, n, 0, "-and-") || ci_at(s, n, 0, "- and -") ||
            (n == 2 && ci_at(s, n, 0, "or")) ||
            (n == 3 && ci_at(s, n, 0, "and")))
                return true;
        return false;
}

/* A registry key, or a file path with nothing said about it
 * ("C:\Program Files\Office\Msbp.exe"): what to look at, not a
 * message. A path followed by words in lower case ("C:\share is not
 * accessible") is a message. */
static bool only_a_path(const char *t)
{
        if (!strncasecmp(t, "HKEY_", 5) || !strncasecmp(t, "HKLM\\", 5))
                return true;
        bool drive =
            isalpha((unsigned char)t[0]) && t[1] == ':' && t[2] == '\\';
        if (!drive && strncmp(t, "\\\\", 2))
                return false;
        for (const char *p = t; *p; p++)
                if (*p == ' ' && islower((unsigned char)p[1]))
                        return false;
        return true;
}

/* A dialog caption alone: at most five words in title case, with no
 * colon, question or exclamation and no word of trouble ("Microsoft Windows
 * NT", "Windows Internet Naming Service"). The message is the text under it. */
static bool caption(const char *t)
{
        size_t words = 1, len = strlen(t);
        if (!len || strchr(t, ':') || strchr("!?", t[len - 1]))
                return false;
        for (const char *p = t; *p; p++) {
                if (*p != ' ')
                        continue;
                words++;
                /* "of", "for", "and" may stay in lower case */
                if (islower((unsigned char)p[1]) && strncmp(p + 1, "of ", 3) &&
                    strncmp(p + 1, "for ", 4) && strncmp(p + 1, "and ", 4))
                        return false;
        }
        /* "Internal Processing Error" is the message itself. */
        static const char *const trouble[] = {
            "error",     "fail",    "denied",       "invalid", "violation",
            "exception", "fatal",   "cannot",       "unable",  "not ",
            "warning",   "corrupt", "missing",      "bad ",    "illegal",
            "abort",     "problem", "insufficient", "out of",  "fault"};
        return words <= 5 && isupper((unsigned char)t[0]) &&
               !ci_contains_any(t, len, trouble,
                                sizeof(trouble) / sizeof(*trouble));
}

/* Was the line broken by the author rather than wrapped at the margin?
 * A dialog's caption, a log's "App:" and "When:" lines, a message and the
 * prompt under it are lines of their own, which one event never shows
 * together; a long line continued by the next is one sentence. */
static bool hard_break(const kbc_kb_line *l, const kbc_kb_line *next)
{
        bool bullet;
        size_t i = line_start(next, &bullet), w = i;
        while (w < next->len && !is_ws(next->s[w]))
                w++;
        if (i >= next->len || islower((unsigned char)next->s[i]))
                return false; /* the sentence goes on */
        /* The column the line ends at: its indent (tabs as 8) and the
         * rest of its text, trailing blanks left out. */
        size_t lead = 0, len = l->len;
        while (lead < len && (l->s[lead] == ' ' || l->s[lead] == '\t'))
                lead++;
        while (len > lead && is_ws(l->s[len - 1]))
                len--;
        size_t end = (size_t)l->indent + (len - lead);
        return end + 1 + (w - i) <= WRAP_MARGIN;
}

/* The message without the lines that are dialog captions ("Microsoft
 * Windows NT" above or under the text): an event never shows the caption
 * in the words of the quote. A caption alone stays (the caller drops it). */
static const char *without_captions(ctx *c, const char *t)
{
        if (!t || !strchr(t, '\n'))
                return t;
        kbc_buf b;
        kbc_buf_init(&b, MAX_MSG_TEXT);
        for (const char *p = t; p;) {
                const char *nl = strchr(p, '\n');
                char *l = kbc_arena_strndup(c->a, p,
                                            nl ? (size_t)(nl - p) : strlen(p));
                if (*l && !caption(l)) {
                        if (b.len)
                                kbc_buf_putc(&b, '\n');
                        kbc_buf_puts(&b, l);
                }
                p = nl ? nl + 1 : NULL;
        }
        const char *out = b.len ? kbc_arena_strndup(c->a, b.data, b.len) : t;
        kbc_buf_free(&b);
        return out;
}

/* One message per paragraph: its lines joined by a space where the text
 * was wrapped, by a line break where the author broke the line (the
 * compiler makes one pattern of each such line). */
static void emit_message(ctx *c, size_t b, size_t e)
{
        kbc_buf buf;
        kbc_buf_init(&buf, MAX_MSG_TEXT);
        size_t first = SIZE_MAX, prev = SIZE_MAX;
        for (size_t k = b; k < e; k++) {
                if (aside_line(&c->L[k]))
                        continue;
                if (first == SIZE_MAX)
                        first = k;
                if (prev != SIZE_MAX) {
                        while (buf.len && buf.data[buf.len - 1] == ' ')
                                buf.len--;
                        kbc_buf_putc(&buf, hard_break(&c->L[prev], &c->L[k])
                                               ? '\n'
                                               : ' ');
                }
                collapse_into(&buf, c->L[k].s, c->L[k].len);
                prev = k;
        }
        const char *t = without_captions(c, buf_final(c, &buf));
        kbc_buf_free(&buf);
        if (!t || strlen(t) < 4)
                return;
        if (caption(t))
                return;
        /* "STOP: 0x00000024 (...)" alone is a code, not a message: keep it
         * only when a word follows (KMODE_EXCEPTION_NOT_HANDLED). */
        if (!strncasecmp(t, "stop", 4)) {
                bool word = false;
                for (const char *p = t + 4; *p;) {
                        while (*p && !isalpha((unsigned char)*p))
                                p++;
                        bool hex = true;
                        int letters = 0;
                        while (*p &&
                               (isalnum((unsigned char)*p) || *p == '_')) {
                                hex &= hexv(*p) >= 0;
                                letters += isalpha((unsigned char)*p) != 0;
                                p++;
                        }
                        if (letters >= 4 && !hex)
                                word = true;
                }
                if (!word)
                        return;
        }
        bool letter = false;
        for (const char *p = t; *p; p++)
                if (isalpha((unsigned char)*p))
                        letter = true;
        if (!letter || only_a_path(t))
                return;
        sig *s = add_sig(c, KBC_KB_MESSAGE, first, 0);
        if (s)
                s->s.text = t;
}

/* The line before the indented run or runs that end at line i: the
 * prose that introduces them. A one-line title between them ("Microsoft
 * Windows NT" heading the NT form of a message) is stepped over. */
static size_t intro_before(ctx *c, size_t i)
{
        const char *section = c->L[i].section;
        size_t p = i;
        for (;;) {
                while (p > 0 &&
                       (c->L[p - 1].blank || c->L[p - 1].indent >= 2 ||
                        c->para[p - 1] < 0) &&
                       c->L[p - 1].section == section &&
                       (c->L[p - 1].body || c->L[p - 1].blank))
                        p--;
                if (p < 2 || c->para[p - 1] < 0 ||
                    c->L[p - 1].section != section ||
                    c->para[p - 2] == c->para[p - 1])
                        return p;
                const kbc_kb_line *t = &c->L[p - 1];
                char *title = kbc_arena_strndup(c->a, t->s, t->len);
                if (!caption(title))
                        return p;
                p--;
        }
}

/* A Dr. Watson log excerpt is quoted for what it says, whatever
 * introduces it ("For example:"). */
static bool crash_log(const kbc_kb_line *l)
{
        bool bullet;
        size_t i = line_start(l, &bullet);
        return ci_at(l->s, l->len, i, "application exception occurred");
}

/* A command and what it printed: a line that opens with a prompt ("C:\>",
 * "PS C:\Windows>") or dcdiag's "Starting test:". What a tool prints is
 * its own report, not a message Windows shows or logs. */
static bool transcript_line(const kbc_kb_line *l)
{
        bool bullet;
        size_t i = line_start(l, &bullet);
        if (ci_at(l->s, l->len, i, "starting test:"))
                return true;
        if (ci_at(l->s, l->len, i, "ps "))
                i += 3;
        if (i + 2 >= l->len || !isalpha((unsigned char)l->s[i]) ||
            l->s[i + 1] != ':' || l->s[i + 2] != '\\')
                return false;
        /* "C:\<dirname>\X.EXE is not ...": a placeholder's ">" is no
         * prompt's. */
        for (size_t k = i + 3; k < l->len && !is_ws(l->s[k]); k++)
                if (l->s[k] == '<')
                        return false;
                else if (l->s[k] == '>')
                        return true;
        return false;
}

/* "Repadmin /showreps displays the following error message:": an
 * introduction whose subject is a command with its switch announces what
 * the tool printed, its own report (not "setup displays the following
 * error after you run Setup /a", whose error is Setup's). */
static bool command_intro(const kbc_kb_line *l)
{
        size_t i = 0;
        while (i < l->len && !isalpha((unsigned char)l->s[i]))
                i++;
        while (i < l->len && (isalnum((unsigned char)l->s[i]) ||
                              l->s[i] == '.' || l->s[i] == '_'))
                i++;
        return i + 2 < l->len && l->s[i] == ' ' && l->s[i + 1] == '/' &&
               islower((unsigned char)l->s[i + 2]);
}

static void scan_messages(ctx *c)
{
        size_t i = 0;
        while (i < c->n) {
                const kbc_kb_line *l = &c->L[i];
                if (c->para[i] < 0 || l->indent < 2) {
                        i++;
                        continue;
                }
                /* An indented run starts here: find the prose before it. */
                size_t p = intro_before(c, i);
                bool announced = p > 0 && c->para[p - 1] >= 0 &&
                                 c->L[p - 1].section == l->section &&
                                 announces_message(c, p - 1);
                /* The run: indented paragraphs until the prose resumes. */
                size_t e = i;
                while (e < c->n && (c->L[e].blank || c->L[e].indent >= 2) &&
                       c->L[e].section == l->section &&
                       (c->L[e].body || c->L[e].blank))
                        e++;
                if ((announced && !transcript_line(l) &&
                     !command_intro(&c->L[p - 1])) ||
                    crash_log(l)) {
                        size_t b = i;
                        int step_indent = -1; /* of the step being read */
                        while (b < e) {
                                while (b < e && c->para[b] < 0)
                                        b++;
                                if (b == e)
                                        break;
                                size_t q = b;
                                bool used = false;
                                /* "1. Delete the files" and the notes
                                 * indented under it: instructions inside a
                                 * dialog, not what it says went wrong. */
                                if (step_line(&c->L[b]))
                                        step_indent = c->L[b].indent;
                                else if (c->L[b].indent <= step_indent)
                                        step_indent = -1;
                                used = step_indent >= 0 ||
                                       (!announced && !crash_log(&c->L[b]));
                                while (q < e && c->para[q] >= 0 &&
                                       c->para[q] == c->para[b]) {
                                        used |= c->consumed[q] ||
                                                looks_like_code(&c->L[q]) ||
                                                kb_ref_line(&c->L[q]);
                                        q++;
                                }
                                /* "The event details contain the
                                 * description:" introduces, it is not. */
                                if (q == b + 1) {
                                        const kbc_kb_line *o = &c->L[b];
                                        size_t ol = o->len;
                                        while (ol && is_ws(o->s[ol - 1]))
                                                ol--;
                                        if (ol && o->s[ol - 1] == ':')
                                                used = true;
                                }
                                if (q > b && !used)
                                        emit_message(c, b, q);
                                b = q;
                        }
                }
                i = e > i ? e : i + 1;
        }
}

/* ---- 4. error codes ----------------------------------------------------- */

static void add_code(ctx *c, size_t li, size_t col, uint32_t v)
{
        char code[16];
        snprintf(code, sizeof(code), "0x%08X", (unsigned)v);
        sig *s = add_sig(c, KBC_KB_CODE, li, col);
        if (s)
                s->s.code = kbc_arena_strdup(c->a, code);
}

/* Hex digits at i (at most 8, whole word); their count, value in *v. */
static size_t hex_word(const char *s, size_t len, size_t i, uint32_t *v)
{
        size_t j = i;
        uint32_t x = 0;
        while (j < len && hexv(s[j]) >= 0 && j - i < 9)
                x = x * 16 + (uint32_t)hexv(s[j++]);
        if (j == i || j - i > 8)
                return 0;
        if (j < len && (is_alnum(s[j]) || s[j] == '_'))
                return 0;
        *v = x;
        return j - i;
}

/* Number of 8-digit hex words on the line (memory dumps have many). */
static int hex8_count(const char *s, size_t len)
{
        int n = 0;
        for (size_t i = 0; i < len; i++) {
                if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '_'))
                        continue;
                size_t j = i;
                if (j + 1 < len && s[j] == '0' &&
                    (s[j + 1] == 'x' || s[j + 1] == 'X'))
                        j += 2;
                uint32_t v;
                if (hex_word(s, len, j, &v) == 8) {
                        n++;
                        i = j + 7;
                }
        }
        return n;
}

/* Is an error word within the 40 characters before i? */
static bool error_context(const char *s, size_t i)
{
        size_t b = i > 40 ? i - 40 : 0;
        static const char *const words[] = {
            "error", "code",   "status", "return",  "result", "hr",
            "fail",  "except", "err",    "hresult", "stop",   "gle"};
        for (size_t k = 0; k < sizeof(words) / sizeof(*words); k++)
                for (size_t j = b; j + strlen(words[k]) <= i; j++)
                        if ((j == 0 || !is_alnum(s[j - 1])) &&
                            ci_at(s, i, j, words[k]))
                                return true;
        return false;
}

/* Is the word at i an address: after "at", "address", "base", "=", ":"? */
static bool address_context(const char *s, size_t i)
{
        size_t j = i;
        while (j > 0 && is_ws(s[j - 1]))
                j--;
        /* "Return code = 0x525", "hr = 0x80004005", "[gle=0x000003f0]":
         * a code, not a register or a field's value. */
        if (j > 0 && s[j - 1] == '=') {
                size_t w = j - 1;
                while (w > 0 && is_ws(s[w - 1]))
                        w--;
                if ((w >= 4 && ci_at(s, w, w - 4, "code")) ||
                    (w >= 2 && ci_at(s, w, w - 2, "hr")) ||
                    (w >= 3 && ci_at(s, w, w - 3, "gle")) || /* GetLastError */
                    (w >= 6 && ci_at(s, w, w - 6, "status")) ||
                    (w >= 5 && ci_at(s, w, w - 5, "error")))
                        return false;
        }
        /* "5.0.0x1", "-0x1", "+0x1": part of a version or a sum; but "the
         * operation. 0x80072098": a sentence ended before it. */
        bool glued = j == i && i > 0 &&
                     (s[i - 1] == '.' || s[i - 1] == '-' || s[i - 1] == '+' ||
                      s[i - 1] == '!' || s[i - 1] == '/' || s[i - 1] == '\\');
        if (glued || (j > 0 && (s[j - 1] == '=' || s[j - 1] == ':')))
                return s[j - 1] != ':' || j < 2 ||
                       !isalpha((unsigned char)s[j - 2]) ||
                       (j >= 4 && ci_at(s, j, j - 4, "ecx")) ||
                       (j >= 4 && ci_at(s, j, j - 4, "eax"));
        size_t b = j > 12 ? j - 12 : 0;
        return ci_contains(s + b, j - b, " at") ||
               (b == 0 && j >= 2 && ci_at(s, j, 0, "at")) ||
               ci_contains(s + b, j - b, "address") ||
               ci_contains(s + b, j - b, "base") ||
               ci_contains(s + b, j - b, "offset");
}

/* "STOP 0x0000000A (...)", "STOP: c0000221", "Stop 0xA": the code, and the
 * parenthesized parameters are skipped. Returns the index after the STOP
 * part or i when there is none. */
static size_t stop_code(ctx *c, size_t li, size_t i)
{
        const char *s = c->L[li].s;
        size_t len = c->L[li].len;
        if (!word_at(s, len, i, "stop") ||
            !(s[i] == 'S' && (s[i + 1] == 'T' || s[i + 1] == 't')))
                return i;
        size_t j = skip_ws(s, len, i + 4);
        if (j < len && s[j] == ':')
                j = skip_ws(s, len, j + 1);
        bool ox =
            j + 1 < len && s[j] == '0' && (s[j + 1] == 'x' || s[j + 1] == 'X');
        size_t h = ox ? j + 2 : j;
        uint32_t v;
        /* "0x00000001A": a typo with one zero too many still says 1A. */
        size_t z = h;
        while (ox && z + 8 < len && s[z] == '0' && hexv(s[z + 8]) >= 0)
                z++;
        size_t nd = hex_word(s, len, z, &v);
        if (nd)
                nd += z - h;
        /* Without 0x, a STOP code is written with all 8 digits. */
        if (!nd || (!ox && nd != 8))
                return i;
        if (!ox) {
                bool digit = false;
                for (size_t k = h; k < h + nd; k++)
                        digit |= isdigit((unsigned char)s[k]) != 0;
                if (!digit)
                        return i;
        }
        add_code(c, li, i, v);
        /* Parameters: "(0x1, 0x2)", " : (c0000005, ...)", ", C0000005,
         * A304EDE8" - all skipped to the end of the list. */
        size_t e = h + nd;
        while (e < len && (is_ws(s[e]) || s[e] == ':' || s[e] == ','))
                e++;
        if (e < len && s[e] == '(') {
                while (e < len && s[e] != ')')
                        e++;
                return e;
        }
        if (e > h + nd && e < len && s[e - 1] == ',') {
                while (e < len && (hexv(s[e]) >= 0 || is_ws(s[e]) ||
                                   s[e] == ',' || s[e] == 'x' || s[e] == 'X'))
                        e++;
                return e;
        }
        return h + nd;
}

/* "0000: c000005e": the data words of an event as Event Viewer shows
 * them (one or two; more are a dump). */
static bool data_line(const kbc_kb_line *l)
{
        bool bullet;
        size_t i = line_start(l, &bullet);
        for (size_t k = 0; k < 4; k++)
                if (i + k >= l->len || hexv(l->s[i + k]) < 0)
                        return false;
        return i + 4 < l->len && l->s[i + 4] == ':';
}

/* "0000200B: AtrErr: DSID-03151E6D": an LDAP extended error, whose first
 * word (ending at k) is the Win32 error, wherever it stands. */
static bool ldap_extended_error(const char *s, size_t len, size_t k)
{
        if (k >= len || s[k] != ':')
                return false;
        size_t w = skip_ws(s, len, k + 1), j = w;
        while (j < len && isalpha((unsigned char)s[j]))
                j++;
        size_t d = j + 1 < len ? skip_ws(s, len, j + 1) : len;
        return j - w >= 4 && ci_at(s, len, j - 3, "err") && s[j] == ':' &&
               ci_at(s, len, d, "dsid-");
}

static void scan_codes(ctx *c, size_t li)
{
        const char *s = c->L[li].s;
        size_t len = c->L[li].len;
        bool dump = hex8_count(s, len) >= 3;
        for (size_t i = 0; i < len; i++) {
                if (i > 0 && (is_alnum(s[i - 1]) || s[i - 1] == '_'))
                        continue;
                size_t e = stop_code(c, li, i);
                if (e != i) {
                        /* The parameters of a STOP code are addresses. */
                        i = e;
                        continue;
                }
                if (dump)
                        continue;
                /* "ID no: c10312c6", "NT ID: 0xC0020035" */
                if ((ci_at(s, len, i, "id no") || ci_at(s, len, i, "nt id")) &&
                    (i + 5 >= len || !isalpha((unsigned char)s[i + 5]))) {
                        size_t j = i + 5;
                        if (j < len && s[j] == '.')
                                j++;
                        j = skip_ws(s, len, j);
                        if (j < len && (s[j] == ':' || hexv(s[j]) >= 0)) {
                                if (s[j] == ':')
                                        j++;
                                j = skip_ws(s, len, j);
                                if (j + 1 < len && s[j] == '0' &&
                                    (s[j + 1] == 'x' || s[j + 1] == 'X'))
                                        j += 2;
                                uint32_t v;
                                size_t nd = hex_word(s, len, j, &v);
                                if (!nd && j < len) { /* 80004005-0507 */
                                        size_t q = j;
                                        while (q < len && hexv(s[q]) >= 0)
                                                q++;
                                        if (q - j == 8 && q < len &&
                                            s[q] == '-') {
                                                nd = 8;
                                                v = 0;
                                                for (size_t k = j; k < q; k++)
                                                        v = v * 16 +
                                                            (uint32_t)hexv(
                                                                s[k]);
                                        }
                                }
                                if (nd) {
                                        add_code(c, li, i, v);
                                        i = j + nd;
                                        continue;
                                }
                        }
                }
                /* Negative HRESULT: -2147467259 */
                if (s[i] == '-' && i + 11 <= len && s[i + 1] == '2' &&
                    s[i + 2] == '1' && (i == 0 || !is_alnum(s[i - 1]))) {
                        size_t j = i + 1;
                        uint64_t v = 0;
                        while (j < len && isdigit((unsigned char)s[j]) &&
                               j - i <= 10)
                                v = v * 10 + (uint64_t)(s[j++] - '0');
                        if (j - i == 11 && (j >= len || !is_alnum(s[j])) &&
                            v >= 2000000000ull && v <= 2147483648ull) {
                                add_code(c, li, i,
                                         (uint32_t)(4294967296ull - v));
                                i = j;
                                continue;
                        }
                }
                /* 0x... */
                if (s[i] == '0' && i + 2 < len &&
                    (s[i + 1] == 'x' || s[i + 1] == 'X')) {
                        uint32_t v;
                        size_t nd = hex_word(s, len, i + 2, &v);
                        if (!nd)
                                continue;
                        /* HRESULTs and NTSTATUS values: 0x8..., 0xC... */
                        bool high = nd == 8 && (hexv(s[i + 2]) == 8 ||
                                                hexv(s[i + 2]) == 12);
                        if ((high && !address_context(s, i)) ||
                            (!high && error_context(s, i) &&
                             !address_context(s, i)))
                                add_code(c, li, i, v);
                        i += 1 + nd;
                        continue;
                }
                /* Bare 8 hex digits: c0000005, 80070005, E0010004. */
                if (i + 8 <= len && hexv(s[i]) >= 0) {
                        uint32_t v = 0;
                        bool letter = false, digit = false;
                        size_t k = i;
                        for (; k < len && k < i + 9 && hexv(s[k]) >= 0; k++) {
                                v = v * 16 + (uint32_t)hexv(s[k]);
                                letter |= isalpha((unsigned char)s[k]) != 0;
                                digit |= isdigit((unsigned char)s[k]) != 0;
                        }
                        /* "[80070005-508-0-322]" ends in a dash. */
                        if (k - i != 8 || !digit ||
                            (k < len && s[k] != '-' &&
                             (is_alnum(s[k]) || s[k] == '_')))
                                goto next;
                        if (ldap_extended_error(s, len, k)) {
                                add_code(c, li, i, v);
                                i = k - 1;
                                goto next;
                        }
                        bool data = data_line(&c->L[li]);
                        if ((!data && address_context(s, i)) ||
                            (i > 0 && (s[i - 1] == '.' || s[i - 1] == '-')))
                                goto next;
                        bool status = (tolower((unsigned char)s[i]) == 'c' &&
                                       s[i + 1] == '0') ||
                                      (s[i] == '8' && s[i + 1] == '0');
                        bool apart =
                            i > 0 && (s[i - 1] == '(' || s[i - 1] == '[' ||
                                      s[i - 1] == '\'' || s[i - 1] == '"');
                        bool ok = error_context(s, i) && (status || letter);
                        ok |= status && (apart || data);
                        if (ok)
                                add_code(c, li, i, v);
                        i = k - 1;
                }
        next:;
        }
}

/* ---- deduplication and output ------------------------------------------- */

static bool same_ci(const char *a, const char *b)
{
        if (!a || !b)
                return a == b;
        return strcasecmp(a, b) == 0;
}

static void dedup(ctx *c)
{
        for (size_t i = 0; i < c->nv; i++) {
                sig *a = &c->v[i];
                if (a->dropped)
                        continue;
                for (size_t j = i + 1; j < c->nv; j++) {
                        sig *b = &c->v[j];
                        if (b->dropped || b->s.kind != a->s.kind)
                                continue;
                        bool dup = false;
                        switch (a->s.kind) {
                        case KBC_KB_EVENT:
                                /* Blocks of one event quoted with different
                                 * descriptions (one per error it reports)
                                 * are kept apart. */
                                dup = a->s.event_id == b->s.event_id &&
                                      same_ci(a->s.source, b->s.source) &&
                                      (!a->s.text || !b->s.text ||
                                       same_ci(a->s.text, b->s.text));
                                break;
                        case KBC_KB_MESSAGE:
                                dup = same_ci(a->s.text, b->s.text);
                                break;
                        case KBC_KB_CODE:
                                dup = !strcmp(a->s.code, b->s.code);
                                break;
                        }
                        if (!dup)
                                continue;
                        if (!a->s.text && b->s.text) {
                                a->s.text = b->s.text; /* b's block */
                                a->alone = b->alone;
                        }
                        b->dropped = true;
                }
        }
        /* An id seen without a source and elsewhere with one: keep the
         * one with the source (it says more), with the text if it had
         * none. A line naming the id alone over words of its own is the
         * same event quoted again ("- Event 5788" over "> Access is
         * denied." after its full block): kept, under the source the
         * article gives the id. */
        for (size_t i = 0; i < c->nv; i++) {
                sig *a = &c->v[i];
                if (a->dropped || a->s.kind != KBC_KB_EVENT || a->s.source)
                        continue;
                for (size_t j = 0; j < c->nv; j++) {
                        sig *b = &c->v[j];
                        if (b->dropped || b->s.kind != KBC_KB_EVENT ||
                            !b->s.source || b->s.event_id != a->s.event_id)
                                continue;
                        if (a->alone && a->s.text && b->s.text &&
                            !same_ci(a->s.text, b->s.text))
                                a->s.source = b->s.source;
                        else {
                                if (!b->s.text)
                                        b->s.text = a->s.text;
                                a->dropped = true;
                        }
                        break;
                }
        }
}

static int by_position(const void *pa, const void *pb)
{
        const sig *a = pa, *b = pb;
        if (a->s.line != b->s.line)
                return a->s.line < b->s.line ? -1 : 1;
        if (a->col != b->col)
                return a->col < b->col ? -1 : 1;
        return (int)a->s.kind - (int)b->s.kind;
}

void kbc_kb_extract_signals(kbc_arena *a, const kbc_kb_line *lines, size_t n,
                            const kbc_kb_signal **out, size_t *nout)
{
        ctx c = {0};
        c.a = a;
        c.L = lines;
        c.n = n;
        *out = NULL;
        *nout = 0;
        c.para = malloc(sizeof(int) * (n ? n : 1));
        c.consumed = calloc(n ? n : 1, sizeof(bool));
        if (!c.para || !c.consumed)
                goto out;

        int p = -1;
        bool open = false;
        size_t last = SIZE_MAX; /* the last non-blank body line */
        bool in_desc = false;   /* the paragraph has had "Description:" */
        for (size_t i = 0; i < n; i++) {
                if (lines[i].blank || !lines[i].body) {
                        c.para[i] = -1;
                        if (!lines[i].body && !lines[i].blank)
                                last = SIZE_MAX;
                        open = false;
                        continue;
                }
                /* Event blocks written with a blank line between their
                 * labels ("Event ID: 1\n\nSource: X\n\nType: ...") are
                 * one paragraph. */
                bool near = !open && last != SIZE_MAX && i - last <= 2 &&
                            lines[i].section == lines[last].section;
                bool joined =
                    near &&
                    ((block_line(&lines[last]) && block_line(&lines[i])) ||
                     ((in_desc || block_line(&lines[last])) &&
                      lines[i].indent >= 2 &&
                      lines[i].indent == lines[last].indent));
                if ((!open && !joined) ||
                    lines[i].section != lines[i - 1].section) {
                        p++;
                        in_desc = false;
                }
                bool d;
                if ((label_end(&lines[i], &d) && d) ||
                    (joined && !block_line(&lines[i])))
                        in_desc = true;
                open = true;
                c.para[i] = p;
                last = i;
        }
        for (size_t i = 0; i < n; i++)
                if (c.para[i] >= 0 && !kb_ref_line(&lines[i])) {
                        scan_events(&c, i);
                        scan_sources(&c, i);
                }
        scan_id_labels(&c);
        /* Mentions in line order (scan_id_labels appended its own). */
        for (size_t i = 1; i < c.nm; i++)
                for (size_t j = i; j > 0 && (c.m[j - 1].line > c.m[j].line ||
                                             (c.m[j - 1].line == c.m[j].line &&
                                              c.m[j - 1].col > c.m[j].col));
                     j--) {
                        mention t = c.m[j];
                        c.m[j] = c.m[j - 1];
                        c.m[j - 1] = t;
                }
        emit_events(&c);
        scan_messages(&c);
        for (size_t i = 0; i < n; i++)
                if (c.para[i] >= 0 && !kb_ref_line(&lines[i]))
                        scan_codes(&c, i);
        dedup(&c);
        if (c.nv)
                qsort(c.v, c.nv, sizeof(*c.v), by_position);

        size_t kept = 0;
        for (size_t i = 0; i < c.nv; i++)
                kept += !c.v[i].dropped;
        kbc_kb_signal *res =
            kbc_arena_alloc(a, sizeof(*res) * (kept ? kept : 1));
        size_t k = 0;
        for (size_t i = 0; i < c.nv; i++)
                if (!c.v[i].dropped)
                        res[k++] = c.v[i].s;
        *out = res;
        *nout = k;
out:
        free(c.para);
        free(c.consumed);
        free(c.v);
        free(c.m);
        free(c.src);
}
