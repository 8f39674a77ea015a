/*
 * split_stream.c - an input's messages (split_stream.h).
 *
 * Lines come from tool_zread_line. msgpack objects and XML elements are
 * cut from a window over the decompressed bytes: first what zread holds
 * already, then, while a message does not end inside the window, a
 * window twice as long (at least WINDOW, at most TOOL_ZREAD_MESSAGE_CAP),
 * looked at again from the message's start: the rare large message is
 * rescanned a few times instead of keeping a scanner's state. Starting
 * from the bytes held means the messages before a damaged compressed
 * block are all handed out before its error is. A message is consumed at
 * the next call, so it stays valid until then.
 *
 * msgpack: kbc_msgpack_span measures each object without building it,
 * checking every length and count against the bytes there are, so a
 * forged header costs at most the window, never an allocation of its
 * count (msgpack-c's unpacker allocates a container's elements from its
 * count before their bytes arrive, so it cannot be bounded this way).
 *
 * XML is cut, not parsed (the decoder parses each element with expat).
 * Outside an element, blanks and BOMs, the <?xml?> declaration, comments,
 * a DOCTYPE and other tags (the <Events> wrapper) are skipped; any other
 * text is handed out a line at a time, as the line reader would, so that
 * nothing is dropped unseen and a file mixing XML and JSON lines still
 * reads. An element starts at "<Event" and a blank, '>' or '/', and ends
 * with its start tag if that ends in "/>", else at the '>' of "</Event".
 * Comments, CDATA sections and processing instructions are skipped whole,
 * so a "</Event>" inside them ends nothing. Event elements do not nest: an
 * "<Event" inside one means its end was lost (a cut export, then another),
 * so the part before it is handed out for the decoder to report, and the
 * next element is read whole.
 *
 * JSON documents (ConvertTo-Json's pretty-printed array, or objects one
 * after another across lines) are cut the same way: between objects,
 * blanks, commas and the array's brackets are skipped; an object runs to
 * the '}' that closes it, strings and their escapes skipped. Anything
 * else between objects is handed out a line at a time.
 */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_decode.h"
#include "kbc_err.h"
#include "kbc_msgpack.h"
#include "split_stream.h"

#define WINDOW ((size_t)64 << 10)
/* "<![CDATA[": the longest start of markup that must be told apart */
#define LOOKAHEAD 9

static const char bom[3] = "\xef\xbb\xbf";

struct tool_split {
        tool_zread *z;
        tool_split_kind kind;
        size_t pending;  /* the last message's bytes, consumed next call */
        int64_t objects; /* msgpack objects handed out */
        int64_t line;    /* line of the first byte not yet consumed */
        char err[320];
};

/* What a message that does not end is called in errors. */
typedef struct piece {
        const char *family; /* "truncated XML: ..." */
        const char *here;   /* "... ends N bytes into this object" */
        const char *whole;  /* "... longer than 64 MiB" */
} piece;

static const piece mp_object = {"msgpack", "this object", "a msgpack object"};
static const piece xml_event = {
    "XML", "this <Event> element, before its </Event>", "an <Event> element"};
static const piece xml_markup = {"XML", "markup that starts here",
                                 "XML markup"};
static const piece text_line = {"text", "this line", "a line"};
static const piece json_object = {"JSON", "this object", "a JSON object"};

/* The bytes looked at: p[0..n), and whether the input ends there. */
typedef struct window {
        const char *p;
        size_t n;
        bool eof;
} window;

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

tool_split_kind tool_split_sniff(const char *p, size_t n)
{
        if (n && kbc_msgpack_starts_record((unsigned char)p[0]))
                return TOOL_SPLIT_MSGPACK;
        size_t i =
            n >= sizeof(bom) && !memcmp(p, bom, sizeof(bom)) ? sizeof(bom) : 0;
        while (i < n && is_blank(p[i]))
                i++;
        if (kbc_winxml_starts(p + i, n - i))
                return TOOL_SPLIT_XML;
        if (i < n && p[i] == '[')
                return TOOL_SPLIT_JSON;
        if (i < n && p[i] == '{') {
                for (i++; i < n && p[i] != '\n' && is_blank(p[i]);)
                        i++;
                if (i < n && p[i] == '\n')
                        return TOOL_SPLIT_JSON;
        }
        return TOOL_SPLIT_LINES;
}

