/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Launching the command to trace without missing an event: the child is forked
 * first and waits on a pipe; procscope puts its pid in the target, attaches every
 * program, and only then lets it exec. A second, close-on-exec pipe carries back
 * the errno of a failed exec.
 */
#ifndef PROCSCOPE_LAUNCH_H
#define PROCSCOPE_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

struct launch {
	pid_t pid;
	int go_fd;  /* write end: closing it lets the child exec */
	int err_fd; /* read end: errno of a failed exec, EOF on success */
	bool reaped;
	int status; /* wait(2) status once reaped */
};

/*
 * Fork the child; it restores @child_mask and waits, then execs @path (already
 * resolved: preflight_command()) with @argv. -errno on failure.
 */
int launch__start(struct launch *l, const char *path, char **argv);
/* Let the child exec; 0 once it has, -errno if exec failed (the child is reaped). */
int launch__release(struct launch *l);
/* Reap the child if it has exited (non-blocking unless @block). 1 if reaped. */
int launch__reap(struct launch *l, bool block);
/* Exit status as a shell reports it: code, or 128+signal. */
int launch__exit_code(const struct launch *l);
/* The status of a command that could not be executed (-errno): 127 not found, else 126. */
int launch_exec_status(int err);
/* Kill and reap a child that was never released (setup failed); no-op otherwise. */
void launch__abort(struct launch *l);

#endif
