/*
 * kbc_walk.h - one walker over files and folders, for the rule loader
 * (--rules folders) and the kbcorr program (input folders), so both are
 * searched alike and both are safe on a hostile tree.
 *
 * A path is stat()ed, links followed. Anything but a folder goes to the
 * caller's file callback. A folder is listed, hidden entries (names
 * starting with '.') skipped, its entries sorted by name in byte order
 * (so a walk is deterministic whatever the file system returns), and each
 * walked in turn. A folder that is one of the folders above it (same
 * device and inode: a link back up, `ln -s .. loop`) is a loop and is not
 * entered; nor is a folder nested deeper than KBC_WALK_DEPTH_MAX below the
 * path given. Each problem is reported once to the problem callback, which
 * words it for its caller ("file: ..." diagnostics, stderr lines), and
 * the walk goes on with the next entry.
 */
#ifndef KBC_WALK_H
#define KBC_WALK_H

#include <sys/stat.h>

/* Folders below the path given; a deeper one is reported, not entered. */
#define KBC_WALK_DEPTH_MAX 64

typedef enum kbc_walk_err {
        KBC_WALK_STAT, /* cannot stat (err): gone, a dangling link, ELOOP */
        KBC_WALK_LIST, /* a folder that cannot be listed (err) */
        KBC_WALK_LOOP, /* a folder that is one of the folders above it */
        KBC_WALK_DEEP, /* a folder deeper than KBC_WALK_DEPTH_MAX */
} kbc_walk_err;

/* Valid during the callback only. */
typedef struct kbc_walk_entry {
        const char *path;      /* the path given, or folder "/" name */
        const char *name;      /* the last component (depth 0: path) */
        const struct stat *st; /* NULL when it could not be stat()ed */
        int depth;             /* 0: the path given to kbc_walk */
} kbc_walk_entry;

typedef struct kbc_walk_ops {
        /* Each entry that is not a folder, in walk order; non-zero stops
         * the walk. */
        int (*file)(void *opaque, const kbc_walk_entry *e);
        /* Each problem, err an errno value for KBC_WALK_STAT and
         * KBC_WALK_LIST, else 0. May be NULL: problems are only counted. */
        void (*problem)(void *opaque, const kbc_walk_entry *e,
                        kbc_walk_err what, int err);
        void *opaque; /* for both */
} kbc_walk_ops;

/* Walks path. Returns how many problems were reported, or -1 when the
 * file callback stopped the walk. */
int kbc_walk(const char *path, const kbc_walk_ops *ops);

/* A problem in words, for a message after the path:
 * "folder loop (a link back to a folder above it)",
 * "folders nested deeper than 64", or strerror(err). */
const char *kbc_walk_strerror(kbc_walk_err what, int err);

#endif
