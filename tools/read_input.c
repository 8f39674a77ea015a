/*
 * read_input.c - the inputs of replay and explain: files, folders and
 * stdin, plain or gzip/xz compressed, as lines, msgpack objects, XML
 * <Event> elements or EVTX records (see tool_reader in tool.h). What a
 * file holds is told by its bytes, never by its name: the compression by
 * its magic (zread.c), then EVTX by the magic "ElfFile\0" of the
 * decompressed content, else msgpack, XML or lines by its first bytes
 * (split_stream.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kbc_evtx.h"
#include "split_stream.h"
#include "tool.h"
#include "zread.h"

static const char evtx_magic[8] = "ElfFile";

static kbc_diag_fn *diag_of(const tool_reader *r)
{
        return r->diag ? r->diag : tool_diag_stderr;
}

static void say(const tool_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void say(const tool_reader *r, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        diag_of(r)(r->opaque, msg);
}

/* An .evtx file: each record's XML is one message, with the origin
 * "shown_as#record N". Damaged files are reported, their readable
 * records still fed. */
static int read_evtx(tool_reader *r, const char *path, const char *shown_as)
{
        kbc_evtx_stats st = {0};
        if (kbc_evtx_read_as(path, shown_as, r->fn, r->opaque, diag_of(r),
                             r->opaque, &st))
                return -1;
        char stale[96] = "";
        if (st.duplicates)
                snprintf(stale, sizeof(stale),
                         ", %llu recovered copies of live records skipped",
                         (unsigned long long)st.duplicates);
        if (st.failed || st.duplicates)
                say(r,
                    "kbcorr: %s: %llu records read, %llu recovered, "
                    "%llu unreadable%s",
                    shown_as, (unsigned long long)st.records,
                    (unsigned long long)st.recovered,
                    (unsigned long long)st.failed, stale);
        return 0;
}

/* The largest temporary copy of a compressed or piped EVTX. Its
 * decompressed size is not known before it is written, and a few KiB of
 * xz can stand for terabytes of zeros, which would fill $TMPDIR. Windows
 * caps an event log at 4 GiB minus a chunk (its default is 20 MiB), so no
 * real log passes it. KBCORR_EVTX_TMP_MAX, in bytes, or with a K, M or G
 * suffix (powers of 1024), sets another cap. */
#define EVTX_TMP_MAX     ((uint64_t)4 << 30)
#define EVTX_TMP_MAX_ENV "KBCORR_EVTX_TMP_MAX"

/* The cap in force: EVTX_TMP_MAX or the environment's. 0, or -1 when the
 * environment's cannot be read (reported, for the input shown_as). */
static int evtx_tmp_max(tool_reader *r, const char *shown_as, uint64_t *max)
{
        static const char units[] = "KMG";
        const char *env = getenv(EVTX_TMP_MAX_ENV), *unit;
        char *end;

        *max = EVTX_TMP_MAX;
        if (!env || !*env)
                return 0;
        errno = 0;
        unsigned long long n = strtoull(env, &end, 10);
        unit = *end ? strchr(units, *end) : NULL;
        int shift = unit ? 10 * (int)(unit - units + 1) : 0;
        if (unit)
                end++;
        if (errno || *end || !n || *env < '0' || *env > '9' ||
            n > (UINT64_MAX >> shift)) {
                say(r,
                    "kbcorr: %s: " EVTX_TMP_MAX_ENV
                    ": not a byte count (like 1048576 or 64M): '%s'",
                    shown_as, env);
                return -1;
        }
        *max = (uint64_t)n << shift;
        return 0;
}

/* libevtx reads only a file it opens by name (Debian builds it without
 * libbfio, its stream interface) and seeks between chunks, so a
 * compressed or piped EVTX is decompressed into a temporary file first
 * and the file removed once read. If the compressed data breaks off, the
 * part before it is still read, as libevtx reads a damaged file. A copy
 * that would pass the cap (evtx_tmp_max) is not read at all: writing
 * stops there and the file is removed. */
static int read_evtx_copy(tool_reader *r, tool_zread *z, const char *shown_as)
{
        const char *dir = getenv("TMPDIR");
        char tmp[4096];
        uint64_t max, written = 0;
        if (evtx_tmp_max(r, shown_as, &max))
                return -1;
        snprintf(tmp, sizeof(tmp), "%s/kbcorr-evtx-XXXXXX",
                 dir && *dir ? dir : "/tmp");
        int fd = mkstemp(tmp);
        FILE *out = fd < 0 ? NULL : fdopen(fd, "wb");
        if (!out) {
                say(r,
                    "kbcorr: %s: cannot make a temporary copy to read "
                    "it as EVTX: %s: %s",
                    shown_as, tmp, strerror(errno));
                if (fd >= 0) {
                        close(fd);
                        unlink(tmp);
                }
                return -1;
        }
        const char *p;
        size_t len;
        int got, rc = 0;
        bool too_big = false;
        while ((got = tool_zread_block(z, &p, &len)) > 0) {
                if ((too_big = len > max - written))
                        break;
                if (fwrite(p, 1, len, out) != len)
                        break;
                written += len;
        }
        if (too_big) {
                fclose(out);
                unlink(tmp);
                say(r,
                    "kbcorr: %s: decompresses to more than %llu bytes, the "
                    "cap on a temporary EVTX copy (" EVTX_TMP_MAX_ENV
                    "); not read",
                    shown_as, (unsigned long long)max);
                return -1;
        }
        if (fclose(out) || got > 0) {
                say(r, "kbcorr: %s: cannot write its temporary copy %s: %s",
                    shown_as, tmp, strerror(errno));
                unlink(tmp);
                return -1;
        }
        if (got < 0) {
                say(r, "kbcorr: %s: %s; reading the records before it",
                    shown_as, tool_zread_error(z));
                rc = -1;
        }
        if (read_evtx(r, tmp, shown_as))
                rc = -1;
        unlink(tmp);
        return rc;
}

