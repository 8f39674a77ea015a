/*
 * cmd_kb.c - `kbcorr kb parse FILE...`: each Knowledge Base article (raw
 * DOCUMENT: text, Jekyll page or Learn markdown, see kb/kbc_kb.h) as one
 * JSON line, for review and for checking the parser against the corpus.
 *
 * Folders are walked recursively and their files taken in byte order of
 * their paths, so two runs over the same tree print the same lines in the
 * same order. Each article gets its own arena, freed after its line is
 * written. A file that cannot be read or parsed is reported on stderr as
 * "PATH: reason" and the run goes on; the exit status is then 2 (input
 * error, SPEC.md §6), after every other article has been printed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kbc_arena.h"
#include "kbc_buf.h"
#include "kbc_kb.h"
#include "tool.h"

#define KB_MAX_LINE (64u << 20) /* one JSON line */

static const char kb_usage[] =
    "usage: kbcorr kb parse FILE|DIR...\n\n"
    "Parses Microsoft Knowledge Base articles (the raw DOCUMENT: text, "
    "the\nJekyll page form or Microsoft Learn markdown, CRLF or LF) and "
    "prints each\nas one JSON line:\n"
    "  id, title, date, path, url (Learn articles), products, keywords,\n"
    "  sections  {NAME: text}, one entry per name (repeated groups are "
    "joined),\n"
    "  signals   [{event_id, source, channel, source_implied, titled, text, "
    "code,\n"
    "             kind, section, line}]\n"
    "Folders are read recursively, files in sorted order. An article that "
    "cannot\nbe parsed is reported on stderr as PATH: reason and the run "
    "goes on.\n"
    "Exit codes: 0 all parsed, 2 usage error or any file not read or not "
    "parsed.\n\n"
    "  -h, --help      this help\n";

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
        json_opt_str(b, "url", art->url);
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
                if (s->channel) /* the log a Learn article's sentence names */
                        json_opt_str(b, "channel", s->channel);
                if (s->source_implied)
                        kbc_buf_puts(b, ",\"source_implied\":true");
                if (s->titled)
                        kbc_buf_puts(b, ",\"titled\":true");
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

typedef struct kb_run {
        kbc_buf out;
        int failed; /* articles not parsed or not printed */
} kb_run;

/* Parses and prints one article; a failure is reported and counted. */
static int parse_one(void *opaque, const char *path, const char *buf,
                     size_t len)
{
        kb_run *run = opaque;
        char err[256];
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = kbc_kb_parse(a, path, buf, len, err, sizeof(err));
        if (!art) {
                fprintf(stderr, "%s: %s\n", path, err);
                run->failed++;
                goto out;
        }
        kbc_buf_reset(&run->out);
        write_article(&run->out, art);
        if (run->out.overflow) {
                fprintf(stderr, "%s: parsed article too large to print\n",
                        path);
                run->failed++;
                goto out;
        }
        fwrite(run->out.data, 1, run->out.len, stdout);
out:
        kbc_arena_free(a);
        return 0;
}

static int kb_parse(int argc, char **argv)
{
        kb_run run = {.failed = 0};
        int status = EXIT_OK;

        kbc_buf_init(&run.out, KB_MAX_LINE);
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
        if (tool_each_file((const char *const *)argv + 1, (size_t)argc - 1,
                           parse_one, &run) ||
            run.failed)
                status = EXIT_USAGE;
        if (fflush(stdout) != 0) {
                fprintf(stderr, "kbcorr kb parse: writing output: %s\n",
                        strerror(errno));
                status = EXIT_USAGE;
        }
out:
        kbc_buf_free(&run.out);
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
