/*
 * test_kb_markdown.c - the third article form: Microsoft Learn markdown
 * (kb/kb_markdown.c), parsed and compiled.
 *
 * The fixtures in tests/data/kb_markdown are made-up articles in the form
 * of the MicrosoftDocs/SupportArticles-docs repository: one with a KB
 * number, a quoted event block, a sentence naming a log, an event table,
 * a note, a code fence and markdown noise; one without a KB number, whose
 * event is column-aligned in a code fence (the same file under two
 * folders, as the repository has them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_arena.h"
#include "kbc_buf.h"
#include "kbc_compile.h"
#include "kbc_kb.h"

#define FIXTURES KBC_TEST_DATA "/kb_markdown/support/windows-server"
#define DFSR     FIXTURES "/networking/dfsr-staging-quota-event-4202.md"
#define NETLOGON FIXTURES "/identity/netlogon-secure-channel-event-5719.md"

static char *slurp(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                fail_msg("cannot open %s", path);
        static char buf[1 << 16];
        *len = fread(buf, 1, sizeof(buf) - 1, f);
        fclose(f);
        buf[*len] = '\0';
        return buf;
}

static kbc_kb_article *parse_file(kbc_arena *a, const char *path)
{
        size_t len;
        const char *buf = slurp(path, &len);
        char err[256];
        kbc_kb_article *art = kbc_kb_parse(a, path, buf, len, err, sizeof(err));
        if (!art)
                fail_msg("%s: %s", path, err);
        return art;
}

static kbc_kb_article *parse_text(kbc_arena *a, const char *path,
                                  const char *text)
{
        char err[256];
        kbc_kb_article *art =
            kbc_kb_parse(a, path, text, strlen(text), err, sizeof(err));
        if (!art)
                fail_msg("%s: %s", path, err);
        return art;
}

static const kbc_kb_signal *find(const kbc_kb_article *art,
                                 kbc_kb_signal_kind kind, long id,
                                 const char *code)
{
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *s = &art->signals[i];
                if (s->kind == kind && s->event_id == id &&
                    (!code || (s->code && !strcmp(s->code, code))))
                        return s;
        }
        return NULL;
}

static void no_markdown_noise(const char *text)
{
        static const char *const noise[] = {"**",  "](",  "![",    "[!NOTE]",
                                            "\\<", "```", "&nbsp;"};
        for (size_t k = 0; k < sizeof(noise) / sizeof(*noise); k++)
                if (strstr(text, noise[k]))
                        fail_msg("\"%s\" in: %s", noise[k], text);
}

static void test_fields_and_sections(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_file(a, DFSR);
        assert_string_equal(art->id, "KB5000123");
        assert_string_equal(art->title, "DFS Replication logs Event ID 4202 "
                                        "when the staging quota is too small");
        assert_string_equal(art->date, "03/14/2024");
        assert_string_equal(art->url,
                            "https://learn.microsoft.com/troubleshoot/"
                            "windows-server/networking/"
                            "dfsr-staging-quota-event-4202");
        assert_int_equal(art->nproducts, 2);
        assert_string_equal(art->products[1], "Windows Server 2022");
        static const char *const names[] = {"SYMPTOMS", "CAUSE", "RESOLUTION",
                                            "MORE INFORMATION"};
        assert_int_equal(art->nsections, 4);
        for (size_t i = 0; i < 4; i++) {
                assert_string_equal(art->sections[i].name, names[i]);
                no_markdown_noise(art->sections[i].text);
        }
        /* A level-3 heading stays in its section's text; link syntax is
         * reduced to its text, images go. */
        const kbc_kb_section *fix = kbc_kb_section_get(art, "RESOLUTION");
        assert_non_null(strstr(fix->text, "Check the new quota"));
        const kbc_kb_section *cause = kbc_kb_section_get(art, "CAUSE");
        assert_non_null(
            strstr(cause->text, "smaller than the largest files it "));
        assert_null(strstr(cause->text, "screenshot"));
        kbc_arena_free(a);
}

static void test_signals(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_file(a, DFSR);
        /* The quoted block: its description to the end of the block, the
         * escapes undone. */
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 4202, NULL);
        assert_non_null(s);
        assert_string_equal(s->source, "DFSR");
        assert_string_equal(s->section, "SYMPTOMS");
        assert_non_null(strstr(s->text, "The DFS Replication service has "
                                        "detected that the staging space"));
        assert_non_null(strstr(s->text, "Replication Group ID: 6A1E0B2C"));
        assert_null(strstr(s->text, "Level"));
        /* A sentence naming the log */
        s = find(art, KBC_KB_EVENT, 1388, NULL);
        assert_non_null(s);
        assert_null(s->source);
        assert_string_equal(s->channel, "Directory Service");
        /* "error 8614 (0x21a6)" and a code in a note */
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x000021A6"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x80070005"));
        /* A table of event ids: one event per row, with its source */
        s = find(art, KBC_KB_EVENT, 4208, NULL);
        assert_non_null(s);
        assert_string_equal(s->source, "DFSR");
        assert_non_null(strstr(s->text, "above the staging quota"));
        /* The code fence's "# ----" is no heading, its command no signal */
        for (size_t i = 0; i < art->nsignals; i++)
                assert_true(!art->signals[i].text ||
                            !strstr(art->signals[i].text, "Get-ChildItem"));
        kbc_arena_free(a);
}

