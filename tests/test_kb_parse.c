/*
 * test_kb_parse.c - the KB article parser (kb/kbc_kb.h).
 *
 * Unit tests on hand-written articles (each form, line ends, entities,
 * headings, repeated groups, hostile input) and on the two seed articles,
 * whose fields, sections and signals are checked exactly. Then the
 * measured test: the articles named in tests/data/kb_truth/truth.txt are
 * extracted from the corpus tarballs in ../shared (read in place, unpacked
 * to a temporary folder, never copied into the repository), parsed, and
 * their signals compared with the hand-checked truth:
 *   - an expected event matches an extracted event with the same id and
 *     the same source (case folded; both absent counts as the same, and
 *     so does a source the parser only implies where none is expected);
 *   - an expected code matches an extracted code with the same value;
 *   - an expected message fragment matches an extracted signal whose
 *     text contains it (case folded, white space collapsed): a quoted
 *     message, or the description of an event block (the labels list
 *     what the article quotes, whichever form it is quoted in).
 * Recall is matched expectations over expectations; precision is
 * extracted signals that match some expectation over extracted signals.
 * Both are printed with every miss and every extra, and asserted.
 *
 * The same scoring measures the 2002 archive's evaluation set
 * (tests/data/kb_eval, from the tarballs) and the modern one
 * (tests/data/kb_modern_eval, Learn markdown read in place under
 * ../shared/data/kb-modern): one loader, one matcher, one scorer, each
 * label file with the folder its article paths are relative to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "kbc_arena.h"
#include "kbc_kb.h"

#define TXT_TAR     KBC_SHARED_DIR "/data/kb/kbarchive-txt.tar.xz"
#define JEKYLL_TAR  KBC_SHARED_DIR "/data/kb/kbarchive-jekyll-subset.tar.xz"
#define TRUTH       KBC_TEST_DATA "/kb_truth/truth.txt"
#define EVAL        KBC_TEST_DATA "/kb_eval/labels.txt"
#define MODERN_EVAL KBC_TEST_DATA "/kb_modern_eval/labels.txt"
#define MODERN_DIR  KBC_SHARED_DIR "/data/kb-modern"

/* What we measure against; below these the test fails. The truth set was
 * tuned on; the evaluation set's halves were not (its test half never is),
 * so their floors guard against regressions, and docs/kb-compiler.md
 * records the figures. */
#define MIN_PRECISION      0.95
#define MIN_RECALL         0.95
#define MIN_EVAL_PRECISION 0.80
#define MIN_EVAL_RECALL    0.80
/* The modern set's test half measured 0.900 precision and 0.853 recall
 * when its scoring was added (docs/kb-compiler.md, "Extraction"). */
#define MIN_MODERN_PRECISION 0.85
#define MIN_MODERN_RECALL    0.80
/* Its dev half measured 0.808 and 0.863 after the third round of the
 * parser's fixes for it (0.716 and 0.769 before the first): the floors
 * keep those gains. */
#define MIN_MODERN_DEV_PRECISION 0.79
#define MIN_MODERN_DEV_RECALL    0.85
#define MAX_ARTICLES             1024

static kbc_kb_article *parse_str(kbc_arena *a, const char *text)
{
        char err[256];
        kbc_kb_article *art =
            kbc_kb_parse(a, "test", text, strlen(text), err, sizeof(err));
        if (!art)
                fail_msg("parse failed: %s", err);
        return art;
}

static void parse_fails(const char *buf, size_t len, const char *want)
{
        kbc_arena *a = kbc_arena_new();
        char err[256];
        kbc_kb_article *art = kbc_kb_parse(a, "x", buf, len, err, sizeof(err));
        if (art)
                fail_msg("parsed what should fail (%s)", want);
        if (!strstr(err, want))
                fail_msg("reason \"%s\" does not say \"%s\"", err, want);
        kbc_arena_free(a);
}

/* Parses len bytes copied to a buffer of exactly that size (a read past
 * the end is caught by ASan); must succeed. */
static void parse_exact_buffer(const char *text, size_t len)
{
        char *buf = malloc(len);
        assert_non_null(buf);
        memcpy(buf, text, len);
        kbc_arena *a = kbc_arena_new();
        char err[256];
        assert_non_null(kbc_kb_parse(a, "x", buf, len, err, sizeof(err)));
        kbc_arena_free(a);
        free(buf);
}

static const kbc_kb_signal *find_event(const kbc_kb_article *art, long id)
{
        for (size_t i = 0; i < art->nsignals; i++)
                if (art->signals[i].kind == KBC_KB_EVENT &&
                    art->signals[i].event_id == id)
                        return &art->signals[i];
        return NULL;
}

