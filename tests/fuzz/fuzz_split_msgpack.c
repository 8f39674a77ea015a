/*
 * fuzz_split_msgpack.c - libFuzzer target for cutting a msgpack stream
 * into objects (tools/split_stream.c; body in fuzz_split_one.h).
 *
 * Each object must be one whole msgpack object by kbc_msgpack_span and by
 * msgpack-c itself (its unpacker may refuse one nested too deep, never
 * find it incomplete or of another length); the objects of a plain input
 * must be its bytes in order, all of them when the split ends cleanly,
 * and when it fails, what is left must not be a whole object.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 * Run:   build-fuzz/tests/fuzz_split_msgpack CORPUS_DIR -max_total_time=120
 */
#include <msgpack.h>

#include "kbc_msgpack.h"

#define FUZZ_SPLIT_KIND TOOL_SPLIT_MSGPACK
#include "fuzz_split_one.h"

static void fuzz_check_message(fuzz_split_run *run, const char *msg, size_t len,
                               const kbc_origin *at)
{
        size_t span = 0, off = 0;
        if (at->kind != KBC_ORIGIN_OBJECT || at->position != run->count)
                abort();
        if (kbc_msgpack_span(msg, len, &span) != KBC_MSGPACK_WHOLE ||
            span != len)
                abort();
        msgpack_unpacked u;
        msgpack_unpacked_init(&u);
        msgpack_unpack_return ur = msgpack_unpack_next(&u, msg, len, &off);
        msgpack_unpacked_destroy(&u);
        if (ur == MSGPACK_UNPACK_CONTINUE ||
            (ur == MSGPACK_UNPACK_SUCCESS && off != len))
                abort();
        if (run->plain && (run->total + len > run->n ||
                           memcmp(run->in + run->total, msg, len)))
                abort();
}

static void fuzz_check_end(fuzz_split_run *run, int rc, const char *err)
{
        size_t span;
        (void)err;
        if (!run->plain)
                return;
        if (rc == 0 && run->total != run->n)
                abort();
        if (rc < 0 &&
            (run->total >= run->n ||
             kbc_msgpack_span(run->in + run->total, run->n - run->total,
                              &span) == KBC_MSGPACK_WHOLE))
                abort();
}
