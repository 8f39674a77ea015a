/*
 * fuzz_decode_nxlog.c - libFuzzer target for the nxlog decoder, forced (see
 * fuzz_decode_one.h). Seeds: tests/fuzz/run.sh.
 */
#define FUZZ_FORMAT KBC_FMT_NXLOG
#include "fuzz_decode_one.h"
