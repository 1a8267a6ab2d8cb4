// SPDX-License-Identifier: GPL-2.0
/* The critical path across threads and processes; see critpath.h. */
#include <stdlib.h>
#include <string.h>

#include "analysis/critpath.h"
#include "lib/util.h"

#define MAX_DEPTH 64			    /* recursion: every level a wait within the one above */
#define WORK_MAX (20U * 1000 * 1000)	    /* records visited at most: a bound on the walk */
#define JOIN_WINDOW_NS (10 * NSEC_PER_MSEC) /* a releaser exiting after this little: a join */
#define LOCK_SCAN 4096			    /* a lock's waits looked at for another thread's */
#define NONE SIZE_MAX

unsigned int bd_of_wait_class(unsigned int wclass)
{
	static const unsigned int map[WC_N] = {
		[WC_IO] = BD_IO,       [WC_NET] = BD_NET,   [WC_LOCK] = BD_LOCK,
		[WC_SLEEP] = BD_SLEEP, [WC_POLL] = BD_POLL, [WC_CHILD] = BD_CHILD,
		[WC_OTHER] = BD_OTHER, [WC_MEM] = BD_MEM,
	};

	return wclass < WC_N ? map[wclass] : BD_OTHER;
}

const struct process *proc_ref_get(const struct snapshot *s, struct proc_ref r)
{
	return r.peer ? &s->peers[r.i] : &s->procs[r.i];
}

/* A process of the snapshot by pid, for the threads' records. */
struct proc_key {
	uint32_t pid;
	uint64_t start_ns;
	size_t space; /* index in the walker's process space: procs, then peers */
};

/* A thread's wait on a lock, for telling contention: by process, lock, then start. */
struct lock_use {
	uint32_t pid, key, tid;
	uint64_t block_ns, wake_ns;
};

struct walker {
	const struct snapshot *s;
	const struct history *h;
	struct proc_key *keys; /* by pid, then start */
	size_t n_keys;
	struct lock_use *uses; /* every lock wait with its lock's word known */
	size_t n_uses;
	struct path_part *parts; /* by process space index */
	struct critpath *out;
	uint64_t work;
	size_t locks_cap, segs_cap;
	uint64_t cursor;	       /* where the next segment starts */
	uint32_t stack[MAX_DEPTH + 1]; /* the threads being walked, by depth */
};

/* Is thread @ti walked already, up the recursion (a wait on a waiter: a cycle)? */
static bool on_stack(const struct walker *w, uint32_t ti, int depth)
{
	for (int k = 0; k <= depth && k <= MAX_DEPTH; k++)
		if (w->stack[k] == ti)
			return true;
	return false;
}

static int cmp_key(const void *a, const void *b)
{
	const struct proc_key *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->start_ns < y->start_ns ? -1 : x->start_ns > y->start_ns;
}

