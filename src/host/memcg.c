// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host/memcg.h"
#include "host/preflight.h"
#include "host/psi.h"
#include "lib/util.h"

#define LIMIT_NONE (1ULL << 62) /* v1 writes "unlimited" as PAGE_COUNTER_MAX pages in bytes */

uint64_t memcg_limit_parse(const char *text)
{
	char *end;
	unsigned long long v;

	if (!strncmp(text, "max", 3))
		return 0;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || v >= LIMIT_NONE)
		return 0;
	return v;
}

uint64_t memcg_stat_value(const char *text, const char *key)
{
	size_t n = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, key, n) && l[n] == ' ')
			return strtoull(l + n + 1, NULL, 10);
	return 0;
}

/* File @name of cgroup @dir, read into @buf: its length, or -1. */
static long cg_file(const char *dir, const char *name, char *buf, size_t len)
{
	char path[4400];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_file(path, buf, len);
}

static uint64_t cg_value(const char *dir, const char *name)
{
	char buf[64];

	return cg_file(dir, name, buf, sizeof(buf)) > 0 ? strtoull(buf, NULL, 10) : 0;
}

static uint64_t cg_limit(const char *dir, const char *name)
{
	char buf[64];

	return cg_file(dir, name, buf, sizeof(buf)) > 0 ? memcg_limit_parse(buf) : 0;
}

static uint64_t tighter(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* Processes in @dir: lines of cgroup.procs. */
static uint64_t cg_procs(const char *dir)
{
	char buf[8192];
	uint64_t n = 0;

	if (cg_file(dir, "cgroup.procs", buf, sizeof(buf)) <= 0)
		return 0;
	for (const char *c = buf; *c; c++)
		n += *c == '\n';
	return n;
}

int memcg_read(const char *mounts_path, uint64_t id, struct mem_cgroup *cg)
{
	char text[16384], mnt[4096], dir[4096 + sizeof(cg->path)], rel[sizeof(cg->path)];
	struct stat st;
	const char *max = NULL;
	bool v2;

	if (!cgroup_mount(mounts_path, "memory", mnt, sizeof(mnt)))
		v2 = false;
	else if (!cgroup2_mount(mounts_path, mnt, sizeof(mnt)))
		v2 = true;
	else
		return -ENOENT;
	if (cg->id != id || !cg->path[0]) {
		if (!stat(mnt, &st) && st.st_ino == id)
			snprintf(rel, sizeof(rel), "/"); /* the root: no limit of its own */
		else if (cgroup_find(mnt, id, rel, sizeof(rel)))
			return -ENOENT;
		memset(cg, 0, sizeof(*cg));
		cg->id = id;
		cg->v2 = v2;
		snprintf(cg->path, sizeof(cg->path), "%s", rel);
	}
	snprintf(dir, sizeof(dir), "%s%s", mnt, cg->path);
	if (cg_file(dir, v2 ? "memory.current" : "memory.usage_in_bytes", text, sizeof(text)) < 0)
		return -ENOENT; /* gone since: what was read stays */
	cg->usage_bytes = strtoull(text, NULL, 10);
	max = v2 ? "memory.max" : "memory.limit_in_bytes";
	cg->own_limit_bytes = cg_limit(dir, max);
	cg->limit_bytes = cg->own_limit_bytes;
	/* the ancestors' limits apply too */
	snprintf(rel, sizeof(rel), "%s", cg->path);
	for (char *slash; (slash = strrchr(rel, '/')) && slash != rel;) {
		char up[sizeof(dir)];

		*slash = 0;
		snprintf(up, sizeof(up), "%s%s", mnt, rel);
		cg->limit_bytes = tighter(cg->limit_bytes, cg_limit(up, max));
	}
	if (cg_value(dir, v2 ? "memory.peak" : "memory.max_usage_in_bytes") > cg->peak_bytes)
		cg->peak_bytes = cg_value(dir, v2 ? "memory.peak" : "memory.max_usage_in_bytes");
	if (v2)
		cg->high_bytes = cg_limit(dir, "memory.high");
	if (cg_file(dir, "memory.stat", text, sizeof(text)) > 0) {
		cg->refault_file = memcg_stat_value(text, "workingset_refault_file");
		cg->refault_anon = memcg_stat_value(text, "workingset_refault_anon");
	}
	if (cg_file(dir, v2 ? "memory.events" : "memory.oom_control", text, sizeof(text)) > 0)
		cg->oom_kills = memcg_stat_value(text, "oom_kill");
	cg->procs = cg_procs(dir);
	if (v2 && cg_file(dir, "memory.pressure", text, sizeof(text)) > 0) {
		cg->psi_ok = !psi_parse(text, &cg->psi_some_us, &cg->psi_full_us);
	}
	return 0;
}
