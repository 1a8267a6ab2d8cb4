// SPDX-License-Identifier: GPL-2.0
/*
 * The critical path through who ended each wait (analysis/critpath.h) over histories
 * built by hand: a wait a task ended is replaced by what that task did meanwhile,
 * across processes; contention stays lock and names the holder; a join is replaced (a
 * preempted exit too); a
 * wait nothing followed ended keeps its class; the result tiles the window exactly, in
 * segments that follow one another. And the history (model/history.h): a wait woken
 * twice in one call is one wait, ended by the task that ended it.
 */
#include "analysis/critpath.h"
#include "model/history.h"
#include "test.h"
#include "lib/util.h"

#define MS NSEC_PER_MSEC

/* A snapshot of target processes and peers: pid, [start, end). */
struct fx {
	struct snapshot s;
	struct history h;
	struct process procs[4], peers[4];
};

static void fx_proc(struct fx *f, bool peer, uint32_t pid, uint64_t start, uint64_t end)
{
	struct process *p = peer ? &f->peers[f->s.n_peers++] : &f->procs[f->s.n_procs++];

	p->pid = pid;
	p->slot = SLOT_FIRST + pid;
	p->start_ns = start;
	p->end_ns = end;
	p->hops = peer;
	snprintf(p->comm, sizeof(p->comm), "p%u", pid);
}

static void fx_init(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	f->s.procs = f->procs;
	f->s.peers = f->peers;
	history_init(&f->h, 1000);
}

/* A record: thread @tid of @pid ran [seg, block) (all on a CPU), waited [block, wake). */
static void fx_wait(struct fx *f, uint32_t tid, uint32_t pid, uint64_t seg, uint64_t block,
		    uint64_t wake, unsigned int wclass, unsigned int src, uint32_t waker,
		    uint32_t waker_pid)
{
	struct wait w = {.seg_start = seg,
			 .block_ns = block,
			 .wake_ns = wake,
			 .oncpu_ns = block - seg,
			 .wclass = (uint8_t)wclass,
			 .src = (uint8_t)src};

	history_add(&f->h, tid, pid, &w, waker, waker_pid);
}

static void fx_exit(struct fx *f, uint32_t tid, uint32_t pid, uint64_t seg, uint64_t at)
{
	struct wait w = {
		.seg_start = seg, .block_ns = at, .wake_ns = at, .oncpu_ns = at - seg, .exit = 1};

	history_add(&f->h, tid, pid, &w, 0, 0);
}

static void fx_release(struct fx *f)
{
	history_release(&f->h);
}

/* The path tiles the window: its classes and its segments, each after the one before. */
static void check_tiles(const struct critpath *c, uint64_t a, uint64_t b)
{
	uint64_t sum = 0, at = a;

	for (unsigned int k = 0; k < BD_N; k++)
		sum += c->total.ns[k];
	CHECK_U64(sum, b - a);
	for (size_t i = 0; i < c->n_segs; i++) {
		CHECK_U64(c->segs[i].start_ns, at);
		at += c->segs[i].ns;
	}
	CHECK_U64(at, b);
}

