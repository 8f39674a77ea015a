/*
 * test_json_tokenize.c - kbc_json_tokenize gives what Debian's jsmn gives
 * (tokens, return value, parser state), on texts chosen for the edges of
 * its 16-byte string scan and on every real event of the three captures.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

#include "json_tokenize_diff.h"

#define EVENTS_DIR KBC_SHARED_DIR "/data/events/"

static void assert_agree(const char *js, size_t len)
{
        /* from 1 token: every token allocation goes through a resume */
        if (!tokenizers_agree(js, len, 1, 4096) ||
            !tokenizers_agree(js, len, 512, 4096))
                fail_msg("jsmn and kbc_json_tokenize differ on: %.*s", (int)len,
                         js);
}

static void test_edges(void **state)
{
        (void)state;
        static const char *const texts[] = {
            "{}",
            "{\"a\":1}",
            "[1,2,[3]]",
            "{\"a\":\"b\\\"c\"}",
            "{\"a\":\"\\u00e9\\uD83D\\uDE00\"}",
            "{\"a\":\"\\u12\"}",
            "{\"a\":\"\\u12g4\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"abc\\",
            "{\"a\":\"abc",
            "{\"a\":tru",
            "{\"a\":true}",
            "{\"a\":-1.5e3,}",
            "{\"a\":1 \"b\"}",
            "{{}}",
            "{\"a\"{}}",
            "[}",
            "]",
            "{\"a\":[1}",
            "{\"k\":\"\xc3\xa9\xff\"}",
            "{\"a\":t\xc3rue}",
            "{\"a\":1}}",
            "{\"a\":\"b\",\"c\":{\"d\":[null,false,\"e\"]}}",
            "  \"s\"  ",
            "{\"a\":x}",
            "{\"a\":\"b\"c}",
            "{\"a\":\"b\" : 1}",
            "1 2 3",
        };
        for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++)
                assert_agree(texts[i], strlen(texts[i]));

        /* The quote, backslash, NUL and end of text at each place around
         * the scan's 16-byte steps. */
        char buf[80];
        static const char stops[] = {'"', '\\', '\0'};
        for (size_t at = 6; at < 60; at++)
                for (size_t s = 0; s < sizeof(stops); s++) {
                        memset(buf, 'x', sizeof(buf));
                        memcpy(buf, "{\"a\":\"", 6);
                        buf[at] = stops[s];
                        memcpy(buf + 70, "\"}", 2);
                        for (size_t len = at; len <= 72; len += 7)
                                assert_agree(buf, len);
                        assert_agree(buf, 72);
                }
}

static void test_real_events(void **state)
{
        (void)state;
        static const char *const files[] = {
            EVENTS_DIR "winlogbeat7-ecs.jsonl.xz",
            EVENTS_DIR "winlogbeat6-kafka.jsonl.xz",
            EVENTS_DIR "nxlog-wec-kafka.jsonl.xz",
        };
        size_t total = 0;
        for (size_t i = 0; i < sizeof(files) / sizeof(*files); i++) {
                if (access(files[i], R_OK) != 0)
                        fail_msg("missing test data %s: the shared/ folder "
                                 "must be beside the project",
                                 files[i]);
                char cmd[600];
                snprintf(cmd, sizeof(cmd), "xz -dc '%s'", files[i]);
                FILE *in = popen(cmd, "r");
                assert_non_null(in);
                char *line = NULL;
                size_t cap = 0;
                ssize_t n;
                while ((n = getline(&line, &cap, in)) > 0) {
                        /* some from few tokens: flags across resumes */
                        unsigned first = total % 50 ? 512 : 4;
                        if (!tokenizers_agree(line, (size_t)n, first, 65536))
                                fail_msg("%s: line %zu differs", files[i],
                                         total + 1);
                        total++;
                }
                free(line);
                assert_int_equal(pclose(in), 0);
        }
        assert_true(total > 40000);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_edges),
            cmocka_unit_test(test_real_events),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
