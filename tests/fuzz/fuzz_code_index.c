/*
 * fuzz_code_index.c - libFuzzer target for the error code index: whenever
 * a code's pattern matches a text, the index's scan names the code's
 * signal (tests/include/code_index_check.h). A code it missed would be
 * a signal never tried, silently.
 *
 * Input: the code's hex digits up to the first byte that is not one (at
 * most 16; that byte's low bit: titled), then the text, any bytes.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 * Run:   build-fuzz/tests/fuzz_code_index CORPUS_DIR -max_total_time=180
 */
#define _GNU_SOURCE /* memmem, in code_index_check.h */
#include <stdint.h>
#include <stdlib.h>

#include "code_index_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char hex[17];
        size_t n = 0;
        while (n < size && n < 16 &&
               strchr("0123456789abcdefABCDEF", data[n]) && data[n])
                n++;
        if (n == 0 || n == size)
                return 0;
        memcpy(hex, data, n);
        hex[n] = '\0';
        bool titled = data[n] & 1;
        const char *text = (const char *)data + n + 1;
        if (code_index_check(hex, titled, text, size - n - 1) < CODE_NO_MATCH)
                abort();
        return 0;
}
