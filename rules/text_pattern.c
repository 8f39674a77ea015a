/*
 * text_pattern.c - turns a literal phrase copied from a KB article (the
 * `text:` key of a signal) into a PCRE2 pattern that finds the same phrase
 * in real rendered messages, which differ from the article in small ways.
 *
 * The phrase is cut into tokens, then each token is written out:
 *
 *   literal character    itself; ASCII punctuation backslash-escaped,
 *                        control characters as \x{hh}, UTF-8 as is
 *   run of whitespace    \s+  (spaces, tabs and line breaks are all alike),
 *                        with an optional quote on each side that has no
 *                        quote of its own, so a phrase written without
 *                        quotes still finds `Extension 'SMTP' could`
 *   quote                one optional quote of any kind: ' " and the
 *                        typographic ‘ ’ “ ” (so `can't` finds `cant` and
 *                        `can’t`, and `'SMTP'` finds `SMTP` and “SMTP”)
 *   placeholder          .{1,80}?  any short run of text on one line:
 *                          <servername>, <Drive>, <file name> (at most 40
 *                          bytes and 4 words, starting with a letter);
 *                          %1 .. %99, with an optional !format! suffix;
 *                          xxx, nnn, XXXX (3 or more x or n as a whole
 *                          word, also after 0x as in 0xXXXXXXXX);
 *                          ... and … (text the article left out)
 *   trailing period      \.?  (messages end with or without one)
 *   file name            itself, after optional folders: "crypt32.dll"
 *                        finds "D:\WINNT\System32\CRYPT32.dll"
 *
 * Leading and trailing whitespace, quotes and placeholders are dropped (the
 * pattern is searched, not anchored, so they could only ever match nothing,
 * or anything), and placeholders next to each other become one wildcard. Case
 * is left to the caller, which compiles with PCRE2_CASELESS; the quote class
 * holds UTF-8 characters, so the pattern needs PCRE2_UTF too.
 *
 * Why this shape: every quantifier is on a single character or a bounded
 * wildcard, never nested, and neighbouring tokens match disjoint sets
 * (\s+ against quotes), so a failed search backtracks at most a wildcard's
 * width per starting position: linear in the message for a fixed phrase.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_buf.h"
#include "prefilter.h"
#include "rule_internal.h"

#define QUOTE_CLASS     "['\"\u2018\u2019\u201C\u201D]"
#define WILDCARD        ".{1,80}?"
#define ANGLE_MAX_BYTES 40
#define ANGLE_MAX_WORDS 4

enum tok_type { TOK_LIT, TOK_WS, TOK_QUOTE, TOK_WILD, TOK_ELLIPSIS };

typedef struct tok {
        enum tok_type type;
        size_t start, len;
} tok;

static bool is_space(unsigned char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
               c == '\v';
}

static bool is_alpha(unsigned char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(unsigned char c)
{
        return c >= '0' && c <= '9';
}

/* Word characters for "whole word" placeholders; UTF-8 bytes count, so
 * "éxxx" is not a placeholder. */
static bool is_word(unsigned char c)
{
        return is_alpha(c) || is_digit(c) || c == '_' || c >= 0x80;
}

/* <servername>, <file name>: a short name in angle brackets. */
static size_t angle_len(const unsigned char *s, size_t avail)
{
        size_t i = 1, words = 1;

        if (avail < 3 || s[0] != '<' || !is_alpha(s[1]))
                return 0;
        for (; i < avail && i <= ANGLE_MAX_BYTES + 1; i++) {
                if (s[i] == '>')
                        return i + 1;
                if (s[i] == '<' || (s[i] < 0x20 && !is_space(s[i])) ||
                    s[i] == 0x7f)
                        return 0;
                if (is_space(s[i])) {
                        if (s[i] == '\n' || s[i] == '\r')
                                return 0;
                        if (!is_space(s[i - 1]) && ++words > ANGLE_MAX_WORDS)
                                return 0;
                }
        }
        return 0;
}

