/*
 * zread.c - gzip, xz or plain input as one decompressed byte stream (see
 * zread.h).
 *
 * The first raw bytes say what the stream is: 1f 8b is gzip, fd '7zXZ' 00
 * is xz, anything else is read as it is. Raw input is read in blocks of
 * IN_SIZE into `in`; decompressed bytes go to a buffer that grows only as
 * long as a line (or a peek) needs, lines capped at TOOL_ZREAD_MESSAGE_CAP,
 * so memory stays bounded whatever the file's size. Several gzip members
 * or xz streams one after the other (`cat a.gz b.gz`) read as one stream,
 * as gzip -d reads them. An error is kept and every later call returns it
 * again.
 *
 * Text that starts with a UTF-16 byte order mark (Windows PowerShell 5.1
 * writes `Get-WinEvent | ConvertTo-Json > file` so) comes out as UTF-8:
 * each chunk is decompressed into `stage` and converted into the buffer,
 * an odd byte or a high surrogate carried to the next chunk, a lone
 * surrogate becoming U+FFFD, as the JSON reader does.
 */
#include <errno.h>
#include <lzma.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "kbc_str.h"
#include "zread.h"

#define IN_SIZE   (64 << 10)
#define OUT_CHUNK (64 << 10)
/* xz -9 needs 65 MiB to decompress; a header asking for more than this is
 * refused rather than allocated. */
#define XZ_MEMLIMIT (256u << 20)

struct tool_zread {
        FILE *f;
        tool_zkind kind;
        bool sniffed, in_eof, member_done, out_eof, failed;
        bool gz_ready, xz_ready;
        z_stream gz;
        lzma_stream xz;
        unsigned char in[IN_SIZE];
        const unsigned char *next_in;
        size_t avail_in;
        enum { TEXT_UNKNOWN, TEXT_AS_IS, TEXT_UTF16LE, TEXT_UTF16BE } text;
        unsigned char *stage; /* UTF-16 text before conversion */
        int u16_byte;         /* an odd byte carried, or -1 */
        unsigned u16_high;    /* a high surrogate carried, or 0 */
        char *buf; /* decompressed; [start, end) not yet handed out */
        size_t cap, start, end;
        size_t scanned; /* bytes after start known to hold no '\n' */
        uint64_t consumed;
        char err[256];
};

tool_zread *tool_zread_new(FILE *f)
{
        tool_zread *z = calloc(1, sizeof(*z));
        if (!z)
                return NULL;
        z->f = f;
        z->xz = (lzma_stream)LZMA_STREAM_INIT;
        return z;
}

void tool_zread_free(tool_zread *z)
{
        if (!z)
                return;
        if (z->gz_ready)
                inflateEnd(&z->gz);
        if (z->xz_ready)
                lzma_end(&z->xz);
        free(z->buf);
        free(z->stage);
        free(z);
}

const char *tool_zkind_name(tool_zkind k)
{
        return k == TOOL_Z_GZIP ? "gzip" : k == TOOL_Z_XZ ? "xz" : "plain";
}

const char *tool_zread_error(const tool_zread *z)
{
        return z->err;
}

uint64_t tool_zread_consumed(const tool_zread *z)
{
        return z->consumed;
}

/* Records the first error only; returns -1 for the caller to pass on. */
static int fail(tool_zread *z, const char *what, const char *detail)
{
        if (!z->failed)
                snprintf(z->err, sizeof(z->err), "%s%s%s", what,
                         detail ? ": " : "", detail ? detail : "");
        z->failed = true;
        return -1;
}

static int read_raw(tool_zread *z)
{
        size_t n = fread(z->in, 1, sizeof(z->in), z->f);
        z->next_in = z->in;
        z->avail_in = n;
        z->consumed += n;
        if (n == 0) {
                if (ferror(z->f))
                        return fail(z, "read error", strerror(errno));
                z->in_eof = true;
        }
        return 0;
}

