/*
 * json_parsers.c - which JSON parser for the hot path, by measurement.
 *
 *   bench_json_parsers FILE.jsonl [repeat [parser...]]
 *
 * Loads FILE once, splits it into lines and, for each parser, parses every
 * line and looks up the event ID (winlog.event_id if present, else top-level
 * EventID, else event_id), so that lazy parsers do real work too; the DOM
 * parsers free their tree after each line. A warm-up pass gives the checksum
 * (lines whose lookup found an integer), the sum of the IDs found and the
 * parse errors; then ROUNDS rounds, interleaved across parsers, each time
 * `repeat` passes over the file (default: enough for about 1 s per parser in
 * all) with clock_gettime(CLOCK_MONOTONIC), pinned to one CPU. Prints one
 * markdown table row per parser with the median round. Exits 1 if any parser
 * saw a parse error or the parsers disagree on checksum or ID sum.
 *
 * One source, several translation units: jansson and json-parser both
 * declare json_object and json_type, and json-c, libfastjson and json-parser
 * each ship a json.h, so CMake compiles this file once per library with
 * BJP_UNIT_<NAME> defined, and once with BJP_UNIT_MAIN for the driver, which
 * sees the parsers only through struct bjp_parser. Every parser is thus
 * called the same way: one indirect call per line.
 */
#if defined(BJP_UNIT_MAIN)
#define _GNU_SOURCE /* sched_getcpu, sched_setaffinity */
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BJP_ERR = -1, BJP_NOID = 0, BJP_ID = 1 };

#define BJP_ERRLEN 192

struct bjp_parser {
        const char *name;
        void *(*open)(void);
        void (*close)(void *st);
        /* Parses s[0..len) and looks up the event ID: BJP_ID with *id set,
         * BJP_NOID if absent or not an integer, BJP_ERR if not valid JSON. */
        int (*parse)(void *st, const char *s, size_t len, int64_t *id);
        /* Why the last BJP_ERR, valid until the next parse. */
        const char *(*error)(void *st);
};

#if defined(BJP_UNIT_JSONC) || defined(BJP_UNIT_CJSON) ||                      \
    defined(BJP_UNIT_FASTJSON)
/* Only whitespace left after the value: trailing data is an error. */
static inline bool bjp_only_space(const char *s, size_t len)
{
        for (size_t i = 0; i < len; i++)
                if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
                        return false;
        return true;
}
#endif

#if defined(BJP_UNIT_JANSSON) || defined(BJP_UNIT_CJSON) ||                    \
    defined(BJP_UNIT_JSONPARSER)
/* The state of the parsers that keep none but an error message. */
struct bjp_errstate {
        char err[BJP_ERRLEN];
};

static inline void *bjp_errstate_open(void)
{
        return calloc(1, sizeof(struct bjp_errstate));
}

static inline void bjp_errstate_close(void *st)
{
        free(st);
}

static inline const char *bjp_errstate_error(void *st)
{
        return ((struct bjp_errstate *)st)->err;
}
#endif

/* ------------------------------------------------------------ jansson */
#if defined(BJP_UNIT_JANSSON)
#include <jansson.h>

static int bjp_jansson_parse(void *st, const char *s, size_t len, int64_t *id)
{
        json_error_t e;
        json_t *root = json_loadb(s, len, 0, &e);
        if (!root) {
                snprintf(((struct bjp_errstate *)st)->err, BJP_ERRLEN,
                         "%s at offset %d", e.text, e.position);
                return BJP_ERR;
        }
        /* json_object_get returns NULL for a NULL or non-object argument. */
        json_t *v =
            json_object_get(json_object_get(root, "winlog"), "event_id");
        if (!v)
                v = json_object_get(root, "EventID");
        if (!v)
                v = json_object_get(root, "event_id");
        int r = BJP_NOID;
        if (json_is_integer(v)) {
                *id = json_integer_value(v);
                r = BJP_ID;
        }
        json_decref(root);
        return r;
}

const struct bjp_parser bjp_jansson = {
    "jansson",         bjp_errstate_open,  bjp_errstate_close,
    bjp_jansson_parse, bjp_errstate_error,
};
#endif

/* ------------------------------------------------------------- json-c */
#if defined(BJP_UNIT_JSONC)
#include <json.h>

struct bjp_jsonc {
        struct json_tokener *tok; /* reused across lines, as a daemon would */
        char err[BJP_ERRLEN];
};

