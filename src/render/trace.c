// SPDX-License-Identifier: GPL-2.0
/*
 * --trace: a Perfetto trace (see trace.h). The messages and field numbers used are
 * those of Perfetto's trace protos (protos/perfetto/trace/: trace.proto,
 * trace_packet.proto, track_event/ (track_event, track_descriptor, ...), ps/process_tree.proto):
 *
 *   Trace           { repeated TracePacket packet = 1 }
 *   TracePacket     { timestamp 8, trusted_packet_sequence_id 10, track_event 11,
 *                     interned_data 12, sequence_flags 13, track_descriptor 60,
 *                     process_tree 2 }
 *   TrackEvent      { type 9, track_uuid 11, name_iid 10, name 23, debug_annotations 4,
 *                     counter_value 30, double_counter_value 44, flow_ids 47,
 *                     terminating_flow_ids 48 }
 *   TrackDescriptor { uuid 1, name 2, process 3, thread 4, parent_uuid 5, counter 8 }
 *
 * Every packet is on one sequence; the first clears its incremental state and interns
 * the state names, which the events then refer to by iid (a slice costs ~50 bytes).
 * Timestamps are CLOCK_MONOTONIC nanoseconds, the kernel's bpf_ktime_get_ns(), given
 * as the trace's default clock: only differences are shown.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/pb.h"
#include "render/trace.h"
#include "lib/util.h"
#include "analysis/critpath.h"

#define TRACE_PACKET 1
#define TP_PROCESS_TREE 2
#define TP_TIMESTAMP 8
#define TP_SEQ_ID 10
#define TP_TRACK_EVENT 11
#define TP_INTERNED_DATA 12
#define TP_SEQ_FLAGS 13
#define TP_TRACK_DESCRIPTOR 60
#define SEQ_INCREMENTAL_STATE_CLEARED 1
#define SEQ_NEEDS_INCREMENTAL_STATE 2
#define ID_EVENT_NAMES 2 /* InternedData */
#define EN_IID 1	 /* EventName */
#define EN_NAME 2
#define TE_DEBUG_ANNOTATIONS 4
#define TE_TYPE 9
#define TE_NAME_IID 10
#define TE_TRACK_UUID 11
#define TE_NAME 23
#define TE_COUNTER_VALUE 30
#define TE_DOUBLE_COUNTER_VALUE 44
#define TE_FLOW_IDS 47
#define TE_TERMINATING_FLOW_IDS 48
#define TYPE_SLICE_BEGIN 1
#define TYPE_SLICE_END 2
#define TYPE_INSTANT 3
#define TYPE_COUNTER 4
#define DA_BOOL 2 /* DebugAnnotation */
#define DA_INT 4
#define DA_DOUBLE 5
#define DA_STRING 6
#define DA_NAME 10
#define TD_UUID 1 /* TrackDescriptor */
#define TD_NAME 2
#define TD_PROCESS 3
#define TD_THREAD 4
#define TD_PARENT_UUID 5
#define TD_COUNTER 8
#define PD_PID 1 /* ProcessDescriptor */
#define PD_CMDLINE 2
#define PD_NAME 6
#define PD_START 7
#define THD_PID 1 /* ThreadDescriptor */
#define THD_TID 2
#define THD_NAME 5
#define CD_UNIT 3 /* CounterDescriptor */
#define CD_UNIT_NAME 6
#define UNIT_COUNT 2
#define UNIT_SIZE_BYTES 3
#define PT_PROCESSES 1 /* ProcessTree */
#define PT_THREADS 2
#define PTP_PID 1
#define PTP_PPID 2
#define PTP_CMDLINE 3
#define PTT_TID 1
#define PTT_NAME 2
#define PTT_TGID 3

#define SEQ_ID 1
/* track uuids: fixed ones, then one range per kind of track */
#define UUID_CPU 1
#define UUID_DISK 2
#define UUID_NET 3
#define UUID_PATH 10
#define UUID_FINDINGS 11
#define UUID_TREE 12
#define UUID_PEERS 13
#define UUID_PROC(i) ((1ULL << 40) | (i))
#define UUID_PTREE(i) ((2ULL << 40) | (i))
#define UUID_THREAD(i) ((3ULL << 40) | (i))
/* flow ids: wake-ups count up from 1, forks from here */
#define FLOW_FORK (1ULL << 48)

