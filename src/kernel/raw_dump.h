/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the kernel side hands over at one instant: a copy of the BPF tables (process
 * records and stat rows, the still-open scheduler intervals folded in), devices,
 * remote endpoints, the slowest requests, the connections closed so far, and
 * procscope's own costs. Plain C, no libbpf types: kernel/session_collect.c fills it,
 * snapshot_build.c turns it into the model, and unit tests build it by hand
 * (tests/unit/fixtures.h).
 */
#ifndef PROCSCOPE_RAW_DUMP_H
#define PROCSCOPE_RAW_DUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"
#include "host/iolimit.h"
#include "host/psi.h"
#include "kernel/unwind.h"
#include "model/self.h"
#include "model/snapshot.h"

/* A closed TCP connection, from its EV_TCP_CLOSE ring-buffer record (conn_log.c). */
struct tcp_conn_info {
	uint32_t slot, pid;
	uint16_t lport;
	uint8_t passive;
	struct net_remote_key key;
	uint64_t end_ns, lifetime_ns;
	uint64_t tx_bytes, rx_bytes;
	uint32_t retransmits;
	char comm[COMM_LEN]; /* its process's, when it closed (its slot may be recycled) */
};

/* What procfs says of a live process at collection time. */
struct proc_live {
	uint64_t rss_bytes;	 /* VmRSS */
	uint64_t rss_peak_bytes; /* VmHWM */
};

/* An aggregate of recycled processes (recycle.h), beside its pseudo-process record. */
struct raw_agg {
	uint64_t folded;      /* processes in it */
	uint64_t lifetime_ns; /* their lifetimes, summed */
};

struct raw_dump {
	uint64_t ts_ns; /* CLOCK_MONOTONIC when taken */
	uint32_t n_procs;
	struct proc_rec *procs; /* [0, n_procs), indexed by slot */
	struct proc_live *live; /* [0, n_procs): zero for exited processes */
	/*
	 * The slots below n_written that were written, a bit each, when known (NULL: any
	 * may be): the others are zero, and are never read -- a monitor's table is mostly
	 * free, and reading a free slot of a dump brought in its page (raw_dump_written()).
	 */
	uint64_t *written;
	uint32_t n_written;
	/* procs [agg_first, agg_first + n_agg) are aggregates of recycled processes */
	uint32_t agg_first, n_agg;
	struct raw_agg *agg;
	uint32_t n_rows;
	struct stat_row *rows; /* [0, n_rows), indexed by row -- unless packed: */
	uint32_t *row_at;      /* packed: rows[k] is row row_at[k], in ascending order */
	uint32_t rows_cap;     /* packed: room in rows and row_at */
	uint32_t n_devs;
	struct io_dev_rec devs[IO_DEV_MAX]; /* by device index - 1 */
	uint32_t n_slow;
	struct io_slow slow[IO_SLOW_N * 8]; /* slowest requests, merged over CPUs */
	uint32_t n_remotes;
	struct net_remote_rec remotes[NET_REMOTE_MAX]; /* by remote index */
	const struct tcp_conn_info *conns;	       /* closed so far, oldest first (not owned) */
	size_t n_conns;
	/* closed up to conns_trimmed_until_ns and no longer in conns (conn_log__trim) */
	uint64_t conns_trimmed, conns_trimmed_until_ns;
	struct kernel_info kernel;
	/* the CPUs: time on tasks outside the target, and idle, summed, since attach */
	uint64_t cpu_others_ns, cpu_idle_ns;
	uint32_t ncpus;
	/* the IO cgroups that issued target IO later (proc_io.deferred_cgid), and their limits */
	size_t n_io_cgroups;
	struct io_cgroup io_cgroups[IO_CGROUPS_MAX];
	/* the memory cgroups target processes reclaimed or refaulted in (proc_mem.memcg_id) */
	size_t n_mem_cgroups;
	struct mem_cgroup mem_cgroups[MEM_CGROUPS_MAX];
	bool system; /* the target is the system (-a) or a cgroup (-c), not a workflow */
	/* pressure stall totals now and at attach (psi.h) */
	struct psi psi, psi_attach;
	struct self_stats self;
};

/*
 * Build @out from @cur, or from @cur - @prev when @prev is given (interval).
 * @attach_ns is when accounting started. Returns 0 or -ENOMEM.
 */
int snapshot_build(struct snapshot *out, const struct raw_dump *cur, const struct raw_dump *prev,
		   uint64_t attach_ns, const struct snapshot_names *names);
/* "a.b.c.d:port" or "[v6]:port" */
void format_remote(const struct net_remote_key *k, char *buf, size_t len);

/*
 * Slot @i of @d may hold something: written, or not known to be zero. Beyond the
 * tracked slots, up to the aggregates, is the gap that recycling grows a dump by
 * (zeroed: recycle.c); the aggregates may be written.
 */
static inline bool raw_dump_written(const struct raw_dump *d, uint32_t i)
{
	if (!d->written || (d->agg && i >= d->agg_first))
		return true;
	if (i >= d->n_written)
		return !d->agg;
	return d->written[i / 64] >> (i % 64) & 1;
}

/* Slot @i of @d written (known to be, when @d keeps track: raw_dump_track()). */
static inline void raw_dump_mark(struct raw_dump *d, uint32_t i)
{
	if (d->written && i < d->n_written)
		d->written[i / 64] |= 1ULL << (i % 64);
}

/* From now on, @d keeps track of the slots written below its n_procs; none so far. */
void raw_dump_track(struct raw_dump *d);

/* Slot @i of @d holds a process or an aggregate (ours, or the kernel's: PROC_F_AGG). */
static inline bool raw_dump_slot_used(const struct raw_dump *d, uint32_t i)
{
	return i < SLOT_FIRST || (d->agg && i >= d->agg_first) ||
	       (raw_dump_written(d, i) && (d->procs[i].pid || (d->procs[i].flags & PROC_F_AGG)));
}

/*
 * A dump's rows are packed -- those in use only, in order of their index, with row_at
 * -- as the kernel stage collects them (session__collect) and copies them: the rows in
 * use are scattered over the table, and each one at its index brought a page into the
 * RSS (a monitor holds two dumps, and its table is mostly free). Tests build dumps
 * indexed by row. Either way, by index:
 */
/* Row @i of @d (its index in the kernel's table, or an aggregate's); NULL if none. */
struct stat_row *raw_dump_row(const struct raw_dump *d, uint32_t i);
/* Row @i of @d, zeroed if @d had none; cheapest in ascending order of @i (appended). */
struct stat_row *raw_dump_row_add(struct raw_dump *d, uint32_t i);
/* @row (a row in use, not @d's) appended to packed @d, as row @i beyond its last. */
void raw_dump_row_push(struct raw_dump *d, uint32_t i, const struct stat_row *row);

/*
 * A copy of @src that owns its memory (but not conns: none copied): the slots in use,
 * the rest zero; the rows in use, packed.
 */
void raw_dump_copy(struct raw_dump *dst, const struct raw_dump *src);
void raw_dump_release(struct raw_dump *d);

#endif
