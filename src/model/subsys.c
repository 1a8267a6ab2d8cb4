// SPDX-License-Identifier: GPL-2.0
/* The subsystem registry; see subsys.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/subsys.h"
#include "lib/util.h"

static const struct subsys_prog core_progs[] = {
	{"core_fork"},
	{"core_exec"},
	{"core_exit"},
	{"core_rename"},
	/* open scheduler intervals and fault counters of live threads, at every report */
	{"core_tasks", SUB_SCHED | SUB_MEM, NULL, NULL,
	 "time and faults of threads still running are counted only once they switch or exit"},
	/* at attach: the descriptors of threads blocked in poll or select since before */
	{"core_waits", SUB_SCHED, NULL, NULL,
	 "threads blocked in poll or select since before attach count as poll waits, even on "
	 "a socket"},
	/* at attach, with peers: every task's state then, for the recent past */
	{"core_seeds", SUB_SCHED, NULL, NULL,
	 "what a peer was doing at attach is known only from its first record still in the "
	 "recent past (before it, unknown time on the path)"},
	{NULL},
};

static const struct subsys_prog sched_progs[] = {
	/* also hands the per-CPU syscall cache from task to task */
	{"sched_switch", SUB_SYSCALLS},
	{"sched_waking"},
	{"sched_wake_new"},
	{NULL},
};

static const struct subsys_prog syscalls_progs[] = {
	{"syscalls_enter"},
	{"syscalls_exit"},
	{NULL},
};

static const struct subsys_prog io_progs[] = {
	{"io_start", 0, "block_io_start", "6.5",
	 "requests are attributed by the bio that made them (block_getrq)"},
	/* before 6.5: the bio a request is made for, in its submitter's context */
	{"io_getrq", .instead_of = "io_start"},
	{"io_insert"},
	{"io_issue"},
	{"io_done"},
	/* bios that join a request: whose they are, when the request is another's */
	{"io_merge_back", 0, NULL, NULL,
	 "IO merged into another process's request counts as that process's"},
	{"io_merge_front", 0, NULL, NULL,
	 "IO merged into another process's request counts as that process's"},
	{"io_rq_merge", 0, NULL, NULL,
	 "IO merged into another process's request counts as that process's"},
	{"io_dirty", 0, "writeback_dirty_folio", "5.17",
	 "writeback is not attributed to the process that dirtied the pages"},
	{"io_wb_begin", 0, "writeback_single_inode_start", "2.6.37",
	 "writeback is not attributed to the process that dirtied the pages"},
	{"io_wb_end", 0, "writeback_single_inode", "2.6.37",
	 "writeback is not attributed to the process that dirtied the pages"},
	{NULL},
};

static const struct subsys_prog net_progs[] = {
	{"net_state"},
	{"net_probe"},
	{"net_retrans"},
	{"net_send", 0, "sock_send_length", "6.3",
	 "TCP bytes sent are counted when a connection closes; UDP bytes sent are not counted"},
	{"net_recv", 0, "sock_recv_length", "6.3",
	 "TCP bytes received are counted when a connection closes; UDP bytes received are not "
	 "counted"},
	{NULL},
};

static const struct subsys_prog mem_progs[] = {
	/* older kernels' mark_victim passes a pid, not the task: then refused, and only it */
	{"mem_oom", 0, NULL, NULL, "OOM kills are not reported"},
	{"mem_dr_begin"},
	{"mem_dr_end"},
	{"mem_cg_begin"},
	{"mem_cg_end"},
	{"mem_throttled", 0, "mm_vmscan_throttled", "5.16",
	 "reclaim's throttled time is not told apart"},
	/* kernels built without CONFIG_COMPACTION have neither */
	{"mem_compact_begin", 0, "mm_compaction_begin", "2.6.35",
	 "compaction stalls are not timed"},
	{"mem_compact_end", 0, "mm_compaction_end", "2.6.35", "compaction stalls are not timed"},
	{"mem_evict"},
	{"mem_cache_add"},
	{NULL},
};

static const struct subsys_prog profile_progs[] = {
	{"profile_sample"},
	{NULL},
};

static const struct subsys_prog no_progs[] = {
	{NULL},
};

const struct subsys_desc subsystems[] = {
	{"core", 0, true, NULL, NULL, 0, core_progs},
	{"sched", SUB_SCHED, true, "No scheduler tracing (on-CPU, run queue, blocked)", NULL, 0,
	 sched_progs},
	{"syscalls", SUB_SYSCALLS, true, "No syscall tracing", NULL, 0, syscalls_progs},
	{"io", SUB_IO, true, "No block IO tracing", "io_", 0, io_progs},
	{"net", SUB_NET, true, "No TCP and socket tracing", "net_", 0, net_progs},
	{"mem", SUB_MEM, true, "No memory accounting (faults, RSS, OOM kills, reclaim, refaults)",
	 "mem_", 0, mem_progs},
	{"profile", SUB_PROFILE, true, "No on-CPU stack sampling", NULL, 0, profile_progs},
	/* sched_switch takes the stacks: no programs of its own */
	{"offcpu", SUB_OFFCPU, false,
	 "Also off-CPU stacks: where target tasks block, and for how long (~1us per block)", NULL,
	 SUB_SCHED, no_progs},
	{NULL},
};

const char *subsys_name(unsigned int bit)
{
	for (const struct subsys_desc *d = subsystems; d->name; d++)
		if (d->bit && d->bit == bit)
			return d->name;
	return "?";
}

const char *subsys_list(void)
{
	static char buf[256];

	if (!buf[0])
		for (const struct subsys_desc *d = subsystems; d->name; d++)
			if (d->bit)
				snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s",
					 buf[0] ? ", " : "", d->name);
	return buf;
}

int subsys_parse(const char *list, unsigned int *mask, char *bad, size_t bad_len)
{
	char *copy = xstrdup(list), *save = NULL, *tok;
	int err = 0;

	*mask = 0;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		const struct subsys_desc *d;

		for (d = subsystems; d->name; d++)
			if (d->bit && strcmp(tok, d->name) == 0)
				break;
		if (!d->name) {
			snprintf(bad, bad_len, "%s", tok);
			err = -1;
			break;
		}
		*mask |= d->bit;
	}
	if (!err && !*mask) {
		snprintf(bad, bad_len, "%s", list);
		err = -1;
	}
	free(copy);
	return err;
}

bool subsys_prog_wanted(const struct subsys_desc *d, const struct subsys_prog *p, unsigned int mask)
{
	if (p->also)
		return (mask & (d->bit | p->also)) != 0;
	return !d->bit || (mask & d->bit);
}

const struct subsys_desc *subsys_of_prog(const char *name, const struct subsys_prog **prog)
{
	for (const struct subsys_desc *d = subsystems; d->name; d++)
		for (const struct subsys_prog *p = d->progs; p->name; p++)
			if (strcmp(p->name, name) == 0) {
				if (prog)
					*prog = p;
				return d;
			}
	return NULL;
}
