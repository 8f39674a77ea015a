/*
 * kb_article.c - kbc_kb_parse: a Microsoft Knowledge Base article in any of
 * its three forms, into the fields and sections of kbc_kb.h.
 *
 * How it works. The file is split into lines (CRLF, LF or CR) and the form
 * is recognized by its first line: "DOCUMENT:Qnnnn  DATE  [tag]" is the
 * raw text, "---" opens the front matter of a Jekyll page, or of a
 * Microsoft Learn markdown article when it has an ms.* key (kb_markdown.c
 * brings that one to the archive's shape). All are then brought to one
 * shape, an array of kbc_kb_line:
 *   - raw: the line without its end;
 *   - Jekyll: the lines between {% raw %} and {% endraw %}, without the
 *     leading tab. The conversion also dropped one leading space from every
 *     line, so a line that still starts with a space gets one back (those
 *     had two or more; one space and none cannot be told apart, and nothing
 *     here depends on that). <XX> escapes of bytes 80-FF are turned back
 *     into the byte (the raw files hold the byte itself, e.g. A0, a no-break
 *     space); <00>-<7F> are left alone because the corpus writes NetBIOS
 *     suffixes like <1C> that way in both forms.
 * Line numbers are always those of the file.
 *
 * The header (TITLE/PRODUCT/PROD/VER/KEYWORDS, or Article/Product(s)/...)
 * gives the fields; "The information in this article applies to:" gives
 * the product list; the trailer (from "Additional query words" on) gives
 * more keywords and is not part of any section.
 *
 * Sections. A heading is a line at the left margin underlined with '='
 * (any name), or a known name (SYMPTOMS, CAUSE, RESOLUTION, WORKAROUND,
 * STATUS, MORE INFORMATION, SUMMARY, REFERENCES, in capitals or title
 * case, with or without a colon) underlined with '-' or standing alone
 * between blank lines (indented up to 4 columns, which is how articles that
 * describe several problems head each group). Any other '-'-underlined line
 * is a sub-heading and stays in the text of its section. Names are upper
 * case; SYMPTOM becomes SYMPTOMS and CAUSES becomes CAUSE.
 *
 * Repeated names: when a name comes back (two SYMPTOMS/CAUSE/RESOLUTION
 * groups in one article), the article keeps ONE section of that name whose
 * text is the groups' texts joined by a blank line, at the position and
 * line of the first heading. So kbc_kb_section_get("SYMPTOMS") sees every
 * symptom, and `kbcorr kb parse` prints each name once.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb_internal.h"
#include "kbc_buf.h"
#include "kbc_err.h"
#include "kbc_kb.h"

#define MAX_LIST 256 /* products or keywords kept per article */

typedef struct list {
        const char *v[MAX_LIST];
        size_t n;
} list;

typedef struct parse_state {
        kbc_arena *a;
        kbc_kb_line *lines;
        size_t n;
        size_t start; /* first line after the header */
        size_t end;   /* first line of the trailer */
        bool markdown;
        list products, keywords;
} parse_state;

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\f' || c == '\v' || c == '\xa0';
}

