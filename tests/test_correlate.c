/*
 * test_correlate.c - the correlator against the curated seed rules: which
 * KB wins, window edges, lateness and out-of-order events, interleaved
 * hosts, deterministic ids, host eviction, the byte budget, long host
 * names and engine notices.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <malloc.h>
#include <unistd.h>

#include "kbc_engine.h"
#include "kbc_time.h"

#define MIN (60 * 1000LL)
#define T0  1710400000000LL /* 2024-03-14T07:06:40Z */

static const kbc_ruleset *rules;

/* Bytes the heap has handed out, or 0 under ASan (its own allocator). */
static size_t heap_in_use(void)
{
#if defined(__SANITIZE_ADDRESS__)
        return 0;
#else
        return mallinfo2().uordblks;
#endif
}

typedef struct got {
        int n;
        char json[8][8192];
        char kb[8][16];
        char host[8][64];
        size_t ntied[8];
        double confidence[8];
} got;

static void collect(void *opaque, const kbc_incident *inc)
{
        got *g = opaque;
        assert_true(g->n < 8);
        kbc_buf b;
        kbc_buf_init(&b, sizeof(g->json[0]) - 1);
        assert_int_equal(kbc_incident_to_json(inc, &b), 0);
        memcpy(g->json[g->n], b.data, b.len + 1);
        kbc_buf_free(&b);
        snprintf(g->kb[g->n], sizeof(g->kb[0]), "%s",
                 kbc_rule_id(inc->candidates[0].rule));
        snprintf(g->host[g->n], sizeof(g->host[0]), "%s", inc->host);
        g->ntied[g->n] = inc->ntied;
        g->confidence[g->n] = inc->confidence;
        g->n++;
}

/* Do two incidents (as JSON) carry the same event.id? */
static bool same_id(const char *json_a, const char *json_b)
{
        char a[17], b[17];
        assert_int_equal(
            sscanf(strstr(json_a, "\"id\":\""), "\"id\":\"%16[0-9a-f]", a), 1);
        assert_int_equal(
            sscanf(strstr(json_b, "\"id\":\""), "\"id\":\"%16[0-9a-f]", b), 1);
        return !strcmp(a, b);
}

/* Events of the seed story; views point at string literals. */
static kbc_event ev_make(const char *host, int64_t t, const char *provider,
                         uint32_t id, const char *message, uint64_t record)
{
        kbc_event ev;
        memset(&ev, 0, sizeof(ev));
        ev.time_ms = t;
        ev.host = kbc_str_cstr(host);
        ev.channel = kbc_str_cstr("System");
        ev.provider = kbc_str_cstr(provider);
        ev.event_id = id;
        ev.has_event_id = true;
        ev.record_id = record;
        ev.has_record_id = true;
        ev.message = kbc_str_cstr(message);
        ev.origin.kind = KBC_ORIGIN_FILE;
        ev.origin.source = "test";
        ev.origin.position = (int64_t)record;
        return ev;
}

static kbc_event smtp(const char *host, int64_t t, uint64_t rec)
{
        return ev_make(host, t, "Application Popup", 26,
                       "Application popup: Microsoft Exchange Administrator : "
                       "Extension 'SMTP' could not be loaded.",
                       rec);
}

static kbc_event ev2037(const char *host, int64_t t, uint64_t rec)
{
        return ev_make(host, t, "MSExchangeSA", 2037,
                       "The file version of '\\add-ins\\smtp\\i386\\"
                       "imcadmin.dll' installed on the local server is not "
                       "current.",
                       rec);
}

static kbc_event rr_stopped(const char *host, int64_t t, uint64_t rec)
{
        kbc_event ev = ev_make(host, t, "Service Control Manager", 7036,
                               "The Remote Registry service entered the "
                               "stopped state.",
                               rec);
        ev.fields[0] =
            (kbc_field){KBC_STR_LIT("param1"), KBC_STR_LIT("Remote Registry")};
        ev.fields[1] =
            (kbc_field){KBC_STR_LIT("param2"), KBC_STR_LIT("stopped")};
        ev.nfields = 2;
        return ev;
}

static kbc_event benign(const char *host, int64_t t, uint64_t rec)
{
        return ev_make(host, t, "Service Control Manager", 7036,
                       "The Windows Update service entered the running state.",
                       rec);
}

static void run_rules(const kbc_ruleset *rs, const kbc_event *evs, size_t n,
                      const kbc_engine_opts *opts, got *g)
{
        memset(g, 0, sizeof(*g));
        kbc_engine *e = kbc_engine_new(rs, opts, collect, g);
        assert_non_null(e);
        for (size_t i = 0; i < n; i++)
                kbc_engine_feed(e, &evs[i]);
        kbc_engine_flush(e);
        kbc_engine_free(e);
}

static void run(const kbc_event *evs, size_t n, const kbc_engine_opts *opts,
                got *g)
{
        run_rules(rules, evs, n, opts, g);
}

#define RUN(g, ...)                                                            \
        do {                                                                   \
                kbc_event evs_[] = {__VA_ARGS__};                              \
                run(evs_, sizeof(evs_) / sizeof(evs_[0]), NULL, (g));          \
        } while (0)

#define RUN_OPTS(g, opts, ...)                                                 \
        do {                                                                   \
                kbc_event evs_[] = {__VA_ARGS__};                              \
                run(evs_, sizeof(evs_) / sizeof(evs_[0]), (opts), (g));        \
        } while (0)

static void sum_counts(void *opaque, const kbc_incident *inc)
{
        uint64_t *count = opaque;
        *count += inc->count;
}

