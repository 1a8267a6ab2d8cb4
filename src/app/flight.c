// SPDX-License-Identifier: GPL-2.0
/* --flight-recorder: the last window of the timeline, and its dumps; see flight.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "app/flight.h"
#include "lib/log.h"
#include "lib/util.h"

#define SIGNAL_GAP_NS NSEC_PER_SEC /* a signal's or a request's dumps, at most one a second */
#define MAX_RULES 256		   /* rules whose last dump is remembered */

/*
 * The tables at an interval's end, deflated: mostly histogram buckets, mostly zero, a
 * copy of the slots and rows in use takes ~1/20 of its size so (a monitor's 17 MB of
 * tables under a fork storm: ~1 MB).
 */
struct anchor {
	struct raw_dump d; /* its arrays NULL: they are in z */
	bool live, agg;	   /* d.live, d.agg were there */
	bool packed;	   /* d.row_at was there (raw_dump.h) */
	unsigned char *z;
	size_t z_len;
};

/*
 * The records, in chunks: the oldest chunk goes when the bound is reached (its records
 * dropped) or when all of it is older than any dump can want (freed), so that memory
 * follows the window -- a circular array would have its every page touched in time.
 */
struct chunk {
	struct chunk *next; /* newer */
	size_t n;
	uint64_t newest; /* the latest end among its records */
	struct tl_event ev[FLIGHT_CHUNK_EVENTS];
};

struct rule_seen {
	char *rule;
	uint64_t last_ns;
};

struct flight {
	uint64_t window_ns;
	char *dir;
	unsigned int keep;
	pthread_mutex_t mu; /* the records, the samples and the figures */
	struct chunk *oldest, *newest;
	size_t n_chunks, max_chunks;
	uint64_t newest_ns;	   /* the latest event's end: what "old" is measured from */
	struct tl_sample *samples; /* a ring too */
	size_t s_cap, s_head, s_n;
	struct flight_stats st;
	struct anchor anchors[FLIGHT_ANCHORS]; /* oldest first; the event loop's */
	size_t n_anchors;
	struct rule_seen rules[MAX_RULES];
	size_t n_rules;
	uint64_t last_signal_ns[FR_REASONS];
	uint64_t anchor_bytes; /* deflated, all of them */
};

/* mkdir -p @path, each new directory 0700. */
static int make_dirs(const char *path)
{
	char *p = xstrdup(path);
	int err = 0;

	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != 0)
			continue;
		*s = 0;
		if (mkdir(p, 0700) && errno != EEXIST) {
			err = -errno;
			break;
		}
		*s = c;
		if (!c)
			break;
	}
	free(p);
	return err;
}

int flight__open(struct flight **out, uint64_t window_ns, uint64_t max_bytes, const char *dir,
		 unsigned int keep, char *err, size_t errlen)
{
	struct flight *f;
	struct stat st;
	int rc;

	*out = NULL;
	if ((rc = make_dirs(dir)) || (rc = stat(dir, &st) ? -errno : 0)) {
		snprintf(err, errlen, "--flight-recorder-dir '%s': %s", dir, strerror(-rc));
		return rc;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "--flight-recorder-dir '%s': not a directory", dir);
		return -ENOTDIR;
	}
	if (access(dir, W_OK | X_OK)) {
		rc = -errno;
		snprintf(err, errlen, "--flight-recorder-dir '%s': %s", dir, strerror(errno));
		return rc;
	}
	f = xcalloc(1, sizeof(*f));
	f->window_ns = window_ns;
	f->dir = xstrdup(dir);
	f->keep = keep;
	pthread_mutex_init(&f->mu, NULL);
	f->max_chunks = max_bytes / sizeof(struct chunk);
	if (f->max_chunks < 2)
		f->max_chunks = 2;
	/* the counters' samples of two windows (a dump reaches back up to 1.25 of one) */
	f->s_cap = window_ns * 2 / TRACE_TICK_NS + 16;
	f->samples = xcalloc(f->s_cap, sizeof(*f->samples));
	*out = f;
	return 0;
}

