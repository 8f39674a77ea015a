/*
 * test_rule_load.c - the rule loader against tests/data/rules_ok (every
 * field as written, defaults where left out, test events) and
 * tests/data/rules_bad (one problem per file, reported at its line); the
 * `text:` patterns against the message variants real logs show; and a
 * catastrophic-backtracking pattern, which must stop at the match limit.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "rule_internal.h"

#define DATA   KBC_TEST_DATA
#define T_2001 INT64_C(978307200000) /* 2001-01-01T00:00:00Z */

/* Every message the loader reported. */
typedef struct diags {
        int n;
        char msg[32][1024];
} diags;

static void collect(void *opaque, const char *msg)
{
        diags *d = opaque;
        if (d->n < 32)
                snprintf(d->msg[d->n], sizeof(d->msg[0]), "%s", msg);
        d->n++;
}

static void print_diags(const diags *d)
{
        for (int i = 0; i < d->n && i < 32; i++)
                print_message("  diag: %s\n", d->msg[i]);
}

static kbc_ruleset *load1(const char *path, diags *d)
{
        memset(d, 0, sizeof(*d));
        return kbc_ruleset_load(&path, 1, collect, d);
}

static const kbc_rule *find_rule(const kbc_ruleset *rs, const char *id)
{
        for (size_t i = 0; i < kbc_ruleset_count(rs); i++)
                if (!strcmp(kbc_ruleset_rule(rs, i)->id, id))
                        return kbc_ruleset_rule(rs, i);
        fail_msg("no rule %s", id);
        return NULL;
}

/* pcre2_match under the engine's limits; the return code as is. */
static int search(const pcre2_code *re, const char *subject)
{
        pcre2_match_data *md = pcre2_match_data_create_from_pattern(re, NULL);
        pcre2_match_context *mc = pcre2_match_context_create(NULL);
        assert_non_null(md);
        assert_non_null(mc);
        pcre2_set_match_limit(mc, KBC_MATCH_LIMIT);
        pcre2_set_depth_limit(mc, KBC_DEPTH_LIMIT);
        int rc =
            pcre2_match(re, (PCRE2_SPTR)subject, strlen(subject), 0, 0, md, mc);
        pcre2_match_context_free(mc);
        pcre2_match_data_free(md);
        return rc;
}

static bool found(const pcre2_code *re, const char *subject)
{
        int rc = search(re, subject);
        assert_true(rc > 0 || rc == PCRE2_ERROR_NOMATCH);
        return rc > 0;
}

static void assert_str(kbc_str s, const char *want)
{
        assert_int_equal(s.len, strlen(want));
        assert_memory_equal(s.ptr, want, s.len);
}

