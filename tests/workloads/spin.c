// SPDX-License-Identifier: GPL-2.0
/* spin MS: burn MS milliseconds of CPU time in user space, without syscalls. */
#include "wl_common.h"

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 500;

	wl_gate();
	wl_spin_cpu(ms / 1000.0);
	return 0;
}
