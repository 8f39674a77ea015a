/*
 * cmd_replay.c - `kbcorr replay`: the engine over files or a time range of
 * Kafka topics (replay_kafka.c), incidents on stdout in the format asked
 * for (ECS JSON lines by default). It
 * drives the same pipeline as the daemon.
 */
#include <getopt.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "kbc_cores.h"
#include "kbc_incident_format.h"
#include "kbc_pipeline.h"
#include "kbc_time.h"
#include "progress.h"
#include "replay_kafka.h"
#include "report.h"
#include "tool.h"

static const char replay_usage[] =
    "usage: kbcorr replay [--rules DIR]... [--from T] [--to T] "
    "[--host GLOB]...\n"
    "                     [--kb ID]... [--format F] [--output-format O] "
    "INPUT...\n"
    "       kbcorr replay [OPTIONS] --kafka BROKERS --topic NAME... "
    "[--partition N]...\n"
    "                     [-X PROP=VALUE]... [--ts-slack D]\n\n"
    "Runs the correlation engine over event files, or over Kafka topics, and\n"
    "prints incidents on stdout (ECS JSON lines unless --output-format says\n"
    "otherwise). An INPUT is a file, a folder (searched recursively in path\n"
    "order, hidden entries skipped) or - for stdin; each may be gzip or xz\n"
    "compressed (told by its content, not its name) and hold lines of any\n"
    "input format, a Fluent Bit msgpack stream, a Windows event XML document\n"
    "(<Event> elements, wevtutil /f:xml) or be an EVTX file. Records that\n"
    "cannot be decoded are reported on stderr as FILE:LINE (or\n"
    "topic/partition@offset): reason, counted, and skipped; a file that\n"
    "cannot be read to its end is reported, the others still replayed, and\n"
    "the exit code is 2. On a terminal, stderr shows a progress bar.\n\n"
    "  --rules DIR     rule file or folder (repeatable; default "
    "$KBCORR_RULES\n                  or " KBC_DEFAULT_RULES_DIR ")\n"
    "  --utc-offset Z  zone of times logged without one (NXLog EventTime,\n"
    "                  Snare): +HH:MM east of UTC; default 0 (UTC)\n"
    "  --mapping FILE  JSON field mappings for other JSON flavours (YAML;\n"
    "                  docs/input-formats.md); repeatable\n"
    "  --format F      input format: auto (default), winlogbeat,\n"
    "                  winlogbeat6, nxlog, fluentbit, winxml, snare, mapped,\n"
    "                  powershell, loganalytics, evtxjson, wazuh, winjson\n"
    "  --output-format O  how incidents are written "
    "(docs/incident-schema.md):\n"
    "                  ecs (JSON lines, the default), ocsf (OCSF 1.8.0\n"
    "                  Detection Finding, JSON lines), cef (ArcSight CEF\n"
    "                  lines) or msgpack (one map per incident, no newlines)\n"
    "  --from T        skip events before T (ISO 8601, UTC if no zone)\n"
    "  --to T          skip events at or after T\n"
    "  --host GLOB     only hosts matching GLOB (fnmatch, any case), e.g.\n"
    "                  'mail-*'; other hosts' events are skipped before\n"
    "                  correlation (repeatable)\n"
    "  --kb ID         only incidents whose winning KB is ID: Q247773,\n"
    "                  KB247773 or 247773 (repeatable)\n"
    "  --lateness D    allowed out-of-order lateness (default 1m)\n"
    "  --suppress D    a host's repeat of an incident within D updates it\n"
    "                  (same id, higher count) instead of raising another\n"
    "                  (default 1h; 0 = never)\n"
    "  --open          also print each case's open states, as kbcorrd sends\n"
    "                  them: when it opens and when its winner or candidates\n"
    "                  change (same id, higher event.sequence)\n"
    "  --report FILE   also write an HTML report for a postmortem to FILE\n"
    "                  (docs/report.md)\n"
    "  --stats         print counters, records decoded by shape and rejected\n"
    "                  by reason, and the top rules by matched events\n"
    "  --max-reject P  if more than P percent of the records cannot be\n"
    "                  decoded, say so and exit 2 at the end (default 1)\n"
    "                  on stderr at the end\n"
    "  -h, --help      this help\n\n"
    "Kafka (docs/replay.md): each partition is read, into an engine of its "
    "own as\nin kbcorrd, from the first offset that may hold an event at "
    "--from to the\nlast that may hold one before --to (or the high "
    "watermark at the start), then\nkbcorr exits. No consumer group is "
    "joined and nothing is committed.\n"
    "  --kafka BROKERS bootstrap servers (host:port,...)\n"
    "  --topic NAME    topic to read (repeatable)\n"
    "  --partition N   only partition N of each topic (repeatable; default "
    "all)\n"
    "  -X PROP=VALUE   librdkafka property (repeatable): TLS, SASL, "
    "timeouts\n"
    "  --ts-slack D    how far message timestamps may stray from event "
    "times and\n                  from their order (default 1h): the "
    "search starts 2D before\n                  --from and ends 2D after "
    "--to\n"
    "  --stats         prints, per partition, the offsets read and how "
    "they were\n                  found (time index or bisection), then "
    "its counters\n";