TEST(test_critpath__client_waits_on_a_peer_server)
{
	struct fx f;
	struct critpath c;

	fx_init(&f);
	fx_proc(&f, false, 100, 0, 100 * MS);
	fx_proc(&f, true, 200, 0, 100 * MS);
	/*
	 * The client runs 10 ms, waits on a socket 80 ms, runs 10 ms and exits; the server,
	 * woken by the request at 12 ms, is 70 ms on a CPU, then waits for more. Records
	 * come as the kernel makes them: at each wake-up, in time order.
	 */
	fx_wait(&f, 200, 200, 0, 0, 12 * MS, WC_NET, WS_LOOPBACK, 100, 100);
	fx_wait(&f, 100, 100, 0, 10 * MS, 90 * MS, WC_NET, WS_LOOPBACK, 200, 200);
	fx_exit(&f, 100, 100, 90 * MS, 100 * MS);
	fx_wait(&f, 200, 200, 12 * MS, 82 * MS, 200 * MS, WC_NET, WS_IRQ, 0, 0);
	CHECK(critpath_compute(&f.s, &f.h, 100, 100, 0, 100 * MS, &c));
	check_tiles(&c, 0, 100 * MS);
	/* 2 ms before the server woke: it waited (for the request) -- then 70 on a CPU,
	 * then its next wait until the client's wake at 90 */
	CHECK_U64(c.n_parts, 2);
	CHECK(!c.parts[0].proc.peer);
	CHECK(c.parts[1].proc.peer);
	CHECK_U64(c.parts[0].ns[BD_ONCPU], 20 * MS);
	CHECK_U64(c.parts[1].ns[BD_ONCPU], 70 * MS);
	CHECK_U64(c.parts[1].ns[BD_NET], 10 * MS);
	CHECK_U64(c.waits_resolved, 1);
	critpath_release(&c);
	fx_release(&f);
}

TEST(test_critpath__contention_stays_lock_and_names_the_holder)
{
	struct fx f;
	struct critpath c;

	fx_init(&f);
	fx_proc(&f, false, 100, 0, 100 * MS);
	/* thread 101 waits 60 ms on a lock thread 102 of its process releases; 102 slept
	 * 50 of them holding it, and lives on */
	fx_wait(&f, 102, 100, 0, 25 * MS, 75 * MS, WC_SLEEP, WS_IRQ, 0, 0);
	fx_wait(&f, 101, 100, 0, 20 * MS, 80 * MS, WC_LOCK, WS_TASK, 102, 100);
	fx_exit(&f, 101, 100, 80 * MS, 100 * MS);
	fx_wait(&f, 102, 100, 75 * MS, 80 * MS, 500 * MS, WC_POLL, WS_IRQ, 0, 0);
	CHECK(critpath_compute(&f.s, &f.h, 101, 100, 0, 100 * MS, &c));
	check_tiles(&c, 0, 100 * MS);
	CHECK_U64(c.total.ns[BD_LOCK], 60 * MS);
	CHECK_U64(c.total.ns[BD_ONCPU], 40 * MS);
	CHECK_U64(c.n_locks, 1);
	CHECK_U64(c.locks[0].waiter_tid, 101);
	CHECK_U64(c.locks[0].holder_tid, 102);
	CHECK_U64(c.locks[0].ns, 60 * MS);
	CHECK_U64(c.locks[0].holder_ns[BD_SLEEP], 50 * MS);
	CHECK_U64(c.locks[0].holder_ns[BD_ONCPU], 10 * MS);
	critpath_release(&c);
	fx_release(&f);
}

TEST(test_critpath__join_is_replaced_by_the_worker)
{
	struct fx f;
	struct critpath c;

	fx_init(&f);
	fx_proc(&f, false, 100, 0, 100 * MS);
	/*
	 * The main thread creates a worker at 5 ms and joins it: a futex the worker's exit
	 * wakes at 94 ms, on its way out (it leaves its CPU for good at 95)
	 */
	fx_wait(&f, 101, 100, 5 * MS, 5 * MS, 5 * MS, WC_OTHER, WS_CREATOR, 100, 100);
	fx_wait(&f, 100, 100, 0, 5 * MS, 94 * MS, WC_LOCK, WS_TASK, 101, 100);
	fx_exit(&f, 101, 100, 5 * MS, 95 * MS);
	fx_exit(&f, 100, 100, 94 * MS, 100 * MS);
	CHECK(critpath_compute(&f.s, &f.h, 100, 100, 0, 100 * MS, &c));
	check_tiles(&c, 0, 100 * MS);
	/* not contention: the joined thread exited at once; its 89 ms on a CPU are the path */
	CHECK_U64(c.n_locks, 0);
	CHECK_U64(c.total.ns[BD_ONCPU], 100 * MS);
	CHECK_U64(c.waits_resolved, 1);
	critpath_release(&c);
	fx_release(&f);
}

