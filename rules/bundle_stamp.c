/*
 * bundle_stamp.c - what a rule bundle is stamped with besides its sources:
 * the loader that made its rules and the PCRE2 that checked its patterns.
 * A bundle with another stamp is stale, since the same YAML may load to
 * other rules (a changed `text:` translation) or a pattern may compile
 * differently (another PCRE2).
 */
#include "bundle_internal.h"

/* A hash of the loader's source files (rule_load.c, text_pattern.c,
 * yaml_doc.c, the bundle's own files...), computed by CMake at configure
 * time and again whenever one of them changes (CMakeLists.txt), so an
 * edit to the loader makes old bundles stale without anyone having to
 * remember to bump a number. */
#ifndef KBC_LOADER_FINGERPRINT
#error "KBC_LOADER_FINGERPRINT is set by CMakeLists.txt"
#endif

const char *bundle_fingerprint(void)
{
        return "kbcorr-loader " KBC_LOADER_FINGERPRINT;
}

void bundle_pcre2_version(char buf[BUNDLE_PCRE2_VERSION_MAX])
{
        /* The library linked at run time, not the header built against. */
        if (pcre2_config(PCRE2_CONFIG_VERSION, buf) < 0)
                buf[0] = '\0';
}
