/*
 * yaml_doc.h - typed, line-aware access to one YAML file loaded with
 * libyaml's document API (yaml_parser_load), for the rule loader.
 *
 * A kbc_ydoc owns the parsed document and knows its file name and where
 * problems go, so every accessor that finds something wrong can report it
 * as "file:line: what is wrong" with the 1-based line of the node at fault.
 * Conversions (integer, bool, number) are strict, YAML 1.2 core schema
 * style: only plain (unquoted) scalars are numbers or booleans, so a quoted
 * "2037" stays a string and is reported as such rather than guessed at.
 *
 * Anchors and aliases (&name, *name) are rejected at load: libyaml
 * resolves an alias to a shared node, which would let a small file expand
 * into an exponentially large walk (or a cycle, for an alias inside its own
 * anchor). Rule files are reviewed as text, so every value is written out
 * where it is used.
 */
#ifndef KBC_YAML_DOC_H
#define KBC_YAML_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "kbc_rules.h"

/* Deepest nesting of lists and mappings (a rule needs 6). */
#define KBC_YDOC_MAX_DEPTH 32

/* Largest file read (a rule file is a few KiB; this only stops a stray
 * multi-gigabyte *.yaml from being read into memory). */
#define KBC_YDOC_MAX_FILE (1024u * 1024)

/* Where problems go, shared by every file of one load. */
struct kbc_ydiag_held;
typedef struct kbc_ydiag {
        kbc_diag_fn *fn; /* may be NULL: problems are only counted */
        void *opaque;
        size_t count; /* problems reported so far */
        bool hold;    /* between kbc_ydiag_hold and kbc_ydiag_flush */
        struct kbc_ydiag_held *held;
        size_t nheld, capheld;
} kbc_ydiag;

/* Reports "file:line: message" (or "file: message" when line <= 0).
 * Control characters in the result are escaped so one problem is always
 * one line. Counted at once; passed on at once unless held. */
void kbc_ydiag_report(kbc_ydiag *g, const char *file, int line, const char *fmt,
                      ...) __attribute__((format(printf, 4, 5)));

/* A schema walk finds problems in its own order (the cause key is read
 * after severity); holding them while one file is walked lets flush pass
 * them on sorted by line, as a reader of the file expects. */
void kbc_ydiag_hold(kbc_ydiag *g);
void kbc_ydiag_flush(kbc_ydiag *g);

typedef struct kbc_ydoc {
        yaml_document_t doc;
        bool loaded; /* doc holds nodes to delete */
        const char *file;
        kbc_ydiag *diag;
} kbc_ydoc;

/* Parses buf (len bytes) as exactly one YAML document. Returns 0, or -1
 * after reporting the problems: a syntax error at libyaml's problem mark
 * with libyaml's own words, an empty file, several documents, anchors,
 * aliases, or nesting deeper than KBC_YDOC_MAX_DEPTH.
 * file must outlive d. Call kbc_ydoc_free either way. */
int kbc_ydoc_load(kbc_ydoc *d, const char *file, const char *buf, size_t len,
                  kbc_ydiag *diag);
/* Reads the file (at most KBC_YDOC_MAX_FILE bytes) and loads it. */
int kbc_ydoc_load_file(kbc_ydoc *d, const char *file, kbc_ydiag *diag);
void kbc_ydoc_free(kbc_ydoc *d);

/* Reports a problem at node n's line (line 0 when n is NULL). */
void kbc_ydoc_report(kbc_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

yaml_node_t *kbc_ydoc_root(kbc_ydoc *d);

/* 1-based line of the node's first character. */
static inline int kbc_ynode_line(const yaml_node_t *n)
{
        return n ? (int)n->start_mark.line + 1 : 0;
}

static inline bool kbc_ynode_is_map(const yaml_node_t *n)
{
        return n && n->type == YAML_MAPPING_NODE;
}

static inline bool kbc_ynode_is_seq(const yaml_node_t *n)
{
        return n && n->type == YAML_SEQUENCE_NODE;
}

static inline bool kbc_ynode_is_scalar(const yaml_node_t *n)
{
        return n && n->type == YAML_SCALAR_NODE;
}

/* "a mapping", "a list", "no value", "'text'", "quoted '2037'" (a
 * quoted scalar): for "expected X, got Y" messages. */
const char *kbc_ynode_describe(const yaml_node_t *n, char *buf, size_t size);

/* The value of key in mapping map (the first, if repeated), or NULL when
 * map is not a mapping or has no such key. */
yaml_node_t *kbc_ydoc_get(kbc_ydoc *d, const yaml_node_t *map, const char *key);

/* Sequences: number of items and the i-th (NULL if out of range). */
size_t kbc_ydoc_seq_len(const yaml_node_t *seq);
yaml_node_t *kbc_ydoc_seq_at(kbc_ydoc *d, const yaml_node_t *seq, size_t i);

/* Mappings: number of pairs and the i-th pair's key and value. */
size_t kbc_ydoc_map_len(const yaml_node_t *map);
void kbc_ydoc_map_at(kbc_ydoc *d, const yaml_node_t *map, size_t i,
                     yaml_node_t **key, yaml_node_t **value);

/* A scalar's bytes (NUL-terminated by libyaml; *len excludes it, and may
 * be shorter than strlen if the value holds "\0"), or NULL if n is not a
 * scalar. */
const char *kbc_ynode_str(const yaml_node_t *n, size_t *len);

/* True for a plain scalar that YAML reads as null: empty, ~, null. */
bool kbc_ynode_is_null(const yaml_node_t *n);

/* Strict conversions of plain scalars. Return 0, or -1 (nothing reported:
 * the caller knows what the value was for). */
int kbc_ynode_int(const yaml_node_t *n, int64_t min, int64_t max,
                  int64_t *out); /* [-+]?[0-9]+ within [min, max] */
int kbc_ynode_bool(const yaml_node_t *n, bool *out);     /* true / false */
int kbc_ynode_double(const yaml_node_t *n, double *out); /* finite decimal */

/* Reports every key of map that is not in valid (a NULL-terminated list),
 * every key that is not a plain string, and every valid key given twice:
 *   "file:line: unknown key 'foo' in signal (valid: id, symptom, ...)"
 *   "file:line: duplicate key 'id' in signal (first at line 3)"
 * what names the mapping in those messages. Returns the number reported. */
size_t kbc_ydoc_check_keys(kbc_ydoc *d, const yaml_node_t *map,
                           const char *what, const char *const *valid);

#endif
