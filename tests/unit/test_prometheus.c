// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus exposition of a hand-built snapshot: processes summed per command and
 * cgroup, base units, one HELP and TYPE per family with its samples together,
 * cumulative histogram buckets ending in +Inf that equals _count, label values escaped
 * whatever bytes a process named itself with; the series cap; and the endpoint itself,
 * over a real socket.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "analysis/groups.h"
#include "fixtures.h"
#include "render/prometheus.h"
#include "app/promserve.h"
#include "test.h"

static const char *cg_path(void *ctx, uint64_t id)
{
	(void)ctx;
	return id == 7 ? "/system.slice/etl.service" : "/";
}

/* Three processes: two "worker"s in one cgroup (summed), one with a hostile name. */
static void fixture(struct snapshot *s)
{
	const struct snapshot_names names = {.cgroup = cg_path};
	struct raw_dump d;
	struct proc_rec *p;
	struct stat_row *r;

	fx_init(&d, 5, ROW_FIRST + 3, FX_ATTACH_NS + 10 * NSEC_PER_SEC);
	p = fx_proc(&d, 2, 100, 1, "worker", FX_ATTACH_NS);
	p->cgid = 7;
	p->sched.oncpu_ns = 1500 * NSEC_PER_MSEC;
	p->sched.wait_ns[WC_IO] = 250 * NSEC_PER_MSEC;
	p->io.ops[IO_READ] = 10;
	p->io.bytes[IO_READ] = 40960;
	r = fx_row(&d, ROW_FIRST, 2, ROW_SYSCALL, 0 /* read */);
	fx_row_add(r, 20000, 30);
	fx_row_err(r, 11, 4);
	p = fx_proc(&d, 3, 101, 1, "worker", FX_ATTACH_NS);
	p->cgid = 7;
	p->sched.oncpu_ns = 500 * NSEC_PER_MSEC;
	p->sched.nvcsw = 9;
	r = fx_row(&d, ROW_FIRST + 1, 3, ROW_SYSCALL, 0);
	fx_row_add(r, 3000000, 10);
	fx_exit(p, FX_ATTACH_NS + NSEC_PER_SEC, 0);
	p = fx_proc(&d, 4, 102, 1, "we\"ird\\\n\x01", FX_ATTACH_NS);
	p->sched.oncpu_ns = 10 * NSEC_PER_MSEC;
	r = fx_row(&d, ROW_FIRST + 2, 4, ROW_RUNQ, 0);
	fx_row_add(r, 50000, 100);
	CHECK_I64(snapshot_build(s, &d, NULL, FX_ATTACH_NS, &names), 0);
	raw_dump_release(&d);
}

static char *render(const struct snapshot *s, const struct prom_opts *o, size_t *dropped)
{
	struct proc_groups groups;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	proc_groups_build(&groups, s, o->labels & PROM_LABEL_PID);
	*dropped = render_prometheus(f, s, &groups, o);
	fclose(f);
	proc_groups_release(&groups);
	return buf;
}

/* The value of the sample line that starts with @prefix, or -1. */
static double value_of(const char *text, const char *prefix)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (!strncmp(l, prefix, strlen(prefix)) && l[strlen(prefix)] == ' ')
			return atof(l + strlen(prefix) + 1);
	}
	return -1;
}

TEST(test_prometheus__processes_summed_in_base_units)
{
	struct prom_opts o = {0};
	struct snapshot s;
	size_t dropped;
	char *t;

	fixture(&s);
	t = render(&s, &o, &dropped);
	CHECK_U64(dropped, 0);
	/* the two workers, one series: 1.5 s + 0.5 s of CPU */
	CHECK(value_of(t, "procscope_cpu_seconds_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",unit=\"etl.service\"}") == 2.0);
	CHECK(value_of(t, "procscope_processes{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",unit=\"etl.service\"}") == 1);
	CHECK(value_of(t, "procscope_processes_seen_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",unit=\"etl.service\"}") == 2);
	CHECK(value_of(t, "procscope_syscalls_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",unit=\"etl.service\",syscall=\"read\"}") == 40);
	CHECK(value_of(t, "procscope_syscall_errors_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",unit=\"etl.service\",syscall=\"read\"}") == 4);
	CHECK(value_of(t, "procscope_blocked_seconds_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",unit=\"etl.service\",wait=\"io\"}") == 0.25);
	CHECK(value_of(t, "procscope_io_bytes_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",unit=\"etl.service\",op=\"read\"}") == 40960);
	CHECK(value_of(t, "procscope_context_switches_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",unit=\"etl.service\",kind=\"voluntary\"}") == 9);
	/* a name with a quote, a backslash, a newline and a control byte, escaped */
	CHECK_CONTAINS(t,
		       "procscope_cpu_seconds_total{comm=\"we\\\"ird\\\\\\n?\",cgroup=\"\"} 0.01");
	CHECK(value_of(t, "procscope_series_dropped_total") == 0);
	free(t);
	snapshot_release(&s);
}

