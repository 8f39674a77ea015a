/*
 * fuzz_config_load.c - libFuzzer target for kbcorrd's configuration loader
 * (daemon/config.c, linked in without the rest of the daemon).
 *
 * Each input is written to one file (fuzz_tmpfile.h) and loaded as
 * kbcorrd's YAML configuration. Whether or not it loads, every string the
 * loader left in the struct is read end to end before kbcd_config_free, so
 * AddressSanitizer sees any that points at freed or foreign memory. A
 * configuration that loads must have what kbcorrd relies on without
 * checking again: rule folders, topics, a group, an output, at most one
 * dead-letter sink, Kafka properties or a mock cluster, every path
 * absolute (relative ones are taken from the file's folder) or "-", a
 * known log level and format, a listen address that parses.
 *
 * The loader reports to stderr itself: run with -close_fd_mask=2 (run.sh
 * does) or every iteration writes its problems there.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 *        cmake --build build-fuzz --target fuzz_config_load
 * Run:   build-fuzz/tests/fuzz_config_load CORPUS_DIR -close_fd_mask=2
 *        (tests/fuzz/run.sh seeds CORPUS_DIR with examples/kbcorrd*.yaml)
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_tmpfile.h"
#include "kbc_hash.h"
#include "log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the hashes go; external, so no compiler may drop the reads. */
volatile uint64_t fuzz_sink;

static uint64_t touch(uint64_t h, const char *s)
{
        return s ? kbc_fnv64(h, s, strlen(s)) : h;
}

static uint64_t touch_list(uint64_t h, const char *const *list, size_t n,
                           size_t max)
{
        if (n > max)
                abort();
        for (size_t i = 0; i < n; i++) {
                if (!list[i])
                        abort();
                h = touch(h, list[i]);
        }
        return h;
}

static void check_paths(const char *const *list, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (list[i] && list[i][0] != '/' && strcmp(list[i], "-"))
                        abort(); /* not resolved against the file's folder */
}

static void check_loaded(const kbcd_config *c)
{
        struct sockaddr_in sa;
        if (!c->nrules || !c->ntopics || !c->group || !*c->group)
                abort();
        if (!c->out_topic && !c->out_file && !c->out_stdout && !c->hec.url &&
            !c->syslog.address)
                abort();
        if ((c->hec.url && !c->hec.token) || c->hec.format == KBC_OUT_MSGPACK ||
            c->syslog.format == KBC_OUT_MSGPACK)
                abort();
        if (c->dead_topic && c->dead_file)
                abort();
        if (!c->mock && !c->nkafka)
                abort();
        check_paths(c->rules, c->nrules);
        check_paths(c->mappings, c->nmappings);
        check_paths(c->mock_feed, c->nmock_feed);
        check_paths(&c->out_file, 1);
        check_paths(&c->dead_file, 1);
        if ((c->log_level && !kbcd_log_level_known(c->log_level)) ||
            (c->log_format && !kbcd_log_format_known(c->log_format)))
                abort();
        if (c->metrics_listen && kbcd_listen_parse(c->metrics_listen, &sa))
                abort();
        if (c->max_message_bytes < 256 || c->drain_ms < 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *path = fuzz_tmpfile("kbcorrd.yaml", data, size);
        kbcd_config c;
        int rc = kbcd_config_load(&c, path);
        uint64_t h = KBC_FNV64_INIT;
        /* Loaded or not, whatever is set must still be readable. */
        h = touch_list(h, c.rules, c.nrules, KBCD_MAX_LIST);
        h = touch_list(h, c.mappings, c.nmappings, KBCD_MAX_LIST);
        h = touch_list(h, c.topics, c.ntopics, KBCD_MAX_LIST);
        h = touch_list(h, c.mock_feed, c.nmock_feed, KBCD_MAX_LIST);
        if (c.nkafka > sizeof(c.kafka) / sizeof(c.kafka[0]))
                abort();
        for (size_t i = 0; i < c.nkafka; i++) {
                if (!c.kafka[i].name || !c.kafka[i].value)
                        abort();
                h = touch(touch(h, c.kafka[i].name), c.kafka[i].value);
        }
        h = touch(h, c.group);
        h = touch(h, c.out_topic);
        h = touch(h, c.out_file);
        h = touch(h, c.dead_topic);
        h = touch(h, c.dead_file);
        h = touch(h, c.hec.url);
        h = touch(h, c.hec.token);
        h = touch(h, c.hec.channel);
        h = touch(h, c.syslog.address);
        h = touch(h, c.syslog.app_name);
        h = touch(h, c.metrics_listen);
        h = touch(h, c.log_level);
        h = touch(h, c.log_format);
        if (rc == 0)
                check_loaded(&c);
        else if (rc != -1)
                abort();
        fuzz_sink = h;
        kbcd_config_free(&c);
        return 0;
}
