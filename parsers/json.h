/*
 * json.h - internal zero-copy JSON reader for the JSON input formats
 * (Winlogbeat, and later Winlogbeat 6, NXLog, Fluent Bit's JSON form).
 *
 * kbc_json_parse tokenizes one message with jsmn into a reusable token
 * array and validates it fully (strict grammar, an object at the top, no
 * trailing bytes). Tokens are then addressed by index: 0 is the top-level
 * object. Strings come back as kbc_str views into the message; only a
 * string containing a backslash is unescaped, into the parser's scratch.
 * Every view is valid until the next kbc_json_parse on the same parser.
 * One parser per thread: nothing here is shared or locked.
 */
#ifndef KBC_JSON_H
#define KBC_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "kbc_buf.h"
#include "kbc_str.h"

/* Caps that bound the work and memory of one message, whatever it holds. */
#define KBC_JSON_MAX_TOKENS 65536
#define KBC_JSON_MAX_DEPTH  64

typedef struct kbc_json kbc_json;

typedef enum kbc_json_type {
        KBC_JSON_NONE = 0, /* not a token (an index of -1, or out of range) */
        KBC_JSON_OBJECT,
        KBC_JSON_ARRAY,
        KBC_JSON_STRING,
        KBC_JSON_NUMBER,
        KBC_JSON_BOOL,
        KBC_JSON_NULL,
} kbc_json_type;

/* Results of kbc_json_string and kbc_json_int. */
#define KBC_JSON_OK       0
#define KBC_JSON_ETYPE    (-1) /* the token has another type */
#define KBC_JSON_EVALUE   (-2) /* bad escape, or not an integer in range */
#define KBC_JSON_ESCRATCH (-3) /* scratch used up (a string read twice) */

/* A parser for messages of at most max_len bytes. NULL on ENOMEM. */
kbc_json *kbc_json_new(size_t max_len);
void kbc_json_free(kbc_json *j);

/* Tokenizes buf[0..len). Returns 0, or -1 with the reason (and the byte
 * offset where it applies) in errstr. */
int kbc_json_parse(kbc_json *j, const char *buf, size_t len, char *errstr,
                   size_t errsize);

/* Number of tokens of the last successful parse. */
int kbc_json_ntokens(const kbc_json *j);

kbc_json_type kbc_json_typeof(const kbc_json *j, int tok);

/* The index just past tok and everything nested in it (O(1)). */
int kbc_json_skip(const kbc_json *j, int tok);

/* The value of member key in object obj, or -1 (also if obj is not an
 * object). Keys are compared after unescaping; the first match wins. */
int kbc_json_find(const kbc_json *j, int obj, kbc_str key);

/* Iteration over an object's members: the first key, then the next key
 * after key; -1 at the end. The member's value is key + 1. */
int kbc_json_first_key(const kbc_json *j, int obj);
int kbc_json_next_key(const kbc_json *j, int obj, int key);

/* Raw text of a token: a string without its quotes, escapes intact; a
 * number, true/false/null as written; an object or array with brackets. */
kbc_str kbc_json_raw(const kbc_json *j, int tok);

/* A string's value, unescaped (UTF-8) only when it holds a backslash. */
int kbc_json_string(kbc_json *j, int tok, kbc_str *out);

/* The text of a scalar: a string unescaped (as kbc_json_string), a
 * number or true/false as written. KBC_JSON_ETYPE for null, an object or an
 * array (and for a missing token, -1), which callers treat as absent. */
int kbc_json_text(kbc_json *j, int tok, kbc_str *out);

/* An integer from a number without fraction or exponent, or from a string
 * holding one ("4624"), as Winlogbeat 8 sends ids. */
int kbc_json_int(const kbc_json *j, int tok, int64_t *out);

/* raw, the text of a string between its quotes, unescaped (UTF-8) into
 * dst, which must hold raw.len bytes (the result is never longer); the
 * length in *outlen. KBC_JSON_OK, or KBC_JSON_EVALUE for a bad escape.
 * kbc_json_string's decoding, for readers that find strings themselves
 * (bench/json_ways_*.c). */
int kbc_json_unescape(kbc_str raw, char *dst, size_t *outlen);

/* kbc_json_int's conversion of a token's raw text (digits, an optional
 * '-'; no fraction or exponent). */
int kbc_json_parse_int(kbc_str raw, int64_t *out);

/* The JSON document json[0..len) as the equivalent msgpack object,
 * appended to out. 0, or -1 if it is not valid JSON or out is full. */
int kbc_json_to_msgpack(const char *json, size_t len, kbc_buf *out);

#endif
