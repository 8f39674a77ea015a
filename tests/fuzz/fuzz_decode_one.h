/*
 * fuzz_decode_one.h - the body shared by the per-decoder libFuzzer targets
 * (fuzz_decode_<format>.c): each defines FUZZ_FORMAT and includes this.
 *
 * The input is decoded with its format forced, so every byte reaches that
 * decoder rather than the detection in front of it (fuzz_decode covers
 * detection). On success every view of the event is read end to end and
 * hashed, so AddressSanitizer reports a view outside the input or the
 * decoder's scratch; the input is copied into a buffer of exactly its size
 * so a read one byte past it is caught. A failure must leave a reason.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_decode.h"
#include "kbc_hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

volatile uint64_t fuzz_sink;

static uint64_t touch(uint64_t h, kbc_str s)
{
        if (s.len > 0 && !s.ptr)
                abort();
        return kbc_fnv64(h, s.ptr, s.len);
}

static kbc_decoder *fuzz_decoder(void)
{
        static kbc_decoder *d;
        if (d)
                return d;
        if (!(d = kbc_decoder_new()))
                abort();
        /* A local offset, so zone-less times take that path too. */
        kbc_decoder_set_local_offset(d, -300);
        kbc_json_mapping m = {.time = "TimeGenerated",
                              .host = "Computer",
                              .channel = "EventLog",
                              .provider = "Source",
                              .event_id = "EventID",
                              .record_id = "a.b.c",
                              .message = "RenderedDescription",
                              .event_data = "Data"};
        char err[128];
        if (kbc_decoder_add_mapping(d, "la", &m, err, sizeof(err)))
                abort();
        return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        kbc_decoder *d = fuzz_decoder();
        char *msg = malloc(size ? size : 1);
        if (!msg)
                return 0;
        if (size)
                memcpy(msg, data, size);
        kbc_event ev;
        char err[256];
        memset(&ev, 0, sizeof(ev));
        kbc_format fmt =
            kbc_decode(d, FUZZ_FORMAT, msg, size, &ev, err, sizeof(err));
        if (fmt != KBC_FMT_AUTO) {
                if (fmt != FUZZ_FORMAT || !ev.has_event_id ||
                    ev.nfields > KBC_EVENT_MAX_FIELDS)
                        abort();
                uint64_t h = KBC_FNV64_INIT;
                h = touch(h, ev.host);
                h = touch(h, ev.channel);
                h = touch(h, ev.provider);
                h = touch(h, ev.level);
                h = touch(h, ev.message);
                for (size_t i = 0; i < ev.nfields; i++) {
                        h = touch(h, ev.fields[i].name);
                        h = touch(h, ev.fields[i].value);
                }
                fuzz_sink = h;
        } else if (!memchr(err, '\0', sizeof(err)) || err[0] == '\0') {
                abort();
        }
        free(msg);
        return 0;
}
