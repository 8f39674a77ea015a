/*
 * cmd_explain.c - `kbcorr explain`: for each event of a file, how it was
 * decoded, which signals it matched and which KB articles it makes
 * candidates; incidents are shown where they close. For rule authors and
 * for "why did (not) this fire?".
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "kbc_pipeline.h"
#include "kbc_time.h"
#include "tool.h"

static const char explain_usage[] =
    "usage: kbcorr explain [--rules DIR]... [--format F] [--all] FILE\n\n"
    "Shows, per event, how it was decoded, which signals matched and "
    "which\nKB articles became candidates, and each incident where it "
    "closes.\nEvents that match nothing are summarized unless --all is "
    "given. FILE (- for\nstdin) may be gzip or xz compressed; it holds "
    "lines, a msgpack stream, an\nXML document of <Event> elements or EVTX "
    "records.\n\n"
    "  --rules DIR     rule file or folder (repeatable; default "
    "$KBCORR_RULES\n                  or " KBC_DEFAULT_RULES_DIR ")\n"
    "  --utc-offset Z  zone of times logged without one (NXLog EventTime,\n"
    "                  Snare): +HH:MM east of UTC; default 0 (UTC)\n"
    "  --mapping FILE  JSON field mappings for other JSON flavours (YAML;\n"
    "                  docs/input-formats.md); repeatable\n"
    "  --format F      input format: auto (default), winlogbeat,\n"
    "                  winlogbeat6, nxlog, fluentbit, winxml, snare, mapped,\n"
    "                  powershell, loganalytics, evtxjson, wazuh, winjson\n"
    "  --all           also list events that match nothing\n"
    "  -h, --help      this help\n";

typedef struct explain_ctx {
        kbc_pipeline *pipeline;
        bool all;
        unsigned long quiet_events;
        char where[KBC_ORIGIN_STRLEN]; /* the event being read */
} explain_ctx;

static void show_incident(void *opaque, const kbc_incident *inc)
{
        explain_ctx *ctx = opaque;
        printf("%s: case closed (host's event time passed the window)\n"
               "  => incident %s on %s: %s",
               ctx->where, inc->id, inc->host,
               kbc_rule_id(inc->candidates[0].rule));
        if (inc->ntied > 1)
                printf(" (tied with %zu other%s)", inc->ntied - 1,
                       inc->ntied > 2 ? "s" : "");
        printf(", confidence %.2f; candidates:", inc->confidence);
        for (size_t i = 0; i < inc->ncandidates; i++)
                printf(" %s=%g", kbc_rule_id(inc->candidates[i].rule),
                       inc->candidates[i].score);
        printf("\n");
}

/* Which member each part came from, for the shapes read through the
 * alias table (docs/input-formats.md): "  from: time=TimeCreated ...". */
static void show_sources(const kbc_decoder *d)
{
        bool any = false;
        for (int p = 0; p < KBC_PART__COUNT; p++) {
                kbc_str from = kbc_decoder_part_source(d, (kbc_part)p);
                if (!from.len)
                        continue;
                printf("%s%s=%.*s",
                       any ? " " : "  from: ", kbc_part_name((kbc_part)p),
                       (int)from.len, from.ptr);
                any = true;
        }
        if (any)
                printf("\n");
}

static void show_event(const kbc_event *ev, kbc_format f)
{
        char t[KBC_TIME_STRLEN + 1], where[KBC_ORIGIN_STRLEN];
        kbc_time_format(ev->time_ms, t);
        kbc_origin_format(&ev->origin, where, sizeof(where));
        printf("%s: %s event: %s host=%.*s channel=%.*s provider=%.*s "
               "event_id=%u",
               where, kbc_format_name(f), t, (int)ev->host.len, ev->host.ptr,
               (int)ev->channel.len, ev->channel.ptr, (int)ev->provider.len,
               ev->provider.ptr, (unsigned)ev->event_id);
        if (ev->has_record_id)
                printf(" record_id=%llu", (unsigned long long)ev->record_id);
        printf(" level=%.*s fields=%zu\n", (int)ev->level.len, ev->level.ptr,
               ev->nfields);
}

