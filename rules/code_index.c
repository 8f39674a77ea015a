/*
 * code_index.c - error code signals by value (code_index.h).
 *
 * Where a code pattern's short forms can match, in the text: the short
 * form's digits right after "0x", as a whole run of hex digits; the
 * decimal form's digits after an error word, which end a run of hex
 * digits ("code13" is the run "de13"). A long form is a whole run of
 * its length: looked up here when it is shorter than the prefilter's
 * literals, or when the prefilter had no text to scan.
 */
#define _GNU_SOURCE /* memmem */
#include <string.h>

#include "code_index.h"
#include "kbc_hash.h"
#include "prefilter.h"

typedef struct code_slot {
        uint64_t value;
        const struct kbc_signal **signals; /* NULL: empty slot */
        size_t nsignals;
} code_slot;

struct kbc_code_index {
        kbc_arena *arena;
        code_slot *slots;
        size_t nslots; /* a power of two, at least twice the signals */
        size_t nfiled;
        uint32_t long_digits;     /* bit n: a long form of n digits is filed */
        uint32_t bare_digits;     /* those too short for the prefilter */
        bool short_form, decimal; /* such forms are filed */
};

enum { OTHER, DIGIT, HEX_LETTER };

static const unsigned char hex_class[256] = {
    ['0'] = DIGIT,      ['1'] = DIGIT,      ['2'] = DIGIT,
    ['3'] = DIGIT,      ['4'] = DIGIT,      ['5'] = DIGIT,
    ['6'] = DIGIT,      ['7'] = DIGIT,      ['8'] = DIGIT,
    ['9'] = DIGIT,      ['a'] = HEX_LETTER, ['b'] = HEX_LETTER,
    ['c'] = HEX_LETTER, ['d'] = HEX_LETTER, ['e'] = HEX_LETTER,
    ['f'] = HEX_LETTER, ['A'] = HEX_LETTER, ['B'] = HEX_LETTER,
    ['C'] = HEX_LETTER, ['D'] = HEX_LETTER, ['E'] = HEX_LETTER,
    ['F'] = HEX_LETTER,
};

kbc_code_index *kbc_code_index_new(kbc_arena *a, size_t max)
{
        kbc_code_index *ci = kbc_arena_alloc(a, sizeof(*ci));
        if (!ci)
                return NULL;
        memset(ci, 0, sizeof(*ci));
        ci->arena = a;
        ci->nslots = 16;
        while (ci->nslots < max * 2)
                ci->nslots *= 2;
        ci->slots = kbc_arena_alloc(a, ci->nslots * sizeof(*ci->slots));
        if (!ci->slots)
                return NULL;
        memset(ci->slots, 0, ci->nslots * sizeof(*ci->slots));
        return ci;
}

static code_slot *slot_of(const kbc_code_index *ci, uint64_t value)
{
        size_t mask = ci->nslots - 1;
        size_t i = kbc_fnv64(KBC_FNV64_INIT, &value, sizeof(value)) & mask;
        while (ci->slots[i].signals && ci->slots[i].value != value)
                i = (i + 1) & mask;
        return &ci->slots[i];
}

int kbc_code_index_add(kbc_code_index *ci, const kbc_code_shape *shape,
                       const struct kbc_signal *s)
{
        code_slot *slot = slot_of(ci, shape->value);
        /* Signals of one value are few (seven rules name 0x00000004): the
         * list grows by copying, in the arena, a power of two at a time. */
        size_t n = slot->nsignals;
        if (!slot->signals || (n & (n - 1)) == 0) {
                const struct kbc_signal **grown = kbc_arena_alloc(
                    ci->arena, (n ? n * 2 : 1) * sizeof(*grown));
                if (!grown)
                        return -1;
                if (n)
                        memcpy(grown, slot->signals, n * sizeof(*grown));
                slot->signals = grown;
        }
        slot->value = shape->value;
        slot->signals[slot->nsignals++] = s;
        ci->nfiled++;
        ci->long_digits |= 1u << shape->digits;
        if (shape->digits < KBC_LITERAL_MIN)
                ci->bare_digits |= 1u << shape->digits;
        ci->short_form |= shape->short_form;
        ci->decimal |= shape->decimal;
        return 0;
}

typedef struct visit {
        void (*each)(void *arg, const struct kbc_signal *s);
        void *arg;
} visit;

static void lookup(const kbc_code_index *ci, uint64_t value, const visit *v)
{
        const code_slot *slot = slot_of(ci, value);
        for (size_t i = 0; slot->signals && i < slot->nsignals; i++)
                v->each(v->arg, slot->signals[i]);
}

static uint64_t hex_value(const unsigned char *s, size_t len)
{
        uint64_t v = 0;
        for (size_t i = 0; i < len; i++)
                v = v << 4 |
                    (hex_class[s[i]] == DIGIT ? s[i] - '0'
                                              : (s[i] | 0x20) - 'a' + 10);
        return v;
}

static bool is_hex(unsigned char c)
{
        return hex_class[c] != OTHER;
}

