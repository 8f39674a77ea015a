/*
 * cmd_bundle.c - `kbcorr bundle`: writes a folder's rule bundle
 * (kbc_bundle.h) or says whether it is fresh; and the note `kbcorr check`
 * prints for a bundle that loading would not use.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "kbc_bundle.h"
#include "tool.h"

static const char bundle_usage[] =
    "usage: kbcorr bundle [--check] DIR...\n\n"
    "Writes DIR/" KBC_BUNDLE_NAME ", the rule files under DIR loaded and "
    "recorded\nin one file, which loading DIR (--rules DIR, kbcorrd's "
    "rules:) then\nreads instead of parsing the YAML, while every rule "
    "file is as it was\nwhen it was written. 'kbcorr compile -o DIR' "
    "writes one too. The YAML\nstays the source: after an edit, a stale "
    "bundle is not used (a note on\nstderr says why) until this command "
    "runs again. Exit code 0 when every\nDIR's bundle was written, 1 when "
    "its rule files have problems, 2 on\nusage errors.\n\n"
    "  --check       write nothing: say whether each DIR's bundle is "
    "fresh\n                (exit 0 when all are, 1 otherwise)\n"
    "  -h, --help    this help\n";

static const char *const state_names[] = {
    [KBC_BUNDLE_NONE] = "none",
    [KBC_BUNDLE_FRESH] = "fresh",
    [KBC_BUNDLE_STALE] = "stale",
    [KBC_BUNDLE_BROKEN] = "not usable",
};

static bool check_one(const char *dir)
{
        char why[512];
        kbc_bundle_info info;
        kbc_bundle_state s = kbc_bundle_check(dir, why, sizeof(why), &info);
        if (s == KBC_BUNDLE_FRESH)
                printf("%s/%s: fresh: %zu rules, %llu bytes\n", dir,
                       KBC_BUNDLE_NAME, info.nrules,
                       (unsigned long long)info.bytes);
        else
                printf("%s/%s: %s%s%s\n", dir, KBC_BUNDLE_NAME, state_names[s],
                       s == KBC_BUNDLE_NONE ? "" : ": ", why);
        return s == KBC_BUNDLE_FRESH;
}

static bool write_one(const char *dir)
{
        struct timespec t0, t1;
        kbc_bundle_info info;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (kbc_bundle_write(dir, tool_diag_stderr, NULL, &info))
                return false;
        clock_gettime(CLOCK_MONOTONIC, &t1);
        fprintf(stderr,
                "kbcorr bundle: %s/%s: %zu rules, %llu bytes, in %.1f s\n", dir,
                KBC_BUNDLE_NAME, info.nrules, (unsigned long long)info.bytes,
                (double)(t1.tv_sec - t0.tv_sec) +
                    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        return true;
}

int cmd_bundle(int argc, char **argv)
{
        static const struct option longopts[] = {
            {"check", no_argument, NULL, 'c'},
            {"help", no_argument, NULL, 'h'},
            {NULL, 0, NULL, 0}};
        bool check = false, ok = true;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        check = true;
                        break;
                case 'h':
                        fputs(bundle_usage, stdout);
                        return EXIT_OK;
                default:
                        fputs(bundle_usage, stderr);
                        return EXIT_USAGE;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "kbcorr bundle: no DIR given\n");
                return EXIT_USAGE;
        }
        for (int i = optind; i < argc; i++)
                ok &= check ? check_one(argv[i]) : write_one(argv[i]);
        return ok ? EXIT_OK : EXIT_FINDINGS;
}

void tool_note_bundles(const tool_rule_paths *rp)
{
        char why[512];
        for (size_t i = 0; i < rp->n; i++) {
                kbc_bundle_state s =
                    kbc_bundle_check(rp->paths[i], why, sizeof(why), NULL);
                if (s == KBC_BUNDLE_STALE || s == KBC_BUNDLE_BROKEN)
                        fprintf(stderr,
                                "%s/%s: %s: %s (kbcorr bundle %s refreshes "
                                "it)\n",
                                rp->paths[i], KBC_BUNDLE_NAME, state_names[s],
                                why, rp->paths[i]);
        }
}