/* A worker sleeps [10, 58) ms, then wakes the main thread, which joins it, at 60. */
static void fx_sleeper_wakes_joiner(struct fx *f)
{
	fx_init(f);
	fx_proc(f, false, 100, 0, 100 * MS);
	fx_wait(f, 101, 100, 5 * MS, 10 * MS, 58 * MS, WC_SLEEP, WS_IRQ, 0, 0);
	fx_wait(f, 100, 100, 0, 5 * MS, 60 * MS, WC_LOCK, WS_TASK, 101, 100);
}

/*
 * The main thread ends at 100 ms, and the worker's wake of it is a join: not a lock held
 * while its holder slept -- the worker's sleep is the path's. @f released.
 */
static void check_joined(struct fx *f)
{
	struct critpath c;

	fx_exit(f, 100, 100, 60 * MS, 100 * MS);
	CHECK(critpath_compute(&f->s, &f->h, 100, 100, 0, 100 * MS, &c));
	check_tiles(&c, 0, 100 * MS);
	CHECK_U64(c.n_locks, 0);
	CHECK_U64(c.total.ns[BD_LOCK], 0);
	CHECK_U64(c.total.ns[BD_SLEEP], 48 * MS);
	critpath_release(&c);
	fx_release(f);
}

TEST(test_critpath__a_preempted_exit_is_still_a_join)
{
	struct fx f;
	struct wait out = {.seg_start = 58 * MS,
			   .block_ns = 90 * MS,
			   .wake_ns = 90 * MS,
			   .oncpu_ns = 3 * MS,
			   .runq_ns = 29 * MS,
			   .exit = 1};

	/* the worker waits 29 ms for a CPU on its way out, and exits at 90, 30 ms after */
	fx_sleeper_wakes_joiner(&f);
	history_add(&f.h, 101, 100, &out, 0, 0);
	check_joined(&f);
}

TEST(test_critpath__a_join_through_a_short_lock_on_the_way_out)
{
	struct fx f;
	struct critpath c;

	/*
	 * On its way out the worker waits 2 ms for a lock (the GIL, another thread ending
	 * too) and exits at 64: still a join. Another kind of wait is not (below).
	 */
	fx_sleeper_wakes_joiner(&f);
	fx_wait(&f, 101, 100, 58 * MS, 61 * MS, 63 * MS, WC_LOCK, WS_TASK, 100, 100);
	fx_exit(&f, 101, 100, 63 * MS, 64 * MS);
	check_joined(&f);

	/* a sleep between the wake and the exit: the wake was not its last act */
	fx_sleeper_wakes_joiner(&f);
	fx_wait(&f, 101, 100, 58 * MS, 61 * MS, 63 * MS, WC_SLEEP, WS_IRQ, 0, 0);
	fx_exit(&f, 101, 100, 63 * MS, 64 * MS);
	fx_exit(&f, 100, 100, 60 * MS, 100 * MS);
	CHECK(critpath_compute(&f.s, &f.h, 100, 100, 0, 100 * MS, &c));
	CHECK(c.total.ns[BD_LOCK] > 0);
	critpath_release(&c);
	fx_release(&f);
}

