/*
 * winxml.c - Windows event XML (the <Event> document that Windows Event
 * Forwarding, wevtutil, Get-WinEvent's ToXml(), EvtRender and libevtx
 * produce) to the normalized event, with expat.
 *
 *   time      System/TimeCreated/@SystemTime (ISO 8601, UTC)
 *   host      System/Computer          channel   System/Channel
 *   provider  System/Provider/@Name    event id  System/EventID (its
 *             Qualifiers attribute is not part of the id, as Winlogbeat and
 *             Event Viewer show it)
 *   record id System/EventRecordID     level     System/Level, named as
 *                                                Winlogbeat names it
 *   message   RenderingInfo/Message (rendered events only; absent in
 *             EVTX records and plain WEF "Events" format)
 *   fields    EventData/Data, by its Name attribute or, without one, as
 *             param1.. by position; then the leaf elements of UserData,
 *             named after the element.
 * Namespaces are parsed (the event namespace, or UserData's own) and only
 * local names compared, so prefixed and unprefixed documents read alike.
 * One <Event> is decoded per message; it may be the root or a child of
 * an <Events> root, and later events in the same message are ignored.
 *
 * Why the state: expat hands out attribute and text strings only for the
 * duration of a callback, and text arrives in pieces with entities and
 * character references already decoded, so nothing is a view of the input.
 * Names and values are copied into one scratch buffer, reserved before
 * parsing to twice the message (decoded text is never longer than its
 * source, except when a declared 1-byte or UTF-16 encoding is re-encoded
 * to UTF-8, at most doubling it), so it never moves while views point in.
 * The expat parsers are created once per decoder and XML_ParserReset
 * between messages.
 *
 * Hostile input: a DOCTYPE is refused outright (Windows never writes one),
 * which shuts out entity expansion ("billion laughs") and external
 * entities before any is declared; nesting is capped at MAX_DEPTH; the
 * scratch bound caps the total text. Expat itself validates well-formedness
 * and the encoding.
 */
#include <expat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats.h"
#include "kbc_buf.h"
#include "kbc_time.h"

#define FMT       "winxml"
#define NS_SEP    '\x01'
#define MAX_DEPTH 32

typedef enum section {
        SEC_NONE = 0,
        SEC_SYSTEM,
        SEC_EVENTDATA,
        SEC_USERDATA,
        SEC_RENDERING,
} section;

typedef enum target {
        T_NONE = 0,
        T_EVENTID,
        T_CHANNEL,
        T_COMPUTER,
        T_RECORDID,
        T_LEVEL,
        T_MESSAGE,
        T_FIELD,
} target;

struct kbc_winxml {
        XML_Parser p;     /* the one in use for this message */
        XML_Parser ns;    /* namespace-aware: the usual case */
        XML_Parser plain; /* for libevtx output with unbound prefixes */
        kbc_buf scratch;
        /* per message */
        kbc_event *ev;
        char *err;
        size_t errsize;
        bool failed;
        int depth;       /* of the element being read; root = 1 */
        int event_depth; /* of the <Event> decoded; 0 before it */
        bool event_done; /* its end was seen: ignore the rest */
        section sec;
        target tgt;         /* what the open capture is for */
        int tgt_depth;      /* depth of the element being captured */
        size_t cap_start;   /* where its text starts in the scratch */
        bool capturing;     /* text goes to the scratch */
        kbc_str field_name; /* of a T_FIELD capture */
        size_t ndata;       /* EventData/Data seen, for param names */
        kbc_str event_id, record_id, level;
        bool have_time;
};

kbc_winxml *kbc_winxml_new(void)
{
        kbc_winxml *x = calloc(1, sizeof(*x));
        if (!x)
                return NULL;
        x->ns = XML_ParserCreateNS(NULL, NS_SEP);
        x->plain = XML_ParserCreate(NULL);
        if (!x->ns || !x->plain) {
                kbc_winxml_free(x);
                return NULL;
        }
        /* Cap = twice the largest message, see above. */
        kbc_buf_init(&x->scratch, 2 * 1024 * 1024 + 64);
        return x;
}

