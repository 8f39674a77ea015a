/*
 * code_index.h - internal: the matcher's error code signals by value
 * (kbc_code.h says why). A code's long form (its digits as written, 8 in
 * the KB) is a literal the prefilter finds; its short forms ("0x5" after an
 * error word, "8333" for a titled Win32 error) are found here, in one pass over
 * the message for the numbers they could be, and only when the message holds
 * "0x" or an error word at all. Only the signals of those values are then run.
 * The scan finds a superset, so the verdicts are those of running every
 * code pattern on every event.
 */
#ifndef KBC_CODE_INDEX_H
#define KBC_CODE_INDEX_H

#include <stddef.h>

#include "kbc_arena.h"
#include "kbc_code.h"

struct kbc_signal;
typedef struct kbc_code_index kbc_code_index;

/* An index for at most max signals; NULL on ENOMEM. Freed with the arena. */
kbc_code_index *kbc_code_index_new(kbc_arena *a, size_t max);

/* Files s under the code of shape. 0, or -1 on ENOMEM. */
int kbc_code_index_add(kbc_code_index *ci, const kbc_code_shape *shape,
                       const struct kbc_signal *s);

/* Calls each(arg, s) for every signal s whose short forms text[0..len)
 * may hold (norm[0..nlen): the text as the prefilter normalized it, to
 * rule the scans out quickly); a signal may come more than once. With
 * no normalized text (nlen 0: the message was past the matcher's
 * buffer, so the prefilter found nothing) its long forms too. */
void kbc_code_index_scan(const kbc_code_index *ci, const char *text, size_t len,
                         const char *norm, size_t nlen,
                         void (*each)(void *arg, const struct kbc_signal *s),
                         void *arg);

#endif
