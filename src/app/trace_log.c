// SPDX-License-Identifier: GPL-2.0
/* --trace: the timeline's events on their way to the renderer; see trace_log.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/trace_log.h"
#include "lib/log.h"
#include "lib/util.h"

struct trace_log {
	FILE *tmp;
	uint64_t max_bytes, start_ns;
	uint64_t n_events, not_kept;
	bool write_failed;
	struct tl_thread *threads;
	size_t n_threads, cap_threads;
	uint32_t *index; /* open addressing over tid: thread index + 1, 0 = empty */
	size_t index_mask;
	uint64_t *cpu_ns;
	size_t n_buckets;
	struct tl_sample *samples;
	size_t n_samples, cap_samples;
};

struct trace_log *trace_log__new(uint64_t max_bytes, uint64_t start_ns)
{
	struct trace_log *t = xcalloc(1, sizeof(*t));

	t->tmp = tmpfile();
	if (!t->tmp) {
		pr_error("--trace: cannot create a temporary file: %s", strerror(errno));
		free(t);
		return NULL;
	}
	t->max_bytes = max_bytes;
	t->start_ns = start_ns;
	t->index_mask = 1023;
	t->index = xcalloc(t->index_mask + 1, sizeof(*t->index));
	return t;
}

static size_t tid_hash(uint32_t tid, size_t mask)
{
	return (tid * 2654435761U) & mask;
}

static void index_grow(struct trace_log *t)
{
	size_t mask = t->index_mask * 2 + 1;
	uint32_t *idx = xcalloc(mask + 1, sizeof(*idx));

	/* newest first: a tid seen in several processes stands for the latest */
	for (size_t i = t->n_threads; i-- > 0;) {
		size_t h = tid_hash(t->threads[i].tid, mask);

		while (idx[h] && t->threads[idx[h] - 1].tid != t->threads[i].tid)
			h = (h + 1) & mask;
		if (!idx[h])
			idx[h] = (uint32_t)i + 1;
	}
	free(t->index);
	t->index = idx;
	t->index_mask = mask;
}

/* The thread @tid of @pid, added when first seen (or when its tid is another's now). */
static uint32_t thread_of(struct trace_log *t, uint32_t tid, uint32_t pid)
{
	size_t h = tid_hash(tid, t->index_mask);
	struct tl_thread *th;
	char path[64];
	FILE *f;

	for (; t->index[h]; h = (h + 1) & t->index_mask) {
		th = &t->threads[t->index[h] - 1];
		if (th->tid != tid)
			continue;
		if (th->pid == pid)
			return t->index[h] - 1;
		break; /* the tid is another process's now: a new track, found here */
	}
	if (t->n_threads == t->cap_threads) {
		t->cap_threads = t->cap_threads ? t->cap_threads * 2 : 256;
		t->threads = xrealloc(t->threads, t->cap_threads * sizeof(*t->threads));
	}
	th = &t->threads[t->n_threads];
	memset(th, 0, sizeof(*th));
	th->tid = tid;
	th->pid = pid;
	/* its name while it lives (the kernel's record has none) */
	snprintf(path, sizeof(path), "/proc/%u/task/%u/comm", pid, tid);
	if ((f = fopen(path, "re"))) {
		if (fgets(th->name, sizeof(th->name), f))
			th->name[strcspn(th->name, "\n")] = 0;
		fclose(f);
	}
	t->index[h] = (uint32_t)t->n_threads + 1;
	t->n_threads++;
	if (t->n_threads * 2 > t->index_mask)
		index_grow(t);
	return (uint32_t)t->n_threads - 1;
}

/* On-CPU time of [from, to) into the counter's buckets. */
static void cpu_add(struct trace_log *t, uint64_t from, uint64_t to)
{
	if (from < t->start_ns)
		from = t->start_ns;
	while (from < to) {
		size_t b = (size_t)((from - t->start_ns) / TRACE_TICK_NS);
		uint64_t end = t->start_ns + (b + 1) * TRACE_TICK_NS;

		if (b >= t->n_buckets) {
			size_t n = b + 64;

			t->cpu_ns = xrealloc(t->cpu_ns, n * sizeof(*t->cpu_ns));
			memset(t->cpu_ns + t->n_buckets, 0,
			       (n - t->n_buckets) * sizeof(*t->cpu_ns));
			t->n_buckets = n;
		}
		if (end > to)
			end = to;
		t->cpu_ns[b] += end - from;
		from = end;
	}
}

void trace_log__event(struct trace_log *t, const struct tl_event *e)
{
	struct tl_rec r = {.start_ns = e->start_ns,
			   .end_ns = e->end_ns,
			   .kind = e->kind,
			   .tstate = e->tstate,
			   .wclass = e->wclass};

	if (e->tstate == TS_ONCPU && e->kind == TL_SLICE)
		cpu_add(t, e->start_ns, e->end_ns); /* the counter is whole, whatever is kept */
	/* a record is smaller than its encoding: the renderer's bound comes first */
	if ((t->n_events + 1) * sizeof(r) > t->max_bytes) {
		t->not_kept++;
		return;
	}
	r.thread = thread_of(t, e->tid, e->pid);
	if (e->kind == TL_WAKE)
		r.waker = thread_of(t, e->waker, e->waker_pid);
	if (!t->write_failed && fwrite(&r, sizeof(r), 1, t->tmp) != 1)
		t->write_failed = true;
	t->n_events++;
}

void trace_log__sample(struct trace_log *t, uint64_t now, uint64_t disk_bytes, uint64_t net_bytes)
{
	if (t->n_samples == t->cap_samples) {
		t->cap_samples = t->cap_samples ? t->cap_samples * 2 : 1024;
		t->samples = xrealloc(t->samples, t->cap_samples * sizeof(*t->samples));
	}
	t->samples[t->n_samples++] = (struct tl_sample){now, disk_bytes, net_bytes};
}

int trace_log__timeline(struct trace_log *t, uint64_t lost, struct timeline *out)
{
	if (t->write_failed || fflush(t->tmp)) {
		pr_error("--trace: cannot write the temporary file: %s", strerror(errno));
		return -EIO;
	}
	*out = (struct timeline){
		.events = t->tmp,
		.n_events = t->n_events,
		.not_kept = t->not_kept,
		.lost = lost,
		.max_bytes = t->max_bytes,
		.threads = t->threads,
		.n_threads = t->n_threads,
		.start_ns = t->start_ns,
		.cpu_ns = t->cpu_ns,
		.n_buckets = t->n_buckets,
		.samples = t->samples,
		.n_samples = t->n_samples,
	};
	return 0;
}

void trace_log__free(struct trace_log *t)
{
	if (!t)
		return;
	if (t->tmp)
		fclose(t->tmp);
	free(t->threads);
	free(t->index);
	free(t->cpu_ns);
	free(t->samples);
	free(t);
}