static void test_path_id_and_aligned_block(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_file(a, NETLOGON);
        /* No KB number: "MS-", 20 characters of the file name, a hash */
        assert_string_equal(art->id, "MS-netlogon-secure-chan-fefd41");
        assert_non_null(kbc_kb_section_get(art, "SYMPTOMS")); /* "Symptom" */
        assert_non_null(kbc_kb_section_get(art, "CAUSE"));    /* "Causes" */
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 5719, NULL);
        assert_non_null(s);
        assert_string_equal(s->source, "NETLOGON");
        assert_non_null(strstr(s->text, "was not able to set up a secure "
                                        "session"));
        /* The documentation's made-up domain is an example value */
        assert_non_null(strstr(s->text, "in domain <value> due to"));
        kbc_arena_free(a);
}

static void test_sources_as_windows_logs_them(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "The following events are logged:\n\n"
            "> Source: NTDS Replication\nEvent ID: 1925\nDescription:\n"
            "The attempt to establish a replication link failed.\n\n"
            "> Source: Microsoft-Windows- ActiveDirectory_DomainService\n"
            "Event ID: 1084\nDescription:\nInternal error: The directory "
            "service could not update the object.\n\n"
            "> Source: ActiveDirectory_DomainService / NTDS General\n"
            "Event ID: 1168\nDescription:\nInternal error: An Active "
            "Directory Domain Services error has occurred.\n\n"
            "Each DC logs a Directory Service event 1942. Look for SCECLI "
            "1202 events, and see [Event ID 2087: DNS lookup failure]"
            "(https://support.microsoft.com/help/4469661) or "
            "[event 1311](other-article.md).\n";
        kbc_arena *a = kbc_arena_new();
        char err[256];
        kbc_kb_article *art =
            kbc_kb_parse(a, "support/windows-server/x/y.md", text, strlen(text),
                         err, sizeof(err));
        assert_non_null(art);
        assert_string_equal(art->id, "MS-y");
        assert_string_equal(find(art, KBC_KB_EVENT, 1925, NULL)->source,
                            "Microsoft-Windows-ActiveDirectory_DomainService");
        assert_string_equal(find(art, KBC_KB_EVENT, 1925, NULL)->source_written,
                            "NTDS Replication");
        assert_string_equal(find(art, KBC_KB_EVENT, 1084, NULL)->source,
                            "Microsoft-Windows-ActiveDirectory_DomainService");
        assert_string_equal(find(art, KBC_KB_EVENT, 1168, NULL)->source,
                            "ActiveDirectory_DomainService");
        /* A role's log written where a source goes is the log */
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 1942, NULL);
        assert_non_null(s);
        assert_null(s->source);
        assert_string_equal(s->channel, "Directory Service");
        /* The source before the id */
        assert_string_equal(find(art, KBC_KB_EVENT, 1202, NULL)->source,
                            "SCECLI");
        /* Other articles' events, in the titles of links to them */
        assert_null(find(art, KBC_KB_EVENT, 2087, NULL));
        assert_null(find(art, KBC_KB_EVENT, 1311, NULL));
        kbc_arena_free(a);
}

/* A block that does not say its id is the event its intro announces;
 * "Message:" is its description. A log file's lines are no event. */
static void test_event_announced_above_its_block(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "You see many of them. Here's an example of Event ID 4780:\n\n"
            "```output\nLevel:    Information\n"
            "Source: Microsoft-Windows-Security-Auditing\n"
            "Message:  The ACL was set on accounts which are members of "
            "administrators groups.\n```\n\n"
            "Event 5719 is no longer logged. The following lines are "
            "recorded in Netlogon.log instead:\n\n"
            "```output\n[CRITICAL] [960] CONTOSO: NlSessionSetup: Session "
            "setup: cannot pick trusted DC\n```\n";
        kbc_arena *a = kbc_arena_new();
        char err[256];
        kbc_kb_article *art =
            kbc_kb_parse(a, "x.md", text, strlen(text), err, sizeof(err));
        assert_non_null(art);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 4780, NULL);
        assert_non_null(s);
        assert_string_equal(s->source, "Microsoft-Windows-Security-Auditing");
        assert_non_null(strstr(s->text, "The ACL was set on accounts"));
        s = find(art, KBC_KB_EVENT, 5719, NULL);
        assert_true(!s || !s->text);
        /* Compiled: an audit event opens a case at its level, Information */
        kbc_compiler *c = kbc_compiler_new();
        kbc_compiler_count(c, art);
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        art->url = "https://learn.microsoft.com/troubleshoot/x";
        assert_int_equal(kbc_compiler_write(c, art, &out, NULL), KBC_COMPILED);
        assert_non_null(strstr(out.data, "      event_id: 4780\n"
                                         "      text: \"The ACL was set"));
        kbc_buf_free(&out);
        kbc_compiler_free(c);
        kbc_arena_free(a);
}

/* Without Cause and Resolution headings, the sections that explain and
 * fix stand for them, in that order. */
static void test_own_section_names(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n"
            "## Symptoms\n\n> Source: Microsoft-Windows-Backup\n"
            "Event ID: 517\nDescription:\nThe backup operation that "
            "started at time failed with an error.\n\n"
            "## The catalog is corrupted\n\nThe backup catalog was damaged by "
            "a disk failure.\n\n"
            "## Delete the catalog\n\nRun wbadmin delete catalog.\n";
        kbc_arena *a = kbc_arena_new();
        char err[256];
        kbc_kb_article *art =
            kbc_kb_parse(a, "support/windows-server/backup/x.md", text,
                         strlen(text), err, sizeof(err));
        assert_non_null(art);
        kbc_compiler *c = kbc_compiler_new();
        kbc_compiler_count(c, art);
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        assert_int_equal(kbc_compiler_write(c, art, &out, NULL), KBC_COMPILED);
        assert_non_null(strstr(out.data,
                               "cause: |-\n  The backup catalog was damaged "
                               "by a disk failure.\nresolution: |-\n  Run "
                               "wbadmin delete catalog.\n"));
        kbc_buf_free(&out);
        kbc_compiler_free(c);
        kbc_arena_free(a);
}