#define FLUSH_AT (256 * 1024)

/* interned event names: the states of a thread */
enum {
	N_RUNNING = 1,
	N_RUNNABLE,
	N_DISK,
	N_NETWORK,
	N_LOCK,
	N_SLEEP,
	N_POLL,
	N_CHILD,
	N_OTHER,
	N_MEMORY,
	N_WAKE,
	N_COUNT,
};

static const char *const state_names[N_COUNT] = {
	[N_RUNNING] = "running",
	[N_RUNNABLE] = "waiting for a CPU",
	[N_DISK] = "disk",
	[N_NETWORK] = "network",
	[N_LOCK] = "lock",
	[N_SLEEP] = "sleep",
	[N_POLL] = "poll",
	[N_CHILD] = "child",
	[N_OTHER] = "blocked (other)",
	[N_MEMORY] = "memory reclaim",
	[N_WAKE] = "wakes",
};

/* The encoder's state: buffers, and each thread's pending incoming flow. */
struct enc {
	struct pb pkt, ev;
	uint64_t *flow_in; /* [n_threads]: a wake-up's flow, ending at its next slice; 0 if none */
	uint64_t next_flow;
	struct trace_stats st;
};

/* A TrackEvent to encode. */
struct te {
	int type;
	uint64_t track, name_iid;
	const char *name;
	uint64_t flow_out, flow_in;
	bool counter, counter_double;
	int64_t value;
	double dvalue;
	const struct pb *annots; /* encoded debug_annotations fields */
};

