// SPDX-License-Identifier: GPL-2.0
/*
 * Reading the kernel side into a struct raw_dump: the process records and stat rows
 * with batched lookups, what the core_tasks iterator says of live threads (open
 * scheduler intervals, fault counters) folded into the copies, RSS of live processes
 * from procfs, devices, remote endpoints and the slowest requests, the per-CPU loss
 * counters, and procscope's own costs: BPF run time from BPF_ENABLE_STATS, peak RSS
 * and CPU time from getrusage.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "host/memcg.h"
#include "lib/log.h"
#include "kernel/session_priv.h"
#include "kernel/recycle.h"
#include "kernel/raw_stacks.h"
#include "model/stack_set.h"
#include "kernel/stackstore.h"
#include "lib/util.h"

/*
 * Copy entries [0, n) of an array map. Batched: one syscall per few hundred entries,
 * and no mmap, whose pages would all count in our RSS however few are used.
 */
static int read_array(int fd, uint32_t n, size_t value_size, void *out)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t *keys = xmalloc(sizeof(*keys) * (n ? n : 1));
	uint32_t done = 0, next = 0;
	int err = 0;

	while (done < n) {
		uint32_t count = n - done;

		err = bpf_map_lookup_batch(fd, done ? &next : NULL, &next, keys + done,
					   (char *)out + (size_t)done * value_size, &count, &opts);
		if (err && errno != ENOENT) {
			err = -errno;
			break;
		}
		done += count;
		if (err || count == 0) /* ENOENT: end of the map */
			break;
	}
	if (err && err != -ENOENT) {
		/* kernels without batch ops for arrays: one lookup per entry */
		err = 0;
		for (uint32_t k = 0; k < n; k++)
			if (bpf_map_lookup_elem(fd, &k, (char *)out + (size_t)k * value_size)) {
				err = -errno;
				break;
			}
	} else {
		err = 0;
	}
	free(keys);
	return err;
}

/*
 * Entries [0, @want) of array map @m in *@mem, *@mapped of them so far: mapped again,
 * a step further, if @want is beyond. True if the mapping moved (or was lost: *@mem
 * NULL, the table is then read by syscall).
 */
static bool table_fit(const struct bpf_map *m, void **mem, size_t *mapped, size_t want)
{
	size_t cap = bpf_map__max_entries(m), size = bpf_map__value_size(m);
	size_t step = cap / 8 ? cap / 8 : 1, n = (want + step - 1) / step * step;
	void *p;

	if (want <= *mapped)
		return false;
	if (n > cap)
		n = cap;
	/* the old one first: both at once would raise the peak */
	if (*mem)
		munmap(*mem, *mapped * size);
	*mem = NULL;
	*mapped = 0;
	p = mmap(NULL, n * size, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);
	if (p == MAP_FAILED) {
		pr_warn("cannot map '%s': %s", bpf_map__name(m), strerror(errno));
		return true;
	}
	*mem = p;
	*mapped = n;
	return true;
}

/*
 * The kernel's arrays are mapped whole when mmap(2) maps them, every page counted in
 * our RSS; a monitor's are mostly never carved (freed slots and rows are taken
 * first), so only what has been is: up to the high-water marks, by eighths.
 */
bool tables_fit(struct session *s)
{
	uint32_t slots = s->skel->data->core_next_slot, rows = s->skel->data->core_next_row;
	bool moved;

	if (!s->map_tables)
		return false;
	if (slots > s->max_procs)
		slots = s->max_procs;
	if (rows > ROW_FIRST + s->max_rows)
		rows = ROW_FIRST + s->max_rows;
	if (slots <= s->procs_mapped && rows <= s->rows_mapped)
		return false;
	pthread_mutex_lock(&s->tables_mu);
	moved = table_fit(s->skel->maps.core_procs, (void **)&s->procs_mem, &s->procs_mapped,
			  slots);
	moved = table_fit(s->skel->maps.core_rows, (void **)&s->rows_mem, &s->rows_mapped, rows) ||
		moved;
	pthread_mutex_unlock(&s->tables_mu);
	return moved;
}

/* The pid in @slot now (0: none), -1 if it is no process's: from any thread. */
static int64_t slot_pid(struct session *s, uint32_t slot)
{
	int64_t pid = -1;

	pthread_mutex_lock(&s->tables_mu);
	if (slot >= SLOT_FIRST && slot < s->procs_mapped)
		pid = s->procs_mem[slot].pid;
	pthread_mutex_unlock(&s->tables_mu);
	return pid;
}

void tables_unmap(struct session *s)
{
	if (s->procs_mem)
		munmap(s->procs_mem, s->procs_mapped * sizeof(*s->procs_mem));
	if (s->rows_mem)
		munmap(s->rows_mem, s->rows_mapped * sizeof(*s->rows_mem));
	s->procs_mem = NULL;
	s->rows_mem = NULL;
	s->procs_mapped = s->rows_mapped = 0;
}

