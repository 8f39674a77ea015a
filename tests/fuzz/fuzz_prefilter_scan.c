/*
 * fuzz_prefilter_scan.c - libFuzzer target for the prefilter's scan: it
 * finds exactly the literals memmem finds, once each, on both of its
 * paths (a few anchor grams compared 16 positions at a time; the bit
 * filter at every position for more). A literal it missed would be a
 * signal never tried, silently.
 *
 * Input: literals, one a line (NUL ends one early, an empty one is none),
 * up to a line "--", then the text scanned, any bytes. The first byte
 * also decides whether 12 literals that occur nowhere are added, which
 * takes the scan past the few-gram path.
 *
 * Build: CC=clang cmake -S . -B build-fuzz -DKBC_FUZZ=ON -DKBC_SANITIZE=ON
 * Run:   build-fuzz/tests/fuzz_prefilter_scan CORPUS_DIR -max_total_time=180
 */
#define _GNU_SOURCE /* memmem: texts may hold NUL bytes */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prefilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LITERALS 40

static const char *const decoys[] = {
    "\x01zq decoy one",   "\x01zq decoy two",    "\x01zq decoy three",
    "\x01zq decoy four",  "\x01zq decoy five",   "\x01zq decoy six",
    "\x01zq decoy seven", "\x01zq decoy eight",  "\x01zq decoy nine",
    "\x01zq decoy ten",   "\x01zq decoy eleven", "\x01zq decoy twelve",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!size)
                return 0;
        bool many = data[0] & 1;
        const char *in = (const char *)data + 1,
                   *end = (const char *)data + size;
        char *copies[MAX_LITERALS];
        const char *literals[MAX_LITERALS];
        size_t n = 0, nown = 0;
        while (in < end && n < MAX_LITERALS) {
                const char *nl = memchr(in, '\n', (size_t)(end - in));
                size_t len = nl ? (size_t)(nl - in) : (size_t)(end - in);
                if (len == 2 && !memcmp(in, "--", 2)) {
                        in += 3;
                        break;
                }
                copies[nown] = strndup(in, len); /* up to a NUL */
                literals[n++] = copies[nown][0] ? copies[nown] : NULL;
                nown++;
                in = nl ? nl + 1 : end;
        }
        for (size_t k = 0; many && k < 12 && n < MAX_LITERALS; k++)
                literals[n++] = decoys[k];
        const char *text = in < end ? in : end;
        size_t len = (size_t)(end - text);

        kbc_prefilter *p = kbc_prefilter_build(literals, n);
        if (p) {
                uint32_t marks[MAX_LITERALS] = {0}, found[MAX_LITERALS];
                size_t nfound =
                    kbc_prefilter_scan(p, text, len, marks, 1, found);
                size_t nwant = 0;
                for (size_t i = 0; i < n; i++) {
                        /* shorter than a gram: the matcher tries it always */
                        bool anchored = literals[i] &&
                                        strlen(literals[i]) >= KBC_LITERAL_MIN;
                        bool in_text =
                            anchored &&
                            memmem(text, len, literals[i], strlen(literals[i]));
                        nwant += in_text;
                        if ((marks[i] == 1) != in_text)
                                abort();
                }
                if (nfound != nwant)
                        abort();
                for (size_t i = 0; i < nfound; i++)
                        if (found[i] >= n || marks[found[i]] != 1)
                                abort();
                kbc_prefilter_free(p);
        }
        for (size_t i = 0; i < nown; i++)
                free(copies[i]);
        return 0;
}
