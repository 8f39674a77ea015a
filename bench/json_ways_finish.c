/*
 * json_ways_finish.c - from the members a walk found (jw_parts) to the
 * event kbc_decode makes, shared by the simdjson and lazy prototypes so
 * that they differ by their JSON walk only (json_ways.h).
 *
 * Every rule here restates one of parsers/: detection is claim() in
 * decode.c, Winlogbeat 7 is winlogbeat.c, Winlogbeat 6 and NXLog are
 * decode_flat() in shapes.c through their own member names, event data is
 * object_fields() in event_data.c. Where the library would do something
 * this file does not (the alias scan, XML-as-JSON attributes, event data
 * in another form, any error), the answer is JW_FALLBACK, and
 * bench/json_ways.c checks on every real record that the rest gives the
 * same event field for field.
 */
#include <string.h>

#include "formats.h"
#include "json.h"
#include "json_ways.h"
#include "kbc_time.h"

static const struct {
        kbc_str name;
        int slot;
} top_names[] = {
    {KBC_STR_LIT("@timestamp"), JW_TIMESTAMP},
    {KBC_STR_LIT("winlog"), JW_WINLOG},
    {KBC_STR_LIT("host"), JW_HOST},
    {KBC_STR_LIT("agent"), JW_AGENT},
    {KBC_STR_LIT("log"), JW_LOG},
    {KBC_STR_LIT("event"), JW_EVENT},
    {KBC_STR_LIT("message"), JW_MESSAGE},
    {KBC_STR_LIT("event_id"), JW_EVENT_ID_},
    {KBC_STR_LIT("log_name"), JW_LOG_NAME},
    {KBC_STR_LIT("computer_name"), JW_COMPUTER_NAME},
    {KBC_STR_LIT("source_name"), JW_SOURCE_NAME},
    {KBC_STR_LIT("record_number"), JW_RECORD_NUMBER},
    {KBC_STR_LIT("level"), JW_LEVEL_},
    {KBC_STR_LIT("event_data"), JW_EVENT_DATA},
    {KBC_STR_LIT("user_data"), JW_USER_DATA},
    {KBC_STR_LIT("EventTime"), JW_NX_EVENTTIME},
    {KBC_STR_LIT("Hostname"), JW_NX_HOSTNAME},
    {KBC_STR_LIT("SourceName"), JW_NX_SOURCENAME},
    {KBC_STR_LIT("Channel"), JW_NX_CHANNEL},
    {KBC_STR_LIT("EventID"), JW_NX_EVENTID},
    {KBC_STR_LIT("RecordNumber"), JW_NX_RECORDNUMBER},
    {KBC_STR_LIT("Severity"), JW_NX_SEVERITY},
    {KBC_STR_LIT("Message"), JW_NX_MESSAGE},
};

static const struct {
        int parent;
        kbc_str name;
        int slot;
} nested_names[] = {
    {JW_WINLOG, KBC_STR_LIT("event_id"), JW_W_EVENT_ID},
    {JW_WINLOG, KBC_STR_LIT("computer_name"), JW_W_COMPUTER_NAME},
    {JW_WINLOG, KBC_STR_LIT("channel"), JW_W_CHANNEL},
    {JW_WINLOG, KBC_STR_LIT("provider_name"), JW_W_PROVIDER},
    {JW_WINLOG, KBC_STR_LIT("record_id"), JW_W_RECORD_ID},
    {JW_WINLOG, KBC_STR_LIT("event_data"), JW_W_EVENT_DATA},
    {JW_WINLOG, KBC_STR_LIT("user_data"), JW_W_USER_DATA},
    {JW_HOST, KBC_STR_LIT("name"), JW_HOST_NAME},
    {JW_AGENT, KBC_STR_LIT("hostname"), JW_AGENT_HOSTNAME},
    {JW_LOG, KBC_STR_LIT("level"), JW_LOG_LEVEL},
    {JW_EVENT, KBC_STR_LIT("code"), JW_EVENT_CODE},
};

/* A linear table, refused by length and first byte: both prototypes pay
 * the same per member (a first version with strlen per entry was a fifth
 * of the lazy scan's instructions on NXLog). */
int jw_top_slot(kbc_str key)
{
        for (size_t i = 0; i < sizeof(top_names) / sizeof(*top_names); i++) {
                kbc_str n = top_names[i].name;
                if (n.len == key.len && n.ptr[0] == key.ptr[0] &&
                    !memcmp(n.ptr, key.ptr, key.len))
                        return top_names[i].slot;
        }
        return -1;
}

int jw_nested_slot(int parent, kbc_str key)
{
        for (size_t i = 0; i < sizeof(nested_names) / sizeof(*nested_names);
             i++) {
                kbc_str n = nested_names[i].name;
                if (nested_names[i].parent == parent && n.len == key.len &&
                    !memcmp(n.ptr, key.ptr, key.len))
                        return nested_names[i].slot;
        }
        return -1;
}

