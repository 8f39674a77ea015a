/*
 * prefilter.c - required literals of patterns, and a scan that finds all of
 * them in one pass over a message (see prefilter.h for the why).
 *
 * Scan: each literal is anchored on its rarest 8-byte gram (rarest among
 * all literals, so that common phrases anchor nothing). The grams sit in
 * a hash table behind a bit filter sized to them. The scan loads the 8
 * bytes at every position of the message, and only on a filter hit looks
 * the gram up and compares the whole literal in place. This is the
 * Rabin-Karp idea with fixed-width anchors, written by hand because on
 * these literals and real messages it scans faster than Debian's
 * vectorscan (which would also add a C++ dependency) and far faster than
 * a plain Aho-Corasick automaton: bench/bench_prefilter measures all three
 * (BENCHMARKS.md).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

#define GRAM        KBC_LITERAL_MIN /* bytes of an anchor */
#define RUN_MAX     256
#define QUOTE_CLASS "['\"\u2018\u2019\u201C\u201D]"

/* ---- normalization --------------------------------------------------- */

/* What normalization does with each byte: most bytes are copied lower
 * case; a table keeps the loop to one load and one branch per byte (it is
 * a third of the matcher's time per event with the whole KB). */
enum { COPY, SPACE, QUOTE, MAYBE_QUOTE, MAYBE_FOLD };

static const unsigned char byte_class[256] = {
    ['\t'] = SPACE,       ['\n'] = SPACE, ['\r'] = SPACE, ['\f'] = SPACE,
    ['\v'] = SPACE,       [' '] = SPACE,  ['\''] = QUOTE, ['"'] = QUOTE,
    [0xe2] = MAYBE_QUOTE, /* typographic quotes: E2 80 98/99/9C/9D */
    [0xc5] = MAYBE_FOLD,  /* U+017F, C5 BF */
};

/* The bytes of the character at s that caseless PCRE2 10.42 also takes
 * for an ASCII letter, that letter in *letter (U+017F LONG S is "s",
 * U+212A KELVIN SIGN is "k"; no other non-ASCII character matches an
 * ASCII letter or digit), or 0: a literal holds the ASCII letter, and must
 * be found where the pattern matches. */
static size_t ascii_fold(const unsigned char *s, size_t avail, char *letter)
{
        if (avail >= 2 && s[0] == 0xc5 && s[1] == 0xbf) {
                *letter = 's';
                return 2;
        }
        if (avail >= 3 && s[0] == 0xe2 && s[1] == 0x84 && s[2] == 0xaa) {
                *letter = 'k';
                return 3;
        }
        return 0;
}

static bool is_space(unsigned char c)
{
        return byte_class[c] == SPACE;
}

#ifdef __SSE2__
#include <emmintrin.h>

/* The 16 bytes at s, lower-cased, and a mask of those normalization must
 * look at one by one: whitespace and control bytes, quotes, 0xE2, 0xC5,
 * but not a single space followed by a byte that is copied (the common
 * case, kept as it is). Needs s[16] readable. */
static unsigned plain_run(const unsigned char *s, __m128i *lower)
{
        const __m128i sp = _mm_set1_epi8(' ');
        __m128i v = _mm_loadu_si128((const __m128i *)s);
        __m128i w = _mm_loadu_si128((const __m128i *)(s + 1));
#define SPECIAL(x)                                                             \
        _mm_or_si128(                                                          \
            _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, sp), x),               \
                         _mm_cmpeq_epi8(x, _mm_set1_epi8('\''))),              \
            _mm_or_si128(                                                      \
                _mm_cmpeq_epi8(x, _mm_set1_epi8('"')),                         \
                _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xe2)),     \
                             _mm_cmpeq_epi8(x, _mm_set1_epi8((char)0xc5)))))
        __m128i lone_space =
            _mm_andnot_si128(SPECIAL(w), _mm_cmpeq_epi8(v, sp));
        __m128i look = _mm_andnot_si128(lone_space, SPECIAL(v));
#undef SPECIAL
        __m128i upper =
            _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)),
                          _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), v));
        *lower = _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20)));
        return (unsigned)_mm_movemask_epi8(look);
}
#endif