/* ---- hand-written articles --------------------------------------------- */

/* A made-up article in the raw form; \r\n line ends are added by crlf(). */
static const char raw_article[] =
    "DOCUMENT:Q999001  01-FEB-2001  [winnt]\n"
    "TITLE   :Widget &amp; Gadget &lt;Service&gt; Fails with &quot;Error&quot; "
    "&#39;7&#39; &#92;x\n"
    "PRODUCT :Widget Server\n"
    "PROD/VER:winnt:4.0\n"
    "OPER/SYS:\n"
    "KEYWORDS:kbwidget kberrmsg\n"
    "\n"
    "======================================================================\n"
    "-------------------------------------------------------------------------"
    "------\n"
    "The information in this article applies to:\n"
    "\n"
    " - Widget Server, version 4.0\n"
    "-------------------------------------------------------------------------"
    "------\n"
    "\n"
    "SYMPTOMS\n"
    "========\n"
    "\n"
    "When the widget starts, you may receive the following error message:\n"
    "\n"
    "   The widget could not be frobnicated. Error 0x80070005.\n"
    "\n"
    "The following events are logged in the system log:\n"
    "\n"
    "   Event ID: 4001\n"
    "   Source: WidgetSvc\n"
    "   Description: The widget service\n"
    "   stopped.\n"
    "\n"
    "   EventID : 4002 Source: Widget Helper Description: Helper gone.\n"
    "\n"
    "Cause\n"
    "-----\n"
    "\n"
    "The frobnicator is missing. See STOP 0x0000000A (0x00000001, 0x80100000) "
    "too.\n"
    "\n"
    "Resolution:\n"
    "\n"
    "Reinstall it. Event IDs 4003 and 4004 go away; the address 0x80100000 is "
    "not a code.\n"
    "\n"
    "SYMPTOMS\n"
    "========\n"
    "\n"
    "A second group: event number 4005 is logged.\n"
    "\n"
    "Additional query words: widget\n"
    "\n"
    "======================================================================\n"
    "Keywords          : kbwidget kbextra\n"
    "Technology        : kbWidgetSearch\n";

static char *with_crlf(const char *lf)
{
        size_t n = strlen(lf), k = 0;
        char *out = malloc(2 * n + 1);
        assert_non_null(out);
        for (size_t i = 0; i < n; i++) {
                if (lf[i] == '\n')
                        out[k++] = '\r';
                out[k++] = lf[i];
        }
        out[k] = '\0';
        return out;
}

static void test_raw_fields(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_str(a, raw_article);
        assert_string_equal(art->id, "Q999001");
        assert_string_equal(art->date, "01-FEB-2001");
        assert_string_equal(art->title, "Widget & Gadget <Service> Fails with "
                                        "\"Error\" '7' \\x");
        assert_int_equal(art->nproducts, 2);
        assert_string_equal(art->products[0], "Widget Server, version "
                                              "winnt:4.0");
        assert_string_equal(art->products[1], "Widget Server, version 4.0");
        assert_int_equal(art->nkeywords, 3);
        assert_string_equal(art->keywords[0], "kbwidget");
        assert_string_equal(art->keywords[1], "kberrmsg");
        assert_string_equal(art->keywords[2], "kbextra");

        /* Headings: '=' underline, '-' underline, title case, a colon and
         * no underline; the second SYMPTOMS group is joined to the first. */
        assert_int_equal(art->nsections, 3);
        assert_string_equal(art->sections[0].name, "SYMPTOMS");
        assert_string_equal(art->sections[1].name, "CAUSE");
        assert_string_equal(art->sections[2].name, "RESOLUTION");
        assert_int_equal(art->sections[0].line, 15);
        const kbc_kb_section *s = kbc_kb_section_get(art, "SYMPTOMS");
        assert_non_null(s);
        assert_non_null(strstr(s->text, "frobnicated"));
        assert_non_null(strstr(s->text, "\n\nA second group: event number"));
        assert_true(strncmp(s->text, "When the widget", 15) == 0);
        assert_null(strstr(s->text, "Additional query"));
        assert_string_equal(kbc_kb_section_get(art, "CAUSE")->text,
                            "The frobnicator is missing. See STOP 0x0000000A "
                            "(0x00000001, 0x80100000) too.");
        assert_null(kbc_kb_section_get(art, "WORKAROUND"));
        kbc_arena_free(a);
}

/* An event that names no source takes the one the article's product logs
 * under, marked as implied; the other events of the article are no guide. */
