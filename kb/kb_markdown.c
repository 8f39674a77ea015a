/*
 * kb_markdown.c - the third article form: a Microsoft Learn support article
 * in markdown (the MicrosoftDocs/SupportArticles-docs repository), brought
 * to the body lines kb_signals.c reads (kb_internal.h).
 *
 * How it is told: the file opens with YAML front matter ("---") holding an
 * "ms.date:", "ms.topic:" or "ms.author:" key; the Jekyll pages of the
 * 2002 archive have none of them.
 *
 * Fields. title and ms.date come from the front matter. The id is
 * "KB<number>" from the "_Original KB number:_ &nbsp; 4469622" line of the
 * body when there is one, else "MS-" and the file name (the same article
 * under two folders gets the same id): the stem itself when it fits, else
 * its first 20 characters and 6 hex digits of its hash. The archive's ids
 * are "Q<number>", so the two forms cannot collide. The learn.microsoft.com
 * address is derived from the path: support/windows-server/X/Y.md is
 * https://learn.microsoft.com/troubleshoot/windows-server/X/Y.
 *
 * Lines. Markdown is turned into the shape of the archive's text, where a
 * log excerpt is an indented block and prose starts at the margin:
 *   - quoted blocks ("> Log Name: ...", with their lazy continuation
 *     lines) and code fences become lines indented by 4; a "> " line with
 *     nothing after it splits the block as a blank line would;
 *   - notes ("> [!NOTE]" and their lines) become prose, and the marker
 *     line goes;
 *   - a table whose header names an event id column becomes one block per
 *     row: "Event ID: n", "Source: s", "Log Name: l", "Description: d"
 *     (a column of both, "NTDS KCC 1926", gives the two; a row that links
 *     to another article gives none); other tables become their cells,
 *     two spaces apart;
 *   - headings keep their text and level (kbc_kb_line.heading);
 *   - everywhere but in code: markdown escapes (\<, \*, \_) undone, link
 *     syntax reduced to its text, images, emphasis (** __), code ticks,
 *     <br/> and &nbsp; removed; list indentation is dropped (it is
 *     nesting, not quoting);
 *   - in log excerpts, the documentation's made-up names (contoso.com,
 *     DC01, myserver.domain.com) and lost insertion strings (two spaces
 *     between words) become "<value>"; "Message:" and "Event Text:"
 *     read "Description:"; a block under "Here's an example of Event ID
 *     N:" (or a paragraph saying "Below is an example of a SCECLI 1202
 *     event.") that does not say its id gets an "Event ID: N" line (and
 *     "Source: S" when the source was written before the id).
 * Line numbers stay those of the file.
 *
 * After extraction (kbc_kb_markdown_sources): sources renamed to the
 * providers Windows logs today (the article's name kept beside), a role's
 * log written as a source made the channel, the log a sentence names given
 * to an event without a source, events named only in links to other
 * articles dropped, "SCECLI 1202 events" added, the events the title
 * names ("Troubleshoot Event ID 1311 messages") marked titled, and the
 * codes the title or a heading names added, with those the body writes
 * in decimal ("failed with status 1376", "ERROR_TIMEOUT(1460)").
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "kb_internal.h"
#include "kbc_buf.h"
#include "kbc_err.h"
#include "kbc_hash.h"

#define QUOTE_INDENT 4  /* how far a quoted or code line is indented */
#define MAX_COLUMNS  16 /* table columns read */
#define STEM_KEPT    20 /* file name characters of a hashed id */

static bool blank_text(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (s[i] != ' ' && s[i] != '\t')
                        return false;
        return true;
}

static void trim(const char **s, size_t *len)
{
        while (*len && (**s == ' ' || **s == '\t')) {
                (*s)++;
                (*len)--;
        }
        while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
                (*len)--;
}

/* Where w occurs in (s, len), ignoring case, or NULL. */
static const char *find_ci(const char *s, size_t len, const char *w)
{
        long at = kbc_str_casefind(kbc_str_make(s, len), w);
        return at < 0 ? NULL : s + at;
}

static bool key_at(const kbc_kb_line *l, const char *key, const char **v,
                   size_t *vlen)
{
        size_t n = strlen(key);
        if (l->len < n || strncasecmp(l->s, key, n))
                return false;
        *v = l->s + n;
        *vlen = l->len - n;
        trim(v, vlen);
        if (*vlen >= 2 && (**v == '"' || **v == '\'') &&
            (*v)[*vlen - 1] == **v) {
                (*v)++;
                *vlen -= 2;
        }
        return true;
}

static bool fence_line(const kbc_kb_line *l)
{
        const char *s = l->s;
        size_t len = l->len;
        trim(&s, &len);
        return len >= 3 && (!strncmp(s, "```", 3) || !strncmp(s, "~~~", 3));
}

/* The end of the front matter (the line after its closing "---") when the
 * file opens with one that has an ms.* key, else 0. */
static size_t front_matter_end(const kbc_kb_line *lines, size_t n)
{
        if (!n || lines[0].len < 3 || strncmp(lines[0].s, "---", 3))
                return 0;
        bool ms = false;
        for (size_t i = 1; i < n && i < 100; i++) {
                const kbc_kb_line *l = &lines[i];
                if (l->len >= 3 && !strncmp(l->s, "---", 3) &&
                    blank_text(l->s + 3, l->len - 3))
                        return ms ? i + 1 : 0;
                ms |= (l->len > 8 && (!strncmp(l->s, "ms.date:", 8) ||
                                      !strncmp(l->s, "ms.topic:", 9) ||
                                      !strncmp(l->s, "ms.author:", 10)));
        }
        return 0;
}

bool kbc_kb_markdown_is(const kbc_kb_line *lines, size_t n)
{
        return front_matter_end(lines, n) != 0;
}

/* ---- inline markdown ----------------------------------------------------- */

static bool punct(char c)
{
        return c > 0x20 && c < 0x7f && ispunct((unsigned char)c);
}

/* The length of an HTML line break (<br>, <br/>, </br>, <br />) at s. */
static size_t line_break(const char *s, size_t len)
{
        static const char *const forms[] = {"<br>", "<br/>", "</br>", "<br />"};
        for (size_t k = 0; k < sizeof(forms) / sizeof(*forms); k++) {
                size_t n = strlen(forms[k]);
                if (len >= n && !strncasecmp(s, forms[k], n))
                        return n;
        }
        return 0;
}

/* The end of a "(...)" link target starting at s[i] == '(', or 0. */
static size_t target_end(const char *s, size_t len, size_t i)
{
        int depth = 0;
        for (size_t j = i; j < len; j++) {
                if (s[j] == '(')
                        depth++;
                else if (s[j] == ')' && --depth == 0)
                        return j + 1;
        }
        return 0;
}

/* Does a link go to another troubleshooting article (whose title, "Event
 * ID 2087: DNS lookup failure ...", names that article's events)? */
static bool article_link(const char *t, size_t len)
{
        return find_ci(t, len, ".md") || find_ci(t, len, "/troubleshoot/") ||
               find_ci(t, len, "support.microsoft.com/help") ||
               find_ci(t, len, "support.microsoft.com/kb");
}

/* Appends (s, len) to b with the inline markup removed. Link text is kept;
 * when refs is not NULL, the text of each link to another article is also
 * appended there. */
static void inline_text(kbc_buf *b, const char *s, size_t len, kbc_buf *refs)
{
        for (size_t i = 0; i < len;) {
                size_t br = line_break(s + i, len - i);
                if (br) {
                        kbc_buf_putc(b, ' ');
                        i += br;
                        continue;
                }
                if (s[i] == '\\' && i + 1 < len && punct(s[i + 1])) {
                        kbc_buf_putc(b, s[i + 1]);
                        i += 2;
                        continue;
                }
                if (!strncasecmp(s + i, "&nbsp;", 6 < len - i ? 6 : len - i) &&
                    len - i >= 6) {
                        kbc_buf_putc(b, ' ');
                        i += 6;
                        continue;
                }
                bool image = s[i] == '!' && i + 1 < len && s[i + 1] == '[';
                if (s[i] == '[' || image) {
                        size_t open = i + image, close = open + 1;
                        int depth = 1;
                        for (; close < len; close++) {
                                if (s[close] == '[')
                                        depth++;
                                else if (s[close] == ']' && --depth == 0)
                                        break;
                        }
                        size_t end = close < len && close + 1 < len &&
                                             s[close + 1] == '('
                                         ? target_end(s, len, close + 1)
                                         : 0;
                        if (close < len && end) {
                                if (!image)
                                        inline_text(b, s + open + 1,
                                                    close - open - 1, NULL);
                                if (!image && refs &&
                                    article_link(s + close + 2,
                                                 end - close - 3)) {
                                        kbc_buf_append(refs, s + open + 1,
                                                       close - open - 1);
                                        kbc_buf_putc(refs, '\n');
                                }
                                i = end;
                                continue;
                        }
                }
                if ((s[i] == '*' || s[i] == '_') && i + 1 < len &&
                    s[i + 1] == s[i]) {
                        i += 2;
                        continue;
                }
                if (s[i] == '`') {
                        i++;
                        continue;
                }
                kbc_buf_putc(b, s[i++]);
        }
}

/* ---- example names ---------------------------------------------------------
 */

