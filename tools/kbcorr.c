/*
 * kbcorr.c - the command-line program: dispatches to a subcommand. Each
 * subcommand lives in its own cmd_*.c and uses only the engine library.
 */
#include <stdio.h>
#include <string.h>

#include "tool.h"

static const struct {
        const char *name;
        int (*run)(int argc, char **argv);
        const char *summary;
} commands[] = {
    {"replay", cmd_replay,
     "run the engine over event files or Kafka topics, incidents on stdout"},
    {"check", cmd_check,
     "validate rules (file:line errors) and run their tests"},
    {"explain", cmd_explain,
     "show per event how it was decoded and what it matched"},
    {"compile", cmd_compile,
     "KB articles to rule files: kbcorr compile [-o DIR] KB_PATH..."},
    {"bundle", cmd_bundle,
     "compile a rule folder into DIR/rules.kbcb for fast loading"},
    {"kb", cmd_kb, "parse KB articles: kbcorr kb parse FILE... (JSON lines)"},
};

static void usage(FILE *out)
{
        fprintf(out, "usage: kbcorr COMMAND [OPTIONS] [ARGS]\n\n"
                     "Correlates Windows events with Microsoft Knowledge Base "
                     "articles.\n\ncommands:\n");
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                fprintf(out, "  %-8s %s\n", commands[i].name,
                        commands[i].summary);
        fprintf(out, "\n'kbcorr COMMAND --help' describes each command.\n"
                     "Exit codes: 0 success, 1 findings or failed checks, "
                     "2 usage or input error.\n");
}

int main(int argc, char **argv)
{
        if (argc < 2) {
                usage(stderr);
                return EXIT_USAGE;
        }
        if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
            !strcmp(argv[1], "help")) {
                usage(stdout);
                return EXIT_OK;
        }
        if (!strcmp(argv[1], "--version")) {
                printf("kbcorr %s\n", KBC_VERSION);
                return EXIT_OK;
        }
        for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
                if (!strcmp(argv[1], commands[i].name))
                        return commands[i].run(argc - 1, argv + 1);
        fprintf(stderr, "kbcorr: unknown command '%s' (try kbcorr --help)\n",
                argv[1]);
        return EXIT_USAGE;
}
