// SPDX-License-Identifier: GPL-2.0
/*
 * pending SIGNO PROGRAM [ARG...]: execute PROGRAM with SIGNO blocked and already
 * pending, as if it had arrived before PROGRAM's first instruction (the mask and the
 * pending signal survive execve).
 */
#include "wl_common.h"

int main(int argc, char **argv)
{
	sigset_t set;
	int sig;

	if (argc < 3)
		return 2;
	sig = atoi(argv[1]);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(sig);
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 127;
}
