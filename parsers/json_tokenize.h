/*
 * json_tokenize.h - jsmn's tokenizer (strict, with parent links), with the
 * scan of string contents done 16 bytes at a time (see json_tokenize.c).
 * Internal to parsers/: json.c is the interface the rest of kbcorr uses.
 */
#ifndef KBC_JSON_TOKENIZE_H
#define KBC_JSON_TOKENIZE_H

#include <stdbool.h>
#include <stddef.h>

/* jsmn's types only; its functions are the reference the fuzzer and the
 * unit test compare kbc_json_tokenize with. */
#define JSMN_STRICT
#define JSMN_PARENT_LINKS
#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER

/* The same contract as jsmn_parse with tokens != NULL: the same tokens, the
 * same return value (count or JSMN_ERROR_*) and the same parser state, also
 * when resumed after JSMN_ERROR_NOMEM with a larger array. One addition:
 * unless escaped is NULL, escaped[i] (for i < ntokens) tells whether string
 * token i holds a backslash, which the scan sees anyway, so that nobody
 * has to look again. */
int kbc_json_tokenize(jsmn_parser *p, const char *js, size_t len,
                      jsmntok_t *tokens, bool *escaped, unsigned ntokens);

/* The first index from pos that holds '"', '\\' or NUL, or len: the
 * string scan, 16 bytes at a time with SSE2. */
size_t kbc_json_skip_plain(const char *js, size_t pos, size_t len);

#endif