static void *bjp_jsonc_open(void)
{
        struct bjp_jsonc *st = calloc(1, sizeof(*st));
        if (st && !(st->tok = json_tokener_new())) {
                free(st);
                st = NULL;
        }
        return st;
}

static void bjp_jsonc_close(void *p)
{
        struct bjp_jsonc *st = p;
        json_tokener_free(st->tok);
        free(st);
}

static const char *bjp_jsonc_error(void *p)
{
        return ((struct bjp_jsonc *)p)->err;
}

static struct json_object *bjp_jsonc_get(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        return o && json_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int bjp_jsonc_parse(void *p, const char *s, size_t len, int64_t *id)
{
        struct bjp_jsonc *st = p;
        json_tokener_reset(st->tok);
        struct json_object *root = json_tokener_parse_ex(st->tok, s, (int)len);
        enum json_tokener_error je = json_tokener_get_error(st->tok);
        size_t end = json_tokener_get_parse_end(st->tok);
        if (je != json_tokener_success || !root ||
            !bjp_only_space(s + end, len - end)) {
                snprintf(st->err, sizeof(st->err), "%s at offset %zu",
                         je == json_tokener_success
                             ? "trailing data or null"
                             : json_tokener_error_desc(je),
                         end);
                json_object_put(root);
                return BJP_ERR;
        }
        struct json_object *v =
            bjp_jsonc_get(bjp_jsonc_get(root, "winlog"), "event_id");
        if (!v)
                v = bjp_jsonc_get(root, "EventID");
        if (!v)
                v = bjp_jsonc_get(root, "event_id");
        int r = BJP_NOID;
        if (json_object_is_type(v, json_type_int)) {
                *id = json_object_get_int64(v);
                r = BJP_ID;
        }
        json_object_put(root);
        return r;
}

const struct bjp_parser bjp_jsonc = {
    "json-c", bjp_jsonc_open, bjp_jsonc_close, bjp_jsonc_parse, bjp_jsonc_error,
};
#endif

/* -------------------------------------------------------------- cJSON */
#if defined(BJP_UNIT_CJSON)
#include <cJSON.h>

static int bjp_cjson_parse(void *st, const char *s, size_t len, int64_t *id)
{
        const char *end = NULL;
        cJSON *root = cJSON_ParseWithLengthOpts(s, len, &end, 0);
        if (!root || !bjp_only_space(end, len - (size_t)(end - s))) {
                const char *at = root ? end : cJSON_GetErrorPtr();
                snprintf(((struct bjp_errstate *)st)->err, BJP_ERRLEN,
                         "%s at offset %td",
                         root ? "trailing data" : "syntax error",
                         at ? at - s : -1);
                cJSON_Delete(root);
                return BJP_ERR;
        }
        /* cJSON_GetObjectItemCaseSensitive returns NULL for a NULL object. */
        cJSON *v = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(root, "winlog"), "event_id");
        if (!v)
                v = cJSON_GetObjectItemCaseSensitive(root, "EventID");
        if (!v)
                v = cJSON_GetObjectItemCaseSensitive(root, "event_id");
        int r = BJP_NOID;
        /* cJSON keeps every number as a double; integers up to 2^53 are
         * exact, which covers event IDs. */
        if (cJSON_IsNumber(v) &&
            v->valuedouble == (double)(int64_t)v->valuedouble) {
                *id = (int64_t)v->valuedouble;
                r = BJP_ID;
        }
        cJSON_Delete(root);
        return r;
}

const struct bjp_parser bjp_cjson = {
    "cJSON",         bjp_errstate_open,  bjp_errstate_close,
    bjp_cjson_parse, bjp_errstate_error,
};
#endif

/* -------------------------------------------------------- libfastjson */
#if defined(BJP_UNIT_FASTJSON)
#define FJSON_NATIVE_API_ONLY
#include <json.h>

struct bjp_fastjson {
        struct fjson_tokener *tok; /* reused across lines */
        char err[BJP_ERRLEN];
};

static void *bjp_fastjson_open(void)
{
        struct bjp_fastjson *st = calloc(1, sizeof(*st));
        if (st && !(st->tok = fjson_tokener_new())) {
                free(st);
                st = NULL;
        }
        return st;
}

static void bjp_fastjson_close(void *p)
{
        struct bjp_fastjson *st = p;
        fjson_tokener_free(st->tok);
        free(st);
}

