// SPDX-License-Identifier: GPL-2.0
/*
 * jitmap MS: JIT code of its own -- a counting loop copied into anonymous executable
 * memory at a fixed address (JIT_ADDR, so that a test can write its perf map line
 * before it runs) -- run for MS milliseconds of CPU. With WL_WAIT=1 it waits for
 * SIGUSR1 first (wl_common.h): the test plants /tmp/perf-PID.map meanwhile.
 */
#include <sys/mman.h>

#include "wl_common.h"

#define JIT_ADDR 0x3e0000000UL

int main(int argc, char **argv)
{
	/* mov %rdi,%rax; 1: sub $1,%rax; jnz 1b; ret */
	static const unsigned char code[] = {0x48, 0x89, 0xf8, 0x48, 0x83,
					     0xe8, 0x01, 0x75, 0xfa, 0xc3};
	double ms = argc > 1 ? atof(argv[1]) : 500, end;
	void (*loop)(long);
	void *p;

#ifndef __x86_64__
	fprintf(stderr, "jitmap: x86-64 only\n");
	return 2;
#endif
	p = mmap((void *)JIT_ADDR, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != (void *)JIT_ADDR) {
		perror("jitmap: mmap");
		return 1;
	}
	memcpy(p, code, sizeof(code));
	loop = (void (*)(long))p;
	wl_gate();
	end = wl_now(CLOCK_PROCESS_CPUTIME_ID) + ms / 1000.0;
	while (wl_now(CLOCK_PROCESS_CPUTIME_ID) < end)
		loop(1000000);
	return 0;
}
