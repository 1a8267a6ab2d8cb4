/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The signals procscope acts on (SIGINT, SIGTERM to stop, SIGHUP to stop a command's run
 * or reload a monitor's alert rules, SIGCHLD to reap, SIGUSR1 to dump the flight
 * recorder) are
 * blocked from main's first line and read through a signalfd, so none is lost however
 * early it comes or however it was inherited (a blocked signal is queued even when its
 * disposition is SIG_IGN). Programs we start get back what we were given.
 */
#ifndef PROCSCOPE_SIGNALS_H
#define PROCSCOPE_SIGNALS_H

#include <signal.h>
#include <stdbool.h>

/* Block the signals above and ignore SIGPIPE; the first thing main does. */
void signals_hold(void);
/* A signalfd reading the held signals, or -errno. */
int signals_fd(void);
/*
 * A stop signal waiting to be read (SIGINT before SIGTERM before SIGHUP, if
 * @hup_stops), or 0.
 */
int signals_stop_pending(bool hup_stops);
/* The mask we were started with: what programs we start get. */
const sigset_t *signals_orig_mask(void);
/* In a forked child before exec: the mask and SIGPIPE as we were given them. */
void signals_restore_inherited(void);

#endif
