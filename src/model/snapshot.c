// SPDX-License-Identifier: GPL-2.0
/* The snapshot model: its release, and small questions about it (names of enums, exit codes,
 * times). */
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "lib/util.h"
#include "model/snapshot.h"

uint64_t proc_wall_ns(const struct process *p, const struct snapshot *s)
{
	if (p->folded)
		return p->lifetime_ns; /* an aggregate: its processes' lifetimes */
	uint64_t start = p->start_ns > s->start_ns ? p->start_ns : s->start_ns;
	uint64_t end = p->end_ns && p->end_ns < s->end_ns ? p->end_ns : s->end_ns;

	return end > start ? end - start : 0;
}

int proc_exit_code(const struct process *p)
{
	if (!(p->flags & PROC_F_EXITED))
		return -1;
	if (WIFSIGNALED(p->exit_status))
		return 128 + WTERMSIG(p->exit_status);
	return WEXITSTATUS(p->exit_status);
}

int proc_exit_signal(const struct process *p)
{
	if (!(p->flags & PROC_F_EXITED) || !WIFSIGNALED(p->exit_status))
		return 0;
	return WTERMSIG(p->exit_status);
}

uint64_t sched_blocked_ns(const struct sched_metrics *s)
{
	uint64_t t = 0;

	for (int i = 0; i < WC_N; i++)
		t += s->wait_ns[i];
	return t;
}

uint64_t io_total_bytes(const struct io_metrics *m)
{
	return m->bytes[IO_READ] + m->bytes[IO_WRITE] + m->bytes[IO_DISCARD] + m->bytes[IO_OTHER];
}

const char *wait_class_name(unsigned int wc)
{
	static const char *const names[WC_N] = {
		[WC_IO] = "io",	      [WC_NET] = "net",	   [WC_LOCK] = "lock",
		[WC_SLEEP] = "sleep", [WC_POLL] = "poll",  [WC_CHILD] = "child",
		[WC_OTHER] = "other", [WC_MEM] = "memory",
	};

	return wc < WC_N ? names[wc] : "?";
}

const char *blk_state_name(unsigned int b)
{
	static const char *const names[BLK_N] = {
		[BLK_INTERRUPTIBLE] = "interruptible",
		[BLK_UNINTERRUPTIBLE] = "uninterruptible",
		[BLK_IOWAIT] = "iowait",
	};

	return b < BLK_N ? names[b] : "?";
}

const char *io_op_name(unsigned int op)
{
	static const char *const names[IO_OP_N] = {
		[IO_READ] = "read",	  [IO_WRITE] = "write", [IO_FLUSH] = "flush",
		[IO_DISCARD] = "discard", [IO_OTHER] = "other",
	};

	return op < IO_OP_N ? names[op] : "?";
}

static void metrics_release(struct metrics *m)
{
	for (size_t i = 0; i < m->n_syscalls; i++)
		free(m->syscalls[i].h);
	free(m->syscalls);
	m->syscalls = NULL;
	m->n_syscalls = 0;
}

/* The process (the target's, or a peer) whose pid (or slot) is @v, or NULL. */
static const struct process *proc_find(const struct snapshot *s, bool by_slot, uint32_t v)
{
	for (size_t i = 0; i < s->n_procs + s->n_peers; i++) {
		const struct process *p = i < s->n_procs ? &s->procs[i] : &s->peers[i - s->n_procs];

		if ((by_slot ? p->slot : p->pid) == v)
			return p;
	}
	return NULL;
}

void snapshot_add_recalled(struct snapshot *s, const struct history *h)
{
	for (size_t i = 0; i < h->n_procs; i++) {
		const struct hproc *hp = &h->procs[i];
		const struct process *via = proc_find(s, false, hp->via);
		uint32_t hops = (via ? via->hops : 1) + hp->hops;
		struct process *p;

		if (proc_find(s, false, hp->pid))
			continue;
		s->peers = xrealloc(s->peers, (s->n_peers + 1) * sizeof(*s->peers));
		p = &s->peers[s->n_peers++];
		memset(p, 0, sizeof(*p));
		p->pid = hp->pid;
		p->slot = SLOT_NONE;
		p->flags = PROC_F_PEER | PROC_F_PRESENT;
		p->recalled = true;
		p->hops = hops;
		p->start_ns = hp->seen_ns;
		snprintf(p->comm, sizeof(p->comm), "%s", hp->comm[0] ? hp->comm : "?");
		p->cmdline = hp->cmdline ? xstrdup(hp->cmdline) : NULL;
	}
}

const struct process *snapshot_proc_of_slot(const struct snapshot *s, uint32_t slot)
{
	return slot == SLOT_NONE ? NULL : proc_find(s, true, slot); /* recalled peers: none */
}

void snapshot_release(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_procs; i++) {
		free(s->procs[i].cmdline);
		free(s->procs[i].cgroup);
		metrics_release(&s->procs[i].m);
	}
	free(s->procs);
	for (size_t i = 0; i < s->n_peers; i++) {
		free(s->peers[i].cmdline);
		free(s->peers[i].cgroup);
		metrics_release(&s->peers[i].m);
	}
	free(s->peers);
	for (size_t i = 0; i < s->n_devices; i++)
		free(s->devices[i].lat_h);
	free(s->devices);
	for (size_t i = 0; i < s->n_remotes; i++) {
		free(s->remotes[i].connect_h);
		free(s->remotes[i].rtt_h);
	}
	free(s->remotes);
	free(s->slow);
	metrics_release(&s->target);
	memset(s, 0, sizeof(*s));
}
