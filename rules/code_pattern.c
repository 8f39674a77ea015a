/*
 * code_pattern.c - error code patterns, written and read back
 * (kbc_code.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_code.h"

int kbc_code_pattern(char *buf, size_t size, const char *hex, bool titled)
{
        const char *short_hex = hex;
        while (*short_hex == '0' && short_hex[1])
                short_hex++;
        unsigned long long v = strtoull(hex, NULL, 16);
        if (v > KBC_CODE_PLAIN_MAX)
                return short_hex == hex
                           ? snprintf(buf, size, "\\b(?:0x)?%.40s\\b", hex)
                           : snprintf(buf, size,
                                      "\\b(?:(?:0x)?%.40s|0x%.40s)\\b", hex,
                                      short_hex);
        char decimal[24] = "";
        if (titled)
                snprintf(decimal, sizeof(decimal), "|%llu", v);
        return snprintf(buf, size,
                        "\\b(?:(?:0x)?%.40s|(?:error|status|value|code)"
                        "\\W{0,4}(?:0x%.40s%s))\\b",
                        hex, short_hex, decimal);
}

bool kbc_code_pattern_read(const char *src, kbc_code_shape *out)
{
        static const char *const heads[] = {"\\b(?:(?:0x)?", "\\b(?:0x)?"};
        const char *p = NULL;
        for (size_t i = 0; i < sizeof(heads) / sizeof(*heads) && !p; i++)
                if (!strncmp(src, heads[i], strlen(heads[i])))
                        p = src + strlen(heads[i]);
        if (!p)
                return false;
        char hex[17];
        size_t n = strspn(p, "0123456789abcdefABCDEF");
        if (n == 0 || n >= sizeof(hex))
                return false;
        memcpy(hex, p, n);
        hex[n] = '\0';
        /* Exactly what the compiler writes, or not a code: the matcher
         * must never skip a pattern it only looks like. */
        char again[256];
        for (int titled = 0; titled <= 1; titled++) {
                int len = kbc_code_pattern(again, sizeof(again), hex, titled);
                if (len < 0 || (size_t)len >= sizeof(again) ||
                    strcmp(again, src))
                        continue;
                out->value = strtoull(hex, NULL, 16);
                out->digits = (unsigned)n;
                out->short_form = strchr(src, '|') != NULL;
                out->decimal = titled && out->value <= KBC_CODE_PLAIN_MAX;
                return true;
        }
        return false;
}

void kbc_code_literal(const kbc_code_shape *shape, char *buf, size_t size)
{
        snprintf(buf, size, "%0*llx", (int)shape->digits,
                 (unsigned long long)shape->value);
}