/* A host whose buffer is full drops the next matching event: the engine
 * must not look at it again (it did, after freeing it; ASan saw it on the
 * real events). */
static void test_full_host_buffer_drops_cleanly(void **state)
{
        (void)state;
        uint64_t counted = 0;
        kbc_engine *e = kbc_engine_new(rules, NULL, sum_counts, &counted);
        assert_non_null(e);
        for (int i = 0; i < 300; i++) {
                kbc_event ev = smtp("MAIL-F", T0 + i * 1000, (uint64_t)i + 1);
                kbc_engine_feed(e, &ev);
        }
        kbc_engine_flush(e);
        kbc_engine_stats st;
        kbc_engine_stats_get(e, &st);
        kbc_engine_free(e);
        assert_true(st.dropped_hits > 0);
        assert_true(counted > 0);
}

static void test_2037_names_q247773(void **state)
{
        (void)state;
        got g;
        RUN(&g, smtp("MAIL-A", T0, 1), ev2037("MAIL-A", T0 + 2 * MIN, 2));
        assert_int_equal(g.n, 1);
        assert_string_equal(g.kb[0], "Q247773");
        assert_int_equal(g.ntied[0], 1);
        assert_true(g.confidence[0] > 0.79 && g.confidence[0] < 0.81);
        assert_non_null(strstr(g.json[0], "\"candidates\":[{\"kb.id\":"
                                          "\"Q247773\",\"score\":4,"));
}

static void test_shared_symptom_alone_is_a_tie(void **state)
{
        (void)state;
        got g;
        RUN(&g, smtp("MAIL-C", T0, 1));
        assert_int_equal(g.n, 1);
        assert_int_equal(g.ntied[0], 2);
        assert_non_null(strstr(g.json[0], "\"ambiguous\":true"));
        assert_non_null(strstr(g.json[0], "Q247773, Q324332"));
        assert_true(g.confidence[0] < 0.5);
}

/* The shared symptom alone names both seeds, and says for each what
 * would tell them apart: Q247773's 2037, Q324332's code and service. */
static void test_tie_says_what_to_check_next(void **state)
{
        (void)state;
        got g;
        RUN(&g, smtp("MAIL-C", T0, 1));
        assert_non_null(strstr(g.json[0],
                               "\"check_next\":[{\"signal\":"
                               "\"imcadmin-not-current\",\"look_for\":"
                               "\"MSExchangeSA event 2037: "));
        assert_non_null(strstr(g.json[0], "{\"signal\":\"remote-registry-"
                                          "stopped\",\"look_for\":\"Service "
                                          "Control Manager event 7036, "
                                          "param1 matching"));
        /* A clear winner needs no such list. */
        RUN(&g, smtp("MAIL-A", T0, 1), ev2037("MAIL-A", T0 + MIN, 2));
        assert_null(strstr(g.json[0], "check_next"));
}

static kbc_event rank_ev(const char *host, int64_t t, uint32_t id)
{
        return ev_make(host, t, "RankTest", id, "A test event.", id);
}

/* Equal scores: the article whose signals say more of their events
 * first (and then no tie), then the one whose matched signals fewer
 * other articles have, then the one more of whose evidence was seen, then
 * the one more of whose wording the events show, then the one with the
 * rarer evidence, then the KB id (tests/data/rules_rank). */
static void test_tie_breaks(void **state)
{
        (void)state;
        const char *path = KBC_SOURCE_DIR "/tests/data/rules_rank";
        kbc_ruleset *rs = kbc_ruleset_load(&path, 1, NULL, NULL);
        assert_non_null(rs);
        got g;
        kbc_event cov[] = {rank_ev("H1", T0, 100)};
        run_rules(rs, cov, 1, NULL, &g);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.ntied[0], 2);
        assert_string_equal(g.kb[0], "Q910002"); /* all of it seen */
        assert_non_null(strstr(g.json[0], "\"ambiguous\":true"));
        /* Q910001's unseen signals, heaviest first. */
        assert_non_null(strstr(
            g.json[0], "\"check_next\":[{\"signal\":\"own-b\",\"look_for\":"
                       "\"RankTest event 102\"},{\"signal\":\"own-c\","));

        kbc_event spec[] = {rank_ev("H2", T0, 200), rank_ev("H2", T0 + 1, 300),
                            rank_ev("H2", T0 + 2, 301)};
        run_rules(rs, spec, 3, NULL, &g);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.ntied[0], 2);
        assert_string_equal(g.kb[0], "Q910004"); /* its 301 is its own */

        /* The phrase that says more of the one event wins outright. */
        kbc_event det[] = {ev_make("H3", T0, "RankTest", 400,
                                   "Application popup: VB32.EXE - Entry Point "
                                   "Not Found : The procedure entry point "
                                   "_adjust_fdiv could not be located in the "
                                   "dynamic link library MSVCRT20.dll.",
                                   400)};
        run_rules(rs, det, 1, NULL, &g);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.ntied[0], 1);
        assert_string_equal(g.kb[0], "Q910008");
        assert_non_null(strstr(g.json[0], "\"ambiguous\":false"));

        /* An event Windows could not render matches both quotes of its
         * id by identity alone: neither's words were seen, a tie. */
        kbc_event und[] = {ev_make("H4", T0, "RankTest", 500,
                                   "The description for Event ID ( 500 ) in "
                                   "Source ( RankTest ) could not be found. It "
                                   "contains the following insertion "
                                   "string(s): Spooler, 5.",
                                   500)};
        run_rules(rs, und, 1, NULL, &g);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.ntied[0], 2);
        assert_non_null(strstr(g.json[0], "\"ambiguous\":true"));

        /* A popup showing a dialog's caption and text: equal in score and
         * in the detail of the most telling phrase, still a tie; the
         * article quoting both lines first. */
        kbc_event both[] = {ev_make(
            "H5", T0, "RankTest", 600,
            "Application popup: SysTray.exe - DLL Initialization Failed : The "
            "application failed to initialize because the window station is "
            "shutting down.",
            600)};
        run_rules(rs, both, 1, NULL, &g);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.ntied[0], 2);
        assert_string_equal(g.kb[0], "Q910012");

        /* Equal score and detail, but Q910013's phrase is its own and the
         * other two share theirs: the rarer evidence first, before the
         * coverage that would name Q910014. */
        kbc_event rare[] = {ev_make("H6", T0, "RankTest", 700,
                                    "The widget engine stopped: gear train "
                                    "jammed.",
                                    700)};
        run_rules(rs, rare, 1, NULL, &g);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.ntied[0], 3);
        assert_string_equal(g.kb[0], "Q910013");
        kbc_ruleset_free(rs);
}