TEST(test_critpath__unended_waits_keep_their_class)
{
	struct fx f;
	struct critpath c;

	fx_init(&f);
	fx_proc(&f, false, 100, 0, 100 * MS);
	/* a disk wait the device ended, a sleep, and a wait of a task not followed */
	fx_wait(&f, 100, 100, 0, 10 * MS, 40 * MS, WC_IO, WS_IRQ, 0, 0);
	fx_wait(&f, 100, 100, 40 * MS, 50 * MS, 70 * MS, WC_SLEEP, WS_IRQ, 0, 0);
	fx_wait(&f, 100, 100, 70 * MS, 70 * MS, 90 * MS, WC_OTHER, WS_TASK, 999, 999);
	fx_exit(&f, 100, 100, 90 * MS, 100 * MS);
	CHECK(critpath_compute(&f.s, &f.h, 100, 100, 0, 100 * MS, &c));
	check_tiles(&c, 0, 100 * MS);
	CHECK_U64(c.total.ns[BD_IO], 30 * MS);
	CHECK_U64(c.total.ns[BD_SLEEP], 20 * MS);
	CHECK_U64(c.total.ns[BD_OTHER], 20 * MS);
	CHECK_U64(c.total.ns[BD_ONCPU], 30 * MS);
	CHECK_U64(c.waits_kept, 3);
	critpath_release(&c);
	fx_release(&f);
}

TEST(test_critpath__a_cycle_ends_within_its_window)
{
	struct fx f;
	struct critpath c;

	fx_init(&f);
	fx_proc(&f, false, 100, 0, 100 * MS);
	fx_proc(&f, true, 200, 0, 100 * MS);
	/* two processes waking each other, ping-pong: each wait ended by the other */
	for (uint64_t t = 0; t < 100 * MS; t += 20 * MS) {
		fx_wait(&f, 200, 200, t >= 10 * MS ? t - 10 * MS : 0, t, t + 10 * MS, WC_OTHER,
			WS_TASK, 100, 100);
		fx_wait(&f, 100, 100, t, t + 10 * MS, t + 20 * MS, WC_OTHER, WS_TASK, 200, 200);
	}
	fx_wait(&f, 200, 200, 90 * MS, 100 * MS, 110 * MS, WC_OTHER, WS_TASK, 100, 100);
	CHECK(critpath_compute(&f.s, &f.h, 100, 100, 0, 100 * MS, &c));
	check_tiles(&c, 0, 100 * MS);
	CHECK_U64(c.total.ns[BD_ONCPU], 100 * MS);
	CHECK_U64(c.n_parts, 2);
	critpath_release(&c);
	fx_release(&f);
}

TEST(test_critpath__creator_carries_a_thread_before_it_was)
{
	struct fx f;
	struct critpath c;

	fx_init(&f);
	fx_proc(&f, false, 100, 0, 100 * MS);
	fx_proc(&f, false, 300, 30 * MS, 100 * MS);
	/* a parent that forks at 30 ms and waits for its child, which runs to 100 */
	fx_wait(&f, 100, 100, 0, 30 * MS, 100 * MS, WC_CHILD, WS_TASK, 300, 300);
	fx_wait(&f, 300, 300, 30 * MS, 30 * MS, 30 * MS, WC_OTHER, WS_CREATOR, 100, 100);
	fx_exit(&f, 300, 300, 30 * MS, 100 * MS);
	CHECK(critpath_compute(&f.s, &f.h, 100, 100, 0, 100 * MS, &c));
	check_tiles(&c, 0, 100 * MS);
	CHECK_U64(c.n_parts, 2);
	CHECK_U64(c.parts[0].ns[BD_ONCPU], 30 * MS);
	CHECK_U64(c.parts[1].ns[BD_ONCPU], 70 * MS);
	CHECK_U64(c.parts[1].first_ns, 30 * MS);
	critpath_release(&c);
	fx_release(&f);
}

