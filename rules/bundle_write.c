/*
 * bundle_write.c - writing a folder's rule bundle (kbc_bundle.h; layout in
 * bundle_internal.h): the folder is loaded from its YAML as a rule set of
 * its own, with every check the loader makes, and each rule is recorded
 * beside the file it came from.
 *
 * The files are hashed before the load and again after it: a file edited
 * meanwhile would leave a bundle whose rules are not what its hashes
 * describe, so that is refused. The bundle is written to a new temporary
 * file, never through a link, and renamed over the old one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle_internal.h"
#include "kbc_hash.h"

/* Far more than the whole KB needs (about 30 MB); the encoder's cap. */
#define BODY_MAX ((size_t)BUNDLE_MAX_BYTES - BUNDLE_HEADER_SIZE)

typedef struct writing {
        const char *dir;
        kbc_diag_fn *diag;
        void *opaque;
} writing;

static int __attribute__((format(printf, 2, 3)))
fail(writing *w, const char *fmt, ...)
{
        char msg[4800];
        va_list ap;
        int n = snprintf(msg, sizeof(msg), "%s/%s: ", w->dir, KBC_BUNDLE_NAME);
        va_start(ap, fmt);
        vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
        va_end(ap);
        if (w->diag)
                w->diag(w->opaque, msg);
        return -1;
}

static int by_file(const void *a, const void *b)
{
        return strcmp((*(const kbc_rule *const *)a)->file,
                      (*(const kbc_rule *const *)b)->file);
}

/* The rules in source order: each file loads to one rule. */
static const kbc_rule **in_source_order(writing *w, const kbc_ruleset *rs,
                                        const bundle_sources *src)
{
        size_t n = kbc_ruleset_count(rs);
        const kbc_rule **byfile = malloc((n + 1) * sizeof(*byfile));
        const kbc_rule **out = malloc((src->n + 1) * sizeof(*out));
        if (!byfile || !out) {
                fail(w, "out of memory");
                goto bad;
        }
        for (size_t i = 0; i < n; i++)
                byfile[i] = kbc_ruleset_rule(rs, i);
        qsort(byfile, n, sizeof(*byfile), by_file);
        if (n != src->n) {
                fail(w, "%zu rule files gave %zu rules", src->n, n);
                goto bad;
        }
        for (size_t i = 0; i < src->n; i++) {
                kbc_rule key = {.file = src->v[i].path};
                const kbc_rule *k = &key,
                               **hit = bsearch(&k, byfile, n, sizeof(*byfile),
                                               by_file);
                if (!hit) {
                        fail(w, "%s gave no rule", src->v[i].path);
                        goto bad;
                }
                out[i] = *hit;
        }
        free(byfile);
        return out;
bad:
        free(byfile);
        free(out);
        return NULL;
}

static void put_body(kbc_buf *b, const bundle_sources *src,
                     const kbc_rule *const *rules)
{
        char pcre2[BUNDLE_PCRE2_VERSION_MAX];
        bundle_pcre2_version(pcre2);
        kbc_bin_put_str(b, bundle_fingerprint());
        kbc_bin_put_str(b, pcre2);
        kbc_bin_put_u32(b, (uint32_t)src->n);
        for (size_t i = 0; i < src->n; i++) {
                kbc_bin_put_str(b, src->v[i].rel);
                kbc_bin_put_u64(b, src->v[i].size);
                kbc_bin_put_u64(b, src->v[i].hash);
        }
        kbc_bin_put_u32(b, (uint32_t)src->n);
        for (size_t i = 0; i < src->n; i++)
                bundle_put_rule(b, rules[i]);
}

static int write_file(writing *w, const kbc_buf *body)
{
        char path[4096], tmp[4200];
        kbc_buf head;
        int fd, rc = -1;

        snprintf(path, sizeof(path), "%s/%s", w->dir, KBC_BUNDLE_NAME);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        kbc_buf_init(&head, BUNDLE_HEADER_SIZE);
        kbc_buf_append(&head, BUNDLE_MAGIC, BUNDLE_MAGIC_LEN);
        kbc_bin_put_u32(&head, BUNDLE_VERSION);
        kbc_bin_put_u32(&head, 0);
        kbc_bin_put_u64(&head, body->len);
        kbc_bin_put_u64(&head, kbc_hash64_of(body->data, body->len));
        unlink(tmp); /* a leftover of an interrupted run */
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                  0644);
        if (fd < 0) {
                fail(w, "cannot create %s: %s", tmp, strerror(errno));
                goto out;
        }
        const kbc_buf *parts[] = {&head, body};
        for (size_t i = 0; i < 2; i++) {
                for (size_t off = 0; off < parts[i]->len;) {
                        ssize_t n = write(fd, parts[i]->data + off,
                                          parts[i]->len - off);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n <= 0) {
                                fail(w, "cannot write %s: %s", tmp,
                                     strerror(errno));
                                close(fd);
                                goto out_unlink;
                        }
                        off += (size_t)n;
                }
        }
        if (close(fd)) {
                fail(w, "cannot write %s: %s", tmp, strerror(errno));
                goto out_unlink;
        }
        if (rename(tmp, path)) {
                fail(w, "cannot rename %s: %s", tmp, strerror(errno));
                goto out_unlink;
        }
        rc = 0;
        goto out;
out_unlink:
        unlink(tmp);
out:
        kbc_buf_free(&head);
        return rc;
}

static bool same_sources(const bundle_sources *a, const bundle_sources *b)
{
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++)
                if (strcmp(a->v[i].rel, b->v[i].rel) ||
                    a->v[i].size != b->v[i].size ||
                    a->v[i].hash != b->v[i].hash)
                        return false;
        return true;
}

int kbc_bundle_write(const char *dir, kbc_diag_fn *diag, void *opaque,
                     kbc_bundle_info *info)
{
        writing w = {dir, diag, opaque};
        kbc_ruleset_opts opts = {
            .diag = diag, .opaque = opaque, .no_bundle = true};
        kbc_arena *a = kbc_arena_new();
        bundle_sources before = {0}, after = {0};
        kbc_ruleset *rs = NULL;
        const kbc_rule **rules = NULL;
        kbc_buf body;
        char why[4200];
        int rc = -1;

        kbc_buf_init(&body, BODY_MAX);
        if (bundle_sources_scan(dir, a, &before, why, sizeof(why))) {
                fail(&w, "%s", why);
                goto out;
        }
        if (!(rs = kbc_ruleset_load_with(&dir, 1, &opts))) {
                fail(&w, "not written: the rule files have problems");
                goto out;
        }
        if (bundle_sources_scan(dir, a, &after, why, sizeof(why)) ||
            !same_sources(&before, &after)) {
                fail(&w, "not written: the rule files changed while they "
                         "were read; run it again");
                goto out;
        }
        if (!(rules = in_source_order(&w, rs, &before)))
                goto out;
        put_body(&body, &before, rules);
        if (body.overflow) {
                fail(&w, "not written: larger than 1 GiB");
                goto out;
        }
        if (write_file(&w, &body))
                goto out;
        if (info) {
                info->nrules = before.n;
                info->bytes = BUNDLE_HEADER_SIZE + body.len;
        }
        rc = 0;
out:
        free(rules);
        kbc_buf_free(&body);
        kbc_ruleset_free(rs);
        bundle_sources_free(&before);
        bundle_sources_free(&after);
        kbc_arena_free(a);
        return rc;
}
