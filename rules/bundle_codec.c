/*
 * bundle_codec.c - one rule as a bundle records it: every field the
 * loader (rule_load.c) makes of a rule file, derived ones included (the
 * regex of a `text:` phrase, a signal's detail, the default reference),
 * so that reading it back gives the rule the YAML gives, field for field.
 * Writer and reader sit side by side, in the same order, so they change
 * together; a change here is a change of the loader's fingerprint, which
 * makes old bundles stale.
 *
 * Compiled patterns are not recorded: a bundled signal has its pattern's
 * source only, and the matcher compiles what it runs (match.c). So the
 * reader never hands PCRE2 bytes it cannot check, and the thousands of
 * patterns that no event ever reaches are never compiled.
 *
 * The reader checks what the rest of the engine relies on without
 * checking again (present ids and texts, counts within the caps, weights
 * and windows in range), so a damaged or crafted bundle is refused, not
 * trusted.
 */
#include <string.h>

#include "bundle_internal.h"

#define WEIGHT_MAX    100.0
#define WINDOW_MAX_MS ((int64_t)30 * 24 * 3600 * 1000)

static void put_list(kbc_buf *b, const char *const *v, size_t n)
{
        if (!v) {
                kbc_bin_put_u32(b, KBC_BIN_ABSENT);
                return;
        }
        kbc_bin_put_u32(b, (uint32_t)n);
        for (size_t i = 0; i < n; i++)
                kbc_bin_put_str(b, v[i]);
}

static void put_event(kbc_buf *b, const kbc_event *e)
{
        kbc_bin_put_u64(b, (uint64_t)e->time_ms);
        kbc_bin_put_str(b, e->host.ptr);
        kbc_bin_put_str(b, e->channel.ptr);
        kbc_bin_put_str(b, e->provider.ptr);
        kbc_bin_put_str(b, e->level.ptr);
        kbc_bin_put_str(b, e->message.ptr);
        kbc_bin_put_u8(b, e->has_event_id);
        kbc_bin_put_u32(b, e->event_id);
        kbc_bin_put_u8(b, e->has_record_id);
        kbc_bin_put_u64(b, e->record_id);
        kbc_bin_put_u64(b, (uint64_t)e->origin.position);
        kbc_bin_put_u32(b, (uint32_t)e->nfields);
        for (size_t i = 0; i < e->nfields; i++) {
                kbc_bin_put_str(b, e->fields[i].name.ptr);
                kbc_bin_put_str(b, e->fields[i].value.ptr);
        }
}

static void put_test(kbc_buf *b, const kbc_rule_test *t)
{
        kbc_bin_put_str(b, t->name);
        kbc_bin_put_u32(b, (uint32_t)t->line);
        kbc_bin_put_u32(b, (uint32_t)t->nevents);
        for (size_t i = 0; i < t->nevents; i++)
                put_event(b, &t->events[i]);
        kbc_bin_put_str(b, t->expect.kb);
        kbc_bin_put_str(b, t->expect.top);
        put_list(b, t->expect.candidates, t->expect.ncandidates);
        kbc_bin_put_u64(b, (uint64_t)(int64_t)t->expect.incidents);
}

static void put_signal(kbc_buf *b, const kbc_signal *s)
{
        kbc_bin_put_str(b, s->id);
        kbc_bin_put_f64(b, s->weight);
        kbc_bin_put_u8(b, s->symptom);
        kbc_bin_put_u32(b, (uint32_t)s->line);
        put_list(b, s->providers, s->nproviders);
        put_list(b, s->channels, s->nchannels);
        kbc_bin_put_u32(b, (uint32_t)s->nevent_ids);
        for (size_t i = 0; i < s->nevent_ids; i++)
                kbc_bin_put_u32(b, s->event_ids[i]);
        kbc_bin_put_u8(b, s->problem);
        kbc_bin_put_str(b, s->message_src);
        kbc_bin_put_str(b, s->text);
        kbc_bin_put_u32(b, (uint32_t)s->ndata);
        for (size_t i = 0; i < s->ndata; i++) {
                kbc_bin_put_str(b, s->data[i].name);
                kbc_bin_put_str(b, s->data[i].src);
        }
        kbc_bin_put_u32(b, s->detail);
}

