// SPDX-License-Identifier: GPL-2.0
/*
 * The flight recorder apart from the kernel: its ring (the oldest dropped first, counted
 * only while a dump could want them), the window a dump reads, its anchors a quarter
 * window apart, the rate of its dumps, the names and the directory's bound.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/flight.h"
#include "lib/util.h"
#include "test.h"

#define S NSEC_PER_SEC

static char *temp_dir(void)
{
	char tmpl[] = "/tmp/procscope-flight.XXXXXX";
	char *d = mkdtemp(tmpl);

	return d ? xstrdup(d) : NULL;
}

static void remove_dir(const char *dir)
{
	char path[4096];
	struct dirent *de;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' && (!de->d_name[1] || de->d_name[1] == '.'))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static size_t files_in(const char *dir, const char *suffix)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	size_t n = 0, ls = strlen(suffix);

	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);

		n += l >= ls && !strcmp(de->d_name + l - ls, suffix);
	}
	if (d)
		closedir(d);
	return n;
}

static struct tl_event slice(uint32_t tid, uint64_t start, uint64_t end)
{
	return (struct tl_event){.start_ns = start,
				 .end_ns = end,
				 .tid = tid,
				 .pid = tid,
				 .kind = TL_SLICE,
				 .tstate = TS_ONCPU};
}

TEST(test_flight__rule_names_as_file_names)
{
	char out[64];

	flight_file_part("runq.p99 > 10ms", out, sizeof(out));
	CHECK_STR(out, "runq.p99-10ms");
	flight_file_part("process[make].cpu.share > 90% for 3 intervals", out, sizeof(out));
	CHECK_STR(out, "process-make-.cpu.share-90-for-3-intervals");
	flight_file_part("../../etc/passwd", out, sizeof(out));
	CHECK_STR(out, "..-..-etc-passwd");
	flight_file_part("> <", out, sizeof(out));
	CHECK_STR(out, "alert");
	flight_file_part("abcdefghij", out, 5);
	CHECK_STR(out, "abcd");
}

TEST(test_flight__ring_drops_the_oldest_and_counts_only_what_a_dump_wants)
{
	const uint64_t chunk = FLIGHT_CHUNK_EVENTS * sizeof(struct tl_event) + 24;
	const uint64_t chunks = (1 << 20) / chunk; /* 6 of 4,096 records each */
	char *dir = temp_dir(), err[256];
	struct flight *f = NULL;
	struct flight_stats st;

	CHECK(dir != NULL);
	CHECK_U64(chunks, 6);
	/* a minute's window; 1 MiB of records */
	CHECK_I64(flight__open(&f, 60 * S, 1 << 20, dir, 3, err, sizeof(err)), 0);
	CHECK(f != NULL);
	if (!f)
		return;
	/* 30,000 records a millisecond apart: 7 chunks and more wanted, the oldest two
	 * dropped whole (all within the window) */
	for (uint64_t i = 0; i < 30000; i++) {
		struct tl_event e = slice(7, i * 1000000, i * 1000000 + 500000);

		flight__event(f, &e);
	}
	flight__stats(f, &st);
	CHECK_U64(st.kept_bytes, chunks * chunk);
	CHECK_U64(st.dropped, 2 * FLIGHT_CHUNK_EVENTS);
	/*
	 * 30,000 more, 1000 s on: they fill the last chunk (1,328 old records in it), then
	 * the full chunks before, more than a window and a half old (no dump can want
	 * them), are freed, not counted; past the bound the chunk of old and new goes
	 * (its 2,768 new records counted), then the first all new one
	 */
	for (uint64_t i = 0; i < 30000; i++) {
		struct tl_event e = slice(7, 1000 * S + i * 1000000, 1000 * S + i * 1000000 + 1);

		flight__event(f, &e);
	}
	flight__stats(f, &st);
	CHECK_U64(st.kept_bytes, chunks * chunk);
	CHECK_U64(st.dropped, 2 * FLIGHT_CHUNK_EVENTS + (FLIGHT_CHUNK_EVENTS - 21808 % 4096) +
				      FLIGHT_CHUNK_EVENTS);
	/* a quiet minute and a half later, a chunk's worth: all but the newest two freed */
	for (uint64_t i = 0; i < FLIGHT_CHUNK_EVENTS; i++) {
		struct tl_event e = slice(7, 1200 * S + i, 1200 * S + i + 1);

		flight__event(f, &e);
	}
	flight__stats(f, &st);
	CHECK_U64(st.kept_bytes, 2 * chunk);
	CHECK_U64(st.dropped, 2 * FLIGHT_CHUNK_EVENTS + (FLIGHT_CHUNK_EVENTS - 21808 % 4096) +
				      FLIGHT_CHUNK_EVENTS);
	flight__free(f);
	remove_dir(dir);
	free(dir);
}

