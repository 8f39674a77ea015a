/*
 * kbc_rules.h - loading a rule set (one YAML file per KB article) and
 * matching events against it. A rule set is immutable once loaded, so a
 * reload builds a new one and swaps it in whole.
 */
#ifndef KBC_RULES_H
#define KBC_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_event.h"

typedef struct kbc_ruleset kbc_ruleset;
typedef struct kbc_rule kbc_rule;
typedef struct kbc_signal kbc_signal;
typedef struct kbc_rule_test kbc_rule_test;

/* Receives each problem found while loading, as "file:line: what is wrong". */
typedef void kbc_diag_fn(void *opaque, const char *msg);

/* Loads every *.yaml / *.yml under each path (a file, or a folder searched
 * recursively, files in sorted order). A rule id defined twice within one
 * path is an error; a later path's rule replaces an earlier path's, so
 * curated rules listed after the compiled corpus win. Every problem is
 * reported through diag (may be NULL); if there was any, returns NULL. */
kbc_ruleset *kbc_ruleset_load(const char *const *paths, size_t npaths,
                              kbc_diag_fn *diag, void *opaque);

/* How kbc_ruleset_load_with loads. kbc_ruleset_load is it with bundles
 * used and notes dropped. */
typedef struct kbc_ruleset_opts {
        kbc_diag_fn *diag; /* problems: any of them refuses the set */
        /* Notes that change no rule: a folder's bundle (kbc_bundle.h)
         * left unused, and why ("DIR/rules.kbcb: not used: stale: ...").
         * May be NULL. */
        kbc_diag_fn *note;
        void *opaque;   /* for both */
        bool no_bundle; /* read the YAML even where a fresh bundle is */
} kbc_ruleset_opts;

/* As kbc_ruleset_load. A folder holding a fresh bundle is read from it
 * (the same rules, faster); any other is read as YAML. */
kbc_ruleset *kbc_ruleset_load_with(const char *const *paths, size_t npaths,
                                   const kbc_ruleset_opts *opts);
void kbc_ruleset_free(kbc_ruleset *rs);

size_t kbc_ruleset_count(const kbc_ruleset *rs);
/* Rules read from bundles rather than YAML (before overrides). */
size_t kbc_ruleset_bundled(const kbc_ruleset *rs);
/* Rules replaced by a later path's rule of the same id. */
size_t kbc_ruleset_overridden(const kbc_ruleset *rs);
const kbc_rule *kbc_ruleset_rule(const kbc_ruleset *rs, size_t i);
/* Distinct message patterns that run on every event: of signals with no
 * provider, no event id, no literal for the prefilter and no error code
 * (docs/rule-format.md). Each costs a PCRE2 search of every message. */
size_t kbc_ruleset_unfiltered(const kbc_ruleset *rs);

/* Per-thread matching scratch (PCRE2 match data); reuse across events. */
typedef struct kbc_matcher kbc_matcher;
kbc_matcher *kbc_matcher_new(const kbc_ruleset *rs);
void kbc_matcher_free(kbc_matcher *m);

/* The signals an event matches, in rule-set order. Returns the count
 * (possibly more than max; only the first max are stored). */
size_t kbc_match(kbc_matcher *m, const kbc_event *ev, const kbc_signal **hits,
                 size_t max);

#endif
