/*
 * fuzz_rule_load.c - libFuzzer target for the rule loader.
 *
 * Each input is written to one temporary file and loaded as a rule set, so
 * the whole path runs: reading, libyaml, the schema walk, every regex
 * compile, kbc_text_to_regex and the signal index. Every problem message
 * is checked to be one line that starts with the file name (the format the
 * loader promises); a set that loads has every string read end to end and
 * its test events run through the matcher, so AddressSanitizer sees any
 * field that points at freed or foreign memory.
 *
 * Build: CC=clang cmake -S . -B build-fuzzr -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 *        cmake --build build-fuzzr --target fuzz_rule_load
 * Run:   build-fuzzr/tests/fuzz_rule_load CORPUS_DIR -max_total_time=120
 *        (seed CORPUS_DIR with tests/data/rules_ok and rules/curated)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbc_hash.h"
#include "rule_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the hashes go; external, so no compiler may drop the reads. */
volatile uint64_t fuzz_sink;

static char path[64];

static void cleanup(void)
{
        unlink(path);
}

static void check_diag(void *opaque, const char *msg)
{
        (void)opaque;
        size_t n = strlen(path);
        if (strncmp(msg, path, n) || (msg[n] != ':') || strchr(msg, '\n'))
                abort(); /* not "file:line: what" on one line */
        fuzz_sink ^= kbc_fnv64(KBC_FNV64_INIT, msg, strlen(msg));
}

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!path[0]) {
                const char *dir = getenv("TMPDIR");
                snprintf(path, sizeof(path), "%s/kbc-fuzz-XXXXXX.yaml",
                         dir && strlen(dir) < 32 ? dir : "/tmp");
                int fd = mkstemps(path, 5);
                if (fd < 0)
                        abort();
                close(fd);
                atexit(cleanup);
        }
        FILE *f = fopen(path, "wb");
        if (!f)
                abort();
        if (size && fwrite(data, 1, size, f) != size)
                abort();
        fclose(f);

        const char *paths[] = {path};
        kbc_ruleset *rs = kbc_ruleset_load(paths, 1, check_diag, NULL);
        if (!rs)
                return 0;
        kbc_matcher *m = kbc_matcher_new(rs);
        for (size_t i = 0; i < kbc_ruleset_count(rs); i++)
                fuzz_sink ^= touch_rule(kbc_ruleset_rule(rs, i), m);
        kbc_matcher_free(m);
        kbc_ruleset_free(rs);
        return 0;
}