/* Front matter without an ms.* key is still a Jekyll page of the archive. */
static void test_jekyll_is_not_markdown(void **state)
{
        (void)state;
        static const char text[] = "---\ntitle: \"Q1: x\"\n---\n# Symptoms\n";
        kbc_arena *a = kbc_arena_new();
        char err[256];
        assert_null(kbc_kb_parse(a, "x", text, strlen(text), err, sizeof(err)));
        assert_non_null(strstr(err, "Article:"));
        kbc_arena_free(a);
}

static void test_compiled(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_file(a, DFSR);
        kbc_compiler *c = kbc_compiler_new();
        kbc_compiler_count(c, art);
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        assert_int_equal(kbc_compiler_write(c, art, &out, NULL), KBC_COMPILED);
        const char *y = out.data;
        assert_non_null(
            strstr(y, "reference: https://learn.microsoft.com/troubleshoot/"
                      "windows-server/networking/"
                      "dfsr-staging-quota-event-4202\n"));
        /* Cause: its first paragraph; resolution: the lead-in and its
         * list, not the later advice. */
        assert_non_null(strstr(y, "cause: |-\n  The staging quota of the "
                                  "replicated folder is smaller than the "
                                  "largest files it replicates.\n"
                                  "resolution:"));
        assert_non_null(strstr(y, "  2. Set the staging quota to at least "
                                  "their total size.\nsignals:"));
        /* The description is cut before the example path: another
         * folder's event matches too. Symptoms need a problem level. */
        assert_non_null(strstr(y, "      provider: \"DFSR\"\n"
                                  "      event_id: 4202\n"
                                  "      problem: true\n"
                                  "      text: \"The DFS Replication service "
                                  "has detected that the staging space in "
                                  "use for the replicated folder at local "
                                  "path\"\n"));
        /* ... and the event alone, for another wording of it: as heavy
         * as with its words, since the title says the article is about
         * it */
        assert_non_null(strstr(y, "  - id: event-4202-dfsr-2\n"
                                  "    symptom: true\n    weight: 3\n"
                                  "    match:\n      provider: \"DFSR\"\n"
                                  "      event_id: 4202\n"
                                  "      problem: true\n  - id:"));
        assert_non_null(strstr(y, "      event_id: 1388\n"
                                  "      problem: true\n"
                                  "      channel: \"Directory Service\"\n"));
        no_markdown_noise(y);
        kbc_buf_free(&out);
        kbc_compiler_free(c);
        kbc_arena_free(a);
}

/* Tables whose header joins the id to more ("Event ID or Event ID/Error
 * status", "Event source + event ID"): one event per row, its id the
 * number the cell starts or ends with; a row that links to another
 * article lends it no event. */
static void test_event_tables(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "|Event source|Event ID or <br/>Event ID/Error status|Event "
            "string|\n|---|---|---|\n"
            "|Microsoft-Windows-ActiveDirectory_DomainService|1309/8418|The "
            "Knowledge Consistency Checker (KCC) has detected that "
            "successive attempts to replicate have failed.|\n"
            "|NTDS Replication|1085 with error status 1818|Internal event: "
            "Active Directory could not synchronize the partition.|\n\n"
            "|Event source + event ID|Event text|\n|---|---|\n"
            "|NTDS ISAM 474|The database page read from the file failed "
            "verification.|\n\n"
            "| Error code | Event ID and source, if appropriate | More "
            "information |\n| - | - | - |\n"
            "| 8614 | 2042 NTDS Replication | [Replication error 8614]"
            "(replication-error-8614.md) |\n"
            "| 1340 | 1450 NTDS SDProp | |\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 1309, NULL);
        assert_non_null(s);
        assert_string_equal(s->source,
                            "Microsoft-Windows-ActiveDirectory_DomainService");
        assert_non_null(strstr(s->text, "The Knowledge Consistency Checker"));
        s = find(art, KBC_KB_EVENT, 1085, NULL);
        assert_non_null(s);
        assert_string_equal(s->source_written, "NTDS Replication");
        assert_true(!strncmp(s->text, "Internal event:", 15));
        s = find(art, KBC_KB_EVENT, 474, NULL);
        assert_non_null(s);
        assert_string_equal(s->source_written, "NTDS ISAM");
        assert_non_null(strstr(s->text, "failed verification"));
        assert_string_equal(find(art, KBC_KB_EVENT, 1450, NULL)->source_written,
                            "NTDS SDProp");
        assert_null(find(art, KBC_KB_EVENT, 2042, NULL));
        kbc_arena_free(a);
}

/* "Below is an example of a SCECLI 1202 event." anywhere in its paragraph
 * announces the quote under it, with its source; "Event Text:" is the
 * description. */
static void test_example_below(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Summary\n\n"
            "First identify the code of the SCECLI 1202 event. Below is an "
            "example of a SCECLI 1202 event. The error code is shown in the "
            "Description field.\n\n"
            "> 0x534: No mapping between account names and security IDs was "
            "done.\n\n"
            "An event 1704 entry that resembles the following is logged:\n\n"
            "> Log Name: Directory Service\nEvent ID :1704\n"
            "Event Source: NTDS Replication\n"
            "Event Text: The global catalog initiated replication of a "
            "member of the partial attribute set.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 1202, NULL);
        assert_non_null(s);
        assert_string_equal(s->source, "SCECLI");
        assert_string_equal(s->text, "0x534: No mapping between account "
                                     "names and security IDs was done.");
        s = find(art, KBC_KB_EVENT, 1704, NULL);
        assert_non_null(s);
        assert_true(!strncmp(s->text, "The global catalog initiated", 28));
        kbc_arena_free(a);
}