static void test_benign_events_raise_nothing(void **state)
{
        (void)state;
        got g;
        RUN(&g, benign("H", T0, 1), rr_stopped("H", T0 + MIN, 2),
            benign("H", T0 + 2 * MIN, 3));
        assert_int_equal(g.n, 0);
}

/* Evidence counts from T0 - window to T0 + window, both ends included. */
static void test_window_edges(void **state)
{
        (void)state;
        const int64_t w = 10 * MIN;
        got g;
        RUN(&g, rr_stopped("B", T0 - w, 1), smtp("B", T0, 2));
        assert_string_equal(g.kb[0], "Q324332");
        RUN(&g, rr_stopped("B", T0 - w - 1, 1), smtp("B", T0, 2));
        assert_int_equal(g.ntied[0], 2); /* the stop is outside: a tie */
        RUN(&g, smtp("B", T0, 1), rr_stopped("B", T0 + w, 2));
        assert_string_equal(g.kb[0], "Q324332");
        assert_int_equal(g.ntied[0], 1);
        RUN(&g, smtp("B", T0, 1), rr_stopped("B", T0 + w + 1, 2));
        assert_int_equal(g.ntied[0], 2);
}

/* The same events in any order within the lateness give the same bytes. */
static void test_out_of_order_same_incident(void **state)
{
        (void)state;
        got in_order, reversed;
        RUN(&in_order, rr_stopped("B", T0, 1), smtp("B", T0 + MIN, 2),
            benign("B", T0 + 2 * MIN, 3));
        RUN(&reversed, benign("B", T0 + 2 * MIN, 3), smtp("B", T0 + MIN, 2),
            rr_stopped("B", T0, 1));
        assert_int_equal(in_order.n, 1);
        assert_int_equal(reversed.n, 1);
        /* The same incident; only event.sequence, the number of states
         * the case went through, depends on the order: reversed, it first
         * named Q247773 on the popup alone. */
        assert_non_null(strstr(in_order.json[0], "\"sequence\":2,"));
        assert_non_null(strstr(reversed.json[0], "\"sequence\":3,"));
        char *seq = strstr(reversed.json[0], "\"sequence\":3,");
        seq[sizeof("\"sequence\":") - 1] = '2';
        assert_string_equal(in_order.json[0], reversed.json[0]);
        assert_string_equal(in_order.kb[0], "Q324332");
}

/* Live: a case's open states come as it opens and each time its winner
 * or candidate set changes, all under the id fixed when it opened; the
 * closed incident is the same bytes whether open states were handed out
 * or not. */
static void test_open_states(void **state)
{
        (void)state;
        got live, quiet;
        kbc_engine_opts opts = KBC_ENGINE_OPTS_DEFAULT;
        opts.emit_open = true;
        RUN_OPTS(&live, &opts, smtp("B", T0, 1), benign("B", T0 + 10, 2),
                 rr_stopped("B", T0 + MIN, 3));
        RUN(&quiet, smtp("B", T0, 1), benign("B", T0 + 10, 2),
            rr_stopped("B", T0 + MIN, 3));
        assert_int_equal(live.n, 3);
        assert_int_equal(quiet.n, 1);
        /* opened on the popup alone: Q247773 first by its tie-break */
        assert_non_null(strstr(live.json[0], "\"sequence\":1,"));
        assert_non_null(strstr(live.json[0], "\"state\":\"open\""));
        /* the Remote Registry event makes Q324332 the winner: a new state,
         * same id */
        assert_string_equal(live.kb[1], "Q324332");
        assert_non_null(strstr(live.json[1], "\"sequence\":2,"));
        assert_non_null(strstr(live.json[1], "\"state\":\"open\""));
        assert_true(same_id(live.json[0], live.json[1]));
        assert_true(same_id(live.json[0], live.json[2]));
        assert_non_null(strstr(live.json[2], "\"sequence\":3,"));
        assert_non_null(strstr(live.json[2], "\"state\":\"closed\""));
        assert_string_equal(live.json[2], quiet.json[0]);
}

/* A host that goes quiet after its symptom: its case closes on the wall
 * clock once window + lateness have passed since its last event, with
 * the incident the end of input would give; evidence that comes after
 * is counted and makes a case of its own. A host still logging is not
 * closed. */
