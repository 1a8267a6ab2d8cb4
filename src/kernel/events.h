/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The records of the kernel's event ring, decoded for the run: exec records go to the
 * process tree (command lines), closed connections to the connection log, and what the
 * run's policies act on -- a program exec'd, a process exited, a process has its first
 * stack or an address the unwinder could not place -- comes back as a struct
 * proc_event, without the kernel's record layout.
 */
#ifndef PROCSCOPE_EVENTS_H
#define PROCSCOPE_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/conn_log.h"
#include "kernel/proctree.h"
#include "kernel/session.h"

enum proc_event_kind {
	PE_NONE = 0,  /* nothing for the run's policies */
	PE_EXEC,      /* it exec'd a new program */
	PE_EXIT,      /* it exited */
	PE_STACKS,    /* its first stack: its mappings are wanted */
	PE_MAPS,      /* the unwinder met an address in none of its known mappings */
	PE_CONN,      /* a TCP connection closed (in the log now) */
	PE_FIRST_SEEN /* a process running before attach, seen for the first time */
};

struct proc_event {
	enum proc_event_kind kind;
	uint32_t slot, pid;
	uint64_t ts_ns;	 /* when the kernel wrote it */
	bool has_stacks; /* PE_EXIT: it had stacks (a JIT's names are wanted now) */
	uint32_t agg;	 /* PE_EXIT: the kernel folded it into the aggregate in this slot */
};

/* Decode record @data (@len bytes) of @s's ring into @tree, @conns and @out. */
void events_decode(struct session *s, struct proctree *tree, struct conn_log *conns,
		   const void *data, size_t len, struct proc_event *out);

#endif
