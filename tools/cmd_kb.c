/*
 * cmd_kb.c - `kbcorr kb parse FILE...`: each Knowledge Base article (raw
 * DOCUMENT: text or Jekyll page, see parsers/kbc_kb.h) as one JSON line,
 * for review and for checking the parser against the corpus.
 *
 * Folders are walked recursively and their files taken in byte order of
 * their paths, so two runs over the same tree print the same lines in the
 * same order. Each article gets its own arena, freed after its line is
 * written. A file that cannot be read or parsed is reported on stderr as
 * "PATH: reason" and the run goes on; the exit status is then 2 (input
 * error, SPEC.md §6), after every other article has been printed.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kbc_arena.h"
#include "kbc_buf.h"
#include "kbc_kb.h"
#include "tool.h"

#define KB_MAX_FILE                                                            \
        (16u << 20)              /* no article comes near; a cap all the same  \
                                  */
#define KB_MAX_LINE  (64u << 20) /* one JSON line */
#define KB_MAX_DEPTH 16

static const char kb_usage[] =
    "usage: kbcorr kb parse FILE|DIR...\n\n"
    "Parses Microsoft Knowledge Base articles (the raw DOCUMENT: text or "
    "the\nJekyll page form, CRLF or LF) and prints each as one JSON line:\n"
    "  id, title, date, products, keywords,\n"
    "  sections  {NAME: text}, one entry per name (repeated groups are "
    "joined),\n"
    "  signals   [{event_id, source, text, code, kind, section, line}]\n"
    "Folders are read recursively, files in sorted order. An article that "
    "cannot\nbe parsed is reported on stderr as PATH: reason and the run "
    "goes on.\n"
    "Exit codes: 0 all parsed, 2 usage error or any file not read or not "
    "parsed.\n\n"
    "  -h, --help      this help\n";

typedef struct path_list {
        char **v;
        size_t n, cap;
} path_list;

static int path_add(path_list *pl, const char *p)
{
        if (pl->n == pl->cap) {
                size_t nc = pl->cap ? pl->cap * 2 : 256;
                char **v = realloc(pl->v, nc * sizeof(*v));
                if (!v)
                        return -1;
                pl->v = v;
                pl->cap = nc;
        }
        pl->v[pl->n] = strdup(p);
        if (!pl->v[pl->n])
                return -1;
        pl->n++;
        return 0;
}

static int cmp_path(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the regular files under dir (hidden entries skipped). */
static int walk(path_list *pl, const char *dir, int depth)
{
        int rc = 0;
        DIR *d = opendir(dir);
        if (!d) {
                fprintf(stderr, "%s: %s\n", dir, strerror(errno));
                return -1;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                size_t n = strlen(dir) + strlen(de->d_name) + 2;
                char *p = malloc(n);
                if (!p) {
                        rc = -1;
                        break;
                }
                snprintf(p, n, "%s/%s", dir, de->d_name);
                struct stat st;
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                        if (depth < KB_MAX_DEPTH && walk(pl, p, depth + 1))
                                rc = -1;
                } else if (stat(p, &st) == 0 && S_ISREG(st.st_mode)) {
                        if (path_add(pl, p))
                                rc = -1;
                }
                free(p);
        }
        closedir(d);
        return rc;
}

/* Reads the whole file (up to KB_MAX_FILE); NULL with errno-like reason. */
static char *read_file(const char *path, size_t *len, const char **why)
{
        char *buf = NULL;
        FILE *f = fopen(path, "rb");
        *why = NULL;
        if (!f) {
                *why = strerror(errno);
                return NULL;
        }
        size_t cap = 1 << 16, n = 0;
        buf = malloc(cap);
        while (buf) {
                if (n == cap) {
                        if (cap >= KB_MAX_FILE) {
                                *why = "file too large for a KB article "
                                       "(more than 16 MiB)";
                                goto fail;
                        }
                        char *nb = realloc(buf, cap * 2);
                        if (!nb)
                                goto fail;
                        buf = nb;
                        cap *= 2;
                }
                size_t r = fread(buf + n, 1, cap - n, f);
                n += r;
                if (r == 0) {
                        if (ferror(f)) {
                                *why = strerror(errno);
                                goto fail;
                        }
                        break;
                }
        }
        if (!buf)
                *why = "out of memory";
        fclose(f);
        *len = n;
        return buf;
fail:
        if (!*why)
                *why = "out of memory";
        free(buf);
        fclose(f);
        return NULL;
}

static void json_opt_str(kbc_buf *b, const char *key, const char *v)
{
        kbc_buf_json_key(b, key, true);
        if (v)
                kbc_buf_json_str(b, kbc_str_cstr(v));
        else
                kbc_buf_puts(b, "null");
}

static void json_list(kbc_buf *b, const char *key, const char *const *v,
                      size_t n)
{
        kbc_buf_json_key(b, key, true);
        kbc_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
                if (i)
                        kbc_buf_putc(b, ',');
                kbc_buf_json_str(b, kbc_str_cstr(v[i]));
        }
        kbc_buf_putc(b, ']');
}

static const char *kind_name(kbc_kb_signal_kind k)
{
        switch (k) {
        case KBC_KB_EVENT:
                return "event";
        case KBC_KB_MESSAGE:
                return "message";
        case KBC_KB_CODE:
                return "code";
        }
        return "?";
}