static void test_quiet_host_closes_on_wall_clock(void **state)
{
        (void)state;
        got g = {0}, replayed;
        kbc_engine *e = kbc_engine_new(rules, NULL, collect, &g);
        kbc_event a1 = smtp("A", T0, 1), a2 = ev2037("A", T0 + MIN, 2);
        kbc_event b1 = smtp("B", T0, 1);
        int64_t wall = 5000000;
        kbc_engine_set_clock(e, wall);
        kbc_engine_feed(e, &a1);
        kbc_engine_feed(e, &a2);
        kbc_engine_set_clock(e, wall + 10 * MIN); /* B keeps logging */
        kbc_engine_feed(e, &b1);
        /* the curated rules' window is 10 minutes, the lateness 1 */
        assert_int_equal(kbc_engine_close_quiet(e, wall + 11 * MIN - 1), 0);
        assert_int_equal(kbc_engine_close_quiet(e, wall + 11 * MIN), 1);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.host[0], "A");
        RUN(&replayed, smtp("A", T0, 1), ev2037("A", T0 + MIN, 2));
        assert_string_equal(g.json[0], replayed.json[0]);
        /* late evidence: counted, and a case of its own (repeat folded) */
        kbc_event late = smtp("A", T0 + 2 * MIN, 3);
        kbc_engine_feed(e, &late);
        kbc_engine_stats st;
        kbc_engine_stats_get(e, &st);
        assert_int_equal(st.quiet_closes, 1);
        assert_int_equal(st.after_quiet, 1);
        kbc_engine_flush(e);
        assert_int_equal(g.n, 3);
        assert_true(same_id(g.json[0], g.json[2])); /* folded into A's */
        kbc_engine_free(e);
}

/* A quiet host holds no offset for ever: its closed case's events go at
 * the quiet close, its remembered incident once it has been quiet for the
 * suppression period too. */
static void test_quiet_host_lets_offsets_go(void **state)
{
        (void)state;
        got g = {0};
        kbc_engine *e = kbc_engine_new(rules, NULL, collect, &g);
        kbc_event a1 = smtp("A", T0, 7), a2 = ev2037("A", T0 + MIN, 8);
        kbc_engine_set_clock(e, 1000);
        kbc_engine_feed(e, &a1);
        kbc_engine_feed(e, &a2);
        assert_int_equal(kbc_engine_low_mark(e), 7);
        kbc_engine_close_quiet(e, 1000 + 11 * MIN);
        assert_int_equal(g.n, 1);
        assert_int_equal(kbc_engine_low_mark(e), 7); /* folding repeats */
        kbc_engine_close_quiet(e, 1000 + 61 * MIN);
        assert_int_equal(kbc_engine_low_mark(e), INT64_MAX);
        kbc_engine_free(e);
}

/* A case closes when the host's own event time passes the window plus the
 * lateness: before the end of input. */
static void test_case_closes_on_watermark(void **state)
{
        (void)state;
        got g = {0};
        kbc_engine *e = kbc_engine_new(rules, NULL, collect, &g);
        kbc_event a = smtp("A", T0, 1);
        kbc_event b = benign("A", T0 + 11 * MIN, 2); /* window + lateness */
        kbc_event c = benign("A", T0 + 11 * MIN + 1, 3);
        kbc_engine_feed(e, &a);
        kbc_engine_feed(e, &b);
        assert_int_equal(g.n, 0);
        kbc_engine_feed(e, &c);
        assert_int_equal(g.n, 1);
        kbc_engine_flush(e);
        assert_int_equal(g.n, 1);
        kbc_engine_free(e);
}

/* Two hosts interleaved give what each gives alone; host names compare
 * ignoring case. */
static void test_two_hosts_interleaved(void **state)
{
        (void)state;
        got mixed, a_alone, b_alone;
        RUN(&mixed, smtp("mail-a", T0, 1), rr_stopped("MAIL-B", T0, 1),
            ev2037("MAIL-A", T0 + MIN, 2), smtp("MAIL-B", T0 + MIN, 2),
            benign("mail-b", T0 + 2 * MIN, 3));
        RUN(&a_alone, smtp("mail-a", T0, 1), ev2037("MAIL-A", T0 + MIN, 2));
        RUN(&b_alone, rr_stopped("MAIL-B", T0, 1), smtp("MAIL-B", T0 + MIN, 2),
            benign("mail-b", T0 + 2 * MIN, 3));
        assert_int_equal(mixed.n, 2);
        assert_string_equal(mixed.json[0], a_alone.json[0]);
        assert_string_equal(mixed.json[1], b_alone.json[0]);
        assert_string_equal(mixed.kb[0], "Q247773");
        assert_string_equal(mixed.host[0], "mail-a"); /* as first logged */
        assert_string_equal(mixed.kb[1], "Q324332");
}

/* Ids depend on the KB, the host and the first evidence; not on unrelated
 * events, nor on where the events were read. */
static void test_incident_id_deterministic(void **state)
{
        (void)state;
        got plain, noisy, other_host;
        RUN(&plain, smtp("A", T0, 1), ev2037("A", T0 + MIN, 2));
        kbc_event a = smtp("A", T0, 1), b = ev2037("A", T0 + MIN, 2);
        a.origin.source = "elsewhere.jsonl";
        RUN(&noisy, benign("A", T0 - MIN, 7), a, benign("Z", T0, 9), b);
        RUN(&other_host, smtp("B", T0, 1), ev2037("B", T0 + MIN, 2));
        assert_true(same_id(plain.json[0], noisy.json[0]));
        assert_false(same_id(plain.json[0], other_host.json[0]));
}

/* Repeats of the symptom fold into one incident with a count. */
static void test_repeats_fold_into_one(void **state)
{
        (void)state;
        got g;
        RUN(&g, smtp("A", T0, 1), smtp("A", T0 + MIN, 2),
            smtp("A", T0 + 2 * MIN, 3), ev2037("A", T0 + 3 * MIN, 4));
        assert_int_equal(g.n, 1);
        assert_non_null(strstr(g.json[0], "\"count\":4"));
}