/* The event a title names is the one the article is about: alone, it
 * names the article as surely as with its words, and the article that
 * only shows it beside its own event weighs it less. */
static void test_titled_events(void **state)
{
        (void)state;
        static const char about[] =
            "---\nms.date: 1/2/2023\ntitle: Troubleshoot Event ID 1311 "
            "messages\n---\n## Symptoms\n\n"
            "> Source: NTDS KCC\nEvent ID: 1311\nDescription:\nThe Directory "
            "Service consistency checker has determined that there is not "
            "enough physical connectivity.\n";
        static const char beside[] =
            "---\nms.date: 1/2/2023\ntitle: AD replication isn't working "
            "with event 1865 logged\n---\n## Symptoms\n\n"
            "> Source: NTDS KCC\nEvent ID: 1865\nDescription:\nThe Knowledge "
            "Consistency Checker (KCC) was unable to form a complete "
            "spanning tree network topology.\n\n"
            "> Source: NTDS KCC\nEvent ID: 1311\nDescription:\nThe Knowledge "
            "Consistency Checker (KCC) has detected problems with the "
            "following directory partition.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *x =
            parse_text(a, "support/windows-server/x/a.md", about);
        kbc_kb_article *y =
            parse_text(a, "support/windows-server/x/b.md", beside);
        assert_true(find(x, KBC_KB_EVENT, 1311, NULL)->titled);
        assert_true(find(y, KBC_KB_EVENT, 1865, NULL)->titled);
        assert_false(find(y, KBC_KB_EVENT, 1311, NULL)->titled);
        kbc_compiler *c = kbc_compiler_new();
        kbc_compiler_count(c, x);
        kbc_compiler_count(c, y);
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        assert_int_equal(kbc_compiler_write(c, x, &out, NULL), KBC_COMPILED);
        assert_non_null(strstr(out.data, "-2\n    symptom: true\n"
                                         "    weight: 3\n    match:\n"
                                         "      provider: [\"Microsoft-Windows-"
                                         "ActiveDirectory_DomainService\", "
                                         "\"NTDS KCC\"]\n"
                                         "      event_id: 1311\n"
                                         "      problem: true\ntests:"));
        kbc_buf_reset(&out);
        assert_int_equal(kbc_compiler_write(c, y, &out, NULL), KBC_COMPILED);
        assert_non_null(strstr(out.data, "    weight: 2\n    match:\n"
                                         "      provider: [\"Microsoft-Windows-"
                                         "ActiveDirectory_DomainService\", "
                                         "\"NTDS KCC\"]\n"
                                         "      event_id: 1311\n"
                                         "      problem: true\n"
                                         "      text: \"The Knowledge"));
        kbc_buf_free(&out);
        kbc_compiler_free(c);
        kbc_arena_free(a);
}

/* The error a title names is the article's: marked titled, added when
 * the body does not write it as a code, weighed 4 and found as Windows
 * logs it; a generic failure (0x5, E_FAIL) is no title's. */
static void test_titled_codes(void **state)
{
        (void)state;
        static const char decimal[] =
            "---\nms.date: 1/2/2023\ntitle: AD Replication Error 1127 "
            "While accessing the hard disk\n---\n## Symptoms\n\n"
            "> Source: NTDS Replication\nEvent ID: 1084\nDescription:\n"
            "Internal event: Active Directory could not update the "
            "following object.\n";
        static const char hex[] =
            "---\nms.date: 1/2/2023\ntitle: Event 1202 with status 0x534 "
            "or 0x80004005 logged\n---\n## Symptoms\n\n"
            "The status is 0x00000534 here, and 0x00000005 there.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *x = parse_text(a, "support/x/a.md", decimal);
        kbc_kb_article *y = parse_text(a, "support/x/b.md", hex);
        const kbc_kb_signal *s = find(x, KBC_KB_CODE, -1, "0x00000467");
        assert_non_null(s);
        assert_true(s->titled);
        assert_true(find(y, KBC_KB_CODE, -1, "0x00000534")->titled);
        assert_false(find(y, KBC_KB_CODE, -1, "0x00000005")->titled);
        assert_null(find(y, KBC_KB_CODE, -1, "0x80004005"));
        kbc_compiler *c = kbc_compiler_new();
        kbc_compiler_count(c, x);
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        assert_int_equal(kbc_compiler_write(c, x, &out, NULL), KBC_COMPILED);
        assert_non_null(strstr(
            out.data, "    weight: 4\n    match:\n      problem: true\n"));
        assert_non_null(strstr(out.data, "(?:0x467|1127))\\\\b\""));
        kbc_buf_free(&out);
        kbc_compiler_free(c);
        kbc_arena_free(a);
}

/* The provider a sentence says its events are of ("two kinds of DFSR
 * events: Event ID 4302 and Event ID 4304") is the source of ids it names
 * alone; a sentence's first word ("Possible events include") is none. */
static void test_events_of_a_provider(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## More information\n\n"
            "There two kinds of DFSR events for sharing violations: Event "
            "ID 4302 and Event ID 4304.\n\n"
            "Possible events include: Event ID 467 and Event ID 474.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "support/x/y.md", text);
        assert_string_equal(find(art, KBC_KB_EVENT, 4302, NULL)->source,
                            "DFSR");
        assert_string_equal(find(art, KBC_KB_EVENT, 4304, NULL)->source,
                            "DFSR");
        assert_null(find(art, KBC_KB_EVENT, 467, NULL)->source);
        kbc_arena_free(a);
}

