// SPDX-License-Identifier: GPL-2.0
/*
 * The host's recent past (core_past; include/core_abi.h, struct past_rec): every
 * context switch and wake-up on each CPU, in rings the kernel writes and this reads in
 * place. When a process outside the target ends a target's wait and becomes a peer, it
 * was not followed during that wait: what it did then is read back from here, into the
 * history, before the rings turn over (its record wakes the loop at once). The rings
 * are mapped only for that read: mapped all along, their megabytes would count in our
 * RSS from the start, in every run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "kernel/session_priv.h"
#include "lib/log.h"
#include "lib/syscall_table.h"
#include "lib/util.h"
#include "procscope.skel.h"

/* The rings' memory, all CPUs together, at most (records per CPU: a power of two). */
#define PAST_BYTES_MAX (16U << 20)

void past__configure(struct session *s, unsigned int depth)
{
	struct procscope_bpf *skel = s->skel;
	uint32_t cpus = s->ncpus > 0 ? (uint32_t)s->ncpus : 1, per = PAST_PER_CPU_MAX;

	while (per > 256 && (uint64_t)per * cpus * sizeof(struct past_rec) > PAST_BYTES_MAX)
		per >>= 1;
	skel->rodata->cfg_past_mask = per - 1;
	bpf_map__set_max_entries(skel->maps.core_past, per * cpus);
	s->past_cap = (size_t)per * cpus;
	s->past_depth = depth;
	syscall_wait_classes(s->wait_class_of, SYSCALL_NR_MAX);
}

/* The class of a wait that began with @r (a switch into a block). */
static uint8_t past_class(const struct session *s, const struct past_rec *r)
{
	uint8_t c;

	if (r->state == PAST_IOWAIT)
		return WC_IO;
	if (r->nr >= SYSCALL_NR_MAX)
		return WC_OTHER; /* a fault, or no syscall */
	c = s->wait_class_of[r->nr];
	if (c < WC_N)
		return c;
	/* a descriptor's kind is not in the past: pipes, sockets, files alike; a poll on
	 * sockets too is a wait for events */
	return c == SYSCALL_CLASS_FD ? WC_OTHER : WC_POLL;
}

/* One record whole (its ts the same before and after its fields), decoded; false if not. */
static bool past_read(const struct session *s, const volatile struct past_rec *r, struct past_ev *e)
{
	uint64_t ts = r->ts;
	struct past_rec copy;

	if (!ts)
		return false;
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	memcpy(&copy, (const void *)r, sizeof(copy));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	if (r->ts != ts || copy.kind < PAST_SWITCH || copy.kind > PAST_SEED)
		return false;
	*e = (struct past_ev){.ts = ts,
			      .tid = copy.tid,
			      .pid = copy.pid,
			      .other = copy.other,
			      .other_pid = copy.kind == PAST_WAKE ? copy.other_pid : 0,
			      .other_cs = copy.kind == PAST_SWITCH ? copy.other_cs : 0,
			      .kind = copy.kind,
			      .state = copy.state,
			      .src = copy.kind == PAST_WAKE ? copy.state : WS_NONE,
			      .cs = copy.cs};
	if (copy.kind != PAST_WAKE && (copy.state == PAST_BLOCKED || copy.state == PAST_IOWAIT))
		e->wclass = past_class(s, &copy);
	memcpy(e->comm, copy.comm, COMM_LEN);
	e->comm[COMM_LEN] = '\0';
	return true;
}

static int cmp_ev(const void *a, const void *b)
{
	const struct past_ev *x = a, *y = b;

	return x->ts < y->ts ? -1 : x->ts > y->ts;
}

/*
 * A process seen only in the past: its name from the past's records (it may be gone by
 * now), its command line while it lives.
 */
static void name_proc(struct hproc *p, const struct past_ev *ev, size_t n)
{
	char path[64], buf[4096];
	long len;

	for (size_t i = n; i-- > 0 && !p->comm[0];) {
		const struct past_ev *e = &ev[i];

		if ((e->kind != PAST_WAKE && e->pid == p->pid) ||
		    (e->kind == PAST_WAKE && e->other_pid == p->pid))
			snprintf(p->comm, sizeof(p->comm), "%s", e->comm);
	}
	snprintf(path, sizeof(path), "/proc/%u/cmdline", p->pid);
	len = read_file(path, buf, sizeof(buf) - 1);
	while (len > 0 && !buf[len - 1])
		len--;
	if (len > 0) {
		for (long i = 0; i < len; i++)
			buf[i] = buf[i] ? buf[i] : ' ';
		buf[len] = '\0';
		p->cmdline = xstrdup(buf);
	}
}

void past__keep_seed(struct session *s, const struct past_rec *recs, size_t n)
{
	s->past_seed = xrealloc(s->past_seed, (n ? n : 1) * sizeof(*s->past_seed));
	s->n_past_seed = 0;
	for (size_t i = 0; i < n; i++)
		if (past_read(s, &recs[i], &s->past_seed[s->n_past_seed]) &&
		    s->past_seed[s->n_past_seed].kind == PAST_SEED)
			s->n_past_seed++;
}

void past__recall(struct session *s, uint32_t tid, uint32_t pid, uint64_t from, uint64_t to)
{
	size_t n = 0, had = s->history->n_procs;
	size_t per = s->skel->rodata->cfg_past_mask + 1;
	uint64_t since = s->attach_ns;
	size_t len = s->past_cap * sizeof(struct past_rec);
	const struct past_rec *past =
		mmap(NULL, len, PROT_READ, MAP_SHARED, bpf_map__fd(s->skel->maps.core_past), 0);

	if (past == MAP_FAILED) {
		pr_debug("past: not mapped: %s", strerror(errno));
		return;
	}
	if (s->past_ev_cap < s->past_cap + s->n_past_seed) {
		s->past_ev_cap = s->past_cap + s->n_past_seed;
		s->past_ev = xrealloc(s->past_ev, s->past_ev_cap * sizeof(*s->past_ev));
	}
	for (size_t cpu = 0; cpu * per < s->past_cap; cpu++) {
		uint64_t oldest = UINT64_MAX;
		size_t whole = 0;

		for (size_t i = cpu * per; i < (cpu + 1) * per && i < s->past_cap; i++) {
			struct past_ev *e = &s->past_ev[n];

			if (!past_read(s, &past[i], e))
				continue;
			whole++;
			if (e->ts < oldest)
				oldest = e->ts;
			n += e->ts <= to;
		}
		/* a ring turned over: before its oldest record, that CPU's past is gone */
		if (whole == per && oldest > since)
			since = oldest;
	}
	munmap((void *)past, len);
	for (size_t i = 0; i < s->n_past_seed; i++)
		if (s->past_seed[i].ts <= to)
			s->past_ev[n++] = s->past_seed[i];
	qsort(s->past_ev, n, sizeof(*s->past_ev), cmp_ev);
	history_recall(s->history, s->past_ev, n, since, tid, pid, from, to, s->past_depth, pid);
	for (size_t i = had; i < s->history->n_procs; i++)
		name_proc(&s->history->procs[i], s->past_ev, n);
}