static void test_ok_q247773(void **state)
{
        (void)state;
        diags d;
        kbc_ruleset *rs = load1(DATA "/rules_ok", &d);
        print_diags(&d);
        assert_non_null(rs);
        assert_int_equal(d.n, 0);

        /* Sorted by id, subfolders included, README.txt skipped. */
        assert_int_equal(kbc_ruleset_count(rs), 3);
        assert_string_equal(kbc_ruleset_rule(rs, 0)->id, "Q100001");
        assert_string_equal(kbc_ruleset_rule(rs, 1)->id, "Q247773");
        assert_string_equal(kbc_ruleset_rule(rs, 2)->id, "Q324332");
        for (size_t i = 0; i < 3; i++)
                assert_int_equal(kbc_ruleset_rule(rs, i)->index, i);
        assert_null(kbc_ruleset_rule(rs, 3));
        assert_int_equal(rs->max_window_ms, 90 * 60 * 1000);
        assert_non_null(rs->index);

        const kbc_rule *r = find_rule(rs, "Q247773");
        assert_string_equal(r->title, "XADM: Cannot Use IMS After Exchange "
                                      "5.0 Server SP2 Added to 5.0");
        assert_int_equal(r->nproducts, 1);
        assert_string_equal(r->products[0], "Exchange Server 5.0 SP2");
        assert_string_equal(r->reference,
                            "https://support.microsoft.com/kb/247773");
        assert_int_equal(r->severity, KBC_SEVERITY_MEDIUM);
        assert_int_equal(r->window_ms, 10 * 60 * 1000);
        assert_string_equal(r->file, DATA "/rules_ok/Q247773.yaml");
        assert_int_equal(r->line, 2);
        /* Folded (>): lines joined by spaces; the block's final line
         * break is not part of the text shown on incidents. */
        assert_non_null(strstr(r->cause, "(imcadmin.dll) on the Exchange"));
        assert_int_equal(r->cause[strlen(r->cause) - 1], '.');
        assert_non_null(strstr(r->resolution, "add-ins\\smtp\\i386 folder"));
        assert_true(r->max_score == 4.0);

        assert_int_equal(r->nsignals, 2);
        const kbc_signal *s = &r->signals[0];
        assert_string_equal(s->id, "smtp-extension-not-loaded");
        assert_ptr_equal(s->rule, r);
        assert_true(s->symptom);
        assert_true(s->weight == 1.0);
        assert_int_equal(s->line, 15);
        assert_null(s->provider);
        assert_int_equal(s->nchannels, 0);
        assert_int_equal(s->nevent_ids, 0);
        assert_int_equal(s->ndata, 0);
        assert_non_null(s->message);
        assert_non_null(s->message_src);

        s = &r->signals[1];
        assert_string_equal(s->id, "imcadmin-not-current");
        assert_ptr_equal(s->rule, r);
        assert_true(s->symptom);
        assert_true(s->weight == 3.0);
        assert_int_equal(s->line, 20);
        assert_string_equal(s->provider, "MSExchangeSA");
        assert_int_equal(s->nevent_ids, 1);
        assert_int_equal(s->event_ids[0], 2037);
        assert_string_equal(s->message_src, "imcadmin\\.dll.*not current");
        assert_true(found(s->message, "The file version of "
                                      "'\\add-ins\\smtp\\i386\\IMCADMIN.DLL'"
                                      " installed is NOT current."));

        assert_int_equal(r->ntests, 1);
        const kbc_rule_test *t = &r->tests[0];
        assert_string_equal(t->name, "SMTP error with the 2037 event");
        assert_int_equal(t->line, 28);
        assert_int_equal(t->nevents, 2);
        const kbc_event *e = &t->events[0];
        assert_int_equal(e->time_ms, T_2001);
        assert_str(e->host, "TESTHOST");
        assert_str(e->provider, "Application Popup");
        assert_str(e->channel, "System");
        assert_true(e->has_event_id);
        assert_int_equal(e->event_id, 26);
        assert_false(e->has_record_id);
        assert_str(e->message, "Extension SMTP could not be loaded.");
        assert_int_equal(e->nfields, 0);
        assert_int_equal(e->origin.kind, KBC_ORIGIN_INLINE);
        assert_ptr_equal(e->origin.source, r->file);
        assert_int_equal(e->origin.position, 30);
        e = &t->events[1];
        assert_int_equal(e->time_ms, T_2001 + 1000); /* one second on */
        assert_str(e->channel, "Application");
        assert_str(e->message, "The file version of "
                               "'\\add-ins\\smtp\\i386\\imcadmin.dll' ... is "
                               "not current.");
        assert_int_equal(e->origin.position, 32);
        assert_string_equal(t->expect.kb, "Q247773");
        assert_null(t->expect.candidates);
        assert_int_equal(t->expect.incidents, -1);

        kbc_ruleset_free(rs);
}

