/*
 * kbc_html.h - text into HTML. Everything a log carries is hostile (event
 * messages may hold markup, quotes, control bytes or invalid UTF-8), so
 * every string that goes into a page passes through this one escaper.
 */
#ifndef KBC_HTML_H
#define KBC_HTML_H

#include "kbc_buf.h"
#include "kbc_str.h"

/* Appends s as HTML text that is also safe inside a quoted attribute
 * value: & < > " ' become character references; invalid UTF-8 bytes and
 * control characters other than tab, line feed and carriage return
 * (C0, DEL, C1) become U+FFFD, one per byte or character. Returns 0, or -1
 * when b's cap was reached (as the other kbc_buf appends). */
int kbc_buf_html(kbc_buf *b, kbc_str s);

#endif