int session__read_procs(struct session *s, struct raw_dump *d)
{
	uint32_t n = s->skel->data->core_next_slot;

	memset(d, 0, sizeof(*d));
	if (n > s->max_procs)
		n = s->max_procs;
	tables_fit(s); /* up to n at least */
	d->n_procs = n;
	/*
	 * Straight from the mapped table, no syscall: the slots in use only, into zeroed
	 * memory that the free ones never touch (a monitor's table is mostly free).
	 */
	d->procs = xcalloc(n ? n : 1, sizeof(*d->procs));
	if (!s->procs_mem) {
		/* not mapped: the slots carved, by syscall, those not in use zeroed */
		int err = read_array(bpf_map__fd(s->skel->maps.core_procs), n, sizeof(*d->procs),
				     d->procs);

		for (uint32_t i = SLOT_FIRST; i < n; i++) {
			struct proc_rec *p = &d->procs[i];

			if (p->flags & PROC_F_FOLDING)
				*p = (struct proc_rec){.flags = PROC_F_FOLDING};
			else if (!p->pid && !(p->flags & PROC_F_AGG))
				memset(p, 0, sizeof(*p));
		}
		return err;
	}
	/*
	 * The kernel's aggregates first (PROC_F_AGG): a process it folds after this is in
	 * none of them, so that it is counted once -- here on its own, or in neither (then
	 * in its aggregate in the next dump). One being folded is skipped, and so is an
	 * aggregate made since.
	 */
	raw_dump_track(d);
	for (uint32_t i = SLOT_FIRST; s->kfold && i < n && i < s->procs_mapped; i++)
		if (__atomic_load_n(&s->procs_mem[i].flags, __ATOMIC_ACQUIRE) & PROC_F_AGG) {
			d->procs[i] = s->procs_mem[i];
			raw_dump_mark(d, i);
		}
	for (uint32_t i = 0; i < n && i < s->procs_mapped; i++) {
		const struct proc_rec *p = &s->procs_mem[i];
		uint32_t flags = __atomic_load_n(&p->flags, __ATOMIC_ACQUIRE);

		if (raw_dump_written(d, i) && (d->procs[i].flags & PROC_F_AGG))
			continue;
		if (flags & PROC_F_FOLDING)
			d->procs[i].flags = PROC_F_FOLDING; /* its rows are skipped too */
		else if (i < SLOT_FIRST || (p->pid && !(flags & PROC_F_AGG)))
			d->procs[i] = *p;
		else
			continue;
		raw_dump_mark(d, i);
	}
	return 0;
}

/*
 * A row of slot @slot to read now: not of a process the kernel is folding, nor of an
 * aggregate (read first, see session__read_procs(); or made since: left for the next).
 */
static bool row_of_dump(const struct session *s, const struct raw_dump *d, uint32_t slot)
{
	if (slot >= d->n_procs)
		return true;
	if (raw_dump_written(d, slot) && (d->procs[slot].flags & (PROC_F_FOLDING | PROC_F_AGG)))
		return false;
	return !s->kfold || slot >= s->procs_mapped ||
	       !(__atomic_load_n(&s->procs_mem[slot].flags, __ATOMIC_ACQUIRE) & PROC_F_AGG);
}

/*
 * The rows of @d, packed, from the mapped table: the aggregates' first, aside (see
 * session__read_procs()), then the others, all in ascending order.
 */
static void read_rows(struct session *s, struct raw_dump *d, uint32_t n_rows)
{
	struct stat_row *agg = NULL;
	uint32_t *agg_at = NULL;
	size_t n_agg = 0, cap = 0, k = 0;

	for (uint32_t i = 0; s->kfold && i < n_rows && i < s->rows_mapped; i++) {
		const struct stat_row *row = &s->rows_mem[i];
		uint32_t slot = row->slot;

		if (!row->kind || slot >= d->n_procs || !(d->procs[slot].flags & PROC_F_AGG))
			continue;
		if (n_agg == cap) {
			cap = cap ? cap * 2 : 64;
			agg = xrealloc(agg, cap * sizeof(*agg));
			agg_at = xrealloc(agg_at, cap * sizeof(*agg_at));
		}
		agg[n_agg] = *row;
		agg_at[n_agg++] = i;
	}
	for (uint32_t i = 0; i < n_rows && i < s->rows_mapped; i++) {
		const struct stat_row *row = &s->rows_mem[i];

		if (k < n_agg && agg_at[k] == i)
			raw_dump_row_push(d, i, &agg[k++]);
		else if (row->kind && row_of_dump(s, d, row->slot))
			raw_dump_row_push(d, i, row);
	}
	free(agg);
	free(agg_at);
}

