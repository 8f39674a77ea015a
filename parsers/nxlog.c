/*
 * nxlog.c - NXLog im_msvistalog JSON (to_json() output, often passed on by
 * Logstash to Kafka) to the normalized event.
 *
 * NXLog writes the System part of the event under its own names and then
 * flattens EventData into the same object, named after the Data elements
 * (or param1.. when they have none). So:
 *   time      EventTime, "YYYY-MM-DD HH:MM:SS" in the collector's local
 *             time with no zone: read in the decoder's local offset
 *             (kbc_decoder_set_local_offset, UTC by default)
 *   host      Hostname (the source; "host" is the collector or the
 *             Logstash input and is ignored)
 *   channel   Channel ("security" and "Security" both occur; decode.c puts
 *             well-known channels in one case)
 *   provider  SourceName               event id  EventID (number or string)
 *   record id RecordNumber             message   Message (absent when
 *             NXLog could not render it, with ERROR_EVT_UNRESOLVED: true,
 *             or when the pipeline dropped it)
 *   level     Severity mapped to Windows' names (INFO -> information,
 *             WARNING, ERROR, CRITICAL, DEBUG -> verbose), else as logged
 *   fields    every other scalar member, in message order, except the
 *             system members listed in system_members[] below. The
 *             comparison is case-sensitive on purpose: "ProcessID" is
 *             NXLog's (the logging process), "ProcessId" is Sysmon's
 *             EventData.
 * Detected by "EventID" and "SourceName" at the top level.
 */
#include "formats.h"

#define FMT "nxlog"

/* Members that are not EventData: NXLog's System fields and what Logstash
 * adds on the way (host, port, type, tags, @timestamp, @version). Taken
 * from NXLog's im_msvistalog field list and checked against the 23,403
 * events of the real capture: every other member there is an EventData
 * name. "EventTypeOrignal" (sic) is the capture's Logstash rename of
 * EventType. Keywords is a signed 64-bit number in NXLog and is dropped
 * with the rest. */
static const kbc_str system_members[] = {
    KBC_STR_LIT("EventTime"),
    KBC_STR_LIT("EventReceivedTime"),
    KBC_STR_LIT("Hostname"),
    KBC_STR_LIT("SourceName"),
    KBC_STR_LIT("ProviderGuid"),
    KBC_STR_LIT("EventID"),
    KBC_STR_LIT("EventType"),
    KBC_STR_LIT("EventTypeOrignal"),
    KBC_STR_LIT("Severity"),
    KBC_STR_LIT("SeverityValue"),
    KBC_STR_LIT("Keywords"),
    KBC_STR_LIT("Version"),
    KBC_STR_LIT("Task"),
    KBC_STR_LIT("Opcode"),
    KBC_STR_LIT("OpcodeValue"),
    KBC_STR_LIT("RecordNumber"),
    KBC_STR_LIT("ActivityID"),
    KBC_STR_LIT("RelatedActivityID"),
    KBC_STR_LIT("ProcessID"),
    KBC_STR_LIT("ExecutionProcessID"),
    KBC_STR_LIT("ThreadID"),
    KBC_STR_LIT("Channel"),
    KBC_STR_LIT("Category"),
    KBC_STR_LIT("Domain"),
    KBC_STR_LIT("AccountName"),
    KBC_STR_LIT("UserID"),
    KBC_STR_LIT("AccountType"),
    KBC_STR_LIT("Message"),
    KBC_STR_LIT("SourceModuleName"),
    KBC_STR_LIT("SourceModuleType"),
    KBC_STR_LIT("ERROR_EVT_UNRESOLVED"),
    KBC_STR_LIT("host"),
    KBC_STR_LIT("port"),
    KBC_STR_LIT("type"),
    KBC_STR_LIT("tags"),
    KBC_STR_LIT("@timestamp"),
    KBC_STR_LIT("@version"),
};

bool kbc_nxlog_detect(const kbc_json *j)
{
        return kbc_json_find(j, 0, KBC_STR_LIT("EventID")) >= 0 &&
               kbc_json_find(j, 0, KBC_STR_LIT("SourceName")) >= 0;
}

static bool is_system_member(kbc_str name)
{
        for (size_t i = 0;
             i < sizeof(system_members) / sizeof(system_members[0]); i++)
                if (kbc_str_eq(name, system_members[i]))
                        return true;
        return false;
}

static kbc_str level_name(kbc_str severity)
{
        static const struct {
                kbc_str nx, win;
        } map[] = {
            {KBC_STR_LIT("INFO"), KBC_STR_LIT("information")},
            {KBC_STR_LIT("WARNING"), KBC_STR_LIT("warning")},
            {KBC_STR_LIT("ERROR"), KBC_STR_LIT("error")},
            {KBC_STR_LIT("CRITICAL"), KBC_STR_LIT("critical")},
            {KBC_STR_LIT("DEBUG"), KBC_STR_LIT("verbose")},
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (kbc_str_eq(severity, map[i].nx))
                        return map[i].win;
        return severity;
}

/* Every scalar member that is not a system member, as a field. */
static int decode_fields(kbc_json *j, kbc_event *ev, char *errstr,
                         size_t errsize)
{
        for (int k = kbc_json_first_key(j, 0); k >= 0;
             k = kbc_json_next_key(j, 0, k)) {
                kbc_str name, value = kbc_str_make("", 0);
                kbc_json_type vt = kbc_json_typeof(j, k + 1);
                if (vt == KBC_JSON_OBJECT || vt == KBC_JSON_ARRAY)
                        continue;
                if (kbc_json_string(j, k, &name) != KBC_JSON_OK)
                        return kbc_errf(errstr, errsize,
                                        FMT ": invalid member name");
                if (is_system_member(name))
                        continue;
                if (ev->nfields >= KBC_EVENT_MAX_FIELDS) {
                        ev->fields_dropped++;
                        continue;
                }
                if (kbc_fmt_json_text(j, k + 1, &value, FMT, "EventData",
                                      errstr, errsize))
                        return -1;
                kbc_fmt_add_field(ev, name, value);
        }
        return 0;
}

int kbc_nxlog_decode(kbc_json *j, const kbc_fmt_opts *o, kbc_event *ev,
                     char *errstr, size_t errsize)
{
        static const kbc_fmt_json_names names = {
            "EventID",    "EventTime", "Hostname", "Channel",
            "SourceName", "Severity",  "Message",  "RecordNumber"};
        if (kbc_fmt_json_common(j, &names, o->local_offset_min, ev, FMT, errstr,
                                errsize))
                return -1;
        ev->level = level_name(ev->level);
        return decode_fields(j, ev, errstr, errsize);
}
