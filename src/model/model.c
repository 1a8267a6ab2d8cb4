// SPDX-License-Identifier: GPL-2.0
/* Small questions about the snapshot model: names of enums, exit codes, times, addresses. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "model/snapshot.h"

uint64_t proc_wall_ns(const struct proc_info *p, const struct snapshot *s)
{
	if (p->folded)
		return p->lifetime_ns; /* an aggregate: its processes' lifetimes */
	uint64_t start = p->start_ns > s->start_ns ? p->start_ns : s->start_ns;
	uint64_t end = p->end_ns && p->end_ns < s->end_ns ? p->end_ns : s->end_ns;

	return end > start ? end - start : 0;
}

int proc_exit_code(const struct proc_info *p)
{
	if (!(p->flags & PROC_F_EXITED))
		return -1;
	if (WIFSIGNALED(p->exit_status))
		return 128 + WTERMSIG(p->exit_status);
	return WEXITSTATUS(p->exit_status);
}

int proc_exit_signal(const struct proc_info *p)
{
	if (!(p->flags & PROC_F_EXITED) || !WIFSIGNALED(p->exit_status))
		return 0;
	return WTERMSIG(p->exit_status);
}

uint64_t sched_blocked_ns(const struct proc_sched *s)
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
		[WC_IO] = "io",	      [WC_NET] = "net",	  [WC_LOCK] = "lock",
		[WC_SLEEP] = "sleep", [WC_POLL] = "poll", [WC_CHILD] = "child",
		[WC_OTHER] = "other",
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

void format_remote(const struct net_remote_key *k, char *buf, size_t len)
{
	static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char a[INET6_ADDRSTRLEN];

	if (!memcmp(k->addr, v4mapped, sizeof(v4mapped))) {
		inet_ntop(AF_INET, k->addr + 12, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, k->port);
	} else {
		inet_ntop(AF_INET6, k->addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, k->port);
	}
}