TEST(test_history__woken_twice_in_one_call_is_one_wait)
{
	struct fx f;
	struct wait w = {.seg_start = 0,
			 .block_ns = 10 * MS,
			 .wake_ns = 50 * MS,
			 .oncpu_ns = 10 * MS,
			 .wclass = WC_NET,
			 .src = WS_IRQ};
	const struct hthread *t;

	fx_init(&f);
	/* a socket's state change wakes the reader at 50 ms; it checks and waits again,
	 * in the same read(), until the server's answer at 90 ms */
	history_add(&f.h, 100, 100, &w, 0, 0);
	w = (struct wait){.seg_start = 50 * MS,
			  .block_ns = 50 * MS + 5000,
			  .wake_ns = 90 * MS,
			  .oncpu_ns = 5000,
			  .wclass = WC_NET,
			  .src = WS_LOOPBACK,
			  .again = 1};
	history_add(&f.h, 100, 100, &w, 200, 200);
	t = &f.h.t[history_find(&f.h, 100, 100)];
	CHECK_U64(t->n, 1);
	CHECK_U64(t->w[0].seg_start, 0);
	CHECK_U64(t->w[0].block_ns, 10 * MS);
	CHECK_U64(t->w[0].wake_ns, 90 * MS);
	CHECK_U64(t->w[0].src, WS_LOOPBACK);
	CHECK_U64(f.h.t[t->w[0].waker].tid, 200);
	CHECK_U64(f.h.waits, 1);
	/* a task's wake-up is not merged into: the next call's wait stands alone */
	w = (struct wait){.seg_start = 90 * MS,
			  .block_ns = 95 * MS,
			  .wake_ns = 99 * MS,
			  .oncpu_ns = 5 * MS,
			  .wclass = WC_NET,
			  .src = WS_TASK,
			  .again = 1};
	history_add(&f.h, 100, 100, &w, 200, 200);
	CHECK_U64(t->n, 2);
	fx_release(&f);
}

/* Events of the recent past, for history_recall(). */
static struct past_ev sw(uint64_t ts, uint32_t tid, uint32_t pid, uint8_t state, uint8_t wclass)
{
	return (struct past_ev){.ts = ts,
				.tid = tid,
				.pid = pid,
				.kind = PAST_SWITCH,
				.state = state,
				.wclass = wclass};
}

static struct past_ev in(uint64_t ts, uint32_t tid)
{
	return (struct past_ev){.ts = ts, .tid = 0, .other = tid, .kind = PAST_SWITCH};
}

static struct past_ev wake(uint64_t ts, uint32_t tid, uint32_t pid, uint32_t by, uint32_t by_pid)
{
	return (struct past_ev){.ts = ts,
				.tid = tid,
				.pid = pid,
				.other = by,
				.other_pid = by_pid,
				.kind = PAST_WAKE,
				.src = by ? WS_TASK : WS_IRQ};
}

TEST(test_history__recall_a_peer_and_who_ended_its_wait)
{
	struct fx f;
	struct critpath c;
	/*
	 * The past, since 0: a shell (300) blocked in wait4 since before it, a child of its
	 * (301) on a CPU all along, which exits at 80 ms and wakes it; the shell runs 2 ms
	 * and ends the target's wait (100, blocked on a FIFO from 10 ms) at 82.
	 */
	const struct past_ev ev[] = {
		wake(80 * MS, 300, 300, 301, 301),
		in(81 * MS, 300),
	};

	fx_init(&f);
	fx_proc(&f, false, 100, 0, 90 * MS);
	fx_proc(&f, true, 300, 82 * MS, 90 * MS);
	fx_wait(&f, 100, 100, 0, 10 * MS, 82 * MS, WC_OTHER, WS_TASK, 300, 300);
	CHECK_U64(history_recall(&f.h, ev, 2, 0, 300, 300, 10 * MS, 82 * MS, 3, 300), 3);
	/* the shell: waited [0, 80) on its child (whose past says: on a CPU), then ran */
	CHECK_U64(f.h.n_procs, 1);
	CHECK_U64(f.h.procs[0].pid, 301);
	CHECK_U64(f.h.procs[0].via, 300);
	fx_exit(&f, 100, 100, 82 * MS, 90 * MS);
	CHECK(critpath_compute(&f.s, &f.h, 100, 100, 0, 90 * MS, &c));
	check_tiles(&c, 0, 90 * MS);
	/* 10 ms of the target, 70 of the child (charged to the shell here: the snapshot has
	 * no process for it), the shell's 2 ms: run queue 1, CPU 1 */
	CHECK_U64(c.total.ns[BD_ONCPU], 10 * MS + 70 * MS + 1 * MS + 8 * MS);
	CHECK_U64(c.total.ns[BD_RUNQ], 1 * MS);
	CHECK_U64(c.waits_resolved, 2);
	critpath_release(&c);
	fx_release(&f);
}

