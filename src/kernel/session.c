// SPDX-License-Identifier: GPL-2.0
/*
 * BPF session lifecycle. Configuration happens between open and load (rodata, map
 * sizes, which programs load at all); attaching is done program by program so that
 * a failure names the program; every exit path ends in session__free(), which
 * detaches and frees everything, so a failed or interrupted run leaves nothing
 * loaded in the kernel.
 */
#include <errno.h>
#include <linux/perf_event.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <sys/mman.h>
#include <sys/stat.h>

#include "host/psi.h"
#include "kernel/loadlog.h"
#include "kernel/proc_rec.h"
#include "lib/log.h"
#include "kernel/session_priv.h"
#include "lib/syscall_table.h"
#include "lib/util.h"

/* libbpf's warnings during a load, kept to find what the kernel refused (loadlog.h). */
static struct {
	bool on;
	char *buf;
	size_t len, cap;
} load_log;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (load_log.on && level == LIBBPF_WARN) {
		va_list copy;
		int n;

		va_copy(copy, ap);
		n = vsnprintf(NULL, 0, fmt, copy);
		va_end(copy);
		if (n > 0 && load_log.len + (size_t)n + 1 <= (4u << 20)) {
			if (load_log.len + (size_t)n + 1 > load_log.cap) {
				load_log.cap = (load_log.len + (size_t)n + 1) * 2;
				load_log.buf = xrealloc(load_log.buf, load_log.cap);
			}
			va_copy(copy, ap);
			vsnprintf(load_log.buf + load_log.len, (size_t)n + 1, fmt, copy);
			va_end(copy);
			load_log.len += (size_t)n;
		}
	}
	if (level == LIBBPF_DEBUG && log_verbosity < 3)
		return 0;
	if (level == LIBBPF_INFO && log_verbosity < 2)
		return 0;
	/* a refused program is said once, in one line, by the caller; -vv shows libbpf's log */
	if (level == LIBBPF_WARN && (log_verbosity < 1 || (load_log.on && log_verbosity < 2)))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/*
 * Does the kernel have tracepoint @name? Its BTF then names the type btf_trace_<name>:
 * @tps holds those names (btf_tracepoints()).
 */
static bool kernel_has_tp(const char *tps, size_t len, const char *name)
{
	char needle[128];
	int n;

	if (!tps)
		return true; /* cannot tell: let the load say */
	n = snprintf(needle, sizeof(needle), "%c%s%c", 0, name, 0);
	return memmem(tps, len, needle, (size_t)n) != NULL;
}

/*
 * The tracepoints' names in the raw BTF at @path, each after a NUL and ended by one
 * (NULL if unreadable); caller frees. The strings are looked for in the file mapped
 * (6.16 and newer map the kernel's; nothing is copied), else as it is read, 64 KiB at
 * a time -- the kernel's comes 4 KiB per read: a thousand reads. Either way, not 5 MiB
 * more at our peak (parsing the BTF, as libbpf will to load, would cost fifty
 * milliseconds).
 */
#define BTF_CHUNK (64U << 10)
#define BTF_CARRY 256U
struct tp_names {
	char *out;
	size_t n, cap;
};

/* The names in @buf[0, @have) into @t; where a name not ended in it may begin. */
static size_t tp_names_scan(struct tp_names *t, const char *buf, size_t have)
{
	static const char prefix[] = "\0btf_trace_";
	const size_t plen = sizeof(prefix) - 1;
	const char *p = buf;

	while ((p = memmem(p, (size_t)(buf + have - p), prefix, plen))) {
		const char *name = p + plen, *end = memchr(name, 0, (size_t)(buf + have - name));

		if (!end)
			return (size_t)(p - buf); /* its end is in the next chunk */
		if (t->n + (size_t)(end - name) + 1 > t->cap)
			t->out = xrealloc(t->out, t->cap = t->cap * 2 + (size_t)(end - name));
		memcpy(t->out + t->n, name, (size_t)(end - name) + 1);
		t->n += (size_t)(end - name) + 1;
		p = end; /* its NUL may begin the next */
	}
	/* no name begun: a prefix's first bytes may end the chunk */
	return have - (have < plen ? have : plen - 1);
}

static char *btf_tracepoints(const char *path, size_t *len)
{
	struct tp_names t = {.out = xmalloc(4096), .n = 1, .cap = 4096};
	size_t have = 0;
	struct stat st;
	void *map;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		free(t.out);
		return NULL;
	}
	t.out[0] = '\0';
	map = fstat(fd, &st) == 0 && st.st_size > 0
		      ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
		      : MAP_FAILED;
	if (map != MAP_FAILED) {
		tp_names_scan(&t, map, (size_t)st.st_size);
		munmap(map, (size_t)st.st_size);
		close(fd);
		*len = t.n;
		return t.out;
	}
	buf = xmalloc(BTF_CHUNK + BTF_CARRY);
	for (;;) {
		ssize_t r = read(fd, buf + have, BTF_CHUNK);
		size_t keep;

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		have += (size_t)r;
		/* carry what may begin a name: the one not ended, or a prefix's first bytes */
		keep = tp_names_scan(&t, buf, have);
		if (have - keep > BTF_CARRY)
			keep = have - BTF_CARRY;
		memmove(buf, buf + keep, have - keep);
		have -= keep;
	}
	close(fd);
	free(buf);
	*len = t.n;
	return t.out;
}

/* What a record's callback returns: @err, or -EAGAIN when the drain's budget is spent. */
static int drain_budget(const struct session *s, int err)
{
	/* out of budget: this record is consumed, the rest wait for the next round */
	if (!err && s->drain_until_ns && now_ns() >= s->drain_until_ns)
		return -EAGAIN;
	return err;
}

static int ring_cb(void *ctx, void *data, size_t len)
{
	struct session *s = ctx;
	int err = s->on_event ? s->on_event(s->ev_ctx, data, len) : 0;

	if (!s->events++ && len >= sizeof(struct ev_hdr)) {
		s->first_event_ns = ((const struct ev_hdr *)data)->ts_ns;
		s->first_seen_ns = now_ns();
	}
	return drain_budget(s, err);
}

