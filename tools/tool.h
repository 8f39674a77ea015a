/*
 * tool.h - what the `kbcorr` subcommands share: exit codes, rule loading
 * with diagnostics on stderr, and reading inputs message by message.
 */
#ifndef KBC_TOOL_H
#define KBC_TOOL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>

#include "kbc_decode.h"
#include "kbc_pipeline.h"
#include "kbc_event.h"
#include "kbc_rules.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2 };

#define TOOL_MAX_RULE_PATHS 64

typedef struct tool_rule_paths {
        const char *paths[TOOL_MAX_RULE_PATHS];
        size_t n;
        bool no_bundle; /* read the YAML even where a fresh bundle is */
} tool_rule_paths;

/* Adds a --rules argument; returns -1 (after printing why) when full. */
int tool_rule_paths_add(tool_rule_paths *rp, const char *path);
/* Loads the rule set (the default folder when none was given), printing
 * every problem as "file:line: ..." on stderr, and a note for a bundle
 * left unused. NULL on failure. */
kbc_ruleset *tool_load_rules(tool_rule_paths *rp);

void tool_diag_stderr(void *opaque, const char *msg);

/* --utc-offset: "+05:30", "-0500", "+2" or "0" to minutes east of UTC;
 * prints the error itself. 0 or -1. */
int tool_parse_utc_offset(const char *cmd, const char *arg, int *minutes);

/* A duration option (opt) of command cmd: "0" or what kbc_duration_parse
 * takes ("90s", "5m", "1h"); prints the error itself. 0 or -1. */
int tool_parse_duration(const char *cmd, const char *opt, const char *arg,
                        int64_t *out);

/* --format NAME for command cmd; prints the error itself. 0 or -1. */
int tool_parse_format(const char *cmd, const char *name, kbc_format *out);

/* Calls fn for each message of path ("-" = stdin): a line without its
 * line end, an <Event> element of an XML document, an object of a msgpack
 * stream or a record of an EVTX file; origin is "path:line" (for an
 * element, its first line), "path#object N" or "path#record N". As
 * tool_read_input below, with problems on stderr. */
typedef int tool_line_fn(void *opaque, const char *line, size_t len,
                         const kbc_origin *origin);
int tool_read_lines(const char *path, tool_line_fn *fn, void *opaque);

/* Reading inputs for replay: every message (line, XML element, msgpack
 * object or EVTX record) goes to fn, every problem, one line naming the
 * file (and line or object where known), to diag (NULL: stderr). Inputs
 * may be gzip or xz compressed (told by their magic bytes). bytes and total
 * count raw input bytes read so far and in all (0: not known, a pipe among the
 * inputs), for a progress bar. */
typedef struct tool_reader {
        tool_line_fn *fn;
        kbc_diag_fn *diag;
        void *opaque;           /* for fn and diag */
        _Atomic uint64_t bytes; /* read on a threaded pipeline's thread */
        uint64_t total;
} tool_reader;

/* One input: a file, "-" for stdin, plain or compressed, lines, XML,
 * msgpack or EVTX. 0, or -1 when it could not be read to its end
 * (reported) or fn asked to stop; the messages read before a problem are
 * fed. */
int tool_read_input(const char *path, tool_reader *r);

/* Each input of args in turn: files, "-", and folders searched
 * recursively (sorted by path, hidden entries skipped). Sets r->total
 * first. Returns how many inputs could not be read to their end. */
int tool_read_inputs(char *const *args, size_t nargs, tool_reader *r);

/* Calls fn with each file under paths (files, or folders searched
 * recursively; hidden entries skipped; sorted by path) and its stat. A
 * path that cannot be read is reported on stderr and skipped. Returns how
 * many could not be read, or -1 when fn returned non-zero. */
typedef int tool_path_fn(void *opaque, const char *path, const struct stat *st);
int tool_each_path(const char *const *paths, size_t npaths, tool_path_fn *fn,
                   void *opaque);

/* Calls fn with the whole content of each file tool_each_path finds. A
 * file that cannot be read is reported on stderr and skipped. Returns how
 * many could not be read, or -1 when fn returned non-zero. */
typedef int tool_file_fn(void *opaque, const char *path, const char *buf,
                         size_t len);
int tool_each_file(const char *const *paths, size_t npaths, tool_file_fn *fn,
                   void *opaque);

/* The input options replay and explain share. */
typedef struct tool_input_args {
        tool_rule_paths rules;
        const char *mappings[TOOL_MAX_RULE_PATHS];
        size_t nmappings;
} tool_input_args;

/* clang-format off */
#define TOOL_INPUT_LONGOPTS                                     \
        {"rules", required_argument, NULL, 'r'},                \
        {"format", required_argument, NULL, 'f'},               \
        {"utc-offset", required_argument, NULL, 'u'},           \
        {"mapping", required_argument, NULL, 'm'}
/* clang-format on */

/* Takes option c (from TOOL_INPUT_LONGOPTS) of command cmd into in and
 * opts. Returns 1 when it was one of them, 0 when not, -1 when its value
 * is wrong (reported). */
int tool_input_option(const char *cmd, int c, const char *arg,
                      tool_input_args *in, kbc_pipeline_opts *opts);

/* Registers the JSON mappings of each --mapping file on the pipeline's
 * decoder; problems are printed as file:line. 0, or -1. */
int tool_load_mappings(kbc_pipeline *p, const tool_input_args *in);

/* Runs one test embedded in rule against the whole set rs; true when it
 * passed, else prints why as FILE:LINE: ... to report (NULL: silent). */
bool tool_rule_test(const kbc_ruleset *rs, const kbc_rule *rule,
                    const kbc_rule_test *t, FILE *report);

int cmd_replay(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_kb(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_bundle(int argc, char **argv);

/* For each path whose bundle loading would leave unused (stale,
 * damaged), a note on stderr saying why (cmd_bundle.c). */
void tool_note_bundles(const tool_rule_paths *rp);

#endif
