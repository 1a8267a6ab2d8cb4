// SPDX-License-Identifier: GPL-2.0
/* Signals held from the start (signals.h). */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/signalfd.h>

#include "app/signals.h"

static const int stop_signals[] = {SIGINT, SIGTERM, SIGHUP};
static sigset_t orig_mask;
static struct sigaction orig_pipe;

static void held_set(sigset_t *set)
{
	sigemptyset(set);
	for (unsigned int i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		sigaddset(set, stop_signals[i]);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGUSR1);
}

void signals_hold(void)
{
	struct sigaction ign = {.sa_handler = SIG_IGN};
	sigset_t set;

	held_set(&set);
	sigprocmask(SIG_BLOCK, &set, &orig_mask);
	/* write errors come back as EPIPE, reported like any other */
	sigaction(SIGPIPE, &ign, &orig_pipe);
}

int signals_fd(void)
{
	sigset_t set;
	int fd;

	held_set(&set);
	fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

int signals_stop_pending(bool hup_stops)
{
	sigset_t pending;

	if (sigpending(&pending))
		return 0;
	for (unsigned int i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if ((hup_stops || stop_signals[i] != SIGHUP) &&
		    sigismember(&pending, stop_signals[i]) == 1)
			return stop_signals[i];
	return 0;
}

const sigset_t *signals_orig_mask(void)
{
	return &orig_mask;
}

void signals_restore_inherited(void)
{
	sigaction(SIGPIPE, &orig_pipe, NULL);
	sigprocmask(SIG_SETMASK, &orig_mask, NULL);
}
