/*
 * test_shapes.c - the collector shapes decoded as their public
 * documentation says they look (tests/data/shapes, SOURCES.md there).
 *
 * Every FILE.expect lists, one line per record of its sibling FILE.jsonl
 * or FILE.json (a pretty-printed array, as ConvertTo-Json writes it), what
 * the record must decode to:
 *   shape time_utc host channel provider event_id record_id level
 *   message_prefix nfields one_field
 * tab-separated, "-" for absent. The files are read as replay reads them
 * (zread, split_stream), so a multi-line array is split the same way.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kbc_decode.h"
#include "kbc_time.h"
#include "split_stream.h"
#include "zread.h"

#define SHAPES KBC_TEST_DATA "/shapes/"

enum {
        C_SHAPE,
        C_TIME,
        C_HOST,
        C_CHANNEL,
        C_PROVIDER,
        C_EVENT_ID,
        C_RECORD_ID,
        C_LEVEL,
        C_MESSAGE,
        C_NFIELDS,
        C_FIELD,
        C__COUNT
};

static int split_tabs(char *line, char *col[C__COUNT])
{
        int n = 0;
        line[strcspn(line, "\r\n")] = '\0';
        for (char *p = line; n < C__COUNT; n++) {
                col[n] = p;
                char *tab = strchr(p, '\t');
                if (!tab)
                        return n + 1;
                *tab = '\0';
                p = tab + 1;
        }
        return n;
}

/* "-" or equal to the view (a prefix for the message). */
static bool same(const char *want, kbc_str got, bool prefix)
{
        if (!strcmp(want, "-"))
                return got.len == 0;
        size_t n = strlen(want);
        if (prefix)
                return got.len >= n && !memcmp(got.ptr, want, n);
        return got.len == n && !memcmp(got.ptr, want, n);
}

static int failures;

static void mismatch(const char *where, const char *what, const char *want,
                     kbc_str got)
{
        fprintf(stderr, "%s: %s: want \"%s\", got \"%.*s\"\n", where, what,
                want, (int)got.len, got.ptr);
        failures++;
}

static void check_record(const char *where, char *col[C__COUNT], kbc_format f,
                         const kbc_event *ev)
{
        char t[KBC_TIME_STRLEN + 1], num[32];
        kbc_time_format(ev->time_ms, t);
        if (strcmp(col[C_SHAPE], kbc_format_name(f)))
                mismatch(where, "shape", col[C_SHAPE],
                         kbc_str_cstr(kbc_format_name(f)));
        if (strcmp(col[C_TIME], t))
                mismatch(where, "time", col[C_TIME], kbc_str_cstr(t));
        const struct {
                int c;
                const char *what;
                kbc_str got;
                bool prefix;
        } text[] = {
            {C_HOST, "host", ev->host, false},
            {C_CHANNEL, "channel", ev->channel, false},
            {C_PROVIDER, "provider", ev->provider, false},
            {C_LEVEL, "level", ev->level, false},
            {C_MESSAGE, "message", ev->message, true},
        };
        for (size_t i = 0; i < sizeof(text) / sizeof(text[0]); i++)
                if (!same(col[text[i].c], text[i].got, text[i].prefix))
                        mismatch(where, text[i].what, col[text[i].c],
                                 text[i].got);
        snprintf(num, sizeof(num), "%u", (unsigned)ev->event_id);
        if (strcmp(col[C_EVENT_ID], num))
                mismatch(where, "event id", col[C_EVENT_ID], kbc_str_cstr(num));
        if (ev->has_record_id)
                snprintf(num, sizeof(num), "%llu",
                         (unsigned long long)ev->record_id);
        else
                strcpy(num, "-");
        if (strcmp(col[C_RECORD_ID], num))
                mismatch(where, "record id", col[C_RECORD_ID],
                         kbc_str_cstr(num));
        snprintf(num, sizeof(num), "%zu", ev->nfields);
        if (strcmp(col[C_NFIELDS], num))
                mismatch(where, "fields", col[C_NFIELDS], kbc_str_cstr(num));
        char *eq = strchr(col[C_FIELD], '=');
        if (eq) {
                *eq = '\0';
                kbc_str v = kbc_event_field(ev, kbc_str_cstr(col[C_FIELD]));
                if (!same(eq + 1, v, false))
                        mismatch(where, col[C_FIELD], eq + 1, v);
        }
}

/* Decodes data (FILE.jsonl or FILE.json) against expect; returns the
 * records checked. */
static int check_file(kbc_decoder *d, const char *data, const char *expect)
{
        FILE *in = fopen(data, "rb"), *ex = fopen(expect, "r");
        assert_non_null(in);
        assert_non_null(ex);
        tool_zread *z = tool_zread_new(in);
        assert_non_null(z);
        const char *head;
        assert_true(tool_zread_peek(z, 4096, &head) >= 0);
        tool_split *s = tool_split_new(
            z, tool_split_sniff(head, tool_zread_buffered(z, &head)));
        kbc_origin at = {.kind = KBC_ORIGIN_FILE, .source = data};
        const char *msg;
        size_t len;
        char line[4096], err[256], where[KBC_ORIGIN_STRLEN];
        kbc_event ev;
        int n = 0;
        while (fgets(line, sizeof(line), ex)) {
                char *col[C__COUNT];
                if (tool_split_next(s, &msg, &len, &at) != 1) {
                        fprintf(stderr, "%s: fewer records than %s lines\n",
                                data, expect);
                        failures++;
                        break;
                }
                kbc_origin_format(&at, where, sizeof(where));
                assert_int_equal(split_tabs(line, col), C__COUNT);
                ev.origin = at;
                kbc_format f = kbc_decode(d, KBC_FMT_AUTO, msg, len, &ev, err,
                                          sizeof(err));
                if (f == KBC_FMT_AUTO) {
                        fprintf(stderr, "%s: not decoded: %s\n", where, err);
                        failures++;
                        continue;
                }
                check_record(where, col, f, &ev);
                n++;
        }
        if (tool_split_next(s, &msg, &len, &at) != 0) {
                fprintf(stderr, "%s: more records than %s lines\n", data,
                        expect);
                failures++;
        }
        tool_split_free(s);
        tool_zread_free(z);
        fclose(in);
        fclose(ex);
        return n;
}

static void test_shapes(void **state)
{
        (void)state;
        kbc_decoder *d = kbc_decoder_new();
        DIR *dir = opendir(SHAPES);
        assert_non_null(d);
        assert_non_null(dir);
        int files = 0, records = 0;
        struct dirent *de;
        while ((de = readdir(dir))) {
                char expect[512], data[512];
                size_t n = strlen(de->d_name);
                if (n < 8 || strcmp(de->d_name + n - 7, ".expect"))
                        continue;
                snprintf(expect, sizeof(expect), SHAPES "%s", de->d_name);
                snprintf(data, sizeof(data), SHAPES "%.*sjsonl", (int)(n - 6),
                         de->d_name);
                FILE *probe = fopen(data, "r");
                if (!probe)
                        snprintf(data, sizeof(data), SHAPES "%.*sjson",
                                 (int)(n - 6), de->d_name);
                else
                        fclose(probe);
                records += check_file(d, data, expect);
                files++;
        }
        closedir(dir);
        kbc_decoder_free(d);
        fprintf(stderr, "shapes: %d files, %d records, %d mismatches\n", files,
                records, failures);
        assert_true(files >= 10);
        assert_int_equal(failures, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_shapes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
