// SPDX-License-Identifier: GPL-2.0
/*
 * iowrite FILE MIB: write MIB mebibytes to FILE with O_DIRECT (1 MiB per write, so the
 * bytes reach the device as written), fsync, then unlink it. Prints "written BYTES".
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	const size_t chunk = 1 << 20;
	long mib = argc > 2 ? atol(argv[2]) : 16;
	void *buf;
	int fd;

	if (argc < 2 || posix_memalign(&buf, 4096, chunk))
		return 2;
	memset(buf, 0xab, chunk);
	wl_gate();
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	for (long i = 0; i < mib; i++) {
		if (write(fd, buf, chunk) != (ssize_t)chunk) {
			perror("write");
			return 1;
		}
	}
	fsync(fd);
	close(fd);
	unlink(argv[1]);
	printf("written %ld\n", mib * (long)chunk);
	return 0;
}
