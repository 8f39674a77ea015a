/*
 * kbc_compile.h - a parsed KB article to a rule file (SPEC.md §4). The
 * compiler sees the whole corpus twice: first it counts in how many
 * articles each symptom appears, then it writes each rule, so a phrase that
 * dozens of articles share ("Access is denied") supports a diagnosis but
 * cannot raise an incident on its own.
 */
#ifndef KBC_COMPILE_H
#define KBC_COMPILE_H

#include "kbc_buf.h"
#include "kbc_kb.h"

typedef enum kbc_compile_outcome {
        KBC_COMPILED = 0,
        KBC_SKIP_NO_SIGNAL,    /* nothing a log can show */
        KBC_SKIP_ONLY_GENERIC, /* only evidence too common to raise an
                                  incident alone */
        KBC_COMPILE__COUNT
} kbc_compile_outcome;

const char *kbc_compile_outcome_name(kbc_compile_outcome o);

typedef struct kbc_compiler kbc_compiler;

kbc_compiler *kbc_compiler_new(void);
void kbc_compiler_free(kbc_compiler *c);

/* Pass 1: counts the article's signals (each once per article). */
void kbc_compiler_count(kbc_compiler *c, const kbc_kb_article *art);

/* Pass 2: appends the rule's YAML to out (nothing when skipped). The
 * output depends only on the article and the counts: stable across runs.
 * When explain is not NULL, a JSON array is appended to it: each article
 * signal with its verdict (symptom, support, dropped) and the reason
 * (`kbcorr compile --explain`). */
kbc_compile_outcome kbc_compiler_write(const kbc_compiler *c,
                                       const kbc_kb_article *art, kbc_buf *out,
                                       kbc_buf *explain);

#endif
