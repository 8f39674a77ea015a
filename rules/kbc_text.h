/*
 * kbc_text.h - the `text:` phrase language of rule signals
 * (docs/rule-format.md): a phrase as an article quotes it, placeholders
 * and all, turned into a tolerant pattern. Public so that the KB compiler
 * (kb/) can judge a phrase the way the loader will compile it.
 */
#ifndef KBC_TEXT_H
#define KBC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_arena.h"

/* The folders that may stand before a file name, as a regex: each
 * segment ends at its own separator and is taken whole (possessive), so
 * a search cannot backtrack across segments. */
#define KBC_PATH_PREFIX "(?:[^\\\\/\\r\\n]{0,80}+[\\\\/]){0,12}"

/* Tolerant literal-phrase pattern (the `text:` key): case, quoting,
 * whitespace and placeholders such as <servername>, %1, xxx. Writes a PCRE2
 * pattern to the arena. */
const char *kbc_text_to_regex(kbc_arena *a, const char *text);

/* A message the pattern of text matches: placeholders filled in. Used to
 * write the tests of generated rules. */
const char *kbc_text_example(kbc_arena *a, const char *text);

/* Words of letters in text outside placeholders: how long it is. */
size_t kbc_text_literal_words(const char *text);

/* Of those, the words of two letters or more that are not so common in
 * messages that they tell nothing ("could not be loaded" has one): how
 * specific the text is. */
size_t kbc_text_content_words(const char *text);

/* Does the phrase's pattern have a literal the prefilter can anchor on?
 * One without would run on every event (prefilter.h). */
bool kbc_text_filterable(kbc_arena *a, const char *text);

/* Does the pattern compile as the loader compiles rule patterns: a
 * `text:` phrase when is_text, else a regex? A phrase long enough to pass
 * PCRE2's size limit would keep a whole rule set from loading. */
bool kbc_pattern_compiles(kbc_arena *a, const char *src, bool is_text);

#endif
