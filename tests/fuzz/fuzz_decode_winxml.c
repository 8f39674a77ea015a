/*
 * fuzz_decode_winxml.c - libFuzzer target for the winxml decoder, forced (see
 * fuzz_decode_one.h). Seeds: tests/fuzz/run.sh.
 */
#define FUZZ_FORMAT KBC_FMT_WINXML
#include "fuzz_decode_one.h"
