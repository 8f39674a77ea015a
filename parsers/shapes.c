/*
 * shapes.c - the flat JSON shapes: records whose event parts are members
 * of one object (the "root"), found through the alias table (aliases.c)
 * whatever the pipeline called them. A shape only says how it is told
 * apart and where its root and its event data are; reading is shared.
 *
 *   winlogbeat6   event_id + log_name, no winlog object (Winlogbeat 6.x)
 *   nxlog         EventID + SourceName (NXLog im_msvistalog, and the
 *                 collector exports of that shape without EventTime)
 *   fluentbit     EventID + ProviderName, no SourceName (Fluent Bit's
 *                 winevtlog as JSON; Fluentd's in_windows_eventlog2)
 *   powershell    Id + ProviderName + LogName (Get-WinEvent |
 *                 ConvertTo-Json, Windows PowerShell 5.1 or 7)
 *   loganalytics  TimeGenerated + EventID (Log Analytics / Sentinel Event,
 *                 SecurityEvent and WindowsEvent rows)
 *   evtxjson      Event.System, an object (the event XML as JSON:
 *                 evtx_dump, xmltodict); event data in Event
 *   wazuh         data.win.system, an object (Wazuh's eventchannel
 *                 alerts); event data in data.win
 *   winjson       anything else with an event id and a provider or a
 *                 channel under a known name; asked after the mappings
 *
 * The predicates exclude one another in the order of kbc_flat_shapes, so
 * the first claim is the only one (docs/input-formats.md).
 *
 * Reading a part: scalars as text; an object as its "#text", or its Name
 * or SystemTime attribute in any of the XML-as-JSON spellings ("Name",
 * "@Name", "#attributes": {"Name"}). Time, event id and host are required,
 * except that a record without any host member is kept as host "unknown":
 * an export of one machine's log (PowerShell, a file) often has none, and
 * such events correlating with each other is better than losing them.
 * When a flat record has no event data member, its other scalar members
 * are its event data (NXLog flattens EventData into the record), less the
 * system members that shapes are known to carry.
 */
#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "formats.h"

static const kbc_str unknown_host = KBC_STR_LIT("unknown");

/* Members that are neither an alias nor event data, by exact name:
 * NXLog's and Logstash's (checked against the 23,403 events of the real
 * NXLog capture), Log Analytics' columns, PowerShell's properties, the
 * collector exports'. Case matters: NXLog's "ProcessID" is the logging
 * process, Sysmon's EventData "ProcessId" is not. */
static const kbc_str system_members[] = {
    KBC_STR_LIT("ProviderGuid"),
    KBC_STR_LIT("EventType"),
    KBC_STR_LIT("EventTypeOrignal"), /* sic, a Logstash rename */
    KBC_STR_LIT("SeverityValue"),
    KBC_STR_LIT("Keywords"),
    KBC_STR_LIT("Version"),
    KBC_STR_LIT("Task"),
    KBC_STR_LIT("Opcode"),
    KBC_STR_LIT("OpcodeValue"),
    KBC_STR_LIT("ActivityID"),
    KBC_STR_LIT("RelatedActivityID"),
    KBC_STR_LIT("ProcessID"),
    KBC_STR_LIT("ExecutionProcessID"),
    KBC_STR_LIT("ThreadID"),
    KBC_STR_LIT("Category"),
    KBC_STR_LIT("Domain"),
    KBC_STR_LIT("AccountName"),
    KBC_STR_LIT("UserID"),
    KBC_STR_LIT("AccountType"),
    KBC_STR_LIT("SourceModuleName"),
    KBC_STR_LIT("SourceModuleType"),
    KBC_STR_LIT("ERROR_EVT_UNRESOLVED"),
    KBC_STR_LIT("host"),
    KBC_STR_LIT("port"),
    KBC_STR_LIT("type"),
    KBC_STR_LIT("tags"),
    KBC_STR_LIT("@version"),
    KBC_STR_LIT("Qualifiers"),
    KBC_STR_LIT("ProviderGUID"),
    KBC_STR_LIT("ProviderId"),
    KBC_STR_LIT("ThreadId"),
    KBC_STR_LIT("UserId"),
    KBC_STR_LIT("OpcodeDisplayName"),
    KBC_STR_LIT("TaskDisplayName"),
    KBC_STR_LIT("EventLevelName"),
    KBC_STR_LIT("LevelDisplayName"),
    KBC_STR_LIT("TenantId"),
    KBC_STR_LIT("SourceSystem"),
    KBC_STR_LIT("MG"),
    KBC_STR_LIT("ManagementGroupName"),
    KBC_STR_LIT("Type"),
    KBC_STR_LIT("_ResourceId"),
    KBC_STR_LIT("_ItemId"),
    KBC_STR_LIT("_Internal_WorkspaceResourceId"),
    KBC_STR_LIT("AzureDeploymentID"),
    KBC_STR_LIT("Role"),
    KBC_STR_LIT("EventCategory"),
    KBC_STR_LIT("EventOriginId"),
    KBC_STR_LIT("Activity"),
    KBC_STR_LIT("Correlation"),
    KBC_STR_LIT("SystemUserId"),
    KBC_STR_LIT("SystemProcessId"),
    KBC_STR_LIT("SystemThreadId"),
    KBC_STR_LIT("EventReceivedTime"),
    KBC_STR_LIT("TimeCreated"),
    KBC_STR_LIT("@timestamp"),
    KBC_STR_LIT("EventTime"),
};

