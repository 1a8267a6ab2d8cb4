/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounded state over unbounded time (-a, -c, -p, with -i or --prometheus): a process
 * that exited, once an interval has reported it (sooner if the tables are filling up),
 * gives its slot and its stat rows back to the BPF side (zeroed, through
 * core_free_slots / core_free_rows), no sooner than a quarantine after its exit -- its late
 * references (writeback of pages it dirtied, sockets it left open) are checked against
 * its pid, so they never land on the slot's next process. Its figures are folded into
 * an aggregate per command and cgroup (peers apart), kept here. Every dump then carries the
 * aggregates as pseudo-processes (slots from max_procs on, rows from the end of the
 * BPF pool on, at indexes that never move), so that cumulative totals -- the final
 * report, the Prometheus counters -- stay exact; and interval deltas count each figure
 * once: what the previous dump held of a retired process moves into its aggregate
 * there too.
 *
 * Plain memory only: the unit tests drive it with hand-built dumps.
 */
#ifndef PROCSCOPE_RECYCLE_H
#define PROCSCOPE_RECYCLE_H

#include <stddef.h>
#include <stdint.h>

#include "kernel/raw_dump.h"

/* an exited process's slot is recycled no sooner (late writeback, socket closes) */
#define RECYCLE_QUARANTINE_NS (100 * 1000000ULL)
/* how often exited processes are looked for */
#define RECYCLE_EVERY_NS (100 * 1000000ULL)
/* share of the slots or rows in use beyond which processes are recycled unreported */
#define RECYCLE_PRESSURE 0.25
#define RECYCLE_GROUPS_MAX 65536 /* aggregates beyond fold into the last one */

struct recycle_group {
	char comm[COMM_LEN];
	uint64_t cgid;
	bool peer;	      /* peers' (PROC_F_PEER), apart from the target's */
	uint64_t folded;      /* processes folded in */
	uint64_t lifetime_ns; /* their lifetimes, summed */
	struct proc_rec rec;  /* their counters, summed */
	uint32_t *rows;	      /* their distributions: indexes into the recycler's rows */
	size_t n_rows, rows_cap;
	uint32_t *sys_rows; /* by syscall number: index + 1 into the recycler's rows */
};

struct recycler {
	uint32_t slot_base; /* aggregates' pseudo slots: slot_base + group index */
	uint32_t row_base;  /* aggregates' rows in a dump: row_base + index */
	struct recycle_group *g;
	size_t n, cap;
	uint32_t *ht; /* the groups by command and cgroup: index + 1, open addressing */
	size_t ht_cap;
	struct stat_row *rows;
	size_t n_rows, rows_cap;
	uint64_t folded; /* processes folded in, every group */
};

/* @max_procs and @n_rows_pool (ROW_FIRST + --max-rows): where the BPF tables end. */
void recycler__init(struct recycler *r, uint32_t max_procs, uint32_t n_rows_pool);
void recycler__release(struct recycler *r);

/*
 * Processes to retire: their records and stat rows, as the kernel has them now -- in
 * the kernel's tables (mapped), which must stay as they are until they are retired.
 */
struct retirees {
	uint32_t *slots;
	const struct proc_rec **recs; /* parallel to slots: in place, not copied */
	size_t n, cap;
	uint32_t *row_idx;	      /* their rows' indexes in the kernel's pool ... */
	uint32_t *row_proc;	      /* ... the process each is of (an index into slots) ... */
	const struct stat_row **rows; /* ... and contents, in place */
	size_t n_rows, rows_cap;
};

/*
 * How many of the buckets of @r -- a row no program writes any more -- may be non-zero:
 * up to its maximum's. A short process's row has a few calls in the low buckets; the
 * rest of its kilobyte is neither read nor written when it is retired.
 */
unsigned int row_hist_used(const struct stat_row *r);

void retirees_add_proc(struct retirees *t, uint32_t slot, const struct proc_rec *rec);
/* A row of the process added last. */
void retirees_add_row(struct retirees *t, uint32_t idx, const struct stat_row *row);
void retirees_release(struct retirees *t);

/*
 * Fold processes @t into their aggregates. In @prev (the dump the last interval ended
 * with) what it held of them moves into the aggregates too, and their slots and rows
 * are zeroed, so that the next interval counts each figure once. Each retired slot's
 * aggregate's pseudo slot into @pseudo (@t->n entries): where its stacks go. The caller
 * then zeroes the slots and rows in the kernel and recycles them.
 */
void recycler__retire(struct recycler *r, const struct retirees *t, struct raw_dump *prev,
		      uint32_t *pseudo);

/* Put the aggregates into @d (replacing any it had): pseudo-processes and their rows. */
void recycler__append(const struct recycler *r, struct raw_dump *d);

/*
 * recycler__append(), with the aggregates the kernel keeps (PROC_F_AGG: processes it
 * folded at their exit, bpf/core.bpf.c) added to the same groups in @d, and taken out
 * of its kernel part: each group's figures, in every dump, are then what userspace
 * folded plus what the kernel did -- both only grow, so intervals stay differences.
 */
void recycler__append_kernel(struct recycler *r, struct raw_dump *d);

/* The group that kernel aggregate @agg (its record) is merged into (its index). */
size_t recycler__group(struct recycler *r, const struct proc_rec *agg);

/* A process the kernel folded at its exit (its exit event): into which group. */
struct kfold_note {
	uint32_t slot, pid;
	size_t group;
};

/*
 * Processes of @prev (the dump the last interval ended with) that are gone from @cur
 * (@n_cur slots: a dump's, or the kernel's table now), their slot empty or another's,
 * and that were not recycled here: the kernel folded them (bpf/core.bpf.c). What @prev
 * held of each moves into its group there -- the one @notes (@n_notes) name, else that
 * of its name then -- so that the next interval counts each figure once. Before a
 * retirement (whose slot may have been such a process's in @prev) and at each dump.
 */
void recycler__vanished(struct recycler *r, struct raw_dump *prev, const struct proc_rec *cur,
			uint32_t n_cur, const struct kfold_note *notes, size_t n_notes);

#endif
