/*
 * test_handoff.c - correlation on its own thread (rules/handoff.h, the
 * pipeline's threaded mode that `kbcorr replay` uses on two cores): an
 * event copy outlives the buffers it was decoded from, and a threaded
 * pipeline, decoding on two threads, raises the same incidents, reports
 * the same bad messages and counts the same as a plain one, in the same
 * order, through many turns of the ring.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_buf.h"
#include "kbc_decode.h"
#include "kbc_event.h"
#include "kbc_pipeline.h"
#include "kbc_rules.h"
#include "kbc_time.h"

static void copy_outlives_its_source(void **state)
{
        (void)state;
        char host[] = "HOST-1", msg[] = "The service terminated.",
             name[] = "param1", value[] = "Spooler", path[] = "in.jsonl";
        kbc_event src, dst;
        kbc_event_reset(&src);
        src.host = kbc_str_cstr(host);
        src.message = kbc_str_cstr(msg);
        src.event_id = 7034;
        src.has_event_id = true;
        src.nfields = 1;
        src.fields[0] = (kbc_field){kbc_str_cstr(name), kbc_str_cstr(value)};
        src.origin = (kbc_origin){
            .kind = KBC_ORIGIN_FILE, .source = path, .position = 12};
        kbc_buf store;
        kbc_buf_init(&store, 1 << 20);
        assert_int_equal(kbc_event_copy(&dst, &src, &store), 0);
        memset(host, 'x', sizeof(host) - 1);
        memset(msg, 'x', sizeof(msg) - 1);
        memset(value, 'x', sizeof(value) - 1);
        memset(path, 'x', sizeof(path) - 1);
        assert_int_equal(dst.host.len, 6);
        assert_memory_equal(dst.host.ptr, "HOST-1", 6);
        assert_string_equal(dst.message.ptr, "The service terminated.");
        assert_string_equal(dst.fields[0].value.ptr, "Spooler");
        assert_string_equal(dst.origin.source, "in.jsonl");
        assert_int_equal(dst.origin.position, 12);
        assert_int_equal(dst.event_id, 7034);
        assert_int_equal(dst.nfields, 1);
        kbc_buf_free(&store);
}

static void collect(void *opaque, const kbc_incident *inc)
{
        kbc_buf *out = opaque;
        kbc_incident_to_json(inc, out);
        kbc_buf_putc(out, '\n');
}

/* Every 2024-03-14 in s becomes 2024-04-DD. */
static void move_to_day(char *s, int day)
{
        char mmdd[6];
        snprintf(mmdd, sizeof(mmdd), "04-%02d", day);
        for (char *at = s; (at = strstr(at, "2024-03-14")); at += 10)
                memcpy(at + 5, mmdd, 5);
}

/* What a user of the pipeline sees, in order: incidents, diagnostics
 * and settled messages, each a line of out. */
static void on_diag(void *opaque, const char *msg)
{
        kbc_buf_printf(opaque, "diag %s\n", msg);
}

static void on_settled(void *opaque, const kbc_origin *origin, int64_t time_ms,
                       const kbc_event *kept)
{
        kbc_str host = kept ? kept->host : KBC_STR_LIT("-");
        kbc_buf_printf(opaque, "settled %s:%lld %lld %.*s\n", origin->source,
                       (long long)origin->position, (long long)time_ms,
                       (int)host.len, host.ptr);
}

/* Refuses one of the seed scenarios' hosts: counted as filtered. */
static bool keep(void *opaque, const kbc_event *ev)
{
        (void)opaque;
        return ev->host.len < 4 || memcmp(ev->host.ptr, "FS01", 4);
}

/* The seed scenarios, fed ROUNDS times (about 2,000 events through a ring
 * of 512), every round a day later so that each raises its incidents;
 * every 7th line cut short (a decode error), and one message too large to
 * decode. The origin's source is a buffer overwritten after each feed. */
#define ROUNDS 25

static void run(bool threaded, kbc_buf *out)
{
        const char *rules = KBC_SOURCE_DIR "/rules/curated";
        kbc_ruleset *rs = kbc_ruleset_load(&rules, 1, NULL, NULL);
        assert_non_null(rs);
        kbc_pipeline_opts o = {.format = KBC_FMT_AUTO,
                               .from_ms = KBC_TIME_NONE,
                               .to_ms = KBC_TIME_NONE,
                               .engine = KBC_ENGINE_OPTS_DEFAULT,
                               .keep = keep,
                               .settled = on_settled,
                               .settled_opaque = out,
                               .threaded = threaded};
        o.engine.emit_open = true;
        kbc_pipeline *p = kbc_pipeline_new(rs, &o, collect, out);
        assert_non_null(p);
        FILE *f = fopen(KBC_SOURCE_DIR "/examples/seed-scenarios.jsonl", "r");
        assert_non_null(f);
        char line[1 << 16], shifted[1 << 16], source[32];
        int64_t n = 0;
        for (int round = 0; round < ROUNDS; round++) {
                rewind(f);
                while (fgets(line, sizeof(line), f)) {
                        snprintf(shifted, sizeof(shifted), "%s", line);
                        move_to_day(shifted, round + 1);
                        snprintf(source, sizeof(source), "round-%d", round);
                        kbc_origin at = {.kind = KBC_ORIGIN_FILE,
                                         .source = source,
                                         .position = ++n};
                        size_t len = strlen(shifted);
                        kbc_pipeline_feed(p, shifted, n % 7 ? len : len / 2,
                                          &at, on_diag, out);
                        memset(source, 'x', sizeof(source) - 1);
                }
        }
        size_t big_len = KBC_DECODE_MAX_MESSAGE + 1;
        char *big = calloc(1, big_len);
        assert_non_null(big);
        kbc_origin at = {
            .kind = KBC_ORIGIN_FILE, .source = "big", .position = ++n};
        kbc_pipeline_feed(p, big, big_len, &at, on_diag, out);
        free(big);
        kbc_pipeline_flush(p);
        kbc_pipeline_stats s;
        kbc_pipeline_stats_get(p, &s);
        assert_true(s.engine.events > 1000);
        assert_true(s.filtered > 0);
        assert_true(s.decode_errors > ROUNDS);
        kbc_buf_printf(out, "messages %llu errors %llu filtered %llu\n",
                       (unsigned long long)s.messages,
                       (unsigned long long)s.decode_errors,
                       (unsigned long long)s.filtered);
        for (size_t i = 0; i < s.nrejects; i++)
                kbc_buf_printf(out, "reject %s %llu\n", s.rejects[i].reason,
                               (unsigned long long)s.rejects[i].n);
        fclose(f);
        kbc_pipeline_free(p);
        kbc_ruleset_free(rs);
}

static void threaded_equals_plain(void **state)
{
        (void)state;
        kbc_buf plain, threaded;
        kbc_buf_init(&plain, 1 << 28);
        kbc_buf_init(&threaded, 1 << 28);
        run(false, &plain);
        run(true, &threaded);
        assert_true(plain.len > 0);
        assert_int_equal(plain.len, threaded.len);
        assert_memory_equal(plain.data, threaded.data, plain.len);
        kbc_buf_free(&plain);
        kbc_buf_free(&threaded);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(copy_outlives_its_source),
            cmocka_unit_test(threaded_equals_plain),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
