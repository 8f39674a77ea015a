/*
 * rule_load.c - reads rule files (docs/rule-format.md) into a rule set.
 *
 * Each path is a file or a folder searched recursively for *.yaml and
 * *.yml by kbc_walk (names sorted at each level, so a load is
 * deterministic; folder loops and depth refused there). Each file is
 * parsed with yaml_doc into libyaml's node tree, and walked once against
 * the schema: every value is checked and copied into the rule set's arena,
 * every regular expression compiled (PCRE2, caseless, UTF with invalid
 * UTF-8 subjects allowed, then JIT). Nothing stops at the first problem:
 * every one is reported as "file:line: what is wrong" so one `kbcorr
 * check` shows them all, and a set with any problem is freed and refused.
 *
 * Compiled patterns are owned by the signals they were compiled for; a
 * signal's pattern slots are in place before anything is compiled into
 * them, so freeing walks rules -> signals -> patterns, both for a loaded
 * set and for the half-built rules of a refused one.
 *
 * A folder with a fresh bundle (kbc_bundle.h) is read from it instead:
 * the same rules, added in the same order, so everything after (ids
 * checked, overrides, the sorted set, the index) runs alike.
 *
 * Duplicate rule ids (across files) and signal ids (within a rule) are
 * found by sorting, not by comparing every pair, so a hostile file with
 * many signals cannot make loading quadratic.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bundle_internal.h"
#include "kbc_hash.h"
#include "kbc_time.h"
#include "kbc_walk.h"
#include "rule_internal.h"
#include "yaml_doc.h"

#define WEIGHT_MAX        100.0
#define WINDOW_DEFAULT_MS (10 * 60 * 1000)
/* Correlation adds windows to event times; a cap keeps that far from
 * int64 overflow and catches "10d" typed for "10m" only beyond a month. */
#define WINDOW_MAX_MS ((int64_t)30 * 24 * 3600 * 1000)
/* Test events are ~2 KiB each (64 field slots); a cap per file keeps a
 * hostile "[{},{},...]" from asking for gigabytes. */
#define TEST_EVENTS_MAX 1000
/* 2001-01-01T00:00:00Z, the default time of the first test event. */
#define TEST_TIME_BASE_MS INT64_C(978307200000)
#define CTX_MAX           160
#define NAME_EXCERPT      48

static const char *const rule_keys[] = {
    "id",    "title",      "products", "reference", "severity", "window",
    "cause", "resolution", "signals",  "tests",     NULL};
static const char *const signal_keys[] = {"id", "symptom", "weight", "match",
                                          NULL};
static const char *const match_keys[] = {"provider", "channel", "event_id",
                                         "problem",  "message", "text",
                                         "data",     NULL};
static const char *const test_keys[] = {"name", "events", "expect", NULL};
static const char *const event_keys[] = {
    "time",      "host",  "provider", "channel", "event_id",
    "record_id", "level", "message",  "data",    NULL};
static const char *const expect_keys[] = {"kb", "top", "candidates",
                                          "incidents", NULL};

/* State of one load. */
typedef struct loader {
        kbc_arena *arena;
        kbc_ydiag diag;
        const kbc_ruleset_opts *opts;
        size_t bundled;   /* rules read from bundles */
        kbc_rule **rules; /* every rule parsed, bad ones too */
        size_t nrules, cap;
        size_t layer;      /* index of the --rules path being loaded */
        size_t overridden; /* rules replaced by a later path's */
} loader;

/* State while walking one file. */
typedef struct walk {
        loader *L;
        kbc_ydoc *d;
        kbc_rule *rule;
        size_t nevents;    /* test events so far in this file */
        bool bad_symptom;  /* a symptom: value was reported */
        char ctx[CTX_MAX]; /* "signal 'x': ", prefixed to value problems */
} walk;

static void *xrealloc(void *p, size_t n)
{
        p = realloc(p, n);
        if (!p) {
                fputs("kbcorr: out of memory\n", stderr);
                abort();
        }
        return p;
}

/* Reports at node n, after the current context prefix. */
static void __attribute__((format(printf, 3, 4)))
rep(walk *w, const yaml_node_t *n, const char *fmt, ...)
{
        char msg[768];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        kbc_ydoc_report(w->d, n, "%s%s", w->ctx, msg);
}

static void __attribute__((format(printf, 2, 3)))
set_ctx(walk *w, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(w->ctx, sizeof(w->ctx), fmt, ap);
        va_end(ap);
}

static const char *desc(const yaml_node_t *n, char *buf, size_t size)
{
        return kbc_ynode_describe(n, buf, size);
}

#define DESC(n) desc((n), (char[NAME_EXCERPT + 16]){0}, NAME_EXCERPT + 16)

/* A string value, copied into the arena. Returns NULL after reporting
 * when n is not a scalar, is null ("key:" with nothing after it), holds a
 * NUL byte, or is "" where empty is not allowed. */
static const char *str_value(walk *w, const yaml_node_t *n, const char *what,
                             bool allow_empty)
{
        size_t len;
        const char *s = kbc_ynode_str(n, &len);

        if (!s) {
                rep(w, n, "%s must be a string, got %s", what, DESC(n));
                return NULL;
        }
        if (kbc_ynode_is_null(n)) {
                rep(w, n, "%s has no value", what);
                return NULL;
        }
        if (memchr(s, '\0', len)) {
                rep(w, n, "%s contains a NUL character", what);
                return NULL;
        }
        /* Block scalars ("cause: >") end in a newline: not part of text. */
        while (len && (s[len - 1] == '\n' || s[len - 1] == '\r'))
                len--;
        if (len == 0 && !allow_empty) {
                rep(w, n, "%s is empty", what);
                return NULL;
        }
        return kbc_arena_strndup(w->L->arena, s, len);
}

