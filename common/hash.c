/* hash.c - FNV-1a 64 for ids, and a word-at-a-time content hash for
 * change detection (see kbc_hash.h for why each). */
#include <string.h>

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

/* XXH64's primes and round: the multiply spreads each word over the
 * accumulator, the rotation moves high bits back down. */
#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P5 0x27D4EB2F165667C5ULL

static uint64_t rotl(uint64_t x, int r)
{
        return (x << r) | (x >> (64 - r));
}

static uint64_t load_le64(const unsigned char *p)
{
        uint64_t w = 0;
        for (int i = 7; i >= 0; i--)
                w = (w << 8) | p[i];
        return w;
}

static uint64_t round64(uint64_t acc, uint64_t w)
{
        return rotl(acc + w * P2, 31) * P1;
}

void kbc_hash64_init(kbc_hash64 *s)
{
        *s = (kbc_hash64){.acc = P5};
}

void kbc_hash64_update(kbc_hash64 *s, const void *p, size_t n)
{
        const unsigned char *b = p;

        s->len += n;
        while (s->ntail && n) { /* finish the word a last call began */
                s->tail[s->ntail++] = *b++;
                n--;
                if (s->ntail == 8) {
                        s->acc = round64(s->acc, load_le64(s->tail));
                        s->ntail = 0;
                }
        }
        for (; n >= 8; b += 8, n -= 8)
                s->acc = round64(s->acc, load_le64(b));
        memcpy(s->tail + s->ntail, b, n);
        s->ntail += n;
}

uint64_t kbc_hash64_final(const kbc_hash64 *s)
{
        uint64_t h = s->acc ^ s->len;

        for (size_t i = 0; i < s->ntail; i++)
                h = rotl(h ^ (s->tail[i] * P5), 11) * P1;
        h ^= h >> 33; /* XXH64's avalanche */
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        h ^= h >> 32;
        return h;
}

uint64_t kbc_hash64_of(const void *p, size_t n)
{
        kbc_hash64 s;
        kbc_hash64_init(&s);
        kbc_hash64_update(&s, p, n);
        return kbc_hash64_final(&s);
}
