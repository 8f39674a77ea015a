/*
 * cmd_check.c - `kbcorr check`: load a rule set (every problem reported as
 * file:line) and run every rule's embedded tests against the whole set, so
 * a rule that takes another article's symptom fails that article's test.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "rule_internal.h"
#include "tool.h"

static const char check_usage[] =
    "usage: kbcorr check [--rules DIR]... [-q]\n\n"
    "Validates rule files and runs the tests embedded in them. Problems "
    "are\nprinted as FILE:LINE: what is wrong. Exit code 0 when every "
    "rule loads\nand every test passes, 1 otherwise, 2 on usage "
    "errors. The YAML is\nchecked, never a bundle (rules.kbcb) in its "
    "folder; one that is stale\nor damaged is noted on stderr.\n\n"
    "  --rules DIR     rule file or folder (repeatable; default "
    "$KBCORR_RULES\n                  or " KBC_DEFAULT_RULES_DIR ")\n"
    "  -q, --quiet     print failures and the summary only\n"
    "  -h, --help      this help\n";

int cmd_check(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"rules", required_argument, NULL, 'r'},
            {"quiet", no_argument, NULL, 'q'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0}};
        tool_rule_paths rules = {0};
        bool quiet = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
                switch (c) {
                case 'r':
                        if (tool_rule_paths_add(&rules, optarg))
                                return EXIT_USAGE;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        fputs(check_usage, stdout);
                        return EXIT_OK;
                default:
                        fputs(check_usage, stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "kbcorr check: unexpected argument '%s'\n",
                        argv[optind]);
                return EXIT_USAGE;
        }
        /* What is checked is the source: the YAML. */
        rules.no_bundle = true;
        kbc_ruleset *rs = tool_load_rules(&rules);
        if (!rs)
                return EXIT_FINDINGS;
        tool_note_bundles(&rules);

        size_t passed = 0, failed = 0, nrules = kbc_ruleset_count(rs);
        for (size_t r = 0; r < nrules; r++) {
                const kbc_rule *rule = kbc_ruleset_rule(rs, r);
                for (size_t i = 0; i < rule->ntests; i++) {
                        if (tool_rule_test(rs, rule, &rule->tests[i], stdout)) {
                                passed++;
                                if (!quiet)
                                        printf("ok   %s: %s\n", rule->id,
                                               rule->tests[i].name
                                                   ? rule->tests[i].name
                                                   : "(unnamed)");
                        } else {
                                failed++;
                        }
                }
        }
        printf("%zu rules, %zu tests: %zu passed, %zu failed", nrules,
               passed + failed, passed, failed);
        if (kbc_ruleset_overridden(rs))
                printf(" (%zu rules replaced by a later --rules path)",
                       kbc_ruleset_overridden(rs));
        size_t everywhere = kbc_ruleset_unfiltered(rs);
        if (everywhere)
                printf("; %zu pattern(s) run on every event", everywhere);
        putchar('\n');
        kbc_ruleset_free(rs);
        return failed ? EXIT_FINDINGS : EXIT_OK;
}