/* Who ended a wait: a record of core_path into the history. */
static int path_cb(void *ctx, void *data, size_t len)
{
	const struct wait_rec *r = data;
	struct session *s = ctx;
	struct wait w;

	if (len < sizeof(*r) || !s->history)
		return drain_budget(s, 0);
	w = (struct wait){.seg_start = r->seg_start,
			  .block_ns = r->block_ns,
			  .wake_ns = r->wake_ns,
			  .oncpu_ns = r->oncpu_ns,
			  .runq_ns = r->runq_ns,
			  .wclass = r->wclass,
			  .src = r->src,
			  .exit = !!(r->flags & WAIT_F_EXIT),
			  .again = !!(r->flags & WAIT_F_AGAIN),
			  .merged = !!(r->flags & WAIT_F_MERGED),
			  .lock_key = r->lock_key};
	history_add(s->history, r->tid, r->pid, &w, r->waker, r->waker_pid);
	if ((r->flags & WAIT_F_ADOPTED) && s->past_cap)
		past__recall(s, r->waker, r->waker_pid, r->block_ns, r->wake_ns);
	return drain_budget(s, 0);
}

/* --trace: a record of core_trace, as the model's timeline has it. */
static int trace_cb(void *ctx, void *data, size_t len)
{
	const struct trace_rec *r = data;
	struct session *s = ctx;
	struct tl_event e;

	if (len < sizeof(*r))
		return drain_budget(s, 0);
	e = (struct tl_event){.start_ns = r->start_ns,
			      .end_ns = r->end_ns,
			      .tid = r->tid,
			      .pid = r->pid,
			      .waker = r->waker,
			      .waker_pid = r->waker_pid,
			      .kind = r->kind == TR_WAKE ? TL_WAKE : TL_SLICE,
			      .tstate = r->tstate,
			      .wclass = r->wclass};
	return drain_budget(s, s->on_trace(s->ev_ctx, &e));
}

static struct kernel_note *note_add(struct session *s, int kind, const struct subsys_desc *d,
				    const struct subsys_prog *p)
{
	struct kernel_info *k = &s->kernel;
	struct kernel_note *n;

	if (k->n_notes == KERNEL_NOTES_MAX)
		return NULL;
	n = &k->notes[k->n_notes++];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	snprintf(n->subsys, sizeof(n->subsys), "%s", d->name);
	snprintf(n->prog, sizeof(n->prog), "%s", p->name);
	return n;
}

/* Is the program named @name off on this kernel (missing tracepoint, or refused)? */
static bool prog_noted(const struct session *s, const char *name)
{
	for (size_t i = 0; i < s->kernel.n_notes; i++)
		if (!strcmp(s->kernel.notes[i].prog, name))
			return true;
	return false;
}

/* The programs wanted, minus the ones this kernel cannot have (noted once). */
static void choose_programs(struct session *s, const char *btf, size_t btf_len)
{
	struct bpf_program *prog;

	bpf_object__for_each_program (prog, s->skel->obj) {
		const struct subsys_prog *sp;
		const struct subsys_desc *d = subsys_of_prog(bpf_program__name(prog), &sp);
		bool on = d && subsys_prog_wanted(d, sp, s->subsys);

		if (on && sp->tp && !prog_noted(s, sp->name) &&
		    !kernel_has_tp(btf, btf_len, sp->tp)) {
			struct kernel_note *n = note_add(s, KNOTE_NO_TRACEPOINT, d, sp);

			if (n) {
				snprintf(n->tracepoint, sizeof(n->tracepoint), "%s", sp->tp);
				snprintf(n->since, sizeof(n->since), "%s", sp->since);
				snprintf(n->effect, sizeof(n->effect), "%s", sp->without);
			}
			pr_info("kernel has no tracepoint '%s' (Linux %s): %s", sp->tp, sp->since,
				sp->without);
		}
		if (on && prog_noted(s, sp->name))
			on = false;
		bpf_program__set_autoload(prog, on);
	}
	/* fallbacks, once every program's fate is known */
	bpf_object__for_each_program (prog, s->skel->obj) {
		const struct subsys_prog *sp;

		if (bpf_program__autoload(prog) && subsys_of_prog(bpf_program__name(prog), &sp) &&
		    sp->instead_of && !prog_noted(s, sp->instead_of))
			bpf_program__set_autoload(prog, false);
	}
}

/*
 * Test hook (docs/design.md, *Testing*): PROCSCOPE_TEST_REFUSE=prog[,prog] loads those
 * programs as socket filters, which the kernel refuses (their context reads make no
 * sense there) -- so that the path an older kernel's refusal takes runs for real on
 * this one.
 */
static void test_refuse(struct session *s)
{
	const char *list = getenv("PROCSCOPE_TEST_REFUSE");
	struct bpf_program *prog;

	if (!list || !*list)
		return;
	bpf_object__for_each_program (prog, s->skel->obj) {
		const char *name = bpf_program__name(prog);
		size_t n = strlen(name);

		for (const char *p = list; (p = strstr(p, name)); p += n)
			if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]) &&
			    bpf_program__autoload(prog))
				bpf_program__set_type(prog, BPF_PROG_TYPE_SOCKET_FILTER);
	}
}

/* Kernel @release is at least @major.@minor. */
static bool release_at_least(const char *release, int major, int minor)
{
	int ma = 0, mi = 0;

	if (sscanf(release, "%d.%d", &ma, &mi) != 2)
		return true;
	return ma > major || (ma == major && mi >= minor);
}

/* mappings of all processes the unwinder can hold at once */
#define UNWIND_MAPS_TOTAL 65536

/*
 * Walk user stacks with unwind tables? Stacks on, not --unwind fp, and the kernel has
 * bpf_loop (5.17) and bpf_task_pt_regs (5.15); else frame pointers, said in a note.
 */
