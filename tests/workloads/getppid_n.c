// SPDX-License-Identifier: GPL-2.0
/* getppid_n N: exactly N getppid syscalls (through syscall(2): no libc caching). */
#include <sys/syscall.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000;

	wl_gate();
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	return 0;
}
