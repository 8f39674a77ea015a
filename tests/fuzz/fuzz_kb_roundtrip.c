/*
 * fuzz_kb_roundtrip.c - libFuzzer target for `kbcorr compile` followed by
 * the rule loader: a rule the compiler writes must load.
 *
 * Each input is a KB article (either form, kb/kbc_kb.h). It is parsed
 * under an odd file name (which the rule's first comment quotes), counted
 * by a compiler of its own (so the outcome depends on this input alone and
 * a reproducer reproduces) and written as a rule, as tools/cmd_compile.c
 * does. A compiled rule goes to one file
 * (fuzz_tmpfile.h) and is loaded with kbc_ruleset_load: it must load with
 * no problem reported, as exactly one rule, under the article's id. A
 * rule that does not is a compiler bug (the loader's message, then the
 * YAML, go to stderr before the abort); fuzz_kb_parse covers the parser
 * and the compiler's own invariants.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 *        cmake --build build-fuzz --target fuzz_kb_roundtrip
 * Run:   build-fuzz/tests/fuzz_kb_roundtrip CORPUS_DIR
 *        (tests/fuzz/run.sh seeds CORPUS_DIR with articles of the corpus)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tmpfile.h"
#include "kbc_arena.h"
#include "kbc_compile.h"
#include "kbc_kb.h"
#include "rule_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The article's file name goes into the rule's first comment: one with a
 * byte that is not UTF-8, a C1 control, a newline and a DEL, as a folder
 * of old articles may hold, must not keep the rule from loading. */
#define ODD_PATH "kb/caf\xe9-\xc2\x85-\n-\x7f.txt"

static void print_diag(void *opaque, const char *msg)
{
        size_t *count = opaque;
        fprintf(stderr, "fuzz_kb_roundtrip: %s\n", msg);
        (*count)++;
}

static void fail(const char *why, const kbc_buf *yaml)
{
        fprintf(stderr, "fuzz_kb_roundtrip: %s; the rule:\n%.*s\n", why,
                (int)yaml->len, yaml->data);
        abort();
}

static void roundtrip(const kbc_kb_article *art, const kbc_buf *yaml)
{
        const char *path = fuzz_tmpfile("rule.yaml", yaml->data, yaml->len);
        size_t problems = 0;
        kbc_ruleset *rs = kbc_ruleset_load(&path, 1, print_diag, &problems);
        if (!rs || problems)
                fail("a compiled rule does not load", yaml);
        if (kbc_ruleset_count(rs) != 1)
                fail("a compiled rule loads as another count of rules", yaml);
        const kbc_rule *r = kbc_ruleset_rule(rs, 0);
        if (!r->id || strcmp(r->id, art->id))
                fail("a compiled rule loads under another id", yaml);
        if (!r->nsignals || !r->ntests)
                fail("a compiled rule loads without signals or test", yaml);
        kbc_ruleset_free(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size ? size : 1);
        kbc_arena *a = kbc_arena_new();
        kbc_compiler *c = kbc_compiler_new();
        char err[256];
        if (!buf || !a || !c)
                abort();
        if (size)
                memcpy(buf, data, size);
        kbc_kb_article *art =
            kbc_kb_parse(a, ODD_PATH, buf, size, err, sizeof(err));
        if (art) {
                kbc_buf yaml;
                kbc_buf_init(&yaml, 1 << 22);
                kbc_compiler_count(c, art);
                if (kbc_compiler_write(c, art, &yaml, NULL) == KBC_COMPILED)
                        roundtrip(art, &yaml);
                kbc_buf_free(&yaml);
        }
        kbc_compiler_free(c);
        kbc_arena_free(a);
        free(buf);
        return 0;
}
