/*
 * walk.c - the file and folder walker of kbc_walk.h.
 *
 * Recursion follows the folders, at most KBC_WALK_DEPTH_MAX deep, each
 * level keeping its (device, inode) on the stack in a chain that points
 * up: a folder found on the chain of its own parents is a loop. Only the
 * folders above count, not every folder seen, so a folder linked from two
 * places is walked under both names, as a user who made the link expects.
 * Each folder is read whole with scandir(3) (hidden entries filtered,
 * names sorted with strcmp, not the locale's collation) and each child
 * path is allocated to its exact length, so deep trees of long names are
 * never cut at a fixed buffer size.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kbc_walk.h"

#define STR_(x) #x
#define STR(x)  STR_(x)

/* The folders above the one being walked. */
typedef struct chain {
        const struct chain *up;
        dev_t dev;
        ino_t ino;
} chain;

static int report(const kbc_walk_ops *ops, const kbc_walk_entry *e,
                  kbc_walk_err what, int err)
{
        if (ops->problem)
                ops->problem(ops->opaque, e, what, err);
        return 1;
}

static int not_hidden(const struct dirent *d)
{
        return d->d_name[0] != '.'; /* ., .., .git, editor backups */
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
        return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk_entry(const kbc_walk_entry *e, const chain *up,
                      const kbc_walk_ops *ops);

/* One child of folder dir: its path, its stat, then walk_entry. No
 * memory for the path is a folder that cannot be listed. */
static int walk_child(const kbc_walk_entry *dir, const char *name,
                      const chain *up, const kbc_walk_ops *ops)
{
        size_t a = strlen(dir->path), b = strlen(name);
        char *path = malloc(a + b + 2);
        struct stat st;
        int rc;

        if (!path)
                return report(ops, dir, KBC_WALK_LIST, ENOMEM);
        memcpy(path, dir->path, a);
        if (a && path[a - 1] != '/')
                path[a++] = '/';
        memcpy(path + a, name, b + 1);
        kbc_walk_entry e = {path, path + a, NULL, dir->depth + 1};
        if (stat(path, &st)) {
                rc = report(ops, &e, KBC_WALK_STAT, errno);
        } else {
                e.st = &st;
                rc = walk_entry(&e, up, ops);
        }
        free(path);
        return rc;
}

static int walk_dir(const kbc_walk_entry *e, const chain *here,
                    const kbc_walk_ops *ops)
{
        struct dirent **names;
        int n = scandir(e->path, &names, not_hidden, by_name), rc = 0;

        if (n < 0)
                return report(ops, e, KBC_WALK_LIST, errno);
        for (int i = 0; i < n; i++) {
                if (rc >= 0) {
                        int got = walk_child(e, names[i]->d_name, here, ops);
                        rc = got < 0 ? -1 : rc + got;
                }
                free(names[i]);
        }
        free(names);
        return rc;
}

static int walk_entry(const kbc_walk_entry *e, const chain *up,
                      const kbc_walk_ops *ops)
{
        if (!S_ISDIR(e->st->st_mode))
                return ops->file(ops->opaque, e) ? -1 : 0;
        for (const chain *c = up; c; c = c->up)
                if (c->dev == e->st->st_dev && c->ino == e->st->st_ino)
                        return report(ops, e, KBC_WALK_LOOP, 0);
        if (e->depth > KBC_WALK_DEPTH_MAX)
                return report(ops, e, KBC_WALK_DEEP, 0);
        chain here = {up, e->st->st_dev, e->st->st_ino};
        return walk_dir(e, &here, ops);
}

int kbc_walk(const char *path, const kbc_walk_ops *ops)
{
        struct stat st;
        kbc_walk_entry e = {path, path, NULL, 0};

        if (stat(path, &st))
                return report(ops, &e, KBC_WALK_STAT, errno);
        e.st = &st;
        return walk_entry(&e, NULL, ops);
}

const char *kbc_walk_strerror(kbc_walk_err what, int err)
{
        switch (what) {
        case KBC_WALK_LOOP:
                return "folder loop (a link back to a folder above it)";
        case KBC_WALK_DEEP:
                return "folders nested deeper than " STR(KBC_WALK_DEPTH_MAX);
        case KBC_WALK_STAT:
        case KBC_WALK_LIST:
                break;
        }
        return strerror(err);
}