/* The system members by length, so that a name is compared with the few
 * of its length and first byte only: this runs for every member of every
 * flattened record. */
#define SYS_MAX_LEN 32
#define SYS_PER_LEN 12
static unsigned char sys_by_len[SYS_MAX_LEN][SYS_PER_LEN];
static unsigned char sys_n_by_len[SYS_MAX_LEN];
static pthread_once_t sys_once = PTHREAD_ONCE_INIT;

static void index_system_members(void)
{
        for (size_t i = 0; i < sizeof(system_members) / sizeof(*system_members);
             i++) {
                size_t n = system_members[i].len;
                assert(n < SYS_MAX_LEN && sys_n_by_len[n] < SYS_PER_LEN);
                sys_by_len[n][sys_n_by_len[n]++] = (unsigned char)i;
        }
}

static bool is_system_member(kbc_str name)
{
        if (name.len >= SYS_MAX_LEN)
                return false;
        for (size_t k = 0; k < sys_n_by_len[name.len]; k++) {
                kbc_str m = system_members[sys_by_len[name.len][k]];
                if (m.ptr[0] == name.ptr[0] &&
                    !memcmp(m.ptr, name.ptr, name.len))
                        return true;
        }
        return false;
}

bool kbc_shape_system_member(kbc_str name)
{
        pthread_once(&sys_once, index_system_members);
        return is_system_member(name);
}

/* An XML attribute or text as JSON writes it: "Name", "@Name",
 * "#attributes": {"Name": ..}, or "#text"; else tok itself. */
static int scalar_in(const kbc_json *j, int tok, kbc_str attr)
{
        if (kbc_json_typeof(j, tok) != KBC_JSON_OBJECT)
                return tok;
        char at[32];
        int v = kbc_json_find(j, tok, attr);
        if (v < 0 && attr.len + 1 < sizeof(at)) {
                at[0] = '@';
                memcpy(at + 1, attr.ptr, attr.len);
                v = kbc_json_find(j, tok, kbc_str_make(at, attr.len + 1));
        }
        if (v < 0)
                v = kbc_json_find(
                    j, kbc_json_find(j, tok, KBC_STR_LIT("#attributes")), attr);
        if (v < 0)
                v = kbc_json_find(j, tok, KBC_STR_LIT("#text"));
        return v;
}