/* Normalization runs over every message of every event, so it is a large
 * part of the matcher's time: with SSE2 (every x86-64) it copies the runs
 * of plain bytes 16 at a time and goes byte by byte only where something
 * changes (bench/bench_prefilter measures both). */
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
#ifdef __SSE2__
                /* Only between a copied byte and the next: a pending or
                 * leading space is the byte loop's to resolve. The store
                 * stays inside the reserved len bytes, since n <= i. */
                if (!space && n > 0 && i + 17 <= len) {
                        __m128i lower;
                        unsigned look = plain_run(s + i, &lower);
                        size_t k = look ? (size_t)__builtin_ctz(look) : 16;
                        _mm_storeu_si128((__m128i *)(o + n), lower);
                        n += k;
                        i += k;
                        if (k)
                                continue;
                }
#endif
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
                        /* maybe the Kelvin sign */
                        __attribute__((fallthrough));
                case MAYBE_FOLD: {
                        char letter;
                        size_t k = ascii_fold(s + i, len - i, &letter);
                        if (!k)
                                break;
                        if (space)
                                o[n++] = ' ';
                        space = false;
                        o[n++] = letter;
                        i += k;
                        continue;
                }
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
        char cur[RUN_MAX], best[RUN_MAX], second[RUN_MAX];
        size_t ncur, nbest, nsecond;
} run;