/* Run the iterator @link into s->iter_buf; its length in bytes. */
static size_t run_iter(struct session *s, struct bpf_link *link)
{
	size_t len = 0;
	int fd;

	if (!link)
		return 0;
	fd = bpf_iter_create(bpf_link__fd(link));
	if (fd < 0) {
		pr_warn("cannot read live tasks: %s", strerror(errno));
		return 0;
	}
	for (;;) {
		ssize_t n;

		if (s->iter_cap - len < 4096) {
			s->iter_cap = s->iter_cap ? s->iter_cap * 2 : 65536;
			s->iter_buf = xrealloc(s->iter_buf, s->iter_cap);
		}
		n = read(fd, (char *)s->iter_buf + len, s->iter_cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	return len;
}

/* Run the core_tasks iterator; returns the number of records in s->iter_buf. */
static long read_task_iter(struct session *s)
{
	return (long)(run_iter(s, s->task_iter) / sizeof(struct task_iter_rec));
}

void session__first_sight(struct session *s)
{
	read_task_iter(s);
	if (s->seed_iter)
		past__keep_seed(s, s->iter_buf,
				run_iter(s, s->seed_iter) / sizeof(struct past_rec));
	run_iter(s, s->wait_iter); /* it writes nothing */
}

/* A live thread: its open scheduler interval and its faults so far. */
static void fold_task(struct raw_dump *d, const struct task_iter_rec *r)
{
	struct proc_rec *p;
	struct proc_sched *ps;

	if (r->slot >= d->n_procs)
		return;
	p = &d->procs[r->slot];
	raw_dump_mark(d, r->slot);
	p->mem.minor_faults += r->minor_faults;
	p->mem.major_faults += r->major_faults;
	ps = &p->sched;
	switch (r->tstate) {
	case TS_UNKNOWN:
		ps->unaccounted_ns += r->open_ns;
		break;
	case TS_ONCPU:
		ps->oncpu_ns += r->open_ns;
		break;
	case TS_RUNQ:
		ps->runq_ns += r->open_ns;
		if (r->preempted)
			ps->runq_preempt_ns += r->open_ns;
		/* still waiting: for a busy CPU (the rest), unless its start told otherwise */
		if (r->rq_cause != RQ_CONTENTION && r->rq_cause < RQ_CAUSE_N)
			ps->runq_cause_ns[r->rq_cause] += r->open_ns;
		break;
	case TS_BLOCKED:
		if (r->bstate < BLK_N)
			ps->blocked_ns[r->bstate] += r->open_ns;
		if (r->wclass < WC_N)
			ps->wait_ns[r->wclass] += r->open_ns;
		break;
	}
}

/* A live thread's open tail, for the history: what it does since its last record. */
static void tail_of(struct history *h, const struct task_iter_rec *r, uint64_t now)
{
	struct wait_tail t = {
		.tstate = r->tstate,
		.wclass = r->wclass,
		.seg_start = r->seg_start,
		.oncpu_ns = r->seg_oncpu,
		.runq_ns = r->seg_runq,
		.at_ns = now,
	};

	if (!r->tid || !r->seg_start)
		return;
	if (r->tstate == TS_ONCPU)
		t.oncpu_ns += r->open_ns;
	else if (r->tstate == TS_RUNQ)
		t.runq_ns += r->open_ns;
	else if (r->tstate == TS_BLOCKED)
		t.block_ns = now > r->open_ns ? now - r->open_ns : now;
	else
		return;
	history_tail(h, r->tid, r->pid, &t);
}

/* RSS of the live processes, from procfs: exact, and cheap enough per snapshot. */
static void read_live(struct raw_dump *d)
{
	d->live = xcalloc(d->n_procs ? d->n_procs : 1, sizeof(*d->live));
	for (uint32_t slot = SLOT_FIRST; slot < d->n_procs; slot++) {
		const struct proc_rec *p = &d->procs[slot];
		char path[64], buf[4096], *l;

		if (!raw_dump_written(d, slot) || !p->pid ||
		    (p->flags & (PROC_F_EXITED | PROC_F_DUP)))
			continue;
		snprintf(path, sizeof(path), "/proc/%u/status", p->pid);
		if (read_file(path, buf, sizeof(buf)) <= 0)
			continue;
		if ((l = strstr(buf, "\nVmRSS:")))
			d->live[slot].rss_bytes = strtoull(l + 8, NULL, 10) * 1024;
		if ((l = strstr(buf, "\nVmHWM:")))
			d->live[slot].rss_peak_bytes = strtoull(l + 8, NULL, 10) * 1024;
	}
}

static int cmp_slow(const void *a, const void *b)
{
	const struct io_slow *x = a, *y = b;

	return x->lat_ns < y->lat_ns ? 1 : x->lat_ns > y->lat_ns ? -1 : 0;
}

/* Devices, remote endpoints and the slowest requests (per CPU, merged here). 0 or -errno. */
static int collect_io_net(struct session *s, struct raw_dump *d)
{
	int err = 0;

	if (s->subsys & SUB_IO) {
		uint32_t n = s->skel->bss->io_next_dev;
		struct io_slow *vals = xcalloc(s->ncpus, sizeof(*vals));
		int fd = bpf_map__fd(s->skel->maps.io_slow);

		d->n_devs = n < IO_DEV_MAX ? n : IO_DEV_MAX;
		err = read_array(bpf_map__fd(s->skel->maps.io_devs), d->n_devs, sizeof(d->devs[0]),
				 d->devs);
		for (uint32_t k = 0; k < IO_SLOW_N; k++) {
			if (bpf_map_lookup_elem(fd, &k, vals))
				continue;
			for (int c = 0; c < s->ncpus; c++) {
				if (!vals[c].lat_ns)
					continue;
				if (d->n_slow < ARRAY_SIZE(d->slow)) {
					d->slow[d->n_slow++] = vals[c];
				} else {
					qsort(d->slow, d->n_slow, sizeof(d->slow[0]), cmp_slow);
					if (vals[c].lat_ns > d->slow[d->n_slow - 1].lat_ns)
						d->slow[d->n_slow - 1] = vals[c];
				}
			}
		}
		qsort(d->slow, d->n_slow, sizeof(d->slow[0]), cmp_slow);
		free(vals);
	}
	if (s->subsys & SUB_NET) {
		uint32_t n = s->skel->bss->net_next_remote;

		d->n_remotes = n < NET_REMOTE_MAX ? n : NET_REMOTE_MAX;
		err = read_array(bpf_map__fd(s->skel->maps.net_remotes), d->n_remotes,
				 sizeof(d->remotes[0]), d->remotes)
			      ?: err;
	}
	return err;
}

/* What the CPUs did besides the target: each CPU's cpu_ctx starts with its cpu_use. */
static int collect_cpus(struct session *s, struct raw_dump *d)
{
	/* a per-CPU value is laid out every 8-byte-rounded value size */
	size_t sz = (bpf_map__value_size(s->skel->maps.core_cpu) + 7) & ~(size_t)7;
	char *vals = xcalloc(s->ncpus, sz);
	uint32_t zero = 0;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	int err = 0;

	d->ncpus = online > 0 ? (uint32_t)online : (uint32_t)s->ncpus;
	if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.core_cpu), &zero, vals))
		err = -errno;
	for (int c = 0; !err && c < s->ncpus; c++) {
		const struct cpu_use *u = (const void *)(vals + (size_t)c * sz);

		d->cpu_others_ns += u->others_ns;
		d->cpu_idle_ns += u->idle_ns;
	}
	free(vals);
	return err;
}

