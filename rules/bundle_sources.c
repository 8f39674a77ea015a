/*
 * bundle_sources.c - the rule files of a folder as the loader reads them
 * (kbc_walk's order, regular *.yaml and *.yml files, hidden entries
 * skipped), each with its size and content hash: what a bundle records
 * when it is written and compares when it is read.
 *
 * Contents are hashed, not modification times compared: a checkout, a
 * copy or a package install gives files new times and the same bytes, and
 * an edit within a timestamp's granularity keeps the time. Reading the
 * whole KB's 29 MB for it costs about a tenth of what parsing it did
 * (BENCHMARKS.md, "Rule load").
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle_internal.h"
#include "kbc_hash.h"
#include "kbc_walk.h"

#define CHUNK (64 * 1024)

typedef struct scan {
        const char *dir;
        kbc_arena *a;
        bundle_sources *out;
        unsigned char *buf; /* CHUNK bytes */
        char *why;
        size_t whysize;
        bool failed;
} scan;

static void __attribute__((format(printf, 2, 3)))
scan_fail(scan *s, const char *fmt, ...)
{
        va_list ap;
        if (s->failed)
                return; /* the first reason stays */
        s->failed = true;
        va_start(ap, fmt);
        vsnprintf(s->why, s->whysize, fmt, ap);
        va_end(ap);
}

static int hash_file(scan *s, const char *path, uint64_t *size, uint64_t *hash)
{
        kbc_hash64 h;
        ssize_t n;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                scan_fail(s, "cannot open %s: %s", path, strerror(errno));
                return -1;
        }
        kbc_hash64_init(&h);
        while ((n = read(fd, s->buf, CHUNK)) > 0)
                kbc_hash64_update(&h, s->buf, (size_t)n);
        if (n < 0)
                scan_fail(s, "cannot read %s: %s", path, strerror(errno));
        close(fd);
        *size = h.len;
        *hash = kbc_hash64_final(&h);
        return n < 0 ? -1 : 0;
}

/* The path below the folder: the walk joins with one '/', unless the
 * folder given already ends in one. */
static const char *below(const char *dir, const char *path)
{
        size_t n = strlen(dir);
        path += n;
        while (*path == '/')
                path++;
        return path;
}

static int found(void *opaque, const kbc_walk_entry *e)
{
        scan *s = opaque;
        bundle_sources *o = s->out;
        bundle_source src;

        if (e->depth == 0) { /* a file, not a folder: no bundle there */
                scan_fail(s, "%s is not a folder", e->path);
                return 1;
        }
        if (!S_ISREG(e->st->st_mode) || !kbc_rule_file_name(e->name))
                return 0;
        if (hash_file(s, e->path, &src.size, &src.hash))
                return 1;
        src.path = kbc_arena_strdup(s->a, e->path);
        src.rel = kbc_arena_strdup(s->a, below(s->dir, e->path));
        if (o->n == o->cap) {
                size_t cap = o->cap ? 2 * o->cap : 1024;
                bundle_source *v = realloc(o->v, cap * sizeof(*v));
                if (!v) {
                        scan_fail(s, "out of memory");
                        return 1;
                }
                o->v = v;
                o->cap = cap;
        }
        o->v[o->n++] = src;
        return 0;
}

/* Anything the loader would report (a dangling *.yaml link, a loop, a
 * folder it cannot list) makes the folder one to read as YAML, where it
 * is reported as it always was. */
static void problem(void *opaque, const kbc_walk_entry *e, kbc_walk_err what,
                    int err)
{
        scan *s = opaque;
        if (what == KBC_WALK_STAT && e->depth > 0 &&
            !kbc_rule_file_name(e->name))
                return; /* the loader ignores those too */
        scan_fail(s, "%s: %s", e->path, kbc_walk_strerror(what, err));
}

int bundle_sources_scan(const char *dir, kbc_arena *a, bundle_sources *out,
                        char *why, size_t whysize)
{
        scan s = {
            .dir = dir, .a = a, .out = out, .why = why, .whysize = whysize};
        kbc_walk_ops ops = {found, problem, &s};

        *out = (bundle_sources){0};
        s.buf = malloc(CHUNK);
        if (!s.buf) {
                snprintf(why, whysize, "out of memory");
                return -1;
        }
        kbc_walk(dir, &ops);
        free(s.buf);
        return s.failed ? -1 : 0;
}

void bundle_sources_free(bundle_sources *s)
{
        free(s->v);
        *s = (bundle_sources){0};
}
