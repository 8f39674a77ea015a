/*
 * rule_test.c - runs one test embedded in a rule file against a whole rule
 * set: `kbcorr check` reports every failure, `kbcorr compile` drops the
 * articles whose own test can never name them.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kbc_engine.h"
#include "rule_internal.h"
#include "tool.h"

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

/* Prints why a test failed, unless the caller only wants the verdict. */
static void __attribute__((format(printf, 2, 3)))
say(FILE *report, const char *fmt, ...)
{
        va_list ap;
        if (!report)
                return;
        va_start(ap, fmt);
        vfprintf(report, fmt, ap);
        va_end(ap);
}

bool tool_rule_test(const kbc_ruleset *rs, const kbc_rule *rule,
                    const kbc_rule_test *t, FILE *report)
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
                say(report,
                    "%s:%d: %s: test '%s': expected %ld incident(s), got "
                    "%zu%s%s%s\n",
                    rule->file, t->line, rule->id, name, x->incidents,
                    o.nincidents, o.nincidents ? " (candidates: " : "", got,
                    o.nincidents ? ")" : "");
                return false;
        }
        if ((x->kb || x->top || x->candidates) && !o.nincidents) {
                say(report,
                    "%s:%d: %s: test '%s': expected an incident, got "
                    "none\n",
                    rule->file, t->line, rule->id, name);
                return false;
        }
        if (x->kb && strcmp(o.winner->id, x->kb)) {
                say(report,
                    "%s:%d: %s: test '%s': expected %s to win, got %s "
                    "(candidates: %s)\n",
                    rule->file, t->line, rule->id, name, x->kb, o.winner->id,
                    got);
                return false;
        }
        if (x->top && !among_top(&o, x->top)) {
                say(report,
                    "%s:%d: %s: test '%s': expected %s among the top "
                    "candidates, got %s (candidates: %s)\n",
                    rule->file, t->line, rule->id, name, x->top, o.winner->id,
                    got);
                return false;
        }
        if (x->candidates && !candidates_equal(&o, x)) {
                say(report,
                    "%s:%d: %s: test '%s': candidates differ: got [%s]\n",
                    rule->file, t->line, rule->id, name, got);
                return false;
        }
        return true;
}
