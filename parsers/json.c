/*
 * json.c - zero-copy JSON reader over jsmn (see json.h for the interface);
 * the tokenizer is jsmn's, with a faster string scan (json_tokenize.c).
 *
 * Why a tokenizer and not a DOM library (jansson, json-c, cJSON,
 * libfastjson, json-parser; measured against jsmn in BENCHMARKS.md): a DOM
 * library allocates a node per value and copies every string out of the
 * message, then we would copy again into our event. jsmn writes only
 * (type, start, end, size) tokens into an array we own and reuse, so a
 * decoded event is a set of offsets into the Kafka message itself and the
 * hot path allocates and copies nothing. The price is that jsmn validates
 * little, so this file adds what it leaves out:
 *
 *  - JSMN_STRICT, else jsmn accepts bare words as values and keys;
 *  - a validation walk over the tokens that checks the separators between
 *    them (jsmn ignores ',' and ':' placement: "[1 2]", "[1,,2]" and
 *    "{"a":1,}" all tokenize), the true/false/null/number grammar (strict
 *    jsmn looks only at the first character), key/value pairing, a
 *    top-level object and nothing but whitespace after it. The same walk
 *    records for every token the index past its subtree, so skipping a
 *    member is O(1) afterwards;
 *  - bounds on work: jsmn with JSMN_PARENT_LINKS closes a container by
 *    walking up the parent chain, so its cost is (tokens x depth); without
 *    parent links every ',' in an object rescans all earlier tokens, which
 *    is quadratic in the member count. Depth is therefore checked before
 *    jsmn runs (KBC_JSON_MAX_DEPTH) and tokens are capped
 *    (KBC_JSON_MAX_TOKENS), so a hostile 1 MiB message costs linear time.
 *
 * Strings are handed out as views into the message. A string holding a
 * backslash is unescaped (\uXXXX and surrogate pairs to UTF-8; a lone
 * surrogate becomes U+FFFD rather than failing the whole event) into a
 * scratch buffer reserved at parse time to the message's length. Since
 * unescaping never lengthens a string, the scratch never has to move while
 * views into it are out, which would leave them dangling.
 *
 * Deliberately tolerated: raw control bytes and invalid UTF-8 inside
 * strings (RFC 8259 forbids the former). They carry no structure, and
 * refusing a whole event over a raw tab in a message helps nobody.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_tokenize.h"
#include "kbc_buf.h"
#include "kbc_err.h"

/* Enough for any Windows event of the real capture (85-154 tokens) and
 * most others without growing. */
#define INITIAL_TOKENS 512

/* Up to half full: objects of more keys are searched linearly. */
#define ROOT_SLOTS    256
#define ROOT_MAX_KEYS (ROOT_SLOTS / 2)

struct kbc_json {
        const char *js; /* the message of the last parse */
        size_t len;
        size_t max_len;
        jsmntok_t *tok;
        int *next;     /* next[i]: index just past token i's subtree */
        bool *escaped; /* escaped[i]: string token i holds a backslash */
        unsigned captok;
        int ntok;
        kbc_buf scratch;
        /* The top-level object's keys, hashed on the first lookup there:
         * NXLog and Winlogbeat 6 records are flat objects of 30-60 members
         * and a decoder asks for a dozen, so walking the keys for each was
         * a sixth of the decoding instructions (BENCHMARKS.md). */
        enum { ROOT_UNINDEXED, ROOT_INDEXED, ROOT_LINEAR } root;
        int root_slot[ROOT_SLOTS]; /* key token, or -1 */
};

kbc_json *kbc_json_new(size_t max_len)
{
        kbc_json *j = calloc(1, sizeof(*j));
        if (!j)
                return NULL;
        /* jsmn keeps offsets in int. */
        j->max_len = max_len < INT_MAX ? max_len : INT_MAX - 1;
        j->tok = malloc(INITIAL_TOKENS * sizeof(*j->tok));
        j->next = malloc(INITIAL_TOKENS * sizeof(*j->next));
        j->escaped = malloc(INITIAL_TOKENS * sizeof(*j->escaped));
        if (!j->tok || !j->next || !j->escaped) {
                kbc_json_free(j);
                return NULL;
        }
        j->captok = INITIAL_TOKENS;
        kbc_buf_init(&j->scratch, j->max_len + 1);
        return j;
}