TEST(test_prometheus__families_whole_and_histograms_cumulative)
{
	struct prom_opts o = {0};
	double last = -1, count;
	const char *fam = NULL;
	struct snapshot s;
	size_t dropped, families = 0;
	char *t, *save = NULL;

	fixture(&s);
	t = render(&s, &o, &dropped);
	/* every family's HELP and TYPE once, before its samples, which are not interleaved */
	for (char *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(l, "# TYPE ", 7)) {
			families++;
			fam = l + 7;
			continue;
		}
		if (l[0] == '#')
			continue;
		CHECK(fam && !strncmp(l, fam, strcspn(fam, " ")));
		/* run-queue buckets: never decreasing, ending in +Inf */
		if (!strncmp(l, "procscope_runqueue_latency_seconds_bucket", 41)) {
			double v = atof(strrchr(l, ' ') + 1);

			CHECK(v >= last);
			last = v;
		}
	}
	free(t);
	t = render(&s, &o, &dropped);
	count = value_of(t, "procscope_runqueue_latency_seconds_count");
	CHECK(count == 100);
	CHECK(value_of(t, "procscope_runqueue_latency_seconds_bucket{le=\"+Inf\"}") == count);
	CHECK(last == count);
	/* 50 us lands below the 65.536 us bound and above 49.152 us */
	CHECK(value_of(t, "procscope_runqueue_latency_seconds_bucket{le=\"4.9152e-05\"}") == 0);
	CHECK(value_of(t, "procscope_runqueue_latency_seconds_bucket{le=\"6.5536e-05\"}") == 100);
	CHECK(value_of(t, "procscope_runqueue_latency_seconds_sum") == 0.005);
	CHECK(families > 20);
	free(t);
	snapshot_release(&s);
}

TEST(test_prometheus__series_cap_keeps_the_biggest_and_counts_the_rest)
{
	struct prom_opts o = {.max_series = 40, .dropped_before = 5};
	struct snapshot s;
	size_t dropped, series = 0;
	char *t;

	fixture(&s);
	t = render(&s, &o, &dropped);
	for (const char *l = t; *l; l = strchr(l, '\n') + 1)
		series += l[0] != '#';
	CHECK(dropped > 0);
	CHECK(series <= 41); /* the cap, and the counter of what it dropped */
	/* the cap drops whole label sets, the smallest CPU users first */
	CHECK(strstr(t, "comm=\"we\\\"ird") == NULL);
	CHECK(value_of(t, "procscope_series_dropped_total") == (double)(dropped + 5));
	free(t);
	/* --prometheus-labels pid: a series set per process */
	o = (struct prom_opts){.labels = PROM_LABEL_PID};
	t = render(&s, &o, &dropped);
	CHECK_CONTAINS(t, "procscope_cpu_seconds_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",pid=\"100\",unit=\"etl.service\"} 1.5");
	CHECK_CONTAINS(t, "procscope_cpu_seconds_total{comm=\"worker\",cgroup=\"/system.slice/"
			  "etl.service\",pid=\"101\",unit=\"etl.service\"} 0.5");
	free(t);
	snapshot_release(&s);
}

