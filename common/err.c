/* err.c - see kbc_err.h. */
#include <stdarg.h>
#include <stdio.h>

#include "kbc_err.h"

int kbc_errf(char *errstr, size_t errsize, const char *fmt, ...)
{
        if (errstr && errsize) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(errstr, errsize, fmt, ap);
                va_end(ap);
        }
        return -1;
}