void flight__free(struct flight *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_anchors; i++)
		free(f->anchors[i].z);
	for (size_t i = 0; i < f->n_rules; i++)
		free(f->rules[i].rule);
	pthread_mutex_destroy(&f->mu);
	while (f->oldest) {
		struct chunk *c = f->oldest;

		f->oldest = c->next;
		free(c);
	}
	free(f->samples);
	free(f->dir);
	free(f);
}

uint64_t flight__window_ns(const struct flight *f)
{
	return f->window_ns;
}

/* Events older than this (from the newest) no dump can need: a window and a half. */
static uint64_t horizon(const struct flight *f)
{
	uint64_t keep = f->window_ns + f->window_ns / 2;

	return f->newest_ns > keep ? f->newest_ns - keep : 0;
}

/* The oldest chunk gone; its records that a dump could want counted as dropped. */
static struct chunk *chunk_drop_oldest(struct flight *f)
{
	struct chunk *c = f->oldest;
	uint64_t h = horizon(f);

	for (size_t i = 0; i < c->n; i++)
		f->st.dropped += c->ev[i].end_ns >= h;
	f->oldest = c->next;
	if (!f->oldest)
		f->newest = NULL;
	f->n_chunks--;
	return c;
}

void flight__event(struct flight *f, const struct tl_event *e)
{
	struct chunk *c;

	pthread_mutex_lock(&f->mu);
	if (e->end_ns > f->newest_ns)
		f->newest_ns = e->end_ns;
	if (!f->newest || f->newest->n == FLIGHT_CHUNK_EVENTS) {
		/* chunks all older than a dump can want are freed; at the bound, the oldest goes */
		while (f->oldest && f->oldest->newest < horizon(f))
			free(chunk_drop_oldest(f));
		c = f->n_chunks == f->max_chunks ? chunk_drop_oldest(f) : xmalloc(sizeof(*c));
		c->next = NULL;
		c->n = 0;
		c->newest = 0;
		if (f->newest)
			f->newest->next = c;
		else
			f->oldest = c;
		f->newest = c;
		f->n_chunks++;
	}
	c = f->newest;
	c->ev[c->n++] = *e;
	if (e->end_ns > c->newest)
		c->newest = e->end_ns;
	pthread_mutex_unlock(&f->mu);
}

void flight__sample(struct flight *f, uint64_t now, uint64_t disk, uint64_t net)
{
	pthread_mutex_lock(&f->mu);
	if (f->s_n == f->s_cap) {
		f->s_head = (f->s_head + 1) % f->s_cap;
		f->s_n--;
	}
	f->samples[(f->s_head + f->s_n) % f->s_cap] = (struct tl_sample){now, disk, net};
	f->s_n++;
	pthread_mutex_unlock(&f->mu);
}

#define ANCHOR_PARTS 5

/* The arrays of @d, in the order they are deflated. */
static size_t anchor_parts(const struct raw_dump *d, const struct anchor *a, void *p[ANCHOR_PARTS],
			   size_t n[ANCHOR_PARTS])
{
	p[0] = d->procs, n[0] = (size_t)d->n_procs * sizeof(*d->procs);
	p[1] = d->live, n[1] = a->live ? (size_t)d->n_procs * sizeof(*d->live) : 0;
	p[2] = d->agg, n[2] = a->agg ? (size_t)d->n_agg * sizeof(*d->agg) : 0;
	p[3] = d->rows, n[3] = (size_t)d->n_rows * sizeof(*d->rows);
	p[4] = d->row_at, n[4] = a->packed ? (size_t)d->n_rows * sizeof(*d->row_at) : 0;
	return n[0] + n[1] + n[2] + n[3] + n[4];
}

/* @len bytes at @p into @zs (NULL: zeros). False if deflate failed. */
static bool deflate_some(z_stream *zs, const void *p, size_t len)
{
	static const unsigned char zeros[4096];

	while (len) {
		size_t n = p ? len : len < sizeof(zeros) ? len : sizeof(zeros);

		zs->next_in = (unsigned char *)(p ? p : zeros);
		zs->avail_in = (uInt)n;
		if (deflate(zs, Z_NO_FLUSH) != Z_OK || zs->avail_in)
			return false;
		len -= n;
	}
	return true;
}

/*
 * @d deflated into @a -- the slots not in use as zeros, the rows as they are (packed,
 * or by index with those not in use as zeros) -- without a copy. -ENOMEM or -EIO if not.
 */
