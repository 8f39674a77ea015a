/*
 * test_compile.c - the KB compiler on articles built by hand (so the test
 * does not depend on the article parser): which signals become symptoms,
 * what is skipped and why, that the output loads as a rule set whose own
 * tests pass, and that it is stable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kbc_compile.h"
#include "kbc_engine.h"
#include "rule_internal.h"

static kbc_kb_signal message(const char *text)
{
        return (kbc_kb_signal){KBC_KB_MESSAGE, -1,         NULL, text,
                               NULL,           "SYMPTOMS", 10};
}

static kbc_kb_signal event(long id, const char *source, const char *text)
{
        return (kbc_kb_signal){KBC_KB_EVENT, id,         source, text,
                               NULL,         "SYMPTOMS", 12};
}

static kbc_kb_signal code(const char *c)
{
        return (kbc_kb_signal){KBC_KB_CODE, -1, NULL, NULL, c, "SYMPTOMS", 14};
}

static const kbc_kb_section sections[] = {
    {"SYMPTOMS", "An error appears.", 5},
    {"CAUSE", "The service is not running.\n\nIt was stopped.", 20},
    {"RESOLUTION", "  - Start the service.\n  - Set it to Automatic.", 25},
};

static kbc_kb_article article(const char *id, const kbc_kb_signal *sigs,
                              size_t n)
{
        static const char *const products[] = {"Microsoft Exchange"};
        return (kbc_kb_article){"test/article.txt",
                                id,
                                "A title & more",
                                "09-JAN-2000",
                                products,
                                1,
                                NULL,
                                0,
                                sections,
                                3,
                                sigs,
                                n};
}

#define ARTICLE(id, ...)                                                       \
        article(id, (kbc_kb_signal[]){__VA_ARGS__},                            \
                sizeof((kbc_kb_signal[]){__VA_ARGS__}) /                       \
                    sizeof(kbc_kb_signal))

static const char *compile(kbc_compiler *c, const kbc_kb_article *art,
                           kbc_compile_outcome expected)
{
        static kbc_buf out;
        kbc_buf_free(&out);
        kbc_buf_init(&out, 1 << 20);
        assert_int_equal(kbc_compiler_write(c, art, &out), expected);
        return out.data ? out.data : "";
}

static void test_seed_like_article(void **state)
{
        (void)state;
        kbc_compiler *c = kbc_compiler_new();
        kbc_kb_article a = ARTICLE(
            "Q247773", message("Extension SMTP could not be loaded."),
            event(2037, "MSExchangeSA",
                  "The file version of '\\add-ins\\smtp\\i386\\"
                  "imcadmin.dll' installed on the local server is not "
                  "current. Unable to locate a current version."),
            code("0xC0020035"), event(7036, "Service Control Manager", NULL));
        kbc_compiler_count(c, &a);
        const char *y = compile(c, &a, KBC_COMPILED);
        assert_non_null(strstr(y, "id: Q247773\n"));
        assert_non_null(
            strstr(y, "reference: https://support.microsoft.com/kb/247773\n"));
        /* The description is cut to its first sentence, weight 3. */
        assert_non_null(strstr(y, "  - id: event-2037-msexchangesa\n"
                                  "    symptom: true\n    weight: 3\n"));
        assert_non_null(strstr(y, "is not current.\"\n"));
        assert_null(strstr(y, "Unable to locate"));
        assert_non_null(
            strstr(y, "  - id: msg-extension-smtp-could-not-be-loaded\n"
                      "    symptom: true\n    weight: 2\n"));
        assert_non_null(strstr(y, "message: \"\\\\b(?:0x)?C0020035\\\\b\""));
        /* A routine 7036 supports, never triggers. */
        assert_non_null(strstr(y, "  - id: event-7036-service-control-manager\n"
                                  "    weight: 1\n"));
        /* Paragraphs kept as a literal block; indented text gets |2-. */
        assert_non_null(strstr(
            y,
            "cause: |-\n  The service is not running.\n\n  It was stopped.\n"));
        assert_non_null(
            strstr(y, "resolution: |2-\n    - Start the service.\n"));
        assert_non_null(strstr(y, "    expect: { top: Q247773 }\n"));
        kbc_compiler_free(c);
}

static void test_skips_say_why(void **state)
{
        (void)state;
        kbc_compiler *c = kbc_compiler_new();
        kbc_kb_article none = article("Q1", NULL, 0);
        kbc_kb_article generic =
            ARTICLE("Q2", message("Access is denied."),
                    event(7036, "Service Control Manager", NULL),
                    event(1000, NULL, NULL));
        assert_string_equal(compile(c, &none, KBC_SKIP_NO_SIGNAL), "");
        assert_string_equal(compile(c, &generic, KBC_SKIP_ONLY_GENERIC), "");
        kbc_compiler_free(c);
}

/* A phrase that many articles share cannot raise an incident alone. */
static void test_shared_phrase_is_not_a_symptom(void **state)
{
        (void)state;
        kbc_compiler *c = kbc_compiler_new();
        kbc_kb_article arts[7];
        kbc_kb_signal shared = message("The RPC server is unavailable now.");
        char ids[7][8];
        for (int i = 0; i < 7; i++) {
                snprintf(ids[i], sizeof(ids[i]), "Q%d", 100 + i);
                arts[i] = article(ids[i], &shared, 1);
                kbc_compiler_count(c, &arts[i]);
        }
        compile(c, &arts[0], KBC_SKIP_ONLY_GENERIC);
        kbc_compiler_free(c);

        c = kbc_compiler_new();
        for (int i = 0; i < 5; i++)
                kbc_compiler_count(c, &arts[i]);
        compile(c, &arts[0], KBC_COMPILED);
        kbc_compiler_free(c);
}

/* Bytes that are not UTF-8 (the corpus is Latin-1 in places) still give
 * a file that loads; the output is the same every time. */
static void test_output_loads_and_is_stable(void **state)
{
        (void)state;
        char dir[] = "/tmp/kbc-compile-XXXXXX", path[64];
        assert_non_null(mkdtemp(dir));
        kbc_compiler *c = kbc_compiler_new();
        kbc_kb_article a =
            ARTICLE("Q324332",
                    message("Extension 'SMTP' could not be loaded. A problem "
                            "occurred with the extension .DLL file."),
                    message("Processing file <Drive>:\\Sp4\\Eng\\Shared.ins at "
                            "or near line 7 caf\xe9 \"quoted\""),
                    code("0xC0020035"));
        kbc_compiler_count(c, &a);
        char *first = strdup(compile(c, &a, KBC_COMPILED));
        assert_string_equal(compile(c, &a, KBC_COMPILED), first);
        snprintf(path, sizeof(path), "%s/Q324332.yaml", dir);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fputs(first, f);
        fclose(f);

        const char *p = dir;
        kbc_ruleset *rs = kbc_ruleset_load(&p, 1, NULL, NULL);
        assert_non_null(rs);
        const kbc_rule *r = kbc_ruleset_rule(rs, 0);
        assert_string_equal(r->title, "A title & more");
        assert_int_equal(r->ntests, 1);
        assert_string_equal(r->tests[0].expect.top, "Q324332");
        assert_non_null(strstr(r->signals[1].message_src, "caf"));
        kbc_ruleset_free(rs);
        unlink(path);
        rmdir(dir);
        free(first);
        kbc_compiler_free(c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_seed_like_article),
            cmocka_unit_test(test_skips_say_why),
            cmocka_unit_test(test_shared_phrase_is_not_a_symptom),
            cmocka_unit_test(test_output_loads_and_is_stable),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
