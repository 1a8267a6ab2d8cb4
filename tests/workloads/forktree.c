// SPDX-License-Identifier: GPL-2.0
/*
 * forktree: parent -> child -> grandchild. The parent makes 100 getppid calls, the
 * child 200, the grandchild 300; each waits for its child. Exit status 0.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include "wl_common.h"

static void calls(int n)
{
	for (int i = 0; i < n; i++)
		syscall(SYS_getppid);
}

int main(void)
{
	pid_t child;

	wl_gate();
	calls(100);
	child = fork();
	if (child == 0) {
		pid_t grandchild = fork();

		if (grandchild == 0) {
			calls(300);
			usleep(20000);
			_exit(0);
		}
		calls(200);
		waitpid(grandchild, NULL, 0);
		_exit(0);
	}
	waitpid(child, NULL, 0);
	return 0;
}
