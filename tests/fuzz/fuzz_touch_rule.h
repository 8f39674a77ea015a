/*
 * fuzz_touch_rule.h - reads every field of a loaded rule end to end, and
 * runs its test events through a matcher, so AddressSanitizer sees any
 * field that points at freed or foreign memory (fuzz_rule_load.c,
 * fuzz_bundle_read.c: whatever a loader made, the rest must be able to
 * read).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_hash.h"
#include "rule_internal.h"

/* Where the hashes go; external, so no compiler may drop the reads. */
volatile uint64_t fuzz_sink;

static uint64_t touch(uint64_t h, const char *s)
{
        return s ? kbc_fnv64(h, s, strlen(s)) : h;
}

static uint64_t touch_str(uint64_t h, kbc_str s)
{
        if (s.len > 0 && !s.ptr)
                abort();
        return kbc_fnv64(h, s.ptr, s.len);
}

static uint64_t touch_rule(const kbc_rule *r, kbc_matcher *m)
{
        uint64_t h = KBC_FNV64_INIT;
        h = touch(h, r->id);
        h = touch(h, r->title);
        h = touch(h, r->reference);
        h = touch(h, r->cause);
        h = touch(h, r->resolution);
        for (size_t i = 0; i < r->nproducts; i++)
                h = touch(h, r->products[i]);
        for (size_t i = 0; i < r->nsignals; i++) {
                const kbc_signal *s = &r->signals[i];
                if (s->rule != r || !s->id || !(s->weight > 0))
                        abort();
                h = touch(h, s->provider);
                for (size_t j = 0; j < s->nchannels; j++)
                        h = touch(h, s->channels[j]);
                h = touch(h, s->message_src);
                h = kbc_fnv64(h, s->event_ids,
                              s->nevent_ids * sizeof(*s->event_ids));
                for (size_t j = 0; j < s->ndata; j++)
                        h = touch(h, s->data[j].name);
        }
        for (size_t i = 0; i < r->ntests; i++) {
                const kbc_rule_test *t = &r->tests[i];
                h = touch(h, t->name);
                h = touch(h, t->expect.kb);
                for (size_t j = 0; j < t->expect.ncandidates; j++)
                        h = touch(h, t->expect.candidates[j]);
                for (size_t j = 0; j < t->nevents; j++) {
                        const kbc_event *e = &t->events[j];
                        const kbc_signal *hits[16];
                        h = touch_str(h, e->host);
                        h = touch_str(h, e->channel);
                        h = touch_str(h, e->provider);
                        h = touch_str(h, e->level);
                        h = touch_str(h, e->message);
                        if (e->nfields > KBC_EVENT_MAX_FIELDS)
                                abort();
                        for (size_t k = 0; k < e->nfields; k++) {
                                h = touch_str(h, e->fields[k].name);
                                h = touch_str(h, e->fields[k].value);
                        }
                        if (m)
                                h += kbc_match(m, e, hits, 16);
                }
        }
        return h;
}

/* Every rule of rs, its test events through a matcher of its own. */
static void touch_ruleset(const kbc_ruleset *rs)
{
        kbc_matcher *m = kbc_matcher_new(rs);
        for (size_t i = 0; i < kbc_ruleset_count(rs); i++)
                fuzz_sink ^= touch_rule(kbc_ruleset_rule(rs, i), m);
        kbc_matcher_free(m);
}
