/*
 * fuzz_bundle_read.c - libFuzzer target for the rule bundle reader
 * (rules/bundle_read.c, bundle_codec.c).
 *
 * A bundle that is damaged by accident fails its checksum; one that is
 * crafted (or damaged and its checksum made to match) must be refused
 * too, or load to rules the engine can use. So the fuzzer starts from a
 * real bundle: at start-up it writes a folder with one rule file (every
 * kind of field: lists, data tests, text and regex, test events with
 * fields), bundles it with kbc_bundle_write, and keeps the file. Each
 * input then says how to damage that bundle:
 *
 *   byte 0, bit 0  write the input after it as the whole file instead
 *          bit 1  cut the file at the offset in bytes 1-4
 *          bit 2  leave the header's length and checksum as they are
 *                 (else they are made to match, to reach the decoder)
 *   then 5-byte patches: a 4-byte offset (modulo the size) and a byte
 *   xored into the file there.
 *
 * The folder is then loaded: from the bundle, from the YAML after a note,
 * or refused (a crafted hot pattern that does not compile fails the
 * index build); every problem and note must be one line. Every field of
 * what loaded is read and its test events are matched, with the patterns
 * the matcher compiles on demand.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 *        cmake --build build-fuzz --target fuzz_bundle_read
 * Run:   tests/fuzz/run.sh build-fuzz 60
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bundle_internal.h"
#include "fuzz_tmpfile.h"
#include "fuzz_touch_rule.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rule_yaml[] =
    "id: Q900100\n"
    "title: Bundle fuzzing\n"
    "products: [\"Windows NT 4.0\", \"Exchange 5.5\"]\n"
    "severity: high\n"
    "window: 5m\n"
    "cause: A cause.\n"
    "resolution: A resolution.\n"
    "signals:\n"
    "  - id: popup\n"
    "    symptom: true\n"
    "    weight: 2\n"
    "    match:\n"
    "      provider: Application Popup\n"
    "      channel: [System, Application]\n"
    "      event_id: [26, 27]\n"
    "      problem: true\n"
    "      text: \"The <servername> server is not responding\"\n"
    "  - id: service\n"
    "    match:\n"
    "      event_id: 7036\n"
    "      message: 'Remote Registry.*stopped'\n"
    "      data: { param1: '^Remote Registry$' }\n"
    "tests:\n"
    "  - name: both\n"
    "    events:\n"
    "      - { provider: Application Popup, event_id: 26, channel: System,\n"
    "          level: error, message: The MAIL1 server is not responding }\n"
    "      - { event_id: 7036, record_id: 9, message: Remote Registry "
    "stopped,\n"
    "          data: { param1: Remote Registry, param2: stopped } }\n"
    "    expect: { kb: Q900100, candidates: [Q900100] }\n";

static char yaml_path[256];
static unsigned char *good;
static size_t good_size;
static unsigned char *file;

static void cleanup(void)
{
        unlink(yaml_path);
        free(good);
        free(file);
}

static void quiet(void *opaque, const char *msg)
{
        (void)opaque;
        if (strchr(msg, '\n'))
                abort(); /* every problem and note is one line */
        fuzz_sink ^= kbc_fnv64(KBC_FNV64_INIT, msg, strlen(msg));
}

/* The folder, its rule file and its real bundle, once. */
static const char *setup(void)
{
        const char *bundle = fuzz_tmpfile(KBC_BUNDLE_NAME, "", 0);
        static char dir[192];
        snprintf(dir, sizeof(dir), "%s", bundle);
        *strrchr(dir, '/') = '\0';
        snprintf(yaml_path, sizeof(yaml_path), "%s/Q900100.yaml", dir);
        FILE *f = fopen(yaml_path, "wb");
        if (!f || fputs(rule_yaml, f) < 0 || fclose(f))
                abort();
        atexit(cleanup); /* runs before fuzz_tmpfile's rmdir */
        if (kbc_bundle_write(dir, quiet, NULL, NULL))
                abort();
        f = fopen(bundle, "rb");
        if (!f)
                abort();
        good = malloc(1 << 20);
        good_size = fread(good, 1, 1 << 20, f);
        fclose(f);
        file = malloc((1 << 20) + 1);
        if (!good || !file || good_size < BUNDLE_HEADER_SIZE)
                abort();
        return dir;
}

static void put_le64(unsigned char *p, uint64_t v)
{
        for (int i = 0; i < 8; i++)
                p[i] = (unsigned char)(v >> (8 * i));
}

/* The damaged bundle the input describes, in file; returns its size. */
static size_t damage(const uint8_t *data, size_t size)
{
        uint8_t mode = data[0];
        size_t n = good_size, at = 1;

        if (mode & 1) {
                n = size - 1 > (1 << 20) ? (1 << 20) : size - 1;
                memcpy(file, data + 1, n);
                return n;
        }
        memcpy(file, good, n);
        if ((mode & 2) && size >= 5) {
                uint32_t cut;
                memcpy(&cut, data + 1, 4);
                n = cut % (n + 1);
                at = 5;
        }
        for (; n && at + 5 <= size; at += 5) {
                uint32_t off;
                memcpy(&off, data + at, 4);
                file[off % n] ^= data[at + 4];
        }
        if (!(mode & 4) && n >= BUNDLE_HEADER_SIZE) {
                size_t body = n - BUNDLE_HEADER_SIZE;
                put_le64(file + 16, body);
                put_le64(file + 24,
                         kbc_hash64_of(file + BUNDLE_HEADER_SIZE, body));
        }
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char *dir;
        if (!dir)
                dir = setup();
        if (size < 1)
                return 0;
        size_t n = damage(data, size);
        fuzz_tmpfile(KBC_BUNDLE_NAME, file, n);

        kbc_ruleset_opts o = {.diag = quiet, .note = quiet};
        kbc_ruleset *rs = kbc_ruleset_load_with(&dir, 1, &o);
        if (!rs)
                return 0; /* refused: a crafted pattern that fails */
        /* The bundle left whole must be the one loaded, or the fuzzer
         * only ever tests the YAML fallback. */
        if (size == 1 && data[0] == 0 && kbc_ruleset_bundled(rs) != 1)
                abort();
        touch_ruleset(rs);
        kbc_ruleset_free(rs);
        return 0;
}
