/*
 * kbc_bundle.h - the compiled rule bundle: a folder's rule files, loaded
 * once and written as one file, DIR/rules.kbcb, so that loading the folder
 * again skips YAML parsing and the regex compiles it does not need
 * (docs/rule-format.md, "Bundles"). The YAML stays the source of truth:
 * the bundle records the size and a hash of every rule file it was made
 * from, and the loader uses it only while they all still match, it was
 * written by this build of the loader and the same PCRE2; otherwise it
 * says why and reads the YAML.
 */
#ifndef KBC_BUNDLE_H
#define KBC_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "kbc_rules.h"

#define KBC_BUNDLE_NAME "rules.kbcb"

typedef struct kbc_bundle_info {
        size_t nrules;  /* one per rule file */
        uint64_t bytes; /* the bundle's size */
} kbc_bundle_info;

/* Loads the rule files under dir as a rule set of their own (every
 * problem to diag, as kbc_ruleset_load reports it) and writes
 * dir/rules.kbcb, through a temporary file renamed over it, so a reader
 * sees the old bundle or the new one. Refuses a set with problems, and a
 * folder whose files changed while it was read. 0, or -1 after reporting
 * through diag. info may be NULL. */
int kbc_bundle_write(const char *dir, kbc_diag_fn *diag, void *opaque,
                     kbc_bundle_info *info);

typedef enum kbc_bundle_state {
        KBC_BUNDLE_NONE,   /* dir has no bundle */
        KBC_BUNDLE_FRESH,  /* usable: the loader takes it */
        KBC_BUNDLE_STALE,  /* its sources, loader or PCRE2 changed */
        KBC_BUNDLE_BROKEN, /* not a bundle, truncated, corrupted, unreadable */
} kbc_bundle_state;

/* What the loader would make of dir's bundle, and why in words ("stale:
 * 003/Q3001.yaml changed since it was written") when it is not fresh. */
kbc_bundle_state kbc_bundle_check(const char *dir, char *why, size_t whysize,
                                  kbc_bundle_info *info);

#endif
