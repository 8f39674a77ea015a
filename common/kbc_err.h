/*
 * kbc_err.h - the errstr/errsize convention (as rd_kafka_new's): functions
 * that can fail write one line saying what is wrong and return -1.
 */
#ifndef KBC_ERR_H
#define KBC_ERR_H

#include <stddef.h>

/* Writes the formatted reason to errstr (if any) and returns -1. */
int kbc_errf(char *errstr, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
