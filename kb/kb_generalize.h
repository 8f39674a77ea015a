/*
 * kb_generalize.h - example values of a quoted message as placeholders
 * (kb_generalize.c). Internal to the KB stage.
 */
#ifndef KBC_KB_GENERALIZE_H
#define KBC_KB_GENERALIZE_H

#include <stdbool.h>

#include "kbc_arena.h"

/* What an example value becomes. */
#define KBC_KB_VALUE "<value>"

/* text with its example values (names, numbers, dates, paths, STOP
 * parameters, ...) as "<value>" placeholders, and hex codes too when codes
 * is set; text itself when it has none. Allocated from a. */
const char *kbc_kb_generalize(kbc_arena *a, const char *text, bool codes);

#endif