static void test_ok_defaults_and_data(void **state)
{
        (void)state;
        diags d;
        kbc_ruleset *rs = load1(DATA "/rules_ok", &d);
        assert_non_null(rs);

        /* Every optional key left out. */
        const kbc_rule *r = find_rule(rs, "Q100001");
        assert_int_equal(r->nproducts, 0);
        assert_string_equal(r->reference,
                            "https://support.microsoft.com/kb/100001");
        assert_int_equal(r->severity, KBC_SEVERITY_MEDIUM);
        assert_int_equal(r->window_ms, 10 * 60 * 1000);
        assert_int_equal(r->ntests, 0);
        assert_true(r->signals[0].weight == 1.0);

        r = find_rule(rs, "Q324332");
        assert_string_equal(r->file, DATA "/rules_ok/exchange/Q324332.yml");
        assert_string_equal(r->reference,
                            "https://support.microsoft.com/kb/324332");
        assert_int_equal(r->severity, KBC_SEVERITY_HIGH);
        assert_int_equal(r->window_ms, 90 * 60 * 1000);
        assert_int_equal(r->nproducts, 2);
        assert_string_equal(r->products[1], "Microsoft Windows 2000 Server");
        assert_string_equal(r->cause, "This behavior may occur if the Remote "
                                      "Registry service in Windows 2000 is "
                                      "not running.");
        assert_true(r->max_score == 4.5);

        const kbc_signal *s = &r->signals[1];
        assert_true(s->weight == 2.5);
        assert_true(found(s->message,
                          "Processing file D:\\Sp4\\Eng\\Server\\Setup\\I386"
                          "\\Shared.ins at or\r\n near line 7"));
        s = &r->signals[2];
        assert_string_equal(s->id, "remote-registry-stopped");
        assert_false(s->symptom);
        assert_string_equal(s->provider, "Service Control Manager");
        assert_int_equal(s->nchannels, 1);
        assert_string_equal(s->channels[0], "System");
        assert_int_equal(s->nevent_ids, 2);
        assert_int_equal(s->event_ids[0], 7036);
        assert_int_equal(s->event_ids[1], 7034);
        assert_null(s->message);
        assert_int_equal(s->ndata, 2);
        assert_string_equal(s->data[0].name, "param1");
        assert_string_equal(s->data[1].name, "param2");
        assert_true(found(s->data[0].re, "remote registry"));
        assert_false(found(s->data[0].re, "Remote Registry Helper"));

        assert_int_equal(r->ntests, 2);
        const kbc_rule_test *t = &r->tests[0];
        assert_string_equal(t->name, "test 1"); /* no name: numbered */
        assert_int_equal(t->line, 35);
        const kbc_event *e = &t->events[0];
        assert_int_equal(e->time_ms, INT64_C(1564739180000));
        assert_str(e->host, "MAIL01");
        assert_str(e->level, "Information");
        assert_str(e->message, "");
        assert_true(e->has_record_id);
        assert_int_equal(e->record_id, 4711);
        assert_int_equal(e->nfields, 2);
        assert_str(e->fields[0].name, "param1");
        assert_str(e->fields[0].value, "Remote Registry");
        assert_str(e->fields[1].name, "param2");
        assert_str(e->fields[1].value, "stopped");
        assert_int_equal(t->events[1].time_ms, T_2001 + 1000);
        assert_string_equal(t->expect.kb, "Q324332");
        assert_int_equal(t->expect.ncandidates, 2);
        assert_string_equal(t->expect.candidates[1], "Q247773");
        assert_int_equal(t->expect.incidents, 1);

        t = &r->tests[1];
        assert_null(t->expect.kb);
        assert_non_null(t->expect.candidates); /* given, and empty */
        assert_int_equal(t->expect.ncandidates, 0);
        assert_int_equal(t->expect.incidents, 0);

        kbc_ruleset_free(rs);
}

static void test_text_variants(void **state)
{
        (void)state;
        diags d;
        kbc_ruleset *rs = load1(DATA "/rules_ok/Q247773.yaml", &d);
        assert_non_null(rs);
        const pcre2_code *re = find_rule(rs, "Q247773")->signals[0].message;

        assert_true(found(re, "Extension 'SMTP' could not be loaded"));
        assert_true(found(re, "Extension SMTP could not be loaded."));
        assert_true(found(re, "extension  'smtp'\r\n could not be loaded"));
        assert_true(found(re, "Application popup: Microsoft Exchange "
                              "Administrator : Extension 'SMTP' could not be "
                              "loaded. A problem occurred"));
        assert_true(found(re, "Extension \"SMTP\" could not be loaded"));
        assert_true(found(re, "Extension \xe2\x80\x98SMTP\xe2\x80\x99 could "
                              "not\tbe loaded"));
        assert_false(found(re, "Extension 'SMTP' could be loaded"));
        assert_false(found(re, "Extension 'X400' could not be loaded"));
        assert_false(found(re, "ExtensionSMTP could not be loaded"));
        /* Not UTF-8: searched safely (PCRE2_MATCH_INVALID_UTF). */
        assert_true(found(re, "\xff\xfe Extension SMTP could not be "
                              "loaded \xc3"));
        kbc_ruleset_free(rs);
}

