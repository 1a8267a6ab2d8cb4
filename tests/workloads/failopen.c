// SPDX-License-Identifier: GPL-2.0
/* failopen N: N openat calls on a path that does not exist (ENOENT each time). */
#include <fcntl.h>
#include <sys/syscall.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100;

	wl_gate();
	for (long i = 0; i < n; i++)
		syscall(SYS_openat, AT_FDCWD, "/nonexistent/procscope-test", O_RDONLY);
	return 0;
}
