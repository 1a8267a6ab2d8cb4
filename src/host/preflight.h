/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Checks made before anything is loaded, so that the common mistakes end with one
 * clear line and nothing attached: privileges, BTF, a kernel new enough, the
 * target's existence, the cgroup v2 mount (found in /proc/self/mounts, never
 * assumed), and the command.
 * Each returns 0, or prints the reason and returns a negative errno.
 */
#ifndef PROCSCOPE_PREFLIGHT_H
#define PROCSCOPE_PREFLIGHT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

int preflight_privileges(void);
int preflight_btf(const char *btf_path);
/* The BPF features procscope cannot do without (task storage: Linux 5.11). */
int preflight_kernel(void);

/*
 * A cgroup hierarchy's mount point, from @mounts_path (normally /proc/self/mounts):
 * cgroup v1's with @controller among its options ("blkio"), or with @controller NULL,
 * the cgroup2 mount. -ENOENT if there is none.
 */
int cgroup_mount(const char *mounts_path, const char *controller, char *buf, size_t len);
#define cgroup2_mount(mounts_path, buf, len) cgroup_mount(mounts_path, NULL, buf, len)
/*
 * The directory of cgroup @id (its kernfs id: the directory's inode number) under the
 * hierarchy mounted at @mnt, as a path relative to it ("/system.slice/db.service"),
 * in @rel: 0, or -ENOENT.
 */
int cgroup_find(const char *mnt, uint64_t id, char *rel, size_t len);

struct cgroup_target {
	char path[4096]; /* absolute path of the cgroup directory */
	uint64_t id;	 /* kernfs id, as BPF sees it */
	uint32_t level;	 /* depth below the root cgroup */
};
int resolve_cgroup(const char *arg, struct cgroup_target *out);

/* The thread group id of @pid, or -ESRCH with a message. */
int preflight_pid(int pid, int *tgid);

/*
 * Resolve a command as execvp(3) would, into @resolved (may be NULL): the launched
 * command is then exec'd once, by its path, so that the workflow's accounting does not
 * start with one failed execve per PATH directory. -ENOENT / -EACCES with a message.
 */
int preflight_command(const char *file, char *resolved, size_t len);

#endif