/* The value of a required key, or NULL after reporting its absence. */
static yaml_node_t *required(walk *w, const yaml_node_t *map, const char *key,
                             const char *in_what)
{
        yaml_node_t *v = kbc_ydoc_get(w->d, map, key);
        if (!v)
                kbc_ydoc_report(w->d, map, "missing required key '%s' in %s",
                                key, in_what);
        return v;
}

static const char *opt_str(walk *w, const yaml_node_t *map, const char *key,
                           bool allow_empty)
{
        yaml_node_t *v = kbc_ydoc_get(w->d, map, key);
        return v ? str_value(w, v, key, allow_empty) : NULL;
}

static const char *req_str(walk *w, const yaml_node_t *map, const char *key,
                           const char *in_what)
{
        yaml_node_t *v = required(w, map, key, in_what);
        return v ? str_value(w, v, key, false) : NULL;
}

/* Compiles src (len bytes) for a signal; NULL after reporting. The matcher
 * decides which patterns are worth JIT code (kbc_signal_index_build). */
static pcre2_code *compile_re(walk *w, const yaml_node_t *n, const char *src,
                              size_t len, const char *what)
{
        PCRE2_UCHAR err[256];
        PCRE2_SIZE off = 0;
        int code = 0;
        pcre2_code *re;

        re = pcre2_compile((PCRE2_SPTR)src, len, KBC_RE_FLAGS, &code, &off,
                           NULL);
        if (!re) {
                if (pcre2_get_error_message(code, err, sizeof(err)) < 0)
                        snprintf((char *)err, sizeof(err), "error %d", code);
                rep(w, n, "%sbad regex at offset %zu: %s", what, (size_t)off,
                    (const char *)err);
                return NULL;
        }
        return re;
}

static int event_id_value(walk *w, const yaml_node_t *n, uint32_t *out)
{
        int64_t v;

        if (kbc_ynode_int(n, 0, UINT32_MAX, &v)) {
                rep(w, n, "event_id must be an integer from 0 to %u, got %s",
                    UINT32_MAX, DESC(n));
                return -1;
        }
        *out = (uint32_t)v;
        return 0;
}

static void parse_event_ids(walk *w, kbc_signal *sig, const yaml_node_t *n)
{
        size_t count = kbc_ynode_is_seq(n) ? kbc_ydoc_seq_len(n) : 1;
        uint32_t *ids;

        if (kbc_ynode_is_seq(n) && count == 0) {
                rep(w, n, "event_id list is empty");
                return;
        }
        ids = kbc_arena_alloc(w->L->arena, count * sizeof(*ids));
        if (!kbc_ynode_is_seq(n)) {
                if (event_id_value(w, n, &ids[0]))
                        return;
        } else {
                for (size_t i = 0; i < count; i++)
                        if (event_id_value(w, kbc_ydoc_seq_at(w->d, n, i),
                                           &ids[i]))
                                return;
        }
        sig->event_ids = ids;
        sig->nevent_ids = count;
}

/* A "data" mapping of field name to string (a regex for signals, a value
 * for test events). Names are unique ignoring case, as Windows compares
 * them; at most KBC_EVENT_MAX_FIELDS, as no event carries more. Calls
 * each(ctx, i, name node, value node) for every well-formed pair.
 * Returns the number of pairs. */
typedef void data_fn(walk *w, void *ctx, size_t i, const yaml_node_t *name,
                     const yaml_node_t *value);

static size_t walk_data(walk *w, const yaml_node_t *map, bool allow_empty_map,
                        data_fn *each, void *ctx)
{
        size_t n = kbc_ydoc_map_len(map);

        if (!kbc_ynode_is_map(map)) {
                rep(w, map, "data must be a mapping of field names, got %s",
                    DESC(map));
                return 0;
        }
        if (n == 0 && !allow_empty_map) {
                rep(w, map, "data is empty");
                return 0;
        }
        if (n > KBC_EVENT_MAX_FIELDS) {
                rep(w, map, "data has %zu fields; an event carries at most %d",
                    n, KBC_EVENT_MAX_FIELDS);
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                yaml_node_t *k, *v, *pk, *pv;
                size_t klen, plen;
                const char *ks;
                bool dup = false;

                kbc_ydoc_map_at(w->d, map, i, &k, &v);
                ks = kbc_ynode_str(k, &klen);
                if (!ks || kbc_ynode_is_null(k) || memchr(ks, '\0', klen)) {
                        rep(w, k, "data field names must be strings, got %s",
                            DESC(k));
                        continue;
                }
                for (size_t j = 0; j < i && !dup; j++) {
                        kbc_ydoc_map_at(w->d, map, j, &pk, &pv);
                        const char *ps = kbc_ynode_str(pk, &plen);
                        dup = ps && kbc_str_caseeq(kbc_str_make(ks, klen),
                                                   kbc_str_make(ps, plen));
                }
                if (dup) {
                        rep(w, k,
                            "duplicate data field '%.*s' (first at "
                            "line %d)",
                            NAME_EXCERPT, ks, kbc_ynode_line(pk));
                        continue;
                }
                each(w, ctx, i, k, v);
        }
        return n;
}

static void signal_data_one(walk *w, void *ctx, size_t i,
                            const yaml_node_t *name, const yaml_node_t *value)
{
        kbc_data_match *dm = ctx;
        char what[NAME_EXCERPT + 16];
        const char *src;

        dm[i].name = str_value(w, name, "data field name", false);
        snprintf(what, sizeof(what), "data '%.*s'", NAME_EXCERPT,
                 dm[i].name ? dm[i].name : "?");
        src = str_value(w, value, what, false);
        dm[i].src = src;
        if (src) {
                strcat(what, ": ");
                dm[i].re = compile_re(w, value, src, strlen(src), what);
        }
}

