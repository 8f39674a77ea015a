/*
 * test_incident_format.c - the OCSF and CEF forms of an incident whose
 * rule, host and evidence carry hostile values (pipes, backslashes, equal
 * signs, line breaks, control bytes, non-ASCII): the CEF line is parsed
 * back field by field, undoing its escapes, and must give every value
 * back; the OCSF object is parsed as JSON and read the same way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"
#include "kbc_incident_format.h"
#include "rule_internal.h"

#define HOSTILE "a|b\\c=d\ne\rf \x01\x1f\t g=h\\|i é ü 日本 |=\\"

static const kbc_rule hostile_rules[2] = {
    {.id = "Q1|2\\3=4",
     .title = "Title with | pipe, \\ backslash, = equals\nnew line\rCR é",
     .reference = "https://support.example/kb?a=1|b=2\\c",
     .cause = "Cause: " HOSTILE ". Second sentence.",
     .resolution = "Resolution:\r\n" HOSTILE,
     .severity = KBC_SEVERITY_HIGH},
    {.id = "Q999",
     .title = "Runner up",
     .reference = "",
     .cause = "Other cause.",
     .resolution = "Other fix.",
     .severity = KBC_SEVERITY_LOW},
};

/* An incident and everything it points to; each test changes its own. */
typedef struct fixture {
        kbc_rule rules[2];
        kbc_signal sig;
        const kbc_signal *signals[1];
        kbc_evidence ev;
        kbc_candidate candidates[2];
        kbc_incident inc;
} fixture;

static void fixture_init(fixture *f)
{
        memcpy(f->rules, hostile_rules, sizeof(f->rules));
        f->sig = (kbc_signal){
            .id = "sig=1|x", .rule = &f->rules[0], .symptom = true};
        f->signals[0] = &f->sig;
        f->ev = (kbc_evidence){.time_ms = 1710408090412LL,
                               .provider = "Prov|ider=\\x\n",
                               .channel = "System",
                               .message = "Message " HOSTILE,
                               .origin = "file|1=2.jsonl:7",
                               .event_id = 26,
                               .has_record_id = true,
                               .record_id = 42,
                               .signals = f->signals,
                               .nsignals = 1};
        f->candidates[0] = (kbc_candidate){.rule = &f->rules[0],
                                           .score = 4,
                                           .signals = f->signals,
                                           .nsignals = 1};
        f->candidates[1] = (kbc_candidate){.rule = &f->rules[1], .score = 1.5};
        f->inc = (kbc_incident){.id = "0123456789abcdef",
                                .open = true,
                                .first = true,
                                .sequence = 1,
                                .host = "HOST|A\\B=C\nD\re é",
                                .start_ms = 1710408090412LL,
                                .end_ms = 1710408190000LL,
                                .count = 3,
                                .occurrences = 1,
                                .confidence = 0.8,
                                .ntied = 1,
                                .candidates = f->candidates,
                                .ncandidates = 2,
                                .evidence = &f->ev,
                                .nevidence = 1};
}

static char *format(const kbc_incident *inc, kbc_out_format f)
{
        kbc_buf out, scratch;
        kbc_buf_init(&out, 1 << 20);
        kbc_buf_init(&scratch, 1 << 20);
        assert_int_equal(kbc_incident_format(inc, f, &scratch, &out), 0);
        kbc_buf_free(&scratch);
        return out.data; /* the caller frees it */
}

/* A CEF record parsed back: the seven header fields and the extensions,
 * every escape undone. */
typedef struct cef {
        char header[7][1024];
        int nheader;
        char key[32][32];
        char *value[32];
        int next;
} cef;

/* The header: fields end at a pipe not escaped; \| and \\ are escapes. */
static const char *parse_header(cef *c, const char *p)
{
        size_t k = 0;
        for (; *p && c->nheader < 7; p++) {
                if (*p == '\\' && (p[1] == '|' || p[1] == '\\')) {
                        c->header[c->nheader][k++] = *++p;
                } else if (*p == '|') {
                        c->header[c->nheader++][k] = '\0';
                        k = 0;
                } else {
                        c->header[c->nheader][k++] = *p;
                }
                assert_true(k < sizeof(c->header[0]));
        }
        return p;
}

