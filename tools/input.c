/*
 * input.c - helpers shared by the subcommands: rule loading with
 * diagnostics, and reading input files line by line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

void tool_diag_stderr(void *opaque, const char *msg)
{
        (void)opaque;
        fprintf(stderr, "%s\n", msg);
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
        kbc_ruleset *rs =
            kbc_ruleset_load(rp->paths, rp->n, tool_diag_stderr, NULL);
        if (!rs)
                fprintf(stderr, "kbcorr: the rule set was not loaded\n");
        return rs;
}

int tool_read_lines(const char *path, tool_line_fn *fn, void *opaque)
{
        bool is_stdin = !strcmp(path, "-");
        FILE *f = is_stdin ? stdin : fopen(path, "r");
        if (!f) {
                fprintf(stderr, "kbcorr: %s: %s\n", path, strerror(errno));
                return -1;
        }
        kbc_origin origin = {KBC_ORIGIN_FILE, is_stdin ? "<stdin>" : path, 0,
                             0};
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        int rc = 0;
        while ((n = getline(&line, &cap, f)) >= 0) {
                origin.position++;
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                        n--;
                if (n == 0)
                        continue; /* blank lines are not events */
                if (fn(opaque, line, (size_t)n, &origin)) {
                        rc = -1;
                        break;
                }
        }
        if (!rc && ferror(f)) {
                fprintf(stderr, "kbcorr: %s: read error: %s\n", path,
                        strerror(errno));
                rc = -1;
        }
        free(line);
        if (!is_stdin)
                fclose(f);
        return rc;
}
