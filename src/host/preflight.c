// SPDX-License-Identifier: GPL-2.0
/* Pre-flight checks; see preflight.h. */
#include <errno.h>
#include <dirent.h>
#include <ftw.h>
#include <stdbool.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "host/preflight.h"
#include "lib/cgident.h"
#include "lib/log.h"
#include "lib/util.h"

#ifndef CAP_PERFMON
#define CAP_PERFMON 38
#endif
#ifndef CAP_BPF
#define CAP_BPF 39
#endif

static int has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return !!(d[cap / 32].effective & (1U << (cap % 32)));
}

int preflight_privileges(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data)) {
		pr_error("cannot read capabilities: %s", strerror(errno));
		return -errno;
	}
	if (has_cap(data, CAP_SYS_ADMIN) || (has_cap(data, CAP_BPF) && has_cap(data, CAP_PERFMON)))
		return 0;
	pr_error("permission denied: loading BPF programs needs root (or CAP_BPF and CAP_PERFMON); "
		 "try 'sudo procscope ...'");
	return -EPERM;
}

int preflight_kernel(void)
{
	struct utsname u;
	int ret = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_TASK_STORAGE, NULL);

	if (ret == 1)
		return 0;
	if (uname(&u))
		snprintf(u.release, sizeof(u.release), "?");
	if (ret == 0)
		pr_error("this kernel (%s) is too old: procscope needs BPF task storage, in Linux "
			 "5.11 and newer",
			 u.release);
	else
		pr_error("cannot probe this kernel (%s) for BPF task storage: %s", u.release,
			 strerror(-ret));
	return -ENOTSUP;
}

int preflight_btf(const char *btf_path)
{
	const char *path = btf_path ? btf_path : "/sys/kernel/btf/vmlinux";

	if (access(path, R_OK) == 0)
		return 0;
	if (btf_path)
		pr_error("cannot read BTF file '%s': %s", path, strerror(errno));
	else
		pr_error("kernel has no BTF ('%s' is missing): procscope needs a kernel built with "
			 "CONFIG_DEBUG_INFO_BTF=y, or a BTF file given with '--btf'",
			 path);
	return -ENOENT;
}