static const kbc_str part_attr[KBC_PART__COUNT] = {
    [KBC_PART_TIME] = KBC_STR_LIT("SystemTime"),
    [KBC_PART_PROVIDER] = KBC_STR_LIT("Name"),
    [KBC_PART_HOST] = KBC_STR_LIT("name"),
    [KBC_PART_EVENT_ID] = KBC_STR_LIT("Value"),
    [KBC_PART_RECORD_ID] = KBC_STR_LIT("Value"),
    [KBC_PART_CHANNEL] = KBC_STR_LIT("Name"),
    [KBC_PART_LEVEL] = KBC_STR_LIT("Value"),
    [KBC_PART_MESSAGE] = KBC_STR_LIT("Value"),
};

static int missing(kbc_part p, const char *fmt, char *errstr, size_t errsize)
{
        char names[256];
        return kbc_errf(errstr, errsize, "%s: missing %s (%s)", fmt,
                        kbc_part_name(p),
                        kbc_alias_list(p, names, sizeof(names)));
}

/* The text parts: host, provider, channel, level, message. */
static int read_texts(kbc_json *j, const kbc_alias_hits *h, kbc_event *ev,
                      const char *fmt, char *errstr, size_t errsize)
{
        const struct {
                kbc_part part;
                kbc_str *dst;
        } text[] = {
            {KBC_PART_HOST, &ev->host},
            {KBC_PART_PROVIDER, &ev->provider},
            {KBC_PART_CHANNEL, &ev->channel},
            {KBC_PART_LEVEL, &ev->level},
            {KBC_PART_MESSAGE, &ev->message},
        };
        for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++) {
                kbc_part p = text[i].part;
                if (kbc_fmt_json_text(j, scalar_in(j, h->tok[p], part_attr[p]),
                                      text[i].dst, fmt, kbc_part_name(p),
                                      errstr, errsize))
                        return -1;
        }
        if (!ev->host.len)
                ev->host = unknown_host;
        ev->level = kbc_fmt_level_name(ev->level);
        return 0;
}

static int read_event_id(kbc_json *j, int tok, kbc_event *ev, const char *fmt,
                         char *errstr, size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        kbc_str s;
        tok = scalar_in(j, tok, part_attr[KBC_PART_EVENT_ID]);
        if (kbc_json_text(j, tok, &s) != KBC_JSON_OK ||
            kbc_fmt_parse_u32(s, &ev->event_id))
                return kbc_errf(errstr, errsize,
                                "%s: event id is not a number: \"%s\"", fmt,
                                kbc_fmt_preview(kbc_json_raw(j, tok), pv));
        ev->has_event_id = true;
        return 0;
}

static int read_time(kbc_json *j, int tok, int offset_min, kbc_event *ev,
                     const char *fmt, char *errstr, size_t errsize)
{
        char pv[KBC_FMT_PREVIEW_SIZE];
        kbc_str s;
        tok = scalar_in(j, tok, part_attr[KBC_PART_TIME]);
        if (kbc_json_text(j, tok, &s) != KBC_JSON_OK ||
            kbc_fmt_time(s, offset_min, &ev->time_ms))
                return kbc_errf(errstr, errsize, "%s: unparseable time \"%s\"",
                                fmt, kbc_fmt_preview(kbc_json_raw(j, tok), pv));
        return 0;
}

/* Every scalar member of root that no alias took and that is not a
 * system member, as a field. */
static int flattened_fields(kbc_json *j, int root, const kbc_alias_hits *h,
                            kbc_event *ev, const char *fmt, char *errstr,
                            size_t errsize)
{
        pthread_once(&sys_once, index_system_members);
        for (int k = kbc_json_first_key(j, root); k >= 0;
             k = kbc_json_next_key(j, root, k)) {
                kbc_json_type vt = kbc_json_typeof(j, k + 1);
                if (vt == KBC_JSON_OBJECT || vt == KBC_JSON_ARRAY)
                        continue;
                bool taken = false;
                for (int p = 0; p < KBC_PART__COUNT && !taken; p++)
                        taken = h->key[p] == k;
                kbc_str name, value = kbc_str_make("", 0);
                if (taken || kbc_json_string(j, k, &name) != KBC_JSON_OK ||
                    is_system_member(name))
                        continue;
                if (ev->nfields >= KBC_EVENT_MAX_FIELDS) {
                        ev->fields_dropped++;
                        continue;
                }
                if (kbc_fmt_json_text(j, k + 1, &value, fmt, "event data",
                                      errstr, errsize))
                        return -1;
                kbc_fmt_add_field(ev, name, value);
        }
        return 0;
}