typedef struct replay_ctx {
        const kbc_ruleset *rs;
        const kbc_pipeline_opts *opts;
        const tool_input_args *in;
        bool stats;
        bool print_open; /* --open; the report takes open states anyway */
        kbc_pipeline *pipeline;   /* of the files, or of one partition */
        kbc_pipeline_stats total; /* of every input so far */
        double max_reject_pct;
        replay_slack slack;        /* of the Kafka partition being read */
        kbc_out_format out_format; /* --output-format */
        kbc_buf out, scratch;
        report *report; /* NULL without --report */
        tool_filters filters;
        tool_progress *progress;
        tool_reader reader;
} replay_ctx;

static void print_incident(void *opaque, const kbc_incident *inc)
{
        replay_ctx *ctx = opaque;
        if (!tool_filter_kb(&ctx->filters,
                            kbc_rule_id(inc->candidates[0].rule)))
                return;
        report_add_incident(ctx->report, inc);
        if (inc->open && !ctx->print_open)
                return;
        tool_progress_make_way(ctx->progress, stdout);
        kbc_buf_reset(&ctx->out);
        if (kbc_incident_format(inc, ctx->out_format, &ctx->scratch,
                                &ctx->out)) {
                fprintf(stderr, "kbcorr: incident %s too large to print\n",
                        inc->id);
                return;
        }
        if (kbc_out_format_is_line(ctx->out_format))
                kbc_buf_putc(&ctx->out, '\n');
        fwrite(ctx->out.data, 1, ctx->out.len, stdout);
}

static void replay_diag(void *opaque, const char *msg)
{
        replay_ctx *ctx = opaque;
        tool_progress_make_way(ctx->progress, stderr);
        tool_diag_stderr(NULL, msg);
}

/* The engine's notices (an eviction), which quote host names as logged:
 * control bytes are shown as \xHH, so that a forged name can neither
 * drive the terminal nor start a line of its own. */
static void replay_notice(void *opaque, const char *msg)
{
        replay_ctx *ctx = opaque;
        tool_progress_make_way(ctx->progress, stderr);
        fputs("kbcorr replay: ", stderr);
        for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        fprintf(stderr, "\\x%02x", *p);
                else
                        putc(*p, stderr);
        putc('\n', stderr);
}

static bool keep_host(void *opaque, const kbc_event *ev)
{
        const replay_ctx *ctx = opaque;
        return tool_filter_host(&ctx->filters, ev->host);
}

/* Each message once decoded, in the order read (kbc_pipeline_opts). */
static void on_settled(void *opaque, const kbc_origin *origin, int64_t time_ms,
                       const kbc_event *kept)
{
        replay_ctx *ctx = opaque;
        tool_progress_event(
            ctx->progress, time_ms,
            atomic_load_explicit(&ctx->reader.bytes, memory_order_relaxed),
            ctx->reader.total);
        if (kept)
                report_note_time(ctx->report, time_ms);
        replay_slack_note(&ctx->slack, origin, time_ms);
}

static int feed_line(void *opaque, const char *line, size_t len,
                     const kbc_origin *origin)
{
        replay_ctx *ctx = opaque;
        kbc_pipeline_feed(ctx->pipeline, line, len, origin, replay_diag, ctx);
        return 0; /* a bad record is reported and skipped, never fatal */
}

#define TOP_RULES 10

/* The rule's signal with the most hits: what to look at first. */
static const kbc_signal *noisiest_signal(const kbc_engine *e, const kbc_rule *r)
{
        const kbc_signal *best = kbc_rule_signal(r, 0);
        for (size_t i = 1; i < kbc_rule_signal_count(r); i++)
                if (kbc_engine_signal_hits(e, kbc_rule_signal(r, i)) >
                    kbc_engine_signal_hits(e, best))
                        best = kbc_rule_signal(r, i);
        return best;
}

