/*
 * input.c - helpers shared by the subcommands: rule loading with
 * diagnostics, input options, and walking files and folders.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kbc_mapping_load.h"
#include "kbc_time.h"
#include "kbc_pipeline.h"
#include "kbc_walk.h"
#include "tool.h"

void tool_diag_stderr(void *opaque, const char *msg)
{
        (void)opaque;
        fprintf(stderr, "%s\n", msg);
}

int tool_parse_utc_offset(const char *cmd, const char *arg, int *minutes)
{
        if (!kbc_utc_offset_parse(arg, minutes))
                return 0;
        fprintf(stderr,
                "kbcorr %s: --utc-offset: expected +HH:MM, -HHMM or +H, got "
                "'%s'\n",
                cmd, arg);
        return -1;
}

int tool_parse_duration(const char *cmd, const char *opt, const char *arg,
                        int64_t *out)
{
        if (!strcmp(arg, "0")) {
                *out = 0;
                return 0;
        }
        if (kbc_duration_parse(arg, out) == 0)
                return 0;
        fprintf(stderr, "kbcorr %s: %s: not a duration: '%s'\n", cmd, opt, arg);
        return -1;
}

int tool_parse_format(const char *cmd, const char *name, kbc_format *out)
{
        if (kbc_format_parse(name, out) == 0)
                return 0;
        fprintf(stderr, "kbcorr %s: unknown format '%s' (known:", cmd, name);
        for (int f = 0; f < KBC_FMT__COUNT; f++)
                fprintf(stderr, " %s", kbc_format_name((kbc_format)f));
        fprintf(stderr, ")\n");
        return -1;
}

int tool_load_mappings(kbc_pipeline *p, const tool_input_args *in)
{
        for (size_t i = 0; i < in->nmappings; i++)
                if (kbc_mappings_load(kbc_pipeline_decoder(p), in->mappings[i],
                                      tool_diag_stderr, NULL))
                        return -1;
        return 0;
}

int tool_input_option(const char *cmd, int c, const char *arg,
                      tool_input_args *in, kbc_pipeline_opts *opts)
{
        switch (c) {
        case 'r':
                return tool_rule_paths_add(&in->rules, arg) ? -1 : 1;
        case 'm':
                if (in->nmappings == TOOL_MAX_RULE_PATHS) {
                        fprintf(stderr, "kbcorr %s: too many --mapping\n", cmd);
                        return -1;
                }
                in->mappings[in->nmappings++] = arg;
                return 1;
        case 'u':
                return tool_parse_utc_offset(cmd, arg, &opts->local_offset_min)
                           ? -1
                           : 1;
        case 'f':
                return tool_parse_format(cmd, arg, &opts->format) ? -1 : 1;
        }
        return 0;
}

int tool_rule_paths_add(tool_rule_paths *rp, const char *path)
{
        if (rp->n == TOOL_MAX_RULE_PATHS) {
                fprintf(stderr, "kbcorr: too many --rules (at most %d)\n",
                        TOOL_MAX_RULE_PATHS);
                return -1;
        }
        rp->paths[rp->n++] = path;
        return 0;
}

kbc_ruleset *tool_load_rules(tool_rule_paths *rp)
{
        if (!rp->n) {
                const char *env = getenv("KBCORR_RULES");
                rp->paths[rp->n++] = env && *env ? env : KBC_DEFAULT_RULES_DIR;
        }
        kbc_ruleset_opts o = {.diag = tool_diag_stderr,
                              .note = tool_diag_stderr,
                              .no_bundle = rp->no_bundle};
        kbc_ruleset *rs = kbc_ruleset_load_with(rp->paths, rp->n, &o);
        if (!rs)
                fprintf(stderr, "kbcorr: the rule set was not loaded\n");
        return rs;
}

#define FILE_MAX (16 << 20) /* a KB article is a few KiB; this is not one */

/* tool_each_path's walk: fn and its argument. */
typedef struct path_walk {
        tool_path_fn *fn;
        void *opaque;
} path_walk;

static int path_found(void *opaque, const kbc_walk_entry *e)
{
        path_walk *w = opaque;
        return w->fn(w->opaque, e->path, e->st);
}

static void path_problem(void *opaque, const kbc_walk_entry *e,
                         kbc_walk_err what, int err)
{
        (void)opaque;
        fprintf(stderr, "%s: %s\n", e->path, kbc_walk_strerror(what, err));
}

int tool_each_path(const char *const *paths, size_t npaths, tool_path_fn *fn,
                   void *opaque)
{
        path_walk w = {fn, opaque};
        kbc_walk_ops ops = {path_found, path_problem, &w};
        int problems = 0;
        for (size_t i = 0; i < npaths; i++) {
                int got = kbc_walk(paths[i], &ops);
                if (got < 0)
                        return -1;
                problems += got;
        }
        return problems;
}

typedef struct whole_files {
        tool_file_fn *fn;
        void *opaque;
        int unreadable;
} whole_files;

static int read_whole(void *opaque, const char *path, const struct stat *st)
{
        whole_files *w = opaque;
        if (st->st_size > FILE_MAX) {
                fprintf(stderr, "%s: larger than %d bytes, skipped\n", path,
                        FILE_MAX);
                w->unreadable++;
                return 0;
        }
        FILE *f = fopen(path, "rb");
        char *buf = malloc((size_t)st->st_size + 1);
        size_t len = f && buf ? fread(buf, 1, (size_t)st->st_size, f) : 0;
        int rc = 0;
        if (!f || !buf || ferror(f)) {
                fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
                w->unreadable++;
        } else {
                rc = w->fn(w->opaque, path, buf, len);
        }
        if (f)
                fclose(f);
        free(buf);
        return rc;
}

int tool_each_file(const char *const *paths, size_t npaths, tool_file_fn *fn,
                   void *opaque)
{
        whole_files w = {fn, opaque, 0};
        int unreadable = tool_each_path(paths, npaths, read_whole, &w);
        return unreadable < 0 ? -1 : unreadable + w.unreadable;
}