static bool ci_prefix(const char *s, size_t len, const char *p)
{
        size_t n = strlen(p);
        if (len < n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (tolower((unsigned char)s[i]) !=
                    tolower((unsigned char)p[i]))
                        return false;
        return true;
}

/* Trims white space on both ends of (s, len) in place. */
static void trim(const char **s, size_t *len)
{
        while (*len && is_space(**s)) {
                (*s)++;
                (*len)--;
        }
        while (*len && (is_space((*s)[*len - 1]) || (*s)[*len - 1] == '\r'))
                (*len)--;
}

static const char *dup_trim(kbc_arena *a, const char *s, size_t len)
{
        trim(&s, &len);
        return kbc_arena_strndup(a, s, len);
}

static int hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char)tolower((unsigned char)c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Decodes the HTML entities the corpus uses in titles (&amp; &lt; &gt;
 * &quot; &apos; &#39; &#NNN; &#xHH;) and, when jekyll, <XX> escapes of
 * bytes 80-FF. The result is never longer than the input. */
static char *decode_text(kbc_arena *a, const char *s, size_t len, bool jekyll)
{
        static const struct {
                const char *name;
                char c;
        } named[] = {{"&amp;", '&'},  {"&lt;", '<'},    {"&gt;", '>'},
                     {"&quot;", '"'}, {"&apos;", '\''}, {"&nbsp;", ' '}};
        char *out = kbc_arena_alloc(a, len + 1);
        size_t o = 0;
        for (size_t i = 0; i < len;) {
                if (s[i] == '&') {
                        bool done = false;
                        for (size_t k = 0; k < sizeof(named) / sizeof(*named);
                             k++) {
                                size_t nl = strlen(named[k].name);
                                if (ci_prefix(s + i, len - i, named[k].name)) {
                                        out[o++] = named[k].c;
                                        i += nl;
                                        done = true;
                                        break;
                                }
                        }
                        if (done)
                                continue;
                        if (i + 3 < len && s[i + 1] == '#') {
                                size_t j = i + 2;
                                long v = 0;
                                bool hex = s[j] == 'x' || s[j] == 'X';
                                j += hex;
                                size_t d0 = j;
                                while (j < len && j - d0 < 7 &&
                                       (hex ? hexval(s[j]) >= 0
                                            : (s[j] >= '0' && s[j] <= '9'))) {
                                        v = v * (hex ? 16 : 10) + hexval(s[j]);
                                        j++;
                                }
                                /* Only bytes: the titles use ASCII numbers;
                                 * anything larger is kept as written. */
                                if (j > d0 && j < len && s[j] == ';' && v > 0 &&
                                    v < 256) {
                                        out[o++] = (char)v;
                                        i = j + 1;
                                        continue;
                                }
                        }
                } else if (jekyll && s[i] == '<' && i + 3 < len &&
                           s[i + 3] == '>' && hexval(s[i + 1]) >= 8 &&
                           hexval(s[i + 2]) >= 0) {
                        out[o++] =
                            (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
                        i += 4;
                        continue;
                }
                out[o++] = s[i++];
        }
        out[o] = '\0';
        return out;
}

static void list_add(kbc_arena *a, list *l, const char *s, size_t len)
{
        trim(&s, &len);
        if (!len || l->n >= MAX_LIST)
                return;
        for (size_t i = 0; i < l->n; i++)
                if (strlen(l->v[i]) == len && !memcmp(l->v[i], s, len))
                        return;
        l->v[l->n++] = kbc_arena_strndup(a, s, len);
}

/* A product, with its version when it has one ("Microsoft Exchange,
 * version winnt:5.0 SP2"). */
static void add_product(parse_state *ps, const char *product,
                        const char *version)
{
        if (version)
                product =
                    kbc_arena_printf(ps->a, "%s, version %s", product, version);
        list_add(ps->a, &ps->products, product, strlen(product));
}

static void add_keywords(kbc_arena *a, list *l, const char *s, size_t len)
{
        size_t i = 0;
        while (i < len) {
                while (i < len && (is_space(s[i]) || s[i] == ','))
                        i++;
                size_t b = i;
                while (i < len && !is_space(s[i]) && s[i] != ',')
                        i++;
                if (i > b)
                        list_add(a, l, s + b, i - b);
        }
}

/* The value after "NAME:" on line l when the line starts with prefix. */
static bool field(const kbc_kb_line *l, const char *prefix, const char **v,
                  size_t *vlen)
{
        const char *s = l->s;
        size_t len = l->len;
        trim(&s, &len);
        if (!ci_prefix(s, len, prefix))
                return false;
        *v = s + strlen(prefix);
        *vlen = len - strlen(prefix);
        trim(v, vlen);
        return true;
}

/* Splits buf into kbc_kb_line entries (text still raw). */
static kbc_kb_line *split_lines(const char *buf, size_t len, size_t *n)
{
        size_t count = 1;
        for (size_t i = 0; i < len; i++)
                if (buf[i] == '\n' ||
                    (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n')))
                        count++;
        kbc_kb_line *lines = calloc(count, sizeof(*lines));
        if (!lines)
                return NULL;
        size_t k = 0, b = 0;
        for (size_t i = 0; i <= len && k < count; i++) {
                bool eol =
                    i == len || buf[i] == '\n' ||
                    (buf[i] == '\r' && (i + 1 == len || buf[i + 1] != '\n'));
                if (!eol)
                        continue;
                size_t e = i;
                if (e > b && buf[e - 1] == '\r')
                        e--;
                lines[k].s = buf + b;
                lines[k].len = e - b;
                lines[k].no = (int)(k + 1);
                k++;
                b = i + 1;
        }
        /* A final line end does not start another (empty) line. */
        if (k && len && (buf[len - 1] == '\n' || buf[len - 1] == '\r') &&
            lines[k - 1].len == 0)
                k--;
        *n = k;
        return lines;
}

static void measure(kbc_kb_line *l)
{
        int ind = 0;
        size_t i = 0;
        for (; i < l->len && (l->s[i] == ' ' || l->s[i] == '\t'); i++)
                ind += l->s[i] == '\t' ? 8 : 1;
        l->indent = ind;
        l->blank = true;
        for (size_t j = i; j < l->len; j++)
                if (!is_space(l->s[j]))
                        l->blank = false;
}

/* Jekyll body line: drop the tab, give back the lost space, decode <XX>. */
static void jekyll_line(kbc_arena *a, kbc_kb_line *l)
{
        const char *s = l->s;
        size_t len = l->len;
        bool restore = false;
        if (len && s[0] == '\t') {
                s++;
                len--;
                restore = len && s[0] == ' ';
        }
        char *t = decode_text(a, s, len, true);
        if (restore) {
                size_t tl = strlen(t);
                char *u = kbc_arena_alloc(a, tl + 2);
                u[0] = ' ';
                memcpy(u + 1, t, tl + 1);
                t = u;
        }
        l->s = t;
        l->len = strlen(t);
}

static const char *const known_names[] = {
    "SYMPTOMS",   "SYMPTOM", "CAUSE",   "CAUSES",     "RESOLUTION",
    "WORKAROUND", "STATUS",  "SUMMARY", "REFERENCES", "MORE INFORMATION"};

/* The canonical name when (s, len) is a known section name, as written in
 * capitals or title case ("Symptoms", "More Information"), or NULL. */
static const char *known_name(const char *s, size_t len, bool any_case)
{
        while (len && (s[len - 1] == ':' || is_space(s[len - 1])))
                len--;
        for (size_t k = 0; k < sizeof(known_names) / sizeof(*known_names);
             k++) {
                const char *name = known_names[k];
                if (strlen(name) != len || !ci_prefix(s, len, name))
                        continue;
                bool ok = any_case;
                if (!ok) { /* all capitals, or a capital on each word */
                        bool upper = true, title = true;
                        for (size_t i = 0; i < len; i++) {
                                bool first = i == 0 || s[i - 1] == ' ';
                                if (islower((unsigned char)s[i]))
                                        upper = false;
                                if (first && islower((unsigned char)s[i]))
                                        title = false;
                                if (!first && isupper((unsigned char)s[i]))
                                        title = false;
                        }
                        ok = upper || title ||
                             !strcmp(name, "MORE INFORMATION"); /* "More
                                                                 information" */
                        if (!strcmp(name, "MORE INFORMATION") &&
                            islower((unsigned char)s[0]))
                                ok = false;
                }
                if (!ok)
                        return NULL;
                if (!strcmp(name, "SYMPTOM"))
                        return "SYMPTOMS";
                if (!strcmp(name, "CAUSES"))
                        return "CAUSE";
                return name;
        }
        return NULL;
}

/* A markdown heading's section: a known name, or one that starts with it
 * ("Cause 1: the DNS record is missing", "Resolution for cause 2"), any
 * level; another name at level 2 or above opens a section of that name,
 * a deeper one stays in the text of its section. */
static const char *markdown_heading(parse_state *ps, const kbc_kb_line *l)
{
        const char *s = l->s;
        size_t len = l->len;
        trim(&s, &len);
        while (len && (s[len - 1] == ':' || is_space(s[len - 1])))
                len--;
        for (size_t k = 0; k < sizeof(known_names) / sizeof(*known_names);
             k++) {
                size_t n = strlen(known_names[k]);
                if (!ci_prefix(s, len, known_names[k]) ||
                    (n < len && !strchr(" :(", s[n]) &&
                     !isdigit((unsigned char)s[n])))
                        continue;
                return known_name(known_names[k], n, true);
        }
        if (l->heading > 2 || !len)
                return NULL;
        char *name = kbc_arena_strndup(ps->a, s, len);
        for (char *p = name; *p; p++)
                *p = (char)toupper((unsigned char)*p);
        return name;
}

/* 0 when l is not an underline, else '=' or '-'. */
static char underline(const kbc_kb_line *l, size_t *ulen)
{
        const char *s = l->s;
        size_t len = l->len;
        trim(&s, &len);
        if (len < 3 || (s[0] != '=' && s[0] != '-'))
                return 0;
        for (size_t i = 0; i < len; i++)
                if (s[i] != s[0])
                        return 0;
        *ulen = len;
        return s[0];
}

/* When lines[i] is a section heading: its name; *skip is how many lines it
 * takes (2 with an underline). */
static const char *heading(parse_state *ps, size_t i, size_t *skip)
{
        kbc_kb_line *l = &ps->lines[i];
        if (ps->markdown) {
                *skip = 1;
                return l->heading ? markdown_heading(ps, l) : NULL;
        }
        if (l->blank || l->indent > 4)
                return NULL;
        const char *s = l->s;
        size_t len = l->len;
        trim(&s, &len);
        size_t ulen = 0;
        char u = i + 1 < ps->end ? underline(&ps->lines[i + 1], &ulen) : 0;
        bool fits = u && ulen + 4 >= len && ulen <= len + 4;
        if (fits && u == '=' && l->indent == 0) {
                bool letter = false;
                for (size_t k = 0; k < len; k++)
                        if (isalpha((unsigned char)s[k]))
                                letter = true;
                if (!letter)
                        return NULL;
                *skip = 2;
                const char *known = known_name(s, len, true);
                if (known)
                        return known;
                while (len && s[len - 1] == ':')
                        len--;
                char *name = kbc_arena_strndup(ps->a, s, len);
                for (char *p = name; *p; p++)
                        *p = (char)toupper((unsigned char)*p);
                return name;
        }
        const char *known = known_name(s, len, false);
        if (!known)
                return NULL;
        if (fits && l->indent == 0) {
                *skip = 2;
                return known;
        }
        bool prev_blank = i == ps->start || ps->lines[i - 1].blank;
        bool next_blank = i + 1 >= ps->end || ps->lines[i + 1].blank;
        if (prev_blank && next_blank) {
                *skip = 1;
                return known;
        }
        return NULL;
}

/* Reads the "applies to" bullet list that starts after line i. */
static void applies_to(parse_state *ps, size_t i)
{
        for (size_t j = i + 1; j < ps->end && j < i + 200; j++) {
                kbc_kb_line *l = &ps->lines[j];
                size_t ulen;
                l->body = false;
                if (underline(l, &ulen) == '-' && ulen >= 20)
                        return;
                const char *s = l->s;
                size_t len = l->len;
                trim(&s, &len);
                if (len && s[0] == '-') {
                        s++;
                        len--;
                }
                list_add(ps->a, &ps->products, s, len);
        }
}

/* The line where the trailer starts: "Additional query words", the
 * "Keywords :" block or the disclaimer, whichever comes first. */
static size_t find_trailer(parse_state *ps)
{
        for (size_t i = ps->start; i < ps->n; i++) {
                const kbc_kb_line *l = &ps->lines[i];
                const char *s = l->s;
                size_t len = l->len;
                trim(&s, &len);
                if (ci_prefix(s, len, "Additional query words") ||
                    ci_prefix(s, len,
                              "THE INFORMATION PROVIDED IN THE "
                              "MICROSOFT KNOWLEDGE BASE"))
                        return i;
                size_t ulen;
                if (underline(l, &ulen) == '=' && ulen >= 40) {
                        size_t j = i + 1;
                        while (j < ps->n && ps->lines[j].blank)
                                j++;
                        if (j < ps->n) {
                                const char *t = ps->lines[j].s;
                                size_t tl = ps->lines[j].len;
                                trim(&t, &tl);
                                if (ci_prefix(t, tl, "Keywords") ||
                                    ci_prefix(t, tl, "Technology"))
                                        return i;
                        }
                }
        }
        return ps->n;
}

static void trailer_fields(parse_state *ps)
{
        for (size_t i = ps->end; i < ps->n; i++) {
                const char *v;
                size_t vlen;
                const kbc_kb_line *l = &ps->lines[i];
                if (field(l, "Keywords", &v, &vlen)) {
                        while (vlen && (*v == ' ' || *v == ':')) {
                                v++;
                                vlen--;
                        }
                        add_keywords(ps->a, &ps->keywords, v, vlen);
                }
        }
}

typedef struct sec_acc {
        const char *name;
        int line;
        kbc_buf text;
} sec_acc;

#define MAX_SECTIONS 64
#define SECTION_MAX  (4u << 20)

/* Appends the body lines [b, e) to the section text, de-indented by their
 * smallest indent, blank runs folded to one blank line, trimmed. */
static void section_append(sec_acc *sa, const kbc_kb_line *lines, size_t b,
                           size_t e)
{
        while (b < e && (lines[b].blank || !lines[b].body))
                b++;
        while (e > b && (lines[e - 1].blank || !lines[e - 1].body))
                e--;
        if (b >= e)
                return;
        int min = 1 << 30;
        for (size_t i = b; i < e; i++)
                if (!lines[i].blank && lines[i].body && lines[i].indent < min)
                        min = lines[i].indent;
        if (sa->text.len)
                kbc_buf_puts(&sa->text, "\n\n");
        bool pending_blank = false;
        for (size_t i = b; i < e; i++) {
                const kbc_kb_line *l = &lines[i];
                if (l->blank) {
                        pending_blank = true;
                        continue;
                }
                if (pending_blank)
                        kbc_buf_putc(&sa->text, '\n');
                pending_blank = false;
                /* Drop min columns of indentation (tabs count as 8). */
                size_t k = 0;
                int col = 0;
                while (k < l->len && col < min &&
                       (l->s[k] == ' ' || l->s[k] == '\t')) {
                        col += l->s[k] == '\t' ? 8 : 1;
                        k++;
                }
                size_t tl = l->len;
                while (tl > k && is_space(l->s[tl - 1]))
                        tl--;
                kbc_buf_append(&sa->text, l->s + k, tl - k);
                if (i + 1 < e)
                        kbc_buf_putc(&sa->text, '\n');
        }
        while (sa->text.len && sa->text.data[sa->text.len - 1] == '\n')
                sa->text.len--;
}

/* Finds the headings, tags every body line with its section and builds the
 * sections (repeated names joined, see the top of the file). */
static int build_sections(parse_state *ps, kbc_kb_article *art)
{
        sec_acc acc[MAX_SECTIONS];
        size_t nacc = 0;
        int rc = 0;
        const char *cur = NULL;
        size_t cur_from = 0;
        size_t cur_acc = 0;

        for (size_t i = ps->start; i <= ps->end; i++) {
                size_t skip = 0;
                const char *name = i < ps->end ? heading(ps, i, &skip) : NULL;
                if (i < ps->end && !name) {
                        ps->lines[i].section = cur;
                        continue;
                }
                if (cur)
                        section_append(&acc[cur_acc], ps->lines, cur_from, i);
                if (!name)
                        break;
                size_t k = 0;
                while (k < nacc && strcmp(acc[k].name, name))
                        k++;
                if (k == nacc) {
                        if (nacc == MAX_SECTIONS) {
                                /* More sections than any article has: the
                                 * rest of the text goes to the last one. */
                                ps->lines[i].section = cur;
                                continue;
                        }
                        acc[nacc].name = name;
                        acc[nacc].line = ps->lines[i].no;
                        kbc_buf_init(&acc[nacc].text, SECTION_MAX);
                        nacc++;
                }
                cur = acc[k].name;
                cur_acc = k;
                for (size_t j = i; j < i + skip; j++) {
                        ps->lines[j].body = false;
                        ps->lines[j].section = cur;
                }
                i += skip - 1;
                cur_from = i + 1;
        }

        kbc_kb_section *secs =
            kbc_arena_alloc(ps->a, sizeof(*secs) * (nacc ? nacc : 1));
        for (size_t k = 0; k < nacc; k++) {
                secs[k].name = acc[k].name;
                secs[k].line = acc[k].line;
                secs[k].text = kbc_arena_strndup(
                    ps->a, acc[k].text.data ? acc[k].text.data : "",
                    acc[k].text.len);
                kbc_buf_free(&acc[k].text);
        }
        art->sections = secs;
        art->nsections = nacc;
        return rc;
}

/* Raw form: DOCUMENT/TITLE/PRODUCT/PROD/VER/OPER/SYS/KEYWORDS. */
static int raw_header(parse_state *ps, kbc_kb_article *art, char *errstr,
                      size_t errsize)
{
        kbc_kb_line *l0 = &ps->lines[0];
        const char *s = l0->s + 9;
        size_t len = l0->len - 9, i = 0;
        while (i < len && is_space(s[i]))
                i++;
        size_t b = i;
        while (i < len && isalnum((unsigned char)s[i]))
                i++;
        if (i == b)
                return kbc_errf(errstr, errsize,
                                "DOCUMENT: header without an article id");
        art->id = kbc_arena_strndup(ps->a, s + b, i - b);
        while (i < len && is_space(s[i]))
                i++;
        b = i;
        while (i < len && !is_space(s[i]) && s[i] != '[')
                i++;
        if (i > b)
                art->date = kbc_arena_strndup(ps->a, s + b, i - b);

        const char *product = NULL, *version = NULL;
        size_t j = 1;
        for (; j < ps->n && j < 12; j++) {
                const char *v;
                size_t vlen;
                kbc_kb_line *l = &ps->lines[j];
                if (field(l, "TITLE", &v, &vlen)) {
                        while (vlen && (*v == ':' || *v == ' ')) {
                                v++;
                                vlen--;
                        }
                        art->title = decode_text(ps->a, v, vlen, false);
                } else if (field(l, "PRODUCT", &v, &vlen)) {
                        while (vlen && (*v == ':' || *v == ' ')) {
                                v++;
                                vlen--;
                        }
                        product = dup_trim(ps->a, v, vlen);
                } else if (field(l, "PROD/VER:", &v, &vlen)) {
                        version = dup_trim(ps->a, v, vlen);
                } else if (field(l, "OPER/SYS:", &v, &vlen)) {
                        ;
                } else if (field(l, "KEYWORDS:", &v, &vlen)) {
                        add_keywords(ps->a, &ps->keywords, v, vlen);
                        j++;
                        break;
                } else if (!l->blank) {
                        break;
                }
        }
        ps->start = j;
        if (product && *product) {
                /* PROD/VER is "platform:versions"; a bare ":" or "winnt:"
                 * says nothing. */
                const char *colon = version ? strchr(version, ':') : NULL;
                const char *vers = colon ? colon + 1 : version;
                add_product(ps, product, vers && *vers ? version : NULL);
        }
        return 0;
}

/* Jekyll front matter: title (quoted YAML) and permalink. Returns the line
 * after the closing "---", or 0 when there is none. */
static size_t front_matter(parse_state *ps, kbc_kb_article *art)
{
        for (size_t i = 1; i < ps->n && i < 64; i++) {
                const char *v;
                size_t vlen;
                kbc_kb_line *l = &ps->lines[i];
                if (l->len >= 3 && !memcmp(l->s, "---", 3) &&
                    underline(l, &vlen) == '-')
                        return i + 1;
                if (!field(l, "title:", &v, &vlen))
                        continue;
                if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') &&
                    v[vlen - 1] == v[0]) {
                        v++;
                        vlen -= 2;
                }
                /* Undo YAML's \" and \\ in double-quoted scalars. */
                char *t = kbc_arena_alloc(ps->a, vlen + 1);
                size_t o = 0;
                for (size_t k = 0; k < vlen; k++) {
                        if (v[k] == '\\' && k + 1 < vlen)
                                k++;
                        t[o++] = v[k];
                }
                /* "Q324332: XADM: ..." - the id prefix is not the title. */
                size_t k = 0;
                if (o && (t[0] == 'Q' || t[0] == 'q')) {
                        k = 1;
                        while (k < o && isdigit((unsigned char)t[k]))
                                k++;
                        if (k > 1 && k + 1 < o && t[k] == ':' &&
                            t[k + 1] == ' ')
                                k += 2;
                        else
                                k = 0;
                }
                art->title = decode_text(ps->a, t + k, o - k, true);
        }
        return 0;
}

static int jekyll_header(parse_state *ps, kbc_kb_article *art, char *errstr,
                         size_t errsize)
{
        size_t fm_end = front_matter(ps, art);
        if (!fm_end)
                return kbc_errf(errstr, errsize,
                                "Jekyll front matter is not closed by ---");
        /* The body runs between {% raw %} and {% endraw %}; pages without
         * the markers are read from the end of the front matter. */
        size_t b = fm_end, e = ps->n;
        for (size_t i = fm_end; i < ps->n; i++) {
                const char *s = ps->lines[i].s;
                size_t len = ps->lines[i].len;
                trim(&s, &len);
                if (ci_prefix(s, len, "{% raw %}") && b == fm_end)
                        b = i + 1;
                else if (ci_prefix(s, len, "{% endraw %}"))
                        e = i;
        }
        if (e < b)
                e = ps->n;
        for (size_t i = 0; i < b; i++)
                ps->lines[i].blank = true;
        for (size_t i = b; i < e; i++)
                jekyll_line(ps->a, &ps->lines[i]);
        ps->n = e;

        const char *product = NULL, *version = NULL;
        size_t j = b;
        for (; j < e && j < b + 16; j++) {
                const char *v;
                size_t vlen;
                kbc_kb_line *l = &ps->lines[j];
                measure(l);
                if (field(l, "Article:", &v, &vlen)) {
                        art->id = dup_trim(ps->a, v, vlen);
                } else if (field(l, "Product(s):", &v, &vlen)) {
                        product = dup_trim(ps->a, v, vlen);
                } else if (field(l, "Version(s):", &v, &vlen)) {
                        version = dup_trim(ps->a, v, vlen);
                } else if (field(l, "Operating System(s):", &v, &vlen)) {
                        ;
                } else if (field(l, "Keyword(s):", &v, &vlen)) {
                        add_keywords(ps->a, &ps->keywords, v, vlen);
                } else if (field(l, "Last Modified:", &v, &vlen)) {
                        if (vlen)
                                art->date = dup_trim(ps->a, v, vlen);
                        j++;
                        break;
                } else if (!l->blank) {
                        break;
                }
        }
        ps->start = j;
        if (!art->id) {
                /* No "Article:" line: the id is the title's prefix. */
                return kbc_errf(errstr, errsize,
                                "Jekyll page without an Article: line");
        }

        if (product && *product) {
                add_product(ps, product, version && *version ? version : NULL);
        }
        return 0;
}

/* An id becomes a file name and a YAML scalar of the compiled rule:
 * only letters, digits, '-' and '_' ("Article: ../../etc/x" or an id
 * with a newline decoded from "&#10;" must not get that far), and not a
 * word that YAML reads as no value ("id: null" does not load). */
static bool id_valid(const char *id)
{
        size_t n = 0;
        for (; id[n]; n++)
                if (!isalnum((unsigned char)id[n]) && id[n] != '-' &&
                    id[n] != '_')
                        return false;
        if (!strcmp(id, "null") || !strcmp(id, "Null") || !strcmp(id, "NULL"))
                return false;
        return n >= 1 && n <= KBC_KB_ID_MAX;
}

static bool word_char(char c)
{
        return isalnum((unsigned char)c) || c == '_';
}

/* Does text mention w as a whole word? Names in any case ("message
 * transfer agent"), abbreviations as written ("IS", not "is"). */
static bool mentions(const char *text, const char *w, bool any_case)
{
        size_t n = strlen(w);
        for (const char *p = text; *p; p++) {
                if (any_case ? strncasecmp(p, w, n) : strncmp(p, w, n))
                        continue;
                if ((p == text || !word_char(p[-1])) && !word_char(p[n]))
                        return true;
        }
        return false;
}

/* The Exchange component whose source an Exchange article's events are
 * logged under: the one its other events name, else the one its symptoms
 * speak of ("the message transfer agent (MTA) may stop" is
 * MSExchangeMTA's); NULL when none or several. */
static const char *exchange_component(const kbc_kb_article *art)
{
        static const struct {
                const char *name, *alias, *source;
        } parts[] = {
            {"message transfer agent", "MTA", "MSExchangeMTA"},
            {"information store", "IS", "MSExchangeIS"},
            {"directory service", "DS", "MSExchangeDS"},
            {"system attendant", "SA", "MSExchangeSA"},
            {"Internet Mail Service", "IMS", "MSExchangeIMC"},
            {"Internet Mail Connector", "IMC", "MSExchangeIMC"},
            {"Key Management", "KMS", "MSExchangeKMS"},
            {"Event Service", "ES", "MSExchangeES"},
        };
        const char *found = NULL;
        /* The one component the article's own events name */
        for (size_t i = 0; i < art->nsignals; i++) {
                const char *src = art->signals[i].source;
                if (!src || strncasecmp(src, "MSExchange", 10))
                        continue;
                if (found && strcasecmp(found, src))
                        return NULL;
                found = src;
        }
        if (found)
                return found;
        const kbc_kb_section *sym = kbc_kb_section_get(art, "SYMPTOMS");
        for (size_t k = 0; sym && k < sizeof(parts) / sizeof(*parts); k++) {
                if (!mentions(sym->text, parts[k].name, true) &&
                    !mentions(sym->text, parts[k].alias, false))
                        continue;
                if (found && strcmp(found, parts[k].source))
                        return NULL;
                found = parts[k].source;
        }
        return found;
}

/* Events that name no source take the one the article's product logs
 * under, when it has one: an SNA Server article's bare "Event ID 624" is
 * SNA Server's, an Exchange article's about its MTA MSExchangeMTA's. The
 * article's other events are no guide (a Service Control Manager 7000
 * beside a bare "event 1000" says nothing of it). */
static void imply_sources(kbc_kb_article *art)
{
        static const struct {
                const char *product, *source;
        } logs_as[] = {
            {"COM Transaction Integrator", "COMTI"},
            {"SNA Server", "SNA Server"},
            {"Host Integration Server", "SNA Server"},
            {"SQL Server", "MSSQLServer"},
            {"Exchange", NULL},
        };
        const char *implied = NULL;
        for (size_t k = 0; k < sizeof(logs_as) / sizeof(*logs_as) && !implied;
             k++)
                for (size_t i = 0; i < art->nproducts && !implied; i++)
                        if (strstr(art->products[i], logs_as[k].product))
                                implied = logs_as[k].source
                                              ? logs_as[k].source
                                              : exchange_component(art);
        kbc_kb_signal *sig = (kbc_kb_signal *)art->signals;
        for (size_t i = 0; implied && i < art->nsignals; i++)
                if (sig[i].kind == KBC_KB_EVENT && !sig[i].source) {
                        sig[i].source = implied;
                        sig[i].source_implied = true;
                }
}

/* Markdown (kb_markdown.c): its body lines replace the file's. */
static int markdown_body(parse_state *ps, kbc_kb_article *art, char *errstr,
                         size_t errsize)
{
        const char *applies = NULL;
        size_t n = 0;
        kbc_kb_line *lines = kbc_kb_markdown_lines(
            ps->a, ps->lines, ps->n, art, &applies, &n, errstr, errsize);
        if (!lines)
                return -1;
        free(ps->lines);
        ps->lines = lines;
        ps->n = n;
        ps->start = 0;
        ps->markdown = true;
        for (size_t i = 0; i < n; i++)
                measure(&lines[i]);
        /* "Windows Server 2012 R2, Windows Server 2016" */
        for (const char *p = applies; p && *p;) {
                const char *comma = strchr(p, ',');
                size_t len = comma ? (size_t)(comma - p) : strlen(p);
                list_add(ps->a, &ps->products, p, len);
                p = comma ? comma + 1 : NULL;
        }
        return 0;
}

kbc_kb_article *kbc_kb_parse(kbc_arena *a, const char *path, const char *buf,
                             size_t len, char *errstr, size_t errsize)
{
        kbc_kb_article *art = NULL;
        parse_state ps = {0};
        ps.a = a;

        if (errstr && errsize)
                errstr[0] = '\0';
        if (!buf || len == 0) {
                kbc_errf(errstr, errsize, "empty file");
                goto out;
        }
        const char *nul = memchr(buf, '\0', len);
        if (nul) {
                kbc_errf(errstr, errsize,
                         "binary data (NUL byte at offset %zu), not a KB "
                         "article",
                         (size_t)(nul - buf));
                goto out;
        }
        if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) { /* UTF-8 BOM */
                buf += 3;
                len -= 3;
        }
        ps.lines = split_lines(buf, len, &ps.n);
        if (!ps.lines) {
                kbc_errf(errstr, errsize, "out of memory");
                goto out;
        }
        art = kbc_arena_alloc(a, sizeof(*art));
        art->path = path ? kbc_arena_strdup(a, path) : NULL;

        kbc_kb_line *l0 = &ps.lines[0];
        int rc;
        if (ps.n && l0->len >= 9 && !memcmp(l0->s, "DOCUMENT:", 9)) {
                for (size_t i = 0; i < ps.n; i++)
                        measure(&ps.lines[i]);
                rc = raw_header(&ps, art, errstr, errsize);
        } else if (kbc_kb_markdown_is(ps.lines, ps.n)) {
                rc = markdown_body(&ps, art, errstr, errsize);
        } else if (ps.n && l0->len >= 3 && !memcmp(l0->s, "---", 3) &&
                   underline(l0, &(size_t){0}) == '-') {
                rc = jekyll_header(&ps, art, errstr, errsize);
                for (size_t i = ps.start; i < ps.n; i++)
                        measure(&ps.lines[i]);
        } else {
                rc = kbc_errf(errstr, errsize,
                              "not a KB article: no DOCUMENT: header, no "
                              "Jekyll front matter and no Microsoft Learn "
                              "front matter (ms.date:)");
        }
        if (!rc && !id_valid(art->id)) {
                /* said on one line: the id may hold a decoded newline */
                char shown[41];
                snprintf(shown, sizeof(shown), "%s", art->id);
                for (char *c = shown; *c; c++)
                        if ((unsigned char)*c < 0x20 || *c == 0x7f)
                                *c = '?';
                rc = kbc_errf(errstr, errsize,
                              "article id \"%s\" is not 1 to 32 letters, "
                              "digits, '-' or '_' (other than null)",
                              shown);
        }
        if (rc) {
                art = NULL;
                goto out;
        }
        if (!art->title)
                art->title = "";

        ps.end = find_trailer(&ps);
        for (size_t i = ps.start; i < ps.end; i++)
                ps.lines[i].body = true;
        for (size_t i = ps.start; i < ps.end && i < ps.start + 40; i++) {
                const char *s = ps.lines[i].s;
                size_t sl = ps.lines[i].len;
                trim(&s, &sl);
                if (ci_prefix(s, sl,
                              "The information in this article "
                              "applies to")) {
                        ps.lines[i].body = false;
                        applies_to(&ps, i);
                        break;
                }
        }
        /* Separator lines of '=' or '-' around the header say nothing. */
        for (size_t i = ps.start; i < ps.end; i++) {
                size_t ulen;
                if (underline(&ps.lines[i], &ulen) && ulen >= 40)
                        ps.lines[i].body = false;
        }
        trailer_fields(&ps);
        build_sections(&ps, art);

        const char **pv =
            kbc_arena_alloc(a, sizeof(char *) * (ps.products.n + 1));
        memcpy(pv, ps.products.v, sizeof(char *) * ps.products.n);
        art->products = pv;
        art->nproducts = ps.products.n;
        const char **kv =
            kbc_arena_alloc(a, sizeof(char *) * (ps.keywords.n + 1));
        memcpy(kv, ps.keywords.v, sizeof(char *) * ps.keywords.n);
        art->keywords = kv;
        art->nkeywords = ps.keywords.n;

        kbc_kb_extract_signals(a, ps.lines + ps.start, ps.end - ps.start,
                               &art->signals, &art->nsignals);
        if (ps.markdown)
                kbc_kb_markdown_sources(a, art, ps.lines, ps.n);
        else
                imply_sources(art);
out:
        free(ps.lines);
        return art;
}

const kbc_kb_section *kbc_kb_section_get(const kbc_kb_article *art,
                                         const char *name)
{
        if (!art || !name)
                return NULL;
        for (size_t i = 0; i < art->nsections; i++)
                if (!strcmp(art->sections[i].name, name))
                        return &art->sections[i];
        return NULL;
}