/* The compiled rule of a Learn article, for tests that look at it. */
static const char *compiled(kbc_arena *a, const kbc_kb_article *art)
{
        kbc_compiler *c = kbc_compiler_new();
        kbc_compiler_count(c, art);
        kbc_buf out;
        kbc_buf_init(&out, 1 << 20);
        assert_int_equal(kbc_compiler_write(c, art, &out, NULL), KBC_COMPILED);
        const char *y = kbc_arena_strdup(a, out.data);
        kbc_buf_free(&out);
        kbc_compiler_free(c);
        return y;
}

/* "from the server host/myserver.domain.com": the service class glued to
 * the example name is the name's; Windows logs "from the server
 * iisnode03$" today, so the pattern ends before it. */
static void test_value_glued_to_a_word(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "> Event ID: 4  \nSource: Kerberos  \nType: Error\n>\n"
            "> \"The kerberos client received a KRB_AP_ERR_MODIFIED error "
            "from the server host/myserver.domain.com. This indicates that "
            "the password is different.\"\n";
        kbc_arena *a = kbc_arena_new();
        const char *y = compiled(a, parse_text(a, "support/x/k.md", text));
        assert_non_null(strstr(y, "KRB_AP_ERR_MODIFIED error from the "
                                  "server\"\n"));
        kbc_arena_free(a);
}

/* Userenv's events are logged by the Group Policy service today (1000 to
 * 1499, same ids, other words) and by the User Profile Service (1500 on):
 * the event the article is about stands for itself under that name,
 * while one it shows beside keeps needing Userenv's words. */
static void test_userenv_as_windows_logs_it(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: Event ID 1053 is logged when "
            "you use the gpupdate command\n---\n## Symptoms\n\n"
            "> Event Type: Error  \nEvent Source: Userenv  \n"
            "Event ID: 1053  \nDescription:  \nWindows cannot determine the "
            "user or computer name. (Not enough storage is available.)\n\n"
            "> Event Type: Error  \nEvent Source: Userenv  \n"
            "Event ID: 1000  \nDescription:  \nWindows cannot access the "
            "registry policy file of the computer.\n\n"
            "> Event Type: Error  \nEvent Source: Userenv  \n"
            "Event ID: 1511  \nDescription:  \nWindows cannot find the "
            "local profile and is logging you on with a temporary "
            "profile.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "support/x/u.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 1053, NULL);
        assert_non_null(s);
        assert_string_equal(s->source, "Microsoft-Windows-GroupPolicy");
        assert_string_equal(s->source_written, "Userenv");
        assert_string_equal(find(art, KBC_KB_EVENT, 1511, NULL)->source,
                            "Microsoft-Windows-User Profiles Service");
        const char *y = compiled(a, art);
        assert_non_null(strstr(y, "  - id: event-1053-microsoft-windows-"
                                  "grouppolicy-2\n    symptom: true\n"
                                  "    weight: 3\n"));
        assert_null(strstr(y, "event-1000-microsoft-windows-grouppolicy-2"));
        kbc_arena_free(a);
}

static const char vmms_row[] =
    "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
    "- Error 4\n\n"
    "    > Error   Event 19100   Hyper-V-VMMS 19100    'BackupVM' "
    "background disk merge failed to complete: General access denied "
    "error (0x80070005)\n";

/* A row of Event Viewer's list after the event ("Event 19100
 * Hyper-V-VMMS 19100 'BackupVM' ..."): the name before the id repeated
 * is the source, and the message follows. */
static void test_event_list_row(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "support/x/v.md", vmms_row);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 19100, NULL);
        assert_non_null(s);
        assert_non_null(s->source);
        assert_string_equal(s->source, "Hyper-V-VMMS");
        assert_non_null(s->text);
        assert_string_equal(s->text, "'BackupVM' background disk merge "
                                     "failed to complete: General access "
                                     "denied error (0x80070005)");
        kbc_arena_free(a);
}

/* "'BackupVM' background disk merge ...": the quoted name an event's
 * message opens with is its object, another VM on another host. */
static void test_quoted_subject_is_a_value(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        const char *y = compiled(a, parse_text(a, "support/x/v.md", vmms_row));
        assert_non_null(strstr(y, "      text: \"<value> background disk "
                                  "merge failed to complete"));
        kbc_arena_free(a);
}

/* "User32" in a row's source column is the provider of 1074, not a
 * numbered user made up for the example: each row keeps its own source. */
static void test_source_is_no_example_name(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "|Event log |Event source |ID |Message text |\n"
            "|---------|---------|---------|---------|\n"
            "|System |User32 |1074 |The process wininit.exe has initiated "
            "the restart of computer.|\n"
            "|System |Service Control Manager |7000 |The service failed to "
            "start.|\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 1074, NULL);
        assert_non_null(s);
        assert_non_null(s->source);
        assert_string_equal(s->source, "User32");
        kbc_arena_free(a);
}

/* "Windows Firewall With Advanced Security": a capitalized "With" inside
 * a source's name does not end it. */
static void test_source_with_with(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "> Log Name: Microsoft-Windows-Windows Firewall With Advanced "
            "Security/Firewall  \n"
            "Source: Microsoft-Windows-Windows Firewall With Advanced "
            "Security  \n"
            "Event ID: 2005  \n"
            "Description: A rule has been modified.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 2005, NULL);
        assert_non_null(s);
        assert_non_null(s->source);
        assert_string_equal(
            s->source,
            "Microsoft-Windows-Windows Firewall With Advanced Security");
        kbc_arena_free(a);
}

/* "Event ID 56 with source TermDD in the system event logs": the source
 * written in the sentence, without the words after it. */