static void test_implied_source(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        const char *at = strstr(raw_article, "Widget Server");
        char *text = kbc_arena_printf(a, "%.*sMicrosoft SNA Server%s",
                                      (int)(at - raw_article), raw_article,
                                      at + strlen("Widget Server"));
        kbc_kb_article *art = parse_str(a, text);
        assert_string_equal(find_event(art, 4001)->source, "WidgetSvc");
        assert_false(find_event(art, 4001)->source_implied);
        assert_string_equal(find_event(art, 4003)->source, "SNA Server");
        assert_true(find_event(art, 4003)->source_implied);
        art = parse_str(a, raw_article);
        assert_null(find_event(art, 4003)->source);
        kbc_arena_free(a);
}

static void test_raw_signals(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_str(a, raw_article);
        const kbc_kb_signal *e = find_event(art, 4001);
        assert_non_null(e);
        assert_string_equal(e->source, "WidgetSvc");
        assert_string_equal(e->text, "The widget service stopped.");
        assert_string_equal(e->section, "SYMPTOMS");
        assert_int_equal(e->line, 24);
        e = find_event(art, 4002);
        assert_non_null(e);
        assert_string_equal(e->source, "Widget Helper");
        assert_string_equal(e->text, "Helper gone.");
        assert_non_null(find_event(art, 4003));
        assert_null(find_event(art, 4003)->source);
        assert_non_null(find_event(art, 4004));
        assert_non_null(find_event(art, 4005));

        size_t nmsg = 0, ncode = 0;
        bool stop = false, hres = false;
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *g = &art->signals[i];
                if (g->kind == KBC_KB_MESSAGE) {
                        nmsg++;
                        assert_string_equal(g->text,
                                            "The widget could not be "
                                            "frobnicated. Error 0x80070005.");
                        assert_int_equal(g->line, 20);
                } else if (g->kind == KBC_KB_CODE) {
                        ncode++;
                        stop |= !strcmp(g->code, "0x0000000A");
                        hres |= !strcmp(g->code, "0x80070005");
                        assert_string_not_equal(g->code, "0x80100000");
                        assert_string_not_equal(g->code, "0x00000001");
                }
                if (i)
                        assert_true(art->signals[i - 1].line <= g->line);
        }
        assert_int_equal(nmsg, 1);
        assert_int_equal(ncode, 2);
        assert_true(stop && hres);
        kbc_arena_free(a);
}

/* Equal articles, field by field. */
static void assert_same_article(const kbc_kb_article *x,
                                const kbc_kb_article *y)
{
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->title, y->title);
        assert_int_equal(x->nsections, y->nsections);
        for (size_t i = 0; i < x->nsections; i++) {
                assert_string_equal(x->sections[i].name, y->sections[i].name);
                assert_string_equal(x->sections[i].text, y->sections[i].text);
                assert_int_equal(x->sections[i].line, y->sections[i].line);
        }
        assert_int_equal(x->nsignals, y->nsignals);
        for (size_t i = 0; i < x->nsignals; i++) {
                const kbc_kb_signal *p = &x->signals[i], *q = &y->signals[i];
                assert_int_equal(p->kind, q->kind);
                assert_int_equal(p->event_id, q->event_id);
                assert_int_equal(p->line, q->line);
                if (p->text || q->text)
                        assert_string_equal(p->text, q->text);
                if (p->source || q->source)
                        assert_string_equal(p->source, q->source);
                if (p->code || q->code)
                        assert_string_equal(p->code, q->code);
        }
}

static void test_crlf_equals_lf(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        char *crlf = with_crlf(raw_article);
        assert_same_article(parse_str(a, raw_article), parse_str(a, crlf));
        free(crlf);
        kbc_arena_free(a);
}

/* The same made-up article as a Jekyll page: front matter, {% raw %}, a tab
 * before every body line, one leading space lost, <A0> for byte A0. */
static const char jekyll_article[] =
    "---\n"
    "layout: page\n"
    "title: \"Q999002: Widget &quot;Gadget&quot; &amp; \\\"Co\\\"\"\n"
    "permalink: /kb/999/Q999002/\n"
    "---\n"
    "\n"
    "## Q999002: Widget\n"
    "\n"
    "{% raw %}\n"
    "\n"
    "\tArticle: Q999002\n"
    "\tProduct(s): Widget Server\n"
    "\tVersion(s): 4.0\n"
    "\tOperating System(s): \n"
    "\tKeyword(s): kbwidget\n"
    "\tLast Modified: 02-FEB-2002\n"
    "\t\n"
    "\tSYMPTOMS\n"
    "\t========\n"
    "\t\n"
    "\tYou may receive the following error message:\n"
    "\t\n"
    "\t  Widget<A0>failed.\n"
    "\t  ID no: c0001234\n"
    "\t\n"
    "\tCAUSE\n"
    "\t=====\n"
    "\t\n"
    "\tNetBIOS name WIDGET<1C> is missing.\n"
    "\t\n"
    "{% endraw %}\n";