/* The rules that matched the most events, with their rate per 100,000
 * events and their noisiest signal, so a noisy rule is easy to find. */
static void print_top_rules(const kbc_engine *e, const kbc_ruleset *rs,
                            uint64_t events)
{
        const kbc_rule *top[TOP_RULES] = {0};
        for (size_t i = 0; i < kbc_ruleset_count(rs); i++) {
                const kbc_rule *r = kbc_ruleset_rule(rs, i);
                uint64_t n = kbc_engine_rule_events(e, r);
                size_t k = TOP_RULES;
                while (
                    k > 0 && n &&
                    (!top[k - 1] || n > kbc_engine_rule_events(e, top[k - 1])))
                        k--;
                if (k == TOP_RULES)
                        continue;
                memmove(top + k + 1, top + k,
                        (TOP_RULES - k - 1) * sizeof(*top));
                top[k] = r;
        }
        if (!top[0])
                return;
        fprintf(stderr, "top rules by matched events (per 100k events):\n");
        for (size_t k = 0; k < TOP_RULES && top[k]; k++) {
                uint64_t n = kbc_engine_rule_events(e, top[k]);
                const kbc_signal *s = noisiest_signal(e, top[k]);
                fprintf(
                    stderr,
                    "  %-10s %8llu events (%.0f), %llu incidents; "
                    "noisiest signal %s: %llu hits\n",
                    kbc_rule_id(top[k]), (unsigned long long)n,
                    events ? n * 100000.0 / events : 0.0,
                    (unsigned long long)kbc_engine_rule_incidents(e, top[k]),
                    kbc_signal_id(s),
                    (unsigned long long)kbc_engine_signal_hits(e, s));
        }
}

static int more_rejects(const void *a, const void *b)
{
        const kbc_reject_count *x = a, *y = b;
        return x->n < y->n   ? 1
               : x->n > y->n ? -1
                             : strcmp(x->reason, y->reason);
}

/* What the decoders made of the records: decoded by shape, rejected
 * by reason (docs/input-formats.md), most first. */
static void print_coverage(const kbc_pipeline_stats *s)
{
        fprintf(stderr, "decoded by shape:");
        for (int f = 0; f < KBC_FMT__COUNT; f++)
                if (s->by_format[f])
                        fprintf(stderr, " %s %llu", kbc_format_name(f),
                                (unsigned long long)s->by_format[f]);
        fprintf(stderr, "%s\n", s->decode_errors ? "" : "; none rejected");
        if (!s->decode_errors)
                return;
        kbc_reject_count by_n[KBC_REJECT_REASONS];
        memcpy(by_n, s->rejects, s->nrejects * sizeof(*by_n));
        qsort(by_n, s->nrejects, sizeof(*by_n), more_rejects);
        fprintf(stderr, "rejected by reason (%llu, %.2f%%):\n",
                (unsigned long long)s->decode_errors,
                s->decode_errors * 100.0 / s->messages);
        for (size_t i = 0; i < s->nrejects; i++)
                fprintf(stderr, "  %10llu  %s\n", (unsigned long long)by_n[i].n,
                        by_n[i].reason);
        if (s->rejects_other)
                fprintf(stderr, "  %10llu  other reasons\n",
                        (unsigned long long)s->rejects_other);
}

static void print_stats(const kbc_pipeline *p, const kbc_ruleset *rs)
{
        kbc_pipeline_stats s;
        kbc_pipeline_stats_get(p, &s);
        fprintf(stderr,
                "messages %llu, decode errors %llu, filtered %llu, "
                "matched events %llu, signal hits %llu, incidents %llu "
                "(%llu repeats folded), unresolved cases %llu, late %llu, "
                "evicted hosts %llu at the host cap, %llu for memory\n",
                (unsigned long long)s.messages,
                (unsigned long long)s.decode_errors,
                (unsigned long long)s.filtered,
                (unsigned long long)s.engine.matched_events,
                (unsigned long long)s.engine.signal_hits,
                (unsigned long long)s.engine.incidents,
                (unsigned long long)s.engine.suppressed,
                (unsigned long long)s.engine.unresolved,
                (unsigned long long)s.engine.late_events,
                (unsigned long long)s.engine.evicted_hosts,
                (unsigned long long)s.engine.evicted_for_memory);
        fprintf(stderr, "incidents per 100k events: %.2f\n",
                s.engine.events
                    ? s.engine.incidents * 100000.0 / s.engine.events
                    : 0.0);
        print_coverage(&s);
        print_top_rules(kbc_pipeline_engine(p), rs, s.engine.events);
}