static void test_source_in_prose(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## More information\n\n"
            "You may also see Event ID 56 with source TermDD in the system "
            "event logs on the server for every unsuccessful attempt.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 56, NULL);
        assert_non_null(s);
        assert_non_null(s->source);
        assert_string_equal(s->source, "TermDD");
        kbc_arena_free(a);
}

/* "## Error code 0x4b8: An extended error has occurred": a section about
 * one error names its code in the heading only. */
static void test_heading_codes(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Summary\n\n"
            "Find the section of the error code.\n\n"
            "## Error code 0x4b8: An extended error has occurred\n\n"
            "The error is generic.\n\n"
            "## About RT (NTDSCONN_OPT_RODC_TOPOLOGY, 0x00000040)\n\n"
            "A flag.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x000004B8"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x00000040"));
        kbc_arena_free(a);
}

/* "[gle=0x000003f0]": setup logs write GetLastError's value after "gle=";
 * a code, not a field's value. */
static void test_gle_code(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "The following entry is logged in the Setupact log:\n\n"
            "```output\n"
            "Info MIG Instantiating an interface\n"
            "Error MIG Failed to create CBS session 9. "
            "[gle=0x000003f0]\n"
            "```\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x000003F0"));
        kbc_arena_free(a);
}

/* The blocks of event id the article keeps, each with a source; their
 * number, and whether one of them says words. */
static size_t sourced_blocks(const kbc_kb_article *art, long id,
                             const char *words, bool *said)
{
        size_t n = 0;
        *said = false;
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *s = &art->signals[i];
                if (s->kind != KBC_KB_EVENT || s->event_id != id)
                        continue;
                n++;
                assert_non_null(s->source);
                *said |= s->text && strstr(s->text, words) != NULL;
        }
        return n;
}

/* One event quoted twice with two descriptions (one per error it can
 * report): both blocks are kept, each with its own words. */
static void test_event_blocks_kept_apart(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "You receive event ID 5120.\n\n"
            "> Event ID: 5120  \n"
            "Source: Microsoft-Windows-FailoverCluster  \n"
            "Description: Cluster Shared Volume is no longer available on "
            "this node because of 'STATUS_BAD_NETWORK_PATH(c00000be)'.  \n"
            ">\n"
            "> Event ID: 5120  \n"
            "Source: Microsoft-Windows-FailoverCluster  \n"
            "Description: Cluster Shared Volume is no longer available on "
            "this node because of 'STATUS_MEDIA_WRITE_PROTECTED(c00000a2)'. "
            "All I/O will temporarily be queued.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        bool second;
        assert_int_equal(sourced_blocks(art, 5120, "All I/O", &second), 2);
        assert_true(second);
        kbc_arena_free(a);
}

/* "Event ID generated: 5142": a label with a word before its colon heads
 * the block, so the event keeps its source and words rather than only the
 * bare "event ID 5120 or 5142" of the sentence above. */
static void test_event_label_with_a_word(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "You receive event ID 5120 or 5142.\n\n"
            "> Event ID generated: 5142  \n"
            "Source: Microsoft-Windows-FailoverCluster  \n"
            "Description: Cluster Shared Volume is no longer accessible from "
            "this cluster node because of error 'ERROR_TIMEOUT(1460)'.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 5142, NULL);
        assert_non_null(s);
        assert_non_null(s->source);
        assert_string_equal(s->source, "Microsoft-Windows-FailoverCluster");
        assert_non_null(s->text);
        assert_non_null(strstr(s->text, "no longer accessible"));
        kbc_arena_free(a);
}

/* Decimal error codes in the body: after "error", "status", "WIN32:" or
 * "failed with", or glued to an error's name ("ERROR_TIMEOUT(1460)"); a
 * small number only after "code" or a colon, and never one its hex
 * follows or an HTTP status. */
static void test_decimal_codes(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "The lookup failed with status 1376. The call returned a "
            "failure status code of (1307).\n\n"
            "> 0x80072098 (WIN32: 8344 ERROR_DS_INSUFF_ACCESS_RIGHTS).\n\n"
            "Kerberos fails with error code 6. The error code was '3'.\n\n"
            "The disk is unreachable because of error "
            "'ERROR_TIMEOUT(1460)'.\n\n"
            "- Error 1\n- Error 2927 (0x8033809d)\n\n"
            "You see HTTP Error 500 after 2 retries.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00000560"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x0000051B"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00002098"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00000006"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00000003"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x000005B4"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x00000001"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x00000B6F"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x000001F4"));
        /* in line order, with the codes the first pass found (0x80072098
         * is found before "status 1376" is, and stands after it;
         * fuzz_kb_parse found the disorder) */
        for (size_t i = 1; i < art->nsignals; i++)
                assert_true(art->signals[i - 1].line <= art->signals[i].line);
        kbc_arena_free(a);
}

/* An event written "SOURCE ID event", found by a pass after the others,
 * stands in line order before a later line's event (fuzz_kb_parse found
 * it appended last). */
static void test_source_first_event_in_line_order(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "See the NTDS Replication 1084 event first.\n\n"
            "Then Event ID 1925 is logged in the Directory Service log.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_EVENT, 1084, NULL));
        for (size_t i = 1; i < art->nsignals; i++)
                assert_true(art->signals[i - 1].line <= art->signals[i].line);
        kbc_arena_free(a);
}

/* What dcdiag or a command at a prompt prints is the tool's report, even
 * under "you may see error messages that resemble the following:"; the
 * messages quoted before it stay, one of them opening with a path. */
