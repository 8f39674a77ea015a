/*
 * evtx_reader.c - .evtx files through Debian's libevtx (see kbc_evtx.h).
 *
 * libevtx parses the binary XML of each record and renders it as UTF-8
 * XML, which the XML decoder reads like any forwarded event; there is no
 * second EVTX event model to keep in step. The live records are read by
 * index, then the recovered ones (records libevtx found in free space or
 * in chunks it could not walk normally). A record libevtx cannot read or
 * render (the 2018 release fails on some value types with "unsupported
 * type: 0x05") is reported with its position and skipped; the file goes
 * on. One XML buffer is reused for every record of a file; records larger
 * than MAX_XML are reported rather than grown without bound. A recovered
 * record whose id is a live record's is a stale copy of it and is
 * skipped (counted), so that no event counts twice as evidence.
 *
 * Why libevtx and not a reader of our own (measured on the 23 samples,
 * docs/input-formats.md): 28 of 18,392 live records fail (an entity
 * reference in an attribute value; WEC records without a template's
 * dependency id), and 600 of 1,228 recovered ones, mostly overwritten
 * fragments no reader renders.
 */
/* Debian's libevtx.h includes libbfio.h (a package of its own, not a
 * dependency of libevtx-dev) for two functions we do not use; features.h
 * turns that on, so it is read first and the switch turned off. */
#include <libevtx/features.h>
#undef LIBEVTX_HAVE_BFIO
#include <libevtx.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_evtx.h"

#define MAX_XML (1024 * 1024)

bool kbc_evtx_is_evtx(const char *path)
{
        char magic[8];
        FILE *f = fopen(path, "rb");
        if (!f)
                return false;
        bool yes = fread(magic, 1, sizeof(magic), f) == sizeof(magic) &&
                   !memcmp(magic, "ElfFile", 8);
        fclose(f);
        return yes;
}

/* libevtx's error as one line, freed. Its plain message names the
 * outermost call ("unable to retrieve record values"); the backtrace's
 * first line is the cause ("libfwevt_xml_tag_read_attribute: invalid
 * binary XML sub token - unsupported type: 0x49"), which is what a
 * reader of the report can act on. */
static void error_text(libevtx_error_t **err, char *buf, size_t size)
{
        /* The backtrace of ten calls or so; sprint fails when it does not
         * fit, so the buffer is generous. */
        char trace[8192];
        trace[0] = '\0';
        if (err && *err) {
                if (libevtx_error_backtrace_sprint(*err, trace, sizeof(trace)) <
                        0 &&
                    libevtx_error_sprint(*err, trace, sizeof(trace)) < 0)
                        trace[0] = '\0';
                libevtx_error_free(err);
        }
        size_t n = strcspn(trace, "\r\n");
        while (n && (trace[n - 1] == ' ' || trace[n - 1] == '.'))
                n--;
        snprintf(buf, size, "%.*s", (int)n,
                 n ? trace : "unknown libevtx error");
}

typedef struct reader {
        const char *path;
        kbc_evtx_record_fn *fn;
        void *opaque;
        kbc_evtx_diag_fn *diag;
        void *diag_opaque;
        kbc_evtx_stats *st;
        uint8_t *xml;
        size_t cap;
        uint64_t *live_ids; /* of the live records, sorted after their walk */
        size_t nlive, live_cap;
        char recovered_src[4096]; /* "path (recovered)" */
} reader;

static int cmp_id(const void *a, const void *b)
{
        uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
        return x < y ? -1 : x > y;
}

/* Remembers a live record's id; out of memory only loses the check. */
static void note_live(reader *r, uint64_t id)
{
        if (r->nlive == r->live_cap) {
                size_t cap = r->live_cap ? 2 * r->live_cap : 1024;
                uint64_t *p = realloc(r->live_ids, cap * sizeof(*p));
                if (!p)
                        return;
                r->live_ids = p;
                r->live_cap = cap;
        }
        r->live_ids[r->nlive++] = id;
}

/* A recovered record that repeats a live one (a stale copy left in free
 * space): the same event, which must not count twice as evidence. */
static bool is_live(const reader *r, uint64_t id)
{
        return r->nlive &&
               bsearch(&id, r->live_ids, r->nlive, sizeof(id), cmp_id);
}

static void report(reader *r, const char *where, long n, const char *why)
{
        char msg[1024];
        if (!r->diag)
                return;
        if (n >= 0)
                snprintf(msg, sizeof(msg), "%s#%s %ld: %s", r->path, where, n,
                         why);
        else
                snprintf(msg, sizeof(msg), "%s: %s", r->path, why);
        r->diag(r->diag_opaque, msg);
}