/* The error words a short form of a code up to KBC_CODE_PLAIN_MAX
 * follows, as the scans look for them: ASCII, any case. PCRE2 10.42
 * matches a caseless "s" with U+017F too, so "status" is its "tatu"; no
 * other letter here has a non-ASCII case (checked against PCRE2). */
static const char *const error_words[] = {"error", "tatu", "value", "code"};

/* How far before its "0x" a short form's error word can start: 8 bytes
 * for "ſtatuſ", and \W{0,4} between, 4 characters of up to 4 bytes. */
#define ERROR_WORD_REACH 24

/* Whether an error word lies in the ERROR_WORD_REACH bytes before zero,
 * the "0" of a "0x", within the text from s. Sysmon and Security events
 * are full of "0x" values (access masks, flags) far from any error word;
 * each would run the patterns of its code over the whole message. */
static bool error_word_before(const unsigned char *s, const unsigned char *zero)
{
        const unsigned char *from =
            zero - s > ERROR_WORD_REACH ? zero - ERROR_WORD_REACH : s;
        kbc_str window =
            kbc_str_make((const char *)from, (size_t)(zero - from));
        for (size_t i = 0; i < sizeof(error_words) / sizeof(*error_words); i++)
                if (kbc_str_casefind(window, error_words[i]) >= 0)
                        return true;
        return false;
}

/* The digits after each "0x": the short forms. A code up to
 * KBC_CODE_PLAIN_MAX has them only after an error word; its long form is
 * the prefilter's, or the runs' below. */
static void after_0x(const kbc_code_index *ci, const unsigned char *s,
                     size_t len, const visit *v)
{
        for (int upper = 0; upper <= 1; upper++) {
                const unsigned char *p = s + 1, *end = s + len;
                while (p < end &&
                       (p = memchr(p, upper ? 'X' : 'x', (size_t)(end - p)))) {
                        const unsigned char *d = ++p;
                        while (p < end && is_hex(*p))
                                p++;
                        if (d[-2] != '0' || p == d || p - d > 16)
                                continue;
                        uint64_t value = hex_value(d, (size_t)(p - d));
                        if (value > KBC_CODE_PLAIN_MAX ||
                            error_word_before(s, d - 2))
                                lookup(ci, value, v);
                }
        }
}

/* The values a run of hex digits s[0..len) may be: a long form of a
 * length in digits (a mask, bit n for n digits), and when decimal, the
 * digits it ends with. */
static void run_values(const kbc_code_index *ci, const unsigned char *s,
                       size_t len, uint32_t digits, bool decimal,
                       const visit *v)
{
        if (len < 32 && (digits >> len & 1))
                lookup(ci, hex_value(s, len), v);
        if (!decimal)
                return;
        size_t start = len;
        while (start > 0 && hex_class[s[start - 1]] == DIGIT)
                start--;
        if (start == len || len - start > 19)
                return;
        uint64_t value = 0;
        for (size_t i = start; i < len; i++)
                value = value * 10 + (uint64_t)(s[i] - '0');
        lookup(ci, value, v);
}

static void runs(const kbc_code_index *ci, const unsigned char *s, size_t len,
                 uint32_t digits, bool decimal, const visit *v)
{
        for (size_t i = 0; i < len;) {
                if (!is_hex(s[i])) {
                        i++;
                        continue;
                }
                size_t start = i;
                while (i < len && is_hex(s[i]))
                        i++;
                run_values(ci, s + start, i - start, digits, decimal, v);
        }
}

/* Whether "0x" is in the normalized text (lower case): memchr, which
 * glibc vectorizes, finds the rare "x"; memmem, whose two-byte search is
 * plain C, took 5% of a whole-KB replay's instructions. */
static bool has_0x(const char *norm, size_t nlen)
{
        const char *p = norm, *end = norm + nlen;
        while (p < end && (p = memchr(p, 'x', (size_t)(end - p)))) {
                if (p > norm && p[-1] == '0')
                        return true;
                p++;
        }
        return false;
}

/* Whether an error word the decimal form follows is in the normalized
 * text (ASCII lower case; normalization never takes a letter out, and
 * leaves U+017F as it is). */
static bool has_error_word(const char *norm, size_t nlen)
{
        for (size_t i = 0; i < sizeof(error_words) / sizeof(*error_words); i++)
                if (memmem(norm, nlen, error_words[i], strlen(error_words[i])))
                        return true;
        return false;
}

void kbc_code_index_scan(const kbc_code_index *ci, const char *text, size_t len,
                         const char *norm, size_t nlen,
                         void (*each)(void *arg, const struct kbc_signal *s),
                         void *arg)
{
        if (!ci->nfiled || !len)
                return;
        const unsigned char *s = (const unsigned char *)text;
        const visit v = {each, arg};
        /* No normalized text (a message past the matcher's buffer): no
         * quick answer, so both scans. */
        bool unknown = nlen == 0;
        if (ci->short_form && (unknown || has_0x(norm, nlen)))
                after_0x(ci, s, len, &v);
        bool decimal = ci->decimal && (unknown || has_error_word(norm, nlen));
        uint32_t digits = unknown ? ci->long_digits : ci->bare_digits;
        if (digits || decimal)
                runs(ci, s, len, digits, decimal, &v);
}
