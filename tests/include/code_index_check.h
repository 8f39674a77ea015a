/*
 * code_index_check.h - the code index's promise, checked on one code and
 * one text: whenever the code's pattern matches the text (PCRE2, compiled
 * as the loader compiles it), the prefilter finds the long form's digits
 * or the scan names the code's signal. Shared by
 * tests/test_code_index.c and the fuzz target, which define _GNU_SOURCE
 * (memmem) before any include.
 */
#ifndef KBC_CODE_INDEX_CHECK_H
#define KBC_CODE_INDEX_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "code_index.h"
#include "kbc_buf.h"
#include "prefilter.h"
#include "rule_internal.h"

/* How the check came out. */
typedef enum code_check {
        CODE_NOT_A_PATTERN = -2, /* the pattern written is not read back */
        CODE_MISSED = -1,        /* matched, and the scan did not say so */
        CODE_NO_MATCH = 0,
        CODE_FOUND = 1,
} code_check;

static void code_check_seen(void *arg, const struct kbc_signal *s)
{
        (void)s;
        *(bool *)arg = true;
}

/* hex: the code's digits (without 0x); text[0..len). */
static code_check code_index_check(const char *hex, bool titled,
                                   const char *text, size_t len)
{
        char src[256];
        kbc_code_shape shape;
        int n = kbc_code_pattern(src, sizeof(src), hex, titled);
        if (n < 0 || (size_t)n >= sizeof(src) ||
            !kbc_code_pattern_read(src, &shape))
                return CODE_NOT_A_PATTERN;
        int err;
        PCRE2_SIZE off;
        pcre2_code *re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                                       KBC_RE_FLAGS, &err, &off, NULL);
        if (!re)
                return CODE_NOT_A_PATTERN;
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        bool matched =
            pcre2_match(re, (PCRE2_SPTR)text, len, 0, 0, md, NULL) >= 0;
        pcre2_match_data_free(md);
        pcre2_code_free(re);

        kbc_arena *a = kbc_arena_new();
        kbc_code_index *ci = kbc_code_index_new(a, 1);
        static const char signal; /* any address: the index only files it */
        kbc_code_index_add(ci, &shape, (const struct kbc_signal *)&signal);
        /* The long form is the prefilter's to find, by its digits. */
        char digits[17];
        kbc_code_literal(&shape, digits, sizeof(digits));
        kbc_buf norm;
        kbc_buf_init(&norm, 1 << 20); /* as the matcher's */
        kbc_prefilter_normalize(text, len, &norm);
        bool seen = shape.digits >= KBC_LITERAL_MIN && norm.data &&
                    memmem(norm.data, norm.len, digits, shape.digits);
        kbc_code_index_scan(ci, text, len, norm.data ? norm.data : "", norm.len,
                            code_check_seen, &seen);
        kbc_buf_free(&norm);
        kbc_arena_free(a);
        if (matched && !seen)
                return CODE_MISSED;
        return matched ? CODE_FOUND : CODE_NO_MATCH;
}

#endif