static void test_command_output_is_no_message(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "You receive the following error message:\n"
            "> Cannot create the object because directory service was unable "
            "to allocate a relative identifier.\n\n"
            "You may receive the following error message:\n\n"
            "```output\n"
            "C:\\<dirname>\\App.exe is not a valid Win32 application.\n"
            "```\n\n"
            "When you type `Dcdiag /v`, you may see error messages that "
            "resemble the following:\n"
            "> Starting test: RidManager\n>\n"
            "> Warning: rid set reference is deleted.\n\n"
            "You receive output that is similar to the following error:\n\n"
            "```console\n"
            "C:\\>nltest /server:machine1 /sc_query:contoso\n"
            "Trusted DC Connection Status Status = 5 0x5 "
            "ERROR_ACCESS_DENIED\n"
            "```\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        size_t messages = 0;
        for (size_t i = 0; i < art->nsignals; i++)
                messages += art->signals[i].kind == KBC_KB_MESSAGE;
        assert_int_equal(messages, 2);
        assert_non_null(strstr(art->signals[0].text, "Cannot create"));
        assert_non_null(strstr(art->signals[1].text, "not a valid Win32"));
        kbc_arena_free(a);
}

/* A sentence's period before a code is no version's dot: "perform the
 * operation. 0x80072098" is a code, "1+0x80001234" is not. */
static void test_code_after_a_sentence(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "The user has insufficient access rights to perform the "
            "operation. 0x80072098 (WIN32: 8344).\n\n"
            "The sum is 1+0x80001234.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x80072098"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x80001234"));
        kbc_arena_free(a);
}

/* "If event 5722 was logged then, type the following command:" tells what
 * to type; the block under it is no example of the event. */
static void test_command_under_an_event_step(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Resolution\n\n"
            "1. If event 5722 was logged at that time, check the secure "
            "channel by typing the following command:\n\n"
            "    ```console\n"
            "    Nltest /server:ComputerName /sc_query:DomainName\n"
            "    ```\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 5722, NULL);
        assert_true(!s || !s->text || !strstr(s->text, "Nltest"));
        kbc_arena_free(a);
}

/* An event quoted in full, then again under a bullet with the words one
 * of its errors gives ("- Event 5788" over "> Access is denied."): the
 * second block is kept too, under the source the first one names. A step
 * that speaks of the event over a command is no such block. */
static void test_event_quoted_again_without_source(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "The following event is logged:\n\n"
            "> Event ID: 5788  \n"
            "Source: NETLOGON  \n"
            "Description: Attempt to update Service Principal Name (SPN) "
            "of the computer object failed.\n\n"
            "## Cause\n\n"
            "The error messages that correspond to the events are as "
            "follows:\n\n"
            "- Event 5788\n"
            "  > Access is denied.\n\n"
            "1. If event 5788 was logged at that time, type:\n\n"
            "    ```console\n"
            "    Nltest /server:ComputerName /sc_query:DomainName\n"
            "    ```\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        bool denied;
        assert_int_equal(sourced_blocks(art, 5788, "Access is denied", &denied),
                         2);
        assert_true(denied);
        kbc_arena_free(a);
}

/* "LDAP: Error Message = 0000200B: AtrErr: DSID-03151E6D": the first word
 * of an LDAP extended error is the Win32 error, even after "=". */
static void test_ldap_extended_error(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## More information\n\n"
            "The network trace shows:\n"
            "LDAP: Error Message = 0000200B: AtrErr: DSID-03151E6D\n\n"
            "The value = 0000200C: the next field.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x0000200B"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x0000200C"));
        kbc_arena_free(a);
}

/* A table's code column ("Code", "Error code") lists the errors it is
 * about in decimal: each is a code, even in a row that links elsewhere;
 * a cell of words or hex is not read as one, nor a number in another
 * column. */
static void test_table_code_column(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## More information\n\n"
            "| **Code**| **Sources**| **Additional Information** |\n"
            "|---|---|---|\n"
            "| 8451|Repadmin, DcPromo|Refer to the guide for 8451.|\n"
            "| 8456 or 8457 | 1308 NTDS KCC | [Error 8456](error-8456.md) |\n"
            "| ERROR_DS_BUSY | 8206 | none |\n\n"
            "| Error code | Event ID | More information |\n"
            "|---|---|---|\n"
            "| 1340 | 1450 | The ACL could not be built. |\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00002103"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00002108"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00002109"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x0000053C"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x0000200E"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x000005AA"));
        const kbc_kb_signal *e = find(art, KBC_KB_EVENT, 1450, NULL);
        assert_non_null(e);
        for (size_t i = 1; i < art->nsignals; i++)
                assert_true(art->signals[i - 1].line <= art->signals[i].line);
        kbc_arena_free(a);
}

/* Event Viewer's copy of an event's additional data puts the error on
 * the line after "Error value:", its number before its text; an LDAP
 * result before an extended error is no such line. */
static void test_error_value_on_next_line(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "> Log Name: Directory Service\n"
            "Source: Microsoft-Windows-ActiveDirectory_DomainService\n"
            "Event ID: 1925\n"
            "Description:\nThe attempt to establish a replication link "
            "failed.\n"
            ">\n> Additional Data  \nError value:  \n"
            "8524 The DSA operation is unable to proceed because of a DNS "
            "lookup failure.\n\n"
            "> Additional Data\n> Error value:\n"
            "> 7 000020D9: SvcErr: DSID-xxxxxxxx, problem 5001 (BUSY)\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x0000214C"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x00000007"));
        kbc_arena_free(a);
}

/* SqlException's errors dumped field by field: the Number of each is
 * an error code; other fields and other objects' numbers are not. */
static void test_error_number_field(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "```output\n"
            "HelpLink.EvtID: 8115\n"
            "SqlError-1.Class: 16\n"
            "SqlError-1.Number: 3606\n"
            "SqlError-0.Number: 8115\n"
            "Row.Number: 4711\n"
            "```\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00000E16"));
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x00001FB3"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x00000010"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x00001267"));
        kbc_arena_free(a);
}

