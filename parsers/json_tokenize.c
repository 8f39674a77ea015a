/*
 * json_tokenize.c - jsmn_parse (strict, parent links) rewritten around one
 * change: the bytes inside a string are skipped 16 at a time.
 *
 * Why not jsmn itself: jsmn looks at every byte of a string with three
 * tests and a loop step, and a Windows event is mostly string (a 2.6 KB
 * Winlogbeat record is ~150 tokens, most of its bytes one message). That
 * loop was a fifth of kbcorrd's profile; the SSE2 scan for '"', '\\' and
 * NUL takes it to a few percent (BENCHMARKS.md, "JSON tokenizer").
 *
 * Everything else follows jsmn 1.1 statement by statement (errors, the
 * parser state left behind, resuming after JSMN_ERROR_NOMEM), because
 * json.c's validation and error messages are built on jsmn's behaviour.
 * tests/fuzz/fuzz_json_tokenize.c and tests/test_json_tokenize.c hold it
 * to that, token for token, against Debian's jsmn.
 */
#include "json_tokenize.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

static jsmntok_t *alloc_token(jsmn_parser *p, jsmntok_t *tokens,
                              unsigned ntokens)
{
        if (p->toknext >= ntokens)
                return NULL;
        jsmntok_t *t = &tokens[p->toknext++];
        t->start = t->end = -1;
        t->size = 0;
        t->parent = -1;
        return t;
}

size_t kbc_json_skip_plain(const char *js, size_t pos, size_t len)
{
#ifdef __SSE2__
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i bslash = _mm_set1_epi8('\\');
        const __m128i nul = _mm_setzero_si128();
        for (; pos + 16 <= len; pos += 16) {
                __m128i v = _mm_loadu_si128((const __m128i *)(js + pos));
                __m128i hit =
                    _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                              _mm_cmpeq_epi8(v, bslash)),
                                 _mm_cmpeq_epi8(v, nul));
                unsigned m = (unsigned)_mm_movemask_epi8(hit);
                if (m)
                        return pos + (unsigned)__builtin_ctz(m);
        }
#endif
        while (pos < len && js[pos] != '"' && js[pos] != '\\' && js[pos])
                pos++;
        return pos;
}

static bool is_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') ||
               (c >= 'a' && c <= 'f');
}

static int parse_string(jsmn_parser *p, const char *js, size_t len,
                        jsmntok_t *tokens, bool *escaped, unsigned ntokens)
{
        unsigned start = p->pos;
        bool backslash = false;
        for (p->pos++;; p->pos++) {
                p->pos = (unsigned)kbc_json_skip_plain(js, p->pos, len);
                if (p->pos >= len || js[p->pos] == '\0')
                        break;
                if (js[p->pos] == '"') {
                        jsmntok_t *t = alloc_token(p, tokens, ntokens);
                        if (!t) {
                                p->pos = start;
                                return JSMN_ERROR_NOMEM;
                        }
                        t->type = JSMN_STRING;
                        t->start = (int)start + 1;
                        t->end = (int)p->pos;
                        t->parent = p->toksuper;
                        if (escaped)
                                escaped[p->toknext - 1] = backslash;
                        return 0;
                }
                backslash = true;
                if (p->pos + 1 >= len)
                        continue; /* a backslash last: jsmn reads it as text */
                switch (js[++p->pos]) {
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
                        p->pos++;
                        for (int i = 0; i < 4 && p->pos < len && js[p->pos];
                             i++, p->pos++)
                                if (!is_hex(js[p->pos])) {
                                        p->pos = start;
                                        return JSMN_ERROR_INVAL;
                                }
                        p->pos--;
                        break;
                default:
                        p->pos = start;
                        return JSMN_ERROR_INVAL;
                }
        }
        p->pos = start;
        return JSMN_ERROR_PART;
}

/* Strict: a primitive ends at whitespace, ',', ']' or '}', and only
 * printable ASCII may come before. */