/* A symptom after the window closed opens a second case; within the
 * suppression period (default 1h) it updates the first incident: same id
 * and start, the counts and occurrences added, the sequence going on from
 * the first incident's (its open state was 1, its close 2). */
static void test_repeat_within_suppression_updates_incident(void **state)
{
        (void)state;
        got g;
        RUN(&g, smtp("A", T0, 1), ev2037("A", T0 + MIN, 2),
            smtp("A", T0 + 30 * MIN, 3), ev2037("A", T0 + 31 * MIN, 4));
        assert_int_equal(g.n, 2);
        assert_true(same_id(g.json[0], g.json[1]));
        assert_non_null(strstr(g.json[0], "\"count\":2,\"sequence\":2"));
        assert_non_null(strstr(g.json[1], "\"count\":4,\"sequence\":4"));
        assert_non_null(strstr(g.json[1], "\"occurrences\":2}"));
        assert_non_null(
            strstr(g.json[1], "\"start\":\"2024-03-14T07:06:40.000Z\""));
        assert_non_null(
            strstr(g.json[1], "\"end\":\"2024-03-14T07:37:40.000Z\""));
}

/* After the suppression period, or with suppression off, a repeat is a
 * new incident with its own id. */
static void test_repeat_after_suppression_is_new(void **state)
{
        (void)state;
        got late, off;
        RUN(&late, smtp("A", T0, 1), ev2037("A", T0 + MIN, 2),
            smtp("A", T0 + 62 * MIN, 3), ev2037("A", T0 + 63 * MIN, 4));
        assert_int_equal(late.n, 2);
        assert_false(same_id(late.json[0], late.json[1]));
        assert_non_null(strstr(late.json[1], "\"sequence\":2"));
        assert_non_null(strstr(late.json[1], "\"occurrences\":1}"));

        kbc_engine_opts never = {.lateness_ms = MIN, .max_hosts = 100000};
        RUN_OPTS(&off, &never, smtp("A", T0, 1), ev2037("A", T0 + MIN, 2),
                 smtp("A", T0 + 30 * MIN, 3), ev2037("A", T0 + 31 * MIN, 4));
        assert_int_equal(off.n, 2);
        assert_false(same_id(off.json[0], off.json[1]));
}

/* Repeats fold per host and per KB: another host, or another KB on the
 * same host, raises its own incident. */
static void test_suppression_is_per_host_and_kb(void **state)
{
        (void)state;
        got g;
        RUN(&g, smtp("A", T0, 1), ev2037("A", T0 + MIN, 2),
            rr_stopped("A", T0 + 30 * MIN, 3), smtp("A", T0 + 31 * MIN, 4),
            smtp("B", T0 + 40 * MIN, 1), ev2037("B", T0 + 41 * MIN, 2));
        assert_int_equal(g.n, 3);
        assert_string_equal(g.kb[0], "Q247773");
        assert_string_equal(g.kb[1], "Q324332");
        assert_string_equal(g.kb[2], "Q247773");
        assert_false(same_id(g.json[0], g.json[2]));
        assert_false(same_id(g.json[0], g.json[1]));
        assert_non_null(strstr(g.json[1], "\"occurrences\":1}"));
}

/* Evidence later than the allowed lateness misses a closed case and is
 * counted; a larger lateness keeps the case open for it. */
static void test_lateness_bound(void **state)
{
        (void)state;
        got g;
        kbc_engine_opts strict = {.lateness_ms = MIN, .max_hosts = 100000};
        kbc_engine_opts lenient = {.lateness_ms = 30 * MIN,
                                   .max_hosts = 100000};
        kbc_event evs[] = {smtp("B", T0, 1), benign("B", T0 + 12 * MIN, 2),
                           rr_stopped("B", T0 - MIN, 3)};

        memset(&g, 0, sizeof(g));
        kbc_engine *e = kbc_engine_new(rules, &strict, collect, &g);
        for (size_t i = 0; i < 3; i++)
                kbc_engine_feed(e, &evs[i]);
        kbc_engine_flush(e);
        kbc_engine_stats st;
        kbc_engine_stats_get(e, &st);
        kbc_engine_free(e);
        assert_int_equal(g.n, 1);
        assert_int_equal(g.ntied[0], 2); /* closed without the stop */
        assert_int_equal(st.late_events, 1);

        run(evs, 3, &lenient, &g);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.kb[0], "Q324332");
        assert_int_equal(g.ntied[0], 1);
}

/* The watermark is the host's own: another host's clock running ahead
 * closes nothing, so files of different hosts replay in any order. */
static void test_watermark_is_per_host(void **state)
{
        (void)state;
        got g = {0};
        kbc_engine *e = kbc_engine_new(rules, NULL, collect, &g);
        kbc_event b = smtp("B", T0, 1);
        kbc_event a = benign("A", T0 + 24 * 60 * MIN, 1);
        kbc_event b2 = rr_stopped("B", T0 + 5 * MIN, 2);
        kbc_engine_feed(e, &b);
        kbc_engine_feed(e, &a);
        kbc_engine_feed(e, &b2);
        assert_int_equal(g.n, 0);
        kbc_engine_flush(e);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.kb[0], "Q324332");
        kbc_engine_free(e);
}

