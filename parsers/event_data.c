/*
 * event_data.c - a record's event data, in any of the forms collectors
 * send it (kbc_fmt_event_data in formats.h):
 *
 *   {"TargetUserName": "bob", ...}            named values (Winlogbeat 6,
 *                                             WindowsEvent, evtx_dump)
 *   {"Data": [{"@Name": "x", "#text": "y"}]}  the XML as JSON (xmltodict);
 *   {"Data": {"#text": ["a", "b"]}}           unnamed: param1, param2, ...
 *   [{"Value": "a"}, {"Value": 5}]            PowerShell's Properties
 *   ["a", "b"]                                StringInserts
 *   "{\"TargetUserName\": \"bob\"}"           a JSON-encoded string (Log
 *                                             Analytics exports, CSV)
 *   "<DataItem><EventData><Data Name=..."     an XML string (Log Analytics'
 *   "<Param>a</Param><Param>b</Param>"        EventData, ParameterXml)
 *
 * An XML string is cut, not parsed: its leaf elements are found by their
 * tags and their text entity-decoded, which is all a field needs; a
 * <Data Name="x"> or <Param> is named by its Name attribute or param1..,
 * any other leaf (UserData's <PolicyName>) by its tag. A malformed
 * fragment yields the elements that are whole.
 */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <string.h>

#include "formats.h"

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static kbc_str trim(kbc_str s)
{
        while (s.len && is_blank(s.ptr[0])) {
                s.ptr++;
                s.len--;
        }
        while (s.len && is_blank(s.ptr[s.len - 1]))
                s.len--;
        return s;
}

/* ---- XML strings ------------------------------------------------------- */

/* "#N;" or "#xH;" at p (n bytes): its length with the ';', and the code
 * point; 0 when it is not one. */
static size_t char_ref(const char *p, size_t n, uint32_t *cp)
{
        size_t i = 1;
        bool hex = n > 1 && p[1] == 'x';
        uint32_t v = 0;
        if (!n || p[0] != '#')
                return 0;
        i += hex;
        size_t start = i;
        for (; i < n && i < start + 8; i++) {
                char c = p[i];
                int d = c >= '0' && c <= '9'          ? c - '0'
                        : hex && c >= 'a' && c <= 'f' ? c - 'a' + 10
                        : hex && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                      : -1;
                if (d < 0)
                        break;
                v = v * (hex ? 16 : 10) + (uint32_t)d;
        }
        if (i == start || i >= n || p[i] != ';' || v == 0 || v >= 0x110000)
                return 0;
        *cp = v;
        return i + 1;
}

/* Decodes the five named entities and &#N; &#xH; (to UTF-8) of s into
 * out, which has s.len bytes: the result is never longer. */
static kbc_str decode_entities(kbc_str s, char *out)
{
        static const struct {
                const char *name;
                char c;
        } named[] = {{"lt;", '<'},
                     {"gt;", '>'},
                     {"amp;", '&'},
                     {"quot;", '"'},
                     {"apos;", '\''}};
        size_t o = 0;
        for (size_t i = 0; i < s.len;) {
                char c = s.ptr[i];
                size_t rest = s.len - i - 1;
                const char *p = s.ptr + i + 1;
                if (c == '&') {
                        size_t k;
                        for (k = 0; k < sizeof(named) / sizeof(*named); k++) {
                                size_t n = strlen(named[k].name);
                                if (rest >= n && !memcmp(p, named[k].name, n)) {
                                        out[o++] = named[k].c;
                                        i += n + 1;
                                        break;
                                }
                        }
                        if (k < sizeof(named) / sizeof(*named))
                                continue;
                        uint32_t cp;
                        size_t used = char_ref(p, rest, &cp);
                        if (used) {
                                /* UTF-8 is never longer than
                                 * "&#x10FFFF;" */
                                o += kbc_utf8_put(cp, out + o);
                                i += used + 1;
                                continue;
                        }
                }
                out[o++] = c;
                i++;
        }
        return kbc_str_make(out, o);
}

static const char *find(const char *p, const char *end, const char *what)
{
        return memmem(p, (size_t)(end - p), what, strlen(what));
}

/* The value of attribute Name="..." (or '...') in tag[0..n), or empty. */
static kbc_str name_attr(const char *tag, size_t n)
{
        const char *end = tag + n;
        for (const char *p = find(tag, end, "Name="); p;
             p = find(p + 1, end, "Name=")) {
                if (p == tag || !is_blank(p[-1]) || p + 6 > end)
                        continue;
                char q = p[5];
                const char *v = p + 6, *close;
                if ((q != '"' && q != '\'') || !(close = memchr(v, q, end - v)))
                        continue;
                return kbc_str_make(v, (size_t)(close - v));
        }
        return kbc_str_make("", 0);
}