/* --max-reject: a replay that threw most records away must not look like
 * a quiet one. Returns true when the share was passed (said on
 * stderr). */
static bool too_many_rejects(const replay_ctx *ctx)
{
        const kbc_pipeline_stats *t = &ctx->total;
        if (!t->messages ||
            t->decode_errors * 100.0 <= ctx->max_reject_pct * t->messages)
                return false;
        fprintf(stderr,
                "kbcorr replay: %llu of %llu records (%.2f%%) could not be "
                "decoded, more than --max-reject %g%%; --stats shows them by "
                "reason\n",
                (unsigned long long)t->decode_errors,
                (unsigned long long)t->messages,
                t->decode_errors * 100.0 / t->messages, ctx->max_reject_pct);
        return true;
}

/* A pipeline of its own for the next input: the files, or one partition. */
static int input_begin(void *opaque)
{
        replay_ctx *ctx = opaque;
        ctx->pipeline =
            kbc_pipeline_new(ctx->rs, ctx->opts, print_incident, ctx);
        if (ctx->pipeline && !tool_load_mappings(ctx->pipeline, ctx->in))
                return 0;
        kbc_pipeline_free(ctx->pipeline);
        ctx->pipeline = NULL;
        return -1;
}

/* The end of that input: its open cases close, as at the end of any
 * replay. */
static void input_end(void *opaque)
{
        replay_ctx *ctx = opaque;
        kbc_pipeline_flush(ctx->pipeline);
        report_add_counts(ctx->report, ctx->pipeline);
        kbc_pipeline_stats s;
        kbc_pipeline_stats_get(ctx->pipeline, &s);
        kbc_pipeline_stats_add(&ctx->total, &s);
        if (ctx->stats) {
                tool_progress_make_way(ctx->progress, stderr);
                print_stats(ctx->pipeline, ctx->rs);
        }
        kbc_pipeline_free(ctx->pipeline);
        ctx->pipeline = NULL;
}

static int replay_files(replay_ctx *ctx, int n, char **paths)
{
        if (input_begin(ctx))
                return EXIT_USAGE;
        ctx->reader = (tool_reader){feed_line, replay_diag, ctx, 0, 0};
        int rc = tool_read_inputs(paths, (size_t)n, &ctx->reader) ? EXIT_USAGE
                                                                  : EXIT_OK;
        input_end(ctx);
        return rc;
}

static int parse_percent(const char *arg, double *out)
{
        char *end;
        double v = strtod(arg, &end);
        if (end != arg && *end == '%')
                end++;
        if (end == arg || *end || !(v >= 0 && v <= 100)) {
                fprintf(stderr,
                        "kbcorr replay: --max-reject: not a percentage "
                        "0..100: '%s'\n",
                        arg);
                return -1;
        }
        *out = v;
        return 0;
}

static int parse_time_arg(const char *opt, const char *arg, int64_t *out)
{
        if (kbc_time_parse_iso(kbc_str_cstr(arg), 0, out) == 0)
                return 0;
        fprintf(stderr, "kbcorr replay: %s: not an ISO 8601 time: '%s'\n", opt,
                arg);
        return -1;
}

