/*
 * filter.h - replay's --host and --kb filters. Host globs pick the events
 * that reach correlation; KB ids pick the incidents that are printed.
 * docs/decisions.md says why each applies where it does.
 */
#ifndef TOOL_FILTER_H
#define TOOL_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_event.h"
#include "kbc_rules.h"

#define TOOL_MAX_FILTERS 64
#define TOOL_HOST_MAX    256 /* a DNS name is at most 253 bytes */
#define TOOL_KB_ID_MAX   64

typedef struct tool_filters {
        char hosts[TOOL_MAX_FILTERS][TOOL_HOST_MAX]; /* lower-cased globs */
        size_t nhosts;
        char kbs[TOOL_MAX_FILTERS][TOOL_KB_ID_MAX]; /* canonical ids */
        size_t nkbs;
} tool_filters;

/* --host GLOB (fnmatch(3), case-insensitive) and --kb ID ("Q247773",
 * "KB247773" and "247773" are one article; other rule ids as written).
 * Print the problem and return -1 when the value is unusable. */
int tool_filter_add_host(tool_filters *f, const char *glob);
int tool_filter_add_kb(tool_filters *f, const char *id);

/* Every --kb names a rule of rs; else prints which one does not. */
int tool_filter_check_kbs(const tool_filters *f, const kbc_ruleset *rs);

/* Does an event or incident of this host pass? (Always, without --host.) */
bool tool_filter_host(const tool_filters *f, kbc_str host);
/* Does an incident won by this KB pass? (Always, without --kb.) */
bool tool_filter_kb(const tool_filters *f, const char *kb_id);

#endif