static bool name_char(char c)
{
        return isalnum((unsigned char)c) || c == '.' || c == '_' || c == '$' ||
               c == '-';
}

/* Is (s, len) a name Microsoft's documentation makes up for its examples:
 * one of its fictitious companies (contoso.com, CONTOSO, DC=Contoso), a
 * numbered machine or user (DC01, Server1, User1) or a host name under a
 * made-up domain (myserver.domain.com)? A real event has its own there. */
static bool example_name(const char *s, size_t len)
{
        static const char *const made_up[] = {
            "contoso",    "fabrikam",     "adatum",     "northwind",
            "litware",    "woodgrove",    "tailspin",   "wingtip",
            "proseware",  "treyresearch", "domain.com", "childdomain",
            "rootdomain", "myserver",     "machinename"};
        static const char *const numbered[] = {"dc",   "server",   "srv",
                                               "user", "client",   "node",
                                               "host", "computer", "pc"};
        for (size_t k = 0; k < sizeof(made_up) / sizeof(*made_up); k++)
                if (find_ci(s, len, made_up[k]))
                        return true;
        for (size_t k = 0; k < sizeof(numbered) / sizeof(*numbered); k++) {
                size_t n = strlen(numbered[k]);
                if (len <= n || len > n + 3 || strncasecmp(s, numbered[k], n))
                        continue;
                size_t d = n;
                while (d < len && isdigit((unsigned char)s[d]))
                        d++;
                if (d == len)
                        return true;
        }
        return false;
}

/* The line of a log excerpt with its example names as placeholders
 * (kb_generalize.c's "<value>", which the compiler cuts a pattern at). */
static void example_names(kbc_buf *b, size_t from)
{
        kbc_buf t;
        kbc_buf_init(&t, 1 << 20);
        size_t i = from;
        kbc_buf_append(&t, b->data, from);
        while (i < b->len) {
                if (!name_char(b->data[i])) {
                        kbc_buf_putc(&t, b->data[i++]);
                        continue;
                }
                size_t e = i;
                while (e < b->len && name_char(b->data[e]))
                        e++;
                size_t ne = e;
                while (ne > i && b->data[ne - 1] == '.')
                        ne--; /* the sentence's full stop */
                if (example_name(b->data + i, ne - i)) {
                        kbc_buf_puts(&t, "<value>");
                        kbc_buf_append(&t, b->data + ne, e - ne);
                } else {
                        kbc_buf_append(&t, b->data + i, e - i);
                }
                i = e;
        }
        kbc_buf_reset(b);
        kbc_buf_append(b, t.data ? t.data : "", t.len);
        kbc_buf_free(&t);
}

/* ---- output lines -------------------------------------------------------- */

typedef struct out {
        kbc_arena *a;
        kbc_kb_line *v;
        size_t n, cap;
} out;

static int emit(out *o, int no, int indent, int heading, const char *s,
                size_t len, bool clean)
{
        if (o->n == o->cap) {
                size_t cap = o->cap ? o->cap * 2 : 256;
                kbc_kb_line *v = realloc(o->v, cap * sizeof(*v));
                if (!v)
                        return -1;
                o->v = v;
                o->cap = cap;
        }
        kbc_buf b, refs;
        kbc_buf_init(&b, 1 << 20);
        kbc_buf_init(&refs, 1 << 16);
        for (int k = 0; k < indent; k++)
                kbc_buf_putc(&b, ' ');
        if (clean)
                inline_text(&b, s, len, &refs);
        else /* code: only the authors' "\<placeholder>" slips undone */
                for (size_t i = 0; i < len; i++)
                        if (!(s[i] == '\\' && i + 1 < len && s[i + 1] == '<' &&
                              (i == 0 || s[i - 1] == ' ')))
                                kbc_buf_putc(&b, s[i]);
        /* "Message:" (PowerShell's and the Learn pages' word) and "Event
         * Text:" are the description the extractor knows. */
        static const char *const descriptions[] = {"Message:", "Event Text:"};
        for (size_t k = 0;
             indent && k < sizeof(descriptions) / sizeof(*descriptions); k++) {
                size_t dl = strlen(descriptions[k]);
                if (b.len < (size_t)indent + dl ||
                    strncasecmp(b.data + indent, descriptions[k], dl))
                        continue;
                kbc_buf t;
                kbc_buf_init(&t, 1 << 20);
                kbc_buf_append(&t, b.data, (size_t)indent);
                kbc_buf_puts(&t, "Description:");
                kbc_buf_append(&t, b.data + indent + dl,
                               b.len - (size_t)indent - dl);
                kbc_buf_reset(&b);
                kbc_buf_append(&b, t.data, t.len);
                kbc_buf_free(&t);
        }
        /* "Event ID:      5719": Event Viewer's copy aligns the values
         * in columns; the extractor reads a label and one space. */
        char *colon = indent && b.len ? memchr(b.data, ':', b.len) : NULL;
        if (colon && colon - b.data < 24 && colon + 2 < b.data + b.len &&
            colon[1] == ' ' && colon[2] == ' ') {
                char *from = colon + 1;
                while (from + 1 < b.data + b.len && from[1] == ' ')
                        from++;
                memmove(colon + 1, from, (size_t)(b.data + b.len - from));
                b.len -= (size_t)(from - colon - 1);
        }
        /* A provider is never a made-up name: "Source: User32" is the
         * window manager's, not a numbered user's. */
        static const char *const sources[] = {"Source:", "Event Source:"};
        bool source = false;
        for (size_t k = 0; indent && k < sizeof(sources) / sizeof(*sources);
             k++)
                source |= b.len >= (size_t)indent + strlen(sources[k]) &&
                          !strncasecmp(b.data + indent, sources[k],
                                       strlen(sources[k]));
        if (indent && !source)
                example_names(&b, (size_t)indent);
        size_t bl = b.len;
        while (bl > (size_t)indent &&
               (b.data[bl - 1] == ' ' || b.data[bl - 1] == '\t'))
                bl--;
        kbc_kb_line *l = &o->v[o->n++];
        memset(l, 0, sizeof(*l));
        l->s = kbc_arena_strndup(o->a, b.data ? b.data : "", bl);
        l->len = bl;
        l->no = no;
        l->heading = heading;
        l->indent = indent;
        l->blank = blank_text(l->s, l->len);
        if (refs.len)
                l->refs = kbc_arena_strndup(o->a, refs.data, refs.len);
        kbc_buf_free(&b);
        kbc_buf_free(&refs);
        return 0;
}

/* Splits a table row into trimmed cells (the outer pipes dropped). */
static size_t cells(const char *s, size_t len, const char **cell, size_t *clen)
{
        trim(&s, &len);
        if (len && s[0] == '|') {
                s++;
                len--;
        }
        if (len && s[len - 1] == '|' && (len < 2 || s[len - 2] != '\\'))
                len--;
        size_t n = 0, b = 0;
        for (size_t i = 0; i <= len && n < MAX_COLUMNS; i++) {
                if (i < len && (s[i] != '|' || (i && s[i - 1] == '\\')))
                        continue;
                const char *c = s + b;
                size_t cl = i - b;
                trim(&c, &cl);
                cell[n] = c;
                clen[n++] = cl;
                b = i + 1;
        }
        return n;
}

static bool table_row(const kbc_kb_line *l)
{
        const char *s = l->s;
        size_t len = l->len;
        trim(&s, &len);
        return len && s[0] == '|';
}

static bool separator_row(const kbc_kb_line *l)
{
        bool dash = false;
        for (size_t i = 0; i < l->len; i++) {
                char c = l->s[i];
                if (c == '-')
                        dash = true;
                else if (c != '|' && c != ':' && c != ' ' && c != '\t')
                        return false;
        }
        return dash;
}

typedef enum column {
        COL_OTHER,
        COL_ID,
        COL_SOURCE,
        COL_LOG,
        COL_TEXT,
        COL_SOURCE_ID, /* "NTDS KCC 1926": the source and the id in one */
        COL_CODE       /* "Code", "Error code", "Decimal": error numbers */
} column;

/* A column header: "Event ID", "ID", "Event" and the longer ones that
 * start with an id ("Event ID or Event ID/Error status") name the id;
 * one that also names the source ("Event source + event ID", "Event ID
 * and source, if appropriate") holds both. */
static column column_of(kbc_arena *a, const char *s, size_t len)
{
        kbc_buf b;
        kbc_buf_init(&b, 4096);
        inline_text(&b, s, len, NULL);
        const char *h = kbc_arena_strndup(a, b.data ? b.data : "", b.len);
        kbc_buf_free(&b);
        size_t hl = strlen(h);
        static const char *const codes[] = {
            "Code",         "Error code",  "Error",       "Decimal",
            "Error number", "Status",      "Status code", "Return code",
            "Win32 error",  "Error value", "Error codes"};
        for (size_t k = 0; k < sizeof(codes) / sizeof(*codes); k++)
                if (!strcasecmp(h, codes[k]))
                        return COL_CODE;
        bool id = !strcasecmp(h, "ID") || !strcasecmp(h, "Event") ||
                  find_ci(h, hl, "event id") || find_ci(h, hl, "eventid");
        bool source = find_ci(h, hl, "source") || find_ci(h, hl, "provider");
        column c = COL_OTHER;
        if (id && source)
                c = COL_SOURCE_ID;
        else if (id)
                c = COL_ID;
        else if (source)
                c = COL_SOURCE;
        else if (find_ci(h, hl, "log"))
                c = COL_LOG;
        else if (find_ci(h, hl, "message") || find_ci(h, hl, "description") ||
                 find_ci(h, hl, "string") || find_ci(h, hl, "text"))
                c = COL_TEXT;
        return c;
}

