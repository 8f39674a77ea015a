/*
 * sink_syslog.c - incidents as RFC 5424 messages over TCP or TLS, framed
 * by octet counting (RFC 6587 3.4.1; RFC 5425 over TLS), reconnecting
 * with backoff.
 *
 * TCP syslog has no application acknowledgment: an item counts as
 * delivered once all of its frame is in the socket. A frame the kernel
 * took but the collector never read (it crashed) is lost; a frame cut by
 * a broken connection is sent again whole on the next one (docs/daemon.md
 * says so).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sink.h"
#include "tls_client.h"

#define PENDING_MAX ((size_t)256 << 20) /* as the file sink's */
/* The header before MSG: PRI, time and PROCID take under 60 bytes, the
 * host name, APP-NAME and MSGID at most 255, 48 and 32 (config.c). */
#define HEADER_MAX   512
#define RETRY_MIN_MS 100

typedef struct syslog_sink {
        kbcd_sink base;
        const kbcd_syslog_config *c;
        struct sockaddr_in addr;
        char hostname[256], name[64];
        int fd;          /* -1: not connected */
        bool connecting; /* a non-blocking connect under way */
        kbcd_tls *tls;   /* NULL: plain TCP */
        kbcd_tls_conn *conn;
        bool secured; /* the TLS handshake is done */
        int64_t next_try_ms, backoff_ms;
        kbc_buf pending; /* frames not yet wholly in the socket */
        size_t sent;     /* bytes of pending in the socket */
        kbcd_held held;  /* each up to where its frame ends in pending */
} syslog_sink;

/* RFC 5424 6: <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID SD MSG, up
 * to the MSG, into buf; its length (cut at size - 1). */
static size_t header(const syslog_sink *s, char *buf, size_t size)
{
        struct timespec ts;
        struct tm tm;
        char when[40];
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        int n = snprintf(buf, size, "<%d>1 %s.%06ldZ %s %s %ld %s - ",
                         s->c->facility * 8 + s->c->severity, when,
                         ts.tv_nsec / 1000, s->hostname, s->c->app_name,
                         (long)getpid(), s->c->msgid);
        return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static void syslog_write(kbcd_sink *base, const kbcd_item *it)
{
        syslog_sink *s = (syslog_sink *)base;
        const kbc_buf *msg = kbcd_item_payload(base, it);
        if (!msg)
                return;
        char head[HEADER_MAX];
        size_t hlen = header(s, head, sizeof(head));
        /* octet counting (RFC 6587 3.4.1): the frame's length first */
        kbc_buf_printf(&s->pending, "%zu ", hlen + msg->len);
        kbc_buf_append(&s->pending, head, hlen);
        kbc_buf_append(&s->pending, msg->data, msg->len);
        if (s->pending.overflow) {
                kbcd_log("error",
                         "%s: %zu MiB of messages held and the collector "
                         "still unreachable; exiting, their offsets not "
                         "committed",
                         base->name, PENDING_MAX >> 20);
                exit(EXIT_FAILURE);
        }
        kbcd_held_add(base, &s->held, it->f, s->pending.len);
}

static void disconnect(syslog_sink *s, const char *why)
{
        kbcd_tls_conn_free(s->conn);
        s->conn = NULL;
        s->secured = false;
        if (s->fd >= 0)
                close(s->fd);
        s->fd = -1;
        s->connecting = false;
        s->sent = 0; /* a frame cut short goes again whole */
        s->backoff_ms = s->backoff_ms ? 2 * s->backoff_ms : RETRY_MIN_MS;
        if (s->backoff_ms > s->c->retry_max_ms)
                s->backoff_ms = s->c->retry_max_ms;
        s->next_try_ms = kbcd_now_ms() + s->backoff_ms;
        kbcd_sink_set_failing(&s->base, true, why);
}

static void fail_errno(syslog_sink *s, const char *what, int err)
{
        char why[128];
        snprintf(why, sizeof(why), "%s: %s", what, strerror(err));
        disconnect(s, why);
}

/* Starts a non-blocking connect. Returns whether one is under way. */
static bool start_connect(syslog_sink *s)
{
        if (kbcd_now_ms() < s->next_try_ms)
                return false;
        s->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (s->fd < 0) {
                fail_errno(s, "socket", errno);
                return false;
        }
        s->connecting = true;
        if (!connect(s->fd, (struct sockaddr *)&s->addr, sizeof(s->addr)) ||
            errno == EINPROGRESS)
                return true;
        fail_errno(s, "connect", errno);
        return false;
}

/* Whether the connect under way completed (a failure is handled). */
static bool connect_done(syslog_sink *s)
{
        struct pollfd p = {.fd = s->fd, .events = POLLOUT};
        if (poll(&p, 1, 0) <= 0)
                return false;
        int err = 0;
        socklen_t len = sizeof(err);
        getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
                fail_errno(s, "connect", err);
                return false;
        }
        s->connecting = false;
        return true;
}