TEST(test_history__recall_keeps_what_the_past_says)
{
	struct fx f;
	const struct hthread *t;
	/* a thread preempted at 5 (on a CPU since the past began, at 1), back at 7,
	 * blocked in a sleep at 9, back on a CPU at 21 (its timer's wake-up is not in the
	 * past, which keeps only tasks' wake-ups) */
	const struct past_ev ev[] = {
		sw(5 * MS, 400, 400, PAST_RUNNABLE, 0),
		in(7 * MS, 400),
		sw(9 * MS, 400, 400, PAST_BLOCKED, WC_SLEEP),
		in(21 * MS, 400),
	};

	fx_init(&f);
	CHECK_U64(history_recall(&f.h, ev, 4, 1 * MS, 400, 400, 0, 30 * MS, 2, 400), 2);
	t = &f.h.t[history_find(&f.h, 400, 400)];
	CHECK_U64(t->n, 2);
	CHECK_U64(t->w[0].seg_start, 1 * MS);
	CHECK_U64(t->w[0].oncpu_ns, 6 * MS);
	CHECK_U64(t->w[0].runq_ns, 2 * MS);
	CHECK_U64(t->w[0].block_ns, 9 * MS);
	CHECK_U64(t->w[0].wake_ns, 21 * MS);
	CHECK_U64(t->w[0].wclass, WC_SLEEP);
	CHECK_U64(t->w[0].src, WS_IRQ);
	/* up to 30: on a CPU */
	CHECK_U64(t->w[1].seg_start, 21 * MS);
	CHECK_U64(t->w[1].runq_ns, 0);
	CHECK_U64(t->w[1].oncpu_ns, 9 * MS);
	CHECK_U64(t->w[1].wake_ns, 30 * MS);
	CHECK_U64(f.h.n_procs, 0);
	fx_release(&f);
}

/* A seed: @tid at @ts was in @state (blocked on @wclass), its context switches @cs. */
static struct past_ev seed(uint64_t ts, uint32_t tid, uint8_t state, uint8_t wclass, uint32_t cs)
{
	struct past_ev e = sw(ts, tid, tid, state, wclass);

	e.kind = PAST_SEED;
	e.cs = cs;
	return e;
}

/* in() and sw() with the task's context switches so far */
static struct past_ev in_cs(uint64_t ts, uint32_t tid, uint32_t cs)
{
	struct past_ev e = in(ts, tid);

	e.other_cs = cs;
	return e;
}

static struct past_ev sw_cs(uint64_t ts, uint32_t tid, uint8_t state, uint32_t cs)
{
	struct past_ev e = sw(ts, tid, tid, state, 0);

	e.cs = cs;
	return e;
}