static char *unescape_value(const char *s, size_t n)
{
        char *v = malloc(n + 1), *o = v;
        for (size_t i = 0; i < n; i++) {
                if (s[i] != '\\') {
                        *o++ = s[i];
                        continue;
                }
                char e = s[++i];
                assert_true(e == '\\' || e == '=' || e == 'n' || e == 'r');
                *o++ = e == 'n' ? '\n' : e == 'r' ? '\r' : e;
        }
        *o = '\0';
        return v;
}

/* The extensions: each unescaped '=' ends a key, which starts after the
 * last space before it; a value runs to the space before the next key. */
static void parse_extensions(cef *c, const char *ext)
{
        const char *eq[32], *key[32];
        int n = 0;
        for (const char *p = ext; *p; p++) {
                if (*p == '\\') {
                        p++;
                        continue;
                }
                if (*p != '=')
                        continue;
                assert_true(n < 32);
                const char *k = p;
                while (k > ext && k[-1] != ' ')
                        k--;
                key[n] = k;
                eq[n++] = p;
        }
        for (int i = 0; i < n; i++) {
                const char *end =
                    i + 1 < n ? key[i + 1] - 1 : eq[i] + strlen(eq[i]);
                snprintf(c->key[i], sizeof(c->key[0]), "%.*s",
                         (int)(eq[i] - key[i]), key[i]);
                c->value[i] =
                    unescape_value(eq[i] + 1, (size_t)(end - eq[i] - 1));
        }
        c->next = n;
}

static cef parse_cef(const char *line)
{
        cef c = {0};
        const char *ext = parse_header(&c, line);
        assert_int_equal(c.nheader, 7);
        parse_extensions(&c, ext);
        return c;
}

static const char *ext(const cef *c, const char *key)
{
        for (int i = 0; i < c->next; i++)
                if (!strcmp(c->key[i], key))
                        return c->value[i];
        fail_msg("no extension %s", key);
        return NULL;
}

static void cef_free(cef *c)
{
        for (int i = 0; i < c->next; i++)
                free(c->value[i]);
}

/* s with its line breaks as the header writes them: spaces. */
static char *header_text(const char *s)
{
        char *t = strdup(s);
        for (char *p = t; *p; p++)
                if (*p == '\n' || *p == '\r')
                        *p = ' ';
        return t;
}

static void test_cef_round_trip(void **state)
{
        (void)state;
        fixture f;
        fixture_init(&f);
        const kbc_rule *rules = f.rules;
        kbc_incident inc = f.inc;
        char *line = format(&inc, KBC_OUT_CEF);
        assert_null(strchr(line, '\n'));
        assert_null(strchr(line, '\r'));
        cef c = parse_cef(line);
        assert_string_equal(c.header[0], "CEF:0");
        assert_string_equal(c.header[1], "kbcorr");
        assert_string_equal(c.header[2], "kbcorr");
        assert_string_equal(c.header[3], KBC_VERSION);
        assert_string_equal(c.header[4], rules[0].id);
        char *title = header_text(rules[0].title);
        assert_string_equal(c.header[5], title);
        free(title);
        assert_string_equal(c.header[6], "7"); /* high 8 at 0.8: 8 * 0.9 */

        assert_string_equal(ext(&c, "externalId"), inc.id);
        assert_string_equal(ext(&c, "dhost"), inc.host);
        assert_string_equal(ext(&c, "rt"), "1710408190000");
        assert_string_equal(ext(&c, "start"), "1710408090412");
        assert_string_equal(ext(&c, "end"), "1710408190000");
        assert_string_equal(ext(&c, "cnt"), "3");
        assert_string_equal(ext(&c, "cs1"), rules[0].id);
        assert_string_equal(ext(&c, "cs1Label"), "kbId");
        assert_string_equal(ext(&c, "cs2"), rules[0].cause);
        assert_string_equal(ext(&c, "cs3"), rules[0].resolution);
        assert_string_equal(ext(&c, "cs4"), rules[0].reference);
        assert_string_equal(ext(&c, "cs5"), "open");
        assert_string_equal(ext(&c, "cs6"), "Q1|2\\3=4:4,Q999:1.5");
        assert_string_equal(ext(&c, "cn1"), "1");
        assert_string_equal(ext(&c, "cn2"), "80");
        assert_string_equal(ext(&c, "cn3"), "1");
        /* msg: the ECS message, which starts with the host as logged */
        assert_memory_equal(ext(&c, "msg"), inc.host, strlen(inc.host));
        assert_non_null(strstr(ext(&c, "msg"), "(KB Q1|2\\3=4, confidence"));
        cef_free(&c);
        free(line);
}

