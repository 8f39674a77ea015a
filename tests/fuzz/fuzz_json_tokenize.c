/*
 * fuzz_json_tokenize.c - differential libFuzzer target: kbc_json_tokenize
 * must give exactly what Debian's jsmn gives (tokens, return value, parser
 * state) on any input, also when resumed after running out of tokens.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 * Run:   build-fuzz/tests/fuzz_json_tokenize CORPUS_DIR -max_total_time=180
 */
#include <stdint.h>
#include <stdlib.h>

#include "json_tokenize_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* Exact size, so ASan sees any read past the text. */
        char *js = malloc(size ? size : 1);
        if (!js)
                return 0;
        memcpy(js, data, size);
        if (!tokenizers_agree(js, size, 1, 1u << 16) ||
            !tokenizers_agree(js, size, 64, 1u << 16))
                abort();
        free(js);
        return 0;
}