static int parse_primitive(jsmn_parser *p, const char *js, size_t len,
                           jsmntok_t *tokens, unsigned ntokens)
{
        unsigned start = p->pos;
        for (; p->pos < len && js[p->pos]; p->pos++) {
                unsigned char c = (unsigned char)js[p->pos];
                if (c == '\t' || c == '\r' || c == '\n' || c == ' ' ||
                    c == ',' || c == ']' || c == '}') {
                        jsmntok_t *t = alloc_token(p, tokens, ntokens);
                        if (!t) {
                                p->pos = start;
                                return JSMN_ERROR_NOMEM;
                        }
                        t->type = JSMN_PRIMITIVE;
                        t->start = (int)start;
                        t->end = (int)p->pos;
                        t->parent = p->toksuper;
                        p->pos--;
                        return 0;
                }
                if (c < 32 || c >= 127) {
                        p->pos = start;
                        return JSMN_ERROR_INVAL;
                }
        }
        p->pos = start;
        return JSMN_ERROR_PART;
}

static int open_container(jsmn_parser *p, char c, jsmntok_t *tokens,
                          unsigned ntokens)
{
        jsmntok_t *t = alloc_token(p, tokens, ntokens);
        if (!t)
                return JSMN_ERROR_NOMEM;
        if (p->toksuper != -1) {
                jsmntok_t *up = &tokens[p->toksuper];
                if (up->type == JSMN_OBJECT) /* a container as a key */
                        return JSMN_ERROR_INVAL;
                up->size++;
                t->parent = p->toksuper;
        }
        t->type = c == '{' ? JSMN_OBJECT : JSMN_ARRAY;
        t->start = (int)p->pos;
        p->toksuper = (int)p->toknext - 1;
        return 0;
}

static int close_container(jsmn_parser *p, char c, jsmntok_t *tokens)
{
        jsmntype_t type = c == '}' ? JSMN_OBJECT : JSMN_ARRAY;
        if (p->toknext < 1)
                return JSMN_ERROR_INVAL;
        for (jsmntok_t *t = &tokens[p->toknext - 1];; t = &tokens[t->parent]) {
                if (t->start != -1 && t->end == -1) {
                        if (t->type != type)
                                return JSMN_ERROR_INVAL;
                        t->end = (int)p->pos + 1;
                        p->toksuper = t->parent;
                        return 0;
                }
                if (t->parent == -1)
                        return t->type != type || p->toksuper == -1
                                   ? JSMN_ERROR_INVAL
                                   : 0;
        }
}

/* A value under toksuper: counted in its parent's size. */
static void counted(jsmn_parser *p, jsmntok_t *tokens)
{
        if (p->toksuper != -1)
                tokens[p->toksuper].size++;
}

int kbc_json_tokenize(jsmn_parser *p, const char *js, size_t len,
                      jsmntok_t *tokens, bool *escaped, unsigned ntokens)
{
        int count = (int)p->toknext, r = 0;
        for (; p->pos < len && js[p->pos]; p->pos++) {
                char c = js[p->pos];
                switch (c) {
                case '{':
                case '[':
                        count++;
                        r = open_container(p, c, tokens, ntokens);
                        break;
                case '}':
                case ']':
                        r = close_container(p, c, tokens);
                        break;
                case '"':
                        r = parse_string(p, js, len, tokens, escaped, ntokens);
                        if (r == 0) {
                                count++;
                                counted(p, tokens);
                        }
                        break;
                case '\t':
                case '\r':
                case '\n':
                case ' ':
                        break;
                case ':':
                        p->toksuper = (int)p->toknext - 1;
                        break;
                case ',':
                        if (p->toksuper != -1 &&
                            tokens[p->toksuper].type != JSMN_ARRAY &&
                            tokens[p->toksuper].type != JSMN_OBJECT)
                                p->toksuper = tokens[p->toksuper].parent;
                        break;
                case '-':
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
                case 't':
                case 'f':
                case 'n':
                        /* not a key, nor a second value of one */
                        if (p->toksuper != -1) {
                                const jsmntok_t *up = &tokens[p->toksuper];
                                if (up->type == JSMN_OBJECT ||
                                    (up->type == JSMN_STRING && up->size != 0))
                                        return JSMN_ERROR_INVAL;
                        }
                        r = parse_primitive(p, js, len, tokens, ntokens);
                        if (r == 0) {
                                count++;
                                counted(p, tokens);
                        }
                        break;
                default:
                        return JSMN_ERROR_INVAL;
                }
                if (r < 0)
                        return r;
        }
        for (int i = (int)p->toknext - 1; i >= 0; i--)
                if (tokens[i].start != -1 && tokens[i].end == -1)
                        return JSMN_ERROR_PART; /* an unclosed container */
        return count;
}
