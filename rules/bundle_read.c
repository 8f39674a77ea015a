/*
 * bundle_read.c - reading a folder's rule bundle (bundle_internal.h has
 * the layout) and deciding whether it may stand for the folder's YAML.
 *
 * In order, each step cheaper than the next and each failure saying why:
 * the header (a bundle at all, this format, the whole file there, its
 * checksum), the loader fingerprint and PCRE2 version it was written with,
 * then the rule files now in the folder against the ones it records
 * (name, size, content hash), and only then the rules. Anything but a
 * fresh, whole bundle leaves the folder to the YAML loader.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bundle_internal.h"
#include "kbc_hash.h"

typedef struct reading {
        char *why;
        size_t whysize;
        kbc_bundle_state state;
} reading;

static kbc_bundle_state __attribute__((format(printf, 3, 4)))
say(reading *rd, kbc_bundle_state state, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(rd->why, rd->whysize, fmt, ap);
        va_end(ap);
        return rd->state = state;
}

/* The whole file in a malloc'd buffer (*data, *size); NONE when there is
 * no bundle, BROKEN when it cannot be read. */
static kbc_bundle_state read_whole(reading *rd, const char *path,
                                   unsigned char **data, size_t *size)
{
        struct stat st;
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT
                           ? KBC_BUNDLE_NONE
                           : say(rd, KBC_BUNDLE_BROKEN, "cannot open: %s",
                                 strerror(errno));
        kbc_bundle_state st_ = KBC_BUNDLE_FRESH;
        if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
            (uint64_t)st.st_size > BUNDLE_MAX_BYTES) {
                st_ = say(rd, KBC_BUNDLE_BROKEN, "%s",
                          S_ISREG(st.st_mode) ? "larger than 1 GiB"
                                              : "not a regular file");
                goto out;
        }
        *size = (size_t)st.st_size;
        *data = malloc(*size ? *size : 1);
        size_t got = 0;
        ssize_t n = 1;
        while (*data && got < *size &&
               (n = read(fd, *data + got, *size - got)) > 0)
                got += (size_t)n;
        if (!*data || n < 0)
                st_ = say(rd, KBC_BUNDLE_BROKEN, "cannot read: %s",
                          *data ? strerror(errno) : "out of memory");
        *size = got; /* shrunk while read: the checksum will tell */
out:
        close(fd);
        return st_;
}

/* The header; on success the body in *body, *bodylen. */
static kbc_bundle_state check_header(reading *rd, const unsigned char *data,
                                     size_t size, const unsigned char **body,
                                     size_t *bodylen)
{
        if (size < BUNDLE_MAGIC_LEN ||
            memcmp(data, BUNDLE_MAGIC, BUNDLE_MAGIC_LEN))
                return say(rd, KBC_BUNDLE_BROKEN, "not a kbcorr rule bundle");
        if (size < BUNDLE_HEADER_SIZE)
                return say(rd, KBC_BUNDLE_BROKEN,
                           "truncated (%zu bytes, shorter than its header)",
                           size);
        kbc_bin_reader h;
        kbc_bin_reader_init(&h, data + BUNDLE_MAGIC_LEN,
                            BUNDLE_HEADER_SIZE - BUNDLE_MAGIC_LEN);
        uint32_t version = kbc_bin_get_u32(&h), zero = kbc_bin_get_u32(&h);
        uint64_t len = kbc_bin_get_u64(&h), hash = kbc_bin_get_u64(&h);
        if (version != BUNDLE_VERSION || zero)
                return say(rd, KBC_BUNDLE_STALE,
                           "format version %u, this kbcorr reads %u", version,
                           BUNDLE_VERSION);
        if (len != size - BUNDLE_HEADER_SIZE)
                return say(rd, KBC_BUNDLE_BROKEN,
                           "truncated or extended (%zu bytes, its header "
                           "says %llu)",
                           size, (unsigned long long)len + BUNDLE_HEADER_SIZE);
        *body = data + BUNDLE_HEADER_SIZE;
        *bodylen = (size_t)len;
        if (kbc_hash64_of(*body, *bodylen) != hash)
                return say(rd, KBC_BUNDLE_BROKEN,
                           "corrupted (its checksum does not match)");
        return KBC_BUNDLE_FRESH;
}

static bool str_is(kbc_bin_reader *r, const char *want)
{
        const char *p;
        size_t n;
        return kbc_bin_get_str(r, &p, &n) && n == strlen(want) &&
               !memcmp(p, want, n);
}

