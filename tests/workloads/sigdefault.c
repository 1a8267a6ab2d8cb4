// SPDX-License-Identifier: GPL-2.0
/*
 * sigdefault PROGRAM [ARG...]: execute PROGRAM with every signal at its default
 * disposition and none blocked, as a terminal starts it. Test runners started by
 * nohup or '&' inherit SIGINT ignored, which a shell cannot undo.
 */
#include "wl_common.h"

int main(int argc, char **argv)
{
	sigset_t none;

	if (argc < 2)
		return 2;
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
