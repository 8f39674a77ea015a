/*
 * fuzz_prefilter.c - libFuzzer target for the prefilter's one promise: a
 * pattern's required literal occurs in the normalized form of every text
 * the pattern matches. If it did not, the matcher would skip a signal that
 * matches (a lost symptom, silently).
 *
 * Input: a first byte choosing how the second part is read (even: a `text:`
 * phrase, turned into a pattern as the loader does; odd: a `message:`
 * regex as written), then the pattern or phrase up to the first newline,
 * then the subject text. Both are compiled as the loader compiles them and
 * run with the matcher's limits.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 * Run:   build-fuzz/tests/fuzz_prefilter CORPUS_DIR -max_total_time=180
 */
#define _GNU_SOURCE /* memmem: subjects may hold NUL bytes */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"
#include "rule_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RE_FLAGS (PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 2)
                return 0;
        const char *in = (const char *)data + 1;
        const char *nl = memchr(in, '\n', size - 1);
        if (!nl)
                return 0;
        kbc_arena *a = kbc_arena_new();
        const char *pattern = kbc_arena_strndup(a, in, (size_t)(nl - in));
        if (!(data[0] & 1))
                pattern = kbc_text_to_regex(a, pattern);
        const char *subject = nl + 1;
        size_t nsubject = size - 1 - (size_t)(subject - in);

        int err;
        PCRE2_SIZE off;
        pcre2_code *re =
            pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, RE_FLAGS,
                          &err, &off, NULL);
        const char *lits[2] = {NULL, NULL};
        if (re)
                kbc_regex_literals(a, pattern, lits);
        if (lits[0]) {
                pcre2_match_data *md = pcre2_match_data_create(1, NULL);
                pcre2_match_context *mc = pcre2_match_context_create(NULL);
                pcre2_set_match_limit(mc, KBC_MATCH_LIMIT);
                pcre2_set_depth_limit(mc, KBC_DEPTH_LIMIT);
                int rc = pcre2_match(re, (PCRE2_SPTR)subject, nsubject, 0, 0,
                                     md, mc);
                if (rc >= 0) {
                        kbc_buf norm;
                        kbc_buf_init(&norm, 1 << 20);
                        kbc_prefilter_normalize(subject, nsubject, &norm);
                        for (int i = 0; i < 2 && lits[i]; i++)
                                if (!memmem(norm.data ? norm.data : "",
                                            norm.len, lits[i], strlen(lits[i])))
                                        abort(); /* the prefilter would
                                                    hide it */
                        kbc_buf_free(&norm);
                }
                pcre2_match_context_free(mc);
                pcre2_match_data_free(md);
        }
        pcre2_code_free(re);
        kbc_arena_free(a);
        return 0;
}