uint64_t session__stat(const struct session *s, unsigned int id)
{
	uint64_t *vals = xcalloc(s->ncpus, sizeof(uint64_t)), sum = 0;

	if (!bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.core_stats), &id, vals))
		for (int c = 0; c < s->ncpus; c++)
			sum += vals[c];
	free(vals);
	return sum;
}

size_t session__exited(struct session *s, struct proc_exit **out, size_t *cap)
{
	uint32_t carved = s->skel->data->core_next_slot;
	size_t n = 0;

	tables_fit(s);
	if (carved > s->procs_mapped)
		carved = (uint32_t)s->procs_mapped;
	for (uint32_t slot = SLOT_FIRST; slot < carved; slot++) {
		const struct proc_rec *rec = &s->procs_mem[slot];

		if (!rec->pid || !(rec->flags & PROC_F_EXITED))
			continue;
		if (n == *cap) {
			*cap = *cap ? *cap * 2 : 256;
			*out = xrealloc(*out, *cap * sizeof(**out));
		}
		(*out)[n++] = (struct proc_exit){slot, rec->pid, rec->end_ns};
	}
	return n;
}

static void collect_self(struct session *s, struct self_stats *self)
{
	struct bpf_program *prog;
	struct rusage ru;

	for (uint32_t id = 0; id < STAT_N; id++)
		self->stats[id] = session__stat(s, id);

	self->bpf_stats = s->stats_mode;
	bpf_object__for_each_program (prog, s->skel->obj) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);

		if (!bpf_program__autoload(prog) || bpf_program__fd(prog) < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		self->bpf_sampled_ns += info.run_time_ns;
		self->bpf_sampled_cnt += info.run_cnt;
		/* runs the kernel skipped: the program was already running on that CPU */
		self->bpf_recursion_misses += info.recursion_misses;
	}
	/* the run time counts only while stats are on: scale by the time they were */
	if (s->stats_mode != BPF_STATS_OFF && s->attach_ns) {
		uint64_t now = now_ns(), span = now - s->attach_ns;
		uint64_t covered =
			s->stats_covered_ns + (s->stats_fd >= 0 ? now - s->stats_on_since : 0);

		self->bpf_coverage = span ? (double)covered / (double)span : 1.0;
		if (self->bpf_coverage > 1.0 || s->stats_mode == BPF_STATS_FULL)
			self->bpf_coverage = 1.0;
		if (self->bpf_coverage > 0) {
			self->bpf_run_ns = (uint64_t)(self->bpf_sampled_ns / self->bpf_coverage);
			self->bpf_run_cnt = (uint64_t)(self->bpf_sampled_cnt / self->bpf_coverage);
		}
	}
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		self->rss_peak_bytes = (uint64_t)ru.ru_maxrss * 1024;
	self->cpu_ns = own_cpu_ns();
	self->startup_ns = s->attach_ns && s->started_ns ? s->attach_ns - s->started_ns : 0;
	self->attach_ns = s->attach_cost_ns;
	self->procs_max = s->max_procs;
	self->rows_max = s->max_rows;
	self->events = s->events;
}

/*
 * The IO cgroups that deferred target IO, with their limits: looked up the first time
 * a cgroup id is seen (a walk of the hierarchy), and kept, as the cgroup may be gone
 * by the final report.
 */
static void collect_io_cgroups(struct session *s, struct raw_dump *d)
{
	for (uint32_t i = SLOT_FIRST; i < d->n_procs; i++) {
		uint64_t id = raw_dump_written(d, i) ? d->procs[i].io.deferred_cgid : 0;
		size_t j;

		if (!id)
			continue;
		for (j = 0; j < s->n_io_cgroups && s->io_cgroups[j].cgid != id; j++)
			;
		if (j == s->n_io_cgroups && j < IO_CGROUPS_MAX) {
			if (io_cgroup_read("/proc/self/mounts", id, &s->io_cgroups[j]))
				s->io_cgroups[j].path[0] = 0; /* gone: known by its id only */
			s->n_io_cgroups++;
		}
	}
	d->n_io_cgroups = s->n_io_cgroups;
	memcpy(d->io_cgroups, s->io_cgroups, sizeof(d->io_cgroups));
}

/*
 * The memory cgroups target processes reclaimed or refaulted in: found the first time
 * an id is seen, read again at every collection (usage and refaults move), kept as
 * last read once gone.
 */