static const char *bjp_fastjson_error(void *p)
{
        return ((struct bjp_fastjson *)p)->err;
}

static struct fjson_object *bjp_fastjson_get(struct fjson_object *o,
                                             const char *key)
{
        struct fjson_object *v = NULL;
        return o && fjson_object_object_get_ex(o, key, &v) ? v : NULL;
}

static int bjp_fastjson_parse(void *p, const char *s, size_t len, int64_t *id)
{
        struct bjp_fastjson *st = p;
        fjson_tokener_reset(st->tok);
        struct fjson_object *root =
            fjson_tokener_parse_ex(st->tok, s, (int)len);
        enum fjson_tokener_error je = fjson_tokener_get_error(st->tok);
        size_t end = (size_t)st->tok->char_offset;
        if (je != fjson_tokener_success || !root || end > len ||
            !bjp_only_space(s + end, len - end)) {
                snprintf(st->err, sizeof(st->err), "%s at offset %zu",
                         je == fjson_tokener_success
                             ? "trailing data or null"
                             : fjson_tokener_error_desc(je),
                         end);
                fjson_object_put(root);
                return BJP_ERR;
        }
        struct fjson_object *v =
            bjp_fastjson_get(bjp_fastjson_get(root, "winlog"), "event_id");
        if (!v)
                v = bjp_fastjson_get(root, "EventID");
        if (!v)
                v = bjp_fastjson_get(root, "event_id");
        int r = BJP_NOID;
        if (v && fjson_object_is_type(v, fjson_type_int)) {
                *id = fjson_object_get_int64(v);
                r = BJP_ID;
        }
        fjson_object_put(root);
        return r;
}

const struct bjp_parser bjp_fastjson = {
    "libfastjson",      bjp_fastjson_open,  bjp_fastjson_close,
    bjp_fastjson_parse, bjp_fastjson_error,
};
#endif

/* -------------------------------------------------------- json-parser */
#if defined(BJP_UNIT_JSONPARSER)
#include <json.h>

/* json-parser has no lookup: a linear scan of the entries, as cJSON does
 * inside. */
static json_value *bjp_jsonparser_get(const json_value *o, const char *key,
                                      unsigned int klen)
{
        if (!o || o->type != json_object)
                return NULL;
        for (unsigned int i = 0; i < o->u.object.length; i++) {
                const json_object_entry *e = &o->u.object.values[i];
                if (e->name_length == klen && !memcmp(e->name, key, klen))
                        return e->value;
        }
        return NULL;
}

#define BJP_JP_GET(o, lit) bjp_jsonparser_get((o), (lit), sizeof(lit) - 1)

static int bjp_jsonparser_parse(void *st, const char *s, size_t len,
                                int64_t *id)
{
        json_settings settings;
        memset(&settings, 0, sizeof(settings));
        char *err = ((struct bjp_errstate *)st)->err;
        json_value *root = json_parse_ex(&settings, s, len, err);
        if (!root)
                return BJP_ERR;
        json_value *v = BJP_JP_GET(BJP_JP_GET(root, "winlog"), "event_id");
        if (!v)
                v = BJP_JP_GET(root, "EventID");
        if (!v)
                v = BJP_JP_GET(root, "event_id");
        int r = BJP_NOID;
        if (v && v->type == json_integer) {
                *id = v->u.integer;
                r = BJP_ID;
        }
        json_value_free(root);
        return r;
}

const struct bjp_parser bjp_jsonparser = {
    "json-parser",        bjp_errstate_open,  bjp_errstate_close,
    bjp_jsonparser_parse, bjp_errstate_error,
};
#endif

/* --------------------------------------------------------------- jsmn */
#if defined(BJP_UNIT_JSMN)
#define JSMN_STATIC
#define JSMN_STRICT
#include <jsmn.h>

struct bjp_jsmn {
        jsmntok_t *tok; /* reused across lines, grown on JSMN_ERROR_NOMEM */
        unsigned int ntok;
        char err[BJP_ERRLEN];
};

static void *bjp_jsmn_open(void)
{
        struct bjp_jsmn *st = calloc(1, sizeof(*st));
        if (!st)
                return NULL;
        st->ntok = 256;
        st->tok = malloc(st->ntok * sizeof(*st->tok));
        if (!st->tok) {
                free(st);
                return NULL;
        }
        return st;
}

