// SPDX-License-Identifier: GPL-2.0
/* cgroup v2 ids to paths; see cgpath.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/cgpath.h"
#include "host/preflight.h"
#include "lib/util.h"

int cgpaths__init(struct cgpaths *c, const char *mounts_path)
{
	memset(c, 0, sizeof(*c));
	return cgroup2_mount(mounts_path, c->mount, sizeof(c->mount)) ? -ENOENT : 0;
}

static int cmp_id(const void *a, const void *b)
{
	const struct cgpath_entry *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

struct walk {
	struct cgpaths *c;
	size_t cap;
};

static void add(struct walk *w, uint64_t id, const char *rel)
{
	struct cgpaths *c = w->c;

	if (c->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		c->e = xrealloc(c->e, w->cap * sizeof(*c->e));
	}
	c->e[c->n].id = id;
	c->e[c->n++].path = xstrdup(*rel ? rel : "/");
}

/* Every directory under mount + @rel (depth first), its inode number as its id. */
static void walk(struct walk *w, char *rel, size_t len, size_t cap)
{
	char abs[8192];
	struct dirent *d;
	struct stat st;
	DIR *dir;

	snprintf(abs, sizeof(abs), "%s%s", w->c->mount, rel);
	if (w->c->n >= CGPATH_MAX_DIRS || stat(abs, &st) || !S_ISDIR(st.st_mode))
		return;
	add(w, (uint64_t)st.st_ino, rel);
	dir = opendir(abs);
	while (dir && (d = readdir(dir))) {
		size_t n = strlen(d->d_name);

		if (d->d_type != DT_DIR || d->d_name[0] == '.' || len + n + 2 > cap)
			continue;
		rel[len] = '/';
		memcpy(rel + len + 1, d->d_name, n + 1);
		walk(w, rel, len + n + 1, cap);
		rel[len] = '\0';
	}
	if (dir)
		closedir(dir);
}

static void rescan(struct cgpaths *c)
{
	struct walk w = {c, 0};
	char rel[4096] = "";

	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].path);
	free(c->e);
	c->e = NULL;
	c->n = 0;
	walk(&w, rel, 0, sizeof(rel));
	qsort(c->e, c->n, sizeof(*c->e), cmp_id);
	c->scanned_ns = now_ns();
}

static const char *find(const struct cgpaths *c, uint64_t id)
{
	struct cgpath_entry key = {.id = id}, *e;

	e = c->n ? bsearch(&key, c->e, c->n, sizeof(*c->e), cmp_id) : NULL;
	return e ? e->path : NULL;
}

const char *cgpaths__path(struct cgpaths *c, uint64_t id)
{
	const char *p;

	if (!c->mount[0] || !id)
		return NULL;
	if ((p = find(c, id)))
		return p;
	if (c->scanned_ns && now_ns() - c->scanned_ns < CGPATH_RESCAN_NS)
		return NULL;
	rescan(c);
	return find(c, id);
}

void cgpaths__release(struct cgpaths *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].path);
	free(c->e);
	c->e = NULL;
	c->n = 0;
}
