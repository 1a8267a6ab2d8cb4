// SPDX-License-Identifier: GPL-2.0
/*
 * randread FILE PASSES BLOCKS: read BLOCKS 4 KiB blocks of FILE at pseudo-random
 * offsets (the same sequence each pass, no readahead: POSIX_FADV_RANDOM), PASSES times
 * -- a lookup-heavy reader, as a database or an index is. Prints "read BYTES".
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	long passes = argc > 2 ? atol(argv[2]) : 3, blocks = argc > 3 ? atol(argv[3]) : 4096;
	char buf[4096];
	unsigned long long total = 0;
	struct stat st;
	long nblk;
	int fd;

	if (argc < 2)
		return 2;
	wl_gate();
	fd = open(argv[1], O_RDONLY);
	if (fd < 0 || fstat(fd, &st) || st.st_size < (off_t)sizeof(buf)) {
		perror(argv[1]);
		return 1;
	}
	posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM);
	nblk = st.st_size / (off_t)sizeof(buf);
	for (long p = 0; p < passes; p++) {
		unsigned long long x =
			88172645463325252ULL; /* xorshift: the same blocks each pass */

		for (long i = 0; i < blocks; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			if (pread(fd, buf, sizeof(buf),
				  (off_t)(x % (unsigned long long)nblk) * (off_t)sizeof(buf)) !=
			    (ssize_t)sizeof(buf)) {
				perror("pread");
				return 1;
			}
			total += sizeof(buf);
		}
	}
	printf("read %llu\n", total);
	return 0;
}
