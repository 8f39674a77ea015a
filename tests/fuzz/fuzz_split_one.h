/*
 * fuzz_split_one.h - the body shared by the libFuzzer targets of replay's
 * stream splitters (tools/split_stream.h): fuzz_split_msgpack.c and
 * fuzz_split_xml.c define FUZZ_SPLIT_KIND and their checks, then include
 * this.
 *
 * The input is read as a file through zread (so a fuzzed gzip or xz
 * stream is split after decompression) and split as FUZZ_SPLIT_KIND
 * whatever its first bytes. Every message is read end to end and hashed,
 * so AddressSanitizer reports a view outside the reader's buffer, then
 * handed to fuzz_check_message; fuzz_check_end sees how the split ended.
 * A failure must say why.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_hash.h"
#include "split_stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

volatile uint64_t fuzz_sink;

typedef struct fuzz_split_run {
        const uint8_t *in;
        size_t n;
        bool plain;   /* the input was not compressed: messages are its bytes */
        size_t total; /* bytes handed out so far */
        int64_t count, last_position;
} fuzz_split_run;

static void fuzz_check_message(fuzz_split_run *run, const char *msg, size_t len,
                               const kbc_origin *at);
static void fuzz_check_end(fuzz_split_run *run, int rc, const char *err);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        /* fmemopen wants a buffer it may treat as its own */
        uint8_t *in = malloc(size ? size : 1);
        if (!in)
                return 0;
        memcpy(in, data, size);
        FILE *f = size ? fmemopen(in, size, "rb") : fopen("/dev/null", "rb");
        tool_zread *z = f ? tool_zread_new(f) : NULL;
        tool_split *s = z ? tool_split_new(z, FUZZ_SPLIT_KIND) : NULL;
        if (!s)
                abort();
        fuzz_split_run run = {
            in,
            size,
            tool_zread_kind(z) == TOOL_Z_PLAIN && !tool_zread_converted(z),
            0,
            0,
            0};
        const char *msg;
        size_t len;
        kbc_origin at = {0};
        uint64_t h = 0;
        int rc;
        while ((rc = tool_split_next(s, &msg, &len, &at)) > 0) {
                h = kbc_fnv64(h, msg, len);
                run.count++;
                fuzz_check_message(&run, msg, len, &at);
                run.total += len;
                run.last_position = at.position;
        }
        if (rc < 0 && !*tool_split_error(s))
                abort(); /* a failure must say why */
        fuzz_check_end(&run, rc, tool_split_error(s));
        fuzz_sink = h;
        tool_split_free(s);
        tool_zread_free(z);
        fclose(f);
        free(in);
        return 0;
}