static void test_jekyll(void **state)
{
        (void)state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_str(a, jekyll_article);
        assert_string_equal(art->id, "Q999002");
        assert_string_equal(art->title, "Widget \"Gadget\" & \"Co\"");
        assert_string_equal(art->date, "02-FEB-2002");
        assert_int_equal(art->nproducts, 1);
        assert_string_equal(art->products[0], "Widget Server, version 4.0");
        assert_int_equal(art->nkeywords, 1);
        assert_int_equal(art->nsections, 2);
        assert_int_equal(art->sections[0].line, 18);
        /* <1C> stays as written; <A0> is the byte. */
        assert_string_equal(kbc_kb_section_get(art, "CAUSE")->text,
                            "NetBIOS name WIDGET<1C> is missing.");
        assert_non_null(strstr(kbc_kb_section_get(art, "SYMPTOMS")->text,
                               "   Widget\xa0"
                               "failed."));
        bool msg = false, code = false;
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *g = &art->signals[i];
                if (g->kind == KBC_KB_MESSAGE) {
                        /* A0 is white space to the collapser. */
                        assert_string_equal(g->text, "Widget failed.");
                        assert_int_equal(g->line, 23);
                        msg = true;
                }
                if (g->kind == KBC_KB_CODE) {
                        assert_string_equal(g->code, "0xC0001234");
                        code = true;
                }
        }
        assert_true(msg && code);
        kbc_arena_free(a);
}

static void test_hostile(void **state)
{
        (void)state;
        parse_fails("", 0, "empty");
        parse_fails("hello\nworld\n", 12, "not a KB article");
        static const char bin[] = "DOCUMENT:Q1\0\x01\xff\xfe";
        parse_fails(bin, sizeof(bin), "NUL byte");
        parse_fails("---\nlayout: page\n", 17, "front matter");
        parse_fails("DOCUMENT:   \n", 13, "id");

        /* Random bytes without NUL: parsed or refused, never a crash. */
        char junk[4096];
        uint32_t x = 12345;
        for (int round = 0; round < 200; round++) {
                for (size_t i = 0; i < sizeof(junk); i++) {
                        x = x * 1103515245u + 12345u;
                        junk[i] = (char)((x >> 16) % 255 + 1);
                }
                memcpy(junk, round & 1 ? "DOCUMENT:Q7 " : "---\ntitle: ", 11);
                kbc_arena *a = kbc_arena_new();
                char err[128];
                (void)kbc_kb_parse(a, "junk", junk, sizeof(junk), err,
                                   sizeof(err));
                kbc_arena_free(a);
        }

        /* A 1 MB line full of things that look like signals. */
        const char head[] = "DOCUMENT:Q999003  01-JAN-2000  [x]\nTITLE   :t\n"
                            "\nSYMPTOMS\n========\n\nerror message:\n\n   ";
        size_t big = 1 << 20;
        char *buf = malloc(sizeof(head) + big + 1);
        assert_non_null(buf);
        memcpy(buf, head, sizeof(head) - 1);
        static const char pat[] = "Event ID: 77 Source: X 0x80004005 c0000005 "
                                  "STOP 0x0000000A ( -2147467259 ";
        size_t k = sizeof(head) - 1;
        while (k + sizeof(pat) < sizeof(head) + big) {
                memcpy(buf + k, pat, sizeof(pat) - 1);
                k += sizeof(pat) - 1;
        }
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_str(a, (buf[k] = '\0', buf));
        assert_non_null(find_event(art, 77));
        kbc_arena_free(a);
        free(buf);

        /* A Dr. Watson quote that ends the file in a blank run with no
         * line end, and a quote line that is only a tag: both were read
         * one past their end (found by review; ASan catches the first). */
        static const char tail[] =
            "DOCUMENT:Q999004  01-JAN-2000  [x]\nTITLE   :t\n\nSYMPTOMS\n"
            "========\n\nFor example:\n\n   Application exception occurred:"
            "\n   App: x.exe (pid=1)\n\n   ";
        parse_exact_buffer(tail, sizeof(tail) - 1);
        static const char tag[] =
            "DOCUMENT:Q999005  01-JAN-2000  [x]\nTITLE   :t\n\nSYMPTOMS\n"
            "========\n\nYou receive the following error message:\n\n"
            "   Something failed badly here\n   <BR>\n   Other line\n";
        parse_exact_buffer(tag, sizeof(tag) - 1);
}

