/*
 * replay_kafka.h - `kbcorr replay --kafka`: a time range of Kafka topics
 * read through the engine, without joining or committing for any
 * consumer group. docs/replay.md explains the offset search.
 */
#ifndef KBC_REPLAY_KAFKA_H
#define KBC_REPLAY_KAFKA_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "tool.h"

#define REPLAY_KAFKA_MAX 64 /* topics, partitions, -X properties */

typedef struct replay_kafka_args {
        const char *bootstrap; /* --kafka */
        const char *topics[REPLAY_KAFKA_MAX];
        size_t ntopics;
        int32_t partitions[REPLAY_KAFKA_MAX]; /* none given: all */
        size_t npartitions;
        const char *props[REPLAY_KAFKA_MAX]; /* -X name=value, in order */
        size_t nprops;
        int64_t slack_ms; /* --ts-slack; docs/replay.md */
        bool verbose;     /* a line per partition: offsets, how found */
} replay_kafka_args;

#define REPLAY_KAFKA_SLACK_DEFAULT_MS (60 * 60 * 1000)

/* Option codes above any character, so they never clash with the short
 * options of the commands that take them. -X is 'X'. */
enum {
        REPLAY_OPT_KAFKA = 0x4b00,
        REPLAY_OPT_TOPIC,
        REPLAY_OPT_PARTITION,
        REPLAY_OPT_TS_SLACK,
};

/* clang-format off */
#define REPLAY_KAFKA_LONGOPTS                                           \
        {"kafka", required_argument, NULL, REPLAY_OPT_KAFKA},           \
        {"topic", required_argument, NULL, REPLAY_OPT_TOPIC},           \
        {"partition", required_argument, NULL, REPLAY_OPT_PARTITION},   \
        {"ts-slack", required_argument, NULL, REPLAY_OPT_TS_SLACK}
/* clang-format on */

/* Takes option c (REPLAY_KAFKA_LONGOPTS or 'X') into a. Returns 1 when it
 * was one of them, 0 when not, -1 when its value is wrong (reported). */
int replay_kafka_option(int c, const char *arg, replay_kafka_args *a);

/* What the messages read say about the --ts-slack assumption
 * (docs/replay.md): timestamps further than the slack from their event's
 * time, or behind an earlier message's by more than it. */
typedef struct replay_slack {
        int64_t slack_ms, max_ts, worst_ms;
        uint64_t stray;
} replay_slack;

/* Notes a message of origin o (its Kafka timestamp; others are ignored)
 * whose event time is event_ms (KBC_TIME_NONE when it did not decode). */
void replay_slack_note(replay_slack *c, const kbc_origin *o, int64_t event_ms);

/* How a replay consumes its input: begin opens the pipeline the next
 * source is fed to (0, or -1 to stop), line gets each message, end closes
 * the source (flush, stats). A Kafka replay calls begin and end around
 * each partition, which gets a pipeline of its own as in kbcorrd; it sets
 * *slack before begin, the consumer notes every message in it
 * (replay_slack_note) by the time end returns, and the reader warns of
 * what it says. */
typedef struct replay_hooks {
        int (*begin)(void *opaque);
        tool_line_fn *line;
        void (*end)(void *opaque);
        void *opaque;
        replay_slack *slack;
} replay_hooks;

/* Reads, partition after partition (topics in the order given,
 * partitions in ascending order), the messages that may hold events in
 * [from_ms, to_ms) (KBC_TIME_NONE: unbounded), up to the high watermark
 * seen at the start; origins are topic/partition@offset. Warns when the
 * timestamps read break the --ts-slack assumption. Returns 0, or -1
 * when a partition could not be read whole (reported on stderr as
 * topic/partition@offset: why; the others are still read). */
int replay_kafka(const replay_kafka_args *a, int64_t from_ms, int64_t to_ms,
                 const replay_hooks *h);

#endif
