/*
 * kb_internal.h - what the two halves of the KB article parser share:
 * kb_article.c turns either file format into one array of normalized body
 * lines (raw line numbers kept, each tagged with its section), and
 * kb_signals.c reads signals off those lines. Not part of the public API.
 */
#ifndef KBC_KB_INTERNAL_H
#define KBC_KB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_arena.h"
#include "kbc_kb.h"

/* Signals per article are capped so a hostile file cannot make the
 * output grow without bound; the real maximum in the corpus is far below. */
#define KBC_KB_MAX_SIGNALS 2048
#define KBC_KB_ID_MAX      32 /* characters of an article id */

typedef struct kbc_kb_line {
        const char *s; /* normalized text: no line end, no Jekyll tab */
        size_t len;
        int no;              /* line number in the file, 1-based */
        int indent;          /* leading spaces (a tab counts as 8) */
        int heading;         /* markdown heading level (1-6), else 0 */
        const char *refs;    /* markdown: the texts of its links to other
                                articles, one a line, or NULL */
        const char *codes;   /* markdown: the decimal error codes a table
                                row's code column holds ("8456 or 8457"),
                                space-separated, or NULL */
        bool blank;          /* only white space */
        bool body;           /* inside a section body (not a heading, not
                                the header or the trailer) */
        const char *section; /* the section the line belongs to, or NULL */
} kbc_kb_line;

/* Extracts the signals of SPEC.md §4 from the body lines, deduplicated and
 * in article order, allocated from a. Never fails: at worst returns none. */
void kbc_kb_extract_signals(kbc_arena *a, const kbc_kb_line *lines, size_t n,
                            const kbc_kb_signal **out, size_t *nout);

/* kb_markdown.c: a Microsoft Learn article. Does the file (split into
 * lines) open with front matter of that form? */
bool kbc_kb_markdown_is(const kbc_kb_line *lines, size_t n);

/* Fills art's id, title, date and url from the front matter and path, sets
 * *applies_to to the "Applies to" text (or NULL) and returns the body as
 * lines of the archive's shape (malloc'd array, text from a; *n lines), or
 * NULL with the reason in errstr. */
kbc_kb_line *kbc_kb_markdown_lines(kbc_arena *a, const kbc_kb_line *raw,
                                   size_t nraw, kbc_kb_article *art,
                                   const char **applies_to, size_t *n,
                                   char *errstr, size_t errsize);

/* Renames the sources the articles write by their 2003 names to the
 * providers Windows logs them under today, and gives an event without a
 * source the log its sentence names (lines: the body of
 * kbc_kb_markdown_lines). */
void kbc_kb_markdown_sources(kbc_arena *a, kbc_kb_article *art,
                             const kbc_kb_line *lines, size_t n);

#endif