static int anchor_pack(struct anchor *a, const struct raw_dump *d)
{
	z_stream zs = {0};
	void *p[ANCHOR_PARTS];
	size_t n[ANCHOR_PARTS], bound;
	bool ok = true;

	memset(a, 0, sizeof(*a));
	a->live = d->live != NULL;
	a->agg = d->agg != NULL;
	a->packed = d->row_at != NULL;
	if (deflateInit(&zs, 1) != Z_OK)
		return -ENOMEM;
	bound = deflateBound(&zs, anchor_parts(d, a, p, n));
	a->z = xmalloc(bound); /* its pages touched as far as it is written */
	zs.next_out = a->z;
	zs.avail_out = (uInt)bound;
	for (uint32_t i = 0; i < d->n_procs && ok; i++)
		ok = deflate_some(&zs, raw_dump_slot_used(d, i) ? &d->procs[i] : NULL,
				  sizeof(d->procs[i]));
	for (uint32_t i = 0; a->live && i < d->n_procs && ok; i++)
		ok = deflate_some(&zs, raw_dump_slot_used(d, i) ? &d->live[i] : NULL,
				  sizeof(d->live[i]));
	if (ok && a->agg)
		ok = deflate_some(&zs, d->agg, n[2]);
	for (uint32_t i = 0; i < d->n_rows && ok; i++)
		ok = deflate_some(&zs, i < ROW_FIRST || d->rows[i].kind ? &d->rows[i] : NULL,
				  sizeof(d->rows[i]));
	if (ok && a->packed)
		ok = deflate_some(&zs, d->row_at, n[4]);
	if (ok && deflate(&zs, Z_FINISH) != Z_STREAM_END)
		ok = false;
	a->z_len = zs.total_out;
	deflateEnd(&zs);
	if (!ok) {
		free(a->z);
		a->z = NULL;
		return -EIO;
	}
	a->z = xrealloc(a->z, a->z_len ? a->z_len : 1);
	a->d = *d;
	a->d.procs = NULL, a->d.live = NULL, a->d.agg = NULL, a->d.rows = NULL;
	a->d.written = NULL, a->d.n_written = 0;
	a->d.row_at = NULL, a->d.rows_cap = 0;
	a->d.conns = NULL, a->d.n_conns = 0;
	return 0;
}

/* @a inflated into @out, owning its arrays. */
static bool anchor_unpack(const struct anchor *a, struct raw_dump *out)
{
	z_stream zs = {0};
	void *p[ANCHOR_PARTS];
	size_t n[ANCHOR_PARTS];
	bool ok = true;

	*out = a->d;
	out->procs = xcalloc(a->d.n_procs ? a->d.n_procs : 1, sizeof(*out->procs));
	out->live = a->live ? xcalloc(a->d.n_procs ? a->d.n_procs : 1, sizeof(*out->live)) : NULL;
	out->agg = a->agg ? xcalloc(a->d.n_agg ? a->d.n_agg : 1, sizeof(*out->agg)) : NULL;
	out->rows = xcalloc(a->d.n_rows ? a->d.n_rows : 1, sizeof(*out->rows));
	if (a->packed) {
		out->row_at = xcalloc(a->d.n_rows ? a->d.n_rows : 1, sizeof(*out->row_at));
		out->rows_cap = a->d.n_rows ? a->d.n_rows : 1;
	}
	anchor_parts(out, a, p, n);
	if (inflateInit(&zs) != Z_OK) {
		raw_dump_release(out);
		return false;
	}
	zs.next_in = a->z;
	zs.avail_in = (uInt)a->z_len;
	for (int i = 0; i < ANCHOR_PARTS && ok; i++) {
		int rc;

		if (!n[i])
			continue;
		zs.next_out = p[i];
		zs.avail_out = (uInt)n[i];
		rc = inflate(&zs, Z_SYNC_FLUSH);
		ok = (rc == Z_OK || rc == Z_STREAM_END) && !zs.avail_out;
	}
	inflateEnd(&zs);
	if (!ok)
		raw_dump_release(out);
	return ok;
}

