/*
 * convert_events.c - writes events given as lines of any input format
 * (the seed scenarios' Winlogbeat 7 JSON) out again as a file of another
 * shape, with bench/convert_events.h, for the replay tests of file shapes
 * (tests/e2e/replay_streams.sh) and the seed verdicts in every format
 * (tests/e2e/compile_corpus.sh):
 *
 *   convert_events msgpack      <IN >OUT  Fluent Bit records, one msgpack
 *                                         object after another
 *   convert_events xml-document <IN >OUT  a UTF-8 BOM, <?xml?>, a comment,
 *                                         <Events>, the events indented
 *                                         over many lines, CRLF line ends
 *   convert_events xml-lines    <IN >OUT  one <Event> element a line
 *   convert_events nxlog|winlogbeat6|snare|fluentbit-json <IN >OUT
 *                                         one event a line in that format
 *
 * C, not a script: a fresh Debian 12 has no Python, and the shapes must
 * be those the converters of the decode tests write.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../bench/convert_events.h"
#include "kbc_decode.h"

#define MAX_MESSAGE (1 << 20)

typedef enum shape {
        MSGPACK,
        XML_DOCUMENT,
        XML_LINES,
        NXLOG,
        WINLOGBEAT6,
        SNARE,
        FLUENTBIT_JSON,
        N_SHAPES
} shape;

static void put_indent(FILE *out, int depth)
{
        fputs("\r\n", out);
        for (int i = 0; i < depth; i++)
                fputs("  ", out);
}

/* The one-line XML of conv_to_winxml, a tag a line, indented. A tag
 * after text or an empty element's end tag stays where it is, so no
 * element's text changes; only blanks between elements are added. */
static void put_pretty(FILE *out, const char *x, size_t n, int depth)
{
        enum { TEXT, START, OTHER } prev = OTHER;
        for (size_t i = 0; i < n;) {
                if (x[i] != '<') {
                        const char *lt = memchr(x + i, '<', n - i);
                        size_t len = lt ? (size_t)(lt - (x + i)) : n - i;
                        fwrite(x + i, 1, len, out);
                        i += len;
                        prev = TEXT;
                        continue;
                }
                const char *gt = memchr(x + i, '>', n - i);
                size_t len = gt ? (size_t)(gt - (x + i)) + 1 : n - i;
                bool end = x[i + 1] == '/', empty = x[i + len - 2] == '/';
                if (end)
                        depth--;
                if (!end || prev == OTHER)
                        put_indent(out, depth);
                fwrite(x + i, 1, len, out);
                if (!end && !empty)
                        depth++;
                prev = !end && !empty ? START : OTHER;
                i += len;
        }
}

static int write_event(shape sh, const kbc_event *ev, kbc_buf *b, FILE *out)
{
        static int (*const to[N_SHAPES])(const kbc_event *, kbc_buf *) = {
            [MSGPACK] = conv_to_fluentbit_msgpack,
            [XML_DOCUMENT] = conv_to_winxml,
            [XML_LINES] = conv_to_winxml,
            [NXLOG] = conv_to_nxlog,
            [WINLOGBEAT6] = conv_to_winlogbeat6,
            [SNARE] = conv_to_snare,
            [FLUENTBIT_JSON] = conv_to_fluentbit_json,
        };
        kbc_buf_reset(b);
        if (to[sh](ev, b))
                return -1;
        if (sh == XML_DOCUMENT)
                put_pretty(out, b->data, b->len, 1);
        else
                fwrite(b->data, 1, b->len, out);
        if (sh != MSGPACK && sh != XML_DOCUMENT && sh != SNARE) /* its own \n */
                fputc('\n', out);
        return 0;
}

int main(int argc, char **argv)
{
        static const char *const names[N_SHAPES] = {
            [MSGPACK] = "msgpack",
            [XML_DOCUMENT] = "xml-document",
            [XML_LINES] = "xml-lines",
            [NXLOG] = "nxlog",
            [WINLOGBEAT6] = "winlogbeat6",
            [SNARE] = "snare",
            [FLUENTBIT_JSON] = "fluentbit-json",
        };
        shape sh = MSGPACK;
        while (argc == 2 && sh < N_SHAPES && strcmp(argv[1], names[sh]))
                sh++;
        if (argc != 2 || sh == N_SHAPES) {
                fputs("usage: convert_events msgpack|xml-document|xml-lines|"
                      "nxlog|winlogbeat6|snare|fluentbit-json <IN >OUT\n",
                      stderr);
                return 2;
        }
        kbc_decoder *d = kbc_decoder_new();
        kbc_buf b;
        kbc_buf_init(&b, MAX_MESSAGE);
        kbc_event ev;
        char err[512], *line = NULL;
        size_t cap = 0, lineno = 0;
        ssize_t len;
        int rc = d ? 0 : 1;
        if (sh == XML_DOCUMENT)
                fputs("\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                      "\r\n<!-- kbcorr test events; an <Event> in a comment "
                      "is none -->\r\n<Events>",
                      stdout);
        while (!rc && (len = getline(&line, &cap, stdin)) > 0) {
                lineno++;
                while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
                        len--;
                if (!len)
                        continue;
                if (kbc_decode(d, KBC_FMT_AUTO, line, (size_t)len, &ev, err,
                               sizeof(err)) == KBC_FMT_AUTO) {
                        fprintf(stderr, "convert_events: <stdin>:%zu: %s\n",
                                lineno, err);
                        rc = 1;
                } else if (write_event(sh, &ev, &b, stdout)) {
                        fprintf(stderr,
                                "convert_events: <stdin>:%zu: too large\n",
                                lineno);
                        rc = 1;
                }
        }
        if (sh == XML_DOCUMENT)
                fputs("\r\n</Events>\r\n", stdout);
        free(line);
        kbc_buf_free(&b);
        kbc_decoder_free(d);
        return rc || fflush(stdout) ? 1 : 0;
}