static void test_text_placeholders(void **state)
{
        (void)state;
        diags d;
        kbc_ruleset *rs = load1(DATA "/rules_ok/Q100001.yaml", &d);
        assert_non_null(rs);
        const pcre2_code *re = find_rule(rs, "Q100001")->signals[0].message;

        assert_true(found(re, "The MAIL01 server is not responding"));
        assert_true(found(re, "The 'mail01.example.com' server is not "
                              "responding."));
        assert_true(found(re, "The Exchange MTA server is not responding"));
        assert_false(found(re, "The server is not responding"));
        kbc_ruleset_free(rs);
}

/* Compiles kbc_text_to_regex(text) as the loader does. */
static pcre2_code *compile_text(kbc_arena *a, const char *text)
{
        const char *src = kbc_text_to_regex(a, text);
        int err;
        PCRE2_SIZE off;
        pcre2_code *re =
            pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
                          PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                          &err, &off, NULL);
        if (!re)
                fail_msg("'%s' gave '%s', error %d at %zu", text, src, err,
                         (size_t)off);
        /* Bounded: no unbounded wildcard, no quantified group. */
        assert_null(strstr(src, ".*"));
        assert_null(strstr(src, ".+"));
        assert_null(strstr(src, ")+"));
        assert_null(strstr(src, ")*"));
        return re;
}

static void test_text_to_regex(void **state)
{
        (void)state;
        static const struct {
                const char *text, *subject;
                bool match;
        } cases[] = {
            {"'<servername>' is down", "'MAIL01' is down", true},
            {"'<servername>' is down", "MAIL01 is down", true},
            {"\"<Drive>:\\setup\"", "E:\\setup", true},
            {"Cannot open <file name> for writing",
             "Cannot open C:\\Program Files\\x.log for writing", true},
            {"Cannot open <file name> for writing", "Cannot open  for writing",
             false},
            {"The %1 service terminated with error %2!d!.",
             "The Remote Registry service terminated with error 1067", true},
            {"Event ID nnn from source xxx",
             "Event ID 2037 from source MSExchangeSA", true},
            {"Error 0xXXXXXXXX occurred", "Error 0xc0020035 occurred", true},
            {"The file version of 'x.dll' ... is not current.",
             "The file version of x.dll installed on MAIL01 is not "
             "current",
             true},
            {"Please wait...", "please wait", true},
            {"can't connect", "cant connect", true},
            {"can't connect", "can\xe2\x80\x99t connect", true},
            {"a.b(c)*", "A.B(C)*", true},
            {"a.b(c)*", "aXb(c)*", false},
            {"100% done", "100% done", true},
            {"boxxxes", "boxxxes", true}, /* not a whole word */
            {"boxxxes", "boYYYes", false},
            {"<servername>", "anything", true},
            {"\xe2\x80\x9cquoted\xe2\x80\x9d text", "\"quoted\" text", true},
            /* a bare file name finds the file with its folders */
            {"Initialization of the library crypt32.dll failed.",
             "Initialization of the library D:\\WINNT\\System32\\CRYPT32.dll "
             "failed.",
             true},
            {"library crypt32.dll failed",
             "library C:\\Program Files\\Common\\crypt32.dll failed", true},
            {"library crypt32.dll failed",
             "library /usr/lib/crypt32.dll failed", true},
            {"library crypt32.dll failed", "library xcrypt32.dll failed",
             false},
            {"library crypt32.dll failed", "library crypt32.dlls failed",
             false},
            /* placeholders at the ends match nothing, or anything */
            {"<add-in module> could not be loaded", "could not be loaded",
             true},
        };
        kbc_arena *a = kbc_arena_new();
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                pcre2_code *re = compile_text(a, cases[i].text);
                if (found(re, cases[i].subject) != cases[i].match)
                        fail_msg("'%s' (%s) %s '%s'", cases[i].text,
                                 kbc_text_to_regex(a, cases[i].text),
                                 cases[i].match ? "missed" : "matched",
                                 cases[i].subject);
                pcre2_code_free(re);
        }
        /* Placeholders side by side are one wildcard (two in a row
         * backtrack 80 x 80 times per position for nothing), and those at
         * either end are dropped. */
        assert_string_equal(kbc_text_to_regex(a, "<CR><LF>ERROR<CR><LF>"),
                            "ERROR");
        assert_string_equal(kbc_text_to_regex(a, "at %1 %2 in <file>"),
                            "at['\"\u2018\u2019\u201C\u201D]?\\s+"
                            "['\"\u2018\u2019\u201C\u201D]?"
                            ".{1,80}?['\"\u2018\u2019\u201C\u201D]?\\s+"
                            "['\"\u2018\u2019\u201C\u201D]?in");
        kbc_arena_free(a);
}

