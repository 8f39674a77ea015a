/*
 * mapping_load.c - declarative JSON mappings from a YAML file, so that a
 * JSON flavour kbcorr does not know (a Log Analytics export, a SIEM's own
 * shape) is decoded without code:
 *
 *   mappings:
 *     loganalytics:
 *       detect: [EventLog, Source, Computer]
 *       time: TimeGenerated
 *       host: Computer
 *       ...
 *
 * Each value is a dotted member path; kbc_decoder_add_mapping checks the
 * required ones. Problems are reported as file:line like rule files'.
 */
#include <stdio.h>
#include <string.h>

#include "kbc_mapping_load.h"
#include "yaml_doc.h"

static const char *const mapping_keys[] = {
    "detect",    "time",  "host",    "channel",    "provider", "event_id",
    "record_id", "level", "message", "event_data", NULL};

/* The string value of key in map, or NULL (reported unless absent). */
static const char *path_of(kbc_ydoc *d, const yaml_node_t *map, const char *key)
{
        yaml_node_t *v = kbc_ydoc_get(d, map, key);
        size_t len;
        const char *s = v ? kbc_ynode_str(v, &len) : NULL;
        if (v && (!s || kbc_ynode_is_null(v) || !len)) {
                kbc_ydoc_report(d, v, "mapping key '%s' must be a member path",
                                key);
                return NULL;
        }
        return s;
}

static void load_one(kbc_ydoc *d, kbc_decoder *dec, const char *name,
                     const yaml_node_t *m)
{
        kbc_json_mapping jm;
        char err[256];
        memset(&jm, 0, sizeof(jm));
        if (!kbc_ynode_is_map(m)) {
                kbc_ydoc_report(d, m, "mapping '%s' must be a map of paths",
                                name);
                return;
        }
        kbc_ydoc_check_keys(d, m, "mapping", mapping_keys);
        jm.time = path_of(d, m, "time");
        jm.host = path_of(d, m, "host");
        jm.channel = path_of(d, m, "channel");
        jm.provider = path_of(d, m, "provider");
        jm.event_id = path_of(d, m, "event_id");
        jm.record_id = path_of(d, m, "record_id");
        jm.level = path_of(d, m, "level");
        jm.message = path_of(d, m, "message");
        jm.event_data = path_of(d, m, "event_data");
        yaml_node_t *det = kbc_ydoc_get(d, m, "detect");
        if (det && kbc_ynode_is_seq(det)) {
                size_t n = kbc_ydoc_seq_len(det);
                if (n > KBC_MAPPING_MAX_DETECT)
                        kbc_ydoc_report(d, det, "detect: at most %d paths",
                                        KBC_MAPPING_MAX_DETECT);
                for (size_t i = 0; i < n && i < KBC_MAPPING_MAX_DETECT; i++)
                        jm.detect[i] =
                            kbc_ynode_str(kbc_ydoc_seq_at(d, det, i), NULL);
        } else if (det) {
                kbc_ydoc_report(d, det, "detect must be a list of paths");
        }
        if (kbc_decoder_add_mapping(dec, name, &jm, err, sizeof(err)))
                kbc_ydoc_report(d, m, "mapping '%s': %s", name, err);
}

int kbc_mappings_load(kbc_decoder *dec, const char *path, kbc_diag_fn *diag,
                      void *opaque)
{
        kbc_ydiag g = {.fn = diag, .opaque = opaque};
        kbc_ydoc d;
        static const char *const top_keys[] = {"mappings", NULL};
        if (kbc_ydoc_load_file(&d, path, &g) == 0) {
                yaml_node_t *root = kbc_ydoc_root(&d);
                yaml_node_t *maps = kbc_ynode_is_map(root)
                                        ? kbc_ydoc_get(&d, root, "mappings")
                                        : NULL;
                if (kbc_ynode_is_map(root))
                        kbc_ydoc_check_keys(&d, root, "mapping file", top_keys);
                if (!maps || !kbc_ynode_is_map(maps)) {
                        kbc_ydoc_report(&d, root,
                                        "expected 'mappings:', a map of "
                                        "names to field paths");
                } else {
                        for (size_t i = 0; i < kbc_ydoc_map_len(maps); i++) {
                                yaml_node_t *k, *v;
                                kbc_ydoc_map_at(&d, maps, i, &k, &v);
                                const char *name = kbc_ynode_str(k, NULL);
                                load_one(&d, dec, name ? name : "", v);
                        }
                }
        }
        kbc_ydoc_free(&d);
        return g.count ? -1 : 0;
}