/* Moves the TLS handshake on; whether it is done. */
static bool secure(syslog_sink *s)
{
        char why[320], ip[INET_ADDRSTRLEN];
        if (!s->conn) {
                inet_ntop(AF_INET, &s->addr.sin_addr, ip, sizeof(ip));
                s->conn = kbcd_tls_conn_new(s->tls, s->fd, ip);
                if (!s->conn) {
                        disconnect(s, "out of memory for TLS");
                        return false;
                }
        }
        int rc = kbcd_tls_handshake(s->conn, why, sizeof(why));
        if (rc < 0)
                disconnect(s, why);
        return s->secured = rc > 0;
}

/* Connects, then secures, step by step without blocking. Returns whether
 * the connection is ready for messages. */
static bool connected(syslog_sink *s)
{
        if (s->fd < 0 && !start_connect(s))
                return false;
        if (s->connecting && !connect_done(s))
                return false;
        return !s->tls || s->secured || secure(s);
}

/* Bytes of p written, 0 if it would block, -1 after disconnecting. */
static ssize_t put(syslog_sink *s, const char *p, size_t len)
{
        char why[320];
        ssize_t n;
        if (s->conn) {
                n = kbcd_tls_write(s->conn, p, len, why, sizeof(why));
                if (n < 0)
                        disconnect(s, why);
                return n;
        }
        do
                n = send(s->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        while (n < 0 && errno == EINTR);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return 0;
        if (n <= 0) {
                fail_errno(s, "send", n < 0 ? errno : EIO);
                return -1;
        }
        return n;
}

/* Acknowledges the items whose frames are wholly sent and drops them. */
static void ack_sent(syslog_sink *s)
{
        size_t n = 0;
        while (n < s->held.n && s->held.items[n].end <= s->sent)
                n++;
        if (!n)
                return;
        size_t cut = s->held.items[n - 1].end;
        kbcd_held_ack(&s->held, n);
        kbc_buf_consume(&s->pending, cut);
        s->sent -= cut;
        for (size_t i = 0; i < s->held.n; i++)
                s->held.items[i].end -= cut;
}

static void syslog_poll(kbcd_sink *base)
{
        syslog_sink *s = (syslog_sink *)base;
        if (!connected(s))
                return;
        char c;
        if (recv(s->fd, &c, 1, MSG_DONTWAIT | MSG_PEEK) == 0) {
                disconnect(s, "the collector closed the connection");
                return;
        }
        while (s->sent < s->pending.len) {
                ssize_t n =
                    put(s, s->pending.data + s->sent, s->pending.len - s->sent);
                if (n < 0)
                        return;
                if (!n)
                        break;
                s->sent += (size_t)n;
        }
        if (s->sent && base->failing) {
                s->backoff_ms = 0;
                kbcd_sink_set_failing(base, false, NULL);
        }
        ack_sent(s);
}

static int syslog_drain(kbcd_sink *base, int ms)
{
        syslog_sink *s = (syslog_sink *)base;
        int64_t end = kbcd_now_ms() + ms;
        for (;;) {
                syslog_poll(base);
                if (!s->held.n || kbcd_now_ms() >= end)
                        return (int)s->held.n;
                struct timespec pause = {0, 10 * 1000000};
                nanosleep(&pause, NULL);
        }
}

/* What is still held is let go unsent: nothing commits any more. */
static void syslog_close(kbcd_sink *base)
{
        syslog_sink *s = (syslog_sink *)base;
        kbcd_held_ack(&s->held, s->held.n);
        kbcd_tls_conn_free(s->conn);
        kbcd_tls_free(s->tls);
        if (s->fd >= 0)
                close(s->fd);
        kbc_buf_free(&s->pending);
        kbcd_held_free(&s->held);
        free(s);
}

static const kbcd_sink_ops syslog_ops = {
    .write = syslog_write,
    .poll = syslog_poll,
    .drain = syslog_drain,
    .close = syslog_close,
};

kbcd_sink *kbcd_sink_syslog_new(kbcd_sinks *all, const kbcd_syslog_config *c)
{
        syslog_sink *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->c = c;
        s->fd = -1;
        snprintf(s->name, sizeof(s->name), "syslog%s://%s",
                 c->tls ? "+tls" : "", c->address);
        char why[320];
        if (c->tls &&
            !(s->tls = kbcd_tls_new(c->tls_ca, c->tls_verify,
                                    c->tls_server_name, why, sizeof(why)))) {
                kbcd_log("error", "%s: %s", s->name, why);
                free(s);
                return NULL;
        }
        s->base = (kbcd_sink){.ops = &syslog_ops,
                              .all = all,
                              .name = s->name,
                              .format = c->format};
        kbcd_listen_parse(c->address, &s->addr); /* checked by config.c */
        if (c->hostname)
                snprintf(s->hostname, sizeof(s->hostname), "%s", c->hostname);
        else if (gethostname(s->hostname, sizeof(s->hostname)) ||
                 !s->hostname[0])
                strcpy(s->hostname, "-"); /* RFC 5424: NILVALUE */
        kbc_buf_init(&s->pending, PENDING_MAX);
        return &s->base;
}