/* %1 .. %99, optionally with a FormatMessage suffix such as %1!s!. */
static size_t percent_len(const unsigned char *s, size_t avail)
{
        size_t i = 1;

        if (avail < 2 || s[0] != '%' || s[1] < '1' || s[1] > '9')
                return 0;
        i = 2;
        if (i < avail && is_digit(s[i]))
                i++;
        if (i < avail && is_digit(s[i]))
                return 0; /* %100 is no insert number */
        if (i < avail && s[i] == '!') {
                size_t j = i + 1;
                while (j < avail && j - i <= 8 &&
                       (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '.' ||
                        s[j] == '#' || s[j] == '-'))
                        j++;
                if (j < avail && s[j] == '!' && j > i + 1)
                        i = j + 1;
        }
        return i;
}

/* xxx, nnn, XXXX as a whole word (the caller checks the left side). */
static size_t xn_run_len(const unsigned char *s, size_t avail)
{
        unsigned char lo = (unsigned char)(s[0] | 0x20);
        size_t i = 0;

        if (lo != 'x' && lo != 'n')
                return 0;
        while (i < avail && (s[i] | 0x20) == lo)
                i++;
        if (i < 3 || (i < avail && is_word(s[i])))
                return 0;
        return i;
}

/* "..." (three or more periods) or the ellipsis character U+2026. */
static size_t ellipsis_len(const unsigned char *s, size_t avail)
{
        size_t i = 0;

        if (avail >= 3 && s[0] == 0xe2 && s[1] == 0x80 && s[2] == 0xa6)
                return 3;
        while (i < avail && s[i] == '.')
                i++;
        return i >= 3 ? i : 0;
}

/* Length of the UTF-8 sequence that starts at s (1 for a stray byte: the
 * compiler will reject invalid UTF-8 and the loader report it). */
