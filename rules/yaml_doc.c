/*
 * yaml_doc.c - libyaml's document API with line numbers and strict types
 * (see yaml_doc.h for the contract).
 *
 * Loading runs libyaml twice over the bytes. First as events, to report
 * what libyaml would accept but a rule file must not have, each at its own
 * line: no document, a second document, anchors and aliases, and nesting
 * deep enough to make libyaml itself slow. Then, when all is well, with
 * yaml_parser_load into the node array that the accessors read. Rule files
 * are a few KiB, so the second parse costs less than one regex compile.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yaml_doc.h"

#define YDOC_MSG_MAX      1024
#define YDOC_EXCERPT_MAX  48
#define YDOC_CHECKED_KEYS 32

struct kbc_ydiag_held {
        int line;
        size_t seq; /* keeps problems on one line in the order found */
        char *msg;
};

/* Returns -1 when out of memory: the caller passes the message on now
 * rather than lose it. */
static int hold_msg(kbc_ydiag *g, int line, const char *msg)
{
        if (g->nheld == g->capheld) {
                size_t cap = g->capheld ? g->capheld * 2 : 16;
                void *p = realloc(g->held, cap * sizeof(*g->held));
                if (!p)
                        return -1;
                g->held = p;
                g->capheld = cap;
        }
        char *copy = strdup(msg);
        if (!copy)
                return -1;
        g->held[g->nheld] = (struct kbc_ydiag_held){line, g->nheld, copy};
        g->nheld++;
        return 0;
}

void kbc_ydiag_report(kbc_ydiag *g, const char *file, int line, const char *fmt,
                      ...)
{
        char msg[YDOC_MSG_MAX], raw[YDOC_MSG_MAX];
        va_list ap;
        int n;

        if (line > 0)
                n = snprintf(raw, sizeof(raw), "%s:%d: ", file, line);
        else
                n = snprintf(raw, sizeof(raw), "%s: ", file);
        if (n < 0)
                n = 0;
        if ((size_t)n >= sizeof(raw))
                n = (int)sizeof(raw) - 1;
        va_start(ap, fmt);
        vsnprintf(raw + n, sizeof(raw) - (size_t)n, fmt, ap);
        va_end(ap);

        /* One problem, one line: a value quoted from the file may hold
         * line breaks or terminal escapes. */
        size_t o = 0;
        for (const unsigned char *p = (const unsigned char *)raw;
             *p && o + 5 < sizeof(msg); p++) {
                if (*p >= 0x20 && *p != 0x7f) {
                        msg[o++] = (char)*p;
                } else if (*p == '\n') {
                        msg[o++] = '\\';
                        msg[o++] = 'n';
                } else if (*p == '\r') {
                        msg[o++] = '\\';
                        msg[o++] = 'r';
                } else if (*p == '\t') {
                        msg[o++] = '\\';
                        msg[o++] = 't';
                } else {
                        o += (size_t)snprintf(msg + o, sizeof(msg) - o,
                                              "\\x%02x", *p);
                }
        }
        msg[o] = '\0';

        g->count++;
        if (g->hold && g->fn && hold_msg(g, line, msg) == 0)
                return;
        if (g->fn)
                g->fn(g->opaque, msg);
}

void kbc_ydiag_hold(kbc_ydiag *g)
{
        g->hold = true;
}