/* Past the host cap, the least recently seen host's case closes early. */
static void test_host_cap_evicts_oldest(void **state)
{
        (void)state;
        got g = {0};
        kbc_engine_opts opts = {
            .lateness_ms = MIN, .max_hosts = 2, .suppress_ms = 60 * MIN};
        kbc_engine *e = kbc_engine_new(rules, &opts, collect, &g);
        kbc_event a = smtp("A", T0, 1), b = smtp("B", T0, 1),
                  c = smtp("C", T0, 1);
        kbc_engine_feed(e, &a);
        kbc_engine_feed(e, &b);
        assert_int_equal(g.n, 0);
        kbc_engine_feed(e, &c);
        assert_int_equal(g.n, 1);
        assert_string_equal(g.host[0], "A");
        kbc_engine_stats st;
        kbc_engine_stats_get(e, &st);
        assert_int_equal(st.evicted_hosts, 1);
        assert_int_equal(st.hosts, 2);
        kbc_engine_flush(e);
        assert_int_equal(g.n, 3);
        kbc_engine_free(e);
}

static void count_incident(void *opaque, const kbc_incident *inc)
{
        (void)inc;
        (*(size_t *)opaque)++;
}

/* A flood of 1,000,000 distinct host names: tracked hosts stay at the cap,
 * every eviction of a host with state is counted, open cases are closed
 * (not lost) on eviction, and the heap does not grow with the flood. */
static void test_host_flood_stays_bounded(void **state)
{
        (void)state;
        enum { HOSTS = 1000000, CAP = 10000, SYMPTOM_EVERY = 100000 };
        kbc_engine_opts opts = {
            .lateness_ms = MIN, .max_hosts = CAP, .suppress_ms = 60 * MIN};
        size_t incidents = 0;
        kbc_engine *e =
            kbc_engine_new(rules, &opts, count_incident, &incidents);
        assert_non_null(e);
        size_t heap_at_cap = 0;
        for (uint64_t i = 0; i < HOSTS; i++) {
                char host[16];
                snprintf(host, sizeof(host), "H%07llu", (unsigned long long)i);
                kbc_event ev = i % SYMPTOM_EVERY
                                   ? rr_stopped(host, T0 + (int64_t)i, i)
                                   : smtp(host, T0 + (int64_t)i, i);
                kbc_engine_feed(e, &ev);
                if (i == CAP)
                        heap_at_cap = heap_in_use();
        }
        kbc_engine_stats st;
        kbc_engine_stats_get(e, &st);
        assert_int_equal(st.hosts, CAP);
        assert_int_equal(st.evicted_hosts, HOSTS - CAP);
        assert_int_equal(incidents, HOSTS / SYMPTOM_EVERY); /* all evicted */
        /* 100 times the hosts, yet the heap holds what it held at the cap
         * (give or take allocator slack). */
        if (heap_at_cap)
                assert_true(heap_in_use() < heap_at_cap + (8u << 20));
        kbc_engine_flush(e);
        assert_int_equal(incidents, HOSTS / SYMPTOM_EVERY);
        kbc_engine_free(e);
}

typedef struct notices {
        int n;
        char last[512];
} notices;

static void keep_notice(void *opaque, const char *msg)
{
        notices *ns = opaque;
        ns->n++;
        snprintf(ns->last, sizeof(ns->last), "%s", msg);
}

/* Engine notices go to the caller's callback, host name and all; without
 * one the engine writes nothing (stderr is watched while it evicts). */
static void test_evictions_notice_through_callback(void **state)
{
        (void)state;
        got g = {0};
        notices ns = {0};
        kbc_engine_opts opts = {.lateness_ms = MIN,
                                .max_hosts = 1,
                                .suppress_ms = 60 * MIN,
                                .notice = keep_notice,
                                .notice_opaque = &ns};
        kbc_event a = smtp("A\x1b[2J", T0, 1), b = smtp("B", T0, 1);
        kbc_engine *e = kbc_engine_new(rules, &opts, collect, &g);
        kbc_engine_feed(e, &a);
        kbc_engine_feed(e, &b);
        assert_int_equal(ns.n, 1);
        assert_string_equal(ns.last,
                            "host cap 1 reached: evicted host 'A\x1b[2J' "
                            "(least recently seen; 1 evictions at the cap "
                            "so far)");
        kbc_engine_free(e);

        FILE *err = tmpfile();
        assert_non_null(err);
        fflush(stderr);
        int saved = dup(STDERR_FILENO);
        assert_true(saved >= 0);
        assert_true(dup2(fileno(err), STDERR_FILENO) >= 0);
        opts.notice = NULL;
        e = kbc_engine_new(rules, &opts, collect, &g);
        kbc_engine_feed(e, &a);
        kbc_engine_feed(e, &b);
        kbc_engine_stats st;
        kbc_engine_stats_get(e, &st);
        kbc_engine_free(e);
        fflush(stderr);
        dup2(saved, STDERR_FILENO);
        close(saved);
        assert_int_equal(st.evicted_hosts, 1); /* counted, not told */
        assert_int_equal(ftell(err), 0);
        fclose(err);
}

/* A host name is kept to 255 bytes, cut at a UTF-8 boundary: a 1 MB name
 * costs what a real one does, in the engine and in the incident. Two
 * names that differ only past the cut are one host. */
static void test_long_host_name_is_cut(void **state)
{
        (void)state;
        enum { LEN = 1 << 20 };
        char *name = malloc(LEN + 1), *twin = malloc(LEN + 1);
        assert_non_null(name);
        assert_non_null(twin);
        memset(name, 'a', LEN);
        memcpy(name + 254, "\xc3\xa9", 2); /* é across byte 255 */
        name[LEN] = '\0';
        memcpy(twin, name, LEN + 1);
        twin[LEN - 1] = 'z';
        got g;
        RUN(&g, smtp(name, T0, 1), ev2037(twin, T0 + MIN, 2));
        assert_int_equal(g.n, 1);
        assert_string_equal(g.kb[0], "Q247773"); /* both events: one host */
        char want[300];
        snprintf(want, sizeof(want), "\"host\":{\"name\":\"%.254s\"}", name);
        assert_non_null(strstr(g.json[0], want));

        memset(name, 'x', LEN); /* ASCII: exactly 255 bytes */
        RUN(&g, smtp(name, T0, 1), ev2037(name, T0 + MIN, 2));
        assert_int_equal(g.n, 1);
        snprintf(want, sizeof(want), "\"host\":{\"name\":\"%.255s\"}", name);
        assert_non_null(strstr(g.json[0], want));
        free(name);
        free(twin);
}