/* Is @opt one of the comma-separated @opts? */
static bool has_option(const char *opts, const char *opt)
{
	size_t n = strlen(opt);

	for (const char *p = opts; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, opt, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

int cgroup_mount(const char *mounts_path, const char *controller, char *buf, size_t len)
{
	FILE *f = fopen(mounts_path, "re");
	char dev[256], dir[4096], type[64], opts[1024];
	int found = -ENOENT;

	if (!f)
		return -errno;
	while (fscanf(f, "%255s %4095s %63s %1023s %*[^\n]", dev, dir, type, opts) == 4) {
		if (controller ? !strcmp(type, "cgroup") && has_option(opts, controller)
			       : !strcmp(type, "cgroup2")) {
			snprintf(buf, len, "%s", dir);
			found = 0;
			break;
		}
	}
	fclose(f);
	return found;
}

static int find_ino(const char *dir, char *rel, size_t len, size_t at, uint64_t ino, int depth)
{
	DIR *d;
	struct dirent *e;
	int ret = -ENOENT;

	if (depth > 32 || !(d = opendir(dir)))
		return -ENOENT;
	while (ret && (e = readdir(d))) {
		char sub[4096];
		struct stat st;

		if ((e->d_type != DT_DIR && e->d_type != DT_UNKNOWN) || e->d_name[0] == '.')
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (stat(sub, &st) || !S_ISDIR(st.st_mode))
			continue;
		if (at + 1 + strlen(e->d_name) >= len)
			continue;
		snprintf(rel + at, len - at, "/%s", e->d_name);
		if (st.st_ino == ino)
			ret = 0;
		else
			ret = find_ino(sub, rel, len, at + 1 + strlen(e->d_name), ino, depth + 1);
	}
	closedir(d);
	return ret;
}

int cgroup_find(const char *mnt, uint64_t id, char *rel, size_t len)
{
	rel[0] = 0;
	return find_ino(mnt, rel, len, 0, id, 0);
}

#define CGROUP_WALK_MAX 65536 /* directories a search by name looks at */

static int is_cgroup2_dir(const char *path, struct stat *st)
{
	struct statfs sfs;

	if (stat(path, st) || !S_ISDIR(st->st_mode))
		return 0;
	return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

/* The walk of find_named(): one name, the outermost cgroup it names, how many others. */
static struct {
	const char *name;
	size_t mnt_len;
	char found[PATH_MAX];
	char other[PATH_MAX]; /* one that is not below found, for the message */
	unsigned int dirs;
} named;

static int named_visit(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	const char *rel = path + named.mnt_len;

	(void)st;
	(void)ftw;
	if (type != FTW_D)
		return 0;
	if (++named.dirs > CGROUP_WALK_MAX)
		return 1;
	if (!*rel || !cg_ident_matches(rel, named.name))
		return 0;
	if (!named.found[0]) {
		snprintf(named.found, sizeof(named.found), "%s", path);
	} else if (strncmp(path, named.found, strlen(named.found)) ||
		   path[strlen(named.found)] != '/') {
		/* not a sub-cgroup of the first (which -c traces anyway): another one */
		snprintf(named.other, sizeof(named.other), "%s", path);
	}
	return 0;
}

/*
 * The cgroup under @mnt that @name names: a systemd unit ("nginx.service") or a
 * container's id, whole or 12 digits at least (lib/cgident.h). Into @out; -ENOENT if
 * none does, -EEXIST (said) if two unrelated ones do.
 */
static int find_named(const char *mnt, const char *name, char *out, size_t len)
{
	memset(&named, 0, sizeof(named));
	named.name = name;
	named.mnt_len = strlen(mnt);
	if (strchr(name, '/') || nftw(mnt, named_visit, 16, FTW_PHYS) < 0 || !named.found[0])
		return -ENOENT;
	if (named.other[0]) {
		pr_error("'%s' names more than one cgroup: '%s' and '%s'", name,
			 named.found + named.mnt_len, named.other + named.mnt_len);
		return -EEXIST;
	}
	snprintf(out, len, "%s", named.found);
	return 0;
}

int resolve_cgroup(const char *arg, struct cgroup_target *out)
{
	char mnt[4096], cand[8192], real[PATH_MAX], realmnt[PATH_MAX];
	struct stat st;
	const char *p;
	int err;

	err = cgroup2_mount("/proc/self/mounts", mnt, sizeof(mnt));
	if (err) {
		pr_error("no cgroup v2 hierarchy is mounted (no 'cgroup2' line in "
			 "/proc/self/mounts)");
		return -ENOENT;
	}
	/* as given (absolute or relative to the cwd), else relative to the cgroup2 mount */
	snprintf(cand, sizeof(cand), "%s", arg);
	if (!is_cgroup2_dir(cand, &st)) {
		snprintf(cand, sizeof(cand), "%s/%s", mnt, arg[0] == '/' ? arg + 1 : arg);
		/* else a unit or a container, by name */
		if (!is_cgroup2_dir(cand, &st) &&
		    ((err = find_named(mnt, arg, cand, sizeof(cand))) ||
		     !is_cgroup2_dir(cand, &st))) {
			if (err != -EEXIST)
				pr_error("'%s' is not a cgroup v2 directory, a systemd unit or a "
					 "container id (cgroup2 is mounted at '%s')",
					 arg, mnt);
			return -ENOENT;
		}
	}
	if (!realpath(cand, real) || !realpath(mnt, realmnt)) {
		pr_error("cannot resolve cgroup '%s': %s", arg, strerror(errno));
		return -errno;
	}
	snprintf(out->path, sizeof(out->path), "%s", real);
	out->id = st.st_ino; /* kernfs: the inode number is the cgroup id */
	out->level = 0;
	p = real + strlen(realmnt);
	for (; *p; p++)
		if (*p == '/' && p[1])
			out->level++;
	return 0;
}

int preflight_pid(int pid, int *tgid)
{
	char path[64], buf[4096], *line;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if (read_file(path, buf, sizeof(buf)) < 0) {
		pr_error("no process with pid '%d'", pid);
		return -ESRCH;
	}
	line = strstr(buf, "\nTgid:");
	*tgid = line ? atoi(line + 6) : pid;
	if (*tgid != pid)
		pr_warn("pid '%d' is a thread of process %d: tracing the whole process", pid,
			*tgid);
	return 0;
}

static int check_file(const char *path)
{
	struct stat st;

	if (stat(path, &st))
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EACCES;
	return access(path, X_OK) ? -errno : 0;
}

int preflight_command(const char *file, char *resolved, size_t len)
{
	const char *path, *p;
	char cand[PATH_MAX];
	int err = -ENOENT;

	if (!*file) {
		pr_error("cannot execute '': empty command name");
		return -ENOENT;
	}
	if (strchr(file, '/')) {
		err = check_file(file);
		if (!err && resolved)
			snprintf(resolved, len, "%s", file);
		goto out;
	}
	path = getenv("PATH");
	if (!path)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p = strchr(p, ':') + 1) {
		size_t n = strcspn(p, ":");
		int e;

		snprintf(cand, sizeof(cand), "%.*s%s%s", (int)n, n ? p : ".", "/", file);
		e = check_file(cand);
		if (e == 0) {
			if (resolved)
				snprintf(resolved, len, "%s", cand);
			return 0;
		}
		if (e == -EACCES)
			err = e; /* as execvp: remember a permission problem, keep looking */
		if (!p[n])
			break;
	}
out:
	if (err)
		pr_error("cannot execute '%s': %s", file,
			 err == -ENOENT && !strchr(file, '/') ? "command not found"
							      : strerror(-err));
	return err;
}