void bundle_put_rule(kbc_buf *b, const kbc_rule *r)
{
        kbc_bin_put_str(b, r->id);
        kbc_bin_put_str(b, r->title);
        kbc_bin_put_str(b, r->reference);
        kbc_bin_put_str(b, r->cause);
        kbc_bin_put_str(b, r->resolution);
        put_list(b, r->products, r->nproducts);
        kbc_bin_put_u32(b, (uint32_t)r->line);
        kbc_bin_put_u32(b, (uint32_t)r->severity);
        kbc_bin_put_u64(b, (uint64_t)r->window_ms);
        kbc_bin_put_f64(b, r->max_score);
        kbc_bin_put_u32(b, (uint32_t)r->nsignals);
        for (size_t i = 0; i < r->nsignals; i++)
                put_signal(b, &r->signals[i]);
        kbc_bin_put_u32(b, r->tests ? (uint32_t)r->ntests : KBC_BIN_ABSENT);
        for (size_t i = 0; i < r->ntests; i++)
                put_test(b, &r->tests[i]);
}

/* Reading. Every get_* leaves r bad rather than return what the loader
 * could not have made. */

/* A string copied into the arena; NULL when absent, which is bad unless
 * optional. */
static const char *get_str(kbc_bin_reader *r, kbc_arena *a, bool optional)
{
        const char *p;
        size_t n;
        if (!kbc_bin_get_str(r, &p, &n)) {
                if (!optional)
                        kbc_bin_fail(r, "a required string is absent");
                return NULL;
        }
        return kbc_arena_strndup(a, p, n);
}

static kbc_str get_view(kbc_bin_reader *r, kbc_arena *a)
{
        return kbc_str_cstr(get_str(r, a, false));
}

/* A list of present strings, with the YAML loader's one spare slot
 * (non-NULL means given, even when empty). */
static const char *const *get_list(kbc_bin_reader *r, kbc_arena *a, size_t *n)
{
        bool absent;
        *n = kbc_bin_get_count(r, 4, &absent);
        if (absent || r->bad)
                return NULL;
        const char **v = kbc_arena_alloc(a, (*n + 1) * sizeof(*v));
        for (size_t i = 0; i < *n && !r->bad; i++)
                v[i] = get_str(r, a, false);
        return v;
}

/* A line number as the loader counts them: 1 or more. */
static int get_line(kbc_bin_reader *r)
{
        uint32_t v = kbc_bin_get_u32(r);
        if (v < 1 || v > INT32_MAX)
                kbc_bin_fail(r, "a line number out of range");
        return (int)v;
}

static void get_event(kbc_bin_reader *r, kbc_arena *a, kbc_event *e,
                      const char *file)
{
        e->time_ms = (int64_t)kbc_bin_get_u64(r);
        e->host = get_view(r, a);
        e->channel = get_view(r, a);
        e->provider = get_view(r, a);
        e->level = get_view(r, a);
        e->message = get_view(r, a);
        e->has_event_id = kbc_bin_get_bool(r);
        e->event_id = kbc_bin_get_u32(r);
        e->has_record_id = kbc_bin_get_bool(r);
        e->record_id = kbc_bin_get_u64(r);
        e->origin.kind = KBC_ORIGIN_INLINE;
        e->origin.source = file;
        e->origin.position = (int64_t)kbc_bin_get_u64(r);
        e->nfields = kbc_bin_get_count(r, 8, NULL);
        if (e->nfields > KBC_EVENT_MAX_FIELDS) {
                kbc_bin_fail(r, "an event with too many fields");
                e->nfields = 0;
        }
        for (size_t i = 0; i < e->nfields && !r->bad; i++) {
                e->fields[i].name = get_view(r, a);
                e->fields[i].value = get_view(r, a);
        }
}

static void get_test(kbc_bin_reader *r, kbc_arena *a, kbc_rule_test *t,
                     const char *file, size_t *nevents)
{
        t->name = get_str(r, a, false);
        t->line = get_line(r);
        t->nevents = kbc_bin_get_count(r, 48, NULL);
        /* the loader's cap on test events in one file */
        if (t->nevents == 0 || t->nevents > 1000 - *nevents) {
                kbc_bin_fail(r, "a test with no events or too many");
                t->nevents = 0;
        }
        *nevents += t->nevents;
        if (t->nevents)
                t->events = kbc_arena_alloc(a, t->nevents * sizeof(*t->events));
        for (size_t i = 0; i < t->nevents && !r->bad; i++)
                get_event(r, a, &t->events[i], file);
        t->expect.kb = get_str(r, a, true);
        t->expect.top = get_str(r, a, true);
        t->expect.candidates = get_list(r, a, &t->expect.ncandidates);
        int64_t incidents = (int64_t)kbc_bin_get_u64(r);
        if (incidents < -1 || incidents > INT32_MAX)
                kbc_bin_fail(r, "an expected incident count out of range");
        t->expect.incidents = (long)incidents;
}

