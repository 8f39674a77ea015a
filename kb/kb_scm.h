/*
 * kb_scm.h - the Service Control Manager's messages as Windows logs them
 * (kb_scm.c): an article's quote or paraphrase of one ("The openSSH SSH
 * Server terminated unexpectedly.") recognized by its wording, and the
 * pattern that finds the event Windows logs for the service or driver it
 * names. Internal to the KB stage.
 */
#ifndef KBC_KB_SCM_H
#define KBC_KB_SCM_H

#include <stdbool.h>

#include "kbc_arena.h"

typedef struct kbc_kb_scm_event {
        long event_ids[2];   /* the ids Windows logs the wording under; -1 */
        const char *name;    /* the service or driver the quote names, or NULL
                                when it names none (a placeholder, nothing) */
        const char *regex;   /* the event as Windows words it, for that name;
                                NULL without a name or for a routine event */
        const char *example; /* a message the regex finds, or NULL */
        const char *error;   /* the error text the quote gives after the
                                wording (7000, 7023, ...), or NULL */
} kbc_kb_scm_event;

/* Is text (a quoted message or an event's description) one of the
 * Service Control Manager's messages, or its "Application popup: Service
 * Control Manager : " dialog? Fills *out (allocated from a) and returns
 * true if so. */
bool kbc_kb_scm_recognize(kbc_arena *a, const char *text,
                          kbc_kb_scm_event *out);

/* text without an "Application popup: Service Control Manager : " prefix:
 * the dialog is the same message as the event, and is counted as one. */
const char *kbc_kb_scm_popup_body(const char *text);

#endif
