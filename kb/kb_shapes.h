/*
 * kb_shapes.h - the events Windows logs for what an article quotes in
 * another form (kb_shapes.c): a Dr. Watson log or crash dialog becomes
 * the DrWatson 4097 (or Application Error 1000) event of that program,
 * "Could not start the X service" from `net start` or the Services dialog
 * becomes the Service Control Manager's 7000/7023, and a quote of the
 * Service Control Manager's own messages in other words becomes the
 * event as Windows words it (kb_scm.h). Internal to the KB stage.
 */
#ifndef KBC_KB_SHAPES_H
#define KBC_KB_SHAPES_H

#include <stdbool.h>
#include <stddef.h>

#include "kbc_arena.h"
#include "kbc_kb.h"

#define KBC_SHAPE_MAX_IDS 2

typedef struct kbc_kb_shape {
        const char *kind;     /* "drwatson", "app-error", "fault", "scm",
                                 "scm-event", "bugcheck", "module" */
        const char *provider; /* as Windows logs it */
        long event_ids[KBC_SHAPE_MAX_IDS]; /* -1 when unused */
        const char *regex;   /* a message regex, or NULL when text is set */
        const char *text;    /* a `text:` phrase (rules/kbc_text.h) */
        const char *what;    /* what it names: "snaservr c0000005"; the
                                corpus key and the signal id are made of it */
        const char *example; /* a message it finds, for the rule's test */
        bool support_only;   /* names something many crashes share */
        int line;            /* the heading of the section it is in */
} kbc_kb_shape;

/* The shapes found in the article's sections, at most max, into out;
 * allocated from a. Returns how many. */
size_t kbc_kb_shapes(kbc_arena *a, const kbc_kb_article *art, kbc_kb_shape *out,
                     size_t max);

#endif