static void bjp_jsmn_close(void *p)
{
        struct bjp_jsmn *st = p;
        free(st->tok);
        free(st);
}

static const char *bjp_jsmn_error(void *p)
{
        return ((struct bjp_jsmn *)p)->err;
}

/* Index of the value of key (compared raw, unescaped) in the object at
 * tok[o], or -1. Values are skipped by offset: a subtree's tokens all start
 * before its end. */
static int bjp_jsmn_get(const char *s, const jsmntok_t *tok, int n, int o,
                        const char *key, size_t klen)
{
        if (o < 0 || tok[o].type != JSMN_OBJECT)
                return -1;
        int i = o + 1;
        for (int k = 0; k < tok[o].size && i + 1 < n; k++) {
                const jsmntok_t *kt = &tok[i];
                if ((size_t)(kt->end - kt->start) == klen &&
                    !memcmp(s + kt->start, key, klen))
                        return i + 1;
                int end = tok[i + 1].end;
                for (i += 2; i < n && tok[i].start < end; i++)
                        ;
        }
        return -1;
}

#define BJP_JSMN_GET(o, lit)                                                   \
        bjp_jsmn_get(s, st->tok, n, (o), (lit), sizeof(lit) - 1)

/* A JSON integer primitive to int64; false for anything else. */
static bool bjp_jsmn_int(const char *p, const char *e, int64_t *out)
{
        bool neg = p < e && *p == '-';
        p += neg;
        if (p == e)
                return false;
        uint64_t v = 0;
        for (; p < e; p++) {
                if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
                        return false;
                v = v * 10 + (uint64_t)(*p - '0');
        }
        if (v > (uint64_t)INT64_MAX + neg)
                return false;
        *out = neg ? (int64_t)(0 - v) : (int64_t)v;
        return true;
}

static int bjp_jsmn_parse(void *p, const char *s, size_t len, int64_t *id)
{
        struct bjp_jsmn *st = p;
        jsmn_parser jp;
        int n;
        for (;;) {
                jsmn_init(&jp);
                n = jsmn_parse(&jp, s, len, st->tok, st->ntok);
                if (n != JSMN_ERROR_NOMEM)
                        break;
                jsmntok_t *t =
                    realloc(st->tok, 2 * st->ntok * sizeof(*st->tok));
                if (!t) {
                        snprintf(st->err, sizeof(st->err),
                                 "out of memory for %u tokens", 2 * st->ntok);
                        return BJP_ERR;
                }
                st->tok = t;
                st->ntok *= 2;
        }
        if (n < 0) {
                snprintf(st->err, sizeof(st->err), "%s at offset %u",
                         n == JSMN_ERROR_PART ? "truncated JSON"
                                              : "invalid JSON",
                         jp.pos);
                return BJP_ERR;
        }
        int v = BJP_JSMN_GET(BJP_JSMN_GET(0, "winlog"), "event_id");
        if (v < 0)
                v = BJP_JSMN_GET(0, "EventID");
        if (v < 0)
                v = BJP_JSMN_GET(0, "event_id");
        if (v >= 0 && st->tok[v].type == JSMN_PRIMITIVE &&
            bjp_jsmn_int(s + st->tok[v].start, s + st->tok[v].end, id))
                return BJP_ID;
        return BJP_NOID;
}

const struct bjp_parser bjp_jsmn = {
    "jsmn", bjp_jsmn_open, bjp_jsmn_close, bjp_jsmn_parse, bjp_jsmn_error,
};
#endif

/* ------------------------------------------------------------- driver */
#if defined(BJP_UNIT_MAIN)
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <sched.h>
#include <time.h>

extern const struct bjp_parser bjp_jansson, bjp_jsonc, bjp_cjson, bjp_fastjson,
    bjp_jsonparser, bjp_jsmn;

static const struct bjp_parser *const bjp_all[] = {
    &bjp_jansson,  &bjp_jsonc,      &bjp_cjson,
    &bjp_fastjson, &bjp_jsonparser, &bjp_jsmn,
};
#define BJP_NPARSERS (sizeof(bjp_all) / sizeof(bjp_all[0]))

#define ROUNDS          5
#define TARGET_SECONDS  1.0 /* per parser, all rounds */
#define MAX_AUTO_REPEAT 100000

struct line {
        const char *p;
        size_t len;
};

