/*
 * cmd_compile.c - `kbcorr compile`: KB articles (files or folders) to rule
 * files, one per article that has something a log can show. Two passes
 * over the input: the first counts how many articles share each symptom,
 * the second writes the rules (see rules/kb_compile.c for why).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "kbc_compile.h"
#include "tool.h"

static const char compile_usage[] =
    "usage: kbcorr compile [-o DIR] [-q] KB_PATH...\n\n"
    "Parses Microsoft KB articles (raw DOCUMENT: text or Jekyll pages;\n"
    "files, or folders searched recursively) and writes one YAML rule "
    "per\narticle with a log-visible signal, as DIR/NNN/QNNNNNN.yaml. "
    "A summary\ngoes to stderr: articles read, rules written, skipped "
    "by reason.\nRun 'kbcorr check --rules DIR' on the output.\n\n"
    "  -o, --output DIR  where to write (default: kb-rules)\n"
    "  -q, --quiet       no per-article errors, only the summary\n"
    "  -h, --help        this help\n";

typedef struct compile_run {
        kbc_compiler *compiler;
        const char *outdir;
        bool quiet, writing;
        size_t read, unparseable, outcomes[KBC_COMPILE__COUNT], write_errors;
        kbc_buf yaml;
} compile_run;

static int mkdir_p(char *path)
{
        for (char *p = path + 1; *p; p++) {
                if (*p != '/')
                        continue;
                *p = '\0';
                int rc = mkdir(path, 0777);
                *p = '/';
                if (rc && errno != EEXIST)
                        return -1;
        }
        return mkdir(path, 0777) && errno != EEXIST ? -1 : 0;
}

/* Writes through a temporary name, so a reader never sees half a rule. */
static int write_rule(compile_run *run, const char *id)
{
        char dir[4096], path[4200], tmp[4300];
        long num = strtol(id + (id[0] == 'Q'), NULL, 10);
        snprintf(dir, sizeof(dir), "%s/%03ld", run->outdir, num / 1000);
        snprintf(path, sizeof(path), "%s/%s.yaml", dir, id);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        FILE *f = NULL;
        if (mkdir_p(dir) || !(f = fopen(tmp, "w")) ||
            fwrite(run->yaml.data, 1, run->yaml.len, f) != run->yaml.len ||
            fclose(f) || rename(tmp, path)) {
                int err = errno;
                if (f)
                        fclose(f);
                fprintf(stderr, "kbcorr compile: %s: %s\n", path,
                        strerror(err));
                return -1;
        }
        return 0;
}

static int compile_one(void *opaque, const char *path, const char *buf,
                       size_t len)
{
        compile_run *run = opaque;
        char err[256];
        kbc_arena *a = kbc_arena_new();
        kbc_kb_article *art = kbc_kb_parse(a, path, buf, len, err, sizeof(err));
        if (!art) {
                if (!run->writing) {
                        run->unparseable++;
                        if (!run->quiet)
                                fprintf(stderr, "%s: %s\n", path, err);
                }
        } else if (!run->writing) {
                run->read++;
                kbc_compiler_count(run->compiler, art);
        } else {
                kbc_buf_reset(&run->yaml);
                kbc_compile_outcome o =
                    kbc_compiler_write(run->compiler, art, &run->yaml);
                run->outcomes[o]++;
                if (o == KBC_COMPILED && write_rule(run, art->id))
                        run->write_errors++;
        }
        kbc_arena_free(a);
        return 0;
}

int cmd_compile(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"output", required_argument, NULL, 'o'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0}};
        compile_run run = {.outdir = "kb-rules"};
        int c, rc = EXIT_USAGE;

        optind = 1;
        while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        run.outdir = optarg;
                        break;
                case 'q':
                        run.quiet = true;
                        break;
                case 'h':
                        fputs(compile_usage, stdout);
                        return EXIT_OK;
                default:
                        fputs(compile_usage, stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "kbcorr compile: no KB_PATH given\n");
                return EXIT_USAGE;
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        kbc_buf_init(&run.yaml, 1 << 20);
        run.compiler = kbc_compiler_new();
        if (!run.compiler)
                goto out;
        const char *const *paths = (const char *const *)argv + optind;
        size_t npaths = (size_t)(argc - optind);
        int unreadable = tool_each_file(paths, npaths, compile_one, &run);
        if (unreadable < 0)
                goto out;
        run.writing = true;
        if (tool_each_file(paths, npaths, compile_one, &run) < 0)
                goto out;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        fprintf(
            stderr,
            "kbcorr compile: %zu articles read, %zu rules written to %s "
            "in %.1f s; skipped: %zu %s, %zu %s, %zu unparseable\n",
            run.read, run.outcomes[KBC_COMPILED] - run.write_errors, run.outdir,
            (double)(t1.tv_sec - t0.tv_sec) +
                (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            run.outcomes[KBC_SKIP_NO_SIGNAL],
            kbc_compile_outcome_name(KBC_SKIP_NO_SIGNAL),
            run.outcomes[KBC_SKIP_ONLY_GENERIC],
            kbc_compile_outcome_name(KBC_SKIP_ONLY_GENERIC), run.unparseable);
        rc = run.write_errors || unreadable ? EXIT_USAGE : EXIT_OK;
out:
        kbc_compiler_free(run.compiler);
        kbc_buf_free(&run.yaml);
        return rc;
}