static int held_cmp(const void *a, const void *b)
{
        const struct kbc_ydiag_held *x = a, *y = b;
        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void kbc_ydiag_flush(kbc_ydiag *g)
{
        if (g->nheld)
                qsort(g->held, g->nheld, sizeof(*g->held), held_cmp);
        for (size_t i = 0; i < g->nheld; i++) {
                g->fn(g->opaque, g->held[i].msg);
                free(g->held[i].msg);
        }
        free(g->held);
        g->held = NULL;
        g->nheld = g->capheld = 0;
        g->hold = false;
}

void kbc_ydoc_report(kbc_ydoc *d, const yaml_node_t *n, const char *fmt, ...)
{
        char msg[YDOC_MSG_MAX];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        kbc_ydiag_report(d->diag, d->file, kbc_ynode_line(n), "%s", msg);
}

/* libyaml's reader reports a byte offset, not a mark. */
static int line_of_offset(const char *buf, size_t len, size_t off)
{
        int line = 1;
        if (off > len)
                off = len;
        for (size_t i = 0; i < off; i++)
                if (buf[i] == '\n')
                        line++;
        return line;
}

static void report_parser_error(kbc_ydoc *d, const yaml_parser_t *p,
                                const char *buf, size_t len)
{
        const char *problem = p->problem ? p->problem : "unknown error";

        switch (p->error) {
        case YAML_MEMORY_ERROR:
                kbc_ydiag_report(d->diag, d->file, 0,
                                 "out of memory while parsing YAML");
                break;
        case YAML_READER_ERROR:
                if (p->problem_value != -1)
                        kbc_ydiag_report(
                            d->diag, d->file,
                            line_of_offset(buf, len, p->problem_offset),
                            "%s (#%X at byte %zu)", problem,
                            (unsigned)p->problem_value, p->problem_offset);
                else
                        kbc_ydiag_report(
                            d->diag, d->file,
                            line_of_offset(buf, len, p->problem_offset),
                            "%s (at byte %zu)", problem, p->problem_offset);
                break;
        default:
                if (p->context)
                        kbc_ydiag_report(
                            d->diag, d->file, (int)p->problem_mark.line + 1,
                            "%s (%s at line %d)", problem, p->context,
                            (int)p->context_mark.line + 1);
                else
                        kbc_ydiag_report(d->diag, d->file,
                                         (int)p->problem_mark.line + 1, "%s",
                                         problem);
                break;
        }
}

/* The anchor an event declares, or NULL. */
static const char *event_anchor(const yaml_event_t *ev)
{
        switch (ev->type) {
        case YAML_SCALAR_EVENT:
                return (const char *)ev->data.scalar.anchor;
        case YAML_SEQUENCE_START_EVENT:
                return (const char *)ev->data.sequence_start.anchor;
        case YAML_MAPPING_START_EVENT:
                return (const char *)ev->data.mapping_start.anchor;
        default:
                return NULL;
        }
}

/* First pass, over events: syntax, the number of documents, nesting depth,
 * anchors and aliases, each at its own line. It stops at the first deep
 * nesting, because libyaml's scanner does work proportional to the flow
 * depth for every token (300,000 nested '[' take minutes); and it must
 * come before yaml_parser_load, whose anchor table is a list searched for
 * every new anchor. Returns the number of problems reported. */
static size_t prescan(kbc_ydoc *d, const char *buf, size_t len)
{
        size_t before = d->diag->count;
        int depth = 0, docs = 0;
        yaml_parser_t p;
        yaml_event_t ev;
        bool done = false;

        if (!yaml_parser_initialize(&p)) {
                kbc_ydiag_report(d->diag, d->file, 0, "out of memory");
                return 1;
        }
        yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
        while (!done) {
                if (!yaml_parser_parse(&p, &ev)) {
                        report_parser_error(d, &p, buf, len);
                        break;
                }
                int line = (int)ev.start_mark.line + 1;
                const char *anchor = event_anchor(&ev);
                if (anchor)
                        kbc_ydiag_report(d->diag, d->file, line,
                                         "anchor '&%.*s' is not allowed in "
                                         "rule files (write each value out)",
                                         YDOC_EXCERPT_MAX, anchor);
                switch (ev.type) {
                case YAML_ALIAS_EVENT:
                        kbc_ydiag_report(d->diag, d->file, line,
                                         "alias '*%.*s' is not allowed in "
                                         "rule files (write each value out)",
                                         YDOC_EXCERPT_MAX,
                                         (const char *)ev.data.alias.anchor);
                        break;
                case YAML_DOCUMENT_START_EVENT:
                        if (++docs == 2) {
                                kbc_ydiag_report(d->diag, d->file, line,
                                                 "a second YAML document "
                                                 "(one rule per file)");
                                done = true;
                        }
                        break;
                case YAML_SEQUENCE_START_EVENT:
                case YAML_MAPPING_START_EVENT:
                        if (++depth > KBC_YDOC_MAX_DEPTH) {
                                kbc_ydiag_report(d->diag, d->file, line,
                                                 "nested deeper than %d "
                                                 "levels",
                                                 KBC_YDOC_MAX_DEPTH);
                                done = true;
                        }
                        break;
                case YAML_SEQUENCE_END_EVENT:
                case YAML_MAPPING_END_EVENT:
                        depth--;
                        break;
                case YAML_STREAM_END_EVENT:
                        done = true;
                        if (docs == 0)
                                kbc_ydiag_report(d->diag, d->file, 1,
                                                 "empty file (expected a "
                                                 "rule: a mapping with id, "
                                                 "title, signals...)");
                        break;
                default:
                        break;
                }
                yaml_event_delete(&ev);
        }
        yaml_parser_delete(&p);
        return d->diag->count - before;
}

int kbc_ydoc_load(kbc_ydoc *d, const char *file, const char *buf, size_t len,
                  kbc_ydiag *diag)
{
        yaml_parser_t p;
        int rc = -1;

        memset(d, 0, sizeof(*d));
        d->file = file;
        d->diag = diag;
        if (prescan(d, buf, len))
                return -1;
        if (!yaml_parser_initialize(&p)) {
                kbc_ydiag_report(diag, file, 0, "out of memory");
                return -1;
        }
        yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
        if (!yaml_parser_load(&p, &d->doc)) {
                /* The prescan parsed the same bytes: only memory is left
                 * to fail. */
                report_parser_error(d, &p, buf, len);
                goto out;
        }
        d->loaded = true;
        if (!yaml_document_get_root_node(&d->doc)) {
                /* "---" alone, or "--- ...": a document with nothing. */
                kbc_ydiag_report(diag, file, 1,
                                 "empty file (expected a rule: a mapping "
                                 "with id, title, signals...)");
                goto out;
        }
        rc = 0;
out:
        yaml_parser_delete(&p);
        return rc;
}

int kbc_ydoc_load_file(kbc_ydoc *d, const char *file, kbc_ydiag *diag)
{
        FILE *f = NULL;
        char *buf = NULL;
        size_t len = 0, cap = 0;
        int rc = -1;

        memset(d, 0, sizeof(*d));
        d->file = file;
        d->diag = diag;
        f = fopen(file, "rb");
        if (!f) {
                kbc_ydiag_report(diag, file, 0, "cannot open: %s",
                                 strerror(errno));
                goto out;
        }
        /* Read at most one byte past the cap, to tell "too large". */
        while (len <= KBC_YDOC_MAX_FILE) {
                if (len == cap) {
                        size_t ncap = cap ? cap * 2 : 16384;
                        char *nbuf = realloc(buf, ncap);
                        if (!nbuf) {
                                kbc_ydiag_report(diag, file, 0,
                                                 "out of memory");
                                goto out;
                        }
                        buf = nbuf;
                        cap = ncap;
                }
                size_t got = fread(buf + len, 1, cap - len, f);
                len += got;
                if (got == 0)
                        break;
        }
        if (len > KBC_YDOC_MAX_FILE) {
                kbc_ydiag_report(diag, file, 0,
                                 "larger than %u bytes; not a rule file",
                                 KBC_YDOC_MAX_FILE);
                goto out;
        }
        if (ferror(f)) {
                kbc_ydiag_report(diag, file, 0, "cannot read: %s",
                                 strerror(errno));
                goto out;
        }
        rc = kbc_ydoc_load(d, file, buf, len, diag);
out:
        if (f)
                fclose(f);
        free(buf);
        return rc;
}

void kbc_ydoc_free(kbc_ydoc *d)
{
        if (d->loaded)
                yaml_document_delete(&d->doc);
        d->loaded = false;
}

yaml_node_t *kbc_ydoc_root(kbc_ydoc *d)
{
        return d->loaded ? yaml_document_get_root_node(&d->doc) : NULL;
}

/* Copies up to max bytes of s, cut at a UTF-8 character boundary. */
static size_t excerpt_len(const char *s, size_t len, size_t max)
{
        if (len <= max)
                return len;
        while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
                max--;
        return max;
}

const char *kbc_ynode_describe(const yaml_node_t *n, char *buf, size_t size)
{
        if (!n)
                snprintf(buf, size, "nothing");
        else if (n->type == YAML_MAPPING_NODE)
                snprintf(buf, size, "a mapping");
        else if (n->type == YAML_SEQUENCE_NODE)
                snprintf(buf, size, "a list");
        else if (kbc_ynode_is_null(n))
                snprintf(buf, size, "no value");
        else {
                const char *s = (const char *)n->data.scalar.value;
                size_t len = n->data.scalar.length;
                size_t cut = excerpt_len(s, len, YDOC_EXCERPT_MAX);
                /* "quoted" explains why event_id: "2037" is no integer. */
                snprintf(buf, size, "%s'%.*s%s'",
                         n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE
                             ? ""
                             : "quoted ",
                         (int)cut, s, cut < len ? "..." : "");
        }
        return buf;
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
        size_t len = strlen(s);
        return n && n->type == YAML_SCALAR_NODE &&
               n->data.scalar.length == len &&
               !memcmp(n->data.scalar.value, s, len);
}

yaml_node_t *kbc_ydoc_get(kbc_ydoc *d, const yaml_node_t *map, const char *key)
{
        if (!kbc_ynode_is_map(map))
                return NULL;
        for (yaml_node_pair_t *pr = map->data.mapping.pairs.start;
             pr < map->data.mapping.pairs.top; pr++)
                if (scalar_is(yaml_document_get_node(&d->doc, pr->key), key))
                        return yaml_document_get_node(&d->doc, pr->value);
        return NULL;
}

size_t kbc_ydoc_seq_len(const yaml_node_t *seq)
{
        if (!kbc_ynode_is_seq(seq))
                return 0;
        return (size_t)(seq->data.sequence.items.top -
                        seq->data.sequence.items.start);
}

yaml_node_t *kbc_ydoc_seq_at(kbc_ydoc *d, const yaml_node_t *seq, size_t i)
{
        if (i >= kbc_ydoc_seq_len(seq))
                return NULL;
        return yaml_document_get_node(&d->doc,
                                      seq->data.sequence.items.start[i]);
}

size_t kbc_ydoc_map_len(const yaml_node_t *map)
{
        if (!kbc_ynode_is_map(map))
                return 0;
        return (size_t)(map->data.mapping.pairs.top -
                        map->data.mapping.pairs.start);
}

void kbc_ydoc_map_at(kbc_ydoc *d, const yaml_node_t *map, size_t i,
                     yaml_node_t **key, yaml_node_t **value)
{
        *key = *value = NULL;
        if (i >= kbc_ydoc_map_len(map))
                return;
        const yaml_node_pair_t *pr = &map->data.mapping.pairs.start[i];
        *key = yaml_document_get_node(&d->doc, pr->key);
        *value = yaml_document_get_node(&d->doc, pr->value);
}

const char *kbc_ynode_str(const yaml_node_t *n, size_t *len)
{
        if (!kbc_ynode_is_scalar(n))
                return NULL;
        if (len)
                *len = n->data.scalar.length;
        return (const char *)n->data.scalar.value;
}

static bool is_plain(const yaml_node_t *n)
{
        return kbc_ynode_is_scalar(n) &&
               n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

bool kbc_ynode_is_null(const yaml_node_t *n)
{
        if (!is_plain(n))
                return false;
        return n->data.scalar.length == 0 || scalar_is(n, "~") ||
               scalar_is(n, "null") || scalar_is(n, "Null") ||
               scalar_is(n, "NULL");
}

int kbc_ynode_int(const yaml_node_t *n, int64_t min, int64_t max, int64_t *out)
{
        if (!is_plain(n))
                return -1;
        const char *s = (const char *)n->data.scalar.value;
        size_t len = n->data.scalar.length, i = 0;
        bool neg = false;
        uint64_t v = 0, limit;

        if (i < len && (s[i] == '-' || s[i] == '+'))
                neg = s[i++] == '-';
        if (i == len)
                return -1;
        /* Accumulate the magnitude unsigned, so INT64_MIN fits. */
        limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        for (; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -1;
                unsigned digit = (unsigned)(s[i] - '0');
                if (v > (limit - digit) / 10)
                        return -1;
                v = v * 10 + digit;
        }
        int64_t r =
            neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v)
                : (int64_t)v;
        if (r < min || r > max)
                return -1;
        *out = r;
        return 0;
}

int kbc_ynode_bool(const yaml_node_t *n, bool *out)
{
        if (!is_plain(n))
                return -1;
        if (scalar_is(n, "true") || scalar_is(n, "True") ||
            scalar_is(n, "TRUE"))
                *out = true;
        else if (scalar_is(n, "false") || scalar_is(n, "False") ||
                 scalar_is(n, "FALSE"))
                *out = false;
        else
                return -1;
        return 0;
}

static size_t skip_digits(const char *s, size_t i, size_t len)
{
        while (i < len && s[i] >= '0' && s[i] <= '9')
                i++;
        return i;
}

int kbc_ynode_double(const yaml_node_t *n, double *out)
{
        if (!is_plain(n))
                return -1;
        const char *s = (const char *)n->data.scalar.value;
        size_t len = n->data.scalar.length, i = 0, d0;
        char *end;

        /* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? checked by
         * hand, because strtod alone also takes "inf", "nan", hex and
         * leading spaces. */
        if (i < len && (s[i] == '-' || s[i] == '+'))
                i++;
        d0 = i;
        i = skip_digits(s, i, len);
        bool int_digits = i > d0;
        if (i < len && s[i] == '.') {
                size_t f0 = ++i;
                i = skip_digits(s, i, len);
                if (!int_digits && i == f0)
                        return -1;
        } else if (!int_digits) {
                return -1;
        }
        if (i < len && (s[i] == 'e' || s[i] == 'E')) {
                i++;
                if (i < len && (s[i] == '-' || s[i] == '+'))
                        i++;
                size_t e0 = i;
                i = skip_digits(s, i, len);
                if (i == e0)
                        return -1;
        }
        if (i != len)
                return -1;
        errno = 0;
        double v = strtod(s, &end);
        if (end != s + len || !isfinite(v))
                return -1;
        *out = v;
        return 0;
}

size_t kbc_ydoc_check_keys(kbc_ydoc *d, const yaml_node_t *map,
                           const char *what, const char *const *valid)
{
        int first_line[YDOC_CHECKED_KEYS] = {0};
        char list[512], desc[YDOC_EXCERPT_MAX + 16];
        size_t nvalid = 0, o = 0, problems = 0;

        if (!kbc_ynode_is_map(map))
                return 0;
        list[0] = '\0';
        for (; valid[nvalid]; nvalid++) {
                int w = snprintf(list + o, sizeof(list) - o, "%s%s",
                                 nvalid ? ", " : "", valid[nvalid]);
                if (w > 0 && (size_t)w < sizeof(list) - o)
                        o += (size_t)w;
        }
        for (size_t i = 0; i < kbc_ydoc_map_len(map); i++) {
                yaml_node_t *key, *value;
                size_t k;

                kbc_ydoc_map_at(d, map, i, &key, &value);
                if (!kbc_ynode_is_scalar(key)) {
                        kbc_ydoc_report(
                            d, key,
                            "a key in %s is %s; keys are names "
                            "(valid: %s)",
                            what, kbc_ynode_describe(key, desc, sizeof(desc)),
                            list);
                        problems++;
                        continue;
                }
                for (k = 0; k < nvalid; k++)
                        if (scalar_is(key, valid[k]))
                                break;
                if (k == nvalid) {
                        kbc_ydoc_report(
                            d, key, "unknown key %s in %s (valid: %s)",
                            kbc_ynode_describe(key, desc, sizeof(desc)), what,
                            list);
                        problems++;
                } else if (k < YDOC_CHECKED_KEYS) {
                        if (first_line[k]) {
                                kbc_ydoc_report(d, key,
                                                "duplicate key '%s' in %s "
                                                "(first at line %d)",
                                                valid[k], what, first_line[k]);
                                problems++;
                        } else {
                                first_line[k] = kbc_ynode_line(key);
                        }
                }
        }
        return problems;
}