static int explain_line(void *opaque, const char *line, size_t len,
                        const kbc_origin *origin)
{
        explain_ctx *ctx = opaque;
        const kbc_signal **hits;
        kbc_format f;
        kbc_origin_format(origin, ctx->where, sizeof(ctx->where));
        if (kbc_pipeline_feed(ctx->pipeline, line, len, origin,
                              tool_diag_stderr, NULL))
                return 0;
        const kbc_event *ev = kbc_pipeline_last_event(ctx->pipeline, &f);
        size_t n =
            kbc_engine_last_hits(kbc_pipeline_engine(ctx->pipeline), &hits);
        if (!n && !ctx->all) {
                ctx->quiet_events++;
                return 0;
        }
        show_event(ev, f);
        show_sources(kbc_pipeline_decoder(ctx->pipeline));
        if (!n) {
                printf("  no signal matched\n");
                return 0;
        }
        for (size_t i = 0; i < n; i++)
                printf("  signal %s/%s%s\n",
                       kbc_rule_id(kbc_signal_rule(hits[i])),
                       kbc_signal_id(hits[i]),
                       kbc_signal_is_symptom(hits[i]) ? " (symptom)" : "");
        size_t nsymptoms = 0;
        const kbc_rule *last = NULL;
        for (size_t i = 0; i < n; i++) {
                const kbc_rule *r = kbc_signal_rule(hits[i]);
                if (!kbc_signal_is_symptom(hits[i]) || r == last)
                        continue;
                printf(nsymptoms++ ? " %s" : "  candidates: %s",
                       kbc_rule_id(r));
                last = r;
        }
        if (nsymptoms)
                printf(" (a symptom: opens or joins the host's case)\n");
        else
                printf("  supporting evidence only: counts if a symptom "
                       "opens a case within the window\n");
        return 0;
}

int cmd_explain(int argc, char **argv)
{
        static const struct option longopts[] = {
            TOOL_INPUT_LONGOPTS,
            {"all", no_argument, NULL, 'a'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0}};
        tool_input_args in = {0};
        kbc_pipeline_opts opts = {.format = KBC_FMT_AUTO,
                                  .from_ms = KBC_TIME_NONE,
                                  .to_ms = KBC_TIME_NONE,
                                  .engine = KBC_ENGINE_OPTS_DEFAULT};
        explain_ctx ctx = {0};
        int c, rc = EXIT_USAGE;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                int taken = tool_input_option("explain", c, optarg, &in, &opts);
                if (taken < 0)
                        return EXIT_USAGE;
                if (taken)
                        continue;
                switch (c) {
                case 'a':
                        ctx.all = true;
                        break;
                case 'h':
                        fputs(explain_usage, stdout);
                        return EXIT_OK;
                default:
                        fputs(explain_usage, stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind != argc - 1) {
                fprintf(stderr, "kbcorr explain: expected one FILE (- for "
                                "stdin)\n");
                return EXIT_USAGE;
        }
        kbc_ruleset *rs = tool_load_rules(&in.rules);
        if (!rs)
                return EXIT_USAGE;
        ctx.pipeline = kbc_pipeline_new(rs, &opts, show_incident, &ctx);
        if (ctx.pipeline && !tool_load_mappings(ctx.pipeline, &in)) {
                rc = tool_read_lines(argv[optind], explain_line, &ctx)
                         ? EXIT_USAGE
                         : EXIT_OK;
                snprintf(ctx.where, sizeof(ctx.where), "end of input");
                kbc_pipeline_flush(ctx.pipeline);
                if (ctx.quiet_events)
                        printf("%lu event(s) matched no signal (--all lists "
                               "them)\n",
                               ctx.quiet_events);
        }
        kbc_pipeline_free(ctx.pipeline);
        kbc_ruleset_free(rs);
        return rc;
}