/* Appends "LABEL VALUE" to o as a line of a log block. */
static int labelled(out *o, int no, const char *label, const char *v,
                    size_t vlen, bool clean)
{
        kbc_buf l;
        kbc_buf_init(&l, 1 << 20);
        kbc_buf_puts(&l, label);
        kbc_buf_append(&l, v, vlen);
        int rc = emit(o, no, QUOTE_INDENT, 0, l.data, l.len, clean);
        kbc_buf_free(&l);
        return rc;
}

/* Appends the labelled lines of one cell of an event table's row to o:
 * an id cell keeps its number ("1309/8418" and "1085 with error status
 * 1818" are 1309 and 1085: the rest is the error the event carries); a
 * cell of source and id ("NTDS KCC 1926", "1450 NTDS SDProp") gives both
 * lines. */
static int cell_lines(out *o, int no, column c, const char *s, size_t len)
{
        static const char *const labels[] = {
            NULL, "Event ID: ", "Source: ", "Log Name: ", "Description: "};
        if (c != COL_ID && c != COL_SOURCE_ID)
                return labelled(o, no, labels[c], s, len, true);
        kbc_buf b;
        kbc_buf_init(&b, 1 << 20);
        inline_text(&b, s, len, NULL);
        const char *t = b.data ? b.data : "";
        size_t tl = b.len;
        trim(&t, &tl);
        /* the number the cell starts with, else the one it ends with */
        size_t nb = 0, ne = 0, wb = 0, we = tl;
        while (ne < tl && isdigit((unsigned char)t[ne]))
                ne++;
        if (ne && ne < tl && isalnum((unsigned char)t[ne]))
                ne = 0;
        if (ne) {
                wb = ne;
        } else {
                nb = ne = tl;
                while (nb && isdigit((unsigned char)t[nb - 1]))
                        nb--;
                if (nb && t[nb - 1] != ' ')
                        nb = ne;
                we = nb;
        }
        const char *words = t + wb;
        size_t wordslen = we - wb;
        trim(&words, &wordslen);
        int rc = 0;
        if (nb == ne) { /* no number: as written */
                if (c == COL_ID)
                        rc = labelled(o, no, labels[COL_ID], t, tl, false);
        } else if (ne - nb <= 5) {
                rc = labelled(o, no, labels[COL_ID], t + nb, ne - nb, false);
                if (c == COL_SOURCE_ID && wordslen)
                        rc |= labelled(o, no, labels[COL_SOURCE], words,
                                       wordslen, false);
        }
        kbc_buf_free(&b);
        return rc;
}

/* The decimal error codes of a code column's cell ("8451", "8456 or
 * 8457"), space-separated, or NULL when the cell holds anything else (a
 * name, hex, a sentence). */
static const char *cell_codes(kbc_arena *a, const char *s, size_t len)
{
        kbc_buf b, c;
        kbc_buf_init(&b, 1 << 20);
        kbc_buf_init(&c, 1 << 16);
        inline_text(&b, s, len, NULL);
        const char *t = b.data ? b.data : "";
        size_t tl = b.len;
        bool ok = true;
        for (size_t i = 0; ok && i < tl;) {
                if (t[i] == ' ' || t[i] == ',' || t[i] == '/') {
                        i++;
                } else if (isdigit((unsigned char)t[i])) {
                        size_t e = i;
                        while (e < tl && isdigit((unsigned char)t[e]))
                                e++;
                        ok = e - i <= 10 &&
                             (e == tl || !isalnum((unsigned char)t[e]));
                        if (c.len)
                                kbc_buf_putc(&c, ' ');
                        kbc_buf_append(&c, t + i, e - i);
                        i = e;
                } else if (tl - i >= 3 && !strncasecmp(t + i, "or ", 3)) {
                        i += 3;
                } else if (tl - i >= 4 && !strncasecmp(t + i, "and ", 4)) {
                        i += 4;
                } else {
                        ok = false;
                }
        }
        const char *r =
            ok && c.len ? kbc_arena_strndup(a, c.data, c.len) : NULL;
        kbc_buf_free(&b);
        kbc_buf_free(&c);
        return r;
}

/* Does a row link to another troubleshooting article? Then the events it
 * names are that article's (a table of errors, each with its events and
 * the article on them). */
static bool row_links(const char *const *cell, const size_t *clen, size_t nc)
{
        for (size_t k = 0; k < nc; k++) {
                kbc_buf b, refs;
                kbc_buf_init(&b, 1 << 20);
                kbc_buf_init(&refs, 1 << 16);
                inline_text(&b, cell[k], clen[k], &refs);
                bool linked = refs.len > 0;
                kbc_buf_free(&b);
                kbc_buf_free(&refs);
                if (linked)
                        return true;
        }
        return false;
}

/* A table from lines[i] on; returns the first line after it. */
static size_t table(out *o, const kbc_kb_line *lines, size_t i, size_t n,
                    int *rc)
{
        const char *cell[MAX_COLUMNS];
        size_t clen[MAX_COLUMNS];
        column col[MAX_COLUMNS];
        size_t ncol = cells(lines[i].s, lines[i].len, cell, clen);
        bool events = false;
        for (size_t k = 0; k < ncol; k++) {
                col[k] = column_of(o->a, cell[k], clen[k]);
                events |= col[k] == COL_ID || col[k] == COL_SOURCE_ID;
        }
        size_t j = i;
        for (; j < n && table_row(&lines[j]); j++) {
                const kbc_kb_line *l = &lines[j];
                if (separator_row(l)) {
                        *rc |= emit(o, l->no, 0, 0, "", 0, false);
                        continue;
                }
                size_t nc = cells(l->s, l->len, cell, clen);
                /* "| 8451 | Repadmin, DcPromo | ... |" under "Code": the
                 * errors the table is about, whether or not the row
                 * links elsewhere (the error is this article's too). */
                const char *codes = NULL;
                for (size_t k = 0; j > i && k < nc && k < ncol && !codes; k++)
                        if (col[k] == COL_CODE && clen[k])
                                codes = cell_codes(o->a, cell[k], clen[k]);
                size_t first = o->n;
                if (!events || j == i || row_links(cell, clen, nc)) {
                        kbc_buf b;
                        kbc_buf_init(&b, 1 << 20);
                        for (size_t k = 0; k < nc; k++) {
                                if (k)
                                        kbc_buf_puts(&b, "  ");
                                kbc_buf_append(&b, cell[k], clen[k]);
                        }
                        *rc |= emit(o, l->no, 0, 0, b.data ? b.data : "", b.len,
                                    true);
                        kbc_buf_free(&b);
                } else {
                        /* One log block per row, the labels the extractor
                         * knows. */
                        for (size_t k = 0; k < nc && k < ncol; k++)
                                if (col[k] != COL_OTHER && col[k] != COL_CODE &&
                                    clen[k])
                                        *rc |= cell_lines(o, l->no, col[k],
                                                          cell[k], clen[k]);
                        *rc |= emit(o, l->no, 0, 0, "", 0, false);
                }
                if (codes && o->n > first)
                        o->v[first].codes = codes;
        }
        return j;
}

/* "> > text" -> "text"; *note when the quote opens a [!NOTE] callout. */
static const char *unquote(const char *s, size_t len, size_t *olen)
{
        trim(&s, &len);
        while (len && s[0] == '>') {
                s++;
                len--;
                trim(&s, &len);
        }
        *olen = len;
        return s;
}

/* "unable to lock out the account of  due to": where the page lost an
 * insertion string of the event, two spaces between words in lower case
 * are left; the value there becomes a placeholder, so that the event with
 * its account name still matches. */
static const char *lost_inserts(kbc_arena *a, const char *s, size_t *len)
{
        kbc_buf b;
        kbc_buf_init(&b, 1 << 20);
        for (size_t i = 0; i < *len; i++) {
                kbc_buf_putc(&b, s[i]);
                if (i + 3 < *len && islower((unsigned char)s[i]) &&
                    s[i + 1] == ' ' && s[i + 2] == ' ' &&
                    islower((unsigned char)s[i + 3])) {
                        kbc_buf_puts(&b, " <value> ");
                        i += 2;
                }
        }
        const char *t = kbc_arena_strndup(a, b.data ? b.data : "", b.len);
        *len = b.len;
        kbc_buf_free(&b);
        return t;
}

static bool callout(const char *s, size_t len)
{
        return len >= 3 && s[0] == '[' && s[1] == '!' && s[len - 1] == ']';
}

/* "#### Name ##" -> level 4, (Name); 0 when not a heading. */
static int heading_level(const char *s, size_t len, const char **t,
                         size_t *tlen)
{
        int level = 0;
        while ((size_t)level < len && s[level] == '#')
                level++;
        if (!level || level > 6 || ((size_t)level < len && s[level] != ' '))
                return 0;
        const char *v = s + level;
        size_t vl = len - (size_t)level;
        trim(&v, &vl);
        while (vl && v[vl - 1] == '#')
                vl--;
        trim(&v, &vl);
        /* "# ------" in a shell sample outside a fence says nothing */
        bool letter = false;
        for (size_t k = 0; k < vl; k++)
                letter |= isalpha((unsigned char)v[k]) != 0;
        if (!letter)
                return 0;
        *t = v;
        *tlen = vl;
        return level;
}