void kbc_winxml_free(kbc_winxml *x)
{
        if (!x)
                return;
        if (x->ns)
                XML_ParserFree(x->ns);
        if (x->plain)
                XML_ParserFree(x->plain);
        kbc_buf_free(&x->scratch);
        free(x);
}

/* Records the first error and stops the parser. */
__attribute__((format(printf, 2, 3))) static void fail(kbc_winxml *x,
                                                       const char *fmt, ...)
{
        if (!x->failed && x->err && x->errsize) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(x->err, x->errsize, fmt, ap);
                va_end(ap);
        }
        x->failed = true;
        XML_StopParser(x->p, XML_FALSE);
}

/* The local part of an expat NS name ("uri\x01local", or "local"), or of
 * a prefixed name when parsing without namespaces ("e:Event"). */
static const char *local_name(const char *name)
{
        const char *sep = strrchr(name, NS_SEP);
        if (!sep)
                sep = strrchr(name, ':');
        return sep ? sep + 1 : name;
}

/* Appends into the reserved scratch; never reallocates (views point in). */
static bool scratch_add(kbc_winxml *x, const char *s, size_t n)
{
        kbc_buf *b = &x->scratch;
        if (b->cap - b->len < n + 1) {
                fail(x, FMT ": %s",
                     "decoded text larger than the message "
                     "allows");
                return false;
        }
        memcpy(b->data + b->len, s, n);
        b->len += n;
        return true;
}

static kbc_str scratch_copy(kbc_winxml *x, const char *s)
{
        size_t start = x->scratch.len, n = strlen(s);
        if (!scratch_add(x, s, n))
                return kbc_str_make("", 0);
        return kbc_str_make(x->scratch.data + start, n);
}

static const char *attr(const XML_Char **atts, const char *name)
{
        for (size_t i = 0; atts[i]; i += 2)
                if (!strcmp(local_name(atts[i]), name))
                        return atts[i + 1];
        return NULL;
}

static void begin_capture(kbc_winxml *x, target t)
{
        x->tgt = t;
        x->tgt_depth = x->depth;
        x->cap_start = x->scratch.len;
        x->capturing = true;
}

static void system_start(kbc_winxml *x, const char *name, const XML_Char **atts)
{
        if (!strcmp(name, "Provider")) {
                const char *v = attr(atts, "Name");
                if (v)
                        x->ev->provider = scratch_copy(x, v);
        } else if (!strcmp(name, "TimeCreated")) {
                const char *v = attr(atts, "SystemTime");
                if (v && kbc_time_parse_iso(kbc_str_cstr(v), 0,
                                            &x->ev->time_ms) == 0)
                        x->have_time = true;
                else if (v)
                        fail(x, FMT ": unparseable TimeCreated \"%.40s\"", v);
        } else if (!strcmp(name, "EventID")) {
                begin_capture(x, T_EVENTID);
        } else if (!strcmp(name, "Channel")) {
                begin_capture(x, T_CHANNEL);
        } else if (!strcmp(name, "Computer")) {
                begin_capture(x, T_COMPUTER);
        } else if (!strcmp(name, "EventRecordID")) {
                begin_capture(x, T_RECORDID);
        } else if (!strcmp(name, "Level")) {
                begin_capture(x, T_LEVEL);
        }
}