static size_t char_len(const unsigned char *s, size_t avail)
{
        size_t n = s[0] < 0xc0 ? 1 : s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
        if (n > avail)
                return 1;
        for (size_t i = 1; i < n; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 1;
        return n;
}

static size_t tokenize(const unsigned char *s, size_t n, tok *toks)
{
        size_t i = 0, nt = 0;

        while (i < n) {
                bool word_start = i == 0 || !is_word(s[i - 1]);
                tok t = {TOK_LIT, i, 0};
                size_t len;

                if (is_space(s[i])) {
                        len = 1;
                        while (i + len < n && is_space(s[i + len]))
                                len++;
                        t.type = TOK_WS;
                } else if ((len = kbc_quote_len(s + i, n - i))) {
                        t.type = TOK_QUOTE;
                } else if ((len = angle_len(s + i, n - i)) ||
                           (len = percent_len(s + i, n - i)) ||
                           (word_start && (len = xn_run_len(s + i, n - i)))) {
                        t.type = TOK_WILD;
                } else if ((len = ellipsis_len(s + i, n - i))) {
                        t.type = TOK_ELLIPSIS;
                } else if (word_start && s[i] == '0' && i + 1 < n &&
                           (s[i + 1] | 0x20) == 'x' &&
                           xn_run_len(s + i + 2, n - i - 2)) {
                        /* 0xXXXXXXXX: keep "0x", the run becomes a
                         * wildcard on the next turn. */
                        toks[nt++] = (tok){TOK_LIT, i, 1};
                        toks[nt++] = (tok){TOK_LIT, i + 1, 1};
                        len = 2 + xn_run_len(s + i + 2, n - i - 2);
                        toks[nt++] = (tok){TOK_WILD, i + 2, len - 2};
                        i += len;
                        continue;
                } else {
                        len = char_len(s + i, n - i);
                }
                t.len = len;
                toks[nt++] = t;
                i += len;
        }
        return nt;
}

static bool is_gap(const tok *t)
{
        return t->type == TOK_WS || t->type == TOK_QUOTE;
}

static bool is_wild(const tok *t)
{
        return t->type == TOK_WILD || t->type == TOK_ELLIPSIS;
}

/* Placeholders next to each other, with only space between, are one
 * wildcard: two bounded wildcards in a row would backtrack 80 x 80 times
 * per starting position for no gain in meaning. Returns the last token of
 * the run that starts at the wildcard toks[i]. */
static size_t wild_run_end(const tok *toks, size_t i, size_t last)
{
        size_t end = i;
        for (size_t j = i + 1;
             j < last && (is_gap(&toks[j]) || is_wild(&toks[j])); j++)
                if (is_wild(&toks[j]))
                        end = j;
        return end;
}

static void put_literal(kbc_buf *b, const unsigned char *s, size_t len)
{
        unsigned char c = s[0];

        if (len > 1 || c >= 0x80 || is_alpha(c) || is_digit(c) || c == '_')
                kbc_buf_append(b, s, len);
        else if (c < 0x20 || c == 0x7f)
                kbc_buf_printf(b, "\\x{%02x}", c);
        else
                kbc_buf_printf(b, "\\%c", c); /* any ASCII punctuation */
}

/* Does a bare file name start at i ("crypt32.dll", "Setup.exe")? A
 * rendered message often gives the same file with its folders
 * ("D:\\WINNT\\System32\\CRYPT32.dll"), so the pattern allows them. A name
 * that already has a folder before it is left alone. */
static bool file_name_at(const unsigned char *s, size_t i, size_t n)
{
        if (i > 0 && (is_word(s[i - 1]) || s[i - 1] == '\\' ||
                      s[i - 1] == '/' || s[i - 1] == '.' || s[i - 1] == ':' ||
                      s[i - 1] == '-' || s[i - 1] == '$' || s[i - 1] == '%'))
                return false;
        size_t j = i;
        while (j < n && (is_word(s[j]) || s[j] == '-' || s[j] == '$'))
                j++;
        if (j == i || j + 1 >= n || s[j] != '.' || !is_alpha(s[j + 1]))
                return false;
        size_t e = j + 1;
        while (e < n && (is_alpha(s[e]) || is_digit(s[e])))
                e++;
        return e - j - 1 >= 2 && e - j - 1 <= 4 && (e == n || !is_word(s[e]));
}

/* At most one token per byte, plus the "0x" split's extra one: the phrase's
 * tokens (caller frees). */
static tok *tokens_of(const char *text, size_t *nt)
{
        size_t n = strlen(text);
        tok *toks = malloc((n + 2) * sizeof(*toks));
        if (!toks) {
                fputs("kbcorr: out of memory\n", stderr);
                abort();
        }
        *nt = tokenize((const unsigned char *)text, n, toks);
        return toks;
}

const char *kbc_text_to_regex(kbc_arena *a, const char *text)
{
        const unsigned char *s = (const unsigned char *)text;
        size_t nt, first = 0, last, n = strlen(text);
        const char *out;
        tok *toks;
        kbc_buf b;

        toks = tokens_of(text, &nt);
        kbc_buf_init(&b, SIZE_MAX);

        /* Whitespace, quotes and placeholders at either end can only
         * ever match nothing, or anything, in an unanchored search. */
        while (first < nt && (is_gap(&toks[first]) || is_wild(&toks[first])))
                first++;
        last = nt;
        while (last > first &&
               (is_gap(&toks[last - 1]) || is_wild(&toks[last - 1])))
                last--;

        for (size_t i = first; i < last; i++) {
                const tok *t = &toks[i];
                switch (t->type) {
                case TOK_LIT:
                        if (file_name_at(s, t->start, n))
                                kbc_buf_puts(&b, KBC_PATH_PREFIX);
                        if (i == last - 1 && s[t->start] == '.')
                                kbc_buf_puts(&b, "\\.?");
                        else
                                put_literal(&b, s + t->start, t->len);
                        break;
                case TOK_WS:
                        /* first and last are never gaps: both sides
                         * exist. */
                        if (toks[i - 1].type != TOK_QUOTE)
                                kbc_buf_puts(&b, QUOTE_CLASS "?");
                        kbc_buf_puts(&b, "\\s+");
                        if (toks[i + 1].type != TOK_QUOTE)
                                kbc_buf_puts(&b, QUOTE_CLASS "?");
                        break;
                case TOK_QUOTE:
                        kbc_buf_puts(&b, QUOTE_CLASS "?");
                        break;
                case TOK_WILD:
                case TOK_ELLIPSIS:
                        kbc_buf_puts(&b, WILDCARD);
                        i = wild_run_end(toks, i, last);
                        break;
                }
        }
        if (b.overflow) {
                fputs("kbcorr: out of memory\n", stderr);
                abort();
        }
        out = kbc_arena_strndup(a, b.data ? b.data : "", b.len);
        kbc_buf_free(&b);
        free(toks);
        return out;
}

const char *kbc_text_example(kbc_arena *a, const char *text)
{
        size_t nt;
        tok *toks = tokens_of(text, &nt);
        kbc_buf b;
        kbc_buf_init(&b, SIZE_MAX);
        for (size_t i = 0; i < nt; i++) {
                const tok *t = &toks[i];
                if (t->type == TOK_WS)
                        kbc_buf_putc(&b, ' ');
                else if (t->type == TOK_WILD || t->type == TOK_ELLIPSIS)
                        kbc_buf_puts(&b, "X1");
                else
                        kbc_buf_append(&b, text + t->start, t->len);
        }
        const char *out = kbc_arena_strndup(a, b.data ? b.data : "", b.len);
        kbc_buf_free(&b);
        free(toks);
        return out;
}

size_t kbc_text_literal_words(const char *text)
{
        size_t nt, words = 0;
        tok *toks = tokens_of(text, &nt);
        bool in_run = false, has_letter = false;
        for (size_t i = 0; i <= nt; i++) {
                unsigned char c =
                    i < nt ? (unsigned char)text[toks[i].start] : ' ';
                bool word_char = i < nt && toks[i].type == TOK_LIT &&
                                 (is_word(c) && c != '_');
                if (word_char) {
                        has_letter |= is_alpha(c) || c >= 0x80;
                        in_run = true;
                        continue;
                }
                if (in_run && has_letter)
                        words++; /* a run of letters and digits ended */
                in_run = has_letter = false;
        }
        free(toks);
        return words;
}

/* Words too common in messages to tell one problem from another. */
static bool is_stop_word(const char *w, size_t len)
{
        static const char *const stop[] = {
            "a",     "an",     "and",       "are",      "as",     "at",
            "be",    "been",   "by",        "can",      "cannot", "could",
            "did",   "do",     "does",      "for",      "from",   "has",
            "have",  "in",     "is",        "it",       "its",    "may",
            "no",    "not",    "of",        "on",       "or",     "that",
            "the",   "there",  "this",      "to",       "unable", "was",
            "were",  "will",   "with",      "would",    "you",    "your",
            "error", "failed", "following", "occurred", "please", NULL};
        for (size_t i = 0; stop[i]; i++)
                if (strlen(stop[i]) == len &&
                    kbc_str_caseeq(kbc_str_make(w, len), kbc_str_cstr(stop[i])))
                        return true;
        return false;
}

size_t kbc_text_content_words(const char *text)
{
        size_t nt, words = 0, start = 0, len = 0;
        tok *toks = tokens_of(text, &nt);
        bool has_letter = false;
        for (size_t i = 0; i <= nt; i++) {
                unsigned char c =
                    i < nt ? (unsigned char)text[toks[i].start] : ' ';
                if (i < nt && toks[i].type == TOK_LIT && is_word(c) &&
                    c != '_') {
                        if (!len)
                                start = toks[i].start;
                        len += toks[i].len;
                        has_letter |= is_alpha(c) || c >= 0x80;
                        continue;
                }
                if (has_letter && len >= 2 && !is_stop_word(text + start, len))
                        words++;
                len = 0;
                has_letter = false;
        }
        free(toks);
        return words;
}

bool kbc_text_filterable(kbc_arena *a, const char *text)
{
        return kbc_regex_literal(a, kbc_text_to_regex(a, text)) != NULL;
}

bool kbc_pattern_compiles(kbc_arena *a, const char *src, bool is_text)
{
        const char *re = is_text ? kbc_text_to_regex(a, src) : src;
        int code;
        PCRE2_SIZE off;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED,
                                      KBC_RE_FLAGS, &code, &off, NULL);
        pcre2_code_free(c);
        return c != NULL;
}
