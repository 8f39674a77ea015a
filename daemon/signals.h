/*
 * signals.h - what the process was asked by its signals (kbcorrd.c
 * catches them): a sink that waits on back-pressure gives up when a stop
 * was asked, its item left in flight.
 */
#ifndef KBCD_SIGNALS_H
#define KBCD_SIGNALS_H

#include <stdbool.h>

/* Whether SIGTERM or SIGINT asked the daemon to stop. */
bool kbcd_stopping(void);

#endif