typedef struct flood_seen {
        size_t incidents, normal;
        char normal_kb[16];
} flood_seen;

static void flood_incident(void *opaque, const kbc_incident *inc)
{
        flood_seen *f = opaque;
        f->incidents++;
        if (!strcmp(inc->host, "MAIL-N")) {
                f->normal++;
                snprintf(f->normal_kb, sizeof(f->normal_kb), "%s",
                         kbc_rule_id(inc->candidates[0].rule));
        }
}

/* 200,000 distinct host names of 1,000 bytes, each with a held event
 * whose time keeps it from being pruned, under a 2 MiB budget and the
 * default host cap: the counted bytes never pass the budget, the heap
 * holds what they say, each host evicted with state is counted (for
 * memory, not at the cap), and a real host logging in the middle of the
 * flood (a symptom, then 1,000 flood hosts later the evidence that names
 * its KB: the budget holds ~2,400 hosts) still gets its incident, with
 * both events, raised once when the flood evicts it. */
static void test_memory_budget_bounds_host_flood(void **state)
{
        (void)state;
        enum { HOSTS = 200000, NAME = 1000, BUDGET = 2 << 20 };
        enum { NORMAL_AT = HOSTS / 2, NORMAL_GAP = 1000 };
        flood_seen seen = {0};
        notices ns = {0};
        kbc_engine_opts opts = KBC_ENGINE_OPTS_DEFAULT;
        opts.max_bytes = BUDGET;
        opts.notice = keep_notice;
        opts.notice_opaque = &ns;
        size_t heap_before = heap_in_use();
        kbc_engine *e = kbc_engine_new(rules, &opts, flood_incident, &seen);
        assert_non_null(e);
        static char host[NAME + 1];
        memset(host, 'h', NAME);
        for (uint64_t i = 0; i < HOSTS; i++) {
                char num[16];
                int len =
                    snprintf(num, sizeof(num), "%07llu", (unsigned long long)i);
                memcpy(host, num, (size_t)len); /* distinct in 255 bytes */
                kbc_event ev = rr_stopped(host, T0 + (int64_t)i, i);
                kbc_engine_feed(e, &ev);
                if (i == NORMAL_AT) {
                        ev = smtp("MAIL-N", T0 + (int64_t)i, i);
                        kbc_engine_feed(e, &ev);
                } else if (i == NORMAL_AT + NORMAL_GAP) {
                        ev = ev2037("MAIL-N", T0 + NORMAL_AT + MIN, i);
                        kbc_engine_feed(e, &ev);
                }
                assert_true(kbc_engine_bytes(e) <= BUDGET);
        }
        kbc_engine_stats st;
        kbc_engine_stats_get(e, &st);
        assert_int_equal(st.bytes, kbc_engine_bytes(e));
        assert_int_equal(st.evicted_hosts, 0);
        assert_int_equal(st.evicted_for_memory, HOSTS + 1 - st.hosts);
        assert_true(st.hosts > 1000 && st.hosts < 10000);
        assert_int_equal(seen.normal, 1); /* evicted: closed, not lost */
        assert_string_equal(seen.normal_kb, "Q247773");
        /* told at the 1st, 10th ... 100,000th eviction, host cut */
        assert_int_equal(ns.n, 6);
        assert_non_null(strstr(ns.last, "memory budget of 2097152 bytes "
                                        "reached: evicted host '"));
        assert_int_equal(strchr(strchr(ns.last, '\'') + 1, '\'') -
                             strchr(ns.last, '\'') - 1,
                         255);
        /* The count is honest: the heap grew by about what it says (the
         * rest is the engine's fixed part and allocator slack). */
        if (heap_before) {
                size_t grew = heap_in_use() - heap_before;
                assert_true(grew < kbc_engine_bytes(e) + (256u << 10));
                assert_true(grew > kbc_engine_bytes(e) / 2);
        }
        kbc_engine_flush(e);
        assert_true(kbc_engine_bytes(e) <= BUDGET);
        assert_int_equal(seen.normal, 1);
        kbc_engine_free(e);
}

typedef struct id_set {
        char ids[64][17];
        int n;
} id_set;

static void collect_id(void *opaque, const kbc_incident *inc)
{
        id_set *s = opaque;
        for (int i = 0; i < s->n; i++)
                if (!strcmp(s->ids[i], inc->id))
                        return;
        assert_true(s->n < 64);
        memcpy(s->ids[s->n++], inc->id, 17);
}

static bool has_id(const id_set *s, const char *id)
{
        for (int i = 0; i < s->n; i++)
                if (!strcmp(s->ids[i], id))
                        return true;
        return false;
}

/* ids of the incidents from feeding evs[from, to), flushed at the end if
 * asked; returns the engine's low mark before the flush. */
static int64_t feed_range(const kbc_engine_opts *opts, const kbc_event *evs,
                          size_t from, size_t to, bool flush, id_set *out)
{
        kbc_engine *e = kbc_engine_new(rules, opts, collect_id, out);
        assert_non_null(e);
        for (size_t i = from; i < to; i++)
                kbc_engine_feed(e, &evs[i]);
        int64_t low = kbc_engine_low_mark(e);
        if (flush)
                kbc_engine_flush(e);
        kbc_engine_free(e);
        return low;
}