/* ---- fields ---------------------------------------------------------------
 */

static const char *kb_number(const kbc_kb_line *lines, size_t n, kbc_arena *a)
{
        for (size_t i = 0; i < n; i++) {
                const char *p =
                    find_ci(lines[i].s, lines[i].len, "Original KB number");
                if (!p)
                        continue;
                const char *e = lines[i].s + lines[i].len;
                while (p < e && !isdigit((unsigned char)*p))
                        p++;
                const char *d = p;
                while (p < e && isdigit((unsigned char)*p))
                        p++;
                if (p > d && p - d <= 10)
                        return kbc_arena_printf(a, "KB%.*s", (int)(p - d), d);
                return NULL;
        }
        return NULL;
}

/* The file name without folder and extension. */
static const char *stem(const char *path, size_t *len)
{
        const char *b = strrchr(path, '/');
        b = b ? b + 1 : path;
        const char *dot = strrchr(b, '.');
        *len = dot ? (size_t)(dot - b) : strlen(b);
        return b;
}

static const char *path_id(kbc_arena *a, const char *path)
{
        size_t len;
        const char *s = stem(path ? path : "article", &len);
        char id[40];
        size_t o = (size_t)snprintf(id, sizeof(id), "MS-");
        size_t keep = len + o <= KBC_KB_ID_MAX ? len : STEM_KEPT;
        for (size_t i = 0; i < keep && i < len; i++)
                id[o++] = isalnum((unsigned char)s[i]) ? s[i] : '-';
        while (o > 3 && id[o - 1] == '-')
                o--;
        if (keep < len) {
                uint64_t h = kbc_fnv64(KBC_FNV64_INIT, s, len);
                o += (size_t)snprintf(id + o, sizeof(id) - o, "-%06x",
                                      (unsigned)(h & 0xffffff));
        }
        id[o] = '\0';
        return kbc_arena_strdup(a, id);
}

static const char *learn_url(kbc_arena *a, const char *path)
{
        if (!path)
                return NULL;
        const char *p = NULL;
        for (const char *q = path; (q = strstr(q, "support/")); q++)
                if (q == path || q[-1] == '/')
                        p = q;
        if (!p)
                return NULL;
        p += strlen("support/");
        size_t len = strlen(p);
        if (len > 3 && !strcmp(p + len - 3, ".md"))
                len -= 3;
        return kbc_arena_printf(
            a, "https://learn.microsoft.com/troubleshoot/%.*s", (int)len, p);
}

static void front_fields(kbc_arena *a, const kbc_kb_line *lines, size_t end,
                         kbc_kb_article *art)
{
        for (size_t i = 1; i + 1 < end; i++) {
                const char *v;
                size_t vlen;
                if (key_at(&lines[i], "title:", &v, &vlen)) {
                        kbc_buf b;
                        kbc_buf_init(&b, 1 << 16);
                        inline_text(&b, v, vlen, NULL);
                        art->title =
                            kbc_arena_strndup(a, b.data ? b.data : "", b.len);
                        kbc_buf_free(&b);
                } else if (key_at(&lines[i], "ms.date:", &v, &vlen) && vlen) {
                        art->date = kbc_arena_strndup(a, v, vlen);
                }
        }
}

/* Where the capitalized name before s[i] starts ("SCECLI 1202 event",
 * "NTDS Replication 1084 event"), or i when there is none ("the 1202
 * events"). */
static size_t source_before(const char *s, size_t i)
{
        if (i < 2 || s[i - 1] != ' ')
                return i;
        size_t b = i - 1;
        while (b > 0 && (isalnum((unsigned char)s[b - 1]) || s[b - 1] == '_'))
                b--;
        if (b == i - 1 || !isupper((unsigned char)s[b]))
                return i;
        if (b >= 5 && !strncmp(s + b - 5, "NTDS ", 5))
                b -= 5;
        return b;
}

/* The event a paragraph introduces: how many distinct ids its lines name
 * (a list counts 2), the first, and the source written before it
 * ("SCECLI 1202 event"), if any. */
typedef struct intro {
        int ids;
        long id;
        const char *source;
} intro;

static void intro_mention(intro *in, long id, const char *src, size_t srclen,
                          bool list, kbc_arena *a)
{
        if (!in->ids) {
                in->ids = 1;
                in->id = id;
                in->source = srclen ? kbc_arena_strndup(a, src, srclen) : NULL;
        } else if (id != in->id) {
                in->ids++;
        } else if (!in->source && srclen) {
                in->source = kbc_arena_strndup(a, src, srclen);
        }
        in->ids += list;
}

/* Adds the event ids a prose line names ("Event ID 4780", "event 5719",
 * "SCECLI 1202 event") to in. */
static void named_ids(const char *s, size_t len, intro *in, kbc_arena *a)
{
        for (size_t i = 0; i + 5 < len; i++) {
                if (isdigit((unsigned char)s[i]) &&
                    (!i || !isalnum((unsigned char)s[i - 1]))) {
                        size_t e = i;
                        while (e < len && isdigit((unsigned char)s[e]))
                                e++;
                        size_t b = source_before(s, i);
                        if (e - i <= 5 && b < i && e + 6 <= len &&
                            !strncasecmp(s + e, " event", 6) &&
                            (e + 6 == len ||
                             !isalpha((unsigned char)s[e + 6]) ||
                             s[e + 6] == 's'))
                                intro_mention(in, strtol(s + i, NULL, 10),
                                              s + b, i - 1 - b, false, a);
                        i = e;
                        continue;
                }
                if (strncasecmp(s + i, "event", 5) ||
                    (i && isalnum((unsigned char)s[i - 1])))
                        continue;
                size_t j = i + 5;
                if (j + 3 <= len && !strncasecmp(s + j, " id", 3))
                        j += 3;
                while (j < len && (s[j] == ' ' || s[j] == ':' || s[j] == '#'))
                        j++;
                size_t d = j;
                while (j < len && isdigit((unsigned char)s[j]))
                        j++;
                if (j == d || j - d > 5)
                        continue;
                bool list = (j + 1 < len && s[j] == ',') ||
                            (j + 4 < len && !strncasecmp(s + j, " and", 4)) ||
                            (j + 3 < len && !strncasecmp(s + j, " or", 3));
                intro_mention(in, strtol(s + d, NULL, 10), NULL, 0, list, a);
                i = j;
        }
}

/* Does the line end in a sentence that announces an event ("Here's an
 * example of Event ID 4780:", "The event text resembles the following
 * excerpt:")? "The following lines are recorded in Netlogon.log:" does
 * not: a log file's lines are no event. */
static bool announces_event(const char *s, size_t len)
{
        if (!len || s[len - 1] != ':')
                return false;
        size_t b = len - 1;
        while (b > 0 && !(s[b - 1] == '.' && s[b] == ' '))
                b--;
        /* "If event 5722 was logged ..., type the following command:" shows
         * what to type. */
        return find_ci(s + b, len - b, "event") != NULL &&
               !find_ci(s + b, len - b, "command") &&
               !(len - b >= 5 && !strncasecmp(s + len - 5, "type:", 5));
}

/* Does a sentence of the line show an event below it, wherever the
 * sentence stands in its paragraph ("Below is an example of a SCECLI 1202
 * event. The error code is shown in the Description field. ...")? */
static bool example_below(const char *s, size_t len)
{
        static const char *const shows[] = {"Below is an example of ",
                                            "Below is an example event",
                                            "The following is an example of "};
        for (size_t k = 0; k < sizeof(shows) / sizeof(*shows); k++) {
                const char *p = find_ci(s, len, shows[k]);
                if (!p)
                        continue;
                size_t at = (size_t)(p - s), e = at;
                while (e < len && s[e] != '.' && s[e] != ':')
                        e++;
                if (find_ci(p, e - at, "event"))
                        return true;
        }
        return false;
}

/* A paragraph that only says "or" between two examples. */
static bool or_line(const char *s, size_t len)
{
        return (len == 2 && !strncasecmp(s, "or", 2)) ||
               (len == 4 && !strncasecmp(s, "-or-", 4));
}

/* Does the block starting at raw[i] (a fence or a quote) label its own
 * event id? */
static bool block_has_id(const kbc_kb_line *raw, size_t i, size_t n)
{
        bool fence = fence_line(&raw[i]);
        for (size_t k = i + fence; k < n && k < i + 60; k++) {
                if (fence ? fence_line(&raw[k])
                          : blank_text(raw[k].s, raw[k].len) &&
                                (k + 1 >= n || raw[k + 1].s[0] != '>'))
                        return false;
                if (find_ci(raw[k].s, raw[k].len, "event id") ||
                    find_ci(raw[k].s, raw[k].len, "eventid") ||
                    find_ci(raw[k].s, raw[k].len, "event:"))
                        return true;
        }
        return false;
}

