/*
 * kbc_kb.h - a Microsoft Knowledge Base article, parsed (SPEC.md §4): the
 * raw "DOCUMENT:Qnnnn" text, the Jekyll page form and the markdown of
 * Microsoft Learn's support articles, CRLF or LF. What a
 * log can show of the article is in its signals; the compiler turns them
 * into rule signals and the sections into cause and resolution.
 */
#ifndef KBC_KB_H
#define KBC_KB_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_arena.h"

typedef struct kbc_kb_section {
        const char *name; /* upper case: "SYMPTOMS", "CAUSE", "RESOLUTION",
                             "WORKAROUND", "STATUS", "MORE INFORMATION" */
        const char *text; /* body, de-indented, paragraphs kept, trimmed */
        int line;         /* of the heading */
} kbc_kb_section;

typedef enum kbc_kb_signal_kind {
        KBC_KB_EVENT,   /* an event id, with its source when the article
                           names one, and the description text if any */
        KBC_KB_MESSAGE, /* a quoted error message (an indented block) */
        KBC_KB_CODE,    /* an error code: 0x..., c000xxxx, 800xxxxx,
                           -2147..., "ID no:", "NT ID:", "STOP 0x..." */
} kbc_kb_signal_kind;

typedef struct kbc_kb_signal {
        kbc_kb_signal_kind kind;
        long event_id;              /* KBC_KB_EVENT; -1 otherwise */
        const char *source;         /* event source/provider, or NULL */
        bool source_implied;        /* source is not in the text: the article's
                                       product logs under it (SNA Server's bare
                                       "Event ID 624") */
        const char *text;           /* message, whitespace collapsed, or NULL */
        const char *code;           /* normalized: "0xC0020035", or NULL */
        const char *section;        /* where it was found ("SYMPTOMS", ...) */
        int line;                   /* line in the article file */
        const char *source_written; /* the article's name for source, when
                                       source is the provider Windows logs
                                       it under today ("NTDS Replication"
                                       for ActiveDirectory_DomainService)
                                       or NULL */
        const char *channel; /* KBC_KB_EVENT: the log the article says it is
                                logged in ("Event ID 1388 is logged in the
                                Directory Service log"), or NULL */
        bool titled; /* KBC_KB_EVENT of a Learn article whose title names
                        its id ("Troubleshoot Event ID 1311 messages",
                        "Troubleshoot SCECLI 1202 events"): the event the
                        article is about, not one it shows in passing */
} kbc_kb_signal;

typedef struct kbc_kb_article {
        const char *path;
        const char *id;    /* "Q247773" */
        const char *title; /* HTML entities decoded */
        const char *date;  /* as written, e.g. "09-JAN-2000", or NULL */
        const char *const *products;
        size_t nproducts;
        const char *const *keywords;
        size_t nkeywords;
        const kbc_kb_section *sections; /* in article order */
        size_t nsections;
        const kbc_kb_signal *signals; /* in article order, deduplicated */
        size_t nsignals;
        const char *url; /* the article's address when its form gives one
                            (markdown: learn.microsoft.com), or NULL */
} kbc_kb_article;

/* Parses one article of len bytes read from path. Everything is allocated
 * from a. Returns NULL with the reason in errstr (the caller prefixes the
 * path) when the text is not a KB article. */
kbc_kb_article *kbc_kb_parse(kbc_arena *a, const char *path, const char *buf,
                             size_t len, char *errstr, size_t errsize);

/* The section of that name (upper case), or NULL. */
const kbc_kb_section *kbc_kb_section_get(const kbc_kb_article *art,
                                         const char *name);

#endif
