/*
 * bundle_internal.h - the parts of the rule bundle (kbc_bundle.h) shared
 * by its writer, its reader and the rule loader.
 *
 * File layout (integers little-endian, kbc_bin.h):
 *
 *   header  "KBCB\r\n\x1a\n", u32 format version, u32 0,
 *           u64 body length, u64 kbc_hash64 of the body
 *   body    str loader fingerprint, str PCRE2 version,
 *           u32 N, N x (str path below the folder, u64 size, u64 hash),
 *           N x rule (bundle_codec.c), the rule of source i at i
 *
 * The checksum catches a truncated or damaged file before anything is
 * decoded; the fingerprint (a hash of the loader's sources, made by the
 * build) makes a bundle written by another version of the loader stale,
 * since what a YAML file loads to may have changed with it.
 */
#ifndef KBC_BUNDLE_INTERNAL_H
#define KBC_BUNDLE_INTERNAL_H

#include <stdbool.h>

#include "kbc_bin.h"
#include "kbc_bundle.h"
#include "rule_internal.h"

#define BUNDLE_MAGIC       "KBCB\r\n\x1a\n"
#define BUNDLE_MAGIC_LEN   8
#define BUNDLE_VERSION     2 /* 2: a signal's provider is a list */
#define BUNDLE_HEADER_SIZE 32
/* Far above the whole KB's (about 30 MB); a cap on what a read allocates. */
#define BUNDLE_MAX_BYTES ((uint64_t)1 << 30)

/* One rule file of a folder, as the loader would read it. */
typedef struct bundle_source {
        const char *path; /* as the loader names it: "DIR/003/Q3001.yaml" */
        const char *rel;  /* below the folder: "003/Q3001.yaml" */
        uint64_t size, hash;
} bundle_source;

typedef struct bundle_sources {
        bundle_source *v;
        size_t n, cap;
} bundle_sources;

/* Lists and hashes the rule files under dir in the loader's order, the
 * strings in a. 0, or -1 with why (a folder that cannot be walked as the
 * loader would, a file that cannot be read) filled in. */
int bundle_sources_scan(const char *dir, kbc_arena *a, bundle_sources *out,
                        char *why, size_t whysize);
void bundle_sources_free(bundle_sources *s);

/* The loader's fingerprint and PCRE2's version, as bundles record them
 * (bundle_stamp.c). */
#define BUNDLE_PCRE2_VERSION_MAX 64
const char *bundle_fingerprint(void);
void bundle_pcre2_version(char buf[BUNDLE_PCRE2_VERSION_MAX]);

/* One rule's record (bundle_codec.c). put writes everything the loader
 * made of the file but its name and compiled patterns; get reads it back
 * into a, rule->file set to file, and makes r bad on anything a loader
 * could not have made. */
void bundle_put_rule(kbc_buf *b, const kbc_rule *rule);
void bundle_get_rule(kbc_bin_reader *r, kbc_arena *a, kbc_rule *rule,
                     const char *file);

/* Reads dir's bundle: the state, and when fresh its rules in source
 * order, in a (*rules, *nrules). why says what is wrong otherwise. */
kbc_bundle_state bundle_read(const char *dir, kbc_arena *a, kbc_rule **rules,
                             size_t *nrules, char *why, size_t whysize);

#endif
