/*
 * prefilter.c - required literals of patterns, and a scan that finds all of
 * them in one pass over a message (see prefilter.h for the why).
 *
 * Scan: each literal is anchored on its rarest 4-byte gram (rarest among
 * all literals, so that common words such as "the " anchor nothing). The
 * grams sit in a hash table behind a 1 Mbit filter (128 KB, stays in L2;
 * with the whole KB 2.5% of its bits are set, where a 64 Kbit one had a
 * third set and lost a third of the scan time to false probes). The scan
 * loads the 4 bytes at every position of the message, and only on a
 * filter hit looks the gram up and compares the whole literal in place.
 * This is the Rabin-Karp idea with fixed-width anchors: written by hand
 * because Debian's vectorscan would add a C++ dependency for a job this
 * small, and bench/ measures what it does per event.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

#define GRAM        4
#define FILTER_BITS 20
#define RUN_MAX     256
#define QUOTE_CLASS "['\"\u2018\u2019\u201C\u201D]"

/* ---- normalization --------------------------------------------------- */

/* What normalization does with each byte: most bytes are copied lower
 * case; a table keeps the loop to one load and one branch per byte (it is
 * a third of the matcher's time per event with the whole KB). */
enum { COPY, SPACE, QUOTE, MAYBE_QUOTE };

static const unsigned char byte_class[256] = {
    ['\t'] = SPACE,       ['\n'] = SPACE, ['\r'] = SPACE, ['\f'] = SPACE,
    ['\v'] = SPACE,       [' '] = SPACE,  ['\''] = QUOTE, ['"'] = QUOTE,
    [0xe2] = MAYBE_QUOTE, /* typographic quotes: E2 80 98/99/9C/9D */
};

static bool is_space(unsigned char c)
{
        return byte_class[c] == SPACE;
}

void kbc_prefilter_normalize(const char *in, size_t len, kbc_buf *out)
{
        const unsigned char *s = (const unsigned char *)in;
        bool space = false;
        kbc_buf_reset(out);
        if (kbc_buf_reserve(out, len))
                return;
        char *o = out->data;
        size_t n = 0;
        for (size_t i = 0; i < len;) {
                unsigned char c = s[i];
                switch (byte_class[c]) {
                case SPACE:
                        space = n > 0;
                        i++;
                        continue;
                case QUOTE:
                        i++;
                        continue;
                case MAYBE_QUOTE:
                        if (kbc_quote_len(s + i, len - i)) {
                                i += 3;
                                continue;
                        }
                        break;
                }
                if (space)
                        o[n++] = ' ';
                space = false;
                o[n++] = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);
                i++;
        }
        o[n] = '\0';
        out->len = n;
}

/* ---- literal extraction ---------------------------------------------- */

typedef struct run {
        char cur[RUN_MAX], best[RUN_MAX];
        size_t ncur, nbest;
} run;

static void run_break(run *r)
{
        size_t start = 0, end = r->ncur;
        while (start < end && r->cur[start] == ' ')
                start++;
        while (end > start && r->cur[end - 1] == ' ')
                end--;
        if (end - start > r->nbest) {
                memcpy(r->best, r->cur + start, end - start);
                r->nbest = end - start;
        }
        r->ncur = 0;
}

/* Appends one literal character the way normalization would see it. */
static void run_add(run *r, char c)
{
        if (c == '\'' || c == '"')
                return;
        if (is_space((unsigned char)c)) {
                if (!r->ncur || r->cur[r->ncur - 1] == ' ')
                        return;
                c = ' ';
        }
        if (r->ncur == RUN_MAX)
                run_break(r);
        r->cur[r->ncur++] = kbc_ascii_lower(c);
}

/* End of the character class starting at p (the '['); NULL if open. */
static const char *class_end(const char *p)
{
        p++;
        if (*p == '^')
                p++;
        if (*p == ']')
                p++;
        for (; *p; p++) {
                if (*p == '\\' && p[1])
                        p++;
                else if (*p == ']')
                        return p;
        }
        return NULL;
}

/* A {n}, {n,} or {n,m} quantifier at p: its length, and n. */
static size_t brace_quantifier(const char *p, long *min)
{
        const char *q = p + 1;
        if (*q < '0' || *q > '9')
                return 0;
        *min = strtol(q, (char **)&q, 10);
        if (*q == ',') {
                q++;
                while (*q >= '0' && *q <= '9')
                        q++;
        }
        return *q == '}' ? (size_t)(q - p) + 1 : 0;
}

/* Skips an escape's argument such as \x{41}, \p{L}, \x41. */
static const char *skip_escape_arg(const char *p)
{
        if (*p == '{') {
                const char *e = strchr(p, '}');
                return e ? e + 1 : p;
        }
        return p;
}