kbc_kb_line *kbc_kb_markdown_lines(kbc_arena *a, const kbc_kb_line *raw,
                                   size_t nraw, kbc_kb_article *art,
                                   const char **applies_to, size_t *n,
                                   char *errstr, size_t errsize)
{
        size_t start = front_matter_end(raw, nraw);
        front_fields(a, raw, start, art);
        art->id = kb_number(raw + start, nraw - start, a);
        if (!art->id)
                art->id = path_id(a, art->path);
        art->url = learn_url(a, art->path);
        *applies_to = NULL;

        out o = {.a = a};
        int rc = 0;
        bool fence = false, quote = false, note = false, title = false;
        /* "Here's an example of Event ID 4780:" over a block that does not
         * say its id: the block is that event (in.ids == 1, and the
         * paragraph ended in ':' or said "Below is an example of" the
         * event); after a block that got its id, a paragraph saying "or"
         * introduces the next one as the same event (armed). */
        intro in = {0}, armed = {0};
        bool intro_colon = false, intro_example = false, after_blank = true;
        for (size_t i = start; i < nraw && !rc;) {
                const kbc_kb_line *l = &raw[i];
                const char *s = l->s;
                size_t len = l->len;
                trim(&s, &len);
                bool opens =
                    !fence && !quote && (fence_line(l) || (len && s[0] == '>'));
                if (opens && (intro_colon || intro_example) && in.ids == 1 &&
                    !block_has_id(raw, i, nraw)) {
                        char id[32];
                        int il =
                            snprintf(id, sizeof(id), "Event ID: %ld", in.id);
                        rc = fence_line(l) ? emit(&o, l->no, 0, 0, "", 0, false)
                                           : 0;
                        rc |= emit(&o, l->no, QUOTE_INDENT, 0, id, (size_t)il,
                                   false);
                        if (in.source) {
                                const char *src = kbc_arena_printf(
                                    a, "Source: %s", in.source);
                                rc |= emit(&o, l->no, QUOTE_INDENT, 0, src,
                                           strlen(src), false);
                        }
                        armed = in;
                        if (fence_line(l)) {
                                fence = true;
                                intro_colon = intro_example = false;
                                i++;
                                continue;
                        }
                }
                if (opens)
                        intro_colon = intro_example = false;
                if (fence_line(l)) {
                        fence = !fence;
                        quote = false;
                        rc = emit(&o, l->no, 0, 0, "", 0, false);
                } else if (fence) {
                        rc = emit(&o, l->no, QUOTE_INDENT, 0, s, len, false);
                } else if (!len) {
                        quote = note = false;
                        rc = emit(&o, l->no, 0, 0, "", 0, false);
                } else if (s[0] == '>' || (quote && !table_row(l))) {
                        size_t ql;
                        const char *q = unquote(s, len, &ql);
                        if (s[0] == '>' && !quote)
                                note = callout(q, ql);
                        quote = true;
                        if (callout(q, ql) || !ql)
                                rc = emit(&o, l->no, 0, 0, "", 0, false);
                        else if (note)
                                rc = emit(&o, l->no, 0, 0, q, ql, true);
                        else {
                                q = lost_inserts(a, q, &ql);
                                rc = emit(&o, l->no, QUOTE_INDENT, 0, q, ql,
                                          true);
                        }
                } else if (table_row(l)) {
                        i = table(&o, raw, i, nraw, &rc);
                        continue;
                } else if (len >= 3 && !strncmp(s, ":::", 3)) {
                        rc = emit(&o, l->no, 0, 0, "", 0, false);
                } else {
                        const char *t;
                        size_t tl;
                        int level = heading_level(s, len, &t, &tl);
                        const char *v;
                        size_t vl;
                        kbc_kb_line un = {.s = s, .len = len};
                        if (level == 1 && !title) {
                                title = true; /* the page title again */
                                rc = emit(&o, l->no, 0, 0, "", 0, false);
                        } else if (level) {
                                rc = emit(&o, l->no, 0, level, t, tl, true);
                        } else if (key_at(&un, "_Applies to:_", &v, &vl) ||
                                   key_at(&un, "Applies to:", &v, &vl)) {
                                kbc_buf b;
                                kbc_buf_init(&b, 1 << 16);
                                inline_text(&b, v, vl, NULL);
                                *applies_to = kbc_arena_strndup(
                                    a, b.data ? b.data : "", b.len);
                                kbc_buf_free(&b);
                                rc = emit(&o, l->no, 0, 0, "", 0, false);
                        } else if (find_ci(s, len, "Original KB number")) {
                                rc = emit(&o, l->no, 0, 0, "", 0, false);
                        } else {
                                bool again = after_blank && or_line(s, len) &&
                                             armed.ids == 1;
                                if (after_blank) {
                                        in = again ? armed : (intro){0};
                                        intro_example = again;
                                }
                                armed = again ? armed : (intro){0};
                                named_ids(s, len, &in, a);
                                intro_colon = announces_event(s, len);
                                intro_example |= example_below(s, len);
                                rc = emit(&o, l->no, 0, 0, s, len, true);
                        }
                }
                after_blank = !len;
                i++;
        }
        if (rc) {
                free(o.v);
                kbc_errf(errstr, errsize, "out of memory");
                return NULL;
        }
        if (!o.n) /* an article with front matter only */
                rc = emit(&o, (int)nraw, 0, 0, "", 0, false);
        if (rc) {
                free(o.v);
                kbc_errf(errstr, errsize, "out of memory");
                return NULL;
        }
        *n = o.n;
        return o.v;
}

/* The providers Windows Server 2008 and later log under, for the names
 * the articles write: what 2003 logged under the NTDS sources ("NTDS
 * Replication", "NTDS KCC", ...) is now logged by the one provider of
 * Active Directory, the old name being the task category; likewise SAM,
 * Kerberos, the KDC, Group Policy, the time service and Crypt32 (an event
 * source of CAPI2). The article's name is kept beside
 * (source_written): a collector that reports the event source name, or an
 * older server, logs that one. Names that differ only by a leading
 * "Microsoft-Windows-" need nothing: the index ignores it. */
static const struct {
        const char *written, *logged;
        bool prefix;
} renames[] = {
    {"NTDS ", "Microsoft-Windows-ActiveDirectory_DomainService", true},
    {"SAM", "Microsoft-Windows-Directory-Services-SAM", false},
    {"Kerberos", "Microsoft-Windows-Security-Kerberos", false},
    {"KDC", "Microsoft-Windows-Kerberos-Key-Distribution-Center", false},
    {"Group Policy", "Microsoft-Windows-GroupPolicy", false},
    {"Windows Time Service", "Microsoft-Windows-Time-Service", false},
    {"Crypt32", "Microsoft-Windows-CAPI2", false},
};

/* Userenv logged both Group Policy and user profiles until Windows Server
 * 2003; since Vista the Group Policy service logs the first under the
 * same ids (1053 "Windows could not resolve the user name", 1058, ...)
 * and the User Profile Service the second (1500-1599: 1511, 1515, ...).
 * Which one is known by the id only: source as Windows logs event id
 * today, with written the article's name, or source itself. */
static const char *userenv_today(const char *source, long id,
                                 const char **written)
{
        if (!source || strcasecmp(source, "Userenv") || id < 1000 || id > 1599)
                return source;
        *written = source;
        return id < 1500 ? "Microsoft-Windows-GroupPolicy"
                         : "Microsoft-Windows-User Profiles Service";
}

/* One provider out of what an article's "Source:" says: "source X" is X,
 * "A / B" and "A or B" are A, "Microsoft-Windows- X" loses its space,
 * "None" is none. */
static const char *logged_source(kbc_arena *a, const char *src,
                                 const char **written)
{
        *written = NULL;
        const char *s = src;
        size_t len = strlen(s);
        if (len > 7 && !strncasecmp(s, "source ", 7)) {
                s += 7;
                len -= 7;
        }
        const char *cut = find_ci(s, len, " / ");
        if (!cut)
                cut = find_ci(s, len, " or ");
        if (cut)
                len = (size_t)(cut - s);
        trim(&s, &len);
        if (!len || (len == 4 && !strncasecmp(s, "None", 4)))
                return NULL;
        for (size_t k = 0; k < sizeof(renames) / sizeof(*renames); k++) {
                size_t n = strlen(renames[k].written);
                if (renames[k].prefix
                        ? len > n && !strncasecmp(s, renames[k].written, n)
                        : len == n && !strncasecmp(s, renames[k].written, n)) {
                        *written = kbc_arena_strndup(a, s, len);
                        return renames[k].logged;
                }
        }
        static const char ms[] = "Microsoft-Windows-";
        size_t n = sizeof(ms) - 1, gap = 0;
        if (len > n && !strncasecmp(s, ms, n))
                while (n + gap < len && s[n + gap] == ' ')
                        gap++;
        if (!gap)
                return kbc_arena_strndup(a, s, len);
        return kbc_arena_printf(a, "%.*s%.*s", (int)n, s, (int)(len - n - gap),
                                s + n + gap);
}

/* The logs of Windows Server's roles: never a provider, though an
 * article may write one where a source goes ("Directory Service event
 * 1942"). */
static const char *const role_logs[] = {
    "Directory Service", "DNS Server", "DFS Replication",
    "File Replication Service", "Key Management Service"};