/* A shape's name for errors, and its own spelling of each part (NULL:
 * none): looked up first, in O(1) at the top level, the alias scan runs
 * only when one of the required parts is not found under it. This keeps
 * the common collectors as fast as their former decoders of their own
 * (BENCHMARKS.md, "Decoding"). */
typedef struct flat_shape {
        const char *fmt;
        const char *names[KBC_PART__COUNT];
} flat_shape;

/* The parts under the shape's own names; false when a required one, or
 * the event data the shape names, is missing there (Fluentd writes
 * Fluent Bit's shape with EventData and Description instead). */
static bool own_names(const kbc_json *j, const flat_shape *sh,
                      kbc_alias_hits *h)
{
        for (int p = 0; p < KBC_PART__COUNT; p++) {
                int v = sh->names[p]
                            ? kbc_json_find(j, 0, kbc_str_cstr(sh->names[p]))
                            : -1;
                if (kbc_json_typeof(j, v) == KBC_JSON_NULL)
                        v = -1;
                h->tok[p] = v;
                h->key[p] = v >= 0 ? v - 1 : -1;
        }
        return h->tok[KBC_PART_EVENT_ID] >= 0 && h->tok[KBC_PART_TIME] >= 0 &&
               h->tok[KBC_PART_HOST] >= 0 &&
               (!sh->names[KBC_PART_EVENT_DATA] ||
                h->tok[KBC_PART_EVENT_DATA] >= 0);
}

/* Decodes a record whose parts are members of root and whose event data
 * members are in data (often root itself). */
static int decode_flat(kbc_json *j, int root, int data, const flat_shape *sh,
                       kbc_fmt_opts *o, kbc_event *ev, char *errstr,
                       size_t errsize)
{
        const char *fmt = sh->fmt;
        kbc_alias_hits h, hd;
        if (root != 0 || !own_names(j, sh, &h))
                kbc_alias_scan(j, root, &h);
        if (data != root) {
                kbc_alias_scan(j, data, &hd);
                h.tok[KBC_PART_EVENT_DATA] = hd.tok[KBC_PART_EVENT_DATA];
                h.tok[KBC_PART_USER_DATA] = hd.tok[KBC_PART_USER_DATA];
                h.key[KBC_PART_EVENT_DATA] = hd.key[KBC_PART_EVENT_DATA];
                h.key[KBC_PART_USER_DATA] = hd.key[KBC_PART_USER_DATA];
        }
        memcpy(o->from_key, h.key, sizeof(o->from_key));
        o->from_set = true;
        if (h.tok[KBC_PART_EVENT_ID] < 0)
                return missing(KBC_PART_EVENT_ID, fmt, errstr, errsize);
        if (h.tok[KBC_PART_TIME] < 0)
                return missing(KBC_PART_TIME, fmt, errstr, errsize);
        if (read_event_id(j, h.tok[KBC_PART_EVENT_ID], ev, fmt, errstr,
                          errsize) ||
            read_time(j, h.tok[KBC_PART_TIME], o->local_offset_min, ev, fmt,
                      errstr, errsize) ||
            read_texts(j, &h, ev, fmt, errstr, errsize))
                return -1;
        kbc_fmt_json_record_id(j,
                               scalar_in(j, h.tok[KBC_PART_RECORD_ID],
                                         part_attr[KBC_PART_RECORD_ID]),
                               ev);

        int ed = h.tok[KBC_PART_EVENT_DATA], ud = h.tok[KBC_PART_USER_DATA];
        if (ed < 0 && ud < 0 && data == root)
                return flattened_fields(j, root, &h, ev, fmt, errstr, errsize);
        return kbc_fmt_event_data(j, ed, o, ev, fmt, errstr, errsize) ||
               kbc_fmt_event_data(j, ud, o, ev, fmt, errstr, errsize);
}

