/*
 * fuzz_split_xml.c - libFuzzer target for cutting a Windows event XML
 * document into <Event> elements (tools/split_stream.c; body in
 * fuzz_split_one.h).
 *
 * Messages are never empty, come in the order of their lines (the line
 * of each within the input's lines), and an element starts with "<Event";
 * text between elements comes a line at a time; a plain input gives no
 * more bytes than it holds, and the only way its split fails is a
 * truncated element or markup.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 * Run:   build-fuzz/tests/fuzz_split_xml CORPUS_DIR -max_total_time=120
 */
#define FUZZ_SPLIT_KIND TOOL_SPLIT_XML
#include "fuzz_split_one.h"

static int64_t lines_of(const uint8_t *p, size_t n)
{
        int64_t lines = 1;
        for (size_t i = 0; i < n; i++)
                lines += p[i] == '\n';
        return lines;
}

static void fuzz_check_message(fuzz_split_run *run, const char *msg, size_t len,
                               const kbc_origin *at)
{
        static int64_t lines; /* of this input, counted at its first message */
        if (run->count == 1)
                lines = lines_of(run->in, run->n);
        if (len == 0 || at->kind != KBC_ORIGIN_FILE ||
            at->position < (run->last_position ? run->last_position : 1))
                abort();
        if (run->plain && (run->total + len > run->n || at->position > lines))
                abort();
        bool element = len > 6 && !memcmp(msg, "<Event", 6);
        if (!element && memchr(msg, '\n', len))
                abort(); /* text between elements comes a line at a time */
}

static void fuzz_check_end(fuzz_split_run *run, int rc, const char *err)
{
        if (run->plain && rc < 0 && strncmp(err, "truncated XML: ", 15))
                abort();
}
