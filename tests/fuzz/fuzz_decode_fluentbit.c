/*
 * fuzz_decode_fluentbit.c - libFuzzer target for the fluentbit decoder, forced
 * (see fuzz_decode_one.h). Seeds: tests/fuzz/run.sh.
 */
#define FUZZ_FORMAT KBC_FMT_FLUENTBIT
#include "fuzz_decode_one.h"
