/*
 * fuzz_mapping_load.c - libFuzzer target for the JSON mapping loader
 * (rules/mapping_load.c, `--mapping FILE` and kbcorrd's `mappings:`).
 *
 * Each input is written to one file (fuzz_tmpfile.h) and loaded onto a
 * decoder whose mappings were reset to none (copied from an empty one, the
 * way kbcorrd hands mappings to each pipeline). Every problem must be one
 * line "file:line: what" or "file: what", and the load fails exactly when
 * there was one. Whatever mappings were registered, loaded or not, then
 * decode a few JSON records in auto mode and forced to KBC_FMT_MAPPED, so
 * the paths the loader accepted are also walked by the decoder; every view
 * of a decoded event is read end to end.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 *        cmake --build build-fuzz --target fuzz_mapping_load
 * Run:   build-fuzz/tests/fuzz_mapping_load CORPUS_DIR
 *        (tests/fuzz/run.sh seeds CORPUS_DIR with examples/mappings)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_tmpfile.h"
#include "kbc_decode.h"
#include "kbc_hash.h"
#include "kbc_mapping_load.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the hashes go; external, so no compiler may drop the reads. */
volatile uint64_t fuzz_sink;

typedef struct diag_state {
        const char *path;
        size_t count;
} diag_state;

static void check_diag(void *opaque, const char *msg)
{
        diag_state *st = opaque;
        size_t n = strlen(st->path);
        if (strncmp(msg, st->path, n) || msg[n] != ':' || strchr(msg, '\n'))
                abort(); /* not "file:line: what" on one line */
        st->count++;
        fuzz_sink ^= kbc_fnv64(KBC_FNV64_INIT, msg, strlen(msg));
}

static uint64_t touch(uint64_t h, kbc_str s)
{
        if (s.len > 0 && !s.ptr)
                abort();
        return kbc_fnv64(h, s.ptr, s.len);
}

/* Reads every view of a decoded event end to end. */
static uint64_t touch_event(uint64_t h, const kbc_event *ev)
{
        const kbc_str views[] = {ev->host, ev->channel, ev->provider, ev->level,
                                 ev->message};
        if (ev->nfields > KBC_EVENT_MAX_FIELDS)
                abort();
        for (size_t i = 0; i < sizeof(views) / sizeof(views[0]); i++)
                h = touch(h, views[i]);
        for (size_t i = 0; i < ev->nfields; i++)
                h = touch(touch(h, ev->fields[i].name), ev->fields[i].value);
        return h;
}

/* Records of the shapes the seeds map (examples/mappings, the Log
 * Analytics names), nested members and arrays among them. */
static const char *const records[] = {
    "{\"when\":\"2024-05-01T10:00:00Z\",\"box\":\"h1\",\"log\":\"System\","
    "\"origin\":\"Service Control Manager\",\"code\":7031,\"sev\":\"error\","
    "\"text\":\"The x service terminated\",\"args\":[\"x\",\"1\"]"
    "}",
    "{\"TimeGenerated\":\"2024-05-01 10:00:00\",\"Computer\":\"h2\","
    "\"EventLog\":\"Application\",\"Source\":\"MSExchangeSA\",\"EventID\":"
    "\"2037\",\"a\":{\"b\":{\"c\":17}},\"Data\":{\"p\":\"q\",\"n\":1}"
    "}",
    "{\"a\":{\"b\":[1,{\"c\":\"2024-05-01T10:00:00+02:00\"}]},"
    "\"e\":{\"id\":4624},"
    "\"x\":{},\"y\":null,\"z\":[]}",
};

/* Decodes every record in auto mode and forced to the mappings. */
static uint64_t decode_all(kbc_decoder *d)
{
        uint64_t h = KBC_FNV64_INIT;
        for (size_t i = 0; i < 2 * sizeof(records) / sizeof(records[0]); i++) {
                const char *rec = records[i / 2];
                kbc_format forced = i % 2 ? KBC_FMT_MAPPED : KBC_FMT_AUTO;
                kbc_event ev;
                char err[256];
                memset(&ev, 0, sizeof(ev));
                kbc_format f = kbc_decode(d, forced, rec, strlen(rec), &ev, err,
                                          sizeof(err));
                if (f == KBC_FMT_AUTO &&
                    (!memchr(err, '\0', sizeof(err)) || !err[0]))
                        abort(); /* a failure has a reason */
                if (f == KBC_FMT_MAPPED && !kbc_decoder_last_mapping(d))
                        abort();
                if (f != KBC_FMT_AUTO)
                        h = touch_event(h, &ev);
        }
        return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static kbc_decoder *empty, *dec;
        if (!empty &&
            (!(empty = kbc_decoder_new()) || !(dec = kbc_decoder_new())))
                abort();
        kbc_decoder_copy_mappings(dec, empty);
        diag_state st = {.path = fuzz_tmpfile("mapping.yaml", data, size)};
        int rc = kbc_mappings_load(dec, st.path, check_diag, &st);
        if ((rc == 0) != (st.count == 0) || (rc != 0 && rc != -1))
                abort(); /* fails exactly when it said why */
        fuzz_sink ^= decode_all(dec);
        return 0;
}
