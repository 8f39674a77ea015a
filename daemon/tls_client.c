/*
 * tls_client.c - TLS on a non-blocking TCP socket with OpenSSL: the
 * handshake and writes report "would block" instead of waiting, so the
 * consumer loop drives them from the sink's poll.
 */
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <stdlib.h>

#include "tls_client.h"

#define WRITE_MAX 16384 /* one TLS record */

struct kbcd_tls {
        SSL_CTX *ctx;
        const char *server_name;
};

struct kbcd_tls_conn {
        SSL *ssl;
};

/* The library's reason, and the certificate check's when it failed. */
static void describe(SSL *ssl, const char *what, char *why, size_t n)
{
        char lib[256] = "";
        unsigned long e = ERR_get_error();
        if (e)
                ERR_error_string_n(e, lib, sizeof(lib));
        ERR_clear_error();
        long v = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
        snprintf(why, n, "%s: %s%s%s", what, lib[0] ? lib : "connection lost",
                 v != X509_V_OK ? "; certificate: " : "",
                 v != X509_V_OK ? X509_verify_cert_error_string(v) : "");
}

kbcd_tls *kbcd_tls_new(const char *ca_file, bool verify,
                       const char *server_name, char *why, size_t n)
{
        kbcd_tls *t = calloc(1, sizeof(*t));
        if (!t || !(t->ctx = SSL_CTX_new(TLS_client_method()))) {
                describe(NULL, "TLS", why, n);
                free(t);
                return NULL;
        }
        t->server_name = server_name;
        SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION);
        SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                     SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
        SSL_CTX_set_verify(t->ctx, verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE,
                           NULL);
        if (verify &&
            !(ca_file ? SSL_CTX_load_verify_locations(t->ctx, ca_file, NULL)
                      : SSL_CTX_set_default_verify_paths(t->ctx))) {
                describe(NULL, ca_file ? ca_file : "the system's certificates",
                         why, n);
                kbcd_tls_free(t);
                return NULL;
        }
        return t;
}

void kbcd_tls_free(kbcd_tls *t)
{
        if (!t)
                return;
        SSL_CTX_free(t->ctx);
        free(t);
}

kbcd_tls_conn *kbcd_tls_conn_new(kbcd_tls *t, int fd, const char *ip)
{
        kbcd_tls_conn *c = calloc(1, sizeof(*c));
        if (!c || !(c->ssl = SSL_new(t->ctx))) {
                free(c);
                return NULL;
        }
        SSL_set_fd(c->ssl, fd);
        if (t->server_name) {
                SSL_set_tlsext_host_name(c->ssl, t->server_name);
                SSL_set1_host(c->ssl, t->server_name);
        } else {
                X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), ip);
        }
        SSL_set_connect_state(c->ssl);
        return c;
}

void kbcd_tls_conn_free(kbcd_tls_conn *c)
{
        if (!c)
                return;
        SSL_free(c->ssl);
        free(c);
}

static bool would_block(SSL *ssl, int rc)
{
        int e = SSL_get_error(ssl, rc);
        return e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE;
}

int kbcd_tls_handshake(kbcd_tls_conn *c, char *why, size_t n)
{
        int rc = SSL_do_handshake(c->ssl);
        if (rc == 1)
                return 1;
        if (would_block(c->ssl, rc))
                return 0;
        describe(c->ssl, "TLS handshake", why, n);
        return -1;
}

ssize_t kbcd_tls_write(kbcd_tls_conn *c, const void *p, size_t len, char *why,
                       size_t n)
{
        int rc = SSL_write(c->ssl, p, (int)(len < WRITE_MAX ? len : WRITE_MAX));
        if (rc > 0)
                return rc;
        if (would_block(c->ssl, rc))
                return 0;
        describe(c->ssl, "TLS write", why, n);
        return -1;
}
