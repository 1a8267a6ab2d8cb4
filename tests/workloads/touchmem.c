// SPDX-License-Identifier: GPL-2.0
/*
 * touchmem MIB [HOLD_MS]: map MIB mebibytes of fresh anonymous memory (no huge pages,
 * so each 4 KiB page faults once), write to every page, hold it HOLD_MS, exit.
 * Prints "pages N".
 */
#include <sys/mman.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 64;
	long hold_ms = argc > 2 ? atol(argv[2]) : 0;
	long page = sysconf(_SC_PAGESIZE), pages = mib * (1L << 20) / page;
	char *p;

	wl_gate();
	p = mmap(NULL, (size_t)mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		 0);
	if (p == MAP_FAILED)
		return 1;
	madvise(p, (size_t)mib << 20, MADV_NOHUGEPAGE);
	for (long i = 0; i < pages; i++)
		p[i * page] = 1;
	printf("pages %ld\n", pages);
	fflush(stdout);
	if (hold_ms)
		usleep((useconds_t)hold_ms * 1000);
	return 0;
}