static void test_cef_severity(void **state)
{
        (void)state;
        static const struct {
                int severity;
                double confidence;
                const char *want;
        } cases[] = {
            {KBC_SEVERITY_CRITICAL, 1.0, "10"}, {KBC_SEVERITY_CRITICAL, 0, "5"},
            {KBC_SEVERITY_HIGH, 0.8, "7"},      {KBC_SEVERITY_MEDIUM, 0.8, "5"},
            {KBC_SEVERITY_MEDIUM, 0.31, "4"},   {KBC_SEVERITY_LOW, 0, "2"},
            {KBC_SEVERITY_LOW, 1, "3"},
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                fixture f;
                fixture_init(&f);
                f.rules[0].severity = cases[i].severity;
                kbc_incident inc = f.inc;
                inc.confidence = cases[i].confidence;
                char *line = format(&inc, KBC_OUT_CEF);
                cef c = parse_cef(line);
                assert_string_equal(c.header[6], cases[i].want);
                cef_free(&c);
                free(line);
        }
}

/* Long values are cut at ArcSight's sizes, never inside a character or
 * an escape. */
static void test_cef_cuts_long_values(void **state)
{
        (void)state;
        char *big = malloc(30001);
        for (size_t i = 0; i < 30000; i += 3)
                memcpy(big + i, "\xc3\xa9=", 3); /* "é=" */
        big[30000] = '\0';
        fixture f;
        fixture_init(&f);
        f.rules[0].cause = big;
        f.rules[0].title = big;
        kbc_incident inc = f.inc;
        inc.host = big;
        char *line = format(&inc, KBC_OUT_CEF);
        cef c = parse_cef(line);
        assert_true(strlen(c.header[5]) <= 512);
        assert_true(strlen(ext(&c, "cs2")) <= 4000);
        assert_true(strlen(ext(&c, "cs2")) > 3900);
        assert_true(strlen(ext(&c, "msg")) <= 1023);
        assert_true(strlen(ext(&c, "dhost")) <= 1023);
        const char *cut[] = {c.header[5], ext(&c, "cs2"), ext(&c, "msg"),
                             ext(&c, "dhost")};
        for (size_t i = 0; i < 4; i++) {
                size_t n = strlen(cut[i]);
                assert_memory_equal(cut[i], big, n);
                assert_true(((unsigned char)big[n] & 0xC0) != 0x80);
        }
        cef_free(&c);
        free(line);
        free(big);
}

/* A scratch buffer too small for what a format builds in it (the
 * incident's message, the ranking) refuses the incident: the caller says
 * so, rather than a record going out with a text cut short. */
static void test_scratch_too_small_refuses(void **state)
{
        (void)state;
        fixture f;
        fixture_init(&f);
        kbc_incident inc = f.inc;
        const kbc_out_format uses_scratch[] = {KBC_OUT_CEF, KBC_OUT_OCSF,
                                               KBC_OUT_MSGPACK};
        for (size_t i = 0; i < 3; i++) {
                kbc_buf out, scratch;
                kbc_buf_init(&out, 1 << 20);
                kbc_buf_init(&scratch, 24);
                assert_int_equal(
                    kbc_incident_format(&inc, uses_scratch[i], &scratch, &out),
                    -1);
                kbc_buf_free(&out);
                kbc_buf_free(&scratch);
        }
}

/* The OCSF object parsed as JSON, and what one path of it holds. */
typedef struct doc {
        kbc_json *j;
        char *text;
} doc;

static doc parse_ocsf(const kbc_incident *inc)
{
        doc d = {kbc_json_new(1 << 20), format(inc, KBC_OUT_OCSF)};
        char err[128];
        assert_int_equal(
            kbc_json_parse(d.j, d.text, strlen(d.text), err, sizeof(err)), 0);
        return d;
}

/* Follows a path of keys and array indexes ("finding_info", "#0"). */
static int at(const doc *d, const char *const *path)
{
        int tok = 0;
        for (; *path; path++) {
                if (**path == '#') {
                        int n = atoi(*path + 1);
                        assert_int_equal(kbc_json_typeof(d->j, tok),
                                         KBC_JSON_ARRAY);
                        for (tok++; n--; tok = kbc_json_skip(d->j, tok))
                                ;
                } else {
                        tok = kbc_json_find(d->j, tok, kbc_str_cstr(*path));
                }
                assert_true(tok >= 0);
        }
        return tok;
}

