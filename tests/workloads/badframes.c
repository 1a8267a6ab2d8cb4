// SPDX-License-Identifier: GPL-2.0
/*
 * badframes SECONDS: burn SECONDS of CPU in badframes_leaf(), called from code that
 * keeps a data pointer in rbp, as code built without frame pointers may (x86-64).
 * A frame-pointer walk from the leaf goes through badframes_caller, then reads a
 * "frame" from data: its return address is in the data segment, and its next frame
 * is itself, so a walker that does not check would repeat that address to its depth
 * limit. Prints "done".
 */
#include "wl_common.h"

volatile unsigned long badframes_sink;
/* the bogus frame: { next frame (itself), return address (data) } */
unsigned long badframes_frame[2];

__attribute__((noinline)) void badframes_leaf(void)
{
	wl_spin_cpu(0.05);
	badframes_sink++;
}

#if defined(__x86_64__)
/* badframes_caller(): rbp = the bogus frame, then call the leaf; rbp restored */
__asm__(".text\n"
	".globl badframes_caller\n"
	".type badframes_caller, @function\n"
	"badframes_caller:\n"
	"	push %rbp\n"
	"	lea badframes_frame(%rip), %rbp\n"
	"	call badframes_leaf\n"
	"	pop %rbp\n"
	"	ret\n"
	".size badframes_caller, .-badframes_caller\n");
void badframes_caller(void);
#else
static void badframes_caller(void)
{
	badframes_leaf();
}
#endif

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 1, t0 = wl_now(CLOCK_MONOTONIC);

	badframes_frame[0] = (unsigned long)badframes_frame;
	badframes_frame[1] = (unsigned long)&badframes_sink;
	while (wl_now(CLOCK_MONOTONIC) - t0 < secs)
		badframes_caller();
	printf("done\n");
	return 0;
}