TEST(test_history__a_seed_lasts_only_while_no_switch_is_lost)
{
	struct fx f;
	const struct hthread *t;
	/*
	 * The past begins at 40 (a ring turned over); the seeds, at attach (2), are kept.
	 * 500 was blocked in a poll then, 7 switches so far, and is back on a CPU at 60
	 * with 7 still: its timer ended the wait it was in at attach. 501 was too, but is
	 * back at 60 with 9: it ran between, in the part of the past that is gone. 502 was
	 * on a CPU (4 switches), preempted at 50 (its fifth), back at 55. 503 was runnable
	 * (3), gets a CPU at 45 with 3 still.
	 */
	const struct past_ev ev[] = {
		seed(2 * MS, 500, PAST_BLOCKED, WC_POLL, 7),
		seed(2 * MS, 501, PAST_BLOCKED, WC_POLL, 7),
		seed(2 * MS, 502, PAST_ONCPU, 0, 4),
		seed(2 * MS, 503, PAST_RUNNABLE, 0, 3),
		in_cs(45 * MS, 503, 3),
		sw_cs(50 * MS, 502, PAST_RUNNABLE, 5),
		in_cs(55 * MS, 502, 5),
		in_cs(60 * MS, 500, 7),
		in_cs(60 * MS, 501, 9),
	};
	const size_t n = sizeof(ev) / sizeof(ev[0]);

	fx_init(&f);
	CHECK_U64(history_recall(&f.h, ev, n, 40 * MS, 500, 500, 0, 70 * MS, 2, 500), 2);
	t = &f.h.t[history_find(&f.h, 500, 500)];
	CHECK_U64(t->n, 2);
	CHECK_U64(t->w[0].block_ns, 2 * MS);
	CHECK_U64(t->w[0].wake_ns, 60 * MS);
	CHECK_U64(t->w[0].wclass, WC_POLL);
	CHECK_U64(t->w[0].src, WS_IRQ);
	CHECK_U64(t->w[1].seg_start, 60 * MS);
	CHECK_U64(t->w[1].oncpu_ns, 10 * MS);
	/* 501: from its switch-in only */
	CHECK_U64(history_recall(&f.h, ev, n, 40 * MS, 501, 501, 0, 70 * MS, 2, 501), 1);
	t = &f.h.t[history_find(&f.h, 501, 501)];
	CHECK_U64(t->n, 1);
	CHECK_U64(t->w[0].seg_start, 60 * MS);
	CHECK_U64(t->w[0].oncpu_ns, 10 * MS);
	/* 502: on a CPU from the seed to 50, runnable to 55, on a CPU to 70 */
	CHECK_U64(history_recall(&f.h, ev, n, 40 * MS, 502, 502, 0, 70 * MS, 2, 502), 1);
	t = &f.h.t[history_find(&f.h, 502, 502)];
	CHECK_U64(t->w[0].seg_start, 2 * MS);
	CHECK_U64(t->w[0].oncpu_ns, 48 * MS + 15 * MS);
	CHECK_U64(t->w[0].runq_ns, 5 * MS);
	/* 503: runnable from the seed to 45 */
	CHECK_U64(history_recall(&f.h, ev, n, 40 * MS, 503, 503, 0, 70 * MS, 2, 503), 1);
	t = &f.h.t[history_find(&f.h, 503, 503)];
	CHECK_U64(t->w[0].seg_start, 2 * MS);
	CHECK_U64(t->w[0].runq_ns, 43 * MS);
	CHECK_U64(t->w[0].oncpu_ns, 25 * MS);
	fx_release(&f);
}

TEST(test_history__a_waker_named_after_its_exit_is_the_same_thread)
{
	struct fx f;
	struct wait w = {.seg_start = 0,
			 .block_ns = 10 * MS,
			 .wake_ns = 20 * MS,
			 .oncpu_ns = 10 * MS,
			 .wclass = WC_OTHER,
			 .src = WS_TASK,
			 .merged = 1};

	fx_init(&f);
	/* thread 200's exit, then a record of 100's (merged: it went out late) that 200 ended */
	fx_exit(&f, 200, 200, 0, 25 * MS);
	history_add(&f.h, 100, 100, &w, 200, 200);
	CHECK_U64(f.h.n, 2);
	CHECK_U64(f.h.t[history_find(&f.h, 200, 200)].n, 1);
	CHECK_U64(f.h.t[history_find(&f.h, 100, 100)].w[0].waker, history_find(&f.h, 200, 200));
	/* the tid back, in the same process, after the exit: a new thread of its own */
	fx_wait(&f, 200, 200, 30 * MS, 31 * MS, 32 * MS, WC_SLEEP, WS_IRQ, 0, 0);
	CHECK_U64(f.h.n, 3);
	fx_release(&f);
}
