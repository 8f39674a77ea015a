/*
 * aliases.c - which member of a flat JSON record holds which part of the
 * event, by the meaning of its name rather than one spelling.
 *
 * Pipelines rename fields: NXLog writes EventID and SourceName, PowerShell
 * Id and ProviderName, Log Analytics EventID and Source or Provider, a
 * Logstash stage event_id or eventId. A member's name is compared after
 * folding case and dropping '_', '-' and ' ' ("Event_ID", "eventId" and
 * "EventID" are one name) and a bracketed suffix ("TimeGenerated [UTC]",
 * as the Azure portal exports columns), against one table that lists, per part,
 * the names that mean it in order of precedence. The first entry of a part wins
 * when several are present: EventTime (when the event happened, as NXLog
 * reports it) before TimeCreated, before @timestamp (often when a shipper saw
 * it), before EventReceivedTime (when the collector did). docs/input-formats.md
 * prints the table.
 *
 * One pass over the object's members (not a lookup per alias): a record
 * has 20-40 members and the table about 40 names, so each member costs a
 * fold of at most ALIAS_MAX bytes and a compare with the few names of its
 * length (by_len), which kept NXLog's decoding at its former speed
 * (BENCHMARKS.md).
 */
#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "formats.h"

/* No alias is longer; longer member names are never aliases. */
#define ALIAS_MAX 20

/* How a name may be taken (alias.how). */
enum {
        ANY = 0,
        WEAK = 1,   /* also a common EventData name (Sysmon's Description) */
        OBJECT = 2, /* only when its value is an object ("host" is a
                     * shipper's name as a string, ECS's host as one) */
        MARKUP = 4, /* a string of JSON or XML counts as event data */
};

typedef struct alias {
        const char *folded; /* lowercase, without '_', '-', ' ' */
        const char *shown;  /* a common spelling, for errors and docs */
        unsigned char part;
        unsigned char rank; /* 0 = preferred */
        unsigned char how;
} alias;

/* Precedence within a part is the order here; docs/input-formats.md
 * shows this table and must change with it. */
static const alias aliases[] = {
    {"eventtime", "EventTime", KBC_PART_TIME, 0, ANY},
    {"timecreated", "TimeCreated", KBC_PART_TIME, 1, ANY},
    {"@timestamp", "@timestamp", KBC_PART_TIME, 2, ANY},
    {"timegenerated", "TimeGenerated", KBC_PART_TIME, 3, ANY},
    {"timestamp", "timestamp", KBC_PART_TIME, 4, ANY},
    {"systemtime", "SystemTime", KBC_PART_TIME, 5, ANY},
    {"eventreceivedtime", "EventReceivedTime", KBC_PART_TIME, 6, ANY},
    {"hostname", "Hostname", KBC_PART_HOST, 0, ANY},
    {"computer", "Computer", KBC_PART_HOST, 1, ANY},
    {"computername", "computer_name", KBC_PART_HOST, 2, ANY},
    {"machinename", "MachineName", KBC_PART_HOST, 3, ANY},
    {"host", "host.name", KBC_PART_HOST, 4, OBJECT},
    {"sourcename", "SourceName", KBC_PART_PROVIDER, 0, ANY},
    {"providername", "ProviderName", KBC_PART_PROVIDER, 1, ANY},
    {"provider", "Provider", KBC_PART_PROVIDER, 2, ANY},
    {"eventsourcename", "EventSourceName", KBC_PART_PROVIDER, 3, ANY},
    {"source", "Source", KBC_PART_PROVIDER, 4, WEAK},
    {"channel", "Channel", KBC_PART_CHANNEL, 0, ANY},
    {"logname", "LogName", KBC_PART_CHANNEL, 1, ANY},
    {"eventlog", "EventLog", KBC_PART_CHANNEL, 2, ANY},
    {"eventid", "EventID", KBC_PART_EVENT_ID, 0, ANY},
    {"eventcode", "EventCode", KBC_PART_EVENT_ID, 1, ANY},
    {"id", "Id", KBC_PART_EVENT_ID, 2, WEAK},
    {"recordnumber", "RecordNumber", KBC_PART_RECORD_ID, 0, ANY},
    {"eventrecordid", "EventRecordID", KBC_PART_RECORD_ID, 1, ANY},
    {"recordid", "RecordId", KBC_PART_RECORD_ID, 2, ANY},
    {"level", "Level", KBC_PART_LEVEL, 0, ANY},
    {"eventlevelname", "EventLevelName", KBC_PART_LEVEL, 1, ANY},
    {"severity", "Severity", KBC_PART_LEVEL, 2, ANY},
    {"leveldisplayname", "LevelDisplayName", KBC_PART_LEVEL, 3, ANY},
    {"eventlevel", "EventLevel", KBC_PART_LEVEL, 4, ANY},
    {"message", "Message", KBC_PART_MESSAGE, 0, ANY},
    {"rendereddescription", "RenderedDescription", KBC_PART_MESSAGE, 1, ANY},
    {"description", "Description", KBC_PART_MESSAGE, 2, WEAK},
    {"descriptiontitle", "DescriptionTitle", KBC_PART_MESSAGE, 3, ANY},
    {"activity", "Activity", KBC_PART_MESSAGE, 4, ANY},
    {"eventdata", "EventData", KBC_PART_EVENT_DATA, 0, MARKUP},
    {"properties", "Properties", KBC_PART_EVENT_DATA, 1, ANY},
    {"stringinserts", "StringInserts", KBC_PART_EVENT_DATA, 2, ANY},
    {"parameterxml", "ParameterXml", KBC_PART_EVENT_DATA, 3, MARKUP},
    {"insertionstrings", "InsertionStrings", KBC_PART_EVENT_DATA, 4, ANY},
    {"userdata", "UserData", KBC_PART_USER_DATA, 0, MARKUP},
};