#define AT(d, ...) at(d, (const char *const[]){__VA_ARGS__, NULL})

static void assert_text(const doc *d, int tok, const char *want)
{
        kbc_str s;
        assert_int_equal(kbc_json_text(d->j, tok, &s), 0);
        assert_int_equal(s.len, strlen(want));
        assert_memory_equal(s.ptr, want, s.len);
}

static void test_ocsf_fields(void **state)
{
        (void)state;
        fixture f;
        fixture_init(&f);
        const kbc_rule *rules = f.rules;
        kbc_incident inc = f.inc;
        doc d = parse_ocsf(&inc);
        assert_text(&d, AT(&d, "class_uid"), "2004");
        assert_text(&d, AT(&d, "category_uid"), "2");
        assert_text(&d, AT(&d, "activity_id"), "1");
        assert_text(&d, AT(&d, "type_uid"), "200401");
        assert_text(&d, AT(&d, "time"), "1710408190000");
        assert_text(&d, AT(&d, "severity_id"), "4");
        assert_text(&d, AT(&d, "status_id"), "1");
        assert_text(&d, AT(&d, "confidence_id"), "3");
        assert_text(&d, AT(&d, "confidence_score"), "80");
        assert_text(&d, AT(&d, "metadata", "version"), "1.8.0");
        assert_text(&d, AT(&d, "metadata", "product", "version"), KBC_VERSION);
        assert_text(&d, AT(&d, "finding_info", "uid"), inc.id);
        assert_text(&d, AT(&d, "finding_info", "title"), rules[0].title);
        assert_text(&d, AT(&d, "finding_info", "analytic", "uid"), rules[0].id);
        assert_text(&d, AT(&d, "finding_info", "related_events", "#0", "uid"),
                    f.ev.origin);
        assert_text(&d, AT(&d, "remediation", "desc"), rules[0].resolution);
        assert_text(&d,
                    AT(&d, "remediation", "kb_article_list", "#0", "src_url"),
                    rules[0].reference);
        assert_text(&d, AT(&d, "remediation", "kb_article_list", "#1", "uid"),
                    "Q999");
        assert_text(&d, AT(&d, "resources", "#0", "hostname"), inc.host);
        assert_text(&d, AT(&d, "evidences", "#0", "data", "message"),
                    f.ev.message);
        assert_text(&d, AT(&d, "unmapped", "kbcorr", "state"), "open");
        kbc_json_free(d.j);
        free(d.text);

        /* a later state of the same incident updates the finding */
        inc.first = false;
        inc.open = false;
        inc.sequence = 3;
        inc.confidence = 0.31;
        f.rules[0].severity = KBC_SEVERITY_CRITICAL;
        d = parse_ocsf(&inc);
        assert_text(&d, AT(&d, "activity_id"), "2");
        assert_text(&d, AT(&d, "type_uid"), "200402");
        assert_text(&d, AT(&d, "confidence_id"), "1");
        assert_text(&d, AT(&d, "severity_id"), "5");
        assert_text(&d, AT(&d, "metadata", "uid"), "0123456789abcdef.3");
        assert_text(&d, AT(&d, "unmapped", "kbcorr", "state"), "closed");
        kbc_json_free(d.j);
        free(d.text);
}

static void test_format_names(void **state)
{
        (void)state;
        kbc_out_format f;
        assert_int_equal(kbc_out_format_parse("ocsf", &f), 0);
        assert_int_equal(f, KBC_OUT_OCSF);
        assert_int_equal(kbc_out_format_parse("cef", &f), 0);
        assert_int_equal(f, KBC_OUT_CEF);
        assert_int_equal(kbc_out_format_parse("leef", &f), -1);
        assert_true(kbc_out_format_is_line(KBC_OUT_CEF));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_cef_round_trip),
            cmocka_unit_test(test_cef_severity),
            cmocka_unit_test(test_cef_cuts_long_values),
            cmocka_unit_test(test_scratch_too_small_refuses),
            cmocka_unit_test(test_ocsf_fields),
            cmocka_unit_test(test_format_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