struct tally {
        uint64_t lines;
        uint64_t hits; /* the checksum: lines whose lookup found an ID */
        int64_t idsum;
        uint64_t errors;
        size_t first_error_line; /* 1-based */
        char first_error[BJP_ERRLEN];
};

struct bench {
        const struct bjp_parser *bp;
        void *st;
        struct tally warm; /* one pass */
        struct tally timed;
        unsigned long repeat; /* passes per round */
        double secs[ROUNDS];
};

static double now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void run_pass(const struct bench *b, const struct line *ln, size_t n,
                     struct tally *t)
{
        for (size_t i = 0; i < n; i++) {
                int64_t id = 0;
                int r = b->bp->parse(b->st, ln[i].p, ln[i].len, &id);
                t->lines++;
                if (r == BJP_ID) {
                        t->hits++;
                        t->idsum += id;
                } else if (r == BJP_ERR && t->errors++ == 0) {
                        t->first_error_line = i + 1;
                        snprintf(t->first_error, sizeof(t->first_error), "%s",
                                 b->bp->error(b->st));
                }
        }
}

static char *load(const char *path, size_t *size)
{
        FILE *f = fopen(path, "rb");
        if (!f) {
                fprintf(stderr, "bench_json_parsers: %s: %s\n", path,
                        strerror(errno));
                return NULL;
        }
        size_t cap = 1 << 20, len = 0;
        char *buf = malloc(cap);
        for (;;) {
                if (!buf)
                        break;
                len += fread(buf + len, 1, cap - len, f);
                if (len < cap)
                        break;
                char *nb = realloc(buf, cap *= 2);
                if (!nb) {
                        free(buf);
                        buf = NULL;
                }
                buf = nb;
        }
        if (!buf || ferror(f)) {
                fprintf(stderr, "bench_json_parsers: %s: %s\n", path,
                        buf ? "read error" : "out of memory");
                free(buf);
                buf = NULL;
        }
        fclose(f);
        *size = len;
        return buf;
}

/* Splits buf in place at '\n' (NUL-terminating each line, dropping a '\r'
 * before it) and skips blank lines. Returns the number of lines. */
static size_t split(char *buf, size_t size, struct line **out, size_t *bytes)
{
        size_t n = 0, cap = 1024;
        struct line *ln = malloc(cap * sizeof(*ln));
        *bytes = 0;
        for (char *p = buf, *end = buf + size; ln && p < end;) {
                char *nl = memchr(p, '\n', (size_t)(end - p));
                char *e = nl ? nl : end;
                if (e > p && e[-1] == '\r')
                        e--;
                if (e > p) {
                        if (n == cap) {
                                struct line *nln =
                                    realloc(ln, (cap *= 2) * sizeof(*ln));
                                if (!nln)
                                        free(ln);
                                ln = nln;
                                if (!ln)
                                        break;
                        }
                        ln[n].p = p;
                        ln[n].len = (size_t)(e - p);
                        *bytes += ln[n].len;
                        n++;
                }
                if (nl)
                        *nl = '\0';
                *e = '\0';
                p = nl ? nl + 1 : end;
        }
        *out = ln;
        return ln ? n : 0;
}

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

/* Pins the process to the CPU it runs on; returns it, or -1. */
static int pin(void)
{
        int cpu = sched_getcpu();
        if (cpu < 0)
                return -1;
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        return sched_setaffinity(0, sizeof(set), &set) == 0 ? cpu : -1;
}