/* One problem of each file, at this line with this phrase. Each file has
 * just that problem, but for alias.yaml: its anchor and its alias. */
static const struct {
        const char *file;
        int line;
        const char *phrase;
} bad[] = {
    {"syntax.yaml", 9, "did not find expected ',' or '}'"},
    {"unknown_key.yaml", 8,
     "unknown key 'foo' in signal (valid: id, symptom, weight, match)"},
    {"missing_cause.yaml", 1, "missing required key 'cause' in rule"},
    {"dup_signal.yaml", 11, "duplicate signal id 's1' (first at line 6)"},
    {"bad_window.yaml", 5, "window: bad duration '10 minutes'"},
    {"weight_range.yaml", 8,
     "signal 's1': weight must be > 0 and <= 100, got '250'"},
    {"event_id_string.yaml", 8,
     "event_id must be an integer from 0 to 4294967295, got quoted "
     "'2037'"},
    {"event_id_list.yaml", 9, "got '70x4'"},
    {"bad_regex.yaml", 10,
     "signal 'imcadmin': bad regex at offset 14: missing closing "
     "parenthesis"},
    {"bad_data_regex.yaml", 9,
     "signal 'svc': data 'param1': bad regex at offset 16: missing "
     "terminating ]"},
    {"no_symptom.yaml", 6, "rule 'Q100001' has no symptom signal"},
    {"match_empty.yaml", 8, "signal 's1': match has no keys"},
    {"message_and_text.yaml", 10, "use message or text, not both"},
    {"event_key.yaml", 13,
     "unknown key 'event' in test event (valid: "
     "time, host, provider, channel, event_id, "
     "record_id, level, message, data)"},
    {"expect_key.yaml", 11,
     "unknown key 'winner' in expect (valid: kb, top, candidates, "
     "incidents)"},
    {"expect_incidents.yaml", 13,
     "test 'negative': incidents must be an integer >= 0, got '-1'"},
    {"event_time.yaml", 13,
     "test 'bad time': event 2: time: bad ISO 8601 time 'yesterday'"},
    {"severity.yaml", 5,
     "severity must be low, medium, high or critical, got 'urgent'"},
    {"title_type.yaml", 3, "title must be a string, got a mapping"},
    {"symptom_yes.yaml", 7, "symptom must be true or false, got 'yes'"},
    {"alias.yaml", 8, "anchor '&m' is not allowed in rule files"},
    {"alias.yaml", 10, "alias '*m' is not allowed in rule files"},
    {"two_docs.yaml", 9, "a second YAML document"},
    {"not_a_map.yaml", 1, "expected a rule"},
    {"empty.yaml", 1, "empty file"},
    {"bad_utf8.yaml", 2, "invalid trailing UTF-8 octet"},
    {"text_empty.yaml", 8, "text has nothing to match"},
};

static void test_bad_fixtures(void **state)
{
        (void)state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char path[512], prefix[600];
                diags d;
                snprintf(path, sizeof(path), DATA "/rules_bad/%s", bad[i].file);
                snprintf(prefix, sizeof(prefix), "%s:%d: ", path, bad[i].line);
                kbc_ruleset *rs = load1(path, &d);
                bool seen = false;
                for (int j = 0; j < d.n && j < 32; j++)
                        seen |= !strncmp(d.msg[j], prefix, strlen(prefix)) &&
                                strstr(d.msg[j], bad[i].phrase);
                int want = strcmp(bad[i].file, "alias.yaml") ? 1 : 2;
                if (rs || d.n != want || !seen) {
                        print_diags(&d);
                        kbc_ruleset_free(rs);
                        fail_msg("%s: want '%s...%s'", bad[i].file, prefix,
                                 bad[i].phrase);
                }
        }
}