/* Lines, msgpack objects or XML elements (split_stream.c), each a
 * message, told by the first block read; a place where the input cannot
 * be split further ends it. */
static int read_messages(tool_reader *r, tool_zread *z, const char *shown_as)
{
        kbc_origin origin = {.kind = KBC_ORIGIN_FILE, .source = shown_as};
        uint64_t base = r->bytes;
        const char *head;
        size_t n = tool_zread_buffered(z, &head);
        tool_split *s = tool_split_new(z, tool_split_sniff(head, n));
        const char *msg;
        size_t len;
        int got = -1;
        if (!s) {
                say(r, "kbcorr: %s: out of memory", shown_as);
                return -1;
        }
        while ((got = tool_split_next(s, &msg, &len, &origin)) > 0) {
                r->bytes = base + tool_zread_consumed(z);
                if (r->fn(r->opaque, msg, len, &origin))
                        break;
        }
        if (got < 0) {
                char where[KBC_ORIGIN_STRLEN];
                kbc_origin_format(&origin, where, sizeof(where));
                say(r, "kbcorr: %s: %s", where, tool_split_error(s));
        }
        tool_split_free(s);
        return got ? -1 : 0;
}

int tool_read_input(const char *path, tool_reader *r)
{
        bool is_stdin = !strcmp(path, "-");
        const char *shown_as = is_stdin ? "<stdin>" : path;
        FILE *f = is_stdin ? stdin : fopen(path, "rb");
        if (!f) {
                say(r, "kbcorr: %s: %s", path, strerror(errno));
                return -1;
        }
        uint64_t base = r->bytes;
        tool_zread *z = tool_zread_new(f);
        const char *head;
        ssize_t n = z ? tool_zread_peek(z, sizeof(evtx_magic), &head) : -1;
        int rc = -1;
        if (n < 0)
                say(r, "kbcorr: %s:1: %s", shown_as,
                    z ? tool_zread_error(z) : "out of memory");
        else if (n == sizeof(evtx_magic) &&
                 !memcmp(head, evtx_magic, sizeof(evtx_magic)))
                rc = !is_stdin && tool_zread_kind(z) == TOOL_Z_PLAIN
                         ? read_evtx(r, path, path)
                         : read_evtx_copy(r, z, shown_as);
        else
                rc = read_messages(r, z, shown_as);
        struct stat st;
        r->bytes = base + (!fstat(fileno(f), &st) && S_ISREG(st.st_mode)
                               ? (uint64_t)st.st_size
                           : z ? tool_zread_consumed(z)
                               : 0);
        tool_zread_free(z);
        if (!is_stdin)
                fclose(f);
        return rc;
}

int tool_read_lines(const char *path, tool_line_fn *fn, void *opaque)
{
        tool_reader r = {fn, NULL, opaque, 0, 0};
        return tool_read_input(path, &r);
}

typedef struct input_list {
        char **paths;
        size_t n, cap;
        uint64_t total;
        bool total_unknown; /* a pipe or device among the inputs */
} input_list;

static int add_input(void *opaque, const char *path, const struct stat *st)
{
        input_list *l = opaque;
        if (l->n == l->cap) {
                size_t cap = l->cap ? l->cap * 2 : 16;
                char **p = realloc(l->paths, cap * sizeof(*p));
                if (!p)
                        return -1;
                l->paths = p;
                l->cap = cap;
        }
        if (!(l->paths[l->n] = strdup(path)))
                return -1;
        l->n++;
        if (st && S_ISREG(st->st_mode))
                l->total += (uint64_t)st->st_size;
        else
                l->total_unknown = true;
        return 0;
}

int tool_read_inputs(char *const *args, size_t nargs, tool_reader *r)
{
        input_list l = {0};
        int failed = 0;
        for (size_t i = 0; i < nargs; i++) {
                struct stat st;
                int bad = strcmp(args[i], "-")
                              ? tool_each_path((const char *const *)args + i, 1,
                                               add_input, &l)
                              : add_input(&l, "-", fstat(0, &st) ? NULL : &st);
                if (bad < 0) {
                        say(r, "kbcorr: out of memory listing the inputs");
                        failed++;
                        goto out;
                }
                failed += bad;
        }
        r->total = l.total_unknown ? 0 : l.total;
        for (size_t i = 0; i < l.n; i++)
                if (tool_read_input(l.paths[i], r))
                        failed++;
out:
        for (size_t i = 0; i < l.n; i++)
                free(l.paths[i]);
        free(l.paths);
        return failed;
}