tool_split *tool_split_new(tool_zread *z, tool_split_kind kind)
{
        tool_split *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->z = z;
        s->kind = kind;
        s->line = 1;
        return s;
}

void tool_split_free(tool_split *s)
{
        free(s);
}

const char *tool_split_error(const tool_split *s)
{
        return s->err;
}

static int read_failed(tool_split *s)
{
        return kbc_errf(s->err, sizeof(s->err),
                        "%s; the rest of the file is skipped",
                        tool_zread_error(s->z));
}

static int64_t count_newlines(const char *p, size_t n)
{
        int64_t lines = 0;
        const char *end = p + n;
        while (p < end && (p = memchr(p, '\n', (size_t)(end - p)))) {
                lines++;
                p++;
        }
        return lines;
}

static void window_start(tool_split *s, window *w)
{
        w->n = tool_zread_buffered(s->z, &w->p);
        w->eof = false;
}

/* After w ended inside what: w longer, or w->eof set at the end of the
 * input. 0, or -1 with the reason in s->err. */
static int widen(tool_split *s, window *w, const piece *what)
{
        if (w->eof)
                return kbc_errf(
                    s->err, sizeof(s->err),
                    "truncated %s: the input ends %zu bytes into %s",
                    what->family, w->n, what->here);
        if (w->n >= TOOL_ZREAD_MESSAGE_CAP)
                return kbc_errf(
                    s->err, sizeof(s->err),
                    "%s longer than 64 MiB; the rest of the file is "
                    "skipped",
                    what->whole);
        size_t want = w->n < WINDOW ? WINDOW : 2 * w->n;
        if (want > TOOL_ZREAD_MESSAGE_CAP)
                want = TOOL_ZREAD_MESSAGE_CAP;
        ssize_t got = tool_zread_peek(s->z, want, &w->p);
        if (got < 0)
                return read_failed(s);
        w->n = (size_t)got;
        w->eof = w->n < want;
        return 0;
}

/* ---- lines ------------------------------------------------------------- */

static int next_line(tool_split *s, const char **msg, size_t *len,
                     kbc_origin *at)
{
        at->kind = KBC_ORIGIN_FILE;
        for (;;) {
                at->position = s->line;
                int got = tool_zread_line(s->z, msg, len);
                if (got <= 0)
                        return got < 0 ? read_failed(s) : 0;
                s->line++;
                while (*len > 0 && (*msg)[*len - 1] == '\r')
                        (*len)--;
                if (*len)
                        return 1; /* blank lines are not events */
        }
}

/* ---- msgpack ----------------------------------------------------------- */

static int next_object(tool_split *s, const char **msg, size_t *len,
                       kbc_origin *at)
{
        window w;
        at->kind = KBC_ORIGIN_OBJECT;
        at->position = s->objects + 1;
        for (window_start(s, &w);;) {
                if (w.eof && w.n == 0)
                        return 0;
                switch (kbc_msgpack_span(w.p, w.n, len)) {
                case KBC_MSGPACK_WHOLE:
                        *msg = w.p;
                        s->pending = *len;
                        s->objects++;
                        return 1;
                case KBC_MSGPACK_BAD:
                        return kbc_errf(s->err, sizeof(s->err),
                                        "invalid msgpack: a 0xc1 byte, which "
                                        "msgpack never uses; the rest of the "
                                        "file is skipped");
                case KBC_MSGPACK_SHORT:
                        if (widen(s, &w, &mp_object))
                                return -1;
                }
        }
}

/* ---- XML --------------------------------------------------------------- */

typedef enum xml_cut {
        XML_NEED, /* the window ends inside the thing at its start */
        XML_SKIP, /* *used bytes that hold no message */
        XML_MSG,  /* a message of *len bytes, *used with its line end */
} xml_cut;

/* "<Event" and a blank, '>' or '/': an Event element, not EventData. */
static bool starts_event(const char *p, size_t n)
{
        return n > 6 && !memcmp(p, "<Event", 6) &&
               (is_blank(p[6]) || p[6] == '>' || p[6] == '/');
}