static void choose_unwind(struct session *s, const struct config *cfg)
{
	/* a note's program name: not a program's, which would turn that program off */
	static const struct subsys_prog unwind_prog = {"unwind"};
	static const char *const helpers[] = {"bpf_loop", "bpf_task_pt_regs"};
	static const char *const since[] = {"5.17", "5.15"};
	const enum bpf_func_id ids[] = {BPF_FUNC_loop, BPF_FUNC_task_pt_regs};

	s->unwind = (s->subsys & SUB_STACKS) && !cfg->unwind_fp;
	for (size_t i = 0; s->unwind && i < ARRAY_SIZE(ids); i++) {
		const struct subsys_prog *sp;
		const struct subsys_desc *d = subsys_of_prog("profile_sample", &sp);
		struct kernel_note *n;

		if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_PERF_EVENT, ids[i], NULL) > 0)
			continue;
		s->unwind = false;
		n = d ? note_add(s, KNOTE_NO_HELPER, d, &unwind_prog) : NULL;
		if (n) {
			snprintf(n->tracepoint, sizeof(n->tracepoint), "%s", helpers[i]);
			snprintf(n->since, sizeof(n->since), "%s", since[i]);
			snprintf(n->effect, sizeof(n->effect),
				 "user stacks walked with frame pointers only");
		}
		pr_info("kernel has no BPF helper %s (Linux %s): user stacks by frame pointers",
			helpers[i], since[i]);
	}
}

/* Unwind maps: sized when the tables are used, one entry each when not. */
static void configure_unwind(struct session *s, const struct config *cfg)
{
	struct procscope_bpf *skel = s->skel;

	skel->rodata->cfg_unwind = s->unwind;
	s->python = s->unwind && !cfg->no_python;
	if (!s->python)
		bpf_map__set_max_entries(skel->maps.py_codes, 1);
	if (!s->unwind) {
		bpf_map__set_max_entries(skel->maps.unwind_rows, 1);
		bpf_map__set_max_entries(skel->maps.unwind_files, 1);
		bpf_map__set_max_entries(skel->maps.unwind_maps, 1);
		bpf_map__set_max_entries(skel->maps.unwind_dir, 1);
		bpf_map__set_max_entries(skel->maps.unwind_inodes, 1);
		bpf_map__set_max_entries(skel->maps.unwind_vmas, 1);
		bpf_map__set_max_entries(skel->maps.stacks_unwound, 1);
		return;
	}
	bpf_map__set_max_entries(skel->maps.unwind_rows, cfg->unwind_rows);
	bpf_map__set_max_entries(skel->maps.unwind_files, FRAME_FILE_MAX + 1);
	bpf_map__set_max_entries(skel->maps.unwind_maps, UNWIND_MAPS_TOTAL);
	bpf_map__set_max_entries(skel->maps.unwind_dir, s->max_procs);
	/* the kernel's own user stack walks are not used */
	bpf_map__set_max_entries(skel->maps.stacks_user, 1);
	bpf_map__set_max_entries(skel->maps.stacks_user_ip, 1);
	/*
	 * Before 6.1, hash maps allocated on demand could not be used by perf_event
	 * programs (the restriction went with bpf_mem_alloc): a smaller preallocated one
	 */
	if (!release_at_least(s->kernel.release, 6, 1)) {
		bpf_map__set_map_flags(skel->maps.stacks_unwound, 0);
		bpf_map__set_max_entries(skel->maps.stacks_unwound, 4096);
	}
}

static int add_unwind_inode(void *ctx, const struct unwind_inode *key, uint32_t id)
{
	struct session *s = ctx;

	return bpf_map_update_elem(bpf_map__fd(s->skel->maps.unwind_inodes), key, &id, BPF_ANY)
		       ? -errno
		       : 0;
}

/* The length of array map @m's memory, as mmap(2) takes it. */
static size_t array_len(const struct bpf_map *m)
{
	return (size_t)bpf_map__max_entries(m) * bpf_map__value_size(m);
}

/* Map the memory of array map @m (BPF_F_MMAPABLE) into ours, in *@mem. 0 or -errno. */
static int map_array(const struct bpf_map *m, void **mem)
{
	void *p = mmap(NULL, array_len(m), PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m), 0);

	if (p == MAP_FAILED) {
		int err = -errno;

		pr_error("failed to map '%s': %s", bpf_map__name(m), strerror(-err));
		return err;
	}
	*mem = p;
	return 0;
}

/*
 * Copy @n elements of @src into array map @m (BPF_F_MMAPABLE) from element @first,
 * through mappings of only the pages written, PUT_WINDOW bytes at most at a time: the
 * whole array mapped would count in our RSS, every page of it. 0 or -errno.
 */
#define PUT_WINDOW (256U << 10)
static int array_put(const struct bpf_map *m, size_t first, const void *src, size_t n)
{
	size_t size = bpf_map__value_size(m), page = (size_t)sysconf(_SC_PAGESIZE);
	size_t from = first * size, end = (first + n) * size;

	if (first + n > bpf_map__max_entries(m))
		return -ERANGE;
	while (from < end) {
		size_t off = from & ~(page - 1),
		       len = end - off < PUT_WINDOW ? end - off : PUT_WINDOW;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, bpf_map__fd(m),
			       (off_t)off);

		if (p == MAP_FAILED)
			return -errno;
		memcpy(p + (from - off), (const char *)src + (from - first * size),
		       off + len - from);
		munmap(p, len);
		from = off + len;
	}
	return 0;
}

static int put_unwind(void *ctx, enum unwind_array a, size_t first, const void *src, size_t n)
{
	struct session *s = ctx;

	return array_put(a == UNWIND_ROWS ? s->skel->maps.unwind_rows : s->skel->maps.unwind_maps,
			 first, src, n);
}

/* mmap'ed arrays lay their elements out 8 bytes apart: every type must be a multiple */
_Static_assert(sizeof(struct proc_rec) % 8 == 0, "proc_rec");
_Static_assert(sizeof(struct stat_row) % 8 == 0, "stat_row");
_Static_assert(sizeof(struct unwind_row) % 8 == 0, "unwind_row");
_Static_assert(sizeof(struct unwind_file) % 8 == 0, "unwind_file");
_Static_assert(sizeof(struct unwind_map) % 8 == 0, "unwind_map");
_Static_assert(sizeof(struct unwind_dir) % 8 == 0, "unwind_dir");
_Static_assert(sizeof(struct past_rec) % 8 == 0, "past_rec");

