// SPDX-License-Identifier: GPL-2.0
/* The JSON report record's shape, from the renderer itself (record_shape.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analysis.h"
#include "lib/json_reader.h"
#include "lib/json_writer.h"
#include "kernel/raw_dump.h"
#include "analysis/record_shape.h"
#include "render/report.h"
#include "model/snapshot.h"
#include "model/stacks.h"
#include "model/subsys.h"
#include "lib/util.h"

/* A report of one exited process, every subsystem on, rendered and parsed (NULL: failed). */
static struct jval *render_shape(void)
{
	struct raw_dump d = {.ts_ns = 2 * NSEC_PER_SEC, .n_procs = SLOT_FIRST + 1};
	struct report_opts o = {
		.target = TARGET_COMMAND, .target_desc = "shape", .top_n = 1, .subsys = SUB_ALL};
	struct stack_set stacks = {.freq_hz = 99};
	struct snapshot s;
	struct analysis a;
	struct json_writer w;
	struct jval *rec = NULL;
	char *buf = NULL, err[128];
	size_t len = 0;
	FILE *m;

	d.procs = xcalloc(d.n_procs, sizeof(*d.procs));
	d.procs[SLOT_FIRST] = (struct proc_rec){.pid = 2,
						.ppid = 1,
						.start_ns = NSEC_PER_SEC,
						.end_ns = 2 * NSEC_PER_SEC,
						.flags = PROC_F_EXECED | PROC_F_EXITED};
	memcpy(d.procs[SLOT_FIRST].comm, "shape", 6);
	if (snapshot_build(&s, &d, NULL, NSEC_PER_SEC, NULL)) {
		raw_dump_release(&d);
		return NULL;
	}
	stacks_intern(&stacks, "");
	s.stacks = &stacks;
	analysis_compute(&a, &s, "shape");
	m = open_memstream(&buf, &len);
	if (m) {
		jw_init(&w, m);
		report_json(&w, &s, &a, &o);
		if (!fclose(m))
			rec = json_parse(buf, len, err, sizeof(err));
	}
	free(buf);
	analysis_release(&a);
	s.stacks = NULL;
	stacks_release(&stacks);
	snapshot_release(&s);
	raw_dump_release(&d);
	return rec;
}

bool record_has_number(const char *path, bool per_process)
{
	static struct jval *shape;
	static bool tried;
	const struct jval *scope, *procs, *v;

	if (!tried) {
		tried = true;
		shape = render_shape();
	}
	if (!shape)
		return true; /* cannot tell: the run will say if the value is missing */
	scope = json_get(shape, "target");
	if (per_process) {
		procs = json_get(shape, "processes");
		scope = procs && procs->t == J_ARR && procs->n ? procs->items[0] : NULL;
	}
	v = json_path(scope, path);
	return v && (v->t == J_NUM || v->t == J_NULL);
}