TEST(test_prometheus__endpoint_address_forms)
{
	struct sockaddr_storage ss;
	char err[256];
	socklen_t len;

	CHECK_I64(promserve_parse("9464", &ss, &len, err, sizeof(err)), 0);
	CHECK_U64(ss.ss_family, AF_INET6);
	CHECK_I64(promserve_parse(":9464", &ss, &len, err, sizeof(err)), 0);
	CHECK_I64(promserve_parse("127.0.0.1:9464", &ss, &len, err, sizeof(err)), 0);
	CHECK_U64(ss.ss_family, AF_INET);
	CHECK_U64(ntohs(((struct sockaddr_in *)&ss)->sin_port), 9464);
	CHECK_I64(promserve_parse("[::1]:80", &ss, &len, err, sizeof(err)), 0);
	CHECK_U64(ss.ss_family, AF_INET6);
	CHECK_I64(promserve_parse("localhost:80", &ss, &len, err, sizeof(err)), 0);
	CHECK_I64(promserve_parse("0", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_I64(promserve_parse("65536", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_I64(promserve_parse("1.2.3.4.5:80", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_CONTAINS(err, "not an IPv4 or IPv6 address");
	CHECK_I64(promserve_parse("host:", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_I64(promserve_parse("", &ss, &len, err, sizeof(err)), -EINVAL);
	CHECK_I64(promserve_parse("80x", &ss, &len, err, sizeof(err)), -EINVAL);
}

/* GET @path from 127.0.0.1:@port; the response, or NULL. */
static char *http_get(unsigned int port, const char *path)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	char req[256], *buf = xcalloc(1, 65536);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	size_t got = 0;
	ssize_t n;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		free(buf);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
	if (write(fd, req, strlen(req)) < 0) {
		close(fd);
		free(buf);
		return NULL;
	}
	while (got < 65535 && (n = read(fd, buf + got, 65535 - got)) > 0)
		got += (size_t)n;
	close(fd);
	return buf;
}

TEST(test_prometheus__endpoint_serves_the_latest)
{
	struct promserve *p = NULL, *q = NULL;
	unsigned int port = 0;
	char spec[32], err[256], *r;

	/* a free port: the first that binds */
	for (int i = 0; i < 50 && !p; i++) {
		port = 20000 + (unsigned int)(getpid() * 7 + i * 131) % 30000;
		snprintf(spec, sizeof(spec), "127.0.0.1:%u", port);
		promserve__open(&p, spec, NULL, err, sizeof(err));
	}
	CHECK(p != NULL);
	if (!p)
		return;
	/* the same port again: in use, said with the reason */
	CHECK_I64(promserve__open(&q, spec, NULL, err, sizeof(err)), -EADDRINUSE);
	CHECK_CONTAINS(err, "Address already in use");
	promserve__publish(p, "m 1\n", 4);
	promserve__publish(p, "m 2\n", 4);
	r = http_get(port, "/metrics");
	CHECK(r != NULL);
	CHECK_CONTAINS(r, "200 OK");
	CHECK_CONTAINS(r, "text/plain; version=0.0.4");
	CHECK_CONTAINS(r, "\r\n\r\nm 2\n");
	free(r);
	r = http_get(port, "/");
	CHECK_CONTAINS(r, "404");
	free(r);
	CHECK_U64(promserve__scrapes(p), 1);
	promserve__close(p);
}

/* Every family of the counter table has its HELP text there, and every text a family. */
TEST(test_prometheus__families_have_help)
{
#define FAMILY_NAME(n, h, s) n,
	static const char *const helped[] = {METRIC_FAMILIES(FAMILY_NAME)};

	for (size_t i = 0; i < n_counter_defs; i++) {
		bool found = false;

		for (size_t k = 0; counter_defs[i].prom && k < ARRAY_SIZE(helped); k++)
			found |= !strcmp(helped[k], counter_defs[i].prom);
		if (counter_defs[i].prom && !found)
			test_fail(__FILE__, __LINE__, "%s has no HELP in METRIC_FAMILIES",
				  counter_defs[i].prom);
	}
	for (size_t k = 0; k < ARRAY_SIZE(helped); k++) {
		bool used = false;

		for (size_t i = 0; i < n_counter_defs; i++)
			used |= counter_defs[i].prom && !strcmp(helped[k], counter_defs[i].prom);
		CHECK(used);
	}
}
