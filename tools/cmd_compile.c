/*
 * cmd_compile.c - `kbcorr compile`: KB articles (files or folders) to rule
 * files, one per article that has something a log can show. Two passes
 * over the input: the first counts how many articles share each symptom,
 * the second writes the rules (see kb/kb_compile.c for why). Then every
 * rule's own test runs against the whole output, and the articles that
 * their own signals can never name are removed.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kbc_bundle.h"
#include "kbc_compile.h"
#include "kbc_hash.h"
#include "rule_internal.h"
#include "tool.h"

static const char compile_usage[] =
    "usage: kbcorr compile [-o DIR] [-e FILE] [-q] KB_PATH...\n\n"
    "Parses Microsoft KB articles (raw DOCUMENT: text, Jekyll pages or\n"
    "Microsoft Learn markdown; files, or folders searched recursively) and\n"
    "writes one YAML rule per article with a log-visible signal, as\n"
    "DIR/NNN/ID.yaml (ID: Q247773, KB4469622, or MS-<file name> for a\n"
    "Learn article without a KB number). An article found under several\n"
    "paths (same id) is compiled from the first in walk order. "
    "A summary\ngoes to stderr: articles read, rules written, skipped "
    "by reason.\nRun 'kbcorr check --rules DIR' on the output.\n\n"
    "  -o, --output DIR  where to write (default: kb-rules)\n"
    "  -e, --explain FILE  one JSON line per article: its outcome, and\n"
    "                    each signal's verdict (symptom, support,\n"
    "                    dropped) with the reason\n"
    "  -q, --quiet       no per-article errors, only the summary\n"
    "      --no-bundle   do not write DIR/" KBC_BUNDLE_NAME " (by default "
    "the rules\n                    are also bundled for fast loading: "
    "kbcorr bundle)\n"
    "  -h, --help        this help\n";

/* One article's --explain line, kept until the unnameable rules are known. */
typedef struct explained {
        char *id, *path, *signals; /* signals: a JSON array */
        const char *outcome;
} explained;

/* The path an article id was first read from: the same article under two
 * folders (the repository moved it) compiles once, from the first path in
 * walk order (paths sorted, the arguments in the order given). */
typedef struct first_path {
        char *id, *path;
} first_path;

typedef struct compile_run {
        kbc_compiler *compiler;
        const char *outdir, *explain_path;
        bool quiet, writing, no_bundle;
        size_t read, unparseable, outcomes[KBC_COMPILE__COUNT], write_errors;
        kbc_buf yaml, signals;
        explained *ex;
        size_t nex, capex;
        char **dropped; /* ids of the unnameable rules, sorted */
        size_t ndropped;
        first_path *seen; /* open addressing, power-of-two size */
        size_t nseen, capseen, duplicates;
} compile_run;

static const char UNNAMEABLE[] = "never named by their own signals";

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

/* Writes through a temporary name, so a reader never sees half a rule.
 * The id is checked by the parser (letters, digits, '-', '_'); the
 * temporary file is created new and never through a symlink, so nothing
 * planted in the output folder can redirect the write. */
static int write_rule(compile_run *run, const char *id)
{
        char dir[4096], path[4200], tmp[4300];
        const char *digits = id; /* Q247773, KB4469622; MS-... in 000 */
        while (isalpha((unsigned char)*digits))
                digits++;
        long num = strtol(digits, NULL, 10);
        snprintf(dir, sizeof(dir), "%s/%03ld", run->outdir, num / 1000);
        snprintf(path, sizeof(path), "%s/%s.yaml", dir, id);
        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        if (strchr(id, '/') || !strcmp(id, "..")) {
                fprintf(stderr, "kbcorr compile: %s: not a file name\n", id);
                return -1;
        }
        unlink(tmp); /* a leftover of an interrupted run */
        int fd = -1;
        FILE *f = NULL;
        bool ok = !mkdir_p(dir) &&
                  (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
                             0644)) >= 0 &&
                  (f = fdopen(fd, "w")) &&
                  fwrite(run->yaml.data, 1, run->yaml.len, f) == run->yaml.len;
        int err = errno;
        if (f ? fclose(f) : fd >= 0 ? close(fd) : 0) {
                err = ok ? errno : err;
                ok = false;
        }
        if (ok && rename(tmp, path)) {
                err = errno;
                ok = false;
        }
        if (!ok) {
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
static int by_id(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static long drop_unnameable(compile_run *run)
{
        const char *dir = run->outdir;
        /* The YAML just written: a bundle there is of an earlier run. */
        kbc_ruleset_opts o = {.diag = tool_diag_stderr, .no_bundle = true};
        kbc_ruleset *rs = kbc_ruleset_load_with(&dir, 1, &o);
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
                        if (run->explain_path) {
                                char **d =
                                    realloc(run->dropped,
                                            (run->ndropped + 1) * sizeof(*d));
                                if (!d ||
                                    !(d[run->ndropped] = strdup(rule->id))) {
                                        run->dropped = d ? d : run->dropped;
                                        kbc_ruleset_free(rs);
                                        return -1;
                                }
                                run->dropped = d;
                                run->ndropped++;
                        }
                        break;
                }
        }
        kbc_ruleset_free(rs);
        if (run->ndropped)
                qsort(run->dropped, run->ndropped, sizeof(*run->dropped),
                      by_id);
        return dropped;
}