/* The files the bundle records against the folder's now. */
static kbc_bundle_state check_sources(reading *rd, kbc_bin_reader *r,
                                      const bundle_sources *now)
{
        size_t n = kbc_bin_get_count(r, 20, NULL);
        for (size_t i = 0; i < n && !r->bad; i++) {
                const char *rel;
                size_t len;
                kbc_bin_get_str(r, &rel, &len);
                uint64_t size = kbc_bin_get_u64(r), hash = kbc_bin_get_u64(r);
                if (r->bad)
                        break;
                if (i >= now->n)
                        return say(rd, KBC_BUNDLE_STALE,
                                   "%.*s was removed since it was written",
                                   (int)(len > 200 ? 200 : len), rel);
                const bundle_source *s = &now->v[i];
                if (len != strlen(s->rel) || memcmp(rel, s->rel, len))
                        return say(rd, KBC_BUNDLE_STALE,
                                   "the rule files differ from its own from "
                                   "%s on (added, removed or renamed)",
                                   s->rel);
                if (size != s->size || hash != s->hash)
                        return say(rd, KBC_BUNDLE_STALE,
                                   "%s changed since it was written", s->rel);
        }
        if (!r->bad && n < now->n)
                return say(rd, KBC_BUNDLE_STALE,
                           "%s is newer than it (%zu rule files, it has %zu)",
                           now->v[n].rel, now->n, n);
        return KBC_BUNDLE_FRESH;
}

static kbc_bundle_state malformed(reading *rd, const kbc_bin_reader *r)
{
        return say(rd, KBC_BUNDLE_BROKEN, "malformed at byte %zu: %s",
                   BUNDLE_HEADER_SIZE + r->bad_at, r->bad);
}

static kbc_bundle_state read_rules(reading *rd, kbc_bin_reader *r, kbc_arena *a,
                                   const bundle_sources *now, kbc_rule **rules)
{
        size_t n = kbc_bin_get_count(r, 32, NULL);
        if (!r->bad && n != now->n)
                kbc_bin_fail(r, "not one rule per rule file");
        *rules = kbc_arena_alloc(a, (now->n + 1) * sizeof(**rules));
        for (size_t i = 0; i < n && !r->bad; i++)
                bundle_get_rule(r, a, &(*rules)[i], now->v[i].path);
        if (!r->bad && kbc_bin_left(r))
                kbc_bin_fail(r, "bytes after the last rule");
        return r->bad ? malformed(rd, r) : KBC_BUNDLE_FRESH;
}

kbc_bundle_state bundle_read(const char *dir, kbc_arena *a, kbc_rule **rules,
                             size_t *nrules, char *why, size_t whysize)
{
        reading rd = {why, whysize, KBC_BUNDLE_FRESH};
        unsigned char *data = NULL;
        const unsigned char *body = NULL;
        size_t size = 0, bodylen = 0;
        bundle_sources now = {0};
        kbc_bin_reader r;
        char path[4096];
        kbc_bundle_state st;

        *rules = NULL;
        *nrules = 0;
        if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
                             KBC_BUNDLE_NAME) >= sizeof(path))
                return KBC_BUNDLE_NONE;
        if ((st = read_whole(&rd, path, &data, &size)) != KBC_BUNDLE_FRESH ||
            (st = check_header(&rd, data, size, &body, &bodylen)) !=
                KBC_BUNDLE_FRESH)
                goto out;
        kbc_bin_reader_init(&r, body, bodylen);
        char pcre2[BUNDLE_PCRE2_VERSION_MAX];
        bundle_pcre2_version(pcre2);
        if (!str_is(&r, bundle_fingerprint()) || !str_is(&r, pcre2)) {
                st = r.bad ? malformed(&rd, &r)
                           : say(&rd, KBC_BUNDLE_STALE,
                                 "written by another version of kbcorr's "
                                 "rule loader or of PCRE2");
                goto out;
        }
        if (bundle_sources_scan(dir, a, &now, path, sizeof(path))) {
                st = say(&rd, KBC_BUNDLE_STALE, "%s", path);
                goto out;
        }
        if ((st = check_sources(&rd, &r, &now)) != KBC_BUNDLE_FRESH)
                goto out;
        if (r.bad) {
                st = malformed(&rd, &r);
                goto out;
        }
        st = read_rules(&rd, &r, a, &now, rules);
        if (st == KBC_BUNDLE_FRESH)
                *nrules = now.n;
out:
        if (st != KBC_BUNDLE_FRESH)
                *rules = NULL; /* half-read rules stay in a, unused */
        bundle_sources_free(&now);
        free(data);
        return st;
}

kbc_bundle_state kbc_bundle_check(const char *dir, char *why, size_t whysize,
                                  kbc_bundle_info *info)
{
        kbc_arena *a = kbc_arena_new();
        kbc_rule *rules;
        size_t n;
        struct stat st;
        char path[4096];

        if (whysize)
                why[0] = '\0';
        kbc_bundle_state s = bundle_read(dir, a, &rules, &n, why, whysize);
        if (info) {
                info->nrules = n;
                snprintf(path, sizeof(path), "%s/%s", dir, KBC_BUNDLE_NAME);
                info->bytes = stat(path, &st) ? 0 : (uint64_t)st.st_size;
        }
        kbc_arena_free(a);
        return s;
}