static bool has(const kbc_json *j, const char *name)
{
        return kbc_json_find(j, 0, kbc_str_cstr(name)) >= 0;
}

static int object_at(const kbc_json *j, const char *a, const char *b,
                     const char *c)
{
        int t = kbc_json_find(j, 0, kbc_str_cstr(a));
        t = kbc_json_find(j, t, kbc_str_cstr(b));
        if (c)
                t = kbc_json_find(j, t, kbc_str_cstr(c));
        return kbc_json_typeof(j, t) == KBC_JSON_OBJECT ? t : -1;
}

/* ---- the shapes, in the order they are asked ---------------------------- */

static bool winlogbeat6_detect(const kbc_json *j)
{
        return has(j, "event_id") && has(j, "log_name") && !has(j, "winlog");
}

static bool nxlog_detect(const kbc_json *j)
{
        return has(j, "EventID") && has(j, "SourceName");
}

/* Fluent Bit and Fluentd write Qualifiers, StringInserts or
 * ProviderGUID (that spelling), as plain records of other pipelines
 * seldom do. */
static bool fluentbit_detect(const kbc_json *j)
{
        return has(j, "EventID") && has(j, "ProviderName") &&
               (has(j, "Qualifiers") || has(j, "StringInserts") ||
                has(j, "ProviderGUID")) &&
               !has(j, "SourceName");
}

static bool powershell_detect(const kbc_json *j)
{
        return has(j, "Id") && has(j, "ProviderName") && has(j, "LogName") &&
               !has(j, "EventID");
}

/* TimeGenerated, or as the Azure portal's CSV export names it. */
static bool loganalytics_detect(const kbc_json *j)
{
        return (has(j, "TimeGenerated") || has(j, "TimeGenerated [UTC]")) &&
               has(j, "EventID") && !has(j, "SourceName") &&
               !has(j, "ProviderName");
}

static bool evtxjson_detect(const kbc_json *j)
{
        return object_at(j, "Event", "System", NULL) >= 0;
}

static bool wazuh_detect(const kbc_json *j)
{
        return object_at(j, "data", "win", "system") >= 0;
}

static bool winjson_detect(const kbc_json *j)
{
        kbc_alias_hits h;
        kbc_alias_scan(j, 0, &h);
        return h.tok[KBC_PART_EVENT_ID] >= 0 &&
               (h.tok[KBC_PART_PROVIDER] >= 0 || h.tok[KBC_PART_CHANNEL] >= 0);
}

#define NAMES(time, host, provider, channel, id, record, level, message, data, \
              user)                                                            \
        {                                                                      \
                time, host, provider, channel, id, record, level, message,     \
                    data, user                                                 \
        }
static const flat_shape winlogbeat6 = {
    "winlogbeat6",
    NAMES("@timestamp", "computer_name", "source_name", "log_name", "event_id",
          "record_number", "level", "message", "event_data", "user_data")};
static const flat_shape nxlog = {
    "nxlog", NAMES("EventTime", "Hostname", "SourceName", "Channel", "EventID",
                   "RecordNumber", "Severity", "Message", NULL, NULL)};
static const flat_shape fluentbit = {
    "fluentbit",
    NAMES("TimeCreated", "Computer", "ProviderName", "Channel", "EventID",
          "EventRecordID", "Level", "Message", "StringInserts", NULL)};
static const flat_shape powershell = {"powershell", {NULL}};
static const flat_shape loganalytics = {"loganalytics", {NULL}};
static const flat_shape evtxjson = {"evtxjson", {NULL}};
static const flat_shape wazuh = {"wazuh", {NULL}};
static const flat_shape winjson = {"winjson", {NULL}};
#undef NAMES

