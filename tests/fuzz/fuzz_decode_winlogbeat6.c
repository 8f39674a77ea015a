/*
 * fuzz_decode_winlogbeat6.c - libFuzzer target for the winlogbeat6 decoder,
 * forced (see fuzz_decode_one.h). Seeds: tests/fuzz/run.sh.
 */
#define FUZZ_FORMAT KBC_FMT_WINLOGBEAT6
#include "fuzz_decode_one.h"
