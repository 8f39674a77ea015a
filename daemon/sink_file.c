/*
 * sink_file.c - incidents or dead letters to a file or stdout: records
 * are appended to pending and written with write(2) at each sync, then
 * fsync'd; a record counts as delivered only once all of it is on disk.
 * A write or sync that fails keeps the rest pending (none written twice)
 * and the records in flight, retried at the next sync.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink.h"

/* A pending record larger than this means the sink has failed for long:
 * kbcorrd exits (the records' offsets were never committed, so a restart
 * re-reads them) rather than hold the incidents in memory without bound. */
#define PENDING_MAX ((size_t)256 << 20)

typedef struct file_sink {
        kbcd_sink base;
        int fd;
        bool fsync; /* a file, not a pipe or a terminal */
        kbc_buf pending;
        kbcd_held held; /* their records pending; acknowledged once synced */
} file_sink;

/* JSON lines, or msgpack objects back to back (they delimit themselves):
 * pending until the next sync writes them. */
static void file_write(kbcd_sink *base, const kbcd_item *it)
{
        file_sink *s = (file_sink *)base;
        const kbc_buf *b = kbcd_item_payload(base, it);
        if (!b)
                return;
        kbc_buf_append(&s->pending, b->data, b->len);
        if (!it->inc || kbc_out_format_is_line(base->format))
                kbc_buf_putc(&s->pending, '\n');
        if (s->pending.overflow) {
                kbcd_log("error",
                         "%s: %zu MiB of records held and the sink still "
                         "failing; exiting, their offsets not committed",
                         base->name, PENDING_MAX >> 20);
                exit(EXIT_FAILURE);
        }
        kbcd_held_add(base, &s->held, it->f, 0);
}

/* Writes what is pending, then fsyncs. 0 when all of it is on disk. */
static int flush(file_sink *s)
{
        size_t done = 0;
        int err = 0;
        while (done < s->pending.len) {
                ssize_t n =
                    write(s->fd, s->pending.data + done, s->pending.len - done);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        err = n < 0 ? errno : EIO;
                        break;
                }
                done += (size_t)n;
        }
        /* what was written is never written again */
        kbc_buf_consume(&s->pending, done);
        if (!err && s->fsync && fsync(s->fd))
                err = errno;
        if (err) {
                char why[160];
                snprintf(why, sizeof(why),
                         "%s; %zu bytes of records held, retried every %d ms",
                         strerror(err), s->pending.len, KBCD_STORE_EVERY_MS);
                kbcd_sink_set_failing(&s->base, true, why);
                return -1;
        }
        kbcd_sink_set_failing(&s->base, false, NULL);
        return 0;
}

static void file_sync(kbcd_sink *base)
{
        file_sink *s = (file_sink *)base;
        if (flush(s))
                return;
        kbcd_held_ack(&s->held, s->held.n);
}

static int file_drain(kbcd_sink *base, int ms)
{
        (void)ms;
        file_sync(base);
        return (int)((file_sink *)base)->held.n;
}

/* What is still held is let go unwritten: nothing commits any more. */
static void file_close(kbcd_sink *base)
{
        file_sink *s = (file_sink *)base;
        kbcd_held_ack(&s->held, s->held.n);
        if (s->fd >= 0 && s->fd != STDOUT_FILENO)
                close(s->fd);
        kbc_buf_free(&s->pending);
        kbcd_held_free(&s->held);
        free(s);
}

static const kbcd_sink_ops file_ops = {
    .write = file_write,
    .sync = file_sync,
    .drain = file_drain,
    .close = file_close,
};

kbcd_sink *kbcd_sink_file_new(kbcd_sinks *all, const char *path,
                              kbc_out_format f)
{
        file_sink *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        bool out = !strcmp(path, "-");
        s->base = (kbcd_sink){.ops = &file_ops,
                              .all = all,
                              .name = out ? "stdout" : path,
                              .format = f};
        s->fd =
            out ? STDOUT_FILENO
                : open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (s->fd < 0) {
                kbcd_log("error", "%s: %s", path, strerror(errno));
                free(s);
                return NULL;
        }
        struct stat st;
        s->fsync = !fstat(s->fd, &st) && S_ISREG(st.st_mode);
        kbc_buf_init(&s->pending, PENDING_MAX);
        return &s->base;
}