static void collect_mem_cgroups(struct session *s, struct raw_dump *d)
{
	for (uint32_t i = SLOT_FIRST; i < d->n_procs; i++) {
		uint64_t id = raw_dump_written(d, i) ? d->procs[i].mem.memcg_id : 0;
		size_t j;

		if (!id)
			continue;
		for (j = 0; j < s->n_mem_cgroups && s->mem_cgroups[j].id != id; j++)
			;
		if (j == s->n_mem_cgroups && j < MEM_CGROUPS_MAX) {
			s->mem_cgroups[j].id = id;
			s->n_mem_cgroups++;
		}
	}
	for (size_t j = 0; j < s->n_mem_cgroups; j++)
		memcg_read("/proc/self/mounts", s->mem_cgroups[j].id, &s->mem_cgroups[j]);
	d->n_mem_cgroups = s->n_mem_cgroups;
	memcpy(d->mem_cgroups, s->mem_cgroups, sizeof(d->mem_cgroups));
}

/* Of @carved slots or rows, those not waiting in their ring of recycled ones. */
static uint32_t in_use(uint32_t carved, const __u64 *prod, const __u64 *cons)
{
	__u64 c = __atomic_load_n(cons, __ATOMIC_ACQUIRE);
	__u64 waiting = __atomic_load_n(prod, __ATOMIC_ACQUIRE) - c;

	return waiting < carved ? carved - (uint32_t)waiting : 0;
}

void session__in_use(const struct session *s, uint32_t *procs, uint32_t *rows)
{
	uint32_t n_procs = s->skel->data->core_next_slot, n_rows = s->skel->data->core_next_row;

	if (n_procs > s->max_procs)
		n_procs = s->max_procs;
	if (n_rows > ROW_FIRST + s->max_rows)
		n_rows = ROW_FIRST + s->max_rows;
	/* carved from the pool, less those recycled and not yet taken again */
	*procs = in_use(n_procs > SLOT_FIRST ? n_procs - SLOT_FIRST : 0,
			&s->skel->bss->core_free_slots_prod, &s->skel->bss->core_free_slots_cons);
	*rows = in_use(n_rows > ROW_FIRST ? n_rows - ROW_FIRST : 0,
		       &s->skel->bss->core_free_rows_prod, &s->skel->bss->core_free_rows_cons);
	/* less those the kernel's fold gave back */
	*procs = in_use(*procs, &s->skel->bss->core_kfree_slots_in,
			&s->skel->bss->core_kfree_slots_out);
	*rows = in_use(*rows, &s->skel->bss->core_kfree_rows_in,
		       &s->skel->bss->core_kfree_rows_out);
}

int session__collect(struct session *s, struct raw_dump *d)
{
	uint32_t n_rows = s->skel->data->core_next_row;
	const struct task_iter_rec *tasks;
	long n_tasks;
	int err;

	if (n_rows > ROW_FIRST + s->max_rows)
		n_rows = ROW_FIRST + s->max_rows;
	/*
	 * The table, then the intervals still open: an interval that a switch closes
	 * between the two reads is then in neither (a few microseconds lost), where the
	 * other order counted it in both, and put the on-CPU total above what the CPUs
	 * could run. The iterator also puts the tasks it sees first in the table: it runs
	 * once before the table is read, so that those are in it.
	 */
	read_task_iter(s);
	err = session__read_procs(s, d);
	n_tasks = read_task_iter(s);
	d->ts_ns = now_ns();
	/* the rows in use, packed (raw_dump.h) */
	d->n_rows = d->rows_cap = 0;
	d->rows = NULL;
	d->row_at = xcalloc(1, sizeof(*d->row_at));
	if (!s->rows_mem) {
		/* not mapped: by syscall, whole */
		struct stat_row *all = xcalloc(n_rows ? n_rows : 1, sizeof(*all));
		int e = read_array(bpf_map__fd(s->skel->maps.core_rows), n_rows, sizeof(*all), all);

		if (e)
			pr_warn("cannot read the stat rows: %s", strerror(-e));
		for (uint32_t i = 0; i < n_rows; i++)
			if (all[i].kind && row_of_dump(s, d, all[i].slot))
				raw_dump_row_push(d, i, &all[i]);
		free(all);
	}
	if (s->rows_mem)
		read_rows(s, d, n_rows);
	for (uint32_t i = SLOT_FIRST; i < d->n_procs; i++)
		if (raw_dump_written(d, i) && d->procs[i].flags == PROC_F_FOLDING)
			d->procs[i].flags = 0;

	tasks = s->iter_buf;
	for (long i = 0; i < n_tasks; i++) {
		fold_task(d, &tasks[i]);
		if (s->history)
			tail_of(s->history, &tasks[i], d->ts_ns);
	}
	if (s->subsys & SUB_MEM)
		read_live(d);
	err = collect_io_net(s, d) ?: err;
	if (s->subsys & SUB_IO)
		collect_io_cgroups(s, d);
	if (s->subsys & SUB_MEM)
		collect_mem_cgroups(s, d);
	if (s->subsys & SUB_SCHED)
		err = collect_cpus(s, d) ?: err;
	if (err)
		pr_warn("cannot read BPF maps: %s", strerror(-err));

	d->kernel = s->kernel;
	d->system = s->system;
	d->psi_attach = s->psi_attach;
	if (s->psi_dir[0])
		psi_read(s->psi_dir, s->psi_cgroup, &d->psi);
	collect_self(s, &d->self);
	session__in_use(s, &d->self.procs_used, &d->self.rows_used);
	return err;
}

