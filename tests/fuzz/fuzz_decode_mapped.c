/*
 * fuzz_decode_mapped.c - libFuzzer target for the mapped decoder, forced (see
 * fuzz_decode_one.h). Seeds: tests/fuzz/run.sh.
 */
#define FUZZ_FORMAT KBC_FMT_MAPPED
#include "fuzz_decode_one.h"