/* ---- the corpus: seeds and hand-checked truth -------------------------- */

typedef struct expect {
        enum { X_EVENT, X_CODE, X_MESSAGE } kind;
        long id;
        char *source, *code, *fragment;
        bool hit;
} expect;

typedef struct truth_article {
        char *path;        /* relative to base */
        const char *base;  /* the folder it is read from */
        const char *group; /* its label file: "truth", "eval", "modern" */
        char set[8];       /* the evaluation half: "dev", "test"; or "" */
        expect x[64];      /* a modern article lists up to 35 */
        size_t nx;
        bool none;
} truth_article;

typedef struct corpus {
        char dir[256];
        truth_article art[MAX_ARTICLES];
        size_t n;
} corpus;

static void trim_nl(char *s)
{
        size_t n = strlen(s);
        while (n && (s[n - 1] == '\n' || s[n - 1] == '\r' || s[n - 1] == ' '))
                s[--n] = '\0';
}

/* Cuts a trailing comment off an event or code line: the modern labels
 * name the provider Windows logs after the article's source ("event 2108
 * NTDS Replication   # logged as Microsoft-Windows-..."), and say where a
 * code is seen ("code 0x000006BA   # 1722 ..."). A comment is a '#' with
 * white space before it; message lines are left whole, since a fragment
 * is copied exactly and may hold one ("LAN Manager error %<various
 * 7-digit #>% occurred" in the archive's labels). */
static void strip_comment(char *line)
{
        for (char *p = line; (p = strchr(p, '#')) != NULL; p++)
                if (p > line && (p[-1] == ' ' || p[-1] == '\t')) {
                        *p = '\0';
                        trim_nl(line);
                        return;
                }
}

/* Reads a labels file of the truth.txt format into group, with its
 * article paths relative to base. The evaluation sets' "split" line names
 * the half; their "detectable", "cause" and "host" lines are for the
 * diagnosis tests (tests/e2e/kb_eval.sh, kb_modern_eval.sh). An article
 * labelled "detectable no" still lists its signals (what "kb parse"
 * should extract) and is scored like any other; an article that sits
 * under two paths is labelled under each and scored under each. */
static void load_truth(corpus *c, const char *file, const char *group,
                       const char *base)
{
        FILE *f = fopen(file, "r");
        if (!f)
                fail_msg("cannot read %s", file);
        char line[1024];
        truth_article *t = NULL;
        while (fgets(line, sizeof(line), f)) {
                trim_nl(line);
                if (!line[0] || line[0] == '#')
                        continue;
                if (!strncmp(line, "article ", 8)) {
                        assert_true(c->n < MAX_ARTICLES);
                        t = &c->art[c->n++];
                        memset(t, 0, sizeof(*t));
                        t->path = strdup(line + 8);
                        t->base = base;
                        t->group = group;
                        continue;
                }
                assert_non_null(t);
                if (!strncmp(line, "split ", 6)) {
                        snprintf(t->set, sizeof(t->set), "%.7s", line + 6);
                        continue;
                }
                if (!strncmp(line, "detectable ", 11) ||
                    !strncmp(line, "cause ", 6) || !strncmp(line, "host ", 5))
                        continue;
                if (!strcmp(line, "none")) {
                        t->none = true;
                        continue;
                }
                if (strncmp(line, "message ", 8))
                        strip_comment(line);
                assert_true(t->nx < sizeof(t->x) / sizeof(*t->x));
                expect *x = &t->x[t->nx++];
                memset(x, 0, sizeof(*x));
                if (!strncmp(line, "event ", 6)) {
                        char *end;
                        x->kind = X_EVENT;
                        x->id = strtol(line + 6, &end, 10);
                        while (*end == ' ')
                                end++;
                        x->source = *end ? strdup(end) : NULL;
                } else if (!strncmp(line, "code ", 5)) {
                        x->kind = X_CODE;
                        x->code = strdup(line + 5);
                } else if (!strncmp(line, "message ", 8)) {
                        x->kind = X_MESSAGE;
                        x->fragment = strdup(line + 8);
                } else {
                        fail_msg("%s: bad line \"%s\"", file, line);
                }
        }
        fclose(f);
}

