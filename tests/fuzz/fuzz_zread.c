/*
 * fuzz_zread.c - libFuzzer target for the decompressing reader of replay
 * (tools/zread.h): hostile gzip, xz and plain streams.
 *
 * Input: a first byte choosing the mode, then the stream. Even: the
 * stream is read as lines; odd: as blocks after an 8-byte peek (the EVTX
 * path). Every byte handed out is read (AddressSanitizer checks the
 * views), the reader must end cleanly or with a reason, and a plain
 * stream must come out exactly as it went in. Output is capped per input
 * so a small bomb cannot turn into a timeout.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 * Run:   build-fuzz/tests/fuzz_zread CORPUS_DIR -max_total_time=180
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_hash.h"
#include "zread.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define OUT_CAP (64u << 20)

volatile uint64_t fuzz_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        bool lines = !(data[0] & 1);
        /* fmemopen wants a buffer it may treat as its own */
        size_t n = size - 1;
        uint8_t *in = malloc(n ? n : 1);
        if (!in)
                return 0;
        memcpy(in, data + 1, n);
        FILE *f = n ? fmemopen(in, n, "rb") : fopen("/dev/null", "rb");
        tool_zread *z = f ? tool_zread_new(f) : NULL;
        if (!z)
                abort();

        const char *p;
        size_t len, out = 0, plain_at = 0;
        uint64_t h = 0;
        bool plain = tool_zread_kind(z) == TOOL_Z_PLAIN &&
                     !tool_zread_converted(z); /* UTF-16 becomes UTF-8 */
        int rc = 0;
        if (!lines && tool_zread_peek(z, 8, &p) > 8)
                abort();
        while (out < OUT_CAP &&
               (rc = lines ? tool_zread_line(z, &p, &len)
                           : tool_zread_block(z, &p, &len)) > 0) {
                h = kbc_fnv64(h, p, len);
                out += len + lines;
                if (plain) { /* a plain stream passes through unchanged */
                        if (plain_at + len > n || memcmp(in + plain_at, p, len))
                                abort();
                        plain_at += len;
                        if (lines && plain_at < n && in[plain_at++] != '\n')
                                abort();
                }
        }
        if (out < OUT_CAP) {
                if (rc < 0 && !*tool_zread_error(z))
                        abort(); /* a failure must say why */
                if (plain && rc == 0 && plain_at != n)
                        abort();
        }
        if (tool_zread_consumed(z) > n)
                abort();
        fuzz_sink = h;
        tool_zread_free(z);
        fclose(f);
        free(in);
        return 0;
}