/*
 * The code objects the Python frames of @frames name, from the walker's table into
 * the session's (which outlives the table's least recently used entries).
 */
static void py_codes_fetch(struct session *s, const __u64 *frames, uint32_t n)
{
	for (uint32_t i = 0; i + 1 < n; i++) {
		struct py_code_key k;
		struct py_code c;

		if ((frames[i] & FRAME_PY_MASK) != FRAME_PY_AT)
			continue;
		k = py_code_key_of(frames[i], frames[i + 1]);
		if (!py_codes__has(&s->py, &k) &&
		    !bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.py_codes), &k, &c))
			py_codes__put(&s->py, &k, &c);
	}
}

/* @r's frames, from the maps its key names. */
static void stack_frames(struct session *s, struct raw_stack *r)
{
	const struct stack_key *key = &r->key;

	if (key->kstack >= 0 &&
	    bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stacks_kernel), &key->kstack, r->k) == 0)
		while (r->n_k < STACKS_KERNEL_DEPTH && r->k[r->n_k])
			r->n_k++;
	if (key->uhash) {
		struct stack_user su;

		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stacks_unwound), &key->uhash,
					&su) == 0 &&
		    su.n <= UNWIND_DEPTH) {
			r->u_unw = true;
			r->u_end = su.flags;
			r->n_u = su.n;
			memcpy(r->uunw, su.frames, su.n * sizeof(*su.frames));
			py_codes_fetch(s, su.frames, su.n);
		}
		return;
	}
	if (key->ustack < 0)
		return;
	if (key->kind == STACK_ONCPU) {
		r->u_bid = true;
		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stacks_user), &key->ustack,
					r->ubid) == 0)
			while (r->n_u < STACKS_USER_DEPTH && r->ubid[r->n_u].status)
				r->n_u++;
	} else if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stacks_user_ip), &key->ustack,
				       r->uip) == 0) {
		while (r->n_u < STACKS_USER_IP_DEPTH && r->uip[r->n_u])
			r->n_u++;
	}
}

static void raw_stack_add(struct session *s, struct raw_stacks *out, size_t *cap,
			  const struct stack_key *key, const struct stack_val *val)
{
	struct raw_stack *r;

	if (out->n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		out->s = xrealloc(out->s, *cap * sizeof(*out->s));
	}
	r = &out->s[out->n++];
	memset(r, 0, sizeof(*r));
	r->key = *key;
	r->val = *val;
	stack_frames(s, r);
}

/* The stack counts, with each stack's frames; for the final report. */
int session__collect_stacks(struct session *s, struct raw_stacks *out)
{
	int cfd;
	struct stack_key key, *prev = NULL;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	if (!(s->subsys & (SUB_PROFILE | SUB_OFFCPU)))
		return 0;
	cfd = bpf_map__fd(s->skel->maps.stacks_counts);
	while (bpf_map_get_next_key(cfd, prev, &key) == 0) {
		struct stack_val val;

		prev = &key;
		if (bpf_map_lookup_elem(cfd, &key, &val) == 0)
			raw_stack_add(s, out, &cap, &key, &val);
	}
	/* the recycled processes', under their aggregates */
	for (size_t i = 0; i < s->folded_stacks.n; i++)
		raw_stack_add(s, out, &cap, &s->folded_stacks.keys[i], &s->folded_stacks.vals[i]);
	/* the code objects they name: the stacks' now (they outlive the session) */
	out->py = s->py;
	memset(&s->py, 0, sizeof(s->py));
	return 0;
}

const struct proc_rec *session__proc(struct session *s, uint32_t slot, uint32_t pid)
{
	const struct proc_rec *rec = NULL;

	if (slot >= s->max_procs)
		return NULL;
	if (slot < s->procs_mapped)
		rec = &s->procs_mem[slot];
	else if (!bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.core_procs), &slot, &s->proc_copy))
		rec = &s->proc_copy; /* until the next call */
	return rec && rec->pid == pid ? rec : NULL;
}

bool session__agg_group(struct session *s, struct recycler *r, uint32_t agg, size_t *g)
{
	const struct proc_rec *rec = session__proc(s, agg, 0);

	if (!rec || !(rec->flags & PROC_F_AGG))
		return false;
	*g = recycler__group(r, rec);
	return true;
}

uint64_t session__kfolds(const struct session *s)
{
	return __atomic_load_n(&s->skel->bss->core_kfree_slots_in, __ATOMIC_ACQUIRE);
}

void session__vanished(struct session *s, struct recycler *r, struct raw_dump *prev,
		       const struct kfold_note *notes, size_t n_notes)
{
	uint32_t carved = s->skel->data->core_next_slot, n;

	tables_fit(s);
	n = !s->procs_mem ? 0 : carved < s->procs_mapped ? carved : (uint32_t)s->procs_mapped;
	recycler__vanished(r, prev, s->procs_mem, n, notes, n_notes);
}

const uint32_t *session__registered(const struct session *s, size_t *n)
{
	*n = (size_t)s->n_registered;
	return s->registered;
}

/*
 * The mappings moved: @t's records and rows pointed again, into the new ones. False if
 * they were lost (@t then emptied: its processes are retired later).
 */
static bool retirees_rebase(struct session *s, struct retirees *t)
{
	if (!s->procs_mem || !s->rows_mem) {
		t->n = t->n_rows = 0;
		return false;
	}
	for (size_t i = 0; i < t->n; i++)
		t->recs[i] = &s->procs_mem[t->slots[i]];
	for (size_t k = 0; k < t->n_rows; k++)
		t->rows[k] = &s->rows_mem[t->row_idx[k]];
	return true;
}