/* Unpacks the truth articles (the seeds among them) from both tarballs. */
static int corpus_setup(void **state)
{
        corpus *c = calloc(1, sizeof(*c));
        if (!c)
                return -1;
        if (access(TXT_TAR, R_OK) || access(JEKYLL_TAR, R_OK)) {
                fprintf(stderr,
                        "test_kb_parse: the KB corpus is missing (%s); the "
                        "shared data folder must sit beside the "
                        "repository\n",
                        TXT_TAR);
                free(c);
                return -1;
        }
        load_truth(c, TRUTH, "truth", c->dir);
        load_truth(c, EVAL, "eval", c->dir);
        snprintf(c->dir, sizeof(c->dir), "/tmp/kbc-kbtest.XXXXXX");
        if (!mkdtemp(c->dir)) {
                free(c);
                return -1;
        }
        const char *tars[2] = {TXT_TAR, JEKYLL_TAR};
        const char *pfx[2] = {"txt/", "kb/"};
        for (int t = 0; t < 2; t++) {
                char cmd[32768];
                int k = snprintf(cmd, sizeof(cmd), "tar -xJf '%s' -C '%s'",
                                 tars[t], c->dir);
                for (size_t i = 0; i < c->n; i++)
                        if (!strncmp(c->art[i].path, pfx[t], strlen(pfx[t])))
                                k += snprintf(cmd + k, sizeof(cmd) - (size_t)k,
                                              " '%s'", c->art[i].path);
                if ((size_t)k >= sizeof(cmd) || system(cmd) != 0) {
                        fprintf(stderr, "test_kb_parse: failed: %s\n", cmd);
                        free(c);
                        return -1;
                }
        }
        *state = c;
        return 0;
}

/* The modern articles are read where they are: nothing to unpack. */
static int modern_setup(void **state)
{
        if (access(MODERN_DIR, R_OK)) {
                fprintf(stderr,
                        "test_kb_parse: the modern KB articles are missing "
                        "(%s); the shared data folder must sit beside the "
                        "repository\n",
                        MODERN_DIR);
                return -1;
        }
        corpus *c = calloc(1, sizeof(*c));
        if (!c)
                return -1;
        load_truth(c, MODERN_EVAL, "modern", MODERN_DIR);
        *state = c;
        return 0;
}

static int corpus_teardown(void **state)
{
        corpus *c = *state;
        char cmd[512];
        if (!c)
                return 0;
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", c->dir);
        if (c->dir[0] && system(cmd) != 0)
                fprintf(stderr, "test_kb_parse: could not remove %s\n", c->dir);
        for (size_t i = 0; i < c->n; i++) {
                free(c->art[i].path);
                for (size_t k = 0; k < c->art[i].nx; k++) {
                        free(c->art[i].x[k].source);
                        free(c->art[i].x[k].code);
                        free(c->art[i].x[k].fragment);
                }
        }
        free(c);
        return 0;
}

static kbc_kb_article *parse_file(kbc_arena *a, const char *base,
                                  const char *rel)
{
        char path[1024];
        snprintf(path, sizeof(path), "%s/%s", base, rel);
        FILE *f = fopen(path, "rb");
        if (!f)
                fail_msg("cannot open %s", path);
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof(buf), f);
        if (n == sizeof(buf))
                fail_msg("%s: larger than %zu bytes", path, sizeof(buf));
        fclose(f);
        char err[256];
        kbc_kb_article *art = kbc_kb_parse(a, rel, buf, n, err, sizeof(err));
        if (!art)
                fail_msg("%s: %s", rel, err);
        /* The views must outlive the buffer: copy-independent check. */
        return art;
}

static void test_seed_raw(void **state)
{
        corpus *c = *state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_file(a, c->dir, "txt/247/Q247773.TXT");
        assert_string_equal(art->id, "Q247773");
        assert_string_equal(art->date, "09-JAN-2000");
        assert_non_null(strstr(art->title, "Cannot Use IMS After Exchange"));
        assert_int_equal(art->nsections, 3);
        assert_string_equal(art->sections[0].name, "SYMPTOMS");
        assert_string_equal(art->sections[1].name, "CAUSE");
        assert_string_equal(art->sections[2].name, "RESOLUTION");
        assert_non_null(strstr(art->sections[1].text, "proxy address"));
        assert_int_equal(art->nsignals, 2);
        assert_int_equal(art->signals[0].kind, KBC_KB_MESSAGE);
        assert_string_equal(art->signals[0].text,
                            "Extension SMTP could not be loaded.");
        assert_int_equal(art->signals[0].line, 24);
        assert_int_equal(art->signals[1].kind, KBC_KB_EVENT);
        assert_int_equal(art->signals[1].event_id, 2037);
        assert_string_equal(art->signals[1].source, "MSExchangeSA");
        assert_int_equal(art->signals[1].line, 28);
        assert_true(strncmp(art->signals[1].text, "The file version of", 19) ==
                    0);
        assert_string_equal(art->signals[1].section, "SYMPTOMS");
        kbc_arena_free(a);
}