#define N_ALIASES (sizeof(aliases) / sizeof(aliases[0]))

/* The aliases of each folded length, in table order, and the pairs of
 * first folded bytes any alias starts with: most member names (event
 * data) are refused after two bytes, the rest compared with the two or
 * three names of their length. */
#define PER_LEN 8
static unsigned char by_len[ALIAS_MAX + 1][PER_LEN], n_by_len[ALIAS_MAX + 1];
static bool starts_alias[128][128];
static pthread_once_t index_once = PTHREAD_ONCE_INIT;

/* The member name folded into out; 0 when it cannot be an alias. */
static size_t fold(kbc_str name, char out[ALIAS_MAX])
{
        size_t n = 0;
        for (size_t i = 0; i < name.len; i++) {
                unsigned char c = (unsigned char)name.ptr[i];
                if (c == '_' || c == '-' || c == ' ')
                        continue;
                /* The Azure portal's CSV columns: "TimeGenerated [UTC]" */
                if (c == '[')
                        break;
                if (n == ALIAS_MAX || c >= 128)
                        return 0;
                out[n++] = kbc_ascii_lower((char)c);
                if (n == 2 &&
                    !starts_alias[(unsigned char)out[0]][(unsigned char)out[1]])
                        return 0;
        }
        return n;
}

static void index_aliases(void)
{
        for (size_t i = 0; i < N_ALIASES; i++) {
                const char *f = aliases[i].folded;
                size_t n = strlen(f);
                assert(n >= 2 && n <= ALIAS_MAX && n_by_len[n] < PER_LEN);
                by_len[n][n_by_len[n]++] = (unsigned char)i;
                starts_alias[(unsigned char)f[0]][(unsigned char)f[1]] = true;
        }
}

static const alias *alias_of(kbc_str name)
{
        char f[ALIAS_MAX];
        size_t n = fold(name, f);
        for (size_t k = 0; k < n_by_len[n]; k++) {
                const alias *a = &aliases[by_len[n][k]];
                if (a->folded[0] == f[0] && !memcmp(a->folded, f, n))
                        return a;
        }
        return NULL;
}

/* Whether v can be event data: an object or an array, or for a MARKUP
 * name a string of JSON or XML; a plain string under such a name is a
 * value of flattened EventData (Security 4662 has a "Properties"). */
static bool holds_data(const kbc_json *j, int v, const alias *a)
{
        kbc_json_type t = kbc_json_typeof(j, v);
        if (t == KBC_JSON_OBJECT || t == KBC_JSON_ARRAY)
                return true;
        if (t != KBC_JSON_STRING || !(a->how & MARKUP))
                return false;
        kbc_str s = kbc_json_raw(j, v);
        size_t i = 0;
        while (i < s.len && (s.ptr[i] == ' ' || s.ptr[i] == '\t' ||
                             s.ptr[i] == '\r' || s.ptr[i] == '\n'))
                i++;
        return i < s.len && (s.ptr[i] == '{' || s.ptr[i] == '<');
}

void kbc_alias_scan(const kbc_json *j, int obj, kbc_alias_hits *h)
{
        unsigned char rank[KBC_PART__COUNT];
        bool weak[KBC_PART__COUNT] = {false};
        pthread_once(&index_once, index_aliases);
        for (int p = 0; p < KBC_PART__COUNT; p++) {
                h->tok[p] = h->key[p] = -1;
                rank[p] = 255;
        }
        for (int k = kbc_json_first_key(j, obj); k >= 0;
             k = kbc_json_next_key(j, obj, k)) {
                /* Raw: a name written with escapes is no alias. */
                const alias *a = alias_of(kbc_json_raw(j, k));
                if (!a || a->rank >= rank[a->part])
                        continue;
                int v = k + 1;
                if ((a->how & OBJECT) &&
                    kbc_json_typeof(j, v) != KBC_JSON_OBJECT)
                        continue;
                /* A null or an empty string is an absent member: Log
                 * Analytics has an empty Message beside its
                 * RenderedDescription. */
                if (kbc_json_typeof(j, v) == KBC_JSON_NULL ||
                    (kbc_json_typeof(j, v) == KBC_JSON_STRING &&
                     kbc_json_raw(j, v).len == 0))
                        continue;
                if ((a->part == KBC_PART_EVENT_DATA ||
                     a->part == KBC_PART_USER_DATA) &&
                    !holds_data(j, v, a))
                        continue;
                rank[a->part] = a->rank;
                weak[a->part] = a->how & WEAK;
                h->tok[a->part] = v;
                h->key[a->part] = k;
        }
        /* Without an event data member the record's other members are its
         * event data (NXLog's), and a weak name is one of them. */
        if (h->tok[KBC_PART_EVENT_DATA] >= 0 || h->tok[KBC_PART_USER_DATA] >= 0)
                return;
        for (int p = 0; p < KBC_PART__COUNT; p++)
                if (weak[p])
                        h->tok[p] = h->key[p] = -1;
}

const char *kbc_alias_list(kbc_part part, char *buf, size_t size)
{
        size_t o = 0;
        buf[0] = '\0';
        for (size_t i = 0; i < N_ALIASES && o < size; i++) {
                if (aliases[i].part != part)
                        continue;
                int n = snprintf(buf + o, size - o, "%s%s", o ? ", " : "",
                                 aliases[i].shown);
                if (n < 0)
                        break;
                o += (size_t)n;
        }
        return buf;
}