/* The process @pid was at @ns (the latest to start by then), as a space index; NONE. */
static size_t proc_at(const struct walker *w, uint32_t pid, uint64_t ns)
{
	size_t lo = 0, hi = w->n_keys, best = NONE;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (w->keys[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < w->n_keys && w->keys[i].pid == pid; i++)
		if (best == NONE || w->keys[i].start_ns <= ns)
			best = i;
	return best == NONE ? NONE : w->keys[best].space;
}

static struct proc_ref ref_of(const struct walker *w, size_t space)
{
	return space < w->s->n_procs ? (struct proc_ref){(uint32_t)space, false}
				     : (struct proc_ref){(uint32_t)(space - w->s->n_procs), true};
}

/* The path goes on with @ns of process @proc in class @cls: a segment, or the last one longer. */
static void add_seg(struct walker *w, size_t proc, unsigned int cls, uint64_t ns)
{
	struct critpath *o = w->out;
	struct proc_ref r = ref_of(w, proc);
	struct path_seg *last = o->n_segs ? &o->segs[o->n_segs - 1] : NULL;

	if (last && last->cls == cls && last->proc.i == r.i && last->proc.peer == r.peer &&
	    last->start_ns + last->ns == w->cursor) {
		last->ns += ns;
	} else {
		if (o->n_segs == w->segs_cap) {
			w->segs_cap = w->segs_cap ? w->segs_cap * 2 : 64;
			o->segs = xrealloc(o->segs, w->segs_cap * sizeof(*o->segs));
		}
		o->segs[o->n_segs++] = (struct path_seg){r, (uint8_t)cls, w->cursor, ns};
	}
	w->cursor += ns;
}

static void add(struct walker *w, size_t proc, unsigned int cls, uint64_t from, uint64_t ns)
{
	struct path_part *p;

	if (!ns)
		return;
	if (proc == NONE) {
		w->cursor += ns;
		return;
	}
	add_seg(w, proc, cls, ns);
	p = &w->parts[proc];
	if (!p->total_ns || from < p->first_ns)
		p->first_ns = from;
	p->ns[cls] += ns;
	p->total_ns += ns;
}

/* The part [from, to) of stretch @x (from its start to its block): on a CPU, runnable, unknown. */
static void stretch(struct walker *w, size_t proc, const struct wait *x, uint64_t from, uint64_t to)
{
	uint64_t len = x->block_ns > x->seg_start ? x->block_ns - x->seg_start : 0;
	uint64_t o = to > from ? to - from : 0, on, rq;

	if (!o)
		return;
	if (!len) {
		add(w, proc, BD_ONCPU, from, o);
		return;
	}
	on = (uint64_t)((unsigned __int128)o * (x->oncpu_ns < len ? x->oncpu_ns : len) / len);
	rq = (uint64_t)((unsigned __int128)o * (x->runq_ns < len ? x->runq_ns : len) / len);
	if (on + rq > o)
		rq = o - on;
	add(w, proc, BD_ONCPU, from, on);
	add(w, proc, BD_RUNQ, from, rq);
	add(w, proc, BD_UNKNOWN, from, o - on - rq);
}

/*
 * Was the wake at @ns thread @t's last act, a join's (a thread's end releasing whoever
 * joins it)? It blocked no more after it -- or only briefly, on locks (threads ending
 * together wait for a runtime's lock on their way out: Python's GIL) -- and exited: at
 * once, or on little CPU of its own (a preempted exit waits for a CPU, and is no less a
 * join for that).
 */
static bool exits_soon(const struct hthread *t, uint64_t ns)
{
	const struct wait *last = t->n ? &t->w[t->n - 1] : NULL;
	uint64_t blocked = 0;

	if (!t->ended || !last || !last->exit || last->block_ns < ns)
		return false;
	for (size_t k = t->n - 1; k-- > 0 && t->w[k].block_ns > ns;) {
		if (t->w[k].wclass != WC_LOCK)
			return false; /* it blocked between the wake and its exit */
		blocked += t->w[k].wake_ns - t->w[k].block_ns;
	}
	if (blocked >= JOIN_WINDOW_NS)
		return false;
	return last->block_ns - ns - blocked < JOIN_WINDOW_NS || last->oncpu_ns < JOIN_WINDOW_NS;
}

static bool followed(const struct hthread *t)
{
	return t->n || t->tail.valid;
}

static void walk(struct walker *w, uint32_t ti, uint64_t a, uint64_t b, int depth, size_t fb,
		 unsigned int fb_cls);

static int cmp_use(const void *a, const void *b)
{
	const struct lock_use *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->block_ns < y->block_ns ? -1 : x->block_ns > y->block_ns;
}

/* Every lock wait whose lock is known, indexed. */
static void uses_build(struct walker *w)
{
	const struct history *h = w->h;
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++)
		for (size_t k = 0; k < h->t[i].n; k++)
			n += h->t[i].w[k].wclass == WC_LOCK && h->t[i].w[k].lock_key;
	w->uses = xcalloc(n + 1, sizeof(*w->uses));
	for (size_t i = 0; i < h->n; i++)
		for (size_t k = 0; k < h->t[i].n; k++) {
			const struct wait *x = &h->t[i].w[k];

			if (x->wclass == WC_LOCK && x->lock_key)
				w->uses[w->n_uses++] =
					(struct lock_use){h->t[i].pid, x->lock_key, h->t[i].tid,
							  x->block_ns, x->wake_ns};
		}
	qsort(w->uses, w->n_uses, sizeof(*w->uses), cmp_use);
}

