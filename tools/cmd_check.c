/*
 * cmd_check.c - `kbcorr check`: load a rule set (every problem reported as
 * file:line) and run every rule's embedded tests against the whole set, so
 * a rule that takes another article's symptom fails that article's test.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "kbc_engine.h"
#include "rule_internal.h"
#include "tool.h"

static const char check_usage[] =
    "usage: kbcorr check [--rules DIR]... [-q]\n\n"
    "Validates rule files and runs the tests embedded in them. Problems "
    "are\nprinted as FILE:LINE: what is wrong. Exit code 0 when every "
    "rule loads\nand every test passes, 1 otherwise, 2 on usage "
    "errors.\n\n"
    "  --rules DIR     rule file or folder (repeatable; default "
    "$KBCORR_RULES\n                  or " KBC_DEFAULT_RULES_DIR ")\n"
    "  -q, --quiet     print failures and the summary only\n"
    "  -h, --help      this help\n";

#define MAX_TEST_INCIDENTS  16
#define MAX_TEST_CANDIDATES 32

typedef struct test_outcome {
        size_t nincidents;
        size_t ntied;           /* of the first incident */
        const kbc_rule *winner; /* of the first incident */
        const kbc_rule *candidates[MAX_TEST_CANDIDATES];
        size_t ncandidates;
} test_outcome;

static void collect(void *opaque, const kbc_incident *inc)
{
        test_outcome *o = opaque;
        if (o->nincidents++)
                return;
        o->winner = inc->candidates[0].rule;
        o->ntied = inc->ntied;
        for (size_t i = 0; i < inc->ncandidates && i < MAX_TEST_CANDIDATES; i++)
                o->candidates[o->ncandidates++] = inc->candidates[i].rule;
}

static void format_candidates(const test_outcome *o, char *buf, size_t size)
{
        size_t len = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < o->ncandidates && len < size; i++)
                len += (size_t)snprintf(buf + len, size - len, "%s%s",
                                        i ? ", " : "", o->candidates[i]->id);
}

static bool candidates_equal(const test_outcome *o, const kbc_test_expect *x)
{
        if (o->ncandidates != x->ncandidates)
                return false;
        for (size_t i = 0; i < x->ncandidates; i++)
                if (strcmp(o->candidates[i]->id, x->candidates[i]))
                        return false;
        return true;
}

/* The winner, or a candidate tied with it: articles that share a symptom
 * cannot be told apart by it, and that is the right answer. */
static bool among_top(const test_outcome *o, const char *kb)
{
        for (size_t i = 0; i < o->ntied && i < o->ncandidates; i++)
                if (!strcmp(o->candidates[i]->id, kb))
                        return true;
        return false;
}

/* Runs one test; prints why it failed. Returns true when it passed. */
static bool run_test(const kbc_ruleset *rs, const kbc_rule *rule,
                     const kbc_rule_test *t)
{
        test_outcome o = {0};
        char got[1024];
        kbc_engine *e = kbc_engine_new(rs, NULL, collect, &o);
        if (!e)
                return false;
        for (size_t i = 0; i < t->nevents; i++)
                kbc_engine_feed(e, &t->events[i]);
        kbc_engine_flush(e);
        kbc_engine_free(e);

        const kbc_test_expect *x = &t->expect;
        const char *name = t->name ? t->name : "(unnamed)";
        format_candidates(&o, got, sizeof(got));
        if (x->incidents >= 0 && o.nincidents != (size_t)x->incidents) {
                printf("%s:%d: %s: test '%s': expected %ld incident(s), got "
                       "%zu%s%s%s\n",
                       rule->file, t->line, rule->id, name, x->incidents,
                       o.nincidents, o.nincidents ? " (candidates: " : "", got,
                       o.nincidents ? ")" : "");
                return false;
        }
        if ((x->kb || x->top || x->candidates) && !o.nincidents) {
                printf("%s:%d: %s: test '%s': expected an incident, got "
                       "none\n",
                       rule->file, t->line, rule->id, name);
                return false;
        }
        if (x->kb && strcmp(o.winner->id, x->kb)) {
                printf("%s:%d: %s: test '%s': expected %s to win, got %s "
                       "(candidates: %s)\n",
                       rule->file, t->line, rule->id, name, x->kb, o.winner->id,
                       got);
                return false;
        }
        if (x->top && !among_top(&o, x->top)) {
                printf("%s:%d: %s: test '%s': expected %s among the top "
                       "candidates, got %s (candidates: %s)\n",
                       rule->file, t->line, rule->id, name, x->top,
                       o.winner->id, got);
                return false;
        }
        if (x->candidates && !candidates_equal(&o, x)) {
                printf("%s:%d: %s: test '%s': candidates differ: got [%s]\n",
                       rule->file, t->line, rule->id, name, got);
                return false;
        }
        return true;
}

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
        kbc_ruleset *rs = tool_load_rules(&rules);
        if (!rs)
                return EXIT_FINDINGS;

        size_t passed = 0, failed = 0, nrules = kbc_ruleset_count(rs);
        for (size_t r = 0; r < nrules; r++) {
                const kbc_rule *rule = kbc_ruleset_rule(rs, r);
                for (size_t i = 0; i < rule->ntests; i++) {
                        if (run_test(rs, rule, &rule->tests[i])) {
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
        printf("%zu rules, %zu tests: %zu passed, %zu failed\n", nrules,
               passed + failed, passed, failed);
        kbc_ruleset_free(rs);
        return failed ? EXIT_FINDINGS : EXIT_OK;
}