static const char *basename_of(const char *path)
{
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

static int usage(void)
{
        fprintf(stderr,
                "usage: bench_json_parsers FILE.jsonl [repeat "
                "[parser...]]\n"
                "  repeat: passes over the file per round (%d rounds, "
                "median reported);\n"
                "          0 or absent: about %.0f s per parser\n"
                "  parsers:",
                ROUNDS, TARGET_SECONDS);
        for (size_t i = 0; i < BJP_NPARSERS; i++)
                fprintf(stderr, " %s", bjp_all[i]->name);
        fprintf(stderr, "\n");
        return 2;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return usage();
        setvbuf(stdout, NULL, _IOLBF, 0); /* rows before their diagnostics */
        unsigned long repeat = 0;
        if (argc > 2) {
                char *end;
                errno = 0;
                repeat = strtoul(argv[2], &end, 10);
                if (errno || *end || argv[2][0] == '-')
                        return usage();
        }
        struct bench benches[BJP_NPARSERS];
        size_t nb = 0;
        for (size_t i = 0; i < BJP_NPARSERS; i++) {
                bool want = argc <= 3;
                for (int a = 3; a < argc && !want; a++)
                        want = !strcmp(argv[a], bjp_all[i]->name);
                if (want)
                        benches[nb++] = (struct bench){.bp = bjp_all[i]};
        }
        for (int a = 3; a < argc; a++) {
                bool known = false;
                for (size_t i = 0; i < BJP_NPARSERS; i++)
                        known = known || !strcmp(argv[a], bjp_all[i]->name);
                if (!known) {
                        fprintf(stderr, "bench_json_parsers: no parser %s\n",
                                argv[a]);
                        return usage();
                }
        }

        size_t size, bytes;
        char *buf = load(argv[1], &size);
        if (!buf)
                return 2;
        struct line *ln;
        size_t n = split(buf, size, &ln, &bytes);
        if (n == 0) {
                fprintf(stderr, "bench_json_parsers: %s: no lines\n", argv[1]);
                return 2;
        }
        int cpu = pin();

        for (size_t i = 0; i < nb; i++) {
                struct bench *b = &benches[i];
                if (!(b->st = b->bp->open())) {
                        fprintf(stderr,
                                "bench_json_parsers: %s: cannot set "
                                "up\n",
                                b->bp->name);
                        return 2;
                }
                double t0 = now();
                run_pass(b, ln, n, &b->warm);
                double t1 = now() - t0;
                b->repeat = repeat;
                if (!b->repeat) {
                        double r = ceil(TARGET_SECONDS / ROUNDS / t1);
                        b->repeat = r < 1                 ? 1
                                    : r > MAX_AUTO_REPEAT ? MAX_AUTO_REPEAT
                                                          : (unsigned long)r;
                }
        }
        for (int r = 0; r < ROUNDS; r++) {
                for (size_t i = 0; i < nb; i++) {
                        struct bench *b = &benches[i];
                        double t0 = now();
                        for (unsigned long k = 0; k < b->repeat; k++)
                                run_pass(b, ln, n, &b->timed);
                        b->secs[r] = now() - t0;
                }
        }

        printf("%s: %zu lines, %zu bytes of JSON (%.0f B/line); CPU %d; "
               "%d rounds, median\n\n",
               basename_of(argv[1]), n, bytes, (double)bytes / (double)n, cpu,
               ROUNDS);
        printf("| parser | MB/s | events/s | checksum | ID sum | errors | "
               "passes | spread |\n");
        printf("|---|--:|--:|--:|--:|--:|--:|--:|\n");
        int status = 0;
        for (size_t i = 0; i < nb; i++) {
                struct bench *b = &benches[i];
                double s[ROUNDS];
                memcpy(s, b->secs, sizeof(s));
                qsort(s, ROUNDS, sizeof(s[0]), cmp_double);
                double passes = (double)b->repeat;
                double med = s[ROUNDS / 2];
                double mbs = (double)bytes * passes / med / 1e6;
                double eps = (double)n * passes / med;
                double spread = (s[ROUNDS - 1] - s[0]) / med * 100.0;
                printf("| %s | %.1f | %.0f | %" PRIu64 " | %" PRId64
                       " | %" PRIu64 " | %dx%lu | %.1f%% |\n",
                       b->bp->name, mbs, eps, b->warm.hits, b->warm.idsum,
                       b->warm.errors, ROUNDS, b->repeat, spread);
                if (b->warm.errors) {
                        fprintf(stderr,
                                "%s: %" PRIu64 " parse errors; first at line "
                                "%zu: %s\n",
                                b->bp->name, b->warm.errors,
                                b->warm.first_error_line, b->warm.first_error);
                        status = 1;
                }
                uint64_t k = ROUNDS * b->repeat;
                if (b->timed.hits != k * b->warm.hits ||
                    b->timed.errors != k * b->warm.errors) {
                        fprintf(stderr,
                                "%s: timed passes disagree with the "
                                "warm-up pass\n",
                                b->bp->name);
                        status = 1;
                }
                if (b->warm.hits != benches[0].warm.hits ||
                    b->warm.idsum != benches[0].warm.idsum) {
                        fprintf(stderr,
                                "%s: checksum or ID sum differs from "
                                "%s\n",
                                b->bp->name, benches[0].bp->name);
                        status = 1;
                }
                b->bp->close(b->st);
        }
        free(ln);
        free(buf);
        return status;
}
#endif