static void test_seed_jekyll(void **state)
{
        corpus *c = *state;
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = parse_file(a, c->dir, "kb/324/Q324332/README.md");
        assert_string_equal(art->id, "Q324332");
        assert_string_equal(art->date, "06-AUG-2002");
        assert_string_equal(art->title, "XADM: Error Message: Extension 'SMTP' "
                                        "Could Not Be Loaded");
        assert_int_equal(art->nkeywords, 1);
        assert_string_equal(art->keywords[0], "kberrmsg");
        assert_int_equal(art->nsections, 5);
        assert_string_equal(kbc_kb_section_get(art, "RESOLUTION")->text,
                            "To resolve the behavior, start the Windows 2000 "
                            "Remote Registry service.");
        static const struct {
                kbc_kb_signal_kind kind;
                const char *what;
                int line;
        } want[] = {
            {KBC_KB_MESSAGE, "Extension 'SMTP' could not be loaded. A problem",
             33},
            {KBC_KB_CODE, "0xC10312C6", 37},
            {KBC_KB_MESSAGE, "The network path was not found", 42},
            {KBC_KB_CODE, "0xC0020035", 45},
            {KBC_KB_MESSAGE,
             "Processing file <Drive>:\\Sp4\\Eng\\Server\\Setup"
             "\\I386\\Shared.ins at or near line 7\nFile not "
             "found",
             50},
        };
        assert_int_equal(art->nsignals, sizeof(want) / sizeof(*want));
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *g = &art->signals[i];
                assert_int_equal(g->kind, want[i].kind);
                assert_int_equal(g->line, want[i].line);
                const char *got = g->kind == KBC_KB_CODE ? g->code : g->text;
                assert_true(strncmp(got, want[i].what, strlen(want[i].what)) ==
                            0);
        }
        kbc_arena_free(a);
}

/* Lower case, white space collapsed, into out. */
static void fold(const char *s, char *out, size_t size)
{
        size_t k = 0;
        for (; *s && k + 1 < size; s++) {
                char ch = *s;
                if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                        if (k && out[k - 1] != ' ')
                                out[k++] = ' ';
                        continue;
                }
                out[k++] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        out[k] = '\0';
}

static bool same_source(const char *a, const char *b)
{
        if (!a || !b)
                return !a && !b;
        return strcasecmp(a, b) == 0;
}

static bool matches(const expect *x, const kbc_kb_signal *g)
{
        char ft[8192], ff[1024];
        switch (x->kind) {
        case X_EVENT:
                /* A source the parser implies (the article names none)
                 * does not contradict an expectation of none. Labels name
                 * the source as the article writes it; the parser gives
                 * the provider Windows logs today and keeps the written
                 * name ("NTDS Replication" for ActiveDirectory_Domain-
                 * Service) in source_written: either one matches. */
                return g->kind == KBC_KB_EVENT && g->event_id == x->id &&
                       (same_source(g->source, x->source) ||
                        (x->source && g->source_written &&
                         same_source(g->source_written, x->source)) ||
                        (!x->source && g->source_implied));
        case X_CODE:
                return g->kind == KBC_KB_CODE && !strcmp(g->code, x->code);
        case X_MESSAGE:
                if (!g->text)
                        return false;
                fold(g->text, ft, sizeof(ft));
                fold(x->fragment, ff, sizeof(ff));
                return strstr(ft, ff) != NULL;
        }
        return false;
}

static void describe(const kbc_kb_signal *g, char *out, size_t size)
{
        switch (g->kind) {
        case KBC_KB_EVENT:
                snprintf(out, size, "event %ld%s%s", g->event_id,
                         g->source ? " " : "", g->source ? g->source : "");
                break;
        case KBC_KB_CODE:
                snprintf(out, size, "code %s", g->code);
                break;
        case KBC_KB_MESSAGE:
                snprintf(out, size, "message %.100s", g->text);
                break;
        }
}

typedef struct score {
        size_t articles, expected, hit, extracted, good;
} score;

/* Compares the parse of every article of one label file's half (every
 * article when set is NULL) with its labels; prints each miss and extra
 * when verbose. */