static bool ends_event(const char *p, size_t n)
{
        return n > 7 && !memcmp(p, "</Event", 7) &&
               (is_blank(p[7]) || p[7] == '>');
}

/* The length of the comment, CDATA section or processing instruction at
 * p[0] == '<'; 0 when it is none of them; SIZE_MAX when it does not end in
 * p[0..n). */
static size_t special_len(const char *p, size_t n)
{
        static const struct {
                const char *open, *close;
        } kinds[] = {{"<!--", "-->"}, {"<![CDATA[", "]]>"}, {"<?", "?>"}};
        for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
                size_t ol = strlen(kinds[k].open), cl = strlen(kinds[k].close);
                if (n < ol || memcmp(p, kinds[k].open, ol))
                        continue;
                const char *e = memmem(p + ol, n - ol, kinds[k].close, cl);
                return e ? (size_t)(e - p) + cl : SIZE_MAX;
        }
        return 0;
}

/* Where the tag at p[0] == '<' stops: the index of its '>' (quoted values
 * skipped), or of a '<' met first, which no tag holds (a broken tag ends
 * there); n when neither is in p[0..n). */
static size_t tag_stop(const char *p, size_t n)
{
        char quote = 0;
        for (size_t i = 1; i < n; i++) {
                char c = p[i];
                if (c == '<')
                        return i;
                if (quote)
                        quote = c == quote ? 0 : quote;
                else if (c == '"' || c == '\'')
                        quote = c;
                else if (c == '>')
                        return i;
        }
        return n;
}

/* The length of the Event element at p[0], or 0 when it does not end in
 * p[0..n). */
static size_t event_len(const char *p, size_t n, bool eof)
{
        size_t i = tag_stop(p, n);
        if (i == n)
                return 0;
        if (p[i] == '<' || p[i - 1] == '/')
                return i + (p[i] == '>'); /* broken, or <Event .../> */
        for (i++;;) {
                const char *lt = memchr(p + i, '<', n - i);
                if (!lt)
                        return 0;
                i = (size_t)(lt - p);
                if (n - i < LOOKAHEAD && !eof)
                        return 0;
                if (ends_event(p + i, n - i)) {
                        size_t stop = i + tag_stop(p + i, n - i);
                        return stop == n ? 0 : stop + (p[stop] == '>');
                }
                if (starts_event(p + i, n - i))
                        return i; /* this one's end was lost */
                size_t m = special_len(p + i, n - i);
                if (m == SIZE_MAX)
                        return 0;
                i += m ? m : 1;
        }
}

/* A line of text between elements: up to its '\n', without "\r\n". */
static xml_cut text_line_cut(const window *w, size_t *used, size_t *len)
{
        const char *nl = memchr(w->p, '\n', w->n);
        if (!nl && !w->eof)
                return XML_NEED;
        *used = nl ? (size_t)(nl - w->p) + 1 : w->n;
        *len = nl ? (size_t)(nl - w->p) : w->n;
        while (*len > 0 && w->p[*len - 1] == '\r')
                (*len)--;
        return XML_MSG;
}

/* What the window starts with, outside an element; *what names it for a
 * XML_NEED. */
static xml_cut xml_step(const window *w, size_t *used, size_t *len,
                        const piece **what)
{
        const char *p = w->p;
        size_t n = w->n, i = 0;
        while (i < n && is_blank(p[i]))
                i++;
        *used = i;
        if (i > 0)
                return XML_SKIP;
        *what = &xml_markup;
        size_t tell = p[0] == '<'      ? LOOKAHEAD
                      : p[0] == bom[0] ? sizeof(bom)
                                       : 1;
        if (n < tell && !w->eof)
                return XML_NEED; /* too few bytes to tell what this is */
        if (n >= sizeof(bom) && !memcmp(p, bom, sizeof(bom))) {
                *used = sizeof(bom); /* a BOM of each export catenated */
                return XML_SKIP;
        }
        if (p[0] != '<' || (n > 1 && is_digit(p[1]))) {
                *what = &text_line;
                return text_line_cut(w, used, len);
        }
        if (starts_event(p, n)) {
                *what = &xml_event;
                *used = *len = event_len(p, n, w->eof);
                return *used ? XML_MSG : XML_NEED;
        }
        size_t m = special_len(p, n);
        if (m == 0) {
                m = tag_stop(p, n);
                m = m == n ? SIZE_MAX : m + (p[m] == '>');
        }
        if (m == SIZE_MAX)
                return XML_NEED;
        *used = m;
        return XML_SKIP;
}