static void parse_signal_data(walk *w, kbc_signal *sig, const yaml_node_t *n)
{
        size_t count = kbc_ydoc_map_len(n);
        kbc_data_match *dm = NULL;

        if (kbc_ynode_is_map(n) && count > 0 && count <= KBC_EVENT_MAX_FIELDS) {
                /* Slots first, so the patterns are freed on any path. */
                dm = kbc_arena_alloc(w->L->arena, count * sizeof(*dm));
                sig->data = dm;
                sig->ndata = count;
        }
        walk_data(w, n, false, signal_data_one, dm);
}

/* Does the phrase have anything to find? Whitespace, quotes and dots alone
 * would compile to a pattern that matches every message. */
static void parse_string_list(walk *w, const yaml_node_t *n, const char *what,
                              const char *const **out, size_t *nout);

static bool text_has_content(const char *s)
{
        for (; *s; s++)
                if ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
                    (*s >= 'A' && *s <= 'Z') || (unsigned char)*s >= 0x80)
                        return true;
        return false;
}

/* A name (channel, provider), or a list of them (any matches). */
static void parse_names(walk *w, const yaml_node_t *n, const char *what,
                        const char *const **out, size_t *count)
{
        if (!kbc_ynode_is_seq(n)) {
                const char **one = kbc_arena_alloc(w->L->arena, sizeof(*one));
                one[0] = str_value(w, n, what, false);
                *out = one;
                *count = one[0] != NULL;
                return;
        }
        parse_string_list(w, n, what, out, count);
        if (!*count)
                rep(w, n, "%s must name at least one %s", what, what);
}

static void parse_match(walk *w, kbc_signal *sig, const yaml_node_t *m)
{
        yaml_node_t *n, *msg, *text;
        const char *s;

        if (!kbc_ynode_is_map(m)) {
                rep(w, m,
                    "match must be a mapping (provider, channel, "
                    "event_id, problem, message, text, data), got %s",
                    DESC(m));
                return;
        }
        kbc_ydoc_check_keys(w->d, m, "match", match_keys);
        if (kbc_ydoc_map_len(m) == 0) {
                rep(w, m,
                    "match has no keys (use provider, channel, "
                    "event_id, problem, message, text or data)");
                return;
        }
        if ((n = kbc_ydoc_get(w->d, m, "provider")))
                parse_names(w, n, "provider", &sig->providers,
                            &sig->nproviders);
        sig->provider = sig->nproviders ? sig->providers[0] : NULL;
        if ((n = kbc_ydoc_get(w->d, m, "channel")))
                parse_names(w, n, "channel", &sig->channels, &sig->nchannels);
        if ((n = kbc_ydoc_get(w->d, m, "event_id")))
                parse_event_ids(w, sig, n);
        if ((n = kbc_ydoc_get(w->d, m, "problem")) &&
            kbc_ynode_bool(n, &sig->problem))
                rep(w, n, "problem must be true or false, got %s", DESC(n));
        msg = kbc_ydoc_get(w->d, m, "message");
        text = kbc_ydoc_get(w->d, m, "text");
        if (msg && text) {
                rep(w, text, "use message or text, not both");
        } else if (msg && (s = str_value(w, msg, "message", false))) {
                sig->message_src = s;
                sig->message = compile_re(w, msg, s, strlen(s), "");
        } else if (text && (s = str_value(w, text, "text", false))) {
                if (!text_has_content(s)) {
                        rep(w, text,
                            "text has nothing to match (no letter "
                            "or digit)");
                } else {
                        sig->text = s;
                        sig->message_src = kbc_text_to_regex(w->L->arena, s);
                        sig->message =
                            compile_re(w, text, sig->message_src,
                                       strlen(sig->message_src), "text: ");
                }
        }
        if ((n = kbc_ydoc_get(w->d, m, "data")))
                parse_signal_data(w, sig, n);
}

/* The end of the group that opens at p (its ')'), or NULL; whether it
 * holds a '|' of its own in *alt. */
static char *group_end(char *p, bool *alt)
{
        int depth = 0;
        *alt = false;
        for (char *q = p; *q; q++) {
                if (*q == '\\' && q[1])
                        q++;
                else if (*q == '[' && strchr(q + 1, ']'))
                        q = strchr(q + 1, ']');
                else if (*q == '(')
                        depth++;
                else if (*q == ')' && --depth == 0)
                        return q;
                else if (*q == '|' && depth == 1)
                        *alt = true;
        }
        return NULL;
}

/* The words a regex requires: escapes, classes, counts and group syntax
 * become spaces ("application,\\s+[^,]{0,9}snaservr\\.exe" reads
 * "application snaservr exe"), and so does a group of alternatives or an
 * optional one ("(?:exe|dbg|dll)", "(?:0x)?"): none of its words is sure
 * to be in what the regex matches. */
static const char *regex_words(kbc_arena *a, const char *re)
{
        char *out = kbc_arena_strdup(a, re);
        for (char *p = out; *p; p++) {
                char *end = p;
                bool alt;
                if (*p == '\\' && p[1])
                        end = p + 1;
                else if (*p == '[' && strchr(p, ']'))
                        end = strchr(p + 1, ']');
                else if (*p == '{' && strchr(p, '}'))
                        end = strchr(p, '}');
                else if (*p == '(' && (end = group_end(p, &alt)) &&
                         (alt || end[1] == '?' || end[1] == '*'))
                        end += end[1] == '?' || end[1] == '*';
                else if (*p == '(' && p[1] == '?')
                        end = p + 1 + (p[2] == ':' || p[2] == 'i');
                else if (!strchr("()|?*+.^$", *p))
                        continue;
                else
                        end = p;
                memset(p, ' ', (size_t)(end - p) + 1);
                p = end;
        }
        return out;
}