const char *kbc_regex_literal(kbc_arena *a, const char *pattern)
{
        run r = {.ncur = 0, .nbest = 0};
        const char *p = pattern;
        int depth = 0;
        size_t before = 0; /* run length before the last atom */
        bool last_literal = false;

        if (strstr(pattern, "(?x") || strstr(pattern, "(*"))
                return NULL; /* whitespace or verbs change the meaning */
        while (*p) {
                char c = *p;
                if (depth > 0) {
                        if (c == '\\' && p[1])
                                p++;
                        else if (c == '[')
                                p = class_end(p) ? class_end(p) : p;
                        else if (c == '(')
                                depth++;
                        else if (c == ')')
                                depth--;
                        p++;
                        continue;
                }
                long min = 0;
                size_t qlen = 0;
                if (c == '?' || c == '*' ||
                    (c == '{' && (qlen = brace_quantifier(p, &min)) && !min)) {
                        /* The atom before may be absent: drop it. */
                        if (last_literal)
                                r.ncur = before;
                        run_break(&r);
                        p += qlen ? qlen : 1;
                        if (*p == '?' || *p == '+')
                                p++;
                        last_literal = false;
                        continue;
                }
                if (c == '+' || qlen) {
                        /* At least once: keep it, but nothing may follow
                         * it in the same run. */
                        run_break(&r);
                        p += qlen ? qlen : 1;
                        if (*p == '?' || *p == '+')
                                p++;
                        last_literal = false;
                        continue;
                }
                before = r.ncur;
                last_literal = false;
                switch (c) {
                case '|':
                        return NULL; /* either side may match */
                case '(':
                        depth++;
                        run_break(&r);
                        p++;
                        continue;
                case '^':
                case '$':
                        p++;
                        continue;
                case '.':
                        run_break(&r);
                        p++;
                        continue;
                case '[': {
                        size_t ql = strlen(QUOTE_CLASS);
                        if (!strncmp(p, QUOTE_CLASS, ql) && p[ql] == '?') {
                                p += ql + 1; /* normalization drops quotes */
                                continue;
                        }
                        const char *e = class_end(p);
                        if (!e)
                                return NULL;
                        run_break(&r);
                        p = e + 1;
                        continue;
                }
                case '\\': {
                        char d = p[1];
                        if (!d)
                                return NULL;
                        p += 2;
                        if (strchr("bBAzZG", d))
                                continue; /* zero-width */
                        if (d == 's' && *p == '+') {
                                /* One or more blanks: one space once
                                 * normalized, and still a literal run. */
                                p += 1 + (p[1] == '?');
                                run_add(&r, ' ');
                                continue;
                        }
                        if (d == 's') {
                                run_add(&r, ' ');
                                last_literal = true;
                                continue;
                        }
                        if ((d >= 'a' && d <= 'z') || (d >= 'A' && d <= 'Z') ||
                            (d >= '0' && d <= '9')) {
                                if (d == 'Q' || d == 'E')
                                        return NULL;
                                p = skip_escape_arg(p);
                                run_break(&r);
                                continue;
                        }
                        run_add(&r, d);
                        last_literal = true;
                        continue;
                }
                default:
                        if ((unsigned char)c >= 0x80) {
                                /* Caseless UTF matching folds non-ASCII
                                 * letters; normalization does not. */
                                run_break(&r);
                        } else {
                                run_add(&r, c);
                                last_literal = true;
                        }
                        p++;
                }
        }
        run_break(&r);
        return r.nbest >= KBC_LITERAL_MIN
                   ? kbc_arena_strndup(a, r.best, r.nbest)
                   : NULL;
}

/* ---- the scan -------------------------------------------------------- */

typedef struct anchor {
        uint32_t signal;
        uint32_t offset; /* of the gram in the literal */
} anchor;

typedef struct gram_slot {
        uint32_t gram;
        uint32_t first, count; /* range in anchors[] */
        bool used;
} gram_slot;

struct kbc_prefilter {
        const char *const *literals;
        size_t *lengths;
        gram_slot *slots;
        size_t nslots;
        anchor *anchors;
        uint64_t filter[(1u << FILTER_BITS) / 64];
};

static uint32_t load_gram(const char *s)
{
        uint32_t g;
        memcpy(&g, s, sizeof(g));
        return g;
}

static uint32_t gram_hash(uint32_t g)
{
        return (g * 2654435761u) >> (32 - FILTER_BITS);
}

static gram_slot *slot_for(gram_slot *slots, size_t nslots, uint32_t g)
{
        size_t i = (g * 2246822519u) & (nslots - 1);
        while (slots[i].used && slots[i].gram != g)
                i = (i + 1) & (nslots - 1);
        return &slots[i];
}

