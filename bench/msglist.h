/*
 * msglist.h - what the decoding benchmarks share: the messages of a file
 * loaded into memory once (one per line, without the line end), a fatal
 * error, and the clock. Define BENCH_NAME (the program's name, for
 * messages) before including. Everything is static, as in
 * convert_events.h, so each program compiles only what it uses.
 */
#ifndef KBC_BENCH_MSGLIST_H
#define KBC_BENCH_MSGLIST_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "kbc_buf.h"
#include "kbc_decode.h"

typedef struct msglist {
        const char *name;
        kbc_format format;
        kbc_buf data; /* every message, back to back */
        size_t *off, *len;
        size_t n, cap;
} msglist;

static inline void die(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline void die(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "%s: ", BENCH_NAME);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        exit(2);
}

static inline void list_init(msglist *l, const char *name, kbc_format f)
{
        memset(l, 0, sizeof(*l));
        l->name = name;
        l->format = f;
        kbc_buf_init(&l->data, (size_t)1 << 32);
}

/* Records the bytes appended to l->data since start as one message. */
static inline void list_commit(msglist *l, size_t start)
{
        if (l->data.overflow)
                die("%s: out of memory", l->name);
        if (l->n == l->cap) {
                l->cap = l->cap ? 2 * l->cap : 1024;
                l->off = realloc(l->off, l->cap * sizeof(*l->off));
                l->len = realloc(l->len, l->cap * sizeof(*l->len));
                if (!l->off || !l->len)
                        die("%s: out of memory", l->name);
        }
        l->off[l->n] = start;
        l->len[l->n] = l->data.len - start;
        l->n++;
}

static inline void list_free(msglist *l)
{
        kbc_buf_free(&l->data);
        free(l->off);
        free(l->len);
}

static inline void load_lines(msglist *l, const char *dir, const char *file)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        FILE *f = fopen(path, "r");
        if (!f)
                die("cannot open %s", path);
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, f)) > 0) {
                while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        n--;
                if (n == 0)
                        continue;
                size_t start = l->data.len;
                kbc_buf_append(&l->data, line, (size_t)n);
                list_commit(l, start);
        }
        free(line);
        fclose(f);
}

static inline double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

#endif