static void put_event(struct enc *t, struct pb *dst, uint64_t ts, const struct te *e)
{
	struct pb *ev = &t->ev, *pk = &t->pkt;

	ev->len = pk->len = 0;
	pb_uint(ev, TE_TYPE, (uint64_t)e->type);
	pb_uint(ev, TE_TRACK_UUID, e->track);
	if (e->name_iid)
		pb_uint(ev, TE_NAME_IID, e->name_iid);
	else if (e->name)
		pb_str(ev, TE_NAME, e->name);
	if (e->flow_out)
		pb_fixed64(ev, TE_FLOW_IDS, e->flow_out);
	if (e->flow_in)
		pb_fixed64(ev, TE_TERMINATING_FLOW_IDS, e->flow_in);
	if (e->counter_double) {
		uint64_t bits;

		memcpy(&bits, &e->dvalue, sizeof(bits));
		pb_fixed64(ev, TE_DOUBLE_COUNTER_VALUE, bits);
	} else if (e->counter) {
		pb_uint_always(ev, TE_COUNTER_VALUE, (uint64_t)e->value);
	}
	if (e->annots && e->annots->len)
		for (size_t i = 0; i < e->annots->len; i++)
			pb_byte(ev, e->annots->b[i]);
	pb_uint_always(pk, TP_TIMESTAMP, ts);
	pb_uint(pk, TP_SEQ_ID, SEQ_ID);
	if (e->name_iid)
		pb_uint(pk, TP_SEQ_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
	pb_msg(pk, TP_TRACK_EVENT, ev);
	pb_msg(dst, TRACE_PACKET, pk);
}

/* A debug annotation into @a (the encoded fields of a TrackEvent): @field of
 * DebugAnnotation holds @str (DA_STRING), the bits of a double (DA_DOUBLE) or @v. */
static void annot(struct pb *a, const char *name, int field, uint64_t v, const char *str)
{
	struct pb m = {0};

	pb_str(&m, DA_NAME, name);
	if (field == DA_STRING)
		pb_str(&m, DA_STRING, str ? str : "");
	else if (field == DA_DOUBLE)
		pb_fixed64(&m, DA_DOUBLE, v);
	else
		pb_uint_always(&m, field, v);
	pb_msg(a, TE_DEBUG_ANNOTATIONS, &m);
	pb_free(&m);
}

static void annot_str(struct pb *a, const char *name, const char *v)
{
	annot(a, name, DA_STRING, 0, v);
}

static void annot_int(struct pb *a, const char *name, int64_t v)
{
	annot(a, name, DA_INT, (uint64_t)v, NULL);
}

static void annot_double(struct pb *a, const char *name, double v)
{
	uint64_t bits;

	memcpy(&bits, &v, sizeof(bits));
	annot(a, name, DA_DOUBLE, bits, NULL);
}

static uint32_t state_name(const struct tl_rec *r)
{
	static const uint8_t by_class[WC_N] = {
		[WC_IO] = N_DISK,     [WC_NET] = N_NETWORK, [WC_LOCK] = N_LOCK,
		[WC_SLEEP] = N_SLEEP, [WC_POLL] = N_POLL,   [WC_CHILD] = N_CHILD,
		[WC_OTHER] = N_OTHER, [WC_MEM] = N_MEMORY,
	};

	if (r->tstate == TS_ONCPU)
		return N_RUNNING;
	if (r->tstate == TS_RUNQ)
		return N_RUNNABLE;
	return r->wclass < WC_N ? by_class[r->wclass] : N_OTHER;
}

/* One kept event into @dst: a slice (with the flow of the wake-up that began it) or a wake-up. */
static void put_record(struct enc *t, struct pb *dst, const struct tl_rec *r, size_t n_threads)
{
	struct te e;

	if (r->thread >= n_threads || (r->kind == TL_WAKE && r->waker >= n_threads))
		return;
	if (r->kind == TL_WAKE) {
		t->flow_in[r->thread] = ++t->next_flow;
		e = (struct te){.type = TYPE_INSTANT,
				.track = UUID_THREAD(r->waker),
				.name_iid = N_WAKE,
				.flow_out = t->flow_in[r->thread]};
		put_event(t, dst, r->start_ns, &e);
		t->st.wakes++;
		return;
	}
	e = (struct te){.type = TYPE_SLICE_BEGIN,
			.track = UUID_THREAD(r->thread),
			.name_iid = state_name(r),
			.flow_in = t->flow_in[r->thread]};
	t->flow_in[r->thread] = 0;
	put_event(t, dst, r->start_ns, &e);
	e = (struct te){.type = TYPE_SLICE_END, .track = UUID_THREAD(r->thread)};
	put_event(t, dst, r->end_ns, &e);
	t->st.slices++;
}

/*
 * The kept events, encoded into @tmp up to @tl->max_bytes; the rest are counted as left
 * out. 0 or -EIO.
 */
static int encode_events(struct enc *t, const struct timeline *tl, FILE *tmp)
{
	struct pb out = {0};
	struct tl_rec r;
	int err = 0;

	rewind(tl->events);
	for (uint64_t i = 0; i < tl->n_events && fread(&r, sizeof(r), 1, tl->events) == 1; i++) {
		if (t->st.event_bytes + out.len >= tl->max_bytes) {
			t->st.over_max++;
			continue;
		}
		put_record(t, &out, &r, tl->n_threads);
		if (out.len >= FLUSH_AT) {
			if (fwrite(out.b, 1, out.len, tmp) != out.len)
				err = -EIO;
			t->st.event_bytes += out.len;
			out.len = 0;
		}
	}
	if (out.len && fwrite(out.b, 1, out.len, tmp) != out.len)
		err = -EIO;
	t->st.event_bytes += out.len;
	pb_free(&out);
	return err;
}

/* --- the end: descriptors and annotations ---------------------------------------- */

static void descriptor(struct pb *dst, struct pb *td)
{
	struct pb pk = {0};

	pb_uint(&pk, TP_SEQ_ID, SEQ_ID);
	pb_msg(&pk, TP_TRACK_DESCRIPTOR, td);
	pb_msg(dst, TRACE_PACKET, &pk);
	pb_free(&pk);
}

static void named_track(struct pb *dst, uint64_t uuid, uint64_t parent, const char *name)
{
	struct pb td = {0};

	pb_uint(&td, TD_UUID, uuid);
	pb_uint(&td, TD_PARENT_UUID, parent);
	pb_str(&td, TD_NAME, name);
	descriptor(dst, &td);
	pb_free(&td);
}

static void counter_track(struct pb *dst, uint64_t uuid, const char *name, int unit,
			  const char *unit_name)
{
	struct pb td = {0}, cd = {0};

	pb_uint(&td, TD_UUID, uuid);
	pb_str(&td, TD_NAME, name);
	pb_uint(&cd, CD_UNIT, (uint64_t)unit);
	if (unit_name)
		pb_str(&cd, CD_UNIT_NAME, unit_name);
	pb_msg(&td, TD_COUNTER, &cd);
	descriptor(dst, &td);
	pb_free(&td);
	pb_free(&cd);
}

static void interned_names(struct pb *dst)
{
	struct pb pk = {0}, id = {0}, en = {0};

	for (int n = 1; n < N_COUNT; n++) {
		pb_uint(&en, EN_IID, (uint64_t)n);
		pb_str(&en, EN_NAME, state_names[n]);
		pb_msg(&id, ID_EVENT_NAMES, &en);
	}
	pb_uint(&pk, TP_SEQ_ID, SEQ_ID);
	pb_uint(&pk, TP_SEQ_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED);
	pb_msg(&pk, TP_INTERNED_DATA, &id);
	pb_msg(dst, TRACE_PACKET, &pk);
	pb_free(&pk);
	pb_free(&id);
	pb_free(&en);
}

/* The process of the snapshot whose pid is @pid and lives at @ts; SIZE_MAX if none. */
static size_t proc_at(const struct snapshot *s, uint32_t pid, uint64_t ts)
{
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < s->n_procs; i++) {
		const struct process *p = &s->procs[i];

		if (p->pid != pid || p->folded)
			continue;
		if (p->start_ns <= ts || best == SIZE_MAX)
			best = i;
	}
	return best;
}