#define TOP_LEVEL_DECODER(shape)                                               \
        static int shape##_decode(kbc_json *j, kbc_fmt_opts *o, kbc_event *ev, \
                                  char *errstr, size_t errsize)                \
        {                                                                      \
                return decode_flat(j, 0, 0, &shape, o, ev, errstr, errsize);   \
        }
TOP_LEVEL_DECODER(winlogbeat6)
TOP_LEVEL_DECODER(nxlog)
TOP_LEVEL_DECODER(fluentbit)
TOP_LEVEL_DECODER(powershell)
TOP_LEVEL_DECODER(winjson)
#undef TOP_LEVEL_DECODER

/* Event and SecurityEvent rows number their levels as the EventLog API
 * did (1 error, 2 warning, 4 information, 8 audit success, 16 audit
 * failure); WindowsEvent rows as Windows does (kbc_fmt_level_name). */
static int loganalytics_decode(kbc_json *j, kbc_fmt_opts *o, kbc_event *ev,
                               char *errstr, size_t errsize)
{
        static const char *const by_type[17] = {[1] = "error",
                                                [2] = "warning",
                                                [4] = "information",
                                                [8] = "information",
                                                [16] = "information"};
        if (decode_flat(j, 0, 0, &loganalytics, o, ev, errstr, errsize))
                return -1;
        kbc_str type = {0}, level = {0};
        kbc_json_text(j, kbc_json_find(j, 0, KBC_STR_LIT("Type")), &type);
        int key = o->from_key[KBC_PART_LEVEL];
        uint32_t n;
        if (kbc_str_eq(type, KBC_STR_LIT("WindowsEvent")) ||
            kbc_json_text(j, key < 0 ? -1 : key + 1, &level) != KBC_JSON_OK ||
            kbc_fmt_parse_u32(level, &n) || n > 16 || !by_type[n])
                return 0;
        ev->level = kbc_str_cstr(by_type[n]);
        return 0;
}

static int evtxjson_decode(kbc_json *j, kbc_fmt_opts *o, kbc_event *ev,
                           char *errstr, size_t errsize)
{
        int sys = object_at(j, "Event", "System", NULL);
        if (sys < 0)
                return kbc_errf(errstr, errsize,
                                "evtxjson: missing Event.System object");
        return decode_flat(j, sys, kbc_json_find(j, 0, KBC_STR_LIT("Event")),
                           &evtxjson, o, ev, errstr, errsize);
}

static int wazuh_decode(kbc_json *j, kbc_fmt_opts *o, kbc_event *ev,
                        char *errstr, size_t errsize)
{
        int sys = object_at(j, "data", "win", "system");
        if (sys < 0)
                return kbc_errf(errstr, errsize,
                                "wazuh: missing data.win.system object");
        if (decode_flat(j, sys, object_at(j, "data", "win", NULL), &wazuh, o,
                        ev, errstr, errsize))
                return -1;
        /* Wazuh quotes the rendered message inside the string. */
        kbc_str *m = &ev->message;
        if (m->len >= 2 && m->ptr[0] == '"' && m->ptr[m->len - 1] == '"')
                *m = kbc_str_make(m->ptr + 1, m->len - 2);
        return 0;
}

const kbc_json_format kbc_flat_shapes[] = {
    {KBC_FMT_WINLOGBEAT6, winlogbeat6_detect, winlogbeat6_decode},
    {KBC_FMT_NXLOG, nxlog_detect, nxlog_decode},
    {KBC_FMT_FLUENTBIT, fluentbit_detect, fluentbit_decode},
    {KBC_FMT_POWERSHELL, powershell_detect, powershell_decode},
    {KBC_FMT_LOGANALYTICS, loganalytics_detect, loganalytics_decode},
    {KBC_FMT_EVTXJSON, evtxjson_detect, evtxjson_decode},
    {KBC_FMT_WAZUH, wazuh_detect, wazuh_decode},
};
const size_t kbc_flat_nshapes =
    sizeof(kbc_flat_shapes) / sizeof(*kbc_flat_shapes);

const kbc_json_format kbc_winjson_shape = {KBC_FMT_WINJSON, winjson_detect,
                                           winjson_decode};