static void test_every_problem_in_line_order(void **state)
{
        (void)state;
        static const char *const want[] = {
            ":1: missing required key 'resolution' in rule",
            ":3: cause has no value",
            ":4: severity must be",
            ":5: window must be longer than 0",
            ":8: signal 's1': weight must be > 0",
            ":9: unknown key 'colour' in match",
            ":10: missing required key 'id' in signal 2",
            ":11: signal 2: bad regex at offset 1",
            ":13: test 1: events is empty",
            ":14: test 1: expect has no keys",
        };
        diags d;
        kbc_ruleset *rs = load1(DATA "/rules_bad/many.yaml", &d);
        print_diags(&d);
        assert_null(rs);
        assert_int_equal(d.n, sizeof(want) / sizeof(want[0]));
        for (int i = 0; i < d.n; i++)
                assert_non_null(strstr(d.msg[i], want[i]));
}

static void test_duplicate_rule_ids(void **state)
{
        (void)state;
        diags d;
        kbc_ruleset *rs = load1(DATA "/rules_bad/dup", &d);
        print_diags(&d);
        assert_null(rs);
        assert_int_equal(d.n, 1);
        assert_string_equal(d.msg[0], DATA "/rules_bad/dup/b.yaml:2: "
                                           "duplicate rule id 'Q100001' "
                                           "(also defined at " DATA
                                           "/rules_bad/dup/a.yaml:1)");
}

/* Given as separate paths, a later path's rule replaces an earlier one's
 * (curated rules listed after the compiled corpus win). */
static void test_later_path_replaces_rule(void **state)
{
        (void)state;
        diags d = {0};
        const char *layered[] = {DATA "/rules_bad/dup/a.yaml",
                                 DATA "/rules_bad/dup/b.yaml"};
        kbc_ruleset *rs = kbc_ruleset_load(layered, 2, collect, &d);
        print_diags(&d);
        assert_non_null(rs);
        assert_int_equal(kbc_ruleset_count(rs), 1);
        assert_int_equal(kbc_ruleset_overridden(rs), 1);
        assert_string_equal(kbc_ruleset_rule(rs, 0)->file,
                            DATA "/rules_bad/dup/b.yaml");
        kbc_ruleset_free(rs);
}

static void test_paths(void **state)
{
        (void)state;
        diags d;

        assert_null(load1(DATA "/no-such-folder", &d));
        assert_int_equal(d.n, 1);
        assert_string_equal(d.msg[0], DATA "/no-such-folder: cannot open: "
                                           "No such file or directory");

        char dir[] = "/tmp/kbc-rules-XXXXXX";
        assert_non_null(mkdtemp(dir));
        assert_null(load1(dir, &d));
        assert_int_equal(d.n, 1);
        assert_non_null(strstr(d.msg[0], "no rule files"));
        rmdir(dir);

        /* No paths at all: an empty set, which is not an error. */
        memset(&d, 0, sizeof(d));
        kbc_ruleset *rs = kbc_ruleset_load(NULL, 0, collect, &d);
        assert_non_null(rs);
        assert_int_equal(kbc_ruleset_count(rs), 0);
        kbc_ruleset_free(rs);

        /* A NULL diag still refuses the set. */
        const char *p = DATA "/rules_bad/many.yaml";
        assert_null(kbc_ruleset_load(&p, 1, NULL, NULL));
}

/* Writes text to a new temporary *.yaml file; the caller unlinks it. */
static void write_temp(char *path, const char *text)
{
        int fd = mkstemps(path, 5);
        assert_true(fd >= 0);
        FILE *f = fdopen(fd, "w");
        assert_non_null(f);
        fputs(text, f);
        fclose(f);
}

static double now_s(void);

/* YAML that costs libyaml or a naive walk far more than its size: deep
 * flow nesting (quadratic in libyaml's scanner) and nested aliases
 * (exponential when walked). Each must be refused at once. */
