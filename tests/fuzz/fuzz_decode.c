/*
 * fuzz_decode.c - libFuzzer target for kbc_decode with format detection.
 *
 * Every input is decoded as one message; on success every view of the
 * event is read end to end (hashed, so the reads cannot be optimized
 * away), which makes AddressSanitizer report any view that points outside
 * the input or the decoder's scratch. The input is copied into a buffer of
 * exactly its size first, so a read one byte past the message is caught
 * even though libFuzzer's own buffer is not NUL-terminated either.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 *        cmake --build build-fuzz --target fuzz_decode
 * Run:   build-fuzz/tests/fuzz_decode CORPUS_DIR -max_total_time=180
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_decode.h"
#include "kbc_hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the hashes go; external, so no compiler may drop the reads. */
volatile uint64_t fuzz_sink;

static uint64_t touch(uint64_t h, kbc_str s)
{
        if (s.len > 0 && !s.ptr)
                abort(); /* a non-empty view without memory */
        return kbc_fnv64(h, s.ptr, s.len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static kbc_decoder *d;
        if (!d && !(d = kbc_decoder_new()))
                abort();

        char *msg = malloc(size ? size : 1);
        if (!msg)
                return 0;
        if (size)
                memcpy(msg, data, size);

        kbc_event ev;
        char err[256];
        memset(&ev, 0, sizeof(ev));
        kbc_format fmt =
            kbc_decode(d, KBC_FMT_AUTO, msg, size, &ev, err, sizeof(err));
        if (fmt != KBC_FMT_AUTO) {
                uint64_t h = KBC_FNV64_INIT;
                h = touch(h, ev.host);
                h = touch(h, ev.channel);
                h = touch(h, ev.provider);
                h = touch(h, ev.level);
                h = touch(h, ev.message);
                if (ev.nfields > KBC_EVENT_MAX_FIELDS || !ev.has_event_id)
                        abort();
                for (size_t i = 0; i < ev.nfields; i++) {
                        h = touch(h, ev.fields[i].name);
                        h = touch(h, ev.fields[i].value);
                }
                h = touch(h, kbc_event_field(&ev, KBC_STR_LIT("param1")));
                fuzz_sink = h;
        } else if (!memchr(err, '\0', sizeof(err)) || err[0] == '\0') {
                abort(); /* every failure has a reason */
        }
        free(msg);
        return 0;
}