bool jw_descends(int slot)
{
        return slot == JW_WINLOG || slot == JW_HOST || slot == JW_AGENT ||
               slot == JW_LOG || slot == JW_EVENT || slot == JW_EVENT_DATA;
}

void jw_start(jw_parts *p, char *scratch, kbc_event *ev)
{
        p->nm = 0;
        for (int s = 0; s < JW_NSLOTS; s++)
                p->slot[s] = -1;
        p->ed_from = -1;
        p->scratch = scratch;
        p->scratch_used = 0;
        kbc_fmt_reset_event(ev);
}

/* The member in slot s, or NULL. */
static const jw_member *at(const jw_parts *p, int s)
{
        if (p->slot[s] < 0)
                return NULL;
        return s < JW_NTOP ? &p->m[p->slot[s]] : &p->nested[s - JW_NTOP];
}

/* The slot's member unless it is absent or null (decode_flat's rule). */
static const jw_member *present(const jw_parts *p, int s)
{
        const jw_member *v = at(p, s);
        return v && v->type != JW_NULL ? v : NULL;
}

/* kbc_json_text: 0 with the text, 1 when v is no scalar with text, -1
 * for a bad escape. */
static int text(jw_parts *p, const jw_member *v, kbc_str *out)
{
        if (!v || (v->type != JW_STRING && v->type != JW_NUMBER &&
                   v->type != JW_BOOL))
                return 1;
        if (!v->esc) {
                *out = v->val;
                return 0;
        }
        char *dst = p->scratch + p->scratch_used;
        size_t n;
        if (kbc_json_unescape(v->val, dst, &n) != KBC_JSON_OK)
                return -1;
        p->scratch_used += n;
        *out = kbc_str_make(dst, n);
        return 0;
}

/* kbc_json_int on the raw text of a number or a string. */
static int integer(const jw_member *v, int64_t *out)
{
        if (!v || (v->type != JW_NUMBER && v->type != JW_STRING))
                return -1;
        return kbc_json_parse_int(v->val, out) == KBC_JSON_OK ? 0 : -1;
}

/* An optional text part: set when it is a scalar, left alone when not. */
static int opt_text(jw_parts *p, const jw_member *v, kbc_str *dst)
{
        kbc_str s;
        int rc = text(p, v, &s);
        if (rc == 0)
                *dst = s;
        return rc < 0 ? -1 : 0;
}

int jw_event_data_member(jw_parts *p, kbc_str name, const jw_member *v,
                         kbc_event *ev)
{
        if (name.len == 4 && !memcmp(name.ptr, "Data", 4))
                return JW_FALLBACK; /* the XML-as-JSON forms */
        if (name.len && (name.ptr[0] == '#' || name.ptr[0] == '@'))
                return 0;
        if (v->type == JW_OBJECT)
                return JW_FALLBACK; /* "#text" items, nested UserData */
        if (v->type == JW_ARRAY)
                return 0;
        kbc_str value = kbc_str_make("", 0);
        if (text(p, v, &value) < 0)
                return JW_FALLBACK;
        kbc_fmt_add_field(ev, name, value);
        return 0;
}

static int winlogbeat7(jw_parts *p, kbc_event *ev)
{
        int64_t v;
        const jw_member *id = at(p, JW_W_EVENT_ID);
        if (!id)
                id = at(p, JW_EVENT_CODE);
        if (integer(id, &v) || v < 0 || v > UINT32_MAX)
                return JW_FALLBACK;
        ev->event_id = (uint32_t)v;
        ev->has_event_id = true;

        kbc_str s;
        if (text(p, at(p, JW_TIMESTAMP), &s) ||
            kbc_time_parse_iso(s, 0, &ev->time_ms))
                return JW_FALLBACK;

        static const int hosts[] = {JW_W_COMPUTER_NAME, JW_HOST_NAME,
                                    JW_AGENT_HOSTNAME};
        for (size_t i = 0; i < 3 && !ev->host.len; i++)
                if (opt_text(p, at(p, hosts[i]), &ev->host))
                        return JW_FALLBACK;
        if (!ev->host.len)
                return JW_FALLBACK;

        if (opt_text(p, at(p, JW_W_CHANNEL), &ev->channel) ||
            opt_text(p, at(p, JW_W_PROVIDER), &ev->provider) ||
            opt_text(p, at(p, JW_LOG_LEVEL), &ev->level) ||
            opt_text(p, at(p, JW_MESSAGE), &ev->message))
                return JW_FALLBACK;
        if (integer(at(p, JW_W_RECORD_ID), &v) == 0 && v >= 0) {
                ev->record_id = (uint64_t)v;
                ev->has_record_id = true;
        }
        /* Event data other than one object of values goes the long way. */
        const jw_member *ed = at(p, JW_W_EVENT_DATA),
                        *ud = at(p, JW_W_USER_DATA);
        if (p->ed_from == JW_EVENT_DATA ||
            (ed && (ed->type == JW_ARRAY || ed->type == JW_STRING)) ||
            (ud && (ud->type == JW_ARRAY || ud->type == JW_STRING)))
                return JW_FALLBACK;
        return KBC_FMT_WINLOGBEAT;
}