/* "Source: User Device Registration": a provider's name may open with a
 * word that is also a block label's ("User"); "Event Category: None"
 * on the source's line is still no source. */
static void test_source_opens_with_a_label_word(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "> Log Name: Microsoft-Windows-User Device Registration/Admin  \n"
            "Source: User Device Registration  \n"
            "Event ID: 307  \n"
            "Level: Error  \n"
            "Description:  \n"
            "Automatic registration failed.\n\n"
            "> Event Type: Error  \n"
            "Event Source: Event Category: None  \n"
            "Event ID: 1000  \n"
            "Description: The extension returned a failure.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 307, NULL);
        assert_non_null(s);
        assert_non_null(s->source);
        assert_string_equal(s->source, "User Device Registration");
        s = find(art, KBC_KB_EVENT, 1000, NULL);
        assert_non_null(s);
        assert_null(s->source);
        kbc_arena_free(a);
}

/* "KDC warning Event ID 25": the provider written before the event's
 * level is its source; a plain word there ("the Service warning") is
 * none. */
static void test_source_before_level(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## More information\n\n"
            "You can get KDC warning Event ID 25 when the request fails.\n\n"
            "Then the Service warning event 26 is logged.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        const kbc_kb_signal *s = find(art, KBC_KB_EVENT, 25, NULL);
        assert_non_null(s);
        assert_non_null(s->source);
        assert_string_equal(
            s->source, "Microsoft-Windows-Kerberos-Key-Distribution-Center");
        assert_non_null(s->source_written);
        assert_string_equal(s->source_written, "KDC");
        s = find(art, KBC_KB_EVENT, 26, NULL);
        assert_true(!s || !s->source);
        kbc_arena_free(a);
}

/* An event's XML names its error in a data item: <Data
 * Name="ErrorCode">1252</Data> is error 1252; another item's number is
 * none. */
static void test_xml_error_data(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "    Event Xml:\n"
            "    \\<EventData>\n"
            "    \\<Data Name=\"CSEElaspedTimeInMilliSeconds\">20984\\</Data>\n"
            "    \\<Data Name=\"ErrorCode\">1252\\</Data>\n"
            "    \\</EventData>\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x000004E4"));
        assert_null(find(art, KBC_KB_CODE, -1, "0x00005204"));
        kbc_arena_free(a);
}

/* "`Repadmin /showreps` displays the following error message": what a
 * command whose switch is the intro's subject prints is its report; an
 * error shown after a command run later in the sentence is still one. */
static void test_command_subject_output(void **state)
{
        (void)state;
        static const char text[] =
            "---\nms.date: 1/2/2023\ntitle: t\n---\n## Symptoms\n\n"
            "1. `Repadmin /showreps` displays the following error message\n\n"
            "    > *DC object GUID: \\<GUID> Last attempt failed, result "
            "1818 (0x71a): Can't retrieve message string 1818*\n\n"
            "2. Setup displays the following error after you run Setup /a:\n\n"
            "    > Setup does not support being run in this mode.\n";
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_text(a, "x.md", text);
        bool report = false, setup = false;
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *s = &art->signals[i];
                if (s->kind != KBC_KB_MESSAGE || !s->text)
                        continue;
                report |= strstr(s->text, "Last attempt") != NULL;
                setup |= strstr(s->text, "does not support") != NULL;
        }
        assert_false(report);
        assert_true(setup);
        assert_non_null(find(art, KBC_KB_CODE, -1, "0x0000071A"));
        kbc_arena_free(a);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_fields_and_sections),
            cmocka_unit_test(test_signals),
            cmocka_unit_test(test_path_id_and_aligned_block),
            cmocka_unit_test(test_sources_as_windows_logs_them),
            cmocka_unit_test(test_event_announced_above_its_block),
            cmocka_unit_test(test_own_section_names),
            cmocka_unit_test(test_jekyll_is_not_markdown),
            cmocka_unit_test(test_compiled),
            cmocka_unit_test(test_event_tables),
            cmocka_unit_test(test_example_below),
            cmocka_unit_test(test_titled_events),
            cmocka_unit_test(test_titled_codes),
            cmocka_unit_test(test_events_of_a_provider),
            cmocka_unit_test(test_value_glued_to_a_word),
            cmocka_unit_test(test_userenv_as_windows_logs_it),
            cmocka_unit_test(test_event_list_row),
            cmocka_unit_test(test_quoted_subject_is_a_value),
            cmocka_unit_test(test_source_is_no_example_name),
            cmocka_unit_test(test_source_with_with),
            cmocka_unit_test(test_source_in_prose),
            cmocka_unit_test(test_heading_codes),
            cmocka_unit_test(test_gle_code),
            cmocka_unit_test(test_event_blocks_kept_apart),
            cmocka_unit_test(test_event_label_with_a_word),
            cmocka_unit_test(test_decimal_codes),
            cmocka_unit_test(test_source_first_event_in_line_order),
            cmocka_unit_test(test_command_output_is_no_message),
            cmocka_unit_test(test_code_after_a_sentence),
            cmocka_unit_test(test_command_under_an_event_step),
            cmocka_unit_test(test_event_quoted_again_without_source),
            cmocka_unit_test(test_ldap_extended_error),
            cmocka_unit_test(test_table_code_column),
            cmocka_unit_test(test_error_value_on_next_line),
            cmocka_unit_test(test_error_number_field),
            cmocka_unit_test(test_source_opens_with_a_label_word),
            cmocka_unit_test(test_source_before_level),
            cmocka_unit_test(test_xml_error_data),
            cmocka_unit_test(test_command_subject_output),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