static score score_set(corpus *c, const char *group, const char *set,
                       bool verbose)
{
        score sc = {0};
        for (size_t i = 0; i < c->n; i++) {
                truth_article *t = &c->art[i];
                if (strcmp(t->group, group) || (set && strcmp(t->set, set)))
                        continue;
                sc.articles++;
                kbc_arena *a = kbc_arena_new();
                kbc_kb_article *art = parse_file(a, t->base, t->path);
                for (size_t s = 0; s < art->nsignals; s++) {
                        const kbc_kb_signal *g = &art->signals[s];
                        bool good = false;
                        for (size_t k = 0; k < t->nx; k++)
                                if (matches(&t->x[k], g)) {
                                        t->x[k].hit = true;
                                        good = true;
                                }
                        sc.extracted++;
                        sc.good += good;
                        if (!good && verbose) {
                                char d[160];
                                describe(g, d, sizeof(d));
                                printf("  extra  %s:%d: %s\n", t->path, g->line,
                                       d);
                        }
                }
                for (size_t k = 0; k < t->nx; k++) {
                        expect *x = &t->x[k];
                        sc.expected++;
                        sc.hit += x->hit;
                        if (x->hit || !verbose)
                                continue;
                        if (x->kind == X_EVENT)
                                printf("  missed %s: event %ld %s\n", t->path,
                                       x->id, x->source ? x->source : "");
                        else
                                printf("  missed %s: %s %s\n", t->path,
                                       x->kind == X_CODE ? "code" : "message",
                                       x->kind == X_CODE ? x->code
                                                         : x->fragment);
                }
                kbc_arena_free(a);
        }
        return sc;
}

static double ratio(size_t a, size_t b)
{
        return b ? (double)a / (double)b : 1.0;
}

static void report(const char *name, score sc)
{
        printf("kb %s: %zu articles, %zu expected signals, %zu extracted; "
               "precision %.3f (%zu/%zu), recall %.3f (%zu/%zu)\n",
               name, sc.articles, sc.expected, sc.extracted,
               ratio(sc.good, sc.extracted), sc.good, sc.extracted,
               ratio(sc.hit, sc.expected), sc.hit, sc.expected);
}

static void test_truth(void **state)
{
        score sc = score_set(*state, "truth", NULL, true);
        report("truth", sc);
        assert_true(sc.articles >= 40);
        assert_true(ratio(sc.good, sc.extracted) >= MIN_PRECISION);
        assert_true(ratio(sc.hit, sc.expected) >= MIN_RECALL);
}

/* The held-out set: the dev half shows its misses, the test half only its
 * figures (it is never used to choose a change). */
static void test_eval(void **state)
{
        score dev = score_set(*state, "eval", "dev", true);
        score test = score_set(*state, "eval", "test", false);
        report("eval dev", dev);
        report("eval test", test);
        assert_true(dev.articles >= 75 && test.articles >= 75);
        assert_true(ratio(test.good, test.extracted) >= MIN_EVAL_PRECISION);
        assert_true(ratio(test.hit, test.expected) >= MIN_EVAL_RECALL);
}

/* The modern set (issue 18), scored the same way: the dev half (three
 * samples) shows its misses, the test half only its figures. */
static void test_modern_eval(void **state)
{
        score dev = score_set(*state, "modern", "dev", true);
        score test = score_set(*state, "modern", "test", false);
        report("modern eval dev", dev);
        report("modern eval test", test);
        assert_true(dev.articles >= 96 && test.articles >= 32);
        assert_true(ratio(test.good, test.extracted) >= MIN_MODERN_PRECISION);
        assert_true(ratio(test.hit, test.expected) >= MIN_MODERN_RECALL);
        assert_true(ratio(dev.good, dev.extracted) >= MIN_MODERN_DEV_PRECISION);
        assert_true(ratio(dev.hit, dev.expected) >= MIN_MODERN_DEV_RECALL);
}

int main(void)
{
        const struct CMUnitTest unit[] = {
            cmocka_unit_test(test_raw_fields),
            cmocka_unit_test(test_raw_signals),
            cmocka_unit_test(test_implied_source),
            cmocka_unit_test(test_crlf_equals_lf),
            cmocka_unit_test(test_jekyll),
            cmocka_unit_test(test_hostile),
        };
        const struct CMUnitTest real[] = {
            cmocka_unit_test(test_seed_raw),
            cmocka_unit_test(test_seed_jekyll),
            cmocka_unit_test(test_truth),
            cmocka_unit_test(test_eval),
        };
        const struct CMUnitTest modern[] = {
            cmocka_unit_test(test_modern_eval),
        };
        int failed = cmocka_run_group_tests_name("kb_parse", unit, NULL, NULL);
        failed += cmocka_run_group_tests_name("kb_corpus", real, corpus_setup,
                                              corpus_teardown);
        failed += cmocka_run_group_tests_name("kb_modern", modern, modern_setup,
                                              corpus_teardown);
        return failed;
}
