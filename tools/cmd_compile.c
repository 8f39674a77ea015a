/*
 * cmd_compile.c - `kbcorr compile`: KB articles (files or folders) to rule
 * files, one per article that has something a log can show. Two passes
 * over the input: the first counts how many articles share each symptom,
 * the second writes the rules (see kb/kb_compile.c for why). Then every
 * rule's own test runs against the whole output, and the articles that
 * their own signals can never name are removed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kbc_compile.h"
#include "rule_internal.h"
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

/* Removes the rules whose own test fails against the whole output: their
 * signals tie with more articles than an incident may name, or another
 * article outweighs them, so they could only ever cost matching time.
 * Dropping one never makes another fail (it only loses a competitor).
 * Returns how many were removed, or -1 if the output does not load. */
static long drop_unnameable(const compile_run *run)
{
        const char *dir = run->outdir;
        kbc_ruleset *rs = kbc_ruleset_load(&dir, 1, tool_diag_stderr, NULL);
        long dropped = 0;
        if (!rs)
                return -1;
        for (size_t r = 0; r < kbc_ruleset_count(rs); r++) {
                const kbc_rule *rule = kbc_ruleset_rule(rs, r);
                for (size_t i = 0; i < rule->ntests; i++) {
                        if (tool_rule_test(rs, rule, &rule->tests[i], NULL))
                                continue;
                        if (unlink(rule->file)) {
                                fprintf(stderr, "kbcorr compile: %s: %s\n",
                                        rule->file, strerror(errno));
                                kbc_ruleset_free(rs);
                                return -1;
                        }
                        dropped++;
                        break;
                }
        }
        kbc_ruleset_free(rs);
        return dropped;
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
        size_t written = run.outcomes[KBC_COMPILED] - run.write_errors;
        long dropped = written ? drop_unnameable(&run) : 0;
        if (dropped < 0)
                goto out;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        fprintf(stderr,
                "kbcorr compile: %zu articles read, %zu rules written to %s "
                "in %.1f s; skipped: %zu %s, %zu %s, %ld never named by their "
                "own signals, %zu unparseable\n",
                run.read, written - (size_t)dropped, run.outdir,
                (double)(t1.tv_sec - t0.tv_sec) +
                    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                run.outcomes[KBC_SKIP_NO_SIGNAL],
                kbc_compile_outcome_name(KBC_SKIP_NO_SIGNAL),
                run.outcomes[KBC_SKIP_ONLY_GENERIC],
                kbc_compile_outcome_name(KBC_SKIP_ONLY_GENERIC), dropped,
                run.unparseable);
        rc = run.write_errors || unreadable ? EXIT_USAGE : EXIT_OK;
out:
        kbc_compiler_free(run.compiler);
        kbc_buf_free(&run.yaml);
        return rc;
}
