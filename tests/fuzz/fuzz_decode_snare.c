/*
 * fuzz_decode_snare.c - libFuzzer target for the snare decoder, forced (see
 * fuzz_decode_one.h). Seeds: tests/fuzz/run.sh.
 */
#define FUZZ_FORMAT KBC_FMT_SNARE
#include "fuzz_decode_one.h"