int session__retiree(struct session *s, uint32_t slot, uint32_t pid, struct retirees *t)
{
	const struct proc_rec *rec;

	if (slot < SLOT_FIRST || slot >= s->max_procs)
		return -ESRCH;
	if (slot >= s->procs_mapped && tables_fit(s) && !retirees_rebase(s, t))
		return -ENOMEM;
	if (slot >= s->procs_mapped)
		return -ESRCH;
	rec = &s->procs_mem[slot];
	if (rec->pid != pid)
		return -ESRCH;
	if (!(rec->flags & PROC_F_EXITED))
		return -EBUSY;
	retirees_add_proc(t, slot, rec);
	/* its rows, from its own index tables (the overflow rows are everyone's) */
	for (uint32_t i = 0; i < SYSCALL_NR_MAX + ROW_KIND_N; i++) {
		uint32_t idx =
			i < SYSCALL_NR_MAX ? rec->syscall_row[i] : rec->row[i - SYSCALL_NR_MAX];
		const struct stat_row *row;

		if (idx < ROW_FIRST || idx >= ROW_FIRST + s->max_rows)
			continue;
		/* a row carved since the mapping last grew */
		if (idx >= s->rows_mapped && tables_fit(s)) {
			if (!retirees_rebase(s, t))
				return -ENOMEM;
			rec = &s->procs_mem[slot];
		}
		row = idx < s->rows_mapped ? &s->rows_mem[idx] : NULL;
		if (row && row->slot == slot && row->kind)
			retirees_add_row(t, idx, row);
	}
	return 0;
}

/* Put @v in a ring of free slots or rows (core_free_slots in bpf/core.h), unpublished. */
static void ring_put(uint64_t *ring, uint32_t mask, __u64 *prod, uint32_t v)
{
	ring[*prod & mask] = v;
	(*prod)++;
}

/* What ring_put() put, for the programs to take: the entries first. */
static void ring_publish(__u64 *prod, __u64 p)
{
	__atomic_store_n(prod, p, __ATOMIC_RELEASE);
}

static int cmp_retired(const void *a, const void *b)
{
	const struct retired_stacks *x = a, *y = b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	return (uint16_t)x->pid < (uint16_t)y->pid ? -1 : (uint16_t)x->pid > (uint16_t)y->pid;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void u64s_push(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof(**v));
	}
	(*v)[(*n)++] = x;
}

/*
 * Can @k's user frames be named once its process is gone? Not bare addresses: they
 * are named through the process's mappings, forgotten when its slot is recycled (and
 * never read for most of a storm's processes). Keyed under an aggregate they would
 * stay apart for every process (each its own address layout) and fill the table.
 */
static bool user_frames_lasting(struct session *s, const struct stack_key *k)
{
	struct stack_user su;

	if (k->uhash) {
		if (bpf_map_lookup_elem(bpf_map__fd(s->skel->maps.stacks_unwound), &k->uhash,
					&su) ||
		    su.n > UNWIND_DEPTH)
			return false;
		for (uint32_t i = 0; i < su.n; i++)
			if (!(su.frames[i] & FRAME_FILE))
				return false;
		/* its Python frames are named from the session's copy once the process is gone */
		py_codes_fetch(s, su.frames, su.n);
		return true;
	}
	/* off-CPU stacks are addresses; on-CPU ones without the unwinder, build ids */
	return k->ustack < 0 || k->kind == STACK_ONCPU;
}

/*
 * Every key and value of stacks_counts, in batches (a syscall per bucket range rather
 * than two per key: the table holds thousands). Into @keys and @vals (grown); how many.
 */
static size_t stacks_read_all(int fd, struct stack_key **keys, struct stack_val **vals, size_t *cap)
{
	__u64 in = 0, out = 0;
	size_t n = 0;
	bool first = true, grow = false;

	for (;;) {
		__u32 count;
		int err;

		if (grow || *cap - n < 1024) {
			grow = false;
			*cap = *cap ? *cap * 2 : 4096;
			*keys = xrealloc(*keys, *cap * sizeof(**keys));
			*vals = xrealloc(*vals, *cap * sizeof(**vals));
		}
		count = (__u32)(*cap - n);
		err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, *keys + n, *vals + n,
					   &count, NULL);
		if (err && errno == ENOSPC && !count) {
			grow = true; /* a bucket larger than the room left */
			continue;
		}
		if (err && errno != ENOENT) { /* hash maps have batches since 5.6; we need 5.11 */
			pr_warn("cannot read the stack counts: %s", strerror(errno));
			return n;
		}
		n += count;
		if (err)
			return n; /* ENOENT: the last batch */
		first = false;
		in = out;
	}
}

