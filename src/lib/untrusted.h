// SPDX-License-Identifier: GPL-2.0
/*
 * Files a profiled process can choose or plant -- its perf map, its debug links, the
 * paths in its own root -- opened by root without trusting them.
 */
#ifndef PROCSCOPE_UNTRUSTED_H
#define PROCSCOPE_UNTRUSTED_H

#include <stdint.h>
#include <sys/types.h>

#define UNTRUSTED_NOFOLLOW 0x1 /* the last component may not be a symlink */
#define UNTRUSTED_ANY_OWNER ((uid_t)-1)

/*
 * Opens @path for reading: a regular file only (never a device, a FIFO or a socket,
 * and the open itself never blocks or opens one), owned by @owner or root (unless
 * UNTRUSTED_ANY_OWNER). @root: a directory the path resolves within, as the process
 * sees its own root -- its absolute symlinks and ".." stay inside (openat2's
 * RESOLVE_IN_ROOT) -- or AT_FDCWD for our own view. A descriptor, or -errno: -EINVAL
 * for a file of another kind, -EPERM for another user's, -ELOOP for a symlink refused.
 */
int open_untrusted(int root, const char *path, unsigned int flags, uid_t owner);

/* The size of the regular file open as @fd, or -1. */
int64_t file_size(int fd);

#endif
