/*
 * zread.h - reading an input stream that may be gzip or xz compressed:
 * the compression is recognized by its magic bytes, never by a file name,
 * and the decompressed bytes come out as lines or as blocks. Plain input
 * passes through unchanged.
 */
#ifndef TOOL_ZREAD_H
#define TOOL_ZREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

typedef enum tool_zkind {
        TOOL_Z_PLAIN,
        TOOL_Z_GZIP, /* one or more gzip members (RFC 1952) */
        TOOL_Z_XZ,   /* one or more .xz streams, padding allowed */
} tool_zkind;

typedef struct tool_zread tool_zread;

/* The longest line (or message, tools/split_stream.h) handed out: one
 * message is one event, and the decoder refuses far smaller ones. */
#define TOOL_ZREAD_MESSAGE_CAP ((size_t)64 << 20)

/* Starts reading f (borrowed: the caller closes it after
 * tool_zread_free). NULL when out of memory. */
tool_zread *tool_zread_new(FILE *f);
void tool_zread_free(tool_zread *z);

/* What the stream turned out to be; reads the magic if not yet done. */
tool_zkind tool_zread_kind(tool_zread *z);

/* Whether the decompressed text was UTF-16 (a byte order mark and ASCII
 * text after it) and comes out converted to UTF-8; reads the first bytes
 * if not yet done. */
bool tool_zread_converted(tool_zread *z);
const char *tool_zkind_name(tool_zkind k);

/* Makes at least n decompressed bytes available (fewer at the end) and
 * points *p at them without consuming them. Returns how many, or -1. */
ssize_t tool_zread_peek(tool_zread *z, size_t n, const char **p);

/* The decompressed bytes already read and not yet consumed, at *p,
 * without reading more. */
size_t tool_zread_buffered(const tool_zread *z, const char **p);

/* Consumes the first n of the bytes tool_zread_peek or _buffered made
 * available (n at most what they gave); what they pointed at stays valid
 * until the next read. */
void tool_zread_skip(tool_zread *z, size_t n);

/* The next line, without its '\n' (a last line without one counts), into
 * *line (valid until the next call). 1 = a line, 0 = end, -1 = error. */
int tool_zread_line(tool_zread *z, const char **line, size_t *len);

/* The next decompressed block, whatever its size. 1, 0 or -1 as above. */
int tool_zread_block(tool_zread *z, const char **p, size_t *len);

/* Why the last -1: "truncated gzip data (...)", "corrupt xz data: ...".
 * The caller prepends the origin (file:line). */
const char *tool_zread_error(const tool_zread *z);

/* Raw (compressed) bytes read from f so far: progress through a file. */
uint64_t tool_zread_consumed(const tool_zread *z);

#endif
