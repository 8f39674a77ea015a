/*
 * kbc_evtx.h - reading Windows .evtx files for replay: each record's XML,
 * as libevtx renders it, is handed to a callback with the origin
 * "path#record N", ready for kbc_decode (the XML decoder).
 */
#ifndef KBC_EVTX_H
#define KBC_EVTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kbc_event.h"

/* True when the file at path starts with the EVTX magic "ElfFile\0";
 * files are recognized by content, never by name. */
bool kbc_evtx_is_evtx(const char *path);

typedef struct kbc_evtx_stats {
        uint64_t records;    /* handed to the callback */
        uint64_t recovered;  /* of which recovered (deleted or damaged) */
        uint64_t failed;     /* records libevtx could not read or render */
        uint64_t duplicates; /* recovered copies of live records, skipped */
} kbc_evtx_stats;

/* Called per record with its XML (not NUL-terminated for the callee's
 * purposes; valid until it returns). A non-zero return stops the read. */
typedef int kbc_evtx_record_fn(void *opaque, const char *xml, size_t len,
                               const kbc_origin *origin);
/* Called with one line per problem: "path: reason" or
 * "path#record N: reason". */
typedef void kbc_evtx_diag_fn(void *opaque, const char *msg);

/* Reads every record of path, then its recovered records. Records that
 * cannot be read are reported through diag and skipped, so a damaged file
 * still yields what can be read. Returns 0 when the file was opened and
 * walked (even with bad records; see stats), -1 when it could not be
 * opened as EVTX at all or fn asked to stop. */
int kbc_evtx_read(const char *path, kbc_evtx_record_fn *fn, void *opaque,
                  kbc_evtx_diag_fn *diag, void *diag_opaque,
                  kbc_evtx_stats *stats);
/* The same, for a file that stands in for another (a decompressed copy):
 * origins and problems name `shown_as` instead of path. */
int kbc_evtx_read_as(const char *path, const char *shown_as,
                     kbc_evtx_record_fn *fn, void *opaque,
                     kbc_evtx_diag_fn *diag, void *diag_opaque,
                     kbc_evtx_stats *stats);

#endif
