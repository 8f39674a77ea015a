/*
 * json_ways_simdjson.cpp - the simdjson way (json_ways.h): simdjson's
 * On-Demand API behind extern "C" functions, the only C++ in kbcorr.
 *
 * One forward pass over the top-level object, as the lazy scan does:
 * each member's name (unescaped by simdjson), scalars by value (strings
 * unescaped into the parser's string buffer, numbers and booleans as
 * written), and the objects a decoder reads (winlog, host, ..., the event
 * data) walked into; everything else is left unread, which On-Demand
 * steps over using its structural index.
 *
 * What the integration would have to live with, and this measures:
 *  - simdjson reads up to SIMDJSON_PADDING bytes past the end of the
 *    text, and a Kafka payload makes no such promise, so every message is
 *    copied into a padded buffer first (counted in the figures);
 *  - the whole message is indexed and its UTF-8 validated up front (stage
 *    1), so invalid UTF-8 anywhere fails the event, where kbc_json
 *    tolerates it inside strings;
 *  - values that are stepped over are not validated (a bad literal in
 *    agent.* passes), where kbc_json refuses the message;
 *  - On-Demand's walk is compiled into the caller for one instruction
 *    set (with default x86-64 flags, simdjson's "fallback" one); only
 *    stage 1 in the shared library picks AVX2 at run time. Building the
 *    shim with -march=haswell changed its instruction count by 0.1%.
 * Any simdjson error is JW_FALLBACK, so kbc_decode reports it.
 */
#include <simdjson.h>

#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

#include "json_ways.h"

using namespace simdjson;

struct jw_simdjson {
        ondemand::parser parser;
        char *pad = nullptr;
        size_t max_len = 0;
        char *scratch = nullptr;
        jw_parts p;
};

jw_simdjson *jw_simdjson_new(size_t max_len)
{
        jw_simdjson *s = new (std::nothrow) jw_simdjson;
        if (!s)
                return nullptr;
        s->max_len = max_len;
        s->pad = static_cast<char *>(std::malloc(max_len + SIMDJSON_PADDING));
        s->scratch = static_cast<char *>(std::malloc(max_len + 1));
        if (!s->pad || !s->scratch || s->parser.allocate(max_len)) {
                jw_simdjson_free(s);
                return nullptr;
        }
        return s;
}

void jw_simdjson_free(jw_simdjson *s)
{
        if (!s)
                return;
        std::free(s->pad);
        std::free(s->scratch);
        delete s;
}

static kbc_str view(std::string_view v)
{
        return kbc_str_make(v.data(), v.size());
}

/* raw_json_token runs to the next structural byte: drop the blanks. */
static kbc_str trimmed(std::string_view v)
{
        size_t n = v.size();
        while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' ||
                     v[n - 1] == '\n'))
                n--;
        return kbc_str_make(v.data(), n);
}

/* A scalar into m; a container only by its type (left unread). */
static bool scalar(ondemand::value &v, jw_member *m)
{
        ondemand::json_type t;
        if (v.type().get(t))
                return false;
        m->esc = false;
        std::string_view sv;
        switch (t) {
        case ondemand::json_type::object:
                m->type = JW_OBJECT;
                return true;
        case ondemand::json_type::array:
                m->type = JW_ARRAY;
                return true;
        case ondemand::json_type::string:
                m->type = JW_STRING;
                if (v.get_string().get(sv))
                        return false;
                m->val = view(sv);
                return true;
        case ondemand::json_type::number:
                m->type = JW_NUMBER;
                m->val = trimmed(v.raw_json_token());
                return true;
        case ondemand::json_type::boolean: {
                bool b;
                m->type = JW_BOOL;
                if (v.get_bool().get(b))
                        return false;
                m->val = b ? KBC_STR_LIT("true") : KBC_STR_LIT("false");
                return true;
        }
        case ondemand::json_type::null: {
                bool n;
                m->type = JW_NULL;
                return !v.is_null().get(n) && n;
        }
        }
        return false;
}

static bool data_object(jw_parts *p, int from, ondemand::object obj,
                        kbc_event *ev)
{
        if (p->ed_from >= 0)
                return false;
        p->ed_from = from;
        for (auto res : obj) {
                ondemand::field f;
                std::string_view k;
                jw_member m;
                if (std::move(res).get(f) || f.unescaped_key().get(k) ||
                    !scalar(f.value(), &m) ||
                    jw_event_data_member(p, view(k), &m, ev))
                        return false;
        }
        return true;
}

static bool nested(jw_parts *p, int parent, ondemand::object obj, kbc_event *ev)
{
        for (auto res : obj) {
                ondemand::field f;
                std::string_view k;
                if (std::move(res).get(f) || f.unescaped_key().get(k))
                        return false;
                int s = jw_nested_slot(parent, view(k));
                if (s < 0 || p->slot[s] >= 0)
                        continue;
                p->slot[s] = 0;
                jw_member *m = &p->nested[s - JW_NTOP];
                if (!scalar(f.value(), m))
                        return false;
                ondemand::object inner;
                if ((s == JW_W_EVENT_DATA || s == JW_W_USER_DATA) &&
                    m->type == JW_OBJECT &&
                    (f.value().get_object().get(inner) ||
                     !data_object(p, s, inner, ev)))
                        return false;
        }
        return true;
}

static bool top(jw_parts *p, ondemand::object root, kbc_event *ev)
{
        for (auto res : root) {
                ondemand::field f;
                std::string_view k;
                if (std::move(res).get(f) || f.unescaped_key().get(k) ||
                    p->nm == JW_MAX_MEMBERS)
                        return false;
                jw_member *m = &p->m[p->nm];
                m->key = view(k);
                int s = k.empty() ? -1 : jw_top_slot(m->key);
                if (s >= 0 && p->slot[s] < 0)
                        p->slot[s] = (int)p->nm;
                else
                        s = -1;
                p->nm++;
                if (!scalar(f.value(), m))
                        return false;
                if (s < 0 || !jw_descends(s) || m->type != JW_OBJECT)
                        continue;
                ondemand::object obj;
                if (f.value().get_object().get(obj))
                        return false;
                if (s == JW_EVENT_DATA ? !data_object(p, s, obj, ev)
                                       : !nested(p, s, obj, ev))
                        return false;
        }
        return true;
}

/* simdjson 3.0 has no document::at_end(): "{..} x" is refused by
 * asking that the text end in the '}' (an approximation: "{} {}" would
 * pass, which kbc_json refuses). */
static bool ends_object(const char *buf, size_t len)
{
        while (len && (buf[len - 1] == ' ' || buf[len - 1] == '\t' ||
                       buf[len - 1] == '\r' || buf[len - 1] == '\n'))
                len--;
        return len && buf[len - 1] == '}';
}

int jw_simdjson_decode(jw_simdjson *s, const char *buf, size_t len,
                       kbc_event *ev)
{
        if (len > s->max_len)
                return JW_FALLBACK;
        std::memcpy(s->pad, buf, len);
        std::memset(s->pad + len, 0, SIMDJSON_PADDING);
        jw_start(&s->p, s->scratch, ev);
        ondemand::document doc;
        ondemand::object root;
        if (s->parser.iterate(s->pad, len, len + SIMDJSON_PADDING).get(doc) ||
            doc.get_object().get(root) || !top(&s->p, root, ev) ||
            !ends_object(buf, len))
                return JW_FALLBACK;
        return jw_finish(&s->p, ev);
}