static unsigned signal_detail(kbc_arena *a, const kbc_signal *sig)
{
        unsigned d = (sig->provider != NULL) + (sig->nevent_ids > 0);
        if (sig->text)
                d += (unsigned)kbc_text_content_words(sig->text);
        else if (sig->message_src)
                d += (unsigned)kbc_text_content_words(
                    regex_words(a, sig->message_src));
        return d;
}

static void parse_signal(walk *w, kbc_signal *sig, size_t i,
                         const yaml_node_t *n)
{
        char what[NAME_EXCERPT + 16];
        yaml_node_t *v;

        sig->rule = w->rule;
        sig->weight = 1;
        sig->line = kbc_ynode_line(n);
        set_ctx(w, "signal %zu: ", i + 1);
        if (!kbc_ynode_is_map(n)) {
                rep(w, n,
                    "must be a mapping (id, symptom, weight, match), "
                    "got %s",
                    DESC(n));
                return;
        }
        kbc_ydoc_check_keys(w->d, n, "signal", signal_keys);
        snprintf(what, sizeof(what), "signal %zu", i + 1);
        sig->id = req_str(w, n, "id", what);
        if (sig->id) {
                set_ctx(w, "signal '%.*s': ", NAME_EXCERPT, sig->id);
                snprintf(what, sizeof(what), "signal '%.*s'", NAME_EXCERPT,
                         sig->id);
        }
        if ((v = kbc_ydoc_get(w->d, n, "symptom")) &&
            kbc_ynode_bool(v, &sig->symptom)) {
                rep(w, v, "symptom must be true or false, got %s", DESC(v));
                w->bad_symptom = true;
        }
        if ((v = kbc_ydoc_get(w->d, n, "weight"))) {
                if (kbc_ynode_double(v, &sig->weight))
                        rep(w, v, "weight must be a number, got %s", DESC(v));
                else if (!(sig->weight > 0 && sig->weight <= WEIGHT_MAX))
                        rep(w, v, "weight must be > 0 and <= %g, got %s",
                            WEIGHT_MAX, DESC(v));
        }
        if ((v = required(w, n, "match", what)))
                parse_match(w, sig, v);
        sig->detail = signal_detail(w->L->arena, sig);
}

typedef struct id_ref {
        const char *id;
        size_t seq; /* order of appearance: the first one is "first" */
        const void *item;
} id_ref;