/* The arrays written or read in place: the unwind tables, the records and rows. */
enum mapped_when { MAPPED_UNWIND, MAPPED_RECYCLE };

static const struct mapped {
	size_t skel_off; /* of the map pointer in struct procscope_bpf */
	size_t mem_off;	 /* of the memory pointer in struct session */
	size_t cap_off;	 /* of its entry count in struct session, SIZE_MAX: none */
	enum mapped_when when;
} mapped[] = {
#define MAPPED(map, mem, cap, when)                                                                \
	{                                                                                          \
		offsetof(struct procscope_bpf, maps.map), offsetof(struct session, mem), cap, when \
	}
#define CAP(f) offsetof(struct session, f)
	MAPPED(unwind_files, unwind_tables.files, CAP(unwind_tables.files_cap), MAPPED_UNWIND),
	MAPPED(unwind_dir, unwind_tables.dir, CAP(unwind_tables.dir_cap), MAPPED_UNWIND),
	MAPPED(core_free_slots, free_slots, SIZE_MAX, MAPPED_RECYCLE),
	MAPPED(core_free_rows, free_rows, SIZE_MAX, MAPPED_RECYCLE),
#undef CAP
#undef MAPPED
};

static bool mapped_wanted(const struct session *s, enum mapped_when when)
{
	return (when == MAPPED_UNWIND && s->unwind) || (when == MAPPED_RECYCLE && s->recycle);
}

static const struct bpf_map *mapped_map(const struct session *s, const struct mapped *m)
{
	return *(struct bpf_map *const *)((const char *)s->skel + m->skel_off);
}

/* Map the arrays of mapped[] this session uses. 0 or -errno. */
static int map_arrays(struct session *s)
{
	s->unwind_tables.add_inode = add_unwind_inode;
	s->unwind_tables.put = put_unwind;
	s->unwind_tables.ctx = s;
	if (s->unwind) {
		s->unwind_tables.rows_cap = bpf_map__max_entries(s->skel->maps.unwind_rows);
		s->unwind_tables.maps_cap = bpf_map__max_entries(s->skel->maps.unwind_maps);
	}
	s->unwind_tables.python = s->python;
	for (size_t i = 0; i < ARRAY_SIZE(mapped); i++) {
		const struct bpf_map *m = mapped_map(s, &mapped[i]);
		int err;

		if (!mapped_wanted(s, mapped[i].when))
			continue;
		err = map_array(m, (void **)((char *)s + mapped[i].mem_off));
		if (err)
			return err;
		if (mapped[i].cap_off != SIZE_MAX)
			*(size_t *)((char *)s + mapped[i].cap_off) = bpf_map__max_entries(m);
	}
	if (s->map_tables && (tables_fit(s), !s->procs_mem || !s->rows_mem))
		return -ENOMEM;
	return 0;
}

static void unmap_arrays(struct session *s)
{
	for (size_t i = 0; s->skel && i < ARRAY_SIZE(mapped); i++) {
		void **mem = (void **)((char *)s + mapped[i].mem_off);

		if (*mem)
			munmap(*mem, array_len(mapped_map(s, &mapped[i])));
		*mem = NULL;
	}
	if (s->skel)
		tables_unmap(s);
}

const struct unwind_tables *session__unwind_tables(const struct session *s)
{
	return s->unwind && s->unwind_tables.files ? &s->unwind_tables : NULL;
}

static uint32_t pow2_at_least(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

/* Rodata and map sizes for the subsystems on; between open and load. */
/*
 * Who ended each wait, and peers: with the scheduler, when a history is kept; peers
 * outside the whole system (-a) there are none. A loopback sender is told by its
 * syscall, read with bpf_task_pt_regs() (5.15).
 */
static void configure_path(struct session *s, const struct session_opts *o)
{
	struct procscope_bpf *skel = s->skel;

	if (!o->history || !(s->subsys & SUB_SCHED))
		return;
	s->history = o->history;
	skel->rodata->cfg_path = 1;
	bpf_map__set_max_entries(skel->maps.core_path, PATH_RING_BYTES);
	if (o->mode != MODE_ALL) {
		skel->rodata->cfg_peer_depth = o->peer_depth;
		skel->rodata->cfg_max_peers = o->max_peers;
	}
	skel->rodata->cfg_pt_regs =
		libbpf_probe_bpf_helper(BPF_PROG_TYPE_PERF_EVENT, BPF_FUNC_task_pt_regs, NULL) > 0;
	syscall_send_table((uint8_t *)skel->rodata->cfg_syscall_send, SYSCALL_NR_MAX);
	if (skel->rodata->cfg_peer_depth && skel->rodata->cfg_pt_regs)
		past__configure(s, o->peer_depth);
	else
		bpf_program__set_autoload(skel->progs.core_seeds, false);
}

/* aggregates the kernel's fold keeps at most (commands x cgroups); beyond, userspace's */
#define KFOLD_AGGS_MAX 4096

/*
 * A monitor: when userspace is late recycling, processes are folded into their
 * aggregates by the kernel at their exit (proc_fold() in bpf/core.bpf.c), if it has
 * bpf_loop (5.17).
 */
static void configure_kfold(struct session *s)
{
	struct procscope_bpf *skel = s->skel;
	size_t n;

	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_RAW_TRACEPOINT, BPF_FUNC_loop, NULL) <= 0)
		return;
	n = proc_rec_fold_offsets((uint16_t *)skel->rodata->cfg_fold_off, PROC_FOLD_N);
	if (n > PROC_FOLD_N) {
		pr_warn("the kernel's fold has room for %d counters, not %zu: left to userspace",
			PROC_FOLD_N, n);
		return;
	}
	skel->rodata->cfg_fold_n = (uint32_t)n;
	skel->rodata->cfg_kfold = 1;
	s->kfold = true;
	bpf_map__set_max_entries(skel->maps.core_kfree_slots, s->max_procs);
	bpf_map__set_max_entries(skel->maps.core_kfree_rows, ROW_FIRST + s->max_rows);
	bpf_map__set_max_entries(skel->maps.core_aggs, KFOLD_AGGS_MAX);
}

