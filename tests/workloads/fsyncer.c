// SPDX-License-Identifier: GPL-2.0
/*
 * fsyncer FILE N [KIB [direct]]: N times, append KIB KiB (default 4) to FILE and fsync
 * it: the pattern of a database commit log, where every commit waits for the device.
 * "direct" writes with O_DIRECT (as databases that manage their own cache do), so
 * each write is a request of this process. Unlinks FILE at the end; prints
 * "fsyncs N".
 */
#include <fcntl.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[2]) : 100;
	size_t len = (size_t)(argc > 3 ? atoi(argv[3]) : 4) * 1024;
	bool direct = argc > 4 && !strcmp(argv[4], "direct");
	void *buf;
	int fd;

	if (argc < 2 || !len || posix_memalign(&buf, 4096, len))
		return 2;
	memset(buf, 'x', len);
	wl_gate();
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | (direct ? O_DIRECT : O_APPEND), 0600);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	for (int i = 0; i < n; i++) {
		if (write(fd, buf, len) != (ssize_t)len || fsync(fd)) {
			perror("write/fsync");
			return 1;
		}
	}
	close(fd);
	unlink(argv[1]);
	printf("fsyncs %d\n", n);
	return 0;
}