static void write_article(kbc_buf *b, const kbc_kb_article *art)
{
        kbc_buf_putc(b, '{');
        kbc_buf_json_key(b, "id", false);
        kbc_buf_json_str(b, kbc_str_cstr(art->id));
        json_opt_str(b, "title", art->title);
        json_opt_str(b, "date", art->date);
        json_opt_str(b, "path", art->path);
        json_list(b, "products", art->products, art->nproducts);
        json_list(b, "keywords", art->keywords, art->nkeywords);
        kbc_buf_json_key(b, "sections", true);
        kbc_buf_putc(b, '{');
        for (size_t i = 0; i < art->nsections; i++) {
                kbc_buf_json_key(b, art->sections[i].name, i > 0);
                kbc_buf_json_str(b, kbc_str_cstr(art->sections[i].text));
        }
        kbc_buf_putc(b, '}');
        kbc_buf_json_key(b, "signals", true);
        kbc_buf_putc(b, '[');
        for (size_t i = 0; i < art->nsignals; i++) {
                const kbc_kb_signal *s = &art->signals[i];
                if (i)
                        kbc_buf_putc(b, ',');
                kbc_buf_putc(b, '{');
                kbc_buf_json_key(b, "kind", false);
                kbc_buf_json_str(b, kbc_str_cstr(kind_name(s->kind)));
                if (s->event_id >= 0) {
                        kbc_buf_json_key(b, "event_id", true);
                        kbc_buf_printf(b, "%ld", s->event_id);
                }
                if (s->source) {
                        kbc_buf_json_key(b, "source", true);
                        kbc_buf_json_str(b, kbc_str_cstr(s->source));
                }
                if (s->text) {
                        kbc_buf_json_key(b, "text", true);
                        kbc_buf_json_str(b, kbc_str_cstr(s->text));
                }
                if (s->code) {
                        kbc_buf_json_key(b, "code", true);
                        kbc_buf_json_str(b, kbc_str_cstr(s->code));
                }
                json_opt_str(b, "section", s->section);
                kbc_buf_json_key(b, "line", true);
                kbc_buf_printf(b, "%d", s->line);
                kbc_buf_putc(b, '}');
        }
        kbc_buf_puts(b, "]}\n");
}

/* Parses and prints one file; 0, or -1 after reporting why on stderr. */
static int parse_one(const char *path, kbc_buf *out)
{
        int rc = -1;
        size_t len = 0;
        const char *why;
        char err[256];
        kbc_arena *a = NULL;
        char *buf = read_file(path, &len, &why);
        if (!buf) {
                fprintf(stderr, "%s: %s\n", path, why);
                goto out;
        }
        a = kbc_arena_new();
        kbc_kb_article *art = kbc_kb_parse(a, path, buf, len, err, sizeof(err));
        if (!art) {
                fprintf(stderr, "%s: %s\n", path, err);
                goto out;
        }
        kbc_buf_reset(out);
        write_article(out, art);
        if (out->overflow) {
                fprintf(stderr, "%s: parsed article too large to print\n",
                        path);
                goto out;
        }
        fwrite(out->data, 1, out->len, stdout);
        rc = 0;
out:
        kbc_arena_free(a);
        free(buf);
        return rc;
}

static int kb_parse(int argc, char **argv)
{
        path_list pl = {0};
        kbc_buf out;
        int status = EXIT_OK;

        kbc_buf_init(&out, KB_MAX_LINE);
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                        fputs(kb_usage, stdout);
                        goto out;
                }
                if (argv[i][0] == '-' && argv[i][1]) {
                        fprintf(stderr,
                                "kbcorr kb parse: unknown option '%s'\n",
                                argv[i]);
                        status = EXIT_USAGE;
                        goto out;
                }
        }
        if (argc < 2) {
                fputs(kb_usage, stderr);
                status = EXIT_USAGE;
                goto out;
        }
        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) != 0) {
                        fprintf(stderr, "%s: %s\n", argv[i], strerror(errno));
                        status = EXIT_USAGE;
                        continue;
                }
                if (!S_ISDIR(st.st_mode)) {
                        if (parse_one(argv[i], &out))
                                status = EXIT_USAGE;
                        continue;
                }
                size_t from = pl.n;
                if (walk(&pl, argv[i], 0))
                        status = EXIT_USAGE;
                qsort(pl.v + from, pl.n - from, sizeof(*pl.v), cmp_path);
                for (size_t k = from; k < pl.n; k++)
                        if (parse_one(pl.v[k], &out))
                                status = EXIT_USAGE;
        }
        if (fflush(stdout) != 0) {
                fprintf(stderr, "kbcorr kb parse: writing output: %s\n",
                        strerror(errno));
                status = EXIT_USAGE;
        }
out:
        for (size_t k = 0; k < pl.n; k++)
                free(pl.v[k]);
        free(pl.v);
        kbc_buf_free(&out);
        return status;
}

int cmd_kb(int argc, char **argv)
{
        if (argc < 2) {
                fputs(kb_usage, stderr);
                return EXIT_USAGE;
        }
        if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
                fputs(kb_usage, stdout);
                return EXIT_OK;
        }
        if (!strcmp(argv[1], "parse"))
                return kb_parse(argc - 1, argv + 1);
        fprintf(stderr,
                "kbcorr kb: unknown subcommand '%s' (try kbcorr kb "
                "--help)\n",
                argv[1]);
        return EXIT_USAGE;
}