static int sniff(tool_zread *z)
{
        static const unsigned char xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0};
        z->sniffed = true;
        if (read_raw(z))
                return -1;
        if (z->avail_in >= 2 && z->in[0] == 0x1f && z->in[1] == 0x8b) {
                z->kind = TOOL_Z_GZIP;
                /* 15 + 16: a gzip header and trailer, nothing else */
                if (inflateInit2(&z->gz, 15 + 16) != Z_OK)
                        return fail(z, "out of memory", NULL);
                z->gz_ready = true;
        } else if (z->avail_in >= sizeof(xz_magic) &&
                   !memcmp(z->in, xz_magic, sizeof(xz_magic))) {
                z->kind = TOOL_Z_XZ;
                if (lzma_stream_decoder(&z->xz, XZ_MEMLIMIT,
                                        LZMA_CONCATENATED) != LZMA_OK)
                        return fail(z, "out of memory", NULL);
                z->xz_ready = true;
        }
        return 0;
}

bool tool_zread_converted(tool_zread *z)
{
        const char *p;
        if (z->text == TEXT_UNKNOWN)
                tool_zread_peek(z, 1, &p);
        return z->text == TEXT_UTF16LE || z->text == TEXT_UTF16BE;
}

tool_zkind tool_zread_kind(tool_zread *z)
{
        if (!z->sniffed)
                sniff(z);
        return z->kind;
}

static int truncated(tool_zread *z)
{
        char what[64];
        snprintf(what, sizeof(what), "truncated %s data",
                 tool_zkind_name(z->kind));
        return fail(z, what, "the input ends inside the compressed stream");
}

/* Each step below turns some of `in` into at most room bytes at out and
 * says how many (*got); 1 = the stream ended cleanly, 0 = go on, -1. */
static int step_plain(tool_zread *z, char *out, size_t room, size_t *got)
{
        if (!z->avail_in)
                return z->in_eof ? 1 : 0;
        *got = z->avail_in < room ? z->avail_in : room;
        memcpy(out, z->next_in, *got);
        z->next_in += *got;
        z->avail_in -= *got;
        return 0;
}

static int step_gzip(tool_zread *z, char *out, size_t room, size_t *got)
{
        if (z->member_done) {
                if (!z->avail_in)
                        return z->in_eof ? 1 : 0;
                inflateReset(&z->gz); /* another member follows */
                z->member_done = false;
        }
        z->gz.next_in = (unsigned char *)z->next_in;
        z->gz.avail_in = (uInt)z->avail_in;
        z->gz.next_out = (unsigned char *)out;
        z->gz.avail_out = (uInt)room;
        int rc = inflate(&z->gz, Z_NO_FLUSH);
        *got = room - z->gz.avail_out;
        z->next_in = z->gz.next_in;
        z->avail_in = z->gz.avail_in;
        switch (rc) {
        case Z_STREAM_END:
                z->member_done = true;
                return 0;
        case Z_OK:
        case Z_BUF_ERROR: /* needs more input */
                if (!*got && !z->avail_in && z->in_eof)
                        return truncated(z);
                return 0;
        case Z_MEM_ERROR:
                return fail(z, "out of memory", NULL);
        default:
                return fail(z, "corrupt gzip data",
                            z->gz.msg ? z->gz.msg : "invalid stream");
        }
}

static int step_xz(tool_zread *z, char *out, size_t room, size_t *got)
{
        z->xz.next_in = z->next_in;
        z->xz.avail_in = z->avail_in;
        z->xz.next_out = (uint8_t *)out;
        z->xz.avail_out = room;
        lzma_ret rc = lzma_code(&z->xz, z->in_eof ? LZMA_FINISH : LZMA_RUN);
        *got = room - z->xz.avail_out;
        z->next_in = z->xz.next_in;
        z->avail_in = z->xz.avail_in;
        switch (rc) {
        case LZMA_OK:
                return 0;
        case LZMA_STREAM_END:
                return *got ? 0 : 1; /* hand out the last bytes first */
        case LZMA_BUF_ERROR:
                return truncated(z);
        case LZMA_MEMLIMIT_ERROR:
                return fail(z,
                            "xz data needs more than 256 MiB of memory "
                            "to decompress",
                            NULL);
        case LZMA_MEM_ERROR:
                return fail(z, "out of memory", NULL);
        case LZMA_FORMAT_ERROR:
        case LZMA_OPTIONS_ERROR:
                return fail(z, "corrupt xz data", "not a valid .xz stream");
        default:
                return fail(z, "corrupt xz data",
                            "the compressed data is damaged");
        }
}