/*
 * Is lock @key of @pid one that other threads than @tid wait on too (at any time)? A
 * mutex, a condition variable's words: then waiting on it is contention. A word only
 * one thread ever waits on is how that thread is handed work (a runtime's parked
 * thread, a worker's own signal, a join).
 */
static bool contended(const struct walker *w, uint32_t pid, uint32_t key, uint32_t tid)
{
	struct lock_use probe = {pid, key, 0, 0, 0};
	size_t lo = 0, hi = w->n_uses;

	if (!key)
		return false;
	while (lo < hi) { /* the first use of the lock */
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_use(&w->uses[mid], &probe) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < w->n_uses && i < lo + LOCK_SCAN; i++) {
		const struct lock_use *u = &w->uses[i];

		if (u->pid != pid || u->key != key)
			break;
		if (u->tid != tid)
			return true;
	}
	return false;
}

/* The holder's own states over [s, e): what it did while the waiter waited for its lock. */
static struct lock_wait *note_lock(struct walker *w, size_t proc, const struct hthread *waiter,
				   uint32_t holder, uint64_t s, uint64_t e)
{
	const struct hthread *ht = &w->h->t[holder];
	struct critpath *o = w->out;
	struct lock_wait *l;
	size_t k;

	if (o->n_locks == w->locks_cap) {
		w->locks_cap = w->locks_cap ? w->locks_cap * 2 : 16;
		o->locks = xrealloc(o->locks, w->locks_cap * sizeof(*o->locks));
	}
	l = &o->locks[o->n_locks++];
	memset(l, 0, sizeof(*l));
	l->proc = ref_of(w, proc);
	l->waiter_tid = waiter->tid;
	l->holder_tid = ht->tid;
	l->start_ns = s;
	l->ns = e - s;
	/* the holder's own stretches and waits in the window, not through its wakers */
	for (k = hthread_wait_after(ht, s); k < ht->n; k++) {
		const struct wait *x = &ht->w[k];
		uint64_t f = x->seg_start > s ? x->seg_start : s,
			 t = x->block_ns < e ? x->block_ns : e;
		uint64_t len = x->block_ns > x->seg_start ? x->block_ns - x->seg_start : 0;

		if (x->seg_start >= e)
			break;
		if (t > f && len) {
			uint64_t on = (uint64_t)((unsigned __int128)(t - f) * x->oncpu_ns / len);

			l->holder_ns[BD_ONCPU] += on < t - f ? on : t - f;
			l->holder_ns[BD_RUNQ] += t - f - (on < t - f ? on : t - f);
		}
		f = x->block_ns > s ? x->block_ns : s;
		t = x->wake_ns < e ? x->wake_ns : e;
		if (t > f && !x->exit)
			l->holder_ns[bd_of_wait_class(x->wclass)] += t - f;
	}
	return l;
}