TEST(test_flight__anchors_a_quarter_window_apart)
{
	char *dir = temp_dir(), err[256];
	struct flight *f = NULL;
	struct raw_dump d = {.n_procs = 64, .n_rows = ROW_FIRST + 8}, got;

	CHECK_I64(flight__open(&f, 20 * S, 1 << 20, dir, 3, err, sizeof(err)), 0);
	if (!f)
		return;
	/* tables with a process and a row in use, and one slot left stale (pid 0) */
	d.procs = xcalloc(d.n_procs, sizeof(*d.procs));
	d.rows = xcalloc(d.n_rows, sizeof(*d.rows));
	d.procs[SLOT_FIRST + 3].pid = 4242;
	d.procs[SLOT_FIRST + 3].ppid = 1;
	d.procs[SLOT_FIRST + 4].ppid = 99;
	d.rows[ROW_FIRST + 2].kind = 1;
	d.rows[ROW_FIRST + 2].count = 777;
	d.rows[ROW_FIRST + 2].slot = SLOT_FIRST + 3;
	d.cpu_idle_ns = 123;
	/* interval ends every second for a minute: anchors at 0, 5, 10, ... */
	CHECK(!flight__anchor_copy(f, 3 * S, &got));
	for (uint64_t t = 1; t <= 60; t++) {
		d.ts_ns = t * S;
		flight__anchor(f, &d);
		/* the window a dump at t starts at: the newest anchor at least 20 s old */
		if (t == 19) {
			CHECK(!flight__anchor_copy(f, t * S, &got)); /* none yet: from attach */
		}
		if (t == 21) {
			/* as raw_dump_copy would have copied it */
			CHECK(flight__anchor_copy(f, t * S, &got));
			CHECK_U64(got.ts_ns, 1 * S);
			CHECK_U64(got.n_procs, 64);
			CHECK_U64(got.procs[SLOT_FIRST + 3].pid, 4242);
			CHECK_U64(got.procs[SLOT_FIRST + 3].ppid, 1);
			CHECK_U64(got.procs[SLOT_FIRST + 4].ppid, 0);
			CHECK_U64(got.rows[ROW_FIRST + 2].count, 777);
			CHECK_U64(got.rows[ROW_FIRST + 2].slot, SLOT_FIRST + 3);
			CHECK_U64(got.cpu_idle_ns, 123);
			CHECK(got.live == NULL);
			raw_dump_release(&got);
		}
		if (t == 60) {
			CHECK(flight__anchor_copy(f, t * S, &got));
			CHECK_U64(got.ts_ns, 36 * S); /* anchors at 1, 6, 11, ..., 56 */
			raw_dump_release(&got);
		}
	}
	flight__free(f);
	raw_dump_release(&d);
	remove_dir(dir);
	free(dir);
}

TEST(test_flight__dumps_per_rule_per_window_and_signals_per_second)
{
	char *dir = temp_dir(), err[256];
	struct flight *f = NULL;
	struct flight_stats st;

	CHECK_I64(flight__open(&f, 10 * S, 1 << 20, dir, 3, err, sizeof(err)), 0);
	if (!f)
		return;
	CHECK(flight__allow(f, FR_ALERT, "a > 1", 100 * S));
	CHECK(!flight__allow(f, FR_ALERT, "a > 1", 105 * S));
	CHECK(flight__allow(f, FR_ALERT, "b > 1", 105 * S)); /* another rule */
	CHECK(!flight__allow(f, FR_ALERT, "a > 1", 109 * S));
	CHECK(flight__allow(f, FR_ALERT, "a > 1", 110 * S));
	CHECK(flight__allow(f, FR_SIGNAL, NULL, 110 * S));
	CHECK(!flight__allow(f, FR_SIGNAL, NULL, 110 * S + S / 2));
	CHECK(flight__allow(f, FR_HTTP, NULL, 110 * S + S / 2));
	CHECK(flight__allow(f, FR_SIGNAL, NULL, 111 * S));
	flight__stats(f, &st);
	CHECK_U64(st.limited, 2);
	flight__free(f);
	remove_dir(dir);
	free(dir);
}

TEST(test_flight__dumps_written_whole_and_the_newest_kept)
{
	char *dir = temp_dir(), err[256], stem[256], sub[4096];
	struct flight *f = NULL;
	struct flight_stats st;
	struct flight_req q = {.reason = FR_ALERT, .unix_ns = 1796626752716454100ULL};

	snprintf(q.rule, sizeof(q.rule), "runq.p99 > 10ms");
	flight_stem(&q, stem, sizeof(stem));
	CHECK_STR(stem, "procscope-20261207T065912.716Z-runq.p99-10ms");
	/* a directory made, with its parents */
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	CHECK_I64(flight__open(&f, 10 * S, 1 << 20, sub, 3, err, sizeof(err)), 0);
	if (!f)
		return;
	for (int i = 0; i < 5; i++) {
		q.unix_ns += S;
		q.reason = i % 2 ? FR_SIGNAL : FR_ALERT;
		flight_stem(&q, stem, sizeof(stem));
		CHECK_I64(flight__write(f, &q, stem, "trace", 5, "{}\n", 3), 0);
	}
	CHECK_U64(files_in(sub, ".json"), 3);
	CHECK_U64(files_in(sub, ".pftrace"), 3);
	/* the newest three: seconds 15, 16, 17 (13 and 14 removed) */
	snprintf(sub, sizeof(sub), "%s/a/b/procscope-20261207T065917.716Z-runq.p99-10ms.json", dir);
	CHECK(access(sub, F_OK) == 0);
	snprintf(sub, sizeof(sub), "%s/a/b/procscope-20261207T065916.716Z-SIGUSR1.pftrace", dir);
	CHECK(access(sub, F_OK) == 0);
	snprintf(sub, sizeof(sub), "%s/a/b/procscope-20261207T065914.716Z-SIGUSR1.json", dir);
	CHECK(access(sub, F_OK) != 0);
	flight__stats(f, &st);
	CHECK_U64(st.dumps[FR_ALERT], 3);
	CHECK_U64(st.dumps[FR_SIGNAL], 2);
	flight__free(f);
	/* a file where the directory should be: said, nothing opened */
	snprintf(sub, sizeof(sub), "%s/a/b/procscope-20261207T065917.716Z-runq.p99-10ms.json/x",
		 dir);
	CHECK(flight__open(&f, 10 * S, 1 << 20, sub, 3, err, sizeof(err)) < 0);
	CHECK(f == NULL);
	CHECK_CONTAINS(err, "Not a directory");
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	remove_dir(sub);
	snprintf(sub, sizeof(sub), "%s/a", dir);
	rmdir(sub);
	remove_dir(dir);
	free(dir);
}