static int explain_add(compile_run *run, const char *id, const char *path,
                       const char *outcome, const char *signals)
{
        if (run->nex == run->capex) {
                size_t cap = run->capex ? 2 * run->capex : 1024;
                explained *ex = realloc(run->ex, cap * sizeof(*ex));
                if (!ex)
                        return -1;
                run->ex = ex;
                run->capex = cap;
        }
        explained *e = &run->ex[run->nex];
        e->id = strdup(id ? id : "");
        e->path = strdup(path);
        e->signals = strdup(signals);
        e->outcome = outcome;
        if (!e->id || !e->path || !e->signals) {
                free(e->id);
                free(e->path);
                free(e->signals);
                return -1;
        }
        run->nex++;
        return 0;
}

/* Writes the --explain file: the outcome of a rule removed as unnameable
 * is only known now. */
static int explain_write(compile_run *run)
{
        FILE *f = fopen(run->explain_path, "w");
        kbc_buf line;
        if (!f) {
                fprintf(stderr, "kbcorr compile: %s: %s\n", run->explain_path,
                        strerror(errno));
                return -1;
        }
        kbc_buf_init(&line, 1 << 24);
        for (size_t i = 0; i < run->nex; i++) {
                const explained *e = &run->ex[i];
                const char *outcome = e->outcome;
                if (run->ndropped &&
                    bsearch(&e->id, run->dropped, run->ndropped,
                            sizeof(*run->dropped), by_id))
                        outcome = UNNAMEABLE;
                kbc_buf_reset(&line);
                kbc_buf_putc(&line, '{');
                kbc_buf_json_key(&line, "id", false);
                kbc_buf_json_str(&line, kbc_str_cstr(e->id));
                kbc_buf_json_key(&line, "path", true);
                kbc_buf_json_str(&line, kbc_str_cstr(e->path));
                kbc_buf_json_key(&line, "outcome", true);
                kbc_buf_json_str(&line, kbc_str_cstr(outcome));
                kbc_buf_json_key(&line, "signals", true);
                kbc_buf_puts(&line, e->signals);
                kbc_buf_puts(&line, "}\n");
                fwrite(line.data, 1, line.len, f);
        }
        kbc_buf_free(&line);
        if (fclose(f)) {
                fprintf(stderr, "kbcorr compile: %s: %s\n", run->explain_path,
                        strerror(errno));
                return -1;
        }
        return 0;
}

/* The slot of id: its entry, or the empty one where it goes; NULL when out
 * of memory. */
static first_path *seen_slot(compile_run *run, const char *id)
{
        if (2 * (run->nseen + 1) > run->capseen) {
                size_t cap = run->capseen ? run->capseen * 2 : 1024;
                first_path *v = calloc(cap, sizeof(*v));
                if (!v)
                        return NULL;
                for (size_t i = 0; i < run->capseen; i++) {
                        if (!run->seen[i].id)
                                continue;
                        size_t k = kbc_fnv64(KBC_FNV64_INIT, run->seen[i].id,
                                             strlen(run->seen[i].id)) &
                                   (cap - 1);
                        while (v[k].id)
                                k = (k + 1) & (cap - 1);
                        v[k] = run->seen[i];
                }
                free(run->seen);
                run->seen = v;
                run->capseen = cap;
        }
        size_t k =
            kbc_fnv64(KBC_FNV64_INIT, id, strlen(id)) & (run->capseen - 1);
        while (run->seen[k].id && strcmp(run->seen[k].id, id))
                k = (k + 1) & (run->capseen - 1);
        return &run->seen[k];
}