static void configure(struct session *s, const struct session_opts *o)
{
	const struct config *cfg = o->cfg;
	struct procscope_bpf *skel = s->skel;
	struct bpf_map *map;

	skel->rodata->cfg_mode = o->mode;
	skel->rodata->cfg_follow_children = cfg->follow_children;
	skel->rodata->cfg_self_tgid = (uint32_t)getpid();
	skel->rodata->cfg_cg_id = o->cg_id;
	skel->rodata->cfg_cg_level = o->cg_level;
	skel->rodata->cfg_max_procs = s->max_procs;
	skel->rodata->cfg_max_rows = s->max_rows;
	skel->rodata->cfg_sched = !!(s->subsys & SUB_SCHED);
	skel->rodata->cfg_mem = !!(s->subsys & SUB_MEM);
	skel->rodata->cfg_io = !!(s->subsys & SUB_IO);
	skel->rodata->cfg_trace = o->on_trace && (s->subsys & SUB_SCHED);
	if (skel->rodata->cfg_trace)
		bpf_map__set_max_entries(skel->maps.core_trace, o->trace_ring_bytes);
	configure_path(s, o);
	skel->rodata->cfg_page_size = (uint32_t)sysconf(_SC_PAGESIZE);
	skel->rodata->cfg_ncpus =
		(uint32_t)(libbpf_num_possible_cpus() > 0 ? libbpf_num_possible_cpus() : 1);
	skel->rodata->cfg_wake_gap_ns = s->recycle ? EVENTS_WAKE_GAP_NS : 0;
	skel->rodata->cfg_offcpu = !!(s->subsys & SUB_OFFCPU);
	skel->rodata->cfg_offcpu_min_ns = cfg->offcpu_min_ns;
	skel->rodata->cfg_syscall_budget = cfg->syscall_time_all ? ~0U : SYSCALL_BUDGET_DEFAULT;
	syscall_wait_classes((uint8_t *)skel->rodata->cfg_syscall_class, SYSCALL_NR_MAX);
	/* without sock_send/recv_length, TCP bytes come from the socket's counters at close */
	for (size_t i = 0; i < s->kernel.n_notes; i++) {
		if (!strcmp(s->kernel.notes[i].prog, "net_send"))
			skel->rodata->cfg_net_close_tx = 1;
		if (!strcmp(s->kernel.notes[i].prog, "net_recv"))
			skel->rodata->cfg_net_close_rx = 1;
		/* without block_io_start, requests are first seen when inserted or issued */
		if (!strcmp(s->kernel.notes[i].prog, "io_start"))
			skel->rodata->cfg_io_claim_late = 1;
	}
	/* stack maps sched_switch refers to: one entry each when their stacks are off */
	if (!(s->subsys & SUB_PROFILE))
		bpf_map__set_max_entries(skel->maps.stacks_user, 1);
	if (!(s->subsys & SUB_OFFCPU))
		bpf_map__set_max_entries(skel->maps.stacks_user_ip, 1);
	if (!(s->subsys & SUB_STACKS)) {
		bpf_map__set_max_entries(skel->maps.stacks_kernel, 1);
		bpf_map__set_max_entries(skel->maps.stacks_counts, 1);
	}
	configure_unwind(s, cfg);
	/* the rings of recycled slots and rows: powers of two, as large as what they hold */
	if (s->recycle) {
		s->free_slots_mask = pow2_at_least(s->max_procs) - 1;
		s->free_rows_mask = pow2_at_least(ROW_FIRST + s->max_rows) - 1;
		skel->rodata->cfg_free_slots_mask = s->free_slots_mask;
		skel->rodata->cfg_free_rows_mask = s->free_rows_mask;
		bpf_map__set_max_entries(skel->maps.core_free_slots, s->free_slots_mask + 1);
		bpf_map__set_max_entries(skel->maps.core_free_rows, s->free_rows_mask + 1);
		configure_kfold(s);
	}
	bpf_map__set_max_entries(skel->maps.core_procs, s->max_procs);
	bpf_map__set_max_entries(skel->maps.core_rows, ROW_FIRST + s->max_rows);
	/* processes beyond max_procs still get an entry, mapping them to the overflow slot */
	bpf_map__set_max_entries(skel->maps.core_tgid_slot, s->max_procs * 2);
	bpf_object__for_each_map (map, skel->obj) {
		for (const struct subsys_desc *d = subsystems; d->name; d++)
			if (d->map_prefix &&
			    !strncmp(bpf_map__name(map), d->map_prefix, strlen(d->map_prefix)))
				bpf_map__set_autocreate(map, !!(s->subsys & d->bit));
	}
}

/*
 * The kernel refused a program (its name and reason in libbpf's log): carry on without
 * it -- just the program when procscope has another way (sp->without), else its
 * subsystem and what needs that. false when nothing can be done without it.
 */
static bool degrade(struct session *s, const char *log)
{
	const struct subsys_prog *sp;
	const struct subsys_desc *d;
	struct kernel_note *n;
	char name[64], why[200];
	unsigned int off;

	if (!loadlog_failed_prog(log, name, sizeof(name)) || !(d = subsys_of_prog(name, &sp)) ||
	    prog_noted(s, sp->name))
		return false;
	loadlog_reason(log, name, why, sizeof(why));
	if (!sp->without && !d->bit && !sp->also) {
		pr_error("this kernel refused '%s', which procscope cannot run without: %s", name,
			 why[0] ? why : "(no reason given; -vv shows libbpf's log)");
		s->said = true;
		return false;
	}
	off = sp->without ? 0 : d->bit | sp->also;
	for (const struct subsys_desc *x = subsystems; x->name; x++)
		if (x->needs & off)
			off |= x->bit;
	off &= s->subsys;
	if (!(n = note_add(s, KNOTE_REJECTED, d, sp)))
		return false;
	snprintf(n->reason, sizeof(n->reason), "%s", why);
	if (sp->without) {
		snprintf(n->effect, sizeof(n->effect), "%s", sp->without);
		pr_warn("this kernel refused '%s': %s; %s", name, why, sp->without);
	} else {
		char list[96] = "";

		for (const struct subsys_desc *x = subsystems; x->name; x++)
			if (off & x->bit)
				snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s'%s'",
					 list[0] ? ", " : "", x->name);
		snprintf(n->effect, sizeof(n->effect), "off: %s", list);
		pr_warn("%s off: this kernel refused '%s': %s", list, name, why);
	}
	s->subsys &= ~off;
	if (!s->subsys) {
		pr_error("nothing left to measure on this kernel");
		s->said = true;
		return false;
	}
	return true;
}

