// SPDX-License-Identifier: GPL-2.0
/* The launched command's lifecycle; see launch.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/launch.h"
#include "app/signals.h"
#include "lib/log.h"

int launch_exec_status(int err)
{
	return err == -ENOENT ? 127 : 126;
}

/* In the child: exec @path as execvp(3) would, a script without "#!" by the shell. */
static void exec_command(const char *path, char **argv)
{
	int argc = 0;
	char **sh;

	execv(path, argv);
	if (errno != ENOEXEC)
		return;
	while (argv[argc])
		argc++;
	sh = calloc((size_t)argc + 2, sizeof(*sh));
	if (!sh)
		return;
	sh[0] = "sh";
	sh[1] = (char *)path;
	for (int i = 1; i < argc; i++)
		sh[i + 1] = argv[i];
	execv("/bin/sh", sh);
	errno = ENOEXEC;
}

int launch__start(struct launch *l, const char *path, char **argv)
{
	int go[2], err[2];
	pid_t pid;

	memset(l, 0, sizeof(*l));
	l->go_fd = l->err_fd = -1;
	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(err, O_CLOEXEC)) {
		int e = -errno;

		close(go[0]);
		close(go[1]);
		return e;
	}
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(go[0]);
		close(go[1]);
		close(err[0]);
		close(err[1]);
		return e;
	}
	if (pid == 0) {
		char c = 0;
		ssize_t n;
		int e;

		close(go[1]);
		close(err[0]);
		/* what we were given: an ignored SIGINT (nohup, &) stays ignored */
		signals_restore_inherited();
		/*
		 * One byte: procscope is attached; EOF alone: it gave up, do not run untraced.
		 * Nothing but the exec follows the read (go[0] is close-on-exec): the
		 * workflow's accounting starts with its own execve.
		 */
		do
			n = read(go[0], &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1)
			_exit(127);
		exec_command(path, argv);
		e = errno;
		while (write(err[1], &e, sizeof(e)) < 0 && errno == EINTR)
			;
		_exit(launch_exec_status(-e));
	}
	close(go[0]);
	close(err[1]);
	l->pid = pid;
	l->go_fd = go[1];
	l->err_fd = err[0];
	return 0;
}

int launch__release(struct launch *l)
{
	int e = 0;
	ssize_t n;

	do
		n = write(l->go_fd, "g", 1);
	while (n < 0 && errno == EINTR);
	close(l->go_fd);
	l->go_fd = -1;
	do
		n = read(l->err_fd, &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(l->err_fd);
	l->err_fd = -1;
	if (n == (ssize_t)sizeof(e)) {
		launch__reap(l, true);
		return -e;
	}
	return 0;
}

int launch__reap(struct launch *l, bool block)
{
	int status;
	pid_t r;

	if (l->reaped || l->pid <= 0)
		return l->reaped;
	do
		r = waitpid(l->pid, &status, block ? 0 : WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == l->pid) {
		l->reaped = true;
		l->status = status;
		return 1;
	}
	return 0;
}

int launch__exit_code(const struct launch *l)
{
	if (!l->reaped)
		return 0;
	if (WIFEXITED(l->status))
		return WEXITSTATUS(l->status);
	if (WIFSIGNALED(l->status))
		return 128 + WTERMSIG(l->status);
	return 1;
}

void launch__abort(struct launch *l)
{
	if (l->pid <= 0 || l->reaped || l->go_fd < 0)
		return; /* none, gone, or released: a released command is the user's */
	kill(l->pid, SIGKILL);
	if (l->go_fd >= 0)
		close(l->go_fd);
	if (l->err_fd >= 0)
		close(l->err_fd);
	l->go_fd = l->err_fd = -1;
	launch__reap(l, true);
}