static void run_break(run *r)
{
        size_t start = 0, end = r->ncur, n;
        while (start < end && r->cur[start] == ' ')
                start++;
        while (end > start && r->cur[end - 1] == ' ')
                end--;
        n = end - start;
        if (n > r->nbest) {
                memcpy(r->second, r->best, r->nbest);
                r->nsecond = r->nbest;
                memcpy(r->best, r->cur + start, n);
                r->nbest = n;
        } else if (n > r->nsecond) {
                memcpy(r->second, r->cur + start, n);
                r->nsecond = n;
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
        /* A full run keeps its first RUN_MAX bytes, still required.
         * Closing it here would open a new run with this character, which
         * a "?" after it drops from the run it starts (a review found
         * the second literal made up that way). */
        if (r->ncur == RUN_MAX)
                return;
        r->cur[r->ncur++] = kbc_ascii_lower(c);
}

/* \cX is one character whatever X is: X must not be read as syntax
 * (\c[ is ESC, not a class; fuzz_prefilter found it). p is at the 'c'. */
static bool control_escape(const char *p)
{
        return p[0] == 'c' && p[1];
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
                if (*p == '\\' && p[1]) {
                        p += control_escape(p + 1) ? 2 : 1;
                } else if (*p == '[' && p[1] && strchr(":=.", p[1])) {
                        /* [:alpha:], [=a=], [.a.]: their "]" is theirs */
                        const char *e = p + 2;
                        while (*e && !(e[0] == p[1] && e[1] == ']'))
                                e++;
                        if (!*e)
                                return NULL;
                        p = e + 1;
                } else if (*p == ']') {
                        return p;
                }
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

/* Skips the argument of escape d, p after d: \x41 or \x{41}, \o{101},
 * \p{L} or \pL, \N{U+41}, \g1, \g{-1}, \g<name>, \k<name>, and the
 * digits of \0 (octal) and \1 (a reference or octal). Skipping more
 * than PCRE2 reads only shortens the run after it; less would take part
 * of the argument for literal text (a review found \x41bc read as
 * "41bc"). Other escapes take none: the "{" of \e{ is a character. */
static const char *skip_escape_arg(char d, const char *p)
{
        if (*p == '{' && strchr("xopPNgk", d)) {
                const char *e = strchr(p, '}');
                return e ? e + 1 : p;
        }
        if ((d == 'g' || d == 'k') && (*p == '<' || *p == '\'')) {
                const char *e = strchr(p + 1, *p == '<' ? '>' : '\'');
                return e ? e + 1 : p;
        }
        if (d == 'g' && (*p == '+' || *p == '-'))
                p++;
        if (d == 'x')
                for (int n = 0; n < 2 && isxdigit((unsigned char)*p); n++)
                        p++;
        if ((d == 'p' || d == 'P') && *p)
                p++;
        if (d == 'g' || (d >= '0' && d <= '9'))
                while (*p >= '0' && *p <= '9')
                        p++;
        return p;
}

/* Whether an option setting turns on extended mode, (?x) or (?ix:
 * alike, in which whitespace is no literal. */
static bool extended(const char *pattern)
{
        for (const char *p = pattern; (p = strstr(p, "(?")); p++)
                for (const char *o = p + 2;
                     isalpha((unsigned char)*o) || *o == '^' || *o == '-'; o++)
                        if (*o == 'x')
                                return true;
        return false;
}

static size_t no_literals(const char *lits[2])
{
        lits[0] = lits[1] = NULL;
        return 0;
}

size_t kbc_regex_literals(kbc_arena *a, const char *pattern,
                          const char *lits[2])
{
        run r = {.ncur = 0, .nbest = 0, .nsecond = 0};
        const char *p = pattern;
        int depth = 0;
        size_t before = 0; /* run length before the last atom */
        bool last_literal = false;

        if (extended(pattern) || strstr(pattern, "(*"))
                return no_literals(
                    lits); /* whitespace or verbs change the meaning */
        while (*p) {
                char c = *p;
                if (depth > 0) {
                        if (c == '\\' && p[1] == 'Q') {
                                /* quoted to \E: no syntax in between */
                                const char *e = strstr(p + 2, "\\E");
                                p = e ? e + 1 : p + strlen(p) - 1;
                        } else if (c == '\\' && p[1])
                                p += control_escape(p + 1) ? 2 : 1;
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
                        return no_literals(lits); /* either side may match */
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
                                return no_literals(lits);
                        run_break(&r);
                        p = e + 1;
                        continue;
                }
                case '\\': {
                        char d = p[1];
                        if (!d)
                                return no_literals(lits);
                        if ((unsigned char)d >= 0x80) {
                                /* \Ж is Ж, all of its bytes, which the
                                 * non-ASCII rule below takes (a quantifier
                                 * after it applies to the whole character;
                                 * fuzz_prefilter found one kept as a lone
                                 * lead byte). */
                                p++;
                                continue;
                        }
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
                                        return no_literals(lits);
                                p = control_escape(p - 1)
                                        ? p + 1
                                        : skip_escape_arg(d, p);
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
        lits[0] = r.nbest >= KBC_LITERAL_MIN
                      ? kbc_arena_strndup(a, r.best, r.nbest)
                      : NULL;
        lits[1] = lits[0] && r.nsecond >= KBC_LITERAL_MIN
                      ? kbc_arena_strndup(a, r.second, r.nsecond)
                      : NULL;
        return (lits[0] != NULL) + (lits[1] != NULL);
}

const char *kbc_regex_literal(kbc_arena *a, const char *pattern)
{
        const char *lits[2];
        kbc_regex_literals(a, pattern, lits);
        return lits[0];
}

/* ---- the scan -------------------------------------------------------- */

/* Up to this many distinct anchor grams (a small rule set: a SOC's own
 * rules without the KB), the scan compares 16 positions at a time with
 * each gram's first and last byte instead of hashing every position: the
 * filter costs about 8 instructions a byte whatever the rule set, and was
 * a quarter of a replay's instructions with the 2 curated rules
 * (BENCHMARKS.md, "The prefilter with few literals"). */
#define FEW_GRAMS 8

/* Each literal is anchored on one of its 8-byte grams, the one rarest
 * among all literals. Why 8 and not 4: a gram rare among the literals can
 * still be common in logs ("ows\" of every Windows path anchored
 * "c:\windows\vnetware.386"); with 4-byte grams 90% of the probes that
 * passed the filter found such an anchor and then no literal, and the
 * scan cost 2.4 us an event with the whole KB. Eight bytes are rare in
 * logs too; BENCHMARKS.md has the figures. */
typedef struct anchor {
        uint32_t literal;
        uint32_t offset; /* of the gram in the literal */
} anchor;

typedef struct gram_slot {
        uint64_t gram;
        uint32_t first, count; /* range in anchors[]; count 0 = empty */
} gram_slot;

struct kbc_prefilter {
        const char *const *literals;
        size_t *lengths;
        gram_slot *slots;
        size_t nslots; /* a power of two */
        anchor *anchors;
        size_t nanchors;
        uint64_t *filter;
        unsigned filter_bits; /* log2 of the filter's size in bits */
        /* The anchors' distinct grams, when there are few (few_scan). */
        uint64_t few[FEW_GRAMS];
        size_t nfew; /* 0: too many */
};

static uint64_t load_gram(const char *s)
{
        uint64_t g;
        memcpy(&g, s, sizeof(g));
        return g;
}

static uint64_t mix(uint64_t g)
{
        return g * 0x9e3779b97f4a7c15ull;
}

static uint32_t filter_bit(const kbc_prefilter *p, uint64_t g)
{
        return (uint32_t)(mix(g) >> (64 - p->filter_bits));
}

static bool in_filter(const kbc_prefilter *p, uint64_t g)
{
        uint32_t b = filter_bit(p, g);
        return p->filter[b / 64] & (1ull << (b % 64));
}

/* About 64 bits per anchor, so that under 2% of them are set, between 4
 * Kbit and 1 Mbit: the filter is read at every byte of every message, so
 * a small rule set's stays in L1 and the whole KB's (23,000 anchors) in
 * L2. A 64 Kbit filter for the whole KB had a third of its bits set and
 * lost a third of the scan time to false probes. */
static unsigned filter_bits_for(size_t nanchors)
{
        unsigned bits = 12;
        while (bits < 20 && (1ull << bits) < 64 * (uint64_t)nanchors)
                bits++;
        return bits;
}

static gram_slot *slot_for(const kbc_prefilter *p, uint64_t g)
{
        size_t mask = p->nslots - 1;
        size_t i = (size_t)(mix(g) >> 20) & mask;
        while (p->slots[i].count && p->slots[i].gram != g)
                i = (i + 1) & mask;
        return &p->slots[i];
}

/* How common each gram is among all literals, counted by a 20-bit hash of
 * it: a collision only makes a gram look commoner, and 4 MB do for any
 * rule set (an exact table of every gram was 67 MB for the whole KB). */
#define COUNT_BITS 20

static uint32_t count_slot(uint64_t g)
{
        return (uint32_t)(mix(g) >> (64 - COUNT_BITS));
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

/* Lays the anchors out by gram: counts them per slot, gives each slot its
 * range, then fills. The second pass inserts the same grams in the same
 * order, so each lands in the slot it had. */
static void place_anchors(kbc_prefilter *p, size_t n, const uint32_t *chosen)
{
        for (int fill = 0; fill < 2; fill++) {
                for (size_t i = 0; i < n; i++) {
                        if (p->lengths[i] < GRAM)
                                continue;
                        uint64_t g = load_gram(p->literals[i] + chosen[i]);
                        gram_slot *s = slot_for(p, g);
                        if (fill) {
                                p->anchors[s->first + s->count] =
                                    (anchor){(uint32_t)i, chosen[i]};
                                uint32_t b = filter_bit(p, g);
                                p->filter[b / 64] |= 1ull << (b % 64);
                        }
                        s->gram = g;
                        s->count++;
                }
                for (size_t k = 0; !fill && k < p->nslots; k++) {
                        p->slots[k].first = (uint32_t)p->nanchors;
                        p->nanchors += p->slots[k].count;
                        p->slots[k].count = 0;
                }
        }
}

kbc_prefilter *kbc_prefilter_build(const char *const *literals, size_t n)
{
        kbc_prefilter *p = calloc(1, sizeof(*p));
        size_t nanchored = 0;
        if (!p)
                return NULL;
        p->literals = literals;
        p->lengths = calloc(n + 1, sizeof(*p->lengths));
        uint32_t *chosen = calloc(n + 1, sizeof(*chosen));
        uint32_t *counts = calloc(1u << COUNT_BITS, sizeof(*counts));
        if (!p->lengths || !chosen || !counts)
                goto fail;
        /* Count every gram of every literal, anchor each literal on its
         * rarest one... */
        for (size_t i = 0; i < n; i++) {
                size_t len = literals[i] ? strlen(literals[i]) : 0;
                p->lengths[i] = len;
                nanchored += len >= GRAM;
                for (size_t o = 0; o + GRAM <= len; o++)
                        counts[count_slot(load_gram(literals[i] + o))]++;
        }
        for (size_t i = 0; i < n; i++)
                chosen[i] = rarest_gram(counts, literals[i], p->lengths[i]);
        /* ...and lay the anchors out by gram. */
        p->nslots = 16;
        while (p->nslots < nanchored * 2)
                p->nslots *= 2;
        p->slots = calloc(p->nslots, sizeof(*p->slots));
        p->anchors = calloc(nanchored + 1, sizeof(*p->anchors));
        p->filter_bits = filter_bits_for(nanchored);
        p->filter = calloc((1u << p->filter_bits) / 64, sizeof(*p->filter));
        if (!p->slots || !p->anchors || !p->filter)
                goto fail;
        place_anchors(p, n, chosen);
        for (size_t k = 0; k < p->nslots; k++)
                if (p->slots[k].count && p->nfew++ < FEW_GRAMS)
                        p->few[p->nfew - 1] = p->slots[k].gram;
        if (p->nfew > FEW_GRAMS)
                p->nfew = 0;
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
        free(p->filter);
        free(p);
}

/* The literals anchored on gram g at text + i; the rare path, kept out of
 * the scan loop. */
static size_t __attribute__((noinline))
probe(const kbc_prefilter *p, uint64_t g, const char *text, size_t len,
      size_t i, uint32_t *marks, uint32_t stamp, uint32_t *found)
{
        const gram_slot *s = slot_for(p, g);
        size_t nfound = 0;
        for (uint32_t k = 0; k < s->count; k++) {
                const anchor *an = &p->anchors[s->first + k];
                size_t litlen = p->lengths[an->literal];
                if (i < an->offset || i - an->offset + litlen > len ||
                    marks[an->literal] == stamp ||
                    memcmp(text + i - an->offset, p->literals[an->literal],
                           litlen))
                        continue;
                marks[an->literal] = stamp;
                found[nfound++] = an->literal;
        }
        return nfound;
}

#ifdef __SSE2__
/* The scan of the positions before *end when there are few grams: only
 * where some gram's first and last bytes both match is the position
 * probed (as the filter would: no literal is found that it misses, and in
 * the same order). Leaves *end at the first position not looked at. */
static size_t few_scan(const kbc_prefilter *p, const char *text, size_t len,
                       size_t *end, uint32_t *marks, uint32_t stamp,
                       uint32_t *found)
{
        __m128i first[FEW_GRAMS], last[FEW_GRAMS];
        for (size_t k = 0; k < p->nfew; k++) {
                first[k] = _mm_set1_epi8((char)(p->few[k] & 0xff));
                last[k] = _mm_set1_epi8((char)(p->few[k] >> 56));
        }
        size_t nfound = 0, i = 0;
        for (; i + GRAM - 1 + 16 <= len; i += 16) {
                __m128i a = _mm_loadu_si128((const __m128i *)(text + i));
                __m128i b =
                    _mm_loadu_si128((const __m128i *)(text + i + GRAM - 1));
                __m128i hit = _mm_setzero_si128();
                for (size_t k = 0; k < p->nfew; k++)
                        hit = _mm_or_si128(
                            hit, _mm_and_si128(_mm_cmpeq_epi8(a, first[k]),
                                               _mm_cmpeq_epi8(b, last[k])));
                for (unsigned m = (unsigned)_mm_movemask_epi8(hit); m;
                     m &= m - 1) {
                        size_t at = i + (size_t)__builtin_ctz(m);
                        uint64_t g = load_gram(text + at);
                        if (in_filter(p, g))
                                nfound += probe(p, g, text, len, at, marks,
                                                stamp, found + nfound);
                }
        }
        *end = i;
        return nfound;
}
#endif

size_t kbc_prefilter_scan(const kbc_prefilter *p, const char *text, size_t len,
                          uint32_t *marks, uint32_t stamp, uint32_t *found)
{
        size_t nfound = 0, i = 0;
#ifdef __SSE2__
        if (p->nfew)
                nfound = few_scan(p, text, len, &i, marks, stamp, found);
#endif
        for (; i + GRAM <= len; i++) {
                uint64_t g = load_gram(text + i);
                if (in_filter(p, g))
                        nfound += probe(p, g, text, len, i, marks, stamp,
                                        found + nfound);
        }
        return nfound;
}