/* CLOCK_BOOTTIME, the clock of bpf_prog_info.load_time. */
static uint64_t boottime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

struct prog_time {
	const char *name;
	uint64_t start_ns; /* when the kernel began loading it (its info's load_time) */
	uint64_t ns;	   /* until the next one began: its verification, mostly */
	uint32_t insns;	   /* instructions the verifier went through (0: not said) */
};

static int by_start(const void *a, const void *b)
{
	const struct prog_time *x = a, *y = b;

	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

static int by_cost(const void *a, const void *b)
{
	const struct prog_time *x = a, *y = b;

	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

/*
 * -v: what the load of @s, begun at @begin_ns and ended at @end_ns (boot time), spent
 * on maps (until the first program) and on each program: the kernel stamps each
 * program with the moment its load began, programs load one after the other, so each
 * one's share is the time to the next one's. The five costliest are named.
 */
static void say_load_breakdown(struct session *s, uint64_t begin_ns, uint64_t end_ns)
{
	struct prog_time t[64];
	struct bpf_program *prog;
	uint64_t insns = 0;
	char line[512];
	size_t n = 0, len;

	bpf_object__for_each_program (prog, s->skel->obj) {
		struct bpf_prog_info info = {0};
		__u32 info_len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || n == ARRAY_SIZE(t) || bpf_obj_get_info_by_fd(fd, &info, &info_len))
			continue;
		t[n++] = (struct prog_time){bpf_program__name(prog), info.load_time, 0,
					    info.verified_insns};
	}
	if (!n)
		return;
	qsort(t, n, sizeof(t[0]), by_start);
	for (size_t i = 0; i < n; i++)
		t[i].ns = (i + 1 < n ? t[i + 1].start_ns : end_ns) - t[i].start_ns;
	len = (size_t)snprintf(line, sizeof(line),
			       "load: before the programs (BTF, relocations, maps) %.1f ms, %zu "
			       "programs %.1f ms (",
			       (t[0].start_ns - begin_ns) / 1e6, n, (end_ns - t[0].start_ns) / 1e6);
	qsort(t, n, sizeof(t[0]), by_cost);
	for (size_t i = 0; i < n && i < 5 && len < sizeof(line); i++)
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s %.1f", i ? ", " : "",
					t[i].name, t[i].ns / 1e6);
	for (size_t i = 0; i < n; i++)
		insns += t[i].insns;
	pr_info("%s%s ms)", line, n > 5 ? ", ..." : "");
	if (insns)
		pr_info("load: the verifier went through %llu instructions (%s %u, %s %u, %s %u, "
			"...)",
			(unsigned long long)insns, t[0].name, t[0].insns, n > 1 ? t[1].name : "-",
			n > 1 ? t[1].insns : 0, n > 2 ? t[2].name : "-", n > 2 ? t[2].insns : 0);
}

/* Open, configure and load; on a refused program, without it (degrade()), again. */
static int load(struct session *s, const struct session_opts *o)
{
	const struct config *cfg = o->cfg;
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .btf_custom_path = cfg->btf_path);
	size_t btf_len = 0, elf_len;
	const void *elf;
	char *btf = NULL;
	struct stat st;
	int err = 0;

	if (cfg->subsys & (SUB_IO | SUB_NET))
		btf = btf_tracepoints(cfg->btf_path ? cfg->btf_path : "/sys/kernel/btf/vmlinux",
				      &btf_len);
	choose_unwind(s, cfg);
	/* libbpf's two copies of the kernel's BTF (util.h) */
	heap_burst_begin(stat(cfg->btf_path ? cfg->btf_path : "/sys/kernel/btf/vmlinux", &st)
				 ? 12 << 20
				 : 2 * (size_t)st.st_size);
	for (int attempt = 0; attempt <= KERNEL_NOTES_MAX; attempt++) {
		uint64_t t_open = now_ns(), t_load, t_boot;

		procscope_bpf__destroy(s->skel);
		s->skel = procscope_bpf__open_opts(&oopts);
		if (!s->skel) {
			err = -errno;
			pr_error("failed to open the BPF object: %s", strerror(-err));
			break;
		}
		/* the object is parsed and copied: its embedded ELF out of the peak RSS */
		elf = procscope_bpf__elf_bytes(&elf_len);
		pages_release(elf, elf_len);
		choose_programs(s, btf, btf_len); /* first: configure() reads its notes */
		configure(s, o);
		test_refuse(s);
		t_load = now_ns();
		load_log.on = true;
		load_log.len = 0;
		if (load_log.buf)
			load_log.buf[0] = '\0';
		t_boot = boottime_ns();
		err = procscope_bpf__load(s->skel);
		load_log.on = false;
		pr_info("open %.1f ms, load %.1f ms", (t_load - t_open) / 1e6,
			(now_ns() - t_load) / 1e6);
		if (!err && log_verbosity > 0)
			say_load_breakdown(s, t_boot, boottime_ns());
		if (!err || !load_log.buf || !degrade(s, load_log.buf))
			break;
	}
	heap_burst_end();
	if (err && !s->said)
		pr_error("failed to load BPF programs: %s%s", strerror(-err),
			 err == -EPERM ? " (root with CAP_BPF and CAP_PERFMON needed; locked down "
					 "kernel?)"
				       : " (run with -vv for libbpf's log)");
	free(btf);
	free(load_log.buf);
	memset(&load_log, 0, sizeof(load_log));
	return err;
}