static int next_xml(tool_split *s, const char **msg, size_t *len,
                    kbc_origin *at)
{
        window w;
        size_t used = 0;
        const piece *what = &xml_markup;
        at->kind = KBC_ORIGIN_FILE;
        for (window_start(s, &w);;) {
                at->position = s->line;
                if (w.eof && w.n == 0)
                        return 0;
                xml_cut cut = w.n ? xml_step(&w, &used, len, &what) : XML_NEED;
                if (cut == XML_NEED) {
                        if (widen(s, &w, what))
                                return -1;
                        continue;
                }
                s->line += count_newlines(w.p, used);
                if (cut == XML_MSG) {
                        *msg = w.p;
                        s->pending = used;
                        return 1;
                }
                tool_zread_skip(s->z, used);
                w.p += used;
                w.n -= used;
        }
}

/* ---- JSON documents ---------------------------------------------------- */

/* The length of the object at p[0] == '{', or 0 when it does not end in
 * p[0..n). */
static size_t object_len(const char *p, size_t n)
{
        size_t depth = 0;
        bool in_string = false;
        for (size_t i = 0; i < n; i++) {
                char c = p[i];
                if (in_string) {
                        if (c == '\\')
                                i++;
                        else if (c == '"')
                                in_string = false;
                } else if (c == '"') {
                        in_string = true;
                } else if (c == '{' || c == '[') {
                        depth++;
                } else if ((c == '}' || c == ']') && --depth == 0) {
                        return i + 1;
                }
        }
        return 0;
}

static int next_json(tool_split *s, const char **msg, size_t *len,
                     kbc_origin *at)
{
        window w;
        at->kind = KBC_ORIGIN_FILE;
        for (window_start(s, &w);;) {
                size_t skip = 0;
                while (skip < w.n && (is_blank(w.p[skip]) || w.p[skip] == ',' ||
                                      w.p[skip] == '[' || w.p[skip] == ']'))
                        skip++;
                if (skip < w.n && skip + sizeof(bom) <= w.n &&
                    !memcmp(w.p + skip, bom, sizeof(bom)))
                        skip += sizeof(bom);
                if (skip) {
                        s->line += count_newlines(w.p, skip);
                        tool_zread_skip(s->z, skip);
                        w.p += skip;
                        w.n -= skip;
                        continue;
                }
                at->position = s->line;
                if (w.n == 0) {
                        if (w.eof)
                                return 0;
                        if (widen(s, &w, &json_object))
                                return -1;
                        continue;
                }
                size_t used = 0;
                xml_cut cut;
                const piece *what = &json_object;
                if (w.p[0] == '{') {
                        *len = used = object_len(w.p, w.n);
                        cut = used ? XML_MSG : XML_NEED;
                } else {
                        what = &text_line;
                        cut = text_line_cut(&w, &used, len);
                }
                if (cut == XML_NEED) {
                        if (widen(s, &w, what))
                                return -1;
                        continue;
                }
                s->line += count_newlines(w.p, used);
                *msg = w.p;
                s->pending = used;
                return 1;
        }
}

int tool_split_next(tool_split *s, const char **msg, size_t *len,
                    kbc_origin *at)
{
        tool_zread_skip(s->z, s->pending);
        s->pending = 0;
        switch (s->kind) {
        case TOOL_SPLIT_MSGPACK:
                return next_object(s, msg, len, at);
        case TOOL_SPLIT_XML:
                return next_xml(s, msg, len, at);
        case TOOL_SPLIT_JSON:
                return next_json(s, msg, len, at);
        default:
                return next_line(s, msg, len, at);
        }
}