void flight__anchor(struct flight *f, const struct raw_dump *d)
{
	const struct anchor *last = f->n_anchors ? &f->anchors[f->n_anchors - 1] : NULL;
	struct anchor a;

	if (last && d->ts_ns < last->d.ts_ns + f->window_ns / 4)
		return;
	if (anchor_pack(&a, d)) {
		pr_warn("flight recorder: cannot keep the tables at an interval's end");
		return;
	}
	/* the oldest is not needed once the next is itself a window old */
	while (f->n_anchors == FLIGHT_ANCHORS ||
	       (f->n_anchors >= 2 && f->anchors[1].d.ts_ns + f->window_ns <= d->ts_ns)) {
		free(f->anchors[0].z);
		memmove(&f->anchors[0], &f->anchors[1], (f->n_anchors - 1) * sizeof(f->anchors[0]));
		f->n_anchors--;
	}
	f->anchors[f->n_anchors++] = a;
	pthread_mutex_lock(&f->mu);
	f->anchor_bytes = 0;
	for (size_t i = 0; i < f->n_anchors; i++)
		f->anchor_bytes += f->anchors[i].z_len;
	pthread_mutex_unlock(&f->mu);
}

bool flight__anchor_copy(const struct flight *f, uint64_t now, struct raw_dump *out)
{
	for (size_t i = f->n_anchors; i-- > 0;)
		if (f->anchors[i].d.ts_ns + f->window_ns <= now)
			return anchor_unpack(&f->anchors[i], out);
	return false;
}

bool flight__allow(struct flight *f, enum flight_reason reason, const char *rule, uint64_t now)
{
	struct rule_seen *r = NULL;
	bool ok;

	pthread_mutex_lock(&f->mu);
	if (reason != FR_ALERT) {
		ok = !f->last_signal_ns[reason] || now >= f->last_signal_ns[reason] + SIGNAL_GAP_NS;
		if (ok)
			f->last_signal_ns[reason] = now;
		pthread_mutex_unlock(&f->mu);
		return ok;
	}
	for (size_t i = 0; i < f->n_rules && !r; i++)
		if (!strcmp(f->rules[i].rule, rule))
			r = &f->rules[i];
	if (!r) {
		if (f->n_rules == MAX_RULES) { /* the longest ago forgotten */
			size_t old = 0;

			for (size_t i = 1; i < f->n_rules; i++)
				if (f->rules[i].last_ns < f->rules[old].last_ns)
					old = i;
			free(f->rules[old].rule);
			f->rules[old] = f->rules[--f->n_rules];
		}
		r = &f->rules[f->n_rules++];
		*r = (struct rule_seen){xstrdup(rule), 0};
		ok = true;
	} else {
		ok = now >= r->last_ns + f->window_ns;
	}
	if (ok)
		r->last_ns = now;
	else
		f->st.limited++;
	pthread_mutex_unlock(&f->mu);
	return ok;
}

struct trace_log *flight__timeline(struct flight *f, uint64_t from, uint64_t to)
{
	/* the ring bounds the events already: the log takes all of the window */
	struct trace_log *t = trace_log__new(UINT64_MAX / 2, from);
	struct tl_event *copy;
	struct tl_sample *samples;
	size_t n = 0, n_samples = 0;

	if (!t)
		return NULL;
	/* copied out under the lock, so that the event loop waits for a copy at most */
	pthread_mutex_lock(&f->mu);
	copy = xcalloc(f->n_chunks * FLIGHT_CHUNK_EVENTS + 1, sizeof(*copy));
	for (const struct chunk *c = f->oldest; c; c = c->next) {
		if (c->newest < from)
			continue;
		for (size_t i = 0; i < c->n; i++)
			if (c->ev[i].end_ns >= from && c->ev[i].start_ns < to)
				copy[n++] = c->ev[i];
	}
	samples = xcalloc(f->s_n + 1, sizeof(*samples));
	for (size_t i = 0; i < f->s_n; i++) {
		const struct tl_sample *s = &f->samples[(f->s_head + i) % f->s_cap];

		if (s->ts >= from && s->ts <= to)
			samples[n_samples++] = *s;
	}
	pthread_mutex_unlock(&f->mu);
	for (size_t i = 0; i < n; i++)
		trace_log__event(t, &copy[i]);
	for (size_t i = 0; i < n_samples; i++)
		trace_log__sample(t, samples[i].ts, samples[i].disk, samples[i].net);
	free(copy);
	free(samples);
	return t;
}

