/*
 * fuzz_tmpfile.h - the file that the libFuzzer targets of loaders taking a
 * path (fuzz_config_load.c, fuzz_mapping_load.c, fuzz_kb_roundtrip.c,
 * fuzz_rule_load.c) hand them.
 *
 * The bytes of each iteration overwrite one file, NAME, in a folder of the
 * process's own, made on the first call under $TMPDIR (or /tmp) and removed
 * at exit: parallel jobs (-jobs=N, -fork=N) never share a file, and no run
 * leaves one behind. A file that cannot be written aborts, since every
 * later iteration would then test "cannot open" only.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_tmp_dir[128], fuzz_tmp_path[192];

static void fuzz_tmp_cleanup(void)
{
        unlink(fuzz_tmp_path);
        rmdir(fuzz_tmp_dir);
}

/* Writes size bytes of data to the folder's NAME; returns its path, valid
 * until the next call. name is the same on every call of a process. */
static const char *fuzz_tmpfile(const char *name, const void *data, size_t size)
{
        if (!fuzz_tmp_dir[0]) {
                const char *tmp = getenv("TMPDIR");
                snprintf(fuzz_tmp_dir, sizeof(fuzz_tmp_dir),
                         "%s/kbc-fuzz-XXXXXX",
                         tmp && *tmp && strlen(tmp) < 96 ? tmp : "/tmp");
                if (!mkdtemp(fuzz_tmp_dir))
                        abort();
                snprintf(fuzz_tmp_path, sizeof(fuzz_tmp_path), "%s/%s",
                         fuzz_tmp_dir, name);
                atexit(fuzz_tmp_cleanup);
        }
        FILE *f = fopen(fuzz_tmp_path, "wb");
        if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f))
                abort();
        return fuzz_tmp_path;
}