static void XMLCALL on_start(void *ud, const XML_Char *qname,
                             const XML_Char **atts)
{
        kbc_winxml *x = ud;
        const char *name = local_name(qname);
        if (++x->depth > MAX_DEPTH) {
                fail(x, FMT ": elements nested deeper than %d", MAX_DEPTH);
                return;
        }
        if (x->event_done)
                return;
        /* A child ends the parent's claim to be a leaf: drop its text. */
        if (x->capturing) {
                x->scratch.len = x->cap_start;
                x->capturing = false;
                if (x->tgt != T_FIELD)
                        x->tgt = T_NONE;
        }
        if (!x->event_depth) {
                if (!strcmp(name, "Event") && x->depth <= 2)
                        x->event_depth = x->depth;
                else if (x->depth > 1 || strcmp(name, "Events"))
                        fail(x, FMT ": <%.40s> is not a Windows <Event>", name);
                return;
        }
        int rel = x->depth - x->event_depth;
        if (rel == 1) {
                x->sec = !strcmp(name, "System")          ? SEC_SYSTEM
                         : !strcmp(name, "EventData")     ? SEC_EVENTDATA
                         : !strcmp(name, "UserData")      ? SEC_USERDATA
                         : !strcmp(name, "RenderingInfo") ? SEC_RENDERING
                                                          : SEC_NONE;
                return;
        }
        switch (x->sec) {
        case SEC_SYSTEM:
                if (rel == 2)
                        system_start(x, name, atts);
                break;
        case SEC_EVENTDATA:
                if (rel == 2 && !strcmp(name, "Data")) {
                        const char *n = attr(atts, "Name");
                        x->field_name = n ? scratch_copy(x, n)
                                          : kbc_fmt_param_name(x->ndata);
                        x->ndata++;
                        begin_capture(x, T_FIELD);
                }
                break;
        case SEC_USERDATA:
                /* Leaves only: a later child start cancels the claim. */
                if (rel >= 3) {
                        x->field_name = scratch_copy(x, name);
                        begin_capture(x, T_FIELD);
                }
                break;
        case SEC_RENDERING:
                if (rel == 2 && !strcmp(name, "Message"))
                        begin_capture(x, T_MESSAGE);
                break;
        default:
                break;
        }
}

static void end_capture(kbc_winxml *x)
{
        kbc_str v = kbc_str_make("", 0);
        if (x->capturing)
                v = kbc_str_make(x->scratch.data + x->cap_start,
                                 x->scratch.len - x->cap_start);
        x->capturing = false;
        switch (x->tgt) {
        case T_EVENTID:
                x->event_id = v;
                break;
        case T_CHANNEL:
                x->ev->channel = v;
                break;
        case T_COMPUTER:
                x->ev->host = v;
                break;
        case T_RECORDID:
                x->record_id = v;
                break;
        case T_LEVEL:
                x->level = v;
                break;
        case T_MESSAGE:
                x->ev->message = v;
                break;
        case T_FIELD:
                /* A Data whose text was dropped (it had children) still
                 * takes its place, so param numbering stays right; a
                 * UserData element that had children is not a leaf. */
                if (x->sec == SEC_EVENTDATA || x->tgt_depth == x->depth)
                        kbc_fmt_add_field(x->ev, x->field_name, v);
                break;
        default:
                break;
        }
        x->tgt = T_NONE;
}

static void XMLCALL on_end(void *ud, const XML_Char *qname)
{
        kbc_winxml *x = ud;
        (void)qname;
        if (!x->event_done && x->event_depth) {
                if (x->tgt != T_NONE && x->depth == x->tgt_depth)
                        end_capture(x);
                if (x->depth - x->event_depth == 1)
                        x->sec = SEC_NONE;
                if (x->depth == x->event_depth)
                        x->event_done = true;
        }
        x->depth--;
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
        kbc_winxml *x = ud;
        if (x->capturing && len > 0)
                scratch_add(x, s, (size_t)len);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name,
                               const XML_Char *sysid, const XML_Char *pubid,
                               int has_internal_subset)
{
        (void)sysid;
        (void)pubid;
        (void)has_internal_subset;
        fail(ud, FMT ": DOCTYPE <%.40s> refused (entity expansion)", name);
}