static void get_data(kbc_bin_reader *r, kbc_arena *a, kbc_signal *s)
{
        s->ndata = kbc_bin_get_count(r, 8, NULL);
        if (s->ndata > KBC_EVENT_MAX_FIELDS) {
                kbc_bin_fail(r, "a signal with too many data fields");
                s->ndata = 0;
        }
        if (!s->ndata)
                return;
        kbc_data_match *dm = kbc_arena_alloc(a, s->ndata * sizeof(*dm));
        for (size_t i = 0; i < s->ndata && !r->bad; i++) {
                dm[i].name = get_str(r, a, false);
                dm[i].src = get_str(r, a, false);
        }
        s->data = dm;
}

static void get_signal(kbc_bin_reader *r, kbc_arena *a, kbc_signal *s,
                       const kbc_rule *rule)
{
        s->rule = rule;
        s->id = get_str(r, a, false);
        s->weight = kbc_bin_get_f64(r);
        if (!(s->weight > 0 && s->weight <= WEIGHT_MAX))
                kbc_bin_fail(r, "a signal weight out of range");
        s->symptom = kbc_bin_get_bool(r);
        s->line = get_line(r);
        s->providers = get_list(r, a, &s->nproviders);
        s->provider = s->nproviders ? s->providers[0] : NULL;
        s->channels = get_list(r, a, &s->nchannels);
        s->nevent_ids = kbc_bin_get_count(r, 4, NULL);
        if (s->nevent_ids) {
                uint32_t *ids =
                    kbc_arena_alloc(a, s->nevent_ids * sizeof(*ids));
                for (size_t i = 0; i < s->nevent_ids; i++)
                        ids[i] = kbc_bin_get_u32(r);
                s->event_ids = ids;
        }
        s->problem = kbc_bin_get_bool(r);
        s->message_src = get_str(r, a, true);
        s->text = get_str(r, a, true);
        if (s->text && !s->message_src)
                kbc_bin_fail(r, "a text signal without its pattern");
        get_data(r, a, s);
        s->detail = kbc_bin_get_u32(r);
}

void bundle_get_rule(kbc_bin_reader *r, kbc_arena *a, kbc_rule *rule,
                     const char *file)
{
        bool absent, symptom = false;

        rule->file = file;
        rule->id = get_str(r, a, false);
        rule->title = get_str(r, a, false);
        rule->reference = get_str(r, a, true);
        rule->cause = get_str(r, a, false);
        rule->resolution = get_str(r, a, false);
        rule->products = get_list(r, a, &rule->nproducts);
        rule->line = get_line(r);
        rule->severity = (int)kbc_bin_get_u32(r);
        if (rule->severity != KBC_SEVERITY_LOW &&
            rule->severity != KBC_SEVERITY_MEDIUM &&
            rule->severity != KBC_SEVERITY_HIGH &&
            rule->severity != KBC_SEVERITY_CRITICAL)
                kbc_bin_fail(r, "an unknown severity");
        rule->window_ms = (int64_t)kbc_bin_get_u64(r);
        if (rule->window_ms <= 0 || rule->window_ms > WINDOW_MAX_MS)
                kbc_bin_fail(r, "a window out of range");
        rule->max_score = kbc_bin_get_f64(r);
        rule->nsignals = kbc_bin_get_count(r, 40, NULL);
        if (!rule->nsignals)
                kbc_bin_fail(r, "a rule without signals");
        rule->signals =
            kbc_arena_alloc(a, (rule->nsignals + 1) * sizeof(*rule->signals));
        for (size_t i = 0; i < rule->nsignals && !r->bad; i++) {
                get_signal(r, a, &rule->signals[i], rule);
                symptom |= rule->signals[i].symptom;
        }
        if (!symptom)
                kbc_bin_fail(r, "a rule without a symptom signal");
        rule->ntests = kbc_bin_get_count(r, 16, &absent);
        if (!absent && !r->bad)
                rule->tests = kbc_arena_alloc(a, (rule->ntests + 1) *
                                                     sizeof(*rule->tests));
        for (size_t i = 0, nevents = 0; i < rule->ntests && !r->bad; i++)
                get_test(r, a, &rule->tests[i], file, &nevents);
}
