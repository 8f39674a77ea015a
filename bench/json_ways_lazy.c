/*
 * json_ways_lazy.c - the lazy way (json_ways.h): one pass over the text,
 * no token array. The top-level members are kept as (name, raw value)
 * views; the objects a decoder reads (winlog, host, agent, log, event,
 * event_data) are walked into; every other value is stepped over.
 *
 * Stepping over is not skipping unchecked: to accept and refuse exactly
 * what kbc_json_parse does, every byte is still checked against the same
 * grammar (strict numbers and literals, escapes, ',' and ':' placement,
 * depth <= KBC_JSON_MAX_DEPTH, at most KBC_JSON_MAX_TOKENS values,
 * nothing after the object but whitespace; raw control bytes and invalid
 * UTF-8 inside strings tolerated). What it saves is the token array, the
 * second walk that validates it and the key index. Strings are scanned 16
 * bytes at a time by the tokenizer's own scan (kbc_json_skip_plain), and
 * unescaped only when used (json_ways_finish.c).
 *
 * Anything outside the prototype (an escaped member name, more than
 * JW_MAX_MEMBERS members, an error) is JW_FALLBACK.
 */
#include <stdlib.h>

#include "json.h"
#include "json_tokenize.h"
#include "json_ways.h"

struct jw_lazy {
        jw_parts p;
        char *scratch;
        size_t max_len;
};

typedef struct scan {
        const char *s;
        size_t n, i;
        unsigned tokens;
        int depth;
} scan;

jw_lazy *jw_lazy_new(size_t max_len)
{
        jw_lazy *z = calloc(1, sizeof(*z));
        if (!z)
                return NULL;
        z->max_len = max_len;
        z->scratch = malloc(max_len + 1);
        if (!z->scratch) {
                free(z);
                return NULL;
        }
        return z;
}

void jw_lazy_free(jw_lazy *z)
{
        if (z) {
                free(z->scratch);
                free(z);
        }
}

static void ws(scan *c)
{
        while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\n' ||
                               c->s[c->i] == '\r' || c->s[c->i] == '\t'))
                c->i++;
}

static bool eat(scan *c, char ch)
{
        ws(c);
        if (c->i < c->n && c->s[c->i] == ch) {
                c->i++;
                return true;
        }
        return false;
}

static bool counted(scan *c)
{
        return ++c->tokens <= KBC_JSON_MAX_TOKENS;
}

static bool hex(char ch)
{
        return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
               (ch >= 'A' && ch <= 'F');
}

/* At the opening quote: the text between the quotes, and whether it
 * holds an escape. The escapes jsmn accepts, nothing else. */
static bool string(scan *c, kbc_str *out, bool *esc)
{
        size_t start = ++c->i;
        *esc = false;
        for (;;) {
                c->i = kbc_json_skip_plain(c->s, c->i, c->n);
                if (c->i >= c->n || c->s[c->i] == '\0')
                        return false;
                if (c->s[c->i] == '"')
                        break;
                *esc = true;
                if (++c->i >= c->n)
                        return false;
                switch (c->s[c->i++]) {
                case '"':
                case '/':
                case '\\':
                case 'b':
                case 'f':
                case 'r':
                case 'n':
                case 't':
                        break;
                case 'u':
                        if (c->i + 4 > c->n || !hex(c->s[c->i]) ||
                            !hex(c->s[c->i + 1]) || !hex(c->s[c->i + 2]) ||
                            !hex(c->s[c->i + 3]))
                                return false;
                        c->i += 4;
                        break;
                default:
                        return false;
                }
        }
        *out = kbc_str_make(c->s + start, c->i - start);
        c->i++;
        return counted(c);
}

static bool digits(scan *c)
{
        size_t start = c->i;
        while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9')
                c->i++;
        return c->i > start;
}

/* A primitive must end where jsmn's does: at whitespace, ',', ']' or
 * '}' (the end of the text is a truncated message). */
static bool delimited(scan *c)
{
        if (c->i >= c->n)
                return false;
        char ch = c->s[c->i];
        return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n' ||
               ch == ',' || ch == ']' || ch == '}';
}

/* RFC 8259 numbers and the three literals, as json.c's valid_primitive. */
static bool primitive(scan *c, jw_member *m)
{
        size_t start = c->i;
        char ch = c->s[c->i];
        if (ch == 't' || ch == 'f' || ch == 'n') {
                const char *lit = ch == 't'   ? "true"
                                  : ch == 'f' ? "false"
                                              : "null";
                size_t k = 0;
                while (lit[k] && c->i < c->n && c->s[c->i] == lit[k])
                        c->i++, k++;
                if (lit[k])
                        return false;
                m->type = ch == 'n' ? JW_NULL : JW_BOOL;
        } else {
                if (c->s[c->i] == '-')
                        c->i++;
                if (c->i < c->n && c->s[c->i] == '0')
                        c->i++;
                else if (!digits(c))
                        return false;
                if (c->i < c->n && c->s[c->i] == '.') {
                        c->i++;
                        if (!digits(c))
                                return false;
                }
                if (c->i < c->n && (c->s[c->i] == 'e' || c->s[c->i] == 'E')) {
                        c->i++;
                        if (c->i < c->n &&
                            (c->s[c->i] == '+' || c->s[c->i] == '-'))
                                c->i++;
                        if (!digits(c))
                                return false;
                }
                m->type = JW_NUMBER;
        }
        m->val = kbc_str_make(c->s + start, c->i - start);
        m->esc = false;
        return delimited(c) && counted(c);
}