void kbc_json_free(kbc_json *j)
{
        if (!j)
                return;
        free(j->tok);
        free(j->next);
        free(j->escaped);
        kbc_buf_free(&j->scratch);
        free(j);
}

/* Doubles the token arrays; jsmn then resumes where it stopped. */
static int grow_tokens(kbc_json *j)
{
        if (j->captok >= KBC_JSON_MAX_TOKENS)
                return -1;
        unsigned cap = j->captok * 2;
        if (cap > KBC_JSON_MAX_TOKENS)
                cap = KBC_JSON_MAX_TOKENS;
        jsmntok_t *tok = realloc(j->tok, cap * sizeof(*tok));
        if (!tok)
                return -1;
        j->tok = tok;
        int *next = realloc(j->next, cap * sizeof(*next));
        if (!next)
                return -1;
        j->next = next;
        bool *escaped = realloc(j->escaped, cap * sizeof(*escaped));
        if (!escaped)
                return -1;
        j->escaped = escaped;
        j->captok = cap;
        return 0;
}

/* Unescaped strings are never longer than the message, so reserving its
 * length up front means the scratch never moves while views point in. */
static int scratch_reserve(kbc_json *j, size_t len)
{
        kbc_buf_reset(&j->scratch);
        return kbc_buf_reserve(&j->scratch, len);
}