/* The target's processes, then the peers: one index space for tracks. */
static size_t n_tracked(const struct snapshot *s)
{
	return s->n_procs + s->n_peers;
}

static const struct process *tracked(const struct snapshot *s, size_t i)
{
	return i < s->n_procs ? &s->procs[i] : &s->peers[i - s->n_procs];
}

static bool traced_proc(const struct process *p)
{
	return !p->folded && p->pid && p->slot != SLOT_OVERFLOW;
}

static void proc_label(const struct process *p, char *buf, size_t len)
{
	snprintf(buf, len, "%s %u", p->comm, p->pid);
}

/* The descriptors: a track per process and thread, the tree's tracks, the ProcessTree. */
static void put_descriptors(const struct timeline *tl, struct pb *dst, const struct snapshot *s)
{
	struct pb td = {0}, pd = {0}, pt = {0}, ptp = {0};
	char label[64];

	named_track(dst, UUID_TREE, 0, "process tree");
	if (s->n_peers)
		named_track(dst, UUID_PEERS, 0, "peers (outside the target)");
	for (size_t i = 0; i < n_tracked(s); i++) {
		const struct process *p = tracked(s, i);
		size_t parent;

		if (!traced_proc(p))
			continue;
		pb_uint(&pd, PD_PID, p->pid);
		if (p->cmdline)
			pb_str(&pd, PD_CMDLINE, p->cmdline);
		pb_str(&pd, PD_NAME, p->comm);
		pb_uint(&pd, PD_START, p->start_ns);
		pb_uint(&td, TD_UUID, UUID_PROC(i));
		pb_msg(&td, TD_PROCESS, &pd);
		descriptor(dst, &td);
		pb_uint(&ptp, PTP_PID, p->pid);
		pb_uint(&ptp, PTP_PPID, p->ppid);
		if (p->cmdline)
			pb_str(&ptp, PTP_CMDLINE, p->cmdline);
		pb_msg(&pt, PT_PROCESSES, &ptp);
		/* the tree: a track per process under its parent's; peers apart */
		parent = i < s->n_procs ? proc_at(s, p->ppid, p->start_ns) : SIZE_MAX;
		proc_label(p, label, sizeof(label));
		named_track(dst, UUID_PTREE(i),
			    i >= s->n_procs ? UUID_PEERS
			    : parent != SIZE_MAX && traced_proc(&s->procs[parent])
				    ? UUID_PTREE(parent)
				    : UUID_TREE,
			    label);
	}
	for (size_t i = 0; i < tl->n_threads; i++) {
		const struct tl_thread *th = &tl->threads[i];
		/*
		 * a main thread is named as its process, after its last exec: the name read
		 * when it was first seen may be its parent's, from before the exec
		 */
		size_t k = th->tid == th->pid ? proc_at(s, th->pid, UINT64_MAX) : SIZE_MAX;
		const char *name =
			k != SIZE_MAX && s->procs[k].comm[0] ? s->procs[k].comm : th->name;
		struct pb thd = {0};

		pb_uint(&thd, THD_PID, th->pid);
		pb_uint(&thd, THD_TID, th->tid);
		if (name[0])
			pb_str(&thd, THD_NAME, name);
		pb_uint(&td, TD_UUID, UUID_THREAD(i));
		pb_msg(&td, TD_THREAD, &thd);
		descriptor(dst, &td);
		pb_uint(&ptp, PTT_TID, th->tid);
		pb_uint(&ptp, PTT_TGID, th->pid);
		if (name[0])
			pb_str(&ptp, PTT_NAME, name);
		pb_msg(&pt, PT_THREADS, &ptp);
		pb_free(&thd);
	}
	{
		struct pb pk = {0};

		pb_uint_always(&pk, TP_TIMESTAMP, s->start_ns);
		pb_uint(&pk, TP_SEQ_ID, SEQ_ID);
		pb_msg(&pk, TP_PROCESS_TREE, &pt);
		pb_msg(dst, TRACE_PACKET, &pk);
		pb_free(&pk);
	}
	pb_free(&td);
	pb_free(&pd);
	pb_free(&pt);
	pb_free(&ptp);
}

