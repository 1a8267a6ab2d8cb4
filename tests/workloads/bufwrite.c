// SPDX-License-Identifier: GPL-2.0
/*
 * bufwrite FILE MIB: buffered writes of MIB mebibytes to FILE, then exit without
 * fsync: the kernel's flusher threads write the pages back later.
 */
#include <fcntl.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	long mib = argc > 2 ? atol(argv[2]) : 16;
	int fd;

	if (argc < 2)
		return 2;
	memset(buf, 0x5a, sizeof(buf));
	wl_gate();
	fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		perror("open");
		return 1;
	}
	for (long i = 0; i < mib * 16; i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 1;
	close(fd);
	return 0;
}