/* The logs the articles' events are written to, as their sentences name
 * them ("is logged in the Directory Service log", "in the DFS Replication
 * event log"). */
static const char *const logs[] = {"Directory Service",
                                   "DNS Server",
                                   "DFS Replication",
                                   "File Replication Service",
                                   "Key Management Service",
                                   "System",
                                   "Application",
                                   "Security"};

/* The log line l says an event is logged in, or NULL. */
static const char *named_log(const kbc_kb_line *l)
{
        for (size_t k = 0; k < sizeof(logs) / sizeof(*logs); k++) {
                const char *p = l->s, *e = l->s + l->len;
                size_t n = strlen(logs[k]);
                while ((p = find_ci(p, (size_t)(e - p), logs[k]))) {
                        const char *after = p + n;
                        bool in =
                            p - l->s >= 7 && !strncasecmp(p - 7, "in the ", 7);
                        if (in && e - after >= 10 &&
                            !strncasecmp(after, " event log", 10))
                                return logs[k];
                        if (in && e - after >= 4 &&
                            !strncasecmp(after, " log", 4) &&
                            (e - after == 4 ||
                             !isalpha((unsigned char)after[4])))
                                return logs[k];
                        p = after;
                }
        }
        return NULL;
}

/* How often the number num stands alone in text. */
static int occurrences(const char *text, const char *num)
{
        int k = 0;
        size_t n = strlen(num);
        for (const char *p = text; p && (p = strstr(p, num)); p += n)
                k += (p == text || !isdigit((unsigned char)p[-1])) &&
                     !isdigit((unsigned char)p[n]);
        return k;
}

/* Is event id named on the line only in links to other articles? ("see
 * [Active Directory Replication Event ID 2087: DNS lookup failure](...)"
 * is that article's event, not this one's.) */
static bool referenced(const kbc_kb_line *l, long id)
{
        char num[24];
        snprintf(num, sizeof(num), "%ld", id);
        int in_refs = l->refs ? occurrences(l->refs, num) : 0;
        return in_refs &&
               occurrences(l->s, num) <= in_refs; /* l->s ends in NUL */
}

static bool has_event(const kbc_kb_signal *v, size_t n, long id)
{
        for (size_t i = 0; i < n; i++)
                if (v[i].kind == KBC_KB_EVENT && v[i].event_id == id)
                        return true;
        return false;
}

/* "SCECLI 1202 events", "NTDS Replication 1084 event", "Crypt32 8 events":
 * the source before the id, which the archive never wrote that way. When
 * such a mention is at s[i] (the number), its event; else false. */
static bool source_id_event(kbc_arena *a, const char *s, size_t len, size_t i,
                            kbc_kb_signal *ev)
{
        size_t e = i;
        while (e < len && isdigit((unsigned char)s[e]))
                e++;
        if (e == i || e - i > 5 || (i && isalnum((unsigned char)s[i - 1])) ||
            e + 6 > len || strncasecmp(s + e, " event", 6) ||
            (e + 6 < len && isalpha((unsigned char)s[e + 6]) &&
             s[e + 6] != 's'))
                return false;
        size_t b = source_before(s, i);
        if (b == i)
                return false; /* "the 1202 events" */
        memset(ev, 0, sizeof(*ev));
        ev->kind = KBC_KB_EVENT;
        ev->event_id = strtol(s + i, NULL, 10);
        ev->source = logged_source(a, kbc_arena_strndup(a, s + b, i - 1 - b),
                                   &ev->source_written);
        return ev->source != NULL;
}

/* Puts s into v[0..*n), which has room for it, after every signal of its
 * line or before: every signal list is in line order (kbc_kb.h), and a
 * later pass may find a signal that stands before the last one. */
static void insert_by_line(kbc_kb_signal *v, size_t *n, kbc_kb_signal s)
{
        size_t at = *n;
        while (at > 0 && v[at - 1].line > s.line)
                at--;
        memmove(v + at + 1, v + at, (*n - at) * sizeof(*v));
        v[at] = s;
        (*n)++;
}

/* Adds the events written "SOURCE ID event" that no other mention gave. */
static void source_first_events(kbc_arena *a, kbc_kb_article *art,
                                const kbc_kb_line *lines, size_t n)
{
        size_t cap = art->nsignals + 16, k = art->nsignals;
        kbc_kb_signal *v = kbc_arena_alloc(a, cap * sizeof(*v));
        memcpy(v, art->signals, k * sizeof(*v));
        for (size_t li = 0; li < n && k < cap; li++) {
                const kbc_kb_line *l = &lines[li];
                for (size_t i = 0; i < l->len && k < cap; i++) {
                        kbc_kb_signal e;
                        if (!isdigit((unsigned char)l->s[i]) ||
                            !source_id_event(a, l->s, l->len, i, &e) ||
                            has_event(v, k, e.event_id) ||
                            referenced(l, e.event_id))
                                continue;
                        e.section = l->section;
                        e.line = l->no;
                        insert_by_line(v, &k, e);
                }
        }
        art->signals = v;
        art->nsignals = k;
}

/* The number at s[i] (1-65535, a whole word), its end in *end; else -1. */
static long title_number(const char *s, size_t len, size_t i, size_t *end)
{
        size_t e = i;
        while (e < len && isdigit((unsigned char)s[e]))
                e++;
        if (e == i || e - i > 5 || (i && isalnum((unsigned char)s[i - 1])) ||
            (e < len && isalnum((unsigned char)s[e])) ||
            (e + 1 < len && s[e] == '.' && isdigit((unsigned char)s[e + 1])))
                return -1;
        long v = strtol(s + i, NULL, 10);
        *end = e;
        return v >= 1 && v <= 65535 ? v : -1;
}

/* Does the title name event id? "Event ID 1311", "Event IDs 5788 and
 * 5789", "Event ID 4107 or ID 11", "ESENT event IDs 1000, 1202, 412, and
 * 454", "Events 18210 and 3041", "Crypt32 event 8", and the source before
 * the id: "SCECLI 1202 events". An error ("error 8418", "Error 1053") is
 * no event. */
static bool title_names(const char *t, long id)
{
        size_t len = strlen(t);
        for (size_t i = 0; i + 5 <= len; i++) {
                size_t end;
                if (isdigit((unsigned char)t[i]) && source_before(t, i) < i &&
                    title_number(t, len, i, &end) == id && end + 6 <= len &&
                    !strncasecmp(t + end, " event", 6) &&
                    (end + 6 == len || !isalpha((unsigned char)t[end + 6]) ||
                     t[end + 6] == 's'))
                        return true;
                if (strncasecmp(t + i, "event", 5) ||
                    (i && isalnum((unsigned char)t[i - 1])))
                        continue;
                size_t j = i + 5;
                j += j < len && (t[j] == 's' || t[j] == 'S');
                /* a list: numbers apart by ",", "and", "or", "ID" */
                for (;;) {
                        while (j < len && (t[j] == ' ' || t[j] == ',' ||
                                           t[j] == ':' || t[j] == '#'))
                                j++;
                        static const char *const joins[] = {
                            "IDs ", "ID's ", "ID ", "and ", "or "};
                        size_t w = 0;
                        for (size_t k = 0;
                             !w && k < sizeof(joins) / sizeof(*joins); k++)
                                if (!strncasecmp(t + j, joins[k],
                                                 strlen(joins[k])))
                                        w = strlen(joins[k]);
                        if (w) {
                                j += w;
                                continue;
                        }
                        long v = title_number(t, len, j, &end);
                        if (v < 0)
                                break;
                        if (v == id)
                                return true;
                        j = end;
                }
        }
        return false;
}

/* A hex word at t[i] ("0x534", "0xC004F074": 0x and 1-8 digits, whole
 * word); its value in *v and end in *end. */
static bool title_hex(const char *t, size_t len, size_t i, uint32_t *v,
                      size_t *end)
{
        if (i + 2 >= len || t[i] != '0' || (t[i + 1] | 0x20) != 'x' ||
            (i && (isalnum((unsigned char)t[i - 1]) || t[i - 1] == '.')))
                return false;
        size_t e = i + 2;
        uint32_t x = 0;
        while (e < len && isxdigit((unsigned char)t[e]) && e - i < 11) {
                char c = (char)(t[e] | 0x20);
                x = x * 16 + (uint32_t)(c <= '9' ? c - '0' : c - 'a' + 10);
                e++;
        }
        if (e == i + 2 || e - i > 10 ||
            (e < len && (isalnum((unsigned char)t[e]) || t[e] == '_')))
                return false;
        *v = x;
        *end = e;
        return true;
}

/* The error codes a title names, at most max: every 0x word ("Error
 * 0xC004F074 when you activate Windows", "Event 1202 with status 0x534
 * logged") and the decimal errors written after "error", "status" or
 * "code" ("AD Replication error 8333 ...", "Error 1127", "error 8464"),
 * lists joined by ",", "or" and "and" too. A decimal below 10 is a count
 * as often as an error; an event id ("Event ID 1202") is none. */
