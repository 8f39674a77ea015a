/*
 * filter.c - the --host and --kb filters of filter.h. Windows compares
 * computer names case-insensitively, so globs and names are lower-cased
 * (ASCII, as NetBIOS and DNS names are) and matched with plain
 * fnmatch(3); FNM_CASEFOLD is a GNU extension.
 */
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "filter.h"
#include "kbc_engine.h"
#include "kbc_str.h"

/* False when src does not fit. */
static bool lower_copy(char *dst, size_t size, const char *src, size_t len)
{
        if (len >= size)
                return false;
        for (size_t i = 0; i < len; i++)
                dst[i] = kbc_ascii_lower(src[i]);
        dst[len] = '\0';
        return true;
}

int tool_filter_add_host(tool_filters *f, const char *glob)
{
        if (f->nhosts == TOOL_MAX_FILTERS) {
                fprintf(stderr, "kbcorr replay: too many --host (at most %d)\n",
                        TOOL_MAX_FILTERS);
                return -1;
        }
        if (!*glob || !lower_copy(f->hosts[f->nhosts], TOOL_HOST_MAX, glob,
                                  strlen(glob))) {
                fprintf(stderr,
                        "kbcorr replay: --host: expected a host name glob "
                        "of 1 to %d bytes, got '%.80s'\n",
                        TOOL_HOST_MAX - 1, glob);
                return -1;
        }
        f->nhosts++;
        return 0;
}

/* An article number as it is cited: "Q247773", "KB247773" or "247773"
 * (any case); *digits points at the number. */
static bool kb_number(const char *id, const char **digits)
{
        const char *p = id;
        if (*p == 'q' || *p == 'Q')
                p++;
        else if (!strncasecmp(p, "kb", 2))
                p += 2;
        *digits = p;
        if (!*p)
                return false;
        for (; *p; p++)
                if (!isdigit((unsigned char)*p))
                        return false;
        return true;
}

int tool_filter_add_kb(tool_filters *f, const char *id)
{
        const char *digits;
        if (f->nkbs == TOOL_MAX_FILTERS) {
                fprintf(stderr, "kbcorr replay: too many --kb (at most %d)\n",
                        TOOL_MAX_FILTERS);
                return -1;
        }
        /* Articles' rules are named Qnnnnnn (the corpus' DOCUMENT:Q
         * ids); any other rule id is kept as written. */
        int n = kb_number(id, &digits)
                    ? snprintf(f->kbs[f->nkbs], TOOL_KB_ID_MAX, "Q%s", digits)
                    : snprintf(f->kbs[f->nkbs], TOOL_KB_ID_MAX, "%s", id);
        if (!*id || n >= TOOL_KB_ID_MAX) {
                fprintf(stderr,
                        "kbcorr replay: --kb: expected a KB id such as "
                        "Q247773, got '%.80s'\n",
                        id);
                return -1;
        }
        f->nkbs++;
        return 0;
}

static bool has_rule(const kbc_ruleset *rs, const char *id)
{
        for (size_t i = 0; i < kbc_ruleset_count(rs); i++)
                if (!strcasecmp(id, kbc_rule_id(kbc_ruleset_rule(rs, i))))
                        return true;
        return false;
}

int tool_filter_check_kbs(const tool_filters *f, const kbc_ruleset *rs)
{
        int rc = 0;
        for (size_t k = 0; k < f->nkbs; k++)
                if (!has_rule(rs, f->kbs[k])) {
                        fprintf(stderr,
                                "kbcorr replay: --kb %s: no rule with that id "
                                "is loaded\n",
                                f->kbs[k]);
                        rc = -1;
                }
        return rc;
}

bool tool_filter_host(const tool_filters *f, kbc_str host)
{
        char name[TOOL_HOST_MAX];
        if (!f->nhosts)
                return true;
        if (!lower_copy(name, sizeof(name), host.ptr, host.len))
                return false; /* longer than any glob can be meant for */
        for (size_t i = 0; i < f->nhosts; i++)
                if (fnmatch(f->hosts[i], name, 0) == 0)
                        return true;
        return false;
}

bool tool_filter_kb(const tool_filters *f, const char *kb_id)
{
        if (!f->nkbs)
                return true;
        for (size_t i = 0; i < f->nkbs; i++)
                if (!strcasecmp(f->kbs[i], kb_id))
                        return true;
        return false;
}
