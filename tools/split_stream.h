/*
 * split_stream.h - the messages of one decompressed input (zread.h): its
 * lines, the objects of a msgpack stream (Fluent Bit's msgpack files), or
 * the <Event> elements of a Windows event XML document (wevtutil qe /f:xml,
 * a saved .xml export), as replay and explain feed them to the decoder.
 * What the input is, is told by its first bytes (tool_split_sniff).
 */
#ifndef TOOL_SPLIT_STREAM_H
#define TOOL_SPLIT_STREAM_H

#include <stddef.h>

#include "kbc_event.h"
#include "zread.h"

typedef enum tool_split_kind {
        TOOL_SPLIT_LINES,   /* one message a line; blank lines skipped */
        TOOL_SPLIT_MSGPACK, /* one message a msgpack object */
        TOOL_SPLIT_XML,     /* one message an <Event> element (or a line
                             * of other text between elements) */
        TOOL_SPLIT_JSON,    /* one message a JSON object of a document
                             * of them, pretty-printed or in an array */
} tool_split_kind;

/* From the first bytes of the decompressed content (the first block
 * read, tool_zread_buffered after a peek, is plenty): a msgpack map or
 * array byte first is msgpack (the decoder's own test); '<' and a
 * non-digit as the first byte that is not blank (after a UTF-8 BOM) is
 * XML, as '<' and a digit is a syslog header; '[', or a '{' alone on its
 * line, is a JSON document (PowerShell's ConvertTo-Json); anything else
 * is lines (JSON lines among them). */
tool_split_kind tool_split_sniff(const char *p, size_t n);

typedef struct tool_split tool_split;

/* Splits z (borrowed, freed by the caller after tool_split_free) as
 * kind. NULL when out of memory. */
tool_split *tool_split_new(tool_zread *z, tool_split_kind kind);
void tool_split_free(tool_split *s);

/* The next message into *msg, *len (valid until the next call); its
 * place goes to at->kind and at->position ("path:LINE" of its first
 * line, or "path#object N"), at->source is the caller's. 1 = a message,
 * 0 = the end, -1 = the input cannot be split further: *at is where
 * (the message that could not be read whole), tool_split_error why. */
int tool_split_next(tool_split *s, const char **msg, size_t *len,
                    kbc_origin *at);

/* Why the last -1, a whole clause for after the origin: "truncated
 * XML: the input ends ...", or what ends the file early (a read error,
 * a message past the cap) and "; the rest of the file is skipped". */
const char *tool_split_error(const tool_split *s);

#endif