static size_t title_codes(const char *t, uint32_t *found, size_t max)
{
        size_t len = strlen(t), n = 0;
        for (size_t i = 0; i < len && n < max; i++) {
                uint32_t v;
                size_t end;
                if (title_hex(t, len, i, &v, &end)) {
                        found[n++] = v;
                        i = end;
                        continue;
                }
                static const char *const words[] = {"error", "status", "code"};
                size_t w = 0;
                for (size_t k = 0; !w && k < sizeof(words) / sizeof(*words);
                     k++)
                        if (!strncasecmp(t + i, words[k], strlen(words[k])))
                                w = strlen(words[k]);
                if (!w || (i && isalnum((unsigned char)t[i - 1])))
                        continue;
                size_t j = i + w;
                j += j < len && (t[j] | 0x20) == 's';
                for (;;) {
                        while (j < len && (t[j] == ' ' || t[j] == ',' ||
                                           t[j] == ':' || t[j] == '#'))
                                j++;
                        if (!strncasecmp(t + j, "or ", 3) ||
                            !strncasecmp(t + j, "and ", 4)) {
                                j += t[j] == 'o' || t[j] == 'O' ? 3 : 4;
                                continue;
                        }
                        long d = isdigit((unsigned char)t[j])
                                     ? title_number(t, len, j, &end)
                                     : -1;
                        if (d >= 10 && n < max)
                                found[n++] = (uint32_t)d;
                        else if (!title_hex(t, len, j, &v, &end) || n >= max)
                                break;
                        else
                                found[n++] = v;
                        j = end;
                }
                i = j > i ? j - 1 : i;
        }
        return n;
}

/* Does code v say only that something failed? Win32's first errors (2
 * file not found, 5 access denied, 87 invalid parameter) and HRESULTs
 * that wrap them (0x80070005), and COM's own generic failures (facility
 * 0: E_FAIL 0x80004005, E_UNEXPECTED 0x8000FFFF). Programs log them for
 * every kind of failure, so a title naming one names no single problem
 * ("Error 0x5 when starting Windows Deployment Service"). */
static bool generic_code(uint32_t v)
{
        return v < 0x100 || (v >> 16) == 0x8000 ||
               ((v >> 16) == 0x8007 && (v & 0xffff) < 0x100);
}

/* Code v as the title or a heading names it: the article's code signals
 * of that value, marked titled when it is the title, or one added at line
 * when the body never writes it as a code ("Error 1127", whose article
 * quotes only its text). */
static void named_code(kbc_arena *a, kbc_kb_article *art, uint32_t v, int line,
                       bool titled)
{
        /* a copy: the signals are read-only once parsed */
        kbc_kb_signal *sv =
            kbc_arena_alloc(a, (art->nsignals + 1) * sizeof(*sv));
        memcpy(sv, art->signals, art->nsignals * sizeof(*sv));
        bool have = false;
        for (size_t i = 0; i < art->nsignals; i++)
                if (sv[i].kind == KBC_KB_CODE && sv[i].code &&
                    strtoul(sv[i].code, NULL, 16) == v) {
                        sv[i].titled |= titled;
                        have = true;
                }
        if (!have)
                insert_by_line(sv, &art->nsignals,
                               (kbc_kb_signal){.kind = KBC_KB_CODE,
                                               .event_id = -1,
                                               .code = kbc_arena_printf(
                                                   a, "0x%08X", (unsigned)v),
                                               .line = line,
                                               .titled = titled});
        art->signals = sv;
}

/* The codes the title names, titled (kbc_kb_signal.titled): the error the
 * article is about. */
static void title_code_signals(kbc_arena *a, kbc_kb_article *art,
                               const kbc_kb_line *lines, size_t n)
{
        uint32_t codes[8];
        size_t nc = title_codes(art->title, codes, 8);
        if (!nc)
                return;
        int line = 1;
        for (size_t li = 0; li < n; li++)
                if (lines[li].heading == 1) {
                        line = lines[li].no;
                        break;
                }
        for (size_t c = 0; c < nc; c++)
                if (!generic_code(codes[c]))
                        named_code(a, art, codes[c], line, true);
}

/* Does the word at s[b..e) look like a provider's name rather than an
 * English word that starts a name ("Directory Services", "Possible")? Two
 * capitals at least: DFSR, ESENT, SCECLI, MSExchangeIS. */
static bool provider_like(const char *s, size_t b, size_t e)
{
        int caps = 0;
        for (size_t k = b; k < e; k++)
                caps += isupper((unsigned char)s[k]) != 0;
        return caps >= 2;
}

/* "There two kinds of DFSR events for sharing violations: Event ID 4302
 * and Event ID 4304", "many ESENT events that specify Event ID 640": the
 * provider the line says its events are of, written before "events" with
 * no id after it, inside a sentence (not "Possible events include:");
 * NULL if none. */
static const char *events_of(kbc_arena *a, const kbc_kb_line *l,
                             const char **written)
{
        const char *s = l->s;
        for (size_t i = 1; i + 6 <= l->len; i++) {
                if (strncasecmp(s + i, "events", 6) ||
                    isalnum((unsigned char)s[i - 1]) ||
                    (i + 6 < l->len && isalnum((unsigned char)s[i + 6])))
                        continue;
                size_t after = i + 6;
                while (after < l->len && s[after] == ' ')
                        after++;
                size_t b = source_before(s, i);
                size_t w = i - 1; /* the word right before "events" */
                while (w > 0 && isalnum((unsigned char)s[w - 1]))
                        w--;
                size_t p = b;
                while (p > 0 && s[p - 1] == ' ')
                        p--;
                if (b == i ||
                    (after < l->len && isdigit((unsigned char)s[after])) ||
                    !provider_like(s, w, i - 1) || p == b || p == 0 ||
                    !islower((unsigned char)s[p - 1]))
                        continue;
                return logged_source(a, kbc_arena_strndup(a, s + b, i - 1 - b),
                                     written);
        }
        return NULL;
}

/* "KDC warning Event ID 25", "NTDS Replication error event 1093": the
 * provider written before the level and the event of id (two capitals at
 * least, as events_of asks); NULL if the line has none. */
static const char *level_source(kbc_arena *a, const kbc_kb_line *l, long id,
                                const char **written)
{
        static const char *const levels[] = {"warning ", "error ", "critical ",
                                             "information ", "informational "};
        const char *s = l->s;
        size_t len = l->len;
        for (size_t i = 1; i < len; i++) {
                size_t e = i;
                while (e < len && isdigit((unsigned char)s[e]))
                        e++;
                if (e == i || isalnum((unsigned char)s[i - 1]) ||
                    (e < len && isalnum((unsigned char)s[e])) ||
                    strtol(s + i, NULL, 10) != id)
                        continue;
                size_t p = i;
                if (p >= 3 && !strncasecmp(s + p - 3, "ID ", 3))
                        p -= 3;
                if (p < 6 || strncasecmp(s + p - 6, "event ", 6))
                        continue;
                p -= 6;
                size_t lv = 0;
                for (size_t k = 0; !lv && k < sizeof(levels) / sizeof(*levels);
                     k++) {
                        size_t n = strlen(levels[k]);
                        if (p >= n && !strncasecmp(s + p - n, levels[k], n))
                                lv = n;
                }
                if (!lv)
                        continue;
                p -= lv; /* at the level, after the source's space */
                size_t b = source_before(s, p);
                size_t w = p - 1;
                while (w > 0 && isalnum((unsigned char)s[w - 1]))
                        w--;
                if (b == p || !provider_like(s, w, p - 1))
                        continue;
                return logged_source(a, kbc_arena_strndup(a, s + b, p - 1 - b),
                                     written);
        }
        return NULL;
}

/* "## Error code 0x4b8: An extended error has occurred": a section named
 * after the error it is about. Adds the hex code an error word ("error",
 * "code", "status") is followed by in a heading below the title, unless
 * the body already has it. */
static void heading_codes(kbc_arena *a, kbc_kb_article *art,
                          const kbc_kb_line *lines, size_t n)
{
        static const char *const words[] = {"error", "status", "code"};
        for (size_t li = 0; li < n; li++) {
                if (lines[li].heading < 2)
                        continue;
                const char *t = lines[li].s;
                size_t len = lines[li].len;
                for (size_t i = 0; i < len; i++) {
                        size_t w = 0;
                        for (size_t k = 0;
                             !w && k < sizeof(words) / sizeof(*words); k++)
                                if (len - i >= strlen(words[k]) &&
                                    !strncasecmp(t + i, words[k],
                                                 strlen(words[k])))
                                        w = strlen(words[k]);
                        if (!w || (i && isalnum((unsigned char)t[i - 1])))
                                continue;
                        size_t j = i + w;
                        while (j < len && (t[j] == ' ' || t[j] == ':'))
                                j++;
                        if (j + 4 < len && !strncasecmp(t + j, "code", 4) &&
                            t[j + 4] == ' ')
                                j += 5;
                        uint32_t v;
                        size_t end;
                        if (!title_hex(t, len, j, &v, &end))
                                continue;
                        i = end;
                        named_code(a, art, v, lines[li].no, false);
                }
        }
}

/* "ERROR_TIMEOUT(1460)": a Win32 error's name with its number glued in
 * parentheses; at s[j], the rest of the name after "ERROR". The index
 * after the "(", or 0. */
static size_t win32_name(const char *s, size_t len, size_t j)
{
        if (j >= len || s[j] != '_')
                return 0;
        while (j < len && (isupper((unsigned char)s[j]) ||
                           isdigit((unsigned char)s[j]) || s[j] == '_'))
                j++;
        return j < len && s[j] == '(' ? j + 1 : 0;
}