/* Each process's life on its tree track (with its fork flow), exec and exit instants. */
static void put_lives(struct enc *t, struct pb *dst, const struct snapshot *s,
		      const struct analysis *a)
{
	struct pb annots = {0};

	for (size_t i = 0; i < n_tracked(s); i++) {
		const struct process *p = tracked(s, i);
		bool peer = i >= s->n_procs;
		uint64_t end = p->end_ns ? p->end_ns : s->end_ns;
		size_t parent = peer ? SIZE_MAX : proc_at(s, p->ppid, p->start_ns);
		bool on_path = false;
		uint64_t flow = 0;
		char what[96];
		struct te e;
		int code;

		if (!traced_proc(p))
			continue;
		for (size_t k = 0; k < a->bd.n_path; k++)
			on_path |= a->bd.path[k].peer == peer &&
				   a->bd.path[k].proc == (peer ? i - s->n_procs : i);
		if (parent != SIZE_MAX && traced_proc(&s->procs[parent]) &&
		    !(p->flags & PROC_F_PRESENT)) {
			flow = FLOW_FORK + i;
			snprintf(what, sizeof(what), "fork: %s", p->comm);
			e = (struct te){.type = TYPE_INSTANT,
					.track = UUID_PROC(parent),
					.name = what,
					.flow_out = flow};
			put_event(t, dst, p->start_ns, &e);
		}
		annots.len = 0;
		annot_str(&annots, "cmdline", p->cmdline);
		annot_int(&annots, "pid", p->pid);
		annot_int(&annots, "ppid", p->ppid);
		annot(&annots, "on_critical_path", DA_BOOL, on_path, NULL);
		annot_str(&annots, "dominant",
			  bd_class_name(peer ? a->bd.peers[i - s->n_procs].dominant
					     : a->bd.procs[i].dominant));
		if (peer)
			annot_int(&annots, "peer_hops", p->hops);
		annot_double(&annots, "cpu_s", p->m.sched.oncpu_ns / 1e9);
		if ((code = proc_exit_code(p)) >= 0)
			annot_int(&annots, "exit_code", code);
		if (proc_exit_signal(p))
			annot_int(&annots, "exit_signal", proc_exit_signal(p));
		e = (struct te){.type = TYPE_SLICE_BEGIN,
				.track = UUID_PTREE(i),
				.name = p->cmdline && p->cmdline[0] ? p->cmdline : p->comm,
				.flow_in = flow,
				.annots = &annots};
		put_event(t, dst, p->start_ns, &e);
		e = (struct te){.type = TYPE_SLICE_END, .track = UUID_PTREE(i)};
		put_event(t, dst, end, &e);
		if (p->exec_ns) {
			annots.len = 0;
			annot_str(&annots, "cmdline", p->cmdline);
			e = (struct te){.type = TYPE_INSTANT,
					.track = UUID_PROC(i),
					.name = "exec",
					.annots = &annots};
			put_event(t, dst, p->exec_ns, &e);
		}
		if (p->end_ns && (p->flags & PROC_F_EXITED)) {
			if (proc_exit_signal(p))
				snprintf(what, sizeof(what), "exit: signal %d",
					 proc_exit_signal(p));
			else
				snprintf(what, sizeof(what), "exit: %d", proc_exit_code(p));
			e = (struct te){.type = TYPE_INSTANT, .track = UUID_PROC(i), .name = what};
			put_event(t, dst, p->end_ns, &e);
		}
	}
	pb_free(&annots);
}

