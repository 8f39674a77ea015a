/*
 * winlogbeat6.c - Winlogbeat 6.x JSON (its Kafka output before the ECS
 * rename of 7.0) to the normalized event.
 *
 * The event's members sit at the top level, not under "winlog":
 *   time      @timestamp (RFC 3339, UTC: Winlogbeat sets it to the event's
 *             TimeCreated, not to when it was shipped)
 *   host      computer_name (the source host; host.name and beat.hostname
 *             name the collector when events are forwarded, so they are
 *             not used)
 *   channel   log_name                provider  source_name
 *   event id  event_id (number or string)
 *   record id record_number (a string in 6.x; number accepted)
 *   level     level ("Information")   message   message (optional)
 *   fields    event_data, then user_data, as in Winlogbeat 7.
 * Detected by "event_id" and "log_name" at the top level with no "winlog"
 * object (which Winlogbeat 7 would have and which is tried first).
 */
#include "formats.h"

#define FMT "winlogbeat6"

bool kbc_winlogbeat6_detect(const kbc_json *j)
{
        return kbc_json_find(j, 0, KBC_STR_LIT("event_id")) >= 0 &&
               kbc_json_find(j, 0, KBC_STR_LIT("log_name")) >= 0 &&
               kbc_json_find(j, 0, KBC_STR_LIT("winlog")) < 0;
}

int kbc_winlogbeat6_decode(kbc_json *j, const kbc_fmt_opts *o, kbc_event *ev,
                           char *errstr, size_t errsize)
{
        (void)o; /* @timestamp always carries its zone */
        static const kbc_fmt_json_names names = {
            "event_id",    "@timestamp", "computer_name", "log_name",
            "source_name", "level",      "message",       "record_number"};
        if (kbc_fmt_json_common(j, &names, 0, ev, FMT, errstr, errsize))
                return -1;

        int ed = kbc_json_find(j, 0, KBC_STR_LIT("event_data"));
        int ud = kbc_json_find(j, 0, KBC_STR_LIT("user_data"));
        if (kbc_json_typeof(j, ed) == KBC_JSON_OBJECT &&
            kbc_fmt_json_fields(j, ed, ev, FMT, "event_data", errstr, errsize))
                return -1;
        if (kbc_json_typeof(j, ud) == KBC_JSON_OBJECT &&
            kbc_fmt_json_fields(j, ud, ev, FMT, "user_data", errstr, errsize))
                return -1;
        return 0;
}
