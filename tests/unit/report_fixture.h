/* SPDX-License-Identifier: GPL-2.0 */
/* The snapshot the report tests render: one process with a hostile name, syscalls, run-queue waits.
 */
#ifndef PROCSCOPE_REPORT_FIXTURE_H
#define PROCSCOPE_REPORT_FIXTURE_H

#include "analysis/analysis.h"
#include "fixtures.h"
#include "render/report.h"

static inline void fixture(struct raw_dump *d, struct snapshot *s)
{
	struct proc_rec *p;
	struct stat_row *r;

	fx_init(d, 3, ROW_FIRST + 4, FX_ATTACH_NS + 2 * NSEC_PER_SEC);
	/* a process name with an escape sequence and invalid UTF-8 */
	p = fx_proc(d, 2, 4242, 1, "ev\x1b[2Jil\xff", FX_ATTACH_NS);
	p->sched.oncpu_ns = 1200 * NSEC_PER_MSEC;
	p->sched.runq_ns = 300 * NSEC_PER_MSEC;
	p->sched.wait_ns[WC_IO] = 500 * NSEC_PER_MSEC;
	p->sched.blocked_ns[BLK_IOWAIT] = 500 * NSEC_PER_MSEC;
	p->sched.nvcsw = 12;
	p->sched.nivcsw = 34;
	fx_exit(p, FX_ATTACH_NS + 2 * NSEC_PER_SEC, 0);
	r = fx_row(d, ROW_FIRST, 2, ROW_SYSCALL, 110 /* getppid */);
	fx_row_add(r, 350, 1000);
	r = fx_row(d, ROW_FIRST + 1, 2, ROW_SYSCALL, 257 /* openat */);
	fx_row_add(r, 2000, 10);
	fx_row_err(r, 2, 10);
	r = fx_row(d, ROW_FIRST + 2, 2, ROW_RUNQ, 0);
	fx_row_add(r, 4000, 50);
	fx_row_add(r, 2000000, 5);
	d->self.bpf_stats = true;
	d->self.bpf_run_ns = 123456;
	d->self.bpf_run_cnt = 2000;
	d->self.procs_used = 1;
	d->self.procs_max = 4096;
	snapshot_build(s, d, NULL, FX_ATTACH_NS, NULL);
}

static const struct report_opts opts = {
	.target = TARGET_COMMAND,
	.target_desc = "./evil\n--flag",
	.top_n = 10,
	.exit_code = 0,
	.unix_end_ns = 1700000000000000000ULL,
	.subsys = SUB_DEFAULT,
};

/* The renderers as app/report.c drives them: the analysis first, then the format. */
static inline void render_text(FILE *f, const struct snapshot *s)
{
	struct analysis a;

	analysis_compute(&a, s, "`./evil`");
	report_text(f, s, &a, &opts);
	analysis_release(&a);
}

static inline void render_json(struct json_writer *w, const struct snapshot *s)
{
	struct analysis a;

	analysis_compute(&a, s, "`./evil`");
	report_json(w, s, &a, &opts);
	analysis_release(&a);
}

#endif