/*
 * The critical path walked through who ended each wait: the process it was in at each
 * moment, and what that process was doing ("python3 812: oncpu"), tiling the wall time;
 * within @budget bytes (a part of --trace-max), the rest said to be left out.
 */
static void put_path_segments(struct enc *t, struct pb *dst, const struct snapshot *s,
			      const struct critpath *c, size_t budget)
{
	struct pb annots = {0};
	size_t from = dst->len;
	char label[96];

	for (size_t k = 0; k < c->n_segs; k++) {
		const struct path_seg *g = &c->segs[k];
		const struct process *p = proc_ref_get(s, g->proc);
		struct te e;

		if (dst->len - from >= budget) {
			snprintf(label, sizeof(label),
				 "critical path: %zu more segments left out (--trace-max)",
				 c->n_segs - k);
			e = (struct te){.type = TYPE_INSTANT, .track = UUID_PATH, .name = label};
			put_event(t, dst, g->start_ns, &e);
			break;
		}

		snprintf(label, sizeof(label), "%s %u: %s", p->comm, p->pid, bd_class_name(g->cls));
		annots.len = 0;
		annot_str(&annots, "cmdline", p->cmdline);
		annot(&annots, "peer", DA_BOOL, g->proc.peer, NULL);
		e = (struct te){.type = TYPE_SLICE_BEGIN,
				.track = UUID_PATH,
				.name = label,
				.annots = &annots};
		put_event(t, dst, g->start_ns, &e);
		e = (struct te){.type = TYPE_SLICE_END, .track = UUID_PATH};
		put_event(t, dst, g->start_ns + g->ns, &e);
	}
	pb_free(&annots);
}

/*
 * The critical path's steps, each within the one before it or after it; walked
 * through wake-ups, its segments.
 */
static void put_path(struct enc *t, struct pb *dst, const struct snapshot *s,
		     const struct analysis *a, size_t budget)
{
	uint64_t *open_end;
	struct pb annots = {0};
	size_t depth = 0;
	char label[64];

	named_track(dst, UUID_PATH, 0, "critical path");
	if (a->bd.detail) {
		put_path_segments(t, dst, s, a->bd.detail, budget);
		return;
	}
	open_end = xcalloc(a->bd.n_path + 1, sizeof(*open_end));
	for (size_t k = 0; k < a->bd.n_path; k++) {
		const struct process *p = path_step_proc(s, &a->bd.path[k]);
		uint64_t from = p->start_ns, to = p->end_ns ? p->end_ns : s->end_ns;
		struct te e;

		while (depth && open_end[depth - 1] <= from)
			depth--;
		if (depth && to > open_end[depth - 1])
			to = open_end[depth - 1]; /* nest, as slices on one track must */
		if (to <= from)
			continue;
		proc_label(p, label, sizeof(label));
		annots.len = 0;
		annot_str(&annots, "cmdline", p->cmdline);
		annot_double(&annots, "on_path_s", a->bd.path[k].on_path_ns / 1e9);
		annot_str(&annots, "dominant", bd_class_name(a->bd.path[k].dominant));
		e = (struct te){.type = TYPE_SLICE_BEGIN,
				.track = UUID_PATH,
				.name = label,
				.annots = &annots};
		put_event(t, dst, from, &e);
		e = (struct te){.type = TYPE_SLICE_END, .track = UUID_PATH};
		put_event(t, dst, to, &e);
		open_end[depth++] = to;
	}
	free(open_end);
	pb_free(&annots);
}

static void put_finding(struct enc *t, struct pb *dst, const struct snapshot *s, const char *kind,
			const char *summary, const char *suggestion, double score)
{
	struct pb annots = {0};
	struct te e;

	annot_str(&annots, "kind", kind);
	annot_double(&annots, "score", score);
	if (suggestion && suggestion[0])
		annot_str(&annots, "suggestion", suggestion);
	e = (struct te){.type = TYPE_SLICE_BEGIN,
			.track = UUID_FINDINGS,
			.name = summary,
			.annots = &annots};
	put_event(t, dst, s->start_ns, &e);
	e = (struct te){.type = TYPE_SLICE_END, .track = UUID_FINDINGS};
	put_event(t, dst, s->end_ns, &e);
	pb_free(&annots);
}