int session__open(struct session **out, const struct session_opts *o)
{
	const struct config *cfg = o->cfg;
	struct session *s = xcalloc(1, sizeof(*s));
	struct utsname u;
	int err;

	pthread_mutex_init(&s->tables_mu, NULL);
	s->stats_fd = -1;
	s->max_procs = cfg->max_procs;
	s->max_rows = cfg->max_rows;
	s->subsys = cfg->subsys;
	s->started_ns = o->started_ns;
	s->system = o->mode != MODE_PIDS;
	s->recycle = o->recycle;
	s->map_tables = o->map_tables || o->recycle;
	snprintf(s->psi_dir, sizeof(s->psi_dir), "%s", o->psi_dir ? o->psi_dir : "");
	s->psi_cgroup = o->psi_cgroup;
	s->stats_mode = cfg->bpf_stats;
	s->on_event = o->on_event;
	s->on_trace = o->on_trace;
	s->ev_ctx = o->ctx;
	s->freq_hz = cfg->freq_hz;
	s->ncpus = libbpf_num_possible_cpus();
	if (uname(&u) == 0)
		snprintf(s->kernel.release, sizeof(s->kernel.release), "%s", u.release);
	libbpf_set_print(libbpf_print);

	err = load(s, o);
	if (err)
		goto fail;
	s->kernel.subsys = s->subsys;
	/* a refusal may have turned the stacks off since choose_unwind() */
	s->unwind &= !!(s->subsys & SUB_STACKS);
	s->python &= s->unwind;
	s->kernel.unwind_cfi = s->unwind;
	err = map_arrays(s);
	if (err)
		goto fail;
	/* the CPython layouts the unwinder may follow */
	for (uint32_t i = 1; s->python && i < PY_LAYOUTS; i++)
		if (py_layout_at(i))
			bpf_map_update_elem(bpf_map__fd(s->skel->maps.py_layouts), &i,
					    py_layout_at(i), BPF_ANY);
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.core_events), ring_cb, s, NULL);
	if (!s->rb) {
		err = -errno;
		pr_error("failed to open the ring buffer: %s", strerror(-err));
		goto fail;
	}
	if (s->skel->rodata->cfg_trace &&
	    ring_buffer__add(s->rb, bpf_map__fd(s->skel->maps.core_trace), trace_cb, s)) {
		err = -errno;
		pr_error("failed to open the trace's ring buffer: %s", strerror(-err));
		goto fail;
	}
	if (s->skel->rodata->cfg_path &&
	    ring_buffer__add(s->rb, bpf_map__fd(s->skel->maps.core_path), path_cb, s)) {
		err = -errno;
		pr_error("failed to open the wake-ups' ring buffer: %s", strerror(-err));
		goto fail;
	}
	*out = s;
	return 0;
fail:
	session__free(s);
	return err ? err : -EINVAL;
}

const struct kernel_info *session__kernel(const struct session *s)
{
	return &s->kernel;
}

int session__add_pid(struct session *s, uint32_t tgid, uint32_t flags)
{
	uint32_t slot = s->skel->data->core_next_slot;
	struct proc_rec *p;
	char path[64], buf[4096], *c;
	int err = 0;

	if (slot >= s->max_procs || s->n_registered == SESSION_MAX_REGISTERED)
		return -ENOSPC;
	p = xcalloc(1, sizeof(*p));
	snprintf(path, sizeof(path), "/proc/%u/stat", tgid);
	if (read_file(path, buf, sizeof(buf)) > 0 && (c = strrchr(buf, ')'))) {
		char *open = strchr(buf, '(');
		unsigned int ppid = 0;

		if (open && c > open)
			snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(c - open - 1), open + 1);
		if (sscanf(c + 2, "%*c %u", &ppid) == 1)
			p->ppid = ppid;
	}
	p->flags = flags;
	p->pid = tgid;
	if (bpf_map_update_elem(bpf_map__fd(s->skel->maps.core_procs), &slot, p, BPF_ANY) ||
	    bpf_map_update_elem(bpf_map__fd(s->skel->maps.core_tgid_slot), &tgid, &slot, BPF_ANY))
		err = -errno;
	free(p);
	if (err)
		return err;
	s->registered[s->n_registered++] = slot;
	s->skel->data->core_next_slot = slot + 1;
	return (int)slot;
}

/* Read or write one process record. */
static int proc_rw(struct session *s, uint32_t slot, struct proc_rec *p, bool write)
{
	int fd = bpf_map__fd(s->skel->maps.core_procs);

	if (write ? bpf_map_update_elem(fd, &slot, p, BPF_ANY) : bpf_map_lookup_elem(fd, &slot, p))
		return -errno;
	return 0;
}

/*
 * BPF_ENABLE_STATS makes the kernel read the clock twice around every run of every
 * BPF program: ~75 ns each on a VM. In sample mode it is on for a window of each
 * period, and totals are scaled by the coverage (see session_collect.c).
 */
static void stats_enable(struct session *s, uint64_t now)
{
	s->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (s->stats_fd < 0) {
		pr_warn("cannot measure BPF run time (BPF_ENABLE_STATS): %s", strerror(errno));
		s->stats_mode = BPF_STATS_OFF;
		s->stats_next_ns = 0;
		return;
	}
	s->stats_on_since = now;
	s->stats_next_ns = s->stats_mode == BPF_STATS_SAMPLE ? now + STATS_WINDOW_NS : 0;
}

static void stats_disable(struct session *s, uint64_t now)
{
	if (s->stats_fd < 0)
		return;
	close(s->stats_fd);
	s->stats_fd = -1;
	s->stats_covered_ns += now - s->stats_on_since;
}

uint64_t session__stats_next(const struct session *s)
{
	return s->stats_next_ns;
}

void session__stats_tick(struct session *s, uint64_t now)
{
	if (!s->stats_next_ns || now < s->stats_next_ns)
		return;
	if (s->stats_fd >= 0) {
		uint64_t opened = s->stats_on_since;

		stats_disable(s, now);
		if (!s->stats_period_ns)
			s->stats_period_ns = STATS_PERIOD_NS;
		s->stats_next_ns = opened + s->stats_period_ns;
		if (s->stats_next_ns <= now)
			s->stats_next_ns = now + s->stats_period_ns - STATS_WINDOW_NS;
		if (s->stats_period_ns < STATS_PERIOD_MAX_NS)
			s->stats_period_ns *= 2;
	} else {
		stats_enable(s, now);
	}
}