/* The element name of the start tag at p[0] == '<' (a namespace prefix
 * dropped), or empty for an end tag, a comment or a declaration. */
static kbc_str tag_name(const char *p, const char *gt)
{
        const char *q = p + 1;
        if (q >= gt || *q == '/' || *q == '?' || *q == '!')
                return kbc_str_make("", 0);
        const char *e = q;
        while (e < gt && !is_blank(*e) && *e != '/')
                e++;
        const char *colon = memchr(q, ':', (size_t)(e - q));
        if (colon)
                q = colon + 1;
        return kbc_str_make(q, (size_t)(e - q));
}

size_t kbc_fmt_xml_data(kbc_str xml, char *out, kbc_event *ev)
{
        const char *p = xml.ptr, *end = xml.ptr + xml.len;
        size_t params = 0, o = 0;
        while ((p = memchr(p, '<', (size_t)(end - p)))) {
                const char *gt = memchr(p, '>', (size_t)(end - p));
                if (!gt)
                        break;
                kbc_str tag = tag_name(p, gt);
                bool data = kbc_str_eq(tag, KBC_STR_LIT("Data")) ||
                            kbc_str_eq(tag, KBC_STR_LIT("Param"));
                bool empty = gt[-1] == '/';
                const char *text = gt + 1, *lt = NULL;
                if (!empty)
                        lt = memchr(text, '<', (size_t)(end - text));
                /* A leaf: its text runs to an end tag, not to a child. */
                bool leaf =
                    tag.len && (empty || (lt && lt + 1 < end && lt[1] == '/'));
                /* <Binary> is the event's raw bytes, not a value (as
                 * the XML decoder has it). */
                if (!leaf || (empty && !data) ||
                    kbc_str_eq(tag, KBC_STR_LIT("Binary"))) {
                        p = gt + 1;
                        continue;
                }
                kbc_str name = data ? name_attr(p, (size_t)(gt - p)) : tag;
                kbc_str raw = empty ? kbc_str_make("", 0)
                                    : kbc_str_make(text, (size_t)(lt - text));
                kbc_str value = decode_entities(raw, out + o);
                o += value.len;
                if (name.len) {
                        name = decode_entities(name, out + o);
                        o += name.len;
                } else {
                        name = kbc_fmt_param_name(params++);
                }
                kbc_fmt_add_field(ev, name, value);
                p = empty ? gt + 1 : lt;
        }
        return o;
}

/* ---- JSON forms -------------------------------------------------------- */

static int add_text(kbc_json *j, kbc_str name, int tok, kbc_event *ev,
                    const char *fmt, char *errstr, size_t errsize)
{
        kbc_str value = kbc_str_make("", 0);
        if (kbc_fmt_json_text(j, tok, &value, fmt, "event data", errstr,
                              errsize))
                return -1;
        kbc_fmt_add_field(ev, name, value);
        return 0;
}

static bool is_scalar(const kbc_json *j, int tok)
{
        kbc_json_type t = kbc_json_typeof(j, tok);
        return t != KBC_JSON_OBJECT && t != KBC_JSON_ARRAY &&
               t != KBC_JSON_NONE;
}

/* An item's name and value in the XML-as-JSON spellings: "@Name",
 * "Name" or "#attributes": {"Name"}, and "#text" (absent = empty), or
 * {"Value": v} as PowerShell writes a property. */
static int item(kbc_json *j, int obj, size_t *params, kbc_event *ev,
                const char *fmt, char *errstr, size_t errsize)
{
        int name = kbc_json_find(j, obj, KBC_STR_LIT("@Name"));
        if (name < 0)
                name = kbc_json_find(j, obj, KBC_STR_LIT("Name"));
        if (name < 0)
                name = kbc_json_find(
                    j, kbc_json_find(j, obj, KBC_STR_LIT("#attributes")),
                    KBC_STR_LIT("Name"));
        int value = kbc_json_find(j, obj, KBC_STR_LIT("#text"));
        if (value < 0)
                value = kbc_json_find(j, obj, KBC_STR_LIT("Value"));
        if (value < 0)
                value = kbc_json_find(j, obj, KBC_STR_LIT("value"));
        kbc_str n;
        if (name >= 0 && kbc_json_string(j, name, &n) == KBC_JSON_OK && n.len)
                return add_text(j, n, value, ev, fmt, errstr, errsize);
        return add_text(j, kbc_fmt_param_name((*params)++), value, ev, fmt,
                        errstr, errsize);
}

/* The values of an array, scalars or items, as fields. */
static int array_fields(kbc_json *j, int arr, size_t *params, kbc_event *ev,
                        const char *fmt, char *errstr, size_t errsize)
{
        int end = kbc_json_skip(j, arr);
        for (int t = arr + 1; t < end; t = kbc_json_skip(j, t)) {
                int rc = 0;
                if (kbc_json_typeof(j, t) == KBC_JSON_OBJECT)
                        rc = item(j, t, params, ev, fmt, errstr, errsize);
                else if (is_scalar(j, t))
                        rc = add_text(j, kbc_fmt_param_name((*params)++), t, ev,
                                      fmt, errstr, errsize);
                if (rc)
                        return -1;
        }
        return 0;
}