/* Pass 1: is this the first path of the article's id? Reports the others. */
static bool first_seen(compile_run *run, const kbc_kb_article *art,
                       const char *path)
{
        first_path *f = seen_slot(run, art->id);
        if (!f) {
                run->write_errors++;
                return false;
        }
        if (f->id) {
                run->duplicates++;
                if (!run->quiet)
                        fprintf(stderr,
                                "kbcorr compile: %s: %s is the same article "
                                "as %s, compiled from there\n",
                                art->id, path, f->path);
                return false;
        }
        f->id = strdup(art->id);
        f->path = strdup(path);
        if (!f->id || !f->path) {
                free(f->id);
                free(f->path);
                f->id = f->path = NULL;
                run->write_errors++;
                return false;
        }
        run->nseen++;
        return true;
}

/* Pass 2: the path pass 1 kept for the id? */
static bool is_first_path(compile_run *run, const char *id, const char *path)
{
        const first_path *f = seen_slot(run, id);
        return f && f->path && !strcmp(f->path, path);
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
                } else if (run->explain_path &&
                           explain_add(run, NULL, path, "unparseable", "[]")) {
                        run->write_errors++;
                }
        } else if (!run->writing) {
                run->read++;
                if (first_seen(run, art, path))
                        kbc_compiler_count(run->compiler, art);
        } else if (!is_first_path(run, art->id, path)) {
                ; /* a later path of the same article (pass 1 said so) */
        } else {
                kbc_buf_reset(&run->yaml);
                kbc_buf_reset(&run->signals);
                kbc_compile_outcome o = kbc_compiler_write(
                    run->compiler, art, &run->yaml,
                    run->explain_path ? &run->signals : NULL);
                run->outcomes[o]++;
                if (o == KBC_COMPILED && write_rule(run, art->id))
                        run->write_errors++;
                if (run->explain_path &&
                    explain_add(run, art->id, path, kbc_compile_outcome_name(o),
                                run->signals.data ? run->signals.data : "[]"))
                        run->write_errors++;
        }
        kbc_arena_free(a);
        return 0;
}

int cmd_compile(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"output", required_argument, NULL, 'o'},
            {"explain", required_argument, NULL, 'e'},
            {"quiet", no_argument, NULL, 'q'},
            {"no-bundle", no_argument, NULL, 'B'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0}};
        compile_run run = {.outdir = "kb-rules"};
        int c, rc = EXIT_USAGE;

        optind = 1;
        while ((c = getopt_long(argc, argv, "o:e:qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        run.outdir = optarg;
                        break;
                case 'q':
                        run.quiet = true;
                        break;
                case 'e':
                        run.explain_path = optarg;
                        break;
                case 'B':
                        run.no_bundle = true;
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
        kbc_buf_init(&run.signals, 1 << 24);
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
        if (dropped < 0 || (run.explain_path && explain_write(&run)))
                goto out;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        fprintf(stderr,
                "kbcorr compile: %zu articles read, %zu rules written to %s "
                "in %.1f s; skipped: %zu %s, %zu %s, %ld %s, %zu unparseable, "
                "%zu the same article again\n",
                run.read, written - (size_t)dropped, run.outdir,
                (double)(t1.tv_sec - t0.tv_sec) +
                    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
                run.outcomes[KBC_SKIP_NO_SIGNAL],
                kbc_compile_outcome_name(KBC_SKIP_NO_SIGNAL),
                run.outcomes[KBC_SKIP_ONLY_GENERIC],
                kbc_compile_outcome_name(KBC_SKIP_ONLY_GENERIC), dropped,
                UNNAMEABLE, run.unparseable, run.duplicates);
        rc = run.write_errors || unreadable ? EXIT_USAGE : EXIT_OK;
        /* Written even after unreadable inputs: the rules on disk load. */
        if (!run.no_bundle && written > (size_t)dropped &&
            kbc_bundle_write(run.outdir, tool_diag_stderr, NULL, NULL))
                rc = EXIT_USAGE;
out:
        kbc_compiler_free(run.compiler);
        kbc_buf_free(&run.yaml);
        kbc_buf_free(&run.signals);
        for (size_t i = 0; i < run.nex; i++) {
                free(run.ex[i].id);
                free(run.ex[i].path);
                free(run.ex[i].signals);
        }
        free(run.ex);
        for (size_t i = 0; i < run.ndropped; i++)
                free(run.dropped[i]);
        free(run.dropped);
        for (size_t i = 0; i < run.capseen; i++) {
                free(run.seen[i].id);
                free(run.seen[i].path);
        }
        free(run.seen);
        return rc;
}