/* The words that say a decimal number after them is an error code: the
 * index after them at s[i], or 0; *sure when they hold "code", a colon
 * or an error's name (a number below 10 needs one). */
static size_t error_words(const char *s, size_t len, size_t i, bool *sure)
{
        static const char *const heads[] = {"error", "status", "win32",
                                            "failed with"};
        size_t w = 0;
        for (size_t k = 0; !w && k < sizeof(heads) / sizeof(*heads); k++)
                if (len - i >= strlen(heads[k]) &&
                    !strncasecmp(s + i, heads[k], strlen(heads[k])))
                        w = strlen(heads[k]);
        /* "HTTP Error 500" is a status of the web, not of Windows. */
        if (!w || (i && isalnum((unsigned char)s[i - 1])) ||
            (i >= 5 && !strncasecmp(s + i - 5, "http ", 5)))
                return 0;
        size_t j = i + w;
        *sure = false;
        size_t named = w == 5 ? win32_name(s, len, j) : 0;
        if (named) {
                *sure = true;
                return named;
        }
        /* An event's XML: <Data Name="ErrorCode">1252</Data>. */
        size_t x = j;
        if (len - x > 4 && !strncasecmp(s + x, "code", 4))
                x += 4;
        if (len - x > 2 && s[x] == '"' && s[x + 1] == '>') {
                *sure = true;
                return x + 2;
        }
        static const char *const more[] = {" code", " value", " of", " was",
                                           " is"};
        for (size_t k = 0; k < sizeof(more) / sizeof(*more); k++)
                if (len - j > strlen(more[k]) &&
                    !strncasecmp(s + j, more[k], strlen(more[k])) &&
                    !isalnum((unsigned char)s[j + strlen(more[k])])) {
                        *sure |= k <= 1;
                        j += strlen(more[k]);
                }
        while (j < len && (s[j] == ' ' || s[j] == ':' || s[j] == '#' ||
                           s[j] == '\'' || s[j] == '('))
                *sure |= s[j++] == ':';
        return j;
}

/* The decimal error code at s[i] (a whole number that fits 32 bits), its
 * end in *end; 0 when there is none. A number followed by its hex
 * ("Error 2927 (0x8033809d)", "8614 (0x21a6)") leaves the code to it. */
static uint32_t decimal_code(const char *s, size_t len, size_t i, size_t *end)
{
        size_t e = i;
        unsigned long long v = 0;
        while (e < len && isdigit((unsigned char)s[e]) && e - i < 11)
                v = v * 10 + (unsigned long long)(s[e++] - '0');
        if (e == i || v > 0xffffffffULL ||
            (e < len && (isalnum((unsigned char)s[e]) || s[e] == '%')) ||
            (e + 1 < len && (s[e] == '.' || s[e] == ',') &&
             isdigit((unsigned char)s[e + 1])))
                return 0;
        size_t h = e;
        while (h < len && (s[h] == ' ' || s[h] == '('))
                h++;
        if (h > e && h + 1 < len && s[h] == '0' && (s[h + 1] | 0x20) == 'x')
                return 0;
        *end = e;
        return (uint32_t)v;
}

/* "SqlError-0.Number: 8115": the number field of an error object dumped
 * with its fields (SqlException's errors, each with Class, State, Number
 * and Message): the index of its value at s[i], or 0. */
static size_t error_number_field(const char *s, size_t len, size_t i)
{
        if (i && (isalnum((unsigned char)s[i - 1]) || s[i - 1] == '.' ||
                  s[i - 1] == '-'))
                return 0;
        size_t e = i;
        while (e < len && (isalnum((unsigned char)s[e]) || s[e] == '.' ||
                           s[e] == '-' || s[e] == '_'))
                e++;
        static const char field[] = ".Number";
        size_t fl = sizeof(field) - 1;
        if (e - i <= fl || e + 1 >= len || s[e] != ':' || s[e + 1] != ' ' ||
            strncmp(s + e - fl, field, fl) || !find_ci(s + i, e - i, "error"))
                return 0;
        return e + 2;
}

/* "Error value:" ending lines[li], Event Viewer's copy of an event's
 * additional data: the number the next line opens with before the error's
 * text ("8524 The DSA operation is unable to proceed ..."; not "5
 * 000020D9: SvcErr", an LDAP result before its extended error), or 0. */
static uint32_t next_line_code(const kbc_kb_line *lines, size_t n, size_t li)
{
        if (li + 1 >= n || lines[li + 1].heading || !lines[li + 1].body)
                return 0;
        const char *s = lines[li + 1].s;
        size_t len = lines[li + 1].len, i = 0, end;
        while (i < len && s[i] == ' ')
                i++;
        uint32_t v = decimal_code(s, len, i, &end);
        return v && end + 1 < len && s[end] == ' ' &&
                       isupper((unsigned char)s[end + 1])
                   ? v
                   : 0;
}

/* "failed with status 1376", "status code of (1307)", "(WIN32: 8344
 * ERROR_...)", "Error: 1722 (The RPC server is unavailable.)", "The error
 * code was '3'": the body's decimal error codes. Below 10 a number is a
 * count or a list's item ("Error 1", "failed with 2 retries") as often as
 * an error, so it takes "code" or a colon ("error code 6", "Error: 5"). */
static void body_decimal_codes(kbc_arena *a, kbc_kb_article *art,
                               const kbc_kb_line *lines, size_t n)
{
        for (size_t li = 0; li < n; li++) {
                if (lines[li].heading || !lines[li].body)
                        continue;
                const char *s = lines[li].s;
                size_t len = lines[li].len;
                for (size_t i = 0; i < len; i++) {
                        bool sure = false;
                        /* a code on the next line ends this one */
                        size_t j = error_words(s, len, i, &sure), end = len;
                        uint32_t v = j ? decimal_code(s, len, j, &end) : 0;
                        if (j == len && sure && !v)
                                v = next_line_code(lines, n, li);
                        if (!v && (j = error_number_field(s, len, i)) != 0) {
                                sure = true;
                                v = decimal_code(s, len, j, &end);
                        }
                        if (!v || (v < 10 && !sure))
                                continue;
                        named_code(a, art, v, lines[li].no, false);
                        i = end;
                }
        }
}

/* The errors a table's code column lists (kbc_kb_line.codes). */
static void table_codes(kbc_arena *a, kbc_kb_article *art,
                        const kbc_kb_line *lines, size_t n)
{
        for (size_t li = 0; li < n; li++) {
                if (!lines[li].codes || !lines[li].body)
                        continue;
                for (const char *p = lines[li].codes; *p;) {
                        char *e;
                        unsigned long v = strtoul(p, &e, 10);
                        if (e == p)
                                break;
                        if (v && v <= 0xffffffffUL)
                                named_code(a, art, (uint32_t)v, lines[li].no,
                                           false);
                        p = e;
                        while (*p == ' ')
                                p++;
                }
        }
}

void kbc_kb_markdown_sources(kbc_arena *a, kbc_kb_article *art,
                             const kbc_kb_line *lines, size_t n)
{
        kbc_kb_signal *sig = (kbc_kb_signal *)art->signals;
        size_t kept = 0;
        for (size_t i = 0; i < art->nsignals; i++) {
                kbc_kb_signal s = sig[i];
                const kbc_kb_line *l = NULL;
                for (size_t k = 0; k < n && !l; k++)
                        if (lines[k].no == s.line && !lines[k].heading)
                                l = &lines[k];
                if (s.kind == KBC_KB_EVENT && l && referenced(l, s.event_id))
                        continue;
                if (s.source)
                        s.source =
                            logged_source(a, s.source, &s.source_written);
                if (s.kind == KBC_KB_EVENT && !s.source_written)
                        s.source = userenv_today(s.source, s.event_id,
                                                 &s.source_written);
                /* "Directory Service event 1942": a log, not a source */
                for (size_t k = 0;
                     s.source && k < sizeof(role_logs) / sizeof(*role_logs);
                     k++)
                        if (!strcasecmp(s.source, role_logs[k])) {
                                s.channel = role_logs[k];
                                s.source = NULL;
                        }
                if (s.kind == KBC_KB_EVENT && !s.source && !s.channel && l)
                        s.channel = named_log(l);
                /* An id alone would be dropped as any provider's event;
                 * an event with its own words keeps them rather than a
                 * name its sentence gives in passing. */
                if (s.kind == KBC_KB_EVENT && !s.source && !s.channel &&
                    !s.text && l)
                        s.source = events_of(a, l, &s.source_written);
                if (s.kind == KBC_KB_EVENT && !s.source && !s.channel && l)
                        s.source =
                            level_source(a, l, s.event_id, &s.source_written);
                sig[kept++] = s;
        }
        art->nsignals = kept;
        source_first_events(a, art, lines, n);
        sig = (kbc_kb_signal *)art->signals;
        for (size_t i = 0; art->title && i < art->nsignals; i++)
                sig[i].titled = sig[i].kind == KBC_KB_EVENT &&
                                title_names(art->title, sig[i].event_id);
        if (art->title)
                title_code_signals(a, art, lines, n);
        heading_codes(a, art, lines, n);
        body_decimal_codes(a, art, lines, n);
        table_codes(a, art, lines, n);
}