/* "Data" of the XML as JSON: a list of items or values, one item, an
 * object whose "#text" is the list, or one value. */
static int data_member(kbc_json *j, int data, kbc_event *ev, const char *fmt,
                       char *errstr, size_t errsize)
{
        size_t params = 0;
        if (kbc_json_typeof(j, data) == KBC_JSON_OBJECT) {
                int text = kbc_json_find(j, data, KBC_STR_LIT("#text"));
                if (kbc_json_typeof(j, text) == KBC_JSON_ARRAY)
                        data = text;
                else
                        return item(j, data, &params, ev, fmt, errstr, errsize);
        }
        if (kbc_json_typeof(j, data) == KBC_JSON_ARRAY)
                return array_fields(j, data, &params, ev, fmt, errstr, errsize);
        return add_text(j, kbc_fmt_param_name(0), data, ev, fmt, errstr,
                        errsize);
}

/* Named values; a nested object's own scalar members too (UserData
 * holds one element of named values), and an item with "#text" as its
 * text. "#attributes" and XML namespaces are not data; Binary is kept,
 * as Winlogbeat always had it. */
static int object_fields(kbc_json *j, int obj, int depth, kbc_event *ev,
                         const char *fmt, char *errstr, size_t errsize)
{
        int data = kbc_json_find(j, obj, KBC_STR_LIT("Data"));
        if (data >= 0 && depth == 0)
                return data_member(j, data, ev, fmt, errstr, errsize);
        for (int k = kbc_json_first_key(j, obj); k >= 0;
             k = kbc_json_next_key(j, obj, k)) {
                kbc_str name;
                int v = k + 1, rc = 0;
                if (kbc_json_string(j, k, &name) != KBC_JSON_OK)
                        return kbc_errf(errstr, errsize,
                                        "%s: invalid key in event data", fmt);
                if (name.len && (name.ptr[0] == '#' || name.ptr[0] == '@'))
                        continue;
                if (kbc_json_typeof(j, v) == KBC_JSON_OBJECT) {
                        int text = kbc_json_find(j, v, KBC_STR_LIT("#text"));
                        if (text >= 0 && is_scalar(j, text))
                                rc = add_text(j, name, text, ev, fmt, errstr,
                                              errsize);
                        else if (depth < 2)
                                rc = object_fields(j, v, depth + 1, ev, fmt,
                                                   errstr, errsize);
                } else if (is_scalar(j, v)) {
                        rc = add_text(j, name, v, ev, fmt, errstr, errsize);
                }
                if (rc)
                        return -1;
        }
        return 0;
}

/* A string that holds the event data: JSON, XML, or one value. */
static int string_fields(kbc_json *j, int tok, kbc_fmt_opts *o, kbc_event *ev,
                         const char *fmt, char *errstr, size_t errsize)
{
        kbc_str s;
        if (kbc_json_string(j, tok, &s) != KBC_JSON_OK)
                return kbc_errf(errstr, errsize,
                                "%s: invalid string in event data", fmt);
        s = trim(s);
        if (!s.len)
                return 0;
        if (s.ptr[0] == '<') {
                if (o->scratch_cap - o->scratch_used < s.len)
                        return kbc_errf(errstr, errsize,
                                        "%s: event data XML larger than the "
                                        "message",
                                        fmt);
                o->scratch_used +=
                    kbc_fmt_xml_data(s, o->scratch + o->scratch_used, ev);
                return 0;
        }
        /* Not JSON after all ("{guid}" lists): one value, as written. */
        if (s.ptr[0] == '{' &&
            kbc_json_parse(o->inner, s.ptr, s.len, NULL, 0) == 0)
                return object_fields(o->inner, 0, 0, ev, fmt, errstr, errsize);
        kbc_fmt_add_field(ev, kbc_fmt_param_name(0), s);
        return 0;
}

int kbc_fmt_event_data(kbc_json *j, int tok, kbc_fmt_opts *o, kbc_event *ev,
                       const char *fmt, char *errstr, size_t errsize)
{
        size_t params = 0;
        switch (kbc_json_typeof(j, tok)) {
        case KBC_JSON_OBJECT:
                return object_fields(j, tok, 0, ev, fmt, errstr, errsize);
        case KBC_JSON_ARRAY:
                return array_fields(j, tok, &params, ev, fmt, errstr, errsize);
        case KBC_JSON_STRING:
                return string_fields(j, tok, o, ev, fmt, errstr, errsize);
        default:
                return 0;
        }
}