/* One record: its XML to the callback. 1 = stop, 0 = go on. */
static int one_record(reader *r, libevtx_record_t *rec, int index,
                      bool recovered)
{
        libevtx_error_t *err = NULL;
        char why[512];
        size_t size = 0;
        uint64_t id = 0;
        const char *kind =
            recovered ? "recovered record index" : "record index";
        int rc = 0;

        if (libevtx_record_get_identifier(rec, &id, &err) != 1) {
                libevtx_error_free(&err);
                id = 0;
        }
        if (id && !recovered)
                note_live(r, id);
        if (id && recovered && is_live(r, id)) {
                r->st->duplicates++;
                return 0;
        }
        if (libevtx_record_get_utf8_xml_string_size(rec, &size, &err) != 1) {
                error_text(&err, why, sizeof(why));
                goto bad;
        }
        if (size == 0 || size > MAX_XML) {
                snprintf(why, sizeof(why), "XML of %zu bytes (limit %d)", size,
                         MAX_XML);
                goto bad;
        }
        if (size > r->cap) {
                uint8_t *p = realloc(r->xml, size);
                if (!p) {
                        snprintf(why, sizeof(why), "out of memory");
                        goto bad;
                }
                r->xml = p;
                r->cap = size;
        }
        if (libevtx_record_get_utf8_xml_string(rec, r->xml, size, &err) != 1) {
                error_text(&err, why, sizeof(why));
                goto bad;
        }
        /* A recovered copy may carry the id of a live record: say which
         * one the origin names. */
        kbc_origin o = {.kind = KBC_ORIGIN_RECORD,
                        .source = recovered ? r->recovered_src : r->path,
                        .position = id ? (int64_t)id : (int64_t)index + 1};
        size_t len = strnlen((const char *)r->xml, size);
        /* libevtx copies control characters of string values into the
         * XML unescaped (security.evtx record 55 has a raw 0x03), which
         * XML 1.0 forbids and expat rightly refuses; the event is worth
         * more than the byte, so each becomes '?'. */
        for (size_t i = 0; i < len; i++)
                if (r->xml[i] < 0x20 && r->xml[i] != '\t' &&
                    r->xml[i] != '\n' && r->xml[i] != '\r')
                        r->xml[i] = '?';
        r->st->records++;
        r->st->recovered += recovered;
        rc = r->fn(r->opaque, (const char *)r->xml, len, &o) ? 1 : 0;
        goto out;

bad:
        r->st->failed++;
        report(r, kind, index, why);
out:
        return rc;
}

static int walk(reader *r, libevtx_file_t *file, bool recovered)
{
        libevtx_error_t *err = NULL;
        char why[512];
        int n = 0;
        int ok =
            recovered
                ? libevtx_file_get_number_of_recovered_records(file, &n, &err)
                : libevtx_file_get_number_of_records(file, &n, &err);
        if (ok != 1) {
                error_text(&err, why, sizeof(why));
                report(r, "", -1, why);
                return 0;
        }
        for (int i = 0; i < n; i++) {
                libevtx_record_t *rec = NULL;
                ok =
                    recovered
                        ? libevtx_file_get_recovered_record_by_index(file, i,
                                                                     &rec, &err)
                        : libevtx_file_get_record_by_index(file, i, &rec, &err);
                if (ok != 1) {
                        error_text(&err, why, sizeof(why));
                        r->st->failed++;
                        report(r,
                               recovered ? "recovered record index"
                                         : "record index",
                               i, why);
                        continue;
                }
                int stop = one_record(r, rec, i, recovered);
                libevtx_record_free(&rec, NULL);
                if (stop)
                        return -1;
        }
        return 0;
}

int kbc_evtx_read(const char *path, kbc_evtx_record_fn *fn, void *opaque,
                  kbc_evtx_diag_fn *diag, void *diag_opaque,
                  kbc_evtx_stats *stats)
{
        return kbc_evtx_read_as(path, path, fn, opaque, diag, diag_opaque,
                                stats);
}

int kbc_evtx_read_as(const char *path, const char *shown_as,
                     kbc_evtx_record_fn *fn, void *opaque,
                     kbc_evtx_diag_fn *diag, void *diag_opaque,
                     kbc_evtx_stats *stats)
{
        libevtx_file_t *file = NULL;
        libevtx_error_t *err = NULL;
        kbc_evtx_stats local = {0};
        reader r = {.path = shown_as,
                    .fn = fn,
                    .opaque = opaque,
                    .diag = diag,
                    .diag_opaque = diag_opaque,
                    .st = stats ? stats : &local};
        char why[512];
        int rc = -1;

        snprintf(r.recovered_src, sizeof(r.recovered_src), "%s (recovered)",
                 shown_as);
        if (libevtx_file_initialize(&file, &err) != 1) {
                error_text(&err, why, sizeof(why));
                report(&r, "", -1, why);
                goto out;
        }
        if (libevtx_file_open(file, path, LIBEVTX_OPEN_READ, &err) != 1) {
                error_text(&err, why, sizeof(why));
                char msg[600];
                snprintf(msg, sizeof(msg), "cannot open as EVTX: %s", why);
                report(&r, "", -1, msg);
                goto out;
        }
        if (libevtx_file_is_corrupted(file, NULL) == 1)
                report(&r, "", -1,
                       "file is damaged (libevtx flags it corrupted); "
                       "reading the records that can be read");
        if (walk(&r, file, false) == 0) {
                if (r.nlive)
                        qsort(r.live_ids, r.nlive, sizeof(*r.live_ids), cmp_id);
                if (walk(&r, file, true) == 0)
                        rc = 0;
        }
        libevtx_file_close(file, NULL);

out:
        libevtx_file_free(&file, NULL);
        free(r.xml);
        free(r.live_ids);
        return rc;
}
