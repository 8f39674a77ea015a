/* hash.c - FNV-1a 64 (see kbc_hash.h for why this hash). */
#include "kbc_hash.h"

#define FNV64_PRIME 0x100000001b3ULL

uint64_t kbc_fnv64(uint64_t h, const void *p, size_t n)
{
        const unsigned char *s = p;
        for (size_t i = 0; i < n; i++) {
                h ^= s[i];
                h *= FNV64_PRIME;
        }
        return h;
}

uint64_t kbc_fnv64_lower(uint64_t h, const void *p, size_t n)
{
        const unsigned char *s = p;
        for (size_t i = 0; i < n; i++) {
                unsigned char c = s[i];
                if (c >= 'A' && c <= 'Z')
                        c += 'a' - 'A';
                h ^= c;
                h *= FNV64_PRIME;
        }
        return h;
}