static void add_link(struct session *s, struct bpf_link *link)
{
	s->links = xrealloc(s->links, sizeof(*s->links) * (s->n_links + 1));
	s->links[s->n_links++] = link;
}

/* One software cpu-clock event per CPU at freq_hz, each running profile_sample. */
static int attach_sampler(struct session *s, struct bpf_program *prog)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_CPU_CLOCK,
		.size = sizeof(attr),
		.sample_freq = s->freq_hz,
		.freq = 1,
	};
	int attached = 0;

	for (int cpu = 0; cpu < s->ncpus; cpu++) {
		struct bpf_link *link;
		int fd = (int)syscall(__NR_perf_event_open, &attr, -1, cpu, -1,
				      PERF_FLAG_FD_CLOEXEC);

		if (fd < 0) {
			if (errno == ENODEV)
				continue; /* offline CPU */
			pr_error("failed to open a cpu-clock event on CPU %d: %s", cpu,
				 strerror(errno));
			return -errno;
		}
		link = bpf_program__attach_perf_event(prog, fd);
		if (!link) {
			int err = -errno;

			close(fd);
			pr_error("failed to attach 'profile_sample' on CPU %d: %s", cpu,
				 strerror(-err));
			return err;
		}
		add_link(s, link); /* destroying the link closes the event */
		attached++;
	}
	return attached ? 0 : -ENODEV;
}

size_t session__prog_names(const struct session *s, const char **names, size_t max)
{
	struct bpf_program *prog;
	size_t n = 0;

	bpf_object__for_each_program (prog, s->skel->obj)
		if (bpf_program__autoload(prog) && n < max)
			names[n++] = bpf_program__name(prog);
	return n;
}

int session__attach(struct session *s)
{
	struct bpf_program *prog;
	struct proc_rec *p = xmalloc(sizeof(*p));
	uint64_t t0 = now_ns();
	int err = 0;

	/* provisional start, for tasks first seen while we attach */
	s->skel->bss->core_attach_ns = t0;

	bpf_object__for_each_program (prog, s->skel->obj) {
		struct bpf_link *link;

		if (!bpf_program__autoload(prog))
			continue;
		if (prog == s->skel->progs.profile_sample) {
			err = attach_sampler(s, prog);
			if (err)
				goto out;
			continue;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			err = -errno;
			pr_error("failed to attach '%s': %s", bpf_program__name(prog),
				 strerror(-err));
			goto out;
		}
		add_link(s, link);
		if (strcmp(bpf_program__name(prog), "core_tasks") == 0)
			s->task_iter = link;
		if (strcmp(bpf_program__name(prog), "core_waits") == 0)
			s->wait_iter = link;
		if (strcmp(bpf_program__name(prog), "core_seeds") == 0)
			s->seed_iter = link;
	}
	/*
	 * Accounting starts once everything is attached: the launched command, held
	 * until now, does not carry procscope's attach time as its own.
	 */
	s->attach_ns = now_ns();
	s->attach_cost_ns = s->attach_ns - t0;
	if (s->psi_dir[0])
		psi_read(s->psi_dir, s->psi_cgroup, &s->psi_attach);
	s->skel->bss->core_attach_ns = s->attach_ns;
	s->skel->bss->core_count_from = s->attach_ns; /* what closed before did not count */
	for (int i = 0; i < s->n_registered; i++) {
		if (proc_rw(s, s->registered[i], p, false) == 0 && !p->start_ns) {
			p->start_ns = s->attach_ns;
			proc_rw(s, s->registered[i], p, true);
		}
	}

	if (s->stats_mode != BPF_STATS_OFF)
		stats_enable(s, s->attach_ns);
	session__first_sight(s);

	/* a registered process that died before we attached never reports its exit */
	for (int i = 0; i < s->n_registered; i++) {
		if (proc_rw(s, s->registered[i], p, false) == 0 && !(p->flags & PROC_F_EXITED) &&
		    kill((pid_t)p->pid, 0) && errno == ESRCH) {
			p->flags |= PROC_F_EXITED;
			p->end_ns = s->attach_ns;
			proc_rw(s, s->registered[i], p, true);
		}
	}
out:
	free(p);
	return err;
}

int session__ring_fd(struct session *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

int session__drain(struct session *s, uint64_t budget_ns)
{
	int n;

	s->drain_until_ns = budget_ns ? now_ns() + budget_ns : 0;
	n = ring_buffer__consume(s->rb);
	s->drain_until_ns = 0;
	return n == -EAGAIN ? 0 : n < 0 ? n : 0;
}

uint32_t session__alive(struct session *s)
{
	struct raw_dump d;
	uint32_t alive = 0;

	if (session__read_procs(s, &d))
		return 1; /* cannot tell: assume alive */
	for (uint32_t slot = SLOT_FIRST; slot < d.n_procs; slot++) {
		const struct proc_rec *p = &d.procs[slot];

		/* the target's: a peer lives on its own, and is not waited for */
		if (raw_dump_written(&d, slot) && p->pid &&
		    !(p->flags & (PROC_F_EXITED | PROC_F_DUP | PROC_F_PEER)))
			alive++;
	}
	raw_dump_release(&d);
	return alive;
}

uint64_t session__attach_ns(const struct session *s)
{
	return s->attach_ns;
}

bool session__first_event(const struct session *s, uint64_t *ns, uint64_t *seen_ns)
{
	*ns = s->first_event_ns;
	*seen_ns = s->first_seen_ns;
	return s->first_seen_ns != 0;
}

void session__free(struct session *s)
{
	if (!s)
		return;
	for (int i = s->n_links - 1; i >= 0; i--)
		bpf_link__destroy(s->links[i]);
	free(s->links);
	ring_buffer__free(s->rb);
	if (s->stats_fd >= 0)
		close(s->stats_fd);
	unmap_arrays(s);
	procscope_bpf__destroy(s->skel);
	free(s->iter_buf);
	free(s->past_ev);
	free(s->past_seed);
	stackstore__release(&s->folded_stacks);
	py_codes__release(&s->py);
	pthread_mutex_destroy(&s->tables_mu);
	free(s);
}