/* Room for want more bytes after end, moving the unread bytes to the
 * front first. */
static int make_room(tool_zread *z, size_t want)
{
        if (z->start) {
                memmove(z->buf, z->buf + z->start, z->end - z->start);
                z->end -= z->start;
                z->start = 0;
        }
        if (z->cap - z->end >= want)
                return 0;
        size_t cap = z->cap ? z->cap * 2 : OUT_CHUNK;
        while (cap - z->end < want)
                cap *= 2;
        char *p = realloc(z->buf, cap);
        if (!p)
                return fail(z, "out of memory", NULL);
        z->buf = p;
        z->cap = cap;
        return 0;
}

/* n bytes of UTF-16 text to UTF-8 at out (at most 3 bytes per input byte
 * pair, plus 3 for a carried surrogate); returns the bytes written. */
static size_t from_utf16(tool_zread *z, const unsigned char *in, size_t n,
                         char *out)
{
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
                if (z->u16_byte < 0) {
                        z->u16_byte = in[i];
                        continue;
                }
                unsigned unit = z->text == TEXT_UTF16LE
                                    ? (unsigned)z->u16_byte | in[i] << 8
                                    : (unsigned)z->u16_byte << 8 | in[i];
                z->u16_byte = -1;
                uint32_t cp = unit;
                if (unit >= 0xd800 && unit < 0xdc00) {
                        if (z->u16_high)
                                o += kbc_utf8_put(0xfffd, out + o);
                        z->u16_high = unit;
                        continue;
                }
                if (unit >= 0xdc00 && unit < 0xe000)
                        cp = z->u16_high
                                 ? 0x10000 + ((z->u16_high - 0xd800) << 10) +
                                       (unit - 0xdc00)
                                 : 0xfffd;
                else if (z->u16_high)
                        o += kbc_utf8_put(0xfffd, out + o);
                z->u16_high = 0;
                o += kbc_utf8_put(cp, out + o);
        }
        return o;
}

/* The first got bytes decompressed, at end: UTF-16 text (a byte order
 * mark) is converted, its mark dropped; anything else stays as it is.
 * Nothing has been handed out yet, so the buffer may move. Returns the
 * bytes added, or -1. */
static ssize_t first_bytes(tool_zread *z, size_t got)
{
        const unsigned char *p = (unsigned char *)z->buf + z->end;
        z->text = TEXT_AS_IS;
        /* A mark, then an ASCII character as UTF-16: a binary stream (a
         * msgpack one may start ff fe) is no text. */
        bool le = got >= 4 && p[0] == 0xff && p[1] == 0xfe && p[3] == 0 &&
                  p[2] && p[2] < 0x80;
        bool be = got >= 4 && p[0] == 0xfe && p[1] == 0xff && p[2] == 0 &&
                  p[3] && p[3] < 0x80;
        if (!le && !be) {
                z->end += got;
                return (ssize_t)got;
        }
        z->text = le ? TEXT_UTF16LE : TEXT_UTF16BE;
        z->u16_byte = -1;
        size_t n = got - 2;
        if (!(z->stage = malloc(n > OUT_CHUNK ? n : OUT_CHUNK)))
                return fail(z, "out of memory", NULL);
        memcpy(z->stage, p + 2, n);
        if (make_room(z, n / 2 * 3 + 8))
                return -1;
        n = from_utf16(z, z->stage, n, z->buf + z->end);
        z->end += n;
        return (ssize_t)n;
}

