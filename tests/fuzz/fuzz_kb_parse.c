/*
 * fuzz_kb_parse.c - libFuzzer target for kbc_kb_parse (both article forms).
 *
 * Every input is parsed as one article from a buffer of exactly its size
 * (so a read one byte past the end is caught by AddressSanitizer). On
 * success every string of the article is read end to end and the
 * invariants of kbc_kb.h are checked: sections have names and text,
 * signals have the fields their kind promises, lines are in order, codes
 * are "0x" and 8 upper-case hex digits, an implied source is a source.
 * Each quoted text then goes through the compiler's generalizer
 * (kb/kb_generalize.c), and the article through the compiler itself
 * (counting, log shapes, one pattern per line, the rule and its
 * --explain): a compiled article gives a rule, a skipped one nothing. On
 * failure there must be a reason.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 *        cmake --build build-fuzz --target fuzz_kb_parse
 * Run:   build-fuzz/tests/fuzz_kb_parse CORPUS_DIR -max_total_time=180
 *        (tests/fuzz/run.sh seeds CORPUS_DIR with articles of the corpus)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_arena.h"
#include "kb_generalize.h"
#include "kbc_compile.h"
#include "kbc_kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the lengths go; external, so no compiler may drop the reads. */
volatile size_t fuzz_sink;

static size_t touch(const char *s)
{
        return s ? strlen(s) : 0;
}

static void check_code(const char *code)
{
        if (strlen(code) != 10 || code[0] != '0' || code[1] != 'x')
                abort();
        for (int i = 2; i < 10; i++)
                if (!((code[i] >= '0' && code[i] <= '9') ||
                      (code[i] >= 'A' && code[i] <= 'F')))
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size ? size : 1);
        kbc_arena *a = kbc_arena_new();
        char err[256];
        size_t h = 0;
        if (!buf || !a)
                abort();
        if (size)
                memcpy(buf, data, size);
        err[0] = '\0';
        kbc_kb_article *art =
            kbc_kb_parse(a, "fuzz", buf, size, err, sizeof(err));
        if (!art) {
                if (!memchr(err, '\0', sizeof(err)) || err[0] == '\0')
                        abort(); /* every failure has a reason */
                goto out;
        }
        if (!art->id || !art->title)
                abort();
        h += touch(art->id) + touch(art->title) + touch(art->date);
        for (size_t i = 0; i < art->nproducts; i++)
                h += touch(art->products[i]);
        for (size_t i = 0; i < art->nkeywords; i++)
                h += touch(art->keywords[i]);
        for (size_t i = 0; i < art->nsections; i++) {
                if (!art->sections[i].name || !art->sections[i].text)
                        abort();
                h +=
                    touch(art->sections[i].name) + touch(art->sections[i].text);
                if (kbc_kb_section_get(art, art->sections[i].name) !=
                    &art->sections[i])
                        abort(); /* names are unique */
        }
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *s = &art->signals[i];
                if (i && art->signals[i - 1].line > s->line)
                        abort();
                switch (s->kind) {
                case KBC_KB_EVENT:
                        if (s->event_id < 1 || s->event_id > 65535)
                                abort();
                        break;
                case KBC_KB_MESSAGE:
                        if (!s->text || !*s->text)
                                abort();
                        break;
                case KBC_KB_CODE:
                        if (!s->code)
                                abort();
                        check_code(s->code);
                        break;
                default:
                        abort();
                }
                if (s->source_implied && !s->source)
                        abort();
                h += touch(s->source) + touch(s->text) + touch(s->code) +
                     touch(s->section);
                /* The compiler's generalizer reads every quoted text. */
                if (s->text)
                        h += touch(kbc_kb_generalize(a, s->text, i & 1));
        }
        /* One compiler for the whole run: its counts grow as a corpus's
         * would. */
        static kbc_compiler *compiler;
        if (!compiler && !(compiler = kbc_compiler_new()))
                abort();
        kbc_compiler_count(compiler, art);
        kbc_buf rule, explain;
        kbc_buf_init(&rule, 1 << 22);
        kbc_buf_init(&explain, 1 << 22);
        kbc_compile_outcome o =
            kbc_compiler_write(compiler, art, &rule, &explain);
        if ((o == KBC_COMPILED) != (rule.len > 0) || !explain.len ||
            explain.data[0] != '[' || explain.data[explain.len - 1] != ']')
                abort();
        h += rule.len + explain.len;
        kbc_buf_free(&rule);
        kbc_buf_free(&explain);
        fuzz_sink = h;
out:
        kbc_arena_free(a);
        free(buf);
        return 0;
}