int session__rekey_stacks(struct session *s, const struct retired_stacks *r, size_t n,
			  bool drop_unknown)
{
	int fd = bpf_map__fd(s->skel->maps.stacks_counts), dropped = 0;
	struct stack_key *keys = NULL, *gone = NULL;
	struct stack_val *vals = NULL;
	struct retired_stacks *sorted;
	size_t n_keys, cap = 0;
	__u32 n_gone = 0;
	/* walked stacks: those keys still name, and those only dropped user frames named */
	uint64_t *kept = NULL, *orphans = NULL;
	size_t n_kept = 0, kept_cap = 0, n_orphans = 0, orphans_cap = 0;

	if (!(s->subsys & SUB_STACKS))
		return 0;
	n_keys = stacks_read_all(fd, &keys, &vals, &cap);
	gone = xcalloc(n_keys ? n_keys : 1, sizeof(*gone));
	sorted = xmemdup(r, n * sizeof(*r));
	qsort(sorted, n, sizeof(*sorted), cmp_retired);
	for (size_t k = 0; k < n_keys; k++) {
		struct stack_key to = keys[k];
		int64_t pid = slot_pid(s, to.slot); /* the reporter's thread: a copy */
		struct retired_stacks want = {to.slot, to.pid16, 0};
		const struct retired_stacks *to_agg;

		/* a live process's (its slot's pid16 agrees), or not a process's */
		if (pid < 0 || (pid && (uint16_t)pid == to.pid16)) {
			if (to.uhash)
				u64s_push(&kept, &n_kept, &kept_cap, to.uhash);
			continue;
		}
		to_agg = n ? bsearch(&want, sorted, n, sizeof(*sorted), cmp_retired) : NULL;
		if (!to_agg && !drop_unknown) {
			if (to.uhash) /* retired since the list was made: the next rekey's */
				u64s_push(&kept, &n_kept, &kept_cap, to.uhash);
			continue;
		}
		gone[n_gone++] = keys[k];
		if (!to_agg) {
			dropped++;
			if (to.uhash)
				u64s_push(&orphans, &n_orphans, &orphans_cap, to.uhash);
			continue;
		}
		to.slot = to_agg->pseudo;
		to.pid16 = 0;
		if (!user_frames_lasting(s, &to)) {
			if (to.uhash)
				u64s_push(&orphans, &n_orphans, &orphans_cap, to.uhash);
			to.uhash = 0;
			to.ustack = STACK_ID_FORGOTTEN;
		}
		if (!stackstore__add(&s->folded_stacks, &to, &vals[k]) && to.uhash)
			u64s_push(&orphans, &n_orphans, &orphans_cap, to.uhash);
	}
	if (n_gone)
		bpf_map_delete_batch(fd, gone, &n_gone, NULL);
	/* what the kept aggregates' stacks name */
	for (size_t k = 0; k < s->folded_stacks.n; k++)
		if (s->folded_stacks.keys[k].uhash)
			u64s_push(&kept, &n_kept, &kept_cap, s->folded_stacks.keys[k].uhash);
	/* walked stacks no key names any more: the programs store them again if met again */
	if (n_kept)
		qsort(kept, n_kept, sizeof(*kept), cmp_u64);
	for (size_t k = 0; k < n_orphans; k++)
		if (!n_kept || !bsearch(&orphans[k], kept, n_kept, sizeof(*kept), cmp_u64))
			bpf_map_delete_elem(bpf_map__fd(s->skel->maps.stacks_unwound), &orphans[k]);
	free(kept);
	free(orphans);
	free(sorted);
	free(gone);
	free(keys);
	free(vals);
	return dropped;
}

int session__recycle(struct session *s, const struct retirees *r)
{
	__u64 rows = s->skel->bss->core_free_rows_prod, slots = s->skel->bss->core_free_slots_prod;

	if (!s->recycle)
		return -EINVAL;
	/*
	 * Zeroed first, then given back: what a program takes is clean. The slots first:
	 * then no program finds the rows through them. A ring holds as many entries as
	 * there are slots (rows), so it cannot overflow. Of a row, the buckets beyond its
	 * maximum's are zero already.
	 */
	for (size_t i = 0; i < r->n; i++) {
		/* the VMAs its walks learned (only a process with stacks was walked) */
		if (s->unwind && (r->recs[i]->flags & PROC_F_STACKS))
			bpf_map_delete_elem(bpf_map__fd(s->skel->maps.unwind_vmas), &r->slots[i]);
		memset(&s->procs_mem[r->slots[i]], 0, sizeof(*s->procs_mem));
	}
	for (size_t i = 0; i < r->n_rows; i++) {
		struct stat_row *row = &s->rows_mem[r->row_idx[i]];
		size_t used =
			offsetof(struct stat_row, hist) + row_hist_used(row) * sizeof(*row->hist);

		memset(row, 0, used);
		ring_put(s->free_rows, s->free_rows_mask, &rows, r->row_idx[i]);
	}
	for (size_t i = 0; i < r->n; i++)
		ring_put(s->free_slots, s->free_slots_mask, &slots, r->slots[i]);
	ring_publish(&s->skel->bss->core_free_rows_prod, rows);
	ring_publish(&s->skel->bss->core_free_slots_prod, slots);
	return 0;
}

void session__bytes(const struct session *s, uint64_t *disk, uint64_t *net)
{
	uint32_t n = s->skel->data->core_next_slot;

	*disk = *net = 0;
	if (!s->procs_mem) /* map_tables: the caller's to ask for */
		return;
	if (n > s->procs_mapped)
		n = (uint32_t)s->procs_mapped;
	for (uint32_t slot = SLOT_OVERFLOW; slot < n; slot++) {
		const struct proc_rec *p = &s->procs_mem[slot];

		if (!p->pid)
			continue;
		for (int i = 0; i < IO_OP_N; i++)
			*disk += p->io.bytes[i];
		*disk += p->io.wb_bytes;
		*net += p->net.tx_bytes + p->net.rx_bytes;
	}
}