/* One step of the stream's kind into out. */
static int step(tool_zread *z, char *out, size_t room, size_t *got)
{
        return z->kind == TOOL_Z_GZIP ? step_gzip(z, out, room, got)
               : z->kind == TOOL_Z_XZ ? step_xz(z, out, room, got)
                                      : step_plain(z, out, room, got);
}

/* Appends decompressed bytes; returns how many, 0 at the end, or -1. */
static ssize_t fill(tool_zread *z)
{
        if (z->failed)
                return -1;
        if (!z->sniffed && sniff(z))
                return -1;
        if (z->out_eof)
                return 0;
        if (make_room(z, OUT_CHUNK))
                return -1;
        char *out = z->buf + z->end;
        size_t room = z->cap - z->end;
        bool utf16 = z->text == TEXT_UTF16LE || z->text == TEXT_UTF16BE;
        /* A step of UTF-16 fills half the room at most: it grows by half
         * once converted. */
        size_t raw_room =
            utf16 ? (room / 2 < OUT_CHUNK ? room / 2 : OUT_CHUNK) - 4 : room;
        for (;;) {
                if (!z->avail_in && !z->in_eof && read_raw(z))
                        return -1;
                size_t got = 0;
                int rc =
                    step(z, utf16 ? (char *)z->stage : out, raw_room, &got);
                if (rc < 0)
                        return -1;
                if (got && z->text == TEXT_UNKNOWN) {
                        /* a chunk of no more than the mark: read on */
                        ssize_t n = first_bytes(z, got);
                        return n ? n : fill(z);
                }
                if (got && utf16)
                        got = from_utf16(z, z->stage, got, out);
                if (got) {
                        z->end += got;
                        return (ssize_t)got;
                }
                if (rc == 1) {
                        z->out_eof = true;
                        return 0;
                }
        }
}

ssize_t tool_zread_peek(tool_zread *z, size_t n, const char **p)
{
        ssize_t got = 1;
        while (z->end - z->start < n && (got = fill(z)) > 0)
                ;
        if (got < 0)
                return -1;
        *p = z->buf + z->start;
        size_t have = z->end - z->start;
        return (ssize_t)(have < n ? have : n);
}

int tool_zread_line(tool_zread *z, const char **line, size_t *len)
{
        if (!z->buf && fill(z) < 0) /* the first fill allocates buf */
                return -1;
        for (;;) {
                char *s = z->buf + z->start;
                size_t have = z->end - z->start;
                char *nl = have > z->scanned
                               ? memchr(s + z->scanned, '\n', have - z->scanned)
                               : NULL;
                if (nl || (z->out_eof && have)) {
                        *line = s;
                        *len = nl ? (size_t)(nl - s) : have;
                        z->start += *len + (nl != NULL);
                        z->scanned = 0;
                        return 1;
                }
                z->scanned = have;
                if (have >= TOOL_ZREAD_MESSAGE_CAP)
                        return fail(z, "a line longer than 64 MiB", NULL);
                ssize_t got = fill(z);
                if (got < 0)
                        return -1;
                if (got == 0 && !(z->end - z->start))
                        return 0;
        }
}

size_t tool_zread_buffered(const tool_zread *z, const char **p)
{
        *p = z->buf ? z->buf + z->start : ""; /* nothing read yet */
        return z->end - z->start;
}

void tool_zread_skip(tool_zread *z, size_t n)
{
        size_t have = z->end - z->start;
        z->start += n < have ? n : have;
        z->scanned = 0;
}

int tool_zread_block(tool_zread *z, const char **p, size_t *len)
{
        if (z->start == z->end) {
                ssize_t got = fill(z);
                if (got <= 0)
                        return (int)got;
        }
        *p = z->buf + z->start;
        *len = z->end - z->start;
        z->start = z->end = z->scanned = 0;
        return 1;
}
