/*
 * tls_client.h - internal to the daemon: TLS on a non-blocking TCP socket
 * (OpenSSL), for the syslog sink.
 */
#ifndef KBCD_TLS_CLIENT_H
#define KBCD_TLS_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct kbcd_tls kbcd_tls;           /* settings, shared */
typedef struct kbcd_tls_conn kbcd_tls_conn; /* one connection */

/* ca_file NULL: the system's certificates. server_name NULL: the
 * certificate must name the peer's IP address. NULL after writing why. */
kbcd_tls *kbcd_tls_new(const char *ca_file, bool verify,
                       const char *server_name, char *why, size_t n);
void kbcd_tls_free(kbcd_tls *t);

/* TLS over fd, connected to ip. NULL when out of memory. */
kbcd_tls_conn *kbcd_tls_conn_new(kbcd_tls *t, int fd, const char *ip);
void kbcd_tls_conn_free(kbcd_tls_conn *c);
/* 1 once the handshake is done, 0 while it waits for the socket, -1 when
 * it failed (why says how: a certificate not trusted, ...). */
int kbcd_tls_handshake(kbcd_tls_conn *c, char *why, size_t n);
/* Bytes taken (at most 16 KiB a call, so that a call repeated after it
 * would block has the same start and no shorter length), 0 if it would
 * block, -1 when the connection failed. */
ssize_t kbcd_tls_write(kbcd_tls_conn *c, const void *p, size_t len, char *why,
                       size_t n);

#endif