void flight_file_part(const char *rule, char *out, size_t len)
{
	size_t k = 0;
	bool sep = false;

	for (const char *p = rule; *p && k + 1 < len; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_';

		if (!ok) {
			sep = k > 0;
			continue;
		}
		if (sep && k + 2 < len)
			out[k++] = '-';
		sep = false;
		out[k++] = c;
	}
	out[k] = 0;
	if (!k)
		snprintf(out, len, "alert");
}

/* @data into @dir/@name through a temporary file, synced and renamed. 0 or -errno. */
static int write_atomic(const char *dir, const char *name, const void *data, size_t len)
{
	char tmp[4096], path[4096];
	int fd, err = 0;
	const char *p = data;

	snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (len && !err) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			err = w < 0 ? -errno : -EIO;
		else
			p += w, len -= (size_t)w;
	}
	if (!err && (fchmod(fd, 0600) || fsync(fd)))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The dumps in the directory past the newest @keep removed (their names sort by time). */
static void prune(const char *dir, unsigned int keep)
{
	DIR *d = opendir(dir);
	char **stems = NULL, path[4096];
	size_t n = 0, cap = 0, uniq = 0;
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		const char *dot = strrchr(de->d_name, '.');

		if (strncmp(de->d_name, "procscope-", 10) || !dot ||
		    (strcmp(dot, ".json") && strcmp(dot, ".pftrace")))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			stems = xrealloc(stems, cap * sizeof(*stems));
		}
		stems[n] = xstrdup(de->d_name);
		stems[n][l - strlen(dot)] = 0;
		n++;
	}
	closedir(d);
	qsort(stems, n, sizeof(*stems), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(stems[i], stems[i - 1]))
			uniq++;
	for (size_t i = 0, seen = 0; i < n; i++) {
		if (!i || strcmp(stems[i], stems[i - 1]))
			seen++;
		if (uniq - seen + 1 > keep) {
			snprintf(path, sizeof(path), "%s/%s.json", dir, stems[i]);
			unlink(path);
			snprintf(path, sizeof(path), "%s/%s.pftrace", dir, stems[i]);
			unlink(path);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(stems[i]);
	free(stems);
}

void flight_stem(const struct flight_req *q, char *stem, size_t len)
{
	time_t secs = (time_t)(q->unix_ns / NSEC_PER_SEC);
	char part[96];
	struct tm tm;

	if (q->reason == FR_ALERT)
		flight_file_part(q->rule, part, sizeof(part));
	else
		snprintf(part, sizeof(part), "%s", q->reason == FR_SIGNAL ? "SIGUSR1" : "request");
	gmtime_r(&secs, &tm);
	snprintf(stem, len, "procscope-%04d%02d%02dT%02d%02d%02d.%03uZ-%s", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(q->unix_ns % NSEC_PER_SEC / 1000000), part);
}

const char *flight__dir(const struct flight *f)
{
	return f->dir;
}

int flight__write(struct flight *f, const struct flight_req *q, const char *stem, const void *trace,
		  size_t trace_len, const void *json, size_t json_len)
{
	char file[256];
	int err;

	snprintf(file, sizeof(file), "%s.pftrace", stem);
	err = write_atomic(f->dir, file, trace, trace_len);
	/* the report last: a dump whose .json is there is whole */
	snprintf(file, sizeof(file), "%s.json", stem);
	if (!err)
		err = write_atomic(f->dir, file, json, json_len);
	pthread_mutex_lock(&f->mu);
	if (err)
		f->st.failed++;
	else
		f->st.dumps[q->reason]++;
	pthread_mutex_unlock(&f->mu);
	if (err) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s.pftrace", f->dir, stem);
		unlink(path);
	}
	prune(f->dir, f->keep);
	return err;
}

void flight__stats(struct flight *f, struct flight_stats *st)
{
	pthread_mutex_lock(&f->mu);
	*st = f->st;
	st->kept_bytes = f->n_chunks * sizeof(struct chunk) + f->anchor_bytes;
	pthread_mutex_unlock(&f->mu);
}