/* The wait [s, e) of @x by thread @ti: replaced by what ended it, or kept with its class. */
static void wait_part(struct walker *w, uint32_t ti, size_t proc, const struct wait *x, uint64_t s,
		      uint64_t e, int depth)
{
	const struct hthread *t = &w->h->t[ti];
	unsigned int cls = bd_of_wait_class(x->wclass);
	const struct hthread *wt;

	if (x->waker == HIST_NONE || depth >= MAX_DEPTH ||
	    (x->src != WS_TASK && x->src != WS_LOOPBACK && x->src != WS_CREATOR)) {
		w->out->waits_kept++;
		add(w, proc, cls, s, e - s);
		return;
	}
	wt = &w->h->t[x->waker];
	if (x->wclass == WC_LOCK && wt->pid == t->pid && !exits_soon(wt, x->wake_ns)) {
		struct lock_wait *l = note_lock(w, proc, t, x->waker, s, e);

		/*
		 * Contention (others waited on the lock too), or a lock held while its holder
		 * slept: the path waited on the lock, and who held it is said. Else the
		 * thread was handed work by a busy one: the path goes on in the waker.
		 */
		l->kept = contended(w, t->pid, x->lock_key, t->tid) ||
			  l->holder_ns[BD_SLEEP] * 2 > e - s;
		if (l->kept) {
			w->out->waits_kept++;
			add(w, proc, BD_LOCK, s, e - s);
			return;
		}
	}
	if (x->merged && on_stack(w, x->waker, depth) && x->oncpu_ns + x->runq_ns) {
		/*
		 * Merged short waits on a thread up the path: two threads taking turns (a
		 * ping-pong), whose merged records cannot line up -- their time is the pair's
		 * running and waking, as this thread's stretches split it
		 */
		uint64_t on = (uint64_t)((unsigned __int128)(e - s) * x->oncpu_ns /
					 (x->oncpu_ns + x->runq_ns));

		w->out->waits_kept++;
		add(w, proc, BD_ONCPU, s, on);
		add(w, proc, BD_RUNQ, s, e - s - on);
		return;
	}
	if (!followed(wt) || on_stack(w, x->waker, depth)) {
		/* not known; or a thread up the path, itself waiting then */
		w->out->waits_kept++;
		add(w, proc, cls, s, e - s);
		return;
	}
	w->out->waits_resolved++;
	walk(w, x->waker, s, e, depth + 1, proc, cls);
}

/* After the last record: the tail the snapshot read (a stretch, then maybe a wait). */
static void tail_part(struct walker *w, const struct hthread *t, size_t proc, uint64_t at,
		      uint64_t b, size_t fb, unsigned int fb_cls)
{
	const struct wait_tail *tl = &t->tail;
	struct wait x;

	if (!tl->valid) {
		/* a thread gone, or not seen since: the time is the caller's */
		add(w, t->ended ? fb : proc, t->ended ? fb_cls : BD_UNKNOWN, at, b - at);
		return;
	}
	x = (struct wait){.seg_start = tl->seg_start,
			  .block_ns = tl->tstate == TS_BLOCKED ? tl->block_ns : tl->at_ns,
			  .oncpu_ns = tl->oncpu_ns,
			  .runq_ns = tl->runq_ns};
	if (at < x.block_ns) {
		uint64_t to = x.block_ns < b ? x.block_ns : b;

		stretch(w, proc, &x, at, to);
		at = to;
	}
	if (at < b)
		/* still waiting: no one has ended it yet */
		add(w, proc, tl->tstate == TS_BLOCKED ? bd_of_wait_class(tl->wclass) : BD_UNKNOWN,
		    at, b - at);
}

/*
 * What thread @ti did over [a, b): its stretches, and its waits replaced by what ended
 * them. Time it has no record of -- before it existed (its creator's, if known), or
 * after it ended -- goes to @fb's class @fb_cls: the wait the caller walks through.
 */
