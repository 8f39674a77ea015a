/*
 * kbc_code.h - the message pattern of an error code signal, one shape
 * written by the KB compiler (kb/) and read back by the matcher, which
 * indexes such signals by their value instead of running them on every
 * event: a code's short forms have no literal the prefilter can anchor on
 * (prefilter.h), and 140 of them run on every event made the whole KB 100
 * times slower (BENCHMARKS.md, "Error codes by value").
 */
#ifndef KBC_CODE_H
#define KBC_CODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Codes below this are plain numbers too (a process id "0x534"): their
 * short forms count only after an error word. */
#define KBC_CODE_PLAIN_MAX 0xffff

/* The pattern of error code hex (hex digits as the article writes them,
 * without 0x), into buf: the code with or without 0x, and with 0x but
 * without its leading zeros ("0x534" for 00000534, as SceCli logs it). A
 * code of at most KBC_CODE_PLAIN_MAX has its short form only after
 * error/status/value/code ("Error 0x534 occurs", "status 0x534"), and a
 * titled one (the error a Learn article is about) also in decimal there
 * ("Error value: 8333 Directory object not found.", "status 1127").
 * Returns the length snprintf would; buf is cut at size. */
int kbc_code_pattern(char *buf, size_t size, const char *hex, bool titled);

/* A pattern kbc_code_pattern wrote, read back. */
typedef struct kbc_code_shape {
        uint64_t value;
        unsigned digits; /* of the long form, as written (1-16) */
        bool short_form; /* also 0x without leading zeros */
        bool decimal;    /* also in decimal */
} kbc_code_shape;

/* Whether src is exactly a pattern kbc_code_pattern writes for a code of
 * at most 16 hex digits; its shape in *out. */
bool kbc_code_pattern_read(const char *src, kbc_code_shape *out);

/* The long form's digits as the prefilter sees them (lower case, zero
 * padded to their number), into buf of at least 17 bytes. */
void kbc_code_literal(const kbc_code_shape *shape, char *buf, size_t size);

#endif