int cmd_replay(int argc, char **argv)
{
        static const struct option longopts[] = {
            TOOL_INPUT_LONGOPTS,
            REPLAY_KAFKA_LONGOPTS,
            {"from", required_argument, NULL, 'F'},
            {"to", required_argument, NULL, 'T'},
            {"lateness", required_argument, NULL, 'l'},
            {"suppress", required_argument, NULL, 'S'},
            {"stats", no_argument, NULL, 's'},
            {"report", required_argument, NULL, 'R'},
            {"host", required_argument, NULL, 'H'},
            {"kb", required_argument, NULL, 'K'},
            {"max-reject", required_argument, NULL, 'M'},
            {"open", no_argument, NULL, 'O'},
            {"output-format", required_argument, NULL, 'o'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0}};
        tool_input_args in = {0};
        replay_ctx ctx = {.max_reject_pct = 1.0};
        kbc_pipeline_opts opts = {.format = KBC_FMT_AUTO,
                                  .from_ms = KBC_TIME_NONE,
                                  .to_ms = KBC_TIME_NONE,
                                  .engine = KBC_ENGINE_OPTS_DEFAULT,
                                  .keep = keep_host,
                                  .keep_opaque = &ctx,
                                  .settled = on_settled,
                                  .settled_opaque = &ctx,
                                  /* decoding and correlating overlap */
                                  .threaded = kbc_cores() > 1};
        opts.engine.notice = replay_notice;
        opts.engine.notice_opaque = &ctx;
        replay_kafka_args kafka = {.slack_ms = REPLAY_KAFKA_SLACK_DEFAULT_MS};
        bool stats = false;
        const char *report_path = NULL;
        int c, rc = EXIT_USAGE;

        optind = 1;
        while ((c = getopt_long(argc, argv, "hX:", longopts, NULL)) != -1) {
                int taken = tool_input_option("replay", c, optarg, &in, &opts);
                if (!taken)
                        taken = replay_kafka_option(c, optarg, &kafka);
                if (taken < 0)
                        return EXIT_USAGE;
                if (taken)
                        continue;
                switch (c) {
                case 'F':
                        if (parse_time_arg("--from", optarg, &opts.from_ms))
                                return EXIT_USAGE;
                        break;
                case 'T':
                        if (parse_time_arg("--to", optarg, &opts.to_ms))
                                return EXIT_USAGE;
                        break;
                case 'l':
                        if (tool_parse_duration("replay", "--lateness", optarg,
                                                &opts.engine.lateness_ms))
                                return EXIT_USAGE;
                        break;
                case 'S':
                        if (tool_parse_duration("replay", "--suppress", optarg,
                                                &opts.engine.suppress_ms))
                                return EXIT_USAGE;
                        break;
                case 's':
                        stats = true;
                        break;
                case 'R':
                        report_path = optarg;
                        break;
                case 'H':
                        if (tool_filter_add_host(&ctx.filters, optarg))
                                return EXIT_USAGE;
                        break;
                case 'K':
                        if (tool_filter_add_kb(&ctx.filters, optarg))
                                return EXIT_USAGE;
                        break;
                case 'M':
                        if (parse_percent(optarg, &ctx.max_reject_pct))
                                return EXIT_USAGE;
                        break;
                case 'O':
                        ctx.print_open = true;
                        break;
                case 'o':
                        if (kbc_out_format_parse(optarg, &ctx.out_format)) {
                                fprintf(stderr,
                                        "kbcorr replay: --output-format: "
                                        "'%s' is not ecs, ocsf, cef or "
                                        "msgpack\n",
                                        optarg);
                                return EXIT_USAGE;
                        }
                        break;
                case 'h':
                        fputs(replay_usage, stdout);
                        return EXIT_OK;
                default:
                        fputs(replay_usage, stderr);
                        return EXIT_USAGE;
                }
        }
        bool from_kafka = kafka.ntopics || kafka.bootstrap;
        if (from_kafka ? optind < argc || !kafka.ntopics : optind >= argc) {
                fprintf(stderr, "kbcorr replay: %s\n",
                        !from_kafka     ? "no input files (use - for stdin)"
                        : kafka.ntopics ? "files or --kafka, not both"
                                        : "--kafka needs at least one --topic");
                return EXIT_USAGE;
        }

        ctx.opts = &opts;
        ctx.in = &in;
        ctx.stats = stats;
        kbc_buf_init(&ctx.out, 16 << 20);
        kbc_buf_init(&ctx.scratch, 16 << 20);
        kbc_ruleset *rs = tool_load_rules(&in.rules);
        if (!rs || tool_filter_check_kbs(&ctx.filters, rs))
                goto out;
        ctx.rs = rs;
        kafka.verbose = stats;
        report_opts ropts = {
            report_path,
            from_kafka ? kafka.topics : (const char *const *)argv + optind,
            from_kafka ? kafka.ntopics : (size_t)(argc - optind)};
        if (report_path && !(ctx.report = report_open(&ropts)))
                goto out;
        /* The report shows each incident's states, printed or not. */
        opts.engine.emit_open = ctx.print_open || ctx.report;
        replay_hooks hooks = {input_begin, feed_line, input_end, &ctx,
                              &ctx.slack};
        ctx.progress = tool_progress_new(stderr);
        if (from_kafka)
                rc = replay_kafka(&kafka, opts.from_ms, opts.to_ms, &hooks)
                         ? EXIT_USAGE
                         : EXIT_OK;
        else
                rc = replay_files(&ctx, argc - optind, argv + optind);
        tool_progress_end(ctx.progress);
        if (too_many_rejects(&ctx))
                rc = EXIT_USAGE;
        if (report_close(ctx.report))
                rc = EXIT_USAGE;
        if (fflush(stdout)) {
                perror("kbcorr replay: stdout");
                rc = EXIT_USAGE;
        }
out:
        kbc_ruleset_free(rs);
        kbc_buf_free(&ctx.out);
        kbc_buf_free(&ctx.scratch);
        return rc;
}