static int id_ref_cmp(const void *a, const void *b)
{
        const id_ref *x = a, *y = b;
        int c = strcmp(x->id, y->id);
        if (c)
                return c;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void check_signal_ids(walk *w, const yaml_node_t *seq)
{
        kbc_rule *r = w->rule;
        id_ref *refs = xrealloc(NULL, (r->nsignals + 1) * sizeof(*refs));
        size_t n = 0;

        for (size_t i = 0; i < r->nsignals; i++)
                if (r->signals[i].id)
                        refs[n++] =
                            (id_ref){r->signals[i].id, i, &r->signals[i]};
        qsort(refs, n, sizeof(*refs), id_ref_cmp);
        w->ctx[0] = '\0';
        for (size_t i = 1, first = 0; i < n; i++) {
                if (strcmp(refs[i].id, refs[first].id)) {
                        first = i;
                        continue;
                }
                const kbc_signal *a = refs[first].item, *b = refs[i].item;
                kbc_ydoc_report(w->d, kbc_ydoc_seq_at(w->d, seq, refs[i].seq),
                                "duplicate signal id '%.*s' (first at line "
                                "%d)",
                                NAME_EXCERPT, b->id, a->line);
        }
        free(refs);
}

static void parse_signals(walk *w, const yaml_node_t *seq)
{
        kbc_rule *r = w->rule;
        bool symptom = false;
        size_t n;

        if (!kbc_ynode_is_seq(seq)) {
                rep(w, seq, "signals must be a list, got %s", DESC(seq));
                return;
        }
        n = kbc_ydoc_seq_len(seq);
        if (n == 0) {
                rep(w, seq,
                    "signals is empty (a rule needs at least one "
                    "symptom signal)");
                return;
        }
        r->signals = kbc_arena_alloc(w->L->arena, n * sizeof(*r->signals));
        r->nsignals = n;
        for (size_t i = 0; i < n; i++) {
                kbc_signal *sig = &r->signals[i];
                parse_signal(w, sig, i, kbc_ydoc_seq_at(w->d, seq, i));
                r->max_score += sig->weight;
                symptom |= sig->symptom;
        }
        w->ctx[0] = '\0';
        check_signal_ids(w, seq);
        /* After "symptom: yes" was reported, "no symptom" would only
         * repeat it. */
        if (!symptom && !w->bad_symptom)
                rep(w, seq,
                    "rule '%.*s' has no symptom signal (set symptom: "
                    "true on at least one)",
                    NAME_EXCERPT, r->id ? r->id : "?");
}

static void event_data_one(walk *w, void *ctx, size_t i,
                           const yaml_node_t *name, const yaml_node_t *value)
{
        kbc_event *ev = ctx;
        const char *k = str_value(w, name, "data field name", false);
        const char *v;

        /* "param1:" with nothing after it is an empty insert string. */
        if (kbc_ynode_is_null(value))
                v = "";
        else
                v = str_value(w, value, "data value", true);
        if (k && v) {
                ev->fields[i].name = kbc_str_cstr(k);
                ev->fields[i].value = kbc_str_cstr(v);
        }
}

static kbc_str ev_str(walk *w, const yaml_node_t *map, const char *key,
                      const char *dflt)
{
        const char *s = opt_str(w, map, key, true);
        if (!s && !kbc_ydoc_get(w->d, map, key))
                s = dflt;
        return kbc_str_cstr(s);
}

static void parse_event(walk *w, kbc_event *ev, size_t i, const yaml_node_t *n)
{
        yaml_node_t *v;
        int64_t x;

        ev->time_ms = TEST_TIME_BASE_MS + (int64_t)i * 1000;
        ev->origin.kind = KBC_ORIGIN_INLINE;
        ev->origin.source = w->rule->file;
        ev->origin.position = kbc_ynode_line(n);
        if (!kbc_ynode_is_map(n)) {
                rep(w, n, "event %zu must be a mapping, got %s", i + 1,
                    DESC(n));
                return;
        }
        kbc_ydoc_check_keys(w->d, n, "test event", event_keys);
        size_t len = strlen(w->ctx);
        snprintf(w->ctx + len, sizeof(w->ctx) - len, "event %zu: ", i + 1);
        if ((v = kbc_ydoc_get(w->d, n, "time"))) {
                const char *s = str_value(w, v, "time", false);
                if (s && kbc_time_parse_iso(kbc_str_cstr(s), 0, &ev->time_ms))
                        rep(w, v, "time: bad ISO 8601 time %s", DESC(v));
        }
        ev->host = ev_str(w, n, "host", "TESTHOST");
        ev->provider = ev_str(w, n, "provider", "");
        ev->channel = ev_str(w, n, "channel", "Application");
        ev->level = ev_str(w, n, "level", "");
        ev->message = ev_str(w, n, "message", "");
        if ((v = kbc_ydoc_get(w->d, n, "event_id"))) {
                if (!event_id_value(w, v, &ev->event_id))
                        ev->has_event_id = true;
        }
        if ((v = kbc_ydoc_get(w->d, n, "record_id"))) {
                if (kbc_ynode_int(v, 0, INT64_MAX, &x))
                        rep(w, v, "record_id must be an integer >= 0, got %s",
                            DESC(v));
                else {
                        ev->record_id = (uint64_t)x;
                        ev->has_record_id = true;
                }
        }
        if ((v = kbc_ydoc_get(w->d, n, "data")))
                ev->nfields = walk_data(w, v, true, event_data_one, ev);
        w->ctx[len] = '\0';
}

static void parse_string_list(walk *w, const yaml_node_t *n, const char *what,
                              const char *const **out, size_t *nout)
{
        size_t count = kbc_ydoc_seq_len(n);
        const char **list;
        char item[64];

        if (!kbc_ynode_is_seq(n)) {
                rep(w, n, "%s must be a list of strings, got %s", what,
                    DESC(n));
                return;
        }
        /* One slot even for an empty list: non-NULL means "given". */
        list = kbc_arena_alloc(w->L->arena, (count + 1) * sizeof(*list));
        for (size_t i = 0; i < count; i++) {
                snprintf(item, sizeof(item), "%s item %zu", what, i + 1);
                list[i] =
                    str_value(w, kbc_ydoc_seq_at(w->d, n, i), item, false);
        }
        *out = list;
        *nout = count;
}

static void parse_expect(walk *w, kbc_test_expect *e, const yaml_node_t *n)
{
        yaml_node_t *v, *inc;
        int64_t x;

        e->incidents = -1;
        if (!kbc_ynode_is_map(n)) {
                rep(w, n,
                    "expect must be a mapping (kb, candidates, "
                    "incidents), got %s",
                    DESC(n));
                return;
        }
        kbc_ydoc_check_keys(w->d, n, "expect", expect_keys);
        if (kbc_ydoc_map_len(n) == 0) {
                rep(w, n,
                    "expect has no keys (use kb, top, candidates or "
                    "incidents)");
                return;
        }
        e->kb = opt_str(w, n, "kb", false);
        e->top = opt_str(w, n, "top", false);
        if ((v = kbc_ydoc_get(w->d, n, "candidates")))
                parse_string_list(w, v, "candidates", &e->candidates,
                                  &e->ncandidates);
        if ((inc = kbc_ydoc_get(w->d, n, "incidents"))) {
                if (kbc_ynode_int(inc, 0, INT32_MAX, &x))
                        rep(w, inc,
                            "incidents must be an integer >= 0, got "
                            "%s",
                            DESC(inc));
                else
                        e->incidents = (long)x;
        }
        /* Contradictions that no run can satisfy: say so now. */
        if ((e->kb || e->top) && e->incidents == 0)
                rep(w, inc, "kb or top and incidents: 0 cannot both hold");
        if (e->kb && e->candidates && e->ncandidates > 0 && e->candidates[0] &&
            strcmp(e->candidates[0], e->kb))
                rep(w, v, "kb '%.*s' must be the first of candidates",
                    NAME_EXCERPT, e->kb);
}

static void parse_test(walk *w, kbc_rule_test *t, size_t i,
                       const yaml_node_t *n)
{
        char what[NAME_EXCERPT + 16];
        yaml_node_t *evs, *ex;

        t->line = kbc_ynode_line(n);
        t->expect.incidents = -1;
        snprintf(what, sizeof(what), "test %zu", i + 1);
        t->name = kbc_arena_strdup(w->L->arena, what);
        set_ctx(w, "test %zu: ", i + 1);
        if (!kbc_ynode_is_map(n)) {
                rep(w, n, "must be a mapping (name, events, expect), got %s",
                    DESC(n));
                return;
        }
        kbc_ydoc_check_keys(w->d, n, "test", test_keys);
        if (kbc_ydoc_get(w->d, n, "name")) {
                const char *name = opt_str(w, n, "name", false);
                if (name) {
                        t->name = name;
                        set_ctx(w, "test '%.*s': ", NAME_EXCERPT, name);
                        snprintf(what, sizeof(what), "test '%.*s'",
                                 NAME_EXCERPT, name);
                }
        }
        if ((evs = required(w, n, "events", what))) {
                size_t count = kbc_ydoc_seq_len(evs);
                if (!kbc_ynode_is_seq(evs))
                        rep(w, evs, "events must be a list, got %s", DESC(evs));
                else if (count == 0)
                        rep(w, evs, "events is empty");
                else if (count > TEST_EVENTS_MAX - w->nevents)
                        rep(w, evs, "more than %d test events in one file",
                            TEST_EVENTS_MAX);
                else {
                        w->nevents += count;
                        t->events = kbc_arena_alloc(w->L->arena,
                                                    count * sizeof(*t->events));
                        t->nevents = count;
                        for (size_t j = 0; j < count; j++)
                                parse_event(w, &t->events[j], j,
                                            kbc_ydoc_seq_at(w->d, evs, j));
                }
        }
        if ((ex = required(w, n, "expect", what)))
                parse_expect(w, &t->expect, ex);
}

static void parse_tests(walk *w, const yaml_node_t *seq)
{
        kbc_rule *r = w->rule;
        size_t n = kbc_ydoc_seq_len(seq);

        if (!kbc_ynode_is_seq(seq)) {
                rep(w, seq, "tests must be a list, got %s", DESC(seq));
                return;
        }
        r->tests = kbc_arena_alloc(w->L->arena, (n + 1) * sizeof(*r->tests));
        r->ntests = n;
        for (size_t i = 0; i < n; i++)
                parse_test(w, &r->tests[i], i, kbc_ydoc_seq_at(w->d, seq, i));
        w->ctx[0] = '\0';
}

static const struct {
        const char *name;
        int value;
} severities[] = {
    {"low", KBC_SEVERITY_LOW},
    {"medium", KBC_SEVERITY_MEDIUM},
    {"high", KBC_SEVERITY_HIGH},
    {"critical", KBC_SEVERITY_CRITICAL},
};

static void parse_severity(walk *w, const yaml_node_t *map)
{
        yaml_node_t *v = kbc_ydoc_get(w->d, map, "severity");
        const char *s;

        w->rule->severity = KBC_SEVERITY_MEDIUM;
        if (!v || !(s = str_value(w, v, "severity", false)))
                return;
        for (size_t i = 0; i < sizeof(severities) / sizeof(severities[0]);
             i++) {
                if (!strcmp(s, severities[i].name)) {
                        w->rule->severity = severities[i].value;
                        return;
                }
        }
        rep(w, v, "severity must be low, medium, high or critical, got %s",
            DESC(v));
}

static void parse_window(walk *w, const yaml_node_t *map)
{
        yaml_node_t *v = kbc_ydoc_get(w->d, map, "window");
        const char *s;
        int64_t ms;

        w->rule->window_ms = WINDOW_DEFAULT_MS;
        if (!v || !(s = str_value(w, v, "window", false)))
                return;
        if (kbc_duration_parse(s, &ms))
                rep(w, v,
                    "window: bad duration %s (use e.g. 500ms, 30s, 10m, "
                    "2h, 1d or 1h30m)",
                    DESC(v));
        else if (ms <= 0)
                rep(w, v, "window must be longer than 0, got %s", DESC(v));
        else if (ms > WINDOW_MAX_MS)
                rep(w, v, "window must be at most 30d, got %s", DESC(v));
        else
                w->rule->window_ms = ms;
}

/* https://support.microsoft.com/kb/<the digits of the id>, when the id
 * has digits (Q247773 -> 247773). */
static const char *default_reference(kbc_arena *a, const char *id)
{
        static const char prefix[] = "https://support.microsoft.com/kb/";
        size_t n = 0, len = strlen(id);
        char *ref;

        for (size_t i = 0; i < len; i++)
                n += id[i] >= '0' && id[i] <= '9';
        if (n == 0)
                return NULL;
        ref = kbc_arena_alloc(a, sizeof(prefix) + n);
        memcpy(ref, prefix, sizeof(prefix) - 1);
        n = sizeof(prefix) - 1;
        for (size_t i = 0; i < len; i++)
                if (id[i] >= '0' && id[i] <= '9')
                        ref[n++] = id[i];
        ref[n] = '\0';
        return ref;
}

static void add_rule(loader *L, kbc_rule *r)
{
        if (L->nrules == L->cap) {
                L->cap = L->cap ? L->cap * 2 : 64;
                L->rules = xrealloc(L->rules, L->cap * sizeof(*L->rules));
        }
        r->layer = L->layer;
        L->rules[L->nrules++] = r;
}

static void parse_rule(walk *w, const yaml_node_t *root)
{
        kbc_rule *r = w->rule;
        yaml_node_t *v;

        if (!kbc_ynode_is_map(root)) {
                rep(w, root,
                    "expected a rule (a mapping with id, title, "
                    "cause, resolution, signals), got %s",
                    DESC(root));
                return;
        }
        kbc_ydoc_check_keys(w->d, root, "rule", rule_keys);
        r->line = kbc_ynode_line(root);
        if ((v = required(w, root, "id", "rule"))) {
                r->id = str_value(w, v, "id", false);
                r->line = kbc_ynode_line(v);
        }
        r->title = req_str(w, root, "title", "rule");
        if ((v = kbc_ydoc_get(w->d, root, "products")))
                parse_string_list(w, v, "products", &r->products,
                                  &r->nproducts);
        r->reference = opt_str(w, root, "reference", false);
        if (!r->reference && !kbc_ydoc_get(w->d, root, "reference") && r->id)
                r->reference = default_reference(w->L->arena, r->id);
        parse_severity(w, root);
        parse_window(w, root);
        r->cause = req_str(w, root, "cause", "rule");
        r->resolution = req_str(w, root, "resolution", "rule");
        if ((v = required(w, root, "signals", "rule")))
                parse_signals(w, v);
        if ((v = kbc_ydoc_get(w->d, root, "tests")))
                parse_tests(w, v);
}

static void load_file(loader *L, const char *path)
{
        kbc_ydoc d;
        walk w = {.L = L, .d = &d};

        kbc_ydiag_hold(&L->diag);
        if (kbc_ydoc_load_file(&d, path, &L->diag) == 0) {
                /* Registered before parsing: its patterns are freed with
                 * the others whatever happens. */
                w.rule = kbc_arena_alloc(L->arena, sizeof(*w.rule));
                w.rule->file = kbc_arena_strdup(L->arena, path);
                add_rule(L, w.rule);
                parse_rule(&w, kbc_ydoc_root(&d));
        }
        kbc_ydoc_free(&d);
        kbc_ydiag_flush(&L->diag);
}

bool kbc_rule_file_name(const char *name)
{
        size_t n = strlen(name);
        return (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
               (n > 4 && !strcmp(name + n - 4, ".yml"));
}

/* One --rules path being walked. */
typedef struct rule_walk {
        loader *L;
        size_t nfiles;  /* rule files loaded */
        bool root_gone; /* the path itself cannot be opened */
} rule_walk;

static int rule_file_found(void *opaque, const kbc_walk_entry *e)
{
        rule_walk *rw = opaque;

        /* Named on purpose: loaded whatever its extension. In a folder,
         * only regular *.yaml and *.yml files. */
        if (e->depth == 0 ||
            (S_ISREG(e->st->st_mode) && kbc_rule_file_name(e->name))) {
                load_file(rw->L, e->path);
                rw->nfiles++;
        }
        return 0;
}

static void rule_walk_problem(void *opaque, const kbc_walk_entry *e,
                              kbc_walk_err what, int err)
{
        rule_walk *rw = opaque;
        bool open = what == KBC_WALK_STAT || what == KBC_WALK_LIST;

        if (what == KBC_WALK_STAT && e->depth == 0)
                rw->root_gone = true;
        /* A dangling link named *.yaml is a problem; anything else
         * unreadable in a folder is not ours. */
        else if (what == KBC_WALK_STAT && !kbc_rule_file_name(e->name))
                return;
        kbc_ydiag_report(&rw->L->diag, e->path, 0, "%s%s",
                         open ? "cannot open: " : "",
                         kbc_walk_strerror(what, err));
}

/* The rules of a folder's fresh bundle, as if its files had been parsed
 * (in the same order); false, after a note saying why when there was a
 * bundle, to read the YAML instead. */
static bool load_bundle(loader *L, const char *path)
{
        char why[512], note[4800];
        kbc_rule *rules;
        size_t n;
        struct stat st;

        if (L->opts->no_bundle || stat(path, &st) || !S_ISDIR(st.st_mode))
                return false;
        kbc_bundle_state s =
            bundle_read(path, L->arena, &rules, &n, why, sizeof(why));
        if (s == KBC_BUNDLE_FRESH) {
                for (size_t i = 0; i < n; i++)
                        add_rule(L, &rules[i]);
                L->bundled += n;
                return true;
        }
        if (s != KBC_BUNDLE_NONE && L->opts->note) {
                snprintf(note, sizeof(note),
                         "%s/%s: not used, reading the YAML: %s%s%s", path,
                         KBC_BUNDLE_NAME,
                         s == KBC_BUNDLE_STALE ? "stale: " : "", why,
                         s == KBC_BUNDLE_STALE ? " (kbcorr bundle refreshes it)"
                                               : "");
                L->opts->note(L->opts->opaque, note);
        }
        return false;
}

static void load_path(loader *L, const char *path)
{
        rule_walk rw = {.L = L};
        kbc_walk_ops ops = {rule_file_found, rule_walk_problem, &rw};

        if (load_bundle(L, path))
                return;
        kbc_walk(path, &ops);
        if (!rw.nfiles && !rw.root_gone)
                kbc_ydiag_report(&L->diag, path, 0,
                                 "no rule files (*.yaml, *.yml) in this "
                                 "folder");
}

static void free_rule_patterns(const kbc_rule *r);

/* One id, one rule. Within one --rules path a second definition is an
 * error; a later path's rule replaces an earlier path's (curated rules
 * listed after the compiled corpus win), and the earlier is dropped. */
static void check_rule_ids(loader *L)
{
        id_ref *refs = xrealloc(NULL, (L->nrules + 1) * sizeof(*refs));
        size_t n = 0;

        for (size_t i = 0; i < L->nrules; i++)
                if (L->rules[i]->id)
                        refs[n++] = (id_ref){L->rules[i]->id, i, L->rules[i]};
        qsort(refs, n, sizeof(*refs), id_ref_cmp);
        for (size_t i = 1, first = 0; i < n; i++) {
                if (strcmp(refs[i].id, refs[first].id)) {
                        first = i;
                        continue;
                }
                kbc_rule *a = (kbc_rule *)refs[i - 1].item;
                const kbc_rule *b = refs[i].item;
                if (a->layer == b->layer) {
                        kbc_ydiag_report(&L->diag, b->file, b->line,
                                         "duplicate rule id '%.*s' (also "
                                         "defined at %s:%d)",
                                         NAME_EXCERPT, b->id, a->file, a->line);
                        continue;
                }
                a->overridden = true; /* b came from a later path */
        }
        free(refs);
        size_t kept = 0;
        for (size_t i = 0; i < L->nrules; i++) {
                if (!L->rules[i]->overridden) {
                        L->rules[kept++] = L->rules[i];
                        continue;
                }
                free_rule_patterns(L->rules[i]);
                L->overridden++;
        }
        L->nrules = kept;
}

static void free_rule_patterns(const kbc_rule *r)
{
        for (size_t i = 0; i < r->nsignals; i++) {
                const kbc_signal *s = &r->signals[i];
                pcre2_code_free(s->message);
                for (size_t j = 0; j < s->ndata; j++)
                        pcre2_code_free(s->data[j].re);
        }
}

static int rule_ptr_cmp(const void *a, const void *b)
{
        const kbc_rule *x = *(const kbc_rule *const *)a;
        const kbc_rule *y = *(const kbc_rule *const *)b;
        return strcmp(x->id, y->id);
}

/* Moves the parsed rules into one array sorted by id, which the matcher
 * and the incident writer index by rule->index. */
static void build_set(loader *L, kbc_ruleset *rs)
{
        if (L->nrules)
                qsort(L->rules, L->nrules, sizeof(*L->rules), rule_ptr_cmp);
        rs->rules =
            kbc_arena_alloc(L->arena, (L->nrules + 1) * sizeof(*rs->rules));
        rs->nrules = L->nrules;
        for (size_t i = 0; i < L->nrules; i++) {
                kbc_rule *r = &rs->rules[i];
                *r = *L->rules[i];
                r->index = i;
                for (size_t j = 0; j < r->nsignals; j++)
                        r->signals[j].rule = r;
                if (r->window_ms > rs->max_window_ms)
                        rs->max_window_ms = r->window_ms;
        }
}

kbc_ruleset *kbc_ruleset_load(const char *const *paths, size_t npaths,
                              kbc_diag_fn *diag, void *opaque)
{
        kbc_ruleset_opts o = {.diag = diag, .opaque = opaque};
        return kbc_ruleset_load_with(paths, npaths, &o);
}

/* A signal's key for signal_df_set: what it matches, the provider and
 * pattern without case (the corpus quotes one message in several cases),
 * its event ids. Two signals of one key match the same events. */
typedef struct df_key {
        uint64_t hash;
        uint32_t rule;
        kbc_signal *sig;
} df_key;

static int df_key_order(const void *a, const void *b)
{
        const df_key *x = a, *y = b;
        if (x->hash != y->hash)
                return x->hash < y->hash ? -1 : 1;
        return (x->rule > y->rule) - (x->rule < y->rule);
}

/* Sets every signal's df: the number of rules (not overridden) with a
 * signal of the same key, 1 for a signal no other article has. Once per
 * load, not per engine: the compiler's check runs an engine per rule.
 * False when out of memory. */
static bool signal_df_set(kbc_ruleset *rs)
{
        size_t total = 0;
        for (size_t r = 0; r < rs->nrules; r++)
                total += rs->rules[r].nsignals;
        df_key *k = malloc((total + 1) * sizeof(*k));
        if (!k)
                return false;
        size_t n = 0;
        for (size_t r = 0; r < rs->nrules; r++) {
                kbc_rule *rule = &rs->rules[r];
                for (size_t m = 0; m < rule->nsignals; m++) {
                        kbc_signal *s = &rule->signals[m];
                        s->df = 1;
                        if (rule->overridden)
                                continue;
                        const char *p = s->provider ? s->provider : "";
                        const char *t = s->message_src ? s->message_src : "";
                        uint64_t h = kbc_fnv64_lower(KBC_FNV64_INIT, p,
                                                     strlen(p) + 1);
                        h = kbc_fnv64_lower(h, t, strlen(t) + 1);
                        h = kbc_fnv64(h, s->event_ids,
                                      s->nevent_ids * sizeof(*s->event_ids));
                        k[n++] = (df_key){h, (uint32_t)r, s};
                }
        }
        qsort(k, n, sizeof(*k), df_key_order);
        for (size_t i = 0; i < n;) {
                size_t j = i;
                uint32_t rules = 0;
                for (; j < n && k[j].hash == k[i].hash; j++)
                        if (j == i || k[j].rule != k[j - 1].rule)
                                rules++;
                for (size_t m = i; m < j; m++)
                        k[m].sig->df = rules;
                i = j;
        }
        free(k);
        return true;
}

kbc_ruleset *kbc_ruleset_load_with(const char *const *paths, size_t npaths,
                                   const kbc_ruleset_opts *opts)
{
        loader L = {.diag = {.fn = opts->diag, .opaque = opts->opaque},
                    .opts = opts};
        kbc_ruleset *rs = NULL;

        L.arena = kbc_arena_new();
        for (L.layer = 0; L.layer < npaths; L.layer++)
                load_path(&L, paths[L.layer]);
        check_rule_ids(&L);
        if (L.diag.count)
                goto out;

        rs = kbc_arena_alloc(L.arena, sizeof(*rs));
        rs->arena = L.arena;
        rs->noverridden = L.overridden;
        rs->nbundled = L.bundled;
        build_set(&L, rs);
        rs->index = kbc_signal_index_build(rs);
        if (!rs->index || !signal_df_set(rs)) {
                kbc_ydiag_report(&L.diag, "rule set", 0,
                                 "cannot build the signal index");
                kbc_ruleset_free(rs);
                rs = NULL;
        }
        L.arena = NULL; /* owned by rs, or freed with it */
out:
        if (L.arena) {
                for (size_t i = 0; i < L.nrules; i++)
                        free_rule_patterns(L.rules[i]);
                kbc_arena_free(L.arena);
        }
        free(L.rules);
        return rs;
}

void kbc_ruleset_free(kbc_ruleset *rs)
{
        if (!rs)
                return;
        for (size_t i = 0; i < rs->nrules; i++)
                free_rule_patterns(&rs->rules[i]);
        if (rs->index)
                kbc_signal_index_free(rs->index);
        kbc_arena_free(rs->arena); /* rs itself lives in it */
}

size_t kbc_ruleset_bundled(const kbc_ruleset *rs)
{
        return rs ? rs->nbundled : 0;
}

size_t kbc_ruleset_overridden(const kbc_ruleset *rs)
{
        return rs->noverridden;
}

size_t kbc_ruleset_count(const kbc_ruleset *rs)
{
        return rs ? rs->nrules : 0;
}

const kbc_rule *kbc_ruleset_rule(const kbc_ruleset *rs, size_t i)
{
        return rs && i < rs->nrules ? &rs->rules[i] : NULL;
}