static int finish(kbc_winxml *x, char *errstr, size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        kbc_event *ev = x->ev;
        if (!x->event_depth)
                return kbc_errf(errstr, errsize, FMT ": no <Event> element");
        if (x->event_id.len == 0)
                return kbc_errf(errstr, errsize,
                                FMT ": missing System/EventID");
        if (kbc_fmt_parse_u32(x->event_id, &ev->event_id))
                return kbc_errf(errstr, errsize,
                                FMT ": EventID is not an event id: \"%s\"",
                                kbc_fmt_preview(x->event_id, pv));
        ev->has_event_id = true;
        if (!x->have_time)
                return kbc_errf(errstr, errsize,
                                FMT ": missing System/TimeCreated/@SystemTime");
        if (ev->host.len == 0)
                return kbc_errf(errstr, errsize,
                                FMT ": missing System/Computer");
        uint32_t lo;
        if (x->record_id.len) {
                /* Record ids pass 2^32 on busy logs: parse 64 bits. */
                uint64_t v = 0;
                size_t i = 0;
                for (; i < x->record_id.len && i < 20; i++) {
                        char c = x->record_id.ptr[i];
                        unsigned d = (unsigned)(c - '0');
                        if (c < '0' || c > '9' || v > (UINT64_MAX - d) / 10)
                                break;
                        v = v * 10 + d;
                }
                if (i == x->record_id.len) {
                        ev->record_id = v;
                        ev->has_record_id = true;
                }
        }
        if (x->level.len && kbc_fmt_parse_u32(x->level, &lo) == 0)
                ev->level = kbc_fmt_level_name(x->level);
        else
                ev->level = x->level;
        return 0;
}

/* One parse of buf with parser p. XML_STATUS_OK or the expat error. */
static enum XML_Error parse(kbc_winxml *x, XML_Parser p, const char *buf,
                            size_t len, kbc_event *ev)
{
        x->p = p;
        XML_ParserReset(p, NULL);
        XML_SetUserData(p, x);
        XML_SetElementHandler(p, on_start, on_end);
        XML_SetCharacterDataHandler(p, on_text);
        XML_SetStartDoctypeDeclHandler(p, on_doctype);
        kbc_buf_reset(&x->scratch);
        x->failed = x->event_done = x->capturing = x->have_time = false;
        x->depth = x->event_depth = 0;
        x->sec = SEC_NONE;
        x->tgt = T_NONE;
        x->ndata = 0;
        x->event_id = x->record_id = x->level = kbc_str_make("", 0);
        ev->nfields = ev->fields_dropped = 0;
        ev->host = ev->channel = ev->provider = ev->message =
            kbc_str_make("", 0);
        if (XML_Parse(p, buf, (int)len, XML_TRUE) == XML_STATUS_OK)
                return XML_ERROR_NONE;
        return XML_GetErrorCode(p);
}

int kbc_winxml_decode(kbc_winxml *x, const char *buf, size_t len, kbc_event *ev,
                      char *errstr, size_t errsize)
{
        int rc = -1;
        kbc_buf_reset(&x->scratch);
        if (len > 1024 * 1024 || kbc_buf_reserve(&x->scratch, 2 * len + 16)) {
                kbc_errf(errstr, errsize, FMT ": no memory for %zu bytes", len);
                goto out;
        }
        x->ev = ev;
        x->err = errstr;
        x->errsize = errsize;
        enum XML_Error e = parse(x, x->ns, buf, len, ev);
        /* libevtx writes UserData elements with a prefix it does not
         * declare; namespaces are only compared by local name here, so
         * such a record is read again without namespace processing. */
        if (e == XML_ERROR_UNBOUND_PREFIX && !x->failed)
                e = parse(x, x->plain, buf, len, ev);
        if (x->failed)
                goto out;
        if (e != XML_ERROR_NONE) {
                kbc_errf(errstr, errsize, FMT ": %s at line %lu, column %lu",
                         XML_ErrorString(e),
                         (unsigned long)XML_GetCurrentLineNumber(x->p),
                         (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1);
                goto out;
        }
        rc = finish(x, errstr, errsize);

out:
        x->ev = NULL;
        return rc;
}
