/*
 * json_tokenize_diff.h - runs Debian's jsmn and kbc_json_tokenize on one
 * text and tells whether they agree: return value, parser state and every
 * token, through NOMEM resumes with a token array grown the way json.c
 * grows it. Shared by tests/test_json_tokenize.c and the fuzz target.
 */
#ifndef KBC_JSON_TOKENIZE_DIFF_H
#define KBC_JSON_TOKENIZE_DIFF_H

#define JSMN_STATIC
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#include <jsmn.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_tokenize.h"

typedef int tokenize_fn(jsmn_parser *, const char *, size_t, jsmntok_t *,
                        bool *, unsigned);

static int jsmn_reference(jsmn_parser *p, const char *js, size_t len,
                          jsmntok_t *tokens, bool *escaped, unsigned ntokens)
{
        (void)escaped;
        return jsmn_parse(p, js, len, tokens, ntokens);
}

/* Tokenizes js with fn from `first` tokens, doubling on NOMEM up to max,
 * the escape flags grown with the tokens as json.c grows them; the final
 * parser state, tokens and flags are left in p, *out and *escaped. */
static int tokenize_growing(tokenize_fn *fn, const char *js, size_t len,
                            unsigned first, unsigned max, jsmn_parser *p,
                            jsmntok_t **out, bool **escaped)
{
        unsigned cap = first;
        jsmn_init(p);
        *out = calloc(cap, sizeof(**out));
        *escaped = calloc(cap, sizeof(**escaped));
        if (!*out || !*escaped)
                abort();
        for (;;) {
                int r = fn(p, js, len, *out, *escaped, cap);
                if (r != JSMN_ERROR_NOMEM || cap >= max)
                        return r;
                jsmntok_t *t = realloc(*out, 2 * cap * sizeof(**out));
                bool *e = realloc(*escaped, 2 * cap * sizeof(**escaped));
                if (!t || !e)
                        abort();
                memset(t + cap, 0, cap * sizeof(*t));
                memset(e + cap, 0, cap * sizeof(*e));
                *out = t;
                *escaped = e;
                cap *= 2;
        }
}

/* Each string token's flag says whether its text holds a backslash. */
static bool flags_right(const char *js, const jsmntok_t *t, unsigned n,
                        const bool *escaped)
{
        for (unsigned i = 0; i < n; i++)
                if (t[i].type == JSMN_STRING &&
                    escaped[i] !=
                        (memchr(js + t[i].start, '\\',
                                (size_t)(t[i].end - t[i].start)) != NULL))
                        return false;
        return true;
}

static bool tokenizers_agree(const char *js, size_t len, unsigned first,
                             unsigned max)
{
        jsmn_parser pa, pb;
        jsmntok_t *ta, *tb;
        bool *ea, *eb;
        int ra = tokenize_growing(jsmn_reference, js, len, first, max, &pa, &ta,
                                  &ea);
        int rb = tokenize_growing(kbc_json_tokenize, js, len, first, max, &pb,
                                  &tb, &eb);
        bool same = ra == rb && pa.pos == pb.pos && pa.toknext == pb.toknext &&
                    pa.toksuper == pb.toksuper &&
                    !memcmp(ta, tb, pa.toknext * sizeof(*ta)) &&
                    (rb < 0 || flags_right(js, tb, pb.toknext, eb));
        free(ta);
        free(tb);
        free(ea);
        free(eb);
        return same;
}

#endif