/* A flat shape read through its own names (shapes.c own_names and
 * decode_flat); names[] in the order time, host, provider, channel,
 * event id, record id, level, message. */
static int flat(jw_parts *p, const int names[8], kbc_event *ev)
{
        const jw_member *v[8];
        for (int i = 0; i < 8; i++) {
                v[i] = present(p, names[i]);
                if (v[i] && v[i]->type == JW_OBJECT)
                        return JW_FALLBACK; /* XML-as-JSON attributes */
        }
        if (!v[0] || !v[1] || !v[4])
                return JW_FALLBACK; /* the alias scan's case */

        kbc_str s;
        if (text(p, v[4], &s) || kbc_fmt_parse_u32(s, &ev->event_id))
                return JW_FALLBACK;
        ev->has_event_id = true;
        if (text(p, v[0], &s) || kbc_fmt_time(s, 0, &ev->time_ms))
                return JW_FALLBACK;
        if (opt_text(p, v[1], &ev->host) || opt_text(p, v[2], &ev->provider) ||
            opt_text(p, v[3], &ev->channel) || opt_text(p, v[6], &ev->level) ||
            opt_text(p, v[7], &ev->message))
                return JW_FALLBACK;
        if (!ev->host.len)
                ev->host = KBC_STR_LIT("unknown");
        ev->level = kbc_fmt_level_name(ev->level);
        int64_t r;
        if (integer(v[5], &r) == 0 && r >= 0) {
                ev->record_id = (uint64_t)r;
                ev->has_record_id = true;
        }
        return 0;
}

static int winlogbeat6(jw_parts *p, kbc_event *ev)
{
        static const int names[8] = {
            JW_TIMESTAMP, JW_COMPUTER_NAME, JW_SOURCE_NAME, JW_LOG_NAME,
            JW_EVENT_ID_, JW_RECORD_NUMBER, JW_LEVEL_,      JW_MESSAGE};
        const jw_member *ed = present(p, JW_EVENT_DATA);
        if (!ed || ed->type != JW_OBJECT || p->ed_from != JW_EVENT_DATA ||
            present(p, JW_USER_DATA))
                return JW_FALLBACK;
        return flat(p, names, ev) ? JW_FALLBACK : KBC_FMT_WINLOGBEAT6;
}

/* NXLog: no event data member, so the record's other scalar members are
 * its event data (shapes.c flattened_fields). */
static int nxlog(jw_parts *p, kbc_event *ev)
{
        static const int names[8] = {JW_NX_EVENTTIME,  JW_NX_HOSTNAME,
                                     JW_NX_SOURCENAME, JW_NX_CHANNEL,
                                     JW_NX_EVENTID,    JW_NX_RECORDNUMBER,
                                     JW_NX_SEVERITY,   JW_NX_MESSAGE};
        if (p->ed_from >= 0 || flat(p, names, ev))
                return JW_FALLBACK;
        int taken[8];
        for (int i = 0; i < 8; i++)
                taken[i] = present(p, names[i]) ? p->slot[names[i]] : -1;
        for (size_t k = 0; k < p->nm; k++) {
                const jw_member *m = &p->m[k];
                if (m->type == JW_OBJECT || m->type == JW_ARRAY)
                        continue;
                bool is_taken = false;
                for (int i = 0; i < 8 && !is_taken; i++)
                        is_taken = taken[i] == (int)k;
                if (is_taken || kbc_shape_system_member(m->key))
                        continue;
                if (ev->nfields >= KBC_EVENT_MAX_FIELDS) {
                        ev->fields_dropped++;
                        continue;
                }
                kbc_str value = kbc_str_make("", 0);
                if (text(p, m, &value) < 0)
                        return JW_FALLBACK;
                kbc_fmt_add_field(ev, m->key, value);
        }
        return KBC_FMT_NXLOG;
}

/* decode.c's window of valid Windows times. */
#define TIME_MIN_MS (-11644473600000LL)
#define TIME_MAX_MS (253402300799999LL)

int jw_finish(jw_parts *p, kbc_event *ev)
{
        int f;
        const jw_member *wl = at(p, JW_WINLOG);
        if (wl && wl->type == JW_OBJECT)
                f = winlogbeat7(p, ev);
        else if (at(p, JW_EVENT_ID_) && at(p, JW_LOG_NAME) && !wl)
                f = winlogbeat6(p, ev);
        else if (at(p, JW_NX_EVENTID) && at(p, JW_NX_SOURCENAME))
                f = nxlog(p, ev);
        else
                f = JW_FALLBACK;
        if (f == JW_FALLBACK || ev->time_ms < TIME_MIN_MS ||
            ev->time_ms > TIME_MAX_MS)
                return JW_FALLBACK;
        kbc_fmt_normalize_channel(ev);
        return f;
}
