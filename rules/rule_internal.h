/*
 * rule_internal.h - the loaded form of a rule file, shared by the loader,
 * the matcher, the correlator and the incident writer. Everything here is
 * allocated from the rule set's arena and read-only after loading.
 */
#ifndef KBC_RULE_INTERNAL_H
#define KBC_RULE_INTERNAL_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "kbc_arena.h"
#include "kbc_event.h"
#include "kbc_rules.h"
#include "kbc_text.h"

/* Bounds on every regex match: hostile messages cannot make a pattern loop
 * or recurse without limit (SPEC.md §3). */
#define KBC_MATCH_LIMIT 100000
#define KBC_DEPTH_LIMIT 1000

typedef struct kbc_data_match {
        const char *name; /* EventData field name */
        const char *src;  /* the pattern as written */
        pcre2_code *re;   /* compiled when loaded, or by the index build */
} kbc_data_match;

/* How every rule pattern is compiled: Windows compares without case, and
 * messages are UTF-8 that may be invalid. */
#define KBC_RE_FLAGS (PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)

struct kbc_signal {
        const char *id;
        const kbc_rule *rule;
        double weight;        /* > 0; default 1 */
        bool symptom;         /* may open a case; others only support one */
        int line;             /* of "- id:" in the rule file */
        const char *provider; /* NULL = any; compared case-insensitively */
        const char *const *providers; /* provider and its other names (any
                                         matches); providers[0] == provider */
        size_t nproviders;
        const char *const *channels; /* empty = any */
        size_t nchannels;
        const uint32_t *event_ids; /* empty = any */
        size_t nevent_ids;
        bool problem; /* only events that report a problem (kbc_event.h) */
        /* The pattern of message: or text:, NULL = any (message_src says
         * whether there is one). Compiled at load from YAML; a signal read
         * from a bundle has its source only, and the matcher compiles it
         * when it first runs it (match.c). */
        pcre2_code *message;
        const char *message_src; /* the regex as compiled, for explain */
        const char *text;        /* the text: phrase as written, or NULL */
        kbc_data_match *data;
        size_t ndata;
        /* How much it says of the event it matches: the content words of
         * its phrase or regex, one more each for a provider and an event
         * id (the tie-break after the score, docs/rule-format.md). */
        unsigned detail;
        /* How many rules (not overridden) have a signal of the same
         * provider, event ids and pattern, without case: 1 for one only
         * its own article has (the rarity tie-break, correlate.c). */
        uint32_t df;
        /* Set by the matcher's index: */
        uint32_t gindex;     /* position in the rule set's signals */
        const char *literal; /* required literal of message, or NULL */
        uint32_t pattern;    /* message's number among distinct ones */
};

typedef struct kbc_test_expect {
        const char *kb;                /* winner, or NULL */
        const char *top;               /* winner or tied with it, or NULL */
        const char *const *candidates; /* exact ranked list, or NULL */
        size_t ncandidates;
        long incidents; /* expected count, or -1 = not checked */
} kbc_test_expect;

typedef struct kbc_rule_test {
        const char *name;
        int line;
        kbc_event *events; /* views into the rule set's arena */
        size_t nevents;
        kbc_test_expect expect;
} kbc_rule_test;

enum {
        KBC_SEVERITY_LOW = 21,
        KBC_SEVERITY_MEDIUM = 47,
        KBC_SEVERITY_HIGH = 73,
        KBC_SEVERITY_CRITICAL = 99
};

struct kbc_rule {
        const char *id;
        const char *title;
        const char *reference;
        const char *cause;
        const char *resolution;
        const char *const *products;
        size_t nproducts;
        const char *file;
        int line;
        int severity; /* ECS event.severity */
        int64_t window_ms;
        double max_score; /* sum of all signal weights */
        size_t index;     /* position in the rule set (sorted by id) */
        size_t layer;     /* which of the loaded paths it came from */
        bool overridden;  /* by a later path's rule of the same id */
        kbc_signal *signals;
        size_t nsignals;
        kbc_rule_test *tests;
        size_t ntests;
};

/* Is name (a file in a --rules folder) a rule file: *.yaml or *.yml? */
bool kbc_rule_file_name(const char *name);

/* Index built by the matcher at load time, opaque to the rest. */
typedef struct kbc_signal_index kbc_signal_index;
kbc_signal_index *kbc_signal_index_build(kbc_ruleset *rs);
void kbc_signal_index_free(kbc_signal_index *idx);

struct kbc_ruleset {
        kbc_arena *arena;
        kbc_rule *rules; /* sorted by id */
        size_t nrules;
        size_t nsignals; /* in all rules; gindex < nsignals */
        size_t noverridden;
        size_t nbundled; /* rules read from bundles */
        int64_t max_window_ms;
        kbc_signal_index *index;
};

#endif