static bool skip_value(scan *c);

/* After '{' or '[': the members or items, each checked, none kept. */
static bool skip_container(scan *c, char close)
{
        if (++c->depth > KBC_JSON_MAX_DEPTH || !counted(c))
                return false;
        if (eat(c, close)) {
                c->depth--;
                return true;
        }
        do {
                if (close == '}') {
                        kbc_str k;
                        bool esc;
                        ws(c);
                        if (c->i >= c->n || c->s[c->i] != '"' ||
                            !string(c, &k, &esc) || !eat(c, ':'))
                                return false;
                }
                if (!skip_value(c))
                        return false;
        } while (eat(c, ','));
        c->depth--;
        return eat(c, close);
}

/* One value of any kind, into m when m is not NULL. A container is
 * stepped over and only its type kept. */
static bool value(scan *c, jw_member *m)
{
        jw_member tmp;
        if (!m)
                m = &tmp;
        ws(c);
        if (c->i >= c->n)
                return false;
        switch (c->s[c->i]) {
        case '"':
                m->type = JW_STRING;
                return string(c, &m->val, &m->esc);
        case '{':
                m->type = JW_OBJECT;
                c->i++;
                return skip_container(c, '}');
        case '[':
                m->type = JW_ARRAY;
                c->i++;
                return skip_container(c, ']');
        default:
                return primitive(c, m);
        }
}

static bool skip_value(scan *c)
{
        return value(c, NULL);
}

/* A member name: at its quote, without escapes (the prototype leaves
 * those to the library). */
static bool name(scan *c, kbc_str *k)
{
        bool esc;
        ws(c);
        return c->i < c->n && c->s[c->i] == '"' && string(c, k, &esc) && !esc &&
               eat(c, ':');
}

/* Calls visit for each member of the object whose '{' is next. */
typedef bool (*visit_fn)(scan *c, jw_parts *p, int parent, kbc_str key,
                         kbc_event *ev);

static bool members(scan *c, jw_parts *p, int parent, visit_fn visit,
                    kbc_event *ev)
{
        if (!eat(c, '{') || ++c->depth > KBC_JSON_MAX_DEPTH || !counted(c))
                return false;
        if (!eat(c, '}')) {
                do {
                        kbc_str k;
                        if (!name(c, &k) || !visit(c, p, parent, k, ev))
                                return false;
                } while (eat(c, ','));
                if (!eat(c, '}'))
                        return false;
        }
        c->depth--;
        return true;
}

static bool data_member(scan *c, jw_parts *p, int parent, kbc_str key,
                        kbc_event *ev)
{
        (void)parent;
        jw_member m;
        return value(c, &m) && jw_event_data_member(p, key, &m, ev) == 0;
}

/* An event data object: its members go to ev as they come. */
static bool data_object(scan *c, jw_parts *p, int from, kbc_event *ev)
{
        if (p->ed_from >= 0)
                return false; /* two of them: left to the library */
        p->ed_from = from;
        return members(c, p, from, data_member, ev);
}

static bool opens_object(scan *c)
{
        ws(c);
        return c->i < c->n && c->s[c->i] == '{';
}

static bool nested_member(scan *c, jw_parts *p, int parent, kbc_str key,
                          kbc_event *ev)
{
        int s = jw_nested_slot(parent, key);
        if (s < 0 || p->slot[s] >= 0)
                return skip_value(c);
        jw_member *m = &p->nested[s - JW_NTOP];
        p->slot[s] = 0;
        if ((s == JW_W_EVENT_DATA || s == JW_W_USER_DATA) && opens_object(c)) {
                m->type = JW_OBJECT;
                return data_object(c, p, s, ev);
        }
        return value(c, m);
}

static bool top_member(scan *c, jw_parts *p, int parent, kbc_str key,
                       kbc_event *ev)
{
        (void)parent;
        if (p->nm == JW_MAX_MEMBERS)
                return false;
        int s = key.len ? jw_top_slot(key) : -1;
        jw_member *m = &p->m[p->nm];
        m->key = key;
        if (s >= 0 && p->slot[s] < 0)
                p->slot[s] = (int)p->nm;
        else
                s = -1;
        p->nm++;
        if (s >= 0 && jw_descends(s) && opens_object(c)) {
                m->type = JW_OBJECT;
                return s == JW_EVENT_DATA ? data_object(c, p, s, ev)
                                          : members(c, p, s, nested_member, ev);
        }
        return value(c, m);
}

int jw_lazy_decode(jw_lazy *z, const char *buf, size_t len, kbc_event *ev)
{
        if (len > z->max_len)
                return JW_FALLBACK;
        scan c = {buf, len, 0, 0, 0};
        jw_start(&z->p, z->scratch, ev);
        if (!members(&c, &z->p, -1, top_member, ev))
                return JW_FALLBACK;
        ws(&c);
        if (c.i != c.n)
                return JW_FALLBACK;
        return jw_finish(&z->p, ev);
}