/* Three hosts over 50 minutes: support evidence logged before the
 * symptom, A's incident repeated 20 minutes later with its two events far
 * enough apart that the first is pruned while the second is held, hosts
 * interleaved. */
static size_t restart_scenario(kbc_event *evs)
{
        size_t n = 0;
        for (int m = 0; m < 50; m++) { /* one event a minute per stream */
                int64_t t = T0 + m * MIN;
                uint64_t pos = n;
                if (m == 2)
                        evs[n++] = rr_stopped("B", t, pos);
                else if (m == 4)
                        evs[n++] = smtp("A", t, pos);
                else if (m == 5)
                        evs[n++] = ev2037("A", t, pos);
                else if (m == 6)
                        evs[n++] = smtp("B", t, pos);
                else if (m == 24 || m == 28) /* A's repeat, spread out */
                        evs[n++] =
                            m == 24 ? smtp("A", t, pos) : ev2037("A", t, pos);
                else if (m == 30)
                        evs[n++] = smtp("C", t, pos);
                else
                        evs[n++] = benign(m % 2 ? "A" : "B", t, pos);
                if (m % 3 == 0) {
                        evs[n] = benign("C", t, n);
                        n++;
                }
        }
        return n;
}

/* The daemon's promise in the small: stop after any event, restart from
 * the engine's low mark, and every incident of the uninterrupted run comes
 * out before the stop or after the restart, and nothing else does (same
 * ids). Returns how many incidents the uninterrupted run raised. */
static int assert_restarts_lose_nothing(const kbc_engine_opts *opts)
{
        static kbc_event evs[80]; /* large: fields are inline */
        size_t n = restart_scenario(evs);
        id_set flushed = {0};
        feed_range(opts, evs, 0, n, true, &flushed);
        for (size_t cut = 1; cut < n; cut++) {
                id_set before = {0}, after = {0};
                int64_t low = feed_range(opts, evs, 0, cut, false, &before);
                size_t from = low == INT64_MAX ? cut : (size_t)low;
                assert_true(from <= cut);
                feed_range(opts, evs, from, n, true, &after);
                for (int i = 0; i < flushed.n; i++)
                        assert_true(has_id(&before, flushed.ids[i]) ||
                                    has_id(&after, flushed.ids[i]));
                for (int i = 0; i < after.n; i++)
                        assert_true(has_id(&flushed, after.ids[i]));
        }
        return flushed.n;
}

/* With suppression, a remembered incident pins its first evidence. */
static void test_restart_from_low_mark_loses_nothing(void **state)
{
        (void)state;
        /* A (its repeat folded), B, C */
        assert_int_equal(assert_restarts_lose_nothing(NULL), 3);
}

/* Without suppression nothing is remembered: a closed case must pin its
 * hits while any is held, or a restart between the pruning of its support
 * hit and of its symptom re-raises it from the symptom alone, under
 * another id. */
static void test_restart_without_suppression_loses_nothing(void **state)
{
        (void)state;
        kbc_engine_opts opts = KBC_ENGINE_OPTS_DEFAULT;
        opts.suppress_ms = 0;
        /* A twice, B, C */
        assert_int_equal(assert_restarts_lose_nothing(&opts), 4);
}

static int load_rules(void **state)
{
        (void)state;
        const char *path = KBC_SOURCE_DIR "/rules/curated";
        rules = kbc_ruleset_load(&path, 1, NULL, NULL);
        return rules ? 0 : -1;
}

static int free_rules(void **state)
{
        (void)state;
        kbc_ruleset_free((kbc_ruleset *)rules);
        return 0;
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_2037_names_q247773),
            cmocka_unit_test(test_full_host_buffer_drops_cleanly),
            cmocka_unit_test(test_shared_symptom_alone_is_a_tie),
            cmocka_unit_test(test_tie_says_what_to_check_next),
            cmocka_unit_test(test_tie_breaks),
            cmocka_unit_test(test_benign_events_raise_nothing),
            cmocka_unit_test(test_window_edges),
            cmocka_unit_test(test_out_of_order_same_incident),
            cmocka_unit_test(test_case_closes_on_watermark),
            cmocka_unit_test(test_two_hosts_interleaved),
            cmocka_unit_test(test_incident_id_deterministic),
            cmocka_unit_test(test_repeats_fold_into_one),
            cmocka_unit_test(test_repeat_within_suppression_updates_incident),
            cmocka_unit_test(test_repeat_after_suppression_is_new),
            cmocka_unit_test(test_suppression_is_per_host_and_kb),
            cmocka_unit_test(test_lateness_bound),
            cmocka_unit_test(test_watermark_is_per_host),
            cmocka_unit_test(test_host_cap_evicts_oldest),
            cmocka_unit_test(test_host_flood_stays_bounded),
            cmocka_unit_test(test_evictions_notice_through_callback),
            cmocka_unit_test(test_long_host_name_is_cut),
            cmocka_unit_test(test_memory_budget_bounds_host_flood),
            cmocka_unit_test(test_restart_from_low_mark_loses_nothing),
            cmocka_unit_test(test_restart_without_suppression_loses_nothing),
            cmocka_unit_test(test_open_states),
            cmocka_unit_test(test_quiet_host_closes_on_wall_clock),
            cmocka_unit_test(test_quiet_host_lets_offsets_go),
        };
        return cmocka_run_group_tests(tests, load_rules, free_rules);
}