static void test_hostile_yaml(void **state)
{
        (void)state;
        enum { DEPTH = 200000 };
        static const char head[] = "id: Q1\ntitle: t\ncause: c\n"
                                   "resolution: r\nsignals: ";
        char *text = malloc(sizeof(head) + 2 * DEPTH + 2);
        assert_non_null(text);
        memcpy(text, head, sizeof(head) - 1);
        memset(text + sizeof(head) - 1, '[', DEPTH);
        memset(text + sizeof(head) - 1 + DEPTH, ']', DEPTH);
        strcpy(text + sizeof(head) - 1 + 2 * DEPTH, "\n");

        char path[] = "/tmp/kbc-deep-XXXXXX.yaml";
        write_temp(path, text);
        free(text);
        diags d;
        double t0 = now_s();
        assert_null(load1(path, &d));
        assert_true(now_s() - t0 < 2.0);
        unlink(path);
        print_diags(&d);
        assert_int_equal(d.n, 1);
        assert_non_null(strstr(d.msg[0], ":5: nested deeper than 32 levels"));

        char path2[] = "/tmp/kbc-laughs-XXXXXX.yaml";
        write_temp(path2, "id: Q1\ntitle: t\ncause: c\nresolution: r\n"
                          "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                          "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                          "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                          "signals: &s [*c, *c, *c, *c, *c, *c, *c, *s]\n");
        assert_null(load1(path2, &d));
        unlink(path2);
        assert_int_equal(d.n, 4 + 28); /* every anchor and alias */
        assert_non_null(strstr(d.msg[0], ":5: anchor '&a' is not allowed"));
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_hostile_pattern_is_bounded(void **state)
{
        (void)state;
        char path[] = "/tmp/kbc-hostile-XXXXXX.yaml";
        write_temp(path, "id: Q999999\ntitle: t\ncause: c\nresolution: r\n"
                         "signals:\n  - id: evil\n    symptom: true\n"
                         "    match: { message: '(a+)+$' }\n");

        diags d;
        kbc_ruleset *rs = load1(path, &d);
        unlink(path);
        print_diags(&d);
        assert_non_null(rs);

        char subject[64];
        memset(subject, 'a', 50);
        strcpy(subject + 50, "!");
        double t0 = now_s();
        int rc = search(rs->rules[0].signals[0].message, subject);
        double took = now_s() - t0;
        assert_true(rc == PCRE2_ERROR_MATCHLIMIT ||
                    rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_NOMATCH);
        assert_true(took < 2.0);
        kbc_ruleset_free(rs);
}

/* A signal's detail: the words its phrase or regex requires, one more
 * each for a provider and an event id. Alternatives and optional groups
 * require none of their words. */
static void test_signal_detail(void **state)
{
        (void)state;
        char path[] = "/tmp/kbc-detail-XXXXXX.yaml";
        write_temp(path,
                   "id: Q1\ntitle: t\ncause: c\nresolution: r\nsignals:\n"
                   "  - id: a\n    symptom: true\n    match:\n"
                   "      provider: DrWatson\n      event_id: 4097\n"
                   "      message: 'application,\\s{1,8}+(?:[^,]{0,9}[\\\\/])?"
                   "snaservr\\.(?:exe|dbg|dll)\\b.{0,9}?exception generated "
                   "was (?:0x)?c0000005'\n"
                   "  - id: b\n    match: { text: \"Snaservr failed to "
                   "start\" }\n");
        const char *p = path;
        kbc_ruleset *rs = kbc_ruleset_load(&p, 1, NULL, NULL);
        assert_non_null(rs);
        const kbc_rule *r = kbc_ruleset_rule(rs, 0);
        /* application snaservr exception generated c0000005 ("was" tells
         * nothing), provider, event id */
        assert_int_equal(r->signals[0].detail, 5 + 2);
        /* snaservr start ("failed" and "to" tell nothing) */
        assert_int_equal(r->signals[1].detail, 2);
        kbc_ruleset_free(rs);
        unlink(path);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_ok_q247773),
            cmocka_unit_test(test_signal_detail),
            cmocka_unit_test(test_ok_defaults_and_data),
            cmocka_unit_test(test_text_variants),
            cmocka_unit_test(test_text_placeholders),
            cmocka_unit_test(test_text_to_regex),
            cmocka_unit_test(test_bad_fixtures),
            cmocka_unit_test(test_every_problem_in_line_order),
            cmocka_unit_test(test_duplicate_rule_ids),
            cmocka_unit_test(test_later_path_replaces_rule),
            cmocka_unit_test(test_paths),
            cmocka_unit_test(test_hostile_yaml),
            cmocka_unit_test(test_hostile_pattern_is_bounded),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