static void put_findings(struct enc *t, struct pb *dst, const struct snapshot *s,
			 const struct analysis *a, const char *title)
{
	char name[256];

	snprintf(name, sizeof(name), "findings: %s", title);
	named_track(dst, UUID_FINDINGS, 0, name);
	for (size_t i = 0; i < a->findings.n; i++) {
		const struct finding *f = &a->findings.f[i];

		put_finding(t, dst, s, f->kind, f->summary, f->suggestion, f->score);
	}
	if (t->st.over_max || t->st.lost) {
		char msg[200];

		snprintf(msg, sizeof(msg),
			 "procscope: this trace is incomplete: %llu records past --trace-max, "
			 "%llu the kernel could not buffer",
			 (unsigned long long)t->st.over_max, (unsigned long long)t->st.lost);
		put_finding(t, dst, s, "trace", msg, "raise --trace-max or shorten the run", 0);
	}
}

static void put_counters(struct enc *t, const struct timeline *tl, struct pb *dst,
			 const struct snapshot *s)
{
	double last = -1;
	struct te e;

	counter_track(dst, UUID_CPU, "CPU used by the target (cores)", UNIT_COUNT, "cores");
	counter_track(dst, UUID_DISK, "disk bytes/s", UNIT_SIZE_BYTES, NULL);
	counter_track(dst, UUID_NET, "network bytes/s", UNIT_SIZE_BYTES, NULL);
	for (size_t b = 0; b < tl->n_buckets; b++) {
		uint64_t ts = tl->start_ns + b * TRACE_TICK_NS;
		double v = (double)tl->cpu_ns[b] / TRACE_TICK_NS;

		if (ts > s->end_ns)
			break;
		if (v == last)
			continue;
		e = (struct te){.type = TYPE_COUNTER,
				.track = UUID_CPU,
				.counter_double = true,
				.dvalue = v};
		put_event(t, dst, ts, &e);
		last = v;
	}
	for (int c = 0; c < 2; c++) {
		int64_t prev_rate = -1;

		for (size_t i = 1; i < tl->n_samples; i++) {
			const struct tl_sample *a = &tl->samples[i - 1], *b = &tl->samples[i];
			uint64_t va = c ? a->net : a->disk, vb = c ? b->net : b->disk;
			/* a recycled slot takes its bytes along: never a negative rate */
			uint64_t d = vb > va ? vb - va : 0, dt = b->ts - a->ts;
			int64_t rate = dt ? (int64_t)(d * 1e9 / (double)dt) : 0;

			if (rate == prev_rate)
				continue;
			e = (struct te){.type = TYPE_COUNTER,
					.track = c ? UUID_NET : UUID_DISK,
					.counter = true,
					.value = rate};
			put_event(t, dst, a->ts, &e);
			prev_rate = rate;
		}
	}
}

int trace_render(FILE *out, const struct timeline *tl, const struct snapshot *s,
		 const struct analysis *a, const char *title, struct trace_stats *st)
{
	struct enc t = {.flow_in = xcalloc(tl->n_threads + 1, sizeof(*t.flow_in))};
	struct pb head = {0};
	FILE *tmp = tmpfile();
	char buf[65536];
	size_t n;
	int err = tmp ? 0 : -errno;

	/* the events first, into a file of their own: the head says what was left out */
	if (!err)
		err = encode_events(&t, tl, tmp);
	t.st.over_max += tl->not_kept;
	t.st.lost = tl->lost;
	t.st.threads = tl->n_threads;
	if (!err) {
		interned_names(&head);
		put_findings(&t, &head, s, a, title);
		/* the path's segments: a sixteenth of the bound (the events have the rest) */
		put_path(&t, &head, s, a, tl->max_bytes / 16);
		put_counters(&t, tl, &head, s);
		put_descriptors(tl, &head, s);
		put_lives(&t, &head, s, a);
		if (fwrite(head.b, 1, head.len, out) != head.len)
			err = -EIO;
	}
	if (!err && fflush(tmp))
		err = -EIO;
	if (!err)
		rewind(tmp);
	while (!err && (n = fread(buf, 1, sizeof(buf), tmp)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			err = -EIO;
	if (tmp)
		fclose(tmp);
	pb_free(&head);
	pb_free(&t.pkt);
	pb_free(&t.ev);
	free(t.flow_in);
	*st = t.st;
	return err;
}
