/*
 * json_mapping.c - declarative mappings that make another JSON flavour
 * decodable without code: each part of the normalized event is named by a
 * dotted path into the message (kbc_json_mapping in kbc_decode.h). A
 * configuration loader fills the struct and calls kbc_decoder_add_mapping;
 * docs/input-formats.md shows one for a Log Analytics style record.
 *
 * Paths are split into segments once, at registration, so decoding only
 * walks kbc_json_find per segment. A mapping claims a message in auto mode
 * when all of its detect paths are present (by default its time, host and
 * event id paths); mappings are asked after the built-in JSON formats, so
 * a mapping can never take a Winlogbeat or NXLog message away from them.
 */
#include <stdlib.h>
#include <string.h>

#include "formats.h"

#define FMT_PREFIX "mapping "

enum {
        P_TIME,
        P_HOST,
        P_CHANNEL,
        P_PROVIDER,
        P_EVENT_ID,
        P_RECORD_ID,
        P_LEVEL,
        P_MESSAGE,
        P_EVENT_DATA,
        P__COUNT
};

#define MAX_NAME 64
#define MAX_PATH 256

typedef struct mapping {
        char name[MAX_NAME];
        char errname[MAX_NAME + sizeof(FMT_PREFIX)];
        char path[P__COUNT][MAX_PATH]; /* "" = not mapped */
        char detect[KBC_MAPPING_MAX_DETECT][MAX_PATH];
        size_t ndetect;
} mapping;

struct kbc_mapping_set {
        mapping m[KBC_MAX_MAPPINGS];
        size_t n;
};

kbc_mapping_set *kbc_mapping_set_new(void)
{
        return calloc(1, sizeof(kbc_mapping_set));
}

void kbc_mapping_set_free(kbc_mapping_set *ms)
{
        free(ms);
}

void kbc_mapping_set_copy(kbc_mapping_set *dst, const kbc_mapping_set *src)
{
        *dst = *src; /* flat: names and paths are held inline */
}

size_t kbc_mapping_set_count(const kbc_mapping_set *ms)
{
        return ms->n;
}

const char *kbc_mapping_set_name(const kbc_mapping_set *ms, int i)
{
        return i >= 0 && (size_t)i < ms->n ? ms->m[i].name : NULL;
}

/* Copies a path after checking it: non-empty segments, bounded length. */
static int copy_path(char dst[MAX_PATH], const char *src, const char *what,
                     char *errstr, size_t errsize)
{
        size_t n = strlen(src);
        if (n == 0 || n >= MAX_PATH)
                return kbc_errf(errstr, errsize,
                                "mapping path for %s: empty or longer than "
                                "%d bytes",
                                what, MAX_PATH - 1);
        if (src[0] == '.' || src[n - 1] == '.' || strstr(src, ".."))
                return kbc_errf(errstr, errsize,
                                "mapping path for %s: empty segment in "
                                "\"%s\"",
                                what, src);
        memcpy(dst, src, n + 1);
        return 0;
}

int kbc_mapping_set_add(kbc_mapping_set *ms, const char *name,
                        const kbc_json_mapping *jm, char *errstr,
                        size_t errsize)
{
        static const char *const what[P__COUNT] = {
            "time",      "host",  "channel", "provider",  "event_id",
            "record_id", "level", "message", "event_data"};
        const char *src[P__COUNT] = {
            jm->time,      jm->host,  jm->channel, jm->provider,  jm->event_id,
            jm->record_id, jm->level, jm->message, jm->event_data};

        if (!name || !*name || strlen(name) >= MAX_NAME)
                return kbc_errf(errstr, errsize,
                                "mapping name empty or longer than %d bytes",
                                MAX_NAME - 1);
        for (size_t i = 0; i < ms->n; i++)
                if (!strcmp(ms->m[i].name, name))
                        return kbc_errf(errstr, errsize,
                                        "mapping \"%s\" defined twice", name);
        if (ms->n == KBC_MAX_MAPPINGS)
                return kbc_errf(errstr, errsize,
                                "mapping \"%s\": more than %d mappings", name,
                                KBC_MAX_MAPPINGS);
        mapping *m = &ms->m[ms->n];
        memset(m, 0, sizeof(*m));
        for (int p = 0; p < P__COUNT; p++) {
                if (!src[p]) {
                        if (p == P_TIME || p == P_HOST || p == P_EVENT_ID)
                                return kbc_errf(errstr, errsize,
                                                "mapping \"%s\": %s is "
                                                "required",
                                                name, what[p]);
                        continue;
                }
                if (copy_path(m->path[p], src[p], what[p], errstr, errsize))
                        return -1;
        }
        for (size_t i = 0; i < KBC_MAPPING_MAX_DETECT && jm->detect[i]; i++)
                if (copy_path(m->detect[m->ndetect++], jm->detect[i], "detect",
                              errstr, errsize))
                        return -1;
        if (!m->ndetect) {
                memcpy(m->detect[0], m->path[P_TIME], MAX_PATH);
                memcpy(m->detect[1], m->path[P_HOST], MAX_PATH);
                memcpy(m->detect[2], m->path[P_EVENT_ID], MAX_PATH);
                m->ndetect = 3;
        }
        strcpy(m->name, name);
        memcpy(m->errname, FMT_PREFIX, sizeof(FMT_PREFIX) - 1);
        strcpy(m->errname + sizeof(FMT_PREFIX) - 1, name);
        ms->n++;
        return 0;
}

int kbc_mapping_set_detect(const kbc_mapping_set *ms, const kbc_json *j)
{
        for (size_t i = 0; i < ms->n; i++) {
                const mapping *m = &ms->m[i];
                size_t k = 0;
                while (k < m->ndetect &&
                       kbc_fmt_json_path(j, 0, m->detect[k]) >= 0)
                        k++;
                if (k == m->ndetect)
                        return (int)i;
        }
        return -1;
}

static int tok_of(const mapping *m, const kbc_json *j, int p)
{
        return m->path[p][0] ? kbc_fmt_json_path(j, 0, m->path[p]) : -1;
}

int kbc_mapping_decode(const kbc_mapping_set *ms, int i, kbc_json *j,
                       kbc_fmt_opts *o, kbc_event *ev, char *errstr,
                       size_t errsize)
{
        const mapping *m = &ms->m[i];
#define PATH(p) (m->path[p][0] ? m->path[p] : NULL)
        const kbc_fmt_json_names names = {PATH(P_EVENT_ID), PATH(P_TIME),
                                          PATH(P_HOST),     PATH(P_CHANNEL),
                                          PATH(P_PROVIDER), PATH(P_LEVEL),
                                          PATH(P_MESSAGE),  PATH(P_RECORD_ID)};
#undef PATH
        if (kbc_fmt_json_common(j, &names, o->local_offset_min, ev, m->errname,
                                errstr, errsize))
                return -1;
        ev->level = kbc_fmt_level_name(ev->level);
        return kbc_fmt_json_fields(j, tok_of(m, j, P_EVENT_DATA), ev,
                                   m->errname, m->path[P_EVENT_DATA], errstr,
                                   errsize);
}
