// SPDX-License-Identifier: GPL-2.0
/* Opening files a profiled process controls; see untrusted.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/untrusted.h"

int open_untrusted(int root, const char *path, unsigned int flags, uid_t owner)
{
	/*
	 * O_PATH first: a path, not an open file (a device's open would run its driver, a
	 * FIFO's would wait for a writer); then the very inode reopened for reading
	 */
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC | (flags & UNTRUSTED_NOFOLLOW ? O_NOFOLLOW : 0),
		.resolve = root == AT_FDCWD ? 0 : RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	char self[64];
	struct stat st;
	int pfd, fd, err;

	pfd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (pfd < 0 && errno == ENOSYS && root == AT_FDCWD)
		pfd = open(path, (int)how.flags);
	if (pfd < 0)
		return -errno;
	err = fstat(pfd, &st) ? -errno : 0;
	if (!err && S_ISLNK(st.st_mode))
		err = -ELOOP; /* O_PATH | O_NOFOLLOW opens the link itself */
	else if (!err && !S_ISREG(st.st_mode))
		err = -EINVAL;
	else if (!err && owner != UNTRUSTED_ANY_OWNER && st.st_uid != owner && st.st_uid != 0)
		err = -EPERM;
	if (err) {
		close(pfd);
		return err;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	err = fd < 0 ? -errno : 0;
	close(pfd);
	return fd < 0 ? err : fd;
}

int64_t file_size(int fd)
{
	struct stat st;

	return fstat(fd, &st) || !S_ISREG(st.st_mode) ? -1 : (int64_t)st.st_size;
}