/* How common each gram is among all literals, counted by a 20-bit hash of
 * it: a collision only makes a gram look commoner, and 4 MB do for any
 * rule set (an exact table of every gram was 67 MB for the whole KB). */
#define COUNT_BITS 20

static uint32_t count_slot(uint32_t g)
{
        return (g * 2246822519u) >> (32 - COUNT_BITS);
}

/* The offset of the literal's rarest gram. */
static uint32_t rarest_gram(const uint32_t *counts, const char *lit, size_t len)
{
        uint32_t best = UINT32_MAX, at = 0;
        for (size_t o = 0; o + GRAM <= len; o++) {
                uint32_t c = counts[count_slot(load_gram(lit + o))];
                if (c < best) {
                        best = c;
                        at = (uint32_t)o;
                }
        }
        return at;
}

/* Anchors literal i on chosen[i]; with fill false only counts it. */
static void place_anchors(kbc_prefilter *p, const char *const *literals,
                          size_t n, const uint32_t *chosen, bool fill)
{
        for (size_t i = 0; i < n; i++) {
                if (p->lengths[i] < GRAM)
                        continue;
                uint32_t g = load_gram(literals[i] + chosen[i]);
                gram_slot *s = slot_for(p->slots, p->nslots, g);
                if (fill) {
                        p->anchors[s->first + s->count] =
                            (anchor){(uint32_t)i, chosen[i]};
                        p->filter[gram_hash(g) / 64] |= 1ull
                                                        << (gram_hash(g) % 64);
                }
                s->used = true;
                s->gram = g;
                s->count++;
        }
}

kbc_prefilter *kbc_prefilter_build(const char *const *literals, size_t n)
{
        kbc_prefilter *p = calloc(1, sizeof(*p));
        size_t nanchored = 0, nanchors = 0;
        if (!p)
                return NULL;
        p->literals = literals;
        p->lengths = calloc(n + 1, sizeof(*p->lengths));
        p->anchors = calloc(n + 1, sizeof(*p->anchors));
        uint32_t *chosen = calloc(n + 1, sizeof(*chosen));
        uint32_t *counts = calloc(1u << COUNT_BITS, sizeof(*counts));
        if (!p->lengths || !p->anchors || !chosen || !counts)
                goto fail;
        /* Count every gram of every literal, anchor each literal on its
         * rarest one... */
        for (size_t i = 0; i < n; i++) {
                size_t len = literals[i] ? strlen(literals[i]) : 0;
                p->lengths[i] = len;
                nanchored += len >= GRAM;
                for (size_t o = 0; len >= GRAM && o + GRAM <= len; o++)
                        counts[count_slot(load_gram(literals[i] + o))]++;
        }
        for (size_t i = 0; i < n; i++)
                chosen[i] = rarest_gram(counts, literals[i], p->lengths[i]);
        /* ...and lay the anchors out by gram. */
        p->nslots = 16;
        while (p->nslots < nanchored * 2)
                p->nslots *= 2;
        p->slots = calloc(p->nslots, sizeof(*p->slots));
        if (!p->slots)
                goto fail;
        place_anchors(p, literals, n, chosen, false);
        for (size_t i = 0; i < p->nslots; i++) {
                p->slots[i].first = (uint32_t)nanchors;
                nanchors += p->slots[i].count;
                p->slots[i].count = 0;
        }
        place_anchors(p, literals, n, chosen, true);
        free(counts);
        free(chosen);
        return p;
fail:
        free(counts);
        free(chosen);
        kbc_prefilter_free(p);
        return NULL;
}

void kbc_prefilter_free(kbc_prefilter *p)
{
        if (!p)
                return;
        free(p->lengths);
        free(p->slots);
        free(p->anchors);
        free(p);
}

size_t kbc_prefilter_scan(const kbc_prefilter *p, const char *text, size_t len,
                          uint32_t *marks, uint32_t stamp, uint32_t *found)
{
        size_t nfound = 0;
        for (size_t i = 0; i + GRAM <= len; i++) {
                uint32_t g = load_gram(text + i);
                uint32_t h = gram_hash(g);
                if (!(p->filter[h / 64] & (1ull << (h % 64))))
                        continue;
                const gram_slot *s = slot_for(p->slots, p->nslots, g);
                if (!s->used || !s->count)
                        continue;
                for (uint32_t k = 0; k < s->count; k++) {
                        const anchor *an = &p->anchors[s->first + k];
                        size_t litlen = p->lengths[an->signal];
                        if (i < an->offset || i - an->offset + litlen > len ||
                            marks[an->signal] == stamp ||
                            memcmp(text + i - an->offset,
                                   p->literals[an->signal], litlen))
                                continue;
                        marks[an->signal] = stamp;
                        found[nfound++] = an->signal;
                }
        }
        return nfound;
}