static bool is_ws(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool is_digit(char c)
{
        return c >= '0' && c <= '9';
}

static size_t count_byte(const char *s, size_t len, char c, size_t stop)
{
        size_t n = 0;
        const char *end = s + len;
        while (n <= stop && s < end && (s = memchr(s, c, (size_t)(end - s)))) {
                n++;
                s++;
        }
        return n;
}

/* Returns the offset of the bracket that passes KBC_JSON_MAX_DEPTH, or
 * SIZE_MAX. The exact scan mirrors how strict jsmn reads strings (a
 * backslash hides the next byte) and primitives (anything up to a
 * delimiter, '"' and '[' included), so it sees the brackets jsmn will see;
 * where the two could part ways jsmn has already failed. Most messages
 * have few brackets at all and skip it. */
static size_t too_deep(const char *s, size_t len)
{
        size_t opens = count_byte(s, len, '{', KBC_JSON_MAX_DEPTH);
        if (opens <= KBC_JSON_MAX_DEPTH)
                opens += count_byte(s, len, '[', KBC_JSON_MAX_DEPTH);
        if (opens <= KBC_JSON_MAX_DEPTH)
                return SIZE_MAX;

        int depth = 0;
        for (size_t i = 0; i < len && s[i] != '\0'; i++) {
                switch (s[i]) {
                case '"':
                        for (i++; i < len && s[i] != '"'; i++)
                                if (s[i] == '\\')
                                        i++;
                        break;
                case '{':
                case '[':
                        if (++depth > KBC_JSON_MAX_DEPTH)
                                return i;
                        break;
                case '}':
                case ']':
                        if (depth > 0)
                                depth--;
                        break;
                case '-':
                case 't':
                case 'f':
                case 'n':
                case '0':
                case '1':
                case '2':
                case '3':
                case '4':
                case '5':
                case '6':
                case '7':
                case '8':
                case '9':
                        while (i + 1 < len && s[i + 1] != '\0' &&
                               !is_ws(s[i + 1]) && s[i + 1] != ',' &&
                               s[i + 1] != ']' && s[i + 1] != '}')
                                i++;
                        break;
                default:
                        break;
                }
        }
        return SIZE_MAX;
}

/* Raw extent of a token in the message, quotes included. */
static size_t raw_start(const jsmntok_t *t)
{
        return (size_t)t->start - (t->type == JSMN_STRING);
}

static size_t raw_end(const jsmntok_t *t)
{
        return (size_t)t->end + (t->type == JSMN_STRING);
}

/* js[from..to) must be whitespace around exactly one sep (or none when sep
 * is 0). Returns SIZE_MAX, or the offset of the first byte that is wrong. */
static size_t check_gap(const char *js, size_t from, size_t to, char sep)
{
        if (to < from)
                return from;
        size_t i = from;
        while (i < to && is_ws(js[i]))
                i++;
        if (sep) {
                if (i == to || js[i] != sep)
                        return i;
                i++;
                while (i < to && is_ws(js[i]))
                        i++;
        }
        return i == to ? SIZE_MAX : i;
}

static bool skip_digits(const char *s, size_t n, size_t *i)
{
        size_t start = *i;
        while (*i < n && is_digit(s[*i]))
                (*i)++;
        return *i > start;
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool valid_number(const char *s, size_t n)
{
        size_t i = 0;
        if (i < n && s[i] == '-')
                i++;
        if (i < n && s[i] == '0')
                i++;
        else if (!skip_digits(s, n, &i))
                return false;
        if (i < n && s[i] == '.') {
                i++;
                if (!skip_digits(s, n, &i))
                        return false;
        }
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                if (i < n && (s[i] == '+' || s[i] == '-'))
                        i++;
                if (!skip_digits(s, n, &i))
                        return false;
        }
        return i == n;
}

static bool valid_primitive(const char *s, size_t n)
{
        switch (s[0]) {
        case 't':
                return n == 4 && !memcmp(s, "true", 4);
        case 'f':
                return n == 5 && !memcmp(s, "false", 5);
        case 'n':
                return n == 4 && !memcmp(s, "null", 4);
        default:
                return valid_number(s, n);
        }
}

static int bad_byte(const kbc_json *j, size_t at, char *errstr, size_t errsize)
{
        if (at >= j->len)
                return kbc_errf(errstr, errsize,
                                "invalid JSON: unexpected end at byte %zu", at);
        unsigned char c = (unsigned char)j->js[at];
        if (c >= 0x20 && c < 0x7f)
                return kbc_errf(errstr, errsize,
                                "invalid JSON at byte %zu: unexpected '%c'", at,
                                c);
        return kbc_errf(errstr, errsize,
                        "invalid JSON at byte %zu: unexpected byte 0x%02x", at,
                        c);
}

/* A container, or a key waiting for its value, during validation. */
typedef struct frame {
        int tok;
        int remaining;   /* children still to come */
        int seen;        /* children so far */
        size_t last_end; /* end of the last child (or of the opener) */
} frame;

/* Checks the token stream against the JSON grammar and fills next[]. An
 * explicit stack, bounded by the depth limit, keeps hostile nesting off
 * the C stack. */
static int validate(kbc_json *j, char *errstr, size_t errsize)
{
        const jsmntok_t *t = j->tok;
        const char *js = j->js;
        int n = j->ntok;
        frame st[2 * KBC_JSON_MAX_DEPTH + 2]; /* containers and keys */
        int sp = 0;
        size_t at, root_end = 0;

        if (n < 1 || t[0].type != JSMN_OBJECT)
                return kbc_errf(errstr, errsize,
                                "JSON top level is not an object");
        if ((at = check_gap(js, 0, (size_t)t[0].start, 0)) != SIZE_MAX)
                return bad_byte(j, at, errstr, errsize);
        st[sp++] = (frame){0, t[0].size, 0, (size_t)t[0].start + 1};

        for (int i = 1;; i++) {
                /* Close the frames whose children are all seen. */
                while (sp > 0 && st[sp - 1].remaining == 0) {
                        frame f = st[--sp];
                        const jsmntok_t *ft = &t[f.tok];
                        size_t end = f.last_end;
                        if (ft->type != JSMN_STRING) {
                                end = (size_t)ft->end;
                                at = check_gap(js, f.last_end, end - 1, 0);
                                if (at != SIZE_MAX)
                                        return bad_byte(j, at, errstr, errsize);
                        }
                        j->next[f.tok] = i;
                        if (sp > 0)
                                st[sp - 1].last_end = end;
                        else
                                root_end = end;
                }
                if (i == n)
                        break;
                if (sp == 0)
                        return kbc_errf(
                            errstr, errsize,
                            "trailing data after the JSON object at "
                            "byte %zu",
                            raw_start(&t[i]));

                frame *top = &st[sp - 1];
                const jsmntok_t *ti = &t[i];
                jsmntype_t ptype = t[top->tok].type;
                char sep = ptype == JSMN_STRING ? ':' : top->seen ? ',' : 0;
                at = check_gap(js, top->last_end, raw_start(ti), sep);
                if (at != SIZE_MAX)
                        return bad_byte(j, at, errstr, errsize);
                top->remaining--;
                top->seen++;

                bool is_key = ptype == JSMN_OBJECT;
                if (is_key && (ti->type != JSMN_STRING || ti->size != 1))
                        return bad_byte(j, raw_end(ti), errstr, errsize);
                if (is_key || ti->type == JSMN_OBJECT ||
                    ti->type == JSMN_ARRAY) {
                        if (sp == (int)(sizeof(st) / sizeof(st[0])))
                                return kbc_errf(errstr, errsize,
                                                "JSON nested deeper than %d "
                                                "levels at byte %zu",
                                                KBC_JSON_MAX_DEPTH,
                                                raw_start(ti));
                        size_t open_end =
                            is_key ? raw_end(ti) : (size_t)ti->start + 1;
                        st[sp++] = (frame){i, ti->size, 0, open_end};
                        continue;
                }
                /* A scalar value: nothing may hang below it. */
                if (ti->size != 0)
                        return bad_byte(j, raw_end(ti), errstr, errsize);
                if (ti->type == JSMN_PRIMITIVE &&
                    !valid_primitive(js + ti->start,
                                     (size_t)(ti->end - ti->start)))
                        return kbc_errf(
                            errstr, errsize,
                            "invalid JSON at byte %d: bad literal "
                            "'%.*s'",
                            ti->start,
                            ti->end - ti->start > 20 ? 20 : ti->end - ti->start,
                            js + ti->start);
                j->next[i] = i + 1;
                top->last_end = raw_end(ti);
        }
        if (sp != 0)
                return kbc_errf(errstr, errsize, "truncated JSON (%zu bytes)",
                                j->len);
        at = check_gap(js, root_end, j->len, 0);
        if (at != SIZE_MAX)
                return kbc_errf(
                    errstr, errsize,
                    "trailing data after the JSON object at byte %zu", at);
        return 0;
}

int kbc_json_parse(kbc_json *j, const char *buf, size_t len, char *errstr,
                   size_t errsize)
{
        j->js = buf;
        j->len = len;
        j->ntok = 0;
        j->root = ROOT_UNINDEXED;
        kbc_buf_reset(&j->scratch);

        if (len > j->max_len)
                return kbc_errf(errstr, errsize,
                                "JSON text too large: %zu bytes", len);
        size_t first = 0;
        while (first < len && is_ws(buf[first]))
                first++;
        if (first == len)
                return kbc_errf(errstr, errsize, "empty JSON text");
        if (buf[first] != '{')
                return kbc_errf(errstr, errsize,
                                "JSON top level is not an object");
        size_t deep = too_deep(buf, len);
        if (deep != SIZE_MAX)
                return kbc_errf(errstr, errsize,
                                "JSON nested deeper than %d levels at byte %zu",
                                KBC_JSON_MAX_DEPTH, deep);
        if (scratch_reserve(j, len))
                return kbc_errf(errstr, errsize, "out of memory");

        jsmn_parser p = {.pos = 0, .toknext = 0, .toksuper = -1};
        for (;;) {
                int r = kbc_json_tokenize(&p, buf, len, j->tok, j->escaped,
                                          j->captok);
                if (r >= 0)
                        break;
                if (r == JSMN_ERROR_NOMEM) {
                        if (j->captok >= KBC_JSON_MAX_TOKENS)
                                return kbc_errf(errstr, errsize,
                                                "JSON has more than %d tokens",
                                                KBC_JSON_MAX_TOKENS);
                        if (grow_tokens(j))
                                return kbc_errf(errstr, errsize,
                                                "out of memory");
                        continue;
                }
                /* jsmn reads on past the top-level value. */
                if (p.toknext > 0 && j->tok[0].end > 0 &&
                    p.pos >= (unsigned)j->tok[0].end)
                        return kbc_errf(
                            errstr, errsize,
                            "trailing data after the JSON object at "
                            "byte %u",
                            p.pos);
                if (r == JSMN_ERROR_INVAL) {
                        /* A string is reported at its opening quote. */
                        if (p.pos < len && buf[p.pos] == '"')
                                return kbc_errf(errstr, errsize,
                                                "invalid escape in the JSON "
                                                "string at byte %u",
                                                p.pos);
                        return bad_byte(j, p.pos, errstr, errsize);
                }
                const char *nul = memchr(buf, '\0', len);
                if (nul)
                        return kbc_errf(errstr, errsize,
                                        "NUL byte in JSON at byte %zu",
                                        (size_t)(nul - buf));
                return kbc_errf(errstr, errsize, "truncated JSON (%zu bytes)",
                                len);
        }
        j->ntok = (int)p.toknext;
        return validate(j, errstr, errsize);
}

int kbc_json_ntokens(const kbc_json *j)
{
        return j->ntok;
}

static bool valid_tok(const kbc_json *j, int tok)
{
        return tok >= 0 && tok < j->ntok;
}

kbc_json_type kbc_json_typeof(const kbc_json *j, int tok)
{
        if (!valid_tok(j, tok))
                return KBC_JSON_NONE;
        const jsmntok_t *t = &j->tok[tok];
        switch (t->type) {
        case JSMN_OBJECT:
                return KBC_JSON_OBJECT;
        case JSMN_ARRAY:
                return KBC_JSON_ARRAY;
        case JSMN_STRING:
                return KBC_JSON_STRING;
        case JSMN_PRIMITIVE:
                switch (j->js[t->start]) {
                case 't':
                case 'f':
                        return KBC_JSON_BOOL;
                case 'n':
                        return KBC_JSON_NULL;
                default:
                        return KBC_JSON_NUMBER;
                }
        default:
                return KBC_JSON_NONE;
        }
}

int kbc_json_skip(const kbc_json *j, int tok)
{
        return valid_tok(j, tok) ? j->next[tok] : j->ntok;
}

kbc_str kbc_json_raw(const kbc_json *j, int tok)
{
        if (!valid_tok(j, tok))
                return kbc_str_make("", 0);
        const jsmntok_t *t = &j->tok[tok];
        return kbc_str_make(j->js + t->start, (size_t)(t->end - t->start));
}

static int hex4(const char *s, size_t n, size_t i, uint32_t *out)
{
        if (i + 4 > n)
                return -1;
        uint32_t v = 0;
        for (size_t k = i; k < i + 4; k++) {
                char c = s[k];
                v <<= 4;
                if (c >= '0' && c <= '9')
                        v |= (uint32_t)(c - '0');
                else if (c >= 'a' && c <= 'f')
                        v |= (uint32_t)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                        v |= (uint32_t)(c - 'A' + 10);
                else
                        return -1;
        }
        *out = v;
        return 0;
}

/* Decodes the unit at s[*i] (a plain byte or one escape) into u[0..4) and
 * advances *i. Returns the bytes written, never more than were consumed,
 * or 0 for a bad escape. */
static size_t unescape_step(const char *s, size_t n, size_t *i, char *u)
{
        if (s[*i] != '\\') {
                u[0] = s[(*i)++];
                return 1;
        }
        if (*i + 1 >= n)
                return 0;
        char e = s[*i + 1];
        *i += 2;
        switch (e) {
        case '"':
        case '\\':
        case '/':
                u[0] = e;
                return 1;
        case 'b':
                u[0] = '\b';
                return 1;
        case 'f':
                u[0] = '\f';
                return 1;
        case 'n':
                u[0] = '\n';
                return 1;
        case 'r':
                u[0] = '\r';
                return 1;
        case 't':
                u[0] = '\t';
                return 1;
        case 'u':
                break;
        default:
                return 0;
        }
        uint32_t cp, lo;
        if (hex4(s, n, *i, &cp))
                return 0;
        *i += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (*i + 6 <= n && s[*i] == '\\' && s[*i + 1] == 'u' &&
                    !hex4(s, n, *i + 2, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                        *i += 6;
                } else {
                        cp = 0xFFFD; /* lone high surrogate */
                }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD; /* lone low surrogate */
        }
        return kbc_utf8_put(cp, u);
}

/* Compares a key token with a wanted key. Unescaping strictly shortens any
 * text with a backslash in it, so: a raw key shorter than the wanted one
 * never matches; one of the same length matches exactly when the bytes are
 * equal (and the wanted key has no backslash, which plain_key says); only a
 * longer raw key with a backslash needs decoding, which is done while
 * comparing, so "\u0069d" matches "id" and "a\\b" never matches a\\b. */
static bool key_equals(const kbc_json *j, int tok, kbc_str key, bool plain_key)
{
        kbc_str r = kbc_json_raw(j, tok);
        if (r.len == key.len)
                return plain_key &&
                       (key.len == 0 || !memcmp(r.ptr, key.ptr, key.len));
        if (r.len < key.len || !j->escaped[tok])
                return false;
        size_t i = 0, k = 0;
        char u[4];
        while (i < r.len) {
                size_t ul = unescape_step(r.ptr, r.len, &i, u);
                if (ul == 0 || ul > key.len - k || memcmp(u, key.ptr + k, ul))
                        return false;
                k += ul;
        }
        return k == key.len;
}

int kbc_json_first_key(const kbc_json *j, int obj)
{
        if (kbc_json_typeof(j, obj) != KBC_JSON_OBJECT || j->tok[obj].size == 0)
                return -1;
        return obj + 1;
}

int kbc_json_next_key(const kbc_json *j, int obj, int key)
{
        if (kbc_json_typeof(j, obj) != KBC_JSON_OBJECT || key <= obj ||
            key + 1 >= j->ntok)
                return -1;
        int nk = j->next[key + 1];
        return nk < j->next[obj] ? nk : -1;
}

/* Not FNV: a byte loop over every key was 3% of decoding. The first and
 * last 8 bytes and the length tell field names apart well enough; a
 * collision costs a probe, never a wrong answer. */
static size_t root_slot_of(kbc_str key)
{
        const uint64_t golden = 0x9E3779B97F4A7C15ULL;
        uint64_t head = 0, tail = 0;
        size_t n = key.len < 8 ? key.len : 8;
        memcpy(&head, key.ptr, n);
        memcpy(&tail, key.ptr + key.len - n, n);
        uint64_t h = (head ^ (tail * golden) ^ key.len) * golden;
        return (size_t)(h >> 56) & (ROOT_SLOTS - 1);
}

/* Returns the slot holding key, or the empty one where it would go. */
static size_t root_probe(const kbc_json *j, kbc_str key)
{
        size_t i = root_slot_of(key);
        for (;; i = (i + 1) & (ROOT_SLOTS - 1)) {
                int k = j->root_slot[i];
                if (k < 0)
                        return i;
                kbc_str r = kbc_json_raw(j, k);
                if (r.len == key.len && !memcmp(r.ptr, key.ptr, key.len))
                        return i;
        }
}

/* Linear search stays for an object with an escaped key (it may equal a
 * plain one once decoded) or too many keys. The first of duplicate keys
 * wins, as in the linear search. */
static void root_index(kbc_json *j)
{
        j->root = ROOT_LINEAR;
        if (j->tok[0].size > ROOT_MAX_KEYS)
                return;
        memset(j->root_slot, 0xff, sizeof(j->root_slot));
        for (int k = kbc_json_first_key(j, 0); k >= 0;
             k = kbc_json_next_key(j, 0, k)) {
                kbc_str r = kbc_json_raw(j, k);
                if (j->escaped[k])
                        return;
                size_t i = root_probe(j, r);
                if (j->root_slot[i] < 0)
                        j->root_slot[i] = k;
        }
        j->root = ROOT_INDEXED;
}

int kbc_json_find(const kbc_json *j, int obj, kbc_str key)
{
        bool plain = key.len == 0 || !memchr(key.ptr, '\\', key.len);
        if (obj == 0 && plain && kbc_json_typeof(j, 0) == KBC_JSON_OBJECT) {
                /* The index is a cache: building it changes no answer. */
                kbc_json *mj = (kbc_json *)j;
                if (mj->root == ROOT_UNINDEXED)
                        root_index(mj);
                if (mj->root == ROOT_INDEXED) {
                        int k = j->root_slot[root_probe(j, key)];
                        return k < 0 ? -1 : k + 1;
                }
        }
        for (int k = kbc_json_first_key(j, obj); k >= 0;
             k = kbc_json_next_key(j, obj, k))
                if (key_equals(j, k, key, plain))
                        return k + 1;
        return -1;
}

int kbc_json_unescape(kbc_str raw, char *dst, size_t *outlen)
{
        size_t o = 0;
        for (size_t i = 0; i < raw.len;) {
                /* Plain runs in one memcpy: event messages are kilobytes
                 * of text with a "\r\n" every line, and a call per byte
                 * was a fifth of the daemon's profile. */
                const char *bs = memchr(raw.ptr + i, '\\', raw.len - i);
                size_t run = bs ? (size_t)(bs - raw.ptr) - i : raw.len - i;
                memcpy(dst + o, raw.ptr + i, run);
                o += run;
                i += run;
                if (i == raw.len)
                        break;
                size_t ul = unescape_step(raw.ptr, raw.len, &i, dst + o);
                if (ul == 0)
                        return KBC_JSON_EVALUE;
                o += ul;
        }
        *outlen = o;
        return KBC_JSON_OK;
}

int kbc_json_string(kbc_json *j, int tok, kbc_str *out)
{
        if (kbc_json_typeof(j, tok) != KBC_JSON_STRING)
                return KBC_JSON_ETYPE;
        kbc_str r = kbc_json_raw(j, tok);
        if (!j->escaped[tok]) {
                *out = r;
                return KBC_JSON_OK;
        }
        /* Never let the scratch move: views handed out point into it. */
        kbc_buf *b = &j->scratch;
        if (!b->data || b->cap - b->len < r.len + 1)
                return KBC_JSON_ESCRATCH;
        char *dst = b->data + b->len;
        size_t o;
        if (kbc_json_unescape(r, dst, &o) != KBC_JSON_OK)
                return KBC_JSON_EVALUE;
        dst[o] = '\0';
        b->len += o + 1;
        *out = kbc_str_make(dst, o);
        return KBC_JSON_OK;
}

int kbc_json_text(kbc_json *j, int tok, kbc_str *out)
{
        switch (kbc_json_typeof(j, tok)) {
        case KBC_JSON_STRING:
                return kbc_json_string(j, tok, out);
        case KBC_JSON_NUMBER:
        case KBC_JSON_BOOL:
                *out = kbc_json_raw(j, tok);
                return KBC_JSON_OK;
        default:
                return KBC_JSON_ETYPE;
        }
}

int kbc_json_parse_int(kbc_str r, int64_t *out)
{
        size_t i = 0;
        bool neg = r.len > 0 && r.ptr[0] == '-';
        if (neg)
                i++;
        if (i == r.len)
                return KBC_JSON_EVALUE;
        /* Accumulate negatively so INT64_MIN fits. */
        int64_t v = 0;
        for (; i < r.len; i++) {
                if (!is_digit(r.ptr[i]))
                        return KBC_JSON_EVALUE;
                int d = r.ptr[i] - '0';
                if (v < (INT64_MIN + d) / 10)
                        return KBC_JSON_EVALUE;
                v = v * 10 - d;
        }
        if (!neg) {
                if (v == INT64_MIN)
                        return KBC_JSON_EVALUE;
                v = -v;
        }
        *out = v;
        return KBC_JSON_OK;
}

int kbc_json_int(const kbc_json *j, int tok, int64_t *out)
{
        kbc_json_type ty = kbc_json_typeof(j, tok);
        if (ty != KBC_JSON_NUMBER && ty != KBC_JSON_STRING)
                return KBC_JSON_ETYPE;
        return kbc_json_parse_int(kbc_json_raw(j, tok), out);
}
