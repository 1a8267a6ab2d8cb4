// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroup paths to the names users know. How each manager names its directories:
 *   systemd          /system.slice/nginx.service, /user.slice/.../session-3.scope
 *   Docker           docker-<id>.scope (systemd driver), /docker/<id> (cgroupfs)
 *   containerd (CRI) cri-containerd-<id>.scope
 *   CRI-O            crio-<id>.scope (crio-conmon-<id>.scope: its monitor, not it)
 *   Podman           libpod-<id>.scope, /libpod_parent/libpod-<id> (libpod-conmon-<id>:
 *                    its monitor)
 *   Kubernetes       kubepods-<qos>-pod<uid, '_' for '-'>.slice, kubepods-pod<uid>.slice
 *                    (guaranteed); cgroupfs: /kubepods/<qos>/pod<uid>/<container id>
 * The innermost match wins: a container's unit scope is its container, not a unit.
 */
#include <string.h>

#include "lib/cgident.h"

#define ID_LEN 64
#define UID_LEN 36

static bool all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(s + n - k, suf, k);
}

static bool has_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && !memcmp(s, pre, k);
}

/* @c (@n bytes) is "<prefix><64 hex>[<suffix>]": the id into @id. */
static bool container_part(const char *c, size_t n, const char *prefix, const char *suffix,
			   struct cg_ident *id)
{
	size_t p = strlen(prefix), s = has_suffix(c, n, suffix) ? strlen(suffix) : 0;

	if (!has_prefix(c, n, prefix) || n - p - s != ID_LEN || !all_hex(c + p, ID_LEN))
		return false;
	memcpy(id->container_id, c + p, ID_LEN);
	id->container_id[ID_LEN] = '\0';
	return true;
}

static const struct {
	const char *prefix, *suffix, *runtime;
} containers[] = {
	{"docker-", ".scope", "docker"},
	{"cri-containerd-", ".scope", "containerd"},
	{"crio-", ".scope", "cri-o"},
	{"libpod-", ".scope", "podman"},
};

/* A pod's UID from @c: "pod<uid>" with '-' or '_' between its groups. */
static bool pod_part(const char *c, size_t n, struct cg_ident *id)
{
	/* "pod<uid>" (cgroupfs), or "...-pod<uid>.slice" ("kubepods" holds "pod" too) */
	const char *u = has_prefix(c, n, "pod") ? c + 3 : memmem(c, n, "-pod", 4);

	if (!u)
		return false;
	if (u != c + 3)
		u += 4;
	if ((size_t)(c + n - u) < UID_LEN)
		return false;
	for (size_t i = 0; i < UID_LEN; i++) {
		char ch = u[i];

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (ch != '-' && ch != '_')
				return false;
			ch = '-';
		} else if (!all_hex(&ch, 1)) {
			return false;
		}
		id->pod_uid[i] = ch;
	}
	id->pod_uid[UID_LEN] = '\0';
	return true;
}

/* Component @c (@n bytes) of a path, after @prev ("" for the first). */
static void component(const char *c, size_t n, const char *prev, size_t prev_n, struct cg_ident *id)
{
	bool kube = has_prefix(c, n, "kubepods");

	for (size_t i = 0; i < sizeof(containers) / sizeof(containers[0]); i++)
		if (container_part(c, n, containers[i].prefix, containers[i].suffix, id)) {
			id->runtime = containers[i].runtime;
			return;
		}
	/* cgroupfs drivers: /docker/<id>, /kubepods/<qos>/pod<uid>/<id> */
	if (n == ID_LEN && container_part(c, n, "", "", id)) {
		id->runtime = prev_n == 6 && !memcmp(prev, "docker", 6) ? "docker" : NULL;
		return;
	}
	if ((kube || (has_prefix(c, n, "pod") && *id->pod_uid == '\0')) && pod_part(c, n, id)) {
		if (memmem(c, n, "burstable", 9) || (prev_n == 9 && !memcmp(prev, "burstable", 9)))
			id->qos = "burstable";
		else if (memmem(c, n, "besteffort", 10) ||
			 (prev_n == 10 && !memcmp(prev, "besteffort", 10)))
			id->qos = "besteffort";
		else
			id->qos = "guaranteed";
		return;
	}
	if ((has_suffix(c, n, ".service") || has_suffix(c, n, ".scope")) &&
	    !has_prefix(c, n, "libpod-conmon-") && !has_prefix(c, n, "crio-conmon-") &&
	    n < sizeof(id->unit)) {
		memcpy(id->unit, c, n);
		id->unit[n] = '\0';
	}
}

bool cg_ident_parse(const char *path, struct cg_ident *id)
{
	const char *prev = "", *c = path;
	size_t prev_n = 0;

	memset(id, 0, sizeof(*id));
	while (c && *c) {
		const char *end;
		size_t n;

		c += strspn(c, "/");
		end = strchrnul(c, '/');
		n = (size_t)(end - c);
		if (n)
			component(c, n, prev, prev_n, id);
		prev = c;
		prev_n = n;
		c = end;
	}
	if (id->container_id[0])
		id->unit[0] = '\0'; /* the container says more than its scope unit */
	return id->unit[0] || id->container_id[0] || id->pod_uid[0];
}

bool cg_ident_matches(const char *path, const char *name)
{
	struct cg_ident id;
	size_t n = strlen(name);

	if (!cg_ident_parse(path, &id))
		return false;
	if (id.unit[0] && !strcmp(id.unit, name))
		return true;
	return id.container_id[0] && n >= 12 && n <= ID_LEN && all_hex(name, n) &&
	       !strncmp(id.container_id, name, n);
}
