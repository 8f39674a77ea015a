/*
 * kbc_mapping_load.h - JSON field mappings from a YAML file (see
 * docs/input-formats.md), registered on a decoder.
 */
#ifndef KBC_MAPPING_LOAD_H
#define KBC_MAPPING_LOAD_H

#include "kbc_decode.h"
#include "kbc_rules.h"

/* Registers every mapping of the file on dec. Each problem goes to diag as
 * "file:line: what is wrong". Returns 0, or -1 if there was any. */
int kbc_mappings_load(kbc_decoder *dec, const char *path, kbc_diag_fn *diag,
                      void *opaque);

#endif
