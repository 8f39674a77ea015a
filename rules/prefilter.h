/*
 * prefilter.h - internal: the multi-pattern prefilter in front of PCRE2.
 *
 * Every message pattern that has a required literal (a run of text any
 * match must contain) is entered by that literal. An event's message is
 * normalized once and scanned once; only the patterns whose literal occurs
 * are then confirmed with PCRE2. The cost per event thus follows the
 * message length and the few candidates, not the number of rules.
 *
 * Literals live in a normalized space, so that a pattern's tolerance of
 * quotes and whitespace cannot hide a match: ASCII lower case, quote
 * characters removed, runs of whitespace as one space (kbc_prefilter_
 * normalize). The extraction is conservative: when a pattern's structure
 * is not understood (top-level alternation, extended mode, ...) it has no
 * literal and is always run.
 */
#ifndef KBC_PREFILTER_H
#define KBC_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "kbc_arena.h"
#include "kbc_buf.h"

/* Shortest literal worth filtering on: the scan anchors on 8 bytes. A
 * pattern whose every sure run is shorter ("net use", "msgbox") is too
 * common a phrase to be evidence, and the compiler drops it. */
#define KBC_LITERAL_MIN 8

/* The longest required literal of a PCRE2 pattern compiled caselessly, in
 * normalized form, or NULL when none of KBC_LITERAL_MIN bytes is sure. */
const char *kbc_regex_literal(kbc_arena *a, const char *pattern);

/* The two longest required literals, longest first (the first as
 * kbc_regex_literal's); lits[1] is NULL when only one is sure. A message
 * must hold both: the longest alone is often a common phrase
 * ("application" of "MS-DOS 4.x ... application"). Returns how many. */
size_t kbc_regex_literals(kbc_arena *a, const char *pattern,
                          const char *lits[2]);

/* Normalizes len bytes of in into out (reset first). */
void kbc_prefilter_normalize(const char *in, size_t len, kbc_buf *out);

typedef struct kbc_prefilter kbc_prefilter;

/* literals[i] is signal i's literal or NULL. */
kbc_prefilter *kbc_prefilter_build(const char *const *literals, size_t n);
void kbc_prefilter_free(kbc_prefilter *p);

/* Scans normalized text; for every literal found, sets marks[i] = stamp
 * and, the first time, appends i to found (capacity n). Returns how many
 * were appended. */
size_t kbc_prefilter_scan(const kbc_prefilter *p, const char *text, size_t len,
                          uint32_t *marks, uint32_t stamp, uint32_t *found);

#endif
