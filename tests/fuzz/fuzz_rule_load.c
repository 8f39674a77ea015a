/*
 * fuzz_rule_load.c - libFuzzer target for the rule loader.
 *
 * Each input is written to one temporary file and loaded as a rule set, so
 * the whole path runs: reading, libyaml, the schema walk, every regex
 * compile, kbc_text_to_regex and the signal index. Every problem message
 * is checked to be one line that starts with the file name (the format the
 * loader promises); a set that loads has every string read end to end and
 * its test events run through the matcher, so AddressSanitizer sees any
 * field that points at freed or foreign memory.
 *
 * Build: CC=clang cmake -S . -B build-fuzzr -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 *        cmake --build build-fuzzr --target fuzz_rule_load
 * Run:   build-fuzzr/tests/fuzz_rule_load CORPUS_DIR -max_total_time=120
 *        (seed CORPUS_DIR with tests/data/rules_ok and rules/curated)
 */
#include <stdint.h>
#include <string.h>

#include "fuzz_tmpfile.h"
#include "fuzz_touch_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *path; /* the same on every call */

static void check_diag(void *opaque, const char *msg)
{
        (void)opaque;
        size_t n = strlen(path);
        if (strncmp(msg, path, n) || (msg[n] != ':') || strchr(msg, '\n'))
                abort(); /* not "file:line: what" on one line */
        fuzz_sink ^= kbc_fnv64(KBC_FNV64_INIT, msg, strlen(msg));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        path = fuzz_tmpfile("rule.yaml", data, size);
        const char *paths[] = {path};
        kbc_ruleset *rs = kbc_ruleset_load(paths, 1, check_diag, NULL);
        if (!rs)
                return 0;
        touch_ruleset(rs);
        kbc_ruleset_free(rs);
        return 0;
}
