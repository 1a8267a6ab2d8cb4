// SPDX-License-Identifier: GPL-2.0
/* IO limits of a cgroup (iolimit.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/iolimit.h"
#include "host/preflight.h"
#include "lib/util.h"

static const char *const v1_files[IOL_N] = {
	"blkio.throttle.read_bps_device",
	"blkio.throttle.write_bps_device",
	"blkio.throttle.read_iops_device",
	"blkio.throttle.write_iops_device",
};

/* Record limit @v (0 = none) of @kind on MAJ:MIN, keeping the tighter of two. */
static void put(struct io_cgroup *cg, uint32_t major, uint32_t minor, enum io_limit_kind kind,
		uint64_t v)
{
	struct io_limit *l = (struct io_limit *)io_limit_for(cg, major, minor);

	if (!v)
		return;
	if (!l) {
		if (cg->n >= IO_LIMIT_DEVS)
			return;
		l = &cg->lim[cg->n++];
		*l = (struct io_limit){.major = major, .minor = minor};
	}
	if (!l->v[kind] || v < l->v[kind])
		l->v[kind] = v;
}

/* "N" or "max" (no limit: 0); -EINVAL otherwise. */
static int parse_value(const char *s, size_t n, uint64_t *v)
{
	char *end;

	if (n == 3 && !strncmp(s, "max", 3)) {
		*v = 0;
		return 0;
	}
	if (!n || s[0] < '0' || s[0] > '9')
		return -EINVAL;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || end != s + n ? -EINVAL : 0;
}

int io_limits_parse(struct io_cgroup *cg, const char *text, enum io_limit_kind kind)
{
	int found = 0;

	for (const char *line = text; line && *line;) {
		const char *eol = strchr(line, '\n'), *p;
		size_t len = eol ? (size_t)(eol - line) : strlen(line);
		unsigned int major, minor;
		int used = 0;

		if (!len)
			goto next;
		if (sscanf(line, "%u:%u%n", &major, &minor, &used) != 2 || line[used] != ' ')
			return -EINVAL;
		p = line + used;
		while (p < line + len) {
			const char *tok, *eq, *end;
			uint64_t v;
			int k = kind;

			while (p < line + len && *p == ' ')
				p++;
			if (p >= line + len)
				break;
			tok = p;
			end = memchr(tok, ' ', (size_t)(line + len - tok)) ?: line + len;
			p = end;
			if (kind == IOL_N) {
				/* io.max: KEY=VALUE, keys as io_limit_name() */
				eq = memchr(tok, '=', (size_t)(end - tok));
				if (!eq)
					return -EINVAL;
				for (k = 0; k < IOL_N; k++)
					if ((size_t)(eq - tok) == strlen(io_limit_name(k)) &&
					    !strncmp(tok, io_limit_name(k),
						     strlen(io_limit_name(k))))
						break;
				if (k == IOL_N)
					continue; /* a key of a later kernel */
				tok = eq + 1;
			}
			if (parse_value(tok, (size_t)(end - tok), &v))
				return -EINVAL;
			put(cg, major, minor, (enum io_limit_kind)k, v);
			found += v != 0;
		}
	next:
		line = eol ? eol + 1 : NULL;
	}
	return found;
}

/* Read the limits of @rel and every ancestor up to the hierarchy's root. */
static void read_limits(const char *mnt, struct io_cgroup *cg)
{
	char rel[sizeof(cg->path)], path[4096 + sizeof(rel) + 40], buf[4096];

	snprintf(rel, sizeof(rel), "%s", cg->path);
	for (;;) {
		for (int k = 0; k < (cg->v2 ? 1 : IOL_N); k++) {
			snprintf(path, sizeof(path), "%s%s/%s", mnt, rel,
				 cg->v2 ? "io.max" : v1_files[k]);
			if (read_file(path, buf, sizeof(buf)) >= 0)
				io_limits_parse(cg, buf, cg->v2 ? IOL_N : (enum io_limit_kind)k);
		}
		char *slash = strrchr(rel, '/');

		if (!slash || slash == rel)
			break; /* the root has no limits */
		*slash = 0;
	}
}

int io_cgroup_read(const char *mounts_path, uint64_t cgid, struct io_cgroup *cg)
{
	char mnt[4096];
	bool v2;

	memset(cg, 0, sizeof(*cg));
	cg->cgid = cgid;
	if (!cgroup_mount(mounts_path, "blkio", mnt, sizeof(mnt)))
		v2 = false;
	else if (!cgroup2_mount(mounts_path, mnt, sizeof(mnt)))
		v2 = true;
	else
		return -ENOENT;
	cg->v2 = v2;
	if (cgroup_find(mnt, cgid, cg->path, sizeof(cg->path)))
		return -ENOENT;
	read_limits(mnt, cg);
	return 0;
}