static void walk(struct walker *w, uint32_t ti, uint64_t a, uint64_t b, int depth, size_t fb,
		 unsigned int fb_cls)
{
	const struct hthread *t = &w->h->t[ti];
	size_t proc = proc_at(w, t->pid, a), k = hthread_wait_after(t, a);
	uint64_t at = a, first = k < t->n	 ? t->w[k].seg_start
				 : t->tail.valid ? t->tail.seg_start
						 : b;

	if (proc == NONE)
		proc = fb;
	if (proc != NONE && fb != NONE && proc != fb && !w->parts[proc].total_ns &&
	    !w->parts[proc].has_via) {
		w->parts[proc].via = ref_of(w, fb);
		w->parts[proc].has_via = true;
	}
	if (depth <= MAX_DEPTH)
		w->stack[depth] = ti;
	if (!k && first > at) {
		uint64_t end = first < b ? first : b;

		if (t->creator != HIST_NONE && depth < MAX_DEPTH && followed(&w->h->t[t->creator]))
			walk(w, t->creator, at, end, depth + 1, fb, fb_cls);
		else
			add(w, fb, fb_cls, at, end - at);
		at = end;
	}
	for (; k < t->n && at < b; k++) {
		const struct wait *x = &t->w[k];
		uint64_t s, e;

		if (++w->work > WORK_MAX) {
			w->out->truncated = true;
			break;
		}
		if (x->seg_start > at) { /* records lost between */
			e = x->seg_start < b ? x->seg_start : b;
			w->out->gap_ns += e - at;
			add(w, proc, BD_UNKNOWN, at, e - at);
			at = e;
		}
		e = x->block_ns < b ? x->block_ns : b;
		if (at < e) {
			stretch(w, proc, x, at, e);
			at = e;
		}
		if (x->exit || at >= b)
			break;
		s = x->block_ns > at ? x->block_ns : at;
		e = x->wake_ns < b ? x->wake_ns : b;
		if (e > s)
			wait_part(w, ti, proc, x, s, e, depth);
		at = e > at ? e : at;
	}
	if (at < b) {
		if (k < t->n && (w->out->truncated || t->w[k].exit))
			add(w, w->out->truncated ? proc : fb,
			    w->out->truncated ? BD_UNKNOWN : fb_cls, at, b - at);
		else
			tail_part(w, t, proc, at, b, fb, fb_cls);
	}
}

static int cmp_part_first(const void *a, const void *b)
{
	const struct path_part *x = a, *y = b;

	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}

static int cmp_lock_ns(const void *a, const void *b)
{
	const struct lock_wait *x = a, *y = b;

	return x->ns < y->ns ? 1 : x->ns > y->ns ? -1 : 0;
}

/* Every process of @s in the walker's space, by pid for the look-up. */
static void keys_build(struct walker *w, const struct snapshot *s)
{
	size_t n = s->n_procs + s->n_peers;

	w->keys = xcalloc(n + 1, sizeof(*w->keys));
	for (size_t i = 0; i < n; i++) {
		const struct process *p = i < s->n_procs ? &s->procs[i] : &s->peers[i - s->n_procs];

		if (!p->pid || p->folded || p->slot == SLOT_OVERFLOW)
			continue;
		w->keys[w->n_keys++] = (struct proc_key){p->pid, p->start_ns, i};
	}
	qsort(w->keys, w->n_keys, sizeof(*w->keys), cmp_key);
}

bool critpath_compute(const struct snapshot *s, const struct history *h, uint32_t root_tid,
		      uint32_t root_pid, uint64_t a, uint64_t b, struct critpath *out)
{
	uint32_t root = history_find(h, root_tid, root_pid);
	size_t n = s->n_procs + s->n_peers, root_proc;
	struct walker w = {.s = s, .h = h, .out = out};

	memset(out, 0, sizeof(*out));
	if (root == HIST_NONE || b <= a)
		return false;
	keys_build(&w, s);
	uses_build(&w);
	root_proc = proc_at(&w, root_pid, a);
	w.parts = xcalloc(n + 1, sizeof(*w.parts));
	w.cursor = a;
	walk(&w, root, a, b, 0, root_proc, BD_UNKNOWN);
	out->total.wall_ns = b - a;
	for (size_t i = 0; i < n; i++) {
		if (!w.parts[i].total_ns)
			continue;
		w.parts[i].proc = ref_of(&w, i);
		for (unsigned int c = 0; c < BD_N; c++)
			out->total.ns[c] += w.parts[i].ns[c];
		out->parts = xrealloc(out->parts, (out->n_parts + 1) * sizeof(*out->parts));
		out->parts[out->n_parts++] = w.parts[i];
	}
	qsort(out->parts, out->n_parts, sizeof(*out->parts), cmp_part_first);
	if (out->n_locks > 1)
		qsort(out->locks, out->n_locks, sizeof(*out->locks), cmp_lock_ns);
	free(w.parts);
	free(w.keys);
	free(w.uses);
	return true;
}

void critpath_release(struct critpath *c)
{
	free(c->parts);
	free(c->locks);
	free(c->segs);
	memset(c, 0, sizeof(*c));
}
