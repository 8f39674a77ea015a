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
                        unsigned);

static int jsmn_reference(jsmn_parser *p, const char *js, size_t len,
                          jsmntok_t *tokens, unsigned ntokens)
{
        return jsmn_parse(p, js, len, tokens, ntokens);
}

/* Also checks the escape flags against the tokens' text. */
static int kbc_flagged(jsmn_parser *p, const char *js, size_t len,
                       jsmntok_t *tokens, unsigned ntokens)
{
        bool *escaped = calloc(ntokens, sizeof(*escaped));
        if (!escaped)
                abort();
        int r = kbc_json_tokenize(p, js, len, tokens, escaped, ntokens);
        for (unsigned i = 0; r >= 0 && i < p->toknext; i++)
                if (tokens[i].type == JSMN_STRING &&
                    escaped[i] != (memchr(js + tokens[i].start, '\\',
                                          (size_t)(tokens[i].end -
                                                   tokens[i].start)) != NULL))
                        abort();
        free(escaped);
        return r;
}

/* Tokenizes js with fn from `first` tokens, doubling on NOMEM up to max;
 * the final parser state and tokens are left in p and *out. */
static int tokenize_growing(tokenize_fn *fn, const char *js, size_t len,
                            unsigned first, unsigned max, jsmn_parser *p,
                            jsmntok_t **out, unsigned *cap)
{
        jsmn_init(p);
        *cap = first;
        *out = calloc(*cap, sizeof(**out));
        for (;;) {
                int r = fn(p, js, len, *out, *cap);
                if (r != JSMN_ERROR_NOMEM || *cap >= max)
                        return r;
                jsmntok_t *t = realloc(*out, 2 * *cap * sizeof(**out));
                if (!t)
                        abort();
                memset(t + *cap, 0, *cap * sizeof(*t));
                *out = t;
                *cap *= 2;
        }
}

static bool tokenizers_agree(const char *js, size_t len, unsigned first,
                             unsigned max)
{
        jsmn_parser pa, pb;
        jsmntok_t *ta, *tb;
        unsigned ca, cb;
        int ra = tokenize_growing(jsmn_reference, js, len, first, max, &pa, &ta,
                                  &ca);
        int rb =
            tokenize_growing(kbc_flagged, js, len, first, max, &pb, &tb, &cb);
        bool same = ra == rb && pa.pos == pb.pos && pa.toknext == pb.toknext &&
                    pa.toksuper == pb.toksuper &&
                    !memcmp(ta, tb, pa.toknext * sizeof(*ta));
        free(ta);
        free(tb);
        return same;
}

#endif
